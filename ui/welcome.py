"""The first-run page: keep your recovery key, then add your first team member or explore a sample team.

The recovery key is offered here because this is where new data starts. It
works from the moment it is shown, the page shows the same key at every
start until the manager confirms they kept it, and the first steps wait for
that confirmation: once a team is in, losing the keychain would lose it.
On a managed laptop the page also says that some settings are set by the
organisation, so a disabled control later is no surprise.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app import policy as policies
from app.errors import TrellisError
from app.policy import LOCKED_LABEL

from .recovery_key_view import RecoveryKeyPanel, keep_kit


WAIT_FOR_KEY = ("Keep your recovery key first: these steps open once you have ticked the box above "
                "and pressed Done.")


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
        self.recovery_done = QLabel("Your recovery key is kept. Trellis will not show it again; if you "
                                    "lose it, Trellis \u25b8 New recovery key\u2026 makes a new one.")
        self.recovery_done.setAccessibleName("Recovery key kept")
        self.recovery_done.setWordWrap(True)
        self.recovery_done.setVisible(False)
        self.waiting = QLabel()
        self.waiting.setAccessibleName("Why the first steps wait")
        self.waiting.setWordWrap(True)
        self.waiting.setVisible(False)
        box = QWidget()
        column = QVBoxLayout(box)
        for widget in (title, text, self.recovery, self.recovery_done, self.waiting, self.add_button,
                       self.sample_button, hint, self.managed_note):
            column.addWidget(widget)
        box.setFixedWidth(520)
        layout = QVBoxLayout(self)
        # Centred by alignment, not between stretches: only then does the box get the height
        # its wrapped sentences need at this width, instead of its default size's.
        layout.addWidget(box, 1, Qt.AlignmentFlag.AlignCenter)
        if session is not None:
            session.sig_unlocked.connect(self.on_unlocked)
            session.sig_locked.connect(self.on_locked)

    def on_unlocked(self) -> None:
        """Show the recovery key a new team's data has not yet seen kept; the first steps wait."""
        store = self._session.store
        self.recovery_done.setVisible(False)
        kit, problem = None, ""
        if not store.people.list(include_archived=True):
            try:
                kit = store.recovery_key_to_keep()
            except (TrellisError, OSError) as exc:  # a full disk: say so, and do not hold the team back
                problem = f"Trellis could not make your recovery key: {exc}"
        if kit is not None:
            self.recovery.show_kit(kit, store.home)
        self.recovery.setVisible(kit is not None)
        self._wait_for_key(WAIT_FOR_KEY if kit is not None else problem, waiting=kit is not None)

    def _wait_for_key(self, sentence: str, *, waiting: bool) -> None:
        self.waiting.setText(sentence)
        self.waiting.setVisible(bool(sentence))
        self.add_button.setEnabled(not waiting)
        self.sample_button.setEnabled(not waiting)

    def on_locked(self) -> None:
        self.recovery.forget()
        self.recovery.setVisible(False)

    def on_recovery_key_kept(self, kit) -> None:
        if keep_kit(self._session.store, kit, self.recovery):
            self.recovery.setVisible(False)
            self.recovery_done.setVisible(True)
            self._wait_for_key("", waiting=False)
            self.add_button.setFocus()

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
