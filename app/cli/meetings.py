"""``trellis agenda|meetings|meeting|cadence|overdue|action|goal|topics``: 1:1s from a terminal.

Why this module exists: a manager who lives in a terminal runs the week's
1:1s without the window — sees the next agenda with what carries over,
starts a meeting, checks points off, writes the notes, adds actions and
goal updates. The commands stay thin: every rule is in ``app.services``
(agenda, cadence, topics) and ``app.store.meetings``.

``trellis agenda`` takes either a person (``trellis agenda Ana``) or an
action on a meeting's agenda (``trellis agenda check MEETING N``).
"""

import sys
from dataclasses import asdict
from pathlib import Path

from .. import policy as policies
from .common import emit, json_flag, one_line, open_store, table
from .meeting_lines import (actions_lines, ended_lines, goals_lines, meeting_lines, meetings_lines,
                            next_agenda_lines)
from ..domain.dates import short_date, today_iso
from ..services.agenda_words import owner_word
from ..domain.records import ACTION_OWNERS, CADENCES, GOAL_STATUSES
from ..errors import InvalidInput
from ..paths import write_atomically

AGENDA_ACTIONS = {"check": "done", "drop": "dropped", "reopen": "open"}


def add_meeting_commands(sub) -> None:
    """Add the 1:1 commands to the ``trellis`` sub-commands."""
    _add_agenda_command(sub)
    _add_meeting_commands(sub)
    _add_action_commands(sub)
    _add_goal_commands(sub)


# --- agenda ------------------------------------------------------------------

def _entry_dict(entry) -> dict:
    return {"text": entry.text, "citations": list(entry.citations), "owner": entry.owner,
            "source": entry.source}


def cmd_agenda(args) -> int:
    words = args.words
    if words[0] in AGENDA_ACTIONS:
        return _agenda_status(args, words)
    if words[0] == "add":
        return _agenda_add(args, words)
    if words[0] == "move":
        return _agenda_move(args, words)
    if len(words) != 1:
        raise InvalidInput("Usage: trellis agenda PERSON | agenda check|drop|reopen MEETING N | "
                           "agenda add MEETING TEXT --owner O | agenda move MEETING N TO")
    return _next_agenda(args, words[0])


def _next_agenda(args, reference: str) -> int:
    from ..services.agenda import agenda_markdown, next_agenda
    if args.export:
        policies.refuse_export()
    with open_store() as store:
        person = store.people.resolve(reference)
        entries = next_agenda(store, person.id, today=args.date, template=args.template)
        lines = next_agenda_lines(store, person, entries, date=args.date, template=args.template)
    if args.export:
        chosen = _chosen(args.items, len(entries))
        text = agenda_markdown(entries, chosen, title=f"1:1 agenda: {person.name}",
                               first_name=person.name.split()[0])
        _write_or_print(args.export, text)
        return 0
    emit(args, [_entry_dict(e) for e in entries], lines)
    return 0


def _chosen(items: str | None, count: int) -> list[int]:
    """``--items 1,3`` (counting from 1) as positions; all points when not given."""
    if not items:
        return list(range(count))
    try:
        return [int(part) - 1 for part in items.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"--items {items!r}: give point numbers like 1,3,4") from None


def _write_or_print(target: str, text: str) -> None:
    if target == "-":
        print(text, end="")
        return
    write_atomically(Path(target), text.encode("utf-8"))
    print(f"Agenda written to {target}", file=sys.stderr)


def _number(word: str, what: str) -> int:
    try:
        return int(word)
    except ValueError:
        raise InvalidInput(f"{what} must be a number counting from 1, got {word!r}") from None


def _expect(words: list[str], count: int, usage: str) -> None:
    if len(words) != count:
        raise InvalidInput(f"Usage: trellis agenda {usage}")


def _agenda_status(args, words) -> int:
    _expect(words, 3, f"{words[0]} MEETING N")
    with open_store(create=False) as store:
        meeting = store.meetings.set_item_status(words[1], _number(words[2], "N"),
                                                 AGENDA_ACTIONS[words[0]])
        return _show_meeting(args, store, meeting)


def _agenda_add(args, words) -> int:
    _expect(words, 3, "add MEETING TEXT --owner manager|report")
    with open_store(create=False) as store:
        meeting = store.meetings.add_item(words[1], text=words[2], owner=args.owner)
        return _show_meeting(args, store, meeting)


