"""Disk-full and I/O errors, told as sentences that name the file.

Why this module exists: SQLite reports a full disk as an ``OperationalError``
("database or disk is full") that means nothing to a manager and that the
command line and the window would show as a traceback. Every write in
Trellis runs inside ``Database.atomic()``, so the database class below turns
such errors into ``StorageFailed`` there, after SQLite has rolled the
transaction back: the change is not saved, and nothing saved earlier is lost.
Errors that are not about the disk (constraints, SQL mistakes) pass unchanged.

A process killed while copying (a backup, a model) cannot clean up after
itself; the next copy into the same folder removes what it left.
"""

import contextlib
import errno
import os
import time
from pathlib import Path

from ..errors import StorageFailed
from .cipher import DatabaseError, sqlite_utils

# SQLite's primary result codes (extended codes keep them in the low byte).
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 8, 10, 13
_SQLITE_PROBLEMS = {_SQLITE_FULL: "the disk is full",
                    _SQLITE_IOERR: "the disk reported an input/output error",
                    _SQLITE_READONLY: "the file cannot be written (read-only)"}
_OS_PROBLEMS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                errno.EIO: "the disk reported an input/output error",
                errno.EROFS: "the disk is read-only"}


def disk_problem(exc: BaseException) -> str | None:
    """What a disk fault behind ``exc`` means in words; None if it is not a disk fault."""
    if isinstance(exc, DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        return _SQLITE_PROBLEMS.get(code & 0xFF) if code is not None else None
    if isinstance(exc, OSError):
        return _OS_PROBLEMS.get(exc.errno)
    return None


def storage_failed(exc: BaseException, path: Path, action: str) -> StorageFailed | None:
    """``StorageFailed`` for a disk fault behind ``exc``, or None for any other error."""
    problem = disk_problem(exc)
    if problem == _SQLITE_PROBLEMS[_SQLITE_IOERR] and _free_bytes(Path(path)) == 0:
        # SQLite says "I/O error" when a full disk refuses its shared-memory file.
        problem = _SQLITE_PROBLEMS[_SQLITE_FULL]
    return StorageFailed(problem, path, action) if problem else None


def _free_bytes(path: Path) -> int | None:
    """Space left for the user on the disk holding ``path``; None where it cannot be told."""
    folder = next((p for p in (path, *path.parents) if p.is_dir()), None)
    try:
        stats = os.statvfs(folder)
    except (AttributeError, OSError, TypeError):  # Windows has no statvfs
        return None
    return stats.f_bavail * stats.f_frsize


@contextlib.contextmanager
def reporting_disk_faults(path: Path, action: str):
    """Raise disk faults inside the block as ``StorageFailed`` naming ``action`` and ``path``."""
    try:
        yield
    except (DatabaseError, OSError) as exc:
        failed = storage_failed(exc, getattr(exc, "filename", None) or path, action)
        if failed is None:
            raise
        raise failed from None


ABANDONED_AFTER_S = 600
"""A temporary copy untouched this long was left by a killed process (a live copy writes on)."""


def remove_abandoned(candidates) -> None:
    """Delete the half-written copies among ``candidates`` that a killed process left behind."""
    cutoff = time.time() - ABANDONED_AFTER_S
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


class Database(sqlite_utils.Database):
    """sqlite-utils' database whose transactions report disk faults as ``StorageFailed``."""

    def __init__(self, conn, *, path: Path):
        super().__init__(conn, execute_plugins=False)
        self.path = Path(path)

    @contextlib.contextmanager
    def atomic(self):
        with reporting_disk_faults(self.path, "save the change"), self._transaction():
            yield self

    @contextlib.contextmanager
    def _transaction(self):
        """sqlite-utils' transaction, but taking the write lock when it begins: a
        transaction that read first and wrote later would fail at once ("database is
        locked") when another thread's connection wrote in between, where waiting for
        the lock (the busy timeout) orders the two."""
        if self.conn.in_transaction:
            with super().atomic():  # a savepoint inside the open transaction
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
