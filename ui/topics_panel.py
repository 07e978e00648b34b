"""Suggested topics for the next 1:1, in the 1:1s tab: asked of the model, answered by the manager.

"Suggest topics" sends ``suggest_topics`` to the model thread through the
bridge (the window never waits on the model); the topics come back saved
in the store, each citing the note, goal or action it was worded from.
The list shows each topic with a "from: …" line naming that record, so the
manager can judge it before it reaches the agenda. Accept (Enter) puts it
on the next agenda as a suggested point; Dismiss (Delete) hides it for
good — the store keeps the answer, so it is never suggested again. No
model, or a model that fails, is a sentence under the list, never a dialog.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListView, QStyle, QStyledItemDelegate,
                               QVBoxLayout, QWidget)

from app.errors import NotFound, TrellisError
from app.llm.engine import Engine, StopFlag
from app.services.topics import TopicSuggestions, suggest_topics

from .assistant import STATE_TEXT
from .controls import push_button, selectable_label
from . import operations
from .operations import Operation, on_model
from .model_bridge import STOPPED, ModelBridge, Task

TopicRole = Qt.ItemDataRole.UserRole + 1
"""The row's ``TopicSuggestion``."""
FromRole = Qt.ItemDataRole.UserRole + 2
"""What the topic came from, in words: "from: note of 12 Mar — Ana led the incident review…"."""
ACCEPT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DISMISS_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
EXCERPT_CHARS = 70
EMPTY_HINT = ("No topics waiting. \"Suggest topics\" asks the on-device model to word topics from "
              "notes since the last 1:1, goals at risk or due soon, and overdue actions.")
PAD = 6


def topics_task(store, person_id: str, *, prompts_dir: Path | None) -> Task:
    """A bridge job: word new topics for the person's next 1:1 (saved as suggested) and list them.

    A topic the model worded as nothing but the person's name gets its record's own words
    (``app.services.topics.says_only_the_name``).
    """
    def task(engine: Engine, stop: StopFlag, _on_piece: Callable[[str], None]):
        from app.llm.prompts import PromptLibrary  # jinja2 loads with the first prompt
        library = PromptLibrary(user_dir=prompts_dir) if prompts_dir else PromptLibrary()
        with store.for_this_thread() as own:  # the window's connection is the window's
            suggest_topics(own, engine, library, person_id, stop=stop)
            return TopicSuggestions(own).pending(person_id)
    return task


def short_date(iso: str | None) -> str:
    """``2026-03-12`` as "12 Mar", how a manager says it ("" for no date)."""
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%b')}"


