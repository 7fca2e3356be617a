"""Tests for optlib.schedules.

Expected learning rates come from PyTorch: live (tests marked ``torch``), or
stored in reference/schedules.npz by reference/make_schedules.py, whose cases
and ``build`` these tests share. Never from optlib's own output, except where a
test checks that a run handed over through ``state_dict`` continues exactly as
the same run uninterrupted.

A schedule computes on Python floats in torch's order, so its numbers are
torch's to the last bit; the tests allow 1e-12 relative, as promised.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optlib
from optlib import schedules
from optlib.schedules import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)

RTOL = 1e-12
REFERENCE = Path(__file__).parent / "reference" / "schedules.npz"


def _reference_script():
    """tests/reference/make_schedules.py as a module (it imports torch only when run)."""
    path = REFERENCE.parent / "make_schedules.py"
    spec = importlib.util.spec_from_file_location("make_schedules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REF = _reference_script()
with np.load(REFERENCE) as _data:
    STORED = json.loads(str(_data["cases"]))
    STORED_LRS = [_data[f"lr_{i:03d}"] for i in range(len(STORED))]
    STORED_MOMENTA = [
        _data[f"momentum_{i:03d}"] if f"momentum_{i:03d}" in _data else None
        for i in range(len(STORED))
    ]


def case_id(case: dict[str, Any]) -> str:
    schedule = case["schedule"]
    parts = [schedule["name"], case["optimizer"]]
    parts += [child["name"] for child in schedule.get("schedulers", [])]
    for key, value in schedule["kwargs"].items():
        if isinstance(value, str | bool):
            parts.append(f"{key}={value}")
    if "epochs" in case:
        parts.append("epochs")
    return "-".join(parts)


CASE_IDS = [f"{index:02d}-{case_id(case)}" for index, case in enumerate(STORED)]

# torch's two flags, always False between calls, that optlib's state dicts leave out;
# and what torch keeps in the optimizer's parameter group, which optlib's OneCycleLR saves.
TORCH_FLAGS = {"_is_initial", "_get_lr_called_within_step"}
OPTLIB_EXTRAS = {
    "OneCycleLR": {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"},
}


# ---------------------------------------------------------------------------
# Running a schedule, in optlib and in torch, from the same description
# ---------------------------------------------------------------------------


class Library:
    """What a run needs of optlib or of torch: optimizers, schedules, the lr and momentum."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "torch":
            import torch

            self.torch = torch
            self.module = torch.optim.lr_scheduler
        else:
            self.module = schedules

    def optimizer(self, name: str, kwargs: dict[str, Any]) -> Any:
        if self.name == "torch":
            param = self.torch.nn.Parameter(self.torch.zeros(3, dtype=self.torch.float64))
            return getattr(self.torch.optim, name)([param], **kwargs)
        return getattr(optlib, name)(np.zeros(3), **kwargs)

    def hyperparameters(self, optimizer: Any) -> dict[str, Any]:
        if self.name == "torch":
            return optimizer.param_groups[0]
        return optimizer.hyperparameters

    def optimizer_step(self, optimizer: Any) -> None:
        if self.name == "torch":
            optimizer.step()  # no gradients: torch only notes that it was called
        # optlib's optimizer is not needed by the schedule: its step is tested elsewhere


OPTLIB = Library("optlib")


def _torch() -> Library:
    pytest.importorskip("torch")
    return Library("torch")


class Run:
    """A schedule stepped through its calls, recording the lr and momentum after each.

    ``handover=k`` hands the run over after call ``k``: a new optimizer and a new
    schedule, built from the same description, load both state dicts and go on.
    A call that raises ends the run; ``error`` records it and ``error_at`` its index
    (-1 when building the schedule raised).
    """

    def __init__(
        self,
        library: Library,
        case: dict[str, Any],
        handover: int | None = None,
    ) -> None:
        self.library, self.case = library, case
        self.lrs: list[float] = []
        self.last_lrs: list[float] = []
        self.momenta: list[float | None] = []
        self.state_at_handover: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.error_at: int | None = None
        try:
            optimizer, scheduler = self._build()
        except Exception as error:  # building takes the initial step, which may raise
            self.error, self.error_at = error, -1
            return
        self._record(optimizer, scheduler)
        for index, argument in enumerate(REF.calls(case)):
            if handover is not None and index == handover:
                self.state_at_handover = scheduler.state_dict()
                optimizer, scheduler = self._handed_over(optimizer, scheduler)
            library.optimizer_step(optimizer)
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "The epoch parameter", UserWarning)
                    warnings.filterwarnings("ignore", r"scheduler\.step\(epoch\)", UserWarning)
                    if argument is None:
                        scheduler.step()
                    else:
                        scheduler.step(argument)
            except Exception as error:  # compared with the other library's by the caller
                self.error, self.error_at = error, index
                return
            self._record(optimizer, scheduler)
        self.optimizer, self.scheduler = optimizer, scheduler

    def _build(self) -> tuple[Any, Any]:
        library, case = self.library, self.case
        optimizer = library.optimizer(case["optimizer"], case["optimizer_kwargs"])
        with warnings.catch_warnings():
            # A ChainedScheduler nested first in a SequentialLR steps its schedules when
            # built, before any optimizer step, which torch warns about (optlib does not).
            warnings.filterwarnings("ignore", "Detected call of `lr_scheduler")
            return optimizer, REF.build(library.module, optimizer, case["schedule"])

    def _handed_over(self, optimizer: Any, scheduler: Any) -> tuple[Any, Any]:
        saved_optimizer = copy.deepcopy(optimizer.state_dict())
        saved_scheduler = copy.deepcopy(scheduler.state_dict())
        new_optimizer, new_scheduler = self._build()
        new_optimizer.load_state_dict(saved_optimizer)
        new_scheduler.load_state_dict(saved_scheduler)
        return new_optimizer, new_scheduler

    def _record(self, optimizer: Any, scheduler: Any) -> None:
        hyperparameters = self.library.hyperparameters(optimizer)
        self.lrs.append(hyperparameters["lr"])
        (last_lr,) = scheduler.get_last_lr()
        self.last_lrs.append(last_lr)
        self.momenta.append(REF.momentum_of(hyperparameters))


def relative_error(ours: float, theirs: float) -> float:
    if ours == theirs:
        return 0.0
    if theirs == 0 or not math.isfinite(theirs):
        return math.inf
    return abs(ours - theirs) / abs(theirs)


def worst_error(ours: list, theirs: list) -> float:
    assert len(ours) == len(theirs)
    errors = [
        relative_error(a, b) for a, b in zip(ours, theirs, strict=True) if b is not None
    ] or [0.0]
    return max(errors)


