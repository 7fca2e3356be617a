"""Tests for optlib.losses.

Every expected number comes from outside optlib: PyTorch (live when it is
installed, and always through tests/reference/losses.npz, written by
tests/reference/make_losses.py), central finite differences, or a closed form
worked out by hand.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlib.losses
from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
    bce,
    cce,
    huber,
    mae,
    mse,
    sparse_cce,
)

REFERENCE = Path(__file__).parent / "reference"
REDUCTIONS = ("mean", "sum", "none")
DTYPES = (np.float64, np.float32)

# Every loss under test, by the names tests/reference/make_losses.py uses.
LOSSES = {
    "mse": mse,
    "mae": mae,
    "huber": huber,
    "huber_delta_half": Huber(delta=0.5),
    "bce": bce,
    "bce_logits": BinaryCrossEntropy(from_logits=True),
    "cce": cce,
    "cce_logits": CategoricalCrossEntropy(from_logits=True),
    "sparse_cce": sparse_cce,
    "sparse_cce_logits": SparseCategoricalCrossEntropy(from_logits=True),
}
REGRESSION = ("mse", "mae", "huber", "huber_delta_half")
CATEGORICAL = ("cce", "cce_logits", "sparse_cce", "sparse_cce_logits")

# PyTorch's EPSILON in binary_cross_entropy_backward is a C++ float: 1e-12 in float32.
TORCH_EPSILON = float(np.float32(1e-12))

hypothesis_settings = settings(max_examples=40, deadline=None)


def count(name: str, y_pred: np.ndarray) -> int:
    """What "mean" divides by: all elements, or the examples for categorical losses."""
    return len(y_pred) if name in CATEGORICAL else y_pred.size


def smooth_inputs(name: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """float64 inputs where the loss is smooth, for finite differences.

    Residuals keep away from 0 (MAE's kink) and from Huber's deltas 0.5 and 1:
    they lie in [0.1, 0.4] or [1.1, 3]. Probabilities keep away from 0 and 1.
    """
    shape, (n, n_classes) = (3, 4), (4, 3)
    if name in REGRESSION:
        y_true = rng.standard_normal(shape)
        size = np.where(
            rng.random(shape) < 0.5, rng.uniform(0.1, 0.4, shape), rng.uniform(1.1, 3, shape)
        )
        return y_true + size * rng.choice([-1.0, 1.0], shape), y_true
    if name == "bce":
        return rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    if name == "bce_logits":
        return 3 * rng.standard_normal(shape), rng.uniform(0, 1, shape)
    if name == "cce":  # rows need not sum to 1: the probabilities are taken as given
        return rng.uniform(0.1, 0.9, (n, n_classes)), rng.dirichlet(np.ones(n_classes), n)
    if name == "cce_logits":
        return 2 * rng.standard_normal((n, n_classes)), rng.dirichlet(np.ones(n_classes), n)
    labels = rng.integers(0, n_classes, n)
    if name == "sparse_cce":
        return rng.uniform(0.1, 0.9, (n, n_classes)), labels
    return 2 * rng.standard_normal((n, n_classes)), labels


def as_dtype(y_true: np.ndarray, dtype) -> np.ndarray:
    """Targets in ``dtype``; integer class labels stay integers."""
    return y_true if y_true.dtype.kind == "i" else y_true.astype(dtype)


def numerical_grad(f, x: np.ndarray, h: float) -> np.ndarray:
    """Central differences of the scalar function ``f`` at ``x``, one entry at a time."""
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


# --- gradients against finite differences ------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_grad_matches_finite_differences_float64(name, reduction):
    loss = LOSSES[name]
    y_pred, y_true = smooth_inputs(name, np.random.default_rng(0))

    def objective(x):  # for "none", the sum of the per-element losses
        return np.sum(loss(x, y_true, reduction))

    expected = numerical_grad(objective, y_pred, h=1e-6)
    np.testing.assert_allclose(
        loss.grad(y_pred, y_true, reduction), expected, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_grad_matches_finite_differences_float32(name, reduction):
    """The float32 gradient against float64 finite differences at the same float32 inputs."""
    loss = LOSSES[name]
    y_pred64, y_true64 = smooth_inputs(name, np.random.default_rng(1))
    y_pred, y_true = y_pred64.astype(np.float32), as_dtype(y_true64, np.float32)

    def objective(x):
        return np.sum(loss(x, as_dtype(y_true, np.float64), reduction))

    expected = numerical_grad(objective, y_pred.astype(np.float64), h=1e-6)
    grad = loss.grad(y_pred, y_true, reduction)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LOSSES)
def test_reductions_are_mean_and_sum_of_none(name, dtype):
    loss = LOSSES[name]
    y_pred, y_true = smooth_inputs(name, np.random.default_rng(2))
    y_pred, y_true = y_pred.astype(dtype), as_dtype(y_true, dtype)
    losses = loss(y_pred, y_true, reduction="none")
    n = count(name, y_pred)
    assert losses.shape == ((n,) if name in CATEGORICAL else y_pred.shape)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(
        loss(y_pred, y_true, "sum"), losses.sum(dtype=np.float64), rtol=rtol
    )
    np.testing.assert_allclose(
        loss(y_pred, y_true, "mean"), losses.sum(dtype=np.float64) / n, rtol=rtol
    )
    grad_sum = loss.grad(y_pred, y_true, "sum")
    np.testing.assert_array_equal(loss.grad(y_pred, y_true, "none"), grad_sum)
    np.testing.assert_allclose(loss.grad(y_pred, y_true, "mean"), grad_sum / n, rtol=rtol)


# --- parity with PyTorch -----------------------------------------------------------

# make_losses.py has no "edge" inputs for these: torch has no clipped version to compare with.
NO_TORCH_EDGE = {"cce", "sparse_cce"}
TORCH_CASES = [
    (name, inputs)
    for name in LOSSES
    for inputs in ("random", "edge")
    if not (inputs == "edge" and name in NO_TORCH_EDGE)
]


@pytest.fixture(scope="module")
def make_losses():
    """tests/reference/make_losses.py as a module: its torch expressions and inputs."""
    pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("make_losses", REFERENCE / "make_losses.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "inputs"), TORCH_CASES)
def test_matches_live_torch(make_losses, name, inputs, reduction, dtype):
    """Values and autograd gradients of torch.nn.functional, on inputs not in losses.npz."""
    y_pred, y_true = make_losses.make_inputs(name, inputs, np.random.default_rng(7))
    y_pred, y_true = y_pred.astype(dtype), as_dtype(y_true, dtype)
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        name, y_pred, y_true, reduction
    )
    value, grad = (
        LOSSES[name](y_pred, y_true, reduction),
        LOSSES[name].grad(y_pred, y_true, reduction),
    )
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(value, expected_value, rtol=rtol, atol=0)
    np.testing.assert_allclose(grad, expected_grad, rtol=rtol, atol=0)


@pytest.mark.torch
def test_torch_table_covers_every_loss(make_losses):
    assert set(make_losses.TORCH_LOSSES) == set(LOSSES)


with np.load(REFERENCE / "losses.npz") as _data:
    TORCH_REFERENCE = dict(_data)
REFERENCE_CASES = sorted(
    key.removesuffix("/y_pred") for key in TORCH_REFERENCE if key.endswith("/y_pred")
)


def test_reference_file_covers_every_loss_and_dtype():
    stored = {tuple(case.split("/")) for case in REFERENCE_CASES}
    expected = {
        (name, np.dtype(dtype).name, inputs) for name, inputs in TORCH_CASES for dtype in DTYPES
    }
    assert stored == expected


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_matches_stored_torch_reference(case, reduction):
    """Against PyTorch's outputs in tests/reference/losses.npz; needs no torch."""
    name, dtype, _ = case.split("/")
    y_pred, y_true = TORCH_REFERENCE[f"{case}/y_pred"], TORCH_REFERENCE[f"{case}/y_true"]
    expected_value = TORCH_REFERENCE[f"{case}/{reduction}/value"]
    expected_grad = TORCH_REFERENCE[f"{case}/{reduction}/grad"]
    value, grad = (
        LOSSES[name](y_pred, y_true, reduction),
        LOSSES[name].grad(y_pred, y_true, reduction),
    )
    assert np.asarray(value).dtype == expected_value.dtype == dtype
    assert grad.dtype == expected_grad.dtype == dtype
    rtol = 1e-10 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(value, expected_value, rtol=rtol, atol=0)
    np.testing.assert_allclose(grad, expected_grad, rtol=rtol, atol=0)


# --- closed forms -----------------------------------------------------------------

LOG2, LOG3 = np.log(2.0), np.log(3.0)

# (loss, y_pred, y_true, reduction, value, grad), worked out by hand.
CLOSED_FORMS = {
    "mse mean": (mse, [1.0, 2.0, 3.0], [1.0, 0.0, 3.0], "mean", 4 / 3, [0, 4 / 3, 0]),
    "mse sum": (mse, [[1.0, -1.0]], [[0.0, 1.0]], "sum", 5.0, [[2.0, -4.0]]),
    "mae: 0 at a zero residual": (
        mae,
        [1.0, -2.0, 0.5],
        [0.0, 0.0, 0.5],
        "none",
        [1, 2, 0],
        [1, -1, 0],
    ),
    "mae mean": (mae, [1.0, -2.0, 0.5], [0.0, 0.0, 0.5], "mean", 1.0, [1 / 3, -1 / 3, 0]),
    "huber": (
        huber,
        [0.5, 3.0, -2.0, 1.0],
        [0.0] * 4,
        "none",
        [0.125, 2.5, 1.5, 0.5],
        [0.5, 1, -1, 1],
    ),
    "huber delta 2": (Huber(2.0), [3.0, -1.0], [0.0, 0.0], "none", [4.0, 0.5], [2.0, -1.0]),
    "bce of 1/2 is log 2": (bce, [0.5] * 3, [0.0, 0.3, 1.0], "none", [LOG2] * 3, [2, 0.8, -2]),
    "bce mean": (
        bce,
        [0.25, 0.75],
        [1.0, 1.0],
        "mean",
        np.log(4 / 3) / 2 + np.log(4) / 2,
        [-2, -2 / 3],
    ),
    "bce logits of 0 is log 2": (
        BinaryCrossEntropy(from_logits=True),
        [0.0, 0.0],
        [0.0, 1.0],
        "none",
        [LOG2] * 2,
        [0.5, -0.5],
    ),
    "cce of uniform is log C": (
        cce,
        [[1 / 3] * 3],
        [[0.0, 1.0, 0.0]],
        "sum",
        LOG3,
        [[0.0, -3.0, 0.0]],
    ),
    "cce is not renormalised": (
        cce,
        [[0.5, 0.5, 0.5]],
        [[0.0, 1.0, 0.0]],
        "mean",
        LOG2,
        [[0, -2, 0]],
    ),
    "cce logits: equal logits give log C": (
        CategoricalCrossEntropy(from_logits=True),
        [[5.0, 5.0, 5.0], [-1.0, -1.0, -1.0]],
        [[0.2, 0.3, 0.5], [0.0, 0.0, 1.0]],
        "mean",
        LOG3,
        [[1 / 6 - 0.1, 1 / 6 - 0.15, 1 / 6 - 0.25], [1 / 6, 1 / 6, 1 / 6 - 0.5]],
    ),
    "cce logits: labels summing to 2": (
        CategoricalCrossEntropy(from_logits=True),
        [[0.0, 0.0]],
        [[1.0, 1.0]],
        "sum",
        2 * LOG2,
        [[0, 0]],
    ),
    "sparse cce": (
        sparse_cce,
        [[0.5, 0.25, 0.25], [0.2, 0.2, 0.6]],
        [1, 1],
        "none",
        [np.log(4), np.log(5)],
        [[0, -4, 0], [0, -5, 0]],
    ),
    "sparse cce logits: equal logits give log C": (
        SparseCategoricalCrossEntropy(from_logits=True),
        [[2.0, 2.0, 2.0]],
        [2],
        "mean",
        LOG3,
        [[1 / 3, 1 / 3, -2 / 3]],
    ),
}


@pytest.mark.parametrize("case", CLOSED_FORMS)
def test_closed_forms(case):
    loss, y_pred, y_true, reduction, value, grad = CLOSED_FORMS[case]
    np.testing.assert_allclose(loss(y_pred, y_true, reduction), value, rtol=1e-14, atol=0)
    np.testing.assert_allclose(loss.grad(y_pred, y_true, reduction), grad, rtol=1e-14, atol=1e-15)


# --- stability: huge logits, probabilities of exactly 0 and 1 ----------------------

# (loss, y_pred, y_true, per-element values, per-element gradients), by hand.
EXTREMES = {
    "bce logits of magnitude 1e4": (
        BinaryCrossEntropy(from_logits=True),
        [1e4, -1e4, 1e4, -1e4, 1e4],
        [0.0, 1.0, 1.0, 0.0, 0.5],
        [1e4, 1e4, 0.0, 0.0, 5e3],
        [1.0, -1.0, 0.0, 0.0, 0.5],
    ),
    "cce logits of magnitude 1e4": (
        CategoricalCrossEntropy(from_logits=True),
        [[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, -1e4, 0.0]],
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]],
        [2e4, 2e4 + LOG2, 0.0],
        [[1.0, -1.0, 0.0], [-1.0, 0.5, 0.5], [0.0, 0.0, 0.0]],
    ),
    "sparse cce logits of magnitude 1e4": (
        SparseCategoricalCrossEntropy(from_logits=True),
        [[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, -1e4, 0.0]],
        [1, 0, 0],
        [2e4, 2e4 + LOG2, 0.0],
        [[1.0, -1.0, 0.0], [-1.0, 0.5, 0.5], [0.0, 0.0, 0.0]],
    ),
    "bce probabilities 0 and 1": (
        bce,
        [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        [0.0, 1.0, 1.0, 0.0, 0.25, 0.25],
        [0.0, 0.0, 100.0, 100.0, 25.0, 75.0],
        np.array([0.0, 0.0, -1.0, 1.0, -0.25, 0.75]) / TORCH_EPSILON,
    ),
    "cce probabilities 0 and 1": (
        cce,
        [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]],
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        [100.0, 0.0],
        [[-1 / TORCH_EPSILON, 0.0, 0.0], [0.0, -1.0, 0.0]],
    ),
    "sparse cce probabilities 0 and 1": (
        sparse_cce,
        [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]],
        [0, 1],
        [100.0, 0.0],
        [[-1 / TORCH_EPSILON, 0.0, 0.0], [0.0, -1.0, 0.0]],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_inputs_are_finite_and_exact(case, dtype):
    """No warning (pytest turns them into errors) and no floating-point exception."""
    loss, y_pred, y_true, values, grads = EXTREMES[case]
    y_pred, y_true = np.asarray(y_pred, dtype), as_dtype(np.asarray(y_true), dtype)
    n = len(values)
    with np.errstate(all="raise"):
        for reduction, expected_value, expected_grad in [
            ("none", values, grads),
            ("sum", np.sum(values), grads),
            ("mean", np.sum(values) / n, np.asarray(grads) / n),
        ]:
            value, grad = loss(y_pred, y_true, reduction), loss.grad(y_pred, y_true, reduction)
            assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
            np.testing.assert_allclose(value, expected_value, rtol=1e-6, atol=0)
            np.testing.assert_allclose(grad, expected_grad, rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", EXTREMES)
def test_cross_entropy_formulas_cannot_overflow(case, dtype):
    """The formulas themselves are safe: no overflow, division by zero or NaN.

    ``Loss.value_and_grad`` lets results overflow to inf quietly (see the next
    test), so this calls the formulas without it, to show that the stability
    comes from how they are written (no ``exp`` of a large number, no ``log 0``).
    """
    loss, y_pred, y_true, _, _ = EXTREMES[case]
    y_pred, y_true = np.asarray(y_pred, dtype), as_dtype(np.asarray(y_true), dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        losses, grads = loss._losses_and_grads(y_pred, y_true)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(grads))


@pytest.mark.parametrize("dtype", DTYPES)
def test_overflow_gives_inf_without_warning(dtype):
    """A result beyond the dtype's range is inf, silently, as in PyTorch."""
    huge = np.finfo(dtype).max * 0.75  # the residual, 1.5 times the largest float, overflows
    y_pred, y_true = np.array([huge, 1.0], dtype), np.array([-huge, 1.0], dtype)
    with np.errstate(all="raise"):
        assert mse(y_pred, y_true) == np.inf
        np.testing.assert_array_equal(mse.grad(y_pred, y_true, "sum"), [np.inf, 0.0])
        assert mae(y_pred, y_true, "sum") == np.inf


# --- dtypes -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LOSSES)
def test_dtype_is_kept(name, dtype):
    loss = LOSSES[name]
    y_pred, y_true = smooth_inputs(name, np.random.default_rng(3))
    y_pred = y_pred.astype(dtype)
    for y_true_dtype in DTYPES:  # the targets' own dtype does not matter
        targets = as_dtype(y_true, y_true_dtype)
        for reduction in ("mean", "sum"):
            value = loss(y_pred, targets, reduction)
            assert isinstance(value, np.floating) and value.dtype == dtype
        assert loss(y_pred, targets, "none").dtype == dtype
        for reduction in REDUCTIONS:
            grad = loss.grad(y_pred, targets, reduction)
            assert grad.dtype == dtype and grad.shape == y_pred.shape


def test_integer_and_list_inputs_become_float64():
    assert mse([1, 2], [0, 0]) == 2.5 and mse([1, 2], [0, 0]).dtype == np.float64
    assert mse.grad(np.array([1, 2]), np.array([0, 0])).dtype == np.float64
    logits = np.array([[1, 1], [3, 3]])
    assert CategoricalCrossEntropy(from_logits=True)(logits, [[1, 0], [0, 1]]) == pytest.approx(
        LOG2
    )
    assert bce(np.array([0.5]), np.array([True])) == pytest.approx(LOG2)


# --- properties (hypothesis) --------------------------------------------------------


def unit_floats(low=0.0, high=1.0):
    return st.floats(low, high, allow_nan=False, allow_subnormal=False)


@st.composite
def rows_and_columns(draw, max_rows=6, max_columns=5, min_columns=1):
    return draw(st.integers(1, max_rows)), draw(st.integers(min_columns, max_columns))


@hypothesis_settings
@given(data=st.data(), from_logits=st.booleans())
def test_bce_is_cce_on_two_columns(data, from_logits):
    """BCE of (y_pred, y) is CCE of ([1 - y_pred, y_pred], [1 - y, y]), or of logits [0, z]."""
    n = data.draw(st.integers(1, 8))
    y = data.draw(hnp.arrays(np.float64, n, elements=unit_floats()))
    if from_logits:
        z = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-30, 30)))
        columns = np.stack([np.zeros(n), z], axis=1)
    else:
        z = data.draw(hnp.arrays(np.float64, n, elements=unit_floats(1e-3, 1 - 1e-3)))
        columns = np.stack([1 - z, z], axis=1)
    labels = np.stack([1 - y, y], axis=1)
    binary = BinaryCrossEntropy(from_logits)
    categorical = CategoricalCrossEntropy(from_logits)
    # atol: log-sum-exp (and log(1 - y_pred) against log1p) is accurate to absolute,
    # not relative, rounding when a loss is tiny.
    np.testing.assert_allclose(
        binary(z, y, "none"), categorical(columns, labels, "none"), rtol=1e-9, atol=1e-12
    )
    grad_columns = categorical.grad(columns, labels, "none")
    # d/dz of the two-column loss: through the second column (and minus the first,
    # for probabilities). atol: the two terms can be up to 1e3 each and cancel.
    chain = grad_columns[:, 1] if from_logits else grad_columns[:, 1] - grad_columns[:, 0]
    np.testing.assert_allclose(binary.grad(z, y, "none"), chain, rtol=1e-9, atol=1e-9)


