"""Tests for optlib.check, the checks readers run on their own code.

The "reader" functions here are written the way a student would write them,
straight from the formulas, without calling optlib: the correct ones must pass
every check, and each classic mistake must fail with the hint written for it.
One more reader drives torch.optim itself (when torch is installed), so the
optimizer check is also tested against an implementation that is not ours.
pytest turns warnings into errors, so a warning escaping a check fails its test.
"""

from __future__ import annotations

import _thread
import re
import sys
import threading
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

import optlib.check
from optlib import Beale, DoubleWell, Himmelblau, Quadratic, Rosenbrock, check
from optlib.check import MISTAKES, CheckResult

# ---------------------------------------------------------------------------
# Correct readers: losses and their gradients
# ---------------------------------------------------------------------------


def reduce(losses, reduction):
    if reduction == "mean":
        return np.mean(losses)
    if reduction == "sum":
        return np.sum(losses)
    return losses


def scale(y_pred, reduction, per_example=False):
    """What the gradient of the mean divides by: elements, or examples (rows)."""
    if reduction != "mean":
        return 1.0
    return 1.0 / (len(y_pred) if per_example else y_pred.size)


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def correct_loss(name, from_logits, reduction, delta=1.0):
    """A reader's loss, from the formula: fn(y_pred, y_true)."""

    def mse(p, y):
        return reduce((p - y) ** 2, reduction)

    def mae(p, y):
        return reduce(np.abs(p - y), reduction)

    def huber(p, y):
        r = np.abs(p - y)
        return reduce(np.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta)), reduction)

    def bce(p, y):
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)

    def bce_logits(z, y):  # −log σ(z) = log(1 + e^(−z)), −log(1 − σ(z)) = log(1 + e^z)
        return reduce(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z), reduction)

    def cce(p, y):
        return reduce(-np.sum(y * np.log(np.clip(p, 1e-7, 1)), axis=1), reduction)

    def cce_logits(z, y):
        return reduce(-np.sum(y * log_softmax(z), axis=1), reduction)

    def sparse_cce(p, k):
        return reduce(-np.log(np.clip(p[np.arange(len(k)), k], 1e-7, 1)), reduction)

    def sparse_cce_logits(z, k):
        return reduce(-log_softmax(z)[np.arange(len(k)), k], reduction)

    return locals()[name + "_logits" * from_logits]


def correct_grad(name, from_logits, reduction, delta=1.0):
    """A reader's gradient of the reduced loss, from the formula: fn(y_pred, y_true)."""

    def mse(p, y):
        return 2 * (p - y) * scale(p, reduction)

    def mae(p, y):
        return np.sign(p - y) * scale(p, reduction)

    def huber(p, y):
        r = p - y
        return np.where(np.abs(r) < delta, r, delta * np.sign(r)) * scale(p, reduction)

    def bce(p, y):
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return (-y / p + (1 - y) / (1 - p)) * scale(p, reduction)

    def bce_logits(z, y):
        return (sigmoid(z) - y) * scale(z, reduction)

    def cce(p, y):
        return -y / np.clip(p, 1e-7, 1) * scale(p, reduction, per_example=True)

    def cce_logits(z, y):
        return (np.exp(log_softmax(z)) - y) * scale(z, reduction, per_example=True)

    def sparse_cce(p, k):
        grad = np.zeros_like(p)
        rows = np.arange(len(k))
        grad[rows, k] = -1 / np.clip(p[rows, k], 1e-7, 1)
        return grad * scale(p, reduction, per_example=True)

    def sparse_cce_logits(z, k):
        grad = np.exp(log_softmax(z))
        grad[np.arange(len(k)), k] -= 1
        return grad * scale(z, reduction, per_example=True)

    return locals()[name + "_logits" * from_logits]


LOSS_SETTINGS = [
    (name, from_logits, reduction)
    for name in ("mse", "mae", "huber", "bce", "cce", "sparse_cce")
    for from_logits in ((False, True) if name in ("bce", "cce", "sparse_cce") else (False,))
    for reduction in ("mean", "sum", "none")
]


@pytest.mark.parametrize(("name", "from_logits", "reduction"), LOSS_SETTINGS)
def test_correct_loss_passes(name, from_logits, reduction):
    fn = correct_loss(name, from_logits, reduction)
    result = check.loss(fn, name, from_logits=from_logits, reduction=reduction)
    assert result.passed, str(result)
    assert result.hint is None and result.mistake is None
    assert len(result.cases) >= 5
    assert str(result).startswith(f"✔ {len(result.cases)} of {len(result.cases)} cases pass")


@pytest.mark.parametrize(("name", "from_logits", "reduction"), LOSS_SETTINGS)
def test_correct_loss_gradient_passes(name, from_logits, reduction):
    fn = correct_grad(name, from_logits, reduction)
    result = check.loss_grad(fn, name, from_logits=from_logits, reduction=reduction)
    assert result.passed, str(result)
    assert result.hint is None


@pytest.mark.parametrize("delta", [0.5, 2.0])
def test_correct_huber_with_another_delta_passes(delta):
    assert check.loss(correct_loss("huber", False, "mean", delta), "huber", delta=delta)
    assert check.loss_grad(
        correct_grad("huber", False, "sum", delta), "huber", delta=delta, reduction="sum"
    )


def test_other_sensible_clipping_passes():
    """PyTorch's floor is not the only right answer at probabilities of 0 and 1."""

    def bce_tiny_eps(p, y):  # log(p + ε) instead of a clip
        return np.mean(-(y * np.log(p + 1e-15) + (1 - y) * np.log(1 - p + 1e-15)))

    def bce_torch_floor(p, y):
        with np.errstate(divide="ignore"):
            log_p, log_1mp = np.maximum(np.log(p), -100), np.maximum(np.log(1 - p), -100)
        return np.mean(-(y * log_p + (1 - y) * log_1mp))

    assert check.loss(bce_tiny_eps, "bce")
    assert check.loss(bce_torch_floor, "bce")


def test_loss_cases_cover_shapes_dtypes_and_edges():
    names = [case.name for case in check.loss(correct_loss("bce", False, "mean"), "bce").cases]
    assert any("float32" in name for name in names)
    assert any("exactly 0 and 1" in name for name in names)
    logit_names = [
        case.name
        for case in check.loss(correct_loss("bce", True, "mean"), "bce", from_logits=True).cases
    ]
    assert any("±1e4" in name for name in logit_names)
    inputs = [
        case.input["y_pred"]
        for case in check.loss(correct_loss("cce", False, "mean"), "cce").cases
    ]
    assert {x.dtype for x in inputs} == {np.dtype(np.float64), np.dtype(np.float32)}
    assert len({x.shape for x in inputs}) >= 3


# ---------------------------------------------------------------------------
# Correct readers: optimizer steps, from torch.optim's documented algorithms
# ---------------------------------------------------------------------------


def my_sgd(
    theta,
    grad,
    state,
    lr=1e-3,
    momentum=0.0,
    dampening=0.0,
    weight_decay=0.0,
    nesterov=False,
    maximize=False,
):
    g = -grad if maximize else grad
    if weight_decay:
        g = g + weight_decay * theta
    if momentum:
        if "b" not in state:
            state["b"] = g.copy()
        else:
            state["b"] = momentum * state["b"] + (1 - dampening) * g
        g = g + momentum * state["b"] if nesterov else state["b"]
    return theta - lr * g


def my_sgd_in_place(theta, grad, state, **hyperparameters):
    """The same rule, updating theta in place and returning it."""
    theta[...] = my_sgd(theta, grad, state, **hyperparameters)
    return theta


def my_adagrad(
    theta,
    grad,
    state,
    lr=1e-2,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
):
    g = -grad if maximize else grad
    if weight_decay:
        g = g + weight_decay * theta
    t = state["t"] = state.get("t", 0) + 1
    s = state["s"] = state.get("s", initial_accumulator_value) + g * g
    return theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)


def my_rmsprop(
    theta,
    grad,
    state,
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    maximize=False,
):
    g = -grad if maximize else grad
    if weight_decay:
        g = g + weight_decay * theta
    v = state["v"] = alpha * state.get("v", 0.0) + (1 - alpha) * g**2
    if centered:
        g_avg = state["g_avg"] = alpha * state.get("g_avg", 0.0) + (1 - alpha) * g
        v = v - g_avg**2
    step = g / (np.sqrt(v) + eps)
    if momentum:
        step = state["b"] = momentum * state.get("b", 0.0) + step
    return theta - lr * step


