"""A development plan for one person, grounded in their notes, goals, wishes and the framework.

A plan looks forward, and the default model cannot be trusted to look
forward: asked for goals it invents them. So the app writes the plan; the
model may only reword its sentences, which stand only where they pass the
same checks as a review's (``rewording``).

- Evidence: the person's notes in the six months up to ``today``
  (``build_brief``; none raises ``NoEvidence``), read part by part like a
  review's (``points``): strengths, growth areas, wishes; personal details
  left out. Also their open goals (on track or at risk) and the next
  level's expectation in the framework in force (``competencies_in_force``;
  a team's own competencies have none, and each growth area says so).
  Notes with neither tag nor suggestion are first offered to the model for
  competency suggestions, and a pending suggestion places a note.
- Strengths to build on: the two or three competencies with the most
  strength points, each with its most telling one or two — never a
  concern or a wish.
- Growth areas (two to four): first the competencies with growth points,
  most first; then, to reach two, "stretch" areas: competencies with
  strength points whose next level the framework words differently (with
  no framework: any strength), non-strengths first. Each quotes the
  framework's expectation for the next level (at the top level the current
  one; with none, it asks the manager to agree what more looks like).
- Where they want to grow: the person's wishes, as wishes.
- Goals (``plan_goals``): one SMART goal per growth area and one that
  takes a first step towards the latest wish; an open goal sharing words
  with an area is built on. Support: what the manager will do. Check-ins:
  every five weeks and on each goal's due date.

Every statement cites at least one note or goal; ``sources`` describes
both. ``goal_from_statement`` turns a plan goal into a store goal, once.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..assist.grounding import COMMON_WORDS, word_key
from ..domain.dates import parse_date, today_iso
from ..domain.records import Competency, Framework, Goal
from ..errors import InvalidInput  # noqa: F401  (re-exported for callers of goal_from_statement)
from .body import FROM_APP, PLAN, Body, Section, Statement
from .compose import primary, writing_for
from .evidence import SUGGEST_TEMPLATE, NoEvidence, build_brief, suggest_competencies
from .frameworks import competencies_in_force
from .meaning import draft_findings
from .review_draft import section_step
from .model_fit import fit_for
from .plan_basis import (
    OPEN_GOAL_STATUSES, PLAN_MONTHS, ROOM_TO_GROW, STRETCH, Expectation, GrowthArea, PlanBasis,
    counted, dates_of, ids_of, months_before,
)
from .plan_goals import (  # noqa: F401  (check_in_dates and goal_from_statement are this module's API)
    check_in_dates, check_in_statements, goal_from_statement, goal_statement, support_statements,
    wish_goal,
)
from .points import Point, sentence
from .reading import ASPIRATION, GROWTH, STRENGTH
from .rewording import REWORD_TEMPLATE, Rewording
from .summary import telling
from .versions import with_language_checks

if TYPE_CHECKING:
    from ..llm.engine import Engine, StopFlag
    from ..llm.prompts import PromptLibrary

__all__ = ["draft_plan", "goal_from_statement", "check_in_dates", "months_before"]

MAX_STRENGTHS = 3
MIN_GROWTH, MAX_GROWTH = 2, 4
POINTS_PER_STRENGTH = 2
MAX_WISHES = 3
TITLES = {"strengths": "Strengths to build on", "growth": "Growth areas",
          "aspirations": "Where they want to grow", "goals": "Goals",
          "support": "Support I will give", "check_ins": "Check-ins"}
_WORD = re.compile(r"[^\W\d_]+")


# ---------------------------------------------------------------- the plan

def draft_plan(store, engine: Engine, library: PromptLibrary, person_id: str, *,
               today: str | None = None, stop: StopFlag | None = None,
               on_section: Callable[[Section], None] | None = None,
               on_progress: Callable[[str], None] | None = None) -> Body:
    """The development plan for ``person_id`` as of ``today`` (default: the real today).

    Raises ``NoEvidence`` when the person has no usable notes in the six
    months up to ``today``. ``on_section`` receives each section as it is done.
    """
    basis, left_out = _basis(store, engine, library, person_id, today, stop)
    rewording = Rewording(engine, library, basis.writing.subject,
                          {e.note.id: e.note for e in basis.brief.notes}, basis.other_people, stop,
                          known=tuple(c.name for c in basis.brief.competencies),
                          measured_share=_measured_share(store, engine))
    planned, sections = list(plan_sections(basis)), []
    for number, section in enumerate(planned, start=1):
        step = section_step(section, number, len(planned), on_progress)
        if section.key in ("strengths", "growth", "aspirations"):
            section = rewording.section(section, step=step, on_progress=on_progress)
        sections.append(section)
        if on_section is not None:
            on_section(section)
    return _body(basis, tuple(sections), rewording, left_out, engine, library)


def _measured_share(store, engine) -> float | None:
    fit = fit_for(getattr(store, "home", None), getattr(engine, "model_sha256", ""))
    return None if fit is None else fit.share


def _basis(store, engine: Engine, library: PromptLibrary, person_id: str, today: str | None,
           stop: StopFlag | None) -> tuple[PlanBasis, list[dict]]:
    day = _dt.date.fromisoformat(parse_date(today or today_iso(), where="today"))
    start = months_before(day, PLAN_MONTHS)
    brief = build_brief(store, person_id, start.isoformat(), day.isoformat())
    if not brief.notes:
        raise brief.no_evidence()
    asked = (SUGGEST_TEMPLATE,) if brief.unplaced else ()
    if asked:
        brief = suggest_competencies(store, engine, library, brief, stop=stop)
    if not any(e.competency_ids for e in brief.notes):
        raise NoEvidence(f"None of the {counted(len(brief.notes), 'note')} on {brief.person.name} "
                         f"between {brief.period_start} and {brief.period_end} is tagged with a "
                         f"competency{_waiting(brief)}: tag the notes to plan from them")
    person = brief.person
    writing, left_out = writing_for(store, brief)
    others = tuple(p.name for p in store.people.list(include_archived=True) if p.id != person.id)
    framework = competencies_in_force(store, person).framework
    basis = PlanBasis(person, brief, writing, framework, day, open_goals(store, person.id), others,
                      asked)
    return basis, left_out


def _waiting(brief) -> str:
    """What waits for the manager, said inside the no-tags error."""
    waiting = len(brief.waiting)
    if not waiting:
        return ", and the model suggested none"
    return (f"; the model suggested competencies for {counted(waiting, 'note')}, waiting for you "
            "to confirm or dismiss them in the Reviews tab's evidence")


def open_goals(store, person_id: str) -> tuple[Goal, ...]:
    """The person's goals still in play (on track or at risk), earliest due first."""
    return tuple(g for g in store.goals.for_person(person_id) if g.status in OPEN_GOAL_STATUSES)


