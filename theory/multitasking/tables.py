"""Exact site-configuration tables and averages of the multitasking network (private).

In the low-storage limit (K finite, N -> infinity) every mean-field quantity of the
multitasking Hebbian network is an average over the joint law of the K pattern
entries seen by one site. That law is a product over patterns of a small discrete
single-pattern law, so the average is a finite sum, done exactly here (never
sampled).

Single-pattern laws (one row per site state of one pattern):

* archetypes (Agliari et al. 2012): ``xi in {0, +1, -1}`` with weights
  ``d, (1-d)/2, (1-d)/2``. Field coefficient ``a = xi``, archetype readout ``b = xi``.
* examples (arXiv:2308.04106): the site sees the archetype entry ``xi`` and the
  example mean ``chibar = (1/M) sum_a chi^a`` of M independent ``chi = +-1`` with
  ``P(chi = +1) = (1 + r)/2``. The field coefficient is ``a = xi chibar / sqrt(R)``
  with ``R = r^2 (1 + rho) = E[chibar^2]``; states with equal ``a`` are merged, and
  the archetype readout is the conditional mean ``b = E[xi | a]``. The coefficient
  ``u = xi^2 (1 - chibar^2) / (R (M - 1))`` enters the stability of the
  unsupervised couplings in the example-antisymmetric directions.

A configuration ``x`` of the K patterns is a row of ``A`` (C, K); its weight is the
product of the single-pattern weights. Because every quantity needed is even in
``x -> -x`` (``a tanh(beta a.p)``, ``ln 2cosh``, ``a a^T sech^2``), only one
configuration of each pair ``{x, -x}`` is kept, with doubled weight.

With ``p`` the order parameters (``p = m`` for archetype couplings) and ``h = a.p``:

* stationary map ``F(p) = E[a tanh(beta h)]``, readout ``m = E[b tanh(beta h)]``;
* free energy ``f(p) = |p|^2/2 - T E[ln 2cosh(beta h)]`` and energy ``-|p|^2/2``
  at a stationary point;
* Hessian ``d^2 f/dp dp^T = 1 - beta E[a a^T sech^2(beta h)]``.

At ``T = 0`` (exact, no large beta): ``tanh -> sign`` with ``sign(0) = 0``,
``T ln 2cosh(beta h) -> |h|`` and the Hessian is the identity except on
configurations with ``h = 0`` and ``a != 0`` ("ties"): there ``-E|a.p|`` has a
concave kink, so a stationary point with a tie is not a local minimum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import binom

__all__ = ["PatternLaw", "SiteTable", "archetype_law", "example_law", "site_table", "Averages",
           "averages", "zero_temperature_map", "TIE_RTOL"]

#: Relative tolerance below which a field ``a.p`` counts as zero at T = 0.
TIE_RTOL = 1e-12


@dataclass(frozen=True)
class PatternLaw:
    """Site states of one pattern.

    Attributes
    ----------
    a, b, u : (S,) field coefficient, archetype readout and perpendicular coefficient.
    sign : (S,) sign of the state under the global flip ``x -> -x`` (0: self-conjugate).
    weights : (G, S) probabilities of the states at G grid points (rows sum to 1).
    """

    a: np.ndarray
    b: np.ndarray
    u: np.ndarray
    sign: np.ndarray
    weights: np.ndarray


def archetype_law(d: np.ndarray) -> PatternLaw:
    """States ``xi = 0, +1, -1`` with weights ``d, (1-d)/2, (1-d)/2`` (one row per d)."""
    d = np.atleast_1d(np.asarray(d, dtype=np.float64))
    w = np.stack([d, (1 - d) / 2, (1 - d) / 2], axis=-1)
    one = np.array([0.0, 1.0, -1.0])
    return PatternLaw(a=one, b=one, u=np.zeros(3), sign=np.array([0, 1, -1]), weights=w)


def example_law(d: np.ndarray, r: float, M: int) -> PatternLaw:
    """States of ``(xi, chibar)`` merged by ``a = xi chibar / sqrt(R)``; see the module docstring.

    States: blank (``xi = 0``); for even M the tied vote ``chibar = 0`` (``a = b = 0``,
    ``u = 1/(R (M-1))``); and ``a = +-c/sqrt(R)`` for each ``c = |chibar| > 0`` with
    readout ``b = +-(P(chibar = c) - P(chibar = -c)) / (P(chibar = c) + P(chibar = -c))``.
    """
    d = np.atleast_1d(np.asarray(d, dtype=np.float64))
    R = r * r + (1 - r * r) / M
    k = np.arange(M + 1)
    pk = binom.pmf(k, M, (1 + r) / 2)  # number of chi = +1 among M
    cb = (2 * k - M) / M  # chibar
    a, b, u, sg, ws = [0.0], [0.0], [0.0], [0], [None]
    # u: perpendicular coefficient, only defined for M >= 2 (no perpendicular sector at M = 1)
    uf = (lambda c: (1 - c * c) / (R * (M - 1))) if M > 1 else (lambda c: 0.0)
    if M % 2 == 0 and pk[M // 2] > 0:
        a.append(0.0), b.append(0.0), u.append(uf(0.0)), sg.append(0)
        ws.append(float(pk[M // 2]))
    for j in range(M // 2 + 1, M + 1):  # chibar = c > 0 and its mirror -c
        c, pp, pm = cb[j], pk[j], pk[M - j]
        if pp + pm <= 0:  # impossible vote (r = 1): no state
            continue
        for s in (1, -1):
            a.append(s * c / np.sqrt(R))
            b.append(s * (pp - pm) / (pp + pm))
            u.append(uf(c))
            sg.append(s)
            ws.append(float(pp + pm) / 2)
    wrow = np.array([0.0] + ws[1:])
    weights = (1 - d)[:, None] * wrow[None, :]
    weights[:, 0] = d
    return PatternLaw(a=np.array(a), b=np.array(b), u=np.array(u), sign=np.array(sg),
                      weights=weights)


@dataclass(frozen=True)
class SiteTable:
    """Configurations of K patterns (one of each ``+-`` pair) and their weights.

    Attributes
    ----------
    A, B, U : (C, K) field coefficients, archetype readouts, perpendicular coefficients.
    W : (G, C) weights at G grid points; ``W.sum(1) == 1``.
    """

    A: np.ndarray
    B: np.ndarray
    U: np.ndarray
    W: np.ndarray

    @property
    def K(self) -> int:
        return self.A.shape[1]


@lru_cache(maxsize=64)
def _canonical_index(S: int, signs: tuple[int, ...], K: int) -> np.ndarray:
    """Index tuples (C, K) of the configurations whose first nonzero sign is +1 (or all 0)."""
    idx = np.array(list(itertools.product(range(S), repeat=K)), dtype=np.int64).reshape(-1, K)
    sg = np.asarray(signs)[idx]
    nz = sg != 0
    first = np.where(nz.any(1), sg[np.arange(len(sg)), nz.argmax(1)], 1)
    return idx[first > 0]


def site_table(law: PatternLaw, K: int) -> SiteTable:
    """Exact product table of K independent patterns with the single-pattern ``law``."""
    S = law.a.size
    idx = _canonical_index(S, tuple(int(s) for s in law.sign), K)
    A, B, U = law.a[idx], law.b[idx], law.u[idx]
    W = np.ones((law.weights.shape[0], idx.shape[0]))
    for k in range(K):
        W *= law.weights[:, idx[:, k]]
    selfconj = ~(law.sign[idx] != 0).any(1)
    W[:, ~selfconj] *= 2.0  # the mirror configuration -x carries the same weight
    return SiteTable(A=A, B=B, U=U, W=W)


def _ties(H: np.ndarray, scale: np.ndarray, W: np.ndarray, nonzero: np.ndarray) -> np.ndarray:
    """Boolean (G, C): configurations of positive weight with ``a != 0`` and ``a.p = 0``."""
    return (np.abs(H) <= TIE_RTOL * np.maximum(scale, 1e-300)) & (W > 0) & nonzero[None, :]


@dataclass
class Averages:
    """Exact averages at order parameters ``p`` (G, K); see :func:`averages`."""

    F: np.ndarray  # (G, K) stationary map E[a tanh(beta h)]
    m: np.ndarray  # (G, K) archetype readout E[b tanh(beta h)]
    f: np.ndarray  # (G,) free energy per spin
    tie: np.ndarray  # (G,) T = 0 only: a configuration with a != 0 has h = 0
    hess: np.ndarray | None = None  # (G, K, K)
    perp: np.ndarray | None = None  # (G, K) beta E[u sech^2(beta h)] (unsupervised sector)


def averages(table: SiteTable, p: np.ndarray, T: np.ndarray, *, hessian: bool = False,
             perp: bool = False, rows: np.ndarray | None = None) -> Averages:
    """All exact averages at ``p`` (G, K) and temperatures ``T`` (G,) (T = 0 exact).

    ``rows`` selects, for each of the G points, the row of ``table.W`` to use
    (default: row g for point g, or row 0 when the table has one row).
    """
    p = np.asarray(p, dtype=np.float64)
    G = p.shape[0]
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (G,))
    if rows is None:
        rows = np.zeros(G, dtype=np.int64) if table.W.shape[0] == 1 else np.arange(G)
    W = table.W[rows]  # (G, C)
    A = table.A
    H = p @ A.T  # (G, C) fields h = a.p
    hot = T > 0
    beta = np.where(hot, 1.0 / np.where(hot, T, 1.0), 0.0)
    x = beta[:, None] * H
    th = np.tanh(x)
    tie = np.zeros(G, dtype=bool)
    if not hot.all():
        cold = ~hot
        scale = np.abs(p[cold]) @ np.abs(A).T
        tz = _ties(H[cold], scale, W[cold], np.abs(A).sum(1) > 0)
        th[cold] = np.where(tz, 0.0, np.sign(H[cold]))
        tie[cold] = tz.any(1)
    WT = W * th
    F = WT @ A
    m = WT @ table.B
    ax = np.abs(x)
    with np.errstate(over="ignore", under="ignore"):
        e2 = np.exp(-2.0 * ax)
    lc = np.where(hot[:, None], np.abs(H) + np.where(hot, T, 0.0)[:, None] * np.log1p(e2),
                  np.abs(H))  # T ln 2cosh(beta h) = |h| + T ln(1 + e^(-2 beta |h|)); |h| at T = 0
    f = 0.5 * (p * p).sum(1) - (W * lc).sum(1)
    out = Averages(F=F, m=m, f=f, tie=tie)
    if hessian or perp:
        sech2 = np.where(hot[:, None], 4.0 * e2 / (1.0 + e2) ** 2, 0.0)
        Ws = W * sech2 * beta[:, None]  # beta sech^2, zero at T = 0 (ties reported apart)
        if hessian:
            out.hess = np.eye(p.shape[1])[None] - np.einsum("gc,ck,cl->gkl", Ws, A, A,
                                                            optimize=True)
        if perp:
            out.perp = Ws @ table.U
            if not hot.all():  # T = 0: a tie with u > 0 is an unstable perpendicular direction
                cold = ~hot
                scale = np.abs(p[cold]) @ np.abs(A).T
                tz = (np.abs(H[cold]) <= TIE_RTOL * np.maximum(scale, 1e-300)) & (W[cold] > 0)
                bad = (tz[:, :, None] & (table.U[None] > 0)).any(1)
                out.perp[cold] = np.where(bad, np.inf, 0.0)
    return out


def zero_temperature_map(table: SiteTable, p: np.ndarray,
                         rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``F_0(p) = E[a sign(a.p)]`` (sign(0) = 0) and the tie flags, exactly."""
    p = np.asarray(p, dtype=np.float64)
    if rows is None:
        rows = np.zeros(p.shape[0], dtype=np.int64) if table.W.shape[0] == 1 \
            else np.arange(p.shape[0])
    W = table.W[rows] if table.W.shape[0] > 1 else table.W
    H = p @ table.A.T
    tz = np.abs(H) <= TIE_RTOL * (np.abs(p) @ np.abs(table.A).T)
    s = np.sign(H)
    s[tz] = 0.0
    live = (W > 0) & (np.abs(table.A).sum(1) > 0)[None, :]
    return (W * s) @ table.A, (tz & live).any(1)
