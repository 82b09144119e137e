"""Critical capacity and transition lines of the RS Hopfield model."""

from __future__ import annotations

import numpy as np
import pytest

from assoc.dataset import assert_valid_result
from theory import hopfield
from theory.hopfield import rs

from . import exact_hopfield as ex

# AGS 1985 PRL / AGS 1987 (RS, T = 0): alpha_c ~ 0.138 with m ~ 0.967 (quoted to 3-4 digits)
ALPHA_C_AGS, ALPHA_C_AGS_TOL = 0.1379, 1e-4
M_C_AGS, M_C_AGS_TOL = 0.967, 1e-3
# AGS: at T = 0 the retrieval states are global minima only below alpha ~ 0.05; the RS
# energies cross at 0.05185 (E_SG = -sqrt(2 alpha/pi) - 1/pi meets E_R ~ -1/2)
ALPHA_GLOBAL_AGS, ALPHA_GLOBAL_TOL = 0.051, 1.5e-3


def test_critical_capacity_reference_values():
    ac = hopfield.critical_capacity(0.0)
    cp = hopfield.critical_point(0.0)
    assert_valid_result(cp)
    assert abs(ac - ALPHA_C_AGS) < ALPHA_C_AGS_TOL
    assert abs(float(cp.m[0]) - M_C_AGS) < M_C_AGS_TOL
    assert float(cp.alpha_c[0]) == ac


def test_critical_capacity_against_independent_maximisation():
    # second method: bounded scalar maximisation of AGS's y-function (different variable,
    # scipy optimiser); agreement to the digits claimed: 12 for alpha_c, 9 for m_c
    a_ref, m_ref = ex.zero_T_capacity()
    cp = hopfield.critical_point(0.0)
    assert abs(float(cp.alpha_c[0]) - a_ref) < 1e-12
    assert abs(float(cp.m[0]) - m_ref) < 1e-9


def test_critical_capacity_by_bisection_on_existence():
    # third method: bisection in alpha on the existence of a T = 0 solution of the y-equation
    # on a grid of 4e5 points in y (F(y) has a quadratic maximum, so the grid resolution
    # 6e-6 costs ~1e-11 in alpha)
    grid = np.linspace(1.0, 2.2, 200_001)
    lo, hi = 0.13, 0.15
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ex.zero_T_exists(mid, grid) else (lo, mid)
    assert abs(hopfield.critical_capacity(0.0) - 0.5 * (lo + hi)) < 1e-10


@pytest.mark.parametrize("T", [0.0, 0.1, 0.5])
def test_capacity_is_a_saddle_node(T):
    # independent of the curve maximisation: solving the (m, C) equations just below alpha_c,
    # lambda_m = d2 f_eff/dm2 vanishes like sqrt(alpha_c - alpha) (saddle-node scaling)
    ac = hopfield.critical_capacity(T)
    lam = []
    for eps in (1e-4, 1e-6):
        r = hopfield.solve(ac * (1 - eps), T).sel(branch="retrieval").isel(alpha=0, T=0)
        assert bool(r.converged)
        lam.append(float(r.lambda_m))
    assert 0 < lam[1] < lam[0]
    assert lam[0] / lam[1] == pytest.approx(10.0, rel=0.05)
    above = hopfield.solve(ac * (1 + 1e-9), T).sel(branch="retrieval")
    assert not bool(above.converged.squeeze())


def test_capacity_is_reentrant_in_rs():
    # RS alpha_c(T) first rises with T (the reentrance AGS attribute to replica symmetry)
    a = hopfield.critical_point([0.0, 0.02, 0.05, 0.2]).alpha_c.values
    assert a[1] > a[0] and a[3] < a[0]


def test_critical_capacity_hot_and_bad_input():
    assert hopfield.critical_capacity(1.0) == 0.0
    assert hopfield.critical_capacity(1.5) == 0.0
    with pytest.raises(ValueError, match="^T must be"):
        hopfield.critical_capacity(-0.1)


