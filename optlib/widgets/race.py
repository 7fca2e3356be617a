r"""Optimizers raced: several from one start, and every optimizer on every surface.

:func:`race_explorer` runs a few optimizers from one start and scrubs through
their paths and loss curves with a step slider. :func:`race_board` shows every
optimizer on every surface from precomputed sweeps, one :class:`Race` per
surface, with a ``Play`` button that works on the website too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from optlib import plotting
from optlib._validation import check_positive_int
from optlib.plotting.surfaces import check_surface, min_value_of
from optlib.plotting.theme import new_figure
from optlib.plotting.words import point_text
from optlib.training import Trajectory, minimize
from optlib.widgets.descent import loss_limits, start_point
from optlib.widgets.engine import Explorer, Values, widget_mode

__all__ = ["Race", "race_board", "race_explorer"]


def race_explorer(
    fn: Any,
    x0: Any,
    optimizers: Mapping[str, tuple[type, Mapping[str, Any]]],
    *,
    steps: int = 200,
    shown_steps: Sequence[int] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Several optimizers from one start on one surface, with a slider over the steps.

    Each optimizer runs once, when the widget is built; the ``step`` slider
    shows every path and loss curve up to step :math:`t`, like scrubbing an
    animation. A run that diverged says so once the slider passes its end.

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        The common starting point.
    optimizers : dict
        ``{label: (optimizer_class, hyper_parameters)}``, e.g.
        ``{"SGD": (SGD, {"lr": 1e-3}), "Adam": (Adam, {"lr": 0.05})}``.
    steps : int
        Step budget of each run.
    shown_steps : list of int, optional
        The slider's values (default: 11 evenly spaced from 0 to ``steps``);
        the last is shown first.
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Rosenbrock
    >>> from optlib.optimizers import SGD, Adam
    >>> explorer = race_explorer(
    ...     Rosenbrock(), [-1.5, 2.0],
    ...     {"SGD": (SGD, {"lr": 1e-3}), "Adam": (Adam, {"lr": 0.05})},
    ...     steps=100, mode="static")
    >>> explorer.controls["step"].value, len(explorer.frames)
    (100, 11)
    """
    steps = check_positive_int("steps", steps)
    x_start = start_point(fn, x0)
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty {label: (class, hyper-parameters)} dict")
    runs: dict[str, Trajectory] = {}
    for label, entry in optimizers.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping)):
            raise ValueError(
                f"optimizers[{label!r}] must be (optimizer_class, {{hyper-parameters}}), "
                f"got {entry!r}"
            )
        optimizer, hyperparams = entry
        runs[str(label)] = minimize(fn, x_start, optimizer, steps=steps, **hyperparams)
    if shown_steps is None:
        shown_steps = sorted({round(steps * k / 10) for k in range(11)})
    shown = [check_positive_int("shown_steps", int(s), allow_zero=True) for s in shown_steps]
    surface_name = getattr(fn, "name", type(fn).__name__)
    min_value = min_value_of(fn)
    ylim = loss_limits([traj for traj in runs.values()], min_value)
    labels = list(runs)

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.15, 1))
        _, surface = plotting.surface_plot(fn, ax=left)
        paths = [
            plotting.trajectory_plot(surface, label=label, markers=False)[1] for label in labels
        ]
        _, losses = plotting.loss_plot(
            n_runs=len(labels),
            ax=right,
            labels=labels,
            min_value=min_value,
            steps=steps,
            ylim=ylim,
        )
        return fig, {"paths": paths, "losses": losses, "title": right.title}

    def update(artists: Values, step: int) -> None:
        for i, traj in enumerate(runs.values()):
            k = min(int(step), traj.steps)
            ended = traj.diverged and step >= traj.steps
            artists["paths"][i].set_data(
                traj.xs[: k + 1], losses=traj.losses[: k + 1], diverged=ended, steps=traj.steps
            )
            artists["losses"].set_run(i, traj.losses[: k + 1], diverged=ended, steps=traj.steps)
        artists["title"].set_text(f"Loss up to step {int(step)}")

    def describe(step: int) -> str:
        parts = []
        for label, traj in runs.items():
            if traj.diverged and step >= traj.steps:
                parts.append(f"{label} {plotting.diverged_text(traj.steps)}")
            else:
                k = min(int(step), traj.steps)
                gap = max(float(traj.losses[k]) - min_value, 0.0)
                parts.append(f"{label} is at {point_text(traj.xs[k])} with J - J* = {gap:.2g}")
        return f"{surface_name} surface, step {int(step)}: " + "; ".join(parts) + "."

    if caption is None:
        caption = (
            f"{', '.join(labels)} from the same start on the {surface_name} surface: the "
            "paths (left) and the loss gaps on a log scale (right) up to the chosen step."
        )
    return Explorer(
        setup,
        update,
        {"step": shown},
        defaults={"step": shown[-1]},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


@dataclass(frozen=True, eq=False)
class Race:
    r"""Every optimizer on one 2-D surface, from each start, at every rate of a grid.

    What :func:`race_board` shows for one surface. Each optimizer's runs come
    from one :func:`optlib.sweep` over ``x0=starts[:, None, :]`` and
    ``lr=lrs[None, :, None]``, so its result has batch shape
    ``(len(starts), len(lrs))``; ``tuned`` says which rate of the grid was
    chosen for each start.

    Attributes
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    starts : ndarray, shape (n_starts, 2)
    lrs : ndarray, shape (n_lrs,)
        Positive and increasing, geometrically spaced (a constant ratio), so
        that a factor on the learning rate is a shift along the grid.
    results : dict of str to SweepResult
        One per optimizer label, in the order of the legend.
    tuned : dict of str to ndarray of int, shape (n_starts,)
        For each label, the index into ``lrs`` of the tuned rate at each start.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Adam, Quadratic, sweep
    >>> starts, lrs = np.array([[2.5, 1.0], [-2.0, -1.0]]), np.geomspace(0.01, 1.0, 5)
    >>> results = {name: sweep(Quadratic(), starts[:, None, :], opt, steps=20,
    ...                        lr=lrs[None, :, None])
    ...            for name, opt in [("SGD", SGD), ("Adam", Adam)]}
    >>> race = Race(Quadratic(), starts, lrs, results, {"SGD": [2, 2], "Adam": [4, 4]})
    >>> xs, losses, diverged, steps = race.run("SGD", start=0, lr_index=2)
    >>> xs.shape, bool(diverged), steps
    ((21, 2), False, 20)
    """

    fn: Any
    starts: np.ndarray
    lrs: np.ndarray
    results: Mapping[str, Any]
    tuned: Mapping[str, Any]

    def __post_init__(self) -> None:
        if check_surface(self.fn) != 2:
            raise ValueError(f"a race needs a 2-D surface, got {self.fn!r}")
        starts = np.asarray(self.starts, dtype=np.float64)
        lrs = np.asarray(self.lrs, dtype=np.float64)
        if starts.ndim != 2 or starts.shape[1] != 2 or not len(starts):
            raise ValueError(f"starts must have shape (n_starts, 2), got {starts.shape}")
        if lrs.ndim != 1 or len(lrs) < 2 or not (np.all(lrs > 0) and np.all(np.diff(lrs) > 0)):
            raise ValueError("lrs must be a 1-D grid of at least two positive, increasing rates")
        ratios = lrs[1:] / lrs[:-1]
        if not np.allclose(ratios, ratios[0], rtol=1e-6):
            raise ValueError("lrs must be geometrically spaced, e.g. np.geomspace(1e-4, 10, 21)")
        if not self.results or set(self.results) != set(self.tuned):
            raise ValueError("results and tuned must name the same optimizers (at least one)")
        shape = (len(starts), len(lrs))
        tuned = {}
        for label, result in self.results.items():
            if np.shape(getattr(result, "final_losses", None)) != shape:
                raise ValueError(
                    f"results[{label!r}] must be a SweepResult of batch shape (n_starts, n_lrs) "
                    f"= {shape}: sweep(fn, starts[:, None, :], ..., lr=lrs[None, :, None])"
                )
            index = np.asarray(self.tuned[label])
            if (
                index.shape != (len(starts),)
                or not np.issubdtype(index.dtype, np.integer)
                or index.min() < 0
                or index.max() >= len(lrs)
            ):
                raise ValueError(
                    f"tuned[{label!r}] must hold one index into lrs per start, "
                    f"shape ({len(starts)},), got {self.tuned[label]!r}"
                )
            tuned[str(label)] = index.astype(np.int64)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "lrs", lrs)
        object.__setattr__(self, "results", {str(k): v for k, v in self.results.items()})
        object.__setattr__(self, "tuned", tuned)

    @property
    def labels(self) -> list[str]:
        """The optimizers, in order."""
        return list(self.results)

    @property
    def ratio(self) -> float:
        """The constant ratio between neighbouring rates of the grid."""
        return float(self.lrs[1] / self.lrs[0])

    def run(
        self, label: str, start: int, lr_index: int
    ) -> tuple[np.ndarray, np.ndarray, bool, int]:
        """One run: ``(xs, losses, diverged, steps_taken)``, cut after its last recorded step."""
        result = self.results[label]
        steps = int(np.asarray(result.steps_taken)[start, lr_index])
        xs = np.asarray(result.xs)[: steps + 1, start, lr_index]
        losses = np.asarray(result.losses)[: steps + 1, start, lr_index]
        return xs, losses, bool(np.asarray(result.diverged)[start, lr_index]), steps


