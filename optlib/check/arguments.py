"""The arguments of a check: a mistake in the call to a check raises ``ValueError``.

Mistakes in the reader's function never raise (they are failed cases); a
mistake in how the check itself is called does, with a message that names the
argument, its value and what to write instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optlib.check.verdicts import format_value


def check_callable(fn: Any, check: str, example: str, argument: str = "fn") -> None:
    """Refuse a class or a value where the reader's function belongs, showing ``example``."""
    if isinstance(fn, type):
        raise ValueError(
            f"{check} takes your function, e.g. {example}; {argument} is the class "
            f"{fn.__name__}: pass a function (or an instance, {fn.__name__}(...), if its "
            "instances are callable)"
        )
    if not callable(fn):
        raise ValueError(
            f"{check} takes your function itself, e.g. {example}, not the result of "
            f"calling it; got {argument}={type(fn).__name__} {format_value(fn, 40)}"
        )


def name_of(fn: Callable) -> str:
    """The function's name for the verdict's title (its type's, if it has none)."""
    try:
        name = getattr(fn, "__name__", None)
    except Exception:  # an object whose attributes misbehave
        name = None
    return name if isinstance(name, str) and name else type(fn).__name__


def one_of(kind: str, value: Any, choices: Sequence[str], plural: str = "") -> str:
    """``value`` in lower case if it is one of ``choices``; else a ValueError listing them."""
    if isinstance(value, str) and value.lower() in choices:
        return value.lower()
    options = ", ".join(f'"{choice}"' for choice in choices)
    raise ValueError(f"unknown {kind} {value!r}; the {plural or kind + 's'} are {options}")


def check_time_budget(time_budget: Any) -> float:
    """The time budget as a float, refusing what is not a positive finite number of seconds."""
    if (
        isinstance(time_budget, bool | np.bool_)
        or not isinstance(time_budget, numbers.Real)
        or not 0 < float(time_budget) < math.inf
    ):
        raise ValueError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    return float(time_budget)
