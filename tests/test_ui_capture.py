"""Quick capture from the keyboard, and typed text that survives a crash (pytest-qt, offscreen)."""

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

import shiboken6  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.services.autosave import Autosaves  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import PASSPHRASE  # noqa: E402
from ui import capture  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.capture import QuickCaptureDialog, offer_unsaved  # noqa: E402
from ui.session import Session  # noqa: E402


def key_target() -> QWidget:
    """Where a real key press would land: an open completer popup, else the focus widget."""
    return QApplication.activePopupWidget() or QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(key_target(), key, modifier)


def type_text(qtbot, text: str) -> None:
    for char in text:
        qtbot.keyClicks(key_target(), char)


def pending_capture(store) -> list:
    return [u for u in Autosaves(store).pending() if u.slot == capture.AUTOSAVE_SLOT]


@pytest.fixture
def open_dialog(qtbot, session):
    """Make, show and activate a capture dialog; keyword arguments go to the dialog."""
    def make(**kwargs) -> QuickCaptureDialog:
        dialog = QuickCaptureDialog(session, **kwargs)
        qtbot.addWidget(dialog)
        with qtbot.waitActive(dialog):
            dialog.show()
            dialog.activateWindow()
        return dialog
    return make


@pytest.fixture
def fast_autosave(monkeypatch):
    monkeypatch.setattr(capture, "AUTOSAVE_INTERVAL_MS", 10)


def test_keyboard_only_capture_saves_the_note(qtbot, open_dialog, session):
    dialog = open_dialog()
    assert QApplication.focusWidget() is dialog.person_box
    type_text(qtbot, "WEI")                   # part of the name, any case
    press(qtbot, Qt.Key.Key_Tab)
    assert dialog.person_box.currentText() == "Li Wei"
    press(qtbot, Qt.Key.Key_Down)             # kind: observation → praise
    press(qtbot, Qt.Key.Key_Tab)              # → date (today)
    press(qtbot, Qt.Key.Key_Tab)              # → competencies
    press(qtbot, Qt.Key.Key_Space)            # tick the first one
    press(qtbot, Qt.Key.Key_Tab)              # → text
    type_text(qtbot, "Shipped the dashboard")
    with qtbot.waitSignal(dialog.sig_saved) as saved, qtbot.waitSignal(session.sig_changed) as changed:
        press(qtbot, Qt.Key.Key_Return)
    note = session.store.notes.get(saved.args[0])
    assert (note.person_id, note.kind, note.text) == ("p-li", "praise", "Shipped the dashboard")
    assert note.date == dt.date.today().isoformat()
    assert note.competencies == ("c-delivery",)
    assert changed.args == [Notice(Change.NOTES, "p-li")] and not dialog.isVisible()


def test_picking_from_the_type_ahead_list_matches_anywhere_in_the_name(qtbot, open_dialog):
    dialog = open_dialog()
    type_text(qtbot, "ruiz")
    assert QApplication.activePopupWidget() is dialog.person_box.completer().popup()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.person_box.currentText() == "Ana Ruiz" and dialog.person_id() == "p-ana"


def test_escape_cancels_and_saves_nothing(qtbot, open_dialog, session):
    dialog = open_dialog(person_id="p-ana")
    assert QApplication.focusWidget() is dialog.text_edit
    type_text(qtbot, "Not worth keeping")
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert session.store.notes.all_live() == []


def test_empty_text_is_refused_with_a_visible_reason(qtbot, open_dialog, session):
    dialog = open_dialog(person_id="p-ana")
    type_text(qtbot, "   ")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.problem_label.isVisible()
    assert "Type the note" in dialog.problem_label.text()
    assert session.store.notes.all_live() == []


def test_no_person_is_refused_with_a_visible_reason(qtbot, open_dialog, session):
    dialog = open_dialog()
    dialog.text_edit.setFocus()
    type_text(qtbot, "Who was this about?")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.problem_label.isVisible() and "Choose who" in dialog.problem_label.text()
    assert QApplication.focusWidget() is dialog.person_box
    type_text(qtbot, "zed")
    dialog.on_save()
    assert "No one on the team matches “zed”" in dialog.problem_label.text()
    assert session.store.notes.all_live() == []


def test_a_name_fragment_that_fits_two_people_is_refused(qtbot, open_dialog, session):
    dialog = open_dialog()
    type_text(qtbot, "i")                     # in "Ana Ruiz" and "Li Wei"
    dialog.text_edit.setPlainText("About whom?")
    dialog.on_save()
    assert "matches Ana Ruiz, Li Wei: type more" in dialog.problem_label.text()
    assert session.store.notes.all_live() == []


