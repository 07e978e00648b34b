"""A review draft for one person and period: a review a manager would sign.

The app writes the review; the model may only reword it. In order:

1. the evidence brief (``build_brief``): the person's notes in the period,
   personal notes and instruction-like notes left out, tagged with the
   competencies the manager confirmed;
2. every note read part by part (``reading``, ``points``): strengths,
   growth areas, aspirations, context; personal details left out even
   inside work notes, each with a reason the manager sees;
3. arcs (``arcs``): a concern and the later evidence it was acted on;
4. the sections (``summary``, ``compose``): ``summary`` (three to five
   sentences), ``strengths``, ``growth``, ``aspirations``, ``other`` —
   each note's content once, each sentence citing its notes and labelled
   with their competencies, in the third person;
5. the model's rewording (``rewording``), kept only where its sentence
   passes the checks; otherwise the app's sentence stands.

Stopping: the stop flag is checked before every section. A stopped draft
keeps the sections finished before the stop — what the window has shown.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import NotFound
from ..llm.engine import Engine, StopFlag
from .body import REVIEW, Body, Section
from .compose import BODY_KEYS, Writing, body_sections, section_for, writing_for
from .evidence import EvidenceBrief, build_brief
from .meaning import draft_findings
from .model_fit import fit_for
from .rewording import REWORD_TEMPLATE, Rewording
from .summary import summary_section
from .versions import with_language_checks

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary

REGENERATE_TEMPERATURE = 0.7
SECTION_KEYS = ("summary", *BODY_KEYS)


def draft_review(store, engine: Engine, library: PromptLibrary, person_id: str, period_start: str,
                 period_end: str, *, stop: StopFlag | None = None,
                 on_section: Callable[[Section], None] | None = None,
                 on_progress: Callable[[str], None] | None = None) -> Body:
    """The review draft; ``NoEvidence`` for a period with no usable notes. ``on_section``
    receives each section when it is done; ``on_progress`` hears what is being written now
    ("Writing Strengths (2 of 5)…"), sentence by sentence when the model is asked."""
    brief = build_brief(store, person_id, period_start, period_end)
    if not brief.notes:
        raise brief.no_evidence()
    writing, left_out = writing_for(store, brief)
    rewording = _rewording(store, engine, library, brief, writing, stop)
    planned = [summary_section(writing, period_start, period_end), *body_sections(writing)]
    sections = []
    for number, section in enumerate(planned, start=1):
        if stop is not None and stop.is_set():
            break
        step = section_step(section, number, len(planned), on_progress)
        section = rewording.section(section, step=step, on_progress=on_progress)
        sections.append(section)
        if on_section is not None:
            on_section(section)
    return _assemble(brief, sections, rewording, left_out, engine.model_sha256, library)


def section_step(section: Section, number: int, total: int,
                 on_progress: Callable[[str], None] | None) -> str:
    """Say which section is being written, and return how to name that step."""
    step = f"Writing {section.title} ({number} of {total})"
    if on_progress is not None:
        on_progress(f"{step}…")
    return step


def regenerate_section(store, engine: Engine, library: PromptLibrary, body: Body, key: str, *,
                       stop: StopFlag | None = None, seed: int | None = None) -> Body:
    """``body`` with only section ``key`` written again, from the evidence as it is now.

    The app writes the section afresh; the model rewords it at
    ``REGENERATE_TEMPERATURE`` with a fresh ``seed`` (random unless given),
    so the wording can change where its sentences pass. The other sections
    are the same objects. A stop leaves ``body`` as it was.
    """
    if body.section(key) is None:
        known = ", ".join(s.key for s in body.sections) or "none"
        raise NotFound(f"This draft has no section {key!r} (its sections: {known})")
    brief = build_brief(store, body.person_id, body.period_start, body.period_end)
    writing, left_out = writing_for(store, brief)
    rewording = _rewording(store, engine, library, brief, writing, stop)
    rewording.temperature = REGENERATE_TEMPERATURE
    rewording.seed = seed if seed is not None else random.SystemRandom().randrange(2, 2**31)
    fresh = (summary_section(writing, body.period_start, body.period_end) if key == "summary"
             else section_for(writing, key))
    section = rewording.section(fresh)
    if stop is not None and stop.is_set():
        return body
    grounding = tuple(v for v in body.grounding if v.section != key) + tuple(rewording.verdicts)
    prompts = tuple(dict.fromkeys((*body.prompts, *_prompts(library, rewording))))
    updated = replace(body.with_section(section), grounding=grounding, prompts=prompts)
    return _finished(updated, brief, rewording)


def _rewording(store, engine: Engine, library: PromptLibrary, brief: EvidenceBrief,
               writing: Writing, stop: StopFlag | None) -> Rewording:
    others = tuple(p.name for p in store.people.list(include_archived=True)
                   if p.id != brief.person.id)
    notes = {e.note.id: e.note for e in brief.notes}
    fit = fit_for(getattr(store, "home", None), getattr(engine, "model_sha256", ""))
    return Rewording(engine, library, writing.subject, notes, others, stop,
                     known=tuple(c.name for c in brief.competencies),
                     measured_share=None if fit is None else fit.share)


def _prompts(library: PromptLibrary, rewording: Rewording) -> tuple[tuple[str, str], ...]:
    return ((REWORD_TEMPLATE, library.get(REWORD_TEMPLATE).version),) if rewording.verdicts else ()


def _assemble(brief: EvidenceBrief, sections: Sequence[Section], rewording: Rewording,
              left_out: Sequence[dict], model_sha256: str, library: PromptLibrary) -> Body:
    body = Body(kind=REVIEW, person_id=brief.person.id, person_name=brief.person.name,
                period_start=brief.period_start, period_end=brief.period_end,
                sections=tuple(sections),
                coverage=brief.drafting_coverage(rewording.too_long_warnings()),
                grounding=tuple(rewording.verdicts), excluded=(*brief.excluded, *left_out),
                model_sha256=model_sha256, prompts=_prompts(library, rewording))
    return _finished(body, brief, rewording)


def _finished(body: Body, brief: EvidenceBrief, rewording: Rewording) -> Body:
    """Sources of every citation, the meaning checks and the language findings, from the
    sections as they are."""
    dates = {k: v.get("date") for k, v in body.sources.items()}
    dates.update({e.note.id: e.note.date for e in brief.notes})
    sources = {cid: {"type": "note", "date": dates.get(cid), "title": None}
               for statement in body.statements() for cid in statement.citations}
    meaning = draft_findings(body.sections, rewording.notes, rewording.subject,
                             rewording.other_people, rewording.known)
    body = replace(body, sources=dict(sorted(sources.items())), meaning=meaning)
    return with_language_checks(body, set())
