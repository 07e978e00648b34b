"""The first-run page: keep your recovery key, then add your first team member or explore a sample team.

The recovery key is offered here because this is where new data starts:
until the manager confirms they kept it, nothing is saved and the page
offers it again. On a managed laptop the page also says that some settings
are set by the organisation, so a disabled control later is no surprise.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app import policy as policies
from app.policy import LOCKED_LABEL

from .recovery_key_view import RecoveryKeyPanel, keep_kit


class WelcomePage(QWidget):
    sig_add_person = Signal()
    """The manager wants to add their first team member (no arguments)."""

    sig_explore_sample = Signal()
    """The manager wants to load the fictional sample team (no arguments)."""

    def __init__(self, session=None, parent=None):
        super().__init__(parent)
        self._session = session
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
        self.recovery = RecoveryKeyPanel()
        self.recovery.sig_kept.connect(self.on_recovery_key_kept)
        self.recovery.setVisible(False)
        self.recovery_done = QLabel("Your recovery key is saved with your data and works from now on.")
        self.recovery_done.setAccessibleName("Recovery key kept")
        self.recovery_done.setWordWrap(True)
        self.recovery_done.setVisible(False)
        box = QWidget()
        column = QVBoxLayout(box)
        for widget in (title, text, self.recovery, self.recovery_done, self.add_button,
                       self.sample_button, hint, self.managed_note):
            column.addWidget(widget)
        box.setFixedWidth(520)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        if session is not None:
            session.sig_unlocked.connect(self.on_unlocked)
            session.sig_locked.connect(self.on_locked)

    def on_unlocked(self) -> None:
        """Offer a recovery key when a new team's data has none yet."""
        store = self._session.store
        self.recovery_done.setVisible(False)
        needs_one = not store.has_recovery_key and not store.people.list(include_archived=True)
        if needs_one:
            self.recovery.show_kit(store.new_recovery_key(), store.home)
        self.recovery.setVisible(needs_one)

    def on_locked(self) -> None:
        self.recovery.forget()
        self.recovery.setVisible(False)

    def on_recovery_key_kept(self, kit) -> None:
        if keep_kit(self._session.store, kit, self.recovery):
            self.recovery.setVisible(False)
            self.recovery_done.setVisible(True)

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
