r"""Losses, explored: one outlier under several losses, and each loss's value and gradient.

:func:`outlier_fit_explorer` moves one data point and shows the line each loss
fits following it (or not); :func:`loss_explorer` moves a prediction and reads
every loss and its derivative there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib._validation import as_float_array, check_finite
from optlib.plotting.loss_figures import plain_symbol
from optlib.widgets.engine import Explorer

__all__ = ["loss_explorer", "outlier_fit_explorer"]


def outlier_fit_explorer(
    x: Any,
    y: Any,
    outlier: int,
    outlier_ys: Sequence[float],
    fits: Mapping[str, Any],
    *,
    default: float | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Move one data point up and down and watch the line each loss fits follow it.

    The fits are computed beforehand (one per slider position, e.g. with
    :func:`optlib.fit`), so live and static frames show the same lines and a
    live frame costs one redraw. The control is ``outlier_y``.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The data; ``y[outlier]`` is replaced by each value of ``outlier_ys``.
    outlier : int
        Index of the point on the slider.
    outlier_ys : list of float
        The heights the slider offers.
    fits : dict of str to array_like, shape (len(outlier_ys), 2)
        ``{label: rows of (slope, intercept)}``: each loss's line for each height.
    default : float, optional
        The height shown first (default: the first of ``outlier_ys``).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(4.0); y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> heights = [3.0, 7.0]
    >>> fits = {"MSE": [(1.0, 0.0), (2.2, -0.8)], "MAE": [(1.0, 0.0), (1.0, 0.0)]}
    >>> explorer = outlier_fit_explorer(x, y, 3, heights, fits, mode="static")
    >>> len(explorer.frames), explorer.controls["outlier_y"].index
    (2, 0)
    >>> print(explorer.alt_text(outlier_y=7.0).replace("; ", ";\n"))
    Outlier at y = 7: the MSE line has slope 2.20 and intercept -0.80;
    the MAE line has slope 1.00 and intercept 0.00.
    """
    x = as_float_array("x", x, dtype=np.float64)
    y = as_float_array("y", y, dtype=np.float64)
    heights = [float(h) for h in outlier_ys]
    if not heights:
        raise ValueError("outlier_ys must offer at least one height")
    table: dict[str, np.ndarray] = {}
    for label, rows in fits.items():
        rows = as_float_array(f"fits[{label!r}]", rows, dtype=np.float64)
        if rows.shape != (len(heights), 2):
            raise ValueError(
                f"fits[{label!r}] must hold one (slope, intercept) per height: shape "
                f"({len(heights)}, 2), got {rows.shape}"
            )
        check_finite(f"fits[{label!r}]", rows)
        table[str(label)] = rows
    if not table:
        raise ValueError("fits must hold at least one {label: rows of (slope, intercept)}")

    def lines_at(height: float) -> dict[str, tuple[float, float]]:
        i = int(np.argmin(np.abs(np.asarray(heights) - height)))
        return {label: (float(rows[i, 0]), float(rows[i, 1])) for label, rows in table.items()}

    # Fixed limits that hold every frame: all heights and every line at both ends.
    ends = np.array([x.min(), x.max()])
    values = [y, np.asarray(heights)] + [
        (rows[:, :1] * ends + rows[:, 1:]).ravel() for rows in table.values()
    ]
    low = float(min(v.min() for v in values))
    high = float(max(v.max() for v in values))
    span = high - low if high > low else 1.0
    ylim = (low - 0.08 * span, high + 0.08 * span + 0.08 * len(table) * span)

    def setup() -> tuple[Figure, Any]:
        start = heights[0] if default is None else default
        y_start = y.copy()
        y_start[outlier] = start
        fig, plot = plotting.fit_lines_plot(
            x,
            y_start,
            lines_at(start),
            outlier=outlier,
            ylim=ylim,
            title="The fitted lines as one point moves",
        )
        return fig, plot

    def update(plot: Any, outlier_y: float) -> None:
        plot.set_data(outlier_y, lines_at(outlier_y))

    def describe(outlier_y: float) -> str:
        parts = "; ".join(
            f"the {label} line has slope {slope:.2f} and intercept {intercept:.2f}"
            for label, (slope, intercept) in lines_at(outlier_y).items()
        )
        return f"Outlier at y = {outlier_y:.3g}: {parts}."

    if caption is None:
        caption = (
            f"{len(x)} points and the straight lines fitted by {' and '.join(table)}; the "
            "slider moves the outlier (the diamond) up and down."
        )
    return Explorer(
        setup,
        update,
        {"outlier_y": heights},
        defaults=None if default is None else {"outlier_y": default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def loss_explorer(
    curves: Mapping[str, Any],
    grid: Any,
    points: Sequence[float],
    *,
    name: str = "y_pred",
    symbol: str = "\\hat y",
    xlabel: str | None = None,
    default: float | None = None,
    legend_loc: tuple[str, str] = ("upper center", "upper center"),
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Move a prediction (or a logit) and read each loss and its gradient there.

    Left, the value of every loss over ``grid``; right, its derivative; the
    slider marks one point on every curve, and a line above the panels gives
    every value and derivative there.
    Built on :func:`optlib.plotting.loss_curves_plot`.

    Parameters
    ----------
    curves : dict of str to callable
        ``{label: curve}``, ``curve(points) -> (values, derivatives)``;
        :func:`optlib.plotting.loss_curve` makes one from an ``optlib`` loss.
    grid : array_like, shape (k,)
        The x axis of the curves.
    points : list of float
        The values the slider offers.
    name : str
        The control's name (a Python identifier): ``"y_pred"`` or ``"z"``.
    symbol, xlabel, legend_loc
        As for :func:`optlib.plotting.loss_curves_plot`.
    default : float, optional
        The point shown first (default: the first of ``points``).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import plotting
    >>> from optlib.losses import mae, mse
    >>> curves = {"MSE": plotting.loss_curve(mse), "MAE": plotting.loss_curve(mae)}
    >>> explorer = loss_explorer(curves, np.linspace(-2, 2, 81), [-1.0, 0.0, 1.0],
    ...                          default=1.0, mode="static")
    >>> len(explorer.frames), explorer.controls["y_pred"].index
    (3, 2)
    >>> explorer.alt_text(y_pred=0.0).split(": ")[-1]
    'MSE is 0 with derivative 0; MAE is 0 with derivative 0.'
    """
    grid = as_float_array("grid", grid, dtype=np.float64)
    offered = [float(p) for p in points]
    if not offered:
        raise ValueError("points must offer at least one value")
    if not all(grid[0] <= p <= grid[-1] for p in offered):
        raise ValueError(f"points must lie on the grid [{grid[0]}, {grid[-1]}], got {offered}")

    built: dict[str, Any] = {}

    def setup() -> tuple[Figure, Any]:
        fig, plot = plotting.loss_curves_plot(
            curves,
            grid,
            point=offered[0] if default is None else default,
            symbol=symbol,
            xlabel=xlabel,
            legend_loc=legend_loc,
        )
        built["plot"] = plot
        return fig, plot

    def update(plot: Any, **values: float) -> None:
        plot.set_point(values[name])

    def describe(**values: float) -> str:
        return built["plot"].describe(values[name])

    if caption is None:
        caption = (
            f"{', '.join(curves)} (left) and their derivatives (right); the slider moves "
            f"the point {plain_symbol(symbol)} at which they are read."
        )
    return Explorer(
        setup,
        update,
        {name: offered},
        defaults=None if default is None else {name: default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