def _agenda_move(args, words) -> int:
    _expect(words, 4, "move MEETING N TO")
    with open_store(create=False) as store:
        meeting = store.meetings.move_item(words[1], _number(words[2], "N"), _number(words[3], "TO"))
        return _show_meeting(args, store, meeting)


def _add_agenda_command(sub) -> None:
    p = sub.add_parser("agenda", usage="trellis agenda PERSON [options]\n"
                                        "       trellis agenda check|drop|reopen MEETING N\n"
                                        "       trellis agenda add MEETING TEXT [--owner OWNER]\n"
                                        "       trellis agenda move MEETING N TO",
                       help="the next 1:1 agenda for a person, or check/drop/reopen/add/move a "
                            "point on a meeting's agenda")
    p.add_argument("words", nargs="+", metavar="WORDS",
                   help="PERSON, or an action on a meeting's agenda: check|drop|reopen MEETING N, "
                        "add MEETING TEXT, move MEETING N TO")
    p.add_argument("--template", help="add this template's points (e.g. weekly_check_in)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day of the 1:1 (default: today)")
    p.add_argument("--owner", choices=ACTION_OWNERS, default="manager", help="for agenda add")
    p.add_argument("--export", metavar="FILE", help="write the agenda as Markdown (- for stdout)")
    p.add_argument("--items", metavar="1,3,4", help="with --export: only these points")
    json_flag(p); p.set_defaults(func=cmd_agenda)


# --- meetings ----------------------------------------------------------------

def _meeting_dict(meeting, timeline_note_id=None) -> dict:
    data = asdict(meeting)
    data["agenda"] = [{"number": n, "text": i.text, "owner": i.owner, "status": i.status,
                       "source": i.source, "citations": list(i.citations)}
                      for n, i in enumerate(meeting.agenda, 1)]
    data["timeline_note"] = timeline_note_id
    return data


def _show_meeting(args, store, meeting) -> int:
    emit(args, _meeting_dict(meeting), [] if args.json else meeting_lines(store, meeting))
    return 0


