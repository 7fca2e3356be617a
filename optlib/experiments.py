r"""Loops behind the chapters' experiments that :mod:`optlib.training` does not run.

:func:`optlib.minimize` follows a surface's gradient with fixed
hyper-parameters. The chapters also need to

* feed an optimizer a *given* sequence of gradients (a steady gradient, one
  that flips sign, a spike after a long run of zeros) or follow a gradient
  while a hyper-parameter changes on a schedule: :func:`iterates`, which works
  for :mod:`optlib.optimizers` and :mod:`optlib.keras` alike;
* train a linear regression by mini-batches for a whole grid of learning rates
  at once, keeping the optimizer's state at every step:
  :func:`linear_regression_sweep`.

Examples
--------
>>> import numpy as np
>>> from optlib import SGD
>>> xs = iterates(SGD, np.ones(3), lr=0.1, momentum=0.5)  # a steady gradient 1
>>> (-np.diff(xs[:, 0])).round(3).tolist()  # steps of α, α(1 + ρ), α(1 + ρ + ρ²)
[0.1, 0.15, 0.175]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import as_float_array, check_finite, check_ndim

__all__ = ["RegressionSweep", "iterates", "linear_regression_sweep"]


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


@dataclass(frozen=True, eq=False)
class RegressionSweep:
    r"""Mini-batch training of :math:`\hat y = Xw + b` for ``k`` settings at once.

    Attributes
    ----------
    weights : ndarray, shape (steps + 1, k, d)
        The weights :math:`w` of every run, before the first step and after each.
    state : dict of str to ndarray, shape (steps, k, d)
        Every array entry of the optimizer's state for the weights (``"sum"``
        for Adagrad, ``"exp_avg"`` for Adam, ...), after each step.
    final_losses : ndarray, shape (k,)
        The mean squared error on the whole data set at the end; ``inf`` for a
        run that overflowed.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> X, y = np.eye(2), np.array([1.0, 2.0])
    >>> result = linear_regression_sweep(X, y, [[0, 1]] * 50, SGD, lr=np.array([[0.3], [1.0]]))
    >>> result.weights.shape, (result.final_losses < 1e-12).tolist()  # α = 1 is too large
    ((51, 2, 2), [True, False])
    """

    weights: np.ndarray
    state: dict[str, np.ndarray]
    final_losses: np.ndarray


def linear_regression_sweep(
    X: Any,
    y: Any,
    batches: Sequence[Any],
    optimizer: Callable[..., Any],
    **hyperparams: Any,
) -> RegressionSweep:
    r"""Train a linear regression by mean squared error, for many settings in one array.

    Every run starts at :math:`w = 0, b = 0` and takes one step per batch, on
    the mini-batch gradient of :math:`J = \frac1B \sum_{i} (w^\top x_i + b - y_i)^2`,

    .. math::
       \frac{\partial J}{\partial w} = \frac2B \sum_i r_i x_i, \qquad
       \frac{\partial J}{\partial b} = \frac2B \sum_i r_i, \qquad
       r_i = w^\top x_i + b - y_i .

    The runs sit in the rows of one weight array of shape ``(k, d)`` and one
    bias array of shape ``(k, 1)``, so that all advance in the same NumPy
    operations, each with its own hyper-parameters (as :func:`optlib.sweep` does
    on a surface). It is the experiment of the Adagrad chapter, where sparse
    features meet one learning rate.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The features.
    y : array_like, shape (n,)
        The targets.
    batches : sequence of index arrays
        The examples of each step's mini-batch, in order (epochs included).
    optimizer : optimizer class
        Built as ``optimizer([W, b], **hyperparams)``.
    **hyperparams
        Scalars, or arrays of shape ``(k, 1)``: one value per run
        (``lr=lrs[:, None]``).

    Returns
    -------
    RegressionSweep

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Adagrad
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> result = linear_regression_sweep(X, X.sum(axis=1), [[0, 1, 2]] * 3, Adagrad,
    ...                                  lr=np.array([[0.1], [0.5]]))
    >>> result.state["sum"].shape  # Adagrad's sum of squared gradients, per step and run
    (3, 2, 2)
    """
    X = as_float_array("X", X, dtype=np.float64)
    y = as_float_array("y", y, dtype=np.float64)
    check_ndim("X", X, 2, "examples by features")
    check_ndim("y", y, 1, "one target per example")
    if len(X) != len(y):
        raise ValueError(f"X and y must have as many rows, got {len(X)} and {len(y)}")
    batches = [np.asarray(batch, dtype=np.intp) for batch in batches]
    if not batches or any(batch.ndim != 1 or batch.size == 0 for batch in batches):
        raise ValueError("batches must be a non-empty list of non-empty index arrays")
    runs = max((np.shape(value)[0] for value in hyperparams.values() if np.ndim(value) == 2),
               default=1)  # fmt: skip
    W, b = np.zeros((runs, X.shape[1])), np.zeros((runs, 1))
    opt = optimizer([W, b], **hyperparams)
    weights, states = [W.copy()], {}
    with np.errstate(all="ignore"):  # the runs whose rate is too large overflow
        for batch in batches:
            residual = W @ X[batch].T + b - y[batch]  # one row per run
            opt.step([2 * residual @ X[batch] / len(batch),  # ∂J/∂w
                      2 * residual.mean(axis=1, keepdims=True)])  # ∂J/∂b  # fmt: skip
            weights.append(W.copy())
            for key, value in opt.state[0].items():
                if isinstance(value, np.ndarray):
                    states.setdefault(key, []).append(value.copy())
        loss = np.mean((W @ X.T + b - y) ** 2, axis=1)
    return RegressionSweep(
        weights=np.array(weights),
        state={key: np.array(values) for key, values in states.items()},
        final_losses=np.where(np.isfinite(loss), loss, np.inf),
    )
