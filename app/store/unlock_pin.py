"""The unlock PIN: what a locked window asks for when the key is in the keychain.

Why this module exists: with the data key in the OS keychain, anyone at the
unlocked laptop can open Trellis, so a lock that unlocks with one click
protects nothing. Locking needs something the person at the keyboard must
know. In passphrase mode that is the passphrase. In keychain mode it is an
unlock PIN (6 or more characters) chosen when the manager first locks or
turns the idle lock on.

The PIN does not wrap the data key: a copy of the key under a short PIN
would let anyone holding the data dir, but not the keychain, guess the PIN
offline and read the notes. Instead ``unlock_pin.json`` keeps an Argon2id
verifier of the PIN (same cost as passphrases). Once the PIN is right the
key comes from the keychain again. So the PIN guards the window, and
Trellis asks for it at start as well as after a lock. It does not guard the
keychain itself: anyone with the logged-in account can read the keychain
with other tools. A passphrase is the lock that protects the data
(docs/privacy.md).
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import asdict
from pathlib import Path

from ..errors import InvalidInput, StoreCorrupt, WrongPassphrase
from ..paths import write_atomically
from .keys import DEFAULT_KDF, KdfParams, derive

PIN_FILE = "unlock_pin.json"
MIN_PIN_LENGTH = 6


def pin_file(home: Path) -> Path:
    return Path(home) / PIN_FILE


def has_unlock_pin(home: Path) -> bool:
    return pin_file(home).exists()


def check_new_pin(pin: str) -> None:
    if len(pin) < MIN_PIN_LENGTH:
        raise InvalidInput(f"An unlock PIN needs at least {MIN_PIN_LENGTH} characters "
                           f"(this one has {len(pin)}).")


def set_unlock_pin(home: Path, pin: str, kdf: KdfParams = DEFAULT_KDF) -> None:
    """Keep a verifier of ``pin`` (owner-only, replaced atomically)."""
    check_new_pin(pin)
    salt = secrets.token_bytes(16)
    record = {"version": 1, "kdf": {"name": "argon2id", "salt": _b64(salt), **asdict(kdf)},
              "verifier": _b64(derive(pin, salt, kdf))}
    write_atomically(pin_file(home), json.dumps(record, indent=2).encode("utf-8"))


def check_unlock_pin(home: Path, pin: str) -> None:
    """Return if ``pin`` is the unlock PIN; ``WrongPassphrase`` if not."""
    record = _read(home)
    try:
        fields = record["kdf"]
        kdf = KdfParams(fields["memory_kib"], fields["iterations"], fields["lanes"])
        salt, verifier = base64.b64decode(fields["salt"]), base64.b64decode(record["verifier"])
    except (KeyError, TypeError, ValueError):
        raise StoreCorrupt(f"{pin_file(home)} is damaged: its fields are incomplete. Remove it "
                           "to unlock with the keychain again (or use your recovery key).") from None
    if not hmac.compare_digest(derive(pin, salt, kdf), verifier):
        raise WrongPassphrase("That unlock PIN is not right. Nothing was changed; try again.")


def remove_unlock_pin(home: Path) -> None:
    pin_file(home).unlink(missing_ok=True)


def _read(home: Path) -> dict:
    try:
        return json.loads(pin_file(home).read_text("utf-8"))
    except FileNotFoundError:
        raise StoreCorrupt("No unlock PIN is set for this data.") from None
    except (OSError, ValueError) as exc:
        raise StoreCorrupt(f"{pin_file(home)} cannot be read ({exc}).") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
