"""Checks that a model-worded sentence says nothing its cited notes do not.

Asked to reword a note, the default model sometimes adds facts ("customers
responded well"). So every sentence the model writes for a draft goes
through this checker: each specific in it — a number, a date, a name, an
uncommon content word — must be found in the notes the sentence cites. A
sentence that fails is replaced by the note's own words or dropped
(``ground``), and the verdict is kept with the draft so the manager can see
why. The check is lexical and deterministic on purpose: the same sentence
and notes always give the same verdict, with reasons a manager can read.
It does not hunt for instructions inside notes: notes reach the model
fenced as data, and here a sentence can only repeat what its own cited
notes say, so one note cannot change what is said about the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

FALLBACK_LIMIT = 300

# Everyday English plus the vocabulary every review uses (the list and why
# it exists: common_words.txt). A word there may appear in a sentence
# without its notes containing it; every other word of four letters or more
# must be in the cited notes.
COMMON_WORDS: frozenset[str] = frozenset(
    word for line in (Path(__file__).parent / "common_words.txt").read_text("utf-8").splitlines()
    if not line.startswith("#") for word in line.split())

DEFAULT_PRONOUNS: frozenset[str] = frozenset(
    "i she her hers herself he him his himself they them their theirs "
    "themselves themself xe xem xyr ze zir hir".split())

# Spelling variants and near-synonyms that never change what a note says.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"bug", "defect"}),
    frozenset({"doc", "document", "documentation"}),
    frozenset({"talk", "presentation"}),
    frozenset({"writeup", "write-up"}),
)

NUMBER_WORDS: dict[str, tuple[str, float]] = {
    **{w: ("", float(i)) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve "
        "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())},
    **{w: ("", float(10 * i)) for i, w in enumerate(
        "thirty forty fifty sixty seventy eighty ninety".split(), start=3)},
    "hundred": ("", 100.0), "dozen": ("", 12.0), "twice": ("", 2.0), "half": ("", 0.5),
    **{w: ("ord", float(i)) for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)},
}

_MONTHS = ("january february march april may june july august september "
           "october november december").split()
_MONTH_NUMBER = {**{m: i for i, m in enumerate(_MONTHS, 1)},
                 **{m[:3]: i for i, m in enumerate(_MONTHS, 1)}, "sept": 9}
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

# "March" and "May" are also a verb and a modal; only capitalised they are months.
_MONTH = (r"(?P<month>(?i:january|february|april|june|july|august|september|october"
          r"|november|december|jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)|March|Mar|May)\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d\d)-(?P<day>\d\d)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?![\w]){_YEAR}\b"),
    re.compile(rf"\b{_MONTH}(?![\w]){_YEAR}\b"),
    re.compile(r"\b[Qq](?P<quarter>[1-4])\b(?:\s+(?P<year>(?:19|20)\d\d)\b)?"),
    re.compile(r"\b(?P<weekday>(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday))s?\b"),
    re.compile(r"\b(?P<relative>(?i:yesterday|today|tomorrow|tonight"
               r"|(?:last|this|next)\s+(?:week|month|quarter|year|sprint|cycle)"
               r"|[\w-]+\s+(?:days?|weeks?|months?|years?)\s+ago))\b"),
)
_NUMBER = re.compile(
    r"(?<![\w.,])(?:[$€£]\s?)?(?P<value>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s?(?P<percent>%|percent\b|per\s+cent\b)|(?P<suffix>k|m|bn|b|x|st|nd|rd|th)\b"
    r"|\s(?P<scale>thousand|million|billion)\b)?(?![\w%])", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_CODE = re.compile(r"[^\W_]*\d[^\W_]*")
_ALNUM = re.compile(r"[^\W_]+")
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6,
           "b": 1e9, "bn": 1e9, "billion": 1e9}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


class CitedNote(Protocol):
    """What the checker needs from a note: ``Note`` and ``NoteText`` both fit."""

    id: str
    date: str
    text: str


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence may go into a draft, and in plain words why not."""

    accepted: bool
    problems: tuple[str, ...]
    sentence: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Grounded:
    """The sentence that goes into the draft, where it came from, and the verdict.

    ``source`` is "model" (the model's sentence passed), "fallback" (the
    first cited note's own words replaced it) or "dropped" (nothing usable;
    ``text`` is None). ``verdict`` is always the model sentence's verdict.
    """

    text: str | None
    source: str
    citations: tuple[str, ...]
    verdict: Verdict

    @property
    def dropped(self) -> bool:
        return self.text is None


