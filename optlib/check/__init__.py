r"""Check your own implementation against optlib's: one call, a plain verdict.

The book's exercises say *implement it yourself, then let optlib check your
version*. Each check runs your function on a set of cases (several inputs and
shapes, float64 and float32, and the edge cases where implementations break),
compares every result with optlib's, and answers with a :class:`CheckResult`
that prints as a short verdict:

>>> import numpy as np
>>> from optlib import check
>>> def my_mse(y_pred, y_true):
...     return np.mean((y_pred - y_true) ** 2)
>>> check.loss(my_mse, "mse")
✔ 5 of 5 cases pass: check.loss(my_mse, "mse")

When something is wrong, the verdict shows the failing cases (input, expected
value, your value) and, when your results match a classic mistake, a hint:

>>> def my_mse_summed(y_pred, y_true):
...     return np.sum((y_pred - y_true) ** 2)
>>> result = check.loss(my_mse_summed, "mse")
>>> result.passed
False
>>> result.mistake
'sum_not_mean'
>>> print(result.hint)  # doctest: +NORMALIZE_WHITESPACE
You summed the losses: with reduction="mean" divide by their number
(for CCE, by the number of examples n), e.g. with np.mean.

The four checks
---------------
``loss(fn, name, from_logits=False, reduction="mean")``
    ``fn(y_pred, y_true)`` returns the loss: a number for ``"mean"`` and
    ``"sum"``, the per-element (per-example for CCE) losses for ``"none"``.
    ``name`` is one of ``"mse"``, ``"mae"``, ``"huber"``, ``"bce"``,
    ``"cce"``, ``"sparse_cce"``, as in :mod:`optlib.losses`.
``loss_grad(fn, name, from_logits=False, reduction="mean")``
    ``fn(y_pred, y_true)`` returns the gradient of that loss with respect to
    ``y_pred`` (the logits when ``from_logits=True``): an array shaped like
    ``y_pred``.
``optimizer_step(fn, name, **hyperparameters)``
    ``fn(theta, grad, state, **hyperparameters)`` performs one step of
    ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` or ``"adamw"`` with
    ``torch.optim``'s rule, as described below.
``gradient(fn, f, points=None)``
    ``fn(x)`` returns the gradient of the surface ``f`` (e.g.
    ``Rosenbrock()``) at the point ``x``, an array of shape ``(d,)``.

:func:`explain` lists the cases each check runs and the mistakes it recognises.

The optimizer-step protocol
---------------------------
Write one step of the rule as a function::

    def my_update(theta, grad, state, **hyperparameters) -> new_theta

``theta``
    the parameters, a 1-D float array;
``grad``
    the gradient of the loss at ``theta``, a 1-D float array of the same shape;
``state``
    a dict that is empty at the first step and that the check hands back to
    you at every later step: keep your velocity, moments and step count in it;
``hyperparameters``
    passed as keywords with ``torch.optim``'s names (``lr``, ``momentum``,
    ``dampening``, ``nesterov``, ``weight_decay``, ``alpha``, ``eps``,
    ``betas``, ``lr_decay``, ``initial_accumulator_value``, ``centered``,
    ``amsgrad``, ``maximize``). The check passes ``lr`` always (torch's
    default when you do not give it) and, besides, exactly the ones you give
    to ``check.optimizer_step``; give your function torch's defaults for the
    others, or take ``**hyperparameters``.

Return the new ``theta``: a new array, or ``theta`` itself after updating it
in place (then ``return theta``; ``None`` counts as a mistake). For instance,
SGD with momentum, :math:`b \leftarrow \mu b + g`, :math:`\theta \leftarrow
\theta - \alpha b`:

>>> def my_momentum(theta, grad, state, lr, momentum):
...     velocity = momentum * state.get("velocity", 0.0) + grad  # b ← μb + g
...     state["velocity"] = velocity
...     return theta - lr * velocity  # θ ← θ − αb
>>> check.optimizer_step(my_momentum, "sgd", lr=0.05, momentum=0.9)
✔ 6 of 6 cases pass: check.optimizer_step(my_momentum, "sgd", lr=0.05, momentum=0.9)

The check runs 25 steps on each of several surfaces (a quadratic ravine,
Rosenbrock, Beale, a 5-D bowl with tiny gradients, a float32 bowl, and a bowl
with a learning rate that shrinks every step) and compares every step with
optlib's optimizer, which follows ``torch.optim`` exactly. At each step your
function receives optlib's ``theta`` of the previous step and the gradient
there, while your ``state`` carries over: a mistake then shows at the step
where it happens, and the verdict names the first step that differs. If
optlib's own run diverges with your hyper-parameters, the steps before the
divergence are compared.

What counts as a mistake
------------------------
A case fails when your function raises, returns ``None`` or something of the
wrong shape, returns NaN or infinity, emits a NumPy ``RuntimeWarning``
(overflow, division by zero, invalid value), does not return within the time
budget, or returns a value that differs from optlib's by more than rounding
(relative 1e-6 in float64, 1e-4 in float32). None of these escapes as an
exception or a warning: each becomes a failed case that says what happened.
That includes ``sys.exit()`` (``SystemExit``) and any other ``BaseException``
your function raises; only ``KeyboardInterrupt`` propagates, since it means
that you pressed stop. Your function gets copies of the checker's inputs, so
changing them in place changes nothing for the check. Only a mistake in the
call to the check itself (an unknown loss or optimizer name, an unknown
hyper-parameter, a value that is not a number, a class where your function
belongs) raises ``ValueError``.

A case that compares nothing does not pass either: when optlib's own steps
overflow with the hyper-parameters you give (``lr=1e308``), or are too small
to tell apart from no step (``lr=1e-300``), the case is *not compared*, the
check does not pass, and its note says which hyper-parameter to change.

Time budget
-----------
Your code runs in a helper thread, and the checker waits for it at most
``time_budget`` seconds (5 by default) over the whole check, all cases
together. When the budget runs out, the verdict says so ("your function did
not return within 5 s; does it loop forever?"), the remaining cases are not
run, and the checker stops your function by raising an exception inside its
thread (CPython's ``PyThreadState_SetAsyncExc``), so that no loop is left
burning a core. This works the same at a notebook's prompt and when the check
is itself called from another thread, and the notebook stays usable. Printing
from your function shows in the notebook as usual. The limits:

- The stop is delivered between two Python bytecodes. A pure-Python loop
  (``while True: pass``) stops at once, but one long call into C (a huge
  NumPy operation, ``time.sleep(60)``) cannot be interrupted: the check still
  answers when the budget runs out, and says that the function goes on in the
  background until that call returns.
- Your code can catch the stop with a bare ``except:`` (or ``except
  BaseException``); the checker raises it again a few times within a second,
  then leaves the function running in the background and says so.
  ``except Exception`` does not catch it.
- ``os._exit()`` ends the process and cannot be caught by any checker.
- Other Python implementations than CPython cannot stop a thread: there the
  function is left running (as a daemon thread) and the verdict says so.

The hints come from comparing your results with known-wrong variants of the
reference computed on the same cases (a missing minus sign, a sum instead of
a mean, epsilon inside the square root, Adam without bias correction, ...):
when your function agrees with one of them, the hint names it.
:data:`MISTAKES` holds them all.
"""

from __future__ import annotations

import contextvars
import copy
import ctypes
import functools
import html
import inspect
import math
import numbers
import os
import textwrap
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optlib.functions import Beale, Quadratic, Rosenbrock, Surface
from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossEntropy,
)
from optlib.optimizers import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    adagrad_step,
    adam_step,
    adamw_step,
    rmsprop_step,
    sgd_step,
)

__all__ = [
    "DEFAULT_TIME_BUDGET",
    "MISTAKES",
    "CaseResult",
    "CheckResult",
    "Mistake",
    "explain",
    "gradient",
    "loss",
    "loss_grad",
    "optimizer_step",
]

LOSS_NAMES = ("mse", "mae", "huber", "bce", "cce", "sparse_cce")
OPTIMIZER_NAMES = ("sgd", "adagrad", "rmsprop", "adam", "adamw")
REDUCTIONS = ("mean", "sum", "none")

# Tolerances: (rtol, atol scale) by dtype. A result passes when every entry is
# within atol + rtol * |expected|, where atol is the scale times the largest
# expected magnitude (at least 1).
_RTOL = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-4}
_ATOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-6}
# Agreement with a known-wrong variant is judged more loosely: a reader's
# version of a mistake need not round exactly like ours.
_MATCH_RTOL = 1e-4

# A confident wrong prediction must cost at least this much per element: the
# loss of a probability of 1e-4 for the true class. PyTorch's floor gives 100,
# Keras's clip to [1e-7, 1 - 1e-7] gives 16.1.
_LARGE_LOSS = -math.log(1e-4)

_STEPS = 25
_THETA_LIMIT = 1e6  # optlib's run counts as diverged beyond this
_GRAD_LIMIT = 1e12

DEFAULT_TIME_BUDGET = 5.0
"""Seconds the reader's code may take in one check unless ``time_budget=`` says otherwise.

The budget covers all the calls of one check together; see "Time budget" above.
"""
_GRACE = 1.0  # how long a stopped function gets to unwind before it counts as stuck
_POLL = 0.05  # the longest the checker waits without looking at the clock and for Ctrl-C

_MAX_SHOWN = 3  # failing cases shown in the text verdict
_MAX_SHOWN_HTML = 6
_WIDTH = 72  # characters of an abridged value


# ---------------------------------------------------------------------------
# The mistakes a check recognises, each with the hint it gives
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """A classic mistake that a check recognises, and the hint it gives a student.

    Attributes
    ----------
    key : str
        Short identifier, reported as :attr:`CheckResult.mistake`.
    where : tuple of str
        Where it is looked for: ``"check"`` or ``"check:name"`` entries, e.g.
        ``"loss:bce"`` or ``"optimizer_step:adam"``.
    title : str
        What the mistake is, in a few words.
    hint : str
        One sentence for the student; ``{name}``-style fields are filled in
        when the hint is given.

    Examples
    --------
    >>> mistake = MISTAKES["sum_not_mean"]
    >>> mistake.title, mistake.applies_to("mse")
    ('sum instead of mean', True)
    """

    key: str
    where: tuple[str, ...]
    title: str
    hint: str

    def applies_to(self, topic: str) -> bool:
        """Whether the check, loss or optimizer named ``topic`` looks for the mistake."""
        checks = {"loss", "loss_grad"} if topic in LOSS_NAMES else set()
        if topic in OPTIMIZER_NAMES:
            checks = {"optimizer_step"}
        return any(
            entry == topic
            or entry in checks  # a mistake looked for whatever the name
            or entry.startswith(f"{topic}:")
            or entry.endswith(f":{topic}")
            for entry in self.where
        )


