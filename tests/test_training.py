"""Tests of optlib.training: closed forms for gradient descent on quadratics,
hand-written loops, np.linalg.lstsq and a PyTorch training loop."""

from __future__ import annotations

import dataclasses
import doctest
import re
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlib.training
from optlib.functions import DoubleWell, Himmelblau, Quadratic, Rosenbrock, Saddle
from optlib.losses import MeanSquaredError, SparseCategoricalCrossEntropy
from optlib.models import MLP, LinearRegression
from optlib.optimizers import SGD, Adam, RMSprop
from optlib.training import fit, minimize, sweep

mse = MeanSquaredError()


def gd_closed_form(A, c, x0, lr, k):
    """x_k = c + (I - lr A)^k (x0 - c): gradient descent on 1/2 (x-c)^T A (x-c)."""
    return c + np.linalg.matrix_power(np.eye(len(A)) - lr * A, k) @ (x0 - c)


# ------------------------------------------------------------------- minimize
def test_sgd_on_a_quadratic_follows_the_closed_form():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    c = np.array([0.5, -1.0])
    x0 = np.array([2.0, 3.0])
    traj = minimize(Quadratic(A, c), x0, SGD, steps=40, lr=0.2)
    expected = np.array([gd_closed_form(A, c, x0, 0.2, k) for k in range(41)])
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-12, atol=1e-14)
    diffs = expected - c
    losses = 0.5 * np.einsum("ki,ij,kj->k", diffs, A, diffs)
    np.testing.assert_allclose(traj.losses, losses, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        traj.grad_norms, np.linalg.norm(diffs @ A, axis=1), rtol=1e-12, atol=1e-14
    )
    assert traj.steps == 40 and not traj.diverged and not traj.converged
    assert traj.stop_reason == "reached the step budget of 40 steps"


@settings(max_examples=40, deadline=None)
@given(
    B=hnp.arrays(np.float64, (3, 3), elements=st.floats(-2, 2)),
    x0=hnp.arrays(np.float64, (3,), elements=st.floats(-5, 5)),
    fraction=st.floats(0.05, 0.95),
)
def test_gradient_descent_closed_form_any_quadratic(B, x0, fraction):
    A = B @ B.T + 0.1 * np.eye(3)
    f = Quadratic(A)
    lr = fraction * 2 / f.lipschitz
    traj = minimize(f, x0, SGD, steps=25, lr=lr)
    expected = np.array([gd_closed_form(A, np.zeros(3), x0, lr, k) for k in range(26)])
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-10, atol=1e-12)


def test_momentum_on_a_quadratic_follows_the_heavy_ball_recursion():
    """v <- rho v + grad, x <- x - lr v (PyTorch's convention), written out by hand."""
    f = Quadratic()
    x, v = np.array([-2.0, 1.0]), np.zeros(2)
    expected = [x.copy()]
    for _ in range(30):
        v = 0.8 * v + f.A @ x
        x = x - 0.05 * v
        expected.append(x.copy())
    traj = minimize(f, [-2.0, 1.0], SGD, steps=30, lr=0.05, momentum=0.8)
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("blowup", [1e10, np.inf])
def test_rosenbrock_with_lr_10_stops_cleanly(dtype, blowup):
    """No warning (pytest turns them into errors), no exception, nothing non-finite."""
    x0 = np.array([-1.5, 2.0], dtype=dtype)
    traj = minimize(Rosenbrock(), x0, SGD, steps=200, lr=10.0, blowup=blowup)
    assert traj.diverged and not traj.converged
    assert re.match(rf"diverged after {traj.steps} steps?\b", traj.stop_reason)
    assert traj.xs.dtype == dtype and traj.losses.dtype == dtype
    assert traj.xs.shape == (traj.steps + 1, 2) and traj.losses.shape == (traj.steps + 1,)
    assert np.isfinite(traj.xs).all() and np.isfinite(traj.losses).all()
    assert np.isfinite(traj.grad_norms).all()
    assert traj.steps < 200
    if blowup == np.inf:
        assert "non-finite" in traj.stop_reason


