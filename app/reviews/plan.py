"""A development plan for one person, grounded in their notes, goals and the framework.

A plan looks forward, and the default model cannot be trusted to look
forward: asked for goals it invents them. So the app decides everything a
plan commits to, and the model only words what the notes already say.

- Evidence: the person's notes in the six months up to ``today``
  (``build_brief``; none raises ``NoEvidence``), their open goals (on track
  or at risk) and the next level's expectation in the framework in force
  (``competencies_in_force``; a team's own competencies have none, and
  each growth area says so). Notes with neither tag nor suggestion are
  first offered to the model for competency suggestions, as for a review.
- Strengths to build on: the two or three competencies with the most
  strength notes; one grounded sentence each (``word_sentence``) from the
  newest notes, after the competency's name.
- Growth areas (two to four): first the competencies with notes showing
  room to grow, most notes first; then, to reach two, "stretch" areas:
  competencies with strength notes whose next level the framework words
  differently (with no framework: any strength), non-strengths first.
  Each names the competency, says what the notes show and quotes the
  framework's expectation for the next level. At the top level the current
  level's expectation is quoted and the aim is to show it in more of the
  work; a competency with no expectation says so and asks the manager to
  agree what more looks like. So a person with only strength evidence gets their
  strengths held to what the next level asks (worded by the app: the
  strengths section already words those notes), and one with only growth
  evidence gets no strengths rather than an item that cites nothing. If no
  note is placed in any competency, ``NoEvidence`` says so.
- Goals: one SMART goal per growth area, written by the app from the
  expectation and the evidence (source "app"), due in twelve weeks, with
  dated actions. An open goal sharing words with the area is built on: it
  is cited, an action names it, and its due date is kept when it leaves
  room for a check-in.
- Support: what the manager will do, one item per goal and one per open
  goal no area builds on, so no open goal is forgotten.
- Check-ins: every five weeks and on each goal's due date; each cites the
  notes and goals it reviews.

Every statement cites at least one note or goal; ``sources`` describes
both. ``goal_from_statement`` turns a plan goal into a store goal, once.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..assist.grounding import COMMON_WORDS, word_key
from ..domain.dates import parse_date, today_iso
from ..domain.records import Competency, Framework, Goal, Note, Person
from ..errors import InvalidInput
from .body import FROM_APP, PLAN, Body, Section, Statement, Verdict
from .evidence import (GROWTH, STRENGTH, SUGGEST_TEMPLATE, EvidenceBrief, NoEvidence, build_brief,
                       suggest_competencies)
from .frameworks import competencies_in_force
from .versions import with_language_checks
from .wording import SENTENCE_TEMPLATE, word_sentence

if TYPE_CHECKING:
    from ..llm.engine import Engine, StopFlag
    from ..llm.prompts import PromptLibrary

PLAN_MONTHS = 6
GOAL_WEEKS = 12
CHECK_IN_WEEKS = 5
# A kept due date must leave room for at least one check-in before it.
MIN_GOAL_WEEKS = 4
MAX_GOAL_WEEKS = 26
MAX_STRENGTHS = 3
MIN_GROWTH, MAX_GROWTH = 2, 4
NOTES_PER_SENTENCE = 3
OPEN_GOAL_STATUSES = ("on_track", "at_risk")
TITLES = {"strengths": "Strengths to build on", "growth": "Growth areas", "goals": "Goals",
          "support": "Support I will give", "check_ins": "Check-ins"}

ROOM_TO_GROW, STRETCH = "room_to_grow", "stretch"
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Expectation:
    """What the framework asks of the person next in one competency, in words."""

    level: str | None
    text: str | None
    top: bool  # the person is at the framework's top level: no level above
    framed: bool = True  # False: the team has no framework, so no level expectations


@dataclass(frozen=True)
class GrowthArea:
    """A competency to grow in, the notes that show why, and any open goal it builds on."""

    competency: Competency
    kind: str  # ROOM_TO_GROW (notes show it) or STRETCH (a strength the next level asks more of)
    notes: tuple[Note, ...]
    expectation: Expectation
    open_goal: Goal | None = None


@dataclass(frozen=True)
class PlanBasis:
    """Everything a plan is built on: the evidence, the framework, the day and open goals."""

    person: Person
    brief: EvidenceBrief
    framework: Framework | None  # None: the team's own competencies, no level expectations
    today: _dt.date
    open_goals: tuple[Goal, ...]
    other_people: tuple[str, ...]
    prompts: tuple[str, ...]  # templates asked before drafting (competency suggestions)

    @property
    def first_name(self) -> str:
        return self.person.name.split()[0]


# ---------------------------------------------------------------- the plan

def draft_plan(store, engine: Engine, library: PromptLibrary, person_id: str, *,
               today: str | None = None, stop: StopFlag | None = None,
               on_section: Callable[[Section], None] | None = None) -> Body:
    """The development plan for ``person_id`` as of ``today`` (default: the real today).

    Raises ``NoEvidence`` when the person has no usable notes in the six
    months up to ``today``. ``on_section`` receives each section as it is done.
    """
    subject = _subject(store, engine, library, person_id, today, stop)
    verdicts: list[Verdict] = []
    sections = []
    for build in (_strengths_section, _growth_and_goal_sections):
        for section in build(subject, engine, library, stop, verdicts):
            sections.append(section)
            if on_section is not None:
                on_section(section)
    return _body(subject, tuple(sections), tuple(verdicts), engine, library)


def _subject(store, engine: Engine, library: PromptLibrary, person_id: str, today: str | None,
             stop: StopFlag | None) -> PlanBasis:
    day = _dt.date.fromisoformat(parse_date(today or today_iso(), where="today"))
    start = months_before(day, PLAN_MONTHS)
    brief = build_brief(store, person_id, start.isoformat(), day.isoformat())
    if not brief.notes:
        raise brief.no_evidence()
    asked = (SUGGEST_TEMPLATE,) if brief.unplaced else ()
    if asked:
        brief = suggest_competencies(store, engine, library, brief, stop=stop)
    if not any(e.all_competencies for e in brief.notes):
        raise NoEvidence(f"None of the {_count(len(brief.notes), 'note')} on {brief.person.name} "
                         f"between {brief.period_start} and {brief.period_end} is tagged with a "
                         "competency, and the model suggested none: tag the notes to plan from them")
    person = brief.person
    others = tuple(p.name for p in store.people.list(include_archived=True) if p.id != person.id)
    framework = competencies_in_force(store, person).framework
    return PlanBasis(person, brief, framework, day, open_goals(store, person.id), others, asked)


def months_before(day: _dt.date, months: int) -> _dt.date:
    """The same day ``months`` earlier, or the month's last day when it has fewer days."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def open_goals(store, person_id: str) -> tuple[Goal, ...]:
    """The person's goals still in play (on track or at risk), earliest due first."""
    return tuple(g for g in store.goals.for_person(person_id) if g.status in OPEN_GOAL_STATUSES)