def _on(check: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{check}:{name}" for name in names) if names else (check,)


_CE = ("bce", "cce", "sparse_cce")
_ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")

MISTAKES: dict[str, Mistake] = {
    mistake.key: mistake
    for mistake in (
        # --- loss values ---------------------------------------------------
        Mistake(
            "negated",
            _on("loss"),
            "the sign is flipped",
            "Your values have the opposite sign: a loss is never negative "
            "(cross-entropy is minus the log-likelihood, −Σ y·log ŷ).",
        ),
        Mistake(
            "sum_not_mean",
            _on("loss"),
            "sum instead of mean",
            'You summed the losses: with reduction="mean" divide by their number '
            "(for CCE, by the number of examples n), e.g. with np.mean.",
        ),
        Mistake(
            "mean_not_sum",
            _on("loss"),
            "mean instead of sum",
            'You averaged the losses: with reduction="sum" add them up without '
            "dividing by their number.",
        ),
        Mistake(
            "mean_over_classes",
            _on("loss", "cce", "sparse_cce"),
            "mean over all n·C entries instead of over the n examples",
            "You averaged over all n·C entries: sum each example's loss over its "
            "classes (axis=1), then average over the n examples.",
        ),
        Mistake(
            "log_base",
            _on("loss", *_CE) + _on("loss_grad", *_CE),
            "log base 10 (or 2) instead of the natural log",
            "Cross-entropy uses the natural logarithm: np.log, not np.log10 or np.log2.",
        ),
        Mistake(
            "forgot_activation",
            _on("loss", *_CE) + _on("loss_grad", *_CE),
            "logits used as probabilities (from_logits=True)",
            "With from_logits=True the inputs are logits: turn them into probabilities "
            "(sigmoid for BCE, softmax over each row for CCE) before the log, or better, "
            "compute the log-probabilities directly (softplus, log-sum-exp).",
        ),
        Mistake(
            "extra_activation",
            _on("loss", *_CE) + _on("loss_grad", *_CE),
            "a sigmoid or softmax applied to probabilities (from_logits=False)",
            "With from_logits=False the inputs are already probabilities: don't apply "
            "a sigmoid or softmax to them again.",
        ),
        Mistake(
            "rmse",
            _on("loss", "mse"),
            "a square root (RMSE)",
            "You took a square root, which gives the RMSE: MSE is the mean of the squared "
            "residuals, without a root.",
        ),
        Mistake(
            "half_mse",
            _on("loss", "mse"),
            "a factor ½",
            "You multiplied by ½: MSE as in PyTorch and Keras is the plain mean of "
            "(ŷ − y)², without the ½ some textbooks add.",
        ),
        Mistake(
            "not_squared",
            _on("loss", "mse"),
            "residuals not squared",
            "Square each residual, (ŷ − y)²: without the square, positive and negative "
            "errors cancel.",
        ),
        Mistake(
            "not_absolute",
            _on("loss", "mae"),
            "residuals without absolute value",
            "Take the absolute value of each residual, |ŷ − y|: without it, positive and "
            "negative errors cancel.",
        ),
        Mistake(
            "mae_squared",
            _on("loss", "mae"),
            "squared residuals (that is MSE)",
            "You squared the residuals, which gives MSE: MAE uses their absolute value |ŷ − y|.",
        ),
        Mistake(
            "huber_no_half",
            _on("loss", "huber") + _on("loss_grad", "huber"),
            "r² instead of ½r² in the quadratic piece",
            "The quadratic piece of the Huber loss is ½r² (gradient r), not r² (gradient 2r): "
            "with the ½ the two pieces meet smoothly at |r| = δ.",
        ),
        Mistake(
            "huber_no_offset",
            _on("loss", "huber"),
            "δ|r| instead of δ(|r| − ½δ) in the linear piece",
            "The linear piece of the Huber loss is δ(|r| − ½δ): without the −½δ it does not "
            "meet the quadratic piece at |r| = δ.",
        ),
        Mistake(
            "clipped_too_much",
            _on("loss", "bce", "cce", "sparse_cce"),
            "probabilities clipped too far from 0 and 1",
            "You clip the probabilities too far from 0 and 1: a confident wrong prediction "
            "must cost a lot (PyTorch gives 100 per element, Keras's clip at 1e-7 gives 16.1), "
            "so clip at 1e-7 or closer.",
        ),
        # --- gradients of losses ------------------------------------------
        Mistake(
            "grad_negated",
            _on("loss_grad"),
            "the gradient's sign is flipped",
            "Your gradient has the wrong sign: it points towards larger loss (for MSE it is "
            "2(ŷ − y), not 2(y − ŷ)).",
        ),
        Mistake(
            "grad_not_divided",
            _on("loss_grad"),
            "the gradient of the mean not divided by n",
            'Your gradient is n times too large: with reduction="mean" the loss is divided '
            "by the number of elements (examples, for CCE), so its gradient is too.",
        ),
        Mistake(
            "grad_divided",
            _on("loss_grad"),
            "the gradient of a sum divided by n",
            'With reduction="sum" (or "none") the gradient is not divided by the number '
            "of elements.",
        ),
        Mistake(
            "grad_divided_by_nC",
            _on("loss_grad", "cce", "sparse_cce"),
            "the gradient divided by n·C instead of n",
            "Divide the gradient by the number of examples n, not by n·C: the loss averages "
            "over the examples, each of which sums over its C classes.",
        ),
        Mistake(
            "mse_missing_2",
            _on("loss_grad", "mse"),
            "the factor 2 missing from the MSE gradient",
            "The factor 2 is missing: the derivative of (ŷ − y)² is 2(ŷ − y).",
        ),
        Mistake(
            "mae_sign_at_zero",
            _on("loss_grad", "mae"),
            "±1 instead of 0 at a zero residual",
            "At a zero residual the gradient of |r| is taken as 0, as np.sign(0) and PyTorch "
            "give, not +1 or −1.",
        ),
        Mistake(
            "grad_forgot_activation",
            _on("loss_grad", *_CE),
            "z − y instead of σ(z) − y (from_logits=True)",
            "With from_logits=True apply the activation first: the gradient with respect to "
            "the logits is σ(z) − y for BCE and softmax(z) − y for CCE, not z − y.",
        ),
        Mistake(
            "grad_wrt_probabilities",
            _on("loss_grad", *_CE),
            "the gradient with respect to the probabilities (from_logits=True)",
            "With from_logits=True the gradient is with respect to the logits: chain the "
            "probability gradient through the sigmoid or softmax, which simplifies to "
            "σ(z) − y (softmax(z) − y for CCE).",
        ),
        # --- numerical stability, shapes, calls ------------------------------
        Mistake(
            "unstable_probabilities",
            _on("loss", "bce", "cce", "sparse_cce") + _on("loss_grad", "bce", "cce", "sparse_cce"),
            "log(0) or division by 0 at probabilities of 0 or 1",
            "Your function gave inf/nan or a warning at probabilities of exactly 0 or 1: clip "
            "them before taking logs or dividing, e.g. y_pred = np.clip(y_pred, 1e-7, 1 - 1e-7), "
            "so that 0·log 0 gives 0.",
        ),
        Mistake(
            "unstable_bce_logits",
            _on("loss", "bce") + _on("loss_grad", "bce"),
            "exp overflow or log(0) at large logits",
            "Large logits overflow np.exp or round σ(z) to exactly 0 or 1: exponentiate only "
            "−|z|, e.g. −log σ(z) = np.logaddexp(0, −z) and "
            "σ(z) = np.where(z >= 0, 1, np.exp(z)) / (1 + np.exp(−|z|)).",
        ),
        Mistake(
            "unstable_cce_logits",
            _on("loss", "cce", "sparse_cce") + _on("loss_grad", "cce", "sparse_cce"),
            "exp overflow at large logits (no log-sum-exp)",
            "Large logits overflow np.exp: subtract each row's maximum m before exponentiating "
            "(log-sum-exp), log softmax(z) = z − m − log Σ exp(z − m).",
        ),
        Mistake(
            "unstable",
            _on("loss", "mse", "mae", "huber")
            + _on("loss_grad", "mse", "mae", "huber")
            + _on("gradient"),
            "inf/nan or a warning where the reference is finite",
            "Your function gave inf/nan or a NumPy warning where the expected result is finite: "
            "look for an overflow or a division by zero.",
        ),
        Mistake(
            "scalar_expected",
            _on("loss"),
            "an array returned where a single number is expected",
            "Return a single number: reduce the per-element losses with their mean (or their "
            'sum for reduction="sum").',
        ),
        Mistake(
            "per_element_expected",
            _on("loss"),
            'a reduced value returned for reduction="none"',
            'With reduction="none" return the loss of each element (of each example for CCE), '
            "without averaging or summing.",
        ),
        Mistake(
            "per_example_expected",
            _on("loss", "cce", "sparse_cce"),
            'an (n, C) array returned for reduction="none"',
            'With reduction="none" return one loss per example, shape (n,): sum over the '
            "classes (axis=1).",
        ),
        Mistake(
            "grad_shape",
            _on("loss_grad"),
            "a gradient not shaped like y_pred",
            "The gradient has the shape of y_pred: one partial derivative per prediction.",
        ),
        Mistake(
            "returned_none",
            _on("loss") + _on("loss_grad") + _on("gradient"),
            "nothing returned",
            "Your function returned None: is a `return` missing?",
        ),
        Mistake(
            "step_returned_none",
            _on("optimizer_step"),
            "nothing returned",
            "Your function returned None: return the new theta, also when you update theta in "
            "place (end with `return theta`).",
        ),
        Mistake(
            "signature",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("optimizer_step"),
            "a signature that does not fit the call",
            "Your function's arguments do not fit the call: {call}.",
        ),
        Mistake(
            "timeout",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("optimizer_step"),
            "a function that does not return (an endless loop)",
            "Your function did not return within the check's time budget of {budget} s: look "
            "for a loop whose condition never becomes false (a `while` whose variables never "
            "change) or a recursion without a base case. If it is only slow, give the check "
            "more time, e.g. time_budget=60.",
        ),
        Mistake(
            "base_exception",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("optimizer_step"),
            "sys.exit() or another BaseException raised",
            "Your function raised {name}, which is not an ordinary error: sys.exit() "
            "(SystemExit) ends a script and stops a notebook's kernel. Return the result "
            "instead; to signal a problem raise an ordinary exception such as ValueError.",
        ),
        Mistake(
            "all_zero",
            _on("loss") + _on("loss_grad") + _on("gradient"),
            "only zeros",
            "Your function returns only zeros: its body still needs the computation.",
        ),
        Mistake(
            "no_step",
            _on("optimizer_step"),
            "theta returned unchanged",
            "Your function returns theta unchanged: it takes no step yet.",
        ),
        Mistake(
            "constant_factor",
            _on("loss") + _on("loss_grad") + _on("gradient") + _on("optimizer_step"),
            "off by a constant factor",
            "Your results are all {factor} times the expected ones: look for a missing or "
            "extra constant factor.",
        ),
        # --- gradients of surfaces ----------------------------------------
        Mistake(
            "surface_negated",
            _on("gradient"),
            "the gradient's sign is flipped",
            "Your gradient points downhill: ∇f points where f increases fastest (a descent "
            "step subtracts it).",
        ),
        Mistake(
            "surface_half",
            _on("gradient"),
            "half the gradient",
            "Your gradient is half the expected one: a factor 2 from differentiating a "
            "square is missing.",
        ),
        Mistake(
            "surface_double",
            _on("gradient"),
            "twice the gradient",
            "Your gradient is twice the expected one: there is an extra factor 2.",
        ),
        Mistake(
            "surface_swapped",
            _on("gradient"),
            "components in the wrong order",
            "Your components are in the wrong order: the first entry is ∂f/∂x, the second ∂f/∂y.",
        ),
        Mistake(
            "surface_shape",
            _on("gradient"),
            "a gradient not shaped like x",
            "Return one partial derivative per coordinate: an array of shape (d,), like x.",
        ),
        # --- optimizers ---------------------------------------------------
        Mistake(
            "uphill",
            _on("optimizer_step"),
            "moving uphill (the sign of the step is flipped)",
            "Your steps go uphill: subtract the step, θ ← θ − α·(direction), so that the loss "
            "decreases.",
        ),
        Mistake(
            "lr_twice",
            _on("optimizer_step"),
            "the learning rate applied twice",
            "The learning rate is applied twice: multiply by lr once, in the final update "
            "θ ← θ − α·(direction).",
        ),
        Mistake(
            "lr_forgotten",
            _on("optimizer_step"),
            "the learning rate forgotten",
            "The learning rate is missing: the update is θ ← θ − α·(direction), scaled by lr.",
        ),
        Mistake(
            "momentum_sutskever",
            _on("optimizer_step", "sgd"),
            "the Sutskever/Keras momentum convention",
            "You put the learning rate inside the velocity (v ← μv − αg, θ ← θ + v: the "
            "Sutskever/Keras convention); PyTorch accumulates the raw gradient, b ← μb + g, "
            "and scales it at the end, θ ← θ − αb, which differs once the learning rate changes.",
        ),
        Mistake(
            "momentum_ema",
            _on("optimizer_step", "sgd"),
            "the (1 − μ)-weighted momentum",
            "You weighted the gradient by (1 − μ), b ← μb + (1 − μ)g; PyTorch's momentum adds "
            "the whole gradient, b ← μb + g (the weighted form is dampening=momentum).",
        ),
        Mistake(
            "momentum_dampened_first_step",
            _on("optimizer_step", "sgd"),
            "dampening applied at the first step",
            "PyTorch's first momentum step copies the gradient, b₁ = g₁, undamped; the "
            "dampening (1 − τ) applies from the second step on.",
        ),
        Mistake(
            "nesterov_missing",
            _on("optimizer_step", "sgd"),
            "Nesterov momentum missing",
            "With nesterov=True step along g + μb, the gradient plus the momentum look-ahead, "
            "not along b.",
        ),
        Mistake(
            "eps_inside_sqrt",
            _on("optimizer_step", *_ADAPTIVE),
            "ε inside the square root (TensorFlow style)",
            "ε goes outside the square root, √v + ε (PyTorch), not inside it, √(v + ε) "
            "(TensorFlow's form).",
        ),
        Mistake(
            "eps_missing",
            _on("optimizer_step", *_ADAPTIVE),
            "ε missing from the denominator",
            "Add ε to the denominator, √v + ε: without it a zero gradient gives 0/0.",
        ),
        Mistake(
            "keras_epsilon",
            _on("optimizer_step", *_ADAPTIVE),
            "Keras's default ε = 1e-7",
            "Your steps match eps=1e-7, Keras's default; PyTorch's default here is eps={value}.",
        ),
        Mistake(
            "no_sqrt",
            _on("optimizer_step", *_ADAPTIVE),
            "no square root in the denominator",
            "Divide by the square root of the accumulated squared gradients, √v + ε, not by "
            "v itself.",
        ),
        Mistake(
            "adagrad_keras_initial",
            _on("optimizer_step", "adagrad"),
            "Keras's initial accumulator 0.1",
            "You started the sum of squared gradients at 0.1 (Keras's "
            "initial_accumulator_value); PyTorch starts it at initial_accumulator_value=0 "
            "unless told otherwise.",
        ),
        Mistake(
            "adagrad_lr_decay_step",
            _on("optimizer_step", "adagrad"),
            "α/(1 + tη) instead of α/(1 + (t − 1)η)",
            "The decayed learning rate is α/(1 + (t − 1)η): the first step uses the full lr.",
        ),
        Mistake(
            "rmsprop_keras_rho",
            _on("optimizer_step", "rmsprop"),
            "Keras's decay 0.9 instead of alpha=0.99",
            "Your moving average decays with 0.9 (Keras's rho); PyTorch's RMSprop uses "
            "alpha=0.99 unless told otherwise.",
        ),
        Mistake(
            "rmsprop_missing_one_minus",
            _on("optimizer_step", "rmsprop"),
            "v ← αv + g² instead of v ← αv + (1 − α)g²",
            "The moving average is v ← αv + (1 − α)g²: the factor (1 − α) on the new squared "
            "gradient is missing.",
        ),
        Mistake(
            "rmsprop_lr_in_buffer",
            _on("optimizer_step", "rmsprop"),
            "the learning rate inside the momentum buffer",
            "Keep the learning rate out of the momentum buffer: PyTorch's RMSprop does "
            "b ← μb + g/(√v + ε), θ ← θ − αb.",
        ),
        Mistake(
            "adam_no_bias_correction",
            _on("optimizer_step", "adam", "adamw"),
            "no bias correction",
            "Adam divides the moments by their bias corrections, m̂ = m/(1 − β₁ᵗ) and "
            "ŝ = s/(1 − β₂ᵗ): without them the early steps have the wrong length (with the "
            "default betas about 3 times too long at first).",
        ),
        Mistake(
            "adam_step_count",
            _on("optimizer_step", "adam", "adamw"),
            "bias correction with the wrong step count",
            "Your bias correction uses the wrong step count: t is 1 at the first step "
            "(increment it before computing 1 − βᵗ).",
        ),
        Mistake(
            "adam_epsilon_hat",
            _on("optimizer_step", "adam", "adamw"),
            "bias corrections folded into the learning rate (TensorFlow's form)",
            "You folded the bias corrections into the learning rate (TensorFlow's form), "
            "which leaves ε unscaled; PyTorch adds ε to √ŝ after correcting s.",
        ),
        Mistake(
            "adam_betas_swapped",
            _on("optimizer_step", "adam", "adamw"),
            "β₁ and β₂ swapped",
            "β₁ and β₂ are swapped: β₁ (0.9) averages the gradient m, β₂ (0.999) averages its "
            "square v.",
        ),
        Mistake(
            "adam_decoupled",
            _on("optimizer_step", "adam"),
            "decoupled weight decay in Adam",
            "Adam's weight_decay is an L2 penalty: add λθ to the gradient before the moment "
            "updates (the decoupled decay is AdamW).",
        ),
        Mistake(
            "adamw_l2",
            _on("optimizer_step", "adamw"),
            "AdamW's decay applied as L2 to the gradient",
            "AdamW's decay is decoupled: shrink θ ← θ(1 − αλ) directly, instead of adding λθ "
            "to the gradient as Adam's L2 weight_decay does.",
        ),
        Mistake(
            "adamw_decay_without_lr",
            _on("optimizer_step", "adamw"),
            "AdamW's decay not scaled by the learning rate",
            "Multiply the decay by the learning rate: θ ← θ(1 − αλ), as PyTorch does, not "
            "θ(1 − λ).",
        ),
        Mistake(
            "ignored_hyperparameter",
            _on("optimizer_step"),
            "a hyper-parameter ignored",
            "Your steps match {name}={off}: your function seems to ignore {name}={value}.",
        ),
        Mistake(
            "unstable_update",
            _on("optimizer_step"),
            "inf/nan or a warning where PyTorch's step is finite",
            "Your update gave inf/nan or a NumPy warning where PyTorch's is finite: check the "
            "denominator (ε keeps it nonzero) and the step count in the bias corrections.",
        ),
        Mistake(
            "theta_shape",
            _on("optimizer_step"),
            "a result not shaped like theta",
            "Return the new theta, an array with the shape of theta.",
        ),
    )
}
"""Every classic mistake the checks recognise, by key (see :class:`Mistake`).

:func:`explain` lists the ones each check looks for.
"""


def _hint(key: str, **fields: Any) -> str:
    return MISTAKES[key].hint.format(**fields) if fields else MISTAKES[key].hint


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CaseResult:
    """The outcome of one case of a check.

    Attributes
    ----------
    name : str
        What the case tests, e.g. ``"probabilities of exactly 0 and 1, wrong"``.
    input : dict
        The inputs your function received, by name.
    expected : Any
        optlib's result (for an optimizer, θ at the first step that differs, or
        at the last step when all agree).
    got : Any
        Your function's result at the same place (``None`` when there was none).
    passed : bool
        Whether your result agrees (False when nothing could be compared).
    message : str
        What went wrong, in words (empty when the case passes).
    compared : bool
        False when the case compared nothing: optlib's own result is not
        finite there, or too small a change to tell apart from none (an
        optimizer whose steps overflow, or do not move theta at all, with the
        hyper-parameters given). Such a case neither passes nor fails, and the
        check does not pass.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> result = check.loss(lambda y_pred, y_true: np.sum((y_pred - y_true) ** 2), "mse")
    >>> case = result.failures[0]
    >>> case.passed, sorted(case.input), case.message
    (False, ['y_pred', 'y_true'], 'off by a factor 5')
    """

    name: str
    input: dict[str, Any]
    expected: Any
    got: Any
    passed: bool
    message: str = ""
    compared: bool = True


@dataclass(eq=False)
class CheckResult:
    """The verdict of a check: every case, and a hint when a classic mistake is recognised.

    Prints as a short verdict (``"✔ 6 of 6 cases pass"``, or ``"✘ 2 of 6 cases
    fail"`` followed by the failing cases and the hint) and shows as a small
    table in a notebook. It is true when every case passes, so
    ``assert check.loss(...)`` works in a test. A case that compared nothing
    (see :attr:`CaseResult.compared`) does not pass: a check that could compare
    nothing says ``"✘ nothing compared"`` and why, in :attr:`note`.

    Attributes
    ----------
    title : str
        The check that was run, e.g. ``'check.loss(my_bce, "bce")'``.
    cases : list of CaseResult
        Every case, passing or not.
    hint : str or None
        What to look at, when the failures match a known mistake.
    mistake : str or None
        The key of that mistake in :data:`MISTAKES`.
    note : str or None
        What the verdict needs besides the cases: that your function ran out of
        time, or why some cases could not be compared.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> result = check.loss(lambda y_pred, y_true: np.mean((y_pred - y_true) ** 2), "mse")
    >>> result.passed, result.verdict, len(result.cases)
    (True, '✔ 5 of 5 cases pass', 5)
    >>> assert result  # true when every case passes
    """

    title: str
    cases: list[CaseResult]
    hint: str | None = None
    mistake: str | None = None
    note: str | None = None

    @property
    def passed(self) -> bool:
        """Whether every case compared something and passes."""
        return bool(self.cases) and all(case.passed for case in self.cases)

    @property
    def failures(self) -> list[CaseResult]:
        """The cases that fail."""
        return [case for case in self.cases if case.compared and not case.passed]

    @property
    def not_compared(self) -> list[CaseResult]:
        """The cases that compared nothing (neither passing nor failing)."""
        return [case for case in self.cases if not case.compared]

    @property
    def verdict(self) -> str:
        """The verdict in one line, ``"✔ n of n cases pass"`` or ``"✘ k of n cases fail"``."""
        total, failed, skipped = len(self.cases), len(self.failures), len(self.not_compared)
        if self.passed:
            return f"✔ {total} of {total} cases pass"
        if skipped == total:
            if total == 1:
                return "✘ nothing compared: the one case could not be compared"
            return f"✘ nothing compared: none of the {total} cases could be compared"
        if failed and skipped:
            return f"✘ {failed} of {total} cases fail, {skipped} not compared"
        if failed:
            return f"✘ {failed} of {total} cases fail"
        return f"✘ {skipped} of {total} cases not compared, the other {total - skipped} pass"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.verdict}: {self.title}"]
        if self.note:
            lines.append(self.note)
        failures = self.failures
        for case in failures[:_MAX_SHOWN]:
            lines += [
                "",
                f"✘ {case.name}",
                f"  input:    {_format_input(case.input)}",
                f"  expected: {_format(case.expected)}",
                f"  got:      {_format(case.got)}",
            ]
            if case.message:
                lines.append(f"  {_abridge(case.message, 3 * _WIDTH)}")
        if len(failures) > _MAX_SHOWN:
            more = len(failures) - _MAX_SHOWN
            lines += ["", f"… and {more} more failing case{'s' * (more > 1)} (see .cases)"]
        skipped = self.not_compared
        for case in skipped[:_MAX_SHOWN]:
            lines += ["", f"– {case.name}", f"  {_abridge(case.message, 3 * _WIDTH)}"]
        if len(skipped) > _MAX_SHOWN:
            more = len(skipped) - _MAX_SHOWN
            lines += ["", f"… and {more} more case{'s' * (more > 1)} not compared (see .cases)"]
        if self.hint:
            lines += ["", f"Hint: {self.hint}"]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        # Okabe-Ito green and vermillion, darkened so that white text on them has a
        # contrast of at least 4.5:1 (WCAG AA) in light and dark themes alike.
        colour = "#007A5A" if self.passed else "#B34700"
        chip = f"color:#fff;background:{colour};padding:0 0.3em;border-radius:3px"
        parts = [
            '<div class="optlib-check">',
            f'<p><strong style="{chip}">{html.escape(self.verdict)}</strong>: '
            f"<code>{html.escape(self.title)}</code></p>",
        ]
        if self.note:
            parts.append(f"<p>{html.escape(self.note)}</p>")
        failures = self.failures + self.not_compared
        if failures:
            parts.append(
                "<table><thead><tr><th>case</th><th>input</th><th>expected</th>"
                "<th>got</th><th>what went wrong</th></tr></thead><tbody>"
            )
            for case in failures[:_MAX_SHOWN_HTML]:
                cells = (
                    f"{'✘' if case.compared else '–'} {case.name}",
                    _format_input(case.input),
                    _format(case.expected),
                    _format(case.got),
                    _abridge(case.message, 3 * _WIDTH),
                )
                parts.append(
                    "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
                )
            parts.append("</tbody></table>")
            if len(failures) > _MAX_SHOWN_HTML:
                more = len(failures) - _MAX_SHOWN_HTML
                parts.append(f"<p>… and {more} more cases (see <code>.cases</code>)</p>")
        if self.hint:
            parts.append(f"<p><strong>Hint:</strong> {html.escape(self.hint)}</p>")
        parts.append("</div>")
        return "\n".join(parts)


