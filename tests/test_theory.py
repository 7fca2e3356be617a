"""Tests for optlib.theory: the noisy least-squares surface and Nesterov's worst quadratic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import SGD, minimize, sweep
from optlib.datasets import load_penguins, standardize
from optlib.theory import MiniBatchLeastSquares, nesterov_worst_quadratic


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.5 * rng.standard_normal(60)
    return X, y


# ---------------------------------------------------------------------------
# MiniBatchLeastSquares
# ---------------------------------------------------------------------------


def test_value_hessian_and_optimum_are_those_of_least_squares(data):
    X, y = data
    problem = MiniBatchLeastSquares(X, y, batch_size=5, seed=0)
    design = np.c_[X, np.ones(len(X))]
    theta = np.array([0.2, -0.1, 0.4, 1.0])
    assert problem(theta) == pytest.approx(np.mean((design @ theta - y) ** 2), rel=1e-12)
    w, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(problem.minima[0], w, rtol=1e-10)
    assert problem.min_value == pytest.approx(np.mean((design @ w - y) ** 2), rel=1e-12)
    np.testing.assert_allclose(problem.hessian, 2 * design.T @ design / len(X), rtol=1e-12)
    assert problem.lipschitz == pytest.approx(np.linalg.eigvalsh(problem.hessian)[-1])
    assert problem.strong_convexity == pytest.approx(np.linalg.eigvalsh(problem.hessian)[0])
    assert problem.condition_number == pytest.approx(problem.lipschitz / problem.strong_convexity)
    assert problem.dim == 4 and problem.n == 60 and problem.batch_size == 5
    assert not problem.hessian.flags.writeable and not problem.minima.flags.writeable


def test_full_grad_is_the_derivative_of_the_value(data):
    X, y = data
    problem = MiniBatchLeastSquares(X, y)
    theta, h = np.array([0.3, 0.1, -0.7, 0.2]), 1e-6
    numeric = [
        (problem(theta + h * e) - problem(theta - h * e)) / (2 * h) for e in np.eye(problem.dim)
    ]
    np.testing.assert_allclose(problem.full_grad(theta), numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(problem.full_grad(problem.minima[0]), 0.0, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7])
def test_mini_batch_gradients_are_unbiased_with_the_stated_variance(data, batch_size):
    X, y = data
    problem = MiniBatchLeastSquares(X, y, batch_size=batch_size, seed=3)
    theta = np.array([0.5, -1.0, 0.0, 0.4])
    draws = problem.grad(np.tile(theta, (60_000, 1)))
    mean, exact = draws.mean(axis=0), problem.full_grad(theta)
    spread = np.sqrt(problem.gradient_variance(theta) / len(draws))
    assert np.linalg.norm(mean - exact) < 5 * spread
    variance = np.mean(np.sum((draws - exact) ** 2, axis=1))
    assert variance == pytest.approx(float(problem.gradient_variance(theta)), rel=0.03)


def test_a_mini_batch_of_one_is_the_gradient_of_one_example(data):
    X, y = data
    problem = MiniBatchLeastSquares(X, y, batch_size=1, seed=0)
    design = np.c_[X, np.ones(len(X))]
    theta = np.array([0.1, 0.2, 0.3, 0.4])
    per_example = 2 * (design @ theta - y)[:, None] * design
    draws = problem.grad(np.tile(theta, (200, 1)))
    # Every draw is exactly one example's gradient.
    distance = np.abs(draws[:, None, :] - per_example[None]).max(axis=2).min(axis=1)
    assert distance.max() < 1e-12


def test_every_run_of_a_sweep_draws_its_own_batches_and_a_seed_repeats_them(data):
    X, y = data
    runs = sweep(MiniBatchLeastSquares(X, y, seed=5), np.zeros(4), SGD, steps=50,
                 lr=np.full((3, 1), 0.01))  # fmt: skip
    assert not np.allclose(runs.xs[-1, 0], runs.xs[-1, 1])  # same settings, other batches
    again = sweep(MiniBatchLeastSquares(X, y, seed=5), np.zeros(4), SGD, steps=50,
                  lr=np.full((3, 1), 0.01))  # fmt: skip
    np.testing.assert_array_equal(runs.xs, again.xs)


def test_the_variance_bound_holds_everywhere_and_is_tight(data):
    X, y = data
    for batch_size in (1, 4):
        problem = MiniBatchLeastSquares(X, y, batch_size=batch_size)
        growth = 30.0 / batch_size
        M = problem.gradient_variance_bound(growth)
        assert math.isfinite(M)
        rng = np.random.default_rng(batch_size)
        thetas = (
            problem.minima[0]
            + rng.standard_normal((5000, 4)) * np.geomspace(1e-3, 1e2, 5000)[:, None]
        )
        grads = problem.full_grad(thetas)
        slack = M + growth * np.sum(grads**2, axis=1) - problem.gradient_variance(thetas)
        assert slack.min() > -1e-9 * M
        # Tight: some point leaves (almost) no slack; a smaller M fails there.
        design = np.c_[X, np.ones(len(X))]
        H = problem.hessian
        B = 2 * design[:, :, None] * design[:, None, :] - H
        a = 2 * (design @ problem.minima[0] - y)[:, None] * design
        c = np.einsum("ikj,ik->j", B, a) / len(X) / batch_size
        S = np.einsum("ikj,ikl->jl", B, B) / len(X) / batch_size
        worst = problem.minima[0] + np.linalg.solve(growth * H @ H - S, c)
        gap = M + growth * np.sum(problem.full_grad(worst) ** 2) - problem.gradient_variance(worst)
        assert abs(gap) < 1e-9 * M
        assert M >= float(problem.gradient_variance(problem.minima[0]))


def test_a_growth_too_small_for_any_bound_gives_inf(data):
    X, y = data
    problem = MiniBatchLeastSquares(X, y)
    assert problem.gradient_variance_bound(0.0) == math.inf
    with pytest.raises(ValueError, match="growth"):
        problem.gradient_variance_bound(-1.0)


def test_noise_floor_of_sgd_scales_with_the_rate_and_the_batch():
    """The measurement the gradient-descent chapter makes, in miniature."""
    penguins = load_penguins()
    X, _, _ = standardize(penguins.measurements[:, :3])
    mass = penguins.column("body_mass_g")
    y = (mass - mass.mean()) / mass.std()
    floors = {}
    for batch_size in (1, 4):
        problem = MiniBatchLeastSquares(X, y, batch_size=batch_size, seed=batch_size)
        lrs = np.repeat([0.02, 0.01], 4)[:, None]
        runs = sweep(problem, problem.minima[0], SGD, steps=1500, lr=lrs)
        excess = (runs.losses[500:] - problem.min_value).mean(axis=0).reshape(2, 4).mean(axis=1)
        floors[batch_size] = excess
    assert 1.6 < floors[1][0] / floors[1][1] < 2.5  # halving α about halves the floor
    assert 3.0 < floors[1][1] / floors[4][1] < 5.5  # four times the batch, about a quarter


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": np.ones(3), "y": np.ones(3)}, "shape"),
        ({"X": np.ones((3, 1)), "y": np.ones(2)}, "one target per row"),
        ({"X": [[0.0], [np.nan]], "y": [1.0, 2.0]}, "X"),
        ({"X": [[0.0], [1.0]], "y": [1.0, 2.0], "batch_size": 3}, "batch_size"),
        ({"X": [[0.0], [1.0]], "y": [1.0, 2.0], "batch_size": True}, "batch_size"),
        ({"X": [[0.0], [1.0]], "y": [1.0, 2.0], "seed": -1}, "seed"),
        ({"X": [[1.0], [1.0]], "y": [1.0, 2.0]}, "not unique"),
    ],
)
def test_mini_batch_least_squares_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MiniBatchLeastSquares(**kwargs)


# ---------------------------------------------------------------------------
# nesterov_worst_quadratic
# ---------------------------------------------------------------------------


def test_worst_quadratic_has_its_curvatures_in_mu_L_and_a_geometric_minimiser():
    f = nesterov_worst_quadratic(400.0, dim=300, mu=0.5)
    assert 0.5 < f.eigenvalues[0] and f.eigenvalues[-1] < 200.0
    q = (20 - 1) / (20 + 1)
    np.testing.assert_allclose(f.center[:50], q ** np.arange(1, 51), rtol=1e-9)
    assert f.min_value == 0.0 and float(f(f.center)) == pytest.approx(0.0, abs=1e-20)


def test_a_gradient_method_reaches_one_new_coordinate_per_step():
    f = nesterov_worst_quadratic(100.0, dim=80)
    run = minimize(f, np.zeros(80), SGD, steps=30, lr=0.01, momentum=0.5)
    for k, x in enumerate(run.xs):
        assert np.abs(x[k:]).max(initial=0.0) < 1e-12  # coordinates k+1, k+2, ... still 0
    q = (10 - 1) / (10 + 1)
    for k, x in enumerate(run.xs):  # so the distance is at least the tail of the minimiser
        assert np.linalg.norm(x - f.center) >= np.linalg.norm(f.center[k:]) * (1 - 1e-12)
        assert np.linalg.norm(f.center[k:]) == pytest.approx(
            q**k * np.linalg.norm(f.center), rel=1e-6
        )


def test_heavy_ball_at_polyaks_pair_meets_the_lower_bound():
    kappa = 100.0
    f = nesterov_worst_quadratic(kappa, dim=200)
    lr, momentum = (
        4 / (np.sqrt(kappa) + 1) ** 2,
        ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2,
    )
    run = minimize(f, np.zeros(200), SGD, steps=60, lr=lr, momentum=momentum)
    distance = np.linalg.norm(run.xs - f.center, axis=1)
    tail = np.array([np.linalg.norm(f.center[k:]) for k in range(61)])
    np.testing.assert_allclose(distance, tail, rtol=1e-8)


@pytest.mark.parametrize(
    ("args", "message"),
    [((1.0, 5), "condition_number"), ((np.inf, 5), "condition_number"), ((10.0, 1), "dim"),
     ((10.0, 3.0), "dim"), ((10.0, 5, 0.0), "mu")],
)  # fmt: skip
def test_worst_quadratic_refuses_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        nesterov_worst_quadratic(*args)
