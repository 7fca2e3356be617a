#!/usr/bin/env bash
# Refresh book_assets/ from the npm registry. A DEVELOPER tool: it needs Node/npm.
# Building or reading the book needs neither: the files it copies are committed.
#
#   tools/vendor_assets.sh            # re-vendor the pinned versions below
#
# Change a version here, run the script, rebuild, run `make browser`, and update
# the table in book_assets/README.md (the script prints the sizes).
set -euo pipefail
cd "$(dirname "$0")/.."

MATHJAX=3.2.2                # last MathJax 3 (Sphinx 7.4 targets MathJax 3)
HTML_MANAGER=1.0.15          # @jupyter-widgets/html-manager for ipywidgets 8.1.x (controls 5.0.13)
FONTAWESOME=5.15.4           # the Font Awesome bundled inside html-manager (licence text only)
NOTO_SANS_MATH=5.3.0         # @fontsource/noto-sans-math: the website's MathML font (OpenType MATH)

dest=book_assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # fetch <npm spec> <dir>: unpack an npm tarball into $tmp/<dir>
  (cd "$tmp" && npm pack --silent "$1" >/dev/null && mkdir -p "$2" && tar xzf ./*.tgz -C "$2" && rm ./*.tgz)
}

# --- MathJax 3: CommonHTML output with its own woff fonts, plus the pieces it
# loads on demand: TeX extensions (\require, autoload), and what the context
# menu's options load (the SVG renderer; the accessibility explorer, its speech
# rules in English and Nemeth, and the MathML input its enrichment uses).
fetch "mathjax@$MATHJAX" mathjax
src=$tmp/mathjax/package
rm -rf "$dest/mathjax" && mkdir -p "$dest/mathjax/sre/mathmaps" "$dest/mathjax/output/chtml/fonts" \
  "$dest/mathjax/input/tex"
cp "$src/LICENSE" "$src/es5/tex-chtml.js" "$dest/mathjax/"
cp -r "$src/es5/output/chtml/fonts/woff-v2" "$dest/mathjax/output/chtml/fonts/"
mkdir -p "$dest/mathjax/output/svg/fonts"
cp "$src/es5/output/svg.js" "$dest/mathjax/output/"
cp "$src/es5/output/svg/fonts/tex.js" "$dest/mathjax/output/svg/fonts/"
cp -r "$src/es5/input/tex/extensions" "$dest/mathjax/input/tex/"
mkdir -p "$dest/mathjax/input/mml"
cp "$src/es5/input/mml.js" "$dest/mathjax/input/"
cp "$src/es5/input/mml/entities.js" "$dest/mathjax/input/mml/"
cp -r "$src/es5/ui" "$src/es5/a11y" "$dest/mathjax/"
cp "$src"/es5/sre/mathmaps/{base,en,nemeth}.json "$dest/mathjax/sre/mathmaps/"

# --- ipywidgets' standalone widget manager: the self-contained `embed.js`
# bundle (standard widgets, no RequireJS) and the Font Awesome 5 fonts its CSS
# refers to (woff2 and woff; the eot/ttf/svg copies are for old browsers).
fetch "@jupyter-widgets/html-manager@$HTML_MANAGER" widgets
src=$tmp/widgets/package/dist
rm -rf "$dest/widgets" && mkdir -p "$dest/widgets"
cp "$src/embed.js" "$src/embed.js.LICENSE.txt" "$src"/*.woff2 "$src"/*.woff "$dest/widgets/"
# html-manager ships no LICENSE file; it is ipywidgets' (BSD-3-Clause).
"${PYTHON:-.venv/bin/python}" - "$dest/widgets/LICENSE" <<'PY'
import sys
from importlib.metadata import distribution

dist = distribution("ipywidgets")  # the installed ipywidgets carries the same licence
text = dist.read_text("licenses/LICENSE") or dist.read_text("LICENSE")
open(sys.argv[1], "w").write(text)
PY
fetch "@fortawesome/fontawesome-free@$FONTAWESOME" fontawesome
cp "$tmp/fontawesome/package/LICENSE.txt" "$dest/widgets/LICENSE-fontawesome.txt"

# --- the math font of the website's MathML (_ext/optlib_math.py cuts it down to
# the characters the formulas use when the book is built). The woff (zlib), not
# the woff2: fontTools reads woff2 only with the brotli module.
fetch "@fontsource/noto-sans-math@$NOTO_SANS_MATH" notosansmath
rm -rf "$dest/fonts" && mkdir -p "$dest/fonts"
cp "$tmp/notosansmath/package/files/noto-sans-math-latin-400-normal.woff" \
  "$dest/fonts/NotoSansMath-Regular.woff"
cp "$tmp/notosansmath/package/LICENSE" "$dest/fonts/LICENSE-NotoSansMath.txt"

du -sh "$dest"/mathjax "$dest"/widgets "$dest"/fonts
