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
    correct_hinge,
    correct_hinge_grad,
    correct_kl,
    correct_kl_grad,
    correct_loss,
    kl_terms,
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


# --- kl_div and hinge ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
def test_correct_kl_divergence_passes(reduction):
    assert check.loss(correct_kl(reduction), "kl_div", reduction=reduction), reduction
    assert check.loss_grad(correct_kl_grad(reduction), "kl_div", reduction=reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_correct_hinge_passes(reduction):
    assert check.loss(correct_hinge(reduction), "hinge", reduction=reduction)
    assert check.loss_grad(correct_hinge_grad(reduction), "hinge", reduction=reduction)


def test_batchmean_is_for_kl_div_only():
    with pytest.raises(ValueError, match="reduction"):
        check.loss(correct_hinge("mean"), "hinge", reduction="batchmean")


def test_kl_mean_instead_of_batchmean_is_the_mean_over_classes():
    """PyTorch's "mean" divides by n·C: the KL divergence divided by the number of classes."""
    result = check.loss(correct_kl("mean"), "kl_div", reduction="batchmean")
    assert_caught(result, "mean_over_classes")
    result = check.loss_grad(correct_kl_grad("mean"), "kl_div", reduction="batchmean")
    assert_caught(result, "grad_divided_by_nC")


def test_kl_without_the_zero_convention_is_unstable():
    """p log p at p = 0 gives nan in NumPy (0 times -inf): the case of zero targets fails."""

    def naive(log_q, p):
        return np.sum(p * (np.log(p) - log_q)) / len(p)

    result = check.loss(naive, "kl_div", reduction="batchmean")
    assert_caught(result, "unstable")
    failing = [case.name for case in result.cases if not case.passed]
    assert failing == ["target probabilities of exactly 0 (0·log 0 = 0)"]


def test_kl_cases_match_torch():
    """The reference on the check's own cases, against PyTorch's kl_div (a closed form too)."""
    torch = pytest.importorskip("torch")
    from optlib.check.loss_cases import loss_cases, loss_spec

    for case in loss_cases(loss_spec("kl_div", False, "batchmean", 1.0)):
        log_q, p = (torch.tensor(a, dtype=torch.float64) for a in (case.y_pred, case.y_true))
        expected = torch.nn.functional.kl_div(log_q, p, reduction="batchmean").item()
        assert np.isclose(np.sum(kl_terms(case.y_pred, case.y_true)) / len(p), expected)
