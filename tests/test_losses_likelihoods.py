"""Tests for optlib/losses/likelihoods.py: the Poisson and Gaussian negative log-likelihoods.

Expected numbers come from ``F.poisson_nll_loss`` and ``F.gaussian_nll_loss``
(live when torch is installed, and always through tests/reference/losses.npz)
or from closed forms worked out by hand; gradients are also checked against
finite differences in tests/test_losses_base.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    DTYPES,
    LIKELIHOODS,
    RTOL,
    assert_parity,
    check_live,
    check_stored,
    live_parity_cases,
    make_losses,
    stored_parity_cases,
)

from optlib.losses import GaussianNLLLoss, PoissonNLLLoss, gaussian_nll, poisson_nll

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)

# --- parity with PyTorch --------------------------------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(LIKELIHOODS))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "inputs", "reduction", "dtype"), live_parity_cases(LIKELIHOODS))
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_poisson_matches_torch(log_input, full, reduction, data):
    """Log-rates in [-30, 30] or rates in [0, 1e3] (0 included), counts of 0, 1, whole
    and fractional, eps drawn too."""
    pytest.importorskip("torch")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    if log_input:
        y_pred = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-30, 30)))
    else:
        rates = st.floats(0, 1e3) | st.sampled_from([0.0, 1e-9, 1.0])
        y_pred = data.draw(hnp.arrays(np.float64, shape, elements=rates))
    counts = st.integers(0, 60).map(float) | st.floats(0, 60) | st.sampled_from([0.0, 1.0, 2.0])
    y_true = data.draw(hnp.arrays(np.float64, shape, elements=counts))
    eps = data.draw(st.sampled_from([1e-8, 1e-3]) | st.floats(1e-12, 1.0))
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        make_losses.torch_poisson_nll(log_input, full, eps), y_pred, y_true, reduction
    )
    value, grad = PoissonNLLLoss(log_input, full, eps).value_and_grad(y_pred, y_true, reduction)
    # e^x - y x (or rate - y log(rate + eps)) and its gradient cancel near the optimum:
    # rounding is relative to the sizes of their terms
    if log_input:
        value_terms = np.exp(y_pred) + np.abs(y_true * y_pred)
        grad_terms = np.exp(y_pred) + y_true
    else:
        value_terms = y_pred + np.abs(y_true * np.log(y_pred + eps))
        grad_terms = 1 + y_true / (y_pred + eps)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = np.where(y_true > 1, 2 * y_true * (1 + np.abs(np.log(y_true))) + 2, 0)
        value_terms = value_terms + stirling
    assert_parity(value, expected_value, RTOL["float64"], scale=reduced(value_terms, reduction))
    divisor = y_pred.size if reduction == "mean" else 1
    assert_parity(grad, expected_grad, RTOL["float64"], scale=grad_terms.max() / divisor)


def reduced(terms, reduction):
    """The size of a reduced value's terms: their sum, mean or largest."""
    if reduction == "sum":
        return float(terms.sum())
    if reduction == "mean":
        return float(terms.mean())
    return float(terms.max())


