"""Tests for check.explain (optlib/check/explanations.py)."""

from __future__ import annotations

from optlib import check
from optlib.check import MISTAKES


def test_explain_lists_checks_and_hints():
    overview = check.explain()
    for signature in (
        "check.loss(",
        "check.loss_grad(",
        "check.optimizer_step(",
        "check.gradient(",
    ):
        assert signature in overview
    assert repr(overview) == str(overview)  # shows as text, not as a quoted string
    adam = " ".join(check.explain("adam").split())
    assert MISTAKES["adam_no_bias_correction"].hint in adam
    assert MISTAKES["uphill"].hint in adam  # the mistakes every optimizer is checked for
    assert MISTAKES["momentum_sutskever"].hint not in adam
    assert "Beale from (1, 1.5): 25 steps" in adam
    bce = " ".join(check.explain("bce").split())
    assert "huge logits (±1e4)" in bce and MISTAKES["log_base"].hint in bce
    assert MISTAKES["sum_not_mean"].hint in bce
    assert MISTAKES["mse_missing_2"].hint not in bce
    assert max(len(line) for line in check.explain().splitlines()) <= 88
