"""The check of one step of an optimizer: :func:`optimizer_step`.

The hyper-parameters are validated as ``torch.optim`` validates them (and
Keras's names are pointed to torch's). The reader's function is called at
every step of optlib's run along each case (:mod:`optlib.check.optimizer_cases`),
its ``state`` carried over, and the verdict names the first step that
differs. A case whose reference steps overflow, or are too small to tell from
no step, compares nothing, and the note says which hyper-parameter to change.
When something fails, the known-wrong variants
(:mod:`optlib.check.optimizer_mutants`) choose the hint.
"""

from __future__ import annotations

import copy
import inspect
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from optlib.check.arguments import check_callable, check_time_budget, name_of, one_of
from optlib.check.compare import Item, diagnose, difference, equal, within_tolerance
from optlib.check.names import OPTIMIZER_NAMES
from optlib.check.optimizer_cases import (
    OPTIMIZERS,
    OptimizerCase,
    Step,
    compares,
    optimizer_cases,
    reference_run,
    step_tolerances,
)
from optlib.check.optimizer_mutants import StepFn, optimizer_mutants
from optlib.check.sandbox import (
    DEFAULT_TIME_BUDGET,
    Session,
    as_array,
    call_reader,
    escape_verdict,
    non_finite,
)
from optlib.check.verdicts import CaseResult, CheckResult, join_notes
from optlib.optimizers import Optimizer

# Names from Keras and from the book's formulas, and what torch.optim calls them.
_OTHER_NAMES = {
    "learning_rate": "lr",
    "beta_1": "betas=(beta_1, beta_2)",
    "beta_2": "betas=(beta_1, beta_2)",
    "beta1": "betas=(beta1, beta2)",
    "beta2": "betas=(beta1, beta2)",
    "epsilon": "eps",
    "rho": "alpha",
    "decay": "weight_decay",
    "velocity": "momentum",
}
_FLAGS = ("nesterov", "centered", "amsgrad", "maximize")  # the optimizer checks these itself

# Why a case compared nothing, as its message says it.
_NOT_COMPARED = {
    "overflow": (
        "optlib's own first step overflows (or gives nan) here with these hyper-parameters, "
        "so there is no step to compare"
    ),
    "tiny": (
        "optlib's steps here are too small to tell apart from no step at all, so a function "
        "that returns theta unchanged would pass too"
    ),
}