@st.composite
def variances(draw, shape):
    """A var argument of one of the shapes PyTorch takes for y_pred of ``shape``."""
    kinds = ["same", "number"]
    if len(shape) >= 1:
        kinds.append("one per row")
    if len(shape) >= 1 and any(side > 1 for side in shape):
        kinds.append("size 1 in one axis")
    kind = draw(st.sampled_from(kinds))
    values = st.floats(0, 4) | st.sampled_from([0.0, 1e-9, 1e-6, 1e-300])
    if kind == "number":
        return draw(values)
    if kind == "one per row":
        var_shape = shape[:-1]
    elif kind == "size 1 in one axis":
        axis = draw(st.sampled_from([a for a, side in enumerate(shape) if side > 1]))
        var_shape = (*shape[:axis], 1, *shape[axis + 1 :])
    else:
        var_shape = shape
    return draw(hnp.arrays(np.float64, var_shape, elements=values))


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("full", [False, True])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_gaussian_matches_torch(full, reduction, data):
    """Every shape of var PyTorch takes, variances of 0 and below eps (clamped)."""
    torch = pytest.importorskip("torch")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    mean = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10)))
    target = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10)))
    var = data.draw(variances(shape))
    eps = data.draw(st.sampled_from([1e-6, 1e-3]) | st.floats(1e-12, 1.0))
    expression = make_losses.torch_gaussian_nll(full, eps)
    prediction = torch.tensor(mean, requires_grad=True)
    var_tensor = torch.as_tensor(np.asarray(var))  # a float as a float64, not torch's float32
    expected = expression(prediction, torch.tensor(target), reduction, var_tensor)
    expected.sum().backward()
    value, grad = GaussianNLLLoss(full, eps).value_and_grad(mean, target, var, reduction)
    # 0.5 (log v + r^2 / v) cancels where log v < 0: rounding is relative to its terms
    v = np.asarray(var, np.float64)
    if v.ndim and v.shape == shape[:-1]:
        v = v[..., None]  # one variance per row
    v = np.maximum(np.broadcast_to(v, shape), eps)
    terms = 0.5 * (np.abs(np.log(v)) + (mean - target) ** 2 / v) + full
    assert_parity(
        value, expected.detach().numpy(), RTOL["float64"], scale=reduced(terms, reduction)
    )
    assert_parity(grad, prediction.grad.numpy(), RTOL["float64"])


# --- Poisson: closed forms and stability ---------------------------------------------------


def test_poisson_by_hand():
    log_rates, counts = np.array([0.0, math.log(2.0), 0.0]), np.array([1.0, 2.0, 0.0])
    # e^x - y x: 1 - 0, 2 - 2 log 2, 1; gradient e^x - y: 0, 0, 1
    np.testing.assert_allclose(
        poisson_nll(log_rates, counts, "none"), [1.0, 2 - 2 * math.log(2), 1.0], rtol=1e-15
    )
    np.testing.assert_allclose(poisson_nll.grad(log_rates, counts, "none"), [0, 0, 1], atol=1e-15)
    # full: Stirling's y log y - y + log(2 pi y) / 2 for the count 2 only (not 1, not 0)
    stirling = 2 * math.log(2) - 2 + 0.5 * math.log(4 * math.pi)
    full = PoissonNLLLoss(full=True)(log_rates, counts, "none")
    np.testing.assert_allclose(full, [1.0, 2 - 2 * math.log(2) + stirling, 1.0], rtol=1e-15)
    # rates: rate - y log(rate + eps), gradient 1 - y / (rate + eps)
    rates = PoissonNLLLoss(log_input=False, eps=0.5)
    np.testing.assert_allclose(
        rates(np.array([0.0, 1.5]), np.array([2.0, 2.0]), "none"),
        [-2 * math.log(0.5), 1.5 - 2 * math.log(2.0)],
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        rates.grad(np.array([0.0, 1.5]), np.array([2.0, 2.0]), "none"), [1 - 4, 0.0], atol=1e-15
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_extreme_log_rates(dtype):
    """Very negative log-rates are exact (e^x underflows to 0); one whose rate is beyond
    the float range gives inf, silently, as PyTorch does."""
    log_rates, counts = np.array([-1e4, -50.0, 1e4], dtype), np.array([3.0, 0.0, 1.0], dtype)
    with np.errstate(all="raise"):
        losses, grads = poisson_nll.value_and_grad(log_rates, counts, "none")
    np.testing.assert_allclose(losses[:2], [3e4, math.exp(-50)], rtol=1e-6)
    np.testing.assert_allclose(grads[:2], [-3.0, math.exp(-50)], rtol=1e-6)
    assert losses[2] == np.inf and grads[2] == np.inf
    assert np.all(np.isfinite(poisson_nll.grad(np.array([700.0]), np.array([5.0]))))


# --- Gaussian: closed forms, var shapes and stability ------------------------------------


def test_gaussian_by_hand():
    mean, target = np.array([1.0, 1.0, 0.0]), np.array([3.0, 3.0, 1e-3])
    var = np.array([1.0, 4.0, 0.0])  # the 0 is clamped to eps = 1e-6
    expected = [2.0, 0.5 * (math.log(4) + 1), 0.5 * (math.log(1e-6) + 1e-6 / 1e-6)]
    np.testing.assert_allclose(gaussian_nll(mean, target, var, "none"), expected, rtol=1e-14)
    np.testing.assert_allclose(
        gaussian_nll.grad(mean, target, var, "none"), [-2.0, -0.5, -1e-3 / 1e-6], rtol=1e-14
    )
    full = GaussianNLLLoss(full=True)(mean, target, var, "none")
    np.testing.assert_allclose(full, np.add(expected, HALF_LOG_2PI), rtol=1e-14)
    # a number for var: one variance for all; "mean" over the 3 elements
    assert gaussian_nll(mean, target, 4.0) == pytest.approx(
        np.mean(0.5 * (math.log(4) + (mean - target) ** 2 / 4)), rel=1e-15
    )


@pytest.mark.parametrize(
    ("var", "expanded"),
    [
        (np.array([1.0, 2.0]), np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])),  # one per row
        (np.array([[1.0], [2.0]]), np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])),
        (np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])),
        (2.0, np.full((2, 3), 2.0)),
        (np.float64(2.0), np.full((2, 3), 2.0)),
        (np.array(2.0), np.full((2, 3), 2.0)),  # torch refuses a 0-d tensor here
    ],
    ids=["per row", "per row, 2-D", "per column", "float", "numpy float", "0-d array"],
)
def test_gaussian_var_shapes_are_torchs(var, expanded):
    rng = np.random.default_rng(0)
    mean, target = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    for reduction in ("none", "sum", "mean"):
        np.testing.assert_array_equal(
            gaussian_nll(mean, target, var, reduction),
            gaussian_nll(mean, target, expanded, reduction),
        )
        np.testing.assert_array_equal(
            gaussian_nll.grad(mean, target, var, reduction),
            gaussian_nll.grad(mean, target, expanded, reduction),
        )


