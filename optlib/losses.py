r"""Loss functions and their gradients, on NumPy arrays.

Each loss is an object. Calling it gives the value; ``.grad`` gives the
gradient with respect to the first argument, the predictions (or the logits,
when ``from_logits=True``), for the same ``reduction``:

>>> import numpy as np
>>> from optlib.losses import mse
>>> y_pred, y_true = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
>>> mse(y_pred, y_true)
np.float64(1.3333333333333333)
>>> mse.grad(y_pred, y_true)
array([0.        , 1.33333333, 0.        ])

Every loss computes its per-element (or per-example) values and their
gradient in one method, from the same intermediate quantities, so that the
forward formula and the backward one can be read side by side. The base class
:class:`Loss` does the rest: it checks the arguments and applies the reduction.

The three reductions are PyTorch's:

``"mean"`` (the default)
    the average over all elements (MSE, MAE, Huber, BCE), or over the
    examples, the rows of ``y_pred`` (the two categorical losses, whose
    per-example loss sums over the classes). The gradient is divided by the
    same count.
``"sum"``
    the sum.
``"none"``
    the per-element (per-example) losses; ``.grad`` is then the gradient of
    their sum, which is each element's gradient of its own loss.

Values and gradients agree with ``torch.nn.functional`` to rounding in
float64. A float32 ``y_pred`` gives float32 values and gradients, float64
gives float64, and integer input becomes float64; ``y_true`` is cast to the
dtype of ``y_pred``. Boolean and integer targets count as the numbers they hold.

Bad input raises a ``ValueError`` that names the argument and the offending
shape or value. An ``np.matrix`` or a masked array raises a ``TypeError``
instead of being computed on: a matrix's ``*`` is the matrix product, and the
masked entries of a masked array would be read as numbers.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import (
    as_float_array,
    check_bool,
    check_finite,
    check_in_interval,
    check_ndim,
    check_nonempty,
    check_same_shape,
    refuse_matrix_and_masked,
)

__all__ = [
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossEntropy",
    "bce",
    "cce",
    "huber",
    "mae",
    "mse",
    "sparse_cce",
]

REDUCTIONS = ("mean", "sum", "none")

#: Floor on a log-probability (``log 0`` counts as -100), as in PyTorch's
#: ``binary_cross_entropy`` (ATen/native/Loss.cpp).
LOG_FLOOR = -100.0

#: The :math:`\varepsilon` that keeps a probability's gradient finite, the floor
#: on its denominator, PyTorch's ``EPSILON`` in ``binary_cross_entropy_backward``
#: (ATen/native/Loss.cpp). It is declared there as a C++ ``float``, so its value
#: is 1e-12 rounded to float32, 9.999999960041972e-13, in float64 arithmetic too.
EPS = float(np.float32(1e-12))


#: The instance of each loss class that optlib builds with the default settings.
_INSTANCE_NAMES = {
    "MeanSquaredError": "mse",
    "MeanAbsoluteError": "mae",
    "Huber": "huber",
    "BinaryCrossEntropy": "bce",
    "CategoricalCrossEntropy": "cce",
    "SparseCategoricalCrossEntropy": "sparse_cce",
}


def _class_called_with_data(name: str) -> str:
    """The message for ``MeanSquaredError(y_pred, y_true)``: a class called with the data."""
    instance = _INSTANCE_NAMES.get(name)
    ready = f", or use the ready-made instance: {instance}(y_pred, y_true)" if instance else ""
    return (
        f"{name} is a class: build the loss first, then call it on the data, "
        f"{name}()(y_pred, y_true){ready}"
    )


def _with_data_hint(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap a loss's ``__init__`` so that data passed to the class gets a hint."""
    signature = inspect.signature(init)
    # The signature as the reader writes the call: no self, no annotations.
    parameters = list(signature.parameters.values())[1:]
    shown = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in parameters],
        return_annotation=signature.empty,
    )

    @functools.wraps(init)
    def checked_init(self: Loss, *args: Any, **kwargs: Any) -> None:
        try:
            signature.bind(self, *args, **kwargs)
        except TypeError as error:
            name = type(self).__name__
            if any(isinstance(arg, np.ndarray | list | tuple) for arg in args):
                raise TypeError(_class_called_with_data(name)) from None
            raise TypeError(f"{name}{shown}: {error}") from None
        init(self, *args, **kwargs)

    return checked_init


