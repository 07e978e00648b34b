"""The evidence brief in the window: what a review of one person for one period can stand on.

Before anything is drafted the manager sees the evidence the app chose:
the coverage map with its gaps, the warnings in words, and the notes
grouped by competency and by whether they show a strength or a growth
area. Notes nobody tagged carry the model's suggested competencies as
chips to confirm or dismiss — a suggestion never tags a note until the
manager says so — and notes left out of the brief (personal notes, notes
that talk to the assistant) are listed with the reason. "Suggest
competencies" runs the model on the model thread through the bridge, can
be stopped, and shows the model's state as the assistant panel does.

The brief is one ``QStandardItemModel`` in a ``QTreeView`` with a painting
delegate, so a long period costs rows, not widgets. An empty period is a
calm sentence in place of the brief, never an error dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout, QProgressBar, QSplitter, QStackedWidget, QStyle,
    QStyledItemDelegate, QStyleOptionButton, QTreeView, QVBoxLayout, QWidget,
)

from app.errors import TrellisError
from app.llm.engine import Engine, StopFlag
from app.reviews.evidence import ASPIRATION, CONTEXT, GROWTH, STRENGTH, build_brief, suggest_competencies

from .notices import Change
from . import operations
from .operations import Operation, on_model
from .assistant import STATE_TEXT
from .chips import (
    CHIP_PAD_X, CHIP_PAD_Y, GAP, PAD_X, blend, chip_font, colour_group, competency_colours,
    date_label, kind_colours, kind_label, paint_chip,
)
from .controls import push_button, selectable_label
from .cycle_picker import period_label
from .heatmap import CoverageView, warning_colour
from .model_bridge import LOADING, STOPPED, ModelBridge, Task

RowKindRole = Qt.ItemDataRole.UserRole + 1
"""What a row is: HEADING, NOTE, SUGGESTION or EXCLUDED."""
NoteRole = Qt.ItemDataRole.UserRole + 2
"""The row's ``Note`` (note, suggestion and left-out rows)."""
SuggestionRole = Qt.ItemDataRole.UserRole + 3
"""A suggestion row's (note id, competency id, competency name)."""
LineRole = Qt.ItemDataRole.UserRole + 4
"""The one line a note row shows: the note's text, or why it was left out."""
SuggestedRole = Qt.ItemDataRole.UserRole + 5
"""True on a note shown under a competency only because the model suggested it."""
HEADING, NOTE, SUGGESTION, EXCLUDED = "heading", "note", "suggestion", "excluded"

CHOOSE_TEXT = "Choose a team member and a period to see the evidence for a review."
EMPTY_HINT = "Pick a longer period, or add notes from the timeline."
GROUP_TITLES = {STRENGTH: "Strengths", GROWTH: "Growth areas",
                ASPIRATION: "Interests and aspirations", CONTEXT: "Context"}
CONFIRM, DISMISS = "Confirm", "Dismiss"
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DISMISS_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


# --- the work, run on the model thread ---------------------------------------------

def suggestions_task(store, brief, *, prompts_dir: Path | None) -> Task:
    """A bridge job: the model suggests competencies for the brief's untagged notes (saved as pending)."""
    def task(engine: Engine, stop: StopFlag, _on_piece: Callable[[str], None]):
        from app.llm.prompts import PromptLibrary  # jinja2 loads with the first prompt
        library = PromptLibrary(user_dir=prompts_dir) if prompts_dir else PromptLibrary()
        with store.for_this_thread() as own:  # the window's connection is the window's
            return suggest_competencies(own, engine, library, brief, stop=stop)
    return task


# --- the brief as rows ------------------------------------------------------------------