def assert_same_run(ours: Run, theirs: Run) -> float:
    """optlib's run is torch's: every lr and momentum, and where it stops. The worst error."""
    their_lrs, their_momenta = list(theirs.lrs), list(theirs.momenta)
    their_last_lrs = list(theirs.last_lrs)
    with_departure(theirs.case["schedule"]["name"], their_lrs, their_momenta)
    with_departure(theirs.case["schedule"]["name"], their_last_lrs, [None] * len(their_lrs))
    if theirs.error is not None:
        # torch raised (ZeroDivisionError on a zero-length phase, "Tried to step"...):
        # optlib raises a ValueError at the same call, after the same learning rates.
        assert ours.error is not None, f"torch raised {theirs.error!r}, optlib did not"
        assert isinstance(ours.error, ValueError), repr(ours.error)
        assert ours.error_at == theirs.error_at
    elif ours.error is not None:
        # optlib refuses a learning rate or a momentum that torch sets silently:
        # negative or non-finite.
        assert isinstance(ours.error, ValueError), repr(ours.error)
        assert re.search(r"lr=|Invalid|momentum|beta", str(ours.error)), str(ours.error)
        at = ours.error_at + 1
        bad_lr = not (math.isfinite(their_lrs[at]) and their_lrs[at] >= 0)
        momentum = their_momenta[at]
        bad_momentum = momentum is not None and not 0 <= momentum < 1
        assert bad_lr or bad_momentum, (ours.error, their_lrs[at], momentum)
        their_lrs, their_momenta, their_last_lrs = (
            their_lrs[:at],
            their_momenta[:at],
            their_last_lrs[:at],
        )
    assert ours.lrs == ours.last_lrs  # get_last_lr() is what the optimizer holds
    worst = max(
        worst_error(ours.lrs, their_lrs),
        worst_error(ours.last_lrs, their_last_lrs),
        worst_error(ours.momenta, their_momenta),
    )
    assert worst <= RTOL, worst
    return worst


def _normalised(value: Any) -> Any:
    """A state dict's entry as JSON gives it back (Counter keys become strings)."""
    return json.loads(json.dumps(value))


def assert_state_like_torch(name: str, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """optlib's state dict has torch's keys (but the flags) and torch's plain numbers."""
    theirs = {key: value for key, value in theirs.items() if key not in TORCH_FLAGS}
    extras = OPTLIB_EXTRAS.get(name, set())
    assert set(ours) - extras == set(theirs), (set(ours) ^ set(theirs)) - extras
    for key, value in REF.plain_entries(theirs).items():
        if key == "_schedulers" or (key == "_last_lr" and value[0] < 0):
            continue  # a negative lr: OneCycleLR's documented departure (see _expected)
        assert _normalised(ours[key]) == _normalised(value), key


def assert_states_like_torch(spec: dict[str, Any], ours: dict, theirs: dict) -> None:
    assert_state_like_torch(spec["name"], ours, theirs)
    for child, our_state, their_state in zip(
        spec.get("schedulers", []),
        ours.get("_schedulers", []),
        theirs.get("_schedulers", []),
        strict=True,
    ):
        if "schedulers" in child:  # a nested composite: torch adds its _step_count
            their_state = {k: v for k, v in their_state.items() if k != "_step_count"}
        assert_states_like_torch(child, our_state, their_state)


# ---------------------------------------------------------------------------
# Parity with the stored torch runs (no torch needed)
# ---------------------------------------------------------------------------


def test_reference_covers_every_schedule_and_option():
    def names(spec: dict[str, Any]) -> list[str]:
        return [spec["name"], *(n for child in spec.get("schedulers", []) for n in names(child))]

    used = {name for case in STORED for name in names(case["schedule"])}
    # the classes; the functions (rate_curve, warmup_cosine) are tested in test_schedules_curves.py
    classes = {name for name in schedules.__all__ if isinstance(getattr(schedules, name), type)}
    assert used == classes - {"LRScheduler"}

    def options(name: str) -> list[dict[str, Any]]:
        """The keyword arguments of the cases of ``name``, and "_opt", their optimizer."""
        cases = [case for case in STORED if case["schedule"]["name"] == name]
        return [case["schedule"]["kwargs"] | {"_opt": case["optimizer"]} for case in cases]

    cyclic = options("CyclicLR")
    assert {o.get("mode", "triangular") for o in cyclic if "scale_fn" not in o} == {
        "triangular",
        "triangular2",
        "exp_range",
    }
    assert {o["scale_mode"] for o in cyclic if "scale_fn" in o} == {"cycle", "iterations"}
    cycled = {o["_opt"] for o in cyclic if o.get("cycle_momentum", True)}
    assert cycled == {"SGD", "Adam", "AdamW", "RMSprop"}
    one_cycle = options("OneCycleLR")
    assert {(o.get("anneal_strategy", "cos"), o.get("three_phase", False)) for o in one_cycle} == {
        ("cos", False),
        ("cos", True),
        ("linear", False),
        ("linear", True),
    }
    assert {o["_opt"] for o in one_cycle if o.get("cycle_momentum", True)} >= {"SGD", "Adam"}
    plateau = options("ReduceLROnPlateau")
    assert {(o.get("mode", "min"), o.get("threshold_mode", "rel")) for o in plateau} == {
        ("min", "rel"),
        ("min", "abs"),
        ("max", "rel"),
        ("max", "abs"),
    }
    assert any(o.get("T_mult", 1) > 1 for o in options("CosineAnnealingWarmRestarts"))
    with_epochs = {case["schedule"]["name"] for case in STORED if "epochs" in case}
    closed_forms = {
        name
        for name in schedules.__all__
        if hasattr(getattr(schedules, name), "_get_closed_form_lr")
    }
    assert with_epochs >= closed_forms | {"LambdaLR", "CosineAnnealingWarmRestarts"}


def with_departure(name: str, lrs: list, momenta: list) -> None:
    """Apply optlib's two documented departures from torch to torch's run, in place.

    * Rounding can leave torch's recursion a hair below 0 where the exact value is 0
      (LinearLR with end_factor=0): optlib writes 0.0 (LRScheduler's Notes). Here, a
      negative value within 1e-12 of the run's largest lr counts as such.
    * Past the cycle, torch extrapolates OneCycleLR's linear anneal below 0; optlib
      stays at the end of the cycle, where torch was one step before (pct = 1).
    """
    if name == "OneCycleLR" and len(lrs) > 1 and lrs[-1] < 0:
        lrs[-1], momenta[-1] = lrs[-2], momenta[-2]
    rounding = 1e-12 * max((abs(lr) for lr in lrs if math.isfinite(lr)), default=0.0)
    lrs[:] = [0.0 if -rounding <= lr < 0 else lr for lr in lrs]


def _expected(index: int) -> tuple[list[float], list[float | None]]:
    """The stored torch run, with optlib's one documented departure."""
    lrs = [float(x) for x in STORED_LRS[index]]
    stored = STORED_MOMENTA[index]
    momenta = [None] * len(lrs) if stored is None else [float(x) for x in stored]
    with_departure(STORED[index]["schedule"]["name"], lrs, momenta)
    return lrs, momenta


@pytest.mark.parametrize("index", range(len(STORED)), ids=CASE_IDS)
def test_matches_stored_torch(index):
    run = Run(OPTLIB, STORED[index])
    assert run.error is None, run.error
    lrs, momenta = _expected(index)
    assert run.lrs == run.last_lrs
    assert worst_error(run.lrs, lrs) <= RTOL
    assert worst_error(run.momenta, momenta) <= RTOL


@pytest.mark.parametrize("index", range(len(STORED)), ids=CASE_IDS)
def test_handed_over_run_matches_stored_torch(index):
    """New optimizer and schedule, both loaded from state dicts mid-run: the same numbers."""
    case = STORED[index]
    run = Run(OPTLIB, case, handover=case["handover"])
    assert run.error is None, run.error
    lrs, momenta = _expected(index)
    assert worst_error(run.lrs, lrs) <= RTOL
    assert worst_error(run.momenta, momenta) <= RTOL


@pytest.mark.parametrize("index", range(len(STORED)), ids=CASE_IDS)
def test_state_dict_has_torchs_keys_and_numbers(index):
    case = STORED[index]
    ours = Run(OPTLIB, case).scheduler.state_dict()
    # The file holds torch's plain entries, and the names of the others (none here).
    theirs = {key: case["state"].get(key, object()) for key in case["state_keys"]}
    assert_states_like_torch(case["schedule"], ours, theirs)
    assert ours["_last_lr"] == [_expected(index)[0][-1]]


# ---------------------------------------------------------------------------
# Parity with a live torch: the stored cases, then random configurations
# ---------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("index", range(len(STORED)), ids=CASE_IDS)
def test_case_matches_live_torch_and_hands_over_like_it(index):
    torch_library = _torch()
    case = copy.deepcopy(STORED[index])
    theirs = Run(torch_library, case)
    ours = Run(OPTLIB, case)
    assert_same_run(ours, theirs)
    assert_states_like_torch(
        case["schedule"], ours.scheduler.state_dict(), theirs.scheduler.state_dict()
    )
    # Handed over mid-run, each library continues exactly as it would have.
    theirs_handed = Run(torch_library, case, handover=case["handover"])
    ours_handed = Run(OPTLIB, case, handover=case["handover"])
    assert theirs_handed.lrs == theirs.lrs and theirs_handed.momenta == theirs.momenta
    assert ours_handed.lrs == ours.lrs and ours_handed.momenta == ours.momenta
    assert_states_like_torch(
        case["schedule"], ours_handed.state_at_handover, theirs_handed.state_at_handover
    )


# Random configurations: a strategy per schedule draws its description (as in
# make_schedules.py) and the optimizer it acts on.

OPTIMIZERS = {
    "SGD": st.fixed_dictionaries(
        {"lr": st.floats(1e-3, 1.0), "momentum": st.sampled_from([0.0, 0.5, 0.9])}
    ),
    "Adam": st.fixed_dictionaries({"lr": st.floats(1e-4, 0.1), "betas": st.just((0.9, 0.999))}),
    "AdamW": st.fixed_dictionaries({"lr": st.floats(1e-4, 0.1)}),
    "RMSprop": st.fixed_dictionaries(
        {"lr": st.floats(1e-4, 0.1), "momentum": st.sampled_from([0.0, 0.9])}
    ),
    "Adagrad": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0)}),
}
WITH_MOMENTUM = ["SGD", "Adam", "AdamW", "RMSprop"]
STEPS = 2000


