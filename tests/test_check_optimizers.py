"""Tests for check.optimizer_step (optlib/check/optimizers.py).

They cover the cases of optimizer_cases.py and the variants of optimizer_mutants.py too.

The correct readers follow torch.optim's documented algorithms; one more
drives torch.optim itself (when torch is installed), so the check is also
tested against an implementation that is not ours.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from check_readers import (
    OPTIMIZER_MISTAKES,
    OPTIMIZER_MISTAKES_MORE,
    adam_with,
    adamw_with,
    assert_caught,
    ignores_weight_decay,
    my_adagrad,
    my_adam,
    my_adamax,
    my_adamw,
    my_rmsprop,
    my_sgd,
    my_sgd_in_place,
    sgd_sutskever,
    shown_in_a_notebook,
)

import optlib
from optlib import check

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
    ("adamax", my_adamax, {"lr": 0.1}),
    ("adamax", my_adamax, {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("adamax", my_adamax, {"lr": 0.05, "eps": 1e-6, "maximize": True}),
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
        ("Adamax", {"lr": 0.05, "weight_decay": 0.01}),
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
    assert "nothing compared" in shown_in_a_notebook(result)


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
