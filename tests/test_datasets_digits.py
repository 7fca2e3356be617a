"""The handwritten digits shipped with optlib (optlib/data/digits.csv.gz)."""

import hashlib
from importlib import resources

import numpy as np

from optlib.datasets import Digits, load_digits

# The SHA-256 recorded in optlib/data/README.md for the shipped file.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def test_shipped_file_is_the_documented_one():
    raw = resources.files("optlib").joinpath("data/digits.csv.gz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == DIGITS_SHA256


def test_readme_names_source_licence_and_checksum():
    readme = resources.files("optlib").joinpath("data/README.md").read_text(encoding="utf-8")
    section = readme[readme.index("`digits.csv.gz`") :]
    for needed in ("Alpaydin", "Kaynak", "CC BY 4.0", "10.24432/C50P49", DIGITS_SHA256):
        assert needed in section


def test_digits_shape_values_and_labels():
    digits = load_digits()
    assert isinstance(digits, Digits)
    assert digits.pixels.shape == (1797, 64) and digits.pixels.dtype == np.float64
    assert digits.labels.shape == (1797,) and digits.labels.dtype == np.int64
    # Pixels are block counts: integers from 0 to 16.
    assert np.array_equal(digits.pixels, np.round(digits.pixels))
    assert digits.pixels.min() == 0 and digits.pixels.max() == 16
    # Class counts of the UCI test set (optdigits.tes).
    counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(digits.labels).tolist() == counts
    assert digits.images.shape == (1797, 8, 8)
    assert np.array_equal(digits.images[5].ravel(), digits.pixels[5])


def test_first_image_is_a_zero():
    digits = load_digits()
    assert digits.labels[0] == 0
    # A zero is a ring: the centre of the image is dark, the sides are lit.
    image = digits.images[0]
    assert image[3:5, 3:5].mean() < image[:, 1:3].mean()


def test_load_is_deterministic_and_independent():
    first, second = load_digits(), load_digits()
    assert np.array_equal(first.pixels, second.pixels)
    first.pixels[0, 0] = 99.0  # a caller's edit does not leak into the next load
    assert load_digits().pixels[0, 0] == second.pixels[0, 0]
