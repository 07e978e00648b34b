"""Who has the data open: a shared lock for every open store, an exclusive one to replace it.

Why this module exists: ``trellis restore`` renamed a new database over the
one a window had open and deleted its -wal/-shm. The window kept writing
into unlinked files, and notes it had been told were saved were in neither
the restored data nor the before-restore copy. SQLite cannot tell whether
another process holds the database open while that process is idle, so
Trellis says so itself. Every open store holds a shared advisory lock
(``flock``) on ``in-use.lock`` in the data dir. Replacing the database
(restore, recovery, a schema upgrade) needs the exclusive lock, and is
refused with a sentence while anyone else holds the shared one. One process
shares one lock per data dir among its stores (the window's and its
threads'), counted, so that its own second connection is never mistaken
for another process.

The window also claims ``window.lock`` exclusively, so a second window on
the same data dir says the first is open instead of showing stale data
beside it.

Where ``fcntl`` is missing (Windows), nothing is locked and nothing is
refused: docs/reliability.md says so.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from ..errors import TrellisError
from ..paths import ensure_private_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

IN_USE_FILE = "in-use.lock"
WINDOW_FILE = "window.lock"


class StoreInUse(TrellisError):
    """Another process has the data open, so it cannot be replaced now."""


_held: dict[Path, list] = {}   # data dir → [file descriptor, stores of this process using it]
_guard = threading.RLock()  # a restore reopening the data may upgrade it inside "alone"


def hold(home: Path) -> None:
    """Say this process has the data in ``home`` open (until ``release``)."""
    key = Path(home).resolve()
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return
        fd = _open(key / IN_USE_FILE)
        if fd is not None and fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while someone replaces the database
        _held[key] = [fd, 1]


def release(home: Path) -> None:
    key = Path(home).resolve()
    with _guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            if entry[0] is not None:
                os.close(entry[0])  # closing drops the lock


@contextlib.contextmanager
def alone(home: Path, action: str):
    """Run the block only if no other process (and no other store of this one) has the data
    open; ``StoreInUse`` saying so otherwise. ``action`` says what was refused."""
    key = Path(home).resolve()
    with _guard:
        entry = _held.get(key)
        own = entry[1] if entry else 0
        if own > 1:
            raise StoreInUse(f"Cannot {action} while other work in this Trellis is using the data "
                             "(a draft or a suggestion being written); wait for it and try again. "
                             "Nothing was changed.")
        fd = entry[0] if entry else _open(key / IN_USE_FILE)
        try:
            if fd is not None and fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if entry:
                        fcntl.flock(fd, fcntl.LOCK_SH)
                    raise StoreInUse(
                        f"Cannot {action}: another Trellis (a window or a command) has this data "
                        f"open ({key}). Close it and try again. Nothing was changed.") from None
            try:
                yield
            finally:
                if fd is not None and fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_SH if entry else fcntl.LOCK_UN)
        finally:
            if fd is not None and not entry:
                os.close(fd)


class WindowClaim:
    """The one window's claim on a data dir, held until ``release`` or the process ends."""

    def __init__(self, fd: int | None):
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def claim_window(home: Path) -> WindowClaim | None:
    """Claim the one window on ``home``; None when another window already has it. Where the
    claim cannot be recorded (no ``fcntl``, a read-only folder) the window opens anyway."""
    fd = _open(Path(home) / WINDOW_FILE)
    if fd is not None and fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
    return WindowClaim(fd)


def _open(path: Path) -> int | None:
    """An owner-only lock file's descriptor; None where the data dir cannot hold one."""
    try:
        ensure_private_dir(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
