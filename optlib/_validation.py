"""Argument checks shared by every optlib module.

Every public function validates its inputs here, so that a reader's mistake
surfaces as one ``ValueError`` that names the argument and the offending shape
or value, never as a crash deep inside NumPy or a silent NaN.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
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


# ---------------------------------------------------------------------------
# Optimizers: hyper-parameters (torch.optim's messages), parameters, gradients, state
# ---------------------------------------------------------------------------


def hyperparameter_number(name: str, value: Any) -> float | np.ndarray:
    """A finite number, or a read-only float64 copy of an array of them."""
    value = hyperparameter(name, value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return float(value)
        value = value.copy()
        value.flags.writeable = False  # changes go through the validated attribute
    return value


def refuse_where(bad: Any, message: str, value: float | np.ndarray) -> None:
    """Raise ``ValueError(f"{message}: {value}")`` where ``bad`` holds, naming an offender."""
    if not np.any(bad):
        return
    if isinstance(value, np.ndarray):
        offender = value[np.broadcast_to(bad, value.shape)].flat[0]
        raise ValueError(f"{message}: {offender} (in an array of shape {value.shape})")
    raise ValueError(f"{message}: {value}")


def nonnegative_hyperparameter(name: str, value: Any, message: str) -> float | np.ndarray:
    value = hyperparameter_number(name, value)
    refuse_where(value < 0, message, value)
    return value


def check_betas(value: Any) -> tuple[float | np.ndarray, float | np.ndarray]:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        value = list(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        hint = f"; write betas=({value!r}, 0.999)" if isinstance(value, numbers.Real) else ""
        raise ValueError(f"betas must be a pair (beta1, beta2), got {short_repr(value)}{hint}")
    if len(value) != 2:
        raise ValueError(
            f"betas must be a pair (beta1, beta2), got {len(value)} values: {short_repr(value)}"
        )
    checked = []
    for index, beta in enumerate(value):
        beta = hyperparameter_number(f"betas[{index}]", beta)
        refuse_where((beta < 0) | (beta >= 1), f"Invalid beta parameter at index {index}", beta)
        checked.append(beta)
    return checked[0], checked[1]


def check_params(params: Any, what: str = "params") -> list[np.ndarray]:
    """The arrays an optimizer will update in place, each checked for what would break that.

    Refused, naming the index: anything but a float ``ndarray``; an ``np.matrix``
    (its ``*`` is a matrix product) and a masked array (the mask would be
    ignored); a read-only array; an array whose entries overlap in memory (a
    stride of 0, e.g. from ``np.broadcast_to``); and two parameters that share
    memory, the same array twice or two views of one array, which one step
    would move twice.
    """
    if isinstance(params, np.ndarray):
        params = [params]
    elif isinstance(params, dict | str | bytes) or not isinstance(params, Sequence):
        hint = " (parameter groups are not supported)" if isinstance(params, dict) else ""
        raise ValueError(
            f"{what} must be a NumPy array or a list of them{hint}, "
            f"got {type(params).__name__} {short_repr(params)}"
        )
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    for index, param in enumerate(params):
        name = f"{what}[{index}]"
        if isinstance(param, np.ma.MaskedArray):
            raise ValueError(
                f"{name} is a masked array; the optimizer would update masked entries too. "
                f"Pass its data, np.ma.getdata(x), and leave the entries you want fixed "
                f"out of the parameters"
            )
        if isinstance(param, np.matrix):
            raise ValueError(
                f"{name} is an np.matrix, whose * is a matrix product; "
                f"pass np.asarray(x), a plain array that shares its memory"
            )
        if not isinstance(param, np.ndarray):
            raise ValueError(
                f"{name} must be a NumPy array (it is updated in place), "
                f"got {type(param).__name__} {short_repr(param)}"
            )
        if param.dtype.kind != "f":
            raise ValueError(
                f"{name} must be a real floating array to be updated in place, "
                f"got dtype {param.dtype}; convert it first, e.g. x = x.astype(float)"
            )
        if not param.flags.writeable:
            raise ValueError(
                f"{name} is read-only; the optimizer updates it in place "
                f"(pass a writable copy, e.g. x = x.copy())"
            )
        if overlaps_itself(param):
            raise ValueError(
                f"{name} of shape {param.shape} and strides {param.strides} has entries "
                f"that overlap in memory (from np.broadcast_to or as_strided?); "
                f"one step would update them several times: pass a copy"
            )
    for later in range(1, len(params)):
        for earlier in range(later):
            if share_memory(params[earlier], params[later]):
                same = "the same array" if params[earlier] is params[later] else "views"
                raise ValueError(
                    f"{what}[{earlier}] and {what}[{later}] share memory ({same}); "
                    f"one step would move the shared entries twice: "
                    f"pass each array once, or a copy"
                )
    return params


def overlaps_itself(array: np.ndarray) -> bool:
    """Whether some entries of ``array`` are the same memory (sufficient test, cheap)."""
    if array.size <= 1 or array.flags.c_contiguous or array.flags.f_contiguous:
        return False
    dims = list(zip(array.strides, array.shape, strict=True))
    if any(stride == 0 and length > 1 for stride, length in dims):
        return True
    span = array.itemsize + sum(abs(stride) * (length - 1) for stride, length in dims)
    return span < array.nbytes  # fewer bytes spanned than the entries need


def share_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` share memory; when NumPy cannot tell quickly, assume so."""
    if a is b:
        return True
    if not np.may_share_memory(a, b):  # disjoint address ranges: the common, cheap case
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=10**6))
    except np.exceptions.TooHardError:
        return True


