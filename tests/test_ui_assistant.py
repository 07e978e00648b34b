"""The model bridge and the assistant panel, with the fake engine (pytest-qt, offscreen).

The bridge runs a real QThread; the fake engine plays back scripted pieces
with pauses, so Stop and the event loop's responsiveness can be observed.
Every test waits on signals, never sleeps, and shuts the bridge down.
"""

import datetime as dt
import json
import os
import threading

import pytest

from app.domain.dates import short_date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from app.llm.engine import ChatMessage, GenerationRequest, ModelError  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from ui.assistant import AssistantPanel, recent_notes  # noqa: E402
from ui.model_bridge import PieceBatcher, ModelBridge  # noqa: E402
from ui.session import Session  # noqa: E402

ASK = GenerationRequest((ChatMessage("user", "Say something"),), max_tokens=500)
WAIT = 5000


class SlowLoadingEngine(FakeEngine):
    """A fake whose load waits until the test lets it finish."""

    def __init__(self, **options):
        super().__init__(**options)
        self.may_finish_loading = threading.Event()

    def load(self) -> None:
        self.may_finish_loading.wait(10)
        super().load()


class ExplodingEngine(FakeEngine):
    def stream(self, request, stop):
        raise RuntimeError("the GPU caught fire")


@pytest.fixture
def make_bridge(qtbot):
    bridges = []

    def make(engine):
        bridge = ModelBridge(engine_factory=lambda: engine)
        bridges.append(bridge)
        return bridge
    yield make
    for bridge in bridges:
        bridge.shutdown()


def _collect(signal) -> list:
    seen = []
    signal.connect(lambda *args: seen.append(args[0] if len(args) == 1 else args))
    return seen


# --- the bridge -----------------------------------------------------------------

def test_batches_arrive_in_order_and_make_the_text(qtbot, make_bridge):
    engine = FakeEngine(pause=0.004)
    pieces = [f"word{n} " for n in range(40)]
    engine.enqueue(*pieces)
    bridge = make_bridge(engine)
    batches = _collect(bridge.sig_pieces)
    with qtbot.waitSignal(bridge.sig_finished, timeout=WAIT) as finished:
        bridge.generate(ASK)
    generation = finished.args[0]
    assert "".join(batches) == generation.text == "".join(pieces)
    assert 1 <= len(batches) < len(pieces)
    assert (generation.finish, bridge.state, bridge.model_name) == ("end", "ready", "Fake model")


def test_loading_reports_progress_and_the_model_name(qtbot, make_bridge):
    bridge = make_bridge(FakeEngine())
    progress, states = _collect(bridge.sig_load_progress), _collect(bridge.sig_state_changed)
    with qtbot.waitSignal(bridge.sig_state_changed, check_params_cb=lambda s, _d: s == "ready",
                          timeout=WAIT):
        bridge.load()
    assert progress == [10, 50, 100]
    assert states[0] == ("loading", "") and states[-1] == ("ready", "Fake model")


def test_stop_mid_generation_keeps_the_partial_text(qtbot, make_bridge):
    engine = FakeEngine(pause=0.02)
    engine.enqueue(*[f"w{n} " for n in range(200)])
    bridge = make_bridge(engine)
    batches = _collect(bridge.sig_pieces)
    with qtbot.waitSignal(bridge.sig_pieces, timeout=WAIT):
        bridge.generate(ASK)
    with qtbot.waitSignal(bridge.sig_finished, timeout=WAIT) as finished:
        bridge.stop()
    generation = finished.args[0]
    assert generation.finish == "stopped" and bridge.state == "stopped"
    assert "".join(batches) == generation.text
    assert 0 < generation.generated_tokens < 200


