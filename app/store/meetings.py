"""1:1 meetings with their agendas, the action items that come out of them, and goals.

An agenda item that is carried from one 1:1 to the next is stored again on
each meeting it appears on, pointing at the first item of its thread
(``origin_id``). Checking or dropping any copy closes the whole thread, so
the first meeting's item stops carrying; an item tied to an action item
closes that action as well. A meeting's notes also live in the person's
timeline as one ``one_on_one`` note linked to the meeting, so search and
reviews see them.
"""

import json

from ..domain.dates import now_utc, optional_date, parse_date, today_iso
from ..domain.ids import new_id
from ..domain.records import (ACTION_OWNERS, AGENDA_SOURCES, AGENDA_STATUSES, GOAL_STATUSES,
                              ActionItem, AgendaItem, Goal, GoalUpdate, Meeting)
from ..errors import InvalidInput, NotFound

_ITEM_COLUMNS = "id, text, owner, status, source, citations, origin_id, action_id, goal_id"
_ACTION_COLUMNS = "id, person_id, text, owner, meeting_id, due, done"
_GOAL_COLUMNS = "id, person_id, title, status, due, description"


def _check_owner(owner: str) -> str:
    if owner not in ACTION_OWNERS:
        raise InvalidInput(f"owner {owner!r} is not one of: {', '.join(ACTION_OWNERS)}")
    return owner


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise InvalidInput(f"{what} {value!r} is not one of: {', '.join(choices)}")
    return value


