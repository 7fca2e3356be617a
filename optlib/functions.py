r"""Test surfaces for optimizer trajectories and contour plots.

Every surface is an object that evaluates over the **last axis**, so a single
call covers a whole plotting grid::

    f(x)        # x: (..., d) -> (...)
    f.grad(x)   # x: (..., d) -> (..., d)

Each surface also carries what the book's figures need:

``dim``
    The number of coordinates ``d``.
``minima``
    A read-only ``(k, d)`` array of the global minimisers.
``min_value``
    The value of the surface at those minimisers.
``bounds``
    One ``(low, high)`` pair per coordinate, for plots:
    ``((xmin, xmax), (ymin, ymax))`` in 2-D and ``((xmin, xmax),)`` in 1-D,
    so ``np.asarray(f.bounds)`` is always ``(d, 2)``.
``name``
    A short display name, the key under which the class sits in ``SURFACES``.

Float32 input gives float32 output; integer input is computed in float64.
A point whose last axis is not ``d`` long raises ``ValueError``. Points so far
out that the value overflows give ``inf`` (and infinite or NaN points give
``inf`` or ``nan``) without a NumPy warning, as in PyTorch.

``SURFACES`` maps each display name to its class, for the chapters'
drop-downs. Every class builds with no arguments; filter on ``cls().dim``
to offer only the 1-D or only the 2-D surfaces.

Examples
--------
>>> sorted(SURFACES)
['Beale', 'DoubleWell', 'Himmelblau', 'Quadratic', 'Rosenbrock', 'Saddle']
>>> f = SURFACES["Rosenbrock"]()
>>> f, f.dim, f.bounds
(Rosenbrock(a=1.0, b=100.0), 2, ((-2.0, 2.0), (-1.0, 3.0)))
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from ._validation import as_float_array, check_finite, refuse_matrix_and_masked

__all__ = [
    "SURFACES",
    "Beale",
    "DoubleWell",
    "Himmelblau",
    "MovingTarget",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "Surface",
]


def _frozen(array: Any) -> np.ndarray:
    """A read-only float64 copy, so a surface's constants cannot be edited by accident."""
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


