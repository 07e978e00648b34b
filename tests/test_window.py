"""The whole window over real services: first run, sample team, keyboard flows, lock."""

import os
import shutil
import subprocess
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.services.autosave import Autosaves  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE, REPO  # noqa: E402
from ui.capture import QuickCaptureDialog  # noqa: E402
from ui.chips import NoteRole  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.team_panel import RowRole  # noqa: E402
from ui.window import LOCK, WELCOME, WORKSPACE, MainWindow  # noqa: E402


@pytest.fixture
def make_window(qtbot, data_home):
    made = []

    def make(store=None, ask_unsaved=lambda *_: False):
        store = store or Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
        session = Session(store)
        bridge = ModelBridge(engine_factory=lambda: FakeEngine(pause=0.005))
        window = MainWindow(session, bridge=bridge, ask_unsaved=ask_unsaved)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.bridge.shutdown()
        window.session.lock()


def team_names(window):
    model = window.team.model
    return [model.index(r).data(RowRole).person.name for r in range(model.rowCount())]


def test_empty_data_dir_starts_on_the_welcome_page(make_window):
    window = make_window()
    assert window.pages.currentIndex() == WELCOME
    assert window.welcome.add_button.accessibleName() == "Add your first team member"


def keep_the_recovery_key(window) -> None:
    """Tick "I have kept my recovery key" and press Done: the first steps open then."""
    window.welcome.recovery.confirm.setChecked(True)
    window.welcome.recovery.done_button.click()


def test_sample_team_is_labelled_and_removable_in_one_click(make_window):
    window = make_window()
    assert not window.welcome.sample_button.isEnabled()   # the recovery key comes first
    keep_the_recovery_key(window)
    window.welcome.sample_button.click()
    assert window.pages.currentIndex() == WORKSPACE
    assert window.sample_banner.isVisible()
    assert "Amara Okafor" in team_names(window)
    assert window.person.title.text()  # the first person is shown
    window.remove_sample_button.click()
    assert window.pages.currentIndex() == WELCOME
    assert window.session.store.people.list(include_archived=True) == []


def test_capture_a_note_with_the_keyboard_only(make_window, qtbot, team):
    store, ana, _ = team
    window = make_window(store)
    window.team.select(ana.id)
    dialog = window.open_capture()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.person_box.currentText() == "Ana Ruiz"  # the person on screen
    dialog.text_edit.setFocus()
    qtbot.keyClicks(dialog.text_edit, "Walked Li through the on-call runbook")
    with qtbot.waitSignal(dialog.sig_saved, timeout=2000):
        qtbot.keyClick(dialog.text_edit, Qt.Key.Key_Return)
    [note] = store.notes.for_person(ana.id)
    assert note.text == "Walked Li through the on-call runbook"
    assert window.person.timeline.current_note_id() in (None, note.id)


def test_search_and_jump_to_the_note(make_window, qtbot, team):
    store, ana, li = team
    target = store.notes.add(person_id=li.id, text="Ran the chaos drill for payments", date="2026-03-03")
    store.notes.add(person_id=ana.id, text="Reviewed the roadmap", date="2026-03-04")
    window = make_window(store)
    palette = window.open_search()
    qtbot.keyClicks(palette.query_edit, "chaos")
    with qtbot.waitSignal(palette.sig_note_chosen) as chosen:
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Return)
    assert chosen.args == [target.id, li.id]
    assert window.team.current_person_id() == li.id
    assert window.person.timeline.current_note_id() == target.id


def test_new_note_beside_the_timeline_opens_quick_capture_on_that_person(make_window, qtbot, team):
    store, _, li = team
    window = make_window(store)
    window.team.select(li.id)
    assert window.person.timeline.new_note_button.isVisible()
    window.person.timeline.new_note_button.click()
    [dialog] = [d for d in window.findChildren(QuickCaptureDialog) if d.isVisible()]
    assert dialog.person_box.currentText() == "Li Wei"
    dialog.reject()


def test_trash_then_undo_with_the_window_shortcut(make_window, team):
    store, ana, _ = team
    note = store.notes.add(person_id=ana.id, text="Shipped the importer", date="2026-02-02")
    window = make_window(store)
    window.team.select(ana.id)
    assert window.person.timeline.trash_note(note.id)
    assert store.notes.get(note.id).deleted_at is not None
    window.actions_by_name["undo"].trigger()
    assert store.notes.get(note.id).deleted_at is None
    window.actions_by_name["redo"].trigger()
    assert store.notes.get(note.id).deleted_at is not None


