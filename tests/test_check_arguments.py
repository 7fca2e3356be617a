"""Bad arguments to the checks themselves raise ValueError (optlib/check/arguments.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from check_readers import (
    my_adam,
    my_rmsprop,
    my_sgd,
    rosenbrock_grad,
)

import optlib
from optlib import Rosenbrock, check


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


@pytest.mark.parametrize("betas", [np.array([[0.9], [0.8]]), np.array([[0.9, 0.999]])])
def test_betas_as_an_array_of_runs_are_refused(betas):
    # A (2, 1) array used to be taken as a sweep of two first betas, where an array lr
    # is refused.
    with pytest.raises(ValueError, match=r"betas must be a pair of numbers .* got an array"):
        check.optimizer_step(lambda theta, grad, state, **hp: theta, "adam", betas=betas)
