r"""How a figure puts what it shows into words: numbers, alt texts, status lines.

Every builder's ``.alt()`` is one sentence built from these pieces, so that all
figures describe numbers, points and runs the same way; :func:`diverged_text`
is also the status line drawn on a figure whose run blew up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.text import Text

from optlib.training import count

__all__ = [
    "diverged_text",
    "number_text",
    "plain_text",
    "point_text",
    "span_text",
    "stack_statuses",
    "surface_name",
]


def number_text(value: float) -> str:
    """A number as a reader writes it: 0.5, 1e-05, 1.2e+03.

    Examples
    --------
    >>> number_text(0.5), number_text(1e-5), number_text(1234.5)
    ('0.5', '1e-05', '1.23e+03')
    """
    return f"{float(value):.3g}"


def point_text(p: np.ndarray) -> str:
    """A point as a reader writes it: ``(-1.5, 2)``.

    Examples
    --------
    >>> point_text([-1.5, 2.0])
    '(-1.5, 2)'
    """
    return "(" + ", ".join(number_text(v) for v in p) + ")"


def diverged_text(steps: int) -> str:
    """The words the book uses for a run that blew up.

    Examples
    --------
    >>> diverged_text(7)
    'diverged after 7 steps'
    >>> diverged_text(1)
    'diverged after 1 step'
    """
    return f"diverged after {count(int(steps), 'step')}"


def plain_text(text: str) -> str:
    r"""Label text without TeX markup, for alt text.

    Examples
    --------
    >>> plain_text(r"learning rate $\alpha_t$")
    'learning rate alpha_t'
    """
    replacements = {
        r"\sqrt": "sqrt",
        r"\propto": "proportional to",
        r"\alpha": "alpha",
        r"\gamma": "gamma",
        r"\varepsilon": "epsilon",
        r"\epsilon": "epsilon",
        r"\theta": "theta",
        r"\hat": "",
        "\\": "",
        "$": "",
        "{": "",
        "}": "",
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    return " ".join(text.split())


def span_text(values: np.ndarray) -> str:
    """One value, or the range of several, for alt text; non-finite values are left out.

    Examples
    --------
    >>> import numpy as np
    >>> span_text(np.array([0.5, 0.5])), span_text(np.array([0.01, 0.2, np.nan]))
    ('0.5', 'values in [0.01, 0.2]')
    """
    values = values[np.isfinite(values)]
    if not values.size:
        return "no finite value"
    lo, hi = float(values.min()), float(values.max())
    if math.isclose(lo, hi, rel_tol=1e-3):
        return number_text(lo)
    return f"values in [{number_text(lo)}, {number_text(hi)}]"


def surface_name(fn: Any) -> str:
    """The name a figure gives a surface: its ``name``, else its class's.

    Examples
    --------
    >>> from optlib.functions import Rosenbrock
    >>> surface_name(Rosenbrock())
    'Rosenbrock'
    """
    return getattr(fn, "name", type(fn).__name__)


def stack_statuses(statuses: Sequence[Text], side: str) -> None:
    """Put the non-empty status texts in consecutive rows from the top corner.

    Each run of a figure has its status text ("diverged after k steps"),
    mostly empty; the ones that say something stack from the top, without gaps.

    Parameters
    ----------
    statuses : sequence of Text
        In axes coordinates, in the order of the runs.
    side : {"left", "right"}
        The corner they stack in.

    Examples
    --------
    >>> from optlib.plotting import side_by_side
    >>> _, (ax,) = side_by_side(1)
    >>> texts = [ax.text(0, 0, words, transform=ax.transAxes) for words in ("", "b: diverged")]
    >>> stack_statuses(texts, "left")
    >>> texts[1].get_position()
    (0.02, 0.97)
    """
    row = 0
    for text in statuses:
        if text.get_text():
            text.set_position((0.02 if side == "left" else 0.98, 0.97 - 0.085 * row))
            row += 1
