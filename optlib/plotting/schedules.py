r"""Figures of learning-rate schedules: the rates against the step, and the range test.

:func:`rate_curve_plot` draws one or more schedules' rates :math:`\alpha_t`
against the step (from :func:`optlib.schedules.rate_curve`, or any array);
:func:`range_test_plot` draws a learning-rate range test
(:func:`optlib.experiments.lr_range_test`): the loss against the rate on a
log axis, raw and smoothed, with the suggested rate marked. Each returns an
object whose curves a widget can move.
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

from optlib.plotting.finite import HUGE
from optlib.plotting.theme import BLUE, COLORS, GREEN, VERMILLION, axes_or_new, style
from optlib.plotting.words import number_text, plain_text
from optlib.training import count

__all__ = ["RangeTestPlot", "RateCurvePlot", "range_test_plot", "rate_curve_plot"]

_MARKERS_UP_TO = 40  # curves this short get a dot at every step


def _checked_rates(where: str, values: Any) -> np.ndarray:
    """A 1-D array of finite rates >= 0, or a ValueError naming ``where``."""
    try:
        rates = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{where} must be a 1-D array of learning rates, got {values!r}"
        ) from None
    if rates.ndim != 1:
        raise ValueError(f"{where} must be 1-D (one rate per step), got shape {rates.shape}")
    if not np.isfinite(rates).all() or (rates < 0).any():
        raise ValueError(f"{where} must hold finite learning rates >= 0")
    return rates


class RateCurvePlot:
    r"""Learning rates against the step, one line per schedule; built by :func:`rate_curve_plot`.

    Each curve can be replaced with :meth:`set_curve`, so a widget moves only
    the lines.

    Attributes
    ----------
    fig, ax : Figure, Axes
    lines : dict of str to Line2D
        One line per schedule, by label.
    artists : list of Artist
        What a widget moves: the lines.

    Examples
    --------
    >>> fig, plot = rate_curve_plot({"halving": [1.0, 0.5, 0.25]})
    >>> isinstance(plot, RateCurvePlot), list(plot.lines)
    (True, ['halving'])
    """

    def __init__(
        self,
        ax: Axes,
        labels: Sequence[str],
        colors: Sequence[str],
        log: bool,
        steps_label: str,
        title: str,
    ):
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        self.log = log
        self.steps_label = steps_label
        self.lines: dict[str, Line2D] = {}
        self._summaries: dict[str, str] = {}
        with style():
            for i, label in enumerate(labels):
                (line,) = ax.plot(
                    [], [], color=colors[i % len(colors)], linewidth=1.8, label=label, zorder=3
                )
                self.lines[label] = line
                self._summaries[label] = ""
            ax.set_xlabel(steps_label)
            ax.set_ylabel(r"learning rate $\alpha_t$")
            ax.set_title(title)
            if log:
                ax.set_yscale("log")
            ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        self.artists: list[Artist] = list(self.lines.values())

    def set_curve(self, label: str, rates: Any) -> None:
        """Show ``rates`` (shape ``(n,)``, at steps 0, ..., n - 1) as the curve ``label``.

        On a log axis the steps whose rate is 0 are left out (a warm-up from 0
        starts at step 1).

        Raises
        ------
        ValueError
            ``label`` is not one of the plot's curves, or ``rates`` are not
            finite rates >= 0.
        """
        if label not in self.lines:
            raise ValueError(f"no curve {label!r}; the curves are {list(self.lines)}")
        rates = _checked_rates(f"rates of {label!r}", rates)
        t = np.arange(len(rates), dtype=np.float64)
        shown = rates > 0 if self.log else np.ones(len(rates), dtype=bool)
        line = self.lines[label]
        line.set_data(t[shown], rates[shown])
        line.set_marker("o" if len(rates) <= _MARKERS_UP_TO else "None")
        line.set_markersize(3)
        self._summaries[label] = _curve_summary(label, rates, self.steps_label)

    def alt(self) -> str:
        """A one-sentence description of the curves, for alt text."""
        scale = "Log-scale plot" if self.log else "Plot"
        curves = "; ".join(s for s in self._summaries.values() if s) or "no curves yet"
        return (
            f"{scale} of the learning rate against the {plain_text(self.steps_label)}: {curves}."
        )


def _curve_summary(label: str, rates: np.ndarray, steps_label: str) -> str:
    if not len(rates):
        return f"{label} is empty"
    top = int(np.argmax(rates))
    words = plain_text(steps_label)
    text = (
        f"{label} goes from {number_text(rates[0])} to {number_text(rates[-1])} over "
        f"{count(len(rates), words)}"
    )
    if 0 < top < len(rates) - 1:
        text += f", peaking at {number_text(rates[top])} at {words} {top}"
    return text


def rate_curve_plot(
    curves: Mapping[str, Any],
    *,
    ax: Axes | None = None,
    log: bool = False,
    steps_label: str = "step",
    title: str | None = None,
    colors: Sequence[str] | None = None,
    ylim: tuple[float, float] | None = None,
    steps: int | None = None,
) -> tuple[Figure, RateCurvePlot]:
    r"""Learning-rate schedules as curves :math:`\alpha_t` against the step :math:`t`.

    Parameters
    ----------
    curves : dict of str to array_like, shape (n,)
        ``{label: rates}``: the rate of each step, from step 0, e.g. from
        :func:`optlib.schedules.rate_curve`. Curves may differ in length;
        rates are finite and >= 0. Curves of at most 40 steps get a dot per step.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    log : bool
        A logarithmic rate axis (a step decay's equal cuts become equal
        drops); rates of 0 are then left out.
    steps_label : str
        The x axis's label, and the unit the alt text counts in ("epoch" when
        the schedule is stepped once per epoch).
    title : str, optional
        Default: "Learning-rate schedule", or "schedules" for several.
    colors : sequence of str, optional
        Defaults to :data:`~optlib.plotting.COLORS`.
    ylim : (float, float), optional
        Fix the rate axis (for a widget whose curves move); else it fits the data.
    steps : int, optional
        Fix the x axis to ``[0, steps]``.

    Returns
    -------
    fig : Figure
    plot : RateCurvePlot

    Raises
    ------
    ValueError
        ``curves`` is empty or not a dict, a curve is not 1-D finite rates
        >= 0, or ``log``, ``ylim`` or ``steps`` are not what they should be.

    Examples
    --------
    >>> from optlib.schedules import CosineAnnealingLR, StepLR, rate_curve
    >>> curves = {
    ...     "step": rate_curve(lambda opt: StepLR(opt, step_size=30, gamma=0.1), 100, lr=0.1),
    ...     "cosine": rate_curve(lambda opt: CosineAnnealingLR(opt, T_max=100), 100, lr=0.1),
    ... }
    >>> fig, plot = rate_curve_plot(curves, title="Two decays")
    >>> print(plot.alt())  # doctest: +NORMALIZE_WHITESPACE
    Plot of the learning rate against the step: step goes from 0.1 to 0.0001 over 100 steps;
    cosine goes from 0.1 to 2.47e-05 over 100 steps.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(
            "curves must be a non-empty dict {label: rates}, got "
            + (type(curves).__name__ if not isinstance(curves, Mapping) else "an empty dict")
        )
    if not isinstance(log, bool | np.bool_):
        raise ValueError(f"log must be True or False, got {log!r}")
    if not isinstance(steps_label, str):
        raise ValueError(f"steps_label must be a string, got {steps_label!r}")
    checked = {str(label): _checked_rates(f"curves[{label!r}]", v) for label, v in curves.items()}
    if ylim is not None:
        low, high = (float(v) for v in ylim)
        if not (math.isfinite(low) and math.isfinite(high) and low < high) or (log and low <= 0):
            raise ValueError(
                f"ylim must be (low, high) with low < high{' and low > 0 on a log axis' * log}, "
                f"got {ylim!r}"
            )
    if steps is not None and (
        isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1
    ):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if title is None:
        title = "Learning-rate schedule" + ("s" if len(checked) > 1 else "")
    fig, ax = axes_or_new(ax)
    plot = RateCurvePlot(ax, list(checked), colors or COLORS, bool(log), steps_label, title)
    for label, rates in checked.items():
        plot.set_curve(label, rates)
    with style():
        ax.relim()
        ax.autoscale_view()
        if not log and ylim is None:
            ax.set_ylim(bottom=0)
        if ylim is not None:
            ax.set_ylim(*ylim)
        if steps is not None:
            ax.set_xlim(0, int(steps))
        if len(checked) > 1:
            ax.legend(loc="best")
    return fig, plot


