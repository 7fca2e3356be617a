"""optlib: loss functions and optimizers on NumPy arrays.

The library behind the book *Loss Functions and Optimizers*. Losses follow
Keras (objects with a value and a ``.grad``); optimizers follow ``torch.optim``
(names, defaults and update rules), and both agree with PyTorch numerically.

>>> import numpy as np
>>> from optlib import Adam, Rosenbrock, minimize
>>> traj = minimize(Rosenbrock(), np.array([-1.5, 2.0]), Adam, steps=2000, lr=0.05)
>>> bool(np.allclose(traj.xs[-1], [1.0, 1.0], atol=1e-2))
True
"""

from optlib import datasets, experiments, keras, schedules, tuning
from optlib.functions import (
    SURFACES,
    Beale,
    DoubleWell,
    Himmelblau,
    Quadratic,
    Rosenbrock,
    Saddle,
)
from optlib.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    GaussianNLLLoss,
    Hinge,
    Huber,
    KLDivergence,
    MeanAbsoluteError,
    MeanSquaredError,
    MultiMarginLoss,
    PoissonNLLLoss,
    SigmoidFocalLoss,
    SparseCategoricalCrossEntropy,
    SquaredHinge,
    bce,
    cce,
    gaussian_nll,
    hinge,
    huber,
    kl_div,
    mae,
    mse,
    multi_margin,
    poisson_nll,
    sigmoid_focal,
    sparse_cce,
    squared_hinge,
)
from optlib.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression
from optlib.optimizers import (
    SGD,
    Adadelta,
    Adafactor,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Muon,
    NAdam,
    RAdam,
    RMSprop,
)
from optlib.source import show_source
from optlib.training import History, SweepResult, Trajectory, fit, minimize, sweep

__version__ = "0.1.0"

# The figure and widget modules pull in matplotlib and ipywidgets; they load on
# first use (``optlib.plotting``, ``optlib.widgets``) so that ``import optlib``
# stays light for scripts that only compute.
_LAZY_SUBMODULES = ("check", "plotting", "widgets")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"optlib.{name}")
    raise AttributeError(f"module 'optlib' has no attribute {name!r}")


__all__ = [
    "MLP",
    "SGD",
    "SURFACES",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Beale",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "DoubleWell",
    "GaussianNLLLoss",
    "Himmelblau",
    "Hinge",
    "History",
    "Huber",
    "KLDivergence",
    "LinearRegression",
    "LogisticRegression",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "MultiMarginLoss",
    "Muon",
    "NAdam",
    "PoissonNLLLoss",
    "Quadratic",
    "RAdam",
    "RMSprop",
    "Rosenbrock",
    "Saddle",
    "SigmoidFocalLoss",
    "SoftmaxRegression",
    "SparseCategoricalCrossEntropy",
    "SquaredHinge",
    "SweepResult",
    "Trajectory",
    "bce",
    "cce",
    "datasets",
    "experiments",
    "fit",
    "gaussian_nll",
    "hinge",
    "huber",
    "keras",
    "kl_div",
    "mae",
    "minimize",
    "mse",
    "multi_margin",
    "poisson_nll",
    "schedules",
    "show_source",
    "sigmoid_focal",
    "sparse_cce",
    "squared_hinge",
    "sweep",
    "tuning",
]
