"""Signal-to-noise of dense networks that learn from examples (theory.dense_learning).

References: the dense storage result ``Phi(1/sqrt(alpha (P-1)!))`` (Baldi & Venkatesh 1987;
:func:`theory.dense.signal_to_noise`) at r = 1; the majority vote of the examples at low
load; the supervised ``Phi(1/sqrt(rho + alpha (P-1)! (1+rho)^P))`` of arXiv:2212.00606;
direct sampling of the one-step fields (distinct indices, through power sums).
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtr
from scipy.stats import binom

from assoc.dataset import assert_valid_result
from theory import dense
from theory import dense_learning as D


@pytest.mark.parametrize("protocol", D.PROTOCOLS)
@pytest.mark.parametrize("P", [3, 4, 6])
def test_perfect_examples_are_the_dense_storage_model(P, protocol):
    a = np.array([0.01, 0.05, 0.2])
    ds = D.signal_to_noise(P, a, 1.0, [1, 7], protocol=protocol)
    ref = dense.signal_to_noise(P, a)
    for M in (1, 7):
        s = ds.sel(r=1.0, M=M)
        np.testing.assert_allclose(s.snr.values, ref.snr.values, rtol=1e-14)
        np.testing.assert_allclose(s.p_error.values, ref.p_error.values, rtol=1e-12)
    assert_valid_result(ds)


def test_supervised_storage_formula_and_hopfield_limit():
    P, a, r, M = 4, 0.003, 0.6, 11
    rho = (1 - r * r) / (M * r * r)
    s = D.signal_to_noise(P, a, r, M).isel(alpha=0, r=0, M=0)
    assert float(s.rho) == pytest.approx(rho, rel=1e-15)
    want = 1 / math.sqrt(rho + a * math.factorial(P - 1) * (1 + rho) ** P)
    assert float(s.snr) == pytest.approx(want, rel=1e-14)
    assert float(s.p_aligned_gauss) == pytest.approx(ndtr(want), rel=1e-14)
    # P = 2: the Hopfield network with examples, 1/sqrt(rho + alpha (1 + rho)^2)
    h = D.signal_to_noise(2, 0.05, r, M).isel(alpha=0, r=0, M=0)
    assert float(h.snr) == pytest.approx(1 / math.sqrt(rho + 0.05 * (1 + rho) ** 2), rel=1e-14)


@pytest.mark.parametrize("protocol", D.PROTOCOLS)
def test_low_load_is_the_majority_vote_of_the_examples(protocol):
    r, Ms = 0.3, np.array([1, 2, 5, 10, 31])
    ds = D.signal_to_noise(3, 0.0, r, Ms, protocol=protocol).isel(alpha=0, r=0)
    q = 0.5 * (1 + r)
    want = binom.sf(Ms // 2, Ms, q) + np.where(Ms % 2 == 0, 0.5 * binom.pmf(Ms // 2, Ms, q), 0)
    np.testing.assert_allclose(ds.p_aligned.values, want, rtol=1e-12)
    # ultra-detection at N -> infinity: the same, whatever alpha
    det = D.signal_to_noise(3, 5.0, r, Ms, protocol=protocol, load="detection")
    np.testing.assert_allclose(det.p_aligned.values[0, 0], want, rtol=1e-12)
    # and its cross-talk at finite N falls like N^(2-P)
    g = [D.signal_to_noise(4, 1.0, r, 3, protocol=protocol, load="detection",
                           N=N).cross_talk.item() for N in (100, 1000)]
    assert g[0] / g[1] == pytest.approx(100.0, rel=1e-12)


def test_protocols_coincide_with_one_example():
    a, r = np.array([0.0, 0.01, 0.1]), np.array([0.2, 0.7])
    s = D.signal_to_noise(3, a, r, 1, protocol="supervised")
    u = D.signal_to_noise(3, a, r, 1, protocol="unsupervised")
    np.testing.assert_allclose(u.snr.values, s.snr.values, rtol=1e-13)


@given(P=st.integers(2, 8), a=st.floats(1e-4, 1.0), r=st.floats(0.05, 0.99),
       M=st.integers(2, 200))
def test_unsupervised_cross_talk_is_never_smaller(P, a, r, M):
    """(1 + rho)^P <= 1 + rho_P (Jensen): without a teacher the noise is at least as large."""
    s = D.signal_to_noise(P, a, r, M).isel(alpha=0, r=0, M=0)
    u = D.signal_to_noise(P, a, r, M, protocol="unsupervised").isel(alpha=0, r=0, M=0)
    assert float(u.cross_talk) >= float(s.cross_talk) * (1 - 1e-12)
    assert float(u.p_aligned) <= float(s.p_aligned) + 1e-12


def _aligned_fraction(P, N, K, r, M, protocol, samples, rng):
    """Fraction of sites whose one-step field is aligned with archetype 1 (s = xi^1), from
    explicit examples; the field over distinct indices through power sums (no P-tensor):
    ``(P-1)! e_(P-1)`` of the other sites by Newton's identities."""
    hits = 0
    for _ in range(samples):
        xi = rng.choice(np.array([-1.0, 1.0]), size=(K, N))
        chi = np.where(rng.random((K, M, N)) < 0.5 * (1 + r), 1.0, -1.0)
        gauge = xi * xi[0]  # s = xi^1: x_j = (pattern entry) * s_j
        if protocol == "supervised":
            X = gauge * chi.mean(axis=1) / r
            norm = 1.0
        else:
            X = (gauge[:, None, :] * chi).reshape(K * M, N)
            norm = 1.0 / (M * r**P)
        q1 = X.sum(axis=1, keepdims=True) - X
        if P == 2:
            e = q1
        else:  # P = 3: 2! e_2 = q1^2 - q2
            e = q1 * q1 - ((X * X).sum(axis=1, keepdims=True) - X * X)
        hits += int(np.sum(norm * (X * e).sum(axis=0) > 0))
    return hits / (samples * N)


