"""The window's last resort: an exception nothing caught becomes a sentence in a dialog.

Why this module exists: PySide6 hands an exception raised in a slot to
``sys.excepthook``, whose default prints a traceback on a console the
manager never sees, and the click seems to do nothing; an exception in a
plain Python thread goes to ``threading.excepthook`` the same way. The
hooks installed here show a sentence instead — the error's own message for
a ``TrellisError``, otherwise "unexpected error (ValueError) — details in
<log>" with the details written by ``app.error_log`` (type and frames, never
the message, which may quote a note). Worker threads that report their
failures through their own signals are untouched: they never reach a hook.

The hooks may run on any thread; the sentence travels to the main thread
through a queued signal, and one dialog collects every sentence until it is
closed, so a failure repeating in a loop cannot bury the window in dialogs.
"""

import sys
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.error_log import describe
from app.errors import TrellisError

TITLE = "Trellis hit a problem"
MAX_SENTENCES = 5


def sentence_for(exc: BaseException) -> str:
    """What the manager is told about ``exc``; unexpected ones are logged on the way."""
    if isinstance(exc, TrellisError):
        return str(exc)
    return describe(exc, where="window")


class ErrorReport(QObject):
    """Installs the hooks and shows their sentences over ``window``."""

    sig_failed = Signal(str)
    """A sentence to show (str); emitted from whichever thread failed."""

    def __init__(self, window: QWidget | None = None):
        super().__init__(window)
        self._window = window
        self._previous = None
        self.dialog: QMessageBox | None = None
        self.sentences: list[str] = []
        self.sig_failed.connect(self.on_failed, Qt.ConnectionType.QueuedConnection)

    def install(self) -> "ErrorReport":
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.on_exception
        threading.excepthook = self.on_thread_exception
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def on_exception(self, kind, exc, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, trace)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(trace)
        self.sig_failed.emit(sentence_for(exc))

    def on_thread_exception(self, args) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        self.sig_failed.emit(sentence_for(args.exc_value))

    def on_failed(self, sentence: str) -> None:
        """Show ``sentence``, in the open dialog if there is one."""
        if self.dialog is None or not self.dialog.isVisible():
            self.sentences = []
            self.dialog = self._new_dialog()
        self.sentences = (self.sentences + [sentence])[-MAX_SENTENCES:]
        self.dialog.setText("\n\n".join(self.sentences))
        self.dialog.setInformativeText("What you saved before is safe; the action that failed "
                                       "may not have finished.")
        self.dialog.open()

    def _new_dialog(self) -> QMessageBox:
        dialog = QMessageBox(self._window)
        dialog.setIcon(QMessageBox.Icon.Warning)
        dialog.setWindowTitle(TITLE)
        dialog.setStandardButtons(QMessageBox.StandardButton.Close)
        dialog.setTextFormat(Qt.TextFormat.PlainText)
        return dialog


def install_error_report(window: QWidget) -> ErrorReport:
    """Send every uncaught exception, on any thread, to a dialog over ``window``."""
    return ErrorReport(window).install()
