"""The 1:1 details in trellis/v1: threads, statuses, links, goal history, cadences, topics.

A store is built the way a manager builds it — the sample team, a cadence,
1:1s started from the next agenda with points checked off, dropped and
carried over, goal progress, answered topic suggestions — and exported
once. That export must import into a fresh store and export again
unchanged, and the imported store must produce the same next agendas,
overdue 1:1s and pending topics. Files without these details import as
before (``tests/test_exchange.py``); bad details are refused naming the
record, and nothing is written.
"""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from app.domain.records import TopicSuggestion
from app.exchange import ImportRejected, export_document, import_document, import_file, write_export
from app.exchange import one_on_one_records
from app.services import cadence
from app.services.agenda import next_agenda, start_meeting
from app.services.sample import load_sample_team
from app.services.topics import TopicSuggestions
from app.store import Store
from app.store.backup import table_counts
from conftest import FAST_KDF, PASSPHRASE

KENJI, AMARA, PRIYA = "sample-p-kenji", "sample-p-amara", "sample-p-priya"
TODAY = "2026-06-20"


def _point(store, meeting_id: str, text: str) -> int:
    """The number (from 1) of the agenda item with ``text`` on a meeting."""
    texts = [item.text for item in store.meetings.get(meeting_id).agenda]
    return texts.index(text) + 1


def _answer_topics(store) -> None:
    notes = [n for n in store.notes.for_person(KENJI) if n.kind != "one_on_one"][:3]
    topics = TopicSuggestions(store)
    for note, state in zip(notes, ("dismissed", "accepted", "suggested"), strict=True):
        topics.save(TopicSuggestion(KENJI, f"note:{note.id}", f"Talk about: {note.text[:30]}",
                                    (note.id,), "fallback"), model_sha256="ab" * 32,
                    prompt_version="2")
        if state == "dismissed":
            topics.dismiss(KENJI, f"note:{note.id}")
        elif state == "accepted":
            topics.accept(KENJI, f"note:{note.id}")


def build_busy_team(store) -> None:
    """The sample team after three weeks of 1:1s with Kenji and cadences for three people."""
    load_sample_team(store, today=dt.date(2026, 6, 1))
    cadence.set_cadence(store, KENJI, "weekly", today="2026-06-01")
    cadence.set_cadence(store, AMARA, "monthly", next_date="2026-06-10", today="2026-05-10")
    cadence.set_cadence(store, PRIYA, "none", today="2026-05-10")
    _answer_topics(store)
    store.actions.add(person_id=KENJI, text="Book a design review slot", owner="manager",
                      due="2026-06-05", action_id="a-review-slot")
    first = start_meeting(store, KENJI, date="2026-06-02", template="weekly_check_in")
    store.meetings.add_item(first.id, text="Conference budget", owner="report")
    store.meetings.set_item_status(first.id, 1, "done")
    store.meetings.set_item_status(first.id, _point(store, first.id, "Conference budget"), "dropped")
    store.meetings.record_notes(first.id, "Kenji wants more design review time.")
    second = start_meeting(store, KENJI, date="2026-06-09")
    store.meetings.set_item_status(second.id, 1, "done")
    store.meetings.record_notes(second.id, "Short one; on-call week.")
    goal = store.goals.for_person(KENJI)[0]
    store.goals.update(goal.id, description="One ADR that the team actually uses")
    store.goals.add_update(goal.id, "First draft shared", date="2026-06-05", status="at_risk")
    store.goals.add_update(goal.id, "Reviewed by two seniors", date="2026-06-12")


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """The busy store, its export, and that export imported into a second store."""
    home = tmp_path_factory.mktemp("busy")
    with Store.open(home / "first", passphrase=PASSPHRASE, kdf=FAST_KDF) as first, \
            Store.open(home / "second", passphrase=PASSPHRASE, kdf=FAST_KDF) as second:
        build_busy_team(first)
        exported = export_document(first)
        import_document(second, copy.deepcopy(exported))
        yield first, second, exported


def _agenda_items(doc: dict) -> list[dict]:
    return [item for meeting in doc["meetings"] for item in meeting["agenda"]]


