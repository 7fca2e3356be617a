"""The theme's stylesheets without the rules no page can use.

A local Sphinx extension (``_config.yml``, ``local_extensions``). Measured with
Lighthouse (``benchmarks/NOTES-website.md``), the first paint of a chapter on
the mobile setting waited for the theme's render-blocking stylesheets, above
all ``pydata-sphinx-theme.css``: 397 KB (65 KB gzipped) of Bootstrap 5 and
theme rules, most of them for components and utility classes this book never
uses. When the HTML build finishes (after ``optlib_lean`` has rewritten the
pages), this extension rewrites the big third-party stylesheets in
``_static/`` in place, keeping a rule's selector unless it needs a class or an
id that appears nowhere the browser could get it from:

* the built pages (every word of every page, so class names in attributes,
  inline scripts and templates all count),
* every script a page loads, and the widget manager and widget state the pages
  load lazily (``data-embed`` and ``data-state``): classes that scripts add at
  run time (Bootstrap's ``show``, the theme's dark-mode toggles, the widgets'
  own classes) are words in those files.

Only simple parts of a selector are judged: a ``.class`` or ``#id`` at the top
level of it (inside ``:not()``, ``:is()``, ``:where()``, ``:has()`` nothing is
judged, so such a selector stays). Rules without a class or id (element,
attribute such as ``html[data-theme=dark]``, custom properties, ``@font-face``,
``@keyframes``) always stay, so colours, dark mode and fonts are untouched.
A selector list keeps its usable selectors; a rule with none left goes, and so
does an ``@media``/``@supports`` block left empty. The source-map comment goes
too (the map no longer matches). tinycss2 (already installed with nbconvert)
parses the CSS.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The stylesheets rewritten (paths inside ``_static/``): the theme's, Sphinx
#: Design's and MyST-NB's, which every page loads and which are mostly unused.
PRUNED = (
    "styles/pydata-sphinx-theme.css",
    "sphinx-design.min.css",
    "mystnb.*.css",
    "basic.css",
    "styles/sphinx-book-theme.css",
)
WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
SCRIPT_SRC_RE = re.compile(r"<script\b[^>]*\bsrc=\"([^\"?#]+)")
LAZY_RE = re.compile(r"\bdata-(?:embed|state)=\"([^\"?#]+)")
SOURCE_MAP_RE = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")
NESTED_AT_RULES = ("media", "supports", "layer", "container", "document")


def _pages(outdir: Path) -> list[Path]:
    return [
        p
        for p in sorted(outdir.rglob("*.html"))
        if not any(part.startswith("_") for part in p.relative_to(outdir).parts[:-1])
    ]


def used_words(outdir: Path) -> set[str]:
    """Every word of the pages, of the scripts they load and of their lazy widget files."""
    words: set[str] = set()
    files: set[Path] = set()
    for page in _pages(outdir):
        text = page.read_text(encoding="utf-8")
        words |= set(WORD_RE.findall(html.unescape(text)))
        for url in SCRIPT_SRC_RE.findall(text) + LAZY_RE.findall(text):
            if "://" not in url:
                path = (page.parent / html.unescape(url)).resolve()
                if path.is_file():
                    files.add(path)
    for path in files:
        words |= set(WORD_RE.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def _split_selectors(prelude: list[Any]) -> list[list[Any]]:
    """A rule's prelude split at its top-level commas."""
    selectors: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def selector_names(tokens: list[Any]) -> list[str]:
    """The classes and ids a selector needs at its top level (not inside functions)."""
    names = []
    previous = None
    for token in tokens:
        if token.type == "ident" and previous is not None:
            if previous.type == "literal" and previous.value == ".":
                names.append(token.value)
        if token.type == "hash" and token.is_identifier:
            names.append(token.value)
        previous = token
    return names


def _usable(tokens: list[Any], words: set[str]) -> bool:
    return all(name in words for name in selector_names(tokens))


def prune_rules(rules: Iterable[Any], words: set[str]) -> tuple[str, int, int]:
    """Serialized CSS of ``rules`` without unusable selectors; (css, kept, dropped)."""
    import tinycss2

    out: list[str] = []
    kept = dropped = 0
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(rule.prelude)
            usable = [s for s in selectors if _usable(s, words)]
            dropped += len(selectors) - len(usable)
            kept += len(usable)
            if usable:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in usable)
                out.append(f"{prelude}{{{tinycss2.serialize(rule.content)}}}")
        elif (
            rule.type == "at-rule"
            and rule.lower_at_keyword in NESTED_AT_RULES
            and rule.content is not None
        ):
            inner = tinycss2.parse_rule_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            css, k, d = prune_rules(inner, words)
            kept, dropped = kept + k, dropped + d
            if css:
                out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{css}}}")
        elif rule.type in ("at-rule",):
            out.append(rule.serialize())
        # comments, whitespace and parse errors are dropped
    return "".join(out), kept, dropped


