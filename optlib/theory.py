r"""Objectives for the book's theory sections: real data with noisy gradients, and a worst case.

The test surfaces of :mod:`optlib.functions` have exact gradients. Two objects
that the convergence theorems talk about are added here:

* :class:`MiniBatchLeastSquares`: the mean squared error of a linear model on
  a data set, whose value is exact but whose gradient is that of a random
  mini-batch, drawn with replacement, the unbiased and independent estimates
  that the theorems on stochastic gradient descent assume. It is a surface:
  :func:`optlib.sweep` runs it for many learning rates and seeds at once, each
  run with its own mini-batches, and records the exact loss at every step, so
  that the noise floor of a run can be measured;
* :func:`nesterov_worst_quadratic`: the quadratic of Nesterov's lower bound, on
  which no method that steps along gradients converges faster than
  :math:`((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^t`.

Examples
--------
>>> import numpy as np
>>> from optlib import SGD, sweep
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([1.0, 3.0, 5.0, 7.0])
>>> line = MiniBatchLeastSquares(X, y, batch_size=1, seed=0)
>>> line.minima.round(6).tolist(), round(line.min_value, 12)   # y = 2x + 1, exactly
([[2.0, 1.0]], 0.0)
>>> runs = sweep(line, [0.0, 0.0], SGD, steps=2000, lr=np.array([[0.02], [0.05]]))
>>> bool(np.all(runs.final_losses < 1e-9))  # no noise at the optimum: SGD converges
True
"""

from __future__ import annotations

import math
import numbers
from typing import Any, ClassVar

import numpy as np

from optlib._validation import as_float_array, check_finite, refuse_matrix_and_masked
from optlib.functions import Quadratic, Surface

__all__ = ["MiniBatchLeastSquares", "nesterov_worst_quadratic"]


