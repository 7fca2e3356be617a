"""Keras 3's update rules, one class each: SGD, RMSprop, Adagrad, Adam, AdamW."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from optlib._validation import check_bool
from optlib.keras.base import Hyperparameter, Optimizer, checked_weight_decay, in_range
from optlib.optimizers.pieces import is_on

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "RMSprop"]


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
            return in_range(name, value, 0.0, 1.0)
        if name == "nesterov":
            return check_bool(name, value)
        if name == "weight_decay":
            return checked_weight_decay(value)
        return in_range(name, value, 0.0)

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
        if not is_on(momentum):
            # θ ← θ − α g
            variable -= gradient * learning_rate
            return
        v = state.setdefault("momentum", np.zeros_like(variable))
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
            return in_range(name, value, 0.0, 1.0, high_open=True)
        if name == "momentum":
            return in_range(name, value, 0.0, 1.0)
        if name == "centered":
            return check_bool(name, value)
        if name == "weight_decay":
            return checked_weight_decay(value)
        return in_range(name, value, 0.0)  # learning_rate, epsilon

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
        velocity = state.setdefault("velocity", np.zeros_like(variable))
        # s ← ρ s + (1 − ρ) g²
        velocity[...] = rho * velocity + (1 - rho) * np.square(gradient)
        if self.centered:
            average_grad = state.setdefault("average_gradient", np.zeros_like(variable))
            # ḡ ← ρ ḡ + (1 − ρ) g
            average_grad[...] = rho * average_grad + (1 - rho) * gradient
            denominator = velocity - np.square(average_grad) + epsilon
        else:
            denominator = velocity + epsilon
        # Δ ← α g / √(s + ε̂)   (or √(s − ḡ² + ε̂), centered)
        increment = (self.learning_rate * gradient) / np.sqrt(denominator)
        if is_on(self.momentum):
            m = state.setdefault("momentum", np.zeros_like(variable))
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
            return checked_weight_decay(value)
        return in_range(name, value, 0.0)

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
            state["accumulator"] = np.zeros_like(variable)
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
            return in_range(name, value, 0.0, 1.0, high_open=True)
        if name == "amsgrad":
            return check_bool(name, value)
        if name == "weight_decay":
            return checked_weight_decay(value)
        return in_range(name, value, 0.0)  # learning_rate, epsilon

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
        m = state.setdefault("momentum", np.zeros_like(variable))
        v = state.setdefault("velocity", np.zeros_like(variable))
        # α_t ← α √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        alpha = self.learning_rate * (1 - beta_2_power) ** 0.5 / (1 - beta_1_power)
        # m ← m + (g − m)(1 − β₁)
        m += (gradient - m) * (1 - self.beta_1)
        # v ← v + (g² − v)(1 − β₂)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        if self.amsgrad:
            v_hat = state.setdefault("velocity_hat", np.zeros_like(variable))
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
