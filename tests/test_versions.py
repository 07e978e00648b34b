"""A draft's history in the real store: saves, the manager's edits, dismissals, "mark final"."""

from dataclasses import replace

import pytest

from app.errors import InvalidInput, NotFound
from app.reviews.body import FROM_MANAGER, FROM_MODEL, Section, Statement
from app.reviews.versions import (body_of, dismiss_finding, edit_statement, mark_final,
                                  save_draft)
from test_export import sample_plan, sample_review


def with_absolute(body):
    """The sample review with one sentence a language check flags ("always")."""
    flagged = Section("growth", "Growth areas",
                      (Statement("She always answers review comments late.", ("n-3",)),))
    return body.with_section(flagged)


@pytest.fixture
def saved(team):
    store, ana, _li = team
    return store, save_draft(store, with_absolute(sample_review()))


def absolute_finding(draft) -> dict:
    return next(f for f in body_of(draft).language if f["rule"] == "absolute")


def test_a_saved_draft_keeps_its_body_model_prompts_and_language_findings(saved):
    store, draft = saved
    assert (draft.kind, draft.person_id, draft.period_start, draft.period_end) == \
           ("review", "p-ana", "2026-01-01", "2026-06-30")
    version = draft.latest
    assert (version.version, version.model_sha256, version.prompts) == (1, "abc123",
                                                                        (("reword_sentence", "1"),))
    finding = absolute_finding(draft)
    assert finding["words"] == "always" and finding["sentence"].startswith("She always")
    assert body_of(draft).section("summary") == sample_review().section("summary")
    assert store.drafts.latest_for("p-ana", "review").id == draft.id


def test_an_edit_is_a_new_version_with_the_managers_words_and_the_same_citations(saved):
    store, draft = saved
    edited = edit_statement(store, draft.id, "growth", 0, "  She answered most review comments late.  ")
    assert [v.version for v in edited.versions] == [1, 2]
    statement = body_of(edited).section("growth").statements[0]
    assert (statement.text, statement.citations, statement.source) == \
           ("She answered most review comments late.", ("n-3",), FROM_MANAGER)
    assert body_of(edited).section("summary") == body_of(draft).section("summary")
    assert body_of(edited, 1).section("growth").statements[0].source == FROM_MODEL
    assert not any(f["rule"] == "absolute" for f in body_of(edited).language)


def test_empty_text_removes_the_statement_and_an_unchanged_edit_adds_no_version(saved):
    store, draft = saved
    same = edit_statement(store, draft.id, "summary", 0, "Ana led the checkout outage review.")
    assert len(same.versions) == 1
    removed = edit_statement(store, draft.id, "summary", 0, "   ")
    assert [s.text for s in body_of(removed).section("summary").statements] == \
           ["She paired with Li on *consumer lag* alerts [^9]."]


def test_edits_naming_a_missing_section_or_statement_are_refused_and_save_nothing(saved):
    store, draft = saved
    with pytest.raises(NotFound, match=r"no section 'goals' \(its sections: summary, strengths, growth\)"):
        edit_statement(store, draft.id, "goals", 0, "x")
    with pytest.raises(InvalidInput, match="'Strengths' has 4 statements; there is no statement number 5"):
        edit_statement(store, draft.id, "strengths", 4, "x")
    with pytest.raises(NotFound, match="No draft with id 'd-nope'"):
        edit_statement(store, "d-nope", "summary", 0, "x")
    assert len(store.drafts.get(draft.id).versions) == 1


def test_a_dismissed_finding_stays_dismissed_through_later_edits_and_regenerations(saved):
    store, draft = saved
    finding = absolute_finding(draft)
    dismissed = dismiss_finding(store, draft.id, finding["id"])
    assert len(dismissed.versions) == 2
    assert finding["id"] not in {f["id"] for f in body_of(dismissed).language}
    assert body_of(dismissed).dismissed == (finding["id"],)
    edited = edit_statement(store, draft.id, "summary", 0, "Ana led the outage review.")
    assert finding["id"] not in {f["id"] for f in body_of(edited).language}
    regenerated = replace(body_of(edited), dismissed=())   # a pipeline's fresh body
    again = save_draft(store, regenerated, draft_id=draft.id)
    assert finding["id"] not in {f["id"] for f in body_of(again).language}
    assert body_of(again, 1).language[0]["id"] == finding["id"]     # history keeps what was flagged
    assert dismiss_finding(store, draft.id, finding["id"]).latest.version == again.latest.version
    with pytest.raises(NotFound, match="has no language finding 'lang-x'"):
        dismiss_finding(store, draft.id, "lang-x")


def test_mark_final_and_editing_a_final_draft_takes_the_mark_away(team):
    store, _ana, _li = team
    cycle = store.review_cycles.add(name="H1 2026", period_start="2026-01-01", period_end="2026-06-30")
    draft = save_draft(store, with_absolute(sample_review()), cycle_id=cycle.id)
    assert store.review_cycles.status(cycle.id, "p-ana") == "drafting"
    final = mark_final(store, draft.id)
    assert (final.final_version, store.review_cycles.status(cycle.id, "p-ana")) == (1, "final")
    dismissed = dismiss_finding(store, draft.id, absolute_finding(draft)["id"])
    assert dismissed.final_version == 1                      # no word changed
    edited = edit_statement(store, draft.id, "strengths", 0, "Her incident timelines were clear.")
    assert not edited.is_final and store.review_cycles.status(cycle.id, "p-ana") == "drafting"
    assert mark_final(store, draft.id, 1).final_version == 1
    with pytest.raises(InvalidInput, match="has no version 9"):
        mark_final(store, draft.id, 9)
    with pytest.raises(NotFound, match=r"has no version 9 \(it has 1, 2, 3\)"):
        body_of(store.drafts.get(draft.id), 9)


def test_a_version_must_be_of_the_same_kind_and_person(saved):
    store, draft = saved
    with pytest.raises(InvalidInput, match="is a review for person 'p-ana'; a plan"):
        save_draft(store, sample_plan(), draft_id=draft.id)
    with pytest.raises(NotFound):
        save_draft(store, replace(sample_review(), person_id="p-nobody"))
    assert [d.id for d in store.drafts.for_person("p-ana")] == [draft.id]
