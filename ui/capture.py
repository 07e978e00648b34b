"""Quick capture: a note on someone in a few keystrokes, from anywhere (Ctrl+N).

Managers notice things between meetings; if writing them down takes more
than a few seconds they are not written down. So the dialog is keyboard
first: type part of a name, Tab, type, Enter. Everything else (kind, date,
competencies) has a sensible default.

Typed text must survive a crash or a lock. Every few seconds the text and
what it is for go to the encrypted store as the "capture" autosave slot;
saving or cancelling forgets it, and ``offer_unsaved`` offers it back at
the next start.
"""

import contextlib

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox, QComboBox, QCompleter, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel,
    QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QVBoxLayout,
)

from app.domain.records import NOTE_KINDS, Note, Person
from app.errors import StorageFailed, TrellisError
from app.services.autosave import Autosaves, UnsavedText

from .notices import Change
from .chips import kind_label
from .session import Session

AUTOSAVE_SLOT = "capture"
AUTOSAVE_INTERVAL_MS = 3000
"""How often typed text is written to the store; read when a dialog is made."""

DEFAULT_KIND = "observation"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PREVIEW_CHARS = 200


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class DateField(QDateEdit):
    """A date edit that Tab leaves, instead of walking day → month → year.

    Quick capture is Tab-driven and the date is usually left at today;
    Left/Right still move between the parts of the date.
    """

    def focusNextPrevChild(self, next_: bool) -> bool:
        return QAbstractSpinBox.focusNextPrevChild(self, next_)


