"""Multitasking theory (theory.multitasking) against Monte Carlo (simulate).

z-scores use the sample standard error (disorder and thermal noise together); the
threshold is written literally and corrected for the number of comparisons:
|z| < max(4, bonferroni_threshold(n)) with family-wise error 1e-3.
"""

import numpy as np
import pytest

from assoc.compare import bonferroni_threshold, compare, extrapolate_in_N
from assoc.models import ExampleHebbian, MultitaskingHebbian
from montecarlo import simulate
from theory import multitasking as mt
from theory.multitasking.tables import archetype_law, site_table
from theory.multitasking.zero import iterate_zero_map


def _z_ok(z, n):
    z = np.asarray(z, dtype=float).ravel()
    print(f"z = {np.round(z, 2).tolist()} (threshold {max(4.0, bonferroni_threshold(n)):.2f})")
    assert np.isfinite(z).all()
    assert np.all(np.abs(z) < max(4.0, bonferroni_threshold(n))), z


@pytest.mark.parametrize("K, d, T, branch", [
    (2, 0.3, 0.1, "hierarchical"),
    (3, 0.8, 0.1, "parallel"),
])
def test_quick_theory_vs_mc_extrapolated_in_N(K, d, T, branch):
    """Quick version of the slow check below (N = 200, 400, 800; 12 samples): overlaps and
    energy extrapolated in 1/N (the energy has an O(1/N) self-coupling term) against the
    low-storage theory, |z| < 4."""
    ds = simulate(MultitaskingHebbian(K=K), d=d, T=T, N=[200, 400, 800],
                  samples=12, sweeps=60, burn_in=20, seed=21, start=branch)
    th = mt.solve(K, d, T, state=branch)
    assert bool(th.stable.squeeze())
    c = compare(th, extrapolate_in_N(ds, ["m", "energy"]), variables=["m", "energy"],
                branch=branch)
    _z_ok(np.r_[c.z_m.values.ravel(), c.z_energy.values.ravel()], K + 1)
    # the test can fail: the same theory with overlaps normalised by the number of
    # nonzero entries, m / (1 - d), is rejected by the same data
    wrong = th.m.squeeze().values / (1 - d)
    zw = (extrapolate_in_N(ds, ["m"]).m.squeeze().values - wrong) / c.m_sem.values.ravel()
    assert np.abs(zw).max() > 4


@pytest.mark.slow
@pytest.mark.parametrize("K, d, T, branch", [
    (2, 0.3, 0.1, "hierarchical"),
    (3, 0.5, 0.05, "hierarchical"),
    (2, 0.85, 0.1, "parallel"),
    (3, 0.8, 0.1, "parallel"),
])
def test_theory_vs_mc_extrapolated_in_N(K, d, T, branch):
    ds = simulate(MultitaskingHebbian(K=K), d=d, T=T, N=[250, 500, 1000, 2000],
                  samples=16, sweeps=200, seed=11, start=branch)
    th = mt.solve(K, d, T, state=branch)
    assert bool(th.stable.squeeze())
    c = compare(th, extrapolate_in_N(ds, ["m", "energy"]), variables=["m", "energy"],
                branch=branch)
    _z_ok(np.r_[c.z_m.values.ravel(), c.z_energy.values.ravel()], 4 * 4)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
def test_learning_theory_vs_mc_both_protocols(protocol):
    """Example couplings (K = 2, d = 0.3, r = 0.6, M = 5 and 11, T = 0.05): the archetype
    and example-mean overlaps of both protocols agree with the same low-storage theory."""
    ds = simulate(ExampleHebbian(K=2, protocol=protocol), d=0.3, T=0.05,
                  N=[500, 1000, 2000, 4000], r=0.6, M=[5, 11], samples=12,
                  sweeps=80, seed=3)
    th = mt.solve(2, 0.3, 0.05, r=0.6, M=[5, 11], protocol=protocol, state="equilibrium")
    assert th.stable.all()
    c = compare(th, extrapolate_in_N(ds, ["m", "n"]), variables=["m", "n"],
                branch="equilibrium")
    _z_ok(np.r_[c.z_m.values.ravel(), c.z_n.values.ravel()], 8 * 2)


@pytest.mark.slow
def test_zero_temperature_simulation_locates_d_H():
    """K = 3, T = 0, from the hierarchical configuration: below d_H = 0.618 the state
    stays hierarchical; above it the dynamics leave it for the overturned state (the only
    stable T = 0 state there), as the exact zero-temperature map predicts."""
    K = 3
    ds = simulate(MultitaskingHebbian(K=K), d=[0.58, 0.66], T=0.0, N=4000,
                  samples=16, sweeps=20, burn_in=20, seed=8)
    m = ds.m.isel(T=0, N=0).mean("sample")
    sem = ds.m.isel(T=0, N=0).std("sample") / 4
    below = mt.hierarchical_overlaps(K, 0.58)[0]
    assert np.all(np.abs(m.sel(d=0.58) - below) < 4 * sem.sel(d=0.58) + 1e-9)
    above = iterate_zero_map(site_table(archetype_law([0.66]), K),
                             mt.hierarchical_overlaps(K, 0.66))[0][0]
    assert not np.allclose(above, mt.hierarchical_overlaps(K, 0.66)[0], atol=0.01)
    assert np.all(np.abs(m.sel(d=0.66) - above) < 4 * sem.sel(d=0.66) + 1e-9)
