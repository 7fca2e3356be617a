"""fit and minimize with a learning-rate scheduler (optlib/training/scheduling.py).

The schedulers here are written out in the test, so the expected rates are
closed forms; optlib.schedules' own agreement with torch is tested in
test_schedules.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib.functions import Quadratic
from optlib.losses import mse
from optlib.models import LinearRegression
from optlib.optimizers import SGD
from optlib.training import fit, minimize


class Halving:
    """Halve the learning rate at every step() call."""

    def __init__(self, optimizer):
        self.optimizer = optimizer

    def step(self):
        self.optimizer.lr = self.optimizer.lr / 2


class Recorder:
    """A plateau-style scheduler: step(metric) records what it is given."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.metrics = []

    def step(self, metrics):
        self.metrics.append(metrics)


def data():
    X = np.linspace(-1, 1, 12)[:, None]
    return X, 3 * X[:, 0] - 1


@pytest.mark.parametrize("interval", ["epoch", "step"])
def test_fit_steps_the_scheduler_per_epoch_or_per_step(interval):
    X, y = data()
    history = fit(
        LinearRegression(1), mse, X, y, SGD, epochs=3, batch_size=4, shuffle=False,
        scheduler=Halving, scheduler_interval=interval, lr=0.4,
    )  # fmt: skip
    step = np.arange(history.steps)
    halvings = step // history.steps_per_epoch if interval == "epoch" else step
    np.testing.assert_array_equal(history.lrs, 0.4 / 2.0**halvings)


def test_fit_gives_a_plateau_scheduler_the_epoch_losses():
    X, y = data()
    made = []

    def recorder(opt):
        made.append(Recorder(opt))
        return made[0]

    history = fit(LinearRegression(1), mse, X, y, SGD, epochs=4, scheduler=recorder, lr=0.1)
    assert made[0].metrics == history.epoch_losses.tolist()


def test_minimize_with_a_schedule_follows_the_closed_form():
    # On f = ½ a x², gradient descent multiplies x by (1 − α_k a) at step k.
    a, x0, lr = 2.0, 1.0, 0.3
    traj = minimize(Quadratic(A=[[a]]), [x0], SGD, steps=6, scheduler=Halving, lr=lr)
    expected = [x0]
    for k in range(6):
        expected.append(expected[-1] * (1 - lr / 2**k * a))
    np.testing.assert_allclose(traj.xs[:, 0], expected, rtol=1e-15)


def test_scheduler_errors_say_what_to_write():
    X, y = data()

    class Built:
        optimizer = None

        def get_last_lr(self):
            return [0.1]

        def step(self):
            pass

    with pytest.raises(TypeError, match="a function of the optimizer"):
        fit(LinearRegression(1), mse, X, y, SGD, scheduler=Built(), lr=0.1)
    with pytest.raises(TypeError, match="a step\\(\\) method"):
        fit(LinearRegression(1), mse, X, y, SGD, scheduler=lambda opt: 3, lr=0.1)
    other = SGD(np.zeros(1), lr=0.1)
    with pytest.raises(ValueError, match="another optimizer"):
        minimize(Quadratic(), [1.0, 1.0], SGD, scheduler=lambda opt: Halving(other), lr=0.1)
    with pytest.raises(ValueError, match="scheduler_interval must be one of"):
        fit(LinearRegression(1), mse, X, y, SGD, scheduler=Halving, scheduler_interval="batch")


def test_a_misspelt_scheduler_argument_is_named():
    X, y = data()
    with pytest.raises(TypeError, match="scheduler"):
        fit(LinearRegression(1), mse, X, y, SGD, schedular=Halving, lr=0.1)
