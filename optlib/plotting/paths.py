r"""A run's path drawn over a surface: the trajectory overlay.

:func:`trajectory_plot` adds a :class:`TrajectoryOverlay` to a surface drawn by
:mod:`optlib.plotting.surfaces`; a widget moves it to another run with
:meth:`TrajectoryOverlay.set_data` without redrawing the contours.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from optlib.plotting.finite import FAR, cut_at_box, finite_prefix, run_fields
from optlib.plotting.surfaces import ContourPlot, CurvePlot
from optlib.plotting.theme import COLORS, style
from optlib.plotting.words import diverged_text, point_text, stack_statuses
from optlib.training import count

__all__ = ["TrajectoryOverlay", "trajectory_plot"]


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

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.plotting import contour_plot
    >>> fig, surface = contour_plot(Quadratic())
    >>> _, path = trajectory_plot(surface, [[2.0, 1.0], [1.0, -1.0], [0.5, 0.5]])
    >>> isinstance(path, TrajectoryOverlay), path.end.get_xydata().tolist()
    (True, [[0.5, 0.5]])
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
        xs, run_losses, diverged, steps = run_fields(run, diverged, steps)
        if xs is None:
            xs = np.asarray(run, dtype=np.float64)
        if losses is not None:
            run_losses = np.asarray(losses, dtype=np.float64)
        xs = xs.reshape(len(xs), -1) if xs.size else np.empty((0, self.surface.dim))
        xs = finite_prefix(xs)
        if run_losses is not None:
            run_losses = run_losses[: len(xs)]
            n_ok = len(finite_prefix(run_losses))
            xs, run_losses = xs[:n_ok], run_losses[:n_ok]
        points = self.surface.to_view(xs, run_losses) if len(xs) else np.empty((0, 2))
        points = finite_prefix(points)
        low, high = self.surface.view
        span = high - low
        points = cut_at_box(points, low - FAR * span, high + FAR * span)
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
        stack_statuses([overlay.status for overlay in self.surface.overlays], "left")

    def alt(self) -> str:
        """A one-sentence description of the drawn path, for alt text."""
        who = f"{self.label}'s path" if self.label else "Path"
        if self._first is None or self._last is None:
            return f"{who}: no points."
        text = f"{who} of {count(self._n_points, 'point')} from {point_text(self._first)}"
        if self._diverged:
            return text + f"; the run {diverged_text(self._steps)} and leaves the plot."
        return text + f" to {point_text(self._last)}."


def trajectory_plot(
    surface: ContourPlot | CurvePlot,
    run: Any = None,
    *,
    color: str | None = None,
    label: str | None = None,
    markers: bool = True,
) -> tuple[Figure, TrajectoryOverlay]:
    """Overlay a run's path on a surface drawn by :func:`~optlib.plotting.surface_plot`.

    On a 2-D surface the path joins the points :math:`\\theta_t`; on a 1-D
    surface it joins :math:`(\\theta_t, J(\\theta_t))` on the curve. The start
    is a hollow circle, the end a dot, or a cross for a run that diverged: that
    run is drawn up to its last finite point and the words "diverged after k
    steps" appear in the corner.

    Parameters
    ----------
    surface : ContourPlot or CurvePlot
        What :func:`~optlib.plotting.contour_plot`, :func:`~optlib.plotting.curve_plot` or
        :func:`~optlib.plotting.surface_plot` returned.
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
    >>> from optlib.plotting import contour_plot
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
    row = len(surface.overlays)
    if color is None:
        color = COLORS[row % len(COLORS)]
    overlay = TrajectoryOverlay(surface, color, label, row, markers)
    surface.overlays.append(overlay)
    if run is not None:
        overlay.set_data(run)
    return surface.fig, overlay
