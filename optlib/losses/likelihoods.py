r"""Negative log-likelihoods: Poisson for counts, Gaussian with a predicted variance.

Each loss is :math:`-\log` of the probability (density) that a distribution,
whose parameters the model predicts, gives the target. Minimising it is
maximum-likelihood estimation; the constant terms, which do not move the
minimum, are left out unless ``full=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import as_float_array, check_finite, refuse_matrix_and_masked
from optlib.losses.base import (
    Loss,
    _check_fits_dtype,
    _check_from_logits,
    _check_nonnegative,
    _check_pair,
    _check_reduction,
    _number_setting,
    _Setting,
)

#: :math:`\frac12 \log 2\pi`, the constant of the Gaussian's negative log-density.
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class PoissonNLLLoss(Loss):
    r"""Poisson negative log-likelihood, as PyTorch's ``poisson_nll_loss``: a loss for counts.

    Each element of ``y_true`` is a count :math:`y \ge 0` (a whole number, or
    any non-negative number), modelled as drawn from a Poisson distribution
    of rate :math:`\lambda`: :math:`P(y) = \lambda^y e^{-\lambda} / y!`. Each
    element of ``y_pred`` is the **log-rate** :math:`\log\lambda` (any real,
    e.g. a linear model's output, as in Poisson regression) or, with
    ``log_input=False``, the rate :math:`\lambda \ge 0` itself. Up to the
    term :math:`\log y!`, which does not depend on the prediction:

    .. math::

        \ell = e^{\log \lambda} - y \log \lambda,
        \qquad
        \frac{\partial \ell}{\partial \log\lambda} = e^{\log\lambda} - y = \lambda - y

    from log-rates, and from rates, with :math:`\varepsilon` (``eps``) keeping
    the logarithm finite at :math:`\lambda = 0`:

    .. math::

        \ell = \lambda - y \log(\lambda + \varepsilon),
        \qquad
        \frac{\partial \ell}{\partial \lambda} = 1 - \frac{y}{\lambda + \varepsilon}.

    Both are smallest where :math:`\lambda = y`. From log-rates only
    :math:`e^{\log\lambda}` can overflow, and then the loss is truly beyond
    the float range: it is inf, silently, as in PyTorch; very negative
    log-rates are exact.

    ``full=True`` adds Stirling's approximation of :math:`\log y!`,
    :math:`y \log y - y + \frac12 \log(2\pi y)`, where :math:`y > 1` (0
    elsewhere, as PyTorch does; the exact :math:`\log y!` is 0 at
    :math:`y = 0` and :math:`y = 1`). It changes the value, not the gradient.
    The mean is over all elements.

    PyTorch: ``torch.nn.functional.poisson_nll_loss(y_pred, y_true,
    log_input=log_input, full=full, eps=eps)`` (``torch.nn.PoissonNLLLoss``).
    Keras: ``keras.losses.Poisson()`` takes rates, :math:`\lambda - y
    \log(\lambda + 10^{-7})`, averaged over the last axis.

    Parameters
    ----------
    log_input : bool
        Whether ``y_pred`` holds log-rates (the default) rather than rates.
    full : bool
        Whether to add the Stirling term, making the value the full negative
        log-likelihood (approximately).
    eps : float
        The :math:`\varepsilon > 0` added to the rate inside the logarithm
        when ``log_input=False``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import PoissonNLLLoss, poisson_nll
    >>> log_rates, counts = np.log([2.0, 2.0]), np.array([2.0, 0.0])
    >>> poisson_nll(log_rates, counts, reduction="none")  # 2 - 2 log 2, and 2
    array([0.61370564, 2.        ])
    >>> poisson_nll.grad(log_rates, counts, reduction="none")  # rate - count
    array([0., 2.])
    >>> PoissonNLLLoss(log_input=False)(np.array([2.0]), np.array([2.0]))  # log(2 + 1e-8)
    np.float64(0.6137056288801095)
    """

    log_input = _Setting(_check_from_logits)
    full = _Setting(_check_from_logits)
    eps = _number_setting("positive")

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8) -> None:
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def __repr__(self) -> str:
        return f"PoissonNLLLoss(log_input={self.log_input}, full={self.full}, eps={self.eps!r})"

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        _check_nonnegative("y_true", y_true, "counts")
        if not self.log_input:
            try:
                _check_nonnegative("y_pred", y_pred, "rates")
            except ValueError as error:
                raise ValueError(f"{error} (for log-rates, pass log_input=True)") from None
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        if self.log_input:
            log_rate = y_pred
            rate = np.exp(log_rate)
            losses = rate - y_true * log_rate
            grads = rate - y_true
        else:
            rate = y_pred
            losses = rate - y_true * np.log(rate + self.eps)
            grads = 1 - y_true / (rate + self.eps)
        if self.full:
            losses = losses + _stirling(y_true)
        return losses, grads

    def _mean_grads(self, y_pred, y_true, grads, count):
        # PyTorch's autograd scales first, g = 1/n, then forms the two terms,
        # gλ − gy (log-rates) or g − gy/(λ + ε) (rates). Where they nearly cancel, a
        # rate close to its count, dividing the difference by n afterwards would
        # round the tiny result differently (relative 1e-8 at a perfect prediction).
        g = np.ones((), dtype=y_pred.dtype) / count
        if self.log_input:
            return g * np.exp(y_pred) - g * y_true
        return g - g * y_true / (y_pred + self.eps)


def _stirling(y: np.ndarray) -> np.ndarray:
    r""":math:`y \log y - y + \frac12 \log(2\pi y)` where :math:`y > 1`, 0 elsewhere."""
    log_y = np.zeros_like(y)
    np.log(y, out=log_y, where=y > 1)
    return np.where(y > 1, y * log_y - y + 0.5 * (math.log(2 * math.pi) + log_y), 0)


class GaussianNLLLoss(Loss):
    r"""Gaussian negative log-likelihood, PyTorch's ``gaussian_nll_loss``: a mean and a variance.

    The model predicts, for each target :math:`y`, the mean :math:`\mu`
    (``y_pred``) and the variance :math:`\sigma^2` (``var``) of a normal
    distribution; the loss is its negative log-density at :math:`y`, without
    the constant :math:`\frac12 \log 2\pi` (added by ``full=True``). With the
    variance clamped from below at :math:`\varepsilon` (``eps``),
    :math:`v = \max(\sigma^2, \varepsilon)`:

    .. math::

        \ell = \frac12 \left(\log v + \frac{(\mu - y)^2}{v}\right),
        \qquad
        \frac{\partial \ell}{\partial \mu} = \frac{\mu - y}{v}.

    With one fixed variance this is half the squared error, scaled; with a
    predicted variance per example, the model can say where it is unsure:
    a large :math:`v` divides the error down but costs :math:`\log v`.

    ``.grad`` is the gradient with respect to ``y_pred``, the mean, only.
    The clamp acts on the variance, not on the mean: where
    :math:`\sigma^2 < \varepsilon` the gradient uses :math:`v = \varepsilon`,
    so a zero variance gives a large but finite gradient. (PyTorch clamps
    without recording it for autograd, so its gradient with respect to
    ``var`` passes through the clamp as if it were not there.)

    ``var`` may have the shape of ``y_pred`` (one variance per element),
    the shape of ``y_pred`` without its last axis (one per row), the shape
    of ``y_pred`` with size 1 in one axis (shared along it), or be a single
    number: PyTorch's rules, except that PyTorch takes a number only as a
    Python float. Its entries must be non-negative (PyTorch's check).
    ``y_true`` has the shape of ``y_pred`` (PyTorch also broadcasts it). The
    mean is over all elements of ``y_pred``.

    PyTorch: ``torch.nn.functional.gaussian_nll_loss(y_pred, y_true, var,
    full=full, eps=eps)`` (``torch.nn.GaussianNLLLoss``). Keras has no such
    loss.

    Parameters
    ----------
    full : bool
        Whether to add the constant :math:`\frac12 \log 2\pi`.
    eps : float
        The floor :math:`\varepsilon > 0` on the variance.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import gaussian_nll
    >>> mean, target = np.array([1.0, 1.0]), np.array([3.0, 3.0])
    >>> var = np.array([1.0, 4.0])  # the second prediction is less sure
    >>> gaussian_nll(mean, target, var, reduction="none")  # (0 + 4) / 2, (log 4 + 1) / 2
    array([2.        , 1.19314718])
    >>> gaussian_nll.grad(mean, target, var, reduction="none")  # (mu - y) / var
    array([-2. , -0.5])
    """

    full = _Setting(_check_from_logits)
    eps = _number_setting("positive")

    def __init__(self, full: bool = False, eps: float = 1e-6) -> None:
        self.full = full
        self.eps = eps

    def __repr__(self) -> str:
        return f"GaussianNLLLoss(full={self.full}, eps={self.eps!r})"

    def __call__(
        self, y_pred: ArrayLike, y_true: ArrayLike, var: Any, reduction: str = "mean"
    ) -> np.floating | np.ndarray:
        """The loss of the means ``y_pred`` and variances ``var`` against ``y_true``.

        Parameters
        ----------
        y_pred : array_like
            The predicted means.
        y_true : array_like
            The targets, of the shape of ``y_pred``.
        var : array_like or float
            The predicted variances, non-negative: the shape of ``y_pred``,
            or one that broadcasts to it as described above, or a number.
        reduction : {"mean", "sum", "none"}
            How the per-element losses are combined.

        Returns
        -------
        numpy.floating or numpy.ndarray
            A scalar for ``"mean"`` and ``"sum"``, the per-element losses
            for ``"none"``.
        """
        return self.value_and_grad(y_pred, y_true, var, reduction)[0]

    def grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, var: Any, reduction: str = "mean"
    ) -> np.ndarray:
        """The gradient with respect to ``y_pred`` (the means), of its shape and dtype."""
        return self.value_and_grad(y_pred, y_true, var, reduction)[1]

    def value_and_grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, var: Any, reduction: str = "mean"
    ) -> tuple[np.floating | np.ndarray, np.ndarray]:
        """The value and the gradient together, computed once."""
        _check_reduction(reduction, self._reductions)
        y_pred, y_true = self._check(y_pred, y_true)
        var = _check_var(var, y_pred)
        with np.errstate(over="ignore", under="ignore"):
            losses, grads = self._losses_and_grads(y_pred, y_true, var)
            if reduction == "none":
                return losses, grads
            if reduction == "sum":
                return losses.sum(), grads
            return losses.sum() / losses.size, grads / losses.size

    def _losses_and_grads(self, y_pred, y_true, var):
        clamped_var = np.maximum(var, self.eps)  # v: the variance is clamped, not the mean
        r = y_pred - y_true
        losses = 0.5 * (np.log(clamped_var) + r * r / clamped_var)
        if self.full:
            losses = losses + _HALF_LOG_2PI
        grads = r / clamped_var
        return losses, grads


def _check_var(var: Any, y_pred: np.ndarray) -> np.ndarray:
    """The variances, shaped to broadcast against ``y_pred`` by PyTorch's rules."""
    refuse_matrix_and_masked("var", var)
    var = as_float_array("var", var)
    check_finite("var", var)
    _check_nonnegative("var", var, "variances")
    _check_fits_dtype("var", var, y_pred.dtype)
    var = var.astype(y_pred.dtype, copy=False)
    shape, wanted = var.shape, y_pred.shape
    if var.ndim == 0 or shape == wanted:  # one variance for all, or one per element
        return var
    if shape == wanted[:-1]:  # one variance per row
        return var[..., None]
    if var.ndim == y_pred.ndim:
        differing = [axis for axis in range(var.ndim) if shape[axis] != wanted[axis]]
        if len(differing) == 1 and shape[differing[0]] == 1:  # shared along one axis
            return var
    raise ValueError(
        f"var must have the shape of y_pred {wanted}, or {wanted[:-1]} (one variance per "
        f"row), or that of y_pred with size 1 in one axis, or be a number; got shape {shape}"
    )
