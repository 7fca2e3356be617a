"""Tests of optlib.plotting: every builder on every surface, updates, diverged runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba

from optlib import plotting
from optlib.functions import SURFACES, DoubleWell, Quadratic, Rosenbrock, Saddle
from optlib.optimizers import SGD
from optlib.plotting.finite import cut_at_box
from optlib.training import minimize

ALL_SURFACES = sorted(SURFACES)
SURFACES_2D = [name for name in ALL_SURFACES if SURFACES[name]().dim == 2]
SURFACES_1D = [name for name in ALL_SURFACES if SURFACES[name]().dim == 1]


def _all_line_data(fig) -> list[np.ndarray]:
    return [
        np.asarray(line.get_xydata(), dtype=float) for ax in fig.axes for line in ax.get_lines()
    ]


def _assert_finite(fig) -> None:
    for data in _all_line_data(fig):
        assert np.isfinite(data).all()


# --- palette and style --------------------------------------------------------------


def test_palette_is_okabe_ito_and_lines_skip_yellow():
    assert len(plotting.OKABE_ITO) == 8
    assert plotting.YELLOW not in plotting.COLORS
    assert set(plotting.COLORS) <= set(plotting.OKABE_ITO.values())
    for color in plotting.COLORS:
        to_rgba(color)  # a valid Matplotlib colour


def test_importing_and_plotting_leave_global_rcparams_alone():
    code = (
        "import matplotlib as mpl; mpl.use('Agg'); before = dict(mpl.rcParams)\n"
        "import optlib.plotting, optlib.widgets\n"
        "from optlib.functions import Rosenbrock\n"
        "optlib.plotting.contour_plot(Rosenbrock())\n"
        "changed = [k for k in before if mpl.rcParams[k] != before[k]]\n"
        "assert not changed, changed\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_optlib_never_chooses_a_backend():
    source = Path(plotting.__file__).parent
    for path in source.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"matplotlib\.use\(|mpl\.use\(|MPLBACKEND", text), path.name


def test_style_is_local():
    before = matplotlib.rcParams["axes.spines.top"]
    with plotting.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_figures_are_opaque_white_for_dark_mode():
    fig, _ = plotting.contour_plot(Rosenbrock())
    assert to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    assert to_rgba(fig.axes[0].get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def test_side_by_side():
    fig, axes = plotting.side_by_side(3, width_ratios=[1, 2, 1])
    assert len(axes) == 3 and all(ax.get_figure(root=True) is fig for ax in axes)
    _, single = plotting.side_by_side(1)
    assert isinstance(single, list) and len(single) == 1
    with pytest.raises(ValueError, match="n must be"):
        plotting.side_by_side(0)
    with pytest.raises(ValueError, match="width_ratios"):
        plotting.side_by_side(2, width_ratios=[1])


# --- surfaces -----------------------------------------------------------------------


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
    _assert_finite(fig)


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


# --- trajectories ---------------------------------------------------------------------


def test_trajectory_set_data_moves_only_the_overlay():
    fn = Rosenbrock()
    _, surface = plotting.contour_plot(fn)
    contours_before = list(surface.ax.collections)
    first = minimize(fn, [-1.5, 2.0], SGD, steps=20, lr=1e-3)
    _, path = plotting.trajectory_plot(surface, first)
    np.testing.assert_allclose(path.path.get_xydata(), first.xs)
    second = minimize(fn, [1.5, -0.5], SGD, steps=30, lr=5e-4)
    path.set_data(second)
    np.testing.assert_allclose(path.path.get_xydata(), second.xs)
    np.testing.assert_allclose(path.start.get_xydata(), second.xs[:1])
    np.testing.assert_allclose(path.end.get_xydata(), second.xs[-1:])
    assert list(surface.ax.collections) == contours_before
    assert path.status.get_text() == ""
    assert path.artists == [path.path, path.start, path.end, path.status]
    assert "31 points" in path.alt()


def test_trajectory_on_a_curve_follows_the_curve():
    fn = DoubleWell()
    _, surface = plotting.curve_plot(fn)
    traj = minimize(fn, [1.8], SGD, steps=25, lr=0.02)
    _, path = plotting.trajectory_plot(surface, traj)
    xy = path.path.get_xydata()
    np.testing.assert_allclose(xy[:, 0], traj.xs[:, 0])
    np.testing.assert_allclose(xy[:, 1], traj.losses)
    path.set_data(traj.xs)  # bare points: heights computed from the surface
    np.testing.assert_allclose(path.path.get_xydata()[:, 1], fn(traj.xs))


def test_diverged_run_says_so_and_passes_no_nan():
    fn = Rosenbrock()
    traj = minimize(fn, [-1.5, 2.0], SGD, steps=100, lr=0.01)
    assert traj.diverged
    fig, surface = plotting.contour_plot(fn)
    _, path = plotting.trajectory_plot(surface, traj, label="SGD")
    assert path.status.get_text() == f"SGD: diverged after {traj.steps} steps"
    assert path.end.get_marker() == "X"
    assert "diverged after" in path.alt()
    data = path.path.get_xydata()
    assert np.isfinite(data).all()
    # cut where it leaves a box far around the view: never astronomically large
    low, high = surface.view
    assert (np.abs(data) <= np.abs(np.concatenate([low, high])).max() * 50).all()
    fig.canvas.draw()


def test_non_finite_points_are_dropped():
    _, surface = plotting.contour_plot(Quadratic())
    xs = np.array([[1.0, 1.0], [0.5, 0.2], [np.inf, 0.0], [0.1, 0.1]])
    _, path = plotting.trajectory_plot(surface)
    path.set_data(xs, diverged=True, steps=2)
    np.testing.assert_allclose(path.path.get_xydata(), xs[:2])
    assert path.status.get_text() == "diverged after 2 steps"
    path.set_data(np.empty((0, 2)))
    assert len(path.path.get_xydata()) == 0
    assert path.alt().endswith("no points.")


def test_one_step_grammar():
    assert plotting.diverged_text(1) == "diverged after 1 step"
    assert plotting.diverged_text(0) == "diverged after 0 steps"


@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=30))
def test_cut_at_box_keeps_the_inside_exactly(points):
    points = np.array(points)
    low, high = np.array([-10.0, -5.0]), np.array([10.0, 5.0])
    cut = cut_at_box(points, low, high)
    assert ((cut >= low - 1e-9) & (cut <= high + 1e-9)).all()
    inside = ((points >= low) & (points <= high)).all(axis=1)
    n_inside = len(points) if inside.all() else int(np.argmin(inside))
    np.testing.assert_array_equal(cut[:n_inside], points[:n_inside])
    assert len(cut) == min(len(points), n_inside + 1)


# --- loss curves ------------------------------------------------------------------------


def test_loss_plot_runs_of_different_lengths():
    fn = Rosenbrock()
    slow = minimize(fn, [-1.5, 2.0], SGD, steps=150, lr=5e-4)
    fast = minimize(fn, [-1.5, 2.0], SGD, steps=60, lr=1e-3, momentum=0.9)
    fig, plot = plotting.loss_plot([slow, fast], labels=["slow", "fast"], min_value=0.0)
    assert plot.ax.get_yscale() == "log"
    assert len(plot.lines[0].get_xdata()) == 151
    assert len(plot.lines[1].get_xdata()) == 61
    assert plot.ax.get_xlim()[1] >= 150
    assert plot.ax.get_title() == "Loss" and plot.ax.get_xlabel() and plot.ax.get_ylabel()
    assert all(status.get_text() == "" for status in plot.statuses)
    assert "slow goes from" in plot.alt()
    fig.canvas.draw()
    _assert_finite(fig)


def test_loss_plot_diverged_run():
    fn = Rosenbrock()
    good = minimize(fn, [-1.5, 2.0], SGD, steps=100, lr=1e-3)
    bad = minimize(fn, [-1.5, 2.0], SGD, steps=100, lr=0.01)
    fig, plot = plotting.loss_plot([good, bad], labels=["good", "bad"], min_value=0.0)
    assert plot.statuses[1].get_text() == f"bad: diverged after {bad.steps} steps"
    assert plot.statuses[0].get_text() == ""
    assert len(plot.ends[1].get_xdata()) == 1  # a cross at the end of the diverged run
    assert f"bad diverged after {bad.steps} steps" in plot.alt()
    # the diverged run does not squash the good one: at most 4 decades over the start
    assert plot.ax.get_ylim()[1] <= 2 * 1e4 * good.losses[0]
    fig.canvas.draw()
    _assert_finite(fig)


def test_loss_plot_zero_and_fixed_limits():
    fig, plot = plotting.loss_plot(n_runs=1, min_value=0.0, steps=10, ylim=(1e-6, 1e3))
    plot.set_run(0, np.array([4.0, 1.0, 0.0, 0.0]))  # exact zeros: clipped, not masked
    ydata = np.asarray(plot.lines[0].get_ydata())
    assert np.isfinite(ydata).all() and (ydata > 0).all()
    assert plot.ax.get_ylim() == (1e-6, 1e3) and plot.ax.get_xlim() == (0, 10)
    # a blow-up is cut at the top edge, its cross on the edge
    plot.set_run(0, np.array([4.0, 50.0, 1e6, 1e12]), diverged=True, steps=3)
    assert max(plot.lines[0].get_ydata()) == pytest.approx(1e3)
    assert plot.ends[0].get_ydata()[0] == pytest.approx(1e3)
    assert plot.statuses[0].get_text() == "diverged after 3 steps"
    fig.canvas.draw()


def test_loss_plot_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least one run"):
        plotting.loss_plot()
    with pytest.raises(ValueError, match="labels"):
        plotting.loss_plot([[1.0]], labels=["a", "b"])
    with pytest.raises(ValueError, match="ylim"):
        plotting.loss_plot([[1.0]], ylim=(0.0, 1.0))


def test_style_keeps_interactive_mode_switched_on_inside_it():
    # IPython's inline backend switches interactive mode on when the first
    # figure loads the backend, which may happen inside style(); undoing it
    # on exit made every later figure vanish from the notebook.
    before = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with plotting.style():
            matplotlib.interactive(True)
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(before)
