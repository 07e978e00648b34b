"""The points a review makes: what each note says about the person, once, in the review's voice.

Why this module exists: a review is built from points, not notes. A note
may hold a strength and a growth area; a personal aside inside a work
note must not travel with it; a result ("failover time down from 25
minutes to 90 seconds") belongs with the act it came from. ``points_of``
reads every note (``reading``) and groups its parts into points, one per
label, and says what it left out and why. ``sentence`` writes a point as
one sentence about the person, with when feedback was given or a plan
agreed ("(feedback given on 3 March)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.dates import MONTH_NAMES, spoken_date
from ..domain.records import Note
from . import words as W
from .reading import ASPIRATION, CONTEXT, GROWTH, PERSONAL, STRENGTH, Reading, read_note
from .sensitive import left_out
from .phrase import AGREED, CLAUSE, FEEDBACK, OTHER, PREDICATE, Subject
from .wording import is_verb, lower_first, singular

PERSONAL_LEFT_OUT = "A personal detail in this note was left out of the draft."


@dataclass(frozen=True)
class Point:
    """One thing the notes say about the person: a label, its note and the parts that say it."""

    note: Note
    label: str
    readings: tuple[Reading, ...]

    @property
    def date(self) -> str:
        return self.note.date

    @property
    def competencies(self) -> tuple[str, ...]:
        return self.note.competencies

    @property
    def words(self) -> int:
        return sum(len(r.kept_text.split()) for r in self.readings)


def points_of(notes: Sequence[Note], subject: Subject) -> tuple[list[Point], list[dict]]:
    """Every note's points, oldest first, and what was left out of them, with why."""
    points, left_out = [], []
    for note in sorted(notes, key=lambda n: (n.date, n.id)):
        found, dropped = note_points(note, subject)
        points += found
        left_out += dropped
    return points, left_out


def note_points(note: Note, subject: Subject) -> tuple[list[Point], list[dict]]:
    readings = read_note(note, subject)
    dropped = []
    private = [r for r in readings if r.label == PERSONAL or r.kept_text != r.part.text]
    if private:
        dropped.append(_personal_left_out(note, private))
    needed = _named_by_the_next(readings)
    kept = [r for r in readings if r.label != PERSONAL and (id(r) in needed or
            not (r.phrase.kind == OTHER and (r.label == CONTEXT or r.phrase.manager)))]
    # (the manager's own reaction, "Nice to see after the October conversation", is no evidence)
    if any(r.phrase.kind == OTHER and r.label == CONTEXT and id(r) not in needed
           for r in readings):
        dropped.append({"id": note.id, "reason": f"A part not about {subject.first} was left out."})
    groups: dict[str, list[Reading]] = {}
    last_label, last, feedback_label = None, None, None
    for reading in kept:
        label = reading.label
        if label in (CONTEXT, STRENGTH) and feedback_label is not None and _took_the_feedback(reading):
            label = feedback_label  # "He was surprised"; "set up a status email the next day":
            # how the feedback landed, said with it, not alone under Context
        elif label == CONTEXT and last_label is not None and _refers_back(reading):
            label = last_label  # "…; asked her to present it at the guild" goes with what "it" is
        elif _result_of_context(reading, last_label, groups):
            groups[label] = groups.pop(CONTEXT) + groups.get(label, [])  # "asked him to pair …,
            # and the pair fixed 11 of the 14 flaky tests" keeps the act with its result
        elif _needs_the_part_before(reading, label, last, last_label, groups) and \
                {label, last_label} == {STRENGTH, GROWTH}:
            label = last_label  # "…put people's backs up. Lena had to smooth it over": "it" is
            # the shortfall; the part goes with it rather than carrying it into the praise
        elif _needs_the_part_before(reading, label, last, last_label, groups):
            groups[last_label].remove(last)  # "Says the rotation is the most fun he has had.
            # Wants to stay on it"; "The assistant's fix broke RTL; she caught it": "it" needs
            groups[label] = groups.get(label, []) + [last]  # what it stands for
            if not groups[last_label]:
                del groups[last_label]
        groups.setdefault(label, []).append(reading)
        last_label, last = label, reading
        if reading.phrase.attribution == FEEDBACK and label in (STRENGTH, GROWTH):
            feedback_label = label
    return [Point(note, label, tuple(rs)) for label, rs in groups.items()], dropped


