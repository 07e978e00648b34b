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
from .. import policy as policies
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


# Commands that print notes, drafts, agendas or other team data. Under DisableExport they
# print to a terminal only: reading on screen is the window's job too, but --json, a pipe or
# a file would take the data out of Trellis (docs/policy.md).
SHOWS_TEAM_DATA = frozenset({
    "cmd_people", "cmd_notes", "cmd_search", "cmd_trash", "cmd_drafts", "cmd_draft_review",
    "cmd_draft_plan", "cmd_draft_check", "cmd_agenda", "cmd_meetings", "cmd_meeting_show",
    "cmd_meeting_end", "cmd_topics", "cmd_actions", "cmd_goals", "cmd_overdue",
    "cmd_cycles_status", "cmd_note_include", "cmd_note_leave_out"})


def refuse_team_data_out(args) -> None:
    """PolicyRefusal when DisableExport is on and a team-data command would print anywhere
    but a terminal."""
    policy = policies.current_policy()
    if not policy.disable_export or getattr(args.func, "__name__", "") not in SHOWS_TEAM_DATA:
        return
    if getattr(args, "output", None) or getattr(args, "export", None):
        policies.refuse_export(policy)  # a file asked for: the export refusal itself
    if getattr(args, "json", False) or not sys.stdout.isatty():
        raise policies.PolicyRefusal(
            f"Export is turned off by your organisation ({policy.reason('DisableExport')}): "
            f"`trellis {args.command}` shows team data on a terminal only, not as --json or into "
            "a pipe or a file.")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(debug=args.debug)
    hardening.protect_process()   # before the key is in memory: no core dump can hold it
    try:
        refuse_team_data_out(args)
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
