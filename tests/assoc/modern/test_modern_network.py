"""Energy, update and iteration of the modern Hopfield network (Ramsauer et al. 2020)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assoc.modern as am
from assoc.backend import resolve_backend, to_numpy
from assoc.errors import NotConvergedError

PROFILE = settings(max_examples=40, deadline=None, derandomize=True)


def _naive_energy(xi: np.ndarray, X: np.ndarray, beta: float) -> float:
    # Eq. (2) written literally (small values only)
    v = X @ xi
    M = np.linalg.norm(X, axis=1).max()
    return (-np.log(np.exp(beta * v).sum()) / beta + xi @ xi / 2 + np.log(len(X)) / beta
            + M * M / 2)


def _naive_update(xi: np.ndarray, X: np.ndarray, beta: float) -> np.ndarray:
    p = np.exp(beta * (X @ xi))
    return X.T @ (p / p.sum())


def test_energy_and_update_match_the_equations(backend: str) -> None:
    xp = resolve_backend(backend)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 5))
    xi = rng.normal(size=(3, 4, 5))
    for beta in (0.3, 1.0, 2.5):
        E = to_numpy(am.energy(xp.asarray(xi), xp.asarray(X), beta))
        U = to_numpy(am.update(xp.asarray(xi), xp.asarray(X), beta))
        assert E.shape == (3, 4) and U.shape == (3, 4, 5)
        for idx in np.ndindex(3, 4):
            assert E[idx] == pytest.approx(_naive_energy(xi[idx], X, beta), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(U[idx], _naive_update(xi[idx], X, beta), rtol=1e-12,
                                       atol=1e-13)


def test_lse_and_softmax_are_stable_at_huge_beta() -> None:
    v = np.array([[1000.0, 999.0, -5.0]])
    assert am.lse(v, beta=50.0)[0] == pytest.approx(1000.0, abs=1e-12)
    p = am.softmax(v, beta=1.0)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    assert p[0, 1] / p[0, 0] == pytest.approx(math.exp(-1.0))
    # energy and update with beta * x^T xi ~ 1e5: no overflow, no warning (warnings are errors)
    X = np.array([[100.0, 0.0], [0.0, 100.0]])
    xi = np.array([100.0, 1.0])
    assert np.isfinite(am.energy(xi, X, 10.0))
    np.testing.assert_allclose(am.update(xi, X, 10.0), X[0], atol=1e-12)


def test_steps_compose_and_zero_steps_copies() -> None:
    rng = np.random.default_rng(1)
    X, xi = rng.normal(size=(9, 4)), rng.normal(size=(6, 4))
    two = am.update(am.update(xi, X, 1.3), X, 1.3)
    np.testing.assert_array_equal(am.update(xi, X, 1.3, steps=2), two)
    three = am.update(two, X, 1.3)
    np.testing.assert_array_equal(am.update(xi, X, 1.3, steps=3), three)
    same = am.update(xi, X, 1.3, steps=0)
    np.testing.assert_array_equal(same, xi)
    assert same is not xi


def test_chunked_batch_equals_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    from assoc.modern import network

    rng = np.random.default_rng(2)
    X, xi = rng.normal(size=(50, 6)), rng.normal(size=(37, 6))
    full = am.update(xi, X, 0.7, steps=2)
    monkeypatch.setattr(network, "_CHUNK_ELEMENTS", 120)  # force chunks of 2 states
    np.testing.assert_allclose(am.update(xi, X, 0.7, steps=2), full, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(am.energy(xi, X, 0.7), network.energy(xi, X, 0.7), rtol=1e-14)


def test_float32_stays_float32() -> None:
    X = np.eye(4, dtype=np.float32)
    out = am.update(np.ones(4, dtype=np.float32), X, 2.0)
    assert out.dtype == np.float32
    assert am.update(np.ones(4, dtype=np.int64), np.eye(4, dtype=np.int8), 2.0).dtype == np.float64


@st.composite
def _instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    N = draw(st.integers(1, 12))
    d = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.floats(0.1, 10.0))
    beta = draw(st.floats(1e-3, 50.0))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, d)) * scale
    xi = rng.normal(size=(5, d)) * scale * draw(st.floats(0.0, 3.0))
    return X, xi, beta


@PROFILE
@given(_instances())
def test_energy_never_increases_under_the_update(inst: tuple) -> None:
    """Theorem 1 (CCCP): E(f(xi)) <= E(xi), along 5 successive updates."""
    X, xi, beta = inst
    E = am.energy(xi, X, beta)
    M2 = float((X * X).sum(axis=1).max())
    for _ in range(5):
        xi = am.update(xi, X, beta)
        E_new = am.energy(xi, X, beta)
        # rounding allowance: 1e-12 of the energy scale (M^2 + |xi|^2 + log(N)/beta)
        slack = 1e-12 * (M2 + (xi * xi).sum(axis=1) + np.log(len(X)) / beta + 1.0)
        assert np.all(E_new <= E + slack)
        E = E_new


@PROFILE
@given(_instances())
def test_energy_bounds(inst: tuple) -> None:
    """E >= (|xi| - M)^2 / 2 >= 0 everywhere, and E <= 2 M^2 after an update (|xi| <= M)."""
    X, xi, beta = inst
    M = float(np.linalg.norm(X, axis=1).max())
    E = am.energy(xi, X, beta)
    tol = 1e-10 * (M * M + (xi * xi).sum(axis=1) + np.log(len(X)) / beta + 1.0)
    assert np.all(E >= 0.5 * (np.linalg.norm(xi, axis=1) - M) ** 2 - tol)
    E1 = am.energy(am.update(xi, X, beta), X, beta)
    assert np.all(E1 <= 2 * M * M + tol)


def test_iterate_converges_to_fixed_points_and_reports() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 10))
    xi = rng.normal(size=(4, 3, 10))
    res = am.iterate(xi, X, 2.0, tol=1e-12)
    assert res.xi.shape == xi.shape and res.n_iter.shape == (4, 3)
    assert res.converged.all() and (res.status == 0).all()
    M = np.linalg.norm(X, axis=1).max()
    step = np.linalg.norm(am.update(res.xi, X, 2.0) - res.xi, axis=-1)
    assert np.all(step <= 1e-10 * M)  # a fixed point up to the (contracting) last step
    # states stop independently: the counts differ between states
    assert res.n_iter.min() >= 1


def test_iterate_reports_and_raises_on_non_convergence() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 5))
    xi = rng.normal(size=(3, 5))
    res = am.iterate(xi, X, 0.5, max_steps=1, tol=1e-15)
    assert not res.converged.any() and (res.status == 1).all() and (res.n_iter == 1).all()
    with pytest.raises(NotConvergedError) as info:
        am.iterate(xi, X, 0.5, max_steps=1, tol=1e-15, raise_on_failure=True)
    assert info.value.status is not None


def test_cloob_retrieval_is_a_normalised_update() -> None:
    rng = np.random.default_rng(5)
    U = rng.normal(size=(12, 6))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    x = rng.normal(size=(4, 6))
    out = am.cloob_retrieval(x, U, 14.3)
    ref = am.update(x, U, 14.3)
    np.testing.assert_allclose(out, ref / np.linalg.norm(ref, axis=1, keepdims=True))
