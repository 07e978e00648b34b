"""The ``trellis/v1`` exchange format, checked field by field.

Every problem is reported with the record it is in (collection, index and
id) and the field, so a manager or an IT admin can fix the file. Checking
collects all problems rather than stopping at the first.
"""

from dataclasses import dataclass

from ..domain.dates import parse_date
from ..domain.records import (ACTION_OWNERS, AGENDA_SOURCES, AGENDA_STATUSES, CADENCES,
                              GOAL_STATUSES, MAX_NOTE_CHARS, NOTE_KINDS)
from ..errors import InvalidInput

FORMAT = "trellis/v1"
COLLECTIONS = ("people", "competencies", "notes", "meetings", "actions", "goals")


@dataclass(frozen=True)
class Field:
    """One field of a record: its type, whether it must be present, its default."""

    kind: str                 # text, name, label, date, bool, enum, ref, refs, sentences, number, list, object
    required: bool = True
    default: object = None
    nullable: bool = False
    choices: tuple = ()
    target: str = ""          # the collection a ref points into; the NESTED shape of a list or object


def _text(required=True, default=None, nullable=False):
    return Field("text", required, default, nullable)


def _ref(target, required=True, nullable=False):
    return Field("ref", required, None, nullable, target=target)


# The 1:1 details added with migration m007 are optional everywhere, so a
# file written before them imports exactly as it did; see docs/exchange-format.md.
TOPIC_STATES = ("suggested", "accepted", "dismissed")
TOPIC_WORDINGS = ("model", "fallback")

RECORDS: dict[str, dict[str, Field]] = {
    "people": {
        "id": Field("id"), "name": Field("label"),
        "role": _text(False, None, True), "level": _text(False, None, True),
        "start_date": Field("date", False, None, True),
        "archived": Field("bool", False, False),
        "cadence": Field("object", False, None, True, target="cadence"),
        "topics": Field("list", False, (), target="topic"),
    },
    "competencies": {
        "id": Field("id"), "name": Field("label"), "description": _text(False, ""),
    },
    "notes": {
        "id": Field("id"), "person": _ref("people"), "date": Field("date"),
        "kind": Field("enum", choices=NOTE_KINDS), "text": Field("note"),
        "competencies": Field("refs", False, (), target="competencies"),
        "meeting": _ref("meetings", required=False, nullable=True),
        "included": Field("sentences", False, ()),
    },
    "meetings": {
        "id": Field("id"), "person": _ref("people"), "date": Field("date"),
        "notes": _text(False, ""), "agenda": Field("list", False, (), target="agenda_item"),
        "template": _text(False, None, True),
    },
    "actions": {
        "id": Field("id"), "person": _ref("people"),
        "meeting": _ref("meetings", required=False, nullable=True),
        "text": Field("name"), "owner": Field("enum", choices=ACTION_OWNERS),
        "due": Field("date", False, None, True), "done": Field("bool", False, False),
    },
    "goals": {
        "id": Field("id"), "person": _ref("people"), "title": Field("name"),
        "status": Field("enum", choices=GOAL_STATUSES), "due": Field("date", False, None, True),
        "description": _text(False, ""), "updates": Field("list", False, (), target="goal_update"),
    },
}

# Records that live inside another record and have no id of their own.
NESTED: dict[str, dict[str, Field]] = {
    "agenda_item": {
        "text": Field("name"), "owner": Field("enum", choices=ACTION_OWNERS),
        "done": Field("bool", False, None),      # None: follows status (open when both are left out)
        "status": Field("enum", False, None, choices=AGENDA_STATUSES),
        "source": Field("enum", False, "manual", choices=AGENDA_SOURCES),
        "citations": Field("ids", False, ()),
        "origin": Field("object", False, None, True, target="agenda_origin"),
        "action": _ref("actions", required=False, nullable=True),
        "goal": _ref("goals", required=False, nullable=True),
    },
    "agenda_origin": {"meeting": _ref("meetings"), "item": Field("number")},
    "goal_update": {
        "date": Field("date"), "text": Field("name"),
        "status": Field("enum", False, None, True, choices=GOAL_STATUSES),
    },
    "cadence": {
        "every": Field("enum", choices=CADENCES), "next_date": Field("date", False, None, True),
        "set_on": Field("date"),
    },
    "topic": {
        "about": Field("name"), "text": Field("name"), "citations": Field("ids", False, ()),
        "wording": Field("enum", False, "model", choices=TOPIC_WORDINGS),
        "state": Field("enum", False, "suggested", choices=TOPIC_STATES),
        "meeting": _ref("meetings", required=False, nullable=True),
        "model_sha256": _text(False, ""), "prompt_version": _text(False, ""),
    },
}


