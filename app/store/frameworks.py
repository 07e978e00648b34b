"""Competency frameworks kept in the store, and model suggestions awaiting the manager.

Importing a framework adds or updates its competencies (by id, so notes
already tagged keep their tags) with their level expectations, and makes
it the active framework. Each framework records whether the manager chose
it: Trellis itself applies the shipped framework to a store with no
competencies, and that is not a choice (``app.reviews.frameworks``
decides from this which competencies drafts use).
"""

import json
from dataclasses import replace

from ..domain.dates import now_utc
from ..domain.records import Framework, FrameworkCompetency
from ..errors import InvalidInput, NotFound


class Frameworks:
    def __init__(self, db):
        self._db = db

    def save(self, framework: Framework, *, activate: bool = True, chosen: bool = True) -> Framework:
        """Store ``framework`` (replacing one with the same id) in one transaction.

        ``chosen`` is False only when Trellis applies the shipped framework
        itself; every import is the manager's choice.

        A framework competency whose id is new but whose name matches a
        competency already kept (ignoring case) takes that competency's id,
        so a team imported with its own "Delivery" and a framework's
        "Delivery" are one competency, and the notes tagged with it count.
        """
        framework = self._matched_by_name(framework)
        with self._db.atomic():
            self._db.execute("DELETE FROM framework_competencies WHERE framework_id = ?",
                             [framework.id])
            self._db.execute(
                "INSERT INTO frameworks (id, name, levels, source, active, chosen, imported_at) "
                "VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "levels = excluded.levels, source = excluded.source, chosen = excluded.chosen, "
                "imported_at = excluded.imported_at",
                [framework.id, framework.name, json.dumps(list(framework.levels)),
                 framework.source, int(chosen), now_utc()])
            for position, competency in enumerate(framework.competencies, 1):
                self._save_competency(framework.id, position, competency)
            if activate:
                self.activate(framework.id, chosen=chosen)
        return self.get(framework.id)

    def _matched_by_name(self, framework: Framework) -> Framework:
        known = {cid for (cid,) in self._db.execute("SELECT id FROM competencies")}
        by_name = {name.casefold(): cid for cid, name in self._db.execute(
            "SELECT id, name FROM competencies ORDER BY position DESC")}
        taken = {c.id for c in framework.competencies}
        matched = []
        for competency in framework.competencies:
            existing = by_name.get(competency.name.casefold())
            if competency.id not in known and existing and existing not in taken:
                competency = replace(competency, id=existing)
                taken.add(existing)
            matched.append(competency)
        return replace(framework, competencies=tuple(matched))

    def _save_competency(self, framework_id: str, position: int,
                         competency: FrameworkCompetency) -> None:
        self._db.execute(
            "INSERT INTO competencies (id, name, description, position) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "description = excluded.description",
            [competency.id, competency.name, competency.description, position])
        self._db.execute(
            "INSERT INTO framework_competencies (framework_id, competency_id, position) "
            "VALUES (?, ?, ?)", [framework_id, competency.id, position])
        self._db.execute("DELETE FROM competency_levels WHERE competency_id = ?", [competency.id])
        for level_position, (level, expectation) in enumerate(competency.expectations, 1):
            self._db.execute(
                "INSERT INTO competency_levels (competency_id, level, position, expectation) "
                "VALUES (?, ?, ?, ?)", [competency.id, level, level_position, expectation])

    def activate(self, framework_id: str, *, chosen: bool = True) -> None:
        """Make a framework the active one; ``chosen`` as for ``save``."""
        with self._db.atomic():
            if not self._db.execute("SELECT 1 FROM frameworks WHERE id = ?",
                                    [framework_id]).fetchone():
                raise NotFound(f"No framework with id {framework_id!r}")
            self._db.execute("UPDATE frameworks SET active = 0 WHERE active = 1")
            self._db.execute("UPDATE frameworks SET active = 1, chosen = ? WHERE id = ?",
                             [int(chosen), framework_id])

    def get(self, framework_id: str) -> Framework:
        row = self._db.execute("SELECT id, name, levels, source FROM frameworks WHERE id = ?",
                               [framework_id]).fetchone()
        if row is None:
            raise NotFound(f"No framework with id {framework_id!r}")
        return Framework(row[0], row[1], tuple(json.loads(row[2])),
                         tuple(self._competencies(row[0])), row[3])

    def _competencies(self, framework_id: str) -> list[FrameworkCompetency]:
        rows = self._db.execute(
            "SELECT c.id, c.name, c.description FROM framework_competencies f "
            "JOIN competencies c ON c.id = f.competency_id WHERE f.framework_id = ? "
            "ORDER BY f.position", [framework_id]).fetchall()
        return [FrameworkCompetency(cid, name, description, self.expectations(cid))
                for cid, name, description in rows]

    def expectations(self, competency_id: str) -> tuple[tuple[str, str], ...]:
        """(level, expectation) pairs for a competency, lowest level first."""
        rows = self._db.execute(
            "SELECT level, expectation FROM competency_levels WHERE competency_id = ? "
            "ORDER BY position", [competency_id])
        return tuple((level, text) for level, text in rows)

    def active(self) -> Framework | None:
        row = self._db.execute("SELECT id FROM frameworks WHERE active = 1").fetchone()
        return None if row is None else self.get(row[0])

    def chosen_active(self) -> Framework | None:
        """The active framework if the manager chose it (not one Trellis applied)."""
        row = self._db.execute(
            "SELECT id FROM frameworks WHERE active = 1 AND chosen = 1").fetchone()
        return None if row is None else self.get(row[0])

    def list(self) -> list[tuple[Framework, bool]]:
        """Every framework and whether it is the active one."""
        rows = self._db.execute(
            "SELECT id, active FROM frameworks ORDER BY imported_at, id").fetchall()
        return [(self.get(fid), bool(active)) for fid, active in rows]


