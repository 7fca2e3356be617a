r"""Cosine annealing: once, or with warm restarts.

Both follow SGDR (Loshchilov and Hutter, 2017): the learning rate falls from
:math:`\alpha_0` to :math:`\eta_{\min}` along half a cosine.
"""

from __future__ import annotations

import math
import numbers

from optlib.optimizers import Optimizer

from .base import (
    LRScheduler,
    _count,
    _current_lr,
    _is_real,
    _real,
    _strict_int,
    _unchanged_on_error,
)

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


def _eta_min(who: str, eta_min: float) -> float:
    if not _is_real(eta_min):  # torch's condition for CosineAnnealingWarmRestarts
        raise ValueError(
            f"{who}: eta_min must be a number (the lowest learning rate), got {eta_min!r} "
            f"of type {type(eta_min).__name__}"
        )
    return _real(who, "eta_min", eta_min, 0.0)


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate along a cosine, as torch's ``CosineAnnealingLR``.

    .. math::
       \alpha_t = \eta_{\min} + \tfrac12(\alpha_0 - \eta_{\min})
                  \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    Like torch, ``step()`` computes it recursively (which is what lets it be
    chained with other schedules):

    .. math::
       \alpha_t = \eta_{\min} + (\alpha_{t-1} - \eta_{\min})
                  \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t - 1) / T_{\max})},

    except where the denominator is 0 (:math:`t - 1 = T_{\max}, 3T_{\max}, \ldots`),
    where

    .. math::
       \alpha_t = \alpha_{t-1} + \tfrac12(\alpha_0 - \eta_{\min})(1 - \cos(\pi / T_{\max})).

    Past :math:`T_{\max}` the rate rises again: the cosine goes on, without a restart.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    T_max : int
        :math:`T_{\max} \ge 1`, the steps from :math:`\alpha_0` down to :math:`\eta_{\min}`.
    eta_min : float, default 0.0
        :math:`\eta_{\min} \ge 0`, the lowest learning rate.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Raises
    ------
    ValueError
        ``T_max`` is not an integer >= 1 (torch raises ZeroDivisionError at the
        first step for 0), or ``eta_min`` is negative.

    Notes
    -----
    The recursion and the closed form differ by rounding, which the recursion
    accumulates: over 3000 steps with :math:`T_{\max} = 10`, by up to 1e-12
    relative (measured). optlib follows torch's recursion, not the closed form.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import CosineAnnealingLR
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for _ in range(6):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.146447]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_max: int,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_max = _count("CosineAnnealingLR", "T_max", T_max, 1)
        self.eta_min = _eta_min("CosineAnnealingLR", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The recursive step of the docstring's formula, in a list.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CosineAnnealingLR
        >>> scheduler = CosineAnnealingLR(SGD(np.zeros(1), lr=1.0), T_max=2)
        >>> scheduler.step()
        >>> [round(lr, 12) for lr in scheduler.get_last_lr()]
        [0.5]
        """
        self._warn_unless_stepping()
        lr = _current_lr("CosineAnnealingLR", self.optimizer)
        t, period, eta_min, base_lr = self.last_epoch, self.T_max, self.eta_min, self.base_lrs[0]
        if self._is_initial:
            return [lr]
        if self._step_count == 1 and t > 0:
            # torch's branch for a schedule resumed with last_epoch > 0: the closed form.
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / period)) / 2]
        if (t - 1 - period) % (2 * period) == 0:
            # At the bottom of the cosine the recursion would divide by 0: add the rise instead.
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / period)) / 2]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (self.base_lrs[0] - self.eta_min) * cosine / 2]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR), as torch's ``CosineAnnealingWarmRestarts``.

    .. math::
       \alpha_t = \eta_{\min} + \tfrac12(\alpha_0 - \eta_{\min})
                  \left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right)

    where :math:`T_{\mathrm{cur}}` counts the steps since the last restart and
    :math:`T_i` is the length of the current period: :math:`T_0`, then
    :math:`T_0 T_{\mathrm{mult}}`, :math:`T_0 T_{\mathrm{mult}}^2`, ... At a
    restart the rate jumps back to :math:`\alpha_0`. This schedule is computed
    from :math:`\alpha_0` (not recursively), as in torch.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer.
    T_0 : int
        :math:`T_0 \ge 1`, the length of the first period in steps.
    T_mult : int, default 1
        :math:`T_{\mathrm{mult}} \ge 1`, the factor by which each period is longer
        than the one before.
    eta_min : float, default 0.0
        :math:`\eta_{\min} \ge 0`, the lowest learning rate.
    last_epoch : int, default -1
        -1 starts the schedule (see :class:`LRScheduler`).

    Attributes
    ----------
    T_cur : int or float
        :math:`T_{\mathrm{cur}}`, steps since the last restart (a float after
        ``step(epoch)`` with a fractional epoch).
    T_i : int
        :math:`T_i`, the length of the current period.

    Raises
    ------
    ValueError
        ``T_0`` or ``T_mult`` is not an integer >= 1, or ``eta_min`` is not a
        number (torch's conditions), or ``eta_min`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import CosineAnnealingWarmRestarts
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> lrs = []
    >>> for _ in range(8):
    ...     lrs.append(round(opt.lr, 6))
    ...     opt.step(np.zeros(2))
    ...     scheduler.step()
    >>> lrs  # periods of 2, then 4 steps
    [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0, 0.96194]
    """

    T_cur: float
    T_i: int

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        who = "CosineAnnealingWarmRestarts"
        self.T_0 = _strict_int(who, "T_0", T_0, 1, "a positive integer")
        self.T_i = self.T_0
        self.T_mult = _strict_int(who, "T_mult", T_mult, 1, "an integer >= 1")
        self.eta_min = _eta_min(who, eta_min)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The docstring's formula at :math:`T_{\mathrm{cur}}`, in a list.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CosineAnnealingWarmRestarts
        >>> scheduler = CosineAnnealingWarmRestarts(SGD(np.zeros(1), lr=1.0), T_0=2)
        >>> scheduler.step()
        >>> [round(lr, 12) for lr in scheduler.get_last_lr()]
        [0.5]
        """
        self._warn_unless_stepping()
        cosine = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (self.base_lrs[0] - self.eta_min) * cosine / 2]

    def step(self, epoch: float | None = None) -> None:
        r"""Move to the next step, or to ``epoch``, which may be fractional.

        Unlike the other schedules, an epoch is not deprecated here (torch does
        not warn either): ``scheduler.step(epoch + i / batches_per_epoch)`` after
        batch ``i`` anneals within the epoch. Calls with and without an epoch
        may be mixed: a call without one continues from the last.

        Parameters
        ----------
        epoch : float, optional
            The (possibly fractional) epoch >= 0 to move to.

        Raises
        ------
        ValueError
            ``epoch`` is negative (as torch) or not a number.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import CosineAnnealingWarmRestarts
        >>> scheduler = CosineAnnealingWarmRestarts(SGD(np.zeros(1), lr=1.0), T_0=4)
        >>> scheduler.step(2.0)
        >>> [round(lr, 12) for lr in scheduler.get_last_lr()]
        [0.5]
        >>> scheduler.step(5.0)  # one step into the second period of 4
        >>> scheduler.T_cur, round(scheduler.get_last_lr()[0], 6)
        (1.0, 0.853553)
        """
        who = "CosineAnnealingWarmRestarts"
        if epoch is not None:
            if not _is_real(epoch) or not math.isfinite(epoch):
                raise ValueError(f"{who}: epoch must be a number >= 0, got {epoch!r}")
            if epoch < 0:
                raise ValueError(
                    f"{who}: epoch must be >= 0 (Expected non-negative epoch), got {epoch}"
                )
        _current_lr(who, self.optimizer)
        with _unchanged_on_error(self.optimizer, [self]):
            if epoch is None and self.last_epoch < 0:
                epoch = 0
            if epoch is None:
                epoch = self.last_epoch + 1
                self.T_cur = self.T_cur + 1
                if self.T_cur >= self.T_i:
                    self.T_cur = self.T_cur % self.T_i
                    self.T_i = self.T_i * self.T_mult
            elif epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    # n whole periods (T_0 (T_mult^n - 1) / (T_mult - 1) steps) lie before epoch.
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
            self.last_epoch = math.floor(epoch)
            self._write_lr()

    def _check_loaded(self, state: dict) -> None:
        for name in ("T_0", "T_i", "T_mult"):
            if not isinstance(state[name], numbers.Integral) or state[name] < 1:
                raise ValueError(
                    f"state_dict[{name!r}] must be an integer >= 1, got {state[name]!r}"
                )
