import hashlib
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
