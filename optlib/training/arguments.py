"""Checks of the arguments the training loops share, with messages that say what to write."""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from optlib._validation import (
    as_float_array,
    check_positive_int,
    refuse_matrix_and_masked,
    short_repr,
)
from optlib.functions import Surface


def count(n: int, noun: str = "step") -> str:
    """``3 steps``, ``1 step``: the wording every stop reason uses.

    Examples
    --------
    >>> count(1), count(3, "epoch")
    ('1 step', '3 epochs')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def check_optimizer(optimizer: Any, call: str) -> None:
    """Refuse what is not an optimizer class.

    ``call`` is the right call with ``{}`` for the class, e.g. ``"minimize(fn, x0, {})"``.
    """
    if isinstance(optimizer, str):
        match = optimizer_named(optimizer)
        advice = (
            f"write {call.format(match)} (from optlib import {match})"
            if match
            else "pass a class such as SGD or Adam"
        )
        raise TypeError(
            f"optimizer must be an optimizer class, not the string {optimizer!r}: {advice}"
        )
    if not isinstance(optimizer, type) and hasattr(optimizer, "step"):
        name = type(optimizer).__name__
        settings = changed_hyperparameters(optimizer)
        raise TypeError(
            "optimizer must be an optimizer class, got an optimizer already built: "
            f"{optimizer!r}. The class is built on the function's own copy of the "
            f"parameters: pass the class and its hyper-parameters, {call.format(name + settings)}"
        )
    if isinstance(optimizer, type) and not hasattr(optimizer, "step"):
        raise TypeError(
            f"optimizer must be an optimizer class such as SGD or Adam, got the class "
            f"{optimizer.__name__}, which has no step method"
        )
    if not callable(optimizer):
        raise TypeError(
            f"optimizer must be an optimizer class such as SGD or Adam, got {optimizer!r}"
        )


def optimizer_named(name: str) -> str | None:
    """The optlib optimizer class called ``name`` (any case), for the advice on a string."""
    from optlib import optimizers

    for public in getattr(optimizers, "__all__", ()):
        cls = getattr(optimizers, public, None)
        if isinstance(cls, type) and hasattr(cls, "step") and public.lower() == name.lower():
            return public
    return None


def changed_hyperparameters(opt: Any) -> str:
    """``", lr=0.1, momentum=0.9"``: a built optimizer's settings that are not the defaults."""
    values = getattr(opt, "hyperparameters", None)
    if not isinstance(values, dict):
        return ", lr=..."
    try:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(opt)).parameters.items()
        }
    except (TypeError, ValueError):
        defaults = {}
    changed = []
    for name, value in values.items():
        try:
            same = bool(np.all(value == defaults[name]))
        except Exception:  # no default, or values that do not compare
            same = False
        if not same:
            changed.append(f", {name}={value!r}")
    return "".join(changed) or ", lr=..."


