"""theory.multitasking: exact averages, T = 0 closed forms, branches, boundaries, validation."""

import itertools
import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from assoc import assert_valid_result
from theory import multitasking as mt
from theory.multitasking.tables import archetype_law, averages, site_table, zero_temperature_map
from theory.multitasking.zero import chamber_fixed_points, search_fixed_points


def _brute(K, d, p, T):
    """Direct loop over all 3^K configurations: F, f and Hessian."""
    F, f, H = np.zeros(K), 0.5 * p @ p, np.eye(K)
    for x in itertools.product([-1, 0, 1], repeat=K):
        x = np.array(x, float)
        nz = int((x != 0).sum())
        w = d ** (K - nz) * ((1 - d) / 2) ** nz
        h = x @ p
        if T > 0:
            F += w * x * math.tanh(h / T)
            f -= w * T * math.log(2 * math.cosh(h / T))
            H -= w * np.outer(x, x) / T / math.cosh(h / T) ** 2
        else:
            F += w * x * np.sign(h)
            f -= w * abs(h)
    return F, f, H


@pytest.mark.parametrize("K", [1, 2, 3, 4])
@pytest.mark.parametrize("T", [0.0, 0.07, 0.5])
def test_exact_average_equals_brute_force(K, T):
    rng = np.random.default_rng(K)
    for d in (0.0, 0.35, 0.8):
        p = rng.uniform(-1, 1, K)
        av = averages(site_table(archetype_law([d]), K), p[None], np.array([T]), hessian=True)
        F, f, H = _brute(K, d, p, T)
        np.testing.assert_allclose(av.F[0], F, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(av.f[0], f, rtol=1e-12, atol=1e-14)
        if T > 0:
            np.testing.assert_allclose(av.hess[0], H, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("K", range(1, 8))
def test_zero_temperature_hierarchical_overlaps_are_exact(K):
    dH = mt.hierarchical_threshold(K)
    d = np.array([0.0, 0.1, 0.3, 0.45, min(0.6, dH - 1e-3)])
    ds = mt.solve(K, d, 0.0, state="hierarchical")
    m = ds.m.sel(branch="hierarchical", T=0.0).values
    exact = np.array([[(1 - x) * x**k for k in range(K)] for x in d])
    np.testing.assert_array_equal(m, exact)  # the closed form, exactly
    assert ds.converged.all() and ds.stable.all()
    F, tie = zero_temperature_map(site_table(archetype_law(d), K), exact)
    np.testing.assert_allclose(F, exact, rtol=0, atol=1e-14)  # a fixed point of the exact map
    assert not tie.any()


def test_closed_form_thresholds():
    assert mt.hierarchical_threshold(2) == 1.0
    assert mt.hierarchical_threshold(3) == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-14)
    assert mt.ground_state_threshold(3) == pytest.approx((1 + 2 * math.sqrt(2)) / 7, abs=1e-13)
    for K in range(3, 9):  # d_H: root of d^K - 2d + 1; d_G < d_H; both -> 1/2
        dH, dG = mt.hierarchical_threshold(K), mt.ground_state_threshold(K)
        assert dH**K - 2 * dH + 1 == pytest.approx(0, abs=1e-14)
        assert 0.5 < dG < dH


@pytest.mark.parametrize("K", [3, 4])
def test_boundaries_at_T0_located_by_a_second_method(K):
    """Bisection on the exact T = 0 map and on the exhaustive set of T = 0 states."""
    b = mt.regime_boundaries(K, 0.0, d_tol=1e-10)
    sel = b.sel(T=0.0, branch="hierarchical", interval=0)
    assert float(sel.d_hi.sel(criterion="exists")) == pytest.approx(float(b.d_H), abs=2e-10)
    assert float(sel.d_hi.sel(criterion="stable")) == pytest.approx(float(b.d_H), abs=2e-10)
    assert float(sel.d_hi.sel(criterion="global")) == pytest.approx(float(b.d_G), abs=2e-10)
    other = b.sel(T=0.0, branch="other", criterion="global", interval=0)
    assert float(other.d_lo) == pytest.approx(float(b.d_G), abs=2e-10)
    par = b.sel(T=0.0, branch="parallel", criterion="stable")
    # symmetric states have ties at T = 0 for d > 0 (stable at most at d = 0, odd K)
    assert np.all(np.isnan(par.d_hi.values) | (par.d_hi.values < 1e-8))
    assert_valid_result(b)


@pytest.mark.parametrize("K", [3, 4])
def test_search_finds_every_zero_temperature_state(K):
    for d in (0.3, 0.5, 0.53, 0.7):
        ex = chamber_fixed_points(K, [d])
        exh = np.unique(np.round(ex["v"][0][ex["fixed"][0]], 10), axis=0)
        found = np.unique(np.round(search_fixed_points(K, d, n_random=300)["p"], 10), axis=0)
        np.testing.assert_allclose(found, exh, atol=1e-9)


@pytest.mark.parametrize("K", [3, 4, 5, 6])
def test_overturned_state_crosses_the_hierarchical_one_at_dG(K):
    dG = mt.ground_state_threshold(K)
    table = site_table(archetype_law([dG]), K)
    m = mt.overturned_overlaps(K, dG)
    F, tie = zero_temperature_map(table, m)
    np.testing.assert_allclose(F, m, atol=1e-14)
    assert not tie.any()
    h = mt.hierarchical_overlaps(K, dG)[0]
    assert m[0] @ m[0] == pytest.approx(h @ h, rel=1e-12)
    if K <= 5:  # no T = 0 state beats both just below d_G (exhaustive for K <= 4)
        method = "exhaustive" if K <= 4 else "search"
        s = mt.zero_temperature_states(K, dG - 1e-4, method=method, n_random=200)
        np.testing.assert_allclose(s.m.isel(state=0), mt.hierarchical_overlaps(K, dG - 1e-4)[0])


def test_symmetric_branches_and_paramagnet():
    ds = mt.solve(3, [0.2, 0.6], [0.0, 0.1, 0.5], state=["paramagnet", "pure", "parallel"])
    pure = ds.m.sel(branch="pure")
    for d in (0.2, 0.6):
        for T in (0.1, 0.5):
            m = float(pure.sel(d=d, T=T, pattern=1))
            if T < 1 - d:
                assert m == pytest.approx((1 - d) * math.tanh(m / T), abs=1e-13)
            else:
                assert np.isnan(m)  # no retrieval above T_c = 1 - d
    assert bool(ds.stable.sel(branch="paramagnet", d=0.6, T=0.5))
    assert not ds.stable.sel(T=0.0).any()  # ties at T = 0 (d > 0)
    np.testing.assert_allclose(ds.m.sel(branch="pure", T=0.0, pattern=1), [0.8, 0.4])
    # parallel state at strong dilution and moderate T: stable, all overlaps equal
    strong = mt.solve(3, 0.8, 0.1, state="parallel")
    assert bool(strong.stable.squeeze())
    m = strong.m.squeeze().values
    assert np.ptp(m) < 1e-12


def test_vectorised_equals_scalar():
    d, T = [0.2, 0.5, 0.75], [0.0, 0.04, 0.15]
    grid = mt.solve(3, d, T, state=["pure", "parallel", "hierarchical"])
    for dv in d:
        for Tv in T:
            one = mt.solve(3, dv, Tv, state=["pure", "parallel", "hierarchical"])
            for v in ("m", "f", "stable", "status"):
                xr.testing.assert_allclose(grid[v].sel(d=[dv], T=[Tv]), one[v], rtol=1e-10,
                                           atol=1e-12)


@given(p=st.lists(st.floats(-1, 1), min_size=3, max_size=3), d=st.floats(0, 0.95),
       T=st.sampled_from([0.0, 0.05, 0.3]), perm=st.permutations([0, 1, 2]))
def test_symmetries_of_the_exact_average(p, d, T, perm):
    """Pattern permutations and m -> -m (and single-pattern sign flips) are symmetries."""
    p = np.array(p)
    table = site_table(archetype_law([d]), 3)
    av = averages(table, p[None], np.array([T]))
    avp = averages(table, p[perm][None], np.array([T]))
    avn = averages(table, -p[None], np.array([T]))
    flip = p.copy()
    flip[0] = -flip[0]
    avf = averages(table, flip[None], np.array([T]))
    np.testing.assert_allclose(avp.F[0], av.F[0][perm], atol=1e-13)
    np.testing.assert_allclose(avn.F[0], -av.F[0], atol=1e-13)
    np.testing.assert_allclose(avf.F[0][1:], av.F[0][1:], atol=1e-13)
    for other in (avp, avn, avf):
        assert other.f[0] == pytest.approx(av.f[0], abs=1e-13)


def test_solutions_respect_symmetry_and_phases():
    ds = mt.solve(2, [0.3, 0.85], 0.05, state="all")
    assert list(ds.phase.values.ravel()) == ["hierarchical", "parallel"]
    eq = ds.sel(branch="equilibrium")
    assert (eq.m.diff("pattern") <= 1e-12).all()  # canonical: decreasing overlaps


def test_netcdf_round_trip(tmp_path):
    ds = mt.solve(3, [0.3, 0.7], [0.0, 0.1])
    assert_valid_result(ds)
    p = tmp_path / "mt.nc"
    ds.to_netcdf(p)
    with xr.open_dataset(p) as back:
        xr.testing.assert_identical(back.load(), ds)
    b = mt.regime_boundaries(2, 0.0, d=np.linspace(0, 0.9, 10), d_tol=1e-4)
    b.to_netcdf(tmp_path / "b.nc")
    with xr.open_dataset(tmp_path / "b.nc") as back:
        xr.testing.assert_identical(back.load(), b)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(d=1.0), r"d must be in \[0.0, 1.0\) \(got 1.0\)"),
        (dict(d=-0.1), r"d must be in \[0.0, 1.0\) \(got -0.1\)"),
        (dict(K=0), r"K must be an integer >= 1 \(got 0\)"),
        (dict(r=0.0, M=3), r"r must be in \(0.0, 1.0\] \(got 0.0\)"),
        (dict(r=1.2, M=3), r"r must be in \(0.0, 1.0\] \(got 1.2\)"),
        (dict(r=0.5, M=0), r"M must be an integer >= 1 \(got 0\)"),
        (dict(r=0.5), "needs both r"),
        (dict(protocol="supervised"), "protocol needs examples"),
        (dict(r=0.5, M=3, protocol="teacher"), "protocol must be one of"),
        (dict(T=-0.1), "T must be >= 0"),
        (dict(state="glass"), "state must be one of"),
    ],
)
def test_bad_input_names_parameter_and_range(kw, match):
    args = dict(K=2, d=0.3, T=0.1) | kw
    with pytest.raises(ValueError, match=match):
        mt.solve(**args)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match="K must be an integer >= 1"):
        mt.regime_boundaries(0, 0.0)
    with pytest.raises(ValueError, match=r"r must be in \(0.0, 1.0\]"):
        mt.learning_threshold(2, 0.3, 1.5)
    with pytest.raises(ValueError, match=r"M must be an integer >= 1"):
        mt.signal_to_noise(2, 0.3, 0.5, 0)
    with pytest.raises(ValueError, match=r"d must be in \(0.0, 1.0\)"):
        mt.zero_temperature_states(3, 0.0)


