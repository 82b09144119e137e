"""The compiled engine against the NumPy engine, its specification (STYLE 5).

Same patterns, spins, keys, temperatures and site orders in; the same spins, overlaps and
energies out, flip for flip, for every model family, both rules, both orders, T = 0 and
T > 0, and the layouts the tiles choose between. The pieces that make this possible are
tested on their own: the portable logarithm (the same bits in NumPy and in numba), the
Philox block (NumPy's generator), and the threshold tables (the spec's decisions).
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial

import numpy as np
import pytest
from numba import njit

from assoc.energy import energy_from_overlaps
from assoc.models import (
    DenseExampleHebbian,
    DenseHebbian,
    ExampleHebbian,
    Hopfield,
    MultitaskingHebbian,
)
from montecarlo import (
    Glauber,
    Metropolis,
    engine_compiled,
    engine_cuda,
    engine_numpy,
    simulate,
    thresholds,
)
from montecarlo import _kernels as kern
from montecarlo.thresholds import threshold_table, thresholds_of_halves
from montecarlo.variates import portable_log

RULES = [Glauber(), Metropolis(), Glauber("random"), Metropolis("random")]


@njit
def _plog_all(x, out):  # noqa: ANN001, ANN202
    for i in range(x.size):
        out[i] = kern._plog(x[i])


@njit
def _blocks(ctr, k0, k1, out):  # noqa: ANN001, ANN202
    for i in range(ctr.size):
        kern.philox_block(ctr[i], k0, k1, out[i])


def test_portable_log_is_the_same_bits_in_numba_and_within_one_ulp_of_numpy():
    rng = np.random.default_rng(0)
    h = rng.integers(0, 2**32, 200_000).astype(np.float64)
    u = (h + 0.5) * 2.0**-32
    for x in ((1.0 - u) / u, 1.0 - u, np.exp(rng.uniform(-700, 700, 50_000)),
              np.array([0.5, 1.0, 2.0, np.nextafter(1.0, 2), np.nextafter(1.0, 0), 1e-300])):
        ours = portable_log(x)
        compiled = np.empty_like(x)
        _plog_all(x, compiled)
        np.testing.assert_array_equal(compiled, ours)
        ref = np.log(x)
        ulps = np.abs(ours - ref) / np.spacing(np.maximum(np.abs(ref), 1e-300))
        assert ulps.max() <= 1.0


def test_philox_block_is_numpys_philox4x64():
    key = np.array([0x0123456789ABCDEF, 0xFEDCBA9876543210], dtype=np.uint64)
    out = np.empty((6, 4), dtype=np.uint64)
    _blocks(np.arange(1, 7, dtype=np.uint64), key[0], key[1], out)
    bg = np.random.Philox(key=key, counter=np.zeros(4, dtype=np.uint64))
    np.testing.assert_array_equal(out.ravel(), bg.random_raw(24))


@njit
def _fields(X, M, cube):  # noqa: ANN001, ANN202
    out = np.empty((X.shape[1], M.shape[0], 4), dtype=np.int64)
    for i in range(X.shape[1]):
        for c in range(M.shape[0]):
            out[i, c, 0] = kern.dotv(X, 0, i, M, c)
            out[i, c, 1] = kern.dotv_sq(X, 0, i, M, c)
            out[i, c, 2], out[i, c, 3] = kern.field4(X, 0, i, M, c, cube)
    return out


@pytest.mark.parametrize(("N", "K", "cube"), [(181, 40, "SMALL"), (1000, 100, "SPLIT"),
                                              (1290, 1000, "SPLIT"), (1000, 100, "WIDE")])
def test_vector_fields_are_exact_sums_of_powers(N, K, cube):
    """``sum_k X M``, ``sum_k X M^2`` and ``sum_k X M^3`` (each way of P = 4) of the vector
    intrinsics equal int64 sums, overlaps over their whole range ``|M| <= N``; the
    ``M^2`` sums only where the engine uses them (``K N^2 < 2^31``)."""
    rng = np.random.default_rng(N + K)
    Kp = -(-K // 16) * 16
    X = np.zeros((1, 8, Kp), dtype=np.int8)
    X[0, :, :K] = rng.choice(np.array([-1, 1], dtype=np.int8), (8, K))
    M = np.zeros((5, Kp), dtype=np.int16)
    M[:, :K] = N - 2 * rng.integers(0, N + 1, (5, K))
    M[0, :K] = N  # the extremes
    M[1, :K] = -N
    got = _fields(X, M, getattr(kern, f"CUBE_{cube}"))
    x, m = X[0, :, None, :].astype(np.int64), M[None].astype(np.int64)
    np.testing.assert_array_equal(got[..., 0], (x * m).sum(-1))
    np.testing.assert_array_equal(got[..., 2], (x * m).sum(-1))
    np.testing.assert_array_equal(got[..., 3], (x * m**3).sum(-1))
    if K * N * N < 2**31:
        np.testing.assert_array_equal(got[..., 1], (x * m**2).sum(-1))


@pytest.mark.slow
def test_the_generic_vector_code_is_exact_too(tmp_path):
    """Without AVX2 (numba compiling for a generic x86-64) the intrinsics lower generic
    vector IR: the same fields and the same chains (a fresh process and kernel cache)."""
    env = {**os.environ, "NUMBA_CPU_NAME": "generic", "NUMBA_CACHE_DIR": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "from montecarlo import _kernels as k; "
                            "print(k._AVX2)"], env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "False"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                          "-k", "vector_fields or site_blocks or pairwise_chains"],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize("rule", [Glauber(), Metropolis()])
@pytest.mark.parametrize(("T", "unit"), [(0.0, 2 / 100), (0.3, 2 / 1000), (1.5, 2 / 40**2),
                                         (0.7, 2 / 30**3)])
def test_threshold_tables_make_the_specs_decisions(rule, T, unit):
    """``x < t(h)`` iff the table says so, for random and boundary (x, h), any grid step."""
    tb = threshold_table(rule, T, unit)
    rng = np.random.default_rng(1)
    x = rng.integers(tb.lo - 3, tb.hi + 3, 4000)
    # halves at and next to the table's boundaries, and random ones
    j = np.clip((x - tb.lo) // tb.g, 0, tb.H.size - 1)
    hb = tb.H[j].astype(np.int64)
    h = np.concatenate([hb, hb - 1, rng.integers(0, 2**32, 4000)]) % 2**32
    x = np.concatenate([x, x, x])
    spec = x < thresholds_of_halves(rule, h, T, unit)
    hp = h ^ tb.mask
    ours = np.empty_like(spec)
    inside = (x >= tb.lo) & (x < tb.hi)
    ours[x < tb.lo], ours[x >= tb.hi] = True, False
    jj = (x[inside] - tb.lo) // tb.g
    upper, lower = tb.H[jj], tb.H[np.minimum(jj + 1, tb.H.size - 1)]
    certain = (hp[inside] < lower) | (hp[inside] >= upper) | (tb.g == 1)
    ours[inside] = np.where(tb.g == 1, hp[inside] < upper, hp[inside] < lower)
    assert np.array_equal(ours[inside][certain], spec[inside][certain])
    assert np.array_equal(ours[~inside], spec[~inside])
    assert tb.H.size <= thresholds.MAX_ENTRIES


def _patterns(rng, S, K, N, kind):
    xi = rng.choice(np.array([-1, 1], dtype=np.int8), (S, K, N))
    if kind == "diluted":
        xi = (xi * (rng.random((S, K, N)) < 0.6)).astype(np.int8)
    elif kind == "summed":  # supervised example sums: entries in [-5, 5]
        xi = rng.integers(-5, 6, (S, K, N)).astype(np.int8)
    return xi


def _both(model, rule, xi, spins, T, sweeps, seed, scale=1.0, threads=None, engine="compiled"):
    """The spec's chains and ``engine``'s ('compiled', or the CUDA engine on 'host' or
    'cuda'), compared after every sweep; returns the spec's (spins, M) of each sweep."""
    S, R, N = spins.shape
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**63, (S, R, 2)).astype(np.uint64)
    Tc = np.broadcast_to(np.asarray(T, dtype=np.float64), (S, R))
    sites = lambda sw: np.random.default_rng([seed, sw])  # noqa: E731
    spec = engine_numpy.init_state(xi, spins, np.float64 if model.P > 2 else None)
    if engine == "compiled":
        fast = engine_compiled.init_state(xi, spins, model.P)
        run = partial(engine_compiled.run_sweeps, threads=threads)
    else:
        fast = engine_cuda.init_state(xi, spins, model.P, device=engine)
        run = engine_cuda.run_sweeps
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    engine_numpy.run_sweeps(model, rule, xi, spec, Tc, keys, sweeps, sites_rng=sites,
                            scale=scale, measure=lambda st: seen.append(
                                (st.spins.astype(np.int8).copy(), st.M.astype(np.int64))))
    k = 0

    def check(st):
        nonlocal k
        np.testing.assert_array_equal(st.spins, seen[k][0], err_msg=f"spins, sweep {k}")
        np.testing.assert_array_equal(st.M.astype(np.int64), seen[k][1], err_msg=f"M {k}")
        k += 1

    run(model, rule, xi, fast, Tc, keys, sweeps, sites_rng=sites, scale=scale, measure=check)
    assert k == sweeps
    np.testing.assert_array_equal(fast.recomputed_overlaps(xi), fast.M.astype(np.int64))
    e_spec = energy_from_overlaps(model, np.moveaxis(spec.M.astype(np.float64), 1, 2), N)
    e_fast = energy_from_overlaps(model, np.moveaxis(fast.M.astype(np.float64), 1, 2), N)
    np.testing.assert_array_equal(e_fast, e_spec)
    return seen