def spec(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"name": name, "kwargs": kwargs}


def fn(name: str, arg: Any) -> dict[str, Any]:
    return {"fn": name, "arg": arg}


factors = st.floats(0.01, 1.0)
gammas = st.floats(0.05, 1.0)
counts = st.integers(1, 3000)
eta_mins = st.sampled_from([0.0, 1e-4, 0.003])


@st.composite
def leaf_specs(draw: Any, name: str) -> dict[str, Any]:
    """A schedule of kind ``name``, any of its options drawn."""
    if name == "LambdaLR":
        function = draw(
            st.one_of(
                st.builds(fn, st.just("power"), st.floats(0.99, 1.0)),
                st.builds(fn, st.just("warmup"), st.integers(1, 500)),
                st.builds(fn, st.just("inverse_sqrt"), st.integers(1, 500)),
                st.builds(fn, st.just("power_object"), st.floats(0.99, 1.0)),
            )
        )
        return spec(name, lr_lambda=function)
    if name == "MultiplicativeLR":
        function = draw(
            st.one_of(
                st.builds(fn, st.just("constant"), st.floats(0.995, 1.0)),
                st.builds(fn, st.just("every"), st.integers(50, 500)),
            )
        )
        return spec(name, lr_lambda=function)
    if name == "StepLR":
        return spec(name, step_size=draw(st.integers(1, 500)), gamma=draw(gammas))
    if name == "MultiStepLR":
        milestones = draw(st.lists(st.integers(0, 2500), max_size=8))
        return spec(name, milestones=milestones, gamma=draw(gammas))
    if name == "ConstantLR":
        return spec(name, factor=draw(factors), total_iters=draw(counts))
    if name == "LinearLR":
        start, end = draw(st.floats(0.01, 1.0)), draw(st.floats(0.0, 1.0))
        return spec(name, start_factor=start, end_factor=end, total_iters=draw(counts))
    if name == "ExponentialLR":
        return spec(name, gamma=draw(st.floats(0.99, 1.001)))
    if name == "PolynomialLR":
        return spec(name, total_iters=draw(counts), power=draw(st.floats(0.0, 4.0)))
    if name == "CosineAnnealingLR":
        return spec(name, T_max=draw(st.integers(1, 700)), eta_min=draw(eta_mins))
    if name == "CosineAnnealingWarmRestarts":
        return spec(
            name,
            T_0=draw(st.integers(1, 200)),
            T_mult=draw(st.integers(1, 4)),
            eta_min=draw(eta_mins),
        )
    raise AssertionError(name)


DECAYS = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
]


