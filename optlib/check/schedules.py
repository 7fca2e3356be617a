r"""The check of a learning-rate schedule written as a function of the step: :func:`schedule`.

The reader writes the rate of step :math:`t` in closed form,
``lr_at(step, **arguments)``; the reference is the same schedule built from
:mod:`optlib.schedules` (PyTorch's classes) and run by
:func:`optlib.schedules.rate_curve`, over every step of several
configurations. The known-wrong variants are closed forms, few enough to
write here: each is one classic mistake (a warm-up one step off, a cosine
over the whole run, a decay to 0 instead of ``min_lr``, degrees for
radians, a schedule one step ahead because it was stepped before the
optimizer, ...), and the one the reader's rates match names the hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.check.arguments import check_callable, check_time_budget, name_of, one_of
from optlib.check.compare import Item, diagnose, within_tolerance
from optlib.check.names import SCHEDULE_KINDS
from optlib.check.sandbox import (
    DEFAULT_TIME_BUDGET,
    Session,
    as_array,
    call_reader,
    escape_verdict,
    non_finite,
)
from optlib.check.verdicts import CaseResult, CheckResult, format_number

_RTOL = 1e-9  # the reference is torch's recursion: within ~1e-12 of the closed form
_ATOL = 1e-12  # times the peak: a rate that should be 0


@dataclass(frozen=True)
class ScheduleCase:
    """One configuration: the keywords the reader's function gets, and the steps checked."""

    name: str
    arguments: dict[str, Any]
    steps: int  # steps 0 .. steps - 1 are checked


_CASES: dict[str, tuple[ScheduleCase, ...]] = {
    "warmup_cosine": (
        ScheduleCase("a short run", {"peak": 0.1, "warmup": 5, "total": 20, "min_lr": 0.001}, 21),
        ScheduleCase(
            "a long warm-up, as for a transformer",
            {"peak": 6e-4, "warmup": 40, "total": 400, "min_lr": 6e-5},
            401,
        ),
        ScheduleCase("no warm-up", {"peak": 0.5, "warmup": 0, "total": 30, "min_lr": 0.05}, 31),
        ScheduleCase(
            "a one-step warm-up, down to 0",
            {"peak": 1.0, "warmup": 1, "total": 10, "min_lr": 0.0},
            11,
        ),
    ),
    "step_decay": (
        ScheduleCase("halving every 10 steps", {"peak": 0.1, "step_size": 10, "gamma": 0.5}, 45),
        ScheduleCase("a cut at every step", {"peak": 1.0, "step_size": 1, "gamma": 0.9}, 20),
        ScheduleCase("÷10 every 30 steps", {"peak": 0.05, "step_size": 30, "gamma": 0.1}, 100),
    ),
}

_SIGNATURES = {
    "warmup_cosine": "lr_at(step, *, peak, warmup, total, min_lr)",
    "step_decay": "lr_at(step, *, peak, step_size, gamma)",
}


def _reference(kind: str, arguments: dict[str, Any], steps: int) -> np.ndarray:
    """The rates of steps 0 .. steps - 1, from optlib.schedules (torch's classes)."""
    from optlib.schedules import StepLR, rate_curve, warmup_cosine

    a = arguments
    if kind == "warmup_cosine":
        make = lambda opt: warmup_cosine(opt, a["warmup"], a["total"], min_lr=a["min_lr"])  # noqa: E731
    else:
        make = lambda opt: StepLR(opt, step_size=a["step_size"], gamma=a["gamma"])  # noqa: E731
    return rate_curve(make, steps, lr=a["peak"])


# --- known-wrong variants: closed forms, each one mistake ----------------------------------

Variant = Callable[[int, dict[str, Any], np.ndarray], float | None]


def _cosine(progress: float, peak: float, min_lr: float) -> float:
    return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def _warm(t: int, a: dict[str, Any], rate: Callable[[float], float], warm: Callable[[int], float]):
    """The warm-up-then-cosine shape with one piece swapped: ``warm(t)`` for the warm-up
    factor, ``rate(progress)`` for the decay."""
    w, total = a["warmup"], a["total"]
    if t < w:
        return a["peak"] * warm(t)
    return rate((t - w) / (total - w))


