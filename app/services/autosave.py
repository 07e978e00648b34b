"""Text the manager typed but has not saved, kept in the encrypted store.

The window writes each open editor's text here every few seconds; saving
or cancelling discards it. After a crash the next start finds it and
offers it back. It lives in the database, so it is encrypted like notes.
"""

import json
from dataclasses import dataclass

from ..domain.dates import now_utc


@dataclass(frozen=True)
class UnsavedText:
    slot: str          # which editor: "capture", "note:n-12" …
    text: str
    context: dict      # what the editor was for (person, kind, date …)
    saved_at: str


class Autosaves:
    def __init__(self, store):
        self._db = store.db

    def keep(self, slot: str, text: str, context: dict | None = None) -> None:
        """Remember ``text`` for ``slot``; empty text forgets it."""
        if not text.strip():
            self.discard(slot)
            return
        with self._db.atomic():
            self._db.execute(
                "INSERT INTO autosaves (slot, text, context, saved_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (slot) DO UPDATE SET text = excluded.text, "
                "context = excluded.context, saved_at = excluded.saved_at",
                [slot, text, json.dumps(context or {}), now_utc()])

    def discard(self, slot: str) -> None:
        with self._db.atomic():
            self._db.execute("DELETE FROM autosaves WHERE slot = ?", [slot])

    def pending(self) -> list[UnsavedText]:
        rows = self._db.execute("SELECT slot, text, context, saved_at FROM autosaves ORDER BY saved_at")
        return [UnsavedText(slot, text, json.loads(context), at) for slot, text, context, at in rows]
