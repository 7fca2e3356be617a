import hashlib
import warnings
from importlib import resources

import numpy as np
import pytest

from optlib.datasets import load_penguins, standardize, train_test_split

# The SHA-256 recorded in optlib/data/README.md for the shipped CSV.
PENGUINS_SHA256 = "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"


def test_shipped_file_is_the_documented_one():
    raw = resources.files("optlib").joinpath("data/penguins.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == PENGUINS_SHA256


def test_penguins_shape_and_labels():
    data = load_penguins()
    # 344 penguins, two without any measurement (documented in the data README).
    assert data.measurements.shape == (342, 4)
    assert np.isfinite(data.measurements).all()
    # Species counts published with the data set: 152 / 68 / 124, minus one
    # Adelie and one Gentoo with no measurements.
    assert np.bincount(data.species).tolist() == [151, 68, 123]
    assert data.column("body_mass_g").min() == 2700.0
    with pytest.raises(ValueError, match="unknown column"):
        data.column("beak")


def test_standardize_zero_mean_unit_std():
    data = load_penguins()
    X, mean, std = standardize(data.measurements)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, rtol=1e-12)
    again, _, _ = standardize(data.measurements, mean, std)
    np.testing.assert_array_equal(X, again)
    with pytest.raises(ValueError, match="constant"):
        standardize(np.ones((3, 2)))


def test_train_test_split_partitions_and_is_seeded():
    x = np.arange(100)
    y = x * 2
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction=0.2, seed=1)
    assert len(x_test) == 20 and len(x_train) == 80
    assert sorted(np.concatenate([x_train, x_test]).tolist()) == list(range(100))
    np.testing.assert_array_equal(y_train, 2 * x_train)
    np.testing.assert_array_equal(y_test, 2 * x_test)
    again = train_test_split(x, y, test_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again[0], x_train)
    with pytest.raises(ValueError, match="differ in length"):
        train_test_split(x, y[:5])
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(x, test_fraction=1.5)


# --- issue 11: bad and edge inputs ----------------------------------------------------


def matrix(values):
    """An np.matrix, whose creation NumPy warns about (pytest turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(values)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (
            np.array([[1.0, np.nan], [2.0, 3.0]]),
            r"NaN or infinity in 1 row\(s\), in column\(s\) \[1\]",
        ),
        (
            np.array([[1.0, 2.0], [np.inf, 3.0], [0.0, -np.inf]]),
            r"2 row\(s\), in column\(s\) \[0, 1\]",
        ),
        (np.array([1.0, np.nan, 2.0]), r"NaN or infinity in 1 row"),
        (np.zeros((0, 2)), r"X is empty \(shape \(0, 2\)\)"),
        (np.zeros((3, 0)), r"X is empty \(shape \(3, 0\)\)"),
        (np.zeros(0), r"X is empty"),
        (np.float64(3.0), r"got shape \(\)"),
        (np.ones((2, 2, 2)), r"got shape \(2, 2, 2\)"),
        ([["a", "b"]], "X must be an array of numbers"),
        (np.array([[1.0, 2.0]]), "standardize needs at least two rows"),
        (
            np.array([[1.0, 2.0], [1.0, 3.0]]),
            r"column 0 of X is constant \(every value is 1\).*X\[:, \[1\]\]",
        ),
        (np.array([[5.0, 2.0], [5.0, 2.0]]), r"column 0 of X is constant"),
        (np.array([[0.0], [0.0], [0.0]]), r"column 0 of X is constant \(every value is 0\), so"),
        (np.full((7, 1), 0.1), r"column 0 of X is constant \(every value is 0.1\)"),
        # the same number computed two ways: one ulp apart, std ~ 3e-17
        (np.array([[0.1 + 0.2, 1.0], [0.3, 2.0]]), r"column 0 of X is constant"),
        (np.array([[1.0, 2.0], [3.0, 2.0]]), r"column 1 of X is constant.*X\[:, \[0\]\]"),
    ],
)
def test_standardize_refuses_what_it_cannot_scale(X, message):
    before = np.array(X, copy=True) if not isinstance(X, list) else None
    with np.errstate(all="raise"):  # the checks themselves must not warn
        with pytest.raises(ValueError, match=message):
            standardize(X)
    if before is not None:
        np.testing.assert_array_equal(X, before)


def test_standardize_keeps_a_column_that_varies_a_little():
    """Variation well above rounding is scaled, as NumPy's std says."""
    X = np.array([[1.0], [1.0 + 1e-9], [1.0 - 1e-9]])
    scaled, _, std = standardize(X)
    assert std[0] == pytest.approx(np.sqrt(2 / 3) * 1e-9, rel=1e-6)  # closed form
    np.testing.assert_allclose(
        scaled[:, 0], [0.0, np.sqrt(1.5), -np.sqrt(1.5)], rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    ("mean", "std", "message"),
    [
        (np.zeros(3), np.ones(2), r"mean must have one value per column of X, shape \(2,\)"),
        (np.zeros(2), np.ones((1, 2)), r"std must have one value per column.*\(1, 2\)"),
        (
            np.zeros(2),
            np.array([1.0, 0.0]),
            r"std must be positive in every column, got 0.0 in column 1",
        ),
        (np.zeros(2), np.array([-1.0, 1.0]), r"got -1.0 in column 0"),
        (np.array([np.nan, 0.0]), np.ones(2), "mean contains 1 non-finite"),
        (np.zeros(2), np.array([np.inf, 1.0]), "std contains 1 non-finite"),
        (np.ma.masked_array(np.zeros(2)), np.ones(2), "mean is a masked array"),
    ],
)
def test_standardize_refuses_a_bad_mean_or_std(mean, std, message):
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    error = TypeError if isinstance(mean, np.ma.MaskedArray) else ValueError
    with pytest.raises(error, match=message):
        standardize(X, mean, std)