def excerpt(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= EXCERPT_CHARS else words[:EXCERPT_CHARS - 1].rstrip() + "…"


def source_line(store, key: str, *, quote: bool = True) -> str:
    """Where a topic came from, as the manager would say it; a record gone since is said so.

    ``quote`` adds the start of the record's words; a topic that already is
    those words (the checker's fallback) says "in its own words" instead.
    """
    kind, _, record_id = key.partition(":")
    try:
        if kind == "note":
            note = store.notes.get(record_id)
            return f"from: note of {short_date(note.date)}{_quoted(note.text, quote)}"
        if kind == "goal":
            goal = store.goals.get(record_id)
            why = "at risk" if goal.status == "at_risk" else f"due {short_date(goal.due)}"
            return f"from: goal “{excerpt(goal.title)}” ({why})"
        if kind == "action":
            action = store.actions.get(record_id)
            return f"from: action overdue since {short_date(action.due)}{_quoted(action.text, quote)}"
    except NotFound:
        return f"from: {'an' if kind == 'action' else 'a'} {kind} that has since been deleted"
    return f"from: {key}"


def _quoted(text: str, quote: bool) -> str:
    return f" — {excerpt(text)}" if quote else ", in its own words"


class TopicsModel(QAbstractListModel):
    """The person's topics awaiting an answer, oldest first."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._topics: list = []
        self._sources: list[str] = []

    def reset(self, topics, sources) -> None:
        self.beginResetModel()
        self._topics, self._sources = list(topics), list(sources)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._topics)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._topics):
            return None
        topic, source = self._topics[index.row()], self._sources[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return topic.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Suggested topic: {topic.text}, {source}. Enter accepts, Delete dismisses."
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{source}\nEnter: add to the next agenda · Delete: dismiss for good"
        if role == FromRole:
            return source
        return topic if role == TopicRole else None


class TopicDelegate(QStyledItemDelegate):
    """The topic in bold, then what it came from in a quieter colour; both wrap, nothing is cut."""

    def sizeHint(self, option, index) -> QSize:
        width = self._width(option)
        topic, source = self._heights(option.font, index, width - 2 * PAD)
        return QSize(width, topic + source + 3 * PAD)

    def paint(self, painter, option, index) -> None:
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.highlight())
        rect = option.rect.adjusted(PAD, PAD, -PAD, -PAD)
        topic, source = self._heights(option.font, index, rect.width())
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        quiet_role = text_role if selected else QPalette.ColorRole.PlaceholderText
        self._text(painter, QRect(rect.left(), rect.top(), rect.width(), topic), _bold(option.font),
                   option.palette.color(text_role), index.data())
        self._text(painter, QRect(rect.left(), rect.top() + topic + PAD, rect.width(), source),
                   option.font, option.palette.color(quiet_role), index.data(FromRole))
        painter.restore()

    def _width(self, option) -> int:
        """The viewport's width, leaving room for a scroll bar that may yet appear (no sideways bar)."""
        view = self.parent()
        if not isinstance(view, QListView):
            return max(option.rect.width(), 120)
        bar = view.verticalScrollBar()
        return max(view.viewport().width() - (0 if bar.isVisible() else bar.sizeHint().width()), 120)

    @staticmethod
    def _heights(font, index, text_width: int) -> tuple[int, int]:
        def height(of_font, text) -> int:
            bounds = QFontMetrics(of_font).boundingRect(QRect(0, 0, max(text_width, 60), 10_000),
                                                        int(Qt.TextFlag.TextWordWrap), text or "")
            return bounds.height()
        return height(_bold(font), index.data()), height(font, index.data(FromRole))

    @staticmethod
    def _text(painter, rect, font, colour, text) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, text or "")


def _bold(font) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