def test_a_blown_up_step_is_recorded_and_ends_the_run():
    f = Quadratic()
    lr = 1.2 * 2 / f.lipschitz  # |1 - lr L| = 1.4: the steep direction grows
    traj = minimize(f, [1.0, 1.0], SGD, steps=1000, lr=lr, blowup=1e6)
    loss0 = traj.losses[0]
    bound = 1e6 * (1 + loss0)
    assert traj.diverged
    assert abs(traj.losses[-1] - loss0) > bound
    assert np.all(np.abs(traj.losses[:-1] - loss0) <= bound)
    assert "exceeded the blowup bound" in traj.stop_reason
    # the closed form predicts the first step beyond the bound
    first = next(
        k for k in range(1000) if f(gd_closed_form(f.A, np.zeros(2), np.ones(2), lr, k)) > bound
    )
    assert traj.steps == first


def test_lr_well_above_two_over_l_diverges():
    f = Quadratic()
    traj = minimize(f, [1.0, 1.0], SGD, steps=5000, lr=5 * 2 / f.lipschitz)
    assert traj.diverged and traj.steps < 100
    assert np.isfinite(traj.xs).all()


def test_tol_stops_at_the_first_small_gradient():
    f = Quadratic()
    x0, lr, tol = np.array([1.0, 1.0]), 0.1, 1e-5
    norms = [np.linalg.norm(f.A @ gd_closed_form(f.A, 0, x0, lr, k)) for k in range(1000)]
    expected = next(k for k, norm in enumerate(norms) if norm < tol)
    traj = minimize(f, x0, SGD, steps=1000, tol=tol, lr=lr)
    assert traj.converged and not traj.diverged
    assert traj.steps == expected
    assert traj.grad_norms[-1] < tol <= traj.grad_norms[-2]
    assert traj.stop_reason == f"gradient norm below tol=1e-05 after {expected} steps"


def test_ftol_stops_at_the_first_small_change_of_loss():
    f = Quadratic()
    x0, lr, ftol = np.array([1.0, 1.0]), 0.05, 1e-8
    losses = [f(gd_closed_form(f.A, 0, x0, lr, k)) for k in range(2000)]
    expected = next(k for k in range(1, 2000) if abs(losses[k] - losses[k - 1]) < ftol)
    traj = minimize(f, x0, SGD, steps=2000, ftol=ftol, lr=lr)
    assert traj.converged and traj.steps == expected
    assert traj.stop_reason == f"loss changed by less than ftol=1e-08 after {expected} steps"


def test_tol_met_at_the_start_takes_no_step():
    traj = minimize(Quadratic(), [0.0, 0.0], SGD, tol=1e-3, lr=0.1)
    assert traj.converged and traj.steps == 0 and traj.xs.shape == (1, 2)


def test_x0_is_not_modified_and_dtype_is_kept():
    x0 = np.array([-1.0, 1.5], dtype=np.float32)
    before = x0.copy()
    traj = minimize(Himmelblau(), x0, Adam, steps=50, lr=0.05)
    np.testing.assert_array_equal(x0, before)
    assert traj.xs.dtype == np.float32 and traj.losses.dtype == np.float32
    np.testing.assert_array_equal(traj.xs[0], before)


def test_lists_ints_and_1d_scalars_are_accepted():
    assert minimize(Saddle(), [1, 1], SGD, steps=3, lr=0.1).xs.dtype == np.float64
    traj = minimize(DoubleWell(), 1.5, SGD, steps=3, lr=0.01)
    assert traj.xs.shape == (4, 1)


def test_steps_zero_records_only_x0():
    traj = minimize(Rosenbrock(), [0.0, 0.0], SGD, steps=0, lr=0.1)
    assert traj.steps == 0 and traj.losses.tolist() == [1.0]


