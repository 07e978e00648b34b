"""The recovery key: the data key wrapped for the manager to print or save elsewhere.

A keychain can be reset and a laptop replaced; the notes must survive both.
At set-up Trellis makes a 160-bit recovery secret, shows it once as eight
groups of five characters, and keeps beside ``key.json`` only the data key
wrapped by it (``recovery.json``). The data dir plus the recovery key is
therefore enough to open the notes anywhere.

Each group ends in a check character (Luhn mod 32 over the group's number
and its four characters), so a typo is caught before any decryption and the
sentence names the group.

The window's first run writes the record the moment it shows the key, so a
key saved or printed at once opens the data, and shows the same key at every
unlock until the manager confirms they kept it. That key is never stored:
it is derived from the data key and a random salt kept in the record
(``until_kept``); confirming drops the salt, after which nobody can show the
key again (docs/privacy.md).
"""

import base64
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .. import paths
from ..errors import InvalidInput, LockedError, PassphraseRequired, StoreCorrupt
from . import keys

# Crockford's base32: no I, L, O or U, so nothing reads as another character.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 8
GROUP_DATA = 4
SECRET_BYTES = GROUPS * GROUP_DATA * 5 // 8
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_INFO = b"trellis recovery key v1"
_SHOWN_UNTIL_KEPT = b"trellis recovery key shown until kept v1"
_AAD = b"trellis data key wrapped by recovery key v1"


class WrongRecoveryKey(LockedError):
    """A well-typed recovery key that does not open this data."""


@dataclass(frozen=True)
class RecoveryKit:
    """A recovery key (``text``, for the manager to keep) and the record that it unlocks."""

    text: str
    record: dict


# --- the printed form --------------------------------------------------------

def _check_character(group_number: int, characters: str) -> str:
    """Luhn mod 32: every single wrong character and most swaps change it."""
    total, factor = 0, 2
    for character in reversed(ALPHABET[group_number] + characters):
        addend = factor * ALPHABET.index(character)
        total += addend // 32 + addend % 32
        factor = 3 - factor
    return ALPHABET[-total % 32]


def format_recovery_key(secret: bytes) -> str:
    number = int.from_bytes(secret, "big")
    digits = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(GROUPS * GROUP_DATA)))
    groups = [digits[i * GROUP_DATA:(i + 1) * GROUP_DATA] for i in range(GROUPS)]
    return "-".join(group + _check_character(n, group) for n, group in enumerate(groups, 1))


def parse_recovery_key(text: str) -> bytes:
    """The secret in a typed recovery key; ``InvalidInput`` naming the group with a typo."""
    groups = _typed_groups(text)
    wrong = [n for n, group in enumerate(groups, 1) if _check_character(n, group[:-1]) != group[-1]]
    if len(wrong) == 1:
        raise InvalidInput(f"Group {wrong[0]} of the recovery key does not match its check: "
                           "look for a typo there.")
    if wrong:
        named = ", ".join(map(str, wrong[:-1])) + f" and {wrong[-1]}"
        raise InvalidInput(f"Groups {named} of the recovery key do not match their checks: "
                           "look for typos there, or groups in the wrong order.")
    number = 0
    for character in "".join(group[:-1] for group in groups):
        number = number * 32 + ALPHABET.index(character)
    return number.to_bytes(SECRET_BYTES, "big")


def _typed_groups(text: str) -> list[str]:
    """The eight groups as typed, spaces and dashes dropped, look-alike letters read as digits."""
    compact = "".join(text.split()).replace("-", "").upper().translate(_MISREAD)
    width = GROUP_DATA + 1
    if len(compact) != GROUPS * width:
        raise InvalidInput(f"A recovery key has {GROUPS} groups of {width} characters "
                           f"({GROUPS * width} in all); this one has {len(compact)}.")
    groups = [compact[i * width:(i + 1) * width] for i in range(GROUPS)]
    for number, group in enumerate(groups, 1):
        strange = sorted({c for c in group if c not in ALPHABET})
        if strange:
            raise InvalidInput(f"Group {number} of the recovery key has a character that "
                               f"is not used in recovery keys: {', '.join(strange)}.")
    return groups


# --- the record beside key.json ---------------------------------------------------

