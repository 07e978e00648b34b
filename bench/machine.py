"""What the model benchmark needs to know about the machine it runs on.

Model speed depends on the caches, the memory and on who else uses the
cores, so the benchmark records the last-level cache, the load average and
how much CPU other processes took while it measured: a figure taken while
another process kept a core busy is not comparable with one taken on a
quiet machine.
"""

import os
import time
from pathlib import Path

_CACHE_DIR = Path("/sys/devices/system/cpu/cpu0/cache")


def last_level_cache_bytes() -> int | None:
    """The size of the largest-level cache that CPU 0 sees, from sysfs (Linux)."""
    best_level, best_size = 0, None
    for index in sorted(_CACHE_DIR.glob("index*")):
        try:
            level = int((index / "level").read_text())
            size = _parse_size((index / "size").read_text().strip())
        except (OSError, ValueError):
            continue
        if level > best_level:
            best_level, best_size = level, size
    return best_size


def _parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def load_average() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _busy_seconds() -> float | None:
    """CPU time all processes spent outside idle and iowait since boot (Linux)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    ticks = [int(v) for v in fields]
    # user … steal, less idle and iowait (guest time is already in user)
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """Measures the cores that other processes kept busy during a ``with`` block.

    ``cores`` is (all busy CPU time - this process's CPU time) / wall time:
    0 on a quiet machine, 1.0 when another process kept one core busy.
    """

    cores: float | None = None

    def __enter__(self):
        self._start = (time.perf_counter(), time.process_time(), _busy_seconds())
        return self

    def __exit__(self, *exc):
        wall0, own0, busy0 = self._start
        busy1 = _busy_seconds()
        if busy0 is not None and busy1 is not None:
            wall = time.perf_counter() - wall0
            others = (busy1 - busy0) - (time.process_time() - own0)
            self.cores = round(max(0.0, others) / wall, 2) if wall > 0 else None


def wait_for_quiet(max_wait_s: float, threshold_cores: float = 0.2,
                   window_s: float = 0.5) -> float | None:
    """Wait until other processes use under ``threshold_cores`` over one window.

    Gives up after ``max_wait_s``; returns the last window's reading.
    """
    deadline = time.perf_counter() + max_wait_s
    while True:
        with OtherLoad() as others:
            time.sleep(window_s)
        calm = others.cores is None or others.cores < threshold_cores
        if calm or time.perf_counter() >= deadline:
            return others.cores
