"""The next 1:1's agenda, always ready: what carries over, what is due, what was suggested.

``next_agenda`` gathers, in this order: every unfinished agenda item of
earlier 1:1s (carried over, citing the meeting it was first raised in),
every open action item (citing the action and its meeting) unless the
manager dropped it from an agenda, goals at risk or due within two weeks,
topics the manager accepted, and the chosen template's points. Done and
dropped items never come back, and a template's prompt never carries over:
it is not unfinished business, so the template asks it afresh. ``start_meeting`` stores those points on a
new meeting, each tied to its origin, so checking one off there closes it
where it came from.

``agenda_markdown`` is what the report gets to see: the chosen points under
"Questions for Ana", "From Ana" and "From me", never the manager's notes
or what a point was drawn from.
"""

from collections.abc import Iterable, Sequence

from ..domain.dates import near_date, parse_date, today_iso
from ..domain.records import AgendaEntry, AgendaItem, Meeting
from ..errors import InvalidInput, NotFound
from . import cadence
from .agenda_templates import AgendaTemplates
from .topics import TopicSuggestions, goals_to_raise


def next_agenda(store, person_id: str, *, today: str | None = None, template: str | None = None,
                templates: AgendaTemplates | None = None) -> list[AgendaEntry]:
    """The points for the person's next 1:1, each citing where it came from."""
    today = parse_date(today or today_iso(), where="today")
    person = store.people.get(person_id)
    threads = store.meetings.open_threads(person_id)
    goals = goals_to_raise(store, person_id, today)
    topics = _accepted_topics(store, person_id, threads)
    reworded = {e.action_id or e.goal_id for e in topics} - {None}
    entries = [*_carried(threads, {g.id for g in goals}, store),
               *(e for e in _open_actions(store, person_id, threads) if e.action_id not in reworded),
               *(_goal_entry(goal, today, threads) for goal in goals if goal.id not in reworded),
               *topics]
    if template:
        standing = (templates or AgendaTemplates()).get(template).entries(person)
        already = {e.text.casefold() for e in entries}
        entries += [e for e in standing if e.text.casefold() not in already]
    return entries


def _thread_for(threads, *, action_id=None, goal_id=None) -> int | None:
    for item, _meeting_id in threads:
        if (action_id and item.action_id == action_id) or (goal_id and item.goal_id == goal_id):
            return item.id
    return None


def _carried(threads, goals_raised: set[str], store) -> list[AgendaEntry]:
    """Unfinished items; those tied to an action or a goal still to raise are listed as such."""
    entries = []
    for item, meeting_id in threads:
        if item.action_id or item.goal_id in goals_raised or _goal_closed(store, item.goal_id):
            continue
        citations = tuple(dict.fromkeys((meeting_id, *item.citations)))
        entries.append(AgendaEntry(item.text, item.owner, "carried_over", citations,
                                   origin_id=item.id, goal_id=item.goal_id))
    return entries


def _goal_closed(store, goal_id: str | None) -> bool:
    return goal_id is not None and store.goals.get(goal_id).status in ("done", "dropped")


def _open_actions(store, person_id: str, threads) -> list[AgendaEntry]:
    dropped = store.meetings.dropped_action_ids(person_id)
    return [AgendaEntry(a.text, a.owner, "action",
                        tuple(filter(None, (a.id, a.meeting_id))),
                        origin_id=_thread_for(threads, action_id=a.id), action_id=a.id)
            for a in store.actions.open_for_person(person_id) if a.id not in dropped]


def _goal_entry(goal, today: str, threads) -> AgendaEntry:
    if goal.status == "at_risk":
        why = "at risk"
    else:
        when = near_date(goal.due, today)
        why = f"overdue since {when}" if goal.due < today else f"due {when}"
    return AgendaEntry(f"Goal: {goal.title} ({why})", "manager", "goal", (goal.id,),
                       origin_id=_thread_for(threads, goal_id=goal.id), goal_id=goal.id)


