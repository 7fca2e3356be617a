r"""Figures over a range of learning rates: how fast a run contracts, where it ends.

:func:`rate_plot` sets the contraction factor per step that theory predicts
beside the one measured; :func:`final_loss_vs_lr_plot` shows, for several
optimizers, the gap :math:`J(\theta_T) - J^*` each reaches after a fixed
budget at every rate of a sweep, and where each starts to diverge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from optlib.plotting.finite import HUGE
from optlib.plotting.panels import Panels
from optlib.plotting.surfaces import min_value_of
from optlib.plotting.theme import (
    BLUE,
    COLORS,
    GREEN,
    HEIGHT,
    VERMILLION,
    WIDTH,
    side_by_side,
    style,
)
from optlib.plotting.words import number_text

__all__ = ["final_loss_vs_lr_plot", "rate_plot"]


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
        ax.plot(lrs, np.clip(predicted, 1e-300, HUGE), color=BLUE, linewidth=2, label="predicted")
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
                limit,
                color=GREEN,
                linewidth=1.2,
                linestyle="--",
                label=f"limit {number_text(limit)}",
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
        f"from {number_text(lrs.min())} to {number_text(lrs.max())}"
        + (f", with the stability limit at {number_text(limit)}." if limit is not None else ".")
    )
    return fig, Panels(fig, [ax], [], summary)


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
    min_value = min_value_of(fn)
    gaps, flags = {}, {}
    for label, result in results.items():
        final = np.asarray(result.final_losses, dtype=np.float64).reshape(-1)
        gaps[label] = np.clip(np.nan_to_num(final - min_value, nan=HUGE), 0.0, HUGE)
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
    text = (
        f"reaches a gap of {number_text(gap[best])} at best "
        f"(learning rate {number_text(lrs[best])})"
    )
    if diverged.any():
        first = number_text(lrs[int(np.argmax(diverged))])
        return text + f", and the smallest rate that diverged is {first}"
    return text + " and never diverges"
