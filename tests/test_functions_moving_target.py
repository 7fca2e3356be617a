"""Tests for optlib.functions.MovingTarget: closed forms and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import Adagrad
from optlib.functions import MovingTarget
from optlib.training import record_state


def test_the_center_goes_round_the_circle_once_per_period():
    target = MovingTarget(period=8, radius=2.0)
    t = np.arange(1, 9)
    angle = 2 * np.pi * t / 8
    np.testing.assert_allclose(target.center(t), 2.0 * np.c_[np.cos(angle), np.sin(angle)])
    np.testing.assert_allclose(target.center(16), target.center(8), atol=1e-15)
    steps = np.linalg.norm(np.diff(target.center(np.arange(100)), axis=0), axis=1)
    assert np.allclose(steps, 2 * 2.0 * np.sin(np.pi / 8))  # a chord of the circle


@pytest.mark.parametrize("t", [1, 7, 30])
def test_gradient_matches_central_differences(t):
    target = MovingTarget(A=[[2.0, 0.5], [0.5, 3.0]], period=50)
    x, h = np.array([0.3, -1.2]), 1e-6
    numeric = [(target(x + h * e, t) - target(x - h * e, t)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(target.grad(x, t), numeric, rtol=1e-7)
    assert target(target.center(t), t) == 0.0


def test_record_state_runs_on_it_as_a_hand_written_loop_does():
    target, lr = MovingTarget(), 0.3
    record = record_state(target.grad, [1.0, 0.0], Adagrad, steps=50, lr=lr)
    theta, total = np.array([1.0, 0.0]), np.zeros(2)
    for t in range(1, 51):
        g = np.array([1.0, 10.0]) * (theta - target.center(t))
        total += g**2
        theta = theta - lr * g / (np.sqrt(total) + 1e-10)
    np.testing.assert_allclose(record.xs[-1], theta, rtol=1e-12)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="2 x 2"):
        MovingTarget(A=[[1.0]])
    with pytest.raises(ValueError, match="period must be positive"):
        MovingTarget(period=0)
    with pytest.raises(ValueError, match="radius"):
        MovingTarget(radius=-1.0)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        MovingTarget().grad([1.0, 2.0, 3.0], 1)
