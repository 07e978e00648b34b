"""Checks that a sentence means what the notes it cites mean, not only that it uses their words.

Why this module exists: the grounding checker refuses words, numbers and
names the notes do not hold; it lets through "Dana ran the planning" from
"Dana would like to run the planning", "he remains a reliable engineer"
after a note about a broken build, and a sentence citing two notes that
says only what one of them says. Every sentence that reaches a draft, a
plan or a manager's own checked text is held here to the notes it cites:

- modality: a wish, plan, request or question is never stated as done;
- negation: "without a second reviewer" is not "with a second reviewer";
- outcome: late is not on time, missed is not met, failed is not succeeded;
- who did what: the person does not take an act another person did, to
  them or about them ("Told Omar to loop in support" is not "Omar told
  support"), and another person does not take theirs;
- quantities: numbers keep their units and what they count;
- added judgement: praise, criticism, ratings, superlatives, promotion
  advice and causes ("because …") the notes do not make;
- every citation used: each cited note gives the sentence something.

Each problem is one sentence a manager understands. The rules are word
lists (``meaning_words.toml``) and small functions; the note parts a
sentence draws on are the ones whose words it mostly shares. Nothing here
asks a model, and a draft's whole check takes milliseconds.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..assist.grounding import COMMON_WORDS, NUMBER_WORDS, word_key
from ..domain.records import Note
from . import words as W
from .points import day_month
from .reading import Part, note_parts
from .phrase import CLAUSE, OTHER, PREDICATE, Subject
from .voice import review_voice

MODALITY, NEGATION, OUTCOME, WHO, QUANTITY, JUDGEMENT, CITATION = (
    "modality", "negation", "outcome", "who", "quantity", "judgement", "citation_unused")
KINDS = (MODALITY, NEGATION, OUTCOME, WHO, QUANTITY, JUDGEMENT, CITATION)
WORDS_FILE = Path(__file__).with_name("meaning_words.toml")
USED_SHARE = 0.45
COMMITMENTS = ("goals", "support", "check_ins")  # a note part whose content words the sentence mostly shares is drawn on
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str


@functools.cache
def _lists() -> dict:
    return tomllib.loads(WORDS_FILE.read_text("utf-8"))


def pattern(section: str, key: str) -> re.Pattern[str]:
    """One matcher for a word list of ``meaning_words.toml`` (``words.matcher``)."""
    return W.matcher(tuple(_lists()[section][key]))


# ---------------------------------------------------------------- the check

def meaning_problems(sentence: str, notes: Sequence[Note], subject: Subject,
                     other_people: Sequence[str] = (), known: Sequence[str] = (),
                     skip: Sequence[str] = ()) -> list[Problem]:
    """Everything ``sentence`` says that its cited ``notes`` do not mean, in words.

    ``known`` are words the app may write without the notes (competency names):
    a sentence that is only Trellis's frame around them ("Communication improved
    between February and July") says nothing of the notes' content to check.
    ``skip`` names checks that do not apply (a 1:1 topic is a question to raise,
    not a claim, so it is not held to modality).
    """
    text = _without_app_frames(_PERIOD.sub(" ", sentence))
    for name in known:
        text = re.sub(rf"(?i)\b{re.escape(name)}\b", " ", text)
    frame = all_words(" ".join([*subject.names, *_lists()["judgement"]["frame_words"]]))
    if len(all_words(text) - frame) < 2:
        return []
    parts = [p for note in notes for p in _parts(note)]
    used = [p for p in parts if _share(sentence, p.text) >= USED_SHARE] or \
        sorted(parts, key=lambda p: -_share(sentence, p.text))[:1]
    problems: list[Problem] = []
    for check in (_modality, _negation, _who, _judgement):
        problems += check(text, used, subject, other_people)
    problems += _outcome(text, used or parts, subject, other_people) or \
        _outcome(text, parts, subject, other_people) or _swapped(text, parts)
    problems += _quantities(text, used, parts)
    problems += _citations(text, notes)
    return [p for p in {p.message: p for p in problems}.values() if p.kind not in skip]


@functools.lru_cache(maxsize=4096)
def _parts(note: Note) -> tuple[Part, ...]:
    return tuple(note_parts(note))


_PERIOD = re.compile(r"(?i)\b(?:from|between|by|in|since)\s+(?:january|february|march|april|may|"
                     r"june|july|august|september|october|november|december)(?:\s+\d{4})?"
                     r"(?:\s+(?:to|and|than in)\s+(?:january|february|march|april|may|june|july|"
                     r"august|september|october|november|december)(?:\s+\d{4})?)?,?")


def _without_app_frames(sentence: str) -> str:
    """The sentence without the frames Trellis writes around evidence ("(feedback given on …)")."""
    text = re.sub(r"\((?:feedback given|said in a 1:1|agreed) on [^)]*\)", "", sentence)
    for frame_pattern in _lists()["judgement"]["frame_patterns"]:
        text = re.sub(frame_pattern, " ", text)
    for frame in _lists()["judgement"]["app_frames"]:
        text = re.sub(re.escape(frame), " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


@functools.lru_cache(maxsize=8192)
def content(text: str) -> frozenset[str]:
    """The text's rarer words, folded (cached: a long note's parts are asked about again for
    every sentence of a draft)."""
    return frozenset(word_key(w) for w in _WORD.findall(text) if len(w) >= 3 and
                     w.lower() not in _GLUE and word_key(w) not in _COMMON and
                     word_key(w) not in _NEGATIONS)


@functools.lru_cache(maxsize=8192)
def all_words(text: str) -> frozenset[str]:
    return frozenset(word_key(w) for w in _WORD.findall(text)
                     if len(w) >= 3 and w.lower() not in _GLUE)


_COMMON = frozenset(word_key(w) for w in COMMON_WORDS)
_NEGATIONS = frozenset(word_key(w) for w in ("not", "never", "without", "none", "nobody",
                                              "nothing", "didn't", "doesn't", "don't", "isn't",
                                              "wasn't", "aren't", "hasn't", "haven't", "cannot"))
_GLUE = frozenset("the and but with for from that this was were has had have his her their she he "
                  "they them its our who which when".split())


def _share(sentence: str, part: str) -> float:
    """How much of a note part's wording the sentence shares (its rarer words when it has
    some, else all its words)."""
    words = content(part) or all_words(part)
    said = content(sentence) | all_words(sentence)
    return len(words & said) / len(words) if words else 0.0


def _when(part: Part) -> str:
    return f"the note of {day_month(part.note.date)}"


def _said_by(part: Part) -> str:
    return f"The note of {day_month(part.note.date)}"


def _quote(part: Part, limit: int = 70) -> str:
    text = part.text if len(part.text) <= limit else part.text[:limit].rsplit(" ", 1)[0] + " …"
    return f"“{text}”"


# ---------------------------------------------------------------- modality, negation, outcome

def _modality(text, used, subject, others) -> list[Problem]:
    wish = pattern("modality", "wish")
    for part in used:
        if not (wish.search(part.text) or part.question):
            continue
        if not wish.search(text) or _wished_act_done(part.text, text):
            return [Problem(MODALITY, f"{_said_by(part)} says {_quote(part)}: a wish, "
                                      f"plan or request; this sentence says it was done.")]
    return []


_TO_VERB = re.compile(r"(?i)\b(?:to|'d like to|would like to|will|'ll)\s+([a-z]+)\b\s*((?:\S+\s*){0,4})")
_NOT_DONE = {"to", "would", "will", "could", "might", "may", "can", "should", "must", "'d", "'ll",
             "wants", "want", "like", "hopes", "plans"}


def _wished_act_done(part: str, sentence: str) -> bool:
    """Whether the act a wish or request names ("run the next retro") is said as done
    ("ran the next retro"): the verb, not after "to" or a modal, with its object."""
    words = re.findall(r"[\w'’-]+", sentence.lower())
    for match in _TO_VERB.finditer(part):
        verb, rest = match.group(1).lower(), match.group(2)
        forms = _forms(verb)
        wanted = content(rest)
        for i, word in enumerate(words):
            if word in forms and (i == 0 or words[i - 1] not in _NOT_DONE) and \
                    (not wanted or wanted & content(" ".join(words[i + 1:i + 7]))):
                return True
    return False


def _forms(verb: str) -> set[str]:
    """A verb's past forms: "present" → {"presented"}, "run" → {"ran"}."""
    irregular = _lists()["modality"]["irregular"]
    present = {verb + "es" if verb.endswith(("s", "sh", "ch", "x", "o")) else
               verb[:-1] + "ies" if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "o", "u")
               else verb + "s"}  # "loops in support": done as a habit
    if verb in irregular:
        return {irregular[verb]} | present
    if verb.endswith("e"):
        return {verb + "d"} | present
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return {verb[:-1] + "ied"} | present
    return {verb + "ed", verb + verb[-1] + "ed"} | present


