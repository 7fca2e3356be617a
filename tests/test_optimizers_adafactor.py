"""Tests for optlib.optimizers.adafactor: :class:`Adafactor` and its rule.

Expected values come from PyTorch (live, or stored in reference/adafactor.npz by
reference/make_adafactor.py) or from closed forms written out here by hand,
never from optlib's own output.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optimizer_parity import gradient, initial_params, optlib_run, torch_run, worst_relative_error

import optlib.optimizers as optimizers
from optlib.optimizers import Adafactor, Adam, adafactor_step, state_size

REFERENCE = Path(__file__).parent / "reference" / "adafactor.npz"


def _reference_script():
    """tests/reference/make_adafactor.py as a module (it imports torch only when run)."""
    path = REFERENCE.parent / "make_adafactor.py"
    spec = importlib.util.spec_from_file_location("make_adafactor", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _reference_script()
with np.load(REFERENCE) as _data:
    CASES = json.loads(str(_data["cases"]))
    STORED = [_data[f"trajectory_{i:02d}"] for i in range(len(CASES))]
CASE_IDS = [
    "-".join(
        [
            case["dtype"],
            f"wd{case['kwargs']['weight_decay']}",
            "max" if case["kwargs"]["maximize"] else "min",
            "eps1-dtype" if case["kwargs"]["eps"][0] is None else "eps1-given",
        ]
    )
    for case in CASES
]

# Tolerance: max |optlib − torch| / max(|torch|, FLOOR), over every step and entry.
# Measured on the cases of make_adafactor.py, 300 steps: float64 at most 3e-13,
# float32 at most 1e-4. torch itself, moved by one ulp per step, strays from its
# float64 path by up to 2e-11 and from its float32 path by 2e-4 to 6e-3 on the same
# cases (float32 rounding amplified by the clipping and the RMS-scaled steps): a
# float32 tolerance of 5e-4 is about what one ulp per step costs torch itself.
FLOOR = 1e-3
RTOL = {"float64": 1e-10, "float32": 5e-4}
HANDOVER = MAKE.STEPS // 2


def adafactor_run(case: dict, handover_at: int | None = None) -> list[list[np.ndarray]]:
    params = initial_params(MAKE.SHAPES, seed=MAKE.SEED, dtype=case["dtype"])
    return optlib_run(lambda p: Adafactor(p, **case["kwargs"]), params, MAKE.STEPS, handover_at)


# ---------------------------------------------------------------------------
# Parity with torch.optim.Adafactor: stored, live, and step by step at random
# ---------------------------------------------------------------------------


def test_reference_covers_every_switch_combination():
    switches = {
        (
            case["dtype"],
            case["kwargs"]["weight_decay"] != 0,
            case["kwargs"]["maximize"],
            case["kwargs"]["eps"][0] is None,
        )
        for case in CASES
    }
    assert len(switches) == len(CASES) == 16
    assert [np.shape(p) for p in initial_params(MAKE.SHAPES)] == MAKE.SHAPES
    assert all(trajectory.shape == (MAKE.STEPS // MAKE.EVERY, 108) for trajectory in STORED)


@pytest.mark.parametrize("handover_at", [None, HANDOVER], ids=["whole", "handover"])
@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_stored_torch(index, handover_at):
    case = CASES[index]
    ours = MAKE.snapshots(adafactor_run(case, handover_at), case["dtype"])
    error = worst_relative_error([[row] for row in ours], [[row] for row in STORED[index]], FLOOR)
    assert error <= RTOL[case["dtype"]]


@pytest.mark.torch
@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_live_torch_with_a_handover_on_both_sides(index):
    torch = pytest.importorskip("torch")
    case = CASES[index]
    params = initial_params(MAKE.SHAPES, seed=MAKE.SEED, dtype=case["dtype"])
    theirs = torch_run(
        lambda t: torch.optim.Adafactor(t, foreach=False, **case["kwargs"]),
        params,
        MAKE.STEPS,
        handover_at=HANDOVER,
    )
    ours = adafactor_run(case, handover_at=HANDOVER)
    assert worst_relative_error(ours, theirs, FLOOR) <= RTOL[case["dtype"]]


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: 10.0**e)


@st.composite
def adafactor_kwargs(draw) -> dict:
    return {
        "lr": draw(log_uniform(1e-4, 0.5)),
        "beta2_decay": draw(st.one_of(st.just(0.0), st.floats(-1.5, -0.05))),
        "eps": (
            draw(st.one_of(st.none(), st.just(0.0), log_uniform(1e-30, 1e-2))),
            draw(st.one_of(st.just(0.0), log_uniform(1e-6, 0.1))),
        ),
        "d": draw(st.one_of(st.just(1.0), st.floats(1.0, 5.0))),
        "weight_decay": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.5))),
        "maximize": draw(st.booleans()),
    }


SHAPE_POOL = [(), (1,), (7,), (1, 5), (5, 1), (4, 4), (3, 6), (6, 3), (2, 3, 4), (2, 1, 3, 2)]
STEPWISE_STEPS = 60
# One step from torch's own state, so no error is carried over: each array's
# max |optlib − torch| relative to its largest entry (a step that lands an entry
# near zero cancels, and an entry's own relative error means nothing there).
# Measured over 150 draws: float64 at most 6e-16, float32 at most 4e-7.
STEPWISE_RTOL = {"float64": 1e-13, "float32": 2e-6}


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    kwargs=adafactor_kwargs(),
    shapes=st.lists(st.sampled_from(SHAPE_POOL), min_size=1, max_size=3),
    dtype=st.sampled_from(["float64", "float32"]),
    seed=st.integers(0, 2**16),
)
def test_every_step_matches_torch_for_random_hyperparameters(kwargs, shapes, dtype, seed):
    """From torch's parameters and state at every step of its run, optlib's rule gives
    torch's next parameters and state. Step by step, so that no draw is judged on a
    chaotic stretch (random learning rates up to 0.5 make some), where one ulp grows."""
    torch = pytest.importorskip("torch")
    hyperparameters = Adafactor(np.zeros(1), **kwargs).hyperparameters
    tensors = [torch.tensor(p, requires_grad=True) for p in initial_params(shapes, seed, dtype)]
    theirs = torch.optim.Adafactor(tensors, foreach=False, **kwargs)
    worst = 0.0
    for _ in range(STEPWISE_STEPS):
        before = [(t.detach().numpy().copy(), numpy_state(theirs.state[t])) for t in tensors]
        grads = gradient(tensors)
        for tensor, grad in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(grad, dtype=tensor.dtype)
        theirs.step()
        for tensor, grad, (param, state) in zip(tensors, grads, before, strict=True):
            adafactor_step(param, grad.astype(dtype), state, **hyperparameters)
            expected = numpy_state(theirs.state[tensor])
            assert state.keys() == expected.keys()
            assert state["step"] == expected["step"]
            pairs = [(param, tensor.detach().numpy())]
            pairs += [(state[key], expected[key]) for key in state if key != "step"]
            worst = max(worst, *(scaled_error(a, b) for a, b in pairs))
    assert worst <= STEPWISE_RTOL[dtype]


def scaled_error(got: np.ndarray, expected: np.ndarray) -> float:
    """max |got − expected| relative to expected's largest entry (0 for two zero arrays)."""
    difference = float(np.max(np.abs(got.astype(np.float64) - expected), initial=0.0))
    return difference / max(float(np.max(np.abs(expected), initial=0.0)), 1e-300)


