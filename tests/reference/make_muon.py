"""Generate ``muon.npz``: torch.optim.Muon trajectories that optlib's Muon must follow.

Run from the project root with PyTorch installed:

    python tests/reference/make_muon.py

Every combination of Muon's switches (``nesterov``, weight decay on or off, and
the two learning-rate adjustments; ``"original"`` is None's) runs 300 steps of
``tests/optimizer_parity.py``'s problem on a square, a wide and a tall matrix;
the other hyper-parameters (momentum, coefficients, steps, eps, lr) change from
case to case. Each case runs in float64 and in float32: torch orthogonalises in
bfloat16 whatever the dtype, so its two runs differ by far more than float32's
rounding, and that difference is the yardstick of the tests' tolerance (see
``tests/test_optimizers_muon.py``). The file stores the JSON table of cases and
each run's parameters, concatenated, after every 30th step (11 snapshots).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for optimizer_parity

from optimizer_parity import initial_params, torch_run

SHAPES = [(6, 6), (4, 9), (9, 4)]
SEED = 2
STEPS, EVERY = 300, 30
OUTPUT = Path(__file__).with_name("muon.npz")
# Keller Jordan's coefficients (torch's default), and the quintic with p(1) = 1,
# p'(1) = p''(1) = 0, which converges to 1 but slowly from near 0.
COEFFICIENTS = ([3.4445, -4.775, 2.0315], [1.875, -1.25, 0.375])


def cases() -> list[dict]:
    """Each switch combination (8 cases), each run in float64 and in float32."""
    table = []
    switches = itertools.product((True, False), (0.0, 0.1), (None, "match_rms_adamw"))
    for index, (nesterov, weight_decay, adjust_lr_fn) in enumerate(switches):
        kwargs = {
            "lr": (0.003, 0.005)[index % 2],
            "weight_decay": weight_decay,
            "momentum": (0.95, 0.9)[index // 2 % 2],
            "nesterov": nesterov,
            "ns_coefficients": COEFFICIENTS[index // 4 % 2],
            "eps": (1e-7, 1e-5)[index % 2],
            "ns_steps": (5, 7)[index // 4 % 2],
            "adjust_lr_fn": adjust_lr_fn,
        }
        table.append({"kwargs": kwargs})
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
        for dtype in ("float64", "float32"):
            path = torch_run(
                lambda tensors, kwargs=case["kwargs"]: torch.optim.Muon(tensors, **kwargs),
                initial_params(SHAPES, seed=SEED, dtype=dtype),
                STEPS,
            )
            arrays[f"{dtype}_{index:02d}"] = snapshots(path, dtype)
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(table)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