def _wrapping_key(secret: bytes, salt: bytes) -> bytes:
    # The secret has 160 random bits: a fast KDF is enough, unlike a passphrase.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(secret)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def new_recovery_kit(data_key: bytes) -> RecoveryKit:
    """A recovery key of fresh random bits, to be shown once and kept at once."""
    return _kit(data_key, secrets.token_bytes(SECRET_BYTES), {})


def _derived_secret(data_key: bytes, salt: bytes) -> bytes:
    # Anyone who could derive it holds the data key already, which opens everything anyway.
    return HKDF(algorithm=hashes.SHA256(), length=SECRET_BYTES, salt=salt,
                info=_SHOWN_UNTIL_KEPT).derive(data_key)


def _kit(data_key: bytes, secret: bytes, extra: dict) -> RecoveryKit:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapped = AESGCM(_wrapping_key(secret, salt)).encrypt(nonce, data_key, _AAD)
    record = {"version": 1, "kdf": {"name": "hkdf-sha256", "salt": _b64(salt)},
              "nonce": _b64(nonce), "wrapped_key": _b64(wrapped), "created": date.today().isoformat(),
              **extra}
    return RecoveryKit(format_recovery_key(secret), record)


def keep_recovery_record(home: Path, kit: RecoveryKit) -> None:
    """Make ``kit`` the recovery key of ``home``, kept by the manager; an earlier one stops working.

    A key shown until kept (``recovery_key_to_keep``) is already the record: confirming
    it drops the salt it was derived from, unless a newer key replaced it meanwhile."""
    record = dict(kit.record)
    if record.pop("until_kept", None) is not None and _replaced_since(home, record):
        raise WrongRecoveryKey("A newer recovery key was made for this data (`trellis recovery-key new`) "
                               "since this one was shown, so this one no longer works; keep the newer one.")
    _write_record(home, record)


def _replaced_since(home: Path, shown: dict) -> bool:
    return _record_on_disk(home).get("wrapped_key") != shown["wrapped_key"]


def mark_kept(home: Path) -> None:
    """The recovery key on record was used, so the manager has it: stop showing it."""
    record = _record_on_disk(home)
    if record.pop("until_kept", None) is not None:
        _write_record(home, record)


def _write_record(home: Path, record: dict) -> None:
    paths.write_atomically(keys.recovery_file(home), json.dumps(record, indent=2).encode("utf-8"))


def has_recovery_key(home: Path) -> bool:
    return keys.recovery_file(home).exists()


def recovery_key_kept(home: Path) -> bool:
    """Whether ``home`` has a recovery key that the manager confirmed they kept."""
    try:
        return has_recovery_key(home) and "until_kept" not in _record_on_disk(home)
    except StoreCorrupt:  # a damaged record opens nothing
        return False


def recovery_key_to_keep(home: Path, data_key: bytes) -> RecoveryKit | None:
    """The recovery key the manager has not yet confirmed keeping, or None once they have.

    Data without a record gets one now, so the key works from the moment it is shown;
    every later call shows that same key again (derived, never stored) until it is kept."""
    if recovery_key_kept(home):
        return None
    if has_recovery_key(home):
        kit = _kit_shown_before(home, data_key)
        if kit is not None:
            return kit
    secret_salt = secrets.token_bytes(16)
    kit = _kit(data_key, _derived_secret(data_key, secret_salt),
               {"until_kept": {"salt": _b64(secret_salt)}})
    _write_record(home, kit.record)
    return kit


def _kit_shown_before(home: Path, data_key: bytes) -> RecoveryKit | None:
    """The key shown before, derived again; None when the record does not open this data."""
    record = _record_on_disk(home)
    fields = read_recovery_record(home)
    try:
        secret = _derived_secret(data_key, base64.b64decode(record["until_kept"]["salt"], validate=True))
        wrapping = AESGCM(_wrapping_key(secret, fields["salt"]))
        opened = wrapping.decrypt(fields["nonce"], fields["wrapped"], _AAD)
    except (KeyError, TypeError, ValueError, InvalidTag):
        return None
    return RecoveryKit(format_recovery_key(secret), record) if opened == data_key else None


def _record_on_disk(home: Path) -> dict:
    path = keys.recovery_file(home)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise _damaged(path, f"it cannot be read: {exc}") from None
    if not isinstance(record, dict):
        raise _damaged(path, "it is not a Trellis recovery record")
    return record