def my_adam(
    theta,
    grad,
    state,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    beta1, beta2 = betas
    g = -grad if maximize else grad
    if decoupled:
        theta = theta * (1 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * theta
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    if amsgrad:
        v = state["v_max"] = np.maximum(state.get("v_max", 0.0), v)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def my_adamw(
    theta,
    grad,
    state,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=1e-2,
    amsgrad=False,
    maximize=False,
):
    return my_adam(theta, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize, True)


OPTIMIZER_SETTINGS = [
    ("sgd", my_sgd, {"lr": 0.01}),
    ("sgd", my_sgd, {"lr": 0.01, "momentum": 0.9}),
    ("sgd", my_sgd, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("sgd", my_sgd, {"lr": 0.005, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    ("sgd", my_sgd, {"lr": 0.002, "weight_decay": 0.1, "maximize": True}),
    ("sgd", my_sgd_in_place, {"lr": 0.01, "momentum": 0.5}),
    ("sgd", my_sgd, {}),
    ("adagrad", my_adagrad, {"lr": 0.1}),
    (
        "adagrad",
        my_adagrad,
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.5},
    ),
    ("adagrad", my_adagrad, {"lr": 0.5, "eps": 1e-6}),
    ("rmsprop", my_rmsprop, {"lr": 0.01}),
    ("rmsprop", my_rmsprop, {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop", my_rmsprop, {"lr": 0.01, "centered": True, "weight_decay": 0.01}),
    (
        "rmsprop",
        my_rmsprop,
        {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True},
    ),
    ("adam", my_adam, {"lr": 0.1}),
    ("adam", my_adam, {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("adam", my_adam, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("adam", my_adam, {"lr": 0.01, "eps": 1e-6}),
    ("adamw", my_adamw, {"lr": 0.1}),
    ("adamw", my_adamw, {"lr": 0.01, "weight_decay": 0.1}),
    (
        "adamw",
        my_adamw,
        {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05, "betas": (0.85, 0.995)},
    ),
]


@pytest.mark.parametrize(("name", "fn", "hyperparameters"), OPTIMIZER_SETTINGS)
def test_correct_optimizer_step_passes(name, fn, hyperparameters):
    result = check.optimizer_step(fn, name, **hyperparameters)
    assert result.passed, str(result)
    assert result.hint is None
    assert len(result.cases) == 6


def test_optimizer_step_accepts_the_class_and_any_case():
    assert check.optimizer_step(my_adam, optlib.Adam, lr=0.1)
    assert check.optimizer_step(my_adam, "Adam", lr=0.1)


def test_state_persists_within_a_trajectory_and_starts_empty():
    seen = []

    def spy(theta, grad, state, lr):
        seen.append(dict(state))
        state["calls"] = state.get("calls", 0) + 1
        return theta - lr * grad

    assert check.optimizer_step(spy, "sgd", lr=0.01)
    starts = [s for s in seen if not s]
    assert len(starts) == 6  # one fresh, empty state per trajectory
    assert max(s.get("calls", 0) for s in seen) == 24  # 25 steps on the longest


def test_lr_is_passed_even_when_not_given():
    received = []

    def spy(theta, grad, state, lr):
        received.append(lr)
        return theta - lr * grad

    assert check.optimizer_step(spy, "sgd")
    assert received[0] == 1e-3  # torch's default


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "hyperparameters"),
    [
        ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
        ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
        ("Adam", {"lr": 0.05, "amsgrad": True}),
        ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ],
)
def test_torch_optim_itself_passes(name, hyperparameters):
    torch = pytest.importorskip("torch")

    def torch_step(theta, grad, state, lr, **others):
        if "opt" not in state:
            state["param"] = torch.tensor(theta.copy(), requires_grad=True)
            state["opt"] = getattr(torch.optim, name)([state["param"]], lr=lr, **others)
        param, opt = state["param"], state["opt"]
        with torch.no_grad():
            param.copy_(torch.from_numpy(theta.copy()))
        param.grad = torch.from_numpy(grad.copy())
        opt.param_groups[0]["lr"] = lr
        opt.step()
        return param.detach().numpy().copy()

    # torch's first optimizer step imports a lot (seconds on a busy machine): do it here,
    # and give the check ample time, since this test is about agreement, not speed.
    warm_up = torch.zeros(1, requires_grad=True)
    warm_up.grad = torch.ones(1)
    getattr(torch.optim, name)([warm_up], lr=0.1).step()
    result = check.optimizer_step(torch_step, name, time_budget=120, **hyperparameters)
    assert result.passed, str(result)


# ---------------------------------------------------------------------------
# Correct readers: gradients of surfaces
# ---------------------------------------------------------------------------


def rosenbrock_grad(x):
    u, v = x
    return np.array([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)])


def beale_grad(x):
    u, v = x
    t1, t2, t3 = 1.5 - u + u * v, 2.25 - u + u * v**2, 2.625 - u + u * v**3
    return np.array(
        [
            2 * (t1 * (v - 1) + t2 * (v**2 - 1) + t3 * (v**3 - 1)),
            2 * u * (t1 + 2 * v * t2 + 3 * v**2 * t3),
        ]
    )


def himmelblau_grad(x):
    u, v = x
    a, b = u**2 + v - 11, u + v**2 - 7
    return np.array([4 * u * a + 2 * b, 2 * a + 4 * v * b])


@pytest.mark.parametrize(
    ("fn", "surface"),
    [
        (rosenbrock_grad, Rosenbrock()),
        (beale_grad, Beale()),
        (himmelblau_grad, Himmelblau()),
        (lambda x: np.array([1.0, 10.0]) * x, Quadratic()),
        (lambda x: 4 * x**3 - 4 * x + 0.3, DoubleWell()),
        (lambda x: float(4 * x[0] ** 3 - 4 * x[0] + 0.3), DoubleWell()),  # a number in 1-D
    ],
)
def test_correct_surface_gradient_passes(fn, surface):
    result = check.gradient(fn, surface)
    assert result.passed, str(result)
    assert any("minimum" in case.name for case in result.cases)
    assert any("float32" in case.name for case in result.cases)


def test_gradient_of_any_function_against_finite_differences():
    def f(x):
        return np.sum(np.sin(x) * x**2)

    def grad(x):
        return np.cos(x) * x**2 + 2 * x * np.sin(x)

    points = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]]
    assert check.gradient(grad, f, points=points)
    wrong = check.gradient(lambda x: np.cos(x) * x**2, f, points=points)
    assert not wrong.passed


# ---------------------------------------------------------------------------
# Classic mistakes, written as a reader would, each caught with its hint
# ---------------------------------------------------------------------------


def clipped(p, low=1e-7):
    return np.clip(p, low, 1 - low)


def sum_over_classes_then_mean(values):
    return np.mean(np.sum(values, axis=1))


LOSS_MISTAKES = {
    # key: (check, loss name, options, the reader's function)
    "negated": (
        "loss",
        "bce",
        {},
        lambda p, y: np.mean(y * np.log(clipped(p)) + (1 - y) * np.log(1 - clipped(p))),
    ),
    "sum_not_mean": ("loss", "mse", {}, lambda p, y: np.sum((p - y) ** 2)),
    "mean_not_sum": (
        "loss",
        "cce",
        {"reduction": "sum"},
        lambda p, y: sum_over_classes_then_mean(-y * np.log(np.clip(p, 1e-7, 1))),
    ),
    "mean_over_classes": (
        "loss",
        "cce",
        {},
        lambda p, y: np.mean(-y * np.log(np.clip(p, 1e-7, 1))),
    ),
    "log_base": (
        "loss",
        "bce",
        {},
        lambda p, y: np.mean(-(y * np.log10(clipped(p)) + (1 - y) * np.log10(1 - clipped(p)))),
    ),
    "forgot_activation": (
        "loss",
        "bce",
        {"from_logits": True},
        lambda z, y: np.mean(-(y * np.log(z) + (1 - y) * np.log(1 - z))),
    ),
    "extra_activation": (
        "loss",
        "bce",
        {},
        lambda p, y: np.mean(y * np.logaddexp(0, -p) + (1 - y) * np.logaddexp(0, p)),
    ),
    "rmse": ("loss", "mse", {}, lambda p, y: np.sqrt(np.mean((p - y) ** 2))),
    "half_mse": ("loss", "mse", {}, lambda p, y: 0.5 * np.mean((p - y) ** 2)),
    "not_squared": ("loss", "mse", {}, lambda p, y: np.mean(p - y)),
    "not_absolute": ("loss", "mae", {}, lambda p, y: np.mean(p - y)),
    "mae_squared": ("loss", "mae", {}, lambda p, y: np.mean((p - y) ** 2)),
    "huber_no_half": (
        "loss",
        "huber",
        {},
        lambda p, y: np.mean(np.where(np.abs(p - y) < 1, (p - y) ** 2, np.abs(p - y) - 0.5)),
    ),
    "huber_no_offset": (
        "loss",
        "huber",
        {},
        lambda p, y: np.mean(np.where(np.abs(p - y) < 1, 0.5 * (p - y) ** 2, np.abs(p - y))),
    ),
    "clipped_too_much": (
        "loss",
        "bce",
        {},
        lambda p, y: np.mean(
            -(y * np.log(clipped(p, 1e-2)) + (1 - y) * np.log(1 - clipped(p, 1e-2)))
        ),
    ),
    "unstable_probabilities": (
        "loss",
        "cce",
        {},
        lambda p, y: sum_over_classes_then_mean(-y * np.log(p)),
    ),
    "unstable_bce_logits": (
        "loss",
        "bce",
        {"from_logits": True},
        lambda z, y: np.mean(
            -(
                y * np.log(clipped(1 / (1 + np.exp(-z))))
                + (1 - y) * np.log(1 - clipped(1 / (1 + np.exp(-z))))
            )
        ),
    ),
    "unstable_cce_logits": (
        "loss",
        "cce",
        {"from_logits": True},
        lambda z, y: sum_over_classes_then_mean(
            -y * np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
        ),
    ),
    "scalar_expected": ("loss", "mse", {}, lambda p, y: (p - y) ** 2),
    "per_element_expected": (
        "loss",
        "mae",
        {"reduction": "none"},
        lambda p, y: np.mean(abs(p - y)),
    ),
    "per_example_expected": (
        "loss",
        "cce",
        {"reduction": "none"},
        lambda p, y: -y * np.log(np.clip(p, 1e-7, 1)),
    ),
    "returned_none": ("loss", "mse", {}, lambda p, y: None),
    "signature": ("loss", "mse", {}, lambda p: np.mean(p)),
    "constant_factor": ("loss", "mae", {}, lambda p, y: 3 * np.mean(np.abs(p - y))),
    # An exercise stub that was never filled in.
    "all_zero": ("loss_grad", "mse", {}, lambda p, y: np.zeros_like(p)),
    "unstable": (
        "loss",
        "mse",
        {},
        lambda p, y: np.mean((p - y) ** 2) * np.exp(800.0) / np.exp(800.0),
    ),
    # gradients of losses
    "grad_negated": ("loss_grad", "mse", {}, lambda p, y: 2 * (y - p) / p.size),
    "grad_not_divided": ("loss_grad", "mse", {}, lambda p, y: 2 * (p - y)),
    "grad_divided": (
        "loss_grad",
        "mae",
        {"reduction": "sum"},
        lambda p, y: np.sign(p - y) / p.size,
    ),
    "grad_divided_by_nC": (
        "loss_grad",
        "sparse_cce",
        {"from_logits": True},
        lambda z, k: (np.exp(log_softmax(z)) - np.eye(z.shape[1])[k]) / z.size,
    ),
    "mse_missing_2": ("loss_grad", "mse", {}, lambda p, y: (p - y) / p.size),
    "mae_sign_at_zero": (
        "loss_grad",
        "mae",
        {},
        lambda p, y: np.where(p >= y, 1.0, -1.0) / p.size,
    ),
    "grad_forgot_activation": (
        "loss_grad",
        "bce",
        {"from_logits": True},
        lambda z, y: (z - y) / z.size,
    ),
    "grad_wrt_probabilities": (
        "loss_grad",
        "bce",
        {"from_logits": True},
        lambda z, y: correct_grad("bce", False, "mean")(sigmoid(z), y),
    ),
    "grad_shape": ("loss_grad", "mse", {}, lambda p, y: np.mean(2 * (p - y))),
}

LOSS_GRAD_EXTRA = [
    # further mistakes on gradients that share a key with a value mistake
    ("extra_activation", "bce", {}, lambda p, y: (sigmoid(p) - y) / p.size),
    ("log_base", "cce", {}, lambda p, y: -y / np.clip(p, 1e-7, 1) / len(p) / np.log(10)),
    (
        "huber_no_half",
        "huber",
        {},
        lambda p, y: np.where(np.abs(p - y) < 1, 2 * (p - y), np.sign(p - y)) / p.size,
    ),
    ("unstable_probabilities", "bce", {}, lambda p, y: (-y / p + (1 - y) / (1 - p)) / p.size),
    ("forgot_activation", "cce", {"from_logits": True}, lambda z, y: -y / z / len(z)),
]


def assert_caught(result: CheckResult, key: str) -> None:
    assert not result.passed, str(result)
    assert result.mistake == key, f"expected {key!r}:\n{result}"
    hint = MISTAKES[key].hint.split("{")[0]  # the fixed opening of a templated hint
    assert hint in result.hint
    assert hint in str(result) and "Hint:" in str(result)


@pytest.mark.parametrize("key", LOSS_MISTAKES)
def test_loss_mistake_is_caught(key):
    which, name, options, fn = LOSS_MISTAKES[key]
    assert_caught(getattr(check, which)(fn, name, **options), key)


@pytest.mark.parametrize(("key", "name", "options", "fn"), LOSS_GRAD_EXTRA)
def test_loss_gradient_mistake_is_caught(key, name, options, fn):
    if key == "forgot_activation":  # a value mistake, on CCE this time
        result = check.loss(
            lambda z, y: sum_over_classes_then_mean(-y * np.log(z)), name, **options
        )
    else:
        result = check.loss_grad(fn, name, **options)
    assert_caught(result, key)


def test_mean_over_all_entries_with_sum_reduction_is_mean_not_sum():
    def fn(p, y):  # clipped sensibly, but averaged over all n·C entries
        return np.mean(-y * np.log(np.clip(p, 1e-7, 1)))

    assert_caught(check.loss(fn, "cce", reduction="sum"), "mean_not_sum")


def test_unstable_hint_is_added_to_a_matched_mistake():
    """Summing instead of averaging, and a sigmoid that overflows: both are said."""

    def fn(z, y):
        p = 1 / (1 + np.exp(-z))
        return np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    result = check.loss(fn, "bce", from_logits=True)
    assert result.mistake == "sum_not_mean"
    assert MISTAKES["unstable_bce_logits"].hint in result.hint


SURFACE_MISTAKES = {
    "surface_negated": lambda x: -rosenbrock_grad(x),
    "surface_half": lambda x: rosenbrock_grad(x) / 2,
    "surface_double": lambda x: 2 * rosenbrock_grad(x),
    "surface_swapped": lambda x: rosenbrock_grad(x)[::-1],
    "surface_shape": lambda x: rosenbrock_grad(x)[None, :],
}


@pytest.mark.parametrize("key", SURFACE_MISTAKES)
def test_surface_gradient_mistake_is_caught(key):
    assert_caught(check.gradient(SURFACE_MISTAKES[key], Rosenbrock()), key)


def test_surface_gradient_says_which_component_is_wrong():
    def half_right(x):
        u, v = x
        return np.array([-2 * (1 - u) - 400 * u * (v - u**2), 100 * (v - u**2)])

    result = check.gradient(half_right, Rosenbrock())
    assert not result.passed
    messages = [case.message for case in result.failures]
    assert any("∂f/∂y is off; ∂f/∂x is right" in message for message in messages)


# --- optimizers ------------------------------------------------------------------


def sgd_sutskever(theta, grad, state, lr, momentum):
    v = state["v"] = momentum * state.get("v", 0.0) - lr * grad
    return theta + v


def sgd_ema(theta, grad, state, lr, momentum):
    b = state["b"] = momentum * state.get("b", 0.0) + (1 - momentum) * grad
    return theta - lr * b


def sgd_damped_from_the_start(theta, grad, state, lr, momentum, dampening):
    b = state["b"] = momentum * state.get("b", 0.0) + (1 - dampening) * grad
    return theta - lr * b


def sgd_plain_momentum(theta, grad, state, lr, momentum, nesterov):
    b = state["b"] = momentum * state.get("b", 0.0) + grad
    return theta - lr * b


def adagrad_with(eps_inside=False, start=0.0, decay_from_t=False):
    def step(theta, grad, state, lr, lr_decay=0.0, eps=1e-10):
        t = state["t"] = state.get("t", 0) + 1
        s = state["s"] = state.get("s", start) + grad**2
        rate = lr / (1 + (t if decay_from_t else t - 1) * lr_decay)
        return theta - rate * grad / (np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps)

    return step


def rmsprop_with(
    eps_inside=False, alpha_default=0.99, one_minus=True, sqrt=True, lr_in_buffer=False
):
    def step(theta, grad, state, lr, alpha=alpha_default, eps=1e-8, momentum=0.0):
        weight = 1 - alpha if one_minus else 1.0
        v = state["v"] = alpha * state.get("v", 0.0) + weight * grad**2
        if eps_inside:
            denom = np.sqrt(v + eps)
        else:
            denom = (np.sqrt(v) if sqrt else v) + eps
        if momentum and lr_in_buffer:
            b = state["b"] = momentum * state.get("b", 0.0) + lr * grad / denom
            return theta - b
        if momentum:
            b = state["b"] = momentum * state.get("b", 0.0) + grad / denom
            return theta - lr * b
        return theta - lr * grad / denom

    return step


def adam_with(eps="outside", correction="torch", decay="l2", swap=False):
    """Adam (or AdamW with decay="decoupled") with one mistake switched on."""

    def step(
        theta,
        grad,
        state,
        lr,
        betas=(0.9, 0.999),
        eps_value=None,
        weight_decay=0.0,
        amsgrad=False,
        **others,
    ):
        beta1, beta2 = betas[::-1] if swap else betas
        epsilon = others.get("eps", 1e-8)
        g = grad
        if decay == "l2" and weight_decay:
            g = grad + weight_decay * theta
        if decay == "decoupled":
            theta = theta * (1 - lr * weight_decay)
        if decay == "decoupled_no_lr":
            theta = theta * (1 - weight_decay)
        t = state.get("t", 0) + (0 if correction == "t from 0" else 1)
        m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        v = state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
        if amsgrad:
            pass  # forgotten
        state["t"] = t + 1 if correction == "t from 0" else t
        if correction == "tensorflow":
            rate = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
            return theta - rate * m / (np.sqrt(v) + epsilon)
        if correction == "none":
            m_hat, v_hat = m, v
        elif correction == "t + 1":
            m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
        else:
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        denominator = {
            "outside": np.sqrt(v_hat) + epsilon,
            "inside": np.sqrt(v_hat + epsilon),
            "missing": np.sqrt(v_hat),
            "no sqrt": v_hat + epsilon,
        }[eps]
        return theta - lr * m_hat / denominator

    return step


def adamw_with(**options):
    inner = adam_with(**options)

    def step(theta, grad, state, lr, weight_decay=1e-2, **others):
        return inner(theta, grad, state, lr, weight_decay=weight_decay, **others)

    return step


def uphill(theta, grad, state, lr):
    return theta + lr * grad


def lr_twice(theta, grad, state, lr, momentum):
    b = state["b"] = momentum * state.get("b", 0.0) + lr * grad
    return theta - lr * b


def lr_forgotten(theta, grad, state, lr):
    return theta - grad


def ignores_weight_decay(theta, grad, state, lr, weight_decay):
    return theta - lr * grad


def returns_nothing(theta, grad, state, lr):
    theta -= lr * grad


def returns_column(theta, grad, state, lr):
    return (theta - lr * grad)[:, None]


def wrong_signature(theta, grad, lr):
    return theta - lr * grad


def divides_by_zero(theta, grad, state, lr):
    return theta - lr * grad * np.float64(1.0) / np.float64(0.0) * 0


OPTIMIZER_MISTAKES = {
    "uphill": ("sgd", uphill, {"lr": 0.01}),
    "no_step": ("sgd", lambda theta, grad, state, lr: theta, {"lr": 0.01}),
    "lr_twice": ("sgd", lr_twice, {"lr": 0.01, "momentum": 0.9}),
    "lr_forgotten": ("sgd", lr_forgotten, {"lr": 0.01}),
    "momentum_sutskever": ("sgd", sgd_sutskever, {"lr": 0.01, "momentum": 0.9}),
    "momentum_ema": ("sgd", sgd_ema, {"lr": 0.01, "momentum": 0.9}),
    "momentum_dampened_first_step": (
        "sgd",
        sgd_damped_from_the_start,
        {"lr": 0.01, "momentum": 0.9, "dampening": 0.5},
    ),
    "nesterov_missing": (
        "sgd",
        sgd_plain_momentum,
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
    ),
    "eps_inside_sqrt": ("adagrad", adagrad_with(eps_inside=True), {"lr": 0.1}),
    "adagrad_keras_initial": ("adagrad", adagrad_with(start=0.1), {"lr": 0.1}),
    "adagrad_lr_decay_step": (
        "adagrad",
        adagrad_with(decay_from_t=True),
        {"lr": 0.1, "lr_decay": 0.05},
    ),
    "rmsprop_keras_rho": ("rmsprop", rmsprop_with(alpha_default=0.9), {"lr": 0.01}),
    "rmsprop_missing_one_minus": ("rmsprop", rmsprop_with(one_minus=False), {"lr": 0.01}),
    "no_sqrt": ("rmsprop", rmsprop_with(sqrt=False), {"lr": 0.01}),
    "rmsprop_lr_in_buffer": (
        "rmsprop",
        rmsprop_with(lr_in_buffer=True),
        {"lr": 0.01, "momentum": 0.9},
    ),
    "eps_missing": ("adam", adam_with(eps="missing"), {"lr": 0.1}),
    "adam_no_bias_correction": ("adam", adam_with(correction="none"), {"lr": 0.1}),
    "adam_step_count": ("adam", adam_with(correction="t from 0"), {"lr": 0.1}),
    "adam_epsilon_hat": ("adam", adam_with(correction="tensorflow"), {"lr": 0.1}),
    "adam_betas_swapped": ("adam", adam_with(swap=True), {"lr": 0.1}),
    "adam_decoupled": ("adam", adam_with(decay="decoupled"), {"lr": 0.1, "weight_decay": 0.1}),
    "adamw_l2": ("adamw", adamw_with(decay="l2"), {"lr": 0.1, "weight_decay": 0.1}),
    "adamw_decay_without_lr": (
        "adamw",
        adamw_with(decay="decoupled_no_lr"),
        {"lr": 0.1, "weight_decay": 0.1},
    ),
    "ignored_hyperparameter": (
        "sgd",
        ignores_weight_decay,
        {"lr": 0.01, "weight_decay": 0.5},
    ),
    "step_returned_none": ("sgd", returns_nothing, {"lr": 0.01}),
    "theta_shape": ("sgd", returns_column, {"lr": 0.01}),
    "unstable_update": ("sgd", divides_by_zero, {"lr": 0.01}),
}

OPTIMIZER_MISTAKES_MORE = [
    ("eps_inside_sqrt", "rmsprop", rmsprop_with(eps_inside=True), {"lr": 0.01}),
    ("eps_inside_sqrt", "adam", adam_with(eps="inside"), {"lr": 0.1}),
    ("eps_inside_sqrt", "adamw", adamw_with(eps="inside", decay="decoupled"), {"lr": 0.1}),
    ("no_sqrt", "adam", adam_with(eps="no sqrt"), {"lr": 0.1}),
    ("adam_step_count", "adam", adam_with(correction="t + 1"), {"lr": 0.1}),
    (
        "adam_no_bias_correction",
        "adamw",
        adamw_with(correction="none", decay="decoupled"),
        {"lr": 0.05, "weight_decay": 0.1},
    ),
    ("ignored_hyperparameter", "adam", adam_with(), {"lr": 0.1, "amsgrad": True}),
    ("ignored_hyperparameter", "adamw", adamw_with(decay="none"), {"lr": 0.1}),
    ("signature", "sgd", wrong_signature, {"lr": 0.01}),
    (
        "keras_epsilon",
        "adam",
        lambda theta, grad, state, lr: my_adam(theta, grad, state, lr, eps=1e-7),
        {"lr": 0.1},
    ),
    (
        "uphill",
        "adam",
        lambda theta, grad, state, lr: 2 * theta - my_adam(theta, grad, state, lr),
        {"lr": 0.1},
    ),
]


@pytest.mark.parametrize("key", OPTIMIZER_MISTAKES)
def test_optimizer_mistake_is_caught(key):
    name, fn, hyperparameters = OPTIMIZER_MISTAKES[key]
    assert_caught(check.optimizer_step(fn, name, **hyperparameters), key)


@pytest.mark.parametrize(("key", "name", "fn", "hyperparameters"), OPTIMIZER_MISTAKES_MORE)
def test_more_optimizer_mistakes_are_caught(key, name, fn, hyperparameters):
    assert_caught(check.optimizer_step(fn, name, **hyperparameters), key)


def test_ignored_hyperparameter_hint_names_it():
    result = check.optimizer_step(ignores_weight_decay, "sgd", lr=0.01, weight_decay=0.5)
    assert result.hint == (
        "Your steps match weight_decay=0.0: your function seems to ignore weight_decay=0.5."
    )
    result = check.optimizer_step(adamw_with(decay="none"), "adamw", lr=0.1)
    assert "ignore weight_decay=0.01" in result.hint  # AdamW's default decay


def test_first_diverging_step_is_reported():
    result = check.optimizer_step(sgd_sutskever, "sgd", lr=0.01, momentum=0.9)
    (failure,) = result.failures  # only the changing learning rate tells the conventions apart
    assert "lr shrinking" in failure.name
    assert failure.message.startswith("step 2 of 25 differs: step 1 matches")


def test_eps_placement_is_caught_on_tiny_gradients():
    result = check.optimizer_step(adam_with(eps="inside"), "adam", lr=0.1)
    assert [case.name for case in result.failures] == [
        "5-D bowl near its minimum (tiny gradients, one exactly 0)"
    ]
    assert result.failures[0].message.startswith("step 1 of 25 differs")


def test_adam_with_t_from_zero_reports_the_warning():
    result = check.optimizer_step(adam_with(correction="t from 0"), "adam", lr=0.1)
    message = result.failures[0].message
    assert "your function returned nan" in message
    assert "it warned: divide by zero encountered" in message
    assert "Also:" not in result.hint  # the step count explains the nan


def test_a_diverging_reference_is_compared_up_to_the_divergence():
    result = check.optimizer_step(my_sgd, "sgd", lr=0.1)
    assert result.passed
    rosenbrock = next(case for case in result.cases if "Rosenbrock" in case.name)
    assert 1 <= rosenbrock.input["steps"] < 25


def test_every_mistake_is_exercised_by_a_test():
    tested = (
        set(LOSS_MISTAKES)
        | {key for key, *_ in LOSS_GRAD_EXTRA}
        | set(SURFACE_MISTAKES)
        | set(OPTIMIZER_MISTAKES)
        | {key for key, *_ in OPTIMIZER_MISTAKES_MORE}
        | {"timeout", "base_exception"}  # the time budget and the escapes, further down
    )
    assert set(MISTAKES) == tested


# ---------------------------------------------------------------------------
# A reader's bug never escapes: no exception, no warning
# ---------------------------------------------------------------------------


def raises(*args, **kwargs):
    return {}["missing"]


def warns(*args, **kwargs):
    return np.log(np.zeros(1)) * 0  # a RuntimeWarning and a nan


def text_result(*args, **kwargs):
    return "0.5"


def yields(*args, **kwargs):
    yield 0.5


async def asynchronous(*args, **kwargs):
    return 0.5


class RefusesToBeAnArray:
    def __array__(self, dtype=None, copy=None):
        raise ValueError("no")


BROKEN = {
    "raises": (raises, "your function raised KeyError: 'missing' (line"),
    "returns None": (lambda *args, **kwargs: None, "your function returned None"),
    "returns text": (text_result, "your function returned a str"),
    "returns bytes": (lambda *args, **kwargs: b"0.5", "your function returned a bytes"),
    "returns a dict": (lambda *args, **kwargs: {"loss": 0.5}, "your function returned a dict"),
    "returns a set": (lambda *args, **kwargs: {0.5}, "your function returned a set"),
    "returns an object": (lambda *args, **kwargs: object(), "your function returned an object"),
    "returns a ragged list": (
        lambda *args, **kwargs: [[0.5], [0.5, 0.5]],
        "your function returned a list, not",
    ),
    "returns an int beyond float64": (
        lambda *args, **kwargs: 10**400,
        "your function returned an int, not",
    ),
    "returns complex numbers": (
        lambda *args, **kwargs: np.asarray(args[0]) * 1j,
        "your function returned complex numbers",
    ),
    "returns a masked array": (
        lambda *args, **kwargs: np.ma.masked_all(np.shape(args[0])),
        "your function returned a masked array with masked entries",
    ),
    "is a generator": (yields, "your function returned a generator (it uses `yield`"),
    "is async": (asynchronous, "your function returned a coroutine (it is an `async def`"),
    "__array__ raises": (
        lambda *args, **kwargs: RefusesToBeAnArray(),
        "your function returned a RefusesToBeAnArray, not",
    ),
    "warns": (warns, "it warned: divide by zero encountered in log"),
    "wrong shape": (lambda *args, **kwargs: np.zeros((2, 2, 2)), "your function returned shape"),
}


def run_every_check(fn):
    return [
        check.loss(fn, "bce"),
        check.loss(fn, "sparse_cce", from_logits=True, reduction="none"),
        check.loss_grad(fn, "cce"),
        check.gradient(fn, Beale()),
        check.optimizer_step(fn, "adam", lr=0.1),
    ]


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_reader_gives_failed_cases_not_exceptions(kind):
    fn, message = BROKEN[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as in pytest's configuration: any escape fails
        results = run_every_check(fn)
    for result in results:
        assert not result.passed
        assert not result
        assert all(not case.passed for case in result.cases)
        assert message in result.failures[0].message, (result.failures[0].message, str(result))
        str(result), result._repr_html_()


def test_a_type_error_inside_the_function_is_not_a_signature_problem():
    def squared(residuals, power):
        return residuals**power

    def typo(p, y):
        return np.mean(squared(p - y))  # a helper called without its second argument

    result = check.loss(typo, "mse")
    assert not result.passed
    assert result.mistake != "signature"
    assert "your function raised TypeError" in result.failures[0].message
    assert "(line" in result.failures[0].message  # the reader's own line is named


def test_a_warning_fails_a_case_even_when_the_value_is_right():
    def noisy_mse(p, y):
        np.exp(np.float64(1000.0))  # overflows, unused
        return np.mean((p - y) ** 2)

    result = check.loss(noisy_mse, "mse")
    assert not result.passed
    assert "it warned: overflow encountered in exp" in result.failures[0].message
    assert result.mistake == "unstable"


def test_global_numpy_and_warning_state_is_untouched():
    errors, filters = np.geterr(), list(warnings.filters)
    for fn, _ in BROKEN.values():
        run_every_check(fn)
    run_every_check(lambda *args, **kwargs: np.seterr(all="ignore") and None)  # a rude reader
    np.seterr(**errors)
    assert np.geterr() == errors
    assert warnings.filters == filters


def test_the_readers_inputs_are_copies():
    def vandal(p, y):
        p[...] = 0.5  # writes into its input
        return np.mean((p - y) ** 2)

    first = check.loss(vandal, "mse")
    assert next(case.input["y_pred"] for case in first.cases).min() != 0.5


# ---------------------------------------------------------------------------
# Bad arguments to the checks themselves raise
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check.loss(np.mean, "crossentropy"), 'the losses are "mse", "mae", "huber"'),
        (lambda: check.loss(np.mean, "mse", from_logits=True), "from_logits applies to"),
        (lambda: check.loss(np.mean, "bce", reduction="avg"), 'the reductions are "mean"'),
        (lambda: check.loss(np.mean, "bce", delta=2.0), 'delta applies to "huber" only'),
        (lambda: check.loss(0.3, "mse"), "takes your function itself"),
        (lambda: check.loss_grad(np.mean, "nll"), "unknown loss 'nll'"),
        (lambda: check.optimizer_step(my_sgd, "lbfgs"), '"sgd", "adagrad", "rmsprop", "adam"'),
        (lambda: check.optimizer_step(my_sgd, "sgd", mommentum=0.9), "'mommentum'; its hyper"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=-1.0), "Invalid learning rate"),
        (lambda: check.optimizer_step(my_sgd, "sgd", nesterov=True), "Nesterov momentum requires"),
        (lambda: check.gradient(np.sin, Rosenbrock), "pass a surface object"),
        (lambda: check.gradient(np.sin, np.sum), "needs points="),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[[1.0, 2.0, 3.0]]), "d=2"),
        (lambda: check.explain("everything"), "unknown topic"),
        # the reader's function: a class, or something that is not a function
        (lambda: check.loss(optlib.MeanSquaredError, "mse"), "fn is the class MeanSquaredError"),
        (lambda: check.loss_grad(None, "mse"), "got fn=NoneType"),
        (lambda: check.optimizer_step(optlib.SGD, "sgd"), "fn is the class SGD"),
        (lambda: check.optimizer_step(np.zeros(2), "sgd"), "got fn=ndarray"),
        (lambda: check.gradient(Rosenbrock, Rosenbrock()), "fn is the class Rosenbrock"),
        (lambda: check.gradient(rosenbrock_grad, 3.0), "f must be a surface or a function"),
        # names
        (lambda: check.loss(np.mean, None), "unknown loss None"),
        (lambda: check.loss(np.mean, 3), "unknown loss 3"),
        (lambda: check.loss(np.mean, "mse", reduction=None), "unknown reduction None"),
        (lambda: check.optimizer_step(my_sgd, None), "unknown optimizer None"),
        (lambda: check.optimizer_step(my_sgd, optlib.Quadratic), "unknown optimizer"),
        # options of the loss checks
        (lambda: check.loss(np.mean, "bce", from_logits=1), "from_logits must be True or False"),
        (lambda: check.loss(np.mean, "bce", from_logits="yes"), "from_logits must be True or"),
        (lambda: check.loss(np.mean, "huber", delta=0), "delta must be a positive number, got 0"),
        (lambda: check.loss(np.mean, "huber", delta=-1.0), "delta must be a positive number"),
        (lambda: check.loss(np.mean, "huber", delta=np.nan), "delta must be a positive number"),
        (lambda: check.loss(np.mean, "huber", delta=np.inf), "delta must be a positive number"),
        (lambda: check.loss(np.mean, "huber", delta="1"), "delta must be a positive number"),
        (lambda: check.loss(np.mean, "huber", delta=True), "delta must be a positive number"),
        (lambda: check.loss(np.mean, "huber", delta=1e308), "got delta=1e+308"),
        (lambda: check.loss_grad(np.mean, "huber", delta=1e-300), "got delta=1e-300"),
        (lambda: check.loss(np.mean, "mse", delta=np.array([1.0, 2.0])), "delta must be a"),
        # the time budget
        (lambda: check.loss(np.mean, "mse", time_budget=0), "time_budget must be a positive"),
        (lambda: check.loss(np.mean, "mse", time_budget=-1), "time_budget must be a positive"),
        (lambda: check.loss_grad(np.mean, "mse", time_budget=np.inf), "got inf"),
        (lambda: check.gradient(np.sin, Rosenbrock(), time_budget=np.nan), "got nan"),
        (lambda: check.optimizer_step(my_sgd, "sgd", time_budget="5"), "got '5'"),
        (lambda: check.optimizer_step(my_sgd, "sgd", time_budget=True), "got True"),
        (lambda: check.loss(np.mean, "mse", time_budget=None), "got None"),
        # hyper-parameters: not numbers, not finite, out of range, other libraries' names
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=np.nan), "lr"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=np.inf), "lr"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr="0.1"), "lr must be a number, got '0.1'"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=None), "lr must be a number, got None"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=True), "lr must be a number, got True"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=[0.1]), "lr must be a number, got [0.1]"),
        (lambda: check.optimizer_step(my_sgd, "sgd", lr=np.array([0.1, 0.2])), "got an array"),
        (lambda: check.optimizer_step(my_sgd, "sgd", momentum=-0.5), "momentum"),
        (lambda: check.optimizer_step(my_sgd, "sgd", momentum=0.9, nesterov=1), "nesterov"),
        (lambda: check.optimizer_step(my_adam, "adam", betas=(0.9, 1.0)), "beta"),
        (lambda: check.optimizer_step(my_adam, "adam", betas=(np.nan, 0.9)), "beta"),
        (lambda: check.optimizer_step(my_adam, "adam", betas="ab"), "betas"),
        (lambda: check.optimizer_step(my_adam, "adam", betas=(0.9, 0.9, 0.9)), "betas"),
        (lambda: check.optimizer_step(my_adam, "adam", betas=(0.9, "x")), "betas must be a num"),
        (lambda: check.optimizer_step(my_adam, "adam", eps=-1e-8), "eps"),
        (lambda: check.optimizer_step(my_sgd, "sgd", learning_rate=0.1), "(write lr)"),
        (lambda: check.optimizer_step(my_adam, "adam", beta_1=0.9), "(write betas=(beta_1"),
        (lambda: check.optimizer_step(my_adam, "adam", beta1=0.9), "(write betas=(beta1"),
        (lambda: check.optimizer_step(my_adam, "adam", epsilon=1e-7), "(write eps)"),
        (lambda: check.optimizer_step(my_rmsprop, "rmsprop", rho=0.9), "(write alpha)"),
        # points for check.gradient
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[[1 + 1j, 2.0]]), "real numbers"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points="ab"), "real numbers"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[[1.0, 2.0], [1.0]]), "(k, d)"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[[np.nan, 2.0]]), "finite"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[]), "shape (k, d)"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=np.zeros((2, 2, 2))), "(k, d)"),
        (lambda: check.gradient(np.sin, Rosenbrock(), points=[[None, 1.0]]), "real numbers"),
        (lambda: check.explain(3), "unknown topic 3"),
    ],
)
def test_bad_arguments_to_a_check_raise_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# ---------------------------------------------------------------------------
# What the reader sees
# ---------------------------------------------------------------------------