@pytest.mark.parametrize(
    ("var", "match"),
    [
        (np.ones(3), r"var must have the shape of y_pred \(2, 3\), or \(2,\) .* got shape \(3,\)"),
        (np.ones((2, 1, 1)), r"got shape \(2, 1, 1\)"),
        (np.ones((1, 1)), r"got shape \(1, 1\)"),  # size 1 in two axes: torch refuses it too
        (np.array([1.0, -1.0]), r"var must hold non-negative variances, found 1 negative"),
        (np.array([1.0, np.nan]), r"var contains 1 non-finite"),
        ("2", r"var must be an array of numbers"),
    ],
)
def test_gaussian_bad_var_is_refused(var, match):
    mean = target = np.zeros((2, 3))
    with pytest.raises(ValueError, match=match):
        gaussian_nll(mean, target, var)


@pytest.mark.torch
def test_gaussian_var_shapes_refused_by_torch_too():
    torch = pytest.importorskip("torch")
    mean = target = torch.zeros((2, 3))
    for var in (torch.ones(3), torch.ones((1, 1))):
        with pytest.raises(ValueError, match="var is of incorrect size"):
            torch.nn.functional.gaussian_nll_loss(mean, target, var)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_tiny_variances_are_finite(dtype):
    mean, target = np.array([1.0, 0.0, 2.0], dtype), np.array([0.0, 0.0, 2.0], dtype)
    var = np.array([1e-30, 0.0, 0.0], dtype)
    with np.errstate(all="raise"):
        losses, grads = gaussian_nll.value_and_grad(mean, target, var, "none")
    # all clamped to eps = 1e-6: 0.5 (log 1e-6 + r^2 / 1e-6), gradient r / 1e-6
    np.testing.assert_allclose(losses, 0.5 * (np.log(1e-6) + np.array([1e6, 0, 0])), rtol=1e-6)
    np.testing.assert_allclose(grads, [1e6, 0.0, 0.0], rtol=1e-6)
    tiny_eps = GaussianNLLLoss(eps=1e-300)
    if dtype == np.float64:
        with np.errstate(all="raise"):
            value = tiny_eps(np.array([1e-100]), np.array([0.0]), np.array([1e-300]), "sum")
        assert value == pytest.approx(0.5 * (math.log(1e-300) + 1e100), rel=1e-12)


