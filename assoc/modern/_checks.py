"""Boundary checks shared by :mod:`assoc.modern` (STYLE 14: name the parameter and its range)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..backend import get_namespace
from ..validation import check_real

__all__ = ["check_beta", "check_patterns", "check_state", "prepare", "prepare_patterns"]


def check_beta(beta: Any, name: str = "beta") -> float:
    """``beta`` as a Python float; it must be a finite scalar > 0."""
    arr = check_real(name, beta, low=0.0, low_open=True)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar > 0 (got an array of shape {arr.shape})")
    return float(arr)


def _float_dtype(xp: ModuleType, *arrays: Any) -> Any:
    dt = xp.result_type(*arrays)
    if xp.issubdtype(dt, xp.floating):
        return dt
    return xp.float64


def check_patterns(X: Any, xp: ModuleType, dtype: Any, name: str = "X") -> Any:
    """Stored patterns as a finite floating array of shape (N, d), N >= 1, d >= 1."""
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-d array of stored patterns with shape (N, d), one pattern per "
            f"row (got shape {tuple(X.shape)})"
        )
    if X.shape[0] == 0:
        raise ValueError(
            f"{name} must hold at least one pattern: N >= 1 (got shape {tuple(X.shape)})"
        )
    if X.shape[1] == 0:
        raise ValueError(f"{name} must have dimension d >= 1 (got shape {tuple(X.shape)})")
    X = X.astype(dtype, copy=False)
    bad = ~xp.isfinite(X)
    if bool(bad.any()):
        row = int(xp.argmax(bad.any(axis=1)))
        raise ValueError(
            f"{name} must be finite: pattern {row} holds NaN or inf (the stored patterns may "
            f"not contain NaN)"
        )
    return X


def check_state(xi: Any, d: int, xp: ModuleType, dtype: Any, name: str = "xi") -> Any:
    """State patterns as a finite floating array of shape (..., d)."""
    if xi.ndim == 0:
        raise ValueError(f"{name} must have shape (..., d) with d = {d} (got a scalar)")
    if xi.shape[-1] != d:
        raise ValueError(
            f"{name} has last dimension {xi.shape[-1]} but the stored patterns have dimension "
            f"d = {d}: {name} must have shape (..., d) for patterns X of shape (N, d)"
        )
    xi = xi.astype(dtype, copy=False)
    if not bool(xp.isfinite(xi).all()):
        raise ValueError(f"{name} must be finite (it holds NaN or inf)")
    return xi


def prepare(xi: Any, X: Any, beta: Any) -> tuple[ModuleType, Any, Any, float]:
    """Validate ``(xi, X, beta)`` together; return ``(xp, xi, X, beta)`` (common float dtype)."""
    xp = get_namespace(xi, X)
    xi = xp.asarray(xi)
    X = xp.asarray(X)
    dtype = _float_dtype(xp, xi, X)
    X = check_patterns(X, xp, dtype)
    xi = check_state(xi, X.shape[1], xp, dtype)
    return xp, xi, X, check_beta(beta)


def prepare_patterns(X: Any, name: str = "X") -> tuple[ModuleType, Any]:
    """Validate stored patterns alone; return ``(xp, X)`` with a floating dtype."""
    xp = get_namespace(X)
    X = xp.asarray(X)
    return xp, check_patterns(X, xp, _float_dtype(xp, X), name)
