"""The screen shown while Trellis is locked: unlock, or choose a first passphrase.

It shows no team data at all. A wrong passphrase says so and the field is
ready for another try; nothing on disk changes.

When the organisation requires a passphrase (RequirePassphrase) and the key
is kept only in the keychain, the page asks for a new passphrase: the key is
unlocked from the keychain and wrapped by it, never re-created.

With the key in the keychain and an unlock PIN set, the page asks for the
PIN (``app.store.unlock_pin``), at start and after every lock; wrong tries
make the next one wait longer (1, 2, 4 … up to 30 seconds after the third).

When the data has a recovery key, "Use recovery key…" opens it after the
keychain entry was lost, on a new laptop, or when the passphrase is forgotten.
A data dir whose key.json is gone is never offered a new passphrase: that
would make a new key over existing notes.
"""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.errors import (InvalidInput, LockedError, PassphraseRequired, StoreCorrupt, TrellisError,
                        WrongPassphrase)
from app.paths import data_home
from app import policy as policies
from app.store import Store, has_data, keys
from app.store.unlock_pin import check_unlock_pin, has_unlock_pin

from .recovery_unlock import RecoveryUnlockDialog


BOX_WIDTH = 420   # the unlock form's width, in pixels
FREE_TRIES = 3    # wrong PINs or passphrases before each try waits
MAX_WAIT_S = 30

def open_without_asking() -> Store | None:
    """The store if the keychain (or TRELLIS_PASSPHRASE) unlocks it and no passphrase is owed, else None."""
    try:
        if keys.passphrase_needed(data_home()) or asks_pin(data_home()):
            return None
        return Store.open()
    except PassphraseRequired:
        return None


def asks_pin(home) -> bool:
    """Whether unlocking asks for the unlock PIN: the key is in the keychain and a PIN is set."""
    try:
        return keys.key_mode(home) == "keychain" and has_unlock_pin(home)
    except StoreCorrupt:
        return False


