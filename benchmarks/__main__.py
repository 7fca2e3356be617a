"""Run every ``benchmarks/bench_*.py`` module and print one table.

Usage::

    python -m benchmarks [--book] [--readme] [SUBSTRING ...]

``SUBSTRING`` picks the modules whose name contains it (all by default).
``--book`` includes the book's benchmarks (notebooks, nbval, a cold build: a few
minutes; the ``book`` row says "skipped" without it). ``--readme`` also writes
the table, the machine, any module's own section (the website's Lighthouse
table) and ``benchmarks/NOTES.md`` into README.md between the
``<!-- bench-table -->`` markers. The machine (CPU, cores, versions, load
average at the start and at the end) is printed above the table, and a last
line counts the targets missed. Benchmarks report; they do not gate, so the
exit status is 0 whenever every benchmark ran.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLUMNS = ("name", "measure", "median", "p95", "target", "baseline", "ratio", "verdict")
README = Path(__file__).resolve().parent.parent / "README.md"
NOTES = Path(__file__).resolve().parent / "NOTES.md"
BEGIN, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def discover(patterns: Sequence[str] = ()) -> list[str]:
    """Names of the ``bench_*`` modules beside this file, sorted."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_")
    )
    return [name for name in names if not patterns or any(p in name for p in patterns)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _grid(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The column names (known columns, any others, then notes) and each row's cells."""
    extra = [key for row in rows for key in row if key not in (*COLUMNS, "note")]
    columns = [c for c in COLUMNS if any(c in row for row in rows)]
    columns += list(dict.fromkeys(extra))
    columns += ["note"] if any("note" in row for row in rows) else []
    return columns, [[_cell(row.get(c)) for c in columns] for row in rows]


def table(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as an aligned plain-text table."""
    columns, cells = _grid(rows)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as a Markdown table."""
    columns, cells = _grid(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(v.replace("|", "\\|") for v in r) + " |" for r in cells]
    return "\n".join(lines)


def machine_lines(facts: dict[str, str]) -> list[str]:
    return [f"{key}: {value}" for key, value in facts.items()]


def write_readme(
    rows: Sequence[dict[str, Any]], facts: dict[str, str], sections: Sequence[str] = ()
) -> None:
    """Replace README.md's benchmark section (between the markers) with this run."""
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} section to write into")
    block = [
        BEGIN,
        "",
        "## Benchmarks",
        "",
        "The latest `make bench` run (`python -m benchmarks --book --readme` writes this",
        "section). Ratio = optlib / baseline: below 1, optlib is faster.",
        "",
        *(f"- {line}" for line in machine_lines(facts)),
        "",
        markdown_table(rows),
        "",
        *(f"{section.strip()}\n" for section in sections),
    ]
    if NOTES.is_file():
        block += [NOTES.read_text(encoding="utf-8").strip(), ""]
    block.append(END)
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    README.write_text(before + "\n".join(block) + after, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    summary = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=summary)
    parser.add_argument("patterns", nargs="*", metavar="SUBSTRING")
    parser.add_argument("--book", action="store_true", help="include the book's benchmarks")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if options.book:
        os.environ["OPTLIB_BENCH_BOOK"] = "1"

    from benchmarks._harness import load_average, machine

    facts = machine()
    load_at_start = facts.pop("load average (1, 5, 15 min)")
    rows: list[dict[str, Any]] = []
    sections: list[str] = []
    for name in discover(options.patterns):
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        rows.extend(module.run())
        # A module may add a section of its own under the table (the website's).
        section = getattr(module, "readme_section", lambda: "")()
        if section:
            sections.append(section)
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if not rows:
        print("no benchmarks matched", file=sys.stderr)
        return 1
    facts["load average (1, 5, 15 min)"] = (
        f"{load_at_start} at the start, {load_average()} at the end"
    )
    print("\n".join(machine_lines(facts)))
    print()
    print(table(rows))
    for section in sections:
        print()
        print(section)
    if options.readme:
        write_readme(rows, facts, sections)
    missed = [row["name"] for row in rows if str(row.get("verdict", "")).upper() == "FAIL"]
    print(f"\ntargets missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
