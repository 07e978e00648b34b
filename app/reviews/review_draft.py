"""A review draft for one person and period, grounded by construction.

The app writes the draft's structure from the evidence brief; the model
only words single sentences from one or two notes (``wording``), and every
sentence is held to the notes it cites. The sections, in order:

- ``summary``: factual statements the app writes from the evidence counts
  (source "app"); each number in one is the count of the notes it cites;
- ``strengths`` / ``growth``: the three competencies with the most strength
  (growth) evidence, one sentence each from the earliest and the latest of
  those notes, so the period's start weighs as much as its end;
- ``competency:<id>``: one per competency with evidence, its notes taken
  strengths first, then growth areas, oldest first, two to a sentence;
- ``other``: notes with neither a tag nor a suggestion.

When the model's sentence for two notes is replaced by the first note's
own words, the second note gets its own words too, so no evidence drops out
of a competency section because of the model.

Stopping: the stop flag is checked before every sentence. A stopped draft
is returned with the sections finished before the stop (the one in
progress is left out) — it is what the window has already shown; no
exception is raised.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..assist.grounding import check_sentence, fallback_sentence
from ..errors import NotFound
from ..llm.engine import Engine, StopFlag
from .body import FROM_APP, FROM_NOTE, REVIEW, Body, Section, Statement, Verdict
from .evidence import (
    GROWTH, STRENGTH, SUGGEST_TEMPLATE, EvidenceBrief, EvidenceNote, build_brief,
    suggest_competencies,
)
from .versions import with_language_checks
from .wording import SENTENCE_TEMPLATE, word_sentence

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary

TOP_COMPETENCIES = 3
NOTES_PER_SENTENCE = 2
REGENERATE_TEMPERATURE = 0.7
TITLES = {"summary": "Summary", "strengths": "Strengths", "growth": "Growth areas",
          "other": "Other evidence"}
OTHER_THEME = "their work"


class _Stopped(Exception):
    """The stop flag was set while a section was being written."""


@dataclass
class _Writer:
    """Everything a section needs: the brief, the model, and the verdicts so far."""

    brief: EvidenceBrief
    engine: Engine
    library: PromptLibrary
    other_people: tuple[str, ...]
    stop: StopFlag | None = None
    temperature: float = 0.0
    seed: int | None = None
    verdicts: list[Verdict] = field(default_factory=list)

    def statements(self, key: str, theme: str, notes: Sequence[EvidenceNote], *,
                   complete: bool) -> list[Statement]:
        """One sentence for ``notes``; with ``complete``, every note not cited gets its own words."""
        if self.stop is not None and self.stop.is_set():
            raise _Stopped
        seed = None if self.seed is None else self.seed + len(self.verdicts)
        statement, verdict = word_sentence(
            self.engine, self.library, person=self.brief.person, competency_name=theme,
            notes=[e.note for e in notes], other_people=self.other_people, section=key,
            stop=self.stop, temperature=self.temperature, seed=seed)
        self.verdicts.append(verdict)
        found = [statement] if statement is not None else []
        cited = {c for s in found for c in s.citations}
        if complete:
            found += [s for e in notes if e.note.id not in cited
                      for s in [self.own_words(e)] if s is not None]
        return found

    def own_words(self, evidence: EvidenceNote) -> Statement | None:
        """The note's own words as a statement, when they pass the checker."""
        first_name = self.brief.person.name.split()[0]
        text = fallback_sentence(evidence.note, person_name=first_name)
        verdict = check_sentence(text, [evidence.note], person_name=self.brief.person.name,
                                 other_people=self.other_people)
        return Statement(text, (evidence.note.id,), FROM_NOTE) if verdict.accepted else None


# ---------------------------------------------------------------- the pipeline

