r"""Loops behind the chapters' experiments that :mod:`optlib.training` does not run.

:func:`optlib.minimize` follows a surface's gradient with fixed
hyper-parameters. The chapters also need to

* feed an optimizer a *given* sequence of gradients (a steady gradient, one
  that flips sign, a spike after a long run of zeros) or follow a gradient
  while a hyper-parameter changes on a schedule: :func:`iterates`, which works
  for :mod:`optlib.optimizers` and :mod:`optlib.keras` alike;
* train a linear regression by mini-batches for a whole grid of learning rates
  at once, keeping the optimizer's state at every step:
  :func:`linear_regression_sweep`;
* run Smith's learning-rate range test on a model, raising the rate at every
  mini-batch until the loss blows up: :func:`lr_range_test`, which returns a
  :class:`RangeTest`;
* train one small classifier network for every (learning rate, seed) pair at
  once, as :func:`optlib.fit` would train each alone: :func:`network_sweep`,
  which returns a :class:`NetworkSweep`.

Examples
--------
>>> import numpy as np
>>> from optlib import SGD
>>> xs = iterates(SGD, np.ones(3), lr=0.1, momentum=0.5)  # a steady gradient 1
>>> (-np.diff(xs[:, 0])).round(3).tolist()  # steps of α, α(1 + ρ), α(1 + ρ + ρ²)
[0.1, 0.15, 0.175]
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import as_float_array, check_finite, check_ndim
from optlib.optimizers import SGD

__all__ = [
    "NetworkSweep",
    "RangeTest",
    "RegressionSweep",
    "iterates",
    "linear_regression_sweep",
    "lr_range_test",
    "network_sweep",
]


def iterates(
    optimizer: Callable[..., Any],
    gradients: Sequence[Any] | np.ndarray | Callable[[np.ndarray], Any],
    x0: Any = 0.0,
    *,
    steps: int | None = None,
    schedule: Mapping[str, Sequence[Any]] | None = None,
    **hyperparams: Any,
) -> np.ndarray:
    r"""The iterates :math:`\theta_0, \theta_1, \ldots` of an optimizer fed the given gradients.

    Parameters
    ----------
    optimizer : optimizer class
        From :mod:`optlib.optimizers` or :mod:`optlib.keras`; built as
        ``optimizer(theta, **hyperparams)`` on a copy of ``x0``.
    gradients : sequence of array_like, or callable
        Either the gradient of each step in turn, each broadcast to the shape of
        ``x0`` (a scalar per step for a 1-D ``x0``), or a function
        ``grad(theta)`` such as a surface's ``grad``, called at each iterate.
    x0 : array_like
        The start (a scalar is one coordinate); not modified.
    steps : int, optional
        The number of steps; by default as many as ``gradients`` has. Required
        when ``gradients`` is a function and there is no ``schedule``.
    schedule : dict of str to sequence, optional
        Hyper-parameters that change: before step :math:`t` the optimizer's
        attribute ``name`` is set to ``schedule[name][t - 1]``, as a learning-rate
        schedule does (``{"lr": rates}`` for PyTorch's names,
        ``{"learning_rate": rates}`` for Keras's).
    **hyperparams
        Passed to the optimizer.

    Returns
    -------
    ndarray, shape (steps + 1, \*x0.shape)
        :math:`\theta_0` (``x0``) and the iterate after each step, in float64.
        ``-np.diff(result, axis=0)`` are the steps taken.

    Raises
    ------
    ValueError
        For a gradient that does not broadcast to the shape of ``x0``, or a
        ``steps`` that the gradients or the schedule cannot supply.

    Examples
    --------
    PyTorch's momentum and Keras's give the same steps while the rate is
    constant, and different ones once it is cut:

    >>> import numpy as np
    >>> from optlib import SGD, keras
    >>> rates = [0.1, 0.1, 0.01]
    >>> torch_path = iterates(SGD, np.ones(3), momentum=0.9, schedule={"lr": rates})
    >>> keras_path = iterates(keras.SGD, np.ones(3), momentum=0.9,
    ...                       schedule={"learning_rate": rates})
    >>> (-np.diff(torch_path[:, 0])).round(4).tolist()
    [0.1, 0.19, 0.0271]
    >>> (-np.diff(keras_path[:, 0])).round(4).tolist()
    [0.1, 0.19, 0.181]

    On a surface, pass its gradient:

    >>> from optlib import Adam, Quadratic
    >>> iterates(Adam, Quadratic().grad, [1.0, 1.0], steps=2, lr=0.1).round(3).tolist()
    [[1.0, 1.0], [0.9, 0.9], [0.8, 0.8]]
    """
    schedule = dict(schedule or {})
    theta = np.array(as_float_array("x0", x0, dtype=np.float64), ndmin=1)
    check_finite("x0", theta)
    supplied = [len(values) for values in schedule.values()]
    if not callable(gradients):
        gradients = list(gradients)
        supplied.append(len(gradients))
    if steps is None:
        if not supplied:
            raise ValueError("steps is needed when gradients is a function and no schedule is")
        steps = min(supplied)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if supplied and min(supplied) < steps:
        raise ValueError(
            f"steps={steps}, but the gradients or the schedule only cover {min(supplied)}"
        )
    opt = optimizer(theta, **hyperparams)
    path = np.empty((steps + 1, *theta.shape))
    path[0] = theta
    with np.errstate(all="ignore"):  # a run that overflows shows as inf or nan, as in training
        for t in range(steps):
            for name, values in schedule.items():
                setattr(opt, name, values[t])
            g = gradients(theta.copy()) if callable(gradients) else gradients[t]
            g = np.asarray(g, dtype=np.float64)
            try:
                g = np.broadcast_to(g, theta.shape).copy()
            except ValueError:
                raise ValueError(
                    f"the gradient of step {t + 1} has shape {g.shape}, which does not "
                    f"broadcast to x0's shape {theta.shape}"
                ) from None
            opt.step([g])
            path[t + 1] = theta
    return path


@dataclass(frozen=True, eq=False)
class RegressionSweep:
    r"""Mini-batch training of :math:`\hat y = Xw + b` for ``k`` settings at once.

    Attributes
    ----------
    weights : ndarray, shape (steps + 1, k, d)
        The weights :math:`w` of every run, before the first step and after each.
    state : dict of str to ndarray, shape (steps, k, d)
        Every array entry of the optimizer's state for the weights (``"sum"``
        for Adagrad, ``"exp_avg"`` for Adam, ...), after each step.
    final_losses : ndarray, shape (k,)
        The mean squared error on the whole data set at the end; ``inf`` for a
        run that overflowed.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> X, y = np.eye(2), np.array([1.0, 2.0])
    >>> result = linear_regression_sweep(X, y, [[0, 1]] * 50, SGD, lr=np.array([[0.3], [1.0]]))
    >>> result.weights.shape, (result.final_losses < 1e-12).tolist()  # α = 1 is too large
    ((51, 2, 2), [True, False])
    """

    weights: np.ndarray
    state: dict[str, np.ndarray]
    final_losses: np.ndarray


def linear_regression_sweep(
    X: Any,
    y: Any,
    batches: Sequence[Any],
    optimizer: Callable[..., Any],
    **hyperparams: Any,
) -> RegressionSweep:
    r"""Train a linear regression by mean squared error, for many settings in one array.

    Every run starts at :math:`w = 0, b = 0` and takes one step per batch, on
    the mini-batch gradient of :math:`J = \frac1B \sum_{i} (w^\top x_i + b - y_i)^2`,

    .. math::
       \frac{\partial J}{\partial w} = \frac2B \sum_i r_i x_i, \qquad
       \frac{\partial J}{\partial b} = \frac2B \sum_i r_i, \qquad
       r_i = w^\top x_i + b - y_i .

    The runs sit in the rows of one weight array of shape ``(k, d)`` and one
    bias array of shape ``(k, 1)``, so that all advance in the same NumPy
    operations, each with its own hyper-parameters (as :func:`optlib.sweep` does
    on a surface). It is the experiment of the Adagrad chapter, where sparse
    features meet one learning rate.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The features.
    y : array_like, shape (n,)
        The targets.
    batches : sequence of index arrays
        The examples of each step's mini-batch, in order (epochs included).
    optimizer : optimizer class
        Built as ``optimizer([W, b], **hyperparams)``.
    **hyperparams
        Scalars, or arrays of shape ``(k, 1)``: one value per run
        (``lr=lrs[:, None]``).

    Returns
    -------
    RegressionSweep

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Adagrad
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> result = linear_regression_sweep(X, X.sum(axis=1), [[0, 1, 2]] * 3, Adagrad,
    ...                                  lr=np.array([[0.1], [0.5]]))
    >>> result.state["sum"].shape  # Adagrad's sum of squared gradients, per step and run
    (3, 2, 2)
    """
    X = as_float_array("X", X, dtype=np.float64)
    y = as_float_array("y", y, dtype=np.float64)
    check_ndim("X", X, 2, "examples by features")
    check_ndim("y", y, 1, "one target per example")
    if len(X) != len(y):
        raise ValueError(f"X and y must have as many rows, got {len(X)} and {len(y)}")
    batches = [np.asarray(batch, dtype=np.intp) for batch in batches]
    if not batches or any(batch.ndim != 1 or batch.size == 0 for batch in batches):
        raise ValueError("batches must be a non-empty list of non-empty index arrays")
    runs = max((np.shape(value)[0] for value in hyperparams.values() if np.ndim(value) == 2),
               default=1)  # fmt: skip
    W, b = np.zeros((runs, X.shape[1])), np.zeros((runs, 1))
    opt = optimizer([W, b], **hyperparams)
    weights, states = [W.copy()], {}
    with np.errstate(all="ignore"):  # the runs whose rate is too large overflow
        for batch in batches:
            residual = W @ X[batch].T + b - y[batch]  # one row per run
            opt.step([2 * residual @ X[batch] / len(batch),  # ∂J/∂w
                      2 * residual.mean(axis=1, keepdims=True)])  # ∂J/∂b  # fmt: skip
            weights.append(W.copy())
            for key, value in opt.state[0].items():
                if isinstance(value, np.ndarray):
                    states.setdefault(key, []).append(value.copy())
        loss = np.mean((W @ X.T + b - y) ** 2, axis=1)
    return RegressionSweep(
        weights=np.array(weights),
        state={key: np.array(values) for key, values in states.items()},
        final_losses=np.where(np.isfinite(loss), loss, np.inf),
    )


# ---------------------------------------------------------------------------
# The learning-rate range test
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RangeTest:
    r"""The record of one learning-rate range test (:func:`lr_range_test`); read-only arrays.

    Attributes
    ----------
    lrs : ndarray, shape (steps,)
        The rate of each step taken, :math:`\alpha_t = \alpha_{\text{start}}
        (\alpha_{\text{end}} / \alpha_{\text{start}})^{t / (N - 1)}`.
    losses : ndarray, shape (steps,)
        The mini-batch loss of each step, computed at the start of step
        :math:`t`, just before the update at rate ``lrs[t]`` (as
        :attr:`optlib.History.losses`).
    smoothed : ndarray, shape (steps,)
        The exponentially smoothed, bias-corrected losses,
        :math:`\bar L_t = a_t / (1 - (1 - s)^{t+1})` with
        :math:`a_t = (1 - s)\,a_{t-1} + s L_t`, :math:`a_{-1} = 0`.
    steps : int
        Steps taken, ``len(lrs)``: fewer than asked when the test stopped early.
    diverged : bool
        True when the test stopped early: the smoothed loss exceeded
        ``stop_factor`` times its minimum, or a loss or gradient stopped being
        finite (that step is not recorded).
    stop_reason : str
        Why the test ended, in words.
    suggested_lr : float
        The rate at the steepest descent of the smoothed loss (see
        :func:`lr_range_test` for the rule and its weakness); ``nan`` when the
        smoothed loss never falls.
    min_loss_lr : float
        The rate at the minimum of the smoothed loss.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import LinearRegression, mse
    >>> X = np.linspace(-1, 1, 64)[:, None]; y = 3 * X[:, 0]
    >>> result = lr_range_test(LinearRegression(1), mse, X, y, steps=60)
    >>> result.steps < 60, result.diverged, float(result.lrs[0])
    (True, True, 1e-05)
    >>> bool(result.suggested_lr < result.min_loss_lr)
    True
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steps: int
    diverged: bool
    stop_reason: str
    suggested_lr: float
    min_loss_lr: float


