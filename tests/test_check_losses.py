"""Tests for check.loss and check.loss_grad (optlib/check/losses.py).

They cover the cases of loss_cases.py and the variants of loss_mutants.py too.

pytest turns warnings into errors, so a warning escaping a check fails its test.
"""

from __future__ import annotations

import numpy as np
import pytest
from check_readers import (
    LOSS_GRAD_EXTRA,
    LOSS_MISTAKES,
    assert_caught,
    correct_grad,
    correct_loss,
    sum_over_classes_then_mean,
)

from optlib import check
from optlib.check import MISTAKES

LOSS_SETTINGS = [
    (name, from_logits, reduction)
    for name in ("mse", "mae", "huber", "bce", "cce", "sparse_cce")
    for from_logits in ((False, True) if name in ("bce", "cce", "sparse_cce") else (False,))
    for reduction in ("mean", "sum", "none")
]


@pytest.mark.parametrize(("name", "from_logits", "reduction"), LOSS_SETTINGS)
def test_correct_loss_passes(name, from_logits, reduction):
    fn = correct_loss(name, from_logits, reduction)
    result = check.loss(fn, name, from_logits=from_logits, reduction=reduction)
    assert result.passed, str(result)
    assert result.hint is None and result.mistake is None
    assert len(result.cases) >= 5
    assert str(result).startswith(f"✔ {len(result.cases)} of {len(result.cases)} cases pass")


@pytest.mark.parametrize(("name", "from_logits", "reduction"), LOSS_SETTINGS)
def test_correct_loss_gradient_passes(name, from_logits, reduction):
    fn = correct_grad(name, from_logits, reduction)
    result = check.loss_grad(fn, name, from_logits=from_logits, reduction=reduction)
    assert result.passed, str(result)
    assert result.hint is None


@pytest.mark.parametrize("delta", [0.5, 2.0])
def test_correct_huber_with_another_delta_passes(delta):
    assert check.loss(correct_loss("huber", False, "mean", delta), "huber", delta=delta)
    assert check.loss_grad(
        correct_grad("huber", False, "sum", delta), "huber", delta=delta, reduction="sum"
    )


def test_other_sensible_clipping_passes():
    """PyTorch's floor is not the only right answer at probabilities of 0 and 1."""

    def bce_tiny_eps(p, y):  # log(p + ε) instead of a clip
        return np.mean(-(y * np.log(p + 1e-15) + (1 - y) * np.log(1 - p + 1e-15)))

    def bce_torch_floor(p, y):
        with np.errstate(divide="ignore"):
            log_p, log_1mp = np.maximum(np.log(p), -100), np.maximum(np.log(1 - p), -100)
        return np.mean(-(y * log_p + (1 - y) * log_1mp))

    assert check.loss(bce_tiny_eps, "bce")
    assert check.loss(bce_torch_floor, "bce")


def test_loss_cases_cover_shapes_dtypes_and_edges():
    names = [case.name for case in check.loss(correct_loss("bce", False, "mean"), "bce").cases]
    assert any("float32" in name for name in names)
    assert any("exactly 0 and 1" in name for name in names)
    logit_names = [
        case.name
        for case in check.loss(correct_loss("bce", True, "mean"), "bce", from_logits=True).cases
    ]
    assert any("±1e4" in name for name in logit_names)
    inputs = [
        case.input["y_pred"]
        for case in check.loss(correct_loss("cce", False, "mean"), "cce").cases
    ]
    assert {x.dtype for x in inputs} == {np.dtype(np.float64), np.dtype(np.float32)}
    assert len({x.shape for x in inputs}) >= 3


@pytest.mark.parametrize("key", LOSS_MISTAKES)
def test_loss_mistake_is_caught(key):
    which, name, options, fn = LOSS_MISTAKES[key]
    assert_caught(getattr(check, which)(fn, name, **options), key)


@pytest.mark.parametrize(("key", "name", "options", "fn"), LOSS_GRAD_EXTRA)
def test_loss_gradient_mistake_is_caught(key, name, options, fn):
    if key == "forgot_activation":  # a value mistake, on CCE this time
        result = check.loss(
            lambda z, y: sum_over_classes_then_mean(-y * np.log(z)), name, **options
        )
    else:
        result = check.loss_grad(fn, name, **options)
    assert_caught(result, key)


def test_mean_over_all_entries_with_sum_reduction_is_mean_not_sum():
    def fn(p, y):  # clipped sensibly, but averaged over all n·C entries
        return np.mean(-y * np.log(np.clip(p, 1e-7, 1)))

    assert_caught(check.loss(fn, "cce", reduction="sum"), "mean_not_sum")


def test_unstable_hint_is_added_to_a_matched_mistake():
    """Summing instead of averaging, and a sigmoid that overflows: both are said."""

    def fn(z, y):
        p = 1 / (1 + np.exp(-z))
        return np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    result = check.loss(fn, "bce", from_logits=True)
    assert result.mistake == "sum_not_mean"
    assert MISTAKES["unstable_bce_logits"].hint in result.hint
