"""Team data Trellis put on the clipboard does not outlive the unlocked session.

Copying an agenda or a draft puts team data where every other program can
read it, and it stays there after Trellis locks or quits (clipboard
managers keep it even longer). So every copy of team data goes through
``copy_team_text``, which remembers what was copied. When the session locks
(``ui.session.Session.lock``) or the application quits, ``clear_team_text``
empties the clipboard, but only if it still holds exactly what Trellis put
there: if the manager has copied something else since, that is theirs and
is left alone.

Copies the manager makes with Ctrl+C (or a context menu) in any of Trellis's
text views are guarded the same way: the guard watches the clipboard, and a
change made while Trellis has the focus (or owns the clipboard) counts as
Trellis's copy.

Only the clipboard proper is guarded, not X11's selection buffer: Trellis
never writes team data to the selection itself (a manager selecting text
in a field does, as in every program).
"""

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication


class ClipboardGuard(QObject):
    """Remembers the text Trellis last copied, and clears it on lock or quit if it is still there."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.setObjectName("trellis-clipboard-guard")
        self._clipboard = app.clipboard()
        self.copied: str | None = None
        app.aboutToQuit.connect(self.clear)
        self._clipboard.dataChanged.connect(self.on_clipboard_changed)

    def on_clipboard_changed(self) -> None:
        """A copy made in Trellis (Ctrl+C in a note, a draft, an agenda) is team text too."""
        if self._clipboard.ownsClipboard() or QApplication.focusWidget() is not None:
            text = self._clipboard.text()
            self.copied = text or self.copied

    def copy(self, text: str) -> None:
        self._clipboard.setText(text)
        self.copied = text

    def clear(self) -> bool:
        """Empty the clipboard if it still holds what Trellis copied; True when it did."""
        copied, self.copied = self.copied, None
        if copied is None or self._clipboard.text() != copied:
            return False
        self._clipboard.clear()
        return True


def guard() -> ClipboardGuard:
    """The application's guard (made the first time it is needed)."""
    app = QApplication.instance()
    found = app.findChild(ClipboardGuard, "trellis-clipboard-guard")
    return found if found is not None else ClipboardGuard(app)


def copy_team_text(text: str) -> None:
    """Put team data on the clipboard, to be cleared when the session locks or Trellis quits."""
    guard().copy(text)


def clear_team_text() -> bool:
    """Clear what Trellis copied, unless the manager has copied something else since."""
    app = QApplication.instance()
    return app is not None and guard().clear()
