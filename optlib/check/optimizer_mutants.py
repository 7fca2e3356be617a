"""Known-wrong variants of the optimizers' update rules, each under the key of its mistake.

The interface is one function, :func:`optimizer_mutants`: for a rule's name
and its hyper-parameters it returns ``(key, step, fields)`` triples in the
order they are tried, where

``step(theta, grad, state, hp, record) -> new_theta``
    performs one step of the mistake: ``hp`` holds every hyper-parameter (the
    defaults filled in, ``lr`` that of the step), ``state`` is the variant's
    own dict, empty at the first step, and ``record`` is optlib's
    :class:`~optlib.check.optimizer_cases.Step` at the same place;
``fields``
    fills in the mistake's hint (``{name}``, ``{value}``, ...).

The check runs every variant along optlib's steps, teacher-forced like the
reader's function, and a variant that the reader's steps match names the
mistake. No variant re-implements a rule: each is derived from optlib's own
rule (:mod:`optlib.optimizers`), as one of

* the rule with other hyper-parameters (``eps=1e-7``, Keras's default);
* the rule started from another state (a velocity that starts at zero);
* the rule's own code run with one of its pieces replaced by a wrong one
  (:func:`_with_pieces`: ε inside the square root, a bias correction counted
  from the wrong step, a moving average missing its ``1 − β``);
* the reference step scaled (uphill, the learning rate twice or forgotten).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from types import FunctionType
from typing import Any

import numpy as np

from optlib.check.compare import equal
from optlib.check.optimizer_cases import OPTIMIZERS, Step
from optlib.optimizers import (
    adagrad_step,
    adam_step,
    adamax_step,
    adamw_step,
    rmsprop_step,
    root_plus_eps,
    sgd_step,
)
from optlib.optimizers.adagrad import initial_state as adagrad_initial_state

_RULES: dict[str, Callable[..., None]] = {
    "sgd": sgd_step,
    "adagrad": adagrad_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
    "adamw": adamw_step,
    "adamax": adamax_step,
}
# The value that switches a hyper-parameter's term off, for "ignored" mistakes.
_OFF: dict[str, Any] = {
    "momentum": 0.0,
    "dampening": 0.0,
    "weight_decay": 0.0,
    "lr_decay": 0.0,
    "initial_accumulator_value": 0.0,
    "nesterov": False,
    "centered": False,
    "amsgrad": False,
    "maximize": False,
}

State = dict[str, Any]
Hyper = dict[str, Any]
# (theta, grad, the variant's own state, hyper-parameters, the reference step) -> new theta
StepFn = Callable[[np.ndarray, np.ndarray, State, Hyper, Step], np.ndarray]


# --- wrong pieces: each is one known mistake ------------------------------------------


def _eps_inside_sqrt(average: np.ndarray, eps: Any, correction: Any = 1.0) -> np.ndarray:
    return np.sqrt(average / correction + eps)  # √(ŝ + ε)


def _eps_missing(average: np.ndarray, eps: Any, correction: Any = 1.0) -> np.ndarray:
    return np.sqrt(average) / correction**0.5  # √ŝ


def _no_sqrt(average: np.ndarray, eps: Any, correction: Any = 1.0) -> np.ndarray:
    return average / correction + eps  # ŝ + ε


def _eps_before_correction(average: np.ndarray, eps: Any, correction: Any = 1.0) -> np.ndarray:
    return (np.sqrt(average) + eps) / correction**0.5  # TensorFlow's ε̂ = ε √(1 − β₂ᵗ)


def _no_bias_correction(decay: Any, step: int) -> Any:
    return np.float64(1.0)


def _bias_correction_at(offset: int) -> Callable[[Any, int], Any]:
    """1 − βᵗ counted from the wrong step (t − 1 or t + 1); a float64, so 1/0 is inf."""
    return lambda decay, step: np.float64(1.0) - np.float64(decay) ** (step + offset)


def _ema_squares_without_one_minus(
    average: np.ndarray, value: np.ndarray, decay: Any
) -> np.ndarray:
    average *= decay
    average += value * value  # s ← γs + g², the (1 − γ) forgotten
    return average


def _with_pieces(rule: Callable[..., None], **pieces: Any) -> Callable[..., None]:
    """``rule``'s own code, run with some of the pieces it calls replaced.

    A rule that calls another rule of its module (``adamw_step`` calls
    ``adam_step``) calls it with the same pieces replaced.
    """
    namespace = {**rule.__globals__, **pieces}
    for name in rule.__code__.co_names:
        called = namespace.get(name)
        if isinstance(called, FunctionType) and called.__name__ in _RULE_NAMES:
            namespace[name] = FunctionType(called.__code__, namespace, called.__name__)
    return FunctionType(rule.__code__, namespace, rule.__name__)


_RULE_NAMES = frozenset(rule.__name__ for rule in _RULES.values())


# --- variants as step functions -------------------------------------------------------


def _run(
    rule: Callable[..., None],
    start: Callable[[np.ndarray, Hyper], State] | None = None,
    **overrides: Any,
) -> StepFn:
    """The rule with some hyper-parameters changed, from ``start``'s state if given."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: Any):
        param = theta.copy()
        if not state and start is not None:
            state.update(start(param, hp))
        rule(param, grad, state, **{**hp, **overrides})
        return param

    return step


