"""Separation, fixed-point spheres, retrieval-error and storage-capacity theorems.

All statements are those of Ramsauer et al., "Hopfield networks is all you need",
arXiv:2008.02217 (ICLR 2021), with the main-text theorem numbers of that version (restated
here from the paper, as the paper body is not shipped; each statement below is the one
implemented, and the tests check it numerically, including that the constants are tight
where they should be). The notation is the paper's except that the N patterns are the
rows of ``X`` (shape (N, d)).

- Separation of pattern i (Sec. 2, "Definition of the separation"):
  ``Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j``.
- Sphere around pattern i: ``S_i = {xi : ||xi - x_i|| <= 1 / (beta N M)}``,
  ``M = max_i ||x_i||``.
- Fixed point near pattern i (the "pattern x_i is stored" statement of Sec. 2, proven in
  appendix A.1; called Theorem 5 in some numberings): if
  ``Delta_i >= 2 / (beta N) + (1 / beta) ln(2 (N - 1) N beta M^2)`` then the update ``f``
  maps ``S_i`` into itself and is a contraction there, so it has a unique fixed point
  ``x_i*`` in ``S_i`` ("x_i is stored").
- One-update retrieval (Theorem 4): with ``m = max{||xi - x_i||, ||x_i* - x_i||}``,
  ``||f(xi) - x_i*|| <= ||J^m||_2 ||xi - x_i*||`` and
  ``||J^m||_2 <= 2 beta N M^2 (N - 1) exp(-beta (Delta_i - 2 m M))``.
- Exponentially small retrieval error (Theorem 5 of the main text; "Theorem 6" in some
  numberings):
  ``||f(xi) - x_i|| <= 2 eps M`` with ``eps = (N - 1) exp(-beta (Delta_i - 2 m M))``, and,
  when ``||xi - x_i|| <= 1/(2 beta M)`` and ``||x_i* - x_i|| <= 1/(2 beta M)``,
  ``||f(xi) - x_i|| <= 2 e (N - 1) M exp(-beta Delta_i)``.
- Storage capacity (Theorem 3): see :func:`capacity_bound`.

Derivation of the retrieval bound (used by the tests to check the constants): with
``p = softmax(beta X^T xi)``, ``f(xi) - x_i = sum_{j != i} p_j (x_j - x_i)``, so
``||f(xi) - x_i|| <= 2 M (1 - p_i)``, and
``1 - p_i <= sum_{j != i} exp(beta (x_j - x_i)^T xi)`` with
``(x_j - x_i)^T xi <= -Delta_i + 2 M ||xi - x_i||``. This gives the bound with
``m = ||xi - x_i||`` for *every* ``xi``; the theorem's ``m`` is larger, so its bound is
weaker and holds a fortiori. The bound is attained asymptotically by two antipodal
patterns (``x_2 = -x_1``, ``xi = x_1``, ``beta M^2 -> infinity``). Note: some summaries
of the paper write ``2 eps (N - 1) M``; the paper's Theorem 5 (and the derivation above)
has ``2 eps M`` with the factor ``N - 1`` inside ``eps``, which is what is implemented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import lambertw

from ..backend import get_namespace, to_numpy
from ..validation import check_int, check_real, check_scalar
from ._checks import (
    as_real_array,
    check_beta,
    check_finite,
    check_index,
    check_int_array,
    prepare,
    prepare_patterns,
)
from .network import iterate

__all__ = [
    "separation",
    "separation_threshold",
    "well_separated",
    "fixed_point_radius",
    "min_separated_beta",
    "RetrievalBound",
    "retrieval_error_bound",
    "pattern_fixed_points",
    "CapacityBound",
    "capacity_bound",
]

#: Exponents above this are clipped before ``exp`` (the bounds are vacuous there).
_MAX_EXPONENT = 700.0


def _norms(X: Any) -> Any:
    xp = get_namespace(X)
    return xp.sqrt((X * X).sum(axis=-1))


def _max_norm(X: Any) -> float:
    """``M = max_i ||x_i||``, which must be > 0 where it divides (the sphere radius)."""
    M = float(_norms(X).max())
    if M <= 0.0:
        raise ValueError(
            "X must hold a pattern of norm > 0: every stored pattern is zero, so M = "
            "max_i ||x_i|| = 0 and the spheres S_i (radius 1 / (beta N M)) are undefined"
        )
    return M


def separation(X: Any) -> Any:
    """Separation ``Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j`` of every pattern.

    Ramsauer et al. 2020, Sec. 2 (definition of the separation of a pattern).

    Parameters
    ----------
    X : array, shape (N, d)
        Stored patterns, one per row.

    Returns
    -------
    array, shape (N,)
        ``+inf`` for every pattern when N = 1.
    """
    xp, X = prepare_patterns(X)
    N = X.shape[0]
    if N == 1:
        return xp.full(1, xp.inf, dtype=X.dtype)
    out = xp.empty(N, dtype=X.dtype)
    step = max(1, (1 << 22) // N)
    for s in range(0, N, step):
        g = xp.matmul(X[s : s + step], X.T)
        rows = xp.arange(g.shape[0])
        diag = g[rows, rows + s].copy()
        g[rows, rows + s] = -xp.inf
        out[s : s + step] = diag - g.max(axis=1)
    return out


def separation_threshold(N: Any, M: Any, beta: float) -> Any:
    """Right-hand side of the well-separation hypothesis (Theorem 5 / Lemma A7).

    ``2 / (beta N) + (1 / beta) ln(2 (N - 1) N beta M^2)``; ``-inf`` for N = 1.

    Parameters
    ----------
    N : int or array of int
        Number of stored patterns, >= 1.
    M : float or array
        Largest pattern norm, > 0.
    beta : float
        > 0.
    """
    beta = check_beta(beta)
    N = check_int_array("N", N, low=1)
    M = check_real("M", M, low=0.0, low_open=True)
    with np.errstate(divide="ignore"):
        arg = 2.0 * (N - 1.0) * N * beta * M * M
        out = 2.0 / (beta * N) + np.log(arg) / beta
    return np.where(N <= 1, -np.inf, out)[()]


def fixed_point_radius(X: Any, beta: float) -> float:
    """Radius ``1 / (beta N M)`` of the spheres ``S_i`` around the patterns."""
    beta = check_beta(beta)
    _, X = prepare_patterns(X)
    return 1.0 / (beta * X.shape[0] * _max_norm(X))


def well_separated(X: Any, beta: float) -> Any:
    """Boolean per pattern: ``Delta_i >=`` :func:`separation_threshold` (Theorem 5)."""
    beta = check_beta(beta)
    _, X = prepare_patterns(X)
    thr = float(separation_threshold(X.shape[0], _max_norm(X), beta))
    return separation(X) >= thr


def min_separated_beta(Delta: Any, N: int, M: Any) -> np.ndarray:
    """Smallest ``beta`` on the large-beta branch for which Theorem 5's hypothesis holds.

    The hypothesis ``beta Delta - ln(beta) >= C`` with ``C = 2/N + ln(2 (N-1) N M^2)``
    holds for ``beta >= beta_+ = -W_{-1}(-Delta e^{-C}) / Delta`` (Lambert W, lower real
    branch). It also holds for tiny ``beta`` (below the other root), where ``S_i`` is
    so large that the statement is vacuous; that branch is ignored here.

    Returns
    -------
    numpy.ndarray
        ``beta_+`` (rounded up by a relative 1e-9, so that the hypothesis holds at the
        returned value in floating point); 0 where the hypothesis holds for every
        beta > 0; ``inf`` where ``Delta <= 0`` (it never holds on the large-beta branch).
    """
    N = check_int("N", N, low=2)
    Delta = check_real("Delta", to_numpy(Delta) if hasattr(Delta, "shape") else Delta,
                       allow_inf=True)
    M = check_scalar("M", M, low=0.0, low_open=True)
    C = 2.0 / N + math.log(2.0 * (N - 1) * N * M * M)
    out = np.full(Delta.shape, np.inf)
    pos = Delta > 0
    z = -Delta[pos] * np.exp(-C)
    always = z <= -1.0 / math.e
    w = np.where(always, -1.0, z)
    beta_p = np.real(lambertw(w, k=-1)) / -Delta[pos]
    out[pos] = np.where(always, 0.0, beta_p * (1.0 + 1e-9))
    return out[()]


@dataclass(frozen=True)
class RetrievalBound:
    """Bounds of one update from states ``xi`` near patterns ``x_i`` (arrays of shape (...)).

    Attributes
    ----------
    eps : array
        ``(N - 1) exp(-beta (Delta_i - 2 m M))`` with ``m`` the distance used (Theorem 5).
    bound : array
        ``2 eps M``, the bound on ``||f(xi) - x_i||``.
    distance : array
        ``m``: ``||xi - x_i||``, or ``max{||xi - x_i||, ||x_i* - x_i||}`` when the fixed
        point was given (the theorem's form).
    hypothesis : array of bool
        Pattern ``i`` is well separated (:func:`well_separated`) and ``xi`` lies in
        ``S_i`` (and so does ``x_i*``, when given).
    jacobian_bound : array or None
        ``2 beta N M^2 eps``, Theorem 4's bound on ``||J^m||_2`` (only with a fixed point).
    fixed_point_bound : array or None
        ``jacobian_bound * ||xi - x_i*||``, Theorem 4's bound on ``||f(xi) - x_i*||``.
    radius : float
        ``1 / (beta N M)``.
    """

    eps: Any
    bound: Any
    distance: Any
    hypothesis: Any
    jacobian_bound: Any
    fixed_point_bound: Any
    radius: float


def retrieval_error_bound(
    xi: Any, X: Any, beta: float, i: Any, *, fixed_point: Any = None
) -> RetrievalBound:
    """One-update retrieval-error bounds of Theorems 4 and 5 (Ramsauer et al. 2020).

    Parameters
    ----------
    xi : array, shape (..., d)
        States, each meant to retrieve the pattern ``X[i]``.
    X : array, shape (N, d)
        Stored patterns, one per row.
    beta : float
        > 0.
    i : int or array of int broadcastable to ``xi.shape[:-1]``
        Index of the target pattern of each state.
    fixed_point : array, shape (..., d), optional
        The fixed points ``x_i*`` (e.g. from :func:`pattern_fixed_points`). With it the
        theorem's ``m = max{||xi - x_i||, ||x_i* - x_i||}`` is used and Theorem 4's
        bounds are computed; without it ``m = ||xi - x_i||`` (valid for every ``xi``,
        see the module notes).

    Returns
    -------
    RetrievalBound

    Notes
    -----
    ``eps = (N - 1) exp(-beta (Delta_i - 2 m M))`` and ``||f(xi) - x_i|| <= 2 eps M``
    (Theorem 5); ``||f(xi) - x_i*|| <= 2 beta N M^2 eps ||xi - x_i*||`` (Theorem 4).
    Exponents above 700 are clipped (the bound exceeds the trivial ``2 M`` there).
    """
    xp, xi, X, beta = prepare(xi, X, beta)
    N = X.shape[0]
    lead = xi.shape[:-1]
    idx = check_index("i", to_numpy(i) if hasattr(i, "shape") else i, N - 1, lead)
    if fixed_point is not None:
        fixed_point = as_real_array("fixed_point", fixed_point, xp,
                                    "an array of real states with the shape of xi")
        if fixed_point.shape != xi.shape:
            raise ValueError(
                f"fixed_point must have the shape of xi {tuple(xi.shape)} "
                f"(got {tuple(fixed_point.shape)})"
            )
        fixed_point = fixed_point.astype(X.dtype, copy=False)
        check_finite("fixed_point", fixed_point, xp)
    idx_x = xp.asarray(idx)
    norms = _norms(X)
    M = float(norms.max())
    Delta = separation(X)[idx_x]
    target = X[idx_x]
    m = _norms(xi - target)
    radius = 1.0 / (beta * N * M)
    thr = float(separation_threshold(N, M, beta))
    hyp = (Delta >= thr) & (m <= radius)
    jac = fpb = None
    if fixed_point is not None:
        mf = _norms(fixed_point - target)
        hyp = hyp & (mf <= radius)
        m = xp.maximum(m, mf)
    if N == 1:
        eps = xp.zeros(lead, dtype=X.dtype)
    else:
        expo = math.log(N - 1) - beta * (Delta - 2.0 * m * M)
        eps = xp.exp(xp.minimum(expo, _MAX_EXPONENT))
    bound = 2.0 * eps * M
    if fixed_point is not None:
        jac = 2.0 * beta * N * M * M * eps
        fpb = jac * _norms(xi - fixed_point)
    return RetrievalBound(
        eps=eps, bound=bound, distance=m, hypothesis=hyp, jacobian_bound=jac,
        fixed_point_bound=fpb, radius=radius,
    )


def pattern_fixed_points(
    X: Any, beta: float, *, max_steps: int = 1000, tol: float | None = None
) -> tuple[Any, Any, Any]:
    """Fixed points ``x_i*`` reached by iterating the update from every pattern ``x_i``.

    Returns
    -------
    fixed_points : array, shape (N, d)
    distance : array, shape (N,)
        ``||x_i* - x_i||``; Theorem 5 asserts ``<= 1 / (beta N M)`` for well-separated
        patterns.
    converged : array of bool, shape (N,)
    """
    res = iterate(X, X, beta, max_steps=max_steps, tol=tol)
    Xa = get_namespace(res.xi).asarray(X, dtype=res.xi.dtype)
    return res.xi, _norms(res.xi - Xa), res.converged


@dataclass(frozen=True)
class CapacityBound:
    """Constants of the storage-capacity Theorem 3 (arrays broadcast over the inputs).

    Attributes
    ----------
    c : array
        ``b / W_0(exp(a + ln b))``.
    a, b : array
        ``a = 2/(d-1) (1 + ln(2 beta K^2 p (d-1)))``, ``b = 2 K^2 beta / 5``.
    n_patterns : array
        ``sqrt(p) c^((d-1)/4)``: with probability >= 1 - p at least this many random
        patterns can be stored (each is well separated, so it has a fixed point in its
        sphere S_i).
    c_min : array
        ``(2 / sqrt(p))^(4/(d-1))``; the theorem needs ``c >= c_min``.
    valid : array of bool
        ``c >= c_min``.
    M : array
        Radius ``K sqrt(d - 1)`` of the sphere on which the patterns are drawn.
    """

    c: Any
    a: Any
    b: Any
    n_patterns: Any
    c_min: Any
    valid: Any
    M: Any


def capacity_bound(beta: Any, K: Any, d: Any, p: Any) -> CapacityBound:
    """Storage capacity of the modern Hopfield network (Ramsauer et al. 2020, Theorem 3).

    Theorem 3: for a failure probability ``0 < p <= 1`` and N patterns drawn uniformly on
    the sphere of radius ``M = K sqrt(d - 1)`` in ``R^d``, define
    ``a = 2/(d - 1) (1 + ln(2 beta K^2 p (d - 1)))``, ``b = 2 K^2 beta / 5`` and
    ``c = b / W_0(exp(a + ln(b)))`` (``W_0`` the upper branch of the Lambert W function)
    and ensure ``c >= (2 / sqrt(p))^(4/(d - 1))``. Then with probability ``1 - p`` the
    number of random patterns that can be stored is ``N >= sqrt(p) c^((d-1)/4)``.

    Parameters
    ----------
    beta : float or array
        Inverse temperature, > 0.
    K : float or array
        Pattern-radius constant (patterns have norm ``K sqrt(d-1)``), > 0. (Not the
        number of patterns: this is the paper's symbol.)
    d : int or array
        Pattern dimension, >= 2.
    p : float or array
        Failure probability in (0, 1].

    Returns
    -------
    CapacityBound

    Examples
    --------
    The two cases quoted after Theorem 3 (c >= 3.1546 and c >= 1.3718):

    >>> round(float(capacity_bound(1.0, 3.0, 20, 0.001).c), 4)
    3.1546
    >>> float(capacity_bound(1.0, 1.0, 75, 0.001).c)  # the paper truncates to 1.3718
    1.3718777692166493
    """
    beta = check_real("beta", beta, low=0.0, low_open=True)
    K = check_real("K", K, low=0.0, low_open=True)
    d = check_int_array("d", d, low=2)
    p = check_real("p", p, low=0.0, high=1.0, low_open=True)
    dm1 = d - 1.0
    a = 2.0 / dm1 * (1.0 + np.log(2.0 * beta * K * K * p * dm1))  # Theorem 3
    b = 2.0 * K * K * beta / 5.0
    c = b / np.real(lambertw(np.exp(a + np.log(b)), k=0))
    n = np.sqrt(p) * c ** (dm1 / 4.0)
    c_min = (2.0 / np.sqrt(p)) ** (4.0 / dm1)
    return CapacityBound(
        c=c[()], a=a[()], b=b[()], n_patterns=n[()], c_min=c_min[()], valid=(c >= c_min)[()],
        M=(K * np.sqrt(dm1))[()],
    )