def test_lock_empties_every_widget_and_unlock_brings_the_data_back(make_window, qtbot, team, monkeypatch):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, text="Private detail about Ana", date="2026-02-02")
    window = make_window(store)
    window.team.select(ana.id)
    window.actions_by_name["lock"].trigger()
    assert window.pages.currentIndex() == LOCK
    assert window.session.store is None
    assert window.team.model.rowCount() == 0
    assert window.person.timeline.model.rowCount() == 0
    assert window.person.title.text() == ""
    assert not window.actions_by_name["capture"].isEnabled()
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    window.lock_page.passphrase.setText(PASSPHRASE)
    window.lock_page.on_unlock()
    qtbot.waitUntil(lambda: not window.lock_page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert window.pages.currentIndex() == WORKSPACE
    assert "Ana Ruiz" in team_names(window)


def test_idle_time_locks_the_window(make_window, qtbot):
    window = make_window()
    window.idle.set_interval_ms(50)
    qtbot.waitUntil(lambda: window.pages.currentIndex() == LOCK, timeout=3000)


def test_text_left_unsaved_by_a_crash_is_offered_back(make_window, team, qtbot):
    store, ana, _ = team
    Autosaves(store).keep("capture", "Half a thought about Ana", {"person": ana.id, "kind": "praise"})
    offered = []
    window = make_window(store, ask_unsaved=lambda _parent, unsaved: offered.append(unsaved) or True)
    assert offered and offered[0].text == "Half a thought about Ana"
    dialogs = [d for d in window.findChildren(type(window.open_capture())) if d.isVisible()]
    assert any(d.text() == "Half a thought about Ana" for d in dialogs)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed (.ci/run installs it)")
@pytest.mark.parametrize("page", ["team", "person", "search"])
def test_screenshot_of_a_real_window(tmp_path, data_home, page):
    store = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    from app.services.sample import load_sample_team
    load_sample_team(store)
    store.close()
    shot = tmp_path / f"{page}.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, "-m", "ui.main",
                             "--screenshot", str(shot), "--page", page],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)


def test_the_first_run_screenshot_needs_new_data(tmp_path, data_home):
    def shoot():
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        return subprocess.run([sys.executable, "-m", "ui.main", "--screenshot", str(tmp_path / "first.png"),
                               "--page", "first_run"], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=120)
    made = shoot()
    assert made.returncode == 0, made.stderr
    from PySide6.QtGui import QImage
    assert QImage(str(tmp_path / "first.png")).size().toTuple() == (1280, 800)
    with Store.open(data_home, passphrase=PASSPHRASE) as store:
        store.people.add(name="Ana Ruiz")
    refused = shoot()
    assert refused.returncode == 1 and "point TRELLIS_HOME at an empty folder" in refused.stderr


def test_a_note_edit_left_unsaved_is_reopened_with_its_text(make_window, team):
    store, ana, li = team
    note = store.notes.add(person_id=li.id, text="Original text", date="2026-04-04")
    Autosaves(store).keep(f"note:{note.id}", "Original text, plus what I was adding",
                          {"person": li.id, "note": note.id})
    window = make_window(store, ask_unsaved=lambda _parent, _unsaved: True)
    editor = window.person.timeline.delegate.editor
    assert window.team.current_person_id() == li.id
    assert editor is not None and editor.toPlainText() == "Original text, plus what I was adding"
    assert store.notes.get(note.id).text == "Original text"


def _controls(root):
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox,
                                   QLineEdit, QPlainTextEdit, QTabWidget)
    kinds = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
             QPlainTextEdit, QTabWidget)
    return [w for w in root.findChildren(object) if isinstance(w, kinds) and w.isVisibleTo(root)
            and not w.objectName().startswith("qt_")]


def _unnamed(root):
    return [f"{type(w).__name__}({w.text() if hasattr(w, 'text') else ''})"
            for w in _controls(root) if not w.accessibleName()]


def test_every_visible_control_has_an_accessible_name(make_window, qtbot):
    window = make_window()
    assert _unnamed(window) == []                  # welcome page
    keep_the_recovery_key(window)
    window.welcome.sample_button.click()
    assert len(_controls(window)) > 10
    assert _unnamed(window) == []                  # workspace with the sample team
    capture = window.open_capture()
    qtbot.waitUntil(capture.isVisible)
    assert _unnamed(capture) == []
    capture.reject()
    window.lock()
    assert _unnamed(window) == []                  # lock page


