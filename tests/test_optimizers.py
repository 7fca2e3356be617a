"""Tests for optlib.optimizers.

Expected values come from PyTorch (live, or stored in reference/optimizers.npz by
reference/make_optimizers.py) or from closed forms written out here by hand,
never from optlib's own output.
"""

from __future__ import annotations

import copy
import doctest
import importlib.util
import itertools
import json
import re
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
    got = optimizers.ema_update(average.copy(), value, decays, tmp=np.empty(1000))
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
        (SGD, {"lr": "0.1"}, "lr must be an array of numbers"),
        (SGD, {"lr": None}, "lr must be an array of numbers"),
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
    with pytest.raises(ValueError, match="more than once"):
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
    monkeypatch.setattr(optimizers, "BLOCK_SIZE", 64)  # 16 blocks, the last one short
    blocked, blocked_state = run()
    np.testing.assert_array_equal(blocked, whole)
    assert_state_dicts_equal(blocked_state, whole_state)
    assert blocked.dtype == dtype


@pytest.mark.parametrize("opt_class, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_blocked_update_is_silent_on_non_finite_gradients(opt_class, kwargs, monkeypatch):
    monkeypatch.setattr(optimizers, "BLOCK_SIZE", 64)
    theta = np.ones(300)
    grad = np.ones(300)
    grad[::7] = np.nan
    grad[1::7] = np.inf
    opt_class(theta, **kwargs).step(grad)  # a warning would fail the test
    assert np.isnan(theta[::7]).all()


# ---------------------------------------------------------------------------
# The docstring examples run
# ---------------------------------------------------------------------------


def test_docstring_examples():
    result = doctest.testmod(optimizers, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


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
