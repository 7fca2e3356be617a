r"""Adagrad: per-coordinate rates from the sum of squared gradients, :class:`Adagrad`.

The rule, :func:`adagrad_step`, reads like ``torch.optim.Adagrad``'s algorithm box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import Hyperparameter, direction, root_plus_eps

__all__ = ["Adagrad", "adagrad_rate", "adagrad_step"]


def adagrad_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    lr_decay: Hyperparameter,
    weight_decay: Hyperparameter,
    initial_accumulator_value: Hyperparameter,
    eps: Hyperparameter,
    maximize: bool,
) -> None:
    r"""One step of :class:`Adagrad` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t` and ``"sum"`` :math:`G`; an empty dict
    starts them at 0 and ``initial_accumulator_value``.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adagrad_step(theta, np.array([4.0]), state, lr=0.1, lr_decay=0.0, weight_decay=0.0,
    ...              initial_accumulator_value=0.0, eps=1e-10, maximize=False)
    >>> theta, state["sum"]  # the first step is lr * sign(g), whatever the size of g
    (array([0.9]), array([16.]))
    """
    if not state:
        state.update(initial_state(param, initial_accumulator_value))
    state["step"] += 1
    t, sum_sq_grads = state["step"], state["sum"]
    # g ← ±∇f(θ) + λθ
    g = direction(param, grad, weight_decay, maximize)
    # α̃ ← α / (1 + (t − 1)η)
    decayed_lr = lr / (1 + (t - 1) * lr_decay)
    # G ← G + g²
    sum_sq_grads += g * g
    # θ ← θ − α̃g / (√G + ε)   (α̃g first, then the division, as torch's addcdiv)
    param -= decayed_lr * g / root_plus_eps(sum_sq_grads, eps)


def initial_state(param: np.ndarray, initial_accumulator_value: Hyperparameter) -> dict:
    """Adagrad's state before its first step: ``step`` 0 and ``sum`` :math:`G_0`.

    Examples
    --------
    >>> import numpy as np
    >>> initial_state(np.zeros(2), 0.1)
    {'step': 0, 'sum': array([0.1, 0.1])}
    """
    sum_sq_grads = np.empty_like(param)
    sum_sq_grads[...] = initial_accumulator_value
    return {"step": 0, "sum": sum_sq_grads}


def adagrad_rate(
    state: dict[str, Any],
    *,
    lr: Hyperparameter,
    lr_decay: Hyperparameter,
    eps: Hyperparameter,
    **_: Any,
) -> np.ndarray:
    r"""Adagrad's per-coordinate rate: :math:`\tilde\alpha_t / (\sqrt{G_t} + \varepsilon)`.

    Examples
    --------
    >>> import numpy as np
    >>> adagrad_rate({"step": 1, "sum": np.array([4.0])}, lr=1.0, lr_decay=0.0, eps=0.0)
    array([0.5])
    """
    decayed_lr = lr / (1 + (state["step"] - 1) * lr_decay)
    return decayed_lr / root_plus_eps(state["sum"], eps)


class Adagrad(Optimizer):
    r"""Adagrad: per-coordinate rates from summed squared gradients, as ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float or ndarray, default 1e-2
        Learning rate :math:`\alpha`.
    lr_decay : float or ndarray, default 0
        Learning-rate decay :math:`\eta`.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    initial_accumulator_value : float or ndarray, default 0
        Starting value :math:`G_0` of the sum of squared gradients.
    eps : float or ndarray, default 1e-10
        :math:`\varepsilon`, added to the denominator after the square root.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adagrad_step``); :math:`G` is the state entry ``"sum"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},
            \ G_0 \text{ (initial accumulator value)},\ \eta \text{ (lr decay)},
            \ \varepsilon \text{ (eps)} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad \tilde\alpha_t \leftarrow \alpha / (1 + (t - 1)\eta) \\
         &\quad G_t \leftarrow G_{t-1} + g_t^2 \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \tilde\alpha_t\, g_t / (\sqrt{G_t} + \varepsilon)
       \end{aligned}

    **Conventions differ.** PyTorch starts the sum at ``initial_accumulator_value=0``
    with ``eps=1e-10``, so the first step is :math:`\alpha\,\mathrm{sign}(g)` (up to
    :math:`\varepsilon`); Keras starts it at 0.1 (``initial_accumulator_value=0.1``) and
    uses ``epsilon=1e-7``, which makes its first steps smaller. As in PyTorch, the
    state is created here, at construction, from ``initial_accumulator_value``.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adagrad(theta, lr=0.5)
    >>> opt.step(np.array([4.0, -0.01]))  # the first step is lr · sign(g)
    >>> theta.round(6)
    array([ 0.5, -1.5])
    """

    rule = staticmethod(adagrad_step)
    rate = staticmethod(adagrad_rate)
    state_names = ("step", "sum")
    nonnegative_state = ("sum",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-2,
        lr_decay: ArrayLike = 0,
        weight_decay: ArrayLike = 0,
        initial_accumulator_value: ArrayLike = 0,
        eps: ArrayLike = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, locals())
        # As torch does, the state exists from construction on.
        initial = self.initial_accumulator_value
        object.__setattr__(self, "state", [initial_state(param, initial) for param in self.params])

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")
