"""The recovery key: its printed form, opening the data with it, and every way it can go wrong.

These run without a keychain (the data is behind a passphrase); the real
Secret Service path is in test_recovery_keychain.py.
"""

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from app import policy as policies
from app.errors import (InvalidInput, KeychainUnavailable, LockedError, NotFound, PassphraseRequired,
                        StoreCorrupt, WrongPassphrase)
from app.store import Store, recovery
from app.store.recovery import WrongRecoveryKey
from conftest import FAST_KDF, PASSPHRASE, files_under

NEW_PASSPHRASE = "a brand new passphrase"


@pytest.fixture
def kept(store):
    """A closed store with two people, a note, and a recovery key: (home, recovery key text)."""
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.people.add(name="Li Wei", person_id="p-li")
    store.notes.add(person_id="p-ana", text="Led the incident review calmly.", date="2026-01-12")
    kit = store.new_recovery_key()
    store.keep_recovery_key(kit)
    store.close()
    return store.home, kit.text


def _other_key(text: str) -> str:
    while True:
        other = recovery.format_recovery_key(os.urandom(recovery.SECRET_BYTES))
        if other != text:
            return other


# --- the printed form --------------------------------------------------------------

def test_a_recovery_key_is_eight_checked_groups_that_read_back_exactly():
    for _ in range(50):
        secret = os.urandom(recovery.SECRET_BYTES)
        text = recovery.format_recovery_key(secret)
        groups = text.split("-")
        assert len(groups) == 8 and all(len(g) == 5 for g in groups)
        assert set(text.replace("-", "")) <= set(recovery.ALPHABET)
        assert recovery.parse_recovery_key(text) == secret
        assert recovery.parse_recovery_key(" ".join(groups).lower()) == secret


def test_letters_that_look_like_digits_are_read_as_the_digits():
    secret = bytes(recovery.SECRET_BYTES)          # all zeros: every data character is 0
    text = recovery.format_recovery_key(secret)
    assert recovery.parse_recovery_key(text.replace("0", "o")) == secret


def test_every_single_character_typo_is_caught_and_names_its_group():
    text = recovery.format_recovery_key(os.urandom(recovery.SECRET_BYTES))
    compact = text.replace("-", "")
    for position, right in enumerate(compact):
        for wrong in recovery.ALPHABET.replace(right, ""):
            typed = compact[:position] + wrong + compact[position + 1:]
            with pytest.raises(InvalidInput, match=f"^Group {position // 5 + 1} of the recovery key "
                                                   "does not match its check"):
                recovery.parse_recovery_key(typed)


def test_swapped_groups_and_odd_lengths_and_characters_are_named():
    groups = recovery.format_recovery_key(os.urandom(recovery.SECRET_BYTES)).split("-")
    groups[1], groups[2] = groups[2], groups[1]
    with pytest.raises(InvalidInput, match="^Groups 2 and 3 of the recovery key do not match their checks"):
        recovery.parse_recovery_key("-".join(groups))
    with pytest.raises(InvalidInput, match="8 groups of 5 characters .* this one has 35"):
        recovery.parse_recovery_key("-".join(groups[:7]))
    with pytest.raises(InvalidInput, match="Group 4 .* not used in recovery keys: U"):
        recovery.parse_recovery_key("-".join(groups[:3] + ["UUUUU"] + groups[4:]))


def test_a_saved_sheet_gives_back_its_key(kept):
    home, text = kept
    kit = recovery.RecoveryKit(text, {"created": "2026-01-01"})
    sheet = recovery.recovery_sheet(kit, home)
    assert recovery.key_in_text(sheet) == text
    assert "trellis recover" in sheet and str(home) in sheet


# --- opening the data with it -------------------------------------------------------

def test_a_forgotten_passphrase_is_replaced_and_every_note_is_there(kept):
    home, text = kept
    with Store.recover(home, recovery_key=text.lower(), new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF) as s:
        assert [p.id for p in s.people.list()] == ["p-ana", "p-li"]
        assert s.notes.for_person("p-ana")[0].text == "Led the incident review calmly."
    with pytest.raises(WrongPassphrase):
        Store.open(home, passphrase=PASSPHRASE)
    Store.open(home, passphrase=NEW_PASSPHRASE).close()
    # The recovery record wraps the same data key: the recovery key still works.
    Store.recover(home, recovery_key=text, new_passphrase=PASSPHRASE, kdf=FAST_KDF).close()


