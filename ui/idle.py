"""Locking Trellis after the manager has been away for a while.

An application-wide event filter restarts a single-shot timer on every
key press, mouse press or wheel move; when the timer runs out the window
locks. Zero minutes means never. When the organisation's policy sets
IdleLockMinutes, that replaces whatever minutes the window asks for.
"""

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from app.settings import effective_idle_lock_minutes

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
            QEvent.Type.MouseMove, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    sig_idle = Signal()
    """No input for the configured time (no arguments)."""

    def __init__(self, app, minutes: int, parent=None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sig_idle)
        self.set_minutes(minutes)
        app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        """Lock after ``minutes`` idle, or after the policy's IdleLockMinutes when it is set."""
        self.minutes = effective_idle_lock_minutes(minutes)
        self._interval_ms = self.minutes * 60_000
        self.restart()

    def set_interval_ms(self, interval_ms: int) -> None:
        """For tests: a short idle time."""
        self._interval_ms = interval_ms
        self.restart()

    def restart(self) -> None:
        if self._interval_ms > 0:
            self._timer.start(self._interval_ms)
        else:
            self._timer.stop()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in ACTIVITY and self._timer.isActive():
            self._timer.start(self._interval_ms)
        return False
