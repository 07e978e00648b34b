"""A sentence left out as private can be let in by the manager, one sentence at a time
(issue 17, item 1): then, and only then, it reaches drafts, prompts and topics; editing the
sentence or leaving it out again takes it back out."""

import json

import pytest

from app.errors import InvalidInput, NotFound
from app.llm.prompts import PromptLibrary
from app.reviews.reading import shareable_text
from app.reviews.review_draft import draft_review
from app.reviews.sensitive import include, leave_out, left_out, sensitive_sentences
from conftest import copying_engine

WORK = "Ana closed the payroll audit two weeks early."
PRIVATE = "She worked reduced hours after her knee surgery, agreed with HR."
LATER = "She also ran the quarterly access review."



@pytest.fixture
def audit(team):
    store, ana, _ = team
    note = store.notes.add(person_id=ana.id, date="2026-03-02", kind="praise",
                           text=f"{WORK} {PRIVATE} {LATER}", competencies=["c-delivery"])
    return store, note


def draft_words(store, engine=None):
    engine = engine or copying_engine()
    body = draft_review(store, engine, PromptLibrary(), "p-ana", "2026-03-01", "2026-03-31")
    text = " ".join(s.text for section in body.sections for s in section.statements)
    prompts = " ".join(m.content for r in engine.requests for m in r.messages)
    return body, text, prompts


def test_a_private_sentence_is_listed_by_number_and_kind(audit):
    _, note = audit
    [found] = sensitive_sentences(note)
    assert (found.number, found.text, found.category, found.included) == (2, PRIVATE, "health", False)
    assert left_out(note) == [found]


def test_left_out_until_included_then_in_the_draft_and_the_prompts(audit):
    store, note = audit
    body, text, prompts = draft_words(store)
    assert "surgery" not in text and "surgery" not in prompts
    [entry] = [e for e in body.excluded if e["id"] == note.id]
    assert entry["reason"].startswith("Left out: health.") and entry["sentences"] == [2]

    chosen = include(store, note.id, 2)
    assert chosen.included and store.notes.get(note.id).included == (PRIVATE,)
    assert shareable_text(store.notes.get(note.id)) == note.text  # topics and agendas may see it
    body, text, prompts = draft_words(store)
    assert "surgery" in text
    assert not [e for e in body.excluded if e["id"] == note.id]

    leave_out(store, note.id, 2)
    body, text, prompts = draft_words(store)
    assert "surgery" not in text and "surgery" not in prompts
    assert store.notes.get(note.id).included == ()


def test_only_the_chosen_sentence_is_let_in(team):
    store, ana, _ = team
    note = store.notes.add(person_id=ana.id, date="2026-03-02", kind="observation",
                           text=f"{WORK} Her divorce is being finalised. {PRIVATE}")
    include(store, note.id, 3)
    shared = shareable_text(store.notes.get(note.id))
    assert "surgery" in shared and "divorce" not in shared
    assert [(s.number, s.included) for s in sensitive_sentences(store.notes.get(note.id))] == [
        (2, False), (3, True)]


def test_editing_the_sentence_leaves_it_out_again_and_forgets_the_old_words(audit):
    store, note = audit
    include(store, note.id, 2)
    store.notes.update(note.id, text=f"{WORK} She had knee surgery in March. {LATER}")
    edited = store.notes.get(note.id)
    assert edited.included == ()
    assert "surgery" not in shareable_text(edited)
    assert store.db.execute("SELECT count(*) FROM included_sentences").fetchone()[0] == 0


def test_an_edit_elsewhere_in_the_note_keeps_the_choice(audit):
    store, note = audit
    include(store, note.id, 2)
    store.notes.update(note.id, text=f"{WORK} {PRIVATE} She also ran the access review.")
    assert store.notes.get(note.id).included == (PRIVATE,)


