"""The bundle manifest on a temporary folder laid out like a PyInstaller bundle."""

import json
import sys

import pytest

from app import manifest
from app.errors import InvalidInput


@pytest.fixture
def bundle(tmp_path):
    """A small one-folder bundle: two programs, a library with a link, data, a manifest."""
    root = tmp_path / "trellis"
    internal = root / "_internal"
    (internal / "prompts").mkdir(parents=True)
    (internal / "lib").mkdir()
    for program in ("trellis", "trellis-desktop"):
        (root / program).write_bytes(b"\x7fELF program " + program.encode())
        (root / program).chmod(0o755)
    (internal / "lib" / "libllama.so.0").write_bytes(b"library bytes")
    (internal / "lib" / "libllama.so").symlink_to("libllama.so.0")
    (internal / "prompts" / "review_sentence.md").write_text("---\nname: review\n---\nWord it.\n")
    (internal / "models").mkdir()
    (internal / "models" / "catalog.json").write_text('{"models": []}')
    manifest.write_manifest(root)
    return root


def test_manifest_lists_every_file_but_itself(bundle):
    document = json.loads(manifest.manifest_path(bundle).read_text())
    assert document["format"] == manifest.FORMAT
    assert sorted(document["files"]) == [
        "_internal/lib/libllama.so", "_internal/lib/libllama.so.0", "_internal/models/catalog.json",
        "_internal/prompts/review_sentence.md", "trellis", "trellis-desktop"]
    prompt = document["files"]["_internal/prompts/review_sentence.md"]
    assert prompt["size"] == len("---\nname: review\n---\nWord it.\n")
    assert len(prompt["sha256"]) == 64
    assert document["files"]["_internal/lib/libllama.so"] == {"link": "libllama.so.0"}


def test_untouched_bundle_verifies_with_its_count(bundle):
    report = manifest.verify_manifest(bundle)
    assert report.ok and report.checked == 6
    assert report.summary() == f"all 6 files in {bundle} match the bundle manifest"


def test_changed_file_is_named(bundle):
    target = bundle / "_internal" / "prompts" / "review_sentence.md"
    target.write_text(target.read_text().replace("Word it.", "Ignore the notes."))
    report = manifest.verify_manifest(bundle)
    assert not report.ok
    assert report.changed == ("_internal/prompts/review_sentence.md",)
    assert "changed: _internal/prompts/review_sentence.md" in report.summary()


def test_same_size_change_is_caught(bundle):
    library = bundle / "_internal" / "lib" / "libllama.so.0"
    library.write_bytes(b"LIBRARY BYTES")
    assert manifest.verify_manifest(bundle).changed == ("_internal/lib/libllama.so.0",)


def test_permissions_a_package_normalises_are_not_a_change(bundle):
    """The .deb makes libraries 0644 and programs 0755; the content is unchanged."""
    (bundle / "_internal" / "lib" / "libllama.so.0").chmod(0o644)
    (bundle / "_internal" / "models" / "catalog.json").chmod(0o600)
    assert manifest.verify_manifest(bundle).ok


def test_every_missing_file_is_named(bundle):
    (bundle / "trellis").unlink()
    (bundle / "_internal" / "models" / "catalog.json").unlink()
    report = manifest.verify_manifest(bundle)
    assert report.missing == ("_internal/models/catalog.json", "trellis")
    assert report.changed == ()
    assert "missing: _internal/models/catalog.json, trellis" in report.summary()
    assert report.summary().endswith("reinstall Trellis")


def test_retargeted_link_is_changed(bundle):
    link = bundle / "_internal" / "lib" / "libllama.so"
    link.unlink()
    link.symlink_to("/tmp/evil.so")
    assert manifest.verify_manifest(bundle).changed == ("_internal/lib/libllama.so",)


def test_extra_files_are_named(bundle):
    (bundle / "_internal" / "sitecustomize.py").write_text("import os\n")
    (bundle / "_internal" / "lib" / "libextra.so").write_bytes(b"x")
    report = manifest.verify_manifest(bundle)
    assert report.extra == ("_internal/lib/libextra.so", "_internal/sitecustomize.py")
    assert not report.ok
    assert "not in the manifest: _internal/lib/libextra.so, _internal/sitecustomize.py" \
        in report.summary()


def test_missing_manifest_is_reported_not_raised(bundle):
    manifest.manifest_path(bundle).unlink()
    report = manifest.verify_manifest(bundle)
    assert not report.ok and "is missing" in report.summary()


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],
    lambda text: "[]",
    lambda text: text.replace(manifest.FORMAT, "other/9"),
    lambda text: json.dumps({**json.loads(text), "files": ["trellis"]}),
])
def test_unreadable_or_foreign_manifest_fails(bundle, damage):
    path = manifest.manifest_path(bundle)
    path.write_text(damage(path.read_text()))
    report = manifest.verify_manifest(bundle)
    assert not report.ok and report.checked == 0
    assert str(path) in report.summary() and "reinstall Trellis" in report.summary()


def test_edited_manifest_fails_its_own_checksum(bundle):
    """A hand-edited entry (say, to hide a changed file) no longer matches the list's checksum."""
    path = manifest.manifest_path(bundle)
    document = json.loads(path.read_text())
    document["files"]["trellis"]["sha256"] = "0" * 64
    path.write_text(json.dumps(document))
    report = manifest.verify_manifest(bundle)
    assert not report.ok and "damaged" in report.summary()


def test_write_manifest_needs_a_folder(tmp_path):
    with pytest.raises(InvalidInput, match="is not a folder"):
        manifest.write_manifest(tmp_path / "no-such-bundle")


def test_doctor_checks_nothing_from_source():
    assert not getattr(sys, "frozen", False)
    assert manifest.doctor_checks() == []


def test_doctor_checks_the_running_bundle(bundle, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle / "_internal"), raising=False)
    assert manifest.doctor_checks() == [
        ("bundle files", "ok", f"all 6 files in {bundle} match the bundle manifest")]
    (bundle / "trellis").write_bytes(b"\x7fELF another program")
    name, status, detail = manifest.doctor_checks()[0]
    assert status == "failed" and "changed: trellis" in detail
