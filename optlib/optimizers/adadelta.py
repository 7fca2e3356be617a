r"""Adadelta: steps measured in units of the parameter's own past steps, :class:`Adadelta`.

The rule, :func:`adadelta_step`, reads like ``torch.optim.Adadelta``'s algorithm box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import Hyperparameter, direction, ema_update_squares

__all__ = ["Adadelta", "adadelta_step"]


def adadelta_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    rho: Hyperparameter,
    eps: Hyperparameter,
    weight_decay: Hyperparameter,
    maximize: bool,
) -> None:
    r"""One step of :class:`Adadelta` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"square_avg"`` :math:`s` and
    ``"acc_delta"`` :math:`u`; an empty dict starts them at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adadelta_step(theta, np.array([2.0]), state, lr=1.0, rho=0.75, eps=1e-6,
    ...               weight_decay=0.0, maximize=False)
    >>> state["square_avg"]  # s₁ = (1 − ρ)g²; the step is then √ε / √(s₁ + ε) · g ≈ 0.002
    array([1.])
    >>> theta.round(6)
    array([0.998])
    """
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param), acc_delta=np.zeros_like(param))
    state["step"] += 1
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    # s ← ρs + (1 − ρ)g²
    s = ema_update_squares(state["square_avg"], g, rho)
    # Δ ← √(u + ε) / √(s + ε) · g   (u from the steps before this one)
    delta = np.sqrt(state["acc_delta"] + eps) / np.sqrt(s + eps) * g
    # u ← ρu + (1 − ρ)Δ²
    ema_update_squares(state["acc_delta"], delta, rho)
    # θ ← θ − αΔ
    param -= lr * delta


class Adadelta(Optimizer):
    r"""Adadelta: the step's scale from past steps, as ``torch.optim.Adadelta``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1.0
        Learning rate :math:`\alpha`, a factor on the step (the paper has none: 1).
    rho : float or ndarray, default 0.9
        Decay :math:`\rho` of both moving averages, in [0, 1].
    eps : float or ndarray, default 1e-6
        :math:`\varepsilon`, added *inside* both square roots.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adadelta_step``); :math:`s`, :math:`u` are the state entries
    ``"square_avg"``, ``"acc_delta"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \rho \text{ (rho)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } s_0 \leftarrow 0,\ u_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad s_t \leftarrow \rho s_{t-1} + (1 - \rho) g_t^2 \\
         &\quad \Delta_t \leftarrow
            \frac{\sqrt{u_{t-1} + \varepsilon}}{\sqrt{s_t + \varepsilon}}\, g_t \\
         &\quad u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
         &\quad \theta_t \leftarrow \theta_{t-1} - \alpha \Delta_t
       \end{aligned}

    **Units.** RMSprop's step :math:`\alpha g/\sqrt{s}` has no unit: it is
    :math:`\alpha` times a ratio. Zeiler (2012) multiplies instead by the root
    mean square of the past *steps*, :math:`\sqrt{u_{t-1} + \varepsilon}`, so that
    a step has the parameter's units and needs no learning rate (``lr=1``). It
    starts small: with :math:`u_0 = 0` the first steps are about
    :math:`\sqrt{\varepsilon}/\sqrt{1 - \rho}` per coordinate, and :math:`u` grows
    from there.

    **No per-coordinate rate.** :meth:`~optlib.optimizers.Optimizer.rates` is not
    defined for Adadelta: the step's factor
    :math:`\alpha\sqrt{u_{t-1} + \varepsilon}/\sqrt{s_t + \varepsilon}` uses
    :math:`u_{t-1}`, which the step replaces by :math:`u_t`, and torch's state
    (whose entries this class keeps) holds no copy of it.

    **Conventions differ.** PyTorch (and this class) defaults to ``lr=1.0``,
    ``rho=0.9``, ``eps=1e-6``; Keras's ``Adadelta`` has the same rule with
    ``learning_rate=0.001``, ``rho=0.95``, ``epsilon=1e-7`` (its documentation
    advises 1.0 for the paper's form). Both add :math:`\varepsilon` inside the roots.
    PyTorch accepts :math:`\rho = 1`, which freezes both averages at 0: every
    step is then :math:`\alpha g_t`.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adadelta(theta, rho=0.9, eps=1e-6)
    >>> opt.step(np.array([5.0, -0.5]))  # about √(ε/(1 − ρ)) = 0.00316 for any g
    >>> (theta - [1.0, -2.0]).round(5)
    array([-0.00316,  0.00316])
    """

    rule = staticmethod(adadelta_step)
    # rate = None: see "No per-coordinate rate" above; the factor that multiplied
    # the gradient needs acc_delta from before the step, which the state no longer holds.
    rate = None
    state_names = ("step", "square_avg", "acc_delta")
    nonnegative_state = ("square_avg", "acc_delta")

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1.0,
        rho: ArrayLike = 0.9,
        eps: ArrayLike = 1e-6,
        weight_decay: ArrayLike = 0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return self.state_names
