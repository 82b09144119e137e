"""RS theory of dense networks that learn from examples (theory.dense_learning.solve).

References: the dense storage model (:mod:`theory.dense`) at r = 1, to 1e-10; the
stationarity conditions derived by hand in :mod:`theory.dense_learning.models`, evaluated by
independent quadrature; the signal-to-noise majority vote at low load; the
per-atom sympy model (M + 1 explicit averages) for the mixture of the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy.stats import binom

from assoc.dataset import assert_valid_result
from theory import dense
from theory import dense_learning as D
from theory.dense_learning import laws
from theory.dense_learning import models as lm
from theory.symbolic import E, ReplicaFreeEnergy

# trapezoidal rule on the normal density: spectrally accurate for the analytic integrands here
GH_X = np.linspace(-12.0, 12.0, 4801)
GH_W = np.exp(-GH_X**2 / 2)
GH_W = GH_W / GH_W.sum()


def _atoms(r, M):
    k = np.arange(M + 1)
    return (2 * k - M) / (r * M), binom.pmf(k, M, 0.5 * (1 + r))


def _explicit_model(P, M, protocol):
    """f with the example average written out as M + 1 Gaussian averages (one per atom)."""
    s = lm.SYMBOLS
    n, q, a, b = s["n"], s["q"], s["alpha"], s["beta"]
    r = sp.Symbol("r", positive=True)
    rho = (1 - r**2) / (M * r**2)
    v = (1 + rho) ** P if protocol == "supervised" else 1 + (1 - r ** (2 * P)) / (M * r ** (2 * P))
    xi = lambda x, k=0: a * v * sp.ff(P, k) * x ** (P - k) / sp.factorial(P)  # noqa: E731
    sig = n ** (P - 1) / sp.factorial(P - 1)
    p = (1 + r) / 2
    spin = 0
    for k in range(M + 1):
        z = sp.Symbol(f"z{k}", real=True)
        c = sp.Rational(2 * k - M, M) / r
        spin += (math.comb(M, k) * p**k * (1 - p) ** (M - k)
                 * E(sp.log(2 * sp.cosh(b * (c * sig + sp.sqrt(xi(q, 1)) * z))), z))
    f = (P - 1) * n**P / sp.factorial(P) - b / 2 * (xi(1) - xi(q) - (1 - q) * xi(q, 1)) - spin / b
    return ReplicaFreeEnergy(f, (n, q), (a, r, b), beta=b, bounds={q: (0.0, 1.0)})


@pytest.mark.parametrize("protocol", D.PROTOCOLS)
def test_mixture_is_the_explicit_sum_over_atoms(protocol):
    P, M = 3, 3
    ex = _explicit_model(P, M, protocol).compile()
    mix = laws.compiled(P, protocol, False, "rs")
    rng = np.random.default_rng(1)
    x = np.column_stack([rng.uniform(0.2, 1.2, 5), rng.uniform(0.1, 0.95, 5)])
    c_ex = {"alpha": rng.uniform(0.0, 0.1, 5), "r": rng.uniform(0.3, 1.0, 5),
            "beta": rng.uniform(0.5, 10.0, 5)}
    c_mix = {**c_ex, "M": np.full(5, float(M))}
    np.testing.assert_allclose(mix.f(x, c_mix), ex.f(x, c_ex), rtol=1e-12, atol=1e-14)
    g1, H1, d1 = mix.grad_hess_control(x, c_mix, "alpha")
    g2, H2, d2 = ex.grad_hess_control(x, c_ex, "alpha")
    for u, w in ((g1, g2), (H1, H2), (d1, d2)):
        np.testing.assert_allclose(u, w, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="sets the law"):
        mix.control_jacobian(x, c_mix, "r")


def _hand(P, x, alpha, beta, c, w, v, rho=0.0):
    """Hand-derived residuals ``n - E[c tanh(beta h)]``, ``q - E tanh^2`` and
    ``m = E tanh`` (module docstring of theory.dense_learning.models), by trapezoidal
    quadrature (trapezoidal) over z, and over lambda for the Gaussian law)."""
    n, q = x
    s = n ** (P - 1) / math.factorial(P - 1)
    sig = math.sqrt(alpha * v * q ** (P - 1) / math.factorial(P - 1))
    if rho > 0:  # c = 1 + sqrt(rho) lambda on the same nodes
        c, w = 1 + math.sqrt(rho) * GH_X, GH_W
    t = np.tanh(beta * (c[:, None] * s + sig * GH_X[None, :]))
    Ew = lambda y: float((w[:, None] * GH_W[None, :] * y).sum())  # noqa: E731
    return n - Ew(c[:, None] * t), q - Ew(t * t), Ew(t)


@pytest.mark.parametrize("protocol,law", [("supervised", "exact"), ("unsupervised", "exact"),
                                          ("supervised", "gaussian")])
@pytest.mark.parametrize("P", [3, 4])
def test_solutions_satisfy_the_hand_derived_equations(P, protocol, law):
    kw = dict(rho=0.3) if law == "gaussian" else dict(r=0.55, M=7)
    scale = 2 / math.factorial(P - 1)  # the fields are of order 1/(P-1)!
    ds = D.solve(P, [0.004 * scale, 0.02 * scale], [0.1 * scale, 0.25 * scale],
                 protocol=protocol, **kw)
    assert_valid_result(ds)
    for a in ds.alpha.values:
        for T in ds["T"].values:
            pt = ds.sel(alpha=a, T=T, branch="retrieval").squeeze()
            if not bool(pt.converged):
                continue
            v = float(pt.variance_factor)
            if law == "gaussian":
                res = _hand(P, (float(pt.n), float(pt.q)), a, 1 / T, None, None, v, rho=0.3)
            else:
                c, w = _atoms(0.55, 7)
                res = _hand(P, (float(pt.n), float(pt.q)), a, 1 / T, c, w, v)
            assert abs(res[0]) < 1e-9 and abs(res[1]) < 1e-9
            assert float(pt.m) == pytest.approx(res[2], abs=1e-9)
    assert ds.sel(branch="retrieval").converged.isel(alpha=0).all()


@pytest.mark.parametrize("protocol", D.PROTOCOLS)
def test_perfect_examples_are_the_dense_storage_model(protocol):
    a, T = [0.0, 0.01, 0.05, 0.1, 0.3], [0.0, 0.05, 0.2, 0.5]
    ds = D.solve(3, a, T, r=1.0, M=[1, 4], protocol=protocol)
    ref = dense.solve(3, a, T)
    for M in (1, 4):
        s = ds.sel(r=1.0, M=M)
        assert not s.converged.sel(branch="example").any()  # all examples are the archetype
        s = s.sel(branch=list(ref.branch.values))
        for k in ("f", "q"):
            np.testing.assert_allclose(s[k].values, ref[k].values, atol=1e-10, equal_nan=True)
        np.testing.assert_allclose(s.m.values, ref.m.values, atol=1e-10, equal_nan=True)
        np.testing.assert_allclose(s.n.values, ref.m.values, atol=1e-10, equal_nan=True)
        assert (s.phase.values == ref.phase.values).all()
        assert (s.converged.values == ref.converged.values).all()


def test_zero_temperature_is_continuous_with_small_T():
    T = [0.0, 1e-5, 1e-4, 1e-3]
    for kw in (dict(r=0.5, M=9), dict(rho=0.4)):
        ds = D.solve(3, [0.0, 0.01, 0.03], T, **kw).sel(branch="retrieval")
        for k in ("n", "m", "f"):
            err = [float(abs(ds[k].sel(T=t) - ds[k].sel(T=0.0)).max()) for t in T[1:]]
            assert all(e < t for e, t in zip(err, T[1:], strict=True)), (kw, k, err)


def test_low_load_is_the_majority_vote_for_both_protocols():
    r, Ms = 0.3, [1, 2, 5, 10]
    sup = D.solve(3, 0.0, [0.0, 0.2], r=r, M=Ms).sel(branch="retrieval")
    uns = D.solve(3, 0.0, [0.0, 0.2], r=r, M=Ms, protocol="unsupervised").sel(branch="retrieval")
    for k in ("n", "m", "q", "f"):
        np.testing.assert_array_equal(sup[k].values, uns[k].values)
    snr = D.signal_to_noise(3, 0.0, r, Ms).isel(alpha=0, r=0)
    t0 = sup.sel(T=0.0).isel(alpha=0, r=0)
    np.testing.assert_allclose(t0.m.values, 2 * snr.p_aligned.values - 1, rtol=1e-12)
    np.testing.assert_allclose(t0.n.values, [float((w * abs(c)).sum()) for c, w in
                                             (_atoms(r, M) for M in Ms)], rtol=1e-12)


def test_gaussian_law_is_the_large_M_limit_at_fixed_rho():
    rho, a, T = 0.25, [0.0, 0.01], [0.0, 0.3]
    g = D.solve(3, a, T, rho=rho).sel(branch="retrieval").squeeze()
    errs = []
    for M in (8, 32, 128):
        r = 1 / math.sqrt(1 + M * rho)  # the same rho
        b = D.solve(3, a, T, r=r, M=M).sel(branch="retrieval").squeeze()
        assert float(b.rho) == pytest.approx(rho, rel=1e-13)
        errs.append(float(abs(b.m - g.m).max()))
    assert errs[2] < 0.01 and errs[2] < errs[1] < errs[0]


def test_detection_load_is_the_storage_load_at_alpha_N_to_the_2_minus_P():
    kw = dict(r=0.6, M=5, T=[0.0, 0.2])
    det = D.solve(4, [0.5, 3.0], load="detection", **kw)
    low = D.solve(4, 0.0, **kw)
    for a in (0.5, 3.0):
        np.testing.assert_array_equal(det.sel(alpha=a).m.values, low.isel(alpha=0).m.values)
    N = 50
    dN = D.solve(4, [3.0], load="detection", N=N, **kw)
    st = D.solve(4, [3.0 * N ** -2.0], **kw)
    np.testing.assert_allclose(dN.m.values, st.m.values, rtol=1e-12, equal_nan=True)


def test_a_point_does_not_depend_on_the_grid():
    one = D.solve(3, [0.02], [0.1], r=0.5, M=6, protocol="unsupervised")
    many = D.solve(3, [0.001, 0.02, 0.04], [0.0, 0.1], r=[0.5, 0.9], M=[3, 6],
                   protocol="unsupervised")
    pick = many.sel(alpha=[0.02], T=[0.1], r=[0.5], M=[6])
    np.testing.assert_allclose(pick.f.values, one.f.values, rtol=0, atol=1e-13, equal_nan=True)


def test_netcdf_round_trip(tmp_path):
    import xarray as xr

    ds = D.solve(3, [0.0, 0.02], [0.0, 0.2], r=0.7, M=3)
    ds.to_netcdf(tmp_path / "x.nc")
    back = xr.open_dataset(tmp_path / "x.nc").load()
    xr.testing.assert_identical(back, ds)


@pytest.mark.parametrize("kw,match", [
    (dict(P=2, r=0.5, M=3, load="detection"), "needs P > 2"),
    (dict(P=1, r=0.5, M=3), "P must be an integer >= 2"),
    (dict(r=0.0, M=3), "r must be"),
    (dict(r=1.5, M=3), "r must be"),
    (dict(r=0.5, M=0), "M must be an integer >= 1"),
    (dict(r=0.5, M=2.5), "M must be an integer"),
    (dict(r=0.5), "give r and M"),
    (dict(rho=0.3, r=0.5, M=3), "not both"),
    (dict(rho=0.3, protocol="unsupervised"), "only for protocol='supervised'"),
    (dict(rho=-1.0), "rho must be"),
    (dict(r=0.5, M=3, protocol="teacher"), "protocol must be one of"),
    (dict(r=0.5, M=3, load="detection", P=3, N=2), "N must be an integer >= 3"),
    (dict(r=0.5, M=3, alpha=-0.1), "alpha must be"),
    (dict(r=0.5, M=3, T=-1.0), "T must be"),
])
def test_bad_input_names_the_parameter(kw, match):
    args = dict(P=3, alpha=0.01, T=0.1) | kw
    with pytest.raises(ValueError, match=match):
        D.solve(args.pop("P"), args.pop("alpha"), args.pop("T"), **args)


def test_critical_capacity_is_the_end_of_the_retrieval_branch():
    c = D.critical_capacity(3, [0.0, 0.1], r=[0.6, 1.0], M=4).squeeze("M")
    assert c.converged.all()
    for T in (0.0, 0.1):  # perfect examples: the dense storage model's alpha_c(T)
        ref = float(dense.critical_point(3, T).alpha_c)
        assert float(c.alpha_c.sel(r=1.0, T=T)) == pytest.approx(ref, abs=1e-10)
    a_c = float(c.alpha_c.sel(r=0.6, T=0.0))
    assert a_c < 0.7 * float(c.alpha_c.sel(r=1.0, T=0.0))  # noisy examples store less
    s = D.solve(3, [0.999 * a_c, 1.001 * a_c], 0.0, r=0.6, M=4).sel(branch="retrieval")
    assert s.converged.values.ravel().tolist() == [True, False]
    u = D.critical_capacity(3, 0.0, r=0.6, M=4, protocol="unsupervised")
    assert float(u.alpha_c.squeeze()) < a_c  # the unsupervised cross-talk is larger (Jensen)
    det = D.critical_capacity(3, 0.0, r=0.6, M=4, load="detection", N=100)
    assert float(det.alpha_c.squeeze()) == pytest.approx(100 * a_c, rel=1e-12)
    assert_valid_result(c)


def _mean_field(P, r, M, T, m0, iters=20000):
    """Low-load unsupervised mean field over all 2^M example configurations of a site, with
    free example overlaps m_a: ``m_a = E[chi_a tanh(beta h)]``,
    ``h = sum_a chi_a m_a^(P-1)/(M r^P (P-1)!)`` (an independent brute-force check)."""
    chi = np.array(list(__import__("itertools").product([-1, 1], repeat=M)), float)
    w = np.prod(np.where(chi > 0, (1 + r) / 2, (1 - r) / 2), axis=1)
    k = 1 / (M * r**P * math.factorial(P - 1))
    m = np.array(m0, float)
    for _ in range(iters):
        m = (w * np.tanh(chi @ (m ** (P - 1)) * k / T)) @ chi
    h = chi @ (m ** (P - 1)) * k
    f = (P - 1) * np.sum(m**P) / (M * r**P * math.factorial(P)) - T * np.sum(
        w * np.log(2 * np.cosh(h / T)))
    H = np.diag((P - 1) * m ** (P - 2) * k) - (P - 1) ** 2 * k * k / T * (
        (w / np.cosh(h / T) ** 2 * chi.T) @ chi) * np.outer(m ** (P - 2), m ** (P - 2))
    return m, f, float(w @ np.tanh(h / T)), np.linalg.eigvalsh(H)[0]


@pytest.mark.parametrize("M", [3, 4, 5])
def test_unsupervised_low_load_states_are_the_full_mean_field(M):
    P, r, T = 3, 0.6, 0.15
    ds = D.solve(P, 0.0, T, r=r, M=M, protocol="unsupervised").squeeze()
    ms, fs, mm, lam = _mean_field(P, r, M, T, np.full(M, r))
    ret = ds.sel(branch="retrieval")
    assert float(ret.m_example) == pytest.approx(ms[0], abs=1e-9)
    assert float(ret.f) == pytest.approx(fs, abs=1e-12)
    assert float(ret.m) == pytest.approx(mm, abs=1e-9)
    # the symmetric state's stability across the examples: the full M x M Hessian
    assert (float(ret.example_symmetry) > 0) == (lam > 0)
    me, fe, mme, _ = _mean_field(P, r, M, T, [1.0] + [r * r] * (M - 1))
    ex = ds.sel(branch="example")
    if me[0] - me[1] > 1e-3:  # an example state exists (M = 3, 4)
        assert float(ex.m_example) == pytest.approx(me[0], abs=1e-9)
        assert float(ex.m_other) == pytest.approx(me[1], abs=1e-9)
        assert float(ex.f) == pytest.approx(fe, abs=1e-12)
        assert float(ex.m) == pytest.approx(mme, abs=1e-9)
        assert str(ds.phase.values) == ("example" if fe < fs else "retrieval")
    else:
        assert not bool(ex.converged)
    assert M != 3 or str(ds.phase.values) == "example"
    assert M != 5 or str(ds.phase.values) == "retrieval"


def test_example_state_is_continued_in_alpha_and_at_T_0():
    ds = D.solve(3, [0.0, 1e-6, 0.01], [0.0, 0.15], r=0.6, M=4,
                 protocol="unsupervised").squeeze().sel(branch="example")
    assert ds.converged.all()
    np.testing.assert_allclose(ds.m_example.isel(alpha=1), ds.m_example.isel(alpha=0),
                               atol=1e-4)
    assert (ds.m_example > ds.m_other + 0.3).all()


def test_low_load_lines():
    ll = D.low_load_lines(3, r=[0.6, 1.0], M=4).squeeze("M")
    ref = dense.low_load_lines(3)
    assert ll.converged_T_M.all() and ll.converged_T_c.all()
    assert float(ll.T_M.sel(r=1.0)) == pytest.approx(ref["T_M"], abs=1e-10)
    assert float(ll.T_c.sel(r=1.0)) == pytest.approx(ref["T_c"], abs=1e-10)
    T_M, T_c = float(ll.T_M.sel(r=0.6)), float(ll.T_c.sel(r=0.6))
    assert T_c < T_M
    s = D.solve(3, 0.0, [0.999 * T_M, 1.001 * T_M, 0.999 * T_c, 1.001 * T_c], r=0.6,
                M=4).squeeze()
    assert s.converged.sel(branch="retrieval").values[:2].tolist() == [True, False]
    # T_c: retrieval's f crosses the paramagnet's -T ln 2
    f = s.f.sel(branch="retrieval").values[2:]
    assert f[0] < -0.999 * T_c * math.log(2) and f[1] > -1.001 * T_c * math.log(2)
    assert_valid_result(ll)


@pytest.mark.slow
def test_transition_lines_reduce_to_the_dense_model_and_bound_retrieval():
    tl = D.transition_lines(3, 0.03, r=[0.6, 1.0], M=4).squeeze("M")
    ref = dense.transition_lines(3, 0.03)
    assert tl.converged_T_M.all() and tl.converged_T_c.all()
    for k in ("T_M", "T_c", "T_g", "T_sg_spinodal"):
        np.testing.assert_allclose(tl[k].sel(r=1.0).values, ref[k].values, rtol=0, atol=1e-8)
    T_M = float(tl.T_M.sel(r=0.6, alpha=0.03))
    s = D.solve(3, 0.03, [0.999 * T_M, 1.001 * T_M], r=0.6, M=4).sel(branch="retrieval")
    assert s.converged.values.ravel().tolist() == [True, False]
    assert (tl.T_c <= tl.T_M).all()
    assert_valid_result(tl)
