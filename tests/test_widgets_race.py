"""Tests of optlib.widgets.race: optimizers raced on one surface, and on every surface."""

from __future__ import annotations

import ipywidgets as ipw
import numpy as np
import pytest

from optlib import widgets
from optlib.functions import Himmelblau, Quadratic, Rosenbrock, Saddle
from optlib.optimizers import SGD, Adam
from optlib.training import minimize, sweep

PNG = b"\x89PNG\r\n\x1a\n"


FRAME_BUDGET = 25_000  # bytes per static frame: keeps a chapter page under 3 MB


def _line_data(explorer):
    return [
        np.asarray(line.get_xydata(), dtype=float)
        for ax in explorer.figure.axes
        for line in ax.get_lines()
    ]


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


# --- race_explorer ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["live", "static"])
def test_race_explorer_scrubs_through_precomputed_runs(mode):
    fn = Rosenbrock()
    optimizers = {
        "SGD": (SGD, {"lr": 1e-3, "momentum": 0.9}),
        "Adam": (Adam, {"lr": 0.05}),
        "too fast": (SGD, {"lr": 0.01}),
    }
    explorer = widgets.race_explorer(fn, [-1.5, 2.0], optimizers, steps=100, mode=mode)
    control = explorer.controls["step"]
    assert [value for _, value in control.options] == list(range(0, 101, 10))
    assert control.value == 100
    paths, losses = explorer.artists["paths"], explorer.artists["losses"]
    explorer.render(step=100)
    assert paths[2].status.get_text().startswith("too fast: diverged after ")
    assert paths[2].status.get_position()[1] == pytest.approx(0.97)  # first row: only one
    assert losses.statuses[2].get_text() == paths[2].status.get_text()
    explorer.render(step=0)  # before the blow-up nothing has diverged yet
    assert all(path.status.get_text() == "" for path in paths)
    assert all(len(path.path.get_xdata()) == 1 for path in paths)
    for data in _line_data(explorer):
        assert np.isfinite(data).all()
    assert "step 0" in explorer.alt_text(step=0)
    if mode == "static":
        assert len(explorer.frames) == 11 and len(set(explorer.frames)) == 11
        assert max(map(len, explorer.frames)) <= FRAME_BUDGET
    else:
        before = bytes(explorer.image.value)
        explorer.set(step=50)
        assert bytes(explorer.image.value) != before


def test_race_explorer_refuses_bad_optimizers():
    with pytest.raises(ValueError, match="non-empty"):
        widgets.race_explorer(Rosenbrock(), [0.0, 0.0], {}, mode="static")
    with pytest.raises(ValueError, match=r"optimizers\['SGD'\] must be"):
        widgets.race_explorer(Rosenbrock(), [0.0, 0.0], {"SGD": SGD}, mode="static")


# --- Race and race_board ----------------------------------------------------------------


LRS = np.geomspace(1e-3, 1.0, 13)  # four rates per decade


def _race(fn, starts, steps=40):
    starts = np.asarray(starts, dtype=np.float64)
    optimizers = {"SGD": (SGD, {}), "Momentum": (SGD, {"momentum": 0.9}), "Adam": (Adam, {})}
    results, tuned = {}, {}
    for label, (optimizer, settings) in optimizers.items():
        result = sweep(
            fn, starts[:, None, :], optimizer, steps=steps, lr=LRS[None, :, None], **settings
        )
        score = np.where(result.diverged, np.inf, result.final_losses)
        results[label], tuned[label] = result, np.argmin(score, axis=1)
    return widgets.Race(fn, starts, LRS, results, tuned)


@pytest.fixture(scope="module")
def races():
    return {
        "Quadratic": _race(Quadratic(), [[2.5, 1.0], [-2.0, 2.0]]),
        "Saddle": _race(Saddle(), [[1.5, 1e-3], [-1.0, -1e-2]]),
        "Himmelblau": _race(Himmelblau(), [[0.0, 0.0], [-1.0, -4.0]]),
    }


