r"""An optimizer fed a given sequence of gradients, or following a gradient on a schedule."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from optlib._validation import as_float_array, check_finite

__all__ = ["iterates"]


def iterates(
    optimizer: Callable[..., Any],
    gradients: Sequence[Any] | np.ndarray | Callable[[np.ndarray], Any],
    x0: Any = 0.0,
    *,
    steps: int | None = None,
    schedule: Mapping[str, Sequence[Any]] | None = None,
    **hyperparams: Any,
) -> np.ndarray:
    r"""The iterates :math:`\theta_0, \theta_1, \ldots` of an optimizer fed the given gradients.

    Parameters
    ----------
    optimizer : optimizer class
        From :mod:`optlib.optimizers` or :mod:`optlib.keras`; built as
        ``optimizer(theta, **hyperparams)`` on a copy of ``x0``.
    gradients : sequence of array_like, or callable
        Either the gradient of each step in turn, each broadcast to the shape of
        ``x0`` (a scalar per step for a 1-D ``x0``), or a function
        ``grad(theta)`` such as a surface's ``grad``, called at each iterate.
    x0 : array_like
        The start (a scalar is one coordinate); not modified.
    steps : int, optional
        The number of steps; by default as many as ``gradients`` has. Required
        when ``gradients`` is a function and there is no ``schedule``.
    schedule : dict of str to sequence, optional
        Hyper-parameters that change: before step :math:`t` the optimizer's
        attribute ``name`` is set to ``schedule[name][t - 1]``, as a learning-rate
        schedule does (``{"lr": rates}`` for PyTorch's names,
        ``{"learning_rate": rates}`` for Keras's).
    **hyperparams
        Passed to the optimizer.

    Returns
    -------
    ndarray, shape (steps + 1, \*x0.shape)
        :math:`\theta_0` (``x0``) and the iterate after each step, in float64.
        ``-np.diff(result, axis=0)`` are the steps taken.

    Raises
    ------
    ValueError
        For a gradient that does not broadcast to the shape of ``x0``, or a
        ``steps`` that the gradients or the schedule cannot supply.

    Examples
    --------
    PyTorch's momentum and Keras's give the same steps while the rate is
    constant, and different ones once it is cut:

    >>> import numpy as np
    >>> from optlib import SGD, keras
    >>> rates = [0.1, 0.1, 0.01]
    >>> torch_path = iterates(SGD, np.ones(3), momentum=0.9, schedule={"lr": rates})
    >>> keras_path = iterates(keras.SGD, np.ones(3), momentum=0.9,
    ...                       schedule={"learning_rate": rates})
    >>> (-np.diff(torch_path[:, 0])).round(4).tolist()
    [0.1, 0.19, 0.0271]
    >>> (-np.diff(keras_path[:, 0])).round(4).tolist()
    [0.1, 0.19, 0.181]

    On a surface, pass its gradient:

    >>> from optlib import Adam, Quadratic
    >>> iterates(Adam, Quadratic().grad, [1.0, 1.0], steps=2, lr=0.1).round(3).tolist()
    [[1.0, 1.0], [0.9, 0.9], [0.8, 0.8]]
    """
    schedule = dict(schedule or {})
    theta = np.array(as_float_array("x0", x0, dtype=np.float64), ndmin=1)
    check_finite("x0", theta)
    supplied = [len(values) for values in schedule.values()]
    if not callable(gradients):
        gradients = list(gradients)
        supplied.append(len(gradients))
    if steps is None:
        if not supplied:
            raise ValueError("steps is needed when gradients is a function and no schedule is")
        steps = min(supplied)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if supplied and min(supplied) < steps:
        raise ValueError(
            f"steps={steps}, but the gradients or the schedule only cover {min(supplied)}"
        )
    opt = optimizer(theta, **hyperparams)
    path = np.empty((steps + 1, *theta.shape))
    path[0] = theta
    with np.errstate(all="ignore"):  # a run that overflows shows as inf or nan, as in training
        for t in range(steps):
            for name, values in schedule.items():
                setattr(opt, name, values[t])
            g = gradients(theta.copy()) if callable(gradients) else gradients[t]
            g = np.asarray(g, dtype=np.float64)
            try:
                g = np.broadcast_to(g, theta.shape).copy()
            except ValueError:
                raise ValueError(
                    f"the gradient of step {t + 1} has shape {g.shape}, which does not "
                    f"broadcast to x0's shape {theta.shape}"
                ) from None
            opt.step([g])
            path[t + 1] = theta
    return path
