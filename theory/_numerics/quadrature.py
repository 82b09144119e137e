"""Gaussian averages of tanh-type functions, accurate from beta = 0 to T = 0.

Every replica-symmetric (RS) equation of the Hopfield model is an average over
``h = m + sigma z`` with ``z ~ N(0, 1)`` of a function of ``x = beta h``:
``tanh x``, ``sech^2 x``, ``sech^4 x`` and ``ln 2cosh x`` (AGS 1987).  When
``beta sigma`` is large, ``tanh(beta h)`` is a step on the scale of the
Gaussian and a fixed Gauss-Hermite rule loses accuracy (the classic
low-temperature trap).  This module uses two rules and the exact ``T = 0``
limits:

* ``beta sigma < SWITCH`` (smooth regime): probabilists' Gauss-Hermite with
  ``N_HERMITE`` nodes in ``z``.  The integrand ``F(beta(m + sigma z))`` is
  analytic in the strip ``|Im z| < pi / (2 beta sigma)``, at least ``pi / 2``
  wide, where the rule converges to round-off.
* ``beta sigma >= SWITCH`` (kink regime): every function is split into a
  closed-form step part and a correction that decays like ``exp(-2 |x|)``,
  ``tanh x = sign x - sign x * 2 e / (1 + e)`` and
  ``ln 2cosh x = |x| + ln(1 + e)`` with ``e = exp(-2|x|)``; ``sech^2`` and
  ``sech^4`` are pure corrections.  ``E sign(h) = erf(m / (sqrt(2) sigma))`` and
  ``E|h| = sigma sqrt(2/pi) exp(-m^2 / 2 sigma^2) + m erf(m / (sqrt(2) sigma))``.
  The corrections are integrated in ``u = beta |h|`` on each side of the kink
  ``h = 0`` with a fixed composite Gauss-Legendre rule on ``[0, U_MAX]``; the
  Gaussian density of ``h`` is smooth on the scale ``beta sigma >= SWITCH`` in
  ``u``, and the kernels are point-independent (computed once).  Derivatives
  with respect to ``m`` and ``sigma`` are taken on the Gaussian density, not
  on the kernels, which avoids the cancellation in ``beta^3 E[4 sech^2 - 6 sech^4]``.
* ``T = 0`` (``beta = inf``): closed forms, never a large beta.

The accuracy (about 1e-13 absolute on every returned quantity, relative to its
scale) is tested against :func:`scipy.integrate.quad` in
``tests/theory/test_quadrature.py``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import erf

__all__ = ["Moments", "gauss_moments", "abs_mean", "SWITCH", "N_HERMITE"]

#: beta * sigma below which the Gauss-Hermite rule is used.
SWITCH = 0.5
#: Number of Gauss-Hermite nodes in the smooth regime.
N_HERMITE = 64
#: Upper end of the u = beta |h| integration; the kernels are below exp(-2 U_MAX).
U_MAX = 22.0
#: Panel edges of the composite Gauss-Legendre rule in u, and nodes per panel.
_PANELS = np.array(
    [0.0, 0.4, 0.9, 1.5, 2.2, 3.0, 4.0, 5.2, 6.6, 8.2, 10.0, 12.2, 14.8, 18.0, U_MAX]
)
_NODES_PER_PANEL = 8

_SQRT2 = np.sqrt(2.0)
_SQRT2PI = np.sqrt(2.0 * np.pi)
_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)


def _hermite_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / _SQRT2PI


def _legendre_panels() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(_NODES_PER_PANEL)
    a, b = _PANELS[:-1, None], _PANELS[1:, None]
    u = 0.5 * (b - a) * x[None, :] + 0.5 * (b + a)
    v = 0.5 * (b - a) * w[None, :]
    return u.ravel(), v.ravel()


_Z_H, _W_H = _hermite_rule(N_HERMITE)
_U, _V = _legendre_panels()


def _kernel_matrix(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Weighted kernels of the kink regime, shape (nodes, 5).

    Columns: tanh correction ``2e/(1+e)`` (odd), ``sech^2``, ``sech^4``,
    ``ln(1 + e)`` (even), with ``e = exp(-2u)``.
    """
    e = np.exp(-2.0 * u)
    tc = 2.0 * e / (1.0 + e)
    s2 = 4.0 * e / (1.0 + e) ** 2
    s4 = s2 * s2
    lg = np.log1p(e)
    return np.stack([tc, s2, s4, lg], axis=1) * v[:, None]


