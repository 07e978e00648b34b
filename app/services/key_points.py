"""Key points held to what their notes mean, and said with dates a manager reads.

Why this module exists: the Assistant's key points are the model's own words,
and the default model's words often say the opposite of a note ("a great example
of cross-team influence" from a note saying that evidence is thin). Drafts and
topics are held to the meaning checks (``app.reviews.meaning``); key points are
too: a point that says what its notes do not is left out, and the panel says
how many were. Citations are shown as the notes' dates, not their ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..assist.digest import KeyPoint, NoteText
from ..domain.dates import short_date
from ..domain.records import Note
from ..reviews.meaning import CITATION, content, meaning_problems
from ..reviews.phrase import Subject, infer_pronoun


@dataclass(frozen=True)
class CheckedPoints:
    kept: tuple[KeyPoint, ...]
    left_out: int  # points the model wrote that say what their notes do not


def checked_points(points: Sequence[KeyPoint], notes: Sequence[NoteText], *, person: str,
                   other_people: Sequence[str] = ()) -> CheckedPoints:
    """``points`` without those the meaning checks refuse, each citing a note once."""
    by_id = {n.id: Note(n.id, "", n.date, "observation", n.text) for n in notes}
    subject = Subject(person, infer_pronoun(person, [n.text for n in notes]))
    kept = []
    for point in points:
        ids = tuple(i for i in dict.fromkeys(point.note_ids) if i in by_id)
        cited = [by_id[i] for i in ids]
        # A point may cite a note it does not draw on: that citation is dropped, not the point.
        if cited and not meaning_problems(point.text, cited, subject, other_people,
                                          skip=(CITATION,)):
            used = [n.id for n in cited if _draws_on(point.text, n)]
            kept.append(KeyPoint(point.text, tuple(used) or ids))
    return CheckedPoints(tuple(kept), len(points) - len(kept))


def cited_dates(point: KeyPoint, notes: Sequence[NoteText]) -> str:
    """ "7 Dec, 23 Jun": the dates of the notes a point cites, newest first."""
    dates = {n.id: n.date for n in notes}
    shown = sorted({dates[i] for i in point.note_ids if i in dates}, reverse=True)
    return ", ".join(short_date(d) for d in shown)


def _draws_on(text: str, note: Note) -> bool:
    """Whether the point shares a content word with the note."""
    return bool(content(text) & content(note.text))
