"""theory.dense: RS theory of dense P-spin Hebbian networks, conventions, signal-to-noise.

Reference values are exact closed forms derived in the module docstrings (tolerances next
to them); the 1RSB checks are in ``test_dense_rsb.py``.
"""

import math

import numpy as np
import pytest
import xarray as xr
from scipy.integrate import quad
from scipy.optimize import minimize_scalar
from scipy.special import erf

from assoc.dataset import assert_valid_result
from assoc.energy import local_fields
from assoc.patterns import unbiased
from theory import dense


def rs_capacity_closed_form(P: int) -> tuple[float, float]:
    """T = 0 RS: ``m = erf(y)``, ``alpha = m^(2P-2) / (2 (P-1)! y^2)``; alpha_c is its max."""
    def neg(y):
        return -erf(y) ** (2 * P - 2) / (2 * math.factorial(P - 1) * y * y)

    r = minimize_scalar(neg, bounds=(0.05, 5.0), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, erf(r.x)


# ----------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("P", [1, 2, -3, 0])
def test_P_below_range_is_rejected(P):
    with pytest.raises(ValueError, match=r"P must be an integer >= 3"):
        dense.solve(P, 0.01, 0.1)


@pytest.mark.parametrize("P", [3.5, 3.0, "3", True])
def test_non_integer_P_is_rejected(P):
    with pytest.raises(ValueError, match=r"P must be an integer >= 3"):
        dense.critical_capacity(P)


def test_unknown_ansatz_and_convention_are_rejected():
    with pytest.raises(ValueError, match=r"ansatz must be one of 'RS', '1RSB'"):
        dense.solve(3, 0.01, 0.1, ansatz="2RSB")
    with pytest.raises(ValueError, match=r"ansatz must be one of"):
        dense.transition_lines(3, 0.01, ansatz="rs")
    with pytest.raises(ValueError, match=r"target must be one of 'library', 'mattis', 'albanese'"):
        dense.convert(3, 0.1, 0.2, target="gardner")
    with pytest.raises(ValueError, match=r"source must be one of"):
        dense.convert(3, 0.1, 0.2, source="nope")


def test_bad_controls_are_rejected():
    with pytest.raises(ValueError, match=r"alpha must be >= 0"):
        dense.solve(3, -0.1, 0.1)
    with pytest.raises(ValueError, match=r"T must be >= 0"):
        dense.solve(3, 0.1, -1.0)
    with pytest.raises(ValueError, match=r"N must be an integer >= P"):
        dense.signal_to_noise(3, 0.1, N=2)


# ----------------------------------------------------------------------------------------
# T = 0 RS: closed forms
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("P", [3, 4])
def test_rs_ground_state_capacity_equals_closed_form(P):
    a_c, m_c = rs_capacity_closed_form(P)
    ds = dense.critical_point(P, 0.0, "RS")
    assert bool(ds.converged)
    assert float(ds.alpha_c) == pytest.approx(a_c, rel=1e-9)  # fold vs bounded 1-D max
    assert float(ds.m) == pytest.approx(m_c, abs=1e-5)  # m at a quadratic maximum


def test_rs_zero_temperature_overlap_solves_erf_equation():
    P = 3
    alpha = np.array([0.02, 0.06, 0.1, 0.12])
    ds = dense.solve(P, alpha, 0.0)
    m = ds.m.sel(branch="retrieval").isel(T=0).values
    assert ds.converged.sel(branch="retrieval").all()
    np.testing.assert_allclose(m, erf(m ** (P - 1) / np.sqrt(2 * alpha * 2)), atol=1e-12)
    # the spin glass at T = 0: f = -E|sqrt(xi'(1)) z| = -sqrt(2 alpha / (pi (P-1)!))
    f_sg = ds.f.sel(branch="spin_glass").isel(T=0).values
    np.testing.assert_allclose(f_sg, -np.sqrt(2 * alpha / (np.pi * 2)), rtol=1e-12)
    # the paramagnet does not exist at T = 0 (negative entropy)
    assert not ds.converged.sel(branch="paramagnet").any()
    assert_valid_result(ds)


def test_zero_temperature_is_the_limit_of_low_temperature():
    """T = 0 is the exact limit: m(T) and f(T) approach it as T -> 0 (RS, P = 3)."""
    ds = dense.solve(3, 0.08, [0.0, 1e-3, 1e-2])
    m = ds.m.sel(branch="retrieval").isel(alpha=0).values
    f = ds.f.sel(branch="retrieval").isel(alpha=0).values
    # m and f approach their T = 0 values (1 - q = O(T) changes the noise amplitude
    # sqrt(xi'(q)), so the approach is not quadratic as in the Curie-Weiss model)
    d1, d2 = abs(m[1] - m[0]), abs(m[2] - m[0])
    assert d1 < 1e-4 and d1 < d2 / 3
    assert abs(f[1] - f[0]) < 1e-4 and abs(f[2] - f[0]) < 1e-3


def test_low_load_is_curie_weiss():
    """alpha = 0: m = tanh(beta m^(P-1)/(P-1)!), f = (P-1) m^P/P! - T ln 2cosh(...)."""
    P, T = 4, np.array([0.05, 0.1])
    ds = dense.solve(P, 0.0, T)
    m = ds.m.sel(branch="retrieval").isel(alpha=0).values
    h = m ** (P - 1) / math.factorial(P - 1)
    np.testing.assert_allclose(m, np.tanh(h / T), atol=1e-12)
    f = ds.f.sel(branch="retrieval").isel(alpha=0).values
    np.testing.assert_allclose(f, (P - 1) * m**P / math.factorial(P)
                               - T * np.log(2 * np.cosh(h / T)), atol=1e-12)


# ----------------------------------------------------------------------------------------
# finite T RS
# ----------------------------------------------------------------------------------------
def test_rs_fixed_point_equations_hold():
    P, alpha, T = 3, np.array([0.03, 0.08]), np.array([0.1, 0.2])
    ds = dense.solve(P, alpha, T)
    def gauss(fn):
        return quad(lambda z: fn(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -12, 12,
                    epsabs=1e-13, epsrel=1e-13, limit=400)[0]

    for i, a in enumerate(alpha):
        for j, t in enumerate(T):
            r = ds.isel(alpha=i, T=j).sel(branch="retrieval")
            assert bool(r.converged)
            m, q = float(r.m), float(r.q)

            def th(z, m=m, q=q, a=a, t=t):
                return np.tanh((m**2 / 2 + np.sqrt(a * q**2 / 2) * z) / t)

            assert m == pytest.approx(gauss(th), abs=1e-10)
            assert q == pytest.approx(gauss(lambda z, th=th: th(z) ** 2), abs=1e-10)


def test_vectorised_solve_equals_scalar_solves():
    P, alpha, T = 3, np.array([0.02, 0.07, 0.11]), np.array([0.0, 0.15])
    ds = dense.solve(P, alpha, T)
    for i, a in enumerate(alpha):
        for j, t in enumerate(T):
            one = dense.solve(P, a, t)
            for v in ("m", "q", "f"):
                np.testing.assert_allclose(one[v].values[0, 0], ds[v].values[i, j],
                                           rtol=1e-9, atol=1e-11, equal_nan=True)


@pytest.fixture(scope="module")
def lines_p3():
    return dense.transition_lines(3, [0.0, 0.05, 0.1, 0.2], n_T=31)


@pytest.mark.slow
def test_spin_glass_lines_scale_with_sqrt_alpha(lines_p3):
    """The m = 0 branches depend on alpha/T^2 only: f(alpha, T) = T f(alpha/T^2, 1)."""
    P = 3
    ds = dense.solve(P, [0.1, 0.4], [0.05, 0.1])
    f1 = float(ds.f.sel(branch="spin_glass").isel(alpha=0, T=0))  # g = 40
    f2 = float(ds.f.sel(branch="spin_glass").isel(alpha=1, T=1))  # g = 40
    assert f2 / 0.1 == pytest.approx(f1 / 0.05, rel=1e-10)
    np.testing.assert_allclose(lines_p3.T_g.values[3] / lines_p3.T_g.values[1], 2.0,
                               rtol=1e-12)


@pytest.mark.slow
def test_free_energy_continuous_across_transition_lines(lines_p3):
    """f of the dominant phase is continuous at T_c and T_g (RS, P = 3), and the phase
    changes there.  alpha = 0.2 is above every retrieval load: no T_M, T_c there."""
    ret = lines_p3.sel(alpha=[0.0, 0.05, 0.1])
    assert ret.converged_T_M.all() and ret.converged_T_c.all()
    assert (ret.T_c < ret.T_M).all()
    assert not lines_p3.converged_T_M.sel(alpha=0.2)
    eps = 1e-6
    for ia, alpha in enumerate(lines_p3.alpha.values):
        for name in ("T_c", "T_g"):
            Tline = float(lines_p3[name][ia])
            if not Tline > 0:
                continue  # alpha = 0 has no spin glass
            ds = dense.solve(3, alpha, [Tline - eps, Tline + eps])
            ph = ds.phase.values[0]
            f = [float(ds.f.isel(alpha=0, T=k).sel(branch=ph[k])) for k in range(2)]
            assert abs(f[1] - f[0]) < 10 * eps, (alpha, name, ph, f)  # |df/dT| <= ln 2
            if name == "T_c":
                assert ph[0] == "retrieval" and ph[1] != "retrieval", (alpha, ph)


def test_result_round_trips_through_netcdf(tmp_path):
    ds = dense.solve(3, [0.0, 0.05], [0.0, 0.1])
    path = tmp_path / "dense.nc"
    ds.to_netcdf(path)
    back = xr.open_dataset(path)
    xr.testing.assert_identical(back.load(), ds)


# ----------------------------------------------------------------------------------------
# conventions and signal-to-noise
# ----------------------------------------------------------------------------------------
def test_conventions_round_trip_and_scale():
    a, T = dense.convert(4, 0.01, 0.1, target="albanese")
    assert float(a) == 0.01 and float(T) == pytest.approx(2.4)  # T_A = 4! T
    a2, T2 = dense.convert(4, a, T, source="albanese", target="library")
    assert float(a2) == 0.01 and float(T2) == pytest.approx(0.1)
    a3, T3 = dense.convert(4, 0.01, 0.1, target="mattis")
    assert (float(a3), float(T3)) == (0.01, 0.1)


def test_all_tuples_covariance_matches_monte_carlo_of_overlaps():
    """The k = P term is the library xi(q)/alpha; P = 3 adds the random-field term q/4."""
    q = np.array([0.0, 0.3, 1.0])
    np.testing.assert_allclose(dense.all_tuples_covariance(3, q), q**3 / 6 + q / 4)
    # direct check: E[u^P v^P]/P!^2 for unit Gaussians u, v of correlation q
    rng = np.random.default_rng(0)
    u = rng.standard_normal(400_000)
    v = 0.5 * u + np.sqrt(1 - 0.25) * rng.standard_normal(u.size)
    est = np.mean(u**4 * v**4) / 24**2
    exact = float(dense.all_tuples_covariance(4, 0.5)) + 9 / 24**2  # + the constant k = 0 term
    assert est == pytest.approx(exact, rel=0.05)


def test_signal_to_noise_limit_and_finite_N():
    ds = dense.signal_to_noise(3, [0.05, 0.2])
    np.testing.assert_allclose(ds.snr.values, 1 / np.sqrt(np.array([0.05, 0.2]) * 2))
    fin = dense.signal_to_noise(3, [0.05, 0.2], N=4000)
    np.testing.assert_allclose(fin.snr.values, ds.snr.values, rtol=2e-3)


def test_signal_to_noise_error_rate_matches_sampled_fields():
    """Fraction of stored-pattern spins with a wrong aligned field vs Phi(-snr) (z < 4)."""
    P, N, alpha = 3, 40, 0.3
    K = int(round(alpha * N ** (P - 1)))
    p = float(dense.signal_to_noise(P, alpha, N=N).p_error[0])
    frac = []
    for s in range(30):
        xi = unbiased(K, N, seed=1000 + s)
        h = local_fields(__import__("assoc.models", fromlist=["DenseHebbian"]).DenseHebbian(P),
                         xi, xi[0])
        frac.append(np.mean(h * xi[0] < 0))
    frac = np.array(frac)
    z = (frac.mean() - p) / (frac.std(ddof=1) / np.sqrt(frac.size))
    assert abs(z) < 4.0, (frac.mean(), p)
