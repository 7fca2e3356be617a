"""Tests of optlib.plotting.words: what the figures say in words."""

from __future__ import annotations

from optlib import plotting


def test_one_step_grammar():
    assert plotting.diverged_text(1) == "diverged after 1 step"
    assert plotting.diverged_text(0) == "diverged after 0 steps"
