r"""Stochastic gradient descent, with momentum and Nesterov's variant: :class:`SGD`.

The rule, :func:`sgd_step`, reads like ``torch.optim.SGD``'s algorithm box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import Hyperparameter, direction, is_on

__all__ = ["SGD", "sgd_rate", "sgd_step"]


def sgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    momentum: Hyperparameter,
    dampening: Hyperparameter,
    weight_decay: Hyperparameter,
    nesterov: bool,
    maximize: bool,
) -> None:
    r"""One step of :class:`SGD` on one parameter, in place (no validation).

    ``state`` holds ``"momentum_buffer"``, the velocity :math:`v`, once momentum
    is used; pass an empty dict before the first step.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0, -1.0]), {}
    >>> for _ in range(2):
    ...     sgd_step(theta, np.array([0.5, 0.5]), state, lr=0.1, momentum=0.9,
    ...              dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
    >>> theta, state["momentum_buffer"]  # v = 0.5, then 0.9 * 0.5 + 0.5
    (array([ 0.855, -1.145]), array([0.95, 0.95]))
    """
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    if is_on(momentum):
        velocity = state.get("momentum_buffer")
        if velocity is None:
            # v₁ ← g₁
            velocity = state["momentum_buffer"] = np.array(g, dtype=param.dtype)
        else:
            # v ← ρv + (1 − τ)g
            velocity *= momentum
            velocity += g if _is_one(1 - dampening) else g * (1 - dampening)
        # g ← g + ρv (Nesterov), or g ← v
        g = g + velocity * momentum if nesterov else velocity
    # θ ← θ − αg
    param -= g if _is_one(lr) else g * lr


def _is_one(factor: Hyperparameter) -> bool:
    """Whether multiplying by ``factor`` can be skipped: it is the scalar 1, and exact."""
    return not isinstance(factor, np.ndarray) and factor == 1


def sgd_rate(state: dict[str, Any], *, lr: Hyperparameter, **_: Any) -> Hyperparameter:
    r"""SGD's learning rate is the same for every coordinate: :math:`\alpha`.

    Examples
    --------
    >>> sgd_rate({}, lr=0.1, momentum=0.9)
    0.1
    """
    return lr


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum, as ``torch.optim.SGD``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1e-3
        Learning rate :math:`\alpha`.
    momentum : float or ndarray, default 0
        Momentum coefficient :math:`\rho`.
    dampening : float or ndarray, default 0
        Dampening :math:`\tau` of the velocity (the momentum buffer).
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (needs momentum > 0 and dampening 0).
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``sgd_step``), as in PyTorch's documentation; :math:`v` is the
    velocity, the state entry ``"momentum_buffer"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},\ \rho \text{ (momentum)},
            \ \tau \text{ (dampening)},\ \textit{nesterov},\ \textit{maximize} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad \textbf{if } \rho \neq 0: \\
         &\qquad v_t \leftarrow g_t \textbf{ if } t = 1
            \textbf{ else } \rho v_{t-1} + (1 - \tau) g_t \\
         &\qquad g_t \leftarrow g_t + \rho v_t \textbf{ if } \textit{nesterov}
            \textbf{ else } v_t \\
         &\quad \theta_t \leftarrow \theta_{t-1} - \alpha g_t
       \end{aligned}

    **Momentum conventions differ.** PyTorch (and this class) accumulates the
    raw gradient and scales by the learning rate afterwards,
    :math:`v \leftarrow \rho v + g,\ \theta \leftarrow \theta - \alpha v`.
    Sutskever et al. (2013), and Keras, put the learning rate inside the velocity,
    :math:`v \leftarrow \rho v - \alpha g,\ \theta \leftarrow \theta + v` (their
    :math:`v` is :math:`-\alpha` times ours); the two agree while :math:`\alpha` is
    constant and differ once a schedule changes it.
    A third form weights the gradient by :math:`1 - \rho`,
    :math:`v \leftarrow \rho v + (1 - \rho) g` (``dampening=momentum`` here, except
    that the first step is undamped); its steps are :math:`1 - \rho` times smaller.

    With an array of momenta, the velocity is used when any entry is nonzero; an
    entry of exactly 0 then gives plain descent when dampening is 0 (with
    dampening :math:`\tau`, its steps are scaled by :math:`1 - \tau` after the first).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD(theta, lr=0.1)
    >>> opt.step(2 * theta)  # the gradient of ‖θ‖²
    >>> theta
    array([ 0.8, -1.6])

    Three learning rates in one sweep: one row of ``thetas`` per run.

    >>> thetas = np.ones((3, 2))
    >>> opt = SGD(thetas, lr=np.array([[0.1], [0.2], [0.5]]), momentum=0.9)
    >>> opt.step(2 * thetas)
    >>> thetas
    array([[0.8, 0.8],
           [0.6, 0.6],
           [0. , 0. ]])
    """

    rule = staticmethod(sgd_step)
    rate = staticmethod(sgd_rate)
    state_names = ("momentum_buffer",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        momentum: ArrayLike = 0,
        dampening: ArrayLike = 0,
        weight_decay: ArrayLike = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _check_together(self, hyperparameters: dict[str, Any]) -> None:
        momentum, dampening = hyperparameters["momentum"], hyperparameters["dampening"]
        if hyperparameters["nesterov"] and (np.any(momentum <= 0) or np.any(dampening != 0)):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