def _body(subject: PlanBasis, sections: tuple[Section, ...], verdicts: tuple[Verdict, ...],
          engine: Engine, library: PromptLibrary) -> Body:
    brief = subject.brief
    body = Body(kind=PLAN, person_id=subject.person.id, person_name=subject.person.name,
                period_start=brief.period_start, period_end=brief.period_end,
                sections=sections, coverage=brief.coverage, sources=_sources(subject, sections),
                grounding=verdicts, excluded=tuple(brief.excluded),
                model_sha256=getattr(engine, "model_sha256", "") or "",
                prompts=_prompts_used(subject, verdicts, library))
    return with_language_checks(body, set())


def _prompts_used(subject: PlanBasis, verdicts: Sequence[Verdict],
                  library: PromptLibrary) -> tuple[tuple[str, str], ...]:
    names = (*subject.prompts, *((SENTENCE_TEMPLATE,) if verdicts else ()))
    return tuple((name, library.get(name).version) for name in names)


def _sources(subject: PlanBasis, sections: Sequence[Section]) -> dict:
    """Every cited note and goal, with its date (and a goal's title)."""
    notes = {e.note.id: e.note for e in subject.brief.notes}
    goals = {g.id: g for g in subject.open_goals}
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

def _evidence(brief: EvidenceBrief, competency_id: str, polarity: str) -> list[Note]:
    return [e.note for e in brief.group(competency_id).get(polarity, [])]


