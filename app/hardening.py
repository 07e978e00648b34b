"""Keep the unlocked data key out of crash dumps and away from other processes.

Once the store is open, this process holds the raw SQLCipher key and
decrypted notes in memory. A core dump would write that memory to a file in
the clear, and a debugger attached by another program running as the same
user could read it. ``protect_process`` is called first thing by the
command line (``app.cli.main``) and the window (``ui.main.main``):

- on every POSIX system it sets the core-file size limit (RLIMIT_CORE) to
  zero, so no core file is written. Only the soft limit, which is the one
  the kernel checks: lowering the hard limit cannot be undone, and the test
  suite runs ``app.cli.main`` inside its own process, whose later children
  (a deliberate crash in a test) must still be able to dump;
- on Linux it also calls ``prctl(PR_SET_DUMPABLE, 0)``, which stops the
  kernel from dumping the process even through a ``core_pattern`` pipe
  (systemd-coredump, apport) and refuses ``ptrace`` attaches from other
  processes of the same user.

On Windows there is no core-file limit to set (Windows Error Reporting is
managed by IT policy) and nothing is done; on macOS only the limit applies.
Nothing here can fail the start: a step the system refuses is logged as a
warning (and returned) as a sentence, and the app goes on.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger("trellis.hardening")

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def protect_process() -> list[str]:
    """Turn off core dumps (and, on Linux, make the process non-dumpable).

    Returns what could not be done, as sentences; empty when everything applied.
    """
    problems = []
    for step in (_no_core_files, _not_dumpable):
        problem = step()
        if problem:
            log.warning(problem)
            problems.append(problem)
    return problems


def _no_core_files() -> str | None:
    try:
        import resource
    except ImportError:   # Windows: no core files to limit
        return None
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (OSError, ValueError) as exc:
        return f"Could not turn off core files (RLIMIT_CORE): {exc}"
    return None


def _not_dumpable() -> str | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = _libc()
    if libc is None:
        return "Could not find the C library to mark the process non-dumpable"
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        return f"prctl(PR_SET_DUMPABLE, 0) was refused (errno {ctypes.get_errno()})"
    return None


def is_dumpable() -> bool | None:
    """Whether the kernel would dump this process (Linux); None where it cannot be asked."""
    libc = _libc() if sys.platform.startswith("linux") else None
    if libc is None:
        return None
    return libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1


def _libc():
    # The running program's own symbols include the C library's prctl; looking
    # libc up by name (ctypes.util.find_library) would start ldconfig each time.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl
    except (OSError, AttributeError):
        return None
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.prctl.restype = ctypes.c_int
    return libc
