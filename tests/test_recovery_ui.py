"""The recovery key in the window: shown on the welcome page until kept, warned about in the
workspace while no key is kept, used from the lock page."""

import json
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from PySide6.QtWidgets import QLabel, QMessageBox  # noqa: E402

from app.store import Store, recovery  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE, files_under  # noqa: E402
from ui.lock_page import LockPage  # noqa: E402
from ui.recovery_key_view import RecoveryKeyDialog  # noqa: E402
from ui.recovery_unlock import RecoveryUnlockDialog  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.welcome import WelcomePage  # noqa: E402
from ui.main import SCREENSHOT_SIZE  # noqa: E402
from ui.window import WELCOME, WORKSPACE, MainWindow  # noqa: E402

NEW_PASSPHRASE = "a brand new passphrase"


@pytest.fixture
def welcome(qtbot, store):
    session = Session()
    page = WelcomePage(session)
    qtbot.addWidget(page)
    session.unlock(store)
    return page, session


def test_the_welcome_page_shows_a_key_that_works_at_once_and_waits_until_it_is_kept(welcome, store, tmp_path):
    page, session = welcome
    panel = page.recovery
    shown = panel.key_label.text()
    assert not panel.isHidden() and recovery.parse_recovery_key(shown)
    assert (store.home / "recovery.json").exists()         # valid from the moment it is shown
    assert recovery.key_from_recovery_key(store.home, shown)
    assert not page.add_button.isEnabled() and not page.sample_button.isEnabled()
    assert not page.waiting.isHidden() and "Keep your recovery key first" in page.waiting.text()
    assert not panel.done_button.isEnabled()
    panel.confirm.setChecked(True)
    panel.done_button.click()
    assert panel.isHidden() and not page.recovery_done.isHidden()
    assert panel.key_label.text() == "" and store.recovery_key_kept
    assert page.add_button.isEnabled() and page.sample_button.isEnabled() and page.waiting.isHidden()
    store.close()
    with Store.recover(store.home, recovery_key=shown, new_passphrase=NEW_PASSPHRASE, kdf=FAST_KDF):
        pass


def test_a_key_file_saved_before_anything_else_opens_the_data(welcome, store, tmp_path, cli):
    page, session = welcome
    panel = page.recovery
    assert panel.save_to(tmp_path / "key.txt")
    assert (tmp_path / "key.txt").stat().st_mode & 0o077 == 0
    assert recovery.key_in_text((tmp_path / "key.txt").read_text()) == panel.key_label.text()
    assert "readable by you only" in panel.message.text()
    session.lock()                                          # the window closes; nothing was confirmed
    done = cli("recover", "--key-file", str(tmp_path / "key.txt"), "--passphrase-from-env", "NP",
               env={"NP": NEW_PASSPHRASE, "TRELLIS_PASSPHRASE": ""})
    assert done.returncode == 0, done.stderr
    assert recovery.recovery_key_kept(store.home)          # used, so kept: not shown again


def test_the_recovery_key_prints_to_a_pdf(welcome, tmp_path):
    page, _ = welcome
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "key.pdf"))
    page.recovery.print_to(printer)
    assert (tmp_path / "key.pdf").read_bytes().startswith(b"%PDF")
    assert page.recovery.message.text() == "Sent to the printer."


def test_saving_where_the_folder_refuses_is_a_sentence(welcome, tmp_path):
    page, _ = welcome
    target = tmp_path / "no such folder" / "key.txt"
    assert not page.recovery.save_to(target)
    assert page.recovery.message.text() == (f"Could not save the recovery key to {target}: "
                                            "No such file or directory.")


def test_locking_takes_the_key_off_the_screen_and_the_next_unlock_shows_the_same_one(welcome, store):
    page, session = welcome
    first = page.recovery.key_label.text()
    session.lock()
    assert page.recovery.key_label.text() == "" and page.recovery.isHidden()
    session.unlock(Store.open(store.home, passphrase=PASSPHRASE))
    assert page.recovery.key_label.text() == first
    assert not page.add_button.isEnabled()
    session.lock()


