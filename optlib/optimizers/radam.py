r"""RAdam: Adam whose adaptive rate is switched on once it can be trusted, :class:`RAdam`.

The rule, :func:`radam_step`, reads like ``torch.optim.RAdam``'s algorithm box:
while too few gradients have been averaged for the second moment to be
reliable, the step is the bias-corrected first moment alone (momentum without
adaptation); after that it is Adam's step times a rectification factor.
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

__all__ = ["RAdam", "radam_rate", "radam_step"]


def radam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    r"""One step of :class:`RAdam` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"exp_avg"`` :math:`m` and
    ``"exp_avg_sq"`` :math:`s`; an empty dict starts them at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> radam_step(theta, np.array([3.0]), state, lr=0.1, betas=(0.9, 0.999), eps=1e-8,
    ...            weight_decay=0.0, decoupled_weight_decay=False, maximize=False)
    >>> theta.round(6)  # ρ₁ ≤ 5: the first step is lr · m̂₁ = lr · g, not adapted
    array([0.7])
    """
    beta1, beta2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    # g ← ±∇f(θ), + λθ unless the decay is decoupled
    g = direction(param, grad, 0.0 if decoupled_weight_decay else weight_decay, maximize)
    if decoupled_weight_decay and is_on(weight_decay):
        # θ ← θ(1 − αλ)
        param *= 1 - lr * weight_decay
    # m ← β₁m + (1 − β₁)g,   s ← β₂s + (1 − β₂)g²
    m = ema_update(state["exp_avg"], g, beta1)
    s = ema_update_squares(state["exp_avg_sq"], g, beta2)
    # m̂ ← m / (1 − β₁ᵗ)
    m_hat = m / bias_correction(beta1, t)
    # ρ_∞ ← 2/(1 − β₂) − 1,   ρ_t ← ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
    rho_inf, rho_t = sma_lengths(beta2, t)
    # θ ← θ − α m̂ l_t r_t where ρ_t > 5, else θ ← θ − α m̂ (no adaptation yet)
    update = m_hat * lr
    tractable = rho_t > 5
    if np.any(tractable):
        adapted = update * adaptive_factor(s, eps, beta2, t) * rectification(rho_t, rho_inf)
        update = np.where(tractable, adapted, update)  # a sweep's runs switch one by one
    param -= update


def sma_lengths(beta2: Hyperparameter, step: int) -> tuple[Hyperparameter, Hyperparameter]:
    r"""RAdam's :math:`(\rho_\infty, \rho_t)`: how many gradients :math:`s` holds, at most and now.

    :math:`\rho_\infty = 2/(1 - \beta_2) - 1` is the length of the simple moving
    average that the exponential one approximates, and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1 - \beta_2^t)` its length after
    :math:`t` steps: about :math:`t` at first, rising to :math:`\rho_\infty`.

    Examples
    --------
    >>> rho_inf, rho_t = sma_lengths(0.999, 6)
    >>> round(rho_inf), round(rho_t, 3)  # from step 6 on, ρ_t > 5: the adaptive step
    (1999, 5.994)
    """
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * beta2**step / bias_correction(beta2, step)
    return rho_inf, rho_t


def adaptive_factor(
    exp_avg_sq: np.ndarray, eps: Hyperparameter, beta2: Hyperparameter, step: int
) -> np.ndarray:
    r"""RAdam's adaptive rate :math:`l_t = \sqrt{1 - \beta_2^t}/(\sqrt{s_t} + \varepsilon)`.

    Computed as torch does, :math:`1/(\sqrt{s_t} + \varepsilon)` times
    :math:`\sqrt{1 - \beta_2^t}`: :math:`\varepsilon` is added *before* the bias
    correction, unlike Adam's :math:`\sqrt{\hat s_t} + \varepsilon`.

    Examples
    --------
    >>> import numpy as np
    >>> adaptive_factor(np.array([0.004]), eps=0.0, beta2=0.999, step=1).round(6)  # 1/|g|, g = 2
    array([0.5])
    """
    return 1 / root_plus_eps(exp_avg_sq, eps) * bias_correction(beta2, step) ** 0.5


def rectification(rho_t: Hyperparameter, rho_inf: Hyperparameter) -> Hyperparameter:
    r"""RAdam's rectification :math:`r_t`, the square root of the ratio below.

    .. math::
       r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                        {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}

    It scales the adaptive step down while the variance of :math:`l_t` is large,
    and tends to 1 as :math:`\rho_t \to \rho_\infty`. The rule uses it only where
    :math:`\rho_t > 5`: in a sweep, the entries of the other runs come out NaN or
    meaningless, and are not used.

    Examples
    --------
    >>> round(rectification(6.0, 1999.0), 4)  # the first adaptive steps are damped ...
    0.0259
    >>> round(rectification(1998.0, 1999.0), 4)  # ... the late ones hardly
    0.9997
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        return ratio**0.5


def radam_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    **_: Any,
) -> Hyperparameter | np.ndarray:
    r"""The factor that multiplied RAdam's first moment :math:`m_t`, on either branch.

    :math:`\alpha\, l_t r_t / (1 - \beta_1^t)` where :math:`\rho_t > 5`, and
    :math:`\alpha / (1 - \beta_1^t)`, the same for every coordinate, before.

    Examples
    --------
    >>> import numpy as np
    >>> state = {"step": 1, "exp_avg_sq": np.array([0.004])}
    >>> round(radam_rate(state, lr=0.1, betas=(0.9, 0.999), eps=1e-8), 6)  # lr / (1 − β₁)
    1.0
    """
    beta1, beta2 = betas
    t, s = state["step"], state["exp_avg_sq"]
    rho_inf, rho_t = sma_lengths(beta2, t)
    factor, tractable = 1.0, rho_t > 5
    if np.any(tractable):
        adapted = adaptive_factor(s, eps, beta2, t) * rectification(rho_t, rho_inf)
        factor = np.where(tractable, adapted, factor)
    return lr / bias_correction(beta1, t) * factor


class RAdam(Optimizer):
    r"""RAdam: Adam with a rectified adaptive learning rate, as ``torch.optim.RAdam``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1e-3
        Learning rate :math:`\alpha`.
    betas : pair of float or ndarray, default (0.9, 0.999)
        Decays :math:`(\beta_1, \beta_2)` of the first and second moment averages.
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to :math:`\sqrt{s_t}` before the bias correction.
    weight_decay : float or ndarray, default 0
        Weight decay :math:`\lambda`: an L2 penalty added to the gradient, or with
        ``decoupled_weight_decay`` a shrinkage of the parameters.
    decoupled_weight_decay : bool, default False
        Shrink :math:`\theta` by :math:`1 - \alpha\lambda` as AdamW does (as the
        RAdam authors' code does), instead of adding :math:`\lambda\theta` to the gradient.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``radam_step``); :math:`m`, :math:`s` are the state entries
    ``"exp_avg"``, ``"exp_avg_sq"`` (the paper's :math:`v` is the book's :math:`s`):

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,
            \ \rho_\infty \leftarrow 2/(1 - \beta_2) - 1 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0: \\
         &\qquad \textbf{if } \textit{decoupled weight decay}:
            \ \theta_{t-1} \leftarrow \theta_{t-1} (1 - \alpha\lambda) \\
         &\qquad \textbf{else}:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
         &\quad \rho_t \leftarrow \rho_\infty - 2t\beta_2^t / (1 - \beta_2^t) \\
         &\quad \textbf{if } \rho_t > 5: \\
         &\qquad l_t \leftarrow \sqrt{1 - \beta_2^t} / (\sqrt{s_t} + \varepsilon) \\
         &\qquad r_t \leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
         &\qquad \theta_t \leftarrow \theta_{t-1} - \alpha\, \hat m_t\, r_t\, l_t \\
         &\quad \textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \alpha\, \hat m_t
       \end{aligned}

    **Why the switch.** In its first steps Adam divides by the root of an
    average of very few squared gradients, whose variance is large (Liu et al.,
    2020): a reason for learning-rate warm-up. RAdam measures how many gradients
    the average holds, :math:`\rho_t` (about :math:`t` at first), and only
    divides by it once :math:`\rho_t > 5`, damped by :math:`r_t`, which rises
    towards 1. Before that the step is :math:`\alpha\hat m_t`: SGD with
    (bias-corrected, dampened) momentum, whose size follows the gradient's. With
    the default :math:`\beta_2 = 0.999` the first 5 steps are un-adapted; with
    :math:`\beta_2 \le 2/3` (:math:`\rho_\infty \le 5`) every step is.

    **Conventions differ.** :math:`\varepsilon` joins :math:`\sqrt{s_t}` before the
    bias correction :math:`\sqrt{1 - \beta_2^t}` multiplies it in, where Adam adds
    it to :math:`\sqrt{\hat s_t}`. Keras has no RAdam (TensorFlow Addons had
    ``RectifiedAdam``, with a warm-up of its own).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = RAdam(theta, lr=0.1)
    >>> opt.step(np.array([50.0, -0.5]))  # un-adapted: θ − α m̂₁ = θ − α g
    >>> theta.round(6)
    array([-4.  , -1.95])
    """

    rule = staticmethod(radam_step)
    rate = staticmethod(radam_rate)
    state_names = ("step", "exp_avg", "exp_avg_sq")
    nonnegative_state = ("exp_avg_sq",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return self.state_names
