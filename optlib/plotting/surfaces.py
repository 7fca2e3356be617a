r"""A surface :math:`J(\theta)` drawn as contours (2-D) or as a curve (1-D).

:func:`surface_plot` chooses between :func:`contour_plot` and
:func:`curve_plot`; runs are drawn on top with
:func:`~optlib.plotting.trajectory_plot`. :func:`check_surface` and
:func:`min_value_of` are what every figure of a surface asks of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from optlib.plotting.finite import HUGE
from optlib.plotting.theme import BLACK, SURFACE_CMAP, axes_or_new, style
from optlib.plotting.words import number_text, point_text, surface_name

if TYPE_CHECKING:  # the overlays a surface keeps; paths.py imports this module
    from optlib.plotting.paths import TrajectoryOverlay

__all__ = [
    "ContourPlot",
    "CurvePlot",
    "check_surface",
    "contour_plot",
    "curve_plot",
    "min_value_of",
    "surface_plot",
]


def min_value_of(fn: Any) -> float:
    """The surface's minimum value :math:`J^*`, for the gap :math:`J - J^*` on log axes.

    ``fn.min_value`` when the surface knows it, else the lowest value at
    ``fn.minima``, else 0.

    Examples
    --------
    >>> from optlib.functions import Himmelblau, Rosenbrock
    >>> min_value_of(Rosenbrock()), min_value_of(Himmelblau())
    (0.0, 0.0)
    """
    value = getattr(fn, "min_value", None)
    if value is not None and np.isfinite(value):
        return float(value)
    minima = getattr(fn, "minima", None)
    if minima is not None and np.size(minima):
        return float(np.min(fn(np.asarray(minima, dtype=np.float64))))
    return 0.0


class ContourPlot:
    """A 2-D surface drawn as filled, log-spaced contours with its minima marked.

    Built by :func:`contour_plot`. Nothing here moves; trajectories are
    overlaid with :func:`~optlib.plotting.trajectory_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    fn : surface
    filled, lines : QuadContourSet
        The filled bands and the contour lines.
    minima : Line2D
        The star markers on the global minimisers.
    levels : ndarray
        The contour levels of :math:`J(\\theta) - J^*`, log-spaced.
    view : ndarray, shape (2, 2)
        ``[[xmin, ymin], [xmax, ymax]]``, the visible box.
    overlays : list of TrajectoryOverlay
        The paths :func:`~optlib.plotting.trajectory_plot` drew on it, in order.
    artists : list of Artist
        The artists a widget moves: none.

    Examples
    --------
    >>> from optlib.functions import Rosenbrock
    >>> fig, plot = contour_plot(Rosenbrock())
    >>> isinstance(plot, ContourPlot), plot.artists
    (True, [])
    """

    dim = 2

    def __init__(self, fn: Any, ax: Axes, levels: int, resolution: int, title: str | None):
        self.fn = fn
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        (x_lo, x_hi), (y_lo, y_hi) = np.asarray(fn.bounds, dtype=np.float64)
        grid_x, grid_y = np.meshgrid(
            np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution)
        )
        values = np.asarray(fn(np.stack([grid_x, grid_y], axis=-1)), dtype=np.float64)
        self.min_value = min_value_of(fn)
        gap = np.clip(np.nan_to_num(values - self.min_value, nan=HUGE), 0.0, HUGE)
        top = float(gap.max()) if gap.max() > 0 else 1.0
        positive = gap[gap > 0]
        bottom = float(np.quantile(positive, 0.002)) if positive.size else top * 1e-6
        bottom = min(max(bottom, top * 1e-6), top / 10)
        self.levels = np.geomspace(bottom, top, levels)
        shown = np.maximum(gap, bottom / 2)
        norm = LogNorm(vmin=bottom, vmax=top)
        with style():
            self.filled = ax.contourf(
                grid_x,
                grid_y,
                shown,
                levels=self.levels,
                norm=norm,
                cmap=SURFACE_CMAP,
                alpha=0.45,
                extend="both",
            )
            self.lines = ax.contour(
                grid_x,
                grid_y,
                shown,
                levels=self.levels,
                norm=norm,
                cmap=SURFACE_CMAP,
                linewidths=0.7,
            )
            minima = np.asarray(getattr(fn, "minima", np.empty((0, 2))), dtype=np.float64)
            (self.minima,) = ax.plot(
                minima[:, 0],
                minima[:, 1],
                linestyle="none",
                marker="*",
                markersize=12,
                color=BLACK,
                markeredgecolor="white",
                markeredgewidth=0.8,
                zorder=4,
            )
            saddle = getattr(fn, "saddle_point", None)
            if saddle is not None:
                saddle = np.asarray(saddle, dtype=np.float64).reshape(-1, 2)
                ax.plot(
                    saddle[:, 0],
                    saddle[:, 1],
                    linestyle="none",
                    marker="P",
                    markersize=9,
                    color=BLACK,
                    markeredgecolor="white",
                    markeredgewidth=0.8,
                    zorder=4,
                )
            ax.set_xlim(x_lo, x_hi)
            ax.set_ylim(y_lo, y_hi)
            ax.set_xlabel(r"$\theta_1$")
            ax.set_ylabel(r"$\theta_2$")
            ax.set_title(title if title is not None else surface_name(fn))
        self.view = np.array([[x_lo, y_lo], [x_hi, y_hi]])
        self.artists: list[Artist] = []
        self.overlays: list[TrajectoryOverlay] = []

    def to_view(self, xs: np.ndarray, losses: np.ndarray | None = None) -> np.ndarray:
        """The points of a run in this plot's coordinates: ``xs`` itself."""
        return xs[:, :2]

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        name = surface_name(self.fn)
        (x_lo, y_lo), (x_hi, y_hi) = self.view
        n_min = len(getattr(self.fn, "minima", ()))
        where = ", ".join(point_text(m) for m in np.asarray(self.fn.minima)) if n_min else "none"
        return (
            f"Contour plot of the {name} surface over theta_1 in "
            f"[{number_text(x_lo)}, {number_text(x_hi)}] and theta_2 in "
            f"[{number_text(y_lo)}, {number_text(y_hi)}], with {len(self.levels)} log-spaced "
            f"levels; stars mark the global {'minimum' if n_min == 1 else 'minima'}: {where}"
        ) + (
            f"; a cross marks the saddle point at {point_text(np.ravel(self.fn.saddle_point))}."
            if getattr(self.fn, "saddle_point", None) is not None
            else "."
        )


class CurvePlot:
    """A 1-D surface drawn as a curve, its global minima starred and local ones circled.

    Built by :func:`curve_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    fn : surface
    line : Line2D
        The curve :math:`J(\\theta)`.
    minima, local_minima : Line2D
    view : ndarray, shape (2, 2)
        ``[[xmin, ymin], [xmax, ymax]]``, the visible box.
    overlays : list of TrajectoryOverlay
        The paths :func:`~optlib.plotting.trajectory_plot` drew on it, in order.
    artists : list of Artist
        The artists a widget moves: none.

    Examples
    --------
    >>> from optlib.functions import DoubleWell
    >>> fig, plot = curve_plot(DoubleWell())
    >>> isinstance(plot, CurvePlot), len(plot.line.get_xdata())
    (True, 400)
    """

    dim = 1

    def __init__(self, fn: Any, ax: Axes, resolution: int, title: str | None):
        self.fn = fn
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        ((x_lo, x_hi),) = np.asarray(fn.bounds, dtype=np.float64)
        grid = np.linspace(x_lo, x_hi, resolution)
        values = np.asarray(fn(grid[:, None]), dtype=np.float64)
        values = np.clip(np.nan_to_num(values, nan=HUGE), -HUGE, HUGE)
        y_lo, y_hi = float(values.min()), float(values.max())
        pad = 0.08 * (y_hi - y_lo) if y_hi > y_lo else 1.0
        y_lo, y_hi = y_lo - pad, y_hi + pad
        minima = np.asarray(getattr(fn, "minima", np.empty((0, 1))), dtype=np.float64)
        local = np.asarray(getattr(fn, "local_minima", np.empty((0, 1))), dtype=np.float64)
        with style():
            (self.line,) = ax.plot(grid, values, color="#555555", linewidth=1.5, zorder=2)
            (self.minima,) = ax.plot(
                minima[:, 0],
                np.asarray(fn(minima)) if minima.size else [],
                linestyle="none",
                marker="*",
                markersize=12,
                color=BLACK,
                markeredgecolor="white",
                markeredgewidth=0.8,
                zorder=4,
                label="global minimum",
            )
            (self.local_minima,) = ax.plot(
                local[:, 0],
                np.asarray(fn(local)) if local.size else [],
                linestyle="none",
                marker="o",
                markersize=7,
                markerfacecolor="white",
                color=BLACK,
                zorder=4,
                label="local minimum",
            )
            ax.set_xlim(x_lo, x_hi)
            ax.set_ylim(y_lo, y_hi)
            ax.set_xlabel(r"$\theta$")
            ax.set_ylabel(r"$J(\theta)$")
            ax.set_title(title if title is not None else surface_name(fn))
        self.view = np.array([[x_lo, y_lo], [x_hi, y_hi]])
        self.artists: list[Artist] = []
        self.overlays: list[TrajectoryOverlay] = []

    def to_view(self, xs: np.ndarray, losses: np.ndarray | None = None) -> np.ndarray:
        """The points of a run in this plot's coordinates: ``(theta, J(theta))``."""
        if losses is None or len(losses) != len(xs):
            with np.errstate(over="ignore", invalid="ignore"):
                losses = np.asarray(self.fn(xs[:, :1]), dtype=np.float64)
        return np.column_stack([xs[:, 0], losses])

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        name = surface_name(self.fn)
        (x_lo, _), (x_hi, _) = self.view
        text = (
            f"Curve of the 1-D {name} surface J(theta) for theta in "
            f"[{number_text(x_lo)}, {number_text(x_hi)}]"
        )
        minima = np.asarray(getattr(self.fn, "minima", ()))
        if minima.size:
            text += "; a star marks the global minimum at theta = " + ", ".join(
                number_text(m) for m in minima[:, 0]
            )
        local = np.asarray(getattr(self.fn, "local_minima", ()))
        if local.size:
            text += "; a circle marks the local minimum at theta = " + ", ".join(
                number_text(m) for m in local[:, 0]
            )
        return text + "."


