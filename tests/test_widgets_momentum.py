"""Tests of optlib.widgets.momentum: the ball on a curve and the rate-map explorer."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import widgets
from optlib.functions import DoubleWell, Quadratic
from optlib.optimizers import SGD
from optlib.training import sweep

PNG = b"\x89PNG\r\n\x1a\n"


FRAME_BUDGET = 25_000  # bytes per static frame: keeps a chapter page under 3 MB


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
