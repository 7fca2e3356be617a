"""What ``check.loss`` and ``check.loss_grad`` run: which loss, and on which inputs.

:func:`loss_spec` reads the check's arguments (which loss, ``from_logits``,
``reduction``, ``delta``) into a :class:`LossSpec` with optlib's loss as the
reference; :func:`loss_cases` builds the fixed inputs for it: several shapes,
float64 and float32, soft labels, and the edge cases where implementations
break (probabilities of exactly 0 and 1, huge logits).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.check.arguments import one_of
from optlib.check.names import CROSS_ENTROPIES, LOSS_NAMES, REDUCTIONS
from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    Huber,
    KLDivergence,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
)


@dataclass
class LossSpec:
    """Which loss is checked, with which options, and optlib's loss that is the reference."""

    name: str
    from_logits: bool
    reduction: str
    delta: float
    reference: Loss

    @property
    def family(self) -> str:
        """The loss's name, or ``"regression"`` for MSE, MAE and Huber."""
        return "regression" if self.name in _REGRESSION else self.name

    def other(self, from_logits: bool) -> Loss:
        """The same loss read the other way (probabilities <-> logits)."""
        return _LOSS_CLASSES[self.name](from_logits=from_logits)


_LOSS_CLASSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "bce": BinaryCrossEntropy,
    "cce": CategoricalCrossEntropy,
    "sparse_cce": SparseCategoricalCrossEntropy,
    "kl_div": KLDivergence,
    "hinge": Hinge,
}
_REGRESSION = ("mse", "mae", "huber")

# The Huber cases are built around delta (residuals of about 1.5 delta): outside
# this range they would overflow, or round every residual to 0 and compare nothing.
_DELTA_RANGE = (1e-6, 1e6)


def loss_spec(name: Any, from_logits: Any, reduction: Any, delta: Any) -> LossSpec:
    """The check's arguments as a :class:`LossSpec`; a ValueError names a bad one."""
    name = one_of("loss", name, LOSS_NAMES, "losses")
    if not isinstance(from_logits, bool | np.bool_):
        raise ValueError(f"from_logits must be True or False, got {from_logits!r}")
    if from_logits and name not in CROSS_ENTROPIES:
        raise ValueError(
            f'from_logits applies to the cross-entropies ("bce", "cce", "sparse_cce"), '
            f'not to "{name}"'
        )
    # kl_div also takes "batchmean", the mean over the rows (examples), as PyTorch's does.
    reduction = one_of(
        "reduction", reduction, (*REDUCTIONS, "batchmean") if name == "kl_div" else REDUCTIONS
    )
    if (
        isinstance(delta, bool | np.bool_)
        or not isinstance(delta, numbers.Real)
        or not 0 < float(delta) < math.inf
    ):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    if name == "huber":
        low, high = _DELTA_RANGE
        if not low <= delta <= high:
            raise ValueError(
                f"check.loss builds its cases around delta (residuals of about 1.5·delta), "
                f"so it takes {low:g} <= delta <= {high:g}; got delta={delta!r}"
            )
        reference = Huber(delta=float(delta))
    else:
        if delta != 1.0:
            raise ValueError(f'delta applies to "huber" only, not to "{name}"')
        cls = _LOSS_CLASSES[name]
        reference = cls(from_logits=bool(from_logits)) if name in CROSS_ENTROPIES else cls()
    return LossSpec(name, bool(from_logits), reduction, float(delta), reference)


@dataclass
class LossCase:
    """One input of a loss check, and how its result is judged."""

    name: str
    y_pred: np.ndarray
    y_true: np.ndarray
    value_kind: str = "exact"  # "exact" or "large" (a confident wrong prediction)
    grad_kind: str = "exact"  # "exact", "finite" or "sign"
    value_atol: float | None = None  # for "exact": overrides the default atol


