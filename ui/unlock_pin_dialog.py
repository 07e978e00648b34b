"""Choose the unlock PIN: what the locked window will ask for when the key is in the keychain.

Opened the first time the manager locks (Ctrl+L) with the key in the
keychain, from the banner that says the idle lock is waiting for a PIN, and
from Settings. It says plainly what the PIN protects and what it does not
(``app.store.unlock_pin``).
"""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from app.errors import InvalidInput
from app.store.unlock_pin import MIN_PIN_LENGTH, set_unlock_pin

EXPLANATION = (
    "Your notes' key is in the system keychain, so Trellis opens without a passphrase. "
    "Choose an unlock PIN ({n} or more characters): the locked window, and Trellis when it "
    "starts, will ask for it. It keeps this window locked when you step away; anyone who can "
    "use your computer account could still read the keychain with other tools. For a lock "
    "that protects the data itself, set a passphrase instead (trellis passphrase)."
)


class UnlockPinDialog(QDialog):
    def __init__(self, home, parent=None):
        super().__init__(parent)
        self._home = home
        self.setWindowTitle("Choose an unlock PIN")
        self.explain = QLabel(EXPLANATION.format(n=MIN_PIN_LENGTH))
        self.explain.setWordWrap(True)
        self.explain.setMinimumWidth(420)
        self.pin = self._field("Unlock PIN")
        self.repeat = self._field("Repeat the unlock PIN")
        self.error = QLabel()
        self.error.setAccessibleName("Unlock PIN problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Set PIN", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        for widget in (self.explain, self.pin, self.repeat, self.error, buttons):
            column.addWidget(widget)

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(name)
        field.setAccessibleName(name)
        return field

    def on_save(self) -> None:
        if self.pin.text() != self.repeat.text():
            self.error.setText("The two PINs differ.")
            return
        try:
            set_unlock_pin(self._home, self.pin.text())
        except (InvalidInput, OSError) as exc:
            self.error.setText(str(exc))
            return
        self.pin.clear(), self.repeat.clear()
        self.accept()