@st.composite
def cyclic_cases(draw: Any) -> dict[str, Any]:
    cycle_momentum = draw(st.booleans())
    optimizer = draw(st.sampled_from(WITH_MOMENTUM if cycle_momentum else [*OPTIMIZERS]))
    base_lr = draw(st.floats(0.0, 0.05))
    kwargs: dict[str, Any] = {
        "base_lr": base_lr,
        "max_lr": draw(st.floats(0.0, 0.2)),
        "step_size_up": draw(st.one_of(st.integers(1, 400), st.floats(0.5, 400))),
        "cycle_momentum": cycle_momentum,
    }
    if draw(st.booleans()):
        kwargs["step_size_down"] = draw(st.one_of(st.integers(0, 400), st.floats(0, 400)))
    if draw(st.booleans()):
        kwargs["scale_fn"] = draw(st.sampled_from([fn("cosine_scale", 7), fn("inverse", 0)]))
        kwargs["scale_mode"] = draw(st.sampled_from(["cycle", "iterations"]))
    else:
        kwargs["mode"] = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
        kwargs["gamma"] = draw(st.floats(0.995, 1.0))
    if cycle_momentum:
        kwargs["base_momentum"] = draw(st.floats(0.0, 0.9))
        kwargs["max_momentum"] = draw(st.floats(0.0, 0.99))
    return _random_case(draw, spec("CyclicLR", **kwargs), optimizer, STEPS)


@st.composite
def one_cycle_cases(draw: Any) -> dict[str, Any]:
    cycle_momentum = draw(st.booleans())
    optimizer = draw(st.sampled_from(WITH_MOMENTUM if cycle_momentum else [*OPTIMIZERS]))
    kwargs: dict[str, Any] = {
        "max_lr": draw(st.floats(1e-3, 1.0)),
        "pct_start": draw(st.floats(0.0, 1.0)),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
        "three_phase": draw(st.booleans()),
        "div_factor": draw(st.floats(1.0, 100.0)),
        "final_div_factor": draw(st.floats(1.0, 1e5)),
        "cycle_momentum": cycle_momentum,
    }
    # Long cycles mostly (a few thousand steps), and a few very short ones.
    if draw(st.booleans()):
        lengths = st.one_of(st.integers(1000, 3000), st.integers(1, 20))
        kwargs["total_steps"] = steps = draw(lengths)
    else:
        kwargs["epochs"] = draw(st.integers(1, 30))
        kwargs["steps_per_epoch"] = draw(st.integers(30, 100))
        steps = kwargs["epochs"] * kwargs["steps_per_epoch"]
    if cycle_momentum:
        kwargs["base_momentum"] = draw(st.floats(0.0, 0.9))
        kwargs["max_momentum"] = draw(st.floats(0.0, 0.98))
    # Every step torch allows: total_steps calls after the initial step.
    return _random_case(draw, spec("OneCycleLR", **kwargs), optimizer, steps)


@st.composite
def plateau_cases(draw: Any) -> dict[str, Any]:
    mode = draw(st.sampled_from(["min", "max"]))
    min_lr = draw(st.sampled_from([0.0, 1e-5, 1e-3]))
    kwargs = {
        "mode": mode,
        "factor": draw(st.floats(0.0, 0.99)),
        "patience": draw(st.integers(0, 20)),
        "threshold": draw(st.floats(0.0, 0.1)),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 10)),
        "min_lr": [min_lr] if draw(st.booleans()) else min_lr,
        "eps": draw(st.sampled_from([0.0, 1e-8, 1e-4])),
    }
    case = _random_case(draw, spec("ReduceLROnPlateau", **kwargs), None, STEPS)
    case["metrics"] = {
        "seed": draw(st.integers(0, 2**16)),
        "plateau": draw(st.integers(1, 30)),
        "sign": 1 if mode == "min" else -1,
        "nan_every": draw(st.sampled_from([0, 0, 13])),
    }
    return case


def _random_case(
    draw: Any, schedule: dict[str, Any], optimizer: str | None, steps: int
) -> dict[str, Any]:
    optimizer = optimizer or draw(st.sampled_from([*OPTIMIZERS]))
    return {
        "schedule": schedule,
        "optimizer": optimizer,
        "optimizer_kwargs": draw(OPTIMIZERS[optimizer]),
        "steps": steps,
        "handover": draw(st.integers(0, max(steps - 1, 0))),
    }


@st.composite
def decay_cases(draw: Any, name: str) -> dict[str, Any]:
    return _random_case(draw, draw(leaf_specs(name)), None, STEPS)


@st.composite
def sequential_cases(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(DECAYS), min_size=1, max_size=4))
    children = [draw(leaf_specs(name)) for name in names]
    milestones = sorted(draw(st.sets(st.integers(1, STEPS), min_size=len(children) - 1,
                                     max_size=len(children) - 1)))  # fmt: skip
    schedule = {"name": "SequentialLR", "kwargs": {"milestones": milestones}}
    schedule["schedulers"] = children
    return _random_case(draw, schedule, None, STEPS)


@st.composite
def chained_cases(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(DECAYS), min_size=1, max_size=4))
    schedule = {"name": "ChainedScheduler", "kwargs": {}}
    schedule["schedulers"] = [draw(leaf_specs(name)) for name in names]
    return _random_case(draw, schedule, None, STEPS)


RANDOM_CASES = {
    **{name: decay_cases(name) for name in DECAYS},
    "CyclicLR": cyclic_cases(),
    "OneCycleLR": one_cycle_cases(),
    "ReduceLROnPlateau": plateau_cases(),
    "SequentialLR": sequential_cases(),
    "ChainedScheduler": chained_cases(),
}


def check_random_case(case: dict[str, Any]) -> float:
    """optlib's run is torch's, uninterrupted and handed over; returns the worst error."""
    torch_library = _torch()
    theirs = Run(torch_library, case)
    ours = Run(OPTLIB, case)
    worst = assert_same_run(ours, theirs)
    if ours.error is None and theirs.error is None:
        assert_states_like_torch(
            case["schedule"], ours.scheduler.state_dict(), theirs.scheduler.state_dict()
        )
        theirs_handed = Run(torch_library, case, handover=case["handover"])
        ours_handed = Run(OPTLIB, case, handover=case["handover"])
        assert ours_handed.lrs == ours.lrs and ours_handed.momenta == ours.momenta
        assert theirs_handed.lrs == theirs.lrs
        assert_states_like_torch(
            case["schedule"], ours_handed.state_at_handover, theirs_handed.state_at_handover
        )
    return worst


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(RANDOM_CASES))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_random_configuration_matches_live_torch(name, data):
    check_random_case(data.draw(RANDOM_CASES[name], label=name))


# ---------------------------------------------------------------------------
# step(epoch), warnings, get_lr
# ---------------------------------------------------------------------------

EPOCH_SCHEDULES = [
    lambda M, opt: M.StepLR(opt, 3),
    lambda M, opt: M.ExponentialLR(opt, 0.9),
    lambda M, opt: M.LambdaLR(opt, lambda t: 0.5),
    lambda M, opt: M.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False),
]


