"""Tests of optlib.training: closed forms for gradient descent on quadratics,
hand-written loops, np.linalg.lstsq and a PyTorch training loop."""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlib.functions import DoubleWell, Himmelblau, Quadratic, Rosenbrock, Saddle
from optlib.losses import (
    BinaryCrossEntropy,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
    bce,
    cce,
    sparse_cce,
)
from optlib.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression
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
    ],
)
def test_fit_refuses_bad_arguments(kwargs, message):
    X, y = regression_data()
    arguments = {"X": X, "y": y, "optimizer": SGD, "lr": 0.1}
    arguments.update(kwargs)
    X, y, optimizer = arguments.pop("X"), arguments.pop("y"), arguments.pop("optimizer")
    with pytest.raises(ValueError, match=message):
        fit(LinearRegression(2), mse, X, y, optimizer, **arguments)


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


# ===================================================================== issue 11
# Bad and edge inputs: every one is refused before anything changes (the model's
# parameters, x0, X and y are compared exactly with copies taken before the call),
# or, where there is a right answer, gives it.


def params_of(model):
    return [p.copy() for p in model.params]


def assert_same_params(model, before):
    assert len(model.params) == len(before)
    for p, q in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(p, q)


def matrix(values):
    """An np.matrix, whose creation NumPy warns about (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(values)


def keras_message(optimizer, **kwargs):
    """What the optimizer class itself says about a keyword argument."""
    with pytest.raises((TypeError, ValueError)) as info:
        optimizer([np.zeros(2)], **kwargs)
    return type(info.value), str(info.value)


# ------------------------------------------------------ minimize, sweep: kinds
@pytest.mark.parametrize("run", ["minimize", "sweep", "record_state"])
def test_a_surface_class_instead_of_an_instance_says_what_to_write(run):
    call = {"minimize": minimize, "sweep": sweep, "record_state": optlib_record_state()}[run]
    x0 = np.array([-1.5, 2.0])
    with pytest.raises(TypeError) as info:
        call(Rosenbrock, x0, Adam, steps=3, lr=0.1)
    message = str(info.value)
    assert "fn must be a surface instance such as Rosenbrock()" in message
    assert "got the class Rosenbrock; write Rosenbrock()" in message
    assert "a must be a real number" not in message
    np.testing.assert_array_equal(x0, [-1.5, 2.0])


def optlib_record_state():
    from optlib.training import record_state

    return record_state


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        (SGD([np.zeros(2)], lr=0.1, momentum=0.9), r"minimize\(fn, x0, SGD, lr=0.1, momentum=0.9"),
        (Adam([np.zeros(2)]), r"pass the class and its hyper-parameters.*Adam, lr=\.\.\."),
        ("adam", r"not the string 'adam': write minimize\(fn, x0, Adam"),
        ("nadamax", r"not the string 'nadamax': pass a class such as SGD"),
        (Rosenbrock, "got the class Rosenbrock, which has no step method"),
        (MeanSquaredError, "got the class MeanSquaredError, which has no step method"),
        (3.0, "optimizer must be an optimizer class such as SGD or Adam, got 3.0"),
        (None, "got None"),
    ],
    ids=[
        "sgd-instance",
        "adam-instance",
        "string",
        "unknown-string",
        "surface",
        "loss",
        "number",
        "none",
    ],
)
def test_minimize_refuses_what_is_not_an_optimizer_class(optimizer, message):
    x0 = np.array([0.5, 0.5])
    with pytest.raises(TypeError, match=message):
        minimize(Rosenbrock(), x0, optimizer, steps=3)
    with pytest.raises(TypeError, match="optimizer"):
        sweep(Rosenbrock(), x0, optimizer, steps=3)
    np.testing.assert_array_equal(x0, [0.5, 0.5])


@pytest.mark.parametrize("fn", [lambda x: x, 3.0, "Rosenbrock", None, np.zeros(2)], ids=repr)
def test_minimize_refuses_what_is_not_a_surface(fn):
    with pytest.raises(
        TypeError, match=r"fn must be a surface: callable as fn\(x\), with a \.grad"
    ):
        minimize(fn, [0.0, 0.0], SGD, lr=0.1)


@pytest.mark.parametrize(
    ("x0", "error", "message"),
    [
        (np.array(1.0), ValueError, r"x0 must be one point of shape \(2,\), got shape \(\)"),
        (np.zeros((1, 2)), ValueError, r"shape \(1, 2\).*sweep"),
        ([1.0], ValueError, r"shape \(2,\), got shape \(1,\)"),
        ([], ValueError, r"got shape \(0,\)"),
        ("ab", ValueError, r"x0 must be an array of numbers, got dtype <U2"),
        ([1.0, "a"], ValueError, "x0 must be an array of numbers"),
        ([1.0, 1j], ValueError, "x0 must be real"),
        ([[1.0], [1.0, 2.0]], ValueError, "x0 must be an array of numbers"),
        ([np.inf, 0.0], ValueError, "x0 contains 1 non-finite"),
        ("matrix", TypeError, r"x0 is a numpy.matrix.*np.asarray\(x0\)"),
        ("masked", TypeError, r"x0 is a masked array.*x0.filled"),
        ("masked-nothing-masked", TypeError, "x0 is a masked array"),
    ],
)
def test_minimize_refuses_a_bad_x0(x0, error, message):
    if isinstance(x0, str) and x0 == "matrix":
        x0 = matrix([[0.5, 0.5]])
    elif isinstance(x0, str) and x0.startswith("masked"):
        x0 = np.ma.masked_array([0.5, 0.5], mask=[False, x0 == "masked"])
    with pytest.raises(error, match=message):
        minimize(Rosenbrock(), x0, SGD, lr=0.1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "steps must be an integer >= 0, got -1"),
        (2.5, "steps must be an integer, got 2.5"),
        (1e3, r"got 1000.0; write steps=1000"),
        (np.float64(10), r"write steps=10"),
        (True, "steps must be an integer, got True"),
        ("100", "steps must be an integer, got '100'"),
        (None, "steps must be an integer, got None"),
        (np.nan, "steps must be an integer, got nan"),
    ],
)
def test_bad_steps_are_refused(value, message):
    for run in (minimize, sweep):
        with pytest.raises(ValueError, match=re.escape(message).replace(r"\.\*", ".*")):
            run(Rosenbrock(), [0.0, 0.0], SGD, steps=value, lr=0.1)


def test_a_1d_surface_takes_a_scalar_x0_and_a_0d_array():
    for x0 in (1.5, np.array(1.5), [1.5]):
        traj = minimize(DoubleWell(), x0, SGD, steps=2, lr=0.01)
        # f'(x) = 4x^3 - 4x + t, one step of gradient descent by hand
        expected = 1.5 - 0.01 * (4 * 1.5**3 - 4 * 1.5 + 0.3)
        assert traj.xs.shape == (3, 1) and traj.xs[1, 0] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("name", "own"),
    [("step", "steps"), ("x_0", "x0"), ("blow_up", "blowup")],
)
def test_a_misspelt_argument_of_minimize_is_named(name, own):
    x0 = np.array([0.5, 0.5])
    with pytest.raises(
        TypeError, match=rf"unexpected keyword argument '{name}'; did you mean {own}="
    ):
        minimize(Rosenbrock(), x0, SGD, lr=0.1, **{name: 10})
    np.testing.assert_array_equal(x0, [0.5, 0.5])


def test_a_misspelt_argument_of_sweep_is_named():
    with pytest.raises(TypeError, match="did you mean steps="):
        sweep(Rosenbrock(), [0.5, 0.5], SGD, lr=0.1, step=10)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("learning_rate", 0.1),
        ("beta_1", 0.9),
        ("epsilon", 1e-7),
        ("learning_rate", np.array([0.1, 0.2])),  # a sweep-shaped value: the name comes first
        ("learning_rate", np.array([[0.1], [0.2]])),
    ],
)
def test_keras_names_get_the_optimizers_own_message(name, value):
    """minimize, sweep and fit let the optimizer's message through, unchanged."""
    error, expected = keras_message(Adam, **{name: value})
    x0 = np.array([0.5, 0.5])
    if np.ndim(value) == 0:
        with pytest.raises(error) as info:
            minimize(Rosenbrock(), x0, Adam, steps=3, **{name: value})
        assert str(info.value) == expected
    with pytest.raises(error) as info:
        sweep(Rosenbrock(), x0, Adam, steps=3, **{name: value})
    assert str(info.value) == expected and name in expected
    assert "has shape" not in str(info.value)
    np.testing.assert_array_equal(x0, [0.5, 0.5])


