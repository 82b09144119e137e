"""A point's result never depends on which other points are in the call (issue: grids).

Each family: a point solved alone equals the same point inside a grid, to 1e-9, with the
same status. Hypothesis draws the point and the grid around it for the fast solvers; the
1RSB Hopfield solver (seconds a call) is checked on the loads where it once depended on the
grid: just below the RS fold and in the window where only 1RSB retrieval exists.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import dense, hopfield, multitasking


def _same(alone, inside, sel, variables=("m", "f")):
    for v in (*variables, "status"):
        a = alone[v].values.ravel()
        b = inside[v].sel(sel).values.ravel()
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-9, err_msg=v, equal_nan=True)


def _grid(point, others):
    return np.unique(np.concatenate([[point], others]))


@settings(max_examples=10, deadline=None)
@given(a=st.floats(0.01, 0.16), T=st.sampled_from([0.0, 0.05, 0.3]),
       others=st.lists(st.floats(0.005, 0.2), min_size=1, max_size=4))
def test_hopfield_rs_point_alone_equals_point_in_a_grid(a, T, others):
    g = _grid(a, others)
    _same(hopfield.solve(a, T), hopfield.solve(g, [T, 0.7]), {"alpha": [a], "T": [T]})


@settings(max_examples=3, deadline=None)
@given(a=st.floats(0.01, 0.14), T=st.sampled_from([0.0, 0.04, 0.15]),
       others=st.lists(st.floats(0.005, 0.2), min_size=1, max_size=3))
def test_dense_rs_point_alone_equals_point_in_a_grid(a, T, others):
    g = _grid(a, others)
    _same(dense.solve(3, a, T), dense.solve(3, g, [T, 0.25]), {"alpha": [a], "T": [T]})


@settings(max_examples=8, deadline=None)
@given(d=st.floats(0.05, 0.9), T=st.sampled_from([0.0, 0.1, 0.4]),
       others=st.lists(st.floats(0.0, 0.95), min_size=1, max_size=3))
def test_multitasking_point_alone_equals_point_in_a_grid(d, T, others):
    g = _grid(d, others)
    _same(multitasking.solve(2, d, T), multitasking.solve(2, g, [T, 0.6]), {"d": [d], "T": [T]})


@pytest.mark.parametrize(("point", "grid"), [
    (0.1381, np.linspace(0.12, 0.1381, 8)),     # only 1RSB retrieval exists here
    pytest.param(0.1379, np.linspace(0.12, 0.1379, 8), marks=pytest.mark.slow),  # RS fold
    pytest.param(0.1381, np.array([0.05, 0.1375, 0.1381, 0.1382]), marks=pytest.mark.slow),
])
def test_hopfield_1rsb_point_alone_equals_point_in_a_grid(point, grid):
    alone = hopfield.solve(point, 0.0, ansatz="1RSB")
    assert int(alone.status.values.ravel()[0]) == 0  # retrieval exists: found alone too
    # on the stable branch: above m = 0.96678 at the 1RSB fold (alpha_c = 0.1381865)
    assert float(alone.m.values.ravel()[0]) > 0.9668
    _same(alone, hopfield.solve(grid, 0.0, ansatz="1RSB"), {"alpha": [point]})


@pytest.mark.slow
@settings(max_examples=4, deadline=None)
@given(a=st.floats(0.12, 0.1383), T=st.sampled_from([0.0, 0.003]),
       others=st.lists(st.floats(0.1, 0.14), min_size=1, max_size=2))
def test_hopfield_1rsb_random_point_alone_equals_point_in_a_grid(a, T, others):  # minutes
    g = _grid(a, others)
    _same(hopfield.solve(a, T, ansatz="1RSB"), hopfield.solve(g, T, ansatz="1RSB"),
          {"alpha": [a], "T": [T]})


def test_dense_1rsb_point_past_the_rs_capacity_alone_equals_point_in_a_grid():
    """alpha = 0.15 lies between alpha_c^RS = 0.1261 and alpha_c^1RSB = 0.1537 (P = 3): only
    1RSB retrieval exists; it is found alone as inside a grid (m is 0.76, between the
    1RSB fold's 0.6508 and 0.8424 at alpha_gm = 0.1408 of the independent calculation,
    benchmarks/dense_global_minimum_independent.py)."""
    alone = dense.solve(3, 0.15, 0.0, ansatz="1RSB").sel(branch=["retrieval"])
    inside = dense.solve(3, [0.05, 0.15], 0.0, ansatz="1RSB").sel(branch=["retrieval"])
    assert int(alone.status.values.ravel()[0]) == 0
    assert 0.6508 < float(alone.m.values.ravel()[0]) < 0.8424
    _same(alone, inside, {"alpha": [0.15]})


@pytest.mark.slow
@settings(max_examples=4, deadline=None)
@given(a=st.floats(0.05, 0.155), T=st.sampled_from([0.0, 0.02]),
       others=st.lists(st.floats(0.01, 0.16), min_size=1, max_size=2))
def test_dense_1rsb_random_point_alone_equals_point_in_a_grid(a, T, others):  # minutes
    g = _grid(a, others)
    _same(dense.solve(3, a, T, ansatz="1RSB"), dense.solve(3, g, T, ansatz="1RSB"),
          {"alpha": [a], "T": [T]})