def test_trajectory_is_frozen_and_read_only():
    traj = minimize(Quadratic(), [1.0, 1.0], SGD, steps=3, lr=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj.steps = 5
    with pytest.raises(ValueError, match="read-only"):
        traj.xs[0, 0] = 3.0
    assert traj.final_loss == traj.losses[-1]
    np.testing.assert_array_equal(traj.final_x, traj.xs[-1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x0": [[1.0, 2.0], [3.0, 4.0]]}, "sweep"),
        ({"x0": [1.0, 2.0, 3.0]}, r"shape \(2,\)"),
        ({"x0": [np.nan, 1.0]}, "non-finite"),
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"tol": 0.0}, "tol"),
        ({"ftol": -1.0}, "ftol"),
        ({"blowup": 0}, "blowup"),
        ({"optimizer": SGD([np.zeros(2)], lr=0.1)}, "optimizer class"),
        ({"fn": lambda x: x}, "grad"),
        ({"lr": -1.0}, "learning rate"),
    ],
)
def test_minimize_refuses_bad_arguments(kwargs, message):
    arguments = {"fn": Rosenbrock(), "x0": [0.0, 0.0], "optimizer": SGD, "lr": 0.1}
    arguments.update(kwargs)
    fn, x0, optimizer = arguments.pop("fn"), arguments.pop("x0"), arguments.pop("optimizer")
    with pytest.raises(ValueError, match=message):
        minimize(fn, x0, optimizer, **arguments)


def test_minimize_refuses_a_start_where_the_loss_overflows():
    with pytest.raises(ValueError, match="not finite"):
        minimize(Rosenbrock(), np.array([1e30, 0.0], dtype=np.float32), SGD, lr=0.1)


# ---------------------------------------------------------------------- sweep
def frozen_extension(traj, steps):
    """A minimize trajectory padded with its last value, as sweep records it."""
    pad = steps - traj.steps
    return (
        np.concatenate([traj.losses, np.repeat(traj.losses[-1:], pad)]),
        np.concatenate([traj.xs, np.repeat(traj.xs[-1:], pad, axis=0)]),
    )


@pytest.mark.parametrize("blowup", [1e10, np.inf])
def test_sweep_equals_a_loop_of_minimize_runs(blowup):
    lrs = np.array([1e-4, 1e-3, 2e-3, 5e-3, 1e-2])
    moms = np.array([0.0, 0.5, 0.9])
    lr_grid, mom_grid = (g.ravel() for g in np.meshgrid(lrs, moms, indexing="ij"))
    steps = 150
    result = sweep(
        Rosenbrock(), [-1.5, 2.0], SGD, steps=steps, blowup=blowup,
        lr=lr_grid[:, None], momentum=mom_grid[:, None],
    )  # fmt: skip
    assert result.losses.shape == (steps + 1, 15) and result.xs.shape == (steps + 1, 15, 2)
    assert result.diverged.any() and not result.diverged.all()  # both kinds in the grid
    for i, (lr, momentum) in enumerate(zip(lr_grid, mom_grid, strict=True)):
        traj = minimize(
            Rosenbrock(), [-1.5, 2.0], SGD, steps=steps, blowup=blowup, lr=lr, momentum=momentum
        )
        assert result.diverged[i] == traj.diverged
        assert result.diverged_at[i] == (traj.steps if traj.diverged else -1)
        assert result.steps_taken[i] == traj.steps
        losses, xs = frozen_extension(traj, steps)
        np.testing.assert_allclose(result.losses[:, i], losses, rtol=1e-12)
        np.testing.assert_allclose(result.xs[:, i], xs, rtol=1e-12)
    np.testing.assert_array_equal(result.final_losses, result.losses[-1])
    assert np.isfinite(result.losses).all() and np.isfinite(result.xs).all()


def test_sweep_over_starting_points_and_tuple_hyperparameters():
    starts = np.array([[-4.0, -4.0], [0.0, 0.0], [4.0, 4.0], [-3.0, 3.0]])
    beta1s = np.array([0.0, 0.5, 0.9, 0.95])[:, None]
    result = sweep(Himmelblau(), starts, Adam, steps=60, lr=0.1, betas=(beta1s, 0.999))
    for i in range(4):
        traj = minimize(
            Himmelblau(), starts[i], Adam, steps=60, lr=0.1, betas=(beta1s[i, 0], 0.999)
        )
        np.testing.assert_allclose(result.losses[:, i], traj.losses, rtol=1e-12)


