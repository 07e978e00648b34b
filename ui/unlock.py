"""Unlocking the store from the window: ask for the passphrase until it is right."""

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from app.errors import InvalidInput, PassphraseRequired, WrongPassphrase
from app.paths import data_home
from app.store import Store, keys

TITLE = "Unlock Trellis"
NEW_PROMPT = ("There is no secure keychain on this computer, so Trellis protects your notes "
              "with a passphrase.\nChoose one (8 or more characters):")


def _ask(parent, prompt: str) -> str | None:
    text, ok = QInputDialog.getText(parent, TITLE, prompt, QLineEdit.EchoMode.Password)
    return text if ok else None


def _ask_new_passphrase(parent) -> str | None:
    while True:
        first = _ask(parent, NEW_PROMPT)
        if first is None:
            return None
        again = _ask(parent, "Type the same passphrase again:")
        if again is None:
            return None
        if again == first:
            return first
        QMessageBox.warning(parent, TITLE, "The two passphrases differ. Please choose again.")


def open_store_interactively(parent=None) -> Store | None:
    """The unlocked store, or None if the manager cancelled."""
    try:
        return Store.open()
    except PassphraseRequired:
        pass
    is_new = keys.read_key_record(data_home()) is None
    while True:
        passphrase = _ask_new_passphrase(parent) if is_new else _ask(parent, "Passphrase:")
        if passphrase is None:
            return None
        try:
            return Store.open(passphrase=passphrase)
        except (WrongPassphrase, InvalidInput) as exc:
            QMessageBox.warning(parent, TITLE, str(exc))
