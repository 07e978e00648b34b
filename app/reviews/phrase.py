"""What a part of a note becomes in the review's voice, and who the review is about.

``Phrase`` is one part of a note said about the person (``app.reviews.voice``
makes it); ``Subject`` is the person: their name, the pronoun their notes use,
and the words the notes write with a capital. Placeholders ``{subj}``,
``{Subj}``, ``{poss}``, ``{Poss}`` in a phrase stand for the person's name or
pronoun and are filled when the sentence is written (``Subject.fill``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from . import words as W
from .wording import cap, singular

PREDICATE, CLAUSE, OTHER = "predicate", "clause", "other"


FEEDBACK, AGREED = "feedback given", "agreed"


PRONOUNS = {"she": ("she", "her", "her"), "he": ("he", "him", "his"),
            "they": ("they", "them", "their")}


@dataclass(frozen=True)
class Phrase:
    """One part of a note in the review's voice (see the module docstring)."""

    kind: str
    text: str
    manager: bool = False     # the manager's own act or view ("Told her", "I noticed")
    request: bool = False     # something the person was asked to do
    reported: bool = False    # the person's own words ("Said she wants …")
    attribution: str = ""     # FEEDBACK or AGREED: the sentence says when
    plural: bool = False      # the note said "they": the verb agrees with "they"
    follows: bool = False     # said of what the part before named ("it was caught in review")


@dataclass(frozen=True)
class Subject:
    """The person a review is about: their name and the pronoun their notes use."""

    name: str
    pronoun: str | None = None  # "she", "he", "they" or None (unknown: use the name)
    proper: frozenset[str] = frozenset()  # names and titles the notes write with a capital

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.first)))

    def word(self, *, named: bool) -> str:
        """The subject: the first name, or "she"/"he" when the name was just said."""
        if named or self.pronoun not in ("she", "he"):
            return self.first
        return self.pronoun

    def possessive(self, *, named: bool) -> str:
        if named or self.pronoun is None:
            return f"{self.first}'s" if named else "their"
        return PRONOUNS[self.pronoun][2]

    def fill(self, text: str, *, named: bool) -> str:
        """Placeholders filled: the first with the name when ``named``, later ones with pronouns."""
        first_slot = named or self.pronoun is None  # with no pronoun, a sentence opens with the name

        def swap(match: re.Match[str]) -> str:
            nonlocal first_slot
            slot = match.group(1)
            if first_slot and self.pronoun is not None and \
                    re.search(rf"\b{re.escape(self.first)}\b", text[:match.start()]):
                first_slot = False  # "Omar told his manager", not "Omar told Omar's manager"
            word = (self.word if slot.lower() == "subj" else self.possessive)(named=first_slot)
            first_slot = False
            return cap(word) if slot[0].isupper() else word
        return re.sub(r"\{([Ss]ubj|[Pp]oss)\}", swap, text)

    def sentence(self, phrase: Phrase, *, named: bool) -> str:
        """The phrase as a sentence, without its full stop."""
        if phrase.kind == PREDICATE:
            predicate = singular(phrase.text) if phrase.plural else phrase.text
            return self.fill(f"{{Subj}} {predicate}", named=named)
        return cap(self.fill(phrase.text, named=named))


def infer_pronoun(name: str, texts: Iterable[str]) -> str | None:
    """The pronoun a manager's notes use for the person, or None when they do not say.

    Only positions that refer to the person count: a pronoun opening a
    sentence or after "said", and the object of the manager's own act
    ("Told her", "Asked him to"). A pronoun needs two uses and four in five
    of them.
    """
    acts = "|".join(W.words()["voice"]["manager_acts"])
    counts: Counter[str] = Counter()
    for text in texts:
        for sentence in re.split(r"[.;!?]\s+|\n", text or ""):
            s = sentence.strip()
            counts.update(_pronoun_uses(s, acts))
    if not counts:
        return None
    pronoun, uses = counts.most_common(1)[0]
    return pronoun if uses >= 2 and uses >= 0.8 * sum(counts.values()) else None


def _pronoun_uses(sentence: str, acts: str) -> list[str]:
    found = []
    opening = re.match(r"(?:Also\s+|And\s+)?(She|He|They)\b(?!['’]s\s)", sentence)
    if opening:
        found.append(opening.group(1).lower())
    for match in re.finditer(rf"(?i)\b(?:{acts})\s+(her|him|them)\b", sentence):
        found.append({"her": "she", "him": "he", "them": "they"}[match.group(1).lower()])
    for match in re.finditer(r"(?i)\bsaid\s+(?:that\s+)?(she|he|they)\b", sentence):
        found.append(match.group(1).lower())
    return found


def person_pattern(subject: Subject, *, objects: bool) -> str:
    """The person, by name or pronoun. With a pronoun known from the notes, only that one:
    in his notes "she" is someone else (the mentee, a customer)."""
    names = "|".join(re.escape(n) for n in subject.names)
    if subject.pronoun in PRONOUNS:
        pronouns = PRONOUNS[subject.pronoun][1 if objects else 0]
    else:
        pronouns = "her|him|them" if objects else "she|he|they"
    return rf"(?:{names}|(?i:{pronouns}))"