@pytest.mark.parametrize("make", EPOCH_SCHEDULES)
def test_step_with_an_epoch_warns_as_torch(make):
    scheduler = make(schedules, optlib.SGD(np.zeros(1), lr=0.1))
    with pytest.warns(UserWarning, match=r"step\(epoch\) is deprecated"):
        scheduler.step(5)
    assert scheduler.last_epoch == 5


@pytest.mark.torch
@pytest.mark.parametrize("make", EPOCH_SCHEDULES)
def test_torch_warns_at_step_with_an_epoch_too(make):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = make(torch.optim.lr_scheduler, opt)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter"):
        scheduler.step(5)


def test_plateau_step_with_an_epoch_warns_as_torch():
    scheduler = ReduceLROnPlateau(optlib.SGD(np.zeros(1), lr=0.1))
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(1.0, epoch=7)
    assert scheduler.last_epoch == 7


def test_warm_restarts_take_fractional_epochs_without_a_warning():
    # pytest turns any warning into an error (pyproject's filterwarnings).
    scheduler = CosineAnnealingWarmRestarts(optlib.SGD(np.zeros(1), lr=1.0), T_0=4)
    scheduler.step(0.5)
    scheduler.step()
    assert scheduler.T_cur == 1.5 and scheduler.last_epoch == 1
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        scheduler.step(-1)


def test_get_lr_outside_step_warns_as_torch():
    scheduler = StepLR(optlib.SGD(np.zeros(1), lr=0.1), 3)
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()


def test_no_warning_in_ordinary_use():
    opt = optlib.Adam(np.zeros(2), lr=0.1)
    chain = ChainedScheduler([LinearLR(opt, 0.1, total_iters=5), CyclicLR(opt, 0.01, 0.1)])
    for _ in range(20):
        opt.step(np.ones(2))
        chain.step()  # filterwarnings = error: a warning would fail the test
    assert chain.get_last_lr() == [opt.lr]


# ---------------------------------------------------------------------------
# Bad arguments: optlib raises where torch raises (same type, same condition),
# and also where torch silently computes nonsense; the message names the argument
# ---------------------------------------------------------------------------


def _sgd(make: Callable[..., Any]) -> Any:
    return make("SGD", {"lr": 0.1, "momentum": 0.9})


def _lam(t: int) -> float:
    return 0.5


