"""Adding, listing, verifying and removing models, on real files in a private data dir.

The models added are tiny llama-architecture GGUF files written by the test
(``test_gguf.tiny_model``): the registry's reader accepts them; llama.cpp
never sees them. The shipped default model in ``models/`` is listed but
never copied or changed.
"""

import hashlib
import json
import shutil

import pytest

from app.errors import InvalidInput, NotFound, TrellisError
from app.llm import registry
from app.llm.catalog import CatalogEntry, load_catalog, user_models_dir
from app.llm.gguf import BadModelFile, ModelTooLarge
from app.llm.registry import (AlreadyInstalled, CatalogMismatch, add_model, check_hash,
                              installed_models, read_records, remove_model, resolve_model)
from test_gguf import DEFAULT_MODEL, tiny_model

DEFAULT_NAME = load_catalog()[0].name


@pytest.fixture
def tiny(tmp_path):
    """A 2.6 MB valid GGUF (three copy chunks) outside the data dir."""
    (tmp_path / "incoming").mkdir()
    return tiny_model(tmp_path / "incoming" / "tiny-llama.F32.gguf", extra_rows=2500)


def leftovers(data_home) -> list[str]:
    folder = user_models_dir(data_home)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_add_list_verify_remove_round_trip(tiny, data_home):
    calls = []
    model = add_model(tiny, progress=lambda done, total: calls.append((done, total)))
    size = tiny.stat().st_size
    assert len(calls) == 3 and calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert (model.name, model.file, model.origin, model.removable) == \
        ("tiny-llama.F32", "tiny-llama.F32.gguf", "added", True)
    assert model.sha256 == hashlib.sha256(tiny.read_bytes()).hexdigest()
    assert (user_models_dir(data_home) / model.file).read_bytes() == tiny.read_bytes()

    [record] = read_records(data_home)
    assert (record.sha256, record.size_bytes, record.architecture) == (model.sha256, size, "llama")
    assert (record.quantisation, record.context_length, record.parameter_count) == ("F32", 2048, 640264)
    assert record.ram_mb > 256 and record.added_at.endswith("+00:00")

    listed = installed_models()
    assert [m.name for m in listed] == [DEFAULT_NAME, "tiny-llama.F32"]
    assert listed[0].is_default and not listed[0].removable
    assert [(m.verified, m.verified_by) for m in listed] == [(True, "size")] * 2
    assert [(m.verified, m.verified_by) for m in installed_models(verify=True)] == [(True, "sha256")] * 2

    assert remove_model("TINY-LLAMA.F32").file == "tiny-llama.F32.gguf"
    assert [m.name for m in installed_models()] == [DEFAULT_NAME]
    assert read_records(data_home) == []
    assert leftovers(data_home) == ["models.json"]
    assert tiny.exists()        # the original is never touched


def test_a_name_can_be_chosen(tiny):
    model = add_model(tiny, name="  Tiny   for tests ")
    assert model.name == "Tiny for tests"
    assert resolve_model("tiny for tests") == resolve_model("tiny-llama.F32.gguf") == model


def test_a_bad_file_is_refused_before_anything_is_copied(tmp_path, data_home):
    text = tmp_path / "notes.gguf"
    text.write_text("1:1 with Ana: career goals\n")
    with pytest.raises(BadModelFile, match="not a GGUF"):
        add_model(text)
    gpt2 = tiny_model(tmp_path / "gpt2.gguf", arch="gpt2")
    with pytest.raises(BadModelFile, match="'gpt2' architecture"):
        add_model(gpt2)
    with pytest.raises(NotFound, match="no model file"):
        add_model(tmp_path / "absent.gguf")
    assert leftovers(data_home) == []


def test_a_model_larger_than_this_machine_is_refused(tmp_path, data_home):
    huge = tiny_model(tmp_path / "huge.gguf", layers=100_000, embedding=8192, heads=64, kv_heads=64)
    with pytest.raises(ModelTooLarge, match=r"GB of memory .* this machine has .* GB in all"):
        add_model(huge)
    assert leftovers(data_home) == []