class LockPage(QWidget):
    sig_store_opened = Signal(object)
    """The store was unlocked. Argument: the open ``Store``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._mode, self._new, self._owed, self._pin = None, True, False, False
        self._failures = 0
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(self._end_wait)
        self.recovery_dialog: RecoveryUnlockDialog | None = None
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
        self.recover_button = QPushButton("Use recovery key…")
        self.recover_button.setAccessibleName("Use recovery key")
        self.recover_button.clicked.connect(self.on_recover)
        column = self._column = QVBoxLayout()
        for widget in (self.title, self.explain, self.passphrase, self.repeat, self.error, self.unlock_button,
                       self.recover_button):
            column.addWidget(widget)
        box = QWidget()
        box.setLayout(column)
        box.setFixedWidth(BOX_WIDTH)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def _fit(self, label: QLabel) -> None:
        """Give a wrapped label the height its text needs in the fixed-width box (Qt sizes a
        wrapped label for its hint width, so a long sentence would be cut off)."""
        margins = self._column.contentsMargins()
        label.setMinimumHeight(label.heightForWidth(BOX_WIDTH - margins.left() - margins.right()))

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(name)
        field.setAccessibleName(name)
        field.returnPressed.connect(self.on_unlock)
        return field

    def prepare(self) -> None:
        """Set the page up for this data dir: new passphrase, passphrase, or keychain."""
        home = data_home()
        try:
            mode = keys.key_mode(home)
        except StoreCorrupt:   # a damaged key.json: only the recovery key can help
            mode = None
        lost = mode is None and has_data(home)
        self._mode, self._new = mode, mode is None and not lost
        self._owed = bool(keys.passphrase_needed(home))
        self._pin = asks_pin(home) and not self._owed
        asks = mode == "passphrase" or self._new or self._owed or self._pin
        name = "Unlock PIN" if self._pin else "Passphrase"
        self.passphrase.setPlaceholderText(name), self.passphrase.setAccessibleName(name)
        self.title.setText("Choose a passphrase" if self._new or self._owed else "Trellis is locked")
        self.explain.setText(self._lost_key_file(home) if lost else self._explanation(mode))
        self._fit(self.explain)
        self.unlock_button.setText("Set passphrase" if self._new or self._owed else "Unlock")
        self.passphrase.setVisible(asks)
        self.repeat.setVisible(self._new or self._owed)
        self.unlock_button.setVisible(not lost)
        self.recover_button.setVisible(keys.recovery_file(home).exists() and not self._new)
        self.passphrase.clear(), self.repeat.clear(), self.error.clear()
        (self.passphrase if asks else self.recover_button if lost else self.unlock_button).setFocus()

    @staticmethod
    def _lost_key_file(home) -> str:
        offer = ("Use your recovery key to open them." if keys.recovery_file(home).exists() else
                 "Put key.json back from a backup of this folder to open them.")
        return (f"Your notes are in {home}, but the record of their key (key.json) is missing or damaged. "
                f"Trellis will not make a new key over them. {offer}")

    def _explanation(self, mode: str | None) -> str:
        policy = policies.current_policy()
        if self._owed:
            return (f"Your organisation requires a passphrase ({policy.reason('RequirePassphrase')}). "
                    "Your key is kept only in the system keychain: choose a passphrase (8 or more "
                    "characters) to protect it. Your notes stay as they are.")
        if mode is None and policy.require_passphrase:
            return (f"Your organisation requires a passphrase ({policy.reason('RequirePassphrase')}). "
                    "Choose one (8 or more characters). If you ever forget it, the recovery key "
                    "Trellis shows you next opens your notes.")
        if mode is None:
            return ("There is no secure keychain on this computer, so Trellis protects your notes with a "
                    "passphrase (8 or more characters). If you ever forget it, the recovery key "
                    "Trellis shows you next opens your notes.")
        if mode == "keychain" and self._pin:
            return ("Enter your unlock PIN. Your notes' key is in the system keychain; the PIN "
                    "keeps this window locked while you are away.")
        if mode == "keychain":
            return "Your notes are locked. The key is in your system keychain."
        return "Enter your passphrase to unlock your notes."

    def on_unlock(self) -> None:
        if (self._new or self._owed) and self.passphrase.text() != self.repeat.text():
            return self._problem("The two passphrases differ.")
        if self._wait.isActive():
            return
        try:
            store = self._open()
        except WrongPassphrase as exc:
            return self._wrong(str(exc))
        except (LockedError, InvalidInput) as exc:
            return self._problem(str(exc))
        except TrellisError as exc:
            return self._problem(str(exc))
        self._failures = 0
        self.passphrase.clear(), self.repeat.clear(), self.error.clear()
        self.sig_store_opened.emit(store)

    def _wrong(self, message: str) -> None:
        """A wrong PIN or passphrase: after ``FREE_TRIES``, each try waits twice as long."""
        self._failures += 1
        if self._failures >= FREE_TRIES:
            seconds = min(MAX_WAIT_S, 2 ** (self._failures - FREE_TRIES))
            message += f" Wait {seconds} second{'s' if seconds != 1 else ''} before the next try."
            self.unlock_button.setEnabled(False)
            self._wait.start(seconds * 1000)
        self._problem(message)

    def _end_wait(self) -> None:
        self.unlock_button.setEnabled(True)

    def _open(self) -> Store:
        if self._pin:
            check_unlock_pin(data_home(), self.passphrase.text())
            return Store.open()
        if not self._owed:
            return Store.open(passphrase=None if self._mode == "keychain" else self.passphrase.text())
        keys.check_new_passphrase(self.passphrase.text())
        store = Store.open()
        try:
            store.change_passphrase(self.passphrase.text())
        except BaseException:
            store.close()
            raise
        self._owed = False
        return store

    def on_recover(self) -> None:
        dialog = self.recovery_dialog = RecoveryUnlockDialog(self)
        if dialog.exec() and dialog.store is not None:
            self.passphrase.clear(), self.repeat.clear(), self.error.clear()
            self.sig_store_opened.emit(dialog.store)
        self.recovery_dialog = None

    def _problem(self, message: str) -> None:
        self.error.setText(message)
        self._fit(self.error)
        self.passphrase.selectAll()
        self.passphrase.setFocus()
