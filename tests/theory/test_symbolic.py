"""Tests of the symbolic replica free-energy engine (theory.symbolic).

Reference values are hand-derived equations (derivations in the docstrings), closed forms
and ``scipy.integrate.quad``; tolerances are written next to each comparison.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import erf

from theory._numerics.solver import CONVERGED
from theory.symbolic import (
    E,
    ExpAbsMoment,
    LimitError,
    ReplicaFreeEnergy,
    continuation,
    fold,
    optimize_parameter,
    solve_points,
    zero_temperature_limit,
)
from theory.symbolic.codegen import Evaluator

m, z, z0, z1 = sp.symbols("m z z0 z1", real=True)
q, p, C = sp.symbols("q p C", nonnegative=True)
alpha, beta, D, s = sp.symbols("alpha beta D s", positive=True)


def gauss(g, lo=-12.0, hi=12.0, points=None, width=None):
    """E_z g(z) by adaptive quadrature (the reference).

    ``points`` are kinks; with ``width`` (the boundary-layer width of a smooth step) each
    kink is surrounded by break points at 1, 4, 16 and 64 widths, so that quad resolves
    the layer (without them it misses a sech^2 peak of width 1e-3 altogether).
    """
    br = []
    for k in points or []:
        br.append(k)
        if width:
            br += [k + sg * c * width for sg in (-1, 1) for c in (1, 4, 16, 64)]
    br = sorted(b for b in br if lo < b < hi)
    edges = [lo, *br, hi]
    dens = lambda x: g(x) * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    return sum(integrate.quad(dens, a, b, limit=200, epsabs=1e-16, epsrel=1e-13)[0]
               for a, b in zip(edges[:-1], edges[1:], strict=True))


# ----------------------------------------------------------------------------------------
# a model not in the library: the Curie-Weiss ferromagnet in a Gaussian random field
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rfcw():
    """f = m^2/2 - (1/beta) E_z log 2cosh(beta (m + sqrt(D) z)); T = 0 needs no scaling."""
    f = m**2 / 2 - E(sp.log(2 * sp.cosh(beta * (m + sp.sqrt(D) * z))), z) / beta
    model = ReplicaFreeEnergy(f, [m], [beta, D], beta=beta, zero_temperature_scaling={},
                              minimize=[m], name="random-field Curie-Weiss")
    return model, model.compile()


def test_rfcw_equation_is_hand_derived(rfcw):
    """df/dm = m - E tanh(beta (m + sqrt(D) z)) (differentiation under the average)."""
    model, _ = rfcw
    th = sp.tanh(beta * (m + sp.sqrt(D) * z))
    hand_g = m - E(th, z)
    hand_h = 1 - E(beta * (1 - th**2), z)  # d/dm: tanh' = 1 - tanh^2
    assert _canon(model.derive().grad[0] - hand_g) == 0
    assert _canon(model.derive().hess[0][0] - hand_h) == 0


def _canon(e):
    """Linearity of the averages and expanded tanh arguments (a canonical form)."""
    from theory.symbolic import normalize

    e = e.replace(lambda x: isinstance(x, sp.tanh), lambda x: sp.tanh(sp.expand(x.args[0])))
    e = e.replace(lambda x: isinstance(x, sp.cosh), lambda x: sp.cosh(sp.expand(x.args[0])))
    e = e.replace(lambda x: isinstance(x, E), lambda x: E(sp.expand(x.args[0]), x.args[1]))
    return sp.simplify(normalize(sp.expand(e)))


def test_rfcw_solution_and_vectorised_equals_loop(rfcw):
    _, cf = rfcw
    b = np.array([0.5, 2.0, 10.0, 1e3])
    d = np.array([0.1, 0.1, 0.3, 0.3])
    x0 = np.ones((4, 1))
    r = solve_points(cf, x0, {"beta": b, "D": d})
    assert r.converged[1:].all() and r.status[0] == CONVERGED
    for k in range(4):  # the solution solves the hand-written equation (quad, 1e-10)
        ref = gauss(lambda x, k=k: np.tanh(b[k] * (r.x[k, 0] + np.sqrt(d[k]) * x)),
                    points=[-r.x[k, 0] / np.sqrt(d[k])], width=1 / (b[k] * np.sqrt(d[k])))
        assert abs(r.x[k, 0] - ref) < 1e-10
        single = solve_points(cf, x0[k:k + 1], {"beta": b[k], "D": d[k]})
        np.testing.assert_allclose(single.x, r.x[k:k + 1], rtol=0, atol=1e-14)
    assert abs(r.x[0, 0]) < 1e-12  # paramagnet above the transition (beta = 0.5)


def test_rfcw_zero_temperature(rfcw):
    """T = 0: f0 = m^2/2 - E|m + sqrt(D) z|; m = erf(m / sqrt(2 D))."""
    model, _ = rfcw
    m0 = model.zero_temperature()
    assert m0.controls == (D,)
    cf0 = m0.compile()
    r = solve_points(cf0, np.array([[1.0]]), {"D": 0.2})
    assert r.converged[0]
    assert abs(r.x[0, 0] - erf(r.x[0, 0] / np.sqrt(0.4))) < 1e-13
    # the finite-beta solutions approach it like 1/beta^2 (Sommerfeld: tanh - sign is odd
    # about the kink), so a tenfold beta reduces the difference about a hundredfold
    _, cf = rfcw
    err = [abs(solve_points(cf, r.x, {"beta": b, "D": 0.2}).x[0, 0] - r.x[0, 0])
           for b in (200.0, 2000.0)]
    assert err[0] < 1e-4 and 50 < err[0] / err[1] < 200


# ----------------------------------------------------------------------------------------
# the AGS replica-symmetric Hopfield free energy written by hand here
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ags():
    h = m + sp.sqrt(alpha * p) * z
    lam = 1 - beta * (1 - q)
    f = (alpha / 2 + m**2 / 2 + alpha / (2 * beta) * (sp.log(lam) - beta * q / lam)
         + alpha * beta * p * (1 - q) / 2 - E(sp.log(2 * sp.cosh(beta * h)), z) / beta)
    model = ReplicaFreeEnergy(f, [m, q, p], [alpha, beta], beta=beta,
                              bounds={q: (0.0, 1.0), p: (0.0, None)}, constraints=[lam],
                              zero_temperature_scaling={q: 1 - C / beta},
                              zero_temperature_bounds={C: (0.0, 1.0)}, minimize=[m])
    return model, model.compile()


def _ags_hand(x, a, b):
    """AGS 1987 RS stationarity conditions, hand-derived (THEORY.md section 1):
    g_m = m - E tanh(beta h), g_q = (alpha beta/2)(q/lam^2 - p),
    g_p = (alpha beta/2)(E tanh^2(beta h) - q), h = m + sqrt(alpha p) z."""
    mm, qq, pp = x
    sig = np.sqrt(a * pp)
    lam = 1 - b * (1 - qq)
    t1 = gauss(lambda u: np.tanh(b * (mm + sig * u)), points=[-mm / sig], width=1 / (b * sig))
    t2 = gauss(lambda u: np.tanh(b * (mm + sig * u)) ** 2, points=[-mm / sig],
               width=1 / (b * sig))
    return np.array([mm - t1, a * b / 2 * (qq / lam**2 - pp), a * b / 2 * (t2 - qq)])


@pytest.mark.parametrize("b", [0.7, 5.0, 1e3])
def test_ags_gradient_equals_hand_derived(ags, b):
    _, cf = ags
    x = np.array([0.8, 0.9, 1.3])
    g = cf.grad(x[None], {"alpha": 0.1, "beta": b})[0]
    np.testing.assert_allclose(g, _ags_hand(x, 0.1, b), rtol=1e-10, atol=1e-12)


def test_ags_hessian_equals_finite_differences(ags):
    _, cf = ags
    x = np.array([[0.8, 0.9, 1.3]])
    c = {"alpha": 0.1, "beta": 5.0}
    g, H = cf.grad_hess(x, c)
    for j in range(3):
        h = 1e-6
        xp, xm = x.copy(), x.copy()
        xp[0, j] += h
        xm[0, j] -= h
        fd = (cf.grad(xp, c)[0] - cf.grad(xm, c)[0]) / (2 * h)  # O(h^2) ~ 1e-12 error
        np.testing.assert_allclose(H[0, :, j], fd, rtol=1e-7, atol=1e-8)
        dfd = (cf.f(xp, c)[0] - cf.f(xm, c)[0]) / (2 * h)
        assert abs(g[0, j] - dfd) < 1e-8


def test_ags_integration_by_parts_removes_singular_prefactor(ags):
    """d/dp E g(m + sqrt(alpha p) z) = E[z g']/(2 sqrt p) is 0/0 at p = 0; after Stein's
    lemma the derived equation has no 1/sqrt(p) and is finite there."""
    model, cf = ags
    g_p = model.derive().grad[2]
    assert not any(isinstance(a, sp.Pow) and a.base == p and a.exp < 0
                   for a in sp.preorder_traversal(g_p))
    val = cf.grad(np.array([[0.5, 0.4, 0.0]]), {"alpha": 0.1, "beta": 2.0})[0, 2]
    assert np.isfinite(val)
    assert abs(val - 0.1 * 2.0 / 2 * (np.tanh(1.0) ** 2 - 0.4)) < 1e-13


def test_ags_zero_temperature_limit_is_hand_derived(ags):
    """beta -> inf with q = 1 - C/beta: f0 = alpha/2 + m^2/2 - alpha/(2(1-C))
    + alpha p C/2 - E|m + sqrt(alpha p) z| (AGS 1987, derived in THEORY.md)."""
    model, _ = ags
    m0 = model.zero_temperature()
    assert m0.order_parameters == (m, C, p)
    f0 = (alpha / 2 + m**2 / 2 - alpha / (2 * (1 - C)) + alpha * p * C / 2)
    cf0 = m0.compile()
    x = np.array([[0.9, 0.3, 1.5]])
    sig = np.sqrt(0.1 * 1.5)
    ref = float(f0.subs({alpha: 0.1, m: 0.9, C: 0.3, p: 1.5})) - gauss(
        lambda u: abs(0.9 + sig * u), points=[-0.9 / sig])
    assert abs(cf0.f(x, {"alpha": 0.1})[0] - ref) < 1e-12
    # equations: m = erf(m/sqrt(2 alpha p)), p = 1/(1-C)^2, C = sqrt(2/(pi alpha p)) e^...
    g = cf0.grad(x, {"alpha": 0.1})[0]
    mm, cc, pp, a = 0.9, 0.3, 1.5, 0.1
    hand = [mm - erf(mm / np.sqrt(2 * a * pp)),
            a / 2 * (pp - 1 / (1 - cc) ** 2),
            a / 2 * (cc - np.sqrt(2 / (np.pi * a * pp)) * np.exp(-mm**2 / (2 * a * pp)))]
    np.testing.assert_allclose(g, hand, rtol=1e-12, atol=1e-14)


def test_ags_t0_solution_is_the_known_one(ags):
    """alpha_c(T=0) = 0.1379055665 with m_c = 0.9674171157 (theory.hopfield, AGS 1987);
    the engine's fold of the T = 0 model in alpha reproduces both (tolerance 1e-9)."""
    model, _ = ags
    cf0 = model.zero_temperature().compile()
    r = solve_points(cf0, np.array([[1.0, 0.0, 1.0]]), {"alpha": 0.13})
    assert r.converged[0]
    fr = fold(cf0, r.x, "alpha", "m", (np.array([0.9]), np.array([r.x[0, 0]])), {},
              c_guess=np.array([0.13]))
    assert fr.converged[0]
    assert abs(fr.value[0] - 0.13790556649) < 1e-9
    assert abs(fr.x[0, 0] - 0.9674171157) < 1e-6


def test_continuation_tracks_branch_and_reports_its_end(ags):
    model, _ = ags
    cf0 = model.zero_temperature().compile()
    x0 = solve_points(cf0, np.array([[1.0, 0.0, 1.0]]), {"alpha": 0.05}).x
    path = np.array([[0.05, 0.1, 0.13, 0.137, 0.1385, 0.14]])
    res = continuation(cf0, x0, path, "alpha", {}, accept=lambda x, c: x[:, 0] > 0.5)
    assert res.converged[0, :4].all()
    assert not res.converged[0, 4:].any()  # beyond alpha_c = 0.13791: no retrieval
    assert (res.status[0, 4:] != CONVERGED).all()
    assert np.isnan(res.x[0, 4:]).all()
    direct = solve_points(cf0, res.x[0, 1:4], {"alpha": path[0, 1:4]})
    np.testing.assert_allclose(direct.x, res.x[0, 1:4], atol=1e-12)


def test_unconverged_points_say_so(ags):
    _, cf = ags
    r = solve_points(cf, np.array([[0.5, 0.5, 1.0]]), {"alpha": 0.1, "beta": 2.0},
                     maxiter=1, fallback=False)
    assert not r.converged[0] and r.status[0] != CONVERGED


# ----------------------------------------------------------------------------------------
# quadrature at low temperature, T = 0 closed forms, nested averages
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("b", [0.1, 1.0, 30.0, 1e3, 1e6])
def test_quadrature_low_temperature(b):
    ev = Evaluator([E(sp.tanh(beta * (m + s * z)), z), E(sp.tanh(beta * (m + s * z)) ** 2, z),
                    E(sp.log(2 * sp.cosh(beta * (m + s * z))), z) / beta], [m, s, beta])
    for mm, ss in [(0.3, 0.5), (0.97, 0.37), (-0.2, 2.0)]:
        out = [float(v) for v in ev(mm, ss, b)]
        kink, w = [-mm / ss], 1 / (b * ss)
        ref = [gauss(lambda u, mm=mm, ss=ss: np.tanh(b * (mm + ss * u)), points=kink, width=w),
               gauss(lambda u, mm=mm, ss=ss: np.tanh(b * (mm + ss * u)) ** 2, points=kink,
                     width=w),
               gauss(lambda u, mm=mm, ss=ss: np.logaddexp(b * (mm + ss * u),
                                                          -b * (mm + ss * u)) / b,
                     points=kink, width=w)]
        np.testing.assert_allclose(out, ref, rtol=0, atol=2e-12)


@pytest.mark.parametrize("k,j", [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (3, 1)])
def test_expabs_moment_closed_form(k, j):
    """E[exp(mu|L|) |L|^k sign(L)^j], L ~ N(a, v), against quad."""
    mu_, a_, v_ = sp.symbols("mu a v", real=True)
    ev = Evaluator([ExpAbsMoment(k, j, mu_, a_, v_)], [mu_, a_, v_])
    for mu, a, v in [(0.0, 0.3, 0.2), (2.0, -0.7, 0.5), (10.0, 1.0, 0.04)]:
        sd = np.sqrt(v)
        ref = gauss(lambda u, mu=mu, a=a, sd=sd: np.exp(mu * abs(a + sd * u)) * abs(a + sd * u) ** k
                    * np.sign(a + sd * u) ** j, points=[-a / sd])
        assert abs(float(ev(mu, a, v)[0]) - ref) < 1e-11 * max(1.0, abs(ref))


def test_expabs_moment_derivatives_match_finite_differences():
    mu_, a_, v_ = sp.symbols("mu a v", real=True)
    M = ExpAbsMoment(1, 1, mu_, a_, v_)
    ev = Evaluator([M, *(sp.diff(M, w) for w in (mu_, a_, v_))], [mu_, a_, v_])
    x = np.array([1.5, 0.4, 0.3])
    vals = [float(t) for t in ev(*x)]
    for i in range(3):
        h = 1e-6
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fd = (float(ev(*xp)[0]) - float(ev(*xm)[0])) / (2 * h)
        assert abs(vals[1 + i] - fd) < 1e-7


def test_nested_average_one_step_rsb_term():
    """(1/theta) E_z0 log E_z1 cosh^theta(beta h): against nested quad."""
    th = sp.Symbol("theta", positive=True)
    a0, a1 = sp.symbols("a0 a1", positive=True)
    h = m + a0 * z0 + a1 * z1
    term = E(sp.log(E(sp.cosh(beta * h) ** th, z1)), z0) / th
    from theory.symbolic.averages import normalize, rewrite_logcosh

    ev = Evaluator([normalize(rewrite_logcosh(term))], [m, a0, a1, beta, th])
    for mm, s0, s1, b, t in [(0.5, 0.4, 0.3, 2.0, 0.5), (0.9, 0.3, 0.1, 40.0, 0.2)]:
        def inner(x0, mm=mm, s0=s0, s1=s1, b=b, t=t):
            c = mm + s0 * x0
            # cosh^t(b h) = exp(t logcosh(b h)); scale out exp(t b |c|) to avoid overflow
            def g(u):
                y = b * (c + s1 * u)
                return np.exp(t * (abs(y) + np.log1p(np.exp(-2 * abs(y))) - np.log(2))
                              - t * b * abs(c))
            return (np.log(gauss(g, points=[-c / s1], width=1 / (b * s1)))
                    + t * b * abs(c)) / t
        ref = gauss(inner, points=[-mm / s0], width=1 / (b * s0))
        got = float(ev(mm, s0, s1, b, t)[0])
        assert abs(got - ref) < 1e-9 * max(1.0, abs(ref))


# ----------------------------------------------------------------------------------------
# zero-temperature limits, optimisation of a parameter, errors, backends
# ----------------------------------------------------------------------------------------
def test_zero_temperature_limit_rejects_divergent_scaling():
    f = -E(sp.log(2 * sp.cosh(beta * (m + s * z))), z)  # no 1/beta: diverges like beta
    with pytest.raises(LimitError, match="not finite"):
        zero_temperature_limit(f, beta, {})


def test_zero_temperature_limit_of_cosh_power():
    """theta = mu/beta: (1/theta) log E cosh^theta(beta h) -> (1/mu) log E exp(mu |h|)
    (minus log 2 / beta, which vanishes)."""
    mu_, th = sp.Symbol("mu", positive=True), sp.Symbol("theta", positive=True)
    f = sp.log(E(sp.cosh(beta * (m + s * z)) ** th, z)) / (beta * th)
    lim = zero_temperature_limit(f, beta, {th: mu_ / beta})
    from theory.symbolic import closed_forms

    ev = Evaluator([closed_forms(lim)], [m, s, mu_])
    ref = np.log(gauss(lambda u: np.exp(1.5 * abs(0.4 + 0.6 * u)), points=[-0.4 / 0.6])) / 1.5
    assert abs(float(ev(0.4, 0.6, 1.5)[0]) - ref) < 1e-12


def test_optimize_parameter_finds_stationary_point():
    """f(x, t) = (x - t)^2/2 + (t - c)^3/3 - c2 (t - c): with x at its saddle (x = t), the
    t-residual is (t - c)^2 - c2, whose first root on an increasing scan is c - sqrt(c2)."""
    x, t = sp.symbols("x t", real=True)
    c, c2 = sp.symbols("c c2", positive=True)
    f = (x - t) ** 2 / 2 + (t - c) ** 3 / 3 - c2 * (t - c)
    cf = ReplicaFreeEnergy(f, [x, t], [c, c2]).compile()
    grid = np.linspace(0.05, 2.95, 9)[None, :].repeat(2, 0)
    r = optimize_parameter(cf, np.zeros((2, 2)), {"c": np.array([1.0, 2.0]),
                                                  "c2": np.array([0.25, 0.5])}, "t", grid)
    assert r.converged.all()
    np.testing.assert_allclose(r.x[:, 1], [0.5, 2.0 - np.sqrt(0.5)], atol=1e-11)
    np.testing.assert_allclose(r.x[:, 0], r.x[:, 1], atol=1e-11)


def test_bad_input_raises_value_error(rfcw):
    model, cf = rfcw
    with pytest.raises(ValueError, match="neither order parameters nor controls"):
        ReplicaFreeEnergy(m**2 + D, [m], [beta])
    with pytest.raises(ValueError, match="missing controls"):
        cf.grad(np.ones((1, 1)), {"beta": 1.0})
    with pytest.raises(ValueError, match="backend must be"):
        model.compile(backend="torch").grad(np.ones((1, 1)), {"beta": 1.0, "D": 0.1})
    with pytest.raises(ValueError, match="not a control"):
        cf.control_jacobian(np.ones((1, 1)), {"beta": 1.0, "D": 0.1}, "alpha")
    with pytest.raises(ValueError, match="zero_temperature_scaling"):
        ReplicaFreeEnergy(m**2, [m], [beta]).zero_temperature()


@given(b=st.floats(0.2, 500.0), mm=st.floats(-1.0, 1.0), d=st.floats(0.01, 2.0))
def test_property_rfcw_equation_odd_in_m(rfcw, b, mm, d):
    """The random-field CW stationarity residual is odd in m (spin-flip symmetry), and the
    engine's quadrature agrees with quad to 1e-11 for any temperature."""
    _, cf = rfcw
    g = cf.grad(np.array([[mm], [-mm]]), {"beta": b, "D": d})[:, 0]
    assert abs(g[0] + g[1]) < 1e-12
    ref = mm - gauss(lambda u: np.tanh(b * (mm + np.sqrt(d) * u)), points=[-mm / np.sqrt(d)],
                     width=1 / (b * np.sqrt(d)))
    assert abs(g[0] - ref) < 1e-11


@pytest.mark.gpu
def test_cupy_backend_equals_numpy(ags):
    cupy = pytest.importorskip("cupy")
    model, cf = ags
    cg = model.compile(backend="cupy")
    x = np.array([[0.8, 0.9, 1.3], [0.5, 0.6, 2.0]])
    c = {"alpha": 0.1, "beta": 5.0}
    g_np = cf.grad(x, c)
    g_cp = cupy.asnumpy(cg.grad(cupy.asarray(x), {k: cupy.asarray(v) for k, v in c.items()}))
    np.testing.assert_allclose(g_cp, g_np, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------------------
# SK model (RS, with a ferromagnetic bias J0): a scaled order parameter inside the field
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sk():
    """f = -beta (1-q)^2/4 + J0 m^2/2 - (1/beta) E_z log 2cosh(beta (J0 m + sqrt(q) z))
    (Sherrington & Kirkpatrick 1975, RS)."""
    J0 = sp.Symbol("J0", positive=True)
    f = (-beta * (1 - q) ** 2 / 4 + J0 * m**2 / 2
         - E(sp.log(2 * sp.cosh(beta * (J0 * m + sp.sqrt(q) * z))), z) / beta)
    return ReplicaFreeEnergy(f, [m, q], [beta, J0], beta=beta, bounds={q: (0.0, 1.0)},
                             zero_temperature_scaling={q: 1 - C / beta},
                             zero_temperature_bounds={C: (0.0, None)}, name="SK RS")


def test_sk_zero_temperature_uses_next_order(sk):
    """With q = 1 - C/beta the field is beta (J0 m + z) - C z/2 + O(1/beta): f0 = J0 m^2/2
    - E|J0 m + z| does not depend on C, whose equation comes from the 1/beta order,
    f1 = -C^2/4 + C phi(J0 m) (derived here), so C = 2 phi(J0 m) = sqrt(2/pi) e^{-(J0 m)^2/2};
    the RS ground-state energy at J0 = 0 is -sqrt(2/pi)."""
    m0 = sk.zero_temperature()
    assert m0.order_parameters == (m, C) and C in (m0.equations or {})
    cf0 = m0.compile()
    r = solve_points(cf0, np.array([[0.0, 0.5]]), {"J0": 0.0}, fixed={"m": 0.0})
    assert r.converged[0]
    assert abs(r.x[0, 1] - np.sqrt(2 / np.pi)) < 1e-12
    assert abs(cf0.f(r.x, {"J0": 0.0})[0] + np.sqrt(2 / np.pi)) < 1e-12
    # ferromagnet J0 = 2: m = erf(J0 m / sqrt 2), C = sqrt(2/pi) exp(-(J0 m)^2/2)
    r = solve_points(cf0, np.array([[0.9, 0.1]]), {"J0": 2.0})
    mm, cc = r.x[0]
    assert r.converged[0] and abs(mm - erf(2 * mm / np.sqrt(2))) < 1e-13
    assert abs(cc - np.sqrt(2 / np.pi) * np.exp(-2 * mm * mm)) < 1e-12
    # and the finite-T solution approaches it: beta (1 - q) -> C
    cf = sk.compile()
    rb = solve_points(cf, np.array([[mm, 0.99]]), {"beta": 500.0, "J0": 2.0})
    assert abs(500.0 * (1 - rb.x[0, 1]) - cc) < 1e-3


def test_sk_finite_temperature_q_equation(sk):
    """q = E tanh^2(beta sqrt(q) z) at J0 = 0; q = 0 above T = 1."""
    cf = sk.compile()
    T = np.array([0.5, 0.8, 1.2])
    r = solve_points(cf, np.tile([0.0, 0.5], (3, 1)), {"beta": 1 / T, "J0": 0.0},
                     fixed={"m": 0.0})
    assert r.converged.all()
    for k in range(2):
        b, qq = 1 / T[k], r.x[k, 1]
        ref = gauss(lambda u, b=b, qq=qq: np.tanh(b * np.sqrt(qq) * u) ** 2, points=[0.0],
                    width=1 / (b * np.sqrt(qq)))
        assert abs(qq - ref) < 1e-12 and qq > 0.1
    assert abs(r.x[2, 1]) < 1e-10


def test_kink_outside_averages():
    """Curie-Weiss at T = 0, f0 = m^2/2 - |m| (the engine's limit of -(1/beta) log 2cosh):
    the Hessian 1 - 2 delta(m) is 1 away from m = 0 and not a number at m = 0."""
    f = m**2 / 2 - sp.log(2 * sp.cosh(beta * m)) / beta
    f0 = zero_temperature_limit(f, beta, {})
    cf = ReplicaFreeEnergy(f0, [m], []).compile()
    r = solve_points(cf, np.array([[0.3], [-0.4]]), {})
    np.testing.assert_allclose(r.x[:, 0], [1.0, -1.0], atol=1e-14)
    _, H = cf.grad_hess(np.array([[0.5], [0.0]]), {})
    assert H[0, 0, 0] == 1.0 and np.isnan(H[1, 0, 0])


def test_sk_one_step_rsb_zero_temperature_form():
    """SK 1RSB with q1 = 1 - C/beta, theta = mu/beta: the engine's T = 0 model is
    f0 = (mu/4)(1 - q0^2) - (1/mu) E_z0 log E_z1 exp(mu |sqrt(q0) z0 + sqrt(1-q0) z1|)
    (C drops out: it is absent from f0 and from the other equations).  At q0 = 0 the inner
    average is 2 exp(mu^2/2) Phi(mu), so f0 = -mu/4 - log(2 Phi(mu))/mu (derived here), which
    tends to the RS ground-state energy -sqrt(2/pi) as mu -> 0."""
    from scipy.special import ndtr

    q0, q1 = sp.symbols("q0 q1", nonnegative=True)
    th, mu_ = sp.Symbol("theta", positive=True), sp.Symbol("mu", positive=True)
    h = sp.sqrt(q0) * z0 + sp.sqrt(q1 - q0) * z1
    f = (-beta / 4 * (1 - 2 * q1 + (1 - th) * q1**2 + th * q0**2)      # MPV 1987, 1RSB
         - E(sp.log(E((2 * sp.cosh(beta * h)) ** th, z1)), z0) / (beta * th))
    model = ReplicaFreeEnergy(f, [q0, q1, th], [beta], beta=beta,
                              bounds={q0: (0.0, 1.0), q1: (0.0, 1.0), th: (0.0, 1.0)},
                              zero_temperature_scaling={q1: 1 - C / beta, th: mu_ / beta},
                              zero_temperature_bounds={mu_: (0.0, None)})
    m0 = model.zero_temperature()
    assert m0.order_parameters == (q0, mu_)
    cf0 = m0.compile()
    mus = np.array([1e-4, 0.5, 0.82, 2.0])
    x = np.stack([np.zeros(4), mus], axis=1)
    np.testing.assert_allclose(cf0.f(x, {}), -mus / 4 - np.log(2 * ndtr(mus)) / mus,
                               rtol=0, atol=1e-12)
    assert abs(cf0.f(x[:1], {})[0] + np.sqrt(2 / np.pi)) < 1e-4
    # q0 = 0 solves the q0 equation (zero field: spin-flip symmetry)
    assert np.abs(cf0.grad(x, {})[:, 0]).max() < 1e-13


def test_replaced_equation_gives_the_unsymmetric_jacobian_and_curvature():
    # f(m, c) = m^4/4 - m^2/2 + (c - m^2)^2/2 with the c equation replaced by 3 (c - m^2):
    # its Jacobian row is (-6m, 3), not the Hessian row (-2m, 1); the curvature of
    # f_eff(m) = f(m, m^2) = m^4/4 - m^2/2 is 3 m^2 - 1, whichever row the solver uses
    m, c = sp.symbols("m c", real=True)
    model = ReplicaFreeEnergy(m**4 / 4 - m**2 / 2 + (c - m**2) ** 2 / 2, (m, c), (),
                              minimize=(m,), equations={c: 3 * (c - m**2)}, name="toy")
    cf = model.compile()
    x = np.array([[0.7, 0.2]])
    _, J = cf.grad_hess(x, {})
    np.testing.assert_allclose(J[0], [[9 * 0.7**2 - 1 - 2 * 0.2, -1.4],
                                      [-6 * 0.7, 3.0]], rtol=1e-12)
    xs = np.array([[1.0, 1.0]])
    assert cf.stability(xs, {})["curvature"][0] == pytest.approx(2.0, rel=1e-12)
