"""alpha = 0 symmetric mixture states (AGS 1985a, Phys. Rev. A 32, 1007)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from assoc.dataset import assert_valid_result
from theory import hopfield

from . import exact_hopfield as ex

# AGS 1985a: symmetric 3-mixtures are stable below T ~ 0.46 (quoted 0.461); tolerance 0.002
T3_AGS, T3_TOL = 0.461, 2e-3


def test_three_mixture_at_zero_temperature():
    ds = hopfield.mixture(3, 0.0)
    assert_valid_result(ds)
    assert float(ds.m.sel(n=3, T=0.0)) == 0.5  # exactly E|S|/3 = 1/2
    assert float(ds.f.sel(n=3, T=0.0)) == -0.375  # -n m^2 / 2
    assert bool(ds.stable.sel(n=3, T=0.0))


def test_single_pattern_is_curie_weiss():
    T = [0.0, 0.3, 0.7, 0.95]
    ds = hopfield.mixture(1, T)
    for t in T:
        assert abs(float(ds.m.sel(n=1, T=t)) - ex.curie_weiss_m(t)) < 1e-14
        assert abs(float(ds.f.sel(n=1, T=t)) - ex.curie_weiss_f(t)) < 1e-14


def test_stability_temperatures():
    assert abs(hopfield.mixture_stability_temperature(3) - T3_AGS) < T3_TOL
    assert hopfield.mixture_stability_temperature(1) == 1.0
    assert np.isnan(hopfield.mixture_stability_temperature(2))  # even mixtures never stable
    t5 = hopfield.mixture_stability_temperature(5)
    assert 0 < t5 < hopfield.mixture_stability_temperature(3)
    ds = hopfield.mixture([2, 3], [0.0, 0.2, 0.45, 0.47])
    assert ds.stable.sel(n=3).values.tolist() == [True, True, True, False]
    assert not ds.stable.sel(n=2).values.any()
    with pytest.raises(ValueError, match="^n must be"):
        hopfield.mixture_stability_temperature(0)


def test_no_mixture_above_T1_and_bad_input():
    ds = hopfield.mixture(3, [0.99, 1.0, 1.5])
    assert ds.converged.values.tolist() == [[True, False, False]]
    assert np.isnan(ds.m.values[0, 1:]).all()
    with pytest.raises(ValueError, match="^T must be"):
        hopfield.mixture(3, -1.0)
    with pytest.raises(ValueError, match="^n must be"):
        hopfield.mixture(2.5, 0.1)


def _f_full(mvec, T):
    """f(m) = |m|^2/2 - T E ln 2cosh(beta xi.m), exact average over all 2^K patterns."""
    K = mvec.size
    tot = 0.0
    for xi in itertools.product([-1.0, 1.0], repeat=K):
        x = np.dot(xi, mvec) / T
        tot += abs(x) + np.log1p(np.exp(-2 * abs(x)))
    return 0.5 * mvec @ mvec - T * tot / 2**K


@pytest.mark.parametrize(("n", "T"), [(3, 0.3), (3, 0.5), (2, 0.4), (5, 0.2)])
def test_hessian_eigenvalues_by_finite_differences(n, T):
    # numerical Hessian of the full free energy in K = n + 1 pattern space
    ds = hopfield.mixture(n, T)
    m = float(ds.m[0, 0])
    K = n + 1
    x0 = np.array([m] * n + [0.0])
    h = 1e-4
    H = np.empty((K, K))
    for i in range(K):
        for j in range(K):
            ei, ej = np.eye(K)[i] * h, np.eye(K)[j] * h
            H[i, j] = (
                _f_full(x0 + ei + ej, T)
                - _f_full(x0 + ei - ej, T)
                - _f_full(x0 - ei + ej, T)
                + _f_full(x0 - ei - ej, T)
            ) / (4 * h * h)
    # stationarity
    g = [
        (_f_full(x0 + np.eye(K)[i] * h, T) - _f_full(x0 - np.eye(K)[i] * h, T)) / (2 * h)
        for i in range(K)
    ]
    assert np.max(np.abs(g)) < 1e-8
    num = np.sort(np.linalg.eigvalsh(H))
    ev = ds.eigenvalue[0, 0].values  # transverse, relative (x n-1), symmetric
    expect = np.sort([ev[0]] + [ev[1]] * (n - 1) + [ev[2]])
    np.testing.assert_allclose(num, expect, atol=1e-6)
