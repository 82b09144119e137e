"""Learning from examples: supervised vs unsupervised equations, stability, SNR and thresholds."""

import numpy as np
import pytest

from assoc.patterns import dataset_entropy, diluted, noisy_examples
from theory import multitasking as mt
from theory.multitasking.learning import unsupervised_full_table


def _full_unsupervised(K, d, r, M, T, q0, iters=4000):
    """Fixed point of the unsupervised network with one overlap per example (K M of them)."""
    A, B, w = unsupervised_full_table(K, d, r, M)
    q = q0.copy()
    for _ in range(iters):
        q = (w * np.tanh(A @ q / T)) @ A
    sech2 = 1.0 / np.cosh(A @ q / T) ** 2
    hess = np.eye(K * M) - (A.T * (w * sech2)) @ A / T
    m = (w * np.tanh(A @ q / T)) @ B
    return q, m, hess


@pytest.mark.parametrize("K, d, r, M, T", [(1, 0.2, 0.5, 3, 0.3), (2, 0.3, 0.6, 3, 0.1),
                                           (2, 0.5, 0.4, 4, 0.15)])
def test_unsupervised_network_reaches_the_supervised_solution(K, d, r, M, T):
    """The K M-dimensional unsupervised fixed point, started off the example-symmetric
    subspace, is the supervised solution; the perpendicular Hessian block is 1 - lambda_perp."""
    sup = mt.solve(K, d, T, r=r, M=M, protocol="supervised", state="equilibrium").squeeze()
    uns = mt.solve(K, d, T, r=r, M=M, protocol="unsupervised", state="equilibrium").squeeze()
    np.testing.assert_allclose(uns.m, sup.m, atol=1e-13)
    np.testing.assert_allclose(uns.f, sup.f, atol=1e-13)
    assert bool(sup.stable) and bool(uns.stable) and float(uns.lambda_perp) < 1
    rng = np.random.default_rng(0)
    p = sup.n.values / np.sqrt(r * r + (1 - r * r) / M)  # field-normalised overlaps
    q0 = np.repeat(p, M) / np.sqrt(M) * (1 + 0.3 * rng.uniform(-1, 1, K * M))
    q, m, hess = _full_unsupervised(K, d, r, M, T, q0)
    np.testing.assert_allclose(q, np.repeat(p, M) / np.sqrt(M), atol=1e-10)
    np.testing.assert_allclose(m, sup.m, atol=1e-10)
    # perpendicular block: vectors with sum_a v_(mu,a) = 0 inside each pattern
    basis = []
    for mu in range(K):
        for a in range(1, M):
            v = np.zeros(K * M)
            v[mu * M], v[mu * M + a] = 1.0, -1.0
            basis.append(v)
    Q, _ = np.linalg.qr(np.array(basis).T)
    perp = np.linalg.eigvalsh(Q.T @ hess @ Q)
    lam = mt.solve(K, d, T, r=r, M=M, protocol="unsupervised", state="equilibrium")
    expected = 1 - float(lam.lambda_perp.max())
    assert perp.min() == pytest.approx(expected, abs=1e-10)


def test_even_M_ties_make_the_unsupervised_state_unstable_at_T0():
    sup = mt.solve(1, 0.2, 0.0, r=0.5, M=4, state="pure", protocol="supervised")
    uns = mt.solve(1, 0.2, 0.0, r=0.5, M=4, state="pure", protocol="unsupervised")
    odd = mt.solve(1, 0.2, 0.0, r=0.5, M=5, state="pure", protocol="unsupervised")
    assert bool(sup.stable.squeeze()) and not bool(uns.stable.squeeze())
    assert bool(odd.stable.squeeze())
    # T = 0, K = 1: m = (1 - d)(P(chibar > 0) - P(chibar < 0)); r = 0.5, M = 5
    from scipy.stats import binom

    k = np.arange(6)
    pk = binom.pmf(k, 5, 0.75)
    expected = 0.8 * (pk[k > 2.5].sum() - pk[k < 2.5].sum())
    assert float(odd.m.squeeze()) == pytest.approx(expected, abs=1e-14)


def test_example_couplings_with_perfect_examples_are_the_archetype_network():
    ex = mt.solve(3, [0.3, 0.55], [0.0, 0.05], r=1.0, M=4, state=["hierarchical", "parallel"])
    ar = mt.solve(3, [0.3, 0.55], [0.0, 0.05], state=["hierarchical", "parallel"])
    np.testing.assert_allclose(ex.m.squeeze(["r", "M"]), ar.m, atol=1e-12)


