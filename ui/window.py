"""The main window: the team on the left, the selected person's notes on the right.

The desktop issue grows this into the full window; until then it is the
minimal, real view of what is in the store.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel, QListView, QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from app.store import Store

from .models import NotesModel, PeopleModel, PersonRole


class MainWindow(QMainWindow):
    def __init__(self, store: Store):
        super().__init__()
        self._store = store
        self.setWindowTitle("Trellis")
        self.people_model = PeopleModel(parent=self)
        self.notes_model = NotesModel(parent=self)
        self.setCentralWidget(self._build())
        self.statusBar().showMessage(
            f"Data in {store.home} · key {'in the OS keychain' if store.key_mode == 'keychain' else 'behind your passphrase'} · nothing leaves this computer")
        self.refresh()

    def _build(self) -> QWidget:
        self.team_view = QListView()
        self.team_view.setAccessibleName("Team")
        self.team_view.setModel(self.people_model)
        self.team_view.setSpacing(4)
        self.team_view.selectionModel().currentChanged.connect(self.on_person_changed)
        self.notes_view = QListView()
        self.notes_view.setAccessibleName("Notes")
        self.notes_view.setModel(self.notes_model)
        self.notes_view.setWordWrap(True)
        self.notes_view.setSpacing(6)
        self.empty_label = QLabel(
            "No team members yet.\nImport your team with `trellis import FILE`.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self._team_page())
        return self.pages

    def _team_page(self) -> QWidget:
        self.person_title = QLabel()
        self.person_title.setStyleSheet("font-size: 18px; font-weight: 600;")
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.addWidget(self.person_title)
        layout.addWidget(self.notes_view)
        splitter = QSplitter()
        splitter.addWidget(self.team_view)
        splitter.addWidget(right)
        splitter.setSizes([320, 960])
        return splitter

    def refresh(self) -> None:
        people = self._store.people.list()
        self.people_model.reset(people)
        self.pages.setCurrentIndex(1 if people else 0)
        if people:
            self.team_view.setCurrentIndex(self.people_model.index(0))

    def on_person_changed(self, current, _previous) -> None:
        person = current.data(PersonRole) if current.isValid() else None
        if person is None:
            self.person_title.clear()
            self.notes_model.show(None)
            return
        count = self._store.notes.count_for_person(person.id)
        self.person_title.setText(f"{person.name} — {count} note{'s' if count != 1 else ''}")
        self.notes_model.show(
            lambda limit, offset: self._store.notes.for_person(person.id, limit=limit, offset=offset))