def test_sweep_grid_on_separate_axes():
    lrs = np.array([0.01, 0.05, 0.1, 0.19, 0.21])
    moms = np.array([0.0, 0.5])
    result = sweep(
        Quadratic(),
        [1.0, 1.0],
        SGD,
        steps=100,
        lr=lrs[:, None, None],
        momentum=moms[None, :, None],
    )
    assert result.final_losses.shape == (5, 2) and result.xs.shape == (101, 5, 2, 2)
    traj = minimize(Quadratic(), [1.0, 1.0], SGD, steps=100, lr=0.05, momentum=0.5)
    np.testing.assert_allclose(result.losses[:, 1, 1], traj.losses, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sweep_diverging_runs_stop_cleanly(dtype):
    lrs = np.geomspace(1e-4, 100, 40)[:, None]
    result = sweep(Rosenbrock(), np.array([-1.5, 2.0], dtype=dtype), RMSprop, steps=100, lr=lrs)
    assert result.losses.dtype == dtype
    assert np.isfinite(result.losses).all() and np.isfinite(result.xs).all()
    stopped = result.diverged_at[result.diverged]
    runs = np.flatnonzero(result.diverged)
    np.testing.assert_array_equal(result.losses[-1, runs], result.losses[stopped, runs])


def test_sweep_is_fast():
    """The chapter's map: 2,500 (lr, momentum) configurations x 200 steps."""
    lrs, moms = np.meshgrid(np.geomspace(1e-5, 1e-1, 50), np.linspace(0.0, 0.99, 50))
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        sweep(
            Rosenbrock(), [-1.5, 2.0], SGD, steps=200,
            lr=lrs.ravel()[:, None], momentum=moms.ravel()[:, None],
        )  # fmt: skip
        best = min(best, time.perf_counter() - start)
    assert best < 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": np.array([0.1, 0.2, 0.3])}, r"lr=values\[:, None\]"),
        ({"lr": np.ones((3, 3))}, "trailing axis"),
        ({"lr": np.ones((3, 1)), "momentum": np.ones((4, 1)) * 0.5}, "broadcast"),
        ({"x0": [1.0, 2.0, 3.0]}, "d=2"),
        ({"optimizer": Adam}, None),
    ],
)
def test_sweep_refuses_bad_shapes(kwargs, message):
    arguments = {"x0": [0.0, 0.0], "optimizer": SGD, "lr": 0.1}
    arguments.update(kwargs)
    x0, optimizer = arguments.pop("x0"), arguments.pop("optimizer")
    if message is None:  # a valid call, for contrast
        assert sweep(Rosenbrock(), x0, optimizer, steps=2, **arguments).losses.shape == (3,)
        return
    with pytest.raises(ValueError, match=message):
        sweep(Rosenbrock(), x0, optimizer, steps=5, **arguments)


# ------------------------------------------------------------------------ fit
class RecordingLoss:
    """Wraps a loss and records the batches it sees (for the step counting tests)."""

    from_logits = False

    def __init__(self, loss):
        self.loss, self.batches = loss, []

    def __call__(self, y_pred, y_true, reduction="mean"):
        return self.loss(y_pred, y_true, reduction)

    def grad(self, y_pred, y_true, reduction="mean"):
        self.batches.append(np.array(y_true))
        return self.loss.grad(y_pred, y_true, reduction)


