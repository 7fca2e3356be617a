"""``record_state``: what an optimizer did at every step, and why (its state and rates)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import (
    as_float_array,
    check_finite,
)
from optlib.training.arguments import (
    build_optimizer,
    check_optimizer,
    check_surface,
    count_argument,
    readonly,
    start_point,
)

__all__ = ["StateRecord", "record_state"]


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
        SGD; for Adam, AdamW, RAdam and Adamax the factor that multiplies the
        first moment :math:`m_t`, bias corrections (and RAdam's rectification)
        included, and for NAdam the one that multiplies its look-ahead moment
        :math:`\hat m_t`: each optimizer's ``rates()``. Without momentum,
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
        One that defines a per-coordinate rate: ``SGD``, ``Adagrad``,
        ``RMSprop``, ``Adam``, ``AdamW``, ``NAdam``, ``RAdam`` or ``Adamax``.
        ``Adadelta`` and ``Adafactor`` define none (their ``rates()`` raises a
        ``ValueError``), and ``Muon`` takes only matrices, never the vector
        :math:`\theta` this records.
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

    steps = count_argument("steps", steps)
    if isinstance(fn, type):
        check_surface(fn)  # a class for an instance: say what to write
    surface = callable(getattr(fn, "grad", None))
    if not surface and not callable(fn):
        raise ValueError(f"fn must be a surface or a callable grad(x, t), got {fn!r}")
    check_optimizer(optimizer, "record_state(fn, x0, {}, steps=...)")
    x = as_float_array("x0", start_point(x0), dtype=np.float64).reshape(-1).copy()
    check_finite("x0", x)
    opt = build_optimizer("record_state", optimizer, [x], hyperparams)

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
        return readonly(np.array(rows, dtype=np.float64).reshape(len(rows), d))

    return StateRecord(
        xs=stacked(xs),
        grads=stacked(grads),
        updates=stacked(updates),
        rates=stacked(rates),
        state={key: stacked(rows) for key, rows in states.items()},
        losses=None if losses is None else readonly(np.array(losses, dtype=np.float64)),
        diverged=diverged,
        steps=len(grads),
    )
