"""The timeline's undoable changes to a note: each one a command on the window's undo stack.

A command keeps only what undo needs and forgets it on lock, so no note
text outlives the open store.
"""

from PySide6.QtGui import QUndoCommand

from app.domain.records import Note
from app.errors import NotFound, TrellisError

from .chips import kind_label


class NoteCommand(QUndoCommand):
    """An undoable change to one note, reporting each write (or its problem) to ``on_written``.

    ``on_written(note, problem)`` gets the stored note, or None and a message.
    A command keeps only what undo needs; ``forget()`` drops it, so no note
    text outlives the open store. A write that fails marks the command
    obsolete and the stack discards it.
    """

    def __init__(self, label: str, *, session, note_id: str, on_written):
        super().__init__(label)
        self._session, self._note_id, self._on_written = session, note_id, on_written

    def forget(self) -> None:
        self._session = self._on_written = None

    def _write(self, change) -> None:
        store = self._session.store if self._session is not None else None
        if store is None:
            self.setObsolete(True)
            return
        try:
            note = change(store.notes)
        except NotFound:
            self.setObsolete(True)
            self._on_written(None, "That note was deleted for good, so this cannot be undone.")
        except TrellisError as exc:
            self.setObsolete(True)
            self._on_written(None, str(exc))
        else:
            self._on_written(note, None)


class EditNoteCommand(NoteCommand):
    """Change a note's text, kind, date or competencies; undo puts the old values back."""

    def __init__(self, label: str, *, session, note: Note, changes: dict, on_written):
        super().__init__(label, session=session, note_id=note.id, on_written=on_written)
        self._after = dict(changes)
        self._before = {field: getattr(note, field) for field in changes}

    def redo(self) -> None:
        self._write(lambda notes: notes.update(self._note_id, **self._after))

    def undo(self) -> None:
        self._write(lambda notes: notes.update(self._note_id, **self._before))

    def forget(self) -> None:
        super().forget()
        self._after, self._before = {}, {}


class TrashNoteCommand(NoteCommand):
    """Move a note to the trash; undo restores it."""

    def redo(self) -> None:
        self._write(lambda notes: notes.trash(self._note_id))

    def undo(self) -> None:
        self._write(lambda notes: notes.restore(self._note_id))


def edit_label(changes: dict) -> str:
    """What the Undo menu item says; never the note's text."""
    if len(changes) > 1:
        return "Edit note"
    if "kind" in changes:
        return f"Change kind to {kind_label(changes['kind'])}"
    return {"text": "Edit note text", "date": "Change note date"}.get(
        next(iter(changes)), "Change competencies")
