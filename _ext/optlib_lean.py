"""A light website: what each page loads, rewritten after Sphinx writes it.

A local Sphinx extension (``_config.yml``, ``local_extensions``). Measured with
Lighthouse (``benchmarks/bench_lighthouse.py``; the effect of each step is in
``benchmarks/NOTES-website.md``), a chapter page used to carry its widgets'
precomputed frames inside the page, as base64 in a 1-2 MB
``widget-state+json`` script in ``<head>``, and loaded three big scripts:
the widget manager (``embed.js``), the theme's Font Awesome JavaScript and
MathJax. When the HTML build finishes, this extension rewrites every page:

* **Widget frames become files.** Each static optlib widget's frames (the
  ``Image`` models inside its ``optlib-frames`` stack) are written once to
  ``_images/frames/`` (lossless WebP when smaller than the PNG, named by
  content) and shown by an ``HTML`` model holding
  ``<img src alt width height loading="lazy">``: the alt text is the frame's
  own description (the ``optlib-alts`` stack the widget builds beside its
  frames), so the hidden description stack is dropped from the page. The
  rest of the widget state (now small) goes to ``_images/frames/<page>.json``.
* **The widget manager loads when it is needed.** The page's ``embed.js``
  script becomes ``_static/optlib-widgets.js`` (a few KB), which fetches the
  state and ``embed.js`` when a widget comes near the viewport or the reader
  focuses it, names the controls for assistive technology, and resolves
  ``window.optlibLoadWidgets()``.
* **Font Awesome as a web font.** The theme's ``fontawesome.js`` (1.5 MB, it
  replaces ``<i>`` icons by ``<svg>``) is not loaded; the icons the pages use
  are drawn by ``_static/optlib-icons.css``, generated here from that script's
  own icon table, with the theme's Font Awesome fonts cut down by fontTools to
  those icons (``optlib-icons-*.woff``, a few KB instead of 157 KB).
* **No render-blocking script.** Every external script in ``<head>`` gets
  ``defer`` (the theme's search index, Sphinx's and the extensions' scripts),
  but ``documentation_options.js`` (0.4 KB), which the theme's inline scripts
  need at once.
* **No unused search index.** The theme puts Sphinx's search scripts and
  index (``searchindex.js``, 145 KB) on every page for search-as-you-type;
  while that option is off, they are left on ``search.html`` only.
* **Rendering.** ``_static/optlib-lean.css`` gives sections and code cells
  ``content-visibility: auto``: off-screen ones (thousands of highlighted
  tokens and MathML elements) are not laid out until they near the viewport.
* **Images.** Every ``<img>`` of the book's figures gets its ``width`` and
  ``height`` (no layout shift) and, below the first, ``loading="lazy"``.
* **Fewer elements in code cells.** Pygments wraps every token in a
  ``<span>``; the spans of the token classes that ``pygments.css`` draws
  exactly like the code around them, in light and dark theme (names,
  punctuation, whitespace), are dropped: a third of a chapter's elements.
* **Tab stops without a layout of the whole page.** The theme makes
  scrollable code and outputs keyboard tab stops by measuring every one of
  them at load, which lays out every section ``content-visibility`` skipped
  (the longest task of a chapter on the mobile setting); its
  ``pydata-sphinx-theme.js`` is rewritten to measure them when they near the
  viewport, and to count an unmeasured one as a tab stop.

Every rewrite is idempotent (a page rewritten twice is the same page), and a
page whose markup is not as expected is left alone with a warning, which the
``-W`` build turns into a failure.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

STATE_RE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>\s*', re.S
)
EMBED_RE = re.compile(r'<script src="([^"]*book_assets/widgets/embed\.js[^"]*)"></script>')
FONTAWESOME_RE = re.compile(
    r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*">'
    r"</script>"
)
IMG_RE = re.compile(r"<img\b[^>]*>")
STATIC_CLASS = "optlib-static-widget"
FRAMES_CLASS = "optlib-frames"
ALTS_CLASS = "optlib-alts"
LINKS = ("LinkModel", "DirectionalLinkModel")
LOADER = "optlib-widgets.js"
ICONS_CSS = "optlib-icons.css"
LEAN_CSS = "optlib-lean.css"  # static: content-visibility for the code cells
FRAMES_DIR = "_images/frames"


# --- widget state ----------------------------------------------------------------


def _ref(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return value[len("IPY_MODEL_") :]
    return None


def _refs(value: Any) -> list[str]:
    """Every model id that a state value refers to (lists and dicts searched too)."""
    if isinstance(value, list | tuple):
        return [r for item in value for r in _refs(item)]
    if isinstance(value, dict):
        return [r for item in value.values() for r in _refs(item)]
    found = _ref(value)
    return [found] if found else []


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


class _Frames:
    """Writes frames to ``_images/frames/`` once each, named by content."""

    def __init__(self, outdir: Path):
        self.folder = outdir / FRAMES_DIR
        self.written: dict[str, tuple[str, int, int]] = {}
        self.bytes_in = self.bytes_out = 0

    def write(self, png: bytes) -> tuple[Path, int, int]:
        from PIL import Image

        digest = hashlib.sha256(png).hexdigest()[:20]
        if digest not in self.written:
            image = Image.open(io.BytesIO(png))
            width, height = image.size
            webp = io.BytesIO()
            image.save(webp, format="WEBP", lossless=True, method=6)
            data, suffix = (webp.getvalue(), ".webp")
            if len(data) >= len(png):
                data, suffix = png, ".png"
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{digest}{suffix}").write_bytes(data)
            self.written[digest] = (f"{digest}{suffix}", width, height)
            self.bytes_in += len(png)
            self.bytes_out += len(data)
        name, width, height = self.written[digest]
        return self.folder / name, width, height


def _lighten_explorer(
    models: dict[str, Any], box: dict[str, Any], frames: _Frames, page_dir: Path, where: str
) -> int:
    """Turn one static explorer's Image frames into lazy <img> HTML models; return their count."""
    children = [_ref(c) for c in box["state"].get("children", [])]

    def with_class(name: str) -> str | None:
        for child in children:
            if child and name in models[child]["state"].get("_dom_classes", []):
                return child
        return None

    frames_id, alts_id = with_class(FRAMES_CLASS), with_class(ALTS_CLASS)
    if frames_id is None or alts_id is None:
        logger.warning(
            "optlib_lean: %s: a static widget without its %s and %s children; its frames"
            " stay in the page",
            where,
            FRAMES_CLASS,
            ALTS_CLASS,
        )
        return 0
    captions = [
        _text(models[c]["state"].get("value", ""))
        for c in children
        if c and "optlib-caption" in models[c]["state"].get("value", "")
    ]
    count = 0

    def pair(frame_id: str, alt_id: str) -> None:
        nonlocal count
        frame, alt = models[frame_id], models[alt_id]
        if frame["model_name"] == "StackModel":
            frame_children = [_ref(c) for c in frame["state"]["children"]]
            if alt["model_name"] == "StackModel":
                alt_children = [_ref(c) for c in alt["state"]["children"]]
            else:  # one description for every frame
                alt_children = [alt_id] * len(frame_children)
            for f, a in zip(frame_children, alt_children, strict=True):
                pair(f, a)
            return
        if frame["model_name"] != "ImageModel" or alt["model_name"] != "HTMLModel":
            return
        buffers = {tuple(b["path"]): b for b in frame.get("buffers", [])}
        buffer = buffers.get(("value",))
        if buffer is None or frame["state"].get("format") != "png":
            return
        path, width, height = frames.write(base64.b64decode(buffer["data"]))
        text = _text(alt["state"].get("value", "")) or (captions[0] if captions else "")
        src = os.path.relpath(path, page_dir).replace(os.sep, "/")
        markup = (
            f'<img src="{html.escape(src)}" alt="{html.escape(text)}" width="{width}"'
            f' height="{height}" loading="lazy" decoding="async"'
            ' style="max-width:100%;height:auto">'
        )
        state = dict(alt["state"])
        state.update(value=markup, layout=frame["state"].get("layout", state.get("layout")))
        state["_dom_classes"] = ["optlib-frame"]
        models[frame_id] = {**{k: v for k, v in alt.items() if k != "buffers"}, "state": state}
        count += 1

    pair(frames_id, alts_id)
    # The frames carry their descriptions now: the hidden stack would be read twice.
    box["state"]["children"] = [c for c in box["state"]["children"] if _ref(c) != alts_id]
    return count


