"""What a review draft or a development plan holds, as stored, shown and exported.

A draft is a list of sections; a section is a list of statements; every
statement is a piece of text with the exchange-format ids of the records it came from
(notes, goals or actions). The same shape serves the review draft
(summary, strengths, growth areas, one section per competency) and the
development plan (strengths to build on, growth areas, goals, support,
check-ins), so storage, the window, the command line and the exporters
handle both alike.

``sources`` describes every cited record (its type and date, and for goals
the title) so a draft can be exported with dated footnotes without opening
the database again. ``checks`` keeps the grounding checker's verdict on
every sentence the model wrote — including the ones that were replaced or
dropped — and the language findings, so the manager can see why the draft
says what it says.

``to_dict``/``from_dict`` give the JSON stored with each draft version and
printed by ``trellis draft … --json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

REVIEW, PLAN = "review", "plan"

# Where a statement's text came from.
FROM_MODEL, FROM_NOTE, FROM_APP, FROM_MANAGER = "model", "fallback", "app", "manager"


@dataclass(frozen=True)
class Verdict:
    """The grounding checker's word on one sentence the model wrote."""

    section: str
    model_sentence: str
    citations: tuple[str, ...]
    accepted: bool
    problems: tuple[str, ...]
    outcome: str  # "model" (kept), "fallback" (note's own words instead) or "dropped"

    def to_dict(self) -> dict:
        return {"section": self.section, "model_sentence": self.model_sentence,
                "citations": list(self.citations), "accepted": self.accepted,
                "problems": list(self.problems), "outcome": self.outcome}

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        return cls(data["section"], data["model_sentence"], tuple(data["citations"]),
                   bool(data["accepted"]), tuple(data["problems"]), data["outcome"])


@dataclass(frozen=True)
class Statement:
    """One sentence of a review or one item of a plan, with its citations.

    ``goal`` is set on a plan's SMART goals: title, specific, measurable,
    achievable, relevant, due (ISO date) and actions (list of text); such a
    statement can become a goal in the store. ``date`` is set on check-ins.
    ``competencies`` are the ids a review sentence is evidence for.
    """

    text: str
    citations: tuple[str, ...]
    source: str = FROM_MODEL
    goal: dict | None = None
    date: str | None = None
    competencies: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = {"text": self.text, "citations": list(self.citations), "source": self.source}
        if self.competencies:
            data["competencies"] = list(self.competencies)
        if self.goal is not None:
            data["goal"] = self.goal
        if self.date is not None:
            data["date"] = self.date
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Statement:
        return cls(data["text"], tuple(data["citations"]), data.get("source", FROM_MODEL),
                   data.get("goal"), data.get("date"), tuple(data.get("competencies", ())))


@dataclass(frozen=True)
class Section:
    """``key`` is stable ("summary", "strengths", "growth", "competency:<id>",
    "goals", "support", "check_ins") so one section can be regenerated alone."""

    key: str
    title: str
    statements: tuple[Statement, ...]
    competency_id: str | None = None

    def to_dict(self) -> dict:
        data = {"key": self.key, "title": self.title,
                "statements": [s.to_dict() for s in self.statements]}
        if self.competency_id is not None:
            data["competency_id"] = self.competency_id
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Section:
        return cls(data["key"], data["title"], tuple(Statement.from_dict(i) for i in data["statements"]),
                   data.get("competency_id"))


