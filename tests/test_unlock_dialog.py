"""Unlocking from the window: a wrong passphrase says so and allows another try."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402
from ui import unlock  # noqa: E402


@pytest.fixture
def dialogs(monkeypatch, qapp):
    """Script the passphrase prompts; record the warnings shown."""
    answers, warnings = [], []
    monkeypatch.setattr(unlock.QInputDialog, "getText",
                        lambda *a, **k: (answers.pop(0), True) if answers else ("", False))
    monkeypatch.setattr(unlock.QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    return answers, warnings


def test_wrong_then_right_passphrase_unlocks(dialogs, data_home):
    Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    answers, warnings = dialogs
    answers += ["wrong guess", PASSPHRASE]
    store = unlock.open_store_interactively()
    assert store is not None
    store.close()
    assert len(warnings) == 1 and "not right" in warnings[0]


def test_cancel_leaves_it_locked(dialogs, data_home):
    Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    assert unlock.open_store_interactively() is None


def test_new_passphrase_must_be_typed_twice_and_long_enough(dialogs, data_home):
    answers, warnings = dialogs
    answers += ["first choice!", "first choise!", "short", "short", "a good passphrase", "a good passphrase"]
    store = unlock.open_store_interactively()
    assert store is not None and store.key_mode == "passphrase"
    store.close()
    assert "differ" in warnings[0] and "at least 8 characters" in warnings[1]
    Store.open(data_home, passphrase="a good passphrase").close()
