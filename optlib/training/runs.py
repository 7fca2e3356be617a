"""``minimize``: one optimizer on one surface, and the :class:`Trajectory` it takes."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import (
    check_finite,
)
from optlib.training.arguments import (
    MINIMIZE_ARGUMENTS,
    all_finite,
    build_optimizer,
    check_optimizer,
    check_own_names,
    check_surface,
    count,
    count_argument,
    evaluators,
    norm_of,
    positive_float,
    readonly,
    real_array,
    start_point,
)
from optlib.training.scheduling import build_scheduler

__all__ = ["Trajectory", "minimize"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of one ``minimize`` run (read-only arrays).

    Attributes
    ----------
    xs : ndarray, shape (steps + 1, d)
        The iterates, ``x0`` first; only steps that were taken and finite.
    losses : ndarray, shape (steps + 1,)
        ``fn`` at each iterate.
    grad_norms : ndarray, shape (steps + 1,)
        Euclidean norm of the gradient at each iterate (float64).
    diverged : bool
        True when a step made x or the loss non-finite, or the loss blew up.
    converged : bool
        True when ``tol`` or ``ftol`` stopped the run.
    steps : int
        Steps actually taken and recorded, ``len(xs) - 1``.
    stop_reason : str
        One sentence saying why the run stopped.

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import SGD
    >>> traj = minimize(Quadratic(), [1.0, 1.0], SGD, steps=5, lr=0.1)
    >>> traj.xs.shape, traj.losses.shape, traj.steps, traj.stop_reason
    ((6, 2), (6,), 5, 'reached the step budget of 5 steps')
    >>> traj.final_x.round(5).tolist(), round(traj.final_loss, 5)
    ([0.59049, 0.0], 0.17434)
    """

    xs: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged: bool
    converged: bool
    steps: int
    stop_reason: str

    @property
    def final_x(self) -> np.ndarray:
        """The last recorded iterate, ``xs[-1]``."""
        return self.xs[-1]

    @property
    def final_loss(self) -> float:
        """The last recorded loss, ``losses[-1]``."""
        return float(self.losses[-1])


