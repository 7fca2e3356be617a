"""The check of a gradient of a surface, or of any function of a vector: :func:`gradient`.

The reference is ``f.grad`` for optlib's surfaces, and central finite
differences for any other function. The known-wrong variants are few enough
to write inline (a flipped sign, half, double, the components swapped).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from optlib.check.arguments import check_callable, check_time_budget, name_of
from optlib.check.compare import RTOL, Item, diagnose, within_tolerance
from optlib.check.sandbox import (
    DEFAULT_TIME_BUDGET,
    Session,
    as_array,
    call_reader,
    escape_verdict,
    non_finite,
)
from optlib.check.verdicts import CaseResult, CheckResult, format_value, join_notes
from optlib.functions import Surface


def gradient(
    fn: Callable[[np.ndarray], Any],
    f: Any,
    points: Any = None,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your gradient of a surface (or of any function of a vector).

    Your function is called as ``fn(x)`` with ``x`` a 1-D array of shape
    ``(d,)`` and must return the gradient there, an array of the same shape.
    The reference is ``f.grad`` for optlib's surfaces (``Rosenbrock()``,
    ``Beale()``, ...), which are checked at four points inside their plotting
    bounds, at a minimum and at a float32 point; for any other function
    ``f(x) -> float`` give ``points`` and the reference is central finite
    differences (compared to relative 1e-5).

    Parameters
    ----------
    fn : callable
        Your gradient, ``fn(x) -> array`` of shape ``(d,)``.
    f : Surface or callable
        The function whose gradient you wrote: a surface from
        :mod:`optlib.functions`, or a callable ``f(x) -> float``.
    points : array_like of shape (k, d), optional
        Where to check; required when ``f`` is not one of optlib's surfaces.
        A point where the reference gradient is not finite (or ``f`` fails)
        compares nothing, and the check does not pass.
    time_budget : float, default 5.0
        Seconds your code (``fn``, and ``f`` when it is yours) may take in all.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        ``fn`` or ``f`` not a function (a class, a number), or bad ``points``
        or ``time_budget``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Rosenbrock, check
    >>> def my_rosenbrock_grad(x):
    ...     u, v = x
    ...     return np.array([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)])
    >>> check.gradient(my_rosenbrock_grad, Rosenbrock())
    ✔ 6 of 6 cases pass: check.gradient(my_rosenbrock_grad, Rosenbrock(a=1.0, b=100.0))
    >>> check.gradient(lambda x: 2 * x, lambda x: np.sum(x**2), points=[[1.0, 2.0, 3.0]])
    ✔ 1 of 1 cases pass: check.gradient(<lambda>, <lambda>)
    """
    check_callable(fn, "check.gradient", "check.gradient(my_grad, Rosenbrock())")
    if isinstance(f, type):
        raise ValueError(f"pass a surface object, e.g. {f.__name__}(), not the class {f.__name__}")
    if not callable(f):
        raise ValueError(f"f must be a surface or a function of x, got {type(f).__name__}")
    named_points, has_grad = _surface_points(f, points)
    budget = check_time_budget(time_budget)
    with Session(budget) as session:
        return _check_gradient(fn, f, named_points, has_grad, session)


