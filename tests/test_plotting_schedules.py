"""Tests of optlib.plotting.schedules: schedules' rates, and the learning-rate range test.

The inputs are written out here (rates in closed form, a range test's record
built by hand), so every drawn coordinate and every number in an alt text is
checked against values computed in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import plotting
from optlib.experiments import RangeTest

T = np.arange(50)
COSINE = 0.1 * (1 + np.cos(np.pi * T / 50)) / 2
STEP = 0.1 * 0.5 ** (T // 20)
WARMUP = np.minimum(T / 10, 1.0) * 0.2  # from 0 to 0.2 over 10 steps, then flat


def test_exported():
    for name in ("rate_curve_plot", "range_test_plot", "RateCurvePlot", "RangeTestPlot"):
        assert name in plotting.__all__


def test_one_line_per_schedule_at_steps_from_zero():
    fig, plot = plotting.rate_curve_plot({"cosine": COSINE, "step": STEP})
    assert list(plot.lines) == ["cosine", "step"] and plot.artists == list(plot.lines.values())
    np.testing.assert_array_equal(plot.lines["cosine"].get_xdata(), T)
    np.testing.assert_array_equal(plot.lines["step"].get_ydata(), STEP)
    assert plot.ax.get_title() == "Learning-rate schedules"
    assert plot.ax.get_ylim()[0] == 0.0  # a linear rate axis starts at 0
    assert [t.get_text() for t in plot.ax.get_legend().get_texts()] == ["cosine", "step"]
    assert plot.fig is fig


def test_alt_text_says_where_each_curve_goes():
    _, plot = plotting.rate_curve_plot({"warm-up": WARMUP}, steps_label="epoch", title="W")
    # 0 → 0.2 (reached at 10, flat after): the argmax is step 10, inside the curve.
    assert plot.alt() == (
        "Plot of the learning rate against the epoch: warm-up goes from 0 to 0.2 over "
        "50 epochs, peaking at 0.2 at epoch 10."
    )
    assert plot.ax.get_xlabel() == "epoch" and plot.ax.get_title() == "W"


def test_log_axis_leaves_out_rates_of_zero():
    _, plot = plotting.rate_curve_plot({"warm-up": WARMUP}, log=True)
    assert plot.ax.get_yscale() == "log"
    np.testing.assert_array_equal(plot.lines["warm-up"].get_xdata(), T[1:])
    assert plot.alt().startswith("Log-scale plot of the learning rate")


def test_short_curves_get_a_dot_per_step():
    _, plot = plotting.rate_curve_plot({"short": [1.0, 0.5, 0.25], "long": COSINE})
    assert plot.lines["short"].get_marker() == "o"
    assert plot.lines["long"].get_marker() == "None"


def test_set_curve_moves_one_line_on_fixed_axes():
    _, plot = plotting.rate_curve_plot({"shown": COSINE}, ylim=(0, 0.3), steps=60)
    plot.set_curve("shown", WARMUP)
    np.testing.assert_array_equal(plot.lines["shown"].get_ydata(), WARMUP)
    assert plot.ax.get_ylim() == (0.0, 0.3) and plot.ax.get_xlim() == (0.0, 60.0)
    with pytest.raises(ValueError, match="no curve 'other'"):
        plot.set_curve("other", WARMUP)


@pytest.mark.parametrize(
    ("curves", "kwargs", "match"),
    [
        ({}, {}, "non-empty dict"),
        ([0.1, 0.2], {}, "non-empty dict"),
        ({"a": [[0.1]]}, {}, "must be 1-D"),
        ({"a": [0.1, np.nan]}, {}, "finite learning rates >= 0"),
        ({"a": [0.1, -0.1]}, {}, "finite learning rates >= 0"),
        ({"a": [0.1]}, {"log": "yes"}, "log must be True or False"),
        ({"a": [0.1]}, {"ylim": (0.0, 1.0), "log": True}, "ylim must be"),
        ({"a": [0.1]}, {"steps": 0}, "steps must be an integer >= 1"),
    ],
)
def test_rate_curve_plot_refuses_bad_input(curves, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.rate_curve_plot(curves, **kwargs)


# --- range_test_plot -------------------------------------------------------------------

LRS = np.geomspace(1e-4, 1.0, 9)
LOSSES = np.array([2.3, 2.31, 2.25, 2.1, 1.7, 1.2, 0.9, 1.4, 30.0])
SMOOTHED = np.array([2.3, 2.30, 2.28, 2.2, 2.0, 1.6, 1.2, 1.3, 5.0])
RECORD = RangeTest(
    lrs=LRS,
    losses=LOSSES,
    smoothed=SMOOTHED,
    steps=9,
    diverged=True,
    stop_reason="stopped",
    suggested_lr=float(LRS[5]),
    min_loss_lr=float(LRS[6]),
)


def test_range_test_plot_draws_raw_smoothed_and_marks():
    _, plot = plotting.range_test_plot(RECORD)
    assert plot.ax.get_xscale() == "log"
    np.testing.assert_array_equal(plot.smoothed.get_xdata(), LRS)
    np.testing.assert_array_equal(plot.smoothed.get_ydata(), SMOOTHED)
    # The loss axis ends 5 % of the smoothed range above the highest smoothed loss
    # (5 + 0.05 · (5 − 0.9) = 5.205); the raw blow-up to 30 is clipped to it.
    top = 5.0 + 0.05 * (5.0 - 0.9)
    assert plot.ax.get_ylim() == pytest.approx((0.9 - 0.05 * 4.1, top))
    np.testing.assert_allclose(plot.raw.get_ydata(), np.minimum(LOSSES, top))
    assert list(plot.suggested.get_xdata()) == [LRS[5], LRS[5]]
    assert plot.minimum.get_xydata().tolist() == [[LRS[6], 1.2]]
    assert plot.status.get_text() == "stopped early after 9 steps"
    assert plot.ax.get_xlim() == pytest.approx((1e-4, 1.0))
    labels = [t.get_text() for t in plot.ax.get_legend().get_texts()]
    # 10^-4 · 10^(k/2): step 5 is 10^-1.5 = 0.0316, step 6 is 0.1
    assert "suggested 0.0316" in labels and "minimum at 0.1" in labels


def test_range_test_alt_text():
    _, plot = plotting.range_test_plot(RECORD)
    assert plot.alt() == (
        "Range test, loss against the learning rate on a log axis, 9 steps from learning "
        "rate 0.0001 to 1: the smoothed loss goes from 2.3 down to 1.2 at rate 0.1, then up "
        "to 5, where the test stopped; the steepest descent, the suggested rate, is at 0.0316."
    )


def test_range_test_that_never_falls_suggests_nothing():
    rising = RangeTest(
        lrs=LRS[:3], losses=np.array([1.0, 2.0, 3.0]), smoothed=np.array([1.0, 1.5, 2.0]),
        steps=3, diverged=False, stop_reason="completed", suggested_lr=math.nan,
        min_loss_lr=float(LRS[0]),
    )  # fmt: skip
    _, plot = plotting.range_test_plot(rising)
    assert not plot.suggested.get_visible() and plot.status.get_text() == ""
    assert plot.alt().endswith("and the smoothed loss never falls, so no rate is suggested.")


def test_range_test_plot_refuses_what_is_not_a_range_test():
    with pytest.raises(ValueError, match="lr_range_test returns"):
        plotting.range_test_plot({"lrs": LRS})
    short = RangeTest(LRS[:1], LOSSES[:1], SMOOTHED[:1], 1, False, "", math.nan, 1e-4)
    with pytest.raises(ValueError, match="at least 2 steps"):
        plotting.range_test_plot(short)
