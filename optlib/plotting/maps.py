r"""Heat maps over two hyper-parameters: a rate map and maps of the final loss.

A sweep over a grid of (learning rate, second hyper-parameter) is one picture:
:func:`rate_map_plot` colours each cell by the contraction factor per step of
its run, :func:`loss_map_plot` by the loss gap it ended with, several panels
on one colour scale. Cells whose run diverged are grey in both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optlib.plotting.finite import HUGE
from optlib.plotting.panels import Panels
from optlib.plotting.surfaces import min_value_of
from optlib.plotting.theme import (
    BLACK,
    GREEN,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    SURFACE_CMAP,
    VERMILLION,
    WIDTH,
    axes_or_new,
    new_figure,
    style,
)
from optlib.plotting.words import number_text, plain_text, surface_name

__all__ = ["RateMap", "loss_map_plot", "rate_map_plot"]


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
            lr, momentum = (number_text(value) for value in self._point)
            ring = f" A ring marks lr = {lr}, momentum = {momentum}."
        return self._summary + ring


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
    fig, ax = axes_or_new(ax, width=WIDTH * 0.62)
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
    x_edges, y_edges = _cell_edges(lrs, log=True), _cell_edges(momenta, log=False)
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
        f"{number_text(lrs[0])} to {number_text(lrs[-1])} (log axis) and {len(momenta)} "
        f"momenta from {number_text(momenta[0])} to {number_text(momenta[-1])}: the "
        f"fastest cell has factor {number_text(low)}"
        f"; {n_div} of {factors.size} cells diverged and are grey."
    )
    if lines:
        summary += f" Curves drawn over it: {', '.join(lines)}."
    if points:
        summary += (
            " Marked: "
            + "; ".join(
                f"{label} at ({number_text(p[0])}, {number_text(p[1])})"
                for label, p in points.items()
            )
            + "."
        )
    plot = RateMap(fig, ax, summary)
    plot.mesh, plot.diverged = mesh, diverged
    return fig, plot


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
    min_value = min_value_of(fn)
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
        gap = np.clip(np.nan_to_num(final - min_value, nan=HUGE), 0.0, HUGE)
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
    fig = new_figure(WIDTH, row_height * nrows)
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
                    f"{title}: the best cell, lr = {number_text(lrs[i])} and "
                    f"{plain_text(label)} = {number_text(values[j])}, ends {gap[i, j]:.2g} "
                    f"above the minimum; {int(bad.sum())} of {bad.size} cells diverged"
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
                summaries[-1] += (
                    f"; a diamond marks {mark} at lr = {number_text(lr)}, {number_text(value)}"
                )
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
        f"{n} heat maps of the loss gap J - J* on the {surface_name(fn)} surface after "
        f"{'/'.join(map(str, steps))} steps, over the learning rate (log axis) and a second "
        f"hyper-parameter, on one log colour scale from {floor:.2g} to {top:.2g}; grey cells "
        "with a cross diverged."
    )
    return fig, Panels(fig, axes[:n], [], summary + " " + ". ".join(summaries) + ".")
