"""The Goals tab over a real store: listing, overdue highlight, details, adding goals and progress."""

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.domain.dates import near_date  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.goals_tab import GoalDialog, GoalRole, GoalsTab, OverdueRole, ProgressDialog  # noqa: E402
from ui.person_page import PersonPage  # noqa: E402
from ui.session import Session  # noqa: E402

TODAY = dt.date.today()
PAST = (TODAY - dt.timedelta(days=10)).isoformat()
FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def goals(team):
    store, ana, li = team
    late = store.goals.add(person_id=ana.id, title="Ship the API", due=PAST, status="at_risk",
                           description="Public API v1 <b>out</b> to partners")
    later = store.goals.add(person_id=ana.id, title="Mentor a junior", due=FUTURE)
    store.goals.add(person_id=ana.id, title="Old migration", due=PAST, status="done")
    store.goals.add(person_id=li.id, title="Li's own goal")
    store.goals.add_update(late.id, "Spec agreed", date="2026-10-01")
    store.goals.add_update(late.id, "Partner slipped", date="2026-10-15", status="at_risk")
    return store, ana, li, late, later


@pytest.fixture
def tab(goals, qtbot):
    store, ana, *_ = goals
    session = Session(store)
    widget = GoalsTab(session)
    qtbot.addWidget(widget)
    widget.set_person(ana.id)
    return widget


def _titles(tab):
    return [tab.model.index(r).data(GoalRole).title for r in range(tab.model.rowCount())]


def test_lists_the_persons_goals_soonest_due_first_with_status_and_overdue(tab):
    assert _titles(tab) == ["Ship the API", "Old migration", "Mentor a junior"]
    rows = [tab.model.index(r) for r in range(3)]
    assert [row.data(OverdueRole) for row in rows] == [True, False, False]
    assert rows[0].data() == f"Ship the API  —  at risk, overdue since {near_date(PAST)}"
    assert rows[1].data() == f"Old migration  —  done, due {near_date(PAST)}"
    assert rows[2].data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"Mentor a junior  —  on track, due {near_date(FUTURE)}")
    assert tab.pages.currentWidget() is tab.view
    tab.resize(700, 400)
    assert not tab.view.grab().isNull()


def test_selecting_a_goal_shows_its_description_and_dated_history(tab, qtbot):
    assert tab.current_goal().title == "Ship the API"
    assert tab.description.text() == "Public API v1 <b>out</b> to partners"
    assert tab.description.textFormat() == Qt.TextFormat.PlainText
    assert tab.history_model.stringList() == [f"{near_date('2026-10-01')}  Spec agreed",
                                              f"{near_date('2026-10-15')} [at risk]  Partner slipped"]
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_End)
    assert tab.current_goal().title == "Mentor a junior"
    assert tab.description.text() == "No description."
    assert tab.history_model.stringList() == ["No progress recorded yet."]


def test_add_goal_refuses_bad_input_inline_then_saves(tab, goals, qtbot):
    store, ana, *_ = goals
    dialog = GoalDialog(store, ana.id, parent=tab)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.title, "Run the design review")
    qtbot.keyClicks(dialog.due, "next week")
    dialog.on_save()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "due" in dialog.error.text() and "next week" in dialog.error.text()
    assert dialog.title.text() == "Run the design review"
    assert len(store.goals.for_person(ana.id)) == 3
    dialog.due.setText(FUTURE)
    dialog.status.setCurrentIndex(dialog.status.findData("at_risk"))
    dialog.description.setPlainText("With Li's help")
    dialog.on_save()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = dialog.saved_goal
    assert (saved.title, saved.status, saved.due, saved.description) == (
        "Run the design review", "at_risk", FUTURE, "With Li's help")
    tab._session.changed(Change.GOALS)
    assert "Run the design review" in _titles(tab)


def test_a_goal_needs_a_title(tab, goals, qtbot):
    store, ana, *_ = goals
    dialog = GoalDialog(store, ana.id, parent=tab)
    qtbot.addWidget(dialog)
    dialog.on_save()
    assert dialog.error.text() and "goal" in dialog.error.text().lower()
    assert dialog.result() != dialog.DialogCode.Accepted


def test_progress_is_dated_today_by_default_and_can_change_status(tab, goals, qtbot):
    store, _ana, _li, late, _later = goals
    dialog = ProgressDialog(store, late, parent=tab)
    qtbot.addWidget(dialog)
    assert dialog.date.date().toString(Qt.DateFormat.ISODate) == TODAY.isoformat()
    assert dialog.status.currentData() == "at_risk"
    dialog.on_save()
    assert "update" in dialog.error.text().lower()
    assert len(store.goals.history(late.id)) == 2
    dialog.text.setPlainText("Partner shipped their side")
    dialog.status.setCurrentIndex(dialog.status.findData("done"))
    dialog.on_save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert store.goals.get(late.id).status == "done"
    tab._session.changed(Change.GOALS)
    assert tab.current_goal().id == late.id
    assert tab.model.index(tab.model.row_of(late.id)).data(OverdueRole) is False
    assert tab.history_model.stringList()[-1] == (
        f"{near_date(TODAY.isoformat())} [done]  Partner shipped their side")


def test_add_goal_from_the_keyboard(tab, goals, qtbot):
    store, ana, *_ = goals

    def fill_and_save():
        dialog = QApplication.activeModalWidget()
        qtbot.keyClicks(dialog.title, "Present at the guild")
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill_and_save)
    tab.add_goal_button.setFocus()
    qtbot.keyClick(tab.add_goal_button, Qt.Key.Key_Space)
    assert "Present at the guild" in [g.title for g in store.goals.for_person(ana.id)]
    assert tab.current_goal().title == "Present at the guild"


def test_empty_state_lock_and_person_switch(tab, goals, qtbot):
    store, _ana, li, *_ = goals
    tab.set_person(li.id)
    assert _titles(tab) == ["Li's own goal"]
    other = store.people.add(name="Zoe Park")
    tab.set_person(other.id)
    assert tab.pages.currentWidget() is tab.empty
    assert tab.empty.text() == "No goals for Zoe yet."
    assert not tab.add_progress_button.isEnabled() and tab.add_goal_button.isEnabled()
    tab._session.lock()
    assert tab.model.rowCount() == 0 and tab.history_model.stringList() == []
    assert not tab.add_goal_button.isEnabled()


def test_a_person_who_is_gone_leaves_nothing_shown(tab, goals):
    store, ana, *_ = goals
    store.db.execute("DELETE FROM goal_updates")
    store.db.execute("DELETE FROM goals")
    store.db.execute("DELETE FROM people WHERE id = ?", [ana.id])
    tab.set_person(ana.id)
    assert tab.person_id is None and tab.model.rowCount() == 0
    assert tab.description.text() == "" and not tab.add_goal_button.isEnabled()


def test_person_page_uses_the_goals_tab(goals, qtbot):
    store, ana, *_ = goals
    page = PersonPage(Session(store))
    qtbot.addWidget(page)
    page.show_person(ana.id)
    assert isinstance(page.goals_tab, GoalsTab)
    assert page.goals_tab.model.index(0).data().startswith("Ship the API")
