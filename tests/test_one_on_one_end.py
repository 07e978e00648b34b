"""Ending a 1:1, and deleting one started by mistake (issue 18, item 4), over a real store."""

import pytest

from app.domain.records import AgendaItem, TopicSuggestion
from app.errors import InvalidInput
from app.services.agenda import next_agenda, start_meeting
from app.services.cadence import cadence_of, set_cadence
from app.services.one_on_ones import (delete_meeting, deletion_of, end_meeting,
                                      summary_sentences)
from app.services.topics import TopicSuggestions
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.migrations import MIGRATIONS, migrate


@pytest.fixture
def ana(team):
    store, ana, _li = team
    first = store.meetings.add(person_id=ana.id, date="2026-01-05", meeting_id="m-first", agenda=(
        AgendaItem("On-call load", "report"), AgendaItem("Team offsite", "manager")), ended=True)
    return store, ana.id, first


def _texts(entries):
    return [(e.text, e.source) for e in entries]


def test_ending_says_what_carries_over_and_template_prompts_do_not(ana):
    store, person, _first = ana
    meeting = start_meeting(store, person, date="2026-01-12", template="weekly_check_in")
    assert not meeting.ended
    store.meetings.set_item_status(meeting.id, 2, "done")            # Team offsite
    store.meetings.set_item_status(meeting.id, 3, "dropped")         # How are things going, Ana?
    store.meetings.add_item(meeting.id, text="Conference budget", owner="report")
    action = store.actions.add(person_id=person, text="Book the venue", owner="manager",
                               meeting_id=meeting.id, due="2026-01-20")

    summary = end_meeting(store, meeting.id)
    assert summary.meeting.ended and summary.meeting.ended_at
    assert [i.text for i in summary.done] == ["Team offsite"]
    assert [i.text for i in summary.dropped] == ["How are things going, Ana?"]
    assert [i.text for i in summary.carried] == ["On-call load", "Conference budget"]
    assert [i.text for i in summary.left_open] == [
        "Wins since last time", "Anything blocking you?", "Feedback from me",
        "Priorities for the coming week"]
    assert summary.actions == (action,)
    assert summary_sentences(summary) == [
        "1 of 8 points done, 1 dropped.", "3 things carry over to the next 1:1:",
        "4 template points left open will not carry over; the template asks them again."]
    assert _texts(next_agenda(store, person, today="2026-01-19")) == [
        ("On-call load", "carried_over"), ("Conference budget", "carried_over"),
        ("Book the venue", "action")]
    assert end_meeting(store, meeting.id).meeting.ended_at == summary.meeting.ended_at


def test_deleting_a_1on1_started_by_mistake_loses_nothing_the_manager_wrote(ana):
    store, person, first = ana
    set_cadence(store, person, "weekly", today="2026-01-06")
    assert cadence_of(store, person).next_date == "2026-01-12"
    note = store.notes.add(person_id=person, text="Asked about the staff role", date="2026-01-08")
    topics = TopicSuggestions(store)
    topics.save(TopicSuggestion(person, f"note:{note.id}", "The staff role", (note.id,), "model"),
                model_sha256="0" * 64, prompt_version="1")
    topics.accept(person, f"note:{note.id}")
    before = next_agenda(store, person, today="2026-01-19")

    mistake = start_meeting(store, person, date="2026-01-12", template="weekly_check_in")
    assert cadence_of(store, person).next_date == "2026-01-19"
    store.meetings.set_item_status(mistake.id, 4, "done")             # a template prompt: harmless
    store.meetings.record_notes(mistake.id, "Wrong person, sorry")
    action = store.actions.add(person_id=person, text="Send the rota", owner="manager",
                               meeting_id=mistake.id)
    deletion = deletion_of(store, mistake.id)
    assert deletion.refusal is None
    assert deletion.sentences() == [
        "The 1:1 with Ana Ruiz on 12 Jan and its 8 agenda points will be deleted.",
        "2 points carried over from earlier 1:1s stay open on Ana's next agenda.",
        "1 action agreed in it stays on Ana's list.",
        "Your notes from it stay in Ana's timeline as a 1:1 note."]
    timeline_note = store.meetings.timeline_note_id(mistake.id)

    delete_meeting(store, mistake.id)
    assert [m.id for m in store.meetings.for_person(person)] == [first.id]
    after = next_agenda(store, person, today="2026-01-19")
    assert [e for e in after if e.source != "action"] == before        # carried points and topic
    assert ("Send the rota", "action") in _texts(after)
    assert store.actions.get(action.id).meeting_id is None
    kept = store.notes.get(timeline_note)
    assert (kept.text, kept.deleted_at) == ("Wrong person, sorry", None)
    assert cadence_of(store, person).next_date == "2026-01-12"        # as before the mistake


def test_deleting_is_refused_where_it_would_close_or_orphan_points(ana):
    store, person, first = ana
    second = start_meeting(store, person, date="2026-01-12")
    third = start_meeting(store, person, date="2026-01-19")
    store.meetings.add_item(second.id, text="Raised on the 12th", owner="manager")
    fourth = start_meeting(store, person, date="2026-01-26")
    with pytest.raises(InvalidInput, match="points first raised in it were carried over to the "
                                           "1:1 of 26 Jan. Delete that one first"):
        delete_meeting(store, second.id)
    store.meetings.set_item_status(fourth.id, 1, "done")             # On-call load, carried in
    with pytest.raises(InvalidInput, match=r'1 point from earlier 1:1s or open actions was ticked '
                                           r'or dropped in it \("On-call load"\).*reopen it first'):
        delete_meeting(store, fourth.id)
    assert [m.id for m in store.meetings.for_person(person)] == [
        fourth.id, third.id, second.id, first.id]
    store.meetings.set_item_status(fourth.id, 1, "open")
    delete_meeting(store, fourth.id)
    assert ("On-call load", "carried_over") in _texts(next_agenda(store, person, today="2026-02-02"))


def test_m010_counts_the_1on1s_kept_before_it_as_ended(tmp_path):
    db = sqlite_utils.Database(connect(tmp_path / "m009.db", b"\x07" * 32), execute_plugins=False)
    migrate(db, MIGRATIONS[:9])
    db.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES ('p-1', 'Ana', 'x', 'x')")
    db.execute("INSERT INTO meetings (id, person_id, date, notes, created_at, updated_at) "
               "VALUES ('m-1', 'p-1', '2026-01-05', '', '2026-01-05T09:00:00+00:00', "
               "'2026-01-05T10:00:00+00:00')")
    assert migrate(db) == ["m010_ended_one_on_ones"]
    assert db.execute("SELECT ended_at FROM meetings").fetchall() == [("2026-01-05T10:00:00+00:00",)]
