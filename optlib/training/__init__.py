"""Training loops: ``minimize`` a surface, ``sweep`` many runs at once, ``fit`` a model.

One module per loop: ``runs.py`` (:func:`minimize`, :class:`Trajectory`),
``sweeps.py`` (:func:`sweep`, :class:`SweepResult`), ``fitting.py`` (:func:`fit`,
:class:`History`) and ``recording.py`` (:func:`record_state`, :class:`StateRecord`:
what an optimizer did at every step); ``arguments.py`` holds the checks of
the arguments they share.

All three take an optimizer *class* (``SGD``, ``Adam``, ...) and its
hyper-parameters as keyword arguments, build the optimizer on their own copy
of the parameters, and stop cleanly when a run diverges: no overflow warning,
no exception, no NaN in what they return. Each step is computed inside a local
``np.errstate(all="ignore")`` and then checked:

* a step that makes the parameters, the loss or the gradient non-finite is
  **not** recorded, and the run stops;
* a step whose loss moved away from the initial loss by more than
  ``blowup * (1 + |initial loss|)`` **is** recorded, and then the run stops.

``fit`` trains the reader's own model, so it also puts the parameters back
where they were at the end of the last completed epoch when a run diverges:
the model is never left at NaN or infinite parameters.

Every argument is checked before the first step, so a call that raises has
changed nothing: not ``x0``, not the model, not the data. A class given where
an instance is expected (``Rosenbrock`` for ``Rosenbrock()``, ``MeanSquaredError``
for ``mse``), an optimizer built already where its class is expected, or a
misspelt argument (``epoch=`` for ``epochs=``) raises a ``TypeError`` that says
what to write. Keyword arguments that a function does not know go to the
optimizer, whose own message is passed on unchanged (``learning_rate=``
is the optimizer's to explain).

Nothing here prints, touches ``np.seterr`` or uses the global random generator.
"""

from __future__ import annotations

from optlib.training.arguments import count
from optlib.training.fitting import History, fit
from optlib.training.recording import StateRecord, record_state
from optlib.training.runs import Trajectory, minimize
from optlib.training.sweeps import SweepResult, sweep

__all__ = [
    "History",
    "StateRecord",
    "SweepResult",
    "Trajectory",
    "count",
    "fit",
    "minimize",
    "record_state",
    "sweep",
]
