"""Benchmarks run by ``make bench`` (``python -m benchmarks``).

Each ``bench_*.py`` module here exposes ``run() -> list[dict]``; every dict is
one row of the table ``__main__`` prints: ``name``, ``measure``, ``median``,
``p95``, ``target``, ``baseline`` and ``ratio`` where there is one, and
``verdict`` (``"ok"`` or ``"FAIL"``).
"""
