"""One person: who they are, and tabs for their timeline, 1:1s, goals and reviews.

The 1:1s tab keeps the next agenda ready and runs the meeting; the Goals
tab tracks goals and their progress. The Reviews tab drafts reviews and
plans; a citation there opens its note in the Timeline tab.

Only the tab on screen is filled when a person is chosen; the others are
filled when first shown. The 1:1s, Goals and Reviews tabs are even built
(and their modules imported) only then, which keeps the window's start
fast: the Reviews tab alone reads every note of the period.
"""

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.domain.dates import short_date

from .notices import Change
from .timeline import TimelineView

LAZY_TABS = (("meetings_tab", "1:1s"), ("goals_tab", "Goals"), ("reviews_tab", "Reviews"))


class PersonPage(QWidget):
    def __init__(self, session, bridge=None, parent=None, *, undo_stack=None):
        super().__init__(parent)
        self._session, self._bridge = session, bridge
        self.person_id: str | None = None
        self._built: dict[str, QWidget] = {}
        self._stale: set[str] = set()  # tabs not yet filled for the person on show
        self._switching = False
        self.title = QLabel()
        self.title.setAccessibleName("Person")
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.subtitle = QLabel()
        self.timeline = TimelineView(session, undo_stack=undo_stack)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Person tabs")
        self.tabs.addTab(self.timeline, "Timeline")
        self._placeholders = {}
        for name, label in LAZY_TABS:
            self._placeholders[name] = QWidget()
            self.tabs.addTab(self._placeholders[name], label)
        self.tabs.currentChanged.connect(self.on_tab_shown)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs)
        session.sig_locked.connect(self.clear)
        session.listen(self.on_data_changed, Change.PEOPLE, Change.MEETINGS)

    # --- the tabs, built when first needed ----------------------------------------------

    @property
    def meetings_tab(self):
        return self._tab("meetings_tab")

    @property
    def goals_tab(self):
        return self._tab("goals_tab")

    @property
    def reviews_tab(self):
        return self._tab("reviews_tab")

    def _tab(self, name: str) -> QWidget:
        """The tab, built and filled for the person on show when first asked for."""
        if name not in self._built:
            self._build_tab(name)
        elif name in self._stale:
            self._fill(name)
        return self._built[name]

    def _build_tab(self, name: str) -> None:
        if name == "meetings_tab":
            from .one_on_ones_tab import OneOnOnesTab
            tab = OneOnOnesTab(self._session, self._bridge)
        elif name == "goals_tab":
            from .goals_tab import GoalsTab
            tab = GoalsTab(self._session)
        else:
            from .reviews_tab import ReviewsTab
            tab = ReviewsTab(self._session, self._bridge)
            tab.sig_open_note.connect(self.open_note)
        self._built[name] = tab
        placeholder = self._placeholders.pop(name)
        index, current = self.tabs.indexOf(placeholder), self.tabs.currentIndex()
        self._switching = True
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, tab, dict(LAZY_TABS)[name])
        self.tabs.setCurrentIndex(current)
        self._switching = False
        placeholder.deleteLater()
        if self.person_id is not None:  # built to be shown or used: filled now
            self._fill(name)

    def on_tab_shown(self, index: int) -> None:
        if self._switching:
            return
        widget = self.tabs.widget(index)
        for name, placeholder in list(self._placeholders.items()):
            if widget is placeholder:
                self._build_tab(name)
                return
        for name, tab in self._built.items():
            if tab is widget and name in self._stale:
                self._fill(name)

    def _fill(self, name: str) -> None:
        self._stale.discard(name)
        if self.person_id is not None and self._session.store is not None:
            self._built[name].set_person(self.person_id)

    # --- the person -----------------------------------------------------------------------

    def show_person(self, person_id: str) -> None:
        store = self._session.store
        if store is None:
            return
        person = store.people.get(person_id)
        self.person_id = person.id
        self.title.setText(person.name + ("  (archived)" if person.archived else ""))
        since = f"since {short_date(person.start_date, year=True)}" if person.start_date else ""
        self.subtitle.setText(" · ".join(filter(None, [person.role, person.level, since])))
        self.timeline.show_person(person.id)
        self._stale = set(self._built)
        current = self.tabs.currentWidget()
        for name, tab in self._built.items():
            if tab is current:
                self._fill(name)

    def on_data_changed(self, notice) -> None:
        if self.person_id and notice.concerns(self.person_id):
            self.show_person(self.person_id)

    def open_note(self, note_id: str) -> None:
        """Show a cited note where it lives: selected in the Timeline tab."""
        self.tabs.setCurrentWidget(self.timeline)
        self.timeline.select_note(note_id)

    def clear(self) -> None:
        self.person_id = None
        self._stale.clear()
        self.title.clear()
        self.subtitle.clear()
        self.timeline.clear()
        for tab in self._built.values():
            tab.clear()