def as_gradient(index: int, grad: Any, param: np.ndarray) -> np.ndarray:
    """Gradient ``index`` as an ndarray of real numbers, or a ValueError saying why not.

    The slow path of :meth:`Optimizer.step`: reached only for what is not already
    a float ndarray (lists, integers, subclasses, and every kind of mistake).
    """
    name = f"gradient {index}"
    if grad is None:
        raise ValueError(
            f"{name} is None; every parameter needs a gradient array "
            f"(torch skips a parameter whose .grad is None, optlib does not: "
            f"pass np.zeros_like(params[{index}]) to leave it unchanged by the gradient)"
        )
    if isinstance(grad, np.ma.MaskedArray):
        if np.ma.getmaskarray(grad).any():
            raise ValueError(
                f"{name} is a masked array with masked entries; the optimizer cannot skip "
                f"entries. Fill them first, e.g. g.filled(0.0)"
            )
        grad = np.ma.getdata(grad)
    try:
        array = np.asarray(grad)
    except Exception as error:  # ragged lists and the like
        raise ValueError(
            f"{name} cannot be made an array of numbers ({short_repr(grad)}): {error}"
        ) from None
    problem = real_dtype_problem(array.dtype)
    if problem is not None:
        raise ValueError(f"{name}: {problem}; got {short_repr(grad)}")
    if array.dtype.kind != "f":  # integers: compute in the parameter's precision
        array = array.astype(param.dtype)
    return array


def checked_step(where: str, value: Any) -> int:
    """A step count as an int: an int, or an integral float or 0-d array (torch's tensor)."""
    message = f"{where}: step must be an int >= 0, got {short_repr(value)}"
    if isinstance(value, bool | np.bool_):
        raise ValueError(message)
    if isinstance(value, numbers.Integral):
        if value < 0:
            raise ValueError(message)
        return int(value)
    try:
        step = np.asarray(value)
    except Exception:
        raise ValueError(message) from None
    if step.ndim != 0 or step.dtype.kind not in "fiu":
        raise ValueError(message)
    number = step.item()
    if not np.isfinite(number) or number < 0 or number != int(number):
        raise ValueError(message)
    return int(number)


def checked_state_array(
    where: str,
    key: str,
    value: Any,
    param: np.ndarray,
    nonnegative: bool,
    shape: tuple[int, ...] | None = None,
) -> np.ndarray:
    """A copy of ``value`` in the parameter's dtype, checked for dtype, shape and sign.

    ``shape`` is the entry's shape when it is not the parameter's (Adafactor's row
    and column averages).
    """
    try:
        array = np.asarray(value)
    except Exception as error:
        raise ValueError(f"{where}: {key} cannot be made an array of numbers: {error}") from None
    problem = real_dtype_problem(array.dtype)
    if problem is not None:
        raise ValueError(f"{where}: {key}: {problem}")
    expected = param.shape if shape is None else shape
    if array.shape != expected:
        raise ValueError(
            f"{where}: {key} has shape {array.shape}, but the parameter has shape {param.shape}"
            + ("" if expected == param.shape else f" and its {key} shape {expected}")
        )
    array = np.array(array, dtype=param.dtype)  # a copy, in the parameter's dtype
    if nonnegative:
        negative = array < 0
        if negative.any():
            raise ValueError(
                f"{where}: {key} has {int(negative.sum())} negative entries, e.g. "
                f"{array[negative].flat[0]!r}; {key} accumulates squares or magnitudes, "
                "never negative"
            )
    return array


