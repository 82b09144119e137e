"""The k-step Parisi building blocks and the 2RSB models built from them."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

from theory.dense import models as dm
from theory.hopfield import rsb as H
from theory.symbolic import E, ExpAbsMoment
from theory.symbolic.codegen import Evaluator
from theory.symbolic.parisi import field, nested_average, pair_sum, trace_log

b = sp.Symbol("beta", positive=True)
q0, q1, q2 = sp.symbols("q0 q1 q2", nonnegative=True)
p0, p1, p2 = sp.symbols("p0 p1 p2", nonnegative=True)
t1, t2 = sp.symbols("theta1 theta2", positive=True)


def _same(a, b_):
    return sp.simplify(sp.expand_log(a - b_, force=True)) == 0


@pytest.mark.parametrize("limit, one", [
    ({t1: t2}, ([q0, q2], [t2])),          # equal Parisi parameters: q1 drops out
    ({q1: q0}, ([q0, q2], [t2])),          # q1 = q0: the outer step closes
    ({q1: q2}, ([q0, q1], [t1])),          # q1 = q2: the inner step closes
])
def test_two_step_trace_log_and_pair_sum_reduce_to_one_step(limit, one):
    tl2, _ = trace_log(b, [q0, q1, q2], [t1, t2])
    tl1, _ = trace_log(b, *one)
    assert _same(tl2.subs(limit), tl1.subs(limit))
    ps = {q0: p0, q1: p1, q2: p2}
    p2_ = pair_sum([p0, p1, p2], [q0, q1, q2], [t1, t2])
    p1_ = pair_sum([ps[v] for v in one[0]], one[0], one[1])
    plim = limit | {ps[k]: ps.get(v, v) for k, v in limit.items() if k in ps}
    assert _same(p2_.subs(plim), p1_.subs(plim))


def test_one_step_blocks_give_the_historical_1rsb_free_energies():
    """The Hopfield and dense 1RSB free energies are the k = 1 builders (same expression)."""
    m, a = H.SYMBOLS["m"], H.SYMBOLS["alpha"]
    s = H.SYMBOLS
    h = field(m, [a * s["p0"], a * (s["p1"] - s["p0"])], [s["z0"], s["z1"]])
    tl, _ = trace_log(s["beta"], [s["q0"], s["q1"]], [s["theta"]])
    f = (a / 2 + m**2 / 2 + a / (2 * s["beta"]) * tl
         + a * s["beta"] / 2 * (s["p1"] + pair_sum([s["p0"], s["p1"]], [s["q0"], s["q1"]],
                                                    [s["theta"]]))
         + nested_average(h, s["beta"], [s["theta"]], [s["z0"], s["z1"]]))
    assert sp.expand(f - H.rsb_free_energy().f) == 0
    assert dm.krsb(3, 1) is dm.rsb(3)


def test_builders_refuse_inconsistent_sizes():
    with pytest.raises(ValueError, match="k \\+ 1"):
        trace_log(b, [q0], [t1])
    with pytest.raises(ValueError, match="k >= 1"):
        nested_average(q0, b, [], [sp.Symbol("z")])
    with pytest.raises(ValueError, match="one Gaussian variable"):
        field(q0, [q0, q1], [sp.Symbol("z")])
    with pytest.raises(ValueError, match="k must be >= 1"):
        H.krsb_free_energy(0)


def test_dense_two_step_free_energy_reduces_to_one_step_at_finite_temperature():
    """f_2RSB(q1 = q0) = f_1RSB(q0, q2, theta2) and f_2RSB(theta1 = theta2) =
    f_1RSB(q0, q2, theta) for any q1 (the nested average of three levels, T = 1)."""
    cf2, cf1 = dm.krsb(3, 2).compile(), dm.rsb(3).compile()
    c = {"alpha": np.array([0.2, 0.2]), "beta": np.array([1.0, 1.0])}
    m, Q0, Q2, th = 0.7, 0.5, 0.8, 0.6
    x2 = np.array([[m, Q0, Q0, Q2, 0.3, th], [m, Q0, 0.65, Q2, th, th]])
    x1 = np.array([[m, Q0, Q2, th], [m, Q0, Q2, th]])
    np.testing.assert_allclose(cf2.f(x2, c), cf1.f(x1, c), rtol=0, atol=1e-13)


def test_zero_temperature_two_step_models_reduce_to_one_step():
    """T = 0 (engine limits): Hopfield at q1 = q0, p1 = p0 and dense at q1 = q0 or
    nu1 = nu2 equal the 1RSB T = 0 free energy; the Hopfield gradient matches differences."""
    cfh2 = H.krsb_free_energy(2).zero_temperature().compile()
    cfh1 = H.rsb_free_energy().zero_temperature().compile()
    c = {"alpha": np.array([0.13])}
    m, Q0, C, P0, P1, mu = 0.987, 0.9993, 0.0235, 1.208, 1.2088, 99.9
    f1 = cfh1.f(np.array([[m, Q0, C, P0, P1, mu]]), c)
    x2 = np.array([[m, Q0, Q0, C, P0, P0, P1, 0.5 * mu, mu]])
    np.testing.assert_allclose(cfh2.f(x2, c), f1, rtol=0, atol=1e-12)
    x = np.array([[0.985, 0.9985, 0.9995, 0.0235, 1.19, 1.205, 1.209, 60.0, 130.0]])
    g = cfh2.grad(x, c)[0]
    for i in range(x.shape[1]):
        e = np.zeros_like(x)
        e[0, i] = 1e-6 * max(abs(x[0, i]), 1e-3)
        fd = (cfh2.f(x + e, c) - cfh2.f(x - e, c))[0] / (2 * e[0, i])
        assert abs(fd - g[i]) < 1e-6 * max(1.0, abs(g[i])), i
    cfd2, cfd1 = dm.krsb_zero(3, 2).compile(), dm.rsb_zero(3).compile()
    cd = {"alpha": np.array([0.15, 0.15])}
    f1 = cfd1.f(np.array([[0.7, 0.7, 3.0], [0.7, 0.7, 3.0]]), cd)
    f2 = cfd2.f(np.array([[0.7, 0.7, 0.7, 1.0, 3.0], [0.7, 0.7, 0.9, 3.0, 3.0]]), cd)
    np.testing.assert_allclose(f2, f1, rtol=0, atol=1e-12)


def test_power_of_closed_form_average_is_summed_in_log_space():
    """``log E_z[M(z)^r]`` with ``M = E exp(mu |a + b z + sqrt(v) y|)`` (the 2RSB middle
    average) at ``mu r |a|`` far beyond exp's range, against scipy in log space."""
    z, y = sp.symbols("z y", real=True)
    mu, r, a0, b_, v = sp.symbols("mu r a0 b v", positive=True)
    M = ExpAbsMoment(0, 0, mu, a0 + b_ * z, v)
    ev = Evaluator([sp.log(E(M ** r, z))], [mu, r, a0, b_, v])
    vals = dict(mu=400.0, r=0.4, a0=5.0, b=0.1, v=0.05)
    got = float(ev(*vals.values())[0])

    def log_m(zz):
        c = vals["a0"] + vals["b"] * zz
        s = np.sqrt(vals["v"])
        k = vals["mu"]
        terms = [k * sg * c + 0.5 * k * k * vals["v"]
                 + special.log_ndtr((sg * c + k * vals["v"]) / s) for sg in (1.0, -1.0)]
        return np.logaddexp(*terms)

    expo = lambda zz: vals["r"] * log_m(zz) - zz * zz / 2  # noqa: E731
    grid = np.linspace(-10, 80, 9001)
    zpk = grid[np.argmax(expo(grid))]
    shift = expo(zpk)
    ref = shift + np.log(integrate.quad(lambda zz: np.exp(expo(zz) - shift), zpk - 14,
                                        zpk + 14, points=[-vals["a0"] / vals["b"]], limit=400,
                                        epsabs=0, epsrel=1e-13)[0] / np.sqrt(2 * np.pi))
    assert abs(got - ref) < 1e-10 * abs(ref)


