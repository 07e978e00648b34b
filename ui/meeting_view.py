"""A 1:1 while it happens: the agenda to tick off, the notes, and quick actions, all by keyboard.

Space marks the selected point done (or open again), Delete drops it,
Alt+Up/Alt+Down or dragging moves it: the agenda is a ``MeetingAgendaModel``
whose one move path writes the new order to the store. Each change goes
straight to the store, so a point ticked here closes the thread or action
it came from. The notes are saved a moment after the manager stops typing
and whenever they leave the view; saving writes them to the person's
timeline as a one_on_one note. "Share agenda…" sends the points the
manager picks, never the notes.

"End 1:1" saves the notes, marks the meeting ended and shows what came of
it in place: what was done and dropped, and what carries over to the next
1:1 (its open points and the actions agreed; a template's prompts do not).
"Delete 1:1…" is for a 1:1 started by mistake: the confirmation says what
goes and what stays (``app.services.one_on_ones``), and where deleting
would close or orphan points it says why it cannot instead.
"""

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget)

from app.domain.dates import near_date, short_date, spoken_date
from app.domain.records import ACTION_OWNERS
from app.errors import InvalidInput, NotFound
from app.services.agenda_words import ended_words
from app.services.one_on_ones import (delete_meeting, deletion_of, end_meeting, meeting_summary,
                                      summary_lines)

from .notices import Change
from .agenda_model import OWNER_WORDS, MeetingAgendaModel, StatusRole
from .agenda_share import ShareAgendaDialog, allow_sharing
from .controls import push_button

NOTES_SAVE_DELAY_MS = 1500
SHARE_TIP = "Choose points of this 1:1 and copy or save them as Markdown (never your notes)"
ALT = Qt.KeyboardModifier.AltModifier
# A styled indicator loses the style's own drawing, so both states are drawn here: an empty box
# and a filled green one that stays visible on a selected (highlighted) row.
BIG_CHECKBOXES = (
    "QListView { font-size: 15px; } QListView::item { padding: 5px 2px; } "
    "QListView::indicator { width: 18px; height: 18px; border: 2px solid #6b7280; border-radius: 4px;"
    " background: white; margin-right: 6px; } "
    "QListView::indicator:checked { background: #2e7d32; border-color: #1b5e20; }")
SUMMARY_STYLE = ("QLabel { background: palette(alternate-base); border: 1px solid palette(mid);"
                 " border-radius: 6px; padding: 8px 10px; font-size: 14px; }")


