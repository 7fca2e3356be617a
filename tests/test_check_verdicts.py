"""What the reader sees: the verdict as text and in a notebook (optlib/check/verdicts.py)."""

from __future__ import annotations

import numpy as np
from check_readers import (
    SURFACE_MISTAKES,
    my_sgd,
    shown_in_a_notebook,
    uphill,
)

from optlib import Rosenbrock, check
from optlib.check import MISTAKES


def test_text_verdict_shows_case_expected_and_got():
    result = check.loss(lambda p, y: np.sum((p - y) ** 2), "mse")
    text = str(result)
    assert repr(result) == text
    first = result.failures[0]
    assert text.startswith(f"✘ {len(result.failures)} of {len(result.cases)} cases fail")
    assert f"✘ {first.name}" in text
    assert f"expected: {first.expected:.6g}" in text
    assert f"got:      {first.got:.6g}" in text
    assert "off by a factor" in text


def test_text_verdict_is_short_and_abridges_arrays():
    result = check.loss(lambda p, y: (p - y) ** 2 + 1, "mse", reduction="none")
    text = str(result)
    assert "… and" in text  # only the first failing cases are shown
    assert len(text.splitlines()) <= 25
    assert max(len(line) for line in text.splitlines()) <= 260
    assert "shape (4, 3)" in text  # a 12-element array shown abridged, with its shape


def test_html_verdict_is_a_small_escaped_table():
    result = check.optimizer_step(uphill, "sgd", lr=0.01)
    page = shown_in_a_notebook(result)
    assert page.count("<table>") == 1
    assert "<td>✘ quadratic ravine from (-2.5, 1.5)</td>" in page
    assert "expected" in page and "got" in page
    assert html_text(MISTAKES["uphill"].hint) in page
    passing = shown_in_a_notebook(check.optimizer_step(my_sgd, "sgd", lr=0.01))
    assert "✔ 6 of 6 cases pass" in passing and "<table>" not in passing
    lam = shown_in_a_notebook(check.loss(lambda p, y: None, "mse"))
    assert "&lt;lambda&gt;" in lam and "<lambda>" not in lam


def html_text(text):
    import html

    return html.escape(text)


def test_case_results_carry_their_data():
    result = check.gradient(SURFACE_MISTAKES["surface_negated"], Rosenbrock())
    case = result.failures[0]
    np.testing.assert_allclose(case.got, -case.expected)
    assert set(case.input) == {"x"}
    assert "∂f/∂x" in case.message
