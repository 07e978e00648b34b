"""The assistant panel: what the model is doing, its text as it streams in, and its answers.

Why this module exists: the manager must always see whether the model is
loading, working or stuck, be able to stop it, and watch its text arrive
instead of staring at a frozen window. The only action so far is "Key
points from recent notes": the panel picks the person's notes of the last
90 days itself (the model never chooses its evidence), runs the whole
digest on the model thread through the ``ModelBridge``, streams the raw
replies, and shows each key point with the ids of the notes it cites.

Note text and key points are team data: locking clears the panel and
stops the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QVBoxLayout, QWidget,
)

from app.llm.engine import Engine, StopFlag

from .controls import push_button, selectable_label
from . import operations
from .operations import Operation, on_model
from .model_bridge import FAILED, GENERATING, LOADING, NOT_LOADED, READY, STOPPED, ModelBridge, Task
from .session import Session

if TYPE_CHECKING:  # jinja2, the digest and the token budget load with the first key points
    from app.assist.digest import NoteText
    from app.llm.budget import Outcome
    from app.llm.prompts import RenderedPrompt
    from app.services.key_points import CheckedPoints

RECENT_DAYS = 90
NOTE_PAGE = 200
STATE_TEXT = {
    NOT_LOADED: "Not loaded — the model loads when first used",
    LOADING: "Loading…",
    READY: "Ready",
    GENERATING: "Generating…",
    STOPPED: "Stopped",
    FAILED: "Failed: {detail}",
}


# --- the work, run on the model thread -----------------------------------------

def recent_notes(store, person_id: str, *, days: int = RECENT_DAYS,
                 today: dt.date | None = None) -> "list[NoteText]":
    """The person's notes of the last ``days`` days, oldest first, as the model may see them:
    no personal note, and no personal sentence (``shareable_text``)."""
    cutoff = ((today or dt.date.today()) - dt.timedelta(days=days)).isoformat()
    recent, offset = [], 0
    while page := store.notes.for_person(person_id, limit=NOTE_PAGE, offset=offset):
        fresh = [note for note in page if note.date >= cutoff]  # the page is newest first
        recent += fresh
        if len(fresh) < len(page):
            break
        offset += len(page)
    from app.reviews.reading import shareable_text  # the word lists load with the first use
    shown = [(note, shareable_text(note)) for note in reversed(recent)]
    from app.assist.digest import NoteText
    return [NoteText(note.id, note.date, text) for note, text in shown if text]


def streaming_ask(engine: Engine, stop: StopFlag, on_piece: Callable[[str], None],
                  max_tokens: int | None = None) -> "Callable[[RenderedPrompt], object]":
    """``digest_notes``'s ``ask``, streaming each reply and honouring Stop between calls."""
    from app.assist.digest import REPLY_TOKENS, ask_json
    max_tokens = REPLY_TOKENS if max_tokens is None else max_tokens
    def ask(prompt: RenderedPrompt):
        if stop.is_set():
            return None
        value = ask_json(engine, prompt, max_tokens, stop=stop, on_piece=on_piece)
        on_piece("\n")
        return value
    return ask


@dataclass(frozen=True)
class KeyPointsResult:
    """What the model wrote (``outcome``), what passed the meaning checks, and the notes."""

    outcome: "Outcome"
    checked: "CheckedPoints"
    notes: "tuple[NoteText, ...]"


def key_points_task(*, person: str, notes: "list[NoteText]", prompts_dir: Path | None,
                    other_people: tuple[str, ...] = ()) -> Task:
    """A bridge job: the key points of ``notes``, map-reduced if they do not fit, each held
    to what its notes mean (``app.services.key_points``)."""
    def task(engine: Engine, stop: StopFlag, on_piece: Callable[[str], None]) -> KeyPointsResult:
        from app.assist.digest import digest_notes
        from app.llm.prompts import PromptLibrary
        from app.services.key_points import checked_points
        library = PromptLibrary(user_dir=prompts_dir) if prompts_dir else PromptLibrary()
        outcome = digest_notes(engine, library, person=person, notes=notes,
                               ask=streaming_ask(engine, stop, on_piece))
        checked = checked_points(outcome.value or [], notes, person=person,
                                 other_people=other_people)
        return KeyPointsResult(outcome, checked, tuple(notes))
    return task