# ---------------------------------------------------------------- words

def normalise(text: str) -> str:
    """NFKC with typographic quotes made plain; case is kept (it marks names)."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def fold(word: str) -> str:
    """Lowercase, accents dropped ("Sofía" → "sofia"), possessive stripped."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"'s?$", "", plain)


def stem(word: str) -> str:
    """A crude stemmer: enough for "reviewed"/"reviews"/"reviewing" to meet.

    Both sides of every comparison go through it, so it only has to be
    consistent, not linguistically right.
    """
    w = word.lower()
    for suffix, replacement, keep in (("ies", "y", 3), ("ied", "y", 3), ("ing", "", 3),
                                      ("edly", "", 3), ("ly", "", 4), ("ed", "", 3)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep:
            w = w[: -len(suffix)] + replacement
            break
    else:
        if w.endswith("s") and len(w) > 3 and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
    return _tidy_stem(w)


def _tidy_stem(w: str) -> str:
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    if len(w) > 5 and w.endswith(("is", "ys")):
        w = w[:-1] + "z"
    if len(w) > 5 and w.endswith("our"):
        w = w[:-2] + "r"
    return w


def _synonym_keys() -> dict[str, str]:
    keys = {}
    for group in SYNONYMS:
        canonical = stem(min(group).replace("-", ""))
        keys.update({stem(w.replace("-", "")): canonical for w in group})
    return keys


_SYNONYM_KEYS = _synonym_keys()


def word_key(word: str) -> str:
    """The form two words are compared in: folded, stemmed, synonyms merged."""
    stemmed = stem(fold(word))
    return _SYNONYM_KEYS.get(stemmed, stemmed)


@lru_cache(maxsize=8)
def _common_keys(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word_key(w) for w in words)


@dataclass(frozen=True)
class _Token:
    """A word as written in the sentence: "Ana's", "date-picker", "didn't"."""

    raw: str
    start: int

    @property
    def base(self) -> str:
        return self.raw[:-3] if self.raw.lower().endswith("n't") else self.raw.split("'")[0]

    @property
    def parts(self) -> list[str]:
        return [p for p in self.base.split("-") if p]

    @property
    def joined(self) -> str:
        return "".join(self.parts)


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start()) for m in _WORD.finditer(text)]


# ---------------------------------------------------------------- evidence

@dataclass(frozen=True)
class _Evidence:
    """Everything the cited notes support, in the forms the checks compare."""

    ids: tuple[str, ...]
    text: str
    words: frozenset[str]
    alnum: frozenset[str]
    numbers: frozenset[tuple[str, float]]
    dates: frozenset[tuple[int | None, int | None, int | None]]
    quarters: frozenset[int]
    weekdays: frozenset[str]