def prune_stylesheet(css: str, words: set[str]) -> tuple[str, int, int]:
    import tinycss2

    css = SOURCE_MAP_RE.sub("", css)
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    errors = [r for r in rules if r.type == "error"]
    if errors:
        raise ValueError(f"CSS parse error: {errors[0].message}")
    text, kept, dropped = prune_rules(rules, words)
    return text + "\n", kept, dropped


# --- one stylesheet per page ---------------------------------------------------------

LINK_RE = re.compile(r"<link\b[^>]*>\s*")
HREF_RE = re.compile(r'\bhref="([^"]+)"')
URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
IMPORT_RE = re.compile(r"""@import\s+(?:url\()?\s*['"]([^'"]+)['"]\s*\)?\s*;""")
BUNDLE_PREFIX = "optlib-styles-"


def _stylesheet_links(head: str) -> list[re.Match[str]]:
    """The ``<link rel="stylesheet">`` tags of ``head`` for every medium, in order."""
    found = []
    for match in LINK_RE.finditer(head):
        tag = match.group(0)
        if 'rel="stylesheet"' in tag and "media=" not in tag and HREF_RE.search(tag):
            found.append(match)
    return found


def inline_stylesheet(path: Path, static: Path, seen: frozenset[Path] = frozenset()) -> str:
    """``path``'s CSS as it reads from ``_static/``: its ``url()`` rewritten, its
    ``@import`` inlined (the theme's ``theme.css`` imports ``basic.css``: a chained
    request before the first paint)."""
    css = SOURCE_MAP_RE.sub("", path.read_text(encoding="utf-8"))
    folder = path.parent

    def imported(match: re.Match[str]) -> str:
        target = (folder / match.group(1)).resolve()
        if target in seen or not target.is_file():
            return match.group(0)
        return inline_stylesheet(target, static, seen | {path.resolve()})

    def url(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:|/|#", target):
            return match.group(0)
        relative = os.path.relpath(folder / target, static).replace(os.sep, "/")
        return f'url("{relative}")'

    pieces, position = [], 0
    for match in IMPORT_RE.finditer(css):  # each piece's url() is relative to its own file
        pieces += [URL_RE.sub(url, css[position : match.start()]), imported(match)]
        position = match.end()
    pieces.append(URL_RE.sub(url, css[position:]))
    return "".join(pieces) + "\n"


def bundle_stylesheets(outdir: Path) -> int:
    """Each page's stylesheets as one file in ``_static/`` (named by its content).

    A page linked twelve stylesheets, one of them importing a thirteenth: on a
    slow mobile connection, each is a request the first paint waits for. The
    bundle keeps their order (the cascade is the same) and is the same file for
    every page that linked the same sheets, so the browser caches it once.
    Returns the number of pages rewritten.
    """
    static = outdir / "_static"
    bundles: dict[tuple[Path, ...], str] = {}
    rewritten = 0
    for page in _pages(outdir):
        text = page.read_text(encoding="utf-8")
        end = text.find("</head>")
        links = _stylesheet_links(text[:end]) if end > 0 else []
        files = []
        for match in links:
            href = html.unescape(HREF_RE.search(match.group(0)).group(1)).split("?")[0]
            path = (page.parent / href).resolve()
            if "://" in href or not path.is_file() or static.resolve() not in path.parents:
                files = []
                break
            files.append(path)
        if len(files) < 2:
            continue
        key = tuple(files)
        if key not in bundles:
            css = "".join(inline_stylesheet(f, static.resolve()) for f in files)
            digest = hashlib.sha256(css.encode("utf-8")).hexdigest()[:16]
            name = f"{BUNDLE_PREFIX}{digest}.css"
            (static / name).write_text(css, encoding="utf-8")
            bundles[key] = name
        href = os.path.relpath(static / bundles[key], page.parent).replace(os.sep, "/")
        first, rest = links[0], links[1:]
        pieces = [text[: first.start()], f'<link rel="stylesheet" href="{href}" />\n']
        position = first.end()
        for match in rest:
            pieces.append(text[position : match.start()])
            position = match.end()
        pieces.append(text[position:])
        page.write_text("".join(pieces), encoding="utf-8")
        rewritten += 1
    return rewritten


def _prune(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    words = used_words(outdir)
    static = outdir / "_static"
    for pattern in PRUNED:
        for sheet in sorted(static.glob(pattern)):
            text = sheet.read_text(encoding="utf-8")
            try:
                new, kept, dropped = prune_stylesheet(text, words)
            except ValueError as error:
                logger.warning("optlib_css: %s left whole: %s", sheet.name, error)
                continue
            sheet.write_text(new, encoding="utf-8")
            logger.info(
                "optlib_css: %s, %d of %d selectors kept, %.0f KB -> %.0f KB",
                sheet.name,
                kept,
                kept + dropped,
                len(text) / 1e3,
                len(new) / 1e3,
            )
    pages = bundle_stylesheets(outdir)
    logger.info("optlib_css: %d pages load their stylesheets as one file", pages)


def setup(app: Sphinx) -> dict[str, Any]:
    # After optlib_lean's rewrite (priority 500): the pages' final scripts count.
    app.connect("build-finished", _prune, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
