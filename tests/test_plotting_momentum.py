"""Tests of the momentum chapter's builders: series_plot, landscape_plot, rate_map_plot
(optlib.plotting) and ball_explorer, rate_map_explorer (optlib.widgets)."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting, widgets
from optlib.functions import DoubleWell, Quadratic, Rosenbrock, Saddle
from optlib.optimizers import SGD
from optlib.training import minimize, sweep

PNG = b"\x89PNG\r\n\x1a\n"
FRAME_BUDGET = 25_000  # bytes per static frame, as in test_widgets.py


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


# --- series_plot ----------------------------------------------------------------------


def test_series_plot_draws_each_series_from_t0():
    _, plot = plotting.series_plot(
        {"a": [3.0, 2.0, 1.0], "b": [1.0, 1.0]}, references={"one": 1.0}, t0=1
    )
    a, b = (np.asarray(line.get_xydata()) for line in plot.lines)
    assert a[:, 0].tolist() == [1.0, 2.0, 3.0] and a[:, 1].tolist() == [3.0, 2.0, 1.0]
    assert b[:, 0].tolist() == [1.0, 2.0]
    assert len(plot.references) == 1 and plot.references[0].get_ydata()[0] == 1.0
    labels = [text.get_text() for text in plot.ax.texts]
    assert "one" in labels  # reference lines are named on the plot
    assert plot.ax.get_legend() is not None  # two series: a legend
    assert "a goes from 3 to 1 over 2 steps" in plot.alt()


def test_series_plot_moves_a_curve_and_stops_at_non_finite_values():
    fig, plot = plotting.series_plot({"x": []}, ylim=(-1, 1))
    assert plot.artists == plot.lines
    plot.set_series(0, [0.5, 0.25, np.nan, 4.0])
    assert np.asarray(plot.lines[0].get_ydata()).tolist() == [0.5, 0.25]
    plot.set_series(0, [1e308, np.inf])
    assert _finite_lines(fig)
    assert plot.ax.get_ylim() == (-1, 1)


def test_series_plot_log_axis_clips_at_a_positive_floor():
    _, plot = plotting.series_plot({"gap": [1.0, 0.0, 1e-3]}, logy=True)
    assert plot.ax.get_yscale() == "log"
    assert np.all(np.asarray(plot.lines[0].get_ydata()) > 0)


def test_series_plot_refuses_a_list():
    with pytest.raises(ValueError, match="series must be a dict"):
        plotting.series_plot([1.0, 2.0])


# --- landscape_plot ------------------------------------------------------------------


def test_landscape_plot_three_views_of_the_saddle():
    saddle = Saddle()
    runs = {
        "off": minimize(saddle, [1.5, 1e-6], SGD, steps=150, lr=0.1),
        "on": minimize(saddle, [1.5, 0.0], SGD, steps=150, lr=0.1),
    }
    fig, panels = plotting.landscape_plot(saddle, runs, box=((-1.5, 1.5), (-1.5, 1.5)))
    ax3d, flat, _ = panels.axes
    assert ax3d.name == "3d" and flat.get_title() == "From above"
    assert len(panels.parts) == 3  # two overlays, one loss plot
    assert "Three views of the Saddle surface" in panels.alt()
    assert "off" in panels.alt() and "on" in panels.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_landscape_plot_survives_a_diverged_run():
    fn = Rosenbrock()
    run = minimize(fn, [-1.5, 2.0], SGD, steps=50, lr=0.01)
    assert run.diverged
    fig, panels = plotting.landscape_plot(fn, {"too fast": run})
    assert "diverged after" in panels.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_landscape_plot_refuses_bad_input():
    with pytest.raises(ValueError, match="2-D surface"):
        plotting.landscape_plot(DoubleWell(), {"a": minimize(DoubleWell(), [2.0], SGD, steps=2)})
    with pytest.raises(ValueError, match="at least one run"):
        plotting.landscape_plot(Saddle(), {})


# --- rate_map_plot ----------------------------------------------------------------------


def _grid():
    lrs = np.array([0.01, 0.05, 0.1, 0.25])
    momenta = np.array([0.0, 0.5, 0.9])
    factors = np.array(
        [[0.99, 0.98, 0.95], [0.95, 0.9, 0.95], [1.2, 0.8, 0.95], [np.inf, np.nan, 1.0]]
    )
    return lrs, momenta, factors


def test_rate_map_plot_greys_out_the_diverged_cells():
    lrs, momenta, factors = _grid()
    fig, plot = plotting.rate_map_plot(
        lrs,
        momenta,
        factors,
        lines={"limit": (np.array([0.1, 0.2, np.nan]), np.array([0.0, 0.9, 0.5]))},
        points={"best": (0.1, 0.5), "plain": (0.05, 0.0)},
    )
    shown = np.ma.getmaskarray(plot.mesh.get_array()).reshape(len(momenta), len(lrs)).T
    grey = ~np.ma.getmaskarray(plot.diverged.get_array()).reshape(len(momenta), len(lrs)).T
    unstable = ~(np.isfinite(factors) & (factors < 1))
    assert np.array_equal(shown, unstable) and np.array_equal(grey, unstable)
    assert "4 of 12 cells diverged" in plot.alt()
    assert "best at (0.1, 0.5)" in plot.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_rate_map_plot_marker_moves():
    lrs, momenta, factors = _grid()
    _, plot = plotting.rate_map_plot(lrs, momenta, factors, colorbar=False)
    assert plot.artists == [plot.marker]
    assert len(plot.marker.get_xdata()) == 0
    plot.set_point(0.05, 0.5)
    assert plot.marker.get_xydata().tolist() == [[0.05, 0.5]]
    assert "A ring marks lr = 0.05, momentum = 0.5." in plot.alt()
    plot.set_point(None, None)
    assert len(plot.marker.get_xdata()) == 0


def test_rate_map_plot_refuses_mismatched_shapes():
    lrs, momenta, factors = _grid()
    with pytest.raises(ValueError, match=r"factors must have shape \(len\(lrs\)"):
        plotting.rate_map_plot(lrs, momenta, factors.T)
    with pytest.raises(ValueError, match="increasing"):
        plotting.rate_map_plot(lrs[::-1], momenta, factors)
    with pytest.raises(ValueError, match="at least two"):
        plotting.rate_map_plot(lrs[:1], momenta, factors[:1])


# --- ball_explorer ----------------------------------------------------------------------


def test_ball_explorer_static_frames_say_where_the_ball_rests():
    well = DoubleWell()
    momenta = [0.3, 0.6, 0.99]
    explorer = widgets.ball_explorer(well, [2.0], momenta, lr=0.05, steps=200, mode="static")
    assert len(explorer.frames) == 3
    assert all(frame.startswith(PNG) for frame in explorer.frames)
    # A ball that never settles draws the busiest frame; on average they stay in budget.
    assert sum(len(frame) for frame in explorer.frames) < 3 * FRAME_BUDGET
    assert explorer.alt_text(momentum=0.3).endswith("rest in the local minimum at θ = 0.96.")
    assert explorer.alt_text(momentum=0.6).endswith("rest in the global minimum at θ = -1.04.")
    assert "is still moving after 200 steps" in explorer.alt_text(momentum=0.99)
    assert "optlib-static-widget" in explorer.widget._dom_classes


def test_ball_explorer_reports_a_diverged_run():
    explorer = widgets.ball_explorer(DoubleWell(), [2.0], [0.0, 0.5], lr=1.0, mode="static")
    assert "the ball diverged after" in explorer.alt_text(momentum=0.5)
    assert all(frame.startswith(PNG) for frame in explorer.frames)


def test_ball_explorer_live_update_redraws():
    # Its speed (50 ms median) is measured by `make bench` (bench_widgets), not here.
    explorer = widgets.ball_explorer(
        DoubleWell(), [2.0], [0.0, 0.3, 0.6, 0.9], lr=0.05, steps=200, mode="live"
    )
    first = explorer.image.value
    for m in (0.3, 0.6, 0.9, 0.0, 0.3):
        explorer.set(momentum=m)
    assert explorer.image.value != first


def test_ball_explorer_refuses_bad_arguments():
    with pytest.raises(ValueError):
        widgets.ball_explorer(Quadratic(), [1.0, 1.0], [0.5], lr=0.1)
    with pytest.raises(ValueError, match="momentum is on the slider"):
        widgets.ball_explorer(DoubleWell(), [2.0], [0.5], lr=0.1, momentum=0.9)


# --- rate_map_explorer -------------------------------------------------------------------


def _swept():
    fn = Quadratic([[1.0, 0.0], [0.0, 25.0]])
    lrs = np.array([0.01, 0.05, 0.1, 0.12])
    momenta = np.array([0.0, 0.5, 0.9])
    result = sweep(
        fn, [-2.5, 1.0], SGD, steps=60, lr=lrs[:, None, None], momentum=momenta[None, :, None]
    )
    factors = (np.maximum(result.final_losses, 1e-300) / result.losses[0]) ** (
        1 / (2 * result.steps_taken)
    )
    return fn, result, lrs, momenta, np.where(result.diverged, np.inf, factors)


def test_rate_map_explorer_one_frame_per_cell_shown():
    fn, result, lrs, momenta, factors = _swept()
    explorer = widgets.rate_map_explorer(
        fn,
        result,
        lrs,
        momenta,
        factors,
        shown_lrs=[0.05, 0.1],
        shown_momenta=[0.0, 0.5, 0.9],
        defaults={"lr": 0.1, "momentum": 0.5},
        mode="static",
    )
    assert len(explorer.frames) == 6
    assert all(frame.startswith(PNG) and len(frame) < FRAME_BUDGET for frame in explorer.frames)
    assert explorer.controls["lr"].index == 1 and explorer.controls["momentum"].index == 1
    assert [label for label, _ in explorer.controls["lr"].options] == ["0.05", "0.1"]
    assert "the run diverged after" in explorer.alt_text(lr=0.1, momentum=0.0)
    assert "factor 0." in explorer.alt_text(lr=0.1, momentum=0.5)


def test_rate_map_explorer_live_update_moves_ring_and_path():
    fn, result, lrs, momenta, factors = _swept()
    explorer = widgets.rate_map_explorer(
        fn,
        result,
        lrs,
        momenta,
        factors,
        shown_lrs=[0.05, 0.1],
        shown_momenta=[0.0, 0.5],
        mode="live",
    )
    explorer.set(lr=0.1, momentum=0.5)
    ring = explorer.artists["map"].marker
    assert ring.get_xydata().tolist() == [[0.1, 0.5]]
    path = explorer.artists["path"].path
    np.testing.assert_allclose(path.get_xydata(), result.xs[:, 2, 1], rtol=1e-12)
    # Its update speed (50 ms median) is measured by `make bench` (bench_widgets).


def test_rate_map_explorer_refuses_values_not_swept():
    fn, result, lrs, momenta, factors = _swept()
    with pytest.raises(ValueError, match="not one of the swept values"):
        widgets.rate_map_explorer(
            fn, result, lrs, momenta, factors, shown_lrs=[0.07], shown_momenta=[0.0]
        )
    with pytest.raises(ValueError, match="batch shape"):
        widgets.rate_map_explorer(
            fn, result, lrs, momenta, factors.T, shown_lrs=[0.05], shown_momenta=[0.0]
        )
