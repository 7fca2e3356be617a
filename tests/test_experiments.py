"""Tests for optlib.experiments: closed forms, finite differences and hand-written loops."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import (
    MLP,
    SGD,
    Adafactor,
    Adagrad,
    Adam,
    LinearRegression,
    Quadratic,
    SparseCategoricalCrossEntropy,
    fit,
    keras,
    mse,
)
from optlib.experiments import (
    RangeTest,
    iterates,
    linear_regression_sweep,
    lr_range_test,
    network_sweep,
)
from optlib.tuning import Split

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


# ---------------------------------------------------------------------------
# lr_range_test
# ---------------------------------------------------------------------------

LINE_X = np.linspace(-1.0, 1.0, 32)[:, None]
LINE_Y = 3.0 * LINE_X[:, 0] - 0.5


def _by_hand(start, end, n_steps, s, c):
    """Full-batch gradient descent on J(w, b) = mean((w x + b − y)²), the rate raised
    geometrically, the losses smoothed and the stop rule applied: all written out."""
    x, y = LINE_X[:, 0], LINE_Y
    w = b = 0.0
    lrs, losses, smoothed = [], [], []
    for t in range(n_steps):
        lr = start * (end / start) ** (t / (n_steps - 1))
        r = w * x + b - y
        losses.append(np.mean(r**2))
        lrs.append(lr)
        # the moving average as a weighted sum, bias-corrected
        weights = s * (1 - s) ** np.arange(t, -1, -1)
        smoothed.append(weights @ np.array(losses) / (1 - (1 - s) ** (t + 1)))
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
        if smoothed[-1] > c * min(smoothed):
            break
    return np.array(lrs), np.array(losses), np.array(smoothed)


def test_range_test_is_gradient_descent_at_geometric_rates():
    model = LinearRegression(1)
    result = lr_range_test(
        model, mse, LINE_X, LINE_Y, start_lr=1e-3, end_lr=10.0, steps=80, batch_size=None
    )
    lrs, losses, smoothed = _by_hand(1e-3, 10.0, 80, 0.05, 4.0)
    assert isinstance(result, RangeTest)
    assert result.steps == len(lrs) < 80 and result.diverged
    np.testing.assert_allclose(result.lrs, lrs, rtol=1e-12)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-10)
    np.testing.assert_allclose(result.smoothed, smoothed, rtol=1e-10)
    assert result.stop_reason.startswith(f"stopped after {len(lrs)} steps: the smoothed loss")
    assert "exceeded 4 × its minimum" in result.stop_reason
    # The model is left as it was.
    assert [p.tolist() for p in model.params] == [[[0.0]], [0.0]]


def test_range_test_read_off_rates():
    result = lr_range_test(
        LinearRegression(1), mse, LINE_X, LINE_Y, start_lr=1e-3, end_lr=10.0, steps=80,
        batch_size=None,
    )  # fmt: skip
    L, log_lr = result.smoothed, np.log(result.lrs)
    lowest = int(np.argmin(L))
    assert result.min_loss_lr == result.lrs[lowest]
    # dL/dlog α by central differences, one-sided at the two ends, up to the minimum.
    slope = [(L[1] - L[0]) / (log_lr[1] - log_lr[0])]
    slope += [(L[i + 1] - L[i - 1]) / (log_lr[i + 1] - log_lr[i - 1]) for i in range(1, lowest)]
    slope += [(L[lowest] - L[lowest - 1]) / (log_lr[lowest] - log_lr[lowest - 1])]
    assert result.suggested_lr == result.lrs[int(np.argmin(slope))]
    assert result.suggested_lr < result.min_loss_lr


def test_range_test_without_stopping_completes():
    result = lr_range_test(
        LinearRegression(1), mse, LINE_X, LINE_Y, start_lr=1e-4, end_lr=0.1, steps=30,
        batch_size=None, smoothing=1.0, stop_factor=np.inf,
    )  # fmt: skip
    assert result.steps == 30 and not result.diverged
    assert result.stop_reason == "completed 30 steps from lr 0.0001 to 0.1"
    assert result.lrs[-1] == 0.1 and result.lrs[0] == 1e-4
    np.testing.assert_array_equal(result.smoothed, result.losses)  # s = 1: no smoothing


def test_range_test_one_batch_of_everything_is_the_full_batch():
    # The mean loss does not depend on the order of the examples.
    kwargs = dict(start_lr=1e-3, end_lr=5.0, steps=40)
    full = lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=None, **kwargs)
    shuffled = lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=32, **kwargs)
    np.testing.assert_allclose(shuffled.losses, full.losses, rtol=1e-12)


def test_range_test_mini_batches_are_seeded():
    runs = [
        lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=5, seed=seed)
        for seed in (0, 0, 1)
    ]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    assert not np.array_equal(runs[0].losses[:10], runs[2].losses[:10])
    generator = np.random.default_rng(3)
    state = generator.bit_generator.state
    lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=5, seed=generator)
    assert generator.bit_generator.state != state  # a Generator passed is advanced


def test_range_test_stops_on_a_non_finite_loss():
    model = LinearRegression(1)
    result = lr_range_test(
        model, mse, LINE_X * 1e150, LINE_Y, start_lr=1.0, end_lr=10.0, steps=10,
        batch_size=None, stop_factor=np.inf,
    )  # fmt: skip
    assert result.diverged and "non-finite" in result.stop_reason
    assert np.isfinite(result.losses).all() and len(result.losses) == result.steps
    assert [p.tolist() for p in model.params] == [[[0.0]], [0.0]]


def test_range_test_passes_hyperparameters_to_the_optimizer():
    plain = lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=None, steps=20)
    heavy = lr_range_test(
        LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=None, steps=20, momentum=0.9
    )
    adam = lr_range_test(
        LinearRegression(1), mse, LINE_X, LINE_Y, batch_size=None, steps=20, optimizer=Adam
    )
    assert plain.losses[2] != heavy.losses[2] != adam.losses[2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": 0.1}, "lr is set by the range test"),
        ({"start_lr": 0.0}, "start_lr must be a finite number > 0"),
        ({"end_lr": np.inf}, "end_lr must be a finite number > 0"),
        ({"start_lr": 1.0, "end_lr": 0.5}, "end_lr must be larger than start_lr"),
        ({"steps": 1}, "steps must be an integer >= 2"),
        ({"batch_size": 0}, "batch_size must be an integer in"),
        ({"batch_size": 33}, "batch_size must be an integer in"),
        ({"smoothing": 0.0}, "smoothing must be a number in"),
        ({"stop_factor": 1.0}, "stop_factor must be a number > 1"),
        ({"seed": -1}, "seed must be"),
        ({"stepss": 10}, "steps"),
    ],
)
def test_range_test_refuses_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        lr_range_test(LinearRegression(1), mse, LINE_X, LINE_Y, **kwargs)


# ---------------------------------------------------------------------------
# network_sweep: every run is the run fit makes alone
# ---------------------------------------------------------------------------


def _blobs(n=90, features=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    X = rng.normal(size=(n, features)) + 2.0 * np.eye(classes, features)[y]
    return X, y


@pytest.mark.parametrize(
    ("optimizer", "settings"),
    [
        (SGD, {"momentum": 0.9}),
        (Adam, {}),
        (Adafactor, {}),  # not element-wise: one optimizer per run
        (Split, {"first_settings": {"adjust_lr_fn": "match_rms_adamw"}}),
    ],
)
def test_every_network_is_the_one_fit_trains_alone(optimizer, settings):
    X, y = _blobs()
    lrs, seeds = np.array([0.003, 0.03]), [0, 5]
    result = network_sweep([5, 6, 3], X, y, optimizer, lrs, seeds, epochs=3, batch_size=16,
                           **settings)  # fmt: skip
    loss = SparseCategoricalCrossEntropy(from_logits=True)
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(seeds):
            model = MLP([5, 6, 3], activation="tanh", output="softmax", seed=seed)
            history = fit(model, loss, X, y, optimizer, epochs=3, batch_size=16, seed=seed,
                          lr=lr, **settings)  # fmt: skip
            for stacked, param in zip(result.params, model.params, strict=True):
                np.testing.assert_allclose(stacked[i, j].reshape(param.shape), param,
                                           rtol=1e-9, atol=1e-12)  # fmt: skip
            # the epoch's loss is the mean of its mini-batch losses, weighted by their sizes
            sizes = np.tile([16] * 5 + [10], 3)
            per_epoch = (history.losses * sizes).reshape(3, -1).sum(axis=1) / len(X)
            np.testing.assert_allclose(result.epoch_losses[i, j], per_epoch, rtol=1e-9)
            assert result.losses(X, y)[i, j] == pytest.approx(model.evaluate(X, y, loss), 1e-9)
            accuracy = np.mean(model.predict(X) == y)
            assert result.accuracies(X, y)[i, j] == pytest.approx(accuracy)
    assert not result.diverged.any()


def test_the_batched_gradient_is_the_finite_difference_gradient():
    # One SGD step of rate lr moves the weights by -lr times the gradient of the first batch.
    X, y = _blobs(n=16)
    lr = 1e-3
    result = network_sweep([5, 4, 3], X, y, SGD, [lr], [2], epochs=1, batch_size=16)
    start = MLP([5, 4, 3], activation="tanh", output="softmax", seed=2).params
    order = np.random.default_rng(2).permutation(16)

    def loss_at(params):
        hidden = np.tanh(X[order] @ params[0] + params[1])
        z = hidden @ params[2] + params[3]
        z = z - z.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(16), y[order]])

    h = 1e-6
    for k, param in enumerate(start):
        step = (start[k] - result.params[k][0, 0].reshape(param.shape)) / lr
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            plus = [p.copy() for p in start]
            minus = [p.copy() for p in start]
            plus[k][index] += h
            minus[k][index] -= h
            numeric[index] = (loss_at(plus) - loss_at(minus)) / (2 * h)
        np.testing.assert_allclose(step, numeric, rtol=1e-6, atol=1e-8)


def test_a_diverging_run_is_flagged_and_stands_still_while_the_others_go_on():
    X, y = _blobs()
    # a rate of 1e200 makes the weights about 1e200 and the relu layer's logits overflow
    result = network_sweep([5, 6, 3], X, y, SGD, [1e-3, 1e200], [0], epochs=4, batch_size=30,
                           activation="relu")  # fmt: skip
    assert result.diverged.tolist() == [[False], [True]]
    assert all(np.isfinite(p[1]).all() for p in result.params)
    assert np.isinf(result.epoch_losses[1, 0, -1]) and np.isinf(result.losses(X, y)[1, 0])
    assert np.isnan(result.accuracies(X, y)[1, 0])
    assert result.best_rate(X, y) == 0
    alone = network_sweep([5, 6, 3], X, y, SGD, [1e-3], [0], epochs=4, batch_size=30,
                          activation="relu")  # fmt: skip
    np.testing.assert_allclose(result.params[0][0], alone.params[0][0], rtol=1e-12)


def test_network_sweep_refuses_bad_arguments():
    X, y = _blobs()
    good = {"epochs": 1, "batch_size": 16}
    cases = [
        ({"lrs": [0.1]} | {"lr": 0.1}, "lr is swept"),
        ({"lrs": [-0.1]}, "lrs"),
        ({"lrs": [[0.1]]}, "lrs"),
        ({"seeds": []}, "seeds"),
        ({"seeds": [-1]}, "seeds"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 1000}, "batch_size"),
        ({"activation": "sigmoid"}, "activation"),
    ]
    for change, message in cases:
        arguments = {"lrs": [0.1], "seeds": [0]} | good | change
        lrs, seeds = arguments.pop("lrs"), arguments.pop("seeds")
        with pytest.raises(ValueError, match=message):
            network_sweep([5, 6, 3], X, y, SGD, lrs, seeds, **arguments)
    with pytest.raises(ValueError, match="X must have"):
        network_sweep([4, 6, 3], X, y, SGD, [0.1], [0], **good)
    with pytest.raises(ValueError, match="y must"):
        network_sweep([5, 6, 3], X, y + 3, SGD, [0.1], [0], **good)
    with pytest.raises(ValueError, match="layer_sizes"):
        network_sweep([5], X, y, SGD, [0.1], [0], **good)
    result = network_sweep([5, 6, 3], X, y, SGD, [0.1], [0], **good)
    with pytest.raises(ValueError, match="X must have"):
        result.losses(X[:, :4], y)
