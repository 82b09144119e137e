"""The NumPy engine: many chains at once, exact integer overlaps, O(K) per flip.

This engine is the executable specification of every other engine (STYLE 5).

Algorithm (P = 2, "delayed updates"). The field of spin ``i`` in integer units
is ``h_i = sum_mu xi^mu_i M_mu`` and its energy change is
``dE = (2/N) (s_i h_i - K)`` (:mod:`assoc.energy`). Sites are processed in
blocks ``B`` of distinct sites. At the start of a block the fields of all its
sites are computed at once, ``H0 = Xi_B^T M`` (one matrix product over all
chains), and within the block the field of the j-th site is corrected for the
flips already made in the block, ``h_j = H0_j + sum_(i<j) G_ji d_i`` with
``G = Xi_B^T Xi_B`` (pattern overlaps of the block's sites) and ``d_i`` in
{-2, 0, 2} the spin change. After the block ``M += Xi_B d``. Within the block each
step is two NumPy calls over all chains, a matrix-vector product and a ``sign``
(:func:`_sweep_blocked`). Every number is an integer (or a half-integer) held exactly in
floating point, so the chain is *exactly* the single-spin-flip chain: the trajectory is
identical, flip for flip, to the direct O(K)-per-step reference (:func:`run_sweeps` with
``blocked=False``), which a test checks. Cost per attempted flip: O(K) in matrix products
plus O(B) for the correction. The thresholds of the next sweep (Philox uniforms, the
rule's logistic or exponential transform) are prepared on a second thread meanwhile.

Dense models (P > 2) use the direct path: the energy change is the exact
polynomial in the overlaps of :mod:`assoc.energy`, evaluated per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from assoc.backend import blas_threads
from assoc.energy import elementary_from_power_sums, elementary_symmetric
from assoc.models import Model
from assoc.philox import PhiloxStream

from .dynamics import UpdateRule
from .state import ChainState

__all__ = ["init_state", "run_sweeps", "exact_dtype", "site_blocks", "sweep_sites",
           "sweeps_sites"]


def exact_dtype(N: int, K: int, max_abs: int = 1) -> type:
    """float32 when every number the P = 2 engine forms is exact in its 24-bit mantissa.

    ``max_abs`` bounds the pattern entries (1 for +-1 or diluted patterns; M for the
    summed examples of a supervised coupling). The blocked sweep forms half-integers of
    magnitude below ``2 K max_abs^2 (N + B + 2) + 2`` (fields, in-block corrections and the
    clipped thresholds; block size ``B <= 64``), exact in float32 below ``2^23``.
    """
    return np.float32 if _float32_exact(N, K, max_abs, _MAX_BLOCK) else np.float64


def _float32_exact(N: int, K: int, max_abs: int, B: int) -> bool:
    """Whether blocks of ``B`` sites keep every half-integer below ``2^23`` (exact in float32)."""
    return (N + B + 3) * K * max_abs * max_abs < 2**22 - 1


def init_state(xi: np.ndarray, spins: np.ndarray, dtype: type | None = None) -> ChainState:
    """State from patterns ``xi`` (S, K, N) and spins (S, R, N) in {-1, +1}."""
    S, K, N = xi.shape
    dtype = dtype or exact_dtype(N, K, int(np.abs(xi).max(initial=1)))
    sp = np.ascontiguousarray(np.transpose(spins, (2, 0, 1))).astype(dtype)
    M = np.einsum("ski,isr->skr", xi.astype(np.int64), sp.astype(np.int64)).astype(dtype)
    return ChainState(spins=sp, M=M, sweep=0)


def site_blocks(sites: np.ndarray, max_block: int) -> list[np.ndarray]:
    """Split ``sites`` into consecutive blocks of distinct sites, at most ``max_block`` each."""
    blocks: list[np.ndarray] = []
    start = 0
    seen: set[int] = set()
    for j, s in enumerate(sites.tolist()):
        if s in seen or j - start == max_block:
            blocks.append(sites[start:j])
            start, seen = j, set()
        seen.add(s)
    blocks.append(sites[start:])
    return [b for b in blocks if len(b)]


def sweep_sites(order: str, N: int, sites_rng: Callable[[int], np.random.Generator] | None,
                 sweep: int) -> np.ndarray:
    """Sites of one sweep: 0..N-1, or N uniform draws from the sweep's own generator."""
    if order == "sequential":
        return np.arange(N)
    assert sites_rng is not None
    return sites_rng(sweep).integers(0, N, size=N)


