"""Tests of optlib.models: gradients against central finite differences and
against PyTorch's autograd; forward passes against formulas written out here."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
)
from optlib.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

N, D, C = 12, 3, 4


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def randomize(model, seed=0, scale=0.7):
    """Give every parameter a random value (the linear models start at zero)."""
    rng = np.random.default_rng(seed)
    for p in model.params:
        p[...] = rng.normal(0.0, scale, p.shape)
    return model


def targets(kind: str, n: int, rng: np.random.Generator, width: int | None = None):
    shape = (n,) if width is None else (n, width)
    if kind == "real":
        return rng.normal(0.0, 1.0, shape)
    if kind == "unit":  # soft binary targets in [0, 1]
        return rng.uniform(0.0, 1.0, shape)
    if kind == "onehot":
        return np.eye(width)[rng.integers(0, width, n)]
    if kind == "labels":
        return rng.integers(0, width, n)
    raise AssertionError(kind)


def numerical_grads(model, X, y, loss, h=1e-6):
    """Central differences of model.evaluate with respect to every parameter entry."""
    grads = []
    for p in model.params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + h
            up = model.evaluate(X, y, loss)
            p[index] = saved - h
            down = model.evaluate(X, y, loss)
            p[index] = saved
            g[index] = (up - down) / (2 * h)
        grads.append(g)
    return grads


mse, mae = MeanSquaredError(), MeanAbsoluteError()
bce_p, bce_z = BinaryCrossEntropy(), BinaryCrossEntropy(from_logits=True)
cce_p, cce_z = CategoricalCrossEntropy(), CategoricalCrossEntropy(from_logits=True)
sparse_p, sparse_z = SparseCategoricalCrossEntropy(), SparseCategoricalCrossEntropy(True)

# (id, model factory, loss, target kind, target width)
GRADIENT_CASES = [
    ("linear-mse", lambda: LinearRegression(D), mse, "real", None),
    ("linear-mae", lambda: LinearRegression(D), mae, "real", None),
    ("linear2-mse", lambda: LinearRegression(D, 2), mse, "real", 2),
    ("linear2-mae", lambda: LinearRegression(D, 2), mae, "real", 2),
    ("logistic-bce-probs", lambda: LogisticRegression(D), bce_p, "unit", None),
    ("logistic-bce-logits", lambda: LogisticRegression(D), bce_z, "unit", None),
    ("logistic-mse", lambda: LogisticRegression(D), mse, "unit", None),
    ("logistic-mae", lambda: LogisticRegression(D), mae, "unit", None),
    ("softmax-cce-probs", lambda: SoftmaxRegression(D, C), cce_p, "onehot", C),
    ("softmax-cce-logits", lambda: SoftmaxRegression(D, C), cce_z, "onehot", C),
    ("softmax-sparse-probs", lambda: SoftmaxRegression(D, C), sparse_p, "labels", C),
    ("softmax-sparse-logits", lambda: SoftmaxRegression(D, C), sparse_z, "labels", C),
    ("softmax-mse", lambda: SoftmaxRegression(D, C), mse, "onehot", C),
    ("mlp-tanh-mse", lambda: MLP([D, 5, 4, 1]), mse, "real", None),
    ("mlp-relu-mae", lambda: MLP([D, 6, 1], "relu"), mae, "real", None),
    ("mlp-tanh-mse-2out", lambda: MLP([D, 5, 2]), mse, "real", 2),
    ("mlp-relu-bce-probs", lambda: MLP([D, 6, 1], "relu", "sigmoid"), bce_p, "unit", None),
    ("mlp-tanh-bce-logits", lambda: MLP([D, 5, 1], "tanh", "sigmoid"), bce_z, "unit", None),
    ("mlp-tanh-bce-multi", lambda: MLP([D, 5, 3], "tanh", "sigmoid"), bce_p, "unit", 3),
    ("mlp-tanh-sigmoid-mse", lambda: MLP([D, 5, 1], "tanh", "sigmoid"), mse, "unit", None),
    ("mlp-tanh-cce-probs", lambda: MLP([D, 5, C], "tanh", "softmax"), cce_p, "onehot", C),
    ("mlp-relu-cce-logits", lambda: MLP([D, 7, C], "relu", "softmax"), cce_z, "onehot", C),
    ("mlp-relu-sparse-probs", lambda: MLP([D, 7, C], "relu", "softmax"), sparse_p, "labels", C),
    (
        "mlp-tanh-sparse-logits",
        lambda: MLP([D, 5, 5, C], "tanh", "softmax"),
        sparse_z,
        "labels",
        C,
    ),
]


@pytest.mark.parametrize(
    ("make", "loss", "kind", "width"),
    [case[1:] for case in GRADIENT_CASES],
    ids=[case[0] for case in GRADIENT_CASES],
)
def test_gradients_match_finite_differences(make, loss, kind, width):
    rng = np.random.default_rng(1)
    X = rng.normal(0.0, 1.0, (N, D))
    y = targets(kind, N, rng, width)
    model = randomize(make())
    value, grads = model.loss_and_grads(X, y, loss)
    assert value == pytest.approx(model.evaluate(X, y, loss), rel=1e-14)
    expected = numerical_grads(model, X, y, loss)
    assert len(grads) == len(model.params)
    for grad, param, want in zip(grads, model.params, expected, strict=True):
        assert grad.shape == param.shape and grad.dtype == param.dtype
        np.testing.assert_allclose(grad, want, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    n_in=st.integers(1, 4),
    n_out=st.integers(2, 4),
    activation=st.sampled_from(["tanh", "relu"]),
    seed=st.integers(0, 2**16),
)
def test_mlp_gradients_any_architecture(hidden, n_in, n_out, activation, seed):
    rng = np.random.default_rng(seed)
    model = MLP([n_in, *hidden, n_out], activation, "softmax", seed=seed)
    X = rng.normal(0.0, 1.0, (7, n_in))
    y = rng.integers(0, n_out, 7)
    _, grads = model.loss_and_grads(X, y, sparse_z)
    for grad, want in zip(grads, numerical_grads(model, X, y, sparse_z), strict=True):
        np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------ forward passes
def test_forward_formulas():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(N, D))

    linear = randomize(LinearRegression(D))
    W, b = linear.params
    np.testing.assert_allclose(linear.forward(X), X @ W[:, 0] + b[0], rtol=1e-14)

    logistic = randomize(LogisticRegression(D))
    W, b = logistic.params
    z = X @ W[:, 0] + b[0]
    np.testing.assert_allclose(logistic.logits(X), z, rtol=1e-14)
    np.testing.assert_allclose(logistic.forward(X), sigmoid(z), rtol=1e-14)
    np.testing.assert_array_equal(logistic.predict(X), (sigmoid(z) >= 0.5).astype(int))

    soft = randomize(SoftmaxRegression(D, C))
    W, b = soft.params
    np.testing.assert_allclose(soft.forward(X), softmax(X @ W + b), rtol=1e-13)
    np.testing.assert_array_equal(soft.predict(X), np.argmax(X @ W + b, axis=1))

    mlp = MLP([D, 5, 2], "relu", "identity", seed=3)
    W1, b1, W2, b2 = mlp.params
    np.testing.assert_allclose(mlp.forward(X), np.maximum(X @ W1 + b1, 0) @ W2 + b2, rtol=1e-13)


@pytest.mark.parametrize(
    ("model", "shape"),
    [
        (LinearRegression(D), (N,)),
        (LinearRegression(D, 1), (N, 1)),
        (LinearRegression(D, 3), (N, 3)),
        (LogisticRegression(D), (N,)),
        (SoftmaxRegression(D, C), (N, C)),
        (MLP([D, 4, 1]), (N,)),
        (MLP([D, 4, 1], output="sigmoid"), (N,)),
        (MLP([D, 4, 2], output="sigmoid"), (N, 2)),
        (MLP([D, 4, C], output="softmax"), (N, C)),
    ],
    ids=repr,
)
def test_output_shapes(model, shape):
    X = np.ones((N, D))
    assert model.forward(X).shape == shape
    assert model.logits(X).shape == shape
    classifier = model.output in ("sigmoid", "softmax")
    predictions = model.predict(X)
    if model.output == "softmax":
        assert predictions.shape == (N,)
    else:
        assert predictions.shape == shape
    assert np.issubdtype(predictions.dtype, np.integer) == classifier


def test_sigmoid_and_softmax_are_stable_for_huge_logits():
    X = np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]])
    logistic = LogisticRegression(3)
    logistic.params[0][:, 0] = [1e4, -1e4, 0.0]
    np.testing.assert_array_equal(logistic.forward(X), [1.0, 0.0])
    value, grads = logistic.loss_and_grads(X, [1.0, 0.0], bce_z)
    assert np.isfinite(value) and all(np.isfinite(g).all() for g in grads)
    soft = SoftmaxRegression(3, 2)
    soft.params[0][:, 0] = [1e4, -1e4, 0.0]
    np.testing.assert_array_equal(soft.forward(X), [[1.0, 0.0], [0.0, 1.0]])


# ------------------------------------------------------------ init and dtype
def test_linear_models_start_at_zero():
    for model in (LinearRegression(D), LinearRegression(D, 2), LogisticRegression(D)):
        assert all((p == 0).all() for p in model.params)
    assert [p.shape for p in SoftmaxRegression(D, C).params] == [(D, C), (C,)]


def test_mlp_init_is_torch_like_and_seeded():
    sizes = [10, 50, 40, 3]
    model = MLP(sizes, seed=0)
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        W, b = model.params[2 * i], model.params[2 * i + 1]
        assert W.shape == (fan_in, fan_out) and b.shape == (fan_out,)
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        assert np.abs(W).max() > 0.9 * bound  # the whole range is used
        # uniform(-bound, bound) has variance bound^2 / 3
        assert W.var() == pytest.approx(bound**2 / 3, rel=0.25)
    same = MLP(sizes, seed=0)
    other = MLP(sizes, seed=1)
    assert all(np.array_equal(p, q) for p, q in zip(model.params, same.params, strict=True))
    assert not np.array_equal(model.params[0], other.params[0])
    expected = np.random.default_rng(0).uniform(-1 / np.sqrt(10), 1 / np.sqrt(10), (10, 50))
    np.testing.assert_array_equal(model.params[0], expected)


def test_mlp_does_not_touch_the_global_rng():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy global RNG)
    MLP([3, 4, 2], seed=5)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize(
    "make",
    [
        lambda dtype: LinearRegression(D, dtype=dtype),
        lambda dtype: LogisticRegression(D, dtype=dtype),
        lambda dtype: SoftmaxRegression(D, C, dtype=dtype),
        lambda dtype: MLP([D, 5, C], "relu", "softmax", dtype=dtype),
    ],
)
def test_float32_models_stay_float32_and_agree_with_float64(make):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(N, D))  # float64 data is cast to the model's dtype
    model32, model64 = make(np.float32), make(np.float64)
    randomize(model64, seed=9)
    for p32, p64 in zip(model32.params, model64.params, strict=True):
        p32[...] = p64
    out = model32.forward(X)
    assert all(p.dtype == np.float32 for p in model32.params) and out.dtype == np.float32
    if model32.output == "softmax":
        y, loss = rng.integers(0, C, N), sparse_z
    else:
        y, loss = targets("unit", N, rng), mse
    value32, grads32 = model32.loss_and_grads(X, y, loss)
    value64, grads64 = model64.loss_and_grads(X, y, loss)
    assert value32 == pytest.approx(value64, rel=1e-5)
    for g32, g64 in zip(grads32, grads64, strict=True):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.ones(D), r"X must be 2-D.*\(3,\); for a single example write X\[None, :\]"),
        (np.ones(N), r"X must be 2-D.*\(12,\)$"),
        (np.array(2.0), r"X must be 2-D.*got shape \(\)"),
        (np.ones((N, D, 1)), r"X must be 2-D.*\(12, 3, 1\)"),
        (np.ones((N, D + 1)), r"3 feature column.*\(12, 4\)"),
        (np.ones((0, D)), "empty"),
        (np.full((2, D), np.nan), "non-finite"),
        ([["a", "b", "c"]], "numbers"),
    ],
)
def test_bad_X_is_refused(X, message):
    with pytest.raises(ValueError, match=message):
        LinearRegression(D).forward(X)


def test_bad_y_and_loss_are_refused():
    model = LinearRegression(D)
    X = np.ones((N, D))
    with pytest.raises(ValueError, match=r"X has 12 rows, y has shape \(11,\)"):
        model.loss_and_grads(X, np.ones(N - 1), mse)
    with pytest.raises(TypeError, match=r"pass an instance such as MeanSquaredError\(\)"):
        model.loss_and_grads(X, np.ones(N), MeanSquaredError)
    with pytest.raises(ValueError, match=r"shape.*y\.ravel\(\)"):
        model.loss_and_grads(X, np.ones((N, 1)), mse)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: LinearRegression(0), "n_features"),
        (lambda: LinearRegression(2.5), "n_features"),
        (lambda: LinearRegression(D, 0), "n_outputs"),
        (lambda: SoftmaxRegression(D, 1), "n_classes"),
        (lambda: MLP([D]), "layer_sizes"),
        (lambda: MLP("34"), "layer_sizes"),
        (lambda: MLP([D, 0, 1]), r"layer_sizes\[1\]"),
        (lambda: MLP([D, 2], activation="sigmoid"), "activation"),
        (lambda: MLP([D, 2], output="tanh"), "output"),
        (lambda: MLP([D, 1], output="softmax"), "2 classes"),
        (lambda: MLP([D, 1], seed=1.5), "seed"),
        (lambda: LinearRegression(D, dtype=np.int64), "dtype"),
        (lambda: LogisticRegression(D, dtype="float16"), "dtype"),
    ],
)
def test_bad_constructor_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_repr():
    assert repr(LinearRegression(3)) == "LinearRegression(n_features=3, n_outputs=None)"
    assert repr(MLP([2, 4, 1], "relu", "sigmoid")) == (
        "MLP(layer_sizes=[2, 4, 1], activation='relu', output='sigmoid')"
    )


def matrix(values):
    """An np.matrix, whose creation NumPy warns about (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(values)


def params_of(model):
    return [p.copy() for p in model.params]


SUBCLASS_CASES = [
    ("X", "matrix", r"X is a numpy.matrix.*np.asarray\(X\)"),
    ("X", "masked", r"X is a masked array.*X.filled"),
    ("X", "masked-nothing-masked", r"X is a masked array"),
    ("y", "matrix", r"y is a numpy.matrix"),
    ("y", "masked", r"y is a masked array.*y.filled"),
]


@pytest.mark.parametrize(
    ("method", "which", "kind", "message"),
    [
        (method, *case)
        for method in ("forward", "logits", "predict", "loss_and_grads", "evaluate")
        for case in SUBCLASS_CASES
        if case[0] == "X" or method in ("loss_and_grads", "evaluate")
    ],
)
def test_matrices_and_masked_arrays_are_refused(method, which, kind, message):
    """np.asarray would drop the mask (masked values used as numbers), and a matrix's
    arithmetic is the matrix product: both gave wrong losses before."""
    model = randomize(LinearRegression(D))
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(N, D)), rng.normal(size=N)
    if kind == "matrix":
        value = matrix(X if which == "X" else y[:, None])
    else:
        source = X if which == "X" else y
        mask = np.zeros(source.shape, bool)
        mask.flat[0] = kind == "masked"
        value = np.ma.masked_array(source, mask=mask)
    X_arg, y_arg = (value, y) if which == "X" else (X, value)
    call = getattr(model, method)
    with pytest.raises(TypeError, match=message):
        call(X_arg) if method in ("forward", "logits", "predict") else call(X_arg, y_arg, mse)


