r"""Keras's learning-rate schedules on NumPy: ``schedule(step) -> float``.

Keras 3 writes a schedule as a function of the optimizer's step count: the
optimizer calls ``schedule(optimizer.iterations)`` before each update, so
the update number :math:`t = 0, 1, 2, \ldots` (batches, not epochs) gets the
rate ``schedule(t)``. Each class here has the name, arguments and defaults of
``keras.optimizers.schedules`` and computes Keras's formula, from
``keras/src/optimizers/schedules/learning_rate_schedule.py`` of Keras 3.16.0.

:mod:`optlib.schedules` (PyTorch's) counts calls of ``scheduler.step()``,
usually one per *epoch* in PyTorch's examples; stepped once per batch
(``fit(..., scheduler_interval="step")``), its step :math:`t` is Keras's
:math:`t`, and several schedules then agree exactly:

* ``ExponentialDecay(a, 1, g)`` is ``ExponentialLR(gamma=g)``;
* ``ExponentialDecay(a, s, g, staircase=True)`` is ``StepLR(step_size=s, gamma=g)``;
* ``PiecewiseConstantDecay([b1, b2], [a, a*g, a*g*g])`` is
  ``MultiStepLR(milestones=[b1 + 1, b2 + 1], gamma=g)``;
* ``PolynomialDecay(a, T, end_learning_rate=0, power=p)`` is
  ``PolynomialLR(total_iters=T, power=p)``;
* ``CosineDecay(a, T, alpha=m)`` is ``CosineAnnealingLR(T_max=T, eta_min=a*m)``
  up to step :math:`T`;
* ``CosineDecay(0.0, T - w, alpha=m / a, warmup_target=a, warmup_steps=w)`` is
  ``warmup_cosine(opt, w, T, min_lr=m)`` up to step :math:`T`;
* ``CosineDecayRestarts(a, T0, t_mul=k, alpha=m)`` is
  ``CosineAnnealingWarmRestarts(T_0=T0, T_mult=k, eta_min=a*m)``,

each torch schedule built on an optimizer whose learning rate is ``a``.
``InverseTimeDecay`` has no torch class (``LambdaLR`` with its formula).
Past the end of a decay Keras holds the last rate, where torch's cosine goes
up again.

Notes
-----
Keras computes in its ``floatx`` (float32 by default); these compute in
float64, so Keras's numbers differ from these by float32 rounding (about
1e-7 relative). Keras's Python-side checks are kept (``decay_steps > 0``,
one fewer boundary than values); the others are optlib's, each a
``ValueError`` naming the argument.

Examples
--------
>>> from optlib.keras.schedules import CosineDecay
>>> schedule = CosineDecay(0.1, decay_steps=100, alpha=0.01)
>>> schedule(0), round(schedule(50), 6), round(schedule(100), 6), round(schedule(500), 6)
(0.1, 0.0505, 0.001, 0.001)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
]


def _number(who: str, name: str, value: Any, low: float | None = None, *, open_low: bool = False):
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{who}: {name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be finite, got {value!r}")
    if low is not None and (value <= low if open_low else value < low):
        raise ValueError(
            f"{who}: {name} must be {'>' if open_low else '>='} {low:g}, got {value!r}"
        )
    return value


def _decay_steps(name: str, value: Any) -> Any:
    """Keras's own check, with Keras's message."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"Argument `{name}` must be a number > 0. Received: {name}={value!r}")
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r}")
    return value


