"""Alternative SQL for the benchmarked operations, timed on the same store.

``bench/run.py --variants`` calls ``run`` after the main measurements. Each
group times the store's current statement ("current") against candidate
rewrites, round-robin on the same connection, bare SQL only. The results
back the proposals in ``docs/performance.md``; none of this is what the app
runs today.
"""

import datetime as _dt
import gc
import math
import random
import time

from app.store.notes import INSERT_NOTE_SQL, NOTE_SELECT, PERSON_PAGE_SQL
from app.store.search import SEARCH_SQL, fts_query
from bench import corpus

# ORDER BY rank makes FTS5 score (bm25) every matching row before the LIMIT
# applies, so a common word costs in proportion to the notes it matches.
# The candidates keep the columns and parameters (?1 … ?4) of SEARCH_SQL.
# (ORDER BY bm25(notes_fts) is not among them: SQLite's sorter then builds
# the snippet of every matching row, about 5x slower than ORDER BY rank.)
NEWEST_FIRST_SQL = SEARCH_SQL.replace("ORDER BY rank", "ORDER BY notes_fts.rowid DESC")
RANK_NEWEST_1000_SQL = SEARCH_SQL.replace(
    "AND n.deleted_at IS NULL",
    "AND n.deleted_at IS NULL AND notes_fts.rowid >= coalesce(("
    "SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?3 "
    "ORDER BY rowid DESC LIMIT 1 OFFSET 999), 0)")
PREFIX_FTS_DDL = (
    "CREATE VIRTUAL TABLE notes_fts_prefix USING fts5("
    "text, content='notes', content_rowid='seq', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')")

SEARCH_VARIANTS = {
    # name: (sql, limit)
    "current": (SEARCH_SQL, 50),
    # Newest first (seq follows the order notes were written): FTS5 walks
    # the doclists from the end and stops once LIMIT rows are found.
    "newest_first": (NEWEST_FIRST_SQL, 50),
    "newest_first_limit20": (NEWEST_FIRST_SQL, 20),
    # Newest first, with FTS5 prefix indexes for 2-, 3- and 4-letter prefixes.
    "newest_first_prefix_index": (NEWEST_FIRST_SQL.replace("notes_fts", "notes_fts_prefix"), 50),
    # Best match among the newest 1,000 matches only.
    "rank_newest_1000": (RANK_NEWEST_1000_SQL, 50),
}

PERSON_VARIANTS = {
    "current": PERSON_PAGE_SQL,
    # What the competency subquery costs: the same page without it.
    "no_competencies": PERSON_PAGE_SQL.replace(
        NOTE_SELECT, "SELECT n.id, n.person_id, n.date, n.kind, n.text, n.deleted_at, NULL "
                     "FROM notes n"),
}


def _round_robin(n: int, fns: dict) -> dict:
    clock = time.perf_counter_ns
    names = list(fns)
    samples = {name: [] for name in names}
    gc.collect()
    gc.disable()
    try:
        for i in range(n):
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                start = clock()
                fns[name](i)
                samples[name].append(clock() - start)
    finally:
        gc.enable()
    return samples


def _p(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1] / 1e6


def search_variants(conn, n: int) -> dict:
    with_prefix_index(conn)
    queries = [fts_query(q) for q in corpus.QUERIES]
    nq = len(queries)
    fns = {}
    for name, (sql, limit) in SEARCH_VARIANTS.items():
        for m in queries:  # warm-up
            conn.execute(sql, ["[", "]", m, limit]).fetchall()
        fns[name] = (lambda sql, limit: lambda i: conn.execute(
            sql, ["[", "]", queries[i % nq], limit]).fetchall())(sql, limit)
    out = {}
    for name, samples in _round_robin(n, fns).items():
        out[f"variant.search.{name}.p50_ms"] = _p(samples, 0.50)
        out[f"variant.search.{name}.p95_ms"] = _p(samples, 0.95)
    return out


def with_prefix_index(conn) -> None:
    """A second FTS index over the same notes, with prefix indexes (benchmark store only)."""
    conn.execute("BEGIN")
    conn.execute(PREFIX_FTS_DDL)
    conn.execute("INSERT INTO notes_fts_prefix (notes_fts_prefix) VALUES ('rebuild')")
    conn.execute("COMMIT")


def person_variants(conn, n: int) -> dict:
    params = [corpus.BENCH_PERSON, 200, 0]
    fns = {name: (lambda sql: lambda i: conn.execute(sql, params).fetchall())(sql)
           for name, sql in PERSON_VARIANTS.items()}
    out = {}
    for name, samples in _round_robin(n, fns).items():
        out[f"variant.open_person.{name}.p50_ms"] = _p(samples, 0.50)
        out[f"variant.open_person.{name}.p95_ms"] = _p(samples, 0.95)
    return out


def save_variants(conn, n: int) -> dict:
    """The bare save at synchronous=FULL (the design) and NORMAL (no fsync per commit)."""
    words = corpus.NoteText(random.Random(7), _dt.date(2026, 2, 2), 30)
    notes = [(words.date(), words.text()) for _ in range(n)]
    stamp = "2026-03-02T09:00:00+00:00"

    def save(prefix):
        def fn(i):
            date, text = notes[i]
            conn.execute("BEGIN")
            conn.execute(INSERT_NOTE_SQL, [f"{prefix}{i}", "p-02", date, "observation",
                                           text, stamp, stamp])
            conn.execute("COMMIT")
        return fn

    out = {}
    for mode in ("FULL", "NORMAL"):
        conn.execute(f"PRAGMA synchronous = {mode}")
        samples = _round_robin(n, {mode: save(f"n-var-{mode}-")})[mode]
        out[f"variant.save.synchronous_{mode.lower()}.p50_ms"] = _p(samples, 0.50)
        out[f"variant.save.synchronous_{mode.lower()}.p95_ms"] = _p(samples, 0.95)
    conn.execute("PRAGMA synchronous = FULL")
    return out


def run(store) -> dict:
    conn = store.db.conn
    out = {}
    out.update(search_variants(conn, 500))
    out.update(person_variants(conn, 500))
    out.update(save_variants(conn, 200))
    return out
