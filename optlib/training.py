"""Training loops: ``minimize`` a surface, ``sweep`` many runs at once, ``fit`` a model.

All three take an optimizer *class* (``SGD``, ``Adam``, ...) and its
hyper-parameters as keyword arguments, build the optimizer on their own copy
of the parameters, and stop cleanly when a run diverges: no overflow warning,
no exception, no NaN in what they return. Each step is computed inside a local
``np.errstate(all="ignore")`` and then checked:

* a step that makes the parameters, the loss or the gradient non-finite is
  **not** recorded, and the run stops;
* a step whose loss moved away from the initial loss by more than
  ``blowup * (1 + |initial loss|)`` **is** recorded, and then the run stops.

``fit`` trains the reader's own model, so it also puts the parameters back
where they were at the end of the last completed epoch when a run diverges:
the model is never left at NaN or infinite parameters.

Every argument is checked before the first step, so a call that raises has
changed nothing: not ``x0``, not the model, not the data. A class given where
an instance is expected (``Rosenbrock`` for ``Rosenbrock()``, ``MeanSquaredError``
for ``mse``), an optimizer built already where its class is expected, or a
misspelt argument (``epoch=`` for ``epochs=``) raises a ``TypeError`` that says
what to write. Keyword arguments that a function does not know go to the
optimizer, whose own message is passed on unchanged (``learning_rate=``
is the optimizer's to explain).

Nothing here prints, touches ``np.seterr`` or uses the global random generator.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import (
    as_float_array,
    check_finite,
    check_positive_int,
    refuse_matrix_and_masked,
    short_repr,
)
from .functions import Surface
from .models import Model

__all__ = [
    "History",
    "StateRecord",
    "SweepResult",
    "Trajectory",
    "fit",
    "minimize",
    "record_state",
    "sweep",
]


def count(n: int, noun: str = "step") -> str:
    """``3 steps``, ``1 step``: the wording every stop reason uses.

    Examples
    --------
    >>> count(1), count(3, "epoch")
    ('1 step', '3 epochs')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _check_optimizer(optimizer: Any, call: str) -> None:
    """Refuse what is not an optimizer class.

    ``call`` is the right call with ``{}`` for the class, e.g. ``"minimize(fn, x0, {})"``.
    """
    if isinstance(optimizer, str):
        match = _optimizer_named(optimizer)
        advice = (
            f"write {call.format(match)} (from optlib import {match})"
            if match
            else "pass a class such as SGD or Adam"
        )
        raise TypeError(
            f"optimizer must be an optimizer class, not the string {optimizer!r}: {advice}"
        )
    if not isinstance(optimizer, type) and hasattr(optimizer, "step"):
        name = type(optimizer).__name__
        settings = _changed_hyperparameters(optimizer)
        raise TypeError(
            "optimizer must be an optimizer class, got an optimizer already built: "
            f"{optimizer!r}. The class is built on the function's own copy of the "
            f"parameters: pass the class and its hyper-parameters, {call.format(name + settings)}"
        )
    if isinstance(optimizer, type) and not hasattr(optimizer, "step"):
        raise TypeError(
            f"optimizer must be an optimizer class such as SGD or Adam, got the class "
            f"{optimizer.__name__}, which has no step method"
        )
    if not callable(optimizer):
        raise TypeError(
            f"optimizer must be an optimizer class such as SGD or Adam, got {optimizer!r}"
        )


def _optimizer_named(name: str) -> str | None:
    """The optlib optimizer class called ``name`` (any case), for the advice on a string."""
    from . import optimizers

    for public in getattr(optimizers, "__all__", ()):
        cls = getattr(optimizers, public, None)
        if isinstance(cls, type) and hasattr(cls, "step") and public.lower() == name.lower():
            return public
    return None


def _changed_hyperparameters(opt: Any) -> str:
    """``", lr=0.1, momentum=0.9"``: a built optimizer's settings that are not the defaults."""
    values = getattr(opt, "hyperparameters", None)
    if not isinstance(values, dict):
        return ", lr=..."
    try:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(opt)).parameters.items()
        }
    except (TypeError, ValueError):
        defaults = {}
    changed = []
    for name, value in values.items():
        try:
            same = bool(np.all(value == defaults[name]))
        except Exception:  # no default, or values that do not compare
            same = False
        if not same:
            changed.append(f", {name}={value!r}")
    return "".join(changed) or ", lr=..."