def _negation(text, used, subject, others) -> list[Problem]:
    said = _count(pattern("negation", "words"), text)
    noted = sum(_count(pattern("negation", "words"), p.text) for p in used)
    if said == noted and used:
        flipped = _negated_words(text) & (set().union(*(all_words(p.text) for p in used))
                                          - set().union(*(_negated_words(p.text) for p in used)))
        if flipped:
            return [Problem(NEGATION, f"This sentence says “not” of what {_when(used[0])} says "
                                      f"was so: {_quote(used[0])}.")]
    if said == noted or not used:
        return []
    part = used[0]
    if said < noted:
        return [Problem(NEGATION, f"{_said_by(part)} says {_quote(part)}; this sentence "
                                  "drops its “not”, “no” or “without”.")]
    return [Problem(NEGATION, f"This sentence says “not”, “no” or “without” where "
                              f"{_when(part)} does not: {_quote(part)}.")]


def _negated_words(text: str) -> set[str]:
    """The word each negation governs: the first after "not", "rather than", "without" …
    that is not a helper ("being", "a", "any")."""
    ends = [m.end() for m in pattern("negation", "words").finditer(text)]
    ends += [m.end() for m in re.finditer(r"n['’]t\b", text)]
    found = set()
    for end in ends:
        word = next((w for w in _WORD.findall(text[end:])[:4]
                     if w.lower() not in _GLUE and w.lower() not in _HELPERS), None)
        if word is not None:
            found.add(word_key(word))
    return found


