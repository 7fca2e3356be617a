r"""Learning-rate schedules, explored: a schedule's rates beside the training loss it gives.

:func:`schedule_explorer` trains one small network on a real data set under
every schedule, peak rate and warm-up length on its controls (once, when it
is built), then shows the chosen schedule's rates on the left and the
training loss on the right, with the constant rate at the same peak as a
reference.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib.plotting.finite import HUGE
from optlib.plotting.words import number_text
from optlib.training import History, fit
from optlib.widgets.engine import Explorer, Values, widget_mode

__all__ = ["KINDS", "PROBLEMS", "schedule_explorer"]

#: The schedules :func:`schedule_explorer` offers, by name, with their labels on the control.
KINDS: dict[str, str] = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential decay",
    "cosine": "cosine",
    "warmup_cosine": "warm-up + cosine",
    "one_cycle": "one-cycle",
}
#: The problems :func:`schedule_explorer` trains on.
PROBLEMS = ("digits",)

_WITH_WARMUP = ("warmup_cosine", "one_cycle")  # the kinds whose warm-up is on the control
_SMOOTHING = 0.1  # weight of the newest loss in the curve drawn over the raw losses


def _make_scheduler(kind: str, warmup: int, total: int) -> Callable[[Any], Any]:
    """``scheduler=`` for :func:`optlib.fit`: the schedule ``kind`` over ``total`` steps."""
    from optlib import schedules

    if kind == "constant":
        return lambda opt: schedules.LambdaLR(opt, lambda t: 1.0)
    if kind == "step":  # ÷10 at half and three quarters of the run
        return lambda opt: schedules.MultiStepLR(opt, [total // 2, 3 * total // 4], gamma=0.1)
    if kind == "exponential":  # down to a hundredth at the end
        return lambda opt: schedules.ExponentialLR(opt, gamma=0.01 ** (1 / total))
    if kind == "cosine":
        return lambda opt: schedules.CosineAnnealingLR(opt, T_max=total)
    if kind == "warmup_cosine":
        return lambda opt: schedules.warmup_cosine(opt, warmup, total)
    return lambda opt: schedules.OneCycleLR(  # one_cycle: its rise is the warm-up
        opt, max_lr=opt.lr, total_steps=total, pct_start=warmup / total, cycle_momentum=False
    )


def _smoothed(losses: np.ndarray) -> np.ndarray:
    """The exponential moving average of the losses, bias-corrected (as in the range test)."""
    average, out = 0.0, np.empty(len(losses))
    for t, value in enumerate(losses):
        average = (1 - _SMOOTHING) * average + _SMOOTHING * value
        out[t] = average / (1 - (1 - _SMOOTHING) ** (t + 1))
    return out


@dataclass(frozen=True)
class _Run:
    rates: np.ndarray  # per step
    losses: np.ndarray  # the mini-batch losses, per step
    smoothed: np.ndarray
    history: History


def _digits(hidden: int, seed: int) -> tuple[Any, Any, np.ndarray, np.ndarray, str]:
    from optlib.datasets import load_digits
    from optlib.losses import SparseCategoricalCrossEntropy
    from optlib.models import MLP

    digits = load_digits()
    X, y = digits.pixels / 16.0, digits.labels

    def model() -> Any:
        return MLP([64, hidden, 10], activation="relu", seed=seed)

    name = f"an MLP 64-{hidden}-10 on the 1,797 handwritten digits"
    return model, SparseCategoricalCrossEntropy(from_logits=True), X, y, name


def _values(name: str, values: Any, check: Callable[[Any], bool], what: str) -> list[Any]:
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"{name} must be a list of {what}, got {values!r}")
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    if not values or not all(check(v) for v in values):
        raise ValueError(f"{name} must be a non-empty list of {what}, got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {values!r}")
    return values


def schedule_explorer(
    *,
    kinds: Sequence[str] = tuple(KINDS),
    peaks: Sequence[float] = (0.003, 0.03, 0.1),
    warmups: Sequence[int] = (0, 15, 45),
    steps: int = 150,
    problem: str = "digits",
    mode: str | None = None,
    optimizer: type | None = None,
    batch_size: int = 128,
    hidden: int = 32,
    seed: int = 0,
    defaults: dict[str, Any] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""Choose a schedule, its peak rate and its warm-up; see its rates and the loss it gives.

    Left, the rate of every step as a fraction of the peak,
    :math:`\alpha_t / \alpha_{\max}` (the shape of the schedule); right, the
    training loss of each mini-batch step (faint) and its moving average
    (bold), beside the same average for a constant rate at the same peak
    (grey, dashed). The title gives the full-data loss at the end of the run.

    Every combination of the controls is trained once, when the explorer is
    built, by :func:`optlib.fit` with ``scheduler=`` and
    ``scheduler_interval="step"``, from the same initial weights and the same
    order of mini-batches (``seed``); a live change of a control then only
    swaps the lines' data. The schedules, over :math:`T` = ``steps`` steps
    from the peak :math:`\alpha_{\max}`:

    ``"constant"``
        :math:`\alpha_t = \alpha_{\max}`.
    ``"step"``
        ÷10 at :math:`T/2` and again at :math:`3T/4` (``MultiStepLR``).
    ``"exponential"``
        :math:`\alpha_{\max}\,\gamma^t` with :math:`\gamma = 0.01^{1/T}`:
        a hundredth of the peak at the end (``ExponentialLR``).
    ``"cosine"``
        From :math:`\alpha_{\max}` to 0 along half a cosine (``CosineAnnealingLR``).
    ``"warmup_cosine"``
        A linear warm-up from 0 over :math:`w` steps, then the cosine to 0 at
        :math:`T` (:func:`optlib.schedules.warmup_cosine`).
    ``"one_cycle"``
        ``OneCycleLR`` whose rise lasts the warm-up, ``pct_start`` = :math:`w/T`,
        without cycling the momentum.

    Only the last two have a warm-up: for the others the warm-up control
    changes nothing (the alt text says so). The controls are laid out peak,
    warm-up, then schedule, and the first schedule shown is
    ``"warmup_cosine"`` (when offered), so that every control moves the
    figure from the start.

    Parameters
    ----------
    kinds : sequence of str
        Schedules on the control, names of :data:`KINDS`.
    peaks : sequence of float
        Peak learning rates :math:`\alpha_{\max} > 0` on the control.
    warmups : sequence of int
        Warm-up lengths :math:`0 \le w < T`, in steps, on the control.
    steps : int
        :math:`T`, the optimizer steps of every run: a whole number of epochs
        (15 steps per epoch with the default ``batch_size=128`` on the 1,797
        digits; the default is 10 epochs).
    problem : {"digits"}
        The data and model: the 8x8 handwritten digits
        (:func:`optlib.datasets.load_digits`, pixels scaled to [0, 1]) and an
        MLP with one hidden ReLU layer of ``hidden`` units, trained by sparse
        categorical cross-entropy on its logits.
    mode : {"live", "static"}, optional
        As for :class:`~optlib.widgets.Explorer`. Static mode renders
        ``len(kinds) * len(peaks) * len(warmups)`` frames (54 by default, of
        the engine's budget of 60).
    optimizer : optimizer class, default Adam
    batch_size : int
        Examples per step.
    hidden : int
        Units in the hidden layer.
    seed : int
        Seeds the initial weights and the order of the mini-batches.
    defaults : dict, optional
        The values shown first, ``{"peak": ..., "warmup": ..., "kind": ...}``
        (default: the middle peak and warm-up, and ``"warmup_cosine"``).
    caption, alt
        As for :class:`~optlib.widgets.Explorer` (default: a caption, and an
        alt text per frame).
    **hyperparams
        Other hyper-parameters of the optimizer, fixed (``momentum=0.9`` for
        SGD); not ``lr``, which the peak control sets.

    Returns
    -------
    Explorer

    Raises
    ------
    ValueError
        An unknown kind or problem; peaks, warm-ups or steps out of their
        ranges (each named); ``steps`` not a whole number of epochs; ``lr``
        among the hyper-parameters; or more frames than the static budget.

    Examples
    --------
    >>> explorer = schedule_explorer(kinds=("constant", "warmup_cosine"), peaks=[0.01],
    ...                              warmups=[0, 15], steps=30, mode="static")
    >>> len(explorer.frames), list(explorer.controls)
    (4, ['peak', 'warmup', 'kind'])
    >>> print(explorer.alt_text(kind="warmup_cosine", peak=0.01, warmup=15))
    ... # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    Warm-up + cosine schedule, peak learning rate 0.01, warm-up 15 steps: the rate rises
    from 0 to 0.01 at step 15, then falls to 0.000109 at the last step, 29. Adam training
    an MLP 64-32-10 on the 1,797 handwritten digits ends at a full-data loss of ... (a
    constant rate of 0.01: ...).
    """
    unknown = [kind for kind in _values("kinds", kinds, lambda v: isinstance(v, str), "names")
               if kind not in KINDS]  # fmt: skip
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r} in kinds; the kinds are {list(KINDS)}")
    kinds = list(kinds)
    peaks = _values(
        "peaks",
        peaks,
        lambda v: (
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and v > 0
        ),
        "learning rates > 0",
    )
    warmups = _values(
        "warmups",
        warmups,
        lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0,
        "warm-up lengths (integers >= 0)",
    )
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    steps = int(steps)
    if max(warmups) >= steps:
        raise ValueError(f"warmups must be below steps={steps}, got {max(warmups)}")
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {PROBLEMS}, got {problem!r}")
    if "lr" in hyperparams:
        raise ValueError("lr is on the peak control: give peaks=[...] instead")
    budget = inspect.signature(Explorer).parameters["max_frames"].default
    frames = len(kinds) * len(peaks) * len(warmups)
    if widget_mode(mode) == "static" and frames > budget:  # before any training
        raise ValueError(
            f"static mode would precompute {frames} frames ({len(peaks)} peaks x "
            f"{len(warmups)} warm-ups x {len(kinds)} kinds), more than max_frames={budget}; "
            "offer fewer values"
        )
    if optimizer is None:
        from optlib.optimizers import Adam

        optimizer = Adam
    model_of, loss, X, y, data_name = _digits(hidden, seed)
    n = len(X)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    per_epoch = -(-n // int(batch_size))
    if steps % per_epoch:
        below, above = steps // per_epoch * per_epoch, (steps // per_epoch + 1) * per_epoch
        raise ValueError(
            f"steps must be a whole number of epochs of {per_epoch} steps "
            f"(batch_size={batch_size} on {n} examples), got {steps}; e.g. "
            + (f"{below} or {above}" if below else f"{above}")
        )
    epochs = steps // per_epoch
    name = getattr(optimizer, "__name__", str(optimizer))

    runs: dict[tuple[str, float, int], _Run] = {}

    def key(kind: str, peak: float, warmup: int) -> tuple[str, float, int]:
        return kind, float(peak), int(warmup) if kind in _WITH_WARMUP else 0

    def run(kind: str, peak: float, warmup: int) -> _Run:
        k = key(kind, peak, warmup)
        if k not in runs:
            history = fit(
                model_of(), loss, X, y, optimizer, epochs=epochs, batch_size=batch_size,
                seed=seed, scheduler=_make_scheduler(k[0], k[2], steps),
                scheduler_interval="step", lr=float(peak), **hyperparams,
            )  # fmt: skip
            losses = np.asarray(history.losses, dtype=np.float64)
            runs[k] = _Run(np.asarray(history.lrs), losses, _smoothed(losses), history)
        return runs[k]

    for peak in peaks:  # every combination, once: a live change only swaps data
        run("constant", peak, 0)  # the reference line
        for warmup in warmups:
            for kind in kinds:
                run(kind, peak, warmup)
    every = list(runs.values())
    low = min(float(r.smoothed.min()) for r in every if len(r.smoothed))
    high = max(float(r.smoothed.max()) for r in every if len(r.smoothed))
    ylim = (max(low / 1.6, 1e-12), min(high * 1.6, HUGE))

    def final_text(r: _Run) -> str:
        if r.history.diverged:
            return plotting.diverged_text(r.history.steps)
        return f"ends at a full-data loss of {number_text(r.history.epoch_losses[-1])}"

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, height=3.4)
        _, rates = plotting.rate_curve_plot(
            {"rate": np.zeros(2)}, ax=left, ylim=(0.0, 1.05), steps=steps, title="Schedule"
        )  # a fixed title: the controls say which schedule (text is slow to redraw)
        left.set_ylabel("learning rate / peak")
        with plotting.style():
            (raw,) = right.plot([], [], color=plotting.BLUE, linewidth=0.8, alpha=0.3)
            (smooth,) = right.plot([], [], color=plotting.BLUE, linewidth=2.0, label="schedule")
            (constant,) = right.plot(
                [], [], color="0.45", linewidth=1.4, linestyle="--", label="constant rate"
            )
            status = right.text(
                0.98, 0.97, "", transform=right.transAxes, ha="right", va="top", fontsize=9,
                color=plotting.VERMILLION, fontweight="bold",
            )  # fmt: skip
            right.set(yscale="log", xlim=(0, steps), ylim=ylim, xlabel="step")
            right.set_ylabel("training loss (mini-batch)")
            right.grid(True, which="major", color="#dddddd", linewidth=0.6)
            right.legend(loc="lower left")
        artists = {
            "rates": rates,
            "raw": raw,
            "smooth": smooth,
            "constant": constant,
            "status": status,
            "right_title": right.title,
        }
        return fig, artists

    def shown(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # finite and > 0 for the log axis; the axes clip what lies outside them
        return np.arange(len(values), dtype=np.float64), np.clip(values, 1e-300, HUGE)

    def update(artists: Values, peak: float, warmup: int, kind: str) -> None:
        r = run(kind, peak, warmup)
        reference = run("constant", peak, warmup)
        artists["rates"].set_curve("rate", r.rates / float(peak))
        artists["raw"].set_data(*shown(r.losses))
        artists["smooth"].set_data(*shown(r.smoothed))
        artists["constant"].set_data(*shown(reference.smoothed))
        artists["status"].set_text(
            plotting.diverged_text(r.history.steps) if r.history.diverged else ""
        )
        if r.history.diverged:
            artists["right_title"].set_text(f"{name}: {plotting.diverged_text(r.history.steps)}")
        else:
            end = number_text(r.history.epoch_losses[-1])
            artists["right_title"].set_text(f"{name}: loss {end} at the end")

    def describe(peak: float, warmup: int, kind: str) -> str:
        r = run(kind, peak, warmup)
        rates = r.rates
        top = int(np.argmax(rates))
        shape = (
            f"the rate rises from {number_text(rates[0])} to {number_text(rates[top])} at step "
            f"{top}, then falls to {number_text(rates[-1])} at the last step, {steps - 1}"
            if top > 0
            else f"the rate goes from {number_text(rates[0])} to {number_text(rates[-1])} at "
            f"the last step, {steps - 1}"
        )
        if kind == "constant":
            shape = f"the rate stays at {number_text(peak)}"
        if kind in _WITH_WARMUP:
            warm = f", warm-up {int(warmup)} steps"
        else:
            warm = " (no warm-up: the warm-up control does not change it)"
        reference = run("constant", peak, warmup)
        return (
            f"{KINDS[kind][0].upper()}{KINDS[kind][1:]} schedule, peak learning rate "
            f"{number_text(peak)}{warm}: {shape}. {name} training {data_name} "
            f"{final_text(r)} (a constant rate of {number_text(peak)}: "
            f"{final_text(reference).removeprefix('ends at a full-data loss of ')})."
        )

    middle = {
        "peak": peaks[len(peaks) // 2],
        "warmup": warmups[len(warmups) // 2],
        "kind": "warmup_cosine" if "warmup_cosine" in kinds else kinds[0],
    }
    if defaults:
        unknown_defaults = set(defaults) - set(middle)
        if unknown_defaults:
            raise ValueError(
                f"defaults name unknown controls {sorted(unknown_defaults)}; "
                "the controls are peak, warmup and kind"
            )
        middle.update(defaults)
    if caption is None:
        caption = (
            f"{name} training {data_name} for {steps} steps ({epochs} epochs of "
            f"{per_epoch} mini-batches of {batch_size}), once per schedule, peak and warm-up. "
            "Left, the schedule's rate as a fraction of its peak; right, the mini-batch loss "
            "(faint), its moving average (bold), and the average for a constant rate at the "
            "same peak (dashed)."
        )
    return Explorer(
        setup,
        update,
        {
            "peak": {number_text(p): float(p) for p in peaks},
            "warmup": [int(w) for w in warmups],
            "kind": {KINDS[kind]: kind for kind in kinds},
        },
        defaults=middle,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
