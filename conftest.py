"""pytest set-up for the whole project, ``pytest --doctest-modules optlib`` included.

optlib's figure builders create pyplot figures (so that Jupyter's inline backend
shows them), and pyplot keeps every figure until it is closed: a long doctest
session crosses Matplotlib's limit of 20 open figures, whose RuntimeWarning the
project's ``filterwarnings = ["error"]`` turns into a failure. Each doctest
closes its figures when it ends. (``tests/conftest.py`` serves the browser test.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _close_doctest_figures(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and isinstance(request.node, DoctestItem):
        pyplot.close("all")
