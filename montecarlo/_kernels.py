"""numba kernels of the compiled engine (:mod:`montecarlo.engine_compiled`).

Plain loops. The field of a chain is a dot product over its (padded) patterns of int8
pattern entries and integer overlaps, which LLVM vectorises (``vpmaddwd`` for int16
overlaps); the rest is scalar. Every field and energy difference is an integer, exact;
only the float64 dot of large dense fields (exact integers below 2^53) is compiled with
fast-math, in its own function, so that the portable logarithm
(:func:`montecarlo.variates.log_reduced`) stays the same operations as in NumPy.
"""

from __future__ import annotations

import math
from types import FunctionType

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from .variates import SQRT_HALF, log_reduced

PAD = 16  # patterns per chain padded to a multiple: whole vectors, no scalar remainder

_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)
_LOW32 = np.uint64(0xFFFFFFFF)


@intrinsic
def _mulhi64(typingctx, a, b):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """High 64 bits of the 128-bit product of two uint64 (one ``mul`` instruction)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        wide = ir.IntType(128)
        p = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(p, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


@intrinsic
def _mac32(typingctx, acc, a, b):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``acc + a * b`` in int32 arithmetic (numba would widen to int64, 4 lanes a vector)."""
    sig = types.int32(types.int32, a, b)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        i32 = ir.IntType(32)
        x, y = (builder.sext(v, i32) if v.type.width < 32 else v for v in args[1:])
        return builder.add(args[0], builder.mul(x, y))

    return sig, codegen


@njit(cache=True, inline="always")
def philox_block(ctr, k0, k1, out):  # noqa: ANN001, ANN201
    """Philox4x64-10 of counter ``(ctr, 0, 0, 0)`` and key ``(k0, k1)`` into ``out[:4]``."""
    c0 = ctr
    c1 = np.uint64(0)
    c2 = np.uint64(0)
    c3 = np.uint64(0)
    for r in range(10):
        if r:
            k0 = k0 + _W0
            k1 = k1 + _W1
        hi0 = _mulhi64(c0, _M0)
        lo0 = c0 * _M0
        hi1 = _mulhi64(c2, _M1)
        lo1 = c2 * _M1
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    out[0] = c0
    out[1] = c1
    out[2] = c2
    out[3] = c3


_log_reduced = njit(cache=True, inline="always")(log_reduced)


def _renamed(f: FunctionType, name: str) -> FunctionType:
    """A copy of ``f`` under another name: numba caches by name, and the serial and the
    parallel compilation of one kernel must not share (or overwrite) each other's cache."""
    g = FunctionType(f.__code__, f.__globals__, name, f.__defaults__, f.__closure__)
    g.__qualname__ = name
    return g


@njit(cache=True, inline="always")
def _plog(x):  # noqa: ANN001, ANN202
    m, e = math.frexp(x)
    if m < SQRT_HALF:
        m = 2.0 * m
        e -= 1
    return _log_reduced(m - 1.0, float(e))


@njit(cache=True, inline="always")
def exact_threshold(h, C, zero, metropolis):  # noqa: ANN001, ANN201
    """The NumPy engine's integer threshold from the 32-bit half ``h`` (unclipped)."""
    u = (float(h) + 0.5) * 2.0**-32
    if zero:
        if metropolis:
            return 1.0
        return 1.0 if u < 0.5 else -0.0
    if metropolis:
        t = -_plog(1.0 - u)
    else:
        t = _plog((1.0 - u) / u)
    return math.ceil(t * C)




@njit(cache=True, inline="always")
def dot32(X, s, i, m, c):  # noqa: ANN001, ANN201
    """``sum_k X[s, i, k] m[c, k]`` into int32 (one ``vpmaddwd`` per 16 for int16 ``m``)."""
    h = np.int32(0)
    for k in range(m.shape[1]):
        h = _mac32(h, X[s, i, k], m[c, k])
    return np.int64(h)


@njit(cache=True, inline="always")
def dot64(X, s, i, m, c):  # noqa: ANN001, ANN201
    """``sum_k X[s, i, k] m[c, k]`` into int64 (fields beyond int32)."""
    h = np.int64(0)
    for k in range(m.shape[1]):
        h += np.int64(X[s, i, k]) * np.int64(m[c, k])
    return h


@njit(cache=True, fastmath=True)
def dotf(X, s, i, m, c):  # noqa: ANN001, ANN201
    """``sum_k X[s, i, k] m[c, k]`` of float64 integers below 2^53 (exact in any order)."""
    h = 0.0
    for k in range(m.shape[1]):
        h += X[s, i, k] * m[c, k]
    return np.int64(h)


