"""Memory budget: a point's estimated peak is checked against the machine before any work.

:func:`montecarlo.point.point_memory` estimates the peak bytes of one point from its sizes;
:func:`check_memory` compares it with :func:`available_memory` and raises
:class:`assoc.errors.InsufficientMemoryError` naming the parameter to lower, so that a size
that cannot fit is refused at once rather than failing inside NumPy (or running for a while
first).
"""

from __future__ import annotations

import os

from assoc.errors import InsufficientMemoryError

__all__ = ["available_memory", "check_memory", "format_bytes"]


def available_memory() -> int | None:
    """Bytes available to a new allocation (Linux ``MemAvailable``; else physical memory).

    None when the platform tells neither.
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def format_bytes(n: float) -> str:
    """``1536 -> '1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError  # unreachable


def check_memory(needed: int, one_sample: int, *, what: str, samples: int,
                 samples_name: str = "samples", available: int | None = None) -> None:
    """Refuse a point whose estimated peak ``needed`` exceeds the available memory.

    Parameters
    ----------
    needed : estimated peak bytes of the point with all its ``samples``.
    one_sample : the same estimate for a single sample.
    what : the point, in words (``'N = 10000000 (alpha = 0.05, K = 500000)'``).
    samples : samples per point (or per task); ``samples_name`` names that argument.
    available : bytes available; default :func:`available_memory` (no check when unknown).
    """
    available = available_memory() if available is None else available
    if available is None or needed <= available:
        return
    have = format_bytes(available)
    if one_sample > available:
        raise InsufficientMemoryError(
            f"N is too large: {what} needs about {format_bytes(one_sample)} for a single "
            f"sample and {have} are available; lower N (or the load)",
            parameter="N", needed=one_sample, available=available)
    per = (needed - one_sample) / max(samples - 1, 1)  # the estimate is affine in samples
    fit = max(1, int((available - one_sample) // max(per, 1.0)) + 1)
    raise InsufficientMemoryError(
        f"{samples_name} is too large: {what} with {samples_name} = {samples} needs about "
        f"{format_bytes(needed)} and {have} are available; use {samples_name} <= {fit}"
        + (" (a Campaign runs a point in tasks of samples_per_task samples)"
           if samples_name == "samples" else ""),
        parameter=samples_name, needed=needed, available=available)
