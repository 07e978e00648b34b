"""The records a manager keeps: people, notes, 1:1s, actions, goals, drafts.

Frozen dataclasses with plain values, so services can hand them to the
command line and the window without either touching the database.
"""

from dataclasses import dataclass, field

NOTE_KINDS = (
    "observation", "praise", "concern", "feedback_given", "one_on_one",
    "personal", "other",
)
NOTE_KIND_LABELS = {
    "observation": "Observation", "praise": "Praise", "concern": "Concern",
    "feedback_given": "Feedback given", "one_on_one": "1:1", "personal": "Personal",
    "other": "Other",
}
"""How the window's chips (and the command line) name each kind."""
MAX_NOTE_CHARS = 20_000
"""The longest note Trellis keeps (about 3,500 words). Longer text is refused with a sentence:
a 5 MB note once made search take 23 s and could never fit a model's context."""
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
    included: tuple[str, ...] = ()  # sensitive sentences the manager chose to let into drafts


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One point on a 1:1's agenda; ``id`` and the links are set once it is stored.

    ``origin_id`` is the first agenda item of a carried-over thread (None on
    that first item); ``citations`` are the exchange ids it came from.
    """

    text: str
    owner: str
    done: bool = False
    dropped: bool = False
    source: str = "manual"
    citations: tuple[str, ...] = ()
    id: int | None = None
    origin_id: int | None = None
    action_id: str | None = None
    goal_id: str | None = None

    @property
    def status(self) -> str:
        return "dropped" if self.dropped else "done" if self.done else "open"


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str
    person_id: str
    date: str
    notes: str = ""
    agenda: tuple[AgendaItem, ...] = ()
    template: str | None = None
    ended_at: str | None = None     # when the manager pressed "End 1:1" (UTC); None while it runs

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


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
    description: str = ""


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


# --- 1:1s that carry over ------------------------------------------------------

CADENCES = ("weekly", "fortnightly", "monthly", "none")
AGENDA_STATUSES = ("open", "done", "dropped")
AGENDA_SOURCES = ("carried_over", "action", "goal", "suggested", "template", "manual")


@dataclass(frozen=True, slots=True)
class GoalUpdate:
    """A dated entry in a goal's history: what happened, and the status it left."""

    id: int
    goal_id: str
    date: str
    text: str
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often a manager meets a report, and when the next 1:1 is due."""

    person_id: str
    cadence: str = "none"
    next_date: str | None = None
    set_on: str | None = None


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """A point proposed for the next 1:1, before it is stored on a meeting.

    ``citations`` are exchange ids (meetings, actions, goals, notes) it came
    from; the links say which record starting the meeting should tie it to.
    """

    text: str
    owner: str
    source: str
    citations: tuple[str, ...] = ()
    origin_id: int | None = None
    action_id: str | None = None
    goal_id: str | None = None
    suggestion_key: str | None = None


@dataclass(frozen=True, slots=True)
class TopicSuggestion:
    """A topic the model worded from a note, goal or action; the manager accepts or dismisses it."""

    person_id: str
    key: str               # what it came from: "note:ID", "goal:ID" or "action:ID"
    text: str
    citations: tuple[str, ...]
    wording: str           # "model" or "fallback" (the record's own words)
    state: str = "suggested"
    meeting_id: str | None = None
