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

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.errors import (InvalidInput, LockedError, PassphraseRequired, StoreCorrupt, TrellisError,
                        WrongPassphrase)
from app.paths import data_home
from app import policy as policies
from app.store import keys
from app.store.location import has_data
from app.store.unlock_pin import check_unlock_pin, has_unlock_pin

from . import operations
from .operations import Operation, in_pool
from .recovery_unlock import RecoveryUnlockDialog


BOX_WIDTH = 420   # the unlock form's width, in pixels
FREE_TRIES = 3    # wrong PINs or passphrases before each try waits
MAX_WAIT_S = 30

def opens_without_asking(home) -> bool:
    """Whether the keychain (or TRELLIS_PASSPHRASE) opens existing data with nothing owed."""
    try:
        mode = keys.key_mode(home)
    except StoreCorrupt:
        return False
    if mode is None or keys.passphrase_needed(home) or asks_pin(home):
        return False
    return mode == "keychain" or keys.passphrase_from_env() is not None


def open_without_asking() -> "Store | None":
    """The store, opened at once, if it needs nothing typed: a first run makes the key, and
    data whose key the keychain (or TRELLIS_PASSPHRASE) holds opens; else None. The window
    opens existing data with ``LockPage.open_when_possible`` instead, off the GUI thread."""
    from app.store import Store  # SQLCipher loads here, after the window has painted
    home = data_home()
    if has_data(home) and not opens_without_asking(home):
        return None
    try:
        return Store.open()
    except PassphraseRequired:
        return None


def key_work(home, passphrase: str | None, pin: str | None):
    """Work for the thread pool: the data key, from the keychain or the passphrase (Argon2id,
    about 0.2 s), after the unlock PIN if one is asked; a wrong try is returned, not raised."""
    def work(_progress, _stop):
        try:
            if pin is not None:
                check_unlock_pin(home, pin)
            return keys.unlock_key(home, passphrase)
        except WrongPassphrase as wrong:
            return wrong
    return work


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
        self.unlocking: Operation | None = None
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

    def open_when_possible(self) -> bool:
        """At start: open the data if nothing needs typing, its key derived off the GUI thread
        while the page says so; a first run opens at once. False if the page must ask."""
        home = data_home()
        if not has_data(home):
            try:
                store = open_without_asking()
            except TrellisError as exc:
                self.prepare()
                self._problem(str(exc))
                return False
            if store is not None:
                self.sig_store_opened.emit(store)
            return store is not None
        self.prepare()
        if not opens_without_asking(home):
            return False
        self._unlock_off_thread(None, None)
        return True

    @property
    def busy(self) -> bool:
        return operations.is_running(self.unlocking)

    def _unlock_off_thread(self, passphrase: str | None, pin: str | None) -> None:
        self.title.setText("Opening your notes…")
        self.error.clear()
        for widget in (self.unlock_button, self.passphrase, self.recover_button):
            widget.setEnabled(False)
        self.unlocking = in_pool(key_work(data_home(), passphrase, pin), done=self.on_key,
                                 failed=self.on_key_failed)

    @Slot(object)
    def on_key(self, result) -> None:
        self._end_unlocking()
        if isinstance(result, WrongPassphrase):
            return self._wrong(str(result))
        from app.store import Store
        try:
            store = Store(data_home(), result)  # opened here: the store belongs to this thread
        except TrellisError as exc:
            return self._problem(str(exc))
        self._failures = 0
        self.passphrase.clear(), self.repeat.clear(), self.error.clear()
        self.sig_store_opened.emit(store)

    @Slot(str)
    def on_key_failed(self, reason: str) -> None:
        self._end_unlocking()
        self._problem(reason)

    def _end_unlocking(self) -> None:
        self.title.setText("Trellis is locked")
        for widget in (self.passphrase, self.recover_button):
            widget.setEnabled(True)
        self.unlock_button.setEnabled(not self._wait.isActive())

    def on_unlock(self) -> None:
        if (self._new or self._owed) and self.passphrase.text() != self.repeat.text():
            return self._problem("The two passphrases differ.")
        if self._wait.isActive() or self.busy:
            return
        if not (self._new or self._owed):  # existing data: derive its key off the GUI thread
            typed = self.passphrase.text()
            return self._unlock_off_thread(typed if self._mode == "passphrase" else None,
                                           typed if self._pin else None)
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

    def _open(self) -> "Store":
        """A first passphrase for new data, or one the organisation now requires."""
        from app.store import Store
        if not self._owed:
            return Store.open(passphrase=self.passphrase.text())
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
