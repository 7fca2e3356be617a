"""Tests of optlib.widgets.losses: an outlier under several losses, and the loss explorer."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting, widgets
from optlib.losses import mae, mse

PNG = b"\x89PNG\r\n\x1a\n"


X = np.linspace(-1.0, 1.0, 6)


Y = 2.0 * X + 1.0


HEIGHTS = [0.0, 5.0, 10.0]


FITS = {"MSE": [(2.0, 1.0), (2.5, 1.5), (3.0, 2.0)], "MAE": [(2.0, 1.0)] * 3}


@pytest.mark.parametrize("mode", ["live", "static"])
def test_outlier_fit_explorer(mode):
    explorer = widgets.outlier_fit_explorer(X, Y, 5, HEIGHTS, FITS, default=5.0, mode=mode)
    assert explorer.controls["outlier_y"].value == 5.0
    assert "slope 2.50" in explorer.alt_text(outlier_y=5.0)
    if mode == "static":
        assert len(explorer.frames) == 3 and all(f.startswith(PNG) for f in explorer.frames)
        assert len(set(explorer.frames)) == 3  # every position draws a different picture
    else:
        before = explorer.image.value
        explorer.set(outlier_y=10.0)
        assert explorer.image.value != before
        assert explorer.artists.outlier_marker.get_data()[1][0] == 10.0


def test_outlier_fit_explorer_limits_hold_every_frame():
    explorer = widgets.outlier_fit_explorer(X, Y, 5, HEIGHTS, FITS, mode="live")
    low, high = explorer.artists.ax.get_ylim()
    assert low < min(HEIGHTS) and high > max(HEIGHTS) and high > 3.0 * 1.0 + 2.0


@pytest.mark.parametrize(
    ("heights", "fits", "message"),
    [
        ([], FITS, "at least one height"),
        (HEIGHTS, {"MSE": [(1.0, 0.0)] * 2}, "one \\(slope, intercept\\) per height"),
        (HEIGHTS, {"MSE": [(np.nan, 0.0)] * 3}, "finite"),
        (HEIGHTS, {}, "at least one"),
    ],
)
def test_outlier_fit_explorer_refuses_bad_input(heights, fits, message):
    with pytest.raises(ValueError, match=message):
        widgets.outlier_fit_explorer(X, Y, 5, heights, fits, mode="static")


CURVES = {"MSE": plotting.loss_curve(mse, 1.0), "MAE": plotting.loss_curve(mae, 1.0)}


@pytest.mark.parametrize("mode", ["live", "static"])
def test_loss_explorer(mode):
    points = [-1.0, 0.0, 1.0, 2.0]
    explorer = widgets.loss_explorer(
        CURVES, np.linspace(-2, 3, 101), points, name="y_hat", default=2.0, mode=mode
    )
    assert explorer.controls["y_hat"].value == 2.0
    assert explorer.alt_text(y_hat=1.0).endswith(
        "MSE is 0 with derivative 0; MAE is 0 with derivative 0."
    )
    if mode == "static":
        assert len(explorer.frames) == 4 and len(set(explorer.frames)) == 4
    else:
        explorer.set(y_hat=-1.0)
        assert explorer.artists.point == -1.0
        assert explorer.artists.readout.get_text().startswith("At ŷ = -1:")


def test_loss_explorer_refuses_points_off_the_grid():
    with pytest.raises(ValueError, match="on the grid"):
        widgets.loss_explorer(CURVES, np.linspace(0, 1, 11), [0.5, 2.0], mode="static")
    with pytest.raises(ValueError, match="at least one"):
        widgets.loss_explorer(CURVES, np.linspace(0, 1, 11), [], mode="static")
