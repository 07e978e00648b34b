"""A note whose save returned survives the app being killed at any moment.

A child process (tests/crash_writer.py) adds notes as fast as it can and
prints each note's id once its transaction has committed. The test kills it
with SIGKILL after a random delay, again and again, then opens the store and
checks that every printed id is there, that SQLite's and SQLCipher's
integrity checks pass, and that the full-text index agrees with the notes.

Some delays are shorter than the writer's start-up, so kills also land while
it imports, unlocks the key and opens the database; the first round starts
with no data at all, and a second test kills writers that are creating a
store from nothing (key file, first migrations).

``TRELLIS_CRASH_KILLS`` sets the number of kills (``make stress``: 1000);
``TRELLIS_CRASH_SEED`` the seed of the delays.
"""

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import crash_writer
from conftest import FAST_KDF, PASSPHRASE, REPO
from app.errors import NotFound
from app.store import Store, database_path, keys
from app.store.cipher import DatabaseError
from app.store.database import connect
from app.store.migrations import MIGRATIONS

KILLS = int(os.environ.get("TRELLIS_CRASH_KILLS", "50"))
SEED = int(os.environ.get("TRELLIS_CRASH_SEED", "20260125"))
WRITER = Path(__file__).with_name("crash_writer.py")
NOTE_ID = re.compile(r"n-[0-9a-f]{12}")
# A third of the kills land at a random moment of the writer's start-up (whatever
# it is doing then); the rest wait for its first acknowledged note and land up to
# WRITING_S later, so a slow machine moves the kills, never the test's verdict.
STARTUP_S = 0.35
WRITING_S = 0.55
pytestmark = [pytest.mark.slow, pytest.mark.timeout(max(300, 60 + 3 * KILLS))]


class KilledRun:
    """One writer process, killed after ``delay`` seconds; what it acknowledged."""

    def __init__(self, home: Path, logs: Path, delay: float, *, after: Path | None = None,
                 writing: bool = False):
        """Kill ``delay`` seconds after the start, after ``after`` appeared if given, or
        after the first acknowledged note when ``writing``."""
        self.out, self.err = logs.with_suffix(".out"), logs.with_suffix(".err")
        with self.out.open("wb") as out, self.err.open("wb") as err:
            child = subprocess.Popen([sys.executable, str(WRITER), str(home)], cwd=REPO,
                                     stdout=out, stderr=err)
            if after is not None:
                _wait_for(after, child)
            if writing:
                _wait_for_line(self.out, child)
            time.sleep(delay)
            self.exited_early = child.poll() is not None
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        self.ids = self._acknowledged()

    def _acknowledged(self) -> list[str]:
        lines = self.out.read_text(encoding="ascii").split("\n")
        complete = lines[:-1]  # text after the last newline was never a whole line
        assert all(NOTE_ID.fullmatch(line) for line in complete), complete[:5]
        return complete

    def check_killed(self) -> None:
        assert not self.exited_early, (
            "the writer stopped before it was killed:\n" + self.err.read_text(errors="replace"))


def _wait_for(path: Path, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while not path.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)


def _wait_for_line(path: Path, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while b"\n" not in path.read_bytes() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)


def kill_delays(rng: random.Random, count: int) -> list[tuple[float, bool]]:
    """(delay, mid-write): a third end during start-up (some almost at once), the rest
    after the first acknowledged note."""
    return [(rng.uniform(0.0, STARTUP_S), False) if rng.random() < 1 / 3
            else (rng.uniform(0.0, WRITING_S), True) for _ in range(count)]


def missing_notes(store: Store, ids: list[str]) -> list[str]:
    present = {row[0] for row in store.db.execute("SELECT id FROM notes")}
    return [note_id for note_id in ids if note_id not in present]


def check_search_index(store: Store, sample: list[str]) -> None:
    """FTS5's own check against the notes table, and a search that finds sample notes."""
    store.db.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
    for note_id in sample:
        marker = store.notes.get(note_id).text.split()[0]
        assert [hit.note_id for hit in store.search(marker)] == [note_id], marker


def check_after_kills(store: Store, ids: list[str], rng: random.Random) -> int:
    """Every acknowledged note is there and the database is sound; returns the notes committed."""
    assert missing_notes(store, ids) == []
    assert store.integrity_problems() == []
    committed = store.db.execute("SELECT count(*) FROM notes").fetchone()[0]
    # A kill between a commit and its print loses the print, never the note;
    # that can happen at most once per kill.
    assert len(ids) <= committed <= len(ids) + KILLS
    check_search_index(store, rng.sample(ids, min(25, len(ids))))
    return committed


def test_crash_writer_uses_the_fast_test_kdf():
    assert crash_writer.FAST_KDF == FAST_KDF


def test_no_acknowledged_note_is_lost_when_the_writer_is_killed(data_home, tmp_path, capsys):
    rng = random.Random(SEED)
    logs = tmp_path / "logs"
    logs.mkdir()
    started = time.monotonic()
    runs = [KilledRun(data_home, logs / f"round-{n}", delay, writing=writing)
            for n, (delay, writing) in enumerate(kill_delays(rng, KILLS))]
    killing_s = time.monotonic() - started
    for run in runs:
        run.check_killed()
    ids = [note_id for run in runs for note_id in run.ids]
    assert len(ids) == len(set(ids))

    with Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        committed = check_after_kills(store, ids, rng)
    with capsys.disabled():
        print(f"\ncrash durability: {KILLS} kills (seed {SEED}), {len(ids)} acknowledged notes "
              f"all present ({committed} committed), {killing_s:.1f}s of writing and killing, "
              f"{time.monotonic() - started:.1f}s in all; rounds that acknowledged nothing: "
              f"{sum(1 for run in runs if not run.ids)}")
    assert ids, "no round lasted long enough to write a note"


def test_a_writer_killed_while_creating_the_store_leaves_a_usable_one(tmp_path, capsys):
    """Kills land before the key exists, or just after it was written (first migrations)."""
    rng = random.Random(SEED + 1)
    stages = []
    for n in range(max(10, KILLS // 5)):
        home = tmp_path / f"fresh-{n}"
        if n % 4 == 0:
            run = KilledRun(home, tmp_path / f"fresh-{n}", rng.uniform(0.0, STARTUP_S))
        else:
            run = KilledRun(home, tmp_path / f"fresh-{n}", rng.uniform(0.0, 0.08),
                            after=home / "key.json")
        run.check_killed()
        stages.append(_stage_reached(home))
        with Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
            assert missing_notes(store, run.ids) == []
            assert store.integrity_problems() == []
            applied = [row[0] for row in store.db.execute("SELECT name FROM schema_migrations")]
            assert applied == [migration.__name__ for migration in MIGRATIONS]
            store.notes.add(person_id=_person(store), text="written after the crash")
    with capsys.disabled():
        print(f"\nkilled while creating a store: {dict(Counter(stages))}")


def _stage_reached(home: Path) -> str:
    """How far the killed writer got: key file, migrations applied, notes written."""
    if not keys.key_file(home).exists():
        return "no key"
    if not database_path(home).exists():
        return "key only"
    conn = connect(database_path(home), keys.unlock_key(home, PASSPHRASE))
    try:
        steps = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0] if steps else 0
    except DatabaseError:
        steps, notes = 0, 0
    finally:
        conn.close()
    return f"{steps} migrations" + (", notes" if notes else "")


def _person(store: Store) -> str:
    try:
        return store.people.get(crash_writer.PERSON_ID).id
    except NotFound:
        return store.people.add(name="After the crash").id
