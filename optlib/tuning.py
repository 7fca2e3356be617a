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

The comparison of every optimizer (the section "Which optimizer to use") adds

* :func:`random_starts`, seeded starting points spread over a surface, and
  :func:`tuned_scores`, the score each start reaches at its own tuned rate;
* :func:`tiers`, which groups optimizers whose results over seeds overlap, so
  that a difference within the spread of the seeds is called a tie;
* :class:`Split`, two optimizers as one (Muon on the hidden weight matrices,
  AdamW on the rest), which :func:`optlib.fit` and
  :func:`optlib.experiments.network_sweep` take like any optimizer class.

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

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from optlib.optimizers import AdamW, Muon
from optlib.training import SweepResult, sweep

__all__ = [
    "SOLVED",
    "Split",
    "best_rate",
    "hidden_matrices",
    "nearest_minimum",
    "random_starts",
    "score",
    "tiers",
    "tune",
    "tuned_scores",
]

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


# ---------------------------------------------------------------------------
# Comparing every optimizer: seeded starts, tuned scores, ties
# ---------------------------------------------------------------------------


def random_starts(fn: Any, n: int, seed: int = 0) -> np.ndarray:
    """``n`` starting points drawn uniformly over the plotting box of ``fn``, seeded.

    Parameters
    ----------
    fn : surface
        A 2-D surface of :mod:`optlib.functions`; its ``bounds`` give the box.
    n : int
        How many starts, at least 1.
    seed : int
        Seeds ``np.random.default_rng``; the same seed gives the same starts.

    Returns
    -------
    ndarray, shape (n, d)

    Examples
    --------
    >>> from optlib import Rosenbrock
    >>> starts = random_starts(Rosenbrock(), 4, seed=0)
    >>> starts.shape, bool((random_starts(Rosenbrock(), 4, seed=0) == starts).all())
    ((4, 2), True)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    bounds = np.asarray(getattr(fn, "bounds", None), dtype=np.float64)
    if bounds.ndim != 2 or bounds.shape[1] != 2:
        raise ValueError(f"fn must be a surface with bounds ((xmin, xmax), ...), got {fn!r}")
    low, high = bounds[:, 0], bounds[:, 1]
    return np.random.default_rng(seed).uniform(low, high, size=(int(n), len(bounds)))


def tuned_scores(
    fn: Any, starts: Any, optimizer: Any, lrs: Any, steps: int, **settings: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The :func:`score` each start reaches at the rate :func:`tune` chose for it, and that rate.

    Parameters
    ----------
    fn, starts, optimizer, lrs, steps, **settings
        As for :func:`tune`.

    Returns
    -------
    final : ndarray, shape (n_starts,)
        The score at the chosen rate: the mean gap of the last tenth of the run,
        at least :data:`SOLVED`; ``inf`` when every rate diverged from that start.
    rates : ndarray, shape (n_starts,)
        The chosen rate at each start.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Quadratic
    >>> final, rates = tuned_scores(Quadratic(), [[2.5, 1.0], [-1.0, 2.0]], SGD,
    ...                             np.geomspace(1e-3, 1.0, 7), steps=300)
    >>> final.tolist(), rates.round(3).tolist()  # both solved, at the largest stable rate
    ([1e-12, 1e-12], [0.1, 0.1])
    """
    result, chosen = tune(fn, starts, optimizer, lrs, steps, **settings)
    final, _ = score(result, fn)
    rows = np.arange(len(chosen))
    return final[rows, chosen], np.asarray(lrs, dtype=np.float64)[chosen]


