"""The book: notebook execution, nbval, a cold build, and the heaviest page.

This takes minutes, so it runs only when asked: ``python -m benchmarks --book``
(or ``OPTLIB_BENCH_BOOK=1``); otherwise it gives one row saying it was skipped.

* Each notebook of ``chapters/`` and ``appendices/`` executed once with
  nbclient, as a reader runs it (live widgets), kernel start included.
* ``pytest --nbval-lax chapters appendices``, the whole book under nbval.
  Target: at most 90 s.
* A cold ``make book`` after install: ``jupyter-book build . --keep-going``
  from an empty build folder, written to a temporary ``--path-output`` (the
  repository's ``_build`` and its execution cache are left alone).
* The heaviest page of that build: its HTML (the static widgets' frames are
  embedded in it) plus the images it loads. Target: at most 3 MB.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from benchmarks._harness import ROOT, verdict

ENABLE = "OPTLIB_BENCH_BOOK"
NBVAL_TARGET_S = 90.0
PAGE_TARGET_MB = 3.0
CELL_TIMEOUT_S = 600
BIN = Path(sys.executable).parent


def enabled() -> bool:
    return os.environ.get(ENABLE, "") not in ("", "0")


def notebooks() -> list[Path]:
    found = [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("appendices/**/*.ipynb")]
    return sorted(path for path in found if ".ipynb_checkpoints" not in path.parts)


def _reader_environment() -> dict[str, str]:
    """This environment without the website's widget mode: notebooks run as in Jupyter."""
    env = dict(os.environ)
    env.pop("OPTLIB_WIDGET_MODE", None)
    return env


def execute(path: Path) -> float:
    """Seconds to execute one notebook with nbclient, kernel start included."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute(env=_reader_environment())  # passed on to the kernel's start
    return time.perf_counter() - start


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=_reader_environment(), capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, done


def _tail(done: subprocess.CompletedProcess, lines: int = 1) -> str:
    output = (done.stdout + done.stderr).strip().splitlines()
    return " / ".join(output[-lines:]) if output else f"exit {done.returncode}"


def page_weights(html_root: Path) -> dict[Path, int]:
    """Bytes of each page: its HTML plus every local image it loads (each image once)."""
    weights = {}
    for page in html_root.rglob("*.html"):
        if "_static" in page.relative_to(html_root).parts:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        images = set()
        for source in re.findall(r"<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"']", text):
            url = urlparse(source)
            if url.scheme or url.netloc:  # data: URIs are in the HTML already
                continue
            image = (page.parent / unquote(url.path)).resolve()
            if image.is_file():
                images.add(image)
        weights[page] = page.stat().st_size + sum(image.stat().st_size for image in images)
    return weights


def run() -> list[dict[str, Any]]:
    if not enabled():
        return [
            {
                "name": "book: notebooks, nbval, cold build, page weight",
                "measure": "skipped",
                "note": f"run with --book (or {ENABLE}=1); it takes minutes",
            }
        ]
    rows: list[dict[str, Any]] = []
    for path in notebooks():
        rows.append(
            {
                "name": f"execute {path.relative_to(ROOT)}",
                "measure": "s (nbclient, live)",
                "median": execute(path),
            }
        )

    folders = [name for name in ("chapters", "appendices") if (ROOT / name).is_dir()]
    seconds, done = _timed([str(BIN / "pytest"), "-q", "--nbval-lax", *folders], ROOT)
    passed = done.returncode == 0
    rows.append(
        {
            "name": f"nbval: pytest --nbval-lax {' '.join(folders)}",
            "measure": "s",
            "median": seconds,
            "target": f"<= {NBVAL_TARGET_S:g} s",
            "verdict": verdict(passed and seconds <= NBVAL_TARGET_S),
            "note": _tail(done) if passed else f"FAILED: {_tail(done, 3)}",
        }
    )

    with tempfile.TemporaryDirectory(prefix="optlib-book-") as output:
        command = [str(BIN / "jupyter-book"), "build", ".", "--keep-going", "--path-output"]
        seconds, done = _timed([*command, output], ROOT)
        html_root = Path(output) / "_build" / "html"
        built = done.returncode == 0 and (html_root / "index.html").is_file()
        rows.append(
            {
                "name": "cold make book: jupyter-book build (empty _build)",
                "measure": "s",
                "median": seconds,
                "verdict": verdict(built),
                "note": "" if built else f"FAILED: {_tail(done, 3)}",
            }
        )
        if built:
            weights = page_weights(html_root)
            page, heaviest = max(weights.items(), key=lambda item: item[1])
            rows.append(
                {
                    "name": f"heaviest page: {page.relative_to(html_root)}",
                    "measure": "MB (HTML + images)",
                    "median": heaviest / 1e6,
                    "target": f"<= {PAGE_TARGET_MB:g} MB",
                    "verdict": verdict(heaviest / 1e6 <= PAGE_TARGET_MB),
                    "note": f"{len(weights)} pages, {sum(weights.values()) / 1e6:.1f} MB in all",
                }
            )
    return rows
