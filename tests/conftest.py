"""Shared pytest set-up. The fixtures here serve the built website to a browser
(``tests/test_site.py``); other tests do not use them."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from hypothesis import settings

# Tests only: optlib itself never chooses a backend (notebooks use the inline one).
matplotlib.use("Agg")

# `make test` draws the same hypothesis examples on every machine and every run,
# so that it passes or fails reproducibly; OPTLIB_HYPOTHESIS=random draws afresh
# (a longer hunt: add OPTLIB_CONTRACT_EXAMPLES=150 for the contract test).
# No deadline: hypothesis's default fails an example that takes over 200 ms, which
# on a loaded machine is a timing assertion in disguise.
RANDOM_DRAWS = os.environ.get("OPTLIB_HYPOTHESIS") == "random"
settings.register_profile("optlib", derandomize=not RANDOM_DRAWS, print_blob=True, deadline=None)
settings.load_profile("optlib")

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
# Debian's Chromium; never Playwright's own download (`playwright install`).
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chromium",
        default=os.environ.get("CHROMIUM", DEFAULT_CHROMIUM),
        help="the Chromium executable for tests/test_site.py"
        f" (default: $CHROMIUM or {DEFAULT_CHROMIUM})",
    )
    parser.addoption(
        "--site",
        default=str(SITE),
        help="the built website for tests/test_site.py (default: _build/html); the"
        " screenshots and site-report.json go next to it",
    )
    parser.addoption(
        "--chapters",
        default=str(ROOT / "chapters"),
        help="the folder of notebooks for tests/test_jupyter.py (default: chapters/)",
    )


def pytest_configure(config: pytest.Config) -> None:
    for marker in (
        "jupyterlab: runs each chapter in JupyterLab in headless Chromium (test_jupyter.py)",
        "colab: runs each chapter in a fresh environment with only optlib (test_jupyter.py)",
    ):
        config.addinivalue_line("markers", marker)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser closed a page while a file was being sent


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Path:
    path = Path(request.config.getoption("--site")).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(
            f"no built website in {path}: build it first"
            " (`make book-strict`, or `.venv/bin/jupyter-book build . -W -n --keep-going`)"
        )
    return path


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site, served over HTTP on 127.0.0.1 by a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium_path(request: pytest.FixtureRequest) -> str:
    path = Path(request.config.getoption("--chromium"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path}. The browser test needs it: install Debian's"
            " package (`apt-get install chromium`, as .ci/run does) or pass"
            " --chromium=/path/to/chromium. Never `playwright install`."
        )
    return str(path)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def screenshots(site: Path) -> Path:
    return site.parent / "screenshots"


@pytest.fixture(scope="session")
def site_report(site: Path) -> Iterator[dict[str, Any]]:
    """Per-page measurements, written to ``_build/site-report.json`` at the end."""
    report: dict[str, Any] = {"pages": {}}
    yield report
    pages = report["pages"]
    if not pages:
        return
    keys = [k for k, v in next(iter(pages.values())).items() if isinstance(v, int)]
    report["totals"] = {k: sum(p.get(k, 0) for p in pages.values()) for k in keys}
    report["totals"]["pages"] = len(pages)
    (site.parent / "site-report.json").write_text(
        json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


@pytest.fixture(autouse=True)
def _figures_closed_and_widgets_live(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with live widgets (the book build's variable unset) and
    leaves no pyplot figure open: optlib's builders make pyplot figures so the
    inline backend shows them, and twenty open ones raise a warning."""
    monkeypatch.delenv("OPTLIB_WIDGET_MODE", raising=False)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# What the reader sees of a widget's figure: the images it shows, by content (a
# blob or a long data URL is hashed). The website and JupyterLab tests compare
# it before and after moving a control.
FIGURE_JS = """async (box) => {
  const parts = [];
  for (const img of box.querySelectorAll("img")) {
    if (!img.getClientRects().length) continue;
    let src = img.currentSrc || img.src;
    if (src.startsWith("blob:")) {
      const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
      let hash = 0;
      for (const byte of bytes) hash = (hash * 31 + byte) >>> 0;
      src = `blob ${bytes.length} ${hash}`;
    } else if (src.length > 200) {
      let hash = 0;
      for (let i = 0; i < src.length; i++) hash = (hash * 31 + src.charCodeAt(i)) >>> 0;
      src = `data ${src.length} ${hash}`;
    }
    parts.push(src);
  }
  return parts.join(" | ");
}"""


def move_control(page: Any, control: Any) -> str:
    """Move a widget's control one step as a reader would; say what was done.

    A dropdown goes to another option; a slider moves one step from the
    keyboard (left when it sits at its maximum). Shared by the website and
    JupyterLab tests.
    """
    if control.evaluate("(el) => el.tagName") == "SELECT":
        values = control.evaluate("(el) => [...el.options].map((o) => o.value)")
        current = control.input_value()
        target = next((v for v in values if v != current), current)
        control.select_option(target)
        return f"select {current!r} -> {target!r}"
    now = control.get_attribute("aria-valuenow")
    key = "ArrowLeft" if now == control.get_attribute("aria-valuemax") else "ArrowRight"
    control.focus()
    page.keyboard.press(key)
    return f"slider at {now}: {key}"
