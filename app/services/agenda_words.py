"""How a 1:1's points read to the manager, the same in the window and in the terminal.

The window's 1:1s tab says "Talk about the on-call load — them · carried
over from 12 Mar"; ``trellis agenda`` prints the same words. Who raised a
point is "you" (the manager) or "them" (the report); why it is on the
agenda is where it came from, with the date it was first raised or the day
an action became overdue.
"""

import datetime as dt

from ..domain.dates import short_date

OWNER_WORDS = {"manager": "you", "report": "them"}
GOAL_STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "done": "done",
                     "dropped": "dropped"}
SOURCE_WORDS = {"action": "action", "goal": "goal", "template": "template", "suggested": "suggested",
                "manual": "added", "carried_over": "carried over"}


def owner_word(owner: str) -> str:
    return OWNER_WORDS.get(owner, owner)


def reason(entry, meeting_dates: dict[str, str], overdue_since: str | None = None) -> str:
    """Why the point is on the agenda: "carried over from 12 Mar", "action", "goal" …

    An action past its due date says so: "action overdue since 9 Apr".
    """
    if overdue_since:
        return f"{SOURCE_WORDS.get(entry.source, entry.source)} · overdue since {short_date(overdue_since)}"
    if entry.source == "carried_over":
        since = next((meeting_dates[c] for c in entry.citations if c in meeting_dates), None)
        return f"carried over from {short_date(since)}" if since else "carried over"
    return SOURCE_WORDS.get(entry.source, entry.source)


def overdue_since(entry, action_dues: dict[str, str | None], today: str) -> str | None:
    """The due date of the point's action when it has passed, else None."""
    due = action_dues.get(entry.action_id) if entry.action_id else None
    return due if due and due < today else None


def point_line(entry, meeting_dates: dict[str, str], late_since: str | None = None) -> str:
    """One point of the next agenda as the 1:1s tab shows it."""
    return f"{entry.text}  —  {owner_word(entry.owner)}  · {reason(entry, meeting_dates, late_since)}"


def ended_words(meeting, *, time: bool = True) -> str:
    """"ended at 10:32" (local time) when it ended on its day, else "ended"; "in progress"
    until "End 1:1" (imported 1:1s and those kept before Trellis knew about ending have ended)."""
    if not meeting.ended_at:
        return "in progress"
    local = dt.datetime.fromisoformat(meeting.ended_at).astimezone()
    same_day = local.date().isoformat() == meeting.date
    return f"ended at {local:%H:%M}" if time and same_day else "ended"
