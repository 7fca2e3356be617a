"""Tests for optlib.optimizers.adamax: Adamax against torch.optim.Adamax and by hand.

Expected values come from PyTorch (live, or stored in reference/adamax.npz by
reference/make_adamax.py) or from the algorithm written out here, never from
optlib's own output. The guarantees every optimizer shares (atomic calls,
hand-overs, blocks, dtypes) are ``optimizer_conformance.CHECKS``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import optimizer_conformance as conformance
import pytest
import torch_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from optlib.optimizers import Adamax

REFERENCE = Path(__file__).parent / "reference" / "adamax.npz"
CASES, TRAJECTORIES = ref.read(REFERENCE)
IDS = [ref.case_id(case) for case in CASES]
EVERYTHING_ON = {"lr": 0.05, "eps": 0.1, "weight_decay": 0.05}


# -- parity with torch.optim.Adamax -------------------------------------------------


def test_the_stored_table_is_every_combination_of_the_scripts_options():
    ref.assert_stored_table_is_the_scripts(CASES, "adamax")
    assert len(CASES) == 2 * 2**3  # three on/off options, float64 and float32


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_follows_the_stored_torch_runs(index):
    ours = ref.optlib_path(Adamax, CASES[index])[ref.EVERY - 1 :: ref.EVERY]
    ref.assert_close_to_torch(ours, TRAJECTORIES[index], CASES[index])


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_follows_torch_live_at_every_step(case):
    pytest.importorskip("torch")
    ref.assert_follows_torch_live("Adamax", Adamax, case)


@pytest.mark.torch
def test_a_hand_over_mid_run_follows_torch_handing_over_too():
    pytest.importorskip("torch")
    case = {"kwargs": EVERYTHING_ON, "dtype": "float64"}
    ours = ref.optlib_path(Adamax, case, handover_at=150)
    ref.assert_close_to_torch(ours, ref.torch_path("Adamax", case, handover_at=150), case)
    np.testing.assert_array_equal(ours, ref.optlib_path(Adamax, case))  # and continues bitwise


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    lr=st.floats(1e-3, 0.05),
    beta1=st.floats(0.0, 0.95),
    beta2=st.floats(0.0, 0.9999),
    eps=st.sampled_from([1e-8, 1e-4, 0.1]),
    weight_decay=st.sampled_from([0.0, 0.01, 0.1]),
    maximize=st.booleans(),
)
def test_drawn_hyperparameters_follow_torch(lr, beta1, beta2, eps, weight_decay, maximize):
    pytest.importorskip("torch")
    kwargs = {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}
    ref.assert_drawn_run_follows_torch("Adamax", Adamax, {**kwargs, "maximize": maximize}, 100)


@pytest.mark.torch
def test_state_dict_has_torch_entries_and_values():
    pytest.importorskip("torch")
    ref.assert_torch_state_layout("Adamax", Adamax, EVERYTHING_ON)


@pytest.mark.torch
def test_signature_is_torchs():
    pytest.importorskip("torch")
    ref.assert_torch_signature("Adamax", Adamax)


# -- the algorithm written out ------------------------------------------------------


def test_three_steps_by_hand_as_the_maximum_decays():
    beta1, beta2, lr, eps = 0.9, 0.5, 0.1, 1e-3
    theta = np.array([1.0, -1.0])
    opt = Adamax(theta, lr=lr, betas=(beta1, beta2), eps=eps)
    expected, m, u = theta.copy(), np.zeros(2), np.zeros(2)
    for t, g in enumerate([np.array([4.0, 0.1]), np.array([1.0, 0.2]), np.array([-1.5, 0.0])], 1):
        opt.step(g)
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        expected = expected - lr / (1 - beta1**t) * m / u
        np.testing.assert_allclose(opt.state[0]["exp_inf"], u, rtol=1e-15)
        np.testing.assert_allclose(theta, expected, rtol=1e-14, err_msg=f"step {t}")
    # In the first coordinate u₃ = |g₃| + ε took over; in the second, the decayed maximum stayed.
    np.testing.assert_allclose(opt.state[0]["exp_inf"], [1.501, 0.1005], rtol=1e-15)


def test_eps_is_added_inside_the_maximum_not_to_the_denominator():
    # torch keeps u = max(β₂u, |g| + ε), so ε decays with u; Keras keeps max(β₂u, |g|)
    # and divides by u + ε. After g = 2 then g = 0 (β₁ = β₂ = ½, ε = 2): torch's u₂ is
    # max(½·4, 2) = 2, Keras's denominator max(½·2, 0) + 2 = 3.
    theta = np.array([0.0])
    opt = Adamax(theta, lr=1.0, betas=(0.5, 0.5), eps=2.0)
    opt.step(np.array([2.0]))  # m₁ = 1, u₁ = 4: θ₁ = −1/(1 − ½) · 1/4
    opt.step(np.array([0.0]))  # m₂ = ½, u₂ = 2: θ₂ = θ₁ − 1/(1 − ¼) · ½/2
    torch_rule = -1 / 0.5 / 4 - 1 / 0.75 * 0.5 / 2
    np.testing.assert_allclose(theta, [torch_rule], rtol=1e-15)
    keras_rule = -1 / 0.5 * 1 / (2 + 2) - 1 / 0.75 * 0.5 / (max(0.5 * 2, 0.0) + 2)
    assert abs(theta[0] - keras_rule) > 0.1


def test_first_step_is_lr_times_sign_whatever_the_gradients_size():
    theta = np.array([1.0, -2.0, 0.5])
    Adamax(theta, lr=0.1, eps=0.0).step(np.array([1e6, -1e-6, 3.0]))
    np.testing.assert_allclose(theta, [0.9, -1.9, 0.4], rtol=1e-15)


def test_l2_decay_is_the_gradient_of_the_penalty():
    theta, reference = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    Adamax(theta, lr=0.1, weight_decay=0.5).step(np.full(2, 0.25))
    Adamax(reference, lr=0.1).step(0.25 + 0.5 * reference)  # g = ∇f + λθ
    np.testing.assert_array_equal(theta, reference)


def test_maximize_is_minimizing_the_negated_objective():
    up, down = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    ascent, descent = Adamax(up, lr=0.1, maximize=True), Adamax(down, lr=0.1)
    for _ in range(5):
        ascent.step(np.sin(up))
        descent.step(-np.sin(down))
    np.testing.assert_array_equal(up, down)


def test_rate_times_the_first_moment_is_the_step():
    theta = np.array([1.0, -2.0])
    opt = Adamax(theta, lr=0.1)
    for t in range(1, 6):
        before = theta.copy()
        opt.step(np.array([np.cos(t), 3.0 * np.sin(t)]))
        rate_times_m = opt.rates() * opt.state[0]["exp_avg"]
        np.testing.assert_allclose(rate_times_m, before - theta, rtol=1e-12, atol=1e-15)


# -- validation, names, and the guarantees every optimizer gives ---------------------

INVALID = [
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ({"betas": (-0.5, 0.999)}, "Invalid beta parameter at index 0: -0.5"),
    ({"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_invalid_hyperparameters_raise_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Adamax(np.zeros(2), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch.optim.Adamax([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [  # Keras's Adamax(learning_rate, beta_1, beta_2, epsilon), and torch's own options
        ({"learning_rate": 0.001}, "optlib uses PyTorch's names: write lr=0.001"),
        ({"beta_1": 0.8}, "write betas=(0.8, 0.999)"),
        ({"b2": 0.99}, "write betas=(0.9, 0.99)"),
        ({"epsilon": 1e-7}, "write eps=1e-07"),
        ({"foreach": None}, "optlib has one implementation: drop it"),
        ({"decoupled_weight_decay": True}, "use AdamW(params, weight_decay=...)"),
        ({"use_ema": True}, "a Keras option that optlib does not have"),
    ],
)
def test_other_libraries_names_say_what_to_write(kwargs, message):
    key = next(iter(kwargs))
    with pytest.raises(TypeError, match=f"Adamax got an unexpected keyword argument {key!r}"):
        Adamax(np.zeros(2), **kwargs)
    with pytest.raises(TypeError, match=re.escape(message)):
        Adamax(np.zeros(2), **kwargs)


def test_defaults_are_torchs():
    assert Adamax(np.zeros(1)).hyperparameters == {
        "lr": 2e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "maximize": False,
    }


SETTINGS = [{"lr": 0.05, "weight_decay": 0.01}, {"lr": 0.05, "eps": 0.1, "maximize": True}]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=["l2", "eps-maximize"])
@pytest.mark.parametrize("check", conformance.CHECKS, ids=lambda check: check.__name__)
def test_shares_every_optimizers_guarantees(check, kwargs):
    check(Adamax, kwargs)


def test_a_sweep_equals_separate_runs():
    conformance.sweep_equals_separate_runs(
        Adamax,
        {},
        {
            "lr": [0.01, 0.05, 0.1],
            "betas": ([0.0, 0.5, 0.9], [0.0, 0.9, 0.999]),
            "eps": [1e-8, 1e-4, 1e-1],
            "weight_decay": [0.0, 0.01, 0.1],
        },
    )