@pytest.mark.parametrize(
    ("x0", "lr"), [(np.zeros((0, 2)), 0.1), ([0.5, 0.5], np.zeros((0, 1)))], ids=["x0", "lr"]
)
def test_sweep_refuses_an_empty_set_of_runs(x0, lr):
    with pytest.raises(ValueError, match=r"give no runs at all \(run shape \(0,\)\)"):
        sweep(Rosenbrock(), x0, SGD, steps=3, lr=lr)


@pytest.mark.parametrize("kind", ["matrix", "masked"])
def test_sweep_refuses_matrix_and_masked_hyperparameters(kind):
    lrs = np.array([[0.01], [0.02]])
    value = matrix(lrs) if kind == "matrix" else np.ma.masked_array(lrs, mask=[[False], [True]])
    with pytest.raises(
        TypeError, match=rf"lr is a {'numpy.matrix' if kind == 'matrix' else 'masked'}"
    ):
        sweep(Rosenbrock(), [0.5, 0.5], SGD, steps=3, lr=value)
    with pytest.raises(TypeError, match=r"betas\[0\] is a"):
        sweep(Rosenbrock(), [0.5, 0.5], Adam, steps=3, betas=(value, 0.999))


def test_minimize_and_sweep_never_modify_x0():
    for dtype in (np.float32, np.float64):
        x0 = np.array([-1.5, 2.0], dtype=dtype)
        minimize(Rosenbrock(), x0, Adam, steps=20, lr=0.1)
        minimize(Rosenbrock(), x0, SGD, steps=20, lr=10.0)  # diverges
        sweep(Rosenbrock(), x0, SGD, steps=20, lr=np.array([[0.001], [10.0]]))
        starts = np.array([[-1.5, 2.0], [1.0, 1.0]], dtype=dtype)
        sweep(Rosenbrock(), starts, Adam, steps=20, lr=0.1)
        np.testing.assert_array_equal(x0, np.array([-1.5, 2.0], dtype=dtype))
        np.testing.assert_array_equal(starts, np.array([[-1.5, 2.0], [1.0, 1.0]], dtype=dtype))
        with pytest.raises(ValueError):
            minimize(Rosenbrock(), x0, SGD, steps=20, lr=-1.0)
        np.testing.assert_array_equal(x0, np.array([-1.5, 2.0], dtype=dtype))


