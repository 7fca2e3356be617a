r"""Figures of several panels built from the other builders, and :class:`Panels`, what they return.

:func:`runs_side_by_side` draws one run per panel on the same surface;
:func:`landscape_plot` shows a 2-D surface in 3-D, as contours and as loss
curves, with the same runs on all three; :func:`history_plot` compares training
runs per epoch and per step. Every builder of more than one panel (here, in
:mod:`optlib.plotting.learning_rates` and :mod:`optlib.plotting.maps`) returns
a :class:`Panels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from optlib.plotting.curves import loss_plot
from optlib.plotting.finite import HUGE, cut_at_box, finite_prefix
from optlib.plotting.paths import trajectory_plot
from optlib.plotting.surfaces import check_surface, contour_plot, min_value_of, surface_plot
from optlib.plotting.theme import (
    BLACK,
    COLORS,
    HEIGHT,
    SURFACE_CMAP,
    WIDTH,
    new_figure,
    side_by_side,
    style,
)
from optlib.plotting.words import surface_name
from optlib.training import count

__all__ = ["Panels", "history_plot", "landscape_plot", "runs_side_by_side"]


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
    return fig, Panels(fig, axes, parts, f"{len(runs)} panels ({names}) on {surface_name(fn)}.")


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
            losses = finite_prefix(np.asarray(history.losses, dtype=float))
            steps = np.arange(1, len(losses) + 1)
            per_step.plot(
                steps,
                np.clip(losses, 1e-300, HUGE),
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
    check_surface(fn, 2)
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("landscape_plot needs a dict {label: trajectory} with at least one run")
    fig = new_figure(WIDTH, height)
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
        gz = np.clip(np.nan_to_num(gz, nan=HUGE), -HUGE, HUGE)
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
            xs = finite_prefix(np.asarray(run.xs, dtype=np.float64))
            inside = cut_at_box(xs, np.array([x_lo, y_lo]), np.array([x_hi, y_hi]))
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
        ax3d.set_title(f"{surface_name(fn)} in 3-D")
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
        min_value=min_value_of(fn),
        title="Loss",
    )
    with style():
        flat.set_xlabel(r"$\theta_1$")
        flat.set_ylabel(r"$\theta_2$", labelpad=0)
    summary = (
        f"Three views of the {surface_name(fn)} surface with {count(len(labels), 'run')} "
        f"({', '.join(labels)}): in 3-D, from above as contours, and the loss gap per step."
    )
    return fig, Panels(fig, [ax3d, flat, curves], [*overlays, losses], summary)