def _accepted_topics(store, person_id: str, threads) -> list[AgendaEntry]:
    """Accepted topics; one about an open action or a goal takes that record's own point
    (its wording, the same links), so the record is raised once."""
    entries = []
    for topic in TopicSuggestions(store).accepted_for_next_agenda(person_id):
        kind, _, record_id = topic.key.partition(":")
        links = {"action_id": record_id} if kind == "action" else (
            {"goal_id": record_id} if kind == "goal" else {})
        if links and not _still_open(store, kind, record_id):
            links = {}
        entries.append(AgendaEntry(topic.text, "manager", "suggested", topic.citations,
                                   origin_id=_thread_for(threads, **links) if links else None,
                                   suggestion_key=topic.key, **links))
    return entries


def _still_open(store, kind: str, record_id: str) -> bool:
    try:
        if kind == "action":
            return not store.actions.get(record_id).done
        return store.goals.get(record_id).status not in ("done", "dropped")
    except NotFound:
        return False


def start_meeting(store, person_id: str, *, date: str | None = None, template: str | None = None,
                  entries: Sequence[AgendaEntry] | None = None,
                  templates: AgendaTemplates | None = None) -> Meeting:
    """A new 1:1 on ``date`` (today by default) whose agenda is the next agenda, or ``entries``.

    In one step: the meeting and its points are stored with their origins,
    accepted topics are marked as used, and the next date moves one cadence
    interval on.
    """
    date = parse_date(date or today_iso(), where="date")
    if template:
        (templates or AgendaTemplates()).get(template)     # a broken template fails before any write
    if entries is None:
        entries = next_agenda(store, person_id, today=date, template=template, templates=templates)
    items = tuple(AgendaItem(e.text, e.owner, source=e.source, citations=e.citations,
                             origin_id=e.origin_id, action_id=e.action_id, goal_id=e.goal_id)
                  for e in entries)
    with store.atomic():
        meeting = store.meetings.add(person_id=person_id, date=date, agenda=items, template=template)
        TopicSuggestions(store).place(person_id, [e.suggestion_key for e in entries
                                                  if e.suggestion_key], meeting.id)
        cadence.advance_after_meeting(store, person_id, date)
    return meeting


def agenda_markdown(entries: Sequence, chosen: Iterable[int], *, first_name: str,
                    title: str = "1:1 agenda") -> str:
    """The chosen points (0-based positions in ``entries``) as Markdown to send to the report.

    Only each point's text goes in, under a heading that says whose it is:
    "Questions for Ana" (a template's prompts for the report to answer),
    "From Ana" (points she raised, her actions) and "From me" (the manager's
    points, worded as the manager sends it). No citations, no notes.
    ``entries`` may be ``AgendaEntry`` or a meeting's ``AgendaItem``.
    """
    chosen = list(chosen)
    bad = [i for i in chosen if type(i) is not int or not 0 <= i < len(entries)]
    if bad:
        raise InvalidInput(f"The agenda has {len(entries)} points (0 to {len(entries) - 1}); "
                           f"there is no point {bad[0]!r} to export")
    picked = [entries[i] for i in sorted(set(chosen))]
    lines = [f"# {title}", ""]
    for heading in (f"Questions for {first_name}", f"From {first_name}", "From me"):
        points = [p for p in picked if _heading(p, first_name) == heading]
        if points:
            lines += [f"## {heading}", "", *(_line(p) for p in points), ""]
    return "\n".join(lines).rstrip() + "\n"


def _heading(point, first_name: str) -> str:
    if point.owner == "report":
        return f"Questions for {first_name}" if point.source == "template" else f"From {first_name}"
    return "From me"


def _line(point) -> str:
    done = getattr(point, "status", "open") == "done"
    return f"- [{'x' if done else ' '}] " + " ".join(point.text.split())
