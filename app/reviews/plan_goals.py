"""A development plan's goals, support and check-ins, written by the app.

Why this module exists: a plan commits to things, and the model cannot be
trusted to invent commitments. Every goal is SMART and written here from
the growth area (the framework's expectation and the notes) or from the
person's own wish, with dated actions; the manager's support and the
check-ins follow from the goals. ``goal_from_statement`` turns a plan goal
into a goal in the store, once.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from ..domain.dates import parse_date, spoken_date
from ..domain.records import Goal
from ..errors import InvalidInput
from .body import FROM_APP, Statement
from .plan_basis import (
    CHECK_IN_WEEKS, GOAL_WEEKS, MAX_GOAL_WEEKS, MIN_GOAL_WEEKS, ROOM_TO_GROW, GrowthArea,
    PlanBasis, counted, dates_of, ids_of, in_weeks,
)
from .points import Point, clause, day_month

def goal_due(subject: PlanBasis, area: GrowthArea) -> _dt.date:
    """Twelve weeks out, or the open goal's own due date when it leaves room to work."""
    kept = area.open_goal.due if area.open_goal is not None else None
    earliest, latest = (in_weeks(subject, n).isoformat() for n in (MIN_GOAL_WEEKS, MAX_GOAL_WEEKS))
    if kept and earliest <= kept <= latest:
        return _dt.date.fromisoformat(kept)
    return in_weeks(subject, GOAL_WEEKS)



def goal_statement(subject: PlanBasis, area: GrowthArea) -> Statement:
    """One SMART goal for a growth area, with its actions, citing its notes and open goal."""
    due = goal_due(subject, area)
    goal = {"title": goal_title(area), "specific": _specific(subject, area),
            "measurable": _measurable(subject, due), "achievable": _achievable(subject, area, due),
            "relevant": _relevant(area), "due": due.isoformat(),
            "actions": goal_actions(subject, area, due),
            "competency_id": area.competency.id}
    citations = ids_of(area.notes) + ((area.open_goal.id,) if area.open_goal else ())
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
    return (f"By {spoken_date(due)}, at least three dated notes record {subject.first_name} "
            f"doing this, and {subject.first_name} talks through two examples at the last check-in.")


def _achievable(subject: PlanBasis, area: GrowthArea, due: _dt.date) -> str:
    weeks = (due - subject.today).days // 7
    builds = f"It builds on {counted(len(area.notes), 'note')} from the last six months"
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
    soon = spoken_date(in_weeks(subject, 2))
    actions = [f"By {soon}, agree with me one piece of upcoming work where {first} "
               f"can show {name}."]
    if area.kind == ROOM_TO_GROW:
        actions.append(f"Look back at the situations noted on {dates_of(area.notes)}, write "
                       f"down what to do differently next time and bring it to the next 1:1.")
    else:
        middle = spoken_date(subject.today + (due - subject.today) / 2)
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


def wish_goal(subject: PlanBasis, wish: Point) -> Statement:
    """A SMART goal from the person's latest wish: one first step towards it, agreed together."""
    due = in_weeks(subject, GOAL_WEEKS)
    first, weeks = subject.first_name, GOAL_WEEKS
    said = clause(wish, subject.writing.subject, named=True)
    goal = {"title": f"Take a first step towards what {first} wants next",
            "specific": (f"{said[:1].upper()}{said[1:]}. Agree with me one concrete opportunity "
                         "(a project, a role in the team or a course) that moves towards it."),
            "measurable": (f"By {spoken_date(due)}, the opportunity is agreed and under way, and "
                           f"{first} says at the last check-in whether it confirmed the wish."),
            "achievable": (f"It builds on what {first} said on {day_month(wish.date)}, with "
                           f"{weeks} weeks and the support below."),
            "relevant": f"It is where {first} wants to grow, not only what the framework asks.",
            "due": due.isoformat(),
            "actions": [f"By {spoken_date(in_weeks(subject, 2))}, talk through with me what it "
                        "would involve and choose one opportunity.",
                        "Take the first step in that opportunity and bring what it showed to "
                        "the next check-in."],
            "competency_id": next(iter(wish.competencies), None)}
    return Statement(goal_text(goal), (wish.note.id,), FROM_APP, goal=goal)


def goal_text(goal: dict) -> str:
    """A plan goal as one readable paragraph."""
    return f"{goal['title']}, by {spoken_date(goal['due'])}. {smart_text(goal)}"


def smart_text(goal: dict) -> str:
    """The SMART parts and the numbered actions, as the goal's description."""
    actions = " ".join(f"({n}) {a}" for n, a in enumerate(goal["actions"], 1))
    return (f"Specific: {goal['specific']} Measurable: {goal['measurable']} "
            f"Achievable: {goal['achievable']} Relevant: {goal['relevant']} Actions: {actions}")


# ---------------------------------------------------------------- support and check-ins

def support_statements(subject: PlanBasis, areas: Sequence[GrowthArea],
                       goals: Sequence[Statement]) -> list[Statement]:
    """What the manager will do: one item per plan goal and per open goal left over.
    ``goals`` are the areas' goals in order, then the wish's goal, if there is one."""
    statements = [_goal_support(subject, area, goal) for area, goal in zip(areas, goals)]
    statements += [_wish_support(subject, goal) for goal in goals[len(areas):]]
    built_on = {a.open_goal.id for a in areas if a.open_goal is not None}
    statements += [_open_goal_support(goal) for goal in subject.open_goals
                   if goal.id not in built_on]
    return statements


def _goal_support(subject: PlanBasis, area: GrowthArea, goal: Statement) -> Statement:
    first = subject.first_name
    soon = spoken_date(in_weeks(subject, 2))
    extra = (f"talk through the noted situations with {first} in our next 1:1"
             if area.kind == ROOM_TO_GROW
             else f"make room for {first} to show {area.competency.name} beyond our team")
    text = (f"For “{goal.goal['title']}”: I will find the piece of work with {first} by {soon}, "
            f"give feedback within a week of each check-in, and {extra}.")
    return Statement(text, goal.citations, FROM_APP)


def _wish_support(subject: PlanBasis, goal: Statement) -> Statement:
    first, soon = subject.first_name, spoken_date(in_weeks(subject, 2))
    text = (f"For “{goal.goal['title']}”: I will look for the opportunity with {first} by "
            f"{soon} and make room for it in the team's plans.")
    return Statement(text, goal.citations, FROM_APP)


def _open_goal_support(goal: Goal) -> Statement:
    state = "at risk" if goal.status == "at_risk" else "on track"
    due = f", due {spoken_date(goal.due)}" if goal.due else ""
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
    return f"{spoken_date(day)}: {'; '.join(parts)}."


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
