"""``fit``: train a model on data, batch, mini-batch or stochastic, and its :class:`History`."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.models import Model
from optlib.training.arguments import (
    FIT_ARGUMENTS,
    build_optimizer,
    check_optimizer,
    check_own_names,
    check_seed,
    count,
    count_argument,
    positive_float,
    readonly,
)
from optlib.training.scheduling import INTERVALS, build_scheduler

__all__ = ["History", "fit"]


@dataclass(frozen=True, eq=False)
class History:
    """The record of one ``fit`` (read-only arrays).

    Attributes
    ----------
    losses : ndarray, shape (steps,)
        Per optimizer step: the mini-batch loss *before* that step's update.
    lrs : ndarray, shape (steps,)
        Per optimizer step: the learning rate it used (the mean, for an array
        of rates); changes only under a ``scheduler`` or a callback.
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
    lrs: np.ndarray
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
    scheduler: Callable[[Any], Any] | None = None,
    scheduler_interval: str = "epoch",
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
    scheduler : callable, optional
        A learning-rate schedule, as a function of the optimizer ``fit`` builds:
        ``scheduler=lambda opt: StepLR(opt, step_size=10)`` (see
        :mod:`optlib.schedules`). Its ``step()`` is called after the optimizer's,
        as in PyTorch; a ``ReduceLROnPlateau`` is given the full-data loss of the
        epoch (or, per step, the mini-batch loss).
    scheduler_interval : {"epoch", "step"}
        Step the scheduler after every epoch (PyTorch's usual loop) or after
        every optimizer step (``OneCycleLR``, warm-up counted in steps, and
        Keras's ``LearningRateSchedule``).
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
    check_optimizer(optimizer, "fit(model, loss, X, y, {}, epochs=...)")
    epochs = count_argument("epochs", epochs)
    blowup = positive_float("blowup", blowup, allow_inf=True)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}")
    call_back = _callback_caller(callback)
    if scheduler_interval not in INTERVALS:
        raise ValueError(
            f"scheduler_interval must be one of {INTERVALS}, got {scheduler_interval!r}"
        )
    check_seed(seed)
    check_own_names("fit", FIT_ARGUMENTS, optimizer, hyperparams)
    X, y = model._checked(X, y, loss)
    n = X.shape[0]
    if batch_size is not None:
        batch_size = count_argument("batch_size", batch_size)
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
    opt = build_optimizer("fit", optimizer, params, hyperparams)
    schedule_step = build_scheduler("fit", scheduler, opt)
    per_step = schedule_step if scheduler_interval == "step" else None
    per_epoch = schedule_step if scheduler_interval == "epoch" else None
    rng = np.random.default_rng(seed)
    rng_state = seed.bit_generator.state if isinstance(seed, np.random.Generator) else None
    before = [p.copy() for p in params]  # put back if the call raises
    last_epoch = [p.copy() for p in params]  # put back if the run diverges

    started = time.perf_counter()
    callback_time = 0.0
    bound = blowup * (1.0 + abs(initial_loss))
    losses: list[float] = []
    lrs: list[float] = []
    epoch_losses: list[float] = []
    diverged = False
    reason = None

    def snapshot(stop_reason: str) -> History:
        return History(
            losses=readonly(np.array(losses, dtype=np.float64)),
            lrs=readonly(np.array(lrs[: len(losses)], dtype=np.float64)),
            epoch_losses=readonly(np.array(epoch_losses, dtype=np.float64)),
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
                        lrs.append(float(np.mean(opt.lr)))
                        opt.step(grads)
                if not finite:
                    diverged = True
                    reason = f"{where(epoch)}: the loss or a gradient became non-finite"
                    break
                losses.append(value)
                if per_step is not None:
                    per_step(value)
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
            if per_epoch is not None:
                per_epoch(epoch_loss)
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
