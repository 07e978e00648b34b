"""A person's timeline: their notes by month, newest first, edited where they are read.

Managers keep years of notes on a person, so the timeline is a list model
that loads 200 notes at a time behind a painting delegate — never a widget
per note — and opens instantly however long the history. Every change made
here (text, kind, date, competencies, moving to the trash) is a command on
one undo stack that the window binds to Ctrl+Z / Ctrl+Shift+Z; moving a note
to the trash also says so, with an Undo button. "New note…" above the list
asks the window for quick capture on the person shown. Locking
empties the model, closes the editor and drops the undo history, so no note
text stays in memory once the store is closed.
"""

import contextlib

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListView, QMenu, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.domain.records import Note, Person
from app.errors import NotFound, StorageFailed
from app.services.autosave import Autosaves

from .notices import Change
from .chips import (
    CompetencyNamesRole, HeaderRole, MonthRole, NoteDelegate, NoteRole, ask_date, date_label,
    kind_label, month_title, note_menu,
)
from .note_commands import EditNoteCommand, NoteCommand, TrashNoteCommand, edit_label
from .toast import Toast

AUTOSAVE_PREFIX = "note:"
EMPTY_TEXT = "A note needs some text, so nothing was saved."


class TimelineModel(QAbstractListModel):
    """One person's notes, newest first, with a header row opening each month.

    Notes arrive a page at a time through ``canFetchMore``/``fetchMore``.
    A month's header counts the notes loaded so far; the last month shows
    "200+ notes" while older pages remain.
    """

    PAGE = 200

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fetch_page = None
        self._names: dict[str, str] = {}
        self._rows: list[Note | str] = []   # a note, or "YYYY-MM" opening that month
        self._note_rows: dict[str, int] = {}
        self._header_rows: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._exhausted = True

    def load(self, fetch_page, competency_names: dict[str, str], *, at_least: int = 0) -> None:
        """Start over with ``fetch_page(limit, offset)``, loading at least ``at_least`` notes now."""
        self.beginResetModel()
        self._fetch_page, self._names = fetch_page, dict(competency_names)
        self._rows, self._exhausted = [], fetch_page is None
        self._reindex()
        self.endResetModel()
        if fetch_page is not None:
            size = max(self.PAGE, at_least)
            self._append(fetch_page(size, 0), size)

    def clear(self) -> None:
        self.load(None, {})

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._append(self._fetch_page(self.PAGE, self.note_count()), self.PAGE)

    def _append(self, page: list[Note], asked: int) -> None:
        self._exhausted = len(page) < asked
        last_month = self._last_month()
        # A note written since the last page shifts the offsets; never show it twice.
        rows = self._rows_for([note for note in page if note.id not in self._note_rows])
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self._reindex()
            self.endInsertRows()
        self._header_changed(last_month)

    def _rows_for(self, notes: list[Note]) -> list[Note | str]:
        rows, month = [], self._last_month()
        for note in notes:
            if note.date[:7] != month:
                month = note.date[:7]
                rows.append(month)
            rows.append(note)
        return rows

    def _reindex(self) -> None:
        self._note_rows, self._header_rows, self._counts = {}, {}, {}
        month = None
        for row, item in enumerate(self._rows):
            if isinstance(item, str):
                month, self._header_rows[item] = item, row
                self._counts.setdefault(item, 0)
            else:
                self._note_rows[item.id] = row
                self._counts[month] += 1

    def _last_month(self) -> str | None:
        return next((item for item in reversed(self._rows) if isinstance(item, str)), None)

    def _header_changed(self, month: str | None) -> None:
        if month in self._header_rows:
            index = self.index(self._header_rows[month])
            self.dataChanged.emit(index, index)

    def replace_note(self, note: Note) -> QModelIndex:
        """Show the stored version of a note already in the model (same month)."""
        row = self._note_rows[note.id]
        self._rows[row] = note
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return index

    def remove_note(self, note_id: str) -> None:
        """Take a note out (it went to the trash), with its month's header if it was the last."""
        row = self._note_rows.get(note_id)
        if row is None:
            return
        month = self._rows[row].date[:7]
        alone = isinstance(self._rows[row - 1], str) and (
            row + 1 == len(self._rows) or isinstance(self._rows[row + 1], str))
        first = row - 1 if alone else row
        self.beginRemoveRows(QModelIndex(), first, row)
        del self._rows[first:row + 1]
        self._reindex()
        self.endRemoveRows()
        self._header_changed(month)

    def note(self, note_id: str) -> Note | None:
        return self._rows[row] if (row := self._note_rows.get(note_id)) is not None else None

    def row_of(self, note_id: str) -> int | None:
        return self._note_rows.get(note_id)

    def note_count(self) -> int:
        return len(self._note_rows)

    @property
    def competency_names(self) -> dict[str, str]:
        """Every competency, id → name, in the order they are listed."""
        return dict(self._names)

    def names_for(self, note: Note) -> list[str]:
        return [name for cid, name in self._names.items() if cid in note.competencies]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index) -> Qt.ItemFlag:
        never = Qt.ItemFlag.ItemNeverHasChildren
        if not index.isValid() or isinstance(self._rows[index.row()], str):
            return never  # headers are read, not selected: the cursor skips them
        return (never | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        return self._month_data(item, role) if isinstance(item, str) else self._note_data(item, role)

    def _month_data(self, month: str, role):
        if role == MonthRole:
            return month
        if role == HeaderRole:
            return month_title(month), self._count_text(month)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{month_title(month)} · {self._count_text(month)}"
        return None

    def _count_text(self, month: str) -> str:
        count = self._counts.get(month, 0)
        more = "+" if not self._exhausted and month == self._last_month() else ""
        return f"{count}{more} note{'' if count == 1 and not more else 's'}"

    def _note_data(self, note: Note, role):
        if role == NoteRole:
            return note
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return note.text
        if role == CompetencyNamesRole:
            return self.names_for(note)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            heading = ", ".join([date_label(note.date), kind_label(note.kind), *self.names_for(note)])
            return f"{heading}: {note.text}"
        return None


class TimelineView(QWidget):
    """A person's notes by month, newest first: edit in place, trash, undo and redo.

    ``undo_stack`` holds every change made here; the window owns the Undo
    and Redo actions bound to it.
    """

    sig_note_changed = Signal(str)
    """A note was edited, trashed or restored from the timeline. Argument: the note's id."""

    sig_new_note = Signal(str)
    """The manager asked for a new note on the person shown. Argument: the person's id."""

    AUTOSAVE_MS = 3000

    def __init__(self, session, parent=None, *, undo_stack: QUndoStack | None = None):
        super().__init__(parent)
        self._session = session
        self._person: Person | None = None
        self._announcing = False
        self._problem: str | None = None
        self._unsaved_note_id: str | None = None  # its edit was refused; keep its draft
        self._trash_step: int | None = None  # the undo step the toast's Undo takes back
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.model = TimelineModel(self)
        self._build()
        self._build_actions()
        session.sig_locked.connect(self.on_locked)
        session.listen(self.on_session_changed, Change.NOTES, Change.PEOPLE, Change.SAMPLE)

    def _build(self) -> None:
        self.message = QLabel()
        self.message.setAccessibleName("Timeline message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.notes_view = self._build_list()
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.notes_view)
        self.pages.addWidget(self.empty_label)
        self.toast = Toast("Timeline notice")
        self.undo_stack.indexChanged.connect(self.on_undo_step)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._new_note_row())
        layout.addWidget(self.message)
        layout.addWidget(self.pages)
        layout.addWidget(self.toast)
        self.autosave_timer = QTimer(self, interval=self.AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self._show_page()

    def _new_note_row(self) -> QHBoxLayout:
        self.new_note_button = QPushButton("New note…")
        self.new_note_button.setAccessibleName("New note")
        self.new_note_button.setToolTip("Write a note on this person (Ctrl+N)")
        self.new_note_button.setEnabled(False)
        self.new_note_button.clicked.connect(self.on_new_note)
        row = QHBoxLayout()
        row.addWidget(self.new_note_button)
        row.addStretch(1)
        return row

    def on_new_note(self) -> None:
        if self._person is not None:
            self.sig_new_note.emit(self._person.id)

    def _build_list(self) -> QListView:
        view = QListView()
        view.setAccessibleName("Timeline")
        view.setAccessibleDescription("Notes, newest first. Enter edits a note, Delete moves it "
                                      "to the trash, the menu changes kind, competencies and date.")
        view.setModel(self.model)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setWordWrap(True)  # re-lay out on a change of width too (cards wrap their text)
        # Lay out wrapped notes a batch at a time, so the first screenful paints at once.
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(40)
        view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        view.setMouseTracking(True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.on_context_menu)
        self.delegate = NoteDelegate(view)
        self.delegate.sig_text_edited.connect(self.on_text_edited)
        self.delegate.sig_editor_opened.connect(self.on_editor_opened)
        self.delegate.sig_editor_closed.connect(self.on_editor_closed)
        view.setItemDelegate(self.delegate)
        return view

    def _build_actions(self) -> None:
        self.edit_action = self._list_action(
            "Edit text", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2], self.on_edit_current)
        self.trash_action = self._list_action(
            "Move to trash", [QKeySequence.StandardKey.Delete], self.on_trash_current)
        self.date_action = self._list_action("Change date…", [], self.on_change_date)

    def _list_action(self, text: str, keys: list, handler) -> QAction:
        action = QAction(text, self.notes_view)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(handler)
        self.notes_view.addAction(action)
        return action

    def show_person(self, person_id: str) -> None:
        """Show a person's timeline from the newest note (or reload it if already shown)."""
        store = self._session.store
        if store is None:
            return
        if self._person is not None and self._person.id == person_id:
            self.reload()
            return
        try:
            self._person = store.people.get(person_id)
        except NotFound:
            self.clear()
            return
        self.message.hide()
        self.toast.dismiss()
        self.model.load(self._fetcher(person_id), self._competency_names(store))
        self._show_page()
        self.notes_view.scrollToTop()

    def reload(self, select: str | None = None) -> None:
        """Read the shown notes again (as many as were loaded), keeping the place in the list."""
        store = self._session.store
        if self._person is None or store is None:
            return
        keep = select or self.current_note_id()
        scrolled = self.notes_view.verticalScrollBar().value()
        self.model.load(self._fetcher(self._person.id), self._competency_names(store),
                        at_least=self.model.note_count())
        self._show_page()
        self.notes_view.doItemsLayout()
        self.notes_view.verticalScrollBar().setValue(scrolled)
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self.notes_view.setCurrentIndex(self.model.index(row))
            if select:
                self.notes_view.scrollTo(self.model.index(row))

    def clear(self) -> None:
        """Drop every note, the open editor and the undo history (the app locked)."""
        self._person = None
        self.autosave_timer.stop()
        self.forget_undo_history()
        self.model.clear()
        self.delegate.forget()
        self.message.hide()
        self.toast.dismiss()
        self._show_page()

    def select_note(self, note_id: str) -> bool:
        """Scroll to and select a note, loading older pages until it is found."""
        note = self._note(note_id)
        if note is None or note.deleted_at is not None:
            return False
        if self._person is None or self._person.id != note.person_id:
            self.show_person(note.person_id)
        while self.model.row_of(note_id) is None and self.model.canFetchMore():
            self.model.fetchMore()
        row = self.model.row_of(note_id)
        if row is None:
            return False
        self.notes_view.setCurrentIndex(self.model.index(row))
        self.notes_view.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtCenter)
        self.notes_view.setFocus()
        return True

    def return_to(self, note_id: str | None, scrolled: int) -> None:
        """Select ``note_id`` again and scroll back to ``scrolled`` (after an unlock)."""
        view = self.notes_view
        view.setLayoutMode(QListView.LayoutMode.SinglePass)  # the old position exists only once laid out
        try:
            if note_id is not None:
                self.select_note(note_id)  # loads older pages until the note is in
            view.doItemsLayout()
            view.verticalScrollBar().setValue(scrolled)
        finally:
            view.setLayoutMode(QListView.LayoutMode.Batched)

    def edit_note(self, note_id: str, **changes) -> bool:
        """Save ``text=``, ``kind=``, ``date=`` or ``competencies=`` as one undoable step."""
        note = self._note(note_id)
        if note is None:
            return False
        if "text" in changes and not (changes["text"] or "").strip():
            self._tell(EMPTY_TEXT)
            return False
        if "competencies" in changes:
            changes["competencies"] = tuple(sorted(set(changes["competencies"])))
        changes = {name: value for name, value in changes.items() if getattr(note, name) != value}
        if not changes:
            return False
        return self._push(EditNoteCommand(edit_label(changes), session=self._session, note=note,
                                          changes=changes, on_written=self.on_note_written))

    def trash_note(self, note_id: str) -> bool:
        """Move a note to the trash as one undoable step, and say so with an Undo button."""
        if self._note(note_id) is None:
            return False
        if not self._push(TrashNoteCommand("Move note to trash", session=self._session,
                                           note_id=note_id, on_written=self.on_note_written)):
            return False
        self._trash_step = self.undo_stack.index()
        self.toast.show_message("Moved to trash", "Undo", self.undo_stack.undo,
                                tooltip="Put the note back (Ctrl+Z); the trash is in Notes \u25b8 Trash\u2026")
        return True

    def on_undo_step(self, index: int) -> None:
        """Any other step makes the toast's Undo mean something else: it goes."""
        if index != self._trash_step:
            self.toast.dismiss()

    def resume_edit(self, note_id: str, text: str) -> bool:
        """Open the editor on a note with ``text`` typed in (unsaved text offered back after a crash)."""
        if not self.select_note(note_id):
            return False
        self.notes_view.edit(self.notes_view.currentIndex())
        if self.delegate.editor is None:
            return False
        self.delegate.editor.setPlainText(text)
        return True

    def current_note_id(self) -> str | None:
        note = self.notes_view.currentIndex().data(NoteRole)
        return note.id if note is not None else None

    def note_menu(self, index) -> QMenu | None:
        """The context menu for the note at ``index``: edit, kind, competencies, date, trash."""
        note = index.data(NoteRole)
        if note is None:
            return None
        return note_menu(self, note, self.model.competency_names, self.edit_note,
                         edit=self.edit_action, date=self.date_action, trash=self.trash_action)

    def forget_undo_history(self) -> None:
        """Empty the undo stack, wiping what each command kept of the notes first."""
        for position in range(self.undo_stack.count()):
            command = self.undo_stack.command(position)
            if isinstance(command, NoteCommand):
                command.forget()
        self.undo_stack.clear()

    def on_locked(self) -> None:
        self.clear()

    def on_session_changed(self, notice) -> None:
        if self._announcing or self._person is None or not notice.concerns(self._person.id):
            return
        store = self._session.store
        try:
            self._person = store.people.get(self._person.id) if store is not None else None
        except NotFound:
            self._person = None
        if self._person is None:
            self.clear()
        else:
            self.reload()

    def on_text_edited(self, note_id: str, text: str) -> None:
        self._problem = None
        if not self.edit_note(note_id, text=text) and self._problem is not None:
            # The write failed (a full disk): reopen the editor with the text, so none of it is lost.
            self._unsaved_note_id = note_id
            QTimer.singleShot(0, lambda: self.resume_edit(note_id, text))

    def on_note_written(self, note: Note | None, problem: str | None) -> None:
        self._problem = problem
        if problem is not None:
            self._tell(problem)
            return
        self.message.hide()
        if self._person is not None and note.person_id == self._person.id:
            self._show_written(note)
        self._announcing = True
        try:
            self.sig_note_changed.emit(note.id)
        finally:
            self._announcing = False

    def on_edit_current(self) -> None:
        index = self.notes_view.currentIndex()
        if index.data(NoteRole) is not None:
            self.notes_view.edit(index)

    def on_trash_current(self) -> None:
        note_id = self.current_note_id()
        if note_id is not None:
            self.trash_note(note_id)

    def on_change_date(self) -> None:
        note = self.notes_view.currentIndex().data(NoteRole)
        chosen = ask_date(self, note.date, session=self._session) if note is not None else None
        if chosen is not None:
            self.edit_note(note.id, date=chosen)

    def on_context_menu(self, pos) -> None:
        index = self.notes_view.indexAt(pos)
        if index.data(NoteRole) is None:  # the Menu key: the current note
            index = self.notes_view.currentIndex()
            pos = self.notes_view.visualRect(index).center()
        menu = self.note_menu(index)
        if menu is None:
            return
        self.notes_view.setCurrentIndex(index)
        menu.exec(self.notes_view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def on_editor_opened(self, _note_id: str) -> None:
        self.autosave_timer.start()

    def on_editor_closed(self, note_id: str) -> None:
        self.autosave_timer.stop()
        unsaved, self._unsaved_note_id = self._unsaved_note_id == note_id, None
        if self._session.store is not None and not unsaved:  # when locking, keep it: it is offered back later
            # A full disk keeps the draft; the next start offers it once more.
            with contextlib.suppress(StorageFailed):
                Autosaves(self._session.store).discard(AUTOSAVE_PREFIX + note_id)

    def autosave_now(self) -> None:
        """Keep the open editor's text in the encrypted store, in case the app dies."""
        editor, note_id, store = self.delegate.editor, self.delegate.editing_note_id, self._session.store
        if editor is None or note_id is None or store is None or self._person is None:
            return
        try:
            Autosaves(store).keep(AUTOSAVE_PREFIX + note_id, editor.toPlainText(),
                                  {"person": self._person.id, "note": note_id})
        except StorageFailed as failed:
            self._tell(str(failed.during("keep a copy of the note")))

    def _push(self, command: NoteCommand) -> bool:
        self._problem = None
        self.undo_stack.push(command)  # runs redo(): the write happens now
        return self._problem is None

    def _note(self, note_id: str) -> Note | None:
        store = self._session.store
        if store is None:
            return None
        try:
            return self.model.note(note_id) or store.notes.get(note_id)
        except NotFound:
            return None

    def _show_written(self, note: Note) -> None:
        if note.deleted_at is not None:
            row = self.model.row_of(note.id)
            self.model.remove_note(note.id)
            self._show_page()
            if row is not None:
                self._select_near(row)
            return
        shown = self.model.note(note.id)
        if shown is not None and shown.date == note.date:
            self.delegate.sizeHintChanged.emit(self.model.replace_note(note))
        else:
            self.reload(select=note.id)

    def _select_near(self, row: int) -> None:
        count = self.model.rowCount()
        for candidate in [*range(row, count), *range(min(row, count) - 1, -1, -1)]:
            if self.model.index(candidate).data(NoteRole) is not None:
                self.notes_view.setCurrentIndex(self.model.index(candidate))
                return

    def _fetcher(self, person_id: str):
        def fetch_page(limit: int, offset: int) -> list[Note]:
            store = self._session.store  # read each time: after a lock there is none
            return [] if store is None else store.notes.for_person(person_id, limit=limit, offset=offset)
        return fetch_page

    @staticmethod
    def _competency_names(store) -> dict[str, str]:
        return {competency.id: competency.name for competency in store.competencies.list()}

    def _show_page(self) -> None:
        self.new_note_button.setEnabled(self._person is not None)
        if self.model.rowCount():
            self.pages.setCurrentWidget(self.notes_view)
            return
        text = (f"No notes on {self._person.name} yet — press Ctrl+N to capture one"
                if self._person is not None else "")
        self.empty_label.setText(text)
        self.empty_label.setAccessibleName(text or "Timeline: no one chosen")
        self.pages.setCurrentWidget(self.empty_label)

    def _tell(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
