"""Tests for optlib.optimizers.muon: :class:`Muon`, its rule and its Newton–Schulz iteration.

Expected values come from PyTorch (live, or stored in reference/muon.npz by
reference/make_muon.py) or from closed forms written out here by hand, never
from optlib's own output.

**Tolerances.** torch's Muon orthogonalises in bfloat16 (8 significant bits)
whatever the parameters' dtype, and so does optlib, to agree with it. Each
bfloat16 product is the float32 sum rounded once, and torch sums in an order of
its own: now and then an entry lying within float32 rounding of a bfloat16 tie
rounds the other way, and that step differs by a few bfloat16 units. Parity to
1e-10 is therefore out of reach, in float64 as in float32. What is measured:

* one step from torch's own state: in at least 91% of the steps of 150 random
  draws the two updates agree to 1e-5 of the step (float rounding; the momentum
  buffers to 4e-7), and the others differ by at most 1.4% of the step;
* a whole run: a flip's few units then travel along the trajectory, as they do
  between torch's own float32 and float64 runs of the same problem (which round
  their momentum differently before the bfloat16 cast). That distance, measured
  on each case, is the yardstick: over the 8 cases of reference/make_muon.py
  (300 steps, a hand-over at 150), optlib's float64 run stays within 1.4 times
  it of torch's float64 run, and its float32 run of torch's float32 run (at
  most 2.3e-4 of the parameters' size; the yardsticks are 9e-6 to 2.3e-4).
  The tests allow 5 times.
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
from optimizer_parity import gradient, initial_params, optlib_run, torch_run

import optlib.optimizers as optimizers
from optlib.optimizers import Muon, muon_step, newton_schulz
from optlib.optimizers.muon import bfloat16

REFERENCE = Path(__file__).parent / "reference" / "muon.npz"


def _reference_script():
    """tests/reference/make_muon.py as a module (it imports torch only when run)."""
    path = REFERENCE.parent / "make_muon.py"
    spec = importlib.util.spec_from_file_location("make_muon", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _reference_script()
with np.load(REFERENCE) as _data:
    CASES = json.loads(str(_data["cases"]))
    STORED = {
        dtype: [_data[f"{dtype}_{i:02d}"] for i in range(len(CASES))]
        for dtype in ("float64", "float32")
    }
CASE_IDS = [
    "-".join(
        [
            "nesterov" if case["kwargs"]["nesterov"] else "plain",
            f"wd{case['kwargs']['weight_decay']}",
            str(case["kwargs"]["adjust_lr_fn"]),
        ]
    )
    for case in CASES
]
KELLER = (3.4445, -4.775, 2.0315)  # torch's default coefficients
FACTOR = 5  # times torch's own float32-to-float64 distance (see the module docstring)
HANDOVER = MAKE.STEPS // 2


def distance(got: list[np.ndarray], expected: list[np.ndarray]) -> float:
    """max over steps of max |got − expected| / max |expected| (each step's rows)."""
    return max(
        float(np.max(np.abs(a.astype(np.float64) - b))) / float(np.max(np.abs(b)))
        for a, b in zip(got, expected, strict=True)
    )


def rows(path: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Each step's parameters, concatenated."""
    return [np.concatenate([p.ravel() for p in step]) for step in path]


def muon_run(case: dict, dtype: str, handover_at: int | None = None) -> list[list[np.ndarray]]:
    params = initial_params(MAKE.SHAPES, seed=MAKE.SEED, dtype=dtype)
    return optlib_run(lambda p: Muon(p, **case["kwargs"]), params, MAKE.STEPS, handover_at)


# ---------------------------------------------------------------------------
# Parity with torch.optim.Muon: stored, live, and step by step at random
# ---------------------------------------------------------------------------


def test_reference_covers_every_switch_combination():
    switches = {
        (
            case["kwargs"]["nesterov"],
            case["kwargs"]["weight_decay"] != 0,
            case["kwargs"]["adjust_lr_fn"],
        )
        for case in CASES
    }
    assert len(switches) == len(CASES) == 8
    shapes = set(MAKE.SHAPES)
    assert any(m == n for m, n in shapes) and any(m < n for m, n in shapes)
    assert any(m > n for m, n in shapes)  # square, wide and tall


@pytest.mark.parametrize("handover_at", [None, HANDOVER], ids=["whole", "handover"])
@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_stored_torch(index, handover_at):
    torch64, torch32 = STORED["float64"][index], STORED["float32"][index]
    yardstick = distance(list(torch32), list(torch64))
    assert 0 < yardstick < 1e-3  # the case is well-conditioned
    for dtype, theirs in (("float64", torch64), ("float32", torch32)):
        ours = MAKE.snapshots(muon_run(CASES[index], dtype, handover_at), dtype)
        assert distance(list(ours), list(theirs)) <= FACTOR * yardstick, dtype


@pytest.mark.torch
@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_live_torch_with_a_handover_on_both_sides(index):
    torch = pytest.importorskip("torch")
    case = CASES[index]
    theirs = {
        dtype: rows(
            torch_run(
                lambda t: torch.optim.Muon(t, **case["kwargs"]),
                initial_params(MAKE.SHAPES, seed=MAKE.SEED, dtype=dtype),
                MAKE.STEPS,
                handover_at=HANDOVER,
            )
        )
        for dtype in ("float64", "float32")
    }
    yardstick = distance(theirs["float32"], theirs["float64"])
    assert 0 < yardstick < 1e-3
    for dtype in ("float64", "float32"):
        ours = rows(muon_run(case, dtype, handover_at=HANDOVER))
        assert distance(ours, theirs[dtype]) <= FACTOR * yardstick, dtype


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: 10.0**e)


# Keller Jordan's quintic, the convergent quintic, and the classic cubic: coefficients
# whose iteration stays bounded (arbitrary ones overflow bfloat16 in both libraries).
COEFFICIENTS = [KELLER, (1.875, -1.25, 0.375), (1.5, -0.5, 0.0)]


@st.composite
def muon_kwargs(draw) -> dict:
    return {
        "lr": draw(log_uniform(1e-4, 0.1)),
        "weight_decay": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.3))),
        "momentum": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.99))),
        "nesterov": draw(st.booleans()),
        "ns_coefficients": draw(st.sampled_from(COEFFICIENTS)),
        "eps": draw(log_uniform(1e-9, 1e-3)),
        "ns_steps": draw(st.integers(0, 8)),
        "adjust_lr_fn": draw(st.sampled_from([None, "original", "match_rms_adamw"])),
    }


