"""Where the database key lives, and how it is unlocked.

The database is encrypted with 32 random bytes used as a raw SQLCipher key.
That key is kept in the OS keychain when a secure one exists, or wrapped
(AES-256-GCM) by a key derived from the manager's passphrase with Argon2id.
``key.json`` in the data dir records which, and holds the wrapped key; it
never holds the key itself. Changing the passphrase rewrites only this file.

When the organisation's policy sets RequirePassphrase, a new key must be
wrapped by a passphrase (never keychain-only) and cannot be moved to the
keychain. A key that is already keychain-only still unlocks, so nothing is
lost or re-created; ``passphrase_needed`` tells the manager to set one.
"""

import base64
import contextlib
import json
import os
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import policy as policies
from ..errors import InvalidInput, KeychainUnavailable, PassphraseRequired, StoreCorrupt, WrongPassphrase
from ..paths import KEY_FILE, write_atomically

KEYCHAIN_SERVICE = "Trellis"
MIN_PASSPHRASE_LENGTH = 8
RECOVERY_FILE = "recovery.json"
_AAD = b"trellis data key v1"

# Backends that keep secrets encrypted at rest and guarded by the OS session.
SECURE_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
    "keyring.backends.kwallet.DBusKeyring",
})


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; the default is RFC 9106's second recommended option."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


DEFAULT_KDF = KdfParams()


def new_data_key() -> bytes:
    return secrets.token_bytes(32)


def key_file(home: Path) -> Path:
    return home / KEY_FILE


def recovery_file(home: Path) -> Path:
    """Where the data key wrapped by the recovery key is kept (see ``recovery``)."""
    return home / RECOVERY_FILE


def read_key_record(home: Path) -> dict | None:
    path = key_file(home)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreCorrupt(f"{path}: the key record cannot be read ({exc})") from None
    if not isinstance(record, dict) or record.get("mode") not in ("keychain", "passphrase"):
        raise StoreCorrupt(f"{path}: not a Trellis key record")
    return record


def write_key_record(home: Path, record: dict) -> None:
    write_atomically(key_file(home), json.dumps(record, indent=2).encode("utf-8"))


def key_mode(home: Path) -> str | None:
    record = read_key_record(home)
    return record["mode"] if record else None


# --- the OS keychain -------------------------------------------------------