def test_text_verdict_shows_case_expected_and_got():
    result = check.loss(lambda p, y: np.sum((p - y) ** 2), "mse")
    text = str(result)
    assert repr(result) == text
    first = result.failures[0]
    assert text.startswith(f"✘ {len(result.failures)} of {len(result.cases)} cases fail")
    assert f"✘ {first.name}" in text
    assert f"expected: {first.expected:.6g}" in text
    assert f"got:      {first.got:.6g}" in text
    assert "off by a factor" in text


def test_text_verdict_is_short_and_abridges_arrays():
    result = check.loss(lambda p, y: (p - y) ** 2 + 1, "mse", reduction="none")
    text = str(result)
    assert "… and" in text  # only the first failing cases are shown
    assert len(text.splitlines()) <= 25
    assert max(len(line) for line in text.splitlines()) <= 260
    assert "shape (4, 3)" in text  # a 12-element array shown abridged, with its shape


def test_html_verdict_is_a_small_escaped_table():
    result = check.optimizer_step(uphill, "sgd", lr=0.01)
    page = result._repr_html_()
    assert page.count("<table>") == 1
    assert "<td>✘ quadratic ravine from (-2.5, 1.5)</td>" in page
    assert "expected" in page and "got" in page
    assert html_text(MISTAKES["uphill"].hint) in page
    passing = check.optimizer_step(my_sgd, "sgd", lr=0.01)._repr_html_()
    assert "✔ 6 of 6 cases pass" in passing and "<table>" not in passing
    lam = check.loss(lambda p, y: None, "mse")._repr_html_()
    assert "&lt;lambda&gt;" in lam and "<lambda>" not in lam


