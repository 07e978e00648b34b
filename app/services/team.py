"""The team at a glance: who was seen when, who needs attention.

One query per refresh, so the team list stays instant with a large store.
"""

import datetime as dt
from dataclasses import dataclass

from ..domain.records import Person

OVERVIEW_SQL = """
SELECT p.id, p.name, p.role, p.level, p.start_date, p.archived,
       (SELECT max(m.date) FROM meetings m WHERE m.person_id = p.id) AS last_one_on_one,
       (SELECT max(n.date) FROM notes n
         WHERE n.person_id = p.id AND n.deleted_at IS NULL) AS last_note,
       (SELECT count(*) FROM actions a WHERE a.person_id = p.id AND a.done = 0) AS open_actions,
       (SELECT count(*) FROM actions a WHERE a.person_id = p.id AND a.done = 0
          AND a.due IS NOT NULL AND a.due < :today) AS overdue_actions
FROM people p
WHERE :all OR p.archived = 0
ORDER BY p.name COLLATE NOCASE, p.id
"""


@dataclass(frozen=True)
class TeamRow:
    person: Person
    last_one_on_one: str | None
    last_note: str | None
    days_since_last_note: int | None
    open_actions: int
    overdue_actions: int


def team_overview(store, *, include_archived: bool = False,
                  today: dt.date | None = None) -> list[TeamRow]:
    today = today or dt.date.today()
    rows = store.db.execute(OVERVIEW_SQL, {"all": int(include_archived),
                                           "today": today.isoformat()}).fetchall()
    return [_row(row, today) for row in rows]


def _row(row, today: dt.date) -> TeamRow:
    person = Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]))
    last_note = row[7]
    days = (today - dt.date.fromisoformat(last_note)).days if last_note else None
    return TeamRow(person, row[6], last_note, days, row[8], row[9])
