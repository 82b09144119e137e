"""Types of fixed points of the modern Hopfield network (Ramsauer et al. 2020, Sec. 2-3).

A fixed point ``xi* = X softmax(beta X^T xi*)`` is a weighted average of the stored
patterns. Ramsauer et al. distinguish three kinds:

- ``'single'``: the softmax puts (almost) all its mass on one pattern, and the fixed
  point lies near that pattern (well-separated patterns, large ``beta``; Theorem 5 of
  :mod:`assoc.modern.theorems`);
- ``'metastable'``: the mass is spread over a subset of similar patterns, and the fixed
  point is near their average;
- ``'global'``: the mass is spread over (almost) all patterns, and the fixed point is near
  the arithmetic mean of the patterns (small ``beta`` or patterns that are not separated).

The size of the subset is measured as in the paper's analysis of attention heads
(Ramsauer et al. 2020, Sec. 3 "Transformers": "the number k of patterns that are needed to
sum up to 90% of the softmax mass"): ``k`` is the smallest number of the largest softmax
weights whose sum reaches ``mass`` (default 0.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..validation import check_bool, check_int, check_scalar
from ._checks import as_real_array, check_optional_tol, prepare
from .network import iterate

__all__ = ["FixedPointClassification", "mass_count", "classify_fixed_point", "KINDS"]

#: The labels of :func:`classify_fixed_point`, by integer code.
KINDS: tuple[str, ...] = ("single", "metastable", "global")

#: Rounding slack of the cumulative mass: ``cumsum >= mass - _MASS_SLACK`` counts as reached.
_MASS_SLACK = 1e-12


def mass_count(p: Any, mass: float = 0.9) -> np.ndarray:
    """Smallest number of the largest weights of ``p`` holding ``mass`` of the total.

    Parameters
    ----------
    p : array, shape (..., N)
        Probability vectors (rows of softmax weights) along the last axis: finite, >= 0,
        each row with a positive sum (rows are normalised here).
    mass : float
        In (0, 1].

    Returns
    -------
    numpy.ndarray of int64, shape (...)
        ``k`` with ``sum of the k largest p >= mass`` (up to a rounding slack of 1e-12).
    """
    mass = check_scalar("mass", mass, low=0.0, high=1.0, low_open=True)
    p = as_real_array("p", to_numpy(p) if hasattr(p, "shape") else p, np,
                      "an array of weights >= 0 with shape (..., N)")
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"p must have shape (..., N) with N >= 1 weights along the last axis "
                         f"(got shape {p.shape})")
    if not bool(np.isfinite(p).all()) or bool((p < 0).any()):
        raise ValueError("p must hold finite weights >= 0 (it holds NaN, inf or a negative "
                         "weight)")
    if bool((p.sum(axis=-1) <= 0).any()):
        raise ValueError("p must have a positive sum along the last axis (a row of p is all "
                         "zero)")
    srt = -np.sort(-p, axis=-1)
    cum = np.cumsum(srt, axis=-1) / srt.sum(axis=-1, keepdims=True)
    reached = cum >= mass - _MASS_SLACK
    return (np.argmax(reached, axis=-1) + 1).astype(np.int64)


@dataclass(frozen=True)
class FixedPointClassification:
    """Result of :func:`classify_fixed_point` (host NumPy arrays except ``fixed_point``).

    Attributes
    ----------
    kind : numpy.ndarray of str, shape (...)
        ``'single'``, ``'metastable'`` or ``'global'`` (see :data:`KINDS`).
    code : numpy.ndarray of int, shape (...)
        Index of ``kind`` in :data:`KINDS`.
    k : numpy.ndarray of int, shape (...)
        Number of largest softmax weights holding ``mass`` of the softmax mass.
    top : numpy.ndarray of int, shape (...)
        Index of the pattern with the largest weight.
    fixed_point : array, shape (..., d)
        The classified states (on the input backend).
    converged : numpy.ndarray of bool, shape (...)
        Whether the iteration to the fixed point met its stopping rule (True when
        ``iterate_first`` is False).
    n_patterns : int
        N.
    mass : float
    """

    kind: np.ndarray
    code: np.ndarray
    k: np.ndarray
    top: np.ndarray
    fixed_point: Any
    converged: np.ndarray
    n_patterns: int
    mass: float


def classify_fixed_point(
    xi: Any,
    X: Any,
    beta: float,
    *,
    mass: float = 0.9,
    global_fraction: float = 0.5,
    iterate_first: bool = True,
    max_steps: int = 1000,
    tol: float | None = None,
) -> FixedPointClassification:
    """Classify the fixed points reached from ``xi`` as single, metastable or global.

    Parameters
    ----------
    xi : array, shape (..., d)
        Starting states (or fixed points, with ``iterate_first=False``).
    X : array, shape (N, d)
        Stored patterns, one per row.
    beta : float
        Inverse temperature, > 0.
    mass : float
        Softmax mass defining the subset size ``k`` (paper: 0.9), in (0, 1].
    global_fraction : float
        A fixed point is ``'global'`` when ``k > global_fraction * N``; in (0, 1).
    iterate_first : bool
        Iterate :func:`assoc.modern.network.iterate` to convergence before classifying
        (default); otherwise classify ``xi`` as given.
    max_steps, tol
        Passed to :func:`assoc.modern.network.iterate`.

    Returns
    -------
    FixedPointClassification
        With ``kind = 'single'`` if ``k == 1``, ``'global'`` if ``k > global_fraction * N``
        and ``'metastable'`` otherwise, ``k`` computed from
        ``p = softmax(beta X^T xi*)`` (Ramsauer et al. 2020, Eq. (3)).

    Notes
    -----
    For uniform weights ``k = ceil(mass N)``, so the global average is ``'global'`` for
    every N >= 2 with the default thresholds; for N = 1 every state is ``'single'``.
    Ramsauer et al. 2020, Sec. 2 (three kinds of fixed points) and Sec. 3 (the 90%-mass
    count used to classify attention heads).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(4)
    >>> classify_fixed_point(X[0], X, beta=50.0).kind.item()
    'single'
    >>> classify_fixed_point(X[0], X, beta=0.01).kind.item()
    'global'
    """
    mass = check_scalar("mass", mass, low=0.0, high=1.0, low_open=True)
    global_fraction = check_scalar("global_fraction", global_fraction, low=0.0, high=1.0,
                                   low_open=True, high_open=True)
    iterate_first = check_bool("iterate_first", iterate_first)
    max_steps = check_int("max_steps", max_steps, low=1)
    tol = check_optional_tol(tol)
    xp, xi, X, beta = prepare(xi, X, beta)
    N = X.shape[0]
    if iterate_first:
        res = iterate(xi, X, beta, max_steps=max_steps, tol=tol)
        fp, converged = res.xi, to_numpy(res.converged)
    else:
        fp, converged = xi, np.ones(xi.shape[:-1], dtype=bool)
    a = xp.matmul(fp * beta, X.T)
    a -= a.max(axis=-1, keepdims=True)
    xp.exp(a, out=a)
    a /= a.sum(axis=-1, keepdims=True)
    p = to_numpy(a)
    k = mass_count(p, mass)
    code = np.asarray(np.where(k == 1, 0, np.where(k > global_fraction * N, 2, 1)))
    kind = np.asarray(KINDS)[code]
    return FixedPointClassification(
        kind=kind,
        code=code,
        k=k,
        top=np.argmax(p, axis=-1),
        fixed_point=fp,
        converged=converged,
        n_patterns=N,
        mass=mass,
    )