def numpy_state(state: dict) -> dict:
    """A torch optimizer's state for one parameter, as NumPy (``step``: an int)."""
    return {
        key: int(value.item()) if key == "step" else value.numpy().copy()
        for key, value in state.items()
    }


@pytest.mark.torch
def test_state_has_torchs_keys_shapes_and_values():
    torch = pytest.importorskip("torch")
    shapes = [(), (5,), (3, 7), (2, 3, 4)]
    params = initial_params(shapes, seed=4)
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    theirs = torch.optim.Adafactor(tensors, foreach=False, weight_decay=0.1)
    ours = Adafactor(params, weight_decay=0.1)
    for _ in range(5):
        for tensor, grad in zip(tensors, gradient(tensors), strict=True):
            tensor.grad = torch.tensor(grad)
        theirs.step()
        ours.step(gradient(params))
    for index, tensor in enumerate(tensors):
        expected = numpy_state(theirs.state[tensor])
        state = ours.state_dict()["state"][index]
        assert list(state) == list(expected)
        for key, value in expected.items():
            np.testing.assert_allclose(state[key], value, rtol=1e-13)


@pytest.mark.torch
def test_loads_torchs_state_dict_and_continues_as_torch():
    """torch's state_dict (a float tensor ``step``, tensors, its ``foreach`` entry
    dropped) loads into optlib, and both continue along the same path."""
    torch = pytest.importorskip("torch")
    params = initial_params([(4, 6), (6,)], seed=5)
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    theirs = torch.optim.Adafactor(tensors, lr=0.05, foreach=False)

    def torch_step() -> None:
        for tensor, grad in zip(tensors, gradient(tensors), strict=True):
            tensor.grad = torch.tensor(grad)
        theirs.step()

    for _ in range(10):
        torch_step()
    saved = theirs.state_dict()
    group = {key: value for key, value in saved["param_groups"][0].items() if key != "foreach"}
    state = {
        index: {key: value.numpy().copy() for key, value in entries.items()}
        for index, entries in saved["state"].items()
    }
    mine = [t.detach().numpy().copy() for t in tensors]
    ours = Adafactor(mine)
    ours.load_state_dict({"state": state, "param_groups": [group]})
    assert ours.lr == 0.05
    for _ in range(10):
        ours.step(gradient(mine))
        torch_step()
    for param, tensor in zip(mine, tensors, strict=True):
        np.testing.assert_allclose(param, tensor.detach().numpy(), rtol=1e-13)