def _latest(notes: Sequence[Note]) -> tuple[Note, ...]:
    """The newest few notes, newest first: when the model's sentence fails the
    checker, the first note's own words stand in, and the freshest evidence is the
    fairest to show."""
    return tuple(sorted(notes, key=lambda n: (n.date, n.id), reverse=True)[:NOTES_PER_SENTENCE])


def strength_competencies(brief: EvidenceBrief) -> list[tuple[Competency, tuple[Note, ...]]]:
    """The competencies with the most strength notes (two or three), most first."""
    counted = [(c, _evidence(brief, c.id, STRENGTH)) for c in brief.competencies]
    counted = [(c, notes) for c, notes in counted if notes]
    counted.sort(key=lambda pair: -len(pair[1]))  # stable: framework order breaks ties
    return [(c, _latest(notes)) for c, notes in counted[:MAX_STRENGTHS]]


def growth_areas(subject: PlanBasis, strengths: Sequence[Competency]) -> list[GrowthArea]:
    """Two to four growth areas, as the module docstring describes."""
    brief = subject.brief
    room = [(c, _evidence(brief, c.id, GROWTH)) for c in brief.competencies]
    room = sorted([(c, n) for c, n in room if n], key=lambda pair: -len(pair[1]))
    areas = [_area(subject, c, ROOM_TO_GROW, n) for c, n in room[:MAX_GROWTH]]
    chosen = {a.competency.id for a in areas}
    for competency in _stretch_candidates(subject, strengths, chosen):
        if len(areas) >= MIN_GROWTH:
            break
        areas.append(_area(subject, competency, STRETCH, _evidence(brief, competency.id, STRENGTH)))
    return _with_open_goals(areas, subject.open_goals)


def _stretch_candidates(subject: PlanBasis, strengths: Sequence[Competency],
                        chosen: set[str]) -> list[Competency]:
    """Competencies with strength notes whose next level asks more, non-strengths first."""
    strength_ids = [c.id for c in strengths]
    candidates = [c for c in subject.brief.competencies
                  if c.id not in chosen and _evidence(subject.brief, c.id, STRENGTH)
                  and _asks_more(subject, c.id)]
    return sorted(candidates, key=lambda c: c.id in strength_ids)


def _asks_more(subject: PlanBasis, competency_id: str) -> bool:
    """Whether the framework words the next level differently (the top level: holds it wider);
    with no framework, yes: what more looks like is for manager and person to agree."""
    framework, level = subject.framework, subject.person.level
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


def _area(subject: PlanBasis, competency: Competency, kind: str, notes: Sequence[Note]) -> GrowthArea:
    expectation = expectation_for(subject.framework, competency.id, subject.person.level)
    return GrowthArea(competency, kind, _latest(notes), expectation)


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


# ---------------------------------------------------------------- strengths and growth

def _strengths_section(subject: PlanBasis, engine, library, stop, verdicts: list[Verdict]):
    statements = []
    for competency, notes in strength_competencies(subject.brief):
        worded = _word(subject, engine, library, stop, verdicts, "strengths",
                       competency.name, notes, "show strength in")
        statements.append(replace(worded, text=f"{competency.name}: {worded.text}"))
    yield Section("strengths", TITLES["strengths"], tuple(statements))


def _growth_and_goal_sections(subject: PlanBasis, engine, library, stop,
                              verdicts: list[Verdict]):
    strengths = [c for c, _ in strength_competencies(subject.brief)]
    areas = growth_areas(subject, strengths)
    yield Section("growth", TITLES["growth"],
                  tuple(_growth_statement(subject, a, engine, library, stop, verdicts)
                        for a in areas))
    goals = [goal_statement(subject, area) for area in areas]
    yield Section("goals", TITLES["goals"], tuple(goals))
    yield Section("support", TITLES["support"], tuple(support_statements(subject, areas, goals)))
    yield Section("check_ins", TITLES["check_ins"], tuple(check_in_statements(subject, goals)))