def _evidence(notes: Sequence[CitedNote]) -> _Evidence:
    texts = [normalise(n.text or "") for n in notes]
    joined = "\n".join(texts)
    dates = {d for t in texts for d in _dates_in_text(t)} | _note_dates(notes)
    return _Evidence(
        ids=tuple(n.id for n in notes),
        text=" ".join(fold(w) for w in joined.split()),
        words=frozenset(word_key(w) for t in _tokens(joined) for w in (t.joined, *t.parts)),
        alnum=frozenset(fold(m.group()) for m in _ALNUM.finditer(joined)),
        numbers=frozenset(_numbers_in(joined)) | {("", float(y)) for _, _, y in dates if y},
        dates=frozenset(dates),
        quarters=frozenset(_quarters_in(joined)) | {(m - 1) // 3 + 1 for m, _, _ in dates if m},
        weekdays=frozenset(_weekdays_in(joined)) | _note_weekdays(notes),
    )


def _note_dates(notes: Sequence[CitedNote]) -> set[tuple[int | None, int | None, int | None]]:
    """A note's own date supports "in March" or "March 4" for that note."""
    return {(d.month, d.day, d.year) for d in map(_parse_iso, (n.date for n in notes)) if d}


def _note_weekdays(notes: Sequence[CitedNote]) -> set[str]:
    return {_WEEKDAYS[d.weekday()] for d in map(_parse_iso, (n.date for n in notes)) if d}


def _parse_iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _dates_in_text(text: str) -> Iterable[tuple[int | None, int | None, int | None]]:
    return (_date_parts(m) for pattern in _DATE_PATTERNS[:4] for m in pattern.finditer(text))


def _quarters_in(text: str) -> Iterable[int]:
    return (int(m.group("quarter")) for m in _DATE_PATTERNS[4].finditer(text))


def _weekdays_in(text: str) -> Iterable[str]:
    return (m.group("weekday").lower() for m in _DATE_PATTERNS[5].finditer(text))


def _numbers_in(text: str) -> Iterable[tuple[str, float]]:
    yield from (_number_key(m) for m in _NUMBER.finditer(text))
    yield from (NUMBER_WORDS[m.group().lower()] for m in _NUMBER_WORD.finditer(text))


def _number_key(match: re.Match[str]) -> tuple[str, float]:
    """("%", 40.0) for "40%", ("", 1200000.0) for "1.2M", ("ord", 3.0) for "3rd"."""
    value = float(match.group("value").replace(",", ""))
    suffix = (match.group("suffix") or match.group("scale") or "").lower()
    if match.group("percent"):
        return "%", round(value, 6)
    if suffix in ("st", "nd", "rd", "th"):
        return "ord", value
    if suffix == "x":
        return "x", value
    return "", round(value * _SCALES.get(suffix, 1), 6)


def _date_parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    groups = match.groupdict()
    month = groups.get("month")
    number = _MONTH_NUMBER.get(month.lower().rstrip(".")) if month else None
    if groups.get("mon"):
        number = int(groups["mon"])
    day = int(groups["day"]) if groups.get("day") else None
    year = int(groups["year"]) if groups.get("year") else None
    return number, day, year


# ---------------------------------------------------------------- the checks

@dataclass(frozen=True)
class _Subject:
    """Who the sentence is about, and the rest of the team."""

    own: frozenset[str]
    others: frozenset[str]

    @classmethod
    def of(cls, person_name: str, pronouns: Collection[str] | None,
           other_people: Iterable[str]) -> _Subject:
        own = {fold(p) for p in _name_parts(person_name)}
        own |= {fold(p) for p in (DEFAULT_PRONOUNS if pronouns is None else pronouns)} | {"i"}
        others = {fold(p) for name in other_people for p in _name_parts(name)}
        return cls(frozenset(own), frozenset(others - own))


def _name_parts(name: str) -> list[str]:
    return [t.base for t in _tokens(normalise(name)) if len(t.base) > 1]


class _Scan:
    """The sentence being checked: each check blanks out what it has judged."""

    def __init__(self, sentence: str, evidence: _Evidence):
        self.text = normalise(sentence)
        self.evidence = evidence
        self.problems: list[str] = []

    def take(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        matches = list(pattern.finditer(self.text))
        for m in matches:
            self.text = self.text[: m.start()] + " " * len(m.group()) + self.text[m.end():]
        return matches

    def where(self) -> str:
        ids = self.evidence.ids
        return f"note {ids[0]}" if len(ids) == 1 else "notes " + ", ".join(ids)


def _check_dates(scan: _Scan) -> None:
    for pattern in _DATE_PATTERNS:
        for match in scan.take(pattern):
            if not _date_supported(match, scan.evidence):
                scan.problems.append(f"the date '{match.group().strip()}' is not in the cited notes")


def _date_supported(match: re.Match[str], ev: _Evidence) -> bool:
    groups = match.groupdict()
    if groups.get("relative"):
        phrase = " ".join(fold(w) for w in match.group().split())
        return re.search(rf"\b{re.escape(phrase)}\b", ev.text) is not None
    if groups.get("weekday"):
        return groups["weekday"].lower() in ev.weekdays
    year_ok = not groups.get("year") or ("", float(groups["year"])) in ev.numbers
    if groups.get("quarter"):
        return int(groups["quarter"]) in ev.quarters and year_ok
    wanted = _date_parts(match)
    return year_ok and any(_same_date(wanted, known) for known in ev.dates)


def _same_date(wanted: tuple, known: tuple) -> bool:
    """Parts the sentence leaves out, or the note leaves out of a year, match anything."""
    (month, day, year), (m, d, y) = wanted, known
    return m == month and day in (None, d) and (year is None or y in (None, year))


def _check_numbers(scan: _Scan) -> None:
    for match in scan.take(_NUMBER):
        if _number_key(match) not in scan.evidence.numbers:
            scan.problems.append(f"the number '{match.group().strip()}' is not in {scan.where()}")
    for match in scan.take(_NUMBER_WORD):
        if NUMBER_WORDS[match.group().lower()] not in scan.evidence.numbers:
            scan.problems.append(f"the number '{match.group()}' is not in {scan.where()}")


def _check_codes(scan: _Scan) -> None:
    """Version numbers, levels and the like: "L3", "3G", "v2"."""
    for match in scan.take(_CODE):
        if fold(match.group()) not in scan.evidence.alnum:
            scan.problems.append(f"'{match.group()}' does not appear in the cited notes")


def _check_words(scan: _Scan, subject: _Subject, common: frozenset[str]) -> None:
    for token in _tokens(scan.text):
        problem = _word_problem(token, scan, subject, common)
        if problem:
            scan.problems.append(problem)


def _word_problem(token: _Token, scan: _Scan, subject: _Subject,
                  common: frozenset[str]) -> str | None:
    if not token.parts or fold(token.base) in subject.own:
        return None
    supported = word_key(token.joined) in scan.evidence.words
    if token.raw[0].isupper() and any(fold(p) in subject.others for p in token.parts):
        return None if supported else (
            f"names '{token.base}', who is not this person and not in the cited notes")
    if _is_proper_noun(token, scan.text):
        return None if supported else f"the name '{token.base}' does not appear in the cited notes"
    if supported:
        return None
    missing = [p for p in token.parts if _is_rare(p, common) and word_key(p) not in scan.evidence.words]
    return f"'{'-'.join(missing)}' does not appear in the cited notes" if missing else None


def _is_rare(word: str, common: frozenset[str]) -> bool:
    return len(fold(word)) >= 4 and word_key(word) not in common


def _is_proper_noun(token: _Token, text: str) -> bool:
    """Capitalised but not because it opens a sentence; acronyms anywhere."""
    if len(token.base) > 1 and token.base.isupper():
        return True
    if not token.raw[0].isupper():
        return False
    before = text[: token.start].rstrip(" \t\n\"'([")
    return bool(before) and before[-1] not in ".!?:"


def check_sentence(sentence: str, cited_notes: Iterable[CitedNote], *, person_name: str,
                   other_people: Iterable[str] = (), common_words: Collection[str] | None = None,
                   pronouns: Collection[str] | None = None) -> Verdict:
    """Accept ``sentence`` only if every specific in it is in ``cited_notes``.

    Specifics are numbers (digits or words, "40%", "1.2M", "three", "twice"),
    dates (ISO dates, months, "March 12", quarters, weekdays, "last week"),
    names (capitalised words not opening a sentence, acronyms, and any
    member of ``other_people``) and rare content words (four letters or
    more, not in ``common_words``, which defaults to ``COMMON_WORDS``).
    The person's own name parts and ``pronouns`` (default: all common
    pronouns) never count. Matching ignores case and accents and tolerates
    plurals, possessives, simple suffixes and ``SYNONYMS``. A note's own
    date supports the month, weekday, quarter and year it fell in.

    Limits: the check is lexical. It does not see negation ("did not raise"
    reworded as "raised"), who did what to whom between words that are all
    in the notes, or praise built only from common words ("strong work");
    the language checks and the manager's reading cover those.
    """
    notes = tuple(cited_notes)
    citations = tuple(n.id for n in notes)
    problems = _basic_problems(sentence, notes)
    if not problems:
        scan = _Scan(sentence, _evidence(notes))
        subject = _Subject.of(person_name, pronouns, other_people)
        common = _common_keys(frozenset(COMMON_WORDS if common_words is None else common_words))
        for check in (_check_dates, _check_numbers, _check_codes):
            check(scan)
        _check_words(scan, subject, common)
        problems = list(dict.fromkeys(scan.problems))
    return Verdict(accepted=not problems, problems=tuple(problems),
                   sentence=sentence, citations=citations)


def _basic_problems(sentence: str, notes: Sequence[CitedNote]) -> list[str]:
    if not sentence.strip():
        return ["the sentence is empty"]
    if not notes:
        return ["the sentence cites no notes; every sentence must cite the notes it came from"]
    return []


# ---------------------------------------------------------------- the fallback

# Verbs a manager writes about their own actions ("Told Kenji…"): the
# subject is the manager, so the person's name must not be put in front.
_MANAGER_VERBS = frozenset(
    "told gave asked suggested passed shared agreed talked went reminded praised "
    "thanked raised discussed explained coached recommended encouraged noticed "
    "checked followed met paged flagged".split())
_IRREGULAR_PAST = frozenset(
    "led ran built wrote took made found fixed set kept brought drove caught "
    "chose did got held sent spent spoke taught thought won began broke used said was had".split())
_PRESENT_VERBS = frozenset(
    "leads owns runs mentors writes ships handles drives takes keeps is has wants".split())
_FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|[Oo]ur|us)\b")


def fallback_sentence(note: CitedNote, *, person_name: str) -> str:
    """The note's own words as a third-person sentence about ``person_name``.

    The name is put in front only when the note opens with the person's
    own action in past or present tense ("Led the review…" → "Ana led the
    review…") and neither names the person nor is in the manager's voice
    ("Told Kenji…", "I asked…"); otherwise the text is kept as written,
    first-person words included. The first one or two sentences are kept,
    at most ``FALLBACK_LIMIT`` characters, ending with a period — or with
    an ellipsis where a very long sentence had to be cut. Returns "" for an
    empty note. Every word comes from the note, so the result passes
    ``check_sentence`` with that note as its citation.
    """
    text = " ".join(normalise(note.text or "").split())
    if not text:
        return ""
    prefix = f"{person_name.strip()} " if _opens_with_own_action(text, person_name) else ""
    body = _first_sentences(text, FALLBACK_LIMIT - len(prefix) - 1)
    body = body[0].lower() + body[1:] if prefix else body[0].upper() + body[1:]
    return _end_sentence(prefix + body)


def _opens_with_own_action(text: str, person_name: str) -> bool:
    first = _WORD.match(text)
    if not first or _FIRST_PERSON.search(text):
        return False
    word = first.group().lower()
    named = {fold(p) for p in _name_parts(person_name)} & {fold(t.base) for t in _tokens(text)}
    if named or word in _MANAGER_VERBS:
        return False
    return word in _IRREGULAR_PAST or word in _PRESENT_VERBS or _looks_past_tense(word)


def _looks_past_tense(word: str) -> bool:
    return len(word) >= 5 and word.endswith("ed") and not word.endswith("eed")


def _first_sentences(text: str, limit: int) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    chosen = sentences[0]
    if len(sentences) > 1 and len(chosen) + 1 + len(sentences[1]) <= limit:
        chosen += " " + sentences[1]
    if len(chosen) <= limit:
        return chosen
    cut = chosen[:limit].rsplit(" ", 1)[0] if " " in chosen[:limit] else chosen[:limit]
    return cut.rstrip(" ,;:-\u2013\u2014(\"'") + "\u2026"


def _end_sentence(text: str) -> str:
    text = text.rstrip(" ,;:-\u2013\u2014")
    if text.endswith(("\u2026", ".")):
        return text
    if text.endswith(("!", "?")):
        return text[:-1] + "."
    return text + "."


# ---------------------------------------------------------------- for the pipeline

def ground(sentence: str, cited_notes: Iterable[CitedNote], *, person_name: str,
           other_people: Iterable[str] = (), common_words: Collection[str] | None = None,
           pronouns: Collection[str] | None = None) -> Grounded:
    """The sentence to store in the draft: the model's, the note's, or none.

    A rejected sentence is replaced by the first cited note's own words,
    rendered with the person's first name and checked like any other
    sentence; if that is empty or fails too, the sentence is dropped.
    """
    notes = tuple(cited_notes)
    others = tuple(other_people)
    options = dict(person_name=person_name, other_people=others,
                   common_words=common_words, pronouns=pronouns)
    verdict = check_sentence(sentence, notes, **options)
    if verdict.accepted:
        return Grounded(" ".join(sentence.split()), "model", verdict.citations, verdict)
    if notes:
        first_name = (_name_parts(person_name) or [person_name])[0]
        text = fallback_sentence(notes[0], person_name=first_name)
        if text and check_sentence(text, notes[:1], **options).accepted:
            return Grounded(text, "fallback", (notes[0].id,), verdict)
    return Grounded(None, "dropped", (), verdict)
