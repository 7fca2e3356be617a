r"""Adagrad and RMSprop, explored: the state behind one step of an adaptive optimizer.

:func:`adaptive_step_explorer` takes one step apart: the gradient, the learning
rate of each coordinate and the step taken, and the angle the per-coordinate
scaling turns the step away from the descent direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optlib import plotting
from optlib._validation import check_positive_int
from optlib.plotting.surfaces import check_surface
from optlib.plotting.words import point_text
from optlib.training import StateRecord, record_state
from optlib.widgets.descent import start_point
from optlib.widgets.engine import Explorer, Values

__all__ = ["adaptive_step_explorer"]


def adaptive_step_explorer(
    fn: Any,
    x0: Any,
    optimizers: Mapping[str, tuple[type, Mapping[str, Any]]],
    *,
    steps: int = 100,
    shown_steps: Sequence[int] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""One step of an adaptive optimizer, taken apart: gradient, per-coordinate rate, step.

    Left, the surface with the path up to the chosen step :math:`t` and, at
    :math:`\theta_{t-1}`, two arrows of equal length: the direction of plain
    gradient descent, :math:`-g_t`, and the direction of the step the optimizer
    actually took, :math:`\theta_t - \theta_{t-1}`. The angle between them is
    what the per-coordinate scaling does. Right, on a log axis and per
    coordinate, the sizes behind that step: :math:`|g_t|`, the learning rate
    of each coordinate (:math:`\alpha/(\sqrt{G_t} + \varepsilon)` for Adagrad,
    :math:`\alpha/(\sqrt{s_t} + \varepsilon)` for RMSprop, see
    :func:`optlib.training.record_state`) and the step :math:`|\Delta\theta|`.
    A slider chooses :math:`t`; with several optimizers a drop-down chooses one.

    Parameters
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (2,)
        Starting point.
    optimizers : dict
        ``{label: (optimizer_class, hyper_parameters)}``, e.g.
        ``{"Adagrad": (Adagrad, {"lr": 0.5})}``.
    steps : int
        Steps of each run.
    shown_steps : list of int, optional
        The slider's values, each in ``[1, steps]`` (default: about ten,
        spaced evenly on a log scale).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import Adagrad
    >>> explorer = adaptive_step_explorer(
    ...     Quadratic(), [2.5, 1.0], {"Adagrad": (Adagrad, {"lr": 0.5})},
    ...     steps=50, shown_steps=[1, 10, 50], mode="static")
    >>> len(explorer.frames), list(explorer.controls)
    (3, ['step'])
    >>> explorer.alt_text(step=1).split(": ")[1][:45]
    'at theta_0 = (2.5, 1) the gradient is (2.5, 1'
    """
    steps = check_positive_int("steps", steps)
    x_start = start_point(fn, x0)
    if check_surface(fn) != 2:
        raise ValueError("adaptive_step_explorer needs a 2-D surface")
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty {label: (class, hyper-parameters)} dict")
    records: dict[str, StateRecord] = {}
    for label, entry in optimizers.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping)):
            raise ValueError(
                f"optimizers[{label!r}] must be (optimizer_class, {{hyper-parameters}}), "
                f"got {entry!r}"
            )
        optimizer, hyperparams = entry
        records[str(label)] = record_state(fn, x_start, optimizer, steps=steps, **hyperparams)
    if shown_steps is None:
        shown_steps = sorted({round(float(v)) for v in np.geomspace(1, steps, 10)})
    shown = [check_positive_int("shown_steps", int(s)) for s in shown_steps]
    if max(shown) > steps:
        raise ValueError(f"shown_steps must lie in [1, steps={steps}], got {max(shown)}")
    labels = list(records)
    surface_name = getattr(fn, "name", type(fn).__name__)
    low, high = np.asarray(fn.bounds, dtype=np.float64).T
    span = high - low

    def at(label: str, step: int) -> tuple[int, bool]:
        """The step actually shown (a run may have stopped early) and whether it diverged."""
        record = records[label]
        return min(int(step), record.steps), record.diverged and step > record.steps

    # One fixed log axis for every frame, in whole decades.
    sizes = []
    for label in labels:
        record = records[label]
        for step in shown:
            k, _ = at(label, step)
            if k >= 1:
                row = k - 1
                sizes += [record.grads[row], record.rates[row], record.updates[row]]
    values = np.abs(np.concatenate(sizes)) if sizes else np.ones(1)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        values = np.ones(1)
    # At most ten decades: smaller values sit on the floor, their size written above.
    bar_top = 10.0 ** math.ceil(math.log10(values.max()) + 0.3)
    bar_floor = max(10.0 ** math.floor(math.log10(values.min()) - 0.3), bar_top * 1e-10)
    categories = ["gradient $|g_t|$", "learning rate", r"step $|\Delta\theta|$"]

    def arrow(vector: np.ndarray) -> np.ndarray:
        """``vector`` rescaled to 18% of the axes, direction as seen on the plot."""
        on_screen = vector / span
        norm = float(np.hypot(*on_screen))
        if not norm or not math.isfinite(norm):
            return np.zeros(2)
        return on_screen / norm * 0.18 * span

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(
            2, width_ratios=(1.15, 1), height=plotting.HEIGHT + 0.5
        )
        _, surface = plotting.contour_plot(fn, ax=left)
        _, path = plotting.trajectory_plot(surface, color=plotting.BLACK, markers=False)
        with plotting.style():
            gradient_arrow = left.quiver(
                [0.0],
                [0.0],
                [0.0],
                [0.0],
                angles="xy",
                scale_units="xy",
                scale=1,
                color=plotting.BLUE,
                width=0.012,
                zorder=8,
            )
            step_arrow = left.quiver(
                [0.0],
                [0.0],
                [0.0],
                [0.0],
                angles="xy",
                scale_units="xy",
                scale=1,
                color=plotting.VERMILLION,
                width=0.012,
                zorder=9,
            )
            # The arrows' legend sits under both panels, where no path can cover it.
            fig.legend(
                handles=[
                    Line2D([], [], color=plotting.BLUE, linewidth=3),
                    Line2D([], [], color=plotting.VERMILLION, linewidth=3),
                ],
                labels=[r"direction of $-g_t$ (gradient descent)", "direction of the step taken"],
                loc="outside lower center",
                ncols=2,
            )
            centers = np.arange(len(categories), dtype=np.float64)
            width = 0.38
            coordinate_colors = ("#777777", "#bbbbbb")  # grey: not to be confused with the arrows
            bars = [
                right.bar(
                    centers + (j - 0.5) * width,
                    [0.0] * len(categories),
                    width * 0.92,
                    bottom=bar_floor,
                    color=coordinate_colors[j],
                )
                for j in range(2)
            ]
            positions = [c + (j - 0.5) * width for c in centers for j in range(2)]
            right.set(yscale="log", ylim=(bar_floor, bar_top))
            right.set_xticks(positions, [r"$\theta_1$", r"$\theta_2$"] * len(categories))
            right.set_xlim(-0.6, len(categories) - 0.4)
            for c, name in zip(centers, categories, strict=True):
                right.text(
                    c,
                    -0.16,
                    name,
                    transform=right.get_xaxis_transform(),
                    ha="center",
                    va="top",
                    fontsize=10,
                )
            right.grid(True, axis="y", which="major", color="#dddddd", linewidth=0.6)
            texts = [
                right.text(
                    c + (j - 0.5) * width,
                    bar_floor,
                    "",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    zorder=5,
                )
                for j in range(2)
                for c in centers
            ]
        return fig, {
            "path": path,
            "gradient": gradient_arrow,
            "step": step_arrow,
            "bars": [patch for container in bars for patch in container],
            "texts": texts,
            "left_title": left.title,
            "right_title": right.title,
        }

    def values_at(label: str, step: int) -> dict[str, Any]:
        record = records[label]
        k, ended = at(label, step)
        row = max(k - 1, 0)
        return {
            "record": record,
            "k": k,
            "ended": ended,
            "point": record.xs[row],
            "grad": record.grads[row] if record.steps else np.zeros(2),
            "rate": record.rates[row] if record.steps else np.zeros(2),
            "update": record.updates[row] if record.steps else np.zeros(2),
        }

    def angle(grad: np.ndarray, update: np.ndarray) -> float:
        a, b = -grad / span, update / span  # as drawn on the plot
        norms = float(np.hypot(*a) * np.hypot(*b))
        if not norms:
            return 0.0
        return math.degrees(math.acos(max(-1.0, min(1.0, float(a @ b) / norms))))

    def update(artists: Values, step: int, optimizer: str = labels[0]) -> None:
        now = values_at(optimizer, step)
        record, k = now["record"], now["k"]
        artists["path"].set_data(record.xs[: k + 1], diverged=now["ended"], steps=record.steps)
        point = now["point"]
        for key, vector in (("gradient", -now["grad"]), ("step", now["update"])):
            artists[key].set_offsets([point])
            u, v = arrow(vector)
            artists[key].set_UVC([u], [v])
        heights = [now["grad"], now["rate"], now["update"]]
        for j in range(2):
            for c, quantity in enumerate(heights):
                value = abs(float(quantity[j]))
                shown_value = min(max(value, bar_floor), bar_top)
                artists["bars"][j * len(categories) + c].set_height(shown_value - bar_floor)
                text = artists["texts"][j * len(categories) + c]
                text.set_text(f"{value:.2g}")
                text.set_y(shown_value)
        artists["left_title"].set_text(f"{optimizer} on {surface_name}, step {k}")
        artists["right_title"].set_text(
            f"turned {angle(now['grad'], now['update']):.0f}° from $-g_t$"
        )

    def describe(step: int, optimizer: str = labels[0]) -> str:
        now = values_at(optimizer, step)
        k = now["k"]
        head = f"{optimizer} on the {surface_name} surface, step {k}: "
        if now["ended"]:
            return head + f"the run {plotting.diverged_text(now['record'].steps)}."
        return head + (
            f"at theta_{k - 1} = {point_text(now['point'])} the gradient is "
            f"{point_text(now['grad'])}, the per-coordinate learning rates are "
            f"{point_text(now['rate'])} and the step taken is {point_text(now['update'])}, turned "
            f"{angle(now['grad'], now['update']):.0f} degrees from the descent direction."
        )

    controls: dict[str, Any] = {}
    defaults: dict[str, Any] = {"step": shown[0]}
    if len(labels) > 1:
        controls["optimizer"] = labels
        defaults["optimizer"] = labels[0]
    controls["step"] = shown
    if caption is None:
        caption = (
            f"{', '.join(labels)} on the {surface_name} surface: at the chosen step, the "
            "direction of gradient descent and of the step taken (arrows of equal length), "
            "and per coordinate the gradient, the learning rate and the step (log scale)."
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