class RangeTestPlot:
    r"""A learning-rate range test: the loss against the rate; built by :func:`range_test_plot`.

    Attributes
    ----------
    fig, ax : Figure, Axes
    raw, smoothed : Line2D
        The mini-batch losses (faint) and their smoothed curve.
    suggested : Line2D
        The dashed vertical line at the suggested rate.
    minimum : Line2D
        The marker at the minimum of the smoothed loss.
    status : Text
        "stopped early after k steps" when the test stopped early, else empty.
    artists : list of Artist
        Everything :meth:`set_result` moves.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import LinearRegression, mse
    >>> from optlib.experiments import lr_range_test
    >>> X = np.linspace(-1, 1, 64)[:, None]
    >>> result = lr_range_test(LinearRegression(1), mse, X, 3 * X[:, 0], steps=60)
    >>> fig, plot = range_test_plot(result)
    >>> isinstance(plot, RangeTestPlot), plot.status.get_text()
    (True, 'stopped early after 56 steps')
    """

    def __init__(self, ax: Axes):
        self.ax = ax
        self.fig = ax.get_figure(root=True)
        self._summary = "no test yet"
        with style():
            (self.raw,) = ax.plot([], [], color=BLUE, linewidth=0.9, alpha=0.35, label="loss")
            (self.smoothed,) = ax.plot(
                [], [], color=BLUE, linewidth=2.0, label="smoothed loss", zorder=3
            )
            self.suggested = ax.axvline(
                1.0, color=GREEN, linewidth=1.4, linestyle="--", label="suggested", zorder=2
            )
            (self.minimum,) = ax.plot(
                [], [], linestyle="none", marker="o", markersize=6, color=VERMILLION,
                label="minimum", zorder=4,
            )  # fmt: skip
            self.status: Text = ax.text(
                0.02, 0.97, "", transform=ax.transAxes, fontsize=9, ha="left", va="top",
                color=VERMILLION, fontweight="bold",
            )  # fmt: skip
            ax.set_xscale("log")
            ax.set_xlabel(r"learning rate $\alpha$ (log scale)")
            ax.set_ylabel("loss")
            ax.set_title("Learning-rate range test")
            ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        self.artists: list[Artist] = [
            self.raw,
            self.smoothed,
            self.suggested,
            self.minimum,
            self.status,
        ]

    def set_result(self, result: Any) -> None:
        """Show ``result``, a :class:`~optlib.experiments.RangeTest`, and fit the axes to it.

        Raises
        ------
        ValueError
            ``result`` is not a range test's result (it lacks ``lrs``,
            ``losses``, ``smoothed`` ...), or holds fewer than 2 steps.
        """
        fields = ("lrs", "losses", "smoothed", "suggested_lr", "min_loss_lr", "diverged")
        missing = [name for name in fields if not hasattr(result, name)]
        if missing:
            raise ValueError(
                "result must be what optlib.experiments.lr_range_test returns, got "
                f"{type(result).__name__} without {', '.join(missing)}"
            )
        lrs = np.asarray(result.lrs, dtype=np.float64)
        raw = np.asarray(result.losses, dtype=np.float64)
        smooth = np.asarray(result.smoothed, dtype=np.float64)
        if len(lrs) < 2 or not (len(lrs) == len(raw) == len(smooth)):
            raise ValueError(
                "result must hold at least 2 steps, with as many losses as rates; got "
                f"{len(lrs)} rates, {len(raw)} losses and {len(smooth)} smoothed losses"
            )
        low = float(min(raw.min(), smooth.min()))
        high = float(smooth.max())
        pad = 0.05 * (high - low) if high > low else 0.05 * max(abs(high), 1.0)
        top = min(high + pad, HUGE)
        self.raw.set_data(lrs, np.clip(raw, -HUGE, top))
        self.smoothed.set_data(lrs, smooth)
        suggested, at_minimum = float(result.suggested_lr), float(result.min_loss_lr)
        if math.isfinite(suggested):
            self.suggested.set_xdata([suggested, suggested])
            self.suggested.set_visible(True)
            self.suggested.set_label(f"suggested {number_text(suggested)}")
        else:
            self.suggested.set_visible(False)
        lowest = int(np.argmin(smooth))
        self.minimum.set_data([lrs[lowest]], [smooth[lowest]])
        self.minimum.set_label(f"minimum at {number_text(at_minimum)}")
        stopped = bool(result.diverged)
        self.status.set_text(f"stopped early after {count(len(lrs))}" if stopped else "")
        with style():
            self.ax.set_xlim(lrs[0], lrs[-1])
            self.ax.set_ylim(low - pad, top)
            self.ax.legend(loc="best")
        steepest = (
            f"the steepest descent, the suggested rate, is at {number_text(suggested)}"
            if math.isfinite(suggested)
            else "the smoothed loss never falls, so no rate is suggested"
        )
        self._summary = (
            f"{count(len(lrs))} from learning rate {number_text(lrs[0])} to "
            f"{number_text(lrs[-1])}: the smoothed loss goes from {number_text(smooth[0])} "
            f"down to {number_text(smooth[lowest])} at rate {number_text(at_minimum)}, "
            f"{'then up to ' + number_text(smooth[-1]) + ', ' if lowest < len(lrs) - 1 else ''}"
            f"{'where the test stopped; ' if stopped else 'and '}{steepest}"
        )

    def alt(self) -> str:
        """A one-sentence description of the test, for alt text."""
        return f"Range test, loss against the learning rate on a log axis, {self._summary}."


