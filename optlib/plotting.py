r"""The book's figures, in one style.

Every figure in the book is drawn by the builders here, so that the chapters
share one palette, one type size and one way of showing a run that diverged.

Palette
    The Okabe–Ito colours (:data:`OKABE_ITO`), which stay distinguishable for
    the common forms of colour blindness. :data:`COLORS` is the order in which
    lines take them; yellow is left out of it because it is too pale on white.
    Surfaces are filled with ``cividis``, a sequential map designed for
    colour-blind readers, lightened so that every line colour stands out on it.
Dark mode
    Figures are opaque: white figure and axes backgrounds, black text. On the
    theme's dark mode a figure is a white card, rather than black text lost on
    a dark page (which is what a transparent PNG gives).
Style
    :func:`style` applies the book's rcParams inside a ``with`` block only;
    importing this module changes nothing global. Every builder uses it.
Builders
    Each returns ``(figure, artists)``: the Figure and an object holding the
    artists a widget moves (``.artists``), a ``set_data``-like method to move
    them, and ``.alt()``, a one-sentence description of what is drawn, for the
    figure's alt text. A builder draws on ``ax`` when given one, else on a new
    figure.

Nothing passed to Matplotlib is ever NaN or infinite: a run that diverged is
drawn up to its last finite point and labelled "diverged after k steps".

Examples
--------
>>> from optlib.functions import Rosenbrock
>>> fig, (left, right) = side_by_side(2)
>>> _, surface = contour_plot(Rosenbrock(), ax=left)
>>> _, path = trajectory_plot(surface, [[-1.5, 2.0], [-1.0, 1.5], [0.0, 0.5]])
>>> _, losses = loss_plot([[5.0, 2.0, 1.0]], ax=right, min_value=0.0)
>>> path.alt()
'Path of 3 points from (-1.5, 2) to (0, 0.5).'
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from optlib.training import count

__all__ = [
    "BLACK",
    "BLUE",
    "COLORS",
    "DPI",
    "GREEN",
    "HEIGHT",
    "OKABE_ITO",
    "ORANGE",
    "PURPLE",
    "RC",
    "SKY_BLUE",
    "SURFACE_CMAP",
    "VERMILLION",
    "WIDTH",
    "YELLOW",
    "ContourPlot",
    "CurvePlot",
    "LossPlot",
    "TrajectoryOverlay",
    "contour_plot",
    "curve_plot",
    "diverged_text",
    "loss_plot",
    "side_by_side",
    "style",
    "surface_plot",
    "trajectory_plot",
]

# --- palette and style -------------------------------------------------------

#: The Okabe–Ito palette (Okabe and Ito 2008), colour-blind safe.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: Okabe–Ito black, by name.
BLACK = OKABE_ITO["black"]
#: Okabe–Ito orange, by name.
ORANGE = OKABE_ITO["orange"]
#: Okabe–Ito sky blue, by name.
SKY_BLUE = OKABE_ITO["sky_blue"]
#: Okabe–Ito green, by name.
GREEN = OKABE_ITO["green"]
#: Okabe–Ito yellow, by name.
YELLOW = OKABE_ITO["yellow"]
#: Okabe–Ito blue, by name.
BLUE = OKABE_ITO["blue"]
#: Okabe–Ito vermillion, by name.
VERMILLION = OKABE_ITO["vermillion"]
#: Okabe–Ito purple, by name.
PURPLE = OKABE_ITO["purple"]

#: The order in which lines take colours (yellow is too pale on white).
COLORS: tuple[str, ...] = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK)
#: Colour map of surface fills, sequential and colour-blind safe.
SURFACE_CMAP = "cividis"

#: Width of a full-width book figure, in inches.
WIDTH = 8.0
#: Height of a one-row book figure, in inches.
HEIGHT = 3.2
#: Resolution of the book's figures, in dots per inch.
DPI = 100

#: The rcParams every figure is drawn with (applied locally by :func:`style`).
RC: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.prop_cycle": cycler(color=list(COLORS)),
    "image.cmap": SURFACE_CMAP,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "text.color": BLACK,
    "axes.labelcolor": BLACK,
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "svg.hashsalt": "optlib",
}

# Values are clipped to this before they reach Matplotlib: a huge but finite
# number still overflows Agg's pixel arithmetic, and a log axis cannot show 0.
_HUGE = 1e300
# A path is cut where it leaves its view box enlarged by this many spans on
# every side; the part beyond is far outside the visible axes anyway.
_FAR = 20.0


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply the book's rcParams (:data:`RC`) inside a ``with`` block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with style():
    ...     mpl.rcParams["axes.spines.top"]
    False
    """
    # The first figure of a session loads the backend, and IPython's inline
    # backend then switches interactive mode on. rc_context would undo that on
    # exit (it spares only "backend"), and every later figure would silently
    # stop showing in the notebook; so interactive mode survives the block.
    interactive = mpl.is_interactive()
    try:
        with mpl.rc_context(RC):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        mpl.interactive(interactive)


def _new_figure(width: float, height: float) -> Figure:
    """A pyplot figure (so the inline backend shows it), in the book's style."""
    import matplotlib.pyplot as plt

    with style():
        return plt.figure(figsize=(width, height), dpi=DPI, layout="constrained")


