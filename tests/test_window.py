"""The minimal window over a real store (pytest-qt, offscreen)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from ui.models import PersonRole  # noqa: E402
from ui.window import MainWindow  # noqa: E402


@pytest.fixture
def window(qtbot, team):
    store, ana, li = team
    for day in range(1, 29):
        store.notes.add(person_id=ana.id, text=f"Note {day}", date=f"2026-02-{day:02d}")
    win = MainWindow(store)
    qtbot.addWidget(win)
    return win


def test_team_list_shows_everyone_by_name(window):
    model = window.people_model
    names = [model.index(row).data(PersonRole).name for row in range(model.rowCount())]
    assert names == ["Ana Ruiz", "Li Wei"]
    assert "Backend Engineer · L3" in model.index(0).data()


def test_selecting_a_person_shows_their_notes_newest_first(window):
    assert window.person_title.text() == "Ana Ruiz — 28 notes"
    assert window.notes_model.index(0).data().startswith("2026-02-28")


def test_long_timelines_load_a_page_at_a_time(qtbot, team):
    store, ana, _ = team
    with store.atomic():
        for n in range(450):
            store.notes.add(person_id=ana.id, text=f"Observation {n}", date="2026-01-01")
    win = MainWindow(store)
    qtbot.addWidget(win)
    assert win.notes_model.rowCount() == 200
    win.notes_model.fetchMore()
    win.notes_model.fetchMore()
    assert win.notes_model.rowCount() == 450
    assert not win.notes_model.canFetchMore()


def test_empty_store_shows_the_empty_state(qtbot, store):
    win = MainWindow(store)
    qtbot.addWidget(win)
    assert win.pages.currentWidget() is win.empty_label


def test_every_view_has_an_accessible_name(window):
    assert window.team_view.accessibleName() == "Team"
    assert window.notes_view.accessibleName() == "Notes"