def _backend_name(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def secure_keychain():
    """The OS keychain backend if a secure one is usable here, else ``None``.

    Plaintext and null backends are never returned, whatever keyring's own
    configuration says. ``TRELLIS_KEYCHAIN=off`` opts out entirely.
    """
    if os.environ.get("TRELLIS_KEYCHAIN", "").lower() in ("off", "0", "no"):
        return None
    import keyring
    from keyring.backends.chainer import ChainerBackend

    try:
        chosen = keyring.get_keyring()
    except Exception:
        return None
    candidates = chosen.backends if isinstance(chosen, ChainerBackend) else [chosen]
    for backend in candidates:
        if _backend_name(backend) in SECURE_BACKENDS:
            return backend
    return None


def keychain_description() -> str:
    backend = secure_keychain()
    if backend is None:
        return "none (no secure OS keychain; a passphrase protects the key)"
    return _backend_name(backend)


def _keychain_or_fail():
    backend = secure_keychain()
    if backend is None:
        raise KeychainUnavailable(
            "No secure OS keychain is available. Set a passphrase instead "
            "(TRELLIS_PASSPHRASE, or `trellis passphrase set`)."
        )
    return backend


def _store_in_keychain(key: bytes) -> dict:
    backend = _keychain_or_fail()
    import uuid
    account = f"data-key-{uuid.uuid4()}"
    try:
        backend.set_password(KEYCHAIN_SERVICE, account, key.hex())
    except Exception as exc:
        raise KeychainUnavailable(f"The keychain refused to store the key: {exc}") from None
    return {"version": 1, "mode": "keychain", "account": account,
            "backend": _backend_name(backend)}


class _KeyGone(KeychainUnavailable):
    """The keychain answered, but the key is not there; the message says why."""


def _load_from_keychain(record: dict) -> bytes:
    """The key from the keychain; never a new one, whatever became of the keychain."""
    backend = secure_keychain()
    if backend is None:
        raise _KeyGone("no secure OS keychain is available on this computer now")
    try:
        secret = backend.get_password(KEYCHAIN_SERVICE, record["account"])
    except Exception as exc:
        raise KeychainUnavailable(f"The keychain could not be read: {exc}") from None
    if not secret:
        raise _KeyGone(_why_missing(record, backend))
    return bytes.fromhex(secret)


def _why_missing(record: dict, backend) -> str:
    kept_in, here = record.get("backend", "the OS keychain"), _backend_name(backend)
    if kept_in != here:
        return f"it was kept in {kept_in}, and this computer's keychain is {here}"
    return f"it is not in the keychain {here} (the keychain was reset, or the data came from another computer)"


def _key_not_reachable(home: Path, record: dict, why: str) -> str:
    """What happened to the key, that nothing was changed, and how to open the data anyway."""
    offer = ("Open it with your recovery key: `trellis recover`, or \u201cUse recovery key\u2026\u201d "
             "in the window." if recovery_file(home).exists() else
             "There is no recovery key for this data: restore the keychain (or its backup) "
             "that held the key.")
    return (f"The database key ({KEYCHAIN_SERVICE} / {record.get('account')}) cannot be found: {why}. "
            f"Trellis did not make a new key and changed nothing; your notes are still in {home}. {offer}")


def _forget_in_keychain(record: dict) -> None:
    backend = secure_keychain()
    if backend is None:
        return
    # An entry that is already gone leaves nothing to forget.
    with contextlib.suppress(Exception):
        backend.delete_password(KEYCHAIN_SERVICE, record["account"])


# --- passphrase wrapping ---------------------------------------------------

def _normalise(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InvalidInput(
            f"A passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters "
            f"(this one has {len(passphrase)})."
        )


def derive(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # loaded when first needed
    return Argon2id(salt=salt, length=32, iterations=kdf.iterations,
                    lanes=kdf.lanes, memory_cost=kdf.memory_kib).derive(_normalise(passphrase))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wrap_key(key: bytes, passphrase: str, kdf: KdfParams = DEFAULT_KDF) -> dict:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    wrapped = AESGCM(derive(passphrase, salt, kdf)).encrypt(nonce, key, _AAD)
    return {"version": 1, "mode": "passphrase",
            "kdf": {"name": "argon2id", "salt": _b64(salt), **asdict(kdf)},
            "nonce": _b64(nonce), "wrapped_key": _b64(wrapped)}


def unwrap_key(record: dict, passphrase: str) -> bytes:
    try:
        kdf_fields = record["kdf"]
        kdf = KdfParams(kdf_fields["memory_kib"], kdf_fields["iterations"], kdf_fields["lanes"])
        salt = base64.b64decode(kdf_fields["salt"])
        nonce, wrapped = base64.b64decode(record["nonce"]), base64.b64decode(record["wrapped_key"])
    except (KeyError, TypeError, ValueError):
        raise StoreCorrupt("The key record is damaged: its passphrase fields are incomplete") from None
    from cryptography.exceptions import InvalidTag  # cryptography loads when a key is unwrapped
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    try:
        return AESGCM(derive(passphrase, salt, kdf)).decrypt(nonce, wrapped, _AAD)
    except InvalidTag:
        raise WrongPassphrase("That passphrase is not right. Nothing was changed; try again.") from None


# --- the use cases ---------------------------------------------------------

def passphrase_from_env() -> str | None:
    return os.environ.get("TRELLIS_PASSPHRASE") or None


def create_key(home: Path, *, passphrase: str | None = None, kdf: KdfParams = DEFAULT_KDF) -> bytes:
    """Make a new data key and record where it is kept; returns the key."""
    if passphrase is None:
        _refuse_keychain_only("Choose a passphrase to protect your notes")
    key = new_data_key()
    if passphrase is not None:
        check_new_passphrase(passphrase)
        record = wrap_key(key, passphrase, kdf)
    else:
        record = _store_in_keychain(key)
    write_key_record(home, record)
    return key


def unlock_key(home: Path, passphrase: str | None = None) -> bytes:
    record = read_key_record(home)
    if record is None:
        raise StoreCorrupt(f"{key_file(home)} is missing: the database key cannot be found")
    if record["mode"] == "keychain":
        try:
            return _load_from_keychain(record)
        except _KeyGone as gone:
            raise KeychainUnavailable(_key_not_reachable(home, record, str(gone))) from None
    passphrase = passphrase if passphrase is not None else passphrase_from_env()
    if passphrase is None:
        raise PassphraseRequired("This Trellis data is locked with a passphrase; enter it to unlock.")
    return unwrap_key(record, passphrase)


def set_passphrase(home: Path, key: bytes, new_passphrase: str, kdf: KdfParams = DEFAULT_KDF) -> None:
    """Wrap ``key`` with a new passphrase; the database itself is not rewritten.

    If the key was in the keychain it is removed from there once the wrapped
    copy is safely on disk.
    """
    check_new_passphrase(new_passphrase)
    old = _record_being_replaced(home)
    write_key_record(home, wrap_key(key, new_passphrase, kdf))
    if old and old["mode"] == "keychain":
        _forget_in_keychain(old)


def move_key_to_keychain(home: Path, key: bytes) -> None:
    """Keep the key in the OS keychain instead of behind a passphrase."""
    _refuse_keychain_only("The key stays behind your passphrase")
    old = _record_being_replaced(home)
    write_key_record(home, _store_in_keychain(key))
    if old and old["mode"] == "keychain":
        _forget_in_keychain(old)


def _record_being_replaced(home: Path) -> dict | None:
    """The old record, to forget its keychain entry; a damaged one (recovery rewrites it) is None."""
    try:
        return read_key_record(home)
    except StoreCorrupt:
        return None


# --- the organisation's RequirePassphrase ------------------------------------

def keychain_refused_by_policy() -> bool:
    return policies.current_policy().require_passphrase


def _refuse_keychain_only(what_to_do: str) -> None:
    policy = policies.current_policy()
    if policy.require_passphrase:
        raise PassphraseRequired(
            f"Your organisation requires a passphrase for Trellis "
            f"({policy.reason('RequirePassphrase')}). {what_to_do}.")


def passphrase_needed(home: Path) -> str:
    """A sentence when policy requires a passphrase but this key is only in the keychain; else ""."""
    policy = policies.current_policy()
    if not policy.require_passphrase or key_mode(home) != "keychain":
        return ""
    return (f"Your organisation requires a passphrase ({policy.reason('RequirePassphrase')}), "
            "but your key is kept only in the keychain. Set one now with "
            "`trellis passphrase set`; your notes stay as they are.")
