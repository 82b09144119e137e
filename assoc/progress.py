"""Progress bars for long theory runs: shown on a terminal, silent elsewhere.

:func:`progress` wraps an iterable in a ``tqdm`` bar (with an ETA) when tqdm is installed
(the ``campaign`` extra), standard error is a terminal, and neither pytest is running
(``PYTEST_CURRENT_TEST``) nor ``ASSOC_PROGRESS=0`` is set; otherwise it returns the iterable
unchanged, so tests, pipes and batch logs stay silent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["progress", "enabled"]


def enabled() -> bool:
    """Whether :func:`progress` would draw a bar here."""
    if os.environ.get("ASSOC_PROGRESS", "").lower() in ("0", "off", "false", "no"):
        return False
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(items: Iterable[Any], *, desc: str, total: int | None = None,
             unit: str = "it") -> Iterable[Any]:
    """``items``, with a tqdm bar labelled ``desc`` where :func:`enabled`."""
    if not enabled():
        return items
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr, smoothing=0.1)
