"""Review cycles and the drafts written in them, every version kept.

Each draft version records the model's sha256 and the prompt templates
(name and version) that produced it, so a draft can always be traced.
"""

import json

from ..domain.dates import now_utc, parse_date
from ..domain.ids import new_id
from ..domain.records import DRAFT_KINDS, Draft, DraftVersion, ReviewCycle
from ..errors import InvalidInput, NotFound


class ReviewCycles:
    """Named review periods, e.g. "H1 2026"."""

    def __init__(self, db):
        self._db = db

    def add(self, *, name: str, period_start: str, period_end: str, due: str | None = None,
            cycle_id: str | None = None) -> ReviewCycle:
        start, end = parse_date(period_start, where="period start"), parse_date(period_end, where="period end")
        if start > end:
            raise InvalidInput(f"The period starts ({start}) after it ends ({end})")
        cycle = ReviewCycle(cycle_id or new_id("rc"), name, start, end,
                            None if due is None else parse_date(due, where="due"))
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO review_cycles (id, name, period_start, period_end, due, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [*_cycle_values(cycle), now_utc()])
        return cycle

    def list(self) -> list[ReviewCycle]:
        rows = self._db.execute(
            "SELECT id, name, period_start, period_end, due FROM review_cycles "
            "ORDER BY period_end DESC")
        return [ReviewCycle(*row) for row in rows]


def _cycle_values(cycle: ReviewCycle) -> list:
    return [cycle.id, cycle.name, cycle.period_start, cycle.period_end, cycle.due]


class Drafts:
    """Review drafts and development plans; saving again adds a version."""

    def __init__(self, db):
        self._db = db

    def create(self, *, kind: str, person_id: str, period_start: str | None = None,
               period_end: str | None = None, cycle_id: str | None = None) -> Draft:
        if kind not in DRAFT_KINDS:
            raise InvalidInput(f"draft kind {kind!r} is not one of: {', '.join(DRAFT_KINDS)}")
        draft = Draft(new_id("d"), kind, person_id, period_start, period_end, cycle_id)
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO drafts (id, kind, person_id, cycle_id, period_start, period_end, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [draft.id, kind, person_id, cycle_id, period_start, period_end, now_utc()])
        return draft

    def save_version(self, draft_id: str, *, body: dict, model_sha256: str,
                     prompts: list[tuple[str, str]]) -> DraftVersion:
        """Keep ``body`` as the draft's newest version; earlier versions stay."""
        with self._db.atomic():
            self.get(draft_id)
            version = self._db.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM draft_versions WHERE draft_id = ?",
                [draft_id]).fetchone()[0]
            stamp = now_utc()
            self._db.execute(
                "INSERT INTO draft_versions (draft_id, version, body, model_sha256, prompts, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [draft_id, version, json.dumps(body), model_sha256,
                 json.dumps([list(p) for p in prompts]), stamp])
        return DraftVersion(draft_id, version, body, model_sha256,
                            tuple(tuple(p) for p in prompts), stamp)

    def get(self, draft_id: str) -> Draft:
        row = self._db.execute(
            "SELECT id, kind, person_id, period_start, period_end, cycle_id FROM drafts "
            "WHERE id = ?", [draft_id]).fetchone()
        if row is None:
            raise NotFound(f"No draft with id {draft_id!r}")
        return Draft(*row, versions=tuple(self._versions(draft_id)))

    def for_person(self, person_id: str) -> list[Draft]:
        rows = self._db.execute(
            "SELECT id FROM drafts WHERE person_id = ? ORDER BY created_at DESC", [person_id])
        return [self.get(row[0]) for row in rows.fetchall()]

    def _versions(self, draft_id: str) -> list[DraftVersion]:
        rows = self._db.execute(
            "SELECT draft_id, version, body, model_sha256, prompts, created_at "
            "FROM draft_versions WHERE draft_id = ? ORDER BY version", [draft_id])
        return [DraftVersion(r[0], r[1], json.loads(r[2]), r[3],
                             tuple(tuple(p) for p in json.loads(r[4])), r[5]) for r in rows]