def test_a_lost_key_file_is_never_replaced_and_the_recovery_key_brings_it_back(kept):
    home, text = kept
    (home / "key.json").unlink()
    before = files_under(home)
    with pytest.raises(StoreCorrupt, match="key.json is missing.*did not make a new key.*trellis recover"):
        Store.open(home, passphrase=PASSPHRASE)
    assert files_under(home) == before
    with Store.recover(home, recovery_key=text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF) as s:
        assert s.people.get("p-li").name == "Li Wei"
    assert json.loads((home / "key.json").read_text())["mode"] == "passphrase"


def test_a_damaged_key_file_is_rewritten_by_recovery(kept):
    home, text = kept
    (home / "key.json").write_text("{half a rec")
    with pytest.raises(StoreCorrupt, match="key record cannot be read"):
        Store.open(home, passphrase=PASSPHRASE)
    Store.recover(home, recovery_key=text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF).close()
    Store.open(home, passphrase=NEW_PASSPHRASE).close()


def test_a_new_recovery_key_makes_the_old_one_stop_working(kept):
    home, old = kept
    with Store.open(home, passphrase=PASSPHRASE) as s:
        kit = s.new_recovery_key()
        s.keep_recovery_key(kit)
    assert kit.text != old
    with pytest.raises(WrongRecoveryKey, match="replaced by a newer one"):
        Store.recover(home, recovery_key=old, new_passphrase=NEW_PASSPHRASE)
    Store.recover(home, recovery_key=kit.text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF).close()


def test_a_recovery_file_is_owner_only(kept):
    home, _ = kept
    assert (home / "recovery.json").stat().st_mode & 0o077 == 0
    assert "wrapped_key" in json.loads((home / "recovery.json").read_text())


# --- the key the window shows until the manager kept it ------------------------------

def test_the_key_shown_until_kept_works_at_once_and_is_the_same_at_every_unlock(store):
    shown = store.recovery_key_to_keep()
    assert store.has_recovery_key and not store.recovery_key_kept
    assert recovery.key_from_recovery_key(store.home, shown.text)     # works before any confirmation
    home = store.home
    store.close()
    with Store.open(home, passphrase=PASSPHRASE) as again:
        assert again.recovery_key_to_keep().text == shown.text
        again.keep_recovery_key(again.recovery_key_to_keep())
        assert again.recovery_key_kept and again.recovery_key_to_keep() is None
    assert "until_kept" not in json.loads((home / "recovery.json").read_text())
    Store.recover(home, recovery_key=shown.text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF).close()


def test_the_key_shown_until_kept_is_not_on_disk(store):
    shown = store.recovery_key_to_keep()
    compact = shown.text.replace("-", "").encode()
    for name, data in files_under(store.home).items():
        assert shown.text.encode() not in data and compact not in data, name


def test_a_key_made_meanwhile_is_not_undone_by_confirming_the_old_one(store):
    shown = store.recovery_key_to_keep()
    newer = store.new_recovery_key()
    store.keep_recovery_key(newer)                     # `trellis recovery-key new` in a terminal
    assert store.recovery_key_kept and store.recovery_key_to_keep() is None
    with pytest.raises(WrongRecoveryKey, match="A newer recovery key was made"):
        store.keep_recovery_key(shown)
    assert recovery.key_from_recovery_key(store.home, newer.text)


def test_recovering_with_the_key_shown_means_it_was_kept(store):
    shown, home = store.recovery_key_to_keep(), store.home
    store.close()
    Store.recover(home, recovery_key=shown.text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF).close()
    assert recovery.recovery_key_kept(home)


def test_a_record_of_other_data_is_replaced_by_a_key_that_opens_this_data(store, tmp_path):
    with Store.open(tmp_path / "other", passphrase=PASSPHRASE, kdf=FAST_KDF) as other:
        other.recovery_key_to_keep()
    shutil.copy(tmp_path / "other" / "recovery.json", store.home / "recovery.json")
    shown = store.recovery_key_to_keep()
    assert recovery.key_from_recovery_key(store.home, shown.text)


# --- what goes wrong changes nothing ----------------------------------------------------

