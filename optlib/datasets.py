"""Real data sets shipped with optlib, loaded with NumPy alone.

Nothing is downloaded: each file lives in ``optlib/data/`` with its source and
licence in ``optlib/data/README.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

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
    X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre each column and scale it to unit variance.

    Returns ``(X_scaled, mean, std)``; pass a training set's ``mean`` and ``std``
    to scale a test set the same way. Gradient descent needs this: features on
    very different scales make the loss surface a narrow ravine.

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
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=0) if mean is None else np.asarray(mean)
    std = X.std(axis=0) if std is None else np.asarray(std)
    if np.any(std == 0):
        raise ValueError("standardize: a column is constant (std 0); drop it first")
    return (X - mean) / std, mean, std


def train_test_split(
    *arrays: np.ndarray, test_fraction: float = 0.25, seed: int = 0
) -> list[np.ndarray]:
    """Split arrays (same first axis) into shuffled train and test parts.

    Returns ``[a_train, a_test, b_train, b_test, ...]`` as scikit-learn does.

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
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"train_test_split: arrays differ in length: {[len(a) for a in arrays]}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, round(test_fraction * n))
    test, train = order[:n_test], order[n_test:]
    return [part for a in arrays for part in (np.asarray(a)[train], np.asarray(a)[test])]


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
