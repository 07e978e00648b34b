"""The records a manager keeps: people, notes, 1:1s, actions, goals, drafts.

Frozen dataclasses with plain values, so services can hand them to the
command line and the window without either touching the database.
"""

from dataclasses import dataclass, field

NOTE_KINDS = (
    "observation", "praise", "concern", "feedback_given", "one_on_one",
    "personal", "other",
)
ACTION_OWNERS = ("manager", "report")
GOAL_STATUSES = ("on_track", "at_risk", "done", "dropped")
DRAFT_KINDS = ("review", "plan")
CYCLE_STATUSES = ("not_started", "drafting", "final")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    role: str | None = None
    level: str | None = None
    start_date: str | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Competency:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    person_id: str
    date: str
    kind: str
    text: str
    competencies: tuple[str, ...] = ()
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class AgendaItem:
    text: str
    owner: str
    done: bool = False


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str
    person_id: str
    date: str
    notes: str = ""
    agenda: tuple[AgendaItem, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionItem:
    id: str
    person_id: str
    text: str
    owner: str
    meeting_id: str | None = None
    due: str | None = None
    done: bool = False


@dataclass(frozen=True, slots=True)
class Goal:
    id: str
    person_id: str
    title: str
    status: str
    due: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewCycle:
    id: str
    name: str
    period_start: str
    period_end: str
    due: str | None = None


@dataclass(frozen=True, slots=True)
class DraftVersion:
    draft_id: str
    version: int
    body: dict
    model_sha256: str
    prompts: tuple[tuple[str, str], ...]
    created_at: str


@dataclass(frozen=True, slots=True)
class Draft:
    id: str
    kind: str
    person_id: str
    period_start: str | None
    period_end: str | None
    cycle_id: str | None = None
    versions: tuple[DraftVersion, ...] = field(default=())
    final_version: int | None = None

    @property
    def latest(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def is_final(self) -> bool:
        return self.final_version is not None


@dataclass(frozen=True, slots=True)
class FrameworkCompetency:
    """A competency as a framework defines it, with what good looks like at each level."""

    id: str
    name: str
    description: str = ""
    expectations: tuple[tuple[str, str], ...] = ()  # (level, expectation), in level order

    def expectation(self, level: str | None) -> str | None:
        return dict(self.expectations).get(level) if level else None


@dataclass(frozen=True, slots=True)
class Framework:
    """A competency framework: its levels, lowest first, and its competencies."""

    id: str
    name: str
    levels: tuple[str, ...]
    competencies: tuple[FrameworkCompetency, ...]
    source: str = ""

    def next_level(self, level: str | None) -> str | None:
        """The level above ``level``; the lowest level when ``level`` is unknown; None at the top."""
        if level not in self.levels:
            return self.levels[0] if self.levels else None
        index = self.levels.index(level)
        return self.levels[index + 1] if index + 1 < len(self.levels) else None


@dataclass(frozen=True, slots=True)
class SearchHit:
    note_id: str
    person_id: str
    person_name: str
    date: str
    kind: str
    snippet: str
