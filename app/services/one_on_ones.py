"""Ending a 1:1, and deleting one started by mistake, the way a manager expects.

``end_meeting`` records that the 1:1 is over and says what came of it: the
points done and dropped, and what carries over to the next 1:1 — its open
points and the actions agreed in it. A template's prompt left open ("How
are things going?") does not carry over: the template asks it afresh.

``delete_meeting`` removes a 1:1 started by mistake, and nothing the manager
wrote goes with it: points carried over from earlier 1:1s stay open on the
next agenda, actions agreed in it stay on the person's list, its notes stay
in the timeline, accepted topics go back on the next agenda, and the next
1:1's date moves back. It refuses, saying why, where deleting would close
or orphan something: a later 1:1 carries points first raised in this one,
or a point carried from an earlier 1:1 (or tied to an action) was ticked
or dropped here. ``deletion_of`` says all this before anything is deleted,
in sentences the window's confirmation and the command line both show.
"""

from dataclasses import dataclass

from ..domain.dates import short_date
from ..domain.records import ActionItem, AgendaItem, Meeting
from ..errors import InvalidInput
from . import cadence
from .agenda_words import owner_word


@dataclass(frozen=True)
class MeetingSummary:
    """What came of a 1:1."""

    meeting: Meeting
    done: tuple[AgendaItem, ...]
    dropped: tuple[AgendaItem, ...]
    carried: tuple[AgendaItem, ...]        # open points that come back on the next agenda
    left_open: tuple[AgendaItem, ...]      # template prompts left open: they do not carry over
    actions: tuple[ActionItem, ...]        # open actions agreed in this 1:1


def meeting_summary(store, meeting_id: str) -> MeetingSummary:
    meeting = store.meetings.get(meeting_id)
    threads = {item.id for item, _ in store.meetings.open_threads(meeting.person_id)}
    still_open = [i for i in meeting.agenda if i.status == "open"]
    carried = tuple(i for i in still_open if (i.origin_id or i.id) in threads)
    actions = tuple(a for a in store.actions.open_for_person(meeting.person_id)
                    if a.meeting_id == meeting.id)
    return MeetingSummary(meeting, _with_status(meeting, "done"), _with_status(meeting, "dropped"),
                          carried, tuple(i for i in still_open if i not in carried), actions)


def _with_status(meeting: Meeting, status: str) -> tuple[AgendaItem, ...]:
    return tuple(item for item in meeting.agenda if item.status == status)


def end_meeting(store, meeting_id: str) -> MeetingSummary:
    """Mark the 1:1 ended and say what came of it (ending it twice keeps the first end)."""
    store.meetings.end(meeting_id)
    return meeting_summary(store, meeting_id)


def summary_sentences(summary: MeetingSummary) -> list[str]:
    """The summary in words: "3 of 5 points done, 1 dropped." and what carries over."""
    agenda = summary.meeting.agenda
    lines = [f"{len(summary.done)} of {len(agenda)} {_points(len(agenda))} done"
             + (f", {len(summary.dropped)} dropped." if summary.dropped else ".")]
    carried = len(summary.carried) + len(summary.actions)
    if carried:
        lines.append(f"{carried} {'thing carries' if carried == 1 else 'things carry'} over to "
                     "the next 1:1:")
    elif agenda:
        lines.append("Nothing carries over to the next 1:1.")
    if summary.left_open:
        count = len(summary.left_open)
        again = "it" if count == 1 else "them"
        lines.append(f"{count} template {_points(count)} left open will not carry over; "
                     f"the template asks {again} again.")
    return lines


def summary_lines(summary: MeetingSummary) -> list[str]:
    """The summary sentences with what carries over listed under its sentence, in the 1:1s
    tab's words: "Conference budget — them", "Book the venue — you · action, due 20 Jan"."""
    sentences = summary_sentences(summary)
    carried = [f"{i.text}  —  {owner_word(i.owner)}" + (" · action" if i.action_id else "")
               for i in summary.carried]
    carried += [f"{a.text}  —  {owner_word(a.owner)} · action"
                + (f", due {short_date(a.due)}" if a.due else "") for a in summary.actions]
    if not carried:
        return sentences
    return [sentences[0], sentences[1], *(f"  • {line}" for line in carried), *sentences[2:]]