def _check_gradient(
    fn: Callable[[np.ndarray], Any],
    f: Any,
    named_points: list[tuple[str, np.ndarray]],
    has_grad: bool,
    session: Session,
) -> CheckResult:
    title = (
        f"check.gradient({name_of(fn)}, {f!r})"
        if isinstance(f, Surface)
        else (f"check.gradient({name_of(fn)}, {name_of(f)})")
    )
    reference_of = f.grad if has_grad else functools.partial(_numerical_gradient, f)
    references: list[np.ndarray | str] = []  # the gradient, or why there is none
    for _, x in named_points:
        call = call_reader(session, reference_of, (x.astype(np.float64),), who="f")
        reference = None if call.error is not None or call.array is None else call.array
        if reference is not None and reference.size == x.size:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    reference = reference.astype(np.float64).reshape(x.shape)
                except (TypeError, ValueError):
                    reference = None
        if call.error is not None:
            references.append(f"not compared: the reference could not be computed: {call.error}")
        elif reference is None or reference.shape != x.shape:
            what = "f.grad" if has_grad else "f"
            references.append(f"not compared: {what} did not give a gradient of shape {x.shape}")
        elif not np.isfinite(reference).all():
            references.append("not compared: the gradient of f is not finite here")
        else:
            references.append(reference)
    finite = [r for r in references if isinstance(r, np.ndarray)]
    scale = max([1.0] + [float(np.abs(r).max()) for r in finite])
    names = _component_names(named_points[0][1].size)
    cases, items = [], []
    shapes = nones = signature = False
    for (name, x), expected in zip(named_points, references, strict=True):
        if isinstance(expected, str):
            cases.append(CaseResult(name, {"x": x}, None, None, False, expected, False))
            continue
        if x.dtype == np.float32:
            rtol, atol = 1e-3, 1e-4 * scale
        elif has_grad:
            rtol, atol = RTOL[np.dtype(np.float64)], 1e-9 * scale
        else:
            rtol, atol = 1e-5, 1e-6 * scale
        call = call_reader(session, fn, (x.copy(),))
        nones |= call.error is None and call.value is None
        signature |= call.refused
        got, problem = as_array(call, x.shape, "an array of numbers")
        if got is not None and problem and x.size == 1 and got.size == 1:
            got, problem = got.reshape(x.shape), ""  # a 1-D surface's derivative as a number
        shapes |= got is not None and bool(problem)
        usable = got if not problem else None
        passed, message = False, problem
        if usable is not None:
            close = within_tolerance(usable, expected, rtol, atol)
            if not np.isfinite(usable).all():
                message = non_finite(usable)
            elif close.all():
                passed = True
            else:
                wrong = [names[i] for i in range(x.size) if not close[i]]
                right = [names[i] for i in range(x.size) if close[i]]
                message = f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} off"
                if right:
                    message += f"; {', '.join(right)} {'is' if len(right) == 1 else 'are'} right"
        if call.warnings:  # a warning fails the case, whatever the value
            passed = False
            message = f"{message}; {call.warning}" if message else f"your function {call.warning}"
        mutants: dict[str, list[np.ndarray | None]] = {
            "surface_negated": [-expected],
            "surface_half": [expected / 2],
            "surface_double": [expected * 2],
        }
        if x.size >= 2:
            mutants["surface_swapped"] = [expected[::-1].copy()]
        items.append(
            Item(expected, usable, passed, bool(call.warnings), rtol, atol, True, mutants)
        )
        cases.append(CaseResult(name, {"x": x}, expected, got, passed, message))
    keys = ["surface_swapped", "surface_negated", "surface_half", "surface_double"]
    fallbacks = [
        (signature, "signature", {"call": "it is called as fn(x) with x of shape (d,)"}),
        (nones, "returned_none", {}),
        (shapes, "surface_shape", {}),
    ]
    mistake, hint, note = escape_verdict(session)
    if mistake is None:
        mistake, hint = diagnose(items, keys, "unstable", fallbacks)
    if len(items) < len(cases) and not session.timed_out:
        note = join_notes(
            note,
            "At some points the reference gradient is not finite or could not be computed, "
            "so nothing was compared there: choose other points.",
        )
    return CheckResult(title, cases, hint, mistake, note)


def _surface_points(f: Any, points: Any) -> tuple[list[tuple[str, np.ndarray]], bool]:
    """The points to check at, named; and whether the reference is ``f.grad``."""
    has_grad = callable(getattr(f, "grad", None))
    if points is None:
        if not isinstance(f, Surface):
            raise ValueError(
                "check.gradient needs points=... (an array of shape (k, d)) unless f is one "
                "of optlib's surfaces, such as Rosenbrock()"
            )
        rng = np.random.default_rng(3)
        bounds = np.asarray(f.bounds, dtype=np.float64)
        low, high = bounds[:, 0], bounds[:, 1]
        random = np.round(low + (high - low) * rng.uniform(0.1, 0.9, size=(5, f.dim)), 2)
        named = [(f"at {_point_name(x)}", x) for x in random[:4]]
        named.append((f"at the minimum {_point_name(f.minima[0])}", np.array(f.minima[0])))
        named.append((f"at {_point_name(random[4])} in float32", random[4].astype(np.float32)))
        return named, has_grad
    try:
        array = np.asarray(points)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"points must be an array of shape (k, d): {error}") from None
    if (
        array.dtype == object
        or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_)
        or np.issubdtype(array.dtype, np.complexfloating)
    ):
        raise ValueError(
            "points must be real numbers, an array of shape (k, d); got "
            f"{format_value(points, 40)} (dtype {array.dtype})"
        )
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"points must be a finite array of shape (k, d), got shape {array.shape}")
    dim = getattr(f, "dim", array.shape[1])
    if array.shape[1] != dim:
        raise ValueError(f"points must have d={dim} coordinates, got shape {array.shape}")
    return [(f"at {_point_name(x)}", x) for x in array], has_grad


def _point_name(x: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.3g}" for v in x) + ")"


def _numerical_gradient(f: Callable, x: np.ndarray) -> np.ndarray:
    """Central differences of ``f`` at ``x``, one coordinate at a time."""
    grad = np.empty(x.shape)
    for i in range(x.size):
        h = 1e-5 * max(1.0, abs(float(x[i])))
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (float(f(x + step)) - float(f(x - step))) / (2 * h)
    return grad


def _component_names(d: int) -> list[str]:
    if d == 1:
        return ["f′(x)"]
    if d == 2:
        return ["∂f/∂x", "∂f/∂y"]
    return [f"∂f/∂x{i + 1}" for i in range(d)]
