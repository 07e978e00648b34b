"""Property: any trellis/v1 document either imports exactly or is refused and changes nothing.

Hypothesis writes documents the way a tool feeding Trellis might: people,
competencies, notes, 1:1s with carried-over threads, actions, goals with
progress, cadences and answered topics, with arbitrary text and ids. A
well-formed one must import, and its export must equal it (modulo the
order of records). Each is then damaged at one random place — a value
replaced by any JSON value, a field removed or added, a record repeated —
and the result must either be refused with ``InvalidInput`` (never any
other exception) leaving the store exactly as it was, or import and
export as a fixed point holding every record it named.

Every example runs inside a transaction that is rolled back afterwards,
so one encrypted store serves them all and stays empty between examples.
"""

import copy
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from app.domain.records import (ACTION_OWNERS, AGENDA_SOURCES, CADENCES, GOAL_STATUSES,
                                NOTE_KINDS)
from app.errors import InvalidInput
from app.exchange import export_document, import_document
from app.exchange.schema import TOPIC_STATES, TOPIC_WORDINGS
from app.store import Store
from app.store.backup import table_counts
from conftest import FAST_KDF, PASSPHRASE

# Hypothesis keeps caches even without an example database: outside the working tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "trellis-hypothesis")
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])
COLLECTIONS = ("people", "competencies", "notes", "meetings", "actions", "goals")

texts = st.text(max_size=24)
names = texts.map(str.strip).filter(bool)          # the store trims names and titles
labels = names.filter(lambda s: "\x00" not in s)   # people and competencies: no NUL in a name
bodies = texts.filter(lambda s: s.strip())          # note and agenda text is kept as written
dates = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)
optional_dates = st.none() | dates
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False,
                                                                     allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6)


class _Undo(Exception):
    """Raised inside the example's transaction so that everything it wrote is rolled back."""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("properties") / "home", passphrase=PASSPHRASE,
                    kdf=FAST_KDF) as opened:
        yield opened


def _person(draw, pid: str) -> dict:
    return {"id": pid, "name": draw(labels), "role": draw(st.none() | texts),
            "level": draw(st.none() | texts), "start_date": draw(optional_dates),
            "archived": draw(st.booleans())}


def _agenda_item(draw, citable: list[str]) -> dict:
    status = draw(st.sampled_from(("open", "done", "dropped")))
    item = {"text": draw(bodies), "owner": draw(st.sampled_from(ACTION_OWNERS)),
            "done": status == "done"}
    if status == "dropped":
        item["status"] = "dropped"
    source = draw(st.sampled_from(AGENDA_SOURCES))
    if source != "manual":
        item["source"] = source
    cited = draw(st.lists(st.sampled_from(citable), unique=True, max_size=3)) if citable else []
    if cited:
        item["citations"] = cited
    return item


def _meetings(draw, people: list[str], citable: list[str]) -> list[dict]:
    meetings = []
    for number in range(draw(st.integers(0, 4))):
        person = draw(st.sampled_from(people))
        meeting = {"id": f"m{number}", "person": person, "date": draw(dates),
                   "notes": draw(texts),
                   "agenda": [_agenda_item(draw, citable) for _ in range(draw(st.integers(0, 3)))]}
        if draw(st.booleans()):
            meeting["template"] = draw(names)
        _carry_over(draw, meeting, meetings)
        meetings.append(meeting)
    return meetings


def _carry_over(draw, meeting: dict, earlier: list[dict]) -> None:
    """Point some items at the first item of a thread on an earlier 1:1 with the same person."""
    starts = [(m["id"], n) for m in earlier if m["person"] == meeting["person"]
              for n, item in enumerate(m["agenda"], 1) if "origin" not in item]
    for item in meeting["agenda"]:
        if starts and draw(st.booleans()):
            first, number = draw(st.sampled_from(starts))
            item["origin"] = {"meeting": first, "item": number}


def _link_agenda(draw, meetings: list[dict], records: list[dict], field: str) -> None:
    for meeting in meetings:
        theirs = [r["id"] for r in records if r["person"] == meeting["person"]]
        for item in meeting["agenda"]:
            if theirs and draw(st.booleans()):
                item[field] = draw(st.sampled_from(theirs))


def _goal(draw, gid: str, person: str) -> dict:
    goal = {"id": gid, "person": person, "title": draw(names),
            "status": draw(st.sampled_from(GOAL_STATUSES)), "due": draw(optional_dates)}
    description = draw(texts)
    if description:
        goal["description"] = description
    updates = [{"date": d, "text": draw(names), "status": draw(st.none() | st.sampled_from(GOAL_STATUSES))}
               for d in sorted(draw(st.lists(dates, max_size=3)))]
    if updates:
        goal["updates"] = updates
    return goal


def _person_details(draw, person: dict, doc: dict) -> None:
    if draw(st.booleans()):
        every = draw(st.sampled_from(CADENCES))
        person["cadence"] = {"every": every,
                             "next_date": None if every == "none" else draw(optional_dates),
                             "set_on": draw(dates)}
    sources = [f"{kind}:{r['id']}" for kind, name in (("note", "notes"), ("goal", "goals"),
                                                       ("action", "actions"))
               for r in doc[name] if r["person"] == person["id"]]
    citable = [r["id"] for name in ("notes", "meetings", "actions", "goals") for r in doc[name]]
    meetings = [m["id"] for m in doc["meetings"] if m["person"] == person["id"]]
    abouts = draw(st.lists(st.sampled_from(sources), unique=True, max_size=2)) if sources else []
    topics = [{"about": about, "text": draw(names),
               "citations": draw(st.lists(st.sampled_from(citable), unique=True, max_size=2)),
               "wording": draw(st.sampled_from(TOPIC_WORDINGS)),
               "state": draw(st.sampled_from(TOPIC_STATES)),
               "meeting": draw(st.none() | st.sampled_from(meetings)) if meetings else None,
               "model_sha256": draw(texts), "prompt_version": draw(texts)}
              for about in sorted(abouts)]
    if topics:
        person["topics"] = topics


