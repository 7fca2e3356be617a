"""Tests for check.gradient (optlib/check/gradients.py)."""

from __future__ import annotations

import numpy as np
import pytest
from check_readers import (
    SURFACE_MISTAKES,
    assert_caught,
    beale_grad,
    himmelblau_grad,
    rosenbrock_grad,
)

from optlib import Beale, DoubleWell, Himmelblau, Quadratic, Rosenbrock, check


@pytest.mark.parametrize(
    ("fn", "surface"),
    [
        (rosenbrock_grad, Rosenbrock()),
        (beale_grad, Beale()),
        (himmelblau_grad, Himmelblau()),
        (lambda x: np.array([1.0, 10.0]) * x, Quadratic()),
        (lambda x: 4 * x**3 - 4 * x + 0.3, DoubleWell()),
        (lambda x: float(4 * x[0] ** 3 - 4 * x[0] + 0.3), DoubleWell()),  # a number in 1-D
    ],
)
def test_correct_surface_gradient_passes(fn, surface):
    result = check.gradient(fn, surface)
    assert result.passed, str(result)
    assert any("minimum" in case.name for case in result.cases)
    assert any("float32" in case.name for case in result.cases)


def test_gradient_of_any_function_against_finite_differences():
    def f(x):
        return np.sum(np.sin(x) * x**2)

    def grad(x):
        return np.cos(x) * x**2 + 2 * x * np.sin(x)

    points = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]]
    assert check.gradient(grad, f, points=points)
    wrong = check.gradient(lambda x: np.cos(x) * x**2, f, points=points)
    assert not wrong.passed


@pytest.mark.parametrize("key", SURFACE_MISTAKES)
def test_surface_gradient_mistake_is_caught(key):
    assert_caught(check.gradient(SURFACE_MISTAKES[key], Rosenbrock()), key)


def test_surface_gradient_says_which_component_is_wrong():
    def half_right(x):
        u, v = x
        return np.array([-2 * (1 - u) - 400 * u * (v - u**2), 100 * (v - u**2)])

    result = check.gradient(half_right, Rosenbrock())
    assert not result.passed
    messages = [case.message for case in result.failures]
    assert any("∂f/∂y is off; ∂f/∂x is right" in message for message in messages)


@pytest.mark.parametrize(
    ("f", "points", "reason"),
    [
        (Rosenbrock(), [[1e200, 1e200]], "the gradient of f is not finite here"),
        (lambda x: np.log(-1.0) * np.sum(x), [[1.0, 2.0]], "the gradient of f is not finite"),
        (lambda x: 1 / 0, [[1.0, 2.0]], "f raised ZeroDivisionError: division by zero"),
        (lambda x: x, [[1.0, 2.0]], "f raised TypeError"),  # a vector, not a number
        (lambda x: None, [[1.0, 2.0]], "f raised TypeError"),
    ],
)
def test_gradient_where_the_reference_fails_compares_nothing(f, points, reason):
    result = check.gradient(lambda x: 2 * x, f, points=points)
    assert not result.passed
    assert result.verdict == "✘ nothing compared: the one case could not be compared"
    assert reason in result.not_compared[0].message
    assert "choose other points" in result.note
