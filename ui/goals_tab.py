"""The Goals tab: what a report is working towards, how each goal stands, and its history.

Goals are listed soonest due first with a status chip; a due date that has
passed on a goal still open is highlighted. Selecting a goal shows its
description and its progress updates as dated entries. "Add goal…" and
"Add progress…" open small dialogs that refuse bad input with the store's
own message beneath the fields, so nothing typed is lost.
"""

import datetime as dt

from PySide6.QtCore import QAbstractListModel, QDate, QModelIndex, QRect, QSize, QStringListModel, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QFormLayout, QLineEdit,
    QListView, QPlainTextEdit, QSplitter, QStackedWidget, QStyle, QStyledItemDelegate, QVBoxLayout,
    QWidget,
)

from app.domain.dates import near_date
from app.domain.records import GOAL_STATUSES, Goal
from app.errors import NotFound

from app.services.agenda_words import GOAL_STATUS_WORDS
from .notices import Change
from .chips import chip_font, kind_colours, paint_chip
from .controls import FormDialog, column, push_button, selectable_label

GoalRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2
"""True when the goal is still open and its due date has passed."""

STATUS_WORDS = GOAL_STATUS_WORDS
# The chip borrows the timeline's kind tints: at risk reads like a concern, done like praise.
_STATUS_TINTS = {"on_track": "one_on_one", "at_risk": "concern", "done": "praise", "dropped": "other"}


def is_overdue(goal: Goal, today: str) -> bool:
    return bool(goal.due) and goal.due < today and goal.status not in ("done", "dropped")


def goal_line(goal: Goal, today: str) -> str:
    """One goal in words: what a screen reader says and what the list would show as text."""
    due = ""
    if goal.due:
        when = near_date(goal.due, today)
        due = f", overdue since {when}" if is_overdue(goal, today) else f", due {when}"
    return f"{goal.title}  —  {STATUS_WORDS[goal.status]}{due}"


class GoalsModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._goals: list[Goal] = []
        self._today = dt.date.today().isoformat()

    def reset(self, goals: list[Goal], today: str) -> None:
        self.beginResetModel()
        self._goals, self._today = list(goals), today
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._goals)

    def row_of(self, goal_id: str) -> int:
        return next((i for i, goal in enumerate(self._goals) if goal.id == goal_id), -1)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        goal = self._goals[index.row()]
        if role == GoalRole:
            return goal
        if role == OverdueRole:
            return is_overdue(goal, self._today)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return goal_line(goal, self._today)
        return None


class GoalDelegate(QStyledItemDelegate):
    """Title in bold with the status chip at its right; the due date beneath, highlighted when overdue."""

    PADDING = 8

    def sizeHint(self, option, index) -> QSize:
        return QSize(option.rect.width(), option.fontMetrics.height() * 2 + self.PADDING * 2 + 4)

    def paint(self, painter, option, index) -> None:
        goal: Goal = index.data(GoalRole)
        style = option.widget.style() if option.widget else None
        if style:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        line = option.fontMetrics.height()
        rect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        painter.save()
        chip_width = self._status_chip(painter, option, rect, goal.status)
        bold = QFont(option.font)
        bold.setBold(True)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        self._text(painter, option, QRect(rect.left(), rect.top(), rect.width() - chip_width, line),
                   goal.title, text_role, bold)
        overdue = index.data(OverdueRole)
        due_role = (text_role if selected else QPalette.ColorRole.Link if overdue
                    else QPalette.ColorRole.PlaceholderText)
        when = near_date(goal.due)
        due = f"overdue since {when}" if overdue else f"due {when}" if goal.due else "no due date"
        self._text(painter, option, QRect(rect.left(), rect.top() + line + 4, rect.width(), line),
                   due, due_role, bold if overdue else None)
        painter.restore()

    @staticmethod
    def _status_chip(painter, option, rect: QRect, status: str) -> int:
        small = chip_font(option.font)
        text = STATUS_WORDS[status]
        width = QFontMetrics(small).horizontalAdvance(text) + 14
        chip = QRect(rect.right() - width + 1, rect.top(), width, option.fontMetrics.height())
        painter.setFont(small)
        paint_chip(painter, chip, text, *kind_colours(_STATUS_TINTS[status], option.palette))
        return width + 6

    @staticmethod
    def _text(painter, option, rect, text, role, font=None) -> None:
        painter.setFont(font or option.font)
        painter.setPen(option.palette.color(role))
        metrics = QFontMetrics(font or option.font)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)


def _status_box(current: str) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName("Status")
    for status in GOAL_STATUSES:
        box.addItem(STATUS_WORDS[status], status)
    box.setCurrentIndex(GOAL_STATUSES.index(current))
    return box


class GoalDialog(FormDialog):
    """A new goal: title, description, status and an optional due date (YYYY-MM-DD)."""

    def __init__(self, store, person_id: str, parent=None):
        super().__init__(parent)
        self._store, self._person_id = store, person_id
        self.saved_goal: Goal | None = None
        self.setWindowTitle("Add goal")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.description = QPlainTextEdit()
        self.description.setAccessibleName("Description")
        self.description.setTabChangesFocus(True)
        self.status = _status_box("on_track")
        self.due = QLineEdit()
        self.due.setAccessibleName("Due date")
        self.due.setPlaceholderText("YYYY-MM-DD, or leave empty")
        form = QFormLayout()
        for label, field in (("&Title", self.title), ("&Description", self.description),
                             ("&Status", self.status), ("D&ue", self.due)):
            form.addRow(label, field)
        self._finish(form)

    def save(self) -> None:
        self.saved_goal = self._store.goals.add(
            person_id=self._person_id, title=self.title.text(), status=self.status.currentData(),
            due=self.due.text().strip() or None, description=self.description.toPlainText().strip())