@pytest.mark.parametrize(
    ("make", "loss", "y", "message"),
    [
        (lambda: LinearRegression(D), mse, np.ones((N, 1)), r"output \(12,\).*y.ravel\(\)"),
        (lambda: LinearRegression(D, 1), mse, np.ones(N), r"output \(12, 1\).*y\[:, None\]"),
        (lambda: LinearRegression(D, 2), mse, np.ones((N, 3)), r"output \(12, 2\).*\(12, 3\)"),
        (
            lambda: SoftmaxRegression(D, C),
            cce_p,
            np.arange(N) % C,
            r"for integer class labels use sparse_cce \(SparseCategoricalCrossEntropy\)",
        ),
        (
            lambda: SoftmaxRegression(D, C),
            sparse_z,
            np.eye(C)[np.arange(N) % C],
            r"one integer class label per example, shape \(12,\).*one-hot labels go with cce",
        ),
        (
            lambda: LogisticRegression(D),
            sparse_p,
            np.arange(N) % 2,
            r"needs class probabilities of shape \(n, C\).*use SoftmaxRegression",
        ),
        (
            lambda: LogisticRegression(D),
            bce_p,
            np.array([1, 2] * 6),
            r"targets in \[0, 1\].*got the values 1, 2.*\(y == b\)\.astype\(float\)",
        ),
        (lambda: LogisticRegression(D), bce_z, np.array([-1, 1] * 6), r"got the values -1, 1"),
        (
            lambda: MLP([D, 3, 1], output="sigmoid"),
            bce_z,
            np.arange(N, dtype=float),
            r"got the values 0, 1, 2, 3, \.\.\.",
        ),
        (lambda: LinearRegression(D), mse, None, r"y must be an array of targets"),
        (lambda: LinearRegression(D), mse, [[1.0], [1.0, 2.0]], r"y must be an array of targets"),
    ],
)
def test_targets_that_do_not_suit_the_model_are_refused_with_advice(make, loss, y, message):
    model = randomize(make())
    X = np.random.default_rng(3).normal(size=(N, D))
    error = TypeError if y is None else ValueError
    for call in (model.loss_and_grads, model.evaluate):
        with pytest.raises(error, match=message):
            call(X, y, loss)