def range_test_plot(result: Any, *, ax: Axes | None = None) -> tuple[Figure, RangeTestPlot]:
    r"""A learning-rate range test: the loss against the rate, raw and smoothed, rates marked.

    The rate axis is logarithmic, as the test's rates are geometric. The
    mini-batch losses are drawn faint, the smoothed losses bold; a dashed
    line marks the suggested rate (the steepest descent of the smoothed
    loss) and a dot the minimum of the smoothed loss. The loss axis stops at
    the highest smoothed loss, so that a raw loss that blew up does not
    squash the curve (it is clipped to the top).

    Parameters
    ----------
    result : RangeTest
        From :func:`optlib.experiments.lr_range_test`.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    fig : Figure
    plot : RangeTestPlot

    Raises
    ------
    ValueError
        ``result`` is not a range test's result, or holds fewer than 2 steps.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import LinearRegression, mse
    >>> from optlib.experiments import lr_range_test
    >>> X = np.linspace(-1, 1, 64)[:, None]
    >>> result = lr_range_test(LinearRegression(1), mse, X, 3 * X[:, 0], steps=60)
    >>> fig, plot = range_test_plot(result)
    >>> print(plot.alt())  # doctest: +NORMALIZE_WHITESPACE
    Range test, loss against the learning rate on a log axis, 56 steps from learning rate
    1e-05 to 3.92: the smoothed loss goes from 2.82 down to 1.5 at rate 2.45, then up to 11.4,
    where the test stopped; the steepest descent, the suggested rate, is at 0.476.
    """
    fig, ax = axes_or_new(ax)
    plot = RangeTestPlot(ax)
    plot.set_result(result)
    return fig, plot
