"""Thermal variates from the 32-bit Philox uniforms, the same bits on every engine.

The update rules (:mod:`montecarlo.dynamics`) turn a uniform ``u = (h + 1/2) 2^-32`` (``h``
a 32-bit Philox half, :mod:`assoc.philox`) into a threshold through a logarithm: Glauber's
logistic variate ``log((1 - u)/u)`` and Metropolis' exponential variate ``-log(1 - u)``.
The floating-point ``log`` of a library is not the same everywhere: NumPy's float64
``log`` on an AVX-512 CPU differs from the C library's (which numba and a CPU without
AVX-512 use) in about 2 of 1000 arguments, by one unit in the last place, and a CUDA
``log`` differs again. A threshold rounded up to an integer then differs in rare events,
and the engines would no longer agree flip for flip.

So the engines take their logarithm from :func:`log_reduced`: fdlibm's ``__ieee754_log``
algorithm (Sun Microsystems, 1993; error below 1 ulp), written in additions,
multiplications and divisions only, after an exact split ``x = 2^k (1 + f)``. Those
operations are correctly rounded in IEEE 754 arithmetic, so the result is the same bits in
NumPy (applied to whole arrays), in numba-compiled code (which issues the same operations
one by one, without fused multiply-adds) and in CUDA C compiled with ``-fmad=false``. The
same Python function serves NumPy arrays and, compiled, the scalar kernels.

Both arguments are exact: with ``u = (h + 1/2) 2^-32``, ``1 - u = (2^32 - h - 1/2) 2^-32``
and ``(1 - u)/u = (2^33 - 2h - 1)/(2h + 1)`` (one rounding, in the division).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["log_reduced", "portable_log", "logistic_variate", "exponential_variate"]

# fdlibm e_log.c constants (ln 2 split in two; the minimax coefficients of log((1+s)/(1-s)))
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
SQRT_HALF = 0.7071067811865476  # the split keeps 1 + f in [sqrt(1/2), sqrt(2))


def log_reduced(f: Any, k: Any) -> Any:
    """``log(2^k (1 + f))`` for ``1 + f`` in ``[sqrt(1/2), sqrt(2))`` (fdlibm's algorithm).

    Only ``+ - * /`` on float64 values, in a fixed order: arrays or scalars alike, and
    the same bits wherever IEEE arithmetic is correctly rounded and not contracted.
    """
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    R = t2 + t1
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + k * _LN2_LO)) - f)


def portable_log(x: np.ndarray) -> np.ndarray:
    """Natural log of positive, finite, normal float64 ``x`` by :func:`log_reduced`.

    Agrees with a correctly rounded log to within one ulp (fdlibm's bound); NumPy code.
    """
    x = np.asarray(x, dtype=np.float64)
    m, e = np.frexp(x)  # x = m 2^e, m in [1/2, 1): exact
    low = m < SQRT_HALF
    m = np.where(low, 2.0 * m, m)
    k = (e - low).astype(np.float64)
    return log_reduced(m - 1.0, k)  # m - 1 exact (Sterbenz)


def logistic_variate(u: np.ndarray) -> np.ndarray:
    """``log((1 - u)/u)`` of the uniforms ``u`` (Glauber's threshold in units of T)."""
    u = np.asarray(u, dtype=np.float64)
    return portable_log((1.0 - u) / u)


def exponential_variate(u: np.ndarray) -> np.ndarray:
    """``-log(1 - u)`` of the uniforms ``u`` (Metropolis' threshold in units of T)."""
    u = np.asarray(u, dtype=np.float64)
    return -portable_log(1.0 - u)
