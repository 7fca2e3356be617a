r"""Smith's learning-rate range test on a copy of a model."""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.optimizers import SGD

__all__ = ["RangeTest", "lr_range_test"]


@dataclass(frozen=True, eq=False)
class RangeTest:
    r"""The record of one learning-rate range test (:func:`lr_range_test`); read-only arrays.

    Attributes
    ----------
    lrs : ndarray, shape (steps,)
        The rate of each step taken, :math:`\alpha_t = \alpha_{\text{start}}
        (\alpha_{\text{end}} / \alpha_{\text{start}})^{t / (N - 1)}`.
    losses : ndarray, shape (steps,)
        The mini-batch loss of each step, computed at the start of step
        :math:`t`, just before the update at rate ``lrs[t]`` (as
        :attr:`optlib.History.losses`).
    smoothed : ndarray, shape (steps,)
        The exponentially smoothed, bias-corrected losses,
        :math:`\bar L_t = a_t / (1 - (1 - s)^{t+1})` with
        :math:`a_t = (1 - s)\,a_{t-1} + s L_t`, :math:`a_{-1} = 0`.
    steps : int
        Steps taken, ``len(lrs)``: fewer than asked when the test stopped early.
    diverged : bool
        True when the test stopped early: the smoothed loss exceeded
        ``stop_factor`` times its minimum, or a loss or gradient stopped being
        finite (that step is not recorded).
    stop_reason : str
        Why the test ended, in words.
    suggested_lr : float
        The rate at the steepest descent of the smoothed loss (see
        :func:`lr_range_test` for the rule and its weakness); ``nan`` when the
        smoothed loss never falls.
    min_loss_lr : float
        The rate at the minimum of the smoothed loss.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import LinearRegression, mse
    >>> X = np.linspace(-1, 1, 64)[:, None]; y = 3 * X[:, 0]
    >>> result = lr_range_test(LinearRegression(1), mse, X, y, steps=60)
    >>> result.steps < 60, result.diverged, float(result.lrs[0])
    (True, True, 1e-05)
    >>> bool(result.suggested_lr < result.min_loss_lr)
    True
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steps: int
    diverged: bool
    stop_reason: str
    suggested_lr: float
    min_loss_lr: float


# The arguments of lr_range_test itself (the others go to the optimizer).
_RANGE_TEST_ARGUMENTS = (
    "model", "loss", "X", "y", "optimizer", "start_lr", "end_lr", "steps", "batch_size",
    "seed", "smoothing", "stop_factor",
)  # fmt: skip


def lr_range_test(
    model: Any,
    loss: Any,
    X: Any,
    y: Any,
    *,
    optimizer: Callable[..., Any] = SGD,
    start_lr: float = 1e-5,
    end_lr: float = 10.0,
    steps: int = 100,
    batch_size: int | None = 32,
    seed: int | np.random.Generator = 0,
    smoothing: float = 0.05,
    stop_factor: float = 4.0,
    **hyperparams: Any,
) -> RangeTest:
    r"""Smith's learning-rate range test: raise the rate at every mini-batch, watch the loss.

    The test of Smith (2017, section 3.3), as fastai's ``lr_find`` runs it:
    train a copy of ``model`` for at most :math:`N` = ``steps`` mini-batch
    steps, step :math:`t = 0, \ldots, N - 1` at the rate

    .. math::
       \alpha_t = \alpha_{\text{start}}
                  \left(\frac{\alpha_{\text{end}}}{\alpha_{\text{start}}}\right)^{t/(N-1)},

    which grows geometrically from ``start_lr`` to ``end_lr``, and record
    each step's mini-batch loss :math:`L_t`. The losses are smoothed by an
    exponential moving average with weight :math:`s` = ``smoothing`` on the
    newest loss, corrected for its start at 0 as Adam's moments are:

    .. math::
       a_t = (1 - s)\,a_{t-1} + s L_t,\quad a_{-1} = 0, \qquad
       \bar L_t = \frac{a_t}{1 - (1 - s)^{t+1}}.

    The test stops early, as diverged, after the first step where
    :math:`\bar L_t > c \min_{k \le t} \bar L_k` (:math:`c` = ``stop_factor``),
    or when a loss or a gradient is not finite.

    Two rates are read off the curve:

    ``min_loss_lr``
        :math:`\alpha_{t^*}` with :math:`t^* = \arg\min_t \bar L_t`: too large
        a rate to train with (the loss is about to turn up there); fastai's
        rule of thumb is a tenth of it.
    ``suggested_lr``
        The rate of the steepest descent of the smoothed loss against
        :math:`\log\alpha`: :math:`\alpha_{t'}` with
        :math:`t' = \arg\min_{t \le t^*} \frac{d\bar L}{d\log\alpha}(t)`, the
        derivative taken by central differences (one-sided at the ends) over
        the steps up to :math:`t^*` (``nan`` if :math:`t^* = 0`, a loss that
        never falls).

    Notes
    -----
    The steepest-descent rule is a heuristic with a known weakness: the
    derivative of a noisy curve is noisier still, so the steepest point moves
    with the seed, the batch size, ``smoothing`` and the range of rates, and
    can land early, where the loss barely moves and noise dominates, or just
    before the blow-up. The moving average also lags: :math:`\bar L_t` trails
    the raw loss by about :math:`1/s` steps, which shifts both rates to the
    right (larger). And the test measures the first steps of training from
    the model's initial parameters: the rate it suggests is for the start of
    training (a peak for a warm-up or a one-cycle schedule, say), not the best
    constant rate for a whole run. Look at the plot
    (:func:`optlib.plotting.range_test_plot`), not just at the number.

    Parameters
    ----------
    model : Model
        An optlib model; it is copied, and the copy trained: ``model`` is left
        as it was.
    loss : loss object
        From :mod:`optlib.losses`; non-negative, as every loss there is (the
        stopping rule compares it with a multiple of its minimum).
    X : array_like, shape (n, n_features)
    y : array_like, first axis of length n
        As for :func:`optlib.fit`.
    optimizer : optimizer class, default SGD
        Built as ``optimizer(params, lr=start_lr, **hyperparams)``; its ``lr``
        is set before every step.
    start_lr, end_lr : float
        :math:`0 < \alpha_{\text{start}} < \alpha_{\text{end}}`, finite.
    steps : int
        :math:`N \ge 2`, the number of steps if the test does not stop early.
    batch_size : int or None
        Examples per step, in ``[1, n]``; the examples are reshuffled at the
        start of every pass over the data, and the last batch of a pass may be
        smaller (as in :func:`optlib.fit`). ``None`` uses all of them, in
        order, at every step.
    seed : int or numpy.random.Generator
        Seeds the shuffling (a Generator passed is advanced).
    smoothing : float
        :math:`s \in (0, 1]`, the weight of the newest loss in the moving
        average (1: no smoothing). fastai's ``beta=0.98`` is ``smoothing=0.02``.
    stop_factor : float
        :math:`c > 1`; ``math.inf`` never stops early on the loss.
    **hyperparams
        Passed to the optimizer (``momentum=0.9``, ``betas=...``), except
        ``lr``, which the test sets.

    Returns
    -------
    RangeTest

    Raises
    ------
    TypeError
        For something that is not a model, a loss or an optimizer class.
    ValueError
        For bad data, ``lr`` among the hyper-parameters, and ``start_lr``,
        ``end_lr``, ``steps``, ``batch_size``, ``seed``, ``smoothing`` or
        ``stop_factor`` out of their ranges (each named).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import MLP, SGD, SparseCategoricalCrossEntropy
    >>> from optlib.datasets import load_digits
    >>> digits = load_digits()
    >>> X, y = digits.pixels / 16, digits.labels
    >>> model = MLP([64, 32, 10], activation="relu", seed=0)
    >>> result = lr_range_test(model, SparseCategoricalCrossEntropy(from_logits=True), X, y,
    ...                        optimizer=SGD, momentum=0.9, start_lr=1e-4, end_lr=100.0)
    >>> result.stop_reason  # doctest: +ELLIPSIS
    'stopped after ... steps: the smoothed loss ... exceeded 4 × its minimum ...'
    >>> bool(1e-3 < result.suggested_lr < result.min_loss_lr < 10.0)
    True
    """
    from optlib.training.arguments import (
        build_optimizer,
        check_optimizer,
        check_own_names,
        check_seed,
        count,
        readonly,
    )
    from optlib.training.fitting import _check_model

    _check_model(model)
    check_optimizer(optimizer, "lr_range_test(model, loss, X, y, optimizer={})")
    if "lr" in hyperparams:
        raise ValueError(
            "lr is set by the range test at every step: give start_lr= and end_lr= instead"
        )
    start_lr = _positive_finite("start_lr", start_lr)
    end_lr = _positive_finite("end_lr", end_lr)
    if not end_lr > start_lr:
        raise ValueError(
            f"end_lr must be larger than start_lr={start_lr!r}, got end_lr={end_lr!r}"
        )
    if isinstance(steps, bool | np.bool_) or not isinstance(steps, numbers.Integral) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    steps = int(steps)
    if (
        isinstance(smoothing, bool | np.bool_)
        or not isinstance(smoothing, numbers.Real)
        or not 0 < smoothing <= 1
    ):
        raise ValueError(f"smoothing must be a number in (0, 1], got {smoothing!r}")
    if (
        isinstance(stop_factor, bool | np.bool_)
        or not isinstance(stop_factor, numbers.Real)
        or math.isnan(stop_factor)
        or not stop_factor > 1
    ):
        raise ValueError(
            f"stop_factor must be a number > 1 (math.inf never stops), got {stop_factor!r}"
        )
    check_seed(seed)
    check_own_names("lr_range_test", _RANGE_TEST_ARGUMENTS, optimizer, hyperparams)
    work = copy.deepcopy(model)
    X, y = work._checked(X, y, loss)
    n = X.shape[0]
    if batch_size is not None:
        if (
            isinstance(batch_size, bool | np.bool_)
            or not isinstance(batch_size, numbers.Integral)
            or not 1 <= batch_size <= n
        ):
            raise ValueError(
                f"batch_size must be an integer in [1, n={n}] or None (all examples), "
                f"got {batch_size!r}"
            )
        batch_size = int(batch_size)
    opt = build_optimizer("lr_range_test", optimizer, work.params, {**hyperparams, "lr": start_lr})
    rng = np.random.default_rng(seed)
    schedule = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
    schedule[-1] = end_lr  # exactly, whatever the rounding of the power
    s, c = float(smoothing), float(stop_factor)

    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, best = 0.0, math.inf
    order: np.ndarray | None = None
    position = n
    reason = None
    for t in range(steps):
        if batch_size is None:
            batch: Any = slice(None)
        else:
            if position >= n:
                order, position = rng.permutation(n), 0
            assert order is not None
            batch = order[position : position + batch_size]
            position += batch_size
        rate = float(schedule[t])
        with np.errstate(all="ignore"):
            value, grads = work._value_and_grads(X[batch], y[batch], loss)
            finite = (
                grads is not None
                and math.isfinite(value)
                and all(np.isfinite(g).all() for g in grads)
            )
            if finite:
                opt.lr = rate
                opt.step(grads)
        if not finite:
            reason = (
                f"stopped after {count(t)}: the loss or a gradient became non-finite at step "
                f"{t + 1} (lr {rate:.3g})"
            )
            break
        average = (1 - s) * average + s * value
        level = average / (1 - (1 - s) ** (t + 1))
        lrs.append(rate)
        losses.append(float(value))
        smoothed.append(level)
        best = min(best, level)
        if level > c * best:
            reason = (
                f"stopped after {count(t + 1)}: the smoothed loss {level:.3g} exceeded "
                f"{c:g} × its minimum {best:.3g} at lr {rate:.3g}"
            )
            break
    diverged = reason is not None
    if reason is None:
        reason = f"completed {count(steps)} from lr {start_lr:.3g} to {end_lr:.3g}"
    lr_array, smooth_array = np.array(lrs), np.array(smoothed)
    suggested, at_minimum = _read_off(lr_array, smooth_array)
    return RangeTest(
        lrs=readonly(lr_array),
        losses=readonly(np.array(losses)),
        smoothed=readonly(smooth_array),
        steps=len(lrs),
        diverged=diverged,
        stop_reason=reason,
        suggested_lr=suggested,
        min_loss_lr=at_minimum,
    )


def _positive_finite(name: str, value: Any) -> float:
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not value > 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _read_off(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """(suggested_lr, min_loss_lr): the steepest descent up to the minimum, and the minimum."""
    if not len(lrs):
        return math.nan, math.nan
    lowest = int(np.argmin(smoothed))
    if lowest == 0:
        return math.nan, float(lrs[0])
    slope = np.gradient(smoothed[: lowest + 1], np.log(lrs[: lowest + 1]))
    return float(lrs[int(np.argmin(slope))]), float(lrs[lowest])