def test_bool_and_integer_targets_are_the_numbers_they_hold():
    """What torch computes on the float targets (torch refuses bool targets outright)."""
    model = randomize(LogisticRegression(D), seed=4)
    X = np.random.default_rng(4).normal(size=(N, D))
    labels = np.arange(N) % 3 == 0
    value, grads = model.loss_and_grads(X, labels, bce_z)
    for y in (labels.astype(int), labels.astype(np.float64)):
        same_value, same_grads = model.loss_and_grads(X, y, bce_z)
        assert same_value == value
        for g, h in zip(grads, same_grads, strict=True):
            np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize(
    ("loss", "message"),
    [
        ("mse", r"not the string 'mse': write loss=mse \(from optlib.losses import mse\)"),
        ("categorical_crossentropy", r"write loss=cce"),
        ("cosine", r"pass one of mse, mae, huber, bce, cce, sparse_cce"),
        (np.ones(N), r"got an array; the arguments are fit\(model, loss, X, y, optimizer\)"),
        (lambda y_pred, y_true: 0.0, r"have a \.grad method"),
        (None, r"have a \.grad method.*got None"),
        (dict, r"loss must be a loss object such as mse or bce, got the class"),
    ],
    ids=["mse", "keras", "unknown", "array", "function", "none", "class"],
)
def test_what_is_not_a_loss_is_refused(loss, message):
    model = LinearRegression(D)
    X = np.ones((N, D))
    with pytest.raises(TypeError, match=message):
        model.loss_and_grads(X, np.ones(N), loss)