def _growth_statement(subject: PlanBasis, area: GrowthArea, engine, library, stop,
                      verdicts: list[Verdict]) -> Statement:
    if area.kind == STRETCH:
        # The strengths section already words these notes; saying it twice adds nothing.
        text = (f"{area.competency.name}: already a strength in the notes of "
                f"{_dates(area.notes)}, so growing it further is the stretch. "
                f"{expectation_sentence(subject, area)}")
        return Statement(text, _ids(area.notes), FROM_APP)
    # review_sentence asks how the person "showed <competency>"; for notes
    # about room to grow, saying so keeps the model from turning them into praise.
    worded = _word(subject, engine, library, stop, verdicts, "growth",
                   f"room to grow in {area.competency.name}", area.notes, "show room to grow in")
    return replace(worded, text=f"{area.competency.name}: {worded.text} "
                                f"{expectation_sentence(subject, area)}")


def expectation_sentence(subject: PlanBasis, area: GrowthArea) -> str:
    """The framework's words for what comes next, quoted, or why there are none."""
    expectation, name = area.expectation, area.competency.name
    if not expectation.framed:
        return (f"The team has no level expectations for {name}; agree with "
                f"{subject.first_name} what more looks like.")
    if expectation.text is None:
        level = expectation.level or "the next level"
        return (f"The framework gives no {level} expectation for {name}; agree with "
                f"{subject.first_name} what more looks like.")
    if expectation.top:
        return (f"{expectation.level} is the framework's top level, which expects: "
                f"“{expectation.text}” The aim is to show it in more of the work.")
    return f"At {expectation.level} the framework expects: “{expectation.text}”"


def _word(subject: PlanBasis, engine, library, stop, verdicts: list[Verdict], section: str,
          topic: str, notes: Sequence[Note], shows: str) -> Statement:
    """A grounded sentence about ``notes``; when the checker drops even the note's own
    words, the app names the notes' dates instead, so the item still cites them."""
    statement, verdict = word_sentence(engine, library, person=subject.person,
                                       competency_name=topic, notes=notes,
                                       other_people=subject.other_people, section=section,
                                       stop=stop)
    verdicts.append(verdict)
    return statement or Statement(
        f"The notes of {_dates(notes)} {shows} {subject.first_name}'s work.", _ids(notes), FROM_APP)


def _dates(notes: Sequence[Note]) -> str:
    """ "2026-02-02, 2026-03-16 and 2026-05-11", oldest first."""
    dates = sorted(n.date for n in notes)
    return dates[0] if len(dates) == 1 else f"{', '.join(dates[:-1])} and {dates[-1]}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _ids(notes: Sequence[Note]) -> tuple[str, ...]:
    return tuple(n.id for n in notes)


# ---------------------------------------------------------------- goals

def goal_due(subject: PlanBasis, area: GrowthArea) -> _dt.date:
    """Twelve weeks out, or the open goal's own due date when it leaves room to work."""
    kept = area.open_goal.due if area.open_goal is not None else None
    earliest, latest = (in_weeks(subject, n).isoformat() for n in (MIN_GOAL_WEEKS, MAX_GOAL_WEEKS))
    if kept and earliest <= kept <= latest:
        return _dt.date.fromisoformat(kept)
    return in_weeks(subject, GOAL_WEEKS)


def in_weeks(subject: PlanBasis, weeks: int) -> _dt.date:
    return subject.today + _dt.timedelta(weeks=weeks)


def goal_statement(subject: PlanBasis, area: GrowthArea) -> Statement:
    """One SMART goal for a growth area, with its actions, citing its notes and open goal."""
    due = goal_due(subject, area)
    goal = {"title": goal_title(area), "specific": _specific(subject, area),
            "measurable": _measurable(subject, due), "achievable": _achievable(subject, area, due),
            "relevant": _relevant(area), "due": due.isoformat(),
            "actions": goal_actions(subject, area, due),
            "competency_id": area.competency.id}
    citations = _ids(area.notes) + ((area.open_goal.id,) if area.open_goal else ())
    return Statement(goal_text(goal), citations, FROM_APP, goal=goal)