def tiers(samples: Mapping[str, Any], *, lower_is_better: bool = True) -> list[list[str]]:
    """Group labels whose results over seeds overlap: a difference inside the spread is a tie.

    The labels are ordered by their mean (non-finite values, such as a run that
    diverged, count as the worst possible). The best label opens the first
    tier; every remaining label whose best seed is at least as good as the
    opener's worst seed joins it (their ranges over the seeds overlap). The
    best label left opens the next tier, and so on. Within a tier the labels
    keep the order of their means.

    The rule is deliberately simple and visible: with a handful of seeds it
    asks only whether the seeds separate two optimizers at all. A difference
    between tiers is a difference on every seed measured, not a significance
    test.

    Parameters
    ----------
    samples : dict of str to array_like
        One result per seed (or start) for each label, each a 1-D array with
        at least one entry.
    lower_is_better : bool
        True for a loss or a gap; False for an accuracy.

    Returns
    -------
    list of list of str
        The tiers, best first.

    Examples
    --------
    >>> tiers({"A": [1.0, 2.0], "B": [1.5, 3.0], "C": [4.0, 5.0]})
    [['A', 'B'], ['C']]
    >>> tiers({"A": [0.9, 0.95], "B": [0.97, 0.98]}, lower_is_better=False)
    [['B'], ['A']]
    """
    if not isinstance(samples, Mapping) or not samples:
        raise ValueError(f"samples must be a non-empty dict of label to values, got {samples!r}")
    sign = 1.0 if lower_is_better else -1.0
    values = {}
    for label, value in samples.items():
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 1 or not array.size:
            raise ValueError(
                f"samples[{label!r}] must be a 1-D array of at least one value, "
                f"got shape {array.shape}"
            )
        # oriented so that lower is better, and a non-finite value is the worst
        values[label] = np.where(np.isfinite(array), sign * array, np.inf)
    with np.errstate(invalid="ignore"):
        means = {label: float(np.mean(array)) for label, array in values.items()}
    left = sorted(values, key=lambda label: means[label])
    groups = []
    while left:
        opener = left[0]
        worst = values[opener].max()
        group = [label for label in left if label == opener or values[label].min() <= worst]
        groups.append(group)
        left = [label for label in left if label not in group]
    return groups


# ---------------------------------------------------------------------------
# Two optimizers as one
# ---------------------------------------------------------------------------


def hidden_matrices(params: Sequence[np.ndarray]) -> tuple[int, ...]:
    """The indices of every 2-D parameter but the last 2-D one: an MLP's hidden weight matrices.

    In :class:`optlib.MLP`'s order (``W1, b1, W2, b2, ...``) the last weight
    matrix is the output layer's, which Muon's authors leave to AdamW.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import MLP
    >>> hidden_matrices(MLP([64, 32, 16, 10]).params)  # W1 and W2; not W3, not the biases
    (0, 2)
    """
    matrices = [k for k, param in enumerate(params) if np.ndim(param) == 2]
    return tuple(matrices[:-1])