def test_sum_squared_error_identity():
    rng = np.random.default_rng(4)
    from assoc.patterns import diluted

    N, K, d = 4000, 3, 0.4
    xi = diluted(K, N, d, seed=1).astype(float)
    s = np.where(rng.random(N) < 0.5, 1.0, -1.0)
    s[xi[0] != 0] = xi[0][xi[0] != 0]
    m = xi @ s / N
    L = ((xi - s) ** 2).sum(1) / (2 * N)
    # exact at finite N with the empirical sum_i xi_i^2 / N in place of 1 - d
    np.testing.assert_allclose(L, 1 - (1 - (xi**2).sum(1) / N) / 2 - m, atol=1e-14)
    np.testing.assert_allclose(mt.sum_squared_error(m, d), 1 - d / 2 - m)
    E = -0.5 * (m**2).sum()
    assert E == pytest.approx(-0.5 * ((1 - d / 2 - mt.sum_squared_error(m, d)) ** 2).sum())


@pytest.mark.parametrize("K, T, branch, crit, lo, hi, tol", [
    (2, 0.05, "pure", "stable", 0.04, 0.06, 1e-8),  # d (1 - d) ~ T when sech^2(beta m) ~ 0
    (2, 0.05, "parallel", "stable", 0.77, 0.78, 1e-8),  # hierarchical merges into parallel
    (3, 0.05, "hierarchical", "exists", 0.55, 0.56, 1e-8),  # loses m_1 > m_2 + m_3
    (3, 0.05, "hierarchical", "global", 0.546, 0.548, 1e-6),  # energy crossing with 'other'
    (4, 0.2, "hierarchical", "exists", 0.57, 0.578, 1e-8),  # beyond d_H(4) = 0.5437 at T > 0
])
def test_positive_T_edges_of_solve_match_a_second_method(K, T, branch, crit, lo, hi, tol):
    """The second method (theory.multitasking.check: full 3^K sums, brentq, BFGS + Newton,
    brute-force Hessian) locates an edge at T > 0; the flags of solve flip within 1e-6
    of it (quick version of the regime_boundaries comparison below; bisection to tol)."""
    from theory.multitasking.check import bisect_flag

    e = bisect_flag(K, T, branch, crit, lo, hi, tol=tol, n_random=4)
    assert lo < e < hi
    ds = mt.solve(K, [e - 1e-6, e + 1e-6], T, state="all")
    if crit == "global":
        flag = ds.phase.sel(T=T).values == branch
    elif crit == "stable":
        flag = ds.stable.sel(branch=branch, T=T).values
    else:
        flag = ds.converged.sel(branch=branch, T=T).values
    assert flag[0] != flag[1]


