"""The losses under test, their inputs, and the comparisons with PyTorch (not a test module).

Every loss has a case name: those of ``tests/reference/make_losses.py``, which
holds the PyTorch side of each case and writes ``tests/reference/losses.npz``,
plus the losses PyTorch has no counterpart for (the hinges). The test module
of each family of losses (``tests/test_losses_<module>.py``) takes its cases
from here; ``tests/test_losses_base.py`` runs the checks every loss must pass
on all of them.

Parity is measured element by element, relative to the larger of the
element's own size and the size of the largest element of the array: see
:func:`assert_parity`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

import optlib.losses

REFERENCE = Path(__file__).parent / "reference"
REDUCTIONS = ("mean", "sum", "none")
DTYPES = (np.float64, np.float32)


def _load_make_losses():
    """tests/reference/make_losses.py as a module (it imports torch only if installed)."""
    spec = importlib.util.spec_from_file_location("make_losses", REFERENCE / "make_losses.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_losses = _load_make_losses()
WEIGHT, IGNORE = make_losses.WEIGHT, make_losses.IGNORE


def build(name: str) -> optlib.losses.Loss:
    """optlib's loss for case ``name`` of make_losses.py."""
    class_name, settings = make_losses.OPTLIB_LOSSES[name]
    return getattr(optlib.losses, class_name)(**settings)


#: Every loss under test, by case name.
LOSSES: dict[str, Any] = {name: build(name) for name in make_losses.OPTLIB_LOSSES}
LOSSES.update({"hinge": optlib.losses.hinge, "squared_hinge": optlib.losses.squared_hinge})

REGRESSION = make_losses.REGRESSION
CROSS_ENTROPIES = ("bce", "bce_logits", *make_losses.CATEGORICAL)
CATEGORICAL = make_losses.CATEGORICAL
KL, FOCAL = make_losses.KL, make_losses.FOCAL
MARGINS = ("hinge", "squared_hinge", *make_losses.MULTI_MARGIN)
LIKELIHOODS = (*make_losses.POISSON, *make_losses.GAUSSIAN)
#: The losses whose per-example loss sums over a row of ``y_pred`` (n, C).
PER_ROW = (*CATEGORICAL, *make_losses.MULTI_MARGIN)

with np.load(REFERENCE / "losses.npz") as _data:
    TORCH_REFERENCE = dict(_data)


def reductions(name: str) -> tuple[str, ...]:
    return make_losses.reductions(name) if name in make_losses.OPTLIB_LOSSES else REDUCTIONS


def reference_cases(names: tuple[str, ...]) -> list[str]:
    """The stored cases ``"<name>/<dtype>/<inputs>"`` of the losses ``names``."""
    stored = (key.removesuffix("/y_pred") for key in TORCH_REFERENCE if key.endswith("/y_pred"))
    return sorted(case for case in stored if case.split("/")[0] in names)


def stored_inputs(case: str) -> tuple[np.ndarray, ...]:
    """``(y_pred, y_true[, var])`` of a stored case."""
    keys = (f"{case}/{field}" for field in ("y_pred", "y_true", "var"))
    return tuple(TORCH_REFERENCE[key] for key in keys if key in TORCH_REFERENCE)


def value_and_grad(name: str, inputs: tuple[np.ndarray, ...], reduction: str):
    """optlib's value and gradient: ``loss.value_and_grad(y_pred, y_true, *more, reduction)``."""
    return LOSSES[name].value_and_grad(*inputs, reduction)


def relative_errors(actual: Any, expected: Any) -> tuple[float, float]:
    """The worst error element by element, relative to the element and to the largest one.

    The first number divides each error by the size of the expected element
    (0 where both are equal, inf where only the expected one is 0); the
    second by the size of the largest expected element of the array, which
    is what rounding bounds when an element is a difference of larger terms.
    """
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    both_inf = np.isinf(expected) & (actual == expected)
    error = np.where(both_inf, 0.0, np.abs(actual - expected))
    size = np.where(both_inf, 1.0, np.abs(expected))
    finite_size = size[np.isfinite(size)]
    largest = finite_size.max() if finite_size.size else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        elementwise = np.where(error == 0, 0.0, error / size)
        normwise = np.where(error == 0, 0.0, error / max(largest, np.finfo(float).tiny))
    return float(elementwise.max(initial=0.0)), float(normwise.max(initial=0.0))


