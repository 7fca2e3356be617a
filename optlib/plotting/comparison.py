r"""Comparing optimizers over seeds: one row per optimizer, one dot per seed.

:func:`comparison_plot` draws, for each panel (a surface, or a measure such as
the test accuracy), one row per optimizer with a dot for every seed or start
and a bar at their mean (the geometric mean on a log axis), so that the spread
between seeds is as visible as the difference between optimizers. The optimizers of the first tier
(:func:`optlib.tuning.tiers`: those whose range over the seeds overlaps the
best one's) are drawn filled, the others hollow; a value that is not finite
(a run that diverged) is a cross on the edge of the worse side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from optlib.plotting.panels import Panels
from optlib.plotting.theme import BLUE, HEIGHT, VERMILLION, WIDTH, side_by_side, style
from optlib.plotting.words import number_text

__all__ = ["comparison_plot"]


def comparison_plot(
    panels: Mapping[str, Mapping[str, Any]],
    *,
    xlabel: str | Mapping[str, str] = "",
    log: bool = False,
    lower_is_better: bool = True,
    width: float = WIDTH,
    height: float = HEIGHT,
) -> tuple[Figure, Panels]:
    r"""One panel per problem or measure, one row per optimizer, one dot per seed.

    Parameters
    ----------
    panels : dict
        ``{title: {label: values}}``; ``values`` holds one result per seed (or
        start), a 1-D array with at least one entry. Every panel lists the same
        labels, in the order the rows are drawn (top to bottom).
    xlabel : str or dict of str
        The horizontal axis's label, one for all panels or one per title.
    log : bool
        A log-scaled horizontal axis (for gaps to a minimum); values must then
        be positive where finite, the bar is at the geometric mean and the
        tiers are judged on the logarithms.
    lower_is_better : bool
        True for a loss or a gap, False for an accuracy: decides the tiers and
        on which edge a non-finite value's cross is drawn.
    width, height : float
        Figure size in inches.

    Returns
    -------
    fig : Figure
    panels : Panels
        ``.alt()`` names, per panel, the first tier and the best mean.

    Examples
    --------
    >>> fig, result = comparison_plot(
    ...     {"test accuracy": {"Adam": [0.96, 0.95, 0.97], "SGD": [0.93, 0.92, 0.94]}},
    ...     lower_is_better=False)
    >>> print(result.alt())  # doctest: +NORMALIZE_WHITESPACE
    One row per optimizer, one dot per seed, a bar at the mean; filled: tied with the
    best (ranges overlap). test accuracy: best mean Adam (0.96); first tier: Adam.
    """
    from optlib.tuning import tiers

    if not isinstance(panels, Mapping) or not panels:
        raise ValueError("panels must be a non-empty dict of {title: {label: values}}")
    labels = None
    checked: dict[str, dict[str, np.ndarray]] = {}
    for title, entry in panels.items():
        if not isinstance(entry, Mapping) or not entry:
            raise ValueError(f"panels[{title!r}] must be a non-empty dict of label to values")
        if labels is None:
            labels = list(entry)
        elif list(entry) != labels:
            raise ValueError(
                f"panels[{title!r}] must list the labels {labels} in that order, got {list(entry)}"
            )
        checked[title] = {}
        for label, value in entry.items():
            array = np.asarray(value, dtype=np.float64)
            if array.ndim != 1 or not array.size:
                raise ValueError(
                    f"panels[{title!r}][{label!r}] must be a 1-D array of at least one value, "
                    f"got shape {array.shape}"
                )
            if log and np.any(np.isfinite(array) & (array <= 0)):
                raise ValueError(
                    f"panels[{title!r}][{label!r}] has values <= 0, which a log axis cannot show"
                )
            checked[title][label] = array
    if isinstance(xlabel, Mapping):
        missing = [title for title in checked if title not in xlabel]
        if missing:
            raise ValueError(f"xlabel has no entry for the panels {missing}")
    elif not isinstance(xlabel, str):
        raise ValueError(f"xlabel must be a string or a dict of strings, got {xlabel!r}")
    fig, axes = side_by_side(len(checked), width=width, height=height)
    parts = []
    for index, (ax, (title, values)) in enumerate(zip(axes, checked.items(), strict=True)):
        label_text = xlabel[title] if isinstance(xlabel, Mapping) else xlabel
        ranked = {label: np.log10(array) for label, array in values.items()} if log else values
        first = tiers(ranked, lower_is_better=lower_is_better)[0]
        parts.append(_panel(ax, title, values, first, label_text, log, lower_is_better, index))
    summary = (
        "One row per optimizer, one dot per seed, a bar at the mean; "
        "filled: tied with the best (ranges overlap)."
    )
    return fig, Panels(fig, list(axes), [], summary + " " + " ".join(parts))


def _panel(
    ax: Axes,
    title: str,
    values: dict[str, np.ndarray],
    first: list[str],
    xlabel: str,
    log: bool,
    lower_is_better: bool,
    index: int,
) -> str:
    """Draw one panel of :func:`comparison_plot`; return its alt-text sentence."""
    finite = np.concatenate([array[np.isfinite(array)] for array in values.values()])
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
    else:
        low, high = (1.0, 10.0) if log else (0.0, 1.0)
    if log:
        low, high = low / 3, high * 3
    else:
        pad = 0.08 * (high - low) if high > low else 0.5
        low, high = low - pad, high + pad
    worse_edge = high if lower_is_better else low
    means = {}
    with style():
        for row, (label, array) in enumerate(values.items()):
            y = len(values) - 1 - row
            tied = label in first
            color = BLUE if tied else "0.35"
            ok = np.isfinite(array)
            jitter = np.linspace(-0.18, 0.18, len(array)) if len(array) > 1 else np.zeros(1)
            ax.plot(array[ok], y + jitter[ok], linestyle="none", marker="o", markersize=5,
                    markerfacecolor=color if tied else "none", markeredgecolor=color)  # fmt: skip
            if (~ok).any():
                ax.plot(np.full(int((~ok).sum()), worse_edge), y + jitter[~ok],
                        linestyle="none", marker="x", color=VERMILLION, markersize=6,
                        clip_on=False)  # fmt: skip
            if ok.all():
                mean = float(np.exp(np.log(array).mean())) if log else float(array.mean())
                means[label] = mean
                ax.plot([mean, mean], [y - 0.3, y + 0.3], color=color, linewidth=2)
        ax.set_yticks(range(len(values)), list(values)[::-1] if index == 0 else [])
        ax.set_ylim(-0.6, len(values) - 0.4)
        ax.set_xlim(low, high)
        if log:
            ax.set_xscale("log")
        ax.set(xlabel=xlabel, title=title)
        ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    if means:
        pick = min if lower_is_better else max
        best = pick(means, key=means.get)
        best_text = f"best mean {best} ({number_text(means[best])})"
    else:
        best_text = "no optimizer finite on every seed"
    return f"{title}: {best_text}; first tier: {', '.join(first)}."
