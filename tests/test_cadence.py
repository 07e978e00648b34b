"""Cadence, next dates, who is overdue for a 1:1, and overdue action items."""

import pytest

from app.errors import InvalidInput, NotFound
from app.services.agenda import start_meeting
from app.services.cadence import cadence_of, one_interval_after, overdue, set_cadence


def test_intervals_follow_the_calendar():
    assert one_interval_after("2026-01-05", "weekly") == "2026-01-12"
    assert one_interval_after("2026-01-05", "fortnightly") == "2026-01-19"
    assert one_interval_after("2026-01-31", "monthly") == "2026-02-28"
    assert one_interval_after("2026-12-15", "monthly") == "2027-01-15"
    assert one_interval_after("2026-01-05", "none") is None


def test_without_a_cadence_nobody_is_overdue(team):
    store, ana, li = team
    assert cadence_of(store, ana.id).cadence == "none"
    store.meetings.add(person_id=ana.id, date="2025-01-01")
    assert overdue(store, "2026-06-01") == []


def test_next_date_defaults_to_one_interval_after_the_last_one_on_one(team):
    store, ana, li = team
    store.meetings.add(person_id=ana.id, date="2026-01-05")
    assert set_cadence(store, ana.id, "fortnightly", today="2026-01-07").next_date == "2026-01-19"
    assert set_cadence(store, li.id, "weekly", today="2026-01-07").next_date == "2026-01-14"
    assert set_cadence(store, li.id, "monthly", next_date="2026-02-02",
                       today="2026-01-07").next_date == "2026-02-02"
    assert set_cadence(store, li.id, "none", today="2026-01-07").next_date is None


def test_overdue_when_the_next_date_passed_or_no_one_on_one_within_the_cadence(team):
    store, ana, li = team
    store.meetings.add(person_id=ana.id, date="2026-01-05")
    set_cadence(store, ana.id, "weekly", next_date="2026-01-20", today="2026-01-06")
    set_cadence(store, li.id, "fortnightly", today="2026-01-06")      # never met: due 2026-01-20
    assert overdue(store, "2026-01-12") == []
    # Ana: planned for the 20th, but a week after the last 1:1 has passed already.
    [late] = overdue(store, "2026-01-13")
    assert (late.person.id, late.due, late.days_overdue, late.last_one_on_one) == (
        ana.id, "2026-01-12", 1, "2026-01-05")
    assert [(o.person.id, o.days_overdue) for o in overdue(store, "2026-01-22")] == [
        (ana.id, 10), (li.id, 2)]
    store.people.archive(li.id)
    assert [o.person.id for o in overdue(store, "2026-01-22")] == [ana.id]


def test_starting_a_meeting_moves_the_next_date_on(team):
    store, ana, li = team
    set_cadence(store, ana.id, "weekly", next_date="2026-01-12", today="2026-01-05")
    start_meeting(store, ana.id, date="2026-01-13")
    assert cadence_of(store, ana.id).next_date == "2026-01-20"
    assert overdue(store, "2026-01-19") == []


def test_bad_cadence_input_is_refused_and_nothing_changes(team):
    store, ana, li = team
    set_cadence(store, ana.id, "weekly", next_date="2026-01-12", today="2026-01-05")
    before = cadence_of(store, ana.id)
    with pytest.raises(InvalidInput, match="cadence 'daily' is not one of: weekly, fortnightly, monthly, none"):
        set_cadence(store, ana.id, "daily")
    with pytest.raises(InvalidInput, match="next date: '12/01/2026' is not a date in YYYY-MM-DD form"):
        set_cadence(store, ana.id, "monthly", next_date="12/01/2026")
    with pytest.raises(NotFound, match="No person with id 'p-ghost'"):
        set_cadence(store, "p-ghost", "weekly")
    with pytest.raises(InvalidInput, match="today: '2026-13-01' is not a real calendar date"):
        overdue(store, "2026-13-01")
    assert cadence_of(store, ana.id) == before


def test_overdue_action_items(team):
    store, ana, li = team
    late = store.actions.add(person_id=ana.id, text="Send the doc", owner="report", due="2026-01-09")
    store.actions.add(person_id=ana.id, text="Due today", owner="report", due="2026-01-12")
    store.actions.add(person_id=ana.id, text="No due date", owner="manager")
    done = store.actions.add(person_id=li.id, text="Done already", owner="manager", due="2026-01-02")
    store.actions.set_done(done.id)
    older = store.actions.add(person_id=li.id, text="Older", owner="manager", due="2026-01-01")
    assert [a.id for a in store.actions.overdue("2026-01-12")] == [older.id, late.id]
    store.actions.set_done(late.id)
    assert [a.id for a in store.actions.overdue("2026-01-12")] == [older.id]
    store.people.archive(li.id)
    assert store.actions.overdue("2026-01-12") == []


def test_bad_action_input_is_refused_and_nothing_is_saved(team):
    store, ana, li = team
    meeting = store.meetings.add(person_id=li.id, date="2026-01-05")
    for call, problem in (
            (dict(text="x", owner="boss"), "owner 'boss' is not one of: manager, report"),
            (dict(text=" ", owner="manager"), "An action item needs some text"),
            (dict(text="x", owner="manager", due="2026-02-31"), "due: '2026-02-31' is not a real calendar date"),
            (dict(text="x", owner="manager", meeting_id=meeting.id), "a 1:1 with someone else"),
            (dict(text="x", owner="manager", meeting_id="m-nope"), "No meeting with id 'm-nope'")):
        with pytest.raises((InvalidInput, NotFound), match=problem):
            store.actions.add(person_id=ana.id, **call)
    with pytest.raises(NotFound, match="No action item with id 'a-nope'"):
        store.actions.set_done("a-nope")
    assert store.actions.all() == []


def test_goal_updates_are_dated_history_and_bad_input_changes_nothing(team):
    store, ana, li = team
    goal = store.goals.add(person_id=ana.id, title="Lead the migration", due="2026-06-30",
                           description="Plan, run and report the database migration")
    first = store.goals.add_update(goal.id, "Plan agreed", date="2026-02-01")
    second = store.goals.add_update(goal.id, "Slipping: vendor late", date="2026-03-01",
                                    status="at_risk")
    assert store.goals.history(goal.id) == [first, second]
    assert store.goals.get(goal.id).status == "at_risk"
    changed = store.goals.update(goal.id, due="2026-07-31", description="Now with the vendor")
    assert (changed.due, changed.description, changed.title) == ("2026-07-31", "Now with the vendor",
                                                                 "Lead the migration")
    for bad in (lambda: store.goals.add_update(goal.id, "x", status="stuck"),
                lambda: store.goals.add_update(goal.id, "x", date="yesterday"),
                lambda: store.goals.add_update(goal.id, "   "),
                lambda: store.goals.update(goal.id, status="late"),
                lambda: store.goals.update(goal.id, due="2026-02-30")):
        with pytest.raises(InvalidInput):
            bad()
    assert store.goals.history(goal.id) == [first, second]
    assert store.goals.get(goal.id) == changed
    with pytest.raises(NotFound, match="No goal with id 'g-nope'"):
        store.goals.history("g-nope")
