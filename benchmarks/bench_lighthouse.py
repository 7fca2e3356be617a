"""The website in Lighthouse: performance (mobile, desktop), accessibility, bytes.

Lighthouse 12.2.3 (from npm, installed into ``benchmarks/lighthouse/`` by
``make bench``: a developer tool, the reader never needs Node) audits the intro
and every chapter of the built site (``_build/html``), served **gzipped** on
127.0.0.1 as a static host would serve it (Python's ``http.server`` does not
compress; :class:`GzipHandler` does). Each page runs ``RUNS`` times with
Lighthouse's default (simulated) throttling in the mobile and the desktop
preset, in Debian's Chromium; the table gives the median scores and the bytes
transferred (``total-byte-weight``, mobile). Target: performance at least 90
in both presets and accessibility 100.

Standalone, with the issue's table as Markdown::

    python -m benchmarks.bench_lighthouse [--site _build/html] [--runs 3] [PAGE ...]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from benchmarks._harness import ROOT, verdict

SITE = ROOT / "_build" / "html"
TOOLS = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --no-first-run --disable-sync"
)
RUNS = int(os.environ.get("OPTLIB_LIGHTHOUSE_RUNS", "3"))
TARGET_PERFORMANCE = 90
TARGET_ACCESSIBILITY = 100
# What a static host compresses (fonts and images are compressed already).
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map", ".mjs")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder like a static host: text files gzipped when the client asks."""

    _cache: ClassVar[dict[Path, tuple[float, bytes]]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()  # folders, binary files, no gzip wanted
        mtime = path.stat().st_mtime
        cached = self._cache.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
            self._cache[path] = cached
        body = cached[1]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Body(body)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Body:
    """A file-like object over bytes, as ``send_head`` must return."""

    def __init__(self, data: bytes):
        self._data = data

    def read(self, size: int = -1) -> bytes:
        data, self._data = self._data, b""
        return data

    def close(self) -> None:
        pass


GzipHandler.extensions_map = {
    **http.server.SimpleHTTPRequestHandler.extensions_map,
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".webp": "image/webp",
}


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` gzipped on 127.0.0.1; yield its base URL."""
    handler = functools.partial(GzipHandler, directory=str(site))
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


def pages(site: Path) -> list[str]:
    """The intro and every chapter page (sections of chapters too), in _toc.yml's order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if entry.get("file", "").startswith("chapters/"):
                files.append(entry["file"])
                walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return [f"{name}.html" for name in files if (site / f"{name}.html").is_file()]


def lighthouse(url: str, preset: str) -> dict[str, Any]:
    """One Lighthouse run: scores (0-100), bytes transferred and the main metrics."""
    with tempfile.TemporaryDirectory(prefix="optlib-lh-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS} --user-data-dir={tmp}/profile",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]

    def value(name: str) -> float:
        return float(audits.get(name, {}).get("numericValue") or 0)

    failed = sorted(
        ref["id"]
        for ref in data["categories"]["accessibility"]["auditRefs"]
        if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
    )
    # What failed, element by element (the first few), to fix it.
    nodes = {
        audit: [
            (item.get("node") or {}).get("snippet", "")[:160]
            for item in (audits[audit].get("details") or {}).get("items", [])[:4]
        ]
        for audit in failed
    }
    return {
        "a11y_nodes": nodes,
        "performance": round(100 * (data["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (data["categories"]["accessibility"]["score"] or 0)),
        "bytes": value("total-byte-weight"),
        "fcp_ms": value("first-contentful-paint"),
        "lcp_ms": value("largest-contentful-paint"),
        "tbt_ms": value("total-blocking-time"),
        "cls": value("cumulative-layout-shift"),
        "dom": value("dom-size"),
        "a11y_failed": failed,
    }


def measure(site: Path, names: Sequence[str], runs: int) -> list[dict[str, Any]]:
    """Median results per page: mobile and desktop, ``runs`` runs each, interleaved."""
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"mobile": [], "desktop": []} for name in names
    }
    with serve(site) as base:
        for _ in range(runs):  # round by round: a noisy minute hits every page alike
            for name in names:
                for preset in ("mobile", "desktop"):
                    results[name][preset].append(lighthouse(base + name, preset))
                    print(f"  {name} {preset}: {results[name][preset][-1]}", file=sys.stderr)
    rows = []
    for name in names:
        mobile, desktop = results[name]["mobile"], results[name]["desktop"]

        def median(runs: list[dict[str, Any]], key: str) -> float:
            return statistics.median(run[key] for run in runs)

        rows.append(
            {
                "page": name,
                "mobile": median(mobile, "performance"),
                "desktop": median(desktop, "performance"),
                "accessibility": median(mobile, "accessibility"),
                "bytes": median(mobile, "bytes"),
                "fcp_ms": median(mobile, "fcp_ms"),
                "lcp_ms": median(mobile, "lcp_ms"),
                "tbt_ms": median(mobile, "tbt_ms"),
                "dom": median(mobile, "dom"),
                "a11y_failed": sorted({a for run in mobile + desktop for a in run["a11y_failed"]}),
                "a11y_nodes": {
                    k: v for run in mobile + desktop for k, v in run["a11y_nodes"].items()
                },
            }
        )
    return rows


def _mb(value: float) -> str:
    return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.0f} KB"


def markdown(rows: Sequence[dict[str, Any]], runs: int) -> str:
    head = [
        "| page | performance, mobile | performance, desktop | accessibility | transferred |"
        " mobile FCP / LCP / TBT | DOM elements |",
        "|---|---|---|---|---|---|---|",
    ]
    body = [
        f"| {row['page'].removesuffix('.html')} | {row['mobile']:g} | {row['desktop']:g} |"
        f" {row['accessibility']:g} | {_mb(row['bytes'])} |"
        f" {row['fcp_ms'] / 1e3:.1f} s / {row['lcp_ms'] / 1e3:.1f} s / {row['tbt_ms']:.0f} ms |"
        f" {row['dom']:.0f} |"
        for row in rows
    ]
    return "\n".join(
        [*head, *body, "", f"Median of {runs} run(s) per page and preset; bytes: mobile run."]
    )


def ready() -> str:
    """'' when Lighthouse and Chromium are there, else why not."""
    if not LIGHTHOUSE.is_file():
        return f"no {LIGHTHOUSE.relative_to(ROOT)}: `make bench` installs it (npm ci)"
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (set CHROMIUM=...)"
    if not (SITE / "index.html").is_file():
        return "no built site in _build/html: `make book` first"
    return ""


_SECTION: list[str] = []


NOTES = Path(__file__).resolve().parent / "NOTES-website.md"


def readme_section() -> str:
    """The website's table and its notes, for README.md (``python -m benchmarks --readme``)."""
    if not _SECTION:
        return ""
    notes = NOTES.read_text(encoding="utf-8").strip() if NOTES.is_file() else ""
    return "\n".join([*_SECTION, "", notes])


def run() -> list[dict[str, Any]]:
    why = ready()
    if why:
        return [{"name": "website: Lighthouse", "measure": "skipped", "note": why}]
    rows = []
    measured = measure(SITE, pages(SITE), RUNS)
    _SECTION[:] = [
        "### The website in Lighthouse",
        "",
        "Lighthouse 12.2.3 in Chromium, the built site served gzipped from 127.0.0.1,",
        "default (simulated) throttling; target: performance >= 90 on mobile and",
        "desktop, accessibility 100 (`benchmarks/bench_lighthouse.py`; what each",
        "change did: `benchmarks/NOTES-website.md`).",
        "",
        markdown(measured, RUNS),
    ]
    for row in measured:
        ok = (
            min(row["mobile"], row["desktop"]) >= TARGET_PERFORMANCE
            and row["accessibility"] >= TARGET_ACCESSIBILITY
        )
        rows.append(
            {
                "name": f"Lighthouse {row['page']}",
                "measure": f"score, median of {RUNS}",
                "target": f"perf >= {TARGET_PERFORMANCE}, a11y {TARGET_ACCESSIBILITY}",
                "verdict": verdict(ok),
                "perf mobile/desktop": f"{row['mobile']:g} / {row['desktop']:g}",
                "a11y": f"{row['accessibility']:g}",
                "transferred": _mb(row["bytes"]),
                "note": ", ".join(row["a11y_failed"]),
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_lighthouse")
    parser.add_argument("pages", nargs="*", help="pages (default: intro and every chapter)")
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    options = parser.parse_args(argv)
    site = options.site.resolve()
    names = options.pages or pages(site)
    rows = measure(site, names, options.runs)
    print(markdown(rows, options.runs))
    for row in rows:
        for audit, snippets in row["a11y_nodes"].items():
            print(f"{row['page']}: accessibility audit {audit} failed on: {snippets}")
    if options.json:
        options.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
