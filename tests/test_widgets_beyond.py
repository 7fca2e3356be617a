"""Tests of optlib.widgets.beyond: Muon's Newton–Schulz iteration, step by step.

References: the drawn singular values are those of the iteration written out
here in float64 (the quintic applied to each singular value, which is what the
matrix iteration does to them), compared to within bfloat16's precision; a
divergence is predicted from the scalar quintic.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from optlib import widgets
from optlib.widgets.beyond import NS_COEFFICIENTS

PNG = b"\x89PNG\r\n\x1a\n"
FRAME_BUDGET = 25_000  # bytes per static frame
SIGMA = np.array([1.0, 0.3, 0.05])  # a diagonal matrix: its singular values
MATRIX = np.diag(SIGMA)
TORCH, CUBIC, TOO_LARGE = list(NS_COEFFICIENTS)


def _scalar_iterates(abc, steps):
    """The singular values after ``steps`` steps in float64: σ/‖σ‖, then σ ← p(σ)."""
    a, b, c = abc
    x = SIGMA / np.linalg.norm(SIGMA)
    for _ in range(steps):
        x = a * x + b * x**3 + c * x**5
    return np.sort(np.abs(x))[::-1]


@pytest.fixture(scope="module")
def live():
    return widgets.newton_schulz_explorer(MATRIX, steps=[0, 1, 3, 5], mode="live")


def test_exported():
    assert "newton_schulz_explorer" in widgets.__all__


@pytest.mark.parametrize("label", [TORCH, CUBIC])
@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_frames_show_the_singular_values_of_the_iterate(live, label, k):
    live.set(coefficients=label, steps=k)
    line = live.artists["plot"].lines["after k steps"]
    expected = _scalar_iterates(NS_COEFFICIENTS[label], k)
    np.testing.assert_allclose(line.get_ydata(), expected, rtol=0.03)  # bfloat16: 8 bits
    assert live.artists["plot"].status.get_text() == ""


def test_the_grey_line_is_the_matrix_divided_by_its_norm(live):
    before = live.artists["plot"].lines["before (divided by its Frobenius norm)"]
    np.testing.assert_allclose(before.get_ydata(), SIGMA / np.linalg.norm(SIGMA), rtol=1e-12)


def test_coefficients_too_large_diverge_and_say_when(live):
    # The scalar quintic passes 1e6 (the explorer's bound) at this step:
    k = next(k for k in range(1, 10) if _scalar_iterates(NS_COEFFICIENTS[TOO_LARGE], k)[0] > 1e6)
    live.set(coefficients=TOO_LARGE, steps=5)
    assert k <= 5
    assert live.artists["plot"].status.get_text() == f"diverged after {k} steps"
    assert len(live.artists["plot"].lines["after k steps"].get_xdata()) == 0
    assert live.alt_text(coefficients=TOO_LARGE, steps=5).endswith(f"diverged after {k} steps.")
    live.set(coefficients=TOO_LARGE, steps=0)  # before it blows up: drawn again
    assert live.artists["plot"].status.get_text() == ""


def test_alt_text_gives_the_range(live):
    text = live.alt_text(coefficients=TORCH, steps=0)
    expected = SIGMA / np.linalg.norm(SIGMA)
    assert text.startswith("Singular values of a 3 by 3 matrix divided by its Frobenius norm")
    low, high = (
        float(v.rstrip(".")) for v in re.findall(r"between ([0-9.e+-]+) and ([0-9.e+-]+)", text)[0]
    )
    # the iterate is in bfloat16: 8 significant bits
    assert low == pytest.approx(expected.min(), rel=2**-7)
    assert high == pytest.approx(expected.max(), rel=2**-7)


def test_static_mode_precomputes_every_frame_small():
    explorer = widgets.newton_schulz_explorer(MATRIX, steps=[0, 2, 5], mode="static")
    assert len(explorer.frames) == 3 * 3
    assert all(frame.startswith(PNG) and len(frame) < FRAME_BUDGET for frame in explorer.frames)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"matrix": np.ones(3)}, "2-D"),
        ({"matrix": np.zeros((2, 2))}, "not all zero"),
        ({"matrix": MATRIX, "steps": [-1, 2]}, "steps"),
        ({"matrix": MATRIX, "steps": [1.5]}, "steps"),
        ({"matrix": MATRIX, "coefficients": {}}, "coefficients"),
        ({"matrix": MATRIX, "coefficients": {"x": (1.0, 2.0)}}, "coefficients"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        widgets.newton_schulz_explorer(**kwargs, mode="live")


# --- radam_explorer -------------------------------------------------------------------


def _rectification_by_hand(beta2, t):
    """ρ_t and r_t from Liu et al.'s formulas, written out again here."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    with np.errstate(invalid="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return rho, r


