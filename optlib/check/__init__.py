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

The five checks
---------------
``loss(fn, name, from_logits=False, reduction="mean")``
    ``fn(y_pred, y_true)`` returns the loss: a number for ``"mean"`` and
    ``"sum"``, the per-element (per-example for CCE) losses for ``"none"``.
    ``name`` is one of ``"mse"``, ``"mae"``, ``"huber"``, ``"bce"``,
    ``"cce"``, ``"sparse_cce"``, ``"kl_div"`` (called as ``fn(log_q, p)``,
    with ``reduction="batchmean"`` too) or ``"hinge"`` (labels -1 and 1), as
    in :mod:`optlib.losses`.
``loss_grad(fn, name, from_logits=False, reduction="mean")``
    ``fn(y_pred, y_true)`` returns the gradient of that loss with respect to
    ``y_pred`` (the logits when ``from_logits=True``): an array shaped like
    ``y_pred``.
``optimizer_step(fn, name, **hyperparameters)``
    ``fn(theta, grad, state, **hyperparameters)`` performs one step of
    ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ``"adamw"`` or
    ``"adamax"`` with ``torch.optim``'s rule, as described below.
``gradient(fn, f, points=None)``
    ``fn(x)`` returns the gradient of the surface ``f`` (e.g.
    ``Rosenbrock()``) at the point ``x``, an array of shape ``(d,)``.
``schedule(fn, kind="warmup_cosine")``
    ``fn(step, **settings)`` returns the learning rate of step ``step`` of a
    ``"warmup_cosine"`` or ``"step_decay"`` schedule, a number; each kind's
    signature and formula are in :func:`schedule`.

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

from optlib.check import mistakes, sandbox
from optlib.check.explanations import explain
from optlib.check.gradients import gradient
from optlib.check.losses import loss, loss_grad
from optlib.check.mistakes import Mistake
from optlib.check.names import LOSS_NAMES as LOSS_NAMES
from optlib.check.names import OPTIMIZER_NAMES as OPTIMIZER_NAMES
from optlib.check.names import REDUCTIONS as REDUCTIONS
from optlib.check.names import SCHEDULE_KINDS as SCHEDULE_KINDS
from optlib.check.optimizers import optimizer_step
from optlib.check.schedules import schedule
from optlib.check.verdicts import CaseResult, CheckResult

# One idea per module (the names above are the public ones; the modules' own
# names serve the package and may change):
#
#   names.py              the losses, optimizers and reductions the checks take
#   mistakes.py           MISTAKES, the table of classic mistakes and their hints
#   verdicts.py           CheckResult and CaseResult, as text and as HTML
#   arguments.py          the checks' own arguments, refused with ValueError
#   sandbox.py            running the reader's code: helper thread, time budget
#   compare.py            tolerances, matching the known-wrong variants, the hint
#   loss_cases.py         which loss is checked, and on which inputs
#   loss_mutants.py       known-wrong variants of the losses and their gradients
#   losses.py             check.loss and check.loss_grad
#   gradients.py          check.gradient
#   optimizer_cases.py    the trajectories, and optlib's own run along each
#   optimizer_mutants.py  known-wrong variants of the update rules
#   optimizers.py         check.optimizer_step
#   schedules.py          check.schedule: its cases and known-wrong variants
#   explanations.py       check.explain

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
    "schedule",
]

MISTAKES = mistakes.MISTAKES
"""Every classic mistake the checks recognise, by key (see :class:`Mistake`).

:func:`explain` lists the ones each check looks for.
"""

DEFAULT_TIME_BUDGET = sandbox.DEFAULT_TIME_BUDGET
"""Seconds the reader's code may take in one check unless ``time_budget=`` says otherwise.

The budget covers all the calls of one check together; see "Time budget" above.
"""
