"""Keep glibc from returning the heap to the system between array evaluations.

A nested average evaluates its generated code on (points x outer nodes x inner nodes)
arrays: tens of temporaries of several MB each, alive together, freed together.  glibc's
default ``malloc`` hands memory above its (dynamic) trim threshold back to the kernel when
they are freed and takes it back on the next call, so every evaluation pays a page fault per
4 KB page: on the 8 x 8 Hopfield 1RSB grid 5.2 million faults and 20 of 56 s of system time
(``/usr/bin/time``; ``python benchmarks/theory_grid.py --rsb`` records the effect).

:func:`keep_heap` raises the trim threshold to ``TRIM_BYTES`` and the mmap threshold to
``MMAP_BYTES`` once per process, the first time a nested average is evaluated.  The process
then keeps up to ``TRIM_BYTES`` of freed heap for reuse (its peak memory is unchanged); arrays
above ``MMAP_BYTES`` are still mapped and unmapped directly.  Elsewhere than glibc (macOS,
musl, Windows) nothing is done.  ``ASSOC_THEORY_MALLOPT=0`` (or ``off``, ``false``, ``no``)
leaves the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

__all__ = ["ENV_VAR", "TRIM_BYTES", "MMAP_BYTES", "keep_heap"]

#: Environment variable that turns the setting off.
ENV_VAR = "ASSOC_THEORY_MALLOPT"
#: Freed heap (bytes) that glibc keeps instead of returning it to the kernel.
TRIM_BYTES = 256 << 20
#: Allocations (bytes) at and above which glibc maps memory directly.
MMAP_BYTES = 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


@functools.cache
def keep_heap() -> bool:
    """Set the thresholds (once per process); True where glibc accepted them."""
    if os.environ.get(ENV_VAR, "").strip().lower() in {"0", "off", "false", "no"}:
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    trim = bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and trim