class Surface:
    r"""Base class of the test surfaces: shape checks and the common attributes.

    Subclasses implement ``_value(x)`` and ``_grad(x)`` on a checked float
    array ``x`` of shape ``(..., d)`` and set ``dim``, ``minima``,
    ``min_value`` and ``bounds``.

    Examples
    --------
    >>> import numpy as np
    >>> f = Rosenbrock()
    >>> grid = np.stack(np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)), axis=-1)
    >>> f(grid).shape, f.grad(grid).shape
    ((4, 5), (4, 5, 2))
    """

    name: ClassVar[str] = "Surface"
    dim: int
    minima: np.ndarray
    min_value: float
    bounds: tuple[tuple[float, float], ...]

    def __call__(self, x: Any) -> np.ndarray:
        """The value at each point: ``(..., d) -> (...)``."""
        x = self._points(x)
        with np.errstate(all="ignore"):  # far out: inf or nan, silently, as in PyTorch
            return self._value(x)

    def grad(self, x: Any) -> np.ndarray:
        """The gradient at each point: ``(..., d) -> (..., d)``."""
        x = self._points(x)
        with np.errstate(all="ignore"):
            return self._grad(x)

    def _points(self, x: Any) -> np.ndarray:
        if type(x) is not np.ndarray:  # a plain float array, on every step: nothing to do
            refuse_matrix_and_masked("x", x)
        x = as_float_array("x", x)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            hint = (
                " (for a 1-D surface add a trailing axis: x[..., None])" if self.dim == 1 else ""
            )
            raise ValueError(
                f"{type(self).__name__} expects points with d={self.dim} coordinate(s) on the "
                f"last axis, shape (..., {self.dim}); got shape {x.shape}{hint}"
            )
        return x

    def _value(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Quadratic(Surface):
    r"""The quadratic bowl :math:`f(x) = \tfrac12 (x - c)^\top A (x - c)`.

    .. math::

        f(x) = \tfrac{1}{2} (x - c)^\top A (x - c), \qquad
        \nabla f(x) = A (x - c)

    With the eigenvalues :math:`\lambda_{\min} \le \dots \le \lambda_{\max} = L`
    of :math:`A`, gradient descent :math:`x \leftarrow x - \alpha \nabla f(x)`
    multiplies the error along each eigenvector by :math:`1 - \alpha\lambda`,
    so it converges exactly when :math:`0 < \alpha < 2 / L`. The default
    ``A = diag(1, 10)`` is an ill-conditioned ravine (condition number 10):
    steep across, shallow along, where plain descent zig-zags and momentum helps.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric positive semi-definite matrix. A 1-D bowl is ``A=[[a]]``.
    center : array_like, shape (d,), optional
        The minimiser :math:`c`; the origin by default.

    Attributes
    ----------
    A, center : ndarray
        Read-only copies of the arguments (float64).
    eigenvalues : ndarray, shape (d,)
        Eigenvalues of ``A`` in ascending order.
    lipschitz : float
        :math:`L = \lambda_{\max}`, the Lipschitz constant of the gradient.
    condition_number : float
        :math:`\lambda_{\max} / \lambda_{\min}` (``inf`` when ``A`` is singular).

    Notes
    -----
    When ``A`` is singular the minimisers form a whole affine subspace through
    ``center``; ``minima`` then holds ``center`` only. ``bounds`` is
    ``center ± 3`` along every axis.

    Examples
    --------
    >>> f = Quadratic()
    >>> float(f([1.0, 1.0])), f.grad([1.0, 1.0]).tolist()
    (5.5, [1.0, 10.0])
    >>> f.lipschitz, f.condition_number
    (10.0, 10.0)
    >>> Quadratic(A=[[2.0]]).dim
    1
    """

    name: ClassVar[str] = "Quadratic"

    def __init__(self, A: Any = ((1.0, 0.0), (0.0, 10.0)), center: Any = None) -> None:
        refuse_matrix_and_masked("A", A)
        matrix = as_float_array("A", A, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
            hint = (
                "; to evaluate the bowl at a point x, build it first and call it: Quadratic()(x)"
                if matrix.ndim == 1
                else ""
            )
            raise ValueError(
                "A must be a square (d, d) matrix (a 1-D bowl is A=[[a]]), "
                f"got shape {matrix.shape}{hint}"
            )
        check_finite("A", matrix)
        scale = max(1.0, float(np.abs(matrix).max()))
        asymmetry = float(np.abs(matrix - matrix.T).max())
        if asymmetry > 1e-12 * scale:
            raise ValueError(
                f"A must be symmetric, but A - A.T has an entry of size {asymmetry:.3g}"
            )
        matrix = (matrix + matrix.T) / 2
        eigenvalues = np.linalg.eigvalsh(matrix)
        if eigenvalues[0] < -1e-12 * scale:
            raise ValueError(
                "A must be positive semi-definite (all eigenvalues >= 0) so that the bowl has "
                f"a minimum, but its smallest eigenvalue is {eigenvalues[0]:.6g}"
            )
        d = matrix.shape[0]
        if center is None:
            center = np.zeros(d)
        refuse_matrix_and_masked("center", center)
        c = as_float_array("center", center, dtype=np.float64)
        if c.shape != (d,):
            raise ValueError(
                f"center must have shape ({d},) to match A {matrix.shape}, got {c.shape}"
            )
        check_finite("center", c)

        self.A = _frozen(matrix)
        self.center = _frozen(c)
        self.eigenvalues = _frozen(np.clip(eigenvalues, 0.0, None))
        self.dim = d
        self.lipschitz = float(self.eigenvalues[-1])
        smallest = float(self.eigenvalues[0])
        self.condition_number = self.lipschitz / smallest if smallest > 0 else float("inf")
        self.minima = _frozen(c[None, :])
        self.min_value = 0.0
        self.bounds = tuple((float(ci) - 3.0, float(ci) + 3.0) for ci in c)

    def _value(self, x: np.ndarray) -> np.ndarray:
        diff = x - self.center.astype(x.dtype)
        return 0.5 * np.sum(diff * (diff @ self.A.astype(x.dtype)), axis=-1)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        diff = x - self.center.astype(x.dtype)
        return diff @ self.A.astype(x.dtype)  # A is symmetric: (A diff)^T = diff^T A

    def __repr__(self) -> str:
        return f"Quadratic(A={self.A.tolist()}, center={self.center.tolist()})"


class Rosenbrock(Surface):
    r"""Rosenbrock's banana valley.

    .. math::

        f(x, y) = (a - x)^2 + b\,(y - x^2)^2

    .. math::

        \nabla f = \bigl(-2(a - x) - 4 b x (y - x^2),\; 2 b (y - x^2)\bigr)

    The global minimum is :math:`f(a, a^2) = 0`, at the end of a long curved
    valley that is easy to find and slow to follow.

    Parameters
    ----------
    a : float
        Position of the minimum, ``(a, a**2)``.
    b : float, > 0
        Steepness of the valley walls.

    Examples
    --------
    >>> f = Rosenbrock()
    >>> f.minima.tolist(), float(f([1.0, 1.0]))
    ([[1.0, 1.0]], 0.0)
    >>> float(f([0.0, 0.0]))
    1.0
    """

    name: ClassVar[str] = "Rosenbrock"
    dim = 2

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = _real("a", a, "Rosenbrock")
        self.b = _real("b", b, "Rosenbrock")
        if self.b <= 0:
            raise ValueError(f"b must be > 0 (with b <= 0 there is no valley), got {b!r}")
        self.minima = _frozen([[self.a, self.a**2]])
        self.min_value = 0.0
        m = max(1.0, abs(self.a))
        self.bounds = ((-2.0 * m, 2.0 * m), (-1.0 * m, 3.0 * m * m))

    def _value(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u**2) ** 2

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        valley = v - u**2
        du = -2.0 * (self.a - u) - 4.0 * self.b * u * valley
        dv = 2.0 * self.b * valley
        return np.stack([du, dv], axis=-1)

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a!r}, b={self.b!r})"