def _points(count: int) -> str:
    return "point" if count == 1 else "points"


# --- deleting a 1:1 started by mistake ----------------------------------------------------

@dataclass(frozen=True)
class MeetingDeletion:
    """What deleting a 1:1 would do; ``refusal`` says why it may not be deleted, if so."""

    meeting: Meeting
    person_name: str
    reopened: tuple[AgendaItem, ...]     # points from earlier 1:1s: open on the next agenda again
    actions: tuple[ActionItem, ...]      # agreed in it: they stay on the person's list
    notes_kept: bool                     # its notes stay in the timeline
    refusal: str | None = None

    def sentences(self, *, done: bool = False) -> list[str]:
        """What goes and what stays: for a confirmation, or (``done``) once it is deleted."""
        count = len(self.meeting.agenda)
        first = self.person_name.split()[0]
        what = f"the 1:1 with {self.person_name} on {short_date(self.meeting.date)}" + (
            f" and its {count} agenda {_points(count)}" if count else "")
        lines = [f"Deleted {what}." if done else
                 f"{what[0].upper()}{what[1:]} will be deleted."]
        if self.reopened:
            count = len(self.reopened)
            lines.append(f"{count} {_points(count)} carried over from earlier 1:1s "
                         f"{'stays' if count == 1 else 'stay'} open on {first}'s next agenda.")
        if self.actions:
            count = len(self.actions)
            lines.append(f"{count} {'action' if count == 1 else 'actions'} agreed in it "
                         f"{'stays' if count == 1 else 'stay'} on {first}'s list.")
        if self.notes_kept:
            lines.append(f"Your notes from it stay in {first}'s timeline as a 1:1 note.")
        return lines


def deletion_of(store, meeting_id: str) -> MeetingDeletion:
    """What deleting the 1:1 would do, without deleting it."""
    meeting = store.meetings.get(meeting_id)
    note_id = store.meetings.timeline_note_id(meeting_id)
    notes_kept = note_id is not None and store.notes.get(note_id).deleted_at is None
    threads = {item.id for item, _ in store.meetings.open_threads(meeting.person_id)}
    return MeetingDeletion(
        meeting, store.people.get(meeting.person_id).name,
        tuple(i for i in meeting.agenda if i.origin_id in threads),
        tuple(a for a in store.actions.for_person(meeting.person_id) if a.meeting_id == meeting.id),
        notes_kept, _refusal(store, meeting))


def _refusal(store, meeting: Meeting) -> str | None:
    when = short_date(meeting.date)
    later = store.meetings.carried_on_to(meeting.id)
    if later:
        dates = ", ".join(short_date(d) for d in later)
        return (f"The 1:1 of {when} cannot be deleted: points first raised in it were carried "
                f"over to the 1:1 of {dates}. Delete that one first, or keep both.")
    closed = [i for i in meeting.agenda
              if i.status != "open" and (i.origin_id is not None or i.action_id is not None)]
    if closed:
        named = "; ".join(f'"{i.text}"' for i in closed[:3]) + ("; …" if len(closed) > 3 else "")
        one = len(closed) == 1
        them = "it" if one else "them"
        return (f"The 1:1 of {when} cannot be deleted: {len(closed)} {_points(len(closed))} from "
                f"earlier 1:1s or open actions {'was' if one else 'were'} ticked or dropped in it "
                f"({named}), and deleting the 1:1 would leave {them} closed. If the 1:1 did not "
                f"take place, reopen {them} first.")
    return None


def delete_meeting(store, meeting_id: str) -> MeetingDeletion:
    """Delete a 1:1 started by mistake; InvalidInput (nothing changed) when it may not be."""
    deletion = deletion_of(store, meeting_id)
    if deletion.refusal:
        raise InvalidInput(deletion.refusal)
    with store.atomic():
        store.meetings.delete(meeting_id)
        cadence.step_back_after_deleting(store, deletion.meeting.person_id, deletion.meeting.date)
    return deletion