# --- abridged display ---------------------------------------------------------------


def _abridge(text: str, width: int = _WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _format_number(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.6g}"


def _format(value: Any, width: int = _WIDTH, precision: int = 6) -> str:
    """A value in at most ``width`` characters: arrays abridged, long text cut."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return _abridge(value, width)
    if isinstance(value, np.ndarray | np.generic | int | float):
        array = np.asarray(value)
        if array.ndim == 0:
            return _format_number(array.item())
        text = np.array2string(
            array,
            precision=precision,
            threshold=8,
            edgeitems=2,
            separator=", ",
            max_line_width=10**6,
        )
        text = " ".join(text.split())
        if array.size > 8:  # abridged by NumPy: say how big it is
            shape = f" (shape {array.shape})"
            return _abridge(text, width - len(shape)) + shape
        return _abridge(text, width)
    return _abridge(repr(value), width)


def _format_input(inputs: dict[str, Any]) -> str:
    return ", ".join(f"{name}={_format(value, 44, precision=3)}" for name, value in inputs.items())


# ---------------------------------------------------------------------------
# Calling the reader's function safely
# ---------------------------------------------------------------------------
#
# The reader's code runs in one helper thread per check, so that the checker
# can stop waiting for it: a function that loops forever would otherwise hang
# the notebook. The thread is a daemon, blocked (not spinning) between calls,
# and it ends when the check returns. When the check's time budget runs out,
# the checker raises _OutOfTime inside that thread (CPython's
# PyThreadState_SetAsyncExc): Python delivers it at the thread's next bytecode,
# which stops any pure-Python loop. See the module docstring for the limits.


class _OutOfTime(BaseException):
    """Raised inside the helper thread to stop the reader's code when its time is up.

    A ``BaseException``, so that ``except Exception`` in the reader's code lets
    it through.
    """


def _raise_in_thread(ident: int) -> bool:
    """Ask CPython to raise :class:`_OutOfTime` in thread ``ident`` at its next bytecode."""
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is None:  # not CPython: the thread cannot be stopped
        return False
    count = set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(_OutOfTime))
    if count > 1:  # cannot happen for one thread id; undo rather than hit another thread
        set_async_exc(ctypes.c_ulong(ident), None)
    return count == 1


@dataclass
class _Call:
    """What happened when the reader's function was called once."""

    value: Any = None
    array: np.ndarray | None = None  # the value as an array, converted right after the call
    unusable: str = ""  # why the value cannot be an array (a generator, ...), if it cannot
    exception: BaseException | None = None
    error: str | None = None  # the exception, or the time budget running out, in words
    refused: bool = False  # a TypeError raised by the call itself: the arguments do not fit
    warnings: list[str] = field(default_factory=list)  # RuntimeWarnings: a failure

    @property
    def warning(self) -> str:
        return f"it warned: {self.warnings[0]}" if self.warnings else ""


def _release(lock: threading.Lock) -> None:
    try:
        lock.release()
    except RuntimeError:  # already released
        pass


class _Session:
    """Runs the reader's code for one check in a helper thread, under one time budget.

    Use as a context manager: the thread starts at the first call and ends
    with the ``with`` block. ``budget`` is the time in seconds all the calls
    together may take; once it has run out, no further call is made.

    The two threads hand jobs over with plain locks, whose ``acquire`` and
    ``release`` are single C calls: a Ctrl-C in the notebook cannot leave one
    half-done, as it could a ``threading.Event``.
    """

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.used = 0.0
        self.timed_out = False  # the budget ran out (or the reader pressed stop)
        self.stuck = False  # ... and the function could not be stopped
        self.escaped: str | None = None  # a BaseException (not an Exception) it raised
        self._thread: threading.Thread | None = None
        self._wake = threading.Lock()  # released to hand the helper thread a job
        self._wake.acquire()
        self._done = threading.Lock()  # released by the helper thread when a job is done
        self._done.acquire()
        self._guard = threading.Lock()  # held to inject the stop, and to change _running
        self._job: Callable[[], _Call] | None = None
        self._result: _Call | None = None
        self._running = False  # the helper thread is inside a job: a stop may be injected
        self._cancelled = False  # no job may start any more

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._job = None  # a job None tells the helper thread to end
            _release(self._wake)

    def _serve(self) -> None:
        """The helper thread: run each job, and absorb a stop that arrives just too late.

        A stop is injected only while ``_running`` is True, which is set and
        cleared inside the ``try`` while holding ``_guard``; so a stop injected
        just before ``_running`` is cleared is delivered at the latest when
        the ``with`` block releases the lock, still inside the ``try``. Every
        exception therefore ends here, never in the ``threading`` machinery.
        """
        finishing = False
        while True:
            try:
                if not finishing:
                    self._wake.acquire()
                    job, self._job = self._job, None
                    if job is None:
                        return
                    finishing = True
                    with self._guard:
                        self._running = not self._cancelled
                    if self._running:
                        self._result = job()
                with self._guard:
                    self._running = False
                _release(self._done)
                finishing = False
            except BaseException:  # the stop, raised in the reader's code or just after it
                pass

    def run(self, job: Callable[[], _Call]) -> _Call | None:
        """Run ``job`` in the helper thread; None if it ran out of time or was not run.

        A ``KeyboardInterrupt`` while waiting (the reader pressed stop) stops
        the job and propagates.
        """
        if self.timed_out:
            return None
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="optlib.check: your function", daemon=True
            )
            self._thread.start()
        self._result = None
        context = contextvars.copy_context()  # the notebook's output, warnings, ...
        self._job = lambda: context.run(job)
        done = False
        start = time.monotonic()
        _release(self._wake)
        try:
            while not done:
                remaining = self.budget - self.used - (time.monotonic() - start)
                if remaining <= 0:
                    break
                # In slices: a Ctrl-C is seen within _POLL even if the OS hands the
                # signal to the helper thread.
                done = self._done.acquire(timeout=min(remaining, _POLL))
        except BaseException:  # KeyboardInterrupt: stop the reader's code too, then go on
            self.timed_out = True
            self._stop()
            raise
        finally:
            self.used += time.monotonic() - start
        if done:
            return self._result
        self.timed_out = True
        self.stuck = not self._stop()
        return None

    def _stop(self) -> bool:
        """Stop the job, or keep it from starting; whether it ended within ``_GRACE``."""
        deadline = time.monotonic() + _GRACE
        while True:
            with self._guard:
                self._cancelled = True
                if self._running and self._thread is not None and self._thread.ident:
                    _raise_in_thread(self._thread.ident)
            # Inject again only if the job is still running after a while: its code
            # may have caught the first stop (a bare `except:`).
            if self._done.acquire(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                return True
            if time.monotonic() >= deadline:
                return False


def _reader_file(fn: Callable) -> str | None:
    try:
        code = getattr(inspect.unwrap(fn), "__code__", None)
        return os.path.abspath(code.co_filename) if code is not None else None
    except Exception:  # an object whose attributes misbehave
        return None


def _describe_error(error: BaseException, fn: Callable, who: str = "your function") -> str:
    """``"your function raised KeyError: 'x' (line 4: return state['x'])"``."""
    text = f"{who} raised {type(error).__name__}"
    try:
        detail = str(error)
    except Exception:  # an exception whose __str__ itself fails
        detail = ""
    if detail:
        text += f": {_abridge(detail, 120)}"
    filename = _reader_file(fn)
    frames = traceback.extract_tb(error.__traceback__)
    own = [
        frame
        for frame in frames
        if filename is not None and os.path.abspath(frame.filename) == filename
    ]
    if own:
        frame = own[-1]
        where = f"line {frame.lineno}"
        if frame.line:
            where += f": {_abridge(frame.line, 60)}"
        text += f" ({where})"
    if isinstance(error, SystemExit):
        text += "; sys.exit() would end the program (in a notebook, the kernel)"
    elif not isinstance(error, Exception):
        text += ", which is not an Exception (it derives from BaseException)"
    return text


def _snapshot(value: Any) -> tuple[np.ndarray | None, str]:
    """The reader's result as a new array, or why it cannot be one.

    Runs in the helper thread right after the reader's function: converting
    can run the reader's code too (``__array__``, ``__len__``, ...), and the
    copy keeps what the function returned even if it changes that array later.
    """
    if value is None or isinstance(value, str | bytes | dict | set):
        return None, ""
    if inspect.iscoroutine(value):
        value.close()  # never run: close it, or Python warns that it was never awaited
        return None, "a coroutine (it is an `async def` function: use `def`)"
    if inspect.isgenerator(value) or inspect.isasyncgen(value):
        return None, f"a {type(value).__name__} (it uses `yield`: use `return`)"
    if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
        return None, "a masked array with masked entries"
    try:
        return np.array(value), ""
    except Exception:
        return None, ""


def _reader_job(
    fn: Callable, args: Sequence[Any], kwargs: dict[str, Any], who: str
) -> Callable[[], _Call]:
    """What the helper thread runs for one call of the reader's function."""

    def job() -> _Call:
        call = _Call()
        # NumPy's floating-point errors become warnings for the call (underflow
        # excepted: rounding a tiny number to 0 is not a mistake); errstate is
        # per thread, so it is set here, in the helper thread.
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                call.value = fn(*args, **kwargs)
                call.array, call.unusable = _snapshot(call.value)
            except _OutOfTime:
                raise
            except BaseException as error:  # KeyboardInterrupt goes back to the caller
                call.exception = error
                call.error = _describe_error(error, fn, who)
                # Raised before the function's body ran: the traceback holds only this frame.
                call.refused = (
                    isinstance(error, TypeError)
                    and len(traceback.extract_tb(error.__traceback__)) == 1
                )
        return call

    return job


def _call_reader(
    session: _Session,
    fn: Callable,
    args: Sequence[Any],
    kwargs: dict[str, Any] | None = None,
    who: str = "your function",
) -> _Call:
    """Call the reader's function in the session's thread, catching everything it raises.

    Its exceptions (``BaseException`` included: ``sys.exit()`` is a failed
    case, not the end of the check) become ``error``; only
    ``KeyboardInterrupt`` propagates. Its ``RuntimeWarning`` s are recorded
    instead of shown. Nothing global changes: the warning filters and NumPy's
    error state are restored on exit.
    """
    if session.timed_out:
        return _Call(error=f"not run: the check's time budget of {session.budget:g} s is used up")
    filename = _reader_file(fn)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call = session.run(_reader_job(fn, args, kwargs or {}, who))
    if call is None:
        text = f"{who} did not return within {session.budget:g} s; does it loop forever?"
        if session.stuck:
            text += (
                " (it could not be stopped, probably inside one long NumPy or C call, and "
                "goes on in the background until that call returns)"
            )
        return _Call(error=text)
    if isinstance(call.exception, KeyboardInterrupt):
        raise call.exception  # the reader pressed stop: not the function's mistake
    if call.exception is not None and not isinstance(call.exception, Exception):
        session.escaped = session.escaped or type(call.exception).__name__
    for record in caught:
        if issubclass(record.category, RuntimeWarning):
            text = str(record.message)
            if filename is not None and os.path.abspath(record.filename) == filename:
                text += f" (line {record.lineno})"
            call.warnings.append(text)
    return call


def _as_array(call: _Call, shape: tuple[int, ...], what: str) -> tuple[np.ndarray | None, str]:
    """The reader's return value as a float64 array of ``shape``, or why it is not one."""
    if call.error is not None:
        return None, call.error
    value = call.value
    if value is None:
        return None, "your function returned None (is a `return` missing?)"
    if call.unusable:
        return None, f"your function returned {call.unusable}, not {what}"
    array = call.array
    kind = type(value).__name__
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    if (
        array is None
        or array.dtype == object
        or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_)
    ):
        if isinstance(value, np.ndarray):  # an array, but not of numbers
            return None, f"your function returned an array of dtype {value.dtype}, not {what}"
        return None, f"your function returned {article} {kind}, not {what}"
    if np.issubdtype(array.dtype, np.complexfloating):
        return None, "your function returned complex numbers"
    array = array.astype(np.float64)
    if array.shape != shape:
        wanted = "a single number" if shape == () else f"shape {shape}"
        got = "a single number" if array.shape == () else f"shape {array.shape}"
        return array, f"your function returned {got}, expected {wanted}"
    return array, ""


