"""What the 1:1 commands print for people: the window's words, headings and dates.

Why this module exists: ``trellis agenda Ana`` printed internal values
("1 report carried_over How are things going, …? m-f30bc4c9ffb7") where the
window says "them · carried over from 7 Dec". These functions word the
next agenda, a 1:1, the list of 1:1s, what ending one did and what deleting
one would do, with ``app.services.agenda_words`` — the same words the
window uses. Ids appear only where the manager needs one to act, and say
what for. ``--json`` output is built elsewhere and does not change.
"""

from ..domain.dates import short_date, today_iso
from ..errors import InvalidInput, NotFound
from ..services.agenda_templates import AgendaTemplates
from ..services.agenda_words import (GOAL_STATUS_WORDS, ended_words, overdue_since, owner_word,
                                     point_line)
from ..services.one_on_ones import summary_lines
from .common import table

MARKS = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}


def template_title(name: str | None) -> str | None:
    """"Weekly check-in" for ``weekly_check_in``; the name itself if the file cannot be read."""
    if not name:
        return None
    try:
        return AgendaTemplates().get(name).title
    except (InvalidInput, NotFound, OSError):
        return name


def heading(text: str) -> list[str]:
    return [text, "=" * len(text)]


def meeting_dates(store, person_id: str) -> dict[str, str]:
    return {m.id: m.date for m in store.meetings.for_person(person_id)}


def next_agenda_lines(store, person, entries, *, date: str | None, template: str | None) -> list[str]:
    """The next agenda as the 1:1s tab shows it, numbered for ``--items``."""
    when = f", {short_date(date)}" if date else ""
    title = template_title(template)
    lines = heading(f"Next 1:1 with {person.name}{when}" + (f" · {title}" if title else "")) + [""]
    if not entries:
        first = person.name.split()[0]
        return lines + [f"Nothing carried over for {first}; choose a template (--template) or add "
                        "points once the 1:1 starts."]
    dates = meeting_dates(store, person.id)
    dues = {a.id: a.due for a in store.actions.open_for_person(person.id)}
    today = date or today_iso()
    lines += [f"{n:>3}. {point_line(e, dates, overdue_since(e, dues, today))}"
              for n, e in enumerate(entries, 1)]
    return lines + ["", f'Start it: trellis meeting start "{person.name}"'
                        + (f" --template {template}" if template else "")
                    + ". Share points: --export FILE --items 1,3."]


def meeting_lines(store, meeting) -> list[str]:
    """One 1:1: its heading, its numbered points with their marks, its notes, and its id."""
    person = store.people.get(meeting.person_id)
    parts = [f"1:1 with {person.name} on {short_date(meeting.date)}", template_title(meeting.template),
             ended_words(meeting)]
    lines = heading(" · ".join(p for p in parts if p)) + [""]
    lines += [f"{n:>3}. {MARKS[i.status]} {i.text}  —  {owner_word(i.owner)}"
              for n, i in enumerate(meeting.agenda, 1)] or ["  No agenda points."]
    if meeting.notes.strip():
        lines += ["", "Your notes", *(f"  {line}" for line in meeting.notes.strip().splitlines())]
    return lines + ["", f"Meeting id {meeting.id}: for trellis agenda check|drop|reopen|add|move "
                        "and trellis meeting notes|end|delete."]


def meetings_lines(person, meetings) -> list[str]:
    """A person's 1:1s, newest first, with how far each got."""
    if not meetings:
        return [f"No 1:1s with {person.name} yet."]
    rows = []
    for meeting in meetings:
        done = sum(i.status == "done" for i in meeting.agenda)
        notes = " ".join(meeting.notes.split())
        notes = notes[:60] + "…" if len(notes) > 60 else notes or "no notes"
        rows.append([short_date(meeting.date, year=True), ended_words(meeting, time=False),
                     f"{done} of {len(meeting.agenda)} points done", notes, f"(id {meeting.id})"])
    return heading(f"1:1s with {person.name}, newest first") + [""] + [f"  {r}" for r in table(rows)]


def ended_lines(store, summary) -> list[str]:
    """What ending a 1:1 did: done, dropped, and what carries over, in the window's words."""
    person = store.people.get(summary.meeting.person_id)
    return (heading(f"Ended the 1:1 with {person.name} on {short_date(summary.meeting.date)}")
            + [""] + summary_lines(summary))


def actions_lines(person, actions, today: str) -> list[str]:
    """A person's action items, open first: whose, when due (and if overdue), the id to tick."""
    if not actions:
        return [f"No action items for {person.name}."]
    rows = table([[MARKS["done" if a.done else "open"], a.text, f"—  {owner_word(a.owner)}"
                   + _due_words(a.due, today, open_=not a.done), f"(id {a.id})"] for a in actions])
    return (heading(f"Action items for {person.name}, open first") + ["", *(f"  {r}" for r in rows),
            "", "Mark one done: trellis action done ID (--undo opens it again)."])


def _due_words(due: str | None, today: str, *, open_: bool) -> str:
    if not due:
        return ""
    late = open_ and due < today
    return f" · {'overdue since' if late else 'due'} {short_date(due, year=True)}"


def goals_lines(person, goals, today: str) -> list[str]:
    """A person's goals like the Goals tab: status in words, due date, dated progress."""
    if not goals:
        return [f"No goals for {person.name}."]
    lines = heading(f"Goals for {person.name}")
    for goal, history in goals:
        still_open = goal.status not in ("done", "dropped")
        lines += ["", f"  {goal.title}  —  {GOAL_STATUS_WORDS[goal.status]}"
                  + _due_words(goal.due, today, open_=still_open) + f"  (id {goal.id})"]
        lines += [f"    {short_date(u.date, year=True)}"
                  + (f" [{GOAL_STATUS_WORDS[u.status]}]" if u.status else "") + f"  {u.text}"
                  for u in history]
    return lines + ["", "Record progress: trellis goal update ID TEXT [--status STATUS]."]