@hypothesis_settings
@given(data=st.data(), from_logits=st.booleans(), reduction=st.sampled_from(REDUCTIONS))
def test_sparse_cce_is_cce_on_one_hot_labels(data, from_logits, reduction):
    n, n_classes = data.draw(rows_and_columns())
    elements = st.floats(-1e4, 1e4) if from_logits else unit_floats()
    y_pred = data.draw(hnp.arrays(np.float64, (n, n_classes), elements=elements))
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    one_hot = np.eye(n_classes)[labels]
    sparse = SparseCategoricalCrossEntropy(from_logits)
    dense = CategoricalCrossEntropy(from_logits)
    np.testing.assert_allclose(
        sparse(y_pred, labels, reduction), dense(y_pred, one_hot, reduction), rtol=1e-12
    )
    np.testing.assert_allclose(
        sparse.grad(y_pred, labels, reduction), dense.grad(y_pred, one_hot, reduction), rtol=1e-12
    )


@hypothesis_settings
@given(data=st.data())
def test_bce_from_logits_equals_bce_of_the_sigmoid(data):
    shape = data.draw(hnp.array_shapes(max_dims=2, max_side=5))
    z = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10)))
    y = data.draw(hnp.arrays(np.float64, shape, elements=unit_floats()))
    y_pred = 1 / (1 + np.exp(-z))
    from_logits = BinaryCrossEntropy(from_logits=True)
    np.testing.assert_allclose(
        from_logits(z, y, "none"), bce(y_pred, y, "none"), rtol=1e-9, atol=1e-9
    )
    # chain rule: dl/dz = dl/dy_pred * sigmoid'(z), with sigmoid' = y_pred (1 - y_pred)
    chain = bce.grad(y_pred, y, "none") * y_pred * (1 - y_pred)
    np.testing.assert_allclose(from_logits.grad(z, y, "none"), chain, rtol=1e-9, atol=1e-9)


