"""The checks of a loss and of its gradient: :func:`loss` and :func:`loss_grad`.

Each case (:mod:`optlib.check.loss_cases`) is run through the reader's
function and compared with optlib's loss; at the edge cases where several
answers are right (probabilities of exactly 0 and 1) the result must be
large enough, or point the right way, instead of equal. When something
fails, the known-wrong variants (:mod:`optlib.check.loss_mutants`) choose the
hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from optlib.check.arguments import check_callable, check_time_budget, name_of
from optlib.check.compare import ATOL, RTOL, Item, diagnose, difference, within_tolerance
from optlib.check.loss_cases import LossCase, LossSpec, loss_cases, loss_spec
from optlib.check.loss_mutants import MutantFn, loss_grad_mutants, loss_value_mutants
from optlib.check.sandbox import (
    DEFAULT_TIME_BUDGET,
    Session,
    as_array,
    call_reader,
    escape_verdict,
    non_finite,
)
from optlib.check.verdicts import CaseResult, CheckResult, join_notes

# A confident wrong prediction must cost at least this much per element: the
# loss of a probability of 1e-4 for the true class. PyTorch's floor gives 100,
# Keras's clip to [1e-7, 1 - 1e-7] gives 16.1.
_LARGE_LOSS = -math.log(1e-4)


def loss(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    name: str,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    delta: float = 1.0,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your loss function against optlib's.

    Your function is called as ``fn(y_pred, y_true)`` on a set of cases
    (several shapes, float64 and float32, soft labels, and the edge cases:
    probabilities of exactly 0 and 1, huge logits) and must return the loss
    with the given reduction.

    Parameters
    ----------
    fn : callable
        Your loss, ``fn(y_pred, y_true) -> float`` (for ``reduction="none"``,
        an array: one loss per element, or per example for ``"cce"`` and
        ``"sparse_cce"``).
    name : {"mse", "mae", "huber", "bce", "cce", "sparse_cce", "kl_div", "hinge"}
        Which of :mod:`optlib.losses` to compare with. ``y_pred`` is ``(n, C)``
        for the categorical losses; ``y_true`` is one-hot or soft labels
        ``(n, C)`` for ``"cce"`` and integer labels ``(n,)`` for ``"sparse_cce"``.
        For ``"kl_div"`` your function is called as ``fn(log_q, p)``: rows of
        log-probabilities and rows of target probabilities, ``(n, C)`` each,
        some of them exactly 0 (PyTorch's ``kl_div``). For ``"hinge"`` it is
        called as ``fn(scores, labels)`` with labels -1 and 1 (Keras's ``Hinge``,
        mean over all elements).
    from_logits : bool, default False
        Whether ``y_pred`` holds logits (cross-entropies only).
    reduction : {"mean", "sum", "none", "batchmean"}, default "mean"
        The reduction your function computes, as in PyTorch: the mean is over
        all elements, or over the examples for the categorical losses;
        ``"batchmean"`` (``"kl_div"`` only) divides the sum by the number of
        rows.
    delta : float, default 1.0
        The Huber threshold (``"huber"`` only), between 1e-6 and 1e6.
    time_budget : float, default 5.0
        Seconds your function may take in all, over every case; a function
        that has not returned by then is stopped and the verdict says so (see
        "Time budget" in the docstring of :mod:`optlib.check`).

    Returns
    -------
    CheckResult
        Prints as a verdict; ``.passed``, ``.cases``, ``.hint``.

    Raises
    ------
    ValueError
        An unknown loss name or reduction, an option that does not apply, or a
        bad ``delta`` or ``time_budget``. Mistakes in your function never
        raise: they are failed cases.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_bce(y_pred, y_true):
    ...     p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    ...     return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
    >>> check.loss(my_bce, "bce")
    ✔ 7 of 7 cases pass: check.loss(my_bce, "bce")

    Without the clipping, probabilities of exactly 0 and 1 give ``log(0)``:

    >>> def my_naive_bce(y_pred, y_true):
    ...     return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)))
    >>> result = check.loss(my_naive_bce, "bce")
    >>> result.verdict
    '✘ 2 of 7 cases fail'
    >>> result.mistake
    'unstable_probabilities'
    """
    check_callable(fn, "check.loss", 'check.loss(my_bce, "bce")')
    spec = loss_spec(name, from_logits, reduction, delta)
    with Session(check_time_budget(time_budget)) as session:
        return _check_loss(fn, spec, "loss", session)


