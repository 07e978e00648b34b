"""The 1:1s tab, the focused meeting view and sharing an agenda, over a real store (pytest-qt)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.domain.dates import near_date, short_date, spoken_date, today_iso  # noqa: E402
from app.domain.records import AgendaItem  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.chips import kind_colours  # noqa: E402
from ui.one_on_ones_tab import OneOnOnesTab  # noqa: E402
from ui.session import Session  # noqa: E402

ALT = Qt.KeyboardModifier.AltModifier
PRIVATE = "Private: Ana sounded tired of the on-call rota"


@pytest.fixture
def past_meeting(team):
    """A 1:1 on 12 Mar with one unfinished point, one done point and an open action."""
    store, ana, _li = team
    meeting = store.meetings.add(person_id=ana.id, date="2026-03-12", notes=PRIVATE, agenda=(
        AgendaItem("Talk about the on-call load", "report"),
        AgendaItem("Review the Q1 roadmap", "manager", done=True)), ended=True)
    store.meetings.record_notes(meeting.id, PRIVATE)
    store.actions.add(person_id=ana.id, text="Send the design doc", owner="manager",
                      meeting_id=meeting.id, due="2026-03-20")
    return meeting


@pytest.fixture
def tab(qtbot, session, past_meeting):
    widget = OneOnOnesTab(session)
    qtbot.addWidget(widget)
    widget.resize(720, 600)
    widget.set_person("p-ana")
    return widget


def rows(view) -> list[str]:
    """The lines a list shows, whether it is a QListWidget or a view over a model."""
    model = view.model()
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def choose_template(tab, name) -> None:
    tab.template.setCurrentIndex(tab.template.findData(name))


def test_next_agenda_says_who_raised_each_point_and_why_it_is_there(tab):
    choose_template(tab, None)
    assert rows(tab.agenda) == [
        "Talk about the on-call load  —  them  · carried over from 12 Mar",
        "Send the design doc  —  you  · action · overdue since 20 Mar"]    # due 2026-03-20
    carried, late = tab.agenda.item(0), tab.agenda.item(1)
    assert late.foreground().color() == kind_colours("concern", tab.agenda.palette())[1]
    assert carried.foreground().color() != late.foreground().color()      # highlighted, not the rest
    choose_template(tab, "weekly_check_in")
    lines = rows(tab.agenda)
    assert len(lines) > 2 and all(line.endswith("· template") for line in lines[2:])
    assert not any("Review the Q1 roadmap" in line for line in lines)       # done never comes back
    assert rows(tab.meetings) == [f"{near_date('2026-03-12')}  —  " + PRIVATE + "  (1/2 points done)"]
    assert short_date("2026-11-05") == "5 Nov"


def test_every_shipped_template_is_offered_and_a_person_without_1on1s_gets_a_plain_state(tab):
    offered = {tab.template.itemData(i) for i in range(tab.template.count())}
    assert {None, "weekly_check_in", "career_conversation", "first_one_on_one",
            "skip_level"} <= offered
    choose_template(tab, None)
    tab.set_person("p-li")
    assert rows(tab.meetings) == ["No 1:1s recorded with Li yet."]
    assert rows(tab.agenda)[0].startswith("Nothing carried over for Li")
    assert not tab.share.isEnabled()


def test_start_stores_the_agenda_on_a_new_meeting_and_opens_it(qtbot, tab, team):
    store = team[0]
    choose_template(tab, "weekly_check_in")
    expected = [line.split("  —  ")[0] for line in rows(tab.agenda)]
    with qtbot.waitSignal(tab.sig_meeting_started) as started:
        qtbot.mouseClick(tab.start, Qt.MouseButton.LeftButton)
    meeting = store.meetings.get(started.args[0])
    assert meeting.date == today_iso() and meeting.template == "weekly_check_in"
    assert [item.text for item in meeting.agenda] == expected
    assert tab.pages.currentWidget() is tab.meeting_view
    assert [r.split("  —  ")[0] for r in rows(tab.meeting_view.agenda)] == expected
    assert len(rows(tab.meetings)) == 2


def test_keyboard_ticks_drops_and_reorders_points_in_the_store(qtbot, tab, team):
    store = team[0]
    choose_template(tab, None)
    tab.on_start()
    view, meeting_id = tab.meeting_view, tab.meeting_view.meeting_id
    view.select_point(0)
    qtbot.keyClick(view.agenda, Qt.Key.Key_Space)                 # on-call load: done
    assert store.meetings.item(meeting_id, 1).status == "done"
    assert [i.text for i, _m in store.meetings.open_threads("p-ana")] == ["Send the design doc"]
    qtbot.keyClick(view.agenda, Qt.Key.Key_Space)                 # and open again
    assert store.meetings.item(meeting_id, 1).status == "open"
    qtbot.keyClick(view.agenda, Qt.Key.Key_Down, ALT)
    assert [i.text for i in store.meetings.get(meeting_id).agenda] == [
        "Send the design doc", "Talk about the on-call load"]
    assert view.current_point() == 1
    view.select_point(0)
    qtbot.keyClick(view.agenda, Qt.Key.Key_Space)                 # the action is done as well
    assert store.actions.open_for_person("p-ana") == []
    view.select_point(1)
    qtbot.keyClick(view.agenda, Qt.Key.Key_Delete)
    assert store.meetings.item(meeting_id, 2).status == "dropped"
    dropped = view.agenda_model.index(1)
    assert dropped.data().endswith("(dropped)") and dropped.data(Qt.ItemDataRole.FontRole).strikeOut()
    qtbot.mouseClick(view.back, Qt.MouseButton.LeftButton)
    assert tab.pages.currentIndex() == 0 and rows(tab.agenda)[0].startswith("Nothing carried over")


def test_notes_are_saved_after_typing_and_become_a_timeline_note(qtbot, tab, team, session):
    store = team[0]
    tab.on_start()
    view = tab.meeting_view
    with qtbot.waitSignal(session.sig_changed, check_params_cb=lambda notice: notice.what is Change.NOTES,
                          timeout=5000):
        qtbot.keyClicks(view.notes, "Agreed to rotate on-call")
    meeting = store.meetings.get(view.meeting_id)
    assert meeting.notes == "Agreed to rotate on-call"
    note = store.notes.get(store.meetings.timeline_note_id(meeting.id))
    assert (note.kind, note.text, note.date) == ("one_on_one", meeting.notes, meeting.date)


def test_notes_typed_just_before_locking_are_kept(qtbot, tab, team, session):
    tab.on_start()
    meeting_id = tab.meeting_view.meeting_id
    qtbot.keyClicks(tab.meeting_view.notes, "Half a thought")
    session.lock()
    assert tab.meeting_view.notes.toPlainText() == "" and tab.meeting_view.meeting_id is None
    reopened = Store.open(team[0].home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert reopened.meetings.get(meeting_id).notes == "Half a thought"
    finally:
        reopened.close()


def test_add_action_by_keyboard_and_a_bad_due_date_is_explained(qtbot, tab, team):
    store = team[0]
    tab.on_start()
    view = tab.meeting_view
    view.action_owner.setCurrentIndex(view.action_owner.findData("report"))
    qtbot.keyClicks(view.action_text, "Draft the on-call proposal")
    qtbot.keyClicks(view.action_due, "next week")
    qtbot.keyClick(view.action_due, Qt.Key.Key_Return)
    assert "due" in view.message.text() and "next week" in view.message.text()
    assert view.action_text.text() == "Draft the on-call proposal"     # nothing typed is lost
    view.action_due.setText("2026-12-01")
    qtbot.keyClick(view.action_text, Qt.Key.Key_Return)
    added = [a for a in store.actions.for_person("p-ana") if a.meeting_id == view.meeting_id]
    assert [(a.text, a.owner, a.due) for a in added] == [
        ("Draft the on-call proposal", "report", "2026-12-01")]
    assert view.action_text.text() == "" and view.action_due.text() == ""
    assert "Draft the on-call proposal" in view.message.text()


def test_share_copies_only_the_chosen_points_and_never_the_notes(qtbot, tab):
    choose_template(tab, None)
    tab.on_share()
    dialog = tab.share_dialog
    qtbot.addWidget(dialog)
    dialog.points.setCurrentRow(1)
    qtbot.keyClick(dialog.points, Qt.Key.Key_Space)               # leave the action out
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == ("# 1:1 agenda: Ana Ruiz\n\n## From Ana\n\n"
                      "- [ ] Talk about the on-call load\n")
    assert PRIVATE not in copied and "design doc" not in copied
    assert dialog.message.text() == "Copied 1 of 2 points as Markdown."
    dialog.points.setCurrentRow(0)
    qtbot.keyClick(dialog.points, Qt.Key.Key_Space)
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("No points chosen")


def test_on_the_person_page_a_started_1on1s_notes_appear_in_the_timeline(qtbot, session, team,
                                                                        past_meeting):
    from ui.person_page import PersonPage
    page = PersonPage(session)
    qtbot.addWidget(page)
    page.show_person("p-ana")
    page.tabs.setCurrentWidget(page.meetings_tab)
    page.meetings_tab.template.setCurrentIndex(0)
    page.meetings_tab.on_start()
    view = page.meetings_tab.meeting_view
    assert page.meetings_tab.pages.currentWidget() is view       # the page's refresh keeps it open
    view.notes.setPlainText("We agreed Ana leads the on-call review")
    view.on_back()
    note_id = team[0].meetings.timeline_note_id(team[0].meetings.last_for("p-ana").id)
    assert page.timeline.model.row_of(note_id) is not None
    assert len(rows(page.meetings_tab.meetings)) == 2


# --- the meeting's agenda as a model: drag, keys and ticks share the store's one path ---------

def agenda_texts(store, meeting_id) -> list[str]:
    return [item.text for item in store.meetings.get(meeting_id).agenda]


@pytest.fixture
def meeting(tab):
    """Today's 1:1 started from the weekly template: carried-over point, action, template points."""
    choose_template(tab, "weekly_check_in")
    tab.on_start()
    return tab.meeting_view


