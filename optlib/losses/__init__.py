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
    the average over all elements (MSE, MAE, Huber, BCE, ...), or over the
    examples, the rows of ``y_pred`` (the categorical losses and
    :class:`MultiMarginLoss`, whose per-example loss sums over the classes).
    The gradient is divided by the same count. With class weights, the
    sparse cross-entropy divides by the total weight of the labels instead,
    as PyTorch does.
``"sum"``
    the sum.
``"none"``
    the per-element (per-example) losses; ``.grad`` is then the gradient of
    their sum, which is each element's gradient of its own loss.

:class:`KLDivergence` also takes ``"batchmean"``, and the focal loss
defaults to ``"none"``, as torchvision's does.

Values and gradients agree with ``torch.nn.functional`` to rounding in
float64. A float32 ``y_pred`` gives float32 values and gradients, float64
gives float64, and integer input becomes float64; ``y_true`` is cast to the
dtype of ``y_pred``. Boolean and integer targets count as the numbers they hold.

Bad input raises a ``ValueError`` that names the argument and the offending
shape or value. An ``np.matrix`` or a masked array raises a ``TypeError``
instead of being computed on: a matrix's ``*`` is the matrix product, and the
masked entries of a masked array would be read as numbers.

Which loss for which task
-------------------------
The loss says what the model's output means and what counts as a mistake.