class MiniBatchLeastSquares(Surface):
    r"""Least squares on a data set, with the gradient of a random mini-batch.

    The parameters :math:`\theta = (w, b)` of the linear model
    :math:`\hat y = w^\top x + b` are scored by the mean squared error over the
    :math:`n` examples,

    .. math::
       J(\theta) = \frac1n \sum_{i=1}^n \bigl(\tilde x_i^\top \theta - y_i\bigr)^2,
       \qquad \tilde x_i = (x_i, 1),

    which calling the surface returns, exactly. Its ``grad`` is not
    :math:`\nabla J` but the gradient of the same loss on :math:`B` examples
    drawn uniformly **with replacement**, afresh at every call and
    independently for every point of a batch of points (every run of a
    :func:`optlib.sweep`),

    .. math::
       g(\theta) = \frac2B \sum_{i \in \mathcal B} \bigl(\tilde x_i^\top \theta - y_i\bigr)\,
       \tilde x_i, \qquad \mathbb E\, g(\theta) = \nabla J(\theta):

    unbiased and independent from step to step, as the convergence theorems of
    stochastic gradient descent assume. (Training loops usually reshuffle the
    data at every epoch instead, as :func:`optlib.fit` does.)

    :math:`J` is a quadratic, with the same Hessian
    :math:`\frac2n \tilde X^\top \tilde X` everywhere, so its smallest and
    largest curvatures :math:`\mu` and :math:`L` are known exactly.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The features (standardise them first).
    y : array_like, shape (n,)
        The targets.
    batch_size : int
        :math:`B`, the examples per gradient, in ``[1, n]``.
    seed : int
        Seeds the generator of the mini-batches. Every call to ``grad`` draws
        new batches, so a second run on the same object sees other batches;
        build the surface again with the same seed to repeat a run exactly.

    Attributes
    ----------
    n, batch_size, dim : int
        The examples, :math:`B`, and :math:`d + 1` (the weights, then the bias).
    hessian : ndarray, shape (d + 1, d + 1)
        :math:`\nabla^2 J = \frac2n \tilde X^\top \tilde X` (read-only).
    eigenvalues : ndarray, shape (d + 1,)
        Its eigenvalues, ascending (read-only).
    lipschitz, strong_convexity, condition_number : float
        :math:`L = \lambda_{\max}`, :math:`\mu = \lambda_{\min}` and :math:`\kappa = L/\mu`.
    minima : ndarray, shape (1, d + 1)
        The least-squares solution :math:`\theta^*` (read-only).
    min_value : float
        :math:`J^* = J(\theta^*)`.
    bounds : tuple
        :math:`\theta^*_j \pm 3` for every coordinate, for plots.

    Raises
    ------
    ValueError
        For data that is not finite or not of the shapes above, a
        ``batch_size`` outside ``[1, n]``, a ``seed`` that is not a
        non-negative integer, or features that make the least-squares
        solution not unique (the Hessian is singular).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([0.0, 1.0, 5.0])
    >>> problem = MiniBatchLeastSquares(X, y, batch_size=1, seed=0)
    >>> problem.hessian.round(4).tolist()
    [[1.3333, 0.0], [0.0, 2.0]]
    >>> theta = np.zeros(2)
    >>> round(float(problem(theta)), 4), problem.full_grad(theta).round(4).tolist()
    (8.6667, [-3.3333, -4.0])
    >>> draws = problem.grad(np.zeros((20000, 2)))  # 20,000 independent mini-batches
    >>> bool(np.allclose(draws.mean(axis=0), problem.full_grad(theta), atol=0.1))
    True
    """

    name: ClassVar[str] = "MiniBatchLeastSquares"

    def __init__(self, X: Any, y: Any, batch_size: int = 1, seed: int = 0) -> None:
        refuse_matrix_and_masked("X", X)
        refuse_matrix_and_masked("y", y)
        X = as_float_array("X", X, dtype=np.float64)
        y = as_float_array("y", y, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must have shape (n, d) with n, d >= 1, got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must have shape ({X.shape[0]},), one target per row of X, got {y.shape}"
            )
        check_finite("X", X)
        check_finite("y", y)
        n = X.shape[0]
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, numbers.Integral)
            or not 1 <= batch_size <= n
        ):
            raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        design = np.c_[X, np.ones(n)]
        hessian = 2 * design.T @ design / n
        eigenvalues = np.linalg.eigvalsh(hessian)
        if eigenvalues[0] <= 1e-12 * eigenvalues[-1]:
            raise ValueError(
                "the least-squares solution is not unique: the features and the bias column "
                "are linearly dependent (the Hessian is singular); drop a redundant feature"
            )
        solution = np.linalg.solve(design.T @ design, design.T @ y)
        self._design = design
        self._y = y
        self._rng = np.random.default_rng(int(seed))
        self.n = n
        self.batch_size = int(batch_size)
        self.dim = design.shape[1]
        self.hessian = _frozen(hessian)
        self.eigenvalues = _frozen(eigenvalues)
        self.lipschitz = float(eigenvalues[-1])
        self.strong_convexity = float(eigenvalues[0])
        self.condition_number = self.lipschitz / self.strong_convexity
        self.minima = _frozen(solution[None, :])
        self.min_value = float(np.mean((design @ solution - y) ** 2))
        self.bounds = tuple((float(c) - 3.0, float(c) + 3.0) for c in solution)

    def _residuals(self, x: np.ndarray) -> np.ndarray:
        return x @ self._design.T - self._y  # (..., n)

    def _value(self, x: np.ndarray) -> np.ndarray:
        return np.mean(self._residuals(x) ** 2, axis=-1)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        picks = self._rng.integers(self.n, size=(*x.shape[:-1], self.batch_size))
        rows = self._design[picks]  # (..., B, d + 1)
        residual = np.einsum("...bd,...d->...b", rows, x) - self._y[picks]
        return 2 * np.einsum("...b,...bd->...d", residual, rows) / self.batch_size

    def full_grad(self, x: Any) -> np.ndarray:
        r""":math:`\nabla J(\theta)` on the whole data set, ``(..., d + 1) -> (..., d + 1)``.

        Examples
        --------
        >>> import numpy as np
        >>> problem = MiniBatchLeastSquares(np.array([[0.0], [2.0]]), np.array([1.0, 5.0]))
        >>> problem.full_grad(problem.minima[0]).round(12).tolist()  # zero at the optimum
        [0.0, 0.0]
        """
        x = self._points(x)
        return 2 * self._residuals(x) @ self._design / self.n

    def gradient_variance(self, x: Any) -> np.ndarray:
        r"""Variance of ``grad``, :math:`\mathbb E \lVert g(\theta) - \nabla J(\theta)\rVert^2`.

        For :math:`B` examples drawn with replacement it is the variance of one
        example's gradient divided by :math:`B`,
        :math:`\frac1{Bn} \sum_i \lVert g_i(\theta) - \nabla J(\theta) \rVert^2`.
        ``(..., d + 1) -> (...)``.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> X, y = rng.standard_normal((50, 2)), rng.standard_normal(50)
        >>> one, four = (MiniBatchLeastSquares(X, y, batch_size=b) for b in (1, 4))
        >>> theta = np.array([0.3, -0.2, 0.1])
        >>> bool(np.isclose(four.gradient_variance(theta), one.gradient_variance(theta) / 4))
        True
        >>> draws = four.grad(np.tile(theta, (40000, 1))) - four.full_grad(theta)
        >>> bool(np.isclose(np.mean(np.sum(draws**2, axis=1)), four.gradient_variance(theta),
        ...                 rtol=0.03))
        True
        """
        x = self._points(x)
        per_example = 2 * self._residuals(x)[..., None] * self._design  # (..., n, d + 1)
        spread = per_example - per_example.mean(axis=-2, keepdims=True)
        return np.mean(np.sum(spread**2, axis=-1), axis=-1) / self.batch_size

    def gradient_variance_bound(self, growth: float) -> float:
        r"""The smallest :math:`M` that bounds the variance of ``grad`` with growth ``growth``.

        The variance of ``grad`` is a quadratic function of :math:`\theta`. For
        the given growth :math:`M_V` (``growth``) this returns the smallest
        constant :math:`M` such that, at every :math:`\theta`,

        .. math::
           \mathbb E \lVert g(\theta) - \nabla J(\theta)\rVert^2
           \le M + M_V \lVert \nabla J(\theta)\rVert^2,

        the assumption on the noise of the theorem on stochastic gradient
        descent with a constant learning rate (Bottou, Curtis and Nocedal,
        2018, Assumption 4.3). With :math:`e = \theta - \theta^*` the variance is
        :math:`M^* + 2c^\top e + e^\top S e` and :math:`\lVert\nabla J\rVert^2
        = e^\top H^2 e`; the bound holds for every :math:`e` exactly when
        :math:`K = M_V H^2 - S` is positive definite and
        :math:`M \ge M^* + c^\top K^{-1} c`. When :math:`M_V` is too small for
        any finite :math:`M`, the result is ``inf``.

        Parameters
        ----------
        growth : float
            :math:`M_V \ge 0`.

        Returns
        -------
        float
            :math:`M`, at least the variance at the optimum, or ``inf``.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(2)
        >>> problem = MiniBatchLeastSquares(rng.standard_normal((40, 2)), rng.standard_normal(40))
        >>> M = problem.gradient_variance_bound(10.0)
        >>> at_optimum = float(problem.gradient_variance(problem.minima[0]))
        >>> M >= at_optimum, problem.gradient_variance_bound(0.0)
        (True, inf)
        >>> thetas = problem.minima[0] + 3 * rng.standard_normal((1000, 3))
        >>> slack = M + 10.0 * np.sum(problem.full_grad(thetas) ** 2, axis=1)
        >>> bool(np.all(problem.gradient_variance(thetas) <= slack))
        True
        """
        growth = float(growth)
        if not math.isfinite(growth) or growth < 0:
            raise ValueError(f"growth must be a non-negative finite number, got {growth!r}")
        design, H = self._design, self.hessian
        residual = design @ self.minima[0] - self._y
        a = 2 * residual[:, None] * design  # g_i − ∇J at θ*
        # g_i(θ) − ∇J(θ) = a_i + B_i e, with B_i = 2 x̃_i x̃_iᵀ − H
        B = 2 * design[:, :, None] * design[:, None, :] - H
        at_optimum = float(np.mean(np.sum(a**2, axis=1)))
        c = np.einsum("ikj,ik->j", B, a) / self.n
        S = np.einsum("ikj,ikl->jl", B, B) / self.n
        K = growth * H @ H - S / self.batch_size
        K = (K + K.T) / 2
        if np.linalg.eigvalsh(K)[0] <= 1e-12 * max(1.0, float(np.abs(K).max())):
            return math.inf
        c = c / self.batch_size
        return at_optimum / self.batch_size + float(c @ np.linalg.solve(K, c))

    def __repr__(self) -> str:
        return f"MiniBatchLeastSquares(n={self.n}, d={self.dim - 1}, batch_size={self.batch_size})"