def side_by_side(
    n: int = 2,
    *,
    width: float = WIDTH,
    height: float = HEIGHT,
    width_ratios: Sequence[float] | None = None,
) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` axes side by side, at book width.

    Parameters
    ----------
    n : int
        Number of panels.
    width, height : float
        Figure size in inches (the book's column is :data:`WIDTH` wide).
    width_ratios : sequence of float, optional
        Relative widths of the panels.

    Returns
    -------
    fig : Figure
    axes : list of Axes
        Always a list, also for ``n=1``.

    Examples
    --------
    >>> fig, axes = side_by_side(3)
    >>> len(axes), fig.get_size_inches().tolist()
    (3, [8.0, 3.2])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if width_ratios is not None and len(width_ratios) != n:
        raise ValueError(f"width_ratios must have n={n} entries, got {len(width_ratios)}")
    fig = _new_figure(width, height)
    with style():
        axes = fig.subplots(1, n, squeeze=False, width_ratios=width_ratios)[0]
    return fig, list(axes)


def _axes(ax: Axes | None, width: float = WIDTH / 2 + 0.5) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(root=True), ax
    fig, (new,) = side_by_side(1, width=width)
    return fig, new


# --- small helpers -------------------------------------------------------------


def _fmt(value: float) -> str:
    """A number as a reader writes it: 0.5, 1e-05, 1.2e+03."""
    return f"{float(value):.3g}"


def _point(p: np.ndarray) -> str:
    return "(" + ", ".join(_fmt(v) for v in p) + ")"


def diverged_text(steps: int) -> str:
    """The words the book uses for a run that blew up.

    Examples
    --------
    >>> diverged_text(7)
    'diverged after 7 steps'
    >>> diverged_text(1)
    'diverged after 1 step'
    """
    return f"diverged after {count(int(steps), 'step')}"


def _stack_statuses(statuses: Sequence[Text], side: str) -> None:
    """Put the non-empty status texts in consecutive rows from the top corner."""
    row = 0
    for text in statuses:
        if text.get_text():
            text.set_position((0.02 if side == "left" else 0.98, 0.97 - 0.085 * row))
            row += 1


def _finite_prefix(array: np.ndarray) -> np.ndarray:
    """The rows before the first row that holds a NaN or an infinity."""
    bad = ~np.isfinite(array)
    if bad.ndim > 1:
        bad = bad.any(axis=tuple(range(1, bad.ndim)))
    if bad.any():
        return array[: int(np.argmax(bad))]
    return array


def _cut_at_box(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Keep a polyline up to where it first leaves the box [low, high].

    The segment that leaves is kept up to the box's edge, so what is drawn
    inside the box is exactly the original path.
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
    for lo, hi, start, step in zip(low, high, a, direction, strict=True):
        if step > 0:
            t = min(t, (hi - start) / step)
        elif step < 0:
            t = min(t, (lo - start) / step)
    edge = np.clip(a + max(t, 0.0) * direction, low, high)
    return np.vstack([points[:k], edge])


def _run_fields(
    run: Any, diverged: bool | None, steps: int | None
) -> tuple[np.ndarray | None, np.ndarray | None, bool, int | None]:
    """Unpack a Trajectory-like object or a bare array: (xs, losses, diverged, steps)."""
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


def _min_value(fn: Any) -> float:
    """The surface's minimum value, for the gap J - J* on log axes."""
    value = getattr(fn, "min_value", None)
    if value is not None and np.isfinite(value):
        return float(value)
    minima = getattr(fn, "minima", None)
    if minima is not None and np.size(minima):
        return float(np.min(fn(np.asarray(minima, dtype=np.float64))))
    return 0.0


# --- surfaces ------------------------------------------------------------------


class ContourPlot:
    """A 2-D surface drawn as filled, log-spaced contours with its minima marked.

    Built by :func:`contour_plot`. Nothing here moves; trajectories are
    overlaid with :func:`trajectory_plot`.

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
        self.min_value = _min_value(fn)
        gap = np.clip(np.nan_to_num(values - self.min_value, nan=_HUGE), 0.0, _HUGE)
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
            ax.set_title(title if title is not None else getattr(fn, "name", type(fn).__name__))
        self.view = np.array([[x_lo, y_lo], [x_hi, y_hi]])
        self.artists: list[Artist] = []
        self._overlays: list[TrajectoryOverlay] = []

    def to_view(self, xs: np.ndarray, losses: np.ndarray | None = None) -> np.ndarray:
        """The points of a run in this plot's coordinates: ``xs`` itself."""
        return xs[:, :2]

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        name = getattr(self.fn, "name", type(self.fn).__name__)
        (x_lo, y_lo), (x_hi, y_hi) = self.view
        n_min = len(getattr(self.fn, "minima", ()))
        where = ", ".join(_point(m) for m in np.asarray(self.fn.minima)) if n_min else "none"
        return (
            f"Contour plot of the {name} surface over theta_1 in [{_fmt(x_lo)}, {_fmt(x_hi)}] "
            f"and theta_2 in [{_fmt(y_lo)}, {_fmt(y_hi)}], with {len(self.levels)} log-spaced "
            f"levels; stars mark the global {'minimum' if n_min == 1 else 'minima'}: {where}"
        ) + (
            f"; a cross marks the saddle point at {_point(np.ravel(self.fn.saddle_point))}."
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
        values = np.clip(np.nan_to_num(values, nan=_HUGE), -_HUGE, _HUGE)
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
            ax.set_title(title if title is not None else getattr(fn, "name", type(fn).__name__))
        self.view = np.array([[x_lo, y_lo], [x_hi, y_hi]])
        self.artists: list[Artist] = []
        self._overlays: list[TrajectoryOverlay] = []

    def to_view(self, xs: np.ndarray, losses: np.ndarray | None = None) -> np.ndarray:
        """The points of a run in this plot's coordinates: ``(theta, J(theta))``."""
        if losses is None or len(losses) != len(xs):
            with np.errstate(over="ignore", invalid="ignore"):
                losses = np.asarray(self.fn(xs[:, :1]), dtype=np.float64)
        return np.column_stack([xs[:, 0], losses])

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        name = getattr(self.fn, "name", type(self.fn).__name__)
        (x_lo, _), (x_hi, _) = self.view
        text = (
            f"Curve of the 1-D {name} surface J(theta) for theta in [{_fmt(x_lo)}, {_fmt(x_hi)}]"
        )
        minima = np.asarray(getattr(self.fn, "minima", ()))
        if minima.size:
            text += "; a star marks the global minimum at theta = " + ", ".join(
                _fmt(m) for m in minima[:, 0]
            )
        local = np.asarray(getattr(self.fn, "local_minima", ()))
        if local.size:
            text += "; a circle marks the local minimum at theta = " + ", ".join(
                _fmt(m) for m in local[:, 0]
            )
        return text + "."


def _check_surface(fn: Any, dim: int | None = None) -> int:
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
    _check_surface(fn, 2)
    fig, ax = _axes(ax)
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
    _check_surface(fn, 1)
    fig, ax = _axes(ax)
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
    if _check_surface(fn) == 2:
        return contour_plot(fn, ax=ax, title=title)
    return curve_plot(fn, ax=ax, title=title)


# --- trajectories ----------------------------------------------------------------


class TrajectoryOverlay:
    """A run's path drawn over a surface: line, start marker, end marker, status text.

    Built by :func:`trajectory_plot`. :meth:`set_data` moves everything to a
    new run without touching the contours, so a widget only redraws these.

    Attributes
    ----------
    path, start, end : Line2D
    status : Text
        Empty, or "diverged after k steps" (prefixed by the label, if any).
    artists : list of Artist
        ``[path, start, end, status]``, the artists that move.

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> fig, surface = contour_plot(Quadratic())
    >>> _, path = trajectory_plot(surface, [[2.0, 1.0], [1.0, -1.0], [0.5, 0.5]])
    >>> isinstance(path, TrajectoryOverlay), path.end.get_xydata().tolist()
    (True, [[0.5, 0.5]])
    """

    def __init__(
        self,
        surface: ContourPlot | CurvePlot,
        color: str,
        label: str | None,
        row: int,
        markers: bool,
    ):
        self.surface = surface
        self.label = label
        ax = surface.ax
        with style():
            (self.path,) = ax.plot(
                [],
                [],
                color=color,
                linewidth=1.6,
                marker="o" if markers else None,
                markersize=2.5,
                zorder=5,
                label=label,
            )
            (self.start,) = ax.plot(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=color,
                markeredgewidth=1.8,
                zorder=6,
            )
            (self.end,) = ax.plot(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=6,
                color=color,
                markeredgecolor="white",
                markeredgewidth=0.8,
                zorder=6,
            )
            self.status = ax.text(
                0.02,
                0.97 - 0.085 * row,
                "",
                transform=ax.transAxes,
                color=color,
                fontsize=9,
                fontweight="bold",
                va="top",
                ha="left",
                zorder=7,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
            )
        self.artists: list[Artist] = [self.path, self.start, self.end, self.status]
        self._n_points = 0
        self._first: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._diverged = False
        self._steps = 0

    def set_data(
        self,
        run: Any,
        *,
        losses: Any = None,
        diverged: bool | None = None,
        steps: int | None = None,
    ) -> None:
        """Move the overlay to a new run.

        Parameters
        ----------
        run : Trajectory or array_like, shape (n, d)
            A result of :func:`optlib.minimize` (its ``xs``, ``losses``,
            ``diverged`` and ``steps`` are used), or the points themselves.
        losses : array_like, shape (n,), optional
            For a 1-D surface, the heights of the points (computed when omitted).
        diverged : bool, optional
            Overrides the run's flag; adds "diverged after k steps".
        steps : int, optional
            The k in that sentence (default: the number of steps drawn).
        """
        xs, run_losses, diverged, steps = _run_fields(run, diverged, steps)
        if xs is None:
            xs = np.asarray(run, dtype=np.float64)
        if losses is not None:
            run_losses = np.asarray(losses, dtype=np.float64)
        xs = xs.reshape(len(xs), -1) if xs.size else np.empty((0, self.surface.dim))
        xs = _finite_prefix(xs)
        if run_losses is not None:
            run_losses = run_losses[: len(xs)]
            n_ok = len(_finite_prefix(run_losses))
            xs, run_losses = xs[:n_ok], run_losses[:n_ok]
        points = self.surface.to_view(xs, run_losses) if len(xs) else np.empty((0, 2))
        points = _finite_prefix(points)
        low, high = self.surface.view
        span = high - low
        points = _cut_at_box(points, low - _FAR * span, high + _FAR * span)
        self.path.set_data(points[:, 0], points[:, 1])
        self.start.set_data(points[:1, 0], points[:1, 1])
        self.end.set_data(points[-1:, 0], points[-1:, 1])
        # A run that ends normally ends on a dot; one that blew up on a cross.
        self.end.set_marker("X" if diverged else "o")
        self.end.set_markersize(9 if diverged else 6)
        self._n_points = len(xs)
        self._first = xs[0] if len(xs) else None
        self._last = xs[-1] if len(xs) else None
        self._diverged = diverged
        self._steps = max(len(xs) - 1, 0) if steps is None else int(steps)
        prefix = f"{self.label}: " if self.label else ""
        self.status.set_text(prefix + diverged_text(self._steps) if diverged else "")
        _stack_statuses([overlay.status for overlay in self.surface._overlays], "left")

    def alt(self) -> str:
        """A one-sentence description of the drawn path, for alt text."""
        who = f"{self.label}'s path" if self.label else "Path"
        if self._first is None or self._last is None:
            return f"{who}: no points."
        text = f"{who} of {count(self._n_points, 'point')} from {_point(self._first)}"
        if self._diverged:
            return text + f"; the run {diverged_text(self._steps)} and leaves the plot."
        return text + f" to {_point(self._last)}."


def trajectory_plot(
    surface: ContourPlot | CurvePlot,
    run: Any = None,
    *,
    color: str | None = None,
    label: str | None = None,
    markers: bool = True,
) -> tuple[Figure, TrajectoryOverlay]:
    """Overlay a run's path on a surface drawn by :func:`surface_plot`.

    On a 2-D surface the path joins the points :math:`\\theta_t`; on a 1-D
    surface it joins :math:`(\\theta_t, J(\\theta_t))` on the curve. The start
    is a hollow circle, the end a cross. A diverged run is drawn up to its last
    finite point and the words "diverged after k steps" appear in the corner.

    Parameters
    ----------
    surface : ContourPlot or CurvePlot
        What :func:`contour_plot`, :func:`curve_plot` or :func:`surface_plot` returned.
    run : Trajectory or array_like, shape (n, d), optional
        Drawn right away when given; later runs go through ``overlay.set_data``.
    color : str, optional
        Defaults to the next colour of :data:`COLORS`.
    label : str, optional
        Legend label, also prefixed to the status text.
    markers : bool
        Draw a small dot at every step.

    Returns
    -------
    fig : Figure
    overlay : TrajectoryOverlay

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> fig, surface = contour_plot(Quadratic())
    >>> _, path = trajectory_plot(surface, [[2.0, 1.0], [1.0, -1.0]])
    >>> path.set_data([[2.0, 1.0], [-2.0, 5.0], [9.0, -30.0]], diverged=True)
    >>> path.status.get_text()
    'diverged after 2 steps'
    """
    if not isinstance(surface, ContourPlot | CurvePlot):
        raise ValueError(
            "surface must be what contour_plot, curve_plot or surface_plot returned "
            f"(its second element), got {type(surface).__name__}"
        )
    row = len(surface._overlays)
    if color is None:
        color = COLORS[row % len(COLORS)]
    overlay = TrajectoryOverlay(surface, color, label, row, markers)
    surface._overlays.append(overlay)
    if run is not None:
        overlay.set_data(run)
    return surface.fig, overlay


# --- loss curves -------------------------------------------------------------------


class LossPlot:
    r"""Loss curves on a log axis, one line per run, diverged runs labelled.

    Built by :func:`loss_plot`. Runs may have different lengths. With
    ``min_value`` the curve is the gap :math:`J(\theta_t) - J^*`, which a log
    axis can show all the way down; values are clipped to a positive floor
    so that an exact zero still draws.

    Attributes
    ----------
    fig, ax : Figure, Axes
    lines, ends : list of Line2D
        One curve and one end marker per run.
    statuses : list of Text
        "diverged after k steps" for a diverged run, else empty.
    artists : list of Artist
        Everything that moves: lines, end markers and status texts.

    Examples
    --------
    >>> fig, plot = loss_plot([[4.0, 1.0, 0.25]])
    >>> isinstance(plot, LossPlot), len(plot.artists)  # line, end marker, status
    (True, 3)
    """

    def __init__(
        self,
        ax: Axes,
        n_runs: int,
        labels: Sequence[str | None],
        colors: Sequence[str],
        min_value: float | None,
        steps: int | None,
        ylim: tuple[float, float] | None,
        title: str,
    ):
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        self.min_value = min_value
        self.labels = list(labels)
        self.fixed = ylim is not None
        self._floor = ylim[0] / 10 if ylim is not None else None
        self.lines: list[Line2D] = []
        self.ends: list[Line2D] = []
        self.statuses: list[Text] = []
        with style():
            for i in range(n_runs):
                color = colors[i % len(colors)]
                (line,) = ax.plot([], [], color=color, linewidth=1.6, label=self.labels[i])
                (end,) = ax.plot([], [], linestyle="none", marker="X", markersize=8, color=color)
                status = ax.text(
                    0.98,
                    0.97 - 0.085 * i,
                    "",
                    transform=ax.transAxes,
                    color=color,
                    fontsize=9,
                    fontweight="bold",
                    ha="right",
                    va="top",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
                )
                self.lines.append(line)
                self.ends.append(end)
                self.statuses.append(status)
            ax.set_yscale("log")
            ax.set_xlabel("step $t$")
            ax.set_ylabel(r"$J(\theta_t) - J^*$" if min_value is not None else "loss")
            ax.set_title(title)
            ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
            if steps is not None:
                ax.set_xlim(0, max(int(steps), 1))
            if ylim is not None:
                ax.set_ylim(*ylim)
            if any(label for label in self.labels):
                if self.fixed:  # the curves will move: keep the legend off them
                    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
                else:
                    ax.legend(loc="best")
        self.artists: list[Artist] = [*self.lines, *self.ends, *self.statuses]
        self._summaries: list[str] = [""] * n_runs

    def set_run(
        self, i: int, run: Any, *, diverged: bool | None = None, steps: int | None = None
    ) -> None:
        """Show run ``i``: a Trajectory (its ``losses``, ``diverged``, ``steps``) or a loss array.

        Parameters
        ----------
        i : int
            Which line.
        run : Trajectory or array_like, shape (n,)
        diverged : bool, optional
            Overrides the run's flag.
        steps : int, optional
            The k of "diverged after k steps" (default: the steps drawn).
        """
        _, losses, diverged, steps = _run_fields(run, diverged, steps)
        if losses is None:
            losses = np.asarray(run, dtype=np.float64).reshape(-1)
        losses = _finite_prefix(losses)
        values = losses - self.min_value if self.min_value is not None else losses
        floor = self._floor
        if floor is None:
            positive = values[values > 0]
            floor = max(float(positive.max()) * 1e-16, 1e-300) if positive.size else 1e-16
        values = np.clip(values, floor, _HUGE)
        k = max(len(values) - 1, 0) if steps is None else int(steps)
        label = self.labels[i]
        who = label or f"run {i + 1}"
        if not len(values):
            self._summaries[i] = f"{who} has no finite loss"
        elif diverged:
            self._summaries[i] = f"{who} {diverged_text(k)}"
        else:
            self._summaries[i] = (
                f"{who} goes from {_fmt(values[0])} to {_fmt(values[-1])} "
                f"in {count(len(values) - 1, 'step')}"
            )
        t = np.arange(len(values), dtype=np.float64)
        if self.fixed and len(values):
            # With a fixed axis a run that blows up is cut where it crosses the
            # top, so its end marker sits on the edge instead of off the plot.
            top = math.log10(self.ax.get_ylim()[1])
            cut = _cut_at_box(
                np.column_stack([t, np.log10(values)]),
                np.array([-np.inf, -np.inf]),
                np.array([np.inf, top]),
            )
            t, values = cut[:, 0], 10.0 ** cut[:, 1]
        self.lines[i].set_data(t, values)
        if diverged and len(values):
            self.ends[i].set_data(t[-1:], values[-1:])
        else:
            self.ends[i].set_data([], [])
        prefix = f"{label}: " if label and len(self.lines) > 1 else ""
        self.statuses[i].set_text(prefix + diverged_text(k) if diverged else "")
        _stack_statuses(self.statuses, "right")
        if not self.fixed:
            self._autoscale()

    def set_runs(self, runs: Sequence[Any]) -> None:
        """Show several runs at once, one per line."""
        if len(runs) != len(self.lines):
            raise ValueError(f"expected {len(self.lines)} runs, got {len(runs)}")
        for i, run in enumerate(runs):
            self.set_run(i, run)

    def _autoscale(self) -> None:
        data = [line.get_ydata() for line in self.lines if len(line.get_ydata())]
        if not data:
            return
        values = np.concatenate([np.asarray(d, dtype=np.float64) for d in data])
        lo, hi = float(values.min()), float(values.max())
        # A diverged run would squash every other curve against the floor:
        # show at most four decades above the highest starting value.
        start = max(float(d[0]) for d in data)
        hi = min(hi, start * 1e4)
        if hi <= lo:
            lo, hi = lo / 10, hi * 10
        self.ax.set_ylim(lo / 2, hi * 2)
        longest = max(len(d) for d in data)
        self.ax.set_xlim(0, max(longest - 1, 1))

    def alt(self) -> str:
        """A one-sentence description of the curves, for alt text."""
        what = "the gap J(theta_t) - J*" if self.min_value is not None else "the loss"
        runs = "; ".join(s for s in self._summaries if s) or "no runs yet"
        return f"Log-scale plot of {what} against the step t: {runs}."


def loss_plot(
    runs: Sequence[Any] = (),
    *,
    ax: Axes | None = None,
    n_runs: int | None = None,
    labels: Sequence[str | None] | None = None,
    colors: Sequence[str] | None = None,
    min_value: float | None = None,
    steps: int | None = None,
    ylim: tuple[float, float] | None = None,
    title: str = "Loss",
) -> tuple[Figure, LossPlot]:
    r"""Loss curves on a log axis for runs of any lengths, diverged runs labelled.

    Parameters
    ----------
    runs : sequence of Trajectory or array_like
        The runs drawn now (each a result of :func:`optlib.minimize` or a 1-D
        array of losses). Pass ``n_runs`` instead to draw later with
        ``plot.set_run``.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    n_runs : int, optional
        Number of lines (default ``len(runs)``).
    labels : sequence of str, optional
        Legend labels; the legend is drawn when any is given.
    colors : sequence of str, optional
        Defaults to :data:`COLORS`.
    min_value : float, optional
        :math:`J^*`: when given the curves are :math:`J(\theta_t) - J^*`.
    steps : int, optional
        Fix the x axis to ``[0, steps]`` (widgets: no rescaling between frames).
    ylim : (float, float), optional
        Fix the y axis; values outside run off the axes. Without it, every
        ``set_run`` rescales the axes to the data.
    title : str

    Returns
    -------
    fig : Figure
    plot : LossPlot

    Examples
    --------
    >>> fig, plot = loss_plot([[4.0, 1.0, 0.25], [4.0, 30.0]], labels=["a", "b"])
    >>> plot.set_run(1, [4.0, 30.0, 900.0], diverged=True)
    >>> plot.statuses[1].get_text()
    'b: diverged after 2 steps'
    """
    n = len(runs) if n_runs is None else int(n_runs)
    if n < 1:
        raise ValueError("loss_plot needs at least one run (or n_runs >= 1)")
    if len(runs) > n:
        raise ValueError(f"got {len(runs)} runs for n_runs={n}")
    if labels is None:
        labels = [None] * n
    if len(labels) != n:
        raise ValueError(f"labels must have {n} entries, got {len(labels)}")
    if ylim is not None and not (0 < ylim[0] < ylim[1] and math.isfinite(ylim[1])):
        raise ValueError(f"ylim must be (low, high) with 0 < low < high, got {ylim!r}")
    fig, ax = _axes(ax)
    plot = LossPlot(ax, n, labels, colors or COLORS, min_value, steps, ylim, title)
    for i, run in enumerate(runs):
        plot.set_run(i, run)
    return fig, plot


# --- chapter figures ---------------------------------------------------------------

__all__ += ["Panels", "history_plot", "rate_plot", "runs_side_by_side"]


class Panels:
    """Several panels drawn by one builder; ``.alt()`` describes them all.

    Attributes
    ----------
    fig : Figure
    axes : list of Axes
    parts : list
        What each panel's builder returned (overlays, loss plots, ...).

    Examples
    --------
    >>> from optlib import SGD, Quadratic, minimize
    >>> fn = Quadratic([[4.0]])
    >>> run = minimize(fn, [1.0], SGD, steps=5, lr=0.2)
    >>> fig, panels = runs_side_by_side(fn, {"lr = 0.2": run})
    >>> isinstance(panels, Panels), len(panels.axes)
    (True, 1)
    """

    def __init__(self, fig: Figure, axes: list[Axes], parts: list[Any], summary: str):
        self.fig, self.axes, self.parts = fig, axes, parts
        self._summary = summary

    @property
    def artists(self) -> list[Artist]:
        """The artists a widget moves, from every panel."""
        return [artist for part in self.parts for artist in getattr(part, "artists", [])]

    def alt(self) -> str:
        """One description of every panel, for the figure's alt text."""
        described = " ".join(part.alt() for part in self.parts if hasattr(part, "alt"))
        return f"{self._summary} {described}".strip()


def runs_side_by_side(
    fn: Any, runs: Mapping[str, Any], *, height: float = HEIGHT
) -> tuple[Figure, Panels]:
    """One panel per run: the surface, that run's path, and the run's name as title.

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    runs : dict of str to Trajectory
        Title of each panel and the run drawn in it, in order.
    height : float
        Figure height in inches.

    Examples
    --------
    >>> from optlib import SGD, Quadratic, minimize
    >>> fn = Quadratic([[4.0]])
    >>> runs = {f"lr = {lr}": minimize(fn, [1.0], SGD, steps=8, lr=lr) for lr in (0.2, 0.55)}
    >>> fig, panels = runs_side_by_side(fn, runs)
    >>> [ax.get_title() for ax in panels.axes]
    ['lr = 0.2', 'lr = 0.55']
    """
    if not runs:
        raise ValueError("runs_side_by_side needs at least one run")
    fig, axes = side_by_side(len(runs), height=height)
    parts = []
    for ax, (title, run), color in zip(axes, runs.items(), COLORS, strict=False):
        _, surface = surface_plot(fn, ax=ax, title=title)
        _, overlay = trajectory_plot(surface, run, color=color)
        parts.append(overlay)
    names = ", ".join(runs)
    return fig, Panels(fig, axes, parts, f"{len(runs)} panels ({names}) on {_name(fn)}.")


def _name(fn: Any) -> str:
    return getattr(fn, "name", type(fn).__name__)


def history_plot(
    histories: Mapping[str, Any], *, title: str = "Training loss"
) -> tuple[Figure, Panels]:
    """Compare :func:`optlib.fit` runs: per epoch (equal work) and per step (equal updates).

    Left, the full-data loss after each epoch, the initial loss at epoch 0:
    every method has then seen each example once per epoch. Right, the loss of
    the mini-batch each step was computed on, against the step number (log
    axis): an update of stochastic descent is cheap and noisy, an update of
    batch descent expensive and smooth.

    Parameters
    ----------
    histories : dict of str to History
        Label of each run and its history, in order.
    title : str
        Title of the left panel.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, LinearRegression, fit, mse
    >>> X = np.linspace(-1, 1, 20)[:, None]; y = 3 * X[:, 0]
    >>> runs = {str(b): fit(LinearRegression(1), mse, X, y, SGD, epochs=3, batch_size=b, lr=0.1)
    ...         for b in (None, 4)}
    >>> fig, panels = history_plot(runs)
    >>> len(panels.axes)
    2
    """
    if not histories:
        raise ValueError("history_plot needs at least one history")
    fig, (per_epoch, per_step) = side_by_side(2)
    labels = list(histories)
    colors = COLORS[: len(labels)]
    epoch_curves = [
        np.concatenate([[h.initial_loss], np.asarray(h.epoch_losses)]) for h in histories.values()
    ]
    _, epochs = loss_plot(epoch_curves, ax=per_epoch, labels=labels, colors=colors, title=title)
    per_epoch.set_xlabel("epoch")
    per_epoch.set_ylabel("loss on the whole data set")
    with style():
        for label, history, color in zip(labels, histories.values(), colors, strict=True):
            losses = _finite_prefix(np.asarray(history.losses, dtype=float))
            steps = np.arange(1, len(losses) + 1)
            per_step.plot(
                steps,
                np.clip(losses, 1e-300, _HUGE),
                color=color,
                linewidth=0.8,
                alpha=0.85,
                label=label,
            )
        per_step.set(
            xscale="log",
            yscale="log",
            xlabel="optimizer step",
            ylabel="mini-batch loss",
            title="Each update",
        )
    summary = (
        f"Loss curves of {len(labels)} training runs ({', '.join(labels)}): per epoch on the "
        "left, per optimizer step on a log axis on the right."
    )
    return fig, Panels(fig, [per_epoch, per_step], [epochs], summary)


def rate_plot(
    lrs: Any,
    predicted: Any,
    measured: Any,
    *,
    limit: float | None = None,
    title: str = "Contraction per step",
) -> tuple[Figure, Panels]:
    r"""Predicted against measured contraction factor per step, over learning rates.

    A factor below 1 means the run converges (geometrically, at that rate); above
    1, it diverges. ``limit`` marks the predicted stability limit, e.g.
    :math:`2/L` for gradient descent on a quadratic.

    Parameters
    ----------
    lrs : array_like, shape (k,)
        Learning rates (x axis, log scale).
    predicted, measured : array_like, shape (k,)
        The factor from theory, and the one measured from runs; non-finite
        measured entries (runs that overflowed) are left out.
    limit : float, optional
        A vertical line at this learning rate.
    title : str

    Examples
    --------
    >>> import numpy as np
    >>> lrs = np.array([0.1, 0.2, 0.3])
    >>> fig, panels = rate_plot(lrs, abs(1 - 10 * lrs), abs(1 - 10 * lrs), limit=0.2)
    >>> panels.alt()[:40]
    'Predicted and measured contraction facto'
    """
    lrs = np.asarray(lrs, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    measured = np.asarray(measured, dtype=float)
    if not (lrs.shape == predicted.shape == measured.shape) or lrs.ndim != 1:
        raise ValueError(
            "lrs, predicted and measured must be 1-D of one length, got "
            f"{lrs.shape}, {predicted.shape}, {measured.shape}"
        )
    fig, (ax,) = side_by_side(1, width=WIDTH * 0.7)
    finite = np.isfinite(measured) & (measured > 0)
    with style():
        ax.plot(lrs, np.clip(predicted, 1e-300, _HUGE), color=BLUE, linewidth=2, label="predicted")
        ax.plot(
            lrs[finite],
            measured[finite],
            linestyle="none",
            marker="o",
            markersize=4,
            color=VERMILLION,
            label="measured",
        )
        ax.axhline(1.0, color="0.3", linewidth=0.8, linestyle=":")
        if limit is not None:
            ax.axvline(
                limit, color=GREEN, linewidth=1.2, linestyle="--", label=f"limit {_fmt(limit)}"
            )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="learning rate",
            ylabel="factor per step",
            title=title,
        )
        ax.legend(loc="best", fontsize=9)
    summary = (
        f"Predicted and measured contraction factor per step for {len(lrs)} learning rates "
        f"from {_fmt(lrs.min())} to {_fmt(lrs.max())}"
        + (f", with the stability limit at {_fmt(limit)}." if limit is not None else ".")
    )
    return fig, Panels(fig, [ax], [], summary)


# --- adaptive optimizers: state over a run, per-coordinate curves --------------------
# Added for the Adagrad and RMSProp chapters.

__all__ += ["CoordinatePlot", "coordinate_plot"]


class CoordinatePlot:
    """Per-coordinate curves, one colour per series; built by :func:`coordinate_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    lines : dict of str to list of Line2D
        The lines of each series (one per column).
    reference : Line2D or None
        The dashed power-law guide, when asked for.
    artists : list of Artist
        Every line.

    Examples
    --------
    >>> import numpy as np
    >>> fig, plot = coordinate_plot({"two columns": np.ones((5, 2))})
    >>> isinstance(plot, CoordinatePlot), len(plot.lines["two columns"])
    (True, 2)
    """

    def __init__(self, fig: Figure, ax: Axes, summaries: list[str], what: str):
        self.fig, self.ax = fig, ax
        self.lines: dict[str, list[Line2D]] = {}
        self.reference: Line2D | None = None
        self._summaries = summaries
        self._what = what

    @property
    def artists(self) -> list[Artist]:
        found: list[Artist] = [line for lines in self.lines.values() for line in lines]
        if self.reference is not None:
            found.append(self.reference)
        return found

    def alt(self) -> str:
        """A one-sentence description of the curves, for alt text."""
        return f"{self._what}: " + "; ".join(self._summaries) + "."


def coordinate_plot(
    series: Mapping[str, Any],
    *,
    x: Any = None,
    ax: Axes | None = None,
    xlabel: str = "step $t$",
    ylabel: str = "per-coordinate learning rate",
    title: str = "",
    xscale: str = "log",
    yscale: str = "log",
    colors: Sequence[str] | None = None,
    linestyles: Sequence[str] | None = None,
    reference: tuple[float, str] | None = None,
    legend: str = "best",
) -> tuple[Figure, CoordinatePlot]:
    r"""Per-coordinate quantities over a run: learning rates, distances, steps.

    Each series is drawn in one colour; a series with several columns (one per
    parameter of a group) gets one thin line per column and one legend entry.
    A line starts at its column's first finite value (leading NaN mark "not
    defined yet") and ends before the next non-finite one; on a log axis values
    are clipped to a tiny positive floor.

    Parameters
    ----------
    series : dict of str to array_like, shape (n,) or (n, k)
        Legend label of each series and its values.
    x : array_like, shape (n,), optional
        The horizontal coordinates, shared by every series (default 1, 2, ..., n).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    xlabel, ylabel, title : str
    xscale, yscale : {"log", "linear"}
    colors, linestyles : sequence of str, optional
        One per series (defaults: :data:`COLORS`, solid lines).
    reference : (float, str), optional
        ``(exponent, label)``: a dashed black guide :math:`\propto x^{\text{exponent}}`
        through the last point of the first series' first column, e.g.
        ``(-0.5, r"$\propto 1/\sqrt{t}$")``.
    legend : str
        Matplotlib legend location, or ``"outside"`` (right of the axes), or ``"none"``.

    Returns
    -------
    fig : Figure
    plot : CoordinatePlot

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1, 101)
    >>> fig, plot = coordinate_plot({"Adagrad": 0.5 / np.sqrt(t)}, reference=(-0.5, "1/sqrt(t)"))
    >>> len(plot.lines["Adagrad"]), plot.reference is not None
    (1, True)
    >>> plot.alt().split(": ")[1]
    'Adagrad goes from 0.5 to 0.05; a dashed guide shows 1/sqrt(t).'
    """
    if not series:
        raise ValueError("coordinate_plot needs at least one series")
    for name, value in (("xscale", xscale), ("yscale", yscale)):
        if value not in ("log", "linear"):
            raise ValueError(f"{name} must be 'log' or 'linear', got {value!r}")
    colors = list(colors) if colors is not None else list(COLORS)
    linestyles = list(linestyles) if linestyles is not None else ["-"] * len(series)
    if len(linestyles) < len(series):
        raise ValueError(f"linestyles needs {len(series)} entries, got {len(linestyles)}")
    fig, ax = _axes(ax)
    summaries: list[str] = []
    arrays = {}
    for label, values in series.items():
        array = np.asarray(values, dtype=np.float64)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2 or not len(array):
            raise ValueError(f"series {label!r} must have shape (n,) or (n, k), got {array.shape}")
        arrays[label] = array
    x_all = None if x is None else np.asarray(x, dtype=np.float64)
    kinds = {"log": "Log", "linear": "Linear"}
    what = (
        f"{kinds[yscale]}-{xscale} plot of {_plain(ylabel)} against {_plain(xlabel)}"
        if xscale != yscale
        else f"{kinds[yscale]}-{yscale} plot of {_plain(ylabel)} against {_plain(xlabel)}"
    )
    plot = CoordinatePlot(fig, ax, summaries, what)
    with style():
        for index, (label, array) in enumerate(arrays.items()):
            n = len(array)
            xs = np.arange(1, n + 1, dtype=np.float64) if x_all is None else x_all[:n]
            if len(xs) != n:
                raise ValueError(f"x has {len(xs)} values, series {label!r} has {n}")
            color = colors[index % len(colors)]
            width = 1.6 if array.shape[1] == 1 else 1.1
            drawn = []
            for column in array.T:
                start = _first_finite(column)
                ys = _finite_prefix(column[start:])
                if yscale == "log":
                    ys = np.clip(ys, 1e-300, _HUGE)
                line_label = label if not drawn else None
                (line,) = ax.plot(
                    xs[start : start + len(ys)],
                    ys,
                    color=color,
                    linewidth=width,
                    linestyle=linestyles[index],
                    alpha=0.9,
                    label=line_label,
                )
                drawn.append(line)
            plot.lines[label] = drawn
            shown = [_finite_prefix(c[_first_finite(c) :]) for c in array.T]
            first = np.array([c[0] if len(c) else np.nan for c in shown])
            last = np.array([c[-1] if len(c) else np.nan for c in shown])
            summaries.append(f"{_plain(label)} goes from {_span(first)} to {_span(last)}")
        if reference is not None:
            exponent, ref_label = reference
            first_series = next(iter(arrays.values()))[:, 0]
            ys = _finite_prefix(first_series)
            xs = np.arange(1, len(ys) + 1, dtype=np.float64) if x_all is None else x_all[: len(ys)]
            if len(ys) and ys[-1] > 0 and xs[-1] > 0:
                guide = ys[-1] * (xs / xs[-1]) ** float(exponent)
                (plot.reference,) = ax.plot(
                    xs, guide, color=BLACK, linestyle="--", linewidth=1.0, label=ref_label
                )
                summaries.append(f"a dashed guide shows {_plain(ref_label)}")
        ax.set(xscale=xscale, yscale=yscale, xlabel=xlabel, ylabel=ylabel, title=title)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        if legend == "outside":
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        elif legend != "none":
            ax.legend(loc=legend)
    return fig, plot


def _first_finite(values: np.ndarray) -> int:
    """Index of the first finite value (``len(values)`` when there is none)."""
    finite = np.isfinite(values)
    return int(np.argmax(finite)) if finite.any() else len(values)


def _plain(text: str) -> str:
    """Label text without TeX markup, for alt text."""
    replacements = {
        r"\sqrt": "sqrt",
        r"\propto": "proportional to",
        r"\alpha": "alpha",
        r"\gamma": "gamma",
        r"\varepsilon": "epsilon",
        r"\epsilon": "epsilon",
        r"\theta": "theta",
        r"\hat": "",
        "\\": "",
        "$": "",
        "{": "",
        "}": "",
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    return " ".join(text.split())


def _span(values: np.ndarray) -> str:
    """One value, or the range of several: '0.5' or '0.01 to 0.2'."""
    values = values[np.isfinite(values)]
    if not values.size:
        return "no finite value"
    lo, hi = float(values.min()), float(values.max())
    if math.isclose(lo, hi, rel_tol=1e-3):
        return _fmt(lo)
    return f"values in [{_fmt(lo)}, {_fmt(hi)}]"


# --- Adam chapter: where each optimizer ends, over a range of learning rates ---------

__all__ += ["final_loss_vs_lr_plot"]


def final_loss_vs_lr_plot(
    lrs: Any,
    panels: Mapping[str, tuple[Any, Mapping[str, Any]]],
    *,
    height: float = HEIGHT,
) -> tuple[Figure, Panels]:
    r"""Where each optimizer ends after a fixed budget, over a range of learning rates.

    One panel per problem: :math:`J(\theta_T) - J^*` after the step budget
    against the learning rate, both on log axes, one line per optimizer. A run
    that diverged is not a point on its line but an ``x`` on the top edge of
    the panel, so a cliff reads as a line that stops and a row of crosses.

    Parameters
    ----------
    lrs : array_like, shape (k,)
        The learning rates of the runs, positive and increasing.
    panels : dict
        ``{title: (surface, {label: SweepResult})}``; each
        :class:`optlib.SweepResult` holds one run per learning rate (batch
        shape ``(k,)``), as ``sweep(fn, x0, Opt, lr=lrs[:, None])`` returns.
        The surface gives :math:`J^*` (its ``min_value``).
    height : float
        Figure height in inches.

    Returns
    -------
    fig : Figure
    panels : Panels
        ``.alt()`` gives, per panel and optimizer, the best gap, the rate that
        reached it, and the smallest rate that diverged.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Adam, Quadratic, sweep
    >>> fn, lrs = Quadratic(), np.geomspace(0.01, 1.0, 5)
    >>> runs = {name: sweep(fn, [2.5, 1.0], opt, steps=50, lr=lrs[:, None])
    ...         for name, opt in [("SGD", SGD), ("Adam", Adam)]}
    >>> fig, panels = final_loss_vs_lr_plot(lrs, {"Quadratic": (fn, runs)})
    >>> print(panels.alt().split(". ")[1])  # doctest: +NORMALIZE_WHITESPACE
    Quadratic: SGD reaches a gap of 8.3e-05 at best (learning rate 0.1), and the
    smallest rate that diverged is 0.316; Adam reaches a gap of 0.00982 at best
    (learning rate 1) and never diverges.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    if (
        lrs.ndim != 1
        or not len(lrs)
        or not np.all(np.isfinite(lrs) & (lrs > 0))
        or np.any(np.diff(lrs) <= 0)
    ):
        raise ValueError("lrs must be a 1-D array of positive, increasing learning rates")
    if not panels:
        raise ValueError("final_loss_vs_lr_plot needs at least one panel")
    entries = {}
    for title, entry in panels.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping)):
            raise ValueError(
                f"panels[{title!r}] must be (surface, {{label: SweepResult}}), got {entry!r}"
            )
        if not entry[1]:
            raise ValueError(f"panels[{title!r}] has no results")
        for label, result in entry[1].items():
            if not (hasattr(result, "final_losses") and hasattr(result, "diverged")):
                raise ValueError(
                    f"panels[{title!r}][{label!r}] must be a SweepResult (from optlib.sweep), "
                    f"got {type(result).__name__}"
                )
            if np.size(result.final_losses) != lrs.size:
                raise ValueError(
                    f"panels[{title!r}][{label!r}] holds {np.size(result.final_losses)} runs "
                    f"for {lrs.size} learning rates"
                )
        entries[title] = entry
    fig, axes = side_by_side(len(entries), height=height)
    summaries = []
    for ax, (title, (fn, results)) in zip(axes, entries.items(), strict=True):
        summaries.append(f"{title}: " + _final_loss_panel(ax, title, lrs, fn, results))
    summary = (
        f"Final loss gap J - J* against the learning rate on log axes, {len(entries)} "
        f"{'panel' if len(entries) == 1 else 'panels'}; crosses on the top edge mark runs "
        "that diverged."
    )
    return fig, Panels(fig, list(axes), [], summary + " " + ". ".join(summaries) + ".")


