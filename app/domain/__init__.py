"""Plain records and rules of the manager's world, with no I/O."""

from .dates import parse_date, today_iso
from .records import (
    ACTION_OWNERS,
    GOAL_STATUSES,
    NOTE_KINDS,
    ActionItem,
    AgendaItem,
    Competency,
    Draft,
    DraftVersion,
    Goal,
    Meeting,
    Note,
    Person,
    ReviewCycle,
    SearchHit,
)

__all__ = [
    "ACTION_OWNERS", "GOAL_STATUSES", "NOTE_KINDS", "ActionItem", "AgendaItem",
    "Competency", "Draft", "DraftVersion", "Goal", "Meeting", "Note", "Person",
    "ReviewCycle", "SearchHit", "parse_date", "today_iso",
]
