r"""Keras's optimizers on NumPy arrays, for comparing its conventions with PyTorch's.

optlib's own optimizers (:mod:`optlib.optimizers`) follow ``torch.optim``. Keras
has the same five algorithms with other names, other defaults and, in four
places, another update rule: its momentum puts the learning rate inside the
velocity, its RMSprop and Adagrad add :math:`\hat\varepsilon` *inside* the square
root, its Adagrad starts the sum at 0.1, its Adam adds :math:`\hat\varepsilon`
before the bias correction, and its ``weight_decay`` is decoupled for every
optimizer. This module writes Keras's rules once, so that the chapters can set
the two conventions side by side instead of re-implementing Keras in each.

Each class (:class:`SGD`, :class:`RMSprop`, :class:`Adagrad`, :class:`Adam`,
:class:`AdamW`) takes Keras's argument names and defaults, and its
``update_step`` reads line by line like Keras's. It is built the optlib way, on
the arrays it updates in place, and moved by ``opt.step(grads)``: Keras's
``optimizer.apply(grads, variables)`` under the name every optlib optimizer
uses, so that :func:`optlib.minimize`, :func:`optlib.sweep` and :func:`optlib.fit`
run a Keras rule exactly as they run a PyTorch one. Hyper-parameters are
attributes: ``opt.learning_rate = 0.001`` takes effect at the next step, which
is how a learning-rate schedule is written here.

:func:`equivalent` translates PyTorch's settings into Keras's (and
:func:`torch_equivalent` Keras's into PyTorch's), saying whether the two give
the same steps and, where they cannot, what differs and by how much.

The formulas are those of Keras 3: the ``update_step`` methods of
``keras/src/optimizers/{sgd,rmsprop,adagrad,adam}.py`` and
``BaseOptimizer._apply_weight_decay``, which are the same in every release from
3.0 to 3.16. Not modelled: gradient clipping, ``use_ema``, loss scaling,
gradient accumulation, ``exclude_from_weight_decay`` and schedule objects.

Examples
--------
>>> import numpy as np
>>> from optlib import keras
>>> theta = np.array([10.0])
>>> keras.RMSprop(theta, learning_rate=0.1).step(theta)  # J = θ²/2: the gradient is θ
>>> theta.round(6)  # Keras's documentation gives 9.683772
array([9.683772])
>>> print(keras.equivalent("SGD", lr=0.1, momentum=0.9))
keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=False, weight_decay=None)
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from optlib import optimizers as torch_style
from optlib._validation import (
    as_float_array,
    check_bool,
    describe,
    hyperparameter,
    short_repr,
)

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Equivalent",
    "Optimizer",
    "RMSprop",
    "equivalent",
    "torch_equivalent",
]

Hyperparameter = float | np.ndarray


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------


def _in_range(
    name: str, value: Any, low: float, high: float = math.inf, *, high_open: bool = False
) -> Hyperparameter:
    """A number (or array of numbers, for a sweep) in ``[low, high]`` or ``[low, high)``."""
    value = hyperparameter(name, value)
    above = value >= high if high_open else value > high
    if np.any(value < low) or np.any(above):
        closing = ")" if high_open else "]"
        where = f"[{low:g}, {high:g}{closing}" if high < math.inf else f">= {low:g}"
        raise ValueError(f"{name} must be {'in ' if high < math.inf else ''}{where}, "
                         f"got {describe(value)}")  # fmt: skip
    return value


def _weight_decay(value: Any) -> Hyperparameter | None:
    return None if value is None else _in_range("weight_decay", value, 0.0)


def _check_variables(variables: Any) -> tuple[np.ndarray, ...]:
    """The arrays an optimizer updates in place: writable float ndarrays, each once."""
    if isinstance(variables, np.ndarray):
        variables = [variables]
    if isinstance(variables, str | bytes | dict) or not isinstance(variables, Sequence):
        raise ValueError(
            f"variables must be a NumPy array or a list of them, got {short_repr(variables)}"
        )
    if not variables:
        raise ValueError("variables is empty: give the arrays to update")
    for index, variable in enumerate(variables):
        name = f"variables[{index}]"
        if type(variable) is not np.ndarray:
            raise ValueError(
                f"{name} must be a NumPy array (it is updated in place), "
                f"got {type(variable).__name__} {short_repr(variable)}"
            )
        if variable.dtype.kind != "f":
            raise ValueError(f"{name} must be a float array, got dtype {variable.dtype}")
        if not variable.flags.writeable:
            raise ValueError(f"{name} is read-only; pass a writable copy")
        for earlier in range(index):
            if np.shares_memory(variables[earlier], variable):
                raise ValueError(
                    f"variables[{earlier}] and {name} share memory: one step would move "
                    "the shared entries twice"
                )
    return tuple(variables)


def _nonzero(value: Hyperparameter) -> bool:
    """Whether a term is switched on: any nonzero entry of an array counts (a sweep)."""
    return bool(np.any(value != 0))


def _zeros(variable: np.ndarray) -> np.ndarray:
    return np.zeros_like(variable)


def _keras_names(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap a constructor so that PyTorch's name for an argument says what Keras calls it."""
    signature = inspect.signature(init)
    accepted = [name for name in signature.parameters if name not in ("self", "variables")]

    @functools.wraps(init)
    def checked_init(self: Optimizer, *args: Any, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            if key not in accepted:
                raise TypeError(_unexpected(type(self).__name__, key, value, accepted))
        init(self, *args, **kwargs)

    return checked_init


_TORCH_TO_KERAS_NAMES = {"lr": "learning_rate", "eps": "epsilon", "alpha": "rho"}


def _unexpected(class_name: str, key: str, value: Any, accepted: list[str]) -> str:
    head = f"{class_name} got an unexpected keyword argument {key!r}"
    keras_name = _TORCH_TO_KERAS_NAMES.get(key)
    if keras_name in accepted:
        return f"{head}; optlib.keras uses Keras's names: write {keras_name}={value!r}"
    if key == "betas" and "beta_1" in accepted:
        return f"{head}; optlib.keras uses Keras's names: write beta_1=..., beta_2=..."
    close = difflib.get_close_matches(key, accepted, n=1)
    if close:
        return f"{head}; did you mean {close[0]}={value!r}?"
    return f"{head}; its arguments are {', '.join(accepted)}"


# ---------------------------------------------------------------------------
# The optimizers
# ---------------------------------------------------------------------------


class Optimizer:
    r"""What Keras's optimizers share: the variables, the hyper-parameters, weight decay and step.

    A subclass names its hyper-parameters, checks each in ``_check`` and writes
    its rule in ``update_step``. :meth:`step` does what Keras's
    ``optimizer.apply(grads)`` does: it decays every variable when
    ``weight_decay`` is set, :math:`\theta \leftarrow \theta - \theta\lambda\alpha`,
    then applies ``update_step`` to each variable with its gradient (computed
    before the decay), then counts the step in ``iterations``.

    Attributes
    ----------
    variables : tuple of ndarray
        The arrays :meth:`step` updates in place.
    state : list of dict
        Per variable, Keras's optimizer variables under Keras's names
        (``"momentum"``, ``"velocity"``, ``"accumulator"``, ...), created at the first step.
    iterations : int
        The number of steps taken (Keras's ``optimizer.iterations``).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> opt = SGD(theta, learning_rate=0.1, momentum=0.9)
    >>> opt.step(np.array([1.0, 1.0]))
    >>> theta, opt.state[0]["momentum"], opt.iterations  # Keras's velocity is −α g
    (array([ 0.9, -2.1]), array([-0.1, -0.1]), 1)
    >>> opt.learning_rate = -1.0
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be >= 0, got -1.0
    """

    hyperparameter_names: ClassVar[tuple[str, ...]] = ()

    variables: tuple[np.ndarray, ...]
    state: list[dict[str, np.ndarray]]
    iterations: int
    learning_rate: Hyperparameter
    weight_decay: Hyperparameter | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _keras_names(cls.__init__)  # type: ignore[method-assign]

    def __init__(self, variables: np.ndarray | Sequence[np.ndarray], **hyperparameters: Any):
        object.__setattr__(self, "variables", _check_variables(variables))
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.state = [{} for _ in self.variables]
        self.iterations = 0

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.hyperparameter_names:
            value = self._check(name, value)
            for variable in self.variables if isinstance(value, np.ndarray) else ():
                try:
                    fits = np.broadcast_shapes(value.shape, variable.shape) == variable.shape
                except ValueError:
                    fits = False
                if not fits:
                    raise ValueError(
                        f"{name} of shape {value.shape} does not broadcast against a "
                        f"variable of shape {variable.shape}"
                    )
        object.__setattr__(self, name, value)

    def _check(self, name: str, value: Any) -> Any:
        raise NotImplementedError

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyper-parameters by Keras's names, as validated."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"optlib.keras.{type(self).__name__}({settings})"

    def step(self, grads: np.ndarray | Sequence[np.ndarray]) -> None:
        """Update every variable in place with its gradient, as Keras's ``apply(grads)``.

        Parameters
        ----------
        grads : ndarray or list of ndarray
            One gradient per variable, of the variable's shape (a single array
            when there is one variable). Checked before anything is written.

        Examples
        --------
        >>> import numpy as np
        >>> w, b = np.ones(2), np.zeros(1)
        >>> opt = SGD([w, b], learning_rate=0.5)
        >>> opt.step([np.array([1.0, 2.0]), np.array([4.0])])
        >>> w, b
        (array([0.5, 0. ]), array([-2.]))
        """
        grads = self._check_grads(grads)
        for variable in self.variables:
            self._apply_weight_decay(variable)
        for gradient, variable, state in zip(grads, self.variables, self.state, strict=True):
            self.update_step(gradient, variable, state)
        self.iterations += 1

    def _apply_weight_decay(self, variable: np.ndarray) -> None:
        if self.weight_decay is not None:
            # θ ← θ − θ·λ·α   (decoupled: the gradient does not see it)
            variable -= variable * self.weight_decay * self.learning_rate

    def update_step(
        self, gradient: np.ndarray, variable: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        """One variable's update, in place; ``state`` holds its optimizer variables."""
        raise NotImplementedError

    def _check_grads(self, grads: Any) -> list[np.ndarray]:
        if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
            grads = [grads]
        if len(grads) != len(self.variables):
            raise ValueError(
                f"step got {len(grads)} gradient(s) for {len(self.variables)} variable(s)"
            )
        checked = []
        for index, (grad, variable) in enumerate(zip(grads, self.variables, strict=True)):
            grad = as_float_array(f"grads[{index}]", grad)
            if grad.shape != variable.shape:
                raise ValueError(
                    f"grads[{index}] has shape {grad.shape}, but the variable it updates has "
                    f"shape {variable.shape}"
                )
            checked.append(grad)
        return checked


class SGD(Optimizer):
    r"""Gradient descent with momentum in Keras's form, as ``keras.optimizers.SGD``.

    Parameters
    ----------
    variables : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~Optimizer.step`.
    learning_rate : float or ndarray, default 0.01
        :math:`\alpha`. PyTorch's default is 0.001.
    momentum : float or ndarray, default 0.0
        :math:`\mu`, in [0, 1] (Keras's own check).
    nesterov : bool, default False
        Nesterov's form of the step.
    weight_decay : float, ndarray or None, default None
        Decoupled decay :math:`\lambda`: :math:`\theta \leftarrow \theta - \theta\lambda\alpha`
        before each step. With ``momentum=0`` it equals PyTorch's L2 ``weight_decay``.

    Notes
    -----
    Keras, like Sutskever et al. (2013), folds the learning rate into the
    velocity :math:`v` (the state entry ``"momentum"``, starting at 0):

    .. math::
       v \leftarrow \mu v - \alpha g, \qquad
       \theta \leftarrow \theta + v
       \quad\text{or, with Nesterov,}\quad
       \theta \leftarrow \theta + \mu v - \alpha g .

    PyTorch writes :math:`v \leftarrow \mu v + g,\ \theta \leftarrow \theta - \alpha v`:
    its velocity is :math:`-1/\alpha` times Keras's, and the two give the same
    steps while :math:`\alpha` is constant. When :math:`\alpha` changes, PyTorch
    rescales the whole stored velocity at once; Keras applies the new rate to
    new gradients only.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0])
    >>> opt = SGD(theta, learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.step(np.array([1.0]))
    >>> theta  # steps of 0.1, then 0.9 · 0.1 + 0.1
    array([0.71])
    """

    hyperparameter_names = ("learning_rate", "momentum", "nesterov", "weight_decay")

    momentum: Hyperparameter
    nesterov: bool

    def __init__(
        self,
        variables: np.ndarray | Sequence[np.ndarray],
        learning_rate: Any = 0.01,
        momentum: Any = 0.0,
        nesterov: bool = False,
        weight_decay: Any = None,
    ) -> None:
        super().__init__(
            variables,
            learning_rate=learning_rate,
            momentum=momentum,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )

    def _check(self, name: str, value: Any) -> Any:
        if name == "momentum":
            return _in_range(name, value, 0.0, 1.0)
        if name == "nesterov":
            return check_bool(name, value)
        if name == "weight_decay":
            return _weight_decay(value)
        return _in_range(name, value, 0.0)

    def update_step(
        self, gradient: np.ndarray, variable: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        """Keras's ``SGD.update_step`` on one variable, in place.

        Examples
        --------
        >>> import numpy as np
        >>> theta, state = np.array([1.0]), {}
        >>> SGD(theta, learning_rate=0.1, momentum=0.5).update_step(np.array([2.0]), theta, state)
        >>> theta, state["momentum"]
        (array([0.8]), array([-0.2]))
        """
        learning_rate, momentum = self.learning_rate, self.momentum
        if not _nonzero(momentum):
            # θ ← θ − α g
            variable -= gradient * learning_rate
            return
        v = state.setdefault("momentum", _zeros(variable))
        # v ← μ v − α g
        v[...] = v * momentum - gradient * learning_rate
        if self.nesterov:
            # θ ← θ + μ v − α g
            variable += v * momentum - gradient * learning_rate
        else:
            # θ ← θ + v
            variable += v


class RMSprop(Optimizer):
    r"""RMSprop with :math:`\hat\varepsilon` inside the root, as ``keras.optimizers.RMSprop``.

    Parameters
    ----------
    variables : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~Optimizer.step`.
    learning_rate : float or ndarray, default 0.001
        :math:`\alpha`. PyTorch's default is 0.01.
    rho : float or ndarray, default 0.9
        The decay :math:`\rho` of the moving average, in [0, 1) (PyTorch's ``alpha``,
        default 0.99).
    momentum : float or ndarray, default 0.0
        :math:`\mu`, in [0, 1].
    epsilon : float or ndarray, default 1e-7
        :math:`\hat\varepsilon`, added to :math:`s` inside the square root.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    weight_decay : float, ndarray or None, default None
        Decoupled decay :math:`\lambda` (:math:`\theta \leftarrow \theta - \theta\lambda\alpha`).

    Notes
    -----
    With :math:`s` the state entry ``"velocity"``, :math:`\bar g` ``"average_gradient"``
    and :math:`m` ``"momentum"``, all starting at 0:

    .. math::
       \begin{aligned}
         s &\leftarrow \rho s + (1 - \rho) g^2, \qquad
         \bar g \leftarrow \rho \bar g + (1 - \rho) g \text{ (centered)}, \\
         \Delta &= \frac{\alpha g}{\sqrt{s + \hat\varepsilon}}
           \text{ or, centered, } \frac{\alpha g}{\sqrt{s - \bar g^2 + \hat\varepsilon}}, \\
         \theta &\leftarrow \theta - \Delta
           \quad\text{or, with momentum,}\quad
           m \leftarrow \mu m + \Delta,\ \theta \leftarrow \theta - m .
       \end{aligned}

    PyTorch divides by :math:`\sqrt{s} + \varepsilon` instead, and its momentum
    buffer holds :math:`g/(\sqrt{s} + \varepsilon)` without :math:`\alpha`
    (the same steps while :math:`\alpha` is constant). :func:`equivalent` says by
    how much the two denominators can differ.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0])
    >>> RMSprop(theta, learning_rate=0.01).step(np.array([2.0]))
    >>> theta.round(6)  # the first step is α g / √((1 − ρ) g² + ε̂), about α/√(1 − ρ)
    array([0.968377])
    """

    hyperparameter_names = (
        "learning_rate",
        "rho",
        "momentum",
        "epsilon",
        "centered",
        "weight_decay",
    )

    rho: Hyperparameter
    momentum: Hyperparameter
    epsilon: Hyperparameter
    centered: bool

    def __init__(
        self,
        variables: np.ndarray | Sequence[np.ndarray],
        learning_rate: Any = 0.001,
        rho: Any = 0.9,
        momentum: Any = 0.0,
        epsilon: Any = 1e-7,
        centered: bool = False,
        weight_decay: Any = None,
    ) -> None:
        super().__init__(
            variables,
            learning_rate=learning_rate,
            rho=rho,
            momentum=momentum,
            epsilon=epsilon,
            centered=centered,
            weight_decay=weight_decay,
        )

    def _check(self, name: str, value: Any) -> Any:
        if name == "rho":
            return _in_range(name, value, 0.0, 1.0, high_open=True)
        if name == "momentum":
            return _in_range(name, value, 0.0, 1.0)
        if name == "centered":
            return check_bool(name, value)
        if name == "weight_decay":
            return _weight_decay(value)
        return _in_range(name, value, 0.0)  # learning_rate, epsilon

    def update_step(
        self, gradient: np.ndarray, variable: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        """Keras's ``RMSprop.update_step`` on one variable, in place.

        Examples
        --------
        >>> import numpy as np
        >>> theta, state = np.array([10.0]), {}
        >>> RMSprop(theta, learning_rate=0.1).update_step(np.array([10.0]), theta, state)
        >>> theta.round(6), state["velocity"]  # s = (1 − ρ) g²
        (array([9.683772]), array([10.]))
        """
        rho, epsilon = self.rho, self.epsilon
        velocity = state.setdefault("velocity", _zeros(variable))
        # s ← ρ s + (1 − ρ) g²
        velocity[...] = rho * velocity + (1 - rho) * np.square(gradient)
        if self.centered:
            average_grad = state.setdefault("average_gradient", _zeros(variable))
            # ḡ ← ρ ḡ + (1 − ρ) g
            average_grad[...] = rho * average_grad + (1 - rho) * gradient
            denominator = velocity - np.square(average_grad) + epsilon
        else:
            denominator = velocity + epsilon
        # Δ ← α g / √(s + ε̂)   (or √(s − ḡ² + ε̂), centered)
        increment = (self.learning_rate * gradient) / np.sqrt(denominator)
        if _nonzero(self.momentum):
            m = state.setdefault("momentum", _zeros(variable))
            # m ← μ m + Δ;  θ ← θ − m
            m[...] = self.momentum * m + increment
            variable -= m
        else:
            # θ ← θ − Δ
            variable -= increment


class Adagrad(Optimizer):
    r"""Adagrad with a starting sum and ε̂ in the root, as ``keras.optimizers.Adagrad``.

    Parameters
    ----------
    variables : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~Optimizer.step`.
    learning_rate : float or ndarray, default 0.001
        :math:`\alpha`. PyTorch's default is 0.01.
    initial_accumulator_value : float or ndarray, default 0.1
        The starting sum :math:`G_0 \ge 0` (PyTorch's default is 0).
    epsilon : float or ndarray, default 1e-7
        :math:`\hat\varepsilon`, added to :math:`G` inside the square root.
    weight_decay : float, ndarray or None, default None
        Decoupled decay :math:`\lambda` (:math:`\theta \leftarrow \theta - \theta\lambda\alpha`).

    Notes
    -----
    With :math:`G` the state entry ``"accumulator"``:

    .. math::
       G \leftarrow G + g^2, \qquad
       \theta \leftarrow \theta - \frac{\alpha g}{\sqrt{G + \hat\varepsilon}} .

    PyTorch divides by :math:`\sqrt{G} + \varepsilon` and starts from
    :math:`G_0 = 0`, so that its first step is :math:`\alpha\,\mathrm{sign}(g)`.
    Keras's :math:`G_0 = 0.1` makes its first steps proportional to the gradient
    while :math:`g^2 \ll 0.1`.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0])
    >>> Adagrad(theta, learning_rate=0.1).step(np.array([0.01]))
    >>> theta.round(6)  # 0.1 · 0.01 / √(0.1 + 0.0001 + 1e-7): about 3.2 α g
    array([0.996839])
    """

    hyperparameter_names = (
        "learning_rate",
        "initial_accumulator_value",
        "epsilon",
        "weight_decay",
    )

    initial_accumulator_value: Hyperparameter
    epsilon: Hyperparameter

    def __init__(
        self,
        variables: np.ndarray | Sequence[np.ndarray],
        learning_rate: Any = 0.001,
        initial_accumulator_value: Any = 0.1,
        epsilon: Any = 1e-7,
        weight_decay: Any = None,
    ) -> None:
        super().__init__(
            variables,
            learning_rate=learning_rate,
            initial_accumulator_value=initial_accumulator_value,
            epsilon=epsilon,
            weight_decay=weight_decay,
        )

    def _check(self, name: str, value: Any) -> Any:
        if name == "weight_decay":
            return _weight_decay(value)
        return _in_range(name, value, 0.0)

    def update_step(
        self, gradient: np.ndarray, variable: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        """Keras's ``Adagrad.update_step`` on one variable, in place.

        Examples
        --------
        >>> import numpy as np
        >>> theta, state = np.array([1.0]), {}
        >>> Adagrad(theta, learning_rate=0.1).update_step(np.array([3.0]), theta, state)
        >>> state["accumulator"]  # G₀ + g² = 0.1 + 9
        array([9.1])
        """
        if "accumulator" not in state:
            state["accumulator"] = _zeros(variable)
            state["accumulator"][...] = self.initial_accumulator_value
        accumulator = state["accumulator"]
        # G ← G + g²
        accumulator += np.square(gradient)
        # θ ← θ − α g / √(G + ε̂)
        variable -= (self.learning_rate * gradient) / np.sqrt(accumulator + self.epsilon)


class Adam(Optimizer):
    r"""Adam with the bias correction folded into the step size, as ``keras.optimizers.Adam``.

    Parameters
    ----------
    variables : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~Optimizer.step`.
    learning_rate : float or ndarray, default 0.001
        :math:`\alpha`.
    beta_1, beta_2 : float or ndarray, default 0.9 and 0.999
        Decays of the two moving averages, in [0, 1) (PyTorch's ``betas``).
    epsilon : float or ndarray, default 1e-7
        :math:`\hat\varepsilon`, added to the *uncorrected* :math:`\sqrt{v}`
        ("epsilon hat" in Kingma and Ba's paper). PyTorch's default is 1e-8.
    amsgrad : bool, default False
        Divide by the largest :math:`v` so far.
    weight_decay : float, ndarray or None, default None
        Decoupled decay :math:`\lambda` (:math:`\theta \leftarrow \theta - \theta\lambda\alpha`):
        on Keras's ``Adam`` it is AdamW's decay, where PyTorch's ``Adam`` has an L2 penalty.

    Notes
    -----
    With :math:`m` and :math:`v` the state entries ``"momentum"`` and
    ``"velocity"`` (and ``"velocity_hat"``, :math:`\hat v`, with amsgrad), at step
    :math:`t = 1, 2, \ldots`:

    .. math::
       \begin{aligned}
         \alpha_t &= \alpha\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
         m \leftarrow m + (g - m)(1 - \beta_1), \qquad
         v \leftarrow v + (g^2 - v)(1 - \beta_2), \\
         \theta &\leftarrow \theta - \alpha_t\,\frac{m}{\sqrt{v} + \hat\varepsilon}
           \qquad(\text{amsgrad: } \hat v \leftarrow \max(\hat v, v) \text{ in place of } v).
       \end{aligned}

    This is PyTorch's Adam, :math:`\alpha\,\hat m/(\sqrt{\hat v} + \varepsilon)`,
    with :math:`\varepsilon = \hat\varepsilon/\sqrt{1 - \beta_2^t}`: the
    :math:`\hat\varepsilon` is not corrected, so in the first steps it acts as a
    larger :math:`\varepsilon` (:math:`1/\sqrt{1 - \beta_2} \approx 31.6` times
    larger at step 1 with the default :math:`\beta_2`).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0])
    >>> Adam(theta, learning_rate=0.1).step(np.array([3.0]))
    >>> theta.round(6)  # the corrections make the first step α sign(g), up to ε̂
    array([0.9])
    """

    hyperparameter_names = (
        "learning_rate",
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
        "weight_decay",
    )

    beta_1: Hyperparameter
    beta_2: Hyperparameter
    epsilon: Hyperparameter
    amsgrad: bool

    def __init__(
        self,
        variables: np.ndarray | Sequence[np.ndarray],
        learning_rate: Any = 0.001,
        beta_1: Any = 0.9,
        beta_2: Any = 0.999,
        epsilon: Any = 1e-7,
        amsgrad: bool = False,
        weight_decay: Any = None,
    ) -> None:
        super().__init__(
            variables,
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
        )

    def _check(self, name: str, value: Any) -> Any:
        if name in ("beta_1", "beta_2"):
            return _in_range(name, value, 0.0, 1.0, high_open=True)
        if name == "amsgrad":
            return check_bool(name, value)
        if name == "weight_decay":
            return _weight_decay(value)
        return _in_range(name, value, 0.0)  # learning_rate, epsilon

    def update_step(
        self, gradient: np.ndarray, variable: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        """Keras's ``Adam.update_step`` on one variable, in place.

        Examples
        --------
        >>> import numpy as np
        >>> theta, state = np.array([1.0]), {}
        >>> Adam(theta, learning_rate=0.1).update_step(np.array([2.0]), theta, state)
        >>> state["momentum"], state["velocity"].round(6)  # (1 − β₁) g and (1 − β₂) g²
        (array([0.2]), array([0.004]))
        """
        local_step = self.iterations + 1
        beta_1_power, beta_2_power = self.beta_1**local_step, self.beta_2**local_step
        m = state.setdefault("momentum", _zeros(variable))
        v = state.setdefault("velocity", _zeros(variable))
        # α_t ← α √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        alpha = self.learning_rate * (1 - beta_2_power) ** 0.5 / (1 - beta_1_power)
        # m ← m + (g − m)(1 − β₁)
        m += (gradient - m) * (1 - self.beta_1)
        # v ← v + (g² − v)(1 − β₂)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        if self.amsgrad:
            v_hat = state.setdefault("velocity_hat", _zeros(variable))
            # v̂ ← max(v̂, v), used in place of v
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        # θ ← θ − α_t m / (√v + ε̂)
        variable -= (m * alpha) / (np.sqrt(v) + self.epsilon)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``keras.optimizers.AdamW``.

    Keras's :class:`Adam` with a ``weight_decay`` that must be a number (default
    0.004; PyTorch's AdamW defaults to 0.01). Each step first shrinks the
    variables, :math:`\theta \leftarrow \theta - \theta\lambda\alpha`, then takes
    Adam's step with the gradient computed before the shrink: PyTorch's AdamW
    rule, :math:`\theta(1 - \alpha\lambda)`, up to rounding.

    Parameters
    ----------
    variables : ndarray or list of ndarray
        Float arrays, updated in place by :meth:`~Optimizer.step`.
    learning_rate, beta_1, beta_2, epsilon, amsgrad
        As in :class:`Adam`.
    weight_decay : float or ndarray, default 0.004
        :math:`\lambda \ge 0`.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0])
    >>> AdamW(theta, learning_rate=0.1, weight_decay=0.5).step(np.array([0.0]))
    >>> theta  # a zero gradient: only the decay, 1 − 1 · 0.5 · 0.1
    array([0.95])
    """

    def __init__(
        self,
        variables: np.ndarray | Sequence[np.ndarray],
        learning_rate: Any = 0.001,
        weight_decay: Any = 0.004,
        beta_1: Any = 0.9,
        beta_2: Any = 0.999,
        epsilon: Any = 1e-7,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            variables,
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
        )

    def _check(self, name: str, value: Any) -> Any:
        if name == "weight_decay" and value is None:
            raise ValueError("weight_decay must be a number for AdamW, got None")
        return super()._check(name, value)


# ---------------------------------------------------------------------------
# The translator
# ---------------------------------------------------------------------------

_KERAS_CLASSES: dict[str, type[Optimizer]] = {
    cls.__name__: cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW)
}
_TORCH_CLASSES: dict[str, type] = {
    name: getattr(torch_style, name) for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW")
}


@dataclass(frozen=True)
class Equivalent:
    """The settings of one library that reproduce another's, and how exactly.

    Returned by :func:`equivalent` (``library="keras"``) and
    :func:`torch_equivalent` (``library="torch"``). ``str()`` gives the call in
    that library.

    Attributes
    ----------
    library : str
        ``"keras"`` or ``"torch"``: whose optimizer :attr:`optimizer` names.
    optimizer : str
        The class name in that library, e.g. ``"RMSprop"``.
    arguments : dict
        Its keyword arguments, every one spelled out.
    exact : bool
        True when the two optimizers take the same steps (to rounding) for
        every gradient sequence at a constant learning rate.
    note : str
        What differs, and how much it matters; empty when nothing does.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import keras
    >>> settings = keras.equivalent("Adagrad", lr=0.1, eps=0.0)
    >>> settings.exact, settings.arguments
    (True, {'learning_rate': 0.1, 'initial_accumulator_value': 0.0, 'epsilon': 0.0,
            'weight_decay': None})
    >>> theta = np.ones(2)
    >>> settings.build(theta)
    optlib.keras.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=0.0,
                         weight_decay=None)
    """

    library: str
    optimizer: str
    arguments: dict[str, Any]
    exact: bool
    note: str

    def build(self, variables: np.ndarray | Sequence[np.ndarray]) -> Any:
        """This optimizer of optlib (:mod:`optlib.keras` or :mod:`optlib.optimizers`), built.

        Examples
        --------
        >>> import numpy as np
        >>> torch_equivalent("RMSprop", rho=0.9).build(np.zeros(1)).alpha
        0.9
        """
        classes = _KERAS_CLASSES if self.library == "keras" else _TORCH_CLASSES
        return classes[self.optimizer](variables, **self.arguments)

    def __str__(self) -> str:
        prefix = "keras.optimizers" if self.library == "keras" else "torch.optim"
        settings = ", ".join(f"{name}={value!r}" for name, value in self.arguments.items())
        if self.library == "torch":
            settings = "params, " + settings
        return f"{prefix}.{self.optimizer}({settings})"


def _settings(optimizer: Any, given: dict[str, Any], classes: dict[str, type]) -> tuple[str, dict]:
    """The class name and every setting of ``optimizer`` (defaults filled in, checked)."""
    library = "Keras" if classes is _KERAS_CLASSES else "PyTorch"
    if isinstance(optimizer, str):
        names = {name.lower(): name for name in classes}
        if optimizer.lower() not in names:
            raise ValueError(
                f"optimizer must be one of {', '.join(classes)} ({library}'s), got {optimizer!r}"
            )
        name = names[optimizer.lower()]
    elif isinstance(optimizer, type) and optimizer in classes.values():
        name = optimizer.__name__
    elif isinstance(optimizer, tuple(classes.values())):
        if given:
            raise TypeError("pass an optimizer built already or keyword arguments, not both")
        name = type(optimizer).__name__
        given = dict(optimizer.hyperparameters)
    else:
        raise TypeError(
            f"optimizer must be a {library} optimizer of optlib (one of {', '.join(classes)}), "
            f"its class or its name, got {short_repr(optimizer)}"
        )
    cls = classes[name]
    for key, value in given.items():
        if isinstance(value, np.ndarray) and value.ndim > 0:
            raise ValueError(f"{key} is an array: translate one setting at a time")
    checked = cls(np.zeros(1), **given).hyperparameters  # the class's own checks and messages
    return name, {key: checked[key] for key in inspect.signature(cls).parameters if key in checked}


def _rounded(value: float) -> float:
    """``value`` to 12 significant digits: 1e-16 rather than 1.0000000000000001e-16."""
    return float(f"{value:.12g}")


def _refuse(reason: str) -> None:
    raise ValueError(f"no {reason}")


_SCHEDULE_NOTE = (
    "The same steps while the learning rate is constant. Under a schedule they "
    "differ: PyTorch multiplies its whole stored velocity by the current rate, "
    "Keras only the new gradient."
)


def _epsilon_inside_note(eps: float, epsilon: float, s: str) -> str:
    """PyTorch's √s + eps against Keras's √(s + epsilon), with epsilon = eps²; ``s`` names s."""
    if eps == 0:
        return ""
    return (
        f"PyTorch divides by √{s} + eps, Keras by √({s} + epsilon); epsilon = eps² = {epsilon:g} "
        f"gives the same denominator where {s} = 0 and where √{s} ≫ eps. In between the "
        f"two differ, most at √{s} = eps, where Keras's denominator is √2·eps against "
        f"PyTorch's 2·eps: its step is up to √2 ≈ 1.41 times longer. At √{s} ≥ 100·eps "
        f"(here {100 * eps:g}) they agree within 1%."
    )


def _adam_epsilon_note(eps: float, beta_2: float) -> str:
    if eps == 0:
        return ""
    first = 1 / math.sqrt(1 - beta_2)
    within = math.ceil(math.log(1 - 1 / 1.01**2) / math.log(beta_2)) if beta_2 > 0 else 1
    return (
        "Keras adds epsilon to √v before the bias correction: at step t it acts as "
        f"PyTorch's eps of epsilon / √(1 − beta_2ᵗ), {first:.3g} times epsilon at step 1 and "
        f"within 1% of it from step {within} on. It changes a step only where √v̂ is "
        f"not much larger than that: gradients near {first * eps:.2g} and below."
    )


def _join(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def equivalent(optimizer: Any, **torch_args: Any) -> Equivalent:
    r"""Keras's settings that reproduce a PyTorch optimizer, and whether exactly.

    Parameters
    ----------
    optimizer : str, optimizer class or optimizer
        ``"SGD"``, ``"Adagrad"``, ``"RMSprop"``, ``"Adam"`` or ``"AdamW"``, the
        :mod:`optlib.optimizers` class of that name (PyTorch's rules), or one
        built already (its settings are read; then give no ``torch_args``).
    **torch_args
        PyTorch's arguments (``lr``, ``momentum``, ``alpha``, ``eps``, ...);
        those left out take PyTorch's defaults.

    Returns
    -------
    Equivalent
        With ``library="keras"``: the Keras class and every one of its
        arguments; ``exact`` says whether the steps are the same.

    Raises
    ------
    ValueError
        Where no Keras setting comes close: ``maximize=True``; SGD's
        ``dampening`` (Keras's velocity is always undamped); an L2
        ``weight_decay`` that passes through momentum or an adaptive
        denominator (Keras's ``weight_decay`` is decoupled); Adagrad's
        ``lr_decay`` (a Keras schedule, named in the message).

    Notes
    -----
    What is exact, for a constant learning rate (to rounding, checked in
    ``tests/test_keras.py``):

    * **SGD** with or without (Nesterov) momentum: ``learning_rate=lr``, the same
      ``momentum``. Without momentum, PyTorch's L2 ``weight_decay`` is Keras's
      decoupled one.
    * **AdamW**'s decay, and RMSprop's momentum.
    * Any :math:`\varepsilon` of 0.

    What is not: where :math:`\varepsilon` goes. For RMSprop and Adagrad the
    closest Keras setting is ``epsilon = eps**2``, whose step is between 1 and
    :math:`\sqrt 2` times PyTorch's, the largest ratio where the RMS gradient
    equals ``eps``. For Adam it is ``epsilon = eps``, exact in the limit of many
    steps; Keras's :math:`\varepsilon` acts as a larger one in the first
    thousands of steps. The ``note`` gives the figures for the settings asked.
    Keras's differing *defaults* are not differences: every argument is spelled out.

    Examples
    --------
    >>> from optlib import keras
    >>> settings = keras.equivalent("RMSprop", lr=0.01, alpha=0.99)
    >>> print(settings)
    keras.optimizers.RMSprop(learning_rate=0.01, rho=0.99, momentum=0.0, epsilon=1e-16,
                             centered=False, weight_decay=None)
    >>> settings.exact
    False
    >>> keras.equivalent("SGD", momentum=0.9, dampening=0.5)
    Traceback (most recent call last):
    ...
    ValueError: no Keras setting gives PyTorch's dampening: ...
    """
    name, s = _settings(optimizer, torch_args, _TORCH_CLASSES)
    if s.get("maximize"):
        _refuse("Keras optimizer has maximize=True: negate the loss (or the gradients) instead")
    weight_decay = s["weight_decay"]
    if name == "SGD":
        momentum = s["momentum"]
        if momentum != 0 and s["dampening"] != 0:
            _refuse(
                "Keras setting gives PyTorch's dampening: Keras's velocity sums the gradients "
                "undamped, PyTorch's weights all but the first by 1 − dampening"
            )
        if momentum != 0 and weight_decay != 0:
            _refuse(
                "Keras setting gives PyTorch's weight_decay with momentum: PyTorch's L2 term "
                "λθ enters the velocity and is carried on by it, Keras's decoupled decay does not"
            )
        arguments = {"learning_rate": s["lr"], "momentum": float(momentum),
                     "nesterov": s["nesterov"], "weight_decay": weight_decay or None}  # fmt: skip
        note = _SCHEDULE_NOTE if momentum != 0 else ""
        return Equivalent("keras", "SGD", arguments, True, note)
    if weight_decay != 0 and name != "AdamW":
        _refuse(
            f"Keras setting gives PyTorch's {name} weight_decay, an L2 penalty that passes "
            f"through the adaptive denominator: Keras's weight_decay is decoupled (in PyTorch, "
            "AdamW's is)"
        )
    if name == "Adagrad":
        if s["lr_decay"] != 0:
            _refuse(
                "Keras argument is lr_decay: pass learning_rate="
                f"keras.optimizers.schedules.InverseTimeDecay({s['lr']!r}, decay_steps=1, "
                f"decay_rate={s['lr_decay']!r}), which gives lr / (1 + (t − 1)·lr_decay)"
            )
        epsilon = _rounded(s["eps"] ** 2)
        arguments = {"learning_rate": s["lr"],
                     "initial_accumulator_value": s["initial_accumulator_value"],
                     "epsilon": epsilon, "weight_decay": None}  # fmt: skip
        note = _epsilon_inside_note(s["eps"], epsilon, "G")
        return Equivalent("keras", "Adagrad", arguments, s["eps"] == 0, note)
    if name == "RMSprop":
        epsilon = _rounded(s["eps"] ** 2)
        arguments = {"learning_rate": s["lr"], "rho": s["alpha"], "momentum": s["momentum"],
                     "epsilon": epsilon, "centered": s["centered"],
                     "weight_decay": None}  # fmt: skip
        note = _join(
            _epsilon_inside_note(s["eps"], epsilon, "s"),
            _SCHEDULE_NOTE.replace("velocity", "momentum buffer") if s["momentum"] else "",
        )
        return Equivalent("keras", "RMSprop", arguments, s["eps"] == 0, note)
    beta_1, beta_2 = s["betas"]
    arguments = {"learning_rate": s["lr"], "beta_1": beta_1, "beta_2": beta_2,
                 "epsilon": s["eps"], "amsgrad": s["amsgrad"],
                 "weight_decay": weight_decay if name == "AdamW" else None}  # fmt: skip
    note = _adam_epsilon_note(s["eps"], beta_2)
    return Equivalent("keras", name, arguments, s["eps"] == 0, note)


def torch_equivalent(optimizer: Any, **keras_args: Any) -> Equivalent:
    """PyTorch's settings that reproduce a Keras optimizer: the translation the other way.

    Parameters
    ----------
    optimizer : str, optimizer class or optimizer
        ``"SGD"``, ``"Adagrad"``, ``"RMSprop"``, ``"Adam"`` or ``"AdamW"``, the
        :mod:`optlib.keras` class of that name, or one built already.
    **keras_args
        Keras's arguments (``learning_rate``, ``rho``, ``epsilon``, ...); those
        left out take Keras's defaults.

    Returns
    -------
    Equivalent
        With ``library="torch"``: the ``torch.optim`` class (``optlib``'s of the
        same name) and every one of its arguments.

    Raises
    ------
    ValueError
        Where PyTorch has no counterpart: Keras's decoupled ``weight_decay`` on
        SGD with momentum, on RMSprop and on Adagrad (PyTorch's is an L2 penalty;
        on Adam it becomes PyTorch's ``AdamW``).

    Notes
    -----
    The same rules as :func:`equivalent`, read backwards: ``eps = √epsilon``
    for RMSprop and Adagrad (a step between :math:`1/\\sqrt 2` and 1 times
    Keras's), ``eps = epsilon`` for Adam.

    Examples
    --------
    >>> from optlib import keras
    >>> print(keras.torch_equivalent("Adam", weight_decay=0.004))
    torch.optim.AdamW(params, lr=0.001, betas=(0.9, 0.999), eps=1e-07, weight_decay=0.004,
                      amsgrad=False)
    >>> keras.torch_equivalent("Adagrad").arguments["initial_accumulator_value"]
    0.1
    """
    name, s = _settings(optimizer, keras_args, _KERAS_CLASSES)
    weight_decay = s["weight_decay"]
    if name == "SGD":
        momentum = s["momentum"]
        if momentum != 0 and weight_decay:
            _refuse(
                "PyTorch setting gives Keras's weight_decay with momentum: PyTorch's SGD "
                "weight_decay is an L2 term that the velocity carries on, Keras's is decoupled"
            )
        arguments = {"lr": s["learning_rate"], "momentum": momentum, "dampening": 0.0,
                     "weight_decay": weight_decay or 0.0,
                     "nesterov": s["nesterov"] and momentum != 0}  # fmt: skip
        return Equivalent("torch", "SGD", arguments, True, _SCHEDULE_NOTE if momentum else "")
    if weight_decay and name in ("Adagrad", "RMSprop"):
        _refuse(
            f"PyTorch setting gives Keras's {name} weight_decay: it is decoupled, and "
            f"PyTorch's {name} weight_decay is an L2 penalty that the adaptive denominator divides"
        )
    if name in ("Adagrad", "RMSprop"):
        eps = _rounded(math.sqrt(s["epsilon"]))
        note = _epsilon_inside_note(eps, s["epsilon"], "G" if name == "Adagrad" else "s")
        if name == "Adagrad":
            arguments = {"lr": s["learning_rate"], "lr_decay": 0.0, "weight_decay": 0.0,
                         "initial_accumulator_value": s["initial_accumulator_value"],
                         "eps": eps}  # fmt: skip
        else:
            arguments = {"lr": s["learning_rate"], "alpha": s["rho"], "eps": eps,
                         "weight_decay": 0.0, "momentum": s["momentum"],
                         "centered": s["centered"]}  # fmt: skip
            if s["momentum"]:
                note = _join(note, _SCHEDULE_NOTE.replace("velocity", "momentum buffer"))
        return Equivalent("torch", name, arguments, s["epsilon"] == 0, note)
    torch_name = "AdamW" if weight_decay is not None else "Adam"
    arguments = {"lr": s["learning_rate"], "betas": (s["beta_1"], s["beta_2"]),
                 "eps": s["epsilon"], "weight_decay": weight_decay or 0.0,
                 "amsgrad": s["amsgrad"]}  # fmt: skip
    note = _adam_epsilon_note(s["epsilon"], s["beta_2"])
    return Equivalent("torch", torch_name, arguments, s["epsilon"] == 0, note)