def _refused_and_unchanged(home, error, match, **kwargs):
    before = files_under(home)
    kwargs.setdefault("new_passphrase", NEW_PASSPHRASE)
    with pytest.raises(error, match=match):
        Store.recover(home, kdf=FAST_KDF, **kwargs)
    assert files_under(home) == before
    Store.open(home, passphrase=PASSPHRASE).close()   # the old passphrase still opens it


def test_a_wrong_recovery_key_changes_nothing(kept):
    home, text = kept
    _refused_and_unchanged(home, WrongRecoveryKey, "does not open this Trellis data.*Nothing was changed",
                           recovery_key=_other_key(text))


def test_a_typo_changes_nothing_and_names_the_group(kept):
    home, text = kept
    typo = text[:7] + ("Z" if text[7] != "Z" else "Y") + text[8:]
    _refused_and_unchanged(home, InvalidInput, "^Group 2 of the recovery key", recovery_key=typo)


@pytest.mark.parametrize("damage", [
    lambda r: "{not json",
    lambda r: json.dumps({k: v for k, v in r.items() if k != "nonce"}),
    lambda r: json.dumps({**r, "wrapped_key": r["wrapped_key"][:20]}),
    lambda r: json.dumps({**r, "wrapped_key": "***"}),
    lambda r: json.dumps({**r, "kdf": {"name": "pbkdf2", "salt": r["kdf"]["salt"]}}),
    lambda r: json.dumps([r]),
], ids=["not-json", "no-nonce", "short-key", "not-base64", "other-kdf", "a-list"])
def test_a_damaged_recovery_record_is_named_and_changes_nothing(kept, damage):
    home, text = kept
    path = home / "recovery.json"
    path.write_text(damage(json.loads(path.read_text())))
    _refused_and_unchanged(home, StoreCorrupt, "recovery.json is damaged .*Nothing was changed",
                           recovery_key=text)


def test_a_flipped_byte_in_the_wrapped_key_is_a_wrong_key_not_a_crash(kept):
    home, text = kept
    path = home / "recovery.json"
    record = json.loads(path.read_text())
    record["wrapped_key"] = "A" + record["wrapped_key"][1:] if record["wrapped_key"][0] != "A" else \
        "B" + record["wrapped_key"][1:]
    path.write_text(json.dumps(record))
    _refused_and_unchanged(home, WrongRecoveryKey, "does not open", recovery_key=text)


def test_the_recovery_key_of_another_data_dir_changes_nothing(kept, tmp_path):
    home, _ = kept
    with Store.open(tmp_path / "other", passphrase=PASSPHRASE, kdf=FAST_KDF) as other:
        other_kit = other.new_recovery_key()
        other.keep_recovery_key(other_kit)
    _refused_and_unchanged(home, WrongRecoveryKey, "belongs to other data", recovery_key=other_kit.text)


def test_the_recovery_record_of_another_data_dir_is_named(kept, tmp_path):
    home, _ = kept
    with Store.open(tmp_path / "other", passphrase=PASSPHRASE, kdf=FAST_KDF) as other:
        other_kit = other.new_recovery_key()
        other.keep_recovery_key(other_kit)
    shutil.copy(tmp_path / "other" / "recovery.json", home / "recovery.json")
    _refused_and_unchanged(home, WrongRecoveryKey, "recovery.json belongs to other Trellis data: the key "
                           "it holds does not open .*trellis.db", recovery_key=other_kit.text)


def test_no_recovery_record_no_new_passphrase_or_a_short_one_change_nothing(kept, monkeypatch):
    home, text = kept
    _refused_and_unchanged(home, PassphraseRequired, "Choose a new passphrase.*no secure keychain",
                           recovery_key=text, new_passphrase=None)
    _refused_and_unchanged(home, InvalidInput, "at least 8 characters", recovery_key=text,
                           new_passphrase="short")
    (home / "recovery.json").rename(home / "elsewhere.json")
    _refused_and_unchanged(home, LockedError, "no recovery record .*recovery.json is missing",
                           recovery_key=text)


def test_no_data_at_all_is_named(data_home):
    with pytest.raises(NotFound, match="No Trellis data in .*copy the data dir"):
        Store.recover(data_home, recovery_key="x")
    assert not data_home.exists() or not any(data_home.iterdir())


