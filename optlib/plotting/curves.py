r"""Curves against the step :math:`t`: losses, recorded quantities, per-coordinate values.

:func:`loss_plot` draws :math:`J(\theta_t)` (or the gap :math:`J(\theta_t) - J^*`)
of several runs on a log axis, diverged runs labelled; :func:`series_plot`
draws any quantity recorded at every step, with dashed reference levels;
:func:`coordinate_plot` draws a quantity per coordinate (an adaptive
optimizer's per-coordinate learning rates). Each returns an object whose
curves a widget can move.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from optlib.plotting.finite import HUGE, cut_at_box, finite_prefix, first_finite, run_fields
from optlib.plotting.theme import BLACK, COLORS, axes_or_new, style
from optlib.plotting.words import diverged_text, number_text, plain_text, span_text, stack_statuses
from optlib.training import count

__all__ = [
    "CoordinatePlot",
    "LossPlot",
    "SeriesPlot",
    "coordinate_plot",
    "loss_plot",
    "series_plot",
]


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
        _, losses, diverged, steps = run_fields(run, diverged, steps)
        if losses is None:
            losses = np.asarray(run, dtype=np.float64).reshape(-1)
        losses = finite_prefix(losses)
        values = losses - self.min_value if self.min_value is not None else losses
        floor = self._floor
        if floor is None:
            positive = values[values > 0]
            floor = max(float(positive.max()) * 1e-16, 1e-300) if positive.size else 1e-16
        values = np.clip(values, floor, HUGE)
        k = max(len(values) - 1, 0) if steps is None else int(steps)
        label = self.labels[i]
        who = label or f"run {i + 1}"
        if not len(values):
            self._summaries[i] = f"{who} has no finite loss"
        elif diverged:
            self._summaries[i] = f"{who} {diverged_text(k)}"
        else:
            self._summaries[i] = (
                f"{who} goes from {number_text(values[0])} to {number_text(values[-1])} "
                f"in {count(len(values) - 1, 'step')}"
            )
        t = np.arange(len(values), dtype=np.float64)
        if self.fixed and len(values):
            # With a fixed axis a run that blows up is cut where it crosses the
            # top, so its end marker sits on the edge instead of off the plot.
            top = math.log10(self.ax.get_ylim()[1])
            cut = cut_at_box(
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
        stack_statuses(self.statuses, "right")
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
    fig, ax = axes_or_new(ax)
    plot = LossPlot(ax, n, labels, colors or COLORS, min_value, steps, ylim, title)
    for i, run in enumerate(runs):
        plot.set_run(i, run)
    return fig, plot


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
        self._reference_text = ", ".join(
            f"{name} at {number_text(v)}" for name, v in references.items()
        )
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
        values = finite_prefix(np.asarray(values, dtype=np.float64).reshape(-1))
        floor = 1e-300 if self.logy else -HUGE
        values = np.clip(values, floor, HUGE)
        t = self.t0 + np.arange(len(values), dtype=np.float64)
        self.lines[i].set_data(t, values)
        who = self.labels[i] or f"series {i + 1}"
        if len(values):
            self._summaries[i] = (
                f"{who} goes from {number_text(values[0])} to {number_text(values[-1])} "
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
    fig, ax = axes_or_new(ax)
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
    fig, ax = axes_or_new(ax)
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
        f"{kinds[yscale]}-{xscale} plot of {plain_text(ylabel)} against {plain_text(xlabel)}"
        if xscale != yscale
        else f"{kinds[yscale]}-{yscale} plot of {plain_text(ylabel)} against {plain_text(xlabel)}"
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
                start = first_finite(column)
                ys = finite_prefix(column[start:])
                if yscale == "log":
                    ys = np.clip(ys, 1e-300, HUGE)
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
            shown = [finite_prefix(c[first_finite(c) :]) for c in array.T]
            first = np.array([c[0] if len(c) else np.nan for c in shown])
            last = np.array([c[-1] if len(c) else np.nan for c in shown])
            summaries.append(
                f"{plain_text(label)} goes from {span_text(first)} to {span_text(last)}"
            )
        if reference is not None:
            exponent, ref_label = reference
            first_series = next(iter(arrays.values()))[:, 0]
            ys = finite_prefix(first_series)
            xs = np.arange(1, len(ys) + 1, dtype=np.float64) if x_all is None else x_all[: len(ys)]
            if len(ys) and ys[-1] > 0 and xs[-1] > 0:
                guide = ys[-1] * (xs / xs[-1]) ** float(exponent)
                (plot.reference,) = ax.plot(
                    xs, guide, color=BLACK, linestyle="--", linewidth=1.0, label=ref_label
                )
                summaries.append(f"a dashed guide shows {plain_text(ref_label)}")
        ax.set(xscale=xscale, yscale=yscale, xlabel=xlabel, ylabel=ylabel, title=title)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        if legend == "outside":
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        elif legend != "none":
            ax.legend(loc=legend)
    return fig, plot
