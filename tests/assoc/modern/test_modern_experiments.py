"""Capacity and retrieval experiments: Datasets, reproducibility, agreement with theory."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import assoc.modern as am
from assoc.dataset import assert_valid_result
from assoc.modern.capacity import logistic_threshold


def test_logistic_threshold_recovers_a_known_crossing() -> None:
    rng = np.random.default_rng(0)
    x = np.linspace(0, 4, 9)
    p = 1 / (1 + np.exp(3.0 * (x - 2.3)))
    n = np.full(9, 4000)
    k = rng.binomial(n, p)
    xs, se = logistic_threshold(x, k, n)
    assert abs(xs - 2.3) < 4 * se and se < 0.02


def test_dense_retrieval_dataset_and_seeds(tmp_path) -> None:
    kw = dict(samples=3, queries=8, seed=5)
    ds = am.dense_retrieval([10, 400], [60], [0.0, 0.2], am.Polynomial(3), **kw)
    assert_valid_result(ds)
    assert ds["success"].dims == ("K", "N", "rho", "sample")
    s = ds["success"].mean("sample")
    assert float(s.sel(K=10, N=60, rho=0.0)) == 1.0 and float(s.sel(K=400, N=60, rho=0.2)) < 0.5
    again = am.dense_retrieval([400], [60], [0.2], am.Polynomial(3), **kw)
    xr.testing.assert_equal(again["success"], ds["success"].sel(K=[400], rho=[0.2]))
    ds.to_netcdf(tmp_path / "r.nc")
    back = xr.open_dataset(tmp_path / "r.nc")
    xr.testing.assert_identical(back.load(), ds)
    asy = am.dense_retrieval([10], [60], [0.1], am.Exponential(), dynamics="async", samples=1)
    assert float(asy["success"].mean()) == 1.0


def test_dense_capacity_small_agrees_with_finite_N_theory() -> None:
    ds = am.dense_capacity([40, 80], am.Polynomial(3), samples=6, queries=16, scan=5, seed=1)
    assert_valid_result(ds)
    ratio = ds["K_c"] / ds["K_theory"]
    assert np.all(np.abs(ratio.values - 1) < 0.25)  # small-sample version of the slow test


@pytest.mark.slow
@pytest.mark.parametrize("n, Ns", [(2, [100, 200, 400, 800]), (3, [50, 100, 200, 400]),
                                   (4, [30, 50, 80, 120])])
def test_krotov_hopfield_scaling_and_constant(n: int, Ns: list[int]) -> None:
    """K_c ~ N^(n-1) / ((2n-3)!! z_N^2): exponent within 0.1, constant within 10%."""
    fit = am.fit_krotov_hopfield(am.dense_capacity(Ns, am.Polynomial(n), samples=12, seed=1))
    assert abs(fit["exponent"] - (n - 1)) < 0.1
    assert abs(fit["C"] / fit["C_theory"] - 1) < 0.1
    assert abs(fit["ratio_finite"] - 1) < 0.1


@pytest.mark.slow
def test_demircigil_exponents() -> None:
    """alpha within 10% of I(1-2 rho) (one pattern) and of the bound I(1-2 rho)/2 (all)."""
    typ = am.fit_demircigil(am.dense_capacity([40, 60, 80, 100], am.Exponential(), rho=0.3,
                                              samples=12, seed=1))
    assert abs(typ["alpha"] / typ["alpha_theory"] - 1) < 0.1
    allp = am.fit_demircigil(am.dense_capacity([30, 40, 50, 60], am.Exponential(), rho=0.2,
                                               criterion="all", samples=24, seed=1))
    assert abs(allp["alpha"] / allp["alpha_theory"] - 1) < 0.1


def test_modern_retrieval_dataset() -> None:
    ds = am.modern_retrieval([8, 512], [32], [0.1, 8.0], [0.0, 0.25], samples=2, queries=8,
                             seed=3)
    assert_valid_result(ds)
    m = ds.mean("sample")
    # few patterns, large beta: exact retrieval; tiny beta: the global average (large error)
    assert float(m["success"].sel(K=8, N=32, beta=8.0, noise=0.0)) == 1.0
    assert float(m["error"].sel(K=8, N=32, beta=8.0, noise=0.0)) < 1e-6
    assert float(m["error"].sel(K=512, N=32, beta=0.1, noise=0.0)) > 0.5
    sph = am.modern_retrieval([8], [16], [4.0], [0.3], patterns="sphere", samples=1, seed=3)
    assert np.isnan(sph["bit_error"]).all() and float(sph["success"].mean()) == 1.0


def test_modern_bound_check_holds() -> None:
    ds = am.modern_bound_check([4, 32], [8, 24], [1.0, 2.0], samples=4, seed=4)
    assert_valid_result(ds)
    assert ds["hypothesis"].all()
    assert float(ds["ratio_max"].max()) <= 1.0
    assert float(ds["fixed_point_ratio"].max()) <= 1.0
    assert float(ds["fixed_point_bound_ratio_max"].max()) <= 1.0


def test_modern_separation_capacity_exceeds_theorem_3() -> None:
    ds = am.modern_separation_capacity([12, 14], n_sets=10, seed=5)
    assert_valid_result(ds)
    assert ds["valid"].all()
    assert np.all(ds["n_max"].values >= ds["n_theorem"].values)
