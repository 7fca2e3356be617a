r"""Tiny NumPy models with hand-written back-propagation.

Every model is a stack of dense layers :math:`z = a W + b` followed by an
output activation (identity, sigmoid or softmax); the MLP adds hidden layers
with ``tanh`` or ``relu`` between them. A model exposes

``params``
    The list ``[W1, b1, W2, b2, ...]``; ``W`` has shape ``(fan_in, fan_out)``
    (the Keras layout; ``torch.nn.Linear.weight`` is its transpose) and ``b``
    has shape ``(fan_out,)``. Optimizers update these arrays in place.
``logits(X)``
    The pre-activation :math:`z` of the output layer.
``forward(X)``
    The output: values for regression, probabilities for classifiers.
``predict(X)``
    Values for regression, class labels for classifiers.
``loss_and_grads(X, y, loss)``
    The loss value and the gradient of every parameter, by back-propagation.
``evaluate(X, y, loss)``
    The loss value alone.

How the loss is differentiated depends on the loss: when it has
``from_logits=True`` it is applied to the logits and the gradient starts
there; otherwise it is applied to the output (MSE on a logistic model is
allowed, and is one of the book's examples) and the gradient is carried back
through the output activation by the chain rule:

.. math::

    \text{sigmoid: } \frac{\partial L}{\partial z} = g \odot p (1 - p), \qquad
    \text{softmax: } \frac{\partial L}{\partial z} = p \odot \Bigl(g - \sum_j g_j p_j\Bigr),

where :math:`g = \partial L / \partial p`.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import (
    as_float_array,
    check_choice,
    check_finite,
    check_nonempty,
    check_positive_int,
    refuse_matrix_and_masked,
    short_repr,
)
from .losses import BinaryCrossEntropy, Loss, SparseCategoricalCrossEntropy, sigmoid, softmax

__all__ = ["MLP", "LinearRegression", "LogisticRegression", "Model", "SoftmaxRegression"]

ACTIVATIONS = ("tanh", "relu")
OUTPUTS = ("identity", "sigmoid", "softmax")


def _model_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return dt


class Model:
    """A stack of dense layers with back-propagation; the base of every model.

    Not built directly: use :class:`LinearRegression`, :class:`LogisticRegression`,
    :class:`SoftmaxRegression` or :class:`MLP`.

    Examples
    --------
    >>> import numpy as np
    >>> model = MLP([2, 3, 1])
    >>> isinstance(model, Model), [p.shape for p in model.params]
    (True, [(2, 3), (3,), (3, 1), (1,)])
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str | None,
        output: str,
        squeeze: bool,
        rng: np.random.Generator | None,
        dtype: Any,
    ) -> None:
        self.dtype = _model_dtype(dtype)
        self.layer_sizes = tuple(layer_sizes)
        self.activation = activation
        self.output = output
        self._squeeze = squeeze
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in itertools.pairwise(self.layer_sizes):
            if rng is None:
                weight = np.zeros((fan_in, fan_out))
                bias = np.zeros(fan_out)
            else:  # torch.nn.Linear's default: uniform on +-1/sqrt(fan_in)
                bound = 1.0 / np.sqrt(fan_in)
                weight = rng.uniform(-bound, bound, size=(fan_in, fan_out))
                bias = rng.uniform(-bound, bound, size=fan_out)
            self.params += [weight.astype(self.dtype), bias.astype(self.dtype)]

    @property
    def n_features(self) -> int:
        """Number of input columns."""
        return self.layer_sizes[0]

    # ----------------------------------------------------------------- forward
    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` as a finite ``(n, n_features)`` array of the model's dtype (a copy if cast)."""
        refuse_matrix_and_masked("X", X)
        X = as_float_array("X", X, dtype=self.dtype)
        if X.ndim != 2:
            hint = ""
            if X.ndim == 1 and self.n_features == 1:
                hint = "; for one feature write X[:, None] (one row per example)"
            elif X.ndim == 1 and X.shape[0] == self.n_features:
                hint = "; for a single example write X[None, :]"
            raise ValueError(
                f"X must be 2-D (n_samples, {self.n_features} features), got shape {X.shape}{hint}"
            )
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"X must have {self.n_features} feature column(s) for this "
                f"{type(self).__name__}, got shape {X.shape}"
            )
        check_nonempty("X", X)
        check_finite("X", X)
        return X

    def _check_y(self, y: Any, n: int) -> np.ndarray:
        """``y`` as an array with one entry (row) per example; floats take the model's dtype."""
        refuse_matrix_and_masked("y", y)
        if y is None:
            raise TypeError("y must be an array of targets, one per example (row) of X, got None")
        try:
            y = np.asarray(y)
        except ValueError as error:  # ragged lists and the like
            raise ValueError(f"y must be an array of targets: {error}") from None
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(
                f"y must have one entry (row) per example of X: X has {n} rows, "
                f"y has shape {y.shape}"
            )
        if y.dtype.kind not in "biuf":
            raise ValueError(
                f"y must hold numbers (targets, or integer class labels), got dtype {y.dtype}"
            )
        if np.issubdtype(y.dtype, np.floating):
            y = y.astype(self.dtype, copy=False)
            check_finite("y", y)
        return y

    def _output_shape(self, n: int) -> tuple[int, ...]:
        """The shape of ``forward(X)`` for ``n`` examples."""
        return (n,) if self._squeeze else (n, self.layer_sizes[-1])

    def _check_targets(self, y: np.ndarray, loss: Any) -> None:
        """Refuse targets whose shape does not suit this model's output and ``loss``.

        The loss itself would refuse them too, but in terms of its own
        arguments (``y_pred``, ``y_true``); here the message names ``y`` and
        the model's output, and says what to write. Only optlib's losses are
        checked: a loss of the reader's own may accept other shapes.
        """
        if not isinstance(loss, Loss):
            return
        name, n = type(self).__name__, y.shape[0]
        out = self._output_shape(n)
        if isinstance(loss, SparseCategoricalCrossEntropy):
            if len(out) != 2:
                raise ValueError(
                    f"{loss!r} needs class probabilities of shape (n, C), but this {name} gives "
                    f"outputs of shape {out}: use SoftmaxRegression or an MLP with "
                    "output='softmax'"
                )
            if y.ndim != 1:
                hint = (
                    " (one-hot labels go with cce: CategoricalCrossEntropy)" if y.ndim == 2 else ""
                )
                raise ValueError(
                    f"y must hold one integer class label per example, shape ({n},), for "
                    f"{loss!r}; got shape {y.shape}{hint}"
                )
            return
        if y.shape == out:
            if isinstance(loss, BinaryCrossEntropy):
                _check_binary_targets(y, loss)
            return
        hint = ""
        if y.shape == (n, 1) and out == (n,):
            hint = "; write y.ravel()"
        elif y.shape == (n,) and out == (n, 1):
            hint = "; write y[:, None]"
        elif y.shape == (n,) and len(out) == 2 and np.issubdtype(y.dtype, np.integer):
            hint = (
                "; for integer class labels use sparse_cce (SparseCategoricalCrossEntropy), "
                "or pass one-hot labels"
            )
        raise ValueError(
            f"y must have the shape of this {name}'s output {out} for {loss!r}, "
            f"got y of shape {y.shape}{hint}"
        )

    def _hidden(self, a: np.ndarray) -> np.ndarray:
        return np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)

    def _layers(self, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Inputs of every layer (X first) and the output layer's logits, shape (n, k)."""
        inputs = [X]
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            weight, bias = self.params[2 * i], self.params[2 * i + 1]
            z = inputs[-1] @ weight + bias
            if i == n_layers - 1:
                return inputs, z
            inputs.append(self._hidden(z))
        raise AssertionError("a model has at least one layer")

    def _squeezed(self, z: np.ndarray) -> np.ndarray:
        return z[:, 0] if self._squeeze else z

    def _activate(self, z: np.ndarray) -> np.ndarray:
        if self.output == "sigmoid":
            return sigmoid(z)
        if self.output == "softmax":
            return softmax(z)
        return z

    def _check_params(self) -> None:
        """Refuse ``params`` that no longer fit the layers (replaced by other arrays)."""
        params = self.params
        expected = [
            shape
            for fan_in, fan_out in itertools.pairwise(self.layer_sizes)
            for shape in ((fan_in, fan_out), (fan_out,))
        ]
        if not isinstance(params, list | tuple) or len(params) != len(expected):
            count = len(params) if isinstance(params, list | tuple) else type(params).__name__
            raise ValueError(
                f"params of this {type(self).__name__} must be a list of {len(expected)} arrays "
                f"[W1, b1, ...], got {count}; update the arrays in place (params[0][...] = W) "
                "rather than replacing them"
            )
        for index, (param, shape) in enumerate(zip(params, expected, strict=True)):
            if not isinstance(param, np.ndarray) or param.shape != shape:
                got = param.shape if isinstance(param, np.ndarray) else type(param).__name__
                raise ValueError(
                    f"params[{index}] of this {type(self).__name__} must have shape {shape} "
                    f"(layer sizes {list(self.layer_sizes)}), got {got}; update the arrays in "
                    "place (params[0][...] = W) rather than replacing them"
                )

    def logits(self, X: Any) -> np.ndarray:
        """The output layer's pre-activation :math:`z`, shaped like ``forward(X)``."""
        self._check_params()
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            z = self._layers(X)[1]
        if not np.isfinite(z).all():
            raise self._overflow_error()
        return self._squeezed(z)

    def forward(self, X: Any) -> np.ndarray:
        """Predictions in output space: values, or probabilities for classifiers."""
        return self._activate(self.logits(X))

    def predict(self, X: Any) -> np.ndarray:
        """Values for regression; class labels (int64) for classifiers.

        A sigmoid output predicts 1 where :math:`p \\ge 0.5` (logit :math:`\\ge 0`),
        a softmax output the class of largest probability.
        """
        z = self.logits(X)
        if self.output == "sigmoid":
            return (z >= 0).astype(np.int64)
        if self.output == "softmax":
            return np.argmax(z, axis=-1)
        return z

    # ---------------------------------------------------------------- backward
    def loss_and_grads(self, X: Any, y: Any, loss: Any) -> tuple[float, list[np.ndarray]]:
        """The loss on ``(X, y)`` and its gradient for every parameter.

        Parameters
        ----------
        X : array_like, shape (n, n_features)
        y : array_like
            Targets shaped like ``forward(X)`` (integer labels of shape
            ``(n,)`` for the sparse loss).
        loss : loss object
            Any of ``optlib.losses``; with ``from_logits=True`` it receives the
            logits, otherwise the outputs.

        Returns
        -------
        value : float
        grads : list of ndarray
            Aligned with ``params``, same shapes and dtype.

        Raises
        ------
        TypeError
            For a loss class instead of a loss (``MeanSquaredError`` for
            ``MeanSquaredError()``), ``np.matrix`` or masked arrays.
        ValueError
            For bad ``X`` or ``y``, or when the logits are not finite (the
            parameters have overflowed).
        """
        X, y = self._checked(X, y, loss)
        value, grads = self._value_and_grads(X, y, loss)
        if grads is None:
            raise self._overflow_error()
        return value, grads

    def _checked(self, X: Any, y: Any, loss: Any) -> tuple[np.ndarray, np.ndarray]:
        _check_loss(loss)
        self._check_params()
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        self._check_targets(y, loss)
        return X, y

    def _overflow_error(self) -> ValueError:
        name = type(self).__name__
        bad = [i for i, p in enumerate(self.params) if not np.isfinite(p).all()]
        if bad:
            return ValueError(
                f"the logits of this {name} are not finite: params[{bad[0]}] holds NaN or "
                "infinity (for instance after a diverged training loop of your own)"
            )
        return ValueError(
            f"the logits of this {name} are not finite: its parameters are too large "
            "(for instance after a diverged training run), so X @ W + b overflows"
        )

    def _value_and_grads(
        self, X: np.ndarray, y: np.ndarray, loss: Any, with_grads: bool = True
    ) -> tuple[float, list[np.ndarray] | None]:
        """The loss and (optionally) its gradients on checked ``X`` and ``y``.

        ``fit`` calls this directly, having checked its data once. When the
        logits are not finite the loss is not called and ``(nan, None)`` comes
        back. Overflow in the loss or the back-propagation gives inf or NaN
        without a warning, for the caller to test.
        """
        with np.errstate(all="ignore"):
            inputs, z = self._layers(X)
            if not np.isfinite(z).all():
                return math.nan, None
            z_out = self._squeezed(z)
            from_logits = getattr(loss, "from_logits", False)
            out = z_out if from_logits else self._activate(z_out)
            if not with_grads:
                return _loss_value(loss, loss(out, y)), []
            value = _loss_value(loss, loss(out, y))
            grad_out = loss.grad(out, y)
            if (
                type(grad_out) is not np.ndarray
                or grad_out.shape != out.shape
                or grad_out.dtype.kind not in "biuf"
            ):
                grad_out = _loss_gradient(loss, grad_out, out.shape)
            if from_logits or self.output == "identity":
                grad_z = grad_out
            elif self.output == "sigmoid":
                grad_z = grad_out * out * (1.0 - out)
            else:  # softmax
                grad_z = out * (grad_out - np.sum(grad_out * out, axis=-1, keepdims=True))
            grad_z = grad_z.astype(self.dtype, copy=False).reshape(z.shape)
            return value, self._backward(inputs, grad_z)

    def _backward(self, inputs: list[np.ndarray], grad_z: np.ndarray) -> list[np.ndarray]:
        """Back-propagate dL/dz of the output layer through every dense layer."""
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        for i in reversed(range(len(inputs))):
            a = inputs[i]
            grads[2 * i] = a.T @ grad_z
            grads[2 * i + 1] = grad_z.sum(axis=0)
            if i > 0:
                grad_a = grad_z @ self.params[2 * i].T
                if self.activation == "tanh":  # tanh'(z) = 1 - tanh(z)^2
                    grad_z = grad_a * (1.0 - a**2)
                else:  # relu'(z) = 1 for z > 0 and 0 otherwise (0 at the kink, as torch)
                    grad_z = grad_a * (a > 0)
        return grads

    def evaluate(self, X: Any, y: Any, loss: Any) -> float:
        """The loss value on ``(X, y)`` (no gradients); arguments as :meth:`loss_and_grads`."""
        X, y = self._checked(X, y, loss)
        value, grads = self._value_and_grads(X, y, loss, with_grads=False)
        if grads is None:
            raise self._overflow_error()
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(layer_sizes={list(self.layer_sizes)})"


def _loss_value(loss: Any, value: Any) -> float:
    """A loss's value as a float; a loss of the reader's own may return something else."""
    if isinstance(value, float | np.floating):  # every optlib loss, with "mean"
        return float(value)
    array = np.asarray(value) if value is not None else None
    if array is None or array.shape != () or array.dtype.kind not in "biuf":
        raise TypeError(
            f"the loss must return a single number, the mean loss; {loss!r} returned "
            f"{short_repr(value)}"
        )
    return float(array)


def _loss_gradient(loss: Any, grad: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``loss.grad``'s result as an array shaped like the model's output, or a clear error."""
    array = np.asarray(grad) if grad is not None else None
    if array is None or array.dtype.kind not in "biuf":
        raise TypeError(
            f"loss.grad(y_pred, y_true) must return an array of numbers shaped like y_pred "
            f"{shape}; {loss!r}.grad returned {short_repr(grad)}"
        )
    if array.shape != shape:
        raise ValueError(
            f"loss.grad(y_pred, y_true) must return an array shaped like y_pred {shape}; "
            f"{loss!r}.grad returned shape {array.shape}"
        )
    return array


def _check_binary_targets(y: np.ndarray, loss: Any) -> None:
    """Refuse binary targets outside [0, 1] (labels such as 1 and 2, or -1 and +1)."""
    if y.dtype.kind not in "iuf" or not np.isfinite(y).all():
        return  # the loss names what is wrong
    outside = (y < 0) | (y > 1)
    if outside.any():
        values = np.unique(y)
        shown = ", ".join(f"{v:g}" for v in values[:4]) + (", ..." if len(values) > 4 else "")
        raise ValueError(
            f"y must hold targets in [0, 1] for {loss!r}, the probability that each example "
            f"is in class 1; got the values {shown}. For two class labels a and b, "
            "write y = (y == b).astype(float)"
        )


#: What Keras calls its losses, and the optlib loss to write instead.
_KERAS_LOSSES = {
    "mse": "mse",
    "mean_squared_error": "mse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "huber": "huber",
    "binary_crossentropy": "bce",
    "bce": "bce",
    "categorical_crossentropy": "cce",
    "cce": "cce",
    "sparse_categorical_crossentropy": "sparse_cce",
    "sparse_cce": "sparse_cce",
}


def _check_loss(loss: Any) -> None:
    """Refuse what is not a loss object, saying what to write for the common mistakes."""
    if isinstance(loss, type):
        if issubclass(loss, Loss):
            raise TypeError(
                f"loss must be a loss object, got the class {loss.__name__}; "
                f"pass an instance such as {loss.__name__}() (or one of mse, mae, bce, cce, "
                "sparse_cce)"
            )
        raise TypeError(f"loss must be a loss object such as mse or bce, got the class {loss!r}")
    if isinstance(loss, str):
        name = _KERAS_LOSSES.get(loss.lower())
        advice = (
            f"write loss={name} (from optlib.losses import {name})"
            if name
            else ("pass one of mse, mae, huber, bce, cce, sparse_cce from optlib.losses")
        )
        raise TypeError(f"loss must be a loss object, not the string {loss!r}: {advice}")
    if isinstance(loss, (np.ndarray, list, tuple)):
        raise TypeError(
            "loss must be a loss object such as mse, got an array; the arguments are "
            "fit(model, loss, X, y, optimizer) and model.loss_and_grads(X, y, loss)"
        )
    if not callable(loss) or not callable(getattr(loss, "grad", None)):
        raise TypeError(
            f"loss must be callable as loss(y_pred, y_true) and have a .grad method, like the "
            f"losses of optlib.losses; got {loss!r}"
        )


class LinearRegression(Model):
    r"""Linear regression :math:`\hat y = X W + b`.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    n_outputs : int or None
        ``None`` (default) predicts one value per example, shape ``(n,)``;
        an integer predicts ``(n, n_outputs)``.
    dtype : float32 or float64

    Notes
    -----
    ``params`` is ``[W, b]`` with ``W`` of shape ``(n_features, k)`` and ``b``
    of shape ``(k,)``, where ``k = n_outputs or 1``; both start at zero.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0])
    >>> model = LinearRegression(1)
    >>> value, grads = model.loss_and_grads(X, y, mse)
    >>> round(value, 6), np.round(grads[0], 6).tolist(), grads[1].tolist()
    (11.666667, [[-8.666667]], [-6.0])
    >>> model.params[0][...] = 2.0; model.params[1][...] = 1.0
    >>> model.predict(X).tolist()
    [1.0, 3.0, 5.0]
    """

    def __init__(
        self, n_features: int, n_outputs: int | None = None, *, dtype: Any = np.float64
    ) -> None:
        n_features = check_positive_int("n_features", n_features)
        k = 1 if n_outputs is None else check_positive_int("n_outputs", n_outputs)
        self.n_outputs = n_outputs
        super().__init__([n_features, k], None, "identity", n_outputs is None, None, dtype)

    def __repr__(self) -> str:
        return f"LinearRegression(n_features={self.n_features}, n_outputs={self.n_outputs})"


class LogisticRegression(Model):
    r"""Binary logistic regression :math:`p = \sigma(X w + b)`, outputs of shape ``(n,)``.

    ``forward`` gives the probability of class 1, ``logits`` the score
    :math:`z = X w + b`, ``predict`` the labels ``(z >= 0)``. Use it with
    ``BinaryCrossEntropy(from_logits=True)`` (stable) or ``from_logits=False``
    (probabilities), or with MSE on the probabilities.

    Parameters
    ----------
    n_features : int
    dtype : float32 or float64

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import BinaryCrossEntropy
    >>> X, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([1.0, 0.0])
    >>> model = LogisticRegression(2)
    >>> model.forward(X).tolist()
    [0.5, 0.5]
    >>> value, grads = model.loss_and_grads(X, y, BinaryCrossEntropy(from_logits=True))
    >>> round(value, 6), grads[0].ravel().tolist(), grads[1].tolist()
    (0.693147, [-0.5, -0.375], [0.0])
    """

    def __init__(self, n_features: int, *, dtype: Any = np.float64) -> None:
        n_features = check_positive_int("n_features", n_features)
        super().__init__([n_features, 1], None, "sigmoid", True, None, dtype)

    def __repr__(self) -> str:
        return f"LogisticRegression(n_features={self.n_features})"


class SoftmaxRegression(Model):
    r"""Multinomial logistic regression :math:`p = \operatorname{softmax}(X W + b)`.

    Outputs of shape ``(n, n_classes)``; ``predict`` gives the arg-max class.
    Use it with ``CategoricalCrossEntropy`` (one-hot ``y``) or
    ``SparseCategoricalCrossEntropy`` (integer ``y``), ideally ``from_logits=True``.

    Parameters
    ----------
    n_features : int
    n_classes : int, >= 2
    dtype : float32 or float64

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import SparseCategoricalCrossEntropy
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 2])
    >>> model = SoftmaxRegression(2, 3)
    >>> model.forward(X).shape
    (2, 3)
    >>> value, grads = model.loss_and_grads(X, y, SparseCategoricalCrossEntropy(from_logits=True))
    >>> round(value, 6), [g.shape for g in grads]
    (1.098612, [(2, 3), (3,)])
    """

    def __init__(self, n_features: int, n_classes: int, *, dtype: Any = np.float64) -> None:
        n_features = check_positive_int("n_features", n_features)
        n_classes = check_positive_int("n_classes", n_classes)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        super().__init__([n_features, n_classes], None, "softmax", False, None, dtype)

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return self.layer_sizes[-1]

    def __repr__(self) -> str:
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"


class MLP(Model):
    r"""A multi-layer perceptron: dense layers with ``tanh`` or ``relu`` in between.

    .. math::

        a_0 = X, \quad a_\ell = \phi(a_{\ell-1} W_\ell + b_\ell)\ (\ell < L), \quad
        z = a_{L-1} W_L + b_L, \quad \hat y = \text{output}(z)

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., n_outputs]``, at least two entries.
    activation : {"tanh", "relu"}
        The hidden activation :math:`\phi`.
    output : {"identity", "sigmoid", "softmax"}
        The output activation. With a last layer of size 1, ``identity`` and
        ``sigmoid`` give outputs of shape ``(n,)``; otherwise ``(n, n_outputs)``.
    seed : int or numpy.random.Generator
        Initialisation, as ``torch.nn.Linear``: every weight and bias uniform on
        :math:`\pm 1/\sqrt{\text{fan\_in}}`, drawn layer by layer (W then b)
        from ``np.random.default_rng(seed)``.
    dtype : float32 or float64

    Examples
    --------
    >>> import numpy as np
    >>> model = MLP([2, 8, 3], activation="relu", output="softmax", seed=0)
    >>> X = np.zeros((5, 2))
    >>> model.forward(X).shape, model.predict(X).shape
    ((5, 3), (5,))
    >>> MLP([4, 1]).forward(np.ones((2, 4))).shape
    (2,)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "tanh",
        output: str = "identity",
        seed: int | np.random.Generator = 0,
        *,
        dtype: Any = np.float64,
    ) -> None:
        if isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 1:
            layer_sizes = layer_sizes.tolist()  # np.array([2, 8, 1]): its entries as ints
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise ValueError(f"layer_sizes must be a sequence of ints, got {layer_sizes!r}")
        if len(layer_sizes) < 2:
            raise ValueError(
                f"layer_sizes needs at least [n_features, n_outputs], got {list(layer_sizes)!r}"
            )
        sizes = [check_positive_int(f"layer_sizes[{i}]", s) for i, s in enumerate(layer_sizes)]
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("output", output, OUTPUTS)
        if output == "softmax" and sizes[-1] < 2:
            raise ValueError(
                f"a softmax output needs at least 2 classes in its last layer, got {sizes[-1]}"
            )
        if not isinstance(seed, (numbers.Integral, np.random.Generator)) or isinstance(seed, bool):
            raise ValueError(f"seed must be an int or a numpy Generator, got {seed!r}")
        if isinstance(seed, numbers.Integral) and seed < 0:
            raise ValueError(
                f"seed must be a non-negative int (numpy's default_rng refuses negative seeds), "
                f"got {seed!r}"
            )
        squeeze = sizes[-1] == 1 and output != "softmax"
        rng = np.random.default_rng(seed)
        super().__init__(sizes, activation, output, squeeze, rng, dtype)

    def __repr__(self) -> str:
        return (
            f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, "
            f"output={self.output!r})"
        )