def confirm_deletion(parent, sentences: list[str]) -> bool:
    """Ask before deleting a 1:1, saying what goes and what stays (tests replace this)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Delete this 1:1?")
    box.setText(sentences[0])
    box.setInformativeText(" ".join(sentences[1:]) or "Nothing else changes.")
    delete = box.addButton("Delete 1:1", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is delete


class MeetingView(QWidget):
    sig_closed = Signal()
    """The manager left the meeting view (no arguments)."""

    sig_deleted = Signal(str)
    """The 1:1 on show was deleted. Argument: what happened, fit to show the manager."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._session = session
        self.meeting_id: str | None = None
        self._store = None          # kept so notes typed just before locking are still saved
        self._build()
        session.sig_locked.connect(self.on_locked)

    def _build(self) -> None:
        self.message = QLabel()
        self.message.setAccessibleName("Meeting message")
        self.message.setWordWrap(True)
        self.heading = QLabel()
        self.heading.setAccessibleName("Meeting")
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.agenda_model = MeetingAgendaModel(self._session, self)
        self.agenda_model.sig_agenda_changed.connect(self.on_agenda_changed)
        self.agenda_model.sig_refused.connect(self.message.setText)
        self.agenda = AgendaListView(self.agenda_model)
        self.agenda.installEventFilter(self)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Meeting notes")
        self.notes.setPlaceholderText("What you talked about (private; saved as you type)")
        self.notes.textChanged.connect(self.on_notes_typed)
        self.notes_timer = QTimer(self, singleShot=True, interval=NOTES_SAVE_DELAY_MS)
        self.notes_timer.timeout.connect(self.save_notes)
        self.back = push_button("Back to 1:1s", "Save the notes and return to the list of 1:1s")
        self.back.clicked.connect(self.on_back)
        self.share = push_button("Share agenda…", SHARE_TIP)
        self.share.clicked.connect(self.on_share)
        self.end = push_button("End 1:1", "Save the notes and end the 1:1; what is still open "
                                          "carries over to the next one")
        self.end.clicked.connect(self.on_end)
        self.delete = push_button("Delete 1:1…", "Delete this 1:1 if it was started by mistake "
                                                "(asks first, and keeps your notes)")
        self.delete.clicked.connect(self.on_delete)
        self.summary = QLabel()
        self.summary.setAccessibleName("What came of this 1:1")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.summary.hide()
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.summary, self.agenda, self._action_row(), QLabel("Notes"),
                       self.notes, self.message, _row(self.end, self.back, self.share, self.delete)):
            layout.addWidget(widget)
        layout.setStretchFactor(self.agenda, 2)   # every point in view, even under the summary
        layout.setStretchFactor(self.notes, 1)

    def _action_row(self) -> QWidget:
        self.action_text = QLineEdit()
        self.action_text.setAccessibleName("New action")
        self.action_text.setPlaceholderText("Add action… (Enter adds it)")
        self.action_text.returnPressed.connect(self.on_add_action)
        self.action_owner = QComboBox()
        self.action_owner.setAccessibleName("Action owner")
        for owner in ACTION_OWNERS:
            self.action_owner.addItem(f"Owner: {OWNER_WORDS[owner]}", owner)
        self.action_due = QLineEdit()
        self.action_due.setAccessibleName("Action due date")
        self.action_due.setPlaceholderText("due YYYY-MM-DD (optional)")
        self.action_due.returnPressed.connect(self.on_add_action)
        self.add_action = push_button("Add action", "Add an action item agreed in this 1:1")
        self.add_action.clicked.connect(self.on_add_action)
        return _row(self.action_text, self.action_owner, self.action_due, self.add_action, stretch=False)

    # ------------------------------------------------------------------ showing

    def show_meeting(self, meeting_id: str) -> None:
        """Open the meeting: its agenda, its notes, the keyboard on the first point."""
        self.save_notes()
        meeting = self._session.store.meetings.get(meeting_id)
        person = self._session.store.people.get(meeting.person_id)
        self.meeting_id, self._store = meeting.id, self._session.store
        self.person_name = person.name
        self.notes.blockSignals(True)
        self.notes.setPlainText(meeting.notes)
        self.notes.blockSignals(False)
        self.message.clear()
        self._fill(meeting, row=0)
        self._show_state(meeting)
        self.agenda.setFocus()

    def _show_state(self, meeting) -> None:
        """In progress: "End 1:1" offered. Ended: the heading says so, and what came of it."""
        self.heading.setText(f"1:1 with {self.person_name} on {short_date(meeting.date)}  ·  "
                             f"{ended_words(meeting)}")
        self.end.setVisible(not meeting.ended)
        self.summary.setVisible(meeting.ended)
        if meeting.ended:
            summary = summary_lines(meeting_summary(self._session.store, meeting.id))
            self.summary.setText("\n".join(summary))

    def _fill(self, meeting, *, row: int) -> None:
        self.agenda_model.show(meeting)
        if meeting.agenda:
            self.select_point(max(0, min(row, len(meeting.agenda) - 1)))
        allow_sharing(self.share, tooltip=SHARE_TIP, has_points=bool(meeting.agenda))

    def current_point(self) -> int:
        """The selected point's row (from 0), or -1."""
        index = self.agenda.currentIndex()
        return index.row() if index.isValid() else -1

    def select_point(self, row: int) -> None:
        self.agenda.setCurrentIndex(self.agenda_model.index(row))

    # ------------------------------------------------------------------ the agenda

    def eventFilter(self, watched, event) -> bool:
        if watched is self.agenda and event.type() == QEvent.Type.KeyPress:
            return self._on_agenda_key(event)
        return super().eventFilter(watched, event)

    def _on_agenda_key(self, event) -> bool:
        row, key = self.current_point(), event.key()
        if row < 0 or self.meeting_id is None:
            return False
        if key == Qt.Key.Key_Space and not event.modifiers():
            self.agenda_model.set_status(row, "open" if self._status(row) == "done" else "done")
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.agenda_model.set_status(row, "open" if self._status(row) == "dropped" else "dropped")
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and event.modifiers() & ALT:
            self.agenda_model.move_point(row, -1 if key == Qt.Key.Key_Up else 1)
        else:
            return False
        return True

    def _status(self, row: int) -> str:
        return self.agenda_model.index(row).data(StatusRole)

    def on_agenda_changed(self) -> None:
        meeting = self._session.store.meetings.get(self.meeting_id)
        if meeting.ended:
            self._show_state(meeting)        # the summary follows a late tick
        self._session.changed(Change.AGENDA)

    # ------------------------------------------------------------------ ending and deleting

    def on_end(self) -> None:
        """Save the notes, end the 1:1 and show what came of it."""
        store = self._session.store
        if store is None or self.meeting_id is None:
            return
        self.save_notes()
        summary = end_meeting(store, self.meeting_id)
        self._show_state(summary.meeting)
        self.back.setFocus()
        self._session.changed(Change.MEETINGS, person_id=summary.meeting.person_id)

    def on_delete(self) -> None:
        """Delete a 1:1 started by mistake, after saying what goes and what stays."""
        store = self._session.store
        if store is None or self.meeting_id is None:
            return
        self.save_notes()
        deletion = deletion_of(store, self.meeting_id)
        if deletion.refusal:
            self.message.setText(deletion.refusal)
            return
        if not confirm_deletion(self, deletion.sentences()):
            return
        try:
            delete_meeting(store, self.meeting_id)
        except (InvalidInput, NotFound) as exc:
            self.message.setText(str(exc))
            return
        self.clear()
        self._session.changed(Change.MEETINGS, person_id=deletion.meeting.person_id)
        self.sig_deleted.emit(" ".join(deletion.sentences(done=True)))

    def on_share(self) -> None:
        store = self._session.store
        if store is None or self.meeting_id is None:
            return
        meeting = store.meetings.get(self.meeting_id)
        name = store.people.get(meeting.person_id).name
        self.share_dialog = ShareAgendaDialog(meeting.agenda, title=f"1:1 agenda: {name}, {spoken_date(meeting.date)}",
                                              first_name=name.split()[0], parent=self)
        self.share_dialog.open()

    # ------------------------------------------------------------------ actions

    def on_add_action(self) -> None:
        store = self._session.store
        if store is None or self.meeting_id is None:
            return
        meeting = store.meetings.get(self.meeting_id)
        try:
            action = store.actions.add(person_id=meeting.person_id, text=self.action_text.text(),
                                       owner=self.action_owner.currentData(),
                                       meeting_id=meeting.id, due=self.action_due.text().strip() or None)
        except (InvalidInput, NotFound) as exc:
            self.message.setText(str(exc))
            return
        due = f", due {near_date(action.due)}" if action.due else ""
        self.message.setText(f"Action added for {OWNER_WORDS[action.owner]}{due}: {action.text}")
        self.action_text.clear()
        self.action_due.clear()
        self.action_text.setFocus()
        self._session.changed(Change.ACTIONS)

    # ------------------------------------------------------------------ notes

    def on_notes_typed(self) -> None:
        self.notes_timer.start()

    def save_notes(self) -> None:
        """Write the notes to the meeting and its timeline note, if they changed."""
        self.notes_timer.stop()
        store = self._store
        if store is None or self.meeting_id is None:
            return
        text = self.notes.toPlainText()
        if text == store.meetings.get(self.meeting_id).notes:
            return
        store.meetings.record_notes(self.meeting_id, text)
        if self._session.store is not None:
            self._session.changed(Change.NOTES)

    def on_back(self) -> None:
        self.save_notes()
        self.sig_closed.emit()

    def on_locked(self) -> None:
        """Locking closes the store: nothing typed may be lost, nothing may stay on screen."""
        self.save_notes()
        self.clear()

    def clear(self) -> None:
        self.notes_timer.stop()
        self.meeting_id, self._store = None, None
        self.heading.clear()
        self.summary.clear()
        self.summary.hide()
        self.agenda_model.show(None)
        self.notes.blockSignals(True)
        self.notes.clear()
        self.notes.blockSignals(False)
        self.message.clear()


class AgendaListView(QListView):
    """Large checkboxes; a dragged point lands between two others, through the model's one move.

    Qt's own list-view drop may both move a row and hand the drop to the
    model, depending on the version; this view takes the drop itself so a
    drag is exactly one ``dropMimeData`` — the same ``moveRows`` the keys use.
    """

    def __init__(self, model: MeetingAgendaModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Meeting agenda")
        self.setToolTip("Space: done or open again · Delete: drop · Alt+Up/Alt+Down or drag: move")
        self.setStyleSheet(BIG_CHECKBOXES)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)

    def drop_row(self, point) -> int:
        """The row a point dropped at ``point`` (viewport coordinates) would take, Qt-style."""
        index = self.indexAt(point)
        if not index.isValid():
            return self.model().rowCount()
        return index.row() + (1 if point.y() > self.visualRect(index).center().y() else 0)

    def dropEvent(self, event) -> None:
        row = self.drop_row(event.position().toPoint())
        moved = self.model().dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, row, 0,
                                          QModelIndex())
        if moved:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()


def _row(*widgets, stretch: bool = True) -> QWidget:
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        line.addWidget(widget)
    if stretch:
        line.addStretch(1)
    return row
