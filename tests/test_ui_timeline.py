"""The timeline and the trash over a real store (pytest-qt, offscreen, keyboard first)."""

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, QLocale, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QAction, QKeySequence, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit, QVBoxLayout, QWidget  # noqa: E402

from app.errors import NotFound  # noqa: E402
from app.services.autosave import Autosaves  # noqa: E402
from ui import chips, trash_dialog  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.chips import CompetencyNamesRole, MonthRole, NoteRole, kind_colours  # noqa: E402
from ui.timeline import TimelineView  # noqa: E402
from ui.trash_dialog import TrashDialog  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def english_dates():
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


@pytest.fixture
def timeline(qtbot, session):
    view = TimelineView(session)
    qtbot.addWidget(view)
    view.resize(640, 480)
    return view


@pytest.fixture
def on_screen(qtbot, timeline):
    """The timeline in an active window beside a text field, with the window's shortcuts."""
    host = QWidget()
    other = QLineEdit()
    other.setAccessibleName("Somewhere else")
    layout = QVBoxLayout(host)
    layout.addWidget(timeline)
    layout.addWidget(other)
    qtbot.addWidget(host)
    undo = timeline.undo_stack.createUndoAction(host)
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = timeline.undo_stack.createRedoAction(host)
    redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
    stop = QAction("Stop the assistant", host)  # the window binds Esc too
    stop.setShortcut(QKeySequence("Esc"))
    host.stops = []
    stop.triggered.connect(lambda: host.stops.append(True))
    host.addActions([undo, redo, stop])
    host.resize(640, 520)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
    host.other = other
    return host


def add(store, person, date, text, kind="observation", competencies=()):
    return store.notes.add(person_id=person.id, text=text, date=date, kind=kind,
                           competencies=competencies)


def rows(view) -> list[str]:
    model = view.model
    return [model.index(row).data() for row in range(model.rowCount())]


def headers(view) -> list[str]:
    model = view.model
    return [model.index(r).data() for r in range(model.rowCount()) if model.index(r).data(MonthRole)]


def focus_note(view, note_id):
    view.notes_view.setFocus()
    view.notes_view.setCurrentIndex(view.model.index(view.model.row_of(note_id)))


def open_editor(qtbot, view, note_id):
    focus_note(view, note_id)
    qtbot.keyClick(view.notes_view, Qt.Key.Key_Return)
    assert view.delegate.editor is not None
    return view.delegate.editor


def click_row(qtbot, table, row):
    centre = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_notes_are_grouped_by_month_newest_first(timeline, team):
    store, ana, _ = team
    for date, text in [("2026-10-05", "October"), ("2026-11-03", "Early November"),
                       ("2025-01-20", "Last January"), ("2026-11-20", "Late November"),
                       ("2026-11-20", "Late November, written later")]:
        add(store, ana, date, text)
    timeline.show_person(ana.id)
    assert rows(timeline) == [
        "November 2026 · 3 notes", "Late November, written later", "Late November", "Early November",
        "October 2026 · 1 note", "October",
        "January 2025 · 1 note", "Last January",
    ]
    assert timeline.pages.currentWidget() is timeline.notes_view
    header = timeline.model.index(0)
    assert not header.flags() & Qt.ItemFlag.ItemIsSelectable


def test_long_timelines_load_200_notes_at_a_time(qtbot, timeline, team):
    store, ana, _ = team
    dates = [(dt.date(2026, 12, 31) - dt.timedelta(days=n)).isoformat() for n in range(450)]
    with store.atomic():
        for n, date in enumerate(reversed(dates)):
            add(store, ana, date, f"Observation {n}")
    timeline.show_person(ana.id)
    model = timeline.model
    first_months = sorted({date[:7] for date in dates[:200]}, reverse=True)
    assert model.note_count() == 200
    assert model.rowCount() == 200 + len(first_months)
    assert [model.index(r).data(MonthRole) for r in range(model.rowCount())
            if model.index(r).data(MonthRole)] == first_months
    assert headers(timeline)[-1].endswith("+ notes") and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.note_count() == 450 and not model.canFetchMore()
    assert not any("+" in text for text in headers(timeline))
    assert [model.index(r).data(NoteRole).date for r in range(model.rowCount())
            if model.index(r).data(NoteRole)] == dates


