"""What :func:`~optlib.check.optimizer_step` runs: six trajectories, and optlib's run along each.

An :class:`OptimizerCase` is a surface, a starting point and, for one of them,
a learning rate that shrinks every step. :func:`reference_run` runs optlib's
optimizer (which follows ``torch.optim``) from there for :data:`STEPS` steps,
stopping where it diverges, and records each :class:`Step`: the reader's
function is then called at each step's ``before`` with its ``grad``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.check.compare import ATOL, RTOL, within_tolerance
from optlib.functions import Beale, Quadratic, Rosenbrock, Surface
from optlib.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, Optimizer, RMSprop

# The optimizer each name stands for (optlib's, which follow torch.optim).
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
}

STEPS = 25  # steps along each case
_THETA_LIMIT = 1e6  # optlib's run counts as diverged beyond this
_GRAD_LIMIT = 1e12


@dataclass
class OptimizerCase:
    """A case of the optimizer check: where the trajectory starts, on which surface."""

    name: str
    surface: Surface
    shown: str  # the surface, as the verdict shows it
    theta0: np.ndarray
    lr_decay_per_step: float | None = None  # a schedule: lr × this each step


def optimizer_cases() -> list[OptimizerCase]:
    """The six cases, fixed: the same at every call."""
    bowl5 = Quadratic(A=np.diag([1.0, 2.0, 4.0, 8.0, 16.0]))
    ravine = "Quadratic(A=diag(1, 10))"
    return [
        OptimizerCase(
            "quadratic ravine from (-2.5, 1.5)", Quadratic(), ravine, np.array([-2.5, 1.5])
        ),
        OptimizerCase(
            "Rosenbrock from (-1.5, 2)", Rosenbrock(), "Rosenbrock()", np.array([-1.5, 2.0])
        ),
        OptimizerCase("Beale from (1, 1.5)", Beale(), "Beale()", np.array([1.0, 1.5])),
        OptimizerCase(
            "5-D bowl near its minimum (tiny gradients, one exactly 0)",
            bowl5,
            "Quadratic(A=diag(1, 2, 4, 8, 16))",
            np.array([3e-5, -2e-5, 0.0, 1e-5, -5e-6]),
        ),
        OptimizerCase(
            "quadratic ravine in float32",
            Quadratic(),
            ravine,
            np.array([2.0, -1.0], dtype=np.float32),
        ),
        OptimizerCase(
            "quadratic ravine, lr shrinking ×0.85 every step",
            Quadratic(),
            ravine,
            np.array([1.5, -2.0]),
            lr_decay_per_step=0.85,
        ),
    ]


@dataclass
class Step:
    """One step of optlib's run: theta ``before``, the ``grad`` there, ``lr``, theta ``after``."""

    t: int  # 1 at the first step
    before: np.ndarray
    grad: np.ndarray
    lr: float
    after: np.ndarray


def reference_run(
    cls: type[Optimizer], given: dict[str, Any], lr: float, case: OptimizerCase
) -> tuple[list[Step], bool]:
    """optlib's trajectory, stopped where it diverges; and whether it did."""
    theta = case.theta0.copy()
    dtype = theta.dtype
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. an initial accumulator beyond float32's range
        try:
            opt = cls(theta, **given)
        except (ArithmeticError, ValueError):
            return [], True
    steps: list[Step] = []
    for t in range(1, STEPS + 1):
        lr_t = lr
        if case.lr_decay_per_step is not None:
            lr_t = opt.lr = lr * case.lr_decay_per_step ** (t - 1)
        before = theta.copy()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an overflow is a divergence, not a warning
            grad = np.asarray(case.surface.grad(before), dtype=dtype)
            if (
                not np.isfinite(grad).all()
                or np.abs(before).max() > _THETA_LIMIT
                or np.abs(grad).max() > _GRAD_LIMIT
            ):
                return steps, True
            try:
                opt.step(grad)
            except (ArithmeticError, ValueError):  # an optimizer that refuses to overflow
                return steps, True
        if not np.isfinite(theta).all():
            return steps, True
        steps.append(Step(t, before, grad, lr_t, theta.copy()))
    return steps, False


def step_tolerances(record: Step, dtype: np.dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing a step's result, atol scaled by the size of theta."""
    scale = max(float(np.abs(record.before).max()), float(np.abs(record.after).max()))
    return RTOL[dtype], ATOL[dtype] * max(scale, 1e-300)


def compares(records: list[Step], dtype: np.dtype) -> bool:
    """Whether a reference run has a step worth comparing."""
    return any(_informative(record, *step_tolerances(record, dtype)) for record in records)


def _informative(record: Step, rtol: float, atol: float) -> bool:
    """Whether the step moves theta by more than the comparison can miss.

    A step within tolerance of no step at all tells nothing: a function that
    returns theta unchanged would pass it.
    """
    return not bool(np.all(within_tolerance(record.after, record.before, rtol, atol)))
