"""Work out the .deb's Depends from the shared libraries the bundle needs from the system.

The PyInstaller bundle carries most of its libraries in ``_internal/``, but
deliberately leaves out the ones that must match the machine (the C library,
the GL/EGL drivers, xcb, Wayland). ``dpkg-shlibdeps`` cannot tell a bundled
library from the system's copy of the same soname, so it would make the
package depend on every library the bundle already carries. This script reads
each ELF file's NEEDED entries instead, drops the sonames the bundle itself
provides, and maps the rest to the Debian packages that own them on the build
machine. The C library gets a lower bound from the newest GLIBC_x.y symbol
version any file in the bundle asks for.

    python3 packaging/linux/deb_depends.py dist/trellis
    -> libc6 (>= 2.34), libegl1, libgl1, ...

Exits 1, naming the library and the file that needs it, when a needed
library is neither in the bundle nor installed here.
"""

import re
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# Part of libc6 since glibc 2.34 merged them, but still named by older binaries.
GLIBC_SONAMES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                 "libresolv.so.2", "ld-linux-x86-64.so.2", "libutil.so.1"}


def elf_files(bundle: Path) -> list[Path]:
    files = [p for p in sorted(bundle.rglob("*")) if p.is_file() and not p.is_symlink()]
    return [p for p in files if p.open("rb").read(4) == ELF_MAGIC]


def readelf(flag: str, path: Path) -> str:
    return subprocess.run(["readelf", flag, "--wide", str(path)], capture_output=True,
                          text=True, check=True).stdout


def needed_sonames(path: Path) -> set[str]:
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf("-d", path)))


def glibc_versions(path: Path) -> set[tuple[int, ...]]:
    found = re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", readelf("-V", path))
    return {tuple(int(part) for part in version.split(".")) for version in found}


def system_library_paths() -> dict[str, str]:
    """soname -> path for the 64-bit x86 libraries the dynamic linker knows."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths: dict[str, str] = {}
    for match in re.finditer(r"^\s*(\S+) \(([^)]*)\) => (\S+)$", listing, re.MULTILINE):
        soname, flags, path = match.groups()
        if "x86-64" in flags:
            paths.setdefault(soname, path)
    return paths


def owning_package(path: str) -> str | None:
    """The package dpkg records for a file, trying the usr-merged spellings too."""
    resolved = str(Path(path).resolve())
    candidates = [path, resolved, resolved.removeprefix("/usr"), "/usr" + path]
    for candidate in dict.fromkeys(candidates):
        found = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def depends(bundle: Path) -> list[str]:
    files = elf_files(bundle)
    if not files:
        raise SystemExit(f"error: {bundle} holds no ELF programs or libraries; is it the bundle?")
    bundled = {p.name for p in bundle.rglob("*")}
    external: dict[str, Path] = {}
    glibc: set[tuple[int, ...]] = set()
    for path in files:
        for soname in needed_sonames(path) - bundled:
            external.setdefault(soname, path)
        glibc |= glibc_versions(path)
    packages = resolve_packages(external)
    if glibc:
        packages["libc6"] = f"libc6 (>= {'.'.join(map(str, max(glibc)))})"
    return sorted(packages.values())


def resolve_packages(external: dict[str, Path]) -> dict[str, str]:
    system = system_library_paths()
    packages = {"libc6": "libc6"}
    for soname, needed_by in sorted(external.items()):
        if soname in GLIBC_SONAMES:
            continue
        package = owning_package(system[soname]) if soname in system else None
        if package is None:
            raise SystemExit(f"error: {needed_by} needs {soname}, which is neither in the bundle "
                             "nor installed from a Debian package on this machine; install the "
                             "package that provides it (see .ci/run) and build again")
        packages[package] = package
    return packages


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print("usage: deb_depends.py BUNDLE_DIR  (the PyInstaller one-folder bundle)", file=sys.stderr)
        return 2
    print(", ".join(depends(Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