def check_surface(fn: Any, dim: int | None = None) -> int:
    """The dimension of a surface that can be drawn: 1 or 2 (``dim``, when given).

    Parameters
    ----------
    fn : surface
        A surface from :mod:`optlib.functions` (with ``bounds`` and ``minima``).
    dim : {1, 2}, optional
        The dimension the caller needs.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When ``fn`` is not a surface, or not of a dimension that can be drawn.

    Examples
    --------
    >>> from optlib.functions import DoubleWell, Rosenbrock
    >>> check_surface(Rosenbrock()), check_surface(DoubleWell(), 1)
    (2, 1)
    """
    for attribute in ("bounds", "minima"):
        if not hasattr(fn, attribute):
            raise ValueError(
                f"fn must be a surface from optlib.functions (with .bounds, .minima and "
                f".grad), got {fn!r} without .{attribute}"
            )
    d = len(fn.bounds)
    if d not in (1, 2):
        raise ValueError(f"only 1-D and 2-D surfaces can be drawn, got d={d} for {fn!r}")
    if dim is not None and d != dim:
        raise ValueError(f"this plot needs a {dim}-D surface, got d={d} for {fn!r}")
    return d


def contour_plot(
    fn: Any,
    *,
    ax: Axes | None = None,
    levels: int = 15,
    resolution: int = 200,
    title: str | None = None,
) -> tuple[Figure, ContourPlot]:
    r"""Contours of a 2-D surface with log-spaced levels and its minima starred.

    The levels are of :math:`J(\theta) - J^*` (``fn.min_value``), spaced
    evenly on a log scale, so the floor of a valley is as visible as its walls.

    Parameters
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    levels : int
        Number of contour levels.
    resolution : int
        Grid points per axis.
    title : str, optional
        Defaults to the surface's name.

    Returns
    -------
    fig : Figure
    plot : ContourPlot

    Examples
    --------
    >>> from optlib.functions import Himmelblau
    >>> fig, plot = contour_plot(Himmelblau())
    >>> plot.ax.get_title(), len(plot.levels)
    ('Himmelblau', 15)
    """
    check_surface(fn, 2)
    fig, ax = axes_or_new(ax)
    return fig, ContourPlot(fn, ax, int(levels), int(resolution), title)


