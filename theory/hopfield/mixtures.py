"""Low-load (alpha = 0) symmetric mixture states of the Hopfield model (AGS 1985a).

At finite K (alpha = 0) the free energy per spin is
``f(m) = |m|^2 / 2 - T E_xi ln 2cosh(beta xi . m)`` over the overlaps
``m = (m_1..m_K)`` and i.i.d. ``xi_mu = +-1``.  A symmetric n-mixture has
``m_mu = m`` for ``mu <= n`` and 0 otherwise; with ``S = sum_{nu <= n} xi_nu``
(``S = 2k - n``, ``k ~ Binomial(n, 1/2)``) the stationarity condition is

    m = E_xi[xi_1 tanh(beta m S)] = (1/n) E_S[S tanh(beta m S)],

averaged exactly over the 2^n sign configurations (grouped by k).  At T = 0,
``tanh -> sign`` and ``m = E|S| / n`` exactly (1/2 for n = 3).

Hessian of f at the mixture in the full K > n pattern space
(``d2f / dm_mu dm_nu = delta_mu_nu - beta E[xi_mu xi_nu sech^2(beta m S)]``) has
three distinct eigenvalues:

* transverse (the K - n uncondensed patterns): ``1 - beta E sech^2``;
* relative (n - 1 directions inside the mixture, sum zero):
  ``1 - beta E sech^2 + beta E[xi_1 xi_2 sech^2]``, with
  ``E[xi_1 xi_2 g(S)] = E[(S^2 - n) g(S)] / (n (n - 1))``;
* symmetric (along (1, .., 1)): ``1 - (beta / n) E[S^2 sech^2]``.

At T = 0 the ``S = 0`` configurations of even n give ``beta sech^2(0) -> inf``,
so even mixtures are unstable at every temperature; odd ones are stable below
``mixture_stability_temperature(n)`` (about 0.461 for n = 3; AGS 1985a).
"""

from __future__ import annotations

from math import comb

import numpy as np

from .._numerics.solver import CONVERGED, MAXITER, NO_SOLUTION, bracket_root
from .rs import beta_of

__all__ = ["MODES", "mixture_solve", "mixture_eigenvalues", "stability_temperature"]

MODES = ("transverse", "relative", "symmetric")