def accepted_names(optimizer: Any) -> set[str] | None:
    """The keyword arguments ``optimizer`` takes, or None when that cannot be told."""
    names = getattr(optimizer, "hyperparameter_names", None)
    known = isinstance(names, (tuple, list)) and all(isinstance(n, str) for n in names)
    accepted = set(names) if known else set()
    try:
        parameters = list(inspect.signature(optimizer).parameters.values())
    except (TypeError, ValueError):
        return accepted if known else None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters) and not known:
        return None
    return accepted | {
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def check_own_names(caller: str, own: tuple[str, ...], optimizer: Any, hyperparams: dict) -> None:
    """Catch a misspelt argument of ``caller`` before it reaches the optimizer.

    Keyword arguments that ``caller`` does not know go to the optimizer. One
    that the optimizer does not take either, and that looks like one of
    ``caller``'s own (``epoch`` for ``epochs``), is refused here with the right
    spelling; any other is left to the optimizer, whose message says what to
    write (``lr`` for Keras's ``learning_rate``).
    """
    accepted = accepted_names(optimizer)
    if accepted is None:
        return
    for name in hyperparams:
        if name in accepted:
            continue
        close = difflib.get_close_matches(name, own, n=1, cutoff=0.8)
        if close:
            raise TypeError(
                f"{caller}() got an unexpected keyword argument {name!r}; did you mean "
                f"{close[0]}=? (keyword arguments {caller} does not know go to the optimizer "
                f"{getattr(optimizer, '__name__', optimizer)!r}, which does not take {name!r})"
            )


def build_optimizer(caller: str, optimizer: Any, params: list, hyperparams: dict) -> Any:
    """``optimizer(params, **hyperparams)``, its own error left intact but noted."""
    try:
        return optimizer(params, **hyperparams)
    except (TypeError, ValueError) as error:
        name = getattr(optimizer, "__name__", repr(optimizer))
        error.add_note(
            f"(raised by {name}, built by {caller} with {sorted(hyperparams) or 'no'} "
            "keyword arguments)"
        )
        raise


def count_argument(name: str, value: Any, allow_zero: bool = False) -> int:
    """A count such as ``steps`` or ``epochs``; a float with a whole value gets a hint."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        low = 0 if allow_zero else 1
        if value >= low:
            raise ValueError(
                f"{name} must be an integer, got {value!r}; write {name}={int(value)}"
            )
    return check_positive_int(name, value, allow_zero=allow_zero)


def check_seed(seed: Any) -> None:
    """A seed for ``np.random.default_rng``: a non-negative int or a Generator."""
    if isinstance(seed, np.random.Generator):
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed must be a non-negative int or a numpy Generator, got {seed!r}"
            + ("; for fresh randomness pass np.random.default_rng()" if seed is None else "")
        )
    if seed < 0:
        raise ValueError(
            f"seed must be a non-negative int (numpy's default_rng refuses negative seeds), "
            f"got {seed!r}"
        )


def positive_float(
    name: str, value: Any, optional: bool = False, allow_inf: bool = False
) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not (math.isfinite(value) or (allow_inf and value == math.inf)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def norm_of(grad: np.ndarray) -> float:
    """Euclidean norm in float64, without overflow: a finite gradient has a finite norm."""
    return math.hypot(*grad.ravel().tolist())


def all_finite(values: list[float]) -> bool:
    """Whether every value is finite (on a few Python floats, quicker than ``np.isfinite``)."""
    return all(map(math.isfinite, values))


def check_surface(fn: Any) -> int | None:
    """Refuse what is not a surface instance; return its ``dim`` when it has one."""
    if isinstance(fn, type):
        raise TypeError(
            f"fn must be a surface instance such as Rosenbrock(), got the class "
            f"{fn.__name__}; write {fn.__name__}()"
        )
    if not callable(fn) or not callable(getattr(fn, "grad", None)):
        raise TypeError(
            f"fn must be a surface: callable as fn(x), with a .grad(x) method, such as "
            f"Rosenbrock(); got {fn!r}"
        )
    dim = getattr(fn, "dim", None)
    return dim if isinstance(dim, numbers.Integral) else None


def evaluators(fn: Any) -> tuple[Callable[[np.ndarray], Any], Callable[[np.ndarray], Any]]:
    """What the loops call for the value and the gradient at the (already checked) x.

    For optlib's surfaces these are the inner ``_value`` and ``_grad``: the
    point's shape and dtype were checked once, before the first step, and the
    loops run inside ``np.errstate`` already. A surface that overrides
    ``__call__`` or ``grad`` is called as it is, like any other function.
    """
    cls = type(fn)
    if isinstance(fn, Surface) and cls.__call__ is Surface.__call__ and cls.grad is Surface.grad:
        return fn._value, fn._grad
    return fn, fn.grad


def real_array(what: str, value: Any, shape: tuple[int, ...], expected: str) -> np.ndarray:
    """``value``, returned by the reader's ``fn`` or ``fn.grad``, as a real array of ``shape``."""
    must = f"{what} must return {expected}"
    if value is None:
        raise TypeError(f"{must}, got None (is a `return` missing?)")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{must}, got {short_repr(value)}: {error}") from None
    if array.dtype.kind not in "fiu":
        raise TypeError(
            f"{what} must return real numbers ({expected}), got {short_repr(value)} "
            f"(dtype {array.dtype})"
        )
    if array.shape != shape:
        hint = "; write float(value) or value[0]" if shape == () and array.size == 1 else ""
        raise ValueError(f"{must}, got shape {array.shape}{hint}")
    return array


def start_point(x0: Any) -> np.ndarray:
    """``x0`` as a float array, refusing matrices, masked arrays and non-numbers."""
    refuse_matrix_and_masked("x0", x0)
    return as_float_array("x0", x0)


MINIMIZE_ARGUMENTS = ("fn", "x0", "optimizer", "steps", "tol", "ftol", "blowup", "scheduler")
SWEEP_ARGUMENTS = ("fn", "x0", "optimizer", "steps", "blowup")
FIT_ARGUMENTS = (
    "model", "loss", "X", "y", "optimizer", "epochs", "batch_size", "shuffle", "seed",
    "callback", "blowup", "scheduler", "scheduler_interval",
)  # fmt: skip