def _warmup_cosine_variants(a: dict[str, Any]) -> list[tuple[str, Variant]]:
    """The same variants, in the same order, for every configuration (the diagnosis matches
    them by position); one that does not apply to a configuration gives None."""
    peak, w, total, m = a["peak"], a["warmup"], a["total"], a["min_lr"]

    def cosine(rate: Callable[[float], float], warm: Callable[[int], float] | None = None):
        warm = warm or (lambda t: t / w)
        return lambda t, a, ref: _warm(t, a, rate, warm)

    def only_if(applies: bool, variant: Variant) -> Variant:
        return variant if applies else (lambda t, a, ref: None)

    def right(p: float) -> float:
        return _cosine(p, peak, m)

    return [
        ("schedule_one_step_ahead", lambda t, a, ref: ref[t + 1]),
        ("warmup_off_by_one", only_if(w > 0, cosine(right, lambda t: (t + 1) / w))),
        ("warmup_off_by_one", only_if(w > 1, cosine(right, lambda t: t / (w - 1)))),
        (
            "cosine_over_total",
            lambda t, a, ref: peak * t / w if t < w else _cosine((t - w) / total, peak, m),
        ),
        (
            "cosine_over_total",
            lambda t, a, ref: peak * t / w if t < w else _cosine(t / total, peak, m),
        ),
        ("decays_to_zero", cosine(lambda p: _cosine(p, peak, 0.0))),
        ("cosine_amplitude", cosine(lambda p: m + peak * (1 + math.cos(math.pi * p)) / 2)),
        ("cosine_no_half", cosine(lambda p: m + (peak - m) * (1 + math.cos(math.pi * p)))),
        ("cosine_degrees", cosine(lambda p: m + (peak - m) * (1 + math.cos(180 * p)) / 2)),
        (
            "cosine_degrees",
            cosine(lambda p: m + (peak - m) * (1 + math.cos(math.radians(math.pi * p))) / 2),
        ),
    ]


def _step_decay_variants(a: dict[str, Any]) -> list[tuple[str, Variant]]:
    peak, s, gamma = a["peak"], a["step_size"], a["gamma"]
    return [
        ("schedule_one_step_ahead", lambda t, a, ref: ref[t + 1]),
        ("step_decay_continuous", lambda t, a, ref: peak * gamma ** (t / s)),
        ("step_decay_ceil", lambda t, a, ref: peak * gamma ** math.ceil(t / s)),
        ("step_size_ignored", lambda t, a, ref: peak * gamma**t),
    ]


_VARIANTS = {"warmup_cosine": _warmup_cosine_variants, "step_decay": _step_decay_variants}