def optimizer_step(
    fn: Callable[..., Any],
    name: Any,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
    **hyperparameters: Any,
) -> CheckResult:
    """Check your optimizer step against optlib's (that is, ``torch.optim``'s) rule.

    Your function is called as ``fn(theta, grad, state, **hyperparameters)``
    for 25 steps on each of six trajectories (a quadratic ravine, Rosenbrock,
    Beale, a 5-D bowl where the gradients are tiny and one is exactly 0, a
    float32 ravine, and a ravine whose learning rate shrinks every step). Each
    step is compared with optlib's optimizer; the verdict names the first step
    that differs. The docstring of :mod:`optlib.check` describes the protocol.

    A trajectory compares nothing when optlib's own first step overflows (or
    gives NaN) with the hyper-parameters given, or when none of its steps
    moves theta by more than the comparison's tolerance (a function that
    returns theta unchanged would pass it): such a case is reported as not
    compared, the check does not pass, and :attr:`CheckResult.note` says which
    hyper-parameter to change.

    Parameters
    ----------
    fn : callable
        Your step, ``fn(theta, grad, state, **hyperparameters) -> new_theta``.
        ``state`` is a dict, empty at the first step, that you fill and that
        comes back at the next step. ``lr`` is always passed, and the other
        hyper-parameters you give here.
    name : {"sgd", "adagrad", "rmsprop", "adam", "adamw", "adamax"}
        The rule to compare with (or the class: ``optlib.Adam``).
    time_budget : float, default 5.0
        Seconds your function may take in all, over the 150 steps; see
        "Time budget" in the docstring of :mod:`optlib.check`.
    **hyperparameters
        torch's names and meanings, e.g. ``lr=0.1, momentum=0.9`` for SGD or
        ``lr=0.01, betas=(0.9, 0.999)`` for Adam; the others take torch's defaults.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        An unknown optimizer, an unknown hyper-parameter (Keras's names, such
        as ``learning_rate``, get the torch name to write instead), a value
        that is not a number, or a value torch refuses (a negative learning
        rate, nesterov without momentum, NaN, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_adam(theta, grad, state, lr, betas=(0.9, 0.999), eps=1e-8):
    ...     beta1, beta2 = betas
    ...     t = state["t"] = state.get("t", 0) + 1
    ...     m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * grad
    ...     v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * grad**2
    ...     m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ...     return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    >>> check.optimizer_step(my_adam, "adam", lr=0.1)
    ✔ 6 of 6 cases pass: check.optimizer_step(my_adam, "adam", lr=0.1)

    With ε inside the square root, as TensorFlow writes it:

    >>> def my_tf_adam(theta, grad, state, lr, betas=(0.9, 0.999), eps=1e-8):
    ...     beta1, beta2 = betas
    ...     t = state["t"] = state.get("t", 0) + 1
    ...     m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * grad
    ...     v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * grad**2
    ...     m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ...     return theta - lr * m_hat / np.sqrt(v_hat + eps)
    >>> result = check.optimizer_step(my_tf_adam, "adam", lr=0.1)
    >>> result.verdict, result.mistake
    ('✘ 1 of 6 cases fail', 'eps_inside_sqrt')

    A learning rate so large that optlib's own steps overflow leaves nothing
    to compare, and the check says so instead of passing:

    >>> result = check.optimizer_step(my_adam, "adam", lr=1e308)
    >>> result.passed, result.verdict
    (False, '✘ nothing compared: none of the 6 cases could be compared')
    >>> print(result.note)
    lr=1e+308 makes optlib's own first step overflow (or give nan) on every case;
    nothing could be compared — try a smaller lr.
    """
    check_callable(fn, "check.optimizer_step", 'check.optimizer_step(my_update, "sgd", lr=0.1)')
    if isinstance(name, type) and name in OPTIMIZERS.values():
        name = name.__name__
    key = one_of("optimizer", name, OPTIMIZER_NAMES)
    cls = OPTIMIZERS[key]
    full = _check_hyperparameters(cls, key, hyperparameters)
    budget = check_time_budget(time_budget)
    with Session(budget) as session:
        return _check_optimizer_step(fn, key, cls, hyperparameters, full, session)


def _check_hyperparameters(
    cls: type[Optimizer], name: str, given: dict[str, Any]
) -> dict[str, Any]:
    """Validate the hyper-parameters as torch does; returns all of them, defaults filled in."""
    unknown = [key for key in given if key not in cls.hyperparameter_names]
    if unknown:
        instead = _OTHER_NAMES.get(unknown[0])
        advice = (
            f" (write {instead})"
            if instead and instead.split("=")[0] in (cls.hyperparameter_names)
            else ""
        )
        raise ValueError(
            f'"{name}" has no hyper-parameter {unknown[0]!r}{advice}; its hyper-parameters '
            "are " + ", ".join(cls.hyperparameter_names)
        )
    for key, value in given.items():
        if key == "betas" and isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(
                "betas must be a pair of numbers (beta1, beta2) for check.optimizer_step, "
                f"got an array of shape {value.shape}"
            )
        if key in _FLAGS or (key == "betas" and not isinstance(value, tuple | list | np.ndarray)):
            continue  # the optimizer itself refuses these, naming them
        pair = key == "betas" and isinstance(value, tuple | list | np.ndarray)
        values = value if pair else (value,)
        for v in values:
            if isinstance(v, np.ndarray) and v.ndim > 0:
                raise ValueError(
                    f"{key} must be a number for check.optimizer_step, got an array {v!r}"
                )
            if isinstance(v, bool | np.bool_) or not isinstance(
                v.item() if isinstance(v, np.ndarray) else v, numbers.Real
            ):
                raise ValueError(f"{key} must be a number, got {value!r}")
    return dict(cls(np.zeros(2), **given).hyperparameters)


