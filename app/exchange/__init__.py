"""Import and export of the ``trellis/v1`` exchange format.

An import is all or nothing: the whole document is checked before the
first write, and the writes happen in one transaction. An export writes
every live record with the ids it was imported or created with.
"""

import json
from pathlib import Path

from ..errors import InvalidInput, StorageFailed
from ..paths import write_atomically
from ..store.faults import reporting_disk_faults
from .document import ImportRejected, check_document, parse_json
from .one_on_one_records import OneOnOneDetails, agenda_items, link_records
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
        return self.person_of("meetings", meeting_id)

    def person_of(self, collection: str, record_id: str) -> str | None:
        table = _TABLES[collection]
        row = self._db.execute(f"SELECT person_id FROM {table} WHERE id = ?", [record_id]).fetchone()
        return row[0] if row else None

    def agenda_threads(self, meeting_id: str) -> list[bool]:
        rows = self._db.execute("SELECT origin_id IS NULL FROM agenda_items WHERE meeting_id = ? "
                                "ORDER BY position", [meeting_id])
        return [bool(row[0]) for row in rows]

    def timeline_note(self, meeting_id: str) -> str | None:
        row = self._db.execute("SELECT id FROM notes WHERE meeting_id = ?", [meeting_id]).fetchone()
        return row[0] if row else None


MAX_IMPORT_BYTES = 64 * 2**20
"""The largest file ``import_file`` reads. A 32.6 MB file of 150,000 notes imported in 46 s
with about 120 MB of memory over the process's own (docs/reliability.md), so 64 MB (about
300,000 notes, far past a team's years) stays well under half a gigabyte."""


def import_file(store, path: Path) -> dict[str, int]:
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)  # a bigger file is never read whole
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"{path}: larger than {MAX_IMPORT_BYTES // 2**20} MB, the most Trellis "
                           "imports at once; nothing was imported. Split the team into several "
                           "files (one per person works) and import each.")
    return import_document(store, parse_json(data, str(path)), source=str(path))


def import_document(store, doc: object, *, source: str = "document") -> dict[str, int]:
    """Check ``doc`` and add everything in it in one transaction; returns counts."""
    known = _StoreRecords(store)
    records = check_document(doc, source, known)
    records["competencies"] = [r for r in records["competencies"]
                               if not known.exists("competencies", r["id"])]
    try:
        _add_records(store, records)
    except StorageFailed as failed:
        raise failed.during(f"import {source}") from None
    return {name: len(records[name]) for name in COLLECTIONS}


def _add_records(store, records: dict[str, list[dict]]) -> None:
    """Every checked record, in one transaction: all of the document or nothing."""
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
            for sentence in record["included"]:
                store.notes.include_sentence(record["id"], sentence)
        for record in records["meetings"]:
            store.meetings.add(person_id=record["person"], date=record["date"],
                               notes=record["notes"], agenda=agenda_items(record),
                               meeting_id=record["id"], template=record["template"],
                               ended=True)   # an imported 1:1 took place already
        for record in records["actions"]:
            store.actions.add(person_id=record["person"], text=record["text"], owner=record["owner"],
                              meeting_id=record["meeting"], due=record["due"], done=record["done"],
                              action_id=record["id"])
        for record in records["goals"]:
            store.goals.add(person_id=record["person"], title=record["title"],
                            status=record["status"], due=record["due"], goal_id=record["id"],
                            description=record["description"])
        link_records(store, records)


def _import_person(store, record: dict) -> None:
    store.people.add(name=record["name"], role=record["role"], level=record["level"],
                     start_date=record["start_date"], person_id=record["id"])
    if record["archived"]:
        store.people.archive(record["id"])


def export_document(store) -> dict:
    """Every live record in the store, in the order it was added."""
    people = store.people.list(include_archived=True, by_name=False)
    notes, meetings = store.notes.all_live(), store.meetings.all()
    actions, goals = store.actions.all(), store.goals.all()
    details = OneOnOneDetails(store.db, {r.id for rs in (notes, meetings, actions, goals) for r in rs})
    return {
        "format": FORMAT,
        "people": [details.person(_person(p)) for p in people],
        "competencies": [{"id": c.id, "name": c.name, "description": c.description}
                         for c in store.competencies.list()],
        "notes": [details.note(_note(n)) for n in notes],
        "meetings": [details.meeting({"id": m.id, "person": m.person_id, "date": m.date,
                                      "notes": m.notes,
                                      "agenda": [details.agenda_item(i) for i in m.agenda]},
                                     m.template)
                     for m in meetings],
        "actions": [{"id": a.id, "person": a.person_id, "meeting": a.meeting_id, "text": a.text,
                     "owner": a.owner, "due": a.due, "done": a.done} for a in actions],
        "goals": [details.goal({"id": g.id, "person": g.person_id, "title": g.title,
                                "status": g.status, "due": g.due}, g.description)
                  for g in goals],
    }


def _note(n) -> dict:
    record = {"id": n.id, "person": n.person_id, "date": n.date, "kind": n.kind,
              "text": n.text, "competencies": list(n.competencies)}
    if n.included:  # sensitive sentences the manager let into drafts, on purpose
        record["included"] = list(n.included)
    return record


def _person(p) -> dict:
    return {"id": p.id, "name": p.name, "role": p.role, "level": p.level,
            "start_date": p.start_date, "archived": p.archived}


def write_export(store, path: Path) -> dict[str, int]:
    """Write the export to ``path`` (created with owner-only permissions)."""
    doc = export_document(store)
    data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    with reporting_disk_faults(Path(path), f"export to {path}"):
        write_atomically(Path(path), data)
    return {name: len(doc[name]) for name in COLLECTIONS}