def pairwise_case(rule, S, R, kind, engine="compiled"):
    """Chains near pattern 0 at mixed T (0 among them), 6 sweeps: spec vs ``engine``."""
    rng = np.random.default_rng(hash((S, R, kind)) % 2**32)
    N, K = 90, 9
    xi = _patterns(rng, S, K, N, kind)
    spins = np.where(rng.random((S, R, N)) < 0.8, np.sign(xi[:, :1, :]), 1).astype(np.int8)
    spins[spins == 0] = 1  # start near pattern 0
    T = np.tile(np.array([0.0, 0.25, 1.0, 0.0, 0.6])[np.arange(R) % 5], (S, 1))
    scale = 1 / 30 if kind == "summed" else 1.0
    seen = _both(Hopfield(), rule, xi, spins, T, 6, seed=S * R, scale=scale, engine=engine)
    assert not np.array_equal(seen[0][0], seen[-1][0])  # the chains did move


def dense_case(rule, P, N, K, S, R, engine="compiled"):
    rng = np.random.default_rng(P * N)
    xi = _patterns(rng, S, K, N, "pm1")
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (S, R, N))
    T = np.tile(np.array([0.0, 0.3, 1.2])[np.arange(R) % 3], (S, 1))
    _both(DenseHebbian(P=P), rule, xi, spins, T, 5, seed=P, engine=engine)