class Split:
    r"""Two optimizers as one: ``first`` on the parameters ``select`` picks, ``rest`` on the rest.

    Muon's update orthogonalises a weight matrix's momentum; it is meant for
    the weight matrices of hidden layers, and its authors optimize the other
    parameters (biases, the output layer, embeddings) with AdamW. In PyTorch
    that takes two optimizers stepped one after the other; ``Split`` is that
    pair behind the interface of one optimizer class, so that :func:`optlib.fit`
    and :func:`optlib.experiments.network_sweep` can build it from the
    parameters and a learning rate, as they build ``Adam``.

    Parameters
    ----------
    params : list of ndarray
        Updated in place.
    lr : float, default 1e-3
        The learning rate of both optimizers, readable and writable (a schedule
        sets both).
    select : sequence of int or callable, optional
        The indices of the parameters ``first`` updates, or a function of the
        parameter list that returns them. By default :func:`hidden_matrices`:
        every 2-D parameter but the last one.
    first, rest : optimizer class
        By default :class:`~optlib.optimizers.Muon` and
        :class:`~optlib.optimizers.AdamW`.
    first_settings, rest_settings : dict, optional
        Their other hyper-parameters; by default each keeps torch's defaults.
        One ``lr`` for both makes sense with Muon's
        ``adjust_lr_fn="match_rms_adamw"``, which scales Muon's step to the
        size of AdamW's (Liu et al. 2025), so the notebook passes that.

    Notes
    -----
    ``Split`` has what :func:`optlib.fit` and
    :func:`optlib.experiments.network_sweep` use (``step`` and a writable
    ``lr``) and no more: no ``state_dict``. To save or inspect the state, use
    the two optimizers in ``optimizers``.

    Attributes
    ----------
    optimizers : tuple
        The two optimizers built (``rest`` left out when it has no parameters).
    elementwise : bool
        False: Muon's step mixes a matrix's entries, so a stack of ``k``
        configurations is not ``k`` runs.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import MLP, SparseCategoricalCrossEntropy, fit
    >>> model = MLP([4, 8, 3], output="softmax", seed=0)
    >>> X, y = np.random.default_rng(0).normal(size=(30, 4)), np.arange(30) % 3
    >>> history = fit(model, SparseCategoricalCrossEntropy(from_logits=True), X, y, Split,
    ...               epochs=5, lr=0.01, first_settings={"adjust_lr_fn": "match_rms_adamw"})
    >>> history.epochs, [type(opt).__name__ for opt in Split(model.params).optimizers]
    (5, ['Muon', 'AdamW'])
    """

    elementwise = False

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        *,
        select: Sequence[int] | Callable[[Sequence[np.ndarray]], Sequence[int]] | None = None,
        first: Callable[..., Any] = Muon,
        rest: Callable[..., Any] = AdamW,
        first_settings: Mapping[str, Any] | None = None,
        rest_settings: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(params, np.ndarray) or not isinstance(params, Sequence) or not params:
            raise ValueError("params must be a non-empty list of arrays")
        params = list(params)
        chosen = hidden_matrices if select is None else select
        indices = chosen(params) if callable(chosen) else chosen
        try:
            indices = [int(k) for k in indices]
        except (TypeError, ValueError):
            raise ValueError(f"select must give parameter indices, got {indices!r}") from None
        if not indices or len(set(indices)) != len(indices):
            raise ValueError(f"select must pick distinct parameters, at least one, got {indices}")
        if any(not 0 <= k < len(params) for k in indices):
            raise ValueError(f"select must pick indices in [0, {len(params)}), got {indices}")
        for name, value in (("first_settings", first_settings), ("rest_settings", rest_settings)):
            if value is not None and (not isinstance(value, Mapping) or "lr" in value):
                raise ValueError(f"{name} must be a dict of hyper-parameters other than lr")
        self.first_indices = tuple(indices)
        self.rest_indices = tuple(k for k in range(len(params)) if k not in set(indices))
        built = [first([params[k] for k in self.first_indices], lr=lr, **(first_settings or {}))]
        if self.rest_indices:
            built.append(rest([params[k] for k in self.rest_indices], lr=lr,
                              **(rest_settings or {})))  # fmt: skip
        self.optimizers = tuple(built)
        self._count = len(params)

    @property
    def lr(self) -> float:
        """The learning rate both optimizers use; setting it sets both."""
        return self.optimizers[0].lr

    @lr.setter
    def lr(self, value: float) -> None:
        for opt in self.optimizers:
            opt.lr = value

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """One step of each optimizer on its parameters; ``grads`` aligned with ``params``.

        Examples
        --------
        >>> import numpy as np
        >>> W, b = np.zeros((2, 2)), np.zeros(2)
        >>> opt = Split([W, b], lr=0.1, select=[0], first_settings={"weight_decay": 0.0})
        >>> opt.step([np.eye(2), np.ones(2)])
        >>> b.round(3).tolist()  # AdamW's first step: α per coordinate
        [-0.1, -0.1]
        """
        if isinstance(grads, np.ndarray) or len(grads) != self._count:
            raise ValueError(f"grads must be a list of {self._count} arrays, one per parameter")
        self.optimizers[0].step([grads[k] for k in self.first_indices])
        if self.rest_indices:
            self.optimizers[1].step([grads[k] for k in self.rest_indices])