@hypothesis_settings
@given(data=st.data())
def test_cce_from_logits_equals_cce_of_the_softmax(data):
    n, n_classes = data.draw(rows_and_columns(min_columns=2))
    z = data.draw(hnp.arrays(np.float64, (n, n_classes), elements=st.floats(-10, 10)))
    y = data.draw(hnp.arrays(np.float64, (n, n_classes), elements=unit_floats()))
    exp_z = np.exp(z)
    y_pred = exp_z / exp_z.sum(axis=1, keepdims=True)
    from_logits = CategoricalCrossEntropy(from_logits=True)
    np.testing.assert_allclose(
        from_logits(z, y, "none"), cce(y_pred, y, "none"), rtol=1e-9, atol=1e-9
    )
    # chain rule through the softmax: dl/dz_j = y_pred_j (g_j - sum_i y_pred_i g_i)
    g = cce.grad(y_pred, y, "none")
    chain = y_pred * (g - (y_pred * g).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(from_logits.grad(z, y, "none"), chain, rtol=1e-8, atol=1e-8)


@st.composite
def valid_inputs(draw, name):
    """Any valid (y_pred, y_true) for loss ``name``, over wide ranges."""
    n, n_classes = draw(rows_and_columns())
    if name in REGRESSION:
        shape = draw(hnp.array_shapes(max_dims=3, max_side=4))
        wide = st.floats(-1e6, 1e6)
        return draw(hnp.arrays(np.float64, shape, elements=wide)), draw(
            hnp.arrays(np.float64, shape, elements=wide)
        )
    shape = (n,) if name.startswith("bce") else (n, n_classes)
    pred = st.floats(-1e4, 1e4) if name.endswith("logits") else unit_floats()
    y_pred = draw(hnp.arrays(np.float64, shape, elements=pred))
    if name.startswith("sparse"):
        return y_pred, draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    return y_pred, draw(hnp.arrays(np.float64, shape, elements=unit_floats()))


@pytest.mark.parametrize("name", LOSSES)
@hypothesis_settings
@given(data=st.data())
def test_losses_are_non_negative_and_finite(name, data):
    loss = LOSSES[name]
    y_pred, y_true = data.draw(valid_inputs(name))
    with np.errstate(all="raise"):
        losses, grad = loss(y_pred, y_true, "none"), loss.grad(y_pred, y_true, "none")
    assert np.all(losses >= 0) and np.all(np.isfinite(losses)) and np.all(np.isfinite(grad))


@hypothesis_settings
@given(data=st.data())
def test_regression_losses_are_zero_iff_equal(data):
    shape = data.draw(hnp.array_shapes(max_dims=2, max_side=5))
    eighths = st.integers(-800, 800).map(lambda k: k / 8)  # so residuals are 0 or >= 1/8
    a = data.draw(hnp.arrays(np.float64, shape, elements=eighths))
    b = data.draw(hnp.arrays(np.float64, shape, elements=eighths) | st.just(a.copy()))
    equal = np.array_equal(a, b)
    for loss in (mse, mae, huber):
        assert (loss(a, b) == 0) == equal
        assert (loss(a, b) > 0) != equal
        assert np.all(loss.grad(a, a) == 0)


# --- bad input ------------------------------------------------------------------------

# (loss, y_pred, y_true, keyword arguments, what the message must say)
BAD_INPUTS = {
    "shapes differ": (
        mse,
        np.zeros((2, 3)),
        np.zeros((3, 2)),
        {},
        r"y_pred \(2, 3\) and y_true \(3, 2\)",
    ),
    "bce shapes differ": (bce, [0.5, 0.5], [1.0], {}, r"same shape.*\(2,\).*\(1,\)"),
    "cce shapes differ": (cce, np.full((2, 3), 0.5), np.zeros((2, 2)), {}, r"\(2, 3\).*\(2, 2\)"),
    "cce y_pred 1-D": (cce, [0.5, 0.5], [1.0, 0.0], {}, r"y_pred must be 2-D.*got shape \(2,\)"),
    "sparse y_pred 1-D": (sparse_cce, [0.5, 0.5], [1, 0], {}, r"y_pred must be 2-D.*\(2,\)"),
    "sparse y_pred 3-D": (sparse_cce, np.full((2, 2, 2), 0.5), [1, 0], {}, r"y_pred must be 2-D"),
    "labels 2-D": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [[0], [1]],
        {},
        r"y_true must be 1-D.*\(2, 1\)",
    ),
    "labels too few": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [0],
        {},
        r"one label per row.*\(1,\).*\(2, 3\)",
    ),
    "label too large": (sparse_cce, np.full((2, 3), 0.3), [0, 3], {}, r"label 3 outside \[0, 3\)"),
    "label negative": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [-1, 0],
        {},
        r"label -1 outside \[0, 3\)",
    ),
    "label fractional": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [0.0, 1.5],
        {},
        r"integer class labels.*1\.5",
    ),
    "labels bool": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [True, False],
        {},
        r"integer class labels.*bool",
    ),
    "labels text": (
        sparse_cce,
        np.full((2, 3), 0.3),
        ["a", "b"],
        {},
        r"integer class labels.*dtype",
    ),
    "labels NaN": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [0.0, np.nan],
        {},
        r"y_true contains 1 non-finite",
    ),
    "labels ragged": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [[0], [1, 2]],
        {},
        r"y_true must be an array",
    ),
    "bce y_true above 1": (
        bce,
        [0.5, 0.5],
        [1.5, 0.0],
        {},
        r"y_true must hold targets in \[0.0, 1.0\].*1\.5",
    ),
    "bce y_true negative": (
        BinaryCrossEntropy(True),
        [3.0],
        [-0.1],
        {},
        r"y_true must hold targets in",
    ),
    "cce y_true above 1": (
        cce,
        [[0.5, 0.5]],
        [[2.0, 0.0]],
        {},
        r"y_true must hold .* in \[0.0, 1.0\]",
    ),
    "cce logits y_true negative": (
        CategoricalCrossEntropy(True),
        [[1.0, 2.0]],
        [[-1.0, 2.0]],
        {},
        r"y_true must hold .* in \[0",
    ),
    "bce probabilities above 1": (
        bce,
        [1.2],
        [1.0],
        {},
        r"y_pred must hold probabilities.*from_logits=True",
    ),
    "cce probabilities negative": (
        cce,
        [[-0.1, 1.1]],
        [[0.0, 1.0]],
        {},
        r"y_pred must hold probabilities",
    ),
    "sparse probabilities above 1": (
        sparse_cce,
        [[2.0, 0.5]],
        [0],
        {},
        r"y_pred must hold probabilities",
    ),
    "NaN in y_pred": (mse, [1.0, np.nan], [0.0, 0.0], {}, r"y_pred contains 1 non-finite"),
    "inf in y_pred": (
        BinaryCrossEntropy(True),
        [np.inf],
        [0.0],
        {},
        r"y_pred contains 1 non-finite",
    ),
    "NaN in y_true": (huber, [1.0, 2.0], [np.nan, np.nan], {}, r"y_true contains 2 non-finite"),
    "inf in cce y_true": (cce, [[0.5, 0.5]], [[np.inf, 0.0]], {}, r"y_true contains 1 non-finite"),
    "unknown reduction": (
        mse,
        [1.0],
        [0.0],
        {"reduction": "avg"},
        r"'mean', 'sum', 'none', got 'avg'",
    ),
    "reduction None": (bce, [0.5], [1.0], {"reduction": None}, r"reduction must be one of"),
    "empty": (mse, [], [], {}, r"y_pred is empty"),
    "empty batch": (
        CategoricalCrossEntropy(True),
        np.zeros((0, 3)),
        np.zeros((0, 3)),
        {},
        r"empty",
    ),
    "no classes": (
        sparse_cce,
        np.zeros((2, 0)),
        [0, 0],
        {},
        r"y_pred is empty \(shape \(2, 0\)\)",
    ),
    "text y_pred": (mae, ["a"], [0.0], {}, r"y_pred must be an array of numbers"),
    "complex y_true": (mse, [1.0], [1j], {}, r"y_true must be real"),
    "y_true beyond float32": (
        mse,
        np.ones(2, np.float32),
        [1.0, 1e300],
        {},
        r"too large.*float32",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_value_error(case):
    loss, y_pred, y_true, kwargs, match = BAD_INPUTS[case]
    with np.errstate(all="raise"):  # the checks themselves must not warn
        with pytest.raises(ValueError, match=match):
            loss(y_pred, y_true, **kwargs)
        with pytest.raises(ValueError, match=match):
            loss.grad(y_pred, y_true, **kwargs)


@pytest.mark.parametrize(
    "cls", [BinaryCrossEntropy, CategoricalCrossEntropy, SparseCategoricalCrossEntropy]
)
@pytest.mark.parametrize("from_logits", [1, 0, "yes", None, 1.0])
def test_from_logits_must_be_a_bool(cls, from_logits):
    with pytest.raises(ValueError, match="from_logits must be True or False"):
        cls(from_logits=from_logits)


@pytest.mark.parametrize("delta", [0, 0.0, -1.0, np.nan, np.inf, True, "1", None])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match="delta must be a positive finite number"):
        Huber(delta=delta)


