"""The evidence brief: what a person's notes in a review period can support.

Before anything is drafted, the app decides which notes are evidence and
how they group, without the model: the person's notes in the period,
grouped by competency (the manager's tags, plus the model's pending
suggestions for untagged notes) and by whether each shows a strength or a
growth area. The brief also maps how the evidence is spread over months
and competencies, and says in words where it is thin or leans on recent
months, so a manager sees a lopsided review coming before it is written.
The competencies are the ones in force for the person
(``frameworks.competencies_in_force``: the team's own unless the manager
chose a framework); reading them never changes one.

Left out, each with a reason the manager sees:

- personal notes (health, family …) are never used in a review;
- notes that read as instructions to the assistant (``instructions``),
  so a note cannot change what the draft says about anything else.

Polarity: what the note mostly shows, read part by part the way the draft
reads it (``reading``): a growth area when any part is one (a concern is
never a strength), else a strength, else a wish ("aspiration"), else
context. So the brief in the window and the draft agree on every note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..assist.digest import ask_json
from ..domain.dates import MONTH_NAMES, parse_date
from ..domain.records import Competency, Note, Person
from ..errors import InvalidInput
from ..llm.engine import Engine, StopFlag
from ..llm.structured import StructuredOutputError
from .body import Coverage
from .frameworks import competencies_in_force
from .instructions import exclusion_reason
from .reading import ASPIRATION, CONTEXT, GROWTH, STRENGTH, read_note, shareable_text
from .phrase import Subject

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary

POLARITIES = (STRENGTH, GROWTH, ASPIRATION, CONTEXT)
SUGGEST_TEMPLATE = "suggest_competencies"
SUGGEST_TOKENS = 60
UNTAGGED_ID, UNTAGGED_NAME = "", "No competency"
PERSONAL_REASON = "Left out of the evidence: personal notes are never used in reviews."
RECENT_SHARE_WARNING = 0.5



class NoEvidence(InvalidInput):
    """A review period with no usable notes on the person: nothing to draft from."""


@dataclass(frozen=True)
class EvidenceNote:
    """One note used as evidence: the manager's tags, the model's pending suggestions, polarity."""

    note: Note
    competency_ids: tuple[str, ...]
    suggested: tuple[str, ...]
    polarity: str

    @property
    def all_competencies(self) -> tuple[str, ...]:
        """Tags first, then suggestions not already tags."""
        return self.competency_ids + tuple(c for c in self.suggested if c not in self.competency_ids)


@dataclass(frozen=True)
class EvidenceBrief:
    """A person's evidence for a period, as the draft and the window use it."""

    person: Person
    period_start: str
    period_end: str
    competencies: tuple[Competency, ...]
    notes: tuple[EvidenceNote, ...]
    excluded: tuple[dict, ...]
    coverage: Coverage
    in_force: tuple[str, ...] = ()  # ids of the person's framework's (or team's) competencies

    def group(self, competency_id: str) -> dict[str, list[EvidenceNote]]:
        """The notes tagged or suggested with a competency, by polarity, oldest first."""
        groups: dict[str, list[EvidenceNote]] = {p: [] for p in POLARITIES}
        for evidence in self.notes:
            if competency_id in evidence.all_competencies:
                groups[evidence.polarity].append(evidence)
        return groups

    @property
    def untagged(self) -> tuple[EvidenceNote, ...]:
        """Notes the manager did not tag (they may carry model suggestions)."""
        return tuple(e for e in self.notes if not e.competency_ids)

    @property
    def unplaced(self) -> tuple[EvidenceNote, ...]:
        """Notes with neither a tag nor a pending suggestion."""
        return tuple(e for e in self.notes if not e.all_competencies)

    @property
    def waiting(self) -> tuple[EvidenceNote, ...]:
        """Untagged notes whose model suggestions wait for the manager to confirm or dismiss."""
        return waiting_for_the_manager(self.notes)

    def drafting_coverage(self, more: tuple[str, ...] = ()) -> Coverage:
        """The coverage a draft states: the manager's own tags only, a line saying how many
        notes wait for a suggested competency to be confirmed, then ``more`` lines."""
        confirmed = tuple(replace(e, suggested=()) for e in self.notes)
        coverage = with_waiting(coverage_of(confirmed, self.confirmed_competencies,
                                            self.period_start, self.period_end), self.notes)
        return replace(coverage, warnings=(*coverage.warnings, *more)) if more else coverage

    @property
    def confirmed_competencies(self) -> tuple[Competency, ...]:
        """The brief's competencies without those in it only because the model suggested them."""
        tagged = {cid for e in self.notes for cid in e.competency_ids}
        suggested_only = {cid for e in self.notes for cid in e.suggested} - tagged - set(self.in_force)
        return tuple(c for c in self.competencies if c.id not in suggested_only)

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)

    def note(self, note_id: str) -> EvidenceNote | None:
        return next((e for e in self.notes if e.note.id == note_id), None)

    def no_evidence(self) -> NoEvidence:
        """The error for a draft asked of this brief when it holds no notes."""
        left_out = (f" ({len(self.excluded)} left out: personal or instruction-like)"
                    if self.excluded else "")
        return NoEvidence(f"No notes on {self.person.name} between {self.period_start} and "
                          f"{self.period_end}{left_out}: nothing to draft from")