def _final_loss_panel(
    ax: Axes, title: str, lrs: np.ndarray, fn: Any, results: Mapping[str, Any]
) -> str:
    """Draw one panel of :func:`final_loss_vs_lr_plot`; return its alt-text sentence."""
    min_value = _min_value(fn)
    gaps, flags = {}, {}
    for label, result in results.items():
        final = np.asarray(result.final_losses, dtype=np.float64).reshape(-1)
        gaps[label] = np.clip(np.nan_to_num(final - min_value, nan=_HUGE), 0.0, _HUGE)
        flags[label] = np.asarray(result.diverged, dtype=bool).reshape(-1)
    kept = np.concatenate([gap[~flags[label]] for label, gap in gaps.items()])
    positive = kept[kept > 0]
    floor = float(positive.min()) / 3 if positive.size else 1e-16
    top = float(positive.max()) * 30 if positive.size else 1.0
    steps = sorted({int(getattr(result, "steps", 0)) for result in results.values()})
    parts = []
    with style():
        for index, (label, gap) in enumerate(gaps.items()):
            color = COLORS[index % len(COLORS)]
            diverged = flags[label]
            shown = np.clip(gap, floor, top)
            ax.plot(
                lrs[~diverged],
                shown[~diverged],
                color=color,
                marker="o",
                markersize=3.5,
                linewidth=1.5,
                label=label,
            )
            if diverged.any():
                ax.plot(
                    lrs[diverged],
                    np.full(int(diverged.sum()), top),
                    linestyle="none",
                    marker="x",
                    markersize=7,
                    markeredgewidth=1.8,
                    color=color,
                    clip_on=False,
                )
            parts.append(f"{label} " + _final_loss_summary(lrs, gap, diverged))
        ax.plot([], [], linestyle="none", marker="x", color="0.3", label="diverged")
        ax.set(xscale="log", yscale="log", xlabel=r"learning rate $\alpha$", title=title)
        ax.set_ylabel(f"$J - J^*$ after {'/'.join(map(str, steps))} steps")
        ax.set_ylim(floor, top * 3)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        ax.legend(loc="best", fontsize=8)
    return "; ".join(parts)


