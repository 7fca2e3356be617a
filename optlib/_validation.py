"""Argument checks shared by every optlib module.

Every public function validates its inputs here, so that a reader's mistake
surfaces as one ``ValueError`` that names the argument and the offending shape
or value, never as a crash deep inside NumPy or a silent NaN.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype results take: the first float input's, else float64."""
    for array in arrays:
        if np.issubdtype(array.dtype, np.floating):
            return array.dtype
    return np.dtype(np.float64)


def as_float_array(name: str, value: Any, dtype: np.dtype | None = None) -> np.ndarray:
    """Convert ``value`` to a floating array, refusing what is not numeric.

    Integer and boolean input becomes float64 (or ``dtype``); float input
    keeps its precision unless ``dtype`` is given.
    """
    if dtype is None and isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value  # the common case, on every step of a training loop: nothing to do
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of numbers: {error}") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real, got dtype {array.dtype}")
    if dtype is None:
        dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float64
    return array.astype(dtype, copy=False)


#: Array types whose arithmetic or indexing is not that of a plain array: a
#: ``np.matrix`` multiplies with ``*`` and stays 2-D when indexed, and a masked
#: array's masked entries would be read as numbers by ``np.asarray``.
ARRAY_SUBCLASSES = (np.matrix, np.ma.MaskedArray)


def refuse_matrix_and_masked(name: str, value: Any) -> None:
    """Refuse ``np.matrix`` and masked arrays with a ``TypeError`` that says what to pass.

    Both would silently give wrong numbers: the masked entries of a masked array
    are used as numbers, and a matrix's ``*`` is the matrix product. Used by
    :mod:`optlib.losses`, :mod:`optlib.models`, :mod:`optlib.training`,
    :mod:`optlib.datasets` and :mod:`optlib.functions`.

    Examples
    --------
    >>> refuse_matrix_and_masked("X", np.ones((2, 2)))  # a plain array: nothing to say
    >>> refuse_matrix_and_masked("y", np.ma.masked_invalid([1.0, np.nan]))
    Traceback (most recent call last):
    ...
    TypeError: y is a masked array (numpy.ma.MaskedArray), which is not supported: ...
    """
    if not isinstance(value, ARRAY_SUBCLASSES):
        return
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array (numpy.ma.MaskedArray), which is not supported: its "
            f"masked entries would be used as numbers. Pass {name}.filled(value) with a value "
            f"of your choice, or drop the masked rows first (np.ma.getmaskarray({name}) "
            "marks them)"
        )
    raise TypeError(
        f"{name} is a numpy.matrix, which is not supported (its * is the matrix product and "
        f"it stays 2-D when indexed): pass np.asarray({name})"
    )


def check_finite(name: str, array: np.ndarray) -> None:
    """Refuse NaN and infinity, saying how many entries are affected."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = array.size - int(finite.sum())
        raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or inf)")


def check_nonempty(name: str, array: np.ndarray) -> None:
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); nothing to compute")


def check_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {name_a} {a.shape} and {name_b} {b.shape}"
        )


def check_ndim(name: str, array: np.ndarray, ndim: int, meaning: str = "") -> None:
    if array.ndim != ndim:
        what = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name} must be {ndim}-D{what}, got shape {array.shape}")


def check_in_interval(
    name: str, array: np.ndarray, low: float, high: float, what: str = "values"
) -> None:
    """Refuse entries outside the closed interval [low, high]."""
    outside = (array < low) | (array > high)
    if outside.any():
        first = array[outside].flat[0].item()
        raise ValueError(
            f"{name} must hold {what} in [{low}, {high}], "
            f"found {int(outside.sum())} outside, e.g. {first!r}"
        )


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")


def check_positive_int(name: str, value: Any, allow_zero: bool = False) -> int:
    """Return ``value`` as an int, refusing bools, floats and negatives."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def hyperparameter(name: str, value: Any) -> float | np.ndarray:
    """A scalar hyper-parameter, or an array of them for a vectorised sweep.

    Scalars come back as Python floats, so they never change a parameter's
    dtype; arrays come back as float64 arrays that broadcast against the
    parameters (one value per configuration).
    """
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, numbers.Real):  # int, float, NumPy scalars, Fraction...
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return number
    if isinstance(value, str | bytes) or value is None:
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise ValueError(
            f"{name} must be a number or an array of numbers, got {short_repr(value)}: {error}"
        ) from None
    if array.dtype.kind not in "fiu":
        what = "real" if array.dtype.kind == "c" else "numbers"
        raise ValueError(
            f"{name} must be a number or an array of {what}, "
            f"got {short_repr(value)} (dtype {array.dtype})"
        )
    array = array.astype(np.float64)
    check_finite(name, array)
    return array


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters so that a message stays one line."""
    text = " ".join(repr(value).split())  # an array's repr spans several lines
    return text if len(text) <= limit else text[: limit - 3] + "..."


def real_dtype_problem(dtype: np.dtype) -> str | None:
    """Why an array of ``dtype`` cannot stand for real numbers, or None when it can.

    Integers and floats pass. Booleans are refused: a boolean array where
    numbers are expected is a mask passed by mistake.

    Examples
    --------
    >>> real_dtype_problem(np.dtype(np.int32)) is None
    True
    >>> real_dtype_problem(np.dtype(complex))
    'dtype complex128 holds complex numbers, not real numbers (float or int)'
    """
    if dtype.kind in "fiu":
        return None
    held = _DTYPE_KINDS.get(dtype.kind, "no numbers")
    return f"dtype {dtype} holds {held}, not real numbers (float or int)"


_DTYPE_KINDS = {
    "c": "complex numbers",
    "b": "True/False values",
    "U": "text",
    "T": "text",
    "S": "bytes",
    "O": "Python objects",
    "M": "dates",
    "m": "time spans",
    "V": "records",
}


def describe(value: float | np.ndarray) -> str:
    """Show a scalar as itself and an array by its offending range."""
    if isinstance(value, np.ndarray):
        return f"array with min {value.min()!r} and max {value.max()!r}"
    return repr(value)


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool, refusing 0, 1, strings and the like."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)
