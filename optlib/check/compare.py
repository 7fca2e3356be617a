"""Comparing the reader's results with optlib's, and choosing the hint.

A result passes when every entry is within the tolerance of its dtype
(:data:`RTOL`, :data:`ATOL`). Each comparison becomes an :class:`Item` that
also holds the known-wrong variants computed on the same case;
:func:`diagnose` picks the hint: a variant that the reader's numbers match,
else a fallback (shape, ``None``, signature), numerical instability, or a
constant factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optlib.check.mistakes import hint_for
from optlib.check.verdicts import format_number

# Tolerances: (rtol, atol scale) by dtype. A result passes when every entry is
# within atol + rtol * |expected|, where atol is the scale times the largest
# expected magnitude (at least 1).
RTOL = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-4}
ATOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-6}
# Agreement with a known-wrong variant is judged more loosely: a reader's
# version of a mistake need not round exactly like ours.
_MATCH_RTOL = 1e-4


def within_tolerance(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float
) -> np.ndarray:
    """Entry by entry, whether ``got`` is within tolerance of ``expected``.

    An infinite expected entry is matched only by the same infinity (its
    tolerance, ``rtol * inf``, would otherwise accept any number).
    """
    with np.errstate(all="ignore"):
        close = np.abs(got - expected) <= atol + rtol * np.abs(expected)
        return np.where(np.isfinite(expected), close, got == expected)


def _same(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """Equal within tolerance, counting non-finite entries equal to non-finite ones."""
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)
    if not np.array_equal(finite, np.isfinite(b)):
        return False
    return bool(np.all(within_tolerance(a[finite], b[finite], rtol, atol)))


def difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """Where and by how much ``got`` differs from ``expected``, in a few words."""
    bad = ~within_tolerance(got, expected, rtol, atol)
    if got.ndim == 0:
        if expected != 0:
            return f"off by a factor {float(got) / float(expected):.4g}"
        return "differs from the expected value"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = index[0] if len(index) == 1 else index
    return (
        f"{int(bad.sum())} of {bad.size} entries differ; the first at index {where}: "
        f"expected {format_number(expected[index])}, got {format_number(got[index])}"
    )


@dataclass
class Item:
    """One comparison of a reader's result with optlib's, for the diagnosis."""

    expected: np.ndarray
    got: np.ndarray | None  # None: no usable result
    passed: bool
    warned: bool
    rtol: float
    atol: float
    exact: bool = True  # loose cases (edge cases with several right answers) are not matched
    mutants: dict[str, list[np.ndarray | None]] = field(default_factory=dict)
    before: np.ndarray | None = None  # an optimizer's θ before the step


def _variant_matches(items: list[Item], key: str, index: int) -> tuple[bool, int]:
    """Whether the reader's results agree with variant ``index`` of mutant ``key``.

    Returns (matches, unexplained): the variant matches when it agrees with every
    usable result of the reader where it is defined, and explains at least one
    failure. A non-finite reader result where the variant is finite does not
    count against it (that is a stability problem, reported separately); such
    results are counted as ``unexplained``.
    """
    evidence = unexplained = 0
    for item in items:
        if not item.exact or item.got is None:
            continue
        variants = item.mutants.get(key)
        if not variants or variants[index] is None:
            continue
        mutant = variants[index]
        got = item.got
        if mutant.shape != got.shape:
            return False, 0
        rtol, atol = max(_MATCH_RTOL, 10 * item.rtol), 100 * item.atol
        finite = np.isfinite(got)
        if not finite.all() and np.isfinite(mutant[~finite]).all():
            unexplained += 1
            continue
        if not _same(got, mutant, rtol, atol):
            return False, 0
        if not item.passed and not _same(mutant, item.expected, item.rtol, item.atol):
            evidence += 1
        if item.warned and np.isfinite(mutant).all():  # a warning the mistake does not explain
            unexplained += 1
    return evidence > 0, unexplained


def _find_mistake(items: list[Item], keys: Sequence[str]) -> tuple[str | None, int, int]:
    """The first mutant (in priority order) that the reader's results match.

    Returns (key, variant index, unexplained count), or (None, 0, 0).
    """
    for key in keys:
        count = max((len(item.mutants.get(key, ())) for item in items), default=0)
        for index in range(count):
            matches, unexplained = _variant_matches(items, key, index)
            if matches:
                return key, index, unexplained
    return None, 0, 0


def _constant_factor(items: list[Item], steps: bool = False) -> float | None:
    """The factor c when every failing result is c times the expected one (c ≠ 1)."""
    ratios = []
    for item in items:
        if item.passed or not item.exact or item.got is None or item.warned:
            continue
        got, expected = item.got, item.expected
        if steps:  # compare the steps, not the positions
            got, expected = got - item.before, expected - item.before
        if not np.isfinite(got).all():
            return None
        nonzero = np.abs(expected) > 1e-12 * max(1.0, float(np.abs(expected).max()))
        if not nonzero.any():
            continue
        if not _same(got[~nonzero], np.zeros_like(got[~nonzero]), item.rtol, item.atol):
            return None
        with np.errstate(all="ignore"):
            ratios.append((got[nonzero] / expected[nonzero]).ravel())
    if not ratios:
        return None
    ratio = np.concatenate(ratios)
    factor = float(ratio[0])
    if not np.allclose(ratio, factor, rtol=1e-4) or np.isclose(factor, 1.0, rtol=1e-4):
        return None
    return factor


def _unstable(items: list[Item]) -> bool:
    return any(
        (item.got is not None and not np.isfinite(item.got).all()) or item.warned
        for item in items
        if not item.passed
    )


def diagnose(
    items: list[Item],
    mutant_keys: Sequence[str],
    stability_key: str,
    fallbacks: Sequence[tuple[bool, str, dict[str, Any]]] = (),
    steps: bool = False,
    fields: dict[tuple[str, int], dict[str, Any]] | None = None,
) -> tuple[str | None, str | None]:
    """Choose the hint: a matching mutant, else the first applicable fallback.

    The order: a known mistake matched by the reader's numbers (plus the
    stability hint when some results are also non-finite); then the
    ``fallbacks`` (shape, ``None``, signature problems: each a
    ``(applies, key, fields)``); then numerical instability; then a constant
    factor between the reader's results and the expected ones. ``fields``
    fills in the hint of a mutant, by (key, variant index).
    """
    if all(item.passed for item in items):
        return None, None
    with np.errstate(all="ignore"):  # extreme values must not warn from the checker itself
        return _diagnose_items(items, mutant_keys, stability_key, fallbacks, steps, fields)


def _diagnose_items(
    items: list[Item],
    mutant_keys: Sequence[str],
    stability_key: str,
    fallbacks: Sequence[tuple[bool, str, dict[str, Any]]],
    steps: bool,
    fields: dict[tuple[str, int], dict[str, Any]] | None,
) -> tuple[str | None, str | None]:
    key, index, unexplained = _find_mistake(items, mutant_keys)
    if key is not None:
        hint = hint_for(key, **(fields or {}).get((key, index), {}))
        if unexplained and _unstable(items):
            hint += " Also: " + hint_for(stability_key)
        return key, hint
    for applies, fallback, fallback_fields in fallbacks:
        if applies:
            return fallback, hint_for(fallback, **fallback_fields)
    if _unstable(items):
        return stability_key, hint_for(stability_key)
    factor = _constant_factor(items, steps=steps)
    if factor == 0.0:  # an exercise stub that was never filled in
        key = "no_step" if steps else "all_zero"
        return key, hint_for(key)
    if factor is not None:
        return "constant_factor", hint_for("constant_factor", factor=f"{factor:.4g}")
    return None, None


def equal(a: Any, b: Any) -> bool:
    """Whether two hyper-parameter values are the same numbers (both entries, for betas)."""
    return bool(np.all(np.asarray(a, dtype=float) == np.asarray(b, dtype=float)))
