"""Tests of the closing chapter's builders: loss_map_plot (optlib.plotting) and
Race, race_board, progress (optlib.widgets)."""

from __future__ import annotations

import doctest

import ipywidgets as ipw
import matplotlib
import numpy as np
import pytest

from optlib import plotting, widgets
from optlib.functions import Himmelblau, Quadratic, Rosenbrock, Saddle
from optlib.losses import mse
from optlib.models import LinearRegression
from optlib.optimizers import SGD, Adam, RMSprop
from optlib.training import fit, minimize, sweep

PNG = b"\x89PNG\r\n\x1a\n"
FRAME_BUDGET = 25_000  # bytes per static frame, as in test_widgets.py


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (plotting, "loss_map_plot"),
        (widgets, "Race"),
        (widgets, "race_board"),
        (widgets, "progress"),
    ],
)
def test_docstring_examples_run(module, name):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(getattr(module, name), name, globs=dict(vars(module)))
    assert tests and any(t.examples for t in tests)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


# --- loss_map_plot -----------------------------------------------------------------------


def _sgd_map(steps=60):
    lrs = np.geomspace(1e-4, 1e-2, 6)
    momenta = np.linspace(0.0, 0.95, 5)
    result = sweep(
        Rosenbrock(),
        [-1.5, 2.0],
        SGD,
        steps=steps,
        lr=lrs[:, None, None],
        momentum=momenta[None, :, None],
    )
    return lrs, momenta, result


def test_loss_map_colours_cells_by_final_gap_and_greys_diverged_ones():
    lrs, momenta, result = _sgd_map()
    assert result.diverged.any() and not result.diverged.all()
    fig, maps = plotting.loss_map_plot(
        Rosenbrock(), {"SGD": (lrs, r"momentum $\rho$", momenta, result)}
    )
    ax = maps.axes[0]
    mesh, grey = ax.collections[:2]
    colours = np.ma.getmaskarray(mesh.get_array()).reshape(len(momenta), len(lrs))
    greys = np.ma.getmaskarray(grey.get_array()).reshape(len(momenta), len(lrs))
    # A diverged cell is masked in the colour mesh and shown in the grey one, and back.
    assert np.array_equal(colours.T, result.diverged)
    assert np.array_equal(~greys.T, result.diverged)
    # The colours are the final gaps, on a log scale shared by the colour bar.
    gaps = result.final_losses - Rosenbrock().min_value
    shown = np.asarray(mesh.get_array()).reshape(len(momenta), len(lrs)).T
    kept = ~result.diverged
    np.testing.assert_allclose(shown[kept], np.maximum(gaps[kept], mesh.norm.vmin))
    assert isinstance(mesh.norm, matplotlib.colors.LogNorm)
    # The star sits on the best cell.
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    i, j = np.unravel_index(np.argmin(np.where(result.diverged, np.inf, gaps)), gaps.shape)
    assert star.get_xydata().tolist() == [[lrs[i], momenta[j]]]
    crosses = next(line for line in ax.get_lines() if line.get_marker() == "x")
    assert len(crosses.get_xdata()) == int(result.diverged.sum())
    assert _finite_lines(fig)
    assert f"{int(result.diverged.sum())} of {result.diverged.size} cells diverged" in maps.alt()