.. list-table::
   :header-rows: 1
   :widths: 28 22 20 30

   * - Task
     - Target ``y_true``
     - Output ``y_pred``
     - Loss (ready-made instance)
   * - Regression, errors roughly normal
     - real numbers
     - a value
     - :class:`MeanSquaredError` (``mse``)
   * - Regression with outliers
     - real numbers
     - a value
     - :class:`MeanAbsoluteError` (``mae``), :class:`Huber` (``huber``)
   * - Regression that says how sure it is
     - real numbers
     - a mean, and a variance (``var``)
     - :class:`GaussianNLLLoss` (``gaussian_nll``)
   * - Counts (events, visits, cases)
     - whole numbers :math:`\ge 0`
     - a log-rate
     - :class:`PoissonNLLLoss` (``poisson_nll``)
   * - Two classes, or several independent labels
     - 0 or 1 (or a probability)
     - a logit per label
     - :class:`BinaryCrossEntropy` with ``from_logits=True``
   * - Two classes, positives rare (detection)
     - 0 or 1
     - a logit per label
     - :class:`SigmoidFocalLoss` (``sigmoid_focal``)
   * - Two classes, a margin (linear SVM)
     - -1 or 1 (or 0 or 1)
     - a score
     - :class:`Hinge` (``hinge``), :class:`SquaredHinge` (``squared_hinge``)
   * - One of C classes
     - a class label
     - C logits
     - :class:`SparseCategoricalCrossEntropy` with ``from_logits=True``;
       ``weight=`` for unbalanced classes, ``label_smoothing=`` against
       overconfidence, ``ignore_index=`` for padding
   * - One of C classes, soft or mixed labels
     - C probabilities
     - C logits
     - :class:`CategoricalCrossEntropy` with ``from_logits=True``
   * - One of C classes, a margin (multi-class SVM)
     - a class label
     - C scores
     - :class:`MultiMarginLoss` (``multi_margin``)
   * - Matching a distribution (distillation, a policy, a VAE's prior)
     - C probabilities (or their logarithms)
     - C log-probabilities
     - :class:`KLDivergence` (``kl_div``) with ``reduction="batchmean"``

Prefer logits to probabilities wherever a loss takes either: the formulas
from logits never overflow and lose no accuracy at confident predictions.
:func:`entropy` and :func:`cross_entropy` compute the quantities behind the
cross-entropies and the KL divergence for given distributions.

The package
-----------
One module per family of losses, in ``optlib/losses/``: ``regression.py``
(MSE, MAE, Huber), ``cross_entropies.py`` (the cross-entropies, sigmoid and
softmax), ``divergences.py`` (KL divergence, entropy, cross-entropy of
distributions), ``focal.py``, ``margins.py`` (hinge, squared hinge,
multi-margin) and ``likelihoods.py`` (Poisson and Gaussian negative
log-likelihoods). ``base.py`` holds :class:`Loss`, the reductions and the
argument checks they share. Everything public is importable from
``optlib.losses``.
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
from optlib.losses.divergences import KLDivergence, cross_entropy, entropy
from optlib.losses.focal import SigmoidFocalLoss
from optlib.losses.likelihoods import GaussianNLLLoss, PoissonNLLLoss
from optlib.losses.margins import Hinge, MultiMarginLoss, SquaredHinge
from optlib.losses.regression import Huber, MeanAbsoluteError, MeanSquaredError

__all__ = [
    "EPS",
    "LOG_FLOOR",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "GaussianNLLLoss",
    "Hinge",
    "Huber",
    "KLDivergence",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "MultiMarginLoss",
    "PoissonNLLLoss",
    "SigmoidFocalLoss",
    "SparseCategoricalCrossEntropy",
    "SquaredHinge",
    "bce",
    "cce",
    "cross_entropy",
    "entropy",
    "gaussian_nll",
    "hinge",
    "huber",
    "kl_div",
    "mae",
    "mse",
    "multi_margin",
    "poisson_nll",
    "sigmoid",
    "sigmoid_focal",
    "softmax",
    "sparse_cce",
    "squared_hinge",
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

kl_div = KLDivergence()
"""``KLDivergence()``, the default settings (``log_target=False``), ready to call.

Examples
--------
>>> import numpy as np
>>> p = np.array([[0.5, 0.5]])
>>> kl_div(np.log(p), p, reduction="batchmean")  # a distribution against itself
np.float64(0.0)
"""

sigmoid_focal = SigmoidFocalLoss()
"""``SigmoidFocalLoss()``, torchvision's defaults (``alpha=0.25``, ``gamma=2``), ready to call.

Examples
--------
>>> import numpy as np
>>> sigmoid_focal(np.array([0.0]), np.array([1.0]))  # 0.25 * 0.5**2 * log 2, per element
array([0.0433217])
"""

hinge = Hinge()
"""``Hinge()``, ready to call.

Examples
--------
>>> import numpy as np
>>> hinge(np.array([0.5, 2.0]), np.array([1.0, -1.0]), reduction="none")
array([0.5, 3. ])
"""

squared_hinge = SquaredHinge()
"""``SquaredHinge()``, ready to call.

Examples
--------
>>> import numpy as np
>>> squared_hinge(np.array([0.5, 2.0]), np.array([1.0, -1.0]), reduction="none")
array([0.25, 9.  ])
"""

multi_margin = MultiMarginLoss()
"""``MultiMarginLoss()``, PyTorch's defaults (``p=1``, ``margin=1``), ready to call.

Examples
--------
>>> import numpy as np
>>> multi_margin(np.array([[3.0, 0.0, 0.0]]), np.array([0]))  # wins by 3 > 1: no loss
np.float64(0.0)
"""

poisson_nll = PoissonNLLLoss()
"""``PoissonNLLLoss()``, PyTorch's defaults (log-rates, ``full=False``), ready to call.

Examples
--------
>>> import numpy as np
>>> poisson_nll(np.array([0.0]), np.array([1.0]))  # rate 1, count 1: e^0 - 1 * 0
np.float64(1.0)
"""

gaussian_nll = GaussianNLLLoss()
"""``GaussianNLLLoss()``, PyTorch's defaults (``full=False``, ``eps=1e-6``), ready to call.

Examples
--------
>>> import numpy as np
>>> gaussian_nll(np.array([0.0]), np.array([2.0]), 1.0)  # (log 1 + 2**2 / 1) / 2
np.float64(2.0)
"""
