"""Benchmark Trellis at a realistic size: ``make bench``.

Three parts, run one after the other and written to one ``bench/results.json``
(``--only store``, ``--only llm`` or ``--only drafts`` runs one and keeps the
others' keys):

**The encrypted store** (keys ``store.*``, ``sql.*``, ``bench.*``,
``machine.*``). Builds, in a temporary directory, a store of 100,000
fictional notes over 15 people (``bench/corpus.py``), reopens it as the app
would, then times the three things a manager waits for, each through the
store API and as the bare SQL the API issues, on the same connection,
interleaved:

- search as you type: ``store.search(q)`` vs ``SEARCH_SQL`` + ``fetchall()``;
- opening a person: ``store.notes.for_person(...)`` vs ``PERSON_PAGE_SQL``;
- saving a note: ``store.notes.add(...)`` vs ``INSERT_NOTE_SQL`` + ``COMMIT``
  (each its own fsync'd transaction).

**The on-device model** (keys ``llm.*``, ``bench/llm.py``): decode speed
through the engine against a bare llama-cpp-python loop, decode on a
synthetic 1.5 GB model against the memory-bandwidth bound, time to first
token cold and warm, and stop latency during a long prompt.

**Review drafts** (keys ``drafts.*``, ``bench/drafts.py``): wall time of a
review draft from 40 notes with the default model, and the share of model
sentences the grounding checker rejected.

Each part prints a table against its targets. The run exits 0 even when a
target is missed: it is a measurement, not a test. ``--variants`` also
times alternative SQL (``bench/variants.py``) and other model settings.

Run from the repo root: ``.venv/bin/python bench/run.py [--help]``.
"""

import argparse
import datetime as _dt
import gc
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.store import KdfParams, Store  # noqa: E402
from app.store.notes import INSERT_NOTE_SQL, PERSON_PAGE_SQL  # noqa: E402
from app.store.search import SEARCH_LIMIT, SEARCH_SQL, fts_query  # noqa: E402
from bench import corpus, drafts, llm, ui  # noqa: E402

PASSPHRASE = "trellis-benchmark-passphrase"
CHEAP_KDF = KdfParams(8192, 1, 1)
TAG_SQL = "INSERT INTO note_competencies (note_id, competency_id) VALUES (?, ?)"
SAVE_PERSON = "p-01"  # saves go elsewhere so p-bench keeps exactly 2,000 notes

# (key, target): a metric passes when its value is at most the target.
TARGETS = [
    ("store.search_p95_ms", 2.0),
    ("store.search_overhead_ratio", 1.5),
    ("store.open_person_ms", 3.0),
    ("store.save_p95_ms", 2.0),
    *ui.TARGETS,
]


# ---------------------------------------------------------------- timing

def percentile(samples_ns: list[int], q: float) -> float:
    """Nearest-rank percentile of nanosecond samples, in milliseconds."""
    ordered = sorted(samples_ns)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1] / 1e6


class quiet_gc:
    """Collect first, then keep the cyclic GC out of the timed loop."""

    def __enter__(self):
        gc.collect()
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def interleaved(n: int, api, sql) -> tuple[list[int], list[int]]:
    """Run ``api(i)`` and ``sql(i)`` ``n`` times each, alternating which goes first."""
    clock = time.perf_counter_ns
    api_ns, sql_ns = [], []
    with quiet_gc():
        for i in range(n):
            first, second = ((api, api_ns), (sql, sql_ns)) if i % 2 == 0 else ((sql, sql_ns), (api, api_ns))
            for fn, out in (first, second):
                start = clock()
                fn(i)
                out.append(clock() - start)
    return api_ns, sql_ns


# ---------------------------------------------------------------- build

