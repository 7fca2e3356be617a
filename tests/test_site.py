"""The built website works offline, in a real browser, page by page.

Run by ``make browser`` (part of ``make test``) after the strict build:
``pytest tests/test_site.py --chromium=/usr/bin/chromium``. It serves
``_build/html`` on 127.0.0.1 and opens every page in headless Chromium, where
every request to another host is aborted and counted as a failure. A page fails
on: a request to another host or an HTTP error; a console error or an uncaught
page error; math that is not typeset (MathML the browser does not lay out as
math, or MathJax that did not run), or typeset as an error, or TeX delimiters
left in the text; an image that does not load; a widget that does not render
once it is scrolled into view (the widget manager loads lazily); a live
(kernel-bound) optlib widget on the website; a static optlib widget whose
figure does not change when each of its controls moves.

It saves a screenshot of each page in ``_build/screenshots/`` and writes
``_build/site-report.json``: per page, the number of math elements, images,
widgets and interactions, and the page weight (every response; and the page's
own HTML and images apart from the shared ``_static`` files).

The last tests need no browser: no link to Jupyter Book's own repository, launch
buttons that follow ``repository.url`` in ``_config.yml``, install cells that
agree with it (``tools/sync_launch.py``); and the cheap guard of the website's
speed (Lighthouse itself runs in ``make bench``): no page loads more than its
budget before anything lazy, none has a render-blocking script, and every
precomputed widget frame has alt text.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import FIGURE_JS, ROOT, move_control

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
CHANGE_TIMEOUT_MS = 10_000  # a moved control must change its figure within this
VIEW_SCRIPT = 'script[type="application/vnd.jupyter.widget-view+json"]'
STATE_SCRIPT = 'script[type="application/vnd.jupyter.widget-state+json"]'
SLIDER = ".noUi-handle"
CONTROLS = f"{SLIDER}, select"
# _ext/optlib_lean.py's loader: the widget state and manager load when a widget nears.
LAZY_LOADER = "script[data-state][data-embed]"
SCROLL_TO_FIRST_WIDGET_JS = """(selector) => {
  document.querySelector(selector).parentElement.scrollIntoView({block: "center"});
}"""
REPORTED = ("math", "math_sources", "images", "widgets", "static_widgets")


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root.

    Sphinx's own folders (``_static``, ``_sources``, ``_images``) hold templates
    and copies, not pages; a redirect stub (the root ``index.html`` that Jupyter
    Book writes) only forwards to a page that is checked itself.
    """
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if any(part.startswith("_") for part in relative.parts[:-1]):
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:3000].lower()
        if 'http-equiv="refresh"' in head:
            continue
        pages.append(relative.as_posix())
    return pages


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_name" in metafunc.fixturenames:
        # No built site: one case that fails in the `site` fixture with the reason.
        pages = site_pages(Path(metafunc.config.getoption("--site")))
        metafunc.parametrize("page_name", pages or ["(no built site)"])


