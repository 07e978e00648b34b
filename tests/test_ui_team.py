"""Team panel, person dialog, lock page and idle watcher over a real store."""

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from app.domain.dates import near_date  # noqa: E402
from app.services.cadence import set_cadence  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.idle import IdleWatcher  # noqa: E402
from ui.lock_page import LockPage  # noqa: E402
from ui.person_dialog import PersonDialog  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.team_panel import ChipRole, RowRole, TeamPanel, WarningRole  # noqa: E402


@pytest.fixture
def session(team, qtbot):
    store, ana, li = team
    store.notes.add(person_id=ana.id, text="Led the review", date="2026-11-20")
    store.meetings.add(person_id=ana.id, date="2026-11-18")
    store.actions.add(person_id=ana.id, text="Send the doc", owner="report", due="2026-01-01")
    return Session(store)


@pytest.fixture
def panel(session, qtbot):
    widget = TeamPanel(session)
    qtbot.addWidget(widget)
    widget.refresh()
    return widget


def _names(panel):
    return [panel.model.index(r).data(RowRole).person.name for r in range(panel.model.rowCount())]


def test_each_person_shows_last_one_on_one_note_age_and_open_actions(panel):
    text = panel.model.index(0).data()
    assert text.startswith(f"Ana Ruiz, last 1:1 {near_date('2026-11-18')}")  # "18 Nov", with the year
    # once it is not this year's
    assert "1 open, 1 overdue" in text
    assert "no 1:1 yet" in panel.model.index(1).data()


def test_overdue_one_on_one_and_actions_are_marked_and_described(panel, session):
    store = session.store
    li = store.people.get(_row_of(panel, "Li Wei").person.id)
    set_cadence(store, li.id, "weekly", next_date=(dt.date.today() - dt.timedelta(days=5)).isoformat())
    store.actions.add(person_id=li.id, text="Book the room", owner="manager", due="2026-01-02")
    store.actions.add(person_id=li.id, text="Share slides", owner="manager", due="2026-01-03")
    assert _index_of(panel, "Li Wei").data(WarningRole) == ""
    session.changed(Change.PEOPLE)  # the cadence is set by `trellis cadence`
    li_row = _index_of(panel, "Li Wei")
    assert li_row.data(WarningRole) == "1:1 overdue by 5 days · 2 overdue actions"
    assert li_row.data(Qt.ItemDataRole.AccessibleDescriptionRole) == li_row.data(WarningRole)
    assert li_row.data(ChipRole) == "1:1 overdue 5d · 2 actions"         # fits beside the name
    assert _index_of(panel, "Ana Ruiz").data(WarningRole) == "1 overdue action"
    assert _index_of(panel, "Ana Ruiz").data(ChipRole) == "1 overdue action"
    store.actions.set_done(store.actions.for_person(li.id)[0].id)
    session.changed(Change.ACTIONS)
    assert _index_of(panel, "Li Wei").data(WarningRole) == "1:1 overdue by 5 days · 1 overdue action"
    panel.view.grab()  # the chip paints without error


def test_nothing_overdue_is_said_so(panel, session):
    ana = _row_of(panel, "Ana Ruiz").person
    session.store.actions.set_done(session.store.actions.for_person(ana.id)[0].id)
    session.changed(Change.ACTIONS)
    index = _index_of(panel, "Ana Ruiz")
    assert index.data(WarningRole) == ""
    assert index.data(Qt.ItemDataRole.AccessibleDescriptionRole) == "Nothing overdue"


def _index_of(panel, name):
    return panel.model.index(_names(panel).index(name))


def _row_of(panel, name):
    return _index_of(panel, name).data(RowRole)


def test_add_a_person_with_the_dialog(panel, session, qtbot):
    dialog = PersonDialog(session.store, parent=panel)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Zoe Park")
    qtbot.keyClicks(dialog.role, "Designer")
    dialog.on_save()
    assert dialog.result() == dialog.DialogCode.Accepted
    session.changed(Change.PEOPLE)
    assert _names(panel) == ["Ana Ruiz", "Li Wei", "Zoe Park"]


