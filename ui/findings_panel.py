"""The language findings beside a draft: what was flagged, why, and a fix.

Why this module exists: the checks in ``app.assist.language`` catch words
that make a review unfair or weak (personality words applied unevenly,
vague praise, absolutes, hedging), but only the manager can judge them.
Each finding shows its sentence with the flagged words in bold, the reason,
and the suggested rewrite; "Apply fix" appears when the rewrite needs no
further words from the manager (no "[…]" to fill in) and its sentence is
found in one statement; "Dismiss" keeps the wording, for good. The panel
only reports the choice; the Reviews tab saves it as a new version.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.assist.language import ABSOLUTE, HEDGING, UNEVEN_PERSONALITY_WORD, VAGUE_PRAISE
from app.reviews.body import Body

from .chips import blend
from .controls import push_button
from .left_out_panel import LeftOutPanel

RULE_TITLES = {
    UNEVEN_PERSONALITY_WORD: "Personality word",
    VAGUE_PRAISE: "Vague praise",
    ABSOLUTE: "Absolute",
    HEDGING: "Hedging",
}
PLACEHOLDER_MARK = "["


def fix_for(body: Body, finding: dict) -> tuple[str, int, str] | None:
    """Where applying ``finding``'s suggestion lands: (section key, statement index, new text).

    None when the suggestion still has a "[…]" for the manager to fill in, or
    when its sentence is not inside a single statement.
    """
    sentence, suggestion = finding.get("sentence", ""), finding.get("suggestion", "")
    if not sentence or not suggestion or PLACEHOLDER_MARK in suggestion:
        return None
    for section in body.sections:
        for index, statement in enumerate(section.statements):
            if sentence in statement.text:
                return section.key, index, statement.text.replace(sentence, suggestion, 1)
    return None


def marked_sentence(finding: dict) -> str:
    """The sentence as rich text with the flagged words in bold."""
    sentence, words = finding.get("sentence", ""), finding.get("words", "")
    at = sentence.lower().find(words.lower()) if words else -1
    if at < 0:
        return escape(sentence)
    end = at + len(words)
    return f"{escape(sentence[:at])}<b>{escape(sentence[at:end])}</b>{escape(sentence[end:])}"


class FindingCard(QFrame):
    """One finding: the rule, the sentence, why it matters, the fix and the two choices."""

    def __init__(self, finding: dict, *, can_apply: bool, parent=None):
        super().__init__(parent)
        self.finding = finding
        self.setObjectName("finding")
        rule = RULE_TITLES.get(finding.get("rule"), "Wording")
        self.setAccessibleName(f"Finding: {rule}, {finding.get('words', '')}")
        tag = QLabel(rule)
        tag.setObjectName("finding_rule")
        sentence = _rich(marked_sentence(finding), "finding_sentence")
        message = _rich(escape(finding.get("message", "")), "finding_message")
        suggestion = _rich(f"<i>Try:</i> {escape(finding.get('suggestion', ''))}", "finding_suggestion")
        self.apply_button = push_button("Apply fix", "Replace the sentence with the suggestion (a new version)")
        self.apply_button.setVisible(can_apply)
        self.dismiss_button = push_button("Dismiss", "Keep the wording; this finding will not come back")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        for widget in (tag, sentence, message, suggestion):
            layout.addWidget(widget)
        layout.addLayout(buttons)


class FindingsPanel(QWidget):
    """The findings of the version on show, newest version's choices saved by the tab."""

    sig_apply = Signal(object)
    """The manager accepted a suggested fix. Argument: the finding (dict)."""

    sig_dismiss = Signal(str)
    """The manager keeps the wording. Argument: the finding's id."""

    sig_counted = Signal(int)
    """What waits here changed. Argument: wording findings plus sentences left out."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Language findings")
        self.cards: list[FindingCard] = []
        self.title = QLabel("Wording checks")
        self.title.setObjectName("findings_title")
        self.summary = QLabel()
        self.summary.setAccessibleName("Language findings summary")
        self.summary.setWordWrap(True)
        self._list = QWidget()
        self._list.setAutoFillBackground(False)
        self._column = QVBoxLayout(self._list)
        self._column.setContentsMargins(0, 0, 0, 0)
        self.left_out = LeftOutPanel()
        self.left_out.sig_shown.connect(self._count)
        self._column.addWidget(self.left_out)
        self._column.addStretch(1)
        scroll = QScrollArea()
        scroll.setAccessibleName("Language findings list")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list)
        scroll.viewport().setAutoFillBackground(False)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(230)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        self._restyle()
        self.clear()

    def show_findings(self, body: Body | None, *, dismissed: set[str] = frozenset(),
                      actionable: bool = True) -> None:
        """The body's findings the manager has not dismissed; buttons only on the newest version."""
        self._remove_cards()
        findings = [f for f in (body.language if body else ()) if f.get("id") not in dismissed]
        for finding in findings:
            card = FindingCard(finding, can_apply=actionable and fix_for(body, finding) is not None)
            card.dismiss_button.setVisible(actionable)
            card.apply_button.clicked.connect(lambda _=False, f=finding: self.sig_apply.emit(f))
            card.dismiss_button.clicked.connect(lambda _=False, f=finding: self.sig_dismiss.emit(f["id"]))
            self._column.insertWidget(self._column.count() - 2, card)  # above "left out"
            self.cards.append(card)
        self.summary.setText(_summary(body, len(findings), len(dismissed)))
        if body is None:
            self.left_out.show_sentences([], actionable=False)
        self._count()

    def clear(self) -> None:
        self._remove_cards()
        self.left_out.show_sentences([], actionable=False)  # counts, via sig_shown
        self.summary.setText("Findings about the draft's wording appear here.")

    def _count(self) -> None:
        self.sig_counted.emit(len(self.cards) + len(self.left_out.cards))

    def _remove_cards(self) -> None:
        for card in self.cards:
            self._column.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []

    def _restyle(self) -> None:
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        warm = blend(base, palette.color(QPalette.ColorRole.Highlight), 0.12)
        self.setStyleSheet(f"""
            #findings_title {{ font-size: 15px; font-weight: 600; }}
            #finding, #left_out {{ background: {base.name()};
                        border: 1px solid {blend(base, text, 0.14).name()}; border-radius: 8px; }}
            #finding_rule, #left_out_tag {{ background: {warm.name()}; border-radius: 7px; padding: 1px 8px;
                             font-size: 11px; font-weight: 600; }}
            #finding_message, #finding_suggestion {{ color: {blend(base, text, 0.7).name()}; font-size: 12px; }}
        """)


def _summary(body: Body | None, shown: int, dismissed: int) -> str:
    if body is None:
        return "Findings about the draft's wording appear here."
    kept = f" ({dismissed} dismissed)" if dismissed else ""
    if not shown:
        return f"✓ Nothing in this version's wording to look at{kept}."
    return f"{shown} {'sentence' if shown == 1 else 'sentences'} to look at{kept}."


def _rich(html: str, name: str) -> QLabel:
    label = QLabel(html)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label