class QuickCaptureDialog(QDialog):
    """Write one note: person, kind, date, competencies and text; Enter saves."""

    sig_saved = Signal(str)
    """A note was saved. Argument: the new note's id."""

    def __init__(self, session: Session, parent=None, *, person_id: str | None = None):
        super().__init__(parent)
        self.session = session
        # The store is held, not looked up: on lock it is still open while
        # sig_locked is delivered, and the text is kept one last time then.
        self._autosave_store = session.store
        self._people: list[Person] = []
        self._last_kept: tuple | None = None
        self.setWindowTitle("Quick capture")
        self.setAccessibleName("Quick capture")
        self._build()
        self._load_choices()
        self.choose_person(person_id)
        self._start_autosave()
        session.sig_locked.connect(self.on_locked)

    # ----------------------------------------------------------- building

    def _build(self) -> None:
        self.person_box = self._person_picker()
        self.kind_box = self._kind_picker()
        self.date_edit = self._date_picker()
        self.competency_list = self._competency_picker()
        self.text_edit = self._text_editor()
        self.problem_label = self._problem_label()
        self.buttons = self._buttons()
        self.form = QFormLayout()
        for label, field in (("&Person", self.person_box), ("&Kind", self.kind_box),
                             ("&Date", self.date_edit), ("C&ompetencies", self.competency_list),
                             ("&Note", self.text_edit)):
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._set_tab_order()

    def _person_picker(self) -> QComboBox:
        box = QComboBox()
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setAccessibleName("Person")
        box.lineEdit().setAccessibleName("Person")
        box.lineEdit().setPlaceholderText("Type part of a name")
        box.setCompleter(self._name_completer(box))
        box.lineEdit().textEdited.connect(self.on_input_changed)
        box.lineEdit().editingFinished.connect(self.on_person_typed)
        return box

    def _name_completer(self, box: QComboBox) -> QCompleter:
        completer = QCompleter(box.model(), box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.popup().setAccessibleName("Matching people")
        return completer

    def _kind_picker(self) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName("Kind")
        for kind in NOTE_KINDS:
            box.addItem(kind_label(kind), kind)
        box.setCurrentIndex(NOTE_KINDS.index(DEFAULT_KIND))
        return box

    def _date_picker(self) -> DateField:
        edit = DateField(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setAccessibleName("Date")
        edit.calendarWidget().setAccessibleName("Choose a date")
        return edit

    def _competency_picker(self) -> QListWidget:
        view = QListWidget()
        view.setAccessibleName("Competencies")
        view.setAccessibleDescription("Space ticks or unticks the highlighted competency")
        view.setMaximumHeight(96)
        return view

    def _text_editor(self) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName("Note text")
        edit.setPlaceholderText("What happened? Enter saves, Shift+Enter starts a new line.")
        edit.setTabChangesFocus(True)
        edit.installEventFilter(self)
        edit.textChanged.connect(self.on_input_changed)
        return edit

    def _problem_label(self) -> QLabel:
        label = QLabel()
        label.setAccessibleName("Why the note was not saved")
        label.setWordWrap(True)
        label.setForegroundRole(QPalette.ColorRole.Link)  # stands out in light and dark themes
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.hide()
        return label

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save note")
        self.save_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        return buttons

    def _set_tab_order(self) -> None:
        chain = [self.person_box, self.kind_box, self.date_edit, self.competency_list,
                 self.text_edit, self.save_button,
                 self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)

    def _load_choices(self) -> None:
        store = self.session.store
        self._people = store.people.list() if store is not None else []
        for person in self._people:
            self.person_box.addItem(person.name, person.id)
        for competency in store.competencies.list() if store is not None else []:
            item = QListWidgetItem(competency.name, self.competency_list)
            item.setData(Qt.ItemDataRole.UserRole, competency.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.form.setRowVisible(self.competency_list, self.competency_list.count() > 0)

    # ------------------------------------------------------------ values

    def choose_person(self, person_id: str | None) -> None:
        """Show ``person_id`` in the picker (nobody if None or unknown) and focus what comes next."""
        row = self.person_box.findData(person_id) if person_id else -1
        self.person_box.setCurrentIndex(row)
        if row < 0:
            self.person_box.setEditText("")
        (self.text_edit if row >= 0 else self.person_box).setFocus()

    def matching_people(self) -> list[Person]:
        """People whose name is what was typed, or else contains it (ignoring case)."""
        typed = " ".join(self.person_box.currentText().split()).casefold()
        if not typed:
            return []
        exact = [p for p in self._people if _same_name(p.name, typed)]
        return exact or [p for p in self._people if typed in p.name.casefold()]

    def person_id(self) -> str | None:
        """The chosen person, if what was typed names exactly one."""
        matches = self.matching_people()
        return matches[0].id if len(matches) == 1 else None

    def kind(self) -> str:
        return self.kind_box.currentData()

    def date_iso(self) -> str:
        return self.date_edit.date().toString(Qt.DateFormat.ISODate)

    def competencies(self) -> list[str]:
        items = (self.competency_list.item(row) for row in range(self.competency_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def text(self) -> str:
        return self.text_edit.toPlainText()

    def context(self) -> dict:
        """What the note is for, as kept with autosaved text."""
        return {"person_id": self.person_id(), "kind": self.kind(), "date": self.date_iso(),
                "competencies": self.competencies()}

    def prefill(self, text: str, context: dict) -> None:
        """Fill the dialog from autosaved ``text`` and ``context`` (unknown values are skipped)."""
        self.choose_person(context.get("person_id"))
        kind_row = self.kind_box.findData(context.get("kind"))
        if kind_row >= 0:
            self.kind_box.setCurrentIndex(kind_row)
        date = QDate.fromString(context.get("date") or "", Qt.DateFormat.ISODate)
        if date.isValid():
            self.date_edit.setDate(date)
        self._tick_competencies(set(context.get("competencies") or ()))
        self.text_edit.setPlainText(text)
        self.text_edit.moveCursor(self.text_edit.textCursor().MoveOperation.End)

    def _tick_competencies(self, wanted: set[str]) -> None:
        for row in range(self.competency_list.count()):
            item = self.competency_list.item(row)
            ticked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    # ------------------------------------------------------------ saving

    def problem(self) -> str | None:
        """Why the note cannot be saved as it stands, in the manager's words; None if it can."""
        if self.session.store is None:
            return "Trellis is locked; unlock it to save notes."
        return self._person_problem() or self._text_problem()

    def _text_problem(self) -> str | None:
        return None if self.text().strip() else "Type the note before saving."

    def _person_problem(self) -> str | None:
        typed = self.person_box.currentText().strip()
        matches = self.matching_people()
        if not typed:
            return "Choose who this note is about."
        if not matches:
            return f"No one on the team matches “{typed}”."
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches[:4])
            return f"“{typed}” matches {names}: type more of the name."
        return None

    def on_save(self) -> None:
        problem = self.problem()
        if problem is not None:
            self._show_problem(problem)
            return
        try:
            note = self._add_note()
        except StorageFailed as failed:
            self._show_problem(str(failed.during("save the note")))
            return
        except TrellisError as err:
            self._show_problem(str(err))
            return
        self._forget_autosave()
        self.session.changed(Change.NOTES, person_id=note.person_id)
        self.sig_saved.emit(note.id)
        self.accept()

    def _add_note(self) -> Note:
        return self.session.store.notes.add(
            person_id=self.person_id(), text=self.text().strip(), date=self.date_iso(),
            kind=self.kind(), competencies=tuple(self.competencies()))

    def _show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()
        needs_person = self.person_id() is None and self.session.store is not None
        (self.person_box if needs_person else self.text_edit).setFocus()

    def on_input_changed(self, *_args) -> None:
        self.problem_label.hide()

    def on_person_typed(self) -> None:
        """Leaving the picker with a partial name that fits one person shows their full name."""
        matches = self.matching_people()
        if len(matches) == 1:
            self.person_box.setCurrentIndex(self.person_box.findData(matches[0].id))

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.text_edit and event.type() == QEvent.Type.KeyPress
                and event.key() in _ENTER_KEYS):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.text_edit.insertPlainText("\n")
            else:
                self.on_save()
            return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------- autosave

    def _start_autosave(self) -> None:
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.on_autosave_due)
        self.autosave_timer.start()

    def on_autosave_due(self) -> None:
        """Write the text and its context to the store, if they changed since last time."""
        snapshot = (self.text(), self.context())
        if self._autosave_store is None or snapshot == self._last_kept:
            return
        try:
            Autosaves(self._autosave_store).keep(AUTOSAVE_SLOT, *snapshot)
        except StorageFailed as failed:
            # The text stays in the box and the last copy that was kept stays in the store.
            self.problem_label.setText(str(failed.during("keep a copy of the note")))
            self.problem_label.show()
            return
        self._last_kept = snapshot

    def _forget_autosave(self) -> None:
        self.autosave_timer.stop()
        if self._autosave_store is not None:
            # A full disk keeps the draft; the next start offers it once more.
            with contextlib.suppress(StorageFailed):
                Autosaves(self._autosave_store).discard(AUTOSAVE_SLOT)
        self._last_kept = None

    def reject(self) -> None:
        """Cancel: the text is thrown away on purpose, so the autosave goes too."""
        self._forget_autosave()
        super().reject()

    def done(self, result: int) -> None:
        """Closing ends autosaving for good: a closed dialog never writes the slot again."""
        self.autosave_timer.stop()
        self._autosave_store = None
        super().done(result)

    def on_locked(self) -> None:
        """Keep the text one last time (the store is still open), then empty and close."""
        self.on_autosave_due()
        self._autosave_store = None
        self.person_box.clear()
        self.competency_list.clear()
        self.text_edit.clear()
        self._people = []
        super().reject()


# -------------------------------------------------------------- start-up

def ask_to_restore(parent, unsaved: UnsavedText) -> bool | None:
    """Ask whether to restore unsaved capture text: True restore, False discard, None later."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved note")
    box.setText("Trellis closed before a quick note was saved. Restore it?")
    box.setInformativeText(_preview(unsaved.text))
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is restore else False if clicked is discard else None


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW_CHARS else flat[:_PREVIEW_CHARS - 1] + "…"


def offer_unsaved(session: Session, parent=None, *,
                  ask=ask_to_restore) -> QuickCaptureDialog | None:
    """At start-up: offer back capture text a crash or lock left unsaved.

    ``ask(parent, unsaved)`` returns True to restore, False to discard, None
    to decide next time. On restore the dialog is shown prefilled and
    returned, so the caller can connect ``sig_saved``.
    """
    if session.store is None:
        return None
    autosaves = Autosaves(session.store)
    unsaved = next((u for u in autosaves.pending() if u.slot == AUTOSAVE_SLOT), None)
    answer = ask(parent, unsaved) if unsaved is not None else None
    if answer is False:
        autosaves.discard(AUTOSAVE_SLOT)
    if not answer:
        return None
    dialog = QuickCaptureDialog(session, parent)
    dialog.prefill(unsaved.text, unsaved.context)
    dialog.show()
    return dialog
