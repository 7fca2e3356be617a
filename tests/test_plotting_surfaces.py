"""Tests of optlib.plotting.surfaces: every surface drawn, its minima where they are."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import plotting
from optlib.functions import SURFACES, DoubleWell, Quadratic, Rosenbrock, Saddle

ALL_SURFACES = sorted(SURFACES)


SURFACES_2D = [name for name in ALL_SURFACES if SURFACES[name]().dim == 2]


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


@pytest.mark.parametrize("name", ALL_SURFACES)
def test_surface_plot_builds_for_every_surface(name):
    fn = SURFACES[name]()
    fig, surface = plotting.surface_plot(fn)
    ax = surface.ax
    assert ax.get_title() == name
    assert ax.get_xlabel() and ax.get_ylabel()
    assert name in surface.alt()
    assert surface.artists == []  # nothing on a bare surface moves
    # the global minima are marked where they are
    marked = np.asarray(surface.minima.get_xydata())
    if fn.dim == 2:
        np.testing.assert_allclose(marked, fn.minima)
    else:
        np.testing.assert_allclose(marked[:, 0], fn.minima[:, 0])
        np.testing.assert_allclose(marked[:, 1], fn(fn.minima))
    fig.canvas.draw()
    assert _finite_lines(fig)


@pytest.mark.parametrize("name", SURFACES_2D)
def test_contour_levels_are_log_spaced(name):
    _, surface = plotting.contour_plot(SURFACES[name](), levels=12)
    levels = surface.levels
    assert len(levels) == 12 and (levels > 0).all()
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert ratios[0] > 1


def test_wrong_dimension_is_refused():
    with pytest.raises(ValueError, match="2-D surface"):
        plotting.contour_plot(DoubleWell())
    with pytest.raises(ValueError, match="1-D surface"):
        plotting.curve_plot(Rosenbrock())
    with pytest.raises(ValueError, match="only 1-D and 2-D"):
        plotting.surface_plot(Quadratic(A=np.eye(3)))
    with pytest.raises(ValueError, match="surface"):
        plotting.surface_plot(np.sin)


def test_curve_plot_marks_local_minimum():
    fn = DoubleWell()
    _, surface = plotting.curve_plot(fn)
    np.testing.assert_allclose(surface.local_minima.get_xdata(), fn.local_minima[:, 0])
    assert "local minimum" in surface.alt()


def test_saddle_point_is_marked():
    _, surface = plotting.contour_plot(Saddle())
    assert "saddle point at (0, 0)" in surface.alt()