def _final_loss_summary(lrs: np.ndarray, gap: np.ndarray, diverged: np.ndarray) -> str:
    if diverged.all():
        return "diverges at every rate"
    best = int(np.argmin(np.where(diverged, np.inf, gap)))
    text = f"reaches a gap of {_fmt(gap[best])} at best (learning rate {_fmt(lrs[best])})"
    if diverged.any():
        first = _fmt(lrs[int(np.argmax(diverged))])
        return text + f", and the smallest rate that diverged is {first}"
    return text + " and never diverges"


# --- momentum chapter: series, 3-D landscapes, rate maps ---------------------------------

__all__ += ["RateMap", "SeriesPlot", "landscape_plot", "rate_map_plot", "series_plot"]


class SeriesPlot:
    r"""Curves against the step :math:`t`, one per series, with dashed reference levels.

    Built by :func:`series_plot`. Each curve can be replaced with
    :meth:`set_series`, so a widget moves only the curves.

    Attributes
    ----------
    fig, ax : Figure, Axes
    lines : list of Line2D
        One curve per series.
    references : list of Line2D
        The horizontal dashed lines.
    artists : list of Artist
        What a widget moves: the curves.

    Examples
    --------
    >>> fig, plot = series_plot({"halving": [1.0, 0.5, 0.25]})
    >>> isinstance(plot, SeriesPlot), len(plot.lines)
    (True, 1)
    """

    def __init__(
        self,
        ax: Axes,
        labels: Sequence[str],
        colors: Sequence[str],
        references: Mapping[str, float],
        markers: bool,
        logy: bool,
        t0: int = 0,
    ):
        self.ax = ax
        self.t0 = t0
        self.fig = ax.get_figure(root=True)
        self.labels = list(labels)
        self.logy = logy
        self.lines: list[Line2D] = []
        self.references: list[Line2D] = []
        self._summaries: list[str] = [""] * len(self.labels)
        self._reference_text = ", ".join(f"{name} at {_fmt(v)}" for name, v in references.items())
        with style():
            for i, label in enumerate(self.labels):
                (line,) = ax.plot(
                    [],
                    [],
                    color=colors[i % len(colors)],
                    linewidth=1.6,
                    marker="o" if markers else None,
                    markersize=2.5,
                    label=label,
                    zorder=3,
                )
                self.lines.append(line)
            # Each reference line is named by a small label at its right end,
            # so the legend (if any) is left to the curves.
            label_at = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
            for name, level in references.items():
                line = ax.axhline(
                    float(level), color="0.35", linewidth=1.0, linestyle="--", zorder=2
                )
                ax.text(
                    0.995,
                    float(level),
                    name,
                    transform=label_at,
                    ha="right",
                    va="bottom",
                    fontsize=8,
                    color="0.25",
                    zorder=2,
                )
                self.references.append(line)
            if logy:
                ax.set_yscale("log")
        self.artists: list[Artist] = list(self.lines)

    def set_series(self, i: int, values: Any) -> None:
        """Show ``values`` (shape ``(n,)``, drawn at t = t0, ..., t0 + n - 1) as curve ``i``."""
        values = _finite_prefix(np.asarray(values, dtype=np.float64).reshape(-1))
        floor = 1e-300 if self.logy else -_HUGE
        values = np.clip(values, floor, _HUGE)
        t = self.t0 + np.arange(len(values), dtype=np.float64)
        self.lines[i].set_data(t, values)
        who = self.labels[i] or f"series {i + 1}"
        if len(values):
            self._summaries[i] = (
                f"{who} goes from {_fmt(values[0])} to {_fmt(values[-1])} "
                f"over {count(len(values) - 1, 'step')}"
            )
        else:
            self._summaries[i] = f"{who} is empty"

    def alt(self) -> str:
        """A one-sentence description of the curves, for alt text."""
        curves = "; ".join(s for s in self._summaries if s) or "no curves"
        refs = f"; dashed reference lines: {self._reference_text}" if self._reference_text else ""
        return f"Plot against the step t: {curves}{refs}."


