"""Team overview, autosaved text and the sample team, over a real store."""

import datetime as dt

import pytest

from app.errors import InvalidInput
from app.exchange import export_document, import_file
from app.services.autosave import Autosaves
from app.services.sample import has_sample_team, load_sample_team, remove_sample_team, sample_document
from app.services.team import team_overview
from conftest import REPO

TODAY = dt.date(2026, 11, 25)


def test_overview_shows_last_one_on_one_days_since_last_note_and_open_actions(store):
    import_file(store, REPO / "tests/data/team.json")
    rows = {row.person.id: row for row in team_overview(store, today=TODAY)}
    amara = rows["p-amara"]
    assert amara.last_one_on_one == "2026-07-08"
    assert amara.days_since_last_note == (TODAY - dt.date.fromisoformat(amara.last_note)).days
    assert (amara.open_actions, amara.overdue_actions) == (1, 1)
    assert all(not row.person.archived for row in rows.values())
    everyone = team_overview(store, include_archived=True, today=TODAY)
    assert len(everyone) == len(rows) + 1


def test_person_with_nothing_yet(store):
    store.people.add(name="New Hire", person_id="p-new")
    [row] = team_overview(store, today=TODAY)
    assert (row.last_one_on_one, row.days_since_last_note, row.open_actions) == (None, None, 0)


def test_trashed_notes_do_not_count_as_the_last_note(team):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, text="old", date="2026-01-01")
    newer = store.notes.add(person_id=ana.id, text="new", date="2026-11-01")
    store.notes.trash(newer.id)
    row = next(r for r in team_overview(store, today=TODAY) if r.person.id == ana.id)
    assert row.last_note == "2026-01-01"


def test_autosaved_text_is_kept_until_saved_or_cancelled(store):
    saves = Autosaves(store)
    saves.keep("capture", "Half-typed note about Ana", {"person": "p-ana", "kind": "praise"})
    saves.keep("capture", "Half-typed note about Ana's demo", {"person": "p-ana"})
    [pending] = saves.pending()
    assert (pending.slot, pending.text, pending.context) == ("capture", "Half-typed note about Ana's demo",
                                                              {"person": "p-ana"})
    saves.discard("capture")
    assert saves.pending() == []


def test_empty_text_is_not_kept(store):
    Autosaves(store).keep("capture", "   ")
    assert Autosaves(store).pending() == []


def test_sample_team_loads_removes_and_leaves_own_data_alone(store):
    store.people.add(name="My Real Report", person_id="p-mine")
    store.notes.add(person_id="p-mine", text="Real note", note_id="n-mine")
    counts = load_sample_team(store, today=TODAY)
    assert counts["people"] == 6 and has_sample_team(store)
    with pytest.raises(InvalidInput, match="already loaded"):
        load_sample_team(store, today=TODAY)
    assert remove_sample_team(store) == 6
    left = export_document(store)
    assert [p["id"] for p in left["people"]] == ["p-mine"]
    assert [n["id"] for n in left["notes"]] == ["n-mine"]
    assert left["meetings"] == left["actions"] == left["goals"] == left["competencies"] == []
    assert not has_sample_team(store)


def test_sample_dates_end_yesterday_and_ids_say_sample():
    doc = sample_document(today=TODAY)
    assert max(n["date"] for n in doc["notes"]) == "2026-11-24"
    assert all(p["id"].startswith("sample-") for p in doc["people"])