def test_threshold_closed_forms():
    r = np.array([0.3, 0.5, 0.9])
    th = mt.learning_threshold(1, 0.25, r, theta=1.5, state="pure")
    np.testing.assert_allclose(th.M_threshold.squeeze(), 1.5**2 * (1 - r**2) / r**2, rtol=1e-13)
    K, d, theta = 4, 0.4, 1.2
    th = mt.learning_threshold(K, d, 0.5, theta=theta)
    for k in range(1, K + 1):
        tail = sum(d**j for j in range(1, K - k + 1))
        rho = (1 - tail) ** 2 / (theta**2 * sum(d ** (2 * j) for j in range(K - k + 1)))
        assert float(th.rho_threshold.sel(pattern=k).squeeze()) == pytest.approx(rho, rel=1e-13)
    # beyond d_H the hierarchical configuration is not a fixed point: never learned
    far = mt.learning_threshold(3, 0.65, 0.5)
    assert np.isinf(far.M_min.squeeze())


@pytest.mark.parametrize("K, d, r", [(1, 0.2, 0.4), (3, 0.3, 0.6), (5, 0.45, 0.8)])
def test_supervised_and_unsupervised_thresholds_agree_in_low_storage(K, d, r):
    """Equal at N = infinity; at finite N they differ by O(1/N). Stated tolerance, from the
    extra unsupervised noise (1-d)(1/r^2 - 1 - rho)/N <= (1-d)/(r^2 N) per nonzero pattern
    against a variance >= m_k^2 on the sites led by k:
    |M_sup - M_uns| / M <= K (1 - d) / (r^2 N m_k^2), and (difference x N) stays constant."""
    inf = [mt.learning_threshold(K, d, r, protocol=p).M_threshold.values for p in mt.PROTOCOLS]
    np.testing.assert_array_equal(inf[0], inf[1])
    mk = mt.hierarchical_overlaps(K, d)[0]
    prev = None
    for N in (1e3, 1e4, 1e5, 1e6):
        s, u = (mt.learning_threshold(K, d, r, protocol=p, N=N).M_threshold.values
                for p in mt.PROTOCOLS)
        rel = np.abs(s - u) / inf[0]
        assert np.all(rel <= K * (1 - d) / (r * r * N * mk**2))
        assert np.all((u >= s) | (inf[0] < 1))  # unsupervised noisier when M >= 1
        phys = inf[0] >= 1  # a physical dataset size
        if prev is not None:
            np.testing.assert_allclose((rel * N)[phys], prev[phys], rtol=0.05)  # O(1/N)
        prev = rel * N if N >= 1e4 else None


def test_signal_to_noise_formulas_against_sampled_couplings():
    """Per-class mean and spread of the aligned field on the hierarchical configuration,
    from couplings built from sampled examples (N = 30000), for both protocols."""
    K, d, r, M, N = 2, 0.3, 0.6, 5, 30000
    R = r * r + (1 - r * r) / M
    rho = dataset_entropy(r, M)
    xi = diluted(K, N, d, seed=11).astype(float)
    eta = noisy_examples(xi.astype(np.int8), r, M, seed=12).astype(float)  # (K, M, N)
    nz = xi != 0
    first = np.where(nz.any(0), xi[nz.argmax(0), np.arange(N)], 1.0)
    s = first
    m = xi @ s / N
    bar = eta.mean(1)
    h_sup = ((bar @ s)[:, None] * bar - bar**2 * s).sum(0) / (N * R)
    ov = np.einsum("kan,n->ka", eta, s)
    h_uns = (np.einsum("ka,kan->n", ov, eta) - (eta**2).sum((0, 1)) * s) / (N * R * M)
    snr = mt.signal_to_noise(K, d, r, M)
    for h in (h_sup, h_uns):
        a = s * h
        for x in ([1, 0], [1, 1], [1, -1], [0, 1]):
            sel = np.all(xi.T == x, axis=1)
            mean_th = (r * r / R) * (np.array(x) @ m)
            sd_th = (r * r / R) * np.sqrt(rho * ((np.array(x) * m) ** 2).sum())
            mu, sd = a[sel].mean(), a[sel].std(ddof=1)
            assert abs(mu - mean_th) < 4 * sd / np.sqrt(sel.sum()) + 2e-3
            assert sd == pytest.approx(sd_th, rel=0.06)
    # worst class of pattern 1 is x = (1, -1): SNR = (m1 - m2)/sqrt(rho (m1^2 + m2^2))
    m1, m2 = 0.7, 0.21
    assert float(snr.snr.sel(pattern=1).squeeze()) == pytest.approx(
        (m1 - m2) / np.sqrt(rho * (m1**2 + m2**2)), rel=1e-12)


