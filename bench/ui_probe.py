"""A child process for the window benchmark (``bench/ui.py``): one measurement, as JSON.

    python bench/ui_probe.py startup   first paint time (time.time()) and idle RSS
    python bench/ui_probe.py stall     event-loop delays while the real model generates

The data dir and passphrase come from TRELLIS_HOME and TRELLIS_PASSPHRASE.
"""

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

TICK_MS = 5


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class FirstPaint(QObject):
    def __init__(self, on_paint):
        super().__init__()
        self._on_paint, self._seen = on_paint, False

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            QTimer.singleShot(0, self._on_paint)
        return False


def startup() -> dict:
    app = QApplication(sys.argv[:1])
    from ui.main import _unlock_if_possible
    from ui.session import Session
    from ui.window import MainWindow
    result = {}
    session = Session()
    window = MainWindow(session)
    window.resize(1280, 800)
    _unlock_if_possible(session, window)

    def painted():
        result["painted_at"] = time.time()
        QTimer.singleShot(2000, settle)

    def ready():  # the data is open and the team list shows the team
        if "ready_at" not in result and not session.is_locked and window.team.model.rowCount():
            result["ready_at"] = time.time()

    poll = QTimer()
    poll.timeout.connect(ready)
    poll.start(5)

    def settle():
        result["idle_rss_mb"] = rss_mb()
        app.quit()

    watcher = FirstPaint(painted)
    window.installEventFilter(watcher)
    window.show()
    app.exec()
    window.bridge.shutdown()
    return result


def stall() -> dict:
    app = QApplication(sys.argv[:1])
    from app.llm.engine import ChatMessage, GenerationRequest
    from ui.main import _unlock_if_possible
    from ui.session import Session
    from ui.window import MainWindow
    session = Session()
    window = MainWindow(session)
    window.resize(1280, 800)
    _unlock_if_possible(session, window)
    window.show()
    delays, clock, generating = [], QElapsedTimer(), {"on": False}
    request = GenerationRequest((ChatMessage("user", "Write a long story about a lighthouse keeper."),),
                                max_tokens=300, temperature=0.7)

    def tick():
        elapsed = clock.nsecsElapsed() / 1e6
        clock.restart()
        if generating["on"]:
            delays.append(max(0.0, elapsed - TICK_MS))

    def on_state(state, _detail):
        if state == "ready" and not generating.get("asked"):
            generating["asked"] = True
            generating["on"] = True
            window.bridge.generate(request)
        elif state in ("stopped", "failed") or (state == "ready" and generating.get("asked")):
            generating["on"] = False
            QTimer.singleShot(100, app.quit)

    window.bridge.sig_state_changed.connect(on_state)
    window.bridge.sig_finished.connect(lambda _g: (generating.update(on=False), QTimer.singleShot(100, app.quit)))
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    window.bridge.load()
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    window.bridge.shutdown()
    return {"delays_ms": delays}


if __name__ == "__main__":
    mode = sys.argv[1]
    print(json.dumps({"startup": startup, "stall": stall}[mode]()))