def _accepted_names(optimizer: Any) -> set[str] | None:
    """The keyword arguments ``optimizer`` takes, or None when that cannot be told."""
    names = getattr(optimizer, "hyperparameter_names", None)
    known = isinstance(names, (tuple, list)) and all(isinstance(n, str) for n in names)
    accepted = set(names) if known else set()
    try:
        parameters = list(inspect.signature(optimizer).parameters.values())
    except (TypeError, ValueError):
        return accepted if known else None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters) and not known:
        return None
    return accepted | {
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def _check_own_names(caller: str, own: tuple[str, ...], optimizer: Any, hyperparams: dict) -> None:
    """Catch a misspelt argument of ``caller`` before it reaches the optimizer.

    Keyword arguments that ``caller`` does not know go to the optimizer. One
    that the optimizer does not take either, and that looks like one of
    ``caller``'s own (``epoch`` for ``epochs``), is refused here with the right
    spelling; any other is left to the optimizer, whose message says what to
    write (``lr`` for Keras's ``learning_rate``).
    """
    accepted = _accepted_names(optimizer)
    if accepted is None:
        return
    for name in hyperparams:
        if name in accepted:
            continue
        close = difflib.get_close_matches(name, own, n=1, cutoff=0.8)
        if close:
            raise TypeError(
                f"{caller}() got an unexpected keyword argument {name!r}; did you mean "
                f"{close[0]}=? (keyword arguments {caller} does not know go to the optimizer "
                f"{getattr(optimizer, '__name__', optimizer)!r}, which does not take {name!r})"
            )


def _build_optimizer(caller: str, optimizer: Any, params: list, hyperparams: dict) -> Any:
    """``optimizer(params, **hyperparams)``, its own error left intact but noted."""
    try:
        return optimizer(params, **hyperparams)
    except (TypeError, ValueError) as error:
        name = getattr(optimizer, "__name__", repr(optimizer))
        error.add_note(
            f"(raised by {name}, built by {caller} with {sorted(hyperparams) or 'no'} "
            "keyword arguments)"
        )
        raise


def _count_argument(name: str, value: Any, allow_zero: bool = False) -> int:
    """A count such as ``steps`` or ``epochs``; a float with a whole value gets a hint."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        low = 0 if allow_zero else 1
        if value >= low:
            raise ValueError(
                f"{name} must be an integer, got {value!r}; write {name}={int(value)}"
            )
    return check_positive_int(name, value, allow_zero=allow_zero)


def _check_seed(seed: Any) -> None:
    """A seed for ``np.random.default_rng``: a non-negative int or a Generator."""
    if isinstance(seed, np.random.Generator):
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed must be a non-negative int or a numpy Generator, got {seed!r}"
            + ("; for fresh randomness pass np.random.default_rng()" if seed is None else "")
        )
    if seed < 0:
        raise ValueError(
            f"seed must be a non-negative int (numpy's default_rng refuses negative seeds), "
            f"got {seed!r}"
        )


def _positive_float(
    name: str, value: Any, optional: bool = False, allow_inf: bool = False
) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not (math.isfinite(value) or (allow_inf and value == math.inf)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _norm(grad: np.ndarray) -> float:
    """Euclidean norm in float64, without overflow: a finite gradient has a finite norm."""
    return math.hypot(*grad.ravel().tolist())


def _finite(values: list[float]) -> bool:
    """Whether every value is finite (on a few Python floats, quicker than ``np.isfinite``)."""
    return all(map(math.isfinite, values))


def _check_surface(fn: Any) -> int | None:
    """Refuse what is not a surface instance; return its ``dim`` when it has one."""
    if isinstance(fn, type):
        raise TypeError(
            f"fn must be a surface instance such as Rosenbrock(), got the class "
            f"{fn.__name__}; write {fn.__name__}()"
        )
    if not callable(fn) or not callable(getattr(fn, "grad", None)):
        raise TypeError(
            f"fn must be a surface: callable as fn(x), with a .grad(x) method, such as "
            f"Rosenbrock(); got {fn!r}"
        )
    dim = getattr(fn, "dim", None)
    return dim if isinstance(dim, numbers.Integral) else None


def _evaluators(fn: Any) -> tuple[Callable[[np.ndarray], Any], Callable[[np.ndarray], Any]]:
    """What the loops call for the value and the gradient at the (already checked) x.

    For optlib's surfaces these are the inner ``_value`` and ``_grad``: the
    point's shape and dtype were checked once, before the first step, and the
    loops run inside ``np.errstate`` already. A surface that overrides
    ``__call__`` or ``grad`` is called as it is, like any other function.
    """
    cls = type(fn)
    if isinstance(fn, Surface) and cls.__call__ is Surface.__call__ and cls.grad is Surface.grad:
        return fn._value, fn._grad
    return fn, fn.grad


def _real_array(what: str, value: Any, shape: tuple[int, ...], expected: str) -> np.ndarray:
    """``value``, returned by the reader's ``fn`` or ``fn.grad``, as a real array of ``shape``."""
    must = f"{what} must return {expected}"
    if value is None:
        raise TypeError(f"{must}, got None (is a `return` missing?)")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{must}, got {short_repr(value)}: {error}") from None
    if array.dtype.kind not in "fiu":
        raise TypeError(
            f"{what} must return real numbers ({expected}), got {short_repr(value)} "
            f"(dtype {array.dtype})"
        )
    if array.shape != shape:
        hint = "; write float(value) or value[0]" if shape == () and array.size == 1 else ""
        raise ValueError(f"{must}, got shape {array.shape}{hint}")
    return array


def _start(x0: Any) -> np.ndarray:
    """``x0`` as a float array, refusing matrices, masked arrays and non-numbers."""
    refuse_matrix_and_masked("x0", x0)
    return as_float_array("x0", x0)


# ------------------------------------------------------------------- minimize
_MINIMIZE_ARGUMENTS = ("fn", "x0", "optimizer", "steps", "tol", "ftol", "blowup")
_SWEEP_ARGUMENTS = ("fn", "x0", "optimizer", "steps", "blowup")
_FIT_ARGUMENTS = (
    "model", "loss", "X", "y", "optimizer", "epochs", "batch_size", "shuffle", "seed",
    "callback", "blowup",
)  # fmt: skip


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
    dim = _check_surface(fn)
    _check_optimizer(optimizer, "minimize(fn, x0, {}, steps=...)")
    steps = _count_argument("steps", steps, allow_zero=True)
    tol = _positive_float("tol", tol, optional=True)
    ftol = _positive_float("ftol", ftol, optional=True)
    blowup = _positive_float("blowup", blowup, allow_inf=True)
    _check_own_names("minimize", _MINIMIZE_ARGUMENTS, optimizer, hyperparams)

    x = _start(x0)
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
    opt = _build_optimizer("minimize", optimizer, [x], hyperparams)

    value_of, grad_of = _evaluators(fn)
    with np.errstate(all="ignore"):
        loss = value_of(x)
        _real_array("fn(x0)", loss, (), "the value at x0, a single number")
        grad = _real_array("fn.grad(x0)", grad_of(x), x.shape, f"an array of shape {x.shape}")
        grad_norm = _norm(grad)
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
            grad_norm = _norm(grad)
            finite = _finite(x.tolist()) and math.isfinite(loss) and math.isfinite(grad_norm)
            if not finite:
                diverged = True
                reason = (
                    f"diverged after {count(taken)}: step {taken + 1} made x, the loss "
                    "or the gradient non-finite (overflow)"
                )
                break
            taken += 1
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
        xs=_readonly(np.array(xs, dtype=x.dtype)),
        losses=_readonly(np.array(losses, dtype=x.dtype)),
        grad_norms=_readonly(np.array(grad_norms, dtype=np.float64)),
        diverged=diverged,
        converged=converged,
        steps=taken,
        stop_reason=reason,
    )


