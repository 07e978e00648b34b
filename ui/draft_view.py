"""A review draft or development plan as the manager reads, checks and corrects it.

Why this module exists: a draft is only worth trusting if every sentence
shows where it came from and is quick to fix. Each statement is drawn with
its citations as small date chips ("12 Mar") that open the note, and a
quiet word when the text is the note's own words or the manager's; each
section header carries "Regenerate". Double-click or Enter opens an inline
editor on a statement (Ctrl+Enter saves, Esc cancels). A plan's goals get a
"Make goal" button. The view only reports what the manager asked for
through signals; the Reviews tab saves versions and redraws.

A draft holds tens of statements, not thousands, so a small widget per
statement is simpler and cheaper than a painting delegate here. A policy's
DisableExport disables the file exports ("Set by your organisation").
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QMenu, QPlainTextEdit,
    QPushButton, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from app import policy as policies
from app.policy import LOCKED_LABEL
from app.reviews.body import (
    FROM_APP, FROM_MANAGER, FROM_MODEL, FROM_NOTE, PLAN, REVIEW, Body, Section, Statement,
)

from .chips import blend
from .controls import push_button
from .flow_layout import FlowLayout

SourceOf = Callable[[str], dict]
"""Looks up a cited id: {"type": "note"|"goal"|"action", "date": ISO or None, "title": …}."""

SOURCE_WORDS = {
    FROM_NOTE: ("in the note's words", "The model's sentence was not supported by the notes, "
                                       "so the note's own words are used instead."),
    FROM_MANAGER: ("your words", "You wrote this sentence."),
    FROM_MODEL: ("reworded by the model", "The on-device model reworded Trellis's sentence, "
                                          "and the rewording passed every check against the notes."),
}
# Most sentences are the app's own; they need no label on every line, the tooltip says so.
APP_WRITTEN = "Written by Trellis from the notes it cites; no model worded it."
GROUPED_SECTIONS = ("strengths", "growth")
EXPORT_MENU = ((".md", "Markdown…"), (".pdf", "PDF…"), (".docx", "Word (DOCX)…"))
GOAL_PARTS = (("specific", "Specific"), ("measurable", "Measurable"), ("achievable", "Achievable"),
              ("relevant", "Relevant"))


def chip_text(source: dict) -> str:
    """What a citation chip says: the note's date ("12 Mar"), or "Goal"/"Action"."""
    date = source.get("date")
    if source.get("type", "note") == "note" and date:
        return QLocale().toString(QDate.fromString(date, Qt.DateFormat.ISODate), "d MMM")
    return {"goal": "Goal", "action": "Action"}.get(source.get("type"), "Note")


def chip_tooltip(source: dict) -> str:
    date = source.get("date")
    kind = source.get("type", "note")
    if kind == "note":
        return f"Note of {long_date(date)} — click to open it in the timeline" if date else "Note"
    title = source.get("title") or ""
    return f"{kind.title()} “{title}”" + (f", due {long_date(date)}" if date else "")


class CitationChip(QToolButton):
    """A cited record: its date as a small rounded chip; notes open when clicked."""

    def __init__(self, record_id: str, source: dict, parent=None):
        super().__init__(parent)
        self.record_id, self.source = record_id, source
        self.setText(chip_text(source))
        self.setToolTip(chip_tooltip(source))
        self.setAccessibleName(f"Citation: {self.toolTip().split(' — ')[0]}")
        self.setCursor(Qt.CursorShape.PointingHandCursor if self.opens_note else Qt.CursorShape.ArrowCursor)
        self.setAutoRaise(True)
        self.setObjectName("citation")

    @property
    def opens_note(self) -> bool:
        return self.source.get("type", "note") == "note"


class StatementEditor(QPlainTextEdit):
    """The inline editor: Ctrl+Enter saves, Esc cancels (even though the window binds Esc to Stop)."""

    sig_done = Signal(bool)
    """Editing ended. Argument: True to save the text, False to cancel."""

    def event(self, event) -> bool:
        if event.type() == event.Type.ShortcutOverride and (_is_save_key(event) or
                                                             event.key() == Qt.Key.Key_Escape):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if _is_save_key(event):
            self.sig_done.emit(True)
        elif event.key() == Qt.Key.Key_Escape:
            self.sig_done.emit(False)
        else:
            super().keyPressEvent(event)


def _is_save_key(event) -> bool:
    return (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))


