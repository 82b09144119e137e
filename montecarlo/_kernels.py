"""numba kernels of the compiled engine (:mod:`montecarlo.engine_compiled`).

Plain loops, except the passes over a chain's (padded) patterns: its field, a dot product
of int8 pattern entries and integer overlaps, and a flip's update of the overlaps are
written as LLVM vector IR, 16 patterns a step (:func:`dotv`, :func:`_vaxpy`; with AVX2
the field is one ``vpmaddwd`` a step, which LLVM's own vectoriser, choosing 8 lanes and a
scalar remainder, did not emit). Every field and energy difference is an integer, exact;
only the float64 dot of large dense fields (exact integers below 2^53) is compiled with
fast-math, in its own function, so that the portable logarithm
(:func:`montecarlo.variates.log_reduced`) stays the same operations as in NumPy.
"""

from __future__ import annotations

import math
from types import FunctionType

import numpy as np
from llvmlite import ir
from llvmlite.binding import get_host_cpu_features
from numba import njit, prange, types
from numba.core import cgutils, config
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




def _target_has_avx2() -> bool:
    """Whether numba compiles for a CPU with AVX2 (the host, unless NUMBA_CPU_NAME says
    otherwise: then only NUMBA_CPU_FEATURES can say so)."""
    if config.CPU_FEATURES is not None:
        return "+avx2" in config.CPU_FEATURES.split(",")
    if config.CPU_NAME not in (None, "host"):
        return False
    try:
        return bool(get_host_cpu_features().get("avx2", False))
    except RuntimeError:  # llvmlite cannot tell on some hosts: the generic lowering is exact
        return False


_AVX2 = _target_has_avx2()


def _dot_codegen(X, M, power, wide=False):  # noqa: ANN001, ANN202
    """Codegen of ``sum_k X[s, i, k] M[c, k]^power`` (power 1 to 3) in int32 terms,
    summed in int64 lanes if ``wide``, else in int32 lanes."""

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        xp, mp, n = _rows(context, builder, signature, args, (0, 1, 2), (3, 4))
        i32 = ir.IntType(32)
        v32 = ir.VectorType(i32, 16)
        pmadd = _AVX2 and M.dtype.bitwidth == 16 and not wide
        if pmadd:
            v16 = ir.VectorType(ir.IntType(16), 16)
            acc_t = ir.VectorType(i32, 8)
            madd = _avx2(builder, "pmadd.wd", acc_t, 2)
        else:
            acc_t = ir.VectorType(ir.IntType(64), 16) if wide else v32
        acc = cgutils.alloca_once_value(builder, ir.Constant(acc_t, None))
        with cgutils.for_range(builder, n) as loop:
            xv, mv = _lanes(builder, xp, mp, loop.index)
            if pmadd:  # (x m^(power - 2)) . m or x . m^(power - 1), each factor in int16
                xw = _widen(builder, xv, v16)
                a = builder.mul(xw, mv) if power > 1 else xw
                b = builder.mul(mv, mv) if power > 2 else mv
                prod = madd(a, b)
            else:
                prod, mw = _widen(builder, xv, v32), _widen(builder, mv, v32)
                for _ in range(power):
                    prod = builder.mul(prod, mw)
                prod = _widen(builder, prod, acc_t)
            builder.store(builder.add(builder.load(acc), prod), acc)
        return _reduce_add(builder, builder.load(acc))

    return codegen


@intrinsic
def _vdot(typingctx, X, s, i, M, c):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``sum_k X[s, i, k] M[c, k]`` in int32, 16 patterns a step (``K`` padded to 16).

    Integer ``X`` (int8/int16) and ``M`` (int16/int32); the caller guarantees that every
    partial sum fits in int32. With AVX2 and int16 ``M`` a step is one ``vpmaddwd`` of 16
    lanes; otherwise LLVM lowers the generic vector multiply-add for the host.
    """
    return types.int64(X, s, i, M, c), _dot_codegen(X, M, 1)


@intrinsic
def _vdot_sq(typingctx, X, s, i, M, c):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``sum_k X[s, i, k] M[c, k]^2`` in int32, as :func:`_vdot` (with AVX2 and int16
    ``M``: ``vpmullw`` then ``vpmaddwd``); the caller guarantees ``|X M| < 2^15`` and
    that every partial sum fits in int32."""
    return types.int64(X, s, i, M, c), _dot_codegen(X, M, 2)


