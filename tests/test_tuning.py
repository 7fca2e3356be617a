"""Tests for optlib.tuning: scores from the closed form of gradient descent on a bowl."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import (
    MLP,
    SGD,
    Adam,
    AdamW,
    Himmelblau,
    Muon,
    Quadratic,
    Rosenbrock,
    SparseCategoricalCrossEntropy,
    fit,
    sweep,
)
from optlib.tuning import (
    SOLVED,
    Split,
    best_rate,
    hidden_matrices,
    nearest_minimum,
    random_starts,
    score,
    tiers,
    tune,
    tuned_scores,
)

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


# ---------------------------------------------------------------------------
# The comparison of every optimizer: starts, tuned scores, tiers, Split
# ---------------------------------------------------------------------------


def test_random_starts_are_seeded_and_inside_the_box():
    fn = Rosenbrock()
    starts = random_starts(fn, 50, seed=3)
    (xmin, xmax), (ymin, ymax) = fn.bounds
    assert starts.shape == (50, 2)
    assert np.all((starts[:, 0] >= xmin) & (starts[:, 0] <= xmax))
    assert np.all((starts[:, 1] >= ymin) & (starts[:, 1] <= ymax))
    np.testing.assert_array_equal(starts, random_starts(fn, 50, seed=3))
    assert not np.array_equal(starts, random_starts(fn, 50, seed=4))


def test_tuned_scores_are_the_score_of_the_closed_form_at_the_chosen_rate():
    lrs = np.geomspace(0.01, 0.15, 6)
    starts = np.array([START])
    final, rates = tuned_scores(BOWL, starts, SGD, lrs, 100)
    _, chosen = tune(BOWL, starts, SGD, lrs, 100)
    assert rates[0] == lrs[chosen[0]]
    expected = max(descent_gaps(rates[0], 100)[-10:].mean(), SOLVED)
    assert final[0] == pytest.approx(expected, rel=1e-9)


def test_tuned_scores_are_inf_where_every_rate_diverged():
    final, _ = tuned_scores(BOWL, np.array([START]), SGD, [0.3, 0.5], 50)  # past 2/L = 0.2
    assert final.tolist() == [np.inf]


def test_tiers_group_overlapping_ranges_best_first():
    samples = {"slow": [5.0, 6.0], "best": [1.0, 2.0], "near": [1.9, 4.0], "far": [3.0, 3.5]}
    # best's worst seed is 2.0: near (best seed 1.9) overlaps it, far (3.0) does not
    assert tiers(samples) == [["best", "near"], ["far"], ["slow"]]
    accuracies = {"a": [0.90, 0.91], "b": [0.95, 0.97], "c": [0.96, 0.99]}
    assert tiers(accuracies, lower_is_better=False) == [["c", "b"], ["a"]]


def test_tiers_put_a_diverged_seed_last():
    assert tiers({"sometimes": [0.1, np.inf], "steady": [1.0, 1.1]}) == [
        ["steady", "sometimes"]
    ]  # the inf is the worst value: its range reaches over steady's
    assert tiers({"never": [np.nan, np.nan], "ok": [1.0, 2.0]}) == [["ok"], ["never"]]


def test_tiers_refuse_bad_samples():
    with pytest.raises(ValueError, match="samples"):
        tiers({})
    with pytest.raises(ValueError, match=r"samples\['a'\]"):
        tiers({"a": [[1.0, 2.0]]})
    with pytest.raises(ValueError, match=r"samples\['a'\]"):
        tiers({"a": []})


def test_random_starts_refuse_bad_arguments():
    with pytest.raises(ValueError, match="n must"):
        random_starts(Rosenbrock(), 0)
    with pytest.raises(ValueError, match="seed must"):
        random_starts(Rosenbrock(), 3, seed=-1)
    with pytest.raises(ValueError, match="fn must"):
        random_starts(object(), 3)


def test_hidden_matrices_leave_out_the_output_layer_and_the_biases():
    assert hidden_matrices(MLP([64, 32, 10]).params) == (0,)
    assert hidden_matrices(MLP([4, 8, 8, 3]).params) == (0, 2)
    assert hidden_matrices(MLP([4, 3]).params) == ()


def test_split_matches_two_torch_optimizers_stepped_one_after_the_other():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    grads = [[rng.normal(size=(3, 4)), rng.normal(size=4)] for _ in range(50)]
    opt = Split([W, b], lr=0.05, select=[0], first=SGD, rest=Adam,
                first_settings={"momentum": 0.9})  # fmt: skip
    tW = torch.tensor(W.copy(), requires_grad=True)
    tb = torch.tensor(b.copy(), requires_grad=True)
    first = torch.optim.SGD([tW], lr=0.05, momentum=0.9)
    rest = torch.optim.Adam([tb], lr=0.05)
    for gW, gb in grads:
        opt.step([gW, gb])
        tW.grad, tb.grad = torch.tensor(gW), torch.tensor(gb)
        first.step()
        rest.step()
    np.testing.assert_allclose(W, tW.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_split_is_muon_on_the_hidden_matrix_and_adamw_on_the_rest():
    model = MLP([5, 4, 3], output="softmax", seed=0)
    params = [p.copy() for p in model.params]
    alone = [p.copy() for p in model.params]
    opt = Split(params, lr=0.02, first_settings={"adjust_lr_fn": "match_rms_adamw"})
    muon = Muon([alone[0]], lr=0.02, adjust_lr_fn="match_rms_adamw")
    adamw = AdamW(alone[1:], lr=0.02)
    assert (opt.first_indices, opt.rest_indices) == ((0,), (1, 2, 3))
    rng = np.random.default_rng(1)
    for _ in range(20):
        grads = [rng.normal(size=p.shape) for p in params]
        opt.step(grads)
        muon.step(grads[:1])
        adamw.step(grads[1:])
    for got, want in zip(params, alone, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_split_lr_sets_both_and_fit_builds_it():
    opt = Split(MLP([5, 4, 3]).params, lr=0.1)
    opt.lr = 0.01
    assert [inner.lr for inner in opt.optimizers] == [0.01, 0.01]
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), np.arange(40) % 3
    history = fit(MLP([5, 4, 3], output="softmax"), SparseCategoricalCrossEntropy(True), X, y,
                  Split, epochs=3, lr=0.01)  # fmt: skip
    assert history.epochs == 3 and not history.diverged


def test_split_refuses_bad_arguments():
    params = MLP([5, 4, 3]).params
    with pytest.raises(ValueError, match="params"):
        Split([])
    with pytest.raises(ValueError, match="select"):
        Split(params, select=[7])
    with pytest.raises(ValueError, match="select"):
        Split(params, select=[0, 0])
    with pytest.raises(ValueError, match="select"):
        Split(MLP([4, 3]).params)  # no hidden matrix: nothing for Muon
    with pytest.raises(ValueError, match="first_settings"):
        Split(params, first_settings={"lr": 0.1})
    with pytest.raises(ValueError, match="grads"):
        Split(params).step([np.zeros((5, 4))])
