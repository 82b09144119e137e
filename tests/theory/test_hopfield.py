"""theory.hopfield.solve: RS AGS branches, limits, accuracy, solver properties, Dataset."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import IntegrationWarning, quad
from scipy.optimize import brentq, root

from assoc.dataset import assert_valid_result
from theory import hopfield
from theory.hopfield import rs

from . import exact_hopfield as ex


def _branch(ds, name):
    return ds.sel(branch=name)


# ---------------------------------------------------------------------------------------
# Dataset structure and conventions
# ---------------------------------------------------------------------------------------
def test_dataset_layout_and_conventions():
    ds = hopfield.solve([0.02, 0.1], [0.0, 0.3, 1.2])
    assert_valid_result(ds)
    assert ds.sizes == {"alpha": 2, "T": 3, "branch": 3}
    assert list(ds.branch.values) == ["retrieval", "spin_glass", "paramagnet"]
    assert np.isinf(ds.beta.values[0]) and ds.beta.values[1] == pytest.approx(1 / 0.3)
    for v in ("m", "q", "p", "C", "f", "converged", "stable", "status", "n_iter", "replicon"):
        assert v in ds
    assert ds.converged.dtype == bool and ds.stable.dtype == bool
    assert ds.attrs["ansatz"] == "RS" and "Ann. Phys. 173" in ds.attrs["reference"]
    # nothing unconverged is reported as a number
    for v in ("m", "q", "p", "f", "replicon"):
        assert np.all(np.isnan(ds[v].values[~ds.converged.values]))
    assert np.all(np.isfinite(ds["m"].values[ds.converged.values]))


def test_scalars_give_length_one_dims():
    ds = hopfield.solve(0.05, 0.0)
    assert ds.sizes == {"alpha": 1, "T": 1, "branch": 3}


def test_branch_existence():
    ds = hopfield.solve([0.05], [0.0, 0.5, 0.999, 1.0, 1.1, 1.3])
    c = ds.converged.sel(alpha=0.05)
    # retrieval: T < T_M(0.05) ~ 0.54; spin glass: T < 1 + sqrt(0.05) ~ 1.224; paramagnet: T > 1
    assert c.sel(branch="retrieval").values.tolist() == [True, True, False, False, False, False]
    assert c.sel(branch="spin_glass").values.tolist() == [True, True, True, True, True, False]
    assert c.sel(branch="paramagnet").values.tolist() == [False, False, False, False, True, True]
    st_ = ds.status.sel(alpha=0.05).values
    assert st_[3, 0] == 3 and st_[0, 2] == 3  # NO_SOLUTION where a branch is absent
    assert ds.n_iter.sel(branch="paramagnet").max() == 0  # closed form


@pytest.mark.parametrize(
    ("name", "alpha", "T"),
    [
        ("alpha", -0.1, 0.5),
        ("alpha", 0.0, 0.5),
        ("alpha", np.nan, 0.5),
        ("alpha", [0.1, -1.0], 0.5),
        ("T", 0.1, -0.5),
        ("T", 0.1, np.nan),
        ("T", 0.1, np.inf),
    ],
)
def test_bad_input_names_the_parameter(name, alpha, T):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        hopfield.solve(alpha, T)


def test_two_dimensional_input_rejected():
    with pytest.raises(ValueError, match="alpha must be a scalar or a 1-D array"):
        hopfield.solve(np.full((2, 2), 0.1), 0.5)


# ---------------------------------------------------------------------------------------
# limits and reference values
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [0.0, 0.2, 0.5, 0.9])
def test_low_load_limit_is_curie_weiss(T):
    # alpha -> 0: m = tanh(beta m) and f = m^2/2 - T ln 2cosh(m/T); corrections are O(alpha)
    alpha = 1e-9
    ds = hopfield.solve(alpha, T).sel(branch="retrieval").isel(alpha=0, T=0)
    assert abs(float(ds.m) - ex.curie_weiss_m(T)) < 1e-7
    assert abs(float(ds.f) - ex.curie_weiss_f(T)) < 1e-7


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1, 0.13])
def test_zero_temperature_matches_y_equation(alpha):
    # T = 0 exact equations vs AGS's y = m / sqrt(2 alpha p) form, solved independently
    ref = ex.zero_T_retrieval(alpha)
    ds = hopfield.solve(alpha, 0.0).isel(alpha=0, T=0)
    r = ds.sel(branch="retrieval")
    assert abs(float(r.m) - ref["m"]) < 1e-12
    assert abs(float(r.C) - ref["C"]) < 1e-11
    assert abs(float(r.p) - ref["p"]) < 1e-10
    assert abs(float(r.f) - ref["f"]) < 1e-12
    assert float(r.q) == 1.0
    sg = ds.sel(branch="spin_glass")
    ref_sg = ex.zero_T_spin_glass(alpha)
    assert abs(float(sg.C) - ref_sg["C"]) < 1e-12
    assert abs(float(sg.f) - ref_sg["f"]) < 1e-12


@pytest.mark.parametrize(("alpha", "T"), [(0.05, 1.1), (0.2, 1.5), (0.01, 2.0)])
def test_paramagnet_free_energy(alpha, T):
    p = hopfield.solve(alpha, T).sel(branch="paramagnet").isel(alpha=0, T=0)
    assert float(p.m) == 0 and float(p.q) == 0 and float(p.p) == 0
    assert abs(float(p.f) - ex.paramagnet_f(alpha, T)) < 1e-14


def _sech2_avg(m, s, beta):
    """beta E sech^2(beta (m + s z)) by quad in u = beta h (kink at u = 0 resolved)."""

    def pdf(h):
        return np.exp(-0.5 * ((h - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))

    def k(u):
        e = np.exp(-2 * abs(u))
        return 4 * e / (1 + e) ** 2

    lo, hi = beta * (m - 14 * s), beta * (m + 14 * s)
    edges = sorted({lo, hi, *(e for e in (-40.0, 0.0, 40.0) if lo < e < hi)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        return sum(
            quad(lambda u: k(u) * pdf(u / beta), a, b, limit=500, epsabs=1e-15, epsrel=1e-13)[0]
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        )


@pytest.mark.parametrize(
    ("alpha", "T"),
    [(0.05, 0.5), (0.2, 1.0), (0.1, 1.3), (0.02, 1e-3), (0.1, 1.0 + np.sqrt(0.1) - 1e-3)],
)
def test_spin_glass_against_independent_sigma_equation(alpha, T):
    # independent method: brentq per point on the spin-glass equation in sigma = sqrt(alpha p),
    # G(sigma) = sqrt(alpha Q)/sigma - (1 - beta (1 - Q)) with Q = E tanh^2(beta sigma z) by quad
    beta = 1 / T

    def G(s):
        C = _sech2_avg(0.0, s, beta)  # beta (1 - Q)
        Q = 1 - C / beta
        return np.sqrt(alpha * Q) / s - (1 - C)

    s_hi = np.sqrt(alpha) + np.sqrt(2 / np.pi) + 0.1
    s = brentq(G, 1e-4, s_hi, xtol=1e-15, rtol=1e-14)
    C_ref = _sech2_avg(0.0, s, beta)
    q_ref = 1 - C_ref / beta
    sg = hopfield.solve(alpha, T).sel(branch="spin_glass").isel(alpha=0, T=0)
    assert bool(sg.converged)
    assert abs(float(sg.q) - q_ref) < 1e-9
    assert abs(float(sg.C) - C_ref) < 1e-9
    assert abs(float(np.sqrt(alpha * sg.p)) - s) < 1e-9


def _rs_equations_mqp(x, alpha, beta):
    """RS equations in the original (m, q, p) variables with quad averages (independent)."""
    m, q, p = x
    s = np.sqrt(alpha * max(p, 0.0))

    def avg(F):
        def pdf(z):
            return np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IntegrationWarning)
            return quad(
                lambda z: F(beta * (m + s * z)) * pdf(z),
                -12,
                12,
                points=[-m / s],
                limit=400,
                epsabs=1e-15,
                epsrel=1e-13,
            )[0]

    return [
        m - avg(np.tanh),
        q - avg(lambda x: np.tanh(x) ** 2),
        p - q / (1 - beta * (1 - q)) ** 2,
    ]


@pytest.mark.parametrize(("alpha", "T"), [(0.05, 0.5), (0.1, 0.2), (0.01, 0.8), (0.1, 1e-3)])
def test_retrieval_against_original_mqp_equations(alpha, T):
    beta = 1 / T
    r = hopfield.solve(alpha, T).sel(branch="retrieval").isel(alpha=0, T=0)
    sol = root(
        _rs_equations_mqp,
        [float(r.m), float(r.q), float(r.p)],
        args=(alpha, beta),
        method="hybr",
        options={"xtol": 1e-14},
    )
    assert sol.success
    np.testing.assert_allclose(sol.x, [float(r.m), float(r.q), float(r.p)], rtol=0, atol=1e-9)


def _f_mqp(m, q, p, alpha, beta):
    """RS free energy in the original variables (AGS 1987), quad for E ln 2cosh."""
    s = np.sqrt(alpha * p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)

        def lncosh(z):
            x = abs(beta * (m + s * z))
            return (x + np.log1p(np.exp(-2 * x))) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

        L = quad(lncosh, -12, 12, points=[-m / s], epsabs=1e-15, epsrel=1e-13, limit=400)[0]
        L /= beta
    D = 1 - beta * (1 - q)
    return (
        alpha / 2
        + m * m / 2
        + alpha / (2 * beta) * (np.log(D) - beta * q / D)
        + alpha * beta * p * (1 - q) / 2
        - L
    )


@pytest.mark.parametrize(
    ("alpha", "T", "branch"),
    [(0.05, 0.5, "retrieval"), (0.1, 0.8, "spin_glass"), (0.02, 0.3, "retrieval")],
)
def test_free_energy_is_stationary_and_matches(alpha, T, branch):
    # f in the original variables equals the reported f and is stationary in (m, q, p)
    beta = 1 / T
    r = hopfield.solve(alpha, T).sel(branch=branch).isel(alpha=0, T=0)
    x = np.array([float(r.m), float(r.q), float(r.p)])
    assert abs(_f_mqp(*x, alpha, beta) - float(r.f)) < 1e-11
    for i in range(3):
        if branch == "spin_glass" and i == 0:
            continue  # m = 0 is a stationary point by symmetry; f is even in m
        h = 1e-5
        e = np.zeros(3)
        e[i] = h
        d = (_f_mqp(*(x + e), alpha, beta) - _f_mqp(*(x - e), alpha, beta)) / (2 * h)
        assert abs(d) < 1e-7, (i, d)


# ---------------------------------------------------------------------------------------
# T -> 0 continuity: the T = 0 equations are the limit of the finite-T ones
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.02, 0.1, 0.13])
def test_zero_temperature_continuity(alpha):
    # The differences are O(T), not O(1/beta^2): q = 1 - C T and sigma^2 = alpha (1 - C T)/(1-C)^2
    # move linearly in T, while the quadrature corrections to A, Chat and L are O(T^2).  So
    # x(T) = x(0) + T x'(0) + O(T^2), and the difference quotients D(T) = (x(T) - x(0)) / T
    # at beta = 1e3, 1e4, 1e5 converge linearly to x'(0): |D4 - D5| ~ |D3 - D4| / 10.
    # The ratio bound 1/5 leaves room for the O(T^2) term; 1e-6 is the round-off floor of
    # D5 (errors ~1e-12 in x divided by T = 1e-5).
    ds = hopfield.solve(alpha, [0.0, 1e-3, 1e-4, 1e-5])
    for b in ("retrieval", "spin_glass"):
        d = ds.sel(branch=b).isel(alpha=0)
        for v in ("m", "q", "p", "C", "f"):
            x0, x3, x4, x5 = d[v].values
            D3, D4, D5 = (x3 - x0) / 1e-3, (x4 - x0) / 1e-4, (x5 - x0) / 1e-5
            assert abs(x3 - x0) < 10 * 1e-3, (b, v)
            assert abs(D4 - D5) <= max(abs(D3 - D4) / 5, 1e-6), (b, v, D3, D4, D5)


# ---------------------------------------------------------------------------------------
# solver properties
# ---------------------------------------------------------------------------------------
def test_vectorised_equals_scalar_loop():
    alphas = [0.005, 0.06, 0.12, 0.137, 0.19]
    Ts = [0.0, 1e-3, 0.3, 0.55, 0.95, 1.2, 1.6]
    ds = hopfield.solve(alphas, Ts)
    for i, a in enumerate(alphas):
        for j, t in enumerate(Ts):
            one = hopfield.solve(a, t).isel(alpha=0, T=0)
            big = ds.isel(alpha=i, T=j)
            np.testing.assert_array_equal(one.converged.values, big.converged.values)
            np.testing.assert_array_equal(one.status.values, big.status.values)
            for v in ("m", "q", "p", "f", "replicon", "lambda_q", "lambda_m"):
                np.testing.assert_allclose(one[v].values, big[v].values, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("alpha", "T"), [(0.05, 0.3), (0.12, 0.05), (0.001, 0.9), (0.13, 0.0)])
def test_accuracy_of_order_parameters(alpha, T):
    # residuals of the RS equations at the reported solution are at round-off level, and
    # the Jacobian is well conditioned away from the spinodal: error << 1e-8
    r = hopfield.solve(alpha, T).sel(branch="retrieval").isel(alpha=0, T=0)
    assert bool(r.converged)
    F, J = rs.retrieval_residual(
        np.array([float(r.m)]), np.array([float(r.C)]), alpha, T, rs.beta_of(np.array([T]))
    )
    err = np.linalg.solve(J[0], F[0])
    assert np.max(np.abs(err)) < 1e-12


@settings(max_examples=25)
@given(
    m=st.floats(0.05, 1.0),
    C=st.floats(0.0, 0.9),
    alpha=st.floats(1e-4, 0.2),
    T=st.sampled_from([0.0, 1e-3, 0.1, 0.5, 0.9]),
)
def test_residual_symmetry_under_m_to_minus_m(m, C, alpha, T):
    # the RS equations are odd in m (m - E tanh) and even in m (C - beta E sech^2)
    beta = rs.beta_of(np.array([T]))
    Fp, Jp = rs.retrieval_residual(np.array([m]), np.array([C]), alpha, T, beta)
    Fm, Jm = rs.retrieval_residual(np.array([-m]), np.array([C]), alpha, T, beta)
    assert abs(Fp[0, 0] + Fm[0, 0]) < 1e-13
    assert abs(Fp[0, 1] - Fm[0, 1]) < 1e-13 * max(1.0, abs(Fp[0, 1]))
    # so (-m, C) of a retrieval solution is a solution with the same f and stability
    e1 = rs.evaluate(m, C, alpha, T)
    e2 = rs.evaluate(-m, C, alpha, T)
    for k in ("f", "replicon", "lambda_q", "lambda_m"):
        if np.isinf(e1[k]):
            assert e1[k] == e2[k]
        else:
            assert abs(e1[k] - e2[k]) < 1e-12 * max(1.0, abs(e1[k]))


@settings(max_examples=15)
@given(alpha=st.floats(0.005, 0.1), T=st.floats(0.0, 0.4))
def test_free_energy_is_continuous_in_T(alpha, T):
    # |df/dT| = |s| <= ln 2 + O(alpha) for the RS solutions (entropy per spin): a step
    # dT = 1e-6 moves f by less than 1e-6
    ds = hopfield.solve(alpha, [T, T + 1e-6])
    for b in ("retrieval", "spin_glass"):
        f = ds.f.sel(branch=b).isel(alpha=0).values
        if np.all(np.isfinite(f)):
            assert abs(f[1] - f[0]) < 1e-6


def test_stability_flags():
    ds = hopfield.solve([0.05], [0.0, 0.01, 0.3, 1.1, 1.5])
    r = ds.sel(branch="retrieval").isel(alpha=0)
    # T = 0: replicon -inf (RS retrieval is AT-unstable at T = 0), longitudinally stable
    assert np.isneginf(r.replicon.values[0]) and not r.stable.values[0]
    assert r.stable_rs.values[0]
    # above T_AT(0.05) ~ 5e-6 the retrieval state is fully stable
    assert r.stable.values[1] and r.stable.values[2]
    sg = ds.sel(branch="spin_glass").isel(alpha=0)
    assert np.all(sg.replicon.values[:4] < 0)  # RS spin glass is AT-unstable below T_g
    assert np.all(sg.stable_rs.values[:4])
    pm = ds.sel(branch="paramagnet").isel(alpha=0)
    assert not pm.stable.values[3]  # 1 < T < T_g: unstable paramagnet
    assert pm.stable.values[4]
    Tg = 1 + np.sqrt(0.05)
    assert float(pm.replicon.values[4]) == pytest.approx(1 - 0.05 / (1.5 - 1) ** 2, abs=1e-14)
    assert Tg < 1.5


def test_unstable_partner_has_negative_lambda_m():
    # on the parametric curve beyond the saddle-node (larger sigma, smaller m) the
    # constrained free energy has a maximum in m: lambda_m < 0
    cap = rs.capacity(np.array([0.0]))
    s = cap["sigma_c"] * 1.1
    m, C, a, _ = rs._curve(s, np.zeros(1), np.full(1, np.inf))
    e = rs.evaluate(m, C, a, 0.0)
    assert e["lambda_m"][0] < 0 < e["lambda_q"][0]
    s = cap["sigma_c"] * 0.9
    m, C, a, _ = rs._curve(s, np.zeros(1), np.full(1, np.inf))
    assert rs.evaluate(m, C, a, 0.0)["lambda_m"][0] > 0


# ---------------------------------------------------------------------------------------
# phase diagram
# ---------------------------------------------------------------------------------------
def test_phase_regions():
    ds = hopfield.phase_diagram([0.01, 0.03, 0.1], [0.0, 0.1, 0.6, 0.9, 1.1, 1.5])
    ph = ds.phase
    assert ph.dtype.kind == "U"
    assert ph.sel(alpha=0.01, T=0.1) == "retrieval"
    assert ph.sel(alpha=0.01, T=0.0) == "retrieval"
    assert ph.sel(alpha=0.1, T=0.1) == "spin_glass"  # retrieval only metastable (alpha > 0.052)
    assert ph.sel(alpha=0.03, T=0.6) == "spin_glass"  # T_c(0.03) ~ 0.48 < T < T_M ~ 0.65
    assert bool(ds.stable_rs.sel(alpha=0.03, T=0.6, branch="retrieval"))
    assert ph.sel(alpha=0.1, T=1.1) == "spin_glass"  # 1 < T < T_g
    assert ph.sel(alpha=0.1, T=1.5) == "paramagnet"
    # with the replicon required: T = 0 has no RS-stable branch, above T_AT(0.1) ~ 1.5e-3
    # the (metastable) retrieval state is the only fully stable one, the RS spin glass never is
    strict = hopfield.phase_diagram([0.1], [0.0, 0.1, 1.5], replicon=True).phase
    assert strict.values.tolist() == [["none", "retrieval", "paramagnet"]]


def test_phase_survives_netcdf(tmp_path):
    ds = hopfield.phase_diagram([0.01, 0.1], [0.0, 0.5, 1.5])
    assert_valid_result(ds)
    path = tmp_path / "phase.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as back:
        back = back.load()
    xr.testing.assert_identical(back, ds)


def test_phase_diagram_grid_across_T1_and_T0_without_warnings():
    """T = 0, the float just below 1 (np.linspace(0, 1.2, 49)[40]), 1 and above, no warnings."""
    Ts = [0.0, 0.5, np.nextafter(1.0, 0.0), 1.0, 1.2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = hopfield.phase_diagram(alpha=np.linspace(0.01, 0.15, 8), T=Ts)
    assert set(np.unique(ds.phase.values)) <= {"retrieval", "spin_glass", "paramagnet", "none"}
    assert ds.phase.sel(alpha=0.01, T=0.0).item() == "retrieval"
    assert ds.phase.sel(alpha=0.01, T=1.2).item() == "paramagnet"  # T_g(0.01) = 1.1
    assert ds.phase.sel(alpha=0.15, T=1.2).item() == "spin_glass"  # T_g(0.15) = 1.387
