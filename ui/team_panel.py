"""The team list: everyone at a glance, with who needs attention.

Each row shows the person's name and role, the date of the last 1:1, how
many days since the last note, and open (and overdue) action items.
Anyone whose 1:1 is overdue by their cadence, or who has overdue action
items, carries a warning chip ("1:1 overdue by 5 days", "2 overdue
actions") that screen readers hear as the row's description. Add, edit and
archive live here; archived people are hidden unless asked for.
"""

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QListView, QPushButton, QStyle, QStyledItemDelegate, QVBoxLayout, QWidget,
)

from app.domain.dates import near_date
from app.services.cadence import OverdueOneOnOne, overdue
from app.services.team import TeamRow, team_overview

from .notices import Change
from .chips import chip_font, kind_colours, paint_chip
from .person_dialog import PersonDialog

RowRole = Qt.ItemDataRole.UserRole + 1
WarningRole = Qt.ItemDataRole.UserRole + 2
"""What needs the manager's attention now ("1:1 overdue by 5 days · 2 overdue actions"); "" if nothing."""
ChipRole = Qt.ItemDataRole.UserRole + 3
"""The same, short enough for the chip beside the name ("1:1 overdue 5d · 2 actions")."""

REFRESHED_BY = (Change.PEOPLE, Change.NOTES, Change.SAMPLE, Change.MEETINGS, Change.ACTIONS)


class TeamModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[TeamRow] = []
        self._late: dict[str, OverdueOneOnOne] = {}

    def reset(self, rows: list[TeamRow], late: list[OverdueOneOnOne] = ()) -> None:
        """Show ``rows``; ``late`` are the people whose 1:1 is overdue."""
        self.beginResetModel()
        self._rows = list(rows)
        self._late = {entry.person.id: entry for entry in late}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def row_of(self, person_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row.person.id == person_id), -1)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == RowRole:
            return row
        if role == WarningRole:
            return warning(row, self._late.get(row.person.id))
        if role == ChipRole:
            return warning(row, self._late.get(row.person.id), short=True)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{row.person.name}, {summary(row)}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return warning(row, self._late.get(row.person.id)) or "Nothing overdue"
        return None


def warning(row: TeamRow, late: OverdueOneOnOne | None, *, short: bool = False) -> str:
    """The overdue 1:1 and overdue action items, in words; "" when nothing is overdue.

    ``short`` is the chip's wording ("1:1 overdue 8d · 2 actions"), which fits
    beside a name in the narrow team list; the long one is read out.
    """
    parts = []
    if late is not None:
        days = late.days_overdue
        parts.append(f"1:1 overdue {days}d" if short else f"1:1 overdue by {days} day{'s' if days != 1 else ''}")
    if row.overdue_actions:
        count = row.overdue_actions
        noun = f"action{'s' if count != 1 else ''}"
        parts.append(f"{count} {noun}" if short and parts else f"{count} overdue {noun}")
    return " · ".join(parts)


def summary(row: TeamRow) -> str:
    parts = [f"last 1:1 {near_date(row.last_one_on_one)}" if row.last_one_on_one else "no 1:1 yet"]
    if row.days_since_last_note is None:
        parts.append("no notes")
    else:
        days = row.days_since_last_note
        parts.append("note today" if days == 0 else f"last note {days}d ago")
    if row.open_actions:
        overdue = f", {row.overdue_actions} overdue" if row.overdue_actions else ""
        parts.append(f"{row.open_actions} open{overdue}")
    return " · ".join(parts)