class LearningRateSchedule:
    """The base class: a schedule is called with the step count and returns the rate.

    ``schedule(step)`` takes the number of optimizer updates done so far (an
    integer >= 0; a float is taken as it is) and returns a float; an array of
    steps gives an array of rates. ``get_config()`` returns the arguments, as
    Keras's does, and ``from_config(config)`` builds the schedule again.

    Examples
    --------
    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def _rate(self, step):
    ...         return self.initial_learning_rate * 0.5**step
    >>> Halving(1.0)(3), Halving(1.0)([0, 1]).tolist()
    (0.125, [1.0, 0.5])
    """

    _config: ClassVar[tuple[str, ...]] = ()

    def __call__(self, step: Any) -> Any:
        """The rate at ``step`` (a float), or at each of an array of steps (an array)."""
        steps = np.asarray(step, dtype=np.float64)
        if not np.isfinite(steps).all() or (steps < 0).any():
            raise ValueError(
                f"{type(self).__name__}: step must be a finite number >= 0 (the optimizer's "
                f"update count), got {step!r}"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = np.asarray(self._rate(steps), dtype=np.float64)
        return float(rates) if rates.ndim == 0 else rates

    def _rate(self, step: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} computes no rate: add _rate")

    def get_config(self) -> dict[str, Any]:
        """The arguments, by Keras's names (what Keras's ``get_config`` returns).

        Examples
        --------
        >>> ExponentialDecay(0.1, 1000, 0.96).get_config()
        {'initial_learning_rate': 0.1, 'decay_steps': 1000, 'decay_rate': 0.96, 'staircase': False, 'name': 'ExponentialDecay'}
        """  # noqa: E501
        return {key: getattr(self, "_" + key if key in ("t_mul", "m_mul") else key)
                for key in self._config}  # fmt: skip

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule ``get_config()`` describes.

        Examples
        --------
        >>> schedule = CosineDecay(0.1, 100, alpha=0.1)
        >>> CosineDecay.from_config(schedule.get_config())(100) == schedule(100)
        True
        """
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({arguments})"


class ExponentialDecay(LearningRateSchedule):
    r"""Keras's ``ExponentialDecay``: :math:`\alpha_t = \alpha_0\,r^{t/s}`.

    .. math::
       \alpha_t = \alpha_0 \, r^{\,p}, \qquad
       p = t / s \quad (\lfloor t / s \rfloor \text{ with } \texttt{staircase=True}),

    with :math:`\alpha_0` = ``initial_learning_rate``, :math:`s` =
    ``decay_steps``, :math:`r` = ``decay_rate``. With ``decay_steps=1`` it is
    torch's ``ExponentialLR(gamma=r)``; with ``staircase=True``, torch's
    ``StepLR(step_size=s, gamma=r)``.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : float
        :math:`s > 0`.
    decay_rate : float
        :math:`r \ge 0`.
    staircase : bool, default False
    name : str, default "ExponentialDecay"

    Examples
    --------
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(10), round(schedule(5), 6), ExponentialDecay(0.1, 10, 0.5, staircase=True)(15)
    (0.05, 0.070711, 0.05)
    """

    _config = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self.initial_learning_rate = _number(
            "ExponentialDecay", "initial_learning_rate", initial_learning_rate, 0.0
        )
        self.decay_steps = _decay_steps("decay_steps", decay_steps)
        self.decay_rate = _number("ExponentialDecay", "decay_rate", decay_rate, 0.0)
        self.staircase = bool(staircase)
        self.name = name

    def _rate(self, step: np.ndarray) -> np.ndarray:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate * np.power(float(self.decay_rate), p)


class PiecewiseConstantDecay(LearningRateSchedule):
    r"""Keras's ``PiecewiseConstantDecay``: one value per interval between boundaries.

    With boundaries :math:`b_1 < \cdots < b_k` and values
    :math:`v_0, \ldots, v_k`,

    .. math::
       \alpha_t = v_0 \ (t \le b_1), \quad v_i \ (b_i < t \le b_{i+1}), \quad
       v_k \ (t > b_k):

    the boundary step itself still has the earlier value, so it is torch's
    ``MultiStepLR(milestones=[b_1 + 1, ..., b_k + 1])`` when each value is
    ``gamma`` times the one before.

    Parameters
    ----------
    boundaries : list of float
        :math:`k \ge 1` increasing steps.
    values : list of float
        :math:`k + 1` rates.
    name : str, default "PiecewiseConstant"

    Raises
    ------
    ValueError
        ``len(boundaries) != len(values) - 1`` (Keras's message), boundaries
        not increasing, or values that are not finite numbers >= 0.

    Examples
    --------
    >>> schedule = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
    >>> schedule(100), schedule(101), schedule(200), schedule(201)
    (1.0, 0.5, 0.5, 0.1)
    """

    _config = ("boundaries", "values", "name")

    def __init__(
        self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant"
    ) -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        for i, b in enumerate(boundaries):
            _number("PiecewiseConstantDecay", f"boundaries[{i}]", b)
        for i, v in enumerate(values):
            _number("PiecewiseConstantDecay", f"values[{i}]", v, 0.0)
        if any(b >= c for b, c in itertools.pairwise(boundaries)):
            raise ValueError(
                f"PiecewiseConstantDecay: boundaries must be increasing, got {boundaries}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def _rate(self, step: np.ndarray) -> np.ndarray:
        # the interval i such that b_i < t <= b_{i+1}: how many boundaries lie below t
        index = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), step, side="left")
        return np.asarray(self.values, dtype=np.float64)[index]


class PolynomialDecay(LearningRateSchedule):
    r"""Keras's ``PolynomialDecay``: from :math:`\alpha_0` to the end rate along :math:`(1-p)^q`.

    .. math::
       \alpha_t = (\alpha_0 - \alpha_{\text{end}})\,(1 - p)^{q} + \alpha_{\text{end}},
       \qquad p = \min(t, s) / s,

    with :math:`s` = ``decay_steps``, :math:`q` = ``power``. With
    ``cycle=True`` the decay restarts: :math:`p = t / (s \lceil t / s \rceil)`
    (and :math:`p = 0` at :math:`t = 0`). With ``end_learning_rate=0`` it is
    torch's ``PolynomialLR(total_iters=s, power=q)``.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : float
        :math:`s > 0`.
    end_learning_rate : float, default 0.0001
    power : float, default 1.0
    cycle : bool, default False
    name : str, default "PolynomialDecay"

    Examples
    --------
    >>> schedule = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0, power=2.0)
    >>> round(schedule(5), 6), schedule(10), schedule(20)
    (0.025, 0.0, 0.0)
    >>> cyclic = PolynomialDecay(0.1, 10, end_learning_rate=0.0, cycle=True)
    >>> round(cyclic(15), 6)  # in the second cycle, of 20 steps: 0.1 · (1 − 15/20)
    0.025
    """

    _config = (
        "initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name",
    )  # fmt: skip

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        who = "PolynomialDecay"
        self.initial_learning_rate = _number(
            who, "initial_learning_rate", initial_learning_rate, 0
        )
        self.decay_steps = _decay_steps("decay_steps", decay_steps)
        self.end_learning_rate = _number(who, "end_learning_rate", end_learning_rate, 0.0)
        self.power = _number(who, "power", power, 0.0)
        self.cycle = bool(cycle)
        self.name = name

    def _rate(self, step: np.ndarray) -> np.ndarray:
        decay_steps = np.float64(self.decay_steps)
        if self.cycle:
            multiplier = np.where(step == 0, 1.0, np.ceil(step / self.decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        start, end = self.initial_learning_rate, self.end_learning_rate
        return (start - end) * np.power(1 - p, float(self.power)) + end


class InverseTimeDecay(LearningRateSchedule):
    r"""Keras's ``InverseTimeDecay``: :math:`\alpha_t = \alpha_0 / (1 + r\,t/s)`.

    .. math::
       \alpha_t = \frac{\alpha_0}{1 + r\,p}, \qquad
       p = t / s \quad (\lfloor t / s \rfloor \text{ with } \texttt{staircase=True}).

    torch has no such class: ``LambdaLR(opt, lambda t: 1 / (1 + r * t / s))``.

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : float
        :math:`s > 0`.
    decay_rate : float
        :math:`r \ge 0`.
    staircase : bool, default False
    name : str, default "InverseTimeDecay"

    Examples
    --------
    >>> schedule = InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
    >>> schedule(0), schedule(2), round(InverseTimeDecay(0.1, 10, 0.5, staircase=True)(19), 6)
    (0.1, 0.05, 0.066667)
    """

    _config = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        who = "InverseTimeDecay"
        self.initial_learning_rate = _number(
            who, "initial_learning_rate", initial_learning_rate, 0
        )
        self.decay_steps = _decay_steps("decay_steps", decay_steps)
        self.decay_rate = _number(who, "decay_rate", decay_rate, 0.0)
        self.staircase = bool(staircase)
        self.name = name

    def _rate(self, step: np.ndarray) -> np.ndarray:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class CosineDecay(LearningRateSchedule):
    r"""Keras's ``CosineDecay``: an optional linear warm-up, then half a cosine.

    Without a warm-up (``warmup_target=None``), with :math:`\alpha_0` =
    ``initial_learning_rate``, :math:`T` = ``decay_steps`` and :math:`m` =
    ``alpha`` (a *fraction* of the starting rate):

    .. math::
       \alpha_t = \alpha_0\left((1 - m)\,\tfrac12\bigl(1 + \cos(\pi \min(t, T) / T)\bigr)
                  + m\right),

    torch's ``CosineAnnealingLR(T_max=T, eta_min=m α₀)`` for :math:`t \le T`
    (Keras then stays at :math:`m\alpha_0`, torch's rises again).

    With a warm-up to :math:`\alpha_{\max}` = ``warmup_target`` over :math:`w`
    = ``warmup_steps`` steps, the rate goes linearly from :math:`\alpha_0` to
    :math:`\alpha_{\max}`, then decays from :math:`\alpha_{\max}` over
    :math:`T` *more* steps:

    .. math::
       \alpha_t = \begin{cases}
         \alpha_0 + (\alpha_{\max} - \alpha_0)\,t / w & t < w,\\
         \alpha_{\max}\left((1 - m)\,\tfrac12\bigl(1 + \cos(\pi (t' - w) / T)\bigr)
                  + m\right), \ t' = \min(t, w + T) & t \ge w.
       \end{cases}

    ``CosineDecay(0.0, T - w, alpha=m / a, warmup_target=a, warmup_steps=w)``
    is therefore :func:`optlib.schedules.warmup_cosine` with peak :math:`a`,
    ``warmup=w``, ``total=T`` and ``min_lr=m`` (note that Keras's
    ``decay_steps`` does not count the warm-up).

    Parameters
    ----------
    initial_learning_rate : float
    decay_steps : float
        :math:`T > 0`.
    alpha : float, default 0.0
        :math:`m \ge 0`, the end rate as a fraction of the rate the decay starts from.
    name : str, default "CosineDecay"
    warmup_target : float, optional
        :math:`\alpha_{\max}`; ``None`` for no warm-up.
    warmup_steps : float, default 0
        :math:`w \ge 0`.

    Examples
    --------
    >>> warm = CosineDecay(0.0, decay_steps=8, warmup_target=1.0, warmup_steps=2)
    >>> [round(warm(t), 4) for t in range(0, 11, 2)]
    [0.0, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    _config = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target",
               "warmup_steps")  # fmt: skip

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: float = 0,
    ) -> None:
        who = "CosineDecay"
        self.initial_learning_rate = _number(
            who, "initial_learning_rate", initial_learning_rate, 0
        )
        self.decay_steps = _decay_steps("decay_steps", decay_steps)
        self.alpha = _number(who, "alpha", alpha, 0.0)
        self.name = name
        self.warmup_target = (
            None if warmup_target is None else _number(who, "warmup_target", warmup_target, 0.0)
        )
        self.warmup_steps = _number(who, "warmup_steps", warmup_steps, 0.0)

    def _decay(self, step: np.ndarray, decay_from: float) -> np.ndarray:
        completed_fraction = step / self.decay_steps
        cosine_decayed = 0.5 * (1.0 + np.cos(np.pi * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return decay_from * decayed

    def _rate(self, step: np.ndarray) -> np.ndarray:
        if self.warmup_target is None:
            return self._decay(np.minimum(step, self.decay_steps), self.initial_learning_rate)
        w = float(self.warmup_steps)
        step = np.minimum(step, self.decay_steps + w)
        start, target = self.initial_learning_rate, self.warmup_target
        warming = (target - start) * (step / w) + start if w > 0 else start
        return np.where(step < w, warming, self._decay(step - w, target))


class CosineDecayRestarts(LearningRateSchedule):
    r"""Keras's ``CosineDecayRestarts``: SGDR, cosine decays that restart, each longer.

    With :math:`T_0` = ``first_decay_steps``, :math:`k` = ``t_mul``,
    :math:`\mu` = ``m_mul`` and :math:`f = t / T_0`, the restart :math:`i` and
    the fraction :math:`\phi` of it completed are

    .. math::
       i = \left\lfloor \frac{\log(1 - f(1 - k))}{\log k} \right\rfloor,\quad
       \phi = \frac{f - (1 - k^i)/(1 - k)}{k^i}
       \qquad (k \ne 1;\ \text{for } k = 1:\ i = \lfloor f \rfloor,\ \phi = f - i),

    and the rate is

    .. math::
       \alpha_t = \alpha_0\left((1 - m)\,\mu^i\,\tfrac12(1 + \cos \pi\phi) + m\right).

    With ``m_mul=1`` and an integer ``t_mul`` it is torch's
    ``CosineAnnealingWarmRestarts(T_0, T_mult=t_mul, eta_min=alpha * a)``.

    Notes
    -----
    Keras finds the restart with a logarithm, and rounding can put a step
    that starts a cycle at the end of the previous one instead
    (:math:`\lfloor 2.9999999999999996 \rfloor = 2`): at such a step the rate
    is the cycle's lowest rather than its highest. This module follows the
    formula in float64 (Keras, in float32, can round elsewhere); torch counts
    the cycles exactly.

    Parameters
    ----------
    initial_learning_rate : float
    first_decay_steps : float
        :math:`T_0 > 0`.
    t_mul : float, default 2.0
        :math:`k > 0`, how much longer each cycle is than the one before.
    m_mul : float, default 1.0
        :math:`\mu \ge 0`, how much lower each cycle starts.
    alpha : float, default 0.0
        :math:`m \ge 0`, the lowest rate as a fraction of ``initial_learning_rate``.
    name : str, default "SGDRDecay"

    Examples
    --------
    >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=4, t_mul=2.0)
    >>> [round(schedule(t), 4) for t in range(0, 13, 2)]
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    """

    _config = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: float,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        who = "CosineDecayRestarts"
        self.initial_learning_rate = _number(
            who, "initial_learning_rate", initial_learning_rate, 0
        )
        self.first_decay_steps = _decay_steps("first_decay_steps", first_decay_steps)
        self._t_mul = _number(who, "t_mul", t_mul, 0.0, open_low=True)
        self._m_mul = _number(who, "m_mul", m_mul, 0.0)
        self.alpha = _number(who, "alpha", alpha, 0.0)
        self.name = name

    def _rate(self, step: np.ndarray) -> np.ndarray:
        completed_fraction = step / self.first_decay_steps
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            i_restart = np.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            i_restart = np.floor(np.log(1.0 - completed_fraction * (1.0 - t_mul)) / np.log(t_mul))
            sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
            completed_fraction = (completed_fraction - sum_r) / t_mul**i_restart
        m_fac = float(self._m_mul) ** i_restart
        cosine_decayed = 0.5 * m_fac * (1.0 + np.cos(np.pi * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return self.initial_learning_rate * decayed
