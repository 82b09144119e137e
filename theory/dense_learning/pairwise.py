"""The pairwise (P = 2) cross-talk of networks trained on examples, in closed form where the
signal is absent (private; see :mod:`theory.dense_learning.models`, "P = 2").

The cross-talk of the other archetypes is a sum of AGS channels ``(L_k, lam_k)``
(:func:`theory.dense_learning.common.channels`).  With the susceptibility
``C = beta (1 - q)`` (finite at T = 0) and ``D_k = 1 - lam_k C``, its conjugate is
``p = q sum_k L_k lam_k^2/D_k^2`` and the field noise ``sqrt(alpha p) z``.  Here: that p,
the susceptibility of a state given its signal (the seed of the retrieval and example
states), and the two states without signal, the spin glass and the paramagnet, with the
glass transition ``T_g``: ``alpha sum_k L_k lam_k^2/(T_g - lam_k)^2 = 1``, ``T_g > lam_1``
(``lam (1 + sqrt(alpha))`` supervised; Hopfield's ``1 + sqrt(alpha)`` at r = 1).  At
r = 1 the spin glass and paramagnet are those of :func:`theory.hopfield.solve`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._numerics.quadrature import gauss_moments
from .._numerics.solver import CONVERGED, NO_SOLUTION, bracket_root
from ..dense.branches import beta_of

#: Smallest q of a spin glass (below it, it is the paramagnet).
Q_MIN = 1e-9
#: Relative margin kept from the pole ``C = 1/lam`` of the channel of largest variance.
POLE_MARGIN = 1e-12


def _channel_sum(C: Any, lam: Any, lamx: Any, L: Any) -> np.ndarray:
    """``sum_k L_k lam_k^2/D_k^2 = lam^2/(1 - lam C)^2 + L lamx^2/(1 - lamx C)^2``."""
    C = np.asarray(C, dtype=float)
    return lam**2 / (1.0 - lam * C) ** 2 + L * lamx**2 / (1.0 - lamx * C) ** 2


def conjugate(C: Any, T: Any, lam: Any, lamx: Any, L: Any) -> np.ndarray:
    """``p = q sum_k L_k lam_k^2/D_k^2``, ``q = 1 - C T``."""
    return (1.0 - np.asarray(C, dtype=float) * T) * _channel_sum(C, lam, lamx, L)


def susceptibility(signal: np.ndarray, weights: np.ndarray, extra: np.ndarray,
                   alpha: np.ndarray, T: np.ndarray, lam: np.ndarray, lamx: np.ndarray,
                   L: np.ndarray) -> np.ndarray:
    """The root C of ``C = E_atoms beta E_z sech^2(beta (signal + sqrt(extra + alpha p(C)) z))``
    per row, the signals fixed: bracketed in ``(0, min(1/lam, beta))``, where the difference
    goes from ``<= 0`` to ``> 0`` (at the upper end the noise diverges, or q = 0).

    ``signal`` and ``weights`` (n, atoms); the rest (n,).  NaN where it did not converge.
    """
    n = signal.shape[0]
    beta = beta_of(T)
    hi = np.minimum(1.0 / lam, beta) * (1.0 - POLE_MARGIN)

    def g(C: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, None]:
        sig = np.sqrt(extra[j] + alpha[j] * conjugate(C, T[j], lam[j], lamx[j], L[j]))
        mo = gauss_moments(signal[j], sig[:, None], beta[j][:, None])
        return C - (weights[j] * mo.Chat).sum(axis=1), None

    res = bracket_root(g, np.zeros(n), hi, -np.ones(n), xtol=1e-15, rtol=1e-14)
    return np.where(res.status == CONVERGED, res.x, np.nan)


def glass_temperature(alpha: Any, lam: Any, lamx: Any, L: Any) -> np.ndarray:
    """``T_g``: ``alpha (lam^2/(T - lam)^2 + L lamx^2/(T - lamx)^2) = 1`` above ``lam``;
    ``lam`` at alpha = 0."""
    alpha, lam, lamx, L = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                                for x in (alpha, lam, lamx, L)))
    alpha, lam, lamx, L = (x.ravel() for x in (alpha, lam, lamx, L))
    lo = lam * (1.0 + np.sqrt(alpha))      # the first channel alone reaches 1 here
    hi = lam + np.sqrt(alpha * (lam**2 + L * lamx**2))
    out = lo.copy()
    todo = np.flatnonzero((hi > lo) & (alpha > 0))
    if todo.size:
        def g(T: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, None]:
            a, l1, l2, k = alpha[todo[j]], lam[todo[j]], lamx[todo[j]], L[todo[j]]
            return a * (l1**2 / (T - l1) ** 2 + k * l2**2 / (T - l2) ** 2) - 1.0, None

        res = bracket_root(g, lo[todo], hi[todo], np.ones(todo.size))
        out[todo] = np.where(res.status == CONVERGED, res.x, np.nan)
    return out


def _free_energy(C: np.ndarray, alpha: np.ndarray, T: np.ndarray, lam: np.ndarray,
                 lamx: np.ndarray, L: np.ndarray) -> dict[str, np.ndarray]:
    """f, q, p and the replicon of the state without signal at susceptibility C."""
    beta = beta_of(T)
    q = 1.0 - C * T
    k2 = _channel_sum(C, lam, lamx, L)
    p = q * k2
    sig = np.sqrt(alpha * p)
    mo = gauss_moments(np.zeros_like(C), sig, beta, with_L=True)
    f = 0.5 * alpha * p * C - mo.L
    for k, lk in ((1.0, lam), (L, lamx)):
        with np.errstate(divide="ignore", invalid="ignore"):
            log = np.where(T > 0, 0.5 * alpha * T * np.log1p(-lk * C), 0.0)
        f = f + k * (0.5 * alpha * lk + log - 0.5 * alpha * lk * q / (1.0 - lk * C))
    with np.errstate(invalid="ignore"):
        replicon = np.where(sig > 0, 1.0 - alpha * k2 * mo.S4, 1.0)
    return {"f": f, "q": q, "p": p, "C": C, "replicon": replicon}


def spin_glass(alpha: Any, T: Any, lam: Any, lamx: Any, L: Any) -> dict[str, np.ndarray]:
    """The RS spin glass (no signal, q > 0) below ``T_g``: ``f, q, p, C, replicon, status``
    (flat arrays; NaN and NO_SOLUTION above T_g or at alpha = 0) and ``T_g`` itself."""
    alpha, T, lam, lamx, L = (np.ravel(x).astype(float) for x in
                              np.broadcast_arrays(alpha, T, lam, lamx, L))
    n = alpha.size
    out = {k: np.full(n, np.nan) for k in ("f", "q", "p", "C", "replicon")}
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    T_g = glass_temperature(alpha, lam, lamx, L)
    idx = np.flatnonzero((alpha > 0) & (T < T_g))
    if idx.size:
        sel = (alpha[idx], T[idx], lam[idx], lamx[idx], L[idx])
        C = susceptibility(np.zeros((idx.size, 1)), np.ones((idx.size, 1)), np.zeros(idx.size),
                           *sel)
        ok = np.isfinite(C) & (1.0 - np.nan_to_num(C) * T[idx] > Q_MIN)
        res = _free_energy(np.where(ok, C, 0.0), *sel)
        for k, val in res.items():
            out[k][idx[ok]] = val[ok]
        status[idx[ok]] = CONVERGED
    out["status"], out["T_g"] = status, T_g
    return out


def paramagnet(alpha: Any, T: Any, lam: Any, lamx: Any, L: Any) -> dict[str, np.ndarray]:
    """``q = p = 0``: ``f = sum_k L_k [alpha lam_k/2 + (alpha T/2) ln(1 - lam_k/T)] - T ln 2``,
    which exists (the Gaussian integral over the cross-talk converges) for ``T > lam``;
    ``f, status``."""
    alpha, T, lam, lamx, L = (np.ravel(x).astype(float) for x in
                              np.broadcast_arrays(alpha, T, lam, lamx, L))
    ok = T > lam
    Ts = np.where(ok, T, 2.0 * lam + 1.0)
    f = (0.5 * alpha * (lam + L * lamx) + 0.5 * alpha * Ts * (np.log1p(-lam / Ts)
                                                              + L * np.log1p(-lamx / Ts))
         - Ts * np.log(2.0))
    return {"f": np.where(ok, f, np.nan),
            "status": np.where(ok, CONVERGED, NO_SOLUTION).astype(np.int8)}


def m0_free_energy(alpha: Any, T: Any, lam: Any, lamx: Any, L: Any) -> np.ndarray:
    """f of the state without signal: the spin glass below ``T_g``, the paramagnet above
    (the retrieval's competitor in :func:`theory.dense_learning.transition_lines`)."""
    sg, pm = spin_glass(alpha, T, lam, lamx, L), paramagnet(alpha, T, lam, lamx, L)
    glass = np.ravel(np.broadcast_to(T, sg["T_g"].shape)) < sg["T_g"]
    return np.where(glass & (sg["status"] == CONVERGED), sg["f"], pm["f"])
