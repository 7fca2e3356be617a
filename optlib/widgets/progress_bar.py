"""A progress bar for :func:`optlib.fit`, shown live and silent on the website."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as ipw

from optlib._validation import check_positive_int
from optlib.widgets.engine import widget_mode

__all__ = ["Progress", "progress"]


class Progress:
    """A :func:`optlib.fit` callback that shows training progress (built by :func:`progress`).

    Live, a bar and a line of text under the cell advance after every epoch;
    static (the website's build), nothing is shown and each call does nothing,
    so the page carries no widget and the build no output.

    Attributes
    ----------
    total : int
        Epochs expected in all.
    done : int
        Epochs reported so far.
    widget : ipywidgets.HBox or None
        The bar and its text (None in static mode).

    Examples
    --------
    >>> bar = progress(2, mode="static")
    >>> isinstance(bar, Progress), bar.total, bar.widget is None
    (True, 2, True)
    """

    def __init__(self, total: int, description: str, live: bool) -> None:
        self.total = check_positive_int("total", total)
        self.done = 0
        self.description = description
        self.widget: ipw.HBox | None = None
        self._bar: ipw.IntProgress | None = None
        self._text: ipw.HTML | None = None
        if live:
            self._bar = ipw.IntProgress(
                value=0,
                min=0,
                max=self.total,
                description=description,
                style={"description_width": "initial"},
            )
            self._text = ipw.HTML("")
            self.widget = ipw.HBox([self._bar, self._text])

    def run(self, label: str) -> Callable[[int, Any], None]:
        """A callback for one :func:`optlib.fit` run, reported as ``label``."""

        def callback(epoch: int, history: Any) -> None:
            self.done += 1
            if self._bar is None or self._text is None:
                return
            self._bar.value = min(self.done, self.total)
            losses = getattr(history, "epoch_losses", ())
            loss = f", loss {float(losses[-1]):.3g}" if len(losses) else ""
            finished = self.done >= self.total
            self._bar.bar_style = "success" if finished else ""
            what = "done" if finished else f"{self.done}/{self.total} epochs"
            self._text.value = html.escape(f"{what} · {label}: epoch {epoch + 1}{loss}")

        return callback

    def __call__(self, epoch: int, history: Any) -> None:
        """Use the object itself as a callback (no label)."""
        self.run(self.description)(epoch, history)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self.widget is not None:
            display(self.widget)


def progress(total: int, *, description: str = "Training", mode: str | None = None) -> Progress:
    """A progress bar for :func:`optlib.fit`: pass ``bar.run(label)`` as ``callback``.

    Display the returned object (leave it last in a cell, or ``display(bar)``)
    to see the bar in a live notebook; in static mode it shows nothing and
    costs nothing. ``fit`` calls the callback once per epoch with
    ``(epoch, history_so_far)``; the bar advances by one epoch per call, so
    ``total`` is the number of epochs over all the runs it follows.

    Parameters
    ----------
    total : int
        Epochs expected in all.
    description : str
        The bar's label.
    mode : {"live", "static"}, optional
        Default: ``$OPTLIB_WIDGET_MODE``, else live.

    Returns
    -------
    Progress

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, LinearRegression, fit, mse
    >>> X = np.linspace(0, 1, 8)[:, None]; y = 2 * X[:, 0]
    >>> bar = progress(6, mode="live")
    >>> for lr in (0.1, 0.5):
    ...     history = fit(LinearRegression(1), mse, X, y, SGD, epochs=3, lr=lr,
    ...                   callback=bar.run(f"lr={lr}"))
    >>> bar.done, bar.widget.children[0].value, bar.widget.children[0].bar_style
    (6, 6, 'success')
    >>> progress(6, mode="static").widget is None
    True
    """
    return Progress(total, description, widget_mode(mode) == "live")