def test_scrolling_to_the_end_loads_the_next_page(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    with store.atomic():
        for n in range(450):
            add(store, ana, "2026-01-01", f"Observation {n}")
    timeline.show_person(ana.id)
    timeline.notes_view.scrollToBottom()
    qtbot.waitUntil(lambda: timeline.model.note_count() > 200)


def test_select_note_loads_pages_until_it_finds_the_note(timeline, team):
    store, ana, _ = team
    with store.atomic():
        oldest = add(store, ana, "2020-01-01", "The very first note")
        for n in range(449):
            add(store, ana, "2026-01-01", f"Observation {n}")
    assert timeline.select_note(oldest.id)
    assert timeline.current_note_id() == oldest.id
    assert timeline.model.note_count() == 450
    assert not timeline.select_note("n-nonexistent")


def test_edit_in_place_with_the_keyboard_then_undo_and_redo(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Shipped the importer")
    timeline.show_person(ana.id)
    editor = open_editor(qtbot, timeline, note.id)
    assert editor.toPlainText() == "Shipped the importer"
    assert editor.accessibleName() == "Note text"
    qtbot.keyClicks(editor, " two days early")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # a plain Enter is a new line, not a save
    qtbot.keyClicks(editor, "and wrote the runbook")
    with qtbot.waitSignal(timeline.sig_note_changed) as changed:
        qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    edited = "Shipped the importer two days early\nand wrote the runbook"
    assert changed.args == [note.id]
    assert store.notes.get(note.id).text == edited
    assert timeline.delegate.editor is None
    assert timeline.model.index(1).data() == edited
    assert timeline.undo_stack.undoText() == "Edit note text"

    qtbot.keyClick(timeline.notes_view, Qt.Key.Key_Z, CTRL)
    assert store.notes.get(note.id).text == "Shipped the importer"
    assert timeline.model.index(1).data() == "Shipped the importer"
    qtbot.keyClick(timeline.notes_view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert store.notes.get(note.id).text == edited


def test_escape_cancels_and_leaving_the_editor_saves(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Original")
    timeline.show_person(ana.id)
    editor = open_editor(qtbot, timeline, note.id)
    qtbot.keyClicks(editor, " and more")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert timeline.delegate.editor is None and on_screen.stops == []
    assert store.notes.get(note.id).text == "Original"
    assert timeline.undo_stack.count() == 0

    editor = open_editor(qtbot, timeline, note.id)
    qtbot.keyClicks(editor, ", kept")
    on_screen.other.setFocus()
    qtbot.waitUntil(lambda: timeline.delegate.editor is None)
    assert store.notes.get(note.id).text == "Original, kept"


def test_empty_text_is_refused_with_a_message(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Keep me")
    timeline.show_person(ana.id)
    editor = open_editor(qtbot, timeline, note.id)
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    assert store.notes.get(note.id).text == "Keep me"
    assert timeline.undo_stack.count() == 0
    assert timeline.message.isVisible() and "needs some text" in timeline.message.text()
    assert timeline.delegate.editor is editor  # still open, to fix or cancel
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert store.notes.get(note.id).text == "Keep me"


def test_delete_moves_to_the_trash_and_undo_restores(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    older = add(store, ana, "2026-01-10", "January note")
    lone = add(store, ana, "2026-02-03", "The only February note")
    timeline.show_person(ana.id)
    focus_note(timeline, lone.id)
    with qtbot.waitSignal(timeline.sig_note_changed) as changed:
        qtbot.keyClick(timeline.notes_view, Qt.Key.Key_Delete)
    assert changed.args == [lone.id]
    assert store.notes.get(lone.id).deleted_at is not None
    assert rows(timeline) == ["January 2026 · 1 note", "January note"]
    assert timeline.current_note_id() == older.id
    assert timeline.undo_stack.undoText() == "Move note to trash"

    qtbot.keyClick(timeline.notes_view, Qt.Key.Key_Z, CTRL)
    assert store.notes.get(lone.id).deleted_at is None
    assert rows(timeline)[:2] == ["February 2026 · 1 note", "The only February note"]
    assert timeline.current_note_id() == lone.id


def test_moving_to_the_trash_says_so_and_its_undo_button_restores(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    add(store, ana, "2026-01-10", "January note")
    lone = add(store, ana, "2026-02-03", "The only February note")
    timeline.show_person(ana.id)
    assert timeline.toast.isHidden()
    focus_note(timeline, lone.id)
    qtbot.keyClick(timeline.notes_view, Qt.Key.Key_Delete)
    assert timeline.toast.isVisible() and timeline.toast.label.text() == "Moved to trash"
    assert timeline.toast.button.text() == "Undo"
    timeline.toast.button.click()
    assert store.notes.get(lone.id).deleted_at is None
    assert timeline.current_note_id() == lone.id and timeline.toast.isHidden()
    assert not timeline.undo_stack.canUndo()                # the trash step itself was taken back


def test_the_trash_toast_goes_after_a_while_or_at_the_next_change(qtbot, on_screen, timeline, team, monkeypatch):
    store, ana, _ = team
    first = add(store, ana, "2026-01-10", "January note")
    second = add(store, ana, "2026-02-03", "February note")
    timeline.show_person(ana.id)
    assert timeline.trash_note(second.id) and timeline.toast.isVisible()
    assert timeline.edit_note(first.id, kind="praise")       # its Undo would now undo this instead
    assert timeline.toast.isHidden()
    timeline.toast.timer.setInterval(20)
    assert timeline.trash_note(first.id) and timeline.toast.isVisible()
    qtbot.waitUntil(timeline.toast.isHidden, timeout=2000)
    assert store.notes.get(first.id).deleted_at is not None   # going away undoes nothing


def test_the_new_note_button_asks_for_a_note_on_the_person_shown(qtbot, timeline, team):
    store, ana, _ = team
    assert not timeline.new_note_button.isEnabled()          # no one shown yet
    timeline.show_person(ana.id)
    with qtbot.waitSignal(timeline.sig_new_note) as asked:
        timeline.new_note_button.click()
    assert asked.args == [ana.id]


def test_restore_and_delete_forever_from_the_trash(qtbot, monkeypatch, session, timeline, team):
    store, ana, li = team
    kept = add(store, ana, "2026-02-03", "Came back " + "word " * 40)
    gone = add(store, li, "2026-01-05", "Not needed")
    timeline.show_person(ana.id)
    timeline.trash_note(kept.id)
    store.notes.trash(gone.id)
    dialog = TrashDialog(session)
    qtbot.addWidget(dialog)
    cells = [[dialog.model.index(r, c).data() for c in range(3)] for r in range(2)]
    assert ["Li Wei", "2026-01-05", "Not needed"] in cells
    ana_row = next(r for r, row in enumerate(cells) if row[0] == "Ana Ruiz")
    assert cells[ana_row][2].startswith("Came back word") and cells[ana_row][2].endswith("…")

    click_row(qtbot, dialog.table, ana_row)
    with qtbot.waitSignal(dialog.sig_note_restored) as restored:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert restored.args == [kept.id]
    assert store.notes.get(kept.id).deleted_at is None
    assert timeline.model.row_of(kept.id) is not None  # the timeline reloaded

    click_row(qtbot, dialog.table, 0)
    monkeypatch.setattr(trash_dialog, "confirm_purge", lambda _parent, _count: False)
    qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)
    assert store.notes.get(gone.id).deleted_at is not None
    monkeypatch.setattr(trash_dialog, "confirm_purge", lambda _parent, _count: True)
    with qtbot.waitSignal(dialog.sig_note_purged):
        qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)
    with pytest.raises(NotFound):
        store.notes.get(gone.id)
    assert dialog.pages.currentWidget() is dialog.empty_label


def test_locking_clears_the_notes_the_editor_and_the_undo_history(qtbot, on_screen, session,
                                                                 timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Before")
    timeline.show_person(ana.id)
    assert timeline.edit_note(note.id, text="Private words")
    command = timeline.undo_stack.command(0)
    open_editor(qtbot, timeline, note.id)
    session.lock()
    assert timeline.model.rowCount() == 0
    assert timeline.undo_stack.count() == 0
    assert timeline.delegate.editor is None
    assert "Private words" not in repr(vars(command)) and "Before" not in repr(vars(command))
    assert timeline.pages.currentWidget() is timeline.empty_label
    assert timeline.empty_label.text() == ""


def test_chips_show_kind_and_competency_names(monkeypatch, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Paired with the data team", kind="praise",
               competencies=("c-collab", "c-delivery"))
    timeline.show_person(ana.id)
    index = timeline.model.index(timeline.model.row_of(note.id))
    assert index.data(CompetencyNamesRole) == ["Delivery", "Collaboration"]
    assert "Praise, Delivery, Collaboration: Paired" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    painted = []
    real_paint_chip = chips.paint_chip
    monkeypatch.setattr(chips, "paint_chip", lambda p, rect, text, bg, fg: (
        painted.append((text, bg.name(), fg.name())), real_paint_chip(p, rect, text, bg, fg)))
    timeline.grab()
    assert [text for text, *_ in painted] == ["Praise", "Delivery", "Collaboration"]
    assert painted[0][1:] == tuple(c.name() for c in kind_colours("praise", timeline.notes_view.palette()))


def test_chip_colours_follow_a_dark_palette():
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, "#ffffff")
    dark.setColor(QPalette.ColorRole.Base, "#1e1e1e")
    light_bg, light_fg = kind_colours("concern", light)
    dark_bg, dark_fg = kind_colours("concern", dark)
    assert light_bg.lightness() > light_fg.lightness()
    assert dark_bg.lightness() < dark_fg.lightness()


def test_wrapped_text_makes_a_taller_row(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    short = add(store, ana, "2026-02-03", "Short")
    long = add(store, ana, "2026-02-02", "A long note that wraps. " * 60)
    timeline.show_person(ana.id)
    view, model = timeline.notes_view, timeline.model
    height = lambda note: view.sizeHintForIndex(model.index(model.row_of(note.id))).height()  # noqa: E731
    assert height(long) > 3 * height(short)
    before = height(long)
    on_screen.resize(320, 520)
    qtbot.waitUntil(lambda: view.viewport().width() < 320)
    assert height(long) > before


def test_empty_state_names_the_person(timeline, team):
    _, _, li = team
    timeline.show_person(li.id)
    assert timeline.pages.currentWidget() is timeline.empty_label
    assert timeline.empty_label.text() == "No notes on Li Wei yet — press Ctrl+N to capture one"


def test_every_control_has_an_accessible_name(session, timeline, qtbot):
    dialog = TrashDialog(session)
    qtbot.addWidget(dialog)
    controls = [timeline.notes_view, timeline.message, dialog.table, dialog.restore_button,
                dialog.purge_button, dialog.close_button, dialog.empty_label]
    assert all(control.accessibleName() for control in controls)


def test_kind_competencies_and_date_change_from_the_menu_and_undo(timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Ran the retro")
    add(store, ana, "2026-02-01", "Another")
    timeline.show_person(ana.id)
    menu = timeline.note_menu(timeline.model.index(timeline.model.row_of(note.id)))
    submenus = {action.text(): action.menu() for action in menu.actions() if action.menu()}
    next(a for a in submenus["Kind"].actions() if a.text() == "Feedback given").trigger()
    assert store.notes.get(note.id).kind == "feedback_given"
    next(a for a in submenus["Competencies"].actions() if a.text() == "Delivery").trigger()
    assert store.notes.get(note.id).competencies == ("c-delivery",)
    assert timeline.edit_note(note.id, date="2025-12-24")
    assert headers(timeline) == ["February 2026 · 1 note", "December 2025 · 1 note"]
    assert timeline.current_note_id() == note.id
    for _ in range(3):
        timeline.undo_stack.undo()
    assert store.notes.get(note.id) == note
    assert headers(timeline) == ["February 2026 · 2 notes"]


def test_notes_written_elsewhere_appear(session, timeline, team):
    store, ana, _ = team
    add(store, ana, "2026-02-03", "Older")
    timeline.show_person(ana.id)
    fresh = add(store, ana, "2026-02-10", "Captured just now")
    session.changed(Change.NOTES)
    assert timeline.model.index(1).data(NoteRole) == fresh


def test_editor_text_is_autosaved_until_saved_or_cancelled(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Draft")
    timeline.show_person(ana.id)
    editor = open_editor(qtbot, timeline, note.id)
    qtbot.keyClicks(editor, " in progress")
    timeline.autosave_now()
    [unsaved] = Autosaves(store).pending()
    assert (unsaved.slot, unsaved.text) == (f"note:{note.id}", "Draft in progress")
    assert unsaved.context == {"person": ana.id, "note": note.id}
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert Autosaves(store).pending() == []

    assert timeline.resume_edit(note.id, "Draft recovered")
    assert timeline.delegate.editor.toPlainText() == "Draft recovered"


def test_change_date_dialog_moves_the_note_to_its_month(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Demoed the importer")
    timeline.show_person(ana.id)
    focus_note(timeline, note.id)

    def choose_date():
        dialog = QApplication.activeModalWidget()
        dialog.findChild(QDateEdit).setDate(QDate(2026, 3, 9))
        dialog.accept()

    QTimer.singleShot(0, choose_date)
    timeline.date_action.trigger()
    assert store.notes.get(note.id).date == "2026-03-09"
    assert headers(timeline) == ["March 2026 · 1 note"]
    assert timeline.undo_stack.undoText() == "Change note date"


def test_a_refused_change_is_explained_and_not_kept_for_undo(timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Fine")
    timeline.show_person(ana.id)
    assert not timeline.edit_note(note.id, date="2026-02-30")
    assert "not a real calendar date" in timeline.message.text()
    assert timeline.undo_stack.count() == 0 and store.notes.get(note.id).date == "2026-02-03"


def test_undo_after_delete_forever_says_why_it_cannot(timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Soon gone")
    timeline.show_person(ana.id)
    timeline.trash_note(note.id)
    store.notes.purge(note.id)
    timeline.undo_stack.undo()
    assert "deleted for good" in timeline.message.text()
    assert timeline.undo_stack.count() == 0


def test_ctrl_z_while_typing_undoes_the_typing_not_the_last_change(qtbot, on_screen, timeline, team):
    store, ana, _ = team
    note = add(store, ana, "2026-02-03", "Typed")
    timeline.show_person(ana.id)
    timeline.edit_note(note.id, kind="praise")
    editor = open_editor(qtbot, timeline, note.id)
    qtbot.keyClicks(editor, " more")
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    assert editor.toPlainText() != "Typed more"
    assert store.notes.get(note.id).kind == "praise"
