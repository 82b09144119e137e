"""Monte Carlo of dense networks trained on examples (assoc.models.DenseExampleHebbian).

References: brute-force energies over explicit index sets (N <= 10) for the engine's
integer-pattern path; the RS theory of :mod:`theory.dense_learning` for the simulations
(z-scores over disorder samples).
"""

from __future__ import annotations

import numpy as np
import pytest

from assoc.compare import extrapolate_in_N
from assoc.models import DenseExampleHebbian
from assoc.patterns import noisy_examples, unbiased
from montecarlo import simulate
from montecarlo.engine_numpy import _sweep_direct, init_state
from montecarlo.point import family
from theory import dense_learning as D

from .test_dense_engine import brute_energy


@pytest.mark.parametrize("P, N, K, M", [(3, 8, 3, 3), (4, 8, 3, 4), (5, 9, 2, 5)])
def test_integer_pattern_energy_differences_equal_brute_force(P, N, K, M):
    """Summed examples X (entries in [-M, M]) stacked with their odd powers: the engine
    flips iff its threshold lies above the brute-force energy change (exactly)."""
    rng = np.random.default_rng(P + 10 * N)
    model = DenseExampleHebbian(P, protocol="supervised")
    xi = unbiased(K, N, seed=int(rng.integers(2**31)))
    X, _ = model.coupling_patterns(noisy_examples(xi, 0.4, M, seed=3), 0.4)
    L = model.odd_powers(M)
    assert L == (P + 1) // 2
    Xs = np.concatenate([X.astype(np.int64) ** (2 * ell + 1) for ell in range(L)])[None]
    R = 8
    spins = (2 * rng.integers(0, 2, (1, R, N)) - 1).astype(np.int8)
    unit = 2.0 / float(N) ** (P - 1)
    for i in range(N):
        dE = np.empty(R)
        for r in range(R):
            s = spins[0, r].copy()
            e0 = brute_energy(X, s, P)
            s[i] = -s[i]
            dE[r] = brute_energy(X, s, P) - e0
        k = dE / unit
        assert np.allclose(k, np.rint(k), atol=1e-9)
        for shift, flips in ((0.5, True), (-0.5, False)):
            st = init_state(Xs, spins.copy(), np.float64)
            thr = (np.rint(k) + shift)[None, None, :]
            _sweep_direct(model, Xs.astype(np.float64), st, thr, np.array([i]), L)
            assert np.all((st.spins[i, 0, :] != spins[0, :, i]) == flips), (P, i, shift)
            M_exact = np.einsum("kn,nr->kr", Xs[0], st.spins[:, 0, :].astype(np.int64))
            assert np.array_equal(st.M[0].astype(np.int64), M_exact)


