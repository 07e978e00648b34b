"""The settings dialog and the model manager over the test's data dir (pytest-qt, offscreen).

The model manager uses the real registry: the shipped default model, a file
of random bytes named .gguf, and a tiny valid GGUF written by ``test_gguf``.
"""

import json
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent, QGuiApplication  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QMessageBox, QProgressBar, QTableView,
)

from app.llm.catalog import load_catalog, user_models_dir  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.llm.gguf import BadModelFile, inspect_model  # noqa: E402
from app.settings import Settings, load_settings  # noqa: E402
from test_gguf import tiny_model  # noqa: E402
from ui import model_manager  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.model_manager import ModelManagerDialog  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.settings_dialog import SettingsDialog  # noqa: E402

UI = Path(__file__).resolve().parents[1] / "ui"
MY_MODULES = ("model_bridge.py", "assistant.py", "settings_dialog.py", "model_manager.py")
DEFAULT_NAME = load_catalog()[0].name
WAIT = 10_000


@pytest.fixture
def session(store):
    return Session(store)


@pytest.fixture
def loaded_bridge(qtbot):
    engine = FakeEngine()
    bridge = ModelBridge(engine_factory=lambda: engine)
    with qtbot.waitSignal(bridge.sig_state_changed, check_params_cb=lambda s, _d: s == "ready",
                          timeout=WAIT):
        bridge.load()
    yield bridge
    bridge.shutdown()


@pytest.fixture
def settings_dialog(qtbot, session, loaded_bridge):
    dialog = SettingsDialog(session, loaded_bridge)
    qtbot.addWidget(dialog)
    return dialog


def _accessible_controls(widget):
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QProgressBar, QTableView)
    # Qt's own parts (a spin box's line edit, a table's corner button) are named "qt_…".
    return [c for kind in kinds for c in widget.findChildren(kind)
            if not c.objectName().startswith("qt_")]


# --- settings -------------------------------------------------------------------

def test_settings_show_the_data_location_and_the_saved_values(settings_dialog, data_home):
    dialog = settings_dialog
    assert dialog.location_edit.text() == str(data_home) and dialog.location_edit.isReadOnly()
    assert dialog.model_combo.currentText() == f"Default ({DEFAULT_NAME})"
    assert dialog.threads_spin.text().startswith("Automatic (")
    assert (dialog.context_spin.value(), dialog.idle_spin.value()) == (8192, 10)
    assert dialog.save_button.isEnabled() and not dialog.error.isVisible()


def test_copy_path_puts_the_data_location_on_the_clipboard(settings_dialog, data_home):
    settings_dialog.copy_location_button.click()
    assert QGuiApplication.clipboard().text() == str(data_home)


def test_a_bad_value_is_explained_inline_and_blocks_save(qtbot, settings_dialog):
    dialog = settings_dialog
    dialog.show()
    dialog.context_spin.setValue(100)
    assert dialog.error.isVisible() and not dialog.save_button.isEnabled()
    assert "from 512 to 131072, got 100" in dialog.error.text.text()
    dialog.context_spin.setValue(4096)
    assert not dialog.error.isVisible() and dialog.save_button.isEnabled()


def test_save_writes_settings_and_reloads_the_model_when_it_changed(
        qtbot, settings_dialog, data_home, session):
    dialog, bridge = settings_dialog, settings_dialog._bridge
    dialog.threads_spin.setValue(1)
    dialog.context_spin.setValue(4096)
    changes = []
    session.sig_changed.connect(changes.append)
    with qtbot.waitSignal(bridge.sig_state_changed,
                          check_params_cb=lambda s, _d: s == "not loaded", timeout=WAIT):
        dialog.save_button.click()
    assert load_settings(data_home) == Settings(threads=1, context_cap=4096)
    assert dialog.result() == dialog.DialogCode.Accepted and changes == [Notice(Change.SETTINGS)]


def test_changing_only_the_idle_lock_keeps_the_model_loaded(qtbot, settings_dialog, data_home):
    dialog, bridge = settings_dialog, settings_dialog._bridge
    dialog.idle_spin.setValue(0)
    assert dialog.idle_spin.text() == "Never"
    with qtbot.waitSignal(dialog.sig_saved, timeout=WAIT):
        dialog.save_button.click()
    assert load_settings(data_home).idle_lock_minutes == 0
    assert bridge.state == "ready"


def test_a_damaged_settings_file_is_shown_and_replaced_on_save(qtbot, session, loaded_bridge,
                                                               data_home):
    (data_home / "settings.json").write_text(json.dumps({"threads": -4}))
    dialog = SettingsDialog(session, loaded_bridge)
    qtbot.addWidget(dialog)
    assert "settings.json: threads must be" in dialog.error.text.text()
    dialog.save_button.click()
    assert load_settings(data_home) == Settings()


def test_a_model_that_is_no_longer_installed_is_named(qtbot, session, loaded_bridge, data_home):
    (data_home / "settings.json").write_text(json.dumps({"model": "gone-7b"}))
    dialog = SettingsDialog(session, loaded_bridge)
    qtbot.addWidget(dialog)
    assert dialog.model_combo.currentText() == "gone-7b (not installed)"
    assert "No installed model is called 'gone-7b'" in dialog.error.text.text()
    dialog.model_combo.setCurrentIndex(0)
    assert dialog.save_button.isEnabled()


def test_locking_closes_the_settings(qtbot, settings_dialog, session):
    settings_dialog.show()
    session.lock()
    assert not settings_dialog.isVisible()


