"""Showing a new recovery key once: save it, print it, and say it was kept.

The key only starts to work when the manager confirms they kept it
(``sig_kept``; the caller then saves the record). Until then nothing is
written, so a window closed halfway leaves no recovery key that nobody saw,
and the welcome page offers a fresh one next time.
"""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from app.errors import TrellisError
from app.paths import write_atomically
from app.store import recovery

SUGGESTED_FILE = "Trellis recovery key.txt"


class RecoveryKeyPanel(QWidget):
    sig_kept = Signal(object)
    """The manager confirmed they kept the key. Argument: the ``RecoveryKit`` to save."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._kit: recovery.RecoveryKit | None = None
        self._home: Path | None = None
        self._build()

    def _build(self) -> None:
        title = QLabel("Keep your recovery key")
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        explain = QLabel("With this key Trellis opens your notes on a new computer, or after the system "
                         "keychain was reset. It is shown only now: save it or print it, and keep it away "
                         "from this computer. Anyone with it and a copy of your data can read your notes.")
        explain.setWordWrap(True)
        self.key_label = QLabel()
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setFont(QFont("monospace", 13))
        self.key_label.setTextInteractionFlags(self.key_label.textInteractionFlags().TextSelectableByMouse)
        self.save_button = self._button("Save as file…", self.on_save)
        self.print_button = self._button("Print…", self.on_print)
        self.confirm = QCheckBox("I have kept my recovery key somewhere safe")
        self.confirm.setAccessibleName("I have kept my recovery key somewhere safe")
        self.done_button = self._button("Done", self.on_done)
        self.done_button.setEnabled(False)
        self.confirm.toggled.connect(self.done_button.setEnabled)
        self.message = QLabel()
        self.message.setAccessibleName("Recovery key message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 12, 0, 12)
        for widget in (title, explain, self.key_label):
            column.addWidget(widget)
        column.addLayout(buttons)
        for widget in (self.message, self.confirm, self.done_button):
            column.addWidget(widget)

    def _button(self, text: str, handler) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(handler)
        return button

    def show_kit(self, kit: recovery.RecoveryKit, home: Path) -> None:
        self._kit, self._home = kit, home
        self.key_label.setText(kit.text)
        self.confirm.setChecked(False)
        self.message.clear()

    def forget(self) -> None:
        """Drop the key from the screen and from memory (on lock)."""
        self._kit = None
        self.key_label.clear()
        self.confirm.setChecked(False)
        self.message.clear()

    def sheet(self) -> str:
        return recovery.recovery_sheet(self._kit, self._home) if self._kit else ""

    def on_save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Save recovery key", SUGGESTED_FILE,
                                                    "Text (*.txt)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the recovery sheet to ``path``, readable by the owner only."""
        try:
            write_atomically(path, self.sheet().encode("utf-8"))
        except OSError as exc:
            self.message.setText(f"Could not save the recovery key to {path}: {exc.strerror or exc}.")
            return False
        self.message.setText(f"Saved to {path} (readable by you only). Move it off this computer, "
                             "for example to a USB stick or a password manager.")
        return True

    def on_print(self) -> None:
        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        page = QTextDocument()
        page.setDefaultFont(QFont("monospace", 11))
        page.setPlainText(self.sheet())
        page.print_(printer)
        self.message.setText("Sent to the printer.")

    def on_done(self) -> None:
        if self._kit is not None and self.confirm.isChecked():
            self.sig_kept.emit(self._kit)


class RecoveryKeyDialog(QDialog):
    """"New recovery key…" from the menu: for data set up before recovery keys, or a key that was lost."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New recovery key")
        self._store = store = session.store
        session.sig_locked.connect(self.reject)   # locking takes the key off the screen
        replaces = self.replaces = QLabel("This data already has a recovery key; the new one replaces it, and the old one "
                          "stops working once you confirm below.")
        replaces.setWordWrap(True)
        replaces.setVisible(store.has_recovery_key)
        self.panel = RecoveryKeyPanel()
        self.panel.show_kit(store.new_recovery_key(), store.home)
        self.panel.sig_kept.connect(self.on_kept)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        column = QVBoxLayout(self)
        for widget in (replaces, self.panel, cancel):
            column.addWidget(widget)
        self.finished.connect(self.panel.forget)
        self.setMinimumWidth(520)

    def on_kept(self, kit) -> None:
        if keep_kit(self._store, kit, self.panel):
            self.accept()


def keep_kit(store, kit: recovery.RecoveryKit, panel: RecoveryKeyPanel) -> bool:
    """Save ``kit`` as the store's recovery key; on failure the panel says why and keeps the key shown."""
    try:
        store.keep_recovery_key(kit)
    except TrellisError as exc:
        panel.message.setText(f"The recovery key was not saved: {exc}")
        return False
    except OSError as exc:
        panel.message.setText(f"The recovery key was not saved ({exc.filename}): {exc.strerror or exc}.")
        return False
    panel.forget()
    return True
