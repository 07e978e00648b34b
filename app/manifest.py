"""The manifest of an installed bundle: every file's sha256, so an install can be verified.

IT deploys the PyInstaller bundle (``dist/trellis/``) to many laptops and
needs to know that what runs is what was built. ``make bundle`` calls
``write_manifest`` after PyInstaller finishes; the manifest sits inside the
bundle (``_internal/trellis-manifest.json``) and lists every other file with
its size and sha256, and every symbolic link with its target. Permissions are
not recorded: a package normalises them (the .deb makes libraries 0644), and
the content is what matters. ``trellis
doctor`` calls ``verify_manifest`` when it runs frozen and names each file
that was changed or is missing, and each file that was added (a file put
into ``_internal/`` may be imported or loaded by the app).

Standard library only, no Qt: the command line and the build script use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput
from .files import sha256_file

MANIFEST_NAME = "trellis-manifest.json"
CONTENTS_DIR = "_internal"
FORMAT = "trellis-manifest/1"
# In a macOS app the bundle root is Contents/. codesign's final seal of the app
# (packaging/macos/build_pkg.sh) rewrites the main executable and writes the
# seal after the manifest is written; the seal itself covers both.
SEALED_BY_CODESIGN = frozenset({"MacOS/trellis-desktop", "_CodeSignature/CodeResources"})


@dataclass(frozen=True)
class ManifestReport:
    """What ``verify_manifest`` found; paths are relative to the bundle root."""

    root: Path
    checked: int
    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.problem or self.changed or self.missing or self.extra)

    def summary(self) -> str:
        if self.problem:
            return self.problem
        if self.ok:
            return f"all {self.checked} files in {self.root} match the bundle manifest"
        parts = [f"{label}: {', '.join(paths)}" for label, paths in (
            ("changed", self.changed), ("missing", self.missing), ("not in the manifest", self.extra))
            if paths]
        return f"{self.root} differs from its bundle manifest; " + "; ".join(parts) + \
            "; reinstall Trellis"


def manifest_path(root: Path) -> Path:
    return root / CONTENTS_DIR / MANIFEST_NAME


def bundle_root() -> Path | None:
    """The folder of the running bundle, or None when Trellis runs from source."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys._MEIPASS).parent  # PyInstaller's one-folder layout: <root>/_internal


def write_manifest(root: Path) -> Path:
    """Record every file under ``root`` (except the manifest) in the manifest; return its path."""
    if not root.is_dir():
        raise InvalidInput(f"Cannot write a bundle manifest: {root} is not a folder")
    path = manifest_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    files = {name: _describe(root / name) for name in _bundle_files(root)}
    document = {"format": FORMAT, "files": files, "files_sha256": _digest_of(files)}
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def verify_manifest(root: Path) -> ManifestReport:
    """Compare ``root`` with its manifest; never raises for a damaged bundle."""
    try:
        recorded = _read_manifest(manifest_path(root))
    except InvalidInput as exc:
        return ManifestReport(root, 0, problem=str(exc))
    present = set(_bundle_files(root))
    missing = sorted(name for name in recorded if name not in present)
    changed = sorted(name for name in recorded
                     if name in present and _describe(root / name) != recorded[name])
    extra = sorted(present - set(recorded))
    return ManifestReport(root, len(recorded), tuple(changed), tuple(missing), tuple(extra))


def doctor_checks() -> list[tuple[str, str, str]]:
    """``(name, status, detail)`` for ``trellis doctor``; nothing when running from source."""
    root = bundle_root()
    if root is None:
        return []
    report = verify_manifest(root)
    return [("bundle files", "ok" if report.ok else "failed", report.summary())]


def _bundle_files(root: Path) -> list[str]:
    """Relative POSIX paths of every file and symlink under ``root``, the manifest excluded."""
    own = manifest_path(root)
    found = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        linked_dirs = [name for name in dirs if (base / name).is_symlink()]
        for name in files + linked_dirs:
            relative = (base / name).relative_to(root).as_posix()
            if base / name != own and relative not in SEALED_BY_CODESIGN:
                found.append(relative)
    return sorted(found)


def _describe(path: Path) -> dict:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return {"link": os.readlink(path)}
    return {"size": info.st_size, "sha256": sha256_file(path)}


def _digest_of(files: dict) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def _read_manifest(path: Path) -> dict:
    """The manifest's ``files``, or InvalidInput saying how the manifest itself is damaged."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"The bundle manifest {path} is missing; reinstall Trellis") from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"The bundle manifest {path} cannot be read ({exc}); "
                           "reinstall Trellis") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("files"), dict):
        raise InvalidInput(f"The bundle manifest {path} is not a {FORMAT} manifest; "
                           "reinstall Trellis")
    files = document["files"]
    if document.get("files_sha256") != _digest_of(files):
        raise InvalidInput(f"The bundle manifest {path} is damaged: its file list does not match "
                           "its own checksum; reinstall Trellis")
    return files