class ProgressDialog(FormDialog):
    """A dated progress entry on one goal, which may change its status; dated today unless changed."""

    def __init__(self, store, goal: Goal, parent=None):
        super().__init__(parent)
        self._store, self._goal = store, goal
        self.setWindowTitle(f"Progress on {goal.title}")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setAccessibleName("Date")
        self.status = _status_box(goal.status)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("What happened")
        self.text.setTabChangesFocus(True)
        form = QFormLayout()
        for label, field in (("&What happened", self.text), ("&Status", self.status), ("&Date", self.date)):
            form.addRow(label, field)
        self._finish(form)

    def save(self) -> None:
        self._store.goals.add_update(self._goal.id, self.text.toPlainText(),
                                     date=self.date.date().toString(Qt.DateFormat.ISODate),
                                     status=self.status.currentData())


class GoalsTab(QWidget):
    """One person's goals on the left; the selected goal's description and history on the right."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._session = session
        self.person_id: str | None = None
        self.model = GoalsModel(self)
        self.history_model = QStringListModel(self)
        self._build()
        session.sig_locked.connect(self.clear)
        session.listen(self.on_data_changed, Change.GOALS)

    def _build(self) -> None:
        self.view = QListView()
        self.view.setAccessibleName("Goals")
        self.view.setModel(self.model)
        self.view.setItemDelegate(GoalDelegate(self.view))
        self.view.selectionModel().currentChanged.connect(self.on_current_changed)
        self.empty = selectable_label("Goals: empty")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.view)
        self.add_goal_button = push_button("Add goal…", "Add a goal for this person")
        self.add_goal_button.clicked.connect(self.on_add_goal)
        self.add_progress_button = push_button("Add progress…", "Add a dated progress entry to the selected goal")
        self.add_progress_button.clicked.connect(self.on_add_progress)
        self.description = selectable_label("Goal description")
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.history = QListView()
        self.history.setAccessibleName("Progress history")
        self.history.setModel(self.history_model)
        self.history.setWordWrap(True)
        self.history.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        split = QSplitter()
        split.addWidget(column(self.pages, self.add_goal_button))
        split.addWidget(column(self.description, self.history, self.add_progress_button))
        QVBoxLayout(self).addWidget(split)
        self._update_buttons()

    # --- data ----------------------------------------------------------------

    def set_person(self, person_id: str) -> None:
        self.person_id = person_id
        self.refresh()

    def refresh(self) -> None:
        store = self._session.store
        if store is None or self.person_id is None:
            return self.clear()
        try:
            person = store.people.get(self.person_id)
        except NotFound:  # the sample team was removed, say: nothing of theirs may stay shown
            self.person_id = None
            return self.clear()
        current = self.current_goal()
        self.model.reset(store.goals.for_person(person.id), dt.date.today().isoformat())
        self.empty.setText(f"No goals for {person.name.split()[0]} yet.")
        self.pages.setCurrentIndex(1 if self.model.rowCount() else 0)
        self.select(current.id if current else None)
        self._show_details()

    def clear(self) -> None:
        """Show nothing (locked, or no such person); the person set stays for the next refresh."""
        self.model.reset([], dt.date.today().isoformat())
        self.empty.clear()
        self.pages.setCurrentIndex(0)
        self._show_details()

    def on_data_changed(self, notice) -> None:
        if self.person_id and notice.concerns(self.person_id):
            self.refresh()

    def current_goal(self) -> Goal | None:
        return self.view.currentIndex().data(GoalRole)

    def select(self, goal_id: str | None) -> None:
        row = self.model.row_of(goal_id) if goal_id else -1
        row = row if row >= 0 else 0
        if row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row))

    def on_current_changed(self, _current, _previous) -> None:
        self._show_details()

    def _show_details(self) -> None:
        goal, store = self.current_goal(), self._session.store
        entries = store.goals.history(goal.id) if goal and store else []
        self.description.setText((goal.description or "No description.") if goal else "")
        self.history_model.setStringList([_entry_line(entry) for entry in entries]
                                          or (["No progress recorded yet."] if goal else []))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_goal_button.setEnabled(self._session.store is not None and self.person_id is not None)
        self.add_progress_button.setEnabled(self.current_goal() is not None)

    # --- actions ---------------------------------------------------------------

    def on_add_goal(self) -> None:
        dialog = GoalDialog(self._session.store, self.person_id, parent=self)
        self._session.sig_locked.connect(dialog.reject)
        if dialog.exec():
            self._session.changed(Change.GOALS, person_id=self.person_id)
            self.select(dialog.saved_goal.id)
            self.view.setFocus()
        dialog.deleteLater()

    def on_add_progress(self) -> None:
        goal = self.current_goal()
        if goal is None:
            return
        dialog = ProgressDialog(self._session.store, goal, parent=self)
        self._session.sig_locked.connect(dialog.reject)
        if dialog.exec():
            self._session.changed(Change.GOALS, person_id=self.person_id)
            self.select(goal.id)
        dialog.deleteLater()


def _entry_line(entry) -> str:
    status = f" [{STATUS_WORDS[entry.status]}]" if entry.status else ""
    return f"{near_date(entry.date)}{status}  {entry.text}"
