"""Acceptance as a comparison of integers: threshold tables for the compiled engines.

The NumPy engine (:mod:`montecarlo.engine_numpy`) flips a spin iff ``x < t(h)``: ``x`` is
the energy change in integer units (``dE = unit * x``) and ``t(h)`` the integer threshold
that the update rule draws from the chain's 32-bit Philox half ``h``
(:meth:`~montecarlo.dynamics.UpdateRule.integer_thresholds`). For one temperature ``t`` is
monotone in ``h`` (non-increasing for Glauber, non-decreasing for Metropolis; the
portable logarithm of :mod:`montecarlo.variates` errs by under one ulp, far less than the
change of its argument between neighbouring ``h``). Writing ``h' = h ^ mask`` with
``mask = 0`` (Glauber) or ``2^32 - 1`` (Metropolis), ``t`` is non-increasing in ``h'``,
and for every integer ``x``

``x < t(h)``  iff  ``h' < H(x)``,  ``H(x) = min {h' : t(h') <= x}`` (non-increasing in x).

With ``lo = t(h' = 2^32 - 1)`` and ``hi = t(h' = 0)``, every ``x < lo`` flips and every
``x >= hi`` does not, whatever ``h``; only ``lo <= x < hi`` needs the uniform. A
:class:`ThresholdTable` stores ``H`` on the grid ``x_j = lo + j g``: with ``g = 1`` it
decides every ``x`` by one comparison of integers; with ``g > 1`` (wide ranges: high T,
dense networks) ``H(x_(j+1)) <= H(x) <= H(x_j)`` decides all ``h'`` outside that
bracket, and the few inside (a fraction about ``g / (4 T / unit)`` of them) are decided
by evaluating ``t(h)`` itself, bit for bit as the NumPy engine does. Either way the
decision is the NumPy engine's, exactly; no ``exp`` or ``log`` is evaluated on the
common path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .dynamics import Metropolis, UpdateRule

__all__ = ["ThresholdTable", "threshold_table", "thresholds_of_halves", "MAX_ENTRIES"]

#: Largest table (entries of 4 bytes): 256 KiB, resident in a core's L2 cache.
MAX_ENTRIES = 2**16
_TOP = 2**32 - 1


def thresholds_of_halves(rule: UpdateRule, h: np.ndarray, T: float, unit: float) -> np.ndarray:
    """The NumPy engine's integer thresholds ``t(h)`` (unclipped) for 32-bit halves ``h``."""
    u = (np.asarray(h, dtype=np.float64) + 0.5) * 2.0**-32  # as PhiloxStream forms them
    t = rule.integer_thresholds(u, np.float64(T), unit, bound=2.0**62)
    return t.astype(np.int64)


@dataclass(frozen=True)
class ThresholdTable:
    """``H`` on the grid ``lo + j g`` for one rule, temperature and unit (module docstring).

    Attributes
    ----------
    lo, hi : every ``x < lo`` flips; every ``x >= hi`` does not.
    g : grid step, a power of two (1: exact table).
    H : uint32 of length ``ceil((hi - lo) / g) + 1``, ``H[j] = H(lo + j g)``.
    mask : 0 (Glauber) or ``2^32 - 1`` (Metropolis), applied to ``h`` before comparing.
    C : ``T / unit``, the factor of the variate in ``t``; zero : T == 0.
    """

    lo: int
    hi: int
    g: int
    H: np.ndarray
    mask: int
    C: float
    zero: bool


@lru_cache(maxsize=256)
def threshold_table(rule: UpdateRule, T: float, unit: float) -> ThresholdTable:
    """The table of ``rule`` at temperature ``T`` for energies in units of ``unit``.

    Built by bisection on ``h'`` with the NumPy engine's own thresholds
    (:func:`thresholds_of_halves`), 33 evaluations per entry; cached per process.
    """
    mask = _TOP if isinstance(rule, Metropolis) else 0

    def t_of(hp: np.ndarray) -> np.ndarray:
        return thresholds_of_halves(rule, np.asarray(hp, dtype=np.uint64) ^ np.uint64(mask),
                                    T, unit)

    lo, hi = (int(v) for v in t_of(np.array([_TOP, 0])))
    if hi < lo:
        raise AssertionError(f"thresholds of {rule!r} are not monotone in h at T = {T}")
    span = hi - lo
    g = 1  # a power of two: the kernels locate x by a shift
    while -(-span // g) + 1 > MAX_ENTRIES:
        g *= 2
    x = lo + g * np.arange(-(-span // g) + 1, dtype=np.int64)
    # H(x) = min {h' : t(h') <= x}: bisection on [a, b] with t(b) <= x (b = 2^32 - 1 works
    # for x >= lo); t(a - 1) > x is kept as the invariant a - 1 < H
    a = np.zeros(x.shape, dtype=np.int64)
    b = np.full(x.shape, _TOP, dtype=np.int64)
    while np.any(a < b):
        mid = (a + b) // 2
        ok = t_of(mid) <= x
        b = np.where(ok, mid, b)
        a = np.where(ok, a, mid + 1)
    return ThresholdTable(lo=lo, hi=hi, g=int(g), H=b.astype(np.uint32), mask=mask,
                          C=float(np.float64(T) / unit), zero=T == 0)