# ------------------------------------------------------------- surfaces as arguments
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Rosenbrock([0.0, 1.0]), r"a must be a real number.*Rosenbrock\(\)\(x\)"),
        (lambda: Quadratic([1.0, 2.0]), r"A must be a square.*Quadratic\(\)\(x\)"),
        (lambda: DoubleWell(np.array([0.5])), r"tilt must be a real number.*DoubleWell\(\)\(x\)"),
    ],
)
def test_a_point_given_to_the_surface_class_says_to_build_it_first(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("kind", ["matrix", "masked"])
def test_surfaces_refuse_matrices_and_masked_points(kind):
    x = matrix([[0.5, 0.5]]) if kind == "matrix" else np.ma.masked_array([0.5, 0.5], [0, 1])
    for f in (Rosenbrock(), Quadratic(), Himmelblau()):
        with pytest.raises(TypeError, match=r"x is a (numpy.matrix|masked array)"):
            f(x)
        with pytest.raises(TypeError, match=r"x is a (numpy.matrix|masked array)"):
            f.grad(x)


# ------------------------------------------------------------------ fit: kinds
def fit_setting():
    X, y = regression_data(n=12, d=2, seed=3)
    model = MLP([2, 3, 1], seed=1)
    return model, X, y


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": {}}, r"model must be an optlib model.*params, forward\(X\) and loss_and_grads"),
        ({"model": None}, "model must be an optlib model"),
        ({"model": LinearRegression}, r"got the class LinearRegression; build it first, e\.g\."),
        ({"model": MLP}, r"got the class MLP.*MLP\(\[n_features, 16, 1\]\)"),
        ({"loss": MeanSquaredError}, r"got the class MeanSquaredError; pass an instance such as"),
        ({"loss": "mse"}, r"not the string 'mse': write loss=mse"),
        ({"loss": "binary_crossentropy"}, r"write loss=bce"),
        ({"loss": "hinge"}, r"pass one of mse, mae, huber, bce, cce, sparse_cce"),
        ({"loss": lambda p, t: 0.0}, r"have a \.grad method"),
        ({"loss": "X-first"}, r"fit\(model, loss, X, y, optimizer\)"),
        ({"optimizer": Adam([np.zeros(2)], lr=0.01)}, r"fit\(model, loss, X, y, Adam, lr=0.01"),
        ({"optimizer": "sgd"}, r"write fit\(model, loss, X, y, SGD"),
        ({"optimizer": LinearRegression}, "has no step method"),
        ({"callback": 3}, r"callback must be callable as callback\(epoch, history\), or None"),
        ({"callback": lambda epoch: None}, r"callback must accept \(epoch, history\)"),
        ({"callback": lambda a, b, c, d: None}, r"has the signature \(a, b, c, d\)"),
        (
            {"epoch": 3},
            r"fit\(\) got an unexpected keyword argument 'epoch'; did you mean epochs=",
        ),
        ({"batchsize": 4}, "did you mean batch_size="),
        ({"callbacks": None}, "did you mean callback="),
        ({"shufle": False}, "did you mean shuffle="),
        ({"X": "matrix"}, r"X is a numpy.matrix.*np.asarray\(X\)"),
        ({"X": "masked"}, r"X is a masked array"),
        ({"y": "matrix"}, r"y is a numpy.matrix"),
        ({"y": "masked"}, r"y is a masked array.*y.filled"),
        ({"y": None}, "y must be an array of targets, one per example"),
    ],
)
def test_fit_refuses_wrong_kinds_before_touching_the_model(change, message):
    model, X, y = fit_setting()
    before, X0, y0 = params_of(model), X.copy(), y.copy()
    arguments = {"model": model, "loss": mse, "X": X, "y": y, "optimizer": SGD, "lr": 0.1}
    arguments.update(change)
    if arguments["loss"] == "X-first":  # Keras's order: fit(model, X, y, loss, ...)
        arguments["loss"], arguments["X"], arguments["y"] = X, y, mse
    for name in ("X", "y"):
        if isinstance(arguments[name], str):
            source = X if name == "X" else y
            arguments[name] = (
                matrix(source) if arguments[name] == "matrix" else np.ma.masked_array(source)
            )
    with pytest.raises(TypeError, match=message):
        fit(**{k: arguments.pop(k) for k in ("model", "loss", "X", "y", "optimizer")}, **arguments)
    assert_same_params(model, before)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": -1}, "epochs must be an integer >= 1, got -1"),
        ({"epochs": 5.0}, r"epochs must be an integer, got 5.0; write epochs=5"),
        ({"epochs": True}, "epochs must be an integer, got True"),
        ({"epochs": "3"}, "epochs must be an integer, got '3'"),
        ({"batch_size": -2}, "batch_size must be an integer >= 1, got -2"),
        ({"batch_size": 4.0}, r"write batch_size=4"),
        ({"batch_size": 2.5}, "batch_size must be an integer, got 2.5"),
        ({"batch_size": True}, "batch_size must be an integer, got True"),
        ({"batch_size": 13}, r"at most the number of examples n=12, got 13; batch_size=None"),
        ({"seed": -1}, r"seed must be a non-negative int \(numpy's default_rng refuses"),
        ({"seed": None}, r"got None; for fresh randomness pass np.random.default_rng\(\)"),
        ({"seed": True}, "seed must be a non-negative int or a numpy Generator, got True"),
        ({"seed": "0"}, "got '0'"),
        ({"shuffle": 1}, "shuffle must be True or False, got 1"),
        ({"blowup": -1.0}, "blowup must be a positive number, got -1.0"),
        ({"blowup": np.nan}, "blowup must be a positive number, got nan"),
        ({"lr": -0.1}, "learning rate"),
        ({"momentum": -0.5}, "momentum"),
        ({"X": np.ones((12, 3))}, r"2 feature column\(s\) for this MLP, got shape \(12, 3\)"),
        ({"X": np.ones(12)}, r"X must be 2-D \(n_samples, 2 features\), got shape \(12,\)"),
        ({"X": np.ones(2)}, r"for a single example write X\[None, :\]"),
        ({"X": np.array(1.0)}, r"X must be 2-D .*got shape \(\)"),
        ({"X": np.ones((0, 2)), "y": np.ones(0)}, r"X is empty \(shape \(0, 2\)\)"),
        ({"X": np.full((12, 2), np.inf)}, "X contains 24 non-finite"),
        ({"X": [["a", "b"]] * 12}, "X must be an array of numbers"),
        ({"y": np.ones(11)}, r"X has 12 rows, y has shape \(11,\)"),
        ({"y": np.array(1.0)}, r"y has shape \(\)"),
        ({"y": np.ones((12, 1))}, r"output \(12,\).*got y of shape \(12, 1\); write y.ravel\(\)"),
        ({"y": np.full(12, np.nan)}, "y contains 12 non-finite"),  # y, not the loss's y_true
        ({"y": np.array(list("abcdefghijkl"))}, r"y must hold numbers .* got dtype <U1"),
    ],
)
def test_fit_refuses_bad_values_before_touching_the_model(change, message):
    model, X, y = fit_setting()
    before, X0, y0 = params_of(model), X.copy(), y.copy()
    arguments = {"X": X, "y": y, "optimizer": SGD, "lr": 0.1, "batch_size": 4}
    arguments.update(change)
    X_arg, y_arg, optimizer = arguments.pop("X"), arguments.pop("y"), arguments.pop("optimizer")
    with pytest.raises(ValueError, match=message):
        fit(model, mse, X_arg, y_arg, optimizer, **arguments)
    assert_same_params(model, before)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("name", ["learning_rate", "beta_1", "epsilon", "decay"])