# The arguments of lr_range_test itself (the others go to the optimizer).
_RANGE_TEST_ARGUMENTS = (
    "model", "loss", "X", "y", "optimizer", "start_lr", "end_lr", "steps", "batch_size",
    "seed", "smoothing", "stop_factor",
)  # fmt: skip


def lr_range_test(
    model: Any,
    loss: Any,
    X: Any,
    y: Any,
    *,
    optimizer: Callable[..., Any] = SGD,
    start_lr: float = 1e-5,
    end_lr: float = 10.0,
    steps: int = 100,
    batch_size: int | None = 32,
    seed: int | np.random.Generator = 0,
    smoothing: float = 0.05,
    stop_factor: float = 4.0,
    **hyperparams: Any,
) -> RangeTest:
    r"""Smith's learning-rate range test: raise the rate at every mini-batch, watch the loss.

    The test of Smith (2017, section 3.3), as fastai's ``lr_find`` runs it:
    train a copy of ``model`` for at most :math:`N` = ``steps`` mini-batch
    steps, step :math:`t = 0, \ldots, N - 1` at the rate

    .. math::
       \alpha_t = \alpha_{\text{start}}
                  \left(\frac{\alpha_{\text{end}}}{\alpha_{\text{start}}}\right)^{t/(N-1)},

    which grows geometrically from ``start_lr`` to ``end_lr``, and record
    each step's mini-batch loss :math:`L_t`. The losses are smoothed by an
    exponential moving average with weight :math:`s` = ``smoothing`` on the
    newest loss, corrected for its start at 0 as Adam's moments are:

    .. math::
       a_t = (1 - s)\,a_{t-1} + s L_t,\quad a_{-1} = 0, \qquad
       \bar L_t = \frac{a_t}{1 - (1 - s)^{t+1}}.

    The test stops early, as diverged, after the first step where
    :math:`\bar L_t > c \min_{k \le t} \bar L_k` (:math:`c` = ``stop_factor``),
    or when a loss or a gradient is not finite.

    Two rates are read off the curve:

    ``min_loss_lr``
        :math:`\alpha_{t^*}` with :math:`t^* = \arg\min_t \bar L_t`: too large
        a rate to train with (the loss is about to turn up there); fastai's
        rule of thumb is a tenth of it.
    ``suggested_lr``
        The rate of the steepest descent of the smoothed loss against
        :math:`\log\alpha`: :math:`\alpha_{t'}` with
        :math:`t' = \arg\min_{t \le t^*} \frac{d\bar L}{d\log\alpha}(t)`, the
        derivative taken by central differences (one-sided at the ends) over
        the steps up to :math:`t^*` (``nan`` if :math:`t^* = 0`, a loss that
        never falls).

    Notes
    -----
    The steepest-descent rule is a heuristic with a known weakness: the
    derivative of a noisy curve is noisier still, so the steepest point moves
    with the seed, the batch size, ``smoothing`` and the range of rates, and
    can land early, where the loss barely moves and noise dominates, or just
    before the blow-up. The moving average also lags: :math:`\bar L_t` trails
    the raw loss by about :math:`1/s` steps, which shifts both rates to the
    right (larger). And the test measures the first steps of training from
    the model's initial parameters: the rate it suggests is for the start of
    training (a peak for a warm-up or a one-cycle schedule, say), not the best
    constant rate for a whole run. Look at the plot
    (:func:`optlib.plotting.range_test_plot`), not just at the number.

    Parameters
    ----------
    model : Model
        An optlib model; it is copied, and the copy trained: ``model`` is left
        as it was.
    loss : loss object
        From :mod:`optlib.losses`; non-negative, as every loss there is (the
        stopping rule compares it with a multiple of its minimum).
    X : array_like, shape (n, n_features)
    y : array_like, first axis of length n
        As for :func:`optlib.fit`.
    optimizer : optimizer class, default SGD
        Built as ``optimizer(params, lr=start_lr, **hyperparams)``; its ``lr``
        is set before every step.
    start_lr, end_lr : float
        :math:`0 < \alpha_{\text{start}} < \alpha_{\text{end}}`, finite.
    steps : int
        :math:`N \ge 2`, the number of steps if the test does not stop early.
    batch_size : int or None
        Examples per step, in ``[1, n]``; the examples are reshuffled at the
        start of every pass over the data, and the last batch of a pass may be
        smaller (as in :func:`optlib.fit`). ``None`` uses all of them, in
        order, at every step.
    seed : int or numpy.random.Generator
        Seeds the shuffling (a Generator passed is advanced).
    smoothing : float
        :math:`s \in (0, 1]`, the weight of the newest loss in the moving
        average (1: no smoothing). fastai's ``beta=0.98`` is ``smoothing=0.02``.
    stop_factor : float
        :math:`c > 1`; ``math.inf`` never stops early on the loss.
    **hyperparams
        Passed to the optimizer (``momentum=0.9``, ``betas=...``), except
        ``lr``, which the test sets.

    Returns
    -------
    RangeTest

    Raises
    ------
    TypeError
        For something that is not a model, a loss or an optimizer class.
    ValueError
        For bad data, ``lr`` among the hyper-parameters, and ``start_lr``,
        ``end_lr``, ``steps``, ``batch_size``, ``seed``, ``smoothing`` or
        ``stop_factor`` out of their ranges (each named).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import MLP, SGD, SparseCategoricalCrossEntropy
    >>> from optlib.datasets import load_digits
    >>> digits = load_digits()
    >>> X, y = digits.pixels / 16, digits.labels
    >>> model = MLP([64, 32, 10], activation="relu", seed=0)
    >>> result = lr_range_test(model, SparseCategoricalCrossEntropy(from_logits=True), X, y,
    ...                        optimizer=SGD, momentum=0.9, start_lr=1e-4, end_lr=100.0)
    >>> result.stop_reason  # doctest: +ELLIPSIS
    'stopped after ... steps: the smoothed loss ... exceeded 4 × its minimum ...'
    >>> bool(1e-3 < result.suggested_lr < result.min_loss_lr < 10.0)
    True
    """
    from optlib.training.arguments import (
        build_optimizer,
        check_optimizer,
        check_own_names,
        check_seed,
        count,
        readonly,
    )
    from optlib.training.fitting import _check_model

    _check_model(model)
    check_optimizer(optimizer, "lr_range_test(model, loss, X, y, optimizer={})")
    if "lr" in hyperparams:
        raise ValueError(
            "lr is set by the range test at every step: give start_lr= and end_lr= instead"
        )
    start_lr = _positive_finite("start_lr", start_lr)
    end_lr = _positive_finite("end_lr", end_lr)
    if not end_lr > start_lr:
        raise ValueError(
            f"end_lr must be larger than start_lr={start_lr!r}, got end_lr={end_lr!r}"
        )
    if isinstance(steps, bool | np.bool_) or not isinstance(steps, numbers.Integral) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    steps = int(steps)
    if (
        isinstance(smoothing, bool | np.bool_)
        or not isinstance(smoothing, numbers.Real)
        or not 0 < smoothing <= 1
    ):
        raise ValueError(f"smoothing must be a number in (0, 1], got {smoothing!r}")
    if (
        isinstance(stop_factor, bool | np.bool_)
        or not isinstance(stop_factor, numbers.Real)
        or math.isnan(stop_factor)
        or not stop_factor > 1
    ):
        raise ValueError(
            f"stop_factor must be a number > 1 (math.inf never stops), got {stop_factor!r}"
        )
    check_seed(seed)
    check_own_names("lr_range_test", _RANGE_TEST_ARGUMENTS, optimizer, hyperparams)
    work = copy.deepcopy(model)
    X, y = work._checked(X, y, loss)
    n = X.shape[0]
    if batch_size is not None:
        if (
            isinstance(batch_size, bool | np.bool_)
            or not isinstance(batch_size, numbers.Integral)
            or not 1 <= batch_size <= n
        ):
            raise ValueError(
                f"batch_size must be an integer in [1, n={n}] or None (all examples), "
                f"got {batch_size!r}"
            )
        batch_size = int(batch_size)
    opt = build_optimizer("lr_range_test", optimizer, work.params, {**hyperparams, "lr": start_lr})
    rng = np.random.default_rng(seed)
    schedule = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
    schedule[-1] = end_lr  # exactly, whatever the rounding of the power
    s, c = float(smoothing), float(stop_factor)

    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, best = 0.0, math.inf
    order: np.ndarray | None = None
    position = n
    reason = None
    for t in range(steps):
        if batch_size is None:
            batch: Any = slice(None)
        else:
            if position >= n:
                order, position = rng.permutation(n), 0
            assert order is not None
            batch = order[position : position + batch_size]
            position += batch_size
        rate = float(schedule[t])
        with np.errstate(all="ignore"):
            value, grads = work._value_and_grads(X[batch], y[batch], loss)
            finite = (
                grads is not None
                and math.isfinite(value)
                and all(np.isfinite(g).all() for g in grads)
            )
            if finite:
                opt.lr = rate
                opt.step(grads)
        if not finite:
            reason = (
                f"stopped after {count(t)}: the loss or a gradient became non-finite at step "
                f"{t + 1} (lr {rate:.3g})"
            )
            break
        average = (1 - s) * average + s * value
        level = average / (1 - (1 - s) ** (t + 1))
        lrs.append(rate)
        losses.append(float(value))
        smoothed.append(level)
        best = min(best, level)
        if level > c * best:
            reason = (
                f"stopped after {count(t + 1)}: the smoothed loss {level:.3g} exceeded "
                f"{c:g} × its minimum {best:.3g} at lr {rate:.3g}"
            )
            break
    diverged = reason is not None
    if reason is None:
        reason = f"completed {count(steps)} from lr {start_lr:.3g} to {end_lr:.3g}"
    lr_array, smooth_array = np.array(lrs), np.array(smoothed)
    suggested, at_minimum = _read_off(lr_array, smooth_array)
    return RangeTest(
        lrs=readonly(lr_array),
        losses=readonly(np.array(losses)),
        smoothed=readonly(smooth_array),
        steps=len(lrs),
        diverged=diverged,
        stop_reason=reason,
        suggested_lr=suggested,
        min_loss_lr=at_minimum,
    )