_K = _kernel_matrix(_U, _V)


class Moments(NamedTuple):
    """Gaussian averages over ``h = m + sigma z`` at inverse temperature ``beta``.

    Attributes
    ----------
    A : ndarray
        ``E tanh(beta h)``; at T = 0 ``erf(m / (sqrt(2) sigma))``.
    Chat : ndarray
        ``beta E sech^2(beta h) = beta (1 - E tanh^2)``; at T = 0 the limit
        ``2 pdf_h(0) = sqrt(2/pi) / sigma exp(-m^2 / (2 sigma^2))``.
        Note ``dA/dm = Chat`` and ``dA/dsigma = sigma dChat/dm``.
    Chat_m, Chat_s : ndarray
        Partial derivatives of ``Chat`` with respect to ``m`` and ``sigma``.
    S4 : ndarray
        ``beta^2 E sech^4(beta h)`` (replicon); ``inf`` at T = 0 when sigma > 0.
    L : ndarray or None
        ``(1/beta) E ln 2cosh(beta h)``; ``E|h|`` at T = 0.  Only when requested.
    Q : ndarray
        ``E tanh^2(beta h)``, computed directly (no cancellation) in the smooth
        regime, where it can be tiny, and as ``1 - Chat/beta`` elsewhere.
    """

    A: np.ndarray
    Chat: np.ndarray
    Chat_m: np.ndarray
    Chat_s: np.ndarray
    S4: np.ndarray
    L: np.ndarray | None
    Q: np.ndarray


