"""An exception nothing caught, in a slot or a thread, is a sentence in a dialog.

Real widgets and real hooks: a button whose slot raises, a Python thread that
raises, and ``trellis-desktop`` itself, which must install the hooks. The
unexpected error's log must name the slot but not quote the note text the
exception carried.
"""

import os
import sys
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QMainWindow, QPushButton  # noqa: E402

from app.error_log import LOG_NAME  # noqa: E402
from app.errors import NotFound  # noqa: E402
from ui.error_report import TITLE, ErrorReport  # noqa: E402

pytestmark = pytest.mark.qt_no_exception_capture
SECRET = "Li is interviewing elsewhere"


@pytest.fixture
def window(qtbot):
    main_window = QMainWindow()
    qtbot.addWidget(main_window)
    main_window.show()
    return main_window


@pytest.fixture
def report(window):
    installed = ErrorReport(window).install()
    yield installed
    installed.uninstall()


def _button_raising(window, exc: Exception) -> QPushButton:
    def on_save_clicked():
        raise exc
    button = QPushButton("Save", window)
    button.clicked.connect(on_save_clicked)
    return button


def _shown(qtbot, report, count: int = 1) -> str:
    qtbot.waitUntil(lambda: report.dialog is not None and report.dialog.isVisible()
                    and len(report.sentences) >= count, timeout=5000)
    return report.dialog.text()


def test_an_unexpected_error_in_a_slot_is_a_sentence_and_a_log_without_note_text(
        qtbot, window, report, data_home):
    from PySide6.QtCore import Qt
    button = _button_raising(window, ValueError(f"cannot word {SECRET!r}"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    log = data_home / "logs" / LOG_NAME
    assert _shown(qtbot, report) == f"unexpected error (ValueError) — details in {log}."
    assert report.dialog.windowTitle() == TITLE
    assert "Traceback" not in report.dialog.text() + report.dialog.informativeText()
    text = log.read_text(encoding="utf-8")
    assert "interviewing" not in text
    assert "in on_save_clicked" in text and "unexpected ValueError" in text


def test_a_trellis_error_in_a_slot_shows_its_own_sentence(qtbot, window, report, data_home):
    from PySide6.QtCore import Qt
    button = _button_raising(window, NotFound("No person matches 'Zed' (by id or name)"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert _shown(qtbot, report) == "No person matches 'Zed' (by id or name)"
    assert not (data_home / "logs").exists(), "an explained error is not a bug to log"


def test_errors_from_threads_reach_the_main_thread_and_gather_in_one_dialog(qtbot, report):
    def fail(message):
        raise KeyError(message)
    for word in (SECRET, "second"):
        worker = threading.Thread(target=fail, args=(word,))
        worker.start()
        worker.join()
    text = _shown(qtbot, report, count=2)
    first_dialog = report.dialog
    assert text.count("unexpected error (KeyError)") == 2
    assert SECRET not in text
    report.dialog.close()
    report.sig_failed.emit("Could not use /backups: permission denied.")
    assert _shown(qtbot, report) == "Could not use /backups: permission denied."
    assert report.dialog is not first_dialog


def test_uninstall_gives_the_hooks_back(window):
    before = (sys.excepthook, threading.excepthook)
    installed = ErrorReport(window).install()
    assert sys.excepthook == installed.on_exception
    assert threading.excepthook == installed.on_thread_exception
    installed.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_trellis_desktop_installs_the_hooks(tmp_path, qtbot):
    from ui import main as desktop
    before = (sys.excepthook, threading.excepthook)
    try:
        assert desktop.main(["--screenshot", str(tmp_path / "shot.png")]) == 0
        hook = sys.excepthook
        assert isinstance(getattr(hook, "__self__", None), ErrorReport)
        assert threading.excepthook == hook.__self__.on_thread_exception
    finally:
        sys.excepthook, threading.excepthook = before