def _personal_left_out(note: Note, private: list[Reading]) -> dict:
    """What a note's private detail was, for the manager: "Left out: health." and, in a work
    note, which sentences (by number) the manager could choose to include."""
    sentences = left_out(note)
    categories = list(dict.fromkeys(s.category for s in sentences)) or [
        W.personal_category(" ".join(r.part.text for r in private)) or "private life"]
    entry = {"id": note.id, "reason": f"Left out: {', '.join(categories)}. {PERSONAL_LEFT_OUT}"}
    if sentences:
        entry["sentences"] = [s.number for s in sentences]
    return entry


def _took_the_feedback(reading: Reading) -> bool:
    """In a note of feedback given, a part about the person after the feedback: how they
    took it or what they did about it."""
    return (reading.part.note.kind == "feedback_given" and reading.phrase.kind != OTHER
            and not reading.phrase.manager)


def _result_of_context(reading: Reading, last_label: str | None, groups: dict) -> bool:
    """A result that is not about the person, right after context that is (what they were given)."""
    return (reading.phrase.kind == OTHER and reading.label not in (CONTEXT, ASPIRATION)
            and last_label == CONTEXT and CONTEXT in groups)


def _named_by_the_next(readings: list[Reading]) -> set[int]:
    """The parts not about the person that the next part needs: what its "it" stands for
    ("The assistant's fix broke RTL locales; she caught it"), or the act a bare result
    measures ("v6 notes live the same hour as the release. Zero where-are-the-docs tickets
    that week"). Kept, to go with that part."""
    return {id(before) for before, after in zip(readings, readings[1:])
            if before.phrase.kind == OTHER and not before.phrase.manager
            and before.label != PERSONAL and after.label not in (PERSONAL, CONTEXT)
            and (_leans_on_it(after) or _leans_on_a_count(after) or _bare_result(before, after))}


def _bare_result(before: Reading, after: Reading) -> bool:
    """A measured result not about the person ("Zero tickets that week, against 31") right
    after a neutral fact in the same note: the fact is what the result measures."""
    return (before.label == CONTEXT and after.phrase.kind == OTHER
            and after.label in (STRENGTH, GROWTH) and _METRIC_OR_COUNT.search(after.kept_text)
            is not None)


def _needs_the_part_before(reading: Reading, label: str, last: Reading | None,
                           last_label: str | None, groups: dict) -> bool:
    """Whether the part's "it" stands for what the part just before named, and that part is
    context or not about the person (so it goes with this one, not on its own)."""
    return (last is not None and label != last_label and _leans_on_it(reading)
            and (last_label == CONTEXT or last.phrase.kind == OTHER)
            and last in groups.get(last_label, ()))


_METRIC_OR_COUNT = re.compile(r"(?i)\b(?:zero|none|no|\d[\d,.]*\s*%?)\b")


_A_COUNT_OF_THEM = re.compile(
    r"(?i)^(?:a couple|a few|some|most|several|many|two|three|one|all|none|both)(?:\s+of\s+them)?\s+"
    r"(?:came|were|was|are|is|had|have|got|went|felt|read|looked|seemed|sounded)\b")


def _leans_on_a_count(reading: Reading) -> bool:
    """Whether a part opens with a count of what the part before named ("a couple came across
    as curt", after "Comments are short")."""
    return _A_COUNT_OF_THEM.match(reading.kept_text) is not None


def _leans_on_it(reading: Reading) -> bool:
    """Whether a part's "it" can only mean something the part before it named ("wants to stay
    on it", "keep leading it"): "it" as an object, not "it was …" saying something of its own."""
    return re.search(r"(?i)(?<=\w)\s+it\b(?!\s+(?:is|was|has|had|will|would|seems|looks)\b)|"
                     r"\b(?:after|before|until|since)\s+that\s*[.!]?$",  # "remote after that"
                     reading.kept_text) is not None