class Problems:
    """The list of everything wrong with a document, each naming where."""

    def __init__(self):
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def check_value(field: Field, value: object, where: str, problems: Problems) -> object:
    """Check one value against its field; returns the value as it will be stored."""
    if value is None:
        if field.nullable:
            return None
        problems.add(where, "must not be null")
        return None
    checker = _CHECKERS[field.kind]
    return checker(field, value, where, problems)


def _is_storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(field, value, where, problems):
    if not isinstance(value, str):
        problems.add(where, f"expected a string, got {_type_name(value)}")
    elif not _is_storable(value):
        problems.add(where, "contains an invalid character (an unpaired UTF-16 surrogate)")
    return value


def _check_name(field, value, where, problems):
    if isinstance(value, str) and not value.strip():
        problems.add(where, "must not be empty")
        return value
    return _check_text(field, value, where, problems)


def _check_note(field, value, where, problems):
    if isinstance(value, str) and len(value) > MAX_NOTE_CHARS:
        problems.add(where, f"is {len(value):,} characters long; a note holds at most "
                            f"{MAX_NOTE_CHARS:,}")
        return value
    return _check_name(field, value, where, problems)


def _check_label(field, value, where, problems):
    # SQLite's length() stops at a NUL, so the store's "name is not blank"
    # rule would refuse "\x00Ana" with an integrity error rather than a sentence.
    if isinstance(value, str) and "\x00" in value:
        problems.add(where, "contains a NUL character, which a name may not have")
        return value
    return _check_name(field, value, where, problems)


def _check_date(field, value, where, problems):
    try:
        return parse_date(value, where="value")
    except InvalidInput as exc:
        problems.add(where, str(exc).removeprefix("value: "))
        return value


def _check_bool(field, value, where, problems):
    if type(value) is not bool:
        problems.add(where, f"expected true or false, got {_type_name(value)} {value!r}")
    return value


def _check_enum(field, value, where, problems):
    if value not in field.choices:
        problems.add(where, f"{value!r} is not one of: {', '.join(field.choices)}")
    return value


def _check_refs(field, value, where, problems):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, f"expected a list of ids, got {_type_name(value)}")
        return ()
    if len(set(value)) != len(value):
        problems.add(where, "lists the same id twice")
    return tuple(value)


def _check_sentences(field, value, where, problems):
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(where, f"expected a list of sentences (non-empty strings), got {_type_name(value)}")
        return ()
    if len(set(value)) != len(value):
        problems.add(where, "lists the same sentence twice")
    return tuple(value)


def _check_number(field, value, where, problems):
    if type(value) is not int or value < 1:
        problems.add(where, f"expected a whole number from 1 up, got {_type_name(value)} {value!r}")
    return value


def _check_list(field, value, where, problems):
    if not isinstance(value, list):
        problems.add(where, f"expected a list, got {_type_name(value)}")
        return ()
    return tuple(check_record(NESTED[field.target], item, f"{where}[{index}]", problems)
                 for index, item in enumerate(value))


def _check_object(field, value, where, problems):
    return check_record(NESTED[field.target], value, where, problems)


_CHECKERS = {
    "id": _check_name, "text": _check_text, "name": _check_name, "label": _check_label,
    "note": _check_note,
    "ref": _check_name,
    "date": _check_date, "bool": _check_bool, "enum": _check_enum, "refs": _check_refs,
    "ids": _check_refs, "sentences": _check_sentences, "number": _check_number, "list": _check_list, "object": _check_object,
}


def check_record(fields: dict[str, Field], record: object, where: str, problems: Problems) -> dict:
    """Check a record's shape and each field; returns it with defaults filled in."""
    if not isinstance(record, dict):
        problems.add(where, f"expected an object, got {_type_name(record)}")
        return {}
    for unknown in sorted(set(record) - set(fields)):
        problems.add(where, f"unknown field {unknown!r}")
    checked = {}
    for name, field in fields.items():
        if name not in record:
            if field.required:
                problems.add(where, f"field {name!r} is missing")
            checked[name] = field.default
            continue
        checked[name] = check_value(field, record[name], f"{where}, field {name!r}", problems)
    return checked


def record_label(collection: str, index: int, record: object) -> str:
    rid = record.get("id") if isinstance(record, dict) else None
    return f"{collection}[{index}] (id {rid!r})" if isinstance(rid, str) else f"{collection}[{index}]"
