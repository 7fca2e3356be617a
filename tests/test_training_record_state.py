"""Tests of optlib.training.record_state: the optimizer's state behind every step."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import SGD, Adagrad, Adam, AdamW, Quadratic, RMSprop, Rosenbrock, minimize, training


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
        rate = None  # a method whose step is not a rate times a direction

    with pytest.raises(ValueError, match="Other defines no per-coordinate learning rate"):
        training.record_state(Quadratic(), [1.0, 1.0], Other, lr=0.1)
