"""Review cycles: each person's status, moved by drafts and by the manager, and the m006 upgrade.

Runs against the real SQLCipher store; the upgrade test builds a database
at the m005 schema with the real migration functions, as
tests/test_migrations.py does, and opens it with today's store.
"""

import pytest

from app.errors import InvalidInput, NotFound
from app.store import Store
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.migrations import MIGRATIONS, applied, migrate
from conftest import FAST_KDF, PASSPHRASE

MODEL_SHA = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


@pytest.fixture
def cycle(team):
    store, _, _ = team
    return store.review_cycles.add(name="H1 2026", period_start="2026-01-01",
                                   period_end="2026-06-30", due="2026-07-15")


def draft_with_a_version(store, person_id, cycle_id, kind="review"):
    draft = store.drafts.create(kind=kind, person_id=person_id, period_start="2026-01-01",
                                period_end="2026-06-30", cycle_id=cycle_id)
    store.drafts.save_version(draft.id, body={"sections": []}, model_sha256=MODEL_SHA,
                              prompts=[("review_sentence", "1")])
    return draft


def test_everyone_starts_not_started(team, cycle):
    store, ana, li = team
    assert store.review_cycles.status(cycle.id, ana.id) == "not_started"
    assert store.review_cycles.statuses(cycle.id) == {}
    assert (cycle.due, store.review_cycles.get(cycle.id)) == ("2026-07-15", cycle)


def test_the_manager_sets_a_status_and_can_set_it_back(team, cycle):
    store, ana, li = team
    store.review_cycles.set_status(cycle.id, ana.id, "final")
    store.review_cycles.set_status(cycle.id, li.id, "drafting")
    assert store.review_cycles.statuses(cycle.id) == {ana.id: "final", li.id: "drafting"}
    store.review_cycles.set_status(cycle.id, ana.id, "not_started")
    assert store.review_cycles.status(cycle.id, ana.id) == "not_started"


def test_a_status_is_per_cycle(team, cycle):
    store, ana, _ = team
    h2 = store.review_cycles.add(name="H2 2026", period_start="2026-07-01", period_end="2026-12-31")
    store.review_cycles.set_status(cycle.id, ana.id, "final")
    assert store.review_cycles.status(h2.id, ana.id) == "not_started"
    assert [c.name for c in store.review_cycles.list()] == ["H2 2026", "H1 2026"]


def test_set_status_refuses_unknown_statuses_people_and_cycles(team, cycle):
    store, ana, _ = team
    with pytest.raises(InvalidInput, match="status 'done' is not one of: not_started, drafting, final"):
        store.review_cycles.set_status(cycle.id, ana.id, "done")
    with pytest.raises(NotFound, match="No person with id 'p-nobody'"):
        store.review_cycles.set_status(cycle.id, "p-nobody", "final")
    with pytest.raises(NotFound, match="No review cycle with id 'rc-missing'"):
        store.review_cycles.set_status("rc-missing", ana.id, "final")
    assert store.review_cycles.statuses(cycle.id) == {}


def test_a_review_draft_in_a_cycle_sets_drafting_and_mark_final_sets_final(team, cycle):
    store, ana, li = team
    draft = draft_with_a_version(store, ana.id, cycle.id)
    assert store.review_cycles.status(cycle.id, ana.id) == "drafting"
    assert store.review_cycles.status(cycle.id, li.id) == "not_started"
    final = store.drafts.mark_final(draft.id)
    assert (final.final_version, final.is_final) == (1, True)
    assert store.review_cycles.status(cycle.id, ana.id) == "final"
    cleared = store.drafts.mark_final(draft.id, 0)
    assert (cleared.final_version, cleared.is_final) == (None, False)
    assert store.review_cycles.status(cycle.id, ana.id) == "drafting"


def test_plans_and_drafts_outside_a_cycle_leave_statuses_alone(team, cycle):
    store, ana, li = team
    plan = draft_with_a_version(store, ana.id, cycle.id, kind="plan")
    loose = draft_with_a_version(store, li.id, None)
    store.drafts.mark_final(loose.id)
    assert store.review_cycles.status(cycle.id, ana.id) == "not_started"
    assert store.review_cycles.statuses(cycle.id) == {}
    assert store.drafts.get(plan.id).cycle_id == cycle.id


