"""Every chapter works in Jupyter: in JupyterLab as a reader runs it, and in a
kernel that has nothing but ``optlib`` (Colab's condition).

Run by ``make jupyter`` (part of ``make test``):
``pytest tests/test_jupyter.py --chromium=/usr/bin/chromium``; another folder of
notebooks with ``--chapters=PATH``.

**In JupyterLab** (marker ``jupyterlab``). One JupyterLab server for the session,
started as ``make lab`` starts it (``jupyter lab <chapters>``, ``--allow-root``
when root) but headless, on 127.0.0.1 with a free port, a random token, news and
update checks off, and private workspace and settings folders. It serves a
temporary copy of the chapters, so the autosave never writes into the
repository. One Chromium page loads JupyterLab once; every request to another
host is aborted and fails the chapter. Each chapter is opened and run the way a
reader runs it: the first cell selected, then Shift+Enter once per cell, each
markdown cell rendered before it is run, and one with ``{eval}`` run once the
cells above it have finished. (Measured: jupyterlab-myst evaluates a markdown
cell's ``{eval}`` only if it has rendered that cell when it runs, so "Run All
Cells" leaves the ones below the visible part of the notebook showing variable
names, and so would keys pressed faster than the cells render. On a heavily
loaded machine a cell was also seen, rarely, to stay unevaluated after a run:
such a cell is run a second time, and the report lists it under
``evals_run_twice``.) When the kernel is idle and no cell is queued, a chapter
fails on:

- a code cell that did not run, an error output (except in cells tagged
  ``raises-exception``), anything on stderr (a traceback or a warning), in a
  cell's output or in a widget's;
- raw MyST markup in the rendered text of a markdown cell (a role, a directive or
  ``:::`` fence, a label line, a substitution), what jupyterlab-myst draws for
  markup it cannot resolve ("Citation Not Found", "Cross Reference Not Found",
  "Unknown Directive"), a KaTeX error, or markup that jupyterlab-myst drops or
  shows wrongly (``glue``, ``literalinclude``, ``bibliography``);
- an ``{eval}`` not shown as its value: jupyterlab-myst shows an unevaluated one
  as inline code naming the variable, and an error in the stderr style. The value
  is the one the kernel returned when the markdown cell ran, after the cells above
  it, as on the website (myst-nb evaluates each ``{eval}`` after the cells above
  it). It must be stored in the cell (``user_expressions``), not be empty,
  ``None``, ``nan`` or infinite, and appear in the rendered text;
- a first widget that is not live: the first widget with a slider or dropdown
  must be the live variant (``optlib-live-widget``), and moving its first control
  (ArrowRight on the focused slider handle, or the next dropdown option) must
  change its figure, waited for as a condition.

Links that jupyterlab-myst cannot resolve without a visible marker (glossary
terms defined on another page, ``#anchor`` links to figures and citations) go to
the report, not into failures: the reader sees the text, and the link goes
nowhere. A screenshot of each chapter, scrolled to its first widget after it
moved, goes to ``_build/screenshots/jupyter-<chapter>.png``; per-chapter timings,
counts, failures, those links and console errors to ``_build/jupyter-report.json``.

**Colab's condition** (marker ``colab``; alone: ``pytest tests/test_jupyter.py -m
colab``). A fresh virtual environment in a temporary folder gets ``optlib``
(built from a copy of the package's files, with its declared dependencies) and
``ipykernel``, nothing else. Each chapter is executed top to bottom by nbclient
(``jupyter execute``) in a kernel of that environment, in a temporary copy of
the chapter's folder; a last cell, added by the test, shows that ``optlib`` came
from that environment. A failure shows the cell's source and the traceback. These
runs are subprocesses started with the module's first test, in a background
thread, so they use the second core while the JupyterLab tests run.

Nothing here waits a fixed time: every wait is a condition with a timeout.
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import FIGURE_JS, ROOT, move_control

BUILD = ROOT / "_build"
SCREENSHOTS = BUILD / "screenshots"
REPORT = BUILD / "jupyter-report.json"

SERVER_START_S = 180  # JupyterLab's first start on a slow machine
OPEN_MS = 120_000  # a notebook opens and its kernel starts
STEP_MS = 60_000  # Shift+Enter moves the selection to the next cell
RUN_MS = 300_000  # every cell has run and the kernel is idle
EVAL_MS = 20_000  # jupyterlab-myst stores the values of a cell's {eval} once it runs
CHANGE_MS = 30_000  # a moved control changes its figure (the kernel redraws)

EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
# Markup left as text: any role ({term}`x`), a directive fence (```{x} or :::{x}),
# a bare colon fence line, a label line "(name)=", a substitution.
RAW_MARKUP = [
    (re.compile(r"\{[A-Za-z][\w:.+-]*\}`"), "a role"),
    (re.compile(r"(`{3,}|:{3,})\s*\{"), "a directive fence"),
    (re.compile(r"(^|\n)\s*:{3,}"), "a ':::' fence"),
    (re.compile(r"(^|\n)\s*\([\w.:-]+\)=\s*($|\n)"), "a label line"),
    (re.compile(r"\{\{[^}]*\}\}"), "a substitution"),
]
# Markup jupyterlab-myst (2.7) renders silently wrong: glue shows the key's name,
# literalinclude and bibliography show nothing.
UNSUPPORTED = [
    (re.compile(r"\{glue(:[a-z]+)?\}`"), "the glue role (Jupyter shows the key's name)"),
    (re.compile(r"[`:]{3,}\s*\{glue(:[a-z]+)?\}"), "the glue directive (not rendered)"),
    (re.compile(r"[`:]{3,}\s*\{literalinclude\}"), "literalinclude (Jupyter shows nothing)"),
    (re.compile(r"[`:]{3,}\s*\{bibliography\}"), "bibliography (Jupyter shows nothing)"),
]


def _chapters_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("--chapters")).resolve()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "chapter" in metafunc.fixturenames:
        names = sorted(p.name for p in _chapters_dir(metafunc.config).glob("*.ipynb"))
        metafunc.parametrize("chapter", names or ["(no chapters)"])


_REPORT: dict[str, Any] = {}


def _report_section(key: str) -> dict[str, Any]:
    return _REPORT.setdefault(key, {})


@pytest.fixture(scope="session", autouse=True)
def _jupyter_report() -> Iterator[None]:
    """Write ``_build/jupyter-report.json`` at the end; a run of one half (``-m
    colab``) keeps the other half's section from the previous run."""
    yield
    if not _REPORT:
        return
    old: dict[str, Any] = {}
    if REPORT.is_file():
        try:
            old = json.loads(REPORT.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
    old.update(_REPORT)
    BUILD.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _fresh_copy(source: Path, target: Path) -> Path:
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    return target


def _child_env(**extra: str) -> dict[str, str]:
    """The environment for Jupyter and kernels: live widgets, the default
    Matplotlib backend, nothing imported from the repository by path."""
    env = dict(os.environ)
    for name in ("OPTLIB_WIDGET_MODE", "MPLBACKEND", "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    env.update(extra)
    return env


def _jupyter() -> list[str]:
    """The ``jupyter`` command of the environment running the tests (``make``: .venv)."""
    jupyter = Path(sys.executable).parent / "jupyter"
    return [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_notebook(path: Path) -> Any:
    import nbformat
    from nbformat.validator import normalize

    with warnings.catch_warnings():  # a chapter without cell ids: given them below
        warnings.simplefilter("ignore", nbformat.warnings.MissingIDFieldWarning)
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    return nbformat.from_dict(normalize(nb)[1])


# --- JupyterLab -----------------------------------------------------------------


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT/
    token: str
    root: Path  # the temporary copy of the chapters that it serves
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def jupyter_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    """JupyterLab as ``make lab`` starts it, headless, on a copy of the chapters."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = _fresh_copy(_chapters_dir(request.config), base / "chapters")
    port, token = _free_port(), secrets.token_hex(16)
    # No news and update prompts (JupyterLab asks in a toast otherwise).
    notification = base / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )
    command = [
        *_jupyter(),
        "lab",
        str(root),
        *(["--allow-root"] if os.geteuid() == 0 else []),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--LabApp.user_settings_dir={base / 'settings'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # The test drives the notebook through JupyterLab's own objects (the
        # active cell, the kernel's status, the cells' execution counts).
        "--LabApp.expose_app_in_browser=True",
    ]
    log = base / "jupyterlab.log"
    lines: queue.Queue[str | None] = queue.Queue()
    process = subprocess.Popen(
        command,
        cwd=base,
        env=_child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )

    def pump() -> None:
        assert process.stdout is not None
        with log.open("w", encoding="utf-8") as out:
            for line in process.stdout:
                out.write(line)
                out.flush()
                lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:  # JupyterLab says when it listens: wait for that line
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                tail = log.read_text(encoding="utf-8")[-3000:]
                pytest.fail(f"JupyterLab did not start ({' '.join(command)}):\n{tail}")
            if "is running at" in line or f"127.0.0.1:{port}/" in line:
                break
        yield Lab(url=f"http://127.0.0.1:{port}/", token=token, root=root, log=log)
    finally:
        if process.poll() is None:
            process.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        reader.join(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


# The open notebook, through JupyterLab's application object.
PANEL_JS = "window.jupyterapp && window.jupyterapp.shell.currentWidget"
READY_JS = f"""(path) => {{
  const w = {PANEL_JS};
  if (!w || !w.context || w.context.path !== path || !w.context.isReady) return false;
  if (!w.sessionContext || !w.sessionContext.isReady) return false;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === "idle" &&
    w.content.widgets.length === w.model.cells.length && w.content.widgets.length > 0;
}}"""
ACTIVE_JS = f"(index) => ({PANEL_JS}).content.activeCellIndex === index"
# A markdown cell is rendered before the reader runs it (and must be: jupyterlab-myst
# takes the {eval} names from the rendered cell when it is run, and finds none in
# a cell it has not rendered yet, as happens when keys come faster than rendering).
RENDERED_JS = f"""(index) => {{
  const c = ({PANEL_JS}).content.widgets[index];
  if (c.model.type !== "markdown" || !c.model.sharedModel.getSource().trim()) return true;
  const md = c.node.querySelector(".myst, .jp-MarkdownOutput");
  return c.rendered && !!md && md.childElementCount > 0 &&
    (c.mystModel === undefined || !!(c.mystModel && c.mystModel.mdast));
}}"""
# Quiet: the kernel is idle and no code cell is queued or running.
QUIET_JS = f"""() => {{
  const w = {PANEL_JS};
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!kernel || kernel.status !== "idle") return false;
  const queued = (c) => /\\[\\*\\]/.test(c.promptNode ? c.promptNode.textContent : "");
  return !w.content.widgets.some((c) => c.model.type === "code" &&
    (c.model.executionState === "running" || queued(c)));
}}"""
# Finished: quiet, and either every code cell has an execution count or an error
# stopped the rest (JupyterLab aborts the queued cells, which keep no count).
FINISHED_JS = f"""() => {{
  if (!({QUIET_JS})()) return false;
  const code = ({PANEL_JS}).content.widgets.filter((c) => c.model.type === "code");
  const failed = code.some((c) => c.model.outputs.toJSON().some((o) => o.output_type === "error"));
  return failed || code.every((c) => c.model.executionCount !== null);
}}"""
EVAL_CELLS_JS = f"""() => ({PANEL_JS}).content.widgets.flatMap((c, index) =>
  c.model.type === "markdown" && /\\{{eval\\}}`/.test(c.model.sharedModel.getSource())
    ? [index] : [])"""
# The values of a markdown cell's {eval} are stored, and the rendered cell shows them:
# no {eval} name is still drawn as code (the DOM is redrawn after the metadata is set,
# and the last cell of a chapter is read right away). A name the source also writes
# as plain `code` may stay code.
STORED_JS = f"""(index) => {{
  const c = ({PANEL_JS}).content.widgets[index];
  if (!c.model.getMetadata("user_expressions")) return false;
  const source = c.model.sharedModel.getSource();
  const names = [...source.matchAll(/\\{{eval\\}}`([^`]+)`/g)].map((m) => m[1]);
  const plain = new Set([...source.matchAll(/(?<!\\}})`([^`]+)`/g)].map((m) => m[1]));
  const md = c.node.querySelector(".jp-MarkdownOutput, .myst");
  if (!md) return false;
  const codes = new Set([...md.querySelectorAll("code")].map((e) => e.textContent));
  return names.every((name) => plain.has(name) || !codes.has(name));
}}"""
CELLS_JS = f"""() => {{
  const w = {PANEL_JS};
  const skip = "pre, code, .katex, script, style";
  return w.content.widgets.map((c, index) => {{
    const cell = {{
      index, type: c.model.type, source: c.model.sharedModel.getSource(),
      tags: c.model.getMetadata("tags") || [],
    }};
    if (c.model.type === "code") {{
      cell.count = c.model.executionCount;
      cell.outputs = c.model.outputs.toJSON();
      cell.stderr_shown = [...c.node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map((e) => e.textContent);
    }} else if (c.model.type === "markdown") {{
      const md = c.node.querySelector(".jp-MarkdownOutput, .myst");
      cell.rendered = !!md && c.rendered;
      cell.user_expressions = c.model.getMetadata("user_expressions") || null;
      if (md) {{
        const copy = md.cloneNode(true);
        copy.querySelectorAll(skip).forEach((e) => e.remove());
        cell.prose = copy.textContent;
        cell.text = md.textContent;
        cell.codes = [...md.querySelectorAll("code")].map((e) => e.textContent);
        cell.stderr = [...md.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
          .map((e) => e.textContent);
        cell.not_found = [...md.querySelectorAll('[title$="Not Found"]')]
          .map((e) => `${{e.getAttribute("title")}}: ${{e.textContent}}`);
        cell.unknown = [...md.querySelectorAll("summary, .myst-exercise-title")]
          .map((e) => e.textContent).filter((t) => /Unknown (Directive|Role)/.test(t));
        cell.katex_errors = [...md.querySelectorAll(".katex-error")]
          .map((e) => e.getAttribute("title") || e.textContent);
      }}
    }}
    return cell;
  }});
}}"""
# The first widget with a control: marks its first control and its box.
FIND_WIDGET_JS = f"""() => {{
  const w = {PANEL_JS};
  for (const [index, c] of w.content.widgets.entries()) {{
    if (c.model.type !== "code") continue;
    const control = c.node.querySelector(
      ".jp-OutputArea .jupyter-widgets .noUi-handle, .jp-OutputArea .jupyter-widgets select");
    if (!control) continue;
    const box = control.closest(".optlib-widget") || control.closest(".jp-OutputArea-output");
    control.setAttribute("data-jupyter-test", "control");
    box.setAttribute("data-jupyter-test", "widget");
    return {{index, live: !!control.closest(".optlib-live-widget"),
             static: !!control.closest(".optlib-static-widget")}};
  }}
  return null;
}}"""
# Shut the kernel down, save (into the temporary copy) and close the notebook.
CLOSE_JS = f"""async () => {{
  const w = {PANEL_JS};
  if (!w || !w.sessionContext) return;
  const within = (promise) => Promise.race([promise, new Promise((r) => setTimeout(r, 30000))]);
  await within(w.sessionContext.shutdown());
  await within(w.context.save());
  w.close();
}}"""


def _markdown_failures(cell: dict[str, Any]) -> list[str]:
    where = f"markdown cell {cell['index']}"
    if not cell.get("rendered"):
        return [f"{where} is not rendered: {_excerpt(cell['source'])}"]
    failures = []
    source, prose = cell["source"], cell.get("prose", "")
    for pattern, what in RAW_MARKUP:
        match = pattern.search(prose)
        if match:
            start = max(0, match.start() - 40)
            failures.append(f"{where}: raw MyST markup ({what}): …{_excerpt(prose[start:], 100)}")
    for pattern, what in UNSUPPORTED:
        if pattern.search(source):
            failures.append(f"{where} uses {what}")
    for marker in dict.fromkeys(cell.get("not_found", []) + cell.get("unknown", [])):
        failures.append(f"{where}: jupyterlab-myst shows {marker!r}")
    for error in cell.get("katex_errors", []):
        failures.append(f"{where}: math error: {_excerpt(error)}")
    failures += _eval_failures(cell, where)
    return failures


def _eval_failures(cell: dict[str, Any], where: str) -> list[str]:
    names = EVAL_ROLE.findall(cell["source"])
    if not names:
        return []
    failures = []
    stored = {e.get("expression"): e.get("result", {}) for e in cell["user_expressions"] or []}
    text = " ".join(cell.get("text", "").split())
    plain_code = set(re.findall(r"(?<!\})`([^`]+)`", cell["source"]))
    for name in names:
        result = stored.get(name)
        if result is None or (name in cell.get("codes", []) and name not in plain_code):
            failures.append(
                f"{where}: {{eval}}`{name}` not evaluated (shown as the code {name!r})"
            )
            continue
        if result.get("status") != "ok":
            failures.append(
                f"{where}: {{eval}}`{name}` raised {result.get('ename')}: {result.get('evalue')}"
            )
            continue
        value = result.get("data", {}).get("text/plain")
        if value is None:
            continue  # rendered from another MIME type (HTML, an image): nothing to compare
        value = re.sub(r"^(['\"])(.*)\1$", r"\2", value, flags=re.S)  # as jupyterlab-myst shows it
        shown = " ".join(value.split())
        if shown in ("", "None", "nan", "NaN", "inf", "-inf"):
            failures.append(f"{where}: {{eval}}`{name}` shows {value!r}, not a number")
        elif shown not in text:
            failures.append(f"{where}: {{eval}}`{name}` = {value!r} is not in the rendered text")
    if not any(" raised " in f for f in failures):  # an error shown by another route
        for error in cell.get("stderr", []):
            failures.append(f"{where}: an inline expression shows an error: {_excerpt(error)}")
    return failures


def _code_failures(cell: dict[str, Any]) -> list[str]:
    first_line = cell["source"].splitlines()[0] if cell["source"] else ""
    where = f"code cell {cell['index']} ({_excerpt(first_line, 60)})"
    failures = []
    allowed = "raises-exception" in cell["tags"]
    for output in cell["outputs"]:
        if output.get("output_type") == "error" and not allowed:
            failures.append(
                f"{where} raised {output.get('ename')}: {_excerpt(output.get('evalue', ''))}"
            )
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = "".join(output.get("text", ""))
            kind = "a traceback" if "Traceback" in text else "stderr"
            failures.append(f"{where} printed {kind}: {_excerpt(text)}")
    if cell["count"] is None and not failures:
        failures.append(f"{where} did not run")
    return failures


def _evals_stored(page: Any, index: int, last: bool) -> bool:
    """Wait for jupyterlab-myst to store the values of a markdown cell's {eval};
    if it does not, run the cell once more (seen rarely on a loaded machine: the
    cell stays showing variable names) and wait again. False if it took two runs;
    a cell still without values is reported by the checks that follow."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(STORED_JS, arg=index, timeout=EVAL_MS)
        return True
    except PlaywrightTimeoutError:
        pass
    if not last:
        page.keyboard.press("ArrowUp")
        page.wait_for_function(ACTIVE_JS, arg=index, timeout=STEP_MS)
    page.keyboard.press("Control+Enter")
    try:
        page.wait_for_function(STORED_JS, arg=index, timeout=EVAL_MS)
    except PlaywrightTimeoutError:
        pass
    if not last:
        page.keyboard.press("ArrowDown")
        page.wait_for_function(ACTIVE_JS, arg=index + 1, timeout=STEP_MS)
    return False


class LabPage:
    """One JupyterLab page for the session (the application loads once); what
    it logs is collected for the chapter being tested."""

    def __init__(self, lab: Lab, browser: Any) -> None:
        self.lab = lab
        self.failures: list[str] = []
        self.console: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        self.context.set_default_timeout(OPEN_MS)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        self.load()

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.lab.url):
            route.continue_()
        else:
            self.failures.append(f"request to another host: {route.request.url}")
            route.abort()

    def load(self) -> None:
        self.page.goto(f"{self.lab.url}lab?reset&token={self.lab.token}")
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.mode !== undefined &&"
            " document.querySelector('#jp-main-dock-panel')",
            timeout=OPEN_MS,
        )
        self.page.evaluate("() => window.jupyterapp.restored")

    def start(self) -> tuple[list[str], list[str]]:
        self.failures, self.console = [], []
        return self.failures, self.console


@pytest.fixture(scope="session")
def lab_page(jupyter_lab: Lab, browser: Any) -> Iterator[LabPage]:
    page = LabPage(jupyter_lab, browser)
    try:
        yield page
    finally:
        page.context.close()


def _dead_references(console: list[str]) -> list[str]:
    """Targets jupyterlab-myst could not resolve (it logs them; the reader sees a
    link that goes nowhere): glossary terms, figure and citation anchors."""
    found = set()
    for message in console:
        found.update(re.findall(r'No target for internal reference "([^"]+)"', message))
        found.update(re.findall(r"Cross reference target was not found: ([^\n]+)", message))
    return sorted(found)


@pytest.mark.jupyterlab
def test_chapter_in_jupyterlab(chapter: str, lab_page: LabPage) -> None:
    from playwright.sync_api import Error as PlaywrightError

    if not (lab_page.lab.root / chapter).is_file():
        pytest.fail(f"no chapter notebooks in {lab_page.lab.root}")
    try:
        _read_notebook(lab_page.lab.root / chapter)
    except Exception as error:  # JupyterLab would not open it: say why at once
        pytest.fail(f"{chapter} is not a readable notebook: {error}", pytrace=False)
    failures, console = lab_page.start()
    page = lab_page.page
    report: dict[str, Any] = {"failures": failures}
    _report_section("jupyterlab")[chapter] = report
    started = time.monotonic()
    broken = False
    try:
        page.evaluate(
            "(path) => { window.jupyterapp.commands.execute('docmanager:open', {path}); }",
            chapter,
        )
        page.wait_for_function(READY_JS, arg=chapter, timeout=OPEN_MS)
        n_cells = page.evaluate(f"() => ({PANEL_JS}).content.widgets.length")
        report["seconds_to_open"] = round(time.monotonic() - started, 1)

        # Select the first cell and leave edit mode, as a reader would.
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.click(
            position={"x": 5, "y": 5}
        )
        page.keyboard.press("Escape")
        page.wait_for_function(
            f"() => ({PANEL_JS}).content.activeCellIndex === 0 &&"
            f" ({PANEL_JS}).content.mode === 'command'"
        )
        run_started = time.monotonic()
        with_evals = set(page.evaluate(EVAL_CELLS_JS))
        report["evals_run_twice"] = []
        for index in range(n_cells):
            page.wait_for_function(RENDERED_JS, arg=index, timeout=STEP_MS)
            if index in with_evals:  # the reader reads on once the cells above have run
                page.wait_for_function(QUIET_JS, timeout=RUN_MS)
            last = index == n_cells - 1
            page.keyboard.press("Control+Enter" if last else "Shift+Enter")  # run (and move on)
            if not last:
                page.wait_for_function(ACTIVE_JS, arg=index + 1, timeout=STEP_MS)
            if index in with_evals and not _evals_stored(page, index, last):
                report["evals_run_twice"].append(index)
        page.wait_for_function(FINISHED_JS, timeout=RUN_MS)
        report["seconds_to_run"] = round(time.monotonic() - run_started, 1)

        cells = page.evaluate(CELLS_JS)
        report["cells"] = len(cells)
        report["evals"] = sum(len(EVAL_ROLE.findall(c["source"])) for c in cells)
        for cell in cells:
            if cell["type"] == "markdown":
                failures += _markdown_failures(cell)
            elif cell["type"] == "code":
                failures += _code_failures(cell)

        report["widget"] = _check_first_widget(page, failures)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"jupyter-{Path(chapter).stem}.png")
        # A widget's callback prints a traceback or a warning into the widget.
        shown = page.evaluate(
            f"""() => [...({PANEL_JS}).node.querySelectorAll(".jupyter-widgets " +
              '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
              .map((e) => e.textContent)"""
        )
        for text in shown:
            failures.append(f"stderr in a widget's output: {_excerpt(text)}")
    except PlaywrightError as error:  # a timeout, or the page went wrong
        broken = True
        failures.append(f"{type(error).__name__}: {_excerpt(str(error), 300)}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"jupyter-{Path(chapter).stem}.png")
    finally:
        try:
            page.evaluate(CLOSE_JS)
        except Exception:  # the page is in a bad state: start the next chapter afresh
            broken = True
        if broken:
            lab_page.load()
        report["seconds_total"] = round(time.monotonic() - started, 1)
        report["dead_references"] = _dead_references(console)
        report["console_errors"] = sorted(
            {m for m in console if "internal reference" not in m and "target was not" not in m}
        )[:20]
    assert not failures, f"{chapter} in JupyterLab:\n  " + "\n  ".join(failures)


def _check_first_widget(page: Any, failures: list[str]) -> str:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    found = page.evaluate(FIND_WIDGET_JS)
    if found is None:
        failures.append("no widget with a slider or dropdown in the outputs")
        return "none"
    where = f"the first widget (code cell {found['index']})"
    if not found["live"]:
        kind = "the static website variant" if found["static"] else "not an optlib live widget"
        failures.append(f"{where} is {kind}: in Jupyter it must be live")
    box = page.locator('[data-jupyter-test="widget"]')
    control = page.locator('[data-jupyter-test="control"]')
    box.scroll_into_view_if_needed()
    before = box.evaluate(FIGURE_JS)
    if not before:
        failures.append(f"{where} shows no image")
        return "no image"
    action = move_control(page, control)
    try:
        page.wait_for_function(
            f"async ([box, before]) => (await ({FIGURE_JS})(box)) !== before",
            arg=[box.element_handle(), before],
            timeout=CHANGE_MS,
        )
    except PlaywrightTimeoutError:
        failures.append(f"{where}: {action}, and its figure did not change")
        return f"cell {found['index']}: {action}: no change"
    box.scroll_into_view_if_needed()
    return f"cell {found['index']}: {action}: figure changed"


# --- Colab's condition: a kernel with only optlib ---------------------------------

PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE.md", "setup.cfg", "setup.py")
KERNEL = "bare-optlib"
WHERE_FROM = "import sys, optlib\nprint(sys.prefix)\nprint(optlib.__file__)"
COLAB_CHAPTER_S = 900  # one chapter, all its cells, in the bare kernel


@dataclass
class ColabRun:
    seconds: float
    failure: str = ""  # empty when the chapter ran to the end
    prefix: str = ""  # what the last cell printed: sys.prefix
    module: str = ""  # and optlib.__file__


class ColabRunner:
    """Builds the bare environment and executes the chapters in it, one after
    the other, in a background thread of subprocesses (``pip``, ``jupyter
    execute``): it runs while the JupyterLab tests use the other core."""

    def __init__(self, chapters: Path, names: list[str], base: Path) -> None:
        import nbformat

        self.base, self.names = base, names
        self.prefix = base / "venv"
        self.results: dict[str, ColabRun] = {}
        self.done = {name: threading.Event() for name in names}
        self.setup_seconds = 0.0
        self._stop = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self.copies = {}  # every chapter in a copy of its folder, with the check cell
        for name in names:
            folder = _fresh_copy(chapters, base / Path(name).stem / chapters.name)
            try:
                nb = _read_notebook(folder / name)
            except Exception as error:  # not a notebook (being edited?): that chapter fails
                self.results[name] = ColabRun(0.0, f"not a readable notebook: {error}")
                self.done[name].set()
                continue
            nb.cells.append(nbformat.v4.new_code_cell(WHERE_FROM))
            nbformat.write(nb, folder / name)
            self.copies[name] = folder / name
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _call(self, command: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
        self._process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        try:
            output, _ = self._process.communicate(timeout=COLAB_CHAPTER_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            output, _ = self._process.communicate()
            return -1, f"{output}\n(timed out after {COLAB_CHAPTER_S} s)"
        return self._process.returncode, output

    def _setup(self) -> str:
        """The fresh environment and its kernel spec; a failure's text, or ''."""
        package = self.base / "optlib-src"  # the package's files only
        package.mkdir()
        for name in PACKAGE_FILES:
            if (ROOT / name).is_file():
                shutil.copy2(ROOT / name, package / name)
        shutil.copytree(
            ROOT / "optlib", package / "optlib", ignore=shutil.ignore_patterns("__pycache__")
        )
        python = self.prefix / "bin" / "python"
        install = [str(package), "ipykernel"]  # and optlib's declared dependencies
        steps = [  # the main environment's pip installs into it: it needs no pip of its own
            [sys.executable, "-m", "venv", "--without-pip", str(self.prefix)],
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *install],
        ]
        for step in steps:
            code, output = self._call(step, _child_env(), self.base)
            if code != 0:
                return f"{' '.join(step)} failed:\n{output[-4000:]}"
        spec = self.base / "jupyter" / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python (optlib only)",
                    "language": "python",
                }
            ),
            encoding="utf-8",
        )
        return ""

    def _execute(self, name: str) -> ColabRun:
        started = time.monotonic()
        notebook = self.copies[name]
        env = _child_env(
            PATH=str(self.prefix / "bin") + os.pathsep + os.environ.get("PATH", ""),
            VIRTUAL_ENV=str(self.prefix),
            JUPYTER_PATH=str(self.base / "jupyter"),
        )
        command = [*_jupyter(), "execute", f"--kernel_name={KERNEL}", "--output=executed"]
        command += ["--timeout=600", "--startup_timeout=300", notebook.name]
        code, output = self._call(command, env, notebook.parent)
        seconds = round(time.monotonic() - started, 1)
        if code != 0:
            output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # the traceback's colours
            start = output.find("CellExecutionError:")
            return ColabRun(seconds, output[start:] if start >= 0 else output[-6000:])
        # Plain JSON: nbformat's validation may warn, and this is not the main thread.
        executed = json.loads((notebook.parent / "executed.ipynb").read_text(encoding="utf-8"))
        outputs = executed["cells"][-1].get("outputs", [])
        printed = "".join(
            "".join(o.get("text", "")) for o in outputs if o.get("name") == "stdout"
        ).split()
        if len(printed) != 2:
            return ColabRun(seconds, f"the check cell printed {printed}")
        return ColabRun(seconds, prefix=printed[0], module=printed[1])

    def _run(self) -> None:
        started = time.monotonic()
        failure = self._setup()
        self.setup_seconds = round(time.monotonic() - started, 1)
        for name in self.names:
            if self._stop.is_set():
                break
            if name not in self.copies:
                continue  # failed already
            if failure:
                self.results[name] = ColabRun(0.0, failure)
            else:
                try:
                    self.results[name] = self._execute(name)
                except Exception as error:  # reported by the chapter's test
                    self.results[name] = ColabRun(0.0, f"{type(error).__name__}: {error}")
            self.done[name].set()

    def result(self, name: str) -> ColabRun:
        budget = COLAB_CHAPTER_S * (1 + self.names.index(name)) + SERVER_START_S
        if not self.done[name].wait(timeout=budget):
            pytest.fail(f"{name}: no result from the bare kernel within {budget} s")
        return self.results[name]

    def stop(self) -> None:
        self._stop.set()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        self.thread.join(timeout=60)


def _colab_chapters(session: pytest.Session) -> list[str]:
    return [
        item.callspec.params["chapter"]
        for item in session.items
        if item.get_closest_marker("colab") and hasattr(item, "callspec")
    ]


@pytest.fixture(scope="session")
def colab_runner(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ColabRunner]:
    chapters = _chapters_dir(request.config)
    names = [n for n in _colab_chapters(request.session) if (chapters / n).is_file()]
    runner = ColabRunner(chapters, names, tmp_path_factory.mktemp("colab"))
    try:
        yield runner
    finally:
        runner.stop()
        _report_section("colab")["(environment set-up)"] = {"seconds": runner.setup_seconds}


@pytest.fixture(autouse=True)
def _colab_starts_first(request: pytest.FixtureRequest) -> None:
    """Start the bare-kernel runs with the session's first test of this module."""
    if _colab_chapters(request.session):
        request.getfixturevalue("colab_runner")


@pytest.mark.colab
def test_chapter_runs_with_only_optlib(chapter: str, colab_runner: ColabRunner) -> None:
    if chapter not in colab_runner.names:
        pytest.fail(f"no chapter notebook {chapter}")
    run = colab_runner.result(chapter)
    _report_section("colab")[chapter] = {"seconds": run.seconds, "failure": run.failure}
    if run.failure:
        pytest.fail(f"{chapter} fails in a kernel with only optlib:\n{run.failure}", pytrace=False)
    prefix = Path(run.prefix).resolve()
    assert prefix == colab_runner.prefix.resolve(), f"the kernel ran in {prefix}"
    assert prefix in Path(run.module).resolve().parents, f"optlib imported from {run.module}"