def test_fit_lets_the_optimizers_own_message_through(name):
    model, X, y = fit_setting()
    before = params_of(model)
    error, expected = keras_message(Adam, **{name: 0.1})
    with pytest.raises(error) as info:
        fit(model, mse, X, y, Adam, epochs=2, **{name: 0.1})
    assert str(info.value) == expected and name in expected
    assert_same_params(model, before)


def test_fit_validates_the_targets_against_the_loss_before_any_step():
    model = SoftmaxRegression(2, 3)
    X = np.random.default_rng(0).normal(size=(9, 2))
    before = params_of(model)
    with pytest.raises(ValueError, match=r"y_true holds label 3 outside \[0, 3\)"):
        fit(model, sparse_cce, X, np.array([0, 1, 2] * 2 + [3, 0, 1]), SGD, batch_size=3)
    with pytest.raises(ValueError, match=r"for integer class labels use sparse_cce"):
        fit(model, cce, X, np.array([0, 1, 2] * 3), SGD)
    logistic = LogisticRegression(2)
    with pytest.raises(ValueError, match=r"got the values 1, 2.*\(y == b\)\.astype\(float\)"):
        fit(logistic, bce, X, np.array([1, 2, 1] * 3), SGD)
    assert_same_params(model, before)
    assert all((p == 0).all() for p in logistic.params)


