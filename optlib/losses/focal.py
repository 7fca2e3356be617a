r"""The focal loss: binary cross-entropy that fades on the examples already right.

:class:`SigmoidFocalLoss` is torchvision's ``sigmoid_focal_loss`` (Lin et
al., 2017, *Focal Loss for Dense Object Detection*), read from logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import check_in_interval
from optlib.losses.base import (
    Loss,
    _check_number,
    _check_pair,
    _check_reduction,
    _number_setting,
    _Setting,
)


def _check_alpha(owner: str, name: str, alpha: Any) -> float | None:
    """None (no class weighting), or the weight of the positive class, in [0, 1]."""
    if alpha is None:
        return None
    if isinstance(alpha, int | float | np.integer | np.floating) and alpha < 0:
        raise ValueError(
            f"alpha must be a number in [0, 1], or None for no class weighting (what "
            f"torchvision's negative alpha means), got {alpha!r}"
        )
    return _check_number(owner, name, alpha, "unit")


def _check_reduction_setting(owner: str, name: str, reduction: Any) -> str:
    """The reduction a loss uses when a call gives none: one of "mean", "sum", "none"."""
    _check_reduction(reduction)
    return reduction


class SigmoidFocalLoss(Loss):
    r"""Focal loss on logits, as torchvision's ``sigmoid_focal_loss``.

    Each element of ``y_pred`` is a logit :math:`z`, with the probability
    :math:`p = \sigma(z)` of the positive class; each element of ``y_true`` is
    a target :math:`y \in [0, 1]` (usually 0 or 1). With the probability the
    model gives the target, :math:`p_t = p y + (1 - p)(1 - y)`, its
    complement :math:`1 - p_t = (1 - y)\, p + y\, (1 - p)` (how wrong the
    prediction is) and :math:`\alpha_t = \alpha y + (1 - \alpha)(1 - y)`:

    .. math::

        \ell = \alpha_t\, (1 - p_t)^\gamma\, \mathrm{CE},
        \qquad
        \mathrm{CE} = -y \log p - (1 - y) \log(1 - p),

    where CE is the binary cross-entropy of :class:`BinaryCrossEntropy` with
    ``from_logits=True``, computed as
    :math:`(1 - y)\max(z, 0) + y \max(-z, 0) + \log(1 + e^{-|z|})`. The
    factor :math:`(1 - p_t)^\gamma` is near 0 for an example the model
    already gets right (:math:`p_t \to 1`) and near 1 for one it gets
    wrong, so that the many easy examples of an unbalanced
    problem do not drown the few hard ones; :math:`\gamma = 0` and
    ``alpha=None`` give back the cross-entropy. The gradient, from the same
    quantities (:math:`\partial\,\mathrm{CE}/\partial z = p - y` and
    :math:`\partial (1 - p_t)/\partial z = (1 - 2y)\, p (1 - p)`):

    .. math::

        \frac{\partial \ell}{\partial z} = \alpha_t\, (1 - p_t)^\gamma
            \left[(p - y) + \gamma\, \mathrm{CE}\, (1 - 2y)\,
                  \frac{p (1 - p)}{1 - p_t}\right].

    The ratio :math:`p(1 - p)/(1 - p_t)` lies in [0, 1] and is taken as 0
    where :math:`1 - p_t = 0` (the limit). CE, :math:`1 - p` (as
    :math:`\sigma(-z)`), :math:`1 - p_t` and, for hard labels, :math:`p - y`
    (as :math:`(1 - y)p - y(1 - p)`) are computed without cancellation, and
    only :math:`e^{-|z|}` is exponentiated, so any logit gives finite results,
    accurate even where the loss is tiny. torchvision computes
    :math:`1 - p_t` as ``1 - p_t``, which loses relative accuracy once
    :math:`|z|` exceeds about 10, and its gradient is NaN where
    :math:`1 - p_t` rounds to 0 and :math:`\gamma < 1`; the two agree to
    rounding elsewhere.

    The default reduction is ``"none"``, torchvision's (not ``"mean"`` as for
    the other losses); ``"mean"`` averages over all elements. A call may say
    which it wants, as for every loss, and ``reduction=`` sets the loss's own
    default: ``SigmoidFocalLoss(reduction="mean")`` returns the single
    number that :func:`optlib.training.fit` needs. RetinaNet, the paper's
    detector, instead sums and divides by the number of objects.

    torchvision: ``torchvision.ops.sigmoid_focal_loss(y_pred, y_true,
    alpha=alpha, gamma=gamma, reduction=...)`` (``alpha=-1`` there is
    ``alpha=None`` here). Keras: ``keras.losses.BinaryFocalCrossentropy(
    apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True)``,
    which averages over the last axis.

    Parameters
    ----------
    alpha : float or None
        The weight :math:`\alpha \in [0, 1]` of the positive class (the
        negatives get :math:`1 - \alpha`); None weighs both 1.
    gamma : float
        The focusing exponent :math:`\gamma \ge 0`.
    reduction : {"none", "mean", "sum"}
        The reduction of a call that does not give one.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import BinaryCrossEntropy, SigmoidFocalLoss, sigmoid_focal
    >>> z, y = np.array([3.0, -3.0, 0.0]), np.array([1.0, 1.0, 1.0])
    >>> sigmoid_focal(z, y)  # right, wrong, undecided: reduction "none"
    array([2.73208311e-05, 6.91570110e-01, 4.33216988e-02])

    With :math:`\gamma = 0` and no class weights it is the cross-entropy:

    >>> plain = SigmoidFocalLoss(alpha=None, gamma=0.0)
    >>> bool(np.allclose(plain(z, y), BinaryCrossEntropy(from_logits=True)(z, y, "none")))
    True
    """

    alpha = _Setting(_check_alpha)
    gamma = _number_setting("non-negative")
    reduction = _Setting(_check_reduction_setting)

    #: Always True: the loss reads logits, so a model (:mod:`optlib.models`)
    #: hands it its logits, not its sigmoid probabilities.
    from_logits = True

    def __init__(
        self, alpha: float | None = 0.25, gamma: float = 2.0, reduction: str = "none"
    ) -> None:
        self.alpha = alpha
        self.gamma = gamma
        self.reduction = reduction

    def __repr__(self) -> str:
        shown = "" if self.reduction == "none" else f", reduction={self.reduction!r}"
        return f"SigmoidFocalLoss(alpha={self.alpha!r}, gamma={self.gamma!r}{shown})"

    def __call__(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str | None = None
    ) -> np.floating | np.ndarray:
        """The loss, as :meth:`Loss.__call__`; by default with the loss's own ``reduction``."""
        return self.value_and_grad(y_pred, y_true, reduction)[0]

    def grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str | None = None
    ) -> np.ndarray:
        """The gradient with respect to the logits, as :meth:`Loss.grad`."""
        return self.value_and_grad(y_pred, y_true, reduction)[1]

    def value_and_grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str | None = None
    ) -> tuple[np.floating | np.ndarray, np.ndarray]:
        """The value and the gradient together, as :meth:`Loss.value_and_grad`.

        ``reduction=None`` (the default of all three methods) means the
        reduction the loss was built with: ``"none"`` unless told otherwise.
        """
        chosen = self.reduction if reduction is None else reduction
        return super().value_and_grad(y_pred, y_true, chosen)

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        check_in_interval("y_true", y_true, 0.0, 1.0, "targets")
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        z, y, gamma = y_pred, y_true, self.gamma
        exp_neg_abs = np.exp(-np.abs(z))  # in (0, 1]: cannot overflow
        p = np.where(z >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)  # sigma(z)
        one_minus_p = np.where(z >= 0, exp_neg_abs, 1) / (1 + exp_neg_abs)  # sigma(-z)
        # -y log p - (1 - y) log(1 - p), as a sum of terms >= 0: nothing cancels
        ce = (1 - y) * np.maximum(z, 0) + y * np.maximum(-z, 0) + np.log1p(exp_neg_abs)
        miss = (1 - y) * p + y * one_minus_p  # 1 - p_t, a sum of two terms >= 0
        alpha_t = 1 if self.alpha is None else self.alpha * y + (1 - self.alpha) * (1 - y)
        focus = miss**gamma  # (1 - p_t)^gamma
        losses = alpha_t * focus * ce
        ratio = np.zeros_like(miss)  # p (1 - p) / (1 - p_t), in [0, 1]; 0 where 1 - p_t = 0
        np.divide(p * one_minus_p, miss, out=ratio, where=miss > 0)
        p_minus_y = (1 - y) * p - y * one_minus_p  # p - y, exact for y = 0 and y = 1
        grads = alpha_t * focus * (p_minus_y + gamma * ce * (1 - 2 * y) * ratio)
        return losses, grads