def coarse_tables_case(monkeypatch, engine="compiled"):
    """With tables of 9 entries every x inside the range falls between two grid points,
    and the uniforms inside a bracket take the exact path: still the spec's flips."""
    monkeypatch.setattr(thresholds, "MAX_ENTRIES", 9)
    threshold_table.cache_clear()
    try:
        rng = np.random.default_rng(5)
        xi = _patterns(rng, 2, 7, 60, "pm1")
        spins = rng.choice(np.array([-1, 1], dtype=np.int8), (2, 6, 60))
        T = np.tile([0.4, 1.5, 0.0], (2, 2))
        for rule in (Glauber(), Metropolis("random")):
            _both(Hopfield(), rule, xi, spins, T, 4, seed=3, engine=engine)
            _both(DenseHebbian(P=3), rule, xi[:, :, :20], spins[:, :, :20], T, 4, seed=4,
                  engine=engine)
    finally:
        threshold_table.cache_clear()


PAIRWISE = [pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.name}-{r.order}"),
            pytest.mark.parametrize(("S", "R"), [(1, 24), (12, 2), (3, 5)]),
            pytest.mark.parametrize("kind", ["pm1", "diluted", "summed"])]
DENSE = [pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.name}-{r.order}"),
         pytest.mark.parametrize(("P", "N", "K", "S", "R"), [(3, 36, 40, 2, 5), (4, 24, 12, 9, 2),
                                                              (5, 16, 6, 1, 8)])]


def _marked(marks):  # noqa: ANN001, ANN202
    def deco(f):  # noqa: ANN001, ANN202
        for m in reversed(marks):
            f = m(f)
        return f
    return deco


@_marked(PAIRWISE)
def test_pairwise_chains_are_the_specs_flip_for_flip(rule, S, R, kind):
    pairwise_case(rule, S, R, kind)


@_marked(DENSE)
def test_dense_chains_are_the_specs_flip_for_flip(rule, P, N, K, S, R):
    dense_case(rule, P, N, K, S, R)


def test_wide_tables_decide_inside_their_brackets_exactly(monkeypatch):
    coarse_tables_case(monkeypatch)