class TopicsPanel(QWidget):
    """Suggest, accept and dismiss topics for one person's next 1:1."""

    sig_answered = Signal(str, bool)
    """The manager answered a topic. Arguments: its key, True when accepted."""

    def __init__(self, session, bridge: ModelBridge, parent=None):
        super().__init__(parent)
        self._session, self._bridge = session, bridge
        self.person_id: str | None = None
        self._on_agenda: frozenset[str] = frozenset()
        self._operation: Operation | None = None
        self._build()
        self._connect()

    def _build(self) -> None:
        self.suggest = push_button("Suggest topics", "Ask the on-device model for topics from notes "
                                   "since the last 1:1, goals at risk or due soon, and overdue actions")
        self.stop = push_button("Stop", "Stop the model; topics worded so far are kept")
        self.accept = push_button("Accept", "Add the selected topic to the next agenda (Enter)")
        self.dismiss = push_button("Dismiss", "Hide the selected topic for good (Delete)")
        self.state_label = selectable_label("Topics model state")
        self.model = TopicsModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(TopicDelegate(self.view))
        self.view.setResizeMode(QListView.ResizeMode.Adjust)    # wrapped topics re-wrap on resize
        self.view.setWordWrap(True)  # without it a list flowing down re-lays out only when its
        # height changes: narrowed by the Assistant, rows kept their old heights and overlapped
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setAccessibleName("Suggested topics")
        self.view.installEventFilter(self)
        self.message = QLabel()
        self.message.setAccessibleName("Suggested topics message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for widget in (self.suggest, self.stop, self.state_label, self.accept, self.dismiss):
            buttons.addWidget(widget, 1 if widget is self.state_label else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Suggested topics"))
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        layout.addWidget(self.message)

    def _connect(self) -> None:
        bridge = self._bridge
        bridge.sig_state_changed.connect(self.on_state_changed)
        self.suggest.clicked.connect(self.run_suggestions)
        self.stop.clicked.connect(self.on_stop)
        self.accept.clicked.connect(lambda: self.answer(accept=True))
        self.dismiss.clicked.connect(lambda: self.answer(accept=False))
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self._session.sig_locked.connect(self.on_locked)

    # --- showing -------------------------------------------------------------------

    def set_person(self, person_id: str, *, on_agenda: frozenset[str] = frozenset()) -> None:
        """Show the person's topics; ``on_agenda`` holds the keys ("goal:ID", "action:ID") of
        records the next agenda already lists, so their topics can say so."""
        if person_id != self.person_id:
            self.message.clear()
        self.person_id, self._on_agenda = person_id, frozenset(on_agenda)
        self.refresh()

    def refresh(self) -> None:
        store = self._session.store
        if store is None or self.person_id is None:
            self.model.reset([], [])
        else:
            topics = TopicSuggestions(store).pending(self.person_id)
            self.model.reset(topics, [self._source_line(store, t) for t in topics])
            if topics and not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.model.index(0))
        if not self.model.rowCount() and not self.message.text() and self.person_id:
            self.message.setText(EMPTY_HINT)
        self._update_buttons()

    def _source_line(self, store, topic) -> str:
        line = source_line(store, topic.key, quote=topic.wording != "fallback")
        return line + " · accepting rewords its agenda point" if topic.key in self._on_agenda else line

    def clear(self) -> None:
        self.person_id, self._on_agenda = None, frozenset()
        self.message.clear()
        self.refresh()

    # --- asking the model ---------------------------------------------------------------

    def run_suggestions(self) -> Operation | None:
        """Start "Suggest topics"; the operation, or None if nothing started."""
        store = self._session.store
        if store is None or self.person_id is None or self._busy:
            return None
        self.message.setText("")
        task = topics_task(store, self.person_id, prompts_dir=Path(store.home) / "prompts")
        self._operation = on_model(self._bridge, task, done=self.on_finished,
                                   failed=self.on_failed, ended=self.on_job_ended)
        self._update_buttons()
        return self._operation

    @Slot()
    def on_stop(self) -> None:
        operations.stop(self._operation)

    @property
    def _busy(self) -> bool:
        return operations.is_running(self._operation)

    @Slot(str, str)
    def on_state_changed(self, state: str, detail: str) -> None:
        self.state_label.setText(STATE_TEXT.get(state, state).format(detail=detail) if self._busy else "")

    @Slot(object)
    def on_finished(self, topics: object) -> None:
        self.refresh()
        if not topics:
            self.message.setText("Nothing new to suggest: no notes since the last 1:1, no goals at "
                                 "risk or due soon, no overdue actions that were not already answered.")

    @Slot(str)
    def on_failed(self, reason: str) -> None:
        self.message.setText(f"The model could not suggest topics: {reason}")

    @Slot()
    def on_job_ended(self) -> None:
        if self._bridge.state == STOPPED:
            self.message.setText("Stopped. Topics the model worded before stopping are kept.")
            self.refresh()
        self.state_label.setText("")
        self._update_buttons()

    # --- the manager's answer -----------------------------------------------------------

    def answer(self, *, accept: bool) -> bool:
        """Accept or dismiss the selected topic; the store keeps the answer."""
        store, topic = self._session.store, self.view.currentIndex().data(TopicRole)
        if store is None or topic is None:
            return False
        if self._busy:  # the model thread is saving topics; one writer at a time
            self.message.setText("Wait until the model has finished suggesting, or stop it.")
            return False
        row = self.view.currentIndex().row()
        try:
            decide = TopicSuggestions(store).accept if accept else TopicSuggestions(store).dismiss
            decide(topic.person_id, topic.key)
        except TrellisError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText(("Added to the next agenda: " if accept else "Dismissed: ") + topic.text)
        self.refresh()
        self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))
        self.sig_answered.emit(topic.key, accept)
        return True

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            if event.key() in ACCEPT_KEYS + DISMISS_KEYS:
                self.answer(accept=event.key() in ACCEPT_KEYS)
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def on_locked(self) -> None:
        if self._operation is not None:
            self._operation.abandon()
        self._operation = None
        self.clear()

    # --- helpers --------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.view.currentIndex().isValid()
        open_store = self._session.store is not None and self.person_id is not None
        self.suggest.setEnabled(open_store and not self._busy)
        self.stop.setEnabled(self._busy)
        self.accept.setEnabled(chosen and not self._busy)
        self.dismiss.setEnabled(chosen and not self._busy)