def _positive_finite(name: str, value: Any) -> float:
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not value > 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _read_off(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """(suggested_lr, min_loss_lr): the steepest descent up to the minimum, and the minimum."""
    if not len(lrs):
        return math.nan, math.nan
    lowest = int(np.argmin(smoothed))
    if lowest == 0:
        return math.nan, float(lrs[0])
    slope = np.gradient(smoothed[: lowest + 1], np.log(lrs[: lowest + 1]))
    return float(lrs[int(np.argmin(slope))]), float(lrs[lowest])


# ---------------------------------------------------------------------------
# Many networks at once
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NetworkSweep:
    r"""The networks of one :func:`network_sweep`: one per (learning rate, seed) pair.

    Attributes
    ----------
    lrs : ndarray, shape (n_lrs,)
    seeds : tuple of int
    params : list of ndarray
        The trained parameters in :class:`optlib.MLP`'s order (``W1, b1, W2, ...``),
        each with two leading axes ``(n_lrs, n_seeds)``; a bias has shape
        ``(n_lrs, n_seeds, 1, width)``.
    epoch_losses : ndarray, shape (n_lrs, n_seeds, epochs)
        The mean mini-batch loss of each epoch (as Keras reports it); ``inf``
        from the epoch a run diverged in.
    diverged : ndarray of bool, shape (n_lrs, n_seeds)
        True when a mini-batch loss, a gradient or a parameter stopped being finite.
    activation : str

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 8); y = np.array([0, 1] * 8)
    >>> result = network_sweep([2, 3, 2], X, y, SGD, [0.1, 1.0], seeds=[0, 1, 2], epochs=2,
    ...                        batch_size=4)
    >>> result.diverged.shape, [p.shape for p in result.params]
    ((2, 3), [(2, 3, 2, 3), (2, 3, 1, 3), (2, 3, 3, 2), (2, 3, 1, 2)])
    """

    lrs: np.ndarray
    seeds: tuple[int, ...]
    params: list[np.ndarray]
    epoch_losses: np.ndarray
    diverged: np.ndarray
    activation: str

    def logits(self, X: Any) -> np.ndarray:
        """The logits of every network on ``X``, shape ``(n_lrs, n_seeds, n, classes)``.

        Examples
        --------
        See :func:`network_sweep`.
        """
        X = as_float_array("X", X, dtype=np.float64)
        check_ndim("X", X, 2, "examples by features")
        if X.shape[1] != self.params[0].shape[-2]:
            raise ValueError(f"X must have {self.params[0].shape[-2]} features, got {X.shape[1]}")
        with np.errstate(all="ignore"):
            return _forward(self.params, X, self.activation)[-1]

    def losses(self, X: Any, y: Any) -> np.ndarray:
        """The mean cross-entropy of every network on ``(X, y)``; ``inf`` for a diverged run.

        Examples
        --------
        See :func:`network_sweep`.
        """
        z = self.logits(X)
        labels = _labels(y, len(X), z.shape[-1])
        with np.errstate(all="ignore"):
            value = _cross_entropy(z, labels).mean(axis=-1)
        return np.where(self.diverged | ~np.isfinite(value), np.inf, value)

    def accuracies(self, X: Any, y: Any) -> np.ndarray:
        """The fraction of ``(X, y)`` every network classifies right; ``nan`` for a diverged run.

        Examples
        --------
        See :func:`network_sweep`.
        """
        z = self.logits(X)
        labels = _labels(y, len(X), z.shape[-1])
        right = (np.argmax(z, axis=-1) == labels).mean(axis=-1)
        return np.where(self.diverged, np.nan, right)

    def best_rate(self, X: Any, y: Any) -> int:
        """The index of the rate whose mean loss over the seeds on ``(X, y)`` is lowest.

        A rate at which any seed diverged has an infinite mean and is not chosen
        (unless every rate diverged somewhere; then the first is returned).

        Examples
        --------
        See :func:`network_sweep`.
        """
        return int(np.argmin(self.losses(X, y).mean(axis=1)))


def _labels(y: Any, n: int, classes: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(f"y must be {n} integer labels, got shape {labels.shape}")
    if labels.size and not (0 <= labels.min() and labels.max() < classes):
        raise ValueError(
            f"y must hold labels in [0, {classes}), got {labels.min()} to {labels.max()}"
        )
    return labels


def _forward(params: list[np.ndarray], X: np.ndarray, activation: str) -> list[np.ndarray]:
    """The inputs of every layer and, last, the logits; batched over the leading axes."""
    outputs = [X]
    layers = len(params) // 2
    for i in range(layers):
        z = outputs[-1] @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            z = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        outputs.append(z)
    return outputs


def _cross_entropy(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-example softmax cross-entropy of logits ``z`` (..., n, C), labels (n,) or (..., n)."""
    top = z.max(axis=-1, keepdims=True)
    log_sum = np.log(np.exp(z - top).sum(axis=-1)) + top[..., 0]
    picked = np.take_along_axis(z, np.broadcast_to(labels, z.shape[:-1])[..., None], axis=-1)
    return log_sum - picked[..., 0]


def _run_slices(stacks: list[np.ndarray], i: int, j: int) -> list[np.ndarray]:
    """Views of run (i, j) in :class:`optlib.MLP`'s shapes: a bias (odd index) as a vector."""
    return [stack[i, j, 0] if k % 2 else stack[i, j] for k, stack in enumerate(stacks)]


# The arguments of network_sweep itself (the others go to the optimizer).
_NETWORK_SWEEP_ARGUMENTS = (
    "layer_sizes", "X", "y", "optimizer", "lrs", "seeds", "epochs", "batch_size", "activation",
)  # fmt: skip


def network_sweep(
    layer_sizes: Sequence[int],
    X: Any,
    y: Any,
    optimizer: Callable[..., Any],
    lrs: Any,
    seeds: Sequence[int],
    *,
    epochs: int,
    batch_size: int = 64,
    activation: str = "tanh",
    **hyperparams: Any,
) -> NetworkSweep:
    r"""Train a classifier network for every (learning rate, seed) pair, all at once.

    Each run is the run :func:`optlib.fit` makes with
    ``MLP(layer_sizes, activation, output="softmax", seed=seed)``, the loss
    ``SparseCategoricalCrossEntropy(from_logits=True)``, ``batch_size``,
    ``shuffle=True``, ``seed=seed`` and ``optimizer(params, lr=lr,
    **hyperparams)``: the seed draws both the initial weights and the order of
    the mini-batches, and every rate sees the same seeds. The runs are stacked
    on two leading axes, so one NumPy matrix product serves them all.

    An element-wise optimizer (every one but ``Adafactor``, ``Muon`` and
    :class:`optlib.tuning.Split`, whose class attribute ``elementwise`` is
    False) is built once on the stacks, with ``lr`` an array of one rate per
    run. The others are built once per run, on views of that run's slices,
    and stepped one after the other (slower, same arithmetic).

    A run diverges when a mini-batch loss or a gradient stops being finite;
    it is then left alone (its parameters are not updated again) and flagged.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden..., n_classes]``.
    X : array_like, shape (n, n_features)
    y : array_like of int, shape (n,)
        Labels in ``[0, n_classes)``.
    optimizer : optimizer class
        From :mod:`optlib.optimizers`, or :class:`optlib.tuning.Split`.
    lrs : array_like, shape (n_lrs,)
        Positive learning rates.
    seeds : sequence of int
        Non-negative, at least one.
    epochs : int
        Passes over the data, at least 1.
    batch_size : int
        In ``[1, n]``; the last batch of an epoch may be smaller.
    activation : {"tanh", "relu"}
    **hyperparams
        The optimizer's other hyper-parameters, the same for every run.

    Returns
    -------
    NetworkSweep

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Adam
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4)); y = (X[:, 0] > 0).astype(int)
    >>> result = network_sweep([4, 8, 2], X, y, Adam, [1e-3, 1e-1], seeds=[0, 1], epochs=5,
    ...                        batch_size=16)
    >>> result.epoch_losses.shape, result.losses(X, y).shape
    ((2, 2, 5), (2, 2))
    >>> result.best_rate(X, y), bool(result.accuracies(X, y)[1].min() > 0.9)
    (1, True)
    """
    from optlib.models import MLP
    from optlib.training.arguments import check_optimizer, check_own_names

    check_optimizer(optimizer, "network_sweep(layer_sizes, X, y, {}, lrs, seeds, epochs=...)")
    if "lr" in hyperparams:
        raise ValueError("lr is swept: give the rates as lrs=, not lr=")
    check_own_names("network_sweep", _NETWORK_SWEEP_ARGUMENTS, optimizer, hyperparams)
    if (
        isinstance(layer_sizes, (str, bytes))
        or not isinstance(layer_sizes, Sequence)
        or len(layer_sizes) < 2
    ):
        raise ValueError(f"layer_sizes must be a list of at least two ints, got {layer_sizes!r}")
    X = as_float_array("X", X, dtype=np.float64)
    check_ndim("X", X, 2, "examples by features")
    check_finite("X", X)
    if X.shape[1] != layer_sizes[0]:
        raise ValueError(f"X must have layer_sizes[0]={layer_sizes[0]} features, got {X.shape}")
    n = len(X)
    labels = _labels(y, n, int(layer_sizes[-1]))
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 1 or not lrs.size or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"lrs must be a 1-D array of positive rates, got {lrs!r}")
    seeds = tuple(seeds) if isinstance(seeds, Sequence | np.ndarray) else ()
    if not seeds or any(
        isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in seeds
    ):
        raise ValueError(f"seeds must be a non-empty list of non-negative integers, got {seeds!r}")
    seeds = tuple(int(s) for s in seeds)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or not 1 <= batch_size <= n
    ):
        raise ValueError(f"batch_size must be an integer in [1, n={n}], got {batch_size!r}")
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")

    n_lrs, n_seeds = len(lrs), len(seeds)
    starts = [MLP(list(layer_sizes), activation, "softmax", seed=s).params for s in seeds]
    params = []
    for k in range(len(starts[0])):
        stacked = np.stack([start[k] for start in starts])  # (n_seeds, *shape)
        if stacked.ndim == 2:  # a bias: one row, to broadcast over the examples
            stacked = stacked[:, None, :]
        params.append(np.array(np.broadcast_to(stacked, (n_lrs, *stacked.shape))))
    elementwise = getattr(optimizer, "elementwise", True) is not False
    if elementwise:
        rates = lrs.reshape(n_lrs, 1, 1, 1)
        opts = [optimizer(params, lr=rates, **hyperparams)]
    else:
        opts = [
            optimizer(_run_slices(params, i, j), lr=float(lrs[i]), **hyperparams)
            for i in range(n_lrs) for j in range(n_seeds)
        ]  # fmt: skip
    rngs = [np.random.default_rng(s) for s in seeds]
    diverged = np.zeros((n_lrs, n_seeds), dtype=bool)
    epoch_losses = np.zeros((n_lrs, n_seeds, epochs))
    with np.errstate(all="ignore"):  # the runs whose rate is too large overflow
        for epoch in range(epochs):
            orders = np.stack([rng.permutation(n) for rng in rngs])  # (n_seeds, n)
            total = np.zeros((n_lrs, n_seeds))
            for begin in range(0, n, batch_size):
                batch = orders[:, begin : begin + batch_size]  # (n_seeds, B)
                outputs = _forward(params, X[batch], activation)
                z = outputs[-1]  # (n_lrs, n_seeds, B, C)
                value = _cross_entropy(z, labels[batch]).mean(axis=-1)
                total += value * batch.shape[1]
                # ∂J/∂z: softmax minus one-hot, divided by the batch size
                grad_z = np.exp(z - z.max(axis=-1, keepdims=True))
                grad_z /= grad_z.sum(axis=-1, keepdims=True)
                picked = np.broadcast_to(labels[batch], z.shape[:-1])[..., None]
                np.put_along_axis(grad_z, picked, np.take_along_axis(grad_z, picked, -1) - 1, -1)
                grad_z /= batch.shape[1]
                grads = [np.empty(0)] * len(params)
                for i in reversed(range(len(params) // 2)):
                    a = outputs[i]
                    grads[2 * i] = np.swapaxes(a, -1, -2) @ grad_z
                    grads[2 * i + 1] = grad_z.sum(axis=-2, keepdims=True)
                    if i > 0:
                        grad_a = grad_z @ np.swapaxes(params[2 * i], -1, -2)
                        grad_z = grad_a * (1.0 - a**2 if activation == "tanh" else a > 0)
                bad = ~np.isfinite(value)
                for g in grads:
                    bad |= ~np.isfinite(g).all(axis=(-2, -1))
                diverged |= bad
                for g in grads:  # a diverged run stands still: zero its gradient ...
                    g[diverged] = 0.0
                if elementwise:
                    frozen = [p[diverged].copy() for p in params] if diverged.any() else None
                    opts[0].step(grads)
                    if frozen is not None:  # ... and put back what momentum moved
                        for p, kept in zip(params, frozen, strict=True):
                            p[diverged] = kept
                else:
                    for index, opt in enumerate(opts):
                        i, j = divmod(index, n_seeds)
                        if not diverged[i, j]:
                            opt.step(_run_slices(grads, i, j))
            epoch_losses[:, :, epoch] = np.where(diverged, np.inf, total / n)
    return NetworkSweep(
        lrs=lrs,
        seeds=seeds,
        params=params,
        epoch_losses=epoch_losses,
        diverged=diverged,
        activation=activation,
    )