def test_standardize_refuses_matrices_and_masked_arrays():
    X = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]])
    with pytest.raises(TypeError, match=r"X is a numpy.matrix.*np.asarray\(X\)"):
        standardize(matrix(X))
    with pytest.raises(TypeError, match=r"X is a masked array.*X.filled"):
        standardize(np.ma.masked_array(X, mask=X > 4.5))


def test_standardize_keeps_float32_and_the_test_set_rule():
    X = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]], dtype=np.float32)
    scaled, mean, std = standardize(X)
    assert scaled.dtype == mean.dtype == std.dtype == np.float32
    np.testing.assert_allclose(mean, [3.0, 20.0], rtol=1e-6)
    np.testing.assert_allclose(std, [np.sqrt(8 / 3), np.sqrt(200 / 3)], rtol=1e-6)
    test, same_mean, same_std = standardize(np.array([[3.0, 20.0]]), mean, std)
    np.testing.assert_array_equal(test, [[0.0, 0.0]])  # one row is fine with a given mean, std
    assert same_mean is not None and same_std is not None
    ints = standardize(np.array([[1, 2], [3, 6]]))[0]
    assert ints.dtype == np.float64 and ints.tolist() == [[-1.0, -1.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    ("fraction", "message"),
    [
        ("0.2", r"got '0.2'; write test_fraction=0.2 \(a number, not a string\)"),
        ("a fifth", r"got 'a fifth'$"),
        (-0.1, r"test_fraction must be a number in \(0, 1\), got -0.1"),
        (0, r"got 0$"),
        (0.0, r"got 0.0$"),
        (1, r"got 1$"),
        (1.5, r"got 1.5$"),
        (np.nan, r"got nan$"),
        (np.inf, r"got inf$"),
        (True, r"got True$"),
        (None, r"got None$"),
        ([0.2], r"got \[0.2\]$"),
    ],
)
def test_train_test_split_refuses_a_bad_test_fraction(fraction, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(np.arange(10), test_fraction=fraction)


@pytest.mark.parametrize(
    ("n", "fraction", "message"),
    [
        (1, 0.25, r"test_fraction=0.25 of 1 row\(s\) leaves 0 for training.*at least 2 rows"),
        (2, 0.9, r"test_fraction=0.9 of 2 row\(s\) leaves 0 for training.*smaller test_fraction"),
        (4, 0.9, r"test_fraction=0.9 of 4 row\(s\) leaves 0"),
        (10, 0.96, r"test_fraction=0.96 of 10 row\(s\) leaves 0"),
        (0, 0.25, r"the arrays are empty \(0 rows\)"),
    ],
)
def test_train_test_split_refuses_an_empty_part(n, fraction, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(np.arange(n), test_fraction=fraction)


@pytest.mark.parametrize(("n", "fraction", "n_test"), [(2, 0.5, 1), (10, 0.01, 1), (10, 0.94, 9)])
def test_train_test_split_edge_sizes_that_are_fine(n, fraction, n_test):
    train, test = train_test_split(np.arange(n), test_fraction=fraction)
    assert len(test) == n_test and len(train) == n - n_test
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(n))


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            -1,
            r"seed must be a non-negative int \(numpy's default_rng refuses negative seeds\), "
            "got -1",
        ),
        (None, r"got None"),
        (1.5, r"got 1.5"),
        (True, r"got True"),
        ("0", r"got '0'"),
    ],
)
def test_train_test_split_refuses_a_bad_seed(seed, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(np.arange(10), seed=seed)


def test_train_test_split_accepts_generators_numpy_ints_and_big_seeds():
    x = np.arange(10)
    a = train_test_split(x, seed=np.random.default_rng(3))
    b = train_test_split(x, seed=3)
    np.testing.assert_array_equal(a[0], b[0])  # default_rng(Generator) uses it as it is
    np.testing.assert_array_equal(train_test_split(x, seed=np.int64(3))[0], b[0])
    assert len(train_test_split(x, seed=2**100)[1]) == 2  # round(0.25 * 10) = 2 (to even)


@pytest.mark.parametrize(
    ("arrays", "error", "message"),
    [
        (
            (np.float64(3.0),),
            ValueError,
            r"arrays\[0\] must have one row per example, got a single value",
        ),
        ((np.arange(3), 5), ValueError, r"arrays\[1\] must have one row per example"),
        ((np.arange(3), np.arange(4)), ValueError, r"differ in length \(rows\): \[3, 4\]"),
        (
            (np.ma.masked_array(np.arange(4.0), mask=[0, 1, 0, 0]),),
            TypeError,
            r"arrays\[0\] is a masked array",
        ),
        ((np.arange(4), "matrix"), TypeError, r"arrays\[1\] is a numpy.matrix"),
        ((np.arange(2), [[1], [1, 2]]), ValueError, r"arrays\[1\] must be an array"),
        ((), ValueError, "needs at least one array"),
    ],
)
def test_train_test_split_refuses_bad_arrays(arrays, error, message):
    arrays = tuple(matrix(np.ones((4, 2))) if isinstance(a, str) else a for a in arrays)
    with pytest.raises(error, match=message):
        train_test_split(*arrays)


def test_train_test_split_returns_new_arrays_and_leaves_its_inputs_alone():
    X, labels = np.arange(20.0).reshape(10, 2), ["a", "b"] * 5
    X0 = X.copy()
    X_train, X_test, labels_train, labels_test = train_test_split(X, labels, seed=4)
    X_train[...] = -1.0
    X_test[...] = -1.0
    np.testing.assert_array_equal(X, X0)
    assert labels == ["a", "b"] * 5
    assert labels_train.dtype.kind == "U" and len(labels_test) == 2


# -- second adversarial pass ----------------------------------------------------------


@pytest.mark.parametrize(
    "column, dtype",
    [
        ([1e20, -1e20, 3e20, 5e19], np.float32),  # squares overflow float32
        ([1e200, -1e200, 3e200], np.float64),  # squares overflow float64
        ([1e-200, -1e-200, 3e-200], np.float64),  # squares underflow: looked constant
        ([6e4, -6e4, 3e4], np.float16),
        ([1.7e308, -1.7e308, 1e308], np.float64),  # X - mean overflows too
    ],
)
def test_standardize_copes_with_huge_and_tiny_values(column, dtype):
    # These used to warn (overflow encountered in square) and return zeros, or to be
    # refused as constant. Expected: the same column in units of its largest entry,
    # standardized in float64 (the scaling by a power of two is exact).
    X = np.array(column, dtype=dtype)[:, None]
    unit = np.array(column, dtype=dtype).astype(np.float64) / float(np.abs(X).max())
    expected = (unit - unit.mean()) / unit.std()
    scaled, mean, std = standardize(X)
    assert scaled.dtype == dtype and np.isfinite(scaled).all()
    rtol = {np.float16: 5e-3, np.float32: 1e-6, np.float64: 1e-14}[dtype]
    np.testing.assert_allclose(scaled[:, 0], expected, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(mean / np.abs(X).max(), unit.mean(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(std / np.abs(X).max(), unit.std(), rtol=rtol)


def test_standardize_is_bit_for_bit_numpys_where_numpy_does_not_overflow():
    rng = np.random.default_rng(7)
    for X in (
        rng.normal(size=(40, 3)) * [1.0, 1e3, 1e-3] + [5.0, -1e4, 0.0],
        rng.normal(size=25),
        rng.normal(size=(9, 2)).astype(np.float32) * 1e4,
    ):
        scaled, mean, std = standardize(X)
        np.testing.assert_array_equal(mean, X.mean(axis=0))
        np.testing.assert_array_equal(std, X.std(axis=0))
        np.testing.assert_array_equal(scaled, (X - X.mean(axis=0)) / X.std(axis=0))


def test_standardize_refuses_a_test_set_whose_scaled_values_overflow():
    with pytest.raises(ValueError, match=r"\(X - mean\) / std overflows"):
        standardize(np.array([[1e300]]), mean=np.array([-1e300]), std=np.array([1e-10]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"test_size": 0.2}, "optlib's name is test_fraction: write test_fraction=0.2"),
        ({"random_state": 42}, "optlib's name is seed: write seed=42"),
        ({"random_state": None}, "seed=np.random.default_rng() for fresh randomness"),
        ({"train_size": 0.8}, "test_fraction=1 - train_size"),
        ({"stratify": [0, 1]}, "does not stratify; drop it"),
        ({"seeds": 1}, "did you mean seed=?"),
    ],
)
def test_train_test_split_answers_scikit_learns_names(kwargs, message):
    # These used to get Python's "got an unexpected keyword argument 'test_size'".
    with pytest.raises(TypeError) as info:
        train_test_split(np.arange(8), np.arange(8), **kwargs)
    assert message in str(info.value)


def test_train_test_split_says_test_fraction_is_a_keyword():
    with pytest.raises(ValueError, match=r"write train_test_split\(\.\.\., test_fraction=0\.2\)"):
        train_test_split(np.arange(8), np.arange(8), 0.2)
