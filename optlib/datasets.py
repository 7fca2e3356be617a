"""Real data sets shipped with optlib, loaded with NumPy alone.

Nothing is downloaded: each file lives in ``optlib/data/`` with its source and
licence in ``optlib/data/README.md``.
"""

from __future__ import annotations

import csv
import difflib
import functools
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_finite, refuse_matrix_and_masked, short_repr

__all__ = ["Penguins", "load_penguins", "standardize", "train_test_split"]

PENGUIN_SPECIES = ("Adelie", "Chinstrap", "Gentoo")
PENGUIN_MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


@dataclass(frozen=True)
class Penguins:
    """The Palmer penguins measurements (rows with any measurement missing dropped).

    Attributes
    ----------
    measurements : ndarray, shape (n, 4)
        Bill length (mm), bill depth (mm), flipper length (mm), body mass (g).
    feature_names : tuple of str
        The column names of ``measurements``.
    species : ndarray of int, shape (n,)
        0 = Adelie, 1 = Chinstrap, 2 = Gentoo.
    species_names : tuple of str
        Names of the species labels.
    island : ndarray of str, shape (n,)
    year : ndarray of int, shape (n,)

    Examples
    --------
    >>> penguins = load_penguins()
    >>> penguins.measurements.shape, penguins.species_names
    ((342, 4), ('Adelie', 'Chinstrap', 'Gentoo'))
    """

    measurements: np.ndarray
    feature_names: tuple[str, ...]
    species: np.ndarray
    species_names: tuple[str, ...]
    island: np.ndarray
    year: np.ndarray

    def column(self, name: str) -> np.ndarray:
        """One measurement column by name, e.g. ``"flipper_length_mm"``."""
        if name not in self.feature_names:
            raise ValueError(f"unknown column {name!r}; the columns are {self.feature_names}")
        return self.measurements[:, self.feature_names.index(name)]


def load_penguins() -> Penguins:
    """Load the Palmer penguins data (Gorman, Williams and Fraser, 2014; CC0).

    The two penguins with no measurements are dropped, leaving 342 rows.

    Examples
    --------
    >>> data = load_penguins()
    >>> data.measurements.shape
    (342, 4)
    >>> data.species_names
    ('Adelie', 'Chinstrap', 'Gentoo')
    """
    text = resources.files("optlib").joinpath("data/penguins.csv").read_text()
    rows = [
        row
        for row in csv.DictReader(text.splitlines())
        if all(row[name] != "NA" for name in PENGUIN_MEASUREMENTS)
    ]
    return Penguins(
        measurements=np.array(
            [[float(row[name]) for name in PENGUIN_MEASUREMENTS] for row in rows]
        ),
        feature_names=PENGUIN_MEASUREMENTS,
        species=np.array([PENGUIN_SPECIES.index(row["species"]) for row in rows]),
        species_names=PENGUIN_SPECIES,
        island=np.array([row["island"] for row in rows]),
        year=np.array([int(row["year"]) for row in rows]),
    )