class _FromLogits:
    """The ``from_logits`` attribute of the cross-entropies, checked when assigned."""

    def __get__(self, loss: Loss | None, owner: type | None = None) -> Any:
        return self if loss is None else loss.__dict__["_from_logits"]

    def __set__(self, loss: Loss, value: Any) -> None:
        loss.__dict__["_from_logits"] = _check_from_logits(type(loss).__name__, value)


class Loss:
    """Base class of the losses: argument checks and the reduction.

    A subclass supplies two methods:

    ``_check(y_pred, y_true)``
        validates the inputs and returns them as arrays;
    ``_losses_and_grads(y_pred, y_true)``
        returns the per-element (or per-example) losses and the gradient of
        their sum with respect to ``y_pred``, computed side by side.

    Examples
    --------
    A new loss needs only ``_losses_and_grads``; the checks and the three
    reductions come from the base class:

    >>> import numpy as np
    >>> class HalfSquares(Loss):
    ...     def _losses_and_grads(self, y_pred, y_true):
    ...         r = y_pred - y_true
    ...         return 0.5 * r * r, r
    >>> half = HalfSquares()
    >>> half(np.array([1.0, 3.0]), np.zeros(2), reduction="sum")
    np.float64(5.0)
    >>> half.grad(np.array([1.0, 3.0]), np.zeros(2))  # "mean": divided by 2
    array([0.5, 1.5])
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _with_data_hint(cls.__init__)  # type: ignore[method-assign]

    def __init__(self) -> None:
        """A loss without settings: ``MeanSquaredError()``."""

    def __call__(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean"
    ) -> np.floating | np.ndarray:
        """The loss of ``y_pred`` against ``y_true``.

        Parameters
        ----------
        y_pred : array_like
            Predictions: values, probabilities, or logits when the loss was
            built with ``from_logits=True``.
        y_true : array_like
            Targets (class labels for the sparse loss).
        reduction : {"mean", "sum", "none"}
            How the per-element (or per-example) losses are combined.

        Returns
        -------
        numpy.floating or numpy.ndarray
            A scalar of the dtype of ``y_pred`` for ``"mean"`` and ``"sum"``,
            the array of per-element (per-example) losses for ``"none"``.
        """
        return self.value_and_grad(y_pred, y_true, reduction)[0]

    def grad(self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean") -> np.ndarray:
        """The gradient of the loss with respect to ``y_pred``.

        Takes the same arguments as calling the loss and returns an array of
        the shape and dtype of ``y_pred``. For ``reduction="none"`` it is the
        gradient of the sum of the per-element (per-example) losses.
        """
        return self.value_and_grad(y_pred, y_true, reduction)[1]

    def value_and_grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean"
    ) -> tuple[np.floating | np.ndarray, np.ndarray]:
        """The value and the gradient together, computed once."""
        _check_reduction(reduction)
        y_pred, y_true = self._check(y_pred, y_true)
        # A result too large for the dtype is inf and one too small is 0 (or
        # subnormal): the correctly rounded answers, which PyTorch also gives
        # without a warning. Division by zero and NaN cannot occur.
        with np.errstate(over="ignore", under="ignore"):
            losses, grads = self._losses_and_grads(y_pred, y_true)
            if reduction == "none":
                return losses, grads
            if reduction == "sum":
                return losses.sum(), grads
            return losses.mean(), grads / losses.size

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        return _check_pair(y_pred, y_true)

    def _losses_and_grads(
        self, y_pred: np.ndarray, y_true: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


Loss.__init__ = _with_data_hint(Loss.__init__)  # type: ignore[method-assign]


class MeanSquaredError(Loss):
    r"""Mean squared error: the loss of least squares.

    For each element, with the residual :math:`r = \hat y - y`,

    .. math::

        \ell = r^2, \qquad \frac{\partial \ell}{\partial \hat y} = 2 r.

    The mean is over all elements.

    PyTorch: ``torch.nn.functional.mse_loss(y_pred, y_true)``
    (``torch.nn.MSELoss``). Keras: ``keras.losses.MeanSquaredError()``, which
    averages over the last axis and then over the batch: the same number.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> y_pred, y_true = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
    >>> mse(y_pred, y_true)
    np.float64(1.3333333333333333)
    >>> mse(y_pred, y_true, reduction="none")
    array([0., 4., 0.])
    >>> mse.grad(y_pred, y_true, reduction="sum")
    array([0., 4., 0.])
    """

    def _losses_and_grads(self, y_pred, y_true):
        r = y_pred - y_true
        return r * r, 2 * r


class MeanAbsoluteError(Loss):
    r"""Mean absolute error (L1 loss): robust to outliers, not smooth at 0.

    For each element, with the residual :math:`r = \hat y - y`,

    .. math::

        \ell = |r|, \qquad \frac{\partial \ell}{\partial \hat y} = \operatorname{sign}(r),

    where the gradient at a zero residual is taken as 0, as in PyTorch (any
    value in [-1, 1] is a subgradient there). The mean is over all elements.

    PyTorch: ``torch.nn.functional.l1_loss(y_pred, y_true)``
    (``torch.nn.L1Loss``). Keras: ``keras.losses.MeanAbsoluteError()``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mae
    >>> y_pred, y_true = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0])
    >>> mae(y_pred, y_true)
    np.float64(1.0)
    >>> mae.grad(y_pred, y_true, reduction="sum")
    array([ 0.,  1., -1.])
    """

    def _losses_and_grads(self, y_pred, y_true):
        r = y_pred - y_true
        return np.abs(r), np.sign(r)


class Huber(Loss):
    r"""Huber loss: squared near zero, absolute far away.

    The bridge between :class:`MeanSquaredError` and
    :class:`MeanAbsoluteError`. For each element, with the residual
    :math:`r = \hat y - y` and a threshold :math:`\delta > 0`,

    .. math::

        \ell = \begin{cases}
            \tfrac12 r^2 & |r| < \delta \\
            \delta \left(|r| - \tfrac12 \delta\right) & \text{otherwise}
        \end{cases}
        \qquad
        \frac{\partial \ell}{\partial \hat y} = \begin{cases}
            r & |r| < \delta \\
            \delta \operatorname{sign}(r) & \text{otherwise.}
        \end{cases}

    The two pieces meet with equal value and slope at :math:`|r| = \delta`.
    Small residuals are penalised like MSE (halved), large ones like MAE
    (scaled by :math:`\delta`). The mean is over all elements.

    PyTorch: ``torch.nn.functional.huber_loss(y_pred, y_true, delta=delta)``
    (``torch.nn.HuberLoss``); ``smooth_l1_loss`` with ``beta=delta`` is this
    divided by ``delta``. Keras: ``keras.losses.Huber(delta=delta)``.

    Parameters
    ----------
    delta : float
        Where the loss turns from quadratic to linear; positive.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import Huber
    >>> loss = Huber(delta=1.0)
    >>> y_pred, y_true = np.array([0.5, 3.0]), np.array([0.0, 0.0])
    >>> loss(y_pred, y_true, reduction="none")
    array([0.125, 2.5  ])
    >>> loss.grad(y_pred, y_true, reduction="none")
    array([0.5, 1. ])
    """

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    @property
    def delta(self) -> float:
        """The threshold :math:`\\delta`; assigning it checks the new value."""
        return self._delta

    @delta.setter
    def delta(self, value: float) -> None:
        self._delta = _check_delta(value)

    def __repr__(self) -> str:
        return f"Huber(delta={self.delta!r})"

    def _losses_and_grads(self, y_pred, y_true):
        delta = self.delta
        r = y_pred - y_true
        abs_r = np.abs(r)
        quadratic = abs_r < delta
        losses = np.where(quadratic, 0.5 * r * r, delta * (abs_r - 0.5 * delta))
        grads = np.where(quadratic, r, delta * np.sign(r))
        return losses, grads


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy: the loss of logistic regression.

    Each element of ``y_pred`` is the predicted probability :math:`\hat y` of
    the positive class, or its logit :math:`z` (with :math:`\hat y = \sigma(z)`)
    when ``from_logits=True``; each element of ``y_true`` is a target
    :math:`y \in [0, 1]`. The mean is over all elements.

    **From probabilities** (``from_logits=False``), as PyTorch computes it:

    .. math::

        \ell = -\left[y \max(\log \hat y, -100)
                      + (1 - y) \max(\log(1 - \hat y), -100)\right],
        \qquad
        \frac{\partial \ell}{\partial \hat y}
            = \frac{\hat y - y}{\max\left(\hat y (1 - \hat y), \varepsilon\right)},
        \qquad \varepsilon = 10^{-12}.

    Where :math:`\hat y (1 - \hat y) > \varepsilon` these are the exact
    cross-entropy and its derivative. The two floors are the clipping rule:
    they make :math:`\hat y = 0` and :math:`\hat y = 1` give a finite value (at
    most 100 per element) and a finite gradient (at most :math:`1/\varepsilon`
    in size) that still points the right way. The gradient is the formula with
    a floored denominator, not the derivative of the floored value (which
    would be 0). :math:`\varepsilon` is PyTorch's constant, which it stores as
    a float32: exactly 9.999999960041972e-13 (:data:`EPS`). Keras instead clips
    :math:`\hat y` to :math:`[10^{-7}, 1 - 10^{-7}]` before the logarithms, so
    its value is at most :math:`-\log 10^{-7} \approx 16.1` and its gradient is
    0 where the clip is active.

    **From logits** (``from_logits=True``), with
    :math:`\log \sigma(z) = \min(z, 0) - \log(1 + e^{-|z|})`:

    .. math::

        \ell = (1 - y) z - \log \sigma(z),
        \qquad
        \frac{\partial \ell}{\partial z} = \sigma(z) - y,

    with :math:`\sigma(z) = 1 / (1 + e^{-|z|})` for :math:`z \ge 0` and
    :math:`e^{-|z|} / (1 + e^{-|z|})` for :math:`z < 0`. Only
    :math:`e^{-|z|} \le 1` is ever computed, so logits of any size give exact,
    finite results: prefer this form to applying a sigmoid first.

    PyTorch: ``torch.nn.functional.binary_cross_entropy(y_pred, y_true)``, or
    ``binary_cross_entropy_with_logits`` for logits. Keras:
    ``keras.losses.BinaryCrossentropy(from_logits=...)``.

    Parameters
    ----------
    from_logits : bool
        Whether ``y_pred`` holds logits rather than probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import BinaryCrossEntropy, bce
    >>> bce(np.array([0.5, 0.5]), np.array([0.0, 1.0]))  # log 2
    np.float64(0.6931471805599453)
    >>> bce.grad(np.array([0.0, 0.5]), np.array([1.0, 1.0]), reduction="none")
    array([-1.e+12, -2.e+00])
    >>> bce_logits = BinaryCrossEntropy(from_logits=True)
    >>> bce_logits(np.array([1e4, -1e4]), np.array([0.0, 0.0]), reduction="none")
    array([10000.,     0.])
    """

    from_logits = _FromLogits()

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        check_in_interval("y_true", y_true, 0.0, 1.0, "targets")
        if not self.from_logits:
            _check_probabilities(y_pred)
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        if self.from_logits:
            logits = y_pred
            exp_neg_abs = np.exp(-np.abs(logits))  # in (0, 1]: cannot overflow
            log_sigmoid = np.minimum(logits, 0) - np.log1p(exp_neg_abs)
            sigmoid = np.where(logits >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)
            losses = (1 - y_true) * logits - log_sigmoid
            grads = sigmoid - y_true
            return losses, grads
        log_y_pred = _floored_log(y_pred)
        log_one_minus_y_pred = _floored_log1p(-y_pred)
        losses = -(y_true * log_y_pred + (1 - y_true) * log_one_minus_y_pred)
        grads = (y_pred - y_true) / np.maximum(y_pred * (1 - y_pred), EPS)
        return losses, grads


