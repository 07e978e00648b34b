"""Search palette: results as you type, keyboard choice, literal snippets (pytest-qt, offscreen)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QWidget  # noqa: E402

from ui.search_palette import (  # noqa: E402
    HINT, NO_MATCH, HitRole, HtmlRole, SearchPalette, snippet_html,
)
from ui.session import Session  # noqa: E402
from app.domain.dates import near_date  # noqa: E402


@pytest.fixture
def notes(team):
    """Three notes, written oldest first: search lists the newest first."""
    store, ana, li = team
    return {
        "ana": store.notes.add(person_id=ana.id, date="2026-01-12",
                               text="Shipped the billing migration two days early"),
        "li": store.notes.add(person_id=li.id, date="2026-01-20", kind="praise",
                              text="Paired with Ana on the billing dashboard"),
        "odd": store.notes.add(person_id=ana.id, date="2026-02-02",
                               text="Pasted <script>alert(1)</script> into the R&D wiki"),
    }


@pytest.fixture
def session(team, notes):
    opened = Session(team[0])
    yield opened
    opened.lock()  # stops pending searches before the store fixture closes the store


@pytest.fixture
def palette(qtbot, session):
    palette = SearchPalette(session)
    qtbot.addWidget(palette)
    with qtbot.waitActive(palette):
        palette.popup()
    return palette


def rows(palette) -> list:
    model = palette.hits_model
    return [model.index(row).data(HitRole) for row in range(model.rowCount())]


def test_empty_query_shows_the_hint(palette):
    assert palette.status_label.isVisible() and palette.status_label.text() == HINT
    assert not palette.results_view.isVisible()
    assert QApplication.focusWidget() is palette.query_edit


def test_results_appear_as_you_type_newest_first(qtbot, palette, notes):
    qtbot.keyClicks(palette.query_edit, "bill")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    assert [hit.note_id for hit in rows(palette)] == [notes["li"].id, notes["ana"].id]
    first = palette.hits_model.index(0)
    assert first.data().startswith(f"Li Wei · {near_date('2026-01-20')} · Praise\n")  # "20 Jan"
    assert "<b>billing</b>" in first.data(HtmlRole)
    assert palette.results_view.isVisible() and not palette.status_label.isVisible()


def test_down_and_enter_choose_a_note_with_focus_kept_in_the_search_line(qtbot, palette, notes):
    qtbot.keyClicks(palette.query_edit, "billing")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    qtbot.keyClick(palette.query_edit, Qt.Key.Key_Down)
    assert palette.results_view.currentIndex().row() == 1
    assert QApplication.focusWidget() is palette.query_edit
    qtbot.keyClick(palette.query_edit, Qt.Key.Key_Up)
    qtbot.keyClick(palette.query_edit, Qt.Key.Key_Down)
    qtbot.keyClick(palette.query_edit, Qt.Key.Key_Down)   # stops at the last row
    with qtbot.waitSignal(palette.sig_note_chosen) as chosen:
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Return)
    assert chosen.args == [notes["ana"].id, "p-ana"]
    assert not palette.isVisible()


def test_enter_opens_the_row_when_the_answer_came_before_the_search_said_it_ended(
        qtbot, palette, notes, ended_held_back):
    """A search's answer reaches the window a moment before its thread says it has ended; on
    a busy machine Enter can fall in between, and must open the row the manager sees."""
    qtbot.keyClicks(palette.query_edit, "billing")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    assert palette._searching.running  # the answer is shown; its thread has not said it ended
    with qtbot.waitSignal(palette.sig_note_chosen, timeout=2000) as chosen:
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Return)
    assert chosen.args == [notes["li"].id, "p-li"]


def test_enter_straight_after_typing_picks_the_top_result(qtbot, palette, notes):
    qtbot.keyClicks(palette.query_edit, "dashboard")
    with qtbot.waitSignal(palette.sig_note_chosen) as chosen:
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Enter)
    assert chosen.args == [notes["li"].id, "p-li"]


def test_no_results_says_so(qtbot, palette):
    qtbot.keyClicks(palette.query_edit, "zebra")
    qtbot.waitUntil(lambda: palette.status_label.text() == NO_MATCH)
    assert palette.status_label.isVisible() and rows(palette) == []
    with qtbot.assertNotEmitted(palette.sig_note_chosen):
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Return)
    assert palette.isVisible()


def test_note_text_that_looks_like_html_is_shown_literally(qtbot, palette, notes):
    qtbot.keyClicks(palette.query_edit, "script")
    qtbot.waitUntil(lambda: len(rows(palette)) == 1)
    index = palette.hits_model.index(0)
    assert "&lt;<b>script</b>&gt;" in index.data(HtmlRole)
    option = QStyleOptionViewItem()
    option.initFrom(palette.results_view)
    option.rect = palette.results_view.viewport().rect()
    shown = palette.results_view.itemDelegate().document(option, index).toPlainText()
    assert "Pasted <script>alert(1)</script> into the R&D wiki" in shown
    assert not palette.results_view.grab().isNull()       # and painting it works


def test_snippet_html_escapes_before_marking():
    assert snippet_html("a <i>\x02x\x03</i> & b") == "a &lt;i&gt;<b>x</b>&lt;/i&gt; &amp; b"


def test_escape_closes_without_choosing(qtbot, palette):
    qtbot.keyClicks(palette.query_edit, "billing")
    with qtbot.assertNotEmitted(palette.sig_note_chosen):
        qtbot.keyClick(palette.query_edit, Qt.Key.Key_Escape)
    assert not palette.isVisible()


def test_reopening_starts_empty(qtbot, palette):
    qtbot.keyClicks(palette.query_edit, "billing")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    palette.reject()
    palette.popup()
    assert palette.query_edit.text() == "" and rows(palette) == []
    assert palette.status_label.text() == HINT


def test_locking_clears_the_palette(qtbot, palette, session):
    qtbot.keyClicks(palette.query_edit, "billing")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    session.lock()
    assert rows(palette) == [] and palette.query_edit.text() == ""
    assert not palette.isVisible()


def test_clicking_elsewhere_closes_it(qtbot, palette):
    other = QWidget()
    qtbot.addWidget(other)
    with qtbot.waitActive(other):
        other.show()
        other.activateWindow()
    qtbot.waitUntil(lambda: not palette.isVisible())


def test_every_control_has_an_accessible_name(palette):
    for control in (palette, palette.query_edit, palette.results_view, palette.status_label):
        assert control.accessibleName()


def test_the_search_runs_off_the_gui_thread_on_a_connection_of_its_own(qtbot, palette, notes, monkeypatch):
    """Typing never waits for a search (issue 17): it runs on the thread pool."""
    import threading

    from app.store.store import Store

    ran_on, real = [], Store.search

    def recording(self, *args, **kwargs):
        ran_on.append(threading.current_thread() is threading.main_thread())
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Store, "search", recording)
    qtbot.keyClicks(palette.query_edit, "bill")
    qtbot.waitUntil(lambda: len(rows(palette)) == 2)
    assert ran_on and not any(ran_on)


def test_search_answers_while_long_jobs_fill_the_thread_pool(qtbot, palette, notes):
    """Copying or hashing a model file runs on the global pool; a search must not wait for it."""
    import threading
    from PySide6.QtCore import QThreadPool
    from ui.operations import in_pool
    release = threading.Event()
    pool = QThreadPool.globalInstance()
    busy = [in_pool(lambda _report, _stop: release.wait(30)) for _ in range(pool.maxThreadCount())]
    try:
        qtbot.keyClicks(palette.query_edit, "billing")
        qtbot.waitUntil(lambda: len(rows(palette)) == 2, timeout=5000)
    finally:
        release.set()
        pool.waitForDone(5000)
    assert len(busy) == pool.maxThreadCount()