def goal_title(area: GrowthArea) -> str:
    name, expectation = area.competency.name, area.expectation
    if expectation.text is None:
        return f"Grow in {name}"
    if expectation.top:
        return f"Show {name} at the {expectation.level} standard in more of the work"
    verb = "Grow" if area.kind == ROOM_TO_GROW else "Take"
    return f"{verb} {name} to the {expectation.level} expectation"


def _specific(subject: PlanBasis, area: GrowthArea) -> str:
    expectation = area.expectation
    if expectation.text is None:
        return (f"Agree with me by the first check-in what more {area.competency.name} "
                f"looks like in {subject.first_name}'s role, then show it in the work.")
    return f"Show in the work what the framework asks at {expectation.level}: “{expectation.text}”"


def _measurable(subject: PlanBasis, due: _dt.date) -> str:
    return (f"By {due.isoformat()}, at least three dated notes record {subject.first_name} "
            f"doing this, and {subject.first_name} talks through two examples at the last check-in.")


def _achievable(subject: PlanBasis, area: GrowthArea, due: _dt.date) -> str:
    weeks = (due - subject.today).days // 7
    builds = f"It builds on {_count(len(area.notes), 'note')} from the last six months"
    if area.open_goal is not None:
        builds += f" and on the open goal “{area.open_goal.title}”"
    return f"{builds}, with {weeks} weeks and the support below."


def _relevant(area: GrowthArea) -> str:
    name, expectation = area.competency.name, area.expectation
    level = expectation.level or "the next level"
    if not expectation.framed:
        return (f"The notes show room to grow in {name}." if area.kind == ROOM_TO_GROW else
                f"{name} is already a strength; the aim is to agree what more of it looks like.")
    if area.kind == ROOM_TO_GROW:
        return f"The notes show room to grow in {name}, and {level} asks for it."
    if expectation.top:
        return f"{name} is a strength; at the top level the aim is to hold it in more of the work."
    return f"{name} is already a strength, and {level} asks more of it."


def goal_actions(subject: PlanBasis, area: GrowthArea, due: _dt.date) -> list[str]:
    """Two to four dated steps the person takes towards the goal."""
    first, name = subject.first_name, area.competency.name
    soon = in_weeks(subject, 2).isoformat()
    actions = [f"By {soon}, agree with me one piece of upcoming work where {first} "
               f"can show {name}."]
    if area.kind == ROOM_TO_GROW:
        actions.append(f"Look back at the situations noted on {_dates(area.notes)}, write "
                       f"down what to do differently next time and bring it to the next 1:1.")
    else:
        middle = (subject.today + (due - subject.today) / 2).isoformat()
        actions.append(f"By {middle}, share how {first} approaches {name} with the team, "
                       f"in a short write-up or session.")
    actions.append(f"After each piece of that work, ask one colleague for feedback on {name} "
                   f"and bring it to the next check-in.")
    if area.open_goal is not None:
        actions.append(_open_goal_action(area.open_goal))
    return actions


def _open_goal_action(goal: Goal) -> str:
    if goal.status == "at_risk":
        return f"In the next 1:1, agree what is blocking the open goal “{goal.title}”."
    return f"Keep the open goal “{goal.title}” on track; its progress counts towards this one."


def goal_text(goal: dict) -> str:
    """A plan goal as one readable paragraph."""
    return f"{goal['title']}, by {goal['due']}. {smart_text(goal)}"


def smart_text(goal: dict) -> str:
    """The SMART parts and the numbered actions, as the goal's description."""
    actions = " ".join(f"({n}) {a}" for n, a in enumerate(goal["actions"], 1))
    return (f"Specific: {goal['specific']} Measurable: {goal['measurable']} "
            f"Achievable: {goal['achievable']} Relevant: {goal['relevant']} Actions: {actions}")


# ---------------------------------------------------------------- support and check-ins

def support_statements(subject: PlanBasis, areas: Sequence[GrowthArea],
                       goals: Sequence[Statement]) -> list[Statement]:
    """What the manager will do: one item per plan goal and per open goal left over."""
    statements = [_goal_support(subject, area, goal) for area, goal in zip(areas, goals)]
    built_on = {a.open_goal.id for a in areas if a.open_goal is not None}
    statements += [_open_goal_support(goal) for goal in subject.open_goals
                   if goal.id not in built_on]
    return statements


