"""``trellis models``, run as a child process the way a manager or IT would run it.

Each call pays for Python's start-up only; the one real model load is
``models verify`` of the shipped default model. Every mistake ends with
``trellis: message`` and exit 1, never a traceback.
"""

import json
import sys

from app.cli import main as trellis_main
from app.llm.catalog import load_catalog, user_models_dir
from test_gguf import DEFAULT_MODEL, tiny_model

DEFAULT = load_catalog()[0]
LIST_FIELDS = {"name", "file", "path", "size_bytes", "quantisation", "context_length", "sha256",
               "verified", "verified_by", "origin", "is_default", "removable", "ram_mb"}


def succeeds(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(result, *words: str) -> str:
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr and result.stderr.startswith("trellis: ")
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


def test_list_json_has_every_field(cli):
    [model] = json.loads(succeeds(cli("models", "list", "--json")))
    assert set(model) == LIST_FIELDS
    assert (model["name"], model["file"], model["sha256"]) == (DEFAULT.name, DEFAULT.file, DEFAULT.sha256)
    assert (model["size_bytes"], model["quantisation"], model["context_length"]) == \
        (DEFAULT.size_bytes, "Q4_1", 8192)
    assert (model["verified"], model["verified_by"], model["is_default"]) == (True, "size", True)


def test_list_as_a_table_and_verified_by_hash(cli):
    table = succeeds(cli("models", "list"))
    assert "NAME" in table and "(default)" in table and "size ok" in table and "b179c9523d0e" in table
    [model] = json.loads(succeeds(cli("models", "list", "--verify", "--json")))
    assert (model["verified"], model["verified_by"]) == (True, "sha256")


def test_add_reports_progress_then_list_and_remove(cli, tmp_path, data_home):
    tiny = tiny_model(tmp_path / "tiny-llama.F32.gguf", extra_rows=4000)   # 4 MB: four chunks
    result = cli("models", "add", str(tiny), "--name", "Tiny")
    added = succeeds(result)
    percentages = [line for line in result.stderr.splitlines() if line.endswith("%") or "100%" in line]
    assert len(percentages) >= 4 and "100%; checking the copy" in percentages[-1]
    assert "Added 'Tiny': tiny-llama.F32.gguf" in added and "F32" in added

    listed = json.loads(succeeds(cli("models", "list", "--json")))
    assert [m["name"] for m in listed] == [DEFAULT.name, "Tiny"]
    assert listed[1]["path"] == str(user_models_dir(data_home) / "tiny-llama.F32.gguf")

    assert "Removed 'Tiny'" in succeeds(cli("models", "remove", "tiny"))
    assert [m["name"] for m in json.loads(succeeds(cli("models", "list", "--json")))] == [DEFAULT.name]


def test_add_json_output(cli, tmp_path):
    tiny = tiny_model(tmp_path / "small.gguf")
    model = json.loads(succeeds(cli("models", "add", str(tiny), "--json")))
    assert (model["name"], model["origin"], model["verified"]) == ("small", "added", True)


def test_mistakes_exit_1_with_a_message(cli, tmp_path):
    text = tmp_path / "review.gguf"
    text.write_text("Ana exceeded expectations.\n")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(DEFAULT_MODEL.read_bytes()[:5000])
    fails(cli("models", "add", str(tmp_path / "absent.gguf")), "There is no model file")
    fails(cli("models", "add", str(text)), "not a GGUF model file", "review.gguf")
    fails(cli("models", "add", str(cut)), "truncated", "cut.gguf")
    fails(cli("models", "remove", DEFAULT.name), "cannot be removed")
    fails(cli("models", "remove", "llama-70b"), "No installed model is called 'llama-70b'")
    fails(cli("models", "verify", "llama-70b"), "No installed model")


def test_a_refused_add_leaves_the_data_dir_clean(cli, tmp_path, data_home):
    gpt2 = tiny_model(tmp_path / "gpt2.gguf", arch="gpt2")
    fails(cli("models", "add", str(gpt2)), "'gpt2' architecture")
    folder = user_models_dir(data_home)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_verify_loads_the_default_model_and_reports_tokens_per_second(cli):
    result = cli("models", "verify", "--json")
    [report] = json.loads(succeeds(result))
    assert report["ok"] and report["name"] == DEFAULT.name
    assert report["generation"]["tokens_per_second"] > 0
    assert report["generation"]["sha256"] == DEFAULT.sha256


def test_verify_reports_a_damaged_model_without_loading_it(cli, tmp_path, data_home):
    tiny = tiny_model(tmp_path / "tiny.gguf")
    succeeds(cli("models", "add", str(tiny)))
    copy = user_models_dir(data_home) / "tiny.gguf"
    copy.write_bytes(copy.read_bytes()[:-1] + b"\x7f")
    result = cli("models", "verify", "tiny")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "FAILED  tiny:" in result.stdout and "does not match" in result.stdout


def test_verify_without_the_engine_checks_hashes_only(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "app.llm.verify", None)     # as if the module were absent
    assert trellis_main(["models", "verify"]) == 0
    out, err = capsys.readouterr()
    assert f"ok      {DEFAULT.name}: sha256 matches" in out
    assert "generation check is unavailable" in err


def test_doctor_checks_added_models_and_names_a_changed_one(cli, tmp_path, data_home):
    source = tiny_model(tmp_path / "tiny.gguf")
    succeeds(cli("models", "add", str(source), "--name", "Tiny"))
    assert "model Tiny" in succeeds(cli("doctor"))
    stored = user_models_dir(data_home) / json.loads(
        (data_home / "models" / "models.json").read_text())["models"][0]["file"]
    stored.write_bytes(stored.read_bytes()[:-1] + b"\x01")
    result = cli("doctor")
    assert result.returncode == 1
    assert "model Tiny" in result.stdout and "has changed" in result.stdout
