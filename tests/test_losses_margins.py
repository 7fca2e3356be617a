"""Tests for optlib/losses/margins.py: hinge, squared hinge and the multi-class margin loss.

The hinge and squared hinge (Keras 3's ``Hinge`` and ``SquaredHinge``) have no
PyTorch counterpart: they are checked against closed forms worked out by hand,
finite differences (tests/test_losses_base.py), and, on two columns, against
``F.multi_margin_loss``. The multi-margin loss is compared with
``F.multi_margin_loss`` live when torch is installed and always through
tests/reference/losses.npz.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    DTYPES,
    RTOL,
    assert_parity,
    check_live,
    check_stored,
    live_parity_cases,
    make_losses,
    stored_parity_cases,
)

from optlib.losses import Hinge, MultiMarginLoss, SquaredHinge, hinge, multi_margin, squared_hinge

MULTI_MARGIN = make_losses.MULTI_MARGIN
hypothesis_settings = settings(max_examples=40, deadline=None)

# --- hinge and squared hinge: closed forms -------------------------------------------

# (loss, scores, labels, per-element values, per-element gradients), by hand:
# 1 - y s is the shortfall; the hinge is its positive part, the squared hinge its square.
CLOSED_FORMS = {
    "hinge, labels -1 and 1": (
        hinge,
        [2.0, 0.5, -1.0, -3.0, 0.25],
        [1.0, 1.0, 1.0, -1.0, -1.0],
        [0.0, 0.5, 2.0, 0.0, 1.25],
        [0.0, -1.0, -1.0, 0.0, 1.0],
    ),
    "hinge at the kink y s = 1: gradient 0": (
        hinge,
        [1.0, -1.0],
        [1.0, -1.0],
        [0.0, 0.0],
        [0.0, 0.0],
    ),
    "hinge, labels 0 and 1 become -1 and 1": (
        hinge,
        [2.0, 0.5, -1.0, -3.0, 0.25],
        [1.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 0.5, 2.0, 0.0, 1.25],
        [0.0, -1.0, -1.0, 0.0, 1.0],
    ),
    "squared hinge": (
        squared_hinge,
        [2.0, 0.5, -1.0, -3.0, 0.25, 1.0],
        [-1.0, 1.0, 1.0, -1.0, -1.0, 1.0],
        [9.0, 0.25, 4.0, 0.0, 1.5625, 0.0],
        [6.0, -1.0, -4.0, 0.0, 2.5, 0.0],
    ),
    "squared hinge, labels 0 and 1": (
        squared_hinge,
        [2.0, 0.5],
        [0.0, 1.0],
        [9.0, 0.25],
        [6.0, -1.0],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CLOSED_FORMS)
def test_closed_forms(case, dtype):
    loss, scores, labels, values, grads = CLOSED_FORMS[case]
    scores, labels = np.asarray(scores, dtype), np.asarray(labels, dtype)
    n = len(values)
    for reduction, value, grad in [
        ("none", values, grads),
        ("sum", np.sum(values), grads),
        ("mean", np.sum(values) / n, np.asarray(grads) / n),
    ]:
        np.testing.assert_allclose(loss(scores, labels, reduction), value, rtol=1e-7)
        np.testing.assert_allclose(loss.grad(scores, labels, reduction), grad, rtol=1e-7)
        assert loss.grad(scores, labels, reduction).dtype == dtype


def test_the_examples_of_keras_3s_documentation():
    """keras.losses.Hinge and SquaredHinge (Keras 3.6 docs): labels [[0, 1], [0, 0]] are
    binary, so read as [[-1, 1], [-1, -1]]; Keras gives 1.3 and 1.86."""
    y_true, y_pred = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
    assert hinge(y_pred, y_true) == pytest.approx(1.3, rel=1e-15)
    assert squared_hinge(y_pred, y_true) == pytest.approx(1.86, rel=1e-15)


def test_all_labels_one_read_the_same_either_way():
    """Keras converts only when every label is 0 or 1; labels all 1 stay 1 both ways."""
    scores = np.array([0.5, -2.0])
    assert hinge(scores, np.ones(2)) == hinge(scores, np.array([1, 1])) == 0.5 * (0.5 + 3.0)
    assert hinge(scores, np.zeros(2), "sum") == 1.5 + 0.0  # all 0: all -1


def test_keras_mean_is_the_mean_over_all_elements():
    """Keras averages over the last axis, then over the rows: the same for equal rows."""
    scores = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
    labels = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
    per_row = np.maximum(1 - labels * scores, 0).mean(axis=-1)  # Keras's per-sample loss
    assert hinge(scores, labels) == pytest.approx(per_row.mean(), rel=1e-15)


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([1.0, 0.0, -1.0], r"found both 0 and -1"),
        ([1.0, 0.5], r"found 0.5"),
        ([2.0, 1.0], r"labels in \{-1, 1\}, or in \{0, 1\} \(converted to -1, 1 as Keras"),
        ([True, False], None),  # booleans are the numbers they hold: accepted
    ],
)
def test_labels_must_be_signs_or_binary(labels, match):
    scores = np.zeros(len(labels))
    for loss in (hinge, squared_hinge):
        if match is None:
            assert loss(scores, np.array(labels)) == 1.0  # every shortfall is 1
            continue
        with pytest.raises(ValueError, match=match):
            loss(scores, np.array(labels))


@pytest.mark.torch
@settings(max_examples=40, deadline=None)
@given(data=st.data(), squared=st.booleans(), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_hinge_is_twice_torchs_multi_margin_on_two_columns(data, squared, reduction):
    """For a score s and label y in {-1, 1}, PyTorch's multi-margin loss on the two
    class scores (-s/2, s/2) with the label's class (y + 1)/2 is max(0, 1 - y s)^p / 2."""
    torch = pytest.importorskip("torch")
    n = data.draw(st.integers(1, 8))
    s = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-5, 5) | st.just(1.0)))
    y = data.draw(hnp.arrays(np.float64, n, elements=st.sampled_from([-1.0, 1.0])))
    columns = torch.tensor(np.stack([-s / 2, s / 2], axis=1), requires_grad=True)
    classes = torch.tensor(((y + 1) / 2).astype(np.int64))
    p = 2 if squared else 1
    expected = 2 * torch.nn.functional.multi_margin_loss(
        columns, classes, p=p, reduction="sum" if reduction == "none" else reduction
    )
    expected.backward()
    loss = squared_hinge if squared else hinge
    value = loss(s, y, reduction)
    assert_parity(np.sum(value), expected.item(), RTOL["float64"])
    # d/ds = (d/d columns) . (-1/2, 1/2)
    expected_grad = columns.grad.numpy() @ np.array([-0.5, 0.5])
    assert_parity(loss.grad(s, y, reduction), expected_grad, RTOL["float64"])


