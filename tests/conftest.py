"""Shared fixtures: a private data dir per test, the network guard, a CLI runner.

Every test gets its own ``TRELLIS_HOME`` and passphrase. Stores made by
fixtures use a cheap Argon2id setting (recorded in their key file) so the
suite does not spend minutes deriving keys; the default cost is tested on
its own.
"""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NETGUARD_DIR = Path(__file__).parent / "netguard"
sys.path.insert(0, str(NETGUARD_DIR))
import sitecustomize as netguard  # noqa: E402  (the guard for this process too)

from app.store import KdfParams, Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "test passphrase – ünïcode ok"
FAST_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)


def copying_engine():
    """A model that answers every rewording with an empty sentence, so Trellis's own
    sentence stands; its ``requests`` show every prompt it was sent."""
    from app.llm.fake_engine import FakeEngine

    class CopyingEngine(FakeEngine):
        def stream(self, request, stop):
            if not self._replies:
                self.enqueue('{"sentence": ""}')
            return (yield from super().stream(request, stop))
    return CopyingEngine()


@pytest.fixture(autouse=True)
def network_guard(tmp_path_factory, monkeypatch):
    """Fail any test in which this process or a child opened a network socket."""
    log = tmp_path_factory.mktemp("netguard") / "attempts.log"
    monkeypatch.setenv("TRELLIS_NETGUARD_LOG", str(log))
    existing = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(NETGUARD_DIR), str(REPO), existing])))
    yield
    if log.exists() and log.read_text().strip():
        pytest.fail("a network socket was opened:\n" + log.read_text())


@pytest.fixture(autouse=True)
def qt_garbage_collected_between_tests(request):
    """After a Qt test, collect its widgets' reference cycles at once, once its widgets are
    closed: left to chance, the collector ran inside a later test's paint event and deleted
    a widget being painted (a segfault in ``heatmap.paintEvent``)."""
    yield
    if "qtbot" in request.fixturenames:
        gc.collect()


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch) -> Path:
    """A fresh TRELLIS_HOME for each test, with the test passphrase in the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("TRELLIS_HOME", str(home))
    # The user's home (where a first run without a terminal leaves the recovery key), beside
    # the test's own folder so that tests listing tmp_path do not see it.
    user_home = tmp_path.parent / f"{tmp_path.name}-user"
    user_home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.setenv("TRELLIS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("TRELLIS_KEYCHAIN", "off")
    return home


@pytest.fixture
def store(data_home):
    """An open store in the test's data dir, locked by PASSPHRASE."""
    opened = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    yield opened
    opened.close()


@pytest.fixture
def team(store):
    """A small fictional team: two people, two competencies."""
    store.competencies.add(name="Delivery", description="Ships what was agreed", competency_id="c-delivery")
    store.competencies.add(name="Collaboration", competency_id="c-collab")
    ana = store.people.add(name="Ana Ruiz", role="Backend Engineer", level="L3", person_id="p-ana")
    li = store.people.add(name="Li Wei", role="Data Engineer", level="L2", person_id="p-li")
    return store, ana, li


def run_cli(*args: str, input: str | None = None, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``trellis ARGS`` in a child process with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=REPO, env=full_env,
                          input=input, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def secret_service(monkeypatch):
    """The real Secret Service keychain (tests/with_secret_service.sh starts one); CI must have it."""
    from app.store import keys
    monkeypatch.delenv("TRELLIS_KEYCHAIN", raising=False)
    monkeypatch.delenv("TRELLIS_PASSPHRASE", raising=False)
    backend = keys.secure_keychain()
    if backend is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a Secret Service (tests/with_secret_service.sh)")
        pytest.skip("no Secret Service in this session; run through `make test`")
    assert type(backend).__module__ == "keyring.backends.SecretService"
    return backend


@pytest.fixture
def run(capsys):
    """``trellis ARGS`` in this process: returncode, stdout and stderr like a child process."""
    from types import SimpleNamespace
    from app.cli import main

    def run_main(*args):
        capsys.readouterr()
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exc:      # argparse refusing the command line
            code = exc.code
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)
    return run_main


@pytest.fixture
def session(team):
    """The window's session over the ``team`` store (Qt tests only: imports ui.session)."""
    from ui.session import Session
    opened = Session(team[0])
    yield opened
    opened.lock()  # stops timers before the store fixture closes the store


@pytest.fixture
def disk(tmp_path):
    """A real 2 MB filesystem to fill up (tests/fault_disk.py; skips where mounting is refused)."""
    from fault_disk import small_disk
    with small_disk(tmp_path / "disk", 2048) as mounted:
        yield mounted


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes, keyed by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def policy_file(tmp_path, monkeypatch):
    """Write a policy.json and make it this process's Linux policy; returns the writer."""
    path = tmp_path / "etc" / "policy.json"
    path.parent.mkdir()
    from app import policy as policies
    monkeypatch.setattr(policies, "LINUX_POLICY_FILE", path)
    monkeypatch.setattr(policies.sys, "platform", "linux")

    def write(document) -> Path:
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        policies.forget_policy()
        return path
    yield write
    policies.forget_policy()


@pytest.fixture
def ended_held_back(monkeypatch):
    """Background work (``ui.operations``) whose "ended" signal waits until the test sets the
    returned event: the moment, on a busy machine, between its answer reaching the window and
    its thread saying it ended. Released at teardown whatever happens."""
    import threading

    from ui import operations
    delivered, may_end = operations._deliver, threading.Event()

    def slow_end(signal, *args):
        if not args and not may_end.is_set():  # the "ended" signal, sent last
            may_end.wait(5)
        delivered(signal, *args)
    monkeypatch.setattr(operations, "_deliver", slow_end)
    yield may_end
    may_end.set()
