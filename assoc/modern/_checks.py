"""Boundary checks shared by :mod:`assoc.modern` (STYLE 14: name the parameter and its range)."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from ..backend import get_namespace
from ..errors import InputTypeError
from ..seeding import normalize_seed
from ..validation import brief as _short
from ..validation import check_int, check_real, check_scalar

__all__ = ["check_beta", "check_patterns", "check_state", "prepare", "prepare_patterns",
           "as_real_array", "check_scores", "check_axis", "check_int_array", "check_int_grid",
           "check_index", "check_float_dtype", "check_seed",
           "check_optional_tol", "check_finite"]



def as_real_array(name: str, value: Any, xp: ModuleType | None = None,
                  what: str = "an array of real numbers") -> Any:
    """``value`` as an array of ``xp`` (its own namespace by default) with an integer or
    floating dtype.

    Raises
    ------
    assoc.errors.InputTypeError
        (a TypeError and a ValueError) naming ``name`` for None, strings, bytes, ragged
        nested sequences and arrays of booleans, complex numbers, strings or objects
        (``np.asarray(['a'])`` would fail later with a message that names nothing, and
        complex values would lose their imaginary part silently).
    """
    if value is None or isinstance(value, (str, bytes)):
        raise InputTypeError(f"{name} must be {what} (got {_short(value)})")
    if xp is None:
        xp = get_namespace(value)
    try:
        arr = xp.asarray(value)
    except (TypeError, ValueError) as e:
        raise InputTypeError(f"{name} must be {what} (got {_short(value)}: {e})") from None
    if arr.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must be {what} (got dtype {arr.dtype}: {_short(value)})")
    return arr


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
    check_finite(name, xi, xp)
    return xi


def check_finite(name: str, a: Any, xp: ModuleType) -> None:
    """Refuse NaN and infinities in ``a``, naming the first such element and its index."""
    bad = ~xp.isfinite(a)
    if bool(bad.any()):
        flat = int(xp.argmax(bad.reshape(-1)))
        idx = tuple(int(k) for k in np.unravel_index(flat, tuple(a.shape)))
        raise ValueError(
            f"{name} must be finite (it holds NaN or inf: {name}[{', '.join(map(str, idx))}] "
            f"= {float(a.reshape(-1)[flat])})"
        )


def prepare(xi: Any, X: Any, beta: Any) -> tuple[ModuleType, Any, Any, float]:
    """Validate ``(xi, X, beta)`` together; return ``(xp, xi, X, beta)`` (common float dtype)."""
    xp = get_namespace(xi, X)
    X = as_real_array("X", X, xp, "a 2-d array of real stored patterns with shape (N, d)")
    xi = as_real_array("xi", xi, xp, "an array of real states with shape (..., d)")
    dtype = _float_dtype(xp, xi, X)
    X = check_patterns(X, xp, dtype)
    xi = check_state(xi, X.shape[1], xp, dtype)
    return xp, xi, X, check_beta(beta)


def prepare_patterns(X: Any, name: str = "X") -> tuple[ModuleType, Any]:
    """Validate stored patterns alone; return ``(xp, X)`` with a floating dtype."""
    xp = get_namespace(X)
    X = as_real_array(name, X, xp, "a 2-d array of real stored patterns with shape (N, d)")
    return xp, check_patterns(X, xp, _float_dtype(xp, X), name)


def check_scores(name: str, v: Any) -> tuple[ModuleType, Any]:
    """Scores for a softmax or log-sum-exp: a non-empty real array with at least one axis,
    without NaN or +inf (-inf is allowed: a removed entry); ``(xp, v)`` in a floating dtype."""
    xp = get_namespace(v)
    v = as_real_array(name, v, xp)
    if v.ndim == 0:
        raise ValueError(f"{name} must be an array with at least one axis (got a scalar)")
    if v.size == 0:
        raise ValueError(f"{name} must not be empty (got shape {tuple(v.shape)})")
    if not xp.issubdtype(v.dtype, xp.floating):
        v = v.astype(xp.float64)
    bad = xp.isnan(v) | (v == xp.inf)
    if bool(bad.any()):
        first = float(v[bad].reshape(-1)[0])
        raise ValueError(f"{name} must be real and < inf (-inf allowed) (got an element {first})")
    return xp, v


def check_axis(axis: Any, ndim: int, name: str = "axis") -> Any:
    """An axis of an array with ``ndim`` axes: an integer in ``[-ndim, ndim - 1]`` or None."""
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not (
            -ndim <= axis < ndim):
        raise ValueError(
            f"{name} must be an integer in [{-ndim}, {ndim - 1}] (an axis of an array with "
            f"{ndim} axes) or None (got {axis!r})"
        )
    return int(axis)


def check_int_array(name: str, value: Any, *, low: int | None = None) -> np.ndarray:
    """An integer or an array of integers (integral floats accepted), each >= ``low``, as a
    float64 array (booleans, NaN, infinities, non-integral values and empty arrays refused)."""
    arr = check_real(name, value, low=low)
    frac = arr != np.round(arr)
    if bool(frac.any()):
        rng = "" if low is None else f" >= {low}"
        raise ValueError(f"{name} must be an integer{rng} (got {float(arr[frac].flat[0])!r})")
    return arr


def check_int_grid(name: str, value: Any, *, low: int | None = None) -> list[int]:
    """A single integer or a non-empty 1-D sequence of integers, each >= ``low``, as a list
    of Python ints (each element checked by :func:`assoc.validation.check_int`)."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise InputTypeError(f"{name} must be an integer or a 1-d sequence of integers "
                             f"(got {_short(value)})")
    if isinstance(value, Iterator):
        value = list(value)
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as e:
        raise InputTypeError(f"{name} must be a 1-d sequence of integers ({e})") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be an integer or a 1-d sequence of integers (got shape "
                         f"{arr.shape})")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return [check_int(name, v, low=low) for v in arr]


def check_index(name: str, value: Any, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integer indices in ``[0, high]`` broadcast to ``shape`` (int64 host array)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        arr = np.asarray(int(value), dtype=np.int64)
    else:
        raw = as_real_array(name, value, np, "an integer index or an array of indices")
        if raw.dtype.kind == "f":
            raise InputTypeError(f"{name} must be an integer index or an array of integer "
                                 f"indices (got dtype {raw.dtype}: {_short(value)})")
        arr = raw.astype(np.int64)
    bad = (arr < 0) | (arr > high)
    if bool(bad.any()):
        raise ValueError(
            f"{name} must be a pattern index in [0, {high}] (got {int(arr[bad].flat[0])})"
        )
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{name} of shape {arr.shape} does not broadcast to the states' "
                         f"leading shape {shape}") from None


def check_float_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """A floating NumPy dtype (``None`` is NumPy's default, float64)."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError) as e:
        raise InputTypeError(f"{name} must be a floating dtype such as numpy.float64 "
                             f"(got {_short(dtype)}: {e})") from None
    if dt.kind != "f":
        raise ValueError(f"{name} must be a floating dtype (got {dt})")
    return dt


def check_seed(seed: Any) -> None:
    """Check a seed without drawing from it (a Generator is not advanced): an int >= 0, a
    SeedSequence, a Generator or None (:func:`assoc.seeding.normalize_seed`)."""
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return
    normalize_seed(seed)


def check_optional_tol(tol: Any, name: str = "tol") -> float | None:
    """None (the default) or a single real > 0."""
    return None if tol is None else check_scalar(name, tol, low=0.0, low_open=True)
