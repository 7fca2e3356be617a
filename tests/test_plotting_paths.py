"""Tests of optlib.plotting.paths: a run's path over a surface, moved from run to run."""

from __future__ import annotations

import numpy as np

from optlib import plotting
from optlib.functions import DoubleWell, Quadratic, Rosenbrock
from optlib.optimizers import SGD
from optlib.training import minimize


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
