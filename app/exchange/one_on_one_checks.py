"""Checking the 1:1 details of a ``trellis/v1`` document against each other and the store.

Agenda items may cite notes, 1:1s, actions and goals, continue a thread
started on an earlier 1:1 (``origin``) and be tied to an action or a goal;
a note may hold a 1:1's notes; a person may have a cadence and answered
topic suggestions. Every such link must land on a record that exists (in
the file or already in this Trellis) and that belongs to the same person,
so an import can never leave an agenda pointing at nothing. Problems name
the record and the field, like every other check of the format.
"""

from typing import Protocol

from .schema import Problems

CITABLE = ("notes", "meetings", "actions", "goals")
TOPIC_SOURCES = {"note": "notes", "goal": "goals", "action": "actions"}


class StoredOneOnOnes(Protocol):
    """What the store already holds that links in a document may point at."""

    def exists(self, collection: str, record_id: str) -> bool:
        """Whether the store has that record."""

    def person_of(self, collection: str, record_id: str) -> str | None:
        """The person a stored note, 1:1, action or goal belongs to."""

    def agenda_threads(self, meeting_id: str) -> list[bool]:
        """For each agenda item of a stored 1:1, in order: whether it starts its thread."""

    def timeline_note(self, meeting_id: str) -> str | None:
        """The stored note that already holds a stored 1:1's notes."""


class _Links:
    """Lookups across the document and the store, shared by the checks below."""

    def __init__(self, records: dict, stored: StoredOneOnOnes):
        self.stored = stored
        self.records = {name: {r["id"]: r for _, r in pairs} for name, pairs in records.items()}

    def exists(self, collection: str, rid: str) -> bool:
        return rid in self.records[collection] or self.stored.exists(collection, rid)

    def person_of(self, collection: str, rid: str) -> str | None:
        record = self.records[collection].get(rid)
        return record["person"] if record else self.stored.person_of(collection, rid)

    def thread_starts(self, meeting_id: str) -> list[bool]:
        meeting = self.records["meetings"].get(meeting_id)
        if meeting is None:
            return self.stored.agenda_threads(meeting_id)
        return [item["origin"] is None for item in meeting["agenda"]]


def check_one_on_ones(records: dict, stored: StoredOneOnOnes, problems: Problems) -> None:
    """Add a problem for every 1:1 link in ``records`` that is dangling or crosses people."""
    links = _Links(records, stored)
    for label, meeting in records["meetings"]:
        for index, item in enumerate(meeting["agenda"]):
            where = f"{label}, field 'agenda'[{index}]"
            _settle_status(item, where, problems)
            _check_agenda_links(links, meeting, index, item, where, problems)
    _check_timeline_notes(links, records["notes"], problems)
    for label, person in records["people"]:
        _check_cadence(person, label, problems)
        _check_topics(links, person, label, problems)


def _settle_status(item: dict, where: str, problems: Problems) -> None:
    """Fill in whichever of ``done`` and ``status`` was left out; both given must agree."""
    done, status = item["done"], item["status"]
    if status is None:
        item["status"] = "done" if done else "open"
    elif done is not None and done != (status == "done"):
        problems.add(where, f"'done' is {str(done).lower()} but 'status' is {status!r}")
    item["done"] = item["status"] == "done"


def _check_agenda_links(links: _Links, meeting: dict, index: int, item: dict, where: str,
                        problems: Problems) -> None:
    _check_citations(links, item["citations"], f"{where}, field 'citations'", problems)
    for field_name, collection in (("action", "actions"), ("goal", "goals")):
        rid = item[field_name]
        if rid is not None:
            _check_same_person(links, collection, rid, meeting["person"],
                               f"{where}, field {field_name!r}", problems)
    if item["origin"] is not None:
        _check_origin(links, meeting, index, item["origin"], f"{where}, field 'origin'", problems)


def _check_citations(links: _Links, citations, where: str, problems: Problems) -> None:
    for rid in citations:
        if not any(links.exists(collection, rid) for collection in CITABLE):
            problems.add(where, f"cites {rid!r}, which is not a note, 1:1, action or goal "
                                "in the file or in this Trellis")


def _check_same_person(links: _Links, collection: str, rid: str, person: str, where: str,
                       problems: Problems) -> None:
    if not links.exists(collection, rid):
        problems.add(where, f"refers to {rid!r}, which is not in {collection}")
        return
    owner = links.person_of(collection, rid)
    if owner != person:
        problems.add(where, f"{rid!r} belongs to {owner!r}, not {person!r}")


def _check_origin(links: _Links, meeting: dict, index: int, origin: dict, where: str,
                  problems: Problems) -> None:
    """The thread must start on an item of another 1:1 with the same person that has no origin."""
    first, number = origin["meeting"], origin["item"]
    if not links.exists("meetings", first):
        problems.add(where, f"refers to 1:1 {first!r}, which is not in meetings")
        return
    if first == meeting["id"]:
        problems.add(where, f"points at 1:1 {first!r} itself; a thread starts on an earlier 1:1")
        return
    _check_same_person(links, "meetings", first, meeting["person"], where, problems)
    starts = links.thread_starts(first)
    if number > len(starts):
        problems.add(where, f"1:1 {first!r} has {len(starts)} agenda item(s), not {number}")
    elif not starts[number - 1]:
        problems.add(where, f"item {number} of 1:1 {first!r} is itself carried over; "
                            "point at the item its thread started with")


def _check_timeline_notes(links: _Links, notes: list, problems: Problems) -> None:
    """A 1:1's notes live in at most one note, of the same person."""
    holder: dict[str, str] = {}
    for label, note in notes:
        meeting_id = note["meeting"]
        if meeting_id is None or not links.exists("meetings", meeting_id):
            continue            # a dangling reference is reported with the others
        where = f"{label}, field 'meeting'"
        _check_same_person(links, "meetings", meeting_id, note["person"], where, problems)
        earlier = holder.setdefault(meeting_id, label)
        stored = links.stored.timeline_note(meeting_id)
        if earlier != label:
            problems.add(where, f"1:1 {meeting_id!r} already has its notes in {earlier}")
        elif stored is not None:
            problems.add(where, f"1:1 {meeting_id!r} already has its notes in note {stored!r} "
                                "in this Trellis")


def _check_cadence(person: dict, label: str, problems: Problems) -> None:
    cadence = person["cadence"]
    if cadence and cadence["every"] == "none" and cadence["next_date"] is not None:
        problems.add(f"{label}, field 'cadence'",
                     "a cadence of 'none' has no next date; leave 'next_date' null")


def _check_topics(links: _Links, person: dict, label: str, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for index, topic in enumerate(person["topics"]):
        where = f"{label}, field 'topics'[{index}]"
        about = topic["about"]
        if about in seen:
            problems.add(where, f"topic about {about!r} is listed twice (also [{seen[about]}])")
        seen.setdefault(about, index)
        _check_topic_source(links, about, person["id"], f"{where}, field 'about'", problems)
        _check_citations(links, topic["citations"], f"{where}, field 'citations'", problems)
        if topic["meeting"] is not None:
            _check_same_person(links, "meetings", topic["meeting"], person["id"],
                               f"{where}, field 'meeting'", problems)


def _check_topic_source(links: _Links, about: str, person: str, where: str,
                        problems: Problems) -> None:
    kind, _, rid = about.partition(":")
    if kind not in TOPIC_SOURCES or not rid:
        problems.add(where, f"{about!r} is not 'note:ID', 'goal:ID' or 'action:ID'")
        return
    _check_same_person(links, TOPIC_SOURCES[kind], rid, person, where, problems)
