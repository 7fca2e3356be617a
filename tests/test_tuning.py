"""Tests for optlib.tuning: scores from the closed form of gradient descent on a bowl."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import SGD, Adam, Himmelblau, Quadratic, Rosenbrock, sweep
from optlib.tuning import SOLVED, best_rate, nearest_minimum, score, tune

BOWL = Quadratic()  # diag(1, 10): gradient descent multiplies coordinate i by 1 − αλᵢ
START = np.array([2.5, 1.0])


def descent_gaps(lr, steps):
    """J(θ_t) for t = 0..steps, by the closed form of gradient descent on the bowl."""
    t = np.arange(steps + 1)[:, None]
    theta = START * (1 - lr * np.array([1.0, 10.0])) ** t
    return 0.5 * (theta[:, 0] ** 2 + 10 * theta[:, 1] ** 2)


def test_score_is_the_mean_gap_of_the_last_tenth_and_the_mean_log_gap():
    lrs = np.array([0.01, 0.05, 0.1, 0.25])
    result = sweep(BOWL, START, SGD, steps=200, lr=lrs[:, None])
    final, speed = score(result, BOWL)
    for k, lr in enumerate(lrs[:3]):
        gaps = descent_gaps(lr, 200)
        assert final[k] == pytest.approx(max(gaps[-20:].mean(), SOLVED), rel=1e-9)
        assert speed[k] == pytest.approx(np.log10(np.maximum(gaps, SOLVED)).mean(), rel=1e-9)
    assert final[3] == np.inf  # α = 0.25 > 2/L diverges


def test_tune_picks_the_solved_rate_that_got_there_first():
    lrs = np.geomspace(0.01, 0.19, 12)
    result, chosen = tune(BOWL, START[None, :], SGD, lrs, steps=300)
    # By the closed form: the rates that solve the bowl tie; the fastest is the one whose
    # slowest factor max|1 − αλ| is smallest, 2/(1 + 10) for α → 2/11.
    solved = [lr for lr in lrs if descent_gaps(lr, 300)[-30:].mean() < SOLVED]
    speeds = {lr: np.log10(np.maximum(descent_gaps(lr, 300), SOLVED)).mean() for lr in solved}
    assert lrs[chosen[0]] == min(speeds, key=speeds.get)
    assert result.final_losses.shape == (1, 12)


def test_tune_chooses_for_each_start_separately():
    lrs = np.geomspace(1e-3, 1.0, 7)
    starts = np.array([[-1.5, 2.0], [0.0, 2.5]])
    result, chosen = tune(Rosenbrock(), starts, Adam, lrs, 200)
    for k, start in enumerate(starts):
        alone, again = tune(Rosenbrock(), start[None, :], Adam, lrs, 200)
        assert chosen[k] == again[0]
        np.testing.assert_array_equal(result.final_losses[k], alone.final_losses[0])


def test_best_rate_leaves_out_diverged_runs():
    lrs = np.array([1e-4, 1e-3, 2e-3, 1e-1])
    result = sweep(Rosenbrock(), [-1.5, 2.0], SGD, steps=300, lr=lrs[:, None])
    assert result.diverged[-1]
    lr, gap = best_rate(result, Rosenbrock(), lrs)
    finite = result.final_losses[:-1]
    assert lr == lrs[np.argmin(finite)] and gap == finite.min()


def test_nearest_minimum_of_himmelblau():
    distance, minimum = nearest_minimum(Himmelblau(), [-2.0, 3.0])
    everyone = np.linalg.norm(Himmelblau().minima - [-2.0, 3.0], axis=1)
    assert distance == everyone.min() and np.allclose(minimum, [-2.805118, 3.131312])


def test_bad_arguments_are_refused():
    result = sweep(BOWL, START, SGD, steps=5, lr=0.1)
    with pytest.raises(ValueError, match="at least 10 steps"):
        score(result, BOWL)
    with pytest.raises(ValueError, match="starts"):
        tune(BOWL, START, SGD, [0.1], 10)
    with pytest.raises(ValueError, match="lrs"):
        best_rate(sweep(BOWL, START, SGD, steps=10, lr=np.array([[0.1], [0.2]])), BOWL, [0.1])
