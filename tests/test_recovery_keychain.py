"""A lost keychain, with the real Secret Service: never a new key, and the recovery key brings the notes back.

The data is made with its key in gnome-keyring (``tests/with_secret_service.sh``),
copied to another data dir as if to a new laptop, and the keychain entry is
deleted as if the keychain had been reset.
"""

import json
from pathlib import Path
import os
import shutil

import keyring
import pytest

from app.errors import KeychainUnavailable
from app.store import Store, keys
from app.store.recovery import key_in_text
from conftest import files_under

pytestmark = pytest.mark.keychain


@pytest.fixture
def laptop(secret_service, tmp_path):
    """Data kept by the keychain, with three notes and a recovery key: (home, key text, account)."""
    home = tmp_path / "old-laptop"
    with Store.open(home) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        for day, text in (("2026-01-05", "Shipped the billing fix."), ("2026-01-12", "Ran the retro."),
                          ("2026-01-19", "Asked for a stretch project.")):
            store.notes.add(person_id="p-ana", text=text, date=day)
        kit = store.new_recovery_key()
        store.keep_recovery_key(kit)
    account = json.loads((home / "key.json").read_text())["account"]
    return home, kit.text, account


def test_a_copied_data_dir_with_the_keychain_entry_gone_opens_only_with_the_recovery_key(
        laptop, secret_service, tmp_path):
    home, text, account = laptop
    new_home = tmp_path / "new-laptop"
    shutil.copytree(home, new_home)
    keyring.delete_password(keys.KEYCHAIN_SERVICE, account)
    before = files_under(new_home)
    with pytest.raises(KeychainUnavailable, match=(
            "cannot be found: it is not in the keychain keyring.backends.SecretService.Keyring "
            r"\(the keychain was reset.*did not make a new key and changed nothing.*trellis recover")):
        Store.open(new_home)
    assert files_under(new_home) == before                  # database byte-identical, no new key.json
    with Store.recover(new_home, recovery_key=text) as store:
        assert [n.text for n in store.notes.for_person("p-ana")] == [
            "Asked for a stretch project.", "Ran the retro.", "Shipped the billing fix."]
    record = json.loads((new_home / "key.json").read_text())
    assert record["mode"] == "keychain" and record["account"] != account
    with Store.open(new_home) as store:                     # no passphrase: the keychain has it again
        assert len(store.notes.for_person("p-ana")) == 3


def test_a_key_kept_by_another_keychain_backend_is_named_and_never_recreated(laptop, secret_service):
    home, text, account = laptop
    record = json.loads((home / "key.json").read_text())
    record["backend"] = "keyring.backends.kwallet.DBusKeyring"
    record["account"] = "data-key-kept-in-kwallet"
    (home / "key.json").write_text(json.dumps(record))
    before = files_under(home)
    with pytest.raises(KeychainUnavailable, match=(
            "it was kept in keyring.backends.kwallet.DBusKeyring, and this computer's keychain is "
            "keyring.backends.SecretService.Keyring")):
        Store.open(home)
    assert files_under(home) == before
    Store.recover(home, recovery_key=text).close()
    Store.open(home).close()


def test_no_recovery_key_says_so_and_still_changes_nothing(secret_service, data_home):
    Store.open(data_home).close()
    account = json.loads((data_home / "key.json").read_text())["account"]
    keyring.delete_password(keys.KEYCHAIN_SERVICE, account)
    before = files_under(data_home)
    with pytest.raises(KeychainUnavailable, match="There is no recovery key for this data: restore the keychain"):
        Store.open(data_home)
    assert files_under(data_home) == before


def test_the_command_line_round_trip_with_the_real_keychain(secret_service, data_home, cli):
    env = {"TRELLIS_PASSPHRASE": "", "TRELLIS_KEYCHAIN": ""}
    made = cli("person", "add", "Li Wei", env=env)
    assert made.returncode == 0, made.stderr
    printed = (Path(os.environ["HOME"]) / "Trellis recovery key.txt").read_text()
    account = json.loads((data_home / "key.json").read_text())["account"]
    keyring.delete_password(keys.KEYCHAIN_SERVICE, account)
    locked = cli("people", env=env)
    assert locked.returncode == 1
    assert "cannot be found" in locked.stderr and "`trellis recover`" in locked.stderr
    assert "Traceback" not in locked.stderr
    recovered = cli("recover", "--key-from-env", "RK", env={**env, "RK": key_in_text(printed)})
    assert recovered.returncode == 0, recovered.stderr
    assert "kept in the OS keychain again" in recovered.stdout
    assert "Li Wei" in cli("people", env=env).stdout