def series_plot(
    series: Mapping[str, Any],
    *,
    ax: Axes | None = None,
    references: Mapping[str, float] | None = None,
    colors: Sequence[str] | None = None,
    xlabel: str = "step $t$",
    ylabel: str = "",
    title: str = "",
    logy: bool = False,
    markers: bool = False,
    ylim: tuple[float, float] | None = None,
    t0: int = 0,
) -> tuple[Figure, SeriesPlot]:
    r"""Quantities recorded at every step, as curves against :math:`t`.

    For what is not a loss: a parameter :math:`\theta_t`, a step length
    :math:`\lVert\theta_t - \theta_{t-1}\rVert`, a velocity. Horizontal dashed
    lines mark reference levels (a minimum, a predicted limit). Non-finite
    values end a curve, as everywhere in the book.

    Parameters
    ----------
    series : dict of str to array_like, shape (n,)
        Legend label and values of each curve, drawn at :math:`t = t_0, t_0 + 1, \dots`.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    references : dict of str to float, optional
        Label and height of each dashed line.
    colors : sequence of str, optional
        Defaults to :data:`COLORS`.
    xlabel, ylabel, title : str
    logy : bool
        Logarithmic y axis.
    markers : bool
        A dot at every step.
    ylim : (float, float), optional
        Fix the y axis (else it fits the data).
    t0 : int
        The step of the first value: 0 for a quantity at every iterate
        :math:`\theta_0, \theta_1, \dots`; 1 for one per step taken.

    Returns
    -------
    fig : Figure
    plot : SeriesPlot

    Examples
    --------
    >>> fig, plot = series_plot({"halving": [1.0, 0.5, 0.25]}, references={"zero": 0.0})
    >>> plot.alt().split(": ", 1)[1]
    'halving goes from 1 to 0.25 over 2 steps; dashed reference lines: zero at 0.'
    """
    if not isinstance(series, Mapping):
        raise ValueError(f"series must be a dict {{label: values}}, got {type(series).__name__}")
    references = dict(references or {})
    fig, ax = _axes(ax)
    plot = SeriesPlot(ax, list(series), colors or COLORS, references, markers, logy, int(t0))
    for i, values in enumerate(series.values()):
        plot.set_series(i, values)
    with style():
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, color="#dddddd", linewidth=0.6)
        if series or references:
            ax.relim()
            ax.autoscale_view()
        if ylim is not None:
            ax.set_ylim(*ylim)
        if len(series) > 1:
            ax.legend(loc="best")
    return fig, plot


def landscape_plot(
    fn: Any,
    runs: Mapping[str, Any],
    *,
    elev: float = 32.0,
    azim: float = -125.0,
    box: tuple[tuple[float, float], tuple[float, float]] | None = None,
    resolution: int = 40,
    height: float = HEIGHT,
) -> tuple[Figure, Panels]:
    r"""A 2-D surface three ways: in 3-D, as contours, and as loss curves, with runs on all three.

    Left, the surface :math:`J(\theta)` drawn in 3-D (saddles and ridges are
    easiest to see there) with each run's path lifted onto it; middle, the same
    paths on the contour plot; right, :math:`J(\theta_t) - J^*` on a log axis.

    Parameters
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    runs : dict of str to Trajectory
        Label and result of :func:`optlib.minimize` for each run, in order.
    elev, azim : float
        The 3-D viewing angles, in degrees.
    box : ((xmin, xmax), (ymin, ymax)), optional
        The region drawn in 3-D (default: ``fn.bounds``); paths are cut at its edge.
    resolution : int
        Grid points per axis of the 3-D mesh.
    height : float
        Figure height in inches.

    Returns
    -------
    fig : Figure
    panels : Panels
        ``panels.parts`` holds the overlays on the contour plot, then the loss plot.

    Examples
    --------
    >>> from optlib import SGD, Saddle, minimize
    >>> runs = {"on the ridge": minimize(Saddle(), [1.5, 0.0], SGD, steps=20, lr=0.1)}
    >>> fig, panels = landscape_plot(Saddle(), runs)
    >>> len(panels.axes), panels.axes[0].name
    (3, '3d')
    """
    _check_surface(fn, 2)
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("landscape_plot needs a dict {label: trajectory} with at least one run")
    fig = _new_figure(WIDTH, height)
    labels = list(runs)
    colors = [COLORS[i % len(COLORS)] for i in range(len(labels))]
    with style():
        grid = fig.add_gridspec(1, 3, width_ratios=(1.25, 1, 1))
        ax3d = fig.add_subplot(grid[0], projection="3d")
        flat = fig.add_subplot(grid[1])
        curves = fig.add_subplot(grid[2])
        ax3d.computed_zorder = False  # paths on top of the surface, not hidden in it
        region = fn.bounds if box is None else box
        (x_lo, x_hi), (y_lo, y_hi) = np.asarray(region, dtype=np.float64)
        gx, gy = np.meshgrid(
            np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution)
        )
        gz = np.asarray(fn(np.stack([gx, gy], axis=-1)), dtype=np.float64)
        gz = np.clip(np.nan_to_num(gz, nan=_HUGE), -_HUGE, _HUGE)
        ax3d.plot_surface(
            gx,
            gy,
            gz,
            cmap=SURFACE_CMAP,
            alpha=0.55,
            linewidth=0.2,
            edgecolor="#777777",
            rstride=1,
            cstride=1,
            antialiased=True,
        )
        for run, color in zip(runs.values(), colors, strict=True):
            xs = _finite_prefix(np.asarray(run.xs, dtype=np.float64))
            inside = _cut_at_box(xs, np.array([x_lo, y_lo]), np.array([x_hi, y_hi]))
            zs = np.asarray(fn(inside), dtype=np.float64)
            ax3d.plot(inside[:, 0], inside[:, 1], zs, color=color, linewidth=1.8, zorder=10)
            ax3d.plot(
                inside[-1:, 0],
                inside[-1:, 1],
                zs[-1:],
                marker="o",
                color=color,
                markeredgecolor="white",
                linestyle="none",
                zorder=11,
            )
        saddle = getattr(fn, "saddle_point", None)
        if saddle is not None:
            s = np.asarray(saddle, dtype=np.float64).reshape(-1, 2)
            ax3d.plot(
                s[:, 0],
                s[:, 1],
                np.asarray(fn(s)),
                marker="P",
                color=BLACK,
                linestyle="none",
                markersize=8,
                zorder=12,
            )
        ax3d.view_init(elev=elev, azim=azim)
        ax3d.set_xlabel(r"$\theta_1$", labelpad=-6)
        ax3d.set_ylabel(r"$\theta_2$", labelpad=-6)
        ax3d.set_zlabel("")
        ax3d.tick_params(labelsize=7, pad=-2)
        ax3d.set_title(f"{_name(fn)} in 3-D")
    _, surface = contour_plot(fn, ax=flat, title="From above")
    overlays = [
        trajectory_plot(surface, run, color=color, label=label, markers=False)[1]
        for label, run, color in zip(labels, runs.values(), colors, strict=True)
    ]
    _, losses = loss_plot(
        list(runs.values()),
        ax=curves,
        labels=labels,
        colors=colors,
        min_value=_min_value(fn),
        title="Loss",
    )
    with style():
        flat.set_xlabel(r"$\theta_1$")
        flat.set_ylabel(r"$\theta_2$", labelpad=0)
    summary = (
        f"Three views of the {_name(fn)} surface with {count(len(labels), 'run')} "
        f"({', '.join(labels)}): in 3-D, from above as contours, and the loss gap per step."
    )
    return fig, Panels(fig, [ax3d, flat, curves], [*overlays, losses], summary)


