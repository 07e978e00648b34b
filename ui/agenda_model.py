"""A meeting's agenda as a Qt list model: the one place its points are ticked, dropped and moved.

The meeting view shows it in a ``QListView``. Dragging a point and pressing
Alt+Up/Alt+Down both end in ``moveRows``, which writes the new order with
``store.meetings.move_item`` before the view changes, so what the manager
sees is always what is stored. Ticking a point's box (mouse or Space)
goes through ``set_status`` the same way. ``removeRows`` is deliberately
not offered: a drag that Qt reports as a move must never delete a point.
"""

from PySide6.QtCore import QAbstractListModel, QByteArray, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from app.errors import InvalidInput, NotFound
from app.services.agenda_words import OWNER_WORDS
AGENDA_ROW_MIME = "application/x-trellis-agenda-point"
StatusRole = Qt.ItemDataRole.UserRole
"""The point's status: "open", "done" or "dropped"."""
PointRole = Qt.ItemDataRole.UserRole + 1
"""The point itself (an ``AgendaItem``)."""


def point_line(item) -> str:
    """One point as the manager reads it: the text, who raised it, and whether it was dropped."""
    dropped = "  (dropped)" if item.status == "dropped" else ""
    return f"{item.text}  —  {OWNER_WORDS.get(item.owner, item.owner)}{dropped}"


class MeetingAgendaModel(QAbstractListModel):
    """The points of one stored meeting, in their stored order."""

    sig_agenda_changed = Signal()
    """A point was ticked, dropped or moved and the store has it (no arguments)."""

    sig_refused = Signal(str)
    """The store refused a change. Argument: the reason, fit to show the manager."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._session = session
        self.meeting_id: str | None = None
        self._points: list = []

    def show(self, meeting) -> None:
        """Show ``meeting``'s points (``None`` shows nothing)."""
        self.beginResetModel()
        self.meeting_id = meeting.id if meeting else None
        self._points = list(meeting.agenda) if meeting else []
        self.endResetModel()

    @property
    def points(self) -> list:
        return list(self._points)

    # --- reading --------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._points)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._points):
            return None
        item = self._points[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return point_line(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{point_line(item)}, {item.status}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.status == "done" else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole and item.status == "dropped":
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == StatusRole:
            return item.status
        return item if role == PointRole else None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled    # drops land between points, never on one
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)

    # --- ticking ----------------------------------------------------------------

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        done = Qt.CheckState(value) == Qt.CheckState.Checked
        return self.set_status(index.row(), "done" if done else "open")

    def set_status(self, row: int, status: str) -> bool:
        """Mark point ``row`` (from 0) open, done or dropped in the store, then show it."""
        meeting = self._write(lambda store: store.meetings.set_item_status(self.meeting_id, row + 1,
                                                                           status))
        if meeting is None:
            return False
        self._points = list(meeting.agenda)
        self.dataChanged.emit(self.index(0), self.index(len(self._points) - 1))
        self.sig_agenda_changed.emit()
        return True

    # --- moving -----------------------------------------------------------------

    def moveRows(self, source_parent, source_row: int, count: int, destination_parent,
                 destination_child: int) -> bool:
        """Move one point so it sits before ``destination_child`` (Qt's convention)."""
        if count != 1 or source_parent.isValid() or destination_parent.isValid():
            return False
        if not 0 <= source_row < len(self._points):
            return False
        to = min(max(destination_child, 0), len(self._points))
        to = to - 1 if to > source_row else to
        if to == source_row:
            return False
        return self._move(source_row, to)

    def move_point(self, row: int, step: int) -> bool:
        """Move point ``row`` one place up (-1) or down (+1); the keyboard's way in."""
        to = row + step
        if not 0 <= to < len(self._points):
            return False
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to + 1 if step > 0 else to)

    def _move(self, row: int, to: int) -> bool:
        meeting = self._write(lambda store: store.meetings.move_item(self.meeting_id, row + 1, to + 1))
        if meeting is None:
            return False
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if to > row else to)
        self._points = list(meeting.agenda)
        self.endMoveRows()
        self.sig_agenda_changed.emit()
        return True

    # --- drag and drop ------------------------------------------------------------

    def supportedDropActions(self):
        return Qt.DropAction.MoveAction

    def supportedDragActions(self):
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [AGENDA_ROW_MIME]

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data.setData(AGENDA_ROW_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return action == Qt.DropAction.MoveAction and len(_dragged_rows(data)) == 1

    def dropMimeData(self, data, action, row: int, column: int, parent) -> bool:
        """A point dropped between others: the same move as Alt+Up/Alt+Down."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._points)
        return self.moveRows(QModelIndex(), _dragged_rows(data)[0], 1, QModelIndex(), row)

    # --- the store ------------------------------------------------------------------

    def _write(self, change):
        store = self._session.store
        if store is None or self.meeting_id is None:
            return None
        try:
            return change(store)
        except (InvalidInput, NotFound) as exc:
            self.sig_refused.emit(str(exc))
            return None


def _dragged_rows(data) -> list[int]:
    if data is None or not data.hasFormat(AGENDA_ROW_MIME):
        return []
    text = bytes(data.data(AGENDA_ROW_MIME)).decode()
    return [int(part) for part in text.split(",") if part.isdigit()]
