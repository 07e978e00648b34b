"""Only the manager's own tags file a note under a competency in drafts and plans (issue 18,
item 2): a model suggestion waits for the manager, and the draft says how many wait."""

import pytest

from app.llm.prompts import PromptLibrary
from app.reviews.evidence import NoEvidence, build_brief
from app.reviews.export import to_plain_text
from app.reviews.plan import draft_plan
from app.reviews.review_draft import draft_review
from conftest import copying_engine

SHA = "0" * 64



@pytest.fixture
def suggested(team):
    """Two tagged notes on Ana and one untagged, with a pending suggestion of Collaboration."""
    store, ana, _ = team
    store.notes.add(person_id=ana.id, date="2026-02-10", kind="praise", competencies=["c-delivery"],
                    text="Ana shipped the invoice export a week early.")
    store.notes.add(person_id=ana.id, date="2026-03-12", kind="concern", competencies=["c-delivery"],
                    text="Ana's estimate for the ledger rewrite slipped by three weeks.")
    waiting = store.notes.add(person_id=ana.id, date="2026-04-02", kind="praise",
                              text="Ana paired with Li on the flaky import tests and they fixed "
                                   "them together.")
    store.suggestions.save(waiting.id, ["c-collab"], model_sha256=SHA)
    return store, waiting


def filed_under(body, name):
    return [s for section in body.sections for s in section.statements if name in s.text]


def test_a_review_does_not_file_a_note_under_a_suggested_competency(suggested):
    store, waiting = suggested
    body = draft_review(store, copying_engine(), PromptLibrary(), "p-ana", "2026-01-01", "2026-06-30")
    text = to_plain_text(body)
    assert "Collaboration" not in text
    assert "flaky import tests" in text  # the note is still used, under no competency
    warnings = body.coverage.warnings
    assert ("1 note has a suggested competency waiting for you to confirm or dismiss; until then "
            "it is not filed under one in drafts and plans") in warnings
    assert "No evidence for Collaboration" in warnings  # the team's competency, not yet evidenced
    brief = build_brief(store, "p-ana", "2026-01-01", "2026-06-30")  # what the evidence panel shows
    assert any("1 note has a suggested competency waiting" in w for w in brief.coverage.warnings)


def test_once_confirmed_the_note_is_filed_and_nothing_waits(suggested):
    store, waiting = suggested
    store.suggestions.confirm(waiting.id, "c-collab")
    body = draft_review(store, copying_engine(), PromptLibrary(), "p-ana", "2026-01-01", "2026-06-30")
    assert not [w for w in body.coverage.warnings if "waiting for you" in w]
    assert "Collaboration" in to_plain_text(body)


def test_a_plan_uses_confirmed_tags_only(suggested):
    store, _ = suggested
    body = draft_plan(store, copying_engine(), PromptLibrary(), "p-ana", today="2026-06-30")
    assert "Collaboration" not in to_plain_text(body)
    assert any("waiting for you" in w for w in body.coverage.warnings)


def test_a_plan_with_only_suggestions_says_what_waits(team):
    store, ana, _ = team
    note = store.notes.add(person_id=ana.id, date="2026-04-02", kind="praise",
                           text="Ana ran the incident review calmly.")
    store.suggestions.save(note.id, ["c-collab"], model_sha256=SHA)
    with pytest.raises(NoEvidence, match="the model suggested competencies for 1 note, waiting "
                                         "for you to confirm or dismiss them"):
        draft_plan(store, copying_engine(), PromptLibrary(), "p-ana", today="2026-06-30")
