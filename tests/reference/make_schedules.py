"""Generate ``schedules.npz``: the learning rates (and momenta) torch's schedules produce.

Run from the project root with PyTorch installed:

    .venv/bin/python tests/reference/make_schedules.py

Each case of ``CASES`` builds a ``torch.optim`` optimizer and a schedule of
``torch.optim.lr_scheduler`` from a plain description (``build``, which also
builds optlib's from the same description), then calls ``optimizer.step()``
and ``scheduler.step()`` (``step(metric)`` for ReduceLROnPlateau, ``step(epoch)``
where the case lists epochs) ``steps`` times. Every scheduler and every
option appears in at least one case: the modes and scale functions of
CyclicLR, both annealing strategies and three phases of OneCycleLR (run to
the last step torch allows), momentum cycling on SGD, RMSprop, Adam and
AdamW, ReduceLROnPlateau's modes, thresholds, cooldown, floor and NaN
metrics, SequentialLR and ChainedScheduler over several schedules, nested.

For case ``i`` the file stores ``lr_i``, the optimizer's learning rate after
construction and after every step (``steps + 1`` values), and ``momentum_i``,
its momentum (``betas[0]`` for Adam and AdamW) when the optimizer has one.
The JSON table ``cases`` holds the descriptions, and for each case the keys of
torch's ``state_dict()`` and its entries that are plain numbers after the last
step. tests/test_schedules.py compares optlib against this file without torch,
and imports ``CASES``, ``build``, ``metrics`` and ``momentum_of`` to compare
against a live PyTorch as well.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

OUTPUT = Path(__file__).with_name("schedules.npz")


# ---------------------------------------------------------------------------
# Functions a schedule takes (lr_lambda, scale_fn), by name: JSON holds the name
# ---------------------------------------------------------------------------


class PowerDecay:
    """A callable object: torch saves its attributes in the state dict (not a function's)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, t: int) -> float:
        return self.rate**t


FUNCTIONS: dict[str, Callable[..., Callable[[float], float]]] = {
    # lr_lambda of LambdaLR: the factor of the initial lr at step t
    "power": lambda rate: lambda t: rate**t,
    "warmup": lambda steps: lambda t: min(1.0, (t + 1) / steps),
    "inverse_sqrt": lambda warmup: lambda t: min((t + 1) / warmup, math.sqrt(warmup / (t + 1))),
    "power_object": PowerDecay,
    # lr_lambda of MultiplicativeLR: the factor of step t
    "constant": lambda factor: lambda t: factor,
    "every": lambda period: lambda t: 0.5 if t % period == 0 else 1.0,
    # scale_fn of CyclicLR, with values in [0, 1]
    "cosine_scale": lambda period: lambda x: 0.5 * (1 + math.cos(math.pi * x / period)),
    "inverse": lambda unused: lambda x: 1 / (1 + x),
}


def _argument(value: Any) -> Any:
    """A keyword argument from its JSON form: ``{"fn": name, "arg": a}`` is a function."""
    if isinstance(value, dict) and "fn" in value:
        return FUNCTIONS[value["fn"]](value["arg"])
    if isinstance(value, list):  # one value per parameter group, as torch allows
        return [_argument(item) for item in value]
    return value


def build(module: Any, optimizer: Any, spec: dict[str, Any]) -> Any:
    """The schedule ``spec`` describes, from ``module`` (torch's lr_scheduler or optlib.schedules).

    ``spec`` is ``{"name": class name, "kwargs": {...}}``, and for the two
    composites also ``"schedulers": [spec, ...]``, built first on the same optimizer.
    """
    kwargs = {key: _argument(value) for key, value in spec.get("kwargs", {}).items()}
    cls = getattr(module, spec["name"])
    if "schedulers" in spec:
        children = [build(module, optimizer, child) for child in spec["schedulers"]]
        if spec["name"] == "ChainedScheduler":
            return cls(children, optimizer=optimizer, **kwargs)
        return cls(optimizer, children, **kwargs)
    return cls(optimizer, **kwargs)


def momentum_of(hyperparameters: dict[str, Any]) -> float | None:
    """The momentum a schedule cycles: ``betas[0]``, or ``momentum``, or None."""
    if "betas" in hyperparameters:
        return hyperparameters["betas"][0]
    return hyperparameters.get("momentum")


def metrics(case: dict[str, Any]) -> list[float] | None:
    """ReduceLROnPlateau's metric at each step: a noisy descent with plateaus (and NaNs).

    A seeded random walk that moves only every ``plateau`` steps, so that the
    metric stalls long enough to trigger reductions; ``"nan_every"`` puts a NaN
    at every such step.
    """
    if "metrics" not in case:
        return None
    spec = case["metrics"]
    rng = np.random.default_rng(spec["seed"])
    values, current = [], 1.0
    for step in range(case["steps"]):
        if step % spec["plateau"] == 0:
            current *= float(np.exp(rng.normal(-0.05, 0.1)))
        value = current if spec.get("sign", 1) > 0 else -current
        if spec.get("nan_every") and step % spec["nan_every"] == spec["nan_every"] - 1:
            value = math.nan
        values.append(value)
    return values


def calls(case: dict[str, Any]) -> list[Any]:
    """What each ``scheduler.step`` receives: nothing, a metric, or an epoch."""
    if "epochs" in case:
        return case["epochs"]
    values = metrics(case)
    return values if values is not None else [None] * case["steps"]


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

SGD = ("SGD", {"lr": 0.1, "momentum": 0.9})
PLAIN_SGD = ("SGD", {"lr": 0.1})
ADAM = ("Adam", {"lr": 0.01, "betas": (0.9, 0.999)})
ADAMW = ("AdamW", {"lr": 0.01})
RMSPROP = ("RMSprop", {"lr": 0.01, "momentum": 0.5})
ADAGRAD = ("Adagrad", {"lr": 0.05})


def _fn(name: str, arg: Any) -> dict[str, Any]:
    return {"fn": name, "arg": arg}


def _case(
    name: str,
    optimizer: tuple[str, dict[str, Any]] = PLAIN_SGD,
    steps: int = 400,
    handover: int | None = None,
    schedulers: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "kwargs": kwargs}
    if schedulers is not None:
        spec["schedulers"] = schedulers
    return {
        "schedule": spec,
        "optimizer": optimizer[0],
        "optimizer_kwargs": optimizer[1],
        "steps": steps,
        "handover": handover if handover is not None else steps // 3,
    }


def _spec(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"name": name, "kwargs": kwargs}


def _with(case: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**case, **extra}


CASES: list[dict[str, Any]] = [
    # LambdaLR and MultiplicativeLR: functions, and a callable object (whose state is saved)
    _case("LambdaLR", lr_lambda=_fn("power", 0.99)),
    _case("LambdaLR", SGD, lr_lambda=_fn("warmup", 50)),
    _case("LambdaLR", ADAM, lr_lambda=_fn("inverse_sqrt", 20)),
    _case("LambdaLR", lr_lambda=[_fn("power_object", 0.995)]),
    _case("MultiplicativeLR", lr_lambda=_fn("constant", 0.99)),
    _case("MultiplicativeLR", RMSPROP, lr_lambda=_fn("every", 25)),
    # Decays
    _case("StepLR", step_size=30),
    _case("StepLR", ADAM, step_size=7, gamma=0.8),
    _case("MultiStepLR", milestones=[50, 20, 20, 300]),
    _case("MultiStepLR", SGD, milestones=[0, 100], gamma=0.5),
    _case("ConstantLR"),
    _case("ConstantLR", ADAGRAD, factor=0.5, total_iters=137),
    _case("LinearLR"),
    _case("LinearLR", SGD, start_factor=0.01, end_factor=1.0, total_iters=250),
    _case("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=300),
    _case("LinearLR", ADAM, start_factor=0.3, end_factor=0.0, total_iters=8),  # rounds below 0
    _case("ExponentialLR", gamma=0.99),
    _case("ExponentialLR", ADAMW, gamma=1.001),
    _case("PolynomialLR"),
    _case("PolynomialLR", total_iters=300, power=0.5),
    _case("PolynomialLR", SGD, total_iters=250, power=2.0),
    # Cosines: past T_max (the recursion's special steps), restarts of growing length
    _case("CosineAnnealingLR", T_max=60),
    _case("CosineAnnealingLR", ADAM, T_max=37, eta_min=0.001),
    _case("CosineAnnealingLR", T_max=1),
    _case("CosineAnnealingWarmRestarts", T_0=25),
    _case("CosineAnnealingWarmRestarts", SGD, T_0=10, T_mult=2, eta_min=0.005),
    _case("CosineAnnealingWarmRestarts", ADAM, T_0=3, T_mult=3),
    # CyclicLR: the three modes, a scale_fn of the cycle and of the step, momentum cycling
    _case("CyclicLR", SGD, base_lr=0.01, max_lr=0.1, step_size_up=20),
    _case(
        "CyclicLR",
        SGD,
        base_lr=0.01,
        max_lr=0.1,
        step_size_up=15,
        step_size_down=35,
        mode="triangular2",
        base_momentum=0.7,
        max_momentum=0.95,
    ),
    _case(
        "CyclicLR",
        ADAM,
        base_lr=0.001,
        max_lr=0.01,
        step_size_up=30,
        mode="exp_range",
        gamma=0.995,
    ),
    _case(
        "CyclicLR",
        ADAMW,
        base_lr=0.001,
        max_lr=0.01,
        step_size_up=12.5,
        step_size_down=0,
        scale_fn=_fn("cosine_scale", 8),
        scale_mode="cycle",
        base_momentum=0.85,
        max_momentum=0.95,
    ),
    _case(
        "CyclicLR",
        RMSPROP,
        base_lr=0.001,
        max_lr=0.02,
        step_size_up=40,
        scale_fn=_fn("inverse", 0),
        scale_mode="iterations",
    ),
    _case("CyclicLR", ADAGRAD, base_lr=0.01, max_lr=0.1, step_size_up=10, cycle_momentum=False),
    # OneCycleLR, run to the one step past the cycle that torch allows
    _case("OneCycleLR", SGD, steps=400, max_lr=0.5, total_steps=400),
    _case("OneCycleLR", SGD, steps=300, max_lr=0.5, total_steps=300, anneal_strategy="linear"),
    _case("OneCycleLR", ADAM, steps=350, max_lr=0.01, total_steps=350, three_phase=True),
    _case(
        "OneCycleLR",
        ADAMW,
        steps=250,
        max_lr=0.01,
        epochs=5,
        steps_per_epoch=50,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
        div_factor=10.0,
        final_div_factor=100.0,
        base_momentum=0.8,
        max_momentum=0.9,
    ),
    _case("OneCycleLR", RMSPROP, steps=200, max_lr=0.05, total_steps=200, pct_start=0.0),
    _case(
        "OneCycleLR",
        ADAGRAD,
        steps=150,
        max_lr=0.05,
        total_steps=150,
        pct_start=1.0 / 3,
        cycle_momentum=False,
    ),
    # ReduceLROnPlateau, fed a metric with plateaus
    _with(_case("ReduceLROnPlateau", SGD, patience=3), metrics={"seed": 1, "plateau": 6}),
    _with(
        _case(
            "ReduceLROnPlateau",
            factor=0.5,
            patience=0,
            threshold=0.01,
            threshold_mode="abs",
            cooldown=4,
            min_lr=0.002,
        ),
        metrics={"seed": 2, "plateau": 3},
    ),
    _with(
        _case("ReduceLROnPlateau", ADAM, mode="max", factor=0.7, patience=2, threshold=0.05),
        metrics={"seed": 3, "plateau": 5, "sign": -1},
    ),
    _with(
        _case(
            "ReduceLROnPlateau",
            mode="max",
            factor=0.3,
            patience=1,
            threshold=0.0,
            threshold_mode="abs",
            min_lr=[1e-4],
            eps=1e-3,
        ),
        metrics={"seed": 4, "plateau": 4, "sign": -1},
    ),
    _with(
        _case("ReduceLROnPlateau", factor=0.0, patience=5, min_lr=0.01),
        metrics={"seed": 5, "plateau": 8, "nan_every": 7},
    ),
    # Sequences and chains, nested too
    _case(
        "SequentialLR",
        SGD,
        milestones=[20],
        schedulers=[
            _spec("LinearLR", start_factor=0.1, total_iters=20),
            _spec("CosineAnnealingLR", T_max=200),
        ],
    ),
    _case(
        "SequentialLR",
        milestones=[10, 100, 150],
        schedulers=[
            _spec("ConstantLR", factor=0.1, total_iters=10),
            _spec("ExponentialLR", gamma=0.99),
            _spec("StepLR", step_size=20, gamma=0.5),
            _spec("PolynomialLR", total_iters=100, power=1.5),
        ],
    ),
    _case(
        "SequentialLR",
        ADAM,
        milestones=[30, 60, 90, 200],
        schedulers=[
            _spec("LambdaLR", lr_lambda=_fn("warmup", 30)),
            _spec("MultiplicativeLR", lr_lambda=_fn("constant", 0.98)),
            _spec("CosineAnnealingWarmRestarts", T_0=10, T_mult=2),
            _spec("CyclicLR", base_lr=0.001, max_lr=0.01, step_size_up=10),
            _spec("MultiStepLR", milestones=[5, 50]),
        ],
    ),
    _case(
        "SequentialLR",
        SGD,
        milestones=[50],
        schedulers=[
            {
                "name": "ChainedScheduler",
                "schedulers": [
                    _spec("ConstantLR", factor=0.5, total_iters=25),
                    _spec("ExponentialLR", gamma=0.98),
                ],
            },
            _spec("OneCycleLR", max_lr=0.2, total_steps=351),
        ],
    ),
    _case(
        "ChainedScheduler",
        schedulers=[
            _spec("ConstantLR", factor=0.1, total_iters=20),
            _spec("ExponentialLR", gamma=0.99),
        ],
    ),
    _case(
        "ChainedScheduler",
        SGD,
        schedulers=[
            _spec("LinearLR", start_factor=0.2, total_iters=40),
            _spec("CosineAnnealingLR", T_max=80, eta_min=0.001),
            _spec("StepLR", step_size=100, gamma=0.5),
            _spec("CyclicLR", base_lr=0.05, max_lr=0.1, step_size_up=25),
        ],
    ),
    _case(
        "ChainedScheduler",
        schedulers=[
            {
                "name": "SequentialLR",
                "kwargs": {"milestones": [30]},
                "schedulers": [
                    _spec("LinearLR", start_factor=0.5, total_iters=30),
                    _spec("ExponentialLR", gamma=0.99),
                ],
            },
            _spec("MultiplicativeLR", lr_lambda=_fn("every", 50)),
        ],
    ),
    # step(epoch): torch's closed forms (deprecated, warned), and fractional epochs of SGDR
    _with(
        _case("StepLR", step_size=7, gamma=0.5), epochs=[None, None, 9, None, 30, 3, None, 14] * 5
    ),
    _with(
        _case("MultiStepLR", milestones=[4, 4, 10]), epochs=[None, 6, None, 11, 2, None, 10] * 5
    ),
    _with(_case("ConstantLR", factor=0.25, total_iters=8), epochs=[None, 9, None, 3, 8, None] * 5),
    _with(_case("LinearLR", start_factor=0.2, total_iters=10), epochs=[None, 5, None, 12, 1] * 6),
    _with(_case("ExponentialLR", gamma=0.9), epochs=[None, 4, None, None, 1, 20] * 5),
    _with(_case("PolynomialLR", total_iters=12, power=1.5), epochs=[None, 5, None, 13, 2] * 6),
    _with(_case("CosineAnnealingLR", T_max=9), epochs=[None, 5, None, 13, 2, None] * 5),
    _with(_case("LambdaLR", lr_lambda=_fn("power", 0.9)), epochs=[None, 5, None, 2] * 6),
    _with(
        _case("MultiplicativeLR", lr_lambda=_fn("constant", 0.9)), epochs=[None, 5, None, 2] * 6
    ),
    _with(
        _case("CosineAnnealingWarmRestarts", T_0=4, T_mult=2),
        epochs=[None, 0.5, 1.25, None, 7.5, None, 30.0, 2, None, 100.25, None],
    ),
    _with(
        _case("CosineAnnealingWarmRestarts", T_0=5),
        epochs=[0.2 * k for k in range(60)] + [None, None, 3, None],
    ),
]
for _item in CASES:
    if "epochs" in _item:
        _item["steps"] = len(_item["epochs"])
        _item["handover"] = _item["steps"] // 2


# ---------------------------------------------------------------------------
# Running a case in torch
# ---------------------------------------------------------------------------


def _plain(value: Any) -> bool:
    """Whether ``value`` is a number, text, None or a list or dict of them (not a tensor)."""
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str | int) and _plain(item) for key, item in value.items())
    return False


