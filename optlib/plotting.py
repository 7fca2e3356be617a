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
BLACK = OKABE_ITO["black"]
ORANGE = OKABE_ITO["orange"]
SKY_BLUE = OKABE_ITO["sky_blue"]
GREEN = OKABE_ITO["green"]
YELLOW = OKABE_ITO["yellow"]
BLUE = OKABE_ITO["blue"]
VERMILLION = OKABE_ITO["vermillion"]
PURPLE = OKABE_ITO["purple"]

#: The order in which lines take colours (yellow is too pale on white).
COLORS: tuple[str, ...] = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK)
#: Colour map of surface fills: sequential and colour-blind safe.
SURFACE_CMAP = "cividis"

#: Book size of a full-width figure, in inches, and its resolution.
WIDTH = 8.0
HEIGHT = 3.2
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


class Panels:
    """Several panels drawn by one builder; ``.alt()`` describes them all.

    Attributes
    ----------
    fig : Figure
    axes : list of Axes
    parts : list
        What each panel's builder returned (overlays, loss plots, ...).
    """

    def __init__(self, fig: Figure, axes: list[Axes], parts: list[Any], summary: str):
        self.fig, self.axes, self.parts = fig, axes, parts
        self._summary = summary

    @property
    def artists(self) -> list[Artist]:
        return [artist for part in self.parts for artist in getattr(part, "artists", [])]

    def alt(self) -> str:
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