def sweeps_sites(order: str, N: int, sites_rng: Callable[[int], np.random.Generator] | None,
                 sweep: int, n: int) -> np.ndarray:
    """Sites of sweeps ``sweep .. sweep + n - 1`` as one int64 array (n, N), for kernels."""
    return np.stack([sweep_sites(order, N, sites_rng, sweep + k) for k in range(n)]).astype(
        np.int64)


_MAX_BLOCK = 64


def _block_size(R: int) -> int:
    # balance the O(B R) in-block corrections against the O(B^2 K) block Gram matrices
    return int(min(_MAX_BLOCK, max(8, 2 * R)))


def run_sweeps(
    model: Model,
    rule: UpdateRule,
    xi: np.ndarray,
    state: ChainState,
    T: np.ndarray,
    keys: np.ndarray,
    n_sweeps: int,
    *,
    sites_rng: Callable[[int], np.random.Generator] | None = None,
    measure: Callable[[ChainState], None] | None = None,
    blocked: bool | None = None,
    max_block: int | None = None,
    scale: float = 1.0,
    blas: int | None = 1,
    odd_powers: int = 1,
) -> ChainState:
    """Advance ``state`` by ``n_sweeps`` sweeps of N single-spin updates each.

    Parameters
    ----------
    model : the Hebbian model (its ``P``).
    rule : :class:`~montecarlo.dynamics.Glauber` or :class:`~montecarlo.dynamics.Metropolis`.
    xi : int8 patterns, shape (S, K, N).
    state : modified in place and returned.
    T : temperatures, shape (S, R) (T = 0 allowed).
    keys : Philox keys of the chains, uint64 (S, R, 2): uniform ``sweep * N + step``
        of a chain decides its ``step``-th update of that sweep.
    sites_rng : ``sweep -> Generator`` for random-site order (shared by all chains).
    measure : called with the state after every sweep.
    blocked : use the delayed-update algorithm (default: when P = 2).
    scale : coupling scale: the Hamiltonian is ``scale`` times the Hebbian one of the
        integer patterns ``xi`` (e.g. ``1/(R M^2)`` for supervised example couplings
        written with summed examples); energy differences are ``2 scale / N^(P-1)``
        times an integer, so flips stay exact. Default 1.
    blas : BLAS threads while sweeping (:func:`assoc.backend.blas_threads`; ``None``
        leaves the pool as it is). The small products of the sweep gain nothing from
        more; parallelism comes from the chains and from running workers side by side.
    odd_powers : L > 1 for integer (not +-1) patterns at P > 2: ``xi`` is then the stack
        ``[X, X^3, ..., X^(2L-1)]`` of the K coupling patterns X (S, L K, N), whose overlaps
        are the odd power sums of ``x = X s``; the even ones are the constants
        ``sum_i X_i^(2j)`` (:meth:`assoc.models.DenseExampleHebbian.odd_powers`).
    """
    S, K, N = xi.shape
    R = state.spins.shape[2]
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (S, R))
    blocked = (model.P == 2) if blocked is None else blocked
    if blocked and model.P != 2:
        raise ValueError("the blocked engine is for P = 2; use blocked=False")
    stream = PhiloxStream(keys.reshape(S * R, 2), start=state.sweep * N)
    dtype = state.M.dtype
    xif = xi.astype(dtype)  # (S, K, N)
    xiT = np.ascontiguousarray(np.transpose(xif, (0, 2, 1)))  # (S, N, K)
    if not float(scale) > 0:
        raise ValueError(f"scale must be > 0 (got {scale!r})")
    if odd_powers > 1:
        _check_power_sums(model.P, N, int(np.abs(xi[:, : K // odd_powers]).max(initial=1)))
    unit = 2.0 * float(scale) / float(N) ** (model.P - 1)  # dE = unit * (integer)
    B = max_block or _block_size(R)
    max_abs = int(np.abs(xi).max(initial=1))
    reach = K * max_abs * max_abs * (N + 2)  # above any |s_i h_i - c_i| (P = 2)
    if blocked and dtype == np.float32 and not _float32_exact(N, K, max_abs, B):
        raise ValueError(f"float32 state cannot hold the fields of N = {N}, K = {K}, "
                         f"max |xi| = {max_abs} exactly; build it with init_state's default "
                         f"dtype (exact_dtype)")
    seq_blocks = None
    if rule.order == "sequential" and blocked:  # same blocks every sweep: cache their data
        seq_blocks = [_block_data(xiT, sites) for sites in site_blocks(np.arange(N), B)]
    # Thresholds beyond every reachable energy change act alike, so they are clipped there.
    bound = float(reach + 1) if blocked else 2.0**52
    thr = np.empty((N, S, R), dtype=dtype if blocked else np.float64)  # step-major
    # The blocked path compares s_i h_i with t + c_i, c_i = sum_mu (xi^mu_i)^2 the excluded
    # self-coupling (K for +-1 patterns; site-dependent for diluted ones): integers, exact;
    # it stores t + c_i - 1/2 (see _sweep_blocked).
    c = ((xi.astype(np.int64) ** 2).sum(axis=1).T - 0.5).astype(dtype) if blocked else None

    def thresholds(sweep: int, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Step-major thresholds of ``sweep`` (the next N uniforms of the stream)."""
        u = stream.uniforms(N).reshape(S, R, N)
        t = rule.integer_thresholds(u, T[..., None], unit, bound)  # (S, R, N)
        sites = sweep_sites(rule.order, N, sites_rng, sweep)
        if blocked:
            np.add(np.transpose(t, (2, 0, 1)), c[sites][:, :, None], out=out, casting="unsafe")
        else:
            np.copyto(out, np.transpose(t, (2, 0, 1)))
        return out, sites

    # The next sweep's thresholds are prepared on a second thread while this one runs
    # (NumPy releases the GIL in the generator and the elementwise passes); the stream
    # is read in sweep order, so the chain does not depend on the timing.
    bufs = [thr, np.empty_like(thr)]
    with ThreadPoolExecutor(max_workers=1) as pool, blas_threads(blas):
        ahead = pool.submit(thresholds, state.sweep, bufs[0]) if n_sweeps else None
        for k in range(n_sweeps):
            thr, sites = ahead.result()
            if k + 1 < n_sweeps:
                ahead = pool.submit(thresholds, state.sweep + 1, bufs[(k + 1) % 2])
            if blocked:
                blocks = seq_blocks or [_block_data(xiT, b) for b in site_blocks(sites, B)]
                _sweep_blocked(state, thr, blocks)
            else:
                _sweep_direct(model, xif, state, thr, sites, odd_powers)
            state.sweep += 1
            if measure is not None:
                measure(state)
    return state


def _check_power_sums(P: int, N: int, a: int) -> None:
    """Refuse integer patterns whose power-sum arithmetic leaves float64's exact integers:
    every term of Newton's identities for ``e_(P-1)`` of ``x = X s`` is below
    ``N C(N, k) a^(P-1)`` (``|X| <= a``), which must stay below ``2^53``."""
    k = min(P - 1, N // 2)
    if N * math.comb(N, k) * float(a) ** (P - 1) >= 2.0**53:
        raise ValueError(f"integer patterns with entries up to {a} at P = {P}, N = {N} are not "
                         "exact in float64 (power sums beyond 2^53): use fewer examples per "
                         "pattern or a smaller P")


def _block_data(xiT: np.ndarray, sites: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray,
                                                             np.ndarray, list | None]:
    """Data of one block of sites: index, patterns, lower Gram matrix and step rows.

    Returns the sites (a slice when consecutive), their patterns ``XB`` (S, b, K), the
    strictly lower part ``L`` of their Gram matrix ``G = XB XB^T`` (S, b, b), ``Gx = L - 1``
    (S, b, b) and, when S = 1, the rows ``Gx[0, j, :j+1]`` (views) used step by step.
    """
    XB = xiT[:, sites, :]
    G = np.matmul(XB, np.transpose(XB, (0, 2, 1)))  # xi_j . xi_i, exact integers
    L = np.tril(G, -1)
    Gx = L - np.eye(len(sites), dtype=G.dtype)
    rows = [Gx[0, j, : j + 1] for j in range(len(sites))] if G.shape[0] == 1 else None
    idx: Any = sites
    if len(sites) and np.array_equal(sites, np.arange(sites[0], sites[0] + len(sites))):
        idx = slice(int(sites[0]), int(sites[0]) + len(sites))
    return idx, XB, L, Gx, rows


def _sweep_blocked(state: ChainState, thr: np.ndarray, blocks: list[tuple]) -> None:
    """One sweep of the delayed-update algorithm (module docstring), two calls per step.

    ``thr`` (N, S, R) holds, step by step, ``t + c_i - 1/2``: the integer thresholds plus
    ``c_i = sum_mu (xi^mu_i)^2``, less one half. Spin ``j`` of a block flips iff
    ``s_j h_j < t_j + c_j`` with ``h_j = H0_j + sum_(k<j) G_jk (s'_k - s_k)``; as all of
    these are integers, that is iff ``s_j (h_j - s_j thr_j) < 0``, so the new spin is
    ``s'_j = sign(sum_(k<j) G_jk s'_k - W_j)`` with
    ``W_j = s_j thr_j - H0_j + sum_(k<j) G_jk s_k`` a half-integer (never zero). ``W`` is
    formed for the whole block at once, and step ``j`` is one matrix-vector product of row
    ``[G_j0 .. G_j,j-1, -1]`` with rows ``[s'_0 .. s'_(j-1), W_j]`` followed by ``sign``
    written over ``W_j``. Every value is an integer or a half-integer held exactly.
    """
    spins, M = state.spins, state.M
    S, R = M.shape[0], M.shape[2]
    bmax = max(blk[1].shape[1] for blk in blocks)
    Wfull = np.empty((S, bmax, R), M.dtype)  # one buffer; its step views are made once
    views = [(Wfull[0, : j + 1], Wfull[0, j]) for j in range(bmax)] if S == 1 else None
    buf = np.empty(R, M.dtype)
    bufs = np.empty((S, 1, R), M.dtype)
    dot, sign = np.dot, np.sign
    step = 0
    for sites, XB, L, Gx, rows in blocks:
        b = XB.shape[1]
        W = Wfull[:, :b]
        sblk = np.ascontiguousarray(np.transpose(spins[sites], (1, 0, 2)))  # (S, b, R)
        np.matmul(L, sblk, out=W)
        W -= np.matmul(XB, M)  # - H0
        W += sblk * np.transpose(thr[step : step + b], (1, 0, 2))
        if rows is not None:  # S = 1: 2-D row views, two calls per step
            for g, (upto, row) in zip(rows, views, strict=False):
                dot(g, upto, buf)
                sign(buf, row)
        else:
            for j in range(b):
                np.matmul(Gx[:, j : j + 1, : j + 1], W[:, : j + 1, :], out=bufs)
                np.sign(bufs[:, 0, :], out=W[:, j, :])
        step += b
        M += np.matmul(np.transpose(XB, (0, 2, 1)), W - sblk)  # spin changes in {-2, 0, 2}
        spins[sites] = np.transpose(W, (1, 0, 2))


def _sweep_direct(model: Model, xif: np.ndarray, state: ChainState, thr: np.ndarray,
                  sites: np.ndarray, odd_powers: int = 1) -> None:
    """Reference path: one site at a time, exact energy change from the overlaps (and, for
    stacked integer patterns, the power sums of ``run_sweeps``' ``odd_powers``)."""
    spins, M = state.spins, state.M
    N = spins.shape[0]
    P = model.P
    K = xif.shape[1] // odd_powers
    even = None
    if odd_powers > 1:  # p_(2j) = sum_i X_i^(2j), constant: (S, K, 1) per j
        X = xif[:, :K, :]
        even = {k: (X**k).sum(axis=2)[:, :, None] for k in range(2, P, 2)}
    for step, i in enumerate(sites.tolist()):
        s = spins[i]  # (S, R)
        xi_i = xif[:, :, i][:, :, None]  # (S, K L, 1)
        x = xi_i[:, :K] * s[:, None, :]  # (S, K, R) = xi_i s_i
        if P == 2:
            num = (xi_i * (M - x)).sum(axis=1)  # sum_mu xi_i e_1(x without i)
        else:
            if even is None:
                e = elementary_symmetric(M.astype(np.float64), N, P - 1)
            else:
                Mf = M.astype(np.float64)
                e = elementary_from_power_sums(
                    [Mf[:, (k // 2) * K:(k // 2 + 1) * K] if k % 2
                     else np.broadcast_to(even[k], x.shape) for k in range(1, P)])
            rest = np.zeros(x.shape, dtype=np.float64)
            for k in range(P):
                rest += (-x) ** k * e[P - 1 - k]
            num = (xi_i[:, :K] * rest).sum(axis=1)
        acc = s * num < thr[step]  # dE / unit = s_i * num
        d = np.where(acc, -2.0 * s, 0.0).astype(M.dtype)
        spins[i] = s + d
        M += xi_i * d[:, None, :]
