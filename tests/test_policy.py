"""Managed policy without Qt: the three sources, checking, precedence and what each key does."""

import json
import plistlib
from pathlib import Path

import pytest

from app import policy as policies
from app.errors import NotFound, PassphraseRequired
from app.llm.catalog import load_catalog
from app.llm.registry import add_model, installed_models
from app.llm.selection import chosen_model, engine_for, model_choice_note
from app import paths
from app.policy import REG_DWORD, REG_MULTI_SZ, REG_SZ, Policy, PolicyRefusal
from app.settings import (Settings, effective_idle_lock_minutes, effective_threads,
                          refuse_if_locked, save_settings)
from app.settings_view import effective_settings
from app.store import Store, keys

from conftest import FAST_KDF, PASSPHRASE
from test_gguf import tiny_model

DEFAULT_SHA = load_catalog()[0].sha256
OTHER_SHA = "ab" * 32


def use(monkeypatch, **values) -> Policy:
    """Make ``current_policy()`` return a policy from one test source."""
    policy = policies.policy_from_mapping(values, "test policy")
    monkeypatch.setattr(policies, "current_policy", lambda: policy)
    return policy


# --- sources -------------------------------------------------------------------------

def test_no_file_means_no_policy_and_no_problem(policy_file):
    policy = policies.current_policy()
    assert policy == Policy() and not policy.locked("DisableExport")
    assert (policy.disable_export, policy.allowed_models, policy.data_dir) == (False, None, None)


def test_the_linux_file_is_read_checked_and_attributed(policy_file):
    path = policy_file({"DisableExport": True, "IdleLockMinutes": 5, "MaxThreads": 2,
                        "AllowedModels": [DEFAULT_SHA.upper()], "DataDir": "/srv/trellis",
                        "RequirePassphrase": False, "DisableModelImport": True})
    policy = policies.current_policy()
    assert policy.problems == ()
    assert policy.values == {"DisableExport": True, "IdleLockMinutes": 5, "MaxThreads": 2,
                             "AllowedModels": (DEFAULT_SHA,), "DataDir": Path("/srv/trellis"),
                             "RequirePassphrase": False, "DisableModelImport": True}
    assert set(policy.sources.values()) == {str(path)}
    assert policy.locked("RequirePassphrase") and not policy.require_passphrase
    assert policy.describe()["values"]["DataDir"] == "/srv/trellis"


def test_unknown_keys_and_wrong_types_are_reported_and_fail_closed(policy_file):
    path = policy_file({"DisableExport": "maybe", "IdleLockMinutes": 2000, "MaxThreads": True,
                        "AllowedModels": ["not-a-hash"], "DataDir": "relative/dir",
                        "Colour": "blue", "DisableModelImport": True})
    policy = policies.current_policy()
    # A restriction IT wrote but mistyped is applied at its most restrictive, never dropped.
    assert policy.values == {"DisableModelImport": True, "DisableExport": True,
                             "IdleLockMinutes": 1, "MaxThreads": 1, "AllowedModels": ()}
    assert len(policy.problems) == 6
    for key in ("DisableExport", "IdleLockMinutes", "MaxThreads", "AllowedModels", "DataDir", "'Colour'"):
        assert any(problem.startswith(f"{path}: ") and key in problem for problem in policy.problems), key
    assert "must be true or false, got 'maybe'" in " ".join(policy.problems)
    assert "from 0 to 1440, got 2000" in " ".join(policy.problems)
    assert "most restrictive value" in " ".join(policy.problems)


@pytest.mark.parametrize("text", ['"true"', '"TRUE"', '"yes"', "1"])
def test_true_written_as_text_or_a_number_is_true(policy_file, text):
    policy_file('{"DisableExport": %s}' % text)
    assert policies.current_policy().disable_export and not policies.current_policy().problems


def test_a_byte_order_mark_does_not_lose_the_policy(policy_file):
    path = policy_file("")
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"DisableExport": True}).encode())
    policies.forget_policy()
    assert policies.current_policy().disable_export and not policies.current_policy().problems


