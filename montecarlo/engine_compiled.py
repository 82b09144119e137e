"""The compiled engine: numba kernels, parallel over chains, flip for flip the NumPy engine.

Same chains as :mod:`montecarlo.engine_numpy` (the specification): the same sites in the
same order, the same Philox uniform ``sweep * N + step`` of each chain (keyed by the
chain), the same integer energy changes and so the same flips, spins, overlaps and
energies; a test checks this on every model, both rules, both orders and T = 0.

Layout. Chain ``c = s R + r`` (sample ``s``, chain ``r`` of its ``R``) holds its spins
(int8, ``N``) and its integer overlaps ``M[c]`` (``K`` padded to a multiple of 16, in the
narrowest exact type: int16 while ``N max|xi| < 2^15``). The patterns are stored once,
site-major per sample (int8 ``(S, N, K)``), so that the field ``h_i = sum_mu xi^mu_i M_mu``
of a chain is one contiguous dot product, written in LLVM vector IR
(:func:`montecarlo._kernels.dotv`: with AVX2 one ``vpmaddwd`` per 16 patterns). The chains
are split into contiguous tasks of a thread pool (``numba.prange``, several tasks per
thread, each small enough for its overlaps to stay in cache), and a task advances its
chains through all the sweeps of a call with no synchronisation between tasks: in blocks
of steps (:func:`block_steps`), each chain of the task takes the whole block in turn, its
threshold table and key in registers, while the block's pattern rows stay in L1 for the
task's next chain. Acceptance is a comparison of integers
(:mod:`montecarlo.thresholds`): a chain whose energy change is below every threshold flips,
one above all of them does not, and only the others draw their uniform, regenerated on the
spot by Philox4x64-10 (one block serves 8 steps of a chain; at T > 0 a chain draws the
blocks of a block of steps up front, whose independent rounds the core overlaps). A flip
adds ``-2 s_i xi_i`` to the chain's overlaps: O(K) per attempt, as the NumPy engine. At
T = 0 a chain keeps a lower bound of each site's energy change
(:func:`montecarlo._kernels._pairwise`) and rejects, without the field, the attempts that
the bound already rejects.

Dense networks (P > 2) take their fields from the overlaps alone where the integer sums
allow (P = 3: ``sum_mu xi M^2``, one more vector multiply than P = 2; P = 4: ``sum_mu xi
M^3``), and otherwise keep the integer polynomials ``A(M_mu)`` and their ``B``-sum
(:func:`montecarlo._kernels._dense`): either way a field is one pass over the patterns
per attempt.

Memory: the int8 patterns once, per chain its spins and overlaps (dense: up to three
arrays of K) and its Philox block, and the threshold tables (256 KiB at most per
temperature).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import numba
import numpy as np

from assoc.models import Model

from . import _kernels
from .dynamics import Metropolis, UpdateRule
from .engine_numpy import sweeps_sites
from .state import ChainState
from .thresholds import threshold_table

__all__ = ["CompiledState", "init_state", "run_sweeps", "tasks", "chain_tables",
           "dense_polynomials"]

PAD = _kernels.PAD
_SITES = 2**19  # site-order entries per kernel call between measurements (4 MiB of int64)
_GROUP_BYTES = 2**14  # the fields' arrays of one task's chains: L1-resident
_GROUP = 8  # chains per task at most
_BLOCK_BYTES = 2**14  # pattern rows of a site block: half a 32 KiB L1
_NO_BOUND = -(2**62)
_INT32 = 2**31  # dense fields from the overlaps while their terms (P = 4) or sums (P = 3) fit
_SPLIT = 2**44  # P = 4 fields with M^2 in two int16 parts while Kp N^3 (their sums) fit


def tasks(S: int, R: int, row_bytes: int, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous chain ranges ``[task0, task1)`` of up to 8 cache-sized chains.

    Chains ``c = s R + r`` are in sample order, so a task's chains of one sample share its
    pattern rows; there are at least twice as many tasks as threads where the chains allow.
    """
    C = S * R
    G = max(1, min(_GROUP, _GROUP_BYTES // max(row_bytes, 1)))
    while G > 1 and -(-C // G) < 2 * threads:
        G //= 2
    t0 = np.arange(0, C, G, dtype=np.int64)
    return t0, np.minimum(t0 + G, C)


def block_steps(N: int, pattern_row_bytes: int) -> int:
    """Steps per site block (:func:`montecarlo._kernels._pairwise`): the block's pattern
    rows fill about ``_BLOCK_BYTES`` of L1, re-read there by each chain of a task."""
    return int(max(8, min(N, _BLOCK_BYTES // max(pattern_row_bytes, 1))))


def _int_type(bound: int, total: int) -> type | None:
    """Narrowest of int16/int32 holding entries up to ``bound`` and dot sums up to ``total``."""
    if total >= 2**31:
        return None
    return np.int16 if bound < 2**15 else np.int32 if bound < 2**31 else None


@lru_cache(maxsize=64)
def dense_polynomials(P: int, N: int) -> tuple[np.ndarray, np.ndarray, float, int, int, int]:
    """``D A(M)``, ``D B(M)`` as integer coefficients (highest power first), ``D``, bounds.

    ``e_q`` of N values +-1 summing to ``M`` from Newton's identities in exact rationals
    (power sums ``M`` for odd, ``N`` for even orders); ``A = sum_(j even) e_(P-1-j)``,
    ``B = sum_(j odd) e_(P-1-j)``, ``D = (P-1)!``. Returns ``max |A|`` and ``max |B|`` over
    the reachable ``M`` (for the dtype and exactness checks) and the largest
    ``|A(M + 2) - A(M)| + |B(M + 2) - B(M)|`` (a flip's effect on a field, per pattern).
    """
    e = [{0: Fraction(1)}]
    for q in range(1, P):
        acc: dict[int, Fraction] = {}
        for j in range(1, q + 1):
            sign = 1 if j % 2 else -1
            for p, c in e[q - j].items():
                key, val = (p + 1, c) if j % 2 else (p, c * N)
                acc[key] = acc.get(key, Fraction(0)) + sign * val
        e.append({p: c / q for p, c in acc.items()})
    D = math.factorial(P - 1)

    def poly(parity: int) -> list[int]:
        coef = [Fraction(0)] * P
        for j in range(parity, P, 2):
            for p, c in e[P - 1 - j].items():
                coef[p] += c
        ints = [c * D for c in coef]
        assert all(c.denominator == 1 for c in ints)
        return [int(c) for c in reversed(ints)]

    cA, cB = poly(0), poly(1)
    Ms = range(-N, N + 1, 2)  # M has the parity of N
    amax = max(abs(_horner(cA, m)) for m in Ms) // D
    bmax = max(abs(_horner(cB, m)) for m in Ms) // D
    step = max(abs(_horner(cA, m + 2) - _horner(cA, m)) + abs(_horner(cB, m + 2) - _horner(cB, m))
               for m in range(-N, N - 1, 2)) // D  # |dA| + |dB| when one M moves by 2
    horner = max(sum(abs(c) * N**k for k, c in enumerate(reversed(cf))) for cf in (cA, cB))
    if horner >= 2**53:
        raise ValueError(f"dense P = {P} couplings at N = {N} exceed 2^53: not exact in float64")
    return (np.array(cA, dtype=np.float64), np.array(cB, dtype=np.float64), float(D), amax, bmax,
            step)


def _horner(c: list[int], m: int) -> int:
    v = 0
    for a in c:
        v = v * m + a
    return v


def cube_mode(N: int, Kp: int) -> int:
    """How a P = 4 field sums ``xi M^3`` (:func:`montecarlo._kernels.field4`): in int16
    factors and int32 sums while ``M^2 < 2^15`` and the sums fit; split ``M^2`` into two
    int16 parts while ``Kp N^3 < _SPLIT`` (its int32 lane sums); else int64 sums."""
    if N * N < 2**15 and Kp * N**3 < _INT32:
        return _kernels.CUBE_SMALL
    if N * N < 2**25 and Kp * N**3 < _SPLIT:
        return _kernels.CUBE_SPLIT
    return _kernels.CUBE_WIDE


def _fields_from_overlaps(P: int, N: int, K: int, mtype: type) -> bool:
    """Whether dense fields come from the int16 overlaps alone (:func:`montecarlo._kernels._dense`):
    P = 3 while the int32 sums ``sum_mu xi M^2`` fit, P = 4 while the terms ``M^3`` do."""
    if mtype is not np.int16:
        return False
    return (P == 3 and K * N * N < _INT32) or (P == 4 and N**3 < _INT32)


@dataclass
class CompiledState:
    """Chains of the compiled engine; :attr:`M` and :attr:`spins` as in the specification.

    ``M`` (S, K, R) and ``spins`` (N, S, R) are views in the NumPy engine's axis order
    (:class:`~montecarlo.state.ChainState`) of the chain-major arrays ``Mc`` (S R, Kp) and
    ``sc`` (S R, N).
    """

    XS: np.ndarray  # patterns (S, N, Kp), int8 (int16 beyond 127)
    cS: np.ndarray  # P = 2: self-couplings sum_mu xi^2 (S, N); dense: unused
    Mc: np.ndarray  # overlaps (S R, Kp)
    sc: np.ndarray  # spins (S R, N), int8
    shape: tuple[int, int, int, int]  # S, R, K, N
    dot: Callable  # the field's dot product for this dtype
    max_abs: int = 1
    dense: dict[str, np.ndarray] = field(default_factory=dict)  # A, B, SB, polynomials
    lazy: tuple = ()  # y (S R, N): last exact x plus its bound's slope; flips, kept (S R,)
    sweep: int = 0

    @property
    def N(self) -> int:
        return self.shape[3]

    @property
    def M(self) -> np.ndarray:
        S, R, K, _ = self.shape
        return self.Mc.reshape(S, R, -1)[:, :, :K].transpose(0, 2, 1)

    @property
    def spins(self) -> np.ndarray:
        S, R, _, N = self.shape
        return self.sc.reshape(S, R, N).transpose(2, 0, 1)

    recomputed_overlaps = ChainState.recomputed_overlaps  # from the spec-layout views


def init_state(xi: np.ndarray, spins: np.ndarray, P: int = 2) -> CompiledState:
    """State from integer patterns ``xi`` (S, K, N) and spins (S, R, N) in {-1, +1}.

    The patterns are copied once, site-major (int8, or int16 for entries beyond 127).
    """
    S, K, N = xi.shape
    R = spins.shape[1]
    max_abs = max(int(xi.max(initial=1)), -int(xi.min(initial=-1)))  # no |xi| copy
    Kp = -(-K // PAD) * PAD
    XS = np.zeros((S, N, Kp), dtype=np.int8 if max_abs <= 127 else np.int16)
    XS[:, :, :K] = xi.transpose(0, 2, 1)
    sc = np.array(spins, dtype=np.int8).reshape(S * R, N)  # a copy: the chains move
    dense: dict[str, np.ndarray] = {}
    if P == 2:
        mtype = _int_type(N * max_abs, K * N * max_abs * max_abs + K * max_abs**2)
        dot = _kernels.dotv if mtype is not None else _kernels.dot64
        mtype = mtype or np.int64
        cS = np.stack([np.square(xi[s], dtype=np.int32).sum(axis=0, dtype=np.int64)
                       for s in range(S)])  # sample by sample: no int64 copy of the patterns
    else:
        mtype = _int_type(N, N)
        cA, cB, D, amax, bmax, step = dense_polynomials(P, N)
        if K * (amax + bmax) >= 2**52:
            raise ValueError(f"dense P = {P} energy changes at N = {N}, K = {K} exceed 2^52: "
                             f"not exact in float64")
        atype = _int_type(amax, K * amax)
        dot = _kernels.dotv if atype is not None else _kernels.dotf
        cS = np.zeros((0, 0), dtype=np.int64)
    Mc = np.zeros((S * R, Kp), dtype=mtype)
    ftype = np.float32 if N * max_abs < 2**24 else np.float64  # sums exact in it
    for s in range(S):  # one sample's float copy at a time
        Mc[s * R:(s + 1) * R, :K] = np.matmul(spins[s].astype(ftype), xi[s].T.astype(ftype))
    if P > 2:
        Mf = Mc[:, :K].astype(np.float64)
        Bk = (np.polyval(cB, Mf) / D).astype(np.int64)
        B = np.zeros((S * R, Kp if P > 4 else 0), dtype=np.int64)  # read by P > 4 flips only
        if P > 4:
            B[:, :K] = Bk
        rows = np.zeros((0, 0), dtype=np.int64)
        if _fields_from_overlaps(P, N, K, mtype):
            rows = xi.sum(axis=1, dtype=np.int64) if P == 3 else rows
            A = np.zeros((S * R, 0), dtype=np.int16)
        else:
            A = np.zeros(Mc.shape, dtype=atype or np.float64)
            A[:, :K] = np.polyval(cA, Mf) / D
        # a flip moves every overlap by 2: x_i changes by at most K step
        dense = {"A": A, "B": B, "SB": Bk.sum(axis=1), "rows": rows, "cA": cA, "cB": cB,
                 "D": np.float64(D), "bound": np.int64(K * step)}
    # lazy fields: no exact x yet (and no chain kept them), so every bound is below every
    # threshold; the bound y - b nf of chain c at site i, its flips nf, whether it keeps them
    lazy = (np.full((S * R, N), _NO_BOUND, dtype=np.int64), np.zeros(S * R, np.int64),
            np.zeros(S * R, dtype=bool))
    return CompiledState(XS, cS, Mc, sc, (S, R, K, N), dot, max_abs, dense, lazy)


def chain_tables(rule: UpdateRule, T: np.ndarray, unit: float) -> tuple[np.ndarray, ...]:
    """Each chain's threshold table (:func:`montecarlo._kernels.decide`): lo, hi, grid shift,
    offset into the tables' concatenated ``H``, that ``H``, ``C`` and T == 0.

    One table per distinct temperature of ``T`` (the chains, flattened).
    """
    values, index = np.unique(T.reshape(-1), return_inverse=True)
    tabs = [threshold_table(rule, float(t), unit) for t in values]
    off = np.cumsum([0] + [tb.H.size for tb in tabs[:-1]])

    def per_chain(v: list, dtype: type) -> np.ndarray:
        return np.asarray(v, dtype=dtype)[index]

    return (per_chain([tb.lo for tb in tabs], np.int64),
            per_chain([tb.hi for tb in tabs], np.int64),
            per_chain([tb.g.bit_length() - 1 for tb in tabs], np.int64),
            per_chain(off, np.int64),
            np.concatenate([tb.H for tb in tabs]).astype(np.uint32),
            per_chain([tb.C for tb in tabs], np.float64),
            per_chain([tb.zero for tb in tabs], np.bool_))


def run_sweeps(
    model: Model,
    rule: UpdateRule,
    xi: np.ndarray,
    state: CompiledState,
    T: np.ndarray,
    keys: np.ndarray,
    n_sweeps: int,
    *,
    sites_rng: Callable[[int], np.random.Generator] | None = None,
    measure: Callable[[CompiledState], None] | None = None,
    scale: float = 1.0,
    threads: int | None = None,
) -> CompiledState:
    """Advance ``state`` by ``n_sweeps`` sweeps: :func:`montecarlo.engine_numpy.run_sweeps`.

    Parameters as there (``xi`` is not read again: the state holds its patterns);
    ``threads`` caps the kernel's threads (default numba's, all cores; 1 runs it serially,
    as campaign workers do).
    """
    S, R, K, N = state.shape
    if not float(scale) > 0:
        raise ValueError(f"scale must be > 0 (got {scale!r})")
    P = model.P
    unit = 2.0 * float(scale) / float(N) ** (P - 1)
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (S, R))
    chain_tabs = chain_tables(rule, T, unit)
    ks = np.ascontiguousarray(np.asarray(keys, dtype=np.uint64).reshape(S * R, 2))
    metropolis = isinstance(rule, Metropolis)
    y, nf, kept = state.lazy  # lazy fields are kept by chains at T = 0 only: reset
    zero = (T == 0).reshape(-1)  # those that start keeping them
    fresh = zero & ~kept
    y[fresh], nf[fresh] = _NO_BOUND, 0
    kept[:] = zero
    n_threads = min(threads or numba.get_num_threads(), numba.config.NUMBA_NUM_THREADS)
    arr = state.dense["A"] if P > 2 and state.dense["A"].size else state.Mc
    task0, task1 = tasks(S, R, arr.shape[1] * arr.itemsize, n_threads)
    parallel = n_threads > 1 and task0.size > 1
    block = block_steps(N, state.XS.shape[2] * state.XS.itemsize)
    words = np.empty((S * R, 8), dtype=np.uint64)  # each chain's Philox block, 64 bytes apart
    cached = np.full((S * R, 8), -1, dtype=np.int64)  # its counter (column 0)

    def advance(n: int) -> None:
        sites = sweeps_sites(rule.order, N, sites_rng, state.sweep, n)
        if P == 2:
            kern = _kernels.pairwise_parallel if parallel else _kernels.pairwise_serial
            call = (state.XS, state.cS, R, task0, task1, block, state.Mc, state.sc, ks,
                    *chain_tabs, metropolis, state.sweep, sites, state.dot, y, nf, state.max_abs,
                    words, cached)
        else:
            kern = _kernels.dense_parallel if parallel else _kernels.dense_serial
            dn = state.dense
            call = (state.XS, P, R, K, task0, task1, block, state.Mc, dn["A"], dn["B"], dn["SB"],
                    dn["A"].size == 0, cube_mode(N, state.Mc.shape[1]), dn["rows"], state.sc, ks,
                    dn["cA"], dn["cB"], dn["D"], *chain_tabs, metropolis, state.sweep, sites,
                    state.dot, y, nf, dn["bound"], words, cached)
        if parallel:
            before = numba.get_num_threads()
            numba.set_num_threads(n_threads)
            chunk = numba.set_parallel_chunksize(1)  # chains cost unequal (T): dynamic
            try:
                kern(*call)
            finally:
                numba.set_parallel_chunksize(chunk)
                numba.set_num_threads(before)
        else:
            kern(*call)
        state.sweep += n

    done = 0
    while done < n_sweeps:
        # as many sweeps a call as the site-order array allows: a parallel region costs
        # tens of microseconds to open, and a chain at a fixed point sweeps in as few
        n = 1 if measure is not None else min(max(1, _SITES // N), n_sweeps - done)
        advance(n)
        done += n
        if measure is not None:
            measure(state)
    return state
