r"""Optimizers with the names, defaults, update rules and validation of ``torch.optim``.

One module per method: ``sgd.py``, ``adagrad.py``, ``rmsprop.py`` and
``adam.py`` each hold a rule that reads line by line like its algorithm box
(:func:`sgd_step`, :func:`adagrad_step`, :func:`rmsprop_step`,
:func:`adam_step`, :func:`adamw_step`), its per-coordinate rate, and the class
that wraps it; beyond Adam, ``nadam.py``, ``radam.py``, ``adamax.py`` and
``adadelta.py`` do the same (:func:`nadam_step`, :func:`radam_step`,
:func:`adamax_step`, :func:`adadelta_step`). The rules share pieces written
once in ``pieces.py`` (the direction, the moving averages, the bias
correction, the root-plus-ε denominator). What a training loop needs around a
rule (validated hyper-parameters, per-parameter state, ``step``, ``rates``,
``state_dict``, ``load_state_dict``) is written once in ``base.py``; other
libraries' names are answered in ``names.py``, and ``blocks.py`` updates large
parameters one cache-sized block at a time.

``adafactor.py`` and ``muon.py`` hold rules that read a whole parameter at once
(:func:`adafactor_step`, :func:`muon_step`): Adafactor's second moment is kept
as the row and column means of a matrix, and Muon orthogonalises a matrix's
momentum by Newton–Schulz steps (:func:`newton_schulz`). :func:`state_size`
counts the numbers an optimizer's state holds.

Conventions shared by every class:

* ``step(grads)`` updates the caller's arrays **in place** and keeps their dtype.
  They must be writable float arrays that share no memory with one another
  (two views of one array would be moved twice); the constructor says which
  two indices do.
* A call that raises has changed nothing. ``step``, ``load_state_dict`` and
  assignments to ``params`` or to a hyper-parameter check all of their input
  (gradient dtypes and shapes, every state entry) before they write anything,
  and never modify the caller's arrays.
* Names are PyTorch's: Keras's ``learning_rate=``, ``beta_1=``, ``epsilon=`` or
  (for RMSprop) ``rho=`` raise a ``TypeError`` that says what to write instead;
  Adadelta's ``rho`` is torch's name too.
* Arithmetic follows IEEE rules as in PyTorch: a non-finite gradient gives
  non-finite parameters, silently (no NumPy warning); detecting divergence is
  the training loop's job.
* A large parameter (at least ``2 * blocks.BLOCK_SIZE`` elements) is updated one
  cache-sized block at a time, with the same rule; the result is bitwise the same.
* Every numeric hyper-parameter may be a scalar or a NumPy array that
  broadcasts against the parameters: parameters of shape ``(k, d)`` with
  ``lr`` of shape ``(k, 1)`` run ``k`` independent configurations in one sweep.
  A term that a scalar would switch off (``momentum=0``, ``weight_decay=0``) is
  switched on when *any* entry of its array is nonzero; the entries that are
  exactly zero then reduce to the plain rule (for SGD, as long as dampening is 0).
* Adafactor and Muon are the exceptions to the last two: their steps couple all
  the entries of a parameter, so they update it whole, never block by block, and
  refuse array hyper-parameters (a parameter of shape ``(k, d)`` is not ``k``
  runs there).
"""

from __future__ import annotations

from optlib.optimizers.adadelta import Adadelta, adadelta_step
from optlib.optimizers.adafactor import Adafactor, adafactor_step
from optlib.optimizers.adagrad import Adagrad, adagrad_step
from optlib.optimizers.adam import Adam, AdamW, adam_step, adamw_step
from optlib.optimizers.adamax import Adamax, adamax_step
from optlib.optimizers.base import Optimizer, state_size
from optlib.optimizers.muon import Muon, muon_step, newton_schulz
from optlib.optimizers.nadam import NAdam, nadam_step
from optlib.optimizers.pieces import (
    bias_correction,
    ema_update,
    ema_update_squares,
    lerp_,
    root_plus_eps,
)
from optlib.optimizers.radam import RAdam, radam_step
from optlib.optimizers.rmsprop import RMSprop, rmsprop_step
from optlib.optimizers.sgd import SGD, sgd_step

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "adadelta_step",
    "adafactor_step",
    "adagrad_step",
    "adam_step",
    "adamax_step",
    "adamw_step",
    "bias_correction",
    "ema_update",
    "ema_update_squares",
    "lerp_",
    "muon_step",
    "nadam_step",
    "newton_schulz",
    "radam_step",
    "rmsprop_step",
    "root_plus_eps",
    "sgd_step",
    "state_size",
]