@pytest.mark.parametrize("text, words", [
    ("{not json", "is not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    (b"\xff\xfe", "cannot be read"),
    ('{"DisableExport": false, "DisableExport": true}', "has the key 'DisableExport' twice"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_a_policy_file_that_cannot_be_read_applies_every_restriction_loudly(policy_file, text, words):
    path = policy_file("")
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    policies.forget_policy()
    policy = policies.current_policy()
    assert policy.values == policies.FAIL_CLOSED and len(policy.problems) == 1
    assert str(path) in policy.problems[0] and words in policy.problems[0]
    assert "every restriction" in policy.problems[0]
    assert policy.disable_export and policy.disable_model_import and policy.require_passphrase


def test_the_policy_is_read_once_per_process(policy_file):
    path = policy_file({"DisableExport": True})
    assert policies.current_policy().disable_export
    path.write_text(json.dumps({"DisableExport": False}))
    assert policies.current_policy().disable_export            # cached
    policies.forget_policy()
    assert not policies.current_policy().disable_export


def test_registry_values_are_converted_by_type():
    policy = policies.registry_values([
        ("DisableExport", 1, REG_DWORD), ("RequirePassphrase", 0, REG_DWORD),
        ("IdleLockMinutes", 15, REG_DWORD), ("MaxThreads", 4, REG_DWORD),
        ("DataDir", "D:\\Trellis", REG_SZ), ("AllowedModels", [DEFAULT_SHA, OTHER_SHA, ""], REG_MULTI_SZ),
        ("DisableModelImport", 2, REG_DWORD), ("Mystery", b"\x00", 3)])
    source = "HKLM\\Software\\Policies\\Trellis"
    assert policy.values["DisableExport"] is True and policy.values["RequirePassphrase"] is False
    assert (policy.idle_lock_minutes, policy.max_threads) == (15, 4)
    assert policy.allowed_models == (DEFAULT_SHA, OTHER_SHA)
    assert set(policy.sources.values()) == {source}
    problems = [p for p in policy.problems if "DataDir" not in p]
    assert [p.split(":")[0] for p in problems] == [source, source]
    assert "Mystery has registry type 3" in problems[0]
    assert "DisableModelImport must be true or false, got 2" in problems[1]
    # A path that is absolute on Windows is not on Linux; where it is checked decides.
    assert ("DataDir" in policy.values) == Path("D:\\Trellis").is_absolute()


def test_the_macos_plists_are_read_and_the_users_wins(tmp_path, monkeypatch):
    managed = tmp_path / "Managed Preferences"
    (managed / "ana").mkdir(parents=True)
    machine = managed / "app.trellis.Trellis.plist"
    machine.write_bytes(plistlib.dumps({"DisableExport": True, "IdleLockMinutes": 30,
                                        "AllowedModels": [DEFAULT_SHA]}))
    user = managed / "ana" / "app.trellis.Trellis.plist"
    user.write_bytes(plistlib.dumps({"IdleLockMinutes": 5, "Extra": 1}, fmt=plistlib.FMT_BINARY))
    monkeypatch.setattr(policies, "MAC_MANAGED_DIR", managed)
    monkeypatch.setenv("USER", "ana")
    policy = policies.read_platform_policy("darwin")
    assert policy.values == {"DisableExport": True, "IdleLockMinutes": 5, "AllowedModels": (DEFAULT_SHA,)}
    assert policy.sources == {"DisableExport": str(machine), "IdleLockMinutes": str(user),
                              "AllowedModels": str(machine)}
    assert policy.problems == (f"{user}: unknown policy key 'Extra' is ignored (known keys: "
                               + ", ".join(policies.POLICY_KEYS) + ").",)
    user.write_text("not a plist")
    broken = policies.read_platform_policy("darwin")  # the user's file is unreadable: it restricts all
    assert broken.idle_lock_minutes == 1 and broken.disable_export
    assert "cannot be read" in broken.problems[0] and "every restriction" in broken.problems[0]


# --- effective settings ----------------------------------------------------------------

def test_defaults_then_your_settings_then_policy(monkeypatch, data_home):
    save_settings(Settings(threads=8, idle_lock_minutes=0), data_home)
    shown = effective_settings(data_home, policy=Policy())
    assert (shown["threads"].value, shown["threads"].source) == (8, "your settings")
    assert (shown["context_cap"].value, shown["context_cap"].source) == (8192, "default")
    assert (shown["data_dir"].value, shown["data_dir"].source) == (data_home, "TRELLIS_HOME")
    use(monkeypatch, IdleLockMinutes=3, MaxThreads=2)
    shown = effective_settings(data_home)
    idle, threads = shown["idle_lock_minutes"], shown["threads"]
    assert (idle.value, idle.source, idle.locked) == (3, "policy test policy", True)
    assert (threads.value, threads.source, threads.locked) == (2, "policy test policy", False)
    assert threads.note == "at most 2, set by your organisation"
    assert effective_threads(Settings(threads=8)) == 2 and effective_threads(Settings(threads=1)) == 1
    assert effective_idle_lock_minutes(0) == 3
    assert effective_settings(data_home)["idle_lock_minutes"].as_dict()["locked"] is True


def test_a_locked_or_capped_value_cannot_be_set(monkeypatch, data_home):
    use(monkeypatch, IdleLockMinutes=3, MaxThreads=2, AllowedModels=[OTHER_SHA])
    with pytest.raises(PolicyRefusal, match=r"idle_lock_minutes is set by your organisation to 3 "
                                            r"\(IdleLockMinutes in test policy\)"):
        refuse_if_locked("idle_lock_minutes", 10)
    with pytest.raises(PolicyRefusal, match="threads can be at most 2"):
        refuse_if_locked("threads", 3)
    refuse_if_locked("threads", 2)
    refuse_if_locked("context_cap", 4096)
    with pytest.raises(PolicyRefusal, match="is not allowed by your organisation"):
        refuse_if_locked("model", load_catalog()[0].name)


def test_data_dir_from_policy_wins_over_trellis_home(monkeypatch, tmp_path, data_home):
    assert paths.data_home() == data_home and paths.data_home_source() == "TRELLIS_HOME"
    use(monkeypatch, DataDir=str(tmp_path / "managed"))
    assert paths.data_home() == tmp_path / "managed"
    assert paths.data_home_source() == "policy test policy"
    with Store.open(passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        assert store.home == tmp_path / "managed"
    assert (tmp_path / "managed" / "key.json").exists() and not data_home.exists()


# --- AllowedModels ------------------------------------------------------------------

def test_an_allowed_model_is_used_as_chosen(monkeypatch, data_home):
    use(monkeypatch, AllowedModels=[DEFAULT_SHA])
    model = chosen_model(Settings(), data_home)
    assert model.sha256 == DEFAULT_SHA and model_choice_note(Settings(), model, data_home) == ""


def test_a_chosen_model_that_is_not_allowed_gives_way_to_the_first_allowed(monkeypatch, tmp_path,
                                                                          data_home):
    tiny = add_model(tiny_model(tmp_path / "tiny.F32.gguf"), home=data_home)
    use(monkeypatch, AllowedModels=[DEFAULT_SHA])
    settings = Settings(model=tiny.name)
    save_settings(settings, data_home)
    model = chosen_model(settings, data_home)
    assert model.sha256 == DEFAULT_SHA
    assert model_choice_note(settings, model, data_home) == (
        f"'{tiny.name}' is not allowed by your organisation (AllowedModels in test policy); "
        f"'{model.name}' is used instead.")
    shown = effective_settings(data_home)["model"]
    assert (shown.value, shown.source) == (model.name, "policy test policy")


def test_no_allowed_model_installed_means_no_engine(monkeypatch, data_home):
    use(monkeypatch, AllowedModels=[OTHER_SHA])
    with pytest.raises(PolicyRefusal, match=r"sha256 b179c95.* is not allowed by your organisation "
                                            r"\(AllowedModels in test policy does not list it\)"):
        engine_for(Settings(threads=1), data_home)
    use(monkeypatch, AllowedModels=[])
    with pytest.raises(PolicyRefusal):
        chosen_model(Settings(), data_home)


def test_a_model_that_is_not_allowed_is_not_imported_and_leaves_nothing(monkeypatch, tmp_path,
                                                                       data_home):
    use(monkeypatch, AllowedModels=[DEFAULT_SHA])
    source = tiny_model(tmp_path / "tiny.F32.gguf")
    with pytest.raises(PolicyRefusal, match="'tiny.F32' .* is not allowed by your organisation"):
        add_model(source, home=data_home)
    models_dir = data_home / "models"
    assert not models_dir.exists() or sorted(p.name for p in models_dir.iterdir()) == []
    assert [m.sha256 for m in installed_models(home=data_home)] == [DEFAULT_SHA]


def test_disable_model_import_refuses_before_reading_the_file(monkeypatch, tmp_path, data_home):
    use(monkeypatch, DisableModelImport=True)
    with pytest.raises(PolicyRefusal, match=r"Adding models is turned off by your organisation "
                                            r"\(DisableModelImport in test policy\)\."):
        add_model(tmp_path / "absent.gguf", home=data_home)
    use(monkeypatch, DisableModelImport=False)
    with pytest.raises(NotFound):
        add_model(tmp_path / "absent.gguf", home=data_home)


# --- DisableExport and RequirePassphrase ------------------------------------------------

def test_refuse_export_names_the_key_and_source(monkeypatch):
    policies.refuse_export(Policy())
    use(monkeypatch, DisableExport=True)
    with pytest.raises(PolicyRefusal) as refused:
        policies.refuse_export()
    assert str(refused.value) == ("Export is turned off by your organisation "
                                  "(DisableExport in test policy).")


def test_require_passphrase_refuses_a_keychain_only_key(monkeypatch, data_home):
    use(monkeypatch, RequirePassphrase=True)
    data_home.mkdir()
    with pytest.raises(PassphraseRequired, match=r"Your organisation requires a passphrase for "
                                                 r"Trellis \(RequirePassphrase in test policy\)"):
        keys.create_key(data_home)
    assert not (data_home / "key.json").exists()
    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        with pytest.raises(PassphraseRequired, match="The key stays behind your passphrase"):
            store.move_key_to_keychain()
        assert store.key_mode == "passphrase"
    assert keys.passphrase_needed(data_home) == ""


def test_a_keychain_only_key_still_unlocks_and_is_told_to_set_a_passphrase(monkeypatch, data_home):
    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        key = store._key
    record = {"version": 1, "mode": "keychain", "account": "data-key-test"}
    keys.write_key_record(data_home, record)
    monkeypatch.setattr(keys, "_load_from_keychain", lambda rec: key if rec == record else None)
    use(monkeypatch, RequirePassphrase=True)
    assert "`trellis passphrase set`" in keys.passphrase_needed(data_home)
    with Store.open(data_home) as store:                      # never locked out
        assert store.people.get("p-ana").name == "Ana Ruiz"
        store.change_passphrase("a new long passphrase")
    assert keys.passphrase_needed(data_home) == ""
    with Store.open(data_home, passphrase="a new long passphrase") as store:
        assert store.people.get("p-ana").name == "Ana Ruiz"


def test_a_review_export_is_refused_in_the_core_when_export_is_off(monkeypatch, tmp_path):
    from app.reviews.export import export_body
    monkeypatch.setattr(policies, "current_policy", lambda: policies.Policy(
        {"DisableExport": True}, {"DisableExport": "/etc/trellis/policy.json"}))
    for name in ("draft.md", "draft.docx", "draft.pdf"):     # the window's exports all come here
        with pytest.raises(policies.PolicyRefusal, match="Export is turned off by your organisation"):
            export_body(None, tmp_path / name)                # refused before the draft is read
    assert list(tmp_path.iterdir()) == []
