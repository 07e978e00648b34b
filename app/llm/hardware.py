"""What this machine offers the model: physical cores.

llama.cpp decodes fastest with one thread per physical core; hyper-threads
share a core's arithmetic units and mostly add contention.
"""

import os
from pathlib import Path


def physical_cores() -> int:
    """Physical CPU cores (not hyper-threads); at least 1."""
    cores = _linux_physical_cores()
    return cores or max(1, (os.cpu_count() or 2) // 2 if _smt_likely() else os.cpu_count() or 1)


def _linux_physical_cores() -> int | None:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return None
    pairs, physical = set(), "0"
    for line in cpuinfo.read_text().splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            physical = value.strip()
        elif key == "core id":
            pairs.add((physical, value.strip()))
    return len(pairs) or None


def _smt_likely() -> bool:
    # Without /proc/cpuinfo (macOS, Windows) assume two hardware threads per core
    # on x86 machines with more than two logical CPUs.
    return (os.cpu_count() or 1) > 2