def test_bad_choices_say_what_is_wrong_and_change_nothing(team, audit):
    store, note = audit
    with pytest.raises(InvalidInput, match="Sentence 1 of note .* the sentences it leaves out are number 2"):
        include(store, note.id, 1)
    with pytest.raises(NotFound):
        include(store, "n-missing", 2)
    plain = store.notes.add(person_id="p-ana", date="2026-03-03", text=WORK)
    with pytest.raises(InvalidInput, match="has no sentence that Trellis leaves out"):
        include(store, plain.id, 1)
    personal = store.notes.add(person_id="p-ana", date="2026-03-04", kind="personal",
                               text="Her knee surgery went well.")
    with pytest.raises(InvalidInput, match="personal note: all of it stays out"):
        include(store, personal.id, 1)
    assert store.db.execute("SELECT count(*) FROM included_sentences").fetchone()[0] == 0


def test_trashing_and_purging_the_note_takes_the_choice_with_it(audit):
    store, note = audit
    include(store, note.id, 2)
    store.notes.trash(note.id)
    store.notes.purge(note.id)
    assert store.db.execute("SELECT count(*) FROM included_sentences").fetchone()[0] == 0


# --- the command line ------------------------------------------------------------------------

def test_the_cli_lists_what_it_left_out_and_includes_by_number(run, data_home):
    assert run("person", "add", "Ana Ruiz").returncode == 0
    added = run("note", "add", "Ana Ruiz", f"{WORK} {PRIVATE}", "--date", "2026-03-02",
                "--kind", "praise", "--json")
    note_id = json.loads(added.stdout)["id"]
    drafted = run("draft", "review", "Ana Ruiz", "--from", "2026-03-01", "--to", "2026-03-31")
    assert drafted.returncode == 0, drafted.stderr
    assert "surgery" not in drafted.stdout  # the Markdown; what the checks found is on stderr
    assert (f"Left out: health (note {note_id}, sentence 2). To use it on purpose: "
            f"trellis note include {note_id} 2") in drafted.stderr

    wrong = run("note", "include", note_id, "1")
    assert wrong.returncode != 0 and "the sentences it leaves out are number 2" in wrong.stderr
    done = run("note", "include", note_id, "2")
    assert done.returncode == 0, done.stderr
    assert "Included sentence 2 of note" in done.stdout and "(health)" in done.stdout
    from app.store import Store
    from conftest import FAST_KDF, PASSPHRASE
    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        assert store.notes.get(note_id).included == (PRIVATE,)

    back = run("note", "leave-out", note_id, "2", "--json")
    assert json.loads(back.stdout)["included"] is False


def test_the_choice_travels_in_an_export_and_comes_back_on_import(audit, tmp_path):
    """A team moved to a new laptop keeps what the manager let in, and nothing more."""
    from app.exchange import export_document, import_document
    from app.store import Store
    from conftest import FAST_KDF, PASSPHRASE
    store, note = audit
    include(store, note.id, 2)
    doc = export_document(store)
    [exported] = [n for n in doc["notes"] if n["id"] == note.id]
    assert exported["included"] == [PRIVATE]
    with Store.open(tmp_path / "laptop", passphrase=PASSPHRASE, kdf=FAST_KDF) as moved:
        import_document(moved, doc)
        assert moved.notes.get(note.id).included == (PRIVATE,)
        assert export_document(moved) == doc
        _, text, _ = draft_words(moved)
        assert "surgery" in text


@pytest.mark.parametrize("included, kind, problem", [
    (["She took the train to Lisbon."], "praise", "is not a sentence of the note's text"),
    ([PRIVATE], "personal", "a personal note stays out of reviews as a whole"),
    ([PRIVATE, PRIVATE], "praise", "lists the same sentence twice"),
    ("surgery", "praise", "expected a list of sentences"),
    ([""], "praise", "expected a list of sentences"),
])
def test_an_included_sentence_the_note_cannot_hold_is_refused_by_name(team, included, kind, problem):
    from app.exchange import ImportRejected, export_document, import_document
    store, ana, _ = team
    before = export_document(store)
    doc = {"format": "trellis/v1", "notes": [
        {"id": "n-moved", "person": ana.id, "date": "2026-03-02", "kind": kind,
         "text": f"{WORK} {PRIVATE}", "included": included}]}
    with pytest.raises(ImportRejected) as caught:
        import_document(store, doc)
    assert any(line.startswith("notes[0] (id 'n-moved'), field 'included'") and problem in line
               for line in caught.value.problems), caught.value.problems
    assert export_document(store) == before