def test_stop_works_while_the_worker_is_busy_and_drops_queued_jobs(qtbot, make_bridge):
    engine = FakeEngine(pause=0.02)
    engine.enqueue(*["x"] * 200)
    engine.enqueue("never", "played")
    bridge = make_bridge(engine)
    ended = _collect(bridge.sig_job_ended)
    first = bridge.generate(ASK)
    second = bridge.generate(ASK)
    qtbot.waitUntil(lambda: bridge.state == "generating", timeout=WAIT)
    bridge.stop()
    qtbot.waitUntil(lambda: ended == [first, second], timeout=WAIT)
    assert bridge.state == "stopped" and not bridge.busy
    assert len(engine.requests) == 1


def test_an_exception_in_the_worker_is_reported_not_raised(qtbot, make_bridge):
    bridge = make_bridge(ExplodingEngine())
    with qtbot.waitSignal(bridge.sig_failed, timeout=WAIT) as failed:
        bridge.generate(ASK)
    assert failed.args == ["RuntimeError: the GPU caught fire"]
    qtbot.waitUntil(lambda: bridge.state == "failed", timeout=WAIT)
    assert bridge.detail == "RuntimeError: the GPU caught fire"


def test_a_model_error_keeps_its_own_words_and_the_bridge_recovers(qtbot, make_bridge):
    engine = FakeEngine()
    bridge = make_bridge(engine)
    with qtbot.waitSignal(bridge.sig_failed, timeout=WAIT) as failed:
        bridge.generate(ASK)  # nothing enqueued: the fake engine raises ModelError
    assert failed.args == ["FakeEngine: no reply was enqueued for this request"]
    engine.enqueue("fine")
    with qtbot.waitSignal(bridge.sig_finished, timeout=WAIT) as finished:
        bridge.generate(ASK)
    assert finished.args[0].text == "fine" and bridge.state == "ready"


def test_a_failing_load_is_reported(qtbot, make_bridge):
    def no_model():
        raise ModelError("tiny.gguf has no chat template; Trellis needs an instruct model")
    bridge = ModelBridge(engine_factory=no_model)
    try:
        with qtbot.waitSignal(bridge.sig_failed, timeout=WAIT) as failed:
            bridge.load()
        assert "no chat template" in failed.args[0]
        qtbot.waitUntil(lambda: bridge.state == "failed", timeout=WAIT)
    finally:
        bridge.shutdown()


def test_the_gui_thread_keeps_running_while_the_model_generates(qtbot, make_bridge):
    engine = FakeEngine(pause=0.01)
    engine.enqueue(*["tick "] * 40)
    bridge = make_bridge(engine)
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(bridge.state))
    timer.start()
    with qtbot.waitSignal(bridge.sig_finished, timeout=WAIT):
        bridge.generate(ASK)
    timer.stop()
    assert ticks.count("generating") >= 5


def test_shutdown_closes_the_engine_and_a_later_use_starts_again(qtbot, make_bridge):
    engine = FakeEngine()
    bridge = make_bridge(engine)
    with qtbot.waitSignal(bridge.sig_state_changed, check_params_cb=lambda s, _d: s == "ready",
                          timeout=WAIT):
        bridge.load()
    bridge.shutdown()
    assert not engine.loaded and bridge.state == "not loaded"
    engine.enqueue("again")
    with qtbot.waitSignal(bridge.sig_finished, timeout=WAIT) as finished:
        bridge.generate(ASK)
    assert finished.args[0].text == "again"


def test_reload_closes_the_engine_without_waiting(qtbot, make_bridge):
    engine = FakeEngine()
    bridge = make_bridge(engine)
    with qtbot.waitSignal(bridge.sig_state_changed, check_params_cb=lambda s, _d: s == "ready",
                          timeout=WAIT):
        bridge.load()
    with qtbot.waitSignal(bridge.sig_state_changed,
                          check_params_cb=lambda s, _d: s == "not loaded", timeout=WAIT):
        bridge.reload()
    assert not engine.loaded