def test_a_dropped_point_moves_in_the_store_and_a_drop_onto_itself_changes_nothing(meeting, team):
    store, model = team[0], meeting.agenda_model
    before = agenda_texts(store, meeting.meeting_id)
    assert len(before) >= 4
    dragged = model.mimeData([model.index(0)])
    assert model.canDropMimeData(dragged, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert model.dropMimeData(dragged, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    after = [before[1], before[2], before[0], *before[3:]]
    assert agenda_texts(store, meeting.meeting_id) == after
    assert [line.split("  —  ")[0] for line in rows(meeting.agenda)] == after
    assert not model.dropMimeData(model.mimeData([model.index(1)]), Qt.DropAction.MoveAction, 2, 0,
                                  QModelIndex())                      # just below itself: no move
    assert not model.dropMimeData(dragged, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    assert not model.removeRows(0, 1)                                 # a drag never deletes a point
    assert agenda_texts(store, meeting.meeting_id) == after
    assert model.moveRows(QModelIndex(), len(after) - 1, 1, QModelIndex(), 0)   # last to the top
    assert agenda_texts(store, meeting.meeting_id) == [after[-1], *after[:-1]]


def test_drop_on_a_point_lands_before_it_and_alt_up_uses_the_same_path(qtbot, meeting, team):
    store, model = team[0], meeting.agenda_model
    before = agenda_texts(store, meeting.meeting_id)
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    assert not model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.dropMimeData(model.mimeData([model.index(2)]), Qt.DropAction.MoveAction, -1, -1,
                              model.index(0))
    assert agenda_texts(store, meeting.meeting_id) == [before[2], before[0], before[1], *before[3:]]
    moved = []
    model.rowsMoved.connect(lambda *args: moved.append(args[1]))
    meeting.select_point(1)
    qtbot.keyClick(meeting.agenda, Qt.Key.Key_Up, ALT)
    assert agenda_texts(store, meeting.meeting_id)[:3] == [before[0], before[2], before[1]]
    assert moved == [1] and meeting.current_point() == 0              # the selection moves with it
    qtbot.keyClick(meeting.agenda, Qt.Key.Key_Up, ALT)                # already first: nothing
    assert moved == [1]


def test_ticking_a_box_with_the_mouse_closes_the_point_in_the_store(meeting, team):
    store, model = team[0], meeting.agenda_model
    first = model.index(0)
    assert model.setData(first, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert store.meetings.item(meeting.meeting_id, 1).status == "done"
    assert model.index(0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert not model.setData(first, "renamed", Qt.ItemDataRole.EditRole)


def test_sharing_from_the_meeting_copies_and_saves_owner_only_without_the_notes(qtbot, meeting, team,
                                                                                tmp_path):
    meeting.notes.setPlainText(PRIVATE + " again")
    meeting.save_notes()
    assert meeting.share.isEnabled()
    qtbot.mouseClick(meeting.share, Qt.MouseButton.LeftButton)
    dialog = meeting.share_dialog
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(f"# 1:1 agenda: Ana Ruiz, {spoken_date(today_iso())}\n")
    assert "- [ ] Talk about the on-call load" in copied and "Private" not in copied
    assert dialog.save_to(tmp_path / "agenda")
    saved = tmp_path / "agenda.md"
    assert saved.read_text(encoding="utf-8") == copied
    if os.name == "posix":
        assert saved.stat().st_mode & 0o777 == 0o600
    assert "readable by you only" in dialog.message.text()
    assert not dialog.save_to(tmp_path / "missing-dir" / "agenda.md")
    assert dialog.message.text().startswith("Could not save the agenda to")


def test_when_policy_turns_export_off_both_share_buttons_say_so(qtbot, tab, monkeypatch, tmp_path):
    from app import policy
    locked = policy.Policy(values={"DisableExport": True},
                           sources={"DisableExport": "/etc/trellis/policy.json"})
    monkeypatch.setattr(policy, "current_policy", lambda: locked)
    choose_template(tab, "weekly_check_in")
    tab.refresh()
    assert not tab.share.isEnabled() and tab.share.toolTip() == "Set by your organisation"
    tab.on_start()
    view = tab.meeting_view
    assert not view.share.isEnabled() and view.share.toolTip() == "Set by your organisation"
    view.on_share()                                  # reached anyway (a shortcut): it still refuses
    qtbot.addWidget(view.share_dialog)
    assert not view.share_dialog.save_to(tmp_path / "agenda.md")
    assert view.share_dialog.message.text() == ("Export is turned off by your organisation "
                                                "(DisableExport in /etc/trellis/policy.json).")
    assert not (tmp_path / "agenda.md").exists()


def test_screenshot_pages_show_a_busy_1on1s_tab_and_the_fullest_meeting(qtbot, store):
    from app.llm.fake_engine import FakeEngine
    from app.services.sample import load_sample_team
    from ui.main import PAGES, _prepare_page
    from ui.model_bridge import ModelBridge
    from ui.window import MainWindow
    load_sample_team(store)
    window = MainWindow(Session(store), bridge=ModelBridge(engine_factory=FakeEngine))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        assert {"one_on_ones", "meeting", "meeting_ended"} <= set(PAGES)
        _prepare_page(window, "meeting")
        tab = window.person.meetings_tab
        assert window.person.tabs.currentWidget() is tab and tab.pages.currentWidget() is tab.meeting_view
        shown = store.meetings.get(tab.meeting_view.meeting_id)
        everyone = [m for p in store.people.list() for m in store.meetings.for_person(p.id)]
        assert len(shown.agenda) == max(len(m.agenda) for m in everyone) == 3
        tab.meeting_view.on_back()
        _prepare_page(window, "meeting_ended")           # a 1:1 after the meeting (README)
        view = tab.meeting_view
        assert store.meetings.get(view.meeting_id).ended and view.summary.isVisible()
        assert "carry over to the next 1:1" in view.summary.text() and not view.end.isVisible()
        view.on_back()
        _prepare_page(window, "one_on_ones")             # the fake engine refuses: said in place
        assert tab.pages.currentIndex() == 0 and tab.agenda.count() >= 3
        assert tab.topics.message.text().startswith("The model could not suggest topics")
    finally:
        window.bridge.shutdown()


def test_a_drop_on_the_view_is_one_move_through_the_model(qtbot, meeting, team):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QDropEvent
    store, view, model = team[0], meeting.agenda, meeting.agenda_model
    before = agenda_texts(store, meeting.meeting_id)
    second = view.visualRect(model.index(1))
    below_second = QPoint(second.center().x(), second.bottom() - 1)
    assert view.drop_row(below_second) == 2
    assert view.drop_row(view.visualRect(model.index(0)).topLeft() + QPoint(4, 1)) == 0
    dragged = model.mimeData([model.index(0)])          # kept alive: the event only points to it
    drop = QDropEvent(below_second.toPointF(), Qt.DropAction.MoveAction, dragged,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.MoveAction
    assert agenda_texts(store, meeting.meeting_id) == [before[1], before[0], *before[2:]]   # moved once
    assert len(model.points) == len(before)


# --- ending a 1:1, and deleting one started by mistake (issue 18) ----------------------------

def test_end_1on1_shows_what_carries_over_and_template_prompts_stay_behind(qtbot, meeting, team, tab):
    store, view = team[0], meeting
    assert view.end.isVisibleTo(view) and not view.summary.isVisibleTo(view)
    assert view.heading.text().endswith("·  in progress")
    assert rows(tab.meetings)[0].endswith("· in progress")
    view.select_point(0)
    qtbot.keyClick(view.agenda, Qt.Key.Key_Space)                 # the on-call load: done
    view.notes.setPlainText("Ana takes the rota review")
    qtbot.mouseClick(view.end, Qt.MouseButton.LeftButton)
    ended = store.meetings.get(view.meeting_id)
    assert ended.ended and ended.notes == "Ana takes the rota review"
    assert "·  ended at " in view.heading.text() and not view.end.isVisibleTo(view)
    assert view.summary.isVisibleTo(view)
    assert view.summary.text().splitlines() == [
        "1 of 7 points done.", "1 thing carries over to the next 1:1:",
        "  • Send the design doc  —  you · action",
        "5 template points left open will not carry over; the template asks them again."]
    qtbot.mouseClick(view.back, Qt.MouseButton.LeftButton)
    assert tab.pages.currentIndex() == 0
    assert not rows(tab.meetings)[0].endswith("in progress")
    choose_template(tab, None)
    assert rows(tab.agenda) == ["Send the design doc  —  you  · action · overdue since 20 Mar"]


def test_delete_asks_first_then_carried_points_come_back_and_the_notes_stay(qtbot, meeting, team,
                                                                            tab, monkeypatch):
    import ui.meeting_view
    store, view = team[0], meeting
    meeting_id = view.meeting_id
    view.notes.setPlainText("Started Ana's instead of Li's")
    asked = []
    monkeypatch.setattr(ui.meeting_view, "confirm_deletion",
                        lambda parent, sentences: asked.append(sentences) or len(asked) > 1)
    qtbot.mouseClick(view.delete, Qt.MouseButton.LeftButton)         # "Keep it"
    assert store.meetings.get(meeting_id) and tab.pages.currentWidget() is view
    assert asked[0] == [
        f"The 1:1 with Ana Ruiz on {short_date(today_iso())} and its 7 agenda points will be "
        "deleted.",
        "1 point carried over from earlier 1:1s stays open on Ana's next agenda.",
        "Your notes from it stay in Ana's timeline as a 1:1 note."]
    note_id = store.meetings.timeline_note_id(meeting_id)
    qtbot.mouseClick(view.delete, Qt.MouseButton.LeftButton)         # "Delete 1:1"
    assert [m.id for m in store.meetings.for_person("p-ana")] != [] and all(
        m.id != meeting_id for m in store.meetings.for_person("p-ana"))
    assert tab.pages.currentIndex() == 0
    assert tab.message.text().startswith(f"Deleted the 1:1 with Ana Ruiz on {short_date(today_iso())}")
    choose_template(tab, None)
    assert rows(tab.agenda)[0] == "Talk about the on-call load  —  them  · carried over from 12 Mar"
    assert store.notes.get(note_id).text == "Started Ana's instead of Li's"


def test_delete_is_refused_with_the_reason_when_a_carried_point_was_ticked(qtbot, meeting, team,
                                                                          monkeypatch):
    import ui.meeting_view
    store, view = team[0], meeting
    monkeypatch.setattr(ui.meeting_view, "confirm_deletion",
                        lambda *_: pytest.fail("a refused deletion must not ask"))
    view.select_point(0)
    qtbot.keyClick(view.agenda, Qt.Key.Key_Space)                    # carried from 12 Mar: done
    qtbot.mouseClick(view.delete, Qt.MouseButton.LeftButton)
    assert view.message.text().startswith(f"The 1:1 of {short_date(today_iso())} cannot be "
                                          "deleted: 1 point from earlier 1:1s")
    assert "reopen it first" in view.message.text()
    assert store.meetings.get(view.meeting_id).agenda[0].status == "done"
