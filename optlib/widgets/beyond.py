r"""Beyond Adam, explored: Muon's Newton–Schulz iteration, step by step.

:func:`newton_schulz_explorer` shows the singular values of a matrix after
:math:`k` Newton–Schulz steps (:func:`optlib.optimizers.newton_schulz`), for a
choice of the quintic's coefficients: torch's, which push every singular value
near 1 in a few steps; the classic cubic, which converges but slowly from
small values; and coefficients too large, with which the iteration diverges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib.optimizers import newton_schulz
from optlib.plotting.words import diverged_text, number_text
from optlib.widgets.engine import Explorer

__all__ = ["NS_COEFFICIENTS", "newton_schulz_explorer"]

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
