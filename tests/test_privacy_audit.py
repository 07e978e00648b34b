"""The privacy audit: a whole session from the command line, and nothing leaves or lingers.

One module-scoped session runs ``trellis`` as child processes, the way a
manager or a script would: import the sample team, capture a note holding a
unique canary phrase, search for it, draft a review of the period with the
real default model (threads=1), prepare the agenda, export the team, the
draft in every file format and the agenda, back up, run ``trellis doctor``
with the keychain on (it talks to the Secret Service over D-Bus), and make
two commands fail with the canary in their input. Every child runs

- under ``strace -f -e trace=%network``: every socket it (or anything it
  starts) creates, connects, sends to or binds is recorded, and the only
  address families allowed are AF_UNIX (local IPC: the D-Bus session bus
  and the Secret Service, when the keychain is used) and AF_NETLINK (a
  socket to this machine's own kernel, which glibc opens to read interface
  tables; it cannot carry data off the machine). AF_INET and AF_INET6, and
  any other family, must not appear at all;
- under the suite's network guard (``tests/netguard``), which refuses and
  records any non-AF_UNIX Python socket even if the code swallowed the error;
- with a private TMPDIR, a private working directory (where a core file
  would land) and its log also written to a file at INFO (``--debug`` runs
  write DEBUG to it too).

After the session the canary, in UTF-8, UTF-16 (both byte orders), upper
and lower case and base64, must be nowhere: not in the data dir, the temp
dir, the working directory, the log file, or anything a command wrote to
stdout or stderr when it failed, or to stderr at all. The files the
manager asked for (exports, the agenda, backups) must be readable by their
owner only. ``docs/privacy.md`` ("Audit") says how to run this by hand.
"""

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NETGUARD_DIR, PASSPHRASE, REPO

MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
SAMPLE_TEAM = REPO / "app" / "samples" / "sample_team.json"
STRACE = shutil.which("strace")
CANARY = f"Zyxcanary{uuid.uuid4().hex}"
NOTE = f"Amara told me in confidence about {CANARY} and asked me to keep it between us."
ALLOWED_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="the default model is not in models/")

# ``trellis ARGS`` with its log also kept in a file, as a long-running app would keep it.
TRELLIS_WITH_LOG_FILE = """
import functools, os, sys
from pathlib import Path
from app import cli, logs
logs.configure = functools.partial(logs.configure, log_file=Path(os.environ["AUDIT_LOG_FILE"]))
sys.exit(cli.main())
"""


@dataclass
class Run:
    args: tuple
    returncode: int
    stdout: str
    stderr: str
    trace: str


class Session:
    """The audited session's folders and the commands it ran."""

    def __init__(self, root: Path):
        self.home, self.tmp, self.work, self.out = (root / name for name in ("home", "tmp", "work", "out"))
        for folder in (self.tmp, self.work, self.out):
            folder.mkdir(mode=0o700)
        self.traces = root / "traces"
        self.traces.mkdir()
        self.log_file = root / "trellis.log"
        self.netguard_log = root / "netguard.log"
        self.runs: list[Run] = []

    def env(self) -> dict:
        return {**os.environ, "TRELLIS_HOME": str(self.home), "TRELLIS_PASSPHRASE": PASSPHRASE,
                "TRELLIS_KEYCHAIN": "off", "TMPDIR": str(self.tmp), "AUDIT_LOG_FILE": str(self.log_file),
                "TRELLIS_NETGUARD_LOG": str(self.netguard_log),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(NETGUARD_DIR), str(REPO),
                                                            os.environ.get("PYTHONPATH")]))}

    def trellis(self, *args: str, expect: int = 0, env: dict | None = None) -> Run:
        trace = self.traces / f"{len(self.runs):02d}.trace"
        command = [sys.executable, "-c", TRELLIS_WITH_LOG_FILE, *args]
        if STRACE:
            command = [STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=%network,execve",
                       "-e", "signal=none", "-o", str(trace), *command]
        done = subprocess.run(command, cwd=self.work, env={**self.env(), **(env or {})},
                              capture_output=True, text=True, timeout=600)
        run = Run(args, done.returncode, done.stdout, done.stderr,
                  trace.read_text() if trace.exists() else "")
        self.runs.append(run)
        assert run.returncode == expect, (args, run.stderr)
        return run