@pytest.mark.torch
def test_signature_and_defaults_are_torchs():
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(torch.optim.Adafactor).parameters
    ours = inspect.signature(Adafactor).parameters
    # foreach chooses torch's implementation, not the step: optlib has one, and no foreach
    assert [name for name in theirs if name != "foreach"] == list(ours)
    for name, parameter in ours.items():
        assert parameter.kind == theirs[name].kind
        assert parameter.default == theirs[name].default


# ---------------------------------------------------------------------------
# Closed forms, by hand
# ---------------------------------------------------------------------------


def test_first_step_on_a_2x2_matrix_by_hand():
    """t = 1: β̂₂ = 0, so R and C are the first row and column means of G²."""
    theta = np.array([[1.0, 2.0], [3.0, 4.0]])
    grad = np.array([[1.0, 2.0], [3.0, 4.0]])
    lr, weight_decay = 0.1, 0.5
    opt = Adafactor(theta, lr=lr, weight_decay=weight_decay)
    opt.step(grad)
    # rows of G²: (1 + 4)/2 and (9 + 16)/2; columns: (1 + 9)/2 and (4 + 16)/2 (to the
    # last bit or so: torch and optlib take ‖g‖²/n, and √5² rounds up)
    np.testing.assert_allclose(opt.state[0]["row_var"], [[2.5], [12.5]], rtol=1e-15)
    np.testing.assert_allclose(opt.state[0]["col_var"], [[5.0, 10.0]], rtol=1e-15)
    # V̂ = R C / mean(R) = R C / 7.5;  U = G / √V̂
    u = np.array(
        [[1 / math.sqrt(12.5 / 7.5), 2 / math.sqrt(25 / 7.5)],
         [3 / math.sqrt(62.5 / 7.5), 4 / math.sqrt(125 / 7.5)]]
    )  # fmt: skip
    assert math.sqrt(np.mean(u**2)) < 1  # RMS(U) = √0.96: no clipping at d = 1
    # η = max(ε₂, RMS(θ₀)) · min(α, 1/√1), RMS of θ before the decay: √(30/4)
    step_size = math.sqrt(30 / 4) * lr
    expected = np.array([[1.0, 2.0], [3.0, 4.0]]) * (1 - lr * weight_decay) - step_size * u
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def test_second_step_weights_the_new_squares_by_t_to_the_beta2_decay():
    theta = np.ones((2, 3))
    g1 = np.array([[1.0, 0.0, 1.0], [2.0, 2.0, 0.0]])
    g2 = np.array([[0.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
    opt = Adafactor(theta, beta2_decay=-0.5)
    opt.step(g1)
    opt.step(g2)
    w = 2**-0.5  # 1 − β̂₂ at t = 2
    rows1, rows2 = np.array([[2 / 3], [8 / 3]]), np.array([[3.0], [1.0]])
    cols1, cols2 = np.array([[2.5, 2.0, 0.5]]), np.array([[0.5, 5.0, 0.5]])
    np.testing.assert_allclose(opt.state[0]["row_var"], rows1 + w * (rows2 - rows1), rtol=1e-14)
    np.testing.assert_allclose(opt.state[0]["col_var"], cols1 + w * (cols2 - cols1), rtol=1e-14)
    assert opt.state[0]["step"] == 2


def test_update_clipping_at_d_by_hand():
    """A vector: s = g² at t = 1 (U = sign g), then a gradient ten times larger, whose
    U has RMS above d = 1 and is scaled back to RMS 1."""
    theta = np.array([2.0, -2.0])
    lr = 0.5
    opt = Adafactor(theta, lr=lr)
    opt.step(np.array([1.0, -1.0]))
    theta1 = np.array([2.0, -2.0]) - 2.0 * lr * np.array([1.0, -1.0])  # RMS(θ₀) = 2
    np.testing.assert_allclose(theta, theta1, rtol=1e-15)
    opt.step(np.array([10.0, -10.0]))
    s2 = 1 + 2**-0.8 * (100 - 1)
    u = np.array([10.0, -10.0]) / math.sqrt(s2)
    assert np.sqrt(np.mean(u**2)) > 1
    # Û = U / RMS(U) = sign: a step of RMS(θ₁) · min(α, 1/√2)
    expected = theta1 - np.sqrt(np.mean(theta1**2)) * min(lr, 1 / math.sqrt(2)) * np.sign(u)
    np.testing.assert_allclose(theta, expected, rtol=1e-15)
    np.testing.assert_allclose(opt.state[0]["variance"], [s2, s2], rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_eps1_none_is_the_dtype_machine_epsilon(dtype):
    """A tiny gradient entry: U = g / max(|g|, ε₁) = g / ε₁, so ε₁ shows in the step."""
    tiny = 1e-30
    eps1 = float(np.finfo(dtype).eps)
    for eps in [(None, 1e-3), (eps1, 1e-3)]:
        theta = np.array([0.0, 0.0], dtype=dtype)
        Adafactor(theta, lr=0.01, eps=eps).step(np.array([tiny, 0.5], dtype=dtype))
        u = np.array([np.float32(tiny) / eps1 if dtype == np.float32 else tiny / eps1, 1.0])
        rms = math.sqrt(np.mean(u**2))  # below 1: no clipping
        np.testing.assert_allclose(theta, -1e-3 * 0.01 * u / max(1.0, rms), rtol=1e-6)


def test_parameter_at_zero_moves_by_eps2_times_the_relative_step():
    theta = np.zeros(3)
    Adafactor(theta, lr=0.01, eps=(None, 0.05)).step(np.array([1.0, -2.0, 3.0]))
    np.testing.assert_allclose(theta, -0.05 * 0.01 * np.array([1.0, -1.0, 1.0]), rtol=1e-15)


def test_stack_of_matrices_is_factored_over_its_last_two_axes():
    rng = np.random.default_rng(0)
    grad = rng.normal(size=(2, 3, 4))
    opt = Adafactor(np.ones((2, 3, 4)))
    opt.step(grad)
    state = opt.state[0]
    assert set(state) == {"step", "row_var", "col_var"}
    for k in range(2):  # each matrix's own row and column means of g², at t = 1
        np.testing.assert_allclose(state["row_var"][k, :, 0], np.mean(grad[k] ** 2, axis=1))
        np.testing.assert_allclose(state["col_var"][k, 0, :], np.mean(grad[k] ** 2, axis=0))


def test_rates_is_refused_with_a_reason():
    opt = Adafactor(np.ones((2, 2)))
    opt.step(np.ones((2, 2)))
    with pytest.raises(ValueError, match="Adafactor defines no per-coordinate learning rate"):
        opt.rates()


# ---------------------------------------------------------------------------
# Memory: m + n numbers for an m × n matrix, against Adam's 2mn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shapes, adafactor_size, adam_size",
    [
        ([(64, 32)], 64 + 32, 2 * 64 * 32),
        ([(7,)], 7, 14),
        ([()], 1, 2),
        ([(5, 3, 4)], 5 * (3 + 4), 2 * 60),
        ([(10, 20), (20,)], 30 + 20, 2 * 200 + 2 * 20),
    ],
)
def test_state_size_is_the_closed_form(shapes, adafactor_size, adam_size):
    counts = []
    for opt_class in (Adafactor, Adam):
        params = [np.ones(shape) for shape in shapes]
        opt = opt_class(params)
        assert state_size(opt) == 0  # the state starts at the first step
        opt.step([np.ones(shape) for shape in shapes])
        counts.append(state_size(opt))
    assert counts == [adafactor_size, adam_size]


# ---------------------------------------------------------------------------
# state_dict and load_state_dict
# ---------------------------------------------------------------------------

SHAPES = [(3, 4), (5,), ()]


def started() -> tuple[Adafactor, list[np.ndarray]]:
    params = initial_params(SHAPES, seed=6)
    opt = Adafactor(params, lr=0.05, weight_decay=0.1)
    for _ in range(3):
        opt.step(gradient(params))
    return opt, params


def test_state_dict_round_trip_continues_bitwise():
    opt, params = started()
    saved = copy.deepcopy(opt.state_dict())
    copies = [p.copy() for p in params]
    resumed = Adafactor(copies)
    resumed.load_state_dict(saved)
    assert resumed.hyperparameters == opt.hyperparameters
    for _ in range(5):
        opt.step(gradient(params))
        resumed.step(gradient(copies))
    for a, b in zip(params, copies, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (
            lambda d: d["state"][0].update(row_var=np.ones((4, 1))),
            "row_var has shape (4, 1), but the parameter has shape (3, 4) "
            "and its row_var shape (3, 1)",
        ),
        (lambda d: d["state"][0].update(col_var=-np.ones((1, 4))), "col_var has 4 negative"),
        (lambda d: d["state"][0].pop("col_var"), "lacks 'col_var'"),
        (
            lambda d: d["state"][0].update(variance=np.ones((3, 4))),
            "has 'variance', which Adafactor does not keep for a parameter of shape (3, 4)",
        ),
        (lambda d: d["state"][1].update(row_var=np.ones((5, 1))), "has 'row_var', which"),
        (lambda d: d["state"][1].pop("variance"), "lacks 'variance'"),
        (lambda d: d["state"][2].update(exp_avg=np.ones(())), "unknown entries ['exp_avg']"),
        (lambda d: d["state"][2].update(step=-1), "step must be an int >= 0"),
        (
            lambda d: d["param_groups"][0].update(eps=(None, -1.0)),
            "epsilon2 should be >= 0 but is: -1.0",
        ),
        (lambda d: d["param_groups"][0].update(d=0.0), "Clipping threshold d should be >= 1"),
    ],
)
def test_load_state_dict_refuses_a_corrupt_state(corrupt, message):
    opt, _ = started()
    saved = opt.state_dict()
    target = Adafactor(initial_params(SHAPES, seed=7))
    before = target.state_dict()
    corrupt(saved)
    with pytest.raises(ValueError, match=re.escape(message)):
        target.load_state_dict(saved)
    assert before == target.state_dict()  # not started, and still nothing half-loaded


# ---------------------------------------------------------------------------
# Validation, with torch's messages
# ---------------------------------------------------------------------------

INVALID = [
    ({"lr": -0.5}, "Learning rate should be >= 0 but is: -0.5"),
    ({"beta2_decay": 0.5}, "beta2_decay should be <= 0 but is: 0.5"),
    ({"eps": (-0.001, 0.001)}, "epsilon1 should be >= 0 but is: -0.001"),
    ({"eps": (None, -0.1)}, "epsilon2 should be >= 0 but is: -0.1"),
    ({"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
    ({"weight_decay": -0.1}, "weight_decay should be >= 0 but is: -0.1"),
]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=[next(iter(k)) for k, _ in INVALID])
def test_invalid_hyperparameter_raises_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Adafactor(np.zeros(2), **kwargs)
    opt = Adafactor(np.zeros(2))
    name, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        setattr(opt, name, value)
    assert getattr(opt, name) == Adafactor(np.zeros(2)).hyperparameters[name]


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=[next(iter(k)) for k, _ in INVALID])
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"eps": 1e-3}, "eps must be a pair (eps1, eps2) for Adafactor, got 0.001"),
        ({"eps": (None, 1e-3, 1.0)}, "eps must be a pair"),
        ({"eps": (None, "a")}, "eps[1] must be a number"),
        ({"lr": float("nan")}, "lr must be finite"),
        ({"maximize": 1}, "maximize must be True or False"),
        (
            {"lr": np.array([[0.1], [0.2]])},
            "lr must be a number here, not an array of shape (2, 1): Adafactor's step couples",
        ),
        ({"eps": (None, np.array([[1e-3], [1e-2]]))}, "eps must be a number here, not an array"),
    ],
)
def test_other_invalid_values_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Adafactor(np.zeros((2, 3)), **kwargs)


