r"""Figures of the chapter after Adam: grids of small panels, singular values, state sizes.

:func:`panel_grid` lays out rows of small panels (one per reason for changing
Adam); :func:`singular_value_plot` draws the singular values of matrices,
largest first, on a log axis (a gradient, an update, a Newton–Schulz iterate),
and can say that an iteration diverged; :func:`state_size_plot` draws how many
numbers each optimizer keeps, as horizontal bars on a log axis.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from optlib.plotting.theme import COLORS, HEIGHT, WIDTH, axes_or_new, new_figure, style
from optlib.plotting.words import diverged_text, number_text

__all__ = [
    "SingularValuePlot",
    "StateSizePlot",
    "panel_grid",
    "singular_value_plot",
    "state_size_plot",
]


def panel_grid(
    rows: int, cols: int, *, width: float = WIDTH, height: float | None = None
) -> tuple[Figure, list[Axes]]:
    """A figure of ``rows`` × ``cols`` small panels, at book width, as one flat list.

    Parameters
    ----------
    rows, cols : int
        The grid's shape, each at least 1.
    width : float
        Figure width in inches.
    height : float, optional
        Figure height in inches (default: :data:`HEIGHT` × 0.85 per row).

    Returns
    -------
    fig : Figure
    axes : list of Axes
        Row by row, ``rows * cols`` of them.

    Examples
    --------
    >>> fig, axes = panel_grid(2, 3)
    >>> len(axes)
    6
    """
    for name, value in (("rows", rows), ("cols", cols)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if height is None:
        height = HEIGHT * 0.85 * rows
    fig = new_figure(width, height)
    with style():
        axes = fig.subplots(int(rows), int(cols), squeeze=False)
    return fig, [ax for row in axes for ax in row]


def _singular_values(name: str, values: Any) -> np.ndarray:
    """Singular values, largest first, as a 1-D float array (a ValueError names ``name``)."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a 1-D array of singular values, got {values!r}"
        ) from None
    if array.ndim != 1 or not len(array):
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    if (array[np.isfinite(array)] < 0).any():
        raise ValueError(f"{name} must hold singular values >= 0")
    return np.sort(array)[::-1]