def curve_plot(
    fn: Any, *, ax: Axes | None = None, resolution: int = 400, title: str | None = None
) -> tuple[Figure, CurvePlot]:
    """The curve of a 1-D surface, global minima starred and local minima circled.

    Parameters
    ----------
    fn : surface
        A 1-D surface from :mod:`optlib.functions` (``DoubleWell``, a 1-D ``Quadratic``).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    resolution : int
        Points on the curve.
    title : str, optional
        Defaults to the surface's name.

    Returns
    -------
    fig : Figure
    plot : CurvePlot

    Examples
    --------
    >>> from optlib.functions import DoubleWell
    >>> fig, plot = curve_plot(DoubleWell())
    >>> plot.ax.get_title()
    'DoubleWell'
    """
    check_surface(fn, 1)
    fig, ax = axes_or_new(ax)
    return fig, CurvePlot(fn, ax, int(resolution), title)


def surface_plot(
    fn: Any, *, ax: Axes | None = None, title: str | None = None
) -> tuple[Figure, ContourPlot | CurvePlot]:
    """:func:`contour_plot` for a 2-D surface, :func:`curve_plot` for a 1-D one.

    Examples
    --------
    >>> from optlib.functions import DoubleWell, Saddle
    >>> type(surface_plot(Saddle())[1]).__name__, type(surface_plot(DoubleWell())[1]).__name__
    ('ContourPlot', 'CurvePlot')
    """
    if check_surface(fn) == 2:
        return contour_plot(fn, ax=ax, title=title)
    return curve_plot(fn, ax=ax, title=title)
