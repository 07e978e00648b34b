"""Import and export of the ``trellis/v1`` exchange format.

An import is all or nothing: the whole document is checked before the
first write, and the writes happen in one transaction. An export writes
every live record with the ids it was imported or created with.
"""

import json
from pathlib import Path

from ..domain.records import AgendaItem
from ..errors import InvalidInput
from ..paths import write_atomically
from .document import ImportRejected, check_document, parse_json
from .schema import COLLECTIONS, FORMAT

__all__ = ["FORMAT", "ImportRejected", "export_document", "import_document", "import_file",
           "write_export"]

_TABLES = {"people": "people", "competencies": "competencies", "notes": "notes",
           "meetings": "meetings", "actions": "actions", "goals": "goals"}


class _StoreRecords:
    """Answers the import checker's questions about what the store already has."""

    def __init__(self, store):
        self._db = store.db

    def exists(self, collection: str, record_id: str) -> bool:
        table = _TABLES[collection]
        return self._db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [record_id]).fetchone() is not None

    def meeting_person(self, meeting_id: str) -> str | None:
        row = self._db.execute("SELECT person_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        return row[0] if row else None


def import_file(store, path: Path) -> dict[str, int]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror})") from None
    return import_document(store, parse_json(data, str(path)), source=str(path))


def import_document(store, doc: object, *, source: str = "document") -> dict[str, int]:
    """Check ``doc`` and add everything in it in one transaction; returns counts."""
    known = _StoreRecords(store)
    records = check_document(doc, source, known)
    records["competencies"] = [r for r in records["competencies"]
                               if not known.exists("competencies", r["id"])]
    with store.atomic():
        for record in records["competencies"]:
            store.competencies.add(name=record["name"], description=record["description"],
                                   competency_id=record["id"])
        for record in records["people"]:
            _import_person(store, record)
        for record in records["notes"]:
            store.notes.add(person_id=record["person"], text=record["text"], date=record["date"],
                            kind=record["kind"], competencies=record["competencies"],
                            note_id=record["id"])
        for record in records["meetings"]:
            agenda = tuple(AgendaItem(i["text"], i["owner"], i["done"]) for i in record["agenda"])
            store.meetings.add(person_id=record["person"], date=record["date"],
                               notes=record["notes"], agenda=agenda, meeting_id=record["id"])
        for record in records["actions"]:
            store.actions.add(person_id=record["person"], text=record["text"], owner=record["owner"],
                              meeting_id=record["meeting"], due=record["due"], done=record["done"],
                              action_id=record["id"])
        for record in records["goals"]:
            store.goals.add(person_id=record["person"], title=record["title"],
                            status=record["status"], due=record["due"], goal_id=record["id"])
    return {name: len(records[name]) for name in COLLECTIONS}


def _import_person(store, record: dict) -> None:
    store.people.add(name=record["name"], role=record["role"], level=record["level"],
                     start_date=record["start_date"], person_id=record["id"])
    if record["archived"]:
        store.people.archive(record["id"])


def export_document(store) -> dict:
    """Every live record in the store, in the order it was added."""
    return {
        "format": FORMAT,
        "people": [_person(p) for p in store.people.list(include_archived=True, by_name=False)],
        "competencies": [{"id": c.id, "name": c.name, "description": c.description}
                         for c in store.competencies.list()],
        "notes": [{"id": n.id, "person": n.person_id, "date": n.date, "kind": n.kind,
                   "text": n.text, "competencies": list(n.competencies)}
                  for n in store.notes.all_live()],
        "meetings": [_meeting(m) for m in store.meetings.all()],
        "actions": [{"id": a.id, "person": a.person_id, "meeting": a.meeting_id, "text": a.text,
                     "owner": a.owner, "due": a.due, "done": a.done} for a in store.actions.all()],
        "goals": [{"id": g.id, "person": g.person_id, "title": g.title, "status": g.status,
                   "due": g.due} for g in store.goals.all()],
    }


def _person(p) -> dict:
    return {"id": p.id, "name": p.name, "role": p.role, "level": p.level,
            "start_date": p.start_date, "archived": p.archived}


def _meeting(m) -> dict:
    return {"id": m.id, "person": m.person_id, "date": m.date, "notes": m.notes,
            "agenda": [{"text": i.text, "owner": i.owner, "done": i.done} for i in m.agenda]}


def write_export(store, path: Path) -> dict[str, int]:
    """Write the export to ``path`` (created with owner-only permissions)."""
    doc = export_document(store)
    data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_atomically(Path(path), data)
    return {name: len(doc[name]) for name in COLLECTIONS}
