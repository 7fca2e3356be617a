r"""A schedule's learning rates as an array: :func:`rate_curve`, for plots and comparisons.

A schedule acts on an optimizer, one ``scheduler.step()`` at a time. To draw
it, or to compare two, one wants the whole sequence
:math:`\alpha_0, \alpha_1, \ldots, \alpha_{N-1}` at once: :func:`rate_curve`
runs the training loop's order of calls on a throwaway optimizer and records
the rate each step uses.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optlib.optimizers import SGD

__all__ = ["rate_curve"]


def rate_curve(
    make_scheduler: Callable[[Any], Any],
    steps: int,
    lr: float = 1.0,
    *,
    metrics: Sequence[float] | None = None,
) -> np.ndarray:
    r"""The learning rate :math:`\alpha_t` of each of ``steps`` optimizer steps under a schedule.

    Builds ``scheduler = make_scheduler(opt)`` on a throwaway
    ``optlib.SGD(np.zeros(1), lr=lr)`` and runs the loop of PyTorch's
    training scripts ``steps`` times,

    .. code-block:: python

        rates[t] = opt.lr            # the rate step t uses
        opt.step(np.zeros(1))        # the optimizer's step first,
        scheduler.step()             # then the schedule's

    so ``rates[0]`` is the rate of the first step (what building the
    schedule set), and ``rates[t]`` is the rate after ``t`` calls of
    ``scheduler.step()``. Whether a step is a batch or an epoch is up to the
    caller: the curve counts calls.

    Parameters
    ----------
    make_scheduler : callable
        ``make_scheduler(opt)`` returns a schedule built on ``opt``, e.g.
        ``lambda opt: StepLR(opt, step_size=10, gamma=0.5)`` or
        ``functools.partial(CosineAnnealingLR, T_max=100)``, as for
        :func:`optlib.fit`'s ``scheduler=``.
    steps : int
        :math:`N \ge 1`, the number of steps recorded.
    lr : float, default 1.0
        The optimizer's learning rate before the schedule acts: the base rate
        :math:`\alpha_0` of most schedules. With the default 1.0 the curve is
        the schedule's factor :math:`\alpha_t / \alpha_0`.
    metrics : sequence of float, optional
        For :class:`~optlib.schedules.ReduceLROnPlateau`, whose ``step`` takes
        the watched value: ``metrics[t]`` is given after step ``t``. At least
        ``steps`` values.

    Returns
    -------
    ndarray of float64, shape (steps,)
        ``rates[t]``, the rate of step ``t``.

    Raises
    ------
    ValueError
        ``make_scheduler`` is not a function of the optimizer (a schedule
        built already, say), or returns something that is not a schedule of
        that optimizer; ``steps`` is not an integer >= 1; ``lr`` is not a
        finite number >= 0; ``metrics`` is missing for a schedule that needs
        it, or too short. A schedule's own errors (``OneCycleLR`` stepped
        past ``total_steps``) are raised as they are.

    Examples
    --------
    >>> from optlib.schedules import LinearLR, SequentialLR, StepLR, CosineAnnealingLR
    >>> rate_curve(lambda opt: StepLR(opt, step_size=2, gamma=0.5), 6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    >>> warm_then_cosine = lambda opt: SequentialLR(
    ...     opt,
    ...     [LinearLR(opt, start_factor=0.25, total_iters=3), CosineAnnealingLR(opt, T_max=4)],
    ...     milestones=[3],
    ... )
    >>> rate_curve(warm_then_cosine, 8, lr=0.1).round(4).tolist()
    [0.025, 0.05, 0.075, 0.1, 0.0854, 0.05, 0.0146, 0.0]
    """
    if not callable(make_scheduler) or hasattr(make_scheduler, "get_last_lr"):
        built = hasattr(make_scheduler, "get_last_lr")
        raise ValueError(
            "make_scheduler must be a function of the optimizer, such as "
            "lambda opt: StepLR(opt, step_size=10); got "
            + (
                "a schedule built already (on another optimizer)"
                if built
                else repr(make_scheduler)
            )
        )
    if isinstance(steps, bool | np.bool_) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if (
        isinstance(lr, bool | np.bool_)
        or not isinstance(lr, numbers.Real)
        or not math.isfinite(lr)
        or lr < 0
    ):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    opt = SGD(np.zeros(1), lr=float(lr))
    scheduler = make_scheduler(opt)
    step = getattr(scheduler, "step", None)
    if not callable(step) or not hasattr(scheduler, "optimizer"):
        raise ValueError(
            f"make_scheduler(opt) must return a schedule built on opt, got {scheduler!r}"
        )
    if scheduler.optimizer is not opt:
        raise ValueError(
            "make_scheduler(opt) returned a schedule of another optimizer; build it on the "
            "optimizer it is given: lambda opt: StepLR(opt, ...)"
        )
    needs_metric = _needs_a_value(step)
    values: list[float] = []
    if needs_metric:
        if metrics is None:
            raise ValueError(
                f"{type(scheduler).__name__}.step takes the watched value: pass metrics=, "
                f"one value per step (at least {steps})"
            )
        values = [float(v) for v in metrics]
        if len(values) < steps:
            raise ValueError(f"metrics has {len(values)} values, fewer than steps={steps}")
    zero = np.zeros(1)
    rates = np.empty(int(steps))
    for t in range(int(steps)):
        rates[t] = opt.lr
        opt.step(zero)
        if needs_metric:
            step(values[t])
        else:
            step()
    return rates


def _needs_a_value(step: Callable[..., Any]) -> bool:
    """Whether ``step`` has a required argument (the metric of ``ReduceLROnPlateau``)."""
    try:
        parameters = inspect.signature(step).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        parameter.default is inspect.Parameter.empty
        and parameter.kind
        in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for parameter in parameters
    )
