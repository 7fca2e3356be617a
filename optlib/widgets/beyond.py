r"""Beyond Adam, explored: RAdam's rectification, and Muon's Newton–Schulz iteration.

:func:`radam_explorer` runs RAdam and Adam side by side on a surface, with
:math:`\beta_2` and the learning rate on controls, beside RAdam's rectification
:math:`r_t` and the step from which it adapts. :func:`newton_schulz_explorer` shows
the singular values of a matrix after :math:`k` Newton–Schulz steps
(:func:`optlib.optimizers.newton_schulz`), for a choice of the quintic's
coefficients: torch's, which push every singular value near 1 in a few steps;
the classic cubic, which converges but slowly from small values; and
coefficients too large, with which the iteration diverges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib._validation import check_positive_int
from optlib.optimizers import Adam, RAdam, newton_schulz
from optlib.optimizers.radam import rectification, sma_lengths
from optlib.plotting.words import diverged_text, number_text
from optlib.training import minimize
from optlib.widgets.descent import start_point
from optlib.widgets.engine import Explorer

__all__ = ["NS_COEFFICIENTS", "newton_schulz_explorer", "radam_explorer"]

#: The coefficient choices the explorer offers by default: torch's quintic, the
#: classic cubic :math:`(3\sigma - \sigma^3)/2`, and a quintic whose :math:`c` is too large.
NS_COEFFICIENTS: dict[str, tuple[float, float, float]] = {
    "torch's quintic (3.4445, −4.775, 2.0315)": (3.4445, -4.775, 2.0315),
    "cubic (1.5, −0.5, 0)": (1.5, -0.5, 0.0),
    "c too large (3.4445, −4.775, 2.5)": (3.4445, -4.775, 2.5),
}

_BLOWUP = 1e6  # a singular value beyond this counts as diverged


def _iterates(
    matrix: np.ndarray, coefficients: tuple[float, float, float], steps: Sequence[int]
) -> dict[int, np.ndarray | int]:
    """Singular values after each number of steps, or the step count at which it diverged."""
    out: dict[int, np.ndarray | int] = {}
    blown: int | None = None
    for k in range(max(steps) + 1):
        if blown is None:
            with np.errstate(all="ignore"):
                x = newton_schulz(matrix, ns_coefficients=coefficients, ns_steps=k, eps=1e-7)
            if not np.isfinite(x).all():
                blown = k
            else:
                sigma = np.linalg.svd(x.astype(np.float64), compute_uv=False)
                if sigma.max() > _BLOWUP:
                    blown = k
        if k in steps:
            out[k] = blown if blown is not None else sigma
    return out


def newton_schulz_explorer(
    matrix: Any,
    *,
    coefficients: Mapping[str, tuple[float, float, float]] | None = None,
    steps: Sequence[int] = (0, 1, 2, 3, 4, 5, 7, 10),
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""The singular values of a matrix after :math:`k` Newton–Schulz steps, :math:`k` on a slider.

    Each frame is :func:`optlib.optimizers.newton_schulz` of ``matrix`` with
    ``ns_steps=k`` (in bfloat16, as ``torch.optim.Muon``): the matrix divided by
    its Frobenius norm (:math:`k = 0`), then :math:`k` times
    :math:`X \leftarrow aX + b(XX^\top)X + c(XX^\top)^2X`. A drop-down chooses
    :math:`(a, b, c)`. An iteration whose singular values pass :math:`10^6` or
    stop being finite is shown as "diverged after k steps".

    Parameters
    ----------
    matrix : array_like, 2-D
        The matrix to orthogonalise, e.g. a gradient or a momentum.
    coefficients : dict of str to (a, b, c), optional
        Label and coefficients of each choice (default :data:`NS_COEFFICIENTS`).
    steps : sequence of int
        The slider's values, each >= 0.
    caption, alt, mode
        As for :class:`~optlib.widgets.engine.Explorer`; ``alt`` defaults to a
        description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> explorer = newton_schulz_explorer(np.diag([1.0, 0.1, 0.01]), steps=[0, 5], mode="static")
    >>> len(explorer.frames)  # 3 coefficient choices × 2 step counts
    6
    >>> explorer.alt_text(steps=5, coefficients=list(NS_COEFFICIENTS)[2])[-23:]
    'diverged after 4 steps.'
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or min(matrix.shape) < 1:
        raise ValueError(f"matrix must be a non-empty 2-D array, got shape {matrix.shape}")
    if not np.isfinite(matrix).all() or not np.any(matrix):
        raise ValueError("matrix must be finite and not all zero")
    choices = dict(NS_COEFFICIENTS if coefficients is None else coefficients)
    if not choices:
        raise ValueError("coefficients must be a non-empty {label: (a, b, c)} dict")
    for label, abc in choices.items():
        if len(tuple(abc)) != 3 or not all(math.isfinite(float(v)) for v in abc):
            raise ValueError(f"coefficients[{label!r}] must be three finite numbers, got {abc!r}")
    shown = [int(k) for k in steps]
    if not shown or min(shown) < 0 or any(k != s for k, s in zip(shown, steps, strict=True)):
        raise ValueError(f"steps must be non-empty integers >= 0, got {list(steps)!r}")
    results = {
        label: _iterates(matrix, tuple(map(float, abc)), shown) for label, abc in choices.items()
    }
    before = np.linalg.svd(matrix / np.linalg.norm(matrix), compute_uv=False)
    finite = [before] + [
        values
        for result in results.values()
        for values in result.values()
        if not isinstance(values, int)
    ]
    positive = np.concatenate(finite)
    positive = positive[positive > 0]
    low = 10.0 ** math.floor(math.log10(max(float(positive.min()), 1e-8)) - 0.2)
    high = max(10.0 ** math.ceil(math.log10(float(positive.max())) + 0.2), 10.0)
    labels = list(choices)
    n = min(matrix.shape)

    def setup() -> tuple[Figure, Any]:
        fig, (ax,) = plotting.side_by_side(1, width=plotting.WIDTH * 0.75)
        _, plot = plotting.singular_value_plot(
            labels=["before (divided by its Frobenius norm)", "after k steps"],
            ax=ax,
            colors=["#999999", plotting.VERMILLION],
            ylim=(low, high),
            n=n,
        )
        plot.set_values("before (divided by its Frobenius norm)", before)
        with plotting.style():
            ax.axhline(1.0, color=plotting.BLACK, linewidth=0.8, linestyle="--", zorder=2)
        return fig, {"plot": plot, "title": ax.title, "moving": plot.lines["after k steps"]}

    def update(artists: Any, steps: int, coefficients: str = labels[0]) -> None:
        result = results[coefficients][steps]
        plot = artists["plot"]
        if isinstance(result, int):
            plot.set_values("after k steps", [], diverged_after=result)
            plot.status.set_text(diverged_text(result))  # one moving line: no label in front
        else:
            plot.set_values("after k steps", result)
        artists["title"].set_text(f"{coefficients.split(' (')[0]}, k = {steps}")

    def describe(steps: int, coefficients: str = labels[0]) -> str:
        result = results[coefficients][steps]
        head = (
            f"Singular values of a {matrix.shape[0]} by {matrix.shape[1]} matrix divided by its "
            f"Frobenius norm, from {number_text(before[0])} to {number_text(before[-1])}; "
            f"after {steps} Newton-Schulz steps with {coefficients.split(' (')[0]}, "
        )
        if isinstance(result, int):
            return head + f"the iteration {diverged_text(result)}."
        return (
            head + f"they lie between {number_text(result.min())} and {number_text(result.max())}."
        )

    controls: dict[str, Any] = {}
    if len(labels) > 1:
        controls["coefficients"] = labels
    controls["steps"] = shown
    if caption is None:
        caption = (
            "The singular values of a matrix, largest first (grey), and after k Newton–Schulz "
            "steps as torch.optim.Muon computes them, in bfloat16 (red); the dashed line is 1."
        )
    return Explorer(
        setup,
        update,
        controls,
        defaults={"steps": shown[0], **({"coefficients": labels[0]} if len(labels) > 1 else {})},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def radam_explorer(
    fn: Any,
    x0: Any,
    *,
    lrs: Sequence[float] = (0.003, 0.01, 0.03, 0.1),
    betas2: Sequence[float] = (0.6, 0.9, 0.99, 0.999),
    steps: int = 300,
    beta1: float = 0.9,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""RAdam beside Adam on a surface, :math:`\beta_2` and the learning rate on controls.

    Left, the loss gap :math:`J(\theta_t) - J^*` of :class:`~optlib.optimizers.RAdam`
    and of :class:`~optlib.optimizers.Adam` with the same ``betas`` and ``lr``
    (:func:`optlib.minimize`), each run labelled "diverged after k steps" when it
    blows up. Right, RAdam's rectification :math:`r_t` over the run, from the first
    step at which :math:`\rho_t > 5` (a dashed line marks it); with
    :math:`\beta_2 \le 2/3` that step never comes, and RAdam is momentum SGD throughout.

    Parameters
    ----------
    fn : surface
        A surface from :mod:`optlib.functions`, with ``min_value``.
    x0 : array_like
        Starting point.
    lrs, betas2 : sequence of float
        The controls' values: learning rates > 0, and :math:`\beta_2` in [0, 1).
    steps : int
        Steps of each run.
    beta1 : float
        :math:`\beta_1` of both optimizers.
    caption, alt, mode
        As for :class:`~optlib.widgets.engine.Explorer`; ``alt`` defaults to a
        description of each frame.

    Returns
    -------
    Explorer
        With one more attribute, ``runs``: every run drawn, a
        :class:`~optlib.training.Trajectory` under ``(name, lr, beta2)``, name
        ``"Adam"`` or ``"RAdam"``.

    Examples
    --------
    >>> from optlib.functions import Beale
    >>> explorer = radam_explorer(Beale(), [1.0, 1.5], lrs=[0.01, 0.1], betas2=[0.9],
    ...                           steps=50, mode="static")
    >>> len(explorer.frames)
    2
    >>> explorer.alt_text(lr=0.1, beta2=0.9).split("; ")[1]
    'RAdam diverged after 2 steps'
    >>> explorer.runs["RAdam", 0.1, 0.9].diverged, explorer.runs["Adam", 0.1, 0.9].diverged
    (True, False)
    """
    steps = check_positive_int("steps", steps)
    x_start = start_point(fn, x0)
    rates = [float(lr) for lr in lrs]
    decays = [float(b) for b in betas2]
    if not rates or not all(math.isfinite(lr) and lr > 0 for lr in rates):
        raise ValueError(f"lrs must be non-empty learning rates > 0, got {list(lrs)!r}")
    if not decays or not all(0 <= b < 1 for b in decays):
        raise ValueError(f"betas2 must be non-empty values in [0, 1), got {list(betas2)!r}")
    if not 0 <= float(beta1) < 1:
        raise ValueError(f"beta1 must be in [0, 1), got {beta1!r}")
    runs = {
        (name, lr, b2): minimize(fn, x_start, opt, steps=steps, lr=lr, betas=(beta1, b2))
        for name, opt in (("Adam", Adam), ("RAdam", RAdam))
        for lr in rates
        for b2 in decays
    }
    t_axis = np.arange(1, steps + 1)
    curves: dict[float, tuple[np.ndarray, int | None]] = {}
    for b2 in decays:
        rho_inf, rho_t = sma_lengths(b2, t_axis)
        adaptive = rho_t > 5
        with np.errstate(invalid="ignore", divide="ignore"):
            r_t = np.where(adaptive, rectification(rho_t, rho_inf), np.nan)
        curves[b2] = (r_t, int(t_axis[np.argmax(adaptive)]) if adaptive.any() else None)
    min_value = float(fn.min_value)
    gaps = [float(v) - min_value for run in runs.values() for v in run.losses if math.isfinite(v)]
    positive = [g for g in gaps if g > 0] or [1.0]
    low = 10.0 ** math.floor(math.log10(max(min(positive), 1e-16)))
    high = 10.0 ** math.ceil(math.log10(max(positive)) + 1)
    high = min(high, 10.0 ** (math.ceil(math.log10(positive[0])) + 6))
    surface_name = getattr(fn, "name", type(fn).__name__)

    def setup() -> tuple[Figure, Any]:
        fig, (left, right) = plotting.side_by_side(2)
        _, losses = plotting.loss_plot(
            ax=left,
            n_runs=2,
            labels=["Adam", "RAdam"],
            colors=["#999999", plotting.BLUE],
            min_value=min_value,
            steps=steps,
            ylim=(low, high),
            title=f"{surface_name}",
        )
        with plotting.style():
            (rect,) = right.plot([], [], color=plotting.BLUE, linewidth=1.8, zorder=3)
            right.set(xlim=(0, steps), ylim=(0.0, 1.05), xlabel="step $t$")
            right.set_ylabel("rectification $r_t$")
            right.set_title("RAdam's rectification")
            right.grid(True, which="major", color="#dddddd", linewidth=0.6)
            switch = right.axvline(1.0, color=plotting.BLACK, linestyle="--", linewidth=0.9)
            note = right.text(
                0.97, 0.06, "", transform=right.transAxes, ha="right", va="bottom", fontsize=9
            )
        return fig, {"losses": losses, "rect": rect, "switch": switch, "note": note}

    def update(artists: Any, lr: float, beta2: float) -> None:
        for i, name in enumerate(("Adam", "RAdam")):
            artists["losses"].set_run(i, runs[name, lr, beta2])
        r_t, first = curves[beta2]
        if first is None:
            artists["rect"].set_data([], [])
            artists["switch"].set_visible(False)
            artists["note"].set_text("never adapts: rho_inf <= 5")
        else:
            artists["rect"].set_data(t_axis[first - 1 :], r_t[first - 1 :])
            artists["switch"].set_visible(True)
            artists["switch"].set_xdata([first, first])
            artists["note"].set_text(f"adapts from step {first}")

    def describe(lr: float, beta2: float) -> str:
        parts = []
        for name in ("Adam", "RAdam"):
            run = runs[name, lr, beta2]
            if run.diverged:
                parts.append(f"{name} {diverged_text(run.steps)}")
            else:
                gap = float(run.losses[-1]) - min_value
                parts.append(f"{name} ends {number_text(gap)} above the minimum")
        r_t, first = curves[beta2]
        tail = (
            "RAdam never adapts (rho_infinity is at most 5)"
            if first is None
            else f"RAdam adapts from step {first}, its rectification reaching "
            f"{number_text(np.nanmax(r_t))} by step {steps}"
        )
        return (
            f"Adam and RAdam on the {surface_name} surface, learning rate {number_text(lr)}, "
            f"beta_2 = {beta2:g}: " + "; ".join(parts) + "; " + tail + "."
        )

    if caption is None:
        caption = (
            f"RAdam and Adam (grey) with the same learning rate and betas on the {surface_name} "
            "surface: the loss gap on a log axis (left), and RAdam's rectification r_t from "
            "the step at which it starts to adapt, dashed (right)."
        )
    explorer = Explorer(
        setup,
        update,
        {"lr": rates, "beta2": decays},
        defaults={"lr": rates[0], "beta2": decays[-1]},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
    explorer.runs = runs  # type: ignore[attr-defined]
    return explorer
