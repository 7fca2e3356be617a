"""Tests for optlib/losses/divergences.py: the KL divergence, entropy and cross-entropy.

Expected numbers come from PyTorch's ``F.kl_div`` (live when it is installed,
and always through tests/reference/losses.npz), or from closed forms worked
out by hand; gradients are also checked against finite differences in
tests/test_losses_base.py.
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
    KL,
    RTOL,
    assert_parity,
    check_live,
    check_stored,
    live_parity_cases,
    make_losses,
    stored_parity_cases,
)

from optlib.losses import KLDivergence, cce, cross_entropy, entropy, kl_div

LOG2 = math.log(2.0)
hypothesis_settings = settings(max_examples=40, deadline=None)

# --- parity with PyTorch --------------------------------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(KL))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "inputs", "reduction", "dtype"), live_parity_cases(KL))
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


@st.composite
def distributions(draw, shape, log=False, zeros=True):
    """Probabilities (or their logarithms) along the last axis of ``shape``."""
    weights = draw(hnp.arrays(np.float64, shape, elements=st.floats(1e-3, 1.0)))
    if zeros:
        weights = np.where(draw(hnp.arrays(bool, shape)), 0.0, weights)
        weights[..., 0] += 1e-3  # some mass in every distribution
    p = weights / weights.sum(axis=-1, keepdims=True)
    if not log:
        return p
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), -1e4)  # a probability of 0 as a log of -1e4


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_matches_torch_on_random_distributions(log_target, reduction, data):
    """Any shape (0-d to 3-D), targets of 0, values and gradients at relative 1e-12."""
    pytest.importorskip("torch")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    log_q = data.draw(distributions(shape, log=True, zeros=False))
    y_true = data.draw(distributions(shape, log=log_target))
    if data.draw(st.booleans()):  # a 0-d pair: torch's "batchmean" divides by 1
        log_q, y_true = log_q.flat[0], y_true.flat[0]
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        make_losses.torch_kl_div(log_target), np.asarray(log_q), np.asarray(y_true), reduction
    )
    value, grad = KLDivergence(log_target).value_and_grad(log_q, y_true, reduction)
    assert_parity(value, expected_value, RTOL["float64"])
    assert_parity(grad, expected_grad, RTOL["float64"])


# --- closed forms ------------------------------------------------------------------

P, Q = np.array([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]]), np.array([[0.25, 0.25, 0.5]] * 2)
# Row 1: 0.5 log 2 + 0.5 log 2 + 0 (the 0 of p); row 2: p = q, 0.
ROW_DIVERGENCES = np.array([LOG2, 0.0])


def test_kl_of_two_rows_by_hand():
    per_element = kl_div(np.log(Q), P, reduction="none")
    np.testing.assert_allclose(per_element.sum(axis=1), ROW_DIVERGENCES, rtol=1e-15, atol=1e-16)
    np.testing.assert_array_equal(per_element[0, 2], 0.0)  # 0 log 0 = 0, whatever q is
    assert kl_div(np.log(Q), P, reduction="sum") == pytest.approx(LOG2, rel=1e-15)
    # "batchmean": over the 2 rows; "mean": over the 6 elements
    assert kl_div(np.log(Q), P, reduction="batchmean") == pytest.approx(LOG2 / 2, rel=1e-15)
    assert kl_div(np.log(Q), P, reduction="mean") == pytest.approx(LOG2 / 6, rel=1e-15)
    np.testing.assert_array_equal(kl_div.grad(np.log(Q), P, reduction="sum"), -P)
    np.testing.assert_allclose(kl_div.grad(np.log(Q), P, reduction="batchmean"), -P / 2)
    np.testing.assert_allclose(kl_div.grad(np.log(Q), P, reduction="mean"), -P / 6)


def test_log_target_reads_the_target_as_its_logarithm():
    with np.errstate(divide="ignore"):
        log_p = np.log(P)  # -inf for the 0: refused, so give it as -1e4 (exp is 0)
    log_p = np.maximum(log_p, -1e4)
    loss = KLDivergence(log_target=True)
    np.testing.assert_allclose(
        loss(np.log(Q), log_p, reduction="none").sum(axis=1), ROW_DIVERGENCES, atol=1e-16
    )
    np.testing.assert_allclose(loss.grad(np.log(Q), log_p, reduction="sum"), -P, rtol=1e-15)


@hypothesis_settings
@given(data=st.data())
def test_kl_is_cross_entropy_minus_entropy_and_not_negative(data):
    n, n_classes = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 6))
    p = data.draw(distributions((n, n_classes)))
    q = data.draw(distributions((n, n_classes), zeros=False))
    divergence = kl_div(np.log(q), p, reduction="none").sum(axis=1)
    np.testing.assert_allclose(divergence, cross_entropy(p, q) - entropy(p), atol=1e-12)
    assert np.all(divergence >= -1e-12)  # Gibbs' inequality, to rounding
    np.testing.assert_allclose(kl_div(np.log(p + (p == 0)), p, reduction="sum"), 0.0, atol=1e-12)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        ([0.25] * 4, math.log(4)),  # uniform: log C
        ([1.0, 0.0, 0.0], 0.0),  # certain
        ([0.25, 0.75], -0.25 * math.log(0.25) - 0.75 * math.log(0.75)),  # a biased coin
        ([[0.5, 0.5], [0.0, 1.0]], [LOG2, 0.0]),  # one entropy per row
    ],
)
def test_entropy_closed_forms(p, expected):
    np.testing.assert_allclose(entropy(np.array(p)), expected, rtol=1e-15)
    assert np.all(np.signbit(entropy(np.array(p))) == False)  # noqa: E712 (no -0.0)


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        ([0.5, 0.5], [0.25, 0.75], 0.5 * math.log(4) + 0.5 * math.log(4 / 3)),
        ([1.0, 0.0], [0.5, 0.5], LOG2),
        ([1.0, 0.0], [1.0, 0.0], 0.0),  # p = 0 where q = 0: the term counts 0
        ([0.5, 0.5], [1.0, 0.0], math.inf),  # q = 0 where p > 0: infinite, no warning
    ],
)
def test_cross_entropy_closed_forms(p, q, expected):
    with np.errstate(all="raise"):
        np.testing.assert_allclose(cross_entropy(np.array(p), np.array(q)), expected, rtol=1e-15)


@hypothesis_settings
@given(data=st.data())
def test_cross_entropy_of_distributions_is_the_loss_cce(data):
    """Per row, the helper is cce on probabilities (none below EPS: no clipping)."""
    n, n_classes = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 6))
    p = data.draw(distributions((n, n_classes)))
    q = data.draw(distributions((n, n_classes), zeros=False))
    np.testing.assert_allclose(cross_entropy(p, q), cce(q, p, reduction="none"), rtol=1e-14)
    np.testing.assert_allclose(cross_entropy(p, p), entropy(p), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("dtype", DTYPES)
def test_helpers_keep_the_dtype(dtype):
    p = np.array([[0.5, 0.5]], dtype)
    assert entropy(p).dtype == dtype and cross_entropy(p, p).dtype == dtype
    assert entropy([0.5, 0.5]).dtype == np.float64


# --- stability: far-below-zero log-probabilities, targets of 0 ---------------------

# (log_target, y_pred, y_true, per-element values, per-element gradients), by hand.
EXTREMES = {
    "log q of -1e4 where p = 0, and where p = 1": (
        False,
        [-1e4, -1e4, 0.0],
        [0.0, 1.0, 1.0],
        [0.0, 1e4, 0.0],
        [0.0, -1.0, -1.0],
    ),
    "log p of -1e4 (exp underflows to 0) and of 0": (
        True,
        [-1e4, -0.5, 0.0],
        [-1e4, 0.0, 0.0],
        [0.0, 0.5, 0.0],
        [0.0, -1.0, -1.0],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_inputs_are_finite_and_exact(case, dtype):
    log_target, y_pred, y_true, values, grads = EXTREMES[case]
    loss = KLDivergence(log_target)
    y_pred, y_true = np.asarray(y_pred, dtype), np.asarray(y_true, dtype)
    with np.errstate(all="raise"):
        np.testing.assert_allclose(loss(y_pred, y_true, "none"), values, rtol=1e-7, atol=0)
        np.testing.assert_allclose(loss.grad(y_pred, y_true, "none"), grads, rtol=1e-7, atol=0)
        with np.errstate(under="ignore"):  # the formulas may underflow, quietly
            losses, grads_ = loss._losses_and_grads(y_pred, y_true)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(grads_))


# --- bad input ------------------------------------------------------------------------

BAD_INPUTS = {
    "probabilities as y_pred": (
        kl_div,
        [[0.2, 0.8]],
        [[0.5, 0.5]],
        r"y_pred must hold log-probabilities \(<= 0\), found 2 positive, e.g. 0.2: "
        r"KLDivergence takes log q, such as np.log\(q\)",
    ),
    "targets above 1": (kl_div, [[-1.0, -1.0]], [[1.5, 0.0]], r"y_true must hold probabilities"),
    "negative targets": (kl_div, [[-1.0]], [[-0.5]], r"y_true must hold probabilities in"),
    "probabilities as log targets": (
        KLDivergence(log_target=True),
        [[-1.0, -1.0]],
        [[0.5, 0.5]],
        r"y_true must hold log-probabilities.*pass log_target=False",
    ),
    "log of 0 as -inf": (
        KLDivergence(log_target=True),
        [[-1.0, -1.0]],
        [[0.0, -np.inf]],
        r"y_true contains 1 non-finite",
    ),
    "shapes differ": (kl_div, [[-1.0, -1.0]], [[0.5], [0.5]], r"same shape"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_value_error(case):
    loss, y_pred, y_true, match = BAD_INPUTS[case]
    with np.errstate(all="raise"), pytest.raises(ValueError, match=match):
        loss(y_pred, y_true)
    with pytest.raises(ValueError, match=match):
        loss.grad(y_pred, y_true, reduction="batchmean")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: entropy([0.5, 1.5]), r"p must hold probabilities in \[0.0, 1.0\]"),
        (lambda: entropy(0.5), r"p must be at least 1-D"),
        (lambda: entropy([]), r"p is empty"),
        (lambda: entropy([np.nan, 0.5]), r"p contains 1 non-finite"),
        (lambda: cross_entropy([0.5, 0.5], [1.0]), r"same shape, got p \(2,\) and q \(1,\)"),
        (lambda: cross_entropy([0.5, 0.5], [-0.5, 1.5]), r"q must hold probabilities"),
        (lambda: cross_entropy([0.5, 0.5], ["a", "b"]), r"q must be an array of numbers"),
    ],
)
def test_helpers_refuse_what_is_not_a_distribution(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("value", [1, "yes", None, np.array([True])])
def test_log_target_must_be_a_bool(value):
    with pytest.raises(ValueError, match="log_target must be True or False"):
        KLDivergence(log_target=value)


def test_repr_and_setting():
    loss = KLDivergence()
    assert repr(loss) == "KLDivergence(log_target=False)"
    loss.log_target = True
    assert repr(loss) == "KLDivergence(log_target=True)"
    with pytest.raises(ValueError, match="log_target must be True or False"):
        loss.log_target = "no"
    assert loss.log_target is True