SHAPE_POOL = [(1, 1), (1, 5), (5, 1), (4, 4), (3, 6), (6, 3), (8, 5), (12, 12)]
STEPWISE_STEPS = 40
BUFFER_RTOL = {"float64": 1e-14, "float32": 1e-6}


@pytest.mark.torch
@settings(max_examples=30, deadline=None)
@given(
    kwargs=muon_kwargs(),
    shapes=st.lists(st.sampled_from(SHAPE_POOL), min_size=1, max_size=3),
    dtype=st.sampled_from(["float64", "float32"]),
    seed=st.integers(0, 2**16),
)
def test_every_step_matches_torch_for_random_hyperparameters(kwargs, shapes, dtype, seed):
    """From torch's parameters and momentum at every step of its run, optlib's rule
    gives torch's next momentum (to rounding) and torch's step: to 1e-5 of its size in
    most steps, within 5% in all (a bfloat16 tie rounded the other way)."""
    torch = pytest.importorskip("torch")
    hyperparameters = Muon(np.zeros((2, 2)), **kwargs).hyperparameters
    tensors = [torch.tensor(p, requires_grad=True) for p in initial_params(shapes, seed, dtype)]
    theirs = torch.optim.Muon(tensors, **kwargs)
    deviations = []
    for _ in range(STEPWISE_STEPS):
        before = [
            (t.detach().numpy().copy(), {k: v.numpy().copy() for k, v in theirs.state[t].items()})
            for t in tensors
        ]
        grads = gradient(tensors)
        for tensor, grad in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(grad, dtype=tensor.dtype)
        theirs.step()
        for tensor, grad, (param, state) in zip(tensors, grads, before, strict=True):
            start = param.copy()
            muon_step(param, grad.astype(dtype), state, **hyperparameters)
            buffer = theirs.state[tensor]["momentum_buffer"].numpy()
            assert list(state) == list(theirs.state[tensor]) == ["momentum_buffer"]
            np.testing.assert_allclose(
                state["momentum_buffer"],
                buffer,
                rtol=0,
                atol=BUFFER_RTOL[dtype] * float(np.max(np.abs(buffer))),
            )
            step = tensor.detach().numpy() - start
            size = float(np.max(np.abs(step)))
            deviation = float(np.max(np.abs(param - tensor.detach().numpy())))
            deviations.append(deviation / size if size > 0 else deviation)
    assert max(deviations) <= 0.05
    assert np.mean(np.array(deviations) <= 1e-5) >= 0.8


