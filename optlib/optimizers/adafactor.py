r"""Adafactor: a second moment kept as row and column averages, :class:`Adafactor`.

The rule, :func:`adafactor_step`, reads like ``torch.optim.Adafactor``'s algorithm
box. Unlike the rules before it, it is not element-wise: a matrix's second moment
is rebuilt from its row and column means, and the step size depends on the
root mean square of the whole parameter and of the whole update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from optlib._validation import ADAFACTOR_CHECKS, refuse_sweeps
from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import lerp_

__all__ = ["Adafactor", "adafactor_step"]


def adafactor_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: float,
    beta2_decay: float,
    eps: tuple[float | None, float],
    d: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    r"""One step of :class:`Adafactor` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t` and, for a parameter of two or more
    dimensions, ``"row_var"`` :math:`R` (shape ``(..., m, 1)``) and ``"col_var"``
    :math:`C` (shape ``(..., 1, n)``); for a vector or a scalar, ``"variance"``
    :math:`s`. Missing entries start at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.full((2, 2), 3.0), {}
    >>> adafactor_step(theta, np.ones((2, 2)), state, lr=0.01, beta2_decay=-0.8,
    ...                eps=(None, 1e-3), d=1.0, weight_decay=0.0, maximize=False)
    >>> theta  # a step of min(lr, 1/√t) · RMS(θ) = 0.01 · 3 against a unit update
    array([[2.97, 2.97],
           [2.97, 2.97]])
    >>> state["row_var"].shape, state["col_var"].shape
    ((2, 1), (1, 2))
    """
    eps1, eps2 = eps
    if eps1 is None:
        eps1 = float(np.finfo(param.dtype).eps)
    _start(param, state)
    state["step"] += 1
    t = state["step"]
    # G ← ±∇f(θ)
    g = -grad if maximize else grad
    # 1 − β̂₂ ← t^κ: the weight of the new squares in the running averages
    weight = t**beta2_decay
    # rₜ ← min(α, 1/√t);   ηₜ ← max(ε₂, RMS(θ)) · rₜ   (RMS of θ before the decay)
    relative_step = min(lr, 1 / t**0.5)
    step_size = max(eps2, _rms(param)) * relative_step
    if weight_decay != 0:
        # θ ← θ(1 − αλ)
        param *= 1 - lr * weight_decay
    if g.ndim > 1:
        # R ← β̂₂R + (1 − β̂₂) · mean of G² along each row
        row_var = lerp_(state["row_var"], _mean_square(g, axis=-1), weight)
        # C ← β̂₂C + (1 − β̂₂) · mean of G² along each column
        col_var = lerp_(state["col_var"], _mean_square(g, axis=-2), weight)
        # V̂ ← R Cᵀ / max(mean(R), ε₁)   (an outer product: one row, one column)
        variance = row_var * col_var / np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
    else:
        # V̂ ← s ← β̂₂s + (1 − β̂₂)G²
        variance = lerp_(state["variance"], g * g, weight)
    # U ← G / max(√V̂, ε₁)   (as torch: 1/√max(V̂, ε₁²), times G)
    update = 1 / np.sqrt(np.maximum(variance, eps1 * eps1)) * g
    # Û ← U / max(1, RMS(U)/d);   θ ← θ − ηₜÛ
    clip = max(1.0, float(np.linalg.norm(update)) / (update.size**0.5 * d))
    param -= step_size / clip * update


def _start(param: np.ndarray, state: dict[str, Any]) -> None:
    """Create the state at zero: factored for a matrix (or a stack of them), whole otherwise."""
    if state:
        return
    state["step"] = 0
    if param.ndim > 1:
        state["row_var"] = np.zeros((*param.shape[:-1], 1), param.dtype)
        state["col_var"] = np.zeros((*param.shape[:-2], 1, param.shape[-1]), param.dtype)
    else:
        state["variance"] = np.zeros_like(param)


def _rms(x: np.ndarray) -> float:
    """The root mean square of all the entries, ‖x‖ / √size (torch's order)."""
    return float(np.linalg.norm(x)) / x.size**0.5


def _mean_square(g: np.ndarray, axis: int) -> np.ndarray:
    """The mean of g² along ``axis``, kept as a length-1 axis: ‖g‖² / n, as torch computes it."""
    return np.linalg.norm(g, axis=axis, keepdims=True) ** 2 / g.shape[axis]


class Adafactor(Optimizer):
    r"""Adafactor: a factored second moment, no first moment, as ``torch.optim.Adafactor``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float, default 1e-2
        :math:`\alpha`: the cap on the relative step size :math:`r_t = \min(\alpha, 1/\sqrt t)`,
        and the factor of the decoupled weight decay. A number, not an array (see Notes).
    beta2_decay : float, default -0.8
        :math:`\kappa \le 0`: at step :math:`t` the running averages of squared
        gradients give the new squares the weight :math:`t^\kappa`
        (:math:`\hat\beta_{2,t} = 1 - t^\kappa`).
    eps : pair (float or None, float), default (None, 1e-3)
        :math:`(\varepsilon_1, \varepsilon_2)`. :math:`\varepsilon_1` floors
        :math:`\sqrt{\hat V}` and the mean of :math:`R` (None: the machine epsilon of
        each parameter's dtype, 2.2e-16 in float64, 1.2e-7 in float32; torch's loop
        takes the first parameter's for all, which differs only when their dtypes
        do); :math:`\varepsilon_2` floors :math:`\mathrm{RMS}(\theta)` in the step size.
    d : float, default 1.0
        Clipping threshold: an update whose RMS exceeds :math:`d` is scaled down to it.
    weight_decay : float, default 0
        :math:`\lambda`, decoupled: :math:`\theta \leftarrow \theta(1 - \alpha\lambda)`, as AdamW.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adafactor_step``). For a parameter of two or more dimensions the
    second moment is kept as :math:`R` (``"row_var"``, the running mean of
    :math:`G^2` along each row, shape ``(..., m, 1)``) and :math:`C` (``"col_var"``,
    along each column, shape ``(..., 1, n)``), over the last two axes; for a vector
    or a scalar as :math:`s` (``"variance"``), entry by entry. All start at 0.

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \kappa \text{ (beta2\_decay)},
            \ \varepsilon_1, \varepsilon_2 \text{ (eps)},\ d,
            \ \lambda \text{ (weight decay)},\ \theta_0 \text{ (params)},
            \ f(\theta) \text{ (objective)} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad G_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \hat\beta_{2,t} \leftarrow 1 - t^{\kappa},
            \quad r_t \leftarrow \min(\alpha, 1/\sqrt t),
            \quad \eta_t \leftarrow \max(\varepsilon_2, \mathrm{RMS}(\theta_{t-1}))\, r_t \\
         &\quad \theta_{t-1} \leftarrow \theta_{t-1}(1 - \alpha\lambda) \\
         &\quad \textbf{if } \dim G_t \ge 2: \\
         &\qquad R_t \leftarrow \hat\beta_{2,t} R_{t-1}
            + (1 - \hat\beta_{2,t})\, \mathrm{mean}_{\text{row}}(G_t^2),
            \quad C_t \leftarrow \hat\beta_{2,t} C_{t-1}
            + (1 - \hat\beta_{2,t})\, \mathrm{mean}_{\text{column}}(G_t^2) \\
         &\qquad \hat V_t \leftarrow R_t C_t / \max(\mathrm{mean}(R_t), \varepsilon_1) \\
         &\quad \textbf{else}:\ \hat V_t \leftarrow s_t \leftarrow \hat\beta_{2,t} s_{t-1}
            + (1 - \hat\beta_{2,t})\, G_t^2 \\
         &\quad U_t \leftarrow G_t / \max(\sqrt{\hat V_t}, \varepsilon_1),
            \quad \hat U_t \leftarrow U_t / \max(1, \mathrm{RMS}(U_t)/d) \\
         &\quad \theta_t \leftarrow \theta_{t-1} - \eta_t \hat U_t
       \end{aligned}

    :math:`R_t C_t` is an outer product (a column times a row): the estimate of
    :math:`G^2`'s average has rank one, exact when every row's squares are
    proportional to every other's. Dividing by the mean of :math:`R_t` makes its
    entries average :math:`C_t`'s. There is no first moment (no momentum), and the
    first step is not small: at :math:`t = 1`, :math:`\hat\beta_{2,1} = 0` and the
    averages are the first squares themselves. The step is relative: :math:`\eta_t`
    scales with the size of the parameter, :math:`\mathrm{RMS}(\theta)`, so a
    parameter near zero moves by about :math:`\varepsilon_2 r_t`. RMS is over all
    the parameter's entries (:math:`\lVert x \rVert / \sqrt{\text{size}}`).

    **Memory.** For an :math:`m \times n` matrix the state holds
    :math:`R` and :math:`C`, :math:`m + n` numbers; Adam's holds ``exp_avg`` and
    ``exp_avg_sq``, :math:`2mn` (4096 against 96 for a 64 × 32 weight matrix). A
    vector of :math:`n` entries keeps :math:`n` (Adam :math:`2n`); a stack of
    :math:`k` matrices, :math:`k(m + n)`. :func:`~optlib.optimizers.state_size` counts it.

    **Conventions.** As torch, and unlike the paper (Shazeer and Stern, 2018):
    ``lr`` caps :math:`r_t` (the paper fixes the cap at 0.01, torch's default)
    and multiplies the decoupled weight decay; :math:`\varepsilon_1` floors the
    estimate and the mean of :math:`R` instead of being added to :math:`G^2`;
    the averages are means, not sums. Keras 3 (``keras.optimizers.Adafactor``,
    read in Keras 3.15.1's source) writes ``learning_rate`` (default 1e-3),
    ``beta_2_decay``, ``epsilon_1`` (1e-30, *added* to :math:`G^2` before
    averaging, and no floor after), ``epsilon_2`` and ``clip_threshold`` for
    :math:`\alpha`, :math:`\kappa`, :math:`\varepsilon_1`, :math:`\varepsilon_2`
    and :math:`d`; it applies weight decay before the step, so its
    :math:`\mathrm{RMS}(\theta)` is the decayed parameter's; it has no
    ``maximize``; and besides its row and column factors it keeps a full-size
    estimate :math:`\hat V` for every variable, so its state is not smaller than
    the parameters.

    Neither the state nor a hyper-parameter array can make one parameter of shape
    ``(k, n)`` into ``k`` independent runs: the row and column means and the two
    RMS couple all its entries, so array hyper-parameters are refused (run ``k``
    optimizers). Large parameters are updated whole, never block by block
    (``elementwise`` is False). There is no per-coordinate rate to read back
    (``rates()`` raises): the factor that multiplied :math:`G_t` depends on
    :math:`\mathrm{RMS}(\theta_{t-1})` and :math:`\mathrm{RMS}(U_t)`, which the state
    does not keep.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.ones((3, 2))
    >>> opt = Adafactor(W, lr=0.1)
    >>> opt.step(np.ones((3, 2)))  # RMS(W) = 1, U = 1: a step of min(0.1, 1) · 1
    >>> W
    array([[0.9, 0.9],
           [0.9, 0.9],
           [0.9, 0.9]])
    >>> {key: value.shape for key, value in opt.state[0].items() if key != "step"}
    {'row_var': (3, 1), 'col_var': (1, 2)}
    """

    rule = staticmethod(adafactor_step)
    # None: the factor that multiplied Gₜ needs RMS(θₜ₋₁) and RMS(Uₜ), gone after the step
    rate = None
    elementwise = False  # row and column means, RMS over the whole parameter
    hyperparameter_checks = ADAFACTOR_CHECKS
    state_names = ("step", "row_var", "col_var", "variance")
    nonnegative_state = ("row_var", "col_var", "variance")

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _check_together(self, hyperparameters: dict[str, Any]) -> None:
        refuse_sweeps(
            hyperparameters,
            "Adafactor's step couples all the entries of a parameter (its row and column "
            "means, the RMS of the parameter and of the update), so a parameter of shape "
            "(k, n) is not k independent runs: build one optimizer per configuration",
        )

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "row_var", "col_var", "variance")  # those of the parameter's shape

    def _state_shapes(self, param: np.ndarray) -> dict[str, tuple[int, ...]]:
        if param.ndim > 1:
            return {
                "row_var": (*param.shape[:-1], 1),
                "col_var": (*param.shape[:-2], 1, param.shape[-1]),
            }
        return {"variance": param.shape}