# --- multi-margin: parity with PyTorch ---------------------------------------------------


@pytest.mark.parametrize(("case", "reduction"), stored_parity_cases(MULTI_MARGIN))
def test_matches_stored_torch_reference(case, reduction):
    check_stored(case, reduction)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "inputs", "reduction", "dtype"), live_parity_cases(MULTI_MARGIN))
def test_matches_live_torch(name, inputs, reduction, dtype):
    pytest.importorskip("torch")
    check_live(name, inputs, reduction, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p", [1, 2])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_multi_margin_matches_torch(p, weighted, reduction, data):
    """Any margin; scores on a grid of quarters, so that violations of exactly 0 (the
    kink, gradient 0 in both) and ties occur."""
    pytest.importorskip("torch")
    n, n_classes = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 5))
    quarters = st.integers(-12, 12).map(lambda k: k / 4)
    scores = data.draw(
        hnp.arrays(np.float64, (n, n_classes), elements=quarters | st.floats(-1e3, 1e3))
    )
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    margin = data.draw(st.sampled_from([1.0, 0.5, 0.0]) | st.floats(-2, 5))
    weight = None
    if weighted:
        weight = data.draw(hnp.arrays(np.float64, n_classes, elements=st.floats(0, 3)))
    expected_value, expected_grad = make_losses.torch_value_and_grad(
        make_losses.torch_multi_margin(p, margin, weight), scores, labels, reduction
    )
    value, grad = MultiMarginLoss(p, margin, weight).value_and_grad(scores, labels, reduction)
    assert_parity(value, expected_value, RTOL["float64"])
    assert_parity(grad, expected_grad, RTOL["float64"])


# --- multi-margin: closed forms ----------------------------------------------------------


