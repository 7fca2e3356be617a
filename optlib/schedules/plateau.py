r"""Lower the learning rate when a watched quantity stops improving."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from optlib._validation import short_repr
from optlib.optimizers import Optimizer

from .base import (
    _EPOCH_DEPRECATED,
    LRScheduler,
    _checked_optimizer,
    _choice,
    _count,
    _current_lr,
    _is_real,
    _one_per_group,
    _real,
    _unchanged_on_error,
)

__all__ = ["ReduceLROnPlateau"]


def _metric(metrics: Any) -> float:
    """The one number ``step`` is fed (a float, a NumPy scalar, a 0-d array or tensor)."""
    if not isinstance(metrics, str | bytes | bool | np.bool_):
        try:
            value = np.asarray(metrics)
        except Exception:  # objects NumPy cannot read, such as a tensor that requires grad
            value = None
        if value is not None and value.ndim == 0 and value.dtype.kind in "fiu":
            return float(value)
    raise ValueError(
        "ReduceLROnPlateau.step: metrics must be one number, such as the epoch's validation "
        f"loss, got {short_repr(metrics)}"
    )


class ReduceLROnPlateau(LRScheduler):
    r"""Lower the learning rate when a metric stops improving, as torch's ``ReduceLROnPlateau``.

    Feed it a metric once per epoch, ``scheduler.step(val_loss)``. A value is an
    *improvement* when it beats the best so far by more than the threshold:

    .. math::
       \text{min, rel: } m < m^\ast (1 - \delta) \qquad
       \text{min, abs: } m < m^\ast - \delta \qquad
       \text{max, rel: } m > m^\ast (1 + \delta) \qquad
       \text{max, abs: } m > m^\ast + \delta

    After more than ``patience`` calls in a row without one, the rate is reduced,

    .. math::
       \alpha \leftarrow \max(f\alpha,\ \alpha_{\min})
       \quad \text{if the change exceeds } \varepsilon,

    and the next ``cooldown`` calls count no bad epochs.

    Parameters
    ----------
    optimizer : ~optlib.optimizers.Optimizer
        An optlib optimizer; the schedule starts from its ``lr`` and does not
        change it when built.
    mode : {"min", "max"}, default "min"
        Whether the metric should go down (a loss) or up (an accuracy).
    factor : float, default 0.1
        :math:`f \in [0, 1)`, the factor of each reduction.
    patience : int, default 10
        The number of calls without improvement tolerated; the next one reduces.
    threshold : float, default 1e-4
        :math:`\delta \ge 0`, how much better a value must be to count.
    threshold_mode : {"rel", "abs"}, default "rel"
        Whether :math:`\delta` is relative to the best value or absolute.
    cooldown : int, default 0
        The number of calls after a reduction during which bad epochs are not counted.
    min_lr : float, default 0
        :math:`\alpha_{\min} \ge 0`, the floor of the learning rate (or a list of one).
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`: a reduction smaller than this is skipped.

    Attributes
    ----------
    best : float
        :math:`m^\ast`, the best value so far (``inf`` or ``-inf`` before the first).
    num_bad_epochs : int
        Calls in a row without improvement.
    cooldown_counter : int
        Calls left in the cooldown.
    last_epoch : int
        The number of calls to :meth:`step` (0 when built).

    Raises
    ------
    ValueError
        As torch: ``factor`` >= 1, an unknown ``mode`` or ``threshold_mode``, a
        ``min_lr`` list of another length than one. Also a negative ``factor``,
        ``threshold``, ``min_lr`` or ``eps``, and ``patience`` or ``cooldown``
        that are not integers >= 0.
    TypeError
        ``optimizer`` is not an optlib optimizer.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> from optlib.schedules import ReduceLROnPlateau
    >>> opt = SGD(np.zeros(2), lr=1.0)
    >>> scheduler = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> lrs = []
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0]:
    ...     scheduler.step(val_loss)  # once per epoch, after validation
    ...     lrs.append(opt.lr)
    >>> lrs  # the second epoch in a row without improvement halves the rate
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        who = "ReduceLROnPlateau"
        # torch checks factor first (ValueError), then the optimizer (TypeError).
        self.factor = _real(who, "factor", factor, 0.0, 1.0, high_open=True)
        self.optimizer = _checked_optimizer(who, optimizer)
        if isinstance(min_lr, list | tuple):
            self.default_min_lr = None
            self.min_lrs = [_real(who, "min_lr", _one_per_group(who, "min_lr", min_lr), 0.0)]
        else:
            self.default_min_lr = _real(who, "min_lr", min_lr, 0.0)
            self.min_lrs = [self.default_min_lr]
        self.patience = _count(who, "patience", patience, 0)
        self.cooldown = _count(who, "cooldown", cooldown, 0)
        self.eps = _real(who, "eps", eps, 0.0)
        self.last_epoch = 0
        self._last_lr = [_current_lr(who, optimizer)]
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        who = "ReduceLROnPlateau"
        mode = _choice(who, "mode", mode, ("min", "max"))
        threshold_mode = _choice(who, "threshold_mode", threshold_mode, ("rel", "abs"))
        # The worst value for the mode: the first metric always improves on it.
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = _real(who, "threshold", threshold, 0.0)
        self.threshold_mode = threshold_mode

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether a reduction was made less than ``cooldown`` calls ago.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ReduceLROnPlateau
        >>> scheduler = ReduceLROnPlateau(SGD(np.zeros(1), lr=1.0), patience=0, cooldown=2)
        >>> scheduler.step(1.0)
        >>> scheduler.step(2.0)  # worse: reduced, and a cooldown of 2 calls begins
        >>> scheduler.in_cooldown, scheduler.get_last_lr()
        (True, [0.1])
        """
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: float, epoch: int | None = None) -> None:  # type: ignore[override]
        r"""Take in this epoch's metric, and lower the learning rate after a plateau.

        Parameters
        ----------
        metrics : float
            One number: the quantity watched, such as the validation loss (a
            float, a NumPy scalar or a 0-d array). A NaN never counts as an
            improvement, as in torch.
        epoch : int, optional
            Deprecated, as in torch (a ``UserWarning``): the epoch number to record.

        Raises
        ------
        ValueError
            ``metrics`` is not one number.

        Examples
        --------
        >>> import numpy as np
        >>> from optlib import SGD
        >>> from optlib.schedules import ReduceLROnPlateau
        >>> scheduler = ReduceLROnPlateau(SGD(np.zeros(1), lr=1.0), mode="max", patience=0)
        >>> scheduler.step(0.8)  # an accuracy
        >>> scheduler.step(0.7)
        >>> scheduler.get_last_lr(), scheduler.best
        ([0.1], 0.8)
        """
        current = _metric(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_DEPRECATED, UserWarning, stacklevel=2)
            epoch = _count("ReduceLROnPlateau", "epoch", epoch, 0)
        _current_lr("ReduceLROnPlateau", self.optimizer)
        with _unchanged_on_error(self.optimizer, [self]):
            self.last_epoch = epoch
            if self._is_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
            else:
                self.num_bad_epochs += 1

            if self.in_cooldown:
                self.cooldown_counter -= 1
                self.num_bad_epochs = 0  # bad epochs in the cooldown do not count

            if self.num_bad_epochs > self.patience:
                self._reduce_lr()
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0
            self._last_lr = [self.optimizer.lr]

    def _reduce_lr(self) -> None:
        old_lr = float(self.optimizer.lr)
        new_lr = max(old_lr * self.factor, self.min_lrs[0])
        if old_lr - new_lr > self.eps:
            self.optimizer.lr = new_lr

    def _check_loaded(self, state: dict[str, Any]) -> None:
        who = "ReduceLROnPlateau"
        _choice(who, "state_dict['mode']", state["mode"], ("min", "max"))
        _choice(who, "state_dict['threshold_mode']", state["threshold_mode"], ("rel", "abs"))
        for name in ("num_bad_epochs", "cooldown_counter", "patience", "cooldown"):
            _count(who, f"state_dict[{name!r}]", state[name], 0)
        if not _is_real(state["best"]) or math.isnan(state["best"]):
            raise ValueError(f"state_dict['best'] must be a number, got {state['best']!r}")

    def _apply_state(self, loaded: dict[str, Any]) -> None:
        super()._apply_state(loaded)
        # As torch: mode_worse follows the loaded mode.
        self.mode_worse = math.inf if self.mode == "min" else -math.inf