class TeamDelegate(QStyledItemDelegate):
    """Name in bold with any warning chip at its right, role beneath, and the attention line."""

    PADDING = 8

    def sizeHint(self, option, index) -> QSize:
        height = option.fontMetrics.height()  # as wide as the list: the text is elided to fit
        return QSize(0, height * 3 + self.PADDING * 2 + 4)

    def paint(self, painter, option, index) -> None:
        row: TeamRow = index.data(RowRole)
        style = option.widget.style() if option.widget else None
        if style:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        muted = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        line = option.fontMetrics.height()
        rect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        chip_width = self._warning_chip(painter, option, rect, index.data(ChipRole))
        name_rect = QRect(rect.left(), rect.top(), rect.width() - chip_width, line)
        self._text(painter, option, name_rect, row.person.name, group, bold)
        role = " · ".join(filter(None, [row.person.role, row.person.level,
                                       "archived" if row.person.archived else ""]))
        self._text(painter, option, QRect(rect.left(), rect.top() + line, rect.width(), line), role, group)
        attention = summary(row)
        self._text(painter, option, QRect(rect.left(), rect.top() + 2 * line + 2, rect.width(), line),
                   attention, muted)
        painter.restore()

    @staticmethod
    def _warning_chip(painter, option, rect: QRect, text: str) -> int:
        """Paint the warning at the top right of ``rect``; the width it took (0 for none)."""
        if not text:
            return 0
        small = chip_font(option.font)
        metrics = QFontMetrics(small)
        width = min(metrics.horizontalAdvance(text) + 14, rect.width() // 2)
        chip = QRect(rect.right() - width + 1, rect.top(), width, option.fontMetrics.height())
        painter.setFont(small)
        paint_chip(painter, chip, metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 14),
                   *kind_colours("concern", option.palette))
        return width + 6

    @staticmethod
    def _text(painter, option, rect, text, role, font=None) -> None:
        painter.setFont(font or option.font)
        painter.setPen(option.palette.color(role))
        elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)


class TeamPanel(QWidget):
    sig_person_selected = Signal(str)
    """The manager chose a person. Argument: the person's id."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._session = session
        self.model = TeamModel(self)
        self._build()
        session.sig_unlocked.connect(self.refresh)
        session.sig_locked.connect(self.clear)
        session.listen(self.on_data_changed, *REFRESHED_BY)

    def _build(self) -> None:
        self.view = QListView()
        self.view.setAccessibleName("Team")
        self.view.setModel(self.model)
        self.view.setItemDelegate(TeamDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.selectionModel().currentChanged.connect(self.on_current_changed)
        self.add_button = self._button("Add person…", "Add a team member", self.on_add)
        self.edit_button = self._button("Edit…", "Edit the selected person", self.on_edit)
        self.archive_button = self._button("Archive", "Archive or restore the selected person", self.on_archive)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.setAccessibleName("Show archived people")
        self.show_archived.toggled.connect(lambda _checked: self.refresh())
        buttons = QHBoxLayout()
        for widget in (self.add_button, self.edit_button, self.archive_button):
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        layout.addWidget(self.show_archived)

    def _button(self, text: str, accessible: str, handler) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(handler)
        return button

    # --- data ----------------------------------------------------------------

    def refresh(self) -> None:
        store = self._session.store
        if store is None:
            return self.clear()
        current = self.current_person_id()
        self.model.reset(team_overview(store, include_archived=self.show_archived.isChecked()),
                         overdue(store))
        self.select(current) if current else self._select_row(0)
        self._update_buttons()

    def clear(self) -> None:
        self.model.reset([])
        self._update_buttons()

    def on_data_changed(self, _notice) -> None:
        self.refresh()

    def current_person_id(self) -> str | None:
        row = self.view.currentIndex().data(RowRole)
        return row.person.id if row else None

    def select(self, person_id: str) -> None:
        row = self.model.row_of(person_id)
        self._select_row(row if row >= 0 else 0)

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row))

    def on_current_changed(self, current, _previous) -> None:
        self._update_buttons()
        row = current.data(RowRole) if current.isValid() else None
        if row is not None:
            self.sig_person_selected.emit(row.person.id)

    def _update_buttons(self) -> None:
        row = self.view.currentIndex().data(RowRole)
        self.add_button.setEnabled(self._session.store is not None)
        self.edit_button.setEnabled(row is not None)
        self.archive_button.setEnabled(row is not None)
        self.archive_button.setText("Restore" if row and row.person.archived else "Archive")

    # --- actions ---------------------------------------------------------------

    def on_add(self) -> None:
        dialog = PersonDialog(self._session.store, parent=self)
        if dialog.exec():
            self._session.changed(Change.PEOPLE)
            self.select(dialog.saved_person.id)

    def on_edit(self) -> None:
        person_id = self.current_person_id()
        if person_id:
            dialog = PersonDialog(self._session.store, person=self._session.store.people.get(person_id), parent=self)
            if dialog.exec():
                self._session.changed(Change.PEOPLE)

    def on_archive(self) -> None:
        row = self.view.currentIndex().data(RowRole)
        if row is None:
            return
        self._session.store.people.archive(row.person.id, not row.person.archived)
        self._session.changed(Change.PEOPLE)
