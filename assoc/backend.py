"""Array-backend dispatch: NumPy always, CuPy imported lazily (STYLE 4).

The rule: the namespace follows the arrays given; an explicit ``backend``
argument wins where no arrays decide it; mixing NumPy and CuPy arrays is an
error; results are converted to NumPy only at the Dataset boundary
(:func:`to_numpy`).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["get_namespace", "resolve_backend", "has_cupy", "to_numpy", "BACKENDS", "blas_threads"]

BACKENDS = ("numpy", "cupy", "auto")


def _cupy() -> ModuleType | None:
    try:
        cp = importlib.import_module("cupy")
    except Exception:  # ImportError, or a CUDA runtime error on import
        return None
    return cp


def has_cupy() -> bool:
    """True when CuPy imports and at least one CUDA device is visible."""
    cp = _cupy()
    if cp is None:
        return False
    try:
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def _is_cupy_array(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"


def resolve_backend(backend: str = "numpy") -> ModuleType:
    """Return the array module for ``backend`` in {'numpy', 'cupy', 'auto'}.

    'auto' is CuPy when a device is present, NumPy otherwise. 'cupy' without
    CuPy raises a ValueError that says how to install it.
    """
    if backend == "numpy":
        return np
    if backend == "auto":
        return _cupy() if has_cupy() else np
    if backend == "cupy":
        if not has_cupy():
            raise ValueError(
                "backend='cupy' needs CuPy and a CUDA device (pip install 'assoc-memory[gpu]')"
            )
        return _cupy()  # type: ignore[return-value]
    raise ValueError(f"backend must be one of 'numpy', 'cupy', 'auto' (got {backend!r})")


def get_namespace(*arrays: Any, backend: str | None = None) -> ModuleType:
    """Array module of ``arrays`` (NumPy or CuPy); ``backend`` decides when none are CuPy.

    Raises
    ------
    ValueError
        When the arrays mix NumPy and CuPy, or contradict ``backend``.
    """
    kinds = {_is_cupy_array(a) for a in arrays if a is not None and hasattr(a, "shape")}
    if kinds == {True, False}:
        raise ValueError("arrays mix NumPy and CuPy; move them to one backend first")
    if True in kinds:
        if backend == "numpy":
            raise ValueError("backend='numpy' given with CuPy arrays")
        return _cupy()  # type: ignore[return-value]
    if backend is None or backend == "numpy":
        return np
    if kinds == {False} and backend == "cupy":
        return resolve_backend("cupy")
    return resolve_backend(backend)


def to_numpy(x: Any) -> np.ndarray:
    """Copy a CuPy array to the host; NumPy arrays pass through."""
    if _is_cupy_array(x):
        return x.get()
    return np.asarray(x)


@cache
def _threadpool_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # inspects the loaded libraries once


@contextlib.contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit the BLAS thread pools to ``n`` threads inside the block (``None``: leave them).

    The Monte Carlo engines issue many small matrix products; a multithreaded BLAS gains
    little on those and, when the cores are shared (several workers, a loaded machine),
    its spinning threads can slow them down by orders of magnitude. Parallelism comes from
    chains and workers instead.
    """
    if n is None:
        yield
        return
    with _threadpool_controller().limit(limits=int(n), user_api="blas"):
        yield
