"""A review's summary: three to five sentences a manager would write after reading the notes.

Why this module exists: a summary that only counts notes tells HR
nothing. This one says, each sentence citing the notes it rests on:

1. the overall picture: where the notes show most strength, and where the
   most room to grow;
2. the strongest strength, with its most telling evidence;
3. the second strength, when there is one and room for it;
4. the main growth area, with its most telling evidence;
5. the trajectory, from the arcs ("Communication improved over the
   period, from February to May");
6. looking ahead, the person's latest wish — when there is room.

"Most telling" is a plain score: a measured result (a number), a note of
kind praise (or concern, for a growth area), a detailed note, and a recent
one each count. Counts themselves belong to the coverage, not here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .arcs import DECLINED, IMPROVED
from .body import FROM_APP, Section, Statement
from .compose import TITLES, Writing, primary
from .points import Point, clause, month_of
from .reading import ASPIRATION, GROWTH, STRENGTH

MAX_SENTENCES = 5
CITED_PER_AREA = 3
_NUMBER = re.compile(r"\d")


def summary_section(writing: Writing, period_start: str, period_end: str) -> Section:
    strengths = _ranked_areas(writing, STRENGTH)
    growth = _growth_areas(writing)
    picks = [_overview(writing, strengths, growth, period_start, period_end)]
    picks.append(_area_sentence(writing, strengths[:1], "The strongest evidence is in {name}: "))
    second = _area_sentence(writing, strengths[1:2], "In {name}, ")
    picks.append(_area_sentence(writing, growth[:1], "The main area to grow is {name}: "))
    picks.append(_trajectory(writing))
    picks.append(_looking_ahead(writing))
    chosen = [s for s in picks if s is not None]
    if second is not None and len(chosen) < MAX_SENTENCES:
        chosen.insert(2, second)
    return Section("summary", TITLES["summary"], tuple(chosen[:MAX_SENTENCES]))


def _ranked_areas(writing: Writing, label: str) -> list[tuple[str, list[Point]]]:
    """(competency id, its points with ``label``), most points first; framework order on ties."""
    groups: dict[str, list[Point]] = {}
    for point in writing.points:
        if point.label == label and primary(writing, point):
            groups.setdefault(primary(writing, point), []).append(point)
    order = {c.id: i for i, c in enumerate(writing.competencies)}
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], 0)))


def _growth_areas(writing: Writing) -> list[tuple[str, list[Point]]]:
    """Growth areas, the ones an arc shows were acted on last."""
    improved = {a.competency.id for a in writing.arcs if a.direction == IMPROVED}
    ranked = _ranked_areas(writing, GROWTH)
    return [a for a in ranked if a[0] not in improved] + [a for a in ranked if a[0] in improved]


def _overview(writing: Writing, strengths, growth, start: str, end: str) -> Statement | None:
    subject = writing.subject
    period = _period(start, end)
    if not strengths and not growth:
        return None
    parts = []
    if strengths:
        names = " and ".join(writing.name_of(cid) for cid, _ in strengths[:2])
        parts.append(f"the most strength in {names}")
    text = f"{period}, {subject.first}'s notes show {', and '.join(parts)}"
    if growth:
        area = writing.name_of(growth[0][0])
        also = any(cid == growth[0][0] for cid, _ in strengths[:2])
        text += (f", though {area} is also the main area to grow" if also and parts
                 else f"{', and' if parts else ''} the most room to grow in {area}")
    text = text.replace("show , and", "show") + "."
    cited = [p for _, points in strengths[:2] for p in telling(points)[:CITED_PER_AREA]]
    cited += [p for p in telling(growth[0][1])[:CITED_PER_AREA]] if growth else []
    return Statement(text, _ids(cited), FROM_APP)


def _area_sentence(writing: Writing, areas, lead: str) -> Statement | None:
    if not areas:
        return None
    competency_id, points = areas[0]
    best = telling(points)[0]
    words = clause(best, writing.subject, named=False, with_year=writing.with_year)
    text = lead.format(name=writing.name_of(competency_id)) + words + "."
    return Statement(text[:1].upper() + text[1:], (best.note.id,), FROM_APP,
                     competencies=(competency_id,))


def _trajectory(writing: Writing) -> Statement | None:
    """ "Communication improved between February and May, and Craft between January and June." """
    if not writing.arcs:
        return None
    year = writing.with_year
    improved = [a for a in writing.arcs if a.direction == IMPROVED]
    declined = [a for a in writing.arcs if a.direction == DECLINED]
    parts = [f"{a.competency.name}{' improved' if i == 0 else ''} between "
             f"{month_of(a.start.date, year)} and {month_of(a.end.date, year)}"
             for i, a in enumerate(improved)]
    parts += [f"{a.competency.name} was weaker in {month_of(a.end.date, year)} than in "
              f"{month_of(a.start.date, year)}" for a in declined]
    text = ", and ".join(parts) + "."
    arcs = improved + declined
    return Statement(text, _ids(p for a in arcs for p in (a.start, a.end)), FROM_APP,
                     competencies=tuple(a.competency.id for a in arcs))


def _looking_ahead(writing: Writing) -> Statement | None:
    wishes = [p for p in writing.points if p.label == ASPIRATION]
    if not wishes:
        return None
    latest = wishes[-1]
    words = clause(latest, writing.subject, named=False, with_year=writing.with_year)
    return Statement(f"Looking ahead, {words}.", (latest.note.id,), FROM_APP)


# ---------------------------------------------------------------- helpers

def telling(points: Sequence[Point]) -> list[Point]:
    """Most telling first: a measured result, praise or concern, detail, recency."""
    if not points:
        return []
    newest = max(date.fromisoformat(p.date) for p in points)
    oldest = min(date.fromisoformat(p.date) for p in points)
    span = max((newest - oldest).days, 1)

    def score(point: Point) -> float:
        text = " ".join(r.kept_text for r in point.readings)
        kind_bonus = {STRENGTH: "praise", GROWTH: "concern"}.get(point.label)
        return (2 * bool(_NUMBER.search(text)) + 2 * (point.note.kind == kind_bonus)
                + (point.words >= 10) + (date.fromisoformat(point.date) - oldest).days / span)
    return sorted(points, key=score, reverse=True)


def _period(start: str, end: str) -> str:
    same_year = start[:4] == end[:4]
    first = month_of(start, not same_year)
    return f"From {first} to {month_of(end, True)}"


def _ids(points) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.note.id for p in points))