def build_store(home: Path, total: int, seed: int) -> Store:
    store = Store.open(home, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    for person_id, name, role in corpus.PEOPLE:
        store.people.add(name=name, role=role, person_id=person_id)
    for competency_id, name in corpus.COMPETENCIES:
        store.competencies.add(name=name, competency_id=competency_id)
    rows, tags = [], []
    for row, competencies in corpus.generate_notes(total=total, seed=seed):
        rows.append(row)
        tags.extend((row[0], c) for c in competencies)
    # One transaction; the FTS triggers index every row as it goes in.
    with store.db.atomic():
        store.db.conn.executemany(INSERT_NOTE_SQL, rows)
        store.db.conn.executemany(TAG_SQL, tags)
    return store


def machine_info(conn) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    return {
        "machine.nproc": os.cpu_count(),
        "machine.cpu": cpu,
        "machine.platform": platform.platform(),
        "machine.python": platform.python_version(),
        "machine.sqlcipher": conn.execute("PRAGMA cipher_version").fetchone()[0],
        "machine.sqlite": conn.execute("SELECT sqlite_version()").fetchone()[0],
        "machine.loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


# ---------------------------------------------------------------- measurements

def bench_search(store: Store, n: int) -> tuple[dict, dict]:
    conn = store.db.conn
    queries = corpus.QUERIES
    matches = [fts_query(q) for q in queries]
    params = [["[", "]", m, SEARCH_LIMIT] for m in matches]
    hits = [conn.execute("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", [m]).fetchone()[0]
            for m in matches]
    for q, p in zip(queries, params):  # warm-up: statement cache and page cache
        store.search(q)
        conn.execute(SEARCH_SQL, p).fetchall()
    nq = len(queries)
    api, sql = interleaved(n, lambda i: store.search(queries[i % nq]),
                           lambda i: conn.execute(SEARCH_SQL, params[i % nq]).fetchall())
    out = {
        "store.search_p50_ms": percentile(api, 0.50),
        "store.search_p95_ms": percentile(api, 0.95),
        "sql.search_p50_ms": percentile(sql, 0.50),
        "sql.search_p95_ms": percentile(sql, 0.95),
    }
    out["store.search_overhead_ratio"] = out["store.search_p95_ms"] / out["sql.search_p95_ms"]
    # By how many notes the query matches: what the cost grows with.
    bands = {"rare": (0, 500), "mid": (500, 3000), "common": (3000, 10**9)}
    for band, (lo, hi) in bands.items():
        picked = [t for i, t in enumerate(sql) if lo <= hits[i % nq] < hi]
        if picked:
            out[f"sql.search_{band}_p95_ms"] = percentile(picked, 0.95)
            out[f"sql.search_{band}_queries"] = sum(lo <= h < hi for h in hits)
    per_query = {q: percentile(sql[i::nq], 0.50) for i, q in enumerate(queries) if sql[i::nq]}
    return out, {"hits": dict(zip(queries, hits)), "sql_p50_ms": per_query}


def bench_open_person(store: Store, n: int) -> dict:
    conn = store.db.conn
    person = corpus.BENCH_PERSON
    params = [person, 200, 0]
    for _ in range(20):
        store.notes.for_person(person, limit=200)
        conn.execute(PERSON_PAGE_SQL, params).fetchall()
    api, sql = interleaved(n, lambda i: store.notes.for_person(person, limit=200),
                           lambda i: conn.execute(PERSON_PAGE_SQL, params).fetchall())
    return {
        "store.open_person_ms": percentile(api, 0.95),
        "store.open_person_p50_ms": percentile(api, 0.50),
        "sql.open_person_ms": percentile(sql, 0.95),
        "sql.open_person_p50_ms": percentile(sql, 0.50),
    }


def bench_save(store: Store, n: int, seed: int) -> dict:
    conn = store.db.conn
    words = corpus.NoteText(random.Random(seed + 1), _dt.date(2026, 1, 5), 60)
    texts = [words.text() for _ in range(n + 10)]
    dates = [words.date() for _ in range(n + 10)]
    stamp = "2026-03-01T09:00:00+00:00"

    def api(i):
        store.notes.add(person_id=SAVE_PERSON, text=texts[i], date=dates[i], kind="observation")

    def sql(i, prefix="n-sql-"):
        conn.execute("BEGIN")
        conn.execute(INSERT_NOTE_SQL, [f"{prefix}{i}", SAVE_PERSON, dates[i], "observation",
                                       texts[i], stamp, stamp])
        conn.execute("COMMIT")

    for i in range(5):  # warm-up
        api(n + i)
        sql(n + i, prefix="n-warm-")
    api_ns, sql_ns = interleaved(n, api, sql)
    return {
        "store.save_p50_ms": percentile(api_ns, 0.50),
        "store.save_p95_ms": percentile(api_ns, 0.95),
        "sql.save_p50_ms": percentile(sql_ns, 0.50),
        "sql.save_p95_ms": percentile(sql_ns, 0.95),
    }


# ---------------------------------------------------------------- report

def print_table(results: dict) -> list[str]:
    rows = [(key, results[key], f"<= {target:g}", "pass" if results[key] <= target else "MISS")
            for key, target in TARGETS]
    for key in ("sql.search_p95_ms", "store.search_p50_ms", "sql.search_p50_ms",
                "sql.search_rare_p95_ms", "sql.search_mid_p95_ms", "sql.search_common_p95_ms",
                "sql.open_person_ms", "store.save_p50_ms", "sql.save_p95_ms",
                "ui.ready_ms", "store.notes_total", "bench.build_s", "bench.total_s"):
        if key in results:
            rows.append((key, results[key], "", ""))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'metric':<{width}}  {'value':>10}  {'target':>8}  result")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 8}  ------")
    for key, value, target, verdict in rows:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown:>10}  {target:>8}  {verdict}")
    missed = [r[0] for r in rows if r[3] == "MISS"]
    print(f"\nmachine: {results['machine.nproc']} cores, {results['machine.cpu']}, "
          f"Python {results['machine.python']}, SQLCipher {results['machine.sqlcipher']} "
          f"(SQLite {results['machine.sqlite']}), load {results['machine.loadavg_1m']}")
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    return missed


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("store", "llm", "drafts"), default=None,
                        help="run one part; the other parts' keys in --out are kept as they are")
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--no-window", action="store_true",
                        help="skip the window part (ui.*) of the store run")
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--person-reads", type=int, default=1_000)
    parser.add_argument("--saves", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--dir", type=Path, default=None,
                        help="parent of the temporary store and synthetic model "
                             "(default: the system temp dir)")
    parser.add_argument("--variants", action="store_true",
                        help="also time alternative SQL (bench/variants.py) and model "
                             "alternatives (bench/llm_variants.py: 1 thread, no mmap, mlock; F16 "
                             "and Q4_0 synthetic models; the default model as Q8_0 and Q4_0)")
    model = parser.add_argument_group("model (bench/llm.py)")
    model.add_argument("--llm-model", type=Path, default=llm.DEFAULT_MODEL,
                       help="GGUF for decode, time to first token and stop (default: %(default)s)")
    model.add_argument("--llm-decode-tokens", type=int, default=256)
    model.add_argument("--llm-runs", type=int, default=7,
                       help="decode runs each, engine and bare, on each model")
    model.add_argument("--synthetic-gb", type=float, default=1.5,
                       help="size of the synthetic model written to the temp dir")
    model.add_argument("--synthetic-type", choices=("Q8_0", "F16", "Q4_0"), default="Q8_0")
    review = parser.add_argument_group("review drafts (bench/drafts.py)")
    review.add_argument("--drafts-runs", type=int, default=3,
                        help="review drafts timed; the median is drafts.review_s")
    review.add_argument("--drafts-threads", type=int, default=None,
                        help="model threads for the drafts (default: the app's, physical cores)")
    return parser.parse_args(argv)