class CategoricalCrossEntropy(Loss):
    r"""Categorical cross-entropy, for one-hot or soft labels.

    ``y_pred`` is ``(n, C)``: for each example a row of class probabilities
    :math:`\hat y`, or of logits :math:`z` (with
    :math:`\hat y = \operatorname{softmax}(z)`) when ``from_logits=True``.
    ``y_true`` is ``(n, C)`` with entries in [0, 1]: one-hot or soft labels,
    whose rows normally sum to 1. The loss of an example sums over its
    classes; the mean is over the n examples.

    **From probabilities** (``from_logits=False``), for each example:

    .. math::

        \ell = -\sum_c y_c \max(\log \hat y_c, -100),
        \qquad
        \frac{\partial \ell}{\partial \hat y_c} = -\frac{y_c}{\max(\hat y_c, \varepsilon)},

    the clipping rule of :class:`BinaryCrossEntropy` (same :math:`\varepsilon`):
    exact where :math:`\hat y_c > \varepsilon`, finite at :math:`\hat y_c = 0`.
    The probabilities are taken as given, not renormalised; Keras, by
    contrast, divides each row of ``y_pred`` by its sum and clips it to
    :math:`[10^{-7}, 1 - 10^{-7}]`.

    **From logits** (``from_logits=True``), by log-sum-exp: with the row
    maximum :math:`m = \max_k z_k` subtracted before exponentiating,

    .. math::

        \log \operatorname{softmax}(z)_c = z_c - m - \log \sum_k e^{z_k - m},
        \qquad
        \ell = -\sum_c y_c \log \operatorname{softmax}(z)_c,

    .. math::

        \frac{\partial \ell}{\partial z_c}
            = \operatorname{softmax}(z)_c \sum_k y_k - y_c,

    which is :math:`\operatorname{softmax}(z) - y` when the labels sum to 1.

    PyTorch: ``torch.nn.functional.cross_entropy(y_pred, y_true)`` with
    probability targets, for logits; for probabilities,
    ``-(y_true * torch.log(y_pred)).sum(-1).mean()``. Keras:
    ``keras.losses.CategoricalCrossentropy(from_logits=...)``.

    Parameters
    ----------
    from_logits : bool
        Whether ``y_pred`` holds logits rather than probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import CategoricalCrossEntropy, cce
    >>> y_true = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    >>> cce(np.array([[0.5, 0.25, 0.25], [0.5, 0.25, 0.25]]), y_true, reduction="none")
    array([0.69314718, 1.38629436])
    >>> cce_logits = CategoricalCrossEntropy(from_logits=True)
    >>> cce_logits(np.zeros((2, 3)), y_true)  # uniform softmax: log 3
    np.float64(1.0986122886681098)
    >>> cce_logits.grad(np.zeros((2, 3)), y_true, reduction="sum")
    array([[-0.66666667,  0.33333333,  0.33333333],
           [ 0.33333333, -0.16666667, -0.16666667]])
    """

    from_logits = _FromLogits()

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __repr__(self) -> str:
        return f"CategoricalCrossEntropy(from_logits={self.from_logits})"

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        check_ndim("y_pred", y_pred, 2, "n examples by C classes")
        check_in_interval("y_true", y_true, 0.0, 1.0, "label probabilities")
        if not self.from_logits:
            _check_probabilities(y_pred)
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        if self.from_logits:
            log_softmax, softmax = _log_softmax_and_softmax(y_pred)
            losses = -(y_true * log_softmax).sum(axis=1)
            grads = softmax * y_true.sum(axis=1, keepdims=True) - y_true
            return losses, grads
        losses = -(y_true * _floored_log(y_pred)).sum(axis=1)
        grads = -y_true / np.maximum(y_pred, EPS)
        return losses, grads