# (id, build(module, make_optimizer), optlib's exception, words in its message,
#  torch's behaviour: ("init", type) raises when built, ("step", type) raises at a
#  later step, or ("silent", None): accepts it)
BAD_ARGUMENTS = [
    ("StepLR-0", lambda M, make: M.StepLR(_sgd(make), step_size=0), ValueError,
     ["step_size", "0"], ("step", ZeroDivisionError)),
    ("StepLR-negative", lambda M, make: M.StepLR(_sgd(make), step_size=-2), ValueError,
     ["step_size", "-2"], ("silent", None)),
    ("StepLR-fraction", lambda M, make: M.StepLR(_sgd(make), step_size=2.5), ValueError,
     ["step_size", "2.5"], ("silent", None)),
    ("StepLR-gamma", lambda M, make: M.StepLR(_sgd(make), 3, gamma=-0.1), ValueError,
     ["gamma", "-0.1"], ("silent", None)),
    ("MultiStepLR-negative", lambda M, make: M.MultiStepLR(_sgd(make), [-1, 3]), ValueError,
     ["milestones[0]", "-1"], ("silent", None)),
    ("MultiStepLR-int", lambda M, make: M.MultiStepLR(_sgd(make), 5), TypeError,
     ["milestones", "5"], ("init", TypeError)),
    ("ConstantLR-factor", lambda M, make: M.ConstantLR(_sgd(make), factor=1.5), ValueError,
     ["factor", "1.5"], ("init", ValueError)),
    ("ConstantLR-factor-0", lambda M, make: M.ConstantLR(_sgd(make), factor=0.0), ValueError,
     ["factor", "0"], ("step", ZeroDivisionError)),
    ("ConstantLR-iters", lambda M, make: M.ConstantLR(_sgd(make), total_iters=0), ValueError,
     ["total_iters", "0"], ("silent", None)),
    ("LinearLR-start", lambda M, make: M.LinearLR(_sgd(make), start_factor=0.0), ValueError,
     ["start_factor", "0"], ("init", ValueError)),
    ("LinearLR-end", lambda M, make: M.LinearLR(_sgd(make), end_factor=1.5), ValueError,
     ["end_factor", "1.5"], ("init", ValueError)),
    ("LinearLR-iters", lambda M, make: M.LinearLR(_sgd(make), total_iters=0), ValueError,
     ["total_iters", "0"], ("silent", None)),
    ("ExponentialLR-gamma", lambda M, make: M.ExponentialLR(_sgd(make), gamma=-1.0),
     ValueError, ["gamma", "-1"], ("silent", None)),
    ("PolynomialLR-iters", lambda M, make: M.PolynomialLR(_sgd(make), total_iters=0),
     ValueError, ["total_iters", "0"], ("silent", None)),
    ("PolynomialLR-power", lambda M, make: M.PolynomialLR(_sgd(make), power=-1.0),
     ValueError, ["power", "-1"], ("step", ZeroDivisionError)),
    ("Cosine-T_max", lambda M, make: M.CosineAnnealingLR(_sgd(make), T_max=0), ValueError,
     ["T_max", "0"], ("step", ZeroDivisionError)),
    ("Cosine-eta_min", lambda M, make: M.CosineAnnealingLR(_sgd(make), 10, eta_min=-0.1),
     ValueError, ["eta_min", "-0.1"], ("silent", None)),
    ("WarmRestarts-T_0", lambda M, make: M.CosineAnnealingWarmRestarts(_sgd(make), T_0=0),
     ValueError, ["T_0", "0"], ("init", ValueError)),
    ("WarmRestarts-T_0-float", lambda M, make: M.CosineAnnealingWarmRestarts(_sgd(make), 2.0),
     ValueError, ["T_0", "2.0"], ("init", ValueError)),
    ("WarmRestarts-T_mult", lambda M, make: M.CosineAnnealingWarmRestarts(_sgd(make), 2, 0),
     ValueError, ["T_mult", "0"], ("init", ValueError)),
    ("WarmRestarts-eta_min",
     lambda M, make: M.CosineAnnealingWarmRestarts(_sgd(make), 2, eta_min="0"), ValueError,
     ["eta_min", "'0'"], ("init", ValueError)),
    ("LambdaLR-not-callable", lambda M, make: M.LambdaLR(_sgd(make), 0.5), TypeError,
     ["lr_lambda", "0.5"], ("init", TypeError)),
    ("LambdaLR-two", lambda M, make: M.LambdaLR(_sgd(make), [_lam, _lam]), ValueError,
     ["lr_lambda", "2"], ("init", ValueError)),
    ("MultiplicativeLR-not-callable", lambda M, make: M.MultiplicativeLR(_sgd(make), 0.9),
     TypeError, ["lr_lambda", "0.9"], ("init", TypeError)),
    ("CyclicLR-mode", lambda M, make: M.CyclicLR(_sgd(make), 0.01, 0.1, mode="sine"),
     ValueError, ["mode", "'sine'"], ("init", ValueError)),
    ("CyclicLR-Adagrad", lambda M, make: M.CyclicLR(make("Adagrad", {}), 0.01, 0.1),
     ValueError, ["cycle_momentum", "Adagrad"], ("init", ValueError)),
    ("CyclicLR-two-max_lr", lambda M, make: M.CyclicLR(_sgd(make), 0.01, [0.1, 0.2]),
     ValueError, ["max_lr", "2 values"], ("init", ValueError)),
    ("CyclicLR-step_size_up", lambda M, make: M.CyclicLR(_sgd(make), 0.01, 0.1, 0),
     ValueError, ["step_size_up", "0"], ("init", ZeroDivisionError)),
    ("CyclicLR-base_lr", lambda M, make: M.CyclicLR(_sgd(make), -0.1, 0.1), ValueError,
     ["base_lr", "-0.1"], ("silent", None)),
    ("CyclicLR-scale_fn", lambda M, make: M.CyclicLR(_sgd(make), 0.01, 0.1, scale_fn=3),
     TypeError, ["scale_fn", "3"], ("init", TypeError)),
    ("CyclicLR-scale_mode",
     lambda M, make: M.CyclicLR(_sgd(make), 0.01, 0.1, scale_fn=_lam, scale_mode="epochs"),
     ValueError, ["scale_mode", "'epochs'"], ("silent", None)),
    ("CyclicLR-beta1",
     lambda M, make: M.CyclicLR(make("Adam", {"lr": 0.1}), 0.01, 0.1, max_momentum=1.0),
     ValueError, ["max_momentum", "1.0"], ("silent", None)),
    ("OneCycleLR-no-length", lambda M, make: M.OneCycleLR(_sgd(make), 0.1), ValueError,
     ["total_steps", "epochs", "steps_per_epoch"], ("init", ValueError)),
    ("OneCycleLR-total_steps", lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=0),
     ValueError, ["total_steps", "0"], ("init", ValueError)),
    ("OneCycleLR-total_steps-float",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10.0), ValueError,
     ["total_steps", "10.0"], ("init", ValueError)),
    ("OneCycleLR-epochs",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, epochs=0, steps_per_epoch=10), ValueError,
     ["epochs", "0"], ("init", ValueError)),
    ("OneCycleLR-pct_start-int",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10, pct_start=1), ValueError,
     ["pct_start", "1"], ("init", ValueError)),
    ("OneCycleLR-pct_start",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10, pct_start=1.5),
     ValueError, ["pct_start", "1.5"], ("init", ValueError)),
    ("OneCycleLR-anneal",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10, anneal_strategy="cosine"),
     ValueError, ["anneal_strategy", "'cosine'"], ("init", ValueError)),
    ("OneCycleLR-Adagrad",
     lambda M, make: M.OneCycleLR(make("Adagrad", {}), 0.1, total_steps=10), ValueError,
     ["cycle_momentum", "Adagrad"], ("init", ValueError)),
    ("OneCycleLR-empty-phase",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10, pct_start=0.1),
     ValueError, ["pct_start", "total_steps", "1.0"], ("init", ZeroDivisionError)),
    ("OneCycleLR-div_factor",
     lambda M, make: M.OneCycleLR(_sgd(make), 0.1, total_steps=10, div_factor=0.0),
     ValueError, ["div_factor", "0"], ("init", ZeroDivisionError)),
    ("Plateau-factor", lambda M, make: M.ReduceLROnPlateau(_sgd(make), factor=1.0), ValueError,
     ["factor", "1.0"], ("init", ValueError)),
    ("Plateau-mode", lambda M, make: M.ReduceLROnPlateau(_sgd(make), mode="minimum"),
     ValueError, ["mode", "'minimum'"], ("init", ValueError)),
    ("Plateau-threshold_mode",
     lambda M, make: M.ReduceLROnPlateau(_sgd(make), threshold_mode="relative"), ValueError,
     ["threshold_mode", "'relative'"], ("init", ValueError)),
    ("Plateau-two-min_lr", lambda M, make: M.ReduceLROnPlateau(_sgd(make), min_lr=[0.1, 0.2]),
     ValueError, ["min_lr", "2 values"], ("init", ValueError)),
    ("Plateau-patience", lambda M, make: M.ReduceLROnPlateau(_sgd(make), patience=-1),
     ValueError, ["patience", "-1"], ("silent", None)),
    ("Sequential-empty", lambda M, make: M.SequentialLR(_sgd(make), [], []), ValueError,
     ["at least one"], ("init", ValueError)),
    ("Sequential-milestones", lambda M, make: _sequential(M, make, [5, 10]), ValueError,
     ["milestone", "2"], ("init", ValueError)),
    ("Sequential-decreasing", lambda M, make: _sequential(M, make, [5, 3], three=True),
     ValueError, ["milestones", "[5, 3]"], ("silent", None)),
    ("Sequential-plateau", lambda M, make: _with_plateau(M, make, M.SequentialLR), ValueError,
     ["schedulers[1]", "ReduceLROnPlateau"], ("init", ValueError)),
    ("Sequential-not-a-schedule",
     lambda M, make: M.SequentialLR(_sgd(make), ["warm-up"], []), TypeError,
     ["schedulers[0]", "warm-up"], ("init", TypeError)),
    ("Sequential-two-optimizers", lambda M, make: _two_optimizers(M, make, "SequentialLR"),
     ValueError, ["same optimizer", "schedulers[1]"], ("init", ValueError)),
    ("Chained-empty", lambda M, make: M.ChainedScheduler([]), ValueError, ["at least one"],
     ("init", ValueError)),
    ("Chained-two-optimizers", lambda M, make: _two_optimizers(M, make, "ChainedScheduler"),
     ValueError, ["same optimizer", "schedulers[1]"], ("init", ValueError)),
    ("not-an-optimizer", lambda M, make: M.StepLR("SGD", 3), TypeError, ["optimizer", "str"],
     ("init", TypeError)),
]  # fmt: skip


def _sequential(M: Any, make: Callable[..., Any], milestones: list[int], three=False) -> Any:
    opt = _sgd(make)
    count = 3 if three else 2
    return M.SequentialLR(opt, [M.ExponentialLR(opt, 0.9) for _ in range(count)], milestones)


