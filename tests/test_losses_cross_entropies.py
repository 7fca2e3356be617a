"""Tests for optlib/losses/cross_entropies.py: BCE, CCE, sparse CCE, and their options.

Expected numbers come from PyTorch (live when it is installed, and always
through tests/reference/losses.npz), central finite differences (in
tests/test_losses_base.py), or closed forms worked out by hand. The options
``weight``, ``ignore_index`` and ``label_smoothing`` are compared with
``F.cross_entropy`` on logits for every combination, and on probabilities with
its formula applied to their logarithm (``make_losses.cross_entropy_of_log_probs``,
itself checked against ``F.cross_entropy``).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    CROSS_ENTROPIES,
    DTYPES,
    LOSSES,
    REDUCTIONS,
    RTOL,
    as_dtype,
    assert_parity,
    assert_refused,
    check_live,
    check_stored,
    live_parity_cases,
    make_losses,
    small_inputs,
    smooth_inputs,
    stored_parity_cases,
)

from optlib.losses import (
    EPS,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    SparseCategoricalCrossEntropy,
    bce,
    cce,
    sparse_cce,
)

LOG2, LOG3 = np.log(2.0), np.log(3.0)
# PyTorch's EPSILON in binary_cross_entropy_backward is a C++ float: 1e-12 in float32.
TORCH_EPSILON = float(np.float32(1e-12))

hypothesis_settings = settings(max_examples=40, deadline=None)


def test_eps_is_torchs_float32_epsilon():
    assert EPS == TORCH_EPSILON == 9.999999960041972e-13


# --- parity with PyTorch: the stored and live cases ------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(CROSS_ENTROPIES))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "inputs", "reduction", "dtype"), live_parity_cases(CROSS_ENTROPIES)
)
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


# --- parity with PyTorch: every combination of the options, on random inputs -----------

# (sparse labels, from logits, class weights, label smoothing, ignore_index)
OPTION_COMBINATIONS = [
    combination
    for combination in itertools.product([False, True], repeat=5)
    if combination[0] or not combination[4]  # ignore_index is for class labels only
]


def combination_id(combination):
    sparse, from_logits, *options = combination
    words = ["sparse" if sparse else "dense", "logits" if from_logits else "probabilities"]
    words += [w for w, on in zip(("weight", "smoothing", "ignore"), options, strict=True) if on]
    return "-".join(words)


@st.composite
def cross_entropy_case(draw, combination):
    """Options and inputs for one combination: (settings, y_pred, y_true)."""
    sparse, from_logits, weighted, smoothed, ignoring = combination
    n, n_classes = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    # probabilities from logits in [-12, 12] are above e^-24 / 5 > EPS: no clipping
    bound = 30 if from_logits else 12
    logits = draw(hnp.arrays(np.float64, (n, n_classes), elements=st.floats(-bound, bound)))
    if from_logits:
        y_pred = logits
    else:  # probabilities, rows summing to 1
        exp_logits = np.exp(logits - logits.max(axis=1, keepdims=True))
        y_pred = exp_logits / exp_logits.sum(axis=1, keepdims=True)
    options = {"from_logits": from_logits}
    if weighted:
        # no tiny weights: torch divides by their total first, and 1 / 1e-309 is inf
        weight = st.floats(0.01, 3.0) | st.sampled_from([0.0, 1.0])
        options["weight"] = draw(hnp.arrays(np.float64, n_classes, elements=weight))
    if smoothed:
        options["label_smoothing"] = draw(st.floats(0.0, 1.0) | st.sampled_from([0.1, 1.0]))
    if sparse:
        labels = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
        if ignoring:
            options["ignore_index"] = ignore_index = draw(st.sampled_from([-100, -1, 0]))
            ignored = draw(hnp.arrays(bool, n))
            labels = np.where(ignored, ignore_index, labels)
        return options, y_pred, labels
    soft = draw(hnp.arrays(np.float64, (n, n_classes), elements=st.floats(0.0, 1.0)))
    return options, y_pred, soft / np.maximum(soft.sum(axis=1, keepdims=True), 1e-300)


def mean_divisor(options, y_true):
    """PyTorch's rule: n for label probabilities, the total weight of the labels kept
    for class labels (their number without weights)."""
    if y_true.ndim == 2:
        return len(y_true)
    kept = y_true[y_true != options.get("ignore_index", -100)]
    return len(kept) if "weight" not in options else options["weight"][kept].sum()


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("combination", OPTION_COMBINATIONS, ids=combination_id)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_option_combination_matches_torch(combination, reduction, data):
    """Values and autograd gradients at relative 1e-12 (see loss_parity.assert_parity)."""
    pytest.importorskip("torch")
    options, y_pred, y_true = data.draw(cross_entropy_case(combination))
    cls = SparseCategoricalCrossEntropy if combination[0] else CategoricalCrossEntropy
    loss = cls(**options)
    torch_loss = make_losses.torch_cross_entropy(**options)
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        torch_loss, y_pred, y_true, reduction
    )
    if reduction == "mean" and np.isnan(expected_value):
        # torch divides 0 by a total weight of 0 (every label ignored, or of weight 0)
        with pytest.raises(ValueError, match="total weight of the labels, which is 0"):
            loss(y_pred, y_true, reduction)
        return
    value, grad = loss.value_and_grad(y_pred, y_true, reduction)
    assert_parity(value, expected_value, RTOL["float64"])
    # From logits, a gradient entry softmax * sum(a) - a cancels when the prediction
    # fits: rounding is relative to its terms, at most the largest weight (over the
    # divisor of "mean"), not to the entry.
    divisor = mean_divisor(options, y_true) if reduction == "mean" else 1.0
    largest_weight = np.max(options.get("weight", 1.0), initial=1.0)
    scale = largest_weight / divisor if options["from_logits"] else 0.0
    assert_parity(grad, expected_grad, RTOL["float64"], scale=scale)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "combination", [c for c in OPTION_COMBINATIONS if c[1]], ids=combination_id
)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_the_torch_formula_on_log_probabilities_is_f_cross_entropy(combination, reduction, data):
    """make_losses.cross_entropy_of_log_probs(log_softmax(z)) is F.cross_entropy(z).

    It is what the tests compare the cross-entropies on probabilities with.
    """
    torch = pytest.importorskip("torch")
    options, z, y_true = data.draw(cross_entropy_case(combination))
    logits, target = torch.tensor(z), torch.as_tensor(y_true)
    weight = options.get("weight")
    torch_options = {
        "weight": None if weight is None else torch.tensor(weight),
        "ignore_index": options.get("ignore_index", -100),
        "label_smoothing": options.get("label_smoothing", 0.0),
    }
    expected = torch.nn.functional.cross_entropy(
        logits, target, reduction=reduction, **torch_options
    )
    composed = make_losses.cross_entropy_of_log_probs(
        torch.log_softmax(logits, 1), target, reduction, **torch_options
    )
    np.testing.assert_allclose(composed.numpy(), expected.numpy(), rtol=1e-13, atol=1e-15)


# --- closed forms -----------------------------------------------------------------

# (loss, y_pred, y_true, reduction, value, grad), worked out by hand.
CLOSED_FORMS = {
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
    # Class weights: each example's loss and gradient times the weight of its label,
    # and "mean" divides by the total weight 3 + 1 of the labels.
    "sparse weighted mean": (
        SparseCategoricalCrossEntropy(from_logits=True, weight=[3.0, 1.0, 1.0]),
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        [0, 1],
        "mean",
        (3 * LOG3 + LOG3) / 4,
        [[3 * (1 / 3 - 1) / 4, 3 / 3 / 4, 3 / 3 / 4], [1 / 3 / 4, (1 / 3 - 1) / 4, 1 / 3 / 4]],
    ),
    "sparse weighted, probabilities": (
        SparseCategoricalCrossEntropy(weight=[2.0, 0.5]),
        [[0.25, 0.75], [0.5, 0.5]],
        [0, 1],
        "none",
        [2 * np.log(4), 0.5 * LOG2],
        [[-2 / 0.25, 0.0], [0.0, -0.5 / 0.5]],
    ),
    # Ignored labels: no loss, no gradient, not counted by "mean".
    "sparse ignore_index": (
        SparseCategoricalCrossEntropy(from_logits=True, ignore_index=-100),
        [[0.0, 0.0, 0.0], [5.0, -3.0, 1.0]],
        [0, -100],
        "mean",
        LOG3,
        [[1 / 3 - 1, 1 / 3, 1 / 3], [0.0, 0.0, 0.0]],
    ),
    "ignore_index may be a class": (
        SparseCategoricalCrossEntropy(ignore_index=2),
        [[0.5, 0.25, 0.25], [0.2, 0.2, 0.6]],
        [1, 2],
        "sum",
        np.log(4),
        [[0, -4, 0], [0, 0, 0]],
    ),
    # Label smoothing 0.3 over 3 classes: (1, 0, 0) becomes (0.8, 0.1, 0.1).
    "dense smoothing": (
        CategoricalCrossEntropy(from_logits=True, label_smoothing=0.3),
        [[0.0, 0.0, 0.0]],
        [[1.0, 0.0, 0.0]],
        "sum",
        LOG3,
        [[1 / 3 - 0.8, 1 / 3 - 0.1, 1 / 3 - 0.1]],
    ),
    "sparse smoothing, probabilities": (
        SparseCategoricalCrossEntropy(label_smoothing=0.3),
        [[0.5, 0.25, 0.25]],
        [0],
        "sum",
        0.8 * LOG2 + 0.2 * np.log(4),
        [[-0.8 / 0.5, -0.1 / 0.25, -0.1 / 0.25]],
    ),
    # Weighted and smoothed: a = w ((1 - 0.3) onehot + 0.1), "mean" divides by w_k = 2.
    "sparse weighted smoothing": (
        SparseCategoricalCrossEntropy(
            from_logits=True, weight=[2.0, 1.0, 3.0], label_smoothing=0.3
        ),
        [[0.0, 0.0, 0.0]],
        [0],
        "mean",
        (2 * 0.8 + 1 * 0.1 + 3 * 0.1) * LOG3 / 2,
        [[(2 / 3 - 1.6) / 2, (2 / 3 - 0.1) / 2, (2 / 3 - 0.3) / 2]],
    ),
    # Smoothing all the way: the uniform label, whatever the label was.
    "smoothing 1": (
        CategoricalCrossEntropy(label_smoothing=1.0),
        [[0.5, 0.25, 0.25]],
        [[0.0, 0.0, 1.0]],
        "sum",
        (LOG2 + 2 * np.log(4)) / 3,
        [[-2 / 3, -4 / 3, -4 / 3]],
    ),
    # Dense weights: "mean" divides by n = 2, not by the weights (torch's rule for
    # probability targets).
    "dense weighted mean": (
        CategoricalCrossEntropy(from_logits=True, weight=[3.0, 1.0]),
        [[0.0, 0.0], [0.0, 0.0]],
        [[1.0, 0.0], [0.5, 0.5]],
        "mean",
        (3 * LOG2 + 2 * LOG2) / 2,
        [[(1.5 - 3) / 2, 1.5 / 2], [(1 - 1.5) / 2, (1 - 0.5) / 2]],
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


# The same with the options, worked out by hand. Class weights (1, 2, 1) and smoothing
# 0.3 turn the label (0, 1, 0) into a = (0.1, 1.6, 0.1); the log-softmax of
# (1e4, -1e4, 0) is (0, -2e4, -1e4) and its softmax (1, 0, 0), so the loss is
# 1.6 * 2e4 + 0.1 * 1e4 = 33000 and the gradient 1.8 * (1, 0, 0) - a.
WEIGHTED_SMOOTHED = {"weight": [1.0, 2.0, 1.0], "label_smoothing": 0.3}
OPTION_EXTREMES = {
    "dense logits, weighted and smoothed": (
        CategoricalCrossEntropy(from_logits=True, **WEIGHTED_SMOOTHED),
        [[1e4, -1e4, 0.0]],
        [[0.0, 1.0, 0.0]],
        "sum",
        33000.0,
        [[1.7, -1.6, -0.1]],
    ),
    "sparse logits, weighted, smoothed, one ignored": (
        SparseCategoricalCrossEntropy(from_logits=True, ignore_index=-100, **WEIGHTED_SMOOTHED),
        [[1e4, -1e4, 0.0], [5.0, 1e4, -1e4]],
        [1, -100],
        "mean",  # divided by the weight 2 of the one label kept
        33000.0 / 2,
        [[1.7 / 2, -1.6 / 2, -0.1 / 2], [0.0, 0.0, 0.0]],
    ),
    "sparse probabilities 0 and 1, smoothed": (
        SparseCategoricalCrossEntropy(label_smoothing=0.3),
        [[0.0, 1.0, 0.0]],
        [1],
        "sum",  # -(0.1 (-100) + 0.8 log 1 + 0.1 (-100))
        20.0,
        [[-0.1 / TORCH_EPSILON, -0.8, -0.1 / TORCH_EPSILON]],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", OPTION_EXTREMES)
def test_options_at_extreme_inputs_are_finite_and_exact(case, dtype):
    loss, y_pred, y_true, reduction, value, grad = OPTION_EXTREMES[case]
    y_pred, y_true = np.asarray(y_pred, dtype), as_dtype(np.asarray(y_true), dtype)
    with np.errstate(all="raise"):
        np.testing.assert_allclose(loss(y_pred, y_true, reduction), value, rtol=1e-6, atol=0)
        np.testing.assert_allclose(loss.grad(y_pred, y_true, reduction), grad, rtol=1e-6)


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


@hypothesis_settings
@given(
    data=st.data(),
    from_logits=st.booleans(),
    label_smoothing=st.sampled_from([0.0, 0.1, 1.0]),
    weighted=st.booleans(),
)
def test_sparse_options_are_the_dense_ones_on_one_hot_labels(
    data, from_logits, label_smoothing, weighted
):
    """Per example, the sparse loss with options is the dense one on one-hot labels;
    "mean" divides by the total weight of the labels instead of n."""
    n, n_classes = data.draw(rows_and_columns())
    elements = st.floats(-1e4, 1e4) if from_logits else unit_floats()
    y_pred = data.draw(hnp.arrays(np.float64, (n, n_classes), elements=elements))
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    weight = np.linspace(0.5, 2.0, n_classes) if weighted else None
    options = {"from_logits": from_logits, "weight": weight, "label_smoothing": label_smoothing}
    sparse, dense = SparseCategoricalCrossEntropy(**options), CategoricalCrossEntropy(**options)
    one_hot = np.eye(n_classes)[labels]
    for reduction in ("none", "sum"):
        np.testing.assert_allclose(
            sparse(y_pred, labels, reduction), dense(y_pred, one_hot, reduction), rtol=1e-12
        )
        np.testing.assert_allclose(
            sparse.grad(y_pred, labels, reduction),
            dense.grad(y_pred, one_hot, reduction),
            rtol=1e-12,
            atol=1e-300,
        )
    total_weight = n if weight is None else weight[labels].sum()
    np.testing.assert_allclose(
        sparse(y_pred, labels) * total_weight, dense(y_pred, one_hot) * n, rtol=1e-12
    )


@hypothesis_settings
@given(data=st.data(), scale=st.sampled_from([0.5, 3.0]))
def test_scaling_every_class_weight_leaves_the_sparse_mean_unchanged(data, scale):
    """The weighted mean is a weighted average: a common factor cancels (torch's rule)."""
    n, n_classes = data.draw(rows_and_columns())
    z = data.draw(hnp.arrays(np.float64, (n, n_classes), elements=st.floats(-30, 30)))
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    plain = SparseCategoricalCrossEntropy(from_logits=True)
    scaled = SparseCategoricalCrossEntropy(from_logits=True, weight=np.full(n_classes, scale))
    np.testing.assert_allclose(scaled(z, labels), plain(z, labels), rtol=1e-13)
    # atol: softmax - onehot cancels; rounding is relative to its terms, of size 1 / n
    np.testing.assert_allclose(
        scaled.grad(z, labels), plain.grad(z, labels), rtol=1e-13, atol=1e-15 / n
    )


def test_ignored_examples_change_nothing_but_the_count():
    """Ignoring examples is computing the loss without them (their gradient rows are 0)."""
    rng = np.random.default_rng(8)
    z, labels = rng.standard_normal((6, 4)), np.array([0, 3, -100, 1, -100, 2])
    kept = labels != -100
    weight = np.array([0.5, 1.0, 2.0, 4.0])
    ignoring = SparseCategoricalCrossEntropy(True, weight=weight, ignore_index=-100)
    without = SparseCategoricalCrossEntropy(True, weight=weight)
    for reduction in ("mean", "sum"):
        np.testing.assert_allclose(
            ignoring(z, labels, reduction), without(z[kept], labels[kept], reduction), rtol=1e-14
        )
        grad = ignoring.grad(z, labels, reduction)
        np.testing.assert_array_equal(grad[~kept], 0.0)
        np.testing.assert_allclose(
            grad[kept], without.grad(z[kept], labels[kept], reduction), rtol=1e-14
        )
    np.testing.assert_array_equal(ignoring(z, labels, "none")[~kept], 0.0)


def test_the_defaults_are_the_losses_without_options():
    rng = np.random.default_rng(9)
    z, labels = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    for from_logits in (False, True):
        y_pred = z if from_logits else np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        explicit = SparseCategoricalCrossEntropy(
            from_logits, weight=None, ignore_index=None, label_smoothing=0.0
        )
        unit_weights = SparseCategoricalCrossEntropy(from_logits, weight=np.ones(3))
        default = SparseCategoricalCrossEntropy(from_logits)
        for loss in (explicit, unit_weights):
            np.testing.assert_array_equal(loss(y_pred, labels), default(y_pred, labels))
            np.testing.assert_array_equal(loss.grad(y_pred, labels), default.grad(y_pred, labels))


# --- bad input ------------------------------------------------------------------------

# (loss, y_pred, y_true, keyword arguments, what the message must say)
BAD_INPUTS = {
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
    "inf in cce y_true": (cce, [[0.5, 0.5]], [[np.inf, 0.0]], {}, r"y_true contains 1 non-finite"),
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
    "weight of the wrong length": (
        SparseCategoricalCrossEntropy(weight=[1.0, 2.0]),
        np.full((2, 3), 0.3),
        [0, 1],
        {},
        r"weight must hold one weight per class: it has 2, but y_pred \(2, 3\) has C = 3",
    ),
    "dense weight of the wrong length": (
        CategoricalCrossEntropy(True, weight=[1.0, 2.0, 3.0, 4.0]),
        np.zeros((1, 3)),
        np.eye(3)[:1],
        {},
        r"weight must hold one weight per class: it has 4",
    ),
    "label -100 without ignore_index": (
        sparse_cce,
        np.full((2, 3), 0.3),
        [0, -100],
        {},
        r"label -100 outside \[0, 3\).*build the loss with ignore_index=-100",
    ),
    "a label other than ignore_index": (
        SparseCategoricalCrossEntropy(ignore_index=-100),
        np.full((2, 3), 0.3),
        [-1, -100],
        {},
        r"label -1 outside \[0, 3\)",
    ),
    "every label ignored": (
        SparseCategoricalCrossEntropy(ignore_index=-100),
        np.full((2, 3), 0.3),
        [-100, -100],
        {},
        r"total weight of the labels, which is 0: every label is ignore_index=-100 "
        r"\(PyTorch gives NaN\); use reduction='sum'",
    ),
    "labels kept all of weight 0": (
        SparseCategoricalCrossEntropy(weight=[0.0, 1.0, 1.0]),
        np.full((2, 3), 0.3),
        [0, 0],
        {},
        r"the classes of the labels kept all have weight 0",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_value_error(case):
    loss, y_pred, y_true, kwargs, match = BAD_INPUTS[case]
    assert_refused(loss, y_pred, y_true, match, **kwargs)


def test_sum_and_none_over_ignored_labels_are_zero():
    loss = SparseCategoricalCrossEntropy(ignore_index=-100)
    y_pred, labels = np.full((2, 3), 0.3), np.array([-100, -100])
    assert loss(y_pred, labels, "sum") == 0.0
    np.testing.assert_array_equal(loss(y_pred, labels, "none"), [0.0, 0.0])
    np.testing.assert_array_equal(loss.grad(y_pred, labels, "sum"), np.zeros((2, 3)))


# (class, keyword arguments, what the message must say)
BAD_OPTIONS = {
    "negative weight": (
        SparseCategoricalCrossEntropy,
        {"weight": [1.0, -0.5]},
        r"weight must hold non-negative class weights, found -0.5",
    ),
    "NaN weight": (CategoricalCrossEntropy, {"weight": [1.0, np.nan]}, r"weight contains 1 non"),
    "2-D weight": (CategoricalCrossEntropy, {"weight": np.ones((2, 2))}, r"weight must be 1-D"),
    "empty weight": (SparseCategoricalCrossEntropy, {"weight": []}, r"weight is empty"),
    "text weight": (SparseCategoricalCrossEntropy, {"weight": ["a"]}, r"weight must be an array"),
    "smoothing above 1": (
        CategoricalCrossEntropy,
        {"label_smoothing": 1.5},
        r"label_smoothing must be a number in \[0, 1\], got 1.5",
    ),
    "negative smoothing": (
        SparseCategoricalCrossEntropy,
        {"label_smoothing": -0.1},
        r"label_smoothing must be a number in \[0, 1\]",
    ),
    "smoothing True": (CategoricalCrossEntropy, {"label_smoothing": True}, r"got True"),
    "smoothing text": (CategoricalCrossEntropy, {"label_smoothing": "0.1"}, r"got '0.1'"),
    "float ignore_index": (
        SparseCategoricalCrossEntropy,
        {"ignore_index": -100.0},
        r"ignore_index must be an integer label or None, got -100.0",
    ),
    "bool ignore_index": (
        SparseCategoricalCrossEntropy,
        {"ignore_index": True},
        r"ignore_index must be an integer label or None, got True",
    ),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_bad_options_are_refused(case):
    cls, kwargs, match = BAD_OPTIONS[case]
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError, match=r"SparseCategoricalCrossEntropy\(from_logits=False, \*,"):
        SparseCategoricalCrossEntropy(True, [1.0, 2.0])


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("label_smoothing", 2.0, "label_smoothing must be a number in"),
        ("weight", [-1.0, 1.0, 1.0], "non-negative class weights"),
        ("ignore_index", "pad", "ignore_index must be an integer"),
    ],
)
def test_assigning_a_bad_option_is_refused_and_changes_nothing(setting, value, message):
    loss = SparseCategoricalCrossEntropy(
        True, weight=[1.0, 2.0, 3.0], ignore_index=-1, label_smoothing=0.1
    )
    before = getattr(loss, setting)
    with pytest.raises(ValueError, match=message):
        setattr(loss, setting, value)
    np.testing.assert_array_equal(getattr(loss, setting), before)


def test_options_assigned_later_take_effect():
    loss = SparseCategoricalCrossEntropy(from_logits=True)
    z, labels = np.zeros((2, 3)), np.array([0, 1])
    loss.weight = [3.0, 1.0, 1.0]
    loss.ignore_index = 1
    assert loss(z, labels) == pytest.approx(LOG3)  # only the first example, of weight 3
    loss.label_smoothing = 1.0
    # a = w / 3 = (1, 1/3, 1/3), sum 5/3; softmax 1/3; divided by the weight 3 of label 0
    expected = (np.full(3, 5 / 9) - [1, 1 / 3, 1 / 3]) / 3
    np.testing.assert_allclose(loss.grad(z, labels)[0], expected, rtol=1e-14)


def test_the_weights_are_a_read_only_copy():
    weight = np.array([1.0, 2.0])
    loss = CategoricalCrossEntropy(weight=weight)
    weight[0] = 100.0  # the caller's array changes later: the loss's does not
    np.testing.assert_array_equal(loss.weight, [1.0, 2.0])
    assert loss.weight.dtype == np.float64 and not loss.weight.flags.writeable


def test_reprs_show_the_options_that_are_set():
    assert repr(cce) == "CategoricalCrossEntropy(from_logits=False)"
    assert (
        repr(CategoricalCrossEntropy(True, label_smoothing=0.1))
        == "CategoricalCrossEntropy(from_logits=True, label_smoothing=0.1)"
    )
    assert repr(SparseCategoricalCrossEntropy(weight=[1, 2], ignore_index=-100)) == (
        "SparseCategoricalCrossEntropy(from_logits=False, weight=array([1., 2.]), "
        "ignore_index=-100)"
    )
    assert (
        repr(SparseCategoricalCrossEntropy(True))
        == "SparseCategoricalCrossEntropy(from_logits=True)"
    )
    assert repr(BinaryCrossEntropy(from_logits=True)) == "BinaryCrossEntropy(from_logits=True)"


# --- from_logits ------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls", [BinaryCrossEntropy, CategoricalCrossEntropy, SparseCategoricalCrossEntropy]
)
@pytest.mark.parametrize("from_logits", [1, 0, "yes", None, 1.0])
def test_from_logits_must_be_a_bool(cls, from_logits):
    with pytest.raises(ValueError, match="from_logits must be True or False"):
        cls(from_logits=from_logits)