class SparseCategoricalCrossEntropy(Loss):
    r"""Categorical cross-entropy with integer class labels.

    ``y_pred`` is ``(n, C)``, as for :class:`CategoricalCrossEntropy`;
    ``y_true`` is ``(n,)``: the class :math:`k \in \{0, \dots, C - 1\}` of each
    example. It equals :class:`CategoricalCrossEntropy` on one-hot labels,
    without building them. The mean is over the n examples.

    **From probabilities** (``from_logits=False``), for each example, with the
    clipping rule of :class:`BinaryCrossEntropy` (same :math:`\varepsilon`):

    .. math::

        \ell = -\max(\log \hat y_k, -100),
        \qquad
        \frac{\partial \ell}{\partial \hat y_c} = \begin{cases}
            -1 / \max(\hat y_k, \varepsilon) & c = k \\
            0 & c \ne k.
        \end{cases}

    **From logits** (``from_logits=True``), by log-sum-exp:

    .. math::

        \ell = \log \sum_c e^{z_c} - z_k,
        \qquad
        \frac{\partial \ell}{\partial z}
            = \operatorname{softmax}(z) - \operatorname{onehot}(k).

    PyTorch: ``torch.nn.functional.cross_entropy(y_pred, y_true)`` with class
    indices, for logits; ``nll_loss(torch.log(y_pred), y_true)`` for
    probabilities. Keras:
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=...)``.

    Labels may be given as floats holding whole numbers (``2.0``), but not as
    booleans or fractions.

    Parameters
    ----------
    from_logits : bool
        Whether ``y_pred`` holds logits rather than probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import SparseCategoricalCrossEntropy, sparse_cce
    >>> y_pred = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    >>> sparse_cce(y_pred, np.array([0, 2]), reduction="none")
    array([0.69314718, 0.22314355])
    >>> sparse_cce.grad(y_pred, np.array([0, 2]), reduction="sum")
    array([[-2.  ,  0.  ,  0.  ],
           [ 0.  ,  0.  , -1.25]])
    >>> SparseCategoricalCrossEntropy(from_logits=True)(np.zeros((2, 4)), [1, 3])  # log 4
    np.float64(1.3862943611198906)
    """

    from_logits = _FromLogits()

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __repr__(self) -> str:
        return f"SparseCategoricalCrossEntropy(from_logits={self.from_logits})"

    def _check(self, y_pred, y_true):
        y_pred = _check_predictions(y_pred)
        if y_pred.ndim == 1 and _ndim(y_true) == 2:
            raise ValueError(
                f"y_pred must be 2-D (n examples by C classes), got shape {y_pred.shape}, and "
                f"y_true is 2-D {np.shape(y_true)}: are the arguments swapped? optlib, like "
                "PyTorch, takes loss(y_pred, y_true); Keras takes (y_true, y_pred)"
            )
        check_ndim("y_pred", y_pred, 2, "n examples by C classes")
        labels = _check_labels(y_true, y_pred.shape)
        if not self.from_logits:
            _check_probabilities(y_pred)
        return y_pred, labels

    def _losses_and_grads(self, y_pred, y_true):
        rows, k = np.arange(len(y_true)), y_true  # y_pred[rows, k]: each example's own class
        if self.from_logits:
            log_softmax, softmax = _log_softmax_and_softmax(y_pred)
            losses = -log_softmax[rows, k]
            grads = softmax
            grads[rows, k] -= 1
            return losses, grads
        y_pred_k = y_pred[rows, k]
        losses = -_floored_log(y_pred_k)
        grads = np.zeros_like(y_pred)
        grads[rows, k] = -1 / np.maximum(y_pred_k, EPS)
        return losses, grads


