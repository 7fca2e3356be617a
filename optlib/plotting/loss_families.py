r"""Figures of loss families: one loss over a setting, and predicted uncertainty.

:func:`family_plot` draws several members of one family of curves on one
panel (the focal loss for several :math:`\gamma`, the label-smoothed
cross-entropy for several :math:`\epsilon`, the Poisson loss for several
counts), with each curve's minimum marked where it has one;
:func:`interval_plot` draws data with the mean and a band of
:math:`\pm k` standard deviations for each of several fits, and measures how
many points each band covers (a model that predicts its variance against
one that does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optlib.plotting.theme import BLACK, COLORS, axes_or_new, style
from optlib.plotting.words import number_text, plain_text

__all__ = ["FamilyPlot", "IntervalPlot", "family_plot", "interval_plot"]

_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
# Vermillion is left for the data points of interval_plot; the curves start at blue.
_CURVE_COLORS = (*COLORS[1:], COLORS[0])


def _checked_grid(grid: Any) -> np.ndarray:
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2 or not np.isfinite(grid).all():
        raise ValueError(f"grid must be a finite 1-D array of at least 2 points, got {grid.shape}")
    if not np.all(np.diff(grid) > 0):
        raise ValueError("grid must be increasing")
    return grid


def _checked_values(label: str, curve: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    if not callable(curve):
        raise ValueError(f"curves[{label!r}] must be a callable curve(x) -> values")
    values = np.asarray(curve(x), dtype=np.float64)
    if values.shape != x.shape:
        raise ValueError(
            f"curves[{label!r}] must return an array shaped like its input {x.shape}, "
            f"got {values.shape}"
        )
    if not np.isfinite(values).all():
        raise ValueError(f"curves[{label!r}] is not finite on the grid")
    return values


class FamilyPlot:
    """Curves of one family on one panel, each minimum marked. Built by :func:`family_plot`.

    Attributes
    ----------
    fig : Figure
    ax : Axes
    lines : dict of str to Line2D
        Each curve's line, by label.
    minimum_markers : dict of str to Line2D
        The marker at each curve's minimum, for the labels given in ``minima``.
    minima : dict of str to (float, float)
        ``{label: (x, value)}`` of each marked minimum.
    artists : list of Artist

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.linspace(-2.0, 2.0, 41)
    >>> fig, plot = family_plot(
    ...     {"a = 1": lambda x: (x - 1) ** 2, "a = -1": lambda x: (x + 1) ** 2},
    ...     grid, minima={"a = 1": 1.0, "a = -1": -1.0}, xlabel="x", ylabel="loss")
    >>> plot.minima
    {'a = 1': (1.0, 0.0), 'a = -1': (-1.0, 0.0)}
    """

    def __init__(
        self,
        fig: Figure,
        ax: Axes,
        curves: Mapping[str, Callable[[np.ndarray], Any]],
        grid: np.ndarray,
        minima: Mapping[str, float],
        xlabel: str,
        ylabel: str,
        title: str | None,
        yscale: str,
        legend_loc: str,
    ) -> None:
        self.fig, self.ax, self._grid = fig, ax, grid
        self._xlabel, self._ylabel, self._yscale = xlabel, ylabel, yscale
        self.lines: dict[str, Line2D] = {}
        self.minimum_markers: dict[str, Line2D] = {}
        self.minima: dict[str, tuple[float, float]] = {}
        with style():
            for i, (label, curve) in enumerate(curves.items()):
                values = _checked_values(label, curve, grid)
                color = _CURVE_COLORS[i % len(_CURVE_COLORS)]
                linestyle = _LINESTYLES[i % len(_LINESTYLES)]
                (self.lines[label],) = ax.plot(
                    grid, values, color=color, linestyle=linestyle, label=label
                )
                if label in minima:
                    x_min = float(minima[label])
                    value = float(_checked_values(label, curve, np.array([x_min]))[0])
                    self.minima[label] = (x_min, value)
                    (self.minimum_markers[label],) = ax.plot(
                        [x_min],
                        [value],
                        linestyle="none",
                        marker="o",
                        markersize=6,
                        color=color,
                        markeredgecolor=BLACK,
                        markeredgewidth=0.8,
                        zorder=5,
                    )
            ax.set_yscale(yscale)
            ax.set_xlim(float(grid[0]), float(grid[-1]))
            ax.set(xlabel=xlabel, ylabel=ylabel)
            if title:
                ax.set_title(title)
            self.legend = ax.legend(loc=legend_loc, fontsize=9)
        self.artists: list[Artist] = [*self.lines.values(), *self.minimum_markers.values()]

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        lo, hi = number_text(self._grid[0]), number_text(self._grid[-1])
        scale = " on a log axis" if self._yscale == "log" else ""
        text = (
            f"{len(self.lines)} curves of {plain_text(self._ylabel)}{scale} against "
            f"{plain_text(self._xlabel)} from {lo} to {hi}: {', '.join(self.lines)}"
        )
        if not self.minima:
            return text + "."
        marked = "; ".join(
            f"{label} at {number_text(x)} (value {number_text(v)})"
            for label, (x, v) in self.minima.items()
        )
        return text + f". Minima marked: {marked}."


def family_plot(
    curves: Mapping[str, Callable[[np.ndarray], Any]],
    grid: Any,
    *,
    minima: Mapping[str, float] | None = None,
    xlabel: str = "$x$",
    ylabel: str = "loss",
    title: str | None = None,
    yscale: str = "linear",
    legend_loc: str = "best",
    ax: Axes | None = None,
) -> tuple[Figure, FamilyPlot]:
    r"""Members of one family of curves on one panel, with their minima marked.

    Parameters
    ----------
    curves : dict of str to callable
        ``{label: curve}`` with ``curve(x) -> values`` on a 1-D array, finite
        on the grid: one member of the family each (a loss at one setting).
    grid : array_like, shape (k,)
        The x axis, increasing.
    minima : dict of str to float, optional
        ``{label: x}``: where a curve has its minimum, marked with a dot on it
        (a curve without one, such as a loss that keeps falling, is left out).
    xlabel, ylabel : str
        Axis labels (mathtext allowed).
    title : str, optional
    yscale : {"linear", "log"}
        A log axis needs positive values.
    legend_loc : str
        Matplotlib legend location.
    ax : Axes, optional
        Draw here instead of on a new one-panel figure.

    Returns
    -------
    fig : Figure
    plot : FamilyPlot

    Examples
    --------
    >>> import numpy as np
    >>> fig, plot = family_plot({"x²": np.square}, np.linspace(-1, 1, 5), minima={"x²": 0.0})
    >>> plot.alt()
    '1 curves of loss against x from -1 to 1: x². Minima marked: x² at 0 (value 0).'
    """
    grid = _checked_grid(grid)
    if not curves:
        raise ValueError("curves must hold at least one {label: curve}")
    minima = dict(minima or {})
    unknown = [label for label in minima if label not in curves]
    if unknown:
        raise ValueError(f"minima names curves that are not drawn: {unknown}")
    for label, x in minima.items():
        if not np.isfinite(x) or not grid[0] <= x <= grid[-1]:
            raise ValueError(
                f"minima[{label!r}] must lie on the grid [{grid[0]:g}, {grid[-1]:g}], got {x!r}"
            )
    if yscale not in ("linear", "log"):
        raise ValueError(f"yscale must be 'linear' or 'log', got {yscale!r}")
    fig, ax = axes_or_new(ax)
    plot = FamilyPlot(fig, ax, curves, grid, minima, xlabel, ylabel, title, yscale, legend_loc)
    if yscale == "log":
        for label, line in plot.lines.items():
            if np.any(line.get_ydata() <= 0):
                raise ValueError(
                    f"curves[{label!r}] has values <= 0, which a log axis cannot show"
                )
    return fig, plot


class IntervalPlot:
    """Data, each fit's mean and its band of standard deviations. See :func:`interval_plot`.

    Attributes
    ----------
    fig : Figure
    ax : Axes
    points : Line2D
        The data.
    lines : dict of str to Line2D
        Each fit's mean.
    bands : dict of str to PolyCollection
        Each fit's band, mean :math:`\\pm` ``level`` standard deviations.
    coverage : dict of str to float
        The share of the data points inside each fit's band (edges included).
    level : float
    artists : list of Artist

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 0.5, 1.0])
    >>> fig, plot = interval_plot(x, x + np.array([0.0, 0.3, 0.0]), {"fit": (x, np.full(3, 0.1))})
    >>> plot.coverage  # the middle point lies 3 standard deviations away
    {'fit': 0.6666666666666666}
    """

    def __init__(
        self,
        fig: Figure,
        ax: Axes,
        x: np.ndarray,
        y: np.ndarray,
        fits: Mapping[str, tuple[np.ndarray, np.ndarray]],
        level: float,
        xlabel: str,
        ylabel: str,
        title: str | None,
    ) -> None:
        self.fig, self.ax, self.level = fig, ax, level
        self._n = len(x)
        order = np.argsort(x, kind="stable")
        self.lines: dict[str, Line2D] = {}
        self.bands: dict[str, PolyCollection] = {}
        self.coverage: dict[str, float] = {}
        with style():
            self.points = ax.plot(
                x, y, linestyle="none", marker="o", markersize=3.5, color=COLORS[0],
                alpha=0.7, label="data",
            )[0]  # fmt: skip
            for i, (label, (mean, std)) in enumerate(fits.items()):
                color = _CURVE_COLORS[i % len(_CURVE_COLORS)]
                linestyle = _LINESTYLES[i % len(_LINESTYLES)]
                low, high = mean - level * std, mean + level * std
                self.coverage[label] = float(np.mean((y >= low) & (y <= high)))
                self.bands[label] = ax.fill_between(
                    x[order], low[order], high[order], color=color, alpha=0.15, linewidth=0
                )
                (self.lines[label],) = ax.plot(
                    x[order], mean[order], color=color, linestyle=linestyle,
                    label=f"{label} (band holds {self.coverage[label]:.0%})",
                )  # fmt: skip
                for edge in (low, high):
                    ax.plot(x[order], edge[order], color=color, linestyle=linestyle, linewidth=0.8)
            ax.set(xlabel=xlabel, ylabel=ylabel)
            if title:
                ax.set_title(title)
            self.legend = ax.legend(loc="upper left", fontsize=9)
        self.artists: list[Artist] = [self.points, *self.lines.values(), *self.bands.values()]

    def alt(self) -> str:
        """A one-sentence description for the figure's alt text."""
        covered = "; ".join(
            f"the {label} band holds {share:.0%} of them" for label, share in self.coverage.items()
        )
        return (
            f"{self._n} data points with, for each of {', '.join(self.lines)}, the predicted "
            f"mean as a line and a shaded band of plus or minus {number_text(self.level)} "
            f"standard deviations: {covered}."
        )


