"""Unlocking the store from the window: ask for the passphrase until it is right."""

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from app.errors import PassphraseRequired, WrongPassphrase
from app.store import Store, keys


def open_store_interactively(parent=None) -> Store | None:
    """The unlocked store, or None if the manager cancelled."""
    try:
        return Store.open()
    except PassphraseRequired:
        pass
    from app.paths import data_home
    is_new = keys.read_key_record(data_home()) is None
    prompt = ("There is no secure keychain here. Choose a passphrase (8+ characters) "
              "to protect your notes:" if is_new else "Passphrase:")
    while True:
        passphrase, ok = QInputDialog.getText(parent, "Unlock Trellis", prompt,
                                              QLineEdit.EchoMode.Password)
        if not ok:
            return None
        try:
            return Store.open(passphrase=passphrase)
        except WrongPassphrase as exc:
            QMessageBox.warning(parent, "Unlock Trellis", str(exc))