class RateMap:
    r"""A heat map of the contraction factor per step over (learning rate, momentum).

    Built by :func:`rate_map_plot`. The one moving artist is :attr:`marker`,
    placed with :meth:`set_point`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    mesh : QuadMesh
        The converging cells, coloured by their factor.
    diverged : QuadMesh
        The cells whose run diverged, in grey.
    marker : Line2D
        The chosen (learning rate, momentum).
    artists : list of Artist
        ``[marker]``.

    Examples
    --------
    >>> import numpy as np
    >>> lrs, momenta = np.array([0.1, 0.2]), np.array([0.0, 0.5])
    >>> fig, plot = rate_map_plot(lrs, momenta, np.full((2, 2), 0.5))
    >>> plot.set_point(0.2, 0.5)
    >>> isinstance(plot, RateMap), plot.artists == [plot.marker]
    (True, True)
    """

    def __init__(self, fig: Figure, ax: Axes, summary: str):
        self.fig, self.ax = fig, ax
        self._summary = summary
        self._point: tuple[float, float] | None = None
        with style():
            (self.marker,) = ax.plot(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=11,
                markerfacecolor="none",
                markeredgecolor=VERMILLION,
                markeredgewidth=2.4,
                zorder=8,
            )
        self.artists: list[Artist] = [self.marker]

    def set_point(self, lr: float | None, momentum: float | None) -> None:
        """Ring the cell of ``(lr, momentum)``; ``None`` hides the ring."""
        if lr is None or momentum is None:
            self.marker.set_data([], [])
            self._point = None
        else:
            self.marker.set_data([float(lr)], [float(momentum)])
            self._point = (float(lr), float(momentum))

    def alt(self) -> str:
        """A one-sentence description of the map, for alt text."""
        ring = ""
        if self._point is not None:
            ring = f" A ring marks lr = {_fmt(self._point[0])}, momentum = {_fmt(self._point[1])}."
        return self._summary + ring


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges halfway between grid values (geometrically on a log axis)."""
    c = np.log(centres) if log else centres
    mid = (c[1:] + c[:-1]) / 2
    edges = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(edges) if log else edges


def rate_map_plot(
    lrs: Any,
    momenta: Any,
    factors: Any,
    *,
    ax: Axes | None = None,
    lines: Mapping[str, tuple[Any, Any]] | None = None,
    points: Mapping[str, tuple[float, float]] | None = None,
    vmin: float | None = None,
    title: str = "Contraction factor per step",
    colorbar: bool = True,
) -> tuple[Figure, RateMap]:
    r"""Map the contraction factor per step over a grid of (learning rate, momentum).

    A cell's colour is the factor :math:`r` by which its run shrank the
    distance to the minimum per step (darker converges faster). Cells whose run
    diverged (``factors`` of 1 or more, or not finite) are grey.
    Theory goes on top: ``lines`` (a predicted stability limit, critical
    damping curves) and ``points`` (the best pair).

    Parameters
    ----------
    lrs : array_like, shape (n_lr,)
        Learning rates, increasing and positive (log x axis).
    momenta : array_like, shape (n_momentum,)
        Momenta, increasing (linear y axis).
    factors : array_like, shape (n_lr, n_momentum)
        The factor of each run: ``factors[i, j]`` for ``lrs[i]``, ``momenta[j]``.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    lines : dict of str to (x, y), optional
        Label and points of each curve drawn over the map, in the plane
        (learning rate, momentum); non-finite points are dropped.
    points : dict of str to (lr, momentum), optional
        Label and position of each star drawn over the map.
    vmin : float, optional
        The factor shown darkest (default: the smallest measured).
    title : str
    colorbar : bool
        Draw a colour bar beside the map.

    Returns
    -------
    fig : Figure
    plot : RateMap

    Examples
    --------
    >>> import numpy as np
    >>> lrs, momenta = np.array([0.1, 0.2, 0.4]), np.array([0.0, 0.5])
    >>> factors = np.abs(1 - 5 * lrs)[:, None] + 0 * momenta
    >>> fig, plot = rate_map_plot(lrs, momenta, factors, lines={"limit": ([0.4, 0.4], [0, 0.5])})
    >>> plot.set_point(0.2, 0.5)
    >>> "2 of 6 cells diverged" in plot.alt()
    True
    """
    from matplotlib.colors import FuncNorm
    from matplotlib.patches import Patch

    lrs = np.asarray(lrs, dtype=np.float64)
    momenta = np.asarray(momenta, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    if lrs.ndim != 1 or momenta.ndim != 1 or factors.shape != (len(lrs), len(momenta)):
        raise ValueError(
            "factors must have shape (len(lrs), len(momenta)) = "
            f"({lrs.size}, {momenta.size}), got {factors.shape}"
        )
    if len(lrs) < 2 or len(momenta) < 2:
        raise ValueError("rate_map_plot needs at least two learning rates and two momenta")
    if not (np.all(lrs > 0) and np.all(np.diff(lrs) > 0) and np.all(np.diff(momenta) > 0)):
        raise ValueError("lrs must be positive and increasing, and momenta increasing")
    fig, ax = _axes(ax, width=WIDTH * 0.62)
    converging = np.isfinite(factors) & (factors < 1)
    shown = np.where(converging, factors, np.nan).T  # rows: momenta
    low = float(np.nanmin(shown)) if converging.any() else 0.0
    # Colour by -log10(1 - r), about the log of the steps a tenfold decrease
    # takes: factors of 0.9, 0.99 and 0.999 are evenly spaced, as their speeds are.
    top = 0.999
    low = min(low if vmin is None else float(vmin), 0.9)

    def forward(r: np.ndarray) -> np.ndarray:
        return -np.log10(1 - np.clip(r, 0.0, top))

    def inverse(s: np.ndarray) -> np.ndarray:
        return 1 - 10.0 ** (-np.asarray(s))

    norm = FuncNorm((forward, inverse), vmin=low, vmax=top)
    x_edges, y_edges = _edges(lrs, log=True), _edges(momenta, log=False)
    with style():
        mesh = ax.pcolormesh(
            x_edges,
            y_edges,
            np.ma.masked_invalid(shown),
            cmap=SURFACE_CMAP,
            norm=norm,
            shading="flat",
            rasterized=True,
        )
        bad = np.where(converging, np.nan, 1.0).T
        grey = mpl.colors.ListedColormap(["#c8c8c8"])
        diverged = ax.pcolormesh(
            x_edges,
            y_edges,
            np.ma.masked_invalid(bad),
            cmap=grey,
            shading="flat",
            rasterized=True,
        )
        handles: list[Any] = [Patch(facecolor="#c8c8c8", label="diverged")]
        styles = ("-", "--", ":", "-.")
        line_colors = (BLACK, SKY_BLUE, ORANGE, GREEN, PURPLE)
        for k, (label, (x, y)) in enumerate((lines or {}).items()):
            x = np.asarray(x, dtype=np.float64).reshape(-1)
            y = np.asarray(y, dtype=np.float64).reshape(-1)
            keep = np.isfinite(x) & np.isfinite(y) & (x > 0)
            (line,) = ax.plot(
                x[keep],
                y[keep],
                color=line_colors[k % len(line_colors)],
                linestyle=styles[k % len(styles)],
                linewidth=2.0,
                label=label,
                zorder=5,
            )
            handles.append(line)
        for k, (label, (lr, momentum)) in enumerate((points or {}).items()):
            (star,) = ax.plot(
                [lr],
                [momentum],
                linestyle="none",
                marker="*" if k == 0 else "D",
                markersize=14 if k == 0 else 7,
                color=BLACK if k == 0 else "white",
                markeredgecolor="white" if k == 0 else BLACK,
                markeredgewidth=1.0,
                label=label,
                zorder=7,
            )
            handles.append(star)
        ax.set_xscale("log")
        ax.set_xlim(x_edges[0], x_edges[-1])
        ax.set_ylim(y_edges[0], y_edges[-1])
        ax.set_xlabel(r"learning rate $\alpha$")
        ax.set_ylabel(r"momentum $\rho$")
        ax.set_title(title)
        ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.85, frameon=True)
        if colorbar:
            bar = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
            ticks = [t for t in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999) if t >= low]
            bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
            bar.set_label("factor per step (darker: faster)")
    n_div = int((~converging).sum())
    summary = (
        f"Map of the contraction factor per step over {len(lrs)} learning rates from "
        f"{_fmt(lrs[0])} to {_fmt(lrs[-1])} (log axis) and {len(momenta)} momenta from "
        f"{_fmt(momenta[0])} to {_fmt(momenta[-1])}: the fastest cell has factor {_fmt(low)}"
        f"; {n_div} of {factors.size} cells diverged and are grey."
    )
    if lines:
        summary += f" Curves drawn over it: {', '.join(lines)}."
    if points:
        summary += (
            " Marked: "
            + "; ".join(f"{label} at ({_fmt(p[0])}, {_fmt(p[1])})" for label, p in points.items())
            + "."
        )
    plot = RateMap(fig, ax, summary)
    plot.mesh, plot.diverged = mesh, diverged
    return fig, plot


# --- the loss-functions chapter: fits with an outlier, loss curves, decision regions ---

__all__ += [
    "DecisionPlot",
    "FitLinesPlot",
    "LossCurvesPlot",
    "decision_plot",
    "fit_lines_plot",
    "loss_curve",
    "loss_curves_plot",
]

_LOSS_LINESTYLES = ("-", "--", ":", "-.")
# The losses take the palette from blue on, the same in every figure of the
# chapter (MSE blue, MAE green, Huber orange); vermillion marks the outlier.
_LOSS_COLORS = (*COLORS[1:], COLORS[0])
# Where a hand-drawn key starts, in axes coordinates: the left edge of its
# samples and the centre of its first row.
_LOSS_KEY_ANCHORS = {"left": 0.03, "center": 0.36, "right": 0.6}
_LOSS_KEY_ROW = 0.075


def _loss_key(
    ax: Axes, samples: Sequence[dict[str, Any]], labels: Sequence[str], loc: str
) -> list[Text]:
    """A legend drawn by hand: a static sample of each line and a text per row.

    A widget redraws only the texts that change, which is far cheaper than
    redrawing a Matplotlib ``Legend``. ``samples`` holds the ``plot`` styles of
    the rows (a line style, or a marker with ``linestyle="none"``); ``loc`` is
    ``"upper left"``, ``"upper center"``, ``"upper right"``, ``"lower left"``,
    ``"lower center"`` or ``"lower right"``.
    """
    vertical, _, horizontal = loc.partition(" ")
    if vertical not in ("upper", "lower") or horizontal not in _LOSS_KEY_ANCHORS:
        raise ValueError(
            f"loc must be 'upper' or 'lower' and then 'left', 'center' or 'right', got {loc!r}"
        )
    x0 = _LOSS_KEY_ANCHORS[horizontal]
    texts = []
    for row, (sample, label) in enumerate(zip(samples, labels, strict=True)):
        up = row if vertical == "upper" else len(labels) - 1 - row
        y = 0.93 - _LOSS_KEY_ROW * up if vertical == "upper" else 0.07 + _LOSS_KEY_ROW * up
        if sample.get("linestyle") == "none":
            xs = [x0 + 0.03]
        else:
            xs = [x0, x0 + 0.06]
        ax.plot(xs, [y] * len(xs), transform=ax.transAxes, clip_on=False, **sample)
        texts.append(
            ax.text(
                x0 + 0.08, y, label, transform=ax.transAxes, va="center", ha="left", fontsize=9
            )
        )
    return texts


class FitLinesPlot:
    """Data points, one of them an outlier, and one fitted straight line per loss.

    Built by :func:`fit_lines_plot`; :meth:`set_data` moves the outlier and the
    lines (what :func:`optlib.widgets.outlier_fit_explorer` does on each frame).

    Attributes
    ----------
    fig, ax : Figure, Axes
    x, y : ndarray
        The data; ``y[outlier]`` follows :meth:`set_data`.
    outlier : int or None
        Index of the point drawn as the outlier.
    points : Line2D
        The ordinary points.
    outlier_marker : Line2D
        The outlier.
    lines : dict of str to Line2D
        One fitted line per label.
    equations : dict of str to Text
        Each line's row of the key, which gives its equation.
    artists : list of Artist
        What a widget moves: the outlier, the lines and their equations.

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.arange(4.0), np.array([0.0, 1.0, 2.0, 9.0])
    >>> fig, plot = fit_lines_plot(x, y, {"MSE": (2.6, -1.0)}, outlier=3)
    >>> isinstance(plot, FitLinesPlot), sorted(plot.lines)
    (True, ['MSE'])
    """

    def __init__(
        self,
        ax: Axes,
        x: np.ndarray,
        y: np.ndarray,
        outlier: int | None,
        labels: Sequence[str],
        ylim: tuple[float, float],
        title: str,
    ):
        self.ax, self.fig = ax, ax.get_figure(root=True)
        self.x, self.y, self.outlier = x, y.copy(), outlier
        self.fits: dict[str, tuple[float, float]] = {}
        x_lo, x_hi = float(x.min()), float(x.max())
        pad = 0.06 * (x_hi - x_lo if x_hi > x_lo else 1.0)
        self._span = np.array([x_lo - pad, x_hi + pad])
        ordinary = np.ones(len(x), dtype=bool)
        if outlier is not None:
            ordinary[outlier] = False
        with style():
            (self.points,) = ax.plot(
                x[ordinary],
                y[ordinary],
                linestyle="none",
                marker="o",
                color="#555555",
                markersize=6,
                label="data",
                zorder=3,
            )
            (self.outlier_marker,) = ax.plot(
                [],
                [],
                linestyle="none",
                marker="D",
                markersize=8,
                color=VERMILLION,
                markeredgecolor=BLACK,
                markeredgewidth=0.8,
                label="outlier",
                zorder=5,
            )
            self.lines = {}
            for i, label in enumerate(labels):
                color = _LOSS_COLORS[i % len(_LOSS_COLORS)]
                (self.lines[label],) = ax.plot(
                    [],
                    [],
                    color=color,
                    linestyle=_LOSS_LINESTYLES[i % len(_LOSS_LINESTYLES)],
                    linewidth=2.2,
                    label=f"{label} fit",
                    zorder=4,
                )
            ax.set_xlim(*self._span)
            ax.set_ylim(*ylim)
            ax.set_xlabel("$x$")
            ax.set_ylabel("$y$")
            ax.set_title(title)
            point_style = {"linestyle": "none", "marker": "o", "color": "#555555", "markersize": 6}
            samples, names = [point_style], ["data"]
            if outlier is not None:
                samples.append(
                    {
                        "linestyle": "none",
                        "marker": "D",
                        "markersize": 8,
                        "color": VERMILLION,
                        "markeredgecolor": BLACK,
                        "markeredgewidth": 0.8,
                    }
                )
                names.append("outlier")
            for line in self.lines.values():
                samples.append(
                    {
                        "color": line.get_color(),
                        "linestyle": line.get_linestyle(),
                        "linewidth": 2.2,
                    }
                )
            names += [f"{label} fit" for label in self.lines]
            texts = _loss_key(ax, samples, names, "upper left")
        self.equations = dict(zip(self.lines, texts[-len(self.lines) :], strict=True))
        self.artists: list[Artist] = [
            self.outlier_marker,
            *self.lines.values(),
            *self.equations.values(),
        ]

    def set_data(
        self,
        outlier_y: float | None = None,
        fits: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        """Move the outlier to height ``outlier_y`` and each line to ``(slope, intercept)``."""
        if outlier_y is not None:
            if self.outlier is None:
                raise ValueError("this plot has no outlier to move (outlier=None)")
            self.y[self.outlier] = float(outlier_y)
        if self.outlier is not None:
            y_out = float(np.clip(self.y[self.outlier], -_HUGE, _HUGE))
            self.outlier_marker.set_data([self.x[self.outlier]], [y_out])
        for label, (slope, intercept) in (fits or {}).items():
            if label not in self.lines:
                raise ValueError(f"no line labelled {label!r}; the lines are {list(self.lines)}")
            slope, intercept = float(slope), float(intercept)
            self.fits[label] = (slope, intercept)
            self.lines[label].set_data(
                self._span, np.clip(slope * self._span + intercept, -_HUGE, _HUGE)
            )
            # Plain text, not mathtext: a new text on every frame must draw fast.
            sign = "+" if intercept >= 0 else "−"
            self.equations[label].set_text(
                f"{label} fit: ŷ = {slope:.2f} x {sign} {abs(intercept):.2f}"
            )

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        where = ""
        if self.outlier is not None:
            where = (
                f", one of them an outlier at x = {_fmt(self.x[self.outlier])}, "
                f"y = {_fmt(self.y[self.outlier])}"
            )
        lines = "; ".join(
            f"the {label} line has slope {slope:.2f} and intercept {intercept:.2f}"
            for label, (slope, intercept) in self.fits.items()
        )
        return f"{len(self.x)} data points{where}" + (f"; {lines}." if lines else ".")


def fit_lines_plot(
    x: Any,
    y: Any,
    fits: Mapping[str, tuple[float, float]],
    *,
    outlier: int | None = None,
    ylim: tuple[float, float] | None = None,
    ax: Axes | None = None,
    title: str = "One data set, one straight line per loss",
) -> tuple[Figure, FitLinesPlot]:
    """Data points and the straight lines :math:`\\hat y = w x + b` fitted to them.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The data.
    fits : dict of str to (float, float)
        ``{label: (slope, intercept)}``, one line per loss, e.g. ``{"MSE": (w, b)}``.
    outlier : int, optional
        Index of a point to draw as the outlier (a larger, coloured diamond).
    ylim : (float, float), optional
        Fixed y limits (a widget passes limits that hold every frame); by
        default, the data and the lines with a margin.
    ax : Axes, optional
        Draw here instead of on a new figure.
    title : str

    Returns
    -------
    fig : Figure
    plot : FitLinesPlot

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(5.0); y = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    >>> fig, plot = fit_lines_plot(x, y, {"MSE": (2.2, -0.8), "MAE": (1.0, 0.0)}, outlier=4)
    >>> print(plot.alt().replace("; ", ";\\n"))
    5 data points, one of them an outlier at x = 4, y = 10;
    the MSE line has slope 2.20 and intercept -0.80;
    the MAE line has slope 1.00 and intercept 0.00.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D of one length >= 2, got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    is_index = isinstance(outlier, int | np.integer) and 0 <= outlier < x.size
    if outlier is not None and not is_index:
        raise ValueError(f"outlier must be an index into x (0..{x.size - 1}), got {outlier!r}")
    if not fits:
        raise ValueError("fits must hold at least one {label: (slope, intercept)}")
    if ylim is None:
        ends = np.array([x.min(), x.max()])
        heights = [y] + [w * ends + b for w, b in fits.values()]
        low, high = (
            float(np.min([h.min() for h in heights])),
            float(np.max([h.max() for h in heights])),
        )
        margin = 0.1 * (high - low if high > low else 1.0)
        ylim = (low - margin, high + 2.5 * margin + 0.1 * (high - low))  # room for the equations
    fig, ax = _axes(ax, width=WIDTH * 0.75)
    plot = FitLinesPlot(ax, x, y, outlier, list(fits), ylim, title)
    plot.set_data(fits=fits)
    return fig, plot


