r"""Learning-rate schedules with the names, arguments and numbers of ``torch.optim.lr_scheduler``.

A schedule changes an optlib optimizer's learning rate (``opt.lr``) as training
goes, and for :class:`CyclicLR` and :class:`OneCycleLR` its momentum too. The
loop is torch's:

>>> import numpy as np
>>> from optlib import SGD
>>> from optlib.schedules import StepLR
>>> theta = np.array([1.0, -1.0])
>>> opt = SGD(theta, lr=0.1, momentum=0.9)
>>> scheduler = StepLR(opt, step_size=30, gamma=0.1)
>>> for epoch in range(100):
...     opt.step(2 * theta)  # a step with the current opt.lr
...     scheduler.step()     # then the lr for the next step
>>> scheduler.get_last_lr(), scheduler.last_epoch
([0.00010000000000000003], 100)

Every schedule is built on an optimizer, and building it takes torch's
*initial step*: ``last_epoch`` goes from -1 to 0 and ``opt.lr`` is set for
step 0. Then ``scheduler.step()`` (no argument) comes after every
``opt.step(grads)``, once per epoch or once per batch as the schedule intends;
:class:`ReduceLROnPlateau` alone takes the watched metric,
``scheduler.step(val_loss)``. ``get_last_lr()`` is a list of one float, as in
torch; ``state_dict()`` and ``load_state_dict()`` hand a run over.

The numbers are torch's: each schedule computes with torch's formulas in
torch's order (recursively from the current ``lr`` where torch does, in closed
form where torch does), on Python floats, so that the learning rates agree with
torch's to the last bit (the tests allow 1e-12 relative). The two exceptions
are learning rates torch sets below 0, which an optlib optimizer refuses: see
the Notes of :class:`LRScheduler` and of :class:`OneCycleLR`.

One file per family, ``optlib/schedules/<file>.py``:

===============  ==============================================================
file             schedules
===============  ==============================================================
``base``         :class:`LRScheduler`, the base class
``decays``       :class:`LambdaLR`, :class:`MultiplicativeLR`, :class:`StepLR`,
                 :class:`MultiStepLR`, :class:`ConstantLR`, :class:`LinearLR`,
                 :class:`ExponentialLR`, :class:`PolynomialLR`
``cosine``       :class:`CosineAnnealingLR`, :class:`CosineAnnealingWarmRestarts`
``cyclic``       :class:`CyclicLR`, :class:`OneCycleLR`
``plateau``      :class:`ReduceLROnPlateau`
``composition``  :class:`SequentialLR`, :class:`ChainedScheduler`,
                 :func:`warmup_cosine`
``curves``       :func:`rate_curve`, a schedule's rates as an array
===============  ==============================================================
"""

from optlib.schedules.base import LRScheduler
from optlib.schedules.composition import ChainedScheduler, SequentialLR, warmup_cosine
from optlib.schedules.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from optlib.schedules.curves import rate_curve
from optlib.schedules.cyclic import CyclicLR, OneCycleLR
from optlib.schedules.decays import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from optlib.schedules.plateau import ReduceLROnPlateau

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "rate_curve",
    "warmup_cosine",
]