@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
@pytest.mark.parametrize("P", [3, 4])
def test_measured_energy_and_overlaps_are_the_definitions(P, protocol):
    model = DenseExampleHebbian(P, protocol=protocol)
    N, r, M = 9, 0.5, 3
    c = {"alpha": 3.0 / N ** (P - 1), "r": r, "M": M}
    fam = family(model)
    xi, X, scale = fam.patterns(model, np.random.SeedSequence(4), c, N, [0])
    series = fam.measurer(model, c, xi, X, scale)
    rng = np.random.default_rng(2)
    s = (2 * rng.integers(0, 2, (N, 1, 3)) - 1).astype(np.int8)  # (N, S, R)
    Mov = np.einsum("skn,nsr->skr", X.astype(np.int64), s.astype(np.int64))
    out = series(Mov, s)
    X1 = X[0, :X.shape[1] // model.odd_powers(M)]
    for rep in range(3):
        e = scale * brute_energy(X1, s[:, 0, rep], P) / N
        assert out["energy"][0, rep] == pytest.approx(e, rel=1e-12, abs=1e-15)
        assert out["m"][0, rep] == pytest.approx(xi[0, 0] @ s[:, 0, rep] / N)
        if protocol == "supervised":
            xihat = X1[0] / (r * M)
        else:
            xihat = X1[:M].mean(0) / r
        assert out["n"][0, rep] == pytest.approx(xihat @ s[:, 0, rep] / N, rel=1e-12)


def test_engines_and_bad_input():
    kw = dict(alpha=0.02, r=0.6, T=0.2, N=30, samples=2, sweeps=4, seed=1)
    sup = DenseExampleHebbian(3, protocol="supervised")
    ds = simulate(sup, M=3, **kw)  # summed examples: the NumPy engine is chosen
    assert ds.attrs["engine"].startswith("numpy")
    with pytest.raises(ValueError, match="engine must be 'numpy'"):
        simulate(sup, M=3, engine="compiled", **kw)
    for bad, match in ((dict(protocol="teacher"), "protocol must be one of"),
                       (dict(load="capacity"), "load must be one of"),
                       (dict(P=2, load="detection"), "needs P > 2"),
                       (dict(P=1), "P must be an integer >= 2")):
        with pytest.raises(ValueError, match=match):
            DenseExampleHebbian(**({"P": 3} | bad))
    for ctrl, match in ((dict(r=0.0, M=3), "r must be"), (dict(r=0.5, M=0), "M must be"),
                        (dict(r=0.5, M=3, alpha=-1.0), "alpha must be")):
        with pytest.raises(ValueError, match=match):
            simulate(sup, **(kw | ctrl))


def _z(ds, name, theory):
    v = ds[name].values.ravel()
    return (v.mean() - theory) / (v.std(ddof=1) / np.sqrt(v.size))


@pytest.mark.parametrize("protocol,M,branch", [("supervised", 4, "retrieval"),
                                               ("unsupervised", 9, "retrieval"),
                                               ("unsupervised", 2, "example")])
def test_low_load_simulation_agrees_with_the_theory(protocol, M, branch):
    """One archetype (K = 1, the low load), P = 3, r = 0.6, T = 0.15: the overlaps with the
    archetype and with the coupling vector, |z| < 3 over disorder samples. At M = 2
    (unsupervised) the example-symmetric state is unstable and the network retrieves an
    example (the theory's ``example`` branch). It retrieves the example nearer the
    archetype: at finite N the examples' overlaps with it are r + sqrt((1 - r^2)/N) g_a
    (g_a standard normal), so the expected m is raised by sqrt((1 - r^2)/N) E[max(g_1, g_2)]
    = sqrt((1 - r^2)/(pi N)) (2.3 standard errors here); n depends on the two overlaps
    symmetrically and has no such shift at first order."""
    P, r, T, N = 3, 0.6, 0.15, 600
    th = D.solve(P, 0.0, T, r=r, M=M, protocol=protocol).squeeze()
    assert str(th.phase.values) == branch
    ds = simulate(DenseExampleHebbian(P, protocol=protocol), alpha=1.0 / N**2, r=r, M=M, T=T,
                  N=N, samples=16, sweeps=120, seed=11)
    selection = np.sqrt((1 - r * r) / (np.pi * N)) if branch == "example" else 0.0
    for k in ("m", "n"):
        expected = float(th[k].sel(branch=branch)) + (selection if k == "m" else 0.0)
        assert abs(_z(ds, k, expected)) < 3, k


def _extrapolated_z(model, theory, Ns, **kw):
    """z of the overlaps extrapolated in 1/N (:func:`assoc.compare.extrapolate_in_N`, an
    exact line through two sizes) against the theory."""
    ex = extrapolate_in_N(simulate(model, N=list(Ns), **kw), ["m", "n"])
    return {k: (float(ex[k].squeeze()) - theory[k]) / float(ex[f"{k}_sem"].squeeze())
            for k in ("m", "n")}


STORAGE = [("supervised", 0.006, 9, (100, 200)), ("unsupervised", 0.01, 9, (200, 400))]


@pytest.mark.slow
@pytest.mark.parametrize("protocol,alpha,M,Ns", STORAGE)
def test_storage_load_simulation_extrapolates_to_the_theory(protocol, alpha, M, Ns):
    """Ultra-storage (K = alpha N^2), P = 3, r = 0.6, T = 0.15: |z| < 3 at N -> infinity."""
    P, r, T = 3, 0.6, 0.15
    th = D.solve(P, alpha, T, r=r, M=M, protocol=protocol).squeeze().sel(branch="retrieval")
    assert str(D.solve(P, alpha, T, r=r, M=M, protocol=protocol).phase.squeeze().values) \
        == "retrieval"
    z = _extrapolated_z(DenseExampleHebbian(P, protocol=protocol),
                        {k: float(th[k]) for k in ("m", "n")}, Ns, alpha=alpha, r=r, M=M, T=T,
                        samples=32, sweeps=200, seed=12)
    assert all(abs(v) < 3 for v in z.values()), z


@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
def test_pairwise_storage_simulation_extrapolates_to_the_theory(protocol):
    """P = 2 (K = alpha N, the AGS-type theory with the examples' channels), r = 0.5, M = 5,
    alpha = 0.005, T = 0.2 (retrieval is the global state): |z| < 3 at N -> infinity.  The
    protocols' theories differ by 0.016 in m here (the unsupervised cross-talk has the
    M - 1 extra channels of variance rho)."""
    a, r, M, T = 0.005, 0.5, 5, 0.2
    full = D.solve(2, a, T, r=r, M=M, protocol=protocol).squeeze()
    assert str(full.phase.values) == "retrieval"
    th = full.sel(branch="retrieval")
    z = _extrapolated_z(DenseExampleHebbian(2, protocol=protocol),
                        {k: float(th[k]) for k in ("m", "n")}, (1000, 2000), alpha=a, r=r, M=M,
                        T=T, samples=64, sweeps=200, seed=12)
    assert all(abs(v) < 3 for v in z.values()), z


@pytest.mark.slow
@pytest.mark.parametrize("protocol,N", [("supervised", 200), ("unsupervised", 800)])
def test_detection_load_simulation_agrees_with_the_finite_N_theory(protocol, N):
    """Ultra-detection (K = alpha N), P = 4, r = 0.6, M = 9, T = 0.05: against the theory at
    the storage load alpha N^(2-P) of the size, |z| < 3.  (Unsupervised, at N = 200 a fifth
    of the samples fall into example states, whose barrier is small there: N = 800.)"""
    P, r, M, T, alpha = 4, 0.6, 9, 0.05, 1.0
    th = D.solve(P, alpha, T, r=r, M=M, protocol=protocol, load="detection",
                 N=N).squeeze()
    assert str(th.phase.values) == "retrieval"
    ds = simulate(DenseExampleHebbian(P, protocol=protocol, load="detection"), alpha=alpha,
                  r=r, M=M, T=T, N=N, samples=24, sweeps=200, seed=13)
    for k in ("m", "n"):
        assert abs(_z(ds, k, float(th[k].sel(branch="retrieval")))) < 3, k
