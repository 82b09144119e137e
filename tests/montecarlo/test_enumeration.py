"""Exact enumeration at small N: chi-square of sampled states against Boltzmann weights."""

import itertools

import numpy as np
import pytest
from scipy.stats import chisquare

from assoc.energy import energy
from assoc.models import DenseHebbian, Hopfield
from assoc.patterns import unbiased
from montecarlo.dynamics import Glauber, Metropolis
from montecarlo.engine_numpy import init_state, run_sweeps

P_THRESHOLD = 1e-3  # per test; seeds are fixed, so a pass is reproducible


def _boltzmann(model, xi, T):
    N = xi.shape[1]
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    E = np.array([energy(model, xi, s) for s in states])
    w = np.exp(-(E - E.min()) / T)
    return states, w / w.sum()


@pytest.mark.parametrize(
    "model, rule, N, K, T",
    [
        (Hopfield(), Glauber(), 10, 2, 0.8),
        (Hopfield(), Metropolis("random"), 10, 3, 1.2),
        (Hopfield(), Glauber("random"), 12, 2, 1.0),
        (DenseHebbian(3), Glauber(), 9, 2, 0.5),
    ],
)
def test_chi_square_against_boltzmann(model, rule, N, K, T):
    xi = unbiased(K, N, seed=42)[None]
    chains = 12_000
    rng = np.random.default_rng(7)
    spins = (2 * rng.integers(0, 2, (1, chains, N)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (1, chains, 2)).astype(np.uint64)
    st = init_state(xi, spins, np.float64 if model.P > 2 else None)
    run_sweeps(model, rule, xi, st, np.full((1, chains), T), keys, 40,
               sites_rng=lambda sw: np.random.default_rng(sw))
    states, p = _boltzmann(model, xi[0], T)
    idx = ((st.spins[:, 0, :].T > 0) * (1 << np.arange(N - 1, -1, -1))).sum(axis=1)
    counts = np.bincount(idx, minlength=2**N)
    expected = p * chains
    # pool states with expected count < 5 into one bin (chi-square validity)
    low = expected < 5
    obs = np.append(counts[~low], counts[low].sum())
    exp = np.append(expected[~low], expected[low].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    assert chisquare(obs, exp).pvalue > P_THRESHOLD