def _collect_garbage(models: dict[str, Any], roots: list[str]) -> None:
    """Drop the models no displayed view reaches (links kept when both ends are kept)."""
    reachable: set[str] = set()
    todo = [r for r in roots if r in models]
    while todo:
        model_id = todo.pop()
        if model_id in reachable:
            continue
        reachable.add(model_id)
        todo += [r for r in _refs(models[model_id]["state"]) if r in models]
    for model_id, model in list(models.items()):
        if model_id in reachable:
            continue
        if model["model_name"] in LINKS and all(r in reachable for r in _refs(model["state"])):
            continue
        del models[model_id]


def lighten_widgets(text: str, page: Path, outdir: Path, frames: _Frames) -> str:
    """Move a page's widget state out of it (frames as files) and load its widgets lazily."""
    found = STATE_RE.search(text)
    embed = EMBED_RE.search(text)
    if not found or not embed:
        return text
    where = page.relative_to(outdir).as_posix()
    state = json.loads(found.group(1))
    models = state["state"]
    for box in list(models.values()):
        if box["model_name"] == "VBoxModel" and STATIC_CLASS in box["state"].get(
            "_dom_classes", []
        ):
            _lighten_explorer(models, box, frames, page.parent, where)
    roots = [
        json.loads(view)["model_id"]
        for view in re.findall(
            r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>',
            text,
            re.S,
        )
    ]
    _collect_garbage(models, roots)
    name = where.removesuffix(".html").replace("/", "__") + ".json"
    target = outdir / FRAMES_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    relative = os.path.relpath(target, page.parent).replace(os.sep, "/")
    static = os.path.relpath(outdir / "_static", page.parent).replace(os.sep, "/")
    loader = (
        f'<script defer src="{static}/{LOADER}" data-embed="{embed.group(1)}"'
        f' data-state="{html.escape(relative)}"></script>'
    )
    text = text[: found.start()] + text[found.end() :]
    return EMBED_RE.sub(lambda _: loader, text, count=1)


