"""Encrypted backups, verified after writing, and restore that cannot half-happen.

A backup is a ``VACUUM INTO`` copy of the database: a compact snapshot,
encrypted with the same data key. It is opened and checked before it is
called a backup, and checked again before it replaces anything.
"""

import datetime as _dt
import os
import shutil
from pathlib import Path

from ..errors import BackupRefused, StoreCorrupt, TrellisError
from ..paths import BACKUP_DIR, ensure_private_dir, fsync_dir
from .cipher import DatabaseError
from .database import connect, integrity_problems
from .faults import remove_abandoned, storage_failed
from .migrations import MIGRATIONS

BACKUP_SUFFIX = ".trellis-backup"
PARTIAL_SUFFIX = ".partial"


def _stamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_path_in(directory: Path, label: str = "trellis") -> Path:
    base = directory / f"{label}-{_stamp()}{BACKUP_SUFFIX}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{label}-{_stamp()}-{n}{BACKUP_SUFFIX}")
    return candidate


def write_backup(conn, key: bytes, destination: Path) -> Path:
    """Snapshot the open database ``conn`` into ``destination`` and verify it.

    The copy is written and checked under a ``.partial`` name and renamed
    only then, so a backup cut short by a full disk or a killed process is
    never found under a backup's name.
    """
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX)
    _reserve(partial)
    remove_abandoned(destination.parent.glob(f"*{BACKUP_SUFFIX}{PARTIAL_SUFFIX}*"))
    try:
        _copy_and_verify(conn, key, partial)
        os.replace(partial, destination)
        fsync_dir(destination.parent)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        raise _backup_failed(exc, destination) from None
    return destination


COPY_TRIES = 3


def _copy_and_verify(conn, key: bytes, partial: Path) -> None:
    """VACUUM INTO ``partial`` and check it. Its row counts must equal the database's, read
    just before and just after the copy; when another process wrote in between (the counts
    moved), the copy is made again, and after ``COPY_TRIES`` busy tries the copy, a
    consistent snapshot either way, is held to the integrity checks alone. A busy store
    backs up cleanly instead of reading as damaged."""
    for attempt in range(1, COPY_TRIES + 1):
        before = table_counts(conn)
        if attempt > 1:
            os.truncate(partial, 0)  # the reserved name stays ours; VACUUM INTO fills an empty file
        conn.execute("VACUUM INTO ?", [str(partial)])
        after = table_counts(conn)
        _fsync_file(partial)
        if before == after:
            verify_backup(partial, key, expected_counts=after)
            return
    verify_backup(partial, key)


def _backup_failed(exc: BaseException, destination: Path) -> BaseException:
    failed = storage_failed(exc, destination.parent, "back up the database")
    if failed is not None:
        return failed
    if isinstance(exc, DatabaseError):
        return TrellisError(f"The database could not be backed up ({exc}); run `trellis doctor`")
    return exc


def _reserve(destination: Path) -> None:
    """Create the empty, owner-only file VACUUM INTO will fill, or say why not."""
    try:
        ensure_private_dir(destination.parent)
        os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise TrellisError(
            f"Cannot write a backup in {destination.parent}: {exc.strerror}") from None


def default_backup_dir(home: Path) -> Path:
    return home / BACKUP_DIR


def table_counts(conn) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'notes_fts%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def verify_backup(path: Path, key: bytes, expected_counts: dict[str, int] | None = None) -> dict[str, int]:
    """Check that ``path`` is a sound Trellis backup for this key; returns its row counts."""
    if not path.exists():
        raise BackupRefused(f"{path}: no such file")
    if not path.is_file():
        raise BackupRefused(f"{path}: not a file")
    try:
        conn = connect(path, key, read_only=True)
    except StoreCorrupt:
        raise BackupRefused(
            f"{path}: not a Trellis backup that this installation's key can open "
            "(damaged, not a backup, or made by another installation)") from None
    try:
        return _check_contents(conn, path, expected_counts)
    except DatabaseError as exc:
        raise BackupRefused(f"{path}: damaged ({exc})") from None
    finally:
        conn.close()


def _check_contents(conn, path: Path, expected_counts: dict[str, int] | None) -> dict[str, int]:
    problems = integrity_problems(conn)
    if problems:
        raise BackupRefused(f"{path}: failed the integrity check: {'; '.join(problems[:3])}")
    known = {m.__name__ for m in MIGRATIONS}
    try:
        steps = [row[0] for row in conn.execute("SELECT name FROM schema_migrations")]
    except DatabaseError:
        raise BackupRefused(f"{path}: not a Trellis database (no schema record)") from None
    if not steps or set(steps) - known:
        raise BackupRefused(f"{path}: written by an unknown or newer Trellis schema")
    counts = table_counts(conn)
    if expected_counts is not None and counts != expected_counts:
        raise BackupRefused(f"{path}: the copy does not match the database it was made from")
    return counts


def replace_database(db_path: Path, backup: Path) -> None:
    """Put a verified copy of ``backup`` in place of the (closed, checkpointed) database."""
    incoming = db_path.with_name(db_path.name + ".restoring")
    try:
        shutil.copyfile(backup, incoming)
        os.chmod(incoming, 0o600)
        _fsync_file(incoming)
    except OSError as exc:
        incoming.unlink(missing_ok=True)
        raise storage_failed(exc, db_path.parent, f"restore {backup}") or exc from None
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(incoming, db_path)
    fsync_dir(db_path.parent)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