def _check_time_budget(time_budget: Any) -> float:
    if (
        isinstance(time_budget, bool | np.bool_)
        or not isinstance(time_budget, numbers.Real)
        or not 0 < float(time_budget) < math.inf
    ):
        raise ValueError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    return float(time_budget)


def _escape_verdict(session: _Session) -> tuple[str | None, str | None, str | None]:
    """(mistake, hint, note) when the reader's code ran out of time or raised a BaseException."""
    if session.timed_out:
        note = (
            f"Your function did not return within {session.budget:g} s (the check's time "
            "budget); does it loop forever?"
        )
        if session.stuck:
            note += " It could not be stopped and goes on in the background."
        return "timeout", _hint("timeout", budget=f"{session.budget:g}"), note
    if session.escaped is not None:
        return "base_exception", _hint("base_exception", name=session.escaped), None
    return None, None, None


def _non_finite(array: np.ndarray) -> str:
    """``"your function returned nan"`` (or inf), for a result that is not finite."""
    kinds = [
        kind for kind, bad in (("nan", np.isnan(array)), ("inf", np.isinf(array))) if bad.any()
    ]
    return f"your function returned {' and '.join(kinds)}"


# ---------------------------------------------------------------------------
# Comparison and diagnosis
# ---------------------------------------------------------------------------


