"""The model's place in a review: it may reword the app's sentence, never say more.

Why this module exists: the app composes every review sentence from the
notes (``compose``, ``summary``); a larger model can make it read better.
So each composed sentence may be handed to the model with its notes, and
what comes back stands only if:

- the grounding checker finds every specific in the cited notes or in the
  app's own sentence (``check_sentence``);
- it means what the cited notes mean (``app.reviews.meaning``: modality,
  negation, outcome, who did what, quantities, judgement, citations);
- it keeps the app sentence's meaning (``rewording_problems``): the same
  negations, the same wishes and requests (a wish never becomes a deed),
  no outcome or judgement word the app's sentence and the notes lack, the
  same numbers with the same units, nearly all of its content words, one
  sentence, no "I" or "we", and it is still about the person.

Otherwise the app's sentence stays. A reply that only repeats the app's
words counts as no rewording. Whether the model is asked at all follows its
measured fit (``model_fit``: under ``MIN_SHARE`` of its sentences passing,
it is not asked); a model not measured yet is probed as the draft goes: after its first ``PROBE`` sentences, the model
is asked again only while at least ``MIN_SHARE`` of its replies were
rewordings that passed (the 135 M default mostly copies or adds, and stops
being asked after three or four), so a weak model costs seconds, not a
minute.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..assist.digest import ask_json
from ..assist.grounding import check_sentence, word_key
from ..domain.records import Note
from ..llm.engine import ContextOverflow, Engine, StopFlag
from ..llm.structured import StructuredOutputError
from .body import FROM_MODEL, Section, Statement, Verdict
from .meaning import meaning_problems as notes_meaning
from .meaning import pattern as word_list
from .meaning import quantities
from .reading import shareable_text
from .phrase import Subject

if TYPE_CHECKING:
    from ..llm.prompts import PromptLibrary

REWORD_TEMPLATE = "reword_sentence"
log = logging.getLogger(__name__)
REWORD_TOKENS = 140
PROBE = 3
MIN_SHARE = 0.3
OUTCOME = re.compile(r"(?i)\b(?:late|on time|early|missed|met|failed|succeeded|success(?:ful)?|"
                     r"rework|no rework|slipped|delivered|shipped|broke|fixed|breached)\b")
META = re.compile(r"(?i)\b(?:notes?|sentence|review|reviewer|manager|evidence)\b")
FIRST_PERSON = re.compile(r"\b(?:I|me|my|we|We|our|Our|us)\b")
MAX_DROPPED_SHARE = 0.15
TOO_LONG = "is too long for the model's context"
GLUE_WORDS = frozenset("that this these those with from into onto over also then than they them their "
                       "there were been have having which while when where what whom whose about "
                       "after before some such very just only both each".split())


@dataclass
class Rewording:
    """The model, its prompts, and how its sentences have fared in this draft."""

    engine: Engine
    library: PromptLibrary
    subject: Subject
    notes: dict[str, Note]
    other_people: tuple[str, ...]
    stop: StopFlag | None = None
    known: tuple[str, ...] = ()  # competency names the app's sentences may use
    always: bool = False  # ask for every sentence (measuring the model's fit)
    measured_share: float | None = None  # the model's measured fit, when it has one
    temperature: float = 0.0
    seed: int | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    too_long: dict[str, str] = field(default_factory=dict)  # id → date of notes past the context

    def too_long_warnings(self) -> tuple[str, ...]:
        """One line per note the model could not read whole, naming it, for the draft's checks."""
        return tuple(f"The note of {date} ({note_id}) {TOO_LONG}: Trellis wrote its sentences "
                     "without the model" for note_id, date
                     in sorted(self.too_long.items(), key=lambda item: (item[1], item[0])))

    @property
    def worth_asking(self) -> bool:
        """Asked for the first ``PROBE`` sentences, then while at least ``MIN_SHARE`` of
        what it returned was a rewording that passed."""
        if self.always:
            return True
        if self.measured_share is not None:
            return self.measured_share >= MIN_SHARE
        tried = len(self.verdicts)
        kept = sum(v.accepted for v in self.verdicts)
        return tried < PROBE or kept >= MIN_SHARE * tried

    def section(self, section: Section, *, step: str = "",
                on_progress: Callable[[str], None] | None = None) -> Section:
        """The section with each statement reworded where the model passes; ``on_progress``
        hears "STEP: the model is rewording sentence I of N" before each sentence it is asked."""
        statements, total = [], len(section.statements)
        for number, statement in enumerate(section.statements, start=1):
            if on_progress is not None and self.worth_asking and total:
                on_progress(f"{step}: the model is rewording sentence {number} of {total}…")
            statements.append(self.statement(section.key, statement))
        return replace(section, statements=tuple(statements))

    def statement(self, key: str, statement: Statement) -> Statement:
        if not self.worth_asking or (self.stop is not None and self.stop.is_set()):
            return statement
        cited = [self.notes[c] for c in statement.citations if c in self.notes]
        if not cited:
            return statement
        reworded = self._ask(statement.text, cited)
        problems = (["it only repeats Trellis's sentence"] if same_words(reworded, statement.text)
                    else self._problems(reworded, statement.text, cited))
        self.verdicts.append(Verdict(key, reworded, statement.citations, not problems,
                                     tuple(problems), "model" if not problems else "app"))
        return statement if problems else replace(statement, text=reworded, source=FROM_MODEL)

    def _ask(self, sentence: str, cited: Sequence[Note]) -> str:
        seed = None if self.seed is None else self.seed + len(self.verdicts)
        prompt = self.library.render(REWORD_TEMPLATE, person=self.subject.name, sentence=sentence,
                                     notes=[{"id": n.id, "date": n.date, "text": shareable_text(n)}
                                            for n in cited])
        try:
            reply = ask_json(self.engine, prompt, REWORD_TOKENS, stop=self.stop,
                             temperature=self.temperature, seed=seed)
        except StructuredOutputError:
            return ""
        except ContextOverflow:  # the cited notes do not fit this model: Trellis's sentence stands
            log.info("notes %s are too long for the model's context", [n.id for n in cited])
            longest = max(cited, key=lambda n: len(n.text))
            self.too_long[longest.id] = longest.date
            return ""
        return " ".join(str((reply or {}).get("sentence", "")).split())

    def _problems(self, reworded: str, original: str, cited: Sequence[Note]) -> list[str]:
        if not reworded:
            return ["the model gave no sentence"]
        evidence = [*cited, Note("app", cited[0].person_id, cited[0].date, "other", original)]
        verdict = check_sentence(reworded, evidence, person_name=self.subject.name,
                                 other_people=self.other_people)
        against_notes = [p.message for p in notes_meaning(reworded, cited, self.subject,
                                                          self.other_people, self.known)]
        return [*verdict.problems, *rewording_problems(reworded, original, self.subject),
                *against_notes]


