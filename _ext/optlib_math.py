"""Formulas typeset when the book is built: MathML, drawn by the browser itself.

A local Sphinx extension (``_config.yml``: ``local_extensions`` and
``html_math_renderer: mathml``). Every ``math`` and ``math_block`` node is
converted from TeX to MathML by ``latex2mathml`` (pure Python, from PyPI), so a
page loads no MathJax (1.2 MB of script, 0.26 MB gzipped) and spends no time
typesetting in the reader's browser: measured with Lighthouse, see
``benchmarks/NOTES-website.md``. Browsers render MathML Core natively
(Chromium 109+, Firefox, Safari); it takes the text colour, so dark mode works,
and assistive technology reads it. Typeset in the system's math font, radicals
and scripts came out poorly (Chromium on Linux), so the page uses Noto Sans
Math, an OpenType MATH font vendored in ``book_assets/fonts/`` and cut down by
fontTools (already installed with Matplotlib) to the characters the formulas
use: ``_static/optlib-math.woff``, about 20 KB.

Markup follows ``sphinx.ext.mathjax``: a ``span``/``div`` with the class
``math``, display equations numbered with a permalink, several paragraphs of
one display equation aligned. A formula that ``latex2mathml`` cannot convert
is a warning (an error under ``-W``) and stays as TeX on the page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

CSS = "optlib-math.css"
# Noto Sans Math (SIL OFL 1.1; book_assets/README.md): an OpenType MATH font, so
# that radicals, fractions and scripts are laid out as in print on any system.
FONT_SOURCE = "book_assets/fonts/NotoSansMath-Regular.woff"
FONT = "optlib-math.woff"
MATH_RE = re.compile(r"<math\b.*?</math>", re.S)


# latex2mathml lays out ``split`` as a table but not ``aligned`` (its ``&`` comes out
# as a letter and its ``\\`` as a line break that browsers ignore): the same
# two-column alignment, written as ``split``.
ALIGNED_RE = re.compile(r"\\(begin|end)\{aligned\}")
# What a formula the converter did not lay out leaves in the MathML.
UNLAID = ("<mi>&</mi>", "<mi>&amp;</mi>", 'linebreak="newline"')


# MathML Core: these lay their children out as one row (an "inferred mrow"), so
# a lone <mrow> child of theirs is a box too many.
INFERRED_ROW = {"math", "msqrt", "mtd", "mstyle", "mphantom", "mpadded", "menclose", "merror"}
MATHML_NS = ' xmlns="http://www.w3.org/1998/Math/MathML"'


def _thin(element: Any) -> None:
    children = list(element)
    for child in children:
        _thin(child)
    if element.tag in INFERRED_ROW and len(children) == 1 and children[0].tag == "mrow":
        row = children[0]
        if not row.attrib and not (row.text or "").strip():
            element.remove(row)
            element.extend(list(row))
    for index, child in enumerate(list(element)):
        grandchildren = list(child)
        if (
            child.tag == "mrow"
            and not child.attrib
            and len(grandchildren) == 1
            and grandchildren[0].tag != "mo"  # an operator alone keeps its row (its form)
            and not (child.text or "").strip()
        ):
            grandchildren[0].tail = child.tail
            element[index] = grandchildren[0]


def thin_mathml(mathml: str) -> str:
    """latex2mathml's MathML without its redundant ``<mrow>`` boxes, characters as UTF-8.

    It wraps every script, fraction part and formula in an ``<mrow>``, even
    around a single element: a chapter had thousands of elements that lay out
    nothing (an ``<mrow>`` with one child is that child, and a row element's
    lone ``<mrow>`` is the row itself, in MathML Core). An ``<mrow>`` around a
    lone ``<mo>`` stays, since an operator's spacing depends on its row.
    """
    import xml.etree.ElementTree as ET

    root = ET.fromstring(mathml.replace(MATHML_NS, "", 1))
    _thin(root)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return text.replace("<math", "<math" + MATHML_NS, 1)


def to_mathml(tex: str, display: str, node: nodes.Node) -> str:
    from latex2mathml.converter import convert

    tex = ALIGNED_RE.sub(r"\\\1{split}", tex)
    try:
        mathml = convert(tex, display=display)
    except Exception as error:
        logger.warning("optlib_math: cannot convert %r to MathML: %s", tex, error, location=node)
        return f"<code>{tex}</code>"
    if any(mark in mathml for mark in UNLAID):
        logger.warning(
            "optlib_math: %r would show a literal & or lose its line breaks "
            "(use split or aligned for rows)",
            tex,
            location=node,
        )
    return thin_mathml(mathml)


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(to_mathml(node.astext(), "inline", node))
    self.body.append("</span>")
    raise nodes.SkipNode


def _display_parts(node: nodes.math_block) -> list[str]:
    """The equations of a display block: one, or several separated by blank lines."""
    if node.get("nowrap"):
        return [node.astext()]
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    # Rows outside an environment become a split (right/left columns at each &).
    return [
        rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p and r"\begin{" not in p else p
        for p in parts
    ]


def visit_displaymath(self: HTML5Translator, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number") and not node.get("nowrap"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    for part in _display_parts(node):
        self.body.append(to_mathml(part, "block", node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# The italic letters a browser draws for a one-letter <mi> (MathML Core's
# text-transform: math-auto): mathematical italic Latin and Greek, and Planck's h.
MATH_ITALIC = [*range(0x1D434, 0x1D468), *range(0x1D6E2, 0x1D71C), 0x210E]
# Drawn by the browser with no character in the markup: <msqrt> and <mroot>'s radical.
IMPLIED = "\u221a\u221b\u221c"


def _used_characters(outdir: Path) -> set[str]:
    found: set[str] = set()
    for page in outdir.rglob("*.html"):
        for formula in MATH_RE.findall(page.read_text(encoding="utf-8")):
            found |= set(html.unescape(re.sub(r"<[^>]+>", "", formula)))
    return found


def write_font(app: Sphinx, exception: Exception | None) -> None:
    """The math font, cut down to the characters the site's formulas use."""
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont

    outdir = Path(app.outdir)
    used = _used_characters(outdir)
    text = "".join(sorted(used)) + "".join(map(chr, MATH_ITALIC)) + IMPLIED
    options = subset.Options()
    options.layout_features = ["*"]  # ssty (script-size glyphs) and the rest
    options.name_IDs = ["*"]  # the licence and copyright notices stay with the font
    options.flavor = "woff"
    font = TTFont(str(Path(app.srcdir) / FONT_SOURCE))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)  # the MATH table keeps the variants of the kept glyphs
    font.flavor = "woff"
    target = outdir / "_static" / FONT
    font.save(str(target))
    logger.info(
        "optlib_math: %s, %d characters, %.1f KB", FONT, len(used), target.stat().st_size / 1e3
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.add_css_file(CSS)
    app.connect("build-finished", write_font)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
