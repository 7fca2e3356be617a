r"""Gradient descent, explored: the hyper-parameters of one optimizer on sliders.

:func:`optimizer_explorer` puts any of an optimizer's hyper-parameters on
controls and shows the path on the surface and the loss curve of each choice;
:func:`learning_rate_explorer` is its one-slider form for the learning rate.
A choice that blows up shows "diverged after k steps" instead of a blank plot.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib._validation import as_float_array, check_finite, check_positive_int
from optlib.plotting.surfaces import check_surface, min_value_of
from optlib.plotting.words import point_text
from optlib.training import Trajectory, minimize
from optlib.widgets.engine import Explorer, FloatRange, Values, value_label

__all__ = ["learning_rate_explorer", "loss_limits", "optimizer_explorer", "start_point"]


def start_point(fn: Any, x0: Any) -> np.ndarray:
    """``x0`` checked against the surface: a finite float64 point of shape (d,).

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        A number is taken as a point of a 1-D surface.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> from optlib.functions import DoubleWell, Rosenbrock
    >>> start_point(Rosenbrock(), [-1.5, 2]), start_point(DoubleWell(), 2.0)
    (array([-1.5,  2. ]), array([2.]))
    """
    x_start = as_float_array("x0", x0, dtype=np.float64)
    x_start = x_start.reshape(1) if x_start.ndim == 0 else x_start
    check_finite("x0", x_start)
    dim = check_surface(fn)
    if x_start.shape != (dim,):
        raise ValueError(f"x0 must have shape ({dim},) for {fn!r}, got {x_start.shape}")
    return x_start


def loss_limits(runs: Sequence[Trajectory], min_value: float) -> tuple[float, float]:
    """Fixed log-axis limits (whole decades) that hold every run's gap J - J*.

    An explorer fixes its loss axis from every run it can show, so that frames
    can be compared and none needs a full redraw.

    Parameters
    ----------
    runs : sequence of Trajectory
    min_value : float
        :math:`J^*`.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> from optlib import SGD, Quadratic, minimize
    >>> runs = [minimize(Quadratic(), [2.5, 1.0], SGD, steps=50, lr=lr) for lr in (0.05, 0.1)]
    >>> loss_limits(runs, 0.0)
    (1e-05, 100.0)
    """
    tops, bottoms = [], []
    for traj in runs:
        gaps = np.asarray(traj.losses, dtype=np.float64) - min_value
        positive = gaps[gaps > 0]
        if positive.size:
            # A diverged run's last, recorded step can be astronomically large:
            # it may only stretch the axis to twelve decades above its start.
            top = positive.max()
            tops.append(min(top, positive[0] * 1e12) if traj.diverged else top)
            bottoms.append(positive.min())
    top = float(max(tops, default=1.0))
    bottom = max(float(min(bottoms, default=top)), top * 1e-14)
    return (
        10.0 ** math.floor(math.log10(bottom) - 0.3),
        10.0 ** math.ceil(math.log10(top) + 0.3),
    )


def _label_values(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value_label(value)}" for name, value in values.items())


def _grid_values(specs: Mapping[str, Any]) -> Iterator[Values]:
    names = list(specs)
    grids = []
    for name in names:
        spec = specs[name]
        if isinstance(spec, FloatRange):
            grids.append(spec.grid())
        elif isinstance(spec, Mapping):
            grids.append(list(spec.values()))
        else:
            grids.append(list(spec))
    for combo in itertools.product(*grids):
        yield dict(zip(names, combo, strict=True))


def optimizer_explorer(
    fn: Any,
    x0: Any,
    controls: Mapping[str, Any],
    *,
    optimizer: type | None = None,
    steps: int = 100,
    defaults: Mapping[str, Any] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""Move an optimizer's hyper-parameters and watch its path and loss curve.

    Left, the surface (contours in 2-D, the curve in 1-D) with the path of
    :func:`optlib.minimize` from ``x0``; right, :math:`J(\theta_t) - J^*` on a
    log axis. A choice that blows up shows "diverged after k steps" instead of
    a blank plot. The loss axis is fixed, from the runs over every control
    value, so frames can be compared.

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        Starting point.
    controls : dict
        Hyper-parameters on controls, e.g. ``{"lr": [...], "momentum": [...]}``
        (see :class:`Explorer`).
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD`.
    steps : int
        Step budget of each run.
    defaults, caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.
    **hyperparams
        Hyper-parameters held fixed, e.g. ``momentum=0.9``; also
        :func:`optlib.minimize`'s own ``tol``, ``ftol`` and ``blowup`` (a
        smaller ``blowup`` stops diverging runs sooner and so keeps the loss
        axis shorter).

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import SGD
    >>> explorer = optimizer_explorer(
    ...     Quadratic(), [2.5, 1.0], {"lr": [0.05, 0.1], "momentum": [0.0, 0.5, 0.9]},
    ...     optimizer=SGD, steps=50, mode="static")
    >>> len(explorer.frames), [len(stack.children) for stack in explorer.stack.children]
    (6, [3, 3])
    >>> explorer.alt_text(lr=0.5, momentum=0.0).split(": ")[-1]
    'the run diverged after 9 steps.'
    """
    if optimizer is None:
        from optlib.optimizers import SGD

        optimizer = SGD
    steps = check_positive_int("steps", steps)
    x_start = start_point(fn, x0)
    overlap = set(hyperparams) & set(controls)
    if overlap:
        raise ValueError(f"{sorted(overlap)} are both fixed and on a control")
    name = getattr(optimizer, "__name__", str(optimizer))
    surface_name = getattr(fn, "name", type(fn).__name__)
    min_value = min_value_of(fn)

    last: dict[str, Any] = {}

    def run(values: Mapping[str, Any]) -> Trajectory:
        """The run for ``values``; the last one is kept, so the alt text reuses it."""
        if last.get("values") != values:
            last["values"] = dict(values)
            last["traj"] = minimize(fn, x_start, optimizer, steps=steps, **hyperparams, **values)
        return last["traj"]

    # Fix the loss axis from the runs over every offered value (a FloatRange
    # contributes its grid): frames are comparable and no redraw is needed.
    ylim = loss_limits([run(values) for values in _grid_values(controls)], min_value)

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.15, 1))
        _, surface = plotting.surface_plot(fn, ax=left, title=f"{name} on {surface_name}")
        _, path = plotting.trajectory_plot(surface, color=plotting.VERMILLION)
        _, losses = plotting.loss_plot(
            n_runs=1,
            ax=right,
            colors=[plotting.VERMILLION],
            min_value=min_value,
            steps=steps,
            ylim=ylim,
        )
        return fig, {"path": path, "losses": losses, "title": right.title}

    def update(artists: Values, **values: Any) -> None:
        traj = run(values)
        artists["path"].set_data(traj)
        artists["losses"].set_run(0, traj)
        # A diverged run is labelled in the panel's corner; a finished one here.
        text = "Loss"
        if not traj.diverged:
            gap = max(float(traj.losses[-1]) - min_value, 0.0)
            text = f"Loss: $J - J^*$ = {gap:.2g} after {traj.steps} steps"
        artists["title"].set_text(text)

    def describe(**values: Any) -> str:
        traj = run(values)
        head = (
            f"{name} on the {surface_name} surface from {point_text(x_start)}, "
            f"{_label_values(values)}: "
        )
        if traj.diverged:
            return head + f"the run {plotting.diverged_text(traj.steps)}."
        gap = max(float(traj.losses[-1]) - min_value, 0.0)
        return (
            head
            + f"after {traj.steps} steps it is at {point_text(traj.xs[-1])}, J - J* = {gap:.2g}."
        )

    if caption is None:
        fixed = f" ({_label_values(hyperparams)})" if hyperparams else ""
        caption = (
            f"{name}{fixed} on the {surface_name} surface for {steps} steps: the path "
            "(left) and the loss gap on a log scale (right)."
        )
    return Explorer(
        setup,
        update,
        controls,
        defaults=defaults,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def learning_rate_explorer(
    fn: Any,
    x0: Any,
    lrs: Sequence[float] | FloatRange,
    *,
    optimizer: type | None = None,
    steps: int = 100,
    default: float | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""A slider for the learning rate :math:`\alpha`: path on the surface and loss curve.

    :func:`optimizer_explorer` with one control, ``lr``. Include rates that
    diverge: their frames say "diverged after k steps".

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        Starting point.
    lrs : list of float or FloatRange
        The rates on the slider.
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD` (gradient descent).
    steps : int
        Step budget of each run.
    default : float, optional
        The rate shown first (default: the first of ``lrs``).
    caption, alt, mode
        As for :class:`Explorer`.
    **hyperparams
        Other hyper-parameters, held fixed (``momentum=0.9``).

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> explorer = learning_rate_explorer(Quadratic(), [2.5, 1.0], [0.02, 0.1, 0.25],
    ...                                   default=0.1, mode="static")
    >>> explorer.controls["lr"].index, len(explorer.frames)
    (1, 3)
    """
    return optimizer_explorer(
        fn,
        x0,
        {"lr": lrs},
        optimizer=optimizer,
        steps=steps,
        defaults=None if default is None else {"lr": default},
        caption=caption,
        alt=alt,
        mode=mode,
        **hyperparams,
    )
