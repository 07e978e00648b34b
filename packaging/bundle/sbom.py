"""Write a CycloneDX 1.6 JSON SBOM of the built bundle, with the standard library only.

IT departments ask what an installer contains before they deploy it. This
lists what actually went into ``dist/trellis/``: one component per Python
distribution whose modules or files PyInstaller bundled (name, version,
``pkg:pypi`` purl, licence from its metadata), the CPython runtime, the
llama.cpp libraries, SQLCipher (compiled into sqlcipher3), Qt (shipped in
PySide6), each system shared library PyInstaller copied in, and the
default model with its sha256. Versions are read from the build
environment that produced the bundle; hashes from the bundled files.

The spec writes ``bundled-modules.json`` (module names and bundled file
paths) into PyInstaller's work dir; ``write_sbom`` maps those to
distributions with ``importlib.metadata``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

SPEC_VERSION = "1.6"
CONTENTS = "_internal"
APPLICATION = "trellis"


def write_sbom(bundle: Path, inventory_file: Path, out: Path) -> Path:
    inventory = json.loads(inventory_file.read_text(encoding="utf-8"))
    document = build_sbom(bundle, inventory)
    out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return out


def build_sbom(bundle: Path, inventory: dict) -> dict:
    version = metadata.version(APPLICATION)
    components = (python_components(inventory) + [cpython(bundle), llama_cpp(bundle),
                  sqlcipher(bundle), qt(bundle), default_model(bundle)]
                  + system_libraries(bundle, inventory))
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "trellis-bundle-sbom",
                                      "version": version}]},
            "component": {"type": "application", "bom-ref": APPLICATION, "name": APPLICATION,
                          "version": version,
                          "description": "Trellis one-folder bundle (PyInstaller)"},
        },
        "components": components,
        "dependencies": [{"ref": APPLICATION,
                          "dependsOn": [component["bom-ref"] for component in components]}],
    }


def python_components(inventory: dict) -> list[dict]:
    """One component per installed distribution that owns a bundled module or file."""
    roots = {name.split(".")[0] for name in inventory["modules"]}
    roots |= {Path(path).parts[0].split(".")[0] for path in inventory["files"]}
    owners = metadata.packages_distributions()
    names = {dist for root in roots for dist in owners.get(root, [])}
    names |= {_dist_info_name(path) for path in inventory["files"] if ".dist-info/" in path}
    by_key = {_normalise(name): name for name in names if name}
    by_key.pop(APPLICATION, None)
    return [python_component(metadata.distribution(by_key[key])) for key in sorted(by_key)]


def python_component(dist: metadata.Distribution) -> dict:
    name, version = dist.metadata["Name"], dist.version
    purl = f"pkg:pypi/{_normalise(name)}@{version}"
    component = {"type": "library", "bom-ref": purl, "name": name, "version": version,
                 "purl": purl}
    licences = _licences(dist.metadata)
    if licences:
        component["licenses"] = licences
    return component


# The Python library's name on Linux, Windows and macOS (the installers' builds).
PYTHON_LIBRARIES = ("libpython3*.so*", "python3??.dll", "libpython3*.dylib", "Python")


def cpython(bundle: Path) -> dict:
    found = [path for pattern in PYTHON_LIBRARIES for path in (bundle / CONTENTS).glob(pattern)]
    return _native("CPython", platform.python_version(), "PSF-2.0", found[:1],
                   "the Python runtime the programs embed")


def llama_cpp(bundle: Path) -> dict:
    libraries = sorted(p for p in (bundle / CONTENTS / "llama_cpp" / "lib").glob("lib*.so*")
                       if not p.is_symlink())
    wrapper = metadata.version("llama-cpp-python")
    return _native("llama.cpp", f"llama-cpp-python-{wrapper}", "MIT", libraries,
                   f"llama.cpp as vendored by llama-cpp-python {wrapper}, built portably "
                   "(GGML_NATIVE=OFF, AVX2/FMA/F16C/BMI2)")


def sqlcipher(bundle: Path) -> dict:
    from app.store.cipher import dbapi

    conn = dbapi.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    extension = sorted((bundle / CONTENTS / "sqlcipher3").glob("_sqlite3*.so"))
    return _native("SQLCipher", cipher.split()[0], "BSD-3-Clause", extension,
                   f"SQLCipher {cipher} (SQLite {sqlite}), compiled into sqlcipher3 "
                   f"{metadata.version('sqlcipher3')}")


def qt(bundle: Path) -> dict:
    from PySide6 import QtCore

    libraries = sorted((bundle / CONTENTS / "PySide6" / "Qt" / "lib").glob("libQt6*.so*"))
    libraries = libraries or sorted((bundle / CONTENTS).glob("libQt6*.so*"))
    return _native("Qt", QtCore.qVersion(), "LGPL-3.0-only",
                   [p for p in libraries if not p.is_symlink()],
                   f"Qt as shipped in PySide6-Essentials {metadata.version('PySide6-Essentials')}")


def default_model(bundle: Path) -> dict:
    models = bundle / CONTENTS / "models"
    entry = json.loads((models / "catalog.json").read_text(encoding="utf-8"))["models"][0]
    path = models / entry["file"]
    return {"type": "machine-learning-model", "bom-ref": f"model:{entry['file']}",
            "name": entry["name"], "version": entry["quantisation"],
            "description": f"default on-device model, from {entry['source'].get('pypi', '')}",
            "hashes": [{"alg": "SHA-256", "content": _sha256(path)}],
            "licenses": [{"expression": entry["licence"]}],
            "properties": [{"name": "trellis:file", "value": f"{CONTENTS}/models/{entry['file']}"},
                           {"name": "trellis:size_bytes", "value": str(path.stat().st_size)}]}


def system_libraries(bundle: Path, inventory: dict) -> list[dict]:
    """Shared libraries PyInstaller copied from the build machine into ``_internal/``.

    Libraries that came out of a Python wheel (``numpy.libs/`` ...) belong to
    that wheel's component. The rest are named by the Debian package that owns
    them when the build machine has dpkg, else by their file name.
    """
    sources = inventory.get("binaries", {})
    libraries = {}
    for path in sorted((bundle / CONTENTS).glob("lib*.so*")):
        source = sources.get(path.name, "")
        if path.is_symlink() or "site-packages" in source or path.name.startswith(
                ("libpython", "libQt6", "libpyside6", "libshiboken6")):
            continue
        libraries[path] = source
    owners = _debian_owners([source for source in libraries.values() if source])
    by_package: dict[tuple[str, str] | None, list[Path]] = {}
    for path, source in libraries.items():
        by_package.setdefault(owners.get(source), []).append(path)
    unowned = [_library_file(path) for path in by_package.pop(None, [])]
    return [_debian_package(package, paths) for package, paths in sorted(by_package.items())] + unowned


def _library_file(path: Path) -> dict:
    return {"type": "library", "bom-ref": f"file:{CONTENTS}/{path.name}",
            "name": path.name, "version": _soname_version(path.name),
            "description": "shared library copied from the build machine",
            "hashes": [{"alg": "SHA-256", "content": _sha256(path)}]}


def _debian_package(package: tuple[str, str], paths: list[Path]) -> dict:
    name, version = package
    bare = name.split(":")[0]
    purl = f"pkg:deb/{_distro()}/{bare}@{version.replace(':', '%3A')}?arch={_arch(name)}"
    return {"type": "library", "bom-ref": purl, "name": bare, "version": version, "purl": purl,
            "description": "Debian package of the build machine; its shared libraries are "
                           "copied into the bundle",
            "properties": _file_properties(paths, _bundle_of)}


def _debian_owners(sources: list[str]) -> dict[str, tuple[str, str]]:
    """``{source path: (package, version)}`` from dpkg; empty where dpkg is absent."""
    candidates = {}
    for source in sources:
        for form in {source, os.path.realpath(source), "/usr" + source if source.startswith("/lib") else source}:
            candidates[form] = source
    try:
        found = subprocess.run(["dpkg-query", "-S", *candidates], capture_output=True, text=True)
    except OSError:
        return {}
    packages = {}
    for line in found.stdout.splitlines():
        package, _, owned = line.partition(": ")
        if owned in candidates and "," not in package:
            packages[candidates[owned]] = package
    versions = _debian_versions(set(packages.values()))
    return {source: (package, versions[package]) for source, package in packages.items()
            if package in versions}


def _debian_versions(packages: set[str]) -> dict[str, str]:
    if not packages:
        return {}
    listed = subprocess.run(["dpkg-query", "-W", "-f", "${binary:Package}\t${Version}\n",
                             *sorted(packages)], capture_output=True, text=True)
    return dict(line.split("\t", 1) for line in listed.stdout.splitlines() if "\t" in line)


def _distro() -> str:
    try:
        return platform.freedesktop_os_release().get("ID", "debian")
    except OSError:
        return "debian"


def _arch(package: str) -> str:
    return package.split(":", 1)[1] if ":" in package else "all"


def _native(name: str, version: str, licence: str, files: list[Path], description: str) -> dict:
    component = {"type": "library", "bom-ref": f"native:{name}", "name": name,
                 "version": version, "description": description,
                 "licenses": [{"expression": licence}]}
    if len(files) == 1:
        component["hashes"] = [{"alg": "SHA-256", "content": _sha256(files[0])}]
    component["properties"] = _file_properties(files, _bundle_of)
    return component


def _file_properties(files: list[Path], root_of) -> list[dict]:
    """A ``trellis:file`` and a ``trellis:sha256`` property for each bundled file."""
    names = [path.relative_to(root_of(path)).as_posix() for path in files]
    return ([{"name": "trellis:file", "value": name} for name in names]
            + [{"name": "trellis:sha256", "value": f"{name} {_sha256(path)}"}
               for name, path in zip(names, files)])


def _bundle_of(path: Path) -> Path:
    return next(parent for parent in path.parents if parent.name == CONTENTS).parent


def _licences(meta) -> list[dict]:
    expression = meta.get("License-Expression")
    if expression:
        return [{"expression": expression.strip()}]
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return [{"license": {"name": text}}]
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License :: ")]
    return [{"license": {"name": name}} for name in classifiers]


def _dist_info_name(path: str) -> str:
    folder = next(part for part in Path(path).parts if part.endswith(".dist-info"))
    return folder[: -len(".dist-info")].rsplit("-", 1)[0]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _soname_version(name: str) -> str:
    match = re.search(r"\.so\.([\d.]+)$", name)
    return match.group(1) if match else "unversioned"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
