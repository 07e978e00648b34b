"""Review cycles and drafts: every version kept, each with what produced it."""

import pytest

from app.errors import InvalidInput, NotFound

MODEL_SHA = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def test_review_cycle_has_a_period_and_due_date(store):
    cycle = store.review_cycles.add(name="H2 2026", period_start="2026-07-01",
                                    period_end="2026-12-31", due="2027-01-15")
    assert store.review_cycles.list() == [cycle]


def test_review_cycle_period_must_run_forwards(store):
    with pytest.raises(InvalidInput, match=r"starts \(2026-12-31\) after it ends"):
        store.review_cycles.add(name="Backwards", period_start="2026-12-31", period_end="2026-01-01")
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        store.review_cycles.add(name="Leap", period_start="2026-02-29", period_end="2026-06-30")
    assert store.review_cycles.list() == []


def test_saving_again_keeps_every_version_with_its_provenance(team):
    store, ana, _ = team
    cycle = store.review_cycles.add(name="H1", period_start="2026-01-01", period_end="2026-06-30")
    draft = store.drafts.create(kind="review", person_id=ana.id, period_start="2026-01-01",
                                period_end="2026-06-30", cycle_id=cycle.id)
    first = {"summary": [{"text": "Ana led the incident review.", "citations": ["n-1"]}]}
    second = {"summary": [{"text": "Ana led two incident reviews.", "citations": ["n-1", "n-2"]}]}
    store.drafts.save_version(draft.id, body=first, model_sha256=MODEL_SHA,
                              prompts=[("review_sentence", "1")])
    store.drafts.save_version(draft.id, body=second, model_sha256=MODEL_SHA,
                              prompts=[("review_sentence", "2"), ("grounding_check", "1")])
    saved = store.drafts.get(draft.id)
    assert [v.version for v in saved.versions] == [1, 2]
    assert saved.versions[0].body == first
    assert saved.latest.body == second
    assert saved.latest.prompts == (("review_sentence", "2"), ("grounding_check", "1"))
    assert saved.latest.model_sha256 == MODEL_SHA
    assert (saved.kind, saved.person_id, saved.cycle_id) == ("review", ana.id, cycle.id)
    assert store.drafts.for_person(ana.id) == [saved]


def test_unknown_draft_kind_or_draft_is_refused(team):
    store, ana, _ = team
    with pytest.raises(InvalidInput, match="draft kind 'essay'"):
        store.drafts.create(kind="essay", person_id=ana.id)
    with pytest.raises(NotFound, match="d-missing"):
        store.drafts.save_version("d-missing", body={}, model_sha256=MODEL_SHA, prompts=[])


def test_drafts_survive_a_backup_and_restore(team, tmp_path):
    store, ana, _ = team
    draft = store.drafts.create(kind="plan", person_id=ana.id)
    store.drafts.save_version(draft.id, body={"goals": ["Own billing"]}, model_sha256=MODEL_SHA,
                              prompts=[("plan", "1")])
    backup = store.backup(tmp_path / "backups")
    store.drafts.save_version(draft.id, body={"goals": []}, model_sha256=MODEL_SHA, prompts=[])
    store.restore(backup)
    assert [v.version for v in store.drafts.get(draft.id).versions] == [1]
