"""Tests for optlib.keras.schedules: Keras 3's learning-rate schedules on NumPy.

References: each formula written out by hand with ``math`` (Keras is not
installed here), and, for the correspondences the module documents, the
learning rates of ``optlib.schedules`` (PyTorch's schedules, themselves tested
against torch) stepped once per batch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import keras
from optlib.keras.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from optlib.schedules import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
    rate_curve,
    warmup_cosine,
)

STEPS = range(0, 60)


def test_exported():
    assert keras.schedules.CosineDecay is CosineDecay
    assert set(keras.schedules.__all__) >= {
        "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay",
        "CosineDecay", "CosineDecayRestarts",
    }  # fmt: skip


# --- each formula by hand ----------------------------------------------------------------


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    schedule = ExponentialDecay(0.1, decay_steps=7, decay_rate=0.8, staircase=staircase)
    for t in STEPS:
        p = math.floor(t / 7) if staircase else t / 7
        assert schedule(t) == pytest.approx(0.1 * 0.8**p, rel=1e-14)


def test_piecewise_constant_decay_keeps_the_earlier_value_at_a_boundary():
    schedule = PiecewiseConstantDecay([10, 20, 35], [1.0, 0.5, 0.2, 0.05])
    for t in STEPS:
        expected = 1.0 if t <= 10 else 0.5 if t <= 20 else 0.2 if t <= 35 else 0.05
        assert schedule(t) == expected
    assert schedule(10.5) == 0.5  # a fractional step falls in the next interval


@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay(power):
    schedule = PolynomialDecay(0.1, decay_steps=20, end_learning_rate=0.001, power=power)
    for t in STEPS:
        p = min(t, 20) / 20
        assert schedule(t) == pytest.approx((0.1 - 0.001) * (1 - p) ** power + 0.001, rel=1e-13)


def test_polynomial_decay_with_cycles():
    schedule = PolynomialDecay(0.1, decay_steps=20, end_learning_rate=0.0, cycle=True)
    for t in STEPS:
        span = 20 * (1 if t == 0 else math.ceil(t / 20))  # the cycle t is in ends at span
        assert schedule(t) == pytest.approx(0.1 * (1 - t / span), abs=1e-16)
    assert PolynomialDecay(0.1, 20).get_config()["end_learning_rate"] == 0.0001  # Keras's default


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    schedule = InverseTimeDecay(0.5, decay_steps=4, decay_rate=0.3, staircase=staircase)
    for t in STEPS:
        p = math.floor(t / 4) if staircase else t / 4
        assert schedule(t) == pytest.approx(0.5 / (1 + 0.3 * p), rel=1e-14)


def test_cosine_decay_holds_the_end_rate():
    schedule = CosineDecay(0.2, decay_steps=30, alpha=0.05)
    for t in STEPS:
        c = 0.5 * (1 + math.cos(math.pi * min(t, 30) / 30))
        assert schedule(t) == pytest.approx(0.2 * ((1 - 0.05) * c + 0.05), rel=1e-13)
    assert schedule(30) == schedule(59) == pytest.approx(0.01)


def test_cosine_decay_with_warm_up_from_a_start_rate():
    schedule = CosineDecay(0.01, decay_steps=25, alpha=0.1, warmup_target=0.3, warmup_steps=10)
    for t in STEPS:
        if t < 10:
            expected = 0.01 + (0.3 - 0.01) * t / 10
        else:
            s = min(t, 35) - 10
            expected = 0.3 * (0.9 * 0.5 * (1 + math.cos(math.pi * s / 25)) + 0.1)
        assert schedule(t) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(("t_mul", "m_mul"), [(1.0, 1.0), (2.0, 1.0), (2.0, 0.5), (1.5, 0.8)])
def test_cosine_decay_restarts(t_mul, m_mul):
    schedule = CosineDecayRestarts(1.0, first_decay_steps=6, t_mul=t_mul, m_mul=m_mul, alpha=0.1)
    # Walk the cycles by hand: cycle i starts at `start` and lasts 6·k^i steps.
    start, length, i = 0.0, 6.0, 0
    for t in STEPS:
        while t >= start + length - 1e-9:
            start, length, i = start + length, length * t_mul, i + 1
        phi = (t - start) / length
        expected = 0.9 * m_mul**i * 0.5 * (1 + math.cos(math.pi * phi)) + 0.1
        if abs(phi) < 1e-9 and i > 0 and t_mul != 1.0:
            continue  # a restart step: Keras's logarithm may round it to the previous cycle
        assert schedule(t) == pytest.approx(expected, rel=1e-9, abs=1e-12), t


def test_cosine_decay_restarts_rounding_at_a_restart():
    # With t_mul = 2 the third cycle starts at T0·(1 + 2 + 4) = 7·T0: Keras computes
    # floor(log(8) / log(2)), and log(8) / log(2) rounds to exactly 3 in float64, so the
    # rate restarts; t_mul = 10 with T0 = 1 has its third cycle at 111, where
    # log(1000) / log(10) = 2.9999999999999996 rounds down: the rate there is the
    # second cycle's end, alpha · a, as Keras's formula gives.
    assert math.log(8) / math.log(2) == 3.0
    assert CosineDecayRestarts(1.0, 4, t_mul=2.0)(28) == 1.0
    assert math.floor(math.log(1000) / math.log(10)) == 2
    assert CosineDecayRestarts(1.0, 1, t_mul=10.0, alpha=0.1)(111) == pytest.approx(0.1)


# --- the correspondences with optlib.schedules ---------------------------------------------


def _torch(make, lr, steps=60):
    return rate_curve(make, steps, lr=lr)


def _keras(schedule, steps=60):
    return schedule(np.arange(steps))


def test_exponential_decay_is_exponential_lr_and_step_lr():
    np.testing.assert_allclose(
        _keras(ExponentialDecay(0.1, 1, 0.9)),
        _torch(lambda o: ExponentialLR(o, gamma=0.9), 0.1),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        _keras(ExponentialDecay(0.1, 8, 0.5, staircase=True)),
        _torch(lambda o: StepLR(o, step_size=8, gamma=0.5), 0.1),
        rtol=1e-14,
    )


def test_piecewise_constant_decay_is_multistep_lr_a_step_later():
    np.testing.assert_allclose(
        _keras(PiecewiseConstantDecay([10, 30], [0.1, 0.01, 0.001])),
        _torch(lambda o: MultiStepLR(o, milestones=[11, 31], gamma=0.1), 0.1),
        rtol=1e-12,
    )


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_polynomial_decay_to_zero_is_polynomial_lr(power):
    np.testing.assert_allclose(
        _keras(PolynomialDecay(0.1, 40, end_learning_rate=0.0, power=power)),
        _torch(lambda o: PolynomialLR(o, total_iters=40, power=power), 0.1),
        rtol=1e-12,
        atol=1e-18,
    )


def test_cosine_decay_is_cosine_annealing_until_its_end():
    T, a, m = 40, 0.1, 0.05
    np.testing.assert_allclose(
        _keras(CosineDecay(a, T, alpha=m), T + 1),
        _torch(lambda o: CosineAnnealingLR(o, T_max=T, eta_min=a * m), a, T + 1),
        rtol=1e-12,
    )


@pytest.mark.parametrize(("w", "m"), [(10, 0.001), (0, 0.0), (1, 0.01)])
def test_cosine_decay_with_warm_up_is_warmup_cosine(w, m):
    peak, T = 0.1, 50
    keras_schedule = CosineDecay(0.0, T - w, alpha=m / peak, warmup_target=peak, warmup_steps=w)
    np.testing.assert_allclose(
        _keras(keras_schedule, T + 1),
        _torch(lambda o: warmup_cosine(o, w, T, min_lr=m), peak, T + 1),
        rtol=1e-12,
        atol=1e-18,
    )


@pytest.mark.parametrize("t_mul", [1, 2])
def test_cosine_decay_restarts_is_warm_restarts(t_mul):
    a, m = 0.1, 0.02
    np.testing.assert_allclose(
        _keras(CosineDecayRestarts(a, 5, t_mul=float(t_mul), alpha=m), 75),
        _torch(
            lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=t_mul, eta_min=a * m), a, 75
        ),
        rtol=1e-12,
    )


# --- calls, configs and errors -------------------------------------------------------------


def test_a_step_gives_a_float_and_steps_give_an_array():
    schedule = ExponentialDecay(1.0, 1, 0.5)
    assert isinstance(schedule(2), float) and schedule(np.int64(2)) == 0.25
    assert schedule([0, 1, 2]).tolist() == [1.0, 0.5, 0.25]
    with pytest.raises(ValueError, match="step must be a finite number >= 0"):
        schedule(-1)
    with pytest.raises(ValueError, match="step must be a finite number >= 0"):
        schedule(np.nan)


@pytest.mark.parametrize(
    "schedule",
    [
        ExponentialDecay(0.1, 10, 0.9, staircase=True),
        PiecewiseConstantDecay([5], [0.1, 0.01]),
        PolynomialDecay(0.1, 10, power=2.0, cycle=True),
        InverseTimeDecay(0.1, 10, 0.5),
        CosineDecay(0.0, 10, alpha=0.1, warmup_target=0.1, warmup_steps=3),
        CosineDecayRestarts(0.1, 4, t_mul=1.5, m_mul=0.9, alpha=0.01),
    ],
)
def test_config_round_trip(schedule):
    config = schedule.get_config()
    assert config["name"] == type(schedule)(**config).name
    again = type(schedule).from_config(config)
    np.testing.assert_array_equal(again(np.arange(30)), schedule(np.arange(30)))
    assert repr(schedule).startswith(type(schedule).__name__ + "(")
    assert isinstance(schedule, LearningRateSchedule)


def test_keras_names_and_defaults():
    assert CosineDecay(0.1, 10).get_config() == {
        "initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.0, "name": "CosineDecay",
        "warmup_target": None, "warmup_steps": 0,
    }  # fmt: skip
    assert CosineDecayRestarts(0.1, 10).get_config() == {
        "initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 2.0, "m_mul": 1.0,
        "alpha": 0.0, "name": "SGDRDecay",
    }  # fmt: skip
    assert PiecewiseConstantDecay([1], [1.0, 0.5]).name == "PiecewiseConstant"


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: ExponentialDecay(0.1, 0, 0.9), r"Argument `decay_steps` must be > 0"),
        (lambda: CosineDecay(0.1, -5), r"Argument `decay_steps` must be > 0"),
        (lambda: CosineDecayRestarts(0.1, 0), r"Argument `first_decay_steps` must be > 0"),
        (lambda: PiecewiseConstantDecay([1, 2], [1.0]), "should be 1 less than the length"),
        (lambda: PiecewiseConstantDecay([2, 1], [1.0, 0.5, 0.1]), "boundaries must be increasing"),
        (lambda: ExponentialDecay("0.1", 10, 0.9), "initial_learning_rate must be a number"),
        (lambda: InverseTimeDecay(0.1, 10, -1.0), "decay_rate must be >= 0"),
        (lambda: CosineDecay(0.1, 10, warmup_target=np.inf), "warmup_target must be finite"),
        (lambda: CosineDecayRestarts(0.1, 10, t_mul=0.0), "t_mul must be > 0"),
        (lambda: PolynomialDecay(0.1, 10, power=-1.0), "power must be >= 0"),
    ],
)
def test_bad_arguments_are_named(build, match):
    with pytest.raises(ValueError, match=match):
        build()
