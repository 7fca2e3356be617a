"""Tests for optlib.schedules.rate_curve.

Expected rates are closed forms written out here, or torch's own loop
(``optimizer.step()`` then ``scheduler.step()``) on a torch optimizer, never
optlib's output.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from optlib import SGD
from optlib.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    rate_curve,
    warmup_cosine,
)


def test_step_decay_is_the_closed_form():
    rates = rate_curve(lambda opt: StepLR(opt, step_size=3, gamma=0.5), 10, lr=0.2)
    t = np.arange(10)
    np.testing.assert_allclose(rates, 0.2 * 0.5 ** (t // 3), rtol=1e-15)
    assert rates.shape == (10,) and rates.dtype == np.float64


def test_cosine_is_the_closed_form():
    T, eta_min = 20, 0.01
    rates = rate_curve(functools.partial(CosineAnnealingLR, T_max=T, eta_min=eta_min), T + 1)
    t = np.arange(T + 1)
    expected = eta_min + (1.0 - eta_min) * (1 + np.cos(np.pi * t / T)) / 2
    np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=1e-15)


def test_warmup_then_cosine_from_zero():
    # α_t = peak·t/w for t < w, then the cosine from peak to m over T − w steps.
    peak, w, T, m = 0.3, 4, 12, 0.03

    def make(opt):
        return SequentialLR(
            opt,
            [LambdaLR(opt, lambda t: t / w), CosineAnnealingLR(opt, T_max=T - w, eta_min=m)],
            milestones=[w],
        )

    rates = rate_curve(make, T + 1, lr=peak)
    expected = [
        peak * t / w if t < w else m + (peak - m) * (1 + math.cos(math.pi * (t - w) / (T - w))) / 2
        for t in range(T + 1)
    ]
    np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=1e-15)


def test_one_cycle_of_exactly_steps_steps():
    # The trailing scheduler.step() after the last step moves OneCycleLR to
    # total_steps, which torch allows; the curve has the cycle's N rates.
    rates = rate_curve(lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=10), 10)
    assert rates[0] == pytest.approx(1.0 / 25)  # max_lr / div_factor
    assert rates.max() == pytest.approx(1.0)
    assert rates[-1] == pytest.approx(1.0 / 25 / 1e4)  # / final_div_factor
    with pytest.raises(ValueError, match="Tried to step"):
        rate_curve(lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=10), 11)


def test_plateau_takes_metrics():
    metrics = [1.0] * 8  # never improves: cut after patience + 1 bad epochs
    rates = rate_curve(
        lambda opt: ReduceLROnPlateau(opt, patience=2, factor=0.5), 8, metrics=metrics
    )
    # Best is set at step 0; steps 1, 2, 3 are bad, the cut comes after the third.
    np.testing.assert_allclose(rates, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    with pytest.raises(ValueError, match="metrics"):
        rate_curve(lambda opt: ReduceLROnPlateau(opt), 3)
    with pytest.raises(ValueError, match="fewer than steps"):
        rate_curve(lambda opt: ReduceLROnPlateau(opt), 3, metrics=[1.0])


def test_bad_arguments_name_themselves():
    opt = SGD(np.zeros(1), lr=0.1)
    with pytest.raises(ValueError, match="make_scheduler"):
        rate_curve(StepLR(opt, step_size=2), 3)
    with pytest.raises(ValueError, match="make_scheduler"):
        rate_curve(3, 3)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        rate_curve(lambda o: StepLR(o, 2), 0)
    with pytest.raises(ValueError, match="steps must be"):
        rate_curve(lambda o: StepLR(o, 2), 2.5)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        rate_curve(lambda o: StepLR(o, 2), 3, lr=-1.0)
    with pytest.raises(ValueError, match="another optimizer"):
        rate_curve(lambda o: StepLR(opt, 2), 3)
    with pytest.raises(ValueError, match="must return a schedule"):
        rate_curve(lambda o: None, 3)


@pytest.mark.torch
@pytest.mark.parametrize(
    "name",
    ["step", "exponential", "linear", "cosine", "one_cycle", "warmup_cosine"],
)
def test_agrees_with_torchs_loop(name):
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler

    builders = {
        "step": (lambda o: StepLR(o, 4, 0.3), lambda o: sched.StepLR(o, 4, 0.3)),
        "exponential": (lambda o: ExponentialLR(o, 0.9), lambda o: sched.ExponentialLR(o, 0.9)),
        "linear": (
            lambda o: LinearLR(o, start_factor=0.1, total_iters=7),
            lambda o: sched.LinearLR(o, start_factor=0.1, total_iters=7),
        ),
        "cosine": (
            lambda o: CosineAnnealingLR(o, T_max=9, eta_min=0.01),
            lambda o: sched.CosineAnnealingLR(o, T_max=9, eta_min=0.01),
        ),
        "one_cycle": (
            lambda o: OneCycleLR(o, max_lr=0.5, total_steps=30),
            lambda o: sched.OneCycleLR(o, max_lr=0.5, total_steps=30),
        ),
        "warmup_cosine": (
            lambda o: SequentialLR(
                o,
                [LinearLR(o, start_factor=0.2, total_iters=5), CosineAnnealingLR(o, T_max=20)],
                milestones=[5],
            ),
            lambda o: sched.SequentialLR(
                o,
                [
                    sched.LinearLR(o, start_factor=0.2, total_iters=5),
                    sched.CosineAnnealingLR(o, T_max=20),
                ],
                milestones=[5],
            ),
        ),
    }
    ours, theirs = builders[name]
    steps = 30
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=0.5, momentum=0.9)
    scheduler = theirs(opt)
    expected = []
    for _ in range(steps):
        expected.append(opt.param_groups[0]["lr"])
        param.grad = torch.zeros(1)
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(rate_curve(ours, steps, lr=0.5), expected, rtol=1e-12, atol=1e-18)


# --- warmup_cosine ------------------------------------------------------------------------


def _warmup_cosine_by_hand(peak, w, T, m):
    return [
        peak * t / w if t < w else m + (peak - m) * (1 + math.cos(math.pi * (t - w) / (T - w))) / 2
        for t in range(T + 1)
    ]


@pytest.mark.parametrize(
    ("peak", "w", "T", "m"), [(0.1, 5, 20, 0.001), (1.0, 1, 7, 0.0), (3e-4, 40, 400, 3e-5)]
)
def test_warmup_cosine_is_the_printed_formula(peak, w, T, m):
    rates = rate_curve(lambda opt: warmup_cosine(opt, w, T, min_lr=m), T + 1, lr=peak)
    np.testing.assert_allclose(
        rates, _warmup_cosine_by_hand(peak, w, T, m), rtol=1e-12, atol=1e-18
    )
    assert rates[0] == 0.0 and rates[w] == pytest.approx(peak) and rates[T] == pytest.approx(m)


def test_warmup_cosine_without_warmup_is_the_cosine():
    rates = rate_curve(lambda opt: warmup_cosine(opt, 0, 10, min_lr=0.1), 11)
    t = np.arange(11)
    np.testing.assert_allclose(rates, 0.1 + 0.9 * (1 + np.cos(np.pi * t / 10)) / 2, rtol=1e-12)


def test_warmup_cosine_refuses_bad_arguments():
    opt = SGD(np.zeros(1), lr=0.1)
    with pytest.raises(ValueError, match="warmup must be an integer >= 0"):
        warmup_cosine(opt, -1, 10)
    with pytest.raises(ValueError, match="total must be larger than warmup=10"):
        warmup_cosine(opt, 10, 10)
    with pytest.raises(ValueError, match="min_lr must be in"):
        warmup_cosine(opt, 2, 10, min_lr=0.2)


@pytest.mark.torch
def test_warmup_cosine_is_torchs_sequence():
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler
    peak, w, T, m = 0.05, 6, 30, 0.005
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([param], lr=peak)
    scheduler = sched.SequentialLR(
        opt,
        [sched.LambdaLR(opt, lambda t: t / w), sched.CosineAnnealingLR(opt, T - w, eta_min=m)],
        milestones=[w],
    )
    expected = []
    for _ in range(T + 1):
        expected.append(opt.param_groups[0]["lr"])
        param.grad = torch.zeros(1)
        opt.step()
        scheduler.step()
    ours = rate_curve(lambda o: warmup_cosine(o, w, T, min_lr=m), T + 1, lr=peak)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-18)
