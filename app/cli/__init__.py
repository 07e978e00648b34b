"""``trellis``: Trellis at the command line, without the window.

Every command that reads or writes data honours ``TRELLIS_HOME`` and
``TRELLIS_PASSPHRASE``; listings take ``--json``. Exit status: 0 done,
1 a problem the message explains, 2 a mistake in the command itself.

The package: ``common`` (opening the store, output, flags) is imported by
every command module (``data``, ``models``, ``meetings``, ``reviews``,
``drafts``); this module builds the parser from them and runs a command.
Nothing here imports PySide6.
"""

import argparse
import sys

from .. import __version__, hardening, logs
from ..errors import TrellisError
from .data import add_data_commands
from .drafts import add_draft_commands
from .meetings import add_meeting_commands
from .models import add_model_commands
from .reviews import add_review_commands

DESCRIPTION = ("Trellis keeps private notes on your team, runs 1:1s from agendas that carry over "
               "what is still open, and drafts reviews from your notes, all on this computer.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trellis", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"trellis {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="log everything to stderr, including llama.cpp's output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (add_data_commands, add_model_commands, add_meeting_commands,
                add_review_commands, add_draft_commands):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(debug=args.debug)
    hardening.protect_process()   # before the key is in memory: no core dump can hold it
    try:
        return args.func(args)
    except TrellisError as exc:
        print(f"trellis: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("trellis: interrupted; nothing half-saved (each change is one transaction)",
              file=sys.stderr)
        return 130
    except Exception as exc:  # the last resort: a sentence, and details logged without note text
        from ..error_log import describe
        print(f"trellis: {describe(exc, where='command line')}", file=sys.stderr)
        return 1
