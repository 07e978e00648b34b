"""Which stretch of time a review is about: a review cycle, or a period the manager picks.

Reviews happen in cycles ("H1 2026", due 15 July), but a manager also
drafts between cycles — for a promotion case, or someone leaving a team —
so the picker offers every cycle and a custom period (the last six months
unless changed). Beside it, a chip says where the chosen person's review
stands in the cycle (not started, drafting, final), read again whenever
the store changes. A new cycle is created in a small dialog that refuses
a nameless or back-to-front period in place and saves nothing until the
whole cycle is valid.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from app.domain.records import ReviewCycle
from app.errors import NotFound, TrellisError

from .notices import Change
from .chips import is_dark
from .heatmap import warning_colour

CUSTOM_PERIOD = "Custom period"
DEFAULT_MONTHS = 6
STATUS_WORDS = {"not_started": "Not started", "drafting": "Drafting", "final": "Final"}
_STATUS_HUES = {"not_started": (0, 0), "drafting": (35, 160), "final": (130, 120)}  # hue, saturation


def iso(date: QDate) -> str:
    return date.toString(Qt.DateFormat.ISODate)


def qdate(text: str) -> QDate:
    return QDate.fromString(text, Qt.DateFormat.ISODate)


def period_label(start: str, end: str) -> str:
    """``"1 Jan 2026 – 30 Jun 2026"`` in the user's language."""
    return f"{qdate(start).toString('d MMM yyyy')} – {qdate(end).toString('d MMM yyyy')}"


def cycle_label(cycle: ReviewCycle) -> str:
    due = f", due {qdate(cycle.due).toString('d MMM')}" if cycle.due else ""
    return f"{cycle.name}  ·  {period_label(cycle.period_start, cycle.period_end)}{due}"


def last_months(today: QDate, months: int = DEFAULT_MONTHS) -> tuple[QDate, QDate]:
    """The ``months`` months up to and including ``today``."""
    return today.addMonths(-months).addDays(1), today


def date_edit(accessible_name: str, date: QDate) -> QDateEdit:
    editor = QDateEdit(date)
    editor.setCalendarPopup(True)
    editor.setDisplayFormat("d MMM yyyy")
    editor.setAccessibleName(accessible_name)
    return editor


def problem_label(accessible_name: str) -> QLabel:
    """A sentence in the warning colour, shown in place beside what it is about."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(accessible_name)
    label.setStyleSheet(f"color: {warning_colour(label.palette()).name()};")
    label.hide()
    return label


class StatusChip(QLabel):
    """The person's status in the chosen cycle, as a rounded tinted label."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Review status")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.status: str | None = None
        self.hide()

    def set_status(self, status: str | None, detail: str = "") -> None:
        self.status = status
        if status is None:
            self.clear()
            self.hide()
            return
        self.setText(STATUS_WORDS.get(status, status))
        self.setToolTip(detail)
        self.setAccessibleDescription(detail)
        self.setStyleSheet(self._style(status))
        self.show()

    def _style(self, status: str) -> str:
        hue, saturation = _STATUS_HUES.get(status, (0, 0))
        dark = is_dark(self.palette())
        background = QColor.fromHsl(hue, saturation if dark else min(255, saturation + 40), 70 if dark else 228)
        text = QColor.fromHsl(hue, saturation, 215 if dark else 58)
        return (f"QLabel {{ background: {background.name()}; color: {text.name()}; border-radius: 9px; "
                f"padding: 2px 10px; font-weight: 600; }}")


