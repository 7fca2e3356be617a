"""Tests of optlib.plotting.comparison: one row per optimizer, one dot per seed."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from optlib import plotting

ACCURACY = {"Adam": [0.96, 0.95, 0.97], "SGD": [0.90, 0.91, 0.92], "RMSprop": [0.94, 0.955, 0.93]}


def _markers(ax, marker):
    return [line for line in ax.get_lines() if line.get_marker() == marker]


def test_exported():
    assert "comparison_plot" in plotting.__all__


def test_one_panel_per_title_one_row_per_label_one_dot_per_seed():
    panels = {"accuracy": ACCURACY, "again": ACCURACY}
    fig, result = plotting.comparison_plot(panels, xlabel="test accuracy", lower_is_better=False)
    assert [ax.get_title() for ax in result.axes] == ["accuracy", "again"]
    first, second = result.axes
    # rows top to bottom in the order given; labels on the first panel only
    assert [t.get_text() for t in first.get_yticklabels()] == ["RMSprop", "SGD", "Adam"]
    assert not any(t.get_text() for t in second.get_yticklabels())
    dots = _markers(first, "o")
    assert len(dots) == 3 and all(len(line.get_xdata()) == 3 for line in dots)
    for line, (label, values) in zip(dots, ACCURACY.items(), strict=True):
        np.testing.assert_allclose(np.sort(line.get_xdata()), np.sort(values), err_msg=label)
    assert first.get_xlabel() == "test accuracy"
    plt.close(fig)


def test_the_first_tier_is_filled_the_others_hollow():
    fig, result = plotting.comparison_plot({"a": ACCURACY}, lower_is_better=False)
    dots = _markers(result.axes[0], "o")
    filled = [line.get_markerfacecolor() != "none" for line in dots]
    # Adam's worst seed 0.95 is below RMSprop's best 0.955: tied; SGD's best 0.92 is not
    assert filled == [True, False, True]
    assert "first tier: Adam, RMSprop" in result.alt()
    assert "best mean Adam (0.96)" in result.alt()
    plt.close(fig)


def test_a_diverged_seed_is_a_cross_on_the_worse_edge():
    gaps = {"Adam": [1e-6, 1e-5], "SGD": [1e-3, np.inf]}
    fig, result = plotting.comparison_plot({"Rosenbrock": gaps}, log=True)
    ax = result.axes[0]
    assert ax.get_xscale() == "log"
    (cross,) = _markers(ax, "x")
    assert cross.get_xdata()[0] == ax.get_xlim()[1]  # lower is better: the right edge
    for line in ax.get_lines():
        assert np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
    # the mean bar is the geometric mean on a log axis; SGD has none (a seed diverged)
    bars = [line for line in ax.get_lines() if line.get_marker() in ("None", "", None)]
    assert len(bars) == 1 and bars[0].get_xdata()[0] == pytest.approx(np.sqrt(1e-6 * 1e-5))
    plt.close(fig)


def test_bad_panels_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match="panels"):
        plotting.comparison_plot({})
    with pytest.raises(ValueError, match=r"panels\['a'\]"):
        plotting.comparison_plot({"a": {}})
    with pytest.raises(ValueError, match=r"panels\['b'\] must list the labels"):
        plotting.comparison_plot({"a": {"x": [1.0]}, "b": {"y": [1.0]}})
    with pytest.raises(ValueError, match=r"panels\['a'\]\['x'\]"):
        plotting.comparison_plot({"a": {"x": [[1.0]]}})
    with pytest.raises(ValueError, match="log axis"):
        plotting.comparison_plot({"a": {"x": [0.0, 1.0]}}, log=True)
    with pytest.raises(ValueError, match="xlabel"):
        plotting.comparison_plot({"a": {"x": [1.0]}}, xlabel={"b": "gap"})
