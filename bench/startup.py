"""The window's start on a big store: ``.venv/bin/python -m bench.startup [HOME] [--starts N]``.

Why it exists: ``make bench`` times the start against its own 100,000-note
store (many people, few notes each); this times it against a store with
the same number of notes on seven people (``tests/data/labelled_team.json``
repeated, about 14,300 notes a person), the shape that once made the first
paint wait 17–21 s. HOME (default ``/tmp/trellis-startup-home``) is built the
first time, which takes about 30 s, and kept for the next run. Prints the
first paint (``ui.startup_ms``) and ready (``ui.ready_ms``) of each start,
and their medians.
"""

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from app.exchange import import_file
from app.store import Store
from bench import ui
from bench.big_import import repeated_team

PASSPHRASE = "trellis start-up benchmark"
NOTES = 100_000


def build(home: Path) -> None:
    document = repeated_team(NOTES, "n-start-")
    with tempfile.TemporaryDirectory(prefix="trellis-startup-") as scratch:
        path = Path(scratch) / "team.json"
        path.write_text(json.dumps(document), "utf-8")
        with Store.open(home, passphrase=PASSPHRASE) as store:
            import_file(store, path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.startup")
    parser.add_argument("home", nargs="?", type=Path, default=Path("/tmp/trellis-startup-home"))
    parser.add_argument("--starts", type=int, default=7)
    args = parser.parse_args()
    if not (args.home / "trellis.db").exists():
        print(f"building {NOTES:,} notes in {args.home} …", flush=True)
        build(args.home)
    paints, readies = [], []
    for _ in range(args.starts):
        started, result = ui._probe("startup", args.home, PASSPHRASE)
        paints.append((result["painted_at"] - started) * 1000)
        readies.append((result["ready_at"] - started) * 1000)
    print("first paint ms:", sorted(round(p) for p in paints))
    print("ready ms:      ", sorted(round(r) for r in readies))
    print(f"median: first paint {statistics.median(paints):.0f} ms, "
          f"ready {statistics.median(readies):.0f} ms")


if __name__ == "__main__":
    main()
