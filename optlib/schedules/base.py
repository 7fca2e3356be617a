r"""The base class :class:`LRScheduler`, and the checks and book-keeping every schedule shares.

A schedule changes an optimizer's learning rate between steps. It keeps a step
counter ``last_epoch`` and, at every :meth:`LRScheduler.step`, computes the next
learning rate and writes it to ``optimizer.lr``, where the optimizer's next
``step(grads)`` uses it.

Where ``torch.optim.lr_scheduler`` keeps values in the optimizer's
``param_groups[0]``, optlib keeps them here (an optlib optimizer has exactly
its hyper-parameters as attributes, and nothing else):

* ``initial_lr``, the learning rate the optimizer had when the first schedule
  was attached to it, is recorded per optimizer in this module. Every schedule
  attached later to the same optimizer starts from it (its ``base_lrs``), as in
  torch: a warm-up that lowers ``opt.lr`` does not lower the base of the cosine
  that follows it.
* :class:`~optlib.schedules.OneCycleLR` keeps ``initial_lr``, ``max_lr``,
  ``min_lr``, ``max_momentum`` and ``base_momentum`` as its own attributes, and
  :class:`~optlib.schedules.CyclicLR` keeps ``base_momentums`` and
  ``max_momentums``; both save them in their ``state_dict()``.
"""

from __future__ import annotations

import copy
import math
import numbers
import types
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from optlib._validation import short_repr
from optlib.optimizers import Optimizer

__all__ = ["LRScheduler"]

# ---------------------------------------------------------------------------
# The initial learning rate of each optimizer (torch: param_groups[0]["initial_lr"])
# ---------------------------------------------------------------------------

_initial_lrs: dict[int, float] = {}
"""``id(optimizer)`` -> the lr it had when the first schedule was attached to it.

Keyed by id, not by the optimizer (which would need to be hashable); the entry
is removed when the optimizer is garbage-collected, so an id is never reused
while its entry lives.
"""


def _recorded_initial_lr(optimizer: Optimizer) -> float | None:
    return _initial_lrs.get(id(optimizer))


def _record_initial_lr(optimizer: Optimizer, lr: float, *, overwrite: bool = False) -> None:
    """Record ``lr`` as the optimizer's initial lr: once (torch's ``setdefault``), or anew."""
    key = id(optimizer)
    if key not in _initial_lrs:
        try:
            weakref.finalize(optimizer, _initial_lrs.pop, key, None)
        except TypeError:  # an optimizer that cannot be weakly referenced: keep the entry
            pass
    elif not overwrite:
        return
    _initial_lrs[key] = lr


def _forget_initial_lr(optimizer: Optimizer, previous: float | None) -> None:
    """Put back the record as it was before a call that failed."""
    if previous is None:
        _initial_lrs.pop(id(optimizer), None)
    else:
        _initial_lrs[id(optimizer)] = previous


# ---------------------------------------------------------------------------
# Argument checks: a ValueError (TypeError for the optimizer) naming the argument
# ---------------------------------------------------------------------------


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _checked_optimizer(who: str, optimizer: Any) -> Optimizer:
    """An optlib optimizer whose lr is one number (not a sweep's array)."""
    if not isinstance(optimizer, Optimizer):
        module = type(optimizer).__module__ or ""
        hint = (
            "; a torch.optim optimizer goes with torch.optim.lr_scheduler"
            if module.startswith("torch")
            else ""
        )
        raise TypeError(
            f"{who} needs an optlib optimizer such as optlib.SGD(params, lr=0.1), "
            f"got {type(optimizer).__name__} {short_repr(optimizer)}{hint}"
        )
    _current_lr(who, optimizer)
    return optimizer


def _current_lr(who: str, optimizer: Optimizer) -> float:
    lr = optimizer.lr
    if isinstance(lr, np.ndarray):
        raise ValueError(
            f"{who}: the optimizer's lr is an array of shape {lr.shape} (a sweep of several "
            "runs); a schedule sets one learning rate: give each run its own optimizer "
            "and scheduler"
        )
    return lr