# --- images, scripts, icons --------------------------------------------------------


def lazy_images(text: str, page: Path) -> str:
    """Width, height and (after the first) lazy loading on the page's own images."""
    seen = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal seen
        tag = match.group(0)
        src = re.search(r'\bsrc="([^"]+)"', tag)
        if not src or src.group(1).startswith(("data:", "http:", "https:")):
            return tag
        seen += 1
        extra = ""
        if " width=" not in tag and " height=" not in tag:
            size = _image_size(page.parent / html.unescape(src.group(1)).split("?")[0])
            if size:
                extra += f' width="{size[0]}" height="{size[1]}"'
        if seen > 1 and "loading=" not in tag:
            extra += ' loading="lazy"'
        if "decoding=" not in tag:
            extra += ' decoding="async"'
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + extra + tag[end:]

    return IMG_RE.sub(fix, text)


def _image_size(path: Path) -> tuple[int, int] | None:
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp", ".gif"):
        return None
    try:
        from PIL import Image

        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


#: Scripts that stay synchronous: the theme's inline scripts in <head> set
#: DOCUMENTATION_OPTIONS.pagename at once (0.4 KB).
SYNCHRONOUS_OK = ("documentation_options.js",)
HEAD_SCRIPT_RE = re.compile(r"<script\b([^>]*)\bsrc=\"([^\"]+)\"([^>]*)>")


def defer_head_scripts(text: str) -> str:
    """``defer`` on every external script of ``<head>`` (their order is kept)."""
    end = text.find("</head>")
    if end < 0:
        return text

    def fix(match: re.Match[str]) -> str:
        before, src, after = match.groups()
        attributes = before + after
        if re.search(r"\b(defer|async)\b|type=\"module\"", attributes) or any(
            src.split("?")[0].endswith(name) for name in SYNCHRONOUS_OK
        ):
            return match.group(0)
        return f'<script{before}defer src="{src}"{after}>'

    return HEAD_SCRIPT_RE.sub(fix, text[:end]) + text[end:]


SEARCH_SCRIPTS_RE = re.compile(
    r'\s*<script\b[^>]*\bsrc="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)[^"]*"[^>]*></script>'
)


def drop_unused_search(text: str, page: Path) -> str:
    """The theme loads Sphinx's search index on every page for search-as-you-type;
    while that is off (its default), only search.html uses it (145 KB of script)."""
    if page.name == "search.html" or "search_as_you_type = false" not in text:
        return text
    return SEARCH_SCRIPTS_RE.sub("", text)


def citation_list_items(text: str) -> str:
    """The bibliography's entries as list items: docutils gives the container
    ``role="list"`` but each entry the deprecated ``role="doc-biblioentry"``, so a
    screen reader meets a list without items (axe: aria-required-children,
    aria-deprecated-role)."""
    return text.replace(
        '<div class="citation" id="', '<div role="listitem" class="citation" id="'
    ).replace(' role="doc-biblioentry"', "")


