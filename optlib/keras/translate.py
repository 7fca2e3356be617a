"""The convention translator: PyTorch's settings in Keras's terms, and back."""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib import optimizers as torch_style
from optlib._validation import short_repr
from optlib.keras.base import Optimizer
from optlib.keras.rules import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = ["Equivalent", "equivalent", "torch_equivalent"]


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