class SingularValuePlot:
    r"""Singular values :math:`\sigma_1 \ge \sigma_2 \ge \dots` of matrices, one line each.

    Built by :func:`singular_value_plot`. :meth:`set_values` replaces a line, so a
    widget moves only the lines and the status text.

    Attributes
    ----------
    fig, ax : Figure, Axes
    lines : dict of str to Line2D
        One line per matrix, by label.
    status : Text
        "diverged after k steps" when :meth:`set_values` is told so, else empty.
    artists : list of Artist
        What a widget moves: the lines and the status.

    Examples
    --------
    >>> fig, plot = singular_value_plot({"B": [3.0, 1.0, 0.01]})
    >>> plot.set_values("B", [1.0, 1.0, 1.0])
    >>> plot.alt()
    'Log-scale plot of the singular values, largest first: B from 1 to 1 (3 values).'
    """

    def __init__(
        self,
        ax: Axes,
        labels: Sequence[str],
        colors: Sequence[str],
        band: tuple[float, float] | None,
        ylim: tuple[float, float] | None,
        n: int | None,
        title: str,
    ):
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        self.fixed = ylim is not None
        self.lines: dict[str, Line2D] = {}
        self._summaries: dict[str, str] = {}
        self.band = band
        self._diverged: str | None = None
        with style():
            if band is not None:
                ax.axhspan(*band, color="0.85", zorder=1, linewidth=0)
            for i, label in enumerate(labels):
                (line,) = ax.plot(
                    [],
                    [],
                    color=colors[i % len(colors)],
                    linewidth=1.6,
                    marker="o",
                    markersize=2.5,
                    label=label,
                    zorder=3,
                )
                self.lines[label] = line
                self._summaries[label] = ""
            self.status: Text = ax.text(
                0.98,
                0.04,
                "",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=9,
                fontweight="bold",
                color=colors[0],
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
                zorder=5,
            )
            ax.set_yscale("log")
            ax.set_xlabel("index $i$ (largest first)")
            ax.set_ylabel(r"singular value $\sigma_i$")
            ax.set_title(title)
            ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
            if n is not None:
                ax.set_xlim(0.5, n + 0.5)
            if ylim is not None:
                ax.set_ylim(*ylim)
            if len(labels) > 1 or (labels and labels[0]):
                ax.legend(loc="lower left", fontsize=8)
        self.artists: list[Artist] = [*self.lines.values(), self.status]

    def set_values(self, label: str, values: Any, *, diverged_after: int | None = None) -> None:
        """Show ``values`` (any order; sorted here) as the line ``label``.

        Non-finite values are dropped. With ``diverged_after=k`` the line is
        emptied and the status says "diverged after k steps" (the label in front
        when the plot has several lines).

        Raises
        ------
        ValueError
            An unknown ``label``, or values that are not a 1-D array >= 0.
        """
        if label not in self.lines:
            raise ValueError(f"no line {label!r}; the lines are {list(self.lines)}")
        line = self.lines[label]
        if diverged_after is not None:
            line.set_data([], [])
            prefix = f"{label}: " if len(self.lines) > 1 else ""
            self.status.set_text(prefix + diverged_text(int(diverged_after)))
            self.status.set_color(line.get_color())
            self._diverged = label
            self._summaries[label] = f"{label} {diverged_text(int(diverged_after))}"
            return
        sigma = _singular_values(f"values of {label!r}", values)
        sigma = sigma[np.isfinite(sigma)]
        if self.fixed:
            low, high = self.ax.get_ylim()
            sigma = np.clip(sigma, low, high)
        else:
            sigma = np.clip(sigma, 1e-300, None)
        index = np.arange(1, len(sigma) + 1, dtype=np.float64)
        line.set_data(index, sigma)
        if self._diverged == label:
            self.status.set_text("")
            self._diverged = None
        self._summaries[label] = (
            f"{label} from {number_text(sigma[0])} to {number_text(sigma[-1])} "
            f"({len(sigma)} values)"
            if len(sigma)
            else f"{label} has no finite value"
        )
        if not self.fixed:
            data = [ln.get_ydata() for ln in self.lines.values() if len(ln.get_ydata())]
            values_all = np.concatenate([np.asarray(d, dtype=np.float64) for d in data])
            lo, hi = float(values_all.min()), float(values_all.max())
            if self.band is not None:
                lo, hi = min(lo, self.band[0]), max(hi, self.band[1])
            self.ax.set_ylim(lo / 2, hi * 2)
            self.ax.set_xlim(0.5, max(len(d) for d in data) + 0.5)

    def alt(self) -> str:
        """A one-sentence description of the lines, for alt text."""
        lines = "; ".join(s for s in self._summaries.values() if s) or "no lines yet"
        return f"Log-scale plot of the singular values, largest first: {lines}."


def singular_value_plot(
    values: Mapping[str, Any] | None = None,
    *,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    colors: Sequence[str] | None = None,
    band: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    n: int | None = None,
    title: str = "",
) -> tuple[Figure, SingularValuePlot]:
    r"""The singular values of one or more matrices, largest first, on a log axis.

    Parameters
    ----------
    values : dict of str to array_like, optional
        Legend label and singular values of each matrix (e.g. from
        ``np.linalg.svd(M, compute_uv=False)``), drawn now.
    labels : sequence of str, optional
        The lines to draw later with ``plot.set_values`` (default: the keys of ``values``).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    colors : sequence of str, optional
        Defaults to :data:`COLORS`.
    band : (float, float), optional
        A grey horizontal band (e.g. where Newton–Schulz lands the values).
    ylim : (float, float), optional
        Fix the y axis (widgets); values outside are drawn on its edge.
    n : int, optional
        Fix the x axis to ``[1, n]``.
    title : str

    Returns
    -------
    fig : Figure
    plot : SingularValuePlot

    Examples
    --------
    >>> import numpy as np
    >>> M = np.diag([4.0, 2.0, 1.0])
    >>> fig, plot = singular_value_plot({"M": np.linalg.svd(M, compute_uv=False)})
    >>> plot.lines["M"].get_ydata().tolist()
    [4.0, 2.0, 1.0]
    """
    values = dict(values or {})
    names = list(values) if labels is None else [str(label) for label in labels]
    if not names:
        raise ValueError("singular_value_plot needs values or labels")
    missing = [name for name in values if name not in names]
    if missing:
        raise ValueError(f"values name lines not in labels: {missing}")
    if ylim is not None and not (0 < ylim[0] < ylim[1] and math.isfinite(ylim[1])):
        raise ValueError(f"ylim must be (low, high) with 0 < low < high, got {ylim!r}")
    if band is not None and not (0 < band[0] < band[1]):
        raise ValueError(f"band must be (low, high) with 0 < low < high, got {band!r}")
    fig, ax = axes_or_new(ax)
    plot = SingularValuePlot(ax, names, colors or COLORS, band, ylim, n, title)
    for name, sigma in values.items():
        plot.set_values(name, sigma)
    return fig, plot


