"""Small-problem overhead: 1,000 Adam steps of ``minimize`` on the 2-D Rosenbrock function.

On a two-element parameter nothing is computed in bulk: the time is the
per-step cost of Python and of NumPy's calls. The baseline is the same loop in
PyTorch: a float64 tensor parameter, ``torch.optim.Adam`` (one thread,
``foreach=False``), the same analytic gradient written in torch operations,
and the same record per step as ``minimize`` keeps (the iterate, the loss, the
gradient norm, a finiteness check). Both start at (-1.5, 2) with lr = 0.01, and
their final points are checked to agree. A second row times the PyTorch loop
with autograd (``loss.backward()``) for reference.

Targets: at most 10 ms, and at least 5 times faster than the PyTorch loop
(ratio = optlib / torch at most 0.2).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from benchmarks._harness import interleaved, ms, p95_ms, torch_or_none, verdict
from optlib import Adam, Rosenbrock, minimize

STEPS = 1000
START = (-1.5, 2.0)
LR = 0.01
ROUNDS = 9
TARGET_MS = 10.0
TARGET_RATIO = 0.2


def _optlib() -> Any:
    rosenbrock = Rosenbrock()
    return minimize(rosenbrock, START, Adam, steps=STEPS, lr=LR).final_x


def _rosenbrock(theta: Any) -> Any:
    x, y = theta[0], theta[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _torch_loop(torch: Any, autograd: bool) -> Any:
    """The loop ``minimize`` runs, in PyTorch."""

    def rosenbrock_grad(theta: Any) -> Any:
        x, y = theta[0], theta[1]
        valley = y - x**2
        return torch.stack((-2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley))

    def loss_and_grad(theta: Any) -> tuple[Any, Any]:
        if autograd:
            theta.grad = None
            loss = _rosenbrock(theta)
            loss.backward()
            return loss.detach(), theta.grad
        with torch.no_grad():
            return _rosenbrock(theta), rosenbrock_grad(theta)

    def run() -> Any:
        theta = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([theta], lr=LR, foreach=False)
        loss, grad = loss_and_grad(theta)
        xs, losses, grad_norms = [theta.detach().clone()], [float(loss)], [float(grad.norm())]
        for _ in range(STEPS):
            theta.grad = grad
            opt.step()
            loss, grad = loss_and_grad(theta)
            grad_norm = float(grad.norm())
            if not (bool(torch.isfinite(theta).all()) and math.isfinite(float(loss))):
                break
            xs.append(theta.detach().clone())
            losses.append(float(loss))
            grad_norms.append(grad_norm)
        return torch.stack(xs)[-1].numpy()

    return run


def run() -> list[dict[str, Any]]:
    torch = torch_or_none()
    cases = {"optlib": _optlib}
    if torch is not None:
        cases["torch"] = _torch_loop(torch, autograd=False)
        cases["torch autograd"] = _torch_loop(torch, autograd=True)
        for name in ("torch", "torch autograd"):
            np.testing.assert_allclose(cases[name](), _optlib(), rtol=1e-10, err_msg=name)
    times = interleaved(cases, ROUNDS)
    name = f"minimize: {STEPS} Adam steps, 2-D Rosenbrock"
    row: dict[str, Any] = {
        "name": name,
        "measure": "ms per run",
        "median": ms(times["optlib"]),
        "p95": p95_ms(times["optlib"]),
        "target": f"<= {TARGET_MS:g} ms, ratio <= {TARGET_RATIO:g}",
    }
    if torch is None:
        row.update(baseline="torch not installed", verdict=verdict(row["median"] <= TARGET_MS))
        return [row]
    ratio = float(np.median(times["optlib"]) / np.median(times["torch"]))
    ok = row["median"] <= TARGET_MS and ratio <= TARGET_RATIO
    row.update(baseline=ms(times["torch"]), ratio=ratio, verdict=verdict(ok))
    autograd_ratio = float(np.median(times["optlib"]) / np.median(times["torch autograd"]))
    return [
        row,
        {
            "name": f"{name} (torch with autograd)",
            "measure": "ms per run",
            "median": ms(times["optlib"]),
            "p95": p95_ms(times["optlib"]),
            "target": "(reference)",
            "baseline": ms(times["torch autograd"]),
            "ratio": autograd_ratio,
        },
    ]