def drop_fontawesome_js(text: str) -> str:
    return FONTAWESOME_RE.sub("", text)


# name:[width,height,[aliases],"code point","path"] (a name without "-" is unquoted).
ICON_RE = re.compile(r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[([^\]]*)\],"([0-9a-f]+)"')


def icon_table(fontawesome_js: Path) -> dict[str, str]:
    """Icon name -> code point, read from the theme's Font Awesome script (aliases too)."""
    table: dict[str, str] = {}
    for quoted, bare, _w, _h, aliases, code in ICON_RE.findall(fontawesome_js.read_text("utf-8")):
        table.setdefault(quoted or bare, code)
        for alias in re.findall(r'"([a-z0-9-]+)"', aliases):
            table.setdefault(alias, code)
    return table


#: The theme's Font Awesome 6 fonts (TrueType: fontTools reads woff2 only with
#: brotli), cut down to the icons the pages use: family, weight, file.
#: The families are the theme's own: declared again after the theme's CSS, the
#: cut-down fonts replace the full ones (the last @font-face wins), for the
#: icons of the pages and for those the theme's CSS draws (admonition titles).
ICON_FONTS = (
    ("Font Awesome 6 Free", 900, "fa-solid-900.ttf"),
    ("Font Awesome 6 Free", 400, "fa-regular-400.ttf"),
    ("Font Awesome 6 Brands", 400, "fa-brands-400.ttf"),
)
PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
CSS_ICON_RULE_RE = re.compile(r'([^{}]+)\{[^}]*?content:\s*"\\([ef][0-9a-f]{3})"')

ICON_BASE_CSS = """\
/* Generated by _ext/optlib_lean.py: the Font Awesome 6 icons this site uses, drawn
   from the theme's own fonts cut down to them. Font Awesome Free 6, icons CC BY 4.0,
   fonts SIL OFL 1.1 (https://fontawesome.com/license/free). */
.fa,.fas,.far,.fab,.fa-solid,.fa-regular,.fa-brands{-moz-osx-font-smoothing:grayscale;
-webkit-font-smoothing:antialiased;display:inline-block;font-style:normal;
font-variant:normal;line-height:1;text-rendering:auto}
.fa,.fas,.fa-solid{font-family:"Font Awesome 6 Free";font-weight:900}
.far,.fa-regular{font-family:"Font Awesome 6 Free";font-weight:400}
.fab,.fa-brands{font-family:"Font Awesome 6 Brands";font-weight:400}
.fa-lg{font-size:1.25em;line-height:.05em;vertical-align:-.075em}
.fa-fw{text-align:center;width:1.25em}
"""


def icons_css(names: set[str], table: dict[str, str], faces: list[tuple[str, int, str]]) -> str:
    font_faces = [
        f'@font-face{{font-family:"{family}";font-style:normal;font-weight:{weight};'
        f'font-display:block;src:url({file}) format("woff")}}'
        for family, weight, file in faces
    ]
    rules = [
        f'.fa-{name}::before{{content:"\\{table[name]}"}}'
        for name in sorted(names)
        if name in table
    ]
    return ICON_BASE_CSS + "\n".join(font_faces + rules) + "\n"


def theme_css_icons(static: Path) -> set[str]:
    """Code points the theme's stylesheets draw themselves (not its .fa-* class table)."""
    codes: set[str] = set()
    for sheet in static.rglob("*.css"):
        if sheet.name.startswith("optlib-"):
            continue
        text = sheet.read_text(encoding="utf-8", errors="replace")
        codes |= {f"{ord(c):x}" for c in PRIVATE_USE_RE.findall(text)}
        for selectors, code in CSS_ICON_RULE_RE.findall(text):
            if not all(s.strip().startswith(".fa-") for s in selectors.split(",")):
                codes.add(code)
    return codes


