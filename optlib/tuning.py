r"""A fair race: every optimizer gets its learning rate from the same grid, by the same rule.

Comparing optimizers at one shared learning rate compares the rate, not the
optimizer: their good rates lie decades apart. The closing chapter therefore
tunes each one by one visible rule, written here once:

* :func:`score` judges every run of a sweep by the gap to the minimum averaged
  over its last tenth (a run that bounces is not judged by one lucky step),
  counts a gap below :data:`SOLVED` as solved and a diverged run as
  :math:`+\infty`, and breaks ties by how fast the run got there;
* :func:`tune` runs one :func:`optlib.sweep` over (start, rate) pairs and
  picks the best rate for each start;
* :func:`best_rate` gives the rate with the lowest final gap of a sweep over
  rates, and :func:`nearest_minimum` where a run ended relative to the minima.

Examples
--------
>>> import numpy as np
>>> from optlib import SGD, Quadratic
>>> lrs = np.geomspace(1e-3, 1.0, 13)
>>> result, chosen = tune(Quadratic(), np.array([[2.5, 1.0]]), SGD, lrs, steps=100)
>>> f"{lrs[chosen[0]]:.3g}"  # just below the stability limit 2/L = 0.2
'0.178'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optlib.training import SweepResult, sweep

__all__ = ["SOLVED", "best_rate", "nearest_minimum", "score", "tune"]

SOLVED = 1e-12
"""Gaps to the minimum below this count as solved, so that the rates that all get there tie."""


def score(result: SweepResult, fn: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""The score of every run of a sweep, and its tie-breaker; lower is better for both.

    With :math:`T` steps and the gap :math:`\delta_t = J(\theta_t) - J^\star`,

    .. math::
       \operatorname{score} = \max\Bigl(\frac{1}{w}\sum_{t = T - w + 1}^{T} \delta_t,\
       10^{-12}\Bigr), \qquad w = \lfloor T / 10 \rfloor,

    or :math:`+\infty` for a run that diverged; the tie-breaker is the mean of
    :math:`\log_{10} \max(\delta_t, 10^{-12})` over the whole run, so that among
    runs that all solve the problem the one that got there first wins.

    Parameters
    ----------
    result : SweepResult
        From :func:`optlib.sweep` on ``fn``, with at least 10 steps.
    fn : surface
        The surface swept, for its minimum value :math:`J^\star`.

    Returns
    -------
    final, speed : ndarray, each of the sweep's batch shape

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Quadratic, sweep
    >>> lrs = np.array([0.01, 0.1, 0.18, 0.25])
    >>> result = sweep(Quadratic(), [2.5, 1.0], SGD, steps=200, lr=lrs[:, None])
    >>> final, speed = score(result, Quadratic())
    >>> final.round(3).tolist()  # too slow, solved, solved, diverged (past 2/L = 0.2)
    [0.068, 0.0, 0.0, inf]
    >>> bool(speed[2] < speed[1])  # of the two that solve it, α = 0.18 gets there first
    True
    """
    gap = np.maximum(result.losses - fn.min_value, 0.0)  # shape (steps + 1, *runs)
    window = (len(gap) - 1) // 10
    if window < 1:
        raise ValueError(f"score needs a sweep of at least 10 steps, got {len(gap) - 1}")
    final = np.maximum(gap[-window:].mean(axis=0), SOLVED)
    speed = np.log10(np.maximum(gap, SOLVED)).mean(axis=0)
    return np.where(result.diverged, np.inf, final), speed


def tune(
    fn: Any, starts: Any, optimizer: Any, lrs: Any, steps: int, **settings: Any
) -> tuple[SweepResult, np.ndarray]:
    r"""One sweep over every (start, rate) pair, and the chosen rate for each start.

    The starts go on the first axis of the parameters and the rates on the
    second (``x0=starts[:, None, :]`` against ``lr=lrs[None, :, None]``), so the
    whole search is one vectorised :func:`optlib.sweep`. For each start the
    chosen rate has the lowest :func:`score`, ties going to the faster run.

    Parameters
    ----------
    fn : surface
    starts : array_like, shape (n_starts, d)
    optimizer : optimizer class
        A PyTorch-style class of :mod:`optlib.optimizers` (its rate is ``lr``).
    lrs : array_like, shape (n_lrs,)
        The grid of learning rates on offer.
    steps : int
        The budget of every run.
    **settings
        The optimizer's other hyper-parameters, fixed (``momentum=0.9``).

    Returns
    -------
    result : SweepResult
        Batch shape ``(n_starts, n_lrs)``.
    chosen : ndarray of int, shape (n_starts,)
        The index into ``lrs`` of the rate chosen at each start.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Adam, Rosenbrock
    >>> lrs = np.geomspace(1e-3, 1.0, 7)
    >>> result, chosen = tune(Rosenbrock(), np.array([[-1.5, 2.0], [0.0, 2.5]]), Adam, lrs, 300)
    >>> result.final_losses.shape, lrs[chosen].tolist()  # one rate per start
    ((2, 7), [1.0, 0.1])
    """
    starts = np.asarray(starts, dtype=np.float64)
    lrs = np.asarray(lrs, dtype=np.float64)
    if starts.ndim != 2:
        raise ValueError(f"starts must have shape (n_starts, d), got {starts.shape}")
    if lrs.ndim != 1 or not len(lrs):
        raise ValueError(f"lrs must be a 1-D grid of rates, got shape {lrs.shape}")
    result = sweep(fn, starts[:, None, :], optimizer, steps=steps, lr=lrs[None, :, None],
                   **settings)  # fmt: skip
    final, speed = score(result, fn)
    chosen = np.array([np.lexsort((speed[k], final[k]))[0] for k in range(len(starts))])
    return result, chosen


def best_rate(result: SweepResult, fn: Any, lrs: Any) -> tuple[float, float]:
    """The rate of a sweep over ``lrs`` whose run ended closest to the minimum, and that gap.

    Diverged runs are left out; with every run diverged the gap is ``inf``.

    Parameters
    ----------
    result : SweepResult
        From :func:`optlib.sweep` with ``lr=lrs[:, None]``: one run per rate.
    fn : surface
    lrs : array_like, shape (n_lrs,)

    Returns
    -------
    lr, gap : float

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Rosenbrock, sweep
    >>> lrs = np.geomspace(1e-4, 1e-2, 5)
    >>> result = sweep(Rosenbrock(), [-1.5, 2.0], SGD, steps=300, lr=lrs[:, None])
    >>> lr, gap = best_rate(result, Rosenbrock(), lrs)
    >>> f"{lr:.2g}", bool(gap < result.final_losses[0])
    ('0.001', True)
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    gap = np.where(result.diverged, np.inf, result.final_losses - fn.min_value)
    if gap.shape != lrs.shape:
        raise ValueError(f"the sweep has runs of shape {gap.shape}, lrs has shape {lrs.shape}")
    best = int(np.argmin(gap))
    return float(lrs[best]), float(gap[best])


def nearest_minimum(fn: Any, point: Any) -> tuple[float, np.ndarray]:
    """The distance from ``point`` to the closest global minimum of ``fn``, and that minimum.

    Examples
    --------
    >>> from optlib import Himmelblau
    >>> distance, minimum = nearest_minimum(Himmelblau(), [2.9, 2.1])
    >>> round(distance, 3), minimum.round(6).tolist()
    (0.141, [3.0, 2.0])
    """
    distances = np.linalg.norm(fn.minima - np.asarray(point, dtype=np.float64), axis=1)
    return float(distances.min()), fn.minima[distances.argmin()]
