"""Fixed-point classification: single pattern, metastable subset, global average."""

from __future__ import annotations

import numpy as np
import pytest

import assoc.modern as am


def test_mass_count() -> None:
    p = np.array([[0.5, 0.3, 0.15, 0.05], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    np.testing.assert_array_equal(am.mass_count(p, 0.9), [3, 1, 4])
    np.testing.assert_array_equal(am.mass_count(np.full((1, 10), 0.1), 0.9), [9])  # rounding
    with pytest.raises(ValueError, match="mass must be in"):
        am.mass_count(p, 0.0)


def _clustered(rng: np.random.Generator) -> np.ndarray:
    """Two tight clusters of 4 patterns each, far from 4 isolated patterns."""
    d = 32
    centres = rng.normal(size=(6, d))
    centres *= 6.0 / np.linalg.norm(centres, axis=1, keepdims=True)
    c1 = centres[0] + 0.05 * rng.normal(size=(4, d))
    c2 = centres[1] + 0.05 * rng.normal(size=(4, d))
    return np.concatenate([c1, c2, centres[2:]])


def test_three_kinds_of_fixed_points() -> None:
    rng = np.random.default_rng(0)
    X = _clustered(rng)
    N = len(X)
    # tiny beta: the global average
    glob = am.classify_fixed_point(X, X, 1e-4)
    assert (glob.kind == "global").all() and (glob.k >= 0.9 * N - 1).all()
    assert glob.converged.all()
    np.testing.assert_allclose(glob.fixed_point, np.broadcast_to(X.mean(0), X.shape), atol=0.1)
    # moderate beta: clusters -> metastable averages over their 4 members, isolated -> single
    res = am.classify_fixed_point(X, X, 1.0)
    assert (res.kind[:8] == "metastable").all()
    assert (res.k[:8] >= 2).all() and (res.k[:8] <= 4).all()
    assert (res.kind[8:] == "single").all() and (res.top[8:] == np.arange(8, N)).all()
    np.testing.assert_allclose(res.fixed_point[0], X[:4].mean(0), atol=0.05)
    # huge beta: every pattern is its own fixed point
    big = am.classify_fixed_point(X, X, 1e4)
    assert (big.kind == "single").all() and (big.k == 1).all()


def test_classify_without_iterating_and_batch_shape() -> None:
    X = np.eye(5)
    xi = np.broadcast_to(X.mean(0), (2, 3, 5))
    res = am.classify_fixed_point(xi, X, 10.0, iterate_first=False)
    assert res.kind.shape == (2, 3) and (res.kind == "global").all()
    assert (res.k == 5).all()
    one = am.classify_fixed_point(np.ones(3), np.ones((1, 3)), 1.0)
    assert one.kind.item() == "single"


def test_classify_rejects_bad_thresholds() -> None:
    with pytest.raises(ValueError, match="global_fraction must be in"):
        am.classify_fixed_point(np.ones(2), np.eye(2), 1.0, global_fraction=1.0)