@pytest.mark.parametrize("rule", [Glauber(), Metropolis("random")], ids=lambda r: r.name)
def test_site_blocks_and_vector_steps_do_not_change_the_chains(monkeypatch, rule):
    """Blocks of 8 steps (each chain of a task takes a block in turn), 3 vector steps of
    16 patterns, and dense P = 3, 4 both from the overlaps (P = 4: each way of summing
    ``xi M^3``) and from kept ``A(M)``."""
    monkeypatch.setattr(engine_compiled, "_BLOCK_BYTES", 64)
    rng = np.random.default_rng(11)
    xi = _patterns(rng, 2, 40, 75, "diluted")
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (2, 5, 75))
    T = np.tile([0.0, 0.2, 0.9, 0.0, 0.5], (2, 1))
    assert engine_compiled.block_steps(75, 48) == 8
    _both(Hopfield(), rule, xi, spins, T, 4, seed=2)
    # P = 4 from the overlaps with M^2 beyond int16 (N > 181): M^2 split in two int16 parts,
    # then int64 sums of M^3; the chains start at pattern 0, so that M_0^2 exceeds 2^15
    pm = _patterns(rng, 1, 5, 190, "pm1")
    sp = np.repeat(pm[:, :1], 3, axis=1)
    assert engine_compiled.cube_mode(36, 48) == kern.CUBE_SMALL
    assert engine_compiled.cube_mode(190, 16) == kern.CUBE_SPLIT
    _both(DenseHebbian(P=4), rule, pm, sp, [[0.0, 0.3, 1.0]], 2, seed=5)
    with monkeypatch.context() as mp:
        mp.setattr(engine_compiled, "_SPLIT", 0)
        assert engine_compiled.cube_mode(190, 16) == kern.CUBE_WIDE
        _both(DenseHebbian(P=4), rule, pm, sp, [[0.0, 0.3, 1.0]], 2, seed=5)
    pm = _patterns(rng, 2, 40, 36, "pm1")
    for from_overlaps in (True, False):
        if not from_overlaps:
            monkeypatch.setattr(engine_compiled, "_INT32", 0)
        for P in (3, 4):
            st = engine_compiled.init_state(pm, spins[:, :, :36], P)
            assert (st.dense["A"].size == 0) == from_overlaps
            assert (st.dense["rows"].size > 0) == (from_overlaps and P == 3)
            _both(DenseHebbian(P=P), rule, pm, spins[:, :, :36], T, 4, seed=P)


def test_threads_do_not_change_the_chains():
    rng = np.random.default_rng(9)
    xi = _patterns(rng, 4, 20, 120, "pm1")
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (4, 6, 120))
    a = _both(Hopfield(), Glauber(), xi, spins, 0.3, 3, seed=1, threads=1)
    b = _both(Hopfield(), Glauber(), xi, spins, 0.3, 3, seed=1, threads=2)
    np.testing.assert_array_equal(a[-1][0], b[-1][0])


CASES = [
    (Hopfield(), dict(N=[60, 90], alpha=[0.05, 0.2], T=[0.0, 0.4], samples=3, sweeps=6)),
    (DenseHebbian(P=3), dict(N=30, alpha=0.3, T=[0.0, 0.5], samples=2, sweeps=5)),
    (DenseHebbian(P=4), dict(N=20, alpha=0.05, T=0.3, samples=2, sweeps=4,
                             dynamics=Metropolis("random"))),
    (MultitaskingHebbian(K=3), dict(N=80, d=[0.2, 0.5], T=[0.0, 0.1], samples=2, sweeps=5,
                                    start="hierarchical")),
    (ExampleHebbian(K=2, protocol="supervised"),
     dict(N=70, d=0.3, r=0.6, M=[3, 5], T=0.05, samples=2, sweeps=5, dynamics=Glauber("random"))),
    (ExampleHebbian(K=2, protocol="unsupervised"),
     dict(N=70, d=0.0, r=0.6, M=4, T=[0.0, 0.2], samples=2, sweeps=5, replicas=2)),
    (DenseExampleHebbian(P=3, protocol="unsupervised"),
     dict(N=30, alpha=0.02, r=0.6, M=[2, 3], T=[0.0, 0.2], samples=2, sweeps=5)),
    (DenseExampleHebbian(P=4, protocol="supervised", load="detection"),
     dict(N=24, alpha=0.5, r=[0.5, 1.0], M=1, T=0.05, samples=2, sweeps=4)),
]


@pytest.mark.parametrize(("model", "kw"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_simulate_gives_the_same_dataset_on_both_engines(model, kw):
    b = specs_dataset(model, kw, engine="compiled")
    assert b.attrs["engine"].startswith("compiled")


def specs_dataset(model, kw, **how):  # noqa: ANN001, ANN201
    """``simulate`` run ``how`` (engine, backend), checked equal to the NumPy engine's."""
    a = simulate(model, seed=7, engine="numpy", **kw)
    b = simulate(model, seed=7, **how, **kw)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
    assert a.attrs["engine"].startswith("numpy")
    return b


def test_an_unknown_engine_is_refused_by_name():
    with pytest.raises(ValueError, match="engine"):
        simulate(Hopfield(), N=50, alpha=0.1, T=0.1, samples=1, sweeps=1, seed=1,
                 engine="fortran")
