"""One owner per connection: a database connection answers only the thread that opened it.

Why this module exists: sqlite-utils' ``atomic()`` nests into whatever
transaction is open on its connection, whichever thread opened it. Shared by
the window's thread and the model thread, one thread's failed block rolled
back the other's saves after they had been reported saved. So the rule is:
every thread that reads or writes opens its own connection
(``Store.for_this_thread()``), SQLite's WAL and busy timeout order the
writes between them, and no transaction ever spans threads. A call from any
other thread is refused here, before it reaches SQLite.
"""

from __future__ import annotations

import threading

from ..errors import WrongThread


class OwnedConnection:
    """A DB-API connection that refuses every use from a thread other than its owner's."""

    __slots__ = ("_conn", "_owner", "_owner_name")

    def __init__(self, conn):
        self._conn = conn
        self._owner = threading.get_ident()
        self._owner_name = threading.current_thread().name

    def _checked(self):
        if threading.get_ident() != self._owner:
            raise WrongThread(
                f"This Trellis store was opened on the thread {self._owner_name!r} and was "
                f"called from {threading.current_thread().name!r}. A store belongs to the "
                "thread that opened it: open one for this thread with "
                "store.for_this_thread(). Nothing was read or written.")
        return self._conn

    def __getattr__(self, name: str):
        return getattr(self._checked(), name)

    def __enter__(self):
        return self._checked().__enter__()

    def __exit__(self, *exc):
        return self._checked().__exit__(*exc)
