"""The open store as the window sees it: unlocked, locked, and what changed.

Every widget that shows team data holds the ``Session``, reads
``session.store`` when it refreshes, and clears itself on ``sig_locked``:
locking closes the store, so nothing stale can be read afterwards.
"""

from PySide6.QtCore import QObject, Signal

from app.store import Store

from .clipboard_guard import clear_team_text


class Session(QObject):
    sig_unlocked = Signal()
    """The store is open (no arguments); widgets load their data."""

    sig_locked = Signal()
    """The store was closed; widgets must clear every piece of team data."""

    sig_changed = Signal(str)
    """Data changed. Argument: what changed — "people", "notes", "sample", "settings"."""

    def __init__(self, store: Store | None = None, parent=None):
        super().__init__(parent)
        self._store = store

    @property
    def store(self) -> Store | None:
        return self._store

    @property
    def is_locked(self) -> bool:
        return self._store is None

    def unlock(self, store: Store) -> None:
        self._store = store
        self.sig_unlocked.emit()

    def lock(self) -> None:
        if self._store is None:
            return
        store, self._store = self._store, None
        self.sig_locked.emit()
        clear_team_text()   # team data Trellis copied does not outlive the unlocked session
        store.close()

    def changed(self, what: str) -> None:
        self.sig_changed.emit(what)
