"""Check a review the manager wrote themselves against their notes.

Why this module exists: many managers write the review themselves and want
to know, sentence by sentence, whether their notes back it. ``check_text``
splits their text into sentences (one per line, or paragraphs split at
sentence ends), finds the notes of the period each sentence draws on (the
person's notes in the period, personal and instruction-like notes left
out, as for a draft), and holds it to them with the meaning checks. A
sentence is supported when notes say most of what it says and the checks
find nothing. Nothing is saved and nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..assist.language import split_sentences
from ..domain.records import Note
from .compose import writing_for
from .evidence import build_brief
from .meaning import JUDGEMENT, all_words, content, meaning_problems
from .reading import PERSONAL, read_part
from .reading import note_parts as parts_of

MAX_CITED = 2
SUPPORTED_SHARE = 0.5  # of the sentence's words, said by the notes it cites
ADDS_SHARE = 0.2       # a second note is cited only when it says this much more of the sentence
NOT_IN_NOTES = "No note on {first} in this period says this."
PRIVATE = "This sentence holds a personal detail; a review should leave it out."


@dataclass(frozen=True)
class CheckedSentence:
    text: str
    supported: bool
    citations: tuple[str, ...]
    problems: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"text": self.text, "supported": self.supported,
                "citations": list(self.citations), "problems": list(self.problems)}


def sentences_of(text: str) -> list[str]:
    """One sentence per line, or the lines' paragraphs split into sentences."""
    found = []
    for line in (text or "").splitlines():
        found += [s.text for s in split_sentences(line.strip())] if line.strip() else []
    return [s.strip() for s in found if s.strip()]


def check_text(store, person_id: str, period_start: str, period_end: str,
               text: str) -> list[CheckedSentence]:
    """Every sentence of ``text``, in order, with the notes it rests on and what is wrong."""
    brief = build_brief(store, person_id, period_start, period_end)
    writing, _ = writing_for(store, brief)
    subject = writing.subject
    others = [p.name for p in store.people.list(include_archived=True) if p.id != person_id]
    known = [c.name for c in brief.competencies]
    notes = [e.note for e in brief.notes]
    return [check_sentence(sentence, notes, subject, others, known) for sentence in sentences_of(text)]


def check_sentence(sentence: str, notes: Sequence[Note], subject, others, known) -> CheckedSentence:
    if _private(sentence, subject):
        return CheckedSentence(sentence, False, (), (PRIVATE,))
    cited = supporting_notes(sentence, notes, subject)
    said = _said(sentence, subject)
    covered = said & set().union(*(all_words(n.text) for n in cited)) if cited else set()
    if not cited or len(covered) < SUPPORTED_SHARE * max(len(said), 1):
        judged = [p.message for p in meaning_problems(sentence, cited, subject, others, known)
                  if p.kind == JUDGEMENT] if cited else []
        return CheckedSentence(sentence, False, (), (NOT_IN_NOTES.format(first=subject.first),
                                                     *judged))
    problems = tuple(p.message for p in meaning_problems(sentence, cited, subject, others, known))
    return CheckedSentence(sentence, not problems, tuple(n.id for n in cited), problems)


def supporting_notes(sentence: str, notes: Sequence[Note], subject) -> list[Note]:
    """The note that says most of the sentence, and a second one when it adds enough."""
    said = _said(sentence, subject)
    if not said:
        return []
    ranked = sorted(notes, key=lambda n: -len(said & all_words(n.text)))
    chosen = [n for n in ranked[:1] if said & content(n.text)]
    if chosen and len(ranked) > 1:
        covered = said & all_words(chosen[0].text)
        extra = (said & all_words(ranked[1].text)) - covered
        if len(extra) >= max(2, ADDS_SHARE * len(said)):
            chosen.append(ranked[1])
    return chosen[:MAX_CITED]


def _said(sentence: str, subject) -> set[str]:
    return all_words(sentence) - all_words(" ".join(subject.names))


def _private(sentence: str, subject) -> bool:
    note = Note("text", "", "2000-01-01", "observation", sentence)
    return any(read_part(part, subject).label == PERSONAL for part in parts_of(note))