def html_text(text):
    import html

    return html.escape(text)


def test_case_results_carry_their_data():
    result = check.gradient(SURFACE_MISTAKES["surface_negated"], Rosenbrock())
    case = result.failures[0]
    np.testing.assert_allclose(case.got, -case.expected)
    assert set(case.input) == {"x"}
    assert "∂f/∂x" in case.message


def test_explain_lists_checks_and_hints():
    overview = check.explain()
    for signature in (
        "check.loss(",
        "check.loss_grad(",
        "check.optimizer_step(",
        "check.gradient(",
    ):
        assert signature in overview
    assert repr(overview) == str(overview)  # shows as text, not as a quoted string
    adam = " ".join(check.explain("adam").split())
    assert MISTAKES["adam_no_bias_correction"].hint in adam
    assert MISTAKES["uphill"].hint in adam  # the mistakes every optimizer is checked for
    assert MISTAKES["momentum_sutskever"].hint not in adam
    assert "Beale from (1, 1.5): 25 steps" in adam
    bce = " ".join(check.explain("bce").split())
    assert "huge logits (±1e4)" in bce and MISTAKES["log_base"].hint in bce
    assert MISTAKES["sum_not_mean"].hint in bce
    assert MISTAKES["mse_missing_2"].hint not in bce
    assert max(len(line) for line in check.explain().splitlines()) <= 88