def test_tab_order_follows_the_layout_on_the_lock_page(make_window, qtbot):
    window = make_window()
    window.lock()
    page = window.lock_page
    assert page.passphrase.nextInFocusChain() in (page.repeat, page.unlock_button)


# --- Ctrl+L from every window Trellis opens, and back to the same place ----------------------

def unlock_with_the_passphrase(window, qtbot, monkeypatch) -> None:
    monkeypatch.delenv("TRELLIS_PASSPHRASE", raising=False)
    window.lock_page.passphrase.setText(PASSPHRASE)
    window.lock_page.on_unlock()
    qtbot.waitUntil(lambda: not window.lock_page.busy, timeout=10_000)  # the key is derived off the GUI thread


def test_ctrl_l_locks_while_quick_capture_has_focus_and_keeps_the_text(make_window, qtbot, team):
    store, ana, _ = team
    window = make_window(store)
    dialog = window.open_capture()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)   # a window of its own, modal
    dialog.text_edit.setFocus()
    qtbot.keyClicks(dialog.text_edit, "Half a thought")
    qtbot.keyClick(dialog.text_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session.is_locked and window.pages.currentIndex() == LOCK
    assert not dialog.isVisible() and dialog.text_edit.toPlainText() == ""
    with Store.open(store.home, passphrase=PASSPHRASE) as reopened:   # kept for the next unlock
        assert [u.text for u in Autosaves(reopened).pending()] == ["Half a thought"]


def test_ctrl_l_locks_while_the_search_palette_has_focus(make_window, qtbot, team):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, text="Ran the chaos drill", date="2026-03-03")
    window = make_window(store)
    palette = window.open_search()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is palette)  # a window of its own
    qtbot.keyClicks(palette.query_edit, "chaos")
    qtbot.keyClick(palette.query_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session.is_locked
    assert not palette.isVisible() and palette.query_edit.text() == ""


def press_ctrl_l_in_the_dialog_opened_by(open_it, qtbot) -> list:
    """Open a modal dialog with ``open_it`` (it returns when the dialog closes) and press
    Ctrl+L in it; returns the dialogs seen. A dialog still open after 3 s is closed, so a
    lock key that does nothing fails the test instead of hanging it."""
    seen = []

    def in_the_dialog():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        QTimer.singleShot(3000, dialog.reject)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    QTimer.singleShot(0, in_the_dialog)
    open_it()
    return seen


def test_ctrl_l_locks_from_a_persons_details_and_closes_them(make_window, qtbot, team):
    store, ana, _ = team
    window = make_window(store)
    window.team.select(ana.id)
    seen = press_ctrl_l_in_the_dialog_opened_by(window.team.on_edit, qtbot)
    assert type(seen[0]).__name__ == "PersonDialog"
    assert window.session.is_locked and window.pages.currentIndex() == LOCK
    qtbot.waitUntil(lambda: not seen[0].isVisible(), timeout=1000)


def test_unlock_returns_to_the_person_and_tab_the_manager_was_on(make_window, qtbot, team, monkeypatch):
    store, ana, li = team
    window = make_window(store)
    window.team.select(li.id)
    window.person.tabs.setCurrentWidget(window.person.goals_tab)
    window.lock()
    unlock_with_the_passphrase(window, qtbot, monkeypatch)
    assert window.pages.currentIndex() == WORKSPACE
    assert window.team.current_person_id() == li.id and window.person.person_id == li.id
    assert window.person.tabs.currentWidget() is window.person.goals_tab
    assert window.person.title.text() == "Li Wei"


def test_unlock_returns_to_the_same_place_in_a_long_timeline(make_window, qtbot, team, monkeypatch):
    store, ana, li = team
    for day in range(1, 61):
        store.notes.add(person_id=li.id, text=f"Note {day} on the migration work", date=f"2026-0{1 + day % 6}-{1 + day % 27:02d}")
    window = make_window(store)
    qtbot.waitExposed(window)
    window.team.select(li.id)
    timeline = window.person.timeline
    last = timeline.model.index(timeline.model.rowCount() - 1)
    qtbot.waitUntil(lambda: timeline.notes_view.visualRect(last).isValid())  # laid out in batches
    chosen = timeline.model.index(40).data(NoteRole)
    timeline.select_note(chosen.id)
    scrolled = timeline.notes_view.verticalScrollBar().value()
    assert scrolled > 0
    window.lock()
    unlock_with_the_passphrase(window, qtbot, monkeypatch)
    assert window.team.current_person_id() == li.id
    assert timeline.current_note_id() == chosen.id
    assert timeline.notes_view.verticalScrollBar().value() == scrolled