def test_many_qt_calls_and_emits_do_not_use_up_none_or_true(qtbot):
    # PySide6 6.12.0 returns None (void methods) and True (emit) without a
    # reference, and CPython 3.11 aborts after a few thousand calls; this
    # guards the pin to 6.11.3 (a streaming bridge makes thousands of calls).
    bridge, label = ModelBridge(engine_factory=FakeEngine), QLabel()
    for _ in range(20_000):
        label.setText("x")
        bridge.sig_load_progress.emit(1)
    assert label.text() == "x"


def test_the_batcher_waits_40_ms_between_batches():
    now, sent = [0.0], []
    batcher = PieceBatcher(sent.append, lambda _rate: None, clock=lambda: now[0])
    for step in range(10):
        now[0] = step * 0.015
        batcher.add(str(step))
    batcher.flush()
    assert sent == ["0123", "456", "789"]
    assert batcher.rate() == pytest.approx(9 / 0.135)


# --- the panel ------------------------------------------------------------------

def _days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def ana_notes(team):
    store, ana, _li = team
    store.notes.add(person_id=ana.id, text="Ran the incident review calmly", date=_days_ago(20),
                    note_id="n-12")
    store.notes.add(person_id=ana.id, text="Wrote the follow-up actions", date=_days_ago(5),
                    note_id="n-15")
    store.notes.add(person_id=ana.id, text="Old news from last year", date=_days_ago(200),
                    note_id="n-1")
    return store, ana


def _points_reply(*points) -> list[str]:
    text = json.dumps({"points": [{"text": t, "note_ids": list(ids)} for t, ids in points]})
    return [text[i:i + 7] for i in range(0, len(text), 7)]


@pytest.fixture
def panel_for(qtbot, make_bridge, ana_notes):
    store, ana = ana_notes

    def make(engine):
        session = Session(store)
        panel = AssistantPanel(session, make_bridge(engine))
        qtbot.addWidget(panel)
        panel.set_person(ana.id, ana.name)
        return panel, session
    return make


def test_recent_notes_are_the_last_90_days_oldest_first(ana_notes):
    store, ana = ana_notes
    assert [n.id for n in recent_notes(store, ana.id)] == ["n-12", "n-15"]


def test_a_key_point_that_says_what_its_note_does_not_is_left_out_and_said_so(qtbot, panel_for):
    engine = FakeEngine()
    engine.enqueue(*_points_reply(("Ana never ran the incident review", ["n-12"]),
                                  ("Ana wrote the follow-up actions", ["n-15"])))
    panel, _session = panel_for(engine)
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        qtbot.mouseClick(panel.key_points_button, Qt.MouseButton.LeftButton)
    assert panel.points_view.toPlainText() == (
        f"• Ana wrote the follow-up actions ({short_date(_days_ago(5))})\n\n"
        "1 point the model wrote was left out: it said what its notes do not. "
        "Read the notes in the timeline.")


def test_key_points_stream_in_and_cite_their_notes(qtbot, panel_for):
    engine = FakeEngine(pause=0.002)
    engine.enqueue(*_points_reply(("Led the incident review", ["n-12", "n-15"])))
    panel, _session = panel_for(engine)
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        qtbot.mouseClick(panel.key_points_button, Qt.MouseButton.LeftButton)
    # Dates, not ids; the follow-up note it cites but does not draw on is not shown as its source.
    assert panel.points_view.toPlainText() == f"• Led the incident review ({short_date(_days_ago(20))})"
    assert '"note_ids": ["n-12", "n-15"]' in panel.stream_view.toPlainText()
    prompt = engine.requests[0].messages[-1].content
    assert "Wrote the follow-up actions" in prompt and "Old news" not in prompt
    assert panel.state_label.text() == "Ready" and panel.model_label.text() == "Model: Fake model"
    assert panel.points_caption.text() == "Key points about Ana Ruiz"
    assert panel.key_points_button.isEnabled() and not panel.stop_button.isEnabled()


