"""Suggested topics in the 1:1s tab, over a real store and a real model thread (pytest-qt).

The bridge runs the fake engine, scripted with the JSON the agenda_topic
prompt asks for, on its own QThread exactly as the window runs the real
model; the tab is the real OneOnOnesTab.
"""

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from app.domain.records import AgendaItem  # noqa: E402
from app.llm.engine import ModelError  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.services.agenda import next_agenda  # noqa: E402
from app.services.topics import says_only_the_name  # noqa: E402
from app.services.topics import TopicSuggestions  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.one_on_ones_tab import OneOnOnesTab  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.topics_panel import FromRole, TopicRole, short_date, source_line  # noqa: E402

WAIT = 10_000
TODAY = dt.date.today()
LAST_1ON1 = (TODAY - dt.timedelta(days=10)).isoformat()
NOTE_DAY = (TODAY - dt.timedelta(days=4)).isoformat()
ACTION_DUE = (TODAY - dt.timedelta(days=3)).isoformat()
REVIEW_NOTE = "Ana led the incident review for the payments outage and wrote the follow-up plan."
REPLIES = ('{"topic": "Write the on-call handbook"}', '{"topic": "Mentor the new backend hire"}',
           '{"topic": "The incident review for the payments outage"}')


@pytest.fixture
def records(team):
    """Ana: a 1:1 ten days ago, then a note, a personal note, an at-risk goal and an overdue action."""
    store, ana, li = team
    store.meetings.add(person_id=ana.id, date=LAST_1ON1, agenda=(AgendaItem("Roadmap", "manager"),))
    store.notes.add(person_id=ana.id, note_id="n-review", date=NOTE_DAY, text=REVIEW_NOTE)
    store.notes.add(person_id=ana.id, note_id="n-personal", date=NOTE_DAY, kind="personal",
                    text="Ana's father is in hospital this month.")
    store.goals.add(person_id=ana.id, goal_id="g-mentor", title="Mentor the new backend hire",
                    status="at_risk")
    store.actions.add(person_id=ana.id, action_id="a-handbook", text="Write the on-call handbook",
                      owner="report", due=ACTION_DUE)
    store.notes.add(person_id=li.id, note_id="n-li", date=NOTE_DAY, text="Li shipped the export.")
    return store


@pytest.fixture
def session(records):
    opened = Session(records)
    yield opened
    opened.lock()


@pytest.fixture
def make_tab(qtbot, session):
    bridges = []

    def make(engine_factory):
        bridge = ModelBridge(engine_factory=engine_factory)
        bridges.append(bridge)
        tab = OneOnOnesTab(session, bridge)
        qtbot.addWidget(tab)
        tab.resize(1000, 700)
        tab.show()
        tab.set_person("p-ana")
        tab.template.setCurrentIndex(tab.template.findData(None))
        return tab
    yield make
    for bridge in bridges:
        bridge.shutdown()


def scripted(*replies, pause: float = 0.0) -> FakeEngine:
    engine = FakeEngine(pause=pause)
    for reply in replies:
        engine.enqueue(*reply) if isinstance(reply, tuple) else engine.enqueue(reply)
    return engine


def suggest(qtbot, panel) -> int:
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        job = panel.run_suggestions()
        assert job and not panel.suggest.isEnabled() and panel.stop.isEnabled()
    return job


def topics(panel) -> list:
    return [panel.model.index(r).data(TopicRole) for r in range(panel.model.rowCount())]


def agenda_lines(tab) -> list[str]:
    return [tab.agenda.item(i).text() for i in range(tab.agenda.count())]


