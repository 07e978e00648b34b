"""Opening the notes with the recovery key, from the lock screen.

For a new laptop (the data dir copied, an empty keychain), a reset keychain,
or a forgotten passphrase. The key is checked group by group as typed, and
nothing on disk changes unless it opens this very database; then the data
key is kept again, in the keychain or behind a new passphrase.
"""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from app.errors import TrellisError
from app.paths import data_home
from app.store import keys


def needs_new_passphrase() -> bool:
    """Whether the recovered key must go behind a passphrase (no keychain, or policy)."""
    return keys.secure_keychain() is None or keys.keychain_refused_by_policy()


class RecoveryUnlockDialog(QDialog):
    """Asks for the recovery key (and a new passphrase where needed); ``store`` is set on success."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Use recovery key")
        self.store = None  # the opened Store, once the recovery key opened the data
        self._asks_passphrase = needs_new_passphrase()
        explain = QLabel(self._explanation())
        explain.setWordWrap(True)
        self.recovery_key = QLineEdit()
        self.recovery_key.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.recovery_key.setAccessibleName("Recovery key")
        self.passphrase = self._secret("New passphrase")
        self.repeat = self._secret("Repeat the new passphrase")
        self.error = QLabel()
        self.error.setAccessibleName("Recovery problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = buttons.addButton("Open my notes", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setAccessibleName("Open my notes")
        buttons.accepted.connect(self.on_open)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        for widget in (explain, self.recovery_key, self.passphrase, self.repeat, self.error, buttons):
            column.addWidget(widget)
        self.setMinimumWidth(480)

    def _explanation(self) -> str:
        text = "Type the recovery key you kept when you set Trellis up (8 groups of 5 characters)."
        if self._asks_passphrase:
            text += " Then choose a new passphrase (8 or more characters) to protect your notes on this computer."
        else:
            text += " Your key will be kept in this computer's keychain again."
        return text

    def _secret(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(name)
        field.setAccessibleName(name)
        field.setVisible(self._asks_passphrase)
        return field

    def on_open(self) -> None:
        new_passphrase = self.passphrase.text() if self._asks_passphrase else None
        if self._asks_passphrase and new_passphrase != self.repeat.text():
            return self._problem("The two passphrases differ.")
        try:
            from app.store import Store  # SQLCipher loads when it is needed
            self.store = Store.recover(data_home(), recovery_key=self.recovery_key.text(),
                                       new_passphrase=new_passphrase)
        except TrellisError as exc:
            return self._problem(str(exc))
        self.recovery_key.clear(), self.passphrase.clear(), self.repeat.clear()
        self.accept()

    def _problem(self, message: str) -> None:
        self.error.setText(message)
        self.recovery_key.setFocus()
