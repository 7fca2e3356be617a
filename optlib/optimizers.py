r"""Optimizers with the names, defaults, update rules and validation of ``torch.optim``.

Each rule is one short function that reads line by line like its formula
(:func:`sgd_step`, :func:`adagrad_step`, :func:`rmsprop_step`, :func:`adam_step`,
:func:`adamw_step`), built from two shared pieces written once
(:func:`ema_update`, :func:`bias_correction`). The classes :class:`SGD`,
:class:`Adagrad`, :class:`RMSprop`, :class:`Adam` and :class:`AdamW` wrap a rule
with what a training loop needs: validated hyper-parameters, per-parameter
state, ``step``, ``state_dict`` and ``load_state_dict``.

Conventions shared by every class:

* ``step(grads)`` updates the caller's arrays **in place** and keeps their dtype.
  They must be writable float arrays that share no memory with one another
  (two views of one array would be moved twice); the constructor says which
  two indices do.
* A call that raises has changed nothing. ``step``, ``load_state_dict`` and
  assignments to ``params`` or to a hyper-parameter check all of their input
  (gradient dtypes and shapes, every state entry) before they write anything,
  and never modify the caller's arrays.
* Names are PyTorch's: Keras's ``learning_rate=``, ``beta_1=``, ``epsilon=`` or
  ``rho=`` raise a ``TypeError`` that says what to write instead.
* Arithmetic follows IEEE rules as in PyTorch: a non-finite gradient gives
  non-finite parameters, silently (no NumPy warning); detecting divergence is
  the training loop's job.
* A large parameter (at least ``2 * BLOCK_SIZE`` elements) is updated one
  cache-sized block at a time, with the same rule; the result is bitwise the same.
* Every numeric hyper-parameter may be a scalar or a NumPy array that
  broadcasts against the parameters: parameters of shape ``(k, d)`` with
  ``lr`` of shape ``(k, 1)`` run ``k`` independent configurations in one sweep.
  A term that a scalar would switch off (``momentum=0``, ``weight_decay=0``) is
  switched on when *any* entry of its array is nonzero; the entries that are
  exactly zero then reduce to the plain rule (for SGD, as long as dampening is 0).
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import check_bool, hyperparameter, real_dtype_problem, short_repr

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "adagrad_step",
    "adam_step",
    "adamw_step",
    "bias_correction",
    "ema_update",
    "ema_update_squares",
    "rmsprop_step",
    "sgd_step",
]

Hyperparameter = float | np.ndarray
"""A validated hyper-parameter, a Python float or (for a sweep) a read-only float64 array."""

Scratch = tuple[np.ndarray, np.ndarray]
"""Two work arrays shaped like the parameter (or one block of it), reused to avoid temporaries."""


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------


def ema_update(
    average: np.ndarray, value: np.ndarray, decay: Hyperparameter, tmp: np.ndarray | None = None
) -> np.ndarray:
    r"""Exponential moving average, in place: :math:`a \leftarrow \beta a + (1 - \beta) x`.

    Written as PyTorch's ``lerp`` with weight :math:`w = 1 - \beta`, so that the
    rounding follows ``torch.optim``: :math:`a \leftarrow a + w (x - a)` while
    :math:`w < 0.5`, and :math:`a \leftarrow x - (1 - w)(x - a)` from 0.5 on,
    which keeps the result exact at both ends (:math:`w = 0` gives :math:`a`,
    :math:`w = 1` gives :math:`x`). Used for Adam's first moment :math:`m` and
    RMSprop's centered average :math:`\bar g`; averages of squares use
    :func:`ema_update_squares`, as ``torch.optim`` does.

    Parameters
    ----------
    average : ndarray
        The running average :math:`a`, updated in place and returned.
    value : ndarray
        The new observation :math:`x`.
    decay : float or ndarray
        The decay :math:`\beta` in [0, 1): how much of the old average survives a step.
    tmp : ndarray, optional
        Work array shaped like ``average`` (allocated when omitted).

    Examples
    --------
    >>> import numpy as np
    >>> average = np.zeros(2)
    >>> ema_update(average, np.array([1.0, 2.0]), decay=0.5)
    array([0.5, 1. ])
    """
    weight = 1 - decay
    difference = np.subtract(value, average, out=tmp)  # x − a
    if isinstance(weight, np.ndarray):  # a sweep: each entry takes its own branch
        small = weight < 0.5
        average[...] = np.where(
            small, average + weight * difference, value - (1 - weight) * difference
        )
    elif weight < 0.5:
        # a ← a + w(x − a)
        difference *= weight
        average += difference
    else:
        # a ← x − (1 − w)(x − a)
        difference *= 1 - weight
        np.subtract(value, difference, out=average)
    return average


def ema_update_squares(
    average: np.ndarray, value: np.ndarray, decay: Hyperparameter, tmp: np.ndarray | None = None
) -> np.ndarray:
    r"""Moving average of squares, in place: :math:`a \leftarrow \beta a + (1 - \beta) x^2`.

    Computed as ``torch.optim`` does (``a.mul_(β).addcmul_(x, x, value=1 - β)``):
    :math:`\beta a` plus :math:`((1 - \beta) x) \cdot x`. Used for RMSprop's
    :math:`s` (``square_avg``) and Adam's second moment :math:`s` (``exp_avg_sq``).

    Parameters
    ----------
    average : ndarray
        The running average :math:`a`, updated in place and returned.
    value : ndarray
        The new observation :math:`x`, whose square is averaged.
    decay : float or ndarray
        The decay :math:`\beta` in [0, 1).
    tmp : ndarray, optional
        Work array shaped like ``average`` (allocated when omitted).

    Examples
    --------
    >>> import numpy as np
    >>> average = np.ones(2)
    >>> ema_update_squares(average, np.array([3.0, -1.0]), decay=0.5)
    array([5., 1.])
    """
    weighted_square = np.multiply(value, 1 - decay, out=tmp)  # (1 − β)x
    weighted_square *= value  # (1 − β)x²
    average *= decay
    average += weighted_square
    return average


def bias_correction(decay: Hyperparameter, step: int) -> Hyperparameter:
    r"""The factor :math:`1 - \beta^t` that un-biases a zero-initialised moving average.

    After :math:`t` updates from :math:`a_0 = 0`, the weights of an exponential
    moving average with decay :math:`\beta` sum to :math:`1 - \beta^t`, not 1;
    dividing by this factor makes the early averages unbiased.

    Examples
    --------
    >>> bias_correction(0.9, 1)  # the first average holds only 10% of the gradient
    0.09999999999999998
    """
    return 1 - decay**step


def _nonzero(value: Hyperparameter) -> bool:
    """Whether a hyper-parameter switches its term on: any nonzero entry of an array counts."""
    if isinstance(value, np.ndarray):
        return bool(np.any(value != 0))
    return value != 0


def _scaled(x: np.ndarray, factor: Hyperparameter, out: np.ndarray) -> np.ndarray:
    """``factor * x`` written into ``out`` (``x`` itself when ``factor`` is the scalar 1)."""
    if not isinstance(factor, np.ndarray) and factor == 1:
        return x
    return np.multiply(x, factor, out=out)


def _direction(
    param: np.ndarray,
    grad: np.ndarray,
    weight_decay: Hyperparameter,
    maximize: bool,
    out: np.ndarray,
) -> np.ndarray:
    r"""The gradient the rule follows: :math:`g \leftarrow \pm\nabla f(\theta) + \lambda\theta`.

    ``maximize`` negates the gradient first; then L2 weight decay adds
    :math:`\lambda\theta` (the order of ``torch.optim``). Returns ``grad`` itself
    when neither applies, else ``out``. The caller's ``grad`` is never modified.
    """
    if not _nonzero(weight_decay):
        # g ← −∇f  (maximize)  or  g ← ∇f
        return np.negative(grad, out=out) if maximize else grad
    # g ← λθ ± ∇f
    direction = np.multiply(param, weight_decay, out=out)
    if maximize:
        direction -= grad
    else:
        direction += grad
    return direction


def _work_arrays(param: np.ndarray, scratch: Scratch | None) -> Scratch:
    return scratch if scratch is not None else (np.empty_like(param), np.empty_like(param))


# ---------------------------------------------------------------------------
# One function per update rule
# ---------------------------------------------------------------------------


def sgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter = 1e-3,
    momentum: Hyperparameter = 0.0,
    dampening: Hyperparameter = 0.0,
    weight_decay: Hyperparameter = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
    scratch: Scratch | None = None,
) -> None:
    r"""One step of :class:`SGD` on one parameter, in place (no validation).

    ``state`` holds ``"momentum_buffer"``, the velocity :math:`v`, once momentum
    is used; pass an empty dict before the first step.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0, -1.0]), {}
    >>> for _ in range(2):
    ...     sgd_step(theta, np.array([0.5, 0.5]), state, lr=0.1, momentum=0.9)
    >>> theta, state["momentum_buffer"]  # v = 0.5, then 0.9 * 0.5 + 0.5
    (array([ 0.855, -1.145]), array([0.95, 0.95]))
    """
    direction_buf, tmp = _work_arrays(param, scratch)
    g = _direction(param, grad, weight_decay, maximize, out=direction_buf)
    if _nonzero(momentum):
        velocity = state.get("momentum_buffer")
        if velocity is None:
            # v₁ ← g₁
            velocity = state["momentum_buffer"] = np.array(g, dtype=param.dtype)
        else:
            # v ← ρv + (1 − τ)g
            velocity *= momentum
            velocity += _scaled(g, 1 - dampening, out=tmp)
        if nesterov:
            # g ← g + ρv
            g = np.add(g, np.multiply(velocity, momentum, out=tmp), out=direction_buf)
        else:
            # g ← v
            g = velocity
    # θ ← θ − αg
    param -= _scaled(g, lr, out=tmp)


def adagrad_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter = 1e-2,
    lr_decay: Hyperparameter = 0.0,
    weight_decay: Hyperparameter = 0.0,
    initial_accumulator_value: Hyperparameter = 0.0,
    eps: Hyperparameter = 1e-10,
    maximize: bool = False,
    scratch: Scratch | None = None,
) -> None:
    r"""One step of :class:`Adagrad` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t` and ``"sum"`` :math:`G`; an empty dict
    starts them at 0 and ``initial_accumulator_value``.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adagrad_step(theta, np.array([4.0]), state, lr=0.1)
    >>> theta, state["sum"]  # the first step is lr * sign(g), whatever the size of g
    (array([0.9]), array([16.]))
    """
    direction_buf, tmp = _work_arrays(param, scratch)
    if not state:
        state.update(_adagrad_initial_state(param, initial_accumulator_value))
    state["step"] += 1
    t, sum_sq_grads = state["step"], state["sum"]
    g = _direction(param, grad, weight_decay, maximize, out=direction_buf)
    # α̃ ← α / (1 + (t − 1)η)
    decayed_lr = lr / (1 + (t - 1) * lr_decay)
    # G ← G + g²
    sum_sq_grads += np.multiply(g, g, out=tmp)
    # θ ← θ − α̃g / (√G + ε)   (α̃g first, then the division, as torch's addcdiv)
    denom = np.sqrt(sum_sq_grads, out=tmp)
    denom += eps
    param -= np.divide(_scaled(g, decayed_lr, out=direction_buf), denom, out=direction_buf)


def _adagrad_initial_state(param: np.ndarray, initial_accumulator_value: Hyperparameter) -> dict:
    sum_sq_grads = np.empty_like(param)
    sum_sq_grads[...] = initial_accumulator_value
    return {"step": 0, "sum": sum_sq_grads}


def rmsprop_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter = 1e-2,
    alpha: Hyperparameter = 0.99,
    eps: Hyperparameter = 1e-8,
    weight_decay: Hyperparameter = 0.0,
    momentum: Hyperparameter = 0.0,
    centered: bool = False,
    maximize: bool = False,
    scratch: Scratch | None = None,
) -> None:
    r"""One step of :class:`RMSprop` on one parameter, in place (no validation).

    ``state`` holds ``"step"``, ``"square_avg"`` :math:`s`, and, when used,
    ``"grad_avg"`` :math:`\bar g` (centered) and ``"momentum_buffer"`` :math:`v`;
    missing entries start at zero. The decay :math:`\gamma` is the argument ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> rmsprop_step(theta, np.array([2.0]), state, lr=0.01)
    >>> theta, state["square_avg"]  # s = 0.01 * 2**2: the first step is 10 * lr
    (array([0.9]), array([0.04]))
    """
    direction_buf, tmp = _work_arrays(param, scratch)
    if not state:
        state.update(step=0, square_avg=np.zeros_like(param))
    if centered and "grad_avg" not in state:
        state["grad_avg"] = np.zeros_like(param)
    if _nonzero(momentum) and "momentum_buffer" not in state:
        state["momentum_buffer"] = np.zeros_like(param)
    state["step"] += 1
    g = _direction(param, grad, weight_decay, maximize, out=direction_buf)
    square_avg = state["square_avg"]
    # s ← γs + (1 − γ)g²
    ema_update_squares(square_avg, g, alpha, tmp=tmp)
    if centered:
        grad_avg = state["grad_avg"]
        # ḡ ← γḡ + (1 − γ)g
        ema_update(grad_avg, g, alpha, tmp=tmp)
        # d ← √(s − ḡ²) + ε
        denom = np.subtract(square_avg, np.multiply(grad_avg, grad_avg, out=tmp), out=tmp)
        np.sqrt(denom, out=denom)
    else:
        # d ← √s + ε
        denom = np.sqrt(square_avg, out=tmp)
    denom += eps
    if _nonzero(momentum):
        velocity = state["momentum_buffer"]
        # v ← ρv + g/d
        velocity *= momentum
        velocity += np.divide(g, denom, out=tmp)
        # θ ← θ − αv
        param -= _scaled(velocity, lr, out=tmp)
    else:
        # θ ← θ − αg/d   (αg first, then the division, as torch's addcdiv)
        param -= np.divide(_scaled(g, lr, out=direction_buf), denom, out=direction_buf)


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter = 1e-3,
    betas: tuple[Hyperparameter, Hyperparameter] = (0.9, 0.999),
    eps: Hyperparameter = 1e-8,
    weight_decay: Hyperparameter = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    scratch: Scratch | None = None,
) -> None:
    r"""One step of :class:`Adam` on one parameter, in place (no validation).

    ``state`` holds ``"step"`` :math:`t`, ``"exp_avg"`` :math:`m`,
    ``"exp_avg_sq"`` :math:`s` and, with amsgrad, ``"max_exp_avg_sq"``
    :math:`s^{\max}`; missing entries start at zero.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adam_step(theta, np.array([3.0]), state, lr=0.1)
    >>> theta, state["step"]  # bias correction makes the first step lr * sign(g)
    (array([0.9]), 1)
    """
    beta1, beta2 = betas
    direction_buf, tmp = _work_arrays(param, scratch)
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    if amsgrad and "max_exp_avg_sq" not in state:
        state["max_exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    t, m, s = state["step"], state["exp_avg"], state["exp_avg_sq"]
    g = _direction(param, grad, weight_decay, maximize, out=direction_buf)
    # m ← β₁m + (1 − β₁)g
    ema_update(m, g, beta1, tmp=tmp)
    # s ← β₂s + (1 − β₂)g²
    ema_update_squares(s, g, beta2, tmp=tmp)
    if amsgrad:
        # s^max ← max(s^max, s), and the step divides by s^max instead of s
        s = np.maximum(state["max_exp_avg_sq"], s, out=state["max_exp_avg_sq"])
    # d ← √s / √(1 − β₂ᵗ) + ε   (= √ŝ + ε, with ε added after the correction)
    denom = np.sqrt(s, out=tmp)
    denom /= bias_correction(beta2, t) ** 0.5
    denom += eps
    # θ ← θ − α/(1 − β₁ᵗ) · m/d   (= θ − α m̂/(√ŝ + ε); the step size times m first,
    # then the division, as torch's addcdiv)
    step_size = lr / bias_correction(beta1, t)
    param -= np.divide(_scaled(m, step_size, out=direction_buf), denom, out=direction_buf)


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: Hyperparameter = 1e-3,
    betas: tuple[Hyperparameter, Hyperparameter] = (0.9, 0.999),
    eps: Hyperparameter = 1e-8,
    weight_decay: Hyperparameter = 1e-2,
    amsgrad: bool = False,
    maximize: bool = False,
    scratch: Scratch | None = None,
) -> None:
    r"""One step of :class:`AdamW` on one parameter, in place (no validation).

    Decoupled weight decay shrinks :math:`\theta` first, then an Adam step
    without weight decay follows. ``state`` is Adam's.

    Examples
    --------
    >>> import numpy as np
    >>> theta, state = np.array([1.0]), {}
    >>> adamw_step(theta, np.array([0.0]), state, lr=0.1, weight_decay=0.5)
    >>> theta  # a zero gradient: only the decay acts, theta * (1 - 0.1 * 0.5)
    array([0.95])
    """
    if _nonzero(weight_decay):
        # θ ← θ(1 − αλ)
        param *= 1 - lr * weight_decay
    adam_step(
        param,
        grad,
        state,
        lr=lr,
        betas=betas,
        eps=eps,
        weight_decay=0.0,
        amsgrad=amsgrad,
        maximize=maximize,
        scratch=scratch,
    )


# ---------------------------------------------------------------------------
# Hyper-parameter checks, with torch.optim's messages
# ---------------------------------------------------------------------------


def _number(name: str, value: Any) -> Hyperparameter:
    """A finite number, or a read-only float64 copy of an array of them."""
    value = hyperparameter(name, value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return float(value)
        value = value.copy()
        value.flags.writeable = False  # changes go through the validated attribute
    return value


def _refuse(bad: Any, message: str, value: Hyperparameter) -> None:
    """Raise ``ValueError(f"{message}: {value}")`` where ``bad`` holds, naming an offender."""
    if not np.any(bad):
        return
    if isinstance(value, np.ndarray):
        offender = value[np.broadcast_to(bad, value.shape)].flat[0]
        raise ValueError(f"{message}: {offender} (in an array of shape {value.shape})")
    raise ValueError(f"{message}: {value}")


def _nonnegative(name: str, value: Any, message: str) -> Hyperparameter:
    value = _number(name, value)
    _refuse(value < 0, message, value)
    return value


def _betas(value: Any) -> tuple[Hyperparameter, Hyperparameter]:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        value = list(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        hint = f"; write betas=({value!r}, 0.999)" if isinstance(value, numbers.Real) else ""
        raise ValueError(f"betas must be a pair (beta1, beta2), got {short_repr(value)}{hint}")
    if len(value) != 2:
        raise ValueError(
            f"betas must be a pair (beta1, beta2), got {len(value)} values: {short_repr(value)}"
        )
    checked = []
    for index, beta in enumerate(value):
        beta = _number(f"betas[{index}]", beta)
        _refuse((beta < 0) | (beta >= 1), f"Invalid beta parameter at index {index}", beta)
        checked.append(beta)
    return checked[0], checked[1]


def _check_params(params: Any) -> list[np.ndarray]:
    """The arrays an optimizer will update in place, each checked for what would break that.

    Refused, naming the index: anything but a float ``ndarray``; an ``np.matrix``
    (its ``*`` is a matrix product) and a masked array (the mask would be
    ignored); a read-only array; an array whose entries overlap in memory (a
    stride of 0, e.g. from ``np.broadcast_to``); and two parameters that share
    memory, the same array twice or two views of one array, which one step
    would move twice.
    """
    if isinstance(params, np.ndarray):
        params = [params]
    elif isinstance(params, dict | str | bytes) or not isinstance(params, Sequence):
        hint = " (parameter groups are not supported)" if isinstance(params, dict) else ""
        raise ValueError(
            f"params must be a NumPy array or a list of them{hint}, "
            f"got {type(params).__name__} {short_repr(params)}"
        )
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    for index, param in enumerate(params):
        name = f"params[{index}]"
        if isinstance(param, np.ma.MaskedArray):
            raise ValueError(
                f"{name} is a masked array; the optimizer would update masked entries too. "
                f"Pass its data, np.ma.getdata(x), and leave the entries you want fixed "
                f"out of the parameters"
            )
        if isinstance(param, np.matrix):
            raise ValueError(
                f"{name} is an np.matrix, whose * is a matrix product; "
                f"pass np.asarray(x), a plain array that shares its memory"
            )
        if not isinstance(param, np.ndarray):
            raise ValueError(
                f"{name} must be a NumPy array (it is updated in place), "
                f"got {type(param).__name__} {short_repr(param)}"
            )
        if param.dtype.kind != "f":
            raise ValueError(
                f"{name} must be a real floating array to be updated in place, "
                f"got dtype {param.dtype}; convert it first, e.g. x = x.astype(float)"
            )
        if not param.flags.writeable:
            raise ValueError(
                f"{name} is read-only; the optimizer updates it in place "
                f"(pass a writable copy, e.g. x = x.copy())"
            )
        if _overlaps_itself(param):
            raise ValueError(
                f"{name} of shape {param.shape} and strides {param.strides} has entries "
                f"that overlap in memory (from np.broadcast_to or as_strided?); "
                f"one step would update them several times: pass a copy"
            )
    for later in range(1, len(params)):
        for earlier in range(later):
            if _share_memory(params[earlier], params[later]):
                same = "the same array" if params[earlier] is params[later] else "views"
                raise ValueError(
                    f"params[{earlier}] and params[{later}] share memory ({same}); "
                    f"one step would move the shared entries twice: "
                    f"pass each array once, or a copy"
                )
    return params


def _overlaps_itself(array: np.ndarray) -> bool:
    """Whether some entries of ``array`` are the same memory (sufficient test, cheap)."""
    if array.size <= 1 or array.flags.c_contiguous or array.flags.f_contiguous:
        return False
    dims = list(zip(array.strides, array.shape, strict=True))
    if any(stride == 0 and length > 1 for stride, length in dims):
        return True
    span = array.itemsize + sum(abs(stride) * (length - 1) for stride, length in dims)
    return span < array.nbytes  # fewer bytes spanned than the entries need


def _share_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` share memory; when NumPy cannot tell quickly, assume so."""
    if a is b:
        return True
    if not np.may_share_memory(a, b):  # disjoint address ranges: the common, cheap case
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=10**6))
    except np.exceptions.TooHardError:
        return True


def _as_gradient(index: int, grad: Any, param: np.ndarray) -> np.ndarray:
    """Gradient ``index`` as an ndarray of real numbers, or a ValueError saying why not.

    The slow path of :meth:`Optimizer.step`: reached only for what is not already
    a float ndarray (lists, integers, subclasses, and every kind of mistake).
    """
    name = f"gradient {index}"
    if grad is None:
        raise ValueError(
            f"{name} is None; every parameter needs a gradient array "
            f"(torch skips a parameter whose .grad is None, optlib does not: "
            f"pass np.zeros_like(params[{index}]) to leave it unchanged by the gradient)"
        )
    if isinstance(grad, np.ma.MaskedArray):
        if np.ma.getmaskarray(grad).any():
            raise ValueError(
                f"{name} is a masked array with masked entries; the optimizer cannot skip "
                f"entries. Fill them first, e.g. g.filled(0.0)"
            )
        grad = np.ma.getdata(grad)
    try:
        array = np.asarray(grad)
    except Exception as error:  # ragged lists and the like
        raise ValueError(
            f"{name} cannot be made an array of numbers ({short_repr(grad)}): {error}"
        ) from None
    problem = real_dtype_problem(array.dtype)
    if problem is not None:
        raise ValueError(f"{name}: {problem}; got {short_repr(grad)}")
    if array.dtype.kind != "f":  # integers: compute in the parameter's precision
        array = array.astype(param.dtype)
    return array


# ---------------------------------------------------------------------------
# Large parameters: the same rule, one cache-sized block at a time
# ---------------------------------------------------------------------------

BLOCK_SIZE = 1 << 18
"""Elements per block when a large parameter is updated block by block.

