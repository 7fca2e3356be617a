r"""Loss functions and their gradients, on NumPy arrays.

Each loss is an object. Calling it gives the value; ``.grad`` gives the
gradient with respect to the first argument, the predictions (or the logits,
when ``from_logits=True``), for the same ``reduction``:

>>> import numpy as np
>>> from optlib.losses import mse
>>> y_pred, y_true = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
>>> mse(y_pred, y_true)
np.float64(1.3333333333333333)
>>> mse.grad(y_pred, y_true)
array([0.        , 1.33333333, 0.        ])

Every loss computes its per-element (or per-example) values and their
gradient in one method, from the same intermediate quantities, so that the
forward formula and the backward one can be read side by side. The base class
:class:`Loss` does the rest: it checks the arguments and applies the reduction.

The three reductions are PyTorch's:

``"mean"`` (the default)
    the average over all elements (MSE, MAE, Huber, BCE), or over the
    examples, the rows of ``y_pred`` (the two categorical losses, whose
    per-example loss sums over the classes). The gradient is divided by the
    same count.
``"sum"``
    the sum.
``"none"``
    the per-element (per-example) losses; ``.grad`` is then the gradient of
    their sum, which is each element's gradient of its own loss.

Values and gradients agree with ``torch.nn.functional`` to rounding in
float64. A float32 ``y_pred`` gives float32 values and gradients, float64
gives float64, and integer input becomes float64; ``y_true`` is cast to the
dtype of ``y_pred``. Boolean and integer targets count as the numbers they hold.

Bad input raises a ``ValueError`` that names the argument and the offending
shape or value. An ``np.matrix`` or a masked array raises a ``TypeError``
instead of being computed on: a matrix's ``*`` is the matrix product, and the
masked entries of a masked array would be read as numbers.
"""

from __future__ import annotations

from optlib.losses import cross_entropies
from optlib.losses.base import REDUCTIONS as REDUCTIONS
from optlib.losses.base import Loss
from optlib.losses.cross_entropies import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    SparseCategoricalCrossEntropy,
    sigmoid,
    softmax,
)

# The chapters show this private helper with optlib.show_source, at this path.
from optlib.losses.cross_entropies import _log_softmax_and_softmax as _log_softmax_and_softmax
from optlib.losses.regression import Huber, MeanAbsoluteError, MeanSquaredError

__all__ = [
    "EPS",
    "LOG_FLOOR",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossEntropy",
    "bce",
    "cce",
    "huber",
    "mae",
    "mse",
    "sigmoid",
    "softmax",
    "sparse_cce",
]

LOG_FLOOR = cross_entropies.LOG_FLOOR
"""Floor on a log-probability (``log 0`` counts as -100), as in PyTorch's
``binary_cross_entropy`` (ATen/native/Loss.cpp)."""

EPS = cross_entropies.EPS
r"""The :math:`\varepsilon` that keeps a probability's gradient finite, the floor
on its denominator, PyTorch's ``EPSILON`` in ``binary_cross_entropy_backward``
(ATen/native/Loss.cpp). It is declared there as a C++ ``float``, so its value
is 1e-12 rounded to float32, 9.999999960041972e-13, in float64 arithmetic too."""


# --- the ready-made instances, with the default settings --------------------------

mse = MeanSquaredError()
"""``MeanSquaredError()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> mse(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
np.float64(2.0)
"""

mae = MeanAbsoluteError()
"""``MeanAbsoluteError()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> mae(np.array([1.0, -2.0]), np.zeros(2)), mae.grad(np.array([1.0, -2.0]), np.zeros(2))
(np.float64(1.5), array([ 0.5, -0.5]))
"""

huber = Huber()
"""``Huber()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> huber(np.array([0.5, 3.0]), np.zeros(2), reduction="none")  # squared, then linear
array([0.125, 2.5  ])
"""

bce = BinaryCrossEntropy()
"""``BinaryCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> bce(np.array([0.9, 0.2]), np.array([1.0, 0.0]))  # probabilities, not logits
np.float64(0.16425203348601802)
"""

cce = CategoricalCrossEntropy()
"""``CategoricalCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> cce(np.array([[0.7, 0.2, 0.1]]), np.array([[1.0, 0.0, 0.0]]))  # -log 0.7
np.float64(0.35667494393873245)
"""

sparse_cce = SparseCategoricalCrossEntropy()
"""``SparseCategoricalCrossEntropy()``, the default settings, ready to call.

Examples
--------
>>> import numpy as np
>>> sparse_cce(np.array([[0.7, 0.2, 0.1]]), np.array([0]))  # the same, with a label
np.float64(0.35667494393873245)
"""