@njit(cache=True, inline="always")
def decide(x, w, k0, k1, words, cached, lo, hi, shift, off, t_H, C, zero, metropolis):  # noqa: ANN001, ANN201
    """``(flip, cached)``: whether integer energy change ``x`` flips at uniform ``w``.

    Exactly the NumPy engine's ``x < t(h)`` (:mod:`montecarlo.thresholds`), with the
    chain's table ``lo, hi, off`` (grid step ``2^shift``) and key ``k0, k1``. The Philox
    block of ``w`` is drawn only when ``x`` falls inside ``[lo, hi)`` and not drawn yet
    (``cached`` is its counter), into ``words``, for the chain's next uniforms.
    """
    if x < lo:
        return True, cached
    if x >= hi:
        return False, cached
    b = (w >> 3) + 1
    if cached != b:
        philox_block(np.uint64(b), k0, k1, words)
        cached = b
    tmask = np.uint64(0xFFFFFFFF) if metropolis else np.uint64(0)
    hp = ((words[(w >> 1) & 3] >> np.uint64(32 * (w & 1))) & _LOW32) ^ tmask
    j = (x - lo) >> shift
    if shift == 0:
        return hp < t_H[off + j], cached
    if hp < t_H[off + j + 1]:
        return True, cached
    if hp >= t_H[off + j]:
        return False, cached
    return x < exact_threshold(hp ^ tmask, C, zero, metropolis), cached


def _pairwise(XS, cS, R, task0, task1, M, spins, keys, c_lo, c_hi, c_shift, c_off, t_H,  # noqa: ANN001
              c_C, c_zero, metropolis, sweep0, sites, dot, y, nf, max_abs, scratch_w,
              scratch_c):
    """Sweeps of P = 2 chains ``c = s R + r``: patterns ``XS[s]`` (N, Kp), overlaps ``M[c]``.

    Task ``t`` advances chains ``task0[t] .. task1[t] - 1`` through every sweep of
    ``sites`` (n_sweeps, N), site by site (chains of one sample read its pattern row once);
    ``x = s_i h_i - c_i`` with ``c_i = cS[s, i]``. ``c_*`` are the chains' threshold tables
    (:func:`decide`). Chains at T > 0 draw the Philox blocks of the next 8 steps together,
    every 8 steps.

    Lazy fields at T = 0. A flip at another site changes ``x_i`` by at most
    ``b_i = 2 max|xi| c_i``; with ``nf[c]`` the chain's flips so far and ``y[c, i] = x_i +
    b_i nf`` stored when ``x_i`` was last computed, ``x_i >= y - b_i nf`` now. Where that
    bound reaches the largest threshold (1/2 or 1 at T = 0) no uniform can flip the spin,
    and the attempt is rejected, as the exact ``x`` would have it, without the dot
    product: a chain at a fixed point costs almost nothing. (A flip turns ``x`` into ``-x``
    exactly.)
    """
    N = spins.shape[1]
    n_sweeps = sites.shape[0]
    for t in prange(task0.shape[0]):
        c0, c1 = task0[t], task1[t]
        s0, r0 = c0 // R, c0 % R
        words = scratch_w[t]  # per task, cache lines apart: no false sharing
        cached = scratch_c[t]
        cached[:] = -1
        for sw in range(n_sweeps):
            base = (sweep0 + sw) * N
            for step in range(N):
                i = sites[sw, step]
                w = base + step
                if (w & 7) == 0 or step == 0:
                    b = (w >> 3) + 1
                    for c in range(c0, c1):
                        if not c_zero[c]:
                            philox_block(np.uint64(b), keys[c, 0], keys[c, 1], words[c - c0])
                            cached[c - c0] = b
                s, r = s0, r0
                for c in range(c0, c1):
                    if r == R:  # the next sample (no division in the loop)
                        s += 1
                        r = 0
                    r += 1
                    ci = cS[s, i]
                    bi = 2 * max_abs * ci
                    hi = c_hi[c]
                    lazy = c_zero[c]
                    if lazy and y[c, i] - bi * nf[c] >= hi:
                        continue
                    si = np.int64(spins[c, i])
                    x = si * dot(XS, s, i, M, c) - ci
                    if lazy:
                        y[c, i] = x + bi * nf[c]
                    if x >= hi:
                        continue
                    flip, cached[c - c0] = decide(
                        x, w, keys[c, 0], keys[c, 1], words[c - c0], cached[c - c0],
                        c_lo[c], hi, c_shift[c], c_off[c], t_H, c_C[c], lazy, metropolis)
                    if flip:
                        spins[c, i] = -si
                        u = -2 * si
                        for k in range(M.shape[1]):
                            M[c, k] += u * XS[s, i, k]
                        if lazy:
                            nf[c] += 1
                            y[c, i] = -x + bi * nf[c]


pairwise_parallel = njit(cache=True, parallel=True)(_pairwise)
pairwise_serial = njit(cache=True)(_renamed(_pairwise, "_pairwise_serial"))