def _zero_velocity(param: np.ndarray, hp: Hyper) -> State:
    return {"momentum_buffer": np.zeros_like(param)}  # torch starts it at g₁


def _adagrad_one_step_ahead(param: np.ndarray, hp: Hyper) -> State:
    state = adagrad_initial_state(param, hp["initial_accumulator_value"])
    state["step"] = 1  # so the decay reads α/(1 + tη) instead of α/(1 + (t − 1)η)
    return state


def _sutskever(rule: Callable[..., None]) -> StepFn:
    """v ← μv − αg, θ ← θ + v: the rule with the learning rate inside the velocity.

    The same as the rule fed αg with a rate of 1 (and α λ as the weight decay,
    so that λθ is scaled too); it differs from the rule once α changes.
    """

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: Any):
        param = theta.copy()
        lr = hp["lr"]
        rule(param, grad * lr, state, **{**hp, "lr": 1.0, "weight_decay": hp["weight_decay"] * lr})
        return param

    return step


def _rmsprop_lr_in_velocity(theta, grad, state, hp, record):
    """v ← ρv + α g/d, θ ← θ − v: RMSprop's rule with α moved into the velocity."""
    lr = hp["lr"]
    param = theta.copy()
    divided_by_lr = _with_pieces(
        rmsprop_step,
        root_plus_eps=lambda average, eps, correction=1.0: (
            root_plus_eps(average, eps, correction) / lr
        ),
    )
    divided_by_lr(param, grad, state, **{**hp, "lr": 1.0})
    return param


def _decay_without_lr(theta, grad, state, hp, record):
    """θ ← θ(1 − λ), then Adam's step: AdamW's decay with the rate α forgotten."""
    param = theta * (1 - hp["weight_decay"])
    adam_step(param, grad, state, **{**hp, "weight_decay": 0.0})
    return param


