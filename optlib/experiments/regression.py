r"""A linear regression trained by mini-batches for a whole grid of learning rates at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import as_float_array, check_ndim

__all__ = ["RegressionSweep", "linear_regression_sweep"]


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