@dataclass(frozen=True)
class Coverage:
    """How the evidence is spread: notes per month and competency.

    ``counts[i][j]`` is the number of notes in ``months[i]`` tagged (or
    suggested) with ``competencies[j]``; the last column, id "", counts
    notes with no competency. ``recent_share`` is the share of the
    period's notes dated in its last quarter; ``warnings`` says in words
    what a manager should know (months without notes, competencies without
    evidence, a draft leaning on recent months).
    """

    months: tuple[str, ...]
    competencies: tuple[tuple[str, str], ...]
    counts: tuple[tuple[int, ...], ...]
    empty_months: tuple[str, ...]
    without_evidence: tuple[str, ...]
    recent_share: float
    warnings: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"months": list(self.months),
                "competencies": [{"id": cid, "name": name} for cid, name in self.competencies],
                "counts": [list(row) for row in self.counts],
                "empty_months": list(self.empty_months),
                "without_evidence": list(self.without_evidence),
                "recent_share": self.recent_share, "warnings": list(self.warnings)}

    @classmethod
    def from_dict(cls, data: dict) -> Coverage:
        return cls(tuple(data["months"]),
                   tuple((c["id"], c["name"]) for c in data["competencies"]),
                   tuple(tuple(row) for row in data["counts"]), tuple(data["empty_months"]),
                   tuple(data["without_evidence"]), float(data["recent_share"]),
                   tuple(data["warnings"]))


@dataclass(frozen=True)
class Body:
    """A whole review draft or development plan.

    ``sources`` maps every cited id to {"type": "note"|"goal"|"action",
    "date": ISO date or None, "title": goal title or None}. ``checks`` has
    "grounding" (a list of ``Verdict``), "language" (findings as dicts from
    ``app.assist.language``), "dismissed" (finding ids the manager
    dismissed), "excluded" (notes left out, each {"id", "reason"}) and "meaning"
    (sentences the meaning checks question, each {"section", "index", "text",
    "problems"}; see ``app.reviews.meaning``).
    """

    kind: str
    person_id: str
    person_name: str
    period_start: str | None
    period_end: str | None
    sections: tuple[Section, ...]
    coverage: Coverage | None
    sources: dict = field(default_factory=dict)
    grounding: tuple[Verdict, ...] = ()
    language: tuple[dict, ...] = ()
    dismissed: tuple[str, ...] = ()
    excluded: tuple[dict, ...] = ()
    meaning: tuple[dict, ...] = ()
    model_sha256: str = ""
    prompts: tuple[tuple[str, str], ...] = ()

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def with_section(self, new: Section) -> Body:
        """This body with the section of the same key replaced (or appended)."""
        keys = [s.key for s in self.sections]
        if new.key in keys:
            sections = tuple(new if s.key == new.key else s for s in self.sections)
        else:
            sections = (*self.sections, new)
        return replace(self, sections=sections)

    def statements(self):
        for section in self.sections:
            yield from section.statements

    def to_dict(self) -> dict:
        return {
            "format": "trellis/v1", "kind": self.kind,
            "person": {"id": self.person_id, "name": self.person_name},
            "period": {"from": self.period_start, "to": self.period_end},
            "sections": [s.to_dict() for s in self.sections],
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
            "sources": self.sources,
            "checks": {"grounding": [v.to_dict() for v in self.grounding],
                       "language": list(self.language), "dismissed": list(self.dismissed),
                       "excluded": list(self.excluded), "meaning": list(self.meaning)},
            "model_sha256": self.model_sha256,
            "prompts": [{"name": n, "version": v} for n, v in self.prompts],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Body:
        checks = data.get("checks", {})
        coverage = data.get("coverage")
        return cls(
            kind=data["kind"], person_id=data["person"]["id"], person_name=data["person"]["name"],
            period_start=data["period"]["from"], period_end=data["period"]["to"],
            sections=tuple(Section.from_dict(s) for s in data["sections"]),
            coverage=None if coverage is None else Coverage.from_dict(coverage),
            sources=dict(data.get("sources", {})),
            grounding=tuple(Verdict.from_dict(v) for v in checks.get("grounding", [])),
            language=tuple(checks.get("language", [])),
            dismissed=tuple(checks.get("dismissed", [])),
            excluded=tuple(checks.get("excluded", [])),
            meaning=tuple(checks.get("meaning", [])),
            model_sha256=data.get("model_sha256", ""),
            prompts=tuple((p["name"], p["version"]) for p in data.get("prompts", [])),
        )

    def plain_text(self) -> str:
        """The draft's words only, section by section (used by the language checks)."""
        return "\n\n".join(" ".join(i.text for i in s.statements) for s in self.sections if s.statements)
