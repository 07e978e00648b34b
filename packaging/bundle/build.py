"""Build the one-folder bundle ``dist/trellis/``, its manifest and its SBOM (``make bundle``).

Why a script and not a bare ``pyinstaller`` call: the manifest must be
written after PyInstaller has finished (it hashes every file PyInstaller
wrote) and the SBOM describes what actually went in, so the steps belong
together and run in this order; on Linux, library search paths that point
at the build machine are removed first (runpath.py). It prints the bundle's size, file
count and build time, which docs/performance.md records.

    .venv/bin/python packaging/bundle/build.py [--skip-pyinstaller]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from app import __version__  # noqa: E402
from app.manifest import write_manifest  # noqa: E402
import sbom  # noqa: E402
from runpath import scrub_runpaths  # noqa: E402

DIST = ROOT / "dist"
BUNDLE = DIST / "trellis"
WORK = ROOT / "build" / "pyinstaller"
SPEC = ROOT / "packaging" / "trellis.spec"


def run_pyinstaller() -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)],
                   cwd=ROOT, check=True)


def bundle_size(root: Path) -> tuple[int, int]:
    """Total bytes and number of files (symlinks counted as files, not followed)."""
    total = count = 0
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            total += os.lstat(os.path.join(folder, name)).st_size
            count += 1
    return total, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pyinstaller", action="store_true",
                        help="only rewrite the manifest and SBOM of the existing dist/trellis/")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if not args.skip_pyinstaller:
        run_pyinstaller()
    if sys.platform.startswith("linux"):
        scrubbed = scrub_runpaths(BUNDLE / "_internal")
        print(f"runpath: {len(scrubbed)} libraries no longer search the build machine's folders")
    manifest = write_manifest(BUNDLE)
    bom = sbom.write_sbom(BUNDLE, WORK / "trellis" / "bundled-modules.json",
                          DIST / f"trellis-{__version__}.cdx.json")
    size, files = bundle_size(BUNDLE)
    print(f"bundle: {BUNDLE} ({size / 2**20:.1f} MiB, {files} files incl. the manifest), "
          f"built in {time.monotonic() - started:.0f} s")
    print(f"manifest: {manifest}")
    print(f"sbom: {bom}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
