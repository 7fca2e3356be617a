"""The chapters are written once for two media (CONTRIBUTING.md, "One source, two media").

The website (myst-nb) and JupyterLab / Notebook 7 (jupyterlab-myst) render a
common subset of MyST. These checks read the notebooks, without running them,
and refuse what only one of the two renders, so that a chapter cannot drift
back into reading well in one medium only. ``tests/test_jupyter.py`` then
looks at the chapters in a real JupyterLab.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
    (ROOT / "appendices").glob("*.ipynb")
)
HIDDEN_ON_THE_WEBSITE = {"remove-cell", "remove-input", "hide-input", "hide-cell"}

# What only the website renders, and what to write instead.
WEBSITE_ONLY = {
    r"\{glue(:\w+)?\}`": "{eval}`name` with `name` a string set in an earlier code cell",
    r"\{numref\}`": "[words](#fig-label): a link with words (jupyterlab-myst shows no number)",
    r"\{cite:\w+\}`": "[Author (Year)](#bibkey): the website turns it into the citation",
    r"\{ref\}`": "[words](#label)",
    r"\{doc\}`": "[words](path.md)",
    r"```\{literalinclude\}": "a code cell calling optlib.show_source(...), tagged remove-input",
}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _assigned_names(code: str) -> set[str]:
    """Names a code cell binds at the top level (assignments, for, imports, def)."""
    names: set[str] = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 8


def test_markdown_uses_only_what_both_media_render(notebook):
    found = []
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] != "markdown":
            continue
        for pattern, instead in WEBSITE_ONLY.items():
            for match in re.finditer(pattern, _source(cell)):
                found.append(f"cell {index}: {match.group(0)!r}; write {instead}")
    assert not found, "\n".join(found)


def test_no_code_needs_the_book_build(notebook):
    """Colab and a plain kernel have optlib and its dependencies only."""
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] == "code":
            code = _source(cell)
            assert not re.search(
                r"^\s*(from|import)\s+(myst_nb|sphinx|jupyter_book)\b", code, re.M
            ), f"cell {index} imports a build tool"


def test_every_eval_is_defined_by_an_earlier_code_cell(notebook):
    """myst-nb and jupyterlab-myst evaluate a number where the prose stands."""
    defined: set[str] = set()
    missing = []
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] == "code":
            defined |= _assigned_names(_source(cell))
            continue
        for name in re.findall(r"\{eval\}`([^`]*)`", _source(cell)):
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                missing.append(f"cell {index}: {{eval}}`{name}` is not a plain name")
            elif name not in defined:
                missing.append(f"cell {index}: {{eval}}`{name}` before any cell sets {name}")
    assert not missing, "\n".join(missing)


def test_cells_hidden_on_the_website_are_collapsed_in_jupyter(notebook):
    """Verification, install and folded cells: collapsed (jupyter.source_hidden)."""
    open_cells = []
    for index, cell in enumerate(_cells(notebook)):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and tags & HIDDEN_ON_THE_WEBSITE:
            if not cell["metadata"].get("jupyter", {}).get("source_hidden"):
                open_cells.append(f"cell {index} {sorted(tags)}")
    assert not open_cells, "set metadata.jupyter.source_hidden: " + ", ".join(open_cells)