def row(text: str, kind: str, spoken: str, tooltip: str = "", note=None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(kind, RowKindRole)
    item.setData(note, NoteRole)
    item.setData(spoken, Qt.ItemDataRole.AccessibleTextRole)
    item.setToolTip(tooltip)
    return item


def heading(text: str, *, bold: bool = True, flagged: str = "") -> QStandardItem:
    item = row(text, HEADING, f"{text}. {flagged}" if flagged else text, flagged)
    font = QFont()
    font.setBold(bold)
    item.setFont(font)
    return item


def note_row(note, line: str, kind: str = NOTE, extra: str = "") -> QStandardItem:
    spoken = ", ".join(filter(None, [date_label(note.date), kind_label(note.kind), extra]))
    item = row(line, kind, f"{spoken}: {line}", note.text, note)
    item.setData(line, LineRole)
    return item


def suggestion_row(note, competency_id: str, name: str) -> QStandardItem:
    item = row(name, SUGGESTION, f"Suggested competency {name}: Enter confirms, Delete dismisses",
               f"The model suggests {name} for this note. Confirm tags the note; Dismiss forgets it.", note)
    item.setData((note.id, competency_id, name), SuggestionRole)
    return item


class BriefModel(QStandardItemModel):
    """The brief as a tree: competency → strengths / growth areas → notes; then untagged and left-out notes."""

    def show_brief(self, brief, notes_by_id: dict) -> None:
        self.clear()
        names = {c.id: c.name for c in brief.competencies}
        root = self.invisibleRootItem()
        missing = []
        for competency in brief.competencies:
            groups = brief.group(competency.id)
            if any(groups.values()):
                root.appendRow(self._competency(competency.id, competency.name, groups))
            else:
                missing.append(competency.name)
        if missing:
            root.appendRow(self._without_evidence(missing))
        if brief.untagged:
            root.appendRow(self._untagged(brief.untagged, names))
        if brief.excluded:
            root.appendRow(self._excluded(brief.excluded, notes_by_id))

    def _competency(self, competency_id: str, name: str, groups: dict) -> QStandardItem:
        strengths, growth = groups.get(STRENGTH, []), groups.get(GROWTH, [])
        item = heading(f"{name} — {_count(len(strengths), 'strength')}, "
                       f"{_count(len(growth), 'growth area')}")
        for polarity in GROUP_TITLES:
            notes = groups.get(polarity, [])
            if notes:
                group = heading(f"{GROUP_TITLES[polarity]} ({len(notes)})", bold=False)
                for evidence in notes:
                    suggested = competency_id not in evidence.competency_ids
                    row = note_row(evidence.note, " ".join(evidence.note.text.split()),
                                   extra="suggested, not confirmed" if suggested else "")
                    row.setData(suggested, SuggestedRole)
                    group.appendRow(row)
                item.appendRow(group)
        return item

    def _without_evidence(self, names: list[str]) -> QStandardItem:
        item = heading(f"Competencies without evidence ({len(names)})")
        for name in names:
            item.appendRow(heading(name, bold=False, flagged=f"No note in this period speaks to {name}."))
        return item

    def _untagged(self, untagged, names: dict[str, str]) -> QStandardItem:
        item = heading(f"Notes without a competency ({len(untagged)})")
        for evidence in untagged:
            row = note_row(evidence.note, " ".join(evidence.note.text.split()))
            for competency_id in evidence.suggested:
                row.appendRow(suggestion_row(evidence.note, competency_id,
                                             names.get(competency_id, competency_id)))
            item.appendRow(row)
        return item

    def _excluded(self, excluded, notes_by_id: dict) -> QStandardItem:
        item = heading(f"Left out of the brief ({len(excluded)})")
        for entry in excluded:
            note = notes_by_id.get(entry["id"])
            if note is not None:
                reason = entry["reason"].split(": ", 1)[-1]  # the heading already says "left out"
                item.appendRow(note_row(note, reason[:1].upper() + reason[1:], EXCLUDED))
        return item


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


# --- painting the rows -------------------------------------------------------------------

class EvidenceDelegate(QStyledItemDelegate):
    """Paints a note as date, kind chip and one line of text; a suggestion as a chip with two buttons."""

    sig_decided = Signal(str, str, bool)
    """A suggestion's button was clicked. Arguments: note id, competency id, True to confirm."""

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(RowKindRole) in (NOTE, SUGGESTION, EXCLUDED):
            return QSize(size.width(), self._chip_height(option) + GAP + 4)
        return QSize(size.width(), size.height() + GAP)

    def paint(self, painter, option, index) -> None:
        kind = index.data(RowKindRole)
        if kind in (NOTE, EXCLUDED):
            self._paint_note(painter, option, index, kind)
        elif kind == SUGGESTION:
            self._paint_suggestion(painter, option, index)
        else:
            super().paint(painter, option, index)

    @staticmethod
    def _chip_height(option) -> int:
        return QFontMetrics(chip_font(option.font)).height() + 2 * CHIP_PAD_Y

    @staticmethod
    def _background(painter, option) -> tuple[QColor, QColor]:
        """Paint the row's background; the text and the dimmed colour to write on it."""
        option.widget.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                            option.widget)
        palette, group = option.palette, colour_group(option)
        if option.state & QStyle.StateFlag.State_Selected:
            colour = palette.color(group, QPalette.ColorRole.HighlightedText)
            return colour, colour
        return (palette.color(group, QPalette.ColorRole.Text),
                palette.color(group, QPalette.ColorRole.PlaceholderText))

    def _paint_note(self, painter, option, index, kind: str) -> None:
        """Date, kind chip (and a dashed "suggested" chip), then the line, elided to the row."""
        note, palette = index.data(NoteRole), option.palette
        colour, dim = self._background(painter, option)
        painter.save()
        left = _write(painter, option, option.rect.left() + GAP, date_label(note.date), dim) + GAP
        chip = self._chip_rect(option, kind_label(note.kind), left)
        painter.setFont(chip_font(option.font))
        paint_chip(painter, chip, kind_label(note.kind), *kind_colours(note.kind, palette))
        if index.data(SuggestedRole):
            chip = self._chip_rect(option, "suggested", chip.right() + GAP)
            _paint_dashed_chip(painter, chip, "suggested", palette)
        _write(painter, option, chip.right() + GAP, index.data(LineRole),
               blend(colour, warning_colour(palette), 0.8) if kind == EXCLUDED else colour)
        painter.restore()

    def _chip_rect(self, option, text: str, left: int) -> QRect:
        width = QFontMetrics(chip_font(option.font)).horizontalAdvance(text) + 2 * CHIP_PAD_X
        height = self._chip_height(option)
        return QRect(left, option.rect.top() + (option.rect.height() - height) // 2, width, height)

    def suggestion_layout(self, option, index) -> dict[str, QRect]:
        """Where a suggestion row's label, chip and buttons go, in the view's coordinates."""
        rect = option.rect.adjusted(GAP, 0, -PAD_X, 0)
        metrics = QFontMetrics(option.font)
        label = QRect(rect.left(), rect.top(), metrics.horizontalAdvance("Suggested") + GAP, rect.height())
        chip = self._chip_rect(option, index.data(SuggestionRole)[2], label.right() + GAP)
        button_height = rect.height() - 4
        widths = [metrics.horizontalAdvance(text) + 4 * GAP for text in (CONFIRM, DISMISS)]
        dismiss = QRect(rect.right() - widths[1], rect.top() + 2, widths[1], button_height)
        confirm = QRect(dismiss.left() - GAP - widths[0], rect.top() + 2, widths[0], button_height)
        return {"label": label, "chip": chip, CONFIRM: confirm, DISMISS: dismiss}

    def _paint_suggestion(self, painter, option, index) -> None:
        _colour, dim = self._background(painter, option)
        places = self.suggestion_layout(option, index)
        painter.save()
        _write(painter, option, places["label"].left(), "Suggested", dim)
        painter.setFont(chip_font(option.font))
        _paint_dashed_chip(painter, places["chip"], index.data(SuggestionRole)[2], option.palette)
        painter.restore()
        for text in (CONFIRM, DISMISS):
            self._paint_button(painter, option, places[text], text)

    @staticmethod
    def _paint_button(painter, option, rect: QRect, text: str) -> None:
        button = QStyleOptionButton()
        button.rect, button.text, button.palette = rect, text, option.palette
        button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        button.fontMetrics = option.fontMetrics
        option.widget.style().drawControl(QStyle.ControlElement.CE_PushButton, button, painter, option.widget)

    def editorEvent(self, event, model, option, index) -> bool:
        if index.data(RowKindRole) != SUGGESTION or event.type() != QEvent.Type.MouseButtonRelease:
            return super().editorEvent(event, model, option, index)
        places = self.suggestion_layout(option, index)
        note_id, competency_id, _name = index.data(SuggestionRole)
        for text, confirm in ((CONFIRM, True), (DISMISS, False)):
            if places[text].contains(event.position().toPoint()):
                self.sig_decided.emit(note_id, competency_id, confirm)
                return True
        return super().editorEvent(event, model, option, index)


def _write(painter, option, left: int, text: str, colour: QColor) -> int:
    """One line of text from ``left`` in the row, elided at its right end; returns where it ends."""
    metrics, rect = QFontMetrics(option.font), option.rect.adjusted(0, 0, -GAP, 0)
    text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.right() - left)
    painter.setFont(option.font)
    painter.setPen(colour)
    painter.drawText(QRect(left, rect.top(), rect.right() - left, rect.height()),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    return left + metrics.horizontalAdvance(text)


def _paint_dashed_chip(painter, rect: QRect, text: str, palette: QPalette) -> None:
    """A competency chip with a dashed edge: the model's guess, not the manager's tag."""
    background, foreground = competency_colours(palette)
    painter.save()
    paint_chip(painter, rect, text, background, foreground)
    painter.setPen(QPen(foreground, 1, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), rect.height() / 2, rect.height() / 2)
    painter.restore()


# --- the panel ----------------------------------------------------------------------------

class EvidencePanel(QWidget):
    """The coverage map, its warnings and the brief for one person and period."""

    sig_open_note = Signal(str)
    """The manager asked to see a note (double-click or Enter). Argument: the note's id."""

    sig_brief_changed = Signal()
    """The brief was read again after the manager confirmed or dismissed a suggestion,
    or after the model suggested competencies."""

    def __init__(self, session, bridge: ModelBridge, parent=None):
        super().__init__(parent)
        self._session, self._bridge = session, bridge
        self.brief = None
        self._period: tuple[str, str, str] | None = None   # person id, start, end
        self._operation: Operation | None = None
        self._announcing = False
        self.setAccessibleName("Evidence")
        self._build()
        self._connect()
        self.clear()

    def _build(self) -> None:
        self.summary_label = selectable_label("Evidence summary")
        self.coverage_view = CoverageView()
        self.heatmap, self.warnings_box = self.coverage_view.heatmap, self.coverage_view.warnings
        self.suggest_button = push_button("Suggest competencies",
                                      "Ask the model which competencies the untagged notes speak to")
        self.stop_button = push_button("Stop", "Stop the model (Esc)")
        self.state_label = selectable_label("Model state")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Model loading progress")
        self.progress.hide()
        self.message = selectable_label("Evidence message")
        self.model = BriefModel(self)
        self.delegate = EvidenceDelegate(self)
        self.tree = _brief_view(self.model, self.delegate)
        self.empty_label = selectable_label("Evidence: nothing to show")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self._content())
        QVBoxLayout(self).addWidget(self.pages)

    def _content(self) -> QWidget:
        """The map and its warnings above, the brief below; the manager moves the line between."""
        actions = QHBoxLayout()
        for widget, stretch in ((self.suggest_button, 0), (self.stop_button, 0),
                                (self.state_label, 1), (self.progress, 0)):
            actions.addWidget(widget, stretch)
        brief = _column(self.message, self.tree)
        brief.layout().insertLayout(0, actions)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setAccessibleName("Coverage and brief")
        self.splitter.addWidget(self.coverage_view)
        self.splitter.addWidget(brief)
        self.splitter.setChildrenCollapsible(False)
        return _column(self.summary_label, self.splitter)

    def _connect(self) -> None:
        bridge = self._bridge
        bridge.sig_state_changed.connect(self.on_state_changed)
        bridge.sig_load_progress.connect(self.progress.setValue)
        self.suggest_button.clicked.connect(self.run_suggestions)
        self.stop_button.clicked.connect(self.on_stop)
        self.delegate.sig_decided.connect(self.decide)
        self.tree.doubleClicked.connect(self.on_double_clicked)
        self.tree.installEventFilter(self)
        self._session.sig_locked.connect(self.on_locked)
        self._session.listen(self.on_data_changed, Change.NOTES, Change.PEOPLE, Change.SAMPLE,
                             Change.COMPETENCIES)

    # --- API --------------------------------------------------------------------------

    def load(self, person_id: str, start: str, end: str) -> None:
        """Build and show the brief for ``person_id`` from ``start`` to ``end`` (ISO dates)."""
        self._period = (person_id, start, end)
        self.reload()

    def reload(self) -> None:
        store = self._session.store
        if store is None or self._period is None:
            self.clear()
            return
        try:
            self.show_brief(build_brief(store, *self._period))
        except TrellisError as exc:
            self._show_empty(str(exc))

    def show_brief(self, brief) -> None:
        """Show ``brief`` (an ``EvidenceBrief``): map, warnings and grouped notes."""
        self._period = (brief.person.id, brief.period_start, brief.period_end)
        if not brief.notes and not brief.excluded:
            self._show_empty(f"{brief.no_evidence()}.\n{EMPTY_HINT}")
            return
        self.brief = brief
        self.summary_label.setText(self._summary(brief))
        self.coverage_view.set_coverage(brief.coverage)
        self.model.show_brief(brief, self._left_out_notes(brief))
        self.tree.expandAll()
        self._share_height()
        self.message.setVisible(not brief.notes)
        self.message.setText(f"{brief.no_evidence()}." if not brief.notes else "")
        self.pages.setCurrentIndex(1)
        self._update_buttons()

    def clear(self) -> None:
        """Forget the brief and every note it showed (nobody chosen, or the app locked)."""
        self.brief, self._period = None, None
        self.model.clear()
        self.coverage_view.set_coverage(None)
        self.message.hide()
        self._show_empty(CHOOSE_TEXT)

    # --- suggestions --------------------------------------------------------------------

    def run_suggestions(self) -> Operation | None:
        """Start "Suggest competencies"; the operation, or None if nothing started."""
        store = self._session.store
        if store is None or self.brief is None or self._busy:
            return None
        if not self.brief.untagged:
            self._tell("Every note in this period already has a competency.")
            return None
        self.message.hide()
        task = suggestions_task(store, self.brief, prompts_dir=Path(store.home) / "prompts")
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

    @Slot(str, str, bool)
    def decide(self, note_id: str, competency_id: str, confirm: bool) -> None:
        """Confirm (tag the note) or dismiss one suggestion, then read the brief again."""
        store = self._session.store
        if store is None:
            return
        if self._busy:  # the model thread is writing suggestions; one writer at a time
            self._tell("Wait until the model has finished suggesting, or stop it.")
            return
        try:
            (store.suggestions.confirm if confirm else store.suggestions.dismiss)(note_id, competency_id)
        except TrellisError as exc:
            self._tell(str(exc))
        self.reload()
        if confirm:
            self._announce(Change.NOTES)
        self.sig_brief_changed.emit()

    # --- what the model thread reports -------------------------------------------------

    @Slot(str, str)
    def on_state_changed(self, state: str, detail: str) -> None:
        self.state_label.setText(STATE_TEXT.get(state, state).format(detail=detail) if self._busy else "")
        self.progress.setVisible(self._busy and state == LOADING)
        self._update_buttons()

    @Slot(object)
    def on_finished(self, _value: object) -> None:
        self.reload()
        self.sig_brief_changed.emit()

    @Slot(str)
    def on_failed(self, reason: str) -> None:
        self._tell(f"The model could not suggest competencies: {reason}")

    @Slot()
    def on_job_ended(self) -> None:
        if self._bridge.state == STOPPED:
            self._tell("Stopped. Suggestions the model made before stopping are kept.")
        self.state_label.setText("")
        self.progress.hide()
        self._update_buttons()

    # --- the manager's keys and clicks ------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            return self._on_tree_key(event.key())
        return super().eventFilter(watched, event)

    def _on_tree_key(self, key) -> bool:
        index = self.tree.currentIndex()
        kind = index.data(RowKindRole)
        if kind == SUGGESTION and key in OPEN_KEYS + DISMISS_KEYS:
            note_id, competency_id, _name = index.data(SuggestionRole)
            self.decide(note_id, competency_id, key in OPEN_KEYS)
            return True
        if kind in (NOTE, EXCLUDED) and key in OPEN_KEYS:
            self.sig_open_note.emit(index.data(NoteRole).id)
            return True
        return False

    @Slot(object)
    def on_double_clicked(self, index) -> None:
        kind = index.data(RowKindRole)
        if kind in (NOTE, EXCLUDED):
            self.sig_open_note.emit(index.data(NoteRole).id)
        elif kind == HEADING:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    # --- the store and the lock -------------------------------------------------------------

    @Slot(str)
    def on_data_changed(self, _notice) -> None:
        if not self._announcing and self._period is not None:
            self.reload()

    @Slot()
    def on_locked(self) -> None:
        if self._operation is not None:
            self._operation.abandon()
        self._operation = None
        self.clear()

    # --- helpers ----------------------------------------------------------------------------

    def _announce(self, what: Change) -> None:
        self._announcing = True
        self._session.changed(what)  # a slot that raises is reported by Qt, not propagated here
        self._announcing = False

    def _update_buttons(self) -> None:
        has_untagged = self.brief is not None and bool(self.brief.untagged)
        self.suggest_button.setEnabled(has_untagged and not self._busy and not self._session.is_locked)
        self.stop_button.setEnabled(self._busy)

    def _show_empty(self, text: str) -> None:
        self.brief = None
        self.empty_label.setText(text)
        self.empty_label.setAccessibleDescription(text)
        self.pages.setCurrentIndex(0)
        self._update_buttons()

    def _tell(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _summary(self, brief) -> str:
        return (f"Evidence on {brief.person.name}, {period_label(brief.period_start, brief.period_end)}: "
                f"{_count(len(brief.notes), 'note')}, {len(brief.notes) - len(brief.untagged)} with a competency")

    def _left_out_notes(self, brief) -> dict:
        ids = {entry["id"] for entry in brief.excluded}
        return {note.id: note for note in self._session.store.notes.in_period(
            brief.person.id, brief.period_start, brief.period_end) if note.id in ids}

    def _share_height(self) -> None:
        """The map and warnings get the room they need, up to half the panel; the brief the rest."""
        total = max(self.splitter.height(), self.height() - self.summary_label.height(), 400)
        top = min(self.coverage_view.wanted_height(), total // 2)
        self.splitter.setSizes([top, total - top])


def _brief_view(model: BriefModel, delegate: EvidenceDelegate) -> QTreeView:
    view = QTreeView()
    view.setAccessibleName("Evidence brief")
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.setHeaderHidden(True)
    view.setUniformRowHeights(False)
    view.setExpandsOnDoubleClick(False)
    view.setMouseTracking(True)
    view.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
    return view


def _column(*widgets: QWidget) -> QWidget:
    """The widgets one above the other, the last one taking the spare height."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for position, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if position == len(widgets) - 1 else 0)
    return column


