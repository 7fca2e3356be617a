"""Tests of optlib.plotting.maps: the rate map and the maps of the final loss."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from optlib import plotting
from optlib.functions import Quadratic, Rosenbrock
from optlib.optimizers import SGD, Adam
from optlib.training import sweep


def _finite_lines(fig) -> bool:
    return all(
        np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()
        for ax in fig.axes
        for line in ax.get_lines()
    )


# --- rate_map_plot --------------------------------------------------------------------


def _grid():
    lrs = np.array([0.01, 0.05, 0.1, 0.25])
    momenta = np.array([0.0, 0.5, 0.9])
    factors = np.array(
        [[0.99, 0.98, 0.95], [0.95, 0.9, 0.95], [1.2, 0.8, 0.95], [np.inf, np.nan, 1.0]]
    )
    return lrs, momenta, factors


def test_rate_map_plot_greys_out_the_diverged_cells():
    lrs, momenta, factors = _grid()
    fig, plot = plotting.rate_map_plot(
        lrs,
        momenta,
        factors,
        lines={"limit": (np.array([0.1, 0.2, np.nan]), np.array([0.0, 0.9, 0.5]))},
        points={"best": (0.1, 0.5), "plain": (0.05, 0.0)},
    )
    shown = np.ma.getmaskarray(plot.mesh.get_array()).reshape(len(momenta), len(lrs)).T
    grey = ~np.ma.getmaskarray(plot.diverged.get_array()).reshape(len(momenta), len(lrs)).T
    unstable = ~(np.isfinite(factors) & (factors < 1))
    assert np.array_equal(shown, unstable) and np.array_equal(grey, unstable)
    assert "4 of 12 cells diverged" in plot.alt()
    assert "best at (0.1, 0.5)" in plot.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_rate_map_plot_marker_moves():
    lrs, momenta, factors = _grid()
    _, plot = plotting.rate_map_plot(lrs, momenta, factors, colorbar=False)
    assert plot.artists == [plot.marker]
    assert len(plot.marker.get_xdata()) == 0
    plot.set_point(0.05, 0.5)
    assert plot.marker.get_xydata().tolist() == [[0.05, 0.5]]
    assert "A ring marks lr = 0.05, momentum = 0.5." in plot.alt()
    plot.set_point(None, None)
    assert len(plot.marker.get_xdata()) == 0


def test_rate_map_plot_refuses_mismatched_shapes():
    lrs, momenta, factors = _grid()
    with pytest.raises(ValueError, match=r"factors must have shape \(len\(lrs\)"):
        plotting.rate_map_plot(lrs, momenta, factors.T)
    with pytest.raises(ValueError, match="increasing"):
        plotting.rate_map_plot(lrs[::-1], momenta, factors)
    with pytest.raises(ValueError, match="at least two"):
        plotting.rate_map_plot(lrs[:1], momenta, factors[:1])


# --- loss_map_plot --------------------------------------------------------------------


def _sgd_map(steps=60):
    lrs = np.geomspace(1e-4, 1e-2, 6)
    momenta = np.linspace(0.0, 0.95, 5)
    result = sweep(
        Rosenbrock(),
        [-1.5, 2.0],
        SGD,
        steps=steps,
        lr=lrs[:, None, None],
        momentum=momenta[None, :, None],
    )
    return lrs, momenta, result


def test_loss_map_colours_cells_by_final_gap_and_greys_diverged_ones():
    lrs, momenta, result = _sgd_map()
    assert result.diverged.any() and not result.diverged.all()
    fig, maps = plotting.loss_map_plot(
        Rosenbrock(), {"SGD": (lrs, r"momentum $\rho$", momenta, result)}
    )
    ax = maps.axes[0]
    mesh, grey = ax.collections[:2]
    colours = np.ma.getmaskarray(mesh.get_array()).reshape(len(momenta), len(lrs))
    greys = np.ma.getmaskarray(grey.get_array()).reshape(len(momenta), len(lrs))
    # A diverged cell is masked in the colour mesh and shown in the grey one, and back.
    assert np.array_equal(colours.T, result.diverged)
    assert np.array_equal(~greys.T, result.diverged)
    # The colours are the final gaps, on a log scale shared by the colour bar.
    gaps = result.final_losses - Rosenbrock().min_value
    shown = np.asarray(mesh.get_array()).reshape(len(momenta), len(lrs)).T
    kept = ~result.diverged
    np.testing.assert_allclose(shown[kept], np.maximum(gaps[kept], mesh.norm.vmin))
    assert isinstance(mesh.norm, matplotlib.colors.LogNorm)
    # The star sits on the best cell.
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    i, j = np.unravel_index(np.argmin(np.where(result.diverged, np.inf, gaps)), gaps.shape)
    assert star.get_xydata().tolist() == [[lrs[i], momenta[j]]]
    crosses = next(line for line in ax.get_lines() if line.get_marker() == "x")
    assert len(crosses.get_xdata()) == int(result.diverged.sum())
    assert _finite_lines(fig)
    assert f"{int(result.diverged.sum())} of {result.diverged.size} cells diverged" in maps.alt()


def test_loss_map_panels_share_one_colour_scale_and_log_axis_for_wide_values():
    fn = Quadratic()
    lrs = np.geomspace(0.01, 1.0, 5)
    betas = np.linspace(0.0, 0.9, 4)
    one_minus = np.array([1e-3, 1e-2, 1e-1])
    first = sweep(
        fn, [2.5, 1.0], Adam, steps=40, lr=lrs[:, None, None], betas=(betas[None, :, None], 0.999)
    )
    second = sweep(
        fn,
        [2.5, 1.0],
        Adam,
        steps=40,
        lr=lrs[:, None, None],
        betas=(0.9, 1 - one_minus[None, :, None]),
    )
    fig, maps = plotting.loss_map_plot(
        fn,
        {
            "beta1": (lrs, r"$\beta_1$", betas, first),
            "beta2": (lrs, r"$1 - \beta_2$", one_minus, second),
        },
        marks={"beta1": {"default": (0.01, 0.9)}},
    )
    left, right = maps.axes
    assert left.collections[0].norm is right.collections[0].norm
    assert left.get_xscale() == right.get_xscale() == "log"
    assert left.get_yscale() == "linear" and right.get_yscale() == "log"
    diamonds = [line for line in left.get_lines() if line.get_marker() == "D"]
    assert diamonds and diamonds[0].get_xydata().tolist() == [[0.01, 0.9]]
    assert "a diamond marks default" in maps.alt()
    assert len(fig.legends) == 1


def test_loss_map_with_every_cell_diverged_still_draws():
    lrs = np.array([1.0, 2.0, 4.0])
    momenta = np.array([0.0, 0.5])
    result = sweep(
        Rosenbrock(),
        [-1.5, 2.0],
        SGD,
        steps=20,
        lr=lrs[:, None, None],
        momentum=momenta[None, :, None],
    )
    assert result.diverged.all()
    fig, maps = plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs, "momentum", momenta, result)})
    assert "all 6 cells diverged" in maps.alt()
    assert _finite_lines(fig)
    fig.canvas.draw()


def test_loss_map_rejects_a_sweep_of_the_wrong_shape():
    lrs, momenta, result = _sgd_map(steps=5)
    with pytest.raises(ValueError, match="batch shape"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs[:-1], "momentum", momenta, result)})
    with pytest.raises(ValueError, match="SweepResult"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs, "momentum", momenta, object())})
    with pytest.raises(ValueError, match="increasing"):
        plotting.loss_map_plot(Rosenbrock(), {"SGD": (lrs[::-1], "momentum", momenta, result)})
    with pytest.raises(ValueError, match="a dict"):
        plotting.loss_map_plot(Rosenbrock(), {})