def _with_plateau(M: Any, make: Callable[..., Any], cls: Any) -> Any:
    opt = _sgd(make)
    return cls(opt, [M.ExponentialLR(opt, 0.9), M.ReduceLROnPlateau(opt)], [5])


def _two_optimizers(M: Any, make: Callable[..., Any], name: str) -> Any:
    first, second = _sgd(make), _sgd(make)
    children = [M.ExponentialLR(first, 0.9), M.ExponentialLR(second, 0.9)]
    if name == "ChainedScheduler":
        return M.ChainedScheduler(children)
    return M.SequentialLR(first, children, [5])


BAD_IDS = [entry[0] for entry in BAD_ARGUMENTS]


@pytest.mark.parametrize(("name", "build", "error", "words", "torch_does"), BAD_ARGUMENTS,
                         ids=BAD_IDS)  # fmt: skip
def test_bad_argument_raises_and_says_which(name, build, error, words, torch_does):
    opt_before = None

    def make(optimizer: str, kwargs: dict[str, Any]) -> Any:
        nonlocal opt_before
        opt = OPTLIB.optimizer(optimizer, kwargs)
        opt_before = opt_before or (opt, dict(opt.hyperparameters))
        return opt

    with pytest.raises(error) as raised:
        build(schedules, make)
    message = str(raised.value)
    for word in words:
        assert word in message, (word, message)
    if opt_before is not None:  # a constructor that raises has changed nothing
        opt, hyperparameters = opt_before
        assert opt.hyperparameters == hyperparameters


@pytest.mark.torch
@pytest.mark.parametrize(("name", "build", "error", "words", "torch_does"), BAD_ARGUMENTS,
                         ids=BAD_IDS)  # fmt: skip
def test_torch_raises_for_the_same_arguments_or_is_silent(name, build, error, words, torch_does):
    torch_library = _torch()
    when, torch_error = torch_does

    def make(optimizer: str, kwargs: dict[str, Any]) -> Any:
        return torch_library.optimizer(optimizer, kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if when == "init":
            with pytest.raises(torch_error):
                build(torch_library.module, make)
            if torch_error is not ZeroDivisionError:
                assert torch_error is error  # a deliberate error of torch: the same type
            return
        scheduler = build(torch_library.module, make)
        raised = None
        try:
            for _ in range(10):
                scheduler.optimizer.step()
                plateau = isinstance(scheduler, torch_library.module.ReduceLROnPlateau)
                scheduler.step(1.0) if plateau else scheduler.step()
        except Exception as caught:
            raised = caught
    if when == "step":
        assert isinstance(raised, torch_error), raised
    else:
        assert raised is None, raised


def test_an_optimizer_from_torch_is_refused_with_a_pointer():
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match=r"torch\.optim\.lr_scheduler"):
        StepLR(opt, 3)


def test_a_sweep_optimizer_is_refused():
    opt = optlib.SGD(np.zeros((3, 2)), lr=np.array([[0.1], [0.2], [0.3]]))
    with pytest.raises(ValueError, match="lr is an array"):
        ExponentialLR(opt, 0.9)


def test_resuming_needs_a_recorded_initial_lr_as_torch():
    opt = optlib.SGD(np.zeros(1), lr=0.1)
    with pytest.raises(KeyError, match="last_epoch=5"):
        StepLR(opt, 3, last_epoch=5)
    assert opt.lr == 0.1
    StepLR(opt, 3)  # records 0.1
    opt.lr = 0.01
    resumed = StepLR(opt, 3, last_epoch=5)
    assert resumed.base_lrs == [0.1] and resumed.last_epoch == 6


@pytest.mark.torch
def test_resuming_with_last_epoch_matches_torch():
    torch_library = _torch()
    runs = []
    for library in (OPTLIB, torch_library):
        opt = library.optimizer("SGD", {"lr": 0.1})
        library.module.CosineAnnealingLR(opt, 10)  # records the initial lr
        for cls, kwargs in [
            ("CosineAnnealingLR", {"T_max": 10}),
            ("ExponentialLR", {"gamma": 0.9}),
            ("LinearLR", {}),
            ("StepLR", {"step_size": 3}),
        ]:
            scheduler = getattr(library.module, cls)(opt, last_epoch=4, **kwargs)
            lrs = [library.hyperparameters(opt)["lr"]]
            for _ in range(12):
                library.optimizer_step(opt)
                scheduler.step()
                lrs.append(library.hyperparameters(opt)["lr"])
            runs.append(lrs)
    half = len(runs) // 2
    assert runs[:half] == runs[half:]


# ---------------------------------------------------------------------------
# The documented semantics, by hand
# ---------------------------------------------------------------------------


def test_construction_takes_torchs_initial_step():
    opt = optlib.SGD(np.zeros(1), lr=0.3)
    scheduler = ConstantLR(opt, factor=0.5, total_iters=2)
    assert scheduler.last_epoch == 0 and opt.lr == 0.15
    assert scheduler.get_last_lr() == [0.15] and isinstance(scheduler.get_last_lr()[0], float)
    plateau = ReduceLROnPlateau(optlib.SGD(np.zeros(1), lr=0.3))
    assert plateau.last_epoch == 0 and plateau.get_last_lr() == [0.3]


def test_later_schedules_start_from_the_first_recorded_lr():
    """torch's param_groups[0]["initial_lr"]: a warm-up does not lower the cosine's base."""
    opt = optlib.SGD(np.zeros(1), lr=0.2)
    warm_up = LinearLR(opt, start_factor=0.1, total_iters=5)
    assert opt.lr == pytest.approx(0.02)
    cosine = CosineAnnealingLR(opt, T_max=10)
    assert warm_up.base_lrs == cosine.base_lrs == [0.2]
    # OneCycleLR records its own start, as torch overwrites initial_lr.
    one_cycle = OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    assert one_cycle.base_lrs == [0.04] and ExponentialLR(opt, 0.5).base_lrs == [0.04]


def test_lambda_state_is_saved_for_callable_objects_only():
    PowerDecay = REF.PowerDecay
    opt = optlib.SGD(np.zeros(1), lr=1.0)
    saved = LambdaLR(opt, PowerDecay(0.5)).state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}]
    other = LambdaLR(optlib.SGD(np.zeros(1), lr=1.0), PowerDecay(0.9))
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].rate == 0.5
    other.step()
    assert other.get_last_lr() == [0.5]
    assert LambdaLR(opt, lambda t: 1.0).state_dict()["lr_lambdas"] == [None]