def test_accepted_variants_of_input():
    y_pred = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    assert sparse_cce(y_pred, np.array([2.0, 0.0])) == sparse_cce(y_pred, np.array([2, 0]))
    assert sparse_cce(y_pred, np.array([2, 0], np.uint8)) == sparse_cce(y_pred, [2, 0])
    assert BinaryCrossEntropy(from_logits=np.True_).from_logits is True
    assert Huber(np.float32(0.5)).delta == 0.5 and Huber(2).delta == 2.0


# --- the public surface -------------------------------------------------------------


def test_instances_and_reprs():
    assert repr(BinaryCrossEntropy(from_logits=True)) == "BinaryCrossEntropy(from_logits=True)"
    assert repr(cce) == "CategoricalCrossEntropy(from_logits=False)"
    assert (
        repr(SparseCategoricalCrossEntropy(True))
        == "SparseCategoricalCrossEntropy(from_logits=True)"
    )
    assert repr(mse) == "MeanSquaredError()" and repr(mae) == "MeanAbsoluteError()"
    assert repr(huber) == "Huber(delta=1.0)" and repr(Huber(0.5)) == "Huber(delta=0.5)"
    assert isinstance(mse, MeanSquaredError) and isinstance(mae, MeanAbsoluteError)
    for instance in (bce, cce, sparse_cce):
        assert instance.from_logits is False
    exported = {"mse", "mae", "bce", "cce", "sparse_cce", "huber", "MeanSquaredError"}
    assert exported <= set(optlib.losses.__all__)
    assert all(hasattr(optlib.losses, name) for name in optlib.losses.__all__)


