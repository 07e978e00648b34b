"""The CycloneDX SBOM writer (packaging/bundle/sbom.py) and the shape of what it writes.

The writer runs on a small folder laid out like the bundle, so this always
runs; the SBOM that ``make bundle`` wrote is checked the same way when it
exists. The checks follow the CycloneDX 1.6 JSON schema's rules for the
fields we write (required keys, enums, patterns, unique bom-refs, no keys the
schema forbids).
"""

import importlib.util
import json
import re
import shutil
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pytest

from app import __version__
from app.llm.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]
SBOM_FILE = REPO / "dist" / f"trellis-{__version__}.cdx.json"

spec = importlib.util.spec_from_file_location("sbom", REPO / "packaging" / "bundle" / "sbom.py")
sbom = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sbom)

COMPONENT_TYPES = {"application", "framework", "library", "container", "platform",
                   "operating-system", "device", "device-driver", "firmware", "file",
                   "machine-learning-model", "data", "cryptographic-asset"}
COMPONENT_KEYS = {"type", "bom-ref", "name", "version", "description", "purl", "hashes",
                  "licenses", "properties"}
HASH_ALGS = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384",
             "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3"}
UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PURL = re.compile(r"^pkg:[a-z]+/[^@\s]+@[^\s?]+(\?[^\s]+)?$")


def assert_cyclonedx_shape(document: dict) -> list[dict]:
    """Fail on anything the 1.6 schema would reject in the fields we write; return components."""
    assert document["bomFormat"] == "CycloneDX"
    assert document["specVersion"] in ("1.5", "1.6")
    assert UUID_URN.match(document["serialNumber"])
    assert isinstance(document["version"], int) and document["version"] >= 1
    meta = document["metadata"]
    datetime.strptime(meta["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    components = document["components"]
    for component in [meta["component"], *components]:
        assert set(component) <= COMPONENT_KEYS, set(component) - COMPONENT_KEYS
        assert component["type"] in COMPONENT_TYPES
        assert component["name"] and isinstance(component.get("version", ""), str)
        for digest in component.get("hashes", []):
            assert digest["alg"] in HASH_ALGS and re.fullmatch(r"[0-9a-f]{64}", digest["content"])
        for licence in component.get("licenses", []):
            assert len(licence) == 1 and ("expression" in licence or (
                "license" in licence and {"id", "name"} & set(licence["license"])))
        if "purl" in component:
            assert PURL.match(component["purl"]), component["purl"]
        for prop in component.get("properties", []):
            assert set(prop) == {"name", "value"} and isinstance(prop["value"], str)
    refs = [c["bom-ref"] for c in [meta["component"], *components]]
    assert len(refs) == len(set(refs)), "bom-refs must be unique"
    for dependency in document["dependencies"]:
        assert dependency["ref"] in refs and set(dependency["dependsOn"]) <= set(refs)
    return components


@pytest.fixture
def small_bundle(tmp_path):
    """Just the files the SBOM writer reads, laid out as in dist/trellis/_internal."""
    internal = tmp_path / "trellis" / "_internal"
    for relative in ("libpython3.11.so.1.0", "llama_cpp/lib/libllama.so",
                     "llama_cpp/lib/libggml.so", "sqlcipher3/_sqlite3.cpython-311-x86_64-linux-gnu.so",
                     "PySide6/Qt/lib/libQt6Core.so.6", "libunowned.so.7"):
        (internal / relative).parent.mkdir(parents=True, exist_ok=True)
        (internal / relative).write_bytes(relative.encode())
    (internal / "models").mkdir()
    shutil.copy(REPO / "models" / "catalog.json", internal / "models")
    default = load_catalog()[0]
    (internal / "models" / default.file).write_bytes(b"small stand-in model")
    inventory = {"modules": ["jinja2", "jinja2.sandbox", "yaml", "app.cli", "llama_cpp"],
                 "files": ["sqlcipher3/_sqlite3.cpython-311-x86_64-linux-gnu.so",
                           "keyring-25.7.0.dist-info/METADATA"],
                 "binaries": {"libunowned.so.7": "/nonexistent/libunowned.so.7"}}
    return tmp_path / "trellis", inventory


def test_sbom_of_a_small_bundle(small_bundle, tmp_path):
    bundle, inventory = small_bundle
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    out = sbom.write_sbom(bundle, tmp_path / "inventory.json", tmp_path / "bom.json")
    document = json.loads(out.read_text())
    components = assert_cyclonedx_shape(document)
    by_name = {c["name"]: c for c in components}
    assert document["metadata"]["component"]["name"] == "trellis"
    python = {c["purl"] for c in components if c.get("purl", "").startswith("pkg:pypi/")}
    assert python == {f"pkg:pypi/{name}@{metadata.version(name)}" for name in
                      ("jinja2", "pyyaml", "llama-cpp-python", "sqlcipher3", "keyring")}
    assert by_name["Jinja2"]["licenses"]
    assert "pkg:pypi/trellis" not in " ".join(python)  # the application is the BOM's subject
    assert by_name["llama.cpp"]["licenses"] == [{"expression": "MIT"}]
    llama = {(p["name"], p["value"]) for p in by_name["llama.cpp"]["properties"]}
    files = ["_internal/llama_cpp/lib/libggml.so", "_internal/llama_cpp/lib/libllama.so"]
    assert llama == {("trellis:file", name) for name in files} | {
        ("trellis:sha256", f"{name} {sbom._sha256(bundle / name)}") for name in files}
    assert by_name["SQLCipher"]["version"].startswith("4.")
    assert by_name["Qt"]["version"].startswith("6.")
    assert by_name["CPython"]["version"].startswith("3.11")
    model = by_name[load_catalog()[0].name]
    assert model["type"] == "machine-learning-model"
    assert model["hashes"][0]["content"] == sbom._sha256(
        bundle / "_internal" / "models" / load_catalog()[0].file)
    assert by_name["libunowned.so.7"]["version"] == "7"
    assert document["dependencies"][0]["ref"] == "trellis"


@pytest.mark.skipif(not SBOM_FILE.is_file(), reason="no SBOM in dist/; run `make bundle` first")
def test_sbom_of_the_built_bundle():
    components = assert_cyclonedx_shape(json.loads(SBOM_FILE.read_text()))
    purls = {c.get("purl", "").split("@")[0] for c in components}
    assert {"pkg:pypi/sqlcipher3", "pkg:pypi/llama-cpp-python", "pkg:pypi/pyside6-essentials",
            "pkg:pypi/cryptography", "pkg:pypi/jinja2", "pkg:pypi/keyring"} <= purls
    assert not {"pkg:pypi/pyinstaller", "pkg:pypi/pytest", "pkg:pypi/pip",
                "pkg:pypi/requests"} & purls
    names = {c["name"] for c in components}
    assert {"llama.cpp", "SQLCipher", "Qt", "CPython"} <= names
    default = load_catalog()[0]
    model = next(c for c in components if c["type"] == "machine-learning-model")
    assert model["hashes"] == [{"alg": "SHA-256", "content": default.sha256}]
    assert model["licenses"] == [{"expression": default.licence}]
