"""The window benchmark (keys ``ui.*``): start-up, event-loop stalls, idle memory.

- ``ui.startup_ms``: from just before the process is started to the first
  paint of the main window, with a 100,000-note store to open (median of
  several starts; the child reports the wall-clock time of its first paint).
  The window paints "Opening your notes…" while the key is derived off the
  GUI thread; ``ui.ready_ms`` is when the data is open and the team list
  shows the team.
- ``ui.stall_p99_ms`` / ``ui.stall_max_ms``: how late a 5 ms timer fires on
  the GUI thread while the real default model generates 300 tokens on the
  model thread.
- ``ui.idle_rss_mb``: resident memory 2 s after the first paint, no model loaded.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = Path(__file__).resolve().parent / "ui_probe.py"
TARGETS = [("ui.startup_ms", 500.0), ("ui.stall_p99_ms", 16.0), ("ui.stall_max_ms", 50.0),
           ("ui.idle_rss_mb", 120.0)]


def _probe(mode: str, home: Path, passphrase: str) -> tuple[float, dict]:
    env = {**os.environ, "TRELLIS_HOME": str(home), "TRELLIS_PASSPHRASE": passphrase,
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.time()
    out = subprocess.run([sys.executable, str(PROBE), mode], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout
    return started, json.loads(out.strip().splitlines()[-1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def run(home: Path, passphrase: str, starts: int = 5) -> dict:
    """Measure the window against the store in ``home``; returns flat ``ui.*`` keys."""
    startups, readies, rss = [], [], []
    for _ in range(starts):
        started, result = _probe("startup", home, passphrase)
        startups.append((result["painted_at"] - started) * 1000)
        readies.append((result["ready_at"] - started) * 1000)
        rss.append(result["idle_rss_mb"])
    _, stall = _probe("stall", home, passphrase)
    delays = stall["delays_ms"]
    return {"ui.startup_ms": statistics.median(startups), "ui.startup_min_ms": min(startups),
            "ui.ready_ms": statistics.median(readies),
            "ui.stall_p99_ms": percentile(delays, 0.99), "ui.stall_max_ms": max(delays, default=float("nan")),
            "ui.stall_samples": len(delays), "ui.idle_rss_mb": statistics.median(rss)}