class StatementRow(QFrame):
    """One sentence (or plan item): its text, its citations, and an editor when asked."""

    sig_saved = Signal(str)
    """The manager changed the text. Argument: the new text."""

    sig_open_note = Signal(str)
    """A note chip was clicked. Argument: the note id."""

    sig_make_goal = Signal()
    """The manager wants this plan goal among the person's goals (no arguments)."""

    def __init__(self, statement: Statement, source_of: SourceOf, *, editable: bool,
                 names: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.statement, self.editable = statement, editable
        self.names = names or {}
        self.editor: StatementEditor | None = None
        self.goal_button: QPushButton | None = None
        self.setObjectName("statement")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if editable else Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"Statement: {statement.text}")
        hints = [APP_WRITTEN] if statement.source == FROM_APP else []
        if editable:
            hints.append("Double-click or press Enter to edit")
        self.setToolTip("\n".join(hints))
        self.text_label = QLabel(statement.text)
        self.text_label.setWordWrap(True)
        self.text_label.setObjectName("statement_text")
        # Not selectable: a double-click must reach the row and open the editor.
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self._layout.setSpacing(3)
        self._layout.addWidget(self.text_label)
        if statement.goal:
            self._layout.addWidget(_goal_details(statement.goal))
        self._layout.addLayout(self._chip_row(source_of))

    def _chip_row(self, source_of: SourceOf) -> QHBoxLayout:
        chips = QWidget()
        flow = FlowLayout(chips)
        if self.statement.date:
            flow.addWidget(_quiet(f"Check-in {long_date(self.statement.date)}"))
        for record_id in self.statement.citations:
            chip = CitationChip(record_id, source_of(record_id))
            chip.clicked.connect(lambda _=False, c=chip: self.on_chip_clicked(c))
            flow.addWidget(chip)
        words = SOURCE_WORDS.get(self.statement.source)
        if words:
            label = _quiet(words[0])
            label.setToolTip(words[1])
            if self.statement.source == FROM_MODEL:
                label.setObjectName("model_tag")
            flow.addWidget(label)
        labels = [self.names.get(c, c) for c in self.statement.competencies]
        if labels:
            tags = _quiet(" · ".join(labels))
            tags.setToolTip("The competencies this sentence is evidence for")
            tags.setAccessibleName("Competencies: " + ", ".join(labels))
            flow.addWidget(tags)
        row = QHBoxLayout()
        row.addWidget(chips, 1)
        if self.statement.goal:
            self.goal_button = QPushButton("Make goal")
            self.goal_button.setAccessibleName("Make goal")
            self.goal_button.setToolTip("Add this goal to the person's Goals")
            self.goal_button.clicked.connect(self.sig_make_goal)
            row.addWidget(self.goal_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def on_chip_clicked(self, chip: CitationChip) -> None:
        if chip.opens_note:
            self.sig_open_note.emit(chip.record_id)

    def show_goal_added(self) -> None:
        if self.goal_button is not None:
            self.goal_button.setText("Added to Goals")
            self.goal_button.setAccessibleName("Added to Goals")
            self.goal_button.setEnabled(False)

    # --- editing --------------------------------------------------------------------

    def mouseDoubleClickEvent(self, event) -> None:
        self.start_edit()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.editor is None:
            self.start_edit()
        else:
            super().keyPressEvent(event)

    def start_edit(self) -> StatementEditor | None:
        if not self.editable or self.editor is not None:
            return self.editor
        self.editor = StatementEditor()
        self.editor.setAccessibleName("Edit statement")
        self.editor.setAccessibleDescription("Ctrl+Enter saves, Esc cancels")
        self.editor.setTabChangesFocus(True)
        self.editor.setPlainText(self.statement.text)
        self.editor.setFixedHeight(max(64, self.text_label.sizeHint().height() + 28))
        self.editor.sig_done.connect(self.finish_edit)
        self.text_label.hide()
        self._layout.insertWidget(0, self.editor)
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.editor.setFocus()
        return self.editor

    def finish_edit(self, save: bool) -> None:
        editor, self.editor = self.editor, None
        if editor is None:
            return
        text = editor.toPlainText().strip()
        editor.deleteLater()
        self.text_label.show()
        self.setFocus()
        if save and text != self.statement.text:
            self.sig_saved.emit(text)


class SectionBlock(QWidget):
    """A section's title, its "Regenerate" button and its statements."""

    def __init__(self, section: Section, source_of: SourceOf, *, editable: bool,
                 names: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.section = section
        names = names or {}
        self.title = QLabel(section.title)
        self.title.setObjectName("section_title")
        self.title.setWordWrap(True)
        self.title.setAccessibleName(f"Section: {section.title}")
        self.regenerate_button = QToolButton()
        self.regenerate_button.setText("Regenerate")
        self.regenerate_button.setAccessibleName(f"Regenerate {section.title}")
        self.regenerate_button.setToolTip("Write this section again; the other sections stay as they are")
        self.regenerate_button.setVisible(editable and section.key != "summary")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.regenerate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 4)
        layout.setSpacing(2)
        layout.addLayout(header)
        self.rows = [StatementRow(s, source_of, editable=editable, names=names)
                     for s in section.statements]
        self.headings: list[QLabel] = []
        current = None
        for row in self.rows:
            group = _group_of(section, row.statement, names)
            if group is not None and group != current:
                heading = QLabel(group)
                heading.setObjectName("competency_heading")
                heading.setAccessibleName(f"Competency: {group}")
                self.headings.append(heading)
                layout.addWidget(heading)
                current = group
            layout.addWidget(row)
        if not self.rows:
            layout.addWidget(_quiet("Nothing the notes support for this section."))

    def set_busy(self, busy: bool) -> None:
        self.regenerate_button.setEnabled(not busy)
        self.regenerate_button.setText("Rewriting…" if busy else "Regenerate")


def _group_of(section: Section, statement: Statement, names: dict[str, str]) -> str | None:
    """The competency heading a review's strength or growth sentence sits under."""
    if section.key not in GROUPED_SECTIONS:
        return None
    first = statement.competencies[0] if statement.competencies else None
    return names.get(first, first) if first else "Other evidence"


class DraftView(QScrollArea):
    """Shows one Body; streams sections in while the model drafts."""

    sig_open_note = Signal(str)
    """A citation chip was clicked. Argument: the note id."""

    sig_statement_edited = Signal(str, int, str)
    """The manager rewrote a statement. Arguments: section key, statement index, new text."""

    sig_regenerate = Signal(str)
    """The manager wants one section written again. Argument: the section key."""

    sig_make_goal = Signal(str, int)
    """A plan goal should become a goal. Arguments: section key, statement index."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Draft")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.blocks: list[SectionBlock] = []
        self.competency_names: dict[str, str] = {}
        self._page = QWidget()
        self._page.setObjectName("draft_page")
        self._column = QVBoxLayout(self._page)
        self._column.setContentsMargins(18, 12, 18, 18)
        self.heading = QLabel()
        self.heading.setObjectName("draft_heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setAccessibleName("Draft title")
        self.heading.setWordWrap(True)
        self.placeholder = QLabel()
        self.placeholder.setAccessibleName("Draft: empty")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("draft_placeholder")
        # Inside the page, so it scrolls and never widens the window.
        self.check_text_button = push_button("Check my text…", "Paste a review you wrote and check "
                                                               "each sentence against your notes")
        self.check_text_button.setFlat(True)
        self._column.addWidget(self.check_text_button, 0, Qt.AlignmentFlag.AlignRight)
        self._column.addWidget(self.heading)
        self._column.addWidget(self.placeholder)
        self._column.addStretch(1)
        self.setWidget(self._page)
        self._restyle()

    # --- what the tab asks ---------------------------------------------------------------

    def show_empty(self, text: str) -> None:
        self._remove_blocks()
        self.heading.hide()
        self.placeholder.setText(text)
        self.placeholder.show()

    def begin(self, heading: str) -> None:
        """Start a draft that will arrive section by section."""
        self._remove_blocks()
        self.heading.setText(heading)
        self.heading.show()
        self.placeholder.hide()

    def add_section(self, section: Section, source_of: SourceOf, *, editable: bool = False,
                    goals_added: set[int] = frozenset()) -> SectionBlock:
        block = SectionBlock(section, source_of, editable=editable, names=self.competency_names)
        block.regenerate_button.clicked.connect(lambda: self.sig_regenerate.emit(section.key))
        for index, row in enumerate(block.rows):
            self._connect_row(section.key, index, row, index in goals_added)
        self._column.insertWidget(self._column.count() - 1, block)
        self.blocks.append(block)
        return block

    def show_body(self, body: Body, source_of: SourceOf, *, heading: str, editable: bool,
                  goals_added: dict[str, set[int]] | None = None) -> None:
        self.begin(heading)
        if body.coverage is not None:
            self.competency_names = {**self.competency_names, **dict(body.coverage.competencies)}
        for section in body.sections:
            self.add_section(section, source_of, editable=editable,
                             goals_added=(goals_added or {}).get(section.key, set()))
        if not body.sections:
            self.show_empty("This draft has no sections.")

    def block(self, key: str) -> SectionBlock | None:
        return next((b for b in self.blocks if b.section.key == key), None)

    def row(self, key: str, index: int) -> StatementRow | None:
        block = self.block(key)
        return block.rows[index] if block and 0 <= index < len(block.rows) else None

    def set_regenerating(self, key: str | None) -> None:
        for block in self.blocks:
            block.set_busy(block.section.key == key)
            block.regenerate_button.setEnabled(key is None)

    def clear(self) -> None:
        self.show_empty("")

    # --- inside -----------------------------------------------------------------------

    def _connect_row(self, key: str, index: int, row: StatementRow, goal_added: bool) -> None:
        row.sig_saved.connect(lambda text: self.sig_statement_edited.emit(key, index, text))
        row.sig_open_note.connect(self.sig_open_note)
        row.sig_make_goal.connect(lambda: self.sig_make_goal.emit(key, index))
        if goal_added:
            row.show_goal_added()

    def _remove_blocks(self) -> None:
        for block in self.blocks:
            self._column.removeWidget(block)
            block.hide()  # deleted later; until then it must not be drawn over the new draft
            block.deleteLater()
        self.blocks = []

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.PaletteChange:
            self._restyle()
        super().changeEvent(event)

    def _restyle(self) -> None:
        """Colours from the palette, so the draft follows a light or dark system theme."""
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        accent = palette.color(QPalette.ColorRole.Highlight)
        chip, hover = blend(base, accent, 0.16), blend(base, accent, 0.3)
        quiet, rule = blend(base, text, 0.55), blend(base, text, 0.1)
        self._page.setStyleSheet(f"""
            #draft_page {{ background: {base.name()}; }}
            #draft_heading {{ font-size: 17px; font-weight: 600; padding-bottom: 4px; }}
            #draft_placeholder {{ color: {quiet.name()}; padding: 40px; }}
            #section_title {{ font-size: 15px; font-weight: 600; border-bottom: 1px solid {rule.name()};
                              padding: 4px 0; }}
            #statement {{ border-radius: 6px; }}
            #statement:focus, #statement:hover {{ background: {blend(base, accent, 0.07).name()}; }}
            #statement_text {{ font-size: 14px; }}
            #quiet {{ color: {quiet.name()}; font-size: 11px; }}
            #model_tag {{ color: {accent.name()}; font-size: 11px; font-style: italic; }}
            #competency_heading {{ font-size: 13px; font-weight: 600; padding: 8px 10px 0 10px; }}
            #citation {{ background: {chip.name()}; color: {text.name()}; border: none; border-radius: 8px;
                         padding: 1px 8px; font-size: 11px; }}
            #citation:hover {{ background: {hover.name()}; }}
        """)


def _quiet(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("quiet")
    return label


def long_date(date: str) -> str:
    return QLocale().toString(QDate.fromString(date, Qt.DateFormat.ISODate), "d MMMM yyyy")


def _goal_details(goal: dict) -> QLabel:
    """A SMART goal's parts, due date and actions, in small type under its text."""
    lines = [f"<b>{title}:</b> {escape(goal[key])}" for key, title in GOAL_PARTS if goal.get(key)]
    if goal.get("due"):
        lines.append(f"<b>Due:</b> {long_date(goal['due'])}")
    lines += [f"• {escape(action)}" for action in goal.get("actions") or ()]
    label = QLabel("<br>".join(lines))
    label.setObjectName("quiet")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def version_label(version, final_version: int | None) -> str:
    """"Version 3 · 12 Mar 14:05", with "✓ final" on the version that was shared."""
    stamp = QDateTime.fromString(version.created_at, Qt.DateFormat.ISODate).toLocalTime()
    text = f"Version {version.version} · {stamp.toString('d MMM HH:mm')}"
    return text + "  ✓ final" if version.version == final_version else text


