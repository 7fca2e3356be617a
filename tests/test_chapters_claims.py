"""Claims the chapters used to make and no longer do, each with the computation that refutes it.

Every test here runs, through optlib, the experiment behind a sentence that was
corrected in a chapter (or in the glossary), and asserts what was measured or
proved instead. Each assertion would have failed had the old sentence been
right; the new sentence is asserted in the chapter itself, where it stands.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib import SGD, Adam, DoubleWell, LinearRegression, RMSprop, fit, minimize, mse
from optlib.datasets import load_penguins, standardize
from optlib.experiments import iterates


@pytest.fixture(scope="module")
def penguin_regression():
    """The gradient-descent chapter's data: body mass from three standardised measurements."""
    penguins = load_penguins()
    X, _, _ = standardize(penguins.measurements[:, :3])
    mass = penguins.column("body_mass_g")
    y = (mass - mass.mean()) / mass.std()
    design = np.c_[X, np.ones(len(X))]
    w, *_ = np.linalg.lstsq(design, y, rcond=None)
    return X, y, float(np.mean((design @ w - y) ** 2))


def test_a_smooth_objective_need_not_have_a_curvature_bound():
    """Old (gradient descent): "The same L bounds the curvature of any smooth objective", and
    α < 2/L makes every step lower it. The double well is smooth, but its curvature
    12θ² − 4 has no bound: for every rate some start makes one step of gradient descent
    go uphill, so no L can work."""
    well = DoubleWell()
    for lr in np.geomspace(1e-4, 0.1, 7):
        start = 2 / np.sqrt(lr)  # where the curvature is about 48/α, far beyond 2/α
        run = minimize(well, [start], SGD, steps=1, lr=lr)
        assert run.losses[1] > run.losses[0]


def test_per_update_a_mini_batch_step_did_as_well_as_a_batch_step(penguin_regression):
    """Old (gradient descent): "Per update (right), the picture flips: a batch step makes the
    most progress". After 11 updates at the same rate the mini-batch run (32 examples per
    step) is no further from the optimum than the batch run (342 per step)."""
    X, y, _ = penguin_regression
    batch = fit(LinearRegression(n_features=3), mse, X, y, SGD, epochs=11, lr=0.1, seed=0)
    mini = fit(LinearRegression(n_features=3), mse, X, y, SGD, epochs=1, batch_size=32, lr=0.1,
               seed=0)  # fmt: skip
    assert batch.steps == mini.steps == 11
    assert mini.epoch_losses[-1] <= batch.epoch_losses[-1]


def test_a_ten_times_larger_rate_raised_the_excess_loss_more_than_tenfold(penguin_regression):
    """Old (gradient descent, exercise 4): with α = 0.1 instead of 0.01, "the noise is
    amplified tenfold". The excess loss over the least-squares optimum, averaged over the
    last five of 20 epochs of stochastic descent, grew more than twentyfold."""
    X, y, best = penguin_regression
    excess = {}
    for lr in (0.01, 0.1):
        history = fit(LinearRegression(n_features=3), mse, X, y, SGD, epochs=20, batch_size=1,
                      lr=lr, seed=0)  # fmt: skip
        excess[lr] = np.mean(history.epoch_losses[-5:]) - best
    assert excess[0.1] > 20 * excess[0.01]


def test_a_convex_differentiable_function_that_no_fixed_rate_solves():
    """Old (glossary, convex function): "gradient descent with a small enough learning rate
    finds it". J(θ) = |θ|^{3/2} is convex and differentiable with its minimum at 0, but its
    curvature is unbounded there (it is not L-smooth): from θ₀ = 1, gradient descent with
    any fixed α ends in a two-cycle between ±9α²/16 and never reaches the minimum."""

    def grad(theta):
        return 1.5 * np.sign(theta) * np.sqrt(np.abs(theta))

    for lr in (0.3, 0.1, 0.03):
        path = iterates(SGD, grad, [1.0], steps=20_000, lr=lr)[:, 0]
        assert np.allclose(np.abs(path[-10:]), 9 * lr**2 / 16, rtol=1e-6)
        assert np.all(np.sign(path[-10:-1]) == -np.sign(path[-9:]))  # it keeps jumping across