def test_fit_never_modifies_X_and_y():
    for dtype in (np.float32, np.float64):
        X, y = regression_data(n=12)
        X, y = X.astype(dtype), y.astype(dtype)
        X0, y0 = X.copy(), y.copy()
        fit(MLP([2, 3, 1], dtype=dtype), mse, X, y, Adam, epochs=3, batch_size=5, lr=0.1)
        fit(LinearRegression(2, dtype=dtype), mse, X, y, SGD, epochs=5, lr=100.0)  # diverges
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(y, y0)


# ------------------------------------------------------------- fit: the callback
@pytest.mark.parametrize(
    "stop",
    [True, np.True_, np.bool_(True), 1, np.float64(0.5), "yes", [0], np.array([True])],
    ids=repr,
)
def test_any_truthy_callback_result_stops(stop):
    X, y = regression_data()
    history = fit(LinearRegression(2), mse, X, y, SGD, epochs=10, callback=lambda e, h: stop)
    assert history.epochs == 1 and history.stop_reason.startswith("stopped by the callback")


@pytest.mark.parametrize("go_on", [None, False, np.False_, 0, 0.0, "", []], ids=repr)
def test_falsy_callback_results_go_on(go_on):
    X, y = regression_data()
    history = fit(LinearRegression(2), mse, X, y, SGD, epochs=4, callback=lambda e, h: go_on)
    assert history.epochs == 4 and history.stop_reason == "completed 4 epochs (4 steps)"


def test_a_tolerance_callback_stops_at_the_first_epoch_below_it():
    """``h.epoch_losses[-1] < tol`` is a np.True_, which used to be ignored."""
    X, y = regression_data(n=30)
    full = fit(LinearRegression(2), mse, X, y, SGD, epochs=200, lr=0.1)
    tol = 0.05
    first = int(np.argmax(full.epoch_losses < tol))  # the loop below is deterministic
    assert full.epoch_losses[first] < tol <= full.epoch_losses[first - 1]
    history = fit(
        LinearRegression(2), mse, X, y, SGD, epochs=200, lr=0.1,
        callback=lambda epoch, h: h.epoch_losses[-1] < tol,
    )  # fmt: skip
    assert history.epochs == first + 1
    np.testing.assert_array_equal(history.epoch_losses, full.epoch_losses[: first + 1])


