"""Tests of optlib.plotting.loss_families: loss families on one panel, predicted intervals.

What they draw, what they measure, and what they refuse.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting
from optlib.losses import PoissonNLLLoss, SigmoidFocalLoss


def _finite_lines(fig) -> None:
    for ax in fig.axes:
        for line in ax.get_lines():
            assert np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()


# --- family_plot ------------------------------------------------------------------------


def test_family_plot_draws_each_curve_and_marks_the_minima_on_it():
    grid = np.linspace(-3.0, 4.0, 141)
    poisson = PoissonNLLLoss()
    counts = (1.0, 3.0)
    curves = {
        f"y = {y:g}": (lambda s, y=y: poisson(s, np.full_like(s, y), reduction="none"))
        for y in counts
    }
    # The Poisson loss of a log-rate s is e^s - y s, smallest at s = log y (closed form).
    minima = {f"y = {y:g}": float(np.log(y)) for y in counts}
    fig, plot = plotting.family_plot(curves, grid, minima=minima, xlabel="log-rate $s$")
    assert list(plot.lines) == ["y = 1", "y = 3"]
    _, ys = plot.lines["y = 3"].get_data()
    assert np.allclose(ys, np.exp(grid) - 3 * grid)
    for y in counts:
        x_min, value = plot.minima[f"y = {y:g}"]
        assert x_min == pytest.approx(np.log(y))
        assert value == pytest.approx(y - y * np.log(y))
        assert plot.minimum_markers[f"y = {y:g}"].get_data()[0][0] == pytest.approx(np.log(y))
    assert plot.alt().startswith("2 curves of loss against log-rate s from -3 to 4")
    assert "Minima marked: y = 1 at 0" in plot.alt()
    _finite_lines(fig)


def test_family_plot_on_a_log_axis_and_on_given_axes():
    p_t = np.linspace(0.01, 0.99, 50)
    logits = np.log(p_t / (1 - p_t))  # a positive example with probability p_t
    fig, axes = plotting.side_by_side(2)
    curves = {
        f"γ = {g:g}": (lambda z, g=g: SigmoidFocalLoss(alpha=None, gamma=g)(z, np.ones_like(z)))
        for g in (0.0, 2.0)
    }
    _, plot = plotting.family_plot(curves, logits, yscale="log", ax=axes[1], title="focal")
    assert plot.ax is axes[1] and plot.fig is fig
    assert plot.ax.get_yscale() == "log" and plot.ax.get_title() == "focal"
    # gamma = 0 is the cross-entropy -log p_t; gamma = 2 multiplies it by (1 - p_t)^2.
    assert np.allclose(plot.lines["γ = 0"].get_ydata(), -np.log(p_t))
    assert np.allclose(plot.lines["γ = 2"].get_ydata(), -((1 - p_t) ** 2) * np.log(p_t))
    assert "on a log axis" in plot.alt() and "Minima" not in plot.alt()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": [0.0]}, "grid must be a finite 1-D array"),
        ({"grid": [1.0, 0.0]}, "grid must be increasing"),
        ({"curves": {}}, "at least one"),
        ({"minima": {"other": 0.0}}, "not drawn"),
        ({"minima": {"x²": 5.0}}, r"minima\['x²'\] must lie on the grid"),
        ({"yscale": "symlog"}, "yscale must be"),
        ({"curves": {"x²": lambda x: x[:1]}}, "shaped like its input"),
        ({"curves": {"x²": lambda x: x / 0.0}}, "not finite"),
        ({"curves": {"x²": 3.0}}, "must be a callable"),
        ({"yscale": "log"}, "a log axis cannot show"),
    ],
)
def test_family_plot_refuses_bad_input(kwargs, message):
    arguments = {"curves": {"x²": np.square}, "grid": np.linspace(-1.0, 1.0, 5)}
    arguments.update(kwargs)
    curves, grid = arguments.pop("curves"), arguments.pop("grid")
    with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(ValueError, match=message):
        plotting.family_plot(curves, grid, **arguments)


# --- interval_plot ----------------------------------------------------------------------


def test_interval_plot_measures_the_coverage_of_each_band():
    x = np.linspace(0.0, 1.0, 5)
    y = np.array([0.0, 0.3, 0.5, 0.7, 2.0])
    fits = {
        "narrow": (x, np.full(5, 0.01)),  # half-width 0.02
        "wide": (x, np.full(5, 1.0)),  # half-width 2
    }
    fig, plot = plotting.interval_plot(x, y, fits, level=2.0)
    # By hand: |y - x| = 0, 0.05, 0, 0.05, 1.
    assert plot.coverage == {"narrow": 2 / 5, "wide": 1.0}
    assert set(plot.bands) == {"narrow", "wide"}
    assert "band holds 40%" in plot.lines["narrow"].get_label()
    assert plot.alt().startswith("5 data points with, for each of narrow, wide")
    assert "the wide band holds 100% of them" in plot.alt()
    _finite_lines(fig)


def test_interval_plot_draws_unsorted_x_in_order():
    x = np.array([1.0, 0.0, 0.5])
    _, plot = plotting.interval_plot(x, x, {"fit": (2 * x, np.zeros(3))}, level=1.0)
    xs, ys = plot.lines["fit"].get_data()
    assert list(xs) == [0.0, 0.5, 1.0] and list(ys) == [0.0, 1.0, 2.0]
    assert plot.coverage == {"fit": 1 / 3}  # only x = 0 lies on its zero-width band


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": np.zeros(4)}, "x and y must be 1-D"),
        ({"x": np.array([0.0, np.inf, 1.0])}, "x and y must be finite"),
        ({"fits": {}}, "at least one"),
        ({"fits": {"a": (np.zeros(2), np.ones(3))}}, "must have the shape of x"),
        ({"fits": {"a": (np.zeros(3), -np.ones(3))}}, "std >= 0"),
        ({"fits": {"a": 3.0}}, "must be a pair"),
        ({"level": 0.0}, "level must be a positive number"),
        ({"level": True}, "level must be a positive number"),
    ],
)
def test_interval_plot_refuses_bad_input(kwargs, message):
    arguments = {
        "x": np.zeros(3),
        "y": np.zeros(3),
        "fits": {"a": (np.zeros(3), np.ones(3))},
        "level": 2.0,
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        plotting.interval_plot(
            arguments["x"], arguments["y"], arguments["fits"], level=arguments["level"]
        )
