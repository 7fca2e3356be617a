r"""Regression losses: mean squared error, mean absolute error and Huber.

Each compares a prediction :math:`\hat y` with a target :math:`y` element by
element, through the residual :math:`r = \hat y - y`; ``"mean"`` averages over
all elements.
"""

from __future__ import annotations

import numpy as np

from optlib.losses.base import Loss, _check_number


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
        self._delta = _check_number("Huber", "delta", value, "positive")

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