def _load_sync_launch() -> Any:
    spec = importlib.util.spec_from_file_location("sync_launch", ROOT / "tools" / "sync_launch.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- in the browser -----------------------------------------------------------

WIDGETS_RENDERED_JS = """(selector) => {
  const views = [...document.querySelectorAll(selector)];
  const done = views.filter((s) => {
    const area = s.previousElementSibling;
    return area && area.classList.contains("widget-subarea") &&
      area.querySelector(".jupyter-widgets");
  });
  return done.length === views.length;
}"""

# MathJax.startup.promise is the chain of typesetting jobs (the widget labels'
# jobs are appended to it by _ext/static/optlib-site.js): wait until it is still.
MATH_SETTLED_JS = """async () => {
  let promise;
  do {
    promise = window.MathJax.startup.promise;
    await promise;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (promise !== window.MathJax.startup.promise);
}"""

IMAGES_LOADED_JS = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve);
    img.addEventListener("error", resolve);
    setTimeout(resolve, 10000);
  })));
}"""

INSPECT_JS = r"""(viewSelector) => {
  const code = "pre, code, kbd, samp, script, style, textarea, .highlight, mjx-container, .sig";
  const texLeft = /\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\$[^$\n]*[\\^_{}][^$\n]*\$/;
  const leftovers = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(code)) continue;
    const match = node.textContent.match(texLeft);
    if (match) leftovers.push(node.textContent.trim().slice(0, 120));
  }
  const mathNodes = [...document.querySelectorAll(".math")];
  // Typeset: by MathJax in the browser, or as MathML at build time (_ext/optlib_math.py)
  // that the browser lays out as math (display "block math" / "inline math").
  const typeset = (m) => m.querySelector("mjx-container") || [...m.children].some((c) =>
    c.localName === "math" && getComputedStyle(c).display.includes("math"));
  const views = [...document.querySelectorAll(viewSelector)];
  const widgetErrors = [...document.querySelectorAll(".widget-subarea")].filter((area) =>
    area.querySelector(".jupyter-widgets-error-widget") ||
    /Error (displaying|creating) widget/.test(area.textContent));
  const empty = views.filter((s) => {
    const root = s.previousElementSibling && s.previousElementSibling.firstElementChild;
    return !root || (root.childElementCount === 0 && root.tagName !== "IMG" &&
                     !root.textContent.trim());
  });
  return {
    math: document.querySelectorAll("mjx-container, .math > math").length,
    math_sources: mathNodes.length,
    math_unrendered: mathNodes.filter((m) => !typeset(m))
      .map((m) => m.textContent.trim().slice(0, 120)),
    math_errors: document.querySelectorAll("mjx-merror, merror, [data-mjx-error]").length,
    tex_left: leftovers,
    images: document.images.length,
    broken_images: [...document.images].filter((img) => !img.complete || img.naturalWidth === 0)
      .map((img) => (img.currentSrc || img.src).slice(0, 120)),
    widgets: views.length,
    widget_errors: widgetErrors.length,
    widgets_empty: empty.length,
    static_widgets: document.querySelectorAll(".optlib-static-widget").length,
    live_widgets: document.querySelectorAll(".optlib-live-widget").length,
  };
}"""


def _screenshot_name(page_name: str) -> str:
    return page_name.removesuffix(".html").replace("/", "__") + ".png"


def _exercise_static_widgets(page: Any, failures: list[str]) -> int:
    """Move every control of every static widget; its figure must change."""
    moved = 0
    boxes = page.locator(".optlib-static-widget")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.scroll_into_view_if_needed()
        if not box.is_visible():
            failures.append(f"static widget #{index + 1} is not visible")
            continue
        controls = box.locator(CONTROLS)
        if controls.count() == 0:
            failures.append(f"static widget #{index + 1} has no slider or dropdown to move")
            continue
        for number in range(controls.count()):
            before = box.evaluate(FIGURE_JS)
            if not before:
                failures.append(f"static widget #{index + 1} shows no image")
                break
            action = move_control(page, controls.nth(number))
            try:  # a condition, polled by the browser, not a fixed wait
                page.wait_for_function(
                    f"async ([box, before]) => (await ({FIGURE_JS})(box)) !== before",
                    arg=[box.element_handle(), before],
                    timeout=CHANGE_TIMEOUT_MS,
                )
                changed = True
            except PlaywrightTimeoutError:
                changed = False
            if not changed:
                failures.append(
                    f"static widget #{index + 1}, control #{number + 1} ({action}):"
                    " the figure did not change"
                )
            else:
                moved += 1
    return moved


def test_page(
    page_name: str,
    site: Path,
    site_url: str,
    browser: Any,
    site_report: dict[str, Any],
    screenshots: Path,
) -> None:
    failures: list[str] = []
    responses: list[Any] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def route(route: Any) -> None:
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            failures.append(f"request to another host: {route.request.url}")
            route.abort()

    def on_console(message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            failures.append(f"console error: {message.text} ({where})")

    def on_response(response: Any) -> None:
        responses.append(response)
        if response.status >= 400:
            failures.append(f"HTTP {response.status}: {response.url}")

    found: dict[str, Any] = {}
    interactions = 0
    context.route("**/*", route)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: failures.append(f"page error: {error}"))
    page.on("response", on_response)
    try:
        page.goto(site_url + page_name, wait_until="load")
        page.evaluate(
            "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
        )

        n_views = page.locator(VIEW_SCRIPT).count()
        lazy = page.locator(LAZY_LOADER).count()
        if n_views and not (lazy or page.locator(STATE_SCRIPT).count()):
            failures.append(
                f"{n_views} widget(s) but no widget state in the page: myst-nb embeds it"
                " only from a successful execution"
            )
        elif n_views:
            if lazy:  # as a reader does: the widget manager loads when a widget nears
                page.evaluate(SCROLL_TO_FIRST_WIDGET_JS, VIEW_SCRIPT)
            try:
                page.wait_for_function(WIDGETS_RENDERED_JS, arg=VIEW_SCRIPT)
            except PlaywrightTimeoutError:
                failures.append("widgets did not render (is the widget manager served?)")

        # Math typeset at build time (MathML) needs no wait; MathJax typesets after load.
        uses_mathjax = page.locator("script[src*='mathjax']").count() > 0
        if uses_mathjax:
            try:
                page.wait_for_function("() => window.MathJax && window.MathJax.startup")
                page.evaluate(MATH_SETTLED_JS)
            except PlaywrightTimeoutError:
                failures.append("MathJax did not start (is it served by the site?)")
        page.evaluate(IMAGES_LOADED_JS)

        found = page.evaluate(INSPECT_JS, VIEW_SCRIPT)
        if found["math_unrendered"]:
            failures.append(f"math not typeset: {found['math_unrendered'][:5]}")
        if found["math_errors"]:
            failures.append(f"{found['math_errors']} math error(s) (merror)")
        if found["tex_left"]:
            failures.append(f"TeX delimiters left in the text: {found['tex_left'][:5]}")
        if found["broken_images"]:
            failures.append(f"images that did not load: {found['broken_images'][:5]}")
        if found["widget_errors"] or found["widgets_empty"]:
            failures.append(
                f"widgets that failed to render: {found['widget_errors']} error(s),"
                f" {found['widgets_empty']} empty"
            )
        if found["live_widgets"]:
            failures.append(
                f"{found['live_widgets']} live optlib widget(s) on the website: the build"
                " must render the static counterpart (OPTLIB_WIDGET_MODE=static, set by"
                " _ext/optlib_site.py)"
            )

        screenshots.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=screenshots / _screenshot_name(page_name), full_page=True)

        interactions = _exercise_static_widgets(page, failures)
        page.wait_for_load_state("networkidle")  # a late request or console error arrives
    finally:
        weight = _weight(responses, site_url)
        context.close()

    site_report["pages"][page_name] = {
        **{key: found.get(key, 0) for key in REPORTED},
        "interactions": interactions,
        **weight,
        "failures": len(failures),
    }
    assert not failures, f"{page_name}:\n  " + "\n  ".join(failures)


# The theme makes scrollable code and outputs tab stops (keyboard scrolling);
# _ext/optlib_lean.py has it measure them near the viewport, not all at load.
TAB_STOPS_JS = """async () => {
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const found = {scrollable: 0, notStop: 0, measured: 0};
  for (const pre of document.querySelectorAll(".bd-article pre")) {
    pre.scrollIntoView({block: "center"});
    await frames();
    await new Promise((r) => setTimeout(r, 20));
    if (pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight) {
      found.scrollable += 1;
      if (pre.tabIndex !== 0) found.notStop += 1;
    } else if (pre.tabIndex === -1) {
      found.measured += 1;
    }
  }
  return found;
}"""


def test_scrollable_code_is_a_tab_stop(site: Path, site_url: str, browser: Any) -> None:
    """Every code block that scrolls can be reached with Tab (and short ones are no stops)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(site_url + "chapters/gradient_descent.html", wait_until="load")
        found = page.evaluate(TAB_STOPS_JS)
    finally:
        context.close()
    assert found["scrollable"] > 0, found  # the page has long code at this width
    assert found["notStop"] == 0, found
    assert found["measured"] > 0, found  # the lazy pass ran: short blocks are no stops