def test_dense_2rsb_capacity_refuses_positive_temperature():
    from theory import dense

    with pytest.raises(ValueError, match="T must be 0 for ansatz='2RSB'"):
        dense.critical_point(3, 0.1, "2RSB")
    with pytest.raises(ValueError, match="ansatz"):
        dense.critical_point(3, 0.0, "3RSB")


@pytest.mark.slow
def test_dense_2rsb_capacity_matches_independent_derivation():  # ~200 s
    """P = 3 at T = 0: alpha_c^2RSB = 0.1547319512 with (m, q0, q1, mu1, mu2) =
    (0.647407, 0.663110, 0.949610, 5.1309, 12.6978) from the engine-free derivation
    ``benchmarks/dense_2rsb_independent.py`` (10 digits there)."""
    from theory import dense

    ds = dense.critical_point(3, 0.0, "2RSB")
    assert bool(ds.converged)
    assert abs(float(ds.alpha_c) - 0.1547319512) < 2e-10
    got = [float(ds[k]) for k in ("m", "q0", "q1")] + [2 * float(ds.nu1), 2 * float(ds.nu2)]
    np.testing.assert_allclose(got, [0.647407, 0.663110, 0.949610, 5.1309, 12.6978],
                               rtol=2e-5)
    assert float(ds.alpha_c) > dense.critical_capacity(3, 0.0, "1RSB")
