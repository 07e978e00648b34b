"""Review cycles and the drafts written in them, every version kept.

Each draft version records the model's sha256 and the prompt templates
(name and version) that produced it, so a draft can always be traced.
"""

import json

from ..domain.dates import now_utc, parse_date
from ..domain.ids import new_id
from ..domain.records import CYCLE_STATUSES, DRAFT_KINDS, Draft, DraftVersion, ReviewCycle
from ..errors import InvalidInput, NotFound


class ReviewCycles:
    """Named review periods, e.g. "H1 2026"."""

    def __init__(self, db):
        self._db = db

    def add(self, *, name: str, period_start: str, period_end: str, due: str | None = None,
            cycle_id: str | None = None) -> ReviewCycle:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("A review cycle needs a name, e.g. \"H1 2026\"")
        name = " ".join(name.split())
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

    def get(self, cycle_id: str) -> ReviewCycle:
        row = self._db.execute(
            "SELECT id, name, period_start, period_end, due FROM review_cycles WHERE id = ?",
            [cycle_id]).fetchone()
        if row is None:
            raise NotFound(f"No review cycle with id {cycle_id!r}")
        return ReviewCycle(*row)

    def resolve(self, reference: str) -> ReviewCycle:
        """A cycle by id or by its exact name (case-insensitive)."""
        rows = self._db.execute(
            "SELECT id FROM review_cycles WHERE id = ? OR lower(name) = lower(?)",
            [reference, reference.strip()]).fetchall()
        if len(rows) == 1:
            return self.get(rows[0][0])
        if not rows:
            raise NotFound(f"No review cycle called {reference!r}")
        raise InvalidInput(f"{reference!r} names {len(rows)} review cycles; use the id")

    def status(self, cycle_id: str, person_id: str) -> str:
        """not_started, drafting or final."""
        row = self._db.execute(
            "SELECT status FROM cycle_people WHERE cycle_id = ? AND person_id = ?",
            [cycle_id, person_id]).fetchone()
        return row[0] if row else "not_started"

    def statuses(self, cycle_id: str) -> dict[str, str]:
        """Every person with a recorded status in the cycle (others are not_started)."""
        rows = self._db.execute(
            "SELECT person_id, status FROM cycle_people WHERE cycle_id = ?", [cycle_id])
        return dict(rows.fetchall())

    def set_status(self, cycle_id: str, person_id: str, status: str) -> None:
        if status not in CYCLE_STATUSES:
            raise InvalidInput(f"status {status!r} is not one of: {', '.join(CYCLE_STATUSES)}")
        with self._db.atomic():
            self.get(cycle_id)
            if not self._db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone():
                raise NotFound(f"No person with id {person_id!r}")
            self._db.execute(
                "INSERT INTO cycle_people (cycle_id, person_id, status, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET status = excluded.status, "
                "updated_at = excluded.updated_at", [cycle_id, person_id, status, now_utc()])


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
            self._require(draft)
            self._db.execute(
                "INSERT INTO drafts (id, kind, person_id, cycle_id, period_start, period_end, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [draft.id, kind, person_id, cycle_id, period_start, period_end, now_utc()])
            if cycle_id is not None and kind == "review":
                self._set_cycle_status(draft, "drafting")
        return draft

    def _require(self, draft: Draft) -> None:
        """Name a missing person or cycle instead of failing on a foreign key."""
        if not self._db.execute("SELECT 1 FROM people WHERE id = ?", [draft.person_id]).fetchone():
            raise NotFound(f"No person with id {draft.person_id!r}")
        if draft.cycle_id is not None:
            ReviewCycles(self._db).get(draft.cycle_id)

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
            "SELECT id, kind, person_id, period_start, period_end, cycle_id, final_version "
            "FROM drafts WHERE id = ?", [draft_id]).fetchone()
        if row is None:
            raise NotFound(f"No draft with id {draft_id!r}")
        return Draft(*row[:6], versions=tuple(self._versions(draft_id)), final_version=row[6])

    def mark_final(self, draft_id: str, version: int | None = None) -> Draft:
        """Mark ``version`` (default: the newest) as the final one; None/0 clears it.

        When the draft belongs to a review cycle, the person's status there
        becomes final (or back to drafting when cleared).
        """
        with self._db.atomic():
            draft = self.get(draft_id)
            if version is None:
                version = draft.latest.version if draft.latest else None
            if version and version not in {v.version for v in draft.versions}:
                raise InvalidInput(f"Draft {draft_id!r} has no version {version}")
            if version is None:
                raise InvalidInput(f"Draft {draft_id!r} has no version to mark final")
            self._db.execute("UPDATE drafts SET final_version = ? WHERE id = ?",
                             [version or None, draft_id])
            if draft.cycle_id:
                self._set_cycle_status(draft, "final" if version else "drafting")
        return self.get(draft_id)

    def _set_cycle_status(self, draft: Draft, status: str) -> None:
        self._db.execute(
            "INSERT INTO cycle_people (cycle_id, person_id, status, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET status = excluded.status, "
            "updated_at = excluded.updated_at", [draft.cycle_id, draft.person_id, status, now_utc()])

    def latest_for(self, person_id: str, kind: str, *, cycle_id: str | None = None,
                   period: tuple[str, str] | None = None) -> Draft | None:
        """The newest draft of ``kind`` for the person, in a cycle or for a period if given."""
        sql = "SELECT id FROM drafts WHERE person_id = ? AND kind = ?"
        params: list = [person_id, kind]
        if cycle_id is not None:
            sql += " AND cycle_id = ?"; params.append(cycle_id)
        if period is not None:
            sql += " AND period_start = ? AND period_end = ?"; params.extend(period)
        row = self._db.execute(sql + " ORDER BY created_at DESC, rowid DESC LIMIT 1",
                               params).fetchone()
        return None if row is None else self.get(row[0])

    def dismiss_finding(self, draft_id: str, finding_id: str) -> None:
        """The manager saw a language finding and chose to keep the wording."""
        with self._db.atomic():
            self.get(draft_id)
            self._db.execute(
                "INSERT INTO draft_dismissals (draft_id, finding_id, dismissed_at) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [draft_id, finding_id, now_utc()])

    def dismissed(self, draft_id: str) -> set[str]:
        rows = self._db.execute("SELECT finding_id FROM draft_dismissals WHERE draft_id = ?",
                                [draft_id])
        return {row[0] for row in rows}

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