def _plain(value: Any) -> Any:
    """A hyper-parameter as the reader's function gets it: numbers as Python floats.

    A ``Fraction``, a NumPy scalar or a 0-d array would otherwise leak into the
    reader's arithmetic (``theta - Fraction(1, 10) * grad`` is an array of
    Python objects); the reference computes with floats too.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, list):  # betas, in the container the reader gave
        return [_plain(v) for v in value]
    if isinstance(value, tuple | np.ndarray) and np.ndim(value) == 1:
        return tuple(_plain(v) for v in value)
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return float(value)
    return value


def _format_hyperparameters(given: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in given.items())


def _check_optimizer_step(
    fn: Callable[..., Any],
    key: str,
    cls: type[Optimizer],
    hyperparameters: dict[str, Any],
    full: dict[str, Any],
    session: Session,
) -> CheckResult:
    lr = float(full["lr"])
    passed_to_reader = {"lr": lr, **{key: _plain(value) for key, value in hyperparameters.items()}}
    title = f'check.optimizer_step({name_of(fn)}, "{key}"'
    title += f", {_format_hyperparameters(hyperparameters)})" if hyperparameters else ")"
    mutant_specs = optimizer_mutants(key, full, hyperparameters)
    keys = list(dict.fromkeys(mutant[0] for mutant in mutant_specs))
    cases: list[CaseResult] = []
    items: list[Item] = []
    runs: list[tuple[list[Step], list[Item]]] = []
    not_compared: dict[str, list[OptimizerCase]] = {}  # why ("overflow", "tiny") -> cases
    nones = signature = shapes = False
    for case in optimizer_cases():
        records, diverged = reference_run(cls, hyperparameters, lr, case)
        dtype = case.theta0.dtype
        scheduled = case.lr_decay_per_step is not None
        inputs: dict[str, Any] = {"surface": case.shown, "theta0": case.theta0}
        if scheduled:
            inputs["lr"] = f"{lr:g} × {case.lr_decay_per_step}^(t−1)"
        state: dict[str, Any] = {}
        case_items: list[Item] = []
        first_failure: tuple[Step, np.ndarray | None, str] | None = None
        for record in records:
            kwargs = copy.deepcopy(passed_to_reader)  # the reader may change what it gets
            if scheduled:
                kwargs["lr"] = record.lr
            call = call_reader(
                session, fn, (record.before.copy(), record.grad.copy(), state), kwargs
            )
            got, problem = as_array(call, record.before.shape, "an array of numbers")
            nones |= call.error is None and call.value is None
            signature |= call.refused
            shapes |= got is not None and bool(problem)
            rtol, atol = step_tolerances(record, dtype)
            if problem:
                if call.warnings:
                    problem += f"; {call.warning}"
                item = Item(record.after, None, False, bool(call.warnings), rtol, atol)
                case_items.append(item)
                if first_failure is None:
                    first_failure = (record, got, problem)
                break  # no usable result: the state cannot be trusted any more
            passed = bool(np.all(within_tolerance(got, record.after, rtol, atol)))
            message = ""
            if not np.isfinite(got).all():
                passed, message = False, non_finite(got)
            elif not passed:
                message = difference(got, record.after, rtol, atol)
            if call.warnings:
                message = (
                    f"{message}; {call.warning}" if message else f"your function {call.warning}"
                )
                passed = False
            case_items.append(
                Item(
                    record.after,
                    got,
                    passed,
                    bool(call.warnings),
                    rtol,
                    atol,
                    before=record.before,
                )
            )
            if not passed and first_failure is None:
                first_failure = (record, got, message)
        runs.append((records, case_items))
        items += case_items
        total = len(records)
        note = f" (optlib's run diverges after step {total}; steps 1–{total} compared)" * diverged
        inputs["steps"] = total
        if first_failure is None:
            last_got = case_items[-1].got if case_items else None
            last = records[-1].after if records else case.theta0
            if not compares(records, dtype):  # every step agreed, but none could differ
                why = "tiny" if records else "overflow"
                not_compared.setdefault(why, []).append(case)
                message = f"not compared: {_NOT_COMPARED[why]}"
                cases.append(CaseResult(case.name, inputs, last, last_got, False, message, False))
            else:
                cases.append(CaseResult(case.name, inputs, last, last_got, True, ""))
            continue
        record, got, message = first_failure
        matched = (
            f"steps 1–{record.t - 1} match; "
            if record.t > 2
            else ("step 1 matches; " if record.t == 2 else "")
        )
        text = f"step {record.t} of {total} differs: {matched}{message}{note}"
        cases.append(CaseResult(case.name, inputs, record.after, got, False, text))

    mistake, hint, note = escape_verdict(session)
    if mistake is None and not all(item.passed for item in items):
        for records, case_items in runs:  # the known-wrong variants, for the hint
            _optimizer_mutant_values(mutant_specs, full, records, case_items)
        names = ", ".join(["theta", "grad", "state", *passed_to_reader])
        call = f"it is called as fn({names}=...), with the hyper-parameters as keywords"
        fallbacks = [
            (signature, "signature", {"call": call}),
            (nones, "step_returned_none", {}),
            (shapes, "theta_shape", {}),
        ]
        fields: dict[tuple[str, int], dict[str, Any]] = {}
        seen: dict[str, int] = {}
        for mutant_key, _, hint_fields in mutant_specs:
            index = seen[mutant_key] = seen.get(mutant_key, -1) + 1  # the variant's index
            fields[(mutant_key, index)] = {
                k: v if k == "name" else repr(v) for k, v in hint_fields.items()
            }
        mistake, hint = diagnose(
            items, keys, "unstable_update", fallbacks, steps=True, fields=fields
        )
    for why, skipped in not_compared.items():
        note = join_notes(note, _not_compared_note(cls, hyperparameters, why, skipped, cases))
    return CheckResult(title, cases, hint, mistake, note)


def _not_compared_note(
    cls: type[Optimizer],
    given: dict[str, Any],
    why: str,
    skipped: list[OptimizerCase],
    cases: list[CaseResult],
) -> str:
    """Why some trajectories compared nothing, and which hyper-parameter to change."""
    where = "on every case" if len(skipped) == len(cases) else f"on {len(skipped)} of "
    if len(skipped) < len(cases):
        where += f"{len(cases)} cases"
    there = "" if len(skipped) == len(cases) else " there"
    culprit = _culprit(cls, given, skipped)
    if culprit is not None:
        name, advice = culprit
        effect = {
            "overflow": "optlib's own first step overflow (or give nan)",
            "tiny": "optlib's steps too small to tell apart from no step at all",
        }[why]
        return (
            f"{name}={given[name]!r} makes {effect} {where}; nothing could be compared"
            f"{there} — try {advice}."
        )
    effect = {
        "overflow": "optlib's own first step overflows (or gives nan)",
        "tiny": "optlib's steps are too small to tell apart from no step at all",
    }[why]
    with_what = f"With {_format_hyperparameters(given)}" if given else "With torch's defaults"
    return (
        f"{with_what} {effect} {where}; nothing could be compared{there} — "
        "try other hyper-parameters."
    )


def _culprit(
    cls: type[Optimizer], given: dict[str, Any], skipped: list[OptimizerCase]
) -> tuple[str, str] | None:
    """The hyper-parameter whose default makes every skipped case comparable, and advice."""
    defaults = {
        key: parameter.default
        for key, parameter in inspect.signature(cls).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    for name, value in given.items():
        if name not in defaults or _equal_values(value, defaults[name]):
            continue
        trial = {**given, name: defaults[name]}
        try:
            lr = float(cls(np.zeros(2), **trial).lr)
        except ValueError:  # e.g. nesterov without its momentum
            continue
        fixed = True
        for case in skipped:
            records, _ = reference_run(cls, trial, lr, case)
            fixed &= compares(records, case.theta0.dtype)
        if fixed:
            if isinstance(value, bool | tuple | list) or isinstance(defaults[name], tuple):
                return name, f"another {name}"
            return name, f"a {'smaller' if value > defaults[name] else 'larger'} {name}"
    return None


def _equal_values(a: Any, b: Any) -> bool:
    try:
        return equal(a, b)
    except (TypeError, ValueError):
        return False


def _optimizer_mutant_values(
    mutant_specs: list[tuple[str, StepFn, dict]],
    hp: dict[str, Any],
    records: list[Step],
    case_items: list[Item],
) -> None:
    """Run every known-wrong variant along the reference steps, teacher-forced like the reader."""
    for item in case_items:
        item.mutants = {}
    for key, step, _ in mutant_specs:
        state: dict[str, Any] = {}
        values: list[np.ndarray | None] = []
        for record in records[: len(case_items)]:
            hp_t = {**hp, "lr": record.lr}
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    value = np.asarray(
                        step(record.before.copy(), record.grad, state, hp_t, record),
                        dtype=np.float64,
                    )
                except Exception:  # a variant undefined here (a step count of 0, ...)
                    value = None
            values.append(value)
        for item, value in zip(case_items, values, strict=True):
            item.mutants.setdefault(key, []).append(value)
