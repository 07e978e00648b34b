"""What a draft left out as private, and what the manager let in on purpose.

Why this module exists: Trellis leaves sentences about health, family,
religion and the other special categories out of every draft (issue 17),
and the manager must be able to see that it did, and why. Sometimes one
such sentence is the context a review needs ("worked reduced hours after
surgery, agreed with HR"); the manager includes that one sentence after a
confirmation that says where it will go, and can leave it out again. The
panel lists the sentences of the notes behind the draft on show; the
Reviews tab asks and stores the choice.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.errors import NotFound
from app.reviews.body import Body
from app.reviews.sensitive import SensitiveSentence, sensitive_sentences

from .chips import date_label
from .controls import push_button


def sensitive_of_draft(store, body: Body | None) -> list[tuple[SensitiveSentence, str]]:
    """(sentence, note date) for each sentence the draft left out as private, and each one
    the manager let in that a note behind the draft holds."""
    if store is None or body is None:
        return []
    left_out_ids = {entry["id"] for entry in body.excluded if entry.get("sentences")}
    found = []
    for note_id in dict.fromkeys([*left_out_ids, *body.sources]):
        try:
            note = store.notes.get(note_id)
        except NotFound:
            continue
        found += [(s, note.date) for s in sensitive_sentences(note)
                  if s.included or note_id in left_out_ids]
    return sorted(found, key=lambda pair: (pair[1], pair[0].note_id, pair[0].number))


def ask_to_include(parent, sentence: SensitiveSentence, person_name: str) -> bool:
    """Whether the manager, told where the sentence will go, still wants it in."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Include a private sentence?")
    box.setText(f"Use this sentence about {sentence.category} in {person_name}'s drafts?")
    box.setInformativeText(
        f"“{sentence.text}”\n\nDrafts and plans made from now on may quote it, the on-device "
        "model may read it, and a 1:1 topic may raise it. A copy you share would hold it. "
        "Nothing already drafted changes; you can leave it out again here.")
    include = box.addButton("Include this sentence", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is include


class SentenceCard(QFrame):
    """One sentence: its kind of private detail, when it was noted, the words, one choice."""

    def __init__(self, sentence: SensitiveSentence, date: str, parent=None):
        super().__init__(parent)
        self.sentence = sentence
        self.setObjectName("left_out")
        state = "Used on purpose" if sentence.included else "Left out"
        tag = QLabel(f"{state}: {sentence.category} · {date_label(date)}")
        tag.setObjectName("left_out_tag")
        words = QLabel(sentence.text)
        words.setWordWrap(True)
        words.setAccessibleName("Sentence")
        if sentence.included:
            self.button = push_button("Leave out again", "Drafts made from now on leave this "
                                      "sentence out, as Trellis does by itself")
        else:
            self.button = push_button("Include this sentence…", "Let this one sentence into "
                                      "drafts, plans and 1:1 topics (you are asked first)")
        self.setAccessibleName(f"{state}: {sentence.category}")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(tag)
        layout.addWidget(words)
        layout.addLayout(buttons)


class LeftOutPanel(QWidget):
    """The cards; hidden when the draft on show left nothing out as private."""

    sig_chosen = Signal(object, bool)
    """The manager chose. Arguments: the SensitiveSentence, True to include it."""

    sig_shown = Signal()
    """The cards changed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Left out as private")
        self.cards: list[SentenceCard] = []
        self.title = QLabel("Left out as private")
        self.title.setObjectName("findings_title")
        self.about = QLabel("Sentences about health, family, religion and the like stay out of "
                            "drafts, plans and topics. Include one only if the review needs it.")
        self.about.setWordWrap(True)
        layout = self._column = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.about)
        self.setVisible(False)

    def show_sentences(self, sentences: list[tuple[SensitiveSentence, str]], *,
                       actionable: bool) -> None:
        for card in self.cards:
            self._column.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        for sentence, date in sentences:
            card = SentenceCard(sentence, date)
            card.button.setEnabled(actionable)
            card.button.clicked.connect(
                lambda _=False, s=sentence: self.sig_chosen.emit(s, not s.included))
            self._column.addWidget(card)
            self.cards.append(card)
        self.setVisible(bool(sentences))
        self.sig_shown.emit()
