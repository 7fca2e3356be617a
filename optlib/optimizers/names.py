"""Other libraries' names, answered with what to write instead.

A reader who comes from Keras writes ``Adam(params, learning_rate=0.01)``, one
from torch writes ``opt.param_groups`` or ``fused=True``. Each gets a
``TypeError`` or ``AttributeError`` that says what optlib calls the thing, not
a bare "unexpected keyword".
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["TORCH_ONLY", "attribute_hint", "with_keyword_hints"]

TORCH_ONLY = ("foreach", "fused", "capturable", "differentiable")
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


def with_keyword_hints(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap a constructor so that an unknown keyword says what to write instead."""
    signature = inspect.signature(init)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
        return init  # takes any keyword: nothing to check
    accepted = frozenset(signature.parameters) - {"self"}

    @functools.wraps(init)
    def checked_init(self: Any, *args: Any, **kwargs: Any) -> None:
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
    if key in TORCH_ONLY:
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


def attribute_hint(cls: type, name: str, value: Any) -> str:
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