class Beale(Surface):
    r"""Beale's function: a flat plateau with steep edges and sharp ridges.

    .. math::

        f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    The global minimum is :math:`f(3, 0.5) = 0`.

    Examples
    --------
    >>> f = Beale()
    >>> float(f([3.0, 0.5])), float(f([0.0, 0.0]))
    (0.0, 14.203125)
    """

    name: ClassVar[str] = "Beale"
    dim = 2

    def __init__(self) -> None:
        self.minima = _frozen([[3.0, 0.5]])
        self.min_value = 0.0
        self.bounds = ((-4.5, 4.5), (-4.5, 4.5))

    @staticmethod
    def _terms(x: np.ndarray) -> tuple[np.ndarray, ...]:
        u, v = x[..., 0], x[..., 1]
        t1 = 1.5 - u + u * v
        t2 = 2.25 - u + u * v**2
        t3 = 2.625 - u + u * v**3
        return u, v, t1, t2, t3

    def _value(self, x: np.ndarray) -> np.ndarray:
        _, _, t1, t2, t3 = self._terms(x)
        return t1**2 + t2**2 + t3**2

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u, v, t1, t2, t3 = self._terms(x)
        du = 2.0 * (t1 * (v - 1.0) + t2 * (v**2 - 1.0) + t3 * (v**3 - 1.0))
        dv = 2.0 * u * (t1 + 2.0 * v * t2 + 3.0 * v**2 * t3)
        return np.stack([du, dv], axis=-1)

    def __repr__(self) -> str:
        return "Beale()"


