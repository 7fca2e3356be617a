"""What a check answers: a :class:`CheckResult` of :class:`CaseResult` s, as text and as HTML.

A verdict is one line (``"✔ 5 of 5 cases pass"``), then the failing cases with
their input, expected value and the reader's value, and the hint. Values are
abridged to a line (:func:`format_value`) so that a verdict stays short
whatever the arrays; the whole data stays in ``.cases``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

_MAX_SHOWN = 3  # failing cases shown in the text verdict
_MAX_SHOWN_HTML = 6
_WIDTH = 72  # characters of an abridged value


@dataclass(eq=False)
class CaseResult:
    """The outcome of one case of a check.

    Attributes
    ----------
    name : str
        What the case tests, e.g. ``"probabilities of exactly 0 and 1, wrong"``.
    input : dict
        The inputs your function received, by name.
    expected : Any
        optlib's result (for an optimizer, θ at the first step that differs, or
        at the last step when all agree).
    got : Any
        Your function's result at the same place (``None`` when there was none).
    passed : bool
        Whether your result agrees (False when nothing could be compared).
    message : str
        What went wrong, in words (empty when the case passes).
    compared : bool
        False when the case compared nothing: optlib's own result is not
        finite there, or too small a change to tell apart from none (an
        optimizer whose steps overflow, or do not move theta at all, with the
        hyper-parameters given). Such a case neither passes nor fails, and the
        check does not pass.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> result = check.loss(lambda y_pred, y_true: np.sum((y_pred - y_true) ** 2), "mse")
    >>> case = result.failures[0]
    >>> case.passed, sorted(case.input), case.message
    (False, ['y_pred', 'y_true'], 'off by a factor 5')
    """

    name: str
    input: dict[str, Any]
    expected: Any
    got: Any
    passed: bool
    message: str = ""
    compared: bool = True


@dataclass(eq=False)
class CheckResult:
    """The verdict of a check: every case, and a hint when a classic mistake is recognised.

    Prints as a short verdict (``"✔ 6 of 6 cases pass"``, or ``"✘ 2 of 6 cases
    fail"`` followed by the failing cases and the hint) and shows as a small
    table in a notebook. It is true when every case passes, so
    ``assert check.loss(...)`` works in a test. A case that compared nothing
    (see :attr:`CaseResult.compared`) does not pass: a check that could compare
    nothing says ``"✘ nothing compared"`` and why, in :attr:`note`.

    Attributes
    ----------
    title : str
        The check that was run, e.g. ``'check.loss(my_bce, "bce")'``.
    cases : list of CaseResult
        Every case, passing or not.
    hint : str or None
        What to look at, when the failures match a known mistake.
    mistake : str or None
        The key of that mistake in :data:`MISTAKES`.
    note : str or None
        What the verdict needs besides the cases: that your function ran out of
        time, or why some cases could not be compared.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> result = check.loss(lambda y_pred, y_true: np.mean((y_pred - y_true) ** 2), "mse")
    >>> result.passed, result.verdict, len(result.cases)
    (True, '✔ 5 of 5 cases pass', 5)
    >>> assert result  # true when every case passes
    """

    title: str
    cases: list[CaseResult]
    hint: str | None = None
    mistake: str | None = None
    note: str | None = None

    @property
    def passed(self) -> bool:
        """Whether every case compared something and passes."""
        return bool(self.cases) and all(case.passed for case in self.cases)

    @property
    def failures(self) -> list[CaseResult]:
        """The cases that fail."""
        return [case for case in self.cases if case.compared and not case.passed]

    @property
    def not_compared(self) -> list[CaseResult]:
        """The cases that compared nothing (neither passing nor failing)."""
        return [case for case in self.cases if not case.compared]

    @property
    def verdict(self) -> str:
        """The verdict in one line, ``"✔ n of n cases pass"`` or ``"✘ k of n cases fail"``."""
        total, failed, skipped = len(self.cases), len(self.failures), len(self.not_compared)
        if self.passed:
            return f"✔ {total} of {total} cases pass"
        if skipped == total:
            if total == 1:
                return "✘ nothing compared: the one case could not be compared"
            return f"✘ nothing compared: none of the {total} cases could be compared"
        if failed and skipped:
            return f"✘ {failed} of {total} cases fail, {skipped} not compared"
        if failed:
            return f"✘ {failed} of {total} cases fail"
        return f"✘ {skipped} of {total} cases not compared, the other {total - skipped} pass"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.verdict}: {self.title}"]
        if self.note:
            lines.append(self.note)
        failures = self.failures
        for case in failures[:_MAX_SHOWN]:
            lines += [
                "",
                f"✘ {case.name}",
                f"  input:    {_format_input(case.input)}",
                f"  expected: {format_value(case.expected)}",
                f"  got:      {format_value(case.got)}",
            ]
            if case.message:
                lines.append(f"  {abridge(case.message, 3 * _WIDTH)}")
        if len(failures) > _MAX_SHOWN:
            more = len(failures) - _MAX_SHOWN
            lines += ["", f"… and {more} more failing case{'s' * (more > 1)} (see .cases)"]
        skipped = self.not_compared
        for case in skipped[:_MAX_SHOWN]:
            lines += ["", f"– {case.name}", f"  {abridge(case.message, 3 * _WIDTH)}"]
        if len(skipped) > _MAX_SHOWN:
            more = len(skipped) - _MAX_SHOWN
            lines += ["", f"… and {more} more case{'s' * (more > 1)} not compared (see .cases)"]
        if self.hint:
            lines += ["", f"Hint: {self.hint}"]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        # Okabe-Ito green and vermillion, darkened so that white text on them has a
        # contrast of at least 4.5:1 (WCAG AA) in light and dark themes alike.
        colour = "#007A5A" if self.passed else "#B34700"
        chip = f"color:#fff;background:{colour};padding:0 0.3em;border-radius:3px"
        parts = [
            '<div class="optlib-check">',
            f'<p><strong style="{chip}">{html.escape(self.verdict)}</strong>: '
            f"<code>{html.escape(self.title)}</code></p>",
        ]
        if self.note:
            parts.append(f"<p>{html.escape(self.note)}</p>")
        failures = self.failures + self.not_compared
        if failures:
            parts.append(
                "<table><thead><tr><th>case</th><th>input</th><th>expected</th>"
                "<th>got</th><th>what went wrong</th></tr></thead><tbody>"
            )
            for case in failures[:_MAX_SHOWN_HTML]:
                cells = (
                    f"{'✘' if case.compared else '–'} {case.name}",
                    _format_input(case.input),
                    format_value(case.expected),
                    format_value(case.got),
                    abridge(case.message, 3 * _WIDTH),
                )
                parts.append(
                    "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
                )
            parts.append("</tbody></table>")
            if len(failures) > _MAX_SHOWN_HTML:
                more = len(failures) - _MAX_SHOWN_HTML
                parts.append(f"<p>… and {more} more cases (see <code>.cases</code>)</p>")
        if self.hint:
            parts.append(f"<p><strong>Hint:</strong> {html.escape(self.hint)}</p>")
        parts.append("</div>")
        return "\n".join(parts)


def abridge(text: str, width: int = _WIDTH) -> str:
    """``text`` on one line of at most ``width`` characters, cut with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_number(value: Any) -> str:
    """A number as a verdict shows it: six significant digits, integers and booleans as such."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.6g}"


def format_value(value: Any, width: int = _WIDTH, precision: int = 6) -> str:
    """A value in at most ``width`` characters: arrays abridged, long text cut."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return abridge(value, width)
    if isinstance(value, np.ndarray | np.generic | int | float):
        array = np.asarray(value)
        if array.ndim == 0:
            return format_number(array.item())
        text = np.array2string(
            array,
            precision=precision,
            threshold=8,
            edgeitems=2,
            separator=", ",
            max_line_width=10**6,
        )
        text = " ".join(text.split())
        if array.size > 8:  # abridged by NumPy: say how big it is
            shape = f" (shape {array.shape})"
            return abridge(text, width - len(shape)) + shape
        return abridge(text, width)
    return abridge(repr(value), width)


def _format_input(inputs: dict[str, Any]) -> str:
    return ", ".join(
        f"{name}={format_value(value, 44, precision=3)}" for name, value in inputs.items()
    )


def join_notes(*notes: str | None) -> str | None:
    """The notes that are given, joined into one :attr:`CheckResult.note` (None if none is)."""
    return " ".join(note for note in notes if note) or None