def test_every_settings_control_has_an_accessible_name(settings_dialog):
    controls = _accessible_controls(settings_dialog)
    assert len(controls) >= 8 and all(c.accessibleName() for c in controls)


def test_no_colour_is_hard_coded_so_the_system_theme_applies():
    colour = re.compile(r"#[0-9a-fA-F]{3,8}\b|\bQColor\(|setStyleSheet|\bcolor\s*:", re.I)
    offenders = [name for name in MY_MODULES if colour.search((UI / name).read_text())]
    assert offenders == []


# --- the model manager ------------------------------------------------------------

@pytest.fixture
def manager(qtbot, session):
    dialog = ModelManagerDialog(session)
    qtbot.addWidget(dialog)
    return dialog


def _added(tmp_path) -> Path:
    (tmp_path / "incoming").mkdir()
    return tiny_model(tmp_path / "incoming" / "tiny-llama.F32.gguf", extra_rows=2500)


def _names(dialog) -> list[str]:
    return [row.name for row in dialog.table_model.rows()]


def _wait_idle(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)


def test_the_default_model_is_listed_with_its_details(manager):
    row = manager.table_model.rows()[0]
    model = manager.table_model
    shown = [model.index(0, column).data() for column in range(model.columnCount())]
    assert row.name == DEFAULT_NAME and row.is_default and not row.removable
    assert shown == [DEFAULT_NAME, "98.4 MB", "Q4_1", "8,192", "300 MB", "verified by size",
                     "7 % of 30", "default"]
    assert model.headerData(4, Qt.Orientation.Horizontal) == "RAM needed"


def test_verify_hashes_runs_off_the_ui_thread_and_reports_sha256(qtbot, manager):
    with qtbot.waitSignal(manager.table_model.modelReset, timeout=WAIT):
        manager.verify_button.click()
        assert manager.busy and not manager.add_button.isEnabled()
    assert manager.table_model.rows()[0].hash_status == "sha256 ok"
    assert manager.status_label.text() == "Every model matches its sha256."
    assert manager.progress_bar.value() == 100


def test_a_bad_file_is_refused_with_the_readers_message_and_nothing_is_left(
        qtbot, manager, tmp_path, data_home):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(BadModelFile) as refused:
        inspect_model(bad)
    assert manager.add_file(bad)
    _wait_idle(qtbot, manager)
    assert manager.error.text.text() == str(refused.value)
    assert manager.error.isVisibleTo(manager)
    folder = user_models_dir(data_home)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert _names(manager) == [DEFAULT_NAME]


def test_a_dropped_model_is_added_with_progress_then_removed(qtbot, manager, tmp_path,
                                                             data_home, monkeypatch):
    progress = []
    manager.progress_bar.valueChanged.connect(progress.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_added(tmp_path)))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(manager.sig_models_changed, timeout=WAIT):
        manager.dropEvent(drop)
    assert progress[-1] == 100 and len(progress) >= 3
    assert _names(manager) == [DEFAULT_NAME, "tiny-llama.F32"]
    assert (user_models_dir(data_home) / "tiny-llama.F32.gguf").is_file()
    assert manager.selected_row().name == "tiny-llama.F32" and manager.remove_button.isEnabled()

    asked = []
    monkeypatch.setattr(model_manager.QMessageBox, "question",
                        lambda _parent, _title, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(manager.sig_models_changed, timeout=WAIT):
        manager.remove_button.click()
    assert "Remove tiny-llama.F32?" in asked[0]
    assert _names(manager) == [DEFAULT_NAME]
    assert not (user_models_dir(data_home) / "tiny-llama.F32.gguf").exists()


def test_removal_can_be_cancelled(qtbot, manager, tmp_path, monkeypatch):
    with qtbot.waitSignal(manager.sig_models_changed, timeout=WAIT):
        manager.add_file(_added(tmp_path))
    monkeypatch.setattr(model_manager.QMessageBox, "question",
                        lambda *_a: QMessageBox.StandardButton.No)
    manager.remove_button.click()
    assert not manager.busy and "tiny-llama.F32" in _names(manager)


def test_the_default_model_cannot_be_removed(manager):
    manager.select_model(DEFAULT_NAME)
    assert not manager.remove_button.isEnabled()


def test_every_model_manager_control_has_an_accessible_name(manager):
    controls = _accessible_controls(manager)
    assert len(controls) >= 5 and all(c.accessibleName() for c in controls)


def test_check_this_model_measures_it_off_the_ui_thread_and_shows_how_often_it_passes(
        qtbot, session, monkeypatch):
    from app.reviews.model_fit import Fit
    from ui import model_manager

    def quick_check(model, *, home, on_sentence=None, limit=30):
        on_sentence(1, 1)
        return Fit(model.name, model.sha256, 30, 2, 51.6, 428.0, "2026-12-07T04:10:40+00:00")
    monkeypatch.setattr(model_manager, "check_model", quick_check)
    dialog = model_manager.ModelManagerDialog(session)
    qtbot.addWidget(dialog)
    assert model_manager.COLUMNS[6] == "Passes checks"
    assert not dialog.check_button.isEnabled()          # nothing selected yet
    dialog.table.selectRow(0)
    assert dialog.check_button.isEnabled()
    assert dialog.table_model.rows()[0].fit.endswith("% of 30")  # the catalog's measured fit
    with qtbot.waitSignal(dialog.table_model.modelReset, timeout=10000):
        dialog.check_button.click()
    assert "2 of 30 sentences passed the checks (7 %)" in dialog.status_label.text()
    assert "rarely pass the checks: drafts will use Trellis's own sentences" in dialog.status_label.text()