def test_the_export_carries_every_one_on_one_detail(busy):
    _, _, exported = busy
    items = _agenda_items(exported)
    assert {i.get("status") for i in items} >= {None, "dropped"}
    assert {i.get("source") for i in items} >= {"carried_over", "action", "template"}
    assert any("origin" in i for i in items) and any("action" in i for i in items)
    assert any(i.get("citations") for i in items)
    assert {i.get("status") for i in items if i["done"]} == {None}, "done says it; status is not repeated"
    assert not any(i["done"] for i in items if i.get("status") == "dropped")
    kenji_meetings = [m for m in exported["meetings"] if m["person"] == KENJI]
    assert [m.get("template") for m in kenji_meetings][-2:] == ["weekly_check_in", None]
    people = {p["id"]: p for p in exported["people"]}
    assert people[KENJI]["cadence"] == {"every": "weekly", "next_date": "2026-06-16",
                                        "set_on": "2026-06-01"}
    assert people[PRIYA]["cadence"] == {"every": "none", "next_date": None, "set_on": "2026-05-10"}
    assert sorted(t["state"] for t in people[KENJI]["topics"]) == ["accepted", "dismissed", "suggested"]
    assert "cadence" not in people["sample-p-sofia"] and "topics" not in people[AMARA]
    assert len([n for n in exported["notes"] if "meeting" in n]) == 2


def test_goal_description_and_dated_updates_are_exported_oldest_first(busy):
    _, _, exported = busy
    goal = next(g for g in exported["goals"] if "updates" in g)
    assert goal["description"] == "One ADR that the team actually uses"
    assert goal["status"] == "at_risk"
    assert goal["updates"] == [
        {"date": "2026-06-05", "text": "First draft shared", "status": "at_risk"},
        {"date": "2026-06-12", "text": "Reviewed by two seniors", "status": None}]


def test_import_then_export_round_trips_exactly(busy, tmp_path):
    _, second, exported = busy
    assert export_document(second) == exported
    write_export(second, tmp_path / "again.json")
    with Store.open(tmp_path / "third", passphrase=PASSPHRASE, kdf=FAST_KDF) as third:
        import_file(third, tmp_path / "again.json")
        assert export_document(third) == exported


def _comparable(entries) -> list[tuple]:
    """An agenda without the row ids that differ from store to store."""
    return [(e.text, e.owner, e.source, e.citations, e.action_id, e.goal_id, e.origin_id is None)
            for e in entries]


def test_the_imported_store_prepares_the_same_next_agendas(busy):
    first, second, _ = busy
    for person in (KENJI, AMARA, "sample-p-sofia"):
        mine = next_agenda(first, person, today=TODAY)
        assert _comparable(next_agenda(second, person, today=TODAY)) == _comparable(mine)
    texts = [e.text for e in next_agenda(second, KENJI, today=TODAY)]
    assert "Conference budget" not in texts, "a dropped point came back"
    assert len(texts) == len(set(texts)), "a carried-over thread was split in two"


def test_the_imported_store_knows_the_same_overdue_one_on_ones_and_topics(busy):
    first, second, _ = busy
    assert ([(o.person.id, o.due) for o in cadence.overdue(second, TODAY)]
            == [(o.person.id, o.due) for o in cadence.overdue(first, TODAY)] != [])
    topics = TopicSuggestions(second)
    assert topics.pending(KENJI) == TopicSuggestions(first).pending(KENJI)
    assert topics.known_keys(KENJI) == TopicSuggestions(first).known_keys(KENJI)


def test_closing_an_imported_thread_closes_it_where_it_started(busy, tmp_path):
    _, _, exported = busy
    with Store.open(tmp_path / "fresh", passphrase=PASSPHRASE, kdf=FAST_KDF) as fresh:
        import_document(fresh, copy.deepcopy(exported))
        threads_before = fresh.meetings.open_threads(KENJI)
        latest = fresh.meetings.last_for(KENJI)
        carried = next(n for n, i in enumerate(latest.agenda, 1) if i.origin_id and i.status == "open")
        fresh.meetings.set_item_status(latest.id, carried, "done")
        assert len(fresh.meetings.open_threads(KENJI)) == len(threads_before) - 1


def test_meeting_notes_stay_linked_to_their_timeline_note(busy):
    _, second, exported = busy
    for note in (n for n in exported["notes"] if "meeting" in n):
        assert second.meetings.timeline_note_id(note["meeting"]) == note["id"]
    meeting = second.meetings.last_for(KENJI)
    second.meetings.record_notes(meeting.id, "Edited after the import.")
    assert second.notes.get(second.meetings.timeline_note_id(meeting.id)).text == "Edited after the import."