def _goal_support(subject: PlanBasis, area: GrowthArea, goal: Statement) -> Statement:
    first = subject.first_name
    soon = in_weeks(subject, 2).isoformat()
    extra = (f"talk through the noted situations with {first} in our next 1:1"
             if area.kind == ROOM_TO_GROW
             else f"make room for {first} to show {area.competency.name} beyond our team")
    text = (f"For “{goal.goal['title']}”: I will find the piece of work with {first} by {soon}, "
            f"give feedback within a week of each check-in, and {extra}.")
    return Statement(text, goal.citations, FROM_APP)


def _open_goal_support(goal: Goal) -> Statement:
    state = "at risk" if goal.status == "at_risk" else "on track"
    due = f", due {goal.due}" if goal.due else ""
    help_with = ("agree in our next 1:1 what is blocking it and what help is needed"
                 if goal.status == "at_risk" else "keep it on our 1:1 agenda until it is done")
    return Statement(f"For the open goal “{goal.title}” ({state}{due}): I will {help_with}.",
                     (goal.id,), FROM_APP)


def check_in_dates(today: _dt.date, dues: Sequence[_dt.date]) -> list[_dt.date]:
    """Every five weeks from ``today`` until the last due date, and each due date."""
    if not dues:
        return []
    last = max(dues)
    dates, step = set(dues), _dt.timedelta(weeks=CHECK_IN_WEEKS)
    day = today + step
    while day < last:
        dates.add(day)
        day += step
    return sorted(dates)


def check_in_statements(subject: PlanBasis, goals: Sequence[Statement]) -> list[Statement]:
    """Dated check-ins, each citing the notes and goals of the plan goals it reviews."""
    dues = [_dt.date.fromisoformat(g.goal["due"]) for g in goals]
    statements = []
    for day in check_in_dates(subject.today, dues):
        reviewed = [g for g, due in zip(goals, dues) if due >= day]
        ending = [g for g, due in zip(goals, dues) if due == day]
        citations = tuple(dict.fromkeys(c for g in reviewed for c in g.citations))
        statements.append(Statement(_check_in_text(subject, day, reviewed, ending), citations,
                                    FROM_APP, date=day.isoformat()))
    return statements


def _check_in_text(subject: PlanBasis, day: _dt.date, reviewed: Sequence[Statement],
                   ending: Sequence[Statement]) -> str:
    """What a check-in is for: goals due that day are reviewed, the others followed up."""
    first = subject.first_name
    parts = []
    if ending:
        parts.append(f"review whether {_titles(ending)} {'was' if len(ending) == 1 else 'were'} "
                     f"met and agree with {first} what comes next")
    continuing = [g for g in reviewed if g not in ending]
    if continuing:
        parts.append(f"check in on {_titles(continuing)}: {first} brings examples and the "
                     f"feedback gathered, and I bring mine")
    return f"{day.isoformat()}: {'; '.join(parts)}."


def _titles(goals: Sequence[Statement]) -> str:
    titles = [f"“{g.goal['title']}”" for g in goals]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


# ---------------------------------------------------------------- one click: plan goal → goal

def goal_from_statement(store, person_id: str, statement: Statement) -> Goal:
    """The person's goal for a plan goal: added once (on track, with the plan's due
    date and its SMART parts as the description), found again by its title after that."""
    goal = statement.goal
    if not goal:
        raise InvalidInput("Only a goal from the plan's Goals section can become a goal; "
                           f"this item has none: {statement.text[:60]!r}")
    title = " ".join(str(goal.get("title") or "").split())
    if not title:
        raise InvalidInput("This plan goal has no title, so it cannot become a goal")
    existing = next((g for g in store.goals.for_person(person_id)
                     if " ".join(g.title.split()).casefold() == title.casefold()), None)
    if existing is not None:
        return existing
    due = parse_date(goal["due"], where="the plan goal's due date") if goal.get("due") else None
    description = smart_text(goal) if goal.get("actions") is not None else ""
    return store.goals.add(person_id=person_id, title=title, status="on_track", due=due,
                           description=description)