# ---------------------------------------------------------------------------
# The reader's code can neither hang the check nor end it
# ---------------------------------------------------------------------------
#
# A small time budget keeps these tests fast. Nothing here sleeps or asserts on
# how long anything took: the verdicts are asserted, and the helper thread's end
# is awaited with a condition wait bounded by a deadline.

BUDGET = 0.5


def spin(*args, **kwargs):
    while True:
        pass


CHECKS = {
    "loss": lambda fn, **options: check.loss(fn, "mse", **options),
    "loss_grad": lambda fn, **options: check.loss_grad(fn, "bce", from_logits=True, **options),
    "gradient": lambda fn, **options: check.gradient(fn, Rosenbrock(), **options),
    "optimizer_step": lambda fn, **options: check.optimizer_step(fn, "adam", lr=0.1, **options),
}


def helper_threads():
    return [thread for thread in threading.enumerate() if thread.name.startswith("optlib.check")]


def threads_settle(baseline=None, deadline_seconds=10.0):
    """Wait until no helper thread is left and the thread count is back to ``baseline``.

    Returns whether that happened before the deadline. A helper thread ends
    just after its check returns, so a test takes its baseline after calling
    this without one (earlier tests' helpers gone).
    """

    def settled():
        count = threading.active_count()
        return not helper_threads() and (baseline is None or count <= baseline)

    deadline = time.monotonic() + deadline_seconds
    while not settled() and time.monotonic() < deadline:
        threading.Event().wait(0.01)  # a condition wait in small steps, not a fixed sleep
    return settled()


