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
{-2, 0, 2} the spin change. After the block ``M += Xi_B d``. Every number is
an integer held exactly in floating point, so the chain is *exactly* the
single-spin-flip chain: the trajectory is identical, flip for flip, to the
direct O(K)-per-step reference (:func:`run_sweeps` with ``blocked=False``),
which a test checks. Cost per attempted flip: O(K) in matrix products plus
O(B) for the correction.

Dense models (P > 2) use the direct path: the energy change is the exact
polynomial in the overlaps of :mod:`assoc.energy`, evaluated per step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from assoc.energy import elementary_symmetric
from assoc.models import Model
from assoc.philox import PhiloxStream

from .dynamics import UpdateRule
from .state import ChainState

__all__ = ["init_state", "run_sweeps", "exact_dtype", "site_blocks"]


def exact_dtype(N: int, K: int, max_abs: int = 1) -> type:
    """float32 when every integer the P=2 engine forms fits in its 24-bit mantissa.

    ``max_abs`` bounds the pattern entries (1 for +-1 or diluted patterns; M for the
    summed examples of a supervised coupling): fields are bounded by
    ``K max_abs^2 (N + 2)``.
    """
    return np.float32 if (N + 2) * K * max_abs * max_abs < 2**23 else np.float64


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


def _sweep_sites(order: str, N: int, sites_rng: Callable[[int], np.random.Generator] | None,
                 sweep: int) -> np.ndarray:
    """Sites of one sweep: 0..N-1, or N uniform draws from the sweep's own generator."""
    if order == "sequential":
        return np.arange(N)
    assert sites_rng is not None
    return sites_rng(sweep).integers(0, N, size=N)


def _block_size(R: int) -> int:
    # balance the O(B R) in-block corrections against the O(B^2 K) block Gram matrices
    return int(min(64, max(8, 2 * R)))


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
    unit = 2.0 * float(scale) / float(N) ** (model.P - 1)  # dE = unit * (integer)
    B = max_block or _block_size(R)
    seq_blocks = None
    if rule.order == "sequential" and blocked:  # same blocks every sweep: cache their data
        seq_blocks = [_block_data(xiT, sites) for sites in site_blocks(np.arange(N), B)]
    bound = float(2**23 if dtype == np.float32 else 2**52)
    thr = np.empty((N, S, R), dtype=dtype)  # step-major thresholds of one sweep
    # The blocked path compares s_i h_i with t + c_i, c_i = sum_mu (xi^mu_i)^2 the excluded
    # self-coupling (K for +-1 patterns; site-dependent for diluted ones): integers, exact.
    c = (xi.astype(np.int64) ** 2).sum(axis=1).T.astype(dtype) if blocked else None  # (N, S)
    for _ in range(n_sweeps):
        u = stream.uniforms(N).reshape(S, R, N)
        t = rule.integer_thresholds(u, T[..., None], unit, bound)  # (S, R, N)
        sites = _sweep_sites(rule.order, N, sites_rng, state.sweep)
        if blocked:
            np.add(np.transpose(t, (2, 0, 1)), c[sites][:, :, None], out=thr, casting="unsafe")
        else:
            np.copyto(thr, np.transpose(t, (2, 0, 1)), casting="unsafe")
        if blocked:
            blocks = seq_blocks or [_block_data(xiT, b) for b in site_blocks(sites, B)]
            _sweep_blocked(state, thr, blocks)
        else:
            _sweep_direct(model, xif, state, thr, sites)
        state.sweep += 1
        if measure is not None:
            measure(state)
    return state


