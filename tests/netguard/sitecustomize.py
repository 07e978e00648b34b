"""Refuse network sockets in every Python process the test suite starts.

Tests put this folder on PYTHONPATH, so child processes (the CLI, the crash
writer) import it at start-up. Only AF_UNIX sockets may be created: D-Bus
and the Secret Service use them; nothing in Trellis may use a network.
Attempts are appended to the file named by TRELLIS_NETGUARD_LOG so the test
that caused them fails even if the code under test swallowed the error.
"""

import os
import socket
import traceback

_ALLOWED_FAMILIES = {socket.AF_UNIX}
_RealSocket = socket.socket


class NetworkBlocked(OSError):
    """A test tried to open a network socket."""


def _record(family) -> None:
    log = os.environ.get("TRELLIS_NETGUARD_LOG")
    if not log:
        return
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"pid {os.getpid()} opened a socket of family {family!r}\n")
        handle.write("".join(traceback.format_stack(limit=12)) + "\n")


class GuardedSocket(_RealSocket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        wanted = socket.AF_INET if family == -1 and fileno is None else family
        if fileno is None and wanted not in _ALLOWED_FAMILIES:
            _record(wanted)
            raise NetworkBlocked(f"tests may not open network sockets (family {wanted!r})")
        super().__init__(family, type, proto, fileno)


def install() -> None:
    socket.socket = GuardedSocket


install()
