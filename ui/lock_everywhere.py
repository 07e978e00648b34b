"""Ctrl+L from every window Trellis opens, and nothing left open over the lock page.

The windows Trellis opens over the main one (quick capture, search, a person's
details, a goal, a note's date, "Check my text" …) are windows of their own, and
a modal one blocks the main window's shortcuts: without help, Ctrl+L would do
nothing exactly when someone walks up while the manager is typing. One filter
on the application sees the key in any of them and locks.

Locking must also leave no team data on screen. Each window that shows some
closes itself when the session locks; a window opened without that care (a
person's details, say) would stay over the lock page, holding a closed store.
After the lock, every dialog still open over the main window is closed.
"""

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

LOCK_KEY = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_L)


def opened_over(window: QWidget, widget: QWidget) -> bool:
    """Whether ``widget`` sits in a window opened over ``window`` (its parent, at some level)."""
    top = widget.window()
    if top is window:
        return False
    parent = top.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


class LockKeyFilter(QObject):
    """Locks ``window`` when Ctrl+L is pressed in any window opened over it.

    Where a window has the lock action itself, the shortcut takes the key before a key
    press exists, and this filter never sees it; it is there for all the others."""

    def __init__(self, window, lock):
        super().__init__(window)
        self._window, self._lock = window, lock

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(watched, QWidget)
                and event.keyCombination() == LOCK_KEY and opened_over(self._window, watched)):
            self._lock()
            return True
        return False


def watch_lock_key(window, lock) -> LockKeyFilter:
    """Install the filter for ``window``'s whole application; returns it."""
    key_filter = LockKeyFilter(window, lock)
    QApplication.instance().installEventFilter(key_filter)
    return key_filter


def close_dialogs_over(window, *, keep=()) -> list[QDialog]:
    """Close (reject) every dialog still open over ``window``, except those in ``keep``;
    returns those it closed."""
    closed = []
    for widget in QApplication.topLevelWidgets():
        if (isinstance(widget, QDialog) and widget.isVisible() and widget not in keep
                and opened_over(window, widget)):
            widget.reject()
            closed.append(widget)
    return closed


def close_dialogs_after_lock(window, keep=lambda: ()) -> None:
    """Once every window that listens for the lock has kept what it must and closed, close
    whatever is still open over ``window``."""
    QTimer.singleShot(0, window, lambda: close_dialogs_over(window, keep=keep()))
