"""Benchmarks run by ``make bench`` (``python -m benchmarks``).

Each ``bench_*.py`` module here exposes ``run() -> list[dict]``; every dict is
one row of the table ``__main__`` prints: ``name``, ``measure``, ``median``,
``p95``, ``target``, ``baseline`` and ``ratio`` (optlib / baseline: below 1,
optlib is faster) where there is one, ``verdict`` (``"ok"`` or ``"FAIL"``),
and any further columns a module needs (``note``, ``threads optlib/torch``).
``_harness.py`` holds what they share: interleaved timing (case and baseline
alternate round by round, so a noisy machine slows both alike), the machine's
description and a count of the threads that really worked. ``NOTES.md`` is
written under the table in README.md by ``python -m benchmarks --readme``.
"""
