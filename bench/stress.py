"""Push Trellis past everyday use and count what breaks: ``make stress``.

Three parts, each in its own temporary data dir, printed as one table and
written to ``bench/stress.json``:

**Kills** (``kills.*``). The crash writer of ``tests/test_crash_durability.py``
adds notes and prints each id once its transaction committed; it is killed
with SIGKILL ``--kills`` times (1,000 by default) at random moments, start-up
included. Then every acknowledged id is looked up: ``kills.lost`` counts the
acknowledged notes that are missing (must be 0), and SQLite's, SQLCipher's
and FTS5's integrity checks must pass.

**A 100,000-note import** (``import.*``). The benchmark's fictional team
(``bench/corpus.py``) as one ``trellis/v1`` file, imported by ``trellis
import`` in a child process: wall time, the child's peak RSS, then the
store's integrity, the note count and a search through the imported notes.

**Readers against a writer** (``readers.*``). One crash writer adds notes
while waves of 50 ``trellis notes`` / ``trellis search`` child processes run
at the same time. Counts: acknowledged notes lost (must be 0), integrity
problems (must be 0), readers that exited non-zero or wrote to stderr, and
the distinct messages they wrote (``database is locked`` would show here).

Exits 1 if anything was lost, an integrity check failed, or a reader saw an
error; otherwise 0. Run from the repo root:
``.venv/bin/python bench/stress.py [--kills N] [--notes N] [--readers N]``.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
sys.path[:0] = [str(REPO), str(TESTS)]

import crash_writer  # noqa: E402  (tests/crash_writer.py: the writer the kill test uses)
import test_crash_durability as kill_test  # noqa: E402
from app.store import Store  # noqa: E402
from bench import corpus  # noqa: E402

RESULTS = REPO / "bench" / "stress.json"
PASSPHRASE = "stress passphrase"
KDF = crash_writer.FAST_KDF


def child_env(home: Path) -> dict:
    """The environment every child gets: its data dir, the passphrase, no keychain."""
    return {**os.environ, "TRELLIS_HOME": str(home), "TRELLIS_PASSPHRASE": PASSPHRASE,
            "TRELLIS_KEYCHAIN": "off", "PYTHONPATH": str(REPO)}


def open_store(home: Path) -> Store:
    return Store.open(home, passphrase=PASSPHRASE, kdf=KDF)


def search_index_problems(store: Store) -> list[str]:
    """FTS5's own integrity check of the search index against the notes table."""
    try:
        store.db.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
    except Exception as exc:  # the check reports a damaged index by raising
        return [f"search index: {type(exc).__name__}: {exc}"]
    return []


def soundness(store: Store, acknowledged: list[str]) -> dict:
    """Acknowledged notes missing, integrity problems, notes committed."""
    lost = kill_test.missing_notes(store, acknowledged)
    problems = store.integrity_problems() + search_index_problems(store)
    committed = store.db.execute("SELECT count(*) FROM notes").fetchone()[0]
    return {"acknowledged": len(acknowledged), "lost": len(lost), "committed": committed,
            "integrity_problems": len(problems), "problems": problems[:5]}


# --- kills -------------------------------------------------------------------

def run_kills(root: Path, kills: int, seed: int) -> dict:
    home, logs = root / "kills", root / "kill-logs"
    logs.mkdir()
    os.environ.update(child_env(home))
    rng = random.Random(seed)
    started = time.monotonic()
    runs = [kill_test.KilledRun(home, logs / f"round-{n}", delay)
            for n, delay in enumerate(kill_test.kill_delays(rng, kills))]
    seconds = time.monotonic() - started
    ids = [note_id for run in runs for note_id in run.ids]
    with open_store(home) as store:
        found = soundness(store, ids)
    return {"kills": kills, "seed": seed, "seconds": round(seconds, 1),
            "exited_before_kill": sum(run.exited_early for run in runs),
            "rounds_without_a_note": sum(1 for run in runs if not run.ids), **found}


# --- a large import ------------------------------------------------------------

def write_team_document(path: Path, total: int) -> int:
    """The benchmark corpus as a trellis/v1 file; the number of notes in it (at least 2,000)."""
    notes = [{"id": row[0], "person": row[1], "date": row[2], "kind": row[3], "text": row[4],
              "competencies": list(tags)}
             for row, tags in corpus.generate_notes(total=total)]
    doc = {"format": "trellis/v1",
           "people": [{"id": pid, "name": name, "role": role} for pid, name, role in corpus.PEOPLE],
           "competencies": [{"id": cid, "name": name} for cid, name in corpus.COMPETENCIES],
           "notes": notes}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return len(notes)


def run_child_measured(args: list[str], env: dict) -> tuple[int, str, float, int]:
    """Exit code, stderr, wall seconds and peak RSS (KiB) of one child process."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return child.returncode, err.read().decode(errors="replace"), \
            time.monotonic() - started, usage.ru_maxrss


def run_import(root: Path, total: int) -> dict:
    home, document = root / "import", root / "team.json"
    total = write_team_document(document, total)
    open_store(home).close()   # the key and schema exist before the import, as on a manager's laptop
    code, err, seconds, rss_kib = run_child_measured(
        [sys.executable, "-m", "app.cli", "import", str(document)], child_env(home))
    with open_store(home) as store:
        found = soundness(store, [])
        hits = len(store.search("incident", limit=50))
    return {"notes": total, "file_mb": round(document.stat().st_size / 2**20, 1),
            "exit_code": code, "stderr": err.strip()[-400:], "seconds": round(seconds, 1),
            "peak_rss_mb": round(rss_kib / 1024), "committed": found["committed"],
            "integrity_problems": found["integrity_problems"], "problems": found["problems"],
            "search_hits": hits}


# --- readers against a writer --------------------------------------------------------

def reader_command(n: int) -> list[str]:
    if n % 2:
        return [sys.executable, "-m", "app.cli", "search", random.choice(crash_writer.VOCABULARY)]
    return [sys.executable, "-m", "app.cli", "notes", crash_writer.PERSON_ID, "--limit", "50"]


def run_wave(count: int, env: dict) -> list[tuple[int, str, float]]:
    """``count`` readers started at once; each one's exit code, stderr and wall seconds."""
    started = time.monotonic()
    children = [subprocess.Popen(reader_command(n), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True) for n in range(count)]
    ended: dict[int, float] = {}
    while len(ended) < count:
        for n, child in enumerate(children):
            if n not in ended and child.poll() is not None:
                ended[n] = time.monotonic() - started
        time.sleep(0.01)
    return [(child.returncode, child.stderr.read(), ended[n]) for n, child in enumerate(children)]


