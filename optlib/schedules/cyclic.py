r"""Schedules that cycle the learning rate, and the momentum the other way.

Both are meant to be stepped after every batch. When ``cycle_momentum`` is on
(the default), they set the optimizer's momentum as well: ``momentum`` for
``SGD`` and ``RMSprop``, ``betas[0]`` for ``Adam`` and ``AdamW``, as torch does.
A high learning rate goes with a low momentum, and the other way round.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from optlib.optimizers import Optimizer

from .base import (
    LRScheduler,
    _check_bool,
    _checked_optimizer,
    _choice,
    _last_epoch,
    _load_callable,
    _momentum_bound,
    _one_per_group,
    _real,
    _record_initial_lr,
    _saved_callable,
    _set_momentum,
    _strict_int,
    _unchanged_on_error,
    _uses_beta1,
)

__all__ = ["CyclicLR", "OneCycleLR"]


class CyclicLR(LRScheduler):
    r"""Cycle the learning rate between two bounds, as ``torch.optim.lr_scheduler.CyclicLR``.

    The rate climbs from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps and
    falls back in ``step_size_down`` steps (Smith, 2017). With
    :math:`S = s_{\mathrm{up}} + s_{\mathrm{down}}` and :math:`r = s_{\mathrm{up}} / S`,
    at step :math:`t`

    .. math::
       c = \left\lfloor 1 + \frac{t}{S} \right\rfloor, \qquad
       x = 1 + \frac{t}{S} - c, \qquad
       h = \begin{cases} x / r & x \le r \\ (x - 1)/(r - 1) & x > r \end{cases}

    .. math::
       \alpha_t = \alpha_{\mathrm{base}} + (\alpha_{\max} - \alpha_{\mathrm{base}})\, h\, \sigma,
       \qquad
       \rho_t = \rho_{\max} - (\rho_{\max} - \rho_{\mathrm{base}})\, h\, \sigma

    where :math:`c` numbers the cycle, :math:`h \in [0, 1]` is the height in it,
    and :math:`\sigma` scales the amplitude: 1 (``"triangular"``),
    :math:`1/2^{c-1}` (``"triangular2"``), :math:`\gamma^t` (``"exp_range"``), or
    ``scale_fn`` of :math:`c` or of :math:`t` (``scale_mode``).

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer; building the schedule sets its ``lr`` to ``base_lr``
        (and its momentum to ``max_momentum``).
    base_lr : float
        :math:`\alpha_{\mathrm{base}} \ge 0`, the lower bound of the cycle.
    max_lr : float
        :math:`\alpha_{\max} \ge 0`, the upper bound (reached only when :math:`\sigma = 1`).
    step_size_up : float, default 2000
        :math:`s_{\mathrm{up}} > 0`, steps in the rising half of a cycle.
    step_size_down : float, optional
        :math:`s_{\mathrm{down}} \ge 0`, steps in the falling half (default: ``step_size_up``).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        The scaling :math:`\sigma` (ignored when ``scale_fn`` is given).
    gamma : float, default 1.0
        :math:`\gamma \ge 0` of ``"exp_range"``.
    scale_fn : callable, optional
        A custom :math:`\sigma`, a function with values in [0, 1].
    scale_mode : {"cycle", "iterations"}, default "cycle"
        Whether ``scale_fn`` receives the cycle :math:`c` or the step :math:`t`
        (the built-in modes set it themselves).
    cycle_momentum : bool, default True
        Cycle the momentum inversely between ``max_momentum`` and ``base_momentum``.
    base_momentum : float, default 0.8
        :math:`\rho_{\mathrm{base}}`, the momentum at the top of the learning rate.
    max_momentum : float, default 0.9
        :math:`\rho_{\max}`, the momentum at the bottom of the learning rate.
    last_epoch : int, default -1
        The number of batches seen; -1 starts the schedule.

    Raises
    ------
    ValueError
        An unknown ``mode`` without ``scale_fn``; ``cycle_momentum=True`` with an
        optimizer that has no momentum (Adagrad); as torch. Also negative
        learning rates, ``step_size_up`` <= 0 (torch divides by zero),
        ``step_size_down`` < 0, an unknown ``scale_mode``, and momenta the
        optimizer would refuse (negative; ``betas[0]`` >= 1).
    TypeError
        ``scale_fn`` is not callable.

    Notes
    -----
    torch keeps ``base_momentum`` and ``max_momentum`` in the optimizer's
    parameter group too; here they are the schedule's ``base_momentums`` and
    ``max_momentums`` (lists of one number, as torch's), in its
    ``state_dict()``. A ``scale_fn`` that is a function or lambda is saved as
    ``None``, a callable object as its attributes.

    As in torch, when a schedule was attached to the same optimizer before,
    the initial step computes with the learning rate that one recorded in
    place of ``base_lr``: only ``get_last_lr()`` right after construction shows it.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import CyclicLR
    >>> opt = SGD(np.zeros(2), lr=0.1, momentum=0.9)
    >>> scheduler = CyclicLR(opt, base_lr=0.01, max_lr=0.05, step_size_up=2)
    >>> lrs, momenta = [], []
    >>> for _ in range(6):
    ...     lrs.append(round(opt.lr, 6))
    ...     momenta.append(round(opt.momentum, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.01, 0.03, 0.05, 0.03, 0.01, 0.03]
    >>> momenta
    [0.9, 0.85, 0.8, 0.85, 0.9, 0.85]
    """

    _modes: ClassVar[tuple[str, ...]] = ("triangular", "triangular2", "exp_range")

    base_momentums: list[float]
    max_momentums: list[float]
    use_beta1: bool

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: float = 2000,
        step_size_down: float | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        who = "CyclicLR"
        optimizer = _checked_optimizer(who, optimizer)
        last_epoch = _last_epoch(who, last_epoch)
        base_lr = _real(who, "base_lr", _one_per_group(who, "base_lr", base_lr), 0.0)
        max_lr = _real(who, "max_lr", _one_per_group(who, "max_lr", max_lr), 0.0)
        step_size_up = _real(who, "step_size_up", step_size_up, 0.0, low_open=True)
        step_size_down = (
            step_size_up
            if step_size_down is None
            else _real(who, "step_size_down", step_size_down, 0.0)
        )
        if scale_fn is None:
            if mode not in self._modes:
                raise ValueError(
                    f"{who}: mode must be one of {', '.join(map(repr, self._modes))} "
                    f"when there is no scale_fn, got {mode!r}"
                )
        elif not callable(scale_fn):
            raise TypeError(
                f"{who}: scale_fn must be a function of the cycle or the step with values "
                f"in [0, 1], got {type(scale_fn).__name__} {scale_fn!r}"
            )
        scale_mode = _choice(who, "scale_mode", scale_mode, ("cycle", "iterations"))
        gamma = _real(who, "gamma", gamma, 0.0)
        cycle_momentum = _check_bool(who, "cycle_momentum", cycle_momentum)
        if cycle_momentum:
            use_beta1 = _uses_beta1(who, optimizer)
            base_momentum = _momentum_bound(
                who, "base_momentum", base_momentum, optimizer, use_beta1
            )
            max_momentum = _momentum_bound(who, "max_momentum", max_momentum, optimizer, use_beta1)

        with _unchanged_on_error(optimizer):
            self.optimizer = optimizer
            if last_epoch == -1:
                optimizer.lr = base_lr
            self.max_lrs = [max_lr]
            self.total_size = step_size_up + step_size_down
            self.step_ratio = step_size_up / self.total_size
            self.mode = mode
            self.gamma = gamma
            self._scale_fn_custom = scale_fn
            self.scale_mode = scale_mode
            self._init_scale_fn()
            self.cycle_momentum = cycle_momentum
            if cycle_momentum:
                self.use_beta1 = use_beta1
                self.base_momentums = [base_momentum]
                self.max_momentums = [max_momentum]
                if last_epoch == -1:
                    _set_momentum(optimizer, use_beta1, max_momentum)
            super().__init__(optimizer, last_epoch)
            # torch sets base_lrs only now: the initial step above used the recorded initial lr.
            self.base_lrs = [base_lr]

    def _init_scale_fn(self) -> None:
        """The built-in modes fix what their scaling receives: the cycle, or the step."""
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        r"""The amplitude's scaling :math:`\sigma(x)`, :math:`x` the cycle or the step.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CyclicLR
        >>> opt = SGD(np.zeros(1), lr=0.1)
        >>> scheduler = CyclicLR(opt, 0.01, 0.1, mode="triangular2", cycle_momentum=False)
        >>> [scheduler.scale_fn(cycle) for cycle in (1, 2, 3)]
        [1.0, 0.5, 0.25]
        """
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x  # "exp_range"

    def get_lr(self) -> list[float]:
        r"""The learning rate for step :math:`t`, in a list; sets the momentum for it too.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CyclicLR
        >>> opt = SGD(np.zeros(1), lr=0.1, momentum=0.9)
        >>> scheduler = CyclicLR(opt, 0.0, 1.0, step_size_up=4)
        >>> scheduler.step()
        >>> scheduler.get_last_lr(), opt.momentum
        ([0.25], 0.875)
        """
        self._warn_unless_stepping()
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle  # where step t is within its cycle, in [0, 1)
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        sigma = self.scale_fn(cycle if self.scale_mode == "cycle" else t)

        base_lr, max_lr = self.base_lrs[0], self.max_lrs[0]
        lr = base_lr + (max_lr - base_lr) * scale_factor * sigma
        if self.cycle_momentum:
            base_momentum, max_momentum = self.base_momentums[0], self.max_momentums[0]
            momentum = max_momentum - (max_momentum - base_momentum) * scale_factor * sigma
            _set_momentum(self.optimizer, self.use_beta1, momentum)
        return [lr]

    def state_dict(self) -> dict[str, Any]:
        """The state, with ``_scale_fn_custom`` as torch saves it (None for a function).

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CyclicLR
        >>> opt = SGD(np.zeros(1), lr=0.1)
        >>> state = CyclicLR(opt, 0.01, 0.1, cycle_momentum=False).state_dict()
        >>> state["total_size"], state["step_ratio"], state["_scale_fn_custom"]
        (4000.0, 0.5, None)
        """
        state = super().state_dict()
        state["_scale_fn_custom"] = (
            None if self._scale_fn_custom is None else _saved_callable(self._scale_fn_custom)
        )
        return state

    def _check_loaded(self, state: dict[str, Any]) -> None:
        saved = state["_scale_fn_custom"]
        if saved is not None and not isinstance(saved, dict):
            raise ValueError(
                "state_dict['_scale_fn_custom'] holds None or a dict (the attributes of a "
                f"callable object), got {saved!r}"
            )
        if self._scale_fn_custom is None and state["mode"] not in self._modes:
            raise ValueError(
                f"state_dict['mode'] must be one of {self._modes}, got {state['mode']!r}"
            )

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        saved = loaded.pop("_scale_fn_custom", None)
        super()._apply_state(loaded)
        if self._scale_fn_custom is not None:
            _load_callable(self._scale_fn_custom, saved)
        self._init_scale_fn()


class OneCycleLR(LRScheduler):
    r"""One cycle up to ``max_lr`` and far down, as ``torch.optim.lr_scheduler.OneCycleLR``.

    The 1cycle policy (Smith and Topin, 2019), as fastai and torch implement it.
    With :math:`\alpha_{\max}` = ``max_lr``, the schedule starts at
    :math:`\alpha_{\mathrm{init}} = \alpha_{\max} / d` (``div_factor``) and ends
    at :math:`\alpha_{\min} = \alpha_{\mathrm{init}} / d_f` (``final_div_factor``).
    Its phases, over :math:`N` = ``total_steps`` steps and with
    :math:`p` = ``pct_start``, are

    * two phases (default): :math:`\alpha_{\mathrm{init}} \to \alpha_{\max}` until
      step :math:`pN - 1`, then :math:`\alpha_{\max} \to \alpha_{\min}` until step :math:`N - 1`;
    * three phases (``three_phase=True``, the original paper):
      :math:`\alpha_{\mathrm{init}} \to \alpha_{\max}` until :math:`pN - 1`, back to
      :math:`\alpha_{\mathrm{init}}` until :math:`2pN - 2`, then down to
      :math:`\alpha_{\min}` until :math:`N - 1`.

    Within a phase from step :math:`a` to step :math:`b`, with :math:`\pi_t = (t - a)/(b - a)`,
    the rate goes from :math:`u` to :math:`v` along

    .. math::
       \text{cos:}\quad v + \tfrac12 (u - v)(1 + \cos \pi\pi_t), \qquad
       \text{linear:}\quad (v - u)\,\pi_t + u,

    and the momentum goes the other way, between ``max_momentum`` (when the
    rate is low) and ``base_momentum`` (at :math:`\alpha_{\max}`).

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer; building the schedule sets its ``lr`` (and momentum).
    max_lr : float
        :math:`\alpha_{\max} \ge 0`.
    total_steps : int, optional
        :math:`N \ge 1`, the number of steps in the cycle; or give ``epochs`` and
        ``steps_per_epoch``, and :math:`N` is their product.
    epochs : int, optional
        The number of epochs (with ``steps_per_epoch``).
    steps_per_epoch : int, optional
        The number of steps (batches) per epoch (with ``epochs``).
    pct_start : float, default 0.3
        :math:`p \in [0, 1]`, the share of the cycle spent warming up.
    anneal_strategy : {"cos", "linear"}, default "cos"
        How the rate moves within a phase.
    cycle_momentum : bool, default True
        Cycle the momentum inversely to the rate (``momentum``, or ``betas[0]`` for Adam).
    base_momentum : float, default 0.85
        The momentum at the top of the rate.
    max_momentum : float, default 0.95
        The momentum at the start and the end.
    div_factor : float, default 25.0
        :math:`d > 0`: :math:`\alpha_{\mathrm{init}} = \alpha_{\max} / d`.
    final_div_factor : float, default 1e4
        :math:`d_f > 0`: :math:`\alpha_{\min} = \alpha_{\mathrm{init}} / d_f`.
    three_phase : bool, default False
        Use the three phases of the paper.
    last_epoch : int, default -1
        The number of batches seen; -1 starts the schedule.

    Attributes
    ----------
    initial_lr, max_lr, min_lr : float
        :math:`\alpha_{\mathrm{init}}`, :math:`\alpha_{\max}`, :math:`\alpha_{\min}`
        (torch keeps them in the optimizer's parameter group; they are in this
        schedule's ``state_dict()``).
    max_momentum, base_momentum : float
        The two momenta (only with ``cycle_momentum``; torch keeps them in the
        parameter group too).

    Raises
    ------
    ValueError
        As torch: neither ``total_steps`` nor ``epochs`` and ``steps_per_epoch``;
        one of them not a positive integer; ``pct_start`` not a float in [0, 1];
        an unknown ``anneal_strategy``; ``cycle_momentum`` with an optimizer
        without momentum; and at a step past ``total_steps``, "Tried to step ...".
        Also: negative ``max_lr``, ``div_factor`` or ``final_div_factor`` <= 0,
        momenta the optimizer would refuse, and a phase of length zero (with
        ``pct_start * total_steps == 1``, torch divides by zero).

    Notes
    -----
    Like torch, the schedule allows one step past the end of the cycle (step
    :math:`N`), so that a loop of :math:`N` iterations that each end with
    ``scheduler.step()`` runs through. torch extrapolates the last phase to it.
    With ``anneal_strategy="linear"`` that usually gives a negative learning
    rate, which an optlib optimizer refuses: then, and only then, that step
    stays at the end of the cycle (:math:`\alpha_{\min}`, and its momentum).
    Every other step is torch's.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import OneCycleLR
    >>> opt = SGD(np.zeros(2), lr=0.1, momentum=0.9)
    >>> scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=0.4,
    ...                        anneal_strategy="linear", div_factor=10, final_div_factor=10)
    >>> lrs, momenta = [], []
    >>> for _ in range(5):
    ...     lrs.append(round(opt.lr, 6))
    ...     momenta.append(round(opt.momentum, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs  # from max_lr / 10 up to max_lr at step 1, then down to max_lr / 100
    [0.1, 1.0, 0.67, 0.34, 0.01]
    >>> momenta
    [0.95, 0.85, 0.883333, 0.916667, 0.95]
    """

    initial_lr: float
    max_lr: float
    min_lr: float
    max_momentum: float
    base_momentum: float
    use_beta1: bool

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        who = "OneCycleLR"
        optimizer = _checked_optimizer(who, optimizer)
        last_epoch = _last_epoch(who, last_epoch)
        if total_steps is not None:
            total_steps = _strict_int(who, "total_steps", total_steps, 1, "a positive integer")
        elif epochs is not None and steps_per_epoch is not None:
            epochs = _strict_int(who, "epochs", epochs, 1, "a positive integer")
            steps_per_epoch = _strict_int(
                who, "steps_per_epoch", steps_per_epoch, 1, "a positive integer"
            )
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                f"{who}: give the length of the cycle, either total_steps or both epochs and "
                f"steps_per_epoch (got total_steps={total_steps!r}, epochs={epochs!r}, "
                f"steps_per_epoch={steps_per_epoch!r})"
            )
        if not isinstance(pct_start, float):  # torch's condition: 1 or 30 is not a fraction
            raise ValueError(
                f"{who}: pct_start must be a float between 0 and 1 (the share of the cycle "
                f"spent warming up), got {pct_start!r}"
            )
        pct_start = _real(who, "pct_start", pct_start, 0.0, 1.0)
        anneal_strategy = _choice(who, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        max_lr = _real(who, "max_lr", _one_per_group(who, "max_lr", max_lr), 0.0)
        div_factor = _real(who, "div_factor", div_factor, 0.0, low_open=True)
        final_div_factor = _real(who, "final_div_factor", final_div_factor, 0.0, low_open=True)
        three_phase = _check_bool(who, "three_phase", three_phase)
        cycle_momentum = _check_bool(who, "cycle_momentum", cycle_momentum)
        if cycle_momentum:
            use_beta1 = _uses_beta1(who, optimizer)
            max_momentum = _momentum_bound(who, "max_momentum", max_momentum, optimizer, use_beta1)
            base_momentum = _momentum_bound(
                who, "base_momentum", base_momentum, optimizer, use_beta1
            )

        with _unchanged_on_error(optimizer):
            self.optimizer = optimizer
            self.total_steps = total_steps
            self._schedule_phases = self._phases(pct_start, total_steps, three_phase)
            self._anneal_func_type = anneal_strategy
            # torch's param_groups[0] entries, kept here (see the class docstring).
            self.initial_lr = max_lr / div_factor
            self.max_lr = max_lr
            self.min_lr = self.initial_lr / final_div_factor
            if last_epoch == -1:
                # Not torch's setdefault: the schedule's own start becomes the recorded one.
                _record_initial_lr(optimizer, self.initial_lr, overwrite=True)
            self.cycle_momentum = cycle_momentum
            if cycle_momentum:
                self.use_beta1 = use_beta1
                self.max_momentum = max_momentum
                self.base_momentum = base_momentum
                if last_epoch == -1:
                    _set_momentum(optimizer, use_beta1, max_momentum)
            super().__init__(optimizer, last_epoch)

    @staticmethod
    def _phases(pct_start: float, total_steps: int, three_phase: bool) -> list[dict[str, Any]]:
        """Each phase: the step it ends at, and the names of the values it goes between."""
        warm_up = {
            "end_step": float(pct_start * total_steps) - 1,
            "start_lr": "initial_lr",
            "end_lr": "max_lr",
            "start_momentum": "max_momentum",
            "end_momentum": "base_momentum",
        }
        if not three_phase:
            return [
                warm_up,
                {
                    "end_step": total_steps - 1,
                    "start_lr": "max_lr",
                    "end_lr": "min_lr",
                    "start_momentum": "base_momentum",
                    "end_momentum": "max_momentum",
                },
            ]
        return [
            warm_up,
            {
                "end_step": float(2 * pct_start * total_steps) - 2,
                "start_lr": "max_lr",
                "end_lr": "initial_lr",
                "start_momentum": "base_momentum",
                "end_momentum": "max_momentum",
            },
            {
                "end_step": total_steps - 1,
                "start_lr": "initial_lr",
                "end_lr": "min_lr",
                "start_momentum": "max_momentum",
                "end_momentum": "max_momentum",
            },
        ]

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        """From ``start`` to ``end`` along half a cosine, as ``pct`` goes from 0 to 1."""
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        """From ``start`` to ``end`` along a line, as ``pct`` goes from 0 to 1."""
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        r"""The learning rate for step :math:`t`, in a list; sets the momentum for it too.

        Raises
        ------
        ValueError
            :math:`t` is past ``total_steps`` (torch's "Tried to step ... times").

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import Adam
        >>> from optlib.schedules import OneCycleLR
        >>> opt = Adam(np.zeros(1), lr=0.1)
        >>> scheduler = OneCycleLR(opt, max_lr=0.1, total_steps=10)
        >>> scheduler.get_last_lr(), opt.betas  # Adam's betas[0] is cycled
        ([0.0040000000000000036], (0.95, 0.999))
        """
        self._warn_unless_stepping()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is "
                f"{self.total_steps}: OneCycleLR is one cycle of total_steps steps (build it "
                "with a larger total_steps, or with epochs and steps_per_epoch)"
            )
        anneal = self._annealing_cos if self._anneal_func_type == "cos" else self._annealing_linear
        phases = self._schedule_phases
        start_step = 0.0
        for index, phase in enumerate(phases):
            end_step = phase["end_step"]
            if step_num <= end_step or index == len(phases) - 1:
                if end_step == start_step:
                    raise ValueError(
                        f"OneCycleLR: phase {index + 1} of {len(phases)} starts and ends at step "
                        f"{end_step}, so it has no length (pct_start * total_steps is "
                        f"{phases[0]['end_step'] + 1!r}); choose another pct_start"
                    )
                pct = (step_num - start_step) / (end_step - start_step)
                lr = anneal(getattr(self, phase["start_lr"]), getattr(self, phase["end_lr"]), pct)
                if lr < 0 and pct > 1:
                    # Step total_steps, extrapolated linearly below 0 (see the Notes above):
                    # stay at the end of the cycle instead.
                    pct = 1.0
                    lr = anneal(
                        getattr(self, phase["start_lr"]), getattr(self, phase["end_lr"]), pct
                    )
                if self.cycle_momentum:
                    momentum = anneal(
                        getattr(self, phase["start_momentum"]),
                        getattr(self, phase["end_momentum"]),
                        pct,
                    )
                    _set_momentum(self.optimizer, self.use_beta1, momentum)
                return [lr]
            start_step = phase["end_step"]
        raise AssertionError("the last phase takes every step")  # pragma: no cover

    def _check_loaded(self, state: dict[str, Any]) -> None:
        if state["_anneal_func_type"] not in ("cos", "linear"):
            raise ValueError(
                "state_dict['_anneal_func_type'] must be 'cos' or 'linear', "
                f"got {state['_anneal_func_type']!r}"
            )
        names = {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}
        for phase in state["_schedule_phases"]:
            if not isinstance(phase, dict) or not set(phase) >= {"end_step", "start_lr", "end_lr"}:
                raise ValueError(f"state_dict['_schedule_phases'] holds phases, got {phase!r}")
            values = {phase[key] for key in phase if key != "end_step"}
            if not values <= names:
                raise ValueError(
                    f"state_dict['_schedule_phases'] names unknown values {values - names}"
                )