def _weight(responses: list[Any], site_url: str) -> dict[str, int]:
    """Bytes of the responses a page loaded: all, and its own HTML and images."""
    total = own = 0
    for response in responses:
        try:
            size = len(response.body())
        except PlaywrightError:  # no body (a redirect)
            size = int(response.headers.get("content-length", 0) or 0)
        total += size
        kind = response.request.resource_type
        path = response.url.removeprefix(site_url)
        if kind == "document" or (kind == "image" and not path.startswith("_static/")):
            own += size
    return {
        "requests": len(responses),
        "bytes_total": total,
        "bytes_own": own,
        "bytes_shared": total - own,
    }


# --- in the HTML --------------------------------------------------------------


def _html_files(site: Path) -> list[Path]:
    return [site / name for name in site_pages(site)]


def test_no_link_to_jupyter_books_repository(site: Path) -> None:
    """Jupyter Book's defaults point at its own repository; nothing may."""
    bad = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if "executablebooks/jupyter-book" in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not bad, f"links to executablebooks/jupyter-book in {bad}"


def test_launch_buttons_follow_repository_url(site: Path) -> None:
    """Binder and Colab buttons exist exactly when repository.url is set, and use it."""
    url, branch = _load_sync_launch().read_repository()
    notebooks = [
        p
        for p in _html_files(site)
        if (site / "_sources" / p.relative_to(site)).with_suffix(".ipynb").is_file()
    ]
    problems = []
    for page in notebooks:
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(site).as_posix()
        launch = re.findall(
            r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"', html
        )
        downloads = re.findall(r'href="([^"]*_sources/[^"]*\.ipynb)"', html)
        if not downloads or not all((page.parent / d).resolve().is_file() for d in downloads):
            problems.append(f"{name}: no working .ipynb download button: {downloads}")
        if not url:
            if launch:
                problems.append(f"{name}: launch links while repository.url is empty: {launch}")
            continue
        owner_repo = "/".join(url.split("/")[-2:])
        binder = [u for u in launch if "mybinder.org" in u]
        colab = [u for u in launch if "colab.research.google.com" in u]
        if not binder or owner_repo not in binder[0] or branch not in binder[0]:
            problems.append(f"{name}: no Binder link to {owner_repo}@{branch}: {binder}")
        if not colab or owner_repo not in colab[0]:
            problems.append(f"{name}: no Colab link to {owner_repo}: {colab}")
    assert not problems, "\n".join(problems)