@intrinsic
def _vaxpy(typingctx, M, c, u, X, s, i):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``M[c, k] += u X[s, i, k]`` for every k, 16 at a time in ``M``'s integer type (the
    caller guarantees the results fit)."""
    sig = types.void(M, c, u, X, s, i)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        xp, mp, n = _rows(context, builder, signature, args, (3, 4, 5), (0, 1))
        vt = ir.VectorType(ir.IntType(M.dtype.bitwidth), 16)
        uu = context.cast(builder, args[2], signature.args[2], M.dtype)
        uv = builder.insert_element(ir.Constant(vt, None), uu, ir.Constant(ir.IntType(32), 0))
        uv = builder.shuffle_vector(uv, ir.Constant(vt, ir.Undefined),
                                    ir.Constant(ir.VectorType(ir.IntType(32), 16), None))
        with cgutils.for_range(builder, n) as loop:
            xv, mv = _lanes(builder, xp, mp, loop.index)
            new = builder.add(mv, builder.mul(uv, _widen(builder, xv, vt)))
            builder.store(new, builder.bitcast(builder.gep(mp, [builder.mul(
                loop.index, ir.Constant(loop.index.type, 16))]), vt.as_pointer()), align=1)

    return sig, codegen


def _rows(context, builder, signature, args, xs, ms):  # noqa: ANN001, ANN202
    """Pointers to the rows ``X[s, i, :]`` and ``M[c, :]`` and their number of 16-blocks."""
    intp = context.get_value_type(types.intp)

    def row(pos):  # noqa: ANN001, ANN202
        aty = signature.args[pos[0]]
        ary = context.make_array(aty)(context, builder, args[pos[0]])
        idx = [context.cast(builder, args[p], signature.args[p], types.intp) for p in pos[1:]]
        ptr = cgutils.get_item_pointer(context, builder, aty, ary, [*idx, ir.Constant(intp, 0)])
        return ptr, cgutils.unpack_tuple(builder, ary.shape, aty.ndim)[-1]

    (xp, _), (mp, kp) = row(xs), row(ms)
    return xp, mp, builder.lshr(kp, ir.Constant(intp, 4))


def _lanes(builder, xp, mp, j):  # noqa: ANN001, ANN202
    """The 16-blocks ``j`` of the rows ``xp`` and ``mp`` as vectors."""
    off = builder.mul(j, ir.Constant(j.type, 16))
    vx = ir.VectorType(xp.type.pointee, 16)
    vm = ir.VectorType(mp.type.pointee, 16)
    return (builder.load(builder.bitcast(builder.gep(xp, [off]), vx.as_pointer()), align=1),
            builder.load(builder.bitcast(builder.gep(mp, [off]), vm.as_pointer()), align=1))


def _avx2(builder, name, ret, n_args):  # noqa: ANN001, ANN202
    """A caller of the AVX2 intrinsic ``llvm.x86.avx2.<name>`` on 16 x int16 operands."""
    v16 = ir.VectorType(ir.IntType(16), 16)
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ret, [v16] * n_args),
                                        f"llvm.x86.avx2.{name}")
    return lambda *a: builder.call(fn, list(a))


def _reduce_add(builder, acc):  # noqa: ANN001, ANN202
    """The sum of the lanes of the integer vector ``acc``, as int64."""
    t = acc.type
    red = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(t.element, [t]),
        f"llvm.vector.reduce.add.v{t.count}i{t.element.width}")
    return _widen(builder, builder.call(red, [acc]), ir.IntType(64))


def _widen(builder, v, t):  # noqa: ANN001, ANN202
    """``v`` sign-extended to the integer (vector) type ``t`` where narrower."""
    def width(ty):  # noqa: ANN001, ANN202
        return ty.element.width if isinstance(ty, ir.VectorType) else ty.width
    return builder.sext(v, t) if width(v.type) < width(t) else v


@intrinsic
def _vdot_cube(typingctx, X, s, i, M, c):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``sum_k X[s, i, k] M[c, k]^3`` in int64 of int32 terms: the caller guarantees
    ``|X M^3| < 2^31``."""
    return types.int64(X, s, i, M, c), _dot_codegen(X, M, 3, wide=True)