def plan_sections(basis: PlanBasis) -> Iterator[Section]:
    """The sections in order, each whole before the next is started."""
    strengths = strength_competencies(basis)
    yield Section("strengths", TITLES["strengths"],
                  tuple(_strength_statement(basis, c, p) for c, p in strengths))
    areas = growth_areas(basis, [c for c, _ in strengths])
    yield Section("growth", TITLES["growth"], tuple(_growth_statement(basis, a) for a in areas))
    wishes = _wishes(basis)
    if wishes:
        yield Section("aspirations", TITLES["aspirations"],
                      tuple(_wish_statement(basis, w, i == 0) for i, w in enumerate(wishes)))
    goals = [goal_statement(basis, area) for area in areas]
    goals += [wish_goal(basis, wishes[-1])] if wishes else []
    yield Section("goals", TITLES["goals"], tuple(goals))
    yield Section("support", TITLES["support"], tuple(support_statements(basis, areas, goals)))
    yield Section("check_ins", TITLES["check_ins"], tuple(check_in_statements(basis, goals)))


def _body(basis: PlanBasis, sections: tuple[Section, ...], rewording: Rewording,
          left_out: Sequence[dict], engine: Engine, library: PromptLibrary) -> Body:
    brief = basis.brief
    reworded = ((REWORD_TEMPLATE,) if rewording.verdicts else ())
    body = Body(kind=PLAN, person_id=basis.person.id, person_name=basis.person.name,
                period_start=brief.period_start, period_end=brief.period_end,
                sections=sections, coverage=brief.drafting_coverage(rewording.too_long_warnings()),
                sources=_sources(basis, sections),
                grounding=tuple(rewording.verdicts), excluded=(*brief.excluded, *left_out),
                meaning=draft_findings(sections, rewording.notes, rewording.subject,
                                       rewording.other_people, rewording.known),
                model_sha256=getattr(engine, "model_sha256", "") or "",
                prompts=tuple((n, library.get(n).version) for n in (*basis.prompts, *reworded)))
    return with_language_checks(body, set())