def draft_review(store, engine: Engine, library: PromptLibrary, person_id: str, period_start: str,
                 period_end: str, *, stop: StopFlag | None = None,
                 on_section: Callable[[Section], None] | None = None) -> Body:
    """Brief, competency suggestions, then the sections one by one; NoEvidence for an empty period."""
    brief = build_brief(store, person_id, period_start, period_end)
    if not brief.notes:
        raise brief.no_evidence()
    asked_for_suggestions = bool(brief.untagged)
    brief = suggest_competencies(store, engine, library, brief, stop=stop)
    writer = _Writer(brief, engine, library, _other_people(store, brief), stop)
    sections = []
    for key in section_keys(brief):
        try:
            section = write_section(writer, key)
        except _Stopped:
            break
        sections.append(section)
        if on_section is not None:
            on_section(section)
    templates = (SENTENCE_TEMPLATE, SUGGEST_TEMPLATE) if asked_for_suggestions else (SENTENCE_TEMPLATE,)
    return _assemble(brief, sections, writer.verdicts, engine.model_sha256,
                     tuple((name, library.get(name).version) for name in templates))


def regenerate_section(store, engine: Engine, library: PromptLibrary, body: Body, key: str, *,
                       stop: StopFlag | None = None, seed: int | None = None) -> Body:
    """``body`` with only section ``key`` written again, from the evidence as it is now.

    Sampling uses ``REGENERATE_TEMPERATURE`` and a fresh ``seed`` (random
    unless given) so the wording can change; the other sections are the
    same objects, byte for byte. The section's verdicts are replaced.
    A stop leaves ``body`` as it was.
    """
    if body.section(key) is None:
        known = ", ".join(s.key for s in body.sections) or "none"
        raise NotFound(f"This draft has no section {key!r} (its sections: {known})")
    brief = build_brief(store, body.person_id, body.period_start, body.period_end)
    writer = _Writer(brief, engine, library, _other_people(store, brief), stop,
                     temperature=REGENERATE_TEMPERATURE,
                     seed=seed if seed is not None else random.SystemRandom().randrange(2, 2**31))
    try:
        section = write_section(writer, key)
    except _Stopped:
        return body
    updated = body.with_section(section)
    grounding = tuple(v for v in body.grounding if v.section != key) + tuple(writer.verdicts)
    used = (SENTENCE_TEMPLATE, library.get(SENTENCE_TEMPLATE).version)
    prompts = tuple(dict.fromkeys((*body.prompts, used)))
    return _finished(replace(updated, grounding=grounding, prompts=prompts), brief)


def section_keys(brief: EvidenceBrief) -> list[str]:
    """The sections the brief has evidence for, in reading order."""
    keys = ["summary"]
    keys += [k for k, polarity in (("strengths", STRENGTH), ("growth", GROWTH))
             if _ranked(brief, polarity)]
    keys += [f"competency:{c.id}" for c in brief.competencies if _notes_of(brief, c.id)]
    if brief.unplaced:
        keys.append("other")
    return keys


def write_section(writer: _Writer, key: str) -> Section:
    if key == "summary":
        return _summary(writer.brief)
    if key in ("strengths", "growth"):
        return _overview(writer, key, STRENGTH if key == "strengths" else GROWTH)
    if key == "other":
        return _sentences(writer, key, TITLES["other"], OTHER_THEME, list(writer.brief.unplaced))
    competency = writer.brief.competency(key.removeprefix("competency:"))
    if not key.startswith("competency:") or competency is None:
        raise NotFound(f"No evidence section {key!r} for {writer.brief.person.name} in this period")
    groups = writer.brief.group(competency.id)
    return replace(_sentences(writer, key, competency.name, competency.name,
                              groups[STRENGTH] + groups[GROWTH]), competency_id=competency.id)


# ---------------------------------------------------------------- sections

