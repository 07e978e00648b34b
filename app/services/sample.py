"""The sample team: a fictional team to explore Trellis with, removable in one click.

It is shipped in the exchange format (``app/samples/sample_team.json``),
its ids all start with ``sample-``, and which records it added is kept in
the store, so removing it never touches the manager's own data. Its dates
are shifted on loading so that the latest note is from yesterday.
"""

import datetime as dt
import json
from pathlib import Path

from ..errors import InvalidInput

SAMPLE_FILE = Path(__file__).resolve().parents[1] / "samples" / "sample_team.json"
_DATED = {"people": ("start_date",), "notes": ("date",), "meetings": ("date",),
          "actions": ("due",), "goals": ("due",)}


def sample_document(today: dt.date | None = None) -> dict:
    doc = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    latest = max(dt.date.fromisoformat(n["date"]) for n in doc["notes"])
    shift = ((today or dt.date.today()) - dt.timedelta(days=1)) - latest
    for collection, fields in _DATED.items():
        for record in doc[collection]:
            _shift_dates(record, fields, shift)
    for person in doc["people"]:
        if person.get("cadence"):
            _shift_dates(person["cadence"], ("next_date", "set_on"), shift)
    return doc


def _shift_dates(record: dict, fields, shift: dt.timedelta) -> None:
    for field in fields:
        if record.get(field):
            record[field] = (dt.date.fromisoformat(record[field]) + shift).isoformat()


def has_sample_team(store) -> bool:
    return store.db.execute("SELECT 1 FROM sample_records LIMIT 1").fetchone() is not None


def load_sample_team(store, today: dt.date | None = None) -> dict[str, int]:
    """Add the sample team in one transaction; refused if it is already there."""
    if has_sample_team(store):
        raise InvalidInput("The sample team is already loaded")
    from ..exchange import import_document
    doc = sample_document(today)
    with store.atomic():
        counts = import_document(store, doc, source="the sample team")
        for kind, collection in (("person", "people"), ("competency", "competencies")):
            for record in doc[collection]:
                store.db.execute("INSERT INTO sample_records (kind, id) VALUES (?, ?)",
                                 [kind, record["id"]])
    return counts


def remove_sample_team(store) -> int:
    """Delete everything the sample added (notes, 1:1s, actions … go with its people)."""
    with store.atomic():
        people = [r[0] for r in store.db.execute(
            "SELECT id FROM sample_records WHERE kind = 'person'").fetchall()]
        store.db.execute("DELETE FROM people WHERE id IN (SELECT id FROM sample_records "
                         "WHERE kind = 'person')")
        store.db.execute("DELETE FROM competencies WHERE id IN (SELECT id FROM sample_records "
                         "WHERE kind = 'competency')")
        store.db.execute("DELETE FROM sample_records")
    return len(people)


def sample_person_ids(store) -> set[str]:
    return {r[0] for r in store.db.execute("SELECT id FROM sample_records WHERE kind = 'person'")}