def regression_data(n=10, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ np.arange(1.0, d + 1) + 0.5 + 0.1 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize(
    ("batch_size", "sizes"),
    [(None, [10]), (1, [1] * 10), (4, [4, 4, 2]), (5, [5, 5]), (10, [10])],
)
def test_batch_size_sets_the_steps_per_epoch(batch_size, sizes):
    X, y = regression_data()
    loss = RecordingLoss(mse)
    history = fit(LinearRegression(2), loss, X, y, SGD, epochs=3, batch_size=batch_size, lr=0.01)
    assert [len(b) for b in loss.batches] == sizes * 3
    assert history.steps == 3 * len(sizes) == len(history.losses)
    assert history.steps_per_epoch == len(sizes)
    assert history.epochs == 3 and len(history.epoch_losses) == 3
    # each epoch visits every example exactly once
    for epoch in range(3):
        seen = np.concatenate(loss.batches[epoch * len(sizes) : (epoch + 1) * len(sizes)])
        np.testing.assert_array_equal(np.sort(seen), np.sort(y))


def test_batch_gradient_descent_equals_a_hand_written_loop():
    X, y = regression_data(n=30, d=3)
    model = MLP([3, 6, 1], seed=2)
    reference = MLP([3, 6, 1], seed=2)
    history = fit(model, mse, X, y, SGD, epochs=25, lr=0.05)
    losses = []
    for _ in range(25):
        value, grads = reference.loss_and_grads(X, y, mse)
        losses.append(value)
        for p, g in zip(reference.params, grads, strict=True):
            p -= 0.05 * g
    np.testing.assert_allclose(history.losses, losses, rtol=1e-13)
    for p, q in zip(model.params, reference.params, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-13)
    # epoch loss k is the loss before step k + 1
    np.testing.assert_allclose(history.epoch_losses[:-1], history.losses[1:], rtol=1e-13)
    assert history.epoch_losses[-1] == pytest.approx(reference.evaluate(X, y, mse), rel=1e-13)
    assert history.initial_loss == pytest.approx(losses[0], rel=1e-13)


def test_shuffling_is_seeded_and_uses_no_global_state():
    X, y = regression_data(n=40)
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy global RNG)

    def run(seed, shuffle=True):
        return fit(
            LinearRegression(2), mse, X, y, SGD, epochs=3, batch_size=8, shuffle=shuffle,
            seed=seed, lr=0.05,
        ).losses  # fmt: skip

    np.testing.assert_array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))
    np.testing.assert_array_equal(run(np.random.default_rng(3)), run(3))
    np.testing.assert_array_equal(run(0, shuffle=False), run(1, shuffle=False))
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_unshuffled_batches_come_in_order():
    X, y = regression_data(n=10)
    loss = RecordingLoss(mse)
    fit(LinearRegression(2), loss, X, y, SGD, epochs=1, batch_size=4, shuffle=False, lr=0.01)
    np.testing.assert_array_equal(np.concatenate(loss.batches), y)


def test_linear_regression_converges_to_least_squares():
    X, y = regression_data(n=60, d=3, seed=5)
    model = LinearRegression(3)
    history = fit(model, mse, X, y, SGD, epochs=400, lr=0.1, momentum=0.9)
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(model.params[0][:, 0], solution[:3], atol=1e-8)
    np.testing.assert_allclose(model.params[1], solution[3:], atol=1e-8)
    assert not history.diverged and history.stop_reason == "completed 400 epochs (400 steps)"


def test_stochastic_descent_is_noisier_than_batch_descent():
    X, y = regression_data(n=50, seed=6)
    batch = fit(LinearRegression(2), mse, X, y, SGD, epochs=20, lr=0.05)
    stochastic = fit(LinearRegression(2), mse, X, y, SGD, epochs=20, batch_size=1, lr=0.05)
    assert stochastic.steps == 50 * batch.steps
    assert np.all(np.diff(batch.losses) < 0)  # full-batch GD on a convex loss, small lr
    assert np.any(np.diff(stochastic.losses) > 0)


def test_diverging_fit_stops_cleanly():
    X, y = regression_data(n=20)
    model = LinearRegression(2)
    history = fit(model, mse, X, y, SGD, epochs=100, lr=50.0)
    assert history.diverged and history.stop_reason.startswith("diverged after")
    assert history.epochs < 100 and np.isfinite(history.losses).all()
    assert np.isfinite(history.epoch_losses).all()