def settled_thread_count():
    assert threads_settle(), [thread.name for thread in threading.enumerate()]
    return threading.active_count()


@pytest.mark.parametrize("which", CHECKS)
def test_an_endless_loop_is_stopped_and_the_verdict_names_the_budget(which):
    result = CHECKS[which](spin, time_budget=BUDGET)
    assert_caught(result, "timeout")
    assert "time budget of 0.5 s" in result.hint
    assert result.note.startswith("Your function did not return within 0.5 s")
    assert "does it loop forever?" in result.note and result.note in str(result)
    assert all(not case.passed for case in result.cases)
    first, *rest = result.failures
    assert "your function did not return within 0.5 s; does it loop forever?" in first.message
    assert rest and all(
        "not run: the check's time budget of 0.5 s is used up" in case.message for case in rest
    )


def test_the_budget_covers_the_whole_check_and_earlier_cases_keep_their_verdict():
    def loops_on_float32(y_pred, y_true):
        if y_pred.dtype == np.float32:
            spin()
        return np.mean((y_pred - y_true) ** 2)

    # A budget with room for the three quick cases before the loop, even on a busy machine.
    result = check.loss(loops_on_float32, "mse", time_budget=1.5)
    assert [case.passed for case in result.cases] == [True, True, True, False, False]
    assert "float32" in result.cases[3].name
    assert "did not return within 1.5 s" in result.cases[3].message
    assert result.cases[4].message.startswith("not run:")
    assert result.mistake == "timeout"


