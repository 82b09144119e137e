"""Argument checks of the symbolic engine's public calls (STYLE 14).

The engine's users pass sympy objects (expressions, symbols, mappings of them), compiled free
energies, arrays of order parameters and mappings of controls.  Each check below returns the
argument in a normal form or raises a TypeError or ValueError naming the parameter, what it
must be, and what was received, before any work (:mod:`assoc.validation` does the same for
numbers).  A string is never sympified: ``'m'`` where a symbol is expected is refused, not
parsed.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from assoc.errors import InputTypeError
from assoc.validation import brief as _short
from assoc.validation import check_real

__all__ = ["check_expr", "check_symbol", "check_symbols", "check_mapping", "check_points",
           "check_controls", "check_fixed", "check_per_point", "check_name", "check_callable"]



def check_expr(name: str, value: Any) -> sp.Expr:
    """A sympy expression (a finite real Python or NumPy number is taken as a constant)."""
    if isinstance(value, sp.Expr):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) \
            and np.isfinite(float(value)):
        return sp.sympify(value)
    raise InputTypeError(f"{name} must be a sympy expression (got {_short(value)} of type "
                         f"{type(value).__name__})")


def check_symbol(name: str, value: Any) -> sp.Symbol:
    """A sympy Symbol (not its name)."""
    if not isinstance(value, sp.Symbol):
        raise InputTypeError(f"{name} must be a sympy Symbol (got {_short(value)} of type "
                             f"{type(value).__name__})")
    return value


def check_symbols(name: str, value: Any, *, nonempty: bool = False) -> tuple[sp.Symbol, ...]:
    """A sequence of distinct sympy Symbols (a string, even ``'m q'``, is refused)."""
    if isinstance(value, (str, bytes, sp.Basic)) or not isinstance(value, Iterable):
        raise InputTypeError(f"{name} must be a sequence of sympy Symbols (got "
                             f"{_short(value)} of type {type(value).__name__})")
    out = tuple(value)
    for v in out:
        check_symbol(f"every entry of {name}", v)
    if nonempty and not out:
        raise ValueError(f"{name} must not be empty")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct (got {list(out)})")
    return out


def check_mapping(name: str, value: Any, *, optional: bool = False) -> dict:
    """A mapping (a dict); None is an empty one where ``optional``."""
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        raise InputTypeError(f"{name} must be a mapping{' or None' if optional else ''} (got "
                             f"{_short(value)} of type {type(value).__name__})")
    return dict(value)


def check_points(name: str, value: Any, d: int, n: int | None = None) -> np.ndarray:
    """Order parameters as a finite float array of shape (n, d) (a copy)."""
    arr = check_real(name, value)
    if arr.ndim != 2 or arr.shape[1] != d or (n is not None and arr.shape[0] != n):
        want = f"({'n' if n is None else n}, {d})"
        raise ValueError(f"{name} must have shape {want}, one row per point and one column "
                         f"per order parameter (got shape {arr.shape})")
    return arr.copy()


def check_controls(name: str, value: Any, cf: Any, n: int,
                   *, exclude: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The controls of the compiled free energy ``cf`` (all of them but ``exclude``), each
    finite and broadcastable to (n,); a missing or unknown name is refused."""
    got = check_mapping(name, value)
    want = [c for c in cf.control_names if c not in exclude]
    unknown = sorted(set(map(str, got)) - set(want))
    missing = [c for c in want if c not in got]
    if unknown or missing:
        raise ValueError(f"{name} must give exactly the controls {want} of {cf.model.name}"
                         + (f"; missing {missing}" if missing else "")
                         + (f"; unknown {unknown}" if unknown else ""))
    return {c: check_per_point(f"{name}[{c!r}]", got[c], n) for c in want}


def check_fixed(name: str, value: Any, cf: Any, n: int) -> dict[str, np.ndarray]:
    """Order parameters of the compiled free energy ``cf`` held at finite values
    (broadcastable to (n,)); None is none."""
    got = check_mapping(name, value, optional=True)
    for k in got:
        check_name(f"every key of {name}", k, cf.names, "order parameters")
    return {k: check_per_point(f"{name}[{k!r}]", v, n) for k, v in got.items()}


def check_per_point(name: str, value: Any, n: int) -> np.ndarray:
    """Finite reals broadcast to shape (n,): one value per point."""
    arr = check_real(name, value)
    try:
        return np.broadcast_to(arr, (n,))
    except ValueError:
        raise ValueError(f"{name} must be a number or an array of shape ({n},) (got shape "
                         f"{arr.shape})") from None


def check_name(name: str, value: Any, names: tuple[str, ...], what: str) -> str:
    """One of ``names`` (the model's order parameters or controls, named by ``what``)."""
    if not isinstance(value, str) or value not in names:
        raise ValueError(f"{name} must be one of the {what} {list(names)} (got "
                         f"{_short(value)})")
    return value


def check_callable(name: str, value: Any) -> Any:
    """A callable or None."""
    if value is not None and not callable(value):
        raise InputTypeError(f"{name} must be callable or None (got {_short(value)})")
    return value