def minimize(
    fn: Any,
    x0: Any,
    optimizer: Callable[..., Any],
    steps: int = 200,
    tol: float | None = None,
    ftol: float | None = None,
    blowup: float = 1e10,
    scheduler: Callable[[Any], Any] | None = None,
    **hyperparams: Any,
) -> Trajectory:
    r"""Run ``optimizer`` on the surface ``fn`` from ``x0`` and record the path.

    Each step feeds the exact gradient ``fn.grad(x)`` to ``optimizer.step``:
    with ``SGD`` this is gradient descent :math:`x \leftarrow x - \alpha \nabla f(x)`.

    Parameters
    ----------
    fn : surface
        Callable ``fn(x)`` with a ``fn.grad(x)`` method, such as ``Rosenbrock()``.
    x0 : array_like, shape (d,)
        Starting point; not modified. A scalar is accepted for a 1-D surface.
        Its dtype (float32 or float64) is kept.
    optimizer : optimizer class
        ``SGD``, ``Adam``, ...; built as ``optimizer([x], **hyperparams)``.
    steps : int
        Step budget.
    tol : float, optional
        Stop once the gradient norm falls below ``tol``.
    ftol : float, optional
        Stop once the loss changes by less than ``ftol`` (absolute) in one step.
    blowup : float
        Declare divergence when :math:`|f(x_k) - f(x_0)| > \text{blowup}\,(1 + |f(x_0)|)`;
        ``np.inf`` keeps only the non-finite test.
    scheduler : callable, optional
        A learning-rate schedule, as a function of the optimizer ``minimize``
        builds: ``scheduler=lambda opt: CosineAnnealingLR(opt, T_max=200)`` (see
        :mod:`optlib.schedules`); stepped after every optimizer step, and given
        the loss if it needs one (``ReduceLROnPlateau``).
    **hyperparams
        Passed to the optimizer: ``lr``, ``momentum``, ``betas``, ...

    Returns
    -------
    Trajectory

    Raises
    ------
    TypeError
        For a surface class instead of a surface (``Rosenbrock`` for
        ``Rosenbrock()``), an optimizer built already instead of its class, a
        misspelt argument (``step=`` for ``steps=``), or an ``x0`` that is an
        ``np.matrix`` or a masked array.
    ValueError
        For a bad ``x0`` (wrong shape, non-finite loss at ``x0``), ``steps``,
        ``tol``, ``ftol``, ``blowup`` or hyper-parameter.

    Examples
    --------
    >>> from optlib.functions import Quadratic, Rosenbrock
    >>> from optlib.optimizers import SGD
    >>> minimize(Quadratic(), [1.0, 1.0], SGD, steps=500, tol=1e-6, lr=0.1).stop_reason
    'gradient norm below tol=1e-06 after 132 steps'
    >>> traj = minimize(Rosenbrock(), [-1.5, 2.0], SGD, lr=10.0)
    >>> traj.diverged, traj.steps
    (True, 1)
    >>> traj.stop_reason[:22]
    'diverged after 1 step:'
    """
    dim = check_surface(fn)
    check_optimizer(optimizer, "minimize(fn, x0, {}, steps=...)")
    steps = count_argument("steps", steps, allow_zero=True)
    tol = positive_float("tol", tol, optional=True)
    ftol = positive_float("ftol", ftol, optional=True)
    blowup = positive_float("blowup", blowup, allow_inf=True)
    check_own_names("minimize", MINIMIZE_ARGUMENTS, optimizer, hyperparams)

    x = start_point(x0)
    if x.ndim == 0 and dim == 1:
        x = x.reshape(1)
    if x.ndim != 1 or (dim is not None and x.shape[0] != dim):
        expected = f"({dim},)" if dim is not None else "(d,)"
        raise ValueError(
            f"x0 must be one point of shape {expected}, got shape {x.shape}; "
            "for many starting points at once use sweep()"
        )
    check_finite("x0", x)
    x = x.copy()  # the optimizer updates this array in place; the caller's x0 is untouched
    opt = build_optimizer("minimize", optimizer, [x], hyperparams)
    schedule_step = build_scheduler("minimize", scheduler, opt)

    value_of, grad_of = evaluators(fn)
    with np.errstate(all="ignore"):
        loss = value_of(x)
        real_array("fn(x0)", loss, (), "the value at x0, a single number")
        grad = real_array("fn.grad(x0)", grad_of(x), x.shape, f"an array of shape {x.shape}")
        grad_norm = norm_of(grad)
    if not (np.isfinite(loss) and math.isfinite(grad_norm)):
        raise ValueError(f"the loss or gradient at x0 = {x.tolist()} is not finite")
    loss0 = loss
    bound = blowup * (1.0 + abs(float(loss0)))
    xs, losses, grad_norms = [x.copy()], [loss], [grad_norm]

    diverged = converged = False
    reason = None
    if tol is not None and grad_norm < tol:
        converged, reason = True, f"gradient norm below tol={tol:g} at x0 (0 steps)"
    taken = 0
    with np.errstate(all="ignore"):  # IEEE arithmetic, checked below
        while reason is None and taken < steps:
            opt.step([grad])
            loss, grad = value_of(x), grad_of(x)
            if type(grad) is not np.ndarray:  # a list, from the reader's own surface
                grad = np.asarray(grad)
            grad_norm = norm_of(grad)
            finite = all_finite(x.tolist()) and math.isfinite(loss) and math.isfinite(grad_norm)
            if not finite:
                diverged = True
                reason = (
                    f"diverged after {count(taken)}: step {taken + 1} made x, the loss "
                    "or the gradient non-finite (overflow)"
                )
                break
            taken += 1
            if schedule_step is not None:
                schedule_step(float(loss))
            xs.append(x.copy())
            losses.append(loss)
            grad_norms.append(grad_norm)
            if abs(float(loss) - float(loss0)) > bound:
                diverged = True
                reason = (
                    f"diverged after {count(taken)}: loss {float(loss):.3g} exceeded the "
                    f"blowup bound {bound:.3g} = blowup * (1 + |initial loss|)"
                )
            elif tol is not None and grad_norm < tol:
                converged, reason = True, f"gradient norm below tol={tol:g} after {count(taken)}"
            elif ftol is not None and abs(float(loss) - float(losses[-2])) < ftol:
                converged = True
                reason = f"loss changed by less than ftol={ftol:g} after {count(taken)}"
    if reason is None:
        reason = f"reached the step budget of {count(steps)}"

    return Trajectory(
        xs=readonly(np.array(xs, dtype=x.dtype)),
        losses=readonly(np.array(losses, dtype=x.dtype)),
        grad_norms=readonly(np.array(grad_norms, dtype=np.float64)),
        diverged=diverged,
        converged=converged,
        steps=taken,
        stop_reason=reason,
    )
