"""Boundary validation: every error names the parameter and its valid range (STYLE 14)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .errors import InputTypeError

__all__ = ["check_real", "check_grid", "check_scalar", "check_int", "check_choice",
           "check_bool", "brief"]


def brief(value: Any, width: int = 80) -> str:
    """``repr(value)`` cut to ``width`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high}"
    return "finite"


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float64 array after checking every element.

    Raises
    ------
    assoc.errors.InputTypeError
        (a TypeError and a ValueError) for strings, bytes, booleans and other non-numbers
        (``np.asarray(b'1', float)`` would be 1).
    ValueError
        Naming ``name`` and the valid range, for NaN, infinities (unless
        ``allow_inf``), values outside the range, or an empty array.
    """
    rng = _interval(low, high, low_open, high_open)
    raw = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if raw is None or raw.dtype.kind not in "iuf":  # strings, bytes, bools, objects
        raise InputTypeError(f"{name} must be a real number {rng} (got {value!r})")
    arr = raw.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must be {rng}, not NaN (got {value!r})")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite and {rng} (got {value!r})")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if bad.any():
        first = float(arr[bad].flat[0])
        raise ValueError(f"{name} must be {rng} (got {first!r})")
    return arr


def check_grid(name: str, value: Any, **bounds: Any) -> np.ndarray:
    """A scalar or 1-D sequence of reals (:func:`check_real` with ``bounds``) as a 1-D float64
    array: the grid axis of a theory result."""
    arr = np.atleast_1d(check_real(name, value, **bounds))
    if arr.ndim != 1:  # (empty arrays are refused by check_real)
        raise ValueError(f"{name} must be a scalar or a 1-D array (got shape {arr.shape})")
    return arr


def check_scalar(name: str, value: Any, **bounds: Any) -> float:
    """A single real (:func:`check_real` with ``bounds``) as a float; an array is refused
    with its shape (the functions that take it compute one point)."""
    arr = check_real(name, value, **bounds)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number (got an array of shape {arr.shape}); "
                         "call once per value")
    return float(arr)


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as a Python int, rejecting non-integers, bools and out-of-range values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            raise ValueError(
                f"{name} must be an integer {_interval(low, high, False, False)} (got {value!r})"
            )
        raise ValueError(f"{name} must be an integer (got {value!r})")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        rng = _interval(low, high, False, False)
        raise ValueError(f"{name} must be an integer {rng} (got {v})")
    return v


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))} (got {value!r})")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (Python or NumPy), else raise TypeError: a string
    such as ``'no'`` or a number is not silently truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False (got {value!r})")
    return bool(value)
