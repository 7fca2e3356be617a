"""Tests for optlib/losses/regression.py: MSE, MAE and Huber.

Expected numbers come from PyTorch (live when it is installed, and always
through tests/reference/losses.npz) or from closed forms worked out by hand.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    DTYPES,
    REGRESSION,
    check_live,
    check_stored,
    live_parity_cases,
    stored_parity_cases,
)

from optlib.losses import Huber, huber, mae, mse

# --- parity with PyTorch --------------------------------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(REGRESSION))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "inputs", "reduction", "dtype"), live_parity_cases(REGRESSION))
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


# --- closed forms -----------------------------------------------------------------

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
}


@pytest.mark.parametrize("case", CLOSED_FORMS)
def test_closed_forms(case):
    loss, y_pred, y_true, reduction, value, grad = CLOSED_FORMS[case]
    np.testing.assert_allclose(loss(y_pred, y_true, reduction), value, rtol=1e-14, atol=0)
    np.testing.assert_allclose(loss.grad(y_pred, y_true, reduction), grad, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_overflow_gives_inf_without_warning(dtype):
    """A result beyond the dtype's range is inf, silently, as in PyTorch."""
    huge = np.finfo(dtype).max * 0.75  # the residual, 1.5 times the largest float, overflows
    y_pred, y_true = np.array([huge, 1.0], dtype), np.array([-huge, 1.0], dtype)
    with np.errstate(all="raise"):
        assert mse(y_pred, y_true) == np.inf
        np.testing.assert_array_equal(mse.grad(y_pred, y_true, "sum"), [np.inf, 0.0])
        assert mae(y_pred, y_true, "sum") == np.inf


@settings(max_examples=40, deadline=None)
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


# --- Huber's delta -----------------------------------------------------------------


@pytest.mark.parametrize("delta", [0, 0.0, -1.0, np.nan, np.inf, True, "1", None])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match="delta must be a positive finite number"):
        Huber(delta=delta)


def test_huber_delta_takes_any_real_number_type():
    # Fraction(1, 2) used to reach np.isfinite and fail with a NumPy TypeError.
    for delta in (Fraction(1, 2), np.float32(0.5), np.int64(2), 2):
        loss = Huber(delta=delta)
        assert loss.delta == float(delta) and type(loss.delta) is float
    # closed form: |r| = 3 > delta = 1/2 gives delta * (|r| - delta / 2) = 1.375
    assert Huber(delta=Fraction(1, 2))(np.array([3.0]), np.zeros(1)) == 1.375
    assert Huber(np.float32(0.5)).delta == 0.5 and Huber(2).delta == 2.0


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


def test_huber_called_on_data_says_to_build_it_first():
    with pytest.raises(ValueError, match=r"delta must be .*got an array; Huber is a class"):
        Huber(np.ones(3))