def test_rounding_below_zero_is_zero():
    """torch's LinearLR ends at -2.2e-18 here, by rounding; an optimizer refuses that."""
    opt = optlib.SGD(np.zeros(1), lr=0.1)
    scheduler = LinearLR(opt, start_factor=0.3, end_factor=0.0, total_iters=3)
    for _ in range(4):
        scheduler.step()
    assert opt.lr == 0.0 and scheduler.get_last_lr() == [0.0]
    # A value that is not rounding is refused.
    negative = LambdaLR(optlib.SGD(np.zeros(1), lr=0.1), lambda t: 1.0 - t / 2)
    negative.step()
    with pytest.raises(ValueError, match=r"LambdaLR computed lr=-0.0\d+ for step 3"):
        negative.step(), negative.step()


@pytest.mark.torch
def test_torch_rounds_below_zero_there():
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.LinearLR(opt, 0.3, 0.0, total_iters=3)
    for _ in range(3):
        opt.step()
        scheduler.step()
    assert -1e-17 < scheduler.get_last_lr()[0] < 0


def test_one_cycle_counts_its_steps_as_torch():
    opt = optlib.SGD(np.zeros(1), lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()  # the third goes one past the cycle, as torch allows
    before = (opt.lr, opt.momentum, scheduler.last_epoch)
    with pytest.raises(ValueError, match=r"Tried to step 4 times\. The specified number of total"):
        scheduler.step()
    assert (opt.lr, opt.momentum, scheduler.last_epoch) == before  # nothing changed


def test_a_step_that_raises_changes_nothing():
    opt = optlib.Adam(np.zeros(1), lr=1.0)
    chain = ChainedScheduler(
        [ExponentialLR(opt, 0.5), MultiplicativeLR(opt, lambda t: -1.0 if t == 2 else 1.0)]
    )
    chain.step()
    state, lr = chain.state_dict(), opt.lr
    with pytest.raises(ValueError, match=r"MultiplicativeLR computed lr=-0.25 for step 2"):
        chain.step()
    assert chain.state_dict() == state and opt.lr == lr


def test_cycling_momentum_sets_betas0_for_adam_and_momentum_for_sgd():
    adam = optlib.Adam(np.zeros(1), lr=0.1, betas=(0.9, 0.99))
    CyclicLR(adam, 0.01, 0.1, step_size_up=2, base_momentum=0.8, max_momentum=0.95).step()
    assert adam.betas == (0.875, 0.99)
    sgd = optlib.SGD(np.zeros(1), lr=0.1, momentum=0.5)
    OneCycleLR(sgd, max_lr=0.1, total_steps=10)
    assert sgd.momentum == 0.95
    rmsprop = optlib.RMSprop(np.zeros(1), lr=0.1)
    CyclicLR(rmsprop, 0.01, 0.1, cycle_momentum=False)
    assert rmsprop.momentum == 0.0


def test_plateau_reduces_after_patience_and_cools_down():
    opt = optlib.SGD(np.zeros(1), lr=1.0)
    scheduler = ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=2, min_lr=0.2)
    lrs = []
    for metric in [5, 5, 5, 5, 5, 5, 5, 5, 5, 5]:
        scheduler.step(metric)
        lrs.append(opt.lr)
    # bad epochs 1, 2 -> halve; two calls of cooldown; 1, 2 -> halve; ...; floor 0.2
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]
    scheduler.step(5)
    assert opt.lr == 0.2
    with pytest.raises(ValueError, match="metrics must be one number"):
        scheduler.step(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="metrics must be one number"):
        scheduler.step("0.5")


def test_load_state_dict_refuses_another_schedules_state_and_changes_nothing():
    opt = optlib.SGD(np.zeros(1), lr=0.1)
    step = StepLR(opt, 3)
    cosine = CosineAnnealingLR(opt, 10)
    before = cosine.state_dict()
    with pytest.raises(ValueError, match=r"does not keep: \['gamma', 'step_size'\]"):
        cosine.load_state_dict(step.state_dict())
    with pytest.raises(ValueError, match="last_epoch"):
        cosine.load_state_dict({"last_epoch": "ten"})
    with pytest.raises(ValueError, match="base_lrs"):
        cosine.load_state_dict({"base_lrs": [0.1, 0.2]})
    assert cosine.state_dict() == before
    chain = ChainedScheduler([StepLR(opt, 3), ExponentialLR(opt, 0.9)])
    with pytest.raises(ValueError, match="states of 1 schedules, this ChainedScheduler has 2"):
        chain.load_state_dict({"_schedulers": [step.state_dict()]})


@pytest.mark.torch
@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "CyclicLR", "ReduceLROnPlateau"])
def test_a_torch_state_dict_loads_into_optlib(name):
    """torch's state dict (of plain numbers) continues in optlib as it would in torch."""
    torch_library = _torch()
    make = {
        "StepLR": lambda M, opt: M.StepLR(opt, 7, 0.5),
        "CosineAnnealingLR": lambda M, opt: M.CosineAnnealingLR(opt, 30, 0.01),
        "CyclicLR": lambda M, opt: M.CyclicLR(opt, 0.01, 0.1, 9, mode="triangular2"),
        "ReduceLROnPlateau": lambda M, opt: M.ReduceLROnPlateau(opt, patience=1),
    }[name]
    theirs_opt = torch_library.optimizer("SGD", {"lr": 0.1, "momentum": 0.9})
    theirs = make(torch_library.module, theirs_opt)

    def step(scheduler: Any, k: int) -> None:
        if name == "ReduceLROnPlateau":
            scheduler.step(1.0 + (k // 4 == 0))
        else:
            scheduler.step()

    for k in range(25):
        theirs_opt.step()
        step(theirs, k)
    ours_opt = optlib.SGD(np.zeros(1), lr=0.1, momentum=0.9)
    ours = make(schedules, ours_opt)
    group = theirs_opt.param_groups[0]
    ours_opt.lr, ours_opt.momentum = group["lr"], group["momentum"]
    ours.load_state_dict(theirs.state_dict())
    for k in range(25, 60):
        theirs_opt.step()
        step(theirs, k)
        step(ours, k)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert ours_opt.momentum == group["momentum"]


@pytest.mark.torch
def test_training_with_a_schedule_follows_torch():
    """SGD with momentum under OneCycleLR, on f(θ) = ½‖θ‖²: the parameters match torch's."""
    torch = pytest.importorskip("torch")
    theta = np.array([1.0, -2.0, 3.0])
    tensor = torch.nn.Parameter(torch.tensor(theta.copy()))
    ours_opt = optlib.SGD(theta, lr=0.1, momentum=0.9)
    theirs_opt = torch.optim.SGD([tensor], lr=0.1, momentum=0.9, foreach=False)
    ours = OneCycleLR(ours_opt, max_lr=0.5, total_steps=200)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, max_lr=0.5, total_steps=200)
    for _ in range(200):
        ours_opt.step(theta.copy())
        tensor.grad = tensor.detach().clone()
        theirs_opt.step()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(theta, tensor.detach().numpy(), rtol=1e-10, atol=1e-14)
