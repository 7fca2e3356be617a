"""Generate ``adafactor.npz``: torch.optim.Adafactor trajectories optlib's Adafactor must follow.

Run from the project root with PyTorch installed:

    python tests/reference/make_adafactor.py

Every combination of Adafactor's switches (weight decay on or off, ``maximize``,
ε₁ given or left to the dtype) runs 300 steps of ``tests/optimizer_parity.py``'s
problem on parameters of every kind the rule treats differently (a scalar, a
vector, square, wide and tall matrices, a stack of matrices), in float64 and in
float32; the other hyper-parameters change from case to case. The learning rates
are small enough for every run to stay well-conditioned: torch moved by one ulp
per step (parameters and state) strays from its own float64 path by less than
2e-11 relative (measured), so a comparison measures the rule, not the problem.
With lr = 0.01 the vector parameter ends up bouncing around its minimum by
steps of lr · RMS(θ), and one ulp grows to 1e-2 there. The file stores the
JSON table of cases and each run's parameters, concatenated, after every 30th
step (11 snapshots; θ₀ is ``initial_params``).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for optimizer_parity

from optimizer_parity import initial_params, torch_run

SHAPES = [(), (5,), (6, 6), (3, 7), (7, 3), (2, 3, 4)]
SEED = 1
STEPS, EVERY = 300, 30
OUTPUT = Path(__file__).with_name("adafactor.npz")


def cases() -> list[dict]:
    """Each switch combination, in float64 and float32 (16 cases)."""
    table = []
    switches = itertools.product((0.0, 0.1), (False, True), (None, 1e-4))
    for index, (weight_decay, maximize, eps1) in enumerate(switches):
        kwargs = {
            "lr": (0.002, 0.004)[index % 2],
            "beta2_decay": (-0.8, -0.6)[index // 2 % 2],
            "eps": [eps1, (1e-3, 1e-2)[index // 4 % 2]],
            "d": (1.0, 2.0)[index // 2 % 2],
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        for dtype in ("float64", "float32"):
            table.append({"kwargs": kwargs, "dtype": dtype})
    return table


def snapshots(path: list[list[np.ndarray]], dtype: str) -> np.ndarray:
    """Every ``EVERY``-th step of a run, each step's parameters concatenated, in ``dtype``."""
    rows = [np.concatenate([p.ravel() for p in step]) for step in path[EVERY - 1 :: EVERY]]
    return np.array(rows).astype(dtype)


def main() -> None:
    import torch

    table = cases()
    arrays = {"cases": np.array(json.dumps(table)), "torch_version": np.array(torch.__version__)}
    for index, case in enumerate(table):
        params = initial_params(SHAPES, seed=SEED, dtype=case["dtype"])
        path = torch_run(
            lambda tensors, kwargs=case["kwargs"]: torch.optim.Adafactor(
                tensors, foreach=False, **kwargs
            ),
            params,
            STEPS,
        )
        arrays[f"trajectory_{index:02d}"] = snapshots(path, case["dtype"])
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(table)} trajectories to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
