"""Opening the encrypted database: key, pragmas, verification, migrations."""

import os
from pathlib import Path

from .cipher import DatabaseError, dbapi, sqlite_utils
from ..errors import StorageFailed, StoreCorrupt
from .faults import Database, storage_failed
from . import in_use
from .migrations import migrate, upgrade_needed
from .owner import OwnedConnection

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    # Sort and index scratch space stays in memory rather than in temp files.
    "PRAGMA temp_store = MEMORY",
    "PRAGMA busy_timeout = 5000",
    # Checkpoint less often inside a save; the app checkpoints when idle and on close.
    "PRAGMA wal_autocheckpoint = 4000",
)


def connect(path: Path, key: bytes, *, read_only: bool = False):
    """A sqlcipher3 connection to ``path`` with ``key``, verified and configured, that
    answers only the thread opening it (``owner.OwnedConnection``).

    ``read_only`` opens the file as immutable: nothing is written next to it
    or into it (for checking backups, which may sit on read-only media).
    Raises ``StoreCorrupt`` if the file is not a database this key opens.
    """
    if read_only:
        conn = dbapi.connect(Path(path).absolute().as_uri() + "?immutable=1", uri=True)
    else:
        _create_private(Path(path))
        conn = dbapi.connect(str(path))
    try:
        # SQLCipher's own log would print to stderr on a wrong key; our error says it better.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in () if read_only else PRAGMAS:
            conn.execute(pragma)
    except DatabaseError as exc:
        conn.close()
        raise storage_failed(exc, path, "open the database") or StoreCorrupt(
            f"{path}: cannot be opened with this Trellis's key ({exc}). It is damaged, "
            "or it belongs to another installation."
        ) from None
    return OwnedConnection(conn)


def _create_private(path: Path) -> None:
    """Make the database file owner-only before SQLite creates it.

    SQLite gives the -wal and -shm files the database file's permissions.
    """
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def open_database(path: Path, key: bytes, *, migrated: bool = False) -> "sqlite_utils.Database":
    """Open (creating if absent) and migrate the database at ``path``; ``migrated`` when
    another connection of this process already brought it up to date."""
    db = Database(connect(path, key), path=path)
    if migrated:
        return db
    try:
        if upgrade_needed(db):  # never change the schema under another process
            with in_use.alone(Path(path).parent, "bring the data up to this Trellis's version"):
                migrate(db)
        else:
            migrate(db)
    except in_use.StoreInUse:
        db.conn.close()
        raise
    except StorageFailed as failed:
        db.conn.close()
        raise failed.during("bring the database up to this Trellis's version") from None
    return db


def integrity_problems(conn) -> list[str]:
    """What SQLite's and SQLCipher's integrity checks report; empty when sound."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    except DatabaseError as exc:
        return [str(exc)]
    return problems
