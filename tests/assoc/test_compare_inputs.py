"""assoc.compare under zero sample errors and misuse: no silent infinities, and errors that
name compare's parameters (issue: bad input and interruptions)."""

from __future__ import annotations

import numpy as np
import pytest

from assoc.compare import bonferroni_threshold, compare, extrapolate_in_N
from assoc.models import Hopfield
from montecarlo import simulate
from theory import hopfield


@pytest.fixture(scope="module")
def frozen():
    """At T = 0.05 every sample sits at m = 1 (zero sample error); at T = 0.3 it does not."""
    mc = simulate(Hopfield(), N=[100, 200, 400], alpha=0.02, T=[0.05, 0.3], samples=4,
                  sweeps=50, seed=1)
    th = hopfield.solve(alpha=0.02, T=[0.05, 0.3])
    return mc, th


def test_zero_sample_error_gives_an_undefined_z_not_an_infinity(frozen):
    mc, th = frozen
    ex = extrapolate_in_N(mc)
    cold = ex.sel(T=0.05).squeeze()
    assert float(cold.m) == pytest.approx(1.0) and not bool(cold.m_sem_defined)
    assert np.isnan(float(cold.m_sem))
    assert bool(ex.m_sem_defined.sel(T=0.3).squeeze()) and np.isfinite(ex.m_sem.sel(T=0.3)).all()
    for mcd in (mc, ex):
        cmp = compare(th, mcd)
        assert not np.isinf(cmp.z_m.values).any()
        assert not cmp.z_defined_m.sel(T=0.05).values.any()
        assert np.isnan(cmp.z_m.sel(T=0.05).values).all()
        assert cmp.z_defined_m.sel(T=0.3).values.all()
    one = simulate(Hopfield(), N=100, alpha=0.02, T=0.3, samples=1, sweeps=5, seed=1)
    cmp = compare(th, one)
    assert not bool(cmp.z_defined_m.squeeze()) and np.isnan(float(cmp.z_m.squeeze()))


@pytest.mark.parametrize("call,exc,match", [
    (lambda th, mc: compare(th, mc, variables=["no_such"]), ValueError, "variables"),
    (lambda th, mc: compare(th, mc, variables=[]), ValueError, "variables"),
    (lambda th, mc: compare(th, mc, branch="nonsense"), ValueError, "branch must be one of"),
    (lambda th, mc: compare(th.sel(T=[0.3]), mc), ValueError, "theory must cover"),
    (lambda th, mc: compare(mc, th), ValueError, "swapped"),
    (lambda th, mc: compare(None, mc), TypeError, "theory must be an xarray.Dataset"),
    (lambda th, mc: compare(th, None), TypeError, "mc must be an xarray.Dataset"),
    (lambda th, mc: compare(th, mc, method="closest"), ValueError, "method"),
    (lambda th, mc: compare(th, mc, tolerance=-1), ValueError, "tolerance"),
    (lambda th, mc: extrapolate_in_N(mc.isel(N=[0])), ValueError, "two sizes"),
    (lambda th, mc: extrapolate_in_N(mc, ["no_such"]), ValueError, "variables"),
    (lambda th, mc: extrapolate_in_N(mc, exponent=0), ValueError, "exponent"),
    (lambda th, mc: bonferroni_threshold(0), ValueError, "n_comparisons"),
    (lambda th, mc: bonferroni_threshold(-5), ValueError, "n_comparisons"),
    (lambda th, mc: bonferroni_threshold(3, familywise=2), ValueError, "familywise"),
    (lambda th, mc: bonferroni_threshold(3, familywise=0), ValueError, "familywise"),
    (lambda th, mc: bonferroni_threshold(3, familywise=-1), ValueError, "familywise"),
])
def test_misuse_names_the_parameter(frozen, call, exc, match):
    mc, th = frozen
    with pytest.raises(exc, match=match):
        call(th, mc)
