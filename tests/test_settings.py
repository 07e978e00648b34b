"""Settings: checked on the way in and on the way back, and used to pick the engine."""

import json

import pytest

from app.errors import InvalidInput, NotFound
from app.llm.catalog import load_catalog
from app.llm.selection import chosen_model, engine_for
from app.settings import Settings, load_settings, save_settings, with_value


def test_defaults_when_nothing_was_saved(data_home):
    assert load_settings(data_home) == Settings()


def test_values_round_trip(data_home):
    settings = with_value(with_value(Settings(), "threads", "3"), "context_cap", 4096)
    save_settings(settings, data_home)
    assert load_settings(data_home) == Settings(threads=3, context_cap=4096)


@pytest.mark.parametrize("key, value, message", [
    ("threads", "0", "threads must be a whole number from 1 to 256"),
    ("threads", "two", "got 'two'"),
    ("context_cap", "100", "from 512 to 131072"),
    ("idle_lock_minutes", True, "idle_lock_minutes must be"),
    ("colour", "blue", "unknown setting 'colour'"),
])
def test_bad_values_are_refused_with_the_reason(key, value, message):
    with pytest.raises(InvalidInput, match=message):
        with_value(Settings(), key, value)


def test_a_damaged_settings_file_names_the_file_and_field(data_home):
    data_home.mkdir(parents=True)
    (data_home / "settings.json").write_text(json.dumps({"threads": -4}))
    with pytest.raises(InvalidInput, match=r"settings.json: threads must be"):
        load_settings(data_home)
    (data_home / "settings.json").write_text("{nope")
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_settings(data_home)


def test_the_default_model_is_chosen_unless_another_is_named(data_home):
    assert chosen_model(Settings(), data_home).name == load_catalog()[0].name
    with pytest.raises(NotFound, match="No installed model is called 'llama-70b'"):
        chosen_model(Settings(model="llama-70b"), data_home)


def test_engine_takes_threads_and_context_cap_from_settings(data_home):
    engine = engine_for(Settings(threads=1, context_cap=1024), data_home)
    engine.load()
    try:
        assert (engine.threads, engine.context_length) == (1, 1024)
        assert engine.model_sha256 == load_catalog()[0].sha256
    finally:
        engine.close()


def test_cli_shows_and_changes_settings(cli):
    result = cli("settings", "threads", "2")
    assert result.returncode == 0, result.stderr
    shown = json.loads(cli("settings", "--json").stdout)
    assert shown["threads"] == {"value": 2, "source": "your settings", "locked": False, "note": ""}
    assert shown["model"]["value"] is None and shown["model"]["source"] == "default"
    assert shown["data_dir"]["source"] == "TRELLIS_HOME"
    bad = cli("settings", "threads", "lots")
    assert bad.returncode == 1 and "threads must be a whole number" in bad.stderr
