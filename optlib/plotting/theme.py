r"""The book's theme: its palette, sizes and rcParams, and new figures drawn in them.

Palette
    The Okabe–Ito colours (:data:`OKABE_ITO`), which stay distinguishable for
    the common forms of colour blindness. :data:`COLORS` is the order in which
    lines take them; yellow is left out of it because it is too pale on white.
    Surfaces are filled with ``cividis`` (:data:`SURFACE_CMAP`), a sequential
    map designed for colour-blind readers, lightened so that every line colour
    stands out on it.
Dark mode
    Figures are opaque: white figure and axes backgrounds, black text. On the
    theme's dark mode a figure is a white card, rather than black text lost on
    a dark page (which is what a transparent PNG gives).
Style
    :func:`style` applies the book's rcParams (:data:`RC`) inside a ``with``
    block only; importing optlib changes nothing global. Every builder draws
    inside it, on a figure from :func:`new_figure`, :func:`side_by_side` or
    :func:`axes_or_new`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "BLACK",
    "BLUE",
    "COLORS",
    "DPI",
    "GREEN",
    "HEIGHT",
    "OKABE_ITO",
    "ORANGE",
    "PURPLE",
    "RC",
    "SKY_BLUE",
    "SURFACE_CMAP",
    "VERMILLION",
    "WIDTH",
    "YELLOW",
    "axes_or_new",
    "new_figure",
    "side_by_side",
    "style",
]

#: The Okabe–Ito palette (Okabe and Ito 2008), colour-blind safe.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: Okabe–Ito black, by name.
BLACK = OKABE_ITO["black"]
#: Okabe–Ito orange, by name.
ORANGE = OKABE_ITO["orange"]
#: Okabe–Ito sky blue, by name.
SKY_BLUE = OKABE_ITO["sky_blue"]
#: Okabe–Ito green, by name.
GREEN = OKABE_ITO["green"]
#: Okabe–Ito yellow, by name.
YELLOW = OKABE_ITO["yellow"]
#: Okabe–Ito blue, by name.
BLUE = OKABE_ITO["blue"]
#: Okabe–Ito vermillion, by name.
VERMILLION = OKABE_ITO["vermillion"]
#: Okabe–Ito purple, by name.
PURPLE = OKABE_ITO["purple"]

#: The order in which lines take colours (yellow is too pale on white).
COLORS: tuple[str, ...] = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK)
#: Colour map of surface fills, sequential and colour-blind safe.
SURFACE_CMAP = "cividis"

#: Width of a full-width book figure, in inches.
WIDTH = 8.0
#: Height of a one-row book figure, in inches.
HEIGHT = 3.2
#: Resolution of the book's figures, in dots per inch.
DPI = 100

#: The rcParams every figure is drawn with (applied locally by :func:`style`).
RC: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.prop_cycle": cycler(color=list(COLORS)),
    "image.cmap": SURFACE_CMAP,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "text.color": BLACK,
    "axes.labelcolor": BLACK,
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "svg.hashsalt": "optlib",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply the book's rcParams (:data:`RC`) inside a ``with`` block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with style():
    ...     mpl.rcParams["axes.spines.top"]
    False
    """
    # The first figure of a session loads the backend, and IPython's inline
    # backend then switches interactive mode on. rc_context would undo that on
    # exit (it spares only "backend"), and every later figure would silently
    # stop showing in the notebook; so interactive mode survives the block.
    interactive = mpl.is_interactive()
    try:
        with mpl.rc_context(RC):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        mpl.interactive(interactive)


def new_figure(width: float = WIDTH, height: float = HEIGHT) -> Figure:
    """An empty figure in the book's style, for a builder to lay out its own panels.

    A pyplot figure, so that Jupyter's inline backend shows it, with
    constrained layout.

    Parameters
    ----------
    width, height : float
        Size in inches (the book's column is :data:`WIDTH` wide).

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = new_figure(WIDTH, 3.6)
    >>> fig.get_size_inches().tolist(), fig.axes
    ([8.0, 3.6], [])
    """
    import matplotlib.pyplot as plt

    with style():
        return plt.figure(figsize=(width, height), dpi=DPI, layout="constrained")


def side_by_side(
    n: int = 2,
    *,
    width: float = WIDTH,
    height: float = HEIGHT,
    width_ratios: Sequence[float] | None = None,
) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` axes side by side, at book width.

    Parameters
    ----------
    n : int
        Number of panels.
    width, height : float
        Figure size in inches (the book's column is :data:`WIDTH` wide).
    width_ratios : sequence of float, optional
        Relative widths of the panels.

    Returns
    -------
    fig : Figure
    axes : list of Axes
        Always a list, also for ``n=1``.

    Examples
    --------
    >>> fig, axes = side_by_side(3)
    >>> len(axes), fig.get_size_inches().tolist()
    (3, [8.0, 3.2])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if width_ratios is not None and len(width_ratios) != n:
        raise ValueError(f"width_ratios must have n={n} entries, got {len(width_ratios)}")
    fig = new_figure(width, height)
    with style():
        axes = fig.subplots(1, n, squeeze=False, width_ratios=width_ratios)[0]
    return fig, list(axes)


def axes_or_new(ax: Axes | None, width: float = WIDTH / 2 + 0.5) -> tuple[Figure, Axes]:
    """Where a one-panel builder draws: ``ax`` and its figure, or a new one-panel figure.

    Every builder that takes ``ax=`` goes through here, so that a figure it
    makes on its own has the book's size and style.

    Parameters
    ----------
    ax : Axes or None
        The axes to draw on; ``None`` for a new figure.
    width : float
        Width in inches of a new figure (height :data:`HEIGHT`).

    Returns
    -------
    fig : Figure
    ax : Axes

    Examples
    --------
    >>> fig, ax = axes_or_new(None)
    >>> fig.get_size_inches().tolist()
    [4.5, 3.2]
    >>> axes_or_new(ax) == (fig, ax)
    True
    """
    if ax is not None:
        return ax.get_figure(root=True), ax
    fig, (new,) = side_by_side(1, width=width)
    return fig, new
