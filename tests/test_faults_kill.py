"""Import, backup, restore, migration and model import killed with SIGKILL: all or nothing.

A child process (tests/fault_worker.py) opens a copy of a prepared data dir,
prints ``started``, runs one operation and prints ``done``. Each test first
lets one worker finish to learn how long the operation takes here, then
kills fresh workers at random moments across that time (a few land after
``done``, which must then be wholly visible). After each kill the data dir
is opened again and checked: SQLite's and SQLCipher's integrity checks and
FTS5's own check pass, and the operation is visible entirely or not at all.

``TRELLIS_FAULT_KILLS`` sets the kills per operation (``make stress`` can
raise it); ``TRELLIS_FAULT_SEED`` the seed of the moments.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FAST_KDF, PASSPHRASE, REPO
from test_gguf import tiny_model
from app.llm.catalog import user_models_dir
from app.llm.registry import add_model, installed_models, read_records
from app.exchange import export_document, import_document
from app.store import Store, database_path, keys
from app.store.backup import BACKUP_SUFFIX, PARTIAL_SUFFIX, table_counts, verify_backup
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.migrations import MIGRATIONS, migrate

KILLS = int(os.environ.get("TRELLIS_FAULT_KILLS", "4"))
SEED = int(os.environ.get("TRELLIS_FAULT_SEED", "20261126"))
WORKER = Path(__file__).with_name("fault_worker.py")
WORDS = ("agenda", "blocked", "customer", "delivery", "estimate", "feedback", "growth", "handover",
         "incident", "mentoring", "onboarding", "planning", "review", "rollout", "scope")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(max(120, 30 * KILLS))]


@dataclass
class Outcome:
    said: list[str]
    seconds: float           # from "started" to the kill (or to the end of an uncut run)

    @property
    def done(self) -> bool:
        return "done" in self.said


def run_worker(operation: str, home: Path, argument: Path | None, logs: Path,
               kill_after: float | None) -> Outcome:
    """Start the worker; once it said ``started``, kill it after ``kill_after`` s.

    With ``kill_after`` None the worker runs to its end, and ``seconds`` is
    the time from ``started`` to ``done``: the span the kills are spread over.
    """
    out, err = logs.with_suffix(".out"), logs.with_suffix(".err")
    command = [sys.executable, str(WORKER), operation, str(home)] + ([str(argument)] if argument else [])
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=stderr)
        started = _wait_for(b"started", out, child)
        if kill_after is None:
            seconds = _wait_for(b"done", out, child) - started
            child.wait(timeout=120)
        else:
            time.sleep(kill_after)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            seconds = time.monotonic() - started
    said = out.read_text().split()
    assert kill_after is not None or child.returncode == 0, err.read_text(errors="replace")
    return Outcome(said, seconds)


def _wait_for(word: bytes, out: Path, child: subprocess.Popen) -> float:
    """When the worker said ``word``; fails if it ended or took a minute without saying it."""
    deadline = time.monotonic() + 60
    while word not in out.read_bytes():
        assert child.poll() is None, f"the worker ended (exit {child.returncode}) without {word!r}"
        assert time.monotonic() < deadline, f"the worker never said {word!r}"
        time.sleep(0.002)
    return time.monotonic()


def kill_rounds(operation: str, base: Path, work: Path, argument, check) -> Counter:
    """One uncut run to time the operation, then KILLS killed runs; ``check(home, outcome)`` each."""
    rng = random.Random(f"{SEED}-{operation}")
    tally = Counter()
    home = _fresh_copy(base, work / "uncut")
    uncut = run_worker(operation, home, argument(home), work / "uncut", None)
    check(home, uncut)
    for n in range(KILLS):
        home = _fresh_copy(base, work / f"kill-{n}")
        outcome = run_worker(operation, home, argument(home), work / f"kill-{n}",
                             rng.uniform(0.0, 1.15 * uncut.seconds))
        tally[check(home, outcome)] += 1
    tally[f"uncut run {uncut.seconds:.2f}s"] = 1
    return tally


def _fresh_copy(base: Path, where: Path) -> Path:
    shutil.copytree(base, where / "home")
    return where / "home"


def open_checked(home: Path) -> Store:
    """The store in ``home``, after its integrity and search-index checks passed."""
    store = Store.open(home, passphrase=PASSPHRASE, create=False)
    assert store.integrity_problems() == []
    store.db.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
    return store


def note_text(rng: random.Random, marker: str) -> str:
    return " ".join([marker, *rng.choices(WORDS, k=140)])  # about 1 KB


def team_document(prefix: str, people: int, notes_each: int) -> dict:
    rng = random.Random(prefix)
    return {"format": "trellis/v1",
            "people": [{"id": f"p-{prefix}-{i}", "name": f"{prefix} person {i}"} for i in range(people)],
            "notes": [{"id": f"n-{prefix}-{i}-{j}", "person": f"p-{prefix}-{i}",
                       "date": "2026-01-12", "kind": "observation",
                       "text": note_text(rng, f"{prefix}{i}x{j}z")}
                      for i in range(people) for j in range(notes_each)]}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A closed data dir with 1,200 notes on six people."""
    home = tmp_path_factory.mktemp("base") / "home"
    with Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        import_document(store, team_document("base", 6, 200))
    return home