# --- shared pieces of the formulas -------------------------------------------------


def _floored_log(x: np.ndarray) -> np.ndarray:
    """``max(log x, -100)`` for ``x >= 0``; ``log 0`` is never evaluated."""
    log_x = np.full_like(x, LOG_FLOOR)
    np.log(x, out=log_x, where=x > 0)
    return np.maximum(log_x, LOG_FLOOR)


def _floored_log1p(x: np.ndarray) -> np.ndarray:
    """``max(log(1 + x), -100)`` for ``x >= -1``, accurately for small ``x``."""
    log1p_x = np.full_like(x, LOG_FLOOR)
    np.log1p(x, out=log1p_x, where=x > -1)
    return np.maximum(log1p_x, LOG_FLOOR)


def _log_softmax_and_softmax(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both, along the rows of ``z``, from one log-sum-exp."""
    shifted = z - z.max(axis=1, keepdims=True)  # <= 0, so exp cannot overflow
    exp_shifted = np.exp(shifted)
    sum_exp = exp_shifted.sum(axis=1, keepdims=True)  # >= 1: the maximum contributes 1
    return shifted - np.log(sum_exp), exp_shifted / sum_exp


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""The logistic sigmoid :math:`\sigma(z) = 1/(1 + e^{-z})`, which never overflows.

    The probability that :class:`BinaryCrossEntropy` reads a logit as with
    ``from_logits=True``. ``exp`` is taken of :math:`-|z|` only, so huge
    logits give exactly 0 or 1 instead of an overflow warning. Shared by the
    models' sigmoid output and :mod:`optlib.check`.

    Parameters
    ----------
    z : ndarray
        Logits, any shape.

    Returns
    -------
    ndarray
        :math:`\sigma(z)`, the shape and float dtype of ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import sigmoid
    >>> sigmoid(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    """
    exp_neg_abs = np.exp(-np.abs(z))  # in (0, 1]: cannot overflow
    return np.where(z >= 0, 1.0, exp_neg_abs) / (1.0 + exp_neg_abs)


def softmax(z: np.ndarray) -> np.ndarray:
    r"""The softmax of each row of ``z``, shifted by its maximum so that ``exp`` never overflows.

    The probabilities that :class:`CategoricalCrossEntropy` and
    :class:`SparseCategoricalCrossEntropy` read the logits as with
    ``from_logits=True``, computed as they compute it:
    :math:`\operatorname{softmax}(z)_c = e^{z_c - m} / \sum_k e^{z_k - m}` with
    :math:`m` the row's maximum. Shared by the models' softmax output and
    :mod:`optlib.check`.

    Parameters
    ----------
    z : ndarray, shape (n, C)
        Logits, one row per example.

    Returns
    -------
    ndarray, shape (n, C)
        Rows of probabilities that sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import softmax
    >>> softmax(np.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]])).round(4)
    array([[1.    , 0.    , 0.    ],
           [0.3333, 0.3333, 0.3333]])
    """
    return _log_softmax_and_softmax(z)[1]


# --- argument checks ----------------------------------------------------------------

#: Reductions of Keras and of old PyTorch versions, and the optlib name for each.
_OTHER_REDUCTIONS = {
    "sum_over_batch_size": "mean",
    "auto": "mean",
    "elementwise_mean": "mean",
}


def _ndim(value: Any) -> int | None:
    """``np.ndim(value)``, or None for what is not an array (a ragged list)."""
    try:
        return np.ndim(value)
    except ValueError:
        return None


def _check_reduction(reduction: Any) -> None:
    """Refuse an unknown reduction, pointing from Keras's names to optlib's."""
    if isinstance(reduction, str) and reduction in REDUCTIONS:
        return
    if reduction is None:  # Keras's "no reduction"
        raise ValueError(
            "reduction must be one of 'mean', 'sum', 'none', got None; "
            "for the per-element losses write reduction='none' (a string)"
        )
    hint = _OTHER_REDUCTIONS.get(reduction) if isinstance(reduction, str) else None
    advice = f"; write reduction={hint!r}" if hint is not None else ""
    raise ValueError(f"reduction must be one of 'mean', 'sum', 'none', got {reduction!r}{advice}")


def _check_delta(delta: Any) -> float:
    """Huber's threshold as a positive finite float (an int, a float, a Fraction, ...)."""
    if isinstance(delta, np.ndarray | list | tuple):
        hint = _class_called_with_data("Huber")
        raise ValueError(f"delta must be a positive finite number, got an array; {hint}")
    if isinstance(delta, bool | np.bool_) or not isinstance(delta, numbers.Real):
        raise ValueError(f"delta must be a positive finite number, got {delta!r}")
    value = float(delta)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"delta must be a positive finite number, got {delta!r}")
    return value


