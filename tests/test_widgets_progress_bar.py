"""Tests of optlib.widgets.progress_bar: training progress, live and silent."""

from __future__ import annotations

import numpy as np
import pytest

from optlib import widgets
from optlib.losses import mse
from optlib.models import LinearRegression
from optlib.optimizers import SGD, RMSprop
from optlib.training import fit


def _data():
    X = np.linspace(0, 1, 12)[:, None]
    return X, 3 * X[:, 0] - 1


def test_progress_counts_epochs_over_several_runs():
    X, y = _data()
    bar = widgets.progress(8, description="Fitting", mode="live")
    fit(LinearRegression(1), mse, X, y, SGD, epochs=5, lr=0.1, callback=bar.run("SGD"))
    progress_bar, text = bar.widget.children
    assert (bar.done, progress_bar.value, progress_bar.max) == (5, 5, 8)
    assert progress_bar.description == "Fitting" and progress_bar.bar_style == ""
    assert "5/8 epochs" in text.value and "SGD: epoch 5" in text.value
    fit(LinearRegression(1), mse, X, y, RMSprop, epochs=3, lr=0.1, callback=bar)
    assert (bar.done, progress_bar.value, progress_bar.bar_style) == (8, 8, "success")
    assert text.value.startswith("done")


def test_progress_does_not_change_the_training():
    X, y = _data()
    bar = widgets.progress(4, mode="live")
    with_bar = fit(LinearRegression(1), mse, X, y, SGD, epochs=4, lr=0.1, callback=bar.run("a"))
    without = fit(LinearRegression(1), mse, X, y, SGD, epochs=4, lr=0.1)
    np.testing.assert_array_equal(with_bar.losses, without.losses)


def test_static_progress_shows_nothing_and_says_nothing(capsys, monkeypatch):
    X, y = _data()
    monkeypatch.setenv(widgets.MODE_ENV, "static")
    bar = widgets.progress(3)
    assert bar.widget is None
    fit(LinearRegression(1), mse, X, y, SGD, epochs=3, lr=0.1, callback=bar.run("SGD"))
    bar._ipython_display_()  # what display(bar) calls in a notebook
    assert bar.done == 3
    assert capsys.readouterr() == ("", "")


def test_progress_checks_total():
    with pytest.raises(ValueError, match="total"):
        widgets.progress(0, mode="live")