def test_no_thread_is_left_running_after_a_runaway_check():
    baseline = settled_thread_count()
    assert check.loss(correct_loss("mse", False, "mean"), "mse")  # a normal check, first
    assert threads_settle(baseline)
    result = check.optimizer_step(spin, "sgd", lr=0.1, time_budget=BUDGET)
    assert result.mistake == "timeout"
    assert "could not be stopped" not in result.note  # a pure-Python loop is stopped
    assert threads_settle(baseline), [thread.name for thread in threading.enumerate()]


def test_a_check_called_from_another_thread_stops_a_loop_too():
    baseline = settled_thread_count()
    results = []
    caller = threading.Thread(
        target=lambda: results.append(check.gradient(spin, Rosenbrock(), time_budget=BUDGET))
    )
    caller.start()
    caller.join(timeout=60)  # a bound on a hang, not a timing assertion
    assert not caller.is_alive()
    assert_caught(results[0], "timeout")
    assert threads_settle(baseline)


def test_a_loop_that_catches_the_stop_still_gets_the_time_verdict():
    def swallows_the_stop(y_pred, y_true):
        try:
            spin()
        except BaseException:  # catches anything, the checker's stop included
            return 0.0

    baseline = settled_thread_count()
    result = check.loss(swallows_the_stop, "mse", time_budget=BUDGET)
    assert_caught(result, "timeout")
    assert threads_settle(baseline)


def test_a_loop_in_the_conversion_of_the_result_is_stopped_too():
    class EndlessArray:
        def __array__(self, dtype=None, copy=None):
            spin()

    result = check.loss(lambda y_pred, y_true: EndlessArray(), "mse", time_budget=BUDGET)
    assert_caught(result, "timeout")


def test_a_loop_in_the_readers_own_f_is_stopped_and_compares_nothing():
    result = check.gradient(lambda x: 2 * x, spin, points=[[1.0, 2.0]], time_budget=BUDGET)
    assert not result.passed
    assert result.verdict == "✘ nothing compared: the one case could not be compared"
    assert result.mistake == "timeout"
    (case,) = result.not_compared
    assert "f did not return within 0.5 s; does it loop forever?" in case.message


def test_printing_from_the_function_still_shows(capsys):
    def chatty(y_pred, y_true):
        print("inside the reader's function")
        return np.mean((y_pred - y_true) ** 2)

    assert check.loss(chatty, "mse")
    assert capsys.readouterr().out.count("inside the reader's function") == 5


class Abort(BaseException):
    """A reader's own BaseException subclass."""


def calls_sys_exit(*args, **kwargs):
    sys.exit()


def exits_with_3(*args, **kwargs):
    raise SystemExit(3)


def raises_generator_exit(*args, **kwargs):
    raise GeneratorExit


def aborts(*args, **kwargs):
    raise Abort("stop everything")


ESCAPES = {
    "sys.exit()": (calls_sys_exit, "SystemExit", "sys.exit() would end the program"),
    "SystemExit(3)": (exits_with_3, "SystemExit", "raised SystemExit: 3 (line"),
    "GeneratorExit": (raises_generator_exit, "GeneratorExit", "not an Exception"),
    "BaseException subclass": (aborts, "Abort", "raised Abort: stop everything (line"),
}


@pytest.mark.parametrize("which", CHECKS)
@pytest.mark.parametrize("kind", ESCAPES)
def test_a_base_exception_is_a_failing_verdict_not_the_end(kind, which):
    fn, name, message = ESCAPES[kind]
    result = CHECKS[which](fn)
    assert_caught(result, "base_exception")
    assert f"Your function raised {name}" in result.hint
    assert all(message in case.message for case in result.failures)


def test_sys_exit_in_the_readers_own_f_compares_nothing():
    result = check.gradient(lambda x: 2 * x, calls_sys_exit, points=[[1.0, 2.0]])
    assert not result.passed and result.mistake == "base_exception"
    assert "f raised SystemExit" in result.not_compared[0].message


