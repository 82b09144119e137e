"""Dense associative memories: F(x) = x^n (Krotov-Hopfield) and exp(x) (Demircigil)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assoc.modern as am
from assoc.backend import resolve_backend, to_numpy

PROFILE = settings(max_examples=25, deadline=None, derandomize=True)
FAMILIES = [am.Polynomial(2), am.Polynomial(3), am.Polynomial(4, rectified=True),
            am.Exponential()]


def _signs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)


def _brute_fields(s: np.ndarray, xi: np.ndarray, F) -> np.ndarray:
    """T_j's argument by its definition: sum_mu [F(xi.sigma|_{s_j=+1}) - F(..|_{s_j=-1})]."""
    h = np.zeros(s.shape, dtype=float)
    for b in range(s.shape[0]):
        for j in range(s.shape[1]):
            up, dn = s[b].astype(float), s[b].astype(float)
            up[j], dn[j] = 1.0, -1.0
            h[b, j] = (F(xi @ up) - F(xi @ dn)).sum()
    return h


@pytest.mark.parametrize("F", FAMILIES, ids=lambda F: F.name)
def test_fields_equal_the_definition(F, backend: str) -> None:
    rng = np.random.default_rng(0)
    xi, s = _signs(rng, 9, 11), _signs(rng, 5, 11)
    ref = _brute_fields(s, xi.astype(float), F)
    xp = resolve_backend(backend)
    h = to_numpy(am.dense_fields(xp.asarray(s), xp.asarray(xi), F))
    if isinstance(F, am.Exponential):  # returned relative to exp(max_mu S_mu)
        ref = ref / np.exp((s.astype(float) @ xi.T.astype(float)).max(axis=1, keepdims=True))
    np.testing.assert_allclose(h, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_n2_is_the_classic_hopfield_field() -> None:
    rng = np.random.default_rng(1)
    xi, s = _signs(rng, 6, 20), _signs(rng, 3, 20)
    J = xi.T.astype(float) @ xi.astype(float)
    np.fill_diagonal(J, 0.0)
    np.testing.assert_allclose(am.dense_fields(s, xi, am.Polynomial(2)), 4 * s @ J)


@PROFILE
@given(st.integers(0, 2**31 - 1), st.sampled_from(FAMILIES), st.integers(2, 30),
       st.integers(3, 25))
def test_asynchronous_dynamics_never_raises_the_energy(seed: int, F, K: int, N: int) -> None:
    rng = np.random.default_rng(seed)
    xi, s = _signs(rng, K, N), _signs(rng, 4, N)
    E = am.dense_energy(s, xi, F)
    for _ in range(2):
        s = am.async_update(s, xi, F, sweeps=1, order="random", seed=seed)
        E_new = am.dense_energy(s, xi, F)
        assert np.all(E_new <= E + 1e-9 * np.abs(E).max())
        E = E_new


def test_async_single_site_equals_T_j_and_fixed_points() -> None:
    rng = np.random.default_rng(2)
    xi = _signs(rng, 5, 40)
    F = am.Polynomial(3)
    # stored patterns at low load are fixed points of both dynamics
    np.testing.assert_array_equal(am.sync_update(xi, xi, F), xi)
    np.testing.assert_array_equal(am.async_update(xi, xi, F), xi)
    # the first site of a sweep sees the same state as the parallel step
    q = xi.copy()
    q[:, :6] *= -1
    np.testing.assert_array_equal(am.async_update(q, xi, F)[:, 0], am.sync_update(q, xi, F)[:, 0])
    res = am.dense_retrieve(q, xi, F)
    assert res.converged.all()
    np.testing.assert_array_equal(res.sigma, xi)


def test_exponential_does_not_overflow_at_large_N() -> None:
    rng = np.random.default_rng(3)
    xi = _signs(rng, 50, 2000)
    q = xi[:3].copy()
    q[:, :600] *= -1  # 30% corrupted
    out = am.sync_update(q, xi, am.Exponential())
    np.testing.assert_array_equal(out, xi[:3])
    np.testing.assert_array_equal(am.async_update(q, xi, am.Exponential()), xi[:3])


def test_dense_theory_values() -> None:
    from assoc.modern.dense_theory import double_factorial, krotov_hopfield_snr

    assert [double_factorial(k) for k in (-1, 0, 1, 5, 6)] == [1, 1, 1, 15, 48]
    assert am.krotov_hopfield_constant(2) == 2.0  # N / (2 ln N), McEliece et al. 1987
    assert am.krotov_hopfield_constant(3) == 6.0 and am.krotov_hopfield_constant(4) == 30.0
    assert am.krotov_hopfield_constant(3, "all") == 18.0
    assert am.krotov_hopfield_capacity(100, 2) == pytest.approx(100 / (2 * math.log(100)))
    # n = 2: SNR = (N - 1) / (K - 1) exactly
    assert krotov_hopfield_snr(50, 2, 11) == pytest.approx(49 / 10)
    assert am.rate_function(1.0) == pytest.approx(math.log(2))
    assert am.rate_function(0.0) == 0.0
    x = 0.37
    I = (1 + x) / 2 * math.log(1 + x) + (1 - x) / 2 * math.log(1 - x)
    assert am.demircigil_alpha(0.5 - x / 2) == pytest.approx(I / 2)
    assert am.demircigil_alpha(0.5 - x / 2, "pattern") == pytest.approx(I)
    # SNR capacity approaches N^(n-1)/(c_n ln N) from above as z_N^2 -> 2 ln N
    r = [am.krotov_hopfield_capacity_finite(N, 3) / am.krotov_hopfield_capacity(N, 3)
         for N in (100, 10_000)]
    assert r[0] > r[1] > 1.0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: am.dense_fields(np.ones(5), np.ones((3, 4)), am.Polynomial(3)),
         "sigma must have shape"),
        (lambda: am.dense_fields(np.ones(4), np.ones((0, 4)), am.Polynomial(3)),
         "K >= 1 patterns"),
        (lambda: am.dense_fields(np.ones(4), 2 * np.ones((3, 4)), am.Polynomial(3)),
         "xi must hold only"),
        (lambda: am.Polynomial(1), "n must be an integer >= 2"),
        (lambda: am.async_update(np.ones(4), np.ones((3, 4)), am.Exponential(), sweeps=0),
         "sweeps must be"),
    ],
)
def test_dense_rejects_bad_input(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
