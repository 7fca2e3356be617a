r"""Figures of the losses themselves: fits with an outlier, loss curves, decision regions.

:func:`fit_lines_plot` shows the straight line each loss fits to data with an
outlier; :func:`loss_curves_plot` shows losses beside their derivatives over
one prediction, with a point a widget moves; :func:`decision_plot` shows the
class a two-feature classifier predicts over the plane. In every figure here
each loss keeps its colour and line style: MSE blue, MAE green, Huber orange.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from optlib.plotting.finite import HUGE
from optlib.plotting.theme import (
    BLACK,
    COLORS,
    HEIGHT,
    VERMILLION,
    WIDTH,
    axes_or_new,
    side_by_side,
    style,
)
from optlib.plotting.words import number_text

__all__ = [
    "DecisionPlot",
    "FitLinesPlot",
    "LossCurvesPlot",
    "decision_plot",
    "fit_lines_plot",
    "loss_curve",
    "loss_curves_plot",
    "plain_symbol",
]

_LOSS_LINESTYLES = ("-", "--", ":", "-.")
# The losses take the palette from blue on, so that each keeps its colour in
# every figure here (MSE blue, MAE green, Huber orange) and vermillion is left
# for the outlier.
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
            y_out = float(np.clip(self.y[self.outlier], -HUGE, HUGE))
            self.outlier_marker.set_data([self.x[self.outlier]], [y_out])
        for label, (slope, intercept) in (fits or {}).items():
            if label not in self.lines:
                raise ValueError(f"no line labelled {label!r}; the lines are {list(self.lines)}")
            slope, intercept = float(slope), float(intercept)
            self.fits[label] = (slope, intercept)
            self.lines[label].set_data(
                self._span, np.clip(slope * self._span + intercept, -HUGE, HUGE)
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
                f", one of them an outlier at x = {number_text(self.x[self.outlier])}, "
                f"y = {number_text(self.y[self.outlier])}"
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
    fig, ax = axes_or_new(ax, width=WIDTH * 0.75)
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
            return np.clip(np.abs(grads), 1e-300, HUGE)
        return np.clip(grads, -HUGE, HUGE)

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
            value_mark.set_data([self.point], [np.clip(value, -HUGE, HUGE)])
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
        plain = plain_symbol(self.symbol)
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
        lo, hi = number_text(self._grid[0]), number_text(self._grid[-1])
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


def plain_symbol(symbol: str) -> str:
    r"""The x variable of a loss plot as plain text: ``\hat y`` becomes ``ŷ``.

    What a line of text shows for :func:`loss_curves_plot`'s ``symbol``
    (plain text, not mathtext: a text that changes on every frame of a widget
    must draw fast).

    Examples
    --------
    >>> plain_symbol(r"\hat y"), plain_symbol("z")
    ('ŷ', 'z')
    """
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
    fig, ax = axes_or_new(ax)
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