def polarity(note: Note, person_name: str = "the person") -> str:
    """What the note mostly shows, by the rule in the module docstring."""
    labels = {r.label for r in read_note(note, Subject(person_name))}
    return next((p for p in (GROWTH, STRENGTH, ASPIRATION) if p in labels), CONTEXT)


def build_brief(store, person_id: str, period_start: str, period_end: str) -> EvidenceBrief:
    """The brief from the store alone (no model); pending suggestions are included."""
    person = store.people.get(person_id)
    _check_period(period_start, period_end)
    notes = store.notes.in_period(person_id, period_start, period_end)
    kept, excluded = _sort_out(notes)
    pending = store.suggestions.pending([n.id for n in kept if not n.competencies])
    evidence = tuple(EvidenceNote(n, n.competencies, pending.get(n.id, ()), polarity(n, person.name))
                     for n in kept)
    in_force = competencies_in_force(store, person).competencies
    competencies = _competencies(store, in_force, evidence)
    return EvidenceBrief(person, period_start, period_end, competencies, evidence, excluded,
                         with_waiting(coverage_of(evidence, competencies, period_start, period_end),
                                      evidence), tuple(c.id for c in in_force))


def waiting_for_the_manager(evidence: Sequence[EvidenceNote]) -> tuple[EvidenceNote, ...]:
    """Untagged notes whose model suggestions wait for the manager to confirm or dismiss."""
    return tuple(e for e in evidence if not e.competency_ids and e.suggested)


def with_waiting(coverage: Coverage, evidence: Sequence[EvidenceNote]) -> Coverage:
    """The coverage with a line saying how many notes wait for a suggestion to be confirmed."""
    waiting = len(waiting_for_the_manager(evidence))
    if not waiting:
        return coverage
    line = (f"{waiting} {'note has' if waiting == 1 else 'notes have'} a suggested competency "
            "waiting for you to confirm or dismiss; until then "
            f"{'it is' if waiting == 1 else 'they are'} not filed under one in drafts and plans")
    return replace(coverage, warnings=(*coverage.warnings, line))


def _check_period(period_start: str, period_end: str) -> None:
    parse_date(period_start, where="from")
    parse_date(period_end, where="to")
    if period_start > period_end:
        raise InvalidInput(f"The period starts ({period_start}) after it ends ({period_end})")


def _sort_out(notes: Sequence[Note]) -> tuple[list[Note], tuple[dict, ...]]:
    kept, excluded = [], []
    for note in notes:
        reason = PERSONAL_REASON if note.kind == "personal" else exclusion_reason(note.text or "")
        if reason:
            excluded.append({"id": note.id, "reason": reason})
        else:
            kept.append(note)
    return kept, tuple(excluded)


def _competencies(store, in_force: Sequence[Competency],
                  evidence: Sequence[EvidenceNote]) -> tuple[Competency, ...]:
    """The competencies in force for the person, then any other one a note is tagged or
    suggested with; so the coverage names as without evidence only those that apply."""
    chosen = list(in_force)
    used = {cid for e in evidence for cid in e.all_competencies}
    known = {c.id for c in chosen}
    chosen += [c for c in store.competencies.list() if c.id in used and c.id not in known]
    return tuple(chosen)


# ---------------------------------------------------------------- coverage

def coverage_of(evidence: Sequence[EvidenceNote], competencies: Sequence[Competency],
                period_start: str, period_end: str) -> Coverage:
    """Notes per month × competency (suggestions included), gaps and the recency check."""
    months = _months(period_start, period_end)
    columns = (*((c.id, c.name) for c in competencies), (UNTAGGED_ID, UNTAGGED_NAME))
    counts = [[0] * len(columns) for _ in months]
    index = {cid: j for j, (cid, _) in enumerate(columns)}
    for e in evidence:
        row = counts[months.index(e.note.date[:7])]
        for cid in e.all_competencies or (UNTAGGED_ID,):
            row[index[cid]] += 1
    empty = tuple(m for m in months if not any(e.note.date.startswith(m) for e in evidence))
    without = tuple(cid for cid, _ in columns[:-1] if not any(row[index[cid]] for row in counts))
    share, recent_label = _recent_share(evidence, period_start, period_end)
    names = dict(columns)
    return Coverage(months, columns, tuple(tuple(r) for r in counts), empty, without, share,
                    _warnings(empty, [names[c] for c in without], share, recent_label))