def _check_from_logits(owner: str, from_logits: Any) -> bool:
    """``from_logits`` as a bool; an array there means the loss was called as a class."""
    if isinstance(from_logits, (np.ndarray, list, tuple)):
        raise ValueError(
            f"from_logits must be True or False, got an array; {owner} is a class: build the "
            f"loss first, then call it, e.g. {owner}()(y_pred, y_true)"
        )
    return check_bool("from_logits", from_logits)


def _check_predictions(y_pred: ArrayLike) -> np.ndarray:
    refuse_matrix_and_masked("y_pred", y_pred)
    y_pred = as_float_array("y_pred", y_pred)
    # float16 is promoted: 1e-12 and the -100 floor do not survive in it.
    y_pred = y_pred.astype(np.promote_types(y_pred.dtype, np.float32), copy=False)
    check_nonempty("y_pred", y_pred)
    check_finite("y_pred", y_pred)
    return y_pred


def _check_pair(y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets of one shape, the targets in the predictions' dtype."""
    y_pred = _check_predictions(y_pred)
    refuse_matrix_and_masked("y_true", y_true)
    y_true = as_float_array("y_true", y_true)
    check_same_shape("y_pred", y_pred, "y_true", y_true)
    check_finite("y_true", y_true)
    largest = np.finfo(y_pred.dtype).max
    if np.abs(y_true).max() > largest:  # would overflow when cast
        raise ValueError(
            f"y_true holds values too large for the dtype of y_pred ({y_pred.dtype}, "
            f"largest {largest}), e.g. {np.abs(y_true).max()!r}"
        )
    return y_pred, y_true.astype(y_pred.dtype, copy=False)


def _check_probabilities(y_pred: np.ndarray) -> None:
    try:
        check_in_interval("y_pred", y_pred, 0.0, 1.0, "probabilities")
    except ValueError as error:
        raise ValueError(f"{error} (for logits, pass from_logits=True)") from None


def _check_labels(y_true: ArrayLike, shape: tuple[int, int]) -> np.ndarray:
    """Class labels: one per row of ``y_pred`` (of ``shape`` (n, C)), integers in [0, C)."""
    n, n_classes = shape
    refuse_matrix_and_masked("y_true", y_true)
    try:
        labels = np.asarray(y_true)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"y_true must be an array of integer class labels: {error}") from None
    is_integer = np.issubdtype(labels.dtype, np.integer)
    if labels.dtype == bool or not (is_integer or np.issubdtype(labels.dtype, np.floating)):
        raise ValueError(f"y_true must hold integer class labels, got dtype {labels.dtype}")
    check_ndim("y_true", labels, 1, "one integer class label per example")
    if len(labels) != n:
        raise ValueError(
            f"y_true must hold one label per row of y_pred, "
            f"got y_true {labels.shape} and y_pred {shape}"
        )
    if not is_integer:
        check_finite("y_true", labels)
        fractional = labels != np.floor(labels)
        if fractional.any():
            raise ValueError(
                f"y_true must hold integer class labels, found {labels[fractional][0].item()!r}"
            )
    outside = (labels < 0) | (labels >= n_classes)
    if outside.any():
        raise ValueError(
            f"y_true holds label {labels[outside][0].item()!r} outside [0, {n_classes}): "
            f"y_pred {shape} has C = {n_classes} classes"
        )
    return labels.astype(np.intp)