@pytest.mark.torch
def test_signature_and_defaults_are_torchs():
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(torch.optim.Muon).parameters
    ours = inspect.signature(Muon).parameters
    assert list(theirs) == list(ours)
    for name, parameter in ours.items():
        assert parameter.kind == theirs[name].kind
        assert parameter.default == theirs[name].default


# ---------------------------------------------------------------------------
# bfloat16 and the Newton–Schulz iteration
# ---------------------------------------------------------------------------


def test_bfloat16_rounds_to_nearest_even_by_hand():
    one_ulp = 2.0**-7  # bfloat16's spacing in [1, 2): 7 fraction bits
    cases = {
        1.0: 1.0,
        1 + one_ulp / 2: 1.0,  # a tie: to the even neighbour, 1
        1 + 3 * one_ulp / 2: 1 + 2 * one_ulp,  # a tie: to the even neighbour, up
        1 + one_ulp / 2 + 2.0**-20: 1 + one_ulp,  # just above the tie
        -(1 + 3 * one_ulp / 4): -(1 + one_ulp),
        0.6: 154 / 256,  # 0.10011001…₂ → 0.10011010₂
        float(np.finfo(np.float32).max): np.inf,  # beyond bfloat16's largest, 3.39e38
        -np.inf: -np.inf,
        2.0**-130: 2.0**-130,  # a float32 subnormal with few bits
    }
    got = bfloat16(list(cases))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.array(list(cases.values()), dtype=np.float32))
    # float64 input is rounded to float32 first, as torch converts: 1 + 2⁻⁸ + 2⁻³⁰
    # becomes the tie 1 + 2⁻⁸ in float32, then 1 (a direct rounding would give 1 + 2⁻⁷)
    assert bfloat16(1 + 2.0**-8 + 2.0**-30) == 1.0


def test_bfloat16_keeps_every_nan_a_nan():
    payloads = np.array([0x7FC00000, 0x7FFFFFFF, 0xFFFFFFFF, 0x7F800001], dtype=np.uint32)
    assert np.isnan(bfloat16(payloads.view(np.float32))).all()  # no carry into 0 or inf


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bfloat16_is_torchs(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=20_000) * 10.0 ** rng.uniform(-45, 39, size=20_000)
    x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan, 1 + 2.0**-8 + 2.0**-30]])
    with np.errstate(over="ignore"):
        x = x.astype(dtype)  # beyond float32's range: ±inf in float32
    expected = torch.tensor(x).bfloat16().float().numpy()
    np.testing.assert_array_equal(bfloat16(x), expected)


def repeated_quintic(sigma: np.ndarray, coefficients=KELLER, steps: int = 5) -> np.ndarray:
    """p(σ) = aσ + bσ³ + cσ⁵ applied ``steps`` times, in float64."""
    a, b, c = coefficients
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


