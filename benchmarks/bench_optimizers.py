"""Optimizer step throughput on one large parameter, against ``torch.optim``.

SGD with momentum 0.9, RMSprop and Adam (defaults otherwise) on one parameter
of 4 million elements, in float32 and float64: the time of one ``step``, the
median over interleaved rounds of optlib, PyTorch and a plain memory stream.

PyTorch runs on one thread (``torch.set_num_threads(1)``) with its default
single-tensor implementation (``foreach=False``); both sides' thread counts are
measured, not assumed (threads of this process that did a share of the work).
Target: optlib no slower than PyTorch, ratio = optlib / torch at most 1.

The memory-bandwidth bound is the time to move the bytes a step cannot avoid
moving: every array the rule reads once and every array it writes once
(SGD with momentum reads θ, g, v and writes θ, v: 5 array transfers; RMSprop
reads θ, g, s and writes θ, s: 5; Adam reads θ, g, m, s and writes θ, m, s: 7),
at the bandwidth measured in the same rounds by an in-place stream over two
arrays of the same size, ``np.add(a, b, out=a)`` (3 transfers: the pattern of
``θ -= αv``). ``np.copyto`` gives a lower figure here (about half: large copies
pay for the write-allocate or non-temporal stores that in-place updates do
not), so the in-place stream is the stricter bound. ``of bound`` is bound /
measured: 100 % would be a step as fast as the memory allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks._harness import busy_threads, interleaved, ms, torch_or_none, verdict
from optlib import optimizers

SIZE = 4_000_000
ROUNDS = 21
CASES: dict[str, tuple[str, dict[str, Any], int]] = {
    # name: (class in both libraries, hyper-parameters, arrays read + arrays written)
    "SGD momentum 0.9": ("SGD", {"lr": 1e-3, "momentum": 0.9}, 3 + 2),
    "RMSprop": ("RMSprop", {"lr": 1e-3}, 3 + 2),
    "Adam": ("Adam", {"lr": 1e-3}, 4 + 3),
}


def _optlib_step(class_name: str, hyperparameters: dict, dtype: type) -> Any:
    rng = np.random.default_rng(0)
    param = rng.standard_normal(SIZE).astype(dtype)
    grad = rng.standard_normal(SIZE).astype(dtype)
    opt = getattr(optimizers, class_name)(param, **hyperparameters)
    return lambda: opt.step(grad)


def _torch_step(torch: Any, class_name: str, hyperparameters: dict, dtype: type) -> Any:
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    generator = torch.Generator().manual_seed(0)
    param = torch.randn(SIZE, dtype=torch_dtype, generator=generator).requires_grad_()
    param.grad = torch.randn(SIZE, dtype=torch_dtype, generator=generator)
    opt = getattr(torch.optim, class_name)([param], foreach=False, **hyperparameters)
    return opt.step


def _stream(dtype: type) -> Any:
    rng = np.random.default_rng(1)
    target = rng.standard_normal(SIZE).astype(dtype)
    source = rng.standard_normal(SIZE).astype(dtype) * 1e-9  # keeps the target bounded
    return lambda: np.add(target, source, out=target)


def run() -> list[dict[str, Any]]:
    torch = torch_or_none()
    rows: list[dict[str, Any]] = []
    for name, (class_name, hyperparameters, transfers) in CASES.items():
        for dtype in (np.float32, np.float64):
            cases = {
                "optlib": _optlib_step(class_name, hyperparameters, dtype),
                "stream": _stream(dtype),
            }
            if torch is not None:
                cases["torch"] = _torch_step(torch, class_name, hyperparameters, dtype)
            times = interleaved(cases, ROUNDS, warmup=2)
            threads = {side: busy_threads(cases[side], repeat=5) for side in cases}
            array_bytes = SIZE * np.dtype(dtype).itemsize
            bandwidth = 3 * array_bytes / np.median(times["stream"])  # bytes/s: 2 reads, 1 write
            bound = transfers * array_bytes / bandwidth
            row: dict[str, Any] = {
                "name": f"{name} step, 4M {np.dtype(dtype).name}",
                "measure": "ms per step",
                "median": ms(times["optlib"]),
                "p95": float(np.percentile(times["optlib"], 95)) * 1e3,
                "target": "ratio <= 1",
                "threads optlib/torch": f"{threads['optlib']} / {threads.get('torch', '-')}",
                "bound": f"{bound * 1e3:.2f} ms ({bandwidth / 1e9:.0f} GB/s)",
                "of bound": f"{100 * bound / np.median(times['optlib']):.0f} %",
            }
            if torch is None:
                row.update(baseline="torch not installed", verdict="no baseline")
            else:
                ratio = float(np.median(times["optlib"]) / np.median(times["torch"]))
                row.update(baseline=ms(times["torch"]), ratio=ratio, verdict=verdict(ratio <= 1))
            rows.append(row)
            del cases
    return rows
