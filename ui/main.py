"""``trellis-desktop``: start the window (or render it to a PNG and exit)."""

import argparse
import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QMessageBox

from app import hardening, logs
from app.paths import data_home
from app.store.in_use import claim_window

from .session import Session
from .window import MainWindow

SCREENSHOT_SIZE = (1280, 800)
PAGES = ("first_run", "team", "person", "search", "assistant", "reviews", "check_text", "one_on_ones",
         "meeting", "meeting_ended")


def _parse(argv):
    parser = argparse.ArgumentParser(prog="trellis-desktop")
    parser.add_argument("--debug", action="store_true", help="log everything to stderr")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window at 1280×800 to a PNG and exit")
    parser.add_argument("--page", choices=PAGES, default="team",
                        help="what the screenshot shows (default: team)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv if argv is not None else sys.argv[1:])
    logs.configure(debug=args.debug)
    hardening.protect_process()   # before the key is in memory: no core dump can hold it
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Trellis")
    app.setApplicationDisplayName("Trellis")
    claim = None if args.screenshot else claim_window(data_home())
    if claim is None and not args.screenshot:
        say_already_open()
        return 0
    session = Session()
    window = MainWindow(session)
    from .error_report import install_error_report  # after the window exists; keeps start-up short
    install_error_report(window)   # an uncaught error is a sentence in a dialog, not a console traceback
    window.resize(*SCREENSHOT_SIZE)
    _unlock_if_possible(session, window)
    if args.screenshot:
        return _screenshot(app, window, args.screenshot, args.page)
    window.show()
    return app.exec()


def say_already_open() -> None:
    """Another Trellis window has this data open: say so, and this one ends.

    Two windows on one data dir would each show the other's changes only after a restart, so
    the second says where the first is instead (``app.store.in_use.claim_window``)."""
    QMessageBox.information(
        None, "Trellis is already open",
        f"Another Trellis window has your notes open ({data_home()}). Switch to it; this one "
        "will close.")


def _unlock_if_possible(session: Session, window: MainWindow) -> None:
    """Open the data if nothing needs typing: the key is derived off the GUI thread while the
    lock page says "Opening your notes…" (``LockPage.open_when_possible``)."""
    window.lock_page.open_when_possible()


def _screenshot(app, window: MainWindow, path: str, page: str) -> int:
    window.show()
    _wait_until(lambda: not window.lock_page.busy)  # the data opens off the GUI thread
    _settle(app)
    refused = _refused(window, page)
    if refused:
        print(f"trellis-desktop: {refused}", file=sys.stderr)
        window.close()
        return 1
    _prepare_page(window, page)
    _settle(app)
    saved = _grab_with_popups(window).save(path, "PNG")
    window.close()
    if not saved:
        print(f"trellis-desktop: could not write {path}", file=sys.stderr)
        return 1
    return 0


def _refused(window: MainWindow, page: str) -> str:
    """Why ``page`` cannot be shown with this data, or ""."""
    store = window.session.store
    if page == "first_run" and (store is None or store.people.list(include_archived=True)):
        return ("--page first_run shows the welcome page of new data; point TRELLIS_HOME at an "
                "empty folder (with TRELLIS_PASSPHRASE set, or a keychain)")
    return ""


def _grab_with_popups(window: MainWindow):
    """The window's pixels, with the search palette drawn where it floats (or the
    "Check my text" dialog, when that is what the screenshot shows)."""
    dialog = getattr(window, "_check_text", None)
    if dialog is not None:
        return dialog.grab()
    image = window.grab()
    palette = window._palette
    if palette is not None and palette.isVisible():
        painter = QPainter(image)
        painter.drawPixmap(window.mapFromGlobal(palette.mapToGlobal(palette.rect().topLeft())),
                           palette.grab())
        painter.end()
    return image


def _prepare_page(window: MainWindow, page: str) -> None:
    store = window.session.store
    if store is None or page == "team":
        return
    if page == "person":
        busiest = max(store.people.list(), key=lambda p: store.notes.count_for_person(p.id), default=None)
        if busiest:
            window.team.select(busiest.id)
    elif page == "search":
        palette = window.open_search()
        palette.query_edit.setText("review")
        palette.on_search_due()
        _wait_until(lambda: not palette.searching)
    elif page == "assistant":
        _wait_for_assistant(window)
    elif page in ("reviews", "check_text"):
        _show_newest_draft(window, store)
        if page == "check_text":
            window._check_text = _check_own_text(window)
    elif page in ("one_on_ones", "meeting", "meeting_ended"):
        _show_one_on_ones(window, store, page=page)


def _show_newest_draft(window: MainWindow, store) -> None:
    """The Reviews tab of whoever has the most recently saved draft."""
    drafts = [d for p in store.people.list() for d in store.drafts.for_person(p.id) if d.versions]
    if not drafts:
        return
    newest = max(drafts, key=lambda d: d.latest.created_at)
    window.team.select(newest.person_id)
    window.person.tabs.setCurrentWidget(window.person.reviews_tab)
    window.person.reviews_tab.open_draft(newest.id)


def _check_own_text(window: MainWindow):
    """"Check my text" over the draft on show, with the draft's own first sentences and one
    sentence the notes do not support, as a manager pasting their review would see it."""
    tab = window.person.reviews_tab
    dialog = tab.open_check_text()
    if dialog is None or tab.body is None:
        return dialog
    mine = [s.text for s in tab.body.section("summary").statements[1:3]] if tab.body.section("summary") else []
    mine.append(f"{tab.body.person_name.split()[0]} is ready for promotion to Staff.")
    dialog.editor.setPlainText("\n".join(mine))
    dialog.check()
    return dialog


def _show_one_on_ones(window: MainWindow, store, *, page: str) -> None:
    """The 1:1s tab: the most to talk about, with topics suggested; or (meeting) the fullest
    1:1 under way, else the fullest past one; or (meeting_ended) the ended 1:1 that carries the most over, with what came of it."""
    meetings = [m for p in store.people.list() for m in store.meetings.for_person(p.id)]
    if not meetings:
        return
    fullest = max(meetings, key=lambda m: (not m.ended, len(m.agenda), m.date))  # one under
    # way first: the meeting view as the manager uses it
    if page == "meeting_ended":
        fullest = _ended_carrying_most(store, meetings)
    meeting = page != "one_on_ones"
    person_id = fullest.person_id if meeting else _most_to_talk_about(store, meetings)
    window.team.select(person_id)
    tab = window.person.meetings_tab
    window.person.tabs.setCurrentWidget(tab)
    if meeting:
        tab.open_meeting(fullest.id)
    else:
        _wait_for_job(window, tab.topics.run_suggestions, timeout_ms=300_000)


def _ended_carrying_most(store, meetings):
    """An ended 1:1 whose summary has the most to say: most carried over, then fullest, newest."""
    from app.services.one_on_ones import meeting_summary

    def weight(meeting):
        summary = meeting_summary(store, meeting.id)
        return (len(summary.carried) + len(summary.actions), len(meeting.agenda), meeting.date)
    return max([m for m in meetings if m.ended] or meetings, key=weight)


def _most_to_talk_about(store, meetings) -> str:
    """Whose next agenda and topics to suggest are longest, among people met before."""
    from app.domain.dates import today_iso
    from app.services.agenda import next_agenda
    from app.services.topics import topic_sources

    def weight(person_id: str) -> int:
        return len(next_agenda(store, person_id)) + len(topic_sources(store, person_id, today=today_iso()))
    return max(sorted({m.person_id for m in meetings}), key=weight)


def _wait_for_assistant(window: MainWindow, timeout_ms: int = 120_000) -> None:
    _wait_for_job(window, window.assistant.run_key_points, timeout_ms)


def _wait_for_job(window: MainWindow, start, timeout_ms: int = 120_000) -> None:
    """Start a model job with ``start()`` and wait until it ends (or the timeout)."""
    loop = QEventLoop()
    window.bridge.sig_job_ended.connect(lambda _job: loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    if start():
        loop.exec()


def _wait_until(done, timeout_ms: int = 60_000) -> None:
    loop, timer = QEventLoop(), QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() else None)
    timer.start(10)
    QTimer.singleShot(timeout_ms, loop.quit)
    if not done():
        loop.exec()
    timer.stop()


def _settle(app, rounds: int = 5, ms: int = 150) -> None:
    """Let queued work and the views' delayed re-layouts (wrapped rows after a scroll bar
    appears) run, as they would before a person looks at the window."""
    import time
    until = time.monotonic() + ms / 1000
    for _ in range(rounds):
        app.processEvents()
    while time.monotonic() < until:
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main())