@pytest.mark.slow
@pytest.mark.parametrize("K, edges", [
    # (branch, criterion, side) at T = 0.05: the pure state loses stability (d(1-d) ~ T),
    # the hierarchical state merges into the parallel one (K = 2); for K = 3 it stops
    # being the global minimum (energy crossing) and then loses its structure.
    (2, [("pure", "stable", "hi"), ("parallel", "stable", "lo"),
         ("hierarchical", "exists", "lo"), ("hierarchical", "global", "hi")]),
    (3, [("hierarchical", "exists", "hi"), ("hierarchical", "global", "hi"),
         ("parallel", "stable", "lo")]),
])
def test_boundaries_at_positive_T_located_by_a_second_method(K, edges):
    """regime_boundaries (branch continuation + seeded search on the reduced table) against
    theory.multitasking.check (full 3^K sums, brentq, BFGS + Newton, bisection): agreement
    within 1e-6 in d (both bisections reach 1e-7)."""
    from theory.multitasking.check import bisect_flag

    T = 0.05
    b = mt.regime_boundaries(K, T, d=np.linspace(0, 0.99, 100), d_tol=1e-7).sel(T=T)
    for branch, crit, side in edges:
        x = b.sel(branch=branch, criterion=crit)
        vals = (x.d_lo if side == "lo" else x.d_hi).values
        e = float(vals[np.isfinite(vals) & (vals > 1e-3) & (vals < 0.99)][0])
        second = bisect_flag(K, T, branch, crit, e - 2e-3, e + 2e-3, tol=1e-8)
        assert second == pytest.approx(e, abs=1e-6), (branch, crit, side)
    # closed form of the pure-state edge when sech^2(beta m) ~ 0: d (1 - d) = T
    e = float(b.d_hi.sel(branch="pure", criterion="stable", interval=0))
    assert e == pytest.approx((1 - math.sqrt(1 - 4 * T)) / 2, abs=1e-6)
    assert float(b.d_lo.sel(branch="paramagnet", criterion="stable", interval=0)) \
        == pytest.approx(1 - T, abs=1e-6)