def test_data_with_a_recovery_key_or_with_people_is_not_offered_one(qtbot, store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    session = Session()
    page = WelcomePage(session)
    qtbot.addWidget(page)
    session.unlock(store)
    assert page.recovery.isHidden() and page.recovery.key_label.text() == ""


def test_the_window_offers_the_key_on_the_welcome_page_with_every_sentence_in_full(qtbot, store):
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    qtbot.waitExposed(window)
    assert window.pages.currentIndex() == WELCOME
    assert recovery.parse_recovery_key(window.welcome.recovery.key_label.text())
    wrapped = [label for label in window.welcome.findChildren(QLabel)
               if label.wordWrap() and label.isVisible() and label.text()]
    assert window.welcome.recovery.explain in wrapped
    for label in wrapped:                                   # no sentence is cut short
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    window.session.lock()


def test_data_without_a_kept_key_warns_in_the_window_until_the_key_is_kept(qtbot, store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")   # added from a terminal, say
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentIndex() == WORKSPACE and window.recovery_banner.isVisible()
    window.show_recovery_key_button.click()
    dialog = window.findChild(RecoveryKeyDialog)
    qtbot.waitUntil(dialog.isVisible)
    shown = dialog.panel.key_label.text()
    assert dialog.replaces.isHidden() and recovery.key_from_recovery_key(store.home, shown)  # works now
    dialog.reject()                                         # not confirmed: the warning stays
    assert window.recovery_banner.isVisible()
    window.show_recovery_key_button.click()
    dialog = [d for d in window.findChildren(RecoveryKeyDialog) if d.isVisible()][0]
    assert dialog.panel.key_label.text() == shown           # the same key again
    dialog.panel.confirm.setChecked(True)
    dialog.panel.done_button.click()
    assert not window.recovery_banner.isVisible() and store.recovery_key_kept
    window.session.lock()


def test_a_damaged_recovery_record_is_warned_about_and_named_not_overwritten(qtbot, store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    (store.home / "recovery.json").write_text("{not json")
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    assert window.recovery_banner.isVisible()               # a damaged record opens nothing
    window.show_recovery_key_button.click()
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert "recovery.json is damaged" in box.text() and "Nothing was changed" in box.text()
    assert (store.home / "recovery.json").read_text() == "{not json"
    window.session.lock()


# --- the lock page ---------------------------------------------------------------------

@pytest.fixture
def lost_keychain(data_home, monkeypatch):
    """Data whose key.json says keychain, on a computer where the key is not found; and its recovery key."""
    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        kit = store.new_recovery_key()
        store.keep_recovery_key(kit)
    keys_record = {"version": 1, "mode": "keychain", "account": "data-key-gone",
                   "backend": "keyring.backends.SecretService.Keyring"}
    (data_home / "key.json").write_text(json.dumps(keys_record))
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    return kit.text


def _in_dialog(page: LockPage, act) -> None:
    """Run ``act(dialog)`` once the recovery dialog is up (it is modal)."""
    def when_open():
        if page.recovery_dialog is None or not page.recovery_dialog.isVisible():
            return QTimer.singleShot(10, when_open)
        act(page.recovery_dialog)
    QTimer.singleShot(0, when_open)


def test_a_lost_keychain_entry_is_opened_with_the_recovery_key_on_the_lock_page(qtbot, lost_keychain,
                                                                                  data_home):
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert not page.recover_button.isHidden()
    before = files_under(data_home)
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert "cannot be found" in page.error.text() and "Use recovery key" in page.error.text()
    assert files_under(data_home) == before

    def wrong_then_right(dialog: RecoveryUnlockDialog):
        assert not dialog.passphrase.isHidden()             # no keychain here: a new passphrase
        dialog.recovery_key.setText(recovery.format_recovery_key(bytes(recovery.SECRET_BYTES)))
        dialog.passphrase.setText(NEW_PASSPHRASE), dialog.repeat.setText(NEW_PASSPHRASE)
        dialog.on_open()
        assert "does not open this Trellis data" in dialog.error.text()
        assert files_under(data_home) == before
        dialog.recovery_key.setText(lost_keychain)
        dialog.on_open()

    _in_dialog(page, wrong_then_right)
    with qtbot.waitSignal(page.sig_store_opened, timeout=10000) as opened:
        page.recover_button.click()
    with opened.args[0] as store:
        assert store.people.get("p-ana").name == "Ana Ruiz" and store.key_mode == "passphrase"


def test_a_typo_in_the_dialog_names_the_group_and_cancel_changes_nothing(qtbot, lost_keychain, data_home):
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    before = files_under(data_home)
    seen = []

    def typo_then_cancel(dialog: RecoveryUnlockDialog):
        typo = lost_keychain[:30] + ("Z" if lost_keychain[30] != "Z" else "Y") + lost_keychain[31:]
        dialog.recovery_key.setText(typo)
        dialog.passphrase.setText(NEW_PASSPHRASE), dialog.repeat.setText(NEW_PASSPHRASE)
        dialog.on_open()
        seen.append(dialog.error.text())
        dialog.reject()

    _in_dialog(page, typo_then_cancel)
    with qtbot.assertNotEmitted(page.sig_store_opened):
        page.recover_button.click()
    assert seen == ["Group 6 of the recovery key does not match its check: look for a typo there."]
    assert files_under(data_home) == before


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_missing_or_damaged_key_file_offers_only_the_recovery_key(qtbot, lost_keychain, data_home, damage):
    if damage == "missing":
        (data_home / "key.json").unlink()
    else:
        (data_home / "key.json").write_text("{not json")
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert page.title.text() == "Trellis is locked"
    assert "key.json) is missing or damaged. Trellis will not make a new key" in page.explain.text()
    assert page.passphrase.isHidden() and page.unlock_button.isHidden()
    assert not page.recover_button.isHidden()


def test_no_recovery_record_hides_the_button(qtbot, store):
    store.close()
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert page.recover_button.isHidden()


def test_the_menu_makes_a_new_recovery_key_for_existing_data(qtbot, store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    old = store.new_recovery_key()
    store.keep_recovery_key(old)
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    assert window.welcome.recovery.isHidden()              # the workspace shows; nothing offered there
    assert window.recovery_banner.isHidden()               # a kept key: no warning
    window.actions_by_name["recovery"].trigger()
    dialog = window.findChild(RecoveryKeyDialog)
    qtbot.waitUntil(dialog.isVisible)
    shown = dialog.panel.key_label.text()
    assert not dialog.replaces.isHidden() and "replaces it" in dialog.replaces.text()
    dialog.panel.confirm.setChecked(True)
    dialog.panel.done_button.click()
    assert not dialog.isVisible() and dialog.panel.key_label.text() == ""
    assert recovery.key_from_recovery_key(store.home, shown)
    with pytest.raises(recovery.WrongRecoveryKey):
        recovery.key_from_recovery_key(store.home, old.text)
    window.session.lock()
    assert not window.actions_by_name["recovery"].isEnabled()


def test_locking_closes_the_new_recovery_key_dialog_unsaved(qtbot, store):
    old = store.new_recovery_key()
    store.keep_recovery_key(old)
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.actions_by_name["recovery"].trigger()
    dialog = window.findChild(RecoveryKeyDialog)
    qtbot.waitUntil(dialog.isVisible)
    window.lock()
    assert not dialog.isVisible() and dialog.panel.key_label.text() == ""
    assert recovery.key_from_recovery_key(store.home, old.text)   # the kept key still works
