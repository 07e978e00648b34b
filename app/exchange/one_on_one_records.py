"""Writing and exporting the 1:1 details of ``trellis/v1``: threads, links, cadences, topics.

The repositories add people, notes, 1:1s, actions and goals; what ties them
together (an agenda item's thread, action and goal, the note holding a
1:1's notes) can only be written once every record of the file is in, so
the import does it last, inside the same transaction. The export writes
these fields only when they hold something, so a team without 1:1 details
exports exactly as it did before they existed.
"""

import json

from ..domain.dates import now_utc
from ..domain.records import AgendaItem
# --- import -----------------------------------------------------------------------


def agenda_items(record: dict) -> tuple[AgendaItem, ...]:
    """A checked meeting's agenda as the store takes it; links follow in ``link_records``."""
    return tuple(AgendaItem(i["text"], i["owner"], done=i["status"] == "done",
                            dropped=i["status"] == "dropped", source=i["source"],
                            citations=tuple(i["citations"]))
                 for i in record["agenda"])


def link_records(store, records: dict) -> None:
    """Write the links and the 1:1 details of checked ``records`` already added to ``store``."""
    db = store.db
    for meeting in records["meetings"]:
        _link_agenda(db, meeting)
    for note in records["notes"]:
        if note["meeting"] is not None:
            db.execute("UPDATE notes SET meeting_id = ? WHERE id = ?", [note["meeting"], note["id"]])
    for goal in records["goals"]:
        _add_goal_updates(db, goal)
    for person in records["people"]:
        _add_cadence(db, person)
        _add_topics(db, person)


def _item_ids(db, meeting_id: str) -> list[int]:
    rows = db.execute("SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position",
                      [meeting_id])
    return [row[0] for row in rows]


def _link_agenda(db, meeting: dict) -> None:
    for item, row_id in zip(meeting["agenda"], _item_ids(db, meeting["id"]), strict=True):
        origin = item["origin"]
        if origin is None and item["action"] is None and item["goal"] is None:
            continue
        origin_id = _item_ids(db, origin["meeting"])[origin["item"] - 1] if origin else None
        db.execute("UPDATE agenda_items SET origin_id = ?, action_id = ?, goal_id = ? WHERE id = ?",
                   [origin_id, item["action"], item["goal"], row_id])


def _add_goal_updates(db, goal: dict) -> None:
    for update in goal["updates"]:
        db.execute("INSERT INTO goal_updates (goal_id, date, text, status, created_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [goal["id"], update["date"], update["text"], update["status"], now_utc()])


def _add_cadence(db, person: dict) -> None:
    cadence = person["cadence"]
    if cadence is None:
        return
    db.execute("INSERT INTO cadences (person_id, cadence, next_date, set_on, updated_at) "
               "VALUES (?, ?, ?, ?, ?)",
               [person["id"], cadence["every"], cadence["next_date"], cadence["set_on"], now_utc()])


def _add_topics(db, person: dict) -> None:
    for topic in person["topics"]:
        db.execute(
            "INSERT INTO topic_suggestions (person_id, key, text, citations, wording, state, "
            "meeting_id, model_sha256, prompt_version, created_at) "
            "VALUES (?, ?, ?, json(?), ?, ?, ?, ?, ?, ?)",
            [person["id"], topic["about"], topic["text"], json.dumps(list(topic["citations"])),
             topic["wording"], topic["state"], topic["meeting"], topic["model_sha256"],
             topic["prompt_version"], now_utc()])


# --- export -----------------------------------------------------------------------


class OneOnOneDetails:
    """The 1:1 details of a store, read once, for the records an export writes.

    ``exported`` holds the ids of the notes, 1:1s, actions and goals the
    export writes: a citation of anything else (a note in the trash) is
    left out, and so is a topic about it, so the export imports cleanly.
    """

    def __init__(self, db, exported: set[str]):
        self._exported = exported
        self._timeline = dict(db.execute(
            "SELECT id, meeting_id FROM notes WHERE meeting_id IS NOT NULL").fetchall())
        self._place = _agenda_places(db)
        self._updates = _by_first(db.execute(
            "SELECT goal_id, date, text, status FROM goal_updates ORDER BY goal_id, date, id"))
        self._cadences = {row[0]: row[1:] for row in db.execute(
            "SELECT person_id, cadence, next_date, set_on FROM cadences")}
        self._topics = _by_first(db.execute(
            "SELECT person_id, key, text, citations, wording, state, meeting_id, model_sha256, "
            "prompt_version FROM topic_suggestions ORDER BY person_id, key"))

    def person(self, record: dict) -> dict:
        cadence = self._cadences.get(record["id"])
        if cadence:
            record["cadence"] = dict(zip(("every", "next_date", "set_on"), cadence, strict=True))
        topics = [t for t in map(self._topic, self._topics.get(record["id"], ())) if t]
        if topics:
            record["topics"] = topics
        return record

    def _topic(self, row) -> dict | None:
        about, text, citations, wording, state, meeting, sha, version = row
        if about.partition(":")[2] not in self._exported:
            return None
        return {"about": about, "text": text, "citations": self._cited(json.loads(citations)),
                "wording": wording, "state": state, "meeting": meeting, "model_sha256": sha,
                "prompt_version": version}

    def _cited(self, citations) -> list[str]:
        return [rid for rid in citations if rid in self._exported]

    def note(self, record: dict) -> dict:
        if record["id"] in self._timeline:
            record["meeting"] = self._timeline[record["id"]]
        return record

    def meeting(self, record: dict, template: str | None) -> dict:
        if template is not None:
            record["template"] = template
        return record

    def agenda_item(self, item: AgendaItem) -> dict:
        record = {"text": item.text, "owner": item.owner, "done": item.done}
        extras = {"status": item.status if item.dropped else None,
                  "source": item.source if item.source != "manual" else None,
                  "citations": self._cited(item.citations) or None,
                  "origin": self._origin(item.origin_id),
                  "action": item.action_id, "goal": item.goal_id}
        record.update((name, value) for name, value in extras.items() if value is not None)
        return record

    def _origin(self, origin_id: int | None) -> dict | None:
        if origin_id is None:
            return None
        meeting_id, number = self._place[origin_id]
        return {"meeting": meeting_id, "item": number}

    def goal(self, record: dict, description: str) -> dict:
        if description:
            record["description"] = description
        updates = self._updates.get(record["id"])
        if updates:
            record["updates"] = [{"date": d, "text": t, "status": s} for d, t, s in updates]
        return record


def _agenda_places(db) -> dict[int, tuple[str, int]]:
    """Each agenda item's 1:1 and its number there, counting from 1 as the manager sees them."""
    places, counts = {}, {}
    for row_id, meeting_id in db.execute(
            "SELECT id, meeting_id FROM agenda_items ORDER BY meeting_id, position"):
        counts[meeting_id] = counts.get(meeting_id, 0) + 1
        places[row_id] = (meeting_id, counts[meeting_id])
    return places


def _by_first(rows) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = {}
    for first, *rest in rows:
        grouped.setdefault(first, []).append(tuple(rest))
    return grouped