def standardize(
    X: ArrayLike, mean: ArrayLike | None = None, std: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre each column and scale it to unit variance.

    Returns ``(X_scaled, mean, std)``; pass a training set's ``mean`` and ``std``
    to scale a test set the same way. Gradient descent needs this: features on
    very different scales make the loss surface a narrow ravine.

    ``std`` is the population standard deviation (``X.std(axis=0)``, NumPy's
    and scikit-learn's ``StandardScaler``'s). A 1-D ``X`` is one column. A
    float32 ``X`` stays float32; integers become float64. ``X`` is not
    modified.

    Raises
    ------
    ValueError
        When ``X`` is empty, 0-D, or holds NaN or infinity (drop or fill those
        rows first); when a column is constant, since it cannot be scaled to
        unit variance (drop it: it carries no information; scikit-learn
        instead leaves it unscaled); or when a given ``mean`` or ``std`` does
        not have one finite value per column, or ``std`` is not positive, or
        when ``(X - mean) / std`` overflows.
    TypeError
        For an ``np.matrix`` or a masked array.

    Notes
    -----
    The statistics are computed on each column scaled by a power of two (an
    exact scaling), so that values as large as 1e200 (1e20 in float32) or as
    small as 1e-200 neither overflow nor underflow; wherever ``X.mean`` and
    ``X.std`` do not overflow or underflow, the results are theirs, bit for bit.

    A column counts as constant when its standard deviation is below the
    rounding error of computing it, ``n * eps * max|column|`` (``eps`` the
    machine epsilon of the dtype): a column of equal values can come out of
    ``X.std`` as 1e-17 rather than 0, and dividing by that would blow
    rounding noise up to values of order 1.

    Examples
    --------
    >>> import numpy as np
    >>> X_scaled, mean, std = standardize(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> X_scaled
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> mean, std
    (array([ 2., 20.]), array([ 1., 10.]))
    """
    refuse_matrix_and_masked("X", X)
    X = as_float_array("X", X)
    if X.ndim == 0 or X.ndim > 2:
        raise ValueError(
            f"X must be 2-D (rows are examples, columns are features) or 1-D (one column), "
            f"got shape {X.shape}"
        )
    if X.size == 0:
        raise ValueError(f"X is empty (shape {X.shape}): there is nothing to standardize")
    bad = ~np.isfinite(X)
    if bad.any():
        columns = np.flatnonzero(bad.any(axis=0)) if X.ndim == 2 else np.array([0])
        rows = int(bad.any(axis=-1).sum()) if X.ndim == 2 else int(bad.sum())
        raise ValueError(
            f"X holds NaN or infinity in {rows} row(s), in column(s) {columns.tolist()}: "
            "drop those rows first (X[np.isfinite(X).all(axis=1)]) or fill them in"
        )
    columns = X if X.ndim == 2 else X[:, None]
    # Each column is scaled by a power of two, exactly, to values below 1 in size, so that
    # neither its sum nor the squares in its variance overflow (1e200, or 1e20 in float32)
    # or underflow (1e-200). The results are those of X.mean and X.std, bit for bit,
    # wherever those do not overflow or underflow.
    _, exponent = np.frexp(np.abs(X).max(axis=0))
    unit = np.ldexp(X, -exponent)
    if mean is None:
        mean = np.ldexp(unit.mean(axis=0), exponent)
    else:
        mean = _statistic("mean", mean, X)
    if std is None:
        std = np.ldexp(unit.std(axis=0), exponent)
        flat = np.atleast_1d(unit.std(axis=0))
        scale = np.abs(np.atleast_1d(unit) if X.ndim == 1 else unit).max(axis=0)
        constant = flat <= len(columns) * np.finfo(X.dtype).eps * scale
        if constant.any():
            j = int(np.flatnonzero(constant)[0])
            if len(columns) == 1:
                raise ValueError(
                    "standardize needs at least two rows: with one, every column is constant "
                    "and cannot be scaled to unit variance"
                )
            keep = np.flatnonzero(~constant).tolist()
            advice = f"; drop it, e.g. X[:, {keep}]" if X.ndim == 2 and keep else ""
            raise ValueError(
                f"standardize: column {j} of X is constant (every value is "
                f"{columns[0, j].item():g}), so it cannot be scaled to unit variance{advice}"
            )
    else:
        std = _statistic("std", std, X)
        if np.any(std <= 0):
            j = int(np.flatnonzero(np.atleast_1d(std) <= 0)[0])
            raise ValueError(
                f"std must be positive in every column, got {np.atleast_1d(std)[j].item()!r} "
                f"in column {j} (pass the std that standardize returned for the training set)"
            )
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = (X - mean) / std
        if not np.isfinite(scaled).all():  # X - mean overflowed: subtract in the unit scale
            scaled = (unit - np.ldexp(mean, -exponent)) / np.ldexp(std, -exponent)
    if not np.isfinite(scaled).all():
        raise ValueError(
            "(X - mean) / std overflows: X lies too many standard deviations from the mean "
            f"(largest |X| {np.abs(X).max()!r}, smallest std {np.min(std)!r})"
        )
    return scaled, mean, std


def _statistic(name: str, value: ArrayLike, X: np.ndarray) -> np.ndarray:
    """A given ``mean`` or ``std``: one finite value per column of ``X``, in its dtype."""
    refuse_matrix_and_masked(name, value)
    array = as_float_array(name, value).astype(X.dtype, copy=False)
    expected = X.shape[1:]
    if array.shape != expected:
        raise ValueError(
            f"{name} must have one value per column of X, shape {expected}, got shape "
            f"{array.shape} (pass the {name} that standardize returned for the training set)"
        )
    check_finite(name, array)
    return array


def _with_split_hints(split: Callable[..., list[np.ndarray]]) -> Callable[..., list[np.ndarray]]:
    """Answer scikit-learn's keyword arguments with optlib's names."""

    @functools.wraps(split)
    def checked(*arrays: ArrayLike, **kwargs: object) -> list[np.ndarray]:
        for key, value in kwargs.items():
            if key in ("test_fraction", "seed"):
                continue
            head = f"train_test_split() got an unexpected keyword argument {key!r}"
            if key == "test_size":
                advice = f"; optlib's name is test_fraction: write test_fraction={value!r}"
            elif key == "train_size":
                advice = "; give the test part instead: test_fraction=1 - train_size"
            elif key == "random_state":
                advice = f"; optlib's name is seed: write seed={value!r}"
                if value is None:
                    advice = (
                        "; optlib's name is seed, an int (seed=0) or a Generator "
                        "(seed=np.random.default_rng() for fresh randomness)"
                    )
            elif key in ("shuffle", "stratify"):
                advice = ": optlib's split always shuffles and does not stratify; drop it"
            else:
                close = difflib.get_close_matches(key, ["test_fraction", "seed"], n=1)
                advice = (
                    f"; did you mean {close[0]}=?"
                    if close
                    else "; its options are test_fraction and seed"
                )
            raise TypeError(head + advice)
        return split(*arrays, **kwargs)

    return checked


@_with_split_hints
def train_test_split(
    *arrays: ArrayLike, test_fraction: float = 0.25, seed: int | np.random.Generator = 0
) -> list[np.ndarray]:
    """Split arrays (same first axis) into shuffled train and test parts.

    Returns ``[a_train, a_test, b_train, b_test, ...]`` as scikit-learn does.
    The test part has ``round(test_fraction * n)`` rows (at least 1), the
    training part the rest; both must be non-empty. The arrays are not
    modified: the parts are new arrays.

    Parameters
    ----------
    *arrays : array_like
        One or more arrays (or lists) with the same number of rows ``n``.
    test_fraction : float
        In (0, 1).
    seed : int or numpy.random.Generator
        A non-negative int (NumPy's ``default_rng`` refuses negative seeds), or
        a Generator, which is then advanced.

    Raises
    ------
    ValueError
        When no array is given, an array has no rows (a 0-d array or a scalar),
        the arrays differ in length, ``test_fraction`` is not a number in
        (0, 1), the split would leave the training or the test part empty, or
        ``seed`` is not a non-negative int or a Generator.
    TypeError
        For an ``np.matrix`` or a masked array, and for scikit-learn's keyword
        arguments, with optlib's name to write instead (``test_size=`` is
        ``test_fraction=``, ``random_state=`` is ``seed=``).

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(8).reshape(4, 2), np.arange(4)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25)
    >>> X_train.shape, X_test.shape, bool(np.all(X_test[:, 0] == 2 * y_test))
    ((3, 2), (1, 2), True)
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    parts = []
    for i, a in enumerate(arrays):
        name = f"arrays[{i}]"
        refuse_matrix_and_masked(name, a)
        try:
            array = np.asarray(a)
        except ValueError as error:  # ragged lists and the like
            raise ValueError(f"{name} must be an array: {error}") from None
        if array.ndim == 0:
            hint = ""
            if 0 < i == len(arrays) - 1 and array.dtype.kind == "f" and 0 < array < 1:
                hint = (
                    "; test_fraction is a keyword argument: write "
                    f"train_test_split(..., test_fraction={short_repr(a)})"
                )
            raise ValueError(
                f"{name} must have one row per example, got a single value {array!r} (0-d){hint}"
            )
        parts.append(array)
    n = len(parts[0])
    lengths = [len(a) for a in parts]
    if any(length != n for length in lengths):
        raise ValueError(
            f"train_test_split: the arrays differ in length (rows): {lengths}; they must "
            "have one row per example each"
        )
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, numbers.Real)
        or not 0 < test_fraction < 1
    ):
        hint = ""
        if isinstance(test_fraction, str):
            try:
                hint = f"; write test_fraction={float(test_fraction)!r} (a number, not a string)"
            except ValueError:
                pass
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}{hint}")
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.random.Generator)):
        raise ValueError(f"seed must be a non-negative int or a numpy Generator, got {seed!r}")
    if not isinstance(seed, np.random.Generator) and seed < 0:
        raise ValueError(
            f"seed must be a non-negative int (numpy's default_rng refuses negative seeds), "
            f"got {seed!r}"
        )
    if n == 0:
        raise ValueError("the arrays are empty (0 rows): there is nothing to split")
    n_test = max(1, round(test_fraction * n))
    if n_test >= n:
        raise ValueError(
            f"test_fraction={test_fraction!r} of {n} row(s) leaves "
            f"{n - min(n_test, n)} for training: the training part would be empty; "
            + ("a split needs at least 2 rows" if n < 2 else "use a smaller test_fraction")
        )
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return [part for a in parts for part in (a[train], a[test])]