def test_value_and_grad_agrees_with_call_and_grad():
    y_pred, y_true = smooth_inputs("cce_logits", np.random.default_rng(4))
    loss = LOSSES["cce_logits"]
    value, grad = loss.value_and_grad(y_pred, y_true, "sum")
    assert value == loss(y_pred, y_true, "sum")
    np.testing.assert_array_equal(grad, loss.grad(y_pred, y_true, "sum"))


def test_inputs_are_not_modified():
    y_pred, y_true = smooth_inputs("sparse_cce_logits", np.random.default_rng(5))
    before = y_pred.copy()
    LOSSES["sparse_cce_logits"].grad(y_pred, y_true)
    np.testing.assert_array_equal(y_pred, before)


# --- issue 11: inputs that used to give wrong numbers, and clearer messages --------


def matrix(values):
    """An np.matrix, whose creation NumPy warns about (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(values)


def small_inputs(name):
    """Small valid 2-D inputs for each loss (one row per example)."""
    if name in REGRESSION:
        return np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    if name in ("bce", "cce"):
        return np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    if name in ("bce_logits", "cce_logits"):
        return np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4]])
    return (probabilities if name == "sparse_cce" else np.log(probabilities)), np.array([1, 0])


@pytest.mark.parametrize("kind", ["matrix", "masked", "masked-nothing-masked"])
@pytest.mark.parametrize("which", ["y_pred", "y_true"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_matrices_and_masked_arrays_are_refused(name, which, kind):
    """A matrix's * is the matrix product and a masked array's masked entries were used
    as numbers: both gave wrong losses without a word."""
    y_pred, y_true = small_inputs(name)
    target = y_pred if which == "y_pred" else y_true
    if kind == "matrix":
        if target.ndim == 1:  # sparse labels: a matrix is always 2-D
            target = target[None, :]
        value = matrix(target)
        expected = rf"{which} is a numpy.matrix.*np.asarray\({which}\)"
    else:
        mask = np.zeros(target.shape, bool)
        mask.flat[-1] = kind == "masked"
        value = np.ma.masked_array(target, mask=mask)
        expected = rf"{which} is a masked array.*{which}.filled"
    args = (value, y_true) if which == "y_pred" else (y_pred, value)
    loss = LOSSES[name]
    with pytest.raises(TypeError, match=expected):
        loss(*args)
    with pytest.raises(TypeError, match=expected):
        loss.grad(*args, reduction="sum")


def test_a_masked_array_used_to_give_a_wrong_loss():
    """The case of the issue: the masked 100 counted as a prediction of 100."""
    y_pred = np.ma.masked_array([1.0, 100.0], mask=[False, True])
    assert mse(y_pred.filled(0.0), np.zeros(2)) == 0.5  # (1 + 0) / 2, by hand
    with pytest.raises(TypeError, match="masked"):
        mse(y_pred, np.zeros(2))


@pytest.mark.parametrize(
    ("reduction", "message"),
    [
        ("sum_over_batch_size", r"got 'sum_over_batch_size'; write reduction='mean'"),
        ("auto", r"write reduction='mean'"),
        ("elementwise_mean", r"write reduction='mean'"),
        (None, r"got None; for the per-element losses write reduction='none' \(a string\)"),
        ("Mean", r"got 'Mean'$"),
        ("batchmean", r"got 'batchmean'; only KLDivergence takes 'batchmean'"),
        (np.array(["mean", "sum"]), r"got array\(\['mean', 'sum'\]"),
        (["mean"], r"got \['mean'\]"),
        (0, r"got 0$"),
    ],
    ids=repr,
)
def test_reduction_names_of_keras_and_old_torch_get_advice(reduction, message):
    for loss in (mse, bce, sparse_cce):
        y_pred, y_true = small_inputs({mse: "mse", bce: "bce", sparse_cce: "sparse_cce"}[loss])
        with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none', "):
            loss(y_pred, y_true, reduction=reduction)
        with pytest.raises(ValueError, match=message):
            loss.grad(y_pred, y_true, reduction=reduction)


def test_swapped_sparse_arguments_are_named():
    """Keras's order is (y_true, y_pred); optlib's and PyTorch's is (y_pred, y_true)."""
    probabilities, labels = small_inputs("sparse_cce")
    one_hot = np.eye(2)[labels]
    with pytest.raises(ValueError, match=r"are the arguments swapped\? optlib, like PyTorch"):
        sparse_cce(labels.astype(float), probabilities)
    with pytest.raises(ValueError, match=r"are the arguments swapped"):
        sparse_cce.grad(labels, one_hot)


