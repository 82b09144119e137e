"""Dense P-spin network at low temperature: tiny T joins T = 0, and the low-T phase.

Reference values: ``benchmarks/results/dense_global_minimum_independent.json``, written by
``benchmarks/dense_global_minimum_independent.py`` (a self-contained NumPy/SciPy calculation
that imports nothing from the library).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from theory import dense
from theory._numerics.solver import CONVERGED
from theory.dense import branches as br
from theory.symbolic.solve import solve_points

REF = json.loads((Path(__file__).parents[2] / "benchmarks" / "results"
                  / "dense_global_minimum_independent.json").read_text())["per_P"]["3"]
TINY = [1e-300, 1e-100, 1e-20, 1e-12, 1e-9]


def test_rs_retrieval_at_tiny_temperature_joins_zero_temperature():
    a = np.array([0.5, 0.9]) * REF["alpha_c_rs"]
    ds = dense.solve(3, a, [0.0, *TINY], ansatz="RS").sel(branch="retrieval")
    assert (ds.status.values == CONVERGED).all()
    m, f = ds.m.values, ds.f.values
    # m(T) - m(0) and f(T) - f(0) are O(T) (about 0.4 T and 0.01 T here: the RS
    # ground-state entropy is finite)
    assert np.abs(m[:, 1:] - m[:, :1]).max() < 1e-9
    assert np.abs(f[:, 1:] - f[:, :1]).max() < 1e-10
    assert np.isfinite(ds.curvature.values).all()
    assert (ds.replicon.values[:, 1:] < -1e6).all()  # -> -infinity as T -> 0


def test_low_temperature_model_is_the_exact_one_to_order_T_squared():
    cf_low, cf = br.compiled(3, "rslow"), br.compiled(3, "rs")
    a = 0.9 * REF["alpha_c_rs"]
    for T, tol in ((1e-4, 2e-7), (1e-5, 2e-9), (1e-6, 5e-11)):
        c = {"alpha": a, "beta": 1.0 / T}
        lo = solve_points(cf_low, np.array([[0.9, 0.5]]), c)
        ex = solve_points(cf, np.array([[lo.x[0, 0], 1.0 - lo.x[0, 1] * T]]), c)
        assert lo.converged[0] and ex.converged[0]
        assert abs(lo.x[0, 0] - ex.x[0, 0]) < tol
        assert abs(cf_low.f(lo.x, c)[0] - cf.f(ex.x, c)[0]) < tol
    # across the switch T_LOW (a relative 2e-9 apart) the retrieval line is continuous
    t = br.T_LOW * np.array([1 - 1e-9, 1 + 1e-9])
    ds = dense.solve(3, [a], t, ansatz="RS").sel(branch="retrieval")
    assert abs(ds.m.values[0, 1] - ds.m.values[0, 0]) < 1e-10


def test_rsb_at_tiny_temperature_joins_zero_temperature():
    # 0 < T < T_LOW: the 1RSB low-temperature model in (m, q0, C, nu); retrieval at 0.12
    # (RS is unstable there: the broken solution, theta = mu T) and the spin glass
    ds = dense.solve(3, [0.12], [0.0, *TINY], ansatz="1RSB")
    r, g = ds.sel(branch="retrieval"), ds.sel(branch="spin_glass")
    assert (r.status.values == CONVERGED).all() and r.rsb.values.all()
    assert (g.status.values == CONVERGED).all()
    for v, tol in ((r.m, 1e-9), (r.f, 1e-10), (r.q0, 1e-9), (g.f, 1e-10)):
        x = v.values[0]
        assert np.abs(x[1:] - x[0]).max() < tol, v.name
    mu = r.mu.values[0]
    assert np.abs(mu[1:] / mu[0] - 1).max() < 1e-7
    np.testing.assert_allclose(r.theta.values[0, 1:], mu[1:] * np.array(TINY), rtol=1e-12)
    assert (r.curvature.values > 0).all()


def test_critical_capacity_at_tiny_temperature_joins_zero_temperature():
    a0 = dense.critical_capacity(3, 0.0, "RS")
    for T in (1e-300, 1e-9):
        assert dense.critical_capacity(3, T, "RS") == pytest.approx(a0, abs=1e-9)


@pytest.mark.slow
def test_rsb_low_temperature_model_is_exact_to_order_T_squared_and_joins_the_exact_one():
    cf_low, cf = br.compiled(3, "rsblow"), br.compiled(3, "rsb")
    a = 0.12
    for T, tol in ((1e-4, 3e-8), (1e-5, 3e-10)):
        c = {"alpha": np.array([a]), "beta": np.array([1.0 / T])}
        lo, _ = br._nu_scan(3, "low", np.array([0.92]), c)
        x, found = br._seeded_theta(3, cf, np.array([0.92]), c, np.array([T]))
        assert lo.converged[0] and found[0]
        assert abs(lo.x[0, 0] - x[0, 0]) < tol
        assert abs(cf_low.f(lo.x, c)[0] - cf.f(x, c)[0]) < tol
    # across the switch T_LOW the 1RSB line is continuous; at T = 1e-3 the Parisi
    # parameter (0.018) lies below THETA_GRID and is still found
    t = [br.T_LOW * (1 - 1e-9), br.T_LOW * (1 + 1e-9), 1e-3]
    ds = dense.solve(3, [a], [0.0, *t], ansatz="1RSB").sel(branch="retrieval")
    m, curv = ds.m.values[0], ds.curvature.values[0]
    assert ds.rsb.values.all() and abs(m[2] - m[1]) < 1e-10
    assert abs(curv[2] / curv[1] - 1) < 1e-6
    assert float(ds.theta[0, 3]) < br.THETA_GRID[-1]
    assert abs(m[3] - m[0]) < 1e-4
    assert dense.critical_capacity(3, 1e-300, "1RSB") == pytest.approx(
        dense.critical_capacity(3, 0.0, "1RSB"), abs=1e-9)


@pytest.mark.slow
def test_rsb_glass_transition_exists_at_large_P():
    # the 1RSB spin-glass curve's start had its Parisi parameter below THETA_GRID at P = 6
    c = dense.spin_glass_constants(6, "1RSB")
    assert 0 < c["g_spinodal"] < c["g_g"] < np.inf


def test_spin_glass_ground_state_energy_matches_independent_value():
    ds = dense.solve(3, [0.1], [0.0, 1e-300, 1e-12], ansatz="RS").sel(branch="spin_glass")
    e_sg = math.sqrt(0.1) * REF["e0_rs"]
    np.testing.assert_allclose(ds.f.values[0], e_sg, rtol=0, atol=1e-9)


def test_low_temperature_phase_is_not_the_negative_entropy_paramagnet():
    # the example: alpha = 0.1, 1RSB, T = 0.01 and 0.05 gave 'paramagnet'
    ds = dense.solve(3, [0.1], [0.01, 0.05], ansatz="1RSB")
    assert list(ds.phase.values[0]) == ["retrieval", "retrieval"]
    para = ds.f.sel(branch="paramagnet").values[0]
    ret = ds.f.sel(branch="retrieval").values[0]
    assert (para < ret).all()  # lower f, but below the static glass transition
    g_g = dense.spin_glass_constants(3, "1RSB")["g_g"]
    assert (0.1 / np.array([0.01, 0.05]) ** 2 > g_g).all()


def test_reentrant_boundary_at_zero_temperature():
    # RS, alpha = 0.1 > alpha_gm = 0.0888: the spin glass is the T = 0 ground state, also at
    # tiny T; retrieval wins again at T = 0.05 (its entropy is the larger)
    ds = dense.solve(3, [0.05, 0.1], [0.0, 1e-300, 0.05], ansatz="RS")
    assert list(ds.phase.values[0]) == ["retrieval"] * 3
    assert list(ds.phase.values[1]) == ["spin_glass", "spin_glass", "retrieval"]


def test_global_minimum_load_rs_matches_independent_value():
    assert dense.global_minimum_load(3, "RS") == pytest.approx(REF["alpha_gm_rs"], abs=1e-8)


@pytest.mark.slow
def test_global_minimum_load_1rsb_matches_independent_value():
    assert dense.global_minimum_load(3, "1RSB") == pytest.approx(REF["alpha_gm_1rsb"],
                                                                  abs=1e-8)


ALL = json.loads((Path(__file__).parents[2] / "benchmarks" / "results"
                  / "dense_global_minimum_independent.json").read_text())


def test_zero_temperature_energies_match_independent_values():
    loads = ["0.08", "0.1", "0.12"]
    a = [float(x) for x in loads]
    for ansatz, key in (("RS", "rs"), ("1RSB", "1rsb")):
        f = dense.solve(3, a, [0.0], ansatz=ansatz).f.values[:, 0]
        for i, x in enumerate(loads):
            ref = ALL["p3_fixed_alpha"][x]
            assert f[i, 0] == pytest.approx(ref[f"E_ret_{key}"], abs=1e-8), (ansatz, x)
            assert f[i, 1] == pytest.approx(ref[f"E_sg_{key}"], abs=1e-8), (ansatz, x)


def test_low_temperature_glass_and_paramagnet_match_independent_values():
    ref = ALL["paramagnet_p3_alpha0p1"]
    ds = dense.solve(3, [0.1], [0.01, 0.05], ansatz="1RSB")
    for j, T in enumerate(("0.01", "0.05")):
        assert ds.f.sel(branch="spin_glass").values[0, j] == pytest.approx(
            ref[T]["f_glass_1rsb"], abs=1e-8)
        assert ds.theta.sel(branch="spin_glass").values[0, j] == pytest.approx(
            ref[T]["theta"], abs=1e-6)
        assert ds.f.sel(branch="paramagnet").values[0, j] == pytest.approx(
            ref[T]["f_para"], abs=1e-12)


def test_reentrant_lower_boundary_agrees_with_the_phase():
    lines = dense.transition_lines(3, [0.05, 0.1], "RS")
    assert np.isnan(float(lines.T_c_low[0]))  # below alpha_gm: retrieval down to T = 0
    t_low = float(lines.T_c_low[1])
    assert 0 < t_low < float(lines.T_c[1])
    ph = dense.solve(3, [0.1], [0.95 * t_low, 1.05 * t_low], ansatz="RS").phase.values[0]
    assert list(ph) == ["spin_glass", "retrieval"]


@pytest.mark.parametrize("P", [5, 10])
def test_glass_transition_and_phase_exist_at_large_P(P):
    # the traced spin-glass curve starts where the glass exists at every P (it did not for
    # P >= 5, and solve().phase, which needs g_g, raised)
    c = dense.spin_glass_constants(P, "RS")
    assert 0 < c["g_spinodal"] < c["g_g"] < np.inf
    if P == 5:  # the T = 0 phase changes at the independent alpha_gm
        a_gm = ALL["per_P"]["5"]["alpha_gm_rs"]
        ds = dense.solve(P, [0.9 * a_gm, 1.1 * a_gm], [0.0], ansatz="RS")
        assert list(ds.phase.values[:, 0]) == ["retrieval", "spin_glass"]
