r"""Momentum, explored: a ball in a 1-D landscape, and the map of (learning rate, momentum).

:func:`ball_explorer` releases a ball on a curve with a slider for the
momentum and says where it comes to rest; :func:`rate_map_explorer` picks a
cell of a swept (learning rate, momentum) grid on the rate map and shows that
run's path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib._validation import check_positive_int
from optlib.plotting.words import point_text
from optlib.training import Trajectory, minimize
from optlib.widgets.descent import start_point
from optlib.widgets.engine import Explorer, FloatRange, Values

__all__ = ["ball_explorer", "rate_map_explorer"]


def _nearest_minimum(fn: Any, x: float) -> tuple[str, float]:
    """Which minimum of a 1-D surface is nearest to ``x``: ("global" or "local", where)."""
    candidates = [("global", float(m)) for m in np.ravel(getattr(fn, "minima", []))]
    candidates += [("local", float(m)) for m in np.ravel(getattr(fn, "local_minima", []))]
    if not candidates:
        return "", float("nan")
    return min(candidates, key=lambda item: abs(item[1] - x))


def ball_explorer(
    fn: Any,
    x0: Any,
    momenta: Sequence[float] | FloatRange,
    *,
    lr: float,
    optimizer: type | None = None,
    steps: int = 150,
    default: float | None = None,
    settled: float = 1e-3,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""A ball released on a 1-D landscape, with a slider for the momentum :math:`\rho`.

    Left, the curve :math:`J(\theta)` with the run's points on it (global
    minimum starred, local minimum circled); right, the position
    :math:`\theta_t` against the step, with dashed lines at the minima and at
    the barrier between them (``fn.barrier``, when the surface has one). The
    title says where the ball came to rest: in which minimum, or that it is
    still moving after ``steps`` steps (its last step longer than ``settled``),
    or that it diverged.

    Parameters
    ----------
    fn : surface
        A 1-D surface, such as :class:`optlib.functions.DoubleWell`.
    x0 : array_like, shape (1,)
        Where the ball is released (at rest).
    momenta : list of float or FloatRange
        The values on the slider.
    lr : float
        The learning rate, held fixed.
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD`.
    steps : int
        Step budget.
    default : float, optional
        The momentum shown first.
    settled : float
        A run whose last step is shorter than this has come to rest.
    caption, alt, mode
        As for :class:`Explorer`.
    **hyperparams
        Other hyper-parameters, held fixed (``nesterov=True``), and
        :func:`optlib.minimize`'s ``blowup``.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import DoubleWell
    >>> explorer = ball_explorer(DoubleWell(), [2.0], [0.3, 0.7], lr=0.05, mode="static")
    >>> len(explorer.frames)
    2
    >>> explorer.alt_text(momentum=0.3).split(": ")[-1]
    'the ball comes to rest in the local minimum at θ = 0.96.'
    """
    if optimizer is None:
        from optlib.optimizers import SGD

        optimizer = SGD
    steps = check_positive_int("steps", steps)
    x_start = start_point(fn, x0)
    if x_start.shape != (1,):
        raise ValueError(f"ball_explorer needs a 1-D surface, got {fn!r}")
    if "momentum" in hyperparams:
        raise ValueError("momentum is on the slider; do not also fix it")
    name = getattr(optimizer, "__name__", str(optimizer))
    surface_name = getattr(fn, "name", type(fn).__name__)
    runs: dict[float, Trajectory] = {}

    def run(momentum: float) -> Trajectory:
        key = float(momentum)
        if key not in runs:
            runs[key] = minimize(
                fn, x_start, optimizer, steps=steps, lr=lr, momentum=key, **hyperparams
            )
        return runs[key]

    def verdict(traj: Trajectory) -> str:
        if traj.diverged:
            return f"the ball {plotting.diverged_text(traj.steps)}"
        last = float(traj.xs[-1, 0])
        moving = len(traj.xs) > 1 and abs(float(traj.xs[-1, 0] - traj.xs[-2, 0])) > settled
        if moving:
            return f"the ball is still moving after {traj.steps} steps, at θ = {last:.3g}"
        kind, where = _nearest_minimum(fn, last)
        if not kind:
            return f"the ball comes to rest at θ = {last:.3g}"
        return f"the ball comes to rest in the {kind} minimum at θ = {where:.3g}"

    grid = momenta.grid() if isinstance(momenta, FloatRange) else list(momenta)
    all_runs = [run(m) for m in grid]
    finite_xs = np.concatenate([np.asarray(t.xs[:, 0], dtype=np.float64) for t in all_runs])
    ((b_lo, b_hi),) = np.asarray(fn.bounds, dtype=np.float64)
    y_lo = max(float(finite_xs.min()), b_lo - (b_hi - b_lo))
    y_hi = min(float(finite_xs.max()), b_hi + (b_hi - b_lo))
    pad = 0.06 * (y_hi - y_lo)
    references: dict[str, float] = {}
    for m in np.ravel(getattr(fn, "minima", [])):
        references.setdefault("global minimum", float(m))
    for m in np.ravel(getattr(fn, "local_minima", [])):
        references.setdefault("local minimum", float(m))
    for b in np.ravel(getattr(fn, "barrier", [])):
        references.setdefault("barrier", float(b))

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1, 1.1))
        _, curve = plotting.curve_plot(fn, ax=left, title=f"{name} on {surface_name}")
        _, path = plotting.trajectory_plot(curve, color=plotting.VERMILLION)
        # The ball's positions matter, not the chords between them.
        path.path.set(linestyle="none", markersize=4)
        _, positions = plotting.series_plot(
            {"θ_t": []},
            ax=right,
            references=references,
            colors=[plotting.VERMILLION],
            ylabel=r"position $\theta_t$",
            markers=False,
            ylim=(y_lo - pad, y_hi + pad),
        )
        right.set_xlim(0, steps)
        return fig, {"path": path, "positions": positions, "title": right.title}

    def update(artists: Values, momentum: float) -> None:
        traj = run(momentum)
        artists["path"].set_data(traj)
        artists["positions"].set_series(0, traj.xs[:, 0])
        text = verdict(traj)
        artists["title"].set_text(text[0].upper() + text[1:].split(", at")[0].split(" at θ")[0])

    def describe(momentum: float) -> str:
        return (
            f"{name} with lr={lr:g}, momentum={float(momentum):.4g}, released at "
            f"θ = {float(x_start[0]):.3g} on the {surface_name} curve: "
            f"{verdict(run(momentum))}."
        )

    if caption is None:
        caption = (
            f"{name} (lr = {lr:g}) released at θ = {float(x_start[0]):.3g} on the "
            f"{surface_name} curve for {steps} steps: the points on the curve (left) and the "
            "position against the step (right)."
        )
    return Explorer(
        setup,
        update,
        {"momentum": momenta},
        defaults=None if default is None else {"momentum": default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def _grid_index(grid: np.ndarray, value: float, name: str) -> int:
    matches = np.flatnonzero(np.isclose(grid, value, rtol=1e-9, atol=1e-12))
    if not matches.size:
        raise ValueError(f"{name}={value!r} is not one of the swept values")
    return int(matches[0])


def rate_map_explorer(
    fn: Any,
    result: Any,
    lrs: Any,
    momenta: Any,
    factors: Any,
    *,
    shown_lrs: Sequence[float],
    shown_momenta: Sequence[float],
    defaults: Mapping[str, float] | None = None,
    lines: Mapping[str, tuple[Any, Any]] | None = None,
    points: Mapping[str, tuple[float, float]] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Pick (learning rate, momentum) on the rate map and see that run's path.

    Everything comes from one :func:`optlib.sweep` over the grid
    ``lr=lrs[:, None, None], momentum=momenta[None, :, None]``: left, the map of
    ``factors`` (:func:`optlib.plotting.rate_map_plot`) with a ring on the
    chosen cell; right, the chosen run's path on the surface, with its
    measured factor, or "diverged after k steps". Nothing is recomputed when a
    control moves.

    Parameters
    ----------
    fn : surface
        The 2-D surface that was swept.
    result : SweepResult
        The sweep, with batch shape ``(len(lrs), len(momenta))``.
    lrs, momenta : array_like
        The swept values.
    factors : array_like, shape (len(lrs), len(momenta))
        The factor per step of each run, as measured from ``result``.
    shown_lrs, shown_momenta : sequence of float
        The values on the two sliders; each must be one of the swept values.
    defaults : dict, optional
        ``{"lr": ..., "momentum": ...}`` shown first.
    lines, points
        Drawn over the map, as in :func:`optlib.plotting.rate_map_plot`.
    caption, alt, mode
        As for :class:`Explorer`.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Quadratic, sweep
    >>> lrs, momenta = np.array([0.05, 0.1, 0.3]), np.array([0.0, 0.5])
    >>> result = sweep(Quadratic(), [2.5, 1.0], SGD, steps=40,
    ...                lr=lrs[:, None, None], momentum=momenta[None, :, None])
    >>> factors = (result.final_losses / result.losses[0]) ** (1 / 80)
    >>> explorer = rate_map_explorer(Quadratic(), result, lrs, momenta, factors,
    ...                              shown_lrs=[0.1, 0.3], shown_momenta=[0.0, 0.5],
    ...                              mode="static")
    >>> len(explorer.frames), explorer.alt_text(lr=0.3, momentum=0.0).split(": ")[-1]
    (4, 'the run diverged after 18 steps.')
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    momenta = np.asarray(momenta, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    xs = np.asarray(result.xs)
    expected = (len(lrs), len(momenta))
    if xs.ndim != 4 or xs.shape[1:3] != expected or factors.shape != expected:
        raise ValueError(
            f"result and factors must have batch shape (len(lrs), len(momenta)) = {expected}, "
            f"got result.xs {xs.shape} and factors {factors.shape}"
        )
    lr_index = {float(v): _grid_index(lrs, v, "shown_lrs") for v in shown_lrs}
    momentum_index = {float(v): _grid_index(momenta, v, "shown_momenta") for v in shown_momenta}
    surface_name = getattr(fn, "name", type(fn).__name__)
    steps_taken = np.asarray(result.steps_taken)
    diverged = np.asarray(result.diverged)

    def cell(lr: float, momentum: float) -> tuple[int, int]:
        return lr_index[float(lr)], momentum_index[float(momentum)]

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.2, 1), height=3.6)
        _, rate_map = plotting.rate_map_plot(
            lrs,
            momenta,
            factors,
            ax=left,
            lines=lines,
            points=points,
            colorbar=False,
            title="Factor per step (darker: faster)",
        )
        _, surface = plotting.contour_plot(fn, ax=right, title=surface_name)
        _, path = plotting.trajectory_plot(surface, color=plotting.VERMILLION)
        return fig, {"map": rate_map, "path": path, "title": right.title}

    def verdict(lr: float, momentum: float) -> str:
        i, j = cell(lr, momentum)
        if diverged[i, j]:
            return plotting.diverged_text(int(steps_taken[i, j]))
        return f"factor {factors[i, j]:.3f} per step"

    def update(artists: Values, lr: float, momentum: float) -> None:
        i, j = cell(lr, momentum)
        k = int(steps_taken[i, j])
        artists["map"].set_point(lr, momentum)
        artists["path"].set_data(xs[: k + 1, i, j], diverged=bool(diverged[i, j]), steps=k)
        artists["title"].set_text(f"α = {lr:.3g}, ρ = {momentum:.3g}: {verdict(lr, momentum)}")
        artists["title"].set_fontsize(10)

    def describe(lr: float, momentum: float) -> str:
        i, j = cell(lr, momentum)
        k = int(steps_taken[i, j])
        where = (
            "the run " + plotting.diverged_text(k)
            if diverged[i, j]
            else (
                f"after {k} steps the run is at {point_text(xs[k, i, j])}, "
                f"a {verdict(lr, momentum)}"
            )
        )
        return (
            f"Rate map with a ring at lr = {lr:.3g}, momentum = {momentum:.3g}; the path of that "
            f"run on the {surface_name} surface: {where}."
        )

    def labelled(values: Sequence[float]) -> dict[str, float]:
        return {f"{float(v):.3g}": float(v) for v in values}

    if caption is None:
        caption = (
            f"Left, the measured factor per step of heavy-ball momentum on the {surface_name} "
            "surface over the swept grid; right, the path of the run the ring marks."
        )
    return Explorer(
        setup,
        update,
        {"lr": labelled(shown_lrs), "momentum": labelled(shown_momenta)},
        defaults=None if defaults is None else {k: float(v) for k, v in defaults.items()},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