@pytest.mark.parametrize("P,N,alpha,r,M,protocol", [
    (2, 2000, 0.05, 0.5, 10, "supervised"),
    (2, 2000, 0.05, 0.5, 10, "unsupervised"),
    (3, 300, 0.03, 0.5, 5, "supervised"),
    (3, 300, 0.03, 0.5, 5, "unsupervised"),
])
def test_one_step_fields_sampled_agree(P, N, alpha, r, M, protocol):
    """Sampled one-step alignment against ``p_aligned`` (|z| < 3.5 by the binomial error of
    the sites; O(1/N) corrections are below it). With these seeds z = -1.1, +1.2 (P = 2),
    +1.1, +0.6 (P = 3); at P = 3 the (2P-3)!! of coinciding indices would give z = +3.9,
    +5.5, and the other protocol's cross-talk z = +12, -9."""
    rng = np.random.default_rng([P, N, M, int(protocol == "supervised")])
    K = int(round(alpha * N ** (P - 1)))
    samples = 8 if P == 2 else 16
    emp = _aligned_fraction(P, N, K, r, M, protocol, samples, rng)
    th = D.signal_to_noise(P, K / N ** (P - 1), r, M, protocol=protocol)
    p = th.p_aligned.item()
    se = math.sqrt(p * (1 - p) / (samples * N))
    assert abs(emp - p) < 3.5 * se, (emp, p, se)
    other = "unsupervised" if protocol == "supervised" else "supervised"
    p_other = D.signal_to_noise(P, K / N ** (P - 1), r, M, protocol=other).p_aligned.item()
    if P == 3:  # the protocols differ by more than the error here
        assert abs(p_other - p) > 4 * se


def test_learning_threshold():
    r = np.array([0.3, 0.6, 1.0])
    low = D.learning_threshold(3, 0.0, r)
    np.testing.assert_allclose(low.M_threshold.values[0, :2], (1 - r[:2] ** 2) / r[:2] ** 2,
                               rtol=1e-12)
    assert low.M_threshold[0, 2].item() == 1.0
    for protocol in D.PROTOCOLS:
        th = D.learning_threshold(3, [0.01, 0.3], 0.5, protocol=protocol, snr=1.0)
        Mc = th.M_threshold[0, 0].item()
        # at the threshold the signal-to-noise ratio is 1, and it grows with M
        s = D.signal_to_noise(3, 0.01, 0.5, [math.ceil(Mc)], protocol=protocol)
        assert s.snr.item() >= 1.0
        rho_c = th.rho_threshold[0, 0].item()
        a = 0.01 * 2
        v = (1 + rho_c) ** 3 if protocol == "supervised" else \
            1 + (1 - 0.5**6) / (Mc * 0.5**6)
        assert rho_c + a * v == pytest.approx(1.0, rel=1e-10)
        # alpha (P-1)! = 0.6 < 1 still learns; never beyond 1/(P-1)! = 0.5
        assert np.isfinite(th.M_threshold[1, 0])
        assert np.isinf(D.learning_threshold(3, 0.6, 0.5, protocol=protocol).M_threshold[0, 0])
    u = D.learning_threshold(4, 0.01, 0.5, protocol="unsupervised").M_threshold
    s = D.learning_threshold(4, 0.01, 0.5, protocol="supervised").M_threshold
    assert u.item() > s.item()


@pytest.mark.parametrize("kw,match", [
    ({"r": 0.0}, "r must be"), ({"r": 1.5}, "r must be"), ({"M": 0}, "M must be"),
    ({"M": 2.5}, "M must be"), ({"P": 1}, "P must be"), ({"alpha": -0.1}, "alpha must be"),
    ({"protocol": "teacher"}, "protocol must be"), ({"load": "huge"}, "load must be"),
    ({"P": 2, "load": "detection"}, "needs P > 2"), ({"N": 2, "P": 3}, "N must be"),
])
def test_bad_input_names_the_parameter(kw, match):
    args = {"P": 3, "alpha": 0.01, "r": 0.5, "M": 3} | kw
    P, a, r, M = (args.pop(k) for k in ("P", "alpha", "r", "M"))
    with pytest.raises(ValueError, match=match):
        D.signal_to_noise(P, a, r, M, **args)


def test_datasets_round_trip_through_netcdf_and_zarr(tmp_path):
    import xarray as xr

    for i, ds in enumerate((D.signal_to_noise(3, [0.0, 0.01], [0.5, 1.0], [1, 4],
                                              protocol="unsupervised", load="detection", N=50),
                            D.learning_threshold(4, [0.0, 0.01], [0.3, 0.9]))):
        assert_valid_result(ds)
        ds.to_netcdf(tmp_path / f"{i}.nc")
        with xr.open_dataset(tmp_path / f"{i}.nc") as back:
            xr.testing.assert_identical(back.load(), ds)
        if importlib.util.find_spec("zarr") is not None:
            ds.to_zarr(tmp_path / f"{i}.zarr", consolidated=False)
            xr.testing.assert_identical(
                xr.open_zarr(tmp_path / f"{i}.zarr", consolidated=False).load(), ds)