@pytest.mark.parametrize("cls", [BinaryCrossEntropy, CategoricalCrossEntropy])
def test_a_loss_class_called_on_data_says_to_build_it_first(cls):
    y_pred, _ = small_inputs("cce")
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name} is a class: .* {name}\(\)\(y_pred, y_true\)"):
        cls(y_pred)


@pytest.mark.parametrize("name", (*REGRESSION, "bce", "bce_logits"))
def test_zero_dimensional_inputs_are_one_element(name):
    """torch accepts 0-d tensors for element-wise losses; the value is the one element's."""
    y_pred, y_true = (np.float64(0.3), np.float64(1.0))
    loss = LOSSES[name]
    value, grad = loss(y_pred, y_true), loss.grad(y_pred, y_true)
    one_value = loss(np.array([0.3]), np.array([1.0]))
    one_grad = loss.grad(np.array([0.3]), np.array([1.0]))
    assert np.shape(value) == () and np.shape(grad) == ()
    assert value == one_value[()] and grad == one_grad[0]
    assert loss(0.3, 1.0, reduction="none").shape == ()


@pytest.mark.parametrize("name", CATEGORICAL)
def test_zero_dimensional_inputs_are_refused_by_categorical_losses(name):
    with pytest.raises(ValueError, match=r"y_pred must be 2-D \(n examples by C classes\)"):
        LOSSES[name](np.float64(0.5), np.float64(1.0))


