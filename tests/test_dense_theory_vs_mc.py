"""Monte Carlo of dense P-spin networks against the RS retrieval overlap (theory.dense).

The procedure (conditioning on the retrieval basin, extrapolation in 1/N, z-scores) is
:func:`papers.dense_rsb.crosscheck.crosscheck`.  Acceptance threshold |z| < 4, written
literally; with at most 2 points per P and 2 values of P the family-wise false-alarm rate
is below 3e-4.  At these points the RS replicon is positive (asserted), so RS is exact and
1RSB coincides with it.
"""

import numpy as np
import pytest

from papers.dense_rsb.crosscheck import POINTS, RUNS, crosscheck

Z_MAX = 4.0


def _check(out, samples):
    # at least a quarter of the samples stayed in the retrieval basin at every size
    assert int(out.n_kept.min()) >= max(2, samples // 4), out.n_kept.values
    assert (out.replicon > 0).all()
    z = out.z_m.values.ravel()
    assert np.all(np.isfinite(z)) and np.all(np.abs(z) < Z_MAX), (
        f"z = {z}, m_mc = {out.m_mc.values.ravel()}, theory = {out.m_theory.values.ravel()}")


@pytest.mark.slow
@pytest.mark.parametrize("P", sorted(POINTS[False]))
def test_dense_retrieval_overlap_matches_rs_after_extrapolation(P):
    out, _ = crosscheck(P, quick=False, seed=2024)
    _check(out, RUNS[False][0])


@pytest.mark.parametrize("P", [3, pytest.param(4, marks=pytest.mark.slow)])
def test_dense_retrieval_overlap_matches_rs_quick(P):
    """Smaller sizes and one temperature per P (P = 3 in the default suite, ~8 s)."""
    out, _ = crosscheck(P, quick=True, seed=7)
    _check(out, RUNS[True][0])
