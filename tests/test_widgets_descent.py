"""Tests of optlib.widgets.descent: an optimizer's hyper-parameters on sliders."""

from __future__ import annotations

import io

import ipywidgets as ipw
import numpy as np
import pytest
from PIL import Image as PILImage

from optlib import plotting, widgets
from optlib.functions import Beale, DoubleWell, Quadratic, Rosenbrock
from optlib.optimizers import Adam

FRAME_BUDGET = 25_000  # bytes per static frame: keeps a chapter page under 3 MB


def _line_data(explorer):
    return [
        np.asarray(line.get_xydata(), dtype=float)
        for ax in explorer.figure.axes
        for line in ax.get_lines()
    ]


@pytest.mark.parametrize("mode", ["live", "static"])
def test_learning_rate_explorer_with_a_diverging_rate(mode):
    fn = Quadratic()  # L = 10: gradient descent diverges for lr > 0.2
    explorer = widgets.learning_rate_explorer(
        fn, [2.5, 1.0], [0.02, 0.1, 0.3], steps=60, default=0.1, mode=mode
    )
    assert explorer.controls["lr"].index == 1
    explorer.render(lr=0.3)
    path, losses = explorer.artists["path"], explorer.artists["losses"]
    assert path.status.get_text().startswith("diverged after ")
    assert losses.statuses[0].get_text() == path.status.get_text()
    assert "diverged after" in explorer.alt_text(lr=0.3)
    for data in _line_data(explorer):
        assert np.isfinite(data).all()
    explorer.render(lr=0.1)
    assert path.status.get_text() == "" and "J - J^*" in explorer.artists["title"].get_text()
    if mode == "static":
        assert len(explorer.frames) == 3 and len(set(explorer.frames)) == 3
        assert max(map(len, explorer.frames)) <= FRAME_BUDGET
    else:
        before = explorer.image.value
        explorer.set(lr=0.3)
        assert explorer.image.value != before


def test_learning_rate_explorer_on_a_1d_surface():
    explorer = widgets.learning_rate_explorer(
        DoubleWell(), [1.8], [0.01, 0.05, 0.5], steps=80, momentum=0.8, mode="static"
    )
    assert len(explorer.frames) == 3
    assert "momentum=0.8" in explorer.widget.children[-1].value  # the caption
    assert max(map(len, explorer.frames)) <= FRAME_BUDGET


def test_optimizer_explorer_two_controls_deterministic():
    def make():
        return widgets.optimizer_explorer(
            Beale(),
            [1.0, 1.5],
            {
                "lr": [0.01, 0.1, 1.0],
                "betas": {"beta1=0": (0.0, 0.999), "beta1=0.9": (0.9, 0.999)},
            },
            optimizer=Adam,
            steps=80,
            mode="static",
        )

    first, second = make(), make()
    assert len(first.frames) == 6
    assert first.frames == second.frames
    assert isinstance(first.controls["betas"], ipw.Dropdown)
    assert max(map(len, first.frames)) <= FRAME_BUDGET


def test_optimizer_explorer_refuses_bad_arguments():
    with pytest.raises(ValueError, match="x0 must have shape"):
        widgets.learning_rate_explorer(Rosenbrock(), [1.0], [0.1], mode="static")
    with pytest.raises(ValueError, match="both fixed and on a control"):
        widgets.learning_rate_explorer(Rosenbrock(), [1.0, 1.0], [0.1], lr=0.1, mode="static")


def test_static_frames_decode_to_book_size():
    explorer = widgets.learning_rate_explorer(
        Rosenbrock(), [-1.5, 2.0], [1e-3, 2e-3], steps=100, mode="static"
    )
    with PILImage.open(io.BytesIO(explorer.frames[0])) as image:
        assert image.size == (plotting.WIDTH * plotting.DPI, plotting.HEIGHT * plotting.DPI)
