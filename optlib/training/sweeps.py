"""``sweep``: many runs of one optimizer at once, one row of parameters per run."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import (
    as_float_array,
    check_finite,
    refuse_matrix_and_masked,
)
from optlib.training.arguments import (
    SWEEP_ARGUMENTS,
    accepted_names,
    build_optimizer,
    check_optimizer,
    check_own_names,
    check_surface,
    count_argument,
    evaluators,
    positive_float,
    readonly,
    real_array,
    start_point,
)

__all__ = ["SweepResult", "sweep"]


@dataclass(frozen=True, eq=False)
class SweepResult:
    r"""Many runs of one optimizer on one surface, computed together (read-only arrays).

    ``B`` below is the batch shape of the runs: ``(k,)`` for ``k`` runs, or a
    grid shape such as ``(n_lr, n_momentum)`` when the hyper-parameters are
    given on separate axes.

    Attributes
    ----------
    xs : ndarray, shape (steps + 1, \*B, d)
        The iterates of every run, ``x0`` first.
    losses : ndarray, shape (steps + 1, \*B)
        ``fn`` at each iterate. A diverged run is frozen at its last recorded
        (finite) value, so the array holds no NaN or inf.
    diverged : ndarray of bool, shape B
    diverged_at : ndarray of int, shape B
        For a diverged run, the number of steps it recorded before stopping
        (what ``minimize(...).steps`` reports for it); ``-1`` for the others.
    steps : int
        The step budget.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import SGD
    >>> lrs = np.array([0.1, 0.19, 0.21])
    >>> result = sweep(Quadratic(), [1.0, 1.0], SGD, steps=300, lr=lrs[:, None])
    >>> result.diverged.tolist(), result.diverged_at.tolist()
    ([False, False, True], [-1, -1, 123])
    >>> result.losses.shape, result.final_losses.shape, result.steps_taken.tolist()
    ((301, 3), (3,), [300, 300, 123])
    """

    xs: np.ndarray
    losses: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    steps: int

    @property
    def final_losses(self) -> np.ndarray:
        """The last recorded loss of every run, shape ``B``."""
        return self.losses[-1]

    @property
    def final_xs(self) -> np.ndarray:
        """The last recorded iterate of every run, shape ``(*B, d)``."""
        return self.xs[-1]

    @property
    def steps_taken(self) -> np.ndarray:
        """Steps each run recorded (``steps`` unless it diverged earlier), shape ``B``."""
        return np.where(self.diverged, self.diverged_at, self.steps)


def _sweep_hyperparameter(name: str, value: Any, d: int, batch_shapes: list) -> Any:
    """Check one hyper-parameter of a sweep and note the batch shape it implies."""
    if isinstance(value, tuple):  # betas=(beta1s[:, None], 0.999)
        return tuple(
            _sweep_hyperparameter(f"{name}[{i}]", v, d, batch_shapes) for i, v in enumerate(value)
        )
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        return value
    refuse_matrix_and_masked(name, value)
    array = as_float_array(name, value)
    if array.ndim == 0:
        return array
    if array.ndim == 1 or array.shape[-1] not in (1, d):
        raise ValueError(
            f"{name} has shape {array.shape}: give one value per run along the leading axes "
            f"and a trailing axis of length 1 (or {d}), e.g. {name}=values[:, None]"
        )
    batch_shapes.append(array.shape[:-1])
    return array


def _let_the_optimizer_refuse_unknown_names(
    optimizer: Any, hyperparams: dict[str, Any], dtype: np.dtype, d: int
) -> None:
    """Build ``optimizer`` on a scratch point with the names it may not know, to hear it refuse.

    ``sweep`` looks at the hyper-parameters' shapes before it builds the
    optimizer; a name the optimizer does not take (Keras's ``learning_rate``)
    must get the optimizer's own advice, not a complaint about its shape.
    """
    accepted = accepted_names(optimizer)
    if accepted is None:
        return
    unknown = {name: value for name, value in hyperparams.items() if name not in accepted}
    if unknown:
        build_optimizer("sweep", optimizer, [np.zeros(d, dtype=dtype)], unknown)


def sweep(
    fn: Any,
    x0: Any,
    optimizer: Callable[..., Any],
    steps: int = 200,
    blowup: float = 1e10,
    **hyperparams: Any,
) -> SweepResult:
    r"""Run many starting points or hyper-parameter settings at once, vectorised.

    One optimizer is built on a parameter array of shape ``(*B, d)``, one row
    per run, with array hyper-parameters broadcasting against it, so every run
    advances in the same NumPy operations and there is no Python loop over
    runs. Each run follows exactly what ``minimize`` would do with the same
    settings (without ``tol``/``ftol``): it stops, frozen at its last finite
    value, when it diverges.

    Parameters
    ----------
    fn : surface
        Callable with a ``grad`` method, evaluating over the last axis.
    x0 : array_like, shape (d,) or (\*B, d)
        One starting point shared by every run, or one per run.
    optimizer : optimizer class
    steps : int
    blowup : float
        As in :func:`minimize`.
    **hyperparams
        Scalars, or arrays of shape ``(*B, 1)`` with one value per run (a
        trailing axis of length ``d`` gives per-coordinate values). Arrays on
        different axes make a grid: ``lr=lrs[:, None, None]`` with
        ``momentum=moms[None, :, None]`` gives ``B = (len(lrs), len(moms))``.
        Tuples (``betas``) may hold arrays.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.functions import Rosenbrock
    >>> from optlib.optimizers import SGD
    >>> lrs, moms = np.meshgrid(np.geomspace(1e-4, 1e-2, 50), np.linspace(0, 0.99, 50))
    >>> result = sweep(Rosenbrock(), [-1.5, 2.0], SGD, steps=200,
    ...                lr=lrs.ravel()[:, None], momentum=moms.ravel()[:, None])
    >>> result.final_losses.shape, result.losses.shape
    ((2500,), (201, 2500))
    >>> bool(np.isfinite(result.losses).all())
    True
    """
    dim = check_surface(fn)
    check_optimizer(optimizer, "sweep(fn, x0, {}, steps=...)")
    steps = count_argument("steps", steps, allow_zero=True)
    blowup = positive_float("blowup", blowup, allow_inf=True)
    check_own_names("sweep", SWEEP_ARGUMENTS, optimizer, hyperparams)
    start = start_point(x0)
    if start.ndim == 0 and dim == 1:
        start = start.reshape(1)
    if start.ndim == 0 or (dim is not None and start.shape[-1] != dim):
        expected = dim if dim is not None else "d"
        raise ValueError(
            f"x0 must have shape (d,) or (..., d) with d={expected}, got {start.shape}"
        )
    check_finite("x0", start)
    d = start.shape[-1]
    _let_the_optimizer_refuse_unknown_names(optimizer, hyperparams, start.dtype, d)

    batch_shapes: list[tuple[int, ...]] = [start.shape[:-1]]
    hyperparams = {
        name: _sweep_hyperparameter(name, value, d, batch_shapes)
        for name, value in hyperparams.items()
    }
    try:
        batch = np.broadcast_shapes(*batch_shapes)
    except ValueError:
        raise ValueError(
            "x0 and the hyper-parameter arrays give run shapes that do not broadcast: "
            f"{batch_shapes}"
        ) from None
    if 0 in batch:
        raise ValueError(
            f"x0 and the hyper-parameter arrays give no runs at all (run shape {batch}): "
            "an empty array of starting points or of values"
        )
    if getattr(optimizer, "elementwise", True) is False and int(np.prod(batch)) > 1:
        raise ValueError(
            f"sweep runs every configuration as one row of a parameter of shape "
            f"{(*batch, d)}, and {optimizer.__name__}'s step reads a parameter whole "
            "(row and column means, matrix products), so the runs would not be "
            "independent: call minimize once per configuration"
        )
    x = np.broadcast_to(start, (*batch, d)).copy()
    opt = build_optimizer("sweep", optimizer, [x], hyperparams)

    value_of, grad_of = evaluators(fn)
    every_run = (
        f"sweep evaluates fn on every run at once, x of shape {x.shape}: fn(x) must give one "
        "value per run and fn.grad(x) one gradient per run, working over the last axis"
    )
    try:
        with np.errstate(all="ignore"):
            loss = real_array("fn(x)", value_of(x), batch, f"one value per run, shape {batch}")
            grad = real_array("fn.grad(x)", grad_of(x), x.shape, f"shape {x.shape}")
    except Exception as error:
        error.add_note(f"({every_run})")
        raise
    if not (np.isfinite(loss).all() and np.isfinite(grad).all()):
        raise ValueError("the loss or gradient is not finite at some starting point x0")
    loss0 = np.asarray(loss)
    bound = blowup * (1.0 + np.abs(loss0))

    xs = np.empty((steps + 1, *batch, d), dtype=x.dtype)
    losses = np.empty((steps + 1, *batch), dtype=x.dtype)
    xs[0], losses[0] = x, loss0
    active = np.ones(batch, dtype=bool)
    diverged_at = np.full(batch, -1, dtype=np.int64)
    for t in range(1, steps + 1):
        with np.errstate(all="ignore"):
            opt.step([grad])
            loss, grad = value_of(x), grad_of(x)
            finite = (
                np.isfinite(loss) & np.isfinite(x).all(axis=-1) & np.isfinite(grad).all(axis=-1)
            )
            blew_up = finite & (np.abs(loss - loss0) > bound)
        record = active & finite  # a blown-up step is still recorded
        losses[t] = np.where(record, loss, losses[t - 1])
        xs[t] = np.where(record[..., None], x, xs[t - 1])
        stopped_bad = active & ~finite
        stopped_blowup = active & blew_up
        diverged_at[stopped_bad] = t - 1
        diverged_at[stopped_blowup] = t
        active &= ~(stopped_bad | stopped_blowup)
        if not active.any():  # every run has stopped: freeze the rest of the record
            losses[t + 1 :] = losses[t]
            xs[t + 1 :] = xs[t]
            break

    return SweepResult(
        xs=readonly(xs),
        losses=readonly(losses),
        diverged=readonly(np.asarray(diverged_at >= 0)),
        diverged_at=readonly(diverged_at),
        steps=steps,
    )
