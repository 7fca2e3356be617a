"""Tests of the Adagrad and RMSProp chapters' builders: record_state, coordinate_plot,
adaptive_step_explorer."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Quadratic,
    RMSprop,
    Rosenbrock,
    minimize,
    plotting,
    training,
    widgets,
)

# --- record_state ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("optimizer", "hyperparams"),
    [
        (SGD, {"lr": 1e-3}),
        (Adagrad, {"lr": 0.3}),
        (Adagrad, {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
        (RMSprop, {"lr": 0.01}),
        (RMSprop, {"lr": 0.01, "centered": True}),
        (Adam, {"lr": 0.05}),
        (Adam, {"lr": 0.05, "amsgrad": True}),
        (AdamW, {"lr": 0.05, "weight_decay": 0.0}),
    ],
)
def test_record_state_follows_minimize_and_explains_each_step(optimizer, hyperparams):
    fn, x0 = Rosenbrock(), [-1.5, 2.0]
    record = training.record_state(fn, x0, optimizer, steps=60, **hyperparams)
    traj = minimize(fn, x0, optimizer, steps=60, **hyperparams)
    np.testing.assert_allclose(record.xs, traj.xs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(record.losses, traj.losses, rtol=1e-12)
    assert record.steps == 60 and not record.diverged
    assert record.grads.shape == record.updates.shape == record.rates.shape == (60, 2)
    np.testing.assert_allclose(record.grads, fn.grad(record.xs[:-1]), rtol=1e-12)
    np.testing.assert_allclose(record.updates, np.diff(record.xs, axis=0), rtol=1e-12)
    if optimizer in (Adam, AdamW):  # the rate multiplies the first moment
        np.testing.assert_allclose(
            record.updates, -record.rates * record.state["exp_avg"], rtol=1e-9, atol=1e-15
        )
    else:  # no momentum: the step is the rate times the gradient, coordinate by coordinate
        np.testing.assert_allclose(record.updates, -record.rates * record.grads, rtol=1e-9)


def test_record_state_keeps_the_state_entries():
    record = training.record_state(Quadratic(), [2.0, 1.0], Adagrad, steps=4, lr=0.5)
    np.testing.assert_allclose(record.state["sum"], np.cumsum(record.grads**2, axis=0))
    np.testing.assert_allclose(record.rates, 0.5 / (np.sqrt(record.state["sum"]) + 1e-10))
    record = training.record_state(Quadratic(), [2.0, 1.0], RMSprop, steps=4, alpha=0.9)
    s = np.zeros(2)
    for t in range(4):
        s = 0.9 * s + 0.1 * record.grads[t] ** 2
        np.testing.assert_allclose(record.state["square_avg"][t], s, rtol=1e-12)
    assert not record.xs.flags.writeable and not record.state["square_avg"].flags.writeable


def test_record_state_moving_target():
    def grad(x, t):
        return x - np.array([np.cos(t / 10), np.sin(t / 10)])

    record = training.record_state(grad, [1.0, 0.0], RMSprop, steps=30, lr=0.05)
    assert record.losses is None and record.steps == 30
    target = np.stack([np.cos(np.arange(1, 31) / 10), np.sin(np.arange(1, 31) / 10)], axis=1)
    np.testing.assert_allclose(record.grads, record.xs[:-1] - target)


def test_record_state_stops_on_divergence_without_warnings():
    record = training.record_state(Quadratic(), [2.0, 1.0], SGD, steps=500, lr=0.5)
    assert record.diverged and record.steps < 500
    assert np.isfinite(record.xs).all() and np.isfinite(record.losses).all()
    assert len(record.xs) == record.steps + 1 == len(record.losses)


def test_record_state_refuses_what_it_cannot_explain():
    with pytest.raises(ValueError, match="surface or a callable"):
        training.record_state(3.0, [1.0, 1.0], Adagrad)

    class Other(SGD):
        pass

    with pytest.raises(ValueError, match="per-coordinate rates of"):
        training.record_state(Quadratic(), [1.0, 1.0], Other, lr=0.1)


# --- coordinate_plot -----------------------------------------------------------------------


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


# --- adaptive_step_explorer ----------------------------------------------------------------


def test_adaptive_step_explorer_static_frames():
    explorer = widgets.adaptive_step_explorer(
        Quadratic(),
        [2.5, 1.0],
        {"Adagrad": (Adagrad, {"lr": 0.5}), "RMSprop": (RMSprop, {"lr": 0.05})},
        steps=40,
        shown_steps=[1, 5, 40],
        mode="static",
    )
    assert list(explorer.controls) == ["optimizer", "step"]
    assert len(explorer.frames) == 6 and len(set(explorer.frames)) == 6
    first = explorer.alt_text(step=1, optimizer="Adagrad")
    # Adagrad's first step is lr * sign(g): (-0.5, -0.5) whatever the gradient.
    assert "the step taken is (-0.5, -0.5)" in first
    assert "RMSprop" in explorer.alt_text(step=40, optimizer="RMSprop")


def test_adaptive_step_explorer_live_moves_the_picture():
    explorer = widgets.adaptive_step_explorer(
        Rosenbrock(), [-1.5, 2.0], {"Adagrad": (Adagrad, {"lr": 0.5})}, steps=30, mode="live"
    )
    before = explorer.image.value
    explorer.set(step=30)
    assert explorer.image.value != before
    assert "step 30" in explorer.description.value


def test_adaptive_step_explorer_run_that_diverges():
    explorer = widgets.adaptive_step_explorer(
        Quadratic(),
        [2.5, 1.0],
        {"SGD": (SGD, {"lr": 0.5})},
        steps=400,
        shown_steps=[1, 400],
        mode="static",
    )
    assert "diverged after" in explorer.alt_text(step=400)


def test_adaptive_step_explorer_refuses_bad_arguments():
    with pytest.raises(ValueError, match="non-empty"):
        widgets.adaptive_step_explorer(Quadratic(), [1.0, 1.0], {})
    with pytest.raises(ValueError, match="shown_steps"):
        widgets.adaptive_step_explorer(
            Quadratic(), [1.0, 1.0], {"A": (Adagrad, {})}, steps=5, shown_steps=[10]
        )
