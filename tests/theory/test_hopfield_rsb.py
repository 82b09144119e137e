"""The Hopfield model on the symbolic engine (theory.hopfield_rsb): RS and one-step RSB.

References: the hand-written RS solver theory.hopfield (AGS 1987), alpha_c^RS(T=0) =
0.13790556649; the 1RSB values below are computed here (Crisanti, Amit & Gutfreund 1986 and
Steffan & Kuhn 1994 report that 1RSB raises alpha_c only slightly, to about 0.138-0.144).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from assoc.dataset import assert_valid_result
from theory import hopfield
from theory import hopfield_rsb as H

ALPHA_C_RS = 0.13790556649  # theory.hopfield, AGS 1987 (RS, T = 0)


@pytest.fixture(scope="module")
def cf_rs():
    return H._compiled("RS", "hot")


@pytest.fixture(scope="module")
def cf_rsb():
    return H._compiled("1RSB", "hot")


def test_rs_on_engine_equals_hand_written_solver():
    """Engine RS retrieval = theory.hopfield.solve to 1e-10 on a grid incl. T = 0."""
    a = np.array([0.02, 0.08, 0.12, 0.137])
    T = np.array([0.0, 0.1, 0.4])
    ds = H.solve(a, T, ansatz="RS").isel(branch=0)
    ref = hopfield.solve(a, T).sel(branch="retrieval")
    np.testing.assert_array_equal(ds["converged"].values, ref["converged"].values)
    assert ds["converged"].sum() >= 9
    for k in ("m", "q", "p", "C", "f"):
        np.testing.assert_allclose(ds[k].values, ref[k].values, rtol=0, atol=1e-10,
                                   equal_nan=True)
    assert_valid_result(H.solve(0.1, 0.1, ansatz="RS"))


def _random_points(rng, n):
    """Feasible points (1 - beta(1-q1) - beta theta (q1-q0) > 0 for beta <= 3)."""
    m = rng.uniform(0.3, 1.0, n)
    q0 = rng.uniform(0.75, 0.85, n)
    q1 = q0 + rng.uniform(0.0, 0.1, n)
    p0 = rng.uniform(0.5, 2.0, n)
    p1 = p0 + rng.uniform(0.0, 0.5, n)
    th = rng.uniform(0.05, 0.95, n)
    return np.stack([m, q0, q1, p0, p1, th], axis=1)


def test_rsb_reduces_to_rs_at_q0_equal_q1(cf_rs, cf_rsb):
    """q0 = q1 = q, p0 = p1 = p: f_1RSB = f_RS(m, q, p) for any theta, and the m, q0+q1
    and p0+p1 equations are the RS ones (1e-11)."""
    rng = np.random.default_rng(1)
    x = _random_points(rng, 6)
    x[:, 2], x[:, 4] = x[:, 1], x[:, 3]
    c = {"alpha": 0.1, "beta": 2.5}
    xr_ = x[:, [0, 1, 3]]
    assert np.isfinite(cf_rsb.f(x, c)).all()
    np.testing.assert_allclose(cf_rsb.f(x, c), cf_rs.f(xr_, c), rtol=0, atol=1e-11)
    g1, g0 = cf_rsb.grad(x, c), cf_rs.grad(xr_, c)
    np.testing.assert_allclose(g1[:, 0], g0[:, 0], atol=1e-11)
    np.testing.assert_allclose(g1[:, 1] + g1[:, 2], g0[:, 1], atol=1e-11)
    np.testing.assert_allclose(g1[:, 3] + g1[:, 4], g0[:, 2], atol=1e-11)


def test_rsb_reduces_to_rs_at_theta_one(cf_rs, cf_rsb):
    """theta = 1: f_1RSB(m, q0, q1, p0, p1) = f_RS(m, q0, p0) for any q1, p1 (the inner
    average of 2cosh is exp(beta^2 alpha (p1 - p0)/2) 2cosh; derivation in the module)."""
    rng = np.random.default_rng(2)
    x = _random_points(rng, 6)
    x[:, 5] = 1.0
    for b in (0.8, 3.0):
        c = {"alpha": 0.12, "beta": b}
        assert np.isfinite(cf_rsb.f(x, c)).all()
        np.testing.assert_allclose(cf_rsb.f(x, c), cf_rs.f(x[:, [0, 1, 3]], c), rtol=0,
                                   atol=1e-11)
    # and theta -> 1 is continuous
    x2 = x.copy()
    x2[:, 5] = 1 - 1e-7
    c = {"alpha": 0.12, "beta": 3.0}
    np.testing.assert_allclose(cf_rsb.f(x2, c), cf_rs.f(x[:, [0, 1, 3]], c), atol=1e-6)


def test_rsb_engine_hessian_matches_finite_differences(cf_rsb):
    x = np.array([[0.95, 0.8, 0.9, 1.2, 1.4, 0.4]])  # feasible: l2 = 0.44 > 0
    c = {"alpha": 0.1, "beta": 4.0}
    assert cf_rsb.constraints_ok(x, c).all()
    g, Hs = cf_rsb.grad_hess(x, c)
    for j in range(6):
        h = 1e-6
        xp, xm = x.copy(), x.copy()
        xp[0, j] += h
        xm[0, j] -= h
        np.testing.assert_allclose(Hs[0, :, j], (cf_rsb.grad(xp, c) - cf_rsb.grad(xm, c))[0]
                                   / (2 * h), rtol=1e-6, atol=1e-7)
        assert abs(g[0, j] - (cf_rsb.f(xp, c) - cf_rsb.f(xm, c))[0] / (2 * h)) < 1e-7


def test_rsb_zero_temperature_model():
    """The engine's T = 0 limit (q1 = 1 - C/beta, theta = mu/beta) keeps one numerical
    average (the inner one is ExpAbsMoment) and its order parameters are (m, q0, C, p0, p1,
    mu)."""
    from theory.symbolic import ExpAbsMoment, GaussianAverage

    m0 = H.rsb_free_energy().zero_temperature()
    assert [v.name for v in m0.order_parameters] == ["m", "q0", "C", "p0", "p1", "mu"]
    avs = m0.derive().f.atoms(GaussianAverage)
    assert len(avs) == 1 and next(iter(avs)).has(ExpAbsMoment)


def test_rsb_t0_retrieval_gain_and_continuity():
    """T = 0, alpha = 0.13 and 0.137: 1RSB retrieval with mu = theta/T finite, a free-energy
    gain f_1RSB - f_RS > 0 of order 1e-6, growing with alpha; m close to the RS value."""
    ds = H.solve(np.array([0.13, 0.137]), 0.0, ansatz="1RSB").isel(branch=0, T=0)
    assert ds["converged"].all() and ds["rsb"].all()
    gain = ds["delta_f"].values
    assert (gain > 1e-8).all() and (gain < 1e-4).all() and gain[1] > gain[0]
    assert (ds["q0"] < 1).all() and (ds["p1"] > ds["p0"]).all()
    assert np.all((ds["mu"] > 10) & (ds["mu"] < 1e3))
    rs = hopfield.solve(np.array([0.13, 0.137]), 0.0).sel(branch="retrieval").isel(T=0)
    assert np.all(np.abs(ds["m"] - rs["m"]) < 1e-2)
    assert_valid_result(H.solve(0.13, 0.0, ansatz="1RSB"))


@pytest.mark.slow
def test_rsb_retrieval_exists_beyond_rs_capacity():  # ~150 s
    """At alpha = 0.1381 > alpha_c^RS = 0.137906 the RS retrieval is gone but the 1RSB one
    exists (continued in alpha), so alpha_c^1RSB > alpha_c^RS; at 0.1383 neither exists."""
    ds = H.solve(np.array([0.137, 0.1381, 0.1383]), 0.0, ansatz="1RSB").isel(branch=0, T=0)
    rs = hopfield.solve(np.array([0.1381]), 0.0).sel(branch="retrieval")
    assert not bool(rs["converged"].all())
    assert bool(ds["converged"][1]) and bool(ds["rsb"][1])
    assert not bool(ds["converged"][2]) and np.isnan(float(ds["m"][2]))
    # free energy continuous along alpha where reported (no jump between the two loads)
    assert abs(float(ds["f"][1] - ds["f"][0])) < 1e-3


@pytest.mark.slow
def test_rsb_finite_temperature_below_and_above_at_line():  # ~45 s
    """T = 0.005 below the AT line of alpha = 0.13 (T_AT = 0.0095, theory.hopfield): RSB
    with 0 < theta < 1 and a positive gain, below the T = 0 one; T = 0.02 above it: 1RSB is
    RS (theta = 1), with a positive replicon; T = 3e-4: resolved or flagged unresolved."""
    ds = H.solve(0.13, np.array([0.005, 0.02, 0.0, 3e-4]), ansatz="1RSB").isel(branch=0,
                                                                              alpha=0)
    assert ds["converged"].all()
    below, above, zero, cold = (ds.isel(T=k) for k in range(4))
    assert bool(below["rsb"]) and 0 < float(below["theta"]) < 1
    assert float(below["delta_f"]) > 0 and float(below["q1"] - below["q0"]) > 1e-6
    assert float(below["replicon"]) < 0 < float(above["replicon"])
    assert not bool(above["rsb"]) and float(above["theta"]) == 1.0
    assert float(above["delta_f"]) == 0.0 and not bool(above["unresolved"])
    # the gain falls with T: the T = 0 gain bounds it (the bound of unresolved points)
    assert 0 < float(below["delta_f"]) < float(zero["delta_f"])
    # below the AT line a point is never silently RS: resolved, or flagged with its bound
    assert bool(cold["rsb"]) or (bool(cold["unresolved"])
                                 and float(cold["delta_f_bound"]) == float(zero["delta_f"]))
    assert np.isnan(ds["delta_f_bound"].values[[0, 1, 2]]).all()


def test_critical_capacity_ansatz_keyword():
    assert hopfield.critical_capacity(0.0) == hopfield.critical_capacity(0.0, ansatz="RS")
    with pytest.raises(ValueError, match="ansatz must be one of 'RS', '1RSB', '2RSB'"):
        hopfield.critical_capacity(0.0, ansatz="3RSB")
    with pytest.raises(ValueError, match="T must be 0 for ansatz='2RSB'"):
        hopfield.critical_capacity(0.01, ansatz="2RSB")
    with pytest.raises(ValueError, match="T must be"):
        hopfield.critical_capacity(-0.1, ansatz="1RSB")
    with pytest.raises(ValueError, match="ansatz"):
        H.solve(0.1, 0.0, ansatz="full")
    with pytest.raises(ValueError, match="alpha must be"):
        H.solve(-0.1, 0.0)


@pytest.mark.slow
def test_critical_capacity_1rsb_t0():  # ~40 s
    """alpha_c^1RSB(T = 0) = 0.1381865 (computed here; Steffan & Kuhn 1994 report the
    same small increase over RS) > alpha_c^RS = 0.1379056; takes ~40 s."""
    a1 = hopfield.critical_capacity(0.0, ansatz="1RSB")
    assert a1 > ALPHA_C_RS + 2e-4
    assert abs(a1 - 0.1381865) < 1e-6
    ds = H.critical_point(0.0, "1RSB")
    assert bool(ds["converged"]) and float(ds["alpha_c_error"]) < 1e-8
    assert_valid_result(ds)
    rs = H.critical_point(0.0, "RS")
    assert abs(float(rs["alpha_c"]) - ALPHA_C_RS) < 1e-9
    assert isinstance(ds, xr.Dataset)


@pytest.mark.slow
def test_rsb_grid_with_several_temperatures_continues_each_column():
    """A T = 0 column that goes past the RS capacity is continued at 1RSB also when the grid
    has other temperatures (the check of the last RS point once indexed a whole row)."""
    grid = H.solve([0.13, 0.1381], T=[0.0, 0.05], ansatz="1RSB")
    one = H.solve([0.13, 0.1381], T=0.0, ansatz="1RSB")
    col = grid.isel(T=0)
    assert bool(col.rsb.isel(alpha=1).squeeze()) and bool(col.converged.isel(alpha=1).squeeze())
    np.testing.assert_allclose(col.m.values.squeeze(), one.m.isel(T=0).values.squeeze(),
                               rtol=1e-10)


def test_rsb_at_tiny_temperature_joins_zero_temperature():
    # 0 < T < T_LOW: the low-T models in the T = 0 variables (T = 1e-300 gave status 3, and
    # T = 1e-12 the RS value with status 0)
    ds = H.solve([0.12, 0.13], [0.0, 1e-300, 1e-100, 1e-12], "1RSB").isel(branch=0)
    assert (ds.status.values == 0).all() and ds.rsb.values.all()
    for v, tol in (("m", 1e-10), ("f", 1e-11), ("q0", 1e-10)):
        x = ds[v].values
        assert np.abs(x[:, 1:] - x[:, :1]).max() < tol, v
    assert np.abs(ds.mu.values[:, 1:] / ds.mu.values[:, :1] - 1).max() < 1e-6
    rs = H.solve([0.12], [0.0, 1e-300, 1e-12], "RS").isel(branch=0)
    assert np.abs(rs.m.values[0, 1:] - rs.m.values[0, 0]).max() < 1e-10


@pytest.mark.slow
def test_2rsb_retrieval_matches_the_independent_derivation():  # ~2 min
    """T = 0, alpha = 0.137: the 2RSB retrieval (m, q0, q1, C, mu1, mu2) = (0.97607998,
    0.9977023, 0.9995197, 0.019177, 37.1235, 119.6545) with f_2RSB - f_1RSB = 1.4211e-07
    (Parisi: f is maximised over the RSB parameters), from the engine-free derivation
    ``benchmarks/hopfield_2rsb_independent.py``; its 2RSB fold 0.1381963418 is in
    ``benchmarks/results/dense_capacity_2rsb.txt`` (P = 2)."""
    cf, x = H._retrieval_2rsb(0.137)
    c = {"alpha": np.array([0.137])}
    assert np.abs(cf.grad(x, c)).max() < 1e-12
    got = x[0, [0, 1, 2, 3, 7, 8]]
    np.testing.assert_allclose(got, [0.97607998, 0.9977023, 0.9995197, 0.019177, 37.1235,
                                     119.6545], rtol=3e-5)
    one = H.solve(0.137, 0.0, "1RSB").isel(alpha=0, T=0, branch=0)
    gain = float(cf.f(x, c)[0]) - float(one.f)
    assert gain == pytest.approx(1.4211e-07, rel=1e-3)


@pytest.mark.slow
def test_2rsb_zero_temperature_limit_is_continuous_with_small_T():  # ~2 min
    """The finite-T 2RSB f at the T = 0 2RSB fold, mapped by the T = 0 scaling
    (``q2 = 1 - C/beta``, ``theta_j = mu_j/beta``), tends to the T = 0 f as 1/beta^2
    (-6.05e-7 at beta = 1e3, -3.95e-9 at 1e4 in the engine-free
    ``benchmarks/hopfield_2rsb_independent.py``)."""
    cf0 = H.krsb_free_energy(2).zero_temperature().compile()
    cf = H.krsb_free_energy(2).compile()
    x0 = np.array([[0.96675310, 0.99595775, 0.99914536, 0.02559500, 1.48908199, 1.49340993,
                    1.49438385, 25.960809, 86.381876]])
    a = np.array([0.1381963418])
    f0 = cf0.f(x0, {"alpha": a})[0]
    m, q0, q1, C, p0, p1, p2, mu1, mu2 = x0[0]
    d = []
    for beta in (1e3, 1e4):
        x = np.array([[m, q0, q1, 1 - C / beta, p0, p1, p2, mu1 / beta, mu2 / beta]])
        d.append(cf.f(x, {"alpha": a, "beta": np.array([beta])})[0] - f0)
    assert abs(d[0]) < 1e-6 and abs(d[1]) < 1e-8
    assert abs(d[0] / d[1]) > 30  # faster than 1/beta


def test_1rsb_fold_above_the_join_is_the_rs_fold():
    """Above T* = 0.0251 (where the AT line meets the RS spinodal) the RS retrieval is
    replica symmetric up to its fold: the 1RSB fold is the RS one, located on the RS model
    and equal to the hand-written RS capacity."""
    ds = H.critical_point(0.03, "1RSB")
    assert bool(ds.converged) and ds.attrs["ansatz"] == "1RSB"
    assert ds.attrs["fold_model"] == "hopfield RS" and "theta" not in ds
    assert float(ds.alpha_c) == pytest.approx(hopfield.critical_capacity(0.03), abs=1e-9)


def test_1rsb_continuation_predictor_changes_the_cost_not_the_answer():
    """A T = 0 step of the 1RSB continuation past the RS end (:func:`_rsb_advance`) from the
    secant prediction lands on the same solution as from the previous one, to the solver's
    tolerance (the Parisi parameter, in whose direction f is flat, to ~1e-9 relative), in
    fewer evaluations."""
    a = np.array([0.1368, 0.1372])
    ds = H.solve(a, 0.0, "1RSB").isel(branch=0, T=0)
    assert ds.rsb.values.all()
    x = np.stack([ds[k].values for k in ("m", "q0", "C", "p0", "p1", "mu")], axis=1)
    cf = H._compiled("1RSB", "zero")
    calls = {"n": 0}
    grad_hess = cf.grad_hess

    def counted(*args, **kw):
        calls["n"] += 1
        return grad_hess(*args, **kw)

    out = {}
    for name, slope in (("plain", None), ("secant", (x[1:] - x[:1]) / (a[1] - a[0]))):
        calls["n"] = 0
        cf.grad_hess = counted
        try:
            new, ok = H._rsb_advance(cf, x[1:], a[1:], np.array([0.1376]), None, "zero",
                                     slope=slope)
        finally:
            del cf.grad_hess
        assert ok[0]
        out[name] = (new[0], calls["n"])
    np.testing.assert_allclose(out["secant"][0], out["plain"][0], rtol=1e-8)
    assert out["secant"][1] < out["plain"][1]
    f = cf.f(np.stack([out["secant"][0], out["plain"][0]]), {"alpha": np.full(2, 0.1376)})
    assert abs(f[0] - f[1]) < 1e-14


@pytest.mark.slow
def test_1rsb_fold_close_to_the_join_converges():  # ~5 min
    """T = 0.0201 (0.8 T*): the scan of the fold over 0.08 in m fails on the unstable side;
    the narrower brackets find alpha_c^1RSB = 0.13819401 (both 0.02 and 0.005), above the RS
    fold at that T and between the 1RSB values at T = 0.015 (0.1381970) and at T* (0.1381859,
    where it joins RS)."""
    ds = H.critical_point(0.0201, "1RSB")
    assert bool(ds["converged"]) and float(ds["alpha_c_error"]) < 1e-8
    a = float(ds["alpha_c"])
    assert abs(a - 0.13819401) < 1e-8
    assert a > float(H.critical_point(0.0201, "RS")["alpha_c"])
    assert 0 < float(ds["theta"]) < 1 and float(ds["q1"] - ds["q0"]) > 1e-4