def render_key_points(result: KeyPointsResult) -> str:
    """One line per point with the dates of its notes, what was left out and why, and how
    the notes were split, if they were."""
    from app.services.key_points import cited_dates
    checked, outcome = result.checked, result.outcome
    lines = [f"• {p.text} ({cited_dates(p, result.notes)})" for p in checked.kept]
    if not lines and not checked.left_out:
        lines = ["The model found no key point it could tie to a note."]
    if checked.left_out:
        one = checked.left_out == 1
        lines += ([""] if lines else []) + [
            f"{checked.left_out} {'point' if one else 'points'} the model wrote "
            f"{'was' if one else 'were'} left out: {'it' if one else 'they'} said what "
            f"{'its' if one else 'their'} notes do not. Read the notes in the timeline."]
    if outcome.was_split:
        lines += ["", outcome.describe()]
    return "\n".join(lines)


# --- the panel ---------------------------------------------------------------------

class AssistantPanel(QWidget):
    """Model name and state, Stop (Esc), the streaming text and the key points."""

    def __init__(self, session: Session, bridge: ModelBridge, parent=None):
        super().__init__(parent)
        self._session, self._bridge = session, bridge
        self._person_id: str | None = None
        self._person_name = ""
        self._operation: Operation | None = None
        self._rate = 0.0
        self.setAccessibleName("Assistant")
        self._build()
        self._connect()
        self.set_person(None)
        self.on_state_changed(bridge.state, bridge.detail)

    def _build(self) -> None:
        self.model_label = selectable_label("Model", "")
        self.state_label = selectable_label("Model state", "")
        self.load_progress = QProgressBar()
        self.load_progress.setAccessibleName("Model loading progress")
        self.load_progress.setRange(0, 100)
        self.load_progress.hide()
        self.person_label = selectable_label("Person", "")
        self.key_points_button = push_button("Key points",  # short: the panel stays narrow
                                         "Key points from the person's notes of the last 90 days")
        self.stop_button = push_button("Stop", "Stop the model (Esc)")
        self.stream_view = _text_view("Model output")
        self.points_view = _text_view("Key points")
        self.setLayout(self._layout())

    def _layout(self) -> QVBoxLayout:
        status = QHBoxLayout()
        status.addWidget(self.state_label, 1)
        status.addWidget(self.load_progress)
        actions = QHBoxLayout()
        actions.addWidget(self.key_points_button)
        actions.addWidget(self.stop_button)
        actions.addStretch(1)
        self.points_caption = _caption("Key points", self.points_view)
        layout = QVBoxLayout()
        layout.addWidget(self.model_label)
        layout.addLayout(status)
        layout.addWidget(self.person_label)
        layout.addLayout(actions)
        for widget in (_caption("Model output", self.stream_view), self.stream_view,
                       self.points_caption, self.points_view):
            layout.addWidget(widget)
        return layout

    def _connect(self) -> None:
        bridge = self._bridge
        bridge.sig_state_changed.connect(self.on_state_changed)
        bridge.sig_load_progress.connect(self.on_load_progress)
        bridge.sig_tokens_per_second.connect(self.on_tokens_per_second)
        bridge.sig_job_ended.connect(self.on_any_job_ended)  # Stop stops any model work
        self.key_points_button.clicked.connect(self.on_key_points_clicked)
        self.stop_button.clicked.connect(self.on_stop_clicked)
        self._session.sig_locked.connect(self.on_locked)
        self._session.sig_unlocked.connect(self._update_buttons)

    # --- what the window tells the panel -------------------------------------------

    def set_person(self, person_id: str | None, name: str = "") -> None:
        """The person the actions are about; ``None`` when nobody is selected."""
        self._person_id, self._person_name = person_id, name if person_id else ""
        self.person_label.setText(f"About {name}" if person_id else "Select a team member")
        self._update_buttons()

    def clear(self) -> None:
        """Forget every piece of team data the panel shows."""
        if self._operation is not None:
            self._operation.abandon()
        self._operation = None
        self.stream_view.clear()
        self.points_view.clear()
        self.points_caption.setText("Key points")
        self.set_person(None)

    # --- user actions --------------------------------------------------------------

    @Slot()
    def on_key_points_clicked(self) -> None:
        self.run_key_points()

    def run_key_points(self) -> Operation | None:
        """Start "Key points" (from the last 90 days of notes) for the current person.

        Returns the operation, or None when nothing was started (locked, nobody
        selected, already running, or no recent notes — the panel says so).
        """
        store = self._session.store
        if store is None or self._person_id is None or self._busy:
            return None
        notes = recent_notes(store, self._person_id)
        self.stream_view.clear()
        if not notes:
            self.points_view.setPlainText(f"No notes about {self._person_name} "
                                          f"in the last {RECENT_DAYS} days.")
            return None
        self.points_view.clear()
        # The results stay labelled with their person if the selection moves on.
        self.points_caption.setText(f"Key points about {self._person_name}")
        others = tuple(p.name for p in store.people.list(include_archived=True)
                       if p.id != self._person_id)
        task = key_points_task(person=self._person_name, notes=notes, other_people=others,
                               prompts_dir=Path(store.home) / "prompts")
        self._operation = on_model(self._bridge, task, progress=self.on_pieces,
                                   done=self.on_finished, ended=self.on_job_ended)
        self._update_buttons()
        return self._operation

    @property
    def _busy(self) -> bool:
        return operations.is_running(self._operation)

    @Slot()
    def on_stop_clicked(self) -> None:
        self._bridge.stop()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._bridge.busy:
            self.on_stop_clicked()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- what the model thread reports ---------------------------------------------

    @Slot(str, str)
    def on_state_changed(self, state: str, detail: str) -> None:
        if state != GENERATING:
            self._rate = 0.0
        self.model_label.setText(f"Model: {self._bridge.model_name or 'not loaded yet'}")
        self.state_label.setText(self._state_text(state, detail))
        self.load_progress.setVisible(state == LOADING)
        if state == LOADING and not detail:
            self.load_progress.setValue(0)
        self._update_buttons()

    def _state_text(self, state: str, detail: str) -> str:
        text = STATE_TEXT.get(state, state).format(detail=detail)
        if state == GENERATING and self._rate > 0:
            text += f" · {self._rate:.1f} tokens/s"
        return text

    @Slot(int)
    def on_load_progress(self, percent: int) -> None:
        self.load_progress.setValue(percent)

    @Slot(float)
    def on_tokens_per_second(self, rate: float) -> None:
        self._rate = rate
        if self._bridge.state == GENERATING:
            self.state_label.setText(self._state_text(GENERATING, self._bridge.detail))

    @Slot(object)
    def on_pieces(self, text: str) -> None:
        bar = self.stream_view.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 2
        # Insert at the end of the document: only the last block is laid out again.
        cursor = QTextCursor(self.stream_view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        if following:
            bar.setValue(bar.maximum())

    @Slot(object)
    def on_finished(self, value: object) -> None:
        # The state ("stopped" or "ready") arrives before the result.
        if not isinstance(value, KeyPointsResult) or self._bridge.state == STOPPED:
            return
        self.points_view.setPlainText(render_key_points(value))

    @Slot(int)
    def on_any_job_ended(self, _job: int) -> None:
        self._update_buttons()

    @Slot()
    def on_job_ended(self) -> None:
        if self._bridge.state == STOPPED and not self.points_view.toPlainText():
            self.points_view.setPlainText("Stopped before the key points were complete.")
        self._update_buttons()

    @Slot()
    def on_locked(self) -> None:
        if self._bridge.busy:
            self._bridge.stop()
        self.clear()

    # --- helpers ---------------------------------------------------------------------

    def _update_buttons(self) -> None:
        ready = not self._session.is_locked and self._person_id is not None
        self.key_points_button.setEnabled(ready and not self._busy)
        self.stop_button.setEnabled(self._bridge.busy or self._bridge.state == LOADING)


def _caption(text: str, buddy: QWidget) -> QLabel:
    caption = QLabel(text)
    caption.setBuddy(buddy)
    return caption


def _text_view(accessible_name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setAccessibleName(accessible_name)
    return view
