"""Typed change notices: what changed, and for whom.

Why this module exists: change notices were free strings, so a widget could
listen for "frameworks" while the framework import said "competencies", and
nothing noticed. Now a widget sends ``session.changed(Change.NOTES,
person_id=…)`` and listens with ``session.listen(handler, Change.NOTES, …)``;
``tests/test_ui_notices.py`` fails on a notice listened for that nothing
sends, or one sent that nobody hears.
"""

import enum
from dataclasses import dataclass


class Change(enum.Enum):
    PEOPLE = "people"              # added, edited, archived
    NOTES = "notes"                # saved, edited, trashed, restored, a meeting's notes
    SAMPLE = "sample"              # the sample team loaded or removed
    COMPETENCIES = "competencies"  # a framework imported
    CYCLES = "cycles"              # a review cycle added
    DRAFTS = "drafts"              # a draft version saved or marked final
    GOALS = "goals"                # a goal added or updated
    AGENDA = "agenda"              # a 1:1 agenda point answered, ticked or moved
    ACTIONS = "actions"            # an action added in a meeting
    MEETINGS = "meetings"          # a 1:1 started
    SETTINGS = "settings"          # settings saved


@dataclass(frozen=True)
class Notice:
    what: Change
    person_id: str | None = None   # whose data changed; None: anyone's, or not about a person

    def concerns(self, person_id: str | None) -> bool:
        """Whether a view of ``person_id`` should reload for this notice."""
        return self.person_id is None or person_id is None or self.person_id == person_id
