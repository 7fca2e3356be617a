"""Tests of optlib.plotting.curves: loss curves, series and per-coordinate curves."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting
from optlib.functions import Rosenbrock
from optlib.optimizers import SGD
from optlib.training import minimize


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


# --- loss_plot ------------------------------------------------------------------------


def test_loss_plot_runs_of_different_lengths():
    fn = Rosenbrock()
    slow = minimize(fn, [-1.5, 2.0], SGD, steps=150, lr=5e-4)
    fast = minimize(fn, [-1.5, 2.0], SGD, steps=60, lr=1e-3, momentum=0.9)
    fig, plot = plotting.loss_plot([slow, fast], labels=["slow", "fast"], min_value=0.0)
    assert plot.ax.get_yscale() == "log"
    assert len(plot.lines[0].get_xdata()) == 151
    assert len(plot.lines[1].get_xdata()) == 61
    assert plot.ax.get_xlim()[1] >= 150
    assert plot.ax.get_title() == "Loss" and plot.ax.get_xlabel() and plot.ax.get_ylabel()
    assert all(status.get_text() == "" for status in plot.statuses)
    assert "slow goes from" in plot.alt()
    fig.canvas.draw()
    assert _finite_lines(fig)


def test_loss_plot_diverged_run():
    fn = Rosenbrock()
    good = minimize(fn, [-1.5, 2.0], SGD, steps=100, lr=1e-3)
    bad = minimize(fn, [-1.5, 2.0], SGD, steps=100, lr=0.01)
    fig, plot = plotting.loss_plot([good, bad], labels=["good", "bad"], min_value=0.0)
    assert plot.statuses[1].get_text() == f"bad: diverged after {bad.steps} steps"
    assert plot.statuses[0].get_text() == ""
    assert len(plot.ends[1].get_xdata()) == 1  # a cross at the end of the diverged run
    assert f"bad diverged after {bad.steps} steps" in plot.alt()
    # the diverged run does not squash the good one: at most 4 decades over the start
    assert plot.ax.get_ylim()[1] <= 2 * 1e4 * good.losses[0]
    fig.canvas.draw()
    assert _finite_lines(fig)


def test_loss_plot_zero_and_fixed_limits():
    fig, plot = plotting.loss_plot(n_runs=1, min_value=0.0, steps=10, ylim=(1e-6, 1e3))
    plot.set_run(0, np.array([4.0, 1.0, 0.0, 0.0]))  # exact zeros: clipped, not masked
    ydata = np.asarray(plot.lines[0].get_ydata())
    assert np.isfinite(ydata).all() and (ydata > 0).all()
    assert plot.ax.get_ylim() == (1e-6, 1e3) and plot.ax.get_xlim() == (0, 10)
    # a blow-up is cut at the top edge, its cross on the edge
    plot.set_run(0, np.array([4.0, 50.0, 1e6, 1e12]), diverged=True, steps=3)
    assert max(plot.lines[0].get_ydata()) == pytest.approx(1e3)
    assert plot.ends[0].get_ydata()[0] == pytest.approx(1e3)
    assert plot.statuses[0].get_text() == "diverged after 3 steps"
    fig.canvas.draw()


def test_loss_plot_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least one run"):
        plotting.loss_plot()
    with pytest.raises(ValueError, match="labels"):
        plotting.loss_plot([[1.0]], labels=["a", "b"])
    with pytest.raises(ValueError, match="ylim"):
        plotting.loss_plot([[1.0]], ylim=(0.0, 1.0))


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


# --- coordinate_plot ------------------------------------------------------------------


def test_coordinate_plot_series_columns_and_reference():
    t = np.arange(1, 201)
    rates = np.c_[0.5 / np.sqrt(t), 0.05 / np.sqrt(t)]
    _, plot = plotting.coordinate_plot(
        {"Adagrad": rates, "RMSprop": np.full(200, 0.1)}, reference=(-0.5, r"$\propto 1/\sqrt{t}$")
    )
    assert len(plot.lines["Adagrad"]) == 2 and len(plot.lines["RMSprop"]) == 1
    assert plot.ax.get_xscale() == plot.ax.get_yscale() == "log"
    guide = plot.reference.get_ydata()
    np.testing.assert_allclose(guide, rates[:, 0], rtol=1e-12)  # exactly on the 1/sqrt(t) line
    labels = [text.get_text() for text in plot.ax.get_legend().get_texts()]
    assert labels == ["Adagrad", "RMSprop", r"$\propto 1/\sqrt{t}$"]
    alt = plot.alt()
    assert "values in [0.05, 0.5]" in alt and "proportional to 1/sqrt" in alt
    assert "$" not in alt and "\\" not in alt


def test_coordinate_plot_cuts_non_finite_and_clips_zero():
    values = np.array([1.0, 0.5, 0.0, np.inf, 3.0])
    _, plot = plotting.coordinate_plot({"a": values}, x=np.arange(5), xscale="linear")
    (line,) = plot.lines["a"]
    assert len(line.get_ydata()) == 3  # stops before the inf
    assert np.all(np.asarray(line.get_ydata()) > 0)  # the zero is clipped for the log axis


def test_coordinate_plot_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least one"):
        plotting.coordinate_plot({})
    with pytest.raises(ValueError, match="xscale"):
        plotting.coordinate_plot({"a": [1.0]}, xscale="symlog")
    with pytest.raises(ValueError, match="shape"):
        plotting.coordinate_plot({"a": np.ones((2, 2, 2))})
    with pytest.raises(ValueError, match="x has"):
        plotting.coordinate_plot({"a": np.ones(5)}, x=np.arange(3))