def _with_scaled_gradient(rule: Callable[..., None]) -> StepFn:
    """optlib's own rule fed the gradient times the learning rate."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: Any):
        param = theta.copy()
        rule(param, grad * record.lr, state, **hp)
        return param

    return step


def _scaled_step(factor: Callable[[Any], float]) -> StepFn:
    """The reference step scaled: θ + c·(θ_ref − θ)."""
    return lambda theta, grad, state, hp, record: (
        record.before + factor(record) * (record.after - record.before)
    )


def optimizer_mutants(
    name: str, hp: dict[str, Any], given: dict[str, Any]
) -> list[tuple[str, StepFn, dict]]:
    """Known-wrong variants of the rule ``name`` at hyper-parameters ``hp``, in order.

    ``given`` holds the hyper-parameters the reader named (the others are
    defaults). Each variant is (key in the mistakes table, step function,
    fields for the hint).
    """
    rule = _RULES[name]
    mutants: list[tuple[str, StepFn, dict]] = []

    def add(key: str, step: StepFn, **fields: Any) -> None:
        mutants.append((key, step, fields))

    def add_denominators(rule: Callable[..., None]) -> None:
        add("eps_inside_sqrt", _run(_with_pieces(rule, root_plus_eps=_eps_inside_sqrt)))
        add("eps_missing", _run(_with_pieces(rule, root_plus_eps=_eps_missing)))
        add("no_sqrt", _run(_with_pieces(rule, root_plus_eps=_no_sqrt)))

    if name == "sgd":
        if hp["momentum"] and not hp["nesterov"] and not hp["dampening"]:
            add("momentum_sutskever", _sutskever(rule))
            add("momentum_ema", _run(rule, start=_zero_velocity, dampening=hp["momentum"]))
            add("momentum_ema", _run(rule, dampening=hp["momentum"]))
        if hp["momentum"] and hp["dampening"]:
            add("momentum_dampened_first_step", _run(rule, start=_zero_velocity))
        if hp["nesterov"]:
            add("nesterov_missing", _run(rule, nesterov=False))
    elif name == "adagrad":
        add_denominators(rule)
        if hp["initial_accumulator_value"] != 0.1:
            add("adagrad_keras_initial", _run(rule, initial_accumulator_value=0.1))
        if hp["lr_decay"]:
            add("adagrad_lr_decay_step", _run(rule, start=_adagrad_one_step_ahead))
    elif name == "rmsprop":
        add_denominators(rule)
        if hp["alpha"] != 0.9:
            add("rmsprop_keras_rho", _run(rule, alpha=0.9))
        add(
            "rmsprop_missing_one_minus",
            _run(_with_pieces(rule, ema_update_squares=_ema_squares_without_one_minus)),
        )
        if hp["momentum"]:
            add("rmsprop_lr_in_buffer", _rmsprop_lr_in_velocity)
    elif name == "adamax":
        add(
            "adamax_no_bias_correction",
            _run(_with_pieces(rule, bias_correction=_no_bias_correction)),
        )
    else:  # adam, adamw
        add_denominators(rule)
        add(
            "adam_no_bias_correction",
            _run(_with_pieces(rule, bias_correction=_no_bias_correction)),
        )
        add("adam_step_count", _run(_with_pieces(rule, bias_correction=_bias_correction_at(-1))))
        add("adam_step_count", _run(_with_pieces(rule, bias_correction=_bias_correction_at(+1))))
        add("adam_epsilon_hat", _run(_with_pieces(rule, root_plus_eps=_eps_before_correction)))
        beta1, beta2 = hp["betas"]
        if beta1 != beta2:
            add("adam_betas_swapped", _run(rule, betas=(beta2, beta1)))
        if hp["weight_decay"]:
            if name == "adam":
                add("adam_decoupled", _run(adamw_step))
            else:
                add("adamw_l2", _run(adam_step))
                add("adamw_decay_without_lr", _decay_without_lr)
    if name != "sgd" and "eps" not in given and hp["eps"] != 1e-7:
        add("keras_epsilon", _run(rule, eps=1e-7), value=hp["eps"])
    defaults = {
        key: parameter.default
        for key, parameter in inspect.signature(OPTIMIZERS[name]).parameters.items()
    }
    for hyper, value in hp.items():
        off = _OFF.get(hyper, defaults.get(hyper))  # eps, alpha, betas: their defaults
        if hyper in ("lr", "nesterov") or off is None or equal(value, off):
            continue
        add("ignored_hyperparameter", _run(rule, **{hyper: off}), name=hyper, off=off, value=value)
    add("uphill", _scaled_step(lambda record: -1.0))
    add("uphill", _run(rule, maximize=not hp["maximize"]))
    add("lr_twice", _scaled_step(lambda record: record.lr))
    add("lr_twice", _with_scaled_gradient(rule))  # e.g. b ← μb + αg, θ ← θ − αb
    add("lr_forgotten", _scaled_step(lambda record: 1 / record.lr if record.lr else math.nan))
    add("lr_forgotten", _run(rule, lr=1.0))
    return mutants