@pytest.mark.parametrize("method", ["forward", "logits", "predict", "loss_and_grads", "evaluate"])
def test_overflowing_logits_raise_a_clear_error_without_warnings(method):
    """Parameters near the largest float: X @ W overflows. The loss used to say that
    "y_pred contains non-finite values", which names nothing the reader passed."""
    model = MLP([D, 4, 1], activation="relu", seed=0)
    model.params[0][...] = 1e300
    model.params[2][...] = 1e300
    X = np.ones((N, D))
    before = params_of(model)
    call = getattr(model, method)
    with pytest.raises(ValueError, match=r"the logits of this MLP are not finite.*overflows"):
        call(X) if method in ("forward", "logits", "predict") else call(X, np.ones(N), mse)
    for p, q in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(p, q)


def test_models_never_modify_X_and_y():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(N, D)), rng.integers(0, C, N)
    X0, y0 = X.copy(), y.copy()
    for model, loss, target in [
        (randomize(SoftmaxRegression(D, C, dtype=np.float32)), sparse_z, y),
        (MLP([D, 5, 1]), mse, X[:, 0]),
    ]:
        model.loss_and_grads(X, target, loss)
        model.evaluate(X, target, loss)
        model.predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ------------------------------------------------------------------- torch
def torch_mlp(model, torch):
    """A torch.nn.Sequential holding a copy of the model's parameters."""
    layers = []
    n_layers = len(model.params) // 2
    for i in range(n_layers):
        W, b = model.params[2 * i], model.params[2 * i + 1]
        linear = torch.nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b.copy()))
        layers.append(linear)
        if i < n_layers - 1:
            layers.append(torch.nn.Tanh() if model.activation == "tanh" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_grads(net):
    """Gradients in optlib's layout: weights transposed to (fan_in, fan_out)."""
    grads = []
    for module in net:
        if hasattr(module, "weight"):
            grads += [module.weight.grad.numpy().T, module.bias.grad.numpy()]
    return grads


def torch_loss(name, out, y, torch):
    F = torch.nn.functional
    if name == "sparse-logits":
        return F.cross_entropy(out, y)
    if name == "cce-probs":
        return -(y * torch.log(torch.softmax(out, dim=1))).sum(dim=1).mean()
    if name == "bce-logits":
        return F.binary_cross_entropy_with_logits(out[:, 0], y)
    if name == "bce-probs":
        return F.binary_cross_entropy(torch.sigmoid(out[:, 0]), y)
    if name == "mse-sigmoid":
        return F.mse_loss(torch.sigmoid(out[:, 0]), y)
    if name == "mse":
        return F.mse_loss(out[:, 0], y)
    if name == "mae":
        return F.l1_loss(out[:, 0], y)
    raise AssertionError(name)


TORCH_CASES = [
    ("sparse-logits", lambda: MLP([D, 8, 6, C], "tanh", "softmax", seed=1), sparse_z, "labels"),
    ("sparse-logits", lambda: MLP([D, 8, C], "relu", "softmax", seed=2), sparse_z, "labels"),
    ("cce-probs", lambda: MLP([D, 8, C], "relu", "softmax", seed=3), cce_p, "onehot"),
    ("bce-logits", lambda: MLP([D, 8, 1], "tanh", "sigmoid", seed=4), bce_z, "unit"),
    ("bce-probs", lambda: MLP([D, 8, 1], "relu", "sigmoid", seed=5), bce_p, "unit"),
    ("mse-sigmoid", lambda: randomize(LogisticRegression(D)), mse, "unit"),
    ("mse", lambda: MLP([D, 8, 8, 1], "tanh", seed=6), mse, "real"),
    ("mae", lambda: randomize(LinearRegression(D)), mae, "real"),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "make", "loss", "kind"),
    TORCH_CASES,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(TORCH_CASES)],
)
def test_loss_and_grads_match_torch_autograd(name, make, loss, kind):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(32, D))
    y = targets(kind, 32, rng, C if kind in ("onehot", "labels") else None)
    model = make()
    value, grads = model.loss_and_grads(X, y, loss)

    net = torch_mlp(model, torch)
    out = net(torch.from_numpy(X))
    expected = torch_loss(name, out, torch.from_numpy(y), torch)
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-12)
    for grad, want in zip(grads, torch_grads(net), strict=True):
        np.testing.assert_allclose(grad, want, rtol=1e-10, atol=1e-13)


