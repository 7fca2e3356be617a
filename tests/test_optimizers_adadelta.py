"""Tests for optlib.optimizers.adadelta: Adadelta against torch.optim.Adadelta and by hand.

Expected values come from PyTorch (live, or stored in reference/adadelta.npz by
reference/make_adadelta.py) or from the algorithm written out here, never from
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

from optlib.optimizers import Adadelta, Adam, RMSprop

REFERENCE = Path(__file__).parent / "reference" / "adadelta.npz"
CASES, TRAJECTORIES = ref.read(REFERENCE)
IDS = [ref.case_id(case) for case in CASES]
EVERYTHING_ON = {"lr": 1.0, "rho": 0.9, "weight_decay": 0.05}


# -- parity with torch.optim.Adadelta -----------------------------------------------


def test_the_stored_table_is_every_combination_of_the_scripts_options():
    ref.assert_stored_table_is_the_scripts(CASES, "adadelta")
    assert len(CASES) == 2 * (2**3 + 2)  # three on/off options and two with rho = 1


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_follows_the_stored_torch_runs(index):
    ours = ref.optlib_path(Adadelta, CASES[index])[ref.EVERY - 1 :: ref.EVERY]
    ref.assert_close_to_torch(ours, TRAJECTORIES[index], CASES[index])


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_follows_torch_live_at_every_step(case):
    pytest.importorskip("torch")
    ref.assert_follows_torch_live("Adadelta", Adadelta, case)


@pytest.mark.torch
def test_a_hand_over_mid_run_follows_torch_handing_over_too():
    pytest.importorskip("torch")
    case = {"kwargs": EVERYTHING_ON, "dtype": "float64"}
    ours = ref.optlib_path(Adadelta, case, handover_at=150)
    ref.assert_close_to_torch(ours, ref.torch_path("Adadelta", case, handover_at=150), case)
    np.testing.assert_array_equal(ours, ref.optlib_path(Adadelta, case))  # continues bitwise


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    lr=st.floats(0.05, 1.0),
    rho=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
    weight_decay=st.sampled_from([0.0, 0.01, 0.1]),
    maximize=st.booleans(),
)
def test_drawn_hyperparameters_follow_torch(lr, rho, eps, weight_decay, maximize):
    pytest.importorskip("torch")
    kwargs = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay}
    ref.assert_drawn_run_follows_torch("Adadelta", Adadelta, {**kwargs, "maximize": maximize}, 100)


@pytest.mark.torch
def test_state_dict_has_torch_entries_and_values():
    pytest.importorskip("torch")
    ref.assert_torch_state_layout("Adadelta", Adadelta, EVERYTHING_ON)


@pytest.mark.torch
def test_signature_is_torchs():
    pytest.importorskip("torch")
    ref.assert_torch_signature("Adadelta", Adadelta)


# -- the algorithm written out ------------------------------------------------------


def test_three_steps_by_hand():
    lr, rho, eps = 0.5, 0.8, 1e-4
    theta = np.array([1.0])
    opt = Adadelta(theta, lr=lr, rho=rho, eps=eps)
    expected, s, u = 1.0, 0.0, 0.0
    for g in [3.0, -1.0, 0.5]:
        opt.step(np.array([g]))
        s = rho * s + (1 - rho) * g * g
        delta = math.sqrt(u + eps) / math.sqrt(s + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        expected -= lr * delta
        np.testing.assert_allclose(theta, [expected], rtol=1e-15)
        np.testing.assert_allclose(opt.state[0]["acc_delta"], [u], rtol=1e-14)


def test_the_first_steps_are_about_the_root_of_eps_over_one_minus_rho():
    theta = np.zeros(3)
    Adadelta(theta, rho=0.9, eps=1e-6).step(np.array([1e3, 1.0, -10.0]))
    # Δ₁ = √ε/√((1 − ρ)g² + ε)·g ≈ √(ε/(1 − ρ))·sign(g) once g² ≫ ε/(1 − ρ)
    np.testing.assert_allclose(theta, -np.sqrt(1e-5) * np.array([1, 1, -1]), rtol=1e-4)


def test_rho_one_freezes_both_averages_and_leaves_gradient_descent():
    theta, reference = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    opt = Adadelta(theta, lr=0.3, rho=1.0)
    for _ in range(5):
        g = np.sin(theta) + theta
        opt.step(g)
        reference -= 0.3 * (np.sin(reference) + reference)
    np.testing.assert_array_equal(theta, reference)  # √(0 + ε)/√(0 + ε) = 1 exactly
    np.testing.assert_array_equal(opt.state[0]["square_avg"], 0.0)


def test_rho_zero_remembers_only_the_last_gradient_and_step():
    theta = np.array([0.0])
    opt = Adadelta(theta, rho=0.0, eps=1e-2)
    opt.step(np.array([4.0]))  # Δ₁ = √ε/√(16 + ε)·4
    delta1 = math.sqrt(1e-2) / math.sqrt(16 + 1e-2) * 4
    opt.step(np.array([1.0]))  # s₂ = 1, u₁ = Δ₁²: Δ₂ = √(Δ₁² + ε)/√(1 + ε)
    delta2 = math.sqrt(delta1**2 + 1e-2) / math.sqrt(1 + 1e-2)
    np.testing.assert_allclose(theta, [-delta1 - delta2], rtol=1e-15)


def test_l2_decay_is_the_gradient_of_the_penalty():
    theta, reference = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    Adadelta(theta, weight_decay=0.5).step(np.full(2, 0.25))
    Adadelta(reference).step(0.25 + 0.5 * reference)  # g = ∇f + λθ
    np.testing.assert_array_equal(theta, reference)


def test_maximize_is_minimizing_the_negated_objective():
    up, down = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    ascent, descent = Adadelta(up, maximize=True), Adadelta(down)
    for _ in range(5):
        ascent.step(np.sin(up))
        descent.step(-np.sin(down))
    np.testing.assert_array_equal(up, down)


def test_there_is_no_per_coordinate_rate():
    opt = Adadelta(np.ones(2))
    opt.step(np.ones(2))
    with pytest.raises(ValueError, match="Adadelta defines no per-coordinate learning rate"):
        opt.rates()


# -- validation, names, and the guarantees every optimizer gives ---------------------

INVALID = [
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"rho": 1.5}, "Invalid rho value: 1.5"),
    ({"rho": -0.1}, "Invalid rho value: -0.1"),
    ({"eps": -1e-6}, "Invalid epsilon value: -1e-06"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_invalid_hyperparameters_raise_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Adadelta(np.zeros(2), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch.optim.Adadelta([torch.zeros(2, requires_grad=True)], **kwargs)


def test_rho_takes_both_ends_of_the_interval_and_arrays_are_checked_entry_by_entry():
    Adadelta(np.zeros(2), rho=0.0)
    Adadelta(np.zeros(2), rho=1.0)
    with pytest.raises(ValueError, match=re.escape("Invalid rho value: 1.1 (in an array")):
        Adadelta(np.zeros((2, 2)), rho=np.array([[0.9], [1.1]]))
    opt = Adadelta(np.zeros(2))
    with pytest.raises(ValueError, match="rho must be finite"):
        opt.rho = float("nan")
    assert opt.rho == 0.9


@pytest.mark.parametrize(
    "kwargs, message",
    [  # Keras's Adadelta(learning_rate, rho, epsilon), and torch's own options
        ({"learning_rate": 1.0}, "optlib uses PyTorch's names: write lr=1.0"),
        ({"epsilon": 1e-7}, "write eps=1e-07"),
        ({"capturable": False}, "optlib has one implementation: drop it"),
        ({"beta_1": 0.9}, "its arguments are params, lr, rho, eps, weight_decay, maximize"),
    ],
)
def test_other_libraries_names_say_what_to_write(kwargs, message):
    key = next(iter(kwargs))
    with pytest.raises(TypeError, match=f"Adadelta got an unexpected keyword argument {key!r}"):
        Adadelta(np.zeros(2), **kwargs)
    with pytest.raises(TypeError, match=re.escape(message)):
        Adadelta(np.zeros(2), **kwargs)


def test_rho_is_adadeltas_own_name_and_still_rmsprops_alpha():
    # Keras's Adadelta(rho=0.95) is torch's too: no hint, the value is taken.
    assert Adadelta(np.zeros(2), rho=0.95).rho == 0.95
    # RMSprop's decay is alpha in torch; Keras's rho= still gets the hint there.
    with pytest.raises(TypeError, match=re.escape("write alpha=0.9")):
        RMSprop(np.zeros(2), rho=0.9)
    # where neither name is an argument, no hint points at alpha
    with pytest.raises(TypeError) as info:
        Adam(np.zeros(2), rho=0.9)
    assert "alpha" not in str(info.value)


def test_defaults_are_torchs():
    assert Adadelta(np.zeros(1)).hyperparameters == {
        "lr": 1.0,
        "rho": 0.9,
        "eps": 1e-6,
        "weight_decay": 0.0,
        "maximize": False,
    }


SETTINGS = [{"rho": 0.9, "weight_decay": 0.01}, {"lr": 0.5, "rho": 0.0, "maximize": True}]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=["l2", "rho-0-maximize"])
@pytest.mark.parametrize("check", conformance.CHECKS, ids=lambda check: check.__name__)
def test_shares_every_optimizers_guarantees(check, kwargs):
    check(Adadelta, kwargs)


def test_a_sweep_equals_separate_runs():
    conformance.sweep_equals_separate_runs(
        Adadelta,
        {},
        {
            "lr": [0.1, 0.5, 1.0],
            "rho": [0.0, 0.9, 1.0],
            "eps": [1e-8, 1e-6, 1e-2],
            "weight_decay": [0.0, 0.01, 0.1],
        },
    )
