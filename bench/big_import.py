"""How much time and memory a large ``trellis/v1`` import takes:
``.venv/bin/python -m bench.big_import [NOTES]`` (default 150,000).

Why it exists: ``MAX_IMPORT_BYTES`` (``app/exchange/__init__.py``) bounds
what an import may read, and docs/reliability.md says what a file near it
costs. The document is the labelled team's with its 103 notes repeated
under new ids; it is written to a temporary directory and imported into a
fresh store there. Prints the file size, the seconds and the peak memory
before and after.
"""

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from app.exchange import import_file
from app.store import KdfParams, Store

TEAM = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled_team.json"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def repeated_team(count: int, prefix: str) -> dict:
    """The labelled team's document with its notes repeated to ``count``, each with a new id."""
    document = json.loads(TEAM.read_text("utf-8"))
    notes = document["notes"]
    document["notes"] = [{**notes[i % len(notes)], "id": f"{prefix}{i}"} for i in range(count)]
    return document


def run(count: int) -> str:
    document = repeated_team(count, "n-big-")
    with tempfile.TemporaryDirectory(prefix="trellis-big-import-") as scratch:
        path = Path(scratch) / "team.json"
        path.write_text(json.dumps(document), "utf-8")
        del document
        before = _peak_mb()
        store = Store.open(Path(scratch) / "home", passphrase="big-import-benchmark",
                           kdf=KdfParams(8192, 1, 1))
        try:
            started = time.perf_counter()
            import_file(store, path)
            seconds = time.perf_counter() - started
        finally:
            store.close()
        return (f"{count:,} notes, {path.stat().st_size / 2**20:.1f} MB file: {seconds:.1f} s, "
                f"peak memory {_peak_mb():.0f} MB (before the import {before:.0f} MB)")


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 150_000))