def _sources(basis: PlanBasis, sections: Sequence[Section]) -> dict:
    """Every cited note and goal, with its date (and a goal's title)."""
    notes = {e.note.id: e.note for e in basis.brief.notes}
    goals = {g.id: g for g in basis.open_goals}
    sources = {}
    for statement in (s for section in sections for s in section.statements):
        for cited in statement.citations:
            if cited in notes:
                sources[cited] = {"type": "note", "date": notes[cited].date, "title": None}
            elif cited in goals:
                sources[cited] = {"type": "goal", "date": goals[cited].due,
                                  "title": goals[cited].title}
    return sources


# ---------------------------------------------------------------- evidence per competency

def _points(basis: PlanBasis, competency_id: str, label: str) -> list[Point]:
    """The competency's points with ``label``, filed under it (its first tag in framework order)."""
    return [p for p in basis.writing.points
            if p.label == label and primary(basis.writing, p) == competency_id]


def strength_competencies(basis: PlanBasis) -> list[tuple[Competency, tuple[Point, ...]]]:
    """The competencies with the most strength points (two or three), most first, each with
    its most telling points."""
    counted_ = [(c, _points(basis, c.id, STRENGTH)) for c in basis.brief.competencies]
    counted_ = [(c, points) for c, points in counted_ if points]
    counted_.sort(key=lambda pair: -len(pair[1]))  # stable: framework order breaks ties
    return [(c, tuple(telling(points)[:POINTS_PER_STRENGTH])) for c, points in counted_[:MAX_STRENGTHS]]


def growth_areas(basis: PlanBasis, strengths: Sequence[Competency]) -> list[GrowthArea]:
    """Two to four growth areas, as the module docstring describes."""
    room = [(c, _points(basis, c.id, GROWTH)) for c in basis.brief.competencies]
    room = sorted([(c, p) for c, p in room if p], key=lambda pair: -len(pair[1]))
    areas = [_area(basis, c, ROOM_TO_GROW, p) for c, p in room[:MAX_GROWTH]]
    chosen = {a.competency.id for a in areas}
    for competency in _stretch_candidates(basis, strengths, chosen):
        if len(areas) >= MIN_GROWTH:
            break
        areas.append(_area(basis, competency, STRETCH, _points(basis, competency.id, STRENGTH)))
    return _with_open_goals(areas, basis.open_goals)


def _stretch_candidates(basis: PlanBasis, strengths: Sequence[Competency],
                        chosen: set[str]) -> list[Competency]:
    """Competencies with strength points whose next level asks more, non-strengths first."""
    strength_ids = [c.id for c in strengths]
    candidates = [c for c in basis.brief.competencies
                  if c.id not in chosen and _points(basis, c.id, STRENGTH)
                  and _asks_more(basis, c.id)]
    return sorted(candidates, key=lambda c: c.id in strength_ids)


def _asks_more(basis: PlanBasis, competency_id: str) -> bool:
    """Whether the framework words the next level differently (the top level: holds it wider);
    with no framework, yes: what more looks like is for manager and person to agree."""
    framework, level = basis.framework, basis.person.level
    if framework is None:
        return True
    ahead = expectation_for(framework, competency_id, level)
    if ahead.text is None or ahead.top:
        return ahead.text is not None
    competency = next(c for c in framework.competencies if c.id == competency_id)
    return ahead.text != competency.expectation(level)