def _close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Entry by entry, whether ``got`` is within tolerance of ``expected``.

    An infinite expected entry is matched only by the same infinity (its
    tolerance, ``rtol * inf``, would otherwise accept any number).
    """
    with np.errstate(all="ignore"):
        close = np.abs(got - expected) <= atol + rtol * np.abs(expected)
        return np.where(np.isfinite(expected), close, got == expected)


def _same(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """Equal within tolerance, counting non-finite entries equal to non-finite ones."""
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)
    if not np.array_equal(finite, np.isfinite(b)):
        return False
    return bool(np.all(_close(a[finite], b[finite], rtol, atol)))


def _difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """Where and by how much ``got`` differs from ``expected``, in a few words."""
    bad = ~_close(got, expected, rtol, atol)
    if got.ndim == 0:
        if expected != 0:
            return f"off by a factor {float(got) / float(expected):.4g}"
        return "differs from the expected value"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = index[0] if len(index) == 1 else index
    return (
        f"{int(bad.sum())} of {bad.size} entries differ; the first at index {where}: "
        f"expected {_format_number(expected[index])}, got {_format_number(got[index])}"
    )


@dataclass
class _Item:
    """One comparison of a reader's result with optlib's, for the diagnosis."""

    expected: np.ndarray
    got: np.ndarray | None  # None: no usable result
    passed: bool
    warned: bool
    rtol: float
    atol: float
    exact: bool = True  # loose cases (edge cases with several right answers) are not matched
    mutants: dict[str, list[np.ndarray | None]] = field(default_factory=dict)
    before: np.ndarray | None = None  # an optimizer's θ before the step


def _variant_matches(items: list[_Item], key: str, index: int) -> tuple[bool, int]:
    """Whether the reader's results agree with variant ``index`` of mutant ``key``.

    Returns (matches, unexplained): the variant matches when it agrees with every
    usable result of the reader where it is defined, and explains at least one
    failure. A non-finite reader result where the variant is finite does not
    count against it (that is a stability problem, reported separately); such
    results are counted as ``unexplained``.
    """
    evidence = unexplained = 0
    for item in items:
        if not item.exact or item.got is None:
            continue
        variants = item.mutants.get(key)
        if not variants or variants[index] is None:
            continue
        mutant = variants[index]
        got = item.got
        if mutant.shape != got.shape:
            return False, 0
        rtol, atol = max(_MATCH_RTOL, 10 * item.rtol), 100 * item.atol
        finite = np.isfinite(got)
        if not finite.all() and np.isfinite(mutant[~finite]).all():
            unexplained += 1
            continue
        if not _same(got, mutant, rtol, atol):
            return False, 0
        if not item.passed and not _same(mutant, item.expected, item.rtol, item.atol):
            evidence += 1
        if item.warned and np.isfinite(mutant).all():  # a warning the mistake does not explain
            unexplained += 1
    return evidence > 0, unexplained


def _find_mistake(items: list[_Item], keys: Sequence[str]) -> tuple[str | None, int, int]:
    """The first mutant (in priority order) that the reader's results match.

    Returns (key, variant index, unexplained count), or (None, 0, 0).
    """
    for key in keys:
        count = max((len(item.mutants.get(key, ())) for item in items), default=0)
        for index in range(count):
            matches, unexplained = _variant_matches(items, key, index)
            if matches:
                return key, index, unexplained
    return None, 0, 0


def _constant_factor(items: list[_Item], steps: bool = False) -> float | None:
    """The factor c when every failing result is c times the expected one (c ≠ 1)."""
    ratios = []
    for item in items:
        if item.passed or not item.exact or item.got is None or item.warned:
            continue
        got, expected = item.got, item.expected
        if steps:  # compare the steps, not the positions
            got, expected = got - item.before, expected - item.before
        if not np.isfinite(got).all():
            return None
        nonzero = np.abs(expected) > 1e-12 * max(1.0, float(np.abs(expected).max()))
        if not nonzero.any():
            continue
        if not _same(got[~nonzero], np.zeros_like(got[~nonzero]), item.rtol, item.atol):
            return None
        with np.errstate(all="ignore"):
            ratios.append((got[nonzero] / expected[nonzero]).ravel())
    if not ratios:
        return None
    ratio = np.concatenate(ratios)
    factor = float(ratio[0])
    if not np.allclose(ratio, factor, rtol=1e-4) or np.isclose(factor, 1.0, rtol=1e-4):
        return None
    return factor


def _unstable(items: list[_Item]) -> bool:
    return any(
        (item.got is not None and not np.isfinite(item.got).all()) or item.warned
        for item in items
        if not item.passed
    )


def _diagnose(
    items: list[_Item],
    mutant_keys: Sequence[str],
    stability_key: str,
    fallbacks: Sequence[tuple[bool, str, dict[str, Any]]] = (),
    steps: bool = False,
    fields: dict[tuple[str, int], dict[str, Any]] | None = None,
) -> tuple[str | None, str | None]:
    """Choose the hint: a matching mutant, else the first applicable fallback.

    The order: a known mistake matched by the reader's numbers (plus the
    stability hint when some results are also non-finite); then the
    ``fallbacks`` (shape, ``None``, signature problems: each a
    ``(applies, key, fields)``); then numerical instability; then a constant
    factor between the reader's results and the expected ones. ``fields``
    fills in the hint of a mutant, by (key, variant index).
    """
    if all(item.passed for item in items):
        return None, None
    with np.errstate(all="ignore"):  # extreme values must not warn from the checker itself
        return _diagnose_items(items, mutant_keys, stability_key, fallbacks, steps, fields)


def _diagnose_items(
    items: list[_Item],
    mutant_keys: Sequence[str],
    stability_key: str,
    fallbacks: Sequence[tuple[bool, str, dict[str, Any]]],
    steps: bool,
    fields: dict[tuple[str, int], dict[str, Any]] | None,
) -> tuple[str | None, str | None]:
    key, index, unexplained = _find_mistake(items, mutant_keys)
    if key is not None:
        hint = _hint(key, **(fields or {}).get((key, index), {}))
        if unexplained and _unstable(items):
            hint += " Also: " + _hint(stability_key)
        return key, hint
    for applies, fallback, fallback_fields in fallbacks:
        if applies:
            return fallback, _hint(fallback, **fallback_fields)
    if _unstable(items):
        return stability_key, _hint(stability_key)
    factor = _constant_factor(items, steps=steps)
    if factor == 0.0:  # an exercise stub that was never filled in
        key = "no_step" if steps else "all_zero"
        return key, _hint(key)
    if factor is not None:
        return "constant_factor", _hint("constant_factor", factor=f"{factor:.4g}")
    return None, None


def _check_callable(fn: Any, check: str, example: str, argument: str = "fn") -> None:
    if isinstance(fn, type):
        raise ValueError(
            f"{check} takes your function, e.g. {example}; {argument} is the class "
            f"{fn.__name__}: pass a function (or an instance, {fn.__name__}(...), if its "
            "instances are callable)"
        )
    if not callable(fn):
        raise ValueError(
            f"{check} takes your function itself, e.g. {example}, not the result of "
            f"calling it; got {argument}={type(fn).__name__} {_format(fn, 40)}"
        )


def _name_of(fn: Callable) -> str:
    try:
        name = getattr(fn, "__name__", None)
    except Exception:  # an object whose attributes misbehave
        name = None
    return name if isinstance(name, str) and name else type(fn).__name__


def _choice(kind: str, value: Any, choices: Sequence[str], plural: str = "") -> str:
    if isinstance(value, str) and value.lower() in choices:
        return value.lower()
    options = ", ".join(f'"{choice}"' for choice in choices)
    raise ValueError(f"unknown {kind} {value!r}; the {plural or kind + 's'} are {options}")


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


@dataclass
class _LossSpec:
    name: str
    from_logits: bool
    reduction: str
    delta: float
    reference: Loss

    @property
    def family(self) -> str:
        return self.name if self.name in _CE else "regression"

    def other(self, from_logits: bool) -> Loss:
        """The same loss read the other way (probabilities <-> logits)."""
        return _LOSS_CLASSES[self.name](from_logits=from_logits)


_LOSS_CLASSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "bce": BinaryCrossEntropy,
    "cce": CategoricalCrossEntropy,
    "sparse_cce": SparseCategoricalCrossEntropy,
}


# The Huber cases are built around delta (residuals of about 1.5 delta): outside
# this range they would overflow, or round every residual to 0 and compare nothing.
_DELTA_RANGE = (1e-6, 1e6)


def _loss_spec(name: Any, from_logits: Any, reduction: Any, delta: Any) -> _LossSpec:
    name = _choice("loss", name, LOSS_NAMES, "losses")
    if not isinstance(from_logits, bool | np.bool_):
        raise ValueError(f"from_logits must be True or False, got {from_logits!r}")
    if from_logits and name not in _CE:
        raise ValueError(
            f'from_logits applies to the cross-entropies ("bce", "cce", "sparse_cce"), '
            f'not to "{name}"'
        )
    reduction = _choice("reduction", reduction, REDUCTIONS)
    if (
        isinstance(delta, bool | np.bool_)
        or not isinstance(delta, numbers.Real)
        or not 0 < float(delta) < math.inf
    ):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    if name == "huber":
        low, high = _DELTA_RANGE
        if not low <= delta <= high:
            raise ValueError(
                f"check.loss builds its cases around delta (residuals of about 1.5·delta), "
                f"so it takes {low:g} <= delta <= {high:g}; got delta={delta!r}"
            )
        reference = Huber(delta=float(delta))
    else:
        if delta != 1.0:
            raise ValueError(f'delta applies to "huber" only, not to "{name}"')
        cls = _LOSS_CLASSES[name]
        reference = cls(from_logits=bool(from_logits)) if name in _CE else cls()
    return _LossSpec(name, bool(from_logits), reduction, float(delta), reference)


def _loss_title(check: str, fn: Callable, spec: _LossSpec) -> str:
    parts = [_name_of(fn), f'"{spec.name}"']
    if spec.from_logits:
        parts.append("from_logits=True")
    if spec.reduction != "mean":
        parts.append(f'reduction="{spec.reduction}"')
    if spec.name == "huber" and spec.delta != 1.0:
        parts.append(f"delta={spec.delta:g}")
    return f"check.{check}({', '.join(parts)})"


@dataclass
class _LossCase:
    name: str
    y_pred: np.ndarray
    y_true: np.ndarray
    value_kind: str = "exact"  # "exact" or "large" (a confident wrong prediction)
    grad_kind: str = "exact"  # "exact", "finite" or "sign"
    value_atol: float | None = None  # for "exact": overrides the default atol


def _loss_cases(spec: _LossSpec) -> list[_LossCase]:
    """The inputs a loss is checked on: fixed, the same at every call."""
    rng = np.random.default_rng(20240501)
    f32 = np.float32

    if spec.family == "regression":
        spread = 1.5 * spec.delta if spec.name == "huber" else 1.5

        def regression(shape: Any, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
            y_true = rng.normal(size=shape)
            y_pred = y_true + spread * rng.normal(size=shape)
            return y_pred.astype(dtype), y_true.astype(dtype)

        same = rng.normal(size=4)
        return [
            _LossCase("5 predictions", *regression(5)),
            _LossCase("a 4×3 batch", *regression((4, 3))),
            _LossCase("a single prediction", *regression(1)),
            _LossCase("a 4×3 batch in float32", *regression((4, 3), f32)),
            _LossCase("perfect predictions (all residuals 0)", same.copy(), same.copy()),
        ]

    if spec.family == "bce":

        def binary(shape: Any, dtype: Any = np.float64, soft: bool = False) -> tuple:
            if spec.from_logits:
                y_pred = rng.normal(scale=3.0, size=shape)
            else:
                y_pred = rng.uniform(0.05, 0.95, size=shape)
            y_true = rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape) * 1.0
            return y_pred.astype(dtype), y_true.astype(dtype)

        plural, single = (
            ("logits", "logit") if spec.from_logits else ("probabilities", "probability")
        )
        cases = [
            _LossCase(f"5 {plural}", *binary(5)),
            _LossCase("a 4×3 batch", *binary((4, 3))),
            _LossCase(f"a single {single}", *binary(1)),
            _LossCase("soft labels (targets between 0 and 1)", *binary(6, soft=True)),
            _LossCase("a 4×3 batch in float32", *binary((4, 3), f32)),
        ]
        if spec.from_logits:
            cases += [
                _LossCase(
                    "logits between 0 and 1",
                    rng.uniform(0.1, 0.9, size=(2, 3)),
                    rng.integers(0, 2, size=(2, 3)) * 1.0,
                ),
                _LossCase(
                    "huge logits (±1e4)",
                    np.array([1e4, -1e4, 1e4, -1e4]),
                    np.array([1.0, 0.0, 0.0, 1.0]),
                ),
            ]
        else:
            cases += [
                _LossCase(
                    "probabilities of exactly 0 and 1, right",
                    np.array([0.0, 1.0, 1.0, 0.0]),
                    np.array([0.0, 1.0, 1.0, 0.0]),
                    value_atol=1e-6,
                    grad_kind="finite",
                ),
                _LossCase(
                    "probabilities of exactly 0 and 1, wrong",
                    np.array([0.0, 1.0, 0.0, 1.0]),
                    np.array([1.0, 0.0, 1.0, 0.0]),
                    value_kind="large",
                    grad_kind="sign",
                ),
            ]
        return cases

    # the two categorical cross-entropies
    sparse = spec.name == "sparse_cce"

    def labels_of(classes: np.ndarray, n_classes: int) -> np.ndarray:
        return classes if sparse else np.eye(n_classes)[classes]

    def categorical(n: int, n_classes: int, dtype: Any = np.float64, soft: bool = False):
        if spec.from_logits:
            y_pred = rng.normal(scale=3.0, size=(n, n_classes))
        else:  # rows that sum to 1, every entry at least 0.2 / C
            y_pred = 0.8 * rng.dirichlet(np.ones(n_classes), size=n) + 0.2 / n_classes
        classes = rng.integers(0, n_classes, size=n)
        if soft:
            y_true = rng.dirichlet(np.ones(n_classes), size=n)
        else:
            y_true = labels_of(classes, n_classes)
        if not sparse:
            y_true = y_true.astype(dtype)
        return y_pred.astype(dtype), y_true

    cases = [
        _LossCase("4 examples, 3 classes", *categorical(4, 3)),
        _LossCase("1 example, 5 classes", *categorical(1, 5)),
        _LossCase("6 examples, 2 classes", *categorical(6, 2)),
    ]
    if not sparse:
        cases.append(
            _LossCase("soft labels (rows of probabilities)", *categorical(5, 4, soft=True))
        )
    cases.append(_LossCase("4 examples, 3 classes in float32", *categorical(4, 3, f32)))
    if spec.from_logits:
        cases += [
            _LossCase(
                "logits between 0 and 1",
                rng.uniform(0.1, 0.9, size=(3, 4)),
                labels_of(np.array([2, 0, 3]), 4),
            ),
            _LossCase(
                "huge logits (±1e4)",
                np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]),
                labels_of(np.array([1, 1]), 3),
            ),
        ]
    else:
        cases += [
            _LossCase(
                "a probability of 0 for a wrong class",
                np.array([[0.0, 0.7, 0.3], [0.5, 0.5, 0.0]]),
                labels_of(np.array([1, 0]), 3),
            ),
            _LossCase(
                "a probability of 0 for the true class",
                np.array([[0.0, 0.6, 0.4], [0.2, 0.8, 0.0]]),
                labels_of(np.array([0, 2]), 3),
                value_kind="large",
                grad_kind="sign",
            ),
        ]
    return cases


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.mean(values)
    if reduction == "sum":
        return np.sum(values)
    return values


def _grad_scale(spec: _LossSpec, y_pred: np.ndarray, reduction: str | None = None) -> float:
    """What the gradient of the mean divides by (1 for "sum" and "none")."""
    if (reduction or spec.reduction) != "mean":
        return 1.0
    return 1.0 / (len(y_pred) if spec.family in ("cce", "sparse_cce") else y_pred.size)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(spec: _LossSpec, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    return np.eye(y_pred.shape[1])[y_true] if spec.name == "sparse_cce" else y_true


MutantFn = Callable[[np.ndarray, np.ndarray], "np.ndarray | None"]


def _loss_value_mutants(spec: _LossSpec) -> list[tuple[str, MutantFn]]:
    """Known-wrong variants of the loss value, in the order they are tried."""
    ref, reduction, family = spec.reference, spec.reduction, spec.family

    def value(p: np.ndarray, y: np.ndarray, how: str = reduction) -> np.ndarray:
        return np.asarray(ref(p, y, reduction=how))

    mutants: list[tuple[str, MutantFn]] = []
    if family in _CE:
        if spec.from_logits:
            as_probabilities = spec.other(from_logits=False)

            def forgot(p: np.ndarray, y: np.ndarray) -> np.ndarray | None:
                if p.min() < 0 or p.max() > 1:
                    return None  # the mistake gives log of a negative number: no value
                return np.asarray(as_probabilities(p, y, reduction=reduction))

            mutants.append(("forgot_activation", forgot))
        else:
            as_logits = spec.other(from_logits=True)
            mutants.append(
                (
                    "extra_activation",
                    lambda p, y: np.asarray(as_logits(p, y, reduction=reduction)),
                )
            )
        mutants.append(("log_base", lambda p, y: value(p, y) / np.log(10)))
        mutants.append(("log_base", lambda p, y: value(p, y) / np.log(2)))
    if family in ("cce", "sparse_cce") and reduction == "mean":
        mutants.append(("mean_over_classes", lambda p, y: value(p, y) / p.shape[1]))
    if spec.name == "mse":
        if reduction == "mean":
            mutants.append(("rmse", lambda p, y: np.sqrt(value(p, y))))
        mutants.append(("half_mse", lambda p, y: 0.5 * value(p, y)))
        mutants.append(("not_squared", lambda p, y: _reduce(p - y, reduction)))
    if spec.name == "mae":
        mutants.append(("not_absolute", lambda p, y: _reduce(p - y, reduction)))
        mutants.append(("mae_squared", lambda p, y: _reduce((p - y) ** 2, reduction)))
    if spec.name == "huber":
        delta = spec.delta

        def huber_variant(p: np.ndarray, y: np.ndarray, half: float, offset: float):
            r = np.abs(p - y)
            return _reduce(
                np.where(r < delta, half * r * r, delta * (r - offset * delta)), reduction
            )

        mutants.append(("huber_no_half", lambda p, y: huber_variant(p, y, 1.0, 0.5)))
        mutants.append(("huber_no_offset", lambda p, y: huber_variant(p, y, 0.5, 0.0)))
    if reduction == "mean":
        mutants.append(("sum_not_mean", lambda p, y: value(p, y, "sum")))
    if reduction == "sum":
        mutants.append(("mean_not_sum", lambda p, y: value(p, y, "mean")))
        if family in ("cce", "sparse_cce"):  # the mean over all n·C entries
            mutants.append(("mean_not_sum", lambda p, y: value(p, y, "sum") / p.size))
    mutants.append(("negated", lambda p, y: -value(p, y)))
    return mutants


def _loss_grad_mutants(spec: _LossSpec) -> list[tuple[str, MutantFn]]:
    """Known-wrong variants of the loss gradient, in the order they are tried."""
    ref, reduction, family = spec.reference, spec.reduction, spec.family

    def grad(p: np.ndarray, y: np.ndarray, how: str = reduction) -> np.ndarray:
        return ref.grad(p, y, reduction=how)

    mutants: list[tuple[str, MutantFn]] = []
    if family in _CE:
        if spec.from_logits:
            as_probabilities = spec.other(from_logits=False)
            activation = _sigmoid if family == "bce" else _softmax

            def forgot(p: np.ndarray, y: np.ndarray) -> np.ndarray:
                return (p - _one_hot(spec, p, y)) * _grad_scale(spec, p)

            def wrt_probabilities(p: np.ndarray, y: np.ndarray) -> np.ndarray | None:
                probabilities = activation(p)
                if np.any((probabilities == 0) | (probabilities == 1)):
                    return None  # saturated: the value depends on how the reader clips
                return as_probabilities.grad(probabilities, y, reduction=reduction)

            mutants.append(("grad_forgot_activation", forgot))
            mutants.append(("grad_wrt_probabilities", wrt_probabilities))
        else:
            as_logits = spec.other(from_logits=True)
            mutants.append(
                ("extra_activation", lambda p, y: as_logits.grad(p, y, reduction=reduction))
            )
        mutants.append(("log_base", lambda p, y: grad(p, y) / np.log(10)))
        mutants.append(("log_base", lambda p, y: grad(p, y) / np.log(2)))
    if spec.name == "mse":
        mutants.append(("mse_missing_2", lambda p, y: grad(p, y) / 2))
    if spec.name == "mae":
        mutants.append(
            ("mae_sign_at_zero", lambda p, y: np.where(p >= y, 1.0, -1.0) * _grad_scale(spec, p))
        )
        mutants.append(
            ("mae_sign_at_zero", lambda p, y: np.where(p > y, 1.0, -1.0) * _grad_scale(spec, p))
        )
    if spec.name == "huber":
        delta = spec.delta

        def huber_no_half(p: np.ndarray, y: np.ndarray) -> np.ndarray:
            r = p - y
            inner = np.where(np.abs(r) < delta, 2 * r, delta * np.sign(r))
            return inner * _grad_scale(spec, p)

        mutants.append(("huber_no_half", huber_no_half))
    if reduction == "mean":
        if family in ("cce", "sparse_cce"):
            mutants.append(("grad_divided_by_nC", lambda p, y: grad(p, y) / p.shape[1]))
        mutants.append(("grad_not_divided", lambda p, y: grad(p, y, "sum")))
    else:
        mutants.append(("grad_divided", lambda p, y: grad(p, y, "mean")))
    mutants.append(("grad_negated", lambda p, y: -grad(p, y)))
    return mutants


def _stability_key(spec: _LossSpec) -> str:
    if spec.family == "regression":
        return "unstable"
    if not spec.from_logits:
        return "unstable_probabilities"
    return "unstable_bce_logits" if spec.family == "bce" else "unstable_cce_logits"


def _judge_loose(
    kind: str, got: np.ndarray, expected: np.ndarray, spec: _LossSpec
) -> tuple[bool, str, bool]:
    """Edge cases where several answers are right (any sensible clipping).

    Returns (passed, message, too_small): ``too_small`` flags a confident wrong
    prediction that costs too little (the probabilities were clipped too far).
    """
    if kind == "large":
        # every element (example) of the case is a confident wrong prediction
        threshold = expected * (_LARGE_LOSS / 100.0)
        if np.all(got >= threshold):
            return True, "", False
        return (
            False,
            "a confident wrong prediction must cost a lot: expected a large loss "
            f"(at least {_LARGE_LOSS:.3g} per {'example' if spec.family != 'bce' else 'element'}; "
            "PyTorch gives 100, Keras 16.1)",
            True,
        )
    if kind == "sign":
        required = expected != 0
        if np.all(np.sign(got[required]) == np.sign(expected[required])):
            return True, "", False
        where = (
            "the sign of y_pred − y_true"
            if spec.family == "bce"
            else "negative for the true class"
        )
        return (
            False,
            "at a probability of exactly 0 or 1 the gradient must still point the right way "
            f"({where})",
            False,
        )
    return True, "", False  # "finite": checked before


def _check_loss(fn: Callable, spec: _LossSpec, check: str, session: _Session) -> CheckResult:
    grad = check == "loss_grad"
    title = _loss_title(check, fn, spec)
    mutant_specs = _loss_grad_mutants(spec) if grad else _loss_value_mutants(spec)
    keys = list(dict.fromkeys(key for key, _ in mutant_specs))
    cases: list[CaseResult] = []
    compared: list[tuple[_LossCase, _Item]] = []
    shapes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (expected, got) mismatches
    nones = signature = too_small = False
    for case in _loss_cases(spec):
        inputs = {"y_pred": case.y_pred, "y_true": case.y_true}
        with np.errstate(all="ignore"):
            if grad:
                expected = spec.reference.grad(case.y_pred, case.y_true, spec.reduction)
            else:
                expected = spec.reference(case.y_pred, case.y_true, spec.reduction)
        expected = np.asarray(expected, dtype=np.float64)
        if not np.isfinite(expected).all():  # a safety net: the fixed cases never do this
            message = "not compared: optlib's own result is not finite here"
            cases.append(CaseResult(case.name, inputs, expected[()], None, False, message, False))
            continue
        dtype = case.y_pred.dtype
        rtol = _RTOL[dtype]
        atol = _ATOL[dtype] * max(1.0, float(np.abs(expected).max()))
        kind = case.grad_kind if grad else case.value_kind
        if not grad and case.value_atol is not None:
            atol = case.value_atol
        call = _call_reader(session, fn, (case.y_pred.copy(), case.y_true.copy()))
        got, problem = _as_array(call, expected.shape, "numbers")
        nones |= call.error is None and call.value is None
        signature |= call.refused
        if got is not None and problem:
            shapes.append((expected.shape, got.shape))
        passed, message = False, problem
        usable = got if not problem else None
        if usable is not None:
            if not np.isfinite(usable).all():
                message = _non_finite(usable)
            elif kind == "exact":
                passed = bool(np.all(_close(usable, expected, rtol, atol)))
                message = "" if passed else _difference(usable, expected, rtol, atol)
            else:
                passed, message, small = _judge_loose(kind, usable, expected, spec)
                too_small |= small
        if call.warnings:  # a warning fails the case, whatever the value
            passed = False
            message = f"{message}; {call.warning}" if message else f"your function {call.warning}"
        item = _Item(expected, usable, passed, bool(call.warnings), rtol, atol, kind == "exact")
        compared.append((case, item))
        cases.append(
            CaseResult(
                case.name, inputs, expected[()], got if got is None else got[()], passed, message
            )
        )

    items = [item for _, item in compared]
    mistake, hint, note = _escape_verdict(session)
    if mistake is None:
        if not all(item.passed for item in items):  # the known-wrong variants, for the hint
            for case, item in compared:
                if item.exact:
                    item.mutants = _loss_mutant_values(mutant_specs, case)
        # Clipping too far shows only at probabilities of 0 and 1: other failures point
        # elsewhere.
        too_small &= all(
            item.passed for case, item in compared if item.exact and case.value_atol is None
        )
        fallbacks = _loss_fallbacks(spec, grad, shapes, nones, signature, too_small)
        mistake, hint = _diagnose(items, keys, _stability_key(spec), fallbacks)
    if len(items) < len(cases):
        note = _join_notes(note, "optlib's own result is not finite in some cases.")
    return CheckResult(title, cases, hint, mistake, note)


def _join_notes(*notes: str | None) -> str | None:
    return " ".join(note for note in notes if note) or None


def _loss_mutant_values(
    mutant_specs: list[tuple[str, MutantFn]], case: _LossCase
) -> dict[str, list[np.ndarray | None]]:
    """Every known-wrong variant on one case, by key (None where one is undefined)."""
    mutants: dict[str, list[np.ndarray | None]] = {}
    for key, mutant in mutant_specs:
        with np.errstate(all="ignore"):
            try:
                result = mutant(case.y_pred, case.y_true)
            except Exception:  # e.g. probabilities outside [0, 1] for optlib's loss
                result = None
        mutants.setdefault(key, []).append(
            None if result is None else np.asarray(result, dtype=np.float64)
        )
    return mutants


def _loss_fallbacks(
    spec: _LossSpec,
    grad: bool,
    shapes: list[tuple[tuple[int, ...], tuple[int, ...]]],
    nones: bool,
    signature: bool,
    too_small: bool,
) -> list[tuple[bool, str, dict[str, Any]]]:
    wanted, got = shapes[0] if shapes else ((), ())
    categorical = spec.family in ("cce", "sparse_cce")
    call = "it is called as fn(y_pred, y_true) and returns " + (
        "the gradient" if grad else "the loss"
    )
    return [
        (signature, "signature", {"call": call}),
        (nones, "returned_none", {}),
        (bool(shapes) and grad, "grad_shape", {}),
        (bool(shapes) and wanted == () and not grad, "scalar_expected", {}),
        (
            bool(shapes) and categorical and len(got) == 2 and not grad,
            "per_example_expected",
            {},
        ),
        (bool(shapes) and wanted != () and not grad, "per_element_expected", {}),
        (too_small, "clipped_too_much", {}),
    ]


def loss(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    name: str,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    delta: float = 1.0,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your loss function against optlib's.

    Your function is called as ``fn(y_pred, y_true)`` on a set of cases
    (several shapes, float64 and float32, soft labels, and the edge cases:
    probabilities of exactly 0 and 1, huge logits) and must return the loss
    with the given reduction.

    Parameters
    ----------
    fn : callable
        Your loss, ``fn(y_pred, y_true) -> float`` (for ``reduction="none"``,
        an array: one loss per element, or per example for ``"cce"`` and
        ``"sparse_cce"``).
    name : {"mse", "mae", "huber", "bce", "cce", "sparse_cce"}
        Which of :mod:`optlib.losses` to compare with. ``y_pred`` is ``(n, C)``
        for the categorical losses; ``y_true`` is one-hot or soft labels
        ``(n, C)`` for ``"cce"`` and integer labels ``(n,)`` for ``"sparse_cce"``.
    from_logits : bool, default False
        Whether ``y_pred`` holds logits (cross-entropies only).
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction your function computes, as in PyTorch: the mean is over
        all elements, or over the examples for the categorical losses.
    delta : float, default 1.0
        The Huber threshold (``"huber"`` only), between 1e-6 and 1e6.
    time_budget : float, default 5.0
        Seconds your function may take in all, over every case; a function
        that has not returned by then is stopped and the verdict says so (see
        "Time budget" in the module docstring).

    Returns
    -------
    CheckResult
        Prints as a verdict; ``.passed``, ``.cases``, ``.hint``.

    Raises
    ------
    ValueError
        An unknown loss name or reduction, an option that does not apply, or a
        bad ``delta`` or ``time_budget``. Mistakes in your function never
        raise: they are failed cases.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_bce(y_pred, y_true):
    ...     p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    ...     return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
    >>> check.loss(my_bce, "bce")
    ✔ 7 of 7 cases pass: check.loss(my_bce, "bce")

    Without the clipping, probabilities of exactly 0 and 1 give ``log(0)``:

    >>> def my_naive_bce(y_pred, y_true):
    ...     return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)))
    >>> result = check.loss(my_naive_bce, "bce")
    >>> result.verdict
    '✘ 2 of 7 cases fail'
    >>> result.mistake
    'unstable_probabilities'
    """
    _check_callable(fn, "check.loss", 'check.loss(my_bce, "bce")')
    spec = _loss_spec(name, from_logits, reduction, delta)
    with _Session(_check_time_budget(time_budget)) as session:
        return _check_loss(fn, spec, "loss", session)


