"""Run every ``benchmarks/bench_*.py`` module and print one table.

Usage: ``python -m benchmarks [SUBSTRING ...]`` runs the modules whose name
contains one of the substrings (all of them by default). The exit status is 1
when any row's verdict is ``"FAIL"``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLUMNS = ("name", "measure", "median", "p95", "target", "baseline", "ratio", "verdict")


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


def table(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as an aligned plain-text table (known columns first, then any others)."""
    extra = [key for row in rows for key in row if key not in COLUMNS]
    columns = [c for c in COLUMNS if any(c in row for row in rows)]
    columns += list(dict.fromkeys(extra))
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    patterns = list(sys.argv[1:] if argv is None else argv)
    rows: list[dict[str, Any]] = []
    for name in discover(patterns):
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        rows.extend(module.run())
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if not rows:
        print("no benchmarks matched", file=sys.stderr)
        return 1
    print(table(rows))
    return 1 if any(str(row.get("verdict", "")).upper() == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