def expectation_for(framework: Framework | None, competency_id: str,
                    level: str | None) -> Expectation:
    """The next level's expectation; at the top level, the current level's; none without a framework."""
    if framework is None:
        return Expectation(None, None, top=False, framed=False)
    competency = next((c for c in framework.competencies if c.id == competency_id), None)
    next_level = framework.next_level(level)
    if next_level is None:
        text = competency.expectation(level) if competency else None
        return Expectation(level, text, top=True)
    return Expectation(next_level, competency.expectation(next_level) if competency else None,
                       top=False)


def _area(basis: PlanBasis, competency: Competency, kind: str,
          points: Sequence[Point]) -> GrowthArea:
    expectation = expectation_for(basis.framework, competency.id, basis.person.level)
    newest = sorted(points, key=lambda p: (p.date, p.note.id), reverse=True)[:3]
    return GrowthArea(competency, kind, tuple(newest), expectation)


def _with_open_goals(areas: list[GrowthArea], goals: Sequence[Goal]) -> list[GrowthArea]:
    """Each area built on the open goal that shares most words with it, if any."""
    taken: set[str] = set()
    result = []
    for area in areas:
        scored = [(_overlap(goal, area), goal) for goal in goals if goal.id not in taken]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        if best[0] > 0:
            taken.add(best[1].id)
            area = replace(area, open_goal=best[1])
        result.append(area)
    return result


def _overlap(goal: Goal, area: GrowthArea) -> int:
    about = " ".join([area.competency.name, area.competency.description or "",
                      *(n.text for n in area.notes)])
    return len(_content_words(goal.title) & _content_words(about))


def _content_words(text: str) -> set[str]:
    return {word_key(w) for w in _WORD.findall(text)
            if len(w) >= 4 and word_key(w) not in _COMMON_KEYS}


_COMMON_KEYS = frozenset(word_key(w) for w in COMMON_WORDS)


# ---------------------------------------------------------------- the sentences

def _strength_statement(basis: PlanBasis, competency: Competency,
                        points: Sequence[Point]) -> Statement:
    subject = basis.writing.subject
    said = " ".join(sentence(p, subject, named=i == 0) for i, p in enumerate(points))
    return Statement(f"{competency.name}: {said}", tuple(dict.fromkeys(p.note.id for p in points)),
                     FROM_APP, competencies=(competency.id,))


def _growth_statement(basis: PlanBasis, area: GrowthArea) -> Statement:
    name = area.competency.name
    if area.kind == STRETCH:
        # The strengths section already says these points; saying them twice adds nothing.
        text = (f"{name}: already a strength in the notes of {dates_of(area.notes)}, so "
                f"growing it further is the stretch. {expectation_sentence(basis, area)}")
        return Statement(text, ids_of(area.notes), FROM_APP, competencies=(area.competency.id,))
    latest = area.points[0]
    said = sentence(latest, basis.writing.subject, named=True)
    return Statement(f"{name}: {said} {expectation_sentence(basis, area)}", (latest.note.id,),
                     FROM_APP, competencies=(area.competency.id,))


def expectation_sentence(basis: PlanBasis, area: GrowthArea) -> str:
    """The framework's words for what comes next, quoted, or why there are none."""
    expectation, name = area.expectation, area.competency.name
    if not expectation.framed:
        return (f"The team has no level expectations for {name}; agree with "
                f"{basis.first_name} what more looks like.")
    if expectation.text is None:
        level = expectation.level or "the next level"
        return (f"The framework gives no {level} expectation for {name}; agree with "
                f"{basis.first_name} what more looks like.")
    if expectation.top:
        return (f"{expectation.level} is the framework's top level, which expects: "
                f"“{expectation.text}” The aim is to show it in more of the work.")
    return f"At {expectation.level} the framework expects: “{expectation.text}”"


def _wishes(basis: PlanBasis) -> list[Point]:
    """The person's latest wishes, oldest first."""
    return [p for p in basis.writing.points if p.label == ASPIRATION][-MAX_WISHES:]


def _wish_statement(basis: PlanBasis, wish: Point, first: bool) -> Statement:
    text = sentence(wish, basis.writing.subject, named=first)
    tags = tuple(c.id for c in basis.brief.competencies if c.id in wish.competencies)
    return Statement(text, (wish.note.id,), FROM_APP, competencies=tags)