class DraftBar(QWidget):
    """The controls above the draft: which draft, drafting, versions, the final mark, exports."""

    sig_kind_chosen = Signal(str)
    """The manager chose what to look at. Argument: "review" or "plan"."""

    sig_export = Signal(str)
    """Export the version on show. Argument: the file suffix (".md", ".pdf", ".docx")."""

    sig_copy = Signal()
    """Copy the version on show as plain text (no arguments)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind_buttons = {REVIEW: _segment("Review"), PLAN: _segment("Plan")}
        self._kinds = QButtonGroup(self)
        for kind, button in self.kind_buttons.items():
            self._kinds.addButton(button)
            button.clicked.connect(lambda _=False, k=kind: self.sig_kind_chosen.emit(k))
        self.kind_buttons[REVIEW].setChecked(True)
        self.draft_review_button = push_button("Draft review", "Draft a review of the period from the notes")
        self.draft_review_button.setDefault(True)
        self.draft_plan_button = push_button("Draft plan", "Draft a development plan from the notes and goals")
        self.stop_button = push_button("Stop", "Stop drafting (Esc)")
        self.versions = QComboBox()
        self.versions.setAccessibleName("Version")
        self.versions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.final_button = push_button("Mark final", "")
        self.final_button.setCheckable(True)
        self.citations_box = QCheckBox("Include citations")
        self.citations_box.setAccessibleName("Include citations")
        self.citations_box.setToolTip("Footnotes with the dates of the notes; untick for a version to share")
        self.citations_box.setChecked(True)
        self.export_button = self._export_button()
        self._lay_out()

    def _export_button(self) -> QToolButton:
        button = QToolButton()
        button.setText("Export")
        button.setAccessibleName("Export")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        self.export_actions = {}
        for suffix, text in EXPORT_MENU:
            self.export_actions[suffix] = menu.addAction(text)
            self.export_actions[suffix].triggered.connect(lambda _=False, s=suffix: self.sig_export.emit(s))
        self._lock_exports_if_turned_off(button, menu)
        menu.addSeparator()
        self.copy_action = menu.addAction("Copy as plain text")
        self.copy_action.triggered.connect(self.sig_copy)
        button.setMenu(menu)
        return button

    def _lock_exports_if_turned_off(self, button: QToolButton, menu: QMenu) -> None:
        policy = policies.current_policy()
        if not policy.disable_export:
            return
        reason = f"Export to a file is turned off. {LOCKED_LABEL} ({policy.reason('DisableExport')})."
        for action in self.export_actions.values():
            action.setEnabled(False)
            action.setToolTip(reason)
        self.export_locked_note = menu.addAction(f"{LOCKED_LABEL}: export is turned off")
        self.export_locked_note.setEnabled(False)
        menu.setToolTipsVisible(True)
        button.setToolTip(reason)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(0)
        for button in self.kind_buttons.values():
            top.addWidget(button)
        top.addSpacing(12)
        top.addStretch(1)
        for button in (self.draft_review_button, self.draft_plan_button, self.stop_button):
            top.addSpacing(6)
            top.addWidget(button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.versions)
        bottom.addWidget(self.final_button)
        bottom.addStretch(1)
        bottom.addWidget(self.citations_box)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)

    def show_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    def show_versions(self, draft, shown_version: int | None) -> None:
        """Every version of ``draft``, newest first, with ``shown_version`` selected."""
        self.versions.clear()
        for version in reversed(draft.versions if draft else ()):
            self.versions.addItem(version_label(version, draft.final_version), version.version)
        self.versions.setCurrentIndex(self.versions.findData(shown_version))

    def set_state(self, *, ready: bool, busy: bool, has_body: bool, is_final: bool) -> None:
        self.draft_review_button.setEnabled(ready and not busy)
        self.draft_plan_button.setEnabled(ready and not busy)
        self.stop_button.setEnabled(busy)
        for widget in (self.versions, self.export_button, self.citations_box):
            widget.setEnabled(has_body)
        self.final_button.setEnabled(has_body and not busy)
        self.final_button.setChecked(is_final)
        self.final_button.setText("Final ✓" if is_final else "Mark final")
        self.final_button.setToolTip("Click to take the final mark away" if is_final
                                     else "Mark the version on show as the one you shared")

    @property
    def include_citations(self) -> bool:
        return self.citations_box.isChecked()


def _segment(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setAccessibleName(f"Show the {text.lower()}")
    button.setCheckable(True)
    button.setObjectName("segment")
    return button

