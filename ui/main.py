"""``trellis-desktop``: start the window (or render it to a PNG and exit)."""

import argparse
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app import logs
from app.errors import TrellisError

from .unlock import open_store_interactively
from .window import MainWindow

SCREENSHOT_SIZE = (1280, 800)


def _parse(argv):
    parser = argparse.ArgumentParser(prog="trellis-desktop")
    parser.add_argument("--debug", action="store_true", help="log everything to stderr")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window at 1280×800 to a PNG and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv if argv is not None else sys.argv[1:])
    logs.configure(debug=args.debug)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Trellis")
    try:
        store = open_store_interactively()
    except TrellisError as exc:
        QMessageBox.critical(None, "Trellis", str(exc))
        return 1
    if store is None:
        return 0
    window = MainWindow(store)
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    status = app.exec()
    store.close()
    return status


def _screenshot(app, window, path: str) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    app.processEvents()
    saved = window.grab().save(path, "PNG")
    window._store.close()
    if not saved:
        print(f"trellis-desktop: could not write {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
