"""Live widget latency: a control change until the new PNG is in the Image widget.

Every explorer of the book is measured as its chapter builds it: the code
cells of each chapter in ``chapters/`` run in this process (up to the chapter's
last widget), and every call of a ready-made explorer of ``optlib.widgets``
(``*_explorer`` and ``race_board``) is recorded with its arguments and the
live explorer it returned. So a new widget in a chapter, or new arguments, are
benchmarked without editing this file.

For each explorer, its controls are moved 50 times in turn (to a different
value each time) and the time of ``control.value = v`` is recorded: it covers
the optimizer runs, the blitted redraw and the PNG encoding, all of which
happen synchronously in the widget's observer. The send to the browser is not
included (there is no kernel here). Targets: 50 ms median, 100 ms p95. The
baseline is the same explorer redrawing the whole figure on every change (no
cached background). A second row per explorer builds it again with the same
arguments in static mode (the website's) and gives the size of its frames,
against a budget of 25 KB per frame, meant to keep a chapter page under 3 MB.
The budget is a guide, so a frame over it reads "over budget", not FAIL: the
target that counts is the page weight itself (``bench_book``).

``progress`` (the training bar) is not an explorer: it sets two widget
values per epoch and draws nothing, so it is not measured here.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")  # a benchmark process has no display; optlib itself never sets this

import nbformat
import numpy as np

from benchmarks._harness import ROOT, verdict
from optlib import widgets

CHANGES = 50
FULL_REDRAWS = 10
TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 100.0
TARGET_FRAME_KB = 25.0


@dataclass
class Call:
    """One ready-made explorer as a chapter built it."""

    chapter: str
    function: Callable[..., widgets.Explorer]
    args: tuple
    kwargs: dict
    explorer: widgets.Explorer
    number: int = field(default=0)

    @property
    def name(self) -> str:
        controls = ", ".join(self.explorer.controls)
        return f"{self.chapter} #{self.number} {self.function.__name__} ({controls})"


def ready_made() -> dict[str, Callable[..., widgets.Explorer]]:
    """The ready-made explorers of ``optlib.widgets``, by name."""
    return {
        name: getattr(widgets, name)
        for name in dir(widgets)
        if name.endswith(("_explorer", "_board")) and callable(getattr(widgets, name))
    }


def _code_cells(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def chapter_calls(chapters: Path = ROOT / "chapters") -> list[Call]:
    """Run each chapter's code up to its last widget and record every explorer it builds."""
    import matplotlib.pyplot as plt

    originals = ready_made()
    calls: list[Call] = []

    depth = 0  # learning_rate_explorer calls optimizer_explorer: record the outer call only

    def recording(chapter: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def record(*args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            depth += 1
            try:
                explorer = function(*args, **kwargs)
            finally:
                depth -= 1
            if depth == 0:
                calls.append(Call(chapter, function, args, kwargs, explorer))
            return explorer

        return record

    saved_mode = os.environ.pop(widgets.MODE_ENV, None)  # live, as in Jupyter
    cwd = Path.cwd()
    try:
        for path in sorted(chapters.glob("*.ipynb")):
            cells = _code_cells(path)
            uses = [i for i, source in enumerate(cells) if "widgets." in source]
            if not uses:
                continue
            for name, function in originals.items():
                setattr(widgets, name, recording(path.stem, function))
            namespace: dict[str, Any] = {"__name__": "__main__"}
            os.chdir(path.parent)
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                for index, source in enumerate(cells[: uses[-1] + 1]):
                    try:
                        exec(compile(source, f"{path.name}[{index}]", "exec"), namespace)
                    except Exception as error:
                        raise RuntimeError(f"{path.name}, code cell {index}: {error!r}") from error
            plt.close("all")
    finally:
        os.chdir(cwd)
        for name, function in originals.items():
            setattr(widgets, name, function)
        if saved_mode is not None:
            os.environ[widgets.MODE_ENV] = saved_mode
    for chapter in dict.fromkeys(call.chapter for call in calls):
        for number, call in enumerate((c for c in calls if c.chapter == chapter), start=1):
            call.number = number
    return calls


def _latencies(explorer: widgets.Explorer, changes: int, full_redraw: bool) -> np.ndarray:
    """Milliseconds per control change, the controls taken in turn (after 3 warm-up changes)."""
    assert explorer.image is not None
    names = [name for name, control in explorer.controls.items() if len(control.options) > 1]
    rng = np.random.default_rng(0)
    times, unchanged = [], 0
    for k in range(changes + 3):  # three warm-up changes (font and glyph caches)
        name = names[k % len(names)]
        control = explorer.controls[name]
        options = list(control.options)
        current = control.index
        choice = int(rng.integers(len(options) - 1))
        new = options[choice if choice < current else choice + 1][1]
        before = explorer.image.value
        if full_redraw:
            explorer._background = None
        start = time.perf_counter()
        control.value = new
        elapsed = time.perf_counter() - start
        unchanged += explorer.image.value == before
        if k >= 3:
            times.append(elapsed)
    if unchanged > (changes + 3) // 2:  # some moves may look the same (a clamped rate)
        raise RuntimeError(f"{unchanged} of {changes + 3} changes left the picture unchanged")
    return 1e3 * np.asarray(times)


def _static_frames_kb(call: Call) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        static = call.function(*call.args, **{**call.kwargs, "mode": "static"})
    return np.array([len(frame) for frame in static.frames]) / 1e3


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    calls = chapter_calls()
    if not calls:
        raise RuntimeError("no chapter builds a ready-made explorer: nothing to measure")
    for call in calls:
        fast = _latencies(call.explorer, CHANGES, full_redraw=False)
        slow = _latencies(call.explorer, FULL_REDRAWS, full_redraw=True)
        median, p95 = float(np.median(fast)), float(np.percentile(fast, 95))
        ok = median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS
        rows.append(
            {
                "name": call.name,
                "measure": "live update (ms)",
                "median": median,
                "p95": p95,
                "target": f"<= {TARGET_MEDIAN_MS:g} / {TARGET_P95_MS:g}",
                "baseline": float(np.median(slow)),
                "ratio": median / float(np.median(slow)),
                "verdict": verdict(ok),
            }
        )
        sizes = _static_frames_kb(call)
        rows.append(
            {
                "name": call.name,
                "measure": f"static frame (KB; {len(sizes)}, max {sizes.max():.1f})",
                "median": float(np.median(sizes)),
                "p95": float(np.percentile(sizes, 95)),
                "target": f"<= {TARGET_FRAME_KB:g}",
                "verdict": "ok" if sizes.max() <= TARGET_FRAME_KB else "over budget",
            }
        )
    return rows
