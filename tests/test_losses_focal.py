"""Tests for optlib/losses/focal.py: the sigmoid focal loss.

torchvision is not installed: the reference is torchvision's formula written
in torch (``make_losses.torchvision_sigmoid_focal_loss``, line by line) with
autograd for the gradient, live when torch is installed and always through
tests/reference/losses.npz. At large logits, where torchvision's ``1 - p_t``
loses accuracy, the expected numbers are closed forms worked out by hand.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    DTYPES,
    FOCAL,
    RTOL,
    assert_parity,
    check_live,
    check_stored,
    live_parity_cases,
    make_losses,
    stored_parity_cases,
)

from optlib.losses import BinaryCrossEntropy, SigmoidFocalLoss, sigmoid_focal

LOG2 = math.log(2.0)

# --- parity with torchvision's formula ---------------------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(FOCAL))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "inputs", "reduction", "dtype"), live_parity_cases(FOCAL))
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("alpha", [0.25, None, "drawn"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, "drawn"])
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_matches_torchvision_formula(alpha, gamma, reduction, data):
    """Logits in [-6, 6], where torchvision's 1 - p_t is accurate; hard and soft targets."""
    pytest.importorskip("torch")
    if alpha == "drawn":
        alpha = data.draw(st.floats(0.0, 1.0))
    if gamma == "drawn":
        gamma = data.draw(st.floats(0.0, 5.0))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    z = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-6, 6)))
    hard = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    soft = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
    y = hard if data.draw(st.booleans()) else soft
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        make_losses.torch_sigmoid_focal(alpha, gamma), z, y, reduction
    )
    value, grad = SigmoidFocalLoss(alpha, gamma).value_and_grad(z, y, reduction)
    assert_parity(value, expected_value, RTOL["float64"])
    # Soft targets make (p - y) + gamma CE (1 - 2y) ratio cancel: rounding is relative
    # to its terms, at most 1 + gamma (|z| + log 2), over the count of "mean".
    divisor = z.size if reduction == "mean" else 1
    scale = (1 + gamma * (np.abs(z).max() + LOG2)) / divisor
    assert_parity(grad, expected_grad, RTOL["float64"], scale=scale)


# --- closed forms -----------------------------------------------------------------


def test_a_logit_of_zero_by_hand():
    """z = 0: p = 1/2, CE = log 2, 1 - p_t = 1/2, p(1 - p)/(1 - p_t) = 1/2."""
    z, y = np.zeros(2), np.array([1.0, 0.0])
    # alpha_t = 0.25 for the positive, 0.75 for the negative; (1/2)^2 = 1/4
    np.testing.assert_allclose(sigmoid_focal(z, y), [0.25 * 0.25 * LOG2, 0.75 * 0.25 * LOG2])
    # [(p - y) + gamma CE (1 - 2y) / 2] = -1/2 - log 2 and 1/2 + log 2
    np.testing.assert_allclose(
        sigmoid_focal.grad(z, y),
        [0.25 * 0.25 * (-0.5 - LOG2), 0.75 * 0.25 * (0.5 + LOG2)],
        rtol=1e-15,
    )
    # "mean" over the 2 elements; "none" is the default
    assert sigmoid_focal(z, y, "mean") == pytest.approx(0.25 * LOG2 / 2, rel=1e-15)


def test_alpha_none_and_gamma_zero_is_binary_cross_entropy():
    rng = np.random.default_rng(0)
    z, y = 10 * rng.standard_normal(20), rng.uniform(0, 1, 20)
    plain, bce_logits = SigmoidFocalLoss(alpha=None, gamma=0.0), BinaryCrossEntropy(True)
    np.testing.assert_allclose(plain(z, y), bce_logits(z, y, "none"), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(plain.grad(z, y), bce_logits.grad(z, y, "none"), atol=1e-15)
    # alpha = 1/2: half the cross-entropy, for either class
    half = SigmoidFocalLoss(alpha=0.5, gamma=0.0)
    np.testing.assert_allclose(half(z, y), bce_logits(z, y, "none") / 2, rtol=1e-13, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), gamma=st.floats(0.1, 4.0))
def test_focusing_only_lowers_the_loss(data, gamma):
    """(1 - p_t)^gamma <= 1: the focal loss is at most alpha_t times the cross-entropy."""
    n = data.draw(st.integers(1, 8))
    z = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-50, 50)))
    y = data.draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    focal = SigmoidFocalLoss(alpha=None, gamma=gamma)(z, y)
    ce = np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z))  # -log p_t, accurately
    assert np.all(focal <= ce * (1 + 1e-14)) and np.all(focal >= 0)


