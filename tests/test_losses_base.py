"""Tests for optlib/losses/base.py: what every loss shares, checked on every loss.

The gradient against finite differences, the reductions, dtypes, inputs that
are refused (matrices, masked arrays, unknown reductions, a class called on
the data), and the reference data's coverage. The cases and inputs come from
``tests/loss_parity.py``; each family's own values are tested in its
``tests/test_losses_<module>.py``. Every expected number comes from outside
optlib: PyTorch, central finite differences, or a closed form worked out by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from loss_parity import (
    CATEGORICAL,
    DTYPES,
    FOCAL,
    LOSSES,
    PER_ROW,
    REDUCTIONS,
    REGRESSION,
    TORCH_REFERENCE,
    as_dtype,
    assert_refused,
    make_losses,
    mean_divisor,
    numerical_grad,
    reductions,
    reference_cases,
    small_inputs,
    smooth_inputs,
)

import optlib
import optlib.losses
from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    GaussianNLLLoss,
    Hinge,
    Huber,
    KLDivergence,
    MeanAbsoluteError,
    MeanSquaredError,
    MultiMarginLoss,
    PoissonNLLLoss,
    SigmoidFocalLoss,
    SparseCategoricalCrossEntropy,
    SquaredHinge,
    bce,
    cce,
    gaussian_nll,
    huber,
    kl_div,
    mae,
    mse,
    sparse_cce,
)

hypothesis_settings = settings(max_examples=40, deadline=None)

# --- gradients against finite differences ------------------------------------------


@pytest.mark.parametrize(
    ("name", "reduction"), [(name, r) for name in LOSSES for r in reductions(name)]
)
def test_grad_matches_finite_differences_float64(name, reduction):
    loss = LOSSES[name]
    y_pred, *data = smooth_inputs(name, np.random.default_rng(0))

    def objective(x):  # for "none", the sum of the per-element losses
        return np.sum(loss(x, *data, reduction))

    expected = numerical_grad(objective, y_pred, h=1e-6)
    np.testing.assert_allclose(loss.grad(y_pred, *data, reduction), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("name", "reduction"), [(name, r) for name in LOSSES for r in reductions(name)]
)
def test_grad_matches_finite_differences_float32(name, reduction):
    """The float32 gradient against float64 finite differences at the same float32 inputs."""
    loss = LOSSES[name]
    inputs = [as_dtype(a, np.float32) for a in smooth_inputs(name, np.random.default_rng(1))]
    y_pred, *data = inputs
    data64 = [as_dtype(a, np.float64) for a in data]

    def objective(x):
        return np.sum(loss(x, *data64, reduction))

    expected = numerical_grad(objective, y_pred.astype(np.float64), h=1e-6)
    grad = loss.grad(y_pred, *data, reduction)
    assert grad.dtype == np.float32
    # atol: the clamped variance of the Gaussian NLL makes gradients of order 1e6
    scale = max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-6 * scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LOSSES)
def test_reductions_are_mean_and_sum_of_none(name, dtype):
    loss = LOSSES[name]
    inputs = tuple(as_dtype(a, dtype) for a in smooth_inputs(name, np.random.default_rng(2)))
    y_pred = inputs[0]
    losses = loss(*inputs, "none")
    n = len(y_pred) if name in PER_ROW else y_pred.size
    assert losses.shape == ((n,) if name in PER_ROW else y_pred.shape)
    divisor = mean_divisor(name, inputs)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    total = losses.sum(dtype=np.float64)
    np.testing.assert_allclose(loss(*inputs, "sum"), total, rtol=rtol)
    np.testing.assert_allclose(loss(*inputs, "mean"), total / divisor, rtol=rtol)
    grad_sum = loss.grad(*inputs, "sum")
    np.testing.assert_array_equal(loss.grad(*inputs, "none"), grad_sum)
    np.testing.assert_allclose(loss.grad(*inputs, "mean"), grad_sum / divisor, rtol=rtol)


@pytest.mark.parametrize("name", LOSSES)
def test_value_and_grad_agrees_with_call_and_grad(name):
    loss = LOSSES[name]
    inputs = smooth_inputs(name, np.random.default_rng(4))
    value, grad = loss.value_and_grad(*inputs, "sum")
    assert value == loss(*inputs, "sum")
    np.testing.assert_array_equal(grad, loss.grad(*inputs, "sum"))


# --- dtypes -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", LOSSES)
def test_dtype_is_kept(name, dtype):
    loss = LOSSES[name]
    y_pred, *data = smooth_inputs(name, np.random.default_rng(3))
    y_pred = y_pred.astype(dtype)
    for data_dtype in DTYPES:  # the targets' own dtype does not matter
        targets = [as_dtype(a, data_dtype) for a in data]
        for reduction in ("mean", "sum"):
            value = loss(y_pred, *targets, reduction)
            assert isinstance(value, np.floating) and value.dtype == dtype
        assert loss(y_pred, *targets, "none").dtype == dtype
        for reduction in REDUCTIONS:
            grad = loss.grad(y_pred, *targets, reduction)
            assert grad.dtype == dtype and grad.shape == y_pred.shape


def test_integer_and_list_inputs_become_float64():
    assert mse([1, 2], [0, 0]) == 2.5 and mse([1, 2], [0, 0]).dtype == np.float64
    assert mse.grad(np.array([1, 2]), np.array([0, 0])).dtype == np.float64
    logits = np.array([[1, 1], [3, 3]])
    assert CategoricalCrossEntropy(from_logits=True)(logits, [[1, 0], [0, 1]]) == pytest.approx(
        np.log(2)
    )
    assert bce(np.array([0.5]), np.array([True])) == pytest.approx(np.log(2))
    assert gaussian_nll([1, 3], [1, 1], [1, 2]).dtype == np.float64


@pytest.mark.parametrize("name", ["mse", "mae", "bce", "bce_logits", "cce", "cce_logits"])
def test_bool_and_integer_targets_are_the_numbers_they_hold(name):
    """As torch computes on the same targets as floats (torch refuses bool targets)."""
    y_pred, y_true = small_inputs(name)
    loss = LOSSES[name]
    for targets in (y_true.astype(bool), y_true.astype(np.int8), y_true.astype(np.uint64)):
        assert loss(y_pred, targets, "sum") == loss(y_pred, y_true, "sum")
        np.testing.assert_array_equal(loss.grad(y_pred, targets), loss.grad(y_pred, y_true))


# --- the reference data ---------------------------------------------------------------


def test_every_case_has_an_optlib_loss_and_a_torch_expression():
    assert set(make_losses.TORCH_LOSSES) == set(make_losses.OPTLIB_LOSSES)
    assert set(make_losses.OPTLIB_LOSSES) <= set(LOSSES)


def test_reference_file_covers_every_case_and_dtype():
    stored = {tuple(case.split("/")) for case in reference_cases(tuple(LOSSES))}
    expected = {
        (name, np.dtype(dtype).name, inputs)
        for name in make_losses.TORCH_LOSSES
        for inputs in ("random", "edge")
        if inputs == "random" or make_losses.make_inputs(name, "edge", None) is not None
        for dtype in DTYPES
    }
    assert stored == expected
    for name, dtype, inputs in stored:
        for reduction in reductions(name):
            assert f"{name}/{dtype}/{inputs}/{reduction}/grad" in TORCH_REFERENCE


# --- properties (hypothesis) --------------------------------------------------------


def unit_floats(low=0.0, high=1.0):
    return st.floats(low, high, allow_nan=False, allow_subnormal=False)


@st.composite
def valid_inputs(draw, name):
    """Any valid (y_pred, y_true) for loss ``name``, over wide ranges."""
    n, n_classes = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    if name in REGRESSION:
        shape = draw(hnp.array_shapes(max_dims=3, max_side=4))
        wide = st.floats(-1e6, 1e6)
        return draw(hnp.arrays(np.float64, shape, elements=wide)), draw(
            hnp.arrays(np.float64, shape, elements=wide)
        )
    if name in ("hinge", "squared_hinge"):
        shape = draw(hnp.array_shapes(max_dims=2, max_side=5))
        scores = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e4, 1e4)))
        return scores, draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    settings_ = make_losses.OPTLIB_LOSSES[name][1]
    n_classes = 5 if "weight" in settings_ else n_classes
    elementwise = name.startswith("bce") or name in FOCAL
    shape = (n,) if elementwise else (n, n_classes)
    logits = settings_.get("from_logits", False) or name in FOCAL or "margin" in name
    pred = st.floats(-1e4, 1e4) if logits else unit_floats()
    y_pred = draw(hnp.arrays(np.float64, shape, elements=pred))
    if name.startswith("sparse") or "margin" in name:
        return y_pred, draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    return y_pred, draw(hnp.arrays(np.float64, shape, elements=unit_floats()))


NON_NEGATIVE = (*REGRESSION, "bce", "bce_logits", *CATEGORICAL, *FOCAL, "hinge", "squared_hinge")
NON_NEGATIVE += make_losses.MULTI_MARGIN


@pytest.mark.parametrize("name", NON_NEGATIVE)
@hypothesis_settings
@given(data=st.data())
def test_losses_are_non_negative_and_finite(name, data):
    loss = LOSSES[name]
    y_pred, y_true = data.draw(valid_inputs(name))
    with np.errstate(all="raise"):
        losses, grad = loss(y_pred, y_true, "none"), loss.grad(y_pred, y_true, "none")
    assert np.all(losses >= 0) and np.all(np.isfinite(losses)) and np.all(np.isfinite(grad))


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
    "NaN in y_pred": (mse, [1.0, np.nan], [0.0, 0.0], {}, r"y_pred contains 1 non-finite"),
    "inf in y_pred": (
        BinaryCrossEntropy(True),
        [np.inf],
        [0.0],
        {},
        r"y_pred contains 1 non-finite",
    ),
    "NaN in y_true": (huber, [1.0, 2.0], [np.nan, np.nan], {}, r"y_true contains 2 non-finite"),
    "unknown reduction": (
        mse,
        [1.0],
        [0.0],
        {"reduction": "avg"},
        r"'mean', 'sum', 'none', got 'avg'",
    ),
    "reduction None": (bce, [0.5], [1.0], {"reduction": None}, r"reduction must be one of"),
    "kl reduction": (
        kl_div,
        [-1.0],
        [0.5],
        {"reduction": "batch_mean"},
        r"'mean', 'sum', 'none', 'batchmean', got 'batch_mean'",
    ),
    "empty": (mse, [], [], {}, r"y_pred is empty"),
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
    assert_refused(loss, y_pred, y_true, match, **kwargs)


def matrix(values):
    """An np.matrix, whose creation NumPy warns about (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(values)


ARGUMENTS = [
    (name, which, argument)
    for name in sorted(LOSSES)
    for which, argument in enumerate(("y_pred", "y_true", "var")[: len(small_inputs(name))])
]


@pytest.mark.parametrize("kind", ["matrix", "masked", "masked-nothing-masked"])
@pytest.mark.parametrize(("name", "which", "argument"), ARGUMENTS)
def test_matrices_and_masked_arrays_are_refused(name, which, argument, kind):
    """A matrix's * is the matrix product and a masked array's masked entries were used
    as numbers: both gave wrong losses without a word."""
    inputs = list(small_inputs(name))
    target = inputs[which]
    if kind == "matrix":
        if target.ndim == 1:  # sparse labels: a matrix is always 2-D
            target = target[None, :]
        inputs[which] = matrix(target)
        expected = rf"{argument} is a numpy.matrix.*np.asarray\({argument}\)"
    else:
        mask = np.zeros(target.shape, bool)
        mask.flat[-1] = kind == "masked"
        inputs[which] = np.ma.masked_array(target, mask=mask)
        expected = rf"{argument} is a masked array.*{argument}.filled"
    loss = LOSSES[name]
    with pytest.raises(TypeError, match=expected):
        loss(*inputs)
    with pytest.raises(TypeError, match=expected):
        loss.grad(*inputs, reduction="sum")


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
    for name in ("mse", "bce", "sparse_cce"):
        loss, (y_pred, y_true) = LOSSES[name], small_inputs(name)
        with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none', "):
            loss(y_pred, y_true, reduction=reduction)
        with pytest.raises(ValueError, match=message):
            loss.grad(y_pred, y_true, reduction=reduction)


@pytest.mark.parametrize("name", sorted(set(LOSSES) - set(make_losses.KL)))
def test_only_the_kl_divergence_takes_batchmean(name):
    with pytest.raises(ValueError, match="only KLDivergence takes 'batchmean'"):
        LOSSES[name](*small_inputs(name), reduction="batchmean")


@pytest.mark.parametrize("name", (*REGRESSION, "bce", "bce_logits", "kl_div", "hinge"))
def test_zero_dimensional_inputs_are_one_element(name):
    """torch accepts 0-d tensors for element-wise losses; the value is the one element's."""
    y_pred = np.float64(-0.3 if name == "kl_div" else 0.3)
    y_true = np.float64(0.5 if name == "kl_div" else 1.0)
    loss = LOSSES[name]
    value, grad = loss(y_pred, y_true), loss.grad(y_pred, y_true)
    one_value = loss(np.array([y_pred]), np.array([y_true]))
    one_grad = loss.grad(np.array([y_pred]), np.array([y_true]))
    assert np.shape(value) == () and np.shape(grad) == ()
    assert value == one_value[()] and grad == one_grad[0]
    assert loss(y_pred, y_true, reduction="none").shape == ()


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
    # "batchmean" of a 0-d input divides by 1, as in torch
    expected = F.kl_div(-y_pred, y_true / 2, reduction="batchmean")
    assert kl_div(-0.3, 0.5, reduction="batchmean") == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_no_loss_modifies_its_inputs(name):
    inputs = small_inputs(name)
    before = [array.copy() for array in inputs]
    loss = LOSSES[name]
    for reduction in reductions(name):
        loss.value_and_grad(*inputs, reduction)
    for array, copy in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(array, copy)


# --- the public surface ---------------------------------------------------------------

INSTANCES = {
    "mse": (MeanSquaredError, "MeanSquaredError()"),
    "mae": (MeanAbsoluteError, "MeanAbsoluteError()"),
    "huber": (Huber, "Huber(delta=1.0)"),
    "bce": (BinaryCrossEntropy, "BinaryCrossEntropy(from_logits=False)"),
    "cce": (CategoricalCrossEntropy, "CategoricalCrossEntropy(from_logits=False)"),
    "sparse_cce": (
        SparseCategoricalCrossEntropy,
        "SparseCategoricalCrossEntropy(from_logits=False)",
    ),
    "kl_div": (KLDivergence, "KLDivergence(log_target=False)"),
    "sigmoid_focal": (SigmoidFocalLoss, "SigmoidFocalLoss(alpha=0.25, gamma=2.0)"),
    "hinge": (Hinge, "Hinge()"),
    "squared_hinge": (SquaredHinge, "SquaredHinge()"),
    "multi_margin": (MultiMarginLoss, "MultiMarginLoss(p=1, margin=1.0)"),
    "poisson_nll": (PoissonNLLLoss, "PoissonNLLLoss(log_input=True, full=False, eps=1e-08)"),
    "gaussian_nll": (GaussianNLLLoss, "GaussianNLLLoss(full=False, eps=1e-06)"),
}


@pytest.mark.parametrize("instance", INSTANCES)
def test_instances_have_the_default_settings_and_say_so(instance):
    cls, shown = INSTANCES[instance]
    loss = getattr(optlib.losses, instance)
    assert type(loss) is cls and repr(loss) == shown == repr(cls())
    assert getattr(optlib, instance) is loss and getattr(optlib, cls.__name__) is cls
    assert instance in optlib.losses.__all__ and cls.__name__ in optlib.losses.__all__


def test_the_package_exports_what_it_names():
    assert all(hasattr(optlib.losses, name) for name in optlib.losses.__all__)
    for name in ("sigmoid", "softmax", "entropy", "cross_entropy", "Loss", "EPS", "LOG_FLOOR"):
        assert name in optlib.losses.__all__
    assert optlib.losses.REDUCTIONS == ("mean", "sum", "none")


def test_what_the_chapters_show_is_where_they_look():
    """The chapters show these with optlib.show_source, by these dotted paths."""
    shown = [
        optlib.losses.BinaryCrossEntropy._losses_and_grads,
        optlib.losses.Huber._losses_and_grads,
        optlib.losses.Loss.value_and_grad,
        optlib.losses.MeanSquaredError._losses_and_grads,
        optlib.losses.MeanAbsoluteError._losses_and_grads,
        optlib.losses.SparseCategoricalCrossEntropy._losses_and_grads,
        optlib.losses._log_softmax_and_softmax,
    ]
    for function in shown:
        text = repr(optlib.show_source(function))
        assert text.startswith("# optlib/losses/") and "def " in text


@pytest.mark.parametrize(
    "cls",
    [
        BinaryCrossEntropy,
        CategoricalCrossEntropy,
        KLDivergence,
        SigmoidFocalLoss,
        MultiMarginLoss,
        PoissonNLLLoss,
        GaussianNLLLoss,
    ],
)
def test_a_loss_class_called_on_data_says_to_build_it_first(cls):
    y_pred, _ = small_inputs("cce")
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name} is a class: .* {name}\(\)\(y_pred, y_true"):
        cls(y_pred)


@pytest.mark.parametrize(
    ("cls", "instance", "arguments"),
    [
        (MeanSquaredError, "mse", "y_pred, y_true"),
        (MeanAbsoluteError, "mae", "y_pred, y_true"),
        (Huber, "huber", "y_pred, y_true"),
        (BinaryCrossEntropy, "bce", "y_pred, y_true"),
        (CategoricalCrossEntropy, "cce", "y_pred, y_true"),
        (SparseCategoricalCrossEntropy, "sparse_cce", "y_pred, y_true"),
        (KLDivergence, "kl_div", "y_pred, y_true"),
        (SigmoidFocalLoss, "sigmoid_focal", "y_pred, y_true"),
        (Hinge, "hinge", "y_pred, y_true"),
        (SquaredHinge, "squared_hinge", "y_pred, y_true"),
        (MultiMarginLoss, "multi_margin", "y_pred, y_true"),
        (PoissonNLLLoss, "poisson_nll", "y_pred, y_true"),
        (GaussianNLLLoss, "gaussian_nll", "y_pred, y_true, var"),
    ],
)
def test_a_loss_class_called_with_the_arrays_says_to_build_it_first(cls, instance, arguments):
    # MeanSquaredError(y_pred, y_true) used to say only "takes no arguments".
    name = cls.__name__
    with pytest.raises((TypeError, ValueError)) as info:
        cls(np.full((2, 2), 0.5), np.eye(2), np.ones((2, 2)), np.ones(2))
    assert f"{name} is a class" in str(info.value)
    assert f"{name}()({arguments})" in str(info.value)
    assert f"{instance}({arguments})" in str(info.value)


def test_wrong_arguments_to_a_loss_class_name_its_signature():
    with pytest.raises(TypeError, match=r"^MeanSquaredError\(\): too many positional"):
        MeanSquaredError(1)
    with pytest.raises(TypeError, match=r"^Huber\(delta=1\.0\): got an unexpected keyword"):
        Huber(threshold=1.0)
    with pytest.raises(
        TypeError, match=r"^SigmoidFocalLoss\(alpha=0\.25, gamma=2\.0, reduction='none'\): got"
    ):
        SigmoidFocalLoss(from_logits=True)


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


@pytest.mark.parametrize("name", ["cce", "sparse_cce", "cce_logits"])
def test_the_sparse_and_dense_instances_default_to_probabilities(name):
    assert LOSSES[name].from_logits is name.endswith("logits")
    assert sparse_cce.from_logits is False and cce.from_logits is False
