"""The Reviews tab's evidence side: cycle picker, coverage heatmap and evidence panel.

Real widgets (pytest-qt, offscreen) over the real store in the test's data
dir; the suggestion run goes through a real ModelBridge thread with the
fake engine scripted to answer the suggestion prompt.
"""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, QLocale, QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.reviews.body import Coverage  # noqa: E402
from ui.cycle_picker import CUSTOM_PERIOD, CyclePicker, NewCycleDialog  # noqa: E402
from ui.heatmap import UNTAGGED_NAME, CoverageHeatmap  # noqa: E402
from ui.session import Session  # noqa: E402

WAIT = 10_000


@pytest.fixture(autouse=True)
def english_dates():
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


@pytest.fixture
def session(team):
    opened = Session(team[0])
    yield opened
    opened.lock()


# --- the cycle picker -------------------------------------------------------------

@pytest.fixture
def picker(qtbot, session):
    widget = CyclePicker(session, today=QDate(2026, 6, 15))
    qtbot.addWidget(widget)
    return widget


def _combo_texts(picker) -> list[str]:
    return [picker.cycle_combo.itemText(i) for i in range(picker.cycle_combo.count())
            if picker.cycle_combo.itemText(i)]


def test_without_cycles_the_custom_period_is_the_last_six_months(picker):
    assert _combo_texts(picker) == [CUSTOM_PERIOD]
    assert picker.period() == ("2025-12-16", "2026-06-15", None)
    assert picker.start_edit.isEnabled() and picker.end_edit.isEnabled()
    assert picker.status_chip.isHidden()


def test_custom_dates_change_the_period_and_a_backwards_period_is_refused(picker, qtbot):
    seen = []
    picker.sig_period_changed.connect(lambda *args: seen.append(args))
    picker.start_edit.setDate(QDate(2026, 1, 1))
    assert seen == [("2026-01-01", "2026-06-15", None)]
    picker.end_edit.setDate(QDate(2025, 12, 1))
    assert len(seen) == 1 and picker.period_problem.isVisibleTo(picker)
    assert "ends before it starts" in picker.period_problem.text()
    picker.end_edit.setDate(QDate(2026, 3, 31))
    assert seen[-1] == ("2026-01-01", "2026-03-31", None)
    assert picker.period_problem.isHidden()


def test_picker_lists_cycles_newest_first_and_locks_the_dates_to_the_cycle(session, team, qtbot):
    store = team[0]
    store.review_cycles.add(name="H2 2025", period_start="2025-07-01", period_end="2025-12-31",
                            cycle_id="rc-h2")
    store.review_cycles.add(name="H1 2026", period_start="2026-01-01", period_end="2026-06-30",
                            due="2026-07-15", cycle_id="rc-h1")
    picker = CyclePicker(session, today=QDate(2026, 6, 15))
    qtbot.addWidget(picker)
    texts = _combo_texts(picker)
    assert texts[0].startswith("H1 2026") and "1 Jan 2026 – 30 Jun 2026" in texts[0]
    assert "due 15 Jul" in texts[0]
    assert texts[1].startswith("H2 2025") and texts[-1] == CUSTOM_PERIOD
    assert picker.period() == ("2026-01-01", "2026-06-30", "rc-h1")
    assert not picker.start_edit.isEnabled()
    with qtbot.waitSignal(picker.sig_period_changed) as changed:
        picker.select_cycle("rc-h2")
    assert changed.args == ["2025-07-01", "2025-12-31", "rc-h2"]
    assert picker.start_edit.date() == QDate(2025, 7, 1)
    with qtbot.waitSignal(picker.sig_period_changed) as changed:
        picker.select_cycle(None)
    assert changed.args == ["2025-12-16", "2026-06-15", None]
    assert picker.start_edit.isEnabled()


def test_status_chip_follows_the_store(session, team, qtbot):
    store, ana, li = team
    store.review_cycles.add(name="H1 2026", period_start="2026-01-01", period_end="2026-06-30",
                            cycle_id="rc-h1")
    picker = CyclePicker(session)
    qtbot.addWidget(picker)
    picker.set_person(ana.id)
    assert picker.status_chip.isVisibleTo(picker) and picker.status_chip.text() == "Not started"
    draft = store.drafts.create(kind="review", person_id=ana.id, period_start="2026-01-01",
                                period_end="2026-06-30", cycle_id="rc-h1")
    session.changed("drafts")
    assert picker.status_chip.text() == "Drafting"
    assert "Ana Ruiz's review in H1 2026: drafting" == picker.status_chip.toolTip()
    store.drafts.save_version(draft.id, body={}, model_sha256="0" * 64, prompts=[])
    store.drafts.mark_final(draft.id)
    picker.refresh()
    assert picker.status_chip.text() == "Final"
    picker.set_person(li.id)
    assert picker.status_chip.text() == "Not started"
    picker.select_cycle(None)
    assert picker.status_chip.isHidden()


