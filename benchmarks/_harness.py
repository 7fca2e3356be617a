"""What every benchmark shares: interleaved timing, the machine, thread counts.

A shared machine is noisy: another process's build can halve the speed of
everything for a few seconds. So a benchmark never times its case and its
baseline one after the other. :func:`interleaved` runs one call of each case
per round, in a rotating order, and keeps every round: a slow patch of time
then falls on all cases alike, and the ratio of the medians holds.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def interleaved(
    cases: Mapping[str, Callable[[], Any]], rounds: int, warmup: int = 1
) -> dict[str, np.ndarray]:
    """Seconds per call of each case, ``rounds`` calls each, interleaved round by round.

    Each case is called ``warmup`` times first (caches, lazily created state).
    Round ``k`` starts at the ``k``-th case and goes round, so no case is always
    the first after a pause.
    """
    names = list(cases)
    for name in names:
        for _ in range(warmup):
            cases[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for k in range(rounds):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return {name: np.asarray(values) for name, values in times.items()}


def torch_or_none() -> Any:
    """The ``torch`` module with one intra-op thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def _thread_cpu_ticks() -> dict[str, int]:
    """CPU time (clock ticks, user + system) of each thread of this process (Linux)."""
    ticks = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        ticks[task.name] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def busy_threads(call: Callable[[], Any], repeat: int) -> int | None:
    """How many threads of this process did a measurable share of ``repeat`` calls.

    Read from ``/proc/self/task`` before and after, so it counts what really
    ran (a thread pool inside a library included), not what was configured. A
    thread counts when it used at least a fifth of the busiest thread's time.
    None where ``/proc`` is not available.
    """
    if not Path("/proc/self/task").is_dir():
        return None
    before = _thread_cpu_ticks()
    for _ in range(repeat):
        call()
    after = _thread_cpu_ticks()
    used = [after[tid] - before.get(tid, 0) for tid in after]
    busiest = max(used, default=0)
    if busiest == 0:
        return None
    return sum(1 for ticks in used if ticks >= busiest / 5)


def cpu_model() -> str:
    """The model name from ``/proc/cpuinfo``, with its family and model numbers."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first core's
    name = fields.get("model name", platform.machine())
    if "cpu family" in fields and "model" in fields:
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name


def caches() -> str:
    """The data caches of the first core, e.g. ``L1d 32K, L2 1024K, L3 32768K``."""
    found = []
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            kind = (index / "type").read_text().strip()
            level = (index / "level").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            found.append(f"L{level}{'d' if kind == 'Data' else ''} {size}")
    return ", ".join(found) or "unknown"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> dict[str, str]:
    """The facts a reader of the table needs to judge its numbers."""
    torch = torch_or_none()
    blas_env = {
        name: os.environ[name]
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        if name in os.environ
    }
    return {
        "cpu": cpu_model(),
        "cores": str(cores()),
        "caches (per core; L3 shared)": caches(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
        "openblas env": ", ".join(f"{k}={v}" for k, v in blas_env.items()) or "unset",
        "load average (1, 5, 15 min)": load_average(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def ms(seconds: np.ndarray | float) -> float:
    return float(np.median(seconds)) * 1e3


def p95_ms(seconds: np.ndarray) -> float:
    return float(np.percentile(seconds, 95)) * 1e3


def verdict(ok: bool) -> str:
    return "ok" if ok else "FAIL"
