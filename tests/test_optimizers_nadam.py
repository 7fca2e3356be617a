"""Tests for optlib.optimizers.nadam: NAdam against torch.optim.NAdam and by hand.

Expected values come from PyTorch (live, or stored in reference/nadam.npz by
reference/make_nadam.py) or from the algorithm written out here, never from
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
from optimizer_parity import gradient

from optlib.optimizers import NAdam

REFERENCE = Path(__file__).parent / "reference" / "nadam.npz"
CASES, TRAJECTORIES = ref.read(REFERENCE)
IDS = [ref.case_id(case) for case in CASES]
EVERYTHING_ON = {"lr": 0.02, "weight_decay": 0.05, "decoupled_weight_decay": True}


# -- parity with torch.optim.NAdam --------------------------------------------------


def test_the_stored_table_is_every_combination_of_the_scripts_options():
    ref.assert_stored_table_is_the_scripts(CASES, "nadam")
    assert len(CASES) == 2 * 2**4  # four on/off options, float64 and float32


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_follows_the_stored_torch_runs(index):
    ours = ref.optlib_path(NAdam, CASES[index])[ref.EVERY - 1 :: ref.EVERY]
    ref.assert_close_to_torch(ours, TRAJECTORIES[index], CASES[index])


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_follows_torch_live_at_every_step(case):
    pytest.importorskip("torch")
    ref.assert_follows_torch_live("NAdam", NAdam, case)


@pytest.mark.torch
@pytest.mark.parametrize("momentum_decay", [4e-3, 0.0])
def test_a_hand_over_mid_run_follows_torch_handing_over_too(momentum_decay):
    # At step 150 the product Π has underflowed (float32) on both sides, so torch's
    # load_state_dict, which converts it to the parameters' dtype, changes nothing.
    pytest.importorskip("torch")
    case = {"kwargs": {**EVERYTHING_ON, "momentum_decay": momentum_decay}, "dtype": "float64"}
    ours = ref.optlib_path(NAdam, case, handover_at=150)
    ref.assert_close_to_torch(ours, ref.torch_path("NAdam", case, handover_at=150), case)
    np.testing.assert_array_equal(ours, ref.optlib_path(NAdam, case))  # and continues bitwise


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    lr=st.floats(1e-3, 0.03),
    beta1=st.floats(0.0, 0.95),
    beta2=st.floats(0.9, 0.9999),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
    weight_decay=st.sampled_from([0.0, 0.01, 0.1]),
    momentum_decay=st.one_of(st.just(0.0), st.floats(1e-4, 0.5)),
    decoupled_weight_decay=st.booleans(),
    maximize=st.booleans(),
)
def test_drawn_hyperparameters_follow_torch(lr, beta1, beta2, eps, weight_decay, **switches):
    pytest.importorskip("torch")
    kwargs = {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}
    ref.assert_drawn_run_follows_torch("NAdam", NAdam, {**kwargs, **switches}, steps=100)


@pytest.mark.torch
def test_state_dict_has_torch_entries_and_values():
    pytest.importorskip("torch")
    ref.assert_torch_state_layout("NAdam", NAdam, EVERYTHING_ON)


@pytest.mark.torch
def test_mu_product_is_rounded_to_float32_as_torch_keeps_it():
    torch = pytest.importorskip("torch")
    kwargs = {"lr": 0.02, "betas": (0.97, 0.999), "momentum_decay": 0.3}
    params = [np.array([1.0, -0.5])]
    tensor = torch.tensor([1.0, -0.5], dtype=torch.float64, requires_grad=True)
    ours, theirs = NAdam(params, **kwargs), torch.optim.NAdam([tensor], foreach=False, **kwargs)
    for _ in range(60):
        ours.step(gradient(params))
        tensor.grad = torch.from_numpy(gradient([tensor])[0])
        theirs.step()
        product = theirs.state[tensor]["mu_product"]
        assert product.dtype == torch.float32  # whatever the parameter's dtype
        assert ours.state[0]["mu_product"] == product.item()  # bit for bit


@pytest.mark.torch
def test_signature_is_torchs():
    pytest.importorskip("torch")
    ref.assert_torch_signature("NAdam", NAdam)


# -- the algorithm written out ------------------------------------------------------


def mu(beta1: float, psi: float, t: int) -> float:
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def test_first_step_by_hand():
    beta1, beta2, psi, lr, eps = 0.9, 0.999, 4e-3, 0.1, 1e-8
    theta0, g = np.array([1.0, -2.0]), np.array([3.0, -0.02])
    theta = theta0.copy()
    NAdam(theta, lr=lr).step(g)
    mu1, mu2 = mu(beta1, psi, 1), mu(beta1, psi, 2)
    m, s = (1 - beta1) * g, (1 - beta2) * g**2
    m_hat = mu2 * m / (1 - mu1 * mu2) + (1 - mu1) * g / (1 - mu1)
    expected = theta0 - lr * m_hat / (np.sqrt(s / (1 - beta2)) + eps)
    # Π₁ is μ₁ rounded to float32: the formula with the exact μ₁ agrees to about 1e-8.
    np.testing.assert_allclose(theta, expected, rtol=1e-7)


def test_two_steps_by_hand_where_the_momentum_is_exact():
    # ψ = 0 holds μ at β₁/2 = 0.25, a power of two: Π_t = 0.25ᵗ has no rounding at all.
    beta1, beta2, lr, eps = 0.5, 0.9, 0.05, 1e-8
    theta = np.array([0.7])
    opt = NAdam(theta, lr=lr, betas=(beta1, beta2), eps=eps, momentum_decay=0.0)
    expected, m, s, product = 0.7, 0.0, 0.0, 1.0
    for t, g in [(1, 2.0), (2, -1.0)]:
        opt.step(np.array([g]))
        product *= 0.25
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        m_hat = 0.25 * m / (1 - product * 0.25) + (1 - 0.25) * g / (1 - product)
        expected -= lr * m_hat / (np.sqrt(s / (1 - beta2**t)) + eps)
        assert opt.state[0]["mu_product"] == product
    np.testing.assert_allclose(theta, [expected], rtol=1e-14)


def test_momentum_decay_warms_mu_up_from_half_beta1_towards_beta1():
    beta1 = 0.9
    assert mu(beta1, 0.0, 1000) == beta1 / 2
    assert mu(beta1, 4e-3, 1) == pytest.approx(0.45007, abs=1e-5)
    assert mu(beta1, 4e-3, 10_000) == pytest.approx(beta1 * (1 - 0.5 * 0.96**40), rel=1e-12)
    # what the optimizer multiplied into Π over three steps
    opt = NAdam(np.zeros(1), betas=(beta1, 0.999), momentum_decay=0.5)
    for _ in range(3):
        opt.step(np.ones(1))
    expected = mu(beta1, 0.5, 1) * mu(beta1, 0.5, 2) * mu(beta1, 0.5, 3)
    assert opt.state[0]["mu_product"] == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("maximize", [False, True])
def test_decoupled_decay_with_a_zero_gradient_only_shrinks_theta(maximize):
    theta = np.array([1.0, -2.0])
    opt = NAdam(theta, lr=0.1, weight_decay=0.5, decoupled_weight_decay=True, maximize=maximize)
    opt.step(np.zeros(2))
    np.testing.assert_array_equal(theta, [0.95, -1.9])  # θ(1 − αλ), m = s = 0


def test_l2_decay_is_the_gradient_of_the_penalty():
    theta, reference = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    NAdam(theta, lr=0.1, weight_decay=0.5).step(np.zeros(2))
    NAdam(reference, lr=0.1).step(0.5 * reference.copy())  # g = λθ
    np.testing.assert_array_equal(theta, reference)


def test_maximize_is_minimizing_the_negated_objective():
    up, down = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    ascent, descent = NAdam(up, lr=0.1, maximize=True), NAdam(down, lr=0.1)
    for _ in range(5):
        ascent.step(np.sin(up))
        descent.step(-np.sin(down))
    np.testing.assert_array_equal(up, down)


def test_rate_is_what_multiplies_the_look_ahead_moment():
    theta = np.array([1.0, -2.0])
    opt = NAdam(theta, lr=0.1, eps=1e-3)
    opt.step(np.array([4.0, -0.5]))
    s = 0.001 * np.array([16.0, 0.25])
    np.testing.assert_allclose(opt.rates(), 0.1 / (np.sqrt(s / 0.001) + 1e-3), rtol=1e-14)


# -- validation, names, and the guarantees every optimizer gives ---------------------

INVALID = [
    ({"lr": -1.0}, "Invalid learning rate: -1.0"),
    ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ({"momentum_decay": -0.004}, "Invalid momentum_decay value: -0.004"),
]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_invalid_hyperparameters_raise_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        NAdam(np.zeros(2), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=[m for _, m in INVALID])
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch.optim.NAdam([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"decoupled_weight_decay": 1}, "decoupled_weight_decay must be True or False, got 1"),
        ({"momentum_decay": float("nan")}, "momentum_decay must be finite"),
        ({"momentum_decay": "fast"}, "momentum_decay must be a number"),
    ],
)
def test_non_numbers_and_non_booleans_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        NAdam(np.zeros(2), **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [  # Keras's Nadam(learning_rate, beta_1, beta_2, epsilon), and torch's own options
        ({"learning_rate": 0.001}, "optlib uses PyTorch's names: write lr=0.001"),
        ({"beta_1": 0.8}, "write betas=(0.8, 0.999)"),
        ({"beta_2": 0.99}, "write betas=(0.9, 0.99)"),
        ({"epsilon": 1e-7}, "write eps=1e-07"),
        ({"momentum": 0.8}, "write betas=(0.8, 0.999)"),
        ({"foreach": False}, "optlib has one implementation: drop it"),
        ({"capturable": True}, "drop it"),
        ({"momentum_decy": 0.1}, "did you mean momentum_decay=0.1?"),
    ],
)
def test_other_libraries_names_say_what_to_write(kwargs, message):
    key = next(iter(kwargs))
    with pytest.raises(TypeError, match=f"NAdam got an unexpected keyword argument {key!r}"):
        NAdam(np.zeros(2), **kwargs)
    with pytest.raises(TypeError, match=re.escape(message)):
        NAdam(np.zeros(2), **kwargs)


def test_defaults_are_torchs():
    opt = NAdam(np.zeros(1))
    assert opt.hyperparameters == {
        "lr": 2e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
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
    check(NAdam, kwargs)


@pytest.mark.parametrize("decoupled", [False, True])
def test_a_sweep_equals_separate_runs(decoupled):
    conformance.sweep_equals_separate_runs(
        NAdam,
        {"decoupled_weight_decay": decoupled},
        {
            "lr": [0.01, 0.05, 0.1],
            "betas": ([0.0, 0.5, 0.9], [0.9, 0.99, 0.999]),
            "eps": [1e-8, 1e-4, 1e-2],
            "weight_decay": [0.0, 0.01, 0.1],
            "momentum_decay": [0.0, 4e-3, 0.5],
        },
    )


def test_a_sweep_leaves_mu_product_one_per_run_and_a_later_load_takes_it():
    thetas = np.ones((3, 2))
    opt = NAdam(thetas, betas=(np.array([[0.0], [0.5], [0.9]]), 0.999))
    opt.step(np.ones((3, 2)))
    product = opt.state[0]["mu_product"]
    assert product.shape == (3, 1)
    np.testing.assert_allclose(product[:, 0], [0.0, 0.25, 0.45], atol=1e-4)
    again = NAdam(np.ones((3, 2)))
    again.load_state_dict(opt.state_dict())
    np.testing.assert_array_equal(again.state[0]["mu_product"], product)
