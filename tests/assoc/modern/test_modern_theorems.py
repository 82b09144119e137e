"""Separation, fixed points and the theorems of Ramsauer et al. (2020), checked numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assoc.modern as am

PROFILE = settings(max_examples=30, deadline=None, derandomize=True)


def test_separation_matches_its_definition() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(13, 5))
    G = X @ X.T
    ref = [G[i, i] - np.delete(G[i], i).max() for i in range(13)]
    np.testing.assert_allclose(am.separation(X), ref, rtol=1e-13)
    assert np.isinf(am.separation(X[:1])).all()


def test_capacity_bound_reproduces_the_paper_examples() -> None:
    # Ramsauer et al. 2020, after Theorem 3: c >= 3.1546 (beta=1, K=3, d=20, p=0.001) with
    # a + ln b > 1.27, and c >= 1.3718 (beta=1, K=1, d=75, p=0.001) with a + ln b < -0.94
    cb = am.capacity_bound(1.0, 3.0, 20, 0.001)
    assert cb.c == pytest.approx(3.1546, abs=1e-4)
    assert cb.a + math.log(cb.b) > 1.27 and bool(cb.valid)
    cb2 = am.capacity_bound(1.0, 1.0, 75, 0.001)
    assert cb2.c == pytest.approx(1.3718, abs=1e-4)
    assert cb2.a + math.log(cb2.b) < -0.94 and bool(cb2.valid)
    assert cb.n_patterns == pytest.approx(math.sqrt(0.001) * cb.c ** (19 / 4))
    # vectorised over d; grows exponentially in d
    many = am.capacity_bound(1.0, 3.0, np.array([20, 40, 80]), 0.001)
    assert np.all(np.diff(np.log(many.n_patterns)) > 0)
    # the condition c >= (2/sqrt(p))^(4/(d-1)) fails at small d
    assert not bool(am.capacity_bound(1.0, 3.0, 10, 0.1).valid)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(beta=0.0, K=3.0, d=20, p=0.1), "beta must be > 0"),
        (dict(beta=1.0, K=-1.0, d=20, p=0.1), "K must be > 0"),
        (dict(beta=1.0, K=3.0, d=1, p=0.1), "d must be >= 2"),
        (dict(beta=1.0, K=3.0, d=20.5, p=0.1), "d must be an integer"),
        (dict(beta=1.0, K=3.0, d=20, p=1.5), "p must be in"),
    ],
)
def test_capacity_bound_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        am.capacity_bound(**kwargs)


def _sphere(rng: np.random.Generator, N: int, d: int, M: float) -> np.ndarray:
    X = rng.normal(size=(N, d))
    return X * (M / np.linalg.norm(X, axis=1, keepdims=True))


@st.composite
def _separated_instances(draw: st.DrawFn) -> tuple:
    """Random instances on which the Theorem 5 hypothesis holds by construction."""
    N = draw(st.integers(2, 12))
    d = draw(st.integers(2, 24))
    M = draw(st.floats(0.5, 4.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    X = _sphere(rng, N, d, M)
    X[1:] *= rng.uniform(0.3, 1.0, size=(N - 1, 1))  # unequal norms; M = ||x_0||
    D = am.separation(X)
    i = int(np.argmax(D))
    beta = float(am.min_separated_beta(D[i], N, M)) * draw(st.floats(1.0, 3.0))
    if beta == 0.0:
        beta = 1.0 / D[i]
    r = 1.0 / (beta * N * M)
    u = rng.normal(size=(8, d))
    u *= (r * rng.uniform(0, 1, size=8) ** (1 / d) / np.linalg.norm(u, axis=1))[:, None]
    return X, beta, i, X[i] + u


@PROFILE
@given(_separated_instances())
def test_one_update_error_is_within_the_theorem_bound(inst: tuple) -> None:
    """Theorem 5: ||f(xi) - x_i|| <= 2 eps M wherever the separation hypothesis holds."""
    X, beta, i, xi = inst
    assert bool(am.well_separated(X, beta)[i])
    fp = am.iterate(X[i], X, beta).xi
    bound = am.retrieval_error_bound(xi, X, beta, i, fixed_point=np.broadcast_to(fp, xi.shape))
    assert bound.hypothesis.all()
    err = np.linalg.norm(am.update(xi, X, beta) - X[i], axis=1)
    M = np.linalg.norm(X, axis=1).max()
    allowance = 64 * np.finfo(float).eps * M  # rounding of the computed update
    assert np.all(err <= bound.bound + allowance)
    # the fixed point lies in the sphere S_i (Theorem 5's "x_i is stored")
    assert np.linalg.norm(fp - X[i]) <= bound.radius * (1 + 1e-9)
    # Theorem 4: ||f(xi) - x_i*|| <= ||J^m|| ||xi - x_i*||
    err_fp = np.linalg.norm(am.update(xi, X, beta) - fp, axis=1)
    assert np.all(err_fp <= bound.fixed_point_bound + allowance)
    # the bound without the fixed point (m = ||xi - x_i||) is tighter and also holds
    b0 = am.retrieval_error_bound(xi, X, beta, i)
    assert np.all(b0.bound <= bound.bound * (1 + 1e-12))
    assert np.all(err <= b0.bound + allowance)


def test_bound_is_tight_so_the_check_can_fail() -> None:
    """Two antipodal patterns attain 2 eps M as beta M^2 grows: a bound 1% smaller fails."""
    M = 2.0
    X = np.array([[M, 0.0], [-M, 0.0]])
    beta = 2.0
    assert bool(am.well_separated(X, beta)[0])
    err = np.linalg.norm(am.update(X[0], X, beta) - X[0])
    bound = am.retrieval_error_bound(X[0], X, beta, 0).bound
    assert err <= bound
    assert err > 0.99 * bound  # a mis-stated constant (e.g. without the factor 2) is caught


def test_bound_formula_on_a_hand_computed_case() -> None:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    beta = 3.0
    xi = np.array([0.9, 0.05])
    Delta0 = 1.0  # x0.x0 - max(x0.x1, x0.x2) = 1 - 0
    m = np.linalg.norm(xi - X[0])
    eps = 2 * math.exp(-beta * (Delta0 - 2 * m * 1.0))
    b = am.retrieval_error_bound(xi, X, beta, 0)
    assert float(b.eps) == pytest.approx(eps, rel=1e-13)
    assert float(b.bound) == pytest.approx(2 * eps, rel=1e-13)


def test_min_separated_beta_is_the_boundary() -> None:
    rng = np.random.default_rng(7)
    X = _sphere(rng, 6, 10, 2.0)
    D = am.separation(X)
    i = int(np.argmax(D))
    b = float(am.min_separated_beta(D[i], 6, 2.0))
    assert bool(am.well_separated(X, b)[i])
    assert not bool(am.well_separated(X, b * 0.999)[i])
    assert np.isinf(am.min_separated_beta(-1.0, 6, 2.0))


def test_separation_threshold_values() -> None:
    thr = am.separation_threshold(10, 2.0, 0.5)
    assert thr == pytest.approx(2 / (0.5 * 10) + math.log(2 * 9 * 10 * 0.5 * 4) / 0.5)
    assert am.separation_threshold(1, 2.0, 0.5) == -np.inf
    assert am.fixed_point_radius(np.eye(4) * 2, 0.5) == pytest.approx(1 / (0.5 * 4 * 2))