def test_a_citation_of_a_trashed_note_is_left_out_so_the_export_imports(tmp_path):
    with Store.open(tmp_path / "a", passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        build_busy_team(store)
        topic_note = next(t.key for t in TopicSuggestions(store).pending(KENJI)).split(":")[1]
        store.notes.trash(topic_note)
        exported = export_document(store)
        assert topic_note not in json.dumps(exported)
        with Store.open(tmp_path / "b", passphrase=PASSPHRASE, kdf=FAST_KDF) as other:
            import_document(other, copy.deepcopy(exported))
            assert export_document(other) == exported


# --- a small document with every 1:1 detail, and what is wrong with it ------------

def small_document() -> dict:
    """Two people; Ana has two 1:1s, the second carrying over a point of the first."""
    return {
        "format": "trellis/v1",
        "people": [
            {"id": "p-ana", "name": "Ana Ruiz", "role": None, "level": None, "start_date": None,
             "archived": False,
             "cadence": {"every": "fortnightly", "next_date": "2026-02-12", "set_on": "2026-01-01"},
             "topics": [{"about": "note:n-1", "text": "Mentoring interns", "citations": ["n-1"],
                         "wording": "model", "state": "dismissed", "meeting": None,
                         "model_sha256": "cd" * 32, "prompt_version": "1"}]},
            {"id": "p-li", "name": "Li Wei", "role": None, "level": None, "start_date": None,
             "archived": False}],
        "competencies": [],
        "notes": [
            {"id": "n-1", "person": "p-ana", "date": "2026-01-10", "kind": "praise",
             "text": "Mentored two interns through their first release.", "competencies": []},
            {"id": "n-2", "person": "p-ana", "date": "2026-01-15", "kind": "one_on_one",
             "text": "Talked about the interns.", "competencies": [], "meeting": "m-1"},
            {"id": "n-3", "person": "p-li", "date": "2026-01-16", "kind": "observation",
             "text": "Fixed the flaky deploy.", "competencies": []}],
        "meetings": [
            {"id": "m-1", "person": "p-ana", "date": "2026-01-15", "notes": "Talked about the interns.",
             "agenda": [
                 {"text": "Interns", "owner": "manager", "done": True, "source": "suggested",
                  "citations": ["n-1"]},
                 {"text": "On-call rota", "owner": "report", "done": False},
                 {"text": "Old idea", "owner": "report", "done": False, "status": "dropped"}],
             "template": "weekly_check_in"},
            {"id": "m-2", "person": "p-ana", "date": "2026-01-29", "notes": "",
             "agenda": [
                 {"text": "On-call rota", "owner": "report", "done": False, "source": "carried_over",
                  "citations": ["m-1"], "origin": {"meeting": "m-1", "item": 2}},
                 {"text": "Write the intern guide", "owner": "manager", "done": False,
                  "source": "action", "citations": ["a-1", "m-1"], "action": "a-1"},
                 {"text": "Goal: Tech lead the search project (at risk)", "owner": "manager",
                  "done": False, "source": "goal", "citations": ["g-1"], "goal": "g-1"}]},
            {"id": "m-3", "person": "p-li", "date": "2026-01-20", "notes": "", "agenda": []}],
        "actions": [{"id": "a-1", "person": "p-ana", "meeting": "m-1", "text": "Write the intern guide",
                     "owner": "manager", "due": "2026-01-25", "done": False}],
        "goals": [{"id": "g-1", "person": "p-ana", "title": "Tech lead the search project",
                   "status": "at_risk", "due": "2026-06-30", "description": "From design to launch",
                   "updates": [{"date": "2026-01-20", "text": "Design doc approved",
                                "status": "on_track"},
                               {"date": "2026-01-28", "text": "Two engineers moved off",
                                "status": "at_risk"}]}],
    }


def test_the_small_document_round_trips_exactly(store):
    counts = import_document(store, small_document())
    assert counts == {"people": 2, "competencies": 0, "notes": 3, "meetings": 3, "actions": 1,
                      "goals": 1}
    assert export_document(store) == small_document()
    carried = store.meetings.get("m-2").agenda[0]
    assert carried.origin_id == store.meetings.get("m-1").agenda[1].id
    assert [item.status for item in store.meetings.get("m-1").agenda] == ["done", "open", "dropped"]
    assert [u.status for u in store.goals.history("g-1")] == ["on_track", "at_risk"]


def test_status_alone_or_done_alone_is_enough(store):
    doc = small_document()
    first_agenda = doc["meetings"][0]["agenda"]
    del first_agenda[0]["done"]
    first_agenda[0]["status"] = "done"
    first_agenda[2] = {"text": "Old idea", "owner": "report", "status": "dropped"}
    import_document(store, doc)
    assert export_document(store) == small_document()


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    """One store holding someone else's 1:1s, shared by tests that only make refused imports."""
    with Store.open(tmp_path_factory.mktemp("refusing") / "home", passphrase=PASSPHRASE,
                    kdf=FAST_KDF) as opened:
        opened.people.add(name="Tomás Novák", person_id="p-tomas")
        meeting = opened.meetings.add(person_id="p-tomas", date="2026-01-05", meeting_id="m-tomas")
        opened.meetings.record_notes(meeting.id, "Stored notes.")
        yield opened


def snapshot(store) -> tuple:
    return export_document(store), table_counts(store.db.conn)


def _change(path: str, value=None, *, delete: bool = False):
    """A change to small_document(): ``path`` is like ``meetings.1.agenda.0.origin``."""
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(last) if last.isdigit() else last
        if delete:
            del target[key]
        else:
            target[key] = value
    return change


def _second_note_for(meeting_id: str):
    def change(doc):
        doc["notes"].append({"id": "n-9", "person": "p-ana", "date": "2026-01-15", "kind": "other",
                             "text": "Another copy.", "competencies": [], "meeting": meeting_id})
    return change


ANA = "people[0] (id 'p-ana')"
M1, M2 = "meetings[0] (id 'm-1')", "meetings[1] (id 'm-2')"
ORIGIN = f"{M2}, field 'agenda'[0], field 'origin'"
TOPIC = f"{ANA}, field 'topics'[0]"

# (test id, change to small_document(), fragments one problem line must all contain)
BAD_DETAILS = [
    ("citation of a missing note", _change("meetings.0.agenda.0.citations", ["n-ghost"]),
     [f"{M1}, field 'agenda'[0], field 'citations'", "'n-ghost'", "not a note, 1:1, action or goal"]),
    ("citations not a list", _change("meetings.0.agenda.0.citations", "n-1"),
     [f"{M1}, field 'agenda'[0], field 'citations'", "expected a list of ids"]),
    ("unknown agenda status", _change("meetings.0.agenda.1.status", "closed"),
     [f"{M1}, field 'agenda'[1], field 'status'", "'closed'", "open, done, dropped"]),
    ("null agenda status", _change("meetings.0.agenda.1.status", None),
     [f"{M1}, field 'agenda'[1], field 'status'", "must not be null"]),
    ("done and status disagree", _change("meetings.0.agenda.0.status", "open"),
     [f"{M1}, field 'agenda'[0]", "'done' is true but 'status' is 'open'"]),
    ("unknown agenda source", _change("meetings.0.agenda.0.source", "email"),
     [f"{M1}, field 'agenda'[0], field 'source'", "'email'", "carried_over"]),
    ("origin in a missing meeting", _change("meetings.1.agenda.0.origin.meeting", "m-ghost"),
     [ORIGIN, "'m-ghost'", "not in meetings"]),
    ("origin past the last item", _change("meetings.1.agenda.0.origin.item", 4),
     [ORIGIN, "'m-1' has 3 agenda item(s), not 4"]),
    ("origin item zero", _change("meetings.1.agenda.0.origin.item", 0),
     [f"{ORIGIN}, field 'item'", "whole number from 1 up", "0"]),
    ("origin item as text", _change("meetings.1.agenda.0.origin.item", "2"),
     [f"{ORIGIN}, field 'item'", "whole number", "a string"]),
    ("origin item as true", _change("meetings.1.agenda.0.origin.item", True),
     [f"{ORIGIN}, field 'item'", "whole number", "true/false"]),
    ("origin on the same meeting", _change("meetings.1.agenda.0.origin.meeting", "m-2"),
     [ORIGIN, "'m-2' itself"]),
    ("origin in someone else's meeting", _change("meetings.1.agenda.0.origin",
                                                  {"meeting": "m-3", "item": 1}),
     [ORIGIN, "'m-3' belongs to 'p-li', not 'p-ana'"]),
    ("origin in a stored meeting of someone else", _change("meetings.1.agenda.0.origin",
                                                           {"meeting": "m-tomas", "item": 1}),
     [ORIGIN, "'m-tomas' belongs to 'p-tomas'"]),
    ("origin with an unknown field", _change("meetings.1.agenda.0.origin.position", 2),
     [ORIGIN, "unknown field 'position'"]),
    ("origin missing its item", _change("meetings.1.agenda.0.origin.item", delete=True),
     [ORIGIN, "field 'item' is missing"]),
    ("action of a missing record", _change("meetings.1.agenda.1.action", "a-ghost"),
     [f"{M2}, field 'agenda'[1], field 'action'", "'a-ghost'", "not in actions"]),
    ("goal of another person", _change("goals.0.person", "p-li"),
     [f"{M2}, field 'agenda'[2], field 'goal'", "'g-1' belongs to 'p-li', not 'p-ana'"]),
    ("template as a number", _change("meetings.0.template", 7),
     [f"{M1}, field 'template'", "expected a string"]),
    ("note holding a missing meeting's notes", _change("notes.1.meeting", "m-ghost"),
     ["notes[1] (id 'n-2'), field 'meeting'", "'m-ghost'", "not in meetings"]),
    ("note holding another person's 1:1", _change("notes.1.meeting", "m-3"),
     ["notes[1] (id 'n-2'), field 'meeting'", "'m-3' belongs to 'p-li'"]),
    ("two notes holding one 1:1", _second_note_for("m-1"),
     ["notes[3] (id 'n-9'), field 'meeting'", "'m-1' already has its notes in notes[1]"]),
    ("goal update on 30 February", _change("goals.0.updates.1.date", "2026-02-30"),
     ["goals[0] (id 'g-1'), field 'updates'[1], field 'date'", "not a real calendar date"]),
    ("goal update without text", _change("goals.0.updates.0.text", " "),
     ["goals[0] (id 'g-1'), field 'updates'[0], field 'text'", "must not be empty"]),
    ("goal update status unknown", _change("goals.0.updates.0.status", "green"),
     ["field 'updates'[0], field 'status'", "'green'", "on_track"]),
    ("goal update unknown field", _change("goals.0.updates.0.author", "me"),
     ["goals[0] (id 'g-1'), field 'updates'[0]", "unknown field 'author'"]),
    ("goal updates not a list", _change("goals.0.updates", {"date": "2026-01-20"}),
     ["goals[0] (id 'g-1'), field 'updates'", "expected a list"]),
    ("description as a list", _change("goals.0.description", ["a"]),
     ["goals[0] (id 'g-1'), field 'description'", "expected a string"]),
    ("unknown cadence", _change("people.0.cadence.every", "daily"),
     [f"{ANA}, field 'cadence', field 'every'", "'daily'", "weekly, fortnightly, monthly, none"]),
    ("cadence without set_on", _change("people.0.cadence.set_on", delete=True),
     [f"{ANA}, field 'cadence'", "field 'set_on' is missing"]),
    ("cadence next date in US form", _change("people.0.cadence.next_date", "02/12/2026"),
     [f"{ANA}, field 'cadence', field 'next_date'", "YYYY-MM-DD"]),
    ("no cadence with a next date", _change("people.0.cadence.every", "none"),
     [f"{ANA}, field 'cadence'", "'none' has no next date"]),
    ("cadence as text", _change("people.0.cadence", "weekly"),
     [f"{ANA}, field 'cadence'", "expected an object", "a string"]),
    ("topic about a missing note", _change("people.0.topics.0.about", "note:n-ghost"),
     [f"{TOPIC}, field 'about'", "'n-ghost'", "not in notes"]),
    ("topic about someone else's note", _change("people.0.topics.0.about", "note:n-3"),
     [f"{TOPIC}, field 'about'", "'n-3' belongs to 'p-li', not 'p-ana'"]),
    ("topic about something unknown", _change("people.0.topics.0.about", "email:42"),
     [f"{TOPIC}, field 'about'", "'email:42' is not 'note:ID', 'goal:ID' or 'action:ID'"]),
    ("topic citing a missing note", _change("people.0.topics.0.citations", ["n-1", "n-ghost"]),
     [f"{TOPIC}, field 'citations'", "'n-ghost'"]),
    ("topic in an unknown state", _change("people.0.topics.0.state", "snoozed"),
     [f"{TOPIC}, field 'state'", "'snoozed'", "suggested, accepted, dismissed"]),
    ("topic placed on someone else's 1:1", _change("people.0.topics.0.meeting", "m-3"),
     [f"{TOPIC}, field 'meeting'", "'m-3' belongs to 'p-li'"]),
    ("topic listed twice", lambda doc: doc["people"][0]["topics"].append(
        dict(doc["people"][0]["topics"][0])),
     [f"{ANA}, field 'topics'[1]", "'note:n-1' is listed twice"]),
]


@pytest.mark.parametrize("change, fragments", [case[1:] for case in BAD_DETAILS],
                         ids=[case[0] for case in BAD_DETAILS])
def test_bad_one_on_one_detail_is_refused_naming_record_and_field(refusing, change, fragments):
    doc = small_document()
    change(doc)
    before = snapshot(refusing)
    with pytest.raises(ImportRejected) as caught:
        import_document(refusing, doc, source="team.json")
    assert "team.json: not imported, nothing was changed" in str(caught.value)
    assert any(all(f in line for f in fragments) for line in caught.value.problems), \
        caught.value.problems
    assert snapshot(refusing) == before


def test_a_note_may_not_take_over_a_stored_meeting_that_has_notes(refusing):
    doc = small_document()
    doc["notes"][1]["meeting"] = "m-tomas"
    doc["notes"][1]["person"] = "p-tomas"
    with pytest.raises(ImportRejected, match=r"'m-tomas' already has its notes in note 'n-"):
        import_document(refusing, doc)


def test_a_thread_must_start_on_an_item_that_is_not_carried_itself(refusing):
    doc = small_document()
    doc["meetings"][2]["person"] = "p-ana"
    doc["meetings"][2]["agenda"] = [{"text": "On-call rota", "owner": "report", "done": False,
                                     "origin": {"meeting": "m-2", "item": 1}}]
    with pytest.raises(ImportRejected, match=r"item 1 of 1:1 'm-2' is itself carried over"):
        import_document(refusing, doc)


def test_details_may_point_at_records_already_in_the_store(store):
    import_document(store, small_document())
    threads = len(store.meetings.open_threads("p-ana"))
    later = {"format": "trellis/v1", "meetings": [
        {"id": "m-4", "person": "p-ana", "date": "2026-02-12", "agenda": [
            {"text": "On-call rota", "owner": "report", "source": "carried_over",
             "citations": ["m-1", "n-1"], "origin": {"meeting": "m-1", "item": 2}},
            {"text": "Write the intern guide", "owner": "manager", "source": "action",
             "citations": ["a-1"], "action": "a-1"}]}]}
    import_document(store, later)
    assert len(store.meetings.open_threads("p-ana")) == threads + 1, "the carried point is no new thread"
    store.meetings.set_item_status("m-4", 1, "done")
    assert store.meetings.item("m-1", 2).status == "done"


def test_a_bad_record_late_in_a_long_file_leaves_the_store_unchanged(store):
    import_document(store, small_document())
    doc = {"format": "trellis/v1", "people": [{"id": f"p-{n}", "name": f"Person {n}"}
                                              for n in range(50)],
           "meetings": [{"id": f"m-x{n}", "person": f"p-{n}", "date": "2026-03-01",
                         "agenda": [{"text": "Hello", "owner": "manager"}]} for n in range(50)]}
    doc["meetings"][-1]["agenda"][0]["citations"] = ["n-1", "n-missing"]
    before = snapshot(store)
    with pytest.raises(ImportRejected, match=r"meetings\[49\] \(id 'm-x49'\), field 'agenda'\[0\]"):
        import_document(store, doc)
    assert snapshot(store) == before


def test_a_failure_while_linking_leaves_nothing(store, monkeypatch):
    before = snapshot(store)

    def fail_on_topics(db, person):
        raise OSError("disk full while writing topics")

    monkeypatch.setattr(one_on_one_records, "_add_topics", fail_on_topics)
    with pytest.raises(OSError):
        import_document(store, small_document())
    assert snapshot(store) == before
    assert store.db.execute("SELECT count(*) FROM goal_updates").fetchone()[0] == 0


def test_cli_refuses_a_bad_detail_with_a_sentence(store, cli, tmp_path):
    store.close()
    doc = small_document()
    doc["meetings"][1]["agenda"][0]["origin"]["item"] = 9
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = cli("import", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'m-1' has 3 agenda item(s), not 9" in result.stderr



def test_the_documented_example_imports_and_exports_exactly(store):
    text = (Path(__file__).parents[1] / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
    import_document(store, copy.deepcopy(example))
    assert export_document(store) == example


@pytest.mark.parametrize("collection", ["people", "competencies"])
def test_a_name_with_a_nul_character_is_refused_with_a_sentence(store, collection):
    doc = {"format": "trellis/v1", collection: [{"id": "x-1", "name": "\x00Ana"}]}
    with pytest.raises(ImportRejected, match=r"\(id 'x-1'\), field 'name': contains a NUL character"):
        import_document(store, doc)
    assert table_counts(store.db.conn)[collection] == 0
