"""The Monte Carlo engine on dense P-spin networks against brute force at small N.

Brute force means the distinct-index Hamiltonian summed term by term,
``H = -(1/N^(P-1)) sum_mu sum_(i1 < ... < iP) prod xi prod s`` (itertools.combinations),
independent of the Newton identities of :mod:`assoc.energy` that the engine uses.  It is
only ever built in tests, at N <= 10.
"""

import itertools

import numpy as np
import pytest
from scipy.stats import chisquare

from assoc.models import DenseHebbian
from assoc.patterns import unbiased
from montecarlo.dynamics import Glauber, Metropolis
from montecarlo.engine_numpy import _sweep_direct, init_state, run_sweeps

P_THRESHOLD = 1e-3  # per chi-square test; seeds are fixed, so a pass is reproducible


def brute_energy(xi: np.ndarray, s: np.ndarray, P: int) -> float:
    """Distinct-index energy by explicit enumeration of the index sets (N <= 10)."""
    K, N = xi.shape
    x = xi.astype(np.int64) * s.astype(np.int64)[None, :]
    total = 0
    for idx in itertools.combinations(range(N), P):
        total += int(np.prod(x[:, idx], axis=1).sum())
    return -total / float(N) ** (P - 1)


@pytest.mark.parametrize("P, N, K", [(3, 7, 4), (3, 10, 9), (4, 8, 5), (5, 9, 3)])
def test_engine_energy_differences_equal_brute_force(P, N, K):
    """``_sweep_direct`` flips exactly when its threshold lies above the brute-force dE.

    The engine accepts a flip of site i when ``dE / unit < thr`` with ``unit = 2/N^(P-1)``
    and ``dE / unit`` an integer.  With thresholds ``dE_brute/unit +- 1/2`` every chain must
    flip, respectively none: the engine's energy change is the brute-force one exactly.
    """
    rng = np.random.default_rng(P * 100 + N)
    model = DenseHebbian(P)
    xi = unbiased(K, N, seed=int(rng.integers(2**31)))[None]  # (1, K, N)
    R = 16
    spins = (2 * rng.integers(0, 2, (1, R, N)) - 1).astype(np.int8)
    unit = 2.0 / float(N) ** (P - 1)
    for i in range(N):
        dE = np.empty(R)
        for r in range(R):
            s = spins[0, r].copy()
            e0 = brute_energy(xi[0], s, P)
            s[i] = -s[i]
            dE[r] = brute_energy(xi[0], s, P) - e0
        k = dE / unit
        assert np.allclose(k, np.rint(k), atol=1e-9)  # integer in units of 2/N^(P-1)
        for shift, flips in ((0.5, True), (-0.5, False)):
            st = init_state(xi, spins.copy(), np.float64)
            thr = (np.rint(k) + shift)[None, None, :]  # (steps, S, R)
            _sweep_direct(model, xi.astype(np.float64), st, thr, np.array([i]))
            flipped = st.spins[i, 0, :] != spins[0, :, i]
            assert np.all(flipped == flips), (P, N, i, shift)
            # the tracked overlaps stay exact
            M = np.einsum("kn,nr->kr", xi[0].astype(np.int64),
                          st.spins[:, 0, :].astype(np.int64))
            assert np.array_equal(st.M[0].astype(np.int64), M)


def _boltzmann_brute(xi: np.ndarray, T: float, P: int):
    N = xi.shape[1]
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    E = np.array([brute_energy(xi, s, P) for s in states])
    w = np.exp(-(E - E.min()) / T)
    return states, w / w.sum()


@pytest.mark.parametrize(
    "P, rule, N, K, T",
    [
        (3, Glauber("random"), 8, 4, 0.15),
        (3, Metropolis(), 9, 6, 0.2),
        (4, Glauber(), 8, 3, 0.03),
    ],
)
def test_dense_chi_square_against_brute_force_boltzmann(P, rule, N, K, T):
    """Stationary distribution of the dense engine = exact Boltzmann law (chi-square).

    The temperatures are low enough for the test to have power: the Boltzmann law at
    1.1 T differs from the one at T by a chi-square noncentrality of 130-200 for 5000 chains
    (``test_chi_square_has_power`` checks it); running the kernel at 1.1 T instead of T
    makes all three cases fail (checked by hand when they were chosen).
    """
    model = DenseHebbian(P)
    xi = unbiased(K, N, seed=11 * P + N)[None]
    chains = 5_000
    rng = np.random.default_rng(3 * P + K)
    states, p = _boltzmann_brute(xi[0], T, P)
    # start in the Boltzmann law itself: the test is then one of stationarity (the law must
    # be invariant under the kernel), free of the slow mixing between basins at low T
    spins = states[rng.choice(states.shape[0], size=chains, p=p)][None]
    keys = rng.integers(0, 2**63, (1, chains, 2)).astype(np.uint64)
    st = init_state(xi, spins, np.float64)
    run_sweeps(model, rule, xi, st, np.full((1, chains), T), keys, 20,
               sites_rng=lambda sw: np.random.default_rng(sw))
    idx = ((st.spins[:, 0, :].T > 0) * (1 << np.arange(N - 1, -1, -1))).sum(axis=1)
    counts = np.bincount(idx, minlength=2**N)
    expected = p * chains
    low = expected < 5  # pool rare states (chi-square validity)
    obs = np.append(counts[~low], counts[low].sum())
    exp = np.append(expected[~low], expected[low].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    assert chisquare(obs, exp).pvalue > P_THRESHOLD


def test_zero_temperature_dense_dynamics_never_raise_the_energy():
    """At T = 0 every accepted flip lowers (or keeps) the brute-force energy."""
    P, N, K = 3, 9, 8
    model = DenseHebbian(P)
    xi = unbiased(K, N, seed=5)[None]
    rng = np.random.default_rng(1)
    chains = 6
    spins = (2 * rng.integers(0, 2, (1, chains, N)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (1, chains, 2)).astype(np.uint64)
    st = init_state(xi, spins, np.float64)
    E_prev = np.array([brute_energy(xi[0], spins[0, r], P) for r in range(chains)])
    for _ in range(4):
        run_sweeps(model, Glauber(), xi, st, np.zeros((1, chains)), keys, 1)
        E = np.array([brute_energy(xi[0], st.spins[:, 0, r], P) for r in range(chains)])
        assert np.all(E <= E_prev + 1e-12)
        E_prev = E


def test_chi_square_has_power():
    """The cases above would reject a 10 % error in the temperature."""
    for P, N, K, T in ((3, 8, 4, 0.15), (3, 9, 6, 0.2), (4, 8, 3, 0.03)):
        xi = unbiased(K, N, seed=11 * P + N)
        _, p = _boltzmann_brute(xi, T, P)
        _, p2 = _boltzmann_brute(xi, 1.1 * T, P)
        assert 5_000 * np.sum((p - p2) ** 2 / p2) > 80.0
