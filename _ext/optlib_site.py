"""The book's website glue: a local Sphinx extension wired in ``_config.yml``.

What it does, in the order Sphinx runs it:

* On load, it sets ``OPTLIB_WIDGET_MODE=static`` in this process's environment.
  The kernels that myst-nb starts to execute the chapters inherit it, so
  ``optlib``'s widgets render their precomputed, kernel-free counterpart on the
  website. In Jupyter and under nbval the variable is absent: widgets are live.
* Launch buttons (Binder, Colab) need the book's public repository, set in one
  place: ``repository.url`` in ``_config.yml``. While it is empty this extension
  removes the launch providers, so no button points anywhere wrong (the theme
  would otherwise fail, and Jupyter Book falls back to its own repository).
* It adds ``static/optlib-site.js`` to every page: settings and a small shim
  that make the theme, MathJax 3 and the ipywidgets manager work together (see
  the comments in that file). The theme already shows widgets on a light panel
  in dark mode.
* It drops a page's duplicated ``<script>``/``<link>`` tags (sphinx-thebe under
  Sphinx 7.4 injects its ``const`` config twice: a console SyntaxError).
* Before an HTML build writes pages, it copies the vendored files from
  ``book_assets/`` to ``_static/book_assets/`` (not a root ``_static/`` folder:
  Jupyter Book would add every script in it to every page) and checks that each
  local script the configuration names (``mathjax_path``, ``nb_ipywidgets_js``)
  exists in the built site, so a typo fails the ``-W`` build instead of the page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset

WIDGET_MODE_VARIABLE = "OPTLIB_WIDGET_MODE"
LAUNCH_PROVIDERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url")
# The folders of book_assets/ that are published (README.md and the install
# cell stay in the repository only).
PUBLISHED_ASSETS = ("mathjax", "widgets")
STATIC_DIR = Path(__file__).parent / "static"

logger = logging.getLogger(__name__)


def repository_url(config: Config) -> str:
    """The book's public repository (``repository.url`` in ``_config.yml``), or ''."""
    return (config.html_theme_options.get("repository_url") or "").strip()


def _configure(app: Sphinx, config: Config) -> None:
    options = dict(config.html_theme_options)
    launch = dict(options.get("launch_buttons") or {})
    if not repository_url(config):
        removed = [key for key in LAUNCH_PROVIDERS if launch.pop(key, None)]
        if removed:
            logger.info(
                "optlib_site: repository.url is empty in _config.yml, so no launch buttons (%s)",
                ", ".join(removed),
            )
        options["launch_buttons"] = launch
        config.html_theme_options = options
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]


def _dedupe_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if not files:
            continue
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        unique = []
        for asset in files:
            attributes = getattr(asset, "attributes", {}) or {}
            # An inline script is registered once with filename None and once
            # with "" (sphinx-thebe's config, togglebutton's selector).
            ident = (
                str(getattr(asset, "filename", asset) or ""),
                tuple(sorted((str(k), str(v)) for k, v in attributes.items())),
            )
            if ident not in seen:
                seen.add(ident)
                unique.append(asset)
        context[key] = unique


def _local_assets(app: Sphinx) -> list[str]:
    """The configured scripts that must be served by the site itself."""
    names = [*app.config.nb_ipywidgets_js]
    if app.config.html_math_renderer == "mathjax":
        names.append(app.config.mathjax_path)
    return [name for name in names if "://" not in name and not name.startswith("//")]


def _publish_assets(app: Sphinx) -> None:
    # At builder-inited, like Sphinx's own static files: the pages written later
    # then get a cache-busting ?v=checksum on these scripts too.
    if app.builder.format != "html":
        return
    source = Path(app.srcdir) / "book_assets"
    static = Path(app.outdir) / "_static"
    for name in PUBLISHED_ASSETS:
        if name == "mathjax" and app.config.html_math_renderer != "mathjax":
            continue  # formulas are MathML from the build (_ext/optlib_math.py)
        copy_asset(str(source / name), str(static / "book_assets" / name))
    for name in _local_assets(app):
        if not (static / name.split("?")[0]).is_file():
            logger.warning(
                "optlib_site: the site has no _static/%s, named in _config.yml;"
                " vendor it into book_assets/ (tools/vendor_assets.sh)",
                name,
            )


def _run_removed_cells_in_place(app: Sphinx, docname: str, source: list[str]) -> None:
    """Let a chapter's hidden verification cells run where they stand.

    With inline execution (``_config.yml``), myst-nb drops a ``remove-cell``
    code cell before rendering and runs it only when the next shown code cell
    runs: an ``{eval}`` in the prose right after it would find no value.
    ``remove-input`` with ``remove-output`` shows nothing either, but runs the
    cell in place (MyST-NB issue 418). The notebook files are not changed.
    """
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    notebook = json.loads(source[0])
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and "remove-cell" in tags:
            kept = [tag for tag in tags if tag != "remove-cell"]
            cell["metadata"]["tags"] = [*kept, "remove-input", "remove-output"]
    source[0] = json.dumps(notebook)


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ[WIDGET_MODE_VARIABLE] = "static"
    app.connect("config-inited", _configure)
    app.connect("source-read", _run_removed_cells_in_place)
    app.connect("html-page-context", _dedupe_assets, priority=900)
    app.connect("builder-inited", _publish_assets)
    # Before the theme's scripts (Font Awesome reads its settings when it loads).
    app.add_js_file("optlib-site.js", priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