def abs_mean(m: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``E|m + sigma z|`` in closed form (``|m|`` at sigma = 0)."""
    m = np.asarray(m, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = m / (_SQRT2 * sigma)
        out = sigma * _SQRT_2_OVER_PI * np.exp(-(y * y)) + m * erf(y)
    return np.where(sigma > 0, out, np.abs(m))


def gauss_moments(
    m: np.ndarray, sigma: np.ndarray, beta: np.ndarray, *, with_L: bool = False
) -> Moments:
    """Gaussian averages of tanh-type functions (see :class:`Moments`).

    Parameters
    ----------
    m, sigma, beta : array_like
        Broadcast together; ``sigma >= 0``, ``beta >= 0`` with ``beta = inf``
        meaning T = 0 (closed forms).
    with_L : bool
        Also compute ``L = (1/beta) E ln 2cosh(beta h)`` (free energy).
    """
    m, sigma, beta = np.broadcast_arrays(
        np.asarray(m, dtype=float), np.asarray(sigma, dtype=float), np.asarray(beta, dtype=float)
    )
    shape = m.shape
    m, sigma, beta = m.ravel(), sigma.ravel(), beta.ravel()
    out = {k: np.empty(m.shape) for k in ("A", "Chat", "Chat_m", "Chat_s", "S4", "L", "Q")}
    zero = np.isinf(beta)
    bs = np.where(zero, 0.0, beta) * sigma
    smooth = ~zero & (bs < SWITCH)
    kink = ~zero & ~smooth
    for mask, fn in ((zero, _zero_T), (smooth, _hermite), (kink, _kink)):
        if mask.any():
            res = fn(m[mask], sigma[mask], beta[mask], with_L)
            for k, v in res.items():
                out[k][mask] = v
    return Moments(
        *(out[k].reshape(shape) for k in ("A", "Chat", "Chat_m", "Chat_s", "S4")),
        out["L"].reshape(shape) if with_L else None,
        out["Q"].reshape(shape),
    )


def _zero_T(m, sigma, beta, with_L):
    """T = 0 limits (AGS 1987, zero-temperature equations)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pos = sigma > 0
        s = np.where(pos, sigma, 1.0)
        y = m / (_SQRT2 * s)
        chat = _SQRT_2_OVER_PI / s * np.exp(-(y * y))
        A = np.where(pos, erf(y), np.sign(m))
        Chat = np.where(pos, chat, np.where(m == 0, np.inf, 0.0))
        Chat_m = np.where(pos, -m / (s * s) * chat, 0.0)
        Chat_s = np.where(pos, chat * (m * m / s**3 - 1.0 / s), 0.0)
        S4 = np.where(pos | (m == 0), np.inf, 0.0)
    Q = np.where(pos | (m != 0), 1.0, 0.0)
    res = {"A": A, "Chat": Chat, "Chat_m": Chat_m, "Chat_s": Chat_s, "S4": S4, "Q": Q}
    if with_L:
        res["L"] = abs_mean(m, sigma)
    return res


def _hermite(m, sigma, beta, with_L):
    """Smooth regime: Gauss-Hermite in z (beta sigma < SWITCH)."""
    x = beta[:, None] * (m[:, None] + sigma[:, None] * _Z_H[None, :])
    ax = np.abs(x)
    em1 = np.expm1(-2.0 * ax)  # e - 1, exact to relative round-off for tiny |x|
    e = em1 + 1.0
    t = -np.sign(x) * em1 / (1.0 + e)
    s2 = 4.0 * e / (1.0 + e) ** 2
    s4 = s2 * s2
    Et = t @ _W_H
    Es2 = s2 @ _W_H
    Es4 = s4 @ _W_H
    Ets2 = (t * s2) @ _W_H
    res = {
        "A": Et,
        "Chat": beta * Es2,
        # products ordered so that a huge beta (tiny T) meets the vanishing average first
        "Chat_m": -2.0 * (beta * Ets2) * beta,
        "Chat_s": (sigma * beta) * (beta * (4.0 * Es2 - 6.0 * Es4)) * beta,
        "S4": (beta * Es4) * beta,
        "Q": (t * t) @ _W_H,
    }
    if with_L:
        with np.errstate(divide="ignore", invalid="ignore"):
            L = ((ax + np.log1p(e)) @ _W_H) / beta
        # beta = 0: (1/beta) ln 2cosh(beta h) -> ln 2 / beta diverges; only T > 0 is asked for.
        res["L"] = L
    return res


def _kink(m, sigma, beta, with_L):
    """Kink regime: closed-form step part plus corrections integrated in u = beta |h|."""
    inv_s = 1.0 / sigma
    a = (_U[None, :] / beta[:, None]) * inv_s[:, None]  # h / sigma at h = u / beta
    b = (m * inv_s)[:, None]
    dp = a - b  # standardised distance (h - m)/sigma at h = +u/beta
    dm = -a - b  # at h = -u/beta
    dp2 = dp * dp
    dm2 = dm * dm
    gp = np.exp(-0.5 * dp2)  # Gaussian density of h, up to the row factor 1/(sigma sqrt(2 pi))
    gm = np.exp(-0.5 * dm2)
    ge = gp + gm
    go = gp - gm
    # d/dm of the density: (h - m)/sigma^2 g ; d/dsigma: ((h - m)^2/sigma^2 - 1)/sigma g
    gem = dp * gp + dm * gm
    ges = dp2 * gp + dm2 * gm - ge
    c = inv_s / _SQRT2PI
    Ke = (ge @ _K) * c[:, None]  # columns tc, s2, s4, lg
    Ko = (go @ _K[:, 0]) * c
    Cm = (gem @ _K[:, 1]) * c * inv_s
    Cs = (ges @ _K[:, 1]) * c * inv_s
    y = m / (_SQRT2 * sigma)
    res = {
        "A": erf(y) - Ko / beta,
        "Chat": Ke[:, 1],
        "Chat_m": Cm,
        "Chat_s": Cs,
        "S4": beta * Ke[:, 2],
        "Q": 1.0 - Ke[:, 1] / beta,
    }
    if with_L:
        res["L"] = abs_mean(m, sigma) + (Ke[:, 3] / beta) / beta
    return res
