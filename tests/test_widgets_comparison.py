"""Tests of optlib.widgets.comparison: every optimizer at one shared learning rate.

References: the drawn dots, bars and diamonds are the scores given, read back
from the figure's artists and compared with the means computed here.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlib import widgets

PNG = b"\x89PNG\r\n\x1a\n"
LRS = [0.001, 0.01, 0.1, 1.0]
# (n_lrs, n_seeds): Adam is best at 0.01 and diverges at 1.0; SGD is best at 0.1,
# with one of its seeds diverged at 1.0.
SCORES = {
    "Adam": [[0.9, 1.1, 1.0], [0.2, 0.3, 0.25], [0.5, 0.4, 0.6], [np.inf, np.inf, np.inf]],
    "SGD": [[2.0, 2.1, 1.9], [1.5, 1.4, 1.6], [0.7, 0.8, 0.6], [0.35, np.inf, 0.3]],
}


@pytest.fixture(scope="module")
def live():
    return widgets.shared_rate_explorer(SCORES, LRS, mode="live")


def test_exported():
    assert "shared_rate_explorer" in widgets.__all__


@pytest.mark.parametrize("index", range(len(LRS)))
def test_each_row_shows_its_seeds_at_the_chosen_rate(live, index):
    live.set(lr=LRS[index])
    for label, scores in SCORES.items():
        dots, crosses, bar = live.artists["rows"][label]
        values = np.asarray(scores[index])
        ok = np.isfinite(values)
        np.testing.assert_array_equal(np.sort(dots.get_xdata()), np.sort(values[ok]))
        assert len(crosses.get_xdata()) == (~ok).sum()
        if ok.all():
            assert list(bar.get_xdata()) == pytest.approx([values.mean()] * 2, rel=1e-12)
        else:
            assert len(bar.get_xdata()) == 0


def test_title_names_the_best_mean_and_changes_with_the_rate(live):
    live.set(lr=0.01)
    assert live.artists["title"].get_text() == "All at lr = 0.01: best mean Adam (0.25)"
    live.set(lr=1.0)  # Adam diverged on every seed; SGD on one: no row finite everywhere
    assert live.artists["title"].get_text() == "All at lr = 1: every row diverged"


def test_alt_text_says_who_diverged(live):
    text = live.alt_text(lr=1.0)
    assert text.endswith("diverged on some seeds: Adam (3 of 3), SGD (1 of 3).")
    text = live.alt_text(lr=0.1)
    assert "best mean Adam (0.5)" in text and "worst mean SGD (0.7)" in text


def test_diamonds_mark_each_optimizers_own_best_rate(live):
    diamonds = [line for line in live.figure.axes[0].lines if line.get_marker() == "D"]
    own = sorted(float(line.get_xdata()[0]) for line in diamonds)
    # Adam's best mean is at 0.01 (0.25); SGD's at 0.1 (0.7): 1.0 has a diverged seed.
    assert own == pytest.approx([0.25, 0.7], rel=1e-12)


def test_static_mode_has_a_frame_per_rate():
    explorer = widgets.shared_rate_explorer(SCORES, LRS, mode="static")
    assert len(explorer.frames) == len(LRS)
    assert all(frame.startswith(PNG) for frame in explorer.frames)
    assert len(set(explorer.frames)) == len(LRS)  # each rate draws something different


@pytest.mark.parametrize(
    ("scores", "lrs", "match"),
    [
        ({}, LRS, "scores"),
        ({"Adam": [[1.0]] * 3}, LRS, r"scores\['Adam'\] must have shape"),
        ({"Adam": [[np.nan]] * 4}, LRS, "NaN"),
        ({"Adam": [[np.inf]] * 4}, LRS, "every run diverged"),
        (SCORES, [0.1, -1.0, 1.0, 2.0], "lrs"),
        (SCORES, [0.1, 0.1, 1.0, 2.0], "repeat"),
        ({"Adam": [[0.0]] * 4}, LRS, "positive"),
    ],
)
def test_bad_arguments_are_refused(scores, lrs, match):
    with pytest.raises(ValueError, match=match):
        widgets.shared_rate_explorer(scores, lrs, log=True, mode="live")


def test_log_axis_spans_every_finite_score():
    explorer = widgets.shared_rate_explorer(SCORES, LRS, log=True, mode="live")
    ax = explorer.figure.axes[0]
    low, high = ax.get_xlim()
    assert ax.get_xscale() == "log" and low < 0.2 and high > 2.1