def icon_fonts(webfonts: Path, codes: set[str], static: Path) -> list[tuple[str, int, str]]:
    """Cut the theme's icon fonts down to ``codes``; return the @font-face entries."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    faces = []
    for family, weight, name in ICON_FONTS:
        source = webfonts / name
        if not source.is_file():
            continue
        font = TTFont(str(source))
        cmap = font.getBestCmap()
        wanted = [int(code, 16) for code in codes if int(code, 16) in cmap]
        if not wanted:
            continue
        options = subset.Options()
        options.flavor = "woff"
        options.name_IDs = ["*"]  # the licence notices stay with the font
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        font.flavor = "woff"
        target = f"optlib-icons-{Path(name).stem}.woff"
        font.save(str(static / target))
        faces.append((family, weight, target))
    return faces


# --- code cells ---------------------------------------------------------------------

PYGMENTS_RULE_RE = re.compile(r"([^{}]*?)\.highlight(?: \.([A-Za-z0-9]+))?\s*\{([^}]*)\}")
HIGHLIGHT_RE = re.compile(r'<div class="highlight[^"]*"><pre>.*?</pre>', re.S)


def plain_token_classes(pygments_css: str) -> set[str]:
    """Pygments token classes drawn exactly like the code around them, in every theme.

    ``pygments.css`` gives ``.highlight`` a colour per theme (light, dark) and
    each token class its own; a class whose only declaration, in every theme,
    is that same colour (names, punctuation, whitespace in the theme's
    styles) changes nothing on screen, so its ``<span>`` can go.
    """
    base: dict[str, str] = {}
    tokens: dict[str, dict[str, str]] = {}
    pygments_css = re.sub(r"/\*.*?\*/", "", pygments_css, flags=re.S)
    for prefix, token, body in PYGMENTS_RULE_RE.findall(pygments_css):
        declarations = dict(
            (name.strip().lower(), value.strip().lower())
            for name, _, value in (d.partition(":") for d in body.split(";") if d.strip())
        )
        prefix = prefix.strip()
        if token:
            tokens.setdefault(token, {})[prefix] = (
                declarations["color"] if set(declarations) == {"color"} else ""
            )
        elif "color" in declarations:
            base[prefix] = declarations["color"]
    if not base:
        return set()
    return {
        token
        for token, colours in tokens.items()
        if all(colours.get(prefix, colour) == colour for prefix, colour in base.items())
        and set(colours) <= set(base)
    }


def unwrap_plain_tokens(text: str, plain: set[str]) -> str:
    """Drop the ``<span>`` around code tokens drawn like plain code (``plain_token_classes``).

    A chapter's code cells were half of its elements: thousands of spans for
    names and punctuation that the theme colours like the text around them.
    """
    if not plain:
        return text
    names = "|".join(map(re.escape, sorted(plain)))
    span = re.compile(rf'<span class="(?:{names})">([^<]*)</span>')
    return HIGHLIGHT_RE.sub(lambda block: span.sub(r"\1", block.group(0)), text)


# --- the theme's tab stops ----------------------------------------------------------

#: pydata-sphinx-theme 0.17's tab stops for scrollable code and outputs: at load
#: it reads scrollWidth and scrollHeight of every <pre> and output, which forces
#: the layout of every section that content-visibility had skipped (Lighthouse:
#: one task of 0.5-1.6 s on the mobile setting, the page's longest), and again
#: after any change inside the article (300 ms debounce).
THEME_TAB_STOPS = (
    'const e=()=>{document.querySelectorAll(["pre",".nboutput > .output_area",'
    '".cell_output > .output",".jp-RenderedHTMLCommon",".pst-scrollable-table-container"]'
    '.join(", ")).forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||'
    "e.scrollHeight>e.clientHeight?0:-1})},t=_(e,300);"
    'window.addEventListener("resize",t),new MutationObserver(t).observe('
    'document.getElementById("main-content"),{subtree:!0,childList:!0}),e()'
)
#: The same tab stops, measured when an element comes within two screens of the
#: viewport (IntersectionObserver: no forced layout). Until it is measured an
#: element is a tab stop, so a keyboard user can always reach and scroll it.
LAZY_TAB_STOPS = (
    "/* optlib (_ext/optlib_lean.py): measured near the viewport */"
    'const s=["pre",".nboutput > .output_area",".cell_output > .output",'
    '".jp-RenderedHTMLCommon",".pst-scrollable-table-container"].join(", "),'
    "m=e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1},"
    "o=new IntersectionObserver(n=>{n.forEach(x=>{x.isIntersecting&&m(x.target)})},"
    '{rootMargin:"200% 0px"}),w=new WeakSet,'
    "a=()=>{document.querySelectorAll(s).forEach(e=>{w.has(e)||(w.add(e),"
    'e.hasAttribute("tabindex")||(e.tabIndex=0),o.observe(e))})},'
    "r=_(()=>{o.disconnect(),document.querySelectorAll(s).forEach(e=>o.observe(e))},300);"
    'window.addEventListener("resize",r),new MutationObserver(_(a,300)).observe('
    'document.getElementById("main-content"),{subtree:!0,childList:!0}),a()'
)
SOURCE_MAP_JS_RE = re.compile(r"\n//# sourceMappingURL=\S+\s*$")


def lazy_theme_tab_stops(static: Path) -> None:
    """Rewrite the theme's tab-stop pass (``THEME_TAB_STOPS``) as ``LAZY_TAB_STOPS``."""
    script = static / "scripts" / "pydata-sphinx-theme.js"
    if not script.is_file():
        return
    text = script.read_text(encoding="utf-8")
    if LAZY_TAB_STOPS in text:
        return
    if text.count(THEME_TAB_STOPS) != 1:
        logger.warning(
            "optlib_lean: %s has not the tab-stop code this extension rewrites (another"
            " theme version?); it still lays out every section at load",
            script.name,
        )
        return
    text = text.replace(THEME_TAB_STOPS, LAZY_TAB_STOPS)
    script.write_text(SOURCE_MAP_JS_RE.sub("\n", text), encoding="utf-8")