def test_multi_margin_by_hand():
    scores, labels = np.array([[2.0, 1.5, -1.0], [0.0, 0.0, 0.0]]), np.array([0, 2])
    # row 1: violations (1 - 2 + 1.5, 1 - 2 - 1) = (0.5, -2); row 2: (1, 1). Divided by C = 3.
    np.testing.assert_allclose(multi_margin(scores, labels, "none"), [0.5 / 3, 2 / 3])
    np.testing.assert_allclose(
        multi_margin.grad(scores, labels, "none"),
        [[-1 / 3, 1 / 3, 0.0], [1 / 3, 1 / 3, -2 / 3]],
        rtol=1e-15,
    )
    squared = MultiMarginLoss(p=2, weight=[2.0, 1.0, 0.5])  # w_k multiplies v^2, not (w v)^2
    np.testing.assert_allclose(
        squared(scores, labels, "none"), [2 * 0.25 / 3, 0.5 * (1 + 1) / 3], rtol=1e-15
    )
    np.testing.assert_allclose(
        squared.grad(scores, labels, "none"),
        [[-2 * 2 * 0.5 / 3, 2 * 2 * 0.5 / 3, 0.0], [0.5 * 2 / 3, 0.5 * 2 / 3, -0.5 * 4 / 3]],
        rtol=1e-15,
    )
    assert MultiMarginLoss(margin=0.0)(np.array([[1.0, 1.0]]), np.array([0])) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_huge_scores_are_finite(dtype):
    scores = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype)
    loss = MultiMarginLoss(p=2)
    with np.errstate(all="raise"):
        # row 1 wins by far; row 2: violations 1 + 2e4 twice, squared, over 3
        np.testing.assert_allclose(loss(scores, [0, 0], "none"), [0.0, 2 * (1 + 2e4) ** 2 / 3])
        np.testing.assert_allclose(
            loss.grad(scores, [0, 0], "none")[1], np.array([-4, 2, 2]) * (1 + 2e4) / 3
        )


# --- settings and bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_", "match"),
    [
        ({"p": 3}, r"p must be 1 or 2, got 3"),
        ({"p": True}, r"p must be 1 or 2, got True"),
        ({"p": "1"}, r"p must be 1 or 2, got '1'"),
        ({"margin": np.inf}, r"margin must be a finite number, got inf"),
        ({"margin": "1"}, r"margin must be a finite number"),
        ({"weight": [1.0, -1.0]}, r"weight must hold non-negative class weights"),
    ],
)
def test_bad_settings_are_refused(settings_, match):
    with pytest.raises(ValueError, match=match):
        MultiMarginLoss(**settings_)


@pytest.mark.parametrize(
    ("loss", "scores", "labels", "match"),
    [
        (multi_margin, [[1.0, 2.0]], [2], r"label 2 outside \[0, 2\)"),
        (multi_margin, [1.0, 2.0], [0, 1], r"y_pred must be 2-D"),
        (MultiMarginLoss(weight=[1.0, 2.0]), [[1.0, 2.0, 3.0]], [0], r"one weight per class"),
        (multi_margin, [[1.0, 2.0]], [0.5], r"integer class labels"),
    ],
)
def test_bad_input_raises_value_error(loss, scores, labels, match):
    with pytest.raises(ValueError, match=match):
        loss(scores, labels)


def test_a_logistic_model_trains_its_scores_with_the_hinge():
    """from_logits is True: LogisticRegression hands the hinge its logits, the scores."""
    from optlib.models import LogisticRegression

    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6).astype(float)
    model = LogisticRegression(3)
    model.params[0][:] = rng.standard_normal(model.params[0].shape)
    z = model.logits(X)
    for loss in (hinge, squared_hinge):
        value, (grad_w, _) = model.loss_and_grads(X, y, loss)
        assert value == pytest.approx(loss(z, y), rel=1e-14)
        np.testing.assert_allclose(grad_w[:, 0], X.T @ loss.grad(z, y), rtol=1e-13, atol=1e-15)


def test_reprs():
    assert repr(Hinge()) == "Hinge()" and repr(SquaredHinge()) == "SquaredHinge()"
    assert (
        repr(MultiMarginLoss(p=2, margin=0.5, weight=[1, 2]))
        == "MultiMarginLoss(p=2, margin=0.5, weight=array([1., 2.]))"
    )
    loss = MultiMarginLoss()
    loss.p = 2.0
    assert loss.p == 2 and type(loss.p) is int