def _block_data(xiT: np.ndarray, sites: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
    """Sites (a slice when consecutive), their patterns (S, b, K) and Gram matrix (S, b, b)."""
    XB = xiT[:, sites, :]
    G = np.matmul(XB, np.transpose(XB, (0, 2, 1)))  # xi_j . xi_i, exact integers
    idx: Any = sites
    if len(sites) and np.array_equal(sites, np.arange(sites[0], sites[0] + len(sites))):
        idx = slice(int(sites[0]), int(sites[0]) + len(sites))
    return idx, XB, G


def _sweep_blocked(state: ChainState, thr: np.ndarray,
                   blocks: list[tuple[Any, np.ndarray, np.ndarray]]) -> None:
    """One sweep of the delayed-update algorithm (module docstring).

    ``thr`` (N, S, R) holds, step by step, the integer thresholds plus ``c_i =
    sum_mu (xi^mu_i)^2``, in M's dtype: flip iff ``s_i h_i < thr`` (``s_i h_i - c_i`` is
    the energy change in units of 2/N).
    """
    spins, M = state.spins, state.M
    S = M.shape[0]
    step = 0
    for sites, XB, G in blocks:
        b = XB.shape[1]
        H0 = np.matmul(XB, M)  # (S, b, R): fields at the block start
        sblk = np.transpose(spins[sites], (1, 0, 2)).copy()  # (S, b, R)
        m2s = -2.0 * sblk
        D = np.zeros_like(sblk)  # spin changes d_i in {-2, 0, 2}
        # per step: h = H0_j + G_j,<j D_<j ; flip iff s_j h < t_j ; preallocated outputs
        if S == 1:  # 2-D row views prepared once per block: cheap dispatch per step
            dot, add, mul, less = np.dot, np.add, np.multiply, np.less
            Gv, Dv = G[0], D[0]
            buf, acc = np.empty(sblk.shape[2], M.dtype), np.empty(sblk.shape[2], bool)
            rows = zip([Gv[j, :j] for j in range(b)], [Dv[:j] for j in range(b)], H0[0],
                       sblk[0], thr[step : step + b, 0], m2s[0], Dv, strict=True)
            for g, Dprev, h0, s_j, t_j, m2s_j, d_j in rows:  # positional outputs
                dot(g, Dprev, buf)
                add(buf, h0, buf)
                mul(buf, s_j, buf)
                less(buf, t_j, acc)
                mul(m2s_j, acc, d_j)
        else:
            buf = np.empty((S, 1, sblk.shape[2]), M.dtype)
            acc = np.empty((S, sblk.shape[2]), bool)
            for j in range(b):
                np.matmul(G[:, j : j + 1, :j], D[:, :j, :], out=buf)
                h = buf[:, 0, :]
                h += H0[:, j, :]
                h *= sblk[:, j, :]
                np.less(h, thr[step + j], out=acc)
                np.multiply(m2s[:, j, :], acc, out=D[:, j, :])
        step += b
        sblk += D
        spins[sites] = np.transpose(sblk, (1, 0, 2))
        M += np.matmul(np.transpose(XB, (0, 2, 1)), D)


def _sweep_direct(model: Model, xif: np.ndarray, state: ChainState, thr: np.ndarray,
                  sites: np.ndarray) -> None:
    """Reference path: one site at a time, exact energy change from the overlaps."""
    spins, M = state.spins, state.M
    N = spins.shape[0]
    P = model.P
    for step, i in enumerate(sites.tolist()):
        s = spins[i]  # (S, R)
        xi_i = xif[:, :, i][:, :, None]  # (S, K, 1)
        x = xi_i * s[:, None, :]  # (S, K, R) = xi_i s_i
        if P == 2:
            num = (xi_i * (M - x)).sum(axis=1)  # sum_mu xi_i e_1(x without i)
        else:
            e = elementary_symmetric(M.astype(np.float64), N, P - 1)
            rest = np.zeros(M.shape, dtype=np.float64)
            for k in range(P):
                rest += (-x) ** k * e[P - 1 - k]
            num = (xi_i * rest).sum(axis=1)
        acc = s * num < thr[step]  # dE / unit = s_i * num
        d = np.where(acc, -2.0 * s, 0.0).astype(M.dtype)
        spins[i] = s + d
        M += xi_i * d[:, None, :]