def _shift(race: Race, factor: float) -> int:
    """The number of grid steps that multiplies a rate by ``factor``."""
    exact = math.log(factor) / math.log(race.ratio)
    shift = round(exact)
    if abs(exact - shift) > 0.02:
        raise ValueError(
            f"lr factor {factor:g} is not a whole number of steps of the learning-rate grid "
            f"(ratio {race.ratio:.4g} between neighbours); use powers of the ratio"
        )
    return shift


def race_board(
    races: Mapping[str, Race],
    *,
    shown_steps: Sequence[int] | None = None,
    lr_factors: Sequence[float] | None = None,
    play: bool = True,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Every optimizer on every surface, side by side: the paths and the loss curves.

    Left, the chosen surface with one path per optimizer, up to the chosen
    step; right, each optimizer's gap :math:`J(\theta_t) - J^*` on a log axis.
    Every run was computed beforehand (one :class:`Race` per surface), so
    nothing is recomputed when a control moves. A run that diverged says
    "diverged after k steps" once the step slider passes its end.

    Live, four controls: the surface, the start, a factor on every tuned
    learning rate (a shift along the grid; the rate stops at the grid's ends),
    and the step. Static, two: the surface and the step, from the first start
    at the tuned rates. A ``Play`` button moves the step slider in both modes
    (in the browser, with no kernel, on the website).

    Parameters
    ----------
    races : dict of str to Race
        One per surface, in the order of the drop-down; every race must have
        the same number of starts and the same optimizer labels.
    shown_steps : list of int, optional
        The step slider's values (default: 0 and ten steps up to the budget);
        the last is shown first.
    lr_factors : list of float, optional
        The live factors on the tuned rates, each a power of the grid's ratio
        (default: the ratio to the powers -4, -2, 0, 2, 4).
    play : bool
        Add the ``Play`` button.
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Adam, Quadratic, Saddle, sweep
    >>> lrs = np.geomspace(0.01, 1.0, 9)
    >>> def race(fn, starts):
    ...     starts = np.asarray(starts, dtype=float)
    ...     results = {name: sweep(fn, starts[:, None, :], opt, steps=30, lr=lrs[None, :, None])
    ...                for name, opt in [("SGD", SGD), ("Adam", Adam)]}
    ...     return Race(fn, starts, lrs, results, {"SGD": [4], "Adam": [6]})
    >>> board = race_board({"Quadratic": race(Quadratic(), [[2.5, 1.0]]),
    ...                     "Saddle": race(Saddle(), [[1.5, 0.01]])},
    ...                    shown_steps=[0, 10, 30], mode="static")
    >>> list(board.controls), len(board.frames)
    (['surface', 'step'], 6)
    >>> board.alt_text(surface="Saddle", step=30)[:60]
    'Saddle surface from (1.5, 0.01), step 30: SGD (lr = 0.1) is '
    """
    if not isinstance(races, Mapping) or not races:
        raise ValueError("races must be a non-empty dict {surface name: Race}")
    for name, race in races.items():
        if not isinstance(race, Race):
            raise ValueError(f"races[{name!r}] must be a Race, got {type(race).__name__}")
    names = [str(name) for name in races]
    races = dict(zip(names, races.values(), strict=True))
    first = races[names[0]]
    labels = first.labels
    n_starts = len(first.starts)
    for name, race in races.items():
        if race.labels != labels or len(race.starts) != n_starts:
            raise ValueError(
                f"every race needs the optimizers {labels} and {n_starts} start(s); "
                f"races[{name!r}] has {race.labels} and {len(race.starts)}"
            )
    budget = max(int(r.steps) for race in races.values() for r in race.results.values())
    if shown_steps is None:
        shown_steps = sorted({round(budget * k / 10) for k in range(11)})
    shown = [check_positive_int("shown_steps", int(s), allow_zero=True) for s in shown_steps]
    if lr_factors is None:
        lr_factors = [first.ratio**k for k in (-4, -2, 0, 2, 4)]
    factors = [float(f) for f in lr_factors]
    for race in races.values():
        for factor in factors:
            _shift(race, factor)
    live = widget_mode(mode) == "live"
    colors = [plotting.COLORS[i % len(plotting.COLORS)] for i in range(len(labels))]

    def lr_index(race: Race, label: str, start: int, lr_factor: float) -> int:
        index = int(race.tuned[label][start]) + _shift(race, lr_factor)
        return min(max(index, 0), len(race.lrs) - 1)

    def ylim(race: Race) -> tuple[float, float]:
        """Whole decades from the lowest gap of the tuned runs to ten times the highest start.

        A transient spike of a run that recovers runs off the top for a few steps
        rather than squashing every curve into the bottom of the panel.
        """
        min_value = min_value_of(race.fn)
        tops, bottoms = [], []
        for label in labels:
            for start in range(n_starts):
                _, losses, _, _ = race.run(label, start, int(race.tuned[label][start]))
                gaps = np.asarray(losses, dtype=np.float64) - min_value
                positive = gaps[gaps > 0]
                if positive.size:
                    tops.append(positive[0])
                    bottoms.append(positive.min())
        top = 10 * float(max(tops, default=1.0))
        bottom = max(float(min(bottoms, default=top / 1e3)), top * 1e-16)
        return (
            10.0 ** math.floor(math.log10(bottom) - 0.3),
            10.0 ** math.ceil(math.log10(top) + 0.3),
        )

    # The axes stay out of what setup returns: every artist found there is animated.
    state: dict[str, Any] = {"surface": None, "axes": {}}

    def setup() -> tuple[Figure, Values]:
        fig = new_figure(plotting.WIDTH, 3.6)
        with plotting.style():
            grid = fig.add_gridspec(1, 2, width_ratios=(1.1, 1))
        panels = {}
        for name, race in races.items():
            with plotting.style():
                left, right = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
            _, surface = plotting.contour_plot(race.fn, ax=left, title=name)
            paths = [
                plotting.trajectory_plot(surface, label=label, color=color, markers=False)[1]
                for label, color in zip(labels, colors, strict=True)
            ]
            _, losses = plotting.loss_plot(
                n_runs=len(labels),
                ax=right,
                labels=labels,
                colors=colors,
                min_value=min_value_of(race.fn),
                steps=budget,
                ylim=ylim(race),
            )
            state["axes"][name] = (left, right)
            panels[name] = {
                "paths": paths,
                "losses": losses,
                "titles": (left.title, right.title),
            }
        # Lay out every panel now, while all are visible, and keep that layout:
        # the surfaces take turns in the same place.
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        return fig, {"panels": panels}

    def show_surface(artists: Values, surface: str) -> bool:
        if state["surface"] == surface:
            return False
        for name, panel in artists["panels"].items():
            visible = name == surface
            for ax in state["axes"][name]:
                ax.set_visible(visible)
            for part in [*panel["paths"], panel["losses"]]:
                for artist in part.artists:
                    artist.set_visible(visible)
            for title in panel["titles"]:
                title.set_visible(visible)
        state["surface"] = surface
        return True

    def update(
        artists: Values, surface: str, step: int, start: int = 0, lr_factor: float = 1.0
    ) -> bool:
        changed = show_surface(artists, surface)
        race, panel = races[surface], artists["panels"][surface]
        step = int(step)
        for i, label in enumerate(labels):
            xs, losses, diverged, steps = race.run(
                label, start, lr_index(race, label, start, lr_factor)
            )
            k = min(step, steps)
            ended = diverged and step >= steps
            panel["paths"][i].set_data(xs[: k + 1], diverged=ended, steps=steps)
            panel["losses"].set_run(i, losses[: k + 1], diverged=ended, steps=steps)
        left_title, right_title = panel["titles"]
        left_title.set_text(f"{surface} from {point_text(race.starts[start])}")
        factor = "" if math.isclose(lr_factor, 1.0) else f", every rate x {lr_factor:.3g}"
        right_title.set_text(f"Loss up to step {step}{factor}")
        return changed

    def describe(surface: str, step: int, start: int = 0, lr_factor: float = 1.0) -> str:
        race = races[surface]
        min_value = min_value_of(race.fn)
        parts = []
        for label in labels:
            index = lr_index(race, label, start, lr_factor)
            xs, losses, diverged, steps = race.run(label, start, index)
            who = f"{label} (lr = {race.lrs[index]:.3g})"
            if diverged and step >= steps:
                parts.append(f"{who} {plotting.diverged_text(steps)}")
            else:
                k = min(int(step), steps)
                gap = max(float(losses[k]) - min_value, 0.0)
                parts.append(f"{who} is at {point_text(xs[k])} with J - J* = {gap:.2g}")
        return (
            f"{surface} surface from {point_text(race.starts[start])}, step {int(step)}: "
            + "; ".join(parts)
            + "."
        )

    controls: dict[str, Any] = {"surface": names}
    if live:
        controls["start"] = {f"start {k + 1}": k for k in range(n_starts)}
        controls["lr_factor"] = factors
    controls["step"] = shown
    defaults: dict[str, Any] = {"step": shown[-1]}
    if live:
        defaults["lr_factor"] = min(factors, key=lambda f: abs(math.log(f)))
    if caption is None:
        caption = (
            f"{', '.join(labels)} on the {', '.join(names)} surfaces, each at its tuned "
            "learning rate: the paths (left) and the loss gaps on a log scale (right) up "
            "to the chosen step."
        )
    explorer = Explorer(
        setup,
        update,
        controls,
        defaults=defaults,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
    if play:
        slider = explorer.controls["step"]
        player = ipw.Play(
            value=len(shown) - 1,
            min=0,
            max=len(shown) - 1,
            step=1,
            interval=700,
            description="play",
            style={"description_width": "initial"},
        )
        explorer.play = player
        explorer.play_link = ipw.jslink((player, "value"), (slider, "index"))
        box = explorer.widget.children[0]
        box.children = (*box.children, player)
    return explorer