def _damaged(path: Path, what: str) -> StoreCorrupt:
    return StoreCorrupt(f"{path} is damaged ({what}), so no recovery key can be checked against it. "
                        "Nothing was changed; a copy of that file from a backup of the data dir "
                        "works with the same recovery key.")


def read_recovery_record(home: Path) -> dict:
    path = keys.recovery_file(home)
    if not path.exists():
        raise LockedError(f"This Trellis data has no recovery record ({path} is missing), so a "
                          "recovery key cannot open it. Nothing was changed.")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        salt = base64.b64decode(record["kdf"]["salt"], validate=True)
        nonce = base64.b64decode(record["nonce"], validate=True)
        wrapped = base64.b64decode(record["wrapped_key"], validate=True)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise _damaged(path, f"it cannot be read: {exc}") from None
    except (KeyError, TypeError):
        raise _damaged(path, "fields are missing") from None
    if record.get("kdf", {}).get("name") != "hkdf-sha256" or len(nonce) != 12 or len(wrapped) != 48:
        raise _damaged(path, "it is not a Trellis recovery record")
    return {"salt": salt, "nonce": nonce, "wrapped": wrapped}


def key_from_recovery_key(home: Path, text: str) -> bytes:
    """The data key of ``home``, unwrapped by a typed recovery key; nothing is written."""
    secret = parse_recovery_key(text)
    fields = read_recovery_record(home)
    try:
        key = AESGCM(_wrapping_key(secret, fields["salt"])).decrypt(fields["nonce"], fields["wrapped"], _AAD)
    except InvalidTag:
        raise WrongRecoveryKey(
            "That recovery key does not open this Trellis data: it belongs to other data, or it "
            "was replaced by a newer one (`trellis recovery-key new`). Nothing was changed.") from None
    _check_it_opens(home, key)
    return key


def _check_it_opens(home: Path, key: bytes) -> None:
    database = home / paths.DATABASE_FILE
    if not database.exists():
        raise LockedError(f"There is no database in {home} ({paths.DATABASE_FILE} is missing); "
                          "copy the whole data dir, then use the recovery key.")
    try:
        from .database import connect  # SQLCipher loads only when a recovery key is used
        connect(database, key, read_only=True).close()
    except StoreCorrupt:
        raise WrongRecoveryKey(
            f"The recovery record {keys.recovery_file(home)} belongs to other Trellis data: the key "
            f"it holds does not open {database}. Nothing was changed.") from None


def keep_key_again(home: Path, key: bytes, new_passphrase: str | None,
                   kdf: keys.KdfParams = keys.DEFAULT_KDF) -> str:
    """Store a recovered key behind ``new_passphrase``, or in the keychain; says where."""
    if new_passphrase is not None:
        keys.set_passphrase(home, key, new_passphrase, kdf)
        return "behind your new passphrase"
    if keys.secure_keychain() is None or keys.keychain_refused_by_policy():
        raise PassphraseRequired(
            "Choose a new passphrase for the recovered data: "
            + ("your organisation requires one." if keys.keychain_refused_by_policy()
               else "there is no secure keychain on this computer."))
    keys.move_key_to_keychain(home, key)
    return "in the OS keychain"


# --- the sheet the manager keeps ---------------------------------------------------

_TYPED_KEY = re.compile(r"\b[0-9A-Za-z]{5}(?:-[0-9A-Za-z]{5}){7}\b")


def key_in_text(text: str) -> str:
    """The recovery key in a saved sheet (or the text itself when it is only the key)."""
    found = _TYPED_KEY.search(text)
    return found.group(0) if found else text.strip()


def recovery_sheet(kit: RecoveryKit, home: Path) -> str:
    """What Trellis prints or saves: the key, what it is for, and how to use it."""
    return (f"Trellis recovery key\n"
            f"Made on {kit.record['created']} for the Trellis data in {home}\n\n"
            f"    {kit.text}\n\n"
            "With this key and a copy of that data folder, Trellis opens your notes on a new computer\n"
            "or after the system keychain was reset: run `trellis recover`, or choose\n"
            "\u201cUse recovery key\u2026\u201d on the lock screen.\n"
            "Keep it away from this computer: printed, or in a password manager. Anyone with this key\n"
            "and a copy of your data can read your notes. Making a new recovery key\n"
            "(`trellis recovery-key new`) makes this one stop working.\n")