def _months(period_start: str, period_end: str) -> tuple[str, ...]:
    year, month = int(period_start[:4]), int(period_start[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= period_end[:7]:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def recent_start(period_start: str, period_end: str) -> date:
    """The first day of the period's last quarter (by days)."""
    start, end = date.fromisoformat(period_start), date.fromisoformat(period_end)
    days = (end - start).days + 1
    return end - timedelta(days=max(days // 4, 1) - 1)


def _recent_share(evidence: Sequence[EvidenceNote], period_start: str,
                  period_end: str) -> tuple[float, str]:
    first = recent_start(period_start, period_end)
    label = _month_span(first, date.fromisoformat(period_end))
    if not evidence:
        return 0.0, label
    recent = sum(1 for e in evidence if date.fromisoformat(e.note.date) >= first)
    return round(recent / len(evidence), 4), label


def _month_span(first: date, last: date) -> str:
    """ "May–June 2026", "June 2026", "December 2025–January 2026"."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{MONTH_NAMES[last.month - 1]} {last.year}"
    head = MONTH_NAMES[first.month - 1] + ("" if first.year == last.year else f" {first.year}")
    return f"{head}\u2013{MONTH_NAMES[last.month - 1]} {last.year}"


def month_name(month: str) -> str:
    """ "2026-03" → "March 2026"."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def _warnings(empty_months: Sequence[str], without_names: Sequence[str], share: float,
              recent_label: str) -> tuple[str, ...]:
    warnings = [f"No notes in {month_name(m)}" for m in empty_months]
    warnings += [f"No evidence for {name}" for name in without_names]
    if share > RECENT_SHARE_WARNING:
        warnings.append(f"{round(share * 100)}% of the evidence is from the last quarter of the "
                        f"period ({recent_label}): the draft would lean on recent months")
    return tuple(warnings)


# ---------------------------------------------------------------- suggestions

def suggest_competencies(store, engine: Engine, library: PromptLibrary, brief: EvidenceBrief, *,
                         stop: StopFlag | None = None) -> EvidenceBrief:
    """Ask the model about each untagged note not asked before; the brief with the suggestions.

    The reply is constrained to the competencies' ids and checked again
    here: an id that is not one of them is thrown away. Suggestions are
    saved with the model's sha256, pending until the manager confirms or
    dismisses them. A note the model finds no competency for keeps none
    and is asked again next time. Stopping ends the questions; what was
    saved stays.
    """
    choices = [{"id": c.id, "name": c.name, "description": c.description}
               for c in brief.competencies]
    if not choices:
        return brief
    valid = {c["id"] for c in choices}
    for evidence in brief.untagged:
        if stop is not None and stop.is_set():
            break
        if evidence.suggested or store.suggestions.asked(evidence.note.id):
            continue
        ids = _suggested_ids(engine, library, evidence.note, choices, valid, stop)
        if ids:
            store.suggestions.save(evidence.note.id, ids, model_sha256=engine.model_sha256)
    return _with_pending(store, brief)


def _suggested_ids(engine: Engine, library: PromptLibrary, note: Note, choices: list[dict],
                   valid: set[str], stop: StopFlag | None) -> list[str]:
    text = shareable_text(note)  # no personal sentence reaches a prompt
    if not text:
        return []
    prompt = library.render(SUGGEST_TEMPLATE, note={"id": note.id, "date": note.date, "text": text},
                            competencies=choices)
    try:
        reply = ask_json(engine, prompt, SUGGEST_TOKENS, stop=stop)
    except StructuredOutputError:
        return []
    ids = (reply or {}).get("competency_ids", [])
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i in valid))


def _with_pending(store, brief: EvidenceBrief) -> EvidenceBrief:
    pending = store.suggestions.pending([e.note.id for e in brief.untagged])
    notes = tuple(replace(e, suggested=pending.get(e.note.id, ())) if not e.competency_ids else e
                  for e in brief.notes)
    competencies = _competencies(store, competencies_in_force(store, brief.person).competencies,
                                 notes)
    coverage = with_waiting(coverage_of(notes, competencies, brief.period_start,
                                        brief.period_end), notes)
    return replace(brief, notes=notes, competencies=competencies, coverage=coverage)
