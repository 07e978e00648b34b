"""The 1:1s tab: the next agenda, always ready, a way to start the 1:1, and the past ones.

Each point of the next agenda says who raised it and why it is there
(carried over from an earlier 1:1, an open action, a goal, the template,
a topic the manager accepted). "Start 1:1" stores those points on a new
meeting and opens the focused meeting view; a past 1:1 opens the same way,
and one not ended yet says "in progress". Deleting a 1:1 started by
mistake comes back here and says what happened.
"Share agenda…" copies or saves the points the manager picks as Markdown,
never the notes. Beside the agenda, suggested topics: the model words them
on its own thread from the person's records, and each one the manager
accepts joins the next agenda.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from app.domain.dates import near_date, today_iso
from app.errors import InvalidInput, NotFound
from app.services.agenda import next_agenda, start_meeting
from app.services.agenda_templates import DEFAULT_TEMPLATE, AgendaTemplates

from app.services.agenda_words import overdue_since, point_line

from .notices import Change
from .agenda_share import ShareAgendaDialog, allow_sharing
from .chips import kind_colours
from .controls import column, push_button
from .meeting_view import MeetingView
from .model_bridge import ModelBridge
from .topics_panel import TopicsPanel

MeetingIdRole = Qt.ItemDataRole.UserRole
SHARE_TIP = "Choose points and copy or save them as Markdown (never your notes)"


class OneOnOnesTab(QWidget):
    sig_meeting_started = Signal(str)
    """A 1:1 was started from the next agenda. Argument: the meeting id."""

    def __init__(self, session, bridge: ModelBridge | None = None, parent=None):
        super().__init__(parent)
        self._session = session
        self.topics = TopicsPanel(session, bridge or ModelBridge(parent=self))
        self.topics.sig_answered.connect(lambda _key, _accepted: session.changed(Change.AGENDA))
        self.person_id: str | None = None
        self.entries: list = []
        self.meeting_view = MeetingView(session)
        self.meeting_view.sig_closed.connect(self.on_meeting_closed)
        self.meeting_view.sig_deleted.connect(self.on_meeting_deleted)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._overview())
        self.pages.addWidget(self.meeting_view)
        QVBoxLayout(self).addWidget(self.pages)
        session.listen(self.on_data_changed, Change.AGENDA, Change.ACTIONS, Change.GOALS,
                       Change.MEETINGS, Change.NOTES)

    def _overview(self) -> QWidget:
        self.agenda = QListWidget()
        self.agenda.setAccessibleName("Next agenda")
        self.agenda.setWordWrap(True)
        self.agenda.setSpacing(3)
        self.message = QLabel()
        self.message.setAccessibleName("1:1s message")
        self.message.setWordWrap(True)
        self.meetings = QListWidget()
        self.meetings.setAccessibleName("Past 1:1s")
        self.meetings.setToolTip("Enter or double-click opens the 1:1")
        self.meetings.itemActivated.connect(self.on_meeting_activated)
        next_one = column(QLabel("Next 1:1"), self._agenda_controls(), self.agenda, self.message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(next_one)
        self.splitter.addWidget(self.topics)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        page = column(self.splitter, QLabel("Past 1:1s"), self.meetings)
        page.layout().setStretch(0, 3)
        page.layout().setStretch(2, 1)
        return page

    def _agenda_controls(self) -> QWidget:
        self.template = QComboBox()
        self.template.setAccessibleName("Agenda template")
        self.template.currentIndexChanged.connect(self.on_template_chosen)
        self.start = push_button("Start 1:1", "Start today's 1:1 with this agenda and open it")
        self.start.clicked.connect(self.on_start)
        self.share = push_button("Share agenda…", SHARE_TIP)
        self.share.clicked.connect(self.on_share)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for widget in (self.template, self.start, self.share):
            line.addWidget(widget)
        line.addStretch(1)
        return row

    # ------------------------------------------------------------------ showing

    def set_person(self, person_id: str) -> None:
        """Show the person's next agenda and past 1:1s; a different person closes an open 1:1."""
        if person_id != self.person_id:
            self.meeting_view.save_notes()
            self.pages.setCurrentIndex(0)
        self.person_id = person_id
        self._fill_templates()
        self.refresh()

    def _fill_templates(self) -> None:
        chosen = self.template.currentData() if self.template.count() else DEFAULT_TEMPLATE
        self.template.blockSignals(True)
        self.template.clear()
        self.template.addItem("No template", None)
        for listed in AgendaTemplates().list():
            self.template.addItem(listed.title or f"{listed.name} (cannot be read)", listed.name)
            if listed.error:
                self.template.setItemData(self.template.count() - 1, listed.error,
                                          Qt.ItemDataRole.ToolTipRole)
        self.template.setCurrentIndex(max(0, self.template.findData(chosen)))
        self.template.blockSignals(False)

    def refresh(self) -> None:
        store = self._session.store
        if store is None or self.person_id is None:
            return
        self._show_agenda(store)
        self._show_meetings(store)
        self.topics.set_person(self.person_id, on_agenda=listed_records(self.entries))

    def _show_agenda(self, store) -> None:
        self.message.clear()
        try:
            self.entries = next_agenda(store, self.person_id, template=self.template.currentData())
        except (InvalidInput, NotFound) as exc:
            self.entries = next_agenda(store, self.person_id)
            self.message.setText(str(exc))
        dates = {m.id: m.date for m in store.meetings.for_person(self.person_id)}
        self.agenda.clear()
        due = {a.id: a.due for a in store.actions.open_for_person(self.person_id)}
        today = today_iso()
        for entry in self.entries:
            late_since = overdue_since(entry, due, today)
            item = QListWidgetItem(point_line(entry, dates, late_since))
            if late_since:
                item.setForeground(kind_colours("concern", self.agenda.palette())[1])
            self.agenda.addItem(item)
        allow_sharing(self.share, tooltip=SHARE_TIP, has_points=bool(self.entries))
        if not self.entries:
            first = store.people.get(self.person_id).name.split()[0]
            self.agenda.addItem(f"Nothing carried over for {first}; choose a template or add "
                                "points once the 1:1 starts.")

    def _show_meetings(self, store) -> None:
        self.meetings.clear()
        for meeting in store.meetings.for_person(self.person_id):
            row = QListWidgetItem(meeting_line(meeting))
            row.setData(MeetingIdRole, meeting.id)
            self.meetings.addItem(row)
        if not self.meetings.count():
            first = store.people.get(self.person_id).name.split()[0]
            self.meetings.addItem(f"No 1:1s recorded with {first} yet.")

    # ------------------------------------------------------------------ handlers

    def on_template_chosen(self, _index: int) -> None:
        self.refresh()

    def on_start(self) -> None:
        store = self._session.store
        if store is None or self.person_id is None:
            return
        try:
            meeting = start_meeting(store, self.person_id, template=self.template.currentData())
        except (InvalidInput, NotFound) as exc:
            self.message.setText(str(exc))
            return
        self.open_meeting(meeting.id)
        self.sig_meeting_started.emit(meeting.id)
        self._session.changed(Change.MEETINGS, person_id=self.person_id)

    def on_meeting_activated(self, row: QListWidgetItem) -> None:
        meeting_id = row.data(MeetingIdRole)
        if meeting_id:
            self.open_meeting(meeting_id)

    def open_meeting(self, meeting_id: str) -> None:
        """Show one 1:1 in the focused meeting view."""
        self.meeting_view.show_meeting(meeting_id)
        self.pages.setCurrentWidget(self.meeting_view)

    def on_meeting_closed(self) -> None:
        self.pages.setCurrentIndex(0)
        self.refresh()
        self.meetings.setFocus()

    def on_meeting_deleted(self, what_happened: str) -> None:
        self.on_meeting_closed()
        self.message.setText(what_happened)

    def on_share(self) -> None:
        name = self._session.store.people.get(self.person_id).name
        self.share_dialog = ShareAgendaDialog(self.entries, title=f"1:1 agenda: {name}",
                                              first_name=name.split()[0], parent=self)
        self.share_dialog.open()

    def on_data_changed(self, notice) -> None:
        if notice.concerns(self.person_id):
            self.refresh()

    def clear(self) -> None:
        self.person_id = None
        self.entries = []
        self.meeting_view.clear()
        self.topics.clear()
        self.pages.setCurrentIndex(0)
        for widget in (self.agenda, self.meetings, self.message):
            widget.clear()


def listed_records(entries) -> frozenset[str]:
    """The goals and actions the agenda already lists, as topic keys ("goal:ID", "action:ID")."""
    return frozenset([f"action:{e.action_id}" for e in entries if e.action_id]
                     + [f"goal:{e.goal_id}" for e in entries if e.goal_id])


def meeting_line(meeting) -> str:
    notes = " ".join(meeting.notes.split())
    notes = notes[:80] + "…" if len(notes) > 80 else notes or "no notes"
    done = sum(item.status == "done" for item in meeting.agenda)
    points = f"  ({done}/{len(meeting.agenda)} points done)" if meeting.agenda else ""
    ended = "" if meeting.ended else "  · in progress"
    return f"{near_date(meeting.date)}  —  {notes}{points}{ended}"
