"""Qt item models over store query results (model/view, not widgets per row)."""

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from app.domain.records import Note, Person

PersonRole = Qt.ItemDataRole.UserRole + 1


class PeopleModel(QAbstractListModel):
    """The team list: one row per person, name with role and level beneath."""

    def __init__(self, people: list[Person] = (), parent=None):
        super().__init__(parent)
        self._people = list(people)

    def reset(self, people: list[Person]) -> None:
        self.beginResetModel()
        self._people = list(people)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._people)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        person = self._people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            detail = " · ".join(filter(None, [person.role, person.level]))
            return f"{person.name}\n{detail}" if detail else person.name
        if role == PersonRole:
            return person
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return person.name
        return None


class NotesModel(QAbstractListModel):
    """A person's notes, newest first, fetched a page at a time as the view scrolls."""

    PAGE = 200

    def __init__(self, fetch_page=None, parent=None):
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._notes: list[Note] = []
        self._exhausted = True

    def show(self, fetch_page) -> None:
        """``fetch_page(limit, offset)`` returns the next notes; start over from the top."""
        self.beginResetModel()
        self._fetch_page, self._notes, self._exhausted = fetch_page, [], fetch_page is None
        self.endResetModel()
        if self.canFetchMore():
            self.fetchMore()

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        page = self._fetch_page(self.PAGE, len(self._notes))
        self._exhausted = len(page) < self.PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self._notes), len(self._notes) + len(page) - 1)
            self._notes.extend(page)
            self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        note = self._notes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{note.date}  ·  {note.kind.replace('_', ' ')}\n{note.text}"
        return None
