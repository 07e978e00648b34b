"""Arcs: a concern on a competency, then evidence it was acted on — or the reverse.

Why this module exists: a review says how someone changed, not only what
happened. "Communication improved over the period: in February she did
not flag the billing slip until the day before; by May she had sent a
risk note every Friday for six weeks." The rule, per competency, over its
strength and growth points in date order:

- improved: the competency has a growth point, its last point is a
  strength, and after the first growth point strengths outnumber growth
  points (the manager's own feedback is not counted: it is how a concern
  gets acted on). The arc runs from that first growth point to the first strength
  after the last growth point: the first sign it was acted on.
- declined: the reverse — a strength first, a growth point last, and after
  the first strength growth points outnumber strengths.

Both ends must be at least ``MIN_DAYS`` apart, so an arc spans months, and
a point ends at most one arc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..domain.records import Competency
from .points import Point
from .reading import GROWTH, STRENGTH

IMPROVED, DECLINED = "improved", "declined"
MIN_DAYS = 28
MAX_ARCS = 2


@dataclass(frozen=True)
class Arc:
    competency: Competency
    direction: str
    start: Point
    end: Point


def find_arcs(points: Sequence[Point], competencies: Sequence[Competency]) -> list[Arc]:
    """At most one arc per competency and ``MAX_ARCS`` in all, the longest timelines first.

    A point counts for every competency its note is tagged with, and ends no
    more than one arc. Competencies with the most points are looked at first.
    """
    arcs, used = [], set()
    ranked = sorted(competencies, key=lambda c: -sum(c.id in p.competencies for p in points))
    for competency in ranked:
        if len(arcs) == MAX_ARCS:
            break
        timeline = [p for p in points if competency.id in p.competencies
                    and p.label in (STRENGTH, GROWTH) and id(p) not in used]
        arc = _improved(competency, timeline) or _declined(competency, timeline)
        if arc is not None:
            arcs.append(arc)
            used.update((id(arc.start), id(arc.end)))
    return arcs


def _improved(competency: Competency, timeline: list[Point]) -> Arc | None:
    return _arc(competency, timeline, first=GROWTH, last=STRENGTH, direction=IMPROVED)


def _declined(competency: Competency, timeline: list[Point]) -> Arc | None:
    return _arc(competency, timeline, first=STRENGTH, last=GROWTH, direction=DECLINED)


def _arc(competency: Competency, timeline: list[Point], *, first: str, last: str,
         direction: str) -> Arc | None:
    timeline = [p for p in timeline if not _feedback(p)] if first == STRENGTH else timeline
    deeds = [p for p in timeline if not _feedback(p)]
    if not deeds or deeds[-1].label != last:
        return None
    starts = [i for i, p in enumerate(timeline) if p.label == first and not _feedback(p)]
    if not starts:
        return None
    # Feedback the manager gave is how a concern gets acted on, not more of it.
    after = [p for p in timeline[starts[0] + 1:] if not _feedback(p)]
    if sum(p.label == last for p in after) <= sum(p.label == first for p in after):
        return None
    last_turn = max(i for i, p in enumerate(timeline) if p.label == first and not _feedback(p))
    start = timeline[starts[0]]
    end = next(p for p in timeline[last_turn + 1:] if p.label == last and not _feedback(p))
    if (date.fromisoformat(end.date) - date.fromisoformat(start.date)).days < MIN_DAYS:
        return None
    return Arc(competency, direction, start, end)


def _feedback(point: Point) -> bool:
    return all(r.phrase.manager for r in point.readings)
