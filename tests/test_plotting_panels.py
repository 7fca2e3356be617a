"""Tests of optlib.plotting.panels: figures of several panels built from the others."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting
from optlib.functions import DoubleWell, Rosenbrock, Saddle
from optlib.optimizers import SGD
from optlib.training import minimize


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


def test_landscape_plot_three_views_of_the_saddle():
    saddle = Saddle()
    runs = {
        "off": minimize(saddle, [1.5, 1e-6], SGD, steps=150, lr=0.1),
        "on": minimize(saddle, [1.5, 0.0], SGD, steps=150, lr=0.1),
    }
    fig, panels = plotting.landscape_plot(saddle, runs, box=((-1.5, 1.5), (-1.5, 1.5)))
    ax3d, flat, _ = panels.axes
    assert ax3d.name == "3d" and flat.get_title() == "From above"
    assert len(panels.parts) == 3  # two overlays, one loss plot
    assert "Three views of the Saddle surface" in panels.alt()
    assert "off" in panels.alt() and "on" in panels.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_landscape_plot_survives_a_diverged_run():
    fn = Rosenbrock()
    run = minimize(fn, [-1.5, 2.0], SGD, steps=50, lr=0.01)
    assert run.diverged
    fig, panels = plotting.landscape_plot(fn, {"too fast": run})
    assert "diverged after" in panels.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_landscape_plot_refuses_bad_input():
    with pytest.raises(ValueError, match="2-D surface"):
        plotting.landscape_plot(DoubleWell(), {"a": minimize(DoubleWell(), [2.0], SGD, steps=2)})
    with pytest.raises(ValueError, match="at least one run"):
        plotting.landscape_plot(Saddle(), {})