def test_centered_rmsprop_on_a_steady_slope_stops_accelerating():
    """Old (RMSProp): "On a long, straight slope centered RMSProp accelerates without limit".
    Fed the gradient 1 at every step, its steps grow and then level off, bounded by ε."""
    steps = -np.diff(iterates(RMSprop, [1.0] * 4000, lr=0.01, centered=True)[:, 0])
    assert np.all(np.isfinite(steps)) and steps.max() <= 0.01 / 1e-8
    assert np.allclose(steps[3700:], steps[-1], rtol=1e-6)
    assert steps[-1] > 1e4 * steps[0]  # it did accelerate, a lot, first


# The four corrections the expert's review listed (issue 16). Each old sentence is
# quoted; each test measures what the sentence claimed and fails on the old wording.


def test_naive_sigmoid_at_800_underflows_and_overflows_only_at_minus_800():
    """Old (losses): BCE "returns infinity … for z = 800 (where the exponential overflowed)".
    At z = 800 nothing overflows: e^{-800} underflows to 0, σ rounds to 1 and log(1 − σ)
    is −∞; the overflow happens at z = −800, where e^{800} = ∞ gives σ = 0."""
    with np.errstate(over="raise", under="ignore"):
        sigma_800 = 1.0 / (1.0 + np.exp(-800.0))  # no FloatingPointError: no overflow here
        with pytest.raises(FloatingPointError):
            1.0 / (1.0 + np.exp(800.0))
    assert sigma_800 == 1.0 and np.exp(-800.0) == 0.0
    with np.errstate(divide="ignore"):
        assert np.log(1.0 - sigma_800) == -np.inf


def test_adam_can_step_more_than_kingma_and_bas_bound():
    """Old (Adam): the step "can be longer, but not by much … α(1−β₁)/√(1−β₂), which Kingma
    and Ba give as the upper bound", and "no sequence of gradients does worse". 5,000 zero
    gradients followed by gradients growing 11 % a step make Adam (defaults) step over 7α,
    more than twice that bound (3.16α)."""
    gradients = [0.0] * 5000 + [1.11**k for k in range(300)]
    steps = np.abs(np.diff(iterates(Adam, gradients, lr=1.0)[:, 0]))
    old_bound = (1 - 0.9) / np.sqrt(1 - 0.999)
    assert steps.max() > 7.2 > 2 * old_bound


def test_adam_on_zero_mean_noise_steps_much_shorter_than_alpha():
    """Old (Adam, pitfalls): "with noisy gradients each step stays about α long". On
    zero-mean Gaussian gradients the mean step is about 0.18α and its RMS about
    √((1−β₁)/(1+β₁))·α ≈ 0.23α, the RMS of the first moment over that of the gradient."""
    noise = np.random.default_rng(0).standard_normal(20_000)
    steps = np.abs(np.diff(iterates(Adam, list(noise), lr=1.0)[:, 0]))[1000:]
    predicted_rms = np.sqrt((1 - 0.9) / (1 + 0.9))
    assert np.sqrt(np.mean(steps**2)) == pytest.approx(predicted_rms, rel=0.05)
    assert 0.15 < steps.mean() < 0.22  # nowhere near 1


def test_pytorchs_rmsprop_default_rate_is_001_not_01():
    """Old (RMSProp): "with α = 0.1 (the default)". 0.1 was the widget's starting rate;
    PyTorch's RMSprop, and optlib's with it, default to lr = 0.01."""
    import inspect

    assert inspect.signature(RMSprop).parameters["lr"].default == 0.01
    torch = pytest.importorskip("torch")
    assert inspect.signature(torch.optim.RMSprop).parameters["lr"].default == 0.01
