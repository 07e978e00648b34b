"""Showing a recovery key: save it, print it, and say it was kept.

Data without a kept recovery key gets one that works from the moment it is
shown (``Store.recovery_key_to_keep``): a file saved before anything else
already opens the data, and the same key is shown again at every start until
the manager confirms they kept it (``sig_kept``). A key that replaces one
already kept works only once confirmed, so cancelling leaves the old one.
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
UNTIL_KEPT = ("This key works already. Trellis shows it again each time it opens, until you "
              "confirm below that you kept it; after that, never again.")
REPLACES = "This new key works once you confirm below that you kept it."


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
                         "keychain was reset. Save it or print it, and keep it away from this computer: "
                         "anyone with it and a copy of your data can read your notes.")
        explain.setWordWrap(True)
        explain.setAccessibleName("What the recovery key is for")
        self.explain = explain
        self.when = QLabel()
        self.when.setAccessibleName("When the recovery key works")
        self.when.setWordWrap(True)
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
        self.message = _Sentence()
        self.message.setAccessibleName("Recovery key message")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 12, 0, 12)
        for widget in (title, explain, self.key_label, self.when):
            column.addWidget(widget)
        column.addLayout(_row(self.save_button, self.print_button, None))
        column.addWidget(self.message)
        column.addLayout(_row(self.confirm, None, self.done_button))

    def _button(self, text: str, handler) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(handler)
        return button

    def show_kit(self, kit: recovery.RecoveryKit, home: Path) -> None:
        self._kit, self._home = kit, home
        self.key_label.setText(kit.text)
        self.when.setText(UNTIL_KEPT if "until_kept" in kit.record else REPLACES)
        self.confirm.setChecked(False)
        self.message.clear()

    def forget(self) -> None:
        """Drop the key from the screen and from memory (on lock)."""
        self._kit = None
        self.key_label.clear()
        self.when.clear()
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
    """The recovery key from the menu or the window's warning: the one not yet kept, shown
    again; or, when one was kept, a new one (the kept one was lost)."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self._store = store = session.store
        session.sig_locked.connect(self.reject)   # locking takes the key off the screen
        kept = store.recovery_key_kept
        self.setWindowTitle("New recovery key" if kept else "Your recovery key")
        replaces = self.replaces = QLabel("This data already has a recovery key; the new one replaces it, and the old one "
                          "stops working once you confirm below.")
        replaces.setWordWrap(True)
        replaces.setVisible(kept)
        self.panel = RecoveryKeyPanel()
        self.panel.show_kit(store.new_recovery_key() if kept else store.recovery_key_to_keep(), store.home)
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


class _Sentence(QLabel):
    """A wrapped line that takes no room while it has nothing to say."""

    def __init__(self):
        super().__init__()
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _row(*widgets) -> QHBoxLayout:
    """``widgets`` side by side; None is the stretch between them."""
    row = QHBoxLayout()
    for widget in widgets:
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget)
    return row


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
