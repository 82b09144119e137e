"""Multitasking engine: integer patterns with a scale, exactness, start configurations.

The Datasets of multitasking networks through :func:`montecarlo.simulate` are tested in
``test_simulate.py``, beside those of every other model."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assoc.models import ExampleHebbian, Hopfield
from assoc.patterns import diluted, noisy_examples
from montecarlo import Glauber, Metropolis
from montecarlo.engine_numpy import exact_dtype, init_state, run_sweeps
from montecarlo.point import start_configuration


def _sites(sweep):
    return np.random.default_rng(500 + sweep)


def _example_patterns(S, K, M, N, d, r, protocol, seed):
    model = ExampleHebbian(K=K, protocol=protocol)
    xs, scale = [], None
    for s in range(S):
        xi = diluted(K, N, d, seed=seed + s)
        eta = noisy_examples(xi, r, M, seed=seed + 100 + s)
        X, scale = model.integer_patterns(eta, r)
        xs.append(X)
    return np.stack(xs), scale


@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
@pytest.mark.parametrize("rule", [Glauber(), Metropolis("random"), Glauber("random")])
def test_blocked_equals_direct_with_example_patterns_and_scale(protocol, rule):
    X, scale = _example_patterns(2, 3, 5, 60, 0.3, 0.6, protocol, seed=7)
    rng = np.random.default_rng(1)
    spins = (2 * rng.integers(0, 2, (2, 4, 60)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (2, 4, 2)).astype(np.uint64)
    T = np.array([[0.0, 0.02, 0.1, 0.5]] * 2)
    a = run_sweeps(Hopfield(), rule, X, init_state(X, spins), T, keys, 5, sites_rng=_sites,
                   blocked=True, max_block=8, scale=scale)
    b = run_sweeps(Hopfield(), rule, X, init_state(X, spins, np.float64), T, keys, 5,
                   sites_rng=_sites, blocked=False, scale=scale)
    np.testing.assert_array_equal(a.spins, b.spins)
    np.testing.assert_array_equal(a.M.astype(np.int64), a.recomputed_overlaps(X))


def test_scale_is_a_change_of_energy_unit():
    """Patterns 3 xi with scale 1/9 are the couplings of xi: the same chain, flip for flip;
    perfect examples (r = 1) reproduce the archetype network."""
    rng = np.random.default_rng(3)
    xi = np.stack([diluted(3, 50, 0.4, seed=s) for s in range(2)])
    spins = (2 * rng.integers(0, 2, (2, 3, 50)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (2, 3, 2)).astype(np.uint64)
    T = np.array([[0.0, 0.1, 0.4]] * 2)
    a = run_sweeps(Hopfield(), Glauber("random"), xi, init_state(xi, spins), T, keys, 6,
                   sites_rng=_sites)
    X = (3 * xi).astype(np.int8)
    b = run_sweeps(Hopfield(), Glauber("random"), X, init_state(X, spins), T, keys, 6,
                   sites_rng=_sites, scale=1 / 9)
    np.testing.assert_array_equal(a.spins, b.spins)
    eta = np.stack([noisy_examples(x, 1.0, 4, seed=1) for x in xi])
    Xs, scale = ExampleHebbian(K=3).integer_patterns(eta, 1.0)
    c = run_sweeps(Hopfield(), Glauber("random"), Xs, init_state(Xs, spins), T, keys, 6,
                   sites_rng=_sites, scale=scale)
    np.testing.assert_array_equal(a.spins, c.spins)
    with pytest.raises(ValueError, match="scale must be > 0"):
        run_sweeps(Hopfield(), Glauber(), xi, init_state(xi, spins), T, keys, 1, scale=0.0)


def test_exact_dtype_counts_the_pattern_magnitude():
    assert exact_dtype(1000, 10) is np.float32
    assert exact_dtype(1000, 10, max_abs=40) is np.float64
    X, _ = _example_patterns(1, 2, 100, 900, 0.2, 0.5, "supervised", seed=1)
    assert init_state(X, np.ones((1, 1, 900), np.int8)).M.dtype == np.float64


@given(N=st.integers(4, 60), K=st.integers(1, 3), M=st.integers(1, 6), S=st.integers(1, 2),
       protocol=st.sampled_from(["supervised", "unsupervised"]), seed=st.integers(0, 9999),
       block=st.integers(1, 20))
def test_tracked_overlaps_equal_recomputed_for_examples(N, K, M, S, protocol, seed, block):
    X, scale = _example_patterns(S, K, M, N, 0.3, 0.5, protocol, seed=seed)
    rng = np.random.default_rng(seed)
    spins = (2 * rng.integers(0, 2, (S, 3, N)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (S, 3, 2)).astype(np.uint64)
    state = init_state(X, spins)
    run_sweeps(Hopfield(), Glauber("random"), X, state, rng.uniform(0, 0.5, (S, 3)), keys, 3,
               sites_rng=_sites, max_block=block, scale=scale)
    np.testing.assert_array_equal(state.M.astype(np.int64), state.recomputed_overlaps(X))


def test_start_configurations():
    xi = np.array([[1, 0, 0, -1, 0], [-1, 1, 0, 1, -1], [0, 0, 0, 1, 1]], np.int8)
    fill = lambda: np.array([1, -1, -1, 1, 1])  # noqa: E731
    np.testing.assert_array_equal(start_configuration(xi, "hierarchical", fill), [1, 1, -1, -1, -1])
    np.testing.assert_array_equal(start_configuration(xi, "parallel", fill), [1, 1, -1, 1, 1])
    np.testing.assert_array_equal(start_configuration(xi, "pattern", fill), [1, -1, -1, -1, 1])
    np.testing.assert_array_equal(start_configuration(xi, "random", fill), fill())

    def never():
        raise AssertionError("fill drawn although every site is determined")

    np.testing.assert_array_equal(start_configuration(np.ones((2, 5), np.int8), "pattern",
                                                      never), np.ones(5))