def _check_text(text: object, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{what} needs some text")
    return text.strip()


def _item(row) -> AgendaItem:
    item_id, text, owner, status, source, citations, origin_id, action_id, goal_id = row
    return AgendaItem(text, owner, done=status == "done", dropped=status == "dropped",
                      source=source, citations=tuple(json.loads(citations)), id=item_id,
                      origin_id=origin_id, action_id=action_id, goal_id=goal_id)


def _require_person(db, person_id: str) -> None:
    if db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
        raise NotFound(f"No person with id {person_id!r}")


class Meetings:
    """1:1s: when, what was on the agenda, what the manager wrote."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, date: str, notes: str = "",
            agenda: tuple[AgendaItem, ...] = (), meeting_id: str | None = None,
            template: str | None = None, ended: bool = False) -> Meeting:
        """A 1:1 with its agenda; ``ended`` for one that is over already (an import)."""
        meeting = Meeting(meeting_id or new_id("m"), person_id, parse_date(date), notes or "",
                          tuple(agenda), template)
        for item in meeting.agenda:
            _check_item(item)
        _require_person(self._db, person_id)
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO meetings (id, person_id, date, notes, template, ended_at, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [meeting.id, person_id, meeting.date, meeting.notes, template,
                 stamp if ended else None, stamp, stamp])
            for position, item in enumerate(meeting.agenda):
                self._insert_item(meeting.id, position, item)
        return self.get(meeting.id)

    def _insert_item(self, meeting_id: str, position: int, item: AgendaItem) -> None:
        self._db.execute(
            "INSERT INTO agenda_items (meeting_id, position, text, owner, done, status, source, "
            "citations, origin_id, action_id, goal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [meeting_id, position, item.text, item.owner, int(item.status == "done"), item.status,
             item.source, json.dumps(list(item.citations)), item.origin_id, item.action_id,
             item.goal_id])

    def for_person(self, person_id: str) -> list[Meeting]:
        """The person's 1:1s, newest first."""
        rows = self._db.execute(
            "SELECT id FROM meetings WHERE person_id = ? ORDER BY date DESC, rowid DESC", [person_id])
        return [self.get(row[0]) for row in rows.fetchall()]

    def last_for(self, person_id: str) -> Meeting | None:
        row = self._db.execute(
            "SELECT id FROM meetings WHERE person_id = ? ORDER BY date DESC, rowid DESC LIMIT 1",
            [person_id]).fetchone()
        return self.get(row[0]) if row else None

    def all(self) -> list[Meeting]:
        rows = self._db.execute("SELECT id FROM meetings ORDER BY rowid").fetchall()
        return [self.get(row[0]) for row in rows]

    def get(self, meeting_id: str) -> Meeting:
        row = self._db.execute(
            "SELECT id, person_id, date, notes, template, ended_at FROM meetings WHERE id = ?",
            [meeting_id]).fetchone()
        if row is None:
            raise NotFound(f"No meeting with id {meeting_id!r}")
        return Meeting(*row[:4], agenda=self._items(meeting_id), template=row[4], ended_at=row[5])

    def _items(self, meeting_id: str) -> tuple[AgendaItem, ...]:
        rows = self._db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM agenda_items WHERE meeting_id = ? ORDER BY position",
            [meeting_id])
        return tuple(_item(row) for row in rows)

    # --- the manager's notes, and the timeline note they become ----------------

    def record_notes(self, meeting_id: str, text: str) -> Meeting:
        """Save the meeting's notes and write them to the person's timeline.

        The timeline note is created once and updated after that; notes
        cleared to nothing move it to the trash, new notes bring it back.
        """
        meeting = self.get(meeting_id)
        text = text if isinstance(text, str) else ""
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute("UPDATE meetings SET notes = ?, updated_at = ? WHERE id = ?",
                             [text, stamp, meeting_id])
            self._write_timeline_note(meeting, text, stamp)
        return self.get(meeting_id)

    def _write_timeline_note(self, meeting: Meeting, text: str, stamp: str) -> None:
        note_id = self.timeline_note_id(meeting.id)
        if note_id is None and text.strip():
            self._db.execute(
                "INSERT INTO notes (id, person_id, date, kind, text, meeting_id, created_at, "
                "updated_at) VALUES (?, ?, ?, 'one_on_one', ?, ?, ?, ?)",
                [new_id("n"), meeting.person_id, meeting.date, text, meeting.id, stamp, stamp])
        elif note_id is not None and text.strip():
            self._db.execute(
                "UPDATE notes SET text = ?, date = ?, deleted_at = NULL, updated_at = ? WHERE id = ?",
                [text, meeting.date, stamp, note_id])
        elif note_id is not None:
            self._db.execute(
                "UPDATE notes SET deleted_at = coalesce(deleted_at, ?), updated_at = ? WHERE id = ?",
                [stamp, stamp, note_id])

    def timeline_note_id(self, meeting_id: str) -> str | None:
        """The id of the timeline note holding this meeting's notes, if there is one."""
        row = self._db.execute("SELECT id FROM notes WHERE meeting_id = ?", [meeting_id]).fetchone()
        return row[0] if row else None

    # --- ending, and deleting a 1:1 started by mistake ----------------------------

    def end(self, meeting_id: str) -> Meeting:
        """Mark the 1:1 ended; ending it again keeps the first time."""
        self.get(meeting_id)
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute("UPDATE meetings SET ended_at = coalesce(ended_at, ?), updated_at = ? "
                             "WHERE id = ?", [stamp, stamp, meeting_id])
        return self.get(meeting_id)

    def carried_on_to(self, meeting_id: str) -> list[str]:
        """The dates of later 1:1s that hold copies of points first raised in this one."""
        rows = self._db.execute(
            "SELECT DISTINCT m.date FROM agenda_items copy "
            "JOIN agenda_items first ON first.id = copy.origin_id "
            "JOIN meetings m ON m.id = copy.meeting_id "
            "WHERE first.meeting_id = ? AND copy.meeting_id != ? ORDER BY m.date",
            [meeting_id, meeting_id])
        return [row[0] for row in rows]

    def delete(self, meeting_id: str) -> None:
        """Remove the 1:1 and its agenda. Its timeline note, the actions agreed in it and the
        topics placed on it stay, no longer linked to it (the schema's ON DELETE SET NULL)."""
        self.get(meeting_id)
        with self._db.atomic():
            self._db.execute("DELETE FROM meetings WHERE id = ?", [meeting_id])

    # --- agenda items ------------------------------------------------------------

    def add_item(self, meeting_id: str, *, text: str, owner: str, source: str = "manual",
                 citations: tuple[str, ...] = ()) -> Meeting:
        """Add a point at the end of the meeting's agenda."""
        item = AgendaItem(_check_text(text, "An agenda item"), owner, source=source,
                          citations=tuple(citations))
        _check_item(item)
        count = len(self.get(meeting_id).agenda)
        with self._db.atomic():
            self._insert_item(meeting_id, count, item)
        return self.get(meeting_id)

    def item(self, meeting_id: str, number: int) -> AgendaItem:
        """Agenda item ``number`` (counting from 1, as the manager sees them)."""
        agenda = self.get(meeting_id).agenda
        _check_number(number, agenda, meeting_id)
        return agenda[number - 1]

    def set_item_status(self, meeting_id: str, number: int, status: str) -> Meeting:
        """Mark item ``number`` open, done or dropped, here and wherever its thread started.

        Done on an item tied to an action item marks the action done; open
        again reopens it. Dropping leaves the action as it is.
        """
        _check_choice(status, AGENDA_STATUSES, "status")
        item = self.item(meeting_id, number)
        thread = item.origin_id or item.id
        with self._db.atomic():
            self._db.execute(
                "UPDATE agenda_items SET status = ?, done = ? WHERE id = ? OR origin_id = ?",
                [status, int(status == "done"), thread, thread])
            if item.action_id and status != "dropped":
                self._db.execute("UPDATE actions SET done = ?, updated_at = ? WHERE id = ?",
                                 [int(status == "done"), now_utc(), item.action_id])
        return self.get(meeting_id)

    def move_item(self, meeting_id: str, number: int, to: int) -> Meeting:
        """Move item ``number`` to position ``to`` (both counting from 1)."""
        agenda = list(self.get(meeting_id).agenda)
        _check_number(number, agenda, meeting_id)
        _check_number(to, agenda, meeting_id, what="new position")
        agenda.insert(to - 1, agenda.pop(number - 1))
        with self._db.atomic():
            # Positions are unique per meeting: park them out of the way first.
            self._db.execute("UPDATE agenda_items SET position = -1 - position WHERE meeting_id = ?",
                             [meeting_id])
            for position, item in enumerate(agenda):
                self._db.execute("UPDATE agenda_items SET position = ? WHERE id = ?",
                                 [position, item.id])
        return self.get(meeting_id)

    def open_threads(self, person_id: str) -> list[tuple[AgendaItem, str]]:
        """Every unfinished agenda thread of the person's 1:1s, oldest first.

        Each is the thread's first item with the id of the meeting it was
        first raised in. A template's prompt ("How are things going?") is not
        unfinished business: it never carries over, nor do copies an older
        Trellis carried from one; the template asks it afresh.
        """
        rows = self._db.execute(
            f"SELECT {', '.join('a.' + c.strip() for c in _ITEM_COLUMNS.split(','))}, m.id "
            "FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id "
            "WHERE m.person_id = ? AND a.status = 'open' AND a.origin_id IS NULL "
            "AND a.source != 'template' ORDER BY m.date, m.rowid, a.position", [person_id])
        return [(_item(row[:9]), row[9]) for row in rows.fetchall()]

    def dropped_action_ids(self, person_id: str) -> set[str]:
        """Action items the manager dropped from an agenda: they stop carrying over."""
        rows = self._db.execute(
            "SELECT DISTINCT a.action_id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id "
            "WHERE m.person_id = ? AND a.status = 'dropped' AND a.action_id IS NOT NULL", [person_id])
        return {row[0] for row in rows}


