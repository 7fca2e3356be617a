"""Tests for optlib.experiments: closed forms, finite differences and hand-written loops."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import SGD, Adagrad, Adam, Quadratic, keras
from optlib.experiments import iterates, linear_regression_sweep

# ---------------------------------------------------------------------------
# iterates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_momentum_steps_on_a_steady_and_a_flipping_gradient(rho):
    lr, n = 0.01, 60
    t = np.arange(1, n + 1)
    steady = -np.diff(iterates(SGD, np.ones(n), lr=lr, momentum=rho)[:, 0])
    np.testing.assert_allclose(steady, lr * (1 - rho**t) / (1 - rho), rtol=1e-12)
    flipping = (-1.0) ** np.arange(n)
    steps = -np.diff(iterates(SGD, flipping, lr=lr, momentum=rho)[:, 0])
    # v_t = Σ_k ρ^{t-k} (−1)^{k-1} = (−1)^{t-1} (1 − (−ρ)^t) / (1 + ρ)
    np.testing.assert_allclose(steps, lr * flipping * (1 - (-rho) ** t) / (1 + rho), rtol=1e-12)


def test_adam_after_a_run_of_zeros():
    path = iterates(Adam, [0.0] * 3 + [5.0], lr=0.1)
    # At t = 4 only g₄ = 5 is in the averages: m̂ = 0.1·5/(1 − 0.9⁴), ŝ = 0.001·25/(1 − 0.999⁴).
    m_hat = 0.1 * 5.0 / (1 - 0.9**4)
    s_hat = 0.001 * 25.0 / (1 - 0.999**4)
    assert path[3, 0] == 0.0
    assert path[4, 0] == pytest.approx(-0.1 * m_hat / (np.sqrt(s_hat) + 1e-8), rel=1e-12)


def test_a_schedule_sets_the_hyperparameter_before_each_step():
    rates = [0.1, 0.2, 0.05]
    path = iterates(SGD, [1.0, 1.0, 1.0], 0.0, schedule={"lr": rates})
    np.testing.assert_allclose(-np.diff(path[:, 0]), rates)
    keras_path = iterates(keras.SGD, [1.0, 1.0], 0.0, schedule={"learning_rate": [0.1, 0.2]})
    np.testing.assert_allclose(keras_path[:, 0], [0.0, -0.1, -0.3])


def test_a_gradient_function_is_called_at_each_iterate():
    ravine = Quadratic()
    path = iterates(SGD, ravine.grad, [2.0, 1.0], steps=3, lr=0.05)
    factors = np.array([1 - 0.05 * 1.0, 1 - 0.05 * 10.0])  # gradient descent on diag(1, 10)
    np.testing.assert_allclose(path, [2.0, 1.0] * factors ** np.arange(4)[:, None])


def test_many_runs_at_once_broadcast_a_gradient_per_run():
    sizes = np.array([[1e-3], [1.0]])
    path = iterates(Adagrad, [sizes] * 2, np.zeros((2, 1)), lr=1.0, eps=0.0)
    # Adagrad with a steady gradient: steps 1 and 1/√2, whatever its size.
    np.testing.assert_allclose(-np.diff(path[:, :, 0], axis=0), [[1, 1], [2**-0.5] * 2])


def test_iterates_refuses_what_it_cannot_run():
    with pytest.raises(ValueError, match="steps is needed"):
        iterates(SGD, Quadratic().grad, [1.0, 1.0])
    with pytest.raises(ValueError, match="only cover 2"):
        iterates(SGD, [1.0, 1.0], steps=3)
    with pytest.raises(ValueError, match="does not broadcast"):
        iterates(SGD, [np.ones(3)], np.zeros(2))
    with pytest.raises(ValueError, match="non-negative integer"):
        iterates(SGD, [1.0], steps=-1)


def test_overflow_shows_as_inf_without_a_warning():
    path = iterates(SGD, [1e308, 1e308], lr=10.0)
    assert np.isinf(path[-1, 0])


# ---------------------------------------------------------------------------
# linear_regression_sweep
# ---------------------------------------------------------------------------

RNG = np.random.default_rng(3)
X = (RNG.random((40, 3)) < 0.5).astype(float)
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
BATCHES = [np.arange(i, i + 10) for i in range(0, 40, 10)] * 3


def batch_loss(w, b, batch):
    return np.mean((X[batch] @ w + b - Y[batch]) ** 2)


def test_the_first_step_follows_the_finite_difference_gradient():
    result = linear_regression_sweep(X, Y, BATCHES[:1], SGD, lr=1.0)
    h, batch = 1e-6, BATCHES[0]
    numeric = [
        (batch_loss(h * e, 0.0, batch) - batch_loss(-h * e, 0.0, batch)) / (2 * h)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(result.weights[1, 0], -np.array(numeric), rtol=1e-7)


def test_every_run_is_the_run_it_would_be_alone():
    lrs = np.array([0.01, 0.1, 0.3])
    together = linear_regression_sweep(X, Y, BATCHES, Adagrad, lr=lrs[:, None])
    for k, lr in enumerate(lrs):
        alone = linear_regression_sweep(X, Y, BATCHES, Adagrad, lr=lr)
        np.testing.assert_allclose(together.weights[:, k], alone.weights[:, 0], rtol=1e-13)
        np.testing.assert_allclose(together.state["sum"][:, k], alone.state["sum"][:, 0])


def test_adagrads_sum_is_the_running_sum_of_squared_gradients():
    result = linear_regression_sweep(X, Y, BATCHES, Adagrad, lr=0.1)
    w = result.weights[:-1, 0]  # the weights each step's gradient was taken at
    # The bias is not returned: follow it by hand (Adagrad on b), then the weights' gradients.
    b, sums, expected = 0.0, np.zeros(3), []
    state_b = 0.0
    for t, batch in enumerate(BATCHES):
        r = X[batch] @ w[t] + b - Y[batch]
        g_w, g_b = 2 * r @ X[batch] / len(batch), 2 * r.mean()
        sums = sums + g_w**2
        expected.append(sums)
        state_b += g_b**2
        b -= 0.1 * g_b / (np.sqrt(state_b) + 1e-10)
    np.testing.assert_allclose(result.state["sum"][:, 0], expected, rtol=1e-12)


def test_full_batch_descent_reaches_least_squares():
    result = linear_regression_sweep(X, Y, [np.arange(40)] * 3000, SGD, lr=0.2)
    design = np.c_[X, np.ones(40)]
    solution, *_ = np.linalg.lstsq(design, Y, rcond=None)
    np.testing.assert_allclose(result.weights[-1, 0], solution[:3], atol=1e-8)
    assert result.final_losses[0] < 1e-16


def test_a_diverged_run_has_an_infinite_loss():
    result = linear_regression_sweep(X, Y, BATCHES * 30, SGD, lr=np.array([[0.1], [50.0]]))
    assert np.isfinite(result.final_losses[0]) and result.final_losses[1] == np.inf


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match="X must be 2-D"):
        linear_regression_sweep(X[0], Y, BATCHES, SGD)
    with pytest.raises(ValueError, match="as many rows"):
        linear_regression_sweep(X, Y[:-1], BATCHES, SGD)
    with pytest.raises(ValueError, match="batches"):
        linear_regression_sweep(X, Y, [], SGD)