# --- settings and bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "settings_", "match"),
    [
        (PoissonNLLLoss, {"eps": 0.0}, r"eps must be a positive finite number, got 0.0"),
        (PoissonNLLLoss, {"log_input": 1}, r"log_input must be True or False"),
        (PoissonNLLLoss, {"full": "yes"}, r"full must be True or False"),
        (GaussianNLLLoss, {"eps": -1e-6}, r"eps must be a positive finite number"),
        (GaussianNLLLoss, {"full": None}, r"full must be True or False"),
    ],
)
def test_bad_settings_are_refused(cls, settings_, match):
    with pytest.raises(ValueError, match=match):
        cls(**settings_)


@pytest.mark.parametrize(
    ("loss", "y_pred", "y_true", "match"),
    [
        (poisson_nll, [0.0, 1.0], [1.0, -1.0], r"y_true must hold non-negative counts"),
        (
            PoissonNLLLoss(log_input=False),
            [-0.5, 1.0],
            [1.0, 1.0],
            r"y_pred must hold non-negative rates.*\(for log-rates, pass log_input=True\)",
        ),
        (poisson_nll, [0.0, np.nan], [1.0, 1.0], r"y_pred contains 1 non-finite"),
        (poisson_nll, [0.0, 1.0], [1.0], r"same shape"),
    ],
)
def test_poisson_bad_input(loss, y_pred, y_true, match):
    with pytest.raises(ValueError, match=match):
        loss(y_pred, y_true)


def test_gaussian_takes_var_as_its_third_argument():
    mean, target = np.zeros(2), np.ones(2)
    assert gaussian_nll(mean, target, 1.0, "sum") == gaussian_nll(
        mean, target, var=1.0, reduction="sum"
    )
    with pytest.raises(TypeError, match="var"):
        gaussian_nll(mean, target)
    with pytest.raises(ValueError, match=r"y_pred \(2,\) and y_true \(3,\)"):
        gaussian_nll(mean, np.ones(3), 1.0)  # torch would broadcast; optlib refuses


def test_reprs():
    assert repr(PoissonNLLLoss(False, True, 1e-3)) == (
        "PoissonNLLLoss(log_input=False, full=True, eps=0.001)"
    )
    assert repr(GaussianNLLLoss(True)) == "GaussianNLLLoss(full=True, eps=1e-06)"


@pytest.mark.torch
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_mean_gradient_at_a_perfect_prediction_matches_torch_entry_by_entry(log_input):
    """Rates equal to their counts: each gradient entry is a near-cancellation (ε/(λ+ε),
    or exp(log λ) − λ), tiny next to its terms. PyTorch scales by 1/n before it subtracts;
    so does optlib, and every entry agrees to 1e-15 of itself, not just of the largest."""
    torch = pytest.importorskip("torch")
    counts = np.array([[1.0, 2.0, 3.0], [4.0, 7.0, 9.0]])
    y_pred = np.log(counts) if log_input else counts.copy()
    ours = PoissonNLLLoss(log_input=log_input).grad(y_pred, counts, reduction="mean")
    tensor = torch.tensor(y_pred, requires_grad=True)
    torch.nn.functional.poisson_nll_loss(
        tensor, torch.tensor(counts), log_input=log_input, reduction="mean"
    ).backward()
    theirs = tensor.grad.numpy()
    assert np.all(np.abs(theirs) < 1e-8)  # the cancellation the test is about
    np.testing.assert_allclose(ours, theirs, rtol=1e-15, atol=0)
