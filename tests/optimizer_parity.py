"""Run an optlib optimizer and its ``torch.optim`` namesake side by side (not a test module).

Both follow the same gradient field, computed in NumPy from each one's *own*
current parameters, so each trajectory is that optimizer's alone: a difference
in one step is not hidden by feeding both the same gradients. The field is
smooth, bounded in curvature and the same for every shape, so that runs of a
few hundred steps stay well-conditioned (a chaotic run would turn one-ulp
differences into large ones, and measure the problem rather than the rule).

Used by the parity tests of every optimizer module (``tests/test_optimizers_*.py``)
and by the scripts that write the committed reference data
(``tests/reference/make_*.py``), so that live and stored comparisons run the
very same problem.

Examples
--------
>>> import numpy as np
>>> params = initial_params([(2,), (2, 3)], seed=0)
>>> [p.shape for p in params], [g.shape for g in gradient(params)]
([(2,), (2, 3)], [(2,), (2, 3)])
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Shapes = Sequence[tuple[int, ...]]


def initial_params(shapes: Shapes, seed: int = 0, dtype: str = "float64") -> list[np.ndarray]:
    """Seeded starting parameters of the given shapes, entries of order 1."""
    rng = np.random.default_rng(seed)
    return [rng.normal(1.0, 1.0, size=shape).astype(dtype) for shape in shapes]


def gradient(params: Sequence[Any]) -> list[np.ndarray]:
    r"""The field :math:`g(\theta) = \theta - c + 0.3 \sin(3\theta)`, entry by entry, in float64.

    The gradient of :math:`\tfrac12\lVert\theta - c\rVert^2 - 0.1\cos(3\theta)` summed,
    with :math:`c` a fixed pattern; curvature stays within [0.1, 1.9]. ``params``
    may be NumPy arrays or torch tensors (read as NumPy).
    """
    grads = []
    for param in params:
        theta = np.asarray(param.detach().numpy() if hasattr(param, "detach") else param)
        theta = theta.astype(np.float64)
        centre = np.cos(np.arange(theta.size, dtype=np.float64)).reshape(theta.shape)
        grads.append(theta - centre + 0.3 * np.sin(3.0 * theta))
    return grads


def optlib_run(
    make: Callable[[list[np.ndarray]], Any],
    params0: Sequence[np.ndarray],
    steps: int,
    handover_at: int | None = None,
) -> list[list[np.ndarray]]:
    """The parameters after every step of ``make(params)``'s optimizer (copies, float64).

    With ``handover_at``, the run stops after that many steps and goes on with a
    new optimizer, on new arrays, loaded from the first one's ``state_dict``.
    """
    params = [p.copy() for p in params0]
    opt = make(params)
    path = []
    for step in range(1, steps + 1):
        grads = [g.astype(p.dtype) for g, p in zip(gradient(params), params, strict=True)]
        opt.step(grads)
        path.append([p.astype(np.float64) for p in params])
        if step == handover_at:
            saved = copy.deepcopy(opt.state_dict())
            params = [p.copy() for p in params]
            opt = make(params)
            opt.load_state_dict(saved)
    return path


def torch_run(
    make: Callable[[list[Any]], Any],
    params0: Sequence[np.ndarray],
    steps: int,
    handover_at: int | None = None,
) -> list[list[np.ndarray]]:
    """As :func:`optlib_run`, for ``make(tensors)``'s ``torch.optim`` optimizer."""
    import torch

    def tensors(arrays: Sequence[np.ndarray]) -> list[Any]:
        return [torch.tensor(np.array(a), requires_grad=True) for a in arrays]

    params = tensors(params0)
    opt = make(params)
    path = []
    for step in range(1, steps + 1):
        for param, grad in zip(params, gradient(params), strict=True):
            param.grad = torch.tensor(grad, dtype=param.dtype)
        opt.step()
        path.append([p.detach().numpy().astype(np.float64) for p in params])
        if step == handover_at:
            saved = copy.deepcopy(opt.state_dict())
            params = tensors([p.detach().numpy() for p in params])
            opt = make(params)
            opt.load_state_dict(saved)
    return path


def worst_relative_error(
    got: list[list[np.ndarray]], expected: list[list[np.ndarray]], floor: float
) -> float:
    """max |got − expected| / max(|expected|, floor) over every step and entry."""
    worst = 0.0
    for got_step, expected_step in zip(got, expected, strict=True):
        for a, b in zip(got_step, expected_step, strict=True):
            scale = np.maximum(np.abs(b), floor)
            worst = max(worst, float(np.max(np.abs(a - b) / scale)))
    return worst
