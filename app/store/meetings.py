"""1:1 meetings with their agendas, the action items that come out of them, and goals."""

from ..domain.dates import now_utc, optional_date, parse_date
from ..domain.ids import new_id
from ..domain.records import ACTION_OWNERS, GOAL_STATUSES, ActionItem, AgendaItem, Goal, Meeting
from ..errors import InvalidInput, NotFound


def _check_owner(owner: str) -> str:
    if owner not in ACTION_OWNERS:
        raise InvalidInput(f"owner {owner!r} is not one of: {', '.join(ACTION_OWNERS)}")
    return owner


class Meetings:
    """1:1s: when, what was on the agenda, what the manager wrote."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, date: str, notes: str = "",
            agenda: tuple[AgendaItem, ...] = (), meeting_id: str | None = None) -> Meeting:
        meeting = Meeting(meeting_id or new_id("m"), person_id, parse_date(date), notes or "",
                          tuple(agenda))
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO meetings (id, person_id, date, notes, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [meeting.id, person_id, meeting.date, meeting.notes, stamp, stamp])
            for position, item in enumerate(meeting.agenda):
                self._db.execute(
                    "INSERT INTO agenda_items (meeting_id, position, text, owner, done) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [meeting.id, position, item.text, _check_owner(item.owner), int(item.done)])
        return meeting

    def for_person(self, person_id: str) -> list[Meeting]:
        rows = self._db.execute(
            "SELECT id FROM meetings WHERE person_id = ? ORDER BY date DESC, id", [person_id])
        return [self.get(row[0]) for row in rows.fetchall()]

    def all(self) -> list[Meeting]:
        rows = self._db.execute("SELECT id FROM meetings ORDER BY rowid").fetchall()
        return [self.get(row[0]) for row in rows]

    def get(self, meeting_id: str) -> Meeting:
        row = self._db.execute(
            "SELECT id, person_id, date, notes FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound(f"No meeting with id {meeting_id!r}")
        agenda = self._db.execute(
            "SELECT text, owner, done FROM agenda_items WHERE meeting_id = ? ORDER BY position",
            [meeting_id])
        items = tuple(AgendaItem(text, owner, bool(done)) for text, owner, done in agenda)
        return Meeting(*row, agenda=items)


class Actions:
    """Action items agreed in 1:1s, owned by the manager or the report."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, text: str, owner: str, meeting_id: str | None = None,
            due: str | None = None, done: bool = False, action_id: str | None = None) -> ActionItem:
        action = ActionItem(action_id or new_id("a"), person_id, text, _check_owner(owner),
                            meeting_id, optional_date(due, where="due"), bool(done))
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO actions (id, person_id, meeting_id, text, owner, due, done, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [action.id, person_id, meeting_id, text, owner, action.due, int(action.done),
                 stamp, stamp])
        return action

    def all(self) -> list[ActionItem]:
        rows = self._db.execute(
            "SELECT id, person_id, text, owner, meeting_id, due, done FROM actions ORDER BY rowid")
        return [ActionItem(*row[:6], done=bool(row[6])) for row in rows]

    def open_for_person(self, person_id: str) -> list[ActionItem]:
        rows = self._db.execute(
            "SELECT id, person_id, text, owner, meeting_id, due, done FROM actions "
            "WHERE person_id = ? AND done = 0 ORDER BY due IS NULL, due, rowid", [person_id])
        return [ActionItem(*row[:6], done=bool(row[6])) for row in rows]


class Goals:
    """Goals a report is working towards, with their status."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, title: str, status: str = "on_track",
            due: str | None = None, goal_id: str | None = None) -> Goal:
        if status not in GOAL_STATUSES:
            raise InvalidInput(f"status {status!r} is not one of: {', '.join(GOAL_STATUSES)}")
        goal = Goal(goal_id or new_id("g"), person_id, title, status, optional_date(due, where="due"))
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO goals (id, person_id, title, status, due, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [goal.id, person_id, title, status, goal.due, stamp, stamp])
        return goal

    def all(self) -> list[Goal]:
        rows = self._db.execute("SELECT id, person_id, title, status, due FROM goals ORDER BY rowid")
        return [Goal(*row) for row in rows]