def presses_stop(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("which", CHECKS)
def test_keyboard_interrupt_from_the_function_propagates(which):
    baseline = settled_thread_count()
    with pytest.raises(KeyboardInterrupt):
        CHECKS[which](presses_stop)
    assert threads_settle(baseline)


def test_pressing_stop_while_the_function_loops_stops_both():
    """Ctrl-C (here simulated) reaches the waiting checker, which stops the loop too."""

    def interrupts_then_loops(y_pred, y_true):
        _thread.interrupt_main()  # what the notebook's stop button does to the kernel
        spin()

    baseline = settled_thread_count()
    with pytest.raises(KeyboardInterrupt):
        check.loss(interrupts_then_loops, "mse")  # the default budget: the stop comes first
    assert threads_settle(baseline)


# --- the reader gets copies ------------------------------------------------------


def test_changing_the_inputs_in_place_changes_no_verdict():
    def vandal_adam(theta, grad, state, lr, betas):
        new_theta = my_adam(theta, grad, state, lr, betas=tuple(betas))
        theta[...], grad[...] = 1e9, -1e9
        betas[0] = 0.0  # the list of hyper-parameters it was given
        return new_theta

    betas = [0.9, 0.999]
    assert check.optimizer_step(vandal_adam, "adam", lr=0.1, betas=betas)
    assert betas == [0.9, 0.999]

    def vandal_grad(x):
        g = rosenbrock_grad(x.copy())
        x[...] = 0.0
        return g

    result = check.gradient(vandal_grad, Rosenbrock())
    assert result.passed
    assert all(np.any(case.input["x"] != 0) for case in result.cases)

    def vandal_loss_grad(y_pred, y_true):
        g = correct_grad("cce", False, "mean")(y_pred.copy(), y_true.copy())
        y_pred[...], y_true[...] = 0.0, 1.0
        return g

    assert check.loss_grad(vandal_loss_grad, "cce")


def test_changing_an_earlier_result_later_changes_no_verdict():
    def changes_its_old_result(theta, grad, state, lr):
        if "previous" in state:
            state["previous"][...] = 0.0
        new_theta = theta - lr * grad
        state["previous"] = new_theta
        return new_theta

    assert check.optimizer_step(changes_its_old_result, "sgd", lr=0.01)


# --- a check that compares nothing says so -------------------------------------------


def returns_theta(theta, grad, state, lr, **hyperparameters):
    return theta


def test_a_learning_rate_that_overflows_compares_nothing_and_says_so():
    result = check.optimizer_step(my_adam, "adam", lr=1e308)
    assert not result.passed and not result
    assert result.verdict == "✘ nothing compared: none of the 6 cases could be compared"
    assert result.failures == [] and len(result.not_compared) == 6
    assert result.note == (
        "lr=1e+308 makes optlib's own first step overflow (or give nan) on every case; "
        "nothing could be compared — try a smaller lr."
    )
    assert all(case.message.startswith("not compared: ") for case in result.cases)
    text = str(result)
    assert result.note in text and "– Rosenbrock from (-1.5, 2)" in text
    assert "nothing compared" in result._repr_html_()


def test_a_few_cases_that_compare_nothing_keep_the_check_from_passing():
    result = check.optimizer_step(my_sgd, "sgd", lr=1e308)  # only the tiny bowl takes a step
    assert not result.passed
    assert result.verdict == "✘ 5 of 6 cases not compared, the other 1 pass"
    assert "on 5 of 6 cases; nothing could be compared there — try a smaller lr" in result.note


@pytest.mark.parametrize("lr", [0.0, 1e-300, 1e-12])
@pytest.mark.parametrize("fn", [my_sgd, returns_theta])
def test_steps_too_small_to_see_compare_nothing(fn, lr):
    """A step within rounding of no step cannot tell a right rule from doing nothing."""
    result = check.optimizer_step(fn, "sgd", lr=lr)
    assert not result.passed
    assert result.verdict.startswith("✘ nothing compared")
    assert result.note.startswith(f"lr={lr!r} makes optlib's steps too small to tell apart")
    assert result.note.endswith("try a larger lr.")


def test_zero_eps_leaves_the_zero_gradient_case_uncompared():
    result = check.optimizer_step(my_adam, "adam", lr=0.1, eps=0.0)  # 0/0 where g is exactly 0
    assert not result.passed
    assert result.verdict == "✘ 1 of 6 cases not compared, the other 5 pass"
    assert "5-D bowl" in result.not_compared[0].name
    assert "eps=0.0 makes" in result.note and result.note.endswith("try a larger eps.")


def test_other_extreme_hyperparameters_compare_nothing_or_pass_honestly():
    huge_decay = check.optimizer_step(my_sgd, "sgd", lr=0.1, weight_decay=1e308)
    assert not huge_decay.passed and "try a smaller weight_decay" in huge_decay.note
    huge_start = check.optimizer_step(
        returns_theta, "adagrad", lr=0.1, initial_accumulator_value=1e300
    )
    assert not huge_start.passed
    assert "try a smaller initial_accumulator_value" in huge_start.note
    assert check.optimizer_step(my_adam, "adam", lr=0.1, betas=(0.9999999, 0.9999999))
    assert check.optimizer_step(my_sgd, "sgd", lr=1e5)  # diverges, but step 1 is compared


@pytest.mark.parametrize(
    ("f", "points", "reason"),
    [
        (Rosenbrock(), [[1e200, 1e200]], "the gradient of f is not finite here"),
        (lambda x: np.log(-1.0) * np.sum(x), [[1.0, 2.0]], "the gradient of f is not finite"),
        (lambda x: 1 / 0, [[1.0, 2.0]], "f raised ZeroDivisionError: division by zero"),
        (lambda x: x, [[1.0, 2.0]], "f raised TypeError"),  # a vector, not a number
        (lambda x: None, [[1.0, 2.0]], "f raised TypeError"),
    ],
)
def test_gradient_where_the_reference_fails_compares_nothing(f, points, reason):
    result = check.gradient(lambda x: 2 * x, f, points=points)
    assert not result.passed
    assert result.verdict == "✘ nothing compared: the one case could not be compared"
    assert reason in result.not_compared[0].message
    assert "choose other points" in result.note


# --- what the reader's function returns, whatever the check ---------------------------


def shaped_like_first(value):
    return lambda *args, **kwargs: np.full(np.shape(args[0]), value)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["loss_grad", "gradient", "optimizer_step"])
def test_a_non_finite_result_fails_with_its_name(which, value):
    result = CHECKS[which](shaped_like_first(value))
    assert not result.passed
    assert f"your function returned {'nan' if np.isnan(value) else 'inf'}" in str(result)


@pytest.mark.parametrize("which", CHECKS)
@pytest.mark.parametrize(
    "fn", [lambda: 0.5, lambda a, b, c, d, e, f: 0.5], ids=["too few", "too many"]
)
def test_a_wrong_signature_is_a_failing_verdict(which, fn):
    assert_caught(CHECKS[which](fn), "signature")


def test_a_list_is_as_good_as_an_array():
    assert check.gradient(lambda x: list(rosenbrock_grad(x)), Rosenbrock())
    assert check.optimizer_step(lambda theta, grad, state, lr: list(theta - lr * grad), "sgd")


# -- second adversarial pass ----------------------------------------------------------


def _sgd_needing_floats(theta, grad, state, lr, momentum=0.0):
    assert type(lr) is float and type(momentum) is float, (type(lr), type(momentum))
    velocity = state["v"] = momentum * state.get("v", 0.0) + grad
    return theta - lr * velocity


@pytest.mark.parametrize(
    "lr, momentum",
    [
        (Fraction(1, 10), 0.9),
        (np.float32(0.1), np.float64(0.5)),
        (np.array(0.1), 0),
    ],
)
def test_numbers_reach_the_readers_function_as_floats(lr, momentum):
    # lr=Fraction(1, 10) used to reach the reader's function as it was: theta - lr * grad
    # was an array of Python objects, and the verdict said "returned a ndarray, not an array".
    result = check.optimizer_step(_sgd_needing_floats, "sgd", lr=lr, momentum=momentum)
    assert result.passed, str(result)


def test_betas_of_a_reader_arrive_as_a_pair_of_floats():
    def adam(theta, grad, state, lr, betas):
        assert all(type(b) is float for b in betas), betas
        b1, b2 = betas
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * grad
        s = state["s"] = b2 * state.get("s", 0.0) + (1 - b2) * grad**2
        return theta - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + 1e-8)

    assert check.optimizer_step(adam, "adam", lr=0.1, betas=np.array([0.8, 0.99])).passed
    assert check.optimizer_step(adam, "adam", lr=0.1, betas=[0.8, np.float32(0.99)]).passed


@pytest.mark.parametrize("betas", [np.array([[0.9], [0.8]]), np.array([[0.9, 0.999]])])
def test_betas_as_an_array_of_runs_are_refused(betas):
    # A (2, 1) array used to be taken as a sweep of two first betas, where an array lr
    # is refused.
    with pytest.raises(ValueError, match=r"betas must be a pair of numbers .* got an array"):
        check.optimizer_step(lambda theta, grad, state, **hp: theta, "adam", betas=betas)


def test_an_array_of_objects_is_named_by_its_dtype():
    def objects(theta, grad, state, lr):
        return np.array([*(theta - lr * grad), None])[:-1]  # dtype object

    result = check.optimizer_step(objects, "sgd", lr=0.1)
    assert not result.passed
    assert "your function returned an array of dtype object, not an array of numbers" in str(
        result
    )