def checked_state_number(
    where: str, key: str, value: Any, param: np.ndarray
) -> float | np.ndarray:
    """A state entry that is one number per run: a float, or in a sweep a float64 array.

    NAdam's ``mu_product`` is a number (torch stores a 0-d tensor); in a sweep
    over its hyper-parameters it has their shape, which broadcasts against the
    parameter's. Refused: a non-real dtype, a shape that does not broadcast, a
    non-finite value.
    """
    try:
        array = np.asarray(value)
    except Exception as error:
        raise ValueError(f"{where}: {key} cannot be made a number: {error}") from None
    problem = real_dtype_problem(array.dtype)
    if problem is not None:
        raise ValueError(f"{where}: {key}: {problem}")
    try:
        fits = np.broadcast_shapes(array.shape, param.shape) == param.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{where}: {key} must be a number (in a sweep, an array that broadcasts against "
            f"the parameter's shape {param.shape}), got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{where}: {key} must be finite, got {short_repr(value)}")
    return float(array) if array.ndim == 0 else np.array(array, dtype=np.float64)


def _flag(name: str, value: Any) -> bool:
    return check_bool(name, value)


def _nonnegative(message: str) -> Callable[[str, Any], float | np.ndarray]:
    return lambda name, value: nonnegative_hyperparameter(name, value, message)


def _in_unit_interval(message: str) -> Callable[[str, Any], float | np.ndarray]:
    def check(name: str, value: Any) -> float | np.ndarray:
        value = hyperparameter_number(name, value)
        refuse_where((value < 0) | (value > 1), message, value)
        return value

    return check


#: How each optimizer hyper-parameter is checked, by name. A name means the same
#: thing, and is checked the same way with ``torch.optim``'s message, in every
#: optimizer that takes it; an optimizer declares its hyper-parameters once, in
#: its constructor's signature, and they are checked here in that order.
HYPERPARAMETER_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "lr": _nonnegative("Invalid learning rate"),
    "lr_decay": _nonnegative("Invalid lr_decay value"),
    "momentum": _nonnegative("Invalid momentum value"),
    "dampening": lambda name, value: hyperparameter_number(name, value),
    "alpha": _nonnegative("Invalid alpha value"),
    "betas": lambda name, value: check_betas(value),
    "eps": _nonnegative("Invalid epsilon value"),
    "weight_decay": _nonnegative("Invalid weight_decay value"),
    "initial_accumulator_value": _nonnegative("Invalid initial_accumulator_value value"),
    "nesterov": _flag,
    "centered": _flag,
    "amsgrad": _flag,
    "maximize": _flag,
    # NAdam, RAdam, Adadelta (Adamax takes only names above)
    "momentum_decay": _nonnegative("Invalid momentum_decay value"),
    "decoupled_weight_decay": _flag,
    "rho": _in_unit_interval("Invalid rho value"),
    # Adafactor and Muon (their shared names lr, eps, weight_decay, momentum are checked
    # with their own messages: ADAFACTOR_CHECKS and MUON_CHECKS, below)
    "beta2_decay": lambda name, value: check_beta2_decay(value),
    "d": lambda name, value: check_clipping_threshold(value),
    "ns_coefficients": lambda name, value: check_ns_coefficients(value),
    "ns_steps": lambda name, value: check_ns_steps(value),
    "adjust_lr_fn": lambda name, value: check_adjust_lr_fn(value),
}


def check_hyperparameters(
    values: dict[str, Any], overrides: dict[str, Callable[[str, Any], Any]] | None = None
) -> dict[str, Any]:
    """Every hyper-parameter in ``values`` checked and converted, in order, by its name.

    ``overrides`` replaces the table's checks for some names: one optimizer class's
    own (``Optimizer.hyperparameter_checks``).

    Examples
    --------
    >>> check_hyperparameters({"lr": 1, "nesterov": False})
    {'lr': 1.0, 'nesterov': False}
    >>> check_hyperparameters({"lr": -1})
    Traceback (most recent call last):
    ...
    ValueError: Invalid learning rate: -1.0
    """
    checks = {**HYPERPARAMETER_CHECKS, **overrides} if overrides else HYPERPARAMETER_CHECKS
    return {name: checks[name](name, value) for name, value in values.items()}