def run_the_session(session: Session) -> dict:
    """Everything a manager does in a week, from the command line; returns what the checks need."""
    out = session.out
    for earlier in ("team.json", "agenda.md"):   # files anyone may read, which the exports replace
        (out / earlier).write_text("an older copy\n")
        (out / earlier).chmod(0o644)
    session.trellis("import", str(SAMPLE_TEAM))
    session.trellis("settings", "threads", "1")
    session.trellis("note", "add", "sample-p-amara", NOTE, "--date", "2026-03-02", "--kind", "concern")
    found = session.trellis("search", CANARY, "--json")
    review = session.trellis("--debug", "draft", "review", "sample-p-amara", "--from", "2026-03-01",
                             "--to", "2026-03-03", "--json", "-o", str(out / "review.md"))
    draft_id = json.loads(review.stdout)["draft_id"]
    for suffix in (".txt", ".docx", ".json"):
        session.trellis("draft", "export", draft_id, "-o", str(out / f"review{suffix}"))
    session.trellis("draft", "export", draft_id, "--no-citations", "-o", str(out / "shared.md"))
    session.trellis("agenda", "sample-p-amara", "--export", str(out / "agenda.md"))
    session.trellis("export", str(out / "team.json"))
    session.trellis("backup")
    chosen = session.trellis("backup", str(out), "--json")
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):   # tests/with_secret_service.sh gives one
        session.trellis("doctor", env={"TRELLIS_KEYCHAIN": ""})   # asks the Secret Service over D-Bus
    _run_the_failures(session)
    return {"found": json.loads(found.stdout), "backup": Path(json.loads(chosen.stdout)["backup"])}


def _run_the_failures(session: Session) -> None:
    """Two commands that fail with the canary in what they were given."""
    session.trellis("note", "add", "nobody-by-this-name", NOTE, expect=1)
    bad = json.loads(SAMPLE_TEAM.read_text(encoding="utf-8"))
    bad["notes"][0] = {**bad["notes"][0], "text": NOTE, "kind": "gossip"}
    bad_file = session.out / "bad-import.json"
    bad_file.write_text(json.dumps(bad), encoding="utf-8")
    session.trellis("import", str(bad_file), expect=1)


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    session = Session(tmp_path_factory.mktemp("audit"))
    session.results = run_the_session(session)
    return session


# --- the canary, in every form it could take ----------------------------------------------------

def canary_forms(text: str = CANARY) -> list[bytes]:
    """``text`` as UTF-8 and UTF-16 (both orders), in any case, and base64 at each alignment."""
    forms = [variant.encode(encoding) for variant in (text, text.lower(), text.upper())
             for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + text.encode("utf-8"))
        forms.append(encoded[4:-4])   # the part that does not depend on the bytes around it
    return forms


def holds_canary(data: bytes) -> bool:
    return any(form in data for form in canary_forms())


def files_with_canary(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
            if p.is_file() and holds_canary(p.read_bytes())]


def test_the_scan_finds_the_canary_in_each_form_it_looks_for(tmp_path):
    for number, form in enumerate(canary_forms()):
        (tmp_path / f"{number}.bin").write_bytes(b"before " + form + b" after")
    (tmp_path / "b64.txt").write_bytes(base64.b64encode(f"x {NOTE}".encode()))
    (tmp_path / "clean.txt").write_text(CANARY[:-1] + "-" + CANARY[-1])
    found = files_with_canary(tmp_path)
    assert len(found) == len(canary_forms()) + 1 and "clean.txt" not in found


# --- the session really handled the canary ------------------------------------------------------