def test_policy_requiring_a_passphrase_refuses_the_keychain_after_recovery(kept, monkeypatch):
    home, text = kept
    policy = policies.policy_from_mapping({"RequirePassphrase": True}, "test policy")
    monkeypatch.setattr(policies, "current_policy", lambda: policy)
    monkeypatch.setattr(recovery.keys, "secure_keychain", lambda: object())
    _refused_and_unchanged(home, PassphraseRequired, "your organisation requires one",
                           recovery_key=text, new_passphrase=None)


# --- a key record that says keychain, on a computer without one -------------------------------

def test_a_keychain_key_on_a_computer_without_a_keychain_is_never_recreated(kept):
    home, text = kept
    record = {"version": 1, "mode": "keychain", "account": "data-key-from-the-old-laptop",
              "backend": "keyring.backends.macOS.Keyring"}
    (home / "key.json").write_text(json.dumps(record))
    before = files_under(home)
    with pytest.raises(KeychainUnavailable, match=(
            r"data-key-from-the-old-laptop\) cannot be found: no secure OS keychain is available "
            r"on this computer now\. Trellis did not make a new key and changed nothing.*"
            r"trellis recover")):
        Store.open(home)
    assert files_under(home) == before
    with Store.recover(home, recovery_key=text, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF) as s:
        assert len(s.people.list()) == 2


# --- the command line ---------------------------------------------------------------------

def test_the_first_command_prints_the_recovery_key_once_and_it_opens_the_data(cli, data_home):
    first = cli("person", "add", "Ana Ruiz", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["name"] == "Ana Ruiz"        # stdout stays machine-readable
    # Not a terminal: the key is not printed but kept in an owner-only file in the home folder.
    kept = Path(os.environ["HOME"]) / "Trellis recovery key.txt"
    assert f"RECOVERY KEY is in {kept}" in first.stderr
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    printed = recovery.key_in_text(kept.read_text())
    assert printed.replace("-", "") not in first.stderr.replace("-", "")
    second = cli("people")
    assert second.returncode == 0 and "RECOVERY KEY" not in second.stderr
    (data_home / "key.json").unlink()
    locked = cli("people")
    assert locked.returncode == 1 and "`trellis recover`" in locked.stderr
    done = cli("recover", "--key-from-env", "RK", env={"RK": printed, "TRELLIS_PASSPHRASE": NEW_PASSPHRASE})
    assert done.returncode == 0, done.stderr
    assert "(1 person)" in done.stdout and "behind your new passphrase" in done.stdout
    assert "Ana Ruiz" in cli("people", env={"TRELLIS_PASSPHRASE": NEW_PASSPHRASE}).stdout


def test_cli_recovery_key_new_and_recover_from_the_saved_file(cli, kept, tmp_path):
    home, old = kept
    made = cli("recovery-key", "new")
    assert made.returncode == 0, made.stderr
    assert "the one before it no longer works" in made.stdout
    sheet = tmp_path / "sheet.txt"
    sheet.write_text(made.stdout)
    refused = cli("recover", "--key-from-env", "RK", env={"RK": old})
    assert refused.returncode == 1
    assert refused.stderr.startswith("trellis: That recovery key does not open this Trellis data")
    done = cli("recover", "--key-file", str(sheet), "--passphrase-from-env", "NP",
               env={"NP": NEW_PASSPHRASE, "TRELLIS_PASSPHRASE": ""})
    assert done.returncode == 0, done.stderr
    assert "(2 people)" in done.stdout


def test_cli_recover_refusals_are_sentences(cli, kept, tmp_path):
    home, text = kept
    before = files_under(home)
    cases = [
        (("recover",), "Run this on a terminal, or pass --key-file FILE or --key-from-env VARIABLE"),
        (("recover", "--key-file", str(tmp_path / "nowhere.txt")), "nowhere.txt cannot be read"),
        (("recover", "--key-from-env", "UNSET_VARIABLE"), "UNSET_VARIABLE is not set"),
    ]
    for args, sentence in cases:
        result = cli(*args)
        assert result.returncode == 1 and sentence in result.stderr and "Traceback" not in result.stderr
    typo = text[:13] + ("Z" if text[13] != "Z" else "Y") + text[14:]
    result = cli("recover", "--key-from-env", "RK", env={"RK": typo})
    assert result.returncode == 1
    assert "trellis: Group 3 of the recovery key does not match its check" in result.stderr
    assert files_under(home) == before
