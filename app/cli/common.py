"""What every ``trellis`` command shares: opening the store, and printing for people or
for machines (``--json``).

Why this module exists: the command modules each copied these helpers; now
they import them from here, and nothing imports a command module back.
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from ..errors import PassphraseRequired, TrellisError, WrongPassphrase
from ..paths import data_home
from ..store import Store, has_data
from ..store import keys, recovery


# --- unlocking ---------------------------------------------------------------

def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def open_store(create: bool = True) -> Store:
    """Open the store, asking for the passphrase on a terminal if it is needed.

    When this call creates the data, it also makes the recovery key and shows it once.
    """
    fresh = create and not has_data(data_home())
    store = _unlock(create)
    if fresh:
        _give_first_recovery_key(store)
    needed = keys.passphrase_needed(store.home)
    if needed:
        print(f"trellis: {needed}", file=sys.stderr)
    return store


def _unlock(create: bool) -> Store:
    try:
        return Store.open(create=create)
    except PassphraseRequired:
        if not interactive():
            raise
    if not _has_key_record():
        return Store.open(passphrase=ask_new_passphrase(), create=create)
    for attempt in range(3):
        try:
            return Store.open(passphrase=getpass.getpass("Trellis passphrase: "), create=create)
        except WrongPassphrase as exc:
            if attempt == 2:
                raise
            print(exc, file=sys.stderr)
    raise AssertionError("unreachable")


def _has_key_record() -> bool:
    return keys.read_key_record(data_home()) is not None


def _give_first_recovery_key(store: Store) -> None:
    try:
        kit = store.new_recovery_key()
        store.keep_recovery_key(kit)
    except BaseException:
        store.close()
        raise
    sheet = recovery.recovery_sheet(kit, store.home)
    if sys.stderr.isatty():
        print("trellis: Your notes are set up. Below is your RECOVERY KEY, shown only this once: write it\n"
              "down or save it somewhere other than this computer, now.\n", file=sys.stderr)
        print(sheet, file=sys.stderr)
        return
    # Not a terminal (``2>log``, a script): the key never goes into an ordinary file.
    kept = _owner_only_file(Path.home(), "Trellis recovery key", sheet)
    print(f"trellis: Your notes are set up. Your RECOVERY KEY is in {kept} (readable only by you):\n"
          "keep it somewhere other than this computer, then delete that file.", file=sys.stderr)


def _owner_only_file(folder: Path, stem: str, text: str) -> Path:
    """A new file readable by its owner only, never one that already exists."""
    for number in range(1, 1000):
        path = folder / (f"{stem}.txt" if number == 1 else f"{stem} ({number}).txt")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        return path
    raise TrellisError(f"Too many recovery key files in {folder}; move them away and try again.")


def ask_new_passphrase() -> str:
    print("No secure keychain here: choose a passphrase to protect your notes.", file=sys.stderr)
    first = getpass.getpass("New passphrase: ")
    if getpass.getpass("Repeat it: ") != first:
        raise TrellisError("The two passphrases differ; nothing was saved.")
    return first


# --- output ------------------------------------------------------------------

def emit(args, data, lines) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in lines:
            print(line)


def table(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def one_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# --- flags -------------------------------------------------------------------

def json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