def _check_item(item: AgendaItem) -> None:
    _check_text(item.text, "An agenda item")
    _check_owner(item.owner)
    _check_choice(item.source, AGENDA_SOURCES, "agenda item source")


def _check_number(number: int, agenda, meeting_id: str, *, what: str = "item") -> None:
    if not isinstance(number, int) or not 1 <= number <= len(agenda):
        count = f"{len(agenda)} agenda item{'s' if len(agenda) != 1 else ''}"
        raise InvalidInput(f"Meeting {meeting_id} has {count}; {what} {number!r} is not "
                           f"between 1 and {len(agenda)}" if agenda else
                           f"Meeting {meeting_id} has no agenda items; there is no {what} {number!r}")


class Actions:
    """Action items agreed in 1:1s, owned by the manager or the report."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, text: str, owner: str, meeting_id: str | None = None,
            due: str | None = None, done: bool = False, action_id: str | None = None) -> ActionItem:
        action = ActionItem(action_id or new_id("a"), person_id, _check_text(text, "An action item"),
                            _check_owner(owner), meeting_id, optional_date(due, where="due"),
                            bool(done))
        _require_person(self._db, person_id)
        if meeting_id is not None:
            self._require_meeting_of(meeting_id, person_id)
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO actions (id, person_id, meeting_id, text, owner, due, done, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [action.id, person_id, meeting_id, action.text, owner, action.due, int(action.done),
                 stamp, stamp])
        return action

    def _require_meeting_of(self, meeting_id: str, person_id: str) -> None:
        row = self._db.execute("SELECT person_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound(f"No meeting with id {meeting_id!r}")
        if row[0] != person_id:
            raise InvalidInput(f"Meeting {meeting_id} is a 1:1 with someone else, not {person_id}")

    def get(self, action_id: str) -> ActionItem:
        row = self._db.execute(f"SELECT {_ACTION_COLUMNS} FROM actions WHERE id = ?",
                               [action_id]).fetchone()
        if row is None:
            raise NotFound(f"No action item with id {action_id!r}")
        return ActionItem(*row[:6], done=bool(row[6]))

    def all(self) -> list[ActionItem]:
        rows = self._db.execute(f"SELECT {_ACTION_COLUMNS} FROM actions ORDER BY rowid")
        return [ActionItem(*row[:6], done=bool(row[6])) for row in rows]

    def for_person(self, person_id: str) -> list[ActionItem]:
        """Open ones first (soonest due first), then done ones."""
        rows = self._db.execute(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE person_id = ? "
            "ORDER BY done, due IS NULL, due, rowid", [person_id])
        return [ActionItem(*row[:6], done=bool(row[6])) for row in rows]

    def open_for_person(self, person_id: str) -> list[ActionItem]:
        return [action for action in self.for_person(person_id) if not action.done]

    def overdue(self, today: str | None = None) -> list[ActionItem]:
        """Open action items past their due date, for people still on the team; oldest due first."""
        rows = self._db.execute(
            f"SELECT {', '.join('a.' + c.strip() for c in _ACTION_COLUMNS.split(','))} "
            "FROM actions a JOIN people p ON p.id = a.person_id "
            "WHERE a.done = 0 AND a.due IS NOT NULL AND a.due < ? AND p.archived = 0 "
            "ORDER BY a.due, a.rowid", [parse_date(today or today_iso(), where="today")])
        return [ActionItem(*row[:6], done=bool(row[6])) for row in rows]

    def set_done(self, action_id: str, done: bool = True) -> ActionItem:
        """Mark the action done (or open again), with the agenda items that carry it."""
        self.get(action_id)
        before, after = ("open", "done") if done else ("done", "open")
        with self._db.atomic():
            self._db.execute("UPDATE actions SET done = ?, updated_at = ? WHERE id = ?",
                             [int(done), now_utc(), action_id])
            self._db.execute(
                "UPDATE agenda_items SET status = ?, done = ? WHERE action_id = ? AND status = ?",
                [after, int(done), action_id, before])
        return self.get(action_id)


class Goals:
    """Goals a report is working towards, with their status and dated progress updates."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, title: str, status: str = "on_track",
            due: str | None = None, goal_id: str | None = None, description: str = "") -> Goal:
        goal = Goal(goal_id or new_id("g"), person_id, _check_text(title, "A goal"),
                    _check_choice(status, GOAL_STATUSES, "status"), optional_date(due, where="due"),
                    description or "")
        _require_person(self._db, person_id)
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO goals (id, person_id, title, status, due, description, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [goal.id, person_id, goal.title, status, goal.due, goal.description, stamp, stamp])
        return goal

    def get(self, goal_id: str) -> Goal:
        row = self._db.execute(f"SELECT {_GOAL_COLUMNS} FROM goals WHERE id = ?", [goal_id]).fetchone()
        if row is None:
            raise NotFound(f"No goal with id {goal_id!r}")
        return Goal(*row)

    def all(self) -> list[Goal]:
        rows = self._db.execute(f"SELECT {_GOAL_COLUMNS} FROM goals ORDER BY rowid")
        return [Goal(*row) for row in rows]

    def for_person(self, person_id: str) -> list[Goal]:
        """Soonest due first; goals without a due date last."""
        rows = self._db.execute(
            f"SELECT {_GOAL_COLUMNS} FROM goals WHERE person_id = ? ORDER BY due IS NULL, due, rowid",
            [person_id])
        return [Goal(*row) for row in rows]

    def update(self, goal_id: str, *, title: str | None = None, description: str | None = None,
               status: str | None = None, due: str | None = None) -> Goal:
        """Change what is given; the rest stays."""
        current = self.get(goal_id)
        changed = Goal(current.id, current.person_id,
                       _check_text(title, "A goal") if title is not None else current.title,
                       _check_choice(status, GOAL_STATUSES, "status") if status else current.status,
                       optional_date(due, where="due") if due is not None else current.due,
                       description if description is not None else current.description)
        with self._db.atomic():
            self._save(changed)
        return changed

    def _save(self, goal: Goal) -> None:
        self._db.execute(
            "UPDATE goals SET title = ?, description = ?, status = ?, due = ?, updated_at = ? "
            "WHERE id = ?", [goal.title, goal.description, goal.status, goal.due, now_utc(), goal.id])

    def add_update(self, goal_id: str, text: str, *, date: str | None = None,
                   status: str | None = None) -> GoalUpdate:
        """A dated progress entry; with ``status`` the goal's status changes too, in one step."""
        goal = self.get(goal_id)
        text = _check_text(text, "A goal update")
        date = parse_date(date or today_iso())
        if status is not None:
            _check_choice(status, GOAL_STATUSES, "status")
        with self._db.atomic():
            cursor = self._db.execute(
                "INSERT INTO goal_updates (goal_id, date, text, status, created_at) "
                "VALUES (?, ?, ?, ?, ?)", [goal_id, date, text, status, now_utc()])
            if status is not None and status != goal.status:
                self._db.execute("UPDATE goals SET status = ?, updated_at = ? WHERE id = ?",
                                 [status, now_utc(), goal_id])
        return GoalUpdate(cursor.lastrowid, goal_id, date, text, status)

    def history(self, goal_id: str) -> list[GoalUpdate]:
        """The goal's progress updates, oldest first."""
        self.get(goal_id)
        rows = self._db.execute(
            "SELECT id, goal_id, date, text, status FROM goal_updates WHERE goal_id = ? "
            "ORDER BY date, id", [goal_id])
        return [GoalUpdate(*row) for row in rows]
