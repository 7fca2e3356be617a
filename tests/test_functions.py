"""Tests of optlib.functions: every expected value comes from a closed form,
a published value or central finite differences, never from optlib itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlib.functions import (
    SURFACES,
    Beale,
    DoubleWell,
    Himmelblau,
    Quadratic,
    Rosenbrock,
    Saddle,
)
from optlib.optimizers import SGD
from optlib.training import minimize

SURFACE_CASES = {
    "quadratic-default": Quadratic(),
    "quadratic-coupled": Quadratic(A=[[2.0, 1.0], [1.0, 3.0]], center=[1.0, -0.5]),
    "quadratic-1d": Quadratic(A=[[4.0]], center=[0.5]),
    "quadratic-3d-singular": Quadratic(A=np.diag([0.0, 1.0, 5.0])),
    "rosenbrock": Rosenbrock(),
    "rosenbrock-a2": Rosenbrock(a=2.0, b=50.0),
    "beale": Beale(),
    "himmelblau": Himmelblau(),
    "saddle": Saddle(),
    "double-well": DoubleWell(),
    "double-well-negative-tilt": DoubleWell(tilt=-0.5),
}
surfaces = pytest.mark.parametrize(
    "f", list(SURFACE_CASES.values()), ids=list(SURFACE_CASES.keys())
)


def points_in_bounds(f, n: int, seed: int = 0) -> np.ndarray:
    bounds = np.asarray(f.bounds, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return rng.uniform(bounds[:, 0], bounds[:, 1], size=(n, f.dim))


def central_differences(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of f at every row of x (float64) by central differences."""
    grad = np.empty_like(x)
    for i in range(x.shape[-1]):
        step = np.zeros(x.shape[-1])
        step[i] = h
        grad[..., i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def assert_close(actual, expected, rtol: float, atol) -> None:
    """Like assert_allclose, with an array atol (one tolerance per point)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    error = np.abs(actual - expected)
    allowed = atol + rtol * np.abs(expected)
    worst = np.unravel_index(np.argmax(error - allowed), error.shape)
    assert np.all(error <= allowed), (
        f"worst at {worst}: got {actual[worst]!r}, expected {expected[worst]!r}, "
        f"error {error[worst]:.3g} > allowed {allowed[worst]:.3g}"
    )


# ------------------------------------------------------------------ gradients
@surfaces
def test_gradient_matches_central_differences_float64(f):
    x = points_in_bounds(f, 300)
    expected = central_differences(f, x)
    scale = 1.0 + np.abs(f(x))[:, None]  # FD rounding error grows with |f|
    assert_close(f.grad(x), expected, rtol=1e-6, atol=1e-7 * scale)


@surfaces
def test_gradient_float32_is_close_to_float64_differences(f):
    x32 = points_in_bounds(f, 300).astype(np.float32)
    x64 = x32.astype(np.float64)  # the very same points
    expected = central_differences(f, x64)
    got = f.grad(x32)
    assert got.dtype == np.float32
    scale = np.abs(expected).max(axis=-1, keepdims=True) + np.abs(f(x64))[:, None] + 1.0
    assert_close(got, expected, rtol=1e-3, atol=1e-4 * scale)


@settings(max_examples=40, deadline=None)
@given(
    point=hnp.arrays(
        np.float64, (2,), elements=st.floats(-3, 3, allow_nan=False, allow_infinity=False)
    ),
    a=st.floats(-2, 2),
    b=st.floats(0.5, 200),
)
def test_rosenbrock_gradient_any_parameters(point, a, b):
    f = Rosenbrock(a=a, b=b)
    expected = central_differences(f, point[None, :], h=1e-5)[0]
    assert_close(f.grad(point), expected, rtol=1e-6, atol=1e-6 * (1 + f(point)))


# -------------------------------------------------------------------- minima
PUBLISHED_MINIMA = {
    "rosenbrock": [[1.0, 1.0]],
    "rosenbrock-a2": [[2.0, 4.0]],
    "beale": [[3.0, 0.5]],
    # Himmelblau (1972); the four minima to the six decimals usually quoted
    "himmelblau": [
        [-3.779310, -3.283186],
        [-2.805118, 3.131312],
        [3.0, 2.0],
        [3.584428, -1.848126],
    ],
    "saddle": [[0.0, -1.0], [0.0, 1.0]],
    "quadratic-coupled": [[1.0, -0.5]],
}


@pytest.mark.parametrize("key", list(PUBLISHED_MINIMA))
def test_minima_are_the_published_ones(key):
    f = SURFACE_CASES[key]
    got = f.minima[np.lexsort(f.minima.T[::-1])]
    np.testing.assert_allclose(got, PUBLISHED_MINIMA[key], atol=1e-6)


@surfaces
def test_minima_have_the_minimum_value_and_zero_gradient(f):
    assert f.minima.ndim == 2 and f.minima.shape[1] == f.dim and len(f.minima) >= 1
    np.testing.assert_allclose(f(f.minima), f.min_value, atol=1e-12)
    np.testing.assert_allclose(f.grad(f.minima), 0.0, atol=1e-9)


@surfaces
def test_no_point_in_bounds_is_below_the_global_minimum(f):
    x = points_in_bounds(f, 20_000, seed=1)
    assert f(x).min() >= f.min_value - 1e-12


@surfaces
def test_minima_lie_inside_the_plot_bounds(f):
    bounds = np.asarray(f.bounds)
    assert bounds.shape == (f.dim, 2)
    assert np.all(bounds[:, 0] < bounds[:, 1])
    assert np.all((f.minima >= bounds[:, 0]) & (f.minima <= bounds[:, 1]))


@surfaces
def test_constants_are_read_only(f):
    with pytest.raises(ValueError, match="read-only"):
        f.minima[0, 0] = 5.0


# ---------------------------------------------------------- shapes and dtypes
@surfaces
@pytest.mark.parametrize("batch", [(), (7,), (3, 4)])
def test_evaluates_over_the_last_axis(f, batch):
    x = np.random.default_rng(2).uniform(-1, 1, size=(*batch, f.dim))
    value, grad = f(x), f.grad(x)
    assert np.shape(value) == batch
    assert grad.shape == (*batch, f.dim)
    flat = x.reshape(-1, f.dim)
    expected = np.array([f(point) for point in flat]).reshape(batch)
    expected_grad = np.array([f.grad(point) for point in flat]).reshape(grad.shape)
    # A batch goes through a BLAS matrix product whose rounding depends on the
    # CPU's kernel; one point goes through another: a few ulps of the largest
    # entry apart (one ulp was seen), not bit for bit.
    for got, want in ((value, expected), (grad, expected_grad)):
        few_ulps = 4 * np.finfo(want.dtype).eps
        np.testing.assert_allclose(got, want, rtol=few_ulps, atol=few_ulps * np.abs(want).max())


@surfaces
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(f, dtype):
    x = np.zeros((5, f.dim), dtype=dtype) + np.asarray(0.25, dtype=dtype)
    assert f(x).dtype == dtype
    assert f.grad(x).dtype == dtype


@surfaces
def test_integer_and_list_input_computes_in_float64(f):
    point = [1] * f.dim
    assert np.asarray(f(point)).dtype == np.float64
    np.testing.assert_allclose(f(point), f(np.ones(f.dim)), rtol=0)


@surfaces
def test_bad_shapes_name_the_class_the_dimension_and_the_shape(f):
    wrong = np.zeros((4, f.dim + 1))
    name = type(f).__name__
    pattern = rf"{name}.*d={f.dim}.*\(4, {f.dim + 1}\)"
    with pytest.raises(ValueError, match=pattern):
        f(wrong)
    with pytest.raises(ValueError, match=pattern):
        f.grad(wrong)
    with pytest.raises(ValueError, match=name):
        f(1.0)


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="numbers"):
        Rosenbrock()(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="real"):
        Beale()(np.array([1j, 2.0]))


# ------------------------------------------------------------------ Quadratic
def test_quadratic_formula_by_hand():
    f = Quadratic(A=[[2.0, 1.0], [1.0, 3.0]], center=[1.0, -1.0])
    # x - c = (1, 2): 0.5 * (2*1 + 2*1*1*2 + 3*4) = 0.5 * 18 = 9
    assert f([2.0, 1.0]) == pytest.approx(9.0)
    np.testing.assert_allclose(f.grad([2.0, 1.0]), [4.0, 7.0])


def spd_matrices(max_d: int = 4):
    """Symmetric positive semi-definite matrices B B^T with entries of moderate size."""
    return st.integers(1, max_d).flatmap(
        lambda d: hnp.arrays(np.float64, (d, d), elements=st.floats(-3, 3)).map(lambda b: b @ b.T)
    )


@settings(max_examples=60, deadline=None)
@given(A=spd_matrices())
def test_quadratic_spectrum_matches_eigvalsh(A):
    f = Quadratic(A=A)
    eigenvalues = np.linalg.eigvalsh(A)
    assert f.dim == len(A)
    assert f.lipschitz == pytest.approx(eigenvalues[-1], rel=1e-12, abs=1e-10)
    np.testing.assert_allclose(f.eigenvalues, np.clip(eigenvalues, 0, None), atol=1e-10)
    if eigenvalues[0] > 1e-8 * max(1.0, eigenvalues[-1]):
        assert f.condition_number == pytest.approx(eigenvalues[-1] / eigenvalues[0], rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(A=spd_matrices(3), data=st.data())
def test_quadratic_value_and_gradient_any_matrix(A, data):
    d = len(A)
    x = data.draw(hnp.arrays(np.float64, (d,), elements=st.floats(-5, 5)))
    c = data.draw(hnp.arrays(np.float64, (d,), elements=st.floats(-5, 5)))
    f = Quadratic(A=A, center=c)
    assert f(x) == pytest.approx(0.5 * (x - c) @ A @ (x - c), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(f.grad(x), A @ (x - c), rtol=1e-12, atol=1e-12)


def test_quadratic_default_is_the_ill_conditioned_ravine():
    f = Quadratic()
    np.testing.assert_array_equal(f.A, [[1.0, 0.0], [0.0, 10.0]])
    assert (f.lipschitz, f.condition_number) == (10.0, 10.0)
    assert Quadratic(A=np.diag([0.0, 2.0])).condition_number == math.inf


@pytest.mark.parametrize(
    ("A", "message"),
    [
        ([1.0, 2.0], "square"),
        ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "square"),
        ([[1.0, 2.0], [0.0, 1.0]], "symmetric"),
        ([[1.0, 0.0], [0.0, -2.0]], "positive semi-definite.*-2"),
        ([[1.0, np.nan], [np.nan, 1.0]], "non-finite"),
    ],
)
def test_quadratic_refuses_bad_matrices(A, message):
    with pytest.raises(ValueError, match=message):
        Quadratic(A=A)


def test_quadratic_refuses_a_center_of_the_wrong_size():
    with pytest.raises(ValueError, match=r"center must have shape \(2,\)"):
        Quadratic(center=[0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "A", [np.diag([1.0, 10.0]), [[2.0, 1.0], [1.0, 3.0]], [[5.0]], np.diag([1.0, 4.0, 0.5])]
)
def test_gradient_descent_is_stable_exactly_below_two_over_l(A):
    """The chapter's claim: GD on a quadratic converges for lr < 2/L and diverges above."""
    f = Quadratic(A=A)
    x0 = np.ones(f.dim)
    below = minimize(f, x0, SGD, steps=3000, lr=0.99 * 2 / f.lipschitz)
    assert not below.diverged
    assert below.losses[-1] < 1e-12 * below.losses[0]
    above = minimize(f, x0, SGD, steps=3000, lr=1.01 * 2 / f.lipschitz)
    assert above.diverged
    assert above.losses[-1] > 1e9 * above.losses[0]


# ------------------------------------------------------------------- Saddle
def test_saddle_point_is_a_saddle():
    f = Saddle()
    np.testing.assert_array_equal(f.saddle_point, [0.0, 0.0])
    np.testing.assert_allclose(f.grad(f.saddle_point), 0.0)
    h = 1e-5
    hessian = np.column_stack([(f.grad(h * e) - f.grad(-h * e)) / (2 * h) for e in np.eye(2)])
    eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    np.testing.assert_allclose(eigenvalues, [-1.0, 2.0], atol=1e-8)
    assert f.min_value == -0.25


def test_saddle_stalls_on_the_axis_and_escapes_off_it():
    f = Saddle()
    stuck = minimize(f, [1.5, 0.0], SGD, steps=500, lr=0.1)
    np.testing.assert_allclose(stuck.final_x, f.saddle_point, atol=1e-12)
    escaped = minimize(f, [1.5, 1e-3], SGD, steps=500, lr=0.1)
    np.testing.assert_allclose(escaped.final_x, [0.0, 1.0], atol=1e-6)


# --------------------------------------------------------------- DoubleWell
def cubic_roots_trigonometric(tilt: float) -> np.ndarray:
    """Roots of f'(x)/4 = x^3 - x + tilt/4 = 0 by Viete's trigonometric formula."""
    p, q = -1.0, tilt / 4
    r = 2 * math.sqrt(-p / 3)
    phi = math.acos(3 * q / (2 * p) * math.sqrt(-3 / p)) / 3
    return np.sort([r * math.cos(phi - 2 * math.pi * k / 3) for k in range(3)])


@pytest.mark.parametrize("tilt", [0.3, 0.05, 1.0, -0.3, -1.5])
def test_double_well_minima_from_the_closed_form(tilt):
    f = DoubleWell(tilt=tilt)
    left, middle, right = cubic_roots_trigonometric(tilt)
    global_, local = (left, right) if tilt > 0 else (right, left)
    np.testing.assert_allclose(f.minima, [[global_]], rtol=1e-13)
    np.testing.assert_allclose(f.local_minima, [[local]], rtol=1e-13)
    np.testing.assert_allclose(f.barrier, [middle], rtol=1e-12, atol=1e-15)
    assert f.min_value == pytest.approx((global_**2 - 1) ** 2 + tilt * global_, rel=1e-14)
    # second derivative 12x^2 - 4: wells curve up, the barrier down
    assert 12 * global_**2 - 4 > 0 and 12 * local**2 - 4 > 0 and 12 * middle**2 - 4 < 0
    assert f(f.minima)[0] < f(f.local_minima)[0] < f(f.barrier[None])[0]
    np.testing.assert_allclose(f.grad(f.local_minima), 0.0, atol=1e-12)


def test_double_well_value_by_hand():
    f = DoubleWell(tilt=0.3)
    np.testing.assert_allclose(f([[-1.0], [0.0], [1.0], [2.0]]), [-0.3, 1.0, 0.3, 9.6])


def test_double_well_without_tilt_has_two_global_minima():
    f = DoubleWell(tilt=0.0)
    np.testing.assert_allclose(f.minima, [[-1.0], [1.0]], atol=1e-15)
    assert f.local_minima.shape == (0, 1)
    np.testing.assert_allclose(f.barrier, [0.0], atol=1e-15)


@pytest.mark.parametrize("tilt", [1.6, -2.0, math.inf, "0.3", True])
def test_double_well_refuses_a_tilt_that_removes_a_well(tilt):
    with pytest.raises(ValueError, match="tilt"):
        DoubleWell(tilt=tilt)


def test_double_well_shows_the_three_momentum_regimes():
    """The momentum chapter: released at x = 2 with lr = 0.05, too little momentum
    stays in the shallow well, enough rolls into the deep one, too much rolls
    through the deep one, climbs the far wall and comes back to the shallow one."""
    f = DoubleWell()  # tilt 0.3: the deep well is on the left
    deep, shallow = f.minima[0, 0], f.local_minima[0, 0]

    def release(momentum):
        return minimize(f, [2.0], SGD, steps=3000, lr=0.05, momentum=momentum)

    for momentum in (0.0, 0.2, 0.4):
        too_little = release(momentum)
        assert too_little.final_x[0] == pytest.approx(shallow, abs=1e-6)
        assert too_little.xs[:, 0].min() > f.barrier[0]  # never crossed the barrier
    for momentum in (0.5, 0.65, 0.8):
        enough = release(momentum)
        assert enough.final_x[0] == pytest.approx(deep, abs=1e-6)
    for momentum in (0.84, 0.86):
        too_much = release(momentum)
        assert too_much.xs[:, 0].min() < deep - 0.3  # went past the deep minimum
        assert too_much.final_x[0] == pytest.approx(shallow, abs=1e-6)


# ---------------------------------------------------------------- the rest
def test_registry_holds_every_surface_under_its_name():
    assert set(SURFACES) == {
        "Quadratic",
        "Rosenbrock",
        "Beale",
        "Himmelblau",
        "Saddle",
        "DoubleWell",
    }
    for name, cls in SURFACES.items():
        f = cls()
        assert f.name == name
        assert f.dim in (1, 2)


@surfaces
def test_repr_rebuilds_the_same_surface(f):
    namespace = {cls.__name__: cls for cls in SURFACES.values()}
    rebuilt = eval(repr(f), namespace)
    x = points_in_bounds(f, 10)
    np.testing.assert_array_equal(rebuilt(x), f(x))


@pytest.mark.parametrize("cls", list(SURFACES.values()))
def test_docstrings_state_the_formula(cls):
    assert "math::" in cls.__doc__ and "Examples" in cls.__doc__


# -- second adversarial pass: points far out -------------------------------------------


@surfaces
def test_points_far_out_give_inf_or_nan_without_a_warning(f):
    # pytest turns warnings into errors: these used to raise RuntimeWarning (overflow in
    # square, invalid value in subtract), where PyTorch is silent.
    # (inf, or nan where the formula subtracts two infinities, as torch's would)
    far = np.full(f.dim, 1e200)
    assert not np.isfinite(f(far))  # every surface grows at least like |x|² far out
    assert f.grad(far).shape == (f.dim,)
    for point in (np.full(f.dim, np.inf), np.full(f.dim, np.nan)):
        assert not np.isfinite(f(point))
        assert not np.isfinite(f.grad(point)).all()


@surfaces
def test_a_subclass_that_overrides_grad_is_called_by_minimize(f):
    # minimize calls the inner _value and _grad of optlib's surfaces directly (the point
    # is checked once); a subclass that overrides grad must still be the one called.
    class Halved(type(f)):
        def grad(self, x):
            return 0.5 * super().grad(x)

    halved = Halved.__new__(Halved)
    halved.__dict__.update(f.__dict__)
    x0 = f.minima[0] + 0.25
    ours = minimize(halved, x0, SGD, steps=3, lr=0.01)
    expected = minimize(f, x0, SGD, steps=3, lr=0.005)  # half the gradient, half the rate
    np.testing.assert_array_equal(ours.xs, expected.xs)