# --- the build ---------------------------------------------------------------------


def _pages(outdir: Path) -> list[Path]:
    return [
        p
        for p in sorted(outdir.rglob("*.html"))
        if not any(part.startswith("_") for part in p.relative_to(outdir).parts[:-1])
    ]


def _fontawesome_js(app: Sphinx) -> Path | None:
    for folder in app.builder.theme.get_theme_dirs() if app.builder.theme else []:
        candidate = Path(folder) / "static" / "scripts" / "fontawesome.js"
        if candidate.is_file():
            return candidate
    return None


def _rewrite(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    frames = _Frames(outdir)
    used_icons: set[str] = set()
    for page in _pages(outdir):
        text = page.read_text(encoding="utf-8")
        new = lighten_widgets(text, page, outdir, frames)
        new = drop_fontawesome_js(defer_head_scripts(lazy_images(new, page)))
        new = citation_list_items(drop_unused_search(new, page))
        for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', new):
            used_icons |= set(re.findall(r"\bfa-([a-z0-9-]+)", classes))
        if new != text:
            page.write_text(new, encoding="utf-8")
    lazy_theme_tab_stops(outdir / "_static")
    source = _fontawesome_js(app)
    if source is None:
        logger.warning("optlib_lean: the theme has no static/scripts/fontawesome.js to read icons")
        return
    table = icon_table(source)
    used_icons |= {"xmark"}  # drawn by the theme's script (search dialog)
    missing = sorted(
        n
        for n in used_icons
        if n not in table and n not in ("solid", "regular", "brands", "fw", "lg")
    )
    if missing:
        logger.warning("optlib_lean: icons not in Font Awesome's table: %s", ", ".join(missing))
    static = outdir / "_static"
    codes = {table[name] for name in used_icons if name in table} | theme_css_icons(static)
    faces = icon_fonts(source.parent.parent / "vendor" / "fontawesome" / "webfonts", codes, static)
    (static / ICONS_CSS).write_text(icons_css(used_icons, table, faces), encoding="utf-8")
    if frames.written:
        logger.info(
            "optlib_lean: %d widget frames, %.2f MB as PNG, %.2f MB written",
            len(frames.written),
            frames.bytes_in / 1e6,
            frames.bytes_out / 1e6,
        )


def _unwrap_code_tokens(app: Sphinx, exception: Exception | None) -> None:
    """``unwrap_plain_tokens`` on every page, once ``pygments.css`` is final: the
    theme rewrites it (light and dark rules) in its own ``build-finished``."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pygments_css = outdir / "_static" / "pygments.css"
    if not pygments_css.is_file():
        return
    plain = plain_token_classes(pygments_css.read_text(encoding="utf-8"))
    if not plain:
        logger.warning(
            "optlib_lean: no token class of pygments.css is drawn like plain code in every"
            " theme; code cells keep all their spans"
        )
        return
    for page in _pages(outdir):
        text = page.read_text(encoding="utf-8")
        new = unwrap_plain_tokens(text, plain)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_css_file(ICONS_CSS)
    app.add_css_file(LEAN_CSS)
    app.connect("build-finished", _rewrite)
    # After pydata-sphinx-theme's own handler (priority 500) writes pygments.css.
    app.connect("build-finished", _unwrap_code_tokens, priority=800)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