A rule makes several passes over its arrays, one per NumPy operation. Over a
whole parameter of millions of elements, every pass goes to main memory. Over
a block of 2**18 elements (1 MB in float32, 2 MB in float64), the passes after
the first find the block in the processor's cache, so only the parameter, its
gradient and its state travel to and from main memory, once each. Every
operation is element-wise, so the result is bitwise that of one call on the
whole arrays. (``make bench`` measures the effect against ``torch.optim``.)
"""


def _blockable(
    param: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyperparameters: dict[str, Any]
) -> bool:
    """Blocks need flat views of every array, and no array hyper-parameter to broadcast."""
    arrays = [param, grad, *(value for value in state.values() if isinstance(value, np.ndarray))]
    sweep = any(
        isinstance(part, np.ndarray)
        for value in hyperparameters.values()
        for part in (value if isinstance(value, tuple) else (value,))
    )
    return all(array.flags.c_contiguous for array in arrays) and not sweep


def _update_in_blocks(
    rule: Callable[..., None],
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    hyperparameters: dict[str, Any],
    scratch: Scratch,
) -> None:
    """Run ``rule`` on consecutive blocks of the flattened arrays, reusing block-sized ``scratch``.

    Each block gets a state dict of views into the parameter's state. What the
    rule creates (the state of a first step) is gathered afterwards, and what it
    counts (``"step"``) is read back from the first block.
    """
    block_states = []
    for start in range(0, param.size, BLOCK_SIZE):
        block = slice(start, start + BLOCK_SIZE)
        block_state = {
            key: value.reshape(-1)[block] if isinstance(value, np.ndarray) else value
            for key, value in state.items()
        }
        block_param = param.reshape(-1)[block]
        size = block_param.size
        rule(
            block_param,
            grad.reshape(-1)[block],
            block_state,
            scratch=(scratch[0][:size], scratch[1][:size]),
            **hyperparameters,
        )
        block_states.append(block_state)
    for key, value in block_states[0].items():
        if not isinstance(value, np.ndarray):
            state[key] = value
        elif key not in state:
            parts = [block_state[key] for block_state in block_states]
            state[key] = np.concatenate(parts).reshape(param.shape)


# ---------------------------------------------------------------------------
# The classes
# ---------------------------------------------------------------------------


class Optimizer:
    """What every optimizer shares: parameters, validated hyper-parameters, state.

    A subclass names its hyper-parameters, its state entries and its update
    rule, and checks its hyper-parameters in ``_check`` with torch's messages.
    Hyper-parameters are plain attributes; assigning one (``opt.lr = 0.01``)
    validates it and takes effect at the next :meth:`step`.

    Every call either succeeds or raises before changing anything: :meth:`step`,
    :meth:`load_state_dict` and assignments to ``params`` or to a hyper-parameter
    check all of their input first, and only then write. A call that raises
    leaves the parameters, the state, the step counters, the hyper-parameters and
    the caller's arrays exactly as they were.

    ``params`` is a tuple of the arrays :meth:`step` updates in place. Assigning
    it (``opt.params = [w, b]``) swaps in other arrays of the **same number,
    shapes and dtypes** and keeps the state: the new arrays continue the old
    ones' trajectory, as after :meth:`load_state_dict`. Arrays of another count,
    shape or dtype are refused, since the state (velocities, moving averages)
    only fits the old ones; build a new optimizer to start afresh.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD(theta, lr=0.1, momentum=0.9)
    >>> opt.step(np.array([1.0, 1.0]))  # updates theta in place
    >>> theta, opt.state[0]["momentum_buffer"]
    (array([ 0.9, -2.1]), array([1., 1.]))
    >>> opt.lr = 0.01  # validated; used from the next step on
    >>> opt.step([np.array([1.0, 1j])])  # refused before anything moves
    Traceback (most recent call last):
    ...
    ValueError: gradient 0: dtype complex128 holds complex numbers, not real numbers ...
    >>> theta
    array([ 0.9, -2.1])
    """

    hyperparameter_names: ClassVar[tuple[str, ...]] = ()
    state_names: ClassVar[tuple[str, ...]] = ()
    nonnegative_state: ClassVar[tuple[str, ...]] = ()
    """State entries that are sums or averages of squares: a loaded negative entry is refused."""
    update_rule: ClassVar[Callable[..., None]]

    state: list[dict[str, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _with_keyword_hints(cls.__init__)  # type: ignore[method-assign]

    def __init__(self, params: np.ndarray | Sequence[np.ndarray], **hyperparameters: Any):
        self._use_params(_check_params(params))
        object.__setattr__(self, "state", [{} for _ in self._params])
        self._scratch: list[Scratch | None] = [None] * len(self._params)
        self._set_hyperparameters(hyperparameters)

    # -- parameters ----------------------------------------------------------

    @property
    def params(self) -> tuple[np.ndarray, ...]:
        """The arrays :meth:`step` updates in place, in order (see the class docstring)."""
        return self._params

    @params.setter
    def params(self, params: np.ndarray | Sequence[np.ndarray]) -> None:
        new = _check_params(params)
        old = self._params
        if len(new) != len(old):
            raise ValueError(
                f"params: got {len(new)} array(s), but this optimizer has {len(old)} "
                "parameter(s) and state for each; build a new optimizer for other parameters"
            )
        for index, (array, current) in enumerate(zip(new, old, strict=True)):
            if array.shape != current.shape or array.dtype != current.dtype:
                raise ValueError(
                    f"params[{index}] has shape {array.shape} and dtype {array.dtype}, but the "
                    f"parameter it replaces has shape {current.shape} and dtype {current.dtype}; "
                    "its state only fits the old one: build a new optimizer to start afresh"
                )
        self._use_params(new)

    def _use_params(self, params: list[np.ndarray]) -> None:
        object.__setattr__(self, "_params", tuple(params))
        # The arrays that own the parameters' memory: see _check_grads.
        owners = [array for param in params for array in (param, param.base)]
        self._memory_owners = frozenset(id(array) for array in owners if array is not None)

    # -- hyper-parameters ----------------------------------------------------

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate and convert every hyper-parameter (torch's checks and messages)."""
        raise NotImplementedError

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        """The entries a started (non-empty) state must hold under ``hyperparameters``."""
        return ()

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        checked = self._check(values)
        for name, value in checked.items():
            for array in value if isinstance(value, tuple) else (value,):
                if isinstance(array, np.ndarray):
                    self._check_broadcast(name, array)
        return checked

    def _check_broadcast(self, name: str, array: np.ndarray) -> None:
        for index, param in enumerate(self._params):
            try:
                fits = np.broadcast_shapes(array.shape, param.shape) == param.shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(
                    f"{name} of shape {array.shape} does not broadcast against "
                    f"params[{index}] of shape {param.shape}; for a sweep of k runs, "
                    "give params shape (k, d) and each array hyper-parameter shape (k, 1)"
                )

    def _set_hyperparameters(self, values: dict[str, Any]) -> None:
        checked = self._checked(values)  # everything is checked before anything is set
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        # A switch that needs a new state entry (amsgrad, centered, RMSprop's momentum)
        # gets it now, at zero, so that state_dict() is complete at every moment.
        required = [key for key in self._required_state(checked) if key != "step"]
        for param, state in zip(self._params, self.state, strict=True):
            for key in required:
                if state and key not in state:
                    state[key] = np.zeros(param.shape, param.dtype)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.hyperparameter_names:
            self._set_hyperparameters({**self.hyperparameters, name: value})
        elif name.startswith("_") or name == "params":
            object.__setattr__(self, name, value)
        elif name == "state":
            raise AttributeError(
                f"{type(self).__name__}.state is kept by the optimizer; "
                "to restore a saved one, use opt.load_state_dict(saved)"
            )
        else:
            hint = _attribute_hint(type(self), name, value)
            raise AttributeError(
                f"{type(self).__name__} has no hyper-parameter {name!r}; "
                f"its hyper-parameters are {', '.join(self.hyperparameter_names)}{hint}"
            )

    def __delattr__(self, name: str) -> None:
        if name in self.hyperparameter_names or name in ("params", "state"):
            what = "hyper-parameter" if name in self.hyperparameter_names else "attribute"
            raise AttributeError(
                f"cannot delete the {what} {name!r} of {type(self).__name__}: every step "
                f"needs it; assign a new value instead (opt.{name} = ...)"
            )
        object.__delattr__(self, name)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and copy.deepcopy give the copy arrays of its own: the memory owners that
        # _check_grads looks for are theirs, not the original's.
        self.__dict__.update(state)
        self._use_params(list(self._params))

    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary lookup fails: say what to write for torch's and
        # Keras's names. (Uses nothing of the instance: it may be half-built.)
        hint = "" if name.startswith("__") else _attribute_hint(type(self), name, ...)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The current hyper-parameters, by name."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={value!r}" for name, value in self.hyperparameters.items())
        return f"{type(self).__name__}({settings})"

    # -- the step ------------------------------------------------------------

    def step(self, grads: np.ndarray | Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient.

        Every gradient is checked before any parameter moves, so a step that
        raises has changed nothing.

        Parameters
        ----------
        grads : ndarray or list of ndarray
            One gradient per parameter, in the order of ``params``, each of the
            same shape as its parameter (a single array when there is one
            parameter). Float or integer arrays (or nested lists of numbers);
            a float gradient of another precision than its parameter is used as
            it is, the parameter keeps its dtype. The caller's arrays are never
            modified, even when a gradient is (a view of) a parameter.

        Raises
        ------
        ValueError
            A wrong number of gradients; a gradient whose shape differs from
            its parameter's; a gradient that is not an array of real numbers
            (complex, boolean, string, object, datetime, ragged, None, or a
            masked array with masked entries).
        """
        grads = self._check_grads(grads)
        hyperparameters = self.hyperparameters
        rule = type(self).update_rule
        params, states = self._params, self.state
        # The work arrays are made before the first parameter moves, too.
        blocked, scratches = [], []
        for index, param in enumerate(params):
            large = param.size >= 2 * BLOCK_SIZE
            blocked.append(
                large and _blockable(param, grads[index], states[index], hyperparameters)
            )
            scratches.append(
                self._scratch_for(index, (BLOCK_SIZE,) if blocked[-1] else param.shape)
            )
        with np.errstate(all="ignore"):  # IEEE arithmetic, silent, as in torch
            for index, param in enumerate(params):
                grad, state, scratch = grads[index], states[index], scratches[index]
                if blocked[index]:
                    _update_in_blocks(rule, param, grad, state, hyperparameters, scratch)
                else:
                    rule(param, grad, state, scratch=scratch, **hyperparameters)

    def _scratch_for(self, index: int, shape: tuple[int, ...]) -> Scratch:
        """Parameter ``index``'s two work arrays of ``shape``, made once and reused."""
        scratch = self._scratch[index]
        if scratch is None or scratch[0].shape != shape:  # params keep their dtype
            dtype = self._params[index].dtype
            scratch = self._scratch[index] = (np.empty(shape, dtype), np.empty(shape, dtype))
        return scratch

    def _check_grads(self, grads: Any) -> list[np.ndarray]:
        params, owners = self._params, self._memory_owners
        if type(grads) is list or type(grads) is tuple:
            pass  # the common case, first: an isinstance check on an ABC costs more
        elif isinstance(grads, np.ndarray | numbers.Number):  # one gradient, one parameter
            grads = (grads,)
        elif isinstance(grads, str | bytes | dict) or not isinstance(grads, Sequence):
            raise ValueError(
                "grads must be a list of arrays aligned with params, "
                f"got {type(grads).__name__} {short_repr(grads)}"
            )
        if len(grads) != len(params):
            raise ValueError(
                f"expected {len(params)} gradient(s), one per parameter, got {len(grads)}"
            )
        checked = []
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if type(grad) is not np.ndarray or grad.dtype.kind != "f":
                grad = _as_gradient(index, grad, param)
            if grad.shape != param.shape:
                raise ValueError(
                    f"gradient {index} has shape {grad.shape}, "
                    f"but params[{index}] has shape {param.shape}"
                )
            # A gradient that is (a view of) its own parameter, or of one updated
            # before it (∂(xy)/∂x = y), would change under the update: read a copy.
            # Views reach their memory's owner through .base, so a gradient whose
            # owner is no parameter's shares no memory with one (the common case).
            base = grad.base
            if id(grad) in owners or (base is not None and id(base) in owners):
                for earlier in params[: index + 1]:
                    if np.may_share_memory(grad, earlier):
                        grad = grad.copy()
                        break
            checked.append(grad)
        return checked

    # -- state ---------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the state and hyper-parameters, in ``torch.optim``'s layout.

        ``{"state": {index: {name: value}}, "param_groups": [{hyper-parameters...,
        "params": [0, 1, ...]}], "optimizer": class name}``. ``"step"`` is a plain
        int (torch stores a 0-d tensor); parameters without state yet are absent.
        """
        group = copy.deepcopy(self.hyperparameters)
        group["params"] = list(range(len(self._params)))
        return {
            "state": {i: copy.deepcopy(s) for i, s in enumerate(self.state) if s},
            "param_groups": [group],
            "optimizer": type(self).__name__,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and hyper-parameters from :meth:`state_dict`'s output.

        Everything is checked before anything changes, and copied in: the
        trajectory continues exactly as if it had never been interrupted, and a
        load that raises leaves the optimizer as it was.

        A parameter's state is either empty (absent, or every entry ``None``),
        which starts it afresh at the next step as for a new optimizer (torch
        stores SGD's ``momentum_buffer`` as ``None`` before its first step),
        or complete: every entry the loaded hyper-parameters use, e.g. Adam's
        ``step``, ``exp_avg``, ``exp_avg_sq`` and, with ``amsgrad``,
        ``max_exp_avg_sq``. Arrays are copied in the parameter's dtype.

        Raises
        ------
        ValueError
            The dict comes from another optimizer class; has another number of
            parameters; missing or unknown hyper-parameters or state entries;
            an invalid hyper-parameter; a ``step`` that is not an int >= 0; or
            a state array of the wrong shape, of a non-real dtype, or (for a
            sum or average of squares) with negative entries. The message names
            the entry and the parameter index.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            got = sorted(map(str, state_dict)) if isinstance(state_dict, dict) else None
            raise ValueError(
                "state_dict must be a dict with 'state' and 'param_groups' entries, "
                f"as {name}.state_dict() returns; got "
                + (f"a dict with keys {got}" if got is not None else type(state_dict).__name__)
            )
        source = state_dict.get("optimizer", name)
        if source != name:
            raise ValueError(f"state_dict comes from {source}, cannot load it into {name}")
        groups = state_dict["param_groups"]
        if not isinstance(groups, list | tuple) or len(groups) != 1:
            count = len(groups) if isinstance(groups, list | tuple) else type(groups).__name__
            raise ValueError(f"expected 1 parameter group, the state_dict has {count}")
        if not isinstance(groups[0], dict):
            raise ValueError(
                f"param_groups[0] must be a dict of hyper-parameters, got {short_repr(groups[0])}"
            )
        group = dict(groups[0])
        if "params" not in group:
            raise ValueError("param_groups[0] has no 'params' entry (the parameter ids)")
        ids = group.pop("params")
        if not isinstance(ids, list | tuple):
            raise ValueError(f"param_groups[0]['params'] must be a list of ids, got {ids!r}")
        if len(ids) != len(self._params):
            raise ValueError(
                f"the state_dict holds {len(ids)} parameter(s), this optimizer {len(self._params)}"
            )
        try:
            distinct = len(set(ids)) == len(ids)
        except TypeError:
            distinct = False
        if not distinct:
            raise ValueError(f"param_groups[0]['params'] must be distinct ids, got {ids!r}")
        missing = [key for key in self.hyperparameter_names if key not in group]
        unknown = sorted((key for key in group if key not in self.hyperparameter_names), key=str)
        if missing or unknown:
            problems = [f"lack {missing}"] if missing else []
            problems += [f"add unknown {unknown}"] if unknown else []
            torch_only = [
                key for key in unknown if key in (*_TORCH_ONLY, "decoupled_weight_decay")
            ]
            hint = (
                f" ({', '.join(torch_only)}: torch's implementation options, "
                "delete them from the dict)"
                if torch_only
                else ""
            )
            raise ValueError(
                f"the state_dict's hyper-parameters {' and '.join(problems)}; "
                f"{name}'s are {', '.join(self.hyperparameter_names)}{hint}"
            )
        hyperparameters = self._checked(group)
        states = state_dict["state"]
        if not isinstance(states, dict):
            raise ValueError(f"state_dict['state'] must be a dict, got {type(states).__name__}")
        unknown_ids = [key for key in states if key not in ids]
        if unknown_ids:
            raise ValueError(
                f"state_dict has state for unknown parameter(s) {sorted(unknown_ids, key=str)}; "
                f"the ids are {list(ids)}"
            )
        required = self._required_state(hyperparameters)
        state = [
            self._checked_state(index, param, states.get(key, {}), required)
            for index, (key, param) in enumerate(zip(ids, self._params, strict=True))
        ]
        # Everything is valid: now write.
        for hyper_name, value in hyperparameters.items():
            object.__setattr__(self, hyper_name, value)
        object.__setattr__(self, "state", state)

    def _checked_state(
        self, index: int, param: np.ndarray, entries: Any, required: tuple[str, ...]
    ) -> dict[str, Any]:
        where = f"state for params[{index}]"
        if not isinstance(entries, dict):
            raise ValueError(f"{where} must be a dict of entries, got {short_repr(entries)}")
        unknown = sorted((key for key in entries if key not in self.state_names), key=str)
        if unknown:
            raise ValueError(
                f"{where} has unknown entries {unknown}; "
                f"{type(self).__name__} keeps {', '.join(self.state_names)}"
            )
        present = {key: value for key, value in entries.items() if value is not None}
        if not present:
            return {}  # not started: the next step starts it, as for a new optimizer
        missing = [key for key in required if key not in present]
        if missing:
            raise ValueError(
                f"{where} lacks {', '.join(map(repr, missing))}; with these hyper-parameters "
                f"a started state holds {', '.join(required)} (or nothing, to start afresh)"
            )
        state: dict[str, Any] = {}
        for key, value in present.items():
            if key == "step":
                state[key] = _checked_step(where, value)
            else:
                state[key] = _checked_state_array(
                    where, key, value, param, nonnegative=key in self.nonnegative_state
                )
        return state


def _checked_step(where: str, value: Any) -> int:
    """A step count as an int: an int, or an integral float or 0-d array (torch's tensor)."""
    message = f"{where}: step must be an int >= 0, got {short_repr(value)}"
    if isinstance(value, bool | np.bool_):
        raise ValueError(message)
    if isinstance(value, numbers.Integral):
        if value < 0:
            raise ValueError(message)
        return int(value)
    try:
        step = np.asarray(value)
    except Exception:
        raise ValueError(message) from None
    if step.ndim != 0 or step.dtype.kind not in "fiu":
        raise ValueError(message)
    number = step.item()
    if not np.isfinite(number) or number < 0 or number != int(number):
        raise ValueError(message)
    return int(number)


def _checked_state_array(
    where: str, key: str, value: Any, param: np.ndarray, nonnegative: bool
) -> np.ndarray:
    """A copy of ``value`` in the parameter's dtype, checked for dtype, shape and sign."""
    try:
        array = np.asarray(value)
    except Exception as error:
        raise ValueError(f"{where}: {key} cannot be made an array of numbers: {error}") from None
    problem = real_dtype_problem(array.dtype)
    if problem is not None:
        raise ValueError(f"{where}: {key}: {problem}")
    if array.shape != param.shape:
        raise ValueError(
            f"{where}: {key} has shape {array.shape}, but the parameter has shape {param.shape}"
        )
    array = np.array(array, dtype=param.dtype)  # a copy, in the parameter's dtype
    if nonnegative:
        negative = array < 0
        if negative.any():
            raise ValueError(
                f"{where}: {key} has {int(negative.sum())} negative entries, e.g. "
                f"{array[negative].flat[0]!r}; a sum or average of squares is never negative"
            )
    return array


# ---------------------------------------------------------------------------
# Other libraries' names, answered with what to write instead
# ---------------------------------------------------------------------------

_TORCH_ONLY = ("foreach", "fused", "capturable", "differentiable")
_KERAS_ONLY = (
    "name",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
    "jit_compile",
)
_CLIPPING = ("clipnorm", "clipvalue", "global_clipnorm")
_FIRST_BETA = ("beta_1", "beta1", "b1")
_SECOND_BETA = ("beta_2", "beta2", "b2")


def _with_keyword_hints(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap a constructor so that an unknown keyword says what to write instead."""
    signature = inspect.signature(init)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
        return init  # takes any keyword: nothing to check
    accepted = frozenset(signature.parameters) - {"self"}

    @functools.wraps(init)
    def checked_init(self: Optimizer, *args: Any, **kwargs: Any) -> None:
        unexpected = [key for key in kwargs if key not in accepted]
        if unexpected:
            message = _unexpected_keyword(type(self).__name__, signature, unexpected[0], kwargs)
            raise TypeError(message)
        init(self, *args, **kwargs)

    return checked_init


def _unexpected_keyword(
    class_name: str, signature: inspect.Signature, key: str, kwargs: dict[str, Any]
) -> str:
    """The message for ``class_name(..., key=...)``: Keras's or torch's name, or a typo."""
    names = [name for name in signature.parameters if name != "self"]
    head = f"{class_name} got an unexpected keyword argument {key!r}"
    torch_names = f"{head}; optlib uses PyTorch's names: write"
    value = kwargs[key]
    if key == "learning_rate":
        return f"{torch_names} lr={value!r}"
    if key == "epsilon" and "eps" in names:
        return f"{torch_names} eps={value!r}"
    if key == "rho" and "alpha" in names:
        return f"{torch_names} alpha={value!r} (the decay of the moving average)"
    if key in _FIRST_BETA + _SECOND_BETA and "betas" in names:
        default = signature.parameters["betas"].default
        beta1 = next((kwargs[k] for k in _FIRST_BETA if k in kwargs), default[0])
        beta2 = next((kwargs[k] for k in _SECOND_BETA if k in kwargs), default[1])
        return f"{torch_names} betas=({beta1!r}, {beta2!r})"
    if key == "momentum" and "betas" in names:
        default = signature.parameters["betas"].default
        return (
            f"{head}; in {class_name} the decay of the first moment plays momentum's role: "
            f"write betas=({value!r}, {default[1]!r})"
        )
    if key in ("decay", "lr_decay"):
        if "lr_decay" in names:
            return f"{torch_names} lr_decay={value!r} (α / (1 + (t − 1)·lr_decay))"
        return (
            f"{head}: a learning-rate decay is not an argument of {class_name}; "
            "set opt.lr between steps for a schedule (weight_decay= is an L2 penalty, "
            "something else)"
        )
    if key in _CLIPPING:
        return f"{head}: optlib does not clip gradients; clip them before opt.step(grads)"
    if key in _TORCH_ONLY:
        return (
            f"{head}: torch's {key}= chooses how torch computes the step, not the step; "
            "optlib has one implementation: drop it"
        )
    if key == "decoupled_weight_decay":
        return f"{head}: for decoupled weight decay use AdamW(params, weight_decay=...)"
    if key in _KERAS_ONLY:
        return f"{head}: a Keras option that optlib does not have: drop it"
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f"{head}; did you mean {close[0]}={value!r}?"
    return f"{head}; its arguments are {', '.join(names)}"


def _attribute_hint(cls: type, name: str, value: Any) -> str:
    """What to write instead of the torch or Keras attribute ``name`` (``value``: ... if read)."""
    if name == "learning_rate":
        written = "opt.lr" if value is ... else f"opt.lr = {value!r}"
        return f"; optlib uses PyTorch's names: write {written}"
    if name == "param_groups":
        names = getattr(cls, "hyperparameter_names", ())
        return (
            "; an optlib optimizer has one parameter group, whose hyper-parameters are "
            f"attributes: opt.lr = 0.01 (also {', '.join(n for n in names if n != 'lr')})"
        )
    if name == "zero_grad":
        return (
            "; optlib's step takes the gradients as an argument, so there is nothing to "
            "zero: call opt.step(grads)"
        )
    if name in ("epsilon", "beta_1", "beta_2", "rho"):
        return "; optlib uses PyTorch's names: eps, betas=(beta1, beta2), alpha (RMSprop)"
    return ""


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum, as ``torch.optim.SGD``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`step`.
    lr : float or ndarray, default 1e-3
        Learning rate :math:`\alpha`.
    momentum : float or ndarray, default 0
        Momentum coefficient :math:`\rho`.
    dampening : float or ndarray, default 0
        Dampening :math:`\tau` of the velocity (the momentum buffer).
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (needs momentum > 0 and dampening 0).
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``sgd_step``), as in PyTorch's documentation; :math:`v` is the
    velocity, the state entry ``"momentum_buffer"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},\ \rho \text{ (momentum)},
            \ \tau \text{ (dampening)},\ \textit{nesterov},\ \textit{maximize} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad \textbf{if } \rho \neq 0: \\
         &\qquad v_t \leftarrow g_t \textbf{ if } t = 1
            \textbf{ else } \rho v_{t-1} + (1 - \tau) g_t \\
         &\qquad g_t \leftarrow g_t + \rho v_t \textbf{ if } \textit{nesterov}
            \textbf{ else } v_t \\
         &\quad \theta_t \leftarrow \theta_{t-1} - \alpha g_t
       \end{aligned}

    **Momentum conventions differ.** PyTorch (and this class) accumulates the
    raw gradient and scales by the learning rate afterwards,
    :math:`v \leftarrow \rho v + g,\ \theta \leftarrow \theta - \alpha v`.
    Sutskever et al. (2013), and Keras, put the learning rate inside the velocity,
    :math:`v \leftarrow \rho v - \alpha g,\ \theta \leftarrow \theta + v` (their
    :math:`v` is :math:`-\alpha` times ours); the two agree while :math:`\alpha` is
    constant and differ once a schedule changes it.
    A third form weights the gradient by :math:`1 - \rho`,
    :math:`v \leftarrow \rho v + (1 - \rho) g` (``dampening=momentum`` here, except
    that the first step is undamped); its steps are :math:`1 - \rho` times smaller.

    With an array of momenta, the velocity is used when any entry is nonzero; an
    entry of exactly 0 then gives plain descent when dampening is 0 (with
    dampening :math:`\tau`, its steps are scaled by :math:`1 - \tau` after the first).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD(theta, lr=0.1)
    >>> opt.step(2 * theta)  # the gradient of ‖θ‖²
    >>> theta
    array([ 0.8, -1.6])

    Three learning rates in one sweep: one row of ``thetas`` per run.

    >>> thetas = np.ones((3, 2))
    >>> opt = SGD(thetas, lr=np.array([[0.1], [0.2], [0.5]]), momentum=0.9)
    >>> opt.step(2 * thetas)
    >>> thetas
    array([[0.8, 0.8],
           [0.6, 0.6],
           [0. , 0. ]])
    """

    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")
    state_names = ("momentum_buffer",)
    update_rule = staticmethod(sgd_step)

    lr: Hyperparameter
    momentum: Hyperparameter
    dampening: Hyperparameter
    weight_decay: Hyperparameter
    nesterov: bool
    maximize: bool

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        momentum: ArrayLike = 0,
        dampening: ArrayLike = 0,
        weight_decay: ArrayLike = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        checked = {
            "lr": _nonnegative("lr", values["lr"], "Invalid learning rate"),
            "momentum": _nonnegative("momentum", values["momentum"], "Invalid momentum value"),
            "dampening": _number("dampening", values["dampening"]),
            "weight_decay": _nonnegative(
                "weight_decay", values["weight_decay"], "Invalid weight_decay value"
            ),
            "nesterov": check_bool("nesterov", values["nesterov"]),
            "maximize": check_bool("maximize", values["maximize"]),
        }
        if checked["nesterov"] and (
            np.any(checked["momentum"] <= 0) or np.any(checked["dampening"] != 0)
        ):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        return checked


class Adagrad(Optimizer):
    r"""Adagrad: per-coordinate rates from summed squared gradients, as ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`step`.
    lr : float or ndarray, default 1e-2
        Learning rate :math:`\alpha`.
    lr_decay : float or ndarray, default 0
        Learning-rate decay :math:`\eta`.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    initial_accumulator_value : float or ndarray, default 0
        Starting value :math:`G_0` of the sum of squared gradients.
    eps : float or ndarray, default 1e-10
        :math:`\varepsilon`, added to the denominator after the square root.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adagrad_step``); :math:`G` is the state entry ``"sum"``:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},
            \ G_0 \text{ (initial accumulator value)},\ \eta \text{ (lr decay)},
            \ \varepsilon \text{ (eps)} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad \tilde\alpha_t \leftarrow \alpha / (1 + (t - 1)\eta) \\
         &\quad G_t \leftarrow G_{t-1} + g_t^2 \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \tilde\alpha_t\, g_t / (\sqrt{G_t} + \varepsilon)
       \end{aligned}

    **Conventions differ.** PyTorch starts the sum at ``initial_accumulator_value=0``
    with ``eps=1e-10``, so the first step is :math:`\alpha\,\mathrm{sign}(g)` (up to
    :math:`\varepsilon`); Keras starts it at 0.1 (``initial_accumulator_value=0.1``) and
    uses ``epsilon=1e-7``, which makes its first steps smaller. As in PyTorch, the
    state is created here, at construction, from ``initial_accumulator_value``.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adagrad(theta, lr=0.5)
    >>> opt.step(np.array([4.0, -0.01]))  # the first step is lr · sign(g)
    >>> theta.round(6)
    array([ 0.5, -1.5])
    """

    hyperparameter_names = (
        "lr",
        "lr_decay",
        "weight_decay",
        "initial_accumulator_value",
        "eps",
        "maximize",
    )
    state_names = ("step", "sum")
    nonnegative_state = ("sum",)
    update_rule = staticmethod(adagrad_step)

    lr: Hyperparameter
    lr_decay: Hyperparameter
    weight_decay: Hyperparameter
    initial_accumulator_value: Hyperparameter
    eps: Hyperparameter
    maximize: bool

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-2,
        lr_decay: ArrayLike = 0,
        weight_decay: ArrayLike = 0,
        initial_accumulator_value: ArrayLike = 0,
        eps: ArrayLike = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        initial = self.initial_accumulator_value
        object.__setattr__(
            self, "state", [_adagrad_initial_state(param, initial) for param in self.params]
        )

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "lr": _nonnegative("lr", values["lr"], "Invalid learning rate"),
            "lr_decay": _nonnegative("lr_decay", values["lr_decay"], "Invalid lr_decay value"),
            "weight_decay": _nonnegative(
                "weight_decay", values["weight_decay"], "Invalid weight_decay value"
            ),
            "initial_accumulator_value": _nonnegative(
                "initial_accumulator_value",
                values["initial_accumulator_value"],
                "Invalid initial_accumulator_value value",
            ),
            "eps": _nonnegative("eps", values["eps"], "Invalid epsilon value"),
            "maximize": check_bool("maximize", values["maximize"]),
        }

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")


class RMSprop(Optimizer):
    r"""RMSprop: divide by a running root mean square of the gradients, as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`step`.
    lr : float or ndarray, default 1e-2
        Learning rate :math:`\alpha`.
    alpha : float or ndarray, default 0.99
        Decay :math:`\gamma` of the moving averages (PyTorch's name; Keras calls it ``rho``).
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to the denominator after the square root.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient.
    momentum : float or ndarray, default 0
        Momentum coefficient :math:`\rho` applied to the scaled step.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``rmsprop_step``); :math:`s`, :math:`\bar g`, :math:`v` are the
    state entries ``"square_avg"``, ``"grad_avg"``, ``"momentum_buffer"``, all
    starting at 0:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \gamma \text{ (alpha)},\ \theta_0
            \text{ (params)},\ f(\theta) \text{ (objective)},\ \lambda \text{ (weight decay)},
            \ \rho \text{ (momentum)},\ \textit{centered},\ \varepsilon \text{ (eps)} \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad s_t \leftarrow \gamma s_{t-1} + (1 - \gamma) g_t^2 \\
         &\quad \textbf{if } \textit{centered}:\ \bar g_t \leftarrow \gamma \bar g_{t-1}
            + (1 - \gamma) g_t,\quad d_t \leftarrow \sqrt{s_t - \bar g_t^2} + \varepsilon \\
         &\quad \textbf{else}:\ d_t \leftarrow \sqrt{s_t} + \varepsilon \\
         &\quad \textbf{if } \rho > 0:\ v_t \leftarrow \rho v_{t-1} + g_t / d_t,
            \quad \theta_t \leftarrow \theta_{t-1} - \alpha v_t \\
         &\quad \textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \alpha\, g_t / d_t
       \end{aligned}

    **Conventions differ.** :math:`\varepsilon` is added *after* the square root, as in
    PyTorch; TensorFlow/Keras add it inside, :math:`\sqrt{s + \varepsilon}`. Keras's
    default decay is ``rho=0.9``; PyTorch's (and this class's) is ``alpha=0.99``,
    a ten times longer memory. There is no bias correction, so the first steps
    are :math:`1/\sqrt{1 - \gamma}` times larger than later ones for the same gradient
    (10 times with the default).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = RMSprop(theta, lr=0.01, alpha=0.99)
    >>> opt.step(np.array([3.0, -3.0]))  # first step: lr · g / (|g| √(1 − γ) + ε)
    >>> theta.round(6)
    array([ 0.9, -1.9])
    """

    hyperparameter_names = (
        "lr",
        "alpha",
        "eps",
        "weight_decay",
        "momentum",
        "centered",
        "maximize",
    )
    state_names = ("step", "square_avg", "momentum_buffer", "grad_avg")
    nonnegative_state = ("square_avg",)
    update_rule = staticmethod(rmsprop_step)

    lr: Hyperparameter
    alpha: Hyperparameter
    eps: Hyperparameter
    weight_decay: Hyperparameter
    momentum: Hyperparameter
    centered: bool
    maximize: bool

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-2,
        alpha: ArrayLike = 0.99,
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        momentum: ArrayLike = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "lr": _nonnegative("lr", values["lr"], "Invalid learning rate"),
            "alpha": _nonnegative("alpha", values["alpha"], "Invalid alpha value"),
            "eps": _nonnegative("eps", values["eps"], "Invalid epsilon value"),
            "weight_decay": _nonnegative(
                "weight_decay", values["weight_decay"], "Invalid weight_decay value"
            ),
            "momentum": _nonnegative("momentum", values["momentum"], "Invalid momentum value"),
            "centered": check_bool("centered", values["centered"]),
            "maximize": check_bool("maximize", values["maximize"]),
        }

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        required = ("step", "square_avg")
        if _nonzero(hyperparameters["momentum"]):
            required += ("momentum_buffer",)
        if hyperparameters["centered"]:
            required += ("grad_avg",)
        return required


class Adam(Optimizer):
    r"""Adam: momentum and RMSprop with bias correction, as ``torch.optim.Adam``.

    Parameters
    ----------
    params : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`step`.
    lr : float or ndarray, default 1e-3
        Learning rate :math:`\alpha`.
    betas : pair of float or ndarray, default (0.9, 0.999)
        Decays :math:`(\beta_1, \beta_2)` of the first and second moment averages.
    eps : float or ndarray, default 1e-8
        :math:`\varepsilon`, added to the denominator after the square root.
    weight_decay : float or ndarray, default 0
        L2 penalty :math:`\lambda`, added to the gradient (see :class:`AdamW`).
    amsgrad : bool, default False
        Divide by the largest second moment seen so far (Reddi et al., 2018).
    maximize : bool, default False
        Ascend the objective instead of descending.

    Notes
    -----
    The update (``adam_step``); :math:`m`, :math:`s`, :math:`s^{\max}` are the
    state entries ``"exp_avg"``, ``"exp_avg_sq"``, ``"max_exp_avg_sq"``. The
    second moment :math:`s` is the book's moving average of squared gradients,
    RMSprop's :math:`s`; the Adam paper (Kingma and Ba, 2015) writes it :math:`v`.

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ s^{\max}_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \textbf{if } \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1} \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \textbf{if } \textit{amsgrad}:\ s^{\max}_t \leftarrow \max(s^{\max}_{t-1}, s_t),
            \quad s_t \leftarrow s^{\max}_t \\
         &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t),
            \quad \hat s_t \leftarrow s_t / (1 - \beta_2^t) \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \alpha\, \hat m_t / (\sqrt{\hat s_t} + \varepsilon)
       \end{aligned}

    :math:`\varepsilon` is added after dividing :math:`\sqrt{s_t}` by
    :math:`\sqrt{1 - \beta_2^t}`, so the first step is :math:`\alpha\,g/(|g| + \varepsilon)`,
    about :math:`\alpha\,\mathrm{sign}(g)` whatever the gradient's size.
    ``weight_decay`` here is an L2 penalty: it passes through :math:`\hat s`, so
    coordinates with large gradients are barely decayed. :class:`AdamW` decouples it.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = Adam(theta, lr=0.1)
    >>> opt.step(np.array([50.0, -0.5]))  # the first step is lr · sign(g), up to eps
    >>> theta.round(6)
    array([ 0.9, -1.9])
    >>> opt.state_dict()["state"][0]["step"]
    1
    """

    hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")
    state_names = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    nonnegative_state = ("exp_avg_sq", "max_exp_avg_sq")
    update_rule = staticmethod(adam_step)

    lr: Hyperparameter
    betas: tuple[Hyperparameter, Hyperparameter]
    eps: Hyperparameter
    weight_decay: Hyperparameter
    amsgrad: bool
    maximize: bool

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )

    def _check(self, values: dict[str, Any]) -> dict[str, Any]:
        lr = _nonnegative("lr", values["lr"], "Invalid learning rate")
        eps = _nonnegative("eps", values["eps"], "Invalid epsilon value")
        betas = _betas(values["betas"])
        return {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": _nonnegative(
                "weight_decay", values["weight_decay"], "Invalid weight_decay value"
            ),
            "amsgrad": check_bool("amsgrad", values["amsgrad"]),
            "maximize": check_bool("maximize", values["maximize"]),
        }

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        required = ("step", "exp_avg", "exp_avg_sq")
        return (*required, "max_exp_avg_sq") if hyperparameters["amsgrad"] else required


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    Takes :class:`Adam`'s parameters; only ``weight_decay`` differs: it defaults
    to 1e-2 and shrinks the parameters directly instead of joining the gradient.

    Notes
    -----
    The update (``adamw_step``): Adam's, with the decay line changed.

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \theta_0 \text{ (params)},\ f(\theta) \text{ (objective)},
            \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \varepsilon \text{ (eps)} \\
         &\textbf{initialize: } m_0 \leftarrow 0,\ s_0 \leftarrow 0,\ s^{\max}_0 \leftarrow 0 \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow -\nabla f(\theta_{t-1}) \textbf{ if } \textit{maximize}
            \textbf{ else } \nabla f(\theta_{t-1}) \\
         &\quad \theta_{t-1} \leftarrow \theta_{t-1} (1 - \alpha\lambda) \\
         &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
         &\quad s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t^2 \\
         &\quad \textbf{if } \textit{amsgrad}:\ s^{\max}_t \leftarrow \max(s^{\max}_{t-1}, s_t),
            \quad s_t \leftarrow s^{\max}_t \\
         &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t),
            \quad \hat s_t \leftarrow s_t / (1 - \beta_2^t) \\
         &\quad \theta_t \leftarrow \theta_{t-1}
            - \alpha\, \hat m_t / (\sqrt{\hat s_t} + \varepsilon)
       \end{aligned}

    **L2 versus decoupled decay** (Loshchilov and Hutter, 2019). Adam's
    ``weight_decay`` adds :math:`\lambda\theta` to the gradient, which is then
    divided by :math:`\sqrt{\hat s}`: large-gradient coordinates are barely
    regularised. AdamW multiplies :math:`\theta` by :math:`1 - \alpha\lambda` before
    the moment updates, the same relative shrinkage for every coordinate, and the
    moments see only the loss's gradient. With ``weight_decay=0`` the two are identical.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = AdamW(theta, lr=0.1, weight_decay=0.5)
    >>> opt.step(np.zeros(2))  # no gradient: only the decay, θ(1 − αλ)
    >>> theta
    array([ 0.95, -1.9 ])
    """

    update_rule = staticmethod(adamw_step)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: ArrayLike = 1e-3,
        betas: tuple[ArrayLike, ArrayLike] = (0.9, 0.999),
        eps: ArrayLike = 1e-8,
        weight_decay: ArrayLike = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