# --- stability: huge logits ----------------------------------------------------------

# (gamma, z, y, per-element values, per-element gradients) with alpha = 0.25, by hand:
# far on the right side the loss and gradient vanish; far on the wrong side
# CE = |z|, 1 - p_t = 1 and the gradient is alpha_t (p - y); at y = 1/2, 1 - p_t = 1/2
# and CE = |z| / 2, with p (1 - p) = 0.
EXTREMES = {
    gamma: (
        [1e4, -1e4, 1e4, -1e4, 1e4, 800.0],
        [1.0, 1.0, 0.0, 0.0, 0.5, 0.0],
        [0.0, 0.25e4, 0.75e4, 0.0, 0.5 * 0.5**gamma * 5e3, 0.75 * 800.0],
        [0.0, -0.25, 0.75, 0.0, 0.5 * 0.5**gamma * 0.5, 0.75],
    )
    for gamma in (0.0, 0.5, 2.0)
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("gamma", EXTREMES)
def test_huge_logits_are_finite_and_exact(gamma, dtype):
    z, y, values, grads = EXTREMES[gamma]
    loss = SigmoidFocalLoss(alpha=0.25, gamma=gamma)
    z, y = np.asarray(z, dtype), np.asarray(y, dtype)
    with np.errstate(all="raise"):
        np.testing.assert_allclose(loss(z, y), values, rtol=1e-7, atol=0)
        np.testing.assert_allclose(loss.grad(z, y), grads, rtol=1e-7, atol=0)
        with np.errstate(under="ignore"):
            losses, grads_ = loss._losses_and_grads(z, y)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(grads_))


def test_confident_right_predictions_keep_their_tiny_loss_and_gradient():
    """z = 40, y = 1: 1 - p = e^-40 / (1 + e^-40) = m, CE = log(1 + e^-40) ~ m, and
    the loss alpha m^gamma CE and gradient -alpha (1 + gamma) m^(gamma + 1) (to relative
    1e-17) are far below 1 but not 0; torchvision's 1 - p_t rounds to 0 there."""
    m = math.exp(-40) / (1 + math.exp(-40))
    ce = math.log1p(math.exp(-40))
    loss = SigmoidFocalLoss(alpha=0.25, gamma=2.0)
    np.testing.assert_allclose(loss(np.array([40.0]), np.array([1.0])), 0.25 * m**2 * ce)
    np.testing.assert_allclose(
        loss.grad(np.array([40.0]), np.array([1.0])), -0.25 * 3 * m**3, rtol=1e-14
    )


def focal_in_50_digits(z: float, y: float, alpha: float, gamma: int):
    """The focal loss and its derivative, term by term, in 50-digit decimal arithmetic."""
    with localcontext() as context:
        context.prec = 50
        z, y, alpha = Decimal(z), Decimal(y), Decimal(alpha)
        p = 1 / (1 + (-z).exp())
        miss = (1 - y) * p + y * (1 - p)  # 1 - p_t
        ce = -(y * p.ln() + (1 - y) * (1 - p).ln())
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        value = alpha_t * miss**gamma * ce
        grad = alpha_t * (
            (p - y) * miss**gamma + gamma * ce * miss ** (gamma - 1) * (1 - 2 * y) * p * (1 - p)
        )
        return float(value), float(grad)


@pytest.mark.parametrize("gamma", [1, 2, 3])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
@pytest.mark.parametrize("z", [-30.0, -12.5, 6.0, 10.0, 20.0, 33.0])
def test_matches_50_digit_arithmetic_where_torchvision_loses_accuracy(z, y, gamma):
    """Beyond |z| of about 10 torchvision's 1 - p_t (and so its loss, to 1e-3 at z = 33)
    is inaccurate; optlib keeps double precision."""
    value, grad = focal_in_50_digits(z, y, 0.25, gamma)
    loss = SigmoidFocalLoss(alpha=0.25, gamma=gamma)
    np.testing.assert_allclose(loss(np.array([z]), np.array([y])), [value], rtol=1e-14)
    np.testing.assert_allclose(loss.grad(np.array([z]), np.array([y])), [grad], rtol=1e-13)