def test_newton_schulz_maps_each_singular_value_by_the_quintic():
    """B = U diag(σ) Vᵀ gives U diag(p⁵(σ/‖σ‖)) Vᵀ, to bfloat16 precision."""
    rng = np.random.default_rng(1)
    u, _ = np.linalg.qr(rng.normal(size=(7, 7)))
    v, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    sigma = np.array([3.0, 1.0, 0.2, 0.05])
    matrix = u[:, :4] @ np.diag(sigma) @ v.T
    expected = u[:, :4] @ np.diag(repeated_quintic(sigma / np.linalg.norm(sigma))) @ v.T
    got = newton_schulz(matrix, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    # measured: 0.012 at most (bfloat16 has 8 significant bits)
    np.testing.assert_allclose(got, expected, atol=0.03)


def test_newton_schulz_brings_singular_values_near_one():
    """torch's coefficients do not converge to 1: after 5 steps each singular value σ
    of B with σ/‖B‖ in [0.01, 1] becomes p⁵(σ/‖B‖), in [0.68, 1.14] (by hand, in
    float64). Along B's own singular vectors, uᵢᵀ NS(B) vᵢ is that value, up to
    bfloat16's rounding of σ/‖B‖ (2⁻⁹ relative), which p⁵'s steep stretches amplify.
    Measured on 500 random matrices up to 11 × 11: at most 0.084 from p⁵(σ/‖B‖), and
    all in [0.676, 1.144]."""
    x = np.logspace(-2, 0, 10_001)
    band = repeated_quintic(x)
    assert 0.68 < band.min() < 0.69 and 1.13 < band.max() < 1.14
    rng = np.random.default_rng(2)
    for _ in range(50):
        m, n = rng.integers(1, 12, size=2)
        matrix = rng.normal(size=(m, n)) * 10.0 ** rng.uniform(-4, 4)
        u, sigma, vt = np.linalg.svd(matrix, full_matrices=False)
        relative = sigma / np.linalg.norm(sigma)
        kept = relative >= 1e-2
        got = newton_schulz(matrix, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
        along = np.einsum("ji,jk,ik->i", u, got.astype(np.float64), vt)[kept]
        np.testing.assert_allclose(along, repeated_quintic(relative[kept]), atol=0.1)
        assert band.min() - 0.03 <= along.min() and along.max() <= band.max() + 0.03


def test_newton_schulz_converges_with_a_convergent_quintic():
    """p(σ) = (15σ − 10σ³ + 3σ⁵)/8 has p(1) = 1, p'(1) = p''(1) = 0: an orthogonal
    matrix, up to bfloat16, once enough steps are taken."""
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(5, 8))
    got = newton_schulz(matrix, ns_coefficients=(1.875, -1.25, 0.375), ns_steps=20, eps=1e-7)
    np.testing.assert_allclose(got @ got.T, np.eye(5), atol=0.03)
    u, _, vt = np.linalg.svd(matrix, full_matrices=False)
    np.testing.assert_allclose(got, u @ vt, atol=0.02)


def test_newton_schulz_of_a_tall_matrix_is_the_transpose_of_the_wide_one():
    matrix = np.random.default_rng(4).normal(size=(9, 4))
    tall = newton_schulz(matrix, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    wide = newton_schulz(matrix.T, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    np.testing.assert_array_equal(tall, wide.T)


def test_newton_schulz_normalises_by_the_frobenius_norm_first():
    # ‖(3, 4)‖ = 5 exactly: 0.6 and 0.8 in bfloat16 (0.10011010₂ and 0.11001101₂)
    got = newton_schulz([[3.0, 4.0]], ns_coefficients=KELLER, ns_steps=0, eps=1e-7)
    np.testing.assert_array_equal(got, [[154 / 256, 205 / 256]])
    zero = newton_schulz(np.zeros((2, 3)), ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    np.testing.assert_array_equal(zero, np.zeros((2, 3)))  # ε floors the norm: 0/ε
    with pytest.raises(ValueError, match="Input tensor gradient must be a 2D matrix"):
        newton_schulz(np.ones(3), ns_coefficients=KELLER, ns_steps=5, eps=1e-7)


@pytest.mark.torch
def test_newton_schulz_is_torchs_on_small_matrices():
    """Bitwise in 197 of 200 random matrices up to 11 × 11 (measured); the others
    differ by a bfloat16 tie that torch's summation order rounds the other way."""
    torch = pytest.importorskip("torch")
    from torch.optim._muon import _zeropower_via_newtonschulz  # private, for parity only

    rng = np.random.default_rng(5)
    equal = 0
    for _ in range(100):
        m, n = rng.integers(1, 12, size=2)
        matrix = rng.normal(size=(m, n)) * 10.0 ** rng.uniform(-4, 4)
        theirs = _zeropower_via_newtonschulz(torch.tensor(matrix), KELLER, 5, 1e-7)
        ours = newton_schulz(matrix, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
        equal += np.array_equal(ours, theirs.float().numpy())
        assert np.max(np.abs(ours - theirs.float().numpy())) <= 0.05
    assert equal >= 90


# ---------------------------------------------------------------------------
# The step, by hand
# ---------------------------------------------------------------------------


def test_first_step_is_minus_lr_times_the_orthogonalised_blend():
    """v = (1 − ρ)g, then B = g + ρ(v − g) with Nesterov (torch's lerp), then
    θ = θ(1 − αλ) − α·√max(1, m/n)·NS(B)."""
    lr, weight_decay, mu = 0.02, 0.1, 0.9
    theta0 = np.random.default_rng(6).normal(size=(6, 4))
    grad = np.random.default_rng(7).normal(size=(6, 4))
    theta = theta0.copy()
    opt = Muon(theta, lr=lr, weight_decay=weight_decay, momentum=mu)
    opt.step(grad)
    v = (1 - mu) * grad  # lerp from 0 with weight 1 − ρ < 0.5: 0 + w·(g − 0)
    blend = v - (1 - mu) * (v - grad)  # lerp from g to v with weight ρ >= 0.5
    np.testing.assert_array_equal(opt.state[0]["momentum_buffer"], v)
    orthogonal = newton_schulz(blend, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    expected = theta0 * (1 - lr * weight_decay) - lr * math.sqrt(6 / 4) * orthogonal.astype(float)
    np.testing.assert_allclose(theta, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "shape, adjust_lr_fn, ratio",
    [
        ((9, 4), None, 1.5),  # √max(1, 9/4)
        ((9, 4), "original", 1.5),
        ((4, 9), "original", 1.0),  # √max(1, 4/9)
        ((9, 4), "match_rms_adamw", 0.6),  # 0.2·√max(9, 4)
        ((4, 9), "match_rms_adamw", 0.6),
    ],
)
def test_learning_rate_adjustment_by_shape(shape, adjust_lr_fn, ratio):
    grad = np.random.default_rng(8).normal(size=shape)
    theta = np.zeros(shape)
    Muon(theta, lr=0.1, weight_decay=0.0, nesterov=False, adjust_lr_fn=adjust_lr_fn).step(grad)
    # without Nesterov B = v = (1 − ρ)g; the step is −α·ratio·NS(B)
    orthogonal = newton_schulz((1 - 0.95) * grad, ns_coefficients=KELLER, ns_steps=5, eps=1e-7)
    np.testing.assert_allclose(theta, -0.1 * ratio * orthogonal.astype(float), rtol=1e-15)


def test_zero_gradient_only_decays():
    theta = np.full((3, 3), 2.0)
    Muon(theta, lr=0.1, weight_decay=0.5).step(np.zeros((3, 3)))
    np.testing.assert_array_equal(theta, np.full((3, 3), 2.0 * (1 - 0.1 * 0.5)))


def test_momentum_buffer_is_an_exponential_average():
    theta = np.zeros((2, 2))
    opt = Muon(theta, momentum=0.75)
    g1, g2 = np.array([[4.0, 0.0], [0.0, 8.0]]), np.array([[0.0, 4.0], [4.0, 0.0]])
    opt.step(g1)
    opt.step(g2)
    # v₁ = 0.25 g₁, v₂ = 0.75 v₁ + 0.25 g₂ (exact in binary)
    np.testing.assert_array_equal(opt.state[0]["momentum_buffer"], 0.1875 * g1 + 0.25 * g2)


def test_step_does_not_depend_on_the_gradients_scale():
    """A power of 2 scales bfloat16 exactly: the normalisation removes it to the bit."""
    paths = []
    for scale in (1.0, 8.0, 2.0**-10):
        theta = np.random.default_rng(9).normal(size=(5, 3))
        opt = Muon(theta, lr=0.05)
        for _ in range(10):
            opt.step(scale * (theta - 1.0))
        paths.append(theta)
    np.testing.assert_array_equal(paths[0], paths[1])
    np.testing.assert_array_equal(paths[0], paths[2])


def test_rates_is_refused_with_a_reason():
    opt = Muon(np.ones((2, 2)))
    opt.step(np.ones((2, 2)))
    with pytest.raises(ValueError, match="Muon defines no per-coordinate learning rate"):
        opt.rates()


# ---------------------------------------------------------------------------
# Parameters that are not matrices: refused, as in torch
# ---------------------------------------------------------------------------

NOT_2D = [(3,), (), (2, 3, 4)]


@pytest.mark.parametrize("shape", NOT_2D)
def test_parameters_that_are_not_2d_are_refused(shape):
    message = f"Muon only supports 2D parameters whereas we found a parameter with size: {shape}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Muon([np.zeros((2, 2)), np.zeros(shape)])


@pytest.mark.torch
@pytest.mark.parametrize("shape", NOT_2D)
def test_torch_refuses_them_with_the_same_words(shape):
    torch = pytest.importorskip("torch")
    words = "Muon only supports 2D parameters whereas we found a parameter with size: "
    with pytest.raises(ValueError, match=f"^{re.escape(words)}torch.Size"):  # torch's shape
        torch.optim.Muon([torch.zeros(2, 2), torch.zeros(shape)])


# ---------------------------------------------------------------------------
# state_dict and load_state_dict
# ---------------------------------------------------------------------------

SHAPES = [(3, 4), (4, 3)]


def started() -> tuple[Muon, list[np.ndarray]]:
    params = initial_params(SHAPES, seed=10)
    opt = Muon(params, lr=0.02, nesterov=False)
    for _ in range(3):
        opt.step(gradient(params))
    return opt, params


def test_state_dict_round_trip_continues_bitwise():
    opt, params = started()
    saved = copy.deepcopy(opt.state_dict())
    assert list(saved["state"][0]) == ["momentum_buffer"]  # torch's only key (no step)
    copies = [p.copy() for p in params]
    resumed = Muon(copies)
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
            lambda d: d["state"][0].update(momentum_buffer=np.ones((4, 3))),
            "momentum_buffer has shape (4, 3), but the parameter has shape (3, 4)",
        ),
        (lambda d: d["state"][1].update(step=3), "unknown entries ['step']"),
        (
            lambda d: d["param_groups"][0].update(ns_steps=100),
            "Number of steps must be less than 100 for computational efficiency",
        ),
        (
            lambda d: d["param_groups"][0].update(adjust_lr_fn="adam"),
            "Adjust learning rate function adam is not supported",
        ),
        (lambda d: d["param_groups"][0].pop("ns_coefficients"), "lack ['ns_coefficients']"),
    ],
)
def test_load_state_dict_refuses_a_corrupt_state(corrupt, message):
    opt, _ = started()
    saved = opt.state_dict()
    target = Muon(initial_params(SHAPES, seed=11))
    before = target.state_dict()
    corrupt(saved)
    with pytest.raises(ValueError, match=re.escape(message)):
        target.load_state_dict(saved)
    assert before == target.state_dict()


# ---------------------------------------------------------------------------
# Validation, with torch's messages
# ---------------------------------------------------------------------------

INVALID_AT_CONSTRUCTION = [
    ({"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
    ({"momentum": -0.5}, "momentum should be >= 0 but is: -0.5"),
    ({"weight_decay": -0.1}, "weight decay should be >= 0 but is: -0.1"),
    ({"adjust_lr_fn": "adam"}, "Adjust learning rate function adam is not supported"),
]
# torch checks these only when it steps; optlib at once, with the same words
INVALID_AT_STEP = [
    ({"ns_steps": 100}, "Number of steps must be less than 100 for computational efficiency"),
    ({"ns_coefficients": (1.0, 2.0)}, "Coefficients must be a tuple of exactly 3 values"),
]
INVALID = INVALID_AT_CONSTRUCTION + INVALID_AT_STEP
IDS = [next(iter(kwargs)) for kwargs, _ in INVALID]


@pytest.mark.parametrize("kwargs, message", INVALID, ids=IDS)
def test_invalid_hyperparameter_raises_torchs_message(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Muon(np.zeros((2, 2)), **kwargs)
    opt = Muon(np.zeros((2, 2)))
    name, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        setattr(opt, name, value)
    assert getattr(opt, name) == Muon(np.zeros((2, 2))).hyperparameters[name]


@pytest.mark.torch
@pytest.mark.parametrize("kwargs, message", INVALID, ids=IDS)
def test_torch_raises_the_same_message(kwargs, message):
    torch = pytest.importorskip("torch")
    param = torch.zeros(2, 2, requires_grad=True)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        opt = torch.optim.Muon([param], **kwargs)
        param.grad = torch.ones(2, 2)
        opt.step()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ns_steps": -1}, "ns_steps must be an integer >= 0, got -1"),
        ({"ns_steps": 5.0}, "ns_steps must be an integer, got 5.0"),
        ({"ns_coefficients": 3.4}, "ns_coefficients must be three numbers (a, b, c), got 3.4"),
        ({"ns_coefficients": (3.4, "b", 2.0)}, "ns_coefficients[1] must be a number"),
        ({"adjust_lr_fn": np.array(["original"])}, "Adjust learning rate function"),
        ({"nesterov": 1}, "nesterov must be True or False"),
        ({"eps": float("inf")}, "eps must be finite"),
        (
            {"lr": np.array([[0.1], [0.2]])},
            "lr must be a number here, not an array of shape (2, 1): Muon's step orthogonalises",
        ),
    ],
)
def test_other_invalid_values_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Muon(np.zeros((2, 3)), **kwargs)


def test_coefficients_are_kept_as_a_tuple_and_eps_may_be_negative_as_in_torch():
    opt = Muon(np.zeros((2, 2)), ns_coefficients=np.array([2.0, -1.5, 0.5]), eps=-1.0)
    assert opt.ns_coefficients == (2.0, -1.5, 0.5)
    assert opt.eps == -1.0  # torch does not check it; the norm it floors is never negative


# ---------------------------------------------------------------------------
# Large parameters: updated whole, never block by block; dtypes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_parameter_is_updated_whole(dtype, monkeypatch):
    start = np.linspace(-3, 3, 1000, dtype=dtype).reshape(20, 50)

    def run() -> np.ndarray:
        theta = start.copy()
        opt = Muon(theta, lr=0.05)
        for _ in range(20):
            opt.step(np.sin(3 * theta) + 0.5 * theta)
        return theta

    whole = run()
    monkeypatch.setattr(optimizers.blocks, "BLOCK_SIZE", 64)  # 1000 >= 2 · 64: blockable
    np.testing.assert_array_equal(run(), whole)
    assert Muon.elementwise is False
    # The check has teeth: block by block, the rule would get vectors, and refuse them.
    hyperparameters = Muon(start.copy()).hyperparameters
    with pytest.raises(ValueError, match="must be a 2D matrix"):
        optimizers.blocks.update(muon_step, start.copy(), start, {}, hyperparameters)


def test_float32_stays_float32_and_updates_in_place():
    params = initial_params(SHAPES, seed=12, dtype="float32")
    originals = list(params)
    opt = Muon(params, lr=0.02)
    for _ in range(20):
        opt.step([g.astype(np.float32) for g in gradient(params)])
    assert all(p is q and p.dtype == np.float32 for p, q in zip(params, originals, strict=True))
    assert all(s["momentum_buffer"].dtype == np.float32 for s in opt.state)


def test_sweep_refuses_several_runs():
    from optlib import Rosenbrock, sweep

    with pytest.raises(ValueError, match="Muon's step reads a parameter whole"):
        sweep(Rosenbrock(), [[-1.5, 2.0], [0.0, 0.0]], Muon, steps=5)