SUGGESTED, CONFIRMED, DISMISSED = "suggested", "confirmed", "dismissed"


class CompetencySuggestions:
    """Competencies the model suggested for untagged notes, until the manager decides.

    A confirmed suggestion tags the note; a dismissed one is remembered so
    the model's same guess is not offered again.
    """

    def __init__(self, db):
        self._db = db

    def save(self, note_id: str, competency_ids, *, model_sha256: str) -> None:
        """Record suggestions for a note, leaving earlier decisions as they are."""
        with self._db.atomic():
            for competency_id in competency_ids:
                self._db.execute(
                    "INSERT INTO competency_suggestions (note_id, competency_id, state, "
                    "model_sha256, created_at) VALUES (?, ?, 'suggested', ?, ?) "
                    "ON CONFLICT DO NOTHING", [note_id, competency_id, model_sha256, now_utc()])

    def pending(self, note_ids) -> dict[str, tuple[str, ...]]:
        """Suggestions not yet confirmed or dismissed, by note id."""
        ids = list(note_ids)
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self._db.execute(
                "SELECT s.note_id, s.competency_id FROM competency_suggestions s "
                "JOIN competencies c ON c.id = s.competency_id "
                f"WHERE s.state = 'suggested' AND s.note_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY s.note_id, c.position", chunk)
            for note_id, competency_id in rows:
                found.setdefault(note_id, []).append(competency_id)
        return {note_id: tuple(cids) for note_id, cids in found.items()}

    def asked(self, note_id: str) -> bool:
        """Whether the model was already asked about this note (any answer kept)."""
        return self._db.execute("SELECT 1 FROM competency_suggestions WHERE note_id = ? LIMIT 1",
                                [note_id]).fetchone() is not None

    def confirm(self, note_id: str, competency_id: str) -> None:
        """Tag the note with the suggested competency."""
        with self._db.atomic():
            self._decide(note_id, competency_id, CONFIRMED)
            self._db.execute(
                "INSERT INTO note_competencies (note_id, competency_id) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING", [note_id, competency_id])

    def dismiss(self, note_id: str, competency_id: str) -> None:
        with self._db.atomic():
            self._decide(note_id, competency_id, DISMISSED)

    def _decide(self, note_id: str, competency_id: str, state: str) -> None:
        changed = self._db.execute(
            "UPDATE competency_suggestions SET state = ? WHERE note_id = ? AND competency_id = ?",
            [state, note_id, competency_id]).rowcount
        if not changed:
            raise InvalidInput(f"Competency {competency_id!r} was not suggested for note {note_id!r}")