# ---------------------------------------------------------------------- sweep
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
    accepted = _accepted_names(optimizer)
    if accepted is None:
        return
    unknown = {name: value for name, value in hyperparams.items() if name not in accepted}
    if unknown:
        _build_optimizer("sweep", optimizer, [np.zeros(d, dtype=dtype)], unknown)


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
    dim = _check_surface(fn)
    _check_optimizer(optimizer, "sweep(fn, x0, {}, steps=...)")
    steps = _count_argument("steps", steps, allow_zero=True)
    blowup = _positive_float("blowup", blowup, allow_inf=True)
    _check_own_names("sweep", _SWEEP_ARGUMENTS, optimizer, hyperparams)
    start = _start(x0)
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
    x = np.broadcast_to(start, (*batch, d)).copy()
    opt = _build_optimizer("sweep", optimizer, [x], hyperparams)

    value_of, grad_of = _evaluators(fn)
    every_run = (
        f"sweep evaluates fn on every run at once, x of shape {x.shape}: fn(x) must give one "
        "value per run and fn.grad(x) one gradient per run, working over the last axis"
    )
    try:
        with np.errstate(all="ignore"):
            loss = _real_array("fn(x)", value_of(x), batch, f"one value per run, shape {batch}")
            grad = _real_array("fn.grad(x)", grad_of(x), x.shape, f"shape {x.shape}")
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
        xs=_readonly(xs),
        losses=_readonly(losses),
        diverged=_readonly(np.asarray(diverged_at >= 0)),
        diverged_at=_readonly(diverged_at),
        steps=steps,
    )