class StateSizePlot:
    """How many numbers each optimizer keeps: horizontal bars on a log axis, built by
    :func:`state_size_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    bars : list of Rectangle
    texts : list of Text
        The number written at the end of each bar.

    Examples
    --------
    >>> fig, plot = state_size_plot({"Adam": 2048, "Adafactor": 96})
    >>> plot.alt()
    'Bar chart of the numbers each optimizer keeps: Adam 2,048; Adafactor 96.'
    """

    def __init__(self, ax: Axes, sizes: dict[str, int], colors: Sequence[str], title: str):
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        self.sizes = sizes
        names = list(sizes)
        heights = [max(int(sizes[name]), 1) for name in names]
        with style():
            container = ax.barh(
                names,
                heights,
                color=[colors[i % len(colors)] for i in range(len(names))],
                height=0.6,
            )
            ax.set_xscale("log")
            ax.invert_yaxis()
            ax.set_xlim(min(heights) / 3, max(heights) * 20)
            ax.set_xlabel("numbers kept in the optimizer's state")
            ax.set_title(title)
            ax.grid(True, axis="x", which="major", color="#dddddd", linewidth=0.6)
            self.texts = [
                ax.text(height * 1.15, i, f"{sizes[name]:,}", va="center", fontsize=9)
                for i, (name, height) in enumerate(zip(names, heights, strict=True))
            ]
        self.bars = list(container)

    def alt(self) -> str:
        """A one-sentence description of the bars, for alt text."""
        parts = "; ".join(f"{name} {size:,}" for name, size in self.sizes.items())
        return f"Bar chart of the numbers each optimizer keeps: {parts}."


def state_size_plot(
    sizes: Mapping[str, int],
    *,
    ax: Axes | None = None,
    colors: Sequence[str] | None = None,
    title: str = "",
) -> tuple[Figure, StateSizePlot]:
    """The size of each optimizer's state (e.g. :func:`optlib.optimizers.state_size`) as bars.

    Parameters
    ----------
    sizes : dict of str to int
        Label and number of stored numbers, each >= 0; a 0 is drawn as 1 (log axis).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    colors : sequence of str, optional
        Defaults to :data:`COLORS`.
    title : str

    Returns
    -------
    fig : Figure
    plot : StateSizePlot

    Examples
    --------
    >>> fig, plot = state_size_plot({"Adam": 2048, "Adafactor": 96})
    >>> [text.get_text() for text in plot.texts]
    ['2,048', '96']
    """
    if not isinstance(sizes, Mapping) or not sizes:
        raise ValueError(f"sizes must be a non-empty {{label: count}} dict, got {sizes!r}")
    checked: dict[str, int] = {}
    for name, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 0:
            raise ValueError(f"sizes[{name!r}] must be an integer >= 0, got {size!r}")
        checked[str(name)] = int(size)
    fig, ax = axes_or_new(ax)
    return fig, StateSizePlot(ax, checked, colors or COLORS, title)
