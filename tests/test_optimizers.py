"""Tests for optlib.optimizers.

Expected values come from PyTorch (live, or stored in reference/optimizers.npz by
reference/make_optimizers.py) or from closed forms written out here by hand,
never from optlib's own output.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import itertools
import json
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlib.optimizers as optimizers
from optlib.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop

REFERENCE = Path(__file__).parent / "reference" / "optimizers.npz"
with np.load(REFERENCE) as _data:
    A, B, THETA0 = _data["A"], _data["b"], _data["theta0"]
    CASES = json.loads(str(_data["cases"]))
    TRAJECTORIES = [_data[f"trajectory_{i:03d}"] for i in range(len(CASES))]
STEPS, EVERY = 300, 25
CLASSES = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}

# Parameters are O(1). The absolute floor only matters where a coordinate crosses
# zero (measured: float64 differences stay below 1e-15 absolute, 1e-11 relative).
# float32 runs round differently in NumPy and torch (measured: below 5e-7 absolute).
RTOL = {"float64": 1e-10, "float32": 1e-5}
ATOL = {"float64": 1e-13, "float32": 2e-6}


# ---------------------------------------------------------------------------
# The test problem: f(θ) = ½ θᵀAθ − bᵀθ on the parameters concatenated
# ---------------------------------------------------------------------------


def _reference_script():
    """tests/reference/make_optimizers.py as a module (it imports torch only when run)."""
    path = REFERENCE.parent / "make_optimizers.py"
    spec = importlib.util.spec_from_file_location("make_optimizers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_REFERENCE_GRADIENT = _reference_script().gradient


def gradient(params: list[np.ndarray], maximize: bool) -> list[np.ndarray]:
    """∇f (of −f when maximizing, so that ascent converges), split like ``params``:
    the very gradient the reference trajectories were generated with."""
    return _REFERENCE_GRADIENT(A, B, params, maximize)


def initial_params(case: dict) -> list[np.ndarray]:
    params, start = [], 0
    for shape in case["shapes"]:
        size = int(np.prod(shape))
        params.append(THETA0[start : start + size].reshape(shape).astype(case["dtype"]))
        start += size
    return params


def flat(params: list) -> np.ndarray:
    return np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in params])


def case_id(case: dict) -> str:
    options = [
        key if value is True else f"{key}={value}"
        for key, value in case["kwargs"].items()
        if key != "lr" and value not in (0, 0.0, False)
    ]
    extra = ["multi"] if len(case["shapes"]) > 1 else []
    extra += ["float32"] if case["dtype"] == "float32" else []
    return "-".join([case["optimizer"], *options, *extra])


CASE_IDS = [case_id(case) for case in CASES]


def optlib_trajectory(case: dict) -> np.ndarray:
    params = initial_params(case)
    opt = CLASSES[case["optimizer"]](params, **case["kwargs"])
    maximize = case["kwargs"].get("maximize", False)
    snapshots = [flat(params)]
    for step in range(1, STEPS + 1):
        opt.step(gradient(params, maximize))
        if step % EVERY == 0:
            snapshots.append(flat(params))
    return np.array(snapshots)


def quadratic_run(opt_class: type, steps: int, theta: np.ndarray, **kwargs) -> np.ndarray:
    """Run ``steps`` steps on f from ``theta`` (updated in place) and return it."""
    opt = opt_class(theta, **kwargs)
    for _ in range(steps):
        opt.step(gradient([theta], kwargs.get("maximize", False)))
    return theta


# ---------------------------------------------------------------------------
# Parity with torch.optim over 300 steps, every option combination
# ---------------------------------------------------------------------------


def test_reference_covers_every_option_combination():
    counts: dict[str, int] = {}
    for case in CASES:
        if case["dtype"] == "float64" and len(case["shapes"]) == 1:
            counts[case["optimizer"]] = counts.get(case["optimizer"], 0) + 1
    # SGD: 2^5 combinations minus the 12 with nesterov but no momentum or with dampening.
    assert counts == {"SGD": 20, "Adagrad": 16, "RMSprop": 16, "Adam": 8, "AdamW": 8}
    assert len(set(CASE_IDS)) == len(CASES)
    assert {case["optimizer"] for case in CASES if len(case["shapes"]) > 1} == set(CLASSES)
    assert {case["optimizer"] for case in CASES if case["dtype"] == "float32"} == set(CLASSES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_stored_torch(index):
    case = CASES[index]
    np.testing.assert_allclose(
        optlib_trajectory(case),
        TRAJECTORIES[index],
        rtol=RTOL[case["dtype"]],
        atol=ATOL[case["dtype"]],
    )


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_trajectory_matches_live_torch(case):
    torch = pytest.importorskip("torch")
    params = initial_params(case)
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    ours = CLASSES[case["optimizer"]](params, **case["kwargs"])
    theirs = getattr(torch.optim, case["optimizer"])(tensors, foreach=False, **case["kwargs"])
    maximize = case["kwargs"].get("maximize", False)
    ours_all, theirs_all = [], []
    for _ in range(STEPS):
        ours.step(gradient(params, maximize))
        torch_values = [t.detach().numpy() for t in tensors]
        for t, g in zip(tensors, gradient(torch_values, maximize), strict=True):
            t.grad = torch.from_numpy(g)
        theirs.step()
        ours_all.append(flat(params))
        theirs_all.append(flat([t.detach().numpy() for t in tensors]))
    for p in params:
        assert p.dtype == np.dtype(case["dtype"])
    np.testing.assert_allclose(
        np.array(ours_all),
        np.array(theirs_all),
        rtol=RTOL[case["dtype"]],
        atol=ATOL[case["dtype"]],
    )


@pytest.mark.torch
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", {"momentum": 0.9}),
        ("Adagrad", {}),
        ("RMSprop", {"momentum": 0.9, "centered": True}),
        ("Adam", {"amsgrad": True}),
        ("AdamW", {"amsgrad": True}),
    ],
)
def test_state_dict_uses_torch_layout(name, kwargs):
    torch = pytest.importorskip("torch")
    theta = THETA0.copy()
    tensor = torch.tensor(theta.copy(), requires_grad=True)
    ours = CLASSES[name](theta, **kwargs)
    theirs = getattr(torch.optim, name)([tensor], foreach=False, **kwargs)
    for _ in range(3):
        ours.step(gradient([theta], False))
        tensor.grad = torch.from_numpy(gradient([tensor.detach().numpy()], False)[0])
        theirs.step()
    ours_dict, theirs_dict = ours.state_dict(), theirs.state_dict()
    assert ours_dict["state"].keys() == theirs_dict["state"].keys() == {0}
    assert ours_dict["state"][0].keys() == theirs_dict["state"][0].keys()
    for key, value in theirs_dict["state"][0].items():
        np.testing.assert_allclose(ours_dict["state"][0][key], value.numpy(), rtol=1e-12)
    our_group, their_group = ours_dict["param_groups"][0], theirs_dict["param_groups"][0]
    assert our_group.keys() <= their_group.keys()
    for key, value in our_group.items():
        assert value == their_group[key], key


# ---------------------------------------------------------------------------
# Closed forms and identities
# ---------------------------------------------------------------------------

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
magnitudes = st.floats(1e-6, 1e6)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    lr=st.floats(0, 1),
    weight_decay=st.sampled_from([0.0, 0.01, 0.5]),
    maximize=st.booleans(),
)
def test_sgd_step_is_theta_minus_lr_times_gradient(data, shape, lr, weight_decay, maximize):
    theta = data.draw(hnp.arrays(np.float64, shape, elements=finite))
    grad = data.draw(hnp.arrays(np.float64, shape, elements=finite))
    theta0 = theta.copy()
    SGD(theta, lr=lr, weight_decay=weight_decay, maximize=maximize).step(grad)
    direction = (-grad if maximize else grad) + weight_decay * theta0
    np.testing.assert_allclose(theta, theta0 - lr * direction, rtol=1e-13, atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(
    grad=hnp.arrays(np.float64, 4, elements=magnitudes),
    signs=hnp.arrays(np.float64, 4, elements=st.sampled_from([-1.0, 1.0])),
    lr=st.floats(1e-4, 1),
    beta1=st.floats(0, 0.99),
    beta2=st.floats(0, 0.9999),
    amsgrad=st.booleans(),
    decoupled=st.booleans(),
)
def test_adam_first_step_is_lr_times_sign(grad, signs, lr, beta1, beta2, amsgrad, decoupled):
    grad = grad * signs
    theta = np.linspace(-1, 1, 4)
    theta0 = theta.copy()
    opt_class = AdamW if decoupled else Adam
    opt_class(theta, lr=lr, betas=(beta1, beta2), weight_decay=0.0, amsgrad=amsgrad).step(grad)
    # m̂ = g and ŝ = g² after one step, so the step is α g / (|g| + ε).
    expected = theta0 - lr * grad / (np.abs(grad) + 1e-8)
    np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-14)  # |θ| ≤ 2


def test_adagrad_first_step():
    theta = np.array([1.0, -2.0, 3.0])
    grad = np.array([0.5, -4.0, 1e-3])
    Adagrad(theta, lr=0.3, lr_decay=0.5, initial_accumulator_value=0.0).step(grad)
    # G = g², so the step is α g / (|g| + ε); lr_decay only acts from step 2.
    expected = np.array([1.0, -2.0, 3.0]) - 0.3 * grad / (np.abs(grad) + 1e-10)
    np.testing.assert_allclose(theta, expected, rtol=1e-14)

    theta = np.array([1.0, -2.0, 3.0])
    Adagrad(theta, lr=0.3, initial_accumulator_value=0.1).step(grad)
    expected = np.array([1.0, -2.0, 3.0]) - 0.3 * grad / (np.sqrt(0.1 + grad**2) + 1e-10)
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def test_adagrad_lr_decay_by_hand():
    theta = np.array([0.5, -1.5])
    opt = Adagrad(theta, lr=0.2, lr_decay=0.1, eps=1e-10)
    expected, sum_sq = theta.copy(), np.zeros(2)
    for t in range(1, 21):
        grad = np.array([np.cos(t), 0.3 * t])
        opt.step(grad)
        sum_sq = sum_sq + grad**2
        expected = expected - 0.2 / (1 + (t - 1) * 0.1) * grad / (np.sqrt(sum_sq) + 1e-10)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)


def test_rmsprop_first_step():
    theta = np.array([1.0, -2.0])
    grad = np.array([3.0, -0.2])
    RMSprop(theta, lr=0.01, alpha=0.9, eps=1e-8).step(grad)
    # s = (1 − γ) g², and ε is added after the square root.
    expected = np.array([1.0, -2.0]) - 0.01 * grad / (np.sqrt(0.1 * grad**2) + 1e-8)
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def test_sgd_without_momentum_is_plain_descent():
    theta = THETA0.copy()
    opt = SGD(theta, lr=0.05, momentum=0.0)
    expected = THETA0.copy()
    for _ in range(100):
        opt.step(gradient([theta], False))
        expected = expected - 0.05 * (A @ expected - B)
    np.testing.assert_array_equal(theta, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_by_hand(nesterov):
    theta = THETA0.copy()
    opt = SGD(theta, lr=0.02, momentum=0.9, nesterov=nesterov)
    expected, velocity = THETA0.copy(), None
    for _ in range(100):
        opt.step(gradient([theta], False))
        grad = A @ expected - B
        velocity = grad if velocity is None else 0.9 * velocity + grad
        expected = expected - 0.02 * (grad + 0.9 * velocity if nesterov else velocity)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)


# ---------------------------------------------------------------------------
# Rounding in torch.optim's order. NumPy has no fused multiply-add, so bitwise
# agreement with torch is out of reach in general; but where torch's order
# makes a result exact (a lerp of weight 1, a decay of 0) or fixes which
# product is rounded (addcdiv's (α·g)/d), optlib follows it. Before, Adam with
# betas=(0.5, 0.0) and lr=1 strayed 1e-10 from torch within 11 steps.
# ---------------------------------------------------------------------------


def test_ema_update_follows_torch_lerp():
    rng = np.random.default_rng(0)
    average, value = rng.normal(size=1000), rng.normal(size=1000)
    # weight 1 − β = 1 gives the new value exactly
    np.testing.assert_array_equal(optimizers.ema_update(average.copy(), value, 0.0), value)
    # weight 1 − β < 0.5: a + w(x − a)
    expected = average + 0.25 * (value - average)
    np.testing.assert_array_equal(optimizers.ema_update(average.copy(), value, 0.75), expected)
    # weight 1 − β >= 0.5: x − (1 − w)(x − a), with w = 1 − β rounded first
    weight = 1 - 0.3
    expected = value - (1 - weight) * (value - average)
    np.testing.assert_array_equal(optimizers.ema_update(average.copy(), value, 0.3), expected)
    # an array of decays takes each entry's branch
    decays = np.where(np.arange(1000) % 2 == 0, 0.75, 0.3)
    expected = np.where(
        decays > 0.5, average + 0.25 * (value - average), value - (1 - weight) * (value - average)
    )
    got = optimizers.ema_update(average.copy(), value, decays)
    np.testing.assert_array_equal(got, expected)


def test_ema_update_squares_follows_torch_addcmul():
    rng = np.random.default_rng(1)
    average, value = rng.uniform(size=1000), rng.normal(size=1000)
    np.testing.assert_array_equal(
        optimizers.ema_update_squares(average.copy(), value, 0.0), value**2
    )
    expected = 0.9 * average + ((1 - 0.9) * value) * value
    np.testing.assert_array_equal(
        optimizers.ema_update_squares(average.copy(), value, 0.9), expected
    )


@pytest.mark.parametrize("opt_class", [Adam, AdamW])
def test_adam_with_zero_betas_is_exactly_normalised_descent(opt_class):
    """betas=(0, 0): m = g and s = g² exactly, as in torch, so each step is (αg)/(|g| + ε)."""
    rng = np.random.default_rng(2)
    theta = rng.normal(size=500)
    expected = theta.copy()
    opt = opt_class(theta, lr=0.3, betas=(0.0, 0.0), eps=1e-3, weight_decay=0.0)
    for _ in range(20):
        grad = np.sin(3 * theta) + 0.1 * theta
        opt.step(grad)
        expected = expected - (0.3 * grad) / (np.sqrt(grad * grad) / 1.0 + 1e-3)
    np.testing.assert_array_equal(theta, expected)


def test_rmsprop_with_zero_alpha_is_exactly_normalised_descent():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=500)
    expected = theta.copy()
    opt = RMSprop(theta, lr=0.3, alpha=0.0, eps=1e-3)
    for _ in range(20):
        grad = np.sin(3 * theta) + 0.1 * theta
        opt.step(grad)
        expected = expected - (0.3 * grad) / (np.sqrt(grad * grad) + 1e-3)
    np.testing.assert_array_equal(theta, expected)


def test_adagrad_divides_the_scaled_gradient_as_torch_addcdiv():
    rng = np.random.default_rng(4)
    theta = rng.normal(size=500)
    expected, sum_sq = theta.copy(), np.zeros(500)
    opt = Adagrad(theta, lr=0.37, lr_decay=0.1)
    for t in range(1, 21):
        grad = np.sin(3 * theta) + 0.1 * theta
        opt.step(grad)
        sum_sq += grad * grad
        expected = expected - (0.37 / (1 + (t - 1) * 0.1) * grad) / (np.sqrt(sum_sq) + 1e-10)
    np.testing.assert_array_equal(theta, expected)


@pytest.mark.torch
def test_adam_follows_torch_where_rounding_is_amplified():
    """lr=1, betas=(0.5, 0): a path on which one ulp grows a thousandfold in 20 steps."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, c = rng.uniform(0.1, 1.0, 24), rng.normal(size=24)
    theta = rng.normal(0.0, 2.0, 24)
    tensor = torch.tensor(theta.copy(), requires_grad=True)
    kwargs = {"lr": 1.0, "betas": (0.5, 0.0), "eps": 1e-3}
    ours, theirs = Adam(theta, **kwargs), torch.optim.Adam([tensor], **kwargs)
    for _ in range(20):
        ours.step(a * np.tanh(theta - c))
        tensor.grad = torch.from_numpy(a * np.tanh(tensor.detach().numpy() - c))
        theirs.step()
    np.testing.assert_allclose(theta, tensor.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop():
    theta = THETA0.copy()
    opt = Adam(theta, lr=0.01, betas=(0.0, 0.99), eps=1e-8)
    expected, s = THETA0.copy(), np.zeros(5)
    for t in range(1, 101):
        opt.step(gradient([theta], False))
        grad = A @ expected - B
        s = 0.99 * s + 0.01 * grad**2
        s_hat = s / (1 - 0.99**t)
        expected = expected - 0.01 * grad / (np.sqrt(s_hat) + 1e-8)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("maximize", [False, True])
def test_adamw_without_weight_decay_is_adam(amsgrad, maximize):
    kwargs = {"lr": 0.05, "weight_decay": 0.0, "amsgrad": amsgrad, "maximize": maximize}
    adam = quadratic_run(Adam, 100, THETA0.copy(), **kwargs)
    adamw = quadratic_run(AdamW, 100, THETA0.copy(), **kwargs)
    np.testing.assert_array_equal(adamw, adam)


def test_adamw_decay_alone_shrinks_theta():
    theta = np.array([1.0, -2.0, 4.0])
    opt = AdamW(theta, lr=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.step(np.zeros(3))  # m = v = 0, so only θ ← θ(1 − αλ) acts
    np.testing.assert_allclose(theta, np.array([1.0, -2.0, 4.0]) * 0.95**3, rtol=1e-15)


def test_learning_rate_attribute_takes_effect_at_next_step():
    theta = np.array([1.0, 2.0])
    opt = SGD(theta, lr=0.1)
    opt.step(np.array([1.0, 1.0]))
    opt.lr = 0.01
    opt.step(np.array([1.0, 1.0]))
    np.testing.assert_allclose(theta, [1.0 - 0.1 - 0.01, 2.0 - 0.1 - 0.01], rtol=1e-15)
    assert opt.lr == 0.01


def test_gradient_that_is_the_parameter_itself():
    # f(θ) = ½‖θ‖² has ∇f = θ: a gradient function may return θ itself.
    theta = np.array([1.0, -2.0])
    reference = theta.copy()
    opt = AdamW(theta, lr=0.1, weight_decay=0.5)
    reference_opt = AdamW(reference, lr=0.1, weight_decay=0.5)
    for _ in range(5):
        opt.step(theta)
        reference_opt.step(reference.copy())
    np.testing.assert_array_equal(theta, reference)


# ---------------------------------------------------------------------------
# state_dict and load_state_dict
# ---------------------------------------------------------------------------

STATEFUL = [
    (SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    (RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    (Adam, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.01}),
    (AdamW, {"lr": 0.05, "amsgrad": True, "betas": (0.8, 0.99)}),
]
STATEFUL_IDS = [opt_class.__name__ for opt_class, _ in STATEFUL]


def two_params() -> list[np.ndarray]:
    return [THETA0[:3].copy(), THETA0[3:].reshape(1, 2).copy()]


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_state_dict_round_trip_continues_bitwise(opt_class, kwargs):
    uninterrupted = two_params()
    opt = opt_class(uninterrupted, **kwargs)
    for _ in range(100):
        opt.step(gradient(uninterrupted, False))

    first_half = two_params()
    opt = opt_class(first_half, **kwargs)
    for _ in range(50):
        opt.step(gradient(first_half, False))
    saved = opt.state_dict()

    second_half = [p.copy() for p in first_half]
    resumed = opt_class(second_half)  # default hyper-parameters: loading restores them
    resumed.load_state_dict(saved)
    assert resumed.hyperparameters.keys() == opt.hyperparameters.keys()
    for name, value in opt.hyperparameters.items():
        assert getattr(resumed, name) == value
    for _ in range(50):
        resumed.step(gradient(second_half, False))
    for resumed_param, param in zip(second_half, uninterrupted, strict=True):
        np.testing.assert_array_equal(resumed_param, param)


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_state_dict_is_an_independent_deep_copy(opt_class, kwargs):
    params = two_params()
    opt = opt_class(params, **kwargs)
    for _ in range(5):
        opt.step(gradient(params, False))
    saved = opt.state_dict()
    pristine = copy.deepcopy(saved)

    # Stepping the optimizer does not reach a dict taken earlier...
    copies = [p.copy() for p in params]
    opt.step(gradient(params, False))
    assert_state_dicts_equal(saved, pristine)

    # ...and mutating a loaded dict does not reach the optimizer that loaded it.
    loaded = opt_class(copies)
    loaded.load_state_dict(saved)
    corrupt_in_place(saved)
    loaded.step(gradient(copies, False))
    for loaded_param, param in zip(copies, params, strict=True):
        np.testing.assert_array_equal(loaded_param, param)

    # Mutating a dict that was handed out does not reach the optimizer either.
    handed_out, before = opt.state_dict(), opt.state_dict()
    corrupt_in_place(handed_out)
    assert_state_dicts_equal(opt.state_dict(), before)


def corrupt_in_place(state_dict: dict) -> None:
    for entries in state_dict["state"].values():
        for value in entries.values():
            if isinstance(value, np.ndarray):
                value += 100.0
    state_dict["param_groups"][0]["lr"] = 123.0


def assert_state_dicts_equal(left: dict, right: dict) -> None:
    assert left["param_groups"] == right["param_groups"]
    assert left["state"].keys() == right["state"].keys()
    for index, entries in left["state"].items():
        assert entries.keys() == right["state"][index].keys()
        for key, value in entries.items():
            np.testing.assert_array_equal(value, right["state"][index][key])


def test_state_dict_layout():
    theta = np.array([1.0, 2.0])
    opt = Adam(theta, lr=0.1, betas=(0.8, 0.9))
    assert opt.state_dict() == {
        "state": {},
        "param_groups": [
            {
                "lr": 0.1,
                "betas": (0.8, 0.9),
                "eps": 1e-8,
                "weight_decay": 0.0,
                "amsgrad": False,
                "maximize": False,
                "params": [0],
            }
        ],
        "optimizer": "Adam",
    }
    opt.step(np.array([1.0, -1.0]))
    state = opt.state_dict()["state"]
    assert set(state[0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert state[0]["step"] == 1
    np.testing.assert_allclose(state[0]["exp_avg"], [0.2, -0.2])


def test_adagrad_has_state_before_the_first_step_as_torch():
    opt = Adagrad(np.zeros(3), initial_accumulator_value=0.5)
    state = opt.state_dict()["state"]
    assert state[0]["step"] == 0
    np.testing.assert_array_equal(state[0]["sum"], [0.5, 0.5, 0.5])


def saved_adam_state() -> dict:
    params = two_params()
    opt = Adam(params, lr=0.05, amsgrad=True)
    opt.step(gradient(params, False))
    return opt.state_dict()


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (
            lambda d: d["param_groups"][0].update(params=[0]),
            "holds 1 parameter(s), this optimizer 2",
        ),
        (lambda d: d["state"][1].update(exp_avg=np.zeros(3)), "exp_avg has shape (3,)"),
        (lambda d: d["state"][0].update(velocity=np.zeros(3)), "unknown entries ['velocity']"),
        (lambda d: d["state"].update({7: {}}), "unknown parameter(s) [7]"),
        (lambda d: d["param_groups"][0].pop("eps"), "hyper-parameters"),
        (lambda d: d["param_groups"][0].update(lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda d: d["param_groups"][0].update(betas=(1.0, 0.9)), "at index 0: 1.0"),
        (lambda d: d.update(optimizer="AdamW"), "comes from AdamW"),
        (lambda d: d["state"][0].update(step=-1), "step must be an int"),
        (lambda d: d.pop("state"), "'state' and 'param_groups'"),
    ],
)
def test_load_state_dict_refuses_what_does_not_fit(corrupt, message):
    target = Adam(two_params(), lr=0.5)
    before = target.state_dict()
    saved = saved_adam_state()
    corrupt(saved)
    with pytest.raises(ValueError, match=re.escape(message)):
        target.load_state_dict(saved)
    assert_state_dicts_equal(target.state_dict(), before)  # nothing half-loaded


def test_load_state_dict_refuses_another_class_and_another_count():
    saved = SGD(np.zeros(2), momentum=0.9).state_dict()
    with pytest.raises(ValueError, match="comes from SGD, cannot load it into Adam"):
        Adam(np.zeros(2)).load_state_dict(saved)
    with pytest.raises(ValueError, match=re.escape("holds 1 parameter(s), this optimizer 2")):
        SGD([np.zeros(2), np.zeros(2)], momentum=0.9).load_state_dict(saved)


def test_loaded_state_takes_the_parameter_dtype():
    saved = saved_adam_state()
    params32 = [p.astype(np.float32) for p in two_params()]
    opt = Adam(params32)
    opt.load_state_dict(saved)
    assert opt.state[0]["exp_avg"].dtype == np.float32
    opt.step(gradient(params32, False))
    assert all(p.dtype == np.float32 for p in params32)


# ---------------------------------------------------------------------------
# In place, dtype, the single-array form, non-finite gradients
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_float32_stays_float32_and_updates_in_place(opt_class, kwargs):
    params = [p.astype(np.float32) for p in two_params()]
    originals = list(params)
    opt = opt_class(params, **kwargs)
    for _ in range(200):
        grads = gradient(params, False)
        grads[0] = grads[0].astype(np.float64)  # a float64 gradient does not upcast
        assert opt.step(grads) is None
    assert all(p is q for p, q in zip(opt.params, originals, strict=True))
    assert all(p.dtype == np.float32 for p in params)
    for entries in opt.state:
        for value in entries.values():
            assert not isinstance(value, np.ndarray) or value.dtype == np.float32
    assert not np.allclose(flat(params), THETA0, atol=1e-3)


def test_single_array_takes_an_array_or_a_list_of_one():
    theta = np.array([1.0, 2.0])
    opt = SGD(theta, lr=0.5)
    opt.step(np.array([1.0, 1.0]))
    opt.step([np.array([1.0, 1.0])])
    np.testing.assert_array_equal(theta, [0.0, 1.0])
    assert opt.params[0] is theta


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_non_finite_gradients_pass_through_silently(opt_class, kwargs):
    theta = np.array([1.0, 2.0, 3.0])
    opt = opt_class(theta, **kwargs)
    opt.step(np.array([np.nan, np.inf, 1.0]))  # warnings are errors in this suite
    assert not np.isfinite(theta[:2]).any()


# ---------------------------------------------------------------------------
# Validation, with torch's messages
# ---------------------------------------------------------------------------

INVALID = [
    (SGD, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    (SGD, {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    (SGD, {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    (
        SGD,
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (Adagrad, {"lr": -0.01}, "Invalid learning rate: -0.01"),
    (Adagrad, {"lr_decay": -1.0}, "Invalid lr_decay value: -1.0"),
    (Adagrad, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (
        Adagrad,
        {"initial_accumulator_value": -0.1},
        "Invalid initial_accumulator_value value: -0.1",
    ),
    (Adagrad, {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
    (RMSprop, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (RMSprop, {"alpha": -0.5}, "Invalid alpha value: -0.5"),
    (RMSprop, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (RMSprop, {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    (RMSprop, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    (Adam, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (Adam, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    (Adam, {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0: -0.1"),
    (Adam, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    (Adam, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    (AdamW, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (AdamW, {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    (AdamW, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
]
INVALID_IDS = [
    f"{opt_class.__name__}-{'-'.join(map(str, kwargs))}" for opt_class, kwargs, _ in INVALID
]


@pytest.mark.parametrize("opt_class, kwargs, message", INVALID, ids=INVALID_IDS)
def test_invalid_hyperparameter_raises_torch_message(opt_class, kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        opt_class(np.zeros(2), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("opt_class, kwargs, message", INVALID, ids=INVALID_IDS)
def test_torch_raises_the_same_message(opt_class, kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        getattr(torch.optim, opt_class.__name__)([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    "opt_class, kwargs, message",
    [
        (SGD, {"lr": float("nan")}, "lr must be finite"),
        (SGD, {"lr": float("inf")}, "lr must be finite"),
        (SGD, {"lr": "0.1"}, "lr must be a number or an array of numbers, got '0.1'"),
        (SGD, {"lr": None}, "lr must be a number or an array of numbers, got None"),
        (SGD, {"lr": 0.1j}, "lr must be a number or an array of real, got 0.1j"),
        (SGD, {"lr": [0.1, "a"]}, "lr must be a number or an array of numbers, got [0.1, 'a']"),
        (SGD, {"lr": True}, "lr must be a number"),
        (SGD, {"momentum": np.array([0.5, np.nan])}, "momentum contains 1 non-finite"),
        (SGD, {"nesterov": "yes", "momentum": 0.9}, "nesterov must be True or False"),
        (Adam, {"betas": 0.9}, "betas must be a pair"),
        (Adam, {"betas": (0.9, 0.99, 0.999)}, "betas must be a pair"),
        (Adam, {"amsgrad": 1}, "amsgrad must be True or False"),
        (RMSprop, {"centered": None}, "centered must be True or False"),
        (Adagrad, {"maximize": "no"}, "maximize must be True or False"),
    ],
)
def test_non_numbers_and_nan_are_refused(opt_class, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        opt_class(np.zeros(2), **kwargs)


def test_array_hyperparameter_names_an_offending_entry():
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -0.2 (in an array")):
        SGD(np.zeros((3, 2)), lr=np.array([[0.1], [-0.2], [0.3]]))
    with pytest.raises(ValueError, match=re.escape("Invalid beta parameter at index 1: 1.0")):
        Adam(np.zeros((2, 2)), betas=(0.9, np.array([[0.99], [1.0]])))


def test_writing_an_invalid_attribute_raises_and_keeps_the_old_value():
    opt = SGD(np.zeros(2), lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -1.0")):
        opt.lr = -1.0
    assert opt.lr == 0.1
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        opt.momentum = 0.0
    assert opt.momentum == 0.9
    adam = Adam(np.zeros(2))
    with pytest.raises(ValueError, match=re.escape("Invalid beta parameter at index 1: 1.0")):
        adam.betas = (0.9, 1.0)
    adam.betas = [0.5, 0.6]
    assert adam.betas == (0.5, 0.6)


def test_misspelled_attribute_is_an_error_not_a_silent_no_op():
    opt = Adam(np.zeros(2))
    with pytest.raises(AttributeError, match="no hyper-parameter 'learning_rate'"):
        opt.learning_rate = 0.1


def test_array_hyperparameter_cannot_be_changed_behind_validation():
    lr = np.array([[0.1], [0.2]])
    opt = SGD(np.zeros((2, 2)), lr=lr)
    lr[0, 0] = -5.0  # the optimizer holds its own copy
    assert opt.lr[0, 0] == 0.1
    with pytest.raises(ValueError, match="read-only"):
        opt.lr[0, 0] = -5.0


def test_step_refuses_a_wrong_number_of_gradients():
    opt = SGD([np.zeros(2), np.zeros((2, 3))])
    with pytest.raises(ValueError, match=re.escape("expected 2 gradient(s)") + ".*got 1"):
        opt.step([np.zeros(2)])
    with pytest.raises(ValueError, match=re.escape("expected 2 gradient(s)") + ".*got 1"):
        opt.step(np.zeros(2))


def test_step_refuses_a_shape_mismatch_naming_index_and_shapes():
    params = [np.zeros(2), np.zeros((2, 3))]
    opt = Adam(params)
    message = "gradient 1 has shape (3, 2), but params[1] has shape (2, 3)"
    with pytest.raises(ValueError, match=re.escape(message)):
        opt.step([np.zeros(2), np.zeros((3, 2))])
    np.testing.assert_array_equal(params[0], 0)  # nothing moved


@pytest.mark.parametrize(
    "params, message",
    [
        (np.arange(3), "params[0] must be a real floating array"),
        ([np.zeros(2), np.arange(3)], "params[1] must be a real floating array"),
        ([[1.0, 2.0]], "params[0] must be a NumPy array"),
        ([], "optimizer got an empty parameter list"),
        ({"params": [np.zeros(2)]}, "parameter groups are not supported"),
        (np.zeros(2, dtype=complex), "params[0] must be a real floating array"),
    ],
)
def test_params_must_be_float_arrays(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SGD(params)


def test_params_must_be_writable_and_distinct():
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match=re.escape("params[0] is read-only")):
        Adam(frozen)
    theta = np.zeros(2)
    with pytest.raises(ValueError, match=re.escape("params[0] and params[1] share memory")):
        Adam([theta, theta])


# ---------------------------------------------------------------------------
# Vectorised sweeps: array hyper-parameters equal separate runs
# ---------------------------------------------------------------------------


def gradient_2d(theta: np.ndarray) -> np.ndarray:
    """∇ of ½θᵀ[[3, ½], [½, 1]]θ − (1, −1)·θ over the last axis: one row per run.

    Written element-wise so that a batch of rows and a single row round alike
    (a matrix product may take different BLAS paths for the two).
    """
    x, y = theta[..., 0], theta[..., 1]
    return np.stack([3 * x + 0.5 * y - 1, 0.5 * x + y + 1], axis=-1)


SWEEPS = [
    (
        SGD,
        {},
        {"lr": [0.01, 0.02, 0.05], "momentum": [0.0, 0.5, 0.9], "dampening": [0.0, 0.1, 0.2]},
        {"weight_decay": [0.0, 0.01, 0.1]},
    ),
    (
        SGD,
        {"nesterov": True},
        {"lr": [0.01, 0.02, 0.05], "momentum": [0.3, 0.6, 0.9]},
        {"weight_decay": [0.0, 0.01, 0.1]},
    ),
    (
        Adagrad,
        {},
        {"lr": [0.05, 0.1, 0.5], "lr_decay": [0.0, 0.01, 0.1], "eps": [1e-10, 1e-3, 0.1]},
        {"initial_accumulator_value": [0.0, 0.1, 1.0], "weight_decay": [0.0, 0.1, 0.2]},
    ),
    (
        RMSprop,
        {"centered": True},
        # alpha >= 0.8: with alpha = 0.5 the first run's centered denominator √(s − ḡ²)
        # is mostly rounding (a 1-ulp change of θ₀ moves θ₁₅₀ by 7e-6), and its
        # zero-momentum entry rounds like torch's momentum path, not its plain one.
        {"lr": [0.001, 0.01, 0.03], "alpha": [0.8, 0.9, 0.99], "eps": [1e-8, 1e-4, 1e-2]},
        {"momentum": [0.0, 0.5, 0.9], "weight_decay": [0.0, 0.01, 0.1]},
    ),
    (
        Adam,
        {"amsgrad": True},
        {"lr": [0.01, 0.05, 0.1], "eps": [1e-8, 1e-4, 1e-2], "weight_decay": [0.0, 0.01, 0.1]},
        {"betas": ([0.0, 0.5, 0.9], [0.9, 0.99, 0.999])},
    ),
    (
        AdamW,
        {},
        {"lr": [0.01, 0.05, 0.1], "weight_decay": [0.0, 0.1, 0.5]},
        {"betas": ([0.0, 0.5, 0.9], [0.9, 0.99, 0.999])},
    ),
]


def sweep_kwargs(values: dict, row: int | None) -> dict:
    """Row ``row`` of every swept value as a scalar, or all rows as (k, 1) arrays."""

    def pick(v):
        return float(v[row]) if row is not None else np.array(v, dtype=float)[:, None]

    return {
        name: tuple(pick(v) for v in value) if isinstance(value, tuple) else pick(value)
        for name, value in values.items()
    }


@pytest.mark.parametrize(
    "opt_class, fixed, swept, more",
    SWEEPS,
    ids=[f"{s[0].__name__}-{'-'.join(s[1]) or 'plain'}" for s in SWEEPS],
)
def test_sweep_with_array_hyperparameters_equals_separate_runs(opt_class, fixed, swept, more):
    values = {**swept, **more}
    k = 3
    starts = np.array([[1.0, 2.0], [-1.5, 0.5], [0.2, -2.0]])

    thetas = starts.copy()
    batched = opt_class(thetas, **fixed, **sweep_kwargs(values, None))
    for _ in range(150):
        batched.step(gradient_2d(thetas))  # row i is the gradient of run i

    for row in range(k):
        theta = starts[row].copy()
        single = opt_class(theta, **fixed, **sweep_kwargs(values, row))
        for _ in range(150):
            single.step(gradient_2d(theta))
        np.testing.assert_allclose(thetas[row], theta, rtol=1e-13, atol=1e-15)


def test_sweep_entry_with_zero_momentum_is_plain_descent():
    thetas = np.array([[1.0, 2.0], [1.0, 2.0]])
    opt = SGD(thetas, lr=0.05, momentum=np.array([[0.0], [0.9]]))
    expected = np.array([1.0, 2.0])
    for _ in range(50):
        opt.step(gradient_2d(thetas))
        expected = expected - 0.05 * gradient_2d(expected)
    np.testing.assert_array_equal(thetas[0], expected)


def test_sweep_over_several_parameters():
    weights, biases = np.ones((4, 3)), np.zeros((4, 1))
    opt = Adam([weights, biases], lr=np.array([[0.1], [0.2], [0.3], [0.4]]))
    opt.step([np.ones((4, 3)), np.ones((4, 1))])
    np.testing.assert_allclose(weights[:, 0], 1 - np.array([0.1, 0.2, 0.3, 0.4]), rtol=1e-7)
    np.testing.assert_allclose(biases[:, 0], -np.array([0.1, 0.2, 0.3, 0.4]), rtol=1e-7)


@pytest.mark.parametrize("shape", [(3, 1), (4, 2, 1), (2,)])
def test_array_hyperparameter_must_broadcast_against_every_parameter(shape):
    with pytest.raises(ValueError, match=re.escape(f"lr of shape {shape} does not broadcast")):
        SGD(np.zeros((4, 3)), lr=np.full(shape, 0.1))
    opt = SGD(np.zeros((4, 3)), lr=0.1)
    with pytest.raises(ValueError, match="does not broadcast"):
        opt.lr = np.full(shape, 0.1)


# ---------------------------------------------------------------------------
# Large parameters: updated block by block, bitwise as in one piece
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_blocked_update_is_bitwise_the_whole_update(opt_class, kwargs, dtype, monkeypatch):
    start = np.linspace(-3, 3, 1000, dtype=dtype).reshape(20, 50)

    def run() -> tuple[np.ndarray, dict]:
        theta = start.copy()
        opt = opt_class(theta, **kwargs)
        for _ in range(20):
            opt.step(np.sin(3 * theta) + 0.5 * theta)
        return theta, opt.state_dict()

    whole, whole_state = run()
    monkeypatch.setattr(optimizers.blocks, "BLOCK_SIZE", 64)  # 16 blocks, the last one short
    blocked, blocked_state = run()
    np.testing.assert_array_equal(blocked, whole)
    assert_state_dicts_equal(blocked_state, whole_state)
    assert blocked.dtype == dtype


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_blocked_update_is_silent_on_non_finite_gradients(opt_class, kwargs, monkeypatch):
    monkeypatch.setattr(optimizers.blocks, "BLOCK_SIZE", 64)
    theta = np.ones(300)
    grad = np.ones(300)
    grad[::7] = np.nan
    grad[1::7] = np.inf
    opt_class(theta, **kwargs).step(grad)  # a warning would fail the test
    assert np.isnan(theta[::7]).all()


# ---------------------------------------------------------------------------
# The public surface (the docstring examples run under pytest --doctest-modules)
# ---------------------------------------------------------------------------


def test_public_names():
    assert set(optimizers.__all__) >= {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW"}
    for name in optimizers.__all__:
        assert getattr(optimizers, name).__doc__


def test_defaults_match_the_contract():
    expected = {
        SGD: {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0},
        Adagrad: {
            "lr": 1e-2,
            "lr_decay": 0.0,
            "weight_decay": 0.0,
            "initial_accumulator_value": 0.0,
            "eps": 1e-10,
        },
        RMSprop: {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0},
        Adam: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
        AdamW: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2},
    }
    for opt_class, defaults in expected.items():
        opt = opt_class(np.zeros(1))
        for name, value in defaults.items():
            assert getattr(opt, name) == value, (opt_class.__name__, name)
        assert opt.maximize is False


def test_every_combination_is_in_the_parity_table():
    # The parity table is generated; check it spans each option's two values.
    for name in CLASSES:
        rows = [
            c["kwargs"]
            for c in CASES
            if c["optimizer"] == name and c["dtype"] == "float64" and len(c["shapes"]) == 1
        ]
        options = sorted({key for row in rows for key in row} - {"lr"})
        seen = {tuple(row[key] not in (0, 0.0, False) for key in options) for row in rows}
        possible = set(itertools.product((False, True), repeat=len(options)))
        if name == "SGD":
            index = {key: i for i, key in enumerate(options)}
            possible = {
                combo
                for combo in possible
                if not (
                    combo[index["nesterov"]]
                    and (not combo[index["momentum"]] or combo[index["dampening"]])
                )
            }
        assert seen == possible, name


# ---------------------------------------------------------------------------
# Atomic calls: a call that raises has changed nothing
#
# Each test starts an optimizer with every state entry in use, snapshots the
# parameters (values, identity, dtype), the state_dict (state, step counters,
# hyper-parameters) and the caller's input, makes one bad call, and compares
# the snapshots exactly: nothing is computed in between, so exact equality is
# the right comparison.
# ---------------------------------------------------------------------------


def started(opt_class: type, kwargs: dict, steps: int = 3, shift: float = 0.0):
    """An optimizer on two parameters of shapes (3,) and (2, 2), ``steps`` steps in."""
    params = [np.linspace(-1.0, 1.0, 3) + shift, np.array([[0.5, -1.5], [2.0, 0.25]]) - shift]
    opt = opt_class(params, **kwargs)
    for _ in range(steps):
        opt.step([np.sin(3 * p) + 0.5 * p for p in params])
    return opt, params


def snapshot(opt, given=None) -> dict:
    try:
        given = copy.deepcopy(given)
    except TypeError:  # a generator: nothing to compare
        given = "not copyable"
    return {
        "param ids": [id(p) for p in opt.params],
        "params": [p.copy() for p in opt.params],
        "state_dict": opt.state_dict(),
        "given": given,
    }


def assert_same(left, right, where="") -> None:
    """Exactly equal: same types, dtypes, shapes and bits (any dtype, nested containers)."""
    assert type(left) is type(right), where
    if isinstance(left, np.ma.MaskedArray):
        assert_same(left.data, right.data, where)
        assert_same(np.ma.getmaskarray(left), np.ma.getmaskarray(right), where)
    elif isinstance(left, np.ndarray):
        assert (left.dtype, left.shape) == (right.dtype, right.shape), where
        if left.dtype.kind == "O":
            assert left.tolist() == right.tolist(), where
        else:
            assert left.tobytes() == right.tobytes(), where
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for key in left:
            assert_same(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, list | tuple):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif type(left).__module__.startswith("torch"):  # a tensor
        assert_same(left.detach().numpy(), right.detach().numpy(), where)
    elif isinstance(left, float) and np.isnan(left):
        assert np.isnan(right), where
    else:
        assert left == right, where


def assert_refused_and_unchanged(opt, call, given, error, fragments) -> None:
    before = snapshot(opt, given)
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert_same(snapshot(opt, given), before)


def _tensor_requiring_grad(param: np.ndarray):
    """What a torch user may pass: a tensor that NumPy cannot read without .detach()."""
    torch = pytest.importorskip("torch")
    return torch.tensor(param, requires_grad=True)


def second(make_bad):
    """Gradients with a valid first entry and ``make_bad(params[1])`` as the second."""
    return lambda params: [np.cos(params[0]), make_bad(params[1])]


BAD_GRADIENTS = [
    # A gradient that is not an array of real numbers: refused, naming its index and dtype.
    ("complex", second(lambda p: np.ones(p.shape, complex)), ["gradient 1", "complex128"]),
    ("complex, zero imag", second(lambda p: np.zeros(p.shape, np.complex64)), ["complex64"]),
    ("complex list", second(lambda p: [[1j, 0.0], [0.0, 0.0]]), ["gradient 1", "complex128"]),
    ("strings", second(lambda p: np.full(p.shape, "a")), ["gradient 1", "<U1", "text"]),
    ("bytes", second(lambda p: np.full(p.shape, b"a")), ["gradient 1", "|S1"]),
    ("object numbers", second(lambda p: np.ones(p.shape, object)), ["gradient 1", "object"]),
    ("object None", second(lambda p: np.array([[1.0, None], [0.0, 0.0]])), ["object"]),
    (
        "datetime",
        second(lambda p: np.full(p.shape, np.datetime64("2024-01-01"))),
        ["gradient 1", "datetime64[D]"],
    ),
    ("timedelta", second(lambda p: np.zeros(p.shape, "m8[s]")), ["gradient 1", "timedelta64[s]"]),
    ("bool", second(lambda p: np.ones(p.shape, bool)), ["gradient 1", "bool"]),
    ("structured", second(lambda p: np.zeros(p.shape, [("a", float)])), ["records"]),
    ("None", second(lambda p: None), ["gradient 1 is None"]),
    ("ragged", second(lambda p: [[1.0, 2.0], [3.0]]), ["gradient 1 cannot be made an array"]),
    ("text", second(lambda p: "ab"), ["gradient 1", "<U2"]),
    ("dict", second(lambda p: {"a": 1.0}), ["gradient 1", "object"]),
    ("masked", second(lambda p: np.ma.array(np.ones(p.shape), mask=p > 1)), ["masked"]),
    ("first complex", lambda ps: [np.ones(3, complex), np.cos(ps[1])], ["gradient 0", "complex"]),
    # Shapes and counts.
    ("flat", second(lambda p: np.ones(4)), ["gradient 1 has shape (4,)", "(2, 2)"]),
    ("scalar", second(lambda p: 1.0), ["gradient 1 has shape ()", "(2, 2)"]),
    ("extra axis", second(lambda p: np.ones((1, 2, 2))), ["gradient 1 has shape (1, 2, 2)"]),
    ("ints, wrong shape", second(lambda p: np.ones((2, 3), int)), ["gradient 1 has shape (2, 3)"]),
    ("one of two", lambda ps: [np.cos(ps[0])], ["expected 2 gradient(s)", "got 1"]),
    ("three of two", lambda ps: [*ps, ps[0]], ["expected 2 gradient(s)", "got 3"]),
    ("an array for two", lambda ps: np.cos(ps[0]), ["expected 2 gradient(s)", "got 1"]),
    ("dict of grads", lambda ps: dict(enumerate(ps)), ["grads must be a list", "dict"]),
    ("text for grads", lambda ps: "ab", ["grads must be a list", "str"]),
    ("generator", lambda ps: (np.cos(p) for p in ps), ["grads must be a list", "generator"]),
    ("None for grads", lambda ps: None, ["grads must be a list", "NoneType"]),
    ("a float for two", lambda ps: 0.5, ["expected 2 gradient(s)", "got 1"]),
    ("torch tensor", second(_tensor_requiring_grad), ["gradient 1 cannot be made an array"]),
]


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
@pytest.mark.parametrize(
    "make_grads, fragments",
    [case[1:] for case in BAD_GRADIENTS],
    ids=[c[0] for c in BAD_GRADIENTS],
)
def test_step_refuses_a_bad_gradient_before_anything_moves(
    opt_class, kwargs, make_grads, fragments
):
    opt, params = started(opt_class, kwargs)
    grads = make_grads(params)
    assert_refused_and_unchanged(opt, lambda: opt.step(grads), grads, ValueError, fragments)


NON_REAL_DTYPES = st.one_of(
    hnp.complex_number_dtypes(),
    hnp.datetime64_dtypes(),
    hnp.timedelta64_dtypes(),
    hnp.unicode_string_dtypes(),
    hnp.byte_string_dtypes(),
    st.just(np.dtype(bool)),
    st.just(np.dtype(object)),
)


@settings(max_examples=150, deadline=None)
@given(
    case=st.sampled_from(STATEFUL),
    dtype=NON_REAL_DTYPES,
    index=st.integers(0, 1),
    steps=st.integers(0, 2),
)
def test_step_refuses_any_non_real_dtype_at_any_index(case, dtype, index, steps):
    opt_class, kwargs = case
    opt, params = started(opt_class, kwargs, steps=steps)
    grads = [np.cos(p) for p in params]
    grads[index] = np.zeros(params[index].shape, dtype)
    fragments = [f"gradient {index}", f"dtype {dtype}"]
    assert_refused_and_unchanged(opt, lambda: opt.step(grads), grads, ValueError, fragments)


# -- load_state_dict ----------------------------------------------------------

STATE_ENTRIES = {  # what a started state holds under the STATEFUL hyper-parameters
    "SGD": [],
    "Adagrad": ["step", "sum"],
    "RMSprop": ["step", "square_avg", "momentum_buffer", "grad_avg"],
    "Adam": ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
    "AdamW": ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
}
SQUARES = {"Adagrad": ["sum"], "RMSprop": ["square_avg"], "Adam": ["exp_avg_sq", "max_exp_avg_sq"]}
SQUARES["AdamW"] = SQUARES["Adam"]


def _set(path, value):
    """A corruption that sets ``d[path[0]][path[1]]... = value``."""

    def corrupt(d):
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return corrupt


def _delete(path):
    def corrupt(d):
        for key in path[:-1]:
            d = d[key]
        del d[path[-1]]

    return corrupt


def bad_state_dicts(name: str) -> list[tuple[str, object, list[str]]]:
    """(label, corruption, fragments of the message) for optimizer ``name``."""
    group = ("param_groups", 0)
    arrays = [key for key in STATE_ENTRIES[name] if key != "step"] or ["momentum_buffer"]
    cases = []
    for key in STATE_ENTRIES[name]:
        cases.append((f"no {key}", _delete(("state", 1, key)), ["params[1]", f"lacks '{key}'"]))
        cases.append((f"{key} None", _set(("state", 1, key), None), ["params[1]", f"'{key}'"]))
    for key in arrays:
        at = ("state", 1, key)
        cases += [
            (f"{key} shape", _set(at, np.zeros(5)), ["params[1]", key, "(5,)", "(2, 2)"]),
            (f"{key} transposed", _set(at, np.zeros((1, 4))), [key, "(1, 4)"]),
            (f"{key} complex", _set(at, np.zeros((2, 2), complex)), [key, "complex128"]),
            (f"{key} text", _set(at, np.full((2, 2), "a")), ["params[1]", key, "<U1"]),
            (f"{key} bool", _set(at, np.ones((2, 2), bool)), [key, "bool"]),
            (f"{key} ragged", _set(at, [[1.0], [1.0, 2.0]]), [key, "cannot be made an array"]),
            (f"{key} object", _set(at, np.array([[1.0, None], [0, 0]])), [key, "object"]),
        ]
    for key in SQUARES.get(name, []):
        negative = np.array([[1.0, -0.5], [0.0, 2.0]])
        cases.append((f"{key} negative", _set(("state", 1, key), negative), [key, "-0.5"]))
    if "step" in STATE_ENTRIES[name]:
        for value in [-1, 1.5, "3", True, np.array([1, 2]), float("nan"), float("inf"), [2]]:
            message = f"state for params[1]: step must be an int >= 0, got {value!r}"[:60]
            cases.append((f"step {value!r}", _set(("state", 1, "step"), value), [message]))
    else:
        cases.append(("SGD step", _set(("state", 1, "step"), 1), ["unknown entries ['step']"]))
    cases += [
        ("velocity", _set(("state", 1, "velocity"), np.zeros((2, 2))), ["unknown entries"]),
        ("state not dict", _set(("state", 1), [1.0]), ["params[1] must be a dict"]),
        ("unknown id", _set(("state", 7), {}), ["unknown parameter(s) [7]"]),
        ("string id", _set(("state", "1"), {}), ["unknown parameter(s) ['1']"]),
        ("one id", _set((*group, "params"), [0]), ["holds 1 parameter(s), this optimizer 2"]),
        ("three ids", _set((*group, "params"), [0, 1, 2]), ["holds 3 parameter(s)"]),
        ("repeated id", _set((*group, "params"), [0, 0]), ["distinct ids", "[0, 0]"]),
        ("no params", _delete((*group, "params")), ["no 'params' entry"]),
        ("learning_rate", _set((*group, "learning_rate"), 0.1), ["unknown ['learning_rate']"]),
        ("negative lr", _set((*group, "lr"), -1.0), ["Invalid learning rate: -1.0"]),
        ("text lr", _set((*group, "lr"), "0.1"), ["lr must be a number", "'0.1'"]),
        ("lr sweep shape", _set((*group, "lr"), np.full((3, 1), 0.1)), ["does not broadcast"]),
        ("maximize", _set((*group, "maximize"), "no"), ["maximize must be True or False"]),
        ("two groups", lambda d: d["param_groups"].append({}), ["the state_dict has 2"]),
        ("no groups", _set(("param_groups",), []), ["the state_dict has 0"]),
        ("group not dict", _set(("param_groups", 0), [0.1]), ["param_groups[0] must be a dict"]),
        ("state a list", _set(("state",), [{}, {}]), ["state_dict['state'] must be a dict"]),
        ("no state", _delete(("state",)), ["'state' and 'param_groups'", "'param_groups'"]),
        ("other class", _set(("optimizer",), "Adamax"), ["comes from Adamax"]),
    ]
    for hyperparameter in CLASSES[name].hyperparameter_names:
        cases.append(
            (f"no {hyperparameter}", _delete((*group, hyperparameter)), [f"'{hyperparameter}'"])
        )
    cases += {
        "SGD": [
            ("nesterov, no momentum", _set((*group, "momentum"), 0.0), ["Nesterov momentum"]),
            ("negative momentum", _set((*group, "momentum"), -0.5), ["momentum value: -0.5"]),
        ],
        "Adagrad": [("lr_decay", _set((*group, "lr_decay"), -1.0), ["lr_decay value: -1.0"])],
        "RMSprop": [("alpha", _set((*group, "alpha"), -0.5), ["Invalid alpha value: -0.5"])],
        "Adam": [("betas", _set((*group, "betas"), (1.0, 0.9)), ["at index 0: 1.0"])],
        "AdamW": [("betas", _set((*group, "betas"), (0.9,)), ["betas must be a pair", "(0.9,)"])],
    }[name]
    return cases


LOAD_CASES = [
    (opt_class, kwargs, *case)
    for opt_class, kwargs in STATEFUL
    for case in bad_state_dicts(opt_class.__name__)
]


@pytest.mark.parametrize(
    "opt_class, kwargs, label, corrupt, fragments",
    LOAD_CASES,
    ids=[f"{case[0].__name__}-{case[2]}" for case in LOAD_CASES],
)
def test_load_state_dict_refuses_a_bad_dict_and_changes_nothing(
    opt_class, kwargs, label, corrupt, fragments
):
    saved = started(opt_class, kwargs, steps=4)[0].state_dict()
    corrupt(saved)
    target, _ = started(opt_class, kwargs, steps=2, shift=0.3)  # a different state
    assert_refused_and_unchanged(
        target, lambda: target.load_state_dict(saved), saved, ValueError, fragments
    )


def test_load_state_dict_refuses_what_is_not_a_dict():
    opt, _ = started(Adam, {"lr": 0.1})
    for bad in (None, [], "state", 3):
        message = "state_dict must be a dict with 'state' and 'param_groups' entries"
        assert_refused_and_unchanged(
            opt, lambda bad=bad: opt.load_state_dict(bad), bad, ValueError, [message]
        )


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_load_state_dict_with_an_empty_state_starts_afresh(opt_class, kwargs):
    """Absent or all-None entries: the next step is a first step, as for a new optimizer."""
    saved = started(opt_class, kwargs, steps=4)[0].state_dict()
    saved["state"] = {0: {}, 1: dict.fromkeys(saved["state"].get(1, {"momentum_buffer": 0}))}
    params = [np.linspace(-1.0, 1.0, 3), np.array([[0.5, -1.5], [2.0, 0.25]])]
    fresh_params = [p.copy() for p in params]
    loaded, _ = started(opt_class, kwargs, steps=2, shift=0.3)
    loaded.params = params
    loaded.load_state_dict(saved)
    fresh = opt_class(fresh_params, **kwargs)
    for _ in range(3):
        loaded.step([np.sin(3 * p) for p in params])
        fresh.step([np.sin(3 * p) for p in fresh_params])
    for a, b in zip(params, fresh_params, strict=True):
        np.testing.assert_array_equal(a, b)  # the same operations on the same numbers


def test_load_state_dict_takes_torch_style_steps():
    """torch stores ``step`` as a float tensor: an integral float or 0-d array loads as an int."""
    saved = started(Adam, {"lr": 0.1})[0].state_dict()
    saved["state"][0]["step"] = np.array(3.0, dtype=np.float32)
    saved["state"][1]["step"] = 3.0
    opt, _ = started(Adam, {"lr": 0.1}, steps=0)
    opt.load_state_dict(saved)
    assert [state["step"] for state in opt.state] == [3, 3]
    assert all(type(state["step"]) is int for state in opt.state)


@pytest.mark.torch
def test_sgd_momentum_buffer_of_none_is_a_first_step_as_in_torch():
    """torch.optim.SGD keeps ``momentum_buffer: None`` and then takes a first (undamped) step."""
    torch = pytest.importorskip("torch")
    kwargs = {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}
    theta = np.array([1.0, -2.0, 0.5])
    tensor = torch.tensor(theta.copy(), requires_grad=True)
    ours, theirs = SGD(theta, **kwargs), torch.optim.SGD([tensor], foreach=False, **kwargs)
    for opt in (ours, theirs):
        saved = opt.state_dict()
        saved["state"] = {0: {"momentum_buffer": None}}
        opt.load_state_dict(saved)
    for _ in range(5):
        ours.step(np.sin(theta))
        tensor.grad = torch.from_numpy(np.sin(tensor.detach().numpy()))
        theirs.step()
    np.testing.assert_allclose(theta, tensor.detach().numpy(), rtol=1e-14)


# -- hyper-parameters ---------------------------------------------------------

COMMON_BAD_HYPERPARAMETERS = [
    ("lr", -1.0, "Invalid learning rate: -1.0"),
    ("lr", float("nan"), "lr must be finite, got nan"),
    ("lr", float("-inf"), "lr must be finite, got -inf"),
    ("lr", "0.1", "lr must be a number or an array of numbers, got '0.1'"),
    ("lr", None, "got None"),
    ("lr", True, "lr must be a number, got True"),
    ("lr", 1j, "got 1j"),
    ("lr", [0.1, "fast"], "got [0.1, 'fast']"),
    ("lr", np.full((3, 1), 0.1), "lr of shape (3, 1) does not broadcast against params[0]"),
    ("lr", np.array([[0.1], [-0.1]]), "Invalid learning rate: -0.1 (in an array"),
    ("weight_decay", -0.5, "Invalid weight_decay value: -0.5"),
    ("maximize", "yes", "maximize must be True or False, got 'yes'"),
    ("maximize", 1, "maximize must be True or False, got 1"),
]
SPECIFIC_BAD_HYPERPARAMETERS = {
    "SGD": [
        ("momentum", -1.0, "Invalid momentum value: -1.0"),
        ("momentum", 0.0, "Nesterov momentum requires a momentum and zero dampening"),
        ("dampening", 0.5, "Nesterov momentum requires a momentum and zero dampening"),
        ("nesterov", "yes", "nesterov must be True or False, got 'yes'"),
    ],
    "Adagrad": [
        ("lr_decay", -1.0, "Invalid lr_decay value: -1.0"),
        ("initial_accumulator_value", -1.0, "Invalid initial_accumulator_value value: -1.0"),
        ("eps", -1.0, "Invalid epsilon value: -1.0"),
    ],
    "RMSprop": [
        ("alpha", -0.1, "Invalid alpha value: -0.1"),
        ("eps", -1.0, "Invalid epsilon value: -1.0"),
        ("momentum", -0.9, "Invalid momentum value: -0.9"),
        ("centered", None, "centered must be True or False, got None"),
        ("centered", 1, "centered must be True or False, got 1"),
    ],
    "Adam": [
        ("betas", (1.0, 0.9), "Invalid beta parameter at index 0: 1.0"),
        ("betas", (0.9, 1.0), "Invalid beta parameter at index 1: 1.0"),
        ("betas", (-0.1, 0.9), "Invalid beta parameter at index 0: -0.1"),
        ("betas", (0.9, float("nan")), "betas[1] must be finite, got nan"),
        ("betas", 0.9, "betas must be a pair (beta1, beta2), got 0.9; write betas=(0.9, 0.999)"),
        ("betas", "ab", "betas must be a pair (beta1, beta2), got 'ab'"),
        ("betas", (0.9, 0.99, 0.999), "got 3 values: (0.9, 0.99, 0.999)"),
        ("eps", -1.0, "Invalid epsilon value: -1.0"),
        ("amsgrad", 1, "amsgrad must be True or False, got 1"),
    ],
}
SPECIFIC_BAD_HYPERPARAMETERS["AdamW"] = SPECIFIC_BAD_HYPERPARAMETERS["Adam"]
HYPERPARAMETER_CASES = [
    (opt_class, kwargs, *case)
    for opt_class, kwargs in STATEFUL
    for case in COMMON_BAD_HYPERPARAMETERS + SPECIFIC_BAD_HYPERPARAMETERS[opt_class.__name__]
]


@pytest.mark.parametrize(
    "opt_class, kwargs, name, value, message",
    HYPERPARAMETER_CASES,
    ids=[f"{c[0].__name__}-{c[2]}={c[3]!r}" for c in HYPERPARAMETER_CASES],
)
def test_assigning_a_bad_hyperparameter_changes_nothing(opt_class, kwargs, name, value, message):
    opt, _ = started(opt_class, kwargs)
    assert_refused_and_unchanged(
        opt, lambda: setattr(opt, name, value), value, ValueError, [message]
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("learning_rate", 0.1, "no hyper-parameter 'learning_rate'; its hyper-parameters are"),
        ("learning_rate", 0.1, "optlib uses PyTorch's names: write opt.lr = 0.1"),
        ("beta_1", 0.8, "eps, betas=(beta1, beta2)"),
        ("param_groups", [], "one parameter group"),
        ("velocity", 0.1, "Adam has no hyper-parameter 'velocity'"),
    ],
)
def test_assigning_an_unknown_attribute_changes_nothing(name, value, message):
    opt, _ = started(Adam, {"lr": 0.1})
    assert_refused_and_unchanged(
        opt, lambda: setattr(opt, name, value), value, AttributeError, [message]
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("param_groups", "whose hyper-parameters are attributes: opt.lr = 0.01"),
        ("zero_grad", "nothing to zero: call opt.step(grads)"),
        ("learning_rate", "write opt.lr"),
    ],
)
def test_torch_and_keras_attributes_say_what_to_write(name, message):
    opt = SGD(np.zeros(2))
    with pytest.raises(AttributeError, match=re.escape(message)):
        getattr(opt, name)


@pytest.mark.parametrize(
    "opt_class, kwargs, switch, entry",
    [
        (Adam, {"lr": 0.05}, {"amsgrad": True}, "max_exp_avg_sq"),
        (AdamW, {"lr": 0.05}, {"amsgrad": True}, "max_exp_avg_sq"),
        (RMSprop, {"lr": 0.01}, {"centered": True}, "grad_avg"),
        (RMSprop, {"lr": 0.01}, {"momentum": 0.5}, "momentum_buffer"),
    ],
)
def test_switching_an_option_on_mid_run_keeps_the_state_dict_complete(
    opt_class, kwargs, switch, entry
):
    """torch raises KeyError at the next step; optlib starts the new entry at 0, at once."""
    opt, params = started(opt_class, kwargs)
    ((name, value),) = switch.items()
    setattr(opt, name, value)
    saved = opt.state_dict()
    for index in (0, 1):
        np.testing.assert_array_equal(saved["state"][index][entry], 0.0)
    copies = [p.copy() for p in params]
    resumed = opt_class(copies)
    resumed.load_state_dict(saved)  # complete, so it loads
    for _ in range(5):
        opt.step([np.sin(3 * p) for p in params])
        resumed.step([np.sin(3 * p) for p in copies])
    for a, b in zip(params, copies, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.torch
def test_amsgrad_switched_on_mid_run_follows_torch_given_a_zero_maximum():
    torch = pytest.importorskip("torch")
    theta = np.array([1.0, -2.0, 0.5])
    tensor = torch.tensor(theta.copy(), requires_grad=True)
    ours, theirs = Adam(theta, lr=0.1), torch.optim.Adam([tensor], lr=0.1, foreach=False)

    def both_step():
        ours.step(np.sin(3 * theta))
        tensor.grad = torch.from_numpy(np.sin(3 * tensor.detach().numpy()))
        theirs.step()

    for _ in range(5):
        both_step()
    ours.amsgrad = True
    theirs.param_groups[0]["amsgrad"] = True
    theirs.state[tensor]["max_exp_avg_sq"] = torch.zeros_like(tensor)  # torch needs it by hand
    for _ in range(20):
        both_step()
    np.testing.assert_allclose(theta, tensor.detach().numpy(), rtol=1e-10, atol=1e-14)


# -- params -------------------------------------------------------------------


def _matrix(data) -> np.matrix:
    """An np.matrix, without NumPy's PendingDeprecationWarning (an error in this suite)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.asmatrix(data)


def _strided_overlap() -> np.ndarray:
    return np.lib.stride_tricks.as_strided(np.zeros(3), shape=(2, 2), strides=(8, 8))


_BASE = np.zeros(7)
BAD_PARAMS = [
    ("one", lambda ps: [ps[0]], ValueError, ["got 1 array(s)", "2 parameter(s)"]),
    ("three", lambda ps: [*ps, np.zeros(2)], ValueError, ["got 3 array(s)"]),
    ("shape", lambda ps: [ps[0], np.zeros(4)], ValueError, ["params[1] has shape (4,)", "(2, 2)"]),
    ("transposed", lambda ps: [np.zeros((3, 1)), ps[1]], ValueError, ["params[0]", "(3, 1)"]),
    (
        "dtype",
        lambda ps: [ps[0], np.zeros((2, 2), np.float32)],
        ValueError,
        ["params[1]", "float32", "float64"],
    ),
    ("ints", lambda ps: [ps[0], np.zeros((2, 2), int)], ValueError, ["params[1]", "int64"]),
    ("complex", lambda ps: [ps[0], np.zeros((2, 2), complex)], ValueError, ["complex128"]),
    ("read-only", lambda ps: [ps[0], np.broadcast_to(0.0, (2, 2))], ValueError, ["read-only"]),
    ("same twice", lambda ps: [ps[0], ps[0]], ValueError, ["params[0] and params[1] share"]),
    (
        "overlapping views",
        lambda ps: [_BASE[:3], _BASE[2:6].reshape(2, 2)],
        ValueError,
        ["params[0] and params[1] share memory (views)"],
    ),
    ("overlap", lambda ps: [ps[0], _strided_overlap()], ValueError, ["params[1]", "overlap"]),
    ("masked", lambda ps: [ps[0], np.ma.zeros((2, 2))], ValueError, ["params[1] is a masked"]),
    ("matrix", lambda ps: [ps[0], _matrix(np.zeros((2, 2)))], ValueError, ["np.matrix"]),
    ("lists", lambda ps: [ps[0], [[0.0, 0.0]] * 2], ValueError, ["params[1] must be a NumPy"]),
    ("None", lambda ps: [ps[0], None], ValueError, ["params[1] must be a NumPy", "NoneType"]),
    ("empty", lambda ps: [], ValueError, ["empty parameter list"]),
    ("group", lambda ps: {"params": ps}, ValueError, ["parameter groups are not supported"]),
    ("text", lambda ps: "ab", ValueError, ["params must be a NumPy array", "'ab'"]),
]


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
@pytest.mark.parametrize(
    "make, error, fragments", [c[1:] for c in BAD_PARAMS], ids=[c[0] for c in BAD_PARAMS]
)
def test_assigning_bad_params_changes_nothing(opt_class, kwargs, make, error, fragments):
    opt, params = started(opt_class, kwargs)
    new = make(params)
    assert_refused_and_unchanged(opt, lambda: setattr(opt, "params", new), new, error, fragments)


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_assigned_params_of_the_same_shapes_continue_the_trajectory(opt_class, kwargs):
    _, params = started(opt_class, kwargs, steps=6)
    opt, first = started(opt_class, kwargs, steps=3)
    copies = [p.copy() for p in first]
    opt.params = copies
    assert all(p is q for p, q in zip(opt.params, copies, strict=True))
    for _ in range(3):
        opt.step([np.sin(3 * p) + 0.5 * p for p in copies])
    for a, b in zip(copies, params, strict=True):
        np.testing.assert_array_equal(a, b)  # the same operations on the same numbers
    with pytest.raises(TypeError):
        opt.params[0] = np.zeros(3)  # a tuple: the list is replaced whole, through the checks


@pytest.mark.parametrize(
    "params, message",
    [
        ([_BASE[:3], _BASE[2:5]], "params[0] and params[1] share memory (views)"),
        ([_BASE, _BASE[::2]], "params[0] and params[1] share memory (views)"),
        ([_BASE[:6].reshape(2, 3), _BASE[5:]], "params[0] and params[1] share memory"),
        ([_BASE[:2], _BASE[2:4], _BASE[:2]], "params[0] and params[2] share memory"),
        ([_BASE[4:], _BASE[:2], _BASE[1:3]], "params[1] and params[2] share memory (views)"),
        (
            _strided_overlap(),
            "params[0] of shape (2, 2) and strides (8, 8) has entries that overlap",
        ),
        (np.ma.array([1.0, 2.0], mask=[0, 1]), "params[0] is a masked array"),
        (_matrix(np.zeros((2, 2))), "params[0] is an np.matrix"),
        (np.zeros(2, dtype=bool), "params[0] must be a real floating array"),
        (np.zeros(2, dtype=object), "got dtype object"),
        (np.array(["a"]), "got dtype <U1"),
        (np.broadcast_to(np.zeros(1), (3,)), "params[0] is read-only"),
        (
            [np.zeros(2), 1.0],
            "params[1] must be a NumPy array (it is updated in place), got float",
        ),
        ((p for p in [np.zeros(2)]), "params must be a NumPy array or a list of them"),
        (None, "got NoneType None"),
    ],
)
def test_construction_refuses_params_that_a_step_would_corrupt(params, message):
    before = copy.deepcopy(params) if not hasattr(params, "__next__") else None
    with pytest.raises(ValueError, match=re.escape(message)):
        Adam(params)
    if before is not None:
        assert_same(params, before)


def test_interleaved_views_share_no_memory_and_are_accepted():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    even, odd = base[::2], base[1::2]
    SGD([even, odd], lr=0.5).step([np.ones(2), 2 * np.ones(2)])
    np.testing.assert_array_equal(base, [0.5, 1.0, 2.5, 3.0])


# -- gradients that are not plain float arrays, handled correctly ---------------


def test_a_zero_dimensional_parameter_takes_a_number_as_its_gradient():
    theta = np.array(1.0)
    opt = SGD(theta, lr=0.5)
    opt.step(2.0)
    opt.step(np.float32(1.0))
    assert theta.shape == () and theta == -0.5


def test_state_is_not_assignable():
    opt, _ = started(Adam, {"lr": 0.1})
    message = (
        "Adam.state is kept by the optimizer; to restore a saved one, use opt.load_state_dict"
    )
    assert_refused_and_unchanged(
        opt, lambda: setattr(opt, "state", []), [], AttributeError, [message]
    )


def test_load_state_dict_names_torch_only_options():
    saved = started(Adam, {"lr": 0.1})[0].state_dict()
    saved["param_groups"][0].update(foreach=None, fused=None)
    opt, _ = started(Adam, {"lr": 0.1}, shift=0.3)
    message = "fused: torch's implementation options, delete them from the dict"
    assert_refused_and_unchanged(
        opt, lambda: opt.load_state_dict(saved), saved, ValueError, [message]
    )


def test_load_state_dict_takes_any_large_step_count():
    saved = started(Adam, {"lr": 0.1})[0].state_dict()
    saved["state"][0]["step"] = 10**30  # bias corrections of exactly 1, as in a long run
    opt, _ = started(Adam, {"lr": 0.1}, shift=0.3)
    opt.load_state_dict(saved)
    assert opt.state[0]["step"] == 10**30


def test_positional_keras_arguments_get_a_hint():
    """Keras's order is (learning_rate, beta_1, beta_2, epsilon); torch's has betas as a pair."""
    with pytest.raises(ValueError, match=re.escape("got 0.9; write betas=(0.9, 0.999)")):
        Adam([np.zeros(2)], 0.001, 0.9, 0.999)


def test_integer_matrix_and_unmasked_gradients_act_as_their_values():
    theta = np.array([[1.0, 2.0], [3.0, 4.0]])
    opt = SGD(theta, lr=0.5)
    opt.step(np.array([[1, 2], [3, 4]]))  # θ − ½θ
    opt.step(_matrix([[1.0, 1.0], [1.0, 1.0]]))
    opt.step(np.ma.array(np.ones((2, 2)), mask=False))
    opt.step([[[2, 2], [2, 2]]])  # nested lists of ints
    np.testing.assert_array_equal(theta, [[-1.5, -1.0], [-0.5, 0.0]])
    assert theta.dtype == np.float64 and type(theta) is np.ndarray


def test_unsigned_gradient_with_maximize_does_not_wrap_around():
    theta = np.array([1.0])
    SGD(theta, lr=0.5, maximize=True).step(np.array([2], dtype=np.uint8))
    np.testing.assert_array_equal(theta, [2.0])  # θ + αg, not θ + α(256 − 2)


def test_gradient_that_is_another_parameter_is_read_before_the_update():
    """f(x, y) = x·y: ∂f/∂x = y and ∂f/∂y = x, returned as the parameters themselves."""
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    SGD([x, y], lr=0.1).step([y, x])
    np.testing.assert_array_equal(x, [1.0 - 0.1 * 3.0, 2.0 - 0.1 * -1.0])
    np.testing.assert_array_equal(y, [3.0 - 0.1 * 1.0, -1.0 - 0.1 * 2.0])


def test_gradient_views_of_a_shared_buffer_are_read_before_the_update():
    """Parameters that are views of one flat buffer, gradients that are views of it too."""
    buffer = np.array([1.0, 2.0, 3.0, -1.0])
    x, y = buffer[:2], buffer[2:]
    SGD([x, y], lr=0.1).step([buffer[2:], buffer[:2]])  # [y, x] again, through the buffer
    np.testing.assert_array_equal(buffer, [0.7, 2.1, 2.9, -1.2])
    theta = np.array([1.0, 2.0, 4.0])
    SGD(theta, lr=0.5).step(theta[::-1])  # a reversed view of the parameter itself
    np.testing.assert_array_equal(theta, [-1.0, 1.0, 3.5])


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_gradients_aliasing_parameters_equal_copies_and_are_not_modified(opt_class, kwargs):
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    x2, y2 = x.copy(), y.copy()
    aliased, copied = opt_class([x, y], **kwargs), opt_class([x2, y2], **kwargs)
    for _ in range(5):
        aliased.step([y, x])
        copied.step([y2.copy(), x2.copy()])
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    grads = [np.array([0.5, -0.5]), np.array([1.0, 2.0])]
    before = copy.deepcopy(grads)
    opt_class([x, y], **kwargs, maximize=True).step(grads)
    assert_same(grads, before)  # the caller's gradients are read, never written


# -- constructor arguments from Keras and torch ---------------------------------

KERAS_AND_TORCH_NAMES = [
    *[
        (cls, {"learning_rate": 0.1}, "optlib uses PyTorch's names: write lr=0.1")
        for cls in CLASSES.values()
    ],
    *[(cls, {"epsilon": 1e-7}, "write eps=1e-07") for cls in (Adagrad, RMSprop, Adam, AdamW)],
    (Adam, {"beta_1": 0.8}, "write betas=(0.8, 0.999)"),
    (AdamW, {"beta_2": 0.9}, "write betas=(0.9, 0.9)"),
    (Adam, {"beta_1": 0.8, "beta_2": 0.99}, "write betas=(0.8, 0.99)"),
    (Adam, {"beta1": 0.5}, "write betas=(0.5, 0.999)"),
    (AdamW, {"b2": 0.95}, "write betas=(0.9, 0.95)"),
    (RMSprop, {"rho": 0.9}, "write alpha=0.9"),
    (Adagrad, {"decay": 0.01}, "write lr_decay=0.01"),
    (SGD, {"decay": 0.01}, "set opt.lr between steps"),
    (Adam, {"lr_decay": 0.01}, "set opt.lr between steps"),
    (Adam, {"momentum": 0.8}, "write betas=(0.8, 0.999)"),
    (Adam, {"foreach": False}, "optlib has one implementation: drop it"),
    (SGD, {"fused": None}, "drop it"),
    (RMSprop, {"capturable": False}, "drop it"),
    (AdamW, {"differentiable": False}, "drop it"),
    (Adam, {"decoupled_weight_decay": True}, "use AdamW(params, weight_decay=...)"),
    (SGD, {"clipnorm": 1.0}, "clip them before opt.step(grads)"),
    (Adam, {"use_ema": True}, "a Keras option that optlib does not have"),
    (Adam, {"weight_deacy": 0.1}, "did you mean weight_decay=0.1?"),
    (SGD, {"nesterof": True}, "did you mean nesterov=True?"),
    (Adagrad, {"initial_accumulator": 0.1}, "did you mean initial_accumulator_value=0.1?"),
    (SGD, {"zzz": 1}, "its arguments are params, lr, momentum, dampening, weight_decay"),
]


@pytest.mark.parametrize(
    "opt_class, kwargs, message",
    KERAS_AND_TORCH_NAMES,
    ids=[f"{c[0].__name__}-{'-'.join(c[1])}" for c in KERAS_AND_TORCH_NAMES],
)
def test_other_libraries_argument_names_say_what_to_write(opt_class, kwargs, message):
    theta = np.array([1.0, 2.0])
    key = next(iter(kwargs))
    with pytest.raises(TypeError) as info:
        opt_class(theta, **kwargs)
    text = str(info.value)
    assert text.startswith(f"{opt_class.__name__} got an unexpected keyword argument {key!r}")
    assert message in text
    np.testing.assert_array_equal(theta, [1.0, 2.0])


@pytest.mark.torch
@pytest.mark.parametrize("name", CLASSES)
def test_torch_refuses_keras_names_with_a_type_error_too(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="learning_rate"):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], learning_rate=0.1)


def test_keras_names_that_torch_shares_are_accepted():
    Adagrad(np.zeros(2), initial_accumulator_value=0.1)
    SGD(np.zeros(2), momentum=0.9, nesterov=True)
    Adam(np.zeros(2), amsgrad=True, weight_decay=0.1)
    RMSprop(np.zeros(2), momentum=0.9, centered=True)


def test_constructor_signatures_are_the_documented_ones():
    """The keyword check wraps ``__init__``; help() and the API reference show the signature."""
    assert list(inspect.signature(Adam).parameters) == [
        "params",
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "amsgrad",
        "maximize",
    ]
    assert inspect.signature(SGD).parameters["lr"].default == 1e-3


def test_a_subclass_taking_any_keyword_is_not_second_guessed():
    class Scaled(SGD):
        def __init__(self, params, scale=1.0, **kwargs):
            super().__init__(params, **kwargs)

    Scaled(np.zeros(2), scale=2.0, lr=0.1)
    with pytest.raises(TypeError, match=re.escape("Scaled got an unexpected keyword argument")):
        Scaled(np.zeros(2), learning_rate=0.1)


# -- copies of an optimizer, and deleting its attributes (second adversarial pass) ----


@pytest.mark.parametrize("restore", ["deepcopy", "pickle"])
@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_a_copied_optimizer_reads_a_gradient_aliasing_its_own_parameter_first(
    opt_class, kwargs, restore
):
    # The gradient of ½‖x‖² is x itself. A copy made by deepcopy or pickle has new
    # arrays; it used to look for aliases among the original's, so AdamW's decay
    # changed the gradient before the moments read it. The reference steps the same
    # optimizer on a copy of x: the gradient is the value x had before the step.
    kwargs = {**kwargs, "weight_decay": 0.5}
    x = np.array([1.0, -2.0, 3.0])
    opt = opt_class(x, **kwargs)
    opt.step(x)
    clone = copy.deepcopy(opt) if restore == "deepcopy" else pickle.loads(pickle.dumps(opt))
    reference = copy.deepcopy(opt)
    for _ in range(3):
        clone.step(clone.params[0])
        reference.step(reference.params[0].copy())
    np.testing.assert_array_equal(clone.params[0], reference.params[0])
    np.testing.assert_array_equal(x, opt.params[0])  # the original is untouched


@pytest.mark.parametrize("name", ["lr", "params", "state"])
@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_deleting_a_hyperparameter_params_or_state_is_refused(opt_class, kwargs, name):
    opt, _ = started(opt_class, kwargs)
    assert_refused_and_unchanged(
        opt, lambda: delattr(opt, name), None, AttributeError, ["cannot delete", repr(name)]
    )
    opt.step([np.ones(3), np.ones((2, 2))])  # still works