# ------------------------------------------------------------------------ fit
@dataclass(frozen=True, eq=False)
class History:
    """The record of one ``fit`` (read-only arrays).

    Attributes
    ----------
    losses : ndarray, shape (steps,)
        Per optimizer step: the mini-batch loss *before* that step's update.
    epoch_losses : ndarray, shape (epochs,)
        The full-data loss after each completed epoch. The model's
        parameters are those of the last entry (of ``initial_loss`` when
        there is none), also after a divergence.
    initial_loss : float
        The full-data loss before training.
    steps : int
        Optimizer steps taken, ``len(losses)``; after a divergence this
        includes the steps of the abandoned epoch, which were undone.
    epochs : int
        Epochs completed.
    steps_per_epoch : int
        ``ceil(n / batch_size)`` (1 for batch gradient descent).
    diverged : bool
        True when a mini-batch loss, a gradient, a parameter or the full-data
        loss stopped being finite, or a mini-batch loss blew up; the epoch in
        which it happened was abandoned and the parameters put back to where
        they were at its start.
    stop_reason : str
    wall_time : float
        Seconds spent training (callback time excluded).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> from optlib.models import LinearRegression
    >>> from optlib.optimizers import SGD
    >>> X = np.linspace(0, 1, 10)[:, None]; y = 2 * X[:, 0] + 1
    >>> history = fit(LinearRegression(1), mse, X, y, SGD, epochs=3, batch_size=4, lr=0.1)
    >>> history.steps, history.steps_per_epoch, history.losses.shape, history.epoch_losses.shape
    (9, 3, (9,), (3,))
    >>> history.stop_reason
    'completed 3 epochs (9 steps)'
    """

    losses: np.ndarray
    epoch_losses: np.ndarray
    initial_loss: float
    steps: int
    epochs: int
    steps_per_epoch: int
    diverged: bool
    stop_reason: str
    wall_time: float


