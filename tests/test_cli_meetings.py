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
    run("agenda", "add", meeting, "Conference budget", "--owner", "report")
    agenda = _json(cli("agenda", "Ana", "--json", "--date", "2026-01-12"))
    # The template's prompts left open do not carry over (issue 18); the real points do.
    assert agenda == [
        {"text": "Conference budget", "citations": [meeting], "owner": "report",
         "source": "carried_over"},
        {"text": "Send the design doc", "citations": [action["id"], meeting], "owner": "report",
         "source": "action"}]


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
    assert [(i["text"], i["source"]) for i in second["agenda"]] == [
        ("Conference budget", "carried_over")]


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
    result = cli("agenda", "Ana", "--date", "2026-01-12", "--template", "weekly_check_in",
                 "--export", str(out), "--items", "1,4")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    # A question for Ana is not a point "From you" (issue 18).
    assert text == ("# 1:1 agenda: Ana Ruiz\n\n## Questions for Ana\n\n"
                    "- [ ] How are things going, Ana?\n\n## From me\n\n- [ ] Feedback from me\n")
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
    (("agenda", "Ana", "--template", "weekly_check_in", "--export", "-", "--items", "1,99"),
     "there is no point 98"),
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


# --- what people read (issue 18, item 7): the window's words, headings, dates, no codes -----

def test_agenda_reads_like_the_window_with_a_heading_dates_and_no_internal_values(run, ana):
    cli = run
    meeting = ana["id"]
    cli("agenda", "add", meeting, "Conference budget", "--owner", "report")
    action = _json(cli("action", "add", "Ana", "Send the design doc", "--owner", "manager",
                       "--due", "2026-01-09", "--meeting", meeting, "--json"))
    shown = cli("agenda", "Ana", "--date", "2026-01-12", "--template", "weekly_check_in")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[:3] == ["Next 1:1 with Ana Ruiz, 12 Jan · Weekly check-in",
                         "=" * len(lines[0]), ""]
    assert lines[3:6] == [
        "  1. Conference budget  —  them  · carried over from 5 Jan",
        "  2. Send the design doc  —  you  · action · overdue since 9 Jan",
        "  3. How are things going, Ana?  —  them  · template"]
    for internal in (meeting, action["id"], "carried_over", "report", "manager", "2026-01"):
        assert internal not in shown.stdout


def test_meeting_show_end_and_delete_read_like_the_window(run, ana):
    cli = run
    meeting = ana["id"]
    cli("agenda", "check", meeting, "1")
    cli("agenda", "drop", meeting, "2")
    cli("agenda", "add", meeting, "Conference budget", "--owner", "report")
    cli("meeting", "notes", meeting, "Ana wants to lead the importer")
    shown = cli("meeting", "show", meeting).stdout.splitlines()
    assert shown[0] == "1:1 with Ana Ruiz on 5 Jan · Weekly check-in · in progress"
    assert shown[3:6] == ["  1. [x] How are things going, Ana?  —  them",
                          "  2. [-] Wins since last time  —  them",
                          "  3. [ ] Anything blocking you?  —  them"]
    assert "Your notes" in shown and "  Ana wants to lead the importer" in shown
    assert shown[-1].startswith(f"Meeting id {meeting}: for trellis agenda check")

    ended = cli("meeting", "end", meeting)
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.splitlines()[3:] == [
        "1 of 6 points done, 1 dropped.",
        "1 thing carries over to the next 1:1:",
        "  • Conference budget  —  them",
        "3 template points left open will not carry over; the template asks them again."]
    # Ended today, a 1:1 dated 5 Jan: "ended" without a time of day that would belong to another day.
    assert cli("meeting", "show", meeting).stdout.splitlines()[0].endswith("Weekly check-in · ended")
    assert _json(cli("meeting", "end", meeting, "--json"))["carried"] == [6]

    listed = cli("meetings", "Ana").stdout.splitlines()
    assert listed[0] == "1:1s with Ana Ruiz, newest first"
    assert listed[3].split()[:10] == ["5", "Jan", "2026", "ended", "1", "of", "6", "points", "done", "Ana"]
    assert listed[3].endswith(f"(id {meeting})")

    mistake = _json(cli("meeting", "start", "Ana", "--date", "2026-01-12", "--json"))
    deleted = cli("meeting", "delete", mistake["id"])
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.splitlines() == [
        "Deleted the 1:1 with Ana Ruiz on 12 Jan and its 1 agenda point.",
        "1 point carried over from earlier 1:1s stays open on Ana's next agenda."]
    assert [m["id"] for m in _json(cli("meetings", "Ana", "--json"))] == [meeting]


def test_deleting_a_1on1_that_carried_points_on_is_refused_with_the_reason(run, ana):
    cli = run
    meeting = ana["id"]
    cli("agenda", "add", meeting, "Conference budget", "--owner", "report")
    cli("meeting", "start", "Ana", "--date", "2026-01-12")
    refused = cli("meeting", "delete", meeting)
    assert refused.returncode == 1
    assert ("The 1:1 of 5 Jan cannot be deleted: points first raised in it were carried over to "
            "the 1:1 of 12 Jan.") in refused.stderr
    assert len(_json(cli("meetings", "Ana", "--json"))) == 2


def test_actions_goals_and_overdue_say_whose_and_when_in_words(run, ana):
    cli = run
    action = _json(cli("action", "add", "Ana", "Write the runbook", "--owner", "manager",
                       "--due", "2026-01-10", "--json"))
    goal = _json(cli("goal", "add", "Ana", "Lead the importer", "--due", "2099-06-30", "--json"))
    cli("goal", "update", goal["id"], "Vendor is late", "--status", "at_risk", "--date", "2026-02-01")
    actions = cli("actions", "Ana").stdout.splitlines()
    assert actions[0] == "Action items for Ana Ruiz, open first"
    assert actions[3].split("  (id")[0].split() == [
        "[", "]", "Write", "the", "runbook", "—", "you", "·", "overdue", "since", "10", "Jan", "2026"]
    assert actions[3].endswith(f"(id {action['id']})")
    goals = cli("goals", "Ana").stdout.splitlines()
    assert goals[3] == f"  Lead the importer  —  at risk · due 30 Jun 2099  (id {goal['id']})"
    assert goals[4] == "    1 Feb 2026 [at risk]  Vendor is late"
    cli("cadence", "Ana", "weekly")
    late = cli("overdue", "--today", "2026-01-14").stdout.splitlines()
    assert late == ["1:1s overdue", "  Ana Ruiz: overdue by 2 days (due 12 Jan 2026)", "",
                    "Actions overdue",
                    f"  Ana Ruiz: Write the runbook  —  you · overdue since 10 Jan 2026  (id {action['id']})"]
    for internal in ("manager", "at_risk", "on_track", "2026-0"):
        assert internal not in "\n".join(actions + goals + late)
