"""Sensitive sentences: the ones Trellis leaves out, and the ones the manager lets in.

Why this module exists: a work note may say something about health,
family, religion or another special category of data-protection law
("Closed the audit. She is back from chemotherapy next week."). Trellis
leaves such a sentence out of every draft, plan, topic, agenda and model
prompt (``reading.sensitive``), and says so. Sometimes the manager needs
one of them ("worked reduced hours after surgery, agreed with HR" may be
the context a review must give); they can include that one sentence, on
purpose, and take the choice back. The choice is kept per sentence text,
so editing the sentence leaves it out again until it is included anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.records import Note
from ..errors import InvalidInput
from . import words as W
from .reading import note_parts


@dataclass(frozen=True)
class SensitiveSentence:
    """One sentence of a note that speaks of private life, and whether it is let in."""

    note_id: str
    number: int  # 1 for the note's first sentence
    text: str
    category: str
    included: bool


def sensitive_sentences(note: Note) -> list[SensitiveSentence]:
    """The note's sentences that read as private life, left out or let in by the manager.

    A note of kind ``personal`` is private as a whole and has none to choose from."""
    if note.kind == "personal":
        return []
    found: dict[int, SensitiveSentence] = {}
    for part in note_parts(note):
        if part.sentence in found:
            continue
        category = W.personal_category(part.text)
        if category is not None:
            found[part.sentence] = SensitiveSentence(
                note.id, part.sentence + 1, part.sentence_text, category, part.included)
    return list(found.values())


def left_out(note: Note) -> list[SensitiveSentence]:
    return [s for s in sensitive_sentences(note) if not s.included]


def include(store, note_id: str, number: int) -> SensitiveSentence:
    """Let sentence ``number`` of the note into drafts, plans and topics."""
    chosen = _chosen(store.notes.get(note_id), number)
    store.notes.include_sentence(note_id, chosen.text)
    return SensitiveSentence(chosen.note_id, chosen.number, chosen.text, chosen.category, True)


def leave_out(store, note_id: str, number: int) -> SensitiveSentence:
    """Take back ``include``: the sentence is left out again."""
    chosen = _chosen(store.notes.get(note_id), number)
    store.notes.leave_out_sentence(note_id, chosen.text)
    return SensitiveSentence(chosen.note_id, chosen.number, chosen.text, chosen.category, False)


def _chosen(note: Note, number: int) -> SensitiveSentence:
    if note.kind == "personal":
        raise InvalidInput(f"Note {note.id} is a personal note: all of it stays out of reviews. "
                           "Change its kind if part of it is about work.")
    candidates = sensitive_sentences(note)
    for candidate in candidates:
        if candidate.number == number:
            return candidate
    if not candidates:
        raise InvalidInput(f"Note {note.id} has no sentence that Trellis leaves out; "
                           "all of it can already be used.")
    numbers = ", ".join(str(c.number) for c in candidates)
    raise InvalidInput(f"Sentence {number} of note {note.id} is not one Trellis leaves out; "
                       f"the sentences it leaves out are number {numbers}.")


def sensitive_in(notes) -> list[SensitiveSentence]:
    """Every sensitive sentence of ``notes``, in their order."""
    return [s for note in notes for s in sensitive_sentences(note)]
