"""Show optlib's own source code in a chapter, the same in every medium.

A chapter shows the code behind a formula from the source itself, never from a
pasted copy that can drift. Sphinx's ``literalinclude`` does that on the
website only: JupyterLab's MyST renderer drops it, and Colab shows it as raw
markup. :func:`show_source` is an ordinary call in a code cell, so its output
is the same syntax-highlighted block on the website, in JupyterLab and
Notebook 7, and on Colab.

>>> from optlib.source import show_source
>>> from optlib.functions import Quadratic
>>> print(show_source(Quadratic.grad).texts[0].splitlines()[0])
# optlib/functions.py: Surface.grad
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _fenced(code: str) -> str:
    # A fence longer than any line of backticks in the code cannot close early.
    lines = (line.strip() for line in code.split("\n"))
    longest = max((len(line) for line in lines if line and set(line) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{code}\n{fence}"


@dataclass(frozen=True)
class Source:
    """The source of functions, classes or methods, ready to display.

    Jupyter (and the book's build) show each as a highlighted Python block
    through ``_repr_markdown_``; ``print`` or ``repr`` give the plain text.

    Examples
    --------
    >>> from optlib.optimizers import bias_correction
    >>> markdown = show_source(bias_correction)._repr_markdown_()
    >>> print(markdown.splitlines()[:2])
    ['```python', '# optlib/optimizers/pieces.py: bias_correction']
    """

    texts: tuple[str, ...]

    def _repr_markdown_(self) -> str:
        return "\n\n".join(_fenced(text) for text in self.texts)

    def __repr__(self) -> str:
        return "\n\n".join(self.texts)


def show_source(*objects: Any) -> Source:
    """The source code of each object, headed by its file and name.

    Parameters
    ----------
    *objects : function, class or method
        Anything ``inspect.getsource`` can read, e.g.
        ``optlib.optimizers.Adam`` or ``optlib.losses.MeanSquaredError.grad``.

    Returns
    -------
    Source
        Displays as highlighted code blocks in a notebook, one per object.

    Raises
    ------
    TypeError
        If an object has no Python source (a built-in, an instance, a number),
        or none is given.

    Examples
    --------
    >>> from optlib.optimizers import sgd_step
    >>> print(repr(show_source(sgd_step)).splitlines()[:2])
    ['# optlib/optimizers/sgd.py: sgd_step', 'def sgd_step(']
    """
    if not objects:
        raise TypeError("show_source needs at least one function, class or method")
    return Source(tuple(_source_of(obj) for obj in objects))


def _source_of(obj: Any) -> str:
    target = inspect.unwrap(obj)
    try:
        code = inspect.getsource(target)
        path = Path(inspect.getsourcefile(target) or "")
    except (TypeError, OSError) as error:
        raise TypeError(
            f"show_source needs a function, class or method written in Python, got {obj!r} "
            f"({type(obj).__name__}): {error}"
        ) from None
    try:
        shown_path = path.resolve().relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        shown_path = path.name
    name = getattr(target, "__qualname__", getattr(target, "__name__", ""))
    return f"# {shown_path}: {name}\n{textwrap.dedent(code).rstrip()}"