@pytest.fixture(scope="module")
def radam_live():
    from optlib.functions import Beale

    return widgets.radam_explorer(
        Beale(), [1.0, 1.5], lrs=[0.003, 0.1], betas2=[0.6, 0.999], steps=40, mode="live"
    )


def test_radam_rectification_is_drawn_from_the_first_adaptive_step(radam_live):
    radam_live.set(lr=0.003, beta2=0.999)
    line = radam_live.artists["rect"]
    t = np.arange(1, 41)
    rho, r = _rectification_by_hand(0.999, t)
    first = int(t[rho > 5][0])
    assert first == 6
    np.testing.assert_array_equal(line.get_xdata(), t[first - 1 :])
    np.testing.assert_allclose(line.get_ydata(), r[first - 1 :], rtol=1e-12)
    assert list(radam_live.artists["switch"].get_xdata()) == [6, 6]
    assert radam_live.artists["note"].get_text() == "adapts from step 6"


def test_radam_with_a_small_beta2_never_adapts(radam_live):
    radam_live.set(lr=0.003, beta2=0.6)  # ρ_∞ = 2/0.4 − 1 = 4 ≤ 5
    assert len(radam_live.artists["rect"].get_xdata()) == 0
    assert not radam_live.artists["switch"].get_visible()
    assert "never adapts" in radam_live.alt_text(lr=0.003, beta2=0.6)


def test_radam_first_steps_are_momentum_sgd(radam_live):
    from optlib.functions import Beale

    beale = Beale()
    theta, m, losses = np.array([1.0, 1.5]), np.zeros(2), []
    for t in range(1, 6):  # ρ_t ≤ 5: θ ← θ − α m̂_t
        m = 0.9 * m + 0.1 * beale.grad(theta)
        theta = theta - 0.003 * m / (1 - 0.9**t)
        losses.append(beale(theta) - beale.min_value)
    radam_live.set(lr=0.003, beta2=0.999)
    drawn = radam_live.artists["losses"].lines[1].get_ydata()
    np.testing.assert_allclose(drawn[1:6], losses, rtol=1e-10)


def test_radam_divergence_is_said(radam_live):
    radam_live.set(lr=0.1, beta2=0.999)
    status = radam_live.artists["losses"].statuses[1].get_text()
    assert status.startswith("RAdam: diverged after ")
    assert "RAdam diverged after" in radam_live.alt_text(lr=0.1, beta2=0.999)
    assert radam_live.artists["losses"].statuses[0].get_text() == ""  # Adam does not


def test_radam_static_frames_are_small():
    from optlib.functions import Beale

    explorer = widgets.radam_explorer(
        Beale(), [1.0, 1.5], lrs=[0.01, 0.1], betas2=[0.9, 0.999], steps=40, mode="static"
    )
    assert len(explorer.frames) == 4
    assert all(frame.startswith(PNG) and len(frame) < FRAME_BUDGET for frame in explorer.frames)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lrs": []}, "lrs"),
        ({"lrs": [0.0]}, "lrs"),
        ({"betas2": [1.0]}, "betas2"),
        ({"beta1": 1.0}, "beta1"),
        ({"steps": 0}, "steps"),
    ],
)
def test_radam_bad_arguments_are_refused(kwargs, match):
    from optlib.functions import Beale

    with pytest.raises(ValueError, match=match):
        widgets.radam_explorer(Beale(), [1.0, 1.5], mode="live", **kwargs)