def loss_curve(loss: Any, y_true: float = 0.0) -> Any:
    """A curve for :func:`loss_curves_plot`: one loss against one target.

    Returns ``curve(y_pred) -> (values, grads)``, the per-element loss of
    ``y_pred`` against the constant target ``y_true`` and its derivative, from
    ``loss.value_and_grad(..., reduction="none")``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> values, grads = loss_curve(mse, y_true=1.0)(np.array([0.0, 3.0]))
    >>> values.tolist(), grads.tolist()
    ([1.0, 4.0], [-2.0, 4.0])
    """

    def curve(y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        y_pred = np.asarray(y_pred, dtype=np.float64)
        values, grads = loss.value_and_grad(y_pred, np.full_like(y_pred, y_true), reduction="none")
        return np.asarray(values, dtype=np.float64), np.asarray(grads, dtype=np.float64)

    return curve


class LossCurvesPlot:
    """The value (left) and the derivative (right) of several losses, with a movable point.

    Built by :func:`loss_curves_plot`; :meth:`set_point` marks one prediction
    on every curve and writes the values there in a line above the panels (what
    :func:`optlib.widgets.loss_explorer` does on each frame).

    Attributes
    ----------
    fig : Figure
    axes : list of Axes
        ``[value_panel, gradient_panel]``.
    curves : dict of str to callable
    lines, markers : dict of str to (Line2D, Line2D)
        Each curve's line and marker in the two panels.
    legends : (Legend, Legend)
    readout : Text
        The line above the panels that gives every value at the marked point
        (one text, so that a widget's frame draws fast).
    point : float or None
        The marked prediction.
    artists : list of Artist
        What a widget moves: markers, the vertical guides and the readout.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> fig, plot = loss_curves_plot({"MSE": loss_curve(mse)}, np.linspace(-1, 1, 21), point=0.5)
    >>> isinstance(plot, LossCurvesPlot), plot.point
    (True, 0.5)
    """

    def __init__(
        self,
        fig: Figure,
        axes: list[Axes],
        curves: Mapping[str, Any],
        grid: np.ndarray,
        symbol: str,
        xlabel: str,
        grad_scale: str,
        legend_loc: tuple[str, str],
    ):
        self.fig, self.axes, self.curves = fig, axes, dict(curves)
        self.symbol, self.grad_scale = symbol, grad_scale
        self.point: float | None = None
        self._grid = grid
        value_ax, grad_ax = axes
        self.lines, self.markers = {}, {}
        self._values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        with style():
            for i, (label, curve) in enumerate(self.curves.items()):
                values, grads = _checked_loss_curve(label, curve, grid)
                self._values[label] = (values, grads)
                color = _LOSS_COLORS[i % len(_LOSS_COLORS)]
                linestyle = _LOSS_LINESTYLES[i % len(_LOSS_LINESTYLES)]
                shown = self._shown_grad(grads)
                (value_line,) = value_ax.plot(
                    grid, values, color=color, linestyle=linestyle, label=label
                )
                (grad_line,) = grad_ax.plot(
                    grid, shown, color=color, linestyle=linestyle, label=label
                )
                self.lines[label] = (value_line, grad_line)
                marks = tuple(
                    ax.plot(
                        [],
                        [],
                        linestyle="none",
                        marker="o",
                        markersize=7,
                        color=color,
                        markeredgecolor=BLACK,
                        markeredgewidth=0.8,
                        zorder=5,
                    )[0]
                    for ax in (value_ax, grad_ax)
                )
                self.markers[label] = marks
            self.guides = [
                ax.axvline(grid[0], color="0.35", linewidth=0.8, linestyle=":", visible=False)
                for ax in axes
            ]
            grad_name = f"\\partial L / \\partial {symbol}"
            value_ax.set(xlabel=xlabel, ylabel="loss $L$", title="Loss")
            if grad_scale == "log":
                grad_ax.set_yscale("log")
                sizes = np.abs(np.concatenate([g for _, g in self._values.values()]))
                top = float(sizes.max()) if sizes.max() > 0 else 1.0
                positive = sizes[sizes > 0]
                bottom = max(float(positive.min()) if positive.size else top, top * 1e-12)
                grad_ax.set_ylim(bottom / 3, top * 3)
                grad_ax.set(ylabel=f"$|{grad_name}|$", title="Size of the gradient (log scale)")
            else:
                grad_ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=1)
                grad_ax.set(ylabel=f"${grad_name}$", title="Gradient")
            grad_ax.set_xlabel(xlabel)
            for ax in axes:
                ax.set_xlim(float(grid[0]), float(grid[-1]))
            self.legends = tuple(
                ax.legend(loc=loc, fontsize=9) for ax, loc in zip(axes, legend_loc, strict=True)
            )
            # Constrained layout makes room for it at the first draw, if it holds text then.
            self.readout = fig.suptitle("", fontsize=10)
        self.artists: list[Artist] = [
            *(m for pair in self.markers.values() for m in pair),
            *self.guides,
            self.readout,
        ]

    def _shown_grad(self, grads: np.ndarray) -> np.ndarray:
        if self.grad_scale == "log":
            return np.clip(np.abs(grads), 1e-300, _HUGE)
        return np.clip(grads, -_HUGE, _HUGE)

    def set_point(self, point: float | None) -> None:
        """Mark the prediction ``point`` on every curve (``None`` clears the marks)."""
        self.point = None if point is None else float(point)
        at_point = {} if self.point is None else self.values_at(self.point)
        for label, (value_mark, grad_mark) in self.markers.items():
            if self.point is None:
                value_mark.set_data([], [])
                grad_mark.set_data([], [])
                continue
            value, grad = at_point[label]
            value_mark.set_data([self.point], [np.clip(value, -_HUGE, _HUGE)])
            grad_mark.set_data([self.point], self._shown_grad(np.array([grad])))
        for guide in self.guides:
            guide.set_visible(self.point is not None)
            if self.point is not None:
                guide.set_xdata([self.point, self.point])
        self.readout.set_text(self.readout_text(self.point))

    def readout_text(self, point: float | None) -> str:
        """The line above the panels for ``point``: every loss and its derivative there."""
        if point is None:
            return ""
        # Plain text, not mathtext: a new text on every frame must draw fast.
        plain = _loss_plain_symbol(self.symbol)
        values = "    ".join(
            f"{label} {value:.3g} (gradient {grad:.3g})"
            for label, (value, grad) in self.values_at(point).items()
        )
        return f"At {plain} = {float(point):.3g}:    {values}"

    def values_at(self, point: float) -> dict[str, tuple[float, float]]:
        """``{label: (value, derivative)}`` of every curve at ``point``."""
        return {
            label: tuple(float(a[0]) for a in _checked_loss_curve(label, curve, np.array([point])))
            for label, curve in self.curves.items()
        }

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        return self.describe(self.point)

    def describe(self, point: float | None) -> str:
        """The alt text of this figure with ``point`` marked (whatever is marked now)."""
        lo, hi = _fmt(self._grid[0]), _fmt(self._grid[-1])
        text = (
            f"Two panels over {self.symbol_text} from {lo} to {hi}: left, the value of "
            f"{', '.join(self.curves)}; right, "
            + (
                "the size of each derivative on a log axis"
                if self.grad_scale == "log"
                else "each derivative"
            )
        )
        if point is None:
            return text + "."
        at = "; ".join(
            f"{label} is {value:.3g} with derivative {grad:.3g}"
            for label, (value, grad) in self.values_at(point).items()
        )
        return text + f". At {self.symbol_text} = {float(point):.3g}: {at}."

    @property
    def symbol_text(self) -> str:
        """The axis symbol in words for alt texts (``\\hat y`` becomes ``the prediction``)."""
        return {"\\hat y": "the prediction y-hat", "z": "the logit z", "r": "the residual r"}.get(
            self.symbol, self.symbol
        )


def _loss_plain_symbol(symbol: str) -> str:
    """The x variable of a loss plot as plain text: ``\\hat y`` becomes ``ŷ``."""
    return {"\\hat y": "ŷ", "\\hat{y}": "ŷ"}.get(symbol, symbol)


