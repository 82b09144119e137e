"""Vectorised Gaussian quadrature rules that stay accurate at low temperature.

A replica integrand is a function of local fields ``L = c + b z`` that are linear in the
Gaussian variable ``z``.  At low temperature ``tanh(beta h)``, ``logcosh(beta h)`` and
``cosh^theta(beta h)`` change on the scale ``1/(beta b)`` around the kink ``z* = -c/b``,
and at T = 0 they are replaced by ``sign``, ``|.|`` and ``exp(mu |.|)``, which have a kink.
A fixed Gauss-Hermite rule then loses accuracy (the classic low-temperature trap, see
:mod:`theory._numerics.quadrature`).  Three rules are used, chosen per point from the kink width
``w`` (in units of z) that the code generator reads off the integrand:

``smooth`` (``w >= W_SMOOTH`` and small tilt)
    probabilists' Gauss-Hermite with ``N_HERMITE`` nodes; the integrand is analytic in a
    strip of half-width ``pi w / 2 >= pi`` and the rule converges to round-off.
``kink`` (``0 < w < W_SMOOTH``)
    composite Gauss-Legendre (``N_LEGENDRE`` nodes a panel) on the union of three meshes:
    the kink ``z*``, a graded mesh ``z* +- w U_GRADED`` (``U`` from 0 to 22, resolving the
    boundary layer where ``tanh`` departs from ``sign`` by ``exp(-2u)``; the panels grow
    with the distance to the poles of ``tanh`` at ``z* +- i pi w / 2``) and ``N_UNIFORM``
    uniform panels over the whole domain (resolving the Gaussian: a panel is at most 0.9
    wide for an untilted domain).  280 nodes, where a mesh per side of the kink
    (16 graded and 12 uniform edges a side) took 432 for the same accuracy; nested
    averages pay the square of the count.
``sharp`` (``w = 0``, T = 0 integrands)
    the same without the graded mesh: each side is smooth.

Averages of an exponential weight ``exp(E(z)) g(z)`` (the 1RSB inner average) are summed in
log space: the rule returns ``log`` weights and the caller subtracts the maximum of
``E + log w``.  Their Gaussian bulk is shifted by the tilt ``E'(z)`` at the ends, which widens
the domain ``[-Z_BULK - s_-, Z_BULK + s_+]``.

The rules are tested against :func:`scipy.integrate.quad` in ``tests/theory/test_symbolic.py``
(about 1e-13 absolute for tanh-type integrands from beta = 0.1 to 1e6 and at T = 0) and
``tests/theory/test_quadrature_rules.py`` (weighted averages, relative 1e-13 for tilts up to
4).  A tilt far above that (``theta beta b >> 4``) widens the domain, and with it the uniform
panels, beyond that accuracy (8e-8 relative at a tilt of 29 in a trial); the rule does not
check it.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

__all__ = [
    "W_SMOOTH",
    "N_HERMITE",
    "Z_BULK",
    "TILT_SMOOTH",
    "hermite_rule",
    "split_rule",
    "uniform_rule",
    "regimes",
]

#: Kink width (in units of z) above which Gauss-Hermite is used.
W_SMOOTH = 2.0
#: Tilt |E'| above which an exponentially weighted average leaves Gauss-Hermite.
TILT_SMOOTH = 2.0
#: Gauss-Hermite nodes of the smooth rule.
N_HERMITE = 64
#: Half-width of the Gaussian bulk (phi(9) ~ 1e-18).
Z_BULK = 9.0
#: Graded mesh of the boundary layer, in units of the kink width.
U_GRADED = np.array([0.0, 0.6, 1.5, 3.0, 5.5, 9.5, 15.0, 22.0])
#: Uniform panels over the whole domain.
N_UNIFORM = 20
#: Gauss-Legendre nodes per panel.
N_LEGENDRE = 8

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(N_LEGENDRE)
_GL_LOGW = np.log(_GL_W)
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(N_HERMITE)
_GH_W = _GH_W / np.sqrt(2.0 * np.pi)


def hermite_rule(n_points: int, xp: ModuleType = np) -> tuple:
    """Nodes (n, N_HERMITE) and weights of E_z for the smooth regime (point-independent)."""
    z = xp.broadcast_to(xp.asarray(_GH_Z), (n_points, N_HERMITE))
    w = xp.broadcast_to(xp.asarray(_GH_W), (n_points, N_HERMITE))
    return z, w


def _panels(edges, xp, log=False):
    """Gauss-Legendre nodes and (unnormalised) weights on the panels between sorted edges
    (with ``log``, the logs of the weights, taken once per panel)."""
    a, b = edges[:, :-1, None], edges[:, 1:, None]
    half = 0.5 * (b - a)
    x = xp.asarray(_GL_X)[None, None, :]
    z = (a + half * (x + 1.0)).reshape(edges.shape[0], -1)
    if log:
        with np.errstate(divide="ignore"):
            dw = xp.log(half) + xp.asarray(_GL_LOGW)[None, None, :]
    else:
        dw = half * xp.asarray(_GL_W)[None, None, :]
    return z, dw.reshape(edges.shape[0], -1)


def _with_density(z, dw, xp, log):
    """Multiply by the standard normal density (or add its log to log-weights)."""
    if log:
        return z, dw - 0.5 * z * z - _LOG_SQRT_2PI
    return z, dw * xp.exp(-0.5 * z * z - _LOG_SQRT_2PI)


def split_rule(zstar, width, lo, hi, xp: ModuleType = np, *, sharp: bool = False,
               log: bool = False) -> tuple:
    """Composite rule on ``[lo, hi]`` with an edge at ``zstar`` (clipped into the interval).

    The edges are the union of ``N_UNIFORM`` uniform panels over ``[lo, hi]`` (the Gaussian
    bulk), the kink, and (unless ``sharp``) the graded mesh ``zstar +- width U_GRADED`` (the
    boundary layer); edges clipped to the ends give empty panels of zero weight, so that
    every point has the same number of nodes.

    Parameters
    ----------
    zstar, width, lo, hi : arrays of shape (n,)
        Kink location and width, and the integration domain, per point.
    sharp : bool
        True for ``width = 0`` (no graded boundary layer).
    log : bool
        Return log-weights (for log-sum-exp averages).

    Returns
    -------
    z, w : arrays (n, nodes)
        Nodes and weights of ``E_z`` (standard normal density included).
    """
    zs = xp.clip(zstar, lo, hi)
    parts = [_uniform_edges(lo, hi, xp), zs[:, None]]
    if not sharp:
        d = width[:, None] * xp.asarray(U_GRADED[1:])[None, :]
        parts += [xp.minimum(zs[:, None] + d, hi[:, None]),
                  xp.maximum(zs[:, None] - d, lo[:, None])]
    edges = xp.sort(xp.concatenate(parts, axis=1), axis=1)
    return _with_density(*_panels(edges, xp, log), xp, log)


def uniform_rule(lo, hi, xp: ModuleType = np, *, log: bool = False) -> tuple:
    """Composite Gauss-Legendre on ``[lo, hi]`` with N_UNIFORM panels (no kink)."""
    return _with_density(*_panels(_uniform_edges(lo, hi, xp), xp, log), xp, log)


def _uniform_edges(lo, hi, xp):
    """The edges (n, N_UNIFORM + 1) of N_UNIFORM equal panels over ``[lo, hi]``."""
    k = xp.arange(N_UNIFORM + 1, dtype=float)[None, :] / N_UNIFORM
    return lo[:, None] + (hi - lo)[:, None] * k


def regimes(width, tilt, has_kink: bool, xp: ModuleType = np):
    """Integer regime per point: 0 smooth, 1 kink, 2 sharp, 3 uniform (tilted, no kink)."""
    smooth = (width >= W_SMOOTH) & (tilt <= TILT_SMOOTH)
    if not has_kink:
        return xp.where(smooth, 0, 3)
    sharp = width == 0
    return xp.where(smooth, 0, xp.where(sharp, 2, 1))


def rule(reg: int, n: int, zstar, width, lo, hi, xp: ModuleType = np, *, log: bool = False):
    """Nodes and weights (or log-weights) of regime ``reg`` for n points."""
    if reg == 0:
        z, w = hermite_rule(n, xp)
        if log:
            with np.errstate(divide="ignore"):
                return z, xp.log(w)
        return z, w
    if reg == 3:
        return uniform_rule(lo, hi, xp, log=log)
    return split_rule(zstar, width, lo, hi, xp, sharp=(reg == 2), log=log)