def _report(capsys, what: str, tally: Counter) -> None:
    with capsys.disabled():
        print(f"\n{what}: {KILLS} kills (seed {SEED}): {dict(tally)}")


# --- import ---------------------------------------------------------------------

def test_an_import_killed_at_any_moment_is_all_or_nothing(base, tmp_path, capsys):
    document = team_document("imp", 5, 300)
    source = tmp_path / "team.json"
    source.write_text(json.dumps(document))
    wanted = {note["id"] for note in document["notes"]}

    def check(home: Path, outcome: Outcome) -> str:
        with open_checked(home) as store:
            present = {row[0] for row in store.db.execute("SELECT id FROM notes WHERE id LIKE 'n-imp-%'")}
            people = store.db.execute("SELECT count(*) FROM people WHERE id LIKE 'p-imp-%'").fetchone()[0]
            assert (present, people) in ((set(), 0), (wanted, 5))
            assert present or not outcome.done
            assert store.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 1200 + len(present)
        return "all imported" if present else "nothing imported"

    _report(capsys, "import", kill_rounds("import", base, tmp_path, lambda home: source, check))


# --- backup ---------------------------------------------------------------------

def test_a_backup_killed_at_any_moment_leaves_no_file_that_looks_like_a_backup(base, tmp_path,
                                                                              capsys):
    key = keys.unlock_key(base, PASSPHRASE)
    with Store.open(base, passphrase=PASSPHRASE) as store:
        expected = table_counts(store.db.conn)

    def check(home: Path, outcome: Outcome) -> str:
        folder = home.parent / "out"
        files = sorted(folder.iterdir()) if folder.exists() else []
        backups = [f for f in files if f.name.endswith(BACKUP_SUFFIX)]
        # A killed copy is left only under its .partial name (and SQLite's journal beside it).
        assert all(BACKUP_SUFFIX + PARTIAL_SUFFIX in f.name for f in files if f not in backups), files
        for backup in backups:
            assert verify_backup(backup, key, expected_counts=expected) == expected
        assert len(backups) == 1 if outcome.done else len(backups) <= 1
        with open_checked(home) as store:
            assert table_counts(store.db.conn) == expected
        return "backup written" if backups else "partial left" if files else "nothing written"

    _report(capsys, "backup", kill_rounds("backup", base, tmp_path,
                                          lambda home: home.parent / "out", check))


# --- restore --------------------------------------------------------------------

def test_a_restore_killed_at_any_moment_leaves_the_old_or_the_restored_data(base, tmp_path,
                                                                           capsys):
    before = _export_of(base)
    other = _fresh_copy(base, tmp_path / "other")
    with Store.open(other, passphrase=PASSPHRASE) as store:
        import_document(store, team_document("res", 2, 150))
        store.notes.add(person_id="p-base-0", text="only in the backup", note_id="n-only-backup")
        backup = store.backup(tmp_path / "the-backup")
        restored = export_document(store)
    assert restored != before

    def check(home: Path, outcome: Outcome) -> str:
        with open_checked(home) as store:
            now = export_document(store)
        assert now in (before, restored)
        assert now == restored or not outcome.done
        return "restored" if now == restored else "old data kept"

    _report(capsys, "restore", kill_rounds("restore", base, tmp_path, lambda home: backup, check))