# --- handwritten digits (added for the closing chapter) -----------------------

__all__ += ["Digits", "load_digits"]

DIGIT_PIXELS = 64  # 8 x 8


@dataclass(frozen=True)
class Digits:
    """The UCI optical recognition of handwritten digits data: 8x8 images of 0 to 9.

    Attributes
    ----------
    pixels : ndarray of float, shape (1797, 64)
        Each image flattened row by row; every entry counts the "on" pixels of
        a 4x4 block of the original 32x32 bitmap, an integer from 0 to 16.
    labels : ndarray of int, shape (1797,)
        The digit each image shows, 0 to 9.

    Examples
    --------
    >>> digits = load_digits()
    >>> isinstance(digits, Digits), digits.labels[:5].tolist()
    (True, [0, 1, 2, 3, 4])
    """

    pixels: np.ndarray
    labels: np.ndarray

    @property
    def images(self) -> np.ndarray:
        """The pixels as 8x8 images, shape ``(n, 8, 8)``."""
        return self.pixels.reshape(-1, 8, 8)


def load_digits() -> Digits:
    """Load the 8x8 handwritten digits (Alpaydin and Kaynak, 1998; CC BY 4.0).

    1,797 images of the digits 0 to 9, about 180 per digit, written by 13 people
    (the test part of the UCI data set).
    The file ``optlib/data/digits.csv.gz`` is the copy scikit-learn ships;
    ``optlib/data/README.md`` gives its source, licence and checksum.

    Examples
    --------
    >>> digits = load_digits()
    >>> digits.pixels.shape, digits.labels.shape, digits.images.shape
    ((1797, 64), (1797,), (1797, 8, 8))
    >>> int(digits.pixels.min()), int(digits.pixels.max()), sorted(set(digits.labels.tolist()))
    (0, 16, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    import gzip

    raw = resources.files("optlib").joinpath("data/digits.csv.gz").read_bytes()
    table = np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",")
    if table.ndim != 2 or table.shape[1] != DIGIT_PIXELS + 1:
        raise ValueError(
            f"digits.csv.gz must have {DIGIT_PIXELS + 1} columns (64 pixels and the label), "
            f"got an array of shape {table.shape}"
        )
    return Digits(pixels=table[:, :DIGIT_PIXELS], labels=table[:, DIGIT_PIXELS].astype(np.int64))
