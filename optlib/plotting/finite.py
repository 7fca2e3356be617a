"""What reaches Matplotlib is finite: the cuts and clips every builder applies to a run.

Nothing passed to Matplotlib is ever NaN or infinite. A run that diverged is
drawn up to its last finite point (:func:`finite_prefix`); a path far outside
its axes is cut where it leaves a box around them (:func:`cut_at_box`); values
are clipped to :data:`HUGE`, since a huge but finite number still overflows
Agg's pixel arithmetic and a log axis cannot show 0. :func:`run_fields` reads
what a builder is given: a run of :func:`optlib.minimize` or bare numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FAR", "HUGE", "cut_at_box", "finite_prefix", "first_finite", "run_fields"]

#: The largest size a value keeps on its way to Matplotlib (values are clipped to it).
HUGE = 1e300
#: How far around its view box a path is kept, in spans of the box on every side;
#: the part beyond is far outside the visible axes anyway.
FAR = 20.0


def finite_prefix(array: np.ndarray) -> np.ndarray:
    """The rows before the first row that holds a NaN or an infinity.

    Parameters
    ----------
    array : ndarray, shape (n, ...)

    Returns
    -------
    ndarray
        ``array[:k]``, with ``k`` the index of the first row that is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> finite_prefix(np.array([[1.0, 2.0], [3.0, np.inf], [5.0, 6.0]])).tolist()
    [[1.0, 2.0]]
    """
    bad = ~np.isfinite(array)
    if bad.ndim > 1:
        bad = bad.any(axis=tuple(range(1, bad.ndim)))
    if bad.any():
        return array[: int(np.argmax(bad))]
    return array


def first_finite(values: np.ndarray) -> int:
    """Index of the first finite value (``len(values)`` when there is none).

    A series whose first entries are NaN ("not defined yet") starts there.

    Examples
    --------
    >>> import numpy as np
    >>> first_finite(np.array([np.nan, np.nan, 0.5])), first_finite(np.array([np.nan]))
    (2, 1)
    """
    finite = np.isfinite(values)
    return int(np.argmax(finite)) if finite.any() else len(values)


def cut_at_box(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Keep a polyline up to where it first leaves the box [low, high].

    The segment that leaves is kept up to the box's edge, so what is drawn
    inside the box is exactly the original path.

    Parameters
    ----------
    points : ndarray, shape (n, d)
    low, high : ndarray, shape (d,)
        The corners of the box.

    Returns
    -------
    ndarray, shape (k, d)
        The points inside the box, then the point where the path leaves it.

    Examples
    --------
    >>> import numpy as np
    >>> path = np.array([[0.0, 0.0], [0.5, 0.5], [3.0, 0.5]])
    >>> cut_at_box(path, np.array([-1.0, -1.0]), np.array([1.0, 1.0])).tolist()
    [[0.0, 0.0], [0.5, 0.5], [1.0, 0.5]]
    """
    outside = ((points < low) | (points > high)).any(axis=1)
    if not outside.any():
        return points
    k = int(np.argmax(outside))
    if k == 0:
        return np.clip(points[:1], low, high)
    a, b = points[k - 1], points[k]
    direction = b - a
    # Largest t in [0, 1] with a + t (b - a) inside the box, axis by axis.
    t = 1.0
    # Only an axis whose end point lies outside bounds t; there the ratio is below 1,
    # so a tiny (subnormal) step cannot overflow it.
    for lo, hi, start, end, step in zip(low, high, a, b, direction, strict=True):
        if end > hi:
            t = min(t, (hi - start) / step)
        elif end < lo:
            t = min(t, (lo - start) / step)
    edge = np.clip(a + max(t, 0.0) * direction, low, high)
    return np.vstack([points[:k], edge])


def run_fields(
    run: Any, diverged: bool | None, steps: int | None
) -> tuple[np.ndarray | None, np.ndarray | None, bool, int | None]:
    """Unpack a run: ``(xs, losses, diverged, steps)``.

    A :class:`optlib.Trajectory` (anything with ``xs`` or ``losses``) gives
    its own fields, as float64 arrays; ``diverged`` and ``steps``, when not
    None, override the run's. Anything else (bare numbers) gives
    ``(None, None, bool(diverged), steps)``, and the caller reads it itself.

    Parameters
    ----------
    run : Trajectory or array_like
    diverged : bool or None
    steps : int or None

    Returns
    -------
    xs, losses : ndarray or None
    diverged : bool
    steps : int or None

    Examples
    --------
    >>> from optlib import SGD, Quadratic, minimize
    >>> xs, losses, diverged, steps = run_fields(
    ...     minimize(Quadratic(), [1.0, 1.0], SGD, steps=3, lr=0.1), None, None)
    >>> xs.shape, losses.shape, diverged, steps
    ((4, 2), (4,), False, 3)
    >>> run_fields([[1.0, 1.0]], True, 7)
    (None, None, True, 7)
    """
    xs = getattr(run, "xs", None)
    losses = getattr(run, "losses", None)
    if xs is None and losses is None:
        return None, None, bool(diverged), steps
    if diverged is None:
        diverged = bool(getattr(run, "diverged", False))
    if steps is None:
        steps = getattr(run, "steps", None)
    xs = None if xs is None else np.asarray(xs, dtype=np.float64)
    losses = None if losses is None else np.asarray(losses, dtype=np.float64)
    return xs, losses, bool(diverged), steps