def test_shift_enter_starts_a_new_line(qtbot, open_dialog, session):
    dialog = open_dialog(person_id="p-ana")
    type_text(qtbot, "First line")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, "second line")
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_saved) as saved:
        press(qtbot, Qt.Key.Key_Enter)
    assert session.store.notes.get(saved.args[0]).text == "First line\nsecond line"


def test_autosave_keeps_text_and_context_and_saving_discards_it(qtbot, fast_autosave,
                                                                open_dialog, session):
    dialog = open_dialog(person_id="p-ana")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("concern"))
    type_text(qtbot, "Missed the handover")
    qtbot.waitUntil(lambda: [u.text for u in pending_capture(session.store)] == ["Missed the handover"])
    context = pending_capture(session.store)[0].context
    assert context == {"person_id": "p-ana", "kind": "concern",
                       "date": dt.date.today().isoformat(), "competencies": []}
    with qtbot.waitSignal(dialog.sig_saved):
        press(qtbot, Qt.Key.Key_Return)
    assert pending_capture(session.store) == []


def test_cancelling_discards_the_autosave(qtbot, fast_autosave, open_dialog, session):
    dialog = open_dialog(person_id="p-ana")
    type_text(qtbot, "Half a thought")
    qtbot.waitUntil(lambda: pending_capture(session.store) != [])
    press(qtbot, Qt.Key.Key_Escape)
    assert pending_capture(session.store) == [] and not dialog.isVisible()


@pytest.fixture
def reopened(data_home):
    """Opens the store from disk a second time, as the next start after a crash would."""
    opened = []

    def reopen() -> Store:
        opened.append(Store.open(data_home, passphrase=PASSPHRASE))
        return opened[-1]
    yield reopen
    for store in opened:
        store.close()


def test_text_survives_a_crash_and_is_offered_back(qtbot, fast_autosave, session, reopened):
    dialog = QuickCaptureDialog(session)
    dialog.person_box.setEditText("Li Wei")
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(-2))
    dialog.text_edit.setPlainText("Rescued the release\nat midnight")
    qtbot.waitUntil(lambda: pending_capture(session.store) != [])
    shiboken6.delete(dialog)                  # gone without save or cancel, like a crash
    asked = []
    restart = Session(reopened())
    restored = offer_unsaved(restart, ask=lambda _parent, unsaved: asked.append(unsaved) or True)
    qtbot.addWidget(restored)
    assert [u.text for u in asked] == ["Rescued the release\nat midnight"]
    assert restored.isVisible() and restored.text() == "Rescued the release\nat midnight"
    assert restored.person_id() == "p-li"
    assert restored.date_iso() == (dt.date.today() - dt.timedelta(days=2)).isoformat()
    with qtbot.waitSignal(restored.sig_saved) as saved:
        restored.on_save()
    assert restart.store.notes.get(saved.args[0]).text == "Rescued the release\nat midnight"
    assert pending_capture(restart.store) == []


def test_discarding_the_offer_forgets_the_text(session):
    Autosaves(session.store).keep(capture.AUTOSAVE_SLOT, "Old draft", {"person_id": "p-ana"})
    assert offer_unsaved(session, ask=lambda *_: False) is None
    assert pending_capture(session.store) == []


def test_nothing_pending_asks_nothing(session):
    assert offer_unsaved(session, ask=lambda *_: pytest.fail("asked with nothing to offer")) is None


def test_locking_keeps_the_text_for_later_and_empties_the_dialog(qtbot, open_dialog, session):
    store = session.store
    dialog = open_dialog(person_id="p-ana")
    type_text(qtbot, "Typed just before the lock")
    session.lock()
    assert not dialog.isVisible()
    assert dialog.text() == "" and dialog.person_box.count() == 0
    reopened = Store.open(store.home, passphrase=PASSPHRASE)
    try:
        assert [u.text for u in pending_capture(reopened)] == ["Typed just before the lock"]
    finally:
        reopened.close()


def test_tab_order_follows_the_layout(qtbot, open_dialog):
    dialog = open_dialog()
    seen = [QApplication.focusWidget()]
    for _ in range(5):
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [dialog.person_box, dialog.kind_box, dialog.date_edit,
                    dialog.competency_list, dialog.text_edit, dialog.save_button]


def test_every_control_has_an_accessible_name(open_dialog):
    dialog = open_dialog()
    controls = [dialog.person_box, dialog.kind_box, dialog.date_edit, dialog.competency_list,
                dialog.text_edit, dialog.save_button, dialog.problem_label,
                *dialog.buttons.buttons()]
    assert all(control.accessibleName() for control in controls)
    assert [dialog.kind_box.itemText(i) for i in range(3)] == ["Observation", "Praise", "Concern"]