class NewCycleDialog(QDialog):
    """Name, period and due date of a new review cycle; saved only once all of it is valid."""

    def __init__(self, store, *, start: QDate, end: QDate, parent=None):
        super().__init__(parent)
        self._store = store
        self.saved_cycle: ReviewCycle | None = None
        self.setWindowTitle("New review cycle")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Cycle name")
        self.name_edit.setPlaceholderText("e.g. H1 2026")
        self.start_edit, self.end_edit = date_edit("Cycle from", start), date_edit("Cycle to", end)
        self.due_check = QCheckBox("Due by")
        self.due_check.setAccessibleName("Has a due date")
        self.due_edit = date_edit("Cycle due date", end.addDays(14))
        self.due_edit.setEnabled(False)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.error_label = problem_label("Why the cycle cannot be saved")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.accepted.connect(self.on_save)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("From", self.start_edit)
        form.addRow("To", self.end_edit)
        form.addRow(self.due_check, self.due_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def problem(self) -> str | None:
        """What stops the cycle from being saved, in a sentence; None when it can be."""
        name = self.name_edit.text().strip()
        start, end = self.start_edit.date(), self.end_edit.date()
        if not name:
            return "Give the cycle a name, for example “H1 2026”."
        if any(cycle.name.casefold() == name.casefold() for cycle in self._store.review_cycles.list()):
            return f"There is already a review cycle called “{name}”; choose another name."
        if end < start:
            return (f"The period ends on {end.toString('d MMM yyyy')}, before it starts on "
                    f"{start.toString('d MMM yyyy')}; choose a later “To” date.")
        if self.due_check.isChecked() and self.due_edit.date() < start:
            return "The due date is before the period starts; choose a later due date."
        return None

    @Slot()
    def on_save(self) -> None:
        problem = self.problem()
        if problem is None:
            problem = self._save()
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            return
        self.accept()

    def _save(self) -> str | None:
        due = iso(self.due_edit.date()) if self.due_check.isChecked() else None
        try:
            self.saved_cycle = self._store.review_cycles.add(
                name=self.name_edit.text().strip(), period_start=iso(self.start_edit.date()),
                period_end=iso(self.end_edit.date()), due=due)
        except TrellisError as exc:
            return str(exc)
        return None


class CyclePicker(QWidget):
    """A review cycle or a custom period, and the person's status in the cycle."""

    sig_period_changed = Signal(str, str, object)
    """The period changed. Arguments: start and end (ISO dates), the cycle's id or None."""

    def __init__(self, session, parent=None, *, today: QDate | None = None):
        super().__init__(parent)
        self._session = session
        self._person_id: str | None = None
        self._cycles: dict[str, ReviewCycle] = {}
        self._custom = last_months(today or QDate.currentDate())
        self._emitted: tuple | None = None
        self._filling = False
        self.setAccessibleName("Review period")
        self._build()
        session.sig_locked.connect(self.on_locked)
        session.sig_unlocked.connect(self.refresh)
        session.listen(self.on_data_changed, Change.CYCLES, Change.DRAFTS, Change.PEOPLE, Change.SAMPLE)
        self.refresh()

    def _build(self) -> None:
        self.cycle_combo = QComboBox()
        self.cycle_combo.setAccessibleName("Review cycle")
        self.cycle_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.cycle_combo.setMinimumContentsLength(10)
        self.start_edit = date_edit("Period from", self._custom[0])
        self.end_edit = date_edit("Period to", self._custom[1])
        self.new_button = QPushButton("New cycle…")
        self.new_button.setAccessibleName("New review cycle")
        self.new_button.setToolTip("Create a review cycle: a name, its period and when reviews are due")
        self.status_chip = StatusChip()
        self.period_problem = problem_label("Period problem")
        self._lay_out()
        self.cycle_combo.currentIndexChanged.connect(self.on_cycle_chosen)
        self.start_edit.dateChanged.connect(self.on_dates_edited)
        self.end_edit.dateChanged.connect(self.on_dates_edited)
        self.new_button.clicked.connect(self.open_new_cycle)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(_buddy("Cycle", self.cycle_combo))
        top.addWidget(self.cycle_combo, 1)
        top.addWidget(self.new_button)
        dates = QHBoxLayout()
        for text, editor in (("From", self.start_edit), ("To", self.end_edit)):
            dates.addWidget(_buddy(text, editor))
            dates.addWidget(editor)
        dates.addStretch(1)
        dates.addWidget(self.status_chip, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(dates)
        layout.addWidget(self.period_problem)

    # --- API ------------------------------------------------------------------------

    def set_person(self, person_id: str | None) -> None:
        """The person whose status in the cycle the chip shows."""
        self._person_id = person_id
        self._show_status()

    def period(self) -> tuple[str, str, str | None]:
        """(start, end, cycle id or None) as ISO dates."""
        cycle = self.current_cycle()
        if cycle is not None:
            return cycle.period_start, cycle.period_end, cycle.id
        return iso(self.start_edit.date()), iso(self.end_edit.date()), None

    def current_cycle(self) -> ReviewCycle | None:
        return self._cycles.get(self.cycle_combo.currentData())

    def select_cycle(self, cycle_id: str | None) -> None:
        """Choose a cycle by id, or the custom period with None."""
        index = self.cycle_combo.findData(cycle_id) if cycle_id else self._custom_index()
        if index >= 0:
            self.cycle_combo.setCurrentIndex(index)

    def set_custom_period(self, start: str, end: str) -> None:
        """Choose the custom period from ``start`` to ``end`` (ISO dates)."""
        self._custom = (qdate(start), qdate(end))
        self.select_cycle(None)
        self._show_dates(*self._custom, editable=True)
        self._period_maybe_changed()

    def refresh(self) -> None:
        """Read the cycles and the person's status again, keeping the choice where it still exists."""
        store = self._session.store
        if store is None:
            self.on_locked()
            return
        kept = self.cycle_combo.currentData() if self.cycle_combo.count() else None
        first_fill = self.cycle_combo.count() == 0
        self._fill(store.review_cycles.list())
        chosen = kept if kept in self._cycles else None
        if first_fill and self._cycles:
            chosen = next(iter(self._cycles))  # the newest cycle
        self._filling = True
        self.select_cycle(chosen)
        self._filling = False
        self.on_cycle_chosen()

    def _fill(self, cycles: list[ReviewCycle]) -> None:
        self._filling = True
        self._cycles = {cycle.id: cycle for cycle in cycles}
        self.cycle_combo.clear()
        for cycle in cycles:
            self.cycle_combo.addItem(cycle_label(cycle), cycle.id)
            self.cycle_combo.setItemData(self.cycle_combo.count() - 1, cycle_label(cycle),
                                         Qt.ItemDataRole.ToolTipRole)
        if cycles:
            self.cycle_combo.insertSeparator(self.cycle_combo.count())
        self.cycle_combo.addItem(CUSTOM_PERIOD, None)
        self._filling = False

    def _custom_index(self) -> int:
        return self.cycle_combo.count() - 1

    # --- handlers ---------------------------------------------------------------------

    @Slot()
    def on_cycle_chosen(self) -> None:
        if self._filling:
            return
        cycle = self.current_cycle()
        if cycle is None:
            self._show_dates(*self._custom, editable=True)
        else:
            self._show_dates(qdate(cycle.period_start), qdate(cycle.period_end), editable=False)
        self._show_status()
        self._period_maybe_changed()

    @Slot()
    def on_dates_edited(self) -> None:
        if self._filling or self.current_cycle() is not None:
            return
        self._custom = (self.start_edit.date(), self.end_edit.date())
        self._period_maybe_changed()

    @Slot(str)
    def on_data_changed(self, _notice) -> None:
        if not self._session.is_locked:
            self.refresh()

    @Slot()
    def on_locked(self) -> None:
        self._filling = True
        self._cycles = {}
        self.cycle_combo.clear()
        self._filling = False
        self._person_id, self._emitted = None, None
        self.status_chip.set_status(None)

    @Slot()
    def open_new_cycle(self) -> NewCycleDialog | None:
        """Open the new-cycle dialog; the saved cycle becomes the chosen one."""
        store = self._session.store
        if store is None:
            return None
        dialog = NewCycleDialog(store, start=self.start_edit.date(), end=self.end_edit.date(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._cycle_created(dialog.saved_cycle))
        self._session.sig_locked.connect(dialog.reject)
        dialog.open()
        return dialog

    def _cycle_created(self, cycle: ReviewCycle | None) -> None:
        if cycle is None:
            return
        self.refresh()
        self.select_cycle(cycle.id)
        self._session.changed(Change.CYCLES)

    # --- helpers -------------------------------------------------------------------------

    def _show_dates(self, start: QDate, end: QDate, *, editable: bool) -> None:
        self._filling = True
        self.start_edit.setDate(start)
        self.end_edit.setDate(end)
        self._filling = False
        for editor in (self.start_edit, self.end_edit):
            editor.setEnabled(editable)

    def _show_status(self) -> None:
        store, cycle = self._session.store, self.current_cycle()
        if store is None or cycle is None or self._person_id is None:
            self.status_chip.set_status(None)
            return
        try:
            name = store.people.get(self._person_id).name
        except NotFound:
            self.status_chip.set_status(None)
            return
        status = store.review_cycles.status(cycle.id, self._person_id)
        self.status_chip.set_status(status, f"{name}'s review in {cycle.name}: "
                                            f"{STATUS_WORDS[status].lower()}")

    def _period_maybe_changed(self) -> None:
        start, end, cycle_id = self.period()
        if end < start:
            self.period_problem.setText("The period ends before it starts; choose a later “To” date.")
            self.period_problem.show()
            return
        self.period_problem.hide()
        if (start, end, cycle_id) != self._emitted:
            self._emitted = (start, end, cycle_id)
            self.sig_period_changed.emit(start, end, cycle_id)


def _buddy(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
