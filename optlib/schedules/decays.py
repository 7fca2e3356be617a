r"""Schedules that scale or decay the learning rate: by a function, in steps, along a curve.

Each class computes :math:`\alpha_t` from the optimizer's current learning rate
(recursively) in :meth:`~optlib.schedules.LRScheduler.step`, as torch does; the
closed form in each docstring is what the recursion gives, and what
``step(epoch)`` uses. :math:`\alpha_0` is ``base_lrs[0]``, :math:`t` is
``last_epoch``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from optlib.optimizers import Optimizer

from .base import (
    LRScheduler,
    _checked_optimizer,
    _count,
    _current_lr,
    _load_callable,
    _one_per_group,
    _real,
    _saved_callable,
)

__all__ = [
    "ConstantLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "StepLR",
]


class _LambdaScheduler(LRScheduler):
    """What LambdaLR and MultiplicativeLR share: a user's function of the step, and its state."""

    lr_lambdas: list[Callable[[int], float]]

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        who = type(self).__name__
        _checked_optimizer(who, optimizer)
        lr_lambda = _one_per_group(who, "lr_lambda", lr_lambda)
        if not callable(lr_lambda):
            raise TypeError(
                f"{who}: lr_lambda must be a function of the step t, such as "
                f"lambda t: 0.95 ** t; got {type(lr_lambda).__name__} {lr_lambda!r}"
            )
        self.lr_lambdas = [lr_lambda]
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The state, with ``lr_lambdas`` as torch saves it.

        A function or lambda is code, not state: it is saved as ``None``, and the
        schedule that loads the state keeps its own. A callable object is saved
        as a copy of its attributes, which loading sets on the loading schedule's
        object.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import LambdaLR
        >>> LambdaLR(SGD(np.zeros(1), lr=0.1), lambda t: 0.9**t).state_dict()["lr_lambdas"]
        [None]
        """
        state = super().state_dict()
        state["lr_lambdas"] = [_saved_callable(function) for function in self.lr_lambdas]
        return state

    def _check_loaded(self, state: dict[str, Any]) -> None:
        for saved in state["lr_lambdas"]:
            if saved is not None and not isinstance(saved, dict):
                raise ValueError(
                    "state_dict['lr_lambdas'] holds None (a function) or a dict (the "
                    f"attributes of a callable object), got {saved!r}"
                )

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        saved_lambdas = loaded.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super()._apply_state(loaded)
        for function, saved in zip(self.lr_lambdas, saved_lambdas, strict=True):
            _load_callable(function, saved)


class LambdaLR(_LambdaScheduler):
    r"""The initial learning rate times a function of the step, as torch's ``LambdaLR``.

    .. math::
       \alpha_t = \alpha_0 \cdot \lambda(t)

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer; its ``lr`` when the schedule is built is :math:`\alpha_0`.
    lr_lambda : callable
        :math:`\lambda`, a function of the step :math:`t = 0, 1, \ldots` that
        returns the factor (or a list of one such function).
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Notes
    -----
    Computed from :math:`\alpha_0` at every step, not recursively from the
    current ``lr``: a change made to ``opt.lr`` from outside lasts one step.

    In ``state_dict()``, as in torch, a function or lambda is saved as ``None``
    (code is not state: the schedule that loads the state keeps its own
    function), and a callable object as a copy of its attributes, which loading
    sets on the loading schedule's object.

    Examples
    --------
    A linear warm-up over 4 steps:

    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import LambdaLR
    >>> opt = SGD(np.zeros(2), lr=0.1)
    >>> scheduler = LambdaLR(opt, lr_lambda=lambda t: min(1.0, (t + 1) / 4))
    >>> lrs = []
    >>> for _ in range(6):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))  # a gradient step with the current lr
    ...     scheduler.step()
    >>> lrs
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def get_lr(self) -> list[float]:
        r""":math:`\alpha_0 \lambda(t)`, in a list (see :meth:`LRScheduler.get_lr`).

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import LambdaLR
        >>> scheduler = LambdaLR(SGD(np.zeros(1), lr=1.0), lambda t: 0.5)
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self._warn_unless_stepping()
        return [self.base_lrs[0] * self.lr_lambdas[0](self.last_epoch)]


class MultiplicativeLR(_LambdaScheduler):
    r"""Multiply the learning rate by a function of the step, as torch's ``MultiplicativeLR``.

    .. math::
       \alpha_t = \alpha_{t-1} \cdot \lambda(t) \quad (t \ge 1),
       \qquad \alpha_0 \text{ unchanged}

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    lr_lambda : callable
        :math:`\lambda`, a function of the step :math:`t` that returns the factor
        of that step (or a list of one such function).
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Notes
    -----
    ``state_dict()`` saves ``lr_lambda`` as :class:`LambdaLR` does: ``None``
    for a function, the attributes of a callable object.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import MultiplicativeLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = MultiplicativeLR(opt, lr_lambda=lambda t: 0.5 if t % 2 == 0 else 1.0)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def get_lr(self) -> list[float]:
        r""":math:`\alpha_{t-1} \lambda(t)`, in a list (the initial step keeps the lr).

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import MultiplicativeLR
        >>> scheduler = MultiplicativeLR(SGD(np.zeros(1), lr=1.0), lambda t: 0.5)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self._warn_unless_stepping()
        lr = _current_lr(type(self).__name__, self.optimizer)
        if self._is_initial:
            return [lr]
        return [lr * self.lr_lambdas[0](self.last_epoch)]


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps, as torch's ``StepLR``.

    .. math::
       \alpha_t = \alpha_0 \, \gamma^{\lfloor t / s \rfloor}

    computed as :math:`\alpha_t = \gamma\,\alpha_{t-1}` when :math:`t` is a
    nonzero multiple of :math:`s`, else :math:`\alpha_t = \alpha_{t-1}`.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    step_size : int
        :math:`s \ge 1`, the number of steps between two decays.
    gamma : float, default 0.1
        :math:`\gamma \ge 0`, the factor of each decay.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Raises
    ------
    ValueError
        ``step_size`` is not an integer >= 1 (torch raises ZeroDivisionError at
        the first step for 0), or ``gamma`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import StepLR
    >>> opt = SGD(np.zeros(2), lr=0.1)
    >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for _ in range(6):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _count("StepLR", "step_size", step_size, 1)
        self.gamma = _real("StepLR", "gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r""":math:`\gamma\,\alpha_{t-1}` at a multiple of ``step_size``, else :math:`\alpha_{t-1}`.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import StepLR
        >>> scheduler = StepLR(SGD(np.zeros(1), lr=1.0), step_size=1, gamma=0.5)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self._warn_unless_stepping()
        lr = _current_lr("StepLR", self.optimizer)
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [lr]
        return [lr * self.gamma]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.base_lrs[0] * self.gamma ** (self.last_epoch // self.step_size)]


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each milestone, as torch's ``MultiStepLR``.

    .. math::
       \alpha_t = \alpha_0 \, \gamma^{\#\{m \in M \,:\, m \le t\}}

    computed as :math:`\alpha_t = \gamma^{k}\alpha_{t-1}`, where :math:`k` is
    the number of times :math:`t` appears among the milestones :math:`M`.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    milestones : iterable of int
        The steps :math:`M` at which to decay, integers >= 0. A step listed
        twice decays twice (:math:`\gamma^2`), as in torch.
    gamma : float, default 0.1
        :math:`\gamma \ge 0`, the factor of each decay.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import MultiStepLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    milestones: Counter[int]

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, str | bytes) or not isinstance(milestones, Iterable):
            raise TypeError(
                f"MultiStepLR: milestones must be a list of steps, such as [30, 80], "
                f"got {milestones!r}"
            )
        milestones = list(milestones)
        self.milestones = Counter(
            _count("MultiStepLR", f"milestones[{index}]", milestone, 0)
            for index, milestone in enumerate(milestones)
        )
        self.gamma = _real("MultiStepLR", "gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r""":math:`\gamma^k\alpha_{t-1}`, :math:`k` the times :math:`t` is a milestone.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import MultiStepLR
        >>> scheduler = MultiStepLR(SGD(np.zeros(1), lr=1.0), milestones=[1, 1], gamma=0.5)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.25]
        """
        self._warn_unless_stepping()
        lr = _current_lr("MultiStepLR", self.optimizer)
        if self.last_epoch not in self.milestones:
            return [lr]
        return [lr * self.gamma ** self.milestones[self.last_epoch]]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [self.base_lrs[0] * self.gamma ** bisect_right(milestones, self.last_epoch)]

    def _check_loaded(self, state: dict[str, Any]) -> None:
        for milestone, times in state["milestones"].items():
            _count("MultiStepLR", "a milestone in state_dict['milestones']", milestone, 0)
            _count("MultiStepLR", f"state_dict['milestones'][{milestone}]", times, 1)

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        if "milestones" in loaded:
            loaded["milestones"] = Counter(loaded["milestones"])
        super()._apply_state(loaded)


class ConstantLR(LRScheduler):
    r"""A lower learning rate for the first steps, as ``torch.optim.lr_scheduler.ConstantLR``.

    .. math::
       \alpha_t = \begin{cases} f\,\alpha_0 & t < T \\ \alpha_0 & t \ge T \end{cases}

    computed as :math:`\alpha_0 \leftarrow f\alpha_0` at :math:`t = 0` and
    :math:`\alpha_T = \alpha_{T-1} / f` (a "constant warm-up").

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    factor : float, default 1/3
        :math:`f \in (0, 1]`.
    total_iters : int, default 5
        :math:`T \ge 1`, the number of steps at the lowered rate.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Raises
    ------
    ValueError
        ``factor`` outside [0, 1] (as torch), or 0: torch accepts 0 and then
        divides by it at step ``total_iters`` (ZeroDivisionError).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import ConstantLR
    >>> opt = SGD(np.zeros(2), lr=0.1)
    >>> scheduler = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.05, 0.05, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        # torch accepts 0, then divides by it at step total_iters (ZeroDivisionError).
        why = " (at step total_iters the schedule divides the lr by it)" if factor == 0 else ""
        self.factor = _real("ConstantLR", "factor", factor, 0.0, 1.0, low_open=True, why=why)
        self.total_iters = _count("ConstantLR", "total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r""":math:`f\alpha` at :math:`t = 0`, :math:`\alpha / f` at :math:`t = T`, else unchanged.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ConstantLR
        >>> scheduler = ConstantLR(SGD(np.zeros(1), lr=1.0), factor=0.5, total_iters=1)
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self._warn_unless_stepping()
        lr = _current_lr("ConstantLR", self.optimizer)
        if self.last_epoch == 0:
            return [lr * self.factor]
        if self.last_epoch != self.total_iters:
            return [lr]
        return [lr * (1.0 / self.factor)]

    def _get_closed_form_lr(self) -> list[float]:
        reached = self.last_epoch >= self.total_iters
        return [self.base_lrs[0] * (self.factor + reached * (1 - self.factor))]


class LinearLR(LRScheduler):
    r"""A factor of the learning rate that changes linearly, as torch's ``LinearLR``.

    .. math::
       \alpha_t = \alpha_0 \left(f_0 + (f_1 - f_0)\,\frac{\min(t, T)}{T}\right)

    computed as :math:`\alpha_0 \leftarrow f_0\alpha_0` at :math:`t = 0`, then for
    :math:`1 \le t \le T`

    .. math::
       \alpha_t = \alpha_{t-1}\left(1 + \frac{f_1 - f_0}{T f_0 + (t - 1)(f_1 - f_0)}\right).

    With :math:`f_0 < f_1 = 1` it is the usual linear warm-up.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    start_factor : float, default 1/3
        :math:`f_0 \in (0, 1]`, the factor at :math:`t = 0`.
    end_factor : float, default 1.0
        :math:`f_1 \in [0, 1]`, the factor from :math:`t = T` on.
    total_iters : int, default 5
        :math:`T \ge 1`, the number of steps from :math:`f_0` to :math:`f_1`.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Raises
    ------
    ValueError
        A factor outside its interval (as torch), or ``total_iters`` < 1 (with 0,
        torch keeps :math:`f_0` for ever, and its closed form divides by zero).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import LinearLR
    >>> opt = SGD(np.zeros(2), lr=0.1)
    >>> scheduler = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = _real(
            "LinearLR", "start_factor", start_factor, 0.0, 1.0, low_open=True
        )
        self.end_factor = _real("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        self.total_iters = _count("LinearLR", "total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The recursive step of the docstring's formula, in a list.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import LinearLR
        >>> scheduler = LinearLR(SGD(np.zeros(1), lr=1.0), start_factor=0.5, total_iters=1)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [1.0]
        """
        self._warn_unless_stepping()
        lr = _current_lr("LinearLR", self.optimizer)
        if self.last_epoch == 0:
            return [lr * self.start_factor]
        if self._is_initial or self.last_epoch > self.total_iters:
            return [lr]
        change = self.end_factor - self.start_factor
        # The ratio of the factor at t to the factor at t - 1, both times T.
        ratio = 1.0 + change / (
            self.total_iters * self.start_factor + (self.last_epoch - 1) * change
        )
        return [lr * ratio]

    def _get_closed_form_lr(self) -> list[float]:
        change = self.end_factor - self.start_factor
        progress = min(self.total_iters, self.last_epoch)
        return [self.base_lrs[0] * (self.start_factor + change * progress / self.total_iters)]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at every step, as torch's ``ExponentialLR``.

    .. math::
       \alpha_t = \alpha_0 \, \gamma^t

    computed as :math:`\alpha_t = \gamma\,\alpha_{t-1}`.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    gamma : float
        :math:`\gamma \ge 0`, the factor of each step (above 1, the rate grows:
        the learning-rate range test).
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import ExponentialLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = ExponentialLR(opt, gamma=0.5)
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _real("ExponentialLR", "gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r""":math:`\gamma\,\alpha_{t-1}`, in a list (the initial step keeps the lr).

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ExponentialLR
        >>> scheduler = ExponentialLR(SGD(np.zeros(1), lr=1.0), gamma=0.1)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.1]
        """
        self._warn_unless_stepping()
        lr = _current_lr("ExponentialLR", self.optimizer)
        # Built with last_epoch >= 0 (a resumed run), the initial step must not decay once more.
        if self._is_initial:
            return [lr]
        return [lr * self.gamma]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.base_lrs[0] * self.gamma**self.last_epoch]


class PolynomialLR(LRScheduler):
    r"""Decay the learning rate to 0 along a polynomial, as torch's ``PolynomialLR``.

    .. math::
       \alpha_t = \alpha_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}

    computed as :math:`\alpha_t = \alpha_{t-1} \left(\dfrac{1 - t/T}{1 - (t - 1)/T}\right)^{p}`
    for :math:`1 \le t \le T`; from :math:`T` on, :math:`\alpha_t = 0`.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    total_iters : int, default 5
        :math:`T \ge 1`, the step at which the rate reaches 0.
    power : float, default 1.0
        :math:`p \ge 0` (1 is a linear decay).
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Raises
    ------
    ValueError
        ``total_iters`` < 1, or a negative ``power`` (torch raises ZeroDivisionError
        at step ``total_iters`` for the latter).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import PolynomialLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = PolynomialLR(opt, total_iters=4, power=2.0)
    >>> lrs = []
    >>> for _ in range(6):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self.total_iters = _count("PolynomialLR", "total_iters", total_iters, 1)
        self.power = _real("PolynomialLR", "power", power, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The recursive step of the docstring's formula, in a list.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import PolynomialLR
        >>> scheduler = PolynomialLR(SGD(np.zeros(1), lr=1.0), total_iters=2)
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        self._warn_unless_stepping()
        lr = _current_lr("PolynomialLR", self.optimizer)
        if self._is_initial or self.last_epoch > self.total_iters:
            return [lr]
        t, total = self.last_epoch, self.total_iters
        decay_factor = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay_factor]

    def _get_closed_form_lr(self) -> list[float]:
        remaining = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [self.base_lrs[0] * remaining**self.power]