_HELPERS = frozenset("a an any be been being yet go going get getting even ever one single "
                     "really quite".split())


def _count(pattern: re.Pattern[str], text: str) -> int:
    return len(pattern.findall(text)) + len(re.findall(r"n['’]t\b", text))


def _outcome(text, used, subject, others) -> list[Problem]:
    noted = " ".join(p.text for p in used)
    for first, second in _lists()["outcome"]["pairs"]:
        for said, opposite in ((first, second), (second, first)):
            if _has(said, text) and _has(opposite, noted) and not _has(said, noted):
                return [Problem(OUTCOME, f"{_said_by(used[0])} says “{opposite}”; this "
                                         f"sentence says “{said}”.")]
    return []


_FROM_TO = re.compile(r"(?i)\bfrom\s+(?:about\s+|mostly\s+)?([\w%.,]+)(?:\s+\w+)?\s+to\s+(?:mostly\s+)?([\w%.,]+)")


def _swapped(text: str, parts: Sequence[Part]) -> list[Problem]:
    """ "from 40% to 85%" said as "from 85% to 40%": the change runs the other way."""
    said = {(a.lower().strip(".,"), b.lower().strip(".,")) for a, b in _FROM_TO.findall(text)}
    for part in parts:
        for a, b in ((x.strip(".,"), y.strip(".,")) for x, y in _FROM_TO.findall(part.text)):
            if (b.lower(), a.lower()) in said and a.lower() != b.lower():
                return [Problem(OUTCOME, f"{_said_by(part)} says it went from {a} to "
                                         f"{b}; this sentence says from {b} to {a}.")]
    return []