def _summary(brief: EvidenceBrief) -> Section:
    """Counts only; every number in a statement is the number of notes it cites."""
    name, notes = brief.person.name, brief.notes
    statements = [_counted(notes, "note on {name} in this period is evidence for this review",
                           "notes on {name} in this period are evidence for this review", name)]
    for polarity, one, many in ((STRENGTH, "note shows a strength", "notes show strengths"),
                                (GROWTH, "note shows a growth area", "notes show growth areas")):
        chosen = [e for e in notes if e.polarity == polarity]
        if chosen:
            statements.append(_counted(chosen, one, many, name))
    ranked = sorted(((len(_notes_of(brief, c.id)), i, c) for i, c in enumerate(brief.competencies)),
                    key=lambda t: (-t[0], t[1]))
    for count, _, competency in ranked[:TOP_COMPETENCIES]:
        if count:
            statements.append(_counted(_notes_of(brief, competency.id),
                                       f"note is evidence of {competency.name}",
                                       f"notes are evidence of {competency.name}", name))
    return Section("summary", TITLES["summary"], tuple(statements))


def _counted(notes: Sequence[EvidenceNote], one: str, many: str, name: str) -> Statement:
    wording = (one if len(notes) == 1 else many).format(name=name)
    return Statement(f"{len(notes)} {wording}.", tuple(e.note.id for e in notes), FROM_APP)


def _overview(writer: _Writer, key: str, polarity: str) -> Section:
    """The earliest and latest note of each top competency; a note tagged with two of them
    is worded once, so the overview never says the same thing twice."""
    statements, used = [], set()
    for competency, notes in _ranked(writer.brief, polarity)[:TOP_COMPETENCIES]:
        fresh = [e for e in notes if e.note.id not in used]
        chosen = [fresh[0], fresh[-1]] if len(fresh) > 1 else fresh
        if chosen:
            used.update(e.note.id for e in chosen)
            statements += writer.statements(key, competency.name, chosen, complete=False)
    return Section(key, TITLES[key], tuple(statements))


def _sentences(writer: _Writer, key: str, title: str, theme: str,
               notes: Sequence[EvidenceNote]) -> Section:
    statements = []
    for start in range(0, len(notes), NOTES_PER_SENTENCE):
        chunk = notes[start:start + NOTES_PER_SENTENCE]
        statements += writer.statements(key, theme, chunk, complete=True)
    return Section(key, title, tuple(statements))


def _ranked(brief: EvidenceBrief, polarity: str):
    """(competency, its notes of that polarity), most notes first, framework order on ties."""
    found = [(c, brief.group(c.id)[polarity]) for c in brief.competencies]
    return [(c, notes) for c, notes in sorted(found, key=lambda cn: -len(cn[1])) if notes]


def _notes_of(brief: EvidenceBrief, competency_id: str) -> list[EvidenceNote]:
    groups = brief.group(competency_id)
    return sorted(groups[STRENGTH] + groups[GROWTH], key=lambda e: e.note.date)


# ---------------------------------------------------------------- the body

def _other_people(store, brief: EvidenceBrief) -> tuple[str, ...]:
    """Everyone else in the store, archived included: names a sentence must not borrow."""
    return tuple(p.name for p in store.people.list(include_archived=True) if p.id != brief.person.id)


def _assemble(brief: EvidenceBrief, sections: Sequence[Section], verdicts: Sequence[Verdict],
              model_sha256: str, prompts: tuple[tuple[str, str], ...]) -> Body:
    body = Body(kind=REVIEW, person_id=brief.person.id, person_name=brief.person.name,
                period_start=brief.period_start, period_end=brief.period_end,
                sections=tuple(sections), coverage=brief.coverage, grounding=tuple(verdicts),
                excluded=brief.excluded, model_sha256=model_sha256, prompts=prompts)
    return _finished(body, brief)


def _finished(body: Body, brief: EvidenceBrief) -> Body:
    """Sources of every citation and the language findings, from the sections as they are."""
    dates = {k: v.get("date") for k, v in body.sources.items()}
    dates.update({e.note.id: e.note.date for e in brief.notes})
    sources = {cid: {"type": "note", "date": dates.get(cid), "title": None}
               for statement in body.statements() for cid in statement.citations}
    return with_language_checks(replace(body, sources=dict(sorted(sources.items()))), set())