def test_topics_are_worded_on_the_model_thread_and_say_what_they_came_from(qtbot, make_tab):
    engine = scripted(*REPLIES)
    tab = make_tab(lambda: engine)
    panel = tab.topics
    assert panel.model.rowCount() == 0 and panel.message.text().startswith("No topics waiting.")
    assert not panel.accept.isEnabled() and panel.suggest.isEnabled()
    suggest(qtbot, panel)
    assert len(engine.requests) == 3                      # the personal note and Li's are never asked
    assert [t.key for t in topics(panel)] == ["action:a-handbook", "goal:g-mentor", "note:n-review"]
    assert all(t.person_id == "p-ana" and t.text for t in topics(panel))
    assert [panel.model.index(r).data(FromRole) for r in range(3)] == [
        f"from: action overdue since {short_date(ACTION_DUE)} — Write the on-call handbook"
        " · accepting rewords its agenda point",
        "from: goal “Mentor the new backend hire” (at risk) · accepting rewords its agenda point",
        f"from: note of {short_date(NOTE_DAY)} — {REVIEW_NOTE[:69].rstrip()}…"]
    first = panel.model.index(0)
    assert "Enter accepts, Delete dismisses" in first.data(Qt.ItemDataRole.AccessibleTextRole)
    assert panel.message.text() == "" and panel.view.currentIndex().row() == 0
    assert panel.accept.isEnabled() and panel.dismiss.isEnabled() and panel.state_label.text() == ""
    assert panel.view.sizeHintForRow(0) > 2 * panel.view.fontMetrics().height()   # two lines a topic
    assert not panel.view.grab().isNull()


def test_enter_accepts_onto_the_next_agenda_and_delete_dismisses_for_good(qtbot, make_tab, records):
    engine = scripted(*REPLIES)
    tab = make_tab(lambda: engine)
    panel = tab.topics
    suggest(qtbot, panel)
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.model.index(2))
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)                  # the review note: accepted
    accepted = next(t for t in records.db.execute(
        "SELECT key, state FROM topic_suggestions WHERE person_id = 'p-ana'") if t[0] == "note:n-review")
    assert accepted[1] == "accepted"
    [entry] = [e for e in next_agenda(records, "p-ana") if e.source == "suggested"]
    assert entry.citations == ("n-review",) and agenda_lines(tab)[-1].endswith("· suggested")
    assert agenda_lines(tab)[-1].startswith(entry.text)
    assert panel.message.text() == f"Added to the next agenda: {entry.text}"
    panel.view.setCurrentIndex(panel.model.index(0))
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)                  # the action's topic: dismissed
    assert [t.key for t in topics(panel)] == ["goal:g-mentor"]
    assert panel.message.text().startswith("Dismissed: ")
    suggest(qtbot, panel)                                          # nothing new: nothing asked
    assert len(engine.requests) == 3 and [t.key for t in topics(panel)] == ["goal:g-mentor"]
    assert panel.message.text() == ""                              # one is still awaiting an answer
    qtbot.mouseClick(panel.dismiss, Qt.MouseButton.LeftButton)
    suggest(qtbot, panel)
    assert topics(panel) == [] and panel.message.text().startswith("Nothing new to suggest")
    tab.on_start()
    meeting = records.meetings.last_for("p-ana")
    assert [(i.text, i.source) for i in meeting.agenda if i.source == "suggested"] == [
        (entry.text, "suggested")]
    assert not [e for e in next_agenda(records, "p-ana") if e.source == "suggested"]  # used once


def test_a_topic_that_only_names_the_person_gets_its_records_words(qtbot, make_tab, records):
    engine = scripted('{"topic": "Ana Ruiz"}', '{"topic": "1:1 with Ana"}',
                      '{"topic": "Ana\'s incident review"}')
    tab = make_tab(lambda: engine)
    suggest(qtbot, tab.topics)
    assert [(t.text, t.wording) for t in topics(tab.topics)] == [
        ("Write the on-call handbook", "fallback"), ("Mentor the new backend hire", "fallback"),
        ("Ana's incident review", "model")]
    assert [t.text for t in TopicSuggestions(records).pending("p-ana")][:2] == [
        "Write the on-call handbook", "Mentor the new backend hire"]
    assert tab.topics.model.index(0).data(FromRole) == (
        f"from: action overdue since {short_date(ACTION_DUE)}, in its own words · accepting rewords its agenda point")
    assert says_only_the_name("Chat with Ana Ruiz", "Ana Ruiz")
    assert not says_only_the_name("Ana's meetup talk", "Ana Ruiz")


