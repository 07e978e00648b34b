"""“Check my text”: a review the manager wrote, checked sentence by sentence against their notes.

Why this module exists: many managers write the review themselves. They
paste or type it here; each sentence comes back marked supported, with
chips for the notes it rests on (a click opens the note), or not, with
what is wrong in one plain sentence. The check is the Qt-free
``app.reviews.own_text``: word lists and rules, no model, milliseconds a
sentence, so it runs on the spot. Nothing is saved and nothing leaves the
machine; the dialog closes when Trellis locks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QLabel, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget,
)

from app.domain.dates import short_date
from app.errors import TrellisError
from app.reviews.own_text import CheckedSentence, check_text

from .controls import push_button
from .draft_view import CitationChip, SourceOf
from .flow_layout import FlowLayout

PLACEHOLDER = "Paste or type your review: one sentence per line, or paragraphs."


class CheckTextDialog(QDialog):
    """The text box, Check, and one row per sentence with its notes or its problems."""

    sig_open_note = Signal(str)
    """A citation chip was clicked. Argument: the note id."""

    def __init__(self, store, person_id: str, person_name: str, period: tuple[str, str],
                 source_of: SourceOf, parent=None):
        super().__init__(parent)
        self._store, self._person_id, self._period = store, person_id, period
        self._source_of = source_of
        self.setWindowTitle(f"Check my text — {person_name}")
        self.setAccessibleName("Check my text")
        self.resize(760, 660)
        self.setStyleSheet("#citation { border: none; border-radius: 8px; padding: 1px 8px; "
                           "background: palette(alternate-base); }"
                           "QLabel#problem { font-style: italic; }")
        intro = QLabel(f"Your own review of {person_name}, {short_date(period[0], year=True)} to "
                       f"{short_date(period[1], year=True)}, held to "
                       "your notes sentence by sentence. Nothing is saved or leaves this computer.")
        intro.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Your text")
        self.editor.setPlaceholderText(PLACEHOLDER)
        self.editor.setMaximumHeight(140)
        self.check_button = push_button("Check", "Check each sentence against the notes (Ctrl+Enter)")
        self.check_button.clicked.connect(self.check)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.check)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Result")
        self.rows: list[SentenceRow] = []
        self._results = QVBoxLayout()
        self._results.addStretch(1)
        self._layout(intro)

    def _layout(self, intro: QLabel) -> None:
        page = QWidget()
        page.setLayout(self._results)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.editor, self.check_button, self.summary):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    def check(self) -> list[CheckedSentence]:
        """Check what is in the box now and show each sentence's result."""
        text = self.editor.toPlainText()
        if not text.strip():
            self.summary.setText("There is no text to check yet.")
            return []
        try:
            checked = check_text(self._store, self._person_id, *self._period, text)
        except TrellisError as exc:
            self.summary.setText(str(exc))
            return []
        self._show(checked)
        return checked

    def _show(self, checked: list[CheckedSentence]) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = [SentenceRow(item, self._source_of) for item in checked]
        for row in self.rows:
            row.sig_open_note.connect(self.sig_open_note)
            self._results.insertWidget(self._results.count() - 1, row)
        supported = sum(item.supported for item in checked)
        self.summary.setText(f"{supported} of {len(checked)} sentences supported by your notes.")


class SentenceRow(QFrame):
    """One sentence: supported or not, its notes as chips, and what is wrong."""

    sig_open_note = Signal(str)
    """A citation chip was clicked. Argument: the note id."""

    def __init__(self, item: CheckedSentence, source_of: SourceOf, parent=None):
        super().__init__(parent)
        self.item = item
        self.setFrameShape(QFrame.Shape.StyledPanel)
        status = "Supported" if item.supported else "Not supported"
        self.status = QLabel(f"<b>{'✓' if item.supported else '✗'} {status}</b>")
        self.text = QLabel(item.text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = [QLabel(problem) for problem in item.problems]
        self.setAccessibleName(f"{status}: {item.text}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.text)
        chips = QWidget()
        flow = FlowLayout(chips)
        self.chips = []
        for record_id in item.citations:
            chip = CitationChip(record_id, source_of(record_id))
            chip.clicked.connect(lambda _=False, c=chip: self.sig_open_note.emit(c.record_id))
            self.chips.append(chip)
            flow.addWidget(chip)
        layout.addWidget(chips)
        for label in self.problems:
            label.setObjectName("problem")
            label.setWordWrap(True)
            layout.addWidget(label)
