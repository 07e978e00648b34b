"""No core dump can hold the key: the CLI and the window protect themselves before unlocking.

Each check runs ``trellis`` or ``trellis-desktop`` in a child process that
records, at the moment the store is opened, its own core-file limit
(getrlimit and ``/proc/self/limits``) and whether the kernel would dump it
(``prctl(PR_GET_DUMPABLE)``). Then a child that unlocked the store and read
a note is made to crash (SIGABRT): no core file appears. The same crash
without the protection writes a core file holding the note's text, which
shows the check could fail.
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import REPO
from app import hardening

LINUX = sys.platform.startswith("linux")
CANARY = f"Zyxcorecanary{uuid.uuid4().hex}"

# Every child starts as from a shell with ``ulimit -c unlimited`` (as far as the hard limit
# allows), so a limit of 0 at unlock time is Trellis's doing, not the test runner's.
ALLOW_CORES = """
import resource
resource.setrlimit(resource.RLIMIT_CORE, (resource.getrlimit(resource.RLIMIT_CORE)[1],) * 2)
"""

WATCH_THE_UNLOCK = ALLOW_CORES + """
import json, os, sys
from app import hardening
from app.store import Store

seen = []
real_open = Store.open.__func__

def watching_open(cls, *args, **kwargs):
    limits = [line for line in open("/proc/self/limits") if line.startswith("Max core file size")]
    seen.append({"core_limit": resource.getrlimit(resource.RLIMIT_CORE)[0],
                 "dumpable": hardening.is_dumpable(), "limits": limits[0].split()[4:6]})
    return real_open(cls, *args, **kwargs) if cls is not None else None

Store.open = classmethod(watching_open)

from app.store import keys  # the window derives the key with keys.unlock_key, off its thread
real_unlock_key = keys.unlock_key

def watching_unlock_key(*args, **kwargs):
    watching_open(None)
    return real_unlock_key(*args, **kwargs)

keys.unlock_key = watching_unlock_key
if sys.argv[1] == "cli":
    from app.cli import main
else:
    from ui.main import main
code = main(sys.argv[2:])
print(json.dumps({"code": code, "seen": seen}))
"""

CRASH_AFTER_READING = ALLOW_CORES + """
import os, sys
from app import cli, hardening
if sys.argv[1] == "unprotected":
    hardening.protect_process = lambda: []
cli.main(["notes", "p-ana"])
sys.stdout.flush()
os.abort()
"""


def run_child(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def ana_note(team):
    store, ana, _li = team
    store.notes.add(person_id=ana.id, text=f"Ana mentioned {CANARY} in our 1:1.")
    store.close()


def protection_at_unlock(result) -> dict:
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0 and report["seen"], report
    return report["seen"][0]


@pytest.mark.skipif(not LINUX, reason="prctl and /proc are Linux's")
def test_the_cli_is_protected_before_it_unlocks_the_store(ana_note, tmp_path):
    seen = protection_at_unlock(run_child(WATCH_THE_UNLOCK, "cli", "notes", "p-ana", cwd=tmp_path))
    assert seen["core_limit"] == 0 and seen["limits"][0] == "0"
    assert seen["dumpable"] is False


@pytest.mark.skipif(not LINUX, reason="prctl and /proc are Linux's")
def test_the_window_is_protected_before_it_unlocks_the_store(ana_note, tmp_path):
    pytest.importorskip("PySide6")
    shot = tmp_path / "window.png"
    seen = protection_at_unlock(run_child(WATCH_THE_UNLOCK, "window", "--screenshot", str(shot),
                                          cwd=tmp_path))
    assert seen["core_limit"] == 0 and seen["limits"][0] == "0"
    assert seen["dumpable"] is False
    assert shot.exists()


def cores_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith("core"))


@pytest.mark.skipif(not LINUX, reason="prctl and /proc are Linux's")
def test_a_crash_after_unlocking_leaves_no_core_file(ana_note, tmp_path):
    import resource
    if resource.getrlimit(resource.RLIMIT_CORE)[1] == 0:
        pytest.skip("the hard core-file limit is 0 here, so this crash could not dump anyway")
    result = run_child(CRASH_AFTER_READING, "protected", cwd=tmp_path)
    assert result.returncode == -signal.SIGABRT
    assert CANARY in result.stdout            # the note really was decrypted in that process
    assert cores_in(tmp_path) == []


def _core_files_land_in_the_working_dir() -> bool:
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    return not pattern.startswith("|") and "/" not in pattern


@pytest.mark.skipif(not LINUX or not _core_files_land_in_the_working_dir(),
                    reason="core files are piped to a crash handler here, not written to the working dir")
def test_without_the_protection_the_same_crash_dumps_the_note(ana_note, tmp_path):
    import resource
    if resource.getrlimit(resource.RLIMIT_CORE)[1] == 0:
        pytest.skip("the hard core-file limit is 0 here, so no process can dump")
    result = run_child(CRASH_AFTER_READING, "unprotected", cwd=tmp_path)
    assert result.returncode == -signal.SIGABRT
    cores = cores_in(tmp_path)
    try:
        assert cores, "the unprotected crash should have written a core file"
        assert any(CANARY.encode() in core.read_bytes() for core in cores)
    finally:
        for core in cores:
            core.unlink()


def test_protecting_twice_is_harmless_and_reports_no_problem():
    # In this process too: the limit is only the soft one, so children can still raise it.
    import resource
    hard_before = resource.getrlimit(resource.RLIMIT_CORE)[1]
    assert hardening.protect_process() == []
    assert hardening.protect_process() == []
    assert resource.getrlimit(resource.RLIMIT_CORE) == (0, hard_before)
    assert hardening.is_dumpable() is (False if LINUX else None)
