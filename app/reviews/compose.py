"""The body of a review, written by the app from the points its notes make.

Why this module exists: a manager cannot hand HR their notes re-sorted.
A review says each thing once, in its place, about the person:

- ``strengths``: strength points, grouped by competency (most evidence
  first), each sentence labelled with the competencies of its note;
- ``growth``: arcs first (a concern and what came of it, with months),
  then growth points grouped the same way;
- ``aspirations``: what the person wants, worded as wishes, never as
  achievements;
- ``other``: neutral context about the person (roles, agreements).

A competency's first sentence names the person; later ones use the
pronoun their notes use. Every statement cites the notes it rests on and
says it was written by the app (source "app"); a model may later reword
it, and its wording stands only if the checks pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..domain.records import Competency
from .arcs import DECLINED, Arc, find_arcs
from .body import FROM_APP, Section, Statement
from .evidence import EvidenceBrief
from .points import Point, clause, month_of, points_of, proper_nouns, sentence
from .reading import ASPIRATION, CONTEXT, GROWTH, STRENGTH
from .phrase import Subject, infer_pronoun

TITLES = {"summary": "Summary", "strengths": "Strengths", "growth": "Growth areas",
          "aspirations": "Interests and aspirations", "other": "Context"}
BODY_KEYS = ("strengths", "growth", "aspirations", "other")


@dataclass(frozen=True)
class Writing:
    """What every section is written from: the person, the points, the arcs."""

    subject: Subject
    points: tuple[Point, ...]
    competencies: tuple[Competency, ...]
    arcs: tuple[Arc, ...]
    with_year: bool = False

    def unused(self, label: str) -> list[Point]:
        """Points with ``label`` that no arc already says."""
        in_arcs = {id(p) for arc in self.arcs for p in (arc.start, arc.end)}
        return [p for p in self.points if p.label == label and id(p) not in in_arcs]

    def name_of(self, competency_id: str) -> str:
        return next((c.name for c in self.competencies if c.id == competency_id), competency_id)


def writing_for(store, brief: EvidenceBrief) -> tuple[Writing, list[dict]]:
    """What the sections are written from, and the parts of notes left out (with why).

    Only the manager's own tags file a note under a competency: a model suggestion waits
    for the manager to confirm it (the draft's coverage says how many wait).
    """
    person = brief.person
    history = [n.text for n in store.notes.for_person(person.id, limit=1000)]
    others = [p.name for p in store.people.list(include_archived=True)]
    subject = Subject(person.name, infer_pronoun(person.name, history),
                      proper_nouns(history, others))
    points, left_out = points_of([e.note for e in brief.notes], subject)
    competencies = brief.confirmed_competencies
    arcs = find_arcs(points, competencies)
    with_year = brief.period_start[:4] != brief.period_end[:4]
    return Writing(subject, tuple(points), competencies, tuple(arcs), with_year), left_out


def body_sections(writing: Writing) -> list[Section]:
    """The sections after the summary that have something to say, in reading order."""
    builders: dict[str, Callable[[Writing], list[Statement]]] = {
        "strengths": lambda w: grouped(w, w.unused(STRENGTH)),
        "growth": lambda w: grouped(w, w.unused(GROWTH), leads=_arc_leads(w)),
        "aspirations": lambda w: chronological(w, w.unused(ASPIRATION)),
        "other": lambda w: chronological(w, w.unused(CONTEXT)),
    }
    sections = []
    for key in BODY_KEYS:
        statements = builders[key](writing)
        if statements:
            sections.append(Section(key, TITLES[key], tuple(statements)))
    return sections


def section_for(writing: Writing, key: str) -> Section:
    """One body section, even when it has nothing to say (for regenerating it alone)."""
    found = {s.key: s for s in body_sections(writing)}
    return found.get(key, Section(key, TITLES[key], ()))


# ---------------------------------------------------------------- groups

def grouped(writing: Writing, points: Sequence[Point],
            leads: dict[str, list[Statement]] | None = None) -> list[Statement]:
    """Points by their note's first competency, the group with most points first;
    points with no competency last. ``leads`` (arcs) open their competency's group.
    The first sentence of a group names the person."""
    leads = leads or {}
    groups: dict[str, list[Point]] = {cid: [] for cid in leads}
    for point in points:
        groups.setdefault(primary(writing, point), []).append(point)
    order = {c.id: i for i, c in enumerate(writing.competencies)}
    ranked = sorted(groups.items(), key=lambda kv: (
        kv[0] == "", -len(kv[1]) - 2 * len(leads.get(kv[0], ())), order.get(kv[0], len(order))))
    statements = []
    for cid, members in ranked:
        opening = leads.get(cid, [])
        statements += opening
        statements += [statement(writing, p, named=i == 0 and not opening)
                       for i, p in enumerate(members)]
    return statements


def _arc_leads(writing: Writing) -> dict[str, list[Statement]]:
    leads: dict[str, list[Statement]] = {}
    for arc in writing.arcs:
        leads.setdefault(arc.competency.id, []).append(arc_statement(writing, arc))
    return leads


def primary(writing: Writing, point: Point) -> str:
    """The competency a point is filed under: of its note's tags, the first in the
    framework's (or the team's) order, so the same note always files the same way."""
    return next((c.id for c in writing.competencies if c.id in point.competencies), "")


def chronological(writing: Writing, points: Sequence[Point]) -> list[Statement]:
    return [statement(writing, p, named=i == 0) for i, p in enumerate(points)]


def statement(writing: Writing, point: Point, *, named: bool) -> Statement:
    text = sentence(point, writing.subject, named=named, with_year=writing.with_year)
    return Statement(text, (point.note.id,), FROM_APP, competencies=known_tags(writing, point))


def known_tags(writing: Writing, point: Point) -> tuple[str, ...]:
    """The point's tags in the framework's order."""
    return tuple(c.id for c in writing.competencies if c.id in point.competencies)


# ---------------------------------------------------------------- arcs

def arc_statement(writing: Writing, arc: Arc) -> Statement:
    """One sentence for an arc, citing both ends with their months."""
    subject, year = writing.subject, writing.with_year
    first = clause(arc.start, subject, named=True, with_year=year)
    then = clause(arc.end, subject, named=False, with_year=year)
    start_month, end_month = month_of(arc.start.date, year), month_of(arc.end.date, year)
    if arc.direction == DECLINED:
        text = (f"{arc.competency.name} was weaker later in the period: in {start_month}, "
                f"{first}; in {end_month}, {then}.")
    else:
        text = (f"{arc.competency.name} improved over the period: in {start_month}, {first}; "
                f"by {end_month}, {then}.")
    citations = (arc.start.note.id, arc.end.note.id)
    return Statement(text, citations, FROM_APP, competencies=(arc.competency.id,))
