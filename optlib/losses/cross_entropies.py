r"""Cross-entropies: binary, categorical, and categorical with class labels.

The losses of classification, read from probabilities or, more stably, from
logits (``from_logits=True``), with the sigmoid and softmax that turn logits
into probabilities. On probabilities they follow PyTorch's clipping rule
(:data:`LOG_FLOOR`, :data:`EPS`); on logits they never overflow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optlib._validation import check_in_interval, check_ndim
from optlib.losses.base import (
    Loss,
    _check_class_scores,
    _check_class_weights,
    _check_from_logits,
    _check_ignore_index,
    _check_labels,
    _check_pair,
    _check_probabilities,
    _number_setting,
    _options_repr,
    _Setting,
    _weights_for,
)

#: Floor on a log-probability, PyTorch's (documented as :data:`optlib.losses.LOG_FLOOR`).
LOG_FLOOR = -100.0

#: PyTorch's floor on a denominator, 1e-12 as a float32 (:data:`optlib.losses.EPS`).
EPS = float(np.float32(1e-12))


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

    from_logits = _Setting(_check_from_logits)

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

    **Label smoothing and class weights** change the labels only. With the
    smoothing :math:`\epsilon` and the weight :math:`w_c` of class :math:`c`,
    the formulas above hold with :math:`y_c` replaced by

    .. math::

        a_c = w_c \left((1 - \epsilon)\, y_c + \frac{\epsilon}{C}\right):

    smoothing moves a share :math:`\epsilon` of each label onto the uniform
    distribution over the C classes, so that the model is never pushed
    towards a probability of exactly 1; a weight scales its class's terms.
    By default (:math:`\epsilon = 0`, no weights) :math:`a = y`. With
    weights, ``"mean"`` still divides by n, the number of examples: PyTorch's
    rule for label probabilities (for class labels it divides by the total
    weight of the labels, see :class:`SparseCategoricalCrossEntropy`).

    PyTorch: ``torch.nn.functional.cross_entropy(y_pred, y_true, weight=weight,
    label_smoothing=label_smoothing)`` with probability targets, for logits;
    for probabilities, the same formula on ``torch.log(y_pred)`` in place of
    the log-softmax (``-(a * torch.log(y_pred)).sum(-1).mean()``). Keras:
    ``keras.losses.CategoricalCrossentropy(from_logits=...,
    label_smoothing=...)``, whose smoothing is the same; Keras weights classes
    through ``class_weight`` in ``fit`` instead.

    Parameters
    ----------
    from_logits : bool
        Whether ``y_pred`` holds logits rather than probabilities.
    weight : array_like of shape (C,), optional
        A non-negative weight for each class; None (the default) weighs
        every class 1.
    label_smoothing : float
        The share :math:`\epsilon \in [0, 1]` of each label moved onto the
        uniform distribution; 0 (the default) leaves the labels as given.

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

    Smoothing by 0.3 over 3 classes turns the label (1, 0, 0) into
    (0.8, 0.1, 0.1), which a softmax of the same values fits best:

    >>> smooth = CategoricalCrossEntropy(from_logits=True, label_smoothing=0.3)
    >>> smooth.grad(np.log([[0.8, 0.1, 0.1]]), [[1.0, 0.0, 0.0]]).round(12)
    array([[0., 0., 0.]])
    """

    from_logits = _Setting(_check_from_logits)
    weight = _Setting(_check_class_weights)
    label_smoothing = _number_setting("unit")

    def __init__(
        self, from_logits: bool = False, *, weight: Any = None, label_smoothing: float = 0.0
    ) -> None:
        self.from_logits = from_logits
        self.weight = weight
        self.label_smoothing = label_smoothing

    def __repr__(self) -> str:
        options = _options_repr(self, weight=None, label_smoothing=0.0)
        return f"CategoricalCrossEntropy(from_logits={self.from_logits}{options})"

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        check_ndim("y_pred", y_pred, 2, "n examples by C classes")
        check_in_interval("y_true", y_true, 0.0, 1.0, "label probabilities")
        if not self.from_logits:
            _check_probabilities(y_pred)
        if self.weight is not None:
            _weights_for(self.weight, y_pred)
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        targets = _smoothed_and_weighted(y_true, self.label_smoothing, self.weight)
        return _soft_label_losses_and_grads(y_pred, targets, self.from_logits)


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

    **Class weights and ignored labels.** With a weight :math:`w_c` per
    class, an example's loss and gradient are multiplied by the weight
    :math:`w_k` of its label, and ``"mean"`` divides the sum by the total
    weight of the labels, :math:`\sum_i w_{k_i}`, not by n: a weighted
    average of the examples' losses, as in PyTorch. An example labelled
    ``ignore_index`` has loss 0 and gradient 0 and counts neither in the sum
    nor in the divisor of ``"mean"``; a mean over no weight at all (every
    label ignored, or of weight 0) raises a ``ValueError`` (PyTorch gives
    NaN). PyTorch skips the label -100 by default; optlib skips none unless
    told (``ignore_index=-100`` for PyTorch's behaviour), so that a stray
    -100 is refused rather than silently dropped.

    **Label smoothing** :math:`\epsilon` spreads each label as
    :class:`CategoricalCrossEntropy` does, onto
    :math:`a = (1 - \epsilon)\operatorname{onehot}(k) + \epsilon / C`, then
    weighted: the loss of an example is

    .. math::

        \ell = -(1 - \epsilon)\, w_k \log \hat y_k
               - \frac{\epsilon}{C} \sum_c w_c \log \hat y_c,

    with the clipped logarithm for probabilities and the log-softmax for
    logits, and its gradient is that of :class:`CategoricalCrossEntropy` with
    these labels. ``"mean"`` divides by :math:`\sum_i w_{k_i}` here too.

    PyTorch: ``torch.nn.functional.cross_entropy(y_pred, y_true,
    weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing)``
    with class indices, for logits; ``nll_loss(torch.log(y_pred), y_true,
    weight=weight, ignore_index=ignore_index)`` for probabilities (without
    smoothing, which ``nll_loss`` does not take). Keras:
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=...,
    ignore_class=...)``, which has no label smoothing.

    Labels may be given as floats holding whole numbers (``2.0``), but not as
    booleans or fractions.

    Parameters
    ----------
    from_logits : bool
        Whether ``y_pred`` holds logits rather than probabilities.
    weight : array_like of shape (C,), optional
        A non-negative weight for each class; None (the default) weighs
        every class 1.
    ignore_index : int, optional
        A label that marks an example to skip (PyTorch uses -100 for
        padding); None (the default) skips none.
    label_smoothing : float
        The share :math:`\epsilon \in [0, 1]` of each label spread over all
        classes; 0 (the default) uses the labels as given.

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

    Class 0 weighs 3, and the second example is skipped: the mean is the
    first example's loss, :math:`3 \log 2 / 3`:

    >>> weighted = SparseCategoricalCrossEntropy(weight=[3.0, 1.0, 1.0], ignore_index=-100)
    >>> weighted(y_pred, [0, -100])
    np.float64(0.6931471805599453)
    """

    from_logits = _Setting(_check_from_logits)
    weight = _Setting(_check_class_weights)
    ignore_index = _Setting(_check_ignore_index)
    label_smoothing = _number_setting("unit")

    def __init__(
        self,
        from_logits: bool = False,
        *,
        weight: Any = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        self.from_logits = from_logits
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def __repr__(self) -> str:
        options = _options_repr(self, weight=None, ignore_index=None, label_smoothing=0.0)
        return f"SparseCategoricalCrossEntropy(from_logits={self.from_logits}{options})"

    def _check(self, y_pred, y_true):
        y_pred = _check_class_scores(y_pred, y_true)
        labels = _check_labels(y_true, y_pred.shape, self.ignore_index)
        if not self.from_logits:
            _check_probabilities(y_pred)
        if self.weight is not None:
            _weights_for(self.weight, y_pred)
        return y_pred, labels

    def _losses_and_grads(self, y_pred, y_true):
        if self.label_smoothing > 0:  # each label spreads over every class: the dense formula
            targets = self._smoothed_labels(y_pred, y_true)
            return _soft_label_losses_and_grads(y_pred, targets, self.from_logits)
        rows, k = np.arange(len(y_true)), self._classes(y_true)  # y_pred[rows, k]: own class
        weight_k = self._label_weights(y_true, y_pred.dtype)  # 1, or w_k; 0 if ignored
        if self.from_logits:
            log_softmax, softmax = _log_softmax_and_softmax(y_pred)
            losses = -weight_k * log_softmax[rows, k]
            grads = softmax * weight_k[:, None]
            grads[rows, k] -= weight_k
            return losses, grads
        y_pred_k = y_pred[rows, k]
        losses = -weight_k * _floored_log(y_pred_k)
        grads = np.zeros_like(y_pred)
        grads[rows, k] = -weight_k / np.maximum(y_pred_k, EPS)
        return losses, grads

    def _count(self, reduction, losses, y_true):
        """``"mean"`` divides by the total weight of the labels kept, as PyTorch does."""
        total_weight = self._label_weights(y_true, losses.dtype).sum()
        if total_weight == 0:
            reason = (
                f"every label is ignore_index={self.ignore_index}"
                if not self._kept(y_true).any()
                else "the classes of the labels kept all have weight 0"
            )
            raise ValueError(
                f"the mean of {self!r} divides by the total weight of the labels, which is 0: "
                f"{reason} (PyTorch gives NaN); use reduction='sum' or 'none' for such a batch"
            )
        return total_weight

    def _kept(self, y_true: np.ndarray) -> np.ndarray:
        """False where the label is ``ignore_index``: no loss, no gradient, no count."""
        if self.ignore_index is None:
            return np.ones(len(y_true), dtype=bool)
        return y_true != self.ignore_index

    def _classes(self, y_true: np.ndarray) -> np.ndarray:
        """Each example's class; an ignored example points at class 0 (with weight 0)."""
        return np.where(self._kept(y_true), y_true, 0)

    def _label_weights(self, y_true: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """The weight of each example's label: 1 (or its class's weight), 0 if ignored."""
        if self.weight is None:
            weight_k = np.ones(len(y_true), dtype)
        else:
            weight_k = self.weight.astype(dtype)[self._classes(y_true)]
        return weight_k * self._kept(y_true)

    def _smoothed_labels(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """The dense labels ``a`` of the smoothing: a row of zeros for an ignored example."""
        one_hot = np.zeros_like(y_pred)
        one_hot[np.arange(len(y_true)), self._classes(y_true)] = 1
        targets = _smoothed_and_weighted(one_hot, self.label_smoothing, self.weight)
        return targets * self._kept(y_true)[:, None]


# --- shared pieces of the formulas -------------------------------------------------


def _soft_label_losses_and_grads(
    y_pred: np.ndarray, targets: np.ndarray, from_logits: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The categorical cross-entropy of each row against ``targets``, and its gradient."""
    if from_logits:
        log_softmax, softmax = _log_softmax_and_softmax(y_pred)
        losses = -(targets * log_softmax).sum(axis=1)
        grads = softmax * targets.sum(axis=1, keepdims=True) - targets
        return losses, grads
    losses = -(targets * _floored_log(y_pred)).sum(axis=1)
    grads = -targets / np.maximum(y_pred, EPS)
    return losses, grads


def _smoothed_and_weighted(
    labels: np.ndarray, label_smoothing: float, weight: np.ndarray | None
) -> np.ndarray:
    """The labels the formulas use, :math:`w_c((1 - \\epsilon) y_c + \\epsilon / C)`."""
    targets = labels
    if label_smoothing > 0:
        targets = (1 - label_smoothing) * targets + label_smoothing / labels.shape[1]
    if weight is not None:
        targets = targets * weight.astype(labels.dtype)
    return targets


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