def test_empirical_thresholds_from_sampled_examples_agree_between_protocols():
    """Learning threshold measured on couplings built from sampled examples (N = 30000,
    K = 2, d = 0.3, r = 0.4, theta = 1): the M at which the fraction of misaligned fields
    on the worst class of sites of pattern 1 (x = (+-1, -+1)) falls to Phi(-1), for both
    protocols, by log-linear interpolation over odd M (even M has exact ties chibar = 0,
    which the self-coupling term of the unsupervised coupling tips to the wrong side: an
    O(1/N) lattice effect at T = 0, module Notes of theory.multitasking).

    Stated tolerances: the two protocols agree within 3% (their fields differ by the
    finite-N noise (1-d)/(r^2 N) ~ 1e-4 against a variance ~ 0.5, plus shared sampling
    error); each agrees with the Gaussian signal-to-noise threshold
    M = (1 - r^2)/(r^2 rho_1), rho_1 = (m_1 - m_2)^2/(m_1^2 + m_2^2), within 10% (the
    example mean is binomial, not Gaussian, at M ~ 11)."""
    from scipy.special import ndtr

    K, d, r, N = 2, 0.3, 0.4, 30000
    xi = diluted(K, N, d, seed=3).astype(float)
    eta = noisy_examples(xi.astype(np.int8), r, 21, seed=4).astype(np.float32)
    nz = xi != 0
    s = np.where(nz.any(0), xi[nz.argmax(0), np.arange(N)], 1.0)  # hierarchical configuration
    worst = xi[0] * xi[1] == -1
    Ms = np.arange(3, 22, 2)
    target = ndtr(-1.0)
    found = {}
    for protocol in mt.PROTOCOLS:
        frac = []
        for M in Ms:
            e = eta[:, :M]
            R = r * r + (1 - r * r) / M
            if protocol == "supervised":
                bar = e.mean(1)
                h = ((bar @ s)[:, None] * bar - bar**2 * s).sum(0) / (N * R)
            else:
                ov = np.einsum("kan,n->ka", e, s)
                h = (np.einsum("ka,kan->n", ov, e) - (e**2).sum((0, 1)) * s) / (N * R * M)
            frac.append(((s * h)[worst] < 0).mean())
        frac = np.array(frac)
        i = np.flatnonzero(frac < target)[0]
        assert i > 0 and np.all(np.diff(frac) < 0.01)  # decreasing in M (up to noise)
        x0, x1 = np.log(Ms[i - 1]), np.log(Ms[i])
        found[protocol] = np.exp(x0 + (target - frac[i - 1]) * (x1 - x0) / (frac[i] - frac[i - 1]))
    assert found["supervised"] == pytest.approx(found["unsupervised"], rel=0.03)
    th = mt.learning_threshold(K, d, r, theta=1.0)
    M1 = float(th.M_threshold.sel(pattern=1).squeeze())
    m1, m2 = 1 - d, d * (1 - d)
    assert M1 == pytest.approx((1 - r * r) / (r * r * (m1 - m2) ** 2 / (m1**2 + m2**2)), rel=1e-12)
    for protocol in mt.PROTOCOLS:
        assert found[protocol] == pytest.approx(M1, rel=0.10)


def test_learning_datasets_are_valid_and_round_trip(tmp_path):
    import xarray as xr

    from assoc import assert_valid_result

    out = [mt.solve(2, [0.3, 0.6], [0.0, 0.1], r=[0.5, 0.9], M=[3, 4], protocol="unsupervised"),
           mt.signal_to_noise(3, [0.2, 0.4], [0.5, 0.8], [2, 7], N=1e4),
           mt.learning_threshold(3, [0.2, 0.4], [0.5, 0.8], protocol="unsupervised"),
           mt.zero_temperature_states(3, 0.58, method="exhaustive")]
    for i, ds in enumerate(out):
        assert_valid_result(ds)
        p = tmp_path / f"x{i}.nc"
        ds.to_netcdf(p)
        with xr.open_dataset(p) as back:
            xr.testing.assert_identical(back.load(), ds)
    assert "lambda_perp" in out[0] and out[0].m.dims == ("branch", "d", "T", "r", "M", "pattern")
