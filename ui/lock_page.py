"""The screen shown while Trellis is locked: unlock, or choose a first passphrase.

It shows no team data at all. A wrong passphrase says so and the field is
ready for another try; nothing on disk changes.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.errors import InvalidInput, LockedError, PassphraseRequired, TrellisError
from app.paths import data_home
from app.store import Store, keys


def open_without_asking() -> Store | None:
    """The store if the keychain (or TRELLIS_PASSPHRASE) unlocks it, else None."""
    try:
        return Store.open()
    except PassphraseRequired:
        return None


class LockPage(QWidget):
    sig_store_opened = Signal(object)
    """The store was unlocked. Argument: the open ``Store``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._mode, self._new = None, True
        self._build()

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.passphrase = self._field("Passphrase")
        self.repeat = self._field("Repeat the passphrase")
        self.error = QLabel()
        self.error.setAccessibleName("Unlock problem")
        self.error.setWordWrap(True)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.on_unlock)
        column = QVBoxLayout()
        for widget in (self.title, self.explain, self.passphrase, self.repeat, self.error, self.unlock_button):
            column.addWidget(widget)
        box = QWidget()
        box.setLayout(column)
        box.setFixedWidth(420)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(name)
        field.setAccessibleName(name)
        field.returnPressed.connect(self.on_unlock)
        return field

    def prepare(self) -> None:
        """Set the page up for this data dir: new passphrase, passphrase, or keychain."""
        mode = keys.key_mode(data_home())
        self._mode, self._new = mode, mode is None
        self.title.setText("Choose a passphrase" if self._new else "Trellis is locked")
        self.explain.setText(self._explanation(mode))
        self.passphrase.setVisible(mode != "keychain")
        self.repeat.setVisible(self._new)
        self.passphrase.clear(), self.repeat.clear(), self.error.clear()
        (self.passphrase if mode != "keychain" else self.unlock_button).setFocus()

    @staticmethod
    def _explanation(mode: str | None) -> str:
        if mode is None:
            return ("There is no secure keychain on this computer, so Trellis protects your notes with a "
                    "passphrase (8 or more characters). It cannot be recovered if you forget it.")
        if mode == "keychain":
            return "Your notes are locked. The key is in your system keychain."
        return "Enter your passphrase to unlock your notes."

    def on_unlock(self) -> None:
        if self._new and self.passphrase.text() != self.repeat.text():
            return self._problem("The two passphrases differ.")
        try:
            store = Store.open(passphrase=None if self._mode == "keychain" else self.passphrase.text())
        except (LockedError, InvalidInput) as exc:
            return self._problem(str(exc))
        except TrellisError as exc:
            return self._problem(str(exc))
        self.passphrase.clear(), self.repeat.clear(), self.error.clear()
        self.sig_store_opened.emit(store)

    def _problem(self, message: str) -> None:
        self.error.setText(message)
        self.passphrase.selectAll()
        self.passphrase.setFocus()
