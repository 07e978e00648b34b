"""Quick capture on a full disk: the sentence shown, the text kept, the draft kept (pytest-qt).

The store lives on a real 2 MB tmpfs that the test fills. A save that the
disk refuses must leave the dialog open with the typed text in it and say
why; the autosave that runs every few seconds must not raise out of its
timer, and the last draft it did keep stays in the store for the next start.
"""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget  # noqa: E402

from app.services.autosave import Autosaves  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402
from fault_disk import fill  # noqa: E402
from test_faults import BIG_TEXT, fill_until_refused  # noqa: E402
from test_ui_timeline import open_editor  # noqa: E402
from ui import capture  # noqa: E402
from ui.capture import QuickCaptureDialog  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.timeline import TimelineView  # noqa: E402

EARLY_DRAFT = "Ana unblocked the release on Friday"
LONG_TEXT = f"{EARLY_DRAFT}. {BIG_TEXT}"  # under the 20,000-character cap, too big for the full disk


@pytest.fixture
def session(disk):
    store = Store.open(disk / "home", passphrase=PASSPHRASE, kdf=FAST_KDF)
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    opened = Session(store)
    yield opened
    opened.lock()


@pytest.fixture
def dialog_on_a_full_disk(qtbot, session, disk):
    """A capture dialog with an early draft autosaved, then the disk filled to the brim."""
    dialog = QuickCaptureDialog(session, person_id="p-ana")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.text_edit.setPlainText(EARLY_DRAFT)
    dialog.on_autosave_due()
    ballast = fill(disk)
    fill_until_refused(session.store)
    dialog.text_edit.setPlainText(LONG_TEXT)
    return dialog, ballast


def drafts(store) -> list[str]:
    return [u.text for u in Autosaves(store).pending() if u.slot == capture.AUTOSAVE_SLOT]


def test_a_refused_save_says_why_and_keeps_the_text_and_the_draft(dialog_on_a_full_disk, session):
    dialog, _ = dialog_on_a_full_disk
    dialog.on_save()
    assert dialog.isVisible() and dialog.text() == LONG_TEXT
    assert dialog.problem_label.isVisibleTo(dialog)
    assert dialog.problem_label.text() == (
        f"Could not save the note: the disk is full ({session.store.path}).")
    assert drafts(session.store) == [EARLY_DRAFT]
    assert session.store.integrity_problems() == []
    saved = session.store.db.execute("SELECT count(*) FROM notes WHERE text = ?", [LONG_TEXT])
    assert saved.fetchone()[0] == 0


def test_an_autosave_the_disk_refuses_is_reported_not_raised(dialog_on_a_full_disk, session):
    dialog, _ = dialog_on_a_full_disk
    dialog.on_autosave_due()
    assert dialog.problem_label.text() == (
        f"Could not keep a copy of the note: the disk is full ({session.store.path}).")
    assert dialog.text() == LONG_TEXT
    assert drafts(session.store) == [EARLY_DRAFT]


def test_locking_on_a_full_disk_keeps_the_last_draft_for_the_next_start(dialog_on_a_full_disk,
                                                                        session, disk):
    dialog, _ = dialog_on_a_full_disk
    session.lock()
    assert not dialog.isVisible()
    with Store.open(disk / "home", passphrase=PASSPHRASE) as reopened:
        assert drafts(reopened) == [EARLY_DRAFT]
        assert reopened.integrity_problems() == []


def test_once_there_is_room_again_the_same_dialog_saves(qtbot, dialog_on_a_full_disk, session):
    dialog, ballast = dialog_on_a_full_disk
    dialog.on_save()
    ballast.unlink()
    with qtbot.waitSignal(dialog.sig_saved) as saved:
        dialog.on_save()
    assert session.store.notes.get(saved.args[0]).text == LONG_TEXT.strip()
    assert drafts(session.store) == []


def test_cancel_on_a_full_disk_closes_and_the_draft_waits_for_the_next_start(dialog_on_a_full_disk,
                                                                            session, disk):
    dialog, _ = dialog_on_a_full_disk
    dialog.reject()
    assert not dialog.isVisible()
    session.lock()
    with Store.open(disk / "home", passphrase=PASSPHRASE) as reopened:
        assert drafts(reopened) == [EARLY_DRAFT]


# --- editing a note in the timeline -------------------------------------------------

@pytest.fixture
def timeline_on_a_full_disk(qtbot, session, disk):
    """The timeline beside a text field, on Ana's note, the disk then filled to the brim."""
    session.store.notes.add(person_id="p-ana", text="Ana unblocked the release", note_id="n-ana")
    host, timeline, other = QWidget(), TimelineView(session), QLineEdit()
    layout = QVBoxLayout(host)
    layout.addWidget(timeline)
    layout.addWidget(other)
    qtbot.addWidget(host)
    host.resize(640, 520)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
    timeline.show_person("p-ana")
    ballast = fill(disk)
    fill_until_refused(session.store)
    timeline.host = host  # the fixture's value keeps the window alive
    return timeline, other, ballast


def test_an_edit_the_disk_refuses_reopens_the_editor_with_the_typed_text(qtbot,
                                                                          timeline_on_a_full_disk,
                                                                          session):
    timeline, other, ballast = timeline_on_a_full_disk
    editor = open_editor(qtbot, timeline, "n-ana")
    editor.setPlainText(LONG_TEXT)
    timeline.autosave_now()
    assert timeline.message.text() == (
        f"Could not keep a copy of the note: the disk is full ({session.store.path}).")
    other.setFocus()
    qtbot.waitUntil(lambda: timeline.delegate.editor is not None
                    and timeline.delegate.editor.toPlainText() == LONG_TEXT)
    assert timeline.message.text() == (
        f"Could not save the change: the disk is full ({session.store.path}).")
    assert session.store.notes.get("n-ana").text == "Ana unblocked the release"
    assert session.store.integrity_problems() == []

    ballast.unlink()
    other.setFocus()
    qtbot.waitUntil(lambda: timeline.delegate.editor is None)
    assert session.store.notes.get("n-ana").text == LONG_TEXT
    assert drafts(session.store) == [] and [u.slot for u in Autosaves(session.store).pending()] == []