def test_loss_map_panels_share_one_colour_scale_and_log_axis_for_wide_values():
    fn = Quadratic()
    lrs = np.geomspace(0.01, 1.0, 5)
    betas = np.linspace(0.0, 0.9, 4)
    one_minus = np.array([1e-3, 1e-2, 1e-1])
    first = sweep(
        fn, [2.5, 1.0], Adam, steps=40, lr=lrs[:, None, None], betas=(betas[None, :, None], 0.999)
    )
    second = sweep(
        fn,
        [2.5, 1.0],
        Adam,
        steps=40,
        lr=lrs[:, None, None],
        betas=(0.9, 1 - one_minus[None, :, None]),
    )
    fig, maps = plotting.loss_map_plot(
        fn,
        {
            "beta1": (lrs, r"$\beta_1$", betas, first),
            "beta2": (lrs, r"$1 - \beta_2$", one_minus, second),
        },
        marks={"beta1": {"default": (0.01, 0.9)}},
    )
    left, right = maps.axes
    assert left.collections[0].norm is right.collections[0].norm
    assert left.get_xscale() == right.get_xscale() == "log"
    assert left.get_yscale() == "linear" and right.get_yscale() == "log"
    diamonds = [line for line in left.get_lines() if line.get_marker() == "D"]
    assert diamonds and diamonds[0].get_xydata().tolist() == [[0.01, 0.9]]
    assert "a diamond marks default" in maps.alt()
    assert len(fig.legends) == 1


def test_loss_map_with_every_cell_diverged_still_draws():
    lrs = np.array([1.0, 2.0, 4.0])
    momenta = np.array([0.0, 0.5])
    result = sweep(
        Rosenbrock(),
        [-1.5, 2.0],
        SGD,
        steps=20,
        lr=lrs[:, None, None],
        momentum=momenta[None, :, None],
    )
    assert result.diverged.all()
    fig, maps = plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs, "momentum", momenta, result)})
    assert "all 6 cells diverged" in maps.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_loss_map_rejects_a_sweep_of_the_wrong_shape():
    lrs, momenta, result = _sgd_map(steps=5)
    with pytest.raises(ValueError, match="batch shape"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs[:-1], "momentum", momenta, result)})
    with pytest.raises(ValueError, match="SweepResult"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs, "momentum", momenta, object())})
    with pytest.raises(ValueError, match="increasing"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs[::-1], "momentum", momenta, result)})
    with pytest.raises(ValueError, match="a dict"):
        plotting.loss_map_plot(Rosenbrock(), {})


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


# --- progress -----------------------------------------------------------------------------


def _data():
    X = np.linspace(0, 1, 12)[:, None]
    return X, 3 * X[:, 0] - 1


def test_progress_counts_epochs_over_several_runs():
    X, y = _data()
    bar = widgets.progress(8, description="Fitting", mode="live")
    fit(LinearRegression(1), mse, X, y, SGD, epochs=5, lr=0.1, callback=bar.run("SGD"))
    progress_bar, text = bar.widget.children
    assert (bar.done, progress_bar.value, progress_bar.max) == (5, 5, 8)
    assert progress_bar.description == "Fitting" and progress_bar.bar_style == ""
    assert "5/8 epochs" in text.value and "SGD: epoch 5" in text.value
    fit(LinearRegression(1), mse, X, y, RMSprop, epochs=3, lr=0.1, callback=bar)
    assert (bar.done, progress_bar.value, progress_bar.bar_style) == (8, 8, "success")
    assert text.value.startswith("done")


def test_progress_does_not_change_the_training():
    X, y = _data()
    bar = widgets.progress(4, mode="live")
    with_bar = fit(LinearRegression(1), mse, X, y, SGD, epochs=4, lr=0.1, callback=bar.run("a"))
    without = fit(LinearRegression(1), mse, X, y, SGD, epochs=4, lr=0.1)
    np.testing.assert_array_equal(with_bar.losses, without.losses)


def test_static_progress_shows_nothing_and_says_nothing(capsys, monkeypatch):
    X, y = _data()
    monkeypatch.setenv(widgets.MODE_ENV, "static")
    bar = widgets.progress(3)
    assert bar.widget is None
    fit(LinearRegression(1), mse, X, y, SGD, epochs=3, lr=0.1, callback=bar.run("SGD"))
    bar._ipython_display_()  # what display(bar) calls in a notebook
    assert bar.done == 3
    assert capsys.readouterr() == ("", "")


def test_progress_checks_total():
    with pytest.raises(ValueError, match="total"):
        widgets.progress(0, mode="live")