def test_new_cycle_dialog_refuses_a_backwards_period_in_place_and_saves_nothing(picker, team, qtbot):
    store = team[0]
    dialog = picker.open_new_cycle()
    qtbot.waitUntil(dialog.isVisible)
    dialog.buttons.accepted.emit()
    assert "Give the cycle a name" in dialog.error_label.text() and dialog.isVisible()
    dialog.name_edit.setText("H1 2026")
    dialog.start_edit.setDate(QDate(2026, 6, 30))
    dialog.end_edit.setDate(QDate(2026, 1, 1))
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.error_label.isVisibleTo(dialog)
    assert "ends on 1 Jan 2026, before it starts on 30 Jun 2026" in dialog.error_label.text()
    assert store.review_cycles.list() == []
    dialog.start_edit.setDate(QDate(2026, 1, 1))
    dialog.end_edit.setDate(QDate(2026, 6, 30))
    dialog.due_check.setChecked(True)
    dialog.due_edit.setDate(QDate(2025, 12, 1))
    dialog.buttons.accepted.emit()
    assert "due date is before the period starts" in dialog.error_label.text()
    assert store.review_cycles.list() == []
    dialog.due_edit.setDate(QDate(2026, 7, 15))
    with qtbot.waitSignal(picker.sig_period_changed) as changed:
        dialog.buttons.accepted.emit()
    [cycle] = store.review_cycles.list()
    assert (cycle.name, cycle.period_start, cycle.period_end, cycle.due) == (
        "H1 2026", "2026-01-01", "2026-06-30", "2026-07-15")
    assert changed.args == ["2026-01-01", "2026-06-30", cycle.id]
    assert picker.period()[2] == cycle.id


def test_new_cycle_dialog_refuses_a_name_already_taken(team, qtbot):
    store = team[0]
    store.review_cycles.add(name="H1 2026", period_start="2026-01-01", period_end="2026-06-30")
    dialog = NewCycleDialog(store, start=QDate(2026, 1, 1), end=QDate(2026, 6, 30))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("h1 2026")
    dialog.on_save()
    assert "already a review cycle called “h1 2026”" in dialog.error_label.text()
    assert len(store.review_cycles.list()) == 1 and dialog.saved_cycle is None


def test_locking_empties_the_picker(picker, session):
    picker.set_person("p-ana")
    session.lock()
    assert picker.cycle_combo.count() == 0 and picker.status_chip.isHidden()


# --- the heatmap --------------------------------------------------------------------

COVERAGE = Coverage(
    months=("2026-01", "2026-02", "2026-03"),
    competencies=(("c-delivery", "Delivery"), ("c-collab", "Collaboration"), ("", "")),
    counts=((2, 0, 1), (0, 0, 0), (5, 0, 0)),
    empty_months=("2026-02",), without_evidence=("c-collab",), recent_share=0.6,
    warnings=("No notes in February 2026.", "No evidence on Collaboration."))


@pytest.fixture
def heatmap(qtbot):
    widget = CoverageHeatmap()
    qtbot.addWidget(widget)
    widget.set_coverage(COVERAGE)
    widget.resize(widget.sizeHint())
    return widget


def test_heatmap_cells_are_competencies_by_months_with_counts(heatmap):
    assert heatmap.row_names() == ["Delivery", "Collaboration", UNTAGGED_NAME]
    grid = [[heatmap.cell_text(row, column) for column in range(3)] for row in range(3)]
    assert grid == [["2", "0", "5"], ["0", "0", "0"], ["1", "0", "0"]]
    assert [heatmap.is_empty_month(c) for c in range(3)] == [False, True, False]
    assert [heatmap.is_without_evidence(r) for r in range(3)] == [False, True, False]


def test_heatmap_tooltips_and_hit_testing_match_the_cells(heatmap):
    for row in range(3):
        for column in range(3):
            centre = heatmap.cell_rect(row, column).center()
            assert heatmap.cell_at(centre) == (row, column)
    assert heatmap.cell_at(QPoint(1, 1)) is None
    assert heatmap.tooltip_for(0, 2) == "Delivery, March 2026: 5 notes"
    assert heatmap.tooltip_for(2, 0) == f"{UNTAGGED_NAME}, January 2026: 1 note"
    flagged = heatmap.tooltip_for(1, 1)
    assert "No notes at all in February 2026." in flagged
    assert "No evidence on Collaboration in this period." in flagged


def test_heatmap_speaks_a_summary_and_sizes_itself(heatmap):
    summary = heatmap.accessibleDescription()
    assert summary == heatmap.summary()
    assert "3 months from January 2026 to March 2026" in summary
    assert "Months with no notes: February 2026." in summary
    assert "Competencies without evidence: Collaboration." in summary
    hint = heatmap.sizeHint()
    assert hint.width() >= heatmap.cell_rect(0, 2).right() and hint.height() > heatmap.cell_rect(2, 0).bottom()
    heatmap.set_coverage(None)
    assert heatmap.sizeHint().isEmpty() and heatmap.summary() == "No coverage to show."


def test_heatmap_paints_deeper_for_more_notes(heatmap):
    image = heatmap.grab().toImage()
    ratio = image.devicePixelRatio()

    def lightness(row, column):
        rect = heatmap.cell_rect(row, column)
        return image.pixelColor(int((rect.left() + 4) * ratio), int((rect.top() + 4) * ratio)).lightness()
    assert lightness(0, 2) < lightness(0, 0) < lightness(1, 0)
