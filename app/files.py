"""Writing and hashing files: one way to replace a file, one way to hash it.

Why this module exists: files were replaced four ways (a fixed ``.tmp`` name,
``mkstemp`` with and without a directory sync, and by hand in the model
copier) and hashed three. Standard library only, so that ``app.llm.fetch``
(which runs before anything else is installed) and the bundle's manifest can
use it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path, *, suffix: str = ".tmp") -> Iterator[tuple[int, Path]]:
    """The one way Trellis replaces a file: ``(descriptor, temp path)`` of a new owner-only
    file beside ``path`` (``mkstemp``: never an old leftover with wider permissions). When
    the block ends it is synced and renamed over ``path``, so a crash leaves the old file
    or the new one; when the block raises it is removed and ``path`` is untouched. An
    ``OSError`` names ``path``, not the temporary file."""
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    tmp, closed = Path(name), False
    try:
        yield fd, tmp
        os.fsync(fd)
        os.close(fd)
        closed = True
        os.replace(tmp, path)
    except BaseException as exc:
        if not closed:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (str(tmp), name):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    fsync_dir(path.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, owner-only, so a crash leaves the old or the new file."""
    try:
        with replacing(path) as (fd, _tmp):
            write_all(fd, data)
    except OSError as exc:  # a failed write names no file: name the one asked for
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def sha256_file(path: Path) -> str:
    """The file's sha256, read in chunks (``hashlib.file_digest``)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_all(fd: int, data: bytes) -> None:
    """Write every byte: a nearly full disk takes part of a write and refuses the rest."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