def test_diverging_fit_without_blowup_bound_stops_at_overflow():
    X, y = regression_data(n=20)
    history = fit(LinearRegression(2), mse, X, y, SGD, epochs=1000, lr=50.0, blowup=np.inf)
    assert history.diverged and "non-finite" in history.stop_reason
    assert np.isfinite(history.losses).all()


def test_callback_sees_each_epoch_and_can_stop():
    X, y = regression_data()
    seen = []

    def callback(epoch, history):
        seen.append((epoch, history.epochs, len(history.epoch_losses), history.steps))
        return epoch == 3

    history = fit(LinearRegression(2), mse, X, y, SGD, epochs=10, batch_size=5, callback=callback)
    assert seen == [(e, e + 1, e + 1, 2 * (e + 1)) for e in range(4)]
    assert history.epochs == 4 and not history.diverged
    assert history.stop_reason == "stopped by the callback after 4 epochs (8 steps)"


def test_history_records_time_and_is_read_only():
    X, y = regression_data()
    history = fit(LinearRegression(2), mse, X, y, SGD, epochs=2, lr=0.01)
    assert history.wall_time > 0
    with pytest.raises(ValueError, match="read-only"):
        history.losses[0] = 1.0


def test_fit_float32_model():
    X, y = regression_data(n=20)
    model = MLP([2, 4, 1], dtype=np.float32)
    history = fit(model, mse, X.astype(np.float32), y, Adam, epochs=5, lr=0.01)
    assert all(p.dtype == np.float32 for p in model.params)
    assert history.epoch_losses[-1] < history.initial_loss


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 2.0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 11}, "at most the number of examples n=10"),
        ({"batch_size": 2.0}, "batch_size"),
        ({"y": np.ones(9)}, r"X has 10 rows"),
        ({"X": np.ones((10, 3))}, "2 feature column"),
        ({"shuffle": "yes"}, "shuffle"),
        ({"seed": 1.5}, "seed"),
        ({"callback": 3}, "callback"),
        ({"optimizer": Adam([np.zeros(2)])}, "optimizer class"),
    ],
)
def test_fit_refuses_bad_arguments(kwargs, message):
    X, y = regression_data()
    arguments = {"X": X, "y": y, "optimizer": SGD, "lr": 0.1}
    arguments.update(kwargs)
    X, y, optimizer = arguments.pop("X"), arguments.pop("y"), arguments.pop("optimizer")
    with pytest.raises(ValueError, match=message):
        fit(LinearRegression(2), mse, X, y, optimizer, **arguments)


def test_docstring_examples_run():
    result = doctest.testmod(optlib.training)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.torch
def test_fit_matches_a_torch_training_loop():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    X = rng.normal(size=(64, 4))
    y = rng.integers(0, 3, 64)
    model = MLP([4, 16, 3], "tanh", "softmax", seed=4)

    net = torch.nn.Sequential(
        torch.nn.Linear(4, 16, dtype=torch.float64),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 3, dtype=torch.float64),
    )
    with torch.no_grad():
        for layer, W, b in ((net[0], *model.params[:2]), (net[2], *model.params[2:])):
            layer.weight.copy_(torch.from_numpy(W.T.copy()))
            layer.bias.copy_(torch.from_numpy(b.copy()))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    torch_losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(Xt), yt)
        torch_losses.append(loss.item())
        loss.backward()
        opt.step()

    loss = SparseCategoricalCrossEntropy(from_logits=True)
    history = fit(model, loss, X, y, SGD, epochs=50, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(history.losses, torch_losses, rtol=1e-10)
    np.testing.assert_allclose(model.params[0], net[0].weight.detach().numpy().T, rtol=1e-10)
    np.testing.assert_allclose(model.params[3], net[2].bias.detach().numpy(), rtol=1e-10)


def test_stop_reasons_count_steps_in_good_english():
    from optlib.training import count

    assert count(1) == "1 step"
    assert count(0) == "0 steps"
    assert count(3, "epoch") == "3 epochs"
