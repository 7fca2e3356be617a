"""Tests of optlib.widgets.adaptive: one step of an adaptive optimizer, taken apart."""

from __future__ import annotations

import pytest

from optlib import SGD, Adagrad, Quadratic, RMSprop, Rosenbrock, widgets


def test_adaptive_step_explorer_static_frames():
    explorer = widgets.adaptive_step_explorer(
        Quadratic(),
        [2.5, 1.0],
        {"Adagrad": (Adagrad, {"lr": 0.5}), "RMSprop": (RMSprop, {"lr": 0.05})},
        steps=40,
        shown_steps=[1, 5, 40],
        mode="static",
    )
    assert list(explorer.controls) == ["optimizer", "step"]
    assert len(explorer.frames) == 6 and len(set(explorer.frames)) == 6
    first = explorer.alt_text(step=1, optimizer="Adagrad")
    # Adagrad's first step is lr * sign(g): (-0.5, -0.5) whatever the gradient.
    assert "the step taken is (-0.5, -0.5)" in first
    assert "RMSprop" in explorer.alt_text(step=40, optimizer="RMSprop")


def test_adaptive_step_explorer_live_moves_the_picture():
    explorer = widgets.adaptive_step_explorer(
        Rosenbrock(), [-1.5, 2.0], {"Adagrad": (Adagrad, {"lr": 0.5})}, steps=30, mode="live"
    )
    before = explorer.image.value
    explorer.set(step=30)
    assert explorer.image.value != before
    assert "step 30" in explorer.description.value


def test_adaptive_step_explorer_run_that_diverges():
    explorer = widgets.adaptive_step_explorer(
        Quadratic(),
        [2.5, 1.0],
        {"SGD": (SGD, {"lr": 0.5})},
        steps=400,
        shown_steps=[1, 400],
        mode="static",
    )
    assert "diverged after" in explorer.alt_text(step=400)


def test_adaptive_step_explorer_refuses_bad_arguments():
    with pytest.raises(ValueError, match="non-empty"):
        widgets.adaptive_step_explorer(Quadratic(), [1.0, 1.0], {})
    with pytest.raises(ValueError, match="shown_steps"):
        widgets.adaptive_step_explorer(
            Quadratic(), [1.0, 1.0], {"A": (Adagrad, {})}, steps=5, shown_steps=[10]
        )