def test_transition_lines():
    alphas = np.array([1e-4, 0.01, 0.03, 0.05, 0.1, 0.2])
    tl = hopfield.transition_lines(alphas)
    assert_valid_result(tl)
    # T_g from the solver's bifurcation vs the analytic 1 + sqrt(alpha)
    np.testing.assert_allclose(tl.T_g.values, 1 + np.sqrt(alphas), rtol=0, atol=1e-12)
    TM, Tc, Tat = tl.T_M.values, tl.T_c.values, tl.T_AT.values
    # alpha -> 0: T_M -> 1 (AGS: T_M ~ 1 - 1.95 sqrt(alpha))
    assert abs(TM[0] - (1 - 1.95 * 1e-2)) < 2e-3
    assert np.all(np.diff(TM[:5]) < 0) and np.isnan(TM[5])  # no retrieval at alpha = 0.2
    # T_c < T_M where defined; undefined once retrieval is never the global minimum
    assert np.all(Tc[:4] < TM[:4]) and np.all(np.isnan(Tc[4:]))
    # T_AT lies well below T_M (exponentially small at small alpha)
    assert np.all(Tat[1:5] < 0.01 * TM[1:5])
    assert Tat[0] == 0.0  # below the double range (~exp(-5000))
    conv = tl.converged.sel(line="T_c").values
    assert conv.tolist() == [True, True, True, True, False, False]
    assert np.all(np.isnan(tl.T_c_low.values))  # no reentrance at these loads


def test_lines_are_consistent_with_solve():
    a = 0.03
    tl = hopfield.transition_lines(a).isel(alpha=0)
    TM, Tc, Tat = float(tl.T_M), float(tl.T_c), float(tl.T_AT)
    ds = hopfield.solve(
        a, [TM * (1 - 1e-7), TM * (1 + 1e-7), Tc * 0.99, Tc * 1.01, Tat * 0.9, Tat * 1.1]
    )
    r = ds.sel(branch="retrieval").isel(alpha=0)
    s = ds.sel(branch="spin_glass").isel(alpha=0)
    assert r.converged.values[:2].tolist() == [True, False]
    assert r.f.values[2] < s.f.values[2] and r.f.values[3] > s.f.values[3]
    assert r.replicon.values[4] < 0 < r.replicon.values[5]


def test_retrieval_stops_being_global_near_0051():
    # bisection on sign(f_retrieval - f_spin_glass) at T = 0
    lo, hi = 0.03, 0.08
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        ds = hopfield.solve(mid, 0.0).isel(alpha=0, T=0)
        d = float(ds.f.sel(branch="retrieval") - ds.f.sel(branch="spin_glass"))
        lo, hi = (mid, hi) if d < 0 else (lo, mid)
    assert abs(lo - ALPHA_GLOBAL_AGS) < ALPHA_GLOBAL_TOL
    # closed form of the crossing, with E_R = -1/2 - alpha (p - 1)/2 - (1 - m^2)/2 ~ -1/2
    e_r = ex.zero_T_retrieval(lo)["f"]
    assert abs(e_r - ex.zero_T_spin_glass(lo)["f"]) < 1e-9
    # RS reentrance of T_c: just above the T = 0 crossing retrieval is global in a T window
    tl = hopfield.transition_lines([lo * 0.999, lo * 1.001, 0.0528, 0.06])
    Tc, Tl = tl.T_c.values, tl.T_c_low.values
    assert np.isnan(Tl[0]) and 0.1 < Tc[0]
    assert 0 < Tl[1] < 0.01 < Tc[1]  # the lower edge starts at T = 0 at the crossing
    assert Tl[1] < Tl[2] < Tc[2] < Tc[1]
    assert np.isnan(Tc[3]) and np.isnan(Tl[3])


def test_spin_glass_vanishes_continuously_at_Tg():
    a = 0.05
    Tg = 1 + np.sqrt(a)
    ds = hopfield.solve(a, [Tg - 1e-3, Tg - 1e-4, Tg + 1e-6])
    q = ds.q.sel(branch="spin_glass").isel(alpha=0).values
    assert 0 < q[1] < q[0] < 1e-2 and np.isnan(q[2])
    assert q[0] / q[1] == pytest.approx(10.0, rel=0.02)  # q ~ (T_g - T), second order


def test_signal_to_noise():
    from scipy.stats import norm

    a = np.array([0.01, 0.138, 0.5])
    np.testing.assert_allclose(hopfield.signal_to_noise(a), norm.cdf(-1 / np.sqrt(a)), rtol=1e-12)
    assert isinstance(hopfield.signal_to_noise(0.1), float)
    with pytest.raises(ValueError, match="^alpha must be"):
        hopfield.signal_to_noise(0.0)
    # finite-N check of the crosstalk statistics: fraction of negative aligned fields
    rng = np.random.default_rng(12345)
    N, K = 2000, 1000
    xi = rng.choice([-1.0, 1.0], size=(K, N))
    s = xi[0]
    h = (xi.T @ (xi @ s) - K * s) / N  # field without self-coupling
    frac = np.mean(h * s < 0)
    p = hopfield.signal_to_noise(K / N)
    z = (frac - p) / np.sqrt(p * (1 - p) / N)
    assert abs(z) < 4.0  # single comparison, 4 sigma
    assert rs.beta_of(np.array([0.5]))[0] == 2.0
