r"""Comparing optimizers at one shared learning rate, the rate on a slider.

:func:`shared_rate_explorer` takes the results of a fair comparison (every
optimizer trained at every rate of one grid, over several seeds) and shows all
of them at the rate the slider picks: one row per optimizer, a dot per seed, a
bar at the mean, a cross on the right edge for a seed that diverged. A grey
diamond marks each optimizer's mean at its *own* best rate, so the reader sees
how far a ranking at one shared rate is from the ranking after tuning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib.plotting.words import number_text
from optlib.widgets.engine import Explorer

__all__ = ["shared_rate_explorer"]


def _checked_scores(scores: Any, lrs: np.ndarray) -> dict[str, np.ndarray]:
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError(
            "scores must be a non-empty dict of {label: array of shape (n_lrs, n_seeds)}"
        )
    checked = {}
    for label, value in scores.items():
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 2 or array.shape[0] != len(lrs) or array.shape[1] < 1:
            raise ValueError(
                f"scores[{label!r}] must have shape (n_lrs, n_seeds) = ({len(lrs)}, n_seeds), "
                f"got {array.shape}"
            )
        if np.isnan(array).any() or np.isneginf(array).any():
            raise ValueError(
                f"scores[{label!r}] must not hold NaN or -inf (+inf marks a divergence)"
            )
        checked[str(label)] = array
    return checked


def _own_best(array: np.ndarray) -> float | None:
    """The lowest mean over seeds among the rates (a diverged seed makes a rate's mean inf)."""
    means = array.mean(axis=1)
    return float(means[np.isfinite(means)].min()) if np.isfinite(means).any() else None


def shared_rate_explorer(
    scores: Mapping[str, Any],
    lrs: Any,
    *,
    xlabel: str = "validation loss",
    log: bool = False,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Every optimizer's scores at one learning rate of the grid, the rate on a slider.

    Parameters
    ----------
    scores : dict of str to array_like, shape (n_lrs, n_seeds)
        For each optimizer (in the order the rows are drawn, top to bottom), its
        score (lower is better, e.g. a validation loss) at every rate and seed;
        ``inf`` for a run that diverged.
    lrs : array_like of float, shape (n_lrs,)
        The grid of learning rates, positive; the slider's values.
    xlabel : str
        The horizontal axis's label.
    log : bool
        A log-scaled horizontal axis, for scores that span decades (a loss that
        grew large at too high a rate without diverging); finite scores must
        then be positive.
    caption, alt, mode
        As for :class:`~optlib.widgets.engine.Explorer`; ``alt`` defaults to a
        description of each frame (best and worst mean, the optimizers that diverged).

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> scores = {"Adam": [[0.5, 0.6], [0.2, 0.3]], "SGD": [[0.9, 1.0], [np.inf, 0.4]]}
    >>> explorer = shared_rate_explorer(scores, [0.01, 0.1], mode="static")
    >>> len(explorer.frames)
    2
    >>> explorer.alt_text(lr=0.1)[-60:]
    'best mean Adam (0.25); diverged on some seeds: SGD (1 of 2).'
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 1 or not lrs.size or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError(f"lrs must be a non-empty 1-D grid of positive rates, got {lrs!r}")
    if len(np.unique(lrs)) != lrs.size:
        raise ValueError(f"lrs must not repeat a rate, got {lrs.tolist()}")
    if not isinstance(xlabel, str):
        raise ValueError(f"xlabel must be a string, got {xlabel!r}")
    checked = _checked_scores(scores, lrs)
    labels = list(checked)
    own = {label: _own_best(array) for label, array in checked.items()}
    finite = np.concatenate([array[np.isfinite(array)] for array in checked.values()])
    if not finite.size:
        raise ValueError("scores has no finite value: every run diverged")
    low, high = float(finite.min()), float(finite.max())
    if log:
        if low <= 0:
            raise ValueError(f"scores must be positive where finite for log=True, got {low}")
        low, high = low / 2, high * 2
    else:
        pad = 0.08 * (high - low) if high > low else 0.5
        low, high = low - pad, high + pad
    n_seeds = {label: array.shape[1] for label, array in checked.items()}
    rate_index = {float(lr): i for i, lr in enumerate(lrs)}

    def row_y(row: int) -> float:
        return float(len(labels) - 1 - row)

    def setup() -> tuple[Figure, Any]:
        fig, (ax,) = plotting.side_by_side(1, width=plotting.WIDTH * 0.8, height=4.2)
        rows = {}
        with plotting.style():
            for row, label in enumerate(labels):
                y = row_y(row)
                if own[label] is not None:
                    ax.plot([own[label]], [y], linestyle="none", marker="D", markersize=7,
                            markerfacecolor="none", markeredgecolor="0.55", zorder=2)  # fmt: skip
                (dots,) = ax.plot([], [], linestyle="none", marker="o", markersize=5,
                                  color=plotting.BLUE, zorder=3)  # fmt: skip
                (crosses,) = ax.plot([], [], linestyle="none", marker="x", markersize=6,
                                     color=plotting.VERMILLION, clip_on=False)  # fmt: skip
                (bar,) = ax.plot([], [], color=plotting.BLUE, linewidth=2, zorder=3)
                rows[label] = (dots, crosses, bar)
            ax.set_yticks(range(len(labels)), labels[::-1])
            ax.set_ylim(-0.6, len(labels) - 0.4)
            ax.set_xlim(low, high)
            if log:
                ax.set_xscale("log")
            ax.set_xlabel(xlabel + "  (grey diamond: the optimizer's own best rate)")
            ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
            title = ax.set_title(" ")
        return fig, {"rows": rows, "title": title}

    def frame(lr: float) -> dict[str, np.ndarray]:
        return {label: array[rate_index[float(lr)]] for label, array in checked.items()}

    def update(artists: Any, lr: float) -> None:
        for row, (label, values) in enumerate(frame(lr).items()):
            dots, crosses, bar = artists["rows"][label]
            y = row_y(row)
            jitter = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else np.zeros(1)
            ok = np.isfinite(values)
            dots.set_data(values[ok], y + jitter[ok])
            crosses.set_data(np.full(int((~ok).sum()), high), y + jitter[~ok])
            if ok.all():
                mean = float(values.mean())
                bar.set_data([mean, mean], [y - 0.3, y + 0.3])
            else:
                bar.set_data([], [])
        means = _finite_means(frame(lr))
        head = f"All at lr = {number_text(lr)}"
        if means:
            best = min(means, key=means.get)
            head += f": best mean {best} ({number_text(means[best])})"
        artists["title"].set_text(head if means else head + ": every row diverged")

    def describe(lr: float) -> str:
        values = frame(lr)
        means = _finite_means(values)
        parts = [
            f"{xlabel.capitalize()} of {len(labels)} optimizers, each over its seeds, all at the "
            f"shared learning rate {number_text(lr)}"
        ]
        if means:
            best = min(means, key=means.get)
            worst = max(means, key=means.get)
            parts.append(f"best mean {best} ({number_text(means[best])})")
            if worst != best:
                parts.append(f"worst mean {worst} ({number_text(means[worst])})")
        diverged = [
            f"{label} ({int((~np.isfinite(v)).sum())} of {n_seeds[label]})"
            for label, v in values.items()
            if not np.isfinite(v).all()
        ]
        if diverged:
            parts.append("diverged on some seeds: " + ", ".join(diverged))
        return "; ".join(parts) + "."

    if caption is None:
        caption = (
            "Every optimizer at one shared learning rate: a dot per seed, a bar at the mean, a "
            "red cross for a seed that diverged; the grey diamond is the optimizer's mean at its "
            "own best rate of the grid. Move the rate to see the ranking change."
        )
    return Explorer(
        setup,
        update,
        {"lr": [float(lr) for lr in lrs]},
        defaults={"lr": float(lrs[len(lrs) // 2])},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def _finite_means(values: dict[str, np.ndarray]) -> dict[str, float]:
    """The mean of each row that is finite on every seed."""
    return {label: float(v.mean()) for label, v in values.items() if np.isfinite(v).all()}