# ---------------------------------------------------------------------------
# Adafactor and Muon: their own names, and the shared names torch checks otherwise
# ---------------------------------------------------------------------------


def check_beta2_decay(value: Any) -> float | np.ndarray:
    value = hyperparameter_number("beta2_decay", value)
    refuse_where(value > 0, "beta2_decay should be <= 0 but is", value)
    return value


def check_clipping_threshold(value: Any) -> float | np.ndarray:
    value = hyperparameter_number("d", value)
    refuse_where(value < 1, "Clipping threshold d should be >= 1 but is", value)
    return value


def check_adafactor_eps(value: Any) -> tuple[float | np.ndarray | None, float | np.ndarray]:
    """Adafactor's ``eps``: a pair (eps1 or None, eps2), each >= 0 (torch's messages)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(
            f"eps must be a pair (eps1, eps2) for Adafactor, got {short_repr(value)}: eps1 "
            "floors the update's denominator (None for the dtype's machine epsilon), eps2 "
            "the parameter's RMS in the step size; the default is (None, 0.001)"
        )
    eps1 = None if value[0] is None else hyperparameter_number("eps[0]", value[0])
    if eps1 is not None:
        refuse_where(eps1 < 0, "epsilon1 should be >= 0 but is", eps1)
    eps2 = hyperparameter_number("eps[1]", value[1])
    refuse_where(eps2 < 0, "epsilon2 should be >= 0 but is", eps2)
    return eps1, eps2


def check_ns_coefficients(value: Any) -> tuple[float | np.ndarray, ...]:
    """Muon's Newton–Schulz coefficients: three numbers (a, b, c)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(
            f"ns_coefficients must be three numbers (a, b, c), got {short_repr(value)}"
        )
    if len(value) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    return tuple(
        hyperparameter_number(f"ns_coefficients[{index}]", coefficient)
        for index, coefficient in enumerate(value)
    )


def check_ns_steps(value: Any) -> int:
    """Muon's number of Newton–Schulz iterations: an int in [0, 100)."""
    steps = check_positive_int("ns_steps", value, allow_zero=True)
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    return steps


def check_adjust_lr_fn(value: Any) -> str | None:
    """Muon's learning-rate adjustment: None (as "original"), "original" or "match_rms_adamw"."""
    if value is None:
        return None
    if isinstance(value, str) and value in ("original", "match_rms_adamw"):
        return str(value)
    raise ValueError(f"Adjust learning rate function {value} is not supported")


def refuse_sweeps(hyperparameters: dict[str, Any], reason: str) -> None:
    """Refuse an array hyper-parameter (or an array inside a tuple one), naming it, for ``reason``.

    For a rule that couples a parameter's entries, where parameters of shape ``(k, d)``
    with hyper-parameters of shape ``(k, 1)`` would not be ``k`` independent runs.

    Examples
    --------
    >>> refuse_sweeps({"lr": 0.1, "eps": (None, 1e-3)}, "why")  # numbers: nothing to say
    >>> refuse_sweeps({"lr": np.array([[0.1], [0.2]])}, "why")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a number here, not an array of shape (2, 1): why
    """
    for name, value in hyperparameters.items():
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, np.ndarray):
                raise ValueError(
                    f"{name} must be a number here, not an array of shape {part.shape}: {reason}"
                )


#: Adafactor's checks for the shared names that ``torch.optim.Adafactor`` checks with
#: its own messages (``Optimizer.hyperparameter_checks``); its ``eps`` is a pair.
ADAFACTOR_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "lr": _nonnegative("Learning rate should be >= 0 but is"),
    "eps": lambda name, value: check_adafactor_eps(value),
    "weight_decay": _nonnegative("weight_decay should be >= 0 but is"),
}

#: Muon's checks for the shared names that ``torch.optim.Muon`` checks with its own
#: messages; its ``eps`` (the floor of a norm) may be any number, as in torch.
MUON_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "lr": _nonnegative("Learning rate should be >= 0 but is"),
    "momentum": _nonnegative("momentum should be >= 0 but is"),
    "weight_decay": _nonnegative("weight decay should be >= 0 but is"),
    "eps": lambda name, value: hyperparameter_number(name, value),
}