class Himmelblau(Surface):
    r"""Himmelblau's function: four global minima of equal depth.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    The minima (value 0) are where both brackets vanish: substituting
    :math:`y = 11 - x^2` into the second gives the quartic
    :math:`x^4 - 22x^2 + x + 114 = 0`, whose four real roots ``minima`` holds
    (computed with ``np.roots``; one of them is :math:`(3, 2)`).
    Which minimum an optimizer reaches depends on where it starts.

    Examples
    --------
    >>> f = Himmelblau()
    >>> f.minima.shape
    (4, 2)
    >>> float(f([3.0, 2.0]))
    0.0
    """

    name: ClassVar[str] = "Himmelblau"
    dim = 2

    def __init__(self) -> None:
        xs = np.sort(np.roots([1.0, 0.0, -22.0, 1.0, 114.0]).real)
        for _ in range(3):  # polish the roots with Newton's method on the quartic
            xs = xs - (xs**4 - 22 * xs**2 + xs + 114) / (4 * xs**3 - 44 * xs + 1)
        self.minima = _frozen(np.stack([xs, 11.0 - xs**2], axis=-1))
        self.min_value = 0.0
        self.bounds = ((-5.0, 5.0), (-5.0, 5.0))

    def _value(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        return (u**2 + v - 11.0) ** 2 + (u + v**2 - 7.0) ** 2

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        first = u**2 + v - 11.0
        second = u + v**2 - 7.0
        return np.stack([4.0 * u * first + 2.0 * second, 2.0 * first + 4.0 * v * second], axis=-1)

    def __repr__(self) -> str:
        return "Himmelblau()"


class Saddle(Surface):
    r"""A saddle point at the origin on a surface that is bounded below.

    .. math::

        f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2, \qquad
        \nabla f = (2x,\; y^3 - y)

    At the origin the gradient vanishes and the Hessian is
    :math:`\operatorname{diag}(2, -1)`: a minimum along :math:`x`, a maximum
    along :math:`y`, so a saddle. The textbook saddle :math:`x^2 - y^2` is
    unbounded below, so every optimizer that escapes it runs off to
    :math:`-\infty` and the run can only end by "diverging". Here the quartic
    term takes over away from the origin and catches the escaping run in one of
    the two global minima :math:`(0, \pm 1)`, where :math:`f = -\tfrac14`.
    A run started exactly on the line :math:`y = 0` has no :math:`y` gradient
    and stalls on the saddle; a tiny :math:`y` offset escapes, slowly.

    Attributes
    ----------
    saddle_point : ndarray, shape (2,)
        The origin.

    Examples
    --------
    >>> f = Saddle()
    >>> f.grad(f.saddle_point).tolist(), float(f(f.saddle_point))
    ([0.0, 0.0], 0.0)
    >>> f.minima.tolist(), f.min_value
    ([[0.0, -1.0], [0.0, 1.0]], -0.25)
    """

    name: ClassVar[str] = "Saddle"
    dim = 2

    def __init__(self) -> None:
        self.saddle_point = _frozen([0.0, 0.0])
        self.minima = _frozen([[0.0, -1.0], [0.0, 1.0]])
        self.min_value = -0.25
        self.bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def _value(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        return u**2 + 0.25 * v**4 - 0.5 * v**2

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u, v = x[..., 0], x[..., 1]
        return np.stack([2.0 * u, v**3 - v], axis=-1)

    def __repr__(self) -> str:
        return "Saddle()"


class DoubleWell(Surface):
    r"""A tilted double well in 1-D: a shallow local minimum and a deeper global one.

    .. math::

        f(x) = (x^2 - 1)^2 + t\,x, \qquad f'(x) = 4x^3 - 4x + t

    The tilt :math:`t` lowers one well and raises the other. For
    :math:`0 < |t| < 8 / (3\sqrt3) \approx 1.54` the cubic :math:`f'(x) = 0`
    has three real roots :math:`x_1 < x_2 < x_3`: two minima :math:`x_1, x_3`
    and, between them, the local maximum :math:`x_2` (the ``barrier``) that a
    ball must cross to go from one well to the other. With :math:`t > 0` the
    global minimum is the left one. The roots are computed with ``np.roots``.

    The surface is one-dimensional: points have shape ``(..., 1)``.

    Parameters
    ----------
    tilt : float
        :math:`t`, with :math:`|t| < 8 / (3\sqrt3)`. With ``tilt=0`` both
        wells are global and ``local_minima`` is empty.

    Attributes
    ----------
    minima : ndarray, shape (1, 1)
        The global minimiser (both when ``tilt=0``).
    local_minima : ndarray, shape (1, 1)
        The shallow, non-global minimiser.
    barrier : ndarray, shape (1,)
        The local maximum between the wells, as a point.

    Examples
    --------
    >>> f = DoubleWell()
    >>> round(float(f.minima[0, 0]), 4), round(float(f.local_minima[0, 0]), 4)
    (-1.0356, 0.9601)
    >>> round(float(f.barrier[0]), 4)
    0.0754
    >>> f([[-1.0], [0.0], [1.0]]).tolist()
    [-0.3, 1.0, 0.3]
    """

    name: ClassVar[str] = "DoubleWell"
    dim = 1
    max_tilt: ClassVar[float] = 8.0 / (3.0 * np.sqrt(3.0))

    def __init__(self, tilt: float = 0.3) -> None:
        self.tilt = _real("tilt", tilt, "DoubleWell")
        if not abs(self.tilt) < self.max_tilt:
            raise ValueError(
                f"tilt must satisfy |tilt| < 8/(3*sqrt(3)) = {self.max_tilt:.4f}, or one of the "
                f"two wells disappears; got {tilt!r}"
            )
        roots = np.sort(np.roots([4.0, 0.0, -4.0, self.tilt]).real)
        for _ in range(3):  # polish with Newton's method on f'(x) = 0
            roots = roots - (4 * roots**3 - 4 * roots + self.tilt) / (12 * roots**2 - 4)
        left, middle, right = roots
        values = {x: (x**2 - 1) ** 2 + self.tilt * x for x in (left, right)}
        if self.tilt > 0:
            global_, local = [left], [right]
        elif self.tilt < 0:
            global_, local = [right], [left]
        else:
            global_, local = [left, right], []
        self.minima = _frozen(np.reshape(global_, (-1, 1)))
        self.local_minima = _frozen(np.reshape(local, (-1, 1)))
        self.barrier = _frozen([middle])
        self.min_value = float(values[global_[0]])
        self.bounds = ((-2.0, 2.0),)

    def _value(self, x: np.ndarray) -> np.ndarray:
        u = x[..., 0]
        return (u**2 - 1.0) ** 2 + self.tilt * u

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u = x[..., 0]
        return (4.0 * u**3 - 4.0 * u + self.tilt)[..., None]

    def __repr__(self) -> str:
        return f"DoubleWell(tilt={self.tilt!r})"


class MovingTarget:
    r"""A bowl whose minimum goes round a circle: a loss that changes while we train.

    .. math::

        J_t(\theta) = \tfrac12 (\theta - c_t)^\top A\, (\theta - c_t), \qquad
        \nabla J_t(\theta) = A (\theta - c_t), \qquad
        c_t = r \bigl(\cos(2\pi t / P),\ \sin(2\pi t / P)\bigr),

    so the minimum :math:`c_t` goes once round the circle of radius :math:`r`
    every :math:`P` steps, moving :math:`2 \pi r / P` per step. An optimizer
    that stays near it must keep moving, forever: the simplest model of a
    parameter whose loss keeps changing while the other parameters learn, which
    the adaptive chapters use to show Adagrad's rates running out.

    Unlike a surface it takes the step :math:`t` (1, 2, ...) as well as the
    point. ``target.grad`` is the callable ``grad(x, t)`` that
    :func:`optlib.training.record_state` runs on a moving target.

    Parameters
    ----------
    A : array_like, shape (2, 2)
        Symmetric positive semi-definite; the ravine ``diag(1, 10)`` by default.
    period : float
        :math:`P`, the number of steps per turn (positive).
    radius : float
        :math:`r`, non-negative.

    Examples
    --------
    >>> target = MovingTarget()
    >>> target.center(25).round(12).tolist()  # a quarter turn after t = 0
    [0.0, 1.0]
    >>> (target.grad([0.0, 0.0], 25).round(12) + 0.0).tolist(), float(target([0.0, 0.0], 25))
    ([0.0, -10.0], 5.0)
    >>> (target.center([100, 200]).round(12) + 0.0).tolist()  # back at the start every period
    [[1.0, 0.0], [1.0, 0.0]]
    """

    def __init__(
        self, A: Any = ((1.0, 0.0), (0.0, 10.0)), period: float = 100.0, radius: float = 1.0
    ) -> None:
        bowl = Quadratic(A)
        if bowl.dim != 2:
            raise ValueError(f"A must be 2 x 2 (the target moves in the plane), got {bowl.dim}-D")
        self.A = bowl.A
        self.period = _real("period", period)
        self.radius = _real("radius", radius)
        if self.period <= 0:
            raise ValueError(f"period must be positive, got {period!r}")
        if self.radius < 0:
            raise ValueError(f"radius must be non-negative, got {radius!r}")

    def center(self, t: Any) -> np.ndarray:
        """The minimum :math:`c_t` at step ``t`` (an int or an array of them): ``(..., 2)``."""
        angle = 2 * np.pi * np.asarray(t, dtype=np.float64) / self.period
        return self.radius * np.stack([np.cos(angle), np.sin(angle)], axis=-1)

    def __call__(self, x: Any, t: Any) -> np.ndarray:
        """The value :math:`J_t(x)` over the last axis of ``x``: ``(..., 2) -> (...)``."""
        diff = self._points(x) - self.center(t)
        return 0.5 * np.sum(diff * (diff @ self.A), axis=-1)

    def grad(self, x: Any, t: Any) -> np.ndarray:
        """The gradient :math:`A(x - c_t)`: ``(..., 2) -> (..., 2)``."""
        return (self._points(x) - self.center(t)) @ self.A

    def _points(self, x: Any) -> np.ndarray:
        refuse_matrix_and_masked("x", x)
        x = as_float_array("x", x, dtype=np.float64)
        if x.ndim == 0 or x.shape[-1] != 2:
            raise ValueError(f"MovingTarget expects points of shape (..., 2), got {x.shape}")
        return x

    def __repr__(self) -> str:
        return f"MovingTarget(A={self.A.tolist()}, period={self.period!r}, radius={self.radius!r})"


def _real(name: str, value: Any, surface: str = "") -> float:
    """A finite real number as a Python float.

    ``surface`` names the class, so that a point passed to the class itself
    (``Rosenbrock(x)`` for ``Rosenbrock()(x)``) gets a hint.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = ""
        if surface and _array_like(value):
            hint = (
                f"; to evaluate the surface at a point x, build it first and call it: "
                f"{surface}()(x)"
            )
        raise ValueError(f"{name} must be a real number, got {value!r}{hint}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _array_like(value: Any) -> bool:
    """Whether ``value`` is an array, a list or a tuple (a point, where a number was wanted)."""
    return isinstance(value, (np.ndarray, list, tuple))


SURFACES: dict[str, type[Surface]] = {
    cls.name: cls for cls in (Quadratic, Rosenbrock, Beale, Himmelblau, Saddle, DoubleWell)
}
"""Every surface class by its display name, for the chapters' drop-downs.

Examples
--------
>>> sorted(name for name, cls in SURFACES.items() if cls().dim == 1)
['DoubleWell']
"""
