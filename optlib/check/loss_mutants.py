"""Known-wrong variants of a loss and of its gradient, each under the key of its mistake.

:func:`loss_value_mutants` and :func:`loss_grad_mutants` take a
:class:`~optlib.check.loss_cases.LossSpec` and return ``(key, fn)`` pairs in
the order they are tried; ``fn(y_pred, y_true)`` computes the mistake's value
(or ``None`` where the mistake gives none). The check runs them on its cases
only when the reader's function fails, and a variant that the reader's
numbers match names the mistake (:data:`~optlib.check.MISTAKES`).

Most variants are optlib's own loss with one thing changed (the other
reduction, the other reading of the inputs, a factor); the rest write the
wrong formula out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optlib.check.loss_cases import LossSpec
from optlib.check.names import CROSS_ENTROPIES
from optlib.losses import sigmoid, softmax

# fn(y_pred, y_true): the mistake's value on a case, or None where it has none.
MutantFn = Callable[[np.ndarray, np.ndarray], "np.ndarray | None"]


def loss_value_mutants(spec: LossSpec) -> list[tuple[str, MutantFn]]:
    """Known-wrong variants of the loss value, in the order they are tried."""
    ref, reduction, family = spec.reference, spec.reduction, spec.family

    def value(p: np.ndarray, y: np.ndarray, how: str = reduction) -> np.ndarray:
        return np.asarray(ref(p, y, reduction=how))

    mutants: list[tuple[str, MutantFn]] = []
    if family in CROSS_ENTROPIES:
        if spec.from_logits:
            as_probabilities = spec.other(from_logits=False)

            def forgot(p: np.ndarray, y: np.ndarray) -> np.ndarray | None:
                if p.min() < 0 or p.max() > 1:
                    return None  # the mistake gives log of a negative number: no value
                return np.asarray(as_probabilities(p, y, reduction=reduction))

            mutants.append(("forgot_activation", forgot))
        else:
            as_logits = spec.other(from_logits=True)
            mutants.append(
                (
                    "extra_activation",
                    lambda p, y: np.asarray(as_logits(p, y, reduction=reduction)),
                )
            )
        mutants.append(("log_base", lambda p, y: value(p, y) / np.log(10)))
        mutants.append(("log_base", lambda p, y: value(p, y) / np.log(2)))
    if family in ("cce", "sparse_cce") and reduction == "mean":
        mutants.append(("mean_over_classes", lambda p, y: value(p, y) / p.shape[1]))
    if spec.name == "kl_div":
        if reduction == "batchmean":
            mutants.append(("mean_over_classes", lambda p, y: value(p, y, "mean")))
            mutants.append(("sum_not_mean", lambda p, y: value(p, y, "sum")))

        def reversed_kl(log_q: np.ndarray, p: np.ndarray) -> np.ndarray | None:
            if np.any(p == 0):
                return None  # KL(q || p) is infinite there
            q = np.exp(log_q)
            return _reduce_rows(q * (log_q - np.log(p)), reduction)

        mutants.append(("kl_reversed", reversed_kl))
    if spec.name == "hinge":
        mutants.append(("hinge_no_margin", lambda s, y: _reduce(np.maximum(0, -y * s), reduction)))
    if spec.name == "mse":
        if reduction == "mean":
            mutants.append(("rmse", lambda p, y: np.sqrt(value(p, y))))
        mutants.append(("half_mse", lambda p, y: 0.5 * value(p, y)))
        mutants.append(("not_squared", lambda p, y: _reduce(p - y, reduction)))
    if spec.name == "mae":
        mutants.append(("not_absolute", lambda p, y: _reduce(p - y, reduction)))
        mutants.append(("mae_squared", lambda p, y: _reduce((p - y) ** 2, reduction)))
    if spec.name == "huber":
        delta = spec.delta

        def huber_variant(p: np.ndarray, y: np.ndarray, half: float, offset: float):
            r = np.abs(p - y)
            return _reduce(
                np.where(r < delta, half * r * r, delta * (r - offset * delta)), reduction
            )

        mutants.append(("huber_no_half", lambda p, y: huber_variant(p, y, 1.0, 0.5)))
        mutants.append(("huber_no_offset", lambda p, y: huber_variant(p, y, 0.5, 0.0)))
    if reduction == "mean":
        mutants.append(("sum_not_mean", lambda p, y: value(p, y, "sum")))
    if reduction == "sum":
        mutants.append(("mean_not_sum", lambda p, y: value(p, y, "mean")))
        if family in ("cce", "sparse_cce"):  # the mean over all n·C entries
            mutants.append(("mean_not_sum", lambda p, y: value(p, y, "sum") / p.size))
    mutants.append(("negated", lambda p, y: -value(p, y)))
    return mutants


def loss_grad_mutants(spec: LossSpec) -> list[tuple[str, MutantFn]]:
    """Known-wrong variants of the loss gradient, in the order they are tried."""
    ref, reduction, family = spec.reference, spec.reduction, spec.family

    def grad(p: np.ndarray, y: np.ndarray, how: str = reduction) -> np.ndarray:
        return ref.grad(p, y, reduction=how)

    mutants: list[tuple[str, MutantFn]] = []
    if family in CROSS_ENTROPIES:
        if spec.from_logits:
            as_probabilities = spec.other(from_logits=False)
            activation = sigmoid if family == "bce" else softmax

            def forgot(p: np.ndarray, y: np.ndarray) -> np.ndarray:
                return (p - _one_hot(spec, p, y)) * _grad_scale(spec, p)

            def wrt_probabilities(p: np.ndarray, y: np.ndarray) -> np.ndarray | None:
                probabilities = activation(p)
                if np.any((probabilities == 0) | (probabilities == 1)):
                    return None  # saturated: the value depends on how the reader clips
                return as_probabilities.grad(probabilities, y, reduction=reduction)

            mutants.append(("grad_forgot_activation", forgot))
            mutants.append(("grad_wrt_probabilities", wrt_probabilities))
        else:
            as_logits = spec.other(from_logits=True)
            mutants.append(
                ("extra_activation", lambda p, y: as_logits.grad(p, y, reduction=reduction))
            )
        mutants.append(("log_base", lambda p, y: grad(p, y) / np.log(10)))
        mutants.append(("log_base", lambda p, y: grad(p, y) / np.log(2)))
    if spec.name == "mse":
        mutants.append(("mse_missing_2", lambda p, y: grad(p, y) / 2))
    if spec.name == "mae":
        mutants.append(
            ("mae_sign_at_zero", lambda p, y: np.where(p >= y, 1.0, -1.0) * _grad_scale(spec, p))
        )
        mutants.append(
            ("mae_sign_at_zero", lambda p, y: np.where(p > y, 1.0, -1.0) * _grad_scale(spec, p))
        )
    if spec.name == "huber":
        delta = spec.delta

        def huber_no_half(p: np.ndarray, y: np.ndarray) -> np.ndarray:
            r = p - y
            inner = np.where(np.abs(r) < delta, 2 * r, delta * np.sign(r))
            return inner * _grad_scale(spec, p)

        mutants.append(("huber_no_half", huber_no_half))
    if spec.name == "hinge":
        mutants.append(
            (
                "hinge_kink",
                lambda s, y: np.where(y * s <= 1, -y, 0.0) * _grad_scale(spec, s),
            )
        )
    if reduction == "batchmean":
        mutants.append(("grad_divided_by_nC", lambda p, y: grad(p, y, "mean")))
        mutants.append(("grad_not_divided", lambda p, y: grad(p, y, "sum")))
    elif reduction == "mean":
        if family in ("cce", "sparse_cce"):
            mutants.append(("grad_divided_by_nC", lambda p, y: grad(p, y) / p.shape[1]))
        mutants.append(("grad_not_divided", lambda p, y: grad(p, y, "sum")))
    else:
        mutants.append(("grad_divided", lambda p, y: grad(p, y, "mean")))
    mutants.append(("grad_negated", lambda p, y: -grad(p, y)))
    return mutants


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.mean(values)
    if reduction == "sum":
        return np.sum(values)
    return values


def _reduce_rows(values: np.ndarray, reduction: str) -> np.ndarray:
    """The reduction of per-element values of (n, C) rows, "batchmean" included."""
    if reduction == "batchmean":
        return np.sum(values) / len(values)
    return _reduce(values, reduction)


def _grad_scale(spec: LossSpec, y_pred: np.ndarray, reduction: str | None = None) -> float:
    """What the gradient of the mean divides by (1 for "sum" and "none")."""
    reduction = reduction or spec.reduction
    if reduction == "batchmean":
        return 1.0 / len(y_pred)
    if reduction != "mean":
        return 1.0
    return 1.0 / (len(y_pred) if spec.family in ("cce", "sparse_cce") else y_pred.size)


def _one_hot(spec: LossSpec, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    return np.eye(y_pred.shape[1])[y_true] if spec.name == "sparse_cce" else y_true