@intrinsic
def _vdot_cube_small(typingctx, X, s, i, M, c):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``sum_k X[s, i, k] M[c, k]^3`` in int32 (with AVX2: ``vpmaddwd`` of ``X M`` and
    ``M^2``): the caller guarantees ``|X M|, M^2 < 2^15`` and that the sums fit in int32."""
    return types.int64(X, s, i, M, c), _dot_codegen(X, M, 3)


@intrinsic
def _vfield4(typingctx, X, s, i, M, c):  # noqa: ANN001, ANN202 (numba intrinsic signature)
    """``(sum_k X M, sum_k X M^3)`` in one pass, in int16 factors: ``M^2 = 1024 a + b`` with
    ``a = M^2 >> 10`` and ``b = M^2 & 1023`` (from ``M^2``'s high and low 16 bits), so that
    ``sum X M^3 = 1024 sum (X M) a + sum (X M) b``, three ``vpmaddwd`` per 16 patterns with
    AVX2. The caller guarantees ``|X M| < 2^15``, ``M^2 < 2^25`` and int32 lane sums
    (``Kp N^3 < 2^44``)."""
    sig = types.UniTuple(types.int64, 2)(X, s, i, M, c)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        xp, mp, n = _rows(context, builder, signature, args, (0, 1, 2), (3, 4))
        i16, i32, i64 = ir.IntType(16), ir.IntType(32), ir.IntType(64)
        v16, v32 = ir.VectorType(i16, 16), ir.VectorType(i32, 16)
        if _AVX2:
            acc_t = ir.VectorType(i32, 8)
            madd = _avx2(builder, "pmadd.wd", acc_t, 2)
            mulhi = _avx2(builder, "pmulh.w", v16, 2)
        else:
            acc_t = v32

            def madd(a, b):  # noqa: ANN001, ANN202
                return builder.mul(builder.sext(a, v32), builder.sext(b, v32))

            def mulhi(a, b):  # noqa: ANN001, ANN202
                p = builder.mul(builder.sext(a, v32), builder.sext(b, v32))
                return builder.trunc(builder.ashr(p, ir.Constant(v32, [16] * 16)), v16)

        def splat(v):  # noqa: ANN001, ANN202
            return ir.Constant(v16, [v] * 16)

        accs = [cgutils.alloca_once_value(builder, ir.Constant(acc_t, None)) for _ in range(3)]
        with cgutils.for_range(builder, n) as loop:
            xv, mv = _lanes(builder, xp, mp, loop.index)
            x16 = _widen(builder, xv, v16)
            t = builder.mul(x16, mv)
            lo = builder.mul(mv, mv)  # low 16 bits of M^2; the high ones (>= 0):
            hi = mulhi(mv, mv)
            a = builder.or_(builder.shl(hi, splat(6)), builder.lshr(lo, splat(10)))
            b = builder.and_(lo, splat(1023))
            for acc, (u, v) in zip(accs, ((x16, mv), (t, a), (t, b)), strict=True):
                builder.store(builder.add(builder.load(acc), madd(u, v)), acc)
        h1, ha, hb = (_reduce_add(builder, builder.load(acc)) for acc in accs)
        h3 = builder.add(builder.mul(ha, ir.Constant(i64, 1024)), hb)
        return context.make_tuple(builder, signature.return_type, [h1, h3])

    return sig, codegen


@njit(cache=True, inline="always")
def dotv(X, s, i, M, c):  # noqa: ANN001, ANN201
    """``sum_k X[s, i, k] M[c, k]`` into int32 (:func:`_vdot`; ``K`` padded to 16)."""
    return _vdot(X, s, i, M, c)


@njit(cache=True, inline="always")
def dotv_sq(X, s, i, M, c):  # noqa: ANN001, ANN201
    """``sum_k X[s, i, k] M[c, k]^2`` into int32 (:func:`_vdot_sq`)."""
    return _vdot_sq(X, s, i, M, c)


CUBE_SMALL, CUBE_SPLIT, CUBE_WIDE = 0, 1, 2  # how P = 4 fields sum X M^3 (:func:`field4`)


@njit(cache=True, inline="always")
def field4(X, s, i, M, c, cube):  # noqa: ANN001, ANN201
    """``(sum_k X M, sum_k X M^3)`` of chain ``c`` at site ``i``: :func:`_vdot_cube_small`,
    :func:`_vfield4` or :func:`_vdot_cube` for ``cube`` = CUBE_SMALL, CUBE_SPLIT, CUBE_WIDE."""
    if cube == CUBE_SPLIT:
        return _vfield4(X, s, i, M, c)
    h1 = _vdot(X, s, i, M, c)
    if cube == CUBE_SMALL:
        return h1, _vdot_cube_small(X, s, i, M, c)
    return h1, _vdot_cube(X, s, i, M, c)


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
def decide(x, w, k0, k1, words, first, cached, lo, hi, shift, off, t_H, C, zero, metropolis):  # noqa: ANN001, ANN201
    """``(flip, cached)``: whether integer energy change ``x`` flips at uniform ``w``.

    Exactly the NumPy engine's ``x < t(h)`` (:mod:`montecarlo.thresholds`), with the
    chain's table ``lo, hi, off`` (grid step ``2^shift``) and key ``k0, k1``. The Philox
    block ``b = w // 8 + 1`` of the uniform is row ``b - first`` of ``words`` where
    ``first >= 0`` (drawn up front); otherwise it is drawn only when ``x`` falls inside
    ``[lo, hi)`` and not drawn yet (``cached`` is its counter), into row 0.
    """
    if x < lo:
        return True, cached
    if x >= hi:
        return False, cached
    b = (w >> 3) + 1
    row = b - first
    if first < 0:
        row = 0
        if cached != b:
            philox_block(np.uint64(b), k0, k1, words[0])
            cached = b
    tmask = np.uint64(0xFFFFFFFF) if metropolis else np.uint64(0)
    hp = ((words[row, (w >> 1) & 3] >> np.uint64(32 * (w & 1))) & _LOW32) ^ tmask
    j = (x - lo) >> shift
    if shift == 0:
        return hp < t_H[off + j], cached
    if hp < t_H[off + j + 1]:
        return True, cached
    if hp >= t_H[off + j]:
        return False, cached
    return x < exact_threshold(hp ^ tmask, C, zero, metropolis), cached


@njit(cache=True, inline="always")
def _chain(c, keys, c_lo, c_hi, c_shift, c_off, c_C, c_zero):  # noqa: ANN001, ANN202
    """Chain ``c``'s key and threshold table (:func:`decide`), read once per site block."""
    return (keys[c, 0], keys[c, 1], c_lo[c], c_hi[c], c_shift[c], c_off[c], c_C[c], c_zero[c])


@njit(cache=True, inline="always")
def _uniforms(base, b0, b1, lazy, k0, k1, drawn, words, c):  # noqa: ANN001, ANN202
    """``(rows, first)``: where chain ``c`` finds the Philox blocks of steps ``b0 .. b1 - 1``.

    At T > 0 nearly every attempt needs its uniform: the blocks ``first ..`` of the steps
    are drawn up front into ``drawn``, independent of each other (the core overlaps their
    rounds). At T = 0 few attempts do (ties): chain ``c``'s row of ``words`` holds the last
    block drawn on demand (``first = -1``).
    """
    if lazy:
        return words[c:c + 1], np.int64(-1)
    first = ((base + b0) >> 3) + 1
    for b in range(first, ((base + b1 - 1) >> 3) + 2):
        philox_block(np.uint64(b), k0, k1, drawn[b - first])
    return drawn, first


def _pairwise(XS, cS, R, task0, task1, block, M, spins, keys, c_lo, c_hi, c_shift, c_off, t_H,  # noqa: ANN001
              c_C, c_zero, metropolis, sweep0, sites, dot, y, nf, max_abs, words, cached):
    """Sweeps of P = 2 chains ``c = s R + r``: patterns ``XS[s]`` (N, Kp), overlaps ``M[c]``.

    Task ``t`` advances chains ``task0[t] .. task1[t] - 1`` through every sweep of
    ``sites`` (n_sweeps, N), in blocks of ``block`` steps: each chain of the task takes the
    block's steps in turn, its table and key in registers, while the block's pattern rows
    stay in L1 for the next chain (chains are independent: the order of the chains' turns
    changes nothing). ``x = s_i h_i - c_i`` with ``c_i = cS[s, i]``. ``c_*`` are the
    chains' threshold tables (:func:`decide`). A chain at T > 0 draws the Philox blocks of
    a block of steps up front (:func:`_uniforms`); one at T = 0 draws a block when a tie
    first needs it, keeping it in ``words[c, :4]`` and its counter in ``cached[c, 0]``.

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
        drawn = np.empty((block // 8 + 2, 4), np.uint64)
        for sw in range(n_sweeps):
            base = (sweep0 + sw) * N
            for b0 in range(0, N, block):
                b1 = min(b0 + block, N)
                for c in range(task0[t], task1[t]):
                    s = c // R
                    k0, k1, lo, hi, shift, off, C, lazy = _chain(c, keys, c_lo, c_hi, c_shift,
                                                                 c_off, c_C, c_zero)
                    w4, first = _uniforms(base, b0, b1, lazy, k0, k1, drawn, words, c)
                    blk = cached[c, 0]
                    n_f = nf[c]
                    for step in range(b0, b1):
                        i = sites[sw, step]
                        ci = cS[s, i]
                        bi = 2 * max_abs * ci
                        if lazy and y[c, i] - bi * n_f >= hi:
                            continue
                        si = np.int64(spins[c, i])
                        x = si * dot(XS, s, i, M, c) - ci
                        if lazy:
                            y[c, i] = x + bi * n_f
                        if x >= hi:
                            continue
                        flip, blk = decide(x, base + step, k0, k1, w4, first, blk, lo, hi, shift,
                                           off, t_H, C, lazy, metropolis)
                        if flip:
                            spins[c, i] = -si
                            _vaxpy(M, c, -2 * si, XS, s, i)
                            if lazy:
                                n_f += 1
                                y[c, i] = -x + bi * n_f
                    cached[c, 0] = blk
                    nf[c] = n_f


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


def _dense(XS, P, R, K, task0, task1, block, M, A, B, SB, from_m, cube, rows, spins, keys,  # noqa: ANN001
           cA, cB, D, c_lo, c_hi, c_shift, c_off, t_H, c_C, c_zero, metropolis, sweep0, sites,
           dot, y, nf, bound, words, cached):
    """Sweeps of dense P-spin chains, laid out and scheduled as in :func:`_pairwise`
    (blocks of ``block`` steps).

    With ``x^mu_i = xi^mu_i s_i = +-1``, ``e_(P-1)(x^mu without i) = A(M_mu) - x^mu_i
    B(M_mu)``, where ``A`` and ``B`` (sums of the ``e_q(M)`` of even and odd
    ``P - 1 - q``) depend on the overlap only: ``D A(M)`` and ``D B(M)`` are the integer
    polynomials ``cA``, ``cB`` (highest power first, ``D = (P-1)!``). The energy change
    in units is ``x = s_i sum_mu xi^mu_i A(M_mu) - sum_mu B(M_mu)``: one multiply-add per
    pattern per attempt, as for P = 2, with ``A[c]`` in the narrowest exact type; a flip
    re-evaluates ``A`` and ``B`` of the chain's patterns (in float64, exact below 2^53)
    and its ``SB[c] = sum_mu B(M_mu)``.

    P = 3 and 4 from the overlaps alone (``from_m``; no ``A`` is kept), where the sums
    fit. A flip moves the overlaps and ``SB``, as for P = 2.

    * P = 3: ``2 A(M) = M^2 - N + 2`` and ``B(M) = M``, so ``2 sum_mu xi^mu_i A(M_mu) =
      sum_mu xi^mu_i M_mu^2 - (N - 2) r_i`` with the pattern row sums ``r_i = rows[s, i]``
      (one ``vpmullw`` more per 16 patterns than P = 2); a flip adds ``-2 s_i r_i`` to
      ``SB = sum_mu M_mu``.
    * P = 4: ``6 A(M) = M^3 - (3 N - 8) M`` and ``2 B(M) = M^2 - N + 2``, so ``6 sum_mu
      xi^mu_i A(M_mu) = sum_mu xi^mu_i M_mu^3 - (3 N - 8) h_i`` with the P = 2 field
      ``h_i = sum_mu xi^mu_i M_mu`` (both from :func:`field4`, as ``cube`` says), and a
      flip adds ``2 (K - s_i h_i)`` to ``SB`` (``(xi^mu_i)^2 = 1``).
    """
    N, Kp = spins.shape[1], M.shape[1]
    n_sweeps = sites.shape[0]
    nA, nB = cA.shape[0], cB.shape[0]
    for t in prange(task0.shape[0]):
        fa = np.empty(Kp, np.float64)
        fb = np.empty(Kp, np.float64)
        drawn = np.empty((block // 8 + 2, 4), np.uint64)
        for sw in range(n_sweeps):
            base = (sweep0 + sw) * N
            for b0 in range(0, N, block):
                b1 = min(b0 + block, N)
                for c in range(task0[t], task1[t]):
                    s = c // R
                    k0, k1, lo, hi, shift, off, C, lazy = _chain(c, keys, c_lo, c_hi, c_shift,
                                                                 c_off, c_C, c_zero)
                    w4, first = _uniforms(base, b0, b1, lazy, k0, k1, drawn, words, c)
                    blk = cached[c, 0]
                    n_f = nf[c]
                    for step in range(b0, b1):
                        i = sites[sw, step]
                        if lazy and y[c, i] - bound * n_f >= hi:
                            continue
                        si = np.int64(spins[c, i])
                        h1 = np.int64(0)
                        if from_m and P == 3:  # exact quotients: 2 A and 6 A are integers
                            x = si * ((dotv_sq(XS, s, i, M, c) - (N - 2) * rows[s, i]) // 2) - SB[c]
                        elif from_m:
                            h1, h3 = field4(XS, s, i, M, c, cube)
                            x = si * ((h3 - (3 * N - 8) * h1) // 6) - SB[c]
                        else:
                            x = si * dot(XS, s, i, A, c) - SB[c]
                        if lazy:
                            y[c, i] = x + bound * n_f
                        if x >= hi:
                            continue
                        flip, blk = decide(x, base + step, k0, k1, w4, first, blk, lo, hi, shift,
                                           off, t_H, C, lazy, metropolis)
                        if not flip:
                            continue
                        spins[c, i] = -si
                        if lazy:
                            n_f += 1
                            y[c, i] = -x + bound * n_f
                        if from_m:
                            _vaxpy(M, c, -2 * si, XS, s, i)
                            SB[c] += -2 * si * rows[s, i] if P == 3 else 2 * (K - si * h1)
                            continue
                        if P == 3 or P == 4:
                            _dense_flip_34(P, N, XS, s, i, si, M, A, SB, c)
                            continue
                        # other P: new overlaps, then A and B of every pattern, pass by pass
                        _vaxpy(M, c, -2 * si, XS, s, i)
                        fa[:] = cA[0]
                        fb[:] = cB[0]
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
                    cached[c, 0] = blk
                    nf[c] = n_f


dense_parallel = njit(cache=True, parallel=True)(_dense)
dense_serial = njit(cache=True)(_renamed(_dense, "_dense_serial"))
