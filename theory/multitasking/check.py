"""Second, independent locator of the T > 0 regime boundaries (private).

:func:`theory.multitasking.regime_boundaries` follows solution branches (vectorised
Newton on the reduced site table, continuation in T, a seeded search for the global
minimum). This module re-derives the same flags by a deliberately different route, so
that every boundary it reports can be located twice:

* the average over the 3^K site configurations is a plain sum over the full product
  (no ``+-`` pairing, no merged states);
* symmetric states (``pure``, ``mixture<n>``, ``parallel``) solve the scalar equation
  ``x = E[xi_1 tanh(beta x (xi_1 + .. + xi_n))]`` with :func:`scipy.optimize.brentq`;
* local minima come from :func:`scipy.optimize.minimize` (BFGS on
  ``f(m) = |m|^2/2 - T E ln 2cosh(beta xi.m)`` with gradient ``m - E[xi tanh]``),
  polished by a few Newton steps; stability is the smallest eigenvalue of the Hessian
  ``1 - beta E[xi xi^T sech^2]`` (Agliari et al., PRL 109, 268101 (2012); module Notes
  of :mod:`theory.multitasking`, Eqs. (1)-(3));
* the global minimum is the lowest of the stable minima reached from random starts
  and simple profiles (geometric ``q^(k-1)``, equal overlaps, the T = 0 hierarchical
  state);
* a flag that changes inside a bracket is bisected.

It is meant for T > 0 (at T = 0 the second method is the exact zero-temperature map
and the enumeration of its fixed points, :mod:`theory.multitasking.zero`). It is slow
(one scipy call per start and per d) and is used by the boundary table of
``python -m papers multitasking-regimes`` and by the tests, not by the solvers.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, minimize

__all__ = ["full_table", "free_energy", "symmetric_amplitude", "local_minimum",
           "global_minimum", "label", "holds", "bisect_flag"]


@lru_cache(maxsize=32)
def _configs(K: int) -> np.ndarray:
    return np.array(list(itertools.product((-1.0, 0.0, 1.0), repeat=K))).reshape(-1, K)


def full_table(K: int, d: float) -> tuple[np.ndarray, np.ndarray]:
    """All 3^K site configurations ``X`` and their probabilities ``w`` (no reduction)."""
    X = _configs(K)
    nz = (X != 0).sum(1)
    w = d ** (K - nz) * ((1 - d) / 2) ** nz
    return X, w


def free_energy(X: np.ndarray, w: np.ndarray, m: np.ndarray, T: float
                ) -> tuple[float, np.ndarray, np.ndarray]:
    """``f``, gradient ``m - E[xi tanh(beta h)]`` and Hessian at ``m`` (T > 0)."""
    h = X @ m / T
    a = np.abs(h)
    lc = T * (a + np.log1p(np.exp(-2 * a)))  # T ln 2cosh(h/T)
    th = np.tanh(h)
    sech2 = 1.0 - th * th
    f = 0.5 * m @ m - w @ lc
    grad = m - (w * th) @ X
    hess = np.eye(m.size) - (X.T * (w * sech2)) @ X / T
    return float(f), grad, hess


def symmetric_amplitude(K: int, n: int, d: float, T: float) -> float:
    """Positive root x of ``x = E[xi_1 tanh(beta x S_n)]`` (brentq), NaN if none."""
    X, w = full_table(K, d)
    S = X[:, :n].sum(1)

    def r(x: float) -> float:
        return x - float(w @ (X[:, 0] * np.tanh(x * S / T)))

    hi = 1.0 - d
    lo = 1e-9 * hi
    if r(lo) >= 0:  # no nontrivial root: slope beta (1 - d) <= 1 at the origin
        return float("nan")
    return float(brentq(r, lo, hi + 1e-12, xtol=1e-15, rtol=1e-14))


def local_minimum(K: int, d: float, T: float, m0: np.ndarray
                  ) -> tuple[np.ndarray, float, float]:
    """BFGS from ``m0`` then Newton polish: the minimum ``m``, ``f`` and ``lambda_min``.

    A BFGS run that stops at a saddle (negative Hessian eigenvalue) is restarted a
    small step along the unstable eigenvector (up to five times).
    """
    X, w = full_table(K, d)

    def fun(m: np.ndarray) -> tuple[float, np.ndarray]:
        f, g, _ = free_energy(X, w, m, T)
        return f, g

    m = np.asarray(m0, dtype=np.float64)
    for _ in range(6):  # BFGS may stop at a saddle: step off along its unstable direction
        m = minimize(fun, m, jac=True, method="BFGS",
                     options={"gtol": 1e-11, "maxiter": 2000}).x
        lam, vec = np.linalg.eigh(free_energy(X, w, m, T)[2])
        if lam[0] > -1e-10:
            break
        m = m + 1e-3 * max(np.abs(m).max(), 1e-3) * vec[:, 0]
    for _ in range(30):
        _, g, H = free_energy(X, w, m, T)
        lam = np.linalg.eigvalsh(H)[0]
        if lam <= 1e-10 or np.abs(g).max() < 1e-15:
            break
        step = np.linalg.solve(H, g)
        m = m - step
        if np.abs(step).max() < 1e-15:
            break
    f, _, H = free_energy(X, w, m, T)
    return m, f, float(np.linalg.eigvalsh(H)[0])


def label(m: np.ndarray, zero: float = 1e-6, rtol: float = 1e-5) -> str:
    """Regime of a state by its structure (same definitions as ``phase`` in ``solve``)."""
    q = -np.sort(-np.abs(np.asarray(m, dtype=np.float64)))
    K = q.size
    n = int((q > zero).sum())
    q = q[:n]
    if n == 0:
        return "paramagnet"
    if n == 1:
        return "pure"
    if q[0] - q[-1] <= rtol * q[0]:
        return "parallel" if n == K else f"mixture{n}"
    if all(q[k] > q[k + 1:].sum() * (1 + rtol) for k in range(n - 1)):
        return "hierarchical"
    return "other"


def _starts(K: int, d: float, n_random: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    e = 1.0 - d
    out = [e * d ** np.arange(K), e * np.ones(K)]
    out += [e * q ** np.arange(K) for q in (0.2, 0.5, 0.8, 0.95)]
    out += [np.r_[e * np.ones(n), np.zeros(K - n)] * (1 + 0.02 * np.arange(K))
            for n in range(1, K)]
    for _ in range(n_random):
        v = np.abs(rng.normal(size=K))
        out.append(e * v / np.linalg.norm(v))
    return out


def global_minimum(K: int, d: float, T: float, *, n_random: int = 12, seed: int = 0
                   ) -> tuple[np.ndarray, float]:
    """Lowest stable local minimum found from :func:`_starts` (and ``m = 0`` if stable)."""
    best_m, best_f = np.zeros(K), np.inf
    if 1.0 - (1.0 - d) / T > 1e-12:  # the paramagnet is a stable minimum
        best_f = -T * np.log(2.0)
    for m0 in _starts(K, d, n_random, seed):
        m, f, lam = local_minimum(K, d, T, m0)
        if lam > 1e-9 and f < best_f - 1e-13:
            best_m, best_f = m, f
    return best_m, best_f


@lru_cache(maxsize=4096)
def _global_label(K: int, d: float, T: float, n_random: int) -> str:
    return label(global_minimum(K, d, T, n_random=n_random)[0])


def holds(K: int, d: float, T: float, branch: str, criterion: str, *, n_random: int = 12
          ) -> bool:
    """Flag ``criterion`` ({'exists', 'stable', 'global'}) of ``branch`` at (d, T > 0)."""
    if criterion == "global" or branch == "other":
        return _global_label(K, float(d), float(T), n_random) == branch
    if branch == "paramagnet":
        return True if criterion == "exists" else (1.0 - d) < T
    if branch == "hierarchical":
        m, _, lam = local_minimum(K, d, T, (1 - d) * d ** np.arange(K))
        return label(m) == "hierarchical" and lam > 1e-9
    n = 1 if branch == "pure" else K if branch == "parallel" else int(branch[7:])
    x = symmetric_amplitude(K, n, d, T)
    if not np.isfinite(x):
        return False
    if criterion == "exists":
        return True
    X, w = full_table(K, d)
    m = np.r_[x * np.ones(n), np.zeros(K - n)]
    return bool(np.linalg.eigvalsh(free_energy(X, w, m, T)[2])[0] > 1e-9)


def bisect_flag(K: int, T: float, branch: str, criterion: str, lo: float, hi: float, *,
                tol: float = 1e-7, n_random: int = 12) -> float:
    """Bisect a change of :func:`holds` inside ``[lo, hi]``; NaN if the ends agree.

    The global minimum is cached per (K, d, T): edges bisected from the same bracket
    (e.g. where one regime ends and the next begins) share their evaluations.
    """
    a = holds(K, lo, T, branch, criterion, n_random=n_random)
    b = holds(K, hi, T, branch, criterion, n_random=n_random)
    if a == b:
        return float("nan")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if holds(K, mid, T, branch, criterion, n_random=n_random) == a:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
