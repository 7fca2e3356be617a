r"""Adamax: Adam with an infinity norm in place of the root mean square, :class:`Adamax`.

The rule, :func:`adamax_step`, reads like ``torch.optim.Adamax``'s algorithm box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import Hyperparameter, bias_correction, direction, ema_update

__all__ = ["Adamax", "adamax_rate", "adamax_step"]


def adamax_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    maximize: bool,
) -> None:
    r"""One step of :class:`Adamax` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"exp_avg"`` :math:`m` and
    ``"exp_inf"`` :math:`u`; an empty dict starts them at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adamax_step(theta, np.array([-4.0]), state, lr=0.1, betas=(0.9, 0.999), eps=0.0,
    ...             weight_decay=0.0, maximize=False)
    >>> theta.round(6), state["exp_inf"]  # u₁ = |g|: the first step is lr · sign(g)
    (array([1.1]), array([4.]))
    """
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_inf=np.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    # m ← β₁m + (1 − β₁)g
    m = ema_update(state["exp_avg"], g, beta1)
    # u ← max(β₂u, |g| + ε)   (ε inside the maximum, as in torch)
    u = state["exp_inf"]
    u *= beta2
    np.maximum(u, np.abs(g) + eps, out=u)
    # θ ← θ − α/(1 − β₁ᵗ) · m/u   (the step size times m first, then the division,
    # as torch's addcdiv)
    param -= lr / bias_correction(beta1, t) * m / u


def adamax_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    **_: Any,
) -> np.ndarray:
    r"""The factor that multiplied Adamax's first moment: :math:`\alpha/(1 - \beta_1^t)/u_t`.

    Examples
    --------
    >>> import numpy as np
    >>> adamax_rate({"step": 1, "exp_inf": np.array([4.0])}, lr=0.1, betas=(0.9, 0.999))
    array([0.25])
    """
    beta1, _ = betas
    return lr / bias_correction(beta1, state["step"]) / state["exp_inf"]


class Adamax(Optimizer):
    r"""Adamax: Adam with an infinity norm, as ``torch.optim.Adamax``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 2e-3
        Learning rate :math:`\alpha`.
    betas : pair of float or ndarray, default (0.9, 0.999)
        Decays :math:`(\beta_1, \beta_2)` of the first moment and of the infinity norm.
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to :math:`|g_t|` inside the maximum.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adamax_step``); :math:`m`, :math:`u` are the state entries
    ``"exp_avg"``, ``"exp_inf"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ u_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon) \\
         &\quad \theta_t \leftarrow \theta_{t-1} - \frac{\alpha}{1 - \beta_1^t}\, \frac{m_t}{u_t}
       \end{aligned}

    **The infinity norm.** Adam divides by :math:`\sqrt{s_t}`, an exponentially
    weighted :math:`L^2` norm of past gradients; Kingma and Ba (2015, section 7)
    let the exponent grow to infinity and get :math:`u_t`, a maximum of past
    :math:`|g|` that decays by :math:`\beta_2` per step. :math:`u_t` needs no bias
    correction: it is never smaller than the latest :math:`|g_t|`, so the step is
    at most :math:`\alpha/(1 - \beta_1^t)` in each coordinate.

    **Conventions differ.** PyTorch (and this class) adds :math:`\varepsilon` to
    :math:`|g_t|` *inside* the maximum; Keras's ``Adamax`` takes
    :math:`\max(\beta_2 u_{t-1}, |g_t|)` and adds :math:`\varepsilon` to the
    denominator, :math:`m_t/(u_t + \varepsilon)`, with ``epsilon=1e-7`` and
    ``learning_rate=0.001`` (PyTorch: ``eps=1e-8``, ``lr=2e-3``). The two differ
    once :math:`u_t` has decayed below :math:`|g_t|`.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adamax(theta, lr=0.1)
    >>> opt.step(np.array([50.0, -0.5]))  # the first step is lr · sign(g), up to eps
    >>> theta.round(6)
    array([ 0.9, -1.9])
    """

    rule = staticmethod(adamax_step)
    rate = staticmethod(adamax_rate)
    state_names = ("step", "exp_avg", "exp_inf")
    nonnegative_state = ("exp_inf",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 2e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return self.state_names