def same_words(first: str, second: str) -> bool:
    """Whether two sentences say the same words (case and punctuation aside): a model that
    copies Trellis's sentence adds nothing, and does not earn the time it takes."""
    def words(text: str) -> list[str]:
        return re.findall(r"[\w'’]+", text.lower())
    return words(first) == words(second)


def rewording_problems(reworded: str, original: str, subject: Subject) -> list[str]:
    """Where a reworded sentence says something other than the app's sentence, in words
    (with the meaning checks' own word lists)."""
    problems = []
    negation = word_list("negation", "words")
    if len(negation.findall(reworded)) != len(negation.findall(original)):
        problems.append("it changes what was or was not done (a negation was added or lost)")
    lost = _words(word_list("modality", "wish"), original) - \
        _words(word_list("modality", "wish"), reworded)
    if lost:
        problems.append(f"it drops '{sorted(lost)[0]}', so a wish, request or plan could read as done")
    for found, what in ((OUTCOME, "an outcome"), (word_list("judgement", "words"), "a judgement")):
        added = _words(found, reworded) - _words(found, original)
        if added:
            problems.append(f"it adds {what} the notes do not give: '{sorted(added)[0]}'")
    if set(quantities(reworded)) != set(quantities(original)):
        problems.append("it changes, adds or drops a number, a date or what a number counts")
    if _words(META, reworded) - _words(META, original):
        problems.append("it talks about the notes or the review instead of the person")
    if FIRST_PERSON.search(reworded):
        problems.append("it speaks in the manager's voice ('I', 'we', 'my'), not about the person")
    if re.search(r"[.!?]\s+[A-Z]", reworded.strip()):
        problems.append("it is more than one sentence")
    dropped = _content(original) - _content(reworded)
    if len(dropped) > MAX_DROPPED_SHARE * max(len(_content(original)), 1):
        problems.append(f"it leaves out part of the sentence ('{sorted(dropped)[0]}')")
    about = {subject.first.lower(), subject.name.lower(), "she", "he", "they", "her", "his", "their"}
    if not any(w.lower().strip(".,;:'’s") in about for w in reworded.split()):
        problems.append(f"it is not about {subject.first}")
    return problems


def _content(text: str) -> set[str]:
    """The sentence's words of four letters or more but the glue words, in the form
    the grounding checker compares them."""
    return {word_key(w) for w in re.findall(r"[^\W\d_]{4,}", text)
            if w.lower() not in GLUE_WORDS}


def _words(pattern: re.Pattern[str], text: str) -> set[str]:
    return {m.group().lower() for m in pattern.finditer(text)}