def test_the_session_put_the_canary_through_search_drafting_and_export(audit):
    assert [hit["note_id"] for hit in audit.results["found"]]
    assert holds_canary((audit.out / "team.json").read_bytes())
    assert "Drafting a review" in audit.runs[4].stderr
    assert audit.results["backup"].parent == audit.out
    assert all(run.returncode in (0, 1) for run in audit.runs)


# --- nothing leaves ------------------------------------------------------------------------------

FAMILY = re.compile(r"\b(?:socket|socketpair)\((AF_[A-Z0-9]+)|sa_family=(AF_[A-Z0-9]+)")


def families_in(trace: str) -> set[str]:
    return {a or b for a, b in FAMILY.findall(trace)}


@pytest.mark.skipif(STRACE is None, reason="strace is not installed (.ci/run installs it)")
def test_no_command_opened_a_network_socket(audit):
    used = {}
    for run in audit.runs:
        assert "execve(" in run.trace, f"strace recorded nothing for {run.args}"
        for family in families_in(run.trace):
            used.setdefault(family, []).append(run.args[0])
    assert not set(used) - ALLOWED_FAMILIES, used
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):   # the doctor's keychain check used the bus
        assert used.get("AF_UNIX") == ["doctor"]


def test_the_trace_parser_sees_inet_sockets():
    trace = ('12 socket(AF_INET6, SOCK_STREAM, IPPROTO_IP) = 3\n'
             '12 connect(4, {sa_family=AF_INET, sin_port=htons(443)}, 16) = -1 ENETUNREACH\n'
             '12 connect(5, {sa_family=AF_UNIX, sun_path="/run/dbus"}, 110) = 0\n')
    assert families_in(trace) == {"AF_INET6", "AF_INET", "AF_UNIX"}


def test_the_network_guard_recorded_no_attempt(audit):
    assert not audit.netguard_log.exists() or audit.netguard_log.read_text() == ""


# --- nothing lingers ------------------------------------------------------------------------------

def test_the_data_dir_holds_no_canary(audit):
    assert (audit.home / "trellis.db").exists() and list((audit.home / "backups").iterdir())
    assert files_with_canary(audit.home) == []


def test_the_temp_dir_and_the_working_dir_hold_no_canary_and_no_core_file(audit):
    assert files_with_canary(audit.tmp) == []
    assert files_with_canary(audit.work) == []
    assert [p.name for p in audit.work.iterdir() if p.name.startswith("core")] == []


def test_the_log_file_holds_no_canary_even_at_debug(audit):
    log = audit.log_file.read_text(encoding="utf-8")
    assert " INFO trellis.llm: loaded " in log           # INFO records did reach the file
    assert " DEBUG " in log                               # and so did the --debug run's
    assert not holds_canary(audit.log_file.read_bytes())


def test_no_command_wrote_the_canary_to_stderr_or_failed_with_it(audit):
    failed = [run for run in audit.runs if run.returncode]
    assert [run.args[:2] for run in failed] == [("note", "add"), ("import", str(audit.out / "bad-import.json"))]
    assert "nobody-by-this-name" in failed[0].stderr and "gossip" in failed[1].stderr
    for run in failed:
        assert not holds_canary(run.stdout.encode()), run.args
    for run in audit.runs:
        assert not holds_canary(run.stderr.encode()), run.args
        assert "Traceback" not in run.stderr, run.args


# --- what the manager asked to take out is theirs alone ------------------------------------------

def test_every_exported_file_and_backup_is_readable_by_the_owner_only(audit):
    written = {p.name: stat.S_IMODE(p.stat().st_mode) for p in audit.out.iterdir()
               if p.name != "bad-import.json"}
    expected = {"review.md", "review.txt", "review.docx", "review.json", "shared.md", "agenda.md",
                "team.json", audit.results["backup"].name}
    assert set(written) == expected
    assert {name: oct(mode) for name, mode in written.items() if mode != 0o600} == {}
    in_data_dir = [p for p in (audit.home / "backups").iterdir()]
    assert [oct(stat.S_IMODE(p.stat().st_mode)) for p in in_data_dir] == ["0o600"] * len(in_data_dir)
