"""Hardening, second round (issue 17): each case failed before its fix."""

import os
import stat

from app.exchange import write_export


def test_an_export_never_follows_a_planted_temporary_file_link(team, tmp_path):
    """The writer makes its temporary file with mkstemp beside the target (O_EXCL, a random
    name), so a link planted at FILE.tmp, or at the target itself, is never written through."""
    store, *_ = team
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    target = tmp_path / "team.json"
    (tmp_path / "team.json.tmp").symlink_to(victim)
    write_export(store, target)
    assert victim.read_text() == "untouched"
    assert not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600
    linked = tmp_path / "linked.json"
    linked.symlink_to(victim)
    write_export(store, linked)  # the link is replaced by the file, its target left alone
    assert victim.read_text() == "untouched" and not linked.is_symlink()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp") and p != "team.json.tmp"]


# --- a model file is checked before every load -------------------------------------

import json  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402

from app.errors import TrellisError  # noqa: E402
from app.llm.catalog import load_catalog  # noqa: E402
from app.llm.llama_engine import LlamaEngine  # noqa: E402
from conftest import PASSPHRASE, REPO  # noqa: E402

DEFAULT = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture
def shipped_sha256():
    return next(e.sha256 for e in load_catalog() if e.file == DEFAULT.name)


def test_a_model_file_changed_after_it_was_added_is_not_loaded(tmp_path, shipped_sha256):
    copy = tmp_path / DEFAULT.name
    shutil.copyfile(DEFAULT, copy)
    engine = LlamaEngine(copy, name="default", model_sha256=shipped_sha256)
    engine.load()  # the file it claims to be
    engine.close()
    with copy.open("ab") as handle:
        handle.write(b"\0" * 64)  # changed in place, as by hand
    with pytest.raises(TrellisError, match="not the file that was added as 'default'.*did not load"):
        LlamaEngine(copy, name="default", model_sha256=shipped_sha256).load()


def test_allowed_models_is_enforced_on_what_the_file_is_not_what_models_json_says(
        tmp_path, shipped_sha256, policy_file):
    policy_file({"AllowedModels": [shipped_sha256], "DisableModelImport": True})
    impostor = tmp_path / "impostor.gguf"
    shutil.copyfile(DEFAULT, impostor)
    with impostor.open("ab") as handle:
        handle.write(b"\0" * 64)
    with pytest.raises(TrellisError, match="not the file that was added"):
        LlamaEngine(impostor, name="impostor", model_sha256=shipped_sha256).load()
    with pytest.raises(TrellisError, match="not allowed by your organisation"):
        LlamaEngine(impostor, name="impostor").load()  # no record at all: the file's own hash
    LlamaEngine(DEFAULT, name="default").load()  # the allowed file itself loads


# --- a note too long to keep ---------------------------------------------------------

def test_a_note_too_long_is_refused_with_a_sentence_and_nothing_is_saved(team, tmp_path, run):
    from app.domain.records import MAX_NOTE_CHARS
    from app.errors import InvalidInput
    from app.exchange import import_file

    store, ana, _ = team
    with pytest.raises(InvalidInput, match=r"at most 20,000 characters; this one has 5,242,880"):
        store.notes.add(person_id=ana.id, text="x" * (5 << 20))
    kept = store.notes.add(person_id=ana.id, text="y" * MAX_NOTE_CHARS)  # the limit itself is fine
    with pytest.raises(InvalidInput, match="at most 20,000"):
        store.notes.update(kept.id, text="z" * (MAX_NOTE_CHARS + 1))
    assert store.notes.get(kept.id).text == "y" * MAX_NOTE_CHARS
    document = {"format": "trellis/v1", "people": [{"id": "p-zed", "name": "Zed Ray"}],
                "notes": [{"id": "n-big", "person": "p-zed", "date": "2026-01-05",
                           "kind": "observation", "text": "w " * 3_000_000}]}
    path = tmp_path / "big-note.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InvalidInput, match=r"notes\[0\].*text.*6,000,000 characters long"):
        import_file(store, path)
    assert [p.name for p in store.people.list()] == ["Ana Ruiz", "Li Wei"]


# --- DisableExport at the command line ------------------------------------------------

def test_under_disable_export_team_data_prints_to_a_terminal_only(team, run, policy_file,
                                                                   monkeypatch):
    policy_file({"DisableExport": True})
    store, ana, _ = team
    store.notes.add(person_id=ana.id, text="Ana shipped the importer.")
    store.close()
    for command in (["notes", "Ana Ruiz"], ["notes", "Ana Ruiz", "--json"], ["people", "--json"],
                    ["search", "importer"], ["drafts", "Ana Ruiz", "--json"]):
        refused = run(*command)
        assert refused.returncode == 1, command
        assert "shows team data on a terminal only" in refused.stderr and "importer" not in refused.stdout
    import sys
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # as on a terminal
    shown = run("notes", "Ana Ruiz")
    assert shown.returncode == 0 and "Ana shipped the importer." in shown.stdout
    assert run("notes", "Ana Ruiz", "--json").returncode == 1
    assert run("policy", "--json").returncode == 0  # not team data




# --- a backup beside a process that keeps writing -------------------------------------

def test_a_backup_beside_a_writing_process_is_made_cleanly(store, data_home):
    """Row counts read after the copy once differed from the copy's when another process
    wrote meanwhile, and the backup was refused as if damaged."""
    import subprocess
    import sys
    import textwrap

    from app.store import backup as backups

    store.people.add(name="Ana Ruiz", person_id="p-ana")
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from app.store import Store
        with Store.open(Path({str(data_home)!r}), passphrase={PASSPHRASE!r}) as store:
            print("ready", flush=True)
            while True:
                store.notes.add(person_id="p-ana", text="Written while the backup runs")
    """)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        made = [store.backup() for _ in range(8)]
    finally:
        writer.kill()
        writer.wait(30)
    for path in made:
        assert backups.verify_backup(path, store._key)["people"] == 1



# --- item 13: a note too long for the model's context is named --------------------------

def test_a_draft_names_the_note_too_long_for_the_models_context(team):
    from app.llm.engine import ContextOverflow
    from app.llm.fake_engine import FakeEngine
    from app.llm.prompts import PromptLibrary
    from app.reviews.review_draft import draft_review

    store, ana, _ = team
    long_text = "Ana reworked the ledger import. " + "She documented each step of it. " * 400
    long = store.notes.add(person_id=ana.id, date="2026-03-04", kind="praise", text=long_text,
                           competencies=["c-delivery"])
    store.notes.add(person_id=ana.id, date="2026-03-20", kind="praise", competencies=["c-delivery"],
                    text="Ana shipped the invoice export a week early.")

    class SmallContext(FakeEngine):
        def stream(self, request, stop):
            if sum(len(m.content) for m in request.messages) > 4000:
                raise ContextOverflow(9000, 2048, "The prompt")
            if not self._replies:
                self.enqueue('{"sentence": ""}')
            return (yield from super().stream(request, stop))

    body = draft_review(store, SmallContext(), PromptLibrary(), ana.id, "2026-03-01", "2026-03-31")
    assert (f"The note of 2026-03-04 ({long.id}) is too long for the model's context: Trellis "
            "wrote its sentences without the model") in body.coverage.warnings
    assert "ledger import" in " ".join(s.text for s in body.statements())
    assert not [w for w in body.coverage.warnings if "invoice" in w or "too long" in w
                and long.id not in w]
