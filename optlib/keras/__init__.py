r"""Keras's optimizers on NumPy arrays, for comparing its conventions with PyTorch's.

optlib's own optimizers (:mod:`optlib.optimizers`) follow ``torch.optim``. Keras
has the same five algorithms with other names, other defaults and, in four
places, another update rule: its momentum puts the learning rate inside the
velocity, its RMSprop and Adagrad add :math:`\hat\varepsilon` *inside* the square
root, its Adagrad starts the sum at 0.1, its Adam adds :math:`\hat\varepsilon`
before the bias correction, and its ``weight_decay`` is decoupled for every
optimizer. This module writes Keras's rules once, so that the chapters can set
the two conventions side by side instead of re-implementing Keras in each.

Each class (:class:`SGD`, :class:`RMSprop`, :class:`Adagrad`, :class:`Adam`,
:class:`AdamW`) takes Keras's argument names and defaults, and its
``update_step`` reads line by line like Keras's. It is built the optlib way, on
the arrays it updates in place, and moved by ``opt.step(grads)``: Keras's
``optimizer.apply(grads, variables)`` under the name every optlib optimizer
uses, so that :func:`optlib.minimize`, :func:`optlib.sweep` and :func:`optlib.fit`
run a Keras rule exactly as they run a PyTorch one. Hyper-parameters are
attributes: ``opt.learning_rate = 0.001`` takes effect at the next step, which
is how a learning-rate schedule is written here.

:func:`equivalent` translates PyTorch's settings into Keras's (and
:func:`torch_equivalent` Keras's into PyTorch's), saying whether the two give
the same steps and, where they cannot, what differs and by how much.

The rules are in ``rules.py``, what they share in ``base.py``, the
translator in ``translate.py``, and Keras's learning-rate schedules
(``ExponentialDecay``, ``CosineDecay``, ...) in :mod:`optlib.keras.schedules`.
The formulas are those of Keras 3: the ``update_step`` methods of
``keras/src/optimizers/{sgd,rmsprop,adagrad,adam}.py`` and
``BaseOptimizer._apply_weight_decay``, which are the same in every release from
3.0 to 3.16. Not modelled: gradient clipping, ``use_ema``, loss scaling,
gradient accumulation and ``exclude_from_weight_decay``; a schedule object
as ``learning_rate`` is not either (set ``opt.learning_rate = schedule(t)``
before step :math:`t`).

Examples
--------
>>> import numpy as np
>>> from optlib import keras
>>> theta = np.array([10.0])
>>> keras.RMSprop(theta, learning_rate=0.1).step(theta)  # J = θ²/2: the gradient is θ
>>> theta.round(6)  # Keras's documentation gives 9.683772
array([9.683772])
>>> print(keras.equivalent("SGD", lr=0.1, momentum=0.9))
keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=False, weight_decay=None)
"""

from __future__ import annotations

from optlib.keras import schedules
from optlib.keras.base import Optimizer
from optlib.keras.rules import SGD, Adagrad, Adam, AdamW, RMSprop
from optlib.keras.translate import Equivalent, equivalent, torch_equivalent

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Equivalent",
    "Optimizer",
    "RMSprop",
    "equivalent",
    "schedules",
    "torch_equivalent",
]