def schedule(
    fn: Callable[..., Any],
    kind: str = "warmup_cosine",
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    r"""Check your learning-rate schedule, written as the rate of step :math:`t`.

    Your function gets the step :math:`t` (a Python ``int``, counted from 0:
    step 0 is the first optimizer step) and the schedule's settings as
    keywords, and returns the learning rate of that step, a number. Each
    ``kind`` has its signature and formula:

    ``"warmup_cosine"``: ``lr_at(step, *, peak, warmup, total, min_lr)``
        A linear warm-up from 0 to ``peak`` over ``warmup`` steps, then a
        cosine decay to ``min_lr`` at step ``total``; with
        :math:`\alpha_{\max}` = ``peak``, :math:`w` = ``warmup``, :math:`T`
        = ``total``, :math:`\alpha_{\min}` = ``min_lr``,

        .. math::
           \alpha_t = \begin{cases}
             \alpha_{\max}\,\dfrac{t}{w} & 0 \le t < w,\\[1ex]
             \alpha_{\min} + \tfrac12(\alpha_{\max} - \alpha_{\min})
               \left(1 + \cos\dfrac{\pi (t - w)}{T - w}\right) & w \le t \le T,
           \end{cases}

        checked at :math:`t = 0, \ldots, T` (``warmup`` may be 0: then there
        is no warm-up). The reference is
        :func:`optlib.schedules.warmup_cosine`: ``SequentialLR`` of a
        ``LambdaLR`` warm-up and a ``CosineAnnealingLR`` with
        ``T_max = total - warmup``, ``eta_min = min_lr``, ``milestones=[warmup]``.
    ``"step_decay"``: ``lr_at(step, *, peak, step_size, gamma)``
        :math:`\alpha_t = \alpha_{\max}\,\gamma^{\lfloor t / s \rfloor}`, with
        :math:`s` = ``step_size``: torch's ``StepLR`` (the reference).

    Each configuration is a case, every step of it compared (relative 1e-9,
    and 1e-12 times the peak for a rate of 0); the verdict names the first
    step that differs. Your function must not rely on being called in order:
    it is a function of the step, like a Keras ``LearningRateSchedule``.
    The protocol (time budget, what counts as a mistake) is that of the other
    checks, described in :mod:`optlib.check`.

    Parameters
    ----------
    fn : callable
        Your schedule, with the signature of its ``kind``.
    kind : {"warmup_cosine", "step_decay"}
        Which schedule you wrote.
    time_budget : float, default 5.0
        Seconds your function may take in all (some 550 calls for
        ``"warmup_cosine"``).

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        An unknown ``kind``, a class or a value where your function belongs,
        or a ``time_budget`` that is not a positive number.

    Examples
    --------
    >>> import math
    >>> from optlib import check
    >>> def lr_at(step, *, peak, warmup, total, min_lr):
    ...     if step < warmup:
    ...         return peak * step / warmup
    ...     progress = (step - warmup) / (total - warmup)
    ...     return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * progress)) / 2
    >>> check.schedule(lr_at, "warmup_cosine")
    ✔ 4 of 4 cases pass: check.schedule(lr_at, "warmup_cosine")

    The cosine taken over the whole run instead of what the warm-up leaves:

    >>> def over_total(step, *, peak, warmup, total, min_lr):
    ...     if step < warmup:
    ...         return peak * step / warmup
    ...     progress = (step - warmup) / total
    ...     return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * progress)) / 2
    >>> result = check.schedule(over_total)
    >>> result.verdict, result.mistake
    ('✘ 3 of 4 cases fail', 'cosine_over_total')
    """
    check_callable(fn, "check.schedule", 'check.schedule(lr_at, "warmup_cosine")')
    key = one_of("schedule kind", kind, SCHEDULE_KINDS, "schedule kinds")
    budget = check_time_budget(time_budget)
    with Session(budget) as session:
        return _check_schedule(fn, key, session)


def schedule_cases(kind: str) -> tuple[ScheduleCase, ...]:
    """The configurations :func:`schedule` checks for ``kind``.

    Examples
    --------
    >>> [case.name for case in schedule_cases("step_decay")]
    ['halving every 10 steps', 'a cut at every step', '÷10 every 30 steps']
    """
    return _CASES[one_of("schedule kind", kind, SCHEDULE_KINDS, "schedule kinds")]


def _check_schedule(fn: Callable[..., Any], kind: str, session: Session) -> CheckResult:
    title = f'check.schedule({name_of(fn)}, "{kind}")'
    cases: list[CaseResult] = []
    items: list[Item] = []
    keys: list[str] = []
    fields: dict[tuple[str, int], dict[str, Any]] = {}
    nones = signature = shapes = zero_division = False
    for case in _CASES[kind]:
        arguments = case.arguments
        reference = _reference(kind, arguments, case.steps + 1)  # one more, for "one step ahead"
        variants = _VARIANTS[kind](arguments)
        for key, _ in variants:
            if key not in keys:
                keys.append(key)
        atol = _ATOL * arguments["peak"]
        first_failure: tuple[int, float, Any, str] | None = None
        last_got: Any = None
        for t in range(case.steps):
            expected = reference[t]
            call = call_reader(session, fn, (t,), dict(arguments))
            got, problem = as_array(call, (), "a number")
            nones |= call.error is None and call.value is None
            signature |= call.refused
            shapes |= got is not None and bool(problem)
            zero_division |= isinstance(call.exception, ZeroDivisionError) and (
                arguments.get("warmup") == 0
            )
            item = Item(np.asarray(expected), None, False, bool(call.warnings), _RTOL, atol)
            item.mutants = _variant_values(variants, t, arguments, reference)
            items.append(item)
            if problem:
                if call.warnings:
                    problem += f"; {call.warning}"
                first_failure = first_failure or (t, expected, None, problem)
                break  # the same call would fail at the other steps too
            item.got = got
            last_got = float(got)
            passed = bool(within_tolerance(got, np.asarray(expected), _RTOL, atol))
            message = ""
            if not np.isfinite(got):
                passed, message = False, non_finite(got)
            elif not passed:
                message = f"expected {format_number(expected)}, got {format_number(got)}"
            if call.warnings:
                message = f"{message}; {call.warning}" if message else f"it {call.warning}"
                passed = False
            item.passed = passed
            if not passed and first_failure is None:
                first_failure = (t, expected, float(got), message)
        inputs = dict(arguments)
        span = f"steps 0–{case.steps - 1}"
        if first_failure is None:
            inputs["steps"] = span
            cases.append(CaseResult(case.name, inputs, reference[case.steps - 1], last_got, True))
            continue
        t, expected, got_t, message = first_failure
        inputs["step"] = t
        matched = "" if t == 0 else ("step 0 matches; " if t == 1 else f"steps 0–{t - 1} match; ")
        text = f"step {t} of {span} differs: {matched}{message}"
        cases.append(CaseResult(case.name, inputs, expected, got_t, False, text))

    mistake, hint, note = escape_verdict(session)
    if mistake is None and not all(case.passed for case in cases):
        signature_text = _SIGNATURES[kind]
        fallbacks = [
            (zero_division, "warmup_division_by_zero", {}),
            (signature, "signature", {"call": f"it is called as {signature_text}"}),
            (nones, "returned_none", {}),
            (shapes, "schedule_shape", {}),
        ]
        mistake, hint = diagnose(
            items, keys, "schedule_unstable", fallbacks, steps=False, fields=fields
        )
    return CheckResult(title, cases, hint, mistake, note)


def _variant_values(
    variants: list[tuple[str, Variant]], t: int, arguments: dict[str, Any], reference: np.ndarray
) -> dict[str, list[np.ndarray | None]]:
    values: dict[str, list[np.ndarray | None]] = {}
    for key, variant in variants:
        try:
            result = variant(t, arguments, reference)
            value: np.ndarray | None = None if result is None else np.asarray(float(result))
        except (ArithmeticError, ValueError):  # a variant undefined here
            value = None
        values.setdefault(key, []).append(value)
    return values
