"""A learning-rate scheduler inside the training loops: how ``fit`` and ``minimize`` call it.

A loop builds its own optimizer, so it takes the scheduler as a function of
that optimizer, ``scheduler=lambda opt: StepLR(opt, step_size=10)`` (or
``functools.partial(StepLR, step_size=10)``), builds it once, and calls its
``step`` where PyTorch's training loops do: after the optimizer's step. A
scheduler whose ``step`` needs a value (``ReduceLROnPlateau.step(metrics)``)
is given the loss.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["INTERVALS", "build_scheduler"]

#: When ``fit`` steps the scheduler: after every epoch (PyTorch's examples, and
#: Keras's ``LearningRateScheduler`` callback) or after every optimizer step
#: (``OneCycleLR``, warm-up over steps, and Keras's ``LearningRateSchedule``).
INTERVALS = ("epoch", "step")


def build_scheduler(caller: str, scheduler: Any, opt: Any) -> Callable[[float], None] | None:
    """``scheduler(opt)``, checked, as a function ``step(loss)`` for the loop to call.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.optimizers import SGD
    >>> from optlib.schedules import StepLR
    >>> opt = SGD(np.zeros(1), lr=1.0)
    >>> step = build_scheduler("fit", lambda o: StepLR(o, step_size=2, gamma=0.1), opt)
    >>> for _ in range(4):
    ...     step(0.0)
    >>> round(opt.lr, 12)
    0.01
    """
    if scheduler is None:
        return None
    if not callable(scheduler) or hasattr(scheduler, "get_last_lr"):
        raise TypeError(
            f"scheduler must be a function of the optimizer that {caller} builds, such as "
            "scheduler=lambda opt: StepLR(opt, step_size=10); got "
            + (
                "a scheduler built already (on another optimizer)"
                if hasattr(scheduler, "get_last_lr")
                else repr(scheduler)
            )
        )
    built = scheduler(opt)
    step = getattr(built, "step", None)
    if not callable(step):
        raise TypeError(
            f"scheduler(opt) must return a scheduler with a step() method, got {built!r}"
        )
    if getattr(built, "optimizer", opt) is not opt:
        raise ValueError(
            f"scheduler(opt) returned a scheduler of another optimizer; build it on the "
            f"optimizer {caller} passes in: scheduler=lambda opt: StepLR(opt, ...)"
        )
    if _needs_a_value(step):
        return step
    return lambda loss: step()


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
