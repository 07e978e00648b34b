"""The store: one encrypted database per data dir, and everything kept in it.

``Store.open`` finds or makes the data key, opens the database, and applies
migrations. Each public write method on the repositories (``store.people``,
``store.notes`` …) is one transaction; ``store.atomic()`` groups several
into one when a single user action needs more than one write.

A store belongs to the thread that opened it and refuses calls from any
other (``owner.py``). Work on another thread, such as a draft on the model
thread, opens its own with ``store.for_this_thread()``: same data, same key,
its own connection, closed when the work ends.
"""

import contextlib
from contextlib import contextmanager
from pathlib import Path

from .. import paths
from ..errors import NotFound, PassphraseRequired, StoreCorrupt
from . import backup as backups
from . import in_use
from . import keys
from . import recovery
from .location import database_path, has_data  # noqa: F401 (importable from here too)
from .cipher import DatabaseError
from .database import integrity_problems, open_database
from .frameworks import CompetencySuggestions, Frameworks
from .meetings import Actions, Goals, Meetings
from .notes import Notes
from .reviews import Drafts, ReviewCycles
from .search import SEARCH_LIMIT, search_notes
from .team import Competencies, People


class Store:
    """An open, unlocked Trellis database, used by the thread that opened it."""

    def __init__(self, home: Path, key: bytes, *, migrated: bool = False):
        self.home = home
        self.path = database_path(home)
        self._key = key
        self._sibling = migrated
        in_use.hold(home)  # another process's restore waits for this store to close
        try:
            self._attach(open_database(self.path, key, migrated=migrated))
        except BaseException:
            in_use.release(home)
            raise

    def for_this_thread(self) -> "Store":
        """The same data on a connection of the calling thread's own, to close when its work
        is done (``with store.for_this_thread() as own:``)."""
        return Store(self.home, self._key, migrated=True)

    def _attach(self, db) -> None:
        self.db = db
        self._closed = False
        self.people = People(db)
        self.competencies = Competencies(db)
        self.notes = Notes(db)
        self.meetings = Meetings(db)
        self.actions = Actions(db)
        self.goals = Goals(db)
        self.review_cycles = ReviewCycles(db)
        self.drafts = Drafts(db)
        self.frameworks = Frameworks(db)
        self.suggestions = CompetencySuggestions(db)

    @classmethod
    def open(cls, home: Path | None = None, *, passphrase: str | None = None,
             create: bool = True, kdf: keys.KdfParams = keys.DEFAULT_KDF) -> "Store":
        """Unlock and open the store in ``home`` (the data dir by default).

        With no data yet and ``create`` set, a new key is made: wrapped by the
        passphrase if one is given (or in ``TRELLIS_PASSPHRASE``), otherwise
        kept in the OS keychain.
        """
        home = home or paths.data_home()
        if not create and not has_data(home):
            raise NotFound(f"No Trellis data in {home}")
        paths.ensure_private_dir(home)
        if keys.read_key_record(home) is not None:
            return cls(home, keys.unlock_key(home, passphrase))
        if has_data(home):
            raise StoreCorrupt(_key_file_missing(home))
        if not create:
            raise NotFound(f"No Trellis data in {home}")
        return cls(home, _new_key(home, passphrase, kdf))

    @classmethod
    def recover(cls, home: Path | None = None, *, recovery_key: str, new_passphrase: str | None = None,
                kdf: keys.KdfParams = keys.DEFAULT_KDF) -> "Store":
        """Open ``home`` with its recovery key, then keep the key again (passphrase or keychain).

        Nothing is written unless the recovery key opens this very database.
        """
        home = home or paths.data_home()
        if not has_data(home):
            raise NotFound(f"No Trellis data in {home}: copy the data dir there first")
        key = recovery.key_from_recovery_key(home, recovery_key)
        with in_use.alone(home, "recover the data"):
            recovery.keep_key_again(home, key, new_passphrase, kdf)
            recovery.mark_kept(home)
        return cls(home, key)

    def new_recovery_key(self) -> recovery.RecoveryKit:
        """A fresh recovery key for this data; it works once ``keep_recovery_key`` saved it."""
        return recovery.new_recovery_kit(self._key)

    def recovery_key_to_keep(self) -> recovery.RecoveryKit | None:
        """The recovery key not yet confirmed kept: it already works, and it is the same at
        every call until ``keep_recovery_key``; None once the manager kept one."""
        return recovery.recovery_key_to_keep(self.home, self._key)

    def keep_recovery_key(self, kit: recovery.RecoveryKit) -> None:
        """The manager kept ``kit``: it is this data's recovery key from now on."""
        recovery.keep_recovery_record(self.home, kit)

    @property
    def has_recovery_key(self) -> bool:
        return recovery.has_recovery_key(self.home)

    @property
    def recovery_key_kept(self) -> bool:
        """Whether the manager confirmed keeping this data's recovery key."""
        return recovery.recovery_key_kept(self.home)

    @contextmanager
    def atomic(self):
        with self.db.atomic():
            yield self

    def search(self, text: str, *, limit: int = SEARCH_LIMIT, mark: tuple[str, str] = ("[", "]"),
               by_relevance: bool = False):
        """Live notes matching what was typed; newest written first unless ``by_relevance``."""
        return search_notes(self.db, text, limit=limit, mark=mark, by_relevance=by_relevance)

    @property
    def key_mode(self) -> str:
        return keys.key_mode(self.home)

    def change_passphrase(self, new_passphrase: str) -> None:
        keys.set_passphrase(self.home, self._key, new_passphrase)

    def move_key_to_keychain(self) -> None:
        keys.move_key_to_keychain(self.home, self._key)

    def repairs(self) -> list[str]:
        """What migrations repaired in this data, one sentence each, oldest first."""
        return [text for (text,) in self.db.execute("SELECT text FROM store_repairs ORDER BY id")]

    def integrity_problems(self) -> list[str]:
        return integrity_problems(self.db.conn)

    def backup(self, directory: Path | None = None) -> Path:
        directory = Path(directory) if directory else backups.default_backup_dir(self.home)
        return backups.write_backup(self.db.conn, self._key, backups.backup_path_in(directory))

    def restore(self, backup_file: Path) -> Path:
        """Replace the database with a verified backup; returns a safety copy of the old one."""
        backup_file = Path(backup_file)
        backups.verify_backup(backup_file, self._key)
        with in_use.alone(self.home, "restore a backup"):
            return self._replace_with(backup_file)

    def _replace_with(self, backup_file: Path) -> Path:
        safety = backups.write_backup(
            self.db.conn, self._key,
            backups.backup_path_in(backups.default_backup_dir(self.home), "before-restore"))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.conn.close()
        try:
            backups.replace_database(self.path, backup_file)
        finally:
            # After a failed copy (a full disk) the old database is still in place: reopen it.
            self._attach(open_database(self.path, self._key))
        return safety

    def checkpoint(self) -> None:
        """Fold the WAL into the database; for idle moments, so saves stay fast."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Checkpoint and close; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        try:
            # If this fails the WAL stays and is replayed on the next open: nothing is lost.
            if not self._sibling:  # a second connection leaves the WAL to the owner's
                with contextlib.suppress(DatabaseError):
                    self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.db.conn.close()
            self._key = b""  # the key leaves this object with the connection
            in_use.release(self.home)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _key_file_missing(home: Path) -> str:
    offer = (" If you kept your recovery key, `trellis recover` opens the data with it."
             if recovery.has_recovery_key(home) else "")
    return (f"{keys.key_file(home)} is missing: the database key cannot be found. Trellis did "
            f"not make a new key over your data and changed nothing.{offer}")


def _new_key(home: Path, passphrase: str | None, kdf: keys.KdfParams) -> bytes:
    passphrase = passphrase if passphrase is not None else keys.passphrase_from_env()
    if passphrase is None and keys.secure_keychain() is None:
        raise PassphraseRequired(
            "There is no secure keychain on this machine, so Trellis needs a passphrase "
            "to protect your notes. Set TRELLIS_PASSPHRASE or choose one when asked.")
    return keys.create_key(home, passphrase=passphrase, kdf=kdf)
