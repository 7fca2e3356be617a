"""Tests of optlib.plotting.loss_figures: fits with an outlier, loss curves, decision regions.

What they draw, what they move, and what they refuse.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting
from optlib.losses import BinaryCrossEntropy, Huber, mae, mse
from optlib.models import LogisticRegression, SoftmaxRegression


def _finite_lines(fig) -> None:
    for ax in fig.axes:
        for line in ax.get_lines():
            assert np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()


# --- fit_lines_plot ---------------------------------------------------------------------


X = np.linspace(-1.0, 1.0, 6)


Y = 2.0 * X + 1.0


def test_fit_lines_plot_draws_each_line_and_the_outlier():
    fits = {"MSE": (2.5, 1.2), "MAE": (2.0, 1.0)}
    fig, plot = plotting.fit_lines_plot(X, Y, fits, outlier=5)
    assert list(plot.lines) == ["MSE", "MAE"]
    xs, ys = plot.lines["MSE"].get_data()
    assert np.allclose(ys, 2.5 * np.asarray(xs) + 1.2)
    assert plot.outlier_marker.get_data()[1][0] == Y[5]
    assert len(plot.points.get_xdata()) == 5  # the outlier is drawn apart
    assert "MSE fit" in plot.equations["MSE"].get_text()
    assert "2.50" in plot.equations["MSE"].get_text()
    assert plot.alt().startswith("6 data points, one of them an outlier")
    _finite_lines(fig)


def test_fit_lines_plot_moves_the_outlier_and_the_lines():
    _, plot = plotting.fit_lines_plot(X, Y, {"MSE": (2.0, 1.0)}, outlier=0)
    plot.set_data(9.0, {"MSE": (-1.0, 4.0)})
    assert plot.outlier_marker.get_data()[1][0] == 9.0
    xs, ys = plot.lines["MSE"].get_data()
    assert np.allclose(ys, -np.asarray(xs) + 4.0)
    assert "−" not in plot.equations["MSE"].get_text()  # intercept 4 is positive
    assert "y = 9" in plot.alt()
    assert set(plot.artists) >= {plot.outlier_marker, plot.lines["MSE"], plot.equations["MSE"]}


def test_fit_lines_plot_without_outlier():
    _, plot = plotting.fit_lines_plot(X, Y, {"MSE": (2.0, 1.0)})
    assert len(plot.points.get_xdata()) == 6
    assert plot.alt().startswith("6 data points;")
    with pytest.raises(ValueError, match="no outlier"):
        plot.set_data(3.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((X, Y[:3], {"a": (1, 0)}), {}, "one length"),
        ((X, Y, {}), {}, "at least one"),
        ((X, Y, {"a": (1, 0)}), {"outlier": 6}, "outlier must be an index"),
        ((X, np.full(6, np.nan), {"a": (1, 0)}), {}, "finite"),
    ],
)
def test_fit_lines_plot_refuses_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.fit_lines_plot(*args, **kwargs)


def test_fit_lines_plot_refuses_an_unknown_line():
    _, plot = plotting.fit_lines_plot(X, Y, {"MSE": (2.0, 1.0)})
    with pytest.raises(ValueError, match="no line labelled 'MAE'"):
        plot.set_data(fits={"MAE": (1.0, 0.0)})


# --- loss curves ------------------------------------------------------------------------


def test_loss_curve_is_the_per_element_loss_and_gradient():
    points = np.array([-1.0, 0.0, 2.5])
    values, grads = plotting.loss_curve(Huber(delta=1.0), y_true=0.5)(points)
    expected = Huber(delta=1.0)(points, np.full(3, 0.5), reduction="none")
    assert np.allclose(values, expected)
    assert np.allclose(grads, [-1.0, -0.5, 1.0])


def test_loss_curves_plot_marks_the_point_and_reads_the_values():
    curves = {"MSE": plotting.loss_curve(mse, 1.0), "MAE": plotting.loss_curve(mae, 1.0)}
    fig, plot = plotting.loss_curves_plot(curves, np.linspace(-2, 4, 61), point=3.0)
    assert plot.values_at(3.0) == {"MSE": (4.0, 4.0), "MAE": (2.0, 1.0)}
    value_mark, grad_mark = plot.markers["MSE"]
    assert value_mark.get_data()[1][0] == 4.0 and grad_mark.get_data()[1][0] == 4.0
    assert all(guide.get_visible() for guide in plot.guides)
    assert plot.readout.get_text().startswith("At ŷ = 3:")
    assert "MAE 2 (gradient 1)" in plot.readout.get_text()
    assert "At the prediction y-hat = 3: MSE is 4 with derivative 4" in plot.alt()
    _finite_lines(fig)
    plot.set_point(None)
    assert plot.readout.get_text() == "" and len(value_mark.get_xdata()) == 0
    assert not any(guide.get_visible() for guide in plot.guides)


def test_loss_curves_plot_log_scale_shows_a_vanishing_gradient():
    def squared_sigmoid(z):
        p = 1 / (1 + np.exp(-z))
        return (p - 1) ** 2, 2 * (p - 1) * p * (1 - p)

    curves = {
        "BCE": plotting.loss_curve(BinaryCrossEntropy(from_logits=True), 1.0),
        "MSE": squared_sigmoid,
    }
    _, plot = plotting.loss_curves_plot(curves, np.linspace(-20, 20, 201), grad_scale="log")
    grad_ax = plot.axes[1]
    assert grad_ax.get_yscale() == "log"
    low, high = grad_ax.get_ylim()
    assert 0 < low < 1e-8 and high >= 1.0
    assert high / low < 1e14  # a bounded number of decades, not down to 1e-300
    _, shown = plot.lines["MSE"][1].get_data()
    assert (np.asarray(shown) > 0).all()
    assert "log axis" in plot.alt()


@pytest.mark.parametrize(
    ("curves", "grid", "kwargs", "message"),
    [
        ({}, np.linspace(0, 1, 5), {}, "at least one"),
        ({"a": plotting.loss_curve(mse)}, np.array([1.0, 0.0]), {}, "increasing"),
        ({"a": plotting.loss_curve(mse)}, np.array([1.0]), {}, "at least 2"),
        ({"a": plotting.loss_curve(mse)}, np.linspace(0, 1, 5), {"grad_scale": "x"}, "grad_scale"),
        ({"a": lambda p: p}, np.linspace(0, 1, 5), {}, "must return"),
        ({"a": lambda p: (p, p[:2])}, np.linspace(0, 1, 5), {}, "shaped like"),
        ({"a": lambda p: (1 / p, p)}, np.linspace(0, 1, 5), {}, "not finite"),
    ],
)
def test_loss_curves_plot_refuses_bad_input(curves, grid, kwargs, message):
    with np.errstate(divide="ignore"), pytest.raises(ValueError, match=message):
        plotting.loss_curves_plot(curves, grid, **kwargs)


# --- decision_plot ----------------------------------------------------------------------


def test_decision_plot_reports_accuracy_in_original_units():
    model = LogisticRegression(2)
    model.params[0][...] = [[1.0], [0.0]]  # class 1 where the standardised x1 > 0
    X = np.array([[10.0, 0.0], [30.0, 1.0], [32.0, -1.0], [12.0, 2.0]])
    fig, plot = plotting.decision_plot(
        model, X, [0, 1, 1, 1], ["a", "b"], mean=[20.0, 0.0], std=[5.0, 1.0]
    )
    assert plot.accuracy == 0.75
    assert [line.get_label() for line in plot.points] == ["a (1)", "b (3)"]
    assert "75.0%" in plot.alt() and "4 examples of 2 classes" in plot.alt()
    assert fig.axes[0].get_title() == "Accuracy 75.0%"


def test_decision_plot_three_classes():
    model = SoftmaxRegression(2, 3)
    model.params[0][...] = [[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    X = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 3.0]])
    _, plot = plotting.decision_plot(model, X, [0, 1, 2], ["x", "y", "z"], title="three")
    assert plot.accuracy == 1.0 and plot.ax.get_title() == "three"


@pytest.mark.parametrize(
    ("X", "labels", "names", "message"),
    [
        (np.zeros((3, 3)), [0, 1, 0], ["a", "b"], "shape"),
        (np.zeros((3, 2)), [0.0, 1.0, 0.0], ["a", "b"], "integer"),
        (np.zeros((3, 2)), [0, 1, 2], ["a", "b"], "lie in"),
    ],
)
def test_decision_plot_refuses_bad_input(X, labels, names, message):
    with pytest.raises(ValueError, match=message):
        plotting.decision_plot(LogisticRegression(2), X, np.asarray(labels), names)