def loss_cases(spec: LossSpec) -> list[LossCase]:
    """The inputs a loss is checked on: fixed, the same at every call."""
    rng = np.random.default_rng(20240501)
    f32 = np.float32

    if spec.family == "regression":
        spread = 1.5 * spec.delta if spec.name == "huber" else 1.5

        def regression(shape: Any, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
            y_true = rng.normal(size=shape)
            y_pred = y_true + spread * rng.normal(size=shape)
            return y_pred.astype(dtype), y_true.astype(dtype)

        same = rng.normal(size=4)
        return [
            LossCase("5 predictions", *regression(5)),
            LossCase("a 4×3 batch", *regression((4, 3))),
            LossCase("a single prediction", *regression(1)),
            LossCase("a 4×3 batch in float32", *regression((4, 3), f32)),
            LossCase("perfect predictions (all residuals 0)", same.copy(), same.copy()),
        ]

    if spec.family == "kl_div":

        def distributions(n: int, n_classes: int, dtype: Any = np.float64) -> tuple:
            logits = rng.normal(scale=2.0, size=(n, n_classes))
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_q = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            p = rng.dirichlet(np.ones(n_classes), size=n)
            return log_q.astype(dtype), p.astype(dtype)

        return [
            LossCase("4 distributions over 3 outcomes", *distributions(4, 3)),
            LossCase("1 distribution over 5 outcomes", *distributions(1, 5)),
            LossCase("6 distributions over 2 outcomes", *distributions(6, 2)),
            LossCase("4 distributions over 3 outcomes in float32", *distributions(4, 3, f32)),
            LossCase(
                "target probabilities of exactly 0 (0·log 0 = 0)",
                np.log(np.array([[0.2, 0.3, 0.5], [1e-30, 0.5, 0.5 - 1e-30]])),
                np.array([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]),
            ),
        ]

    if spec.family == "hinge":

        def scored(shape: Any, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
            scores = rng.normal(scale=1.5, size=shape)
            labels = rng.choice([-1.0, 1.0], size=shape)
            return scores.astype(dtype), labels.astype(dtype)

        return [
            LossCase("5 scores", *scored(5)),
            LossCase("a 4×3 batch", *scored((4, 3))),
            LossCase("a single score", *scored(1)),
            LossCase("a 4×3 batch in float32", *scored((4, 3), f32)),
            LossCase(
                "scores exactly on the margin (y·s = 1) and beyond it",
                np.array([1.0, -1.0, 2.0, -0.5]),
                np.array([1.0, -1.0, 1.0, 1.0]),
            ),
            LossCase(
                "huge scores (±1e4)",
                np.array([1e4, -1e4, 1e4, -1e4]),
                np.array([1.0, 1.0, -1.0, -1.0]),
            ),
        ]

    if spec.family == "bce":

        def binary(shape: Any, dtype: Any = np.float64, soft: bool = False) -> tuple:
            if spec.from_logits:
                y_pred = rng.normal(scale=3.0, size=shape)
            else:
                y_pred = rng.uniform(0.05, 0.95, size=shape)
            y_true = rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape) * 1.0
            return y_pred.astype(dtype), y_true.astype(dtype)

        plural, single = (
            ("logits", "logit") if spec.from_logits else ("probabilities", "probability")
        )
        cases = [
            LossCase(f"5 {plural}", *binary(5)),
            LossCase("a 4×3 batch", *binary((4, 3))),
            LossCase(f"a single {single}", *binary(1)),
            LossCase("soft labels (targets between 0 and 1)", *binary(6, soft=True)),
            LossCase("a 4×3 batch in float32", *binary((4, 3), f32)),
        ]
        if spec.from_logits:
            cases += [
                LossCase(
                    "logits between 0 and 1",
                    rng.uniform(0.1, 0.9, size=(2, 3)),
                    rng.integers(0, 2, size=(2, 3)) * 1.0,
                ),
                LossCase(
                    "huge logits (±1e4)",
                    np.array([1e4, -1e4, 1e4, -1e4]),
                    np.array([1.0, 0.0, 0.0, 1.0]),
                ),
            ]
        else:
            cases += [
                LossCase(
                    "probabilities of exactly 0 and 1, right",
                    np.array([0.0, 1.0, 1.0, 0.0]),
                    np.array([0.0, 1.0, 1.0, 0.0]),
                    value_atol=1e-6,
                    grad_kind="finite",
                ),
                LossCase(
                    "probabilities of exactly 0 and 1, wrong",
                    np.array([0.0, 1.0, 0.0, 1.0]),
                    np.array([1.0, 0.0, 1.0, 0.0]),
                    value_kind="large",
                    grad_kind="sign",
                ),
            ]
        return cases

    # the two categorical cross-entropies
    sparse = spec.name == "sparse_cce"

    def labels_of(classes: np.ndarray, n_classes: int) -> np.ndarray:
        return classes if sparse else np.eye(n_classes)[classes]

    def categorical(n: int, n_classes: int, dtype: Any = np.float64, soft: bool = False):
        if spec.from_logits:
            y_pred = rng.normal(scale=3.0, size=(n, n_classes))
        else:  # rows that sum to 1, every entry at least 0.2 / C
            y_pred = 0.8 * rng.dirichlet(np.ones(n_classes), size=n) + 0.2 / n_classes
        classes = rng.integers(0, n_classes, size=n)
        if soft:
            y_true = rng.dirichlet(np.ones(n_classes), size=n)
        else:
            y_true = labels_of(classes, n_classes)
        if not sparse:
            y_true = y_true.astype(dtype)
        return y_pred.astype(dtype), y_true

    cases = [
        LossCase("4 examples, 3 classes", *categorical(4, 3)),
        LossCase("1 example, 5 classes", *categorical(1, 5)),
        LossCase("6 examples, 2 classes", *categorical(6, 2)),
    ]
    if not sparse:
        cases.append(
            LossCase("soft labels (rows of probabilities)", *categorical(5, 4, soft=True))
        )
    cases.append(LossCase("4 examples, 3 classes in float32", *categorical(4, 3, f32)))
    if spec.from_logits:
        cases += [
            LossCase(
                "logits between 0 and 1",
                rng.uniform(0.1, 0.9, size=(3, 4)),
                labels_of(np.array([2, 0, 3]), 4),
            ),
            LossCase(
                "huge logits (±1e4)",
                np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]),
                labels_of(np.array([1, 1]), 3),
            ),
        ]
    else:
        cases += [
            LossCase(
                "a probability of 0 for a wrong class",
                np.array([[0.0, 0.7, 0.3], [0.5, 0.5, 0.0]]),
                labels_of(np.array([1, 0]), 3),
            ),
            LossCase(
                "a probability of 0 for the true class",
                np.array([[0.0, 0.6, 0.4], [0.2, 0.8, 0.0]]),
                labels_of(np.array([0, 2]), 3),
                value_kind="large",
                grad_kind="sign",
            ),
        ]
    return cases