def _has(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None


# ---------------------------------------------------------------- who did what

def _who(text, used, subject, others) -> list[Problem]:
    swapped = _possessive_swap(text, used, subject, others)
    if swapped:
        return swapped
    for clause_text, said_by in _clauses(text, subject, others):
        for part in used:
            for part_clause, done_by in _part_clauses(part, subject, others):
                if done_by == said_by or not _same_act(clause_text, part_clause):
                    continue
                if done_by == "manager" and not _MANAGER_ACT.search(clause_text):
                    continue  # what was told is not the telling
                said = subject.first if said_by == "person" else said_by
                did = {"person": subject.first, "manager": "you (the manager)"}.get(done_by, done_by)
                return [Problem(WHO, f"{_said_by(part)} says {did} did this "
                                     f"({_quote(part)}); this sentence says {said} did.")]
    return []


def _part_clauses(part: Part, subject: Subject, others: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """A note part's clauses with who acted in each; the first clause's doer from its voice."""
    return _clauses_of_part(part, subject, tuple(others))


@functools.lru_cache(maxsize=4096)
def _clauses_of_part(part: Part, subject: Subject,
                     others: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    first = _doer_of_part(part, subject, others)
    return tuple(_clauses(part.text, subject, others, first))


def _possessive_swap(text, used, subject, others) -> list[Problem]:
    """ "Rowan's importer tests" where the note says "Farah's importer tests"."""
    names = set(subject.names) | {o.split()[0] for o in others}
    said = {(m.group(1), m.group(2).lower()) for m in _POSSESSIVE.finditer(text) if m.group(1) in names}
    for part in used:
        for match in _POSSESSIVE.finditer(part.text):
            owner, thing = match.group(1), match.group(2).lower()
            if owner in names and any(t == thing and o != owner for o, t in said):
                return [Problem(WHO, f"{_said_by(part)} says {owner}'s {thing}; this "
                                     f"sentence gives it to someone else.")]
    return []


_MANAGER_ACT = re.compile(r"(?i)\b(?:told|asked|suggested|advised|reminded|praised|thanked|"
                          r"warned|pointed|coached|encouraged|gave|recommended|requested)\b")
_POSSESSIVE = re.compile(r"\b([A-Z][\w-]+)['’]s\s+((?:[\w-]+\s+){0,2}[\w-]+)")


def _clauses(text: str, subject: Subject, others: Sequence[str],
             first: str | None = None) -> list[tuple[str, str]]:
    """(clause, who the clause says acted) for the clauses that say who acted; a clause
    with no subject of its own ("…, and reopened it") keeps the one before. ``first`` is
    who acted in a first clause without a subject."""
    found, doer, previous = [], None, ""
    pieces = re.split(r"(;|,\s*(?:and|but|then|while|so)\s+|\s+(?:and|that|after|when)\s+"
                      r"(?=[A-Z]|(?:she|he|they|was|were|has|had)\b))", text)
    for index, clause in enumerate(pieces[::2]):
        joint = pieces[2 * index - 1].strip() if index else ""
        if index and len(clause.split()) < 3:
            continue  # "Soraya and Emeka": a name in a list, not a clause
        named = _doer(clause.strip(), subject, others)
        if index == 0:
            doer = named if named is not None else first
        elif joint == "that" and _REQUESTED.search(previous):
            doer = "passive"  # "It was suggested that Hannah break …": asked, not done
        elif _passive(clause.split()[:3]):
            doer = "passive"  # "…, and was asked to …"
        elif _other_pronoun(clause, subject):
            doer = "someone else"  # "after he went quiet", when the person is "she"
        elif named is not None or re.match(r"\s*[A-Z]", clause.strip() or "x"):
            doer = named
        previous = clause
        if doer is not None and doer != "passive":
            found.append((clause, doer))
    return found


_REQUESTED = re.compile(r"(?i)\b(?:suggested|asked|recommended|advised|requested|proposed|agreed|"
                        r"encouraged|wanted)\s*$")


def _doer(text: str, subject: Subject, others: Sequence[str]) -> str | None:
    """Who a sentence says acted: "person", another person's first name, or None."""
    words = _WORD.findall(text)
    first = (words or [""])[0]
    bare = first.split("'")[0].split("’")[0]
    own_pronoun = subject.pronoun is not None and first.lower() == subject.pronoun
    if bare in subject.names or own_pronoun:
        if first.endswith(("'s", "’s")):
            return None
        return "passive" if _passive(words[1:4]) else "person"
    names = {o.split()[0] for o in others}
    if bare in names and not first.endswith(("'s", "’s")):
        return bare
    return None


def _other_pronoun(clause: str, subject: Subject) -> bool:
    first = (_WORD.findall(clause) or [""])[0].lower()
    return subject.pronoun in ("she", "he") and first in ("she", "he") and first != subject.pronoun


def _passive(words: Sequence[str]) -> bool:
    """ "was told", "has been asked", "were given": the subject is acted on."""
    lowered = [w.lower() for w in words]
    helpers = {"was", "were", "is", "are", "been", "got", "gets", "has", "had", "have"}
    return bool(lowered) and lowered[0] in helpers and any(
        w.endswith(("ed", "en")) or w in ("told", "given", "taught", "shown", "left", "sent", "paid")
        for w in lowered[1:3])


def _doer_of_part(part: Part, subject: Subject, others: Sequence[str]) -> str | None:
    phrase = review_voice(part.text, subject, note_kind=part.note.kind)
    if phrase.kind == PREDICATE:
        return "manager" if phrase.manager and phrase.text.startswith("was ") else "person"
    if phrase.text.startswith(("{Poss}", "{Subj}")):
        return "person"  # "Great walkthrough of the fix": theirs
    if phrase.kind in (CLAUSE, OTHER):
        return _doer(part.text, subject, others)
    return None


def _same_act(sentence: str, part: str) -> bool:
    """Whether a clause and a note's clause tell the same act: three words in common, or
    two of their rarer words."""
    return len(all_words(part) & all_words(sentence)) >= 3 or \
        len(content(part) & content(sentence)) >= 2


# ---------------------------------------------------------------- quantities

_NUMBER = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s*(%|[a-zA-Z]+)?")


def _quantities(text: str, used: Sequence[Part], parts: Sequence[Part]) -> list[Problem]:
    anywhere = {v for p in parts for v, _ in quantities(p.text)}
    noted = [q for p in used for q in quantities(p.text)]
    for value, unit in quantities(text):
        if value not in anywhere:
            if anywhere:
                return [Problem(QUANTITY, f"This sentence says {_shown(value, unit)}; the notes "
                                          "it cites do not give that number.")]
            continue
        units = {u for p in parts for v, u in quantities(p.text) if v == value}
        if unit and unit not in units and units - {""}:
            other = next(iter(units - {""}))
            return [Problem(QUANTITY, f"{_said_by(used[0])} says "
                                      f"{_shown(value, other)}; this sentence says "
                                      f"{_shown(value, unit)}.")]
    return []


def quantities(text: str) -> list[tuple[str, str]]:
    """(value, unit) pairs: "3 weeks" → ("3", "week"); "four" → ("4", …); units folded."""
    found = []
    words = re.findall(r"[\w%'’.,-]+", text.lower())
    skip = False
    for i, word in enumerate(words):
        if _is_date_part(words, i):
            continue  # "March 2026", "4 March": dates, which the grounding checker holds
        value = _value(word)
        if value is None and word in ("a", "an", "one"):
            ahead = words[i + 2] if i + 2 < len(words) and words[i + 1] in _WHOLE else \
                words[i + 1] if i + 1 < len(words) else ""
            if _time_unit(ahead) not in ("", "sprint"):
                value, words[i + 1] = "1", ahead
        if value is None or skip:
            skip = False
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        scale = {"hundred": 100, "thousand": 1000}.get(following.strip(".,"))
        if scale and value.isdigit():
            value, skip = str(int(value) * scale), True
            following = words[i + 2] if i + 2 < len(words) else ""
        if _percent(words, i) and not value.endswith("%"):
            value, following = value + "%", ""
        unit = _unit(following)
        if unit == "fortnight" and value.replace(".", "").isdigit():
            value, unit = f"{float(value) * 2:g}", "week"  # "a fortnight" is two weeks
        found.append((value, unit))
    return found


_MONTH_WORDS = frozenset("january february march april may june july august september october "
                         "november december jan feb mar apr jun jul aug sep sept oct nov dec".split())


def _is_date_part(words: Sequence[str], i: int) -> bool:
    word = words[i].strip(".,;:")
    if re.fullmatch(r"(?:19|20)\d\d", word):
        return True
    near = {w.strip(".,;:") for w in words[max(0, i - 1):i + 2]}
    return word.isdigit() and int(word) <= 31 and bool(near & _MONTH_WORDS)


def _value(word: str) -> str | None:
    word = word.strip(".,")
    number = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)(%?)", word)
    if number:
        return number.group(1).replace(",", "") + number.group(2)
    named = NUMBER_WORDS.get(word)
    if named and named[0] == "":
        return str(int(named[1])) if named[1] == int(named[1]) else str(named[1])
    return None


def _unit(word: str) -> str:
    """What a number counts, folded: "weeks" → "week", "fallback" → "fallback"."""
    word = word.strip(".,;:")
    time = _time_unit(word)
    if time:
        return time
    if not word.isalpha() or word in _NOT_UNITS:
        return ""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_WHOLE = frozenset({"whole", "full", "single", "entire"})
_NOT_UNITS = frozenset("a an the of to in on at for and or but by from with as than is was were are "
                       "more less times time".split())


def _time_unit(word: str) -> str:
    word = word.strip(".,;:")
    return next((u for u in _lists()["units"]["time"] if word in (u, u + "s")), "")


def _percent(words: Sequence[str], i: int) -> bool:
    """ "12 percent", "12 per cent": the same as "12%"."""
    ahead = [w.strip(".,;:") for w in words[i + 1:i + 3]]
    return ahead[:1] == ["percent"] or ahead[:2] == ["per", "cent"]


def _shown(value: str, unit: str) -> str:
    return f"{value} {unit}{'' if value == '1' else 's'}" if unit else value


# ---------------------------------------------------------------- judgement and citations

def _judgement(text, used, subject, others) -> list[Problem]:
    noted = " ".join(p.text for p in used)
    noted_keys = {word_key(w) for w in _WORD.findall(noted)}
    added = [m.group() for m in pattern("judgement", "words").finditer(text)
             if not all(word_key(w) in noted_keys for w in m.group().lower().split())]
    if not added:
        return []
    words = " and ".join(f"“{w}”" for w in dict.fromkeys(added))
    return [Problem(JUDGEMENT, f"This sentence adds {words}: a judgement the notes it cites "
                               "do not make.")]


def _citations(text: str, notes: Sequence[Note]) -> list[Problem]:
    if len(notes) < 2:
        return []
    said = all_words(text)
    problems = []
    for note in notes:
        others = set().union(*(all_words(n.text) for n in notes if n.id != note.id))
        own = all_words(note.text) - others
        if not (own & said):
            problems.append(Problem(CITATION, f"The note of {day_month(note.date)} is cited but "
                                              "this sentence says nothing from it."))
    return problems


# ---------------------------------------------------------------- a whole draft

def draft_findings(sections, notes: dict[str, Note], subject: Subject, other_people: Sequence[str],
                   known: Sequence[str]) -> tuple[dict, ...]:
    """Every statement of a draft held to its cited notes: what the checks question."""
    found = []
    for section in sections:
        for index, statement in enumerate(section.statements):
            cited = [notes[c] for c in statement.citations if c in notes]
            if not cited or section.key in COMMITMENTS:
                continue  # goals, support and check-ins are commitments, not evidence
            problems = meaning_problems(statement.text, cited, subject, other_people, known)
            if problems:
                found.append({"section": section.key, "index": index, "text": statement.text,
                              "problems": [p.message for p in problems],
                              "kinds": [p.kind for p in problems]})
    return tuple(found)
