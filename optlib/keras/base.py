"""What the Keras rules share: argument checks, Keras's names, the :class:`Optimizer` base."""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from optlib._validation import as_float_array, check_params, describe, hyperparameter

__all__ = ["Optimizer", "check_variables", "checked_weight_decay", "in_range", "with_keras_names"]

Hyperparameter = float | np.ndarray


def check_variables(variables: Any) -> tuple[np.ndarray, ...]:
    """The arrays an optimizer updates in place, checked as optlib's optimizers check theirs."""
    return tuple(check_params(variables, what="variables"))


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------


def in_range(
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


def checked_weight_decay(value: Any) -> Hyperparameter | None:
    return None if value is None else in_range("weight_decay", value, 0.0)


def with_keras_names(init: Callable[..., None]) -> Callable[..., None]:
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
    >>> from optlib.keras import SGD
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
            cls.__init__ = with_keras_names(cls.__init__)  # type: ignore[method-assign]

    def __init__(self, variables: np.ndarray | Sequence[np.ndarray], **hyperparameters: Any):
        object.__setattr__(self, "variables", check_variables(variables))
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
        >>> from optlib.keras import SGD
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
