"""Tests for optlib.optimizers.radam: RAdam against torch.optim.RAdam and by hand.

Expected values come from PyTorch (live, or stored in reference/radam.npz by
reference/make_radam.py) or from the algorithm written out here, never from
optlib's own output. The guarantees every optimizer shares (atomic calls,
hand-overs, blocks, dtypes) are ``optimizer_conformance.CHECKS``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import optimizer_conformance as conformance
import pytest
import torch_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from optlib.optimizers import RAdam
from optlib.optimizers.radam import sma_lengths

REFERENCE = Path(__file__).parent / "reference" / "radam.npz"
CASES, TRAJECTORIES = ref.read(REFERENCE)
IDS = [ref.case_id(case) for case in CASES]
EVERYTHING_ON = {"lr": 0.05, "weight_decay": 0.05, "decoupled_weight_decay": True}


# -- parity with torch.optim.RAdam --------------------------------------------------


def test_the_stored_table_is_every_combination_of_the_scripts_options():
    ref.assert_stored_table_is_the_scripts(CASES, "radam")
    assert len(CASES) == 2 * 2**4  # two betas and three on/off options, float64 and float32


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_follows_the_stored_torch_runs(index):
    ours = ref.optlib_path(RAdam, CASES[index])[ref.EVERY - 1 :: ref.EVERY]
    ref.assert_close_to_torch(ours, TRAJECTORIES[index], CASES[index])


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_follows_torch_live_at_every_step(case):
    pytest.importorskip("torch")
    ref.assert_follows_torch_live("RAdam", RAdam, case)


@pytest.mark.torch
@pytest.mark.parametrize("handover_at", [3, 150], ids=["before-the-switch", "mid-run"])
def test_a_hand_over_follows_torch_handing_over_too(handover_at):
    pytest.importorskip("torch")
    case = {"kwargs": EVERYTHING_ON, "dtype": "float64"}
    ours = ref.optlib_path(RAdam, case, handover_at=handover_at)
    ref.assert_close_to_torch(ours, ref.torch_path("RAdam", case, handover_at=handover_at), case)
    np.testing.assert_array_equal(ours, ref.optlib_path(RAdam, case))  # and continues bitwise


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    lr=st.floats(1e-3, 0.05),
    beta1=st.floats(0.0, 0.95),
    beta2=st.one_of(st.floats(0.3, 0.7), st.floats(0.9, 0.9999)),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
    weight_decay=st.sampled_from([0.0, 0.01, 0.1]),
    decoupled_weight_decay=st.booleans(),
    maximize=st.booleans(),
)
def test_drawn_hyperparameters_follow_torch(lr, beta1, beta2, eps, weight_decay, **switches):
    pytest.importorskip("torch")
    kwargs = {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}
    ref.assert_drawn_run_follows_torch("RAdam", RAdam, {**kwargs, **switches}, steps=100)


@pytest.mark.torch
def test_state_dict_has_torch_entries_and_values():
    pytest.importorskip("torch")
    ref.assert_torch_state_layout("RAdam", RAdam, EVERYTHING_ON)


@pytest.mark.torch
def test_signature_is_torchs():
    pytest.importorskip("torch")
    ref.assert_torch_signature("RAdam", RAdam)


# -- the algorithm written out ------------------------------------------------------


def rho(beta2: float, t: int) -> tuple[float, float]:
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf, rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def test_rho_t_is_about_t_at_first_and_passes_5_at_step_6():
    assert sma_lengths(0.999, 1) == pytest.approx((1999.0, 1.0), rel=1e-12)
    lengths = [sma_lengths(0.999, t)[1] for t in range(1, 8)]
    np.testing.assert_allclose(lengths, np.arange(1, 8), atol=0.01)  # ρ_t ≈ t at first ...
    assert lengths[4] < 5 < lengths[5]  # ... just under t: step 5 is un-adapted, 6 adapted
    assert sma_lengths(0.5, 10**6)[1] == pytest.approx(3.0)  # ρ_∞ = 3: never above 5


def test_six_steps_by_hand_five_unadapted_then_one_adapted():
    beta1, beta2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    grads = [2.0, -1.0, 0.5, 3.0, -0.25, 1.5]
    theta = np.array([1.0])
    opt = RAdam(theta, lr=lr, betas=(beta1, beta2), eps=eps)
    expected, m, s = 1.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        opt.step(np.array([g]))
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        rho_inf, rho_t = rho(beta2, t)
        if rho_t > 5:
            adaptive = math.sqrt(1 - beta2**t) / (math.sqrt(s) + eps)
            r = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            expected -= lr * m_hat * r * adaptive
        else:
            expected -= lr * m_hat
        np.testing.assert_allclose(theta, [expected], rtol=1e-13, err_msg=f"step {t}")
    assert t == 6 and rho(beta2, 6)[1] > 5 > rho(beta2, 5)[1]


def test_with_a_short_second_moment_memory_it_is_dampened_momentum_throughout():
    # β₂ = 0.5: ρ_∞ = 3, so every step is θ ← θ − α m̂, whatever the gradients' size.
    theta, expected, m = np.array([0.3, -4.0]), np.array([0.3, -4.0]), np.zeros(2)
    opt = RAdam(theta, lr=0.05, betas=(0.8, 0.5))
    for t in range(1, 31):
        g = np.array([np.sin(t), 100.0 * np.cos(t)])
        opt.step(g)
        m = 0.8 * m + 0.2 * g
        expected = expected - 0.05 * m / (1 - 0.8**t)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)


def test_eps_joins_the_root_before_the_bias_correction():
    # Six equal gradients g: s₆ = (1 − β₂⁶)g², m̂ = g, and l₆ = √(1 − β₂⁶)/(|g|√(1 − β₂⁶) + ε).
    beta2, eps, g = 0.999, 0.5, 2.0
    theta = np.array([0.0])
    opt = RAdam(theta, lr=1.0, betas=(0.0, beta2), eps=eps)
    for _ in range(5):
        opt.step(np.array([g]))
    before = theta.copy()
    opt.step(np.array([g]))
    rho_inf, rho_t = rho(beta2, 6)
    r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    c = 1 - beta2**6
    np.testing.assert_allclose(before - theta, g * r * math.sqrt(c) / (g * math.sqrt(c) + eps))
    # Adam's convention, ε after the correction, would give g·r/(g + ε): 4% more here.
    assert abs((before - theta)[0] - g * r / (g + eps)) > 0.03 * g * r / (g + eps)


@pytest.mark.parametrize("maximize", [False, True])
def test_decoupled_decay_with_a_zero_gradient_only_shrinks_theta(maximize):
    theta = np.array([1.0, -2.0])
    opt = RAdam(theta, lr=0.1, weight_decay=0.5, decoupled_weight_decay=True, maximize=maximize)
    opt.step(np.zeros(2))
    np.testing.assert_array_equal(theta, [0.95, -1.9])  # θ(1 − αλ), m = 0


def test_l2_decay_is_the_gradient_of_the_penalty():
    theta, reference = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    RAdam(theta, lr=0.1, weight_decay=0.5).step(np.zeros(2))
    RAdam(reference, lr=0.1).step(0.5 * reference.copy())  # g = λθ
    np.testing.assert_array_equal(theta, reference)


def test_rate_times_the_first_moment_is_the_step_on_both_branches():
    theta = np.array([1.0, -2.0])
    opt = RAdam(theta, lr=0.1)
    for t in range(1, 9):
        before = theta.copy()
        opt.step(np.array([np.cos(t), 3.0 * np.sin(t)]))
        step = before - theta
        rate_times_m = opt.rates() * opt.state[0]["exp_avg"]
        np.testing.assert_allclose(rate_times_m, step, rtol=1e-13, atol=1e-15)
        if t <= 5:  # un-adapted: the same α/(1 − β₁ᵗ) for every coordinate
            np.testing.assert_allclose(opt.rates(), 0.1 / (1 - 0.9**t), rtol=1e-14)


def test_a_sweep_switches_each_run_at_its_own_step():
    # Rows with β₂ = 0.999 adapt from step 6, the row with β₂ = 0.5 never does.
    thetas = np.ones((2, 2))
    opt = RAdam(thetas, lr=0.1, betas=(0.9, np.array([[0.999], [0.5]])))
    singles = [np.ones(2), np.ones(2)]
    runs = [
        RAdam(singles[0], lr=0.1, betas=(0.9, 0.999)),
        RAdam(singles[1], lr=0.1, betas=(0.9, 0.5)),
    ]
    for t in range(1, 10):
        grads = np.array([[np.sin(t), 2.0], [np.sin(t), 2.0]])
        opt.step(grads)
        for run, g in zip(runs, grads, strict=True):
            run.step(g.copy())
        np.testing.assert_allclose(thetas, np.stack(singles), rtol=1e-13, atol=1e-13)


# -- validation, names, and the guarantees every optimizer gives ---------------------

INVALID = [
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_invalid_hyperparameters_raise_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RAdam(np.zeros(2), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch.optim.RAdam([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"learning_rate": 0.001}, "optlib uses PyTorch's names: write lr=0.001"),
        ({"beta_1": 0.8, "beta_2": 0.99}, "write betas=(0.8, 0.99)"),
        ({"epsilon": 1e-7}, "write eps=1e-07"),
        ({"differentiable": False}, "optlib has one implementation: drop it"),
        ({"decoupled_weight_decy": True}, "did you mean decoupled_weight_decay=True?"),
    ],
)
def test_other_libraries_names_say_what_to_write(kwargs, message):
    key = next(iter(kwargs))
    with pytest.raises(TypeError, match=f"RAdam got an unexpected keyword argument {key!r}"):
        RAdam(np.zeros(2), **kwargs)
    with pytest.raises(TypeError, match=re.escape(message)):
        RAdam(np.zeros(2), **kwargs)


def test_defaults_are_torchs():
    assert RAdam(np.zeros(1)).hyperparameters == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "decoupled_weight_decay": False,
        "maximize": False,
    }


SETTINGS = [
    {"lr": 0.05, "weight_decay": 0.01},
    {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=["l2", "decoupled-maximize"])
@pytest.mark.parametrize("check", conformance.CHECKS, ids=lambda check: check.__name__)
def test_shares_every_optimizers_guarantees(check, kwargs):
    check(RAdam, kwargs)


@pytest.mark.parametrize("decoupled", [False, True])
def test_a_sweep_equals_separate_runs(decoupled):
    conformance.sweep_equals_separate_runs(
        RAdam,
        {"decoupled_weight_decay": decoupled},
        {
            "lr": [0.01, 0.05, 0.1],
            "betas": ([0.0, 0.5, 0.9], [0.5, 0.99, 0.999]),
            "eps": [1e-8, 1e-4, 1e-2],
            "weight_decay": [0.0, 0.01, 0.1],
        },
    )