@pytest.mark.torch
def test_zero_dimensional_inputs_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    y_pred, y_true = torch.tensor(0.3, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    for loss, expected in [
        (mse, F.mse_loss(y_pred, y_true)),
        (mae, F.l1_loss(y_pred, y_true)),
        (bce, F.binary_cross_entropy(y_pred, y_true)),
        (BinaryCrossEntropy(True), F.binary_cross_entropy_with_logits(y_pred, y_true)),
    ]:
        assert loss(0.3, 1.0) == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize("name", ["mse", "mae", "bce", "bce_logits", "cce", "cce_logits"])
def test_bool_and_integer_targets_are_the_numbers_they_hold(name):
    """As torch computes on the same targets as floats (torch refuses bool targets)."""
    y_pred, y_true = small_inputs(name)
    loss = LOSSES[name]
    for targets in (y_true.astype(bool), y_true.astype(np.int8), y_true.astype(np.uint64)):
        assert loss(y_pred, targets, "sum") == loss(y_pred, y_true, "sum")
        np.testing.assert_array_equal(loss.grad(y_pred, targets), loss.grad(y_pred, y_true))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_no_loss_modifies_its_inputs(name):
    y_pred, y_true = small_inputs(name)
    before = (y_pred.copy(), y_true.copy())
    loss = LOSSES[name]
    for reduction in REDUCTIONS:
        loss.value_and_grad(y_pred, y_true, reduction)
    np.testing.assert_array_equal(y_pred, before[0])
    np.testing.assert_array_equal(y_true, before[1])


# -- second adversarial pass: settings assigned later, classes called on the data ----


def test_huber_delta_takes_any_real_number_type():
    # Fraction(1, 2) used to reach np.isfinite and fail with a NumPy TypeError.
    from fractions import Fraction

    for delta in (Fraction(1, 2), np.float32(0.5), np.int64(2), 2):
        loss = Huber(delta=delta)
        assert loss.delta == float(delta) and type(loss.delta) is float
    # closed form: |r| = 3 > delta = 1/2 gives delta * (|r| - delta / 2) = 1.375
    assert Huber(delta=Fraction(1, 2))(np.array([3.0]), np.zeros(1)) == 1.375


@pytest.mark.parametrize("delta", [0.0, -1.0, np.nan, "1", None, np.ones(2)])
def test_assigning_a_bad_huber_delta_is_refused_and_changes_nothing(delta):
    loss = Huber(delta=2.0)
    with pytest.raises(ValueError, match="delta must be a positive finite number"):
        loss.delta = delta
    assert loss.delta == 2.0
    assert loss(np.array([3.0]), np.zeros(1)) == 4.0  # 2 * (3 - 1), the old delta


def test_assigning_a_huber_delta_takes_effect():
    loss = Huber()
    loss.delta = 2
    assert loss.delta == 2.0 and loss(np.array([3.0]), np.zeros(1)) == 4.0


@pytest.mark.parametrize(
    "cls", [BinaryCrossEntropy, CategoricalCrossEntropy, SparseCategoricalCrossEntropy]
)
@pytest.mark.parametrize("value", [1, 0, "no", None, 2.0])
def test_assigning_a_bad_from_logits_is_refused_and_changes_nothing(cls, value):
    # A string used to be accepted, and taken as True.
    loss = cls()
    with pytest.raises(ValueError, match="from_logits must be True or False"):
        loss.from_logits = value
    assert loss.from_logits is False


def test_assigning_from_logits_takes_effect():
    loss = BinaryCrossEntropy()
    loss.from_logits = np.True_
    assert loss.from_logits is True
    # closed form: a logit of 0 is the probability 1/2, whose loss is log 2
    np.testing.assert_allclose(loss(np.zeros(2), np.array([0.0, 1.0])), np.log(2), rtol=1e-15)


@pytest.mark.parametrize(
    "cls, instance",
    [
        (MeanSquaredError, "mse"),
        (MeanAbsoluteError, "mae"),
        (Huber, "huber"),
        (BinaryCrossEntropy, "bce"),
        (CategoricalCrossEntropy, "cce"),
        (SparseCategoricalCrossEntropy, "sparse_cce"),
    ],
)
def test_a_loss_class_called_with_both_arrays_says_to_build_it_first(cls, instance):
    # MeanSquaredError(y_pred, y_true) used to say only "takes no arguments".
    name = cls.__name__
    with pytest.raises(TypeError) as info:
        cls(np.full((2, 2), 0.5), np.eye(2))
    assert f"{name} is a class" in str(info.value)
    assert f"{name}()(y_pred, y_true)" in str(info.value)
    assert f"{instance}(y_pred, y_true)" in str(info.value)


def test_wrong_arguments_to_a_loss_class_name_its_signature():
    with pytest.raises(TypeError, match=r"^MeanSquaredError\(\): too many positional"):
        MeanSquaredError(1)
    with pytest.raises(TypeError, match=r"^Huber\(delta=1\.0\): got an unexpected keyword"):
        Huber(threshold=1.0)


def test_a_loss_of_ones_own_may_take_arrays_in_its_constructor():
    class Weighted(optlib.losses.Loss):
        def __init__(self, weights):
            self.weights = np.asarray(weights)

        def _losses_and_grads(self, y_pred, y_true):
            r = y_pred - y_true
            return self.weights * r * r, 2 * self.weights * r

    loss = Weighted(np.array([1.0, 2.0]))
    assert loss(np.ones(2), np.zeros(2), reduction="sum") == 3.0  # 1 * 1 + 2 * 1
    with pytest.raises(TypeError, match="Weighted is a class"):
        Weighted(np.ones(2), np.ones(2))
