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
mistake. Some variants are optlib's own rule with a hyper-parameter changed
(:func:`_with_rule`); the others re-implement the rule with the mistake in it
(``_sgd_variant``, ``_adagrad_variant``, ``_rmsprop_variant``,
``_adam_variant``). Nothing else in optlib.check depends on how they are
written.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from optlib.check.compare import equal
from optlib.check.optimizer_cases import OPTIMIZERS, Step
from optlib.optimizers import adagrad_step, adam_step, adamw_step, rmsprop_step, sgd_step

_RULES: dict[str, Callable[..., None]] = {
    "sgd": sgd_step,
    "adagrad": adagrad_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
    "adamw": adamw_step,
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

State = dict[str, Any]  # a variant's own state, empty at the first step
Hyper = dict[str, Any]  # every hyper-parameter, defaults filled in
# step(theta, grad, state, hp, record) -> new theta; record is optlib's step there.
StepFn = Callable[[np.ndarray, np.ndarray, State, Hyper, Step], np.ndarray]


def optimizer_mutants(
    name: str, hp: dict[str, Any], given: dict[str, Any]
) -> list[tuple[str, StepFn, dict]]:
    """Known-wrong variants of the rule ``name`` at hyper-parameters ``hp``, in order.

    ``given`` holds the hyper-parameters the reader named (the others are
    defaults). Each variant is (key, step function, fields for the hint).
    """
    rule = _RULES[name]
    mutants: list[tuple[str, StepFn, dict]] = []

    def add(key: str, step: StepFn, **fields: Any) -> None:
        mutants.append((key, step, fields))

    if name == "sgd":
        if hp["momentum"] and not hp["nesterov"] and not hp["dampening"]:
            add("momentum_sutskever", _variant(_sgd_variant, form="sutskever"))
            add("momentum_ema", _variant(_sgd_variant, form="ema"))
            add("momentum_ema", _with_rule(rule, dampening=hp["momentum"]))
        if hp["momentum"] and hp["dampening"]:
            add("momentum_dampened_first_step", _variant(_sgd_variant, form="damp_first"))
        if hp["nesterov"]:
            add("nesterov_missing", _with_rule(rule, nesterov=False))
    elif name == "adagrad":
        add("eps_inside_sqrt", _variant(_adagrad_variant, denominator="inside"))
        add("eps_missing", _variant(_adagrad_variant, denominator="missing"))
        add("no_sqrt", _variant(_adagrad_variant, denominator="no_sqrt"))
        if hp["initial_accumulator_value"] != 0.1:
            add("adagrad_keras_initial", _with_rule(rule, initial_accumulator_value=0.1))
        if hp["lr_decay"]:
            add("adagrad_lr_decay_step", _variant(_adagrad_variant, offset=0))
    elif name == "rmsprop":
        add("eps_inside_sqrt", _variant(_rmsprop_variant, denominator="inside"))
        add("eps_missing", _variant(_rmsprop_variant, denominator="missing"))
        add("no_sqrt", _variant(_rmsprop_variant, denominator="no_sqrt"))
        if hp["alpha"] != 0.9:
            add("rmsprop_keras_rho", _with_rule(rule, alpha=0.9))
        add("rmsprop_missing_one_minus", _variant(_rmsprop_variant, one_minus=False))
        if hp["momentum"]:
            add("rmsprop_lr_in_buffer", _variant(_rmsprop_variant, lr_in_buffer=True))
    else:  # adam, adamw
        decay = "l2" if name == "adam" else "decoupled"
        add("eps_inside_sqrt", _variant(_adam_variant, decay=decay, denominator="inside"))
        add("eps_missing", _variant(_adam_variant, decay=decay, denominator="missing"))
        add("no_sqrt", _variant(_adam_variant, decay=decay, denominator="no_sqrt"))
        add("adam_no_bias_correction", _variant(_adam_variant, decay=decay, correction="none"))
        add("adam_step_count", _variant(_adam_variant, decay=decay, correction="t-1"))
        add("adam_step_count", _variant(_adam_variant, decay=decay, correction="t+1"))
        add("adam_epsilon_hat", _variant(_adam_variant, decay=decay, correction="tensorflow"))
        beta1, beta2 = hp["betas"]
        if beta1 != beta2:
            add("adam_betas_swapped", _with_rule(rule, betas=(beta2, beta1)))
        if hp["weight_decay"]:
            if name == "adam":
                add("adam_decoupled", _variant(_adam_variant, decay="decoupled"))
            else:
                add("adamw_l2", _variant(_adam_variant, decay="l2"))
                add(
                    "adamw_decay_without_lr", _variant(_adam_variant, decay="decoupled_without_lr")
                )
    if name != "sgd" and "eps" not in given and hp["eps"] != 1e-7:
        add("keras_epsilon", _with_rule(rule, eps=1e-7), value=hp["eps"])
    defaults = {
        key: parameter.default
        for key, parameter in inspect.signature(OPTIMIZERS[name]).parameters.items()
    }
    for hyper, value in hp.items():
        off = _OFF.get(hyper, defaults.get(hyper))  # eps, alpha, betas: their defaults
        if hyper in ("lr", "nesterov") or off is None or equal(value, off):
            continue
        add(
            "ignored_hyperparameter",
            _with_rule(rule, **{hyper: off}),
            name=hyper,
            off=off,
            value=value,
        )
    add("uphill", _scaled_step(lambda record: -1.0))
    add("uphill", _with_rule(rule, maximize=not hp["maximize"]))
    add("lr_twice", _scaled_step(lambda record: record.lr))
    add("lr_twice", _with_scaled_gradient(rule))  # e.g. b ← μb + αg, θ ← θ − αb
    add("lr_forgotten", _scaled_step(lambda record: 1 / record.lr if record.lr else math.nan))
    add("lr_forgotten", _with_rule(rule, lr=1.0))
    return mutants


def _direction(theta: np.ndarray, grad: np.ndarray, hp: Hyper, l2: bool = True) -> np.ndarray:
    """g ← ±∇f (+ λθ): the gradient the rule follows."""
    g = -grad if hp["maximize"] else grad.astype(theta.dtype, copy=True)
    if l2 and hp.get("weight_decay", 0):
        g = g + hp["weight_decay"] * theta
    return g


def _denominator(average: np.ndarray, eps: float, form: str) -> np.ndarray:
    if form == "inside":  # √(v + ε)
        return np.sqrt(average + eps)
    if form == "missing":  # √v
        return np.sqrt(average)
    if form == "no_sqrt":  # v + ε
        return average + eps
    return np.sqrt(average) + eps  # √v + ε


def _sgd_variant(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, *, form: str
) -> np.ndarray:
    lr, mu, tau = hp["lr"], hp["momentum"], hp["dampening"]
    g = _direction(theta, grad, hp)
    if form == "sutskever":  # v ← μv − αg, θ ← θ + v
        velocity = state["velocity"] = mu * state.get("velocity", 0.0) - lr * g
        return theta + velocity
    if form == "ema":  # b ← μb + (1 − μ)g, from b = 0
        buffer = state["buffer"] = mu * state.get("buffer", 0.0) + (1 - mu) * g
    else:  # "damp_first": b ← μb + (1 − τ)g, from b = 0, so b₁ = (1 − τ)g₁
        buffer = state["buffer"] = mu * state.get("buffer", 0.0) + (1 - tau) * g
    direction = g + mu * buffer if hp["nesterov"] else buffer
    return theta - lr * direction


def _adagrad_variant(
    theta: np.ndarray,
    grad: np.ndarray,
    state: State,
    hp: Hyper,
    *,
    denominator: str = "outside",
    offset: int = 1,
) -> np.ndarray:
    t = state["t"] = state.get("t", 0) + 1
    g = _direction(theta, grad, hp)
    sum_sq_grads = state.get("sum")
    if sum_sq_grads is None:
        sum_sq_grads = np.full_like(theta, hp["initial_accumulator_value"])
    sum_sq_grads = state["sum"] = sum_sq_grads + g * g
    decayed_lr = hp["lr"] / (1 + (t - offset) * hp["lr_decay"])
    return theta - decayed_lr * g / _denominator(sum_sq_grads, hp["eps"], denominator)


def _rmsprop_variant(
    theta: np.ndarray,
    grad: np.ndarray,
    state: State,
    hp: Hyper,
    *,
    denominator: str = "outside",
    one_minus: bool = True,
    lr_in_buffer: bool = False,
) -> np.ndarray:
    lr, alpha, mu = hp["lr"], hp["alpha"], hp["momentum"]
    g = _direction(theta, grad, hp)
    weight = 1 - alpha if one_minus else 1.0
    square_avg = state["square_avg"] = alpha * state.get("square_avg", 0.0) + weight * g * g
    average = square_avg
    if hp["centered"]:
        grad_avg = state["grad_avg"] = alpha * state.get("grad_avg", 0.0) + (1 - alpha) * g
        average = square_avg - grad_avg * grad_avg
    denom = _denominator(average, hp["eps"], denominator)
    if mu:
        if lr_in_buffer:  # b ← μb + α g/d, θ ← θ − b
            buffer = state["buffer"] = mu * state.get("buffer", 0.0) + lr * g / denom
            return theta - buffer
        buffer = state["buffer"] = mu * state.get("buffer", 0.0) + g / denom
        return theta - lr * buffer
    return theta - lr * g / denom


def _adam_variant(
    theta: np.ndarray,
    grad: np.ndarray,
    state: State,
    hp: Hyper,
    *,
    decay: str,
    denominator: str = "outside",
    correction: str = "torch",
) -> np.ndarray:
    lr, (beta1, beta2), eps, wd = hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]
    if decay == "decoupled":  # θ ← θ(1 − αλ)
        theta = theta * (1 - lr * wd)
    elif decay == "decoupled_without_lr":  # θ ← θ(1 − λ)
        theta = theta * (1 - wd)
    g = _direction(theta, grad, hp, l2=decay == "l2")
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    if hp["amsgrad"]:
        v = state["v_max"] = np.maximum(state.get("v_max", 0.0), v)
    if correction == "tensorflow":  # α_t = α √(1 − β₂ᵗ)/(1 − β₁ᵗ), ε not corrected
        step_size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return theta - step_size * m / (np.sqrt(v) + eps)
    if correction == "none":
        m_hat, v_hat = m, v
    else:
        t_used = {"torch": t, "t+1": t + 1, "t-1": t - 1}[correction]
        m_hat, v_hat = m / (1 - beta1**t_used), v / (1 - beta2**t_used)
    return theta - lr * m_hat / _denominator(v_hat, eps, denominator)


def _with_rule(rule: Callable[..., None], **overrides: Any) -> StepFn:
    """optlib's own rule with some hyper-parameters changed."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: Step):
        param = theta.copy()
        rule(param, grad, state, **{**hp, **overrides})
        return param

    return step


def _with_scaled_gradient(rule: Callable[..., None]) -> StepFn:
    """optlib's own rule fed the gradient times the learning rate."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: Step):
        param = theta.copy()
        rule(param, grad * record.lr, state, **hp)
        return param

    return step


def _variant(function: Callable[..., np.ndarray], **options: Any) -> StepFn:
    return lambda theta, grad, state, hp, record: function(theta, grad, state, hp, **options)


def _scaled_step(factor: Callable[[Step], float]) -> StepFn:
    """The reference step scaled: θ + c·(θ_ref − θ)."""
    return lambda theta, grad, state, hp, record: (
        record.before + factor(record) * (record.after - record.before)
    )