def test_a_callback_with_no_single_truth_value_raises_and_changes_nothing():
    X, y = regression_data(n=20)
    model = MLP([2, 3, 1], seed=0)
    before = params_of(model)
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    with pytest.raises(TypeError, match=r"no single truth value \(ndarray\); return True"):
        fit(model, mse, X, y, SGD, epochs=5, batch_size=4, seed=rng, lr=0.1,
            callback=lambda e, h: h.losses)  # fmt: skip
    assert_same_params(model, before)
    assert rng.bit_generator.state == state


def test_a_raising_callback_leaves_the_model_and_the_generator_as_they_were():
    X, y = regression_data(n=20)
    model = MLP([2, 3, 1], seed=0)
    before = params_of(model)
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state

    def callback(epoch, history):
        if epoch == 2:
            raise RuntimeError("the reader's plot failed")

    with pytest.raises(RuntimeError, match="the reader's plot failed"):
        fit(model, mse, X, y, Adam, epochs=5, batch_size=4, seed=rng, callback=callback, lr=0.1)
    assert_same_params(model, before)
    assert rng.bit_generator.state == state
    # and the same call without the failure trains from the same start
    again = fit(model, mse, X, y, Adam, epochs=5, batch_size=4, seed=rng, lr=0.1)
    assert again.epochs == 5


def least_squares_gd(X, y, lrs):
    """Batch gradient descent on mean squared error for y ~ X w + b, written out."""
    w, b = np.zeros(X.shape[1]), 0.0
    for lr in lrs:
        r = X @ w + b - y
        w, b = w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean()
    return w, b


@pytest.mark.parametrize("style", ["positional", "keyword", "keyword-only", "kwargs"])
def test_the_callback_can_see_and_change_the_optimizer(style):
    X, y = regression_data(n=25, seed=8)
    model = LinearRegression(2)
    seen = []

    def schedule(epoch, optimizer):
        seen.append(optimizer)
        optimizer.lr = 0.2 / (1 + epoch)  # used from the next epoch's step on

    callbacks = {
        "positional": lambda epoch, history, opt: schedule(epoch, opt),
        "keyword": lambda epoch, history, optimizer=None: schedule(epoch, optimizer),
        "keyword-only": lambda epoch, history, *, optimizer: schedule(epoch, optimizer),
        "kwargs": lambda epoch, history, **kw: schedule(epoch, kw["optimizer"]),
    }
    fit(model, mse, X, y, SGD, epochs=6, callback=callbacks[style], lr=0.2)
    assert all(opt is seen[0] for opt in seen) and isinstance(seen[0], SGD)
    assert seen[0].params[0] is model.params[0]
    w, b = least_squares_gd(X, y, [0.2] + [0.2 / (1 + e) for e in range(5)])
    np.testing.assert_allclose(model.params[0][:, 0], w, rtol=1e-12)
    np.testing.assert_allclose(model.params[1], [b], rtol=1e-12)


def test_a_two_argument_callback_with_an_optional_third_gets_two():
    X, y = regression_data()
    calls = []
    fit(LinearRegression(2), mse, X, y, SGD, epochs=2,
        callback=lambda epoch, history, extra="unset": calls.append(extra))  # fmt: skip
    assert calls == ["unset", "unset"]


