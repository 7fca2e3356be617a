"""Generate ``optimizers.npz``: torch.optim trajectories that optlib.optimizers must follow.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_optimizers.py

Every optimizer runs 300 steps on a seeded 5-D quadratic
f(θ) = ½ θᵀAθ − bᵀθ, for every combination of its boolean and zero/nonzero
options. The gradient is computed in NumPy from torch's own current parameters,
so the stored trajectory is torch's alone. ``maximize=True`` runs are fed the
gradient of −f, so that ascending it converges too. The file stores the
problem (A, b, θ₀), a JSON table of the cases, and for each case the
parameters every 25 steps (13 snapshots, θ₀ and θ₃₀₀ included).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

STEPS = 300
EVERY = 25
OUTPUT = Path(__file__).with_name("optimizers.npz")

# The value each option takes when it is "on"; "off" is 0 or False.
NONZERO = {
    "SGD": {"lr": 0.02, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
    "Adagrad": {
        "lr": 0.1,
        "lr_decay": 0.01,
        "weight_decay": 0.01,
        "initial_accumulator_value": 0.1,
    },
    "RMSprop": {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01},
    "Adam": {"lr": 0.05, "weight_decay": 0.01},
    "AdamW": {"lr": 0.05, "weight_decay": 0.1},
}


def problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded, well-conditioned 5-D quadratic: (A, b, θ₀)."""
    rng = np.random.default_rng(20240607)
    q = rng.standard_normal((5, 5))
    a = q @ q.T / 5 + 0.5 * np.eye(5)
    b = rng.standard_normal(5)
    theta0 = rng.standard_normal(5) + 2.0
    return a, b, theta0


def cases() -> list[dict]:
    """Every option combination of every optimizer, then multi-parameter and float32 runs."""

    def case(name: str, **options: float | bool) -> dict:
        return {"optimizer": name, "kwargs": {"lr": NONZERO[name]["lr"], **options}}

    table = []
    sgd = NONZERO["SGD"]
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        (0.0, sgd["momentum"]),
        (0.0, sgd["dampening"]),
        (False, True),
        (0.0, sgd["weight_decay"]),
        (False, True),
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue  # torch refuses these
        table.append(
            case(
                "SGD",
                momentum=momentum,
                dampening=dampening,
                nesterov=nesterov,
                weight_decay=weight_decay,
                maximize=maximize,
            )
        )
    ada = NONZERO["Adagrad"]
    for lr_decay, weight_decay, initial, maximize in itertools.product(
        (0.0, ada["lr_decay"]),
        (0.0, ada["weight_decay"]),
        (0.0, ada["initial_accumulator_value"]),
        (False, True),
    ):
        table.append(
            case(
                "Adagrad",
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                initial_accumulator_value=initial,
                maximize=maximize,
            )
        )
    rms = NONZERO["RMSprop"]
    for centered, momentum, weight_decay, maximize in itertools.product(
        (False, True), (0.0, rms["momentum"]), (0.0, rms["weight_decay"]), (False, True)
    ):
        table.append(
            case(
                "RMSprop",
                centered=centered,
                momentum=momentum,
                weight_decay=weight_decay,
                maximize=maximize,
            )
        )
    for name in ("Adam", "AdamW"):
        for amsgrad, weight_decay, maximize in itertools.product(
            (False, True), (0.0, NONZERO[name]["weight_decay"]), (False, True)
        ):
            table.append(case(name, amsgrad=amsgrad, weight_decay=weight_decay, maximize=maximize))
    for item in table:
        item.update(dtype="float64", shapes=[[5]])

    everything_on = {
        "SGD": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        "Adagrad": {"lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1},
        "RMSprop": {"momentum": 0.9, "centered": True, "weight_decay": 0.01},
        "Adam": {"amsgrad": True, "weight_decay": 0.01},
        "AdamW": {"amsgrad": True, "weight_decay": 0.1},
    }
    for name, options in everything_on.items():
        # Two parameters of different shapes: θ split as (3,) and (1, 2).
        table.append({**case(name, **options), "dtype": "float64", "shapes": [[3], [1, 2]]})
        table.append({**case(name, **options), "dtype": "float32", "shapes": [[5]]})
    return table


def gradient(
    a: np.ndarray, b: np.ndarray, params: list[np.ndarray], maximize: bool
) -> list[np.ndarray]:
    """∇f at the concatenated parameters (of −f when maximizing), split like them."""
    theta = np.concatenate([p.astype(np.float64).ravel() for p in params])
    full = a @ theta - b
    if maximize:
        full = -full
    grads, start = [], 0
    for p in params:
        grads.append(full[start : start + p.size].reshape(p.shape).astype(p.dtype))
        start += p.size
    return grads


def torch_trajectory(item: dict, a: np.ndarray, b: np.ndarray, theta0: np.ndarray) -> np.ndarray:
    import torch

    dtype = np.dtype(item["dtype"])
    values, start = [], 0
    for shape in item["shapes"]:
        size = int(np.prod(shape))
        values.append(theta0[start : start + size].reshape(shape).astype(dtype))
        start += size
    params = [torch.tensor(v, requires_grad=True) for v in values]
    optimizer = getattr(torch.optim, item["optimizer"])(params, foreach=False, **item["kwargs"])
    maximize = item["kwargs"].get("maximize", False)

    def snapshot() -> np.ndarray:
        return np.concatenate([p.detach().numpy().astype(np.float64).ravel() for p in params])

    trajectory = [snapshot()]
    for step in range(1, STEPS + 1):
        grads = gradient(a, b, [p.detach().numpy() for p in params], maximize)
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g)
        optimizer.step()
        if step % EVERY == 0:
            trajectory.append(snapshot())
    return np.array(trajectory)


def main() -> None:
    import torch

    a, b, theta0 = problem()
    table = cases()
    arrays = {
        "A": a,
        "b": b,
        "theta0": theta0,
        "cases": np.array(json.dumps(table)),
        "torch_version": np.array(torch.__version__),
    }
    for index, item in enumerate(table):
        arrays[f"trajectory_{index:03d}"] = torch_trajectory(item, a, b, theta0)
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(table)} trajectories to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
