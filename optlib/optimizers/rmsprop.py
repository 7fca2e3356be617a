r"""RMSprop: divide by a running root mean square of the gradients, :class:`RMSprop`.

The rule, :func:`rmsprop_step`, reads like ``torch.optim.RMSprop``'s algorithm box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import (
    Hyperparameter,
    direction,
    ema_update,
    ema_update_squares,
    is_on,
    root_plus_eps,
)

__all__ = ["RMSprop", "rmsprop_rate", "rmsprop_step"]


def rmsprop_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    alpha: Hyperparameter,
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    momentum: Hyperparameter,
    centered: bool,
    maximize: bool,
) -> None:
    r"""One step of :class:`RMSprop` on one parameter, in place (no validation).

    ``state`` holds ``"step"``, ``"square_avg"`` :math:`s`, and, when used,
    ``"grad_avg"`` :math:`\bar g` (centered) and ``"momentum_buffer"`` :math:`v`;
    missing entries start at zero. The decay :math:`\gamma` is the argument ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> rmsprop_step(theta, np.array([2.0]), state, lr=0.01, alpha=0.99, eps=1e-8,
    ...              weight_decay=0.0, momentum=0.0, centered=False, maximize=False)
    >>> theta, state["square_avg"]  # s = 0.01 * 2**2: the first step is 10 * lr
    (array([0.9]), array([0.04]))
    """
    _start(param, state, momentum, centered)
    state["step"] += 1
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    # s ← γs + (1 − γ)g²
    s = ema_update_squares(state["square_avg"], g, alpha)
    if centered:
        # ḡ ← γḡ + (1 − γ)g,   d ← √(s − ḡ²) + ε
        grad_avg = ema_update(state["grad_avg"], g, alpha)
        denom = root_plus_eps(s - grad_avg * grad_avg, eps)
    else:
        # d ← √s + ε
        denom = root_plus_eps(s, eps)
    if is_on(momentum):
        # v ← ρv + g/d,   θ ← θ − αv
        velocity = state["momentum_buffer"]
        velocity *= momentum
        velocity += g / denom
        param -= velocity * lr
    else:
        # θ ← θ − αg/d   (αg first, then the division, as torch's addcdiv)
        param -= lr * g / denom


def _start(param: np.ndarray, state: dict[str, Any], momentum: Any, centered: bool) -> None:
    """Create, at zero, the state entries these hyper-parameters use and the state lacks."""
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
    if centered and "grad_avg" not in state:
        state["grad_avg"] = np.zeros_like(param)
    if is_on(momentum) and "momentum_buffer" not in state:
        state["momentum_buffer"] = np.zeros_like(param)


def rmsprop_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    eps: Hyperparameter,
    centered: bool,
    **_: Any,
) -> np.ndarray:
    r"""RMSprop's per-coordinate rate: :math:`\alpha / d` with :func:`rmsprop_step`'s :math:`d`.

    Examples
    --------
    >>> import numpy as np
    >>> rmsprop_rate({"square_avg": np.array([0.04])}, lr=0.01, eps=0.0, centered=False)
    array([0.05])
    """
    s = state["square_avg"]
    if centered:
        s = s - state["grad_avg"] * state["grad_avg"]
    return lr / root_plus_eps(s, eps)


class RMSprop(Optimizer):
    r"""RMSprop: divide by a running root mean square of the gradients, as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1e-2
        Learning rate :math:`\alpha`.
    alpha : float or ndarray, default 0.99
        Decay :math:`\gamma` of the moving averages (PyTorch's name; Keras calls it ``rho``).
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to the denominator after the square root.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    momentum : float or ndarray, default 0
        Momentum coefficient :math:`\rho` applied to the scaled step.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``rmsprop_step``); :math:`s`, :math:`\bar g`, :math:`v` are the
    state entries ``"square_avg"``, ``"grad_avg"``, ``"momentum_buffer"``, all
    starting at 0:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \gamma \text{ (alpha)},\ \theta_0
            \text{ (params)},\ f(\theta) \text{ (objective)},\ \lambda \text{ (weight decay)},
            \ \rho \text{ (momentum)},\ \textit{centered},\ \varepsilon \text{ (eps)} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad s_t \leftarrow \gamma s_{t-1} + (1 - \gamma) g_t^2 \\
         &\quad \textbf{if } \textit{centered}:\ \bar g_t \leftarrow \gamma \bar g_{t-1}
            + (1 - \gamma) g_t,\quad d_t \leftarrow \sqrt{s_t - \bar g_t^2} + \varepsilon \\
         &\quad \textbf{else}:\ d_t \leftarrow \sqrt{s_t} + \varepsilon \\
         &\quad \textbf{if } \rho > 0:\ v_t \leftarrow \rho v_{t-1} + g_t / d_t,
            \quad \theta_t \leftarrow \theta_{t-1} - \alpha v_t \\
         &\quad \textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \alpha\, g_t / d_t
       \end{aligned}

    **Conventions differ.** :math:`\varepsilon` is added *after* the square root, as in
    PyTorch; TensorFlow/Keras add it inside, :math:`\sqrt{s + \varepsilon}`. Keras's
    default decay is ``rho=0.9``; PyTorch's (and this class's) is ``alpha=0.99``,
    a ten times longer memory. There is no bias correction, so the first steps
    are :math:`1/\sqrt{1 - \gamma}` times larger than later ones for the same gradient
    (10 times with the default).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = RMSprop(theta, lr=0.01, alpha=0.99)
    >>> opt.step(np.array([3.0, -3.0]))  # first step: lr · g / (|g| √(1 − γ) + ε)
    >>> theta.round(6)
    array([ 0.9, -1.9])
    """

    rule = staticmethod(rmsprop_step)
    rate = staticmethod(rmsprop_rate)
    state_names = ("step", "square_avg", "momentum_buffer", "grad_avg")
    nonnegative_state = ("square_avg",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-2,
        alpha: ArrayLike = 0.99,
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        momentum: ArrayLike = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        required = ("step", "square_avg")
        if is_on(hyperparameters["momentum"]):
            required += ("momentum_buffer",)
        if hyperparameters["centered"]:
            required += ("grad_avg",)
        return required
