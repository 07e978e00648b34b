"""How often a manager meets each report, when the next 1:1 is due, and who is overdue.

A 1:1 is overdue when its next date has passed, or when no 1:1 took place
within one cadence interval of the last one (or, for someone never met,
of the day the cadence was set). Starting a meeting moves the next date
one interval on from that meeting; deleting one started by mistake moves it back.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from ..domain.dates import now_utc, optional_date, parse_date, today_iso
from ..domain.records import CADENCES, Cadence, Person
from ..errors import InvalidInput

_DAYS = {"weekly": 7, "fortnightly": 14}


@dataclass(frozen=True)
class OverdueOneOnOne:
    """Someone whose 1:1 is overdue, and since when."""

    person: Person
    cadence: str
    next_date: str | None
    last_one_on_one: str | None
    due: str                 # the date the 1:1 became due
    days_overdue: int


def check_cadence(cadence: str) -> str:
    if cadence not in CADENCES:
        raise InvalidInput(f"cadence {cadence!r} is not one of: {', '.join(CADENCES)}")
    return cadence


def one_interval_after(date: str, cadence: str) -> str | None:
    """The date one cadence interval after ``date``; None for no cadence."""
    day = dt.date.fromisoformat(date)
    if cadence in _DAYS:
        return (day + dt.timedelta(days=_DAYS[cadence])).isoformat()
    if cadence == "monthly":
        year, month = divmod(day.month, 12)
        year, month = day.year + year, month + 1
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(day.day, last)).isoformat()
    return None


def cadence_of(store, person_id: str) -> Cadence:
    """The person's cadence; "none" when the manager never set one."""
    store.people.get(person_id)
    row = store.db.execute("SELECT cadence, next_date, set_on FROM cadences WHERE person_id = ?",
                           [person_id]).fetchone()
    return Cadence(person_id, *row) if row else Cadence(person_id)


def set_cadence(store, person_id: str, cadence: str, *, next_date: str | None = None,
                today: str | None = None) -> Cadence:
    """Set how often to meet; without ``next_date`` it is one interval after the last 1:1
    (or after ``today`` when there was none)."""
    check_cadence(cadence)
    next_date = optional_date(next_date or None, where="next date")
    today = parse_date(today or today_iso(), where="today")
    store.people.get(person_id)
    if next_date is None and cadence != "none":
        last = store.meetings.last_for(person_id)
        next_date = one_interval_after(last.date if last else today, cadence)
    with store.atomic():
        store.db.execute(
            "INSERT INTO cadences (person_id, cadence, next_date, set_on, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
            "cadence = excluded.cadence, next_date = excluded.next_date, "
            "set_on = excluded.set_on, updated_at = excluded.updated_at",
            [person_id, cadence, None if cadence == "none" else next_date, today, now_utc()])
    return cadence_of(store, person_id)


def advance_after_meeting(store, person_id: str, meeting_date: str) -> None:
    """Move the next date one interval past a meeting held on ``meeting_date``."""
    current = cadence_of(store, person_id)
    following = one_interval_after(meeting_date, current.cadence)
    if following is None or (current.next_date and current.next_date > following):
        return
    with store.atomic():
        store.db.execute("UPDATE cadences SET next_date = ?, updated_at = ? WHERE person_id = ?",
                         [following, now_utc(), person_id])


def step_back_after_deleting(store, person_id: str, deleted_date: str) -> None:
    """Undo what starting a 1:1 on ``deleted_date`` did to the next date, now it is deleted:
    one interval after the last 1:1 left, or the deleted day itself when none is left.
    A next date the manager set by hand is left as it is."""
    current = cadence_of(store, person_id)
    if current.next_date is None or current.next_date != one_interval_after(deleted_date,
                                                                            current.cadence):
        return
    last = store.meetings.last_for(person_id)
    back = one_interval_after(last.date, current.cadence) if last else deleted_date
    with store.atomic():
        store.db.execute("UPDATE cadences SET next_date = ?, updated_at = ? WHERE person_id = ?",
                         [back, now_utc(), person_id])


_OVERDUE_SQL = """
SELECT p.id, c.cadence, c.next_date, c.set_on,
       (SELECT max(m.date) FROM meetings m WHERE m.person_id = p.id) AS last_one_on_one
FROM cadences c JOIN people p ON p.id = c.person_id
WHERE c.cadence != 'none' AND p.archived = 0
ORDER BY p.name COLLATE NOCASE, p.id
"""


def overdue(store, today: str | None = None) -> list[OverdueOneOnOne]:
    """Everyone on the team whose 1:1 is overdue on ``today``, longest overdue first."""
    today = parse_date(today or today_iso(), where="today")
    found = []
    for person_id, cadence, next_date, set_on, last in store.db.execute(_OVERDUE_SQL).fetchall():
        due = _due_date(cadence, next_date, last or set_on)
        if due < today:
            days = (dt.date.fromisoformat(today) - dt.date.fromisoformat(due)).days
            found.append(OverdueOneOnOne(store.people.get(person_id), cadence, next_date, last,
                                         due, days))
    return sorted(found, key=lambda o: -o.days_overdue)


def _due_date(cadence: str, next_date: str | None, since: str) -> str:
    """The earlier of the planned next date and one interval after ``since``."""
    by_cadence = one_interval_after(since, cadence)
    return min(d for d in (next_date, by_cadence) if d is not None)
