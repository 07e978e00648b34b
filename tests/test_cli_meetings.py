"""``trellis agenda|meetings|meeting|cadence|overdue|action|goal``.

Most commands run in this process through ``app.cli.main`` (a child
process per command would make this module take minutes); one test runs
the real ``trellis`` executable end to end.
"""

import json

import pytest


@pytest.fixture
def ana(run, store):
    """Ana with a first 1:1 (weekly check-in) on 2026-01-05, as a manager would set it up.

    The store is made by the fixture so its key uses the cheap test KDF.
    """
    store.people.add(name="Ana Ruiz")
    store.close()
    cli = run
    started = cli("meeting", "start", "Ana", "--date", "2026-01-05", "--template",
                  "weekly_check_in", "--json")
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_agenda_json_lists_text_citations_owner_and_source(cli, run, ana):
    """The real ``trellis`` executable: what scripts parse."""
    meeting = ana["id"]
    assert run("agenda", "check", meeting, "1").returncode == 0
    assert run("agenda", "drop", meeting, "2").returncode == 0
    action = _json(run("action", "add", "Ana", "Send the design doc", "--owner", "report",
                       "--due", "2026-01-09", "--meeting", meeting, "--json"))
    agenda = _json(cli("agenda", "Ana", "--json", "--date", "2026-01-12"))
    assert agenda == [
        {"text": "Anything blocking you?", "citations": [meeting], "owner": "report",
         "source": "carried_over"},
        {"text": "Feedback from me", "citations": [meeting], "owner": "manager",
         "source": "carried_over"},
        {"text": "Priorities for the coming week", "citations": [meeting], "owner": "manager",
         "source": "carried_over"},
        {"text": "Send the design doc", "citations": [action["id"], meeting], "owner": "report",
         "source": "action"}]
    text = cli("agenda", "Ana", "--date", "2026-01-12")
    assert text.returncode == 0 and "carried_over  Anything blocking you?" in text.stdout


def test_a_meeting_round_trip_from_the_terminal(run, ana):
    cli = run
    meeting = ana["id"]
    assert [i["text"] for i in ana["agenda"]][0] == "How are things going, Ana?"
    moved = _json(cli("agenda", "move", meeting, "5", "1", "--json"))
    assert moved["agenda"][0]["text"] == "Priorities for the coming week"
    added = _json(cli("agenda", "add", meeting, "Conference budget", "--owner", "report", "--json"))
    assert added["agenda"][-1] == {"number": 6, "text": "Conference budget", "owner": "report",
                                   "status": "open", "source": "manual", "citations": []}
    saved = _json(cli("meeting", "notes", meeting, "Ana wants to lead the importer", "--json"))
    notes = _json(cli("notes", "Ana", "--json"))
    assert [(n["id"], n["kind"], n["date"]) for n in notes] == [
        (saved["timeline_note"], "one_on_one", "2026-01-05")]
    listed = _json(cli("meetings", "Ana", "--json"))
    assert [(m["id"], m["notes"], m["template"]) for m in listed] == [
        (meeting, "Ana wants to lead the importer", "weekly_check_in")]
    second = _json(cli("meeting", "start", "Ana", "--date", "2026-01-12", "--json"))
    assert {i["source"] for i in second["agenda"]} == {"carried_over"}
    assert len(second["agenda"]) == 6


def test_cadence_overdue_and_actions(run, ana):
    cli = run
    shown = _json(cli("cadence", "Ana", "weekly", "--json"))
    assert (shown["cadence"], shown["next_date"]) == ("weekly", "2026-01-12")
    action = _json(cli("action", "add", "Ana", "Write the runbook", "--owner", "manager",
                       "--due", "2026-01-10", "--json"))
    late = _json(cli("overdue", "--today", "2026-01-14", "--json"))
    assert [(o["name"], o["days_overdue"]) for o in late["one_on_ones"]] == [("Ana Ruiz", 2)]
    assert [a["id"] for a in late["actions"]] == [action["id"]]
    assert _json(cli("action", "done", action["id"], "--json"))["done"] is True
    assert _json(cli("overdue", "--today", "2026-01-14", "--json"))["actions"] == []
    assert _json(cli("actions", "Ana", "--json"))[0]["done"] is True


def test_goals_with_dated_updates(run, ana):
    cli = run
    goal = _json(cli("goal", "add", "Ana", "Lead the importer", "--due", "2026-06-30",
                     "--description", "Own it end to end", "--json"))
    _json(cli("goal", "update", goal["id"], "Vendor is late", "--status", "at_risk",
              "--date", "2026-02-01", "--json"))
    [listed] = _json(cli("goals", "Ana", "--json"))
    assert (listed["status"], listed["description"]) == ("at_risk", "Own it end to end")
    assert [(u["date"], u["text"], u["status"]) for u in listed["history"]] == [
        ("2026-02-01", "Vendor is late", "at_risk")]
    agenda = _json(cli("agenda", "Ana", "--json", "--date", "2026-02-02"))
    assert {"text": "Goal: Lead the importer (at risk)", "citations": [goal["id"]],
            "owner": "manager", "source": "goal"} in agenda


def test_agenda_export_is_markdown_without_notes(run, ana, tmp_path):
    cli = run
    meeting = ana["id"]
    cli("meeting", "notes", meeting, "SECRET: Ana is interviewing elsewhere")
    out = tmp_path / "agenda.md"
    result = cli("agenda", "Ana", "--date", "2026-01-12", "--export", str(out), "--items", "1,4")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text == ("# 1:1 agenda: Ana Ruiz\n\n## From your manager\n\n- [ ] Feedback from me\n\n"
                    "## From you\n\n- [ ] How are things going, Ana?\n")
    assert "SECRET" not in text and meeting not in text


@pytest.mark.parametrize("args, problem", [
    (("cadence", "Ana", "weekly", "--next", "2026-02-30"), "'2026-02-30' is not a real calendar date"),
    (("agenda", "check", "m-nope", "1"), "No meeting with id 'm-nope'"),
    (("agenda", "check", "MEETING", "9"), "has 5 agenda items; item 9 is not between 1 and 5"),
    (("agenda", "move", "MEETING", "1", "7"), "new position 7 is not between 1 and 5"),
    (("agenda", "check", "MEETING"), "Usage: trellis agenda check MEETING N"),
    (("meeting", "start", "Ana", "--template", "standup"), "No agenda template named 'standup'"),
    (("meeting", "start", "Ana", "--date", "05/01/2026"), "is not a date in YYYY-MM-DD form"),
    (("action", "done", "a-nope"), "No action item with id 'a-nope'"),
    (("goal", "update", "g-nope", "x"), "No goal with id 'g-nope'"),
    (("agenda", "Nobody"), "No person matches 'Nobody'"),
    (("agenda", "Ana", "--export", "-", "--items", "1,99"), "there is no point 98"),
])
def test_bad_input_is_a_clear_error_and_changes_nothing(run, ana, args, problem):
    cli = run
    args = tuple(ana["id"] if a == "MEETING" else a for a in args)
    before = _json(cli("meetings", "Ana", "--json"))
    result = cli(*args)
    assert result.returncode == 1, result.stdout
    assert problem in result.stderr
    assert _json(cli("meetings", "Ana", "--json")) == before
    assert _json(cli("cadence", "Ana", "--json"))["cadence"] == "none"


def test_an_unknown_cadence_is_refused_by_the_command(run, ana):
    cli = run
    result = cli("cadence", "Ana", "daily")
    assert result.returncode == 2 and "invalid choice: 'daily'" in result.stderr