def _refers_back(reading: Reading) -> bool:
    """Whether a part leans on the one before it ("it", "this", "that one", "part of that")."""
    return re.search(r"\b(?:it|this|that one|these|those)\b|\b(?:of|for|behind|to)\s+that\s*[.!]?$",
                     reading.kept_text, re.IGNORECASE) is not None  # "… a big part of that"


# ---------------------------------------------------------------- one point as a sentence

def sentence(point: Point, subject: Subject, *, named: bool, with_year: bool = False) -> str:
    """The point as one sentence, ending in a full stop."""
    first, *rest = point.readings
    text = _with_when(subject.sentence(first.phrase, named=named), first, with_year)
    unnamed = named and first.phrase.kind == OTHER  # "The assistant's fix broke …, and Sofía …"
    after = first
    for reading in rest:
        if after.phrase.attribution and reading.phrase.kind == PREDICATE and not reading.phrase.attribution:
            # after "(feedback given on 9 June)", how they took it starts afresh: "; he was surprised"
            said = subject.sentence(reading.phrase, named=False)
            text += "; " + lower_first(said, subject.proper)
        else:
            text += _joined(reading, subject, first.phrase.kind == PREDICATE, named=unnamed)
        after = reading
        unnamed = unnamed and reading.phrase.kind == OTHER
        text = _with_when(text, reading, with_year)
    if point.label == ASPIRATION and point.note.kind == "one_on_one":
        text += f" (said in a 1:1 on {day_month(point.date, with_year)})"
    return _closed(text)


def clause(point: Point, subject: Subject, *, named: bool, with_year: bool = False) -> str:
    """The point as a clause to go inside another sentence: no capital, no full stop."""
    text = sentence(point, subject, named=named, with_year=with_year).rstrip(".")
    return lower_first(text, subject.proper)


def _joined(reading: Reading, subject: Subject, after_predicate: bool, *, named: bool = False) -> str:
    phrase = reading.phrase
    if phrase.kind == PREDICATE:
        predicate = singular(phrase.text) if phrase.plural else phrase.text
        if after_predicate:
            return ", and " + subject.fill(predicate, named=False)
        said = subject.sentence(phrase, named=named)
        return ", and " + (said if named else lower_first(said, subject.proper))
    words = subject.fill(phrase.text, named=False) if phrase.kind == CLAUSE else phrase.text
    words = lower_first(subject.fill(words, named=False), subject.proper)
    return (", and " if has_verb(words) else "; ") + words


def _with_when(text: str, reading: Reading, with_year: bool) -> str:
    when = {FEEDBACK: "feedback given", AGREED: "agreed"}.get(reading.phrase.attribution)
    if when is None:
        return text
    said = f"({when} on {day_month(reading.note.date, with_year)})"
    return text if said in text else f"{text} {said}"


def has_verb(text: str) -> bool:
    """Whether a clause has a verb of its own ("launch went out on time") or is a tally."""
    return any(is_verb(w.lower().strip(",")) or w.lower() in ("is", "are", "has", "have")
               for w in text.split())


def _closed(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(",;:")
    return text.rstrip(".!?") + "."


def proper_nouns(texts: Sequence[str], names: Sequence[str] = ()) -> frozenset[str]:
    """Words written with a capital inside a sentence: names of people, teams, products."""
    found = {w for name in names for w in name.split()}
    for text in texts:
        for sentence in re.split(r"[.!?;:\n]\s*", text or ""):
            for word in re.findall(r"[\w'’-]+", sentence)[1:]:
                if word[:1].isupper():
                    found.add(word.split("'")[0].split("’")[0])
    return frozenset(found)


def day_month(iso: str, with_year: bool = False) -> str:
    """ "2026-03-03" → "3 March" (or "3 March 2026")."""
    return spoken_date(iso, year=with_year)


def month_of(iso: str, with_year: bool = False) -> str:
    year, month = iso.split("-")[:2]
    return MONTH_NAMES[int(month) - 1] + (f" {year}" if with_year else "")