def run_readers(root: Path, readers: int, waves: int) -> dict:
    home = root / "readers"
    env = child_env(home)
    with open_store(home) as store:
        crash_writer.ensure_person(store)
    out, err = root / "writer.out", root / "writer.err"
    started = time.monotonic()
    with out.open("wb") as out_file, err.open("wb") as err_file:
        writer = subprocess.Popen([sys.executable, str(kill_test.WRITER), str(home)], cwd=REPO,
                                  env=env, stdout=out_file, stderr=err_file)
        results = [result for _ in range(waves) for result in run_wave(readers, env)]
        writer_died = writer.poll() is not None
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    seconds = time.monotonic() - started
    acknowledged = out.read_text(encoding="ascii").split("\n")[:-1]
    with open_store(home) as store:
        found = soundness(store, acknowledged)
    return {"readers": readers, "waves": waves, "runs": len(results), "seconds": round(seconds, 1),
            **reader_figures(results), "writer_died": writer_died,
            "writer_stderr": err.read_text(errors="replace").strip()[-400:], **found}


def reader_figures(results: list[tuple[int, str, float]]) -> dict:
    """How long readers took, how many failed, and the last line each failure wrote."""
    failed = [(code, text.strip()) for code, text, _ in results if code != 0 or text.strip()]
    took = sorted(wall for _, _, wall in results)
    return {"reader_median_s": round(took[len(took) // 2], 1), "reader_max_s": round(took[-1], 1),
            "reader_errors": len(failed),
            "messages": dict(Counter(text.splitlines()[-1] if text else f"exit {code}"
                                     for code, text in failed))}


# --- report --------------------------------------------------------------------

def rows(results: dict) -> list[tuple[str, str, str]]:
    kills, big, readers = results.get("kills"), results.get("import"), results.get("readers")
    table = []
    if kills:
        table += [("kills", f"{kills['kills']} SIGKILLs, {kills['acknowledged']} notes acknowledged",
                   f"{kills['lost']} lost, {kills['integrity_problems']} integrity problems, "
                   f"{kills['seconds']} s")]
    if big:
        table += [("import", f"{big['notes']:,} notes ({big['file_mb']} MB)",
                   f"exit {big['exit_code']}, {big['seconds']} s, peak RSS {big['peak_rss_mb']} MB, "
                   f"{big['committed']:,} stored, {big['integrity_problems']} integrity problems")]
    if readers:
        table += [("readers", f"{readers['runs']} CLI readers ({readers['waves']} waves of "
                   f"{readers['readers']}) vs 1 writer",
                   f"{readers['reader_errors']} reader errors (each took {readers['reader_median_s']} s "
                   f"median, {readers['reader_max_s']} s max), {readers['lost']} of "
                   f"{readers['acknowledged']} acknowledged lost, "
                   f"{readers['integrity_problems']} integrity problems, {readers['seconds']} s")]
    return table


def failures(results: dict) -> list[str]:
    found = []
    for part, figures in results.items():
        if not isinstance(figures, dict):
            continue
        found += [f"{part}: {figures['lost']} acknowledged notes lost"] if figures.get("lost") else []
        found += [f"{part}: integrity problems {figures['problems']}"] if figures.get("integrity_problems") else []
    if results.get("import", {}).get("exit_code"):
        found.append(f"import: exit {results['import']['exit_code']}: {results['import']['stderr']}")
    readers = results.get("readers", {})
    if readers.get("reader_errors") or readers.get("writer_died"):
        found.append(f"readers: {readers['messages']} {readers['writer_stderr']}")
    return found


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _earlier_results(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000, help="SIGKILL cycles (0 skips)")
    parser.add_argument("--seed", type=int, default=20260125)
    parser.add_argument("--notes", type=int, default=100_000, help="notes to import (0 skips)")
    parser.add_argument("--readers", type=int, default=50, help="readers per wave (0 skips)")
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = _earlier_results(args.out)  # a part run alone keeps the other parts' figures
    results["cpus"] = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="trellis-stress-") as tmp:
        root = Path(tmp)
        if args.readers:
            results["readers"] = {**run_readers(root, args.readers, args.waves), "run_at": _now()}
        if args.notes:
            results["import"] = {**run_import(root, args.notes), "run_at": _now()}
        if args.kills:
            results["kills"] = {**run_kills(root, args.kills, args.seed), "run_at": _now()}
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    width = max(len(row[1]) for row in rows(results)) if rows(results) else 0
    for part, what, outcome in rows(results):
        print(f"{part:<8} {what:<{width}}  {outcome}")
    problems = failures(results)
    for problem in problems:
        print(f"FAILED {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