def test_torch_only_and_keras_names_say_what_to_write():
    with pytest.raises(TypeError, match="optlib has one implementation: drop it"):
        Adafactor(np.zeros(2), foreach=False)
    with pytest.raises(TypeError, match=re.escape("write lr=0.1")):
        Adafactor(np.zeros(2), learning_rate=0.1)


def test_eps_pair_is_kept_as_a_tuple():
    opt = Adafactor(np.zeros(2), eps=[1e-20, 0.01])
    assert opt.eps == (1e-20, 0.01)
    assert Adafactor(np.zeros(2)).eps == (None, 1e-3)


# ---------------------------------------------------------------------------
# Large parameters: updated whole, never block by block
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(20, 50), (1000,)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_parameter_is_updated_whole(shape, dtype, monkeypatch):
    start = np.linspace(-3, 3, 1000, dtype=dtype).reshape(shape)

    def run() -> np.ndarray:
        theta = start.copy()
        opt = Adafactor(theta, lr=0.05)
        for _ in range(20):
            opt.step(np.sin(3 * theta) + 0.5 * theta)
        return theta

    whole = run()
    monkeypatch.setattr(optimizers.blocks, "BLOCK_SIZE", 64)  # 1000 >= 2 · 64: blockable
    np.testing.assert_array_equal(run(), whole)
    assert Adafactor.elementwise is False
    # The check has teeth: forced block by block, the same rule steps elsewhere.
    hyperparameters = Adafactor(start.copy(), lr=0.05).hyperparameters
    grad = np.sin(3 * start) + 0.5 * start
    in_one, in_blocks = start.copy(), start.copy()
    adafactor_step(in_one, grad, {}, **hyperparameters)
    optimizers.blocks.update(adafactor_step, in_blocks, grad, {}, hyperparameters)
    assert not np.array_equal(in_blocks, in_one)


def test_float32_stays_float32_and_updates_in_place():
    params = initial_params(SHAPES, seed=8, dtype="float32")
    originals = list(params)
    opt = Adafactor(params, weight_decay=0.1)
    for _ in range(20):
        opt.step([g.astype(np.float32) for g in gradient(params)])
    assert all(p is q and p.dtype == np.float32 for p, q in zip(params, originals, strict=True))
    assert all(v.dtype == np.float32 for s in opt.state for k, v in s.items() if k != "step")


def test_sweep_refuses_several_runs_but_takes_one():
    """sweep runs configurations as rows of one parameter, which Adafactor's row and
    column means would couple; minimize (or a sweep of one run) is fine."""
    from optlib import Rosenbrock, minimize, sweep

    with pytest.raises(ValueError, match="Adafactor's step reads a parameter whole"):
        sweep(Rosenbrock(), [[-1.5, 2.0], [0.0, 0.0]], Adafactor, steps=5)
    alone = sweep(Rosenbrock(), [-1.5, 2.0], Adafactor, steps=5, lr=0.05)
    path = minimize(Rosenbrock(), np.array([-1.5, 2.0]), Adafactor, steps=5, lr=0.05)
    np.testing.assert_array_equal(alone.xs[-1], path.xs[-1])
