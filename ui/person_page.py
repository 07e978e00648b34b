"""One person: who they are, and tabs for their timeline, 1:1s, goals and reviews.

The 1:1s tab keeps the next agenda ready and runs the meeting; the Goals
tab tracks goals and their progress. The Reviews tab drafts reviews and
plans; a citation there opens its note in the Timeline tab.
"""

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from .notices import Change
from .goals_tab import GoalsTab
from .one_on_ones_tab import OneOnOnesTab
from .reviews_tab import ReviewsTab
from .timeline import TimelineView


class PersonPage(QWidget):
    def __init__(self, session, bridge=None, parent=None):
        super().__init__(parent)
        self._session = session
        self.person_id: str | None = None
        self.title = QLabel()
        self.title.setAccessibleName("Person")
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.subtitle = QLabel()
        self.timeline = TimelineView(session)
        self.meetings_tab, self.goals_tab = OneOnOnesTab(session, bridge), GoalsTab(session)
        self.reviews_tab = ReviewsTab(session, bridge)
        self.reviews_tab.sig_open_note.connect(self.open_note)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Person tabs")
        for widget, name in ((self.timeline, "Timeline"), (self.meetings_tab, "1:1s"),
                             (self.goals_tab, "Goals"), (self.reviews_tab, "Reviews")):
            self.tabs.addTab(widget, name)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs)
        session.sig_locked.connect(self.clear)
        session.listen(self.on_data_changed, Change.PEOPLE, Change.MEETINGS)

    def show_person(self, person_id: str) -> None:
        store = self._session.store
        if store is None:
            return
        person = store.people.get(person_id)
        self.person_id = person.id
        self.title.setText(person.name + ("  (archived)" if person.archived else ""))
        since = f"since {person.start_date}" if person.start_date else ""
        self.subtitle.setText(" · ".join(filter(None, [person.role, person.level, since])))
        self.timeline.show_person(person.id)
        self._fill_tabs(person)
        self.reviews_tab.set_person(person.id)

    def _fill_tabs(self, person) -> None:
        self.meetings_tab.set_person(person.id)
        self.goals_tab.set_person(person.id)

    def on_data_changed(self, notice) -> None:
        if self.person_id and notice.concerns(self.person_id):
            self.show_person(self.person_id)

    def open_note(self, note_id: str) -> None:
        """Show a cited note where it lives: selected in the Timeline tab."""
        self.tabs.setCurrentWidget(self.timeline)
        self.timeline.select_note(note_id)

    def clear(self) -> None:
        self.person_id = None
        self.title.clear()
        self.subtitle.clear()
        self.timeline.clear()
        for tab in (self.meetings_tab, self.goals_tab, self.reviews_tab):
            tab.clear()