def llm_settings(args: argparse.Namespace) -> llm.LlmBenchSettings:
    return llm.LlmBenchSettings(
        model=args.llm_model, decode_tokens=args.llm_decode_tokens, decode_runs=args.llm_runs,
        synthetic_runs=args.llm_runs, synthetic_bytes=int(args.synthetic_gb * 1e9),
        synthetic_type=args.synthetic_type, variants=args.variants, temp_dir=args.dir)


def run_store(args: argparse.Namespace) -> dict:
    """The store benchmark; prints its table and returns its keys."""
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="trellis-bench-", dir=args.dir))
    home = tmp / "home"
    results: dict = {"bench.date": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    details: dict = {}
    store = None
    try:
        print(f"building {args.notes:,} notes in {tmp} …", flush=True)
        t0 = time.perf_counter()
        store = build_store(home, args.notes, args.seed)
        results["bench.build_s"] = round(time.perf_counter() - t0, 2)
        store.close()
        t0 = time.perf_counter()
        store = Store.open(home, passphrase=PASSPHRASE, create=False)
        results["bench.open_s"] = round(time.perf_counter() - t0, 4)
        conn = store.db.conn
        results.update(machine_info(conn))
        results["store.notes_total"] = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        bench_count = store.notes.count_for_person(corpus.BENCH_PERSON)
        results["store.bench_person_notes"] = bench_count
        results["store.db_mb"] = round((home / "trellis.db").stat().st_size / 1e6, 1)

        print(f"search: {args.searches} × 2 …", flush=True)
        search, details = bench_search(store, args.searches)
        results.update(search)
        print(f"open person: {args.person_reads} × 2 …", flush=True)
        results.update(bench_open_person(store, args.person_reads))
        print(f"save: {args.saves} × 2 …", flush=True)
        results.update(bench_save(store, args.saves, args.seed))
        results["bench.searches"] = args.searches
        results["bench.person_reads"] = args.person_reads
        results["bench.saves"] = args.saves
        if args.variants:
            from bench import variants
            print("variants …", flush=True)
            results.update(variants.run(store))
        store.close()
        store = None
        if not args.no_window:
            print("window: start-up, stalls while the model generates, idle memory …", flush=True)
            results.update(ui.run(home, PASSPHRASE))
    finally:
        if store is not None:
            store.close()
        shutil.rmtree(tmp, ignore_errors=True)
    results["bench.total_s"] = round(time.perf_counter() - started, 1)
    results = rounded(results)

    print_table(results)
    slowest = sorted(details.get("sql_p50_ms", {}).items(), key=lambda kv: -kv[1])[:5]
    if slowest:
        print("slowest queries (bare SQL p50 ms, notes matched): " + ", ".join(
            f"{q!r} {ms:.1f} ({details['hits'][q]:,})" for q, ms in slowest))
    return results


def run_llm(args: argparse.Namespace) -> dict:
    """The model benchmark (bench/llm.py); prints its table and returns its keys."""
    print("\nmodel engine …", flush=True)
    results = rounded(llm.run(llm_settings(args)))
    llm.print_table(results)
    return results


def run_drafts(args: argparse.Namespace) -> dict:
    """The review-draft benchmark (bench/drafts.py); prints its table and returns its keys."""
    print(f"\nreview drafts: {args.drafts_runs} × 40 notes …", flush=True)
    results = rounded(drafts.run(model=args.llm_model, runs=args.drafts_runs,
                                  threads=args.drafts_threads, temp_dir=args.dir))
    drafts.print_table(results)
    return results


def rounded(results: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in results.items()}


def is_llm_key(key: str) -> bool:
    return key.startswith("llm.")


def part_of(key: str) -> str:
    """Which part of the benchmark wrote a key: "llm", "drafts" or "store"."""
    return "llm" if is_llm_key(key) else "drafts" if key.startswith("drafts.") else "store"


def merged(out: Path, fresh: dict, only: str | None) -> dict:
    """``fresh`` plus, when one part ran, the other part's keys from the last results."""
    if only is None or not out.exists():
        return fresh
    try:
        previous = json.loads(out.read_text())
    except (OSError, ValueError):
        return fresh
    kept = {k: v for k, v in previous.items() if part_of(k) != only}
    return {**kept, **fresh}


def main(argv=None) -> int:
    args = parse_args(argv)
    results: dict = {}
    if args.only in (None, "store"):
        results.update(run_store(args))
    if args.only in (None, "llm"):
        results.update(run_llm(args))
    if args.only in (None, "drafts"):
        results.update(run_drafts(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged(args.out, results, args.only), indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