def fit(
    model: Any,
    loss: Any,
    X: Any,
    y: Any,
    optimizer: Callable[..., Any],
    epochs: int = 20,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | np.random.Generator = 0,
    callback: Callable[..., Any] | None = None,
    blowup: float = 1e10,
    **hyperparams: Any,
) -> History:
    r"""Train ``model`` on ``(X, y)``: the loop of predict, score, gradient, update.

    ``batch_size=None`` is batch gradient descent (one step per epoch on the
    whole data set, in its given order), ``1`` is stochastic gradient descent
    (one example per step) and ``k`` is mini-batch descent (``ceil(n / k)``
    steps per epoch; the last batch may be smaller). The model's ``params``
    are updated in place.

    Every argument is checked before the first update, so a call that raises
    leaves the model as it was; if the callback raises (or the run is
    interrupted), the parameters are put back as they were before the call
    too, and so is the state of a Generator passed as ``seed``.

    A run that diverges stops cleanly, as in :func:`minimize`: no overflow
    warning, no exception, ``history.diverged`` is True and
    ``history.stop_reason`` says what happened. The epoch in which it
    diverged is abandoned: the parameters are put back to where they were
    at the end of the last completed epoch (or before training), so the
    model stays finite and its full-data loss is ``history.epoch_losses[-1]``
    (or ``history.initial_loss``).

    Parameters
    ----------
    model : Model
        An instance of ``LinearRegression``, ``LogisticRegression``,
        ``SoftmaxRegression``, ``MLP`` or another subclass of
        :class:`optlib.models.Model`.
    loss : loss object
        From ``optlib.losses``, such as ``mse`` or ``MeanSquaredError()``.
    X : array_like, shape (n, n_features)
        Not modified.
    y : array_like, first axis of length n
        Shaped like ``model.forward(X)``; integer labels of shape ``(n,)``
        for ``sparse_cce``. Not modified.
    optimizer : optimizer class
        Built as ``optimizer(model.params, **hyperparams)``.
    epochs : int
        Passes over the data.
    batch_size : int or None
        ``None`` or an integer in ``[1, n]``.
    shuffle : bool
        Reshuffle the examples at the start of every epoch (mini-batch and
        stochastic descent only; a full batch is used in order).
    seed : int or numpy.random.Generator
        Seeds ``np.random.default_rng`` for the shuffling: a non-negative int,
        or a Generator (which is then advanced).
    callback : callable, optional
        Called after every epoch as ``callback(epoch, history_so_far)``
        (``epoch`` counts from 0). A callback that takes a third positional
        argument, or a keyword argument named ``optimizer``, also receives the
        optimizer, for instance to change ``optimizer.lr`` as a schedule
        would. Any truthy return value (``True``, ``np.True_``, a non-zero
        number) stops training; ``None`` and ``False`` go on.
    blowup : float
        Stop as diverged when a mini-batch loss moves away from the initial
        loss by more than ``blowup * (1 + |initial loss|)``.
    **hyperparams
        Passed to the optimizer: ``lr``, ``momentum``, ...

    Returns
    -------
    History

    Raises
    ------
    TypeError
        For something that is not a model, a loss or an optimizer class (a
        class where an instance is expected, or the reverse), a callback that
        cannot be called as ``callback(epoch, history)``, ``np.matrix`` or
        masked arrays, and misspelt arguments (``epoch=`` for ``epochs=``).
    ValueError
        For bad data (shapes, non-finite values, targets the loss refuses),
        ``epochs``, ``batch_size``, ``seed``, ``blowup``, hyper-parameters, or
        a non-finite loss before training.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import mse
    >>> from optlib.models import LinearRegression
    >>> from optlib.optimizers import SGD
    >>> X = np.linspace(0, 1, 20)[:, None]; y = 2 * X[:, 0] + 1
    >>> model = LinearRegression(1)
    >>> history = fit(model, mse, X, y, SGD, epochs=200, lr=0.5, momentum=0.9)
    >>> [round(float(p.ravel()[0]), 3) for p in model.params]
    [2.0, 1.0]
    >>> bool(history.epoch_losses[-1] < 1e-8)
    True

    A callback can stop training, and can see the optimizer:

    >>> def until(epoch, history, optimizer):
    ...     optimizer.lr = 0.9 * optimizer.lr  # a decaying learning rate
    ...     return history.epoch_losses[-1] < 1e-2  # a np.True_ stops training
    >>> fit(LinearRegression(1), mse, X, y, SGD, epochs=500, callback=until, lr=1.0).epochs
    17

    A diverging run stops cleanly and leaves the model finite:

    >>> model = LinearRegression(1)
    >>> history = fit(model, mse, X * 1e100, y, SGD, epochs=5, lr=10.0)
    >>> history.diverged, history.epochs, model.params[0].tolist()
    (True, 0, [[0.0]])
    """
    _check_model(model)
    _check_optimizer(optimizer, "fit(model, loss, X, y, {}, epochs=...)")
    epochs = _count_argument("epochs", epochs)
    blowup = _positive_float("blowup", blowup, allow_inf=True)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}")
    call_back = _callback_caller(callback)
    _check_seed(seed)
    _check_own_names("fit", _FIT_ARGUMENTS, optimizer, hyperparams)
    X, y = model._checked(X, y, loss)
    n = X.shape[0]
    if batch_size is not None:
        batch_size = _count_argument("batch_size", batch_size)
        if batch_size > n:
            raise ValueError(
                f"batch_size must be at most the number of examples n={n}, got {batch_size}; "
                "batch_size=None uses them all in every step"
            )
    size = n if batch_size is None else batch_size
    steps_per_epoch = -(-n // size)
    initial_loss, _ = model._value_and_grads(X, y, loss, with_grads=False)
    if not math.isfinite(initial_loss):
        raise ValueError(
            f"the loss before training is not finite ({initial_loss}): the model's outputs "
            "overflow on X, or the loss does; check the scale of X and y and the model's "
            "parameters"
        )
    params = model.params
    opt = _build_optimizer("fit", optimizer, params, hyperparams)
    rng = np.random.default_rng(seed)
    rng_state = seed.bit_generator.state if isinstance(seed, np.random.Generator) else None
    before = [p.copy() for p in params]  # put back if the call raises
    last_epoch = [p.copy() for p in params]  # put back if the run diverges

    started = time.perf_counter()
    callback_time = 0.0
    bound = blowup * (1.0 + abs(initial_loss))
    losses: list[float] = []
    epoch_losses: list[float] = []
    diverged = False
    reason = None

    def snapshot(stop_reason: str) -> History:
        return History(
            losses=_readonly(np.array(losses, dtype=np.float64)),
            epoch_losses=_readonly(np.array(epoch_losses, dtype=np.float64)),
            initial_loss=initial_loss,
            steps=len(losses),
            epochs=len(epoch_losses),
            steps_per_epoch=steps_per_epoch,
            diverged=diverged,
            stop_reason=stop_reason,
            wall_time=time.perf_counter() - started - callback_time,
        )

    def where(epoch: int) -> str:
        return f"diverged after {count(len(losses))} (in epoch {epoch + 1})"

    try:
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle and batch_size is not None else None
            for begin in range(0, n, size):
                batch = (
                    slice(begin, begin + size) if order is None else order[begin : begin + size]
                )
                with np.errstate(all="ignore"):
                    value, grads = model._value_and_grads(X[batch], y[batch], loss)
                    finite = (
                        grads is not None
                        and math.isfinite(value)
                        and all(np.isfinite(g).all() for g in grads)
                    )
                    if finite:
                        opt.step(grads)
                if not finite:
                    diverged = True
                    reason = f"{where(epoch)}: the loss or a gradient became non-finite"
                    break
                losses.append(value)
                if abs(value - initial_loss) > bound:
                    diverged = True
                    reason = (
                        f"{where(epoch)}: loss {value:.3g} exceeded the blowup bound "
                        f"{bound:.3g} = blowup * (1 + |initial loss|)"
                    )
                    break
            if not diverged:
                epoch_loss, _ = model._value_and_grads(X, y, loss, with_grads=False)
                if not all(np.isfinite(p).all() for p in params):
                    diverged = True
                    reason = f"{where(epoch)}: a step made the parameters non-finite"
                elif not math.isfinite(epoch_loss):
                    diverged = True
                    reason = f"{where(epoch)}: the full-data loss became non-finite"
            if diverged:
                for param, kept in zip(params, last_epoch, strict=True):
                    np.copyto(param, kept)
                reason += (
                    f"; the parameters are back where they were after epoch {epoch}"
                    if epoch
                    else "; the parameters are back where they were before training"
                )
                break
            epoch_losses.append(epoch_loss)
            for kept, param in zip(last_epoch, params, strict=True):
                np.copyto(kept, param)
            if call_back is not None:
                tick = time.perf_counter()
                stop = call_back(epoch, snapshot("running"), opt)
                callback_time += time.perf_counter() - tick
                if _stops(stop):
                    done = f"{count(len(epoch_losses), 'epoch')} ({count(len(losses))})"
                    reason = f"stopped by the callback after {done}"
                    break
    except BaseException:
        for param, kept in zip(params, before, strict=True):
            np.copyto(param, kept)
        if rng_state is not None:
            seed.bit_generator.state = rng_state
        raise
    if reason is None:
        reason = f"completed {count(epochs, 'epoch')} ({count(len(losses))})"
    return snapshot(reason)


def _check_model(model: Any) -> None:
    """Refuse what is not an optlib model, saying what to write for a class."""
    if isinstance(model, Model):
        return
    if isinstance(model, type) and issubclass(model, Model):
        name = model.__name__
        example = "MLP([n_features, 16, 1])" if name == "MLP" else f"{name}(n_features)"
        raise TypeError(
            f"model must be a model instance, got the class {name}; build it first, "
            f"e.g. model = {example}"
        )
    raise TypeError(
        "model must be an optlib model: LinearRegression, LogisticRegression, "
        "SoftmaxRegression, MLP or another subclass of optlib.models.Model, which give it "
        f"params, forward(X) and loss_and_grads(X, y, loss); got {model!r} of type "
        f"{type(model).__name__}"
    )


def _callback_caller(callback: Any) -> Callable[[int, History, Any], Any] | None:
    """How ``fit`` calls ``callback``: with the optimizer when the callback asks for it.

    ``callback(epoch, history)`` as before; ``callback(epoch, history, optimizer)``
    when it takes a third positional argument it requires; and
    ``callback(epoch, history, optimizer=opt)`` when it has a parameter named
    ``optimizer`` (or ``**kwargs``).
    """
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError(
            f"callback must be callable as callback(epoch, history), or None; got {callback!r}"
        )
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):  # a built-in without a signature: the two arguments
        return lambda epoch, history, opt: callback(epoch, history)
    parameters = signature.parameters
    by_keyword = (
        "optimizer" in parameters
        and parameters["optimizer"].kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ) or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    for arguments, keywords, call in (
        ((0, None), {"optimizer": None}, "keyword"),
        ((0, None), {}, "two"),
        ((0, None, None), {}, "three"),
    ):
        if call == "keyword" and not by_keyword:
            continue
        try:
            signature.bind(*arguments, **keywords)
        except TypeError:
            continue
        if call == "keyword":
            return lambda epoch, history, opt: callback(epoch, history, optimizer=opt)
        if call == "two":
            return lambda epoch, history, opt: callback(epoch, history)
        return lambda epoch, history, opt: callback(epoch, history, opt)
    raise TypeError(
        "callback must accept (epoch, history), or (epoch, history, optimizer); "
        f"{getattr(callback, '__name__', callback)!r} has the signature {signature}"
    )


