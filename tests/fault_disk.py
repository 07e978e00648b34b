"""Real small disks and injected write failures for the fault tests.

``small_disk`` mounts a tmpfs of a few hundred kilobytes (the tests run as
root in CI; elsewhere they are skipped with the reason), so "disk full"
comes from the kernel exactly as on a laptop whose disk filled up.
``fill`` takes the rest of a disk's space; ``failing_writes`` makes a
module's ``os.write`` / file writes raise ENOSPC or EIO after some bytes,
for the cases a real filesystem cannot time.
"""

import contextlib
import errno
import os
import subprocess
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(where: Path, size_kib: int):
    """A tmpfs of ``size_kib`` KiB mounted at ``where``; skips the test where mounting is refused."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs",
                              str(where)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'not root'})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(disk: Path, leave: int = 0) -> Path:
    """Take all but ``leave`` bytes of ``disk`` with a ballast file; returns it (delete to free)."""
    ballast = disk / "ballast"
    with ballast.open("ab") as out:
        while free_bytes(disk) > leave:
            try:
                out.write(b"\0" * min(65536, free_bytes(disk) - leave))
                out.flush()
            except OSError:
                break
    return ballast


class FailingWrites:
    """A stand-in for ``os.write`` that accepts ``budget`` bytes, then raises ``code``."""

    def __init__(self, budget: int, code: int = errno.ENOSPC):
        self.budget, self.code, self.failures = budget, code, 0
        self._write = os.write

    def __call__(self, fd: int, data) -> int:
        if self.budget <= 0:
            self.failures += 1
            raise OSError(self.code, os.strerror(self.code))
        taken = min(len(data), self.budget)
        self.budget -= taken
        return self._write(fd, bytes(data[:taken]))


class OsWith:
    """The ``os`` module as one module under test sees it, with some functions replaced.

    Patching ``module.os`` with this keeps the failure inside that module;
    patching ``os.write`` itself would break pytest and SQLite's neighbours too.
    """

    def __init__(self, **replaced):
        self._replaced = replaced

    def __getattr__(self, name):
        return self._replaced[name] if name in self._replaced else getattr(os, name)
