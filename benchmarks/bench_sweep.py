"""Vectorised sweep: 2,500 (learning rate, momentum) settings x 200 steps in one call.

``optlib.sweep`` runs SGD on the 2-D Rosenbrock function from (-1.5, 2) for a
50 x 50 grid of learning rates (1e-4 to 1e-2, geometric) and momenta (0 to
0.99), all runs advancing together in the same NumPy operations.

The baseline is the Python loop a reader would otherwise write: one
``minimize`` per setting. Timing all 2,500 would take minutes, so each round
times the same 50 settings, drawn at random from the grid (a fixed seed: slow
and diverging settings in their usual proportion), and multiplies by 50; the
final losses of those 50 runs are checked against the sweep's. Target: the
sweep in at most 0.5 s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks._harness import interleaved, ms, p95_ms, verdict
from optlib import SGD, Rosenbrock, minimize, sweep

GRID = 50
STEPS = 200
START = (-1.5, 2.0)
SUBSET = 50
ROUNDS = 7
TARGET_S = 0.5


def run() -> list[dict[str, Any]]:
    rosenbrock = Rosenbrock()
    lrs, momenta = np.meshgrid(np.geomspace(1e-4, 1e-2, GRID), np.linspace(0.0, 0.99, GRID))
    lrs, momenta = lrs.ravel(), momenta.ravel()
    subset = np.random.default_rng(0).choice(lrs.size, SUBSET, replace=False)

    def vectorised() -> Any:
        return sweep(
            rosenbrock, START, SGD, steps=STEPS, lr=lrs[:, None], momentum=momenta[:, None]
        )

    def loop() -> list[Any]:
        return [
            minimize(rosenbrock, START, SGD, steps=STEPS, lr=lrs[k], momentum=momenta[k])
            for k in subset
        ]

    result, runs = vectorised(), loop()
    for k, traj in zip(subset, runs, strict=True):
        assert traj.diverged == result.diverged[k], k
        np.testing.assert_allclose(traj.final_loss, result.final_losses[k], rtol=1e-9)

    times = interleaved({"sweep": vectorised, "loop": loop}, ROUNDS)
    loop_estimate = times["loop"] * (lrs.size / SUBSET)
    return [
        {
            "name": f"sweep: {lrs.size} (lr, momentum) x {STEPS} SGD steps, Rosenbrock",
            "measure": "ms per call",
            "median": ms(times["sweep"]),
            "p95": p95_ms(times["sweep"]),
            "target": f"<= {TARGET_S * 1e3:g} ms",
            "baseline": ms(loop_estimate),
            "ratio": float(np.median(times["sweep"]) / np.median(loop_estimate)),
            "verdict": verdict(np.median(times["sweep"]) <= TARGET_S),
            "note": f"baseline: loop of minimize, {SUBSET} runs timed x {lrs.size // SUBSET}",
        }
    ]