def _timeline_links(draw, doc: dict) -> None:
    taken = set()
    for note in doc["notes"]:
        free = [m["id"] for m in doc["meetings"] if m["person"] == note["person"] and m["id"] not in taken]
        if free and draw(st.booleans()):
            note["meeting"] = draw(st.sampled_from(free))
            taken.add(note["meeting"])


@st.composite
def documents(draw) -> dict:
    """A well-formed document, written the way an export writes it."""
    people = [_person(draw, f"p{i}") for i in range(draw(st.integers(1, 3)))]
    pids = [p["id"] for p in people]
    competencies = [{"id": f"c{i}", "name": draw(labels), "description": draw(texts)}
                    for i in range(draw(st.integers(0, 2)))]
    notes = [{"id": f"n{i}", "person": draw(st.sampled_from(pids)), "date": draw(dates),
              "kind": draw(st.sampled_from(NOTE_KINDS)), "text": draw(bodies),
              "competencies": sorted(draw(st.sets(st.sampled_from([c["id"] for c in competencies]))))
              if competencies else []}
             for i in range(draw(st.integers(0, 4)))]
    meetings = _meetings(draw, pids, [n["id"] for n in notes])
    actions = []
    for i in range(draw(st.integers(0, 3))):
        person = draw(st.sampled_from(pids))
        theirs = [m["id"] for m in meetings if m["person"] == person]
        actions.append({"id": f"a{i}", "person": person,
                        "meeting": draw(st.none() | st.sampled_from(theirs)) if theirs else None,
                        "text": draw(names), "owner": draw(st.sampled_from(ACTION_OWNERS)),
                        "due": draw(optional_dates), "done": draw(st.booleans())})
    goals = [_goal(draw, f"g{i}", draw(st.sampled_from(pids))) for i in range(draw(st.integers(0, 2)))]
    _link_agenda(draw, meetings, actions, "action")
    _link_agenda(draw, meetings, goals, "goal")
    doc = {"format": "trellis/v1", "people": people, "competencies": competencies, "notes": notes,
           "meetings": meetings, "actions": actions, "goals": goals}
    _timeline_links(draw, doc)
    for person in people:
        _person_details(draw, person, doc)
    return doc


def _by_id(doc: dict) -> dict:
    return {name: sorted(doc.get(name, []), key=lambda r: r["id"]) for name in COLLECTIONS}


def _snapshot(store) -> tuple:
    return export_document(store), table_counts(store.db.conn)


def _import_then_export(store, doc) -> dict | None:
    """The export after importing ``doc``; None if the import was refused.

    Either way the example's transaction is rolled back afterwards. A
    refused import must already have left the store as it was, which is
    checked inside the transaction, where partial writes would still show.
    """
    before = _snapshot(store)
    try:
        with store.atomic():
            try:
                import_document(store, doc, source="generated.json")
            except InvalidInput as refusal:
                assert str(refusal).startswith("generated.json") or str(refusal).strip()
                assert _snapshot(store) == before, "a refused import changed the store"
                raise _Undo from None
            exported = export_document(store)
            raise _Undo
    except _Undo:
        pass
    assert _snapshot(store) == before
    return locals().get("exported")


@PROPERTY_SETTINGS
@given(doc=documents())
def test_a_well_formed_document_imports_exactly(store, doc):
    assert _snapshot(store)[1]["notes"] == 0
    exported = _import_then_export(store, copy.deepcopy(doc))
    assert exported is not None, "a well-formed document was refused"
    assert _by_id(exported) == _by_id(doc)


@st.composite
def damaged_documents(draw) -> dict:
    """A well-formed document with one thing wrong (or, by chance, still right)."""
    doc = draw(documents())
    containers = list(_containers(doc))
    target = draw(st.sampled_from(containers))
    if isinstance(target, list):
        if target and draw(st.booleans()):
            target.append(copy.deepcopy(draw(st.sampled_from(target))))
        else:
            target.append(draw(json_values))
    else:
        key = draw(st.sampled_from(sorted(target)) | texts)
        if key in target and draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(json_values)
    return doc


def _containers(value):
    if isinstance(value, (dict, list)):
        yield value
        for child in value.values() if isinstance(value, dict) else value:
            yield from _containers(child)


@PROPERTY_SETTINGS
@given(doc=damaged_documents())
def test_a_damaged_document_is_refused_cleanly_or_imports_exactly(store, doc):
    exported = _import_then_export(store, copy.deepcopy(doc))
    if exported is None:
        return
    again = _import_then_export(store, copy.deepcopy(exported))
    assert again == exported, "the export of an accepted document is not a fixed point"
    for name in COLLECTIONS:
        assert {r["id"] for r in exported[name]} == {r["id"] for r in doc.get(name, [])}


@settings(max_examples=40, deadline=None, database=None)
@given(doc=json_values)
def test_any_json_value_is_refused_cleanly(store, doc):
    assert _import_then_export(store, doc) is None