def loss_grad(
    fn: Callable[[np.ndarray, np.ndarray], Any],
    name: str,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    delta: float = 1.0,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your gradient of a loss against optlib's ``.grad``.

    Your function is called as ``fn(y_pred, y_true)`` on the cases of
    :func:`loss` and must return the gradient of the reduced loss with respect
    to ``y_pred`` (the logits when ``from_logits=True``): an array shaped like
    ``y_pred``. For ``reduction="mean"`` that is the gradient of the mean, so
    it is divided by the number of elements (of examples, for the categorical
    losses); for ``"none"`` it is each element's gradient of its own loss.

    At probabilities of exactly 0 or 1 implementations rightly differ (PyTorch
    floors the denominator at 1e-12, others clip the probabilities first): there
    the gradient must be finite and point the right way, whatever its size.

    Parameters
    ----------
    fn : callable
        Your gradient, ``fn(y_pred, y_true) -> array`` shaped like ``y_pred``.
    name, from_logits, reduction, delta, time_budget
        As for :func:`loss`.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_mse_grad(y_pred, y_true):
    ...     return 2 * (y_pred - y_true) / y_pred.size
    >>> check.loss_grad(my_mse_grad, "mse")
    ✔ 5 of 5 cases pass: check.loss_grad(my_mse_grad, "mse")
    >>> def my_mse_grad_without_2(y_pred, y_true):
    ...     return (y_pred - y_true) / y_pred.size
    >>> print(check.loss_grad(my_mse_grad_without_2, "mse").hint)
    The factor 2 is missing: the derivative of (ŷ − y)² is 2(ŷ − y).
    """
    _check_callable(fn, "check.loss_grad", 'check.loss_grad(my_mse_grad, "mse")')
    spec = _loss_spec(name, from_logits, reduction, delta)
    with _Session(_check_time_budget(time_budget)) as session:
        return _check_loss(fn, spec, "loss_grad", session)


# ---------------------------------------------------------------------------
# Gradients of surfaces
# ---------------------------------------------------------------------------


def _numerical_gradient(f: Callable, x: np.ndarray) -> np.ndarray:
    """Central differences of ``f`` at ``x``, one coordinate at a time."""
    grad = np.empty(x.shape)
    for i in range(x.size):
        h = 1e-5 * max(1.0, abs(float(x[i])))
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (float(f(x + step)) - float(f(x - step))) / (2 * h)
    return grad


def _component_names(d: int) -> list[str]:
    if d == 1:
        return ["f′(x)"]
    if d == 2:
        return ["∂f/∂x", "∂f/∂y"]
    return [f"∂f/∂x{i + 1}" for i in range(d)]


def _surface_points(f: Any, points: Any) -> tuple[list[tuple[str, np.ndarray]], bool]:
    """The points to check at, named; and whether the reference is ``f.grad``."""
    has_grad = callable(getattr(f, "grad", None))
    if points is None:
        if not isinstance(f, Surface):
            raise ValueError(
                "check.gradient needs points=... (an array of shape (k, d)) unless f is one "
                "of optlib's surfaces, such as Rosenbrock()"
            )
        rng = np.random.default_rng(3)
        bounds = np.asarray(f.bounds, dtype=np.float64)
        low, high = bounds[:, 0], bounds[:, 1]
        random = np.round(low + (high - low) * rng.uniform(0.1, 0.9, size=(5, f.dim)), 2)
        named = [(f"at {_point_name(x)}", x) for x in random[:4]]
        named.append((f"at the minimum {_point_name(f.minima[0])}", np.array(f.minima[0])))
        named.append((f"at {_point_name(random[4])} in float32", random[4].astype(np.float32)))
        return named, has_grad
    try:
        array = np.asarray(points)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"points must be an array of shape (k, d): {error}") from None
    if (
        array.dtype == object
        or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_)
        or np.issubdtype(array.dtype, np.complexfloating)
    ):
        raise ValueError(
            f"points must be real numbers, an array of shape (k, d); got {_format(points, 40)} "
            f"(dtype {array.dtype})"
        )
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"points must be a finite array of shape (k, d), got shape {array.shape}")
    dim = getattr(f, "dim", array.shape[1])
    if array.shape[1] != dim:
        raise ValueError(f"points must have d={dim} coordinates, got shape {array.shape}")
    return [(f"at {_point_name(x)}", x) for x in array], has_grad


def _point_name(x: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.3g}" for v in x) + ")"


def gradient(
    fn: Callable[[np.ndarray], Any],
    f: Any,
    points: Any = None,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> CheckResult:
    """Check your gradient of a surface (or of any function of a vector).

    Your function is called as ``fn(x)`` with ``x`` a 1-D array of shape
    ``(d,)`` and must return the gradient there, an array of the same shape.
    The reference is ``f.grad`` for optlib's surfaces (``Rosenbrock()``,
    ``Beale()``, ...), which are checked at four points inside their plotting
    bounds, at a minimum and at a float32 point; for any other function
    ``f(x) -> float`` give ``points`` and the reference is central finite
    differences (compared to relative 1e-5).

    Parameters
    ----------
    fn : callable
        Your gradient, ``fn(x) -> array`` of shape ``(d,)``.
    f : Surface or callable
        The function whose gradient you wrote: a surface from
        :mod:`optlib.functions`, or a callable ``f(x) -> float``.
    points : array_like of shape (k, d), optional
        Where to check; required when ``f`` is not one of optlib's surfaces.
        A point where the reference gradient is not finite (or ``f`` fails)
        compares nothing, and the check does not pass.
    time_budget : float, default 5.0
        Seconds your code (``fn``, and ``f`` when it is yours) may take in all.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        ``fn`` or ``f`` not a function (a class, a number), or bad ``points``
        or ``time_budget``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Rosenbrock, check
    >>> def my_rosenbrock_grad(x):
    ...     u, v = x
    ...     return np.array([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)])
    >>> check.gradient(my_rosenbrock_grad, Rosenbrock())
    ✔ 6 of 6 cases pass: check.gradient(my_rosenbrock_grad, Rosenbrock(a=1.0, b=100.0))
    >>> check.gradient(lambda x: 2 * x, lambda x: np.sum(x**2), points=[[1.0, 2.0, 3.0]])
    ✔ 1 of 1 cases pass: check.gradient(<lambda>, <lambda>)
    """
    _check_callable(fn, "check.gradient", "check.gradient(my_grad, Rosenbrock())")
    if isinstance(f, type):
        raise ValueError(f"pass a surface object, e.g. {f.__name__}(), not the class {f.__name__}")
    if not callable(f):
        raise ValueError(f"f must be a surface or a function of x, got {type(f).__name__}")
    named_points, has_grad = _surface_points(f, points)
    budget = _check_time_budget(time_budget)
    with _Session(budget) as session:
        return _check_gradient(fn, f, named_points, has_grad, session)


def _check_gradient(
    fn: Callable[[np.ndarray], Any],
    f: Any,
    named_points: list[tuple[str, np.ndarray]],
    has_grad: bool,
    session: _Session,
) -> CheckResult:
    title = (
        f"check.gradient({_name_of(fn)}, {f!r})"
        if isinstance(f, Surface)
        else (f"check.gradient({_name_of(fn)}, {_name_of(f)})")
    )
    reference_of = f.grad if has_grad else functools.partial(_numerical_gradient, f)
    references: list[np.ndarray | str] = []  # the gradient, or why there is none
    for _, x in named_points:
        call = _call_reader(session, reference_of, (x.astype(np.float64),), who="f")
        reference = None if call.error is not None or call.array is None else call.array
        if reference is not None and reference.size == x.size:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    reference = reference.astype(np.float64).reshape(x.shape)
                except (TypeError, ValueError):
                    reference = None
        if call.error is not None:
            references.append(f"not compared: the reference could not be computed: {call.error}")
        elif reference is None or reference.shape != x.shape:
            what = "f.grad" if has_grad else "f"
            references.append(f"not compared: {what} did not give a gradient of shape {x.shape}")
        elif not np.isfinite(reference).all():
            references.append("not compared: the gradient of f is not finite here")
        else:
            references.append(reference)
    finite = [r for r in references if isinstance(r, np.ndarray)]
    scale = max([1.0] + [float(np.abs(r).max()) for r in finite])
    names = _component_names(named_points[0][1].size)
    cases, items = [], []
    shapes = nones = signature = False
    for (name, x), expected in zip(named_points, references, strict=True):
        if isinstance(expected, str):
            cases.append(CaseResult(name, {"x": x}, None, None, False, expected, False))
            continue
        if x.dtype == np.float32:
            rtol, atol = 1e-3, 1e-4 * scale
        elif has_grad:
            rtol, atol = _RTOL[np.dtype(np.float64)], 1e-9 * scale
        else:
            rtol, atol = 1e-5, 1e-6 * scale
        call = _call_reader(session, fn, (x.copy(),))
        nones |= call.error is None and call.value is None
        signature |= call.refused
        got, problem = _as_array(call, x.shape, "an array of numbers")
        if got is not None and problem and x.size == 1 and got.size == 1:
            got, problem = got.reshape(x.shape), ""  # a 1-D surface's derivative as a number
        shapes |= got is not None and bool(problem)
        usable = got if not problem else None
        passed, message = False, problem
        if usable is not None:
            close = _close(usable, expected, rtol, atol)
            if not np.isfinite(usable).all():
                message = _non_finite(usable)
            elif close.all():
                passed = True
            else:
                wrong = [names[i] for i in range(x.size) if not close[i]]
                right = [names[i] for i in range(x.size) if close[i]]
                message = f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} off"
                if right:
                    message += f"; {', '.join(right)} {'is' if len(right) == 1 else 'are'} right"
        if call.warnings:  # a warning fails the case, whatever the value
            passed = False
            message = f"{message}; {call.warning}" if message else f"your function {call.warning}"
        mutants: dict[str, list[np.ndarray | None]] = {
            "surface_negated": [-expected],
            "surface_half": [expected / 2],
            "surface_double": [expected * 2],
        }
        if x.size >= 2:
            mutants["surface_swapped"] = [expected[::-1].copy()]
        items.append(
            _Item(expected, usable, passed, bool(call.warnings), rtol, atol, True, mutants)
        )
        cases.append(CaseResult(name, {"x": x}, expected, got, passed, message))
    keys = ["surface_swapped", "surface_negated", "surface_half", "surface_double"]
    fallbacks = [
        (signature, "signature", {"call": "it is called as fn(x) with x of shape (d,)"}),
        (nones, "returned_none", {}),
        (shapes, "surface_shape", {}),
    ]
    mistake, hint, note = _escape_verdict(session)
    if mistake is None:
        mistake, hint = _diagnose(items, keys, "unstable", fallbacks)
    if len(items) < len(cases) and not session.timed_out:
        note = _join_notes(
            note,
            "At some points the reference gradient is not finite or could not be computed, "
            "so nothing was compared there: choose other points.",
        )
    return CheckResult(title, cases, hint, mistake, note)


# ---------------------------------------------------------------------------
# Optimizer steps
# ---------------------------------------------------------------------------

_OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}
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


@dataclass
class _Trajectory:
    name: str
    surface: Surface
    shown: str  # the surface, as the verdict shows it
    theta0: np.ndarray
    lr_decay_per_step: float | None = None  # a schedule: lr × this each step


def _trajectories() -> list[_Trajectory]:
    bowl5 = Quadratic(A=np.diag([1.0, 2.0, 4.0, 8.0, 16.0]))
    ravine = "Quadratic(A=diag(1, 10))"
    return [
        _Trajectory(
            "quadratic ravine from (-2.5, 1.5)", Quadratic(), ravine, np.array([-2.5, 1.5])
        ),
        _Trajectory(
            "Rosenbrock from (-1.5, 2)", Rosenbrock(), "Rosenbrock()", np.array([-1.5, 2.0])
        ),
        _Trajectory("Beale from (1, 1.5)", Beale(), "Beale()", np.array([1.0, 1.5])),
        _Trajectory(
            "5-D bowl near its minimum (tiny gradients, one exactly 0)",
            bowl5,
            "Quadratic(A=diag(1, 2, 4, 8, 16))",
            np.array([3e-5, -2e-5, 0.0, 1e-5, -5e-6]),
        ),
        _Trajectory(
            "quadratic ravine in float32",
            Quadratic(),
            ravine,
            np.array([2.0, -1.0], dtype=np.float32),
        ),
        _Trajectory(
            "quadratic ravine, lr shrinking ×0.85 every step",
            Quadratic(),
            ravine,
            np.array([1.5, -2.0]),
            lr_decay_per_step=0.85,
        ),
    ]


@dataclass
class _Step:
    t: int
    before: np.ndarray
    grad: np.ndarray
    lr: float
    after: np.ndarray


def _reference_run(
    cls: type[Optimizer], given: dict[str, Any], lr: float, case: _Trajectory
) -> tuple[list[_Step], bool]:
    """optlib's trajectory, stopped where it diverges; and whether it did."""
    theta = case.theta0.copy()
    dtype = theta.dtype
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. an initial accumulator beyond float32's range
        try:
            opt = cls(theta, **given)
        except (ArithmeticError, ValueError):
            return [], True
    steps: list[_Step] = []
    for t in range(1, _STEPS + 1):
        lr_t = lr
        if case.lr_decay_per_step is not None:
            lr_t = opt.lr = lr * case.lr_decay_per_step ** (t - 1)
        before = theta.copy()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an overflow is a divergence, not a warning
            grad = np.asarray(case.surface.grad(before), dtype=dtype)
            if (
                not np.isfinite(grad).all()
                or np.abs(before).max() > _THETA_LIMIT
                or np.abs(grad).max() > _GRAD_LIMIT
            ):
                return steps, True
            try:
                opt.step(grad)
            except (ArithmeticError, ValueError):  # an optimizer that refuses to overflow
                return steps, True
        if not np.isfinite(theta).all():
            return steps, True
        steps.append(_Step(t, before, grad, lr_t, theta.copy()))
    return steps, False


