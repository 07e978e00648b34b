"""The Reviews tab at 1280×800 with every default panel open, as the window opens (issue 18,
item 3): the draft keeps room to be read, and the screenshot shows what the manager sees."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from app.llm.fake_engine import FakeEngine  # noqa: E402
from conftest import copying_engine  # noqa: E402
from app.services.sample import load_sample_team  # noqa: E402
from ui.main import _prepare_page  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.session import Session  # noqa: E402
from ui.window import MainWindow  # noqa: E402

READABLE_PX = 400  # about 55 characters a line in the default font



@pytest.fixture
def window(qtbot, store):
    from app.llm.prompts import PromptLibrary
    from app.reviews.review_draft import draft_review
    from app.reviews.versions import save_draft
    load_sample_team(store)
    person = next(p for p in store.people.list() if store.notes.count_for_person(p.id) >= 10)
    save_draft(store, draft_review(store, copying_engine(), PromptLibrary(), person.id,
                                   "2026-01-01", "2026-12-31"))
    opened = MainWindow(Session(store), bridge=ModelBridge(engine_factory=FakeEngine))
    qtbot.addWidget(opened)
    opened.resize(1280, 800)
    opened.show()
    yield opened
    opened.bridge.shutdown()
    opened.session.lock()


def test_the_draft_stays_readable_with_the_assistant_open(window, qtbot):
    _prepare_page(window, "reviews")
    tab = window.person.reviews_tab
    qtbot.waitUntil(lambda: tab.body is not None)
    assert window.assistant_dock.isVisible(), "the screenshot shows the window as it opens"
    assert window.person.tabs.currentWidget() is tab
    qtbot.wait(100)  # the layout settles, as in the screenshot
    view = tab.draft_view
    assert view.width() >= READABLE_PX, view.width()
    [summary, *_] = tab.body.sections
    block = view.block(summary.key)
    assert block is not None and block.width() >= READABLE_PX - 40
    assert tab.side.isVisible() and tab.side.tabText(0) == "Evidence"


def test_the_checks_tab_counts_what_waits_there(window, qtbot):
    _prepare_page(window, "reviews")
    tab = window.person.reviews_tab
    qtbot.waitUntil(lambda: tab.body is not None)
    waiting = len(tab.findings.cards) + len(tab.findings.left_out.cards)
    assert tab.side.tabText(1) == (f"Checks ({waiting})" if waiting else "Checks")
    tab.clear()
    assert tab.side.tabText(1) == "Checks"


def test_the_team_list_fits_its_column(window, qtbot):
    view = window.team.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0)
    qtbot.wait(50)
    assert view.horizontalScrollBar().maximum() == 0  # rows elide their text, never scroll sideways


def test_the_assistant_shows_beside_the_team_only_and_comes_back_from_the_menu(
        qtbot, store, data_home):
    from app.store import Store
    from conftest import FAST_KDF, PASSPHRASE
    from ui.notices import Change
    window = MainWindow(Session(store), bridge=ModelBridge(engine_factory=FakeEngine))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        dock, action = window.assistant_dock, window.assistant_dock.toggleViewAction()
        assert not dock.isVisible(), "the welcome page has no one for the Assistant to help with"
        load_sample_team(store)
        window.session.changed(Change.SAMPLE)
        qtbot.waitUntil(dock.isVisible)
        dock.close()                                   # the manager closes it with its ×
        assert not action.isChecked()
        window.lock()
        assert not dock.isVisible() and not action.isEnabled()
        window.session.unlock(Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF))
        assert action.isEnabled() and not dock.isVisible()  # closed stays closed
        action.trigger()                               # Trellis ▸ Show the Assistant
        assert dock.isVisible() and action.text() == "Show the Assistant"
    finally:
        window.bridge.shutdown()
        window.session.lock()