def interval_plot(
    x: Any,
    y: Any,
    fits: Mapping[str, tuple[Any, Any]],
    *,
    level: float = 2.0,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
    title: str | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, IntervalPlot]:
    r"""Data, and for each fit its mean and a band of ``level`` predicted standard deviations.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The inputs and targets.
    fits : dict of str to (array_like, array_like)
        ``{label: (mean, std)}``: each fit's predicted mean and standard
        deviation at every ``x``, both of shape (n,); the standard deviations
        must be >= 0 (a constant array for a fit that predicts none).
    level : float
        The half-width of a band, in standard deviations (> 0).
    xlabel, ylabel : str
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    fig : Figure
    plot : IntervalPlot
        ``plot.coverage`` holds the share of points inside each band.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.0, 1.0, 5)
    >>> fig, plot = interval_plot(x, x, {"exact": (x, np.full(5, 0.1))})
    >>> plot.coverage
    {'exact': 1.0}
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"x and y must be 1-D of one non-zero length, got {x.shape} and {y.shape}"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    if not fits:
        raise ValueError("fits must hold at least one {label: (mean, std)}")
    if isinstance(level, bool) or not np.isfinite(level) or level <= 0:
        raise ValueError(f"level must be a positive number, got {level!r}")
    checked = {}
    for label, pair in fits.items():
        try:
            mean, std = (np.asarray(a, dtype=np.float64) for a in pair)
        except (TypeError, ValueError):
            raise ValueError(f"fits[{label!r}] must be a pair (mean, std) of arrays") from None
        if mean.shape != x.shape or std.shape != x.shape:
            raise ValueError(
                f"fits[{label!r}]: mean and std must have the shape of x {x.shape}, "
                f"got {mean.shape} and {std.shape}"
            )
        if not (np.isfinite(mean).all() and np.isfinite(std).all()) or np.any(std < 0):
            raise ValueError(f"fits[{label!r}]: mean and std must be finite, std >= 0")
        checked[label] = (mean, std)
    fig, ax = axes_or_new(ax)
    plot = IntervalPlot(fig, ax, x, y, checked, float(level), xlabel, ylabel, title)
    return fig, plot