# ---------------------------------------------------------- fit: divergence
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_overflowing_logits_are_reported_as_divergence(dtype):
    """The ValueError the loss used to raise mid-training is now a clean stop."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2)).astype(dtype)
    y = (X[:, 0] > 0).astype(dtype)
    model = LogisticRegression(2, dtype=dtype)
    before = params_of(model)
    loss = BinaryCrossEntropy(from_logits=True)
    big = np.sqrt(np.finfo(dtype).max)  # X * big is finite; a step of lr * grad ~ big**2 is not
    history = fit(model, loss, X * big, y, SGD, epochs=10, lr=float(big), blowup=np.inf)
    assert history.diverged and history.epochs == 0
    assert "non-finite" in history.stop_reason
    assert history.stop_reason.endswith("the parameters are back where they were before training")
    assert_same_params(model, before)
    assert np.isfinite(history.losses).all()


def test_an_mlp_whose_activations_overflow_stops_and_stays_finite():
    X, y = regression_data(n=20)
    model = MLP([2, 16, 1], activation="relu", seed=0)
    history = fit(model, mse, X * 1e150, y, SGD, epochs=5, batch_size=5, lr=1e10)
    assert history.diverged
    assert all(np.isfinite(p).all() for p in model.params)
    assert np.isfinite(model.forward(X)).all()


def test_a_diverged_fit_leaves_the_model_at_its_last_completed_epoch():
    """Batch gradient descent with lr above 2/L on least squares: the error grows by
    |1 - lr L| each step. The model must end where the last recorded epoch was, which a
    hand-written loop of the same number of steps reproduces."""
    X, y = regression_data(n=40, d=2, seed=11)
    design = np.column_stack([X, np.ones(len(X))])
    L = 2 * np.linalg.eigvalsh(design.T @ design / len(X)).max()  # the Hessian's top eigenvalue
    lr = 1.5 * 2 / L
    model = LinearRegression(2)
    history = fit(model, mse, X, y, SGD, epochs=500, lr=lr, blowup=1e6)
    assert history.diverged and 0 < history.epochs < 500
    assert "exceeded the blowup bound" in history.stop_reason
    assert f"after epoch {history.epochs}" in history.stop_reason
    w, b = least_squares_gd(X, y, [lr] * history.epochs)
    np.testing.assert_allclose(model.params[0][:, 0], w, rtol=1e-9)
    np.testing.assert_allclose(model.params[1], [b], rtol=1e-9)
    residual = X @ w + b - y
    assert model.evaluate(X, y, mse) == pytest.approx(np.mean(residual**2), rel=1e-9)
    assert model.evaluate(X, y, mse) == history.epoch_losses[-1]


def test_a_divergence_inside_an_epoch_undoes_that_epoch_only():
    X, y = regression_data(n=40, seed=12)
    diverging = LinearRegression(2)
    history = fit(diverging, mse, X, y, SGD, epochs=100, batch_size=8, lr=1.0, blowup=1e4)
    assert history.diverged and history.epochs >= 1
    assert history.steps > history.epochs * history.steps_per_epoch  # steps into the next epoch
    # the same run stopped after its completed epochs: same seed, same shuffles, same steps
    reference = LinearRegression(2)
    fit(reference, mse, X, y, SGD, epochs=history.epochs, batch_size=8, lr=1.0, blowup=1e4)
    assert_same_params(diverging, params_of(reference))


# -------------------------------- second adversarial pass: the reader's own surfaces
class _Bowl:
    """x² + 3y² written as a reader would, returning its gradient as a Python list."""

    dim = 2

    def __call__(self, x):
        return float(x[0] ** 2 + 3 * x[1] ** 2)

    def grad(self, x):
        return [2 * x[0], 6 * x[1]]


def _surface(value, grad):
    """A surface of the reader's own: an object with ``__call__`` and ``grad``."""
    methods = {"__call__": lambda self, x: value(x), "grad": lambda self, x: grad(x)}
    return type("Mine", (), methods)()


def test_a_surface_of_ones_own_may_return_its_gradient_as_a_list():
    # This used to fail with AttributeError: 'list' object has no attribute 'ravel'.
    A = np.diag([2.0, 6.0])
    traj = minimize(_Bowl(), [1.0, 1.0], SGD, steps=5, lr=0.1)
    expected = np.array([gd_closed_form(A, np.zeros(2), np.ones(2), 0.1, k) for k in range(6)])
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-14)
    tupled = _surface(lambda x: float(x @ x), lambda x: tuple(2 * x))
    np.testing.assert_allclose(
        minimize(tupled, [1.0, -1.0], SGD, steps=3, lr=0.1).xs[-1], [0.8**3, -(0.8**3)]
    )


@pytest.mark.parametrize(
    "value, grad, error, message",
    [
        (lambda x: x**2, lambda x: 2 * x, ValueError, "fn(x0) must return the value at x0, "
         "a single number, got shape (2,)"),
        (lambda x: None, lambda x: 2 * x, TypeError, "fn(x0) must return the value at x0, a "
         "single number, got None (is a `return` missing?)"),
        (lambda x: complex(x @ x), lambda x: 2 * x, TypeError, "fn(x0) must return real numbers"),
        (lambda x: "1.0", lambda x: 2 * x, TypeError, "got '1.0' (dtype <U3)"),
        (lambda x: float(x @ x), lambda x: None, TypeError, "fn.grad(x0) must return an array "
         "of shape (2,), got None"),
        (lambda x: float(x @ x), lambda x: np.ones(3), ValueError, "fn.grad(x0) must return an "
         "array of shape (2,), got shape (3,)"),
        (lambda x: float(x @ x), lambda x: ["a", "b"], TypeError, "fn.grad(x0) must return real"),
    ],
)  # fmt: skip
def test_what_a_surface_of_ones_own_returns_is_checked_at_x0(value, grad, error, message):
    x0 = np.array([1.0, 2.0])
    with pytest.raises(error) as info:
        minimize(_surface(value, grad), x0, SGD, steps=3, lr=0.1)
    assert message in str(info.value)
    np.testing.assert_array_equal(x0, [1.0, 2.0])


