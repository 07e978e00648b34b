"""Key handling: raw random key, passphrase wrapping, refusing plaintext keychains."""

import json

import keyring
import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from app.errors import InvalidInput, PassphraseRequired, StoreCorrupt, WrongPassphrase
from app.store import Store, keys
from conftest import FAST_KDF, PASSPHRASE


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's PlaintextKeyring: stores secrets in the clear.

    Its priority raises, so keyring never picks it on its own for other tests;
    the tests below install it explicitly.
    """

    secrets: dict = {}

    @properties.classproperty
    def priority(cls):
        raise RuntimeError("installed explicitly by the test that needs it")

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture
def keyring_backend(monkeypatch):
    """Install a keyring backend for one test, restoring the real one after."""
    previous = keyring.get_keyring()
    monkeypatch.delenv("TRELLIS_KEYCHAIN", raising=False)

    def install(backend):
        keyring.set_keyring(backend)
        return backend
    yield install
    keyring.set_keyring(previous)


@pytest.mark.parametrize("backend", [PlaintextKeyring(), null.Keyring(), fail.Keyring()],
                         ids=["plaintext", "null", "fail"])
def test_insecure_keychains_are_never_used(keyring_backend, backend, data_home, monkeypatch):
    keyring_backend(backend)
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    assert keys.secure_keychain() is None
    with pytest.raises(PassphraseRequired, match="no secure keychain"):
        Store.open(data_home)
    assert not (data_home / "key.json").exists()
    assert PlaintextKeyring.secrets == {}


def test_data_key_is_32_random_bytes(store):
    assert len(store._key) == 32
    other = Store.open(store.home.parent / "other", passphrase=PASSPHRASE, kdf=FAST_KDF)
    assert other._key != store._key
    other.close()


def test_key_file_holds_only_the_wrapped_key(store):
    record = json.loads((store.home / "key.json").read_text())
    assert record["mode"] == "passphrase"
    assert record["kdf"]["name"] == "argon2id"
    assert store._key.hex() not in (store.home / "key.json").read_text()


def test_reopening_with_the_passphrase_gives_the_same_data(store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.close()
    again = Store.open(store.home, passphrase=PASSPHRASE)
    assert again.people.get("p-ana").name == "Ana Ruiz"
    again.close()


def test_passphrase_comes_from_the_environment(store, monkeypatch):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.close()
    monkeypatch.setenv("TRELLIS_PASSPHRASE", PASSPHRASE)
    with Store.open(store.home) as again:  # no passphrase argument: the variable's is used
        assert again.key_mode == "passphrase"
        assert again.people.get("p-ana").name == "Ana Ruiz"
    monkeypatch.setenv("TRELLIS_PASSPHRASE", "another passphrase")
    with pytest.raises(WrongPassphrase):
        Store.open(store.home)


def test_missing_passphrase_asks_for_one(store, monkeypatch):
    store.close()
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    with pytest.raises(PassphraseRequired, match="locked with a passphrase"):
        Store.open(store.home)


def test_wrong_passphrase_is_a_clear_error(store):
    store.close()
    with pytest.raises(WrongPassphrase, match="not right"):
        Store.open(store.home, passphrase="not the passphrase")


def test_passphrase_is_unicode_normalised(data_home):
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    assert composed != decomposed
    with Store.open(data_home, passphrase=composed, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
    with Store.open(data_home, passphrase=decomposed) as again:  # the same passphrase, typed otherwise
        assert again.people.get("p-ana").name == "Ana Ruiz"
    with pytest.raises(WrongPassphrase):
        Store.open(data_home, passphrase="cafe au lait")


def test_short_new_passphrase_is_refused(data_home):
    with pytest.raises(InvalidInput, match="at least 8 characters"):
        Store.open(data_home, passphrase="short", kdf=FAST_KDF)
    assert not (data_home / "key.json").exists()


def test_tampered_key_file_is_reported(store):
    store.close()
    path = store.home / "key.json"
    record = json.loads(path.read_text())
    record["wrapped_key"] = record["wrapped_key"][:-8] + "AAAAAAA="
    path.write_text(json.dumps(record))
    with pytest.raises(WrongPassphrase):
        Store.open(store.home, passphrase=PASSPHRASE)
    path.write_text("{not json")
    with pytest.raises(StoreCorrupt, match="key record cannot be read"):
        Store.open(store.home, passphrase=PASSPHRASE)


def test_database_without_key_file_is_not_silently_replaced(store):
    store.close()
    (store.home / "key.json").unlink()
    before = (store.home / "trellis.db").read_bytes()
    with pytest.raises(StoreCorrupt, match="key.json is missing"):
        Store.open(store.home, passphrase=PASSPHRASE)
    assert (store.home / "trellis.db").read_bytes() == before


def test_data_dir_is_private(store):
    assert (store.home.stat().st_mode & 0o077) == 0
    assert ((store.home / "key.json").stat().st_mode & 0o077) == 0
