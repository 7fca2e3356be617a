"""Tests of optlib.plotting.theme: the palette, the local style, new figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from matplotlib.colors import to_rgba

import optlib
from optlib import plotting
from optlib.functions import Rosenbrock


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
    source = Path(optlib.__file__).parent
    for path in source.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"matplotlib\.use\(|mpl\.use\(|MPLBACKEND", text), path.name


def test_style_is_local():
    before = matplotlib.rcParams["axes.spines.top"]
    with plotting.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.spines.top"] == before


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