def test_adding_the_same_file_twice_says_it_is_installed(tiny, tmp_path, data_home):
    add_model(tiny)
    with pytest.raises(AlreadyInstalled, match="already installed"):
        add_model(tiny)
    twin = tmp_path / "twin.gguf"
    shutil.copyfile(tiny, twin)            # same bytes under another name: found by hash
    with pytest.raises(AlreadyInstalled, match="already installed as 'tiny-llama.F32'"):
        add_model(twin)
    assert leftovers(data_home) == ["models.json", "tiny-llama.F32.gguf"]


def test_the_default_model_is_already_installed(data_home):
    with pytest.raises(AlreadyInstalled, match="already installed"):
        add_model(DEFAULT_MODEL)


def test_a_file_named_like_the_catalog_model_but_different_is_refused(tmp_path, data_home):
    impostor = tiny_model(tmp_path / DEFAULT_MODEL.name)
    with pytest.raises(CatalogMismatch, match="does not match the catalog"):
        add_model(impostor)
    assert leftovers(data_home) == []


def test_a_catalog_hash_mismatch_is_found_after_the_copy_and_leaves_nothing(
        tiny, data_home, monkeypatch):
    size = tiny.stat().st_size
    entry = CatalogEntry(name="Tiny catalog model", file=tiny.name, sha256="0" * 64,
                         size_bytes=size, licence="test", context_length=2048, ram_mb=300,
                         quantisation="F32", source={})
    monkeypatch.setattr(registry, "read_catalog", lambda: load_catalog() + [entry])
    with pytest.raises(CatalogMismatch, match="does not match the catalog .*sha256"):
        add_model(tiny)
    assert leftovers(data_home) == []
    right = CatalogEntry(**{**entry.__dict__, "sha256": hashlib.sha256(tiny.read_bytes()).hexdigest()})
    monkeypatch.setattr(registry, "read_catalog", lambda: load_catalog() + [right])
    model = add_model(tiny, name="ignored: the catalog names it")
    assert (model.name, model.origin, model.removable) == ("Tiny catalog model", "catalog", True)
    remove_model("Tiny catalog model")
    assert leftovers(data_home) == ["models.json"]


def test_an_interrupted_copy_leaves_no_temp_file(tiny, data_home):
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        add_model(tiny, progress=interrupt)
    assert leftovers(data_home) == []
    assert installed_models()[-1].name == DEFAULT_NAME


def test_the_default_model_cannot_be_removed():
    with pytest.raises(InvalidInput, match="default model shipped with Trellis; it cannot be removed"):
        remove_model(DEFAULT_NAME)
    assert DEFAULT_MODEL.is_file()


def test_unknown_names_are_not_found(tiny):
    add_model(tiny)
    with pytest.raises(NotFound, match=r"No installed model is called 'llama-70b'.*tiny-llama.F32"):
        remove_model("llama-70b")


def test_a_damaged_copy_passes_the_size_check_but_not_verify(tiny, data_home):
    model = add_model(tiny)
    with open(model.path, "r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)[0]
        handle.seek(-1, 2)
        handle.write(bytes([last ^ 0xFF]))
    assert resolve_model(model.name).verified
    assert not check_hash(resolve_model(model.name)).verified
    assert [m.verified for m in installed_models(verify=True)] == [True, False]


def test_a_missing_file_is_listed_and_can_be_removed(tiny, data_home):
    model = add_model(tiny)
    model.path.unlink()
    listed = resolve_model(model.name)
    assert (listed.path, listed.verified, listed.verified_by) == (None, False, "missing")
    remove_model(model.name)
    assert read_records(data_home) == []


def test_a_damaged_record_file_is_a_clear_error(data_home):
    user_models_dir(data_home).mkdir(parents=True)
    (user_models_dir(data_home) / "models.json").write_text("{not json")
    with pytest.raises(TrellisError, match="models.json is damaged"):
        installed_models()


def test_records_are_plain_json(tiny, data_home):
    add_model(tiny)
    document = json.loads((user_models_dir(data_home) / "models.json").read_text())
    assert set(document["models"][0]) == {"name", "file", "sha256", "size_bytes", "architecture",
                                          "quantisation", "context_length", "parameter_count",
                                          "ram_mb", "added_at"}
