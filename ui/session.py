"""The open store as the window sees it: unlocked, locked, and what changed.

Every widget that shows team data holds the ``Session``, reads
``session.store`` when it refreshes, and clears itself on ``sig_locked``:
locking closes the store, so nothing stale can be read afterwards.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot


from .clipboard_guard import clear_team_text, guard
from .notices import Change, Notice

if TYPE_CHECKING:  # the store loads SQLCipher; the window paints before it is needed
    from app.store import Store


class Session(QObject):
    sig_unlocked = Signal()
    """The store is open (no arguments); widgets load their data."""

    sig_locked = Signal()
    """The store was closed; widgets must clear every piece of team data."""

    sig_changed = Signal(object)
    """Data changed. Argument: a ``Notice`` (what changed, for whom)."""

    def __init__(self, store: "Store | None" = None, parent=None):
        super().__init__(parent)
        self._store = store
        if QCoreApplication.instance() is not None:
            guard()  # from now on, every copy made in Trellis is cleared on lock or quit

    @property
    def store(self) -> "Store | None":
        return self._store

    @property
    def is_locked(self) -> bool:
        return self._store is None

    def unlock(self, store: "Store") -> None:
        self._store = store
        self.sig_unlocked.emit()

    def lock(self) -> None:
        if self._store is None:
            return
        store, self._store = self._store, None
        self.sig_locked.emit()
        clear_team_text()   # team data Trellis copied does not outlive the unlocked session
        store.close()

    def changed(self, what: Change, *, person_id: str | None = None) -> None:
        """Tell every listener that ``what`` changed (for ``person_id``, when it is one person's)."""
        if not isinstance(what, Change):
            raise TypeError(f"a change notice is a Change, not {what!r}")
        self.sig_changed.emit(Notice(what, person_id))

    def listen(self, handler: Callable[[Notice], None], *kinds: Change) -> None:
        """Call ``handler(notice)`` for each notice of one of ``kinds``; the listening ends
        with the widget ``handler`` belongs to."""
        owner = getattr(handler, "__self__", None)
        listener = _Listener(handler, frozenset(kinds), owner if isinstance(owner, QObject) else self)
        self.sig_changed.connect(listener.on_notice)


class _Listener(QObject):
    """One widget's interest in some notices; a child of the widget, so it goes with it."""

    def __init__(self, handler: Callable[[Notice], None], kinds: frozenset, parent: QObject):
        super().__init__(parent)
        self._handler, self._kinds = handler, kinds

    @Slot(object)
    def on_notice(self, notice: Notice) -> None:
        if notice.what in self._kinds:
            self._handler(notice)
