r"""Schedules made of schedules: :class:`SequentialLR` and :class:`ChainedScheduler`.

And the most used composite, :func:`warmup_cosine`: a linear warm-up from 0, then a
cosine decay.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, ClassVar

from optlib._validation import short_repr
from optlib.optimizers import Optimizer

from .base import (
    LRScheduler,
    _checked_optimizer,
    _count,
    _last_epoch,
    _real,
    _recorded_initial_lr,
    _unchanged_on_error,
)
from .cosine import CosineAnnealingLR
from .decays import LambdaLR
from .plateau import ReduceLROnPlateau

__all__ = ["ChainedScheduler", "SequentialLR", "warmup_cosine"]


def _checked_schedulers(
    who: str, schedulers: Any, optimizer: Optimizer | None
) -> tuple[list[LRScheduler], Optimizer]:
    """The schedules as a list, all of one optimizer (``optimizer``, or the first one's)."""
    if isinstance(schedulers, str | bytes) or not isinstance(schedulers, Sequence):
        raise ValueError(
            f"{who}: schedulers must be a list of schedules, got {short_repr(schedulers)}"
        )
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{who} expects at least one scheduler, but got no scheduler.")
    for index, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(
                f"{who}: schedulers[{index}] must be a schedule such as StepLR(opt, 30), "
                f"got {type(scheduler).__name__} {short_repr(scheduler)}"
            )
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{who}: schedulers[{index}] is a ReduceLROnPlateau, which needs the metric "
                "at every step(metrics); it cannot be stepped with the others"
            )
    if optimizer is None:
        optimizer = schedulers[0].optimizer
    for index, scheduler in enumerate(schedulers):
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{who}: all schedules must belong to the same optimizer, but "
                f"schedulers[{index}] ({type(scheduler).__name__}) sets the lr of another "
                f"{type(scheduler.optimizer).__name__}"
            )
    return schedulers, optimizer


class _Composite(LRScheduler):
    """What SequentialLR and ChainedScheduler share: their schedules' state."""

    # The schedules' states are saved by state_dict below, not copied with the rest.
    _not_state: ClassVar[frozenset[str]] = LRScheduler._not_state | {"_schedulers"}
    # torch's composites get a _step_count when nested (torch's initial step sets it).
    _torch_flags: ClassVar[frozenset[str]] = LRScheduler._torch_flags | {"_step_count"}
    _schedulers: list[LRScheduler]

    def _initial_step(self) -> None:
        # Nested as the first schedule of a SequentialLR: torch's initial step is a step.
        self.step()

    def state_dict(self) -> dict[str, Any]:
        """The state, with the state of each schedule in ``_schedulers``, as torch.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ChainedScheduler, ExponentialLR, StepLR
        >>> opt = SGD(np.zeros(1), lr=1.0)
        >>> chain = ChainedScheduler([StepLR(opt, 10), ExponentialLR(opt, 0.9)])
        >>> [state["last_epoch"] for state in chain.state_dict()["_schedulers"]]
        [0, 0]
        """
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def _checked_state(self, state_dict: Any) -> dict[str, Any]:
        if isinstance(state_dict, dict) and "_schedulers" in state_dict:
            saved = state_dict["_schedulers"]
            if not isinstance(saved, list | tuple) or len(saved) != len(self._schedulers):
                count = len(saved) if isinstance(saved, list | tuple) else short_repr(saved)
                raise ValueError(
                    f"state_dict['_schedulers'] holds the states of {count} schedules, "
                    f"this {type(self).__name__} has {len(self._schedulers)}"
                )
            own = {key: value for key, value in state_dict.items() if key != "_schedulers"}
            loaded = super()._checked_state(own)
            loaded["_schedulers"] = [
                scheduler._checked_state(state)
                for scheduler, state in zip(self._schedulers, saved, strict=True)
            ]
            return loaded
        return super()._checked_state(state_dict)

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        children = loaded.pop("_schedulers", None)
        super()._apply_state(loaded)
        if children is not None:
            for scheduler, state in zip(self._schedulers, children, strict=True):
                scheduler._apply_state(state)

    def _snapshot(self) -> Any:
        return dict(vars(self)), [scheduler._snapshot() for scheduler in self._schedulers]

    def _restore(self, snapshot: Any) -> None:
        own, children = snapshot
        super()._restore(own)
        for scheduler, child in zip(self._schedulers, children, strict=True):
            scheduler._restore(child)


