"""Tests of optlib.check.schedule: a reader's learning-rate schedule against optlib's.

The readers' functions are written here from the formulas, right and with each
classic mistake; one is torch's own schedulers, stepped to the step asked for.
The check must pass the right ones and name the mistake of the others.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import check
from optlib.check import MISTAKES

#: The mistakes of check.schedule that the tests below provoke (test_check_mistakes.py
#: checks that every mistake of the table is provoked by some test).
SCHEDULE_MISTAKES = {
    "schedule_one_step_ahead", "warmup_off_by_one", "cosine_over_total", "decays_to_zero",
    "cosine_amplitude", "cosine_no_half", "cosine_degrees", "step_decay_continuous",
    "step_decay_ceil", "step_size_ignored", "warmup_division_by_zero", "schedule_unstable",
    "schedule_shape",
}  # fmt: skip


def warmup_cosine(step, *, peak, warmup, total, min_lr):
    if step < warmup:
        return peak * step / warmup
    progress = (step - warmup) / (total - warmup)
    return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def step_decay(step, *, peak, step_size, gamma):
    return peak * gamma ** (step // step_size)


def _cosine_with(*, warm=None, progress=None, end=None, cosine=None):
    """warmup_cosine with one piece replaced by a mistake."""

    def lr_at(step, *, peak, warmup, total, min_lr):
        if step < warmup:
            return peak * (warm(step, warmup) if warm else step / warmup)
        p = progress(step, warmup, total) if progress else (step - warmup) / (total - warmup)
        low = min_lr if end is None else end(min_lr)
        shape = cosine(p) if cosine else (1 + math.cos(math.pi * p)) / 2
        return low + (peak - low) * shape

    return lr_at


def test_the_formula_passes():
    result = check.schedule(warmup_cosine, "warmup_cosine")
    assert result.passed and result.verdict == "✔ 4 of 4 cases pass"
    assert str(result).startswith(
        '✔ 4 of 4 cases pass: check.schedule(warmup_cosine, "warmup_cosine")'
    )
    assert check.schedule(step_decay, "step_decay").passed


def test_numpy_scalars_and_the_default_kind_pass():
    def with_numpy(step, *, peak, warmup, total, min_lr):
        return np.float32(
            warmup_cosine(step, peak=peak, warmup=warmup, total=total, min_lr=min_lr)
        )

    assert check.schedule(lambda step, **kw: np.float64(warmup_cosine(step, **kw))).passed
    # float32 rounding (1e-7 relative) is more than the check's tolerance of 1e-9
    assert not check.schedule(with_numpy).passed


@pytest.mark.torch
def test_torchs_own_schedulers_pass():
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler

    def by_torch(step, *, peak, warmup, total, min_lr):
        param = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([param], lr=peak)
        cosine = sched.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)
        if warmup:
            warm = sched.LambdaLR(opt, lambda t: t / warmup)
            scheduler = sched.SequentialLR(opt, [warm, cosine], milestones=[warmup])
        else:
            scheduler = cosine
        for _ in range(step):
            opt.step()
            scheduler.step()
        return opt.param_groups[0]["lr"]

    assert check.schedule(by_torch, "warmup_cosine", time_budget=60).passed


@pytest.mark.parametrize(
    ("fn", "mistake"),
    [
        (_cosine_with(warm=lambda t, w: (t + 1) / w), "warmup_off_by_one"),
        (_cosine_with(warm=lambda t, w: t / (w - 1)), "warmup_off_by_one"),
        (_cosine_with(progress=lambda t, w, T: (t - w) / T), "cosine_over_total"),
        (_cosine_with(progress=lambda t, w, T: t / T), "cosine_over_total"),
        (_cosine_with(end=lambda m: 0.0), "decays_to_zero"),
        (_cosine_with(cosine=lambda p: 1 + math.cos(math.pi * p)), "cosine_no_half"),
        (_cosine_with(cosine=lambda p: (1 + math.cos(180 * p)) / 2), "cosine_degrees"),
        (
            _cosine_with(cosine=lambda p: (1 + math.cos(math.radians(math.pi * p))) / 2),
            "cosine_degrees",
        ),
        (lambda step, **kw: warmup_cosine(step + 1, **kw), "schedule_one_step_ahead"),
    ],
)
def test_each_classic_mistake_gets_its_hint(fn, mistake):
    result = check.schedule(fn, "warmup_cosine")
    assert not result.passed
    assert result.mistake == mistake, str(result)
    assert result.hint == MISTAKES[mistake].hint


def test_the_amplitude_mistake():
    def amplitude(step, *, peak, warmup, total, min_lr):
        if step < warmup:
            return peak * step / warmup
        progress = (step - warmup) / (total - warmup)
        return min_lr + peak * (1 + math.cos(math.pi * progress)) / 2

    assert check.schedule(amplitude).mistake == "cosine_amplitude"


@pytest.mark.parametrize(
    ("fn", "mistake"),
    [
        (lambda step, *, peak, step_size, gamma: peak * gamma ** (step / step_size),
         "step_decay_continuous"),
        (lambda step, *, peak, step_size, gamma: peak * gamma ** math.ceil(step / step_size),
         "step_decay_ceil"),
        (lambda step, *, peak, step_size, gamma: peak * gamma**step, "step_size_ignored"),
        (lambda step, **kw: step_decay(step + 1, **kw), "schedule_one_step_ahead"),
    ],
)  # fmt: skip
def test_step_decay_mistakes(fn, mistake):
    result = check.schedule(fn, "step_decay")
    assert result.mistake == mistake, str(result)


def test_the_verdict_names_the_first_step_that_differs():
    result = check.schedule(_cosine_with(warm=lambda t, w: (t + 1) / w))
    first = result.failures[0]
    assert first.name == "a short run"
    # step 0: expected 0 (peak·0/5), the mistake gives peak·1/5 = 0.02
    assert first.message == "step 0 of steps 0–20 differs: expected 0, got 0.02"
    assert first.input == {"peak": 0.1, "warmup": 5, "total": 20, "min_lr": 0.001, "step": 0}
    late = check.schedule(_cosine_with(end=lambda m: 0.0)).failures[0]
    # the warm-up (steps 0–4) and the peak at step 5 agree; step 6 is the first that differs
    assert late.message.startswith("step 6 of steps 0–20 differs: steps 0–5 match; expected ")


def test_a_division_by_a_warm_up_of_zero():
    def unguarded(step, *, peak, warmup, total, min_lr):
        ramp = step / warmup  # ZeroDivisionError when warmup = 0
        if step < warmup:
            return peak * ramp
        return warmup_cosine(step, peak=peak, warmup=warmup, total=total, min_lr=min_lr)

    result = check.schedule(unguarded)
    assert result.verdict == "✘ 1 of 4 cases fail"
    assert result.failures[0].name == "no warm-up"
    assert "ZeroDivisionError" in result.failures[0].message
    assert result.mistake == "warmup_division_by_zero"


@pytest.mark.parametrize(
    ("fn", "mistake"),
    [
        (lambda step, *, peak: peak, "signature"),
        (lambda step, **kw: None, "returned_none"),
        (lambda step, **kw: np.full(3, 0.1), "schedule_shape"),
        (lambda step, **kw: 0.0, "all_zero"),
        (lambda step, **kw: 2 * warmup_cosine(step, **kw), "constant_factor"),
        (lambda step, **kw: np.log(np.zeros(1))[0] * 0 + warmup_cosine(step, **kw),
         "schedule_unstable"),
    ],
)  # fmt: skip
def test_what_the_function_returns(fn, mistake):
    result = check.schedule(fn)
    assert not result.passed and result.mistake == mistake, str(result)


def test_a_function_that_never_returns_is_stopped():
    def spin(step, **kw):
        while True:
            pass

    result = check.schedule(spin, time_budget=0.5)
    assert result.mistake == "timeout" and "did not return within 0.5 s" in result.note


def test_explain_lists_the_cases_and_hints():
    text = check.explain("warmup_cosine")
    assert "warmup_cosine: no warm-up, steps 0–30" in text
    assert MISTAKES["cosine_over_total"].title in text
    assert MISTAKES["step_size_ignored"].title not in text
    overview = check.explain()
    assert 'check.schedule(fn, kind="warmup_cosine")' in overview
    assert MISTAKES["step_size_ignored"].title in check.explain("schedule")


def test_bad_calls_raise():
    with pytest.raises(ValueError, match="unknown schedule kind 'cosine'"):
        check.schedule(warmup_cosine, "cosine")
    with pytest.raises(ValueError, match="time_budget must be a positive"):
        check.schedule(warmup_cosine, time_budget=-1)
    with pytest.raises(ValueError, match="takes your function itself"):
        check.schedule(0.1)
