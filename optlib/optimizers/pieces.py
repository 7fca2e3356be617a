r"""The pieces every update rule is built from, each written once.

A rule in this package reads line by line like its algorithm box because the
lines it shares with other rules live here: the gradient the rule follows
(:func:`direction`), torch's interpolation (:func:`lerp_`), the exponential
moving averages of a value and of its square (:func:`ema_update`,
:func:`ema_update_squares`), their bias correction
(:func:`bias_correction`) and the adaptive denominator
:math:`\sqrt{s} + \varepsilon` (:func:`root_plus_eps`).

Each piece rounds as ``torch.optim`` does, so that a rule built from them
agrees with PyTorch to the last bits on well-conditioned runs.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Hyperparameter",
    "bias_correction",
    "direction",
    "ema_update",
    "ema_update_squares",
    "is_on",
    "lerp_",
    "root_plus_eps",
]

Hyperparameter = float | np.ndarray
"""A validated hyper-parameter: a Python float or (for a sweep) a read-only float64 array."""


def is_on(value: Hyperparameter) -> bool:
    """Whether a hyper-parameter switches its term on: any nonzero entry of an array counts.

    Examples
    --------
    >>> import numpy as np
    >>> is_on(0.0), is_on(np.array([0.0, 0.9]))
    (False, True)
    """
    if isinstance(value, np.ndarray):
        return bool(np.any(value != 0))
    return value != 0


def direction(
    param: np.ndarray, grad: np.ndarray, weight_decay: Hyperparameter, maximize: bool
) -> np.ndarray:
    r"""The gradient a rule follows: :math:`g \leftarrow \pm\nabla f(\theta) + \lambda\theta`.

    ``maximize`` negates the gradient first; then L2 weight decay adds
    :math:`\lambda\theta` (the order of ``torch.optim``). The caller's ``grad``
    is never modified: what comes back is ``grad`` itself or a new array.

    Examples
    --------
    >>> import numpy as np
    >>> direction(np.array([1.0, 2.0]), np.array([0.5, 0.5]), weight_decay=0.1, maximize=True)
    array([-0.4, -0.3])
    """
    g = -grad if maximize else grad
    if is_on(weight_decay):
        # g ← g + λθ   (λθ first, then g added, as torch's add(θ, alpha=λ) rounds)
        g = param * weight_decay + g
    return g


def lerp_(start: np.ndarray, end: np.ndarray, weight: Hyperparameter) -> np.ndarray:
    r"""Linear interpolation, in place: :math:`a \leftarrow a + w (x - a)`, as torch's ``lerp_``.

    Rounded as PyTorch rounds it: :math:`a + w (x - a)` while :math:`w < 0.5`, and
    :math:`x - (1 - w)(x - a)` from 0.5 on, which keeps the result exact at both
    ends (:math:`w = 0` gives :math:`a`, :math:`w = 1` gives :math:`x`). A moving
    average is this with :math:`w = 1 - \beta` (:func:`ema_update`); Adafactor's
    weight :math:`t^{\tau}` and Muon's Nesterov blend call it directly, with the
    weight torch passes, so that no :math:`1 - (1 - w)` rounds differently.

    Parameters
    ----------
    start : ndarray
        :math:`a`, overwritten with the result, which is also returned.
    end : ndarray
        :math:`x`, where :math:`w = 1` lands.
    weight : float or ndarray
        :math:`w`; an array takes each entry's branch.

    Examples
    --------
    >>> import numpy as np
    >>> start = np.array([0.0, 4.0])
    >>> lerp_(start, np.array([1.0, 0.0]), weight=0.25)
    array([0.25, 3.  ])
    >>> start  # changed in place
    array([0.25, 3.  ])
    """
    if isinstance(weight, np.ndarray):  # a sweep: each entry takes its own branch
        difference = end - start
        start[...] = np.where(
            weight < 0.5, start + weight * difference, end - (1 - weight) * difference
        )
    elif weight < 0.5:
        # a ← a + w(x − a)
        start += weight * (end - start)
    else:
        # a ← x − (1 − w)(x − a)
        np.subtract(end, (1 - weight) * (end - start), out=start)
    return start


def ema_update(average: np.ndarray, value: np.ndarray, decay: Hyperparameter) -> np.ndarray:
    r"""Exponential moving average, in place: :math:`a \leftarrow \beta a + (1 - \beta) x`.

    Written as PyTorch's ``lerp`` with weight :math:`w = 1 - \beta` (:func:`lerp_`),
    so that the rounding follows ``torch.optim``: :math:`a \leftarrow a + w (x - a)`
    while :math:`w < 0.5`, and :math:`a \leftarrow x - (1 - w)(x - a)` from 0.5 on,
    which keeps the result exact at both ends (:math:`w = 0` gives :math:`a`,
    :math:`w = 1` gives :math:`x`). Used for Adam's first moment :math:`m`,
    RMSprop's centered average :math:`\bar g` and Muon's momentum; averages of
    squares use :func:`ema_update_squares`, as ``torch.optim`` does.

    Parameters
    ----------
    average : ndarray
        The running average :math:`a`, updated in place and returned.
    value : ndarray
        The new observation :math:`x`.
    decay : float or ndarray
        The decay :math:`\beta` in [0, 1): how much of the old average survives a step.

    Examples
    --------
    >>> import numpy as np
    >>> average = np.zeros(2)
    >>> ema_update(average, np.array([1.0, 2.0]), decay=0.5)
    array([0.5, 1. ])
    """
    return lerp_(average, value, 1 - decay)


def ema_update_squares(
    average: np.ndarray, value: np.ndarray, decay: Hyperparameter
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

    Examples
    --------
    >>> import numpy as np
    >>> average = np.ones(2)
    >>> ema_update_squares(average, np.array([3.0, -1.0]), decay=0.5)
    array([5., 1.])
    """
    average *= decay
    average += value * (1 - decay) * value
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


def root_plus_eps(
    average: np.ndarray, eps: Hyperparameter, correction: Hyperparameter = 1.0
) -> np.ndarray:
    r"""The adaptive denominator :math:`d = \sqrt{a}/\sqrt{c} + \varepsilon`: RMS, then ε.

    :math:`a` is a sum or average of squared gradients and :math:`c` its bias
    correction (Adam's :math:`1 - \beta_2^t`; 1 for Adagrad and RMSprop, where
    the division is exact). :math:`\varepsilon` is added *after* the square root
    and the correction, as in ``torch.optim``; Keras adds it inside the root.

    Examples
    --------
    >>> import numpy as np
    >>> root_plus_eps(np.array([4.0, 0.0]), eps=0.5)
    array([2.5, 0.5])
    """
    root = np.sqrt(average)
    if isinstance(correction, np.ndarray) or correction != 1:
        root /= correction**0.5  # skipped at c = 1: exact there, and a pass over memory
    return root + eps