def _configs(n: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(n + 1)
    S = (2 * k - n).astype(float)
    w = np.array([comb(n, int(j)) for j in k], dtype=float) / 2.0**n
    return S, w


def _sech2(x):
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _tanh(x):
    em1 = np.expm1(-2.0 * np.abs(x))
    return -np.sign(x) * em1 / (2.0 + em1)


def mixture_solve(n: int, T: np.ndarray) -> dict[str, np.ndarray]:
    """Amplitude ``m`` of the symmetric n-mixture at each T, with f and status.

    Newton from m = 1 on the concave map ``m -> (1/n) E[S tanh(beta m S)]``
    (monotone convergence from the right); T = 0 uses ``m = E|S| / n``.  There is
    no mixture (m > 0) for T >= 1, where the map's slope at 0, beta, is <= 1.
    """
    T = np.atleast_1d(np.asarray(T, dtype=float))
    S, w = _configs(n)
    beta = beta_of(T)
    m = np.full(T.shape, np.nan)
    status = np.full(T.shape, NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros(T.shape, dtype=np.int32)
    zero = T == 0
    m[zero] = float(np.sum(w * np.abs(S))) / n  # exact T = 0 amplitude
    status[zero] = CONVERGED
    act = np.flatnonzero((T > 0) & (T < 1.0))
    mm = np.ones(act.size)
    status[act] = MAXITER
    for _ in range(200):
        if act.size == 0:
            break
        b = beta[act][:, None]
        x = b * mm[:, None] * S[None, :]
        g = mm - (_tanh(x) * S) @ w / n
        dg = 1.0 - b[:, 0] * ((_sech2(x) * S * S) @ w) / n
        step = g / dg
        mm = mm - step
        n_iter[act] += 1
        done = np.abs(step) <= 1e-15 * (1.0 + np.abs(mm))
        m[act[done]] = mm[done]
        status[act[done]] = CONVERGED
        act, mm = act[~done], mm[~done]
    # the positive root tends to 0 as T -> 1; a collapse means no mixture
    tiny = (status == CONVERGED) & ~(m > 1e-12)
    status[tiny] = NO_SOLUTION
    conv = status == CONVERGED
    m[~conv] = np.nan
    f = np.full(T.shape, np.nan)
    c = conv & (T > 0)
    x = (beta[c][:, None] * m[c][:, None]) * S[None, :]
    ax = np.abs(x)
    f[c] = 0.5 * n * m[c] ** 2 - T[c] * ((ax + np.log1p(np.exp(-2.0 * ax))) @ w)
    c0 = conv & zero
    f[c0] = 0.5 * n * m[c0] ** 2 - m[c0] * float(np.sum(w * np.abs(S)))  # T = 0 energy
    return {"m": m, "f": f, "converged": conv, "status": status, "n_iter": n_iter}


def mixture_eigenvalues(n: int, m: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Hessian eigenvalues (transverse, relative, symmetric) at the mixture, shape (..., 3).

    The relative mode does not exist for n = 1 (NaN).  At T = 0, ``beta sech^2``
    is 0 for S != 0 and ``+inf`` for S = 0 (even n).
    """
    S, w = _configs(n)
    m = np.asarray(m, dtype=float)
    T = np.asarray(T, dtype=float)
    beta = beta_of(T)
    out = np.full(m.shape + (3,), np.nan)
    pos = T > 0
    with np.errstate(invalid="ignore"):
        x = (beta[pos][:, None] * m[pos][:, None]) * S[None, :]
        bs2 = beta[pos][:, None] * _sech2(x)  # beta sech^2(beta m S)
    bs2_0 = np.where(S == 0, np.inf, 0.0)  # T = 0 limit
    for sel, B in ((pos, bs2), (~pos, np.broadcast_to(bs2_0, (int((~pos).sum()), S.size)))):
        if not sel.any():
            continue
        with np.errstate(invalid="ignore"):
            Es = B @ w
            Ess = np.where(S * S > 0, B * S * S, 0.0) @ w
            out[sel, 0] = 1.0 - Es
            if n > 1:
                E12 = np.where(S * S - n != 0, B * (S * S - n), 0.0) @ w / (n * (n - 1))
                out[sel, 1] = 1.0 - Es + E12
            out[sel, 2] = 1.0 - Ess / n
    out[~np.isfinite(m)] = np.nan
    return out


def stability_temperature(n: int) -> tuple[float, bool]:
    """Largest T below which the symmetric n-mixture is stable; NaN for even n.

    Scans the smallest Hessian eigenvalue on a T grid in (0, 1), then refines the
    last change of sign from stable to unstable by Illinois iteration to 1e-14.
    Returns ``(T_s, converged)``.
    """
    if n % 2 == 0:
        return float("nan"), True
    if n == 1:
        return 1.0, True  # the retrieval state merges with the paramagnet at T = 1
    Ts = np.linspace(1e-3, 1.0 - 1e-3, 400)

    def lam(T):
        sol = mixture_solve(n, T)
        ev = mixture_eigenvalues(n, sol["m"], T)
        return np.nanmin(np.where(sol["converged"][:, None], ev, -np.inf), axis=1)

    v = lam(Ts)
    good = v > 0
    if not good.any():
        return float("nan"), True
    j = int(np.flatnonzero(good)[-1])
    if j == Ts.size - 1:
        return float("nan"), False

    def g(T, idx):
        return lam(T), None

    res = bracket_root(
        g, Ts[j : j + 1], Ts[j + 1 : j + 2], np.ones(1), fa=v[j : j + 1], fb=v[j + 1 : j + 2]
    )
    return float(res.x[0]), bool(res.converged[0])