def assert_parity(actual: Any, expected: Any, rtol: float, scale: float = 0.0) -> None:
    """Equal to ``rtol`` relative to each element, or to the array's largest element.

    That is ``|actual - expected| <= rtol * max(|expected|, max |expected|, scale)``
    for every element: an element that is a difference of larger quantities
    (a softmax minus a one-hot label, for one) is only accurate to rounding
    relative to them; ``scale`` says how large they are when the whole array
    may cancel. Infinities must match exactly.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.array_equal(np.isinf(actual), np.isinf(expected))
    assert not np.isnan(actual).any() and not np.isnan(expected).any()
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(actual[~finite], expected[~finite])
    if finite.any():
        largest = max(np.abs(expected[finite]).max(), scale)
        np.testing.assert_allclose(
            actual[finite], expected[finite], rtol=rtol, atol=rtol * float(largest)
        )


def as_dtype(array: np.ndarray, dtype) -> np.ndarray:
    """``array`` in ``dtype``; integer class labels stay integers."""
    return array if array.dtype.kind == "i" else array.astype(dtype)


def numerical_grad(f, x: np.ndarray, h: float) -> np.ndarray:
    """Central differences of the scalar function ``f`` at ``x``, one entry at a time."""
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def mean_divisor(name: str, inputs: tuple[np.ndarray, ...]) -> float:
    """What ``"mean"`` divides the sum of the losses by, by the documented rules."""
    y_pred, y_true = inputs[:2]
    settings = make_losses.OPTLIB_LOSSES.get(name, ("", {}))[1]
    if name.startswith("sparse") and ("weight" in settings or "ignore_index" in settings):
        kept = y_true != settings.get("ignore_index", IGNORE)
        weights = settings.get("weight", np.ones(y_pred.shape[1]))
        return float(weights[y_true[kept]].sum())
    return len(y_pred) if name in PER_ROW else y_pred.size


def _labels(rng: np.random.Generator, n: int, n_classes: int, ignore: bool) -> np.ndarray:
    labels = rng.integers(0, n_classes, n)
    if ignore:
        labels[1] = IGNORE
    return labels


def smooth_inputs(name: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """float64 inputs where the loss is smooth, for finite differences.

    Residuals keep away from 0 (MAE's kink) and from Huber's deltas 0.5 and 1:
    they lie in [0.1, 0.4] or [1.1, 3]. Probabilities keep away from 0 and 1;
    hinge and multi-margin violations keep 0.1 away from 0.
    """
    shape, (n, n_classes) = (3, 4), (4, 3)
    settings = make_losses.OPTLIB_LOSSES.get(name, ("", {}))[1]
    if name in REGRESSION:
        y_true = rng.standard_normal(shape)
        size = np.where(
            rng.random(shape) < 0.5, rng.uniform(0.1, 0.4, shape), rng.uniform(1.1, 3, shape)
        )
        return y_true + size * rng.choice([-1.0, 1.0], shape), y_true
    if name == "bce":
        return rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    if name in ("bce_logits", *FOCAL):
        return 3 * rng.standard_normal(shape), rng.uniform(0, 1, shape)
    if name in CATEGORICAL:
        n_classes = 5 if "weight" in settings else n_classes
        from_logits = settings.get("from_logits", False)
        # probabilities: rows need not sum to 1, they are taken as given
        y_pred = (
            2 * rng.standard_normal((n, n_classes))
            if from_logits
            else rng.uniform(0.1, 0.9, (n, n_classes))
        )
        if name.startswith("sparse"):
            return y_pred, _labels(rng, n, n_classes, "ignore_index" in settings)
        return y_pred, rng.dirichlet(np.ones(n_classes), n)
    if name in KL:
        log_q = np.log(rng.uniform(0.1, 0.9, (n, n_classes)))
        p = rng.dirichlet(np.ones(n_classes), n)
        p[0, 0] = 0.0
        return log_q, (np.log(rng.dirichlet(np.ones(n_classes), n)) if "log" in name else p)
    if name in ("hinge", "squared_hinge"):
        labels = rng.choice([-1.0, 1.0], shape)
        shortfall = rng.uniform(0.1, 2, shape) * rng.choice([-1.0, 1.0], shape)
        return labels * (1 - shortfall), labels  # 1 - y s = shortfall, |.| >= 0.1
    if name in make_losses.MULTI_MARGIN:
        margin = settings.get("margin", 1.0)
        n_classes = 5
        labels = rng.integers(0, n_classes, n)
        scores = rng.standard_normal((n, n_classes))
        violations = margin - scores[np.arange(n), labels][:, None] + scores
        near = np.abs(violations) < 0.1
        scores += np.where(near, 0.3, 0.0)  # push each near-kink score 0.3 further up
        return scores, labels
    if name in make_losses.POISSON:
        counts = rng.poisson(2.0, shape).astype(float)
        if settings.get("log_input", True):
            return rng.standard_normal(shape), counts
        return rng.uniform(0.5, 4, shape), counts
    if name in make_losses.GAUSSIAN:
        mean, target = rng.standard_normal(shape), rng.standard_normal(shape)
        if name == "gaussian_nll_full_row_var":
            return mean, target, rng.uniform(0.5, 2, shape[0])
        var = rng.uniform(0.5, 2, shape)
        var[0, 0] = 1e-9  # below eps = 1e-6: the variance is clamped
        mean[0, 0] = target[0, 0] + 1e-3  # a loss of order 1 there too
        return mean, target, var
    raise KeyError(name)


def small_inputs(name: str) -> tuple[np.ndarray, ...]:
    """Small valid 2-D inputs for each loss (one row per example)."""
    settings = make_losses.OPTLIB_LOSSES.get(name, ("", {}))[1]
    values, targets = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4]])
    if name in REGRESSION or name in LIKELIHOODS:
        if name in make_losses.GAUSSIAN:
            return values, targets, np.array([[0.5, 1.0], [2.0, 1.0]])
        return values, targets
    if name in ("hinge", "squared_hinge"):
        return values, 2 * targets - 1
    if name in KL:
        return np.log(probabilities), (np.log(probabilities[::-1]) if "log" in name else targets)
    if name in FOCAL or name in ("bce_logits",):
        return np.array([[1.0, -2.0], [0.5, 3.0]]), targets
    if name in CATEGORICAL or name in make_losses.MULTI_MARGIN:
        n_classes = 5 if "weight" in settings else 2
        rows = np.array([[0.1, 0.2, 0.3, 0.15, 0.25], [0.3, 0.1, 0.2, 0.25, 0.15]])[:, :n_classes]
        rows = rows / rows.sum(axis=1, keepdims=True)
        logits = settings.get("from_logits", False) or name in make_losses.MULTI_MARGIN
        y_pred = np.log(rows) if logits else rows
        if name.startswith("sparse") or name in make_losses.MULTI_MARGIN:
            return y_pred, np.array([1, 0])
        return y_pred, np.eye(n_classes)[[1, 0]]
    return probabilities, targets  # bce


# --- parity with PyTorch: stored and live --------------------------------------------

#: The relative tolerance of parity with PyTorch, by dtype (see assert_parity).
RTOL = {"float64": 1e-12, "float32": 1e-5}


def stored_parity_cases(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(stored case, reduction) for every stored case of the losses ``names``."""
    return [(case, r) for case in reference_cases(names) for r in reductions(case.split("/")[0])]


def check_stored(case: str, reduction: str) -> None:
    """optlib against PyTorch's outputs stored in tests/reference/losses.npz (no torch needed)."""
    name, dtype, _ = case.split("/")
    expected_value = TORCH_REFERENCE[f"{case}/{reduction}/value"]
    expected_grad = TORCH_REFERENCE[f"{case}/{reduction}/grad"]
    value, grad = value_and_grad(name, stored_inputs(case), reduction)
    assert np.asarray(value).dtype == expected_value.dtype == dtype
    assert grad.dtype == expected_grad.dtype == dtype
    assert_parity(value, expected_value, RTOL[dtype])
    assert_parity(grad, expected_grad, RTOL[dtype])


def live_parity_cases(names: tuple[str, ...]) -> list[tuple[str, str, str, Any]]:
    """(name, inputs, reduction, dtype) for every case of ``names`` with torch inputs."""
    return [
        (name, inputs, reduction, dtype)
        for name in names
        for inputs in ("random", "edge")
        if inputs == "random" or make_losses.make_inputs(name, "edge", None) is not None
        for reduction in reductions(name)
        for dtype in DTYPES
    ]


def check_live(name: str, inputs: str, reduction: str, dtype: Any) -> None:
    """optlib against a live PyTorch, on inputs (seed 7) that losses.npz does not hold."""
    made = make_losses.make_inputs(name, inputs, np.random.default_rng(7))
    arrays = tuple(as_dtype(array, dtype) for array in made)
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        name, arrays[0], arrays[1], reduction, *arrays[2:]
    )
    value, grad = value_and_grad(name, arrays, reduction)
    rtol = RTOL[np.dtype(dtype).name]
    assert_parity(value, expected_value, rtol)
    assert_parity(grad, expected_grad, rtol)


def assert_refused(loss: optlib.losses.Loss, y_pred: Any, y_true: Any, match: str, **kwargs: Any):
    """Both the value and the gradient raise ValueError matching ``match``, and the
    checks themselves print no NumPy warning (every floating-point error raises)."""
    import pytest

    with np.errstate(all="raise"):
        with pytest.raises(ValueError, match=match):
            loss(y_pred, y_true, **kwargs)
        with pytest.raises(ValueError, match=match):
            loss.grad(y_pred, y_true, **kwargs)