def loss_grad(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    name: str,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    delta: float = 1.0,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your gradient of a loss against optlib's ``.grad``.

    Your function is called as ``fn(y_pred, y_true)`` on the cases of
    :func:`loss` and must return the gradient of the reduced loss with respect
    to ``y_pred`` (the logits when ``from_logits=True``): an array shaped like
    ``y_pred``. For ``reduction="mean"`` that is the gradient of the mean, so
    it is divided by the number of elements (of examples, for the categorical
    losses); for ``"none"`` it is each element's gradient of its own loss.

    At probabilities of exactly 0 or 1 implementations rightly differ (PyTorch
    floors the denominator at 1e-12, others clip the probabilities first): there
    the gradient must be finite and point the right way, whatever its size.

    Parameters
    ----------
    fn : callable
        Your gradient, ``fn(y_pred, y_true) -> array`` shaped like ``y_pred``.
    name, from_logits, reduction, delta, time_budget
        As for :func:`loss`.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_mse_grad(y_pred, y_true):
    ...     return 2 * (y_pred - y_true) / y_pred.size
    >>> check.loss_grad(my_mse_grad, "mse")
    ✔ 5 of 5 cases pass: check.loss_grad(my_mse_grad, "mse")
    >>> def my_mse_grad_without_2(y_pred, y_true):
    ...     return (y_pred - y_true) / y_pred.size
    >>> print(check.loss_grad(my_mse_grad_without_2, "mse").hint)
    The factor 2 is missing: the derivative of (ŷ − y)² is 2(ŷ − y).
    """
    check_callable(fn, "check.loss_grad", 'check.loss_grad(my_mse_grad, "mse")')
    spec = loss_spec(name, from_logits, reduction, delta)
    with Session(check_time_budget(time_budget)) as session:
        return _check_loss(fn, spec, "loss_grad", session)


def _check_loss(fn: Callable, spec: LossSpec, check: str, session: Session) -> CheckResult:
    grad = check == "loss_grad"
    title = _loss_title(check, fn, spec)
    mutant_specs = loss_grad_mutants(spec) if grad else loss_value_mutants(spec)
    keys = list(dict.fromkeys(key for key, _ in mutant_specs))
    cases: list[CaseResult] = []
    compared: list[tuple[LossCase, Item]] = []
    shapes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (expected, got) mismatches
    nones = signature = too_small = False
    for case in loss_cases(spec):
        inputs = {"y_pred": case.y_pred, "y_true": case.y_true}
        with np.errstate(all="ignore"):
            if grad:
                expected = spec.reference.grad(case.y_pred, case.y_true, spec.reduction)
            else:
                expected = spec.reference(case.y_pred, case.y_true, spec.reduction)
        expected = np.asarray(expected, dtype=np.float64)
        if not np.isfinite(expected).all():  # a safety net: the fixed cases never do this
            message = "not compared: optlib's own result is not finite here"
            cases.append(CaseResult(case.name, inputs, expected[()], None, False, message, False))
            continue
        dtype = case.y_pred.dtype
        rtol = RTOL[dtype]
        atol = ATOL[dtype] * max(1.0, float(np.abs(expected).max()))
        kind = case.grad_kind if grad else case.value_kind
        if not grad and case.value_atol is not None:
            atol = case.value_atol
        call = call_reader(session, fn, (case.y_pred.copy(), case.y_true.copy()))
        got, problem = as_array(call, expected.shape, "numbers")
        nones |= call.error is None and call.value is None
        signature |= call.refused
        if got is not None and problem:
            shapes.append((expected.shape, got.shape))
        passed, message = False, problem
        usable = got if not problem else None
        if usable is not None:
            if not np.isfinite(usable).all():
                message = non_finite(usable)
            elif kind == "exact":
                passed = bool(np.all(within_tolerance(usable, expected, rtol, atol)))
                message = "" if passed else difference(usable, expected, rtol, atol)
            else:
                passed, message, small = _judge_loose(kind, usable, expected, spec)
                too_small |= small
        if call.warnings:  # a warning fails the case, whatever the value
            passed = False
            message = f"{message}; {call.warning}" if message else f"your function {call.warning}"
        item = Item(expected, usable, passed, bool(call.warnings), rtol, atol, kind == "exact")
        compared.append((case, item))
        cases.append(
            CaseResult(
                case.name, inputs, expected[()], got if got is None else got[()], passed, message
            )
        )

    items = [item for _, item in compared]
    mistake, hint, note = escape_verdict(session)
    if mistake is None:
        if not all(item.passed for item in items):  # the known-wrong variants, for the hint
            for case, item in compared:
                if item.exact:
                    item.mutants = _loss_mutant_values(mutant_specs, case)
        # Clipping too far shows only at probabilities of 0 and 1: other failures point
        # elsewhere.
        too_small &= all(
            item.passed for case, item in compared if item.exact and case.value_atol is None
        )
        fallbacks = _loss_fallbacks(spec, grad, shapes, nones, signature, too_small)
        mistake, hint = diagnose(items, keys, _stability_key(spec), fallbacks)
    if len(items) < len(cases):
        note = join_notes(note, "optlib's own result is not finite in some cases.")
    return CheckResult(title, cases, hint, mistake, note)


def _judge_loose(
    kind: str, got: np.ndarray, expected: np.ndarray, spec: LossSpec
) -> tuple[bool, str, bool]:
    """Edge cases where several answers are right (any sensible clipping).

    Returns (passed, message, too_small): ``too_small`` flags a confident wrong
    prediction that costs too little (the probabilities were clipped too far).
    """
    if kind == "large":
        # every element (example) of the case is a confident wrong prediction
        threshold = expected * (_LARGE_LOSS / 100.0)
        if np.all(got >= threshold):
            return True, "", False
        return (
            False,
            "a confident wrong prediction must cost a lot: expected a large loss "
            f"(at least {_LARGE_LOSS:.3g} per {'example' if spec.family != 'bce' else 'element'}; "
            "PyTorch gives 100, Keras 16.1)",
            True,
        )
    if kind == "sign":
        required = expected != 0
        if np.all(np.sign(got[required]) == np.sign(expected[required])):
            return True, "", False
        where = (
            "the sign of y_pred − y_true"
            if spec.family == "bce"
            else "negative for the true class"
        )
        return (
            False,
            "at a probability of exactly 0 or 1 the gradient must still point the right way "
            f"({where})",
            False,
        )
    return True, "", False  # "finite": checked before


def _stability_key(spec: LossSpec) -> str:
    if spec.family in ("regression", "kl_div", "hinge"):
        return "unstable"
    if not spec.from_logits:
        return "unstable_probabilities"
    return "unstable_bce_logits" if spec.family == "bce" else "unstable_cce_logits"


def _loss_fallbacks(
    spec: LossSpec,
    grad: bool,
    shapes: list[tuple[tuple[int, ...], tuple[int, ...]]],
    nones: bool,
    signature: bool,
    too_small: bool,
) -> list[tuple[bool, str, dict[str, Any]]]:
    wanted, got = shapes[0] if shapes else ((), ())
    categorical = spec.family in ("cce", "sparse_cce")
    call = "it is called as fn(y_pred, y_true) and returns " + (
        "the gradient" if grad else "the loss"
    )
    return [
        (signature, "signature", {"call": call}),
        (nones, "returned_none", {}),
        (bool(shapes) and grad, "grad_shape", {}),
        (bool(shapes) and wanted == () and not grad, "scalar_expected", {}),
        (
            bool(shapes) and categorical and len(got) == 2 and not grad,
            "per_example_expected",
            {},
        ),
        (bool(shapes) and wanted != () and not grad, "per_element_expected", {}),
        (too_small, "clipped_too_much", {}),
    ]


def _loss_mutant_values(
    mutant_specs: list[tuple[str, MutantFn]], case: LossCase
) -> dict[str, list[np.ndarray | None]]:
    """Every known-wrong variant on one case, by key (None where one is undefined)."""
    mutants: dict[str, list[np.ndarray | None]] = {}
    for key, mutant in mutant_specs:
        with np.errstate(all="ignore"):
            try:
                result = mutant(case.y_pred, case.y_true)
            except Exception:  # e.g. probabilities outside [0, 1] for optlib's loss
                result = None
        mutants.setdefault(key, []).append(
            None if result is None else np.asarray(result, dtype=np.float64)
        )
    return mutants


def _loss_title(check: str, fn: Callable, spec: LossSpec) -> str:
    parts = [name_of(fn), f'"{spec.name}"']
    if spec.from_logits:
        parts.append("from_logits=True")
    if spec.reduction != "mean":
        parts.append(f'reduction="{spec.reduction}"')
    if spec.name == "huber" and spec.delta != 1.0:
        parts.append(f"delta={spec.delta:g}")
    return f"check.{check}({', '.join(parts)})"