@pytest.mark.torch
def test_mlp_forward_matches_torch():
    torch = pytest.importorskip("torch")
    model = MLP([D, 16, 16, C], "relu", "softmax", seed=11)
    X = np.random.default_rng(8).normal(size=(20, D))
    net = torch_mlp(model, torch)
    with torch.no_grad():
        logits = net(torch.from_numpy(X))
        probs = torch.softmax(logits, dim=1)
    np.testing.assert_allclose(model.logits(X), logits.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.forward(X), probs.numpy(), rtol=1e-12, atol=1e-14)


# -- second adversarial pass ----------------------------------------------------------


@pytest.mark.parametrize(
    "replace, message",
    [
        (lambda p: p.__setitem__(0, np.zeros((4, 1))), r"params\[0\] .* must have shape \(3, 1\)"),
        (lambda p: p.__setitem__(1, None), r"params\[1\] .* shape \(1,\) .*, got NoneType"),
        (lambda p: p.append(np.zeros(1)), r"must be a list of 2 arrays \[W1, b1, \.\.\.\], got 3"),
    ],
)
def test_params_replaced_by_arrays_that_do_not_fit_are_named(replace, message):
    # These used to fail inside NumPy (matmul: Input operand 1 has a mismatch in its core
    # dimension 0), or to be silently ignored (an extra array).
    model = LinearRegression(3)
    replace(model.params)
    X = np.ones((2, 3))
    for call in (lambda: model.forward(X), lambda: model.loss_and_grads(X, np.ones(2), mse)):
        with pytest.raises(ValueError, match=message):
            call()