def test_accepted_variants_of_input():
    y_pred = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    assert sparse_cce(y_pred, np.array([2.0, 0.0])) == sparse_cce(y_pred, np.array([2, 0]))
    assert sparse_cce(y_pred, np.array([2, 0], np.uint8)) == sparse_cce(y_pred, [2, 0])
    assert BinaryCrossEntropy(from_logits=np.True_).from_logits is True
    ignoring = SparseCategoricalCrossEntropy(ignore_index=np.int16(-1))
    assert ignoring.ignore_index == -1 and type(ignoring.ignore_index) is int


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


def test_inputs_are_not_modified():
    for name in ("sparse_cce_logits", "sparse_cce_logits_options", "sparse_cce_weight_ignore"):
        y_pred, y_true = smooth_inputs(name, np.random.default_rng(5))
        before = y_pred.copy()
        LOSSES[name].grad(y_pred, y_true)
        np.testing.assert_array_equal(y_pred, before)


def test_swapped_sparse_arguments_are_named():
    """Keras's order is (y_true, y_pred); optlib's and PyTorch's is (y_pred, y_true)."""
    probabilities, labels = small_inputs("sparse_cce")
    one_hot = np.eye(2)[labels]
    with pytest.raises(ValueError, match=r"are the arguments swapped\? optlib, like PyTorch"):
        sparse_cce(labels.astype(float), probabilities)
    with pytest.raises(ValueError, match=r"are the arguments swapped"):
        sparse_cce.grad(labels, one_hot)


@pytest.mark.parametrize("name", ["cce", "cce_logits", "sparse_cce", "sparse_cce_logits"])
def test_zero_dimensional_inputs_are_refused_by_categorical_losses(name):
    with pytest.raises(ValueError, match=r"y_pred must be 2-D \(n examples by C classes\)"):
        LOSSES[name](np.float64(0.5), np.float64(1.0))


def test_torch_warns_of_nothing_here():
    """optlib's checks and formulas give no warning (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SparseCategoricalCrossEntropy(True, label_smoothing=0.2)(np.zeros((1, 2)), [0])
