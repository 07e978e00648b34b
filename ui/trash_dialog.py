"""The trash: notes moved out of timelines, kept until restored or deleted for good.

Undo brings back a note trashed a moment ago; the trash is for later, when
the undo history is gone (after a restart or a lock). Deleting for good
asks first, because it cannot be undone: the store overwrites the note on
disk (secure_delete).
"""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QStackedWidget, QTableView, QVBoxLayout,
)

from app.domain.records import Note
from app.errors import TrellisError

from .notices import Change
from .chips import NoteRole

EXCERPT_CHARS = 90


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The note on one line, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


class TrashModel(QAbstractTableModel):
    """Trashed notes, most recently trashed first: person, date and the start of the text."""

    COLUMNS = ("Person", "Date", "Note")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._notes: list[Note] = []
        self._names: dict[str, str] = {}

    def reset(self, notes: list[Note], person_names: dict[str, str]) -> None:
        self.beginResetModel()
        self._notes, self._names = list(notes), dict(person_names)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._notes)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        note = self._notes[index.row()]
        if role == NoteRole:
            return note
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(note, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return note.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join(self._cell(note, column) for column in range(len(self.COLUMNS)))
        return None

    def _cell(self, note: Note, column: int) -> str:
        if column == 0:
            return self._names.get(note.person_id, "(someone no longer on the team)")
        return note.date if column == 1 else excerpt(note.text)


def confirm_purge(parent, count: int) -> bool:
    """Ask before deleting for good; No is the default."""
    what = "this note" if count == 1 else f"these {count} notes"
    answer = QMessageBox.question(
        parent, "Delete forever", f"Delete {what} for good? This cannot be undone.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class TrashDialog(QDialog):
    """Lists trashed notes; Restore brings them back, Delete forever removes them."""

    sig_note_restored = Signal(str)
    """A note came back from the trash. Argument: the note's id."""

    sig_note_purged = Signal(str)
    """A note was deleted for good. Argument: the note's id."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._session = session
        self.setWindowTitle("Trash")
        self.setAccessibleName("Trash")
        self.resize(720, 420)
        self.model = TrashModel(self)
        self._build()
        session.sig_locked.connect(self.on_locked)
        self.refresh()

    def _build(self) -> None:
        self.table = self._build_table()
        self.empty_label = QLabel("The trash is empty.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("The trash is empty.")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty_label)
        self.message = QLabel()
        self.message.setAccessibleName("Trash message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setAccessibleName("Notes in the trash")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        return table

    def _build_buttons(self) -> QHBoxLayout:
        self.restore_button = self._button("Restore", self.on_restore)
        self.restore_button.setDefault(True)
        self.purge_button = self._button("Delete forever…", self.on_purge)
        self.close_button = self._button("Close", self.reject)
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addWidget(self.purge_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    def _button(self, text: str, handler) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(handler)
        return button

    def refresh(self) -> None:
        """Read the trash again."""
        store = self._session.store
        if store is None:
            self.model.reset([], {})
        else:
            names = {person.id: person.name for person in store.people.list(include_archived=True)}
            self.model.reset(store.notes.in_trash(), names)
        self.pages.setCurrentWidget(self.table if self.model.rowCount() else self.empty_label)
        if self.model.rowCount():
            self.table.selectRow(0)
        self.on_selection_changed()

    def selected_note_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.index(row, 0).data(NoteRole).id for row in rows]

    def on_selection_changed(self, *_args) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.restore_button.setEnabled(chosen)
        self.purge_button.setEnabled(chosen)

    def on_restore(self) -> None:
        self._apply(lambda notes, note_id: notes.restore(note_id), self.sig_note_restored)

    def on_purge(self) -> None:
        chosen = self.selected_note_ids()
        if chosen and confirm_purge(self, len(chosen)):
            self._apply(lambda notes, note_id: notes.purge(note_id), self.sig_note_purged)

    def on_locked(self) -> None:
        self.model.reset([], {})
        self.reject()

    def _apply(self, change, signal) -> None:
        """Run ``change`` on every selected note in one transaction, then tell everyone."""
        store, chosen = self._session.store, self.selected_note_ids()
        if store is None or not chosen:
            return
        self.message.hide()
        try:
            with store.atomic():
                for note_id in chosen:
                    change(store.notes, note_id)
        except TrellisError as exc:
            self.message.setText(str(exc))
            self.message.show()
            chosen = []
        self.refresh()
        for note_id in chosen:
            signal.emit(note_id)
        self._session.changed(Change.NOTES)