def test_install_cells_match_config() -> None:
    """Each chapter's install cell agrees with repository.url in _config.yml."""
    sync_launch = _load_sync_launch()
    problems = sync_launch.problems(*sync_launch.read_repository())
    assert not problems, "run `.venv/bin/python tools/sync_launch.py` to fix:\n" + "\n".join(
        problems
    )


# --- page weight and render-blocking scripts (cheap: no browser, no Lighthouse) --------

#: What a page may fetch before anything loads lazily, gzipped as a static host
#: serves it: its HTML, its scripts and stylesheets, and its eager images.
#: Lighthouse (``make bench``) measured every page at performance >= 90 within it.
PAGE_BUDGET_BYTES = 400_000
#: Synchronous scripts allowed in <head>: the theme's inline scripts need it at once.
SYNCHRONOUS_OK = ("documentation_options.js",)


def _local(page: Path, url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme or parsed.netloc:
        return None
    path = (page.parent / unquote(parsed.path)).resolve()
    return path if path.is_file() else None


def initial_load(page: Path) -> dict[str, int]:
    """Bytes (gzipped where a host would) that ``page`` loads before anything lazy."""
    html = page.read_text(encoding="utf-8")
    files = {}
    for url in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html):
        files[url] = True
    for tag in re.findall(r"<link\b[^>]*>", html):
        if 'rel="stylesheet"' in tag:
            files[re.search(r'href="([^"]+)"', tag).group(1)] = True
    for tag in re.findall(r"<img\b[^>]*>", html):
        if 'loading="lazy"' not in tag:
            files[re.search(r'src="([^"]+)"', tag).group(1)] = True
    sizes = {"html": len(gzip.compress(html.encode("utf-8")))}
    for url in files:
        path = _local(page, url)
        if path is None:
            continue
        data = path.read_bytes()
        compressible = path.suffix in (".js", ".css", ".json", ".svg", ".html")
        sizes[path.name] = len(gzip.compress(data)) if compressible else len(data)
    return sizes


def test_pages_within_budget_and_no_render_blocking_script(site: Path) -> None:
    problems = []
    for page in _html_files(site):
        html = page.read_text(encoding="utf-8")
        head = html[: html.find("</head>")]
        name = page.relative_to(site).as_posix()
        for tag in re.findall(r"<script\b[^>]*\bsrc=\"[^\"]+\"[^>]*>", head):
            src = re.search(r'src="([^"?]+)', tag).group(1)
            if not re.search(r"\b(defer|async)\b|type=\"module\"", tag) and not src.endswith(
                SYNCHRONOUS_OK
            ):
                problems.append(f"{name}: render-blocking script in <head>: {src}")
        sizes = initial_load(page)
        total = sum(sizes.values())
        if total > PAGE_BUDGET_BYTES:
            top = sorted(sizes.items(), key=lambda item: -item[1])[:5]
            problems.append(
                f"{name}: {total / 1e3:.0f} KB before lazy loading, budget"
                f" {PAGE_BUDGET_BYTES / 1e3:.0f} KB; largest: {top}"
            )
    assert not problems, "\n".join(problems)


def test_every_precomputed_frame_has_alt_text(site: Path) -> None:
    """The website's widget frames (written by _ext/optlib_lean.py) say what they show."""
    frames = missing = 0
    for state in (site / "_images" / "frames").glob("*.json"):
        for model in json.loads(state.read_text(encoding="utf-8"))["state"].values():
            if "optlib-frame" not in model["state"].get("_dom_classes", []):
                continue
            frames += 1
            alt = re.search(r'\balt="([^"]*)"', model["state"]["value"])
            missing += not (alt and alt.group(1).strip())
    static_pages = [p for p in _html_files(site) if "optlib-static-widget" in p.read_text("utf-8")]
    assert frames or not static_pages, "static widgets, but no frame written as a file"
    assert not missing, f"{missing} of {frames} precomputed frames have no alt text"


def test_bibliography_entries_are_list_items(site: Path) -> None:
    """The citation list holds list items, and no entry keeps the deprecated
    doc-biblioentry role (Lighthouse's accessibility audit failed on both)."""
    page = (site / "bibliography.html").read_text(encoding="utf-8")
    assert 'role="list" class="citation-list"' in page
    entries = re.findall(r'<div[^>]*class="citation"[^>]*>', page)
    assert len(entries) > 20
    assert all('role="listitem"' in entry for entry in entries)
    assert "doc-biblioentry" not in page