def _informative(record: _Step, rtol: float, atol: float) -> bool:
    """Whether the step moves theta by more than the comparison can miss.

    A step within tolerance of no step at all tells nothing: a function that
    returns theta unchanged would pass it.
    """
    return not bool(np.all(_close(record.after, record.before, rtol, atol)))


# --- known-wrong variants of the update rules --------------------------------------
#
# Each takes (theta, grad, state, hyperparameters) with every hyper-parameter
# present and returns the new theta; the state dict is the variant's own.


State = dict[str, Any]
Hyper = dict[str, Any]


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


StepFn = Callable[[np.ndarray, np.ndarray, State, Hyper, _Step], np.ndarray]


def _with_rule(rule: Callable[..., None], **overrides: Any) -> StepFn:
    """optlib's own rule with some hyper-parameters changed."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: _Step):
        param = theta.copy()
        rule(param, grad, state, **{**hp, **overrides})
        return param

    return step


def _with_scaled_gradient(rule: Callable[..., None]) -> StepFn:
    """optlib's own rule fed the gradient times the learning rate."""

    def step(theta: np.ndarray, grad: np.ndarray, state: State, hp: Hyper, record: _Step):
        param = theta.copy()
        rule(param, grad * record.lr, state, **hp)
        return param

    return step


def _variant(function: Callable[..., np.ndarray], **options: Any) -> StepFn:
    return lambda theta, grad, state, hp, record: function(theta, grad, state, hp, **options)


def _scaled_step(factor: Callable[[_Step], float]) -> StepFn:
    """The reference step scaled: θ + c·(θ_ref − θ)."""
    return lambda theta, grad, state, hp, record: (
        record.before + factor(record) * (record.after - record.before)
    )


def _optimizer_mutants(
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
        for key, parameter in inspect.signature(_OPTIMIZERS[name]).parameters.items()
    }
    for hyper, value in hp.items():
        off = _OFF.get(hyper, defaults.get(hyper))  # eps, alpha, betas: their defaults
        if hyper in ("lr", "nesterov") or off is None or _equal(value, off):
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


def _equal(a: Any, b: Any) -> bool:
    return bool(np.all(np.asarray(a, dtype=float) == np.asarray(b, dtype=float)))


# Names from Keras and from the book's formulas, and what torch.optim calls them.
_OTHER_NAMES = {
    "learning_rate": "lr",
    "beta_1": "betas=(beta_1, beta_2)",
    "beta_2": "betas=(beta_1, beta_2)",
    "beta1": "betas=(beta1, beta2)",
    "beta2": "betas=(beta1, beta2)",
    "epsilon": "eps",
    "rho": "alpha",
    "decay": "weight_decay",
    "velocity": "momentum",
}
_FLAGS = ("nesterov", "centered", "amsgrad", "maximize")


def _check_hyperparameters(
    cls: type[Optimizer], name: str, given: dict[str, Any]
) -> dict[str, Any]:
    """Validate the hyper-parameters as torch does; returns all of them, defaults filled in."""
    unknown = [key for key in given if key not in cls.hyperparameter_names]
    if unknown:
        instead = _OTHER_NAMES.get(unknown[0])
        advice = (
            f" (write {instead})"
            if instead and instead.split("=")[0] in (cls.hyperparameter_names)
            else ""
        )
        raise ValueError(
            f'"{name}" has no hyper-parameter {unknown[0]!r}{advice}; its hyper-parameters '
            "are " + ", ".join(cls.hyperparameter_names)
        )
    for key, value in given.items():
        if key == "betas" and isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(
                "betas must be a pair of numbers (beta1, beta2) for check.optimizer_step, "
                f"got an array of shape {value.shape}"
            )
        if key in _FLAGS or (key == "betas" and not isinstance(value, tuple | list | np.ndarray)):
            continue  # the optimizer itself refuses these, naming them
        pair = key == "betas" and isinstance(value, tuple | list | np.ndarray)
        values = value if pair else (value,)
        for v in values:
            if isinstance(v, np.ndarray) and v.ndim > 0:
                raise ValueError(
                    f"{key} must be a number for check.optimizer_step, got an array {v!r}"
                )
            if isinstance(v, bool | np.bool_) or not isinstance(
                v.item() if isinstance(v, np.ndarray) else v, numbers.Real
            ):
                raise ValueError(f"{key} must be a number, got {value!r}")
    return dict(cls(np.zeros(2), **given).hyperparameters)