class SequentialLR(_Composite):
    r"""Schedules one after another, switching at milestones, as torch's ``SequentialLR``.

    With schedules :math:`S_0, \ldots, S_k` and milestones :math:`m_1 < \cdots < m_k`,
    steps :math:`0 \ldots m_1 - 1` follow :math:`S_0`, steps :math:`m_1 \ldots m_2 - 1`
    follow :math:`S_1`, and so on. At :math:`m_i`, :math:`S_i` starts from its own
    step 0, computed in closed form from the optimizer's initial learning rate
    :math:`\alpha_0` (as torch, ``_update_lr(0)``): a warm-up followed by a cosine
    ends the warm-up at :math:`\alpha_0` and starts the cosine there.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        The optimizer of every schedule. Building the sequence puts its ``lr``
        back to :math:`\alpha_0` and takes :math:`S_0`'s initial step again.
    schedulers : list of LRScheduler
        The schedules, each built on ``optimizer``; not ReduceLROnPlateau. Only
        the first may itself be a SequentialLR or ChainedScheduler.
    milestones : list of int
        One fewer than ``schedulers``: the steps at which to switch, increasing, >= 1.
    last_epoch : int, default -1
        -1 starts the sequence.

    Raises
    ------
    ValueError
        As torch: no schedule, a ReduceLROnPlateau, schedules of different
        optimizers, a number of milestones other than one fewer than schedules.
        Also milestones that are not increasing integers >= 1, and a composite
        schedule after the first (torch raises NotImplementedError at its milestone).
    TypeError
        An element of ``schedulers`` that is not a schedule.

    Examples
    --------
    A linear warm-up of 3 steps, then a cosine over 4:

    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import CosineAnnealingLR, LinearLR, SequentialLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> warm_up = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> cosine = CosineAnnealingLR(opt, T_max=4)
    >>> scheduler = SequentialLR(opt, schedulers=[warm_up, cosine], milestones=[3])
    >>> lrs = []
    >>> for _ in range(8):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 0.853553, 0.5, 0.146447, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        who = "SequentialLR"
        optimizer = _checked_optimizer(who, optimizer)
        schedulers, optimizer = _checked_schedulers(who, schedulers, optimizer)
        if isinstance(milestones, str | bytes) or not isinstance(milestones, Sequence):
            raise ValueError(f"{who}: milestones must be a list of steps, got {milestones!r}")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{who}: expects one milestone fewer than schedules, got {len(schedulers)} "
                f"schedules and {len(milestones)} milestones ({list(milestones)!r})"
            )
        milestones = [
            _count(who, f"milestones[{index}]", milestone, 1)
            for index, milestone in enumerate(milestones)
        ]
        if any(later <= earlier for earlier, later in itertools.pairwise(milestones)):
            raise ValueError(f"{who}: milestones must increase, got {milestones!r}")
        for index, scheduler in enumerate(schedulers[1:], start=1):
            if isinstance(scheduler, _Composite):
                raise ValueError(
                    f"{who}: schedulers[{index}] is a {type(scheduler).__name__}, which cannot "
                    "start afresh at a milestone; only the first schedule may be composite"
                )
        last_epoch = _last_epoch(who, last_epoch)

        with _unchanged_on_error(optimizer, schedulers):
            self._schedulers = schedulers
            self._milestones = milestones
            self.last_epoch = last_epoch + 1
            self.optimizer = optimizer
            # Start over from the initial lr: building the schedules has changed the lr.
            optimizer.lr = _recorded_initial_lr(optimizer)
            # Undo the initial step of every schedule, then take that of the first one again.
            self._undo_initial_steps(self)
            first = bisect_right(self._milestones, 0)
            self._schedulers[first]._initial_step()
            self._last_lr = self._schedulers[first].get_last_lr()

    @staticmethod
    def _undo_initial_steps(scheduler: LRScheduler) -> None:
        if isinstance(scheduler, _Composite):
            for child in scheduler._schedulers:
                SequentialLR._undo_initial_steps(child)
        else:
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Move to the next step: the current schedule steps, or the next one starts.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ConstantLR, ExponentialLR, SequentialLR
        >>> opt = SGD(np.zeros(1), lr=1.0)
        >>> constant = ConstantLR(opt, factor=0.5, total_iters=10)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> scheduler = SequentialLR(opt, [constant, decay], milestones=[1])
        >>> scheduler.get_last_lr()
        [0.5]
        >>> scheduler.step()  # the milestone: ExponentialLR starts at the initial lr
        >>> scheduler.get_last_lr()
        [1.0]
        """
        with _unchanged_on_error(self.optimizer, [self]):
            self.last_epoch += 1
            index = bisect_right(self._milestones, self.last_epoch)
            scheduler = self._schedulers[index]
            if index > 0 and self._milestones[index - 1] == self.last_epoch:
                scheduler._update_lr(0)
            else:
                scheduler.step()
            self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    r"""Several schedules stepped together, as torch's ``ChainedScheduler``.

    Each ``step()`` steps every schedule in order; since each one computes from
    the learning rate the one before it has set (recursively), their changes
    compound: a :class:`ConstantLR` warm-up chained with an :class:`ExponentialLR`
    gives :math:`\alpha_t = f\,\alpha_0\gamma^t` during the warm-up and
    :math:`\alpha_0\gamma^t` after it.

    Parameters
    ----------
    schedulers : list of LRScheduler
        The schedules, all of one optimizer; not ReduceLROnPlateau.
    optimizer : ~optlib.optimizers.Optimizer, optional
        Their optimizer (default: the first schedule's).

    Raises
    ------
    ValueError
        As torch: no schedule, a ReduceLROnPlateau, schedules of different optimizers.
    TypeError
        An element of ``schedulers`` that is not a schedule, or an ``optimizer``
        that is not an optlib optimizer.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import ChainedScheduler, ConstantLR, ExponentialLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=2),
    ...                               ExponentialLR(opt, gamma=0.5)])
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.05, 0.25, 0.125]
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        who = "ChainedScheduler"
        if optimizer is not None:
            optimizer = _checked_optimizer(who, optimizer)
        self._schedulers, self.optimizer = _checked_schedulers(who, schedulers, optimizer)
        self._last_lr = [self.optimizer.lr]

    def step(self) -> None:  # type: ignore[override]
        """Step every schedule, in order.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ChainedScheduler, ExponentialLR
        >>> opt = SGD(np.zeros(1), lr=1.0)
        >>> chain = ChainedScheduler([ExponentialLR(opt, 0.5), ExponentialLR(opt, 0.5)])
        >>> chain.step()
        >>> chain.get_last_lr()
        [0.25]
        """
        with _unchanged_on_error(self.optimizer, [self]):
            for scheduler in self._schedulers:
                scheduler.step()
            self._last_lr = [self.optimizer.lr]


def warmup_cosine(
    optimizer: Optimizer, warmup: int, total: int, min_lr: float = 0.0
) -> LRScheduler:
    r"""A linear warm-up from 0 to the optimizer's rate, then a cosine decay to ``min_lr``.

    With :math:`\alpha_{\max}` the optimizer's learning rate when the schedule
    is built, :math:`w` = ``warmup``, :math:`T` = ``total`` and
    :math:`\alpha_{\min}` = ``min_lr``, step :math:`t` uses

    .. math::
       \alpha_t = \begin{cases}
         \alpha_{\max}\,\dfrac{t}{w} & 0 \le t < w,\\[1ex]
         \alpha_{\min} + \tfrac12(\alpha_{\max} - \alpha_{\min})
           \left(1 + \cos\dfrac{\pi (t - w)}{T - w}\right) & w \le t \le T,
       \end{cases}

    so :math:`\alpha_0 = 0`, :math:`\alpha_w = \alpha_{\max}` and
    :math:`\alpha_T = \alpha_{\min}`. It is

    .. code-block:: python

        SequentialLR(optimizer,
                     [LambdaLR(optimizer, lambda t: t / warmup),
                      CosineAnnealingLR(optimizer, T_max=total - warmup, eta_min=min_lr)],
                     milestones=[warmup])

    (just the cosine for ``warmup=0``). torch's ``LinearLR`` cannot start
    from exactly 0 (its ``start_factor`` must be > 0):
    ``LinearLR(optimizer, start_factor=s, total_iters=warmup)`` in place of the
    ``LambdaLR`` gives :math:`\alpha_{\max}(s + (1 - s)\,t/w)` during the
    warm-up, the formula above as :math:`s \to 0`. It is Hugging Face's
    ``get_cosine_schedule_with_warmup`` (with ``min_lr``), and Keras's
    ``CosineDecay(0.0, total - warmup, alpha=min_lr / peak, warmup_target=peak,
    warmup_steps=warmup)`` (:class:`optlib.keras.schedules.CosineDecay`).
    Past :math:`T` the cosine goes on up, as torch's does; a run stops at
    :math:`T`.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer; its ``lr`` is :math:`\alpha_{\max}`.
    warmup : int
        :math:`w \ge 0`, the steps of the warm-up.
    total : int
        :math:`T > w`, the step at which the rate reaches ``min_lr``.
    min_lr : float, default 0.0
        :math:`\alpha_{\min}`, from 0 to the optimizer's rate.

    Returns
    -------
    SequentialLR, or CosineAnnealingLR for ``warmup=0``

    Raises
    ------
    ValueError
        ``warmup`` is not an integer >= 0, ``total`` not an integer > ``warmup``,
        or ``min_lr`` is negative or above the optimizer's rate.

    Examples
    --------
    >>> from optlib.schedules import rate_curve
    >>> rates = rate_curve(lambda opt: warmup_cosine(opt, warmup=4, total=8, min_lr=0.1), 9)
    >>> rates.round(4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0, 0.8682, 0.55, 0.2318, 0.1]
    """
    optimizer = _checked_optimizer("warmup_cosine", optimizer)
    warmup = _count("warmup_cosine", "warmup", warmup, 0)
    total = _count("warmup_cosine", "total", total, 1)
    if total <= warmup:
        raise ValueError(
            f"warmup_cosine: total must be larger than warmup={warmup}, got {total!r}"
        )
    peak = optimizer.lr
    min_lr = _real(
        "warmup_cosine", "min_lr", min_lr, 0.0, float(peak), why=" (the optimizer's lr)"
    )
    if warmup == 0:
        return CosineAnnealingLR(optimizer, T_max=total, eta_min=min_lr)
    return SequentialLR(
        optimizer,
        [
            LambdaLR(optimizer, lambda t: t / warmup),
            CosineAnnealingLR(optimizer, T_max=total - warmup, eta_min=min_lr),
        ],
        milestones=[warmup],
    )