mse = MeanSquaredError()
"""``MeanSquaredError()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> mse(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
np.float64(2.0)
"""

mae = MeanAbsoluteError()
"""``MeanAbsoluteError()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> mae(np.array([1.0, -2.0]), np.zeros(2)), mae.grad(np.array([1.0, -2.0]), np.zeros(2))
(np.float64(1.5), array([ 0.5, -0.5]))
"""

huber = Huber()
"""``Huber()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> huber(np.array([0.5, 3.0]), np.zeros(2), reduction="none")  # squared, then linear
array([0.125, 2.5  ])
"""

bce = BinaryCrossEntropy()
"""``BinaryCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> bce(np.array([0.9, 0.2]), np.array([1.0, 0.0]))  # probabilities, not logits
np.float64(0.16425203348601802)
"""

cce = CategoricalCrossEntropy()
"""``CategoricalCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> cce(np.array([[0.7, 0.2, 0.1]]), np.array([[1.0, 0.0, 0.0]]))  # -log 0.7
np.float64(0.35667494393873245)
"""

sparse_cce = SparseCategoricalCrossEntropy()
"""``SparseCategoricalCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> sparse_cce(np.array([[0.7, 0.2, 0.1]]), np.array([0]))  # the same, with a label
np.float64(0.35667494393873245)
"""