def test_gradient_where_one_minus_p_t_underflows_is_the_limit():
    """gamma < 1 at 1 - p_t = 0: torchvision's autograd gives NaN (0 to a negative
    power times 0); the limit, 0, is what optlib gives."""
    loss = SigmoidFocalLoss(alpha=0.25, gamma=0.5)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(loss.grad(np.array([800.0]), np.array([1.0])), [0.0])


# --- settings and bad input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_", "match"),
    [
        ({"alpha": 1.5}, r"alpha must be a number in \[0, 1\], got 1.5"),
        ({"alpha": -1}, r"alpha must be a number in \[0, 1\], or None .* got -1"),
        ({"alpha": "0.25"}, r"alpha must be a number in \[0, 1\], got '0.25'"),
        ({"alpha": True}, r"alpha must be a number in \[0, 1\], got True"),
        ({"gamma": -0.5}, r"gamma must be a non-negative finite number, got -0.5"),
        ({"gamma": math.inf}, r"gamma must be a non-negative finite number"),
        ({"gamma": None}, r"gamma must be a non-negative finite number, got None"),
    ],
)
def test_bad_settings_are_refused(settings_, match):
    with pytest.raises(ValueError, match=match):
        SigmoidFocalLoss(**settings_)


@pytest.mark.parametrize(
    ("y_pred", "y_true", "match"),
    [
        ([0.5, 1.0], [1.0, 2.0], r"y_true must hold targets in \[0.0, 1.0\].*2.0"),
        ([0.5, np.inf], [1.0, 0.0], r"y_pred contains 1 non-finite"),
        ([0.5, 1.0], [1.0], r"same shape"),
    ],
)
def test_bad_input_raises_value_error(y_pred, y_true, match):
    with pytest.raises(ValueError, match=match):
        sigmoid_focal(y_pred, y_true)


def test_the_reduction_a_focal_loss_is_built_with_is_its_default():
    z, y = np.array([1.0, -1.0, 3.0]), np.array([1.0, 0.0, 0.0])
    per_element = sigmoid_focal(z, y)
    mean = SigmoidFocalLoss(reduction="mean")
    assert mean(z, y) == pytest.approx(per_element.mean(), rel=1e-15)
    np.testing.assert_allclose(mean.grad(z, y), sigmoid_focal.grad(z, y) / 3, rtol=1e-15)
    np.testing.assert_array_equal(mean(z, y, "none"), per_element)  # a call may say otherwise
    assert repr(mean) == "SigmoidFocalLoss(alpha=0.25, gamma=2.0, reduction='mean')"
    for reduction, match in [("batchmean", "only KLDivergence"), (None, "got None"), ("avg", "")]:
        with pytest.raises(ValueError, match=f"reduction must be one of .*{match}"):
            SigmoidFocalLoss(reduction=reduction)


def test_a_logistic_model_trains_on_its_logits():
    """from_logits is True: LogisticRegression hands the loss its logits, not sigmoid(z)."""
    from optlib.models import LogisticRegression

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6).astype(float)
    model, loss = LogisticRegression(3), SigmoidFocalLoss(reduction="mean")
    model.params[0][:] = rng.standard_normal(model.params[0].shape)
    z = model.logits(X)
    value, (grad_w, grad_b) = model.loss_and_grads(X, y, loss)
    assert value == pytest.approx(loss(z, y), rel=1e-14)
    np.testing.assert_allclose(grad_w[:, 0], X.T @ loss.grad(z, y), rtol=1e-13)
    np.testing.assert_allclose(grad_b, loss.grad(z, y).sum(), rtol=1e-13)


def test_defaults_reduction_and_repr():
    z, y = np.array([1.0, -1.0]), np.array([1.0, 0.0])
    assert sigmoid_focal(z, y).shape == (2,)  # torchvision's "none"
    np.testing.assert_array_equal(sigmoid_focal.grad(z, y), sigmoid_focal.grad(z, y, "sum"))
    assert sigmoid_focal.value_and_grad(z, y)[0].shape == (2,)
    assert repr(SigmoidFocalLoss(None, 1)) == "SigmoidFocalLoss(alpha=None, gamma=1.0)"
    loss = SigmoidFocalLoss()
    loss.gamma = 0
    assert loss.gamma == 0.0
    with pytest.raises(ValueError, match="alpha must be"):
        loss.alpha = 2
    assert loss.alpha == 0.25