def test_no_model_or_a_failing_model_is_a_sentence_under_the_list(qtbot, make_tab):
    def no_model():
        raise ModelError("No model file found: add one in Settings → Models.")
    tab = make_tab(no_model)
    suggest(qtbot, tab.topics)
    assert tab.topics.message.text() == ("The model could not suggest topics: "
                                         "No model file found: add one in Settings → Models.")
    assert tab.topics.suggest.isEnabled() and topics(tab.topics) == []
    failing = make_tab(lambda: FakeEngine())                       # nothing enqueued: it refuses
    suggest(qtbot, failing.topics)
    assert failing.topics.message.text().startswith("The model could not suggest topics: FakeEngine")


def test_stop_keeps_what_was_worded_and_answers_wait_while_the_model_writes(qtbot, make_tab, records):
    slow = ('{"topic": ', *(['"'] + [" "] * 400), '"}')
    engine = scripted(REPLIES[0], slow, pause=0.01)
    tab = make_tab(lambda: engine)
    panel = tab.topics
    panel.run_suggestions()
    # The engine's requests are counted on the model thread; the state reaches the panel as a
    # queued event, which a busy machine may not have handled yet (a fresh-clone run lost that
    # race): wait for both.
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0 and len(engine.requests) == 2
                    and panel.state_label.text().startswith("Generating"), timeout=WAIT)
    panel.refresh()
    panel.view.setCurrentIndex(panel.model.index(0))
    assert not panel.answer(accept=True)
    assert panel.message.text().startswith("Wait until the model")
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        qtbot.mouseClick(panel.stop, Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("Stopped.")
    assert [t.key for t in topics(panel)] == ["action:a-handbook"]
    assert panel.suggest.isEnabled() and not panel.stop.isEnabled()


def test_locking_clears_the_topics_and_a_deleted_record_is_said_so(qtbot, make_tab, session, records):
    engine = scripted(*REPLIES)
    tab = make_tab(lambda: engine)
    suggest(qtbot, tab.topics)
    records.db.execute("DELETE FROM actions WHERE id = 'a-handbook'")
    assert source_line(records, "action:a-handbook") == "from: an action that has since been deleted"
    session.lock()
    assert tab.topics.model.rowCount() == 0 and not tab.topics.suggest.isEnabled()


def test_topics_re_wrap_when_the_panel_narrows_and_never_overlap(qtbot, make_tab):
    """The Assistant opening beside the 1:1s tab narrows the list: every row takes the height
    its re-wrapped text needs (a list flowing down once kept its old heights and overlapped)."""
    engine = scripted(*REPLIES)
    tab = make_tab(lambda: engine)
    panel, view = tab.topics, tab.topics.view
    suggest(qtbot, panel)
    rows = panel.model.rowCount()
    view.setParent(None)                              # the list alone, so only its width changes
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.wait(250)
    wide = [view.visualRect(panel.model.index(r)).height() for r in range(rows)]
    view.resize(260, 600)

    def laid_out() -> bool:
        tops = [view.visualRect(panel.model.index(r)).top() for r in range(rows)]
        needed = [view.sizeHintForIndex(panel.model.index(r)).height() for r in range(rows)]
        return all(tops[r + 1] >= tops[r] + needed[r] for r in range(rows - 1))
    qtbot.waitUntil(laid_out, timeout=2000)
    narrow = [view.sizeHintForIndex(panel.model.index(r)).height() for r in range(rows)]
    assert narrow != wide  # the text did wrap onto more lines
