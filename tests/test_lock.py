"""The lock locks (issue 15, part 2).

In passphrase mode unlocking asks for the passphrase. With the key in the
keychain (the real Secret Service here), locking needs an unlock PIN the
person at the keyboard must know: the first lock asks the manager to choose
one, the idle lock waits for it, and the locked window, and the next start,
ask for it. On lock the store is closed and the key is dropped.
"""

import os
import stat

import pytest

from app.errors import InvalidInput, StoreCorrupt, WrongPassphrase
from app.store import Store
from app.store.unlock_pin import (
    check_unlock_pin, has_unlock_pin, pin_file, remove_unlock_pin, set_unlock_pin,
)
from conftest import FAST_KDF, PASSPHRASE

PIN = "274 913"


def test_the_pin_is_checked_against_an_owner_only_verifier_never_kept_as_text(tmp_path):
    set_unlock_pin(tmp_path, PIN, FAST_KDF)
    assert has_unlock_pin(tmp_path)
    assert stat.S_IMODE(os.stat(pin_file(tmp_path)).st_mode) == 0o600
    assert PIN.encode() not in pin_file(tmp_path).read_bytes()
    check_unlock_pin(tmp_path, PIN)
    with pytest.raises(WrongPassphrase, match="not right"):
        check_unlock_pin(tmp_path, "274 914")
    with pytest.raises(InvalidInput, match="at least 6 characters"):
        set_unlock_pin(tmp_path, "1234", FAST_KDF)
    check_unlock_pin(tmp_path, PIN)  # a refused new PIN changed nothing
    pin_file(tmp_path).write_text("{}")
    with pytest.raises(StoreCorrupt, match="damaged"):
        check_unlock_pin(tmp_path, PIN)
    remove_unlock_pin(tmp_path)
    assert not has_unlock_pin(tmp_path)


# --- the window ----------------------------------------------------------------------------

qt = pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from app.llm.fake_engine import FakeEngine  # noqa: E402
from ui.lock_page import open_without_asking  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.settings_dialog import lock_explanation  # noqa: E402
from ui.window import LOCK, MainWindow  # noqa: E402


@pytest.fixture
def keychain_store(data_home, secret_service, monkeypatch):
    """A store whose key is in the real Secret Service, with one person."""
    monkeypatch.delenv("TRELLIS_PASSPHRASE", raising=False)
    store = Store.open(data_home)
    assert store.key_mode == "keychain"
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    return store


@pytest.fixture
def window(qtbot, keychain_store):
    win = MainWindow(Session(keychain_store), bridge=ModelBridge(engine_factory=FakeEngine),
                     ask_unsaved=lambda *_: False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.bridge.shutdown()
    win.session.lock()


def answer_pin_dialog(window, pin=PIN, repeat=None, *, cancel=False):
    def fill():
        dialog = window.pin_dialog
        if cancel:
            return dialog.reject()
        dialog.pin.setText(pin)
        dialog.repeat.setText(repeat if repeat is not None else pin)
        dialog.save_button.click()
        if dialog.isVisible():  # refused: say why, then give up
            answer_pin_dialog.problem = dialog.error.text()
            dialog.reject()
    QTimer.singleShot(0, fill)


def test_without_a_pin_the_idle_lock_waits_and_the_first_lock_asks_for_one(window, data_home):
    assert window.idle.minutes == 0  # the default 10 minutes wait for a PIN
    assert window.lock_banner.isVisible()
    assert "unlock PIN" in window.lock_banner.findChild(QLabel).text()
    assert "one click" in lock_explanation(data_home)

    answer_pin_dialog(window, cancel=True)
    window.lock()
    assert not window.session.is_locked  # no PIN chosen: the window stays open, nothing changed

    answer_pin_dialog(window, "12", "12")
    window.lock()
    assert not window.session.is_locked and "at least 6" in answer_pin_dialog.problem

    answer_pin_dialog(window)
    window.lock()
    assert window.session.is_locked and has_unlock_pin(data_home)
    assert window.idle.minutes == 10 and not window.lock_banner.isVisible()
    assert "unlock PIN" in lock_explanation(data_home)


def test_locked_means_locked_the_pin_opens_and_the_key_leaves_memory(window, data_home, qtbot):
    set_unlock_pin(data_home, PIN, FAST_KDF)
    store = window.session.store
    window.lock()
    assert window.session.is_locked and window.pages.currentIndex() == LOCK
    assert store._key == b""  # the closed store no longer holds the key
    with pytest.raises(Exception):
        store.people.list()
    page = window.lock_page
    assert page.passphrase.isVisible() and page.passphrase.accessibleName() == "Unlock PIN"
    page.unlock_button.click()                    # one click no longer opens it
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert window.session.is_locked and "not right" in page.error.text()
    page.passphrase.setText("wrong pin")
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert window.session.is_locked
    page.passphrase.setText(PIN)
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert not window.session.is_locked
    assert [p.name for p in window.session.store.people.list()] == ["Ana Ruiz"]
    # Restarting the window is no way around it: the start asks for the PIN too.
    assert open_without_asking() is None


def test_wrong_pins_make_the_next_try_wait(window, data_home, qtbot):
    set_unlock_pin(data_home, PIN, FAST_KDF)
    window.lock()
    page = window.lock_page
    for attempt in range(3):
        page.passphrase.setText(f"guess {attempt}")
        page.on_unlock()
        qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert not page.unlock_button.isEnabled() and "Wait 1 second" in page.error.text()
    page.passphrase.setText(PIN)
    page.on_unlock()                              # ignored while waiting
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert window.session.is_locked
    qtbot.waitUntil(page.unlock_button.isEnabled, timeout=3000)
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert not window.session.is_locked


def test_in_passphrase_mode_the_lock_asks_for_the_passphrase(qtbot, data_home):
    store = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    win = MainWindow(Session(store), bridge=ModelBridge(engine_factory=FakeEngine),
                     ask_unsaved=lambda *_: False)
    qtbot.addWidget(win)
    try:
        assert "passphrase" in lock_explanation(data_home) and not win.lock_banner.isVisible()
        win.lock()
        assert win.session.is_locked and store._key == b""
        win.lock_page.unlock_button.click()
        qtbot.waitUntil(lambda: not win.lock_page.busy, timeout=10_000)  # the key is derived off the GUI thread
        assert win.session.is_locked
        win.lock_page.passphrase.setText(PASSPHRASE)
        win.lock_page.on_unlock()
        qtbot.waitUntil(lambda: not win.lock_page.busy, timeout=10_000)  # the key is derived off the GUI thread
        assert not win.session.is_locked
    finally:
        win.bridge.shutdown()
        win.session.lock()


def test_turning_the_idle_lock_on_in_keychain_mode_offers_the_unlock_pin(window, data_home, qtbot):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.session, window.bridge, window)
    qtbot.addWidget(dialog)
    assert dialog.pin_button.isVisible() or dialog.pin_button.text() == "Choose unlock PIN…"
    assert "one click" in dialog.lock_text.text()
    dialog.idle_spin.setValue(5)

    def fill():
        dialog.pin_dialog.pin.setText(PIN), dialog.pin_dialog.repeat.setText(PIN)
        dialog.pin_dialog.save_button.click()
    QTimer.singleShot(0, fill)
    dialog.on_save_clicked()
    assert has_unlock_pin(data_home) and "unlock PIN" in dialog.lock_text.text()
