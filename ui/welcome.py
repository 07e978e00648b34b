"""The first-run page: add your first team member, or explore a sample team.

On a managed laptop it also says that some settings are set by the
organisation, so a disabled control later is no surprise.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app import policy as policies
from app.policy import LOCKED_LABEL


class WelcomePage(QWidget):
    sig_add_person = Signal()
    """The manager wants to add their first team member (no arguments)."""

    sig_explore_sample = Signal()
    """The manager wants to load the fictional sample team (no arguments)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("Welcome to Trellis")
        title.setStyleSheet("font-size: 22px; font-weight: 600;")
        text = QLabel("Private notes on your team, 1:1s that carry over what is still open, and review "
                      "drafts grounded in what you wrote — all on this computer. Nothing leaves it.")
        text.setWordWrap(True)
        self.add_button = QPushButton("Add your first team member")
        self.add_button.setAccessibleName("Add your first team member")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.sig_add_person)
        self.sample_button = QPushButton("Explore a sample team")
        self.sample_button.setAccessibleName("Explore a sample team")
        self.sample_button.clicked.connect(self.sig_explore_sample)
        hint = QLabel("The sample is a fictional team, clearly marked, and removable in one click.")
        hint.setWordWrap(True)
        self.managed_note = self._managed_note()
        box = QWidget()
        column = QVBoxLayout(box)
        for widget in (title, text, self.add_button, self.sample_button, hint, self.managed_note):
            column.addWidget(widget)
        box.setFixedWidth(520)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    @staticmethod
    def _managed_note() -> QLabel:
        policy = policies.current_policy()
        keys = [key for key in policies.POLICY_KEYS if policy.locked(key)]
        note = QLabel(f"Your organisation manages some settings on this computer ({', '.join(keys)}); "
                      f"they show as \u201c{LOCKED_LABEL}\u201d.")
        note.setWordWrap(True)
        note.setAccessibleName("Managed settings")
        note.setVisible(bool(keys))
        return note
