"""The NumPy engine: blocked path == direct reference, exact overlaps, T = 0 monotone."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assoc.energy import energy_from_overlaps
from assoc.models import DenseHebbian, Hopfield
from assoc.patterns import unbiased
from montecarlo.dynamics import Glauber, Metropolis
from montecarlo.engine_numpy import init_state, run_sweeps, site_blocks


def _setup(S, R, N, K, seed):
    rng = np.random.default_rng(seed)
    xi = np.stack([unbiased(K, N, seed=seed * 100 + s) for s in range(S)])
    spins = (2 * rng.integers(0, 2, (S, R, N)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (S, R, 2)).astype(np.uint64)
    return xi, spins, keys


def _sites(sweep):
    return np.random.default_rng(1000 + sweep)


@pytest.mark.parametrize("rule", [Glauber(), Metropolis(), Glauber("random"), Metropolis("random")])
@pytest.mark.parametrize("S", [1, 3])
def test_blocked_equals_direct_flip_for_flip(rule, S):
    xi, spins, keys = _setup(S, 5, 70, 9, seed=S)
    T = np.array([0.0, 0.2, 0.5, 1.0, 2.0])[None, :].repeat(S, 0)
    a = run_sweeps(Hopfield(), rule, xi, init_state(xi, spins), T, keys, 6, sites_rng=_sites,
                   blocked=True, max_block=16)
    b = run_sweeps(Hopfield(), rule, xi, init_state(xi, spins, np.float64), T, keys, 6,
                   sites_rng=_sites, blocked=False)
    np.testing.assert_array_equal(a.spins, b.spins)
    np.testing.assert_array_equal(a.M, b.M)


def test_blocked_equals_direct_with_diluted_patterns():
    from assoc.patterns import diluted

    rng = np.random.default_rng(9)
    xi = np.stack([diluted(6, 50, 0.4, seed=s) for s in range(2)])
    spins = (2 * rng.integers(0, 2, (2, 3, 50)) - 1).astype(np.int8)
    keys = rng.integers(0, 2**63, (2, 3, 2)).astype(np.uint64)
    T = np.array([[0.0, 0.3, 1.0]] * 2)
    a = run_sweeps(Hopfield(), Glauber("random"), xi, init_state(xi, spins), T, keys, 5,
                   sites_rng=_sites, blocked=True, max_block=8)
    b = run_sweeps(Hopfield(), Glauber("random"), xi, init_state(xi, spins, np.float64), T, keys,
                   5, sites_rng=_sites, blocked=False)
    np.testing.assert_array_equal(a.spins, b.spins)
    np.testing.assert_array_equal(a.M.astype(np.int64), a.recomputed_overlaps(xi))


@given(
    N=st.integers(2, 90), K=st.integers(1, 12), S=st.integers(1, 3), R=st.integers(1, 6),
    sweeps=st.integers(1, 8), order=st.sampled_from(["sequential", "random"]),
    block=st.integers(1, 40), seed=st.integers(0, 2**20),
)
def test_tracked_overlaps_equal_recomputed(N, K, S, R, sweeps, order, block, seed):
    xi, spins, keys = _setup(S, R, N, K, seed)
    T = np.random.default_rng(seed).uniform(0.0, 3.0, (S, R))
    st_ = init_state(xi, spins)
    run_sweeps(Hopfield(), Glauber(order), xi, st_, T, keys, sweeps, sites_rng=_sites,
               max_block=block)
    np.testing.assert_array_equal(st_.M.astype(np.int64), st_.recomputed_overlaps(xi))
    assert set(np.unique(st_.spins)) <= {-1.0, 1.0}


@given(P=st.integers(3, 4), N=st.integers(4, 30), K=st.integers(1, 6), seed=st.integers(0, 999))
def test_dense_direct_path_tracks_overlaps(P, N, K, seed):
    xi, spins, keys = _setup(2, 3, N, K, seed)
    st_ = init_state(xi, spins, np.float64)
    run_sweeps(DenseHebbian(P), Glauber(), xi, st_, np.full((2, 3), 0.7), keys, 3)
    np.testing.assert_array_equal(st_.M.astype(np.int64), st_.recomputed_overlaps(xi))


@given(N=st.integers(5, 80), K=st.integers(1, 15), seed=st.integers(0, 2**20),
       rule=st.sampled_from([Glauber(), Metropolis(), Glauber("random")]),
       P=st.sampled_from([2, 3]))
def test_zero_temperature_never_raises_energy(N, K, seed, rule, P):
    xi, spins, keys = _setup(2, 4, N, K, seed)
    model = DenseHebbian(P) if P > 2 else Hopfield()
    st_ = init_state(xi, spins, np.float64)
    energies = []

    def measure(s):
        energies.append(energy_from_overlaps(model, np.moveaxis(s.M, 1, 2), N))

    # one site per block: the energy after each single update is observed through blocks
    run_sweeps(model, rule, xi, st_, np.zeros((2, 4)), keys, 5, sites_rng=_sites, measure=measure,
               blocked=False)
    E = np.stack(energies)
    assert np.all(np.diff(E, axis=0) <= 1e-9)


def test_zero_temperature_single_flips_monotone():
    """Energy after every single update at T = 0, through one-site sweeps of the direct path."""
    xi, spins, keys = _setup(1, 8, 40, 6, 5)
    st_ = init_state(xi, spins, np.float64)
    E0 = energy_from_overlaps(Hopfield(), np.moveaxis(st_.M, 1, 2), 40)
    from montecarlo.engine_numpy import _sweep_direct

    thr = np.full((40, 1, 8), 0.5)  # Metropolis T = 0: flip iff dE <= 0
    for i in range(40):
        _sweep_direct(Hopfield(), xi.astype(np.float64), st_, thr[i:i + 1], np.array([i]))
        E = energy_from_overlaps(Hopfield(), np.moveaxis(st_.M, 1, 2), 40)
        assert np.all(E <= E0 + 1e-12)
        E0 = E


def test_resume_equals_one_run():
    xi, spins, keys = _setup(2, 4, 50, 5, 11)
    T = np.full((2, 4), 0.4)
    a = init_state(xi, spins)
    run_sweeps(Hopfield(), Glauber("random"), xi, a, T, keys, 10, sites_rng=_sites)
    b = init_state(xi, spins)
    run_sweeps(Hopfield(), Glauber("random"), xi, b, T, keys, 4, sites_rng=_sites)
    run_sweeps(Hopfield(), Glauber("random"), xi, b, T, keys, 6, sites_rng=_sites)
    np.testing.assert_array_equal(a.spins, b.spins)
    assert a.sweep == b.sweep == 10


def test_site_blocks_distinct_and_complete():
    sites = np.array([3, 1, 3, 2, 2, 0, 1])
    blocks = site_blocks(sites, 3)
    np.testing.assert_array_equal(np.concatenate(blocks), sites)
    assert all(len(set(b.tolist())) == len(b) <= 3 for b in blocks)


def test_blocked_rejects_dense():
    xi, spins, keys = _setup(1, 2, 10, 2, 0)
    with pytest.raises(ValueError, match="blocked engine is for P = 2"):
        run_sweeps(DenseHebbian(3), Glauber(), xi, init_state(xi, spins), 1.0, keys, 1,
                   blocked=True)


@pytest.mark.parametrize("rule", [Glauber(), Metropolis()])
def test_blocked_equals_direct_when_thresholds_are_clipped(rule):
    # at very high T the thresholds exceed every reachable energy change and are clipped
    xi, spins, keys = _setup(1, 4, 50, 7, seed=5)
    T = np.array([[1e3, 1e6, 1e9, 1e12]])
    a = run_sweeps(Hopfield(), rule, xi, init_state(xi, spins), T, keys, 4, blocked=True)
    b = run_sweeps(Hopfield(), rule, xi, init_state(xi, spins, np.float64), T, keys, 4,
                   blocked=False)
    np.testing.assert_array_equal(a.spins, b.spins)
    np.testing.assert_array_equal(a.M, b.M)


def test_float32_state_beyond_exact_range_is_refused():
    from montecarlo.engine_numpy import exact_dtype

    assert exact_dtype(1000, 100) is np.float32
    assert exact_dtype(40_000, 200) is np.float64
    xi, spins, keys = _setup(1, 2, 200, 3, seed=1)
    big = np.repeat(xi, 10_000, axis=1)  # K = 3 10^4: fields up to 6e6
    state = init_state(big, spins, np.float32)
    with pytest.raises(ValueError, match="float32 state cannot hold"):
        run_sweeps(Hopfield(), Glauber(), big, state, np.ones((1, 2)), keys, 1)


def test_blas_threads_limits_and_restores():
    from threadpoolctl import threadpool_info

    from assoc.backend import blas_threads

    before = [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    with blas_threads(1):
        assert all(d["num_threads"] == 1 for d in threadpool_info() if d["user_api"] == "blas")
    with blas_threads(None):
        pass
    assert [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"] == before
