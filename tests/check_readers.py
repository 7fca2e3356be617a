"""Readers' functions for the tests of optlib.check (test_check_*.py), and what they assert with.

The "reader" functions here are written the way a student would write them,
straight from the formulas, without calling optlib: the correct ones must pass
every check, and each classic mistake (the tables ``*_MISTAKES``, by the key
of :data:`optlib.check.MISTAKES`) must fail with the hint written for it.
"""

from __future__ import annotations

import numpy as np
from IPython.core.formatters import DisplayFormatter

from optlib.check import MISTAKES, CheckResult


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


def my_adamax(theta, grad, state, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              maximize=False, correct=True):  # fmt: skip
    """torch.optim.Adamax's documented algorithm; correct=False forgets 1/(1 - beta1^t)."""
    beta1, beta2 = betas
    g = -grad if maximize else grad
    if weight_decay:
        g = g + weight_decay * theta
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    u = state["u"] = np.maximum(beta2 * state.get("u", 0.0), np.abs(g) + eps)
    step_size = lr / (1 - beta1**t) if correct else lr
    return theta - step_size * m / u


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
    "kl_reversed": (
        "loss",
        "kl_div",
        {"reduction": "batchmean"},
        lambda log_q, p: np.sum(np.exp(log_q) * (log_q - np.log(p))) / len(p),
    ),
    "hinge_no_margin": ("loss", "hinge", {}, lambda s, y: np.mean(np.maximum(0, -y * s))),
    "hinge_kink": ("loss_grad", "hinge", {}, lambda s, y: np.where(y * s <= 1, -y, 0.0) / s.size),
}


def kl_terms(log_q, p):
    """A reader's KL terms p (log p - log q), with 0 log 0 = 0, from the formula."""
    safe_p = np.where(p > 0, p, 1.0)
    return np.where(p > 0, p * (np.log(safe_p) - log_q), 0.0)


def correct_kl(reduction):
    """A reader's kl_div(log_q, p), PyTorch's reductions."""

    def kl(log_q, p):
        terms = kl_terms(log_q, p)
        return np.sum(terms) / len(p) if reduction == "batchmean" else reduce(terms, reduction)

    return kl


def correct_kl_grad(reduction):
    """A reader's gradient of kl_div with respect to log_q: -p, divided as the reduction."""

    def grad(log_q, p):
        if reduction == "batchmean":
            return -p / len(p)
        return -p * scale(log_q, reduction)

    return grad


def correct_hinge(reduction):
    """A reader's hinge loss max(0, 1 - y s) for labels in {-1, 1}."""
    return lambda s, y: reduce(np.maximum(0.0, 1 - y * s), reduction)


def correct_hinge_grad(reduction):
    """A reader's hinge gradient: -y inside the margin (y s < 1), 0 on and beyond it."""
    return lambda s, y: np.where(y * s < 1, -y, 0.0) * scale(s, reduction)


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


SURFACE_MISTAKES = {
    "surface_negated": lambda x: -rosenbrock_grad(x),
    "surface_half": lambda x: rosenbrock_grad(x) / 2,
    "surface_double": lambda x: 2 * rosenbrock_grad(x),
    "surface_swapped": lambda x: rosenbrock_grad(x)[::-1],
    "surface_shape": lambda x: rosenbrock_grad(x)[None, :],
}


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
    (
        "adamax_no_bias_correction",
        "adamax",
        lambda theta, grad, state, lr, **hp: my_adamax(
            theta, grad, state, lr, correct=False, **hp
        ),
        {"lr": 0.05},
    ),
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


def assert_caught(result: CheckResult, key: str) -> None:
    assert not result.passed, str(result)
    assert result.mistake == key, f"expected {key!r}:\n{result}"
    hint = MISTAKES[key].hint.split("{")[0]  # the fixed opening of a templated hint
    assert hint in result.hint
    assert hint in str(result) and "Hint:" in str(result)


def shown_in_a_notebook(result: CheckResult) -> str:
    """The HTML that Jupyter shows for ``result`` (IPython's own display machinery)."""
    data, _ = DisplayFormatter().format(result)
    return data["text/html"]
