"""The real Secret Service: the key goes into the keychain; no passphrase needed.

``make test`` runs the suite under ``dbus-run-session`` with an unlocked
gnome-keyring, so these tests talk to a real Secret Service over D-Bus.
"""

import json

import keyring
import pytest

from app.store import Store, keys

pytestmark = pytest.mark.keychain


def test_new_store_keeps_its_key_in_the_keychain(secret_service, data_home):
    with Store.open(data_home) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        key = store._key
    record = json.loads((data_home / "key.json").read_text())
    assert record["mode"] == "keychain"
    assert "wrapped_key" not in record
    assert secret_service.get_password(keys.KEYCHAIN_SERVICE, record["account"]) == key.hex()


def test_store_reopens_without_a_passphrase(secret_service, data_home):
    Store.open(data_home).close()
    with Store.open(data_home) as store:
        assert store.key_mode == "keychain"


def test_switching_to_a_passphrase_removes_the_key_from_the_keychain(secret_service, data_home):
    with Store.open(data_home) as store:
        store.people.add(name="Li Wei", person_id="p-li")
        account = json.loads((data_home / "key.json").read_text())["account"]
        store.change_passphrase("a long new passphrase")
    assert secret_service.get_password(keys.KEYCHAIN_SERVICE, account) is None
    with Store.open(data_home, passphrase="a long new passphrase") as store:
        assert store.people.get("p-li").name == "Li Wei"


def test_moving_back_to_the_keychain(secret_service, data_home):
    with Store.open(data_home, passphrase="a long passphrase") as store:
        store.move_key_to_keychain()
    with Store.open(data_home) as store:
        assert store.key_mode == "keychain"


def test_key_deleted_from_keychain_is_a_clear_error(secret_service, data_home):
    Store.open(data_home).close()
    account = json.loads((data_home / "key.json").read_text())["account"]
    keyring.delete_password(keys.KEYCHAIN_SERVICE, account)
    with pytest.raises(keys.KeychainUnavailable, match="not in the keychain"):
        Store.open(data_home)


def test_cli_moves_the_key_into_the_keychain(secret_service, data_home, cli):
    Store.open(data_home, passphrase="a long passphrase").close()
    result = cli("passphrase", "keychain", env={"TRELLIS_PASSPHRASE": "a long passphrase"})
    assert result.returncode == 0, result.stderr
    assert "OS keychain" in result.stdout
    assert cli("people", env={"TRELLIS_PASSPHRASE": ""}).returncode == 0