def test_params_updated_in_place_are_used():
    model = LinearRegression(3)
    model.params[0][...] = 1.0
    np.testing.assert_array_equal(model.forward(np.eye(3)), [1.0, 1.0, 1.0])


def test_non_finite_params_are_named_as_such():
    model = LinearRegression(2)
    model.params[1][...] = np.nan
    with pytest.raises(ValueError, match=r"params\[1\] holds NaN or infinity"):
        model.forward(np.ones((2, 2)))


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array(["a", "b", "c"]), "y must hold numbers (targets, or integer class labels)"),
        (np.ones(3) * 1j, "y must hold numbers"),
        (np.array([1.0, np.nan, 2.0]), "y contains 1 non-finite value(s)"),
    ],
)
def test_y_that_is_not_numbers_is_named_y(y, message):
    # The message used to name y_true, the loss's argument, not the reader's y.
    with pytest.raises(ValueError) as info:
        LinearRegression(1).loss_and_grads(np.ones((3, 1)), y, mse)
    assert message in str(info.value)


def test_mlp_refuses_a_negative_seed_by_name():
    # NumPy's message was "expected non-negative integer".
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        MLP([2, 3, 1], seed=-1)


def test_mlp_takes_layer_sizes_as_a_numpy_array():
    shapes = [p.shape for p in MLP(np.array([2, 5, 1])).params]
    assert shapes == [(2, 5), (5,), (5, 1), (1,)]
    np.testing.assert_array_equal(MLP(np.array([2, 5, 1])).params[0], MLP([2, 5, 1]).params[0])
