"""Errors a manager or an IT admin can act on.

Every error raised to the command line or the window is a ``TrellisError``
whose message says what was wrong and where; anything else is a bug.
"""


class TrellisError(Exception):
    """A problem the user can act on; ``str(err)`` is the whole message."""


class NotFound(TrellisError):
    """A person, note or other record that the user named does not exist."""


class Ambiguous(TrellisError):
    """A name matches more than one record."""


class InvalidInput(TrellisError):
    """A value the user typed or imported is not acceptable."""


class LockedError(TrellisError):
    """The store cannot be opened: no key, wrong passphrase, no keychain."""


class PassphraseRequired(LockedError):
    """The data key is wrapped by a passphrase and none was given."""


class WrongPassphrase(LockedError):
    """The passphrase does not unwrap the data key."""


class KeychainUnavailable(LockedError):
    """No secure OS keychain is available, or the key is missing from it."""


class StoreCorrupt(TrellisError):
    """The database file cannot be read with this installation's key."""


class WrongThread(TrellisError):
    """A store was used from a thread other than the one that opened it."""


class BackupRefused(TrellisError):
    """A backup file failed verification and was not restored."""


class StorageFailed(TrellisError):
    """The disk is full or failing: the change was not saved, and nothing saved before it was lost.

    ``str(err)`` reads "Could not <action>: the disk is full (<path>)."; ``during``
    names the user's action when the layer that noticed the fault could not.
    """

    def __init__(self, problem: str, path, action: str = "save the change"):
        self.problem, self.path, self.action = problem, path, action
        super().__init__(f"Could not {action}: {problem} ({path}).")

    def during(self, action: str) -> "StorageFailed":
        return StorageFailed(self.problem, self.path, action)
