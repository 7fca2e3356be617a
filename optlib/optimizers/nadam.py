r"""NAdam: Adam with Nesterov momentum, :class:`NAdam`.

The rule, :func:`nadam_step`, reads like ``torch.optim.NAdam``'s algorithm box:
Adam's moments, a momentum coefficient :math:`\mu_t` that warms up with the
step count, and a first moment that looks one step ahead.
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
)

__all__ = ["NAdam", "nadam_rate", "nadam_step"]


def nadam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    momentum_decay: Hyperparameter,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    r"""One step of :class:`NAdam` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"mu_product"`` :math:`\Pi_t`,
    ``"exp_avg"`` :math:`m` and ``"exp_avg_sq"`` :math:`s`; an empty dict
    starts them at 0, 1, 0 and 0.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> nadam_step(theta, np.array([3.0]), state, lr=0.1, betas=(0.9, 0.999), eps=1e-8,
    ...            weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
    ...            maximize=False)
    >>> round(state["mu_product"], 6)  # Π₁ = μ₁ = β₁(1 − ½·0.96^ψ), a little over β₁/2
    0.450073
    >>> theta.round(6)  # lr · sign(g) · (1 + (1 − β₁)μ₂/(1 − μ₁μ₂)): m looks one step ahead
    array([0.894355])
    """
    beta1, beta2 = betas
    if not state:
        state.update(
            step=0, mu_product=1.0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param)
        )
    state["step"] += 1
    t = state["step"]
    # g ← ±∇f(θ), + λθ unless the decay is decoupled
    g = direction(param, grad, 0.0 if decoupled_weight_decay else weight_decay, maximize)
    if decoupled_weight_decay and is_on(weight_decay):
        # θ ← θ(1 − αλ)
        param *= 1 - lr * weight_decay
    # μ_t ← β₁(1 − ½·0.96^(tψ)),   μ_{t+1} ← β₁(1 − ½·0.96^((t+1)ψ))
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # Π_t ← Π_{t−1} μ_t
    mu_product = state["mu_product"] = _product_in_float32(state["mu_product"], mu)
    # m ← β₁m + (1 − β₁)g,   s ← β₂s + (1 − β₂)g²
    m = ema_update(state["exp_avg"], g, beta1)
    s = ema_update_squares(state["exp_avg_sq"], g, beta2)
    # d ← √(s / (1 − β₂ᵗ)) + ε   (= √ŝ + ε; torch's NAdam divides inside the root)
    denom = np.sqrt(s / bias_correction(beta2, t)) + eps
    # θ ← θ − α(1 − μ_t)/(1 − Π_t) · g/d − α μ_{t+1}/(1 − Π_t μ_{t+1}) · m/d
    # (= θ − α m̂/d; the two terms one after the other, each as torch's addcdiv)
    param -= lr * (1 - mu) / (1 - mu_product) * g / denom
    param -= lr * mu_next / (1 - mu_product * mu_next) * m / denom


def _product_in_float32(product: Hyperparameter, factor: Hyperparameter) -> Hyperparameter:
    r""":math:`\Pi \mu` rounded as torch rounds it: torch keeps ``mu_product`` in a float32
    tensor (its default scalar dtype), whatever the parameter's dtype, and multiplies
    in float32. A float, or in a sweep a float64 array holding float32 values."""
    rounded = np.float32(product) * np.float32(factor)
    return float(rounded) if np.ndim(rounded) == 0 else rounded.astype(np.float64)


def nadam_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    betas: tuple[Hyperparameter, Hyperparameter],
    eps: Hyperparameter,
    **_: Any,
) -> np.ndarray:
    r"""The factor that multiplied NAdam's look-ahead moment :math:`\hat m_t`: :math:`\alpha/d_t`.

    :math:`d_t = \sqrt{\hat s_t} + \varepsilon` as in :func:`nadam_step`. Unlike
    Adam's, NAdam's step is not this rate times :math:`m_t` but times
    :math:`\hat m_t`, a mix of :math:`m_t` and :math:`g_t` whose weights carry
    the bias corrections.

    Examples
    --------
    >>> import numpy as np
    >>> state = {"step": 1, "exp_avg_sq": np.array([0.004])}  # s₁ = 0.001 · g², g = 2
    >>> nadam_rate(state, lr=0.1, betas=(0.9, 0.999), eps=0.0).round(6)
    array([0.05])
    """
    _, beta2 = betas
    s = state["exp_avg_sq"]
    return lr / (np.sqrt(s / bias_correction(beta2, state["step"])) + eps)


class NAdam(Optimizer):
    r"""NAdam: Adam with Nesterov momentum, as ``torch.optim.NAdam``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 2e-3
        Learning rate :math:`\alpha`.
    betas : pair of float or ndarray, default (0.9, 0.999)
        :math:`\beta_1`, the decay of the first moment and the ceiling of the
        momentum coefficients :math:`\mu_t`, and :math:`\beta_2`, the decay of the
        second moment.
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to the denominator after the square root.
    weight_decay : float or ndarray, default 0
        Weight decay :math:`\lambda`: an L2 penalty added to the gradient, or with
        ``decoupled_weight_decay`` a shrinkage of the parameters (NAdamW).
    momentum_decay : float or ndarray, default 4e-3
        :math:`\psi`, how fast :math:`\mu_t` climbs from :math:`\beta_1/2` towards
        :math:`\beta_1` (0 keeps it at :math:`\beta_1/2`).
    decoupled_weight_decay : bool, default False
        Shrink :math:`\theta` by :math:`1 - \alpha\lambda` as AdamW does, instead of
        adding :math:`\lambda\theta` to the gradient.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``nadam_step``); :math:`\Pi`, :math:`m`, :math:`s` are the state
    entries ``"mu_product"``, ``"exp_avg"``, ``"exp_avg_sq"``; as for :class:`Adam`,
    the paper's :math:`v` is the book's :math:`s`:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \psi \text{ (momentum decay)},
            \ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ \Pi_0 \leftarrow 1 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0: \\
         &\qquad \textbf{if } \textit{decoupled weight decay}:
            \ \theta_{t-1} \leftarrow \theta_{t-1} (1 - \alpha\lambda) \\
         &\qquad \textbf{else}:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad \mu_t \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big),
            \quad \mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{(t+1)\psi}\big) \\
         &\quad \Pi_t \leftarrow \Pi_{t-1}\, \mu_t \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \hat m_t \leftarrow \mu_{t+1} m_t / (1 - \Pi_t \mu_{t+1})
            + (1 - \mu_t)\, g_t / (1 - \Pi_t) \\
         &\quad \hat s_t \leftarrow s_t / (1 - \beta_2^t) \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \alpha\, \hat m_t / (\sqrt{\hat s_t} + \varepsilon)
       \end{aligned}

    **The look-ahead.** Adam steps along its bias-corrected average :math:`m_t`;
    NAdam (Dozat, 2016) steps along :math:`\hat m_t`, which weights the average by
    the *next* step's momentum :math:`\mu_{t+1}` and adds the current gradient
    with weight :math:`1 - \mu_t`: Nesterov's "look ahead, then correct" applied
    to Adam. The products :math:`\Pi_t = \mu_1 \cdots \mu_t` play the role of
    Adam's :math:`\beta_1^t` in the bias correction.

    **Conventions differ.** Keras 3's ``Nadam`` computes
    :math:`\mu_t = \beta_1(1 - \tfrac12\,0.96^{t})`, this rule with
    :math:`\psi = 1` instead of PyTorch's 0.004, so its
    momentum reaches :math:`\beta_1` within about a hundred steps rather than tens
    of thousands; its defaults are ``learning_rate=0.001``, ``epsilon=1e-7``.
    PyTorch's (and this class's) are ``lr=2e-3``, ``momentum_decay=4e-3``,
    ``eps=1e-8``. As in torch, :math:`\Pi_t` is kept in float32 (torch's default
    scalar dtype), whatever the parameters' dtype: it is rounded to float32 after
    every product. (torch's own ``load_state_dict`` converts it to the
    parameters' dtype; optlib keeps float32, so that a resumed run continues
    exactly. The two differ by about :math:`10^{-8}\,\Pi_t` relative, nothing once
    :math:`\Pi_t` has decayed, after a few dozen steps with the default betas.)

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = NAdam(theta, lr=0.1)
    >>> opt.step(np.array([50.0, -0.5]))  # about 1.056 · lr · sign(g), whatever |g|
    >>> theta.round(6)
    array([ 0.894355, -1.894355])
    >>> sorted(opt.state_dict()["state"][0])
    ['exp_avg', 'exp_avg_sq', 'mu_product', 'step']
    """

    rule = staticmethod(nadam_step)
    rate = staticmethod(nadam_rate)
    state_names = ("step", "mu_product", "exp_avg", "exp_avg_sq")
    nonnegative_state = ("exp_avg_sq",)
    scalar_state = ("mu_product",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 2e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        momentum_decay: ArrayLike = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return self.state_names
