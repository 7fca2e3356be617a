r"""Margin losses: hinge, squared hinge and the multi-class margin loss.

The losses of support vector machines. They read the predictions as scores
(any real number, no probability), and are 0 once the right answer wins by a
margin: an example classified with enough confidence no longer moves the
model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optlib.losses.base import (
    Loss,
    _check_class_scores,
    _check_class_weights,
    _check_labels,
    _check_pair,
    _number_setting,
    _options_repr,
    _refuse_array_setting,
    _Setting,
    _weights_for,
)


def _check_power(owner: str, name: str, value: Any) -> int:
    """The power ``p`` of :class:`MultiMarginLoss`: 1 or 2, as in PyTorch."""
    _refuse_array_setting(owner, name, value, "1 or 2")
    if isinstance(value, bool | np.bool_) or value not in (1, 2):
        raise ValueError(f"{name} must be 1 or 2, got {value!r}")
    return int(value)


class Hinge(Loss):
    r"""Hinge loss, Keras's ``Hinge``: the loss of the linear support vector machine.

    Each element of ``y_pred`` is a score :math:`s` (any real number, e.g. a
    logit), each element of ``y_true`` a label :math:`y \in \{-1, 1\}`. The
    loss is 0 once the score has the label's sign with a margin of 1, and
    grows linearly below that:

    .. math::

        \ell = \max(0,\, 1 - y s),
        \qquad
        \frac{\partial \ell}{\partial s} = \begin{cases}
            -y & y s < 1 \\
            0 & y s \ge 1,
        \end{cases}

    the gradient at the kink :math:`y s = 1` taken as 0 (any value between
    :math:`-y` and 0 is a subgradient), as PyTorch's margin losses do. The
    mean is over all elements.

    Labels in :math:`\{0, 1\}` are converted to :math:`\{-1, 1\}` by
    :math:`2y - 1`, as Keras 3 does (``keras.losses.hinge``, through
    ``convert_binary_labels_to_hinge``) when *every* label of the call is 0
    or 1. Keras uses any other labels as given, so that a 0 mixed with -1
    and 1 gives a loss of 1 whatever the score; optlib refuses such a
    mixture, and any label that is not -1, 0 or 1.

    PyTorch has no such loss. Keras 3: ``keras.losses.Hinge()``, which
    averages over the last axis and then over the batch: for ``y_pred`` of
    shape (n, d) the same number as ``"mean"``; its ``reduction=None`` gives
    the per-row means, where ``"none"`` here gives the per-element losses.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import hinge
    >>> scores, labels = np.array([2.0, 0.5, -1.0]), np.array([1.0, 1.0, 1.0])
    >>> hinge(scores, labels, reduction="none")  # beyond the margin, inside it, wrong side
    array([0. , 0.5, 2. ])
    >>> hinge.grad(scores, labels, reduction="none")
    array([ 0., -1., -1.])
    >>> hinge(scores, np.array([1, 0, 1]), reduction="none")  # {0, 1}: the 0 is read as -1
    array([0. , 1.5, 2. ])
    """

    #: Always True: the loss reads scores (logits), so a model
    #: (:mod:`optlib.models`) hands it its logits, not its probabilities.
    from_logits = True

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        return y_pred, _signed_labels(y_true)

    def _losses_and_grads(self, y_pred, y_true):
        shortfall = 1 - y_true * y_pred  # how far the score falls short of the margin (if > 0)
        inside = shortfall > 0
        losses = np.where(inside, shortfall, 0)
        grads = np.where(inside, -y_true, 0)
        return losses, grads


class SquaredHinge(Loss):
    r"""Squared hinge loss, Keras's ``SquaredHinge``: the hinge, squared, so smooth.

    As :class:`Hinge` (scores :math:`s`, labels :math:`y \in \{-1, 1\}`, or
    :math:`\{0, 1\}` converted as Keras does), with the shortfall squared:

    .. math::

        \ell = \max(0,\, 1 - y s)^2,
        \qquad
        \frac{\partial \ell}{\partial s} = -2 y \max(0,\, 1 - y s).

    The gradient is continuous, 0 at the margin, so gradient descent slows as
    an example approaches it; large violations cost quadratically, as in MSE.
    The mean is over all elements.

    PyTorch has no such loss. Keras 3: ``keras.losses.SquaredHinge()``
    (averages over the last axis, then over the batch).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import squared_hinge
    >>> scores, labels = np.array([2.0, 0.5, -1.0]), np.array([-1.0, 1.0, 1.0])
    >>> squared_hinge(scores, labels, reduction="none")  # (1 + 2)^2, 0.5^2, 2^2
    array([9.  , 0.25, 4.  ])
    >>> squared_hinge.grad(scores, labels, reduction="none")
    array([ 6., -1., -4.])
    """

    #: Always True: the loss reads scores (logits), so a model
    #: (:mod:`optlib.models`) hands it its logits, not its probabilities.
    from_logits = True

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        return y_pred, _signed_labels(y_true)

    def _losses_and_grads(self, y_pred, y_true):
        shortfall = np.maximum(1 - y_true * y_pred, 0)  # how far short of the margin
        return shortfall * shortfall, -2 * y_true * shortfall


class MultiMarginLoss(Loss):
    r"""Multi-class hinge loss, PyTorch's ``multi_margin_loss``: the multi-class SVM loss.

    ``y_pred`` is ``(n, C)``: a score :math:`s_c` per class for each example
    (logits, say); ``y_true`` is ``(n,)``, the class :math:`k` of each
    example. Every other class :math:`c` whose score comes within the margin
    :math:`m` of the true class's is penalised, by its *violation*
    :math:`v_c = m - s_k + s_c`, raised to the power :math:`p \in \{1, 2\}`:

    .. math::

        \ell = \frac{w_k}{C} \sum_{c \ne k} \max(0,\, v_c)^p,

    .. math::

        \frac{\partial \ell}{\partial s_c} = \frac{w_k}{C}\, p \max(0,\, v_c)^{p - 1}
        \quad (c \ne k),
        \qquad
        \frac{\partial \ell}{\partial s_k} = -\sum_{c \ne k} \frac{\partial \ell}{\partial s_c},

    where :math:`\max(0, v)^0` means 1 for :math:`v > 0` and 0 otherwise (the
    gradient at a violation of exactly 0 is 0, as in PyTorch). :math:`w_k` is
    the weight of the true class (1 without ``weight``). Note the division by
    C, the number of classes, in each example's loss, and that the weight
    multiplies :math:`\max(0, v_c)^p`: PyTorch's documentation writes
    :math:`\max(0, w_k v_c)^p`, but its code, which optlib follows, computes
    :math:`w_k \max(0, v_c)^p` (the same for :math:`p = 1`). The mean is over
    the n examples.

    PyTorch: ``torch.nn.functional.multi_margin_loss(y_pred, y_true, p=p,
    margin=margin, weight=weight)`` (``torch.nn.MultiMarginLoss``). Keras:
    ``keras.losses.CategoricalHinge`` is a different loss (only the
    largest wrong score counts, without the division by C).

    Parameters
    ----------
    p : {1, 2}
        The power of each violation: 1 for the hinge, 2 for the squared hinge.
    margin : float
        The margin :math:`m` by which the true class's score should win.
    weight : array_like of shape (C,), optional
        A non-negative weight per class, applied by each example's true class.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import multi_margin
    >>> scores = np.array([[2.0, 1.5, -1.0]])  # class 0 wins, but by less than 1 over class 1
    >>> multi_margin(scores, np.array([0]))  # (1 - 2 + 1.5) / 3
    np.float64(0.16666666666666666)
    >>> multi_margin.grad(scores, np.array([0]))
    array([[-0.33333333,  0.33333333,  0.        ]])
    """

    #: Always True: the loss reads scores (logits), so a model
    #: (:mod:`optlib.models`) hands it its logits, not its probabilities.
    from_logits = True

    p = _Setting(_check_power)
    margin = _number_setting("finite")
    weight = _Setting(_check_class_weights)

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None) -> None:
        self.p = p
        self.margin = margin
        self.weight = weight

    def __repr__(self) -> str:
        options = _options_repr(self, weight=None)
        return f"MultiMarginLoss(p={self.p}, margin={self.margin!r}{options})"

    def _check(self, y_pred, y_true):
        y_pred = _check_class_scores(y_pred, y_true)
        labels = _check_labels(y_true, y_pred.shape)
        if self.weight is not None:
            _weights_for(self.weight, y_pred)
        return y_pred, labels

    def _losses_and_grads(self, y_pred, y_true):
        n, n_classes = y_pred.shape
        rows, k = np.arange(n), y_true  # y_pred[rows, k]: each example's true class
        violations = self.margin - y_pred[rows, k][:, None] + y_pred  # v_c = m - s_k + s_c
        violations[rows, k] = 0  # the true class is not compared with itself
        positive = np.maximum(violations, 0)
        if self.weight is None:
            weight_k = np.ones((n, 1), y_pred.dtype)
        else:
            weight_k = self.weight.astype(y_pred.dtype)[k][:, None]  # the true class's weight
        if self.p == 1:
            losses = (weight_k * positive).sum(axis=1) / n_classes
            grads = weight_k * (violations > 0) / n_classes
        else:
            losses = (weight_k * positive * positive).sum(axis=1) / n_classes
            grads = weight_k * 2 * positive / n_classes
        grads[rows, k] = -grads.sum(axis=1)  # s_k enters every violation with a minus sign
        return losses, grads


def _signed_labels(y_true: np.ndarray) -> np.ndarray:
    """Labels in {-1, 1}, from {-1, 1} or, converted as Keras does, from {0, 1}."""
    is_zero, is_one, is_minus_one = y_true == 0, y_true == 1, y_true == -1
    if (is_zero | is_one).all():  # Keras's binary labels: 2 y - 1
        return 2 * y_true - 1
    if (is_one | is_minus_one).all():
        return y_true
    other = ~(is_zero | is_one | is_minus_one)
    if other.any():
        found = f"found {y_true[other].flat[0].item()!r}"
    else:
        found = "found both 0 and -1"
    raise ValueError(
        "y_true must hold labels in {-1, 1}, or in {0, 1} (converted to -1, 1 as Keras "
        f"does), {found}"
    )
