r"""Loops behind the chapters' experiments that :mod:`optlib.training` does not run.

:func:`optlib.minimize` follows a surface's gradient with fixed
hyper-parameters. The chapters also need to

* feed an optimizer a *given* sequence of gradients (a steady gradient, one
  that flips sign, a spike after a long run of zeros) or follow a gradient
  while a hyper-parameter changes on a schedule: :func:`iterates`, which works
  for :mod:`optlib.optimizers` and :mod:`optlib.keras` alike;
* train a linear regression by mini-batches for a whole grid of learning rates
  at once, keeping the optimizer's state at every step:
  :func:`linear_regression_sweep`;
* run Smith's learning-rate range test on a model, raising the rate at every
  mini-batch until the loss blows up: :func:`lr_range_test`, which returns a
  :class:`RangeTest`;
* train one small classifier network for every (learning rate, seed) pair at
  once, as :func:`optlib.fit` would train each alone: :func:`network_sweep`,
  which returns a :class:`NetworkSweep`.

Examples
--------
>>> import numpy as np
>>> from optlib import SGD
>>> xs = iterates(SGD, np.ones(3), lr=0.1, momentum=0.5)  # a steady gradient 1
>>> (-np.diff(xs[:, 0])).round(3).tolist()  # steps of α, α(1 + ρ), α(1 + ρ + ρ²)
[0.1, 0.15, 0.175]
"""

from optlib.experiments.networks import NetworkSweep, network_sweep
from optlib.experiments.range_test import RangeTest, lr_range_test
from optlib.experiments.regression import RegressionSweep, linear_regression_sweep
from optlib.experiments.sequences import iterates

__all__ = [
    "NetworkSweep",
    "RangeTest",
    "RegressionSweep",
    "iterates",
    "linear_regression_sweep",
    "lr_range_test",
    "network_sweep",
]
