"""Monte Carlo against the AGS replica-symmetric retrieval overlap (THEORY.md section 1).

At alpha = 0.05 the retrieval state is metastable above T_c (it is a local, not
global, free-energy minimum), so finite chains can leave its basin. Samples are
therefore conditioned on staying in the retrieval basin during the measurement
(``m_min > M_BASIN``, far below the retrieval overlap, far above the spin-glass
one), the sample means are extrapolated to N -> infinity in 1/N, and the
z-scores against RS theory must satisfy |z| < 4 (the acceptance threshold of the
foundation issue; with 3 temperatures, the family-wise false-alarm rate of
|z| < 4 is below 2e-4).
"""

import numpy as np
import pytest
import xarray as xr

from assoc import Hopfield, compare
from assoc.compare import extrapolate_in_N
from montecarlo import simulate
from theory import hopfield

ALPHA = 0.05
TS = [0.1, 0.3, 0.5]
M_BASIN = 0.6  # retrieval m ~ 0.9 at T = 0.5; spin-glass states have |m| ~ N^-1/2
Z_MAX = 4.0


def _conditioned(mc: xr.Dataset) -> xr.Dataset:
    """Per-sample m, NaN where the sample left the retrieval basin; drops emptied points."""
    return mc.where(mc.m_min > M_BASIN)


def _z_scores(Ns, samples, sweeps, seed, Ts=TS):
    mc = simulate(Hopfield(), N=Ns, alpha=ALPHA, T=Ts, samples=samples, sweeps=sweeps,
                  burn_in=sweeps // 3, seed=seed)
    kept = _conditioned(mc)
    n_kept = kept.m.count("sample")
    assert int(n_kept.min()) >= samples // 2, f"too few samples stayed retrieved: {n_kept.values}"
    ex = extrapolate_in_N(kept)
    th = hopfield.solve(ALPHA, Ts)
    return compare(th, ex), n_kept


@pytest.mark.slow
def test_retrieval_overlap_matches_rs_after_extrapolation():
    cmp, _ = _z_scores([1000, 2000, 4000], samples=24, sweeps=300, seed=20240)
    z = cmp.z_m.values.ravel()
    assert np.all(np.abs(z) < Z_MAX), f"z = {z}, m_mc = {cmp.m_mc.values}, theory = {cmp.m_theory.values}"


def test_retrieval_overlap_matches_rs_quick():
    """The same check at smaller sizes and fewer sweeps (default suite), at T = 0.1 and 0.3.

    T = 0.5 is 0.04 below the retrieval spinodal T_M(0.05) = 0.542, where chains of a
    few hundred spins leave the basin within tens of sweeps: it is in the slow test only.
    """
    cmp, _ = _z_scores([400, 800, 1600], samples=12, sweeps=120, seed=7, Ts=TS[:2])
    z = cmp.z_m.values.ravel()
    assert np.all(np.abs(z) < Z_MAX), f"z = {z}, m_mc = {cmp.m_mc.values}, theory = {cmp.m_theory.values}"
