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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..assist.digest import ask_json
from ..assist.grounding import ground
from ..domain.records import Note, Person
from ..llm.engine import Engine, StopFlag
from ..llm.structured import StructuredOutputError
from .body import FROM_MODEL, Statement, Verdict

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary

SENTENCE_TEMPLATE = "review_sentence"
# A sentence of at most 300 characters is about 75 tokens, plus the JSON around it.
SENTENCE_TOKENS = 110


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
    model_sentence = _ask(engine, library, name, competency_name, cited, stop, temperature, seed)
    grounded = ground(model_sentence, cited, person_name=name, other_people=other_people)
    verdict = Verdict(section=section, model_sentence=model_sentence,
                      citations=grounded.verdict.citations, accepted=grounded.verdict.accepted,
                      problems=grounded.verdict.problems, outcome=grounded.source)
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


def is_model_worded(statement: Statement) -> bool:
    return statement.source == FROM_MODEL
