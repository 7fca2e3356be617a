"""Tests of optlib.plotting.learning_rates: where each optimizer ends, over learning rates."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import SGD, Adam, Beale, Quadratic, RMSprop, Rosenbrock, plotting, sweep

LRS = np.geomspace(1e-3, 1.0, 7)


def _runs(fn, x0, steps=100):
    return {
        "SGD": sweep(fn, x0, SGD, steps=steps, lr=LRS[:, None], momentum=0.9),
        "RMSprop": sweep(fn, x0, RMSprop, steps=steps, lr=LRS[:, None]),
        "Adam": sweep(fn, x0, Adam, steps=steps, lr=LRS[:, None]),
    }


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_exported():
    assert "final_loss_vs_lr_plot" in plotting.__all__


def test_one_panel_per_problem_with_a_line_per_optimizer():
    fn = Rosenbrock()
    runs = _runs(fn, [-1.5, 2.0])
    panels = {"Rosenbrock": (fn, runs), "Beale": (Beale(), _runs(Beale(), [1.0, 1.5]))}
    _, result = plotting.final_loss_vs_lr_plot(LRS, panels)
    assert [ax.get_title() for ax in result.axes] == ["Rosenbrock", "Beale"]
    for ax in result.axes:
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert labels == ["SGD", "RMSprop", "Adam", "diverged"]
        assert "100 steps" in ax.get_ylabel()
        for line in ax.get_lines():
            assert np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()


def test_diverged_runs_are_crosses_on_the_top_edge_not_points_on_the_line():
    fn = Rosenbrock()
    runs = _runs(fn, [-1.5, 2.0])
    diverged = np.asarray(runs["SGD"].diverged)
    assert diverged.any() and not diverged.all()  # the test needs a cliff
    _, result = plotting.final_loss_vs_lr_plot(LRS, {"R": (fn, runs)})
    ax = result.axes[0]
    lines = _lines(ax)
    line = lines["SGD"]
    np.testing.assert_allclose(line.get_xdata(), LRS[~diverged])
    crosses = [
        other
        for other in ax.get_lines()
        if other.get_marker() == "x" and len(other.get_xdata()) and other is not line
    ]
    (cross,) = crosses
    np.testing.assert_allclose(cross.get_xdata(), LRS[diverged])
    top = float(np.unique(cross.get_ydata())[0])
    assert top >= max(float(np.max(lines[k].get_ydata())) for k in ("SGD", "RMSprop", "Adam"))
    assert ax.get_ylim()[1] > top  # the crosses are inside the axes
    # The line values are the final gaps of the runs that did not diverge.
    gaps = np.asarray(runs["Adam"].final_losses) - fn.min_value
    np.testing.assert_allclose(lines["Adam"].get_ydata(), gaps, rtol=1e-12)


def test_alt_text_names_best_rate_and_first_divergence():
    fn = Rosenbrock()
    runs = _runs(fn, [-1.5, 2.0])
    _, result = plotting.final_loss_vs_lr_plot(LRS, {"Rosenbrock": (fn, runs)})
    text = result.alt()
    first_bad = LRS[int(np.argmax(np.asarray(runs["SGD"].diverged)))]
    assert f"the smallest rate that diverged is {first_bad:.3g}" in text
    assert "RMSprop reaches a gap of" in text and "never diverges" in text
    assert text.startswith("Final loss gap J - J* against the learning rate")


def test_exact_zero_gap_and_all_diverged_still_draw():
    fn = Quadratic()
    lrs = np.array([0.5, 1.0])
    # On the A = diag(1, 10) bowl, gradient descent with lr 0.5 or 1 diverges (2/L = 0.2).
    zero = sweep(fn, [0.0, 0.0], SGD, steps=5, lr=lrs[:, None])  # starts at the minimum
    blown = sweep(fn, [2.5, 1.0], SGD, steps=200, lr=lrs[:, None])
    assert blown.diverged.all()
    _, result = plotting.final_loss_vs_lr_plot(lrs, {"Q": (fn, {"at min": zero, "bad": blown})})
    for line in result.axes[0].get_lines():
        data = np.asarray(line.get_xydata(), dtype=float)
        assert np.isfinite(data).all()
        if len(data):
            assert (data[:, 1] > 0).all()
    assert "bad diverges at every rate" in result.alt()


@pytest.mark.parametrize(
    ("lrs", "panels", "message"),
    [
        (np.array([0.1, 0.01]), None, "increasing"),
        (np.array([-0.1, 0.1]), None, "positive"),
        (np.array([[0.1, 0.2]]), None, "1-D"),
        (LRS, {}, "at least one panel"),
        (LRS, {"x": (Quadratic(), [1, 2])}, "must be (surface"),
        (LRS, {"x": (Quadratic(), {})}, "no results"),
        (LRS, {"x": (Quadratic(), {"a": np.zeros(7)})}, "SweepResult"),
    ],
)
def test_bad_arguments_are_named(lrs, panels, message):
    if panels is None:
        fn = Quadratic()
        panels = {"Q": (fn, {"SGD": sweep(fn, [1.0, 1.0], SGD, steps=3, lr=LRS[:2, None])})}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        plotting.final_loss_vs_lr_plot(lrs, panels)


def test_run_count_must_match_the_rates():
    fn = Quadratic()
    result = sweep(fn, [1.0, 1.0], SGD, steps=3, lr=LRS[:3, None])
    with pytest.raises(ValueError, match="3 runs for 7 learning rates"):
        plotting.final_loss_vs_lr_plot(LRS, {"Q": (fn, {"SGD": result})})