def _checked_loss_curve(
    label: str, curve: Any, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    result = curve(points)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise ValueError(
            f"curve {label!r} must return (values, grads), got {type(result).__name__}"
        )
    values, grads = (np.asarray(a, dtype=np.float64) for a in result)
    if values.shape != points.shape or grads.shape != points.shape:
        raise ValueError(
            f"curve {label!r} must return arrays shaped like its input {points.shape}, "
            f"got {values.shape} and {grads.shape}"
        )
    if not (np.isfinite(values).all() and np.isfinite(grads).all()):
        raise ValueError(f"curve {label!r} is not finite on the grid")
    return values, grads


def loss_curves_plot(
    curves: Mapping[str, Any],
    grid: Any,
    *,
    point: float | None = None,
    symbol: str = "\\hat y",
    xlabel: str | None = None,
    grad_scale: str = "linear",
    legend_loc: tuple[str, str] = ("upper center", "upper center"),
    height: float = HEIGHT,
) -> tuple[Figure, LossCurvesPlot]:
    """Losses side by side with their derivatives, over one prediction (or logit).

    Parameters
    ----------
    curves : dict of str to callable
        ``{label: curve}`` with ``curve(points) -> (values, derivatives)`` on
        a 1-D array; :func:`loss_curve` makes one from an ``optlib`` loss.
    grid : array_like, shape (k,)
        The x axis: predictions :math:`\\hat y`, residuals or logits :math:`z`.
    point : float, optional
        A prediction to mark on every curve (see :meth:`LossCurvesPlot.set_point`).
    symbol : str
        TeX of the x variable, used in the axis labels: ``"\\\\hat y"`` or ``"z"``.
    xlabel : str, optional
        The x-axis label (default: ``"$<symbol>$"``).
    grad_scale : {"linear", "log"}
        ``"log"`` draws the size of each derivative on a log axis: the way to
        see a gradient that vanishes.
    legend_loc : (str, str)
        The Matplotlib legend location of each panel (fixed, so frames do
        not jump): ``"upper center"``, ``"lower left"``, ...
    height : float
        Figure height in inches.

    Returns
    -------
    fig : Figure
    plot : LossCurvesPlot

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mae, mse
    >>> curves = {"MSE": loss_curve(mse), "MAE": loss_curve(mae)}
    >>> fig, plot = loss_curves_plot(curves, np.linspace(-2, 2, 81), point=1.5)
    >>> plot.values_at(1.5)
    {'MSE': (2.25, 3.0), 'MAE': (1.5, 1.0)}
    >>> plot.readout.get_text()
    'At ŷ = 1.5:    MSE 2.25 (gradient 3)    MAE 1.5 (gradient 1)'
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2 or not np.isfinite(grid).all():
        raise ValueError(f"grid must be a finite 1-D array of at least 2 points, got {grid.shape}")
    if not np.all(np.diff(grid) > 0):
        raise ValueError("grid must be increasing")
    if not curves:
        raise ValueError("curves must hold at least one {label: curve}")
    if grad_scale not in ("linear", "log"):
        raise ValueError(f"grad_scale must be 'linear' or 'log', got {grad_scale!r}")
    fig, axes = side_by_side(2, height=height)
    plot = LossCurvesPlot(
        fig, axes, curves, grid, symbol, xlabel or f"${symbol}$", grad_scale, legend_loc
    )
    plot.set_point(point)
    return fig, plot


class DecisionPlot:
    """A classifier's decision regions over two features, with the data on top.

    Built by :func:`decision_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    regions : QuadContourSet
        The predicted class over the plane, lightly filled.
    points : list of Line2D
        The examples of each class, one marker shape per class.
    accuracy : float
        The share of the plotted examples the model classifies correctly.
    artists : list of Artist
        What a widget moves: none.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.models import LogisticRegression
    >>> X = np.array([[-1.0, 0.0], [1.0, 1.0]])
    >>> fig, plot = decision_plot(LogisticRegression(2), X, [0, 1], ["no", "yes"])
    >>> isinstance(plot, DecisionPlot), len(plot.points)
    (True, 2)
    """

    def __init__(self, ax: Axes, regions: Any, points: list[Line2D], accuracy: float, text: str):
        self.ax, self.fig = ax, ax.get_figure(root=True)
        self.regions, self.points, self.accuracy = regions, points, accuracy
        self._text = text
        self.artists: list[Artist] = []

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        return self._text


def decision_plot(
    model: Any,
    X: Any,
    labels: Any,
    class_names: Sequence[str],
    *,
    mean: Any = None,
    std: Any = None,
    feature_names: Sequence[str] = ("$x_1$", "$x_2$"),
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 300,
) -> tuple[Figure, DecisionPlot]:
    """The class a two-feature classifier predicts at every point of the plane.

    Parameters
    ----------
    model : classifier
        An ``optlib`` model with ``predict`` (``LogisticRegression``,
        ``SoftmaxRegression``, ``MLP``) taking two features.
    X : array_like, shape (n, 2)
        The examples, in the units the axes show.
    labels : array_like of int, shape (n,)
        Their classes, ``0 .. len(class_names) - 1``.
    class_names : sequence of str
    mean, std : array_like, shape (2,), optional
        When the model was trained on standardised features, the mean and
        standard deviation used: the plane is drawn in the original units and
        standardised before ``model.predict``.
    feature_names : (str, str)
        Axis labels.
    ax : Axes, optional
    title : str, optional
    resolution : int
        Grid points per axis.

    Returns
    -------
    fig : Figure
    plot : DecisionPlot

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.models import LogisticRegression
    >>> model = LogisticRegression(2)
    >>> model.params[0][...] = [[1.0], [0.0]]  # class 1 where x1 > 0
    >>> X = np.array([[-1.0, 0.0], [1.0, 1.0], [2.0, -1.0]])
    >>> fig, plot = decision_plot(model, X, [0, 1, 1], ["left", "right"])
    >>> plot.accuracy
    1.0
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    n_classes = len(class_names)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if labels.shape != (X.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {X.shape[0]} integer class labels, got {labels.shape}")
    if n_classes < 2 or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1} for class_names {class_names}")
    mean = np.zeros(2) if mean is None else np.asarray(mean, dtype=np.float64)
    std = np.ones(2) if std is None else np.asarray(std, dtype=np.float64)
    fig, ax = _axes(ax)
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.06 * (high - low)
    gx, gy = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    plane = (np.stack([gx.ravel(), gy.ravel()], axis=1) - mean) / std
    predicted = np.asarray(model.predict(plane)).reshape(gx.shape)
    accuracy = float(np.mean(np.asarray(model.predict((X - mean) / std)) == labels))
    colors = [COLORS[c % len(COLORS)] for c in range(n_classes)]
    markers = ("o", "s", "^", "D", "v", "P", "X")
    levels = np.arange(n_classes + 1) - 0.5
    with style():
        regions = ax.contourf(gx, gy, predicted, levels=levels, colors=colors, alpha=0.16)
        ax.contour(gx, gy, predicted, levels=levels[1:-1], colors="0.25", linewidths=1.0)
        points = []
        for c, name in enumerate(class_names):
            chosen = labels == c
            (line,) = ax.plot(
                X[chosen, 0],
                X[chosen, 1],
                linestyle="none",
                marker=markers[c % len(markers)],
                markersize=5,
                color=colors[c],
                markeredgecolor="white",
                markeredgewidth=0.5,
                label=f"{name} ({int(chosen.sum())})",
            )
            points.append(line)
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.set_title(title if title is not None else f"Accuracy {accuracy:.1%}")
        ax.legend(loc="best", fontsize=8, framealpha=0.85, frameon=True)
    text = (
        f"Decision regions of a {type(model).__name__} over {feature_names[0]} and "
        f"{feature_names[1]}, with the {X.shape[0]} examples of {n_classes} classes "
        f"({', '.join(class_names)}) drawn on top; it classifies {accuracy:.1%} of them "
        "correctly."
    )
    return fig, DecisionPlot(ax, regions, points, accuracy, text)


# --- closing chapter: maps of the final loss over two hyper-parameters -------------------

__all__ += ["loss_map_plot"]


def _cell_edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges halfway between grid values (geometrically on a log axis)."""
    c = np.log(centres) if log else centres
    if len(c) == 1:
        half = 0.5 if not log else math.log(2.0)
        edges = np.array([c[0] - half, c[0] + half])
    else:
        mid = (c[1:] + c[:-1]) / 2
        edges = np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def _log_axis(values: np.ndarray) -> bool:
    """A hyper-parameter axis is logarithmic when its values are positive and span 2 decades."""
    return bool(np.all(values > 0) and values.max() / values.min() >= 100)


def loss_map_plot(
    fn: Any,
    panels: Mapping[str, tuple[Any, str, Any, Any]],
    *,
    marks: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    solved: float = 1e-12,
    ncols: int | None = None,
    row_height: float = 2.9,
) -> tuple[Figure, Panels]:
    r"""Heat maps of the final loss over (learning rate, second hyper-parameter), side by side.

    Each panel is one :func:`optlib.sweep` over a grid, ``lr=lrs[:, None, None]``
    against another hyper-parameter on the second axis (a momentum, RMSprop's
    decay, one of Adam's betas). A cell's colour is the gap
    :math:`J(\theta_T) - J^*` its run ended with, on one logarithmic colour
    scale shared by every panel (darker: lower); a gap below ``solved`` takes
    the darkest colour. A run that diverged is a grey cell with a cross. A star
    marks each panel's best cell. The second axis is logarithmic when its values
    are positive and span two decades or more (pass ``1 - beta2`` to spread
    :math:`\beta_2 = 0.9, 0.99, 0.999`).

    Parameters
    ----------
    fn : surface
        The surface that was swept (its ``min_value`` is :math:`J^*`).
    panels : dict
        ``{title: (lrs, label, values, result)}``: the learning rates (positive,
        increasing), the name of the second hyper-parameter (an axis label, TeX
        allowed), its values (increasing) and the :class:`optlib.SweepResult`,
        whose batch shape must be ``(len(lrs), len(values))``.
    marks : dict, optional
        ``{title: {label: (lr, value)}}``: points drawn over a panel as white
        diamonds, e.g. a library's default setting.
    solved : float
        Gaps below this count as solved: they share the darkest colour.
    ncols : int, optional
        Panels per row (default: all in one row up to 3, else 2 per row).
    row_height : float
        Height of each row of panels, in inches.

    Returns
    -------
    fig : Figure
    panels : Panels
        ``.alt()`` names, per panel, the best cell and its gap and how many cells diverged.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Quadratic, sweep
    >>> lrs, momenta = np.array([0.05, 0.1, 0.3]), np.array([0.0, 0.5, 0.9])
    >>> result = sweep(Quadratic(), [2.5, 1.0], SGD, steps=30,
    ...                lr=lrs[:, None, None], momentum=momenta[None, :, None])
    >>> fig, maps = loss_map_plot(Quadratic(), {"SGD": (lrs, "momentum", momenta, result)})
    >>> print(maps.alt().split(". ", 1)[1])  # doctest: +NORMALIZE_WHITESPACE
    SGD: the best cell, lr = 0.1 and momentum = 0.5, ends 1.6e-08 above the minimum;
    1 of 9 cells diverged.
    """
    if not isinstance(panels, Mapping) or not panels:
        raise ValueError("loss_map_plot needs a dict {title: (lrs, label, values, result)}")
    min_value = _min_value(fn)
    entries = []
    for title, entry in panels.items():
        if not (isinstance(entry, tuple) and len(entry) == 4):
            raise ValueError(
                f"panels[{title!r}] must be (lrs, label, values, result), got {entry!r}"
            )
        lrs, label, values, result = entry
        lrs = np.asarray(lrs, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        if lrs.ndim != 1 or values.ndim != 1 or len(lrs) < 2 or len(values) < 2:
            raise ValueError(
                f"panels[{title!r}]: lrs and values must be 1-D with at least two entries each"
            )
        if not (np.all(lrs > 0) and np.all(np.diff(lrs) > 0) and np.all(np.diff(values) > 0)):
            raise ValueError(
                f"panels[{title!r}]: lrs must be positive and increasing, values increasing"
            )
        final = getattr(result, "final_losses", None)
        diverged = getattr(result, "diverged", None)
        if final is None or diverged is None:
            raise ValueError(
                f"panels[{title!r}]: result must be a SweepResult (from optlib.sweep), "
                f"got {type(result).__name__}"
            )
        final = np.asarray(final, dtype=np.float64)
        diverged = np.asarray(diverged, dtype=bool)
        if final.shape != (len(lrs), len(values)):
            raise ValueError(
                f"panels[{title!r}]: the sweep has batch shape {final.shape}, expected "
                f"(len(lrs), len(values)) = ({len(lrs)}, {len(values)}); sweep with "
                "lr=lrs[:, None, None] and the other hyper-parameter as values[None, :, None]"
            )
        gap = np.clip(np.nan_to_num(final - min_value, nan=_HUGE), 0.0, _HUGE)
        bad = diverged | ~np.isfinite(final)
        entries.append((str(title), lrs, str(label), values, gap, bad))

    kept = np.concatenate([gap[~bad] for *_, gap, bad in entries])
    top = float(kept.max()) if kept.size else 1.0
    floor = max(float(kept.min()) if kept.size else 0.0, float(solved))
    top = max(top, floor * 10)
    norm = LogNorm(vmin=floor, vmax=top)
    n = len(entries)
    ncols = (n if n <= 3 else 2) if ncols is None else int(ncols)
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    nrows = -(-n // ncols)
    fig = _new_figure(WIDTH, row_height * nrows)
    summaries: list[str] = []
    mark_labels: list[str] = []
    mesh = None
    with style():
        axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
        for ax in axes[n:]:
            ax.set_visible(False)
        for ax, (title, lrs, label, values, gap, bad) in zip(axes, entries, strict=False):
            log_y = _log_axis(values)
            x_edges, y_edges = _cell_edges(lrs, log=True), _cell_edges(values, log=log_y)
            shown = np.where(bad, np.nan, np.clip(gap, floor, top)).T  # rows: values
            mesh = ax.pcolormesh(
                x_edges,
                y_edges,
                np.ma.masked_invalid(shown),
                cmap=SURFACE_CMAP,
                norm=norm,
                shading="flat",
                rasterized=True,
            )
            grey = mpl.colors.ListedColormap(["#c8c8c8"])
            ax.pcolormesh(
                x_edges,
                y_edges,
                np.ma.masked_invalid(np.where(bad, 1.0, np.nan).T),
                cmap=grey,
                shading="flat",
                rasterized=True,
            )
            ii, jj = np.nonzero(bad)
            ax.plot(
                lrs[ii],
                values[jj],
                linestyle="none",
                marker="x",
                markersize=3.5,
                markeredgewidth=0.9,
                color="#555555",
                zorder=3,
            )
            if (~bad).any():
                masked = np.where(bad, np.inf, gap)
                i, j = np.unravel_index(int(np.argmin(masked)), masked.shape)
                ax.plot(
                    [lrs[i]],
                    [values[j]],
                    linestyle="none",
                    marker="*",
                    markersize=14,
                    color=BLACK,
                    markeredgecolor="white",
                    markeredgewidth=1.0,
                    zorder=6,
                )
                summaries.append(
                    f"{title}: the best cell, lr = {_fmt(lrs[i])} and {_plain(label)} = "
                    f"{_fmt(values[j])}, ends {gap[i, j]:.2g} above the minimum; "
                    f"{int(bad.sum())} of {bad.size} cells diverged"
                )
            else:
                summaries.append(f"{title}: all {bad.size} cells diverged")
            for mark, (lr, value) in ((marks or {}).get(title) or {}).items():
                ax.plot(
                    [lr],
                    [value],
                    linestyle="none",
                    marker="D",
                    markersize=7,
                    color="white",
                    markeredgecolor=BLACK,
                    markeredgewidth=1.2,
                    zorder=7,
                )
                mark_labels.append(mark)
                summaries[-1] += f"; a diamond marks {mark} at lr = {_fmt(lr)}, {_fmt(value)}"
            ax.set_xscale("log")
            if log_y:
                ax.set_yscale("log")
            ax.set_xlim(x_edges[0], x_edges[-1])
            ax.set_ylim(y_edges[0], y_edges[-1])
            ax.set_xlabel(r"learning rate $\alpha$")
            ax.set_ylabel(label)
            ax.set_title(title)
        bar = fig.colorbar(mesh, ax=axes[:n], shrink=0.9, pad=0.02, aspect=30)
        bar.set_label(r"$J(\theta_T) - J^*$ (darker: lower)")
        handles: list[Any] = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="*",
                markersize=12,
                color=BLACK,
                markeredgecolor="white",
                label="best cell of the panel",
            ),
        ]
        for mark in dict.fromkeys(mark_labels):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="D",
                    markersize=7,
                    color="white",
                    markeredgecolor=BLACK,
                    label=mark,
                )
            )
        if any(bad.any() for *_, bad in entries):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="x",
                    markersize=6,
                    color="#555555",
                    markerfacecolor="#c8c8c8",
                    label="diverged",
                )
            )
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    steps = sorted({int(getattr(entry[3], "steps", 0)) for entry in panels.values()})
    summary = (
        f"{n} heat maps of the loss gap J - J* on the {_name(fn)} surface after "
        f"{'/'.join(map(str, steps))} steps, over the learning rate (log axis) and a second "
        f"hyper-parameter, on one log colour scale from {floor:.2g} to {top:.2g}; grey cells "
        "with a cross diverged."
    )
    return fig, Panels(fig, axes[:n], [], summary + " " + ". ".join(summaries) + ".")
