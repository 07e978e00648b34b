"""Team data Trellis copied leaves the clipboard when the session locks or Trellis quits (pytest-qt).

The copies are made the way a manager makes them (Copy Markdown in the
Share agenda dialog, Copy as plain text in the Reviews tab) on a real
store; locking goes through ``Session.lock`` as Ctrl+L and the idle lock
do. Whatever the manager copied themselves since is never touched.
Quitting is checked in a child process, where the application really quits.
The other way an agenda leaves, Save as Markdown, writes an owner-only file.
"""

import os
import stat
import subprocess
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from conftest import REPO  # noqa: E402
from app.domain.records import AgendaItem  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.reviews.body import Body, Section, Statement  # noqa: E402
from app.reviews.versions import save_draft  # noqa: E402
from app.services.agenda import next_agenda  # noqa: E402
from ui.agenda_share import ShareAgendaDialog  # noqa: E402
from ui.clipboard_guard import clear_team_text, copy_team_text, guard  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.person_page import PersonPage  # noqa: E402
from ui.session import Session  # noqa: E402

MINE = "something the manager copied from their browser"


def clipboard_text() -> str:
    return QApplication.clipboard().text()


@pytest.fixture
def session(team, qapp):
    guard().copied = None
    opened = Session(team[0])
    yield opened
    opened.lock()


@pytest.fixture
def agenda_dialog(qtbot, session):
    store = session.store
    store.meetings.add(person_id="p-ana", date="2026-03-12", notes="Ana is worried about her visa.",
                       agenda=(AgendaItem("Talk about the on-call load", "report"),))
    dialog = ShareAgendaDialog(next_agenda(store, "p-ana"), title="1:1 agenda: Ana Ruiz", first_name="Ana")
    qtbot.addWidget(dialog)
    return dialog


# --- the guard itself ---------------------------------------------------------------------------

def test_clearing_empties_the_clipboard_only_while_it_holds_what_trellis_copied(qapp):
    copy_team_text("Ana: on-call load")
    assert clipboard_text() == "Ana: on-call load"
    assert clear_team_text() is True
    assert clipboard_text() == ""
    copy_team_text("Ana: on-call load")
    QApplication.clipboard().setText(MINE)
    assert clear_team_text() is False
    assert clipboard_text() == MINE


def test_clearing_twice_or_without_a_copy_touches_nothing(qapp):
    guard().copied = None
    QApplication.clipboard().setText(MINE)
    assert clear_team_text() is False
    copy_team_text("Li: promotion case")
    assert clear_team_text() is True
    QApplication.clipboard().setText(MINE)
    assert clear_team_text() is False          # forgotten after the first clear
    assert clipboard_text() == MINE


def test_there_is_one_guard_per_application(qapp):
    assert guard() is guard()
    assert guard().parent() is qapp


# --- copies made in the window, cleared on lock -----------------------------------------------

def test_a_shared_agenda_copied_is_cleared_when_the_session_locks(agenda_dialog, session):
    agenda_dialog.on_copy()
    copied = clipboard_text()
    assert "Talk about the on-call load" in copied
    assert guard().copied == copied
    session.lock()
    assert clipboard_text() == ""


def test_what_the_manager_copied_after_the_agenda_survives_the_lock(agenda_dialog, session):
    agenda_dialog.on_copy()
    QApplication.clipboard().setText(MINE)
    session.lock()
    assert clipboard_text() == MINE


def test_locking_an_already_locked_session_leaves_the_clipboard(agenda_dialog, session):
    session.lock()
    QApplication.clipboard().setText(MINE)
    session.lock()
    assert clipboard_text() == MINE


def test_draft_text_copied_from_the_reviews_tab_is_cleared_on_lock(qtbot, session):
    store = session.store
    note = store.notes.add(person_id="p-ana", date="2026-02-10",
                           text="Ana led the billing migration and shipped early.")
    statement = Statement("Ana led the billing migration.", (note.id,))
    body = Body("review", "p-ana", "Ana Ruiz", "2026-01-01", "2026-06-30",
                (Section("strengths", "Strengths", (statement,)),), None,
                sources={note.id: {"type": "note", "date": note.date, "title": None}})
    draft = save_draft(store, body)
    bridge = ModelBridge(engine_factory=FakeEngine)
    page = PersonPage(session, bridge)
    qtbot.addWidget(page)
    try:
        page.show_person("p-ana")
        page.reviews_tab.open_draft(draft.id)
        text = page.reviews_tab.copy_plain_text()
        assert "Ana led the billing migration." in text and clipboard_text() == text
        session.lock()
        assert clipboard_text() == ""
    finally:
        bridge.shutdown()


# --- quitting -------------------------------------------------------------------------------------

QUIT_CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.clipboard_guard import copy_team_text
app = QApplication([])
copy_team_text("Ana: on-call load")
if sys.argv[1] == "mine":
    app.clipboard().setText("mine")
QTimer.singleShot(0, app.quit)
app.exec()
print(repr(app.clipboard().text()))
"""


@pytest.mark.parametrize("last_copy, left", [("trellis", "''"), ("mine", "'mine'")])
def test_quitting_clears_what_trellis_copied_and_only_that(last_copy, left):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", QUIT_CHILD, last_copy], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == left


# --- the other way an agenda leaves: Save as Markdown -------------------------------------------

def test_a_saved_agenda_is_readable_by_the_owner_only_even_over_a_shared_file(agenda_dialog, tmp_path):
    earlier = tmp_path / "agenda.md"
    earlier.write_text("an older copy\n")
    earlier.chmod(0o644)
    assert agenda_dialog.save_to(earlier)
    assert "Talk about the on-call load" in earlier.read_text()
    assert stat.S_IMODE(earlier.stat().st_mode) == 0o600
    assert agenda_dialog.save_to(tmp_path / "new agenda")
    assert stat.S_IMODE((tmp_path / "new agenda.md").stat().st_mode) == 0o600


def test_text_copied_with_ctrl_c_in_a_note_is_cleared_on_lock(qtbot, session):
    """Only the Copy buttons were guarded; Ctrl+C in any text view left the note behind."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setPlainText("Ana's chemotherapy starts in March")
    qtbot.addWidget(view)
    view.show()
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    view.selectAll()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "Ana's chemotherapy starts in March"
    session.lock()
    assert QApplication.clipboard().text() == ""
