"""One sentence of a draft, worded by the model and held to its notes.

The app picks the notes (one to three of one person's notes) and the
model only words them: ``word_sentence`` asks the ``review_sentence``
template for one sentence, then the grounding checker decides whether
that sentence may stand. A sentence with a number, date, name or rare
word its notes lack is replaced by the first note's own words, or dropped
when even those do not pass. Either way the checker's verdict comes back
too, so the draft can show the manager what the model wrote and why it was
not used. Review drafts and development plans both word their sentences
here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..assist.digest import ask_json
from ..assist.grounding import COMMON_WORDS, DEFAULT_PRONOUNS, fold, ground, word_key
from ..domain.records import Note, Person
from ..llm.engine import Engine, StopFlag
from ..llm.structured import StructuredOutputError
from .body import FROM_MODEL, Statement, Verdict

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary

SENTENCE_TEMPLATE = "review_sentence"
# A sentence of at most 300 characters (the template's cap) is about 75 tokens,
# plus the JSON around it; a reply cut off shorter would be retried in full.
SENTENCE_TOKENS = 110
_WORD = re.compile(r"[^\W\d_]+")


def word_sentence(engine: Engine, library: PromptLibrary, *, person: Person | str,
                  competency_name: str, notes: Sequence[Note], other_people: Sequence[str],
                  section: str, stop: StopFlag | None = None, temperature: float = 0.0,
                  seed: int | None = None) -> tuple[Statement | None, Verdict]:
    """The statement for ``notes`` (model-worded, the note's words, or None) and its verdict.

    ``section`` is the key of the section the sentence is for; it is kept
    in the verdict. A stop request or a reply the model could not shape as
    asked leaves an empty model sentence, which the checker rejects, so the
    note's own words stand in: the draft never waits on a sentence it
    cannot use.
    """
    name = person.name if isinstance(person, Person) else person
    cited = tuple(notes)
    model_sentence = _plain_competency(
        _ask(engine, library, name, competency_name, cited, stop, temperature, seed),
        competency_name)
    # The model is told the competency, so its name may appear in the sentence.
    known = COMMON_WORDS | {w.lower() for w in _WORD.findall(competency_name)}
    options = dict(person_name=name, other_people=other_people, common_words=known)
    grounded = ground(model_sentence, cited, **options)
    problems = grounded.verdict.problems
    off_topic = grounded.source == FROM_MODEL and off_topic_problem(model_sentence, cited, name)
    if off_topic:
        grounded = ground("", cited, **options)
        problems = (off_topic,)
    verdict = Verdict(section=section, model_sentence=model_sentence,
                      citations=tuple(n.id for n in cited), accepted=not problems,
                      problems=problems, outcome=grounded.source)
    if grounded.dropped:
        return None, verdict
    return Statement(grounded.text, grounded.citations, grounded.source), verdict


def _ask(engine: Engine, library: PromptLibrary, name: str, competency_name: str,
         notes: tuple[Note, ...], stop: StopFlag | None, temperature: float,
         seed: int | None) -> str:
    prompt = library.render(SENTENCE_TEMPLATE, person=name, competency=competency_name,
                            notes=[{"id": n.id, "date": n.date, "text": n.text} for n in notes])
    try:
        reply = ask_json(engine, prompt, SENTENCE_TOKENS, stop=stop,
                         temperature=temperature, seed=seed)
    except StructuredOutputError:
        return ""
    return str((reply or {}).get("sentence", "")).strip()


def _plain_competency(sentence: str, competency_name: str) -> str:
    """The competency's name in lower case inside the sentence ("showed Code quality" →
    "showed code quality"), so the checker does not take it for a name the notes lack."""
    name = competency_name.strip()
    if not name or not sentence:
        return sentence
    return re.sub(rf"(?<=\S )\b{re.escape(name)}\b", name.lower(), sentence, flags=re.IGNORECASE)


def off_topic_problem(sentence: str, notes: Sequence[Note], person_name: str) -> str | None:
    """Why a sentence that adds nothing still cannot stand, or None.

    The grounding checker only refuses what a sentence adds, so "Ana Ruiz"
    or "This note is a bit too long" would pass it. A draft sentence must
    also be about the person (their name or a third-person pronoun) and carry at least
    one uncommon word of its notes.
    """
    if not sentence.strip():
        return None  # the checker says "empty" itself
    words = [fold(w) for w in _WORD.findall(sentence)]
    names = {fold(p) for p in _WORD.findall(person_name)}
    if not (set(words) & (names | _THIRD_PERSON)):
        return f"the sentence is not about {person_name}"
    note_words = {word_key(w) for n in notes for w in _WORD.findall(n.text or "")}
    if not any(len(w) >= 4 and w not in names and word_key(w) not in _COMMON_KEYS
               and word_key(w) in note_words for w in words):
        return "the sentence says nothing the cited notes say"
    return None


_COMMON_KEYS = frozenset(word_key(w) for w in COMMON_WORDS)
# "I" in a model sentence is the manager (or the model), never the person reviewed.
_THIRD_PERSON = DEFAULT_PRONOUNS - {"i"}