def nesterov_worst_quadratic(condition_number: float, dim: int, mu: float = 1.0) -> Quadratic:
    r"""Nesterov's worst quadratic for first-order methods, cut to ``dim`` coordinates.

    With :math:`L = \kappa\mu` and :math:`T` the tridiagonal matrix with 2 on
    its diagonal and -1 beside it,

    .. math::
       f(\theta) = \frac{L - \mu}{8}\bigl(\theta^\top T \theta - 2\theta_1\bigr)
       + \frac\mu2 \lVert\theta\rVert^2
       = \tfrac12 (\theta - c)^\top A\, (\theta - c) + \text{const},
       \qquad A = \frac{L - \mu}{4}\, T + \mu I,

    whose curvatures (the eigenvalues of :math:`A`) lie between :math:`\mu` and
    :math:`L`. Started at 0, a method whose steps are combinations of the
    gradients it has seen reaches coordinate :math:`k` at step :math:`k` and not
    before (:math:`A` is tridiagonal), while the minimiser :math:`c` has
    :math:`c_i = q^i` in every coordinate, :math:`q = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`
    (exactly on infinitely many coordinates, to within :math:`q^{\text{dim}}` on
    ``dim`` of them). This is the function of Nesterov's lower bound for
    :math:`\mu`-strongly convex, :math:`L`-smooth problems (*Lectures on Convex
    Optimization*, Section 2.1.4).

    Parameters
    ----------
    condition_number : float
        :math:`\kappa = L/\mu > 1`.
    dim : int
        The number of coordinates kept, at least 2.
    mu : float
        :math:`\mu > 0`.

    Returns
    -------
    Quadratic
        :math:`\tfrac12 (\theta - c)^\top A (\theta - c)`: ``center`` is the
        minimiser and ``min_value`` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> f = nesterov_worst_quadratic(100.0, dim=200)
    >>> bool(1.0 < f.eigenvalues[0] < f.eigenvalues[-1] < 100.0)
    True
    >>> q = (10 - 1) / (10 + 1)
    >>> bool(np.allclose(f.center[:5], q ** np.arange(1, 6), rtol=1e-9))
    True
    """
    kappa = float(condition_number)
    if not math.isfinite(kappa) or kappa <= 1:
        raise ValueError(
            f"condition_number must be a finite number above 1, got {condition_number!r}"
        )
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 2:
        raise ValueError(f"dim must be an integer of at least 2, got {dim!r}")
    mu = float(mu)
    if not math.isfinite(mu) or mu <= 0:
        raise ValueError(f"mu must be a positive finite number, got {mu!r}")
    L = kappa * mu
    T = 2 * np.eye(dim) - np.eye(dim, k=1) - np.eye(dim, k=-1)
    A = (L - mu) / 4 * T + mu * np.eye(dim)
    b = np.zeros(dim)
    b[0] = (L - mu) / 4
    return Quadratic(A, center=np.linalg.solve(A, b))


def _frozen(array: Any) -> np.ndarray:
    """A read-only float64 copy."""
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out