def _plain(value: Any) -> Any:
    """A hyper-parameter as the reader's function gets it: numbers as Python floats.

    A ``Fraction``, a NumPy scalar or a 0-d array would otherwise leak into the
    reader's arithmetic (``theta - Fraction(1, 10) * grad`` is an array of
    Python objects); the reference computes with floats too.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, list):  # betas, in the container the reader gave
        return [_plain(v) for v in value]
    if isinstance(value, tuple | np.ndarray) and np.ndim(value) == 1:
        return tuple(_plain(v) for v in value)
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return float(value)
    return value


def _format_hyperparameters(given: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in given.items())


def optimizer_step(
    fn: Callable[..., Any],
    name: Any,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
    **hyperparameters: Any,
) -> CheckResult:
    """Check your optimizer step against optlib's (that is, ``torch.optim``'s) rule.

    Your function is called as ``fn(theta, grad, state, **hyperparameters)``
    for 25 steps on each of six trajectories (a quadratic ravine, Rosenbrock,
    Beale, a 5-D bowl where the gradients are tiny and one is exactly 0, a
    float32 ravine, and a ravine whose learning rate shrinks every step). Each
    step is compared with optlib's optimizer; the verdict names the first step
    that differs. The module docstring describes the protocol.

    A trajectory compares nothing when optlib's own first step overflows (or
    gives NaN) with the hyper-parameters given, or when none of its steps
    moves theta by more than the comparison's tolerance (a function that
    returns theta unchanged would pass it): such a case is reported as not
    compared, the check does not pass, and :attr:`CheckResult.note` says which
    hyper-parameter to change.

    Parameters
    ----------
    fn : callable
        Your step, ``fn(theta, grad, state, **hyperparameters) -> new_theta``.
        ``state`` is a dict, empty at the first step, that you fill and that
        comes back at the next step. ``lr`` is always passed, and the other
        hyper-parameters you give here.
    name : {"sgd", "adagrad", "rmsprop", "adam", "adamw"}
        The rule to compare with (or the class: ``optlib.Adam``).
    time_budget : float, default 5.0
        Seconds your function may take in all, over the 150 steps; see
        "Time budget" in the module docstring.
    **hyperparameters
        torch's names and meanings, e.g. ``lr=0.1, momentum=0.9`` for SGD or
        ``lr=0.01, betas=(0.9, 0.999)`` for Adam; the others take torch's defaults.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        An unknown optimizer, an unknown hyper-parameter (Keras's names, such
        as ``learning_rate``, get the torch name to write instead), a value
        that is not a number, or a value torch refuses (a negative learning
        rate, nesterov without momentum, NaN, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import check
    >>> def my_adam(theta, grad, state, lr, betas=(0.9, 0.999), eps=1e-8):
    ...     beta1, beta2 = betas
    ...     t = state["t"] = state.get("t", 0) + 1
    ...     m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * grad
    ...     v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * grad**2
    ...     m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ...     return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    >>> check.optimizer_step(my_adam, "adam", lr=0.1)
    ✔ 6 of 6 cases pass: check.optimizer_step(my_adam, "adam", lr=0.1)

    With ε inside the square root, as TensorFlow writes it:

    >>> def my_tf_adam(theta, grad, state, lr, betas=(0.9, 0.999), eps=1e-8):
    ...     beta1, beta2 = betas
    ...     t = state["t"] = state.get("t", 0) + 1
    ...     m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * grad
    ...     v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * grad**2
    ...     m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ...     return theta - lr * m_hat / np.sqrt(v_hat + eps)
    >>> result = check.optimizer_step(my_tf_adam, "adam", lr=0.1)
    >>> result.verdict, result.mistake
    ('✘ 1 of 6 cases fail', 'eps_inside_sqrt')

    A learning rate so large that optlib's own steps overflow leaves nothing
    to compare, and the check says so instead of passing:

    >>> result = check.optimizer_step(my_adam, "adam", lr=1e308)
    >>> result.passed, result.verdict
    (False, '✘ nothing compared: none of the 6 cases could be compared')
    >>> print(result.note)
    lr=1e+308 makes optlib's own first step overflow (or give nan) on every case;
    nothing could be compared — try a smaller lr.
    """
    _check_callable(fn, "check.optimizer_step", 'check.optimizer_step(my_update, "sgd", lr=0.1)')
    if isinstance(name, type) and name in _OPTIMIZERS.values():
        name = name.__name__
    key = _choice("optimizer", name, OPTIMIZER_NAMES)
    cls = _OPTIMIZERS[key]
    full = _check_hyperparameters(cls, key, hyperparameters)
    budget = _check_time_budget(time_budget)
    with _Session(budget) as session:
        return _check_optimizer_step(fn, key, cls, hyperparameters, full, session)


_NOT_COMPARED = {
    "overflow": (
        "optlib's own first step overflows (or gives nan) here with these hyper-parameters, "
        "so there is no step to compare"
    ),
    "tiny": (
        "optlib's steps here are too small to tell apart from no step at all, so a function "
        "that returns theta unchanged would pass too"
    ),
}


def _step_tolerances(record: _Step, dtype: np.dtype) -> tuple[float, float]:
    scale = max(float(np.abs(record.before).max()), float(np.abs(record.after).max()))
    return _RTOL[dtype], _ATOL[dtype] * max(scale, 1e-300)


def _compares(records: list[_Step], dtype: np.dtype) -> bool:
    """Whether a reference run has a step worth comparing."""
    return any(_informative(record, *_step_tolerances(record, dtype)) for record in records)


def _check_optimizer_step(
    fn: Callable[..., Any],
    key: str,
    cls: type[Optimizer],
    hyperparameters: dict[str, Any],
    full: dict[str, Any],
    session: _Session,
) -> CheckResult:
    lr = float(full["lr"])
    passed_to_reader = {"lr": lr, **{key: _plain(value) for key, value in hyperparameters.items()}}
    title = f'check.optimizer_step({_name_of(fn)}, "{key}"'
    title += f", {_format_hyperparameters(hyperparameters)})" if hyperparameters else ")"
    mutant_specs = _optimizer_mutants(key, full, hyperparameters)
    keys = list(dict.fromkeys(mutant[0] for mutant in mutant_specs))
    cases: list[CaseResult] = []
    items: list[_Item] = []
    runs: list[tuple[list[_Step], list[_Item]]] = []
    not_compared: dict[str, list[_Trajectory]] = {}  # why ("overflow", "tiny") -> cases
    nones = signature = shapes = False
    for case in _trajectories():
        records, diverged = _reference_run(cls, hyperparameters, lr, case)
        dtype = case.theta0.dtype
        scheduled = case.lr_decay_per_step is not None
        inputs: dict[str, Any] = {"surface": case.shown, "theta0": case.theta0}
        if scheduled:
            inputs["lr"] = f"{lr:g} × {case.lr_decay_per_step}^(t−1)"
        state: dict[str, Any] = {}
        case_items: list[_Item] = []
        first_failure: tuple[_Step, np.ndarray | None, str] | None = None
        for record in records:
            kwargs = copy.deepcopy(passed_to_reader)  # the reader may change what it gets
            if scheduled:
                kwargs["lr"] = record.lr
            call = _call_reader(
                session, fn, (record.before.copy(), record.grad.copy(), state), kwargs
            )
            got, problem = _as_array(call, record.before.shape, "an array of numbers")
            nones |= call.error is None and call.value is None
            signature |= call.refused
            shapes |= got is not None and bool(problem)
            rtol, atol = _step_tolerances(record, dtype)
            if problem:
                if call.warnings:
                    problem += f"; {call.warning}"
                item = _Item(record.after, None, False, bool(call.warnings), rtol, atol)
                case_items.append(item)
                if first_failure is None:
                    first_failure = (record, got, problem)
                break  # no usable result: the state cannot be trusted any more
            passed = bool(np.all(_close(got, record.after, rtol, atol)))
            message = ""
            if not np.isfinite(got).all():
                passed, message = False, _non_finite(got)
            elif not passed:
                message = _difference(got, record.after, rtol, atol)
            if call.warnings:
                message = (
                    f"{message}; {call.warning}" if message else f"your function {call.warning}"
                )
                passed = False
            case_items.append(
                _Item(
                    record.after,
                    got,
                    passed,
                    bool(call.warnings),
                    rtol,
                    atol,
                    before=record.before,
                )
            )
            if not passed and first_failure is None:
                first_failure = (record, got, message)
        runs.append((records, case_items))
        items += case_items
        total = len(records)
        note = f" (optlib's run diverges after step {total}; steps 1–{total} compared)" * diverged
        inputs["steps"] = total
        if first_failure is None:
            last_got = case_items[-1].got if case_items else None
            last = records[-1].after if records else case.theta0
            if not _compares(records, dtype):  # every step agreed, but none could differ
                why = "tiny" if records else "overflow"
                not_compared.setdefault(why, []).append(case)
                message = f"not compared: {_NOT_COMPARED[why]}"
                cases.append(CaseResult(case.name, inputs, last, last_got, False, message, False))
            else:
                cases.append(CaseResult(case.name, inputs, last, last_got, True, ""))
            continue
        record, got, message = first_failure
        matched = (
            f"steps 1–{record.t - 1} match; "
            if record.t > 2
            else ("step 1 matches; " if record.t == 2 else "")
        )
        text = f"step {record.t} of {total} differs: {matched}{message}{note}"
        cases.append(CaseResult(case.name, inputs, record.after, got, False, text))

    mistake, hint, note = _escape_verdict(session)
    if mistake is None and not all(item.passed for item in items):
        for records, case_items in runs:  # the known-wrong variants, for the hint
            _optimizer_mutant_values(mutant_specs, full, records, case_items)
        names = ", ".join(["theta", "grad", "state", *passed_to_reader])
        call = f"it is called as fn({names}=...), with the hyper-parameters as keywords"
        fallbacks = [
            (signature, "signature", {"call": call}),
            (nones, "step_returned_none", {}),
            (shapes, "theta_shape", {}),
        ]
        fields: dict[tuple[str, int], dict[str, Any]] = {}
        seen: dict[str, int] = {}
        for mutant_key, _, hint_fields in mutant_specs:
            index = seen[mutant_key] = seen.get(mutant_key, -1) + 1  # the variant's index
            fields[(mutant_key, index)] = {
                k: v if k == "name" else repr(v) for k, v in hint_fields.items()
            }
        mistake, hint = _diagnose(
            items, keys, "unstable_update", fallbacks, steps=True, fields=fields
        )
    for why, skipped in not_compared.items():
        note = _join_notes(note, _not_compared_note(cls, hyperparameters, why, skipped, cases))
    return CheckResult(title, cases, hint, mistake, note)


def _not_compared_note(
    cls: type[Optimizer],
    given: dict[str, Any],
    why: str,
    skipped: list[_Trajectory],
    cases: list[CaseResult],
) -> str:
    """Why some trajectories compared nothing, and which hyper-parameter to change."""
    where = "on every case" if len(skipped) == len(cases) else f"on {len(skipped)} of "
    if len(skipped) < len(cases):
        where += f"{len(cases)} cases"
    there = "" if len(skipped) == len(cases) else " there"
    culprit = _culprit(cls, given, skipped)
    if culprit is not None:
        name, advice = culprit
        effect = {
            "overflow": "optlib's own first step overflow (or give nan)",
            "tiny": "optlib's steps too small to tell apart from no step at all",
        }[why]
        return (
            f"{name}={given[name]!r} makes {effect} {where}; nothing could be compared"
            f"{there} — try {advice}."
        )
    effect = {
        "overflow": "optlib's own first step overflows (or gives nan)",
        "tiny": "optlib's steps are too small to tell apart from no step at all",
    }[why]
    with_what = f"With {_format_hyperparameters(given)}" if given else "With torch's defaults"
    return (
        f"{with_what} {effect} {where}; nothing could be compared{there} — "
        "try other hyper-parameters."
    )


def _culprit(
    cls: type[Optimizer], given: dict[str, Any], skipped: list[_Trajectory]
) -> tuple[str, str] | None:
    """The hyper-parameter whose default makes every skipped case comparable, and advice."""
    defaults = {
        key: parameter.default
        for key, parameter in inspect.signature(cls).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    for name, value in given.items():
        if name not in defaults or _equal_values(value, defaults[name]):
            continue
        trial = {**given, name: defaults[name]}
        try:
            lr = float(cls(np.zeros(2), **trial).lr)
        except ValueError:  # e.g. nesterov without its momentum
            continue
        fixed = True
        for case in skipped:
            records, _ = _reference_run(cls, trial, lr, case)
            fixed &= _compares(records, case.theta0.dtype)
        if fixed:
            if isinstance(value, bool | tuple | list) or isinstance(defaults[name], tuple):
                return name, f"another {name}"
            return name, f"a {'smaller' if value > defaults[name] else 'larger'} {name}"
    return None


def _equal_values(a: Any, b: Any) -> bool:
    try:
        return _equal(a, b)
    except (TypeError, ValueError):
        return False


def _optimizer_mutant_values(
    mutant_specs: list[tuple[str, StepFn, dict]],
    hp: dict[str, Any],
    records: list[_Step],
    case_items: list[_Item],
) -> None:
    """Run every known-wrong variant along the reference steps, teacher-forced like the reader."""
    for item in case_items:
        item.mutants = {}
    for key, step, _ in mutant_specs:
        state: dict[str, Any] = {}
        values: list[np.ndarray | None] = []
        for record in records[: len(case_items)]:
            hp_t = {**hp, "lr": record.lr}
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    value = np.asarray(
                        step(record.before.copy(), record.grad, state, hp_t, record),
                        dtype=np.float64,
                    )
                except Exception:  # a variant undefined here (a step count of 0, ...)
                    value = None
            values.append(value)
        for item, value in zip(case_items, values, strict=True):
            item.mutants.setdefault(key, []).append(value)


# ---------------------------------------------------------------------------
# explain()
# ---------------------------------------------------------------------------


class _Text(str):
    """A string that shows as itself, without quotes, at the prompt and in a notebook."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


_CHECKS = {
    "loss": (
        'check.loss(fn, name, from_logits=False, reduction="mean")',
        "fn(y_pred, y_true) returns the loss; names: " + ", ".join(LOSS_NAMES),
    ),
    "loss_grad": (
        'check.loss_grad(fn, name, from_logits=False, reduction="mean")',
        "fn(y_pred, y_true) returns the gradient of the loss with respect to y_pred "
        "(the logits when from_logits=True), shaped like y_pred",
    ),
    "optimizer_step": (
        "check.optimizer_step(fn, name, **hyperparameters)",
        "fn(theta, grad, state, **hyperparameters) returns the new theta; names: "
        + ", ".join(OPTIMIZER_NAMES),
    ),
    "gradient": (
        "check.gradient(fn, f, points=None)",
        "fn(x) returns the gradient of the surface f (e.g. Rosenbrock()) at x, shape (d,)",
    ),
}


def _cases_for(topic: str) -> list[str]:
    if topic in ("loss", "loss_grad"):
        return [
            "several shapes (1-D, batches, a single element) in float64 and float32",
            "soft labels; probabilities of exactly 0 and 1; logits between 0 and 1; "
            "huge logits (±1e4)",
        ]
    if topic == "optimizer_step":
        return [f"{case.name}: {_STEPS} steps" for case in _trajectories()]
    if topic == "gradient":
        return ["four points inside the surface's bounds, a minimum, a float32 point"]
    if topic in LOSS_NAMES:
        cases = _loss_cases(_loss_spec(topic, False, "mean", 1.0))
        if topic in _CE:
            cases += _loss_cases(_loss_spec(topic, True, "mean", 1.0))[-2:]
        return list(dict.fromkeys(case.name for case in cases))
    return [f"{case.name}: {_STEPS} steps" for case in _trajectories()]


def explain(topic: str | None = None) -> str:
    """What the checks cover: their cases and the mistakes they recognise.

    Parameters
    ----------
    topic : str, optional
        A check (``"loss"``, ``"loss_grad"``, ``"optimizer_step"``,
        ``"gradient"``), a loss (``"bce"``, ...) or an optimizer (``"adam"``,
        ...). Without it, an overview of every check.

    Returns
    -------
    str
        Plain text, shown as is at the prompt and in a notebook.

    Examples
    --------
    >>> from optlib import check
    >>> text = check.explain("adamw")
    >>> "AdamW's decay applied as L2 to the gradient" in text
    True
    """
    topics = (*_CHECKS, *LOSS_NAMES, *OPTIMIZER_NAMES)
    if topic is None:
        lines = ["optlib.check: compare your implementation with optlib's.", ""]
        for check, (signature, description) in _CHECKS.items():
            titles = [m.title for m in MISTAKES.values() if m.applies_to(check)]
            lines.append(signature)
            lines += _wrapped(description)
            lines += _wrapped("cases: " + "; ".join(_cases_for(check)))
            lines += _wrapped(f"mistakes recognised ({len(titles)}): " + "; ".join(titles))
            lines.append("")
        lines.append('check.explain("adam") (or any check, loss or optimizer) lists the hints.')
        return _Text("\n".join(lines))
    topic = _choice("topic", topic, topics)
    lines = [f"What optlib.check covers for {topic!r}", "", "Cases:"]
    lines += [f"  - {case}" for case in _cases_for(topic)]
    lines += ["", "Mistakes recognised, and the hint each gives:"]
    relevant = [mistake for mistake in MISTAKES.values() if mistake.applies_to(topic)]
    specific = [m for m in relevant if any(entry.endswith(f":{topic}") for entry in m.where)]
    placeholders = {
        "name": "<name>",
        "off": "<off>",
        "value": "<value>",
        "factor": "<c>",
        "call": "<how it is called>",
        "budget": "<time_budget>",
    }
    for mistake in specific + [m for m in relevant if m not in specific]:
        hint = mistake.hint.format(**placeholders)
        lines += _wrapped(f"- {mistake.title}: {hint}", indent="  ", subsequent="    ")
    return _Text("\n".join(lines))


def _wrapped(text: str, indent: str = "    ", subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=88,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
    )
