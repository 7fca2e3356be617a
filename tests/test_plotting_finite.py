"""Tests of optlib.plotting.finite: what reaches Matplotlib is finite."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from optlib.plotting.finite import cut_at_box


@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=30))
@example(points=[(0.0, 0.0), (11.0, 2.2250738585e-313)])  # a subnormal step overflowed
@example(points=[(0.0, 0.0), (11.0, -2.2250738585e-313)])
def test_cut_at_box_keeps_the_inside_exactly(points):
    points = np.array(points)
    low, high = np.array([-10.0, -5.0]), np.array([10.0, 5.0])
    cut = cut_at_box(points, low, high)
    assert ((cut >= low - 1e-9) & (cut <= high + 1e-9)).all()
    inside = ((points >= low) & (points <= high)).all(axis=1)
    n_inside = len(points) if inside.all() else int(np.argmin(inside))
    np.testing.assert_array_equal(cut[:n_inside], points[:n_inside])
    assert len(cut) == min(len(points), n_inside + 1)