def _stops(value: Any) -> bool:
    """Whether a callback's return value asks to stop: any truthy value does."""
    try:
        return bool(value)
    except Exception:  # an array of several values: no single truth value
        raise TypeError(
            "the callback returned a value with no single truth value "
            f"({type(value).__name__}); return True (or any truthy value) to stop, "
            "None or False to go on"
        ) from None


# ------------------------------------------------------------ record_state
@dataclass(frozen=True, eq=False)
class StateRecord:
    r"""What an optimizer did at every step of one run: gradients, state, rates, steps.

    Built by :func:`record_state`. Row ``t - 1`` of each per-step array
    belongs to step :math:`t` (steps count from 1, as in the update rules).

    Attributes
    ----------
    xs : ndarray, shape (n + 1, d)
        The iterates :math:`\theta_0, \dots, \theta_n`.
    grads : ndarray, shape (n, d)
        The gradient :math:`g_t` that step :math:`t` used, taken at :math:`\theta_{t-1}`.
    updates : ndarray, shape (n, d)
        The step actually taken, :math:`\theta_t - \theta_{t-1}`.
    rates : ndarray, shape (n, d)
        The per-coordinate learning rate of step :math:`t`, from the state after
        the step: :math:`\alpha / (\sqrt{G_t} + \varepsilon)` for Adagrad,
        :math:`\alpha / (\sqrt{s_t} + \varepsilon)` for RMSprop (with
        :math:`s_t - \bar g_t^2` under the root when centered), :math:`\alpha` for
        SGD; for Adam and AdamW the factor that multiplies the first moment
        :math:`m_t`, bias corrections included. Without momentum,
        ``updates == -rates * grads``.
    state : dict of str to ndarray, shape (n, d)
        Every array entry of the optimizer's state after each step (``"sum"``,
        ``"square_avg"``, ...).
    losses : ndarray, shape (n + 1,), or None
        The surface at each iterate; ``None`` for a moving target.
    diverged : bool
        True when a step made the parameters or the gradient non-finite, or the
        loss blew up (as in :func:`optlib.minimize`); the arrays stop before it.
    steps : int
        Steps recorded, ``n``.

    Examples
    --------
    >>> from optlib import SGD, Quadratic
    >>> record = record_state(Quadratic(), [2.0, 1.0], SGD, steps=2, lr=0.1)
    >>> isinstance(record, StateRecord), record.xs.shape, record.grads.shape
    (True, (3, 2), (2, 2))
    """

    xs: np.ndarray
    grads: np.ndarray
    updates: np.ndarray
    rates: np.ndarray
    state: dict[str, np.ndarray]
    losses: np.ndarray | None
    diverged: bool
    steps: int


