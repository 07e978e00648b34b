"""The app's log: where messages go, and at what level.

The default level is INFO, and nothing at INFO or above carries note text.
llama.cpp's own output (which can quote prompts when verbose) is routed to
the ``trellis.llm.llama_cpp`` logger at DEBUG, so it appears only when a
developer asks for ``--debug``.
"""

import logging
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(*, debug: bool = False, log_file: Path | None = None) -> None:
    """Send Trellis's log to stderr (and ``log_file``); DEBUG only when asked."""
    root = logging.getLogger("trellis")
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    if log_file is not None:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(to_file)