def _export_of(home: Path) -> dict:
    with Store.open(home, passphrase=PASSPHRASE) as store:
        return export_document(store)


# --- migration ------------------------------------------------------------------

@pytest.fixture(scope="module")
def first_schema_home(tmp_path_factory) -> Path:
    """A data dir whose database is at the first schema step, with 4,000 notes to index."""
    home = tmp_path_factory.mktemp("old") / "home"
    Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    for leftover in home.glob("trellis.db*"):
        leftover.unlink()
    db = sqlite_utils.Database(connect(database_path(home), keys.unlock_key(home, PASSPHRASE)),
                               execute_plugins=False)
    migrate(db, MIGRATIONS[:1])
    rng = random.Random("old")
    with db.atomic():
        db.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES ('p-old', 'Old', 'x', 'x')")
        db.conn.executemany(
            "INSERT INTO notes (id, person_id, date, kind, text, created_at, updated_at) "
            "VALUES (?, 'p-old', '2025-06-01', 'observation', ?, 'x', 'x')",
            [(f"n-old-{n}", note_text(rng, f"old{n}z")) for n in range(4000)])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return home


def test_a_migration_killed_at_any_moment_completes_on_the_next_open(first_schema_home, tmp_path,
                                                                     capsys):
    names = [migration.__name__ for migration in MIGRATIONS]

    def check(home: Path, outcome: Outcome) -> str:
        steps = _applied_steps(home)
        assert steps == names[:len(steps)] and len(steps) >= 1
        assert len(steps) == len(names) or not outcome.done
        with open_checked(home) as store:
            assert [row[0] for row in store.db.execute("SELECT name FROM schema_migrations")] == names
            assert store.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 4000
            assert [hit.note_id for hit in store.search("old3999z")] == ["n-old-3999"]
        return f"killed after {len(steps)} of {len(names)} steps"

    _report(capsys, "migration", kill_rounds("migrate", first_schema_home, tmp_path,
                                             lambda home: None, check))


def _applied_steps(home: Path) -> list[str]:
    # Not read-only: an immutable open would ignore the committed steps still in the WAL.
    conn = connect(database_path(home), keys.unlock_key(home, PASSPHRASE))
    try:
        return [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    finally:
        conn.close()


# --- model import ---------------------------------------------------------------

def test_a_model_import_killed_at_any_moment_leaves_it_installed_or_not_there(tmp_path, capsys):
    """Either the model is listed, recorded and whole, or it is not listed and adding it again works.

    A kill just after the copy was renamed into place leaves the file without
    its record (found by 25 kills under stress); the next import of the same
    model takes that file over instead of refusing it.
    """
    (tmp_path / "incoming").mkdir()
    source = tiny_model(tmp_path / "incoming" / "Big-Model.gguf", extra_rows=30_000)  # about 30 MB
    wanted = hashlib.sha256(source.read_bytes()).hexdigest()
    empty_home = tmp_path / "empty"
    empty_home.mkdir()

    def listed(home: Path) -> list[str]:
        return [model.sha256 for model in installed_models(verify=True, home=home)
                if model.file == "Big-Model.gguf" and model.verified]

    def check(home: Path, outcome: Outcome) -> str:
        if listed(home):
            assert listed(home) == [wanted] and [r.file for r in read_records(home)] == ["Big-Model.gguf"]
            return "installed"
        assert read_records(home) == [] and not outcome.done
        orphan = (user_models_dir(home) / "Big-Model.gguf").exists()
        add_model(source, home=home)
        assert listed(home) == [wanted]
        return "not installed" + (", its unrecorded copy taken over" if orphan else "")

    _report(capsys, "model import", kill_rounds("add-model", empty_home, tmp_path,
                                                lambda home: source, check))