def plain_entries(state: dict[str, Any]) -> dict[str, Any]:
    """The entries of a torch state dict that are plain numbers, lists or dicts of them."""
    return {key: value for key, value in state.items() if _plain(value)}


def torch_run(case: dict[str, Any]) -> dict[str, Any]:
    import torch

    param = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    optimizer = getattr(torch.optim, case["optimizer"])([param], **case["optimizer_kwargs"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step(epoch)'s deprecation warning
        scheduler = build(torch.optim.lr_scheduler, optimizer, case["schedule"])
        lrs = [optimizer.param_groups[0]["lr"]]
        momenta = [momentum_of(optimizer.param_groups[0])]
        for argument in calls(case):
            optimizer.step()
            if argument is None:
                scheduler.step()
            else:
                scheduler.step(argument)  # a metric, or an epoch
            assert scheduler.get_last_lr() == [optimizer.param_groups[0]["lr"]]
            lrs.append(optimizer.param_groups[0]["lr"])
            momenta.append(momentum_of(optimizer.param_groups[0]))
    state = scheduler.state_dict()
    return {
        "lr": np.array(lrs, dtype=np.float64),
        "momentum": None if momenta[0] is None else np.array(momenta, dtype=np.float64),
        "state_keys": sorted(state),
        "state": plain_entries(state),
    }


def main() -> None:
    import torch

    arrays: dict[str, Any] = {"torch_version": np.array(torch.__version__)}
    table = []
    for index, case in enumerate(CASES):
        result = torch_run(case)
        arrays[f"lr_{index:03d}"] = result["lr"]
        if result["momentum"] is not None:
            arrays[f"momentum_{index:03d}"] = result["momentum"]
        table.append({**case, "state_keys": result["state_keys"], "state": result["state"]})
    arrays["cases"] = np.array(json.dumps(table))
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(table)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