def cmd_meetings(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        meetings = [(m, store.meetings.timeline_note_id(m.id)) for m in store.meetings.for_person(person.id)]
    emit(args, [_meeting_dict(m, note) for m, note in meetings],
          meetings_lines(person, [m for m, _ in meetings]))
    return 0


def cmd_meeting_start(args) -> int:
    from ..services.agenda import start_meeting
    with open_store() as store:
        person = store.people.resolve(args.person)
        meeting = start_meeting(store, person.id, date=args.date, template=args.template)
        return _show_meeting(args, store, meeting)


def cmd_meeting_show(args) -> int:
    with open_store(create=False) as store:
        return _show_meeting(args, store, store.meetings.get(args.meeting))


def cmd_meeting_notes(args) -> int:
    with open_store(create=False) as store:
        meeting = store.meetings.record_notes(args.meeting, args.text)
        note_id = store.meetings.timeline_note_id(meeting.id)
        name = store.people.get(meeting.person_id).name.split()[0]
    saved = (f"Saved your notes of the 1:1 on {short_date(meeting.date)}; they are in {name}'s "
             f"timeline as a 1:1 note (id {note_id})." if note_id and meeting.notes.strip() else
             f"Cleared your notes of the 1:1 on {short_date(meeting.date)}.")
    emit(args, _meeting_dict(meeting, note_id), [saved])
    return 0


def cmd_meeting_end(args) -> int:
    from ..services.one_on_ones import end_meeting
    with open_store(create=False) as store:
        summary = end_meeting(store, args.meeting)
        emit(args, _summary_dict(summary), [] if args.json else ended_lines(store, summary))
    return 0


def _summary_dict(summary) -> dict:
    numbers = {item.id: n for n, item in enumerate(summary.meeting.agenda, 1)}
    return {"meeting": _meeting_dict(summary.meeting),
            **{key: [numbers[i.id] for i in getattr(summary, key)]
               for key in ("done", "dropped", "carried", "left_open")},
            "actions": [asdict(a) for a in summary.actions]}


def cmd_meeting_delete(args) -> int:
    from ..services.one_on_ones import delete_meeting
    with open_store(create=False) as store:
        deletion = delete_meeting(store, args.meeting)
    emit(args, {"deleted": deletion.meeting.id, "person": deletion.meeting.person_id,
                "reopened": [i.text for i in deletion.reopened],
                "actions_kept": [a.id for a in deletion.actions],
                "notes_kept": deletion.notes_kept},
         deletion.sentences(done=True))
    return 0


def cmd_cadence(args) -> int:
    from ..services.cadence import cadence_of, set_cadence
    with open_store() as store:
        person = store.people.resolve(args.person)
        if args.cadence:
            cadence = set_cadence(store, person.id, args.cadence, next_date=args.next)
        else:
            cadence = cadence_of(store, person.id)
    nxt = f", next 1:1 {cadence.next_date}" if cadence.next_date else ""
    emit(args, asdict(cadence), [f"{person.name}: {cadence.cadence}{nxt}"])
    return 0


def cmd_overdue(args) -> int:
    from ..services.cadence import overdue
    with open_store() as store:
        late = overdue(store, args.today)
        actions = store.actions.overdue(args.today)
        names = {p.id: p.name for p in store.people.list(include_archived=True)}
    data = {"one_on_ones": [{"person": o.person.id, "name": o.person.name, "cadence": o.cadence,
                             "due": o.due, "days_overdue": o.days_overdue,
                             "last_one_on_one": o.last_one_on_one} for o in late],
            "actions": [asdict(a) for a in actions]}
    lines = [f"  {o.person.name}: overdue by {o.days_overdue} "
             f"{'day' if o.days_overdue == 1 else 'days'} (due {short_date(o.due, year=True)})"
             for o in late]
    lines = ["1:1s overdue", *lines, ""] if lines else []
    done_by = [f"  {names.get(a.person_id, a.person_id)}: {one_line(a.text, 60)}  —  "
               f"{owner_word(a.owner)} · overdue since {short_date(a.due, year=True)}  (id {a.id})"
               for a in actions]
    lines += ["Actions overdue", *done_by] if done_by else []
    emit(args, data, lines or ["Nothing overdue."])
    return 0


def cmd_topics(args) -> int:
    from ..llm.prompts import PromptLibrary
    from ..llm.selection import engine_for
    from ..services.topics import TopicSuggestions, suggest_topics
    from ..settings import load_settings
    with open_store() as store:
        person = store.people.resolve(args.person)
        if args.accept or args.dismiss:
            answer = TopicSuggestions(store).accept if args.accept else TopicSuggestions(store).dismiss
            topic = answer(person.id, args.accept or args.dismiss)
            emit(args, asdict(topic), [f"{topic.state.capitalize()}: {topic.text}"])
            return 0
        engine = engine_for(load_settings())
        engine.load()
        try:
            topics = suggest_topics(store, engine, PromptLibrary(), person.id, today=args.date)
        finally:
            engine.close()
    emit(args, [asdict(t) for t in topics],
          table([[t.key, one_line(t.text, 70), " ".join(t.citations)] for t in topics])
          or ["No topics to suggest."])
    return 0


def _add_meeting_commands(sub) -> None:
    p = sub.add_parser("meetings", help="a person's past 1:1s, newest first")
    p.add_argument("person"); json_flag(p); p.set_defaults(func=cmd_meetings)
    meeting = sub.add_parser("meeting", help="start, show, end or delete a 1:1, or save its notes"
                             ).add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = meeting.add_parser("start", help="a new 1:1 whose agenda is the next agenda")
    p.add_argument("person"); p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--template", help="e.g. weekly_check_in, career_conversation")
    json_flag(p); p.set_defaults(func=cmd_meeting_start)
    p = meeting.add_parser("show", help="a 1:1 with its numbered agenda")
    p.add_argument("meeting"); json_flag(p); p.set_defaults(func=cmd_meeting_show)
    p = meeting.add_parser("notes", help="save the notes (also the person's timeline note)")
    p.add_argument("meeting"); p.add_argument("text")
    json_flag(p); p.set_defaults(func=cmd_meeting_notes)
    p = meeting.add_parser("end", help="end the 1:1: what was done, and what carries over to the "
                                       "next one (template prompts do not)")
    p.add_argument("meeting"); json_flag(p); p.set_defaults(func=cmd_meeting_end)
    p = meeting.add_parser("delete", help="delete a 1:1 started by mistake: points carried into it "
                                          "stay open, its notes stay in the timeline")
    p.add_argument("meeting"); json_flag(p); p.set_defaults(func=cmd_meeting_delete)
    p = sub.add_parser("cadence", help="show or set how often you meet a person")
    p.add_argument("person"); p.add_argument("cadence", nargs="?", choices=CADENCES)
    p.add_argument("--next", metavar="YYYY-MM-DD", help="the next 1:1 (default: one interval on)")
    json_flag(p); p.set_defaults(func=cmd_cadence)
    p = sub.add_parser("overdue", help="overdue 1:1s and action items")
    p.add_argument("--today", metavar="YYYY-MM-DD"); json_flag(p); p.set_defaults(func=cmd_overdue)
    p = sub.add_parser("topics", help="suggest topics for a person's next 1:1 (on-device model), "
                                      "or accept/dismiss one")
    p.add_argument("person"); p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--accept", metavar="KEY"); p.add_argument("--dismiss", metavar="KEY")
    json_flag(p); p.set_defaults(func=cmd_topics)


# --- actions and goals -------------------------------------------------------

def cmd_action_add(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        action = store.actions.add(person_id=person.id, text=args.text, owner=args.owner,
                                   due=args.due, meeting_id=args.meeting)
    emit(args, asdict(action), [f"Added action {action.id} for {person.name}"])
    return 0


def cmd_action_done(args) -> int:
    with open_store(create=False) as store:
        action = store.actions.set_done(args.id, not args.undo)
    emit(args, asdict(action), [f"Action {action.id} is {'done' if action.done else 'open'}"])
    return 0


def cmd_actions(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        actions = store.actions.for_person(person.id)
    emit(args, [asdict(a) for a in actions], actions_lines(person, actions, today_iso()))
    return 0


def cmd_goal_add(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        goal = store.goals.add(person_id=person.id, title=args.title, status=args.status,
                               due=args.due, description=args.description or "")
    emit(args, asdict(goal), [f"Added goal {goal.id} for {person.name}"])
    return 0


def cmd_goal_update(args) -> int:
    if not (args.text or args.status or args.title or args.due or args.description is not None):
        raise InvalidInput("Say what changed: an update TEXT, --status, --title, --description or --due")
    update = None
    with open_store(create=False) as store, store.atomic():
        store.goals.update(args.id, title=args.title, description=args.description, due=args.due,
                           status=None if args.text else args.status)
        if args.text:
            update = store.goals.add_update(args.id, args.text, date=args.date, status=args.status)
        goal = store.goals.get(args.id)
    emit(args, {"goal": asdict(goal), "update": asdict(update) if update else None},
          [f"Goal {goal.id}: {goal.title} ({goal.status}" + (f", due {goal.due})" if goal.due else ")")])
    return 0


def cmd_goals(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        goals = [(g, store.goals.history(g.id)) for g in store.goals.for_person(person.id)]
    emit(args, [{**asdict(g), "history": [asdict(u) for u in h]} for g, h in goals],
          goals_lines(person, goals, today_iso()))
    return 0


def _add_action_commands(sub) -> None:
    action = sub.add_parser("action", help="add an action item or mark one done").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = action.add_parser("add", help="an action item for a person")
    p.add_argument("person"); p.add_argument("text")
    p.add_argument("--owner", required=True, choices=ACTION_OWNERS)
    p.add_argument("--due", metavar="YYYY-MM-DD"); p.add_argument("--meeting", metavar="MEETING")
    json_flag(p); p.set_defaults(func=cmd_action_add)
    p = action.add_parser("done", help="mark an action item done (--undo: open again)")
    p.add_argument("id"); p.add_argument("--undo", action="store_true")
    json_flag(p); p.set_defaults(func=cmd_action_done)
    p = sub.add_parser("actions", help="a person's action items, open first")
    p.add_argument("person"); json_flag(p); p.set_defaults(func=cmd_actions)


def _add_goal_commands(sub) -> None:
    goal = sub.add_parser("goal", help="add a goal or record progress on one").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = goal.add_parser("add", help="a goal for a person")
    p.add_argument("person"); p.add_argument("title")
    p.add_argument("--description"); p.add_argument("--due", metavar="YYYY-MM-DD")
    p.add_argument("--status", default="on_track", choices=GOAL_STATUSES)
    json_flag(p); p.set_defaults(func=cmd_goal_add)
    p = goal.add_parser("update", help="a dated progress update, a new status, or new details")
    p.add_argument("id"); p.add_argument("text", nargs="?", help="what happened (a dated entry)")
    p.add_argument("--status", choices=GOAL_STATUSES); p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--title"); p.add_argument("--description"); p.add_argument("--due", metavar="YYYY-MM-DD")
    json_flag(p); p.set_defaults(func=cmd_goal_update)
    p = sub.add_parser("goals", help="a person's goals with their history")
    p.add_argument("person"); json_flag(p); p.set_defaults(func=cmd_goals)
