"""Reading a ``trellis/v1`` file and deciding, before any write, whether it can be imported."""

from typing import Protocol

from .. import strict_json
from ..errors import InvalidInput
from .one_on_one_checks import StoredOneOnOnes, check_one_on_ones
from .schema import COLLECTIONS, FORMAT, RECORDS, Problems, check_record, record_label

MAX_LISTED_PROBLEMS = 25


class ImportRejected(InvalidInput):
    """The document has problems; nothing was imported."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:MAX_LISTED_PROBLEMS])
        more = len(problems) - MAX_LISTED_PROBLEMS
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{source}: not imported, nothing was changed. "
            f"{len(problems)} problem(s):\n  {shown}{tail}")


def parse_json(data: bytes, source: str) -> object:
    """Parse strict JSON (UTF-8, no duplicate keys, no NaN); errors name the place."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text (byte {exc.start})") from None
    try:
        return strict_json.loads(text, what="a trellis/v1 file")
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None


class StoredRecords(StoredOneOnOnes, Protocol):
    """What the store already holds, as far as checking an import needs to know."""

    def meeting_person(self, meeting_id: str) -> str | None:
        """The person a stored meeting was with."""


def check_document(doc: object, source: str, stored: StoredRecords) -> dict[str, list[dict]]:
    """Check the whole document; returns its records by collection, or raises ImportRejected."""
    exists = stored.exists
    problems = Problems()
    if not isinstance(doc, dict):
        raise ImportRejected(source, ["the document must be a JSON object"])
    _check_header(doc, problems)
    records = {name: _check_collection(doc, name, problems) for name in COLLECTIONS}
    if not problems:
        _check_ids(records, exists, problems)
        _check_references(records, exists, problems)
        _check_action_meetings(records, stored, problems)
        _check_included_sentences(records, problems)
        check_one_on_ones(records, stored, problems)
    if problems:
        raise ImportRejected(source, problems.items)
    return {name: [record for _, record in pairs] for name, pairs in records.items()}


def _check_header(doc: dict, problems: Problems) -> None:
    if "format" not in doc:
        problems.add("document", f"field 'format' is missing (expected {FORMAT!r})")
    elif doc["format"] != FORMAT:
        problems.add("document", f"format {doc['format']!r} is not supported (expected {FORMAT!r})")
    for unknown in sorted(set(doc) - {"format", *COLLECTIONS}):
        problems.add("document", f"unknown field {unknown!r}")


def _check_collection(doc: dict, name: str, problems: Problems) -> list[tuple[str, dict]]:
    items = doc.get(name, [])
    if not isinstance(items, list):
        problems.add(name, "expected a list")
        return []
    checked = []
    for index, record in enumerate(items):
        label = record_label(name, index, record)
        checked.append((label, check_record(RECORDS[name], record, label, problems)))
    return checked


# Competencies are a shared vocabulary (a framework may already hold
# "c-delivery"), not records about a person: one the store already has is
# matched by id, keeping the store's wording, instead of refusing the file.
SHARED_COLLECTIONS = frozenset({"competencies"})


def _check_ids(records: dict, exists, problems: Problems) -> None:
    for name, pairs in records.items():
        first_seen: dict[str, str] = {}
        for label, record in pairs:
            rid = record["id"]
            if rid in first_seen:
                problems.add(label, f"duplicate id {rid!r} (also {first_seen[rid]})")
            elif exists(name, rid) and name not in SHARED_COLLECTIONS:
                problems.add(label, f"id {rid!r} already exists in this Trellis")
            first_seen.setdefault(rid, label)


def _check_references(records: dict, exists, problems: Problems) -> None:
    ids = {name: {r["id"] for _, r in pairs} for name, pairs in records.items()}

    def known(target: str, rid: str) -> bool:
        return rid in ids[target] or exists(target, rid)

    for name, pairs in records.items():
        for label, record in pairs:
            for field_name, field in RECORDS[name].items():
                value = record[field_name]
                targets = [value] if field.kind == "ref" else list(value or ()) if field.kind == "refs" else []
                for rid in targets:
                    if rid is not None and not known(field.target, rid):
                        problems.add(f"{label}, field {field_name!r}",
                                     f"refers to {rid!r}, which is not in {field.target}")


def _check_action_meetings(records: dict, stored: StoredRecords, problems: Problems) -> None:
    meeting_person = {r["id"]: r["person"] for _, r in records["meetings"]}
    for label, action in records["actions"]:
        if action["meeting"] is None:
            continue
        owner = meeting_person.get(action["meeting"]) or stored.meeting_person(action["meeting"])
        if owner is not None and owner != action["person"]:
            problems.add(f"{label}, field 'meeting'",
                         f"meeting {action['meeting']!r} is with {owner!r}, not {action['person']!r}")


def _check_included_sentences(records: dict, problems: Problems) -> None:
    """A sentence the manager let into drafts must be one of the note's own, and a personal
    note stays out as a whole (``app.reviews.sensitive``)."""
    for label, note in records["notes"]:
        where = f"{label}, field 'included'"
        if note["included"] and note["kind"] == "personal":
            problems.add(where, "a personal note stays out of reviews as a whole; "
                                "it has no sentence to include")
            continue
        for index, sentence in enumerate(note["included"]):
            if sentence not in note["text"]:
                problems.add(f"{where}[{index}]", f"{_short(sentence)!r} is not a sentence of "
                                                  "the note's text")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
