"""``trellis`` under a managed policy, in a child process like the ``cli`` fixture.

The child reads a policy.json written by the test: ``app.policy.LINUX_POLICY_FILE``
is pointed at it before ``app.cli.main`` runs (there is deliberately no
environment variable for this, so a user cannot point Trellis at a policy of
their own).
"""

import json
import os
import subprocess
import sys

import pytest

from app.llm.catalog import load_catalog

from conftest import REPO, run_cli

DEFAULT_SHA = load_catalog()[0].sha256
CHILD = ("import sys; from pathlib import Path; import app.policy as p; "
         "p.LINUX_POLICY_FILE = Path(sys.argv[1]); from app.cli import main; sys.exit(main(sys.argv[2:]))")


@pytest.fixture
def managed(tmp_path):
    """Run ``trellis ARGS`` under the policy ``document``."""
    path = tmp_path / "policy.json"

    def run(document, *args: str) -> subprocess.CompletedProcess:
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return subprocess.run([sys.executable, "-c", CHILD, str(path), *args], cwd=REPO,
                              env=dict(os.environ), capture_output=True, text=True, timeout=120)
    run.path = path
    return run


@pytest.fixture
def with_a_note(store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.close()


def test_trellis_policy_prints_each_key_with_its_source(managed):
    result = managed({"DisableExport": True, "MaxThreads": 2, "AllowedModels": [DEFAULT_SHA],
                      "Bogus": 1}, "policy")
    assert result.returncode == 0, result.stderr
    where = str(managed.path)
    assert f"DisableExport = true  ({where})" in result.stdout
    assert f"MaxThreads = 2  ({where})" in result.stdout
    assert f"AllowedModels = {DEFAULT_SHA}  ({where})" in result.stdout
    assert f"problem: {where}: unknown policy key 'Bogus'" in result.stdout
    shown = json.loads(managed({"IdleLockMinutes": 5}, "policy", "--json").stdout)
    assert shown == {"values": {"IdleLockMinutes": 5}, "sources": {"IdleLockMinutes": where},
                     "problems": []}
    assert "No policy is set" in run_cli("policy").stdout


def test_settings_show_sources_and_a_locked_key_cannot_be_set(managed, data_home):
    policy = {"IdleLockMinutes": 5, "MaxThreads": 2}
    assert managed(policy, "settings", "threads", "1").returncode == 0
    shown = managed(policy, "settings").stdout
    assert "idle_lock_minutes  5" in shown
    assert f"(policy {managed.path}) (locked by your organisation)" in shown
    assert "(your settings) — at most 2, set by your organisation" in shown
    before = (data_home / "settings.json").read_bytes()
    refused = managed(policy, "settings", "idle_lock_minutes", "30")
    assert refused.returncode == 1
    assert refused.stderr == (f"trellis: idle_lock_minutes is set by your organisation to 5 "
                              f"(IdleLockMinutes in {managed.path}); nothing was changed.\n")
    capped = managed(policy, "settings", "threads", "3")
    assert capped.returncode == 1 and "threads can be at most 2" in capped.stderr
    assert (data_home / "settings.json").read_bytes() == before
    as_json = json.loads(managed(policy, "settings", "--json").stdout)
    assert as_json["idle_lock_minutes"] == {"value": 5, "source": f"policy {managed.path}",
                                            "locked": True, "note": ""}


def test_disable_export_refuses_every_export_and_writes_nothing(managed, with_a_note, tmp_path):
    policy = {"DisableExport": True}
    sentence = f"trellis: Export is turned off by your organisation (DisableExport in {managed.path}).\n"
    for args in (("export", str(tmp_path / "all.json")), ("export", "-"),
                 ("draft", "export", "d-1", "-o", str(tmp_path / "d.md")),
                 ("draft", "review", "Ana", "-o", str(tmp_path / "r.md")),
                 ("draft", "plan", "Ana", "-o", str(tmp_path / "p.md")),
                 ("agenda", "Ana", "--export", str(tmp_path / "a.md")),
                 ("agenda", "Ana", "--export", "-")):
        result = managed(policy, *args)
        assert (result.returncode, result.stderr, result.stdout) == (1, sentence, ""), args
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".json", ".md")) == ["policy.json"]
    backup = managed(policy, "backup", str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr                 # backups stay allowed
    assert managed({}, "export", str(tmp_path / "all.json")).returncode == 0


def test_disable_model_import_refuses_models_add(managed, tmp_path, data_home):
    result = managed({"DisableModelImport": True}, "models", "add", str(tmp_path / "x.gguf"))
    assert result.returncode == 1
    assert "Adding models is turned off by your organisation (DisableModelImport in" in result.stderr
    assert not (data_home / "models").exists()


def test_doctor_lists_the_policy_and_fails_on_its_problems(managed, tmp_path):
    good = managed({"DisableExport": True, "AllowedModels": [DEFAULT_SHA], "DataDir": str(tmp_path / "d")},
                   "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(good.stdout)["checks"]}
    assert good.returncode == 0, good.stdout
    assert checks["policy"]["status"] == "ok"
    assert f"DisableExport=true ({managed.path})" in checks["policy"]["detail"]
    assert f"DataDir={tmp_path / 'd'}" in checks["policy"]["detail"]
    assert f"chosen by policy {managed.path}" in checks["data"]["detail"]
    assert "is allowed by your organisation" in checks["model choice"]["detail"]
    bad = managed("{broken", "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(bad.stdout)["checks"]}
    assert bad.returncode == 1
    assert checks["policy"]["status"] == "failed" and "is not valid JSON" in checks["policy"]["detail"]
    nothing = managed({"AllowedModels": ["ab" * 32]}, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(nothing.stdout)["checks"]}
    assert checks["model choice"]["status"] == "failed"
    assert "is not allowed by your organisation" in checks["model choice"]["detail"]


def test_require_passphrase_with_a_passphrase_store_passes(managed, with_a_note):
    result = managed({"RequirePassphrase": True}, "people")
    assert result.returncode == 0 and "Ana Ruiz" in result.stdout and result.stderr == ""
    refused = managed({"RequirePassphrase": True}, "passphrase", "keychain")
    assert refused.returncode == 1 and "requires a passphrase" in refused.stderr
