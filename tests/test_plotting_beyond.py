"""Tests of optlib.plotting.beyond: panel grids, singular values, optimizer state sizes.

The inputs are written out here (singular values of diagonal matrices, state
sizes counted by hand), so every drawn coordinate and every number in an alt
text is checked against values computed in the test.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting


def test_exported():
    for name in (
        "panel_grid",
        "singular_value_plot",
        "state_size_plot",
        "SingularValuePlot",
        "StateSizePlot",
    ):
        assert name in plotting.__all__


def test_panel_grid_is_rows_times_cols_row_by_row():
    fig, axes = plotting.panel_grid(2, 3)
    assert len(axes) == 6 and all(ax.get_figure(root=True) is fig for ax in axes)
    # Row by row: the first three share the top row's vertical position.
    tops = [round(ax.get_subplotspec().rowspan.start) for ax in axes]
    assert tops == [0, 0, 0, 1, 1, 1]
    width, height = fig.get_size_inches()
    assert width == pytest.approx(plotting.WIDTH) and height == pytest.approx(
        plotting.HEIGHT * 0.85 * 2
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_panel_grid_refuses_bad_shapes(bad):
    with pytest.raises(ValueError, match="rows"):
        plotting.panel_grid(bad, 2)
    with pytest.raises(ValueError, match="cols"):
        plotting.panel_grid(2, bad)


def test_singular_values_are_drawn_largest_first_from_index_one():
    matrix = np.diag([0.5, 4.0, 2.0])  # singular values 4, 2, 0.5
    sigma = np.linalg.svd(matrix, compute_uv=False)
    _, plot = plotting.singular_value_plot({"M": sigma[::-1]})  # any order in
    np.testing.assert_array_equal(plot.lines["M"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(plot.lines["M"].get_ydata(), [4.0, 2.0, 0.5])
    assert plot.ax.get_yscale() == "log"
    low, high = plot.ax.get_ylim()
    assert low <= 0.25 and high >= 8.0  # autoscaled around the data
    assert plot.alt() == (
        "Log-scale plot of the singular values, largest first: M from 4 to 0.5 (3 values)."
    )


def test_a_diverged_iteration_is_said_not_drawn():
    _, plot = plotting.singular_value_plot(labels=["before", "after"], ylim=(1e-3, 10.0), n=4)
    plot.set_values("before", [1.0, 0.5, 0.1, 0.01])
    plot.set_values("after", [], diverged_after=3)
    assert len(plot.lines["after"].get_xdata()) == 0
    assert plot.status.get_text() == "after: diverged after 3 steps"
    assert "after diverged after 3 steps" in plot.alt()
    # Showing finite values again clears the status; values beyond the fixed axis sit on it.
    plot.set_values("after", [1e6, 1.0, 1e-9])
    assert plot.status.get_text() == ""
    np.testing.assert_array_equal(plot.lines["after"].get_ydata(), [10.0, 1.0, 1e-3])
    assert plot.ax.get_xlim() == (0.5, 4.5)


def test_band_is_drawn_and_checked():
    _, plot = plotting.singular_value_plot({"O": [1.1, 0.9]}, band=(0.68, 1.14))
    assert len(plot.ax.patches) == 1
    with pytest.raises(ValueError, match="band"):
        plotting.singular_value_plot({"O": [1.0]}, band=(1.0, 0.5))


def test_singular_value_plot_refuses_bad_input():
    with pytest.raises(ValueError, match="needs values or labels"):
        plotting.singular_value_plot()
    with pytest.raises(ValueError, match=">= 0"):
        plotting.singular_value_plot({"M": [1.0, -1.0]})
    with pytest.raises(ValueError, match="1-D"):
        plotting.singular_value_plot({"M": np.ones((2, 2))})
    with pytest.raises(ValueError, match="ylim"):
        plotting.singular_value_plot({"M": [1.0]}, ylim=(0.0, 1.0))
    _, plot = plotting.singular_value_plot({"M": [1.0]})
    with pytest.raises(ValueError, match="no line 'N'"):
        plot.set_values("N", [1.0])


def test_state_sizes_as_bars_with_their_numbers():
    # Adam keeps m and s for a 64 x 32 matrix; Adafactor one number per row and column.
    sizes = {"Adam": 2 * 64 * 32, "Adafactor": 64 + 32}
    _, plot = plotting.state_size_plot(sizes, title="memory")
    assert [bar.get_width() for bar in plot.bars] == [4096, 96]
    assert [text.get_text() for text in plot.texts] == ["4,096", "96"]
    assert plot.ax.get_xscale() == "log" and plot.ax.get_title() == "memory"
    assert plot.alt() == (
        "Bar chart of the numbers each optimizer keeps: Adam 4,096; Adafactor 96."
    )


def test_state_size_plot_draws_zero_and_refuses_bad_sizes():
    _, plot = plotting.state_size_plot({"SGD": 0, "Adam": 10})
    assert plot.bars[0].get_width() == 1  # a log axis cannot show 0
    assert plot.texts[0].get_text() == "0"
    for bad in ({}, {"Adam": -1}, {"Adam": 1.5}, {"Adam": True}):
        with pytest.raises(ValueError, match="sizes"):
            plotting.state_size_plot(bad)
