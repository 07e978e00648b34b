"""The window under a managed policy: locked controls say "Set by your organisation" (pytest-qt)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app import policy as policies  # noqa: E402
from app.llm.catalog import load_catalog  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.settings import Settings, load_settings, save_settings  # noqa: E402
from app.store import Store, keys  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402
from test_gguf import tiny_model  # noqa: E402
from ui.draft_view import DraftBar  # noqa: E402
from ui.idle import IdleWatcher  # noqa: E402
from ui.lock_page import LockPage, open_without_asking  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.model_manager import ModelManagerDialog  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.settings_dialog import SettingsDialog  # noqa: E402
from ui.welcome import WelcomePage  # noqa: E402

LOCKED = "Set by your organisation"
DEFAULT_SHA = load_catalog()[0].sha256


def use(monkeypatch, **values):
    policy = policies.policy_from_mapping(values, "/etc/trellis/policy.json")
    monkeypatch.setattr(policies, "current_policy", lambda: policy)
    return policy


@pytest.fixture
def bridge():
    engine = FakeEngine()
    bridge = ModelBridge(engine_factory=lambda: engine)
    yield bridge
    bridge.shutdown()


def test_settings_show_locked_values_disabled_and_never_save_them(qtbot, monkeypatch, store, bridge,
                                                                  data_home, tmp_path):
    from app.llm.registry import add_model
    tiny = add_model(tiny_model(tmp_path / "tiny.F32.gguf"), home=data_home)
    save_settings(Settings(idle_lock_minutes=30), data_home)
    use(monkeypatch, IdleLockMinutes=3, MaxThreads=2, AllowedModels=[DEFAULT_SHA], DataDir=str(data_home))
    dialog = SettingsDialog(Session(store), bridge)
    qtbot.addWidget(dialog)
    assert (dialog.idle_spin.value(), dialog.idle_spin.isEnabled()) == (3, False)
    assert dialog.idle_spin.toolTip() == f"{LOCKED} (IdleLockMinutes in /etc/trellis/policy.json)"
    assert dialog.locked_labels["IdleLockMinutes"].text() == LOCKED
    assert dialog.locked_labels["DataDir"].text() == LOCKED
    assert dialog.threads_spin.maximum() == 2 and dialog.threads_spin.isEnabled()
    assert dialog.locked_labels["MaxThreads"].text() == f"At most 2. {LOCKED}"
    names = [dialog.model_combo.itemData(i) for i in range(dialog.model_combo.count())]
    assert names == [None] and tiny.name not in names          # only allowed models are offered
    dialog.threads_spin.setValue(2)
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    saved = load_settings(data_home)
    assert (saved.threads, saved.idle_lock_minutes) == (2, 30)  # the user's own idle value is kept


def test_a_chosen_model_that_is_not_allowed_blocks_save_with_the_reason(qtbot, monkeypatch, store,
                                                                        bridge, data_home, tmp_path):
    from app.llm.registry import add_model
    tiny = add_model(tiny_model(tmp_path / "tiny.F32.gguf"), home=data_home)
    save_settings(Settings(model=tiny.name), data_home)
    use(monkeypatch, AllowedModels=[DEFAULT_SHA])
    dialog = SettingsDialog(Session(store), bridge)
    qtbot.addWidget(dialog)
    assert dialog.model_combo.currentText() == f"{tiny.name} (not allowed)"
    assert not dialog.save_button.isEnabled()
    assert "is not allowed by your organisation" in dialog.error.text.text()
    dialog.model_combo.setCurrentIndex(0)
    assert dialog.save_button.isEnabled()


def test_model_import_is_disabled_with_the_reason(qtbot, monkeypatch, store, tmp_path):
    use(monkeypatch, DisableModelImport=True)
    dialog = ModelManagerDialog(Session(store))
    qtbot.addWidget(dialog)
    assert not dialog.add_button.isEnabled()
    assert dialog.add_button.toolTip() == f"{LOCKED} (DisableModelImport in /etc/trellis/policy.json)"
    assert dialog.status_label.text().startswith(f"Adding models is turned off. {LOCKED}")
    assert dialog.add_file(tiny_model(tmp_path / "tiny.F32.gguf")) is False and not dialog.busy
    assert dialog.verify_button.isEnabled()


def test_draft_export_is_disabled_but_copy_stays(qtbot, monkeypatch):
    bar = DraftBar()
    qtbot.addWidget(bar)
    assert all(action.isEnabled() for action in bar.export_actions.values())
    use(monkeypatch, DisableExport=True)
    locked = DraftBar()
    qtbot.addWidget(locked)
    assert not any(action.isEnabled() for action in locked.export_actions.values())
    assert locked.copy_action.isEnabled()
    assert LOCKED in locked.export_button.toolTip() and "DisableExport" in locked.export_button.toolTip()
    assert locked.export_locked_note.text() == f"{LOCKED}: export is turned off"
    emitted = []
    locked.sig_export.connect(emitted.append)
    locked.export_actions[".md"].trigger()
    assert emitted == []


def test_idle_lock_uses_the_policys_minutes(qtbot, monkeypatch):
    watcher = IdleWatcher(QApplication.instance(), 10)
    assert watcher.minutes == 10
    use(monkeypatch, IdleLockMinutes=0)
    watcher.set_minutes(10)
    assert watcher.minutes == 0 and not watcher._timer.isActive()
    use(monkeypatch, IdleLockMinutes=2)
    watcher.set_minutes(0)
    assert watcher.minutes == 2 and watcher._timer.interval() == 120_000


def test_a_new_set_up_must_choose_a_passphrase(qtbot, monkeypatch, data_home):
    use(monkeypatch, RequirePassphrase=True)
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert page.title.text() == "Choose a passphrase" and not page.repeat.isHidden()
    assert page.explain.text().startswith("Your organisation requires a passphrase (RequirePassphrase in")


def test_a_keychain_only_key_is_wrapped_by_a_new_passphrase_on_unlock(qtbot, monkeypatch, data_home):
    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        key = store._key
    record = {"version": 1, "mode": "keychain", "account": "data-key-test"}
    keys.write_key_record(data_home, record)
    monkeypatch.setattr(keys, "_load_from_keychain", lambda rec: key)
    use(monkeypatch, RequirePassphrase=True)
    assert open_without_asking() is None
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert page.title.text() == "Choose a passphrase" and "kept only in the system keychain" in page.explain.text()
    page.passphrase.setText("short"), page.repeat.setText("short")
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert "at least 8 characters" in page.error.text() and keys.key_mode(data_home) == "keychain"
    page.passphrase.setText("a new long passphrase"), page.repeat.setText("a new long passphrase")
    with qtbot.waitSignal(page.sig_store_opened) as opened:
        page.on_unlock()
        qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    with opened.args[0] as store:
        assert store.people.get("p-ana").name == "Ana Ruiz" and store.key_mode == "passphrase"
    with Store.open(data_home, passphrase="a new long passphrase") as store:
        assert store.people.get("p-ana").name == "Ana Ruiz"


def test_the_welcome_page_says_which_settings_are_managed(qtbot, monkeypatch):
    plain = WelcomePage()
    qtbot.addWidget(plain)
    assert plain.managed_note.isHidden()
    use(monkeypatch, DisableExport=True, MaxThreads=2)
    managed = WelcomePage()
    qtbot.addWidget(managed)
    assert not managed.managed_note.isHidden()
    assert managed.managed_note.text() == ("Your organisation manages some settings on this computer "
                                           f"(DisableExport, MaxThreads); they show as \u201c{LOCKED}\u201d.")
