"""Energies from overlaps against brute-force sums over distinct index tuples."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assoc.energy import delta_energy, energy, local_fields, overlaps
from assoc.models import DenseHebbian, Hopfield


def brute_energy(P, xi, s):
    N = s.size
    tot = 0.0
    for mu in range(xi.shape[0]):
        for c in itertools.combinations(range(N), P):
            tot -= np.prod(xi[mu, list(c)] * s[list(c)])
    return tot / N ** (P - 1)


@given(P=st.integers(2, 4), N=st.integers(4, 8), K=st.integers(1, 3), seed=st.integers(0, 999))
def test_energy_and_fields_equal_brute_force(P, N, K, seed):
    rng = np.random.default_rng(seed)
    xi = (2 * rng.integers(0, 2, (K, N)) - 1).astype(np.int8)
    s = (2 * rng.integers(0, 2, N) - 1).astype(np.int8)
    model = DenseHebbian(P)
    assert energy(model, xi, s) == pytest.approx(brute_energy(P, xi, s), abs=1e-12)
    h = local_fields(model, xi, s)
    M = overlaps(xi, s)
    for i in range(N):
        s2 = s.copy()
        s2[i] = -s2[i]
        dE = energy(model, xi, s2) - energy(model, xi, s)
        assert dE == pytest.approx(2 * s[i] * h[i], abs=1e-12)
        assert delta_energy(model, M, xi[:, i], s[i], N) == pytest.approx(dE, abs=1e-12)


def test_hopfield_closed_forms():
    rng = np.random.default_rng(0)
    K, N = 5, 30
    xi = (2 * rng.integers(0, 2, (K, N)) - 1).astype(np.int8)
    s = (2 * rng.integers(0, 2, N) - 1).astype(np.int8)
    m = xi @ s / N
    # H = -(N/2) sum m^2 + K/2 and h_i = sum_mu xi_i m_mu - alpha s_i (THEORY.md section 1)
    assert energy(Hopfield(), xi, s) == pytest.approx(-N / 2 * (m**2).sum() + K / 2)
    np.testing.assert_allclose(local_fields(Hopfield(), xi, s), xi.T @ m - K / N * s)


def test_model_validation():
    with pytest.raises(ValueError, match="P must be an integer >= 2"):
        DenseHebbian(1)
    with pytest.raises(ValueError, match="P must be an integer"):
        DenseHebbian(2.5)
    assert Hopfield().n_patterns(0.05, 1000) == 50
    assert DenseHebbian(3).n_patterns(0.01, 100) == 100
