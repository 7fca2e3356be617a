"""Live widget latency: a control change until the new PNG is in the Image widget.

For each ready-made explorer at book size, the control is moved 50 times (to a
different value each time) and the time of ``control.value = v`` is recorded:
it covers the optimizer run, the blitted redraw and the PNG encoding, all of
which happen synchronously in the widget's observer. The send to the browser
is not included (there is no kernel here). Targets: 50 ms median, 100 ms p95.
The baseline is the same explorer redrawing the whole figure on every change
(no cached background). A second table row per explorer gives the size of its
static frames, against the 25 KB budget that keeps a chapter page under 3 MB.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import matplotlib

if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")  # a benchmark process has no display; optlib itself never sets this

import numpy as np

from optlib import functions, optimizers, widgets

CHANGES = 50
TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 100.0
TARGET_FRAME_KB = 25.0
LRS_2D = [1e-4, 2e-4, 4e-4, 7e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 4e-3, 6e-3]


def _cases() -> dict[str, Callable[[str], widgets.Explorer]]:
    return {
        "learning_rate_explorer 2-D (Rosenbrock, SGD+momentum, 200 steps)": lambda mode: (
            widgets.learning_rate_explorer(
                functions.Rosenbrock(), [-1.5, 2.0], LRS_2D, steps=200, momentum=0.9, mode=mode
            )
        ),
        "learning_rate_explorer 1-D (DoubleWell, SGD, 200 steps)": lambda mode: (
            widgets.learning_rate_explorer(
                functions.DoubleWell(),
                [1.8],
                [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5],
                steps=200,
                mode=mode,
            )
        ),
        "optimizer_explorer 2 controls (Beale, Adam lr x beta1, 150 steps)": lambda mode: (
            widgets.optimizer_explorer(
                functions.Beale(),
                [1.0, 1.5],
                {
                    "lr": [0.01, 0.03, 0.1, 0.3, 1.0],
                    "betas": [(0.0, 0.999), (0.5, 0.999), (0.9, 0.999), (0.99, 0.999)],
                },
                optimizer=optimizers.Adam,
                steps=150,
                mode=mode,
            )
        ),
        "race_explorer (Rosenbrock, 4 optimizers, step slider)": lambda mode: (
            widgets.race_explorer(
                functions.Rosenbrock(),
                [-1.5, 2.0],
                {
                    "SGD": (optimizers.SGD, {"lr": 2e-3, "momentum": 0.9}),
                    "Adagrad": (optimizers.Adagrad, {"lr": 0.5}),
                    "RMSprop": (optimizers.RMSprop, {"lr": 0.01}),
                    "Adam": (optimizers.Adam, {"lr": 0.05}),
                },
                steps=200,
                mode=mode,
            )
        ),
    }


def _latencies(explorer: widgets.Explorer, changes: int, full_redraw: bool) -> np.ndarray:
    assert explorer.image is not None
    names = list(explorer.controls)
    rng = np.random.default_rng(0)
    times = []
    for k in range(changes + 3):  # three warm-up changes (font and glyph caches)
        name = names[k % len(names)]
        control = explorer.controls[name]
        options = list(getattr(control, "options", ()))
        current = control.index
        choice = int(rng.integers(len(options) - 1))
        new = options[choice if choice < current else choice + 1][1]
        before = explorer.image.value
        if full_redraw:
            explorer._background = None
        start = time.perf_counter()
        control.value = new
        elapsed = time.perf_counter() - start
        if explorer.image.value == before:
            raise RuntimeError(f"changing {name} did not change the picture")
        if k >= 3:
            times.append(elapsed)
    return 1e3 * np.asarray(times)


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, make in _cases().items():
        live = make("live")
        fast = _latencies(live, CHANGES, full_redraw=False)
        slow = _latencies(live, CHANGES // 2, full_redraw=True)
        median, p95 = float(np.median(fast)), float(np.percentile(fast, 95))
        ok = median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS
        rows.append(
            {
                "name": name,
                "measure": "live update (ms)",
                "median": median,
                "p95": p95,
                "target": f"<= {TARGET_MEDIAN_MS:g} / {TARGET_P95_MS:g}",
                "baseline": float(np.median(slow)),
                "ratio": float(np.median(slow)) / median,
                "verdict": "ok" if ok else "FAIL",
            }
        )
        static = make("static")
        sizes = np.array([len(frame) for frame in static.frames]) / 1e3
        rows.append(
            {
                "name": name,
                "measure": f"static frame (KB, {len(sizes)} frames)",
                "median": float(np.median(sizes)),
                "p95": float(np.percentile(sizes, 95)),
                "target": f"<= {TARGET_FRAME_KB:g}",
                "verdict": "ok" if sizes.max() <= TARGET_FRAME_KB else "FAIL",
            }
        )
    return rows
