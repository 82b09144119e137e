"""The pairwise (P = 2) RS theory of networks trained on examples (theory.dense_learning).

References: the Hopfield model of :mod:`theory.hopfield` (AGS 1987; its hand-written RS
solver) at r = 1, to 1e-10; the RS equations written out by hand below (NumPy, Gauss-Hermite,
no engine) at random points; the eigenvalues of the examples' covariance for the unsupervised
channels; the signal-to-noise variance factors of :mod:`theory.dense_learning.snr`.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from theory import dense_learning as D
from theory import hopfield
from theory.dense_learning import pairwise as pw
from theory.dense_learning.common import channels
from theory.hopfield import rs as hopfield_rs

BRANCHES = ("retrieval", "spin_glass", "paramagnet")


def test_r_equal_one_is_the_hopfield_model():
    """At r = 1 (rho = 0) both protocols are the Hopfield model (unsupervised: the M - 1
    channels have variance 0): every branch's m, q and f, and alpha_c(T), equal
    theory.hopfield to 1e-10 (T = 0 included)."""
    a, T = np.array([0.05, 0.13]), np.array([0.0, 0.1, 1.2])
    ds = D.solve(2, a, T, r=1.0, M=4, protocol="unsupervised").squeeze(["r", "M"])
    h = hopfield.solve(alpha=a, T=T)
    for br in BRANCHES:
        x, y = ds.sel(branch=br), h.sel(branch=br)
        np.testing.assert_array_equal(x.converged.values, y.converged.values, err_msg=br)
        for k in ("m", "q", "f"):
            np.testing.assert_allclose(x[k].values, y[k].values, atol=1e-10, err_msg=f"{br} {k}")
    Tc = np.array([0.0, 0.1])
    cap = D.critical_capacity(2, Tc, r=1.0, M=1)
    np.testing.assert_allclose(cap.alpha_c.values.ravel(), hopfield_rs.capacity(Tc)["alpha_c"],
                               atol=1e-10)


def _hand(protocol, alpha, r, M, T, n, q):
    """The RS equations and f at P = 2 written out (module notes of
    theory.dense_learning.models, "P = 2"): residuals of n = E c tanh(beta h),
    q = E tanh^2(beta h) with h = c n + sqrt(alpha p) z, p = q sum_k L_k lam_k^2/(1 - lam_k
    C)^2, C = beta (1 - q), and f."""
    z, wz = np.polynomial.hermite_e.hermegauss(160)
    wz = wz / wz.sum()
    rho = (1 - r * r) / (M * r * r)
    k = np.arange(M + 1)
    w, c = binom.pmf(k, M, (1 + r) / 2), (2 * k - M) / (r * M)
    chans = [(1.0, 1 + rho)] + ([(M - 1.0, rho)] if protocol == "unsupervised" else [])
    C = (1 - q) / T
    p = q * sum(L * lam**2 / (1 - lam * C) ** 2 for L, lam in chans)
    h = c[:, None] * n + np.sqrt(alpha * p) * z[None, :]
    W = w[:, None] * wz[None, :]
    t = np.tanh(h / T)
    f = (n * n / 2 + alpha * p * C / 2
         + sum(L * (alpha * lam / 2 + alpha * T / 2 * np.log(1 - lam * C)
                    - alpha / 2 * lam * q / (1 - lam * C)) for L, lam in chans)
         - T * (W * np.logaddexp(h / T, -h / T)).sum())
    return n - (W * c[:, None] * t).sum(), q - (W * t * t).sum(), f


@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
def test_engine_equations_equal_the_hand_derived_ones(protocol):
    rng = np.random.default_rng(5 if protocol == "supervised" else 6)
    for _ in range(2):
        a, r = rng.uniform(0.005, 0.03), rng.uniform(0.7, 0.95)
        M, T = int(rng.integers(2, 8)), rng.uniform(0.15, 0.5)
        ds = D.solve(2, a, T, r=r, M=M, protocol=protocol).sel(branch="retrieval").squeeze()
        assert bool(ds.converged)
        dn, dq, f = _hand(protocol, a, r, M, T, float(ds.n), float(ds.q))
        assert abs(dn) < 1e-9 and abs(dq) < 1e-9, (dn, dq)
        assert abs(f - float(ds.f)) < 1e-9


def test_unsupervised_channels_are_the_eigenvalues_of_the_examples_covariance():
    """One archetype's M examples, normalised by 1/(M r^2), have the covariance
    ((1 - r^2) I + r^2 J)/(M r^2): eigenvalues 1 + rho (once) and rho (M - 1 times); their
    squares sum to the unsupervised signal-to-noise factor 1 + rho_2 at P = 2."""
    for r, M in ((0.6, 5), (0.8, 3), (0.3, 9)):
        rho = (1 - r * r) / (M * r * r)
        cov = ((1 - r * r) * np.eye(M) + r * r * np.ones((M, M))) / (M * r * r)
        lam, lamx, L = channels("unsupervised", rho, M)
        np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(cov)),
                                   np.sort([lam] + [lamx] * int(L)), atol=1e-12)
        snr = D.signal_to_noise(2, 0.01, r, M, protocol="unsupervised")
        np.testing.assert_allclose(lam**2 + L * lamx**2,
                                   float(snr.cross_talk.squeeze()) / 0.01, rtol=1e-12)


def test_glass_transition_and_the_states_without_signal():
    """T_g solves alpha sum_k L_k lam_k^2/(T - lam_k)^2 = 1 (lam (1 + sqrt alpha)
    supervised); the spin glass exists just below it and not above; at lam = 1 it is the
    Hopfield spin glass."""
    a = np.array([0.01, 0.05, 0.2])
    np.testing.assert_allclose(pw.glass_temperature(a, 1.3, 0.0, 0.0), 1.3 * (1 + np.sqrt(a)))
    Tg = pw.glass_temperature(a, 1.4, 0.4, 4.0)
    np.testing.assert_allclose(a * (1.4**2 / (Tg - 1.4) ** 2 + 4 * 0.4**2 / (Tg - 0.4) ** 2), 1.0,
                               rtol=1e-12)
    below, above = pw.spin_glass(a, 0.99 * Tg, 1.4, 0.4, 4.0), pw.spin_glass(a, 1.01 * Tg, 1.4,
                                                                             0.4, 4.0)
    assert (below["status"] == 0).all() and (below["q"] > 0).all()
    assert (above["status"] != 0).all()


def test_low_load_transition_is_continuous_at_one_plus_rho():
    lines = D.low_load_lines(2, r=[0.6, 0.9], M=[3, 8])
    rho = (1 - lines.r**2) / (lines.M * lines.r**2)
    np.testing.assert_allclose(lines.T_M, 1 + rho, rtol=1e-14)
    np.testing.assert_allclose(lines.T_c, 1 + rho, rtol=1e-14)
    T = 1 + float(rho.sel(r=0.6, M=3))
    ds = D.solve(2, 0.0, [0.98 * T, 1.02 * T], r=0.6, M=3).sel(branch="retrieval").squeeze()
    assert np.isfinite(ds.n.values[0]) and ds.n.values[0] > 0.05
    assert not np.isfinite(ds.n.values[1])


def test_zero_temperature_is_continuous_with_small_T():
    """alpha_c(T) - alpha_c(0) is linear in T (slope ~ 0.009 here: odd M, every site has a
    field), so it vanishes with T."""
    cap = D.critical_capacity(2, [0.0, 1e-4, 1e-3], r=0.6, M=3).alpha_c.values.ravel()
    d = np.abs(cap[1:] - cap[0])
    assert d[1] < 0.02 * 1e-3 and abs(d[1] / d[0] - 10) < 0.5, cap


@pytest.mark.slow
def test_zero_temperature_overlap_is_continuous_with_small_T_at_even_M():
    ds = D.solve(2, 0.01, [0.0, 1e-4, 1e-3], r=0.6, M=4, protocol="unsupervised")
    n = ds.n.sel(branch="retrieval").values.ravel()
    d = np.abs(n[1:] - n[0])
    assert d[1] < 1e-4 and d[0] < 0.2 * d[1], n


def test_unsupervised_cross_talk_is_larger_and_lowers_the_capacity():
    """The unsupervised protocol adds the M - 1 channels of variance rho: its alpha_c is below
    the supervised one at the same examples, and equal to it at M = 1."""
    kw = dict(r=0.7, M=[1, 5])
    sup = D.critical_capacity(2, 0.0, protocol="supervised", **kw).alpha_c
    uns = D.critical_capacity(2, 0.0, protocol="unsupervised", **kw).alpha_c
    np.testing.assert_allclose(uns.sel(M=1), sup.sel(M=1), rtol=1e-10)
    assert (uns.sel(M=5) < sup.sel(M=5)).all()


@pytest.mark.slow
def test_transition_lines_at_r_equal_one_are_the_hopfield_lines():
    tl = D.transition_lines(2, [0.05], r=1.0, M=1).squeeze()
    h = hopfield.transition_lines([0.05])
    for k in ("T_M", "T_c", "T_g"):
        np.testing.assert_allclose(float(tl[k]), float(h[k].squeeze()), rtol=1e-8, err_msg=k)