def test_a_one_element_value_gets_a_hint():
    with pytest.raises(ValueError, match=r"got shape \(1,\); write float\(value\) or value\[0\]"):
        minimize(_surface(lambda x: x**2, lambda x: 2 * x), [1.0], SGD, steps=3, lr=0.1)


def test_sweep_refuses_a_surface_that_does_not_evaluate_over_the_last_axis():
    # A sum over everything gives one total for all runs: it used to be accepted, and
    # every run was judged (diverged or not) by the total.
    summed = _surface(lambda x: float(np.sum(x**2)), lambda x: 2 * x)
    with pytest.raises(ValueError, match=r"fn\(x\) must return one value per run, shape \(3,\)"):
        sweep(summed, np.ones((3, 2)), SGD, steps=5, lr=0.1)
    # ... and an error raised inside a surface written for one point says why
    with pytest.raises(TypeError) as info:
        sweep(_Bowl(), [1.0, 1.0], SGD, steps=5, lr=np.array([[0.1], [0.2]]))
    assert "sweep evaluates fn on every run at once" in " ".join(info.value.__notes__)


def test_sweep_takes_a_batched_surface_of_ones_own():
    batched = _surface(lambda x: np.sum(x**2, axis=-1), lambda x: 2 * x)
    result = sweep(batched, np.ones(2), SGD, steps=2, lr=np.array([[0.1], [0.2], [0.3]]))
    np.testing.assert_allclose(result.final_xs[:, 0], [0.8**2, 0.6**2, 0.4**2], rtol=1e-15)


# ------------------------------------- second adversarial pass: the reader's own losses
def _loss(value, grad):
    """A loss of the reader's own: an object with ``__call__`` and ``grad``."""
    methods = {"__call__": lambda s, p, y: value(p, y), "grad": lambda s, p, y: grad(p, y)}
    return type("MyLoss", (), methods)()


@pytest.mark.parametrize(
    "value, grad, error, message",
    [
        (lambda p, y: np.mean((p - y) ** 2), lambda p, y: np.ones(3), ValueError,
         "loss.grad(y_pred, y_true) must return an array shaped like y_pred (12,); "),
        (lambda p, y: np.mean((p - y) ** 2), lambda p, y: None, TypeError,
         ".grad returned None"),
        (lambda p, y: 1.0, lambda p, y: np.array(["a"] * len(p)), TypeError,
         "loss.grad(y_pred, y_true) must return an array of numbers"),
        (lambda p, y: (p - y) ** 2, lambda p, y: 2 * (p - y), TypeError,
         "the loss must return a single number, the mean loss"),
    ],
)  # fmt: skip
def test_what_a_loss_of_ones_own_returns_is_checked(value, grad, error, message):
    # These used to fail inside NumPy ("cannot reshape array of size 3 into shape (12,1)").
    model = LinearRegression(1)
    X, y = np.linspace(-1, 1, 12)[:, None], np.linspace(0, 2, 12)
    with pytest.raises(error) as info:
        fit(model, _loss(value, grad), X, y, SGD, epochs=2, lr=0.1)
    assert message in str(info.value)
    assert all(not p.any() for p in model.params)  # unchanged: still zero


def test_a_loss_of_ones_own_trains_like_optlibs():
    mine = _loss(lambda p, y: np.mean((p - y) ** 2), lambda p, y: 2 * (p - y) / p.size)
    X, y = np.linspace(-1, 1, 12)[:, None], np.linspace(0, 2, 12)
    ours, theirs = LinearRegression(1), LinearRegression(1)
    fit(ours, mine, X, y, SGD, epochs=5, lr=0.1)
    fit(theirs, mse, X, y, SGD, epochs=5, lr=0.1)
    for a, b in zip(ours.params, theirs.params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_fit_names_params_replaced_by_arrays_of_another_shape():
    model = LinearRegression(1)
    model.params[0] = np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"params\[0\] of this LinearRegression must have shape"):
        fit(model, mse, np.ones((4, 1)), np.ones(4), SGD)
