"""Write the install cell into every chapter, from ``repository`` in ``_config.yml``.

``_config.yml`` is the one place where the book's public repository is set
(``repository.url``, ``repository.branch``). The launch buttons read it there;
the notebooks cannot, so this script copies it into the first code cell of each
chapter: the guarded cell that installs ``optlib`` when a chapter runs on Colab
without it (Binder installs it with the requirements). The cell's text is also written to
``book_assets/install_cell.py`` for reading and review.

    python tools/sync_launch.py           # rewrite the cells that differ
    python tools/sync_launch.py --check   # list what differs; exit 1 if anything

A chapter without the cell gets it inserted as its first cell. The chapters are
the ``.ipynb`` files that ``_toc.yml`` lists. ``tests/test_site.py`` runs the
check, so a chapter whose cell disagrees with ``_config.yml`` fails the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CELL_FILE = ROOT / "book_assets" / "install_cell.py"
MARKER = "# On Colab, install optlib first (elsewhere this cell does nothing)."
TAGS = ["remove-cell"]
# The first lines of earlier versions of the cell: sync removes such cells.
LEGACY_MARKERS = ("# Install optlib when this notebook runs on Colab or Binder without it.",)
# Collapsed in JupyterLab and Notebook 7, as it is absent from the website.
HIDDEN = {"source_hidden": True, "outputs_hidden": True}

# Binder installs the requirements and optlib itself (binder/postBuild); on
# Colab this cell adds optlib and what it declares (numpy, matplotlib,
# ipywidgets: Colab already has them).
TEMPLATE = """\
{marker}
import importlib.util, subprocess, sys  # noqa: E401, I001

if "google.colab" in sys.modules and importlib.util.find_spec("optlib") is None:
    REPOSITORY, BRANCH = {repository}, {branch}  # from the book's _config.yml
    assert REPOSITORY, "repository.url is not set in the book's _config.yml"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"optlib @ git+{{REPOSITORY}}@{{BRANCH}}"], check=True)  # fmt: skip
"""


def read_repository(config_file: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository as ``_config.yml`` sets them."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    repository = config.get("repository") or {}
    url = str(repository.get("url") or "").strip().rstrip("/").removesuffix(".git")
    branch = str(repository.get("branch") or "main").strip()
    return url, branch


def cell_text(url: str, branch: str) -> str:
    """The exact source of the install cell (ruff-formatted, no trailing newline)."""
    text = TEMPLATE.format(marker=MARKER, repository=json.dumps(url), branch=json.dumps(branch))
    return text.rstrip("\n")


def chapters(toc_file: Path = ROOT / "_toc.yml") -> list[Path]:
    """The notebooks that ``_toc.yml`` lists, in order."""

    def files(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root") and isinstance(value, str):
                    yield value
                else:
                    yield from files(value)
        elif isinstance(node, list):
            for item in node:
                yield from files(item)

    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    found = []
    for name in files(toc):
        path = ROOT / name
        path = path if path.suffix == ".ipynb" else path.with_name(path.name + ".ipynb")
        if path.is_file():
            found.append(path)
    return found


def _install_cell_index(notebook: nbformat.NotebookNode) -> int | None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source.startswith(MARKER):
            return index
    return None


def _legacy_cells(notebook: nbformat.NotebookNode) -> list[int]:
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.source.startswith(LEGACY_MARKERS)
    ]


def problems(url: str, branch: str) -> list[str]:
    """What disagrees with ``_config.yml``; empty when everything is in sync."""
    text = cell_text(url, branch)
    found = []
    if not CELL_FILE.is_file() or CELL_FILE.read_text(encoding="utf-8") != text + "\n":
        found.append(f"{CELL_FILE.relative_to(ROOT)} differs from _config.yml")
    for path in chapters():
        notebook = nbformat.read(path, as_version=4)
        index = _install_cell_index(notebook)
        name = path.relative_to(ROOT)
        if _legacy_cells(notebook):
            found.append(f"{name}: an earlier version of the install cell is still there")
        if index is None:
            found.append(f"{name}: no install cell")
            continue
        cell = notebook.cells[index]
        if any(c.cell_type == "code" for c in notebook.cells[:index]):
            found.append(f"{name}: the install cell is not the first code cell")
        if cell.source != text:
            found.append(f"{name}: the install cell differs from _config.yml")
        if not set(TAGS) <= set(cell.metadata.get("tags", [])):
            found.append(f"{name}: the install cell lacks the tags {TAGS}")
        if cell.metadata.get("jupyter") != HIDDEN:
            found.append(f"{name}: the install cell is not collapsed in Jupyter ({HIDDEN})")
    return found


def sync(url: str, branch: str) -> list[Path]:
    """Rewrite what differs; return the files written."""
    text = cell_text(url, branch)
    written = []
    if not CELL_FILE.is_file() or CELL_FILE.read_text(encoding="utf-8") != text + "\n":
        CELL_FILE.write_text(text + "\n", encoding="utf-8")
        written.append(CELL_FILE)
    for path in chapters():
        notebook = nbformat.read(path, as_version=4)
        legacy = _legacy_cells(notebook)
        for index in reversed(legacy):
            del notebook.cells[index]
        index = _install_cell_index(notebook)
        if index is None:
            cell = nbformat.v4.new_code_cell(
                text, metadata={"tags": list(TAGS), "jupyter": dict(HIDDEN)}
            )
            if notebook.nbformat_minor < 5:
                del cell["id"]  # cell ids came with nbformat 4.5
            notebook.cells.insert(0, cell)
        else:
            cell = notebook.cells[index]
            tags = cell.metadata.get("tags", [])
            hidden = cell.metadata.get("jupyter") == HIDDEN
            if cell.source == text and set(TAGS) <= set(tags) and hidden and not legacy:
                continue
            cell.source = text
            cell.metadata["tags"] = [*tags, *(t for t in TAGS if t not in tags)]
            cell.metadata["jupyter"] = dict(HIDDEN)
            cell.outputs = []
            cell.execution_count = None
        nbformat.write(notebook, path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; exit 1 on drift")
    args = parser.parse_args(argv)
    url, branch = read_repository()
    if args.check:
        found = problems(url, branch)
        for line in found:
            print(line)
        return 1 if found else 0
    for path in sync(url, branch):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
