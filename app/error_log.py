"""The last word on a failure no other layer explained: a sentence, and a log entry.

Every error Trellis expects is a ``TrellisError`` whose message is already a
sentence. This module handles the rest, for the command line's ``main()``
and the window's exception hook alike:

- a few failures that come from below Trellis are still the user's to act
  on, and get their own sentence: another Trellis holding the database
  (SQLite's "database is locked"), a file or folder the system refused,
  running out of memory;
- anything else is a bug. The user is told "unexpected error (ValueError)"
  and where the details were logged.

What the log holds, and why not more: an exception's *message* can quote
the data it choked on — a note's text in a ``ValueError``, a name in a
``KeyError`` — so the log never records messages, nor local variables. It
records the exception's type, the chain of causes (types only) and every
frame: file, line, function and the source line, which is Trellis's own
code, never the manager's words. That is enough to find the bug. The log is
``logs/errors.log`` in the data dir, created readable by the owner only
(0600 in a 0700 folder), and is started afresh once it passes 1 MB.
"""

import datetime as _dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

LOG_NAME = "errors.log"
MAX_LOG_BYTES = 1_000_000
# SQLite's primary result codes for "another connection holds the lock".
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
BUSY_SENTENCE = ("Another Trellis (the window or a command) kept the notes busy for more than "
                 "5 seconds, so nothing was changed. Try again in a moment.")
MEMORY_SENTENCE = "Trellis ran out of memory; nothing half-saved was kept. Close other programs and try again."


def describe(exc: BaseException, *, where: str) -> str:
    """The sentence to show for ``exc``; an unexpected one is logged first.

    ``where`` says which part of Trellis saw it ("command line", "window").
    """
    known = _known_sentence(exc)
    if known is not None:
        return known
    log = record(exc, where=where)
    details = f"details in {log}" if log else "the details could not be written to a log"
    return f"unexpected error ({type(exc).__name__}) — {details}."


def _known_sentence(exc: BaseException) -> str | None:
    if _is_busy(exc):
        return BUSY_SENTENCE
    if isinstance(exc, MemoryError):
        return MEMORY_SENTENCE
    if isinstance(exc, BrokenPipeError):
        return "The output was closed before everything was written (the reading program ended)."
    if isinstance(exc, OSError) and exc.strerror:
        return _os_sentence(exc)
    return None


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return type(exc).__name__ == "OperationalError" and "database is locked" in str(exc)


def _os_sentence(exc: OSError) -> str:
    """"Could not use PATH: permission denied." — the path is the user's, not a note."""
    reason = exc.strerror[0].lower() + exc.strerror[1:]
    if exc.filename is None:
        return f"The system refused: {reason}."
    target = f"{exc.filename} → {exc.filename2}" if exc.filename2 else f"{exc.filename}"
    return f"Could not use {target}: {reason}."


# --- the log ---------------------------------------------------------------------------

def record(exc: BaseException, *, where: str) -> Path | None:
    """Append ``exc``'s type, causes and frames (never messages) to the log; its path, or None."""
    entry = log_entry(exc, where=where)
    for folder in _log_folders():
        try:
            return _append(folder, entry)
        except OSError:
            continue
    return None


def log_entry(exc: BaseException, *, where: str) -> str:
    """The log text for ``exc``: a header, then each exception in the chain with its frames."""
    from . import __version__
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    lines = [f"{stamp} trellis {__version__} ({where}, Python {sys.version.split()[0]}): "
             f"unexpected {_type_name(exc)}; messages are left out, they may quote notes"]
    for number, link in enumerate(_chain(exc)):
        if number:
            lines.append(f"  caused by {_type_name(link)}")
        for frame in traceback.extract_tb(link.__traceback__):
            lines.append(f'    File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"      {frame.line.strip()}")
    return "\n".join(lines) + "\n\n"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, innermost last; each exception once."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        chain.append(exc)
        seen.add(id(exc))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return chain


def _type_name(exc: BaseException) -> str:
    module = type(exc).__module__
    return type(exc).__qualname__ if module == "builtins" else f"{module}.{type(exc).__qualname__}"


def _log_folders() -> list[Path]:
    """The data dir's logs folder; the temporary folder if the data dir cannot be found."""
    folders = []
    try:
        from .paths import data_home
        folders.append(data_home() / "logs")
    except Exception:  # a broken policy may be the very failure being reported
        pass
    folders.append(Path(tempfile.gettempdir()) / f"trellis-logs-{_user_id()}")
    return folders


def _user_id() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def _append(folder: Path, entry: str) -> Path:
    from .paths import ensure_private_dir
    ensure_private_dir(folder)
    if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
        raise PermissionError(f"{folder} belongs to someone else")
    log = folder / LOG_NAME
    if log.exists() and log.stat().st_size > MAX_LOG_BYTES:
        os.replace(log, log.with_name(LOG_NAME + ".1"))
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(entry)
    return log