def test_the_panel_shows_loading_with_progress_then_generating_with_tokens_per_second(
        qtbot, panel_for):
    engine = SlowLoadingEngine(pause=0.01)
    engine.enqueue(*_points_reply(*[("Point", ["n-12"])] * 8))
    panel, _session = panel_for(engine)
    panel.show()
    panel.on_key_points_clicked()
    qtbot.waitUntil(lambda: panel.state_label.text() == "Loading…", timeout=WAIT)
    qtbot.waitUntil(lambda: panel.load_progress.value() == 50, timeout=WAIT)
    assert panel.load_progress.isVisible() and panel.stop_button.isEnabled()
    assert not panel.key_points_button.isEnabled()
    engine.may_finish_loading.set()
    qtbot.waitUntil(lambda: "tokens/s" in panel.state_label.text(), timeout=WAIT)
    assert panel.state_label.text().startswith("Generating… · ")
    assert not panel.load_progress.isVisible()
    qtbot.waitUntil(lambda: not panel._bridge.busy, timeout=WAIT)


def test_esc_stops_the_model_and_keeps_the_partial_text(qtbot, panel_for):
    engine = FakeEngine(pause=0.05)
    engine.enqueue(*_points_reply(*[("A point about the incident review", ["n-12"])] * 8))
    panel, _session = panel_for(engine)
    with qtbot.waitSignal(panel._bridge.sig_pieces, timeout=WAIT):
        panel.on_key_points_clicked()
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        qtbot.keyClick(panel.stream_view, Qt.Key.Key_Escape)
    assert panel.state_label.text() == "Stopped"
    assert panel.stream_view.toPlainText().startswith('{"point')
    assert panel.points_view.toPlainText() == "Stopped before the key points were complete."


def test_a_failure_shows_the_reason(qtbot, panel_for):
    panel, _session = panel_for(ExplodingEngine())
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        panel.on_key_points_clicked()
    assert panel.state_label.text() == "Failed: RuntimeError: the GPU caught fire"
    assert panel.key_points_button.isEnabled()


def test_a_person_without_recent_notes_is_told_so(qtbot, panel_for, ana_notes):
    panel, _session = panel_for(FakeEngine())
    panel.set_person("p-li", "Li Wei")
    panel.on_key_points_clicked()
    assert panel.points_view.toPlainText() == "No notes about Li Wei in the last 90 days."
    assert not panel._bridge.busy


def test_locking_clears_the_panel(qtbot, panel_for):
    engine = FakeEngine()
    engine.enqueue(*_points_reply(("Led the incident review", ["n-12"])))
    panel, session = panel_for(engine)
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        panel.on_key_points_clicked()
    assert panel.points_view.toPlainText()
    session.lock()
    texts = [panel.stream_view.toPlainText(), panel.points_view.toPlainText(),
             panel.person_label.text(), panel.points_caption.text()]
    assert not any("Ana" in text for text in texts) and texts[:2] == ["", ""]
    assert not panel.key_points_button.isEnabled()


def test_locking_stops_a_running_generation_and_drops_its_text(qtbot, panel_for):
    engine = FakeEngine(pause=0.05)
    engine.enqueue(*_points_reply(*[("A point about the incident review", ["n-12"])] * 8))
    panel, session = panel_for(engine)
    with qtbot.waitSignal(panel._bridge.sig_pieces, timeout=WAIT):
        panel.on_key_points_clicked()
    with qtbot.waitSignal(panel._bridge.sig_job_ended, timeout=WAIT):
        session.lock()
    assert panel._bridge.state == "stopped"
    assert panel.stream_view.toPlainText() == panel.points_view.toPlainText() == ""


def test_every_control_has_an_accessible_name(qtbot, panel_for):
    panel, _session = panel_for(FakeEngine())
    from PySide6.QtWidgets import QAbstractButton, QLabel, QPlainTextEdit, QProgressBar
    controls = panel.findChildren(QAbstractButton) + panel.findChildren(QPlainTextEdit) + \
        panel.findChildren(QProgressBar)
    assert controls and all(c.accessibleName() for c in controls)
    assert all(label.accessibleName() or label.buddy() for label in panel.findChildren(QLabel))
