"""The table of mistakes (optlib/check/mistakes.py): every mistake is caught by some test."""

from __future__ import annotations

from check_readers import (
    LOSS_GRAD_EXTRA,
    LOSS_MISTAKES,
    OPTIMIZER_MISTAKES,
    OPTIMIZER_MISTAKES_MORE,
    SURFACE_MISTAKES,
)
from test_check_schedules import SCHEDULE_MISTAKES

from optlib.check import MISTAKES


def test_every_mistake_is_exercised_by_a_test():
    tested = (
        set(LOSS_MISTAKES)
        | {key for key, *_ in LOSS_GRAD_EXTRA}
        | set(SURFACE_MISTAKES)
        | set(OPTIMIZER_MISTAKES)
        | {key for key, *_ in OPTIMIZER_MISTAKES_MORE}
        | SCHEDULE_MISTAKES  # test_check_schedules.py
        | {"timeout", "base_exception"}  # the time budget and the escapes: test_check_sandbox.py
    )
    assert set(MISTAKES) == tested