def _count(who: str, name: str, value: Any, minimum: int) -> int:
    """An integer >= ``minimum``; an integral float (``30.0``) is taken as the integer."""
    integral = isinstance(value, numbers.Integral) or (
        _is_real(value) and math.isfinite(value) and value == int(value)
    )
    if isinstance(value, bool | np.bool_) or not integral or value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _strict_int(who: str, name: str, value: Any, minimum: int, words: str) -> int:
    """An integer >= ``minimum`` where torch refuses ``10.0`` too (``T_0``, ``total_steps``)."""
    integer = isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)
    if not integer or value < minimum:
        raise ValueError(f"{who}: {name} must be {words}, got {value!r}")
    return int(value)


def _real(
    who: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    why: str = "",
) -> float:
    """A finite real number in the interval from ``low`` to ``high``, as a float."""
    if not _is_real(value) or not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be a finite number, got {value!r}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        right = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        if low is None:
            interval = f"<{'' if high_open else '='} {high:g}"
        elif high is None:
            interval = f">{'' if low_open else '='} {low:g}"
        else:
            interval = f"in {left}, {right}"
        raise ValueError(f"{who}: {name} must be {interval}{why}, got {value!r}")
    return float(value)


def _choice(who: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{who}: {name} must be one of {options}, got {value!r}")
    return value


def _check_bool(who: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{who}: {name} must be True or False, got {value!r}")
    return bool(value)


def _one_per_group(who: str, name: str, value: Any) -> Any:
    """torch takes one value per parameter group, or one for all: optlib has one group."""
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(
                f"{who}: {name} has {len(value)} values, one per parameter group, but an "
                f"optlib optimizer has one group: pass one number (or a list of one)"
            )
        return value[0]
    return value


def _last_epoch(who: str, value: Any) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_):
        raise ValueError(f"{who}: last_epoch must be an integer (-1 to start), got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------
# Momentum, for the schedules that cycle it (CyclicLR, OneCycleLR)
# ---------------------------------------------------------------------------


def _uses_beta1(who: str, optimizer: Optimizer) -> bool:
    """Whether to cycle ``betas[0]`` (Adam, AdamW) rather than ``momentum`` (SGD, RMSprop)."""
    hyperparameters = optimizer.hyperparameters
    if "betas" not in hyperparameters and "momentum" not in hyperparameters:
        raise ValueError(
            f"{who}: optimizer must support momentum or beta1 with `cycle_momentum` option "
            f"enabled; {type(optimizer).__name__} has neither. Pass cycle_momentum=False, "
            "or use SGD or RMSprop (momentum) or Adam or AdamW (betas[0])"
        )
    use_beta1 = "betas" in hyperparameters  # torch's preference when an optimizer has both
    current = _momentum(optimizer, use_beta1)
    if isinstance(current, np.ndarray):
        raise ValueError(
            f"{who}: the optimizer's {'betas[0]' if use_beta1 else 'momentum'} is an array "
            "(a sweep of several runs); a schedule cycles one value"
        )
    return use_beta1


def _momentum(optimizer: Optimizer, use_beta1: bool) -> Any:
    return optimizer.betas[0] if use_beta1 else optimizer.momentum


def _momentum_bound(
    who: str, name: str, value: Any, optimizer: Optimizer, use_beta1: bool
) -> float:
    """A momentum the optimizer accepts: betas[0] in [0, 1), momentum >= 0 (> 0 for Nesterov)."""
    value = _real(who, name, _one_per_group(who, name, value), 0.0)
    if use_beta1 and value >= 1:
        raise ValueError(
            f"{who}: {name} must be in [0, 1) for an optimizer with betas "
            f"(it becomes betas[0]), got {value!r}"
        )
    if value == 0 and optimizer.hyperparameters.get("nesterov"):
        raise ValueError(f"{who}: {name} must be > 0 for SGD with nesterov=True, got {value!r}")
    return value


def _set_momentum(optimizer: Optimizer, use_beta1: bool, value: float) -> None:
    if use_beta1:
        optimizer.betas = (value, *optimizer.betas[1:])
    else:
        optimizer.momentum = value


# ---------------------------------------------------------------------------
# Calls that raise change nothing
# ---------------------------------------------------------------------------


@contextmanager
def _unchanged_on_error(
    optimizer: Optimizer, schedulers: Sequence[LRScheduler] = ()
) -> Iterator[None]:
    """Undo what the block did to the optimizer, the initial-lr record and ``schedulers``."""
    hyperparameters = optimizer.hyperparameters
    saved = {
        name: hyperparameters[name]
        for name in ("lr", "momentum", "betas")
        if name in hyperparameters
    }
    record = _recorded_initial_lr(optimizer)
    snapshots = [scheduler._snapshot() for scheduler in schedulers]
    try:
        yield
    except BaseException:
        for name, value in saved.items():
            if getattr(optimizer, name) is not value:
                setattr(optimizer, name, value)  # valid before, so valid again
        _forget_initial_lr(optimizer, record)
        for scheduler, snapshot in zip(schedulers, snapshots, strict=True):
            scheduler._restore(snapshot)
        raise


# ---------------------------------------------------------------------------
# Loading a state dict: the same kind of value as the one it replaces
# ---------------------------------------------------------------------------


def _same_kind(where: str, value: Any, current: Any) -> None:
    """Refuse a loaded value that is not of the kind of the current one (number, list...)."""
    if isinstance(current, bool | np.bool_):
        ok = isinstance(value, bool | np.bool_)
    elif _is_real(current):
        ok = _is_real(value)
    elif isinstance(current, str):
        ok = isinstance(value, str)
    elif isinstance(current, dict):
        ok = isinstance(value, dict)
    elif isinstance(current, list | tuple):
        ok = isinstance(value, list | tuple) and len(value) == len(current)
        if ok:
            for index, (item, now) in enumerate(zip(value, current, strict=True)):
                _same_kind(f"{where}[{index}]", item, now)
    else:
        ok = True
    if not ok:
        raise ValueError(
            f"state_dict[{where}] should be like {short_repr(current)}, got {short_repr(value)}"
        )


_ROUNDING = 1e-12
"""A computed lr below 0 by at most this much of the current lr is rounding: it is set to 0."""

_EPOCH_DEPRECATED = (
    "scheduler.step(epoch) is deprecated (as in torch): call scheduler.step() once per "
    "step. With an epoch, last_epoch jumps to it and the learning rate comes from the "
    "schedule's closed form where it has one."
)


class LRScheduler:
    r"""The base class of every schedule, as ``torch.optim.lr_scheduler.LRScheduler``.

    A schedule keeps a step counter :attr:`last_epoch` (:math:`t`) and the
    learning rate :math:`\alpha_0` it started from (:attr:`base_lrs`, a list of
    one number). Building it takes torch's *initial step*: :math:`t` goes from
    ``last_epoch=-1`` to 0 and ``optimizer.lr`` becomes :math:`\alpha_0` times the
    schedule's factor at :math:`t = 0`. Then, in the training loop,
    ``scheduler.step()`` comes after ``optimizer.step(grads)``: it adds one to
    :math:`t` and writes :math:`\alpha_t` to ``optimizer.lr``, which the next
    ``optimizer.step`` uses.

    Like torch, most schedules compute :math:`\alpha_t` *recursively*, from the
    learning rate the optimizer has now (:meth:`get_lr`), so that they can be
    chained (:class:`~optlib.schedules.ChainedScheduler`) and follow a change
    made to ``optimizer.lr`` from outside. The closed form of each docstring is
    what the recursion computes, up to rounding.

    A subclass sets its own attributes, then calls ``super().__init__`` and
    implements :meth:`get_lr`; it may implement ``_get_closed_form_lr``, which
    ``step(epoch)`` uses as torch does.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer (``SGD``, ``Adam``, ...); its ``lr`` must be one number.
    last_epoch : int, default -1
        The index of the last step taken: -1 starts the schedule. Another value
        resumes it, and needs the initial learning rate recorded when a first
        schedule was attached to the same optimizer (to hand a run over to a new
        optimizer, use :meth:`state_dict` and :meth:`load_state_dict` instead).

    Attributes
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        The optimizer whose ``lr`` the schedule sets.
    last_epoch : int
        The step counter :math:`t`: 0 after construction, +1 at every :meth:`step`.
    base_lrs : list of float
        :math:`\alpha_0`, the optimizer's initial learning rate, in a list (torch
        has one entry per parameter group; optlib has one group).

    Raises
    ------
    TypeError
        ``optimizer`` is not an optlib optimizer.
    KeyError
        ``last_epoch`` is not -1 and no schedule has recorded the optimizer's
        initial learning rate (torch raises a KeyError too).

    Notes
    -----
    **Differences from torch.**

    * Rounding can leave a recursively computed learning rate a hair below 0
      where its exact value is 0 (torch's ``LinearLR`` with ``end_factor=0``
      ends at about -1e-18 in one configuration out of five). An optlib
      optimizer refuses a negative learning rate, so a value below 0 by less
      than 1e-12 times the current one is written as 0.0.
    * A clearly negative or non-finite learning rate (from a user's
      ``lr_lambda``, say) raises a ``ValueError``; torch sets it silently.
    * Arguments that torch accepts but that make no sense (a negative
      ``gamma``), or that make it divide by zero at some later step
      (``StepLR(opt, step_size=0)``), raise a ``ValueError`` when the schedule
      is built. Each class's **Raises** says which.
    * No warning that ``scheduler.step()`` came before ``optimizer.step()``:
      torch detects it by wrapping the optimizer's ``step`` method, and optlib
      leaves the optimizer alone. Every other warning is torch's:
      ``step(epoch)`` is deprecated (a ``UserWarning``, except for
      :class:`~optlib.schedules.CosineAnnealingWarmRestarts`, whose fractional
      epochs torch supports), and :meth:`get_lr` called outside :meth:`step`
      points to :meth:`get_last_lr`.
    * A call that raises changes nothing: not the optimizer, not the schedule.

    Examples
    --------
    A schedule of one's own: halve the learning rate every ``every`` steps.

    >>> import numpy as np
    >>> from optlib import SGD
    >>> class Halving(LRScheduler):
    ...     def __init__(self, optimizer, every, last_epoch=-1):
    ...         self.every = every
    ...         super().__init__(optimizer, last_epoch)
    ...     def get_lr(self):
    ...         return [self.base_lrs[0] * 0.5 ** (self.last_epoch // self.every)]
    >>> opt = SGD(np.zeros(2), lr=0.8)
    >>> scheduler = Halving(opt, every=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(opt.lr)
    ...     opt.step(np.zeros(2))  # the gradient step uses opt.lr
    ...     scheduler.step()
    >>> lrs, scheduler.get_last_lr(), scheduler.last_epoch
    ([0.8, 0.8, 0.4, 0.4, 0.2], [0.2], 5)
    """

    # Attributes that are not part of the saved state: the optimizer, and flags
    # that are only set while a step runs.
    _not_state: ClassVar[frozenset[str]] = frozenset({"optimizer", "_in_step", "_is_initial"})
    # torch's state dicts hold these two flags (always False between calls): loading
    # a torch state dict ignores them.
    _torch_flags: ClassVar[frozenset[str]] = frozenset(
        {"_is_initial", "_get_lr_called_within_step"}
    )

    _in_step: bool = False
    _is_initial: bool = False

    optimizer: Optimizer
    last_epoch: int
    base_lrs: list[float]
    _last_lr: list[float]
    _step_count: int

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        who = type(self).__name__
        optimizer = _checked_optimizer(who, optimizer)
        last_epoch = _last_epoch(who, last_epoch)
        with _unchanged_on_error(optimizer):
            if last_epoch == -1:
                _record_initial_lr(optimizer, _current_lr(who, optimizer))
            initial_lr = _recorded_initial_lr(optimizer)
            if initial_lr is None:
                raise KeyError(
                    f"{who}: last_epoch={last_epoch} resumes a schedule, which starts from the "
                    "initial lr recorded when a first schedule was attached to this optimizer, "
                    "and none was. Build the schedule with last_epoch=-1; to continue a run, "
                    "load its state with scheduler.load_state_dict(saved)"
                )
            self.optimizer = optimizer
            self.base_lrs = [initial_lr]
            self.last_epoch = last_epoch
            self._initial_step()

    def _initial_step(self) -> None:
        """torch's initial step: ``last_epoch`` goes to 0 (or on by one) and the lr is set."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # -- the learning rate ----------------------------------------------------

    def get_lr(self) -> list[float]:
        r"""The learning rate of step :attr:`last_epoch`, in a list: what a subclass computes.

        Called by :meth:`step` after it has moved :attr:`last_epoch` on; a
        recursive schedule reads the optimizer's current ``lr`` here, and the
        schedules that cycle momentum set it here too. Outside :meth:`step`, the
        value may not be the schedule's (and a ``UserWarning`` says so, as in
        torch): to read the learning rate, use :meth:`get_last_lr`.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import LambdaLR
        >>> scheduler = LambdaLR(SGD(np.zeros(1), lr=1.0), lambda t: 1 / (t + 1))
        >>> scheduler.step()
        >>> scheduler.get_last_lr()  # what step() wrote; get_lr() would compute it again
        [0.5]
        """
        raise NotImplementedError(f"{type(self).__name__} computes no learning rate: add get_lr")

    def _warn_unless_stepping(self) -> None:
        if not self._in_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def get_last_lr(self) -> list[float]:
        """The learning rate the schedule last wrote to the optimizer, in a list of one float.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ExponentialLR
        >>> scheduler = ExponentialLR(SGD(np.zeros(1), lr=1.0), gamma=0.5)
        >>> scheduler.get_last_lr()
        [1.0]
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.5]
        """
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        r"""Move to the next step: :attr:`last_epoch` +1, and ``optimizer.lr`` set for it.

        Call it once per step, after ``optimizer.step(grads)``.

        Parameters
        ----------
        epoch : int, optional
            Deprecated, as in torch (a ``UserWarning``): jump to this step, using
            the schedule's closed form where it has one.

        Raises
        ------
        ValueError
            The schedule computed a learning rate the optimizer refuses
            (negative or not finite); nothing has changed then.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import StepLR
        >>> opt = SGD(np.zeros(1), lr=1.0)
        >>> scheduler = StepLR(opt, step_size=1, gamma=0.1)
        >>> opt.step(np.zeros(1))
        >>> scheduler.step()
        >>> opt.lr
        0.1
        """
        if epoch is not None:
            warnings.warn(_EPOCH_DEPRECATED, UserWarning, stacklevel=2)
            epoch = _count(type(self).__name__, "epoch", epoch, 0)
        with _unchanged_on_error(self.optimizer, [self]):
            self._step_count += 1
            self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next step (or to ``epoch``), then compute its learning rate and write it.

        Without an epoch, the recursive :meth:`get_lr`; with one (``step(epoch)``,
        and :class:`~optlib.schedules.SequentialLR` at a milestone), the closed
        form where the schedule has one, as in torch.
        """
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = epoch
        self._write_lr(closed_form=epoch is not None and hasattr(self, "_get_closed_form_lr"))

    def _write_lr(self, closed_form: bool = False) -> None:
        self._in_step = True
        try:
            values = self._get_closed_form_lr() if closed_form else self.get_lr()  # type: ignore[attr-defined]
        finally:
            self._in_step = False
        self._set_lr(values)

    def _set_lr(self, values: Sequence[Any]) -> None:
        """Write the one learning rate of ``values`` to the optimizer, and remember it."""
        who = type(self).__name__
        if not isinstance(values, list | tuple) or len(values) != 1:
            raise ValueError(
                f"{who}.get_lr() must return a list of one learning rate, got {short_repr(values)}"
            )
        lr = values[0]
        if isinstance(lr, np.ndarray) and lr.ndim == 0:
            lr = lr[()]
        if _is_real(lr) and -_ROUNDING * _current_lr(who, self.optimizer) <= lr < 0:
            # Rounding, not the schedule: torch's recursion can end a hair below 0 where
            # the exact value is 0 (LinearLR with end_factor=0, at step total_iters), and
            # an optlib optimizer refuses a negative lr.
            lr = 0.0
        if not _is_real(lr) or not math.isfinite(lr) or lr < 0:
            raise ValueError(
                f"{who} computed lr={lr!r} for step {self.last_epoch}; a learning rate must "
                "be a finite number >= 0"
            )
        self.optimizer.lr = float(lr)
        self._last_lr = [self.optimizer.lr]

    # -- state ---------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the schedule's state: every attribute but the optimizer.

        The keys are torch's (``last_epoch``, ``base_lrs``, ``_last_lr``,
        ``_step_count`` and the schedule's arguments), so that the numbers can be
        compared with torch's state dict, and a torch state dict of plain numbers
        can be loaded. torch's two flags ``_is_initial`` and
        ``_get_lr_called_within_step``, always False between calls, are left out.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import StepLR
        >>> StepLR(SGD(np.zeros(1), lr=0.1), step_size=10).state_dict()
        {'step_size': 10, 'gamma': 0.1, 'base_lrs': [0.1], 'last_epoch': 0, '_step_count': 1, '_last_lr': [0.1]}
        """  # noqa: E501
        return {
            key: copy.deepcopy(value)
            for key, value in vars(self).items()
            if key not in self._not_state
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by :meth:`state_dict`: the schedule continues from there.

        To hand a run over, build a new optimizer and a new schedule with the
        same arguments (building the schedule sets ``opt.lr``), then load the
        optimizer's state and the schedule's: the run continues exactly as if it
        had never been interrupted. Entries missing from ``state_dict`` keep
        their current values (as in torch); everything is checked before
        anything changes.

        Raises
        ------
        ValueError
            ``state_dict`` is not a dict, has entries this schedule does not keep
            (it comes from another kind of schedule), or a value of another kind
            than the one it replaces (a list of another length, text for a number).

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ExponentialLR
        >>> opt = SGD(np.zeros(1), lr=1.0)
        >>> scheduler = ExponentialLR(opt, gamma=0.5)
        >>> scheduler.step()
        >>> saved_opt, saved = opt.state_dict(), scheduler.state_dict()
        >>> new_opt = SGD(np.zeros(1), lr=1.0)
        >>> resumed = ExponentialLR(new_opt, gamma=0.5)
        >>> new_opt.load_state_dict(saved_opt)
        >>> resumed.load_state_dict(saved)
        >>> resumed.step()
        >>> resumed.last_epoch, new_opt.lr
        (2, 0.25)
        """
        self._apply_state(self._checked_state(state_dict))

    def _checked_state(self, state_dict: Any) -> dict[str, Any]:
        """What loading ``state_dict`` sets, checked and copied; nothing is set yet."""
        who = type(self).__name__
        if not isinstance(state_dict, dict):
            raise ValueError(
                f"{who}.load_state_dict expects the dict that state_dict() returns, "
                f"got {type(state_dict).__name__}"
            )
        current = self.state_dict()
        unknown = sorted(
            (key for key in state_dict if key not in current and key not in self._torch_flags),
            key=str,
        )
        if unknown:
            raise ValueError(
                f"state_dict has entries that {who} does not keep: {unknown} "
                f"(its entries are {', '.join(current)}); is it another schedule's?"
            )
        loaded = {}
        for key, value in state_dict.items():
            if key in self._torch_flags:
                continue
            if not (key == "default_min_lr" and value is None):
                _same_kind(repr(key), value, current[key])
            loaded[key] = copy.deepcopy(value)
        self._check_loaded({**current, **loaded})
        return loaded

    def _check_loaded(self, state: dict[str, Any]) -> None:
        """A subclass's checks of a state about to be loaded (the whole of it)."""

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        """Set what :meth:`_checked_state` returned."""
        vars(self).update(loaded)

    def _snapshot(self) -> Any:
        return dict(vars(self))  # values are replaced, never changed in place

    def _restore(self, snapshot: Any) -> None:
        vars(self).clear()
        vars(self).update(snapshot)


def _saved_callable(function: Callable[..., Any]) -> dict[str, Any] | None:
    """What torch saves of a user's function: nothing of a function or lambda (code is
    not state), a copy of the attributes of a callable object."""
    if isinstance(function, types.FunctionType) or not hasattr(function, "__dict__"):
        return None
    return copy.deepcopy(dict(vars(function)))


def _load_callable(function: Callable[..., Any], saved: dict[str, Any] | None) -> None:
    if saved is not None:
        vars(function).update(copy.deepcopy(saved))