def test_changing_the_start_date_ticks_known_so_the_date_is_saved(panel, session, qtbot):
    dialog = PersonDialog(session.store, parent=panel)
    qtbot.addWidget(dialog)
    assert "saved only when \u201cKnown\u201d is ticked" in dialog.start_hint.text()
    qtbot.keyClicks(dialog.name, "Zoe Park")
    assert not dialog.has_start.isChecked()
    dialog.start.setFocus()
    qtbot.keyClick(dialog.start, Qt.Key.Key_Home)          # the year, at the start of yyyy-MM-dd
    qtbot.keyClick(dialog.start, Qt.Key.Key_Down)          # one year earlier
    assert dialog.has_start.isChecked()
    typed = dialog.start.date().toString("yyyy-MM-dd")
    dialog.on_save()
    assert dialog.saved_person.start_date == typed
    assert session.store.people.get(dialog.saved_person.id).start_date == typed


def test_a_person_needs_a_name(panel, session, qtbot):
    dialog = PersonDialog(session.store, parent=panel)
    qtbot.addWidget(dialog)
    dialog.on_save()
    assert "needs a name" in dialog.error.text()
    assert len(session.store.people.list()) == 2


def test_archived_people_are_hidden_until_asked_for(panel, session):
    panel.view.setCurrentIndex(panel.model.index(1))
    panel.archive_button.click()
    assert _names(panel) == ["Ana Ruiz"]
    panel.show_archived.setChecked(True)
    assert _names(panel) == ["Ana Ruiz", "Li Wei"]
    panel.select("p-li")
    assert panel.archive_button.text() == "Restore"


def test_locking_empties_the_team_list(panel, session):
    session.lock()
    assert panel.model.rowCount() == 0
    assert not panel.add_button.isEnabled()


def test_selecting_emits_the_person(panel, qtbot):
    with qtbot.waitSignal(panel.sig_person_selected) as blocker:
        panel.view.setCurrentIndex(panel.model.index(1))
    assert blocker.args == ["p-li"]


def test_lock_page_wrong_then_right_passphrase(data_home, qtbot, monkeypatch):
    Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert not page.repeat.isVisibleTo(page)
    qtbot.keyClicks(page.passphrase, "wrong guess")
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert page.busy and page.title.text() == "Opening your notes…"  # derived off the GUI thread
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    assert "not right" in page.error.text()
    page.passphrase.setText(PASSPHRASE)  # keyClicks types ASCII only
    with qtbot.waitSignal(page.sig_store_opened) as opened:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    opened.args[0].close()
    assert page.passphrase.text() == ""


def test_lock_page_first_passphrase_must_match(data_home, qtbot, monkeypatch):
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    page = LockPage()
    qtbot.addWidget(page)
    page.prepare()
    assert page.repeat.isVisibleTo(page)
    qtbot.keyClicks(page.passphrase, "a long passphrase")
    qtbot.keyClicks(page.repeat, "a long passphrasE")
    page.on_unlock()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)  # the key is derived off the GUI thread
    assert "differ" in page.error.text()
    assert not (data_home / "key.json").exists()


def test_idle_watcher_fires_after_no_input(qtbot, qapp):
    watcher = IdleWatcher(qapp, minutes=0)
    watcher.set_interval_ms(50)
    with qtbot.waitSignal(watcher.sig_idle, timeout=2000):
        pass
    watcher.set_minutes(0)


def test_dates_in_the_window_say_the_year_only_when_it_is_not_this_years():
    assert near_date("2026-11-18", today="2026-12-07") == "18 Nov"
    assert near_date("2025-07-08", today="2026-12-07") == "8 Jul 2025"
    assert near_date(None) == ""
