"""What a development plan is built on, shared by the plan and its goals.

Why this module exists: the plan (``plan``) chooses strengths, growth
areas and wishes; its goals, support and check-ins (``plan_goals``) are
written from the same basis. Both read these records and helpers.
"""

from __future__ import annotations

import calendar
import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.dates import spoken_dates
from ..domain.records import Competency, Framework, Goal, Note, Person
from .compose import Writing
from .evidence import EvidenceBrief
from .points import Point

PLAN_MONTHS = 6
GOAL_WEEKS = 12
CHECK_IN_WEEKS = 5
# A kept due date must leave room for at least one check-in before it.
MIN_GOAL_WEEKS = 4
MAX_GOAL_WEEKS = 26
OPEN_GOAL_STATUSES = ("on_track", "at_risk")
ROOM_TO_GROW, STRETCH = "room_to_grow", "stretch"


@dataclass(frozen=True)
class Expectation:
    """What the framework asks of the person next in one competency, in words."""

    level: str | None
    text: str | None
    top: bool  # the person is at the framework's top level: no level above
    framed: bool = True  # False: the team has no framework, so no level expectations


@dataclass(frozen=True)
class GrowthArea:
    """A competency to grow in, the points that show why, and any open goal it builds on."""

    competency: Competency
    kind: str  # ROOM_TO_GROW (notes show it) or STRETCH (a strength the next level asks more of)
    points: tuple[Point, ...]
    expectation: Expectation
    open_goal: Goal | None = None

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(dict.fromkeys(p.note for p in self.points))


@dataclass(frozen=True)
class PlanBasis:
    """Everything a plan is built on: the evidence read point by point, the framework,
    the day and the open goals."""

    person: Person
    brief: EvidenceBrief
    writing: Writing
    framework: Framework | None  # None: the team's own competencies, no level expectations
    today: _dt.date
    open_goals: tuple[Goal, ...]
    other_people: tuple[str, ...]
    prompts: tuple[str, ...]  # templates asked before drafting (competency suggestions)

    @property
    def first_name(self) -> str:
        return self.person.name.split()[0]


def months_before(day: _dt.date, months: int) -> _dt.date:
    """The same day ``months`` earlier, or the month's last day when it has fewer days."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def in_weeks(basis: PlanBasis, weeks: int) -> _dt.date:
    return basis.today + _dt.timedelta(weeks=weeks)


def dates_of(notes: Sequence[Note]) -> str:
    """ "2 February, 16 March and 11 May 2026", oldest first."""
    return spoken_dates(n.date for n in notes)


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def ids_of(notes: Sequence[Note]) -> tuple[str, ...]:
    return tuple(n.id for n in notes)