@njit(cache=True)
def _dense_flip_34(P, N, XS, s, i, si, M, A, SB, c):  # noqa: ANN001, ANN202
    """A flip of site ``i`` of dense chain ``c`` for P = 3, 4: exact integer differences.

    ``sg = (M' - M) / 2 = -s_i xi^mu_i`` (0 in the padding). P = 3: ``A = e_2 + 1``,
    ``B = e_1 = M``; P = 4: ``A = e_3 + e_1``, ``B = e_2 + 1``, with ``e_2 = (M^2 - N)/2``
    and ``e_3 = (M^3 - 3 M N + 2 M)/6``, whose differences for a step ``2 sg`` have integer
    coefficients (the dense engine tests check the chains flip for flip).
    """
    sb = SB[c]
    for k in range(M.shape[1]):
        sg = -si * np.int64(XS[s, i, k])
        m = np.int64(M[c, k])
        s2 = sg * sg
        if P == 3:
            A[c, k] += 2 * sg * m + 2 * s2
            sb += 2 * sg
        else:
            A[c, k] += sg * (m * m - N + 4) + 2 * m * s2
            sb += 2 * sg * m + 2 * s2
        M[c, k] = m + 2 * sg
    SB[c] = sb


def _dense(XS, P, R, K, task0, task1, M, A, B, SB, spins, keys, cA, cB, D, c_lo, c_hi,  # noqa: ANN001
           c_shift, c_off, t_H, c_C, c_zero, metropolis, sweep0, sites, dot, y, nf, bound,
           scratch_w, scratch_c):
    """Sweeps of dense P-spin chains, laid out and scheduled as in :func:`_pairwise`.

    With ``x^mu_i = xi^mu_i s_i = +-1``, ``e_(P-1)(x^mu without i) = A(M_mu) - x^mu_i
    B(M_mu)``, where ``A`` and ``B`` (sums of the ``e_q(M)`` of even and odd
    ``P - 1 - q``) depend on the overlap only: ``D A(M)`` and ``D B(M)`` are the integer
    polynomials ``cA``, ``cB`` (highest power first, ``D = (P-1)!``). The energy change
    in units is ``x = s_i sum_mu xi^mu_i A(M_mu) - sum_mu B(M_mu)``: one multiply-add per
    pattern per attempt, as for P = 2, with ``A[c]`` in the narrowest exact type; a flip
    re-evaluates ``A`` and ``B`` of the chain's patterns (in float64, exact below 2^53)
    and its ``SB[c] = sum_mu B(M_mu)``.
    """
    N, Kp = spins.shape[1], M.shape[1]
    n_sweeps = sites.shape[0]
    nA, nB = cA.shape[0], cB.shape[0]
    for t in prange(task0.shape[0]):
        c0, c1 = task0[t], task1[t]
        s0, r0 = c0 // R, c0 % R
        words = scratch_w[t]  # per task, cache lines apart: no false sharing
        cached = scratch_c[t]
        cached[:] = -1
        fa = np.empty(Kp, np.float64)
        fb = np.empty(Kp, np.float64)
        for sw in range(n_sweeps):
            base = (sweep0 + sw) * N
            for step in range(N):
                i = sites[sw, step]
                s, r = s0, r0
                for c in range(c0, c1):
                    if r == R:
                        s += 1
                        r = 0
                    r += 1
                    hi = c_hi[c]
                    lazy = c_zero[c]
                    if lazy and y[c, i] - bound * nf[c] >= hi:
                        continue
                    si = np.int64(spins[c, i])
                    x = si * dot(XS, s, i, A, c) - SB[c]
                    if lazy:
                        y[c, i] = x + bound * nf[c]
                    if x >= hi:
                        continue
                    flip, cached[c - c0] = decide(
                        x, base + step, keys[c, 0], keys[c, 1], words[c - c0], cached[c - c0],
                        c_lo[c], hi, c_shift[c], c_off[c], t_H, c_C[c], lazy, metropolis)
                    if not flip:
                        continue
                    spins[c, i] = -si
                    if lazy:
                        nf[c] += 1
                        y[c, i] = -x + bound * nf[c]
                    if P == 3 or P == 4:
                        _dense_flip_34(P, N, XS, s, i, si, M, A, SB, c)
                        continue
                    # other P: new overlaps, then A and B of every pattern, pass by pass
                    for k in range(Kp):
                        M[c, k] -= 2 * si * XS[s, i, k]
                        fa[k] = cA[0]
                        fb[k] = cB[0]
                    for q in range(1, nA):
                        for k in range(Kp):
                            fa[k] = fa[k] * M[c, k] + cA[q]
                    for q in range(1, nB):
                        for k in range(Kp):
                            fb[k] = fb[k] * M[c, k] + cB[q]
                    sb = SB[c]
                    for k in range(K):  # exact quotients: D divides both
                        A[c, k] = fa[k] / D
                        nb = np.int64(fb[k] / D)
                        sb += nb - B[c, k]
                        B[c, k] = nb
                    SB[c] = sb


dense_parallel = njit(cache=True, parallel=True)(_dense)
dense_serial = njit(cache=True)(_renamed(_dense, "_dense_serial"))
