"""People on the team and the competencies their notes are tagged with."""

from __future__ import annotations

from ..domain.dates import now_utc, optional_date
from ..domain.ids import new_id
from ..domain.records import Competency, Person
from ..errors import Ambiguous, InvalidInput, NotFound

_PERSON_COLUMNS = "id, name, role, level, start_date, archived"


def _person(row) -> Person:
    return Person(id=row[0], name=row[1], role=row[2], level=row[3],
                  start_date=row[4], archived=bool(row[5]))


def _clean_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("A person needs a name")
    return name.strip()


class People:
    """The manager's reports, current and archived."""

    def __init__(self, db):
        self._db = db

    def list(self, *, include_archived: bool = False, by_name: bool = True) -> list[Person]:
        where = "" if include_archived else "WHERE archived = 0"
        order = "name COLLATE NOCASE, id" if by_name else "rowid"
        rows = self._db.execute(f"SELECT {_PERSON_COLUMNS} FROM people {where} ORDER BY {order}")
        return [_person(row) for row in rows]

    def get(self, person_id: str) -> Person:
        row = self._db.execute(
            f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", [person_id]).fetchone()
        if row is None:
            raise NotFound(f"No person with id {person_id!r}")
        return _person(row)

    def add(self, *, name: str, role: str | None = None, level: str | None = None,
            start_date: str | None = None, person_id: str | None = None) -> Person:
        person = Person(id=person_id or new_id("p"), name=_clean_name(name), role=role,
                        level=level, start_date=optional_date(start_date or None, where="start_date"))
        stamp = now_utc()
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO people (id, name, role, level, start_date, archived, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                [person.id, person.name, role, level, person.start_date, stamp, stamp])
        return person

    def update(self, person_id: str, **changes) -> Person:
        current = self.get(person_id)
        allowed = {"name", "role", "level", "start_date", "archived"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"Unknown person field(s): {', '.join(sorted(unknown))}")
        if "name" in changes:
            changes["name"] = _clean_name(changes["name"])
        if "start_date" in changes:
            changes["start_date"] = optional_date(changes["start_date"] or None, where="start_date")
        sets = ", ".join(f"{column} = ?" for column in changes)
        with self._db.atomic():
            self._db.execute(f"UPDATE people SET {sets}, updated_at = ? WHERE id = ?",
                             [*changes.values(), now_utc(), current.id])
        return self.get(person_id)

    def archive(self, person_id: str, archived: bool = True) -> Person:
        return self.update(person_id, archived=int(archived))

    def resolve(self, reference: str) -> Person:
        """The person whose id is ``reference``, or whose name it names unambiguously."""
        row = self._db.execute(
            f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", [reference]).fetchone()
        if row is not None:
            return _person(row)
        everyone = self.list(include_archived=True)
        wanted = " ".join(reference.split()).casefold()
        exact = [p for p in everyone if p.name.casefold() == wanted]
        partial = [p for p in everyone if wanted and wanted in p.name.casefold()]
        return _single(exact or partial, reference)


def _single(matches: list[Person], reference: str) -> Person:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"No person matches {reference!r} (by id or name)")
    names = ", ".join(f"{p.name} ({p.id})" for p in matches)
    raise Ambiguous(f"{reference!r} matches {len(matches)} people: {names}; use the id")


class Competencies:
    """What good looks like, as named areas that notes are tagged with."""

    def __init__(self, db):
        self._db = db

    def list(self) -> list[Competency]:
        rows = self._db.execute(
            "SELECT id, name, description FROM competencies ORDER BY position, name")
        return [Competency(*row) for row in rows]

    def own(self) -> list[Competency]:
        """The team's competencies: all but those only a framework Trellis applied brought.

        A competency in no framework (an exchange import, the sample team) or
        in a framework the manager chose is the team's own.
        """
        rows = self._db.execute(
            "SELECT id, name, description FROM competencies c WHERE coalesce(("
            "SELECT max(f.chosen) FROM framework_competencies fc JOIN frameworks f "
            "ON f.id = fc.framework_id WHERE fc.competency_id = c.id), 1) = 1 "
            "ORDER BY position, name")
        return [Competency(*row) for row in rows]

    def note_counts(self) -> dict[str, int]:
        """How many live notes are tagged with each competency (absent: none)."""
        rows = self._db.execute(
            "SELECT nc.competency_id, count(*) FROM note_competencies nc JOIN notes n "
            "ON n.id = nc.note_id WHERE n.deleted_at IS NULL GROUP BY nc.competency_id")
        return dict(rows.fetchall())

    def get(self, competency_id: str) -> Competency:
        row = self._db.execute("SELECT id, name, description FROM competencies WHERE id = ?",
                               [competency_id]).fetchone()
        if row is None:
            raise NotFound(f"No competency with id {competency_id!r}")
        return Competency(*row)

    def rename(self, competency_id: str, name: str, *,
               description: str | None = None) -> Competency:
        """Give a competency a new name (and description); tags and frameworks keep it."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("A competency needs a name; the new name is empty")
        name = " ".join(name.split())
        with self._db.atomic():
            current = self.get(competency_id)
            self._refuse_taken_name(competency_id, name)
            self._db.execute("UPDATE competencies SET name = ?, description = ? WHERE id = ?",
                             [name, current.description if description is None
                              else description.strip(), competency_id])
        return self.get(competency_id)

    def _refuse_taken_name(self, competency_id: str, name: str) -> None:
        others = self._db.execute("SELECT id, name FROM competencies WHERE id != ?", [competency_id])
        other = next(((cid, n) for cid, n in others if n.casefold() == name.casefold()), None)
        if other is not None:
            raise InvalidInput(f"Another competency, {other[0]}, is already called {other[1]!r}; "
                               "two competencies cannot share a name")

    def add(self, *, name: str, description: str = "",
            competency_id: str | None = None) -> Competency:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("A competency needs a name")
        competency = Competency(competency_id or new_id("c"), name.strip(), description or "")
        with self._db.atomic():
            position = self._db.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM competencies").fetchone()[0]
            self._db.execute(
                "INSERT INTO competencies (id, name, description, position) VALUES (?, ?, ?, ?)",
                [competency.id, competency.name, competency.description, position])
        return competency