def record_state(
    fn: Any,
    x0: Any,
    optimizer: Any,
    steps: int = 100,
    *,
    blowup: float = 1e10,
    **hyperparams: Any,
) -> StateRecord:
    r"""Run an optimizer and keep, at every step, its gradient, state, rates and step.

    :func:`optlib.minimize` records where a run goes; this records *why*: what
    the optimizer had accumulated and how it scaled each coordinate. It is what
    the figures on adaptive learning rates are drawn from.

    Parameters
    ----------
    fn : surface or callable
        A surface from :mod:`optlib.functions` (its ``grad`` is used, and its
        values are recorded), or a callable ``grad(x, t)`` giving the gradient
        at ``x`` for step ``t`` (a *moving target*: the objective changes with
        time; no losses are recorded).
    x0 : array_like, shape (d,)
        Starting point; not modified.
    optimizer : optimizer class
        ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam`` or ``AdamW``.
    steps : int
        Step budget.
    blowup : float
        As in :func:`optlib.minimize` (surfaces only).
    **hyperparams
        Passed to the optimizer.

    Returns
    -------
    StateRecord

    Examples
    --------
    >>> from optlib import Adagrad, Quadratic
    >>> record = record_state(Quadratic(), [2.0, 1.0], Adagrad, steps=3, lr=0.5)
    >>> record.grads[0].tolist(), record.updates[0].round(6).tolist()
    ([2.0, 10.0], [-0.5, -0.5])
    >>> record.state["sum"][0].tolist(), record.rates.shape
    ([4.0, 100.0], (3, 2))
    >>> bool(np.allclose(record.updates, -record.rates * record.grads))
    True
    """

    steps = _count_argument("steps", steps)
    if isinstance(fn, type):
        _check_surface(fn)  # a class for an instance: say what to write
    surface = callable(getattr(fn, "grad", None))
    if not surface and not callable(fn):
        raise ValueError(f"fn must be a surface or a callable grad(x, t), got {fn!r}")
    _check_optimizer(optimizer, "record_state(fn, x0, {}, steps=...)")
    x = as_float_array("x0", _start(x0), dtype=np.float64).reshape(-1).copy()
    check_finite("x0", x)
    opt = _build_optimizer("record_state", optimizer, [x], hyperparams)

    def gradient(point: np.ndarray, t: int) -> np.ndarray:
        value = fn.grad(point) if surface else fn(point.copy(), t)
        return np.array(value, dtype=np.float64).reshape(x.shape)

    with np.errstate(all="ignore"):
        loss0 = float(fn(x)) if surface else None
    if loss0 is not None and not math.isfinite(loss0):
        raise ValueError(f"the loss at x0 = {x.tolist()} is not finite")
    bound = blowup * (1 + abs(loss0)) if loss0 is not None else math.inf
    xs, grads, updates, rates = [x.copy()], [], [], []
    states: dict[str, list[np.ndarray]] = {}
    losses = [loss0] if loss0 is not None else None
    diverged = False
    for t in range(1, steps + 1):
        with np.errstate(all="ignore"):
            g = gradient(x, t)
            if not np.isfinite(g).all():
                diverged = True
                break
            before = x.copy()
            opt.step([g])
            loss = float(fn(x)) if surface else 0.0
            rate = np.array(opt.rates(0), dtype=np.float64)
        if not (np.isfinite(x).all() and math.isfinite(loss)):
            diverged = True
            break
        xs.append(x.copy())
        grads.append(g)
        updates.append(x - before)
        rates.append(rate)
        for key, value in opt.state[0].items():
            if isinstance(value, np.ndarray):
                states.setdefault(key, []).append(np.array(value, dtype=np.float64))
        if losses is not None:
            losses.append(loss)
            if abs(loss - loss0) > bound:
                diverged = True
                break
    d = x.shape[0]

    def stacked(rows: list[np.ndarray]) -> np.ndarray:
        return _readonly(np.array(rows, dtype=np.float64).reshape(len(rows), d))

    return StateRecord(
        xs=stacked(xs),
        grads=stacked(grads),
        updates=stacked(updates),
        rates=stacked(rates),
        state={key: stacked(rows) for key, rows in states.items()},
        losses=None if losses is None else _readonly(np.array(losses, dtype=np.float64)),
        diverged=diverged,
        steps=len(grads),
    )
