r"""Adam and AdamW: momentum and RMSprop with bias correction, :class:`Adam`, :class:`AdamW`.

The rules, :func:`adam_step` and :func:`adamw_step`, read like ``torch.optim``'s
algorithm boxes; AdamW is Adam with one line changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import (
    Hyperparameter,
    bias_correction,
    direction,
    ema_update,
    ema_update_squares,
    is_on,
    root_plus_eps,
)

__all__ = ["Adam", "AdamW", "adam_rate", "adam_step", "adamw_step"]


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    amsgrad: bool,
    maximize: bool,
) -> None:
    r"""One step of :class:`Adam` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"exp_avg"`` :math:`m`,
    ``"exp_avg_sq"`` :math:`s` and, with amsgrad, ``"max_exp_avg_sq"``
    :math:`s^{\max}`; missing entries start at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adam_step(theta, np.array([3.0]), state, lr=0.1, betas=(0.9, 0.999), eps=1e-8,
    ...           weight_decay=0.0, amsgrad=False, maximize=False)
    >>> theta, state["step"]  # bias correction makes the first step lr * sign(g)
    (array([0.9]), 1)
    """
    beta1, beta2 = betas
    _start(param, state, amsgrad)
    state["step"] += 1
    t = state["step"]
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    # m ← β₁m + (1 − β₁)g
    m = ema_update(state["exp_avg"], g, beta1)
    # s ← β₂s + (1 − β₂)g²
    s = ema_update_squares(state["exp_avg_sq"], g, beta2)
    if amsgrad:
        # s^max ← max(s^max, s), and the step divides by s^max instead of s
        s = np.maximum(state["max_exp_avg_sq"], s, out=state["max_exp_avg_sq"])
    # d ← √s / √(1 − β₂ᵗ) + ε   (= √ŝ + ε)
    denom = root_plus_eps(s, eps, bias_correction(beta2, t))
    # θ ← θ − α/(1 − β₁ᵗ) · m/d   (= θ − α m̂/(√ŝ + ε); the step size times m first,
    # then the division, as torch's addcdiv)
    param -= lr / bias_correction(beta1, t) * m / denom


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    weight_decay: Hyperparameter,
    **adam_hyperparameters: Any,
) -> None:
    r"""One step of :class:`AdamW` on one parameter, in place (no validation).

    Decoupled weight decay shrinks :math:`\theta` first, then an Adam step
    without weight decay follows; ``state`` and the other hyper-parameters
    (``betas``, ``eps``, ``amsgrad``, ``maximize``) are :func:`adam_step`'s.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adamw_step(theta, np.array([0.0]), state, lr=0.1, betas=(0.9, 0.999), eps=1e-8,
    ...            weight_decay=0.5, amsgrad=False, maximize=False)
    >>> theta  # a zero gradient: only the decay acts, theta * (1 - 0.1 * 0.5)
    array([0.95])
    """
    if is_on(weight_decay):
        # θ ← θ(1 − αλ)
        param *= 1 - lr * weight_decay
    # then Adam's step, without its L2 term
    adam_step(param, grad, state, lr=lr, weight_decay=0.0, **adam_hyperparameters)


def _start(param: np.ndarray, state: dict[str, Any], amsgrad: bool) -> None:
    """Create, at zero, the state entries these hyper-parameters use and the state lacks."""
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    if amsgrad and "max_exp_avg_sq" not in state:
        state["max_exp_avg_sq"] = np.zeros_like(param)


def adam_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    amsgrad: bool,
    **_: Any,
) -> np.ndarray:
    r"""The factor that multiplied Adam's first moment: :math:`\alpha/(1 - \beta_1^t)/d_t`.

    Built from :func:`adam_step`'s pieces, bias corrections included.

    Examples
    --------
    >>> import numpy as np
    >>> state = {"step": 1, "exp_avg_sq": np.array([0.004])}  # s₁ = 0.001 · g², g = 2
    >>> adam_rate(state, lr=0.1, betas=(0.9, 0.999), eps=0.0, amsgrad=False).round(6)
    array([0.5])
    """
    beta1, beta2 = betas
    t = state["step"]
    s = state["max_exp_avg_sq"] if amsgrad else state["exp_avg_sq"]
    return lr / bias_correction(beta1, t) / root_plus_eps(s, eps, bias_correction(beta2, t))


class Adam(Optimizer):
    r"""Adam: momentum and RMSprop with bias correction, as ``torch.optim.Adam``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1e-3
        Learning rate :math:`\alpha`.
    betas : pair of float or ndarray, default (0.9, 0.999)
        Decays :math:`(\beta_1, \beta_2)` of the first and second moment averages.
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to the denominator after the square root.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient (see :class:`AdamW`).
    amsgrad : bool, default False
        Divide by the largest second moment seen so far (Reddi et al., 2018).
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adam_step``); :math:`m`, :math:`s`, :math:`s^{\max}` are the
    state entries ``"exp_avg"``, ``"exp_avg_sq"``, ``"max_exp_avg_sq"``. The
    second moment :math:`s` is the book's moving average of squared gradients,
    RMSprop's :math:`s`; the Adam paper (Kingma and Ba, 2015) writes it :math:`v`.

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ s^{\max}_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \textbf{if } \textit{amsgrad}:\ s^{\max}_t \leftarrow \max(s^{\max}_{t-1}, s_t),
            \quad s_t \leftarrow s^{\max}_t \\
         &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t),
            \quad \hat s_t \leftarrow s_t / (1 - \beta_2^t) \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \alpha\, \hat m_t / (\sqrt{\hat s_t} + \varepsilon)
       \end{aligned}

    :math:`\varepsilon` is added after dividing :math:`\sqrt{s_t}` by
    :math:`\sqrt{1 - \beta_2^t}`, so the first step is :math:`\alpha\,g/(|g| + \varepsilon)`,
    about :math:`\alpha\,\mathrm{sign}(g)` whatever the gradient's size.
    ``weight_decay`` here is an L2 penalty: it passes through :math:`\hat s`, so
    coordinates with large gradients are barely decayed. :class:`AdamW` decouples it.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adam(theta, lr=0.1)
    >>> opt.step(np.array([50.0, -0.5]))  # the first step is lr · sign(g), up to eps
    >>> theta.round(6)
    array([ 0.9, -1.9])
    >>> opt.state_dict()["state"][0]["step"]
    1
    """

    rule = staticmethod(adam_step)
    rate = staticmethod(adam_rate)
    state_names = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    nonnegative_state = ("exp_avg_sq", "max_exp_avg_sq")

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        required = ("step", "exp_avg", "exp_avg_sq")
        return (*required, "max_exp_avg_sq") if hyperparameters["amsgrad"] else required


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    Takes :class:`Adam`'s parameters; only ``weight_decay`` differs: it defaults
    to 1e-2 and shrinks the parameters directly instead of joining the gradient.

    Notes
    -----
    The update (``adamw_step``): Adam's, with the decay line changed.

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ s^{\max}_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \theta_{t-1} \leftarrow \theta_{t-1} (1 - \alpha\lambda) \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \textbf{if } \textit{amsgrad}:\ s^{\max}_t \leftarrow \max(s^{\max}_{t-1}, s_t),
            \quad s_t \leftarrow s^{\max}_t \\
         &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t),
            \quad \hat s_t \leftarrow s_t / (1 - \beta_2^t) \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \alpha\, \hat m_t / (\sqrt{\hat s_t} + \varepsilon)
       \end{aligned}

    **L2 versus decoupled decay** (Loshchilov and Hutter, 2019). Adam's
    ``weight_decay`` adds :math:`\lambda\theta` to the gradient, which is then
    divided by :math:`\sqrt{\hat s}`: large-gradient coordinates are barely
    regularised. AdamW multiplies :math:`\theta` by :math:`1 - \alpha\lambda` before
    the moment updates, the same relative shrinkage for every coordinate, and the
    moments see only the loss's gradient. With ``weight_decay=0`` the two are identical.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = AdamW(theta, lr=0.1, weight_decay=0.5)
    >>> opt.step(np.zeros(2))  # no gradient: only the decay, θ(1 − αλ)
    >>> theta
    array([ 0.95, -1.9 ])
    """

    rule = staticmethod(adamw_step)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        Optimizer.__init__(self, params, locals())  # Adam's arguments, another default