def test_mark_final_refuses_a_version_that_does_not_exist(team, cycle):
    store, ana, _ = team
    empty = store.drafts.create(kind="review", person_id=ana.id, cycle_id=cycle.id)
    with pytest.raises(InvalidInput, match="has no version to mark final"):
        store.drafts.mark_final(empty.id)
    draft = draft_with_a_version(store, ana.id, cycle.id)
    with pytest.raises(InvalidInput, match="has no version 7"):
        store.drafts.mark_final(draft.id, 7)
    assert store.review_cycles.status(cycle.id, ana.id) == "drafting"


def test_a_draft_for_a_missing_cycle_or_person_names_it(team, cycle):
    store, ana, _ = team
    with pytest.raises(NotFound, match="No review cycle with id 'rc-gone'"):
        store.drafts.create(kind="review", person_id=ana.id, cycle_id="rc-gone")
    with pytest.raises(NotFound, match="No person with id 'p-gone'"):
        store.drafts.create(kind="review", person_id="p-gone", cycle_id=cycle.id)
    assert store.drafts.for_person(ana.id) == []


def test_resolve_finds_a_cycle_by_id_or_name(team, cycle):
    store, _, _ = team
    assert store.review_cycles.resolve(cycle.id) == cycle
    assert store.review_cycles.resolve("h1 2026") == cycle
    assert store.review_cycles.resolve("  H1 2026 ") == cycle
    with pytest.raises(NotFound, match="No review cycle called 'H3'"):
        store.review_cycles.resolve("H3")
    store.review_cycles.add(name="h1 2026", period_start="2025-01-01", period_end="2025-06-30")
    with pytest.raises(InvalidInput, match="names 2 review cycles; use the id"):
        store.review_cycles.resolve("H1 2026")


def test_a_cycle_needs_a_name_and_real_dates(store):
    with pytest.raises(InvalidInput, match="A review cycle needs a name"):
        store.review_cycles.add(name="  ", period_start="2026-01-01", period_end="2026-06-30")
    with pytest.raises(InvalidInput, match=r"due: '2026-07-32' is not a real calendar date"):
        store.review_cycles.add(name="H1", period_start="2026-01-01", period_end="2026-06-30",
                                due="2026-07-32")
    assert store.review_cycles.list() == []
    spaced = store.review_cycles.add(name=" H1\t2026 ", period_start="2026-01-01",
                                     period_end="2026-06-30")
    assert spaced.name == "H1 2026"


def test_deleting_a_person_forgets_their_statuses(team, cycle):
    store, ana, li = team
    store.review_cycles.set_status(cycle.id, li.id, "final")
    store.db.execute("DELETE FROM people WHERE id = ?", [li.id])
    assert store.review_cycles.statuses(cycle.id) == {}


def test_m006_upgrades_a_store_made_at_the_m005_schema(data_home):
    first = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    key, path = first._key, first.path
    first.close()
    path.unlink()
    old = sqlite_utils.Database(connect(path, key), execute_plugins=False)
    migrate(old, MIGRATIONS[:5])
    assert applied(old)[-1] == "m005_app_state"
    old.execute("INSERT INTO people (id, name, created_at, updated_at) "
                "VALUES ('p-ana', 'Ana', 'x', 'x')")
    old.execute("INSERT INTO review_cycles (id, name, period_start, period_end, due, created_at) "
                "VALUES ('rc-h1', 'H1 2026', '2026-01-01', '2026-06-30', NULL, 'x')")
    old.execute("INSERT INTO drafts (id, kind, person_id, cycle_id, created_at) "
                "VALUES ('d-1', 'review', 'p-ana', 'rc-h1', 'x')")
    old.execute("INSERT INTO draft_versions (draft_id, version, body, model_sha256, prompts, "
                "created_at) VALUES ('d-1', 1, '{}', ?, '[]', 'x')", [MODEL_SHA])
    old.conn.commit()
    old.conn.close()

    with Store.open(data_home, passphrase=PASSPHRASE) as store:
        assert applied(store.db)[-1] == MIGRATIONS[-1].__name__
        assert "m006_frameworks_and_cycles" in applied(store.db)
        assert store.drafts.get("d-1").final_version is None
        assert store.review_cycles.status("rc-h1", "p-ana") == "not_started"
        store.drafts.mark_final("d-1")
        assert store.review_cycles.status("rc-h1", "p-ana") == "final"
        assert store.frameworks.active() is None and store.frameworks.list() == []