def test_race_run_is_the_minimize_run(races):
    race = races["Himmelblau"]
    for label, optimizer, settings in [("SGD", SGD, {}), ("Adam", Adam, {})]:
        index = int(race.tuned[label][1])
        xs, losses, diverged, steps = race.run(label, start=1, lr_index=index)
        single = minimize(race.fn, race.starts[1], optimizer, steps=40, lr=LRS[index], **settings)
        np.testing.assert_allclose(xs, single.xs, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(losses, single.losses, rtol=1e-12, atol=1e-12)
        assert (diverged, steps) == (single.diverged, single.steps)


def test_race_run_of_a_diverged_run_stops_at_its_last_step(races):
    race = races["Quadratic"]
    xs, losses, diverged, steps = race.run("SGD", start=0, lr_index=len(LRS) - 1)
    single = minimize(race.fn, race.starts[0], SGD, steps=40, lr=LRS[-1])
    assert diverged and single.diverged and steps == single.steps < 40
    assert len(xs) == len(losses) == steps + 1


def test_race_checks_its_parts():
    fn, starts = Quadratic(), np.array([[1.0, 1.0]])
    result = sweep(fn, starts[:, None, :], SGD, steps=5, lr=LRS[None, :, None])
    with pytest.raises(ValueError, match="geometrically"):
        widgets.Race(fn, starts, np.linspace(0.1, 1, 13), {"SGD": result}, {"SGD": [0]})
    with pytest.raises(ValueError, match="batch shape"):
        widgets.Race(fn, np.array([[1.0, 1.0], [2.0, 2.0]]), LRS, {"SGD": result}, {"SGD": [0, 0]})
    with pytest.raises(ValueError, match="one index into lrs"):
        widgets.Race(fn, starts, LRS, {"SGD": result}, {"SGD": [len(LRS)]})
    with pytest.raises(ValueError, match="same optimizers"):
        widgets.Race(fn, starts, LRS, {"SGD": result}, {"Adam": [0]})
    with pytest.raises(ValueError, match="2-D surface"):
        widgets.Race(Quadratic([[1.0]]), starts, LRS, {"SGD": result}, {"SGD": [0]})


def test_static_board_has_surface_and_step_controls_and_a_frame_each(races):
    board = widgets.race_board(races, shown_steps=[0, 10, 40], mode="static")
    assert list(board.controls) == ["surface", "step"]
    assert isinstance(board.controls["surface"], ipw.Dropdown)
    assert len(board.frames) == 9
    assert all(frame.startswith(PNG) and len(frame) < FRAME_BUDGET for frame in board.frames)
    # Every frame differs: moving either control changes the picture.
    assert len(set(board.frames)) == 9
    # The step slider starts at the end, and the Play button drives it in the browser.
    assert board.controls["step"].value == 40
    assert isinstance(board.play, ipw.Play) and board.play.max == 2
    assert board.play_link.source == (board.play, "value")
    assert board.play_link.target == (board.controls["step"], "index")
    assert board.play in board.widget.children[0].children
    assert widgets.STATIC_CLASS in board.widget._dom_classes


def test_static_frames_are_deterministic(races):
    first = widgets.race_board(races, shown_steps=[0, 40], mode="static")
    second = widgets.race_board(races, shown_steps=[0, 40], mode="static")
    assert first.frames == second.frames


def test_live_board_adds_start_and_lr_factor_and_updates(races):
    board = widgets.race_board(races, shown_steps=[0, 5, 10, 20, 40], mode="live")
    assert list(board.controls) == ["surface", "start", "lr_factor", "step"]
    factors = [value for _, value in board.controls["lr_factor"].options]
    np.testing.assert_allclose(factors, [0.1, 10**-0.5, 1.0, 10**0.5, 10.0])
    assert board.controls["lr_factor"].value == pytest.approx(1.0)
    before = board.image.value
    board.set(start=1)
    assert board.image.value != before
    # Its update speed (50 ms median) is measured by `make bench` (bench_widgets).
    before = board.image.value
    board.set(step=5)  # the board opens at the last step
    assert board.controls["step"].value == 5 and board.image.value != before
    board.set(surface="Saddle")
    assert "Saddle surface" in board.alt_text(**board.values)


def test_lr_factor_moves_along_the_grid_and_stops_at_its_ends(races):
    board = widgets.race_board(races, shown_steps=[40], mode="live")
    race = races["Quadratic"]
    tuned = int(race.tuned["SGD"][0])
    text = board.alt_text(surface="Quadratic", step=40, start=0, lr_factor=10**0.5)
    assert f"SGD (lr = {LRS[min(tuned + 2, len(LRS) - 1)]:.3g})" in text
    text = board.alt_text(surface="Quadratic", step=40, start=0, lr_factor=10.0)
    assert f"SGD (lr = {LRS[min(tuned + 4, len(LRS) - 1)]:.3g})" in text
    # SGD's tuned rate on the quadratic sits below 2/L = 0.2; ten times it diverges.
    assert "SGD (lr = " in text and "diverged after" in text.split(";")[0]


def test_board_says_diverged_once_the_slider_passes_the_end(races):
    board = widgets.race_board(races, shown_steps=[0, 40], lr_factors=[1.0, 10.0], mode="live")
    *_, diverged, _ = races["Quadratic"].run(
        "SGD", 0, min(int(races["Quadratic"].tuned["SGD"][0]) + 4, len(LRS) - 1)
    )
    assert diverged
    board.set(surface="Quadratic", lr_factor=10.0, step=40)
    panel = board.artists["panels"]["Quadratic"]
    assert "diverged after" in panel["paths"][0].status.get_text()
    assert _finite_lines(board.figure)


def test_board_rejects_mismatched_races_and_off_grid_factors(races):
    other = _race(Quadratic(), [[2.5, 1.0]])
    with pytest.raises(ValueError, match="start"):
        widgets.race_board({"a": races["Quadratic"], "b": other}, mode="static")
    with pytest.raises(ValueError, match="powers of the ratio"):
        widgets.race_board(races, lr_factors=[1.0, 2.0], mode="live")
    with pytest.raises(ValueError, match="Race"):
        widgets.race_board({"a": object()}, mode="static")
