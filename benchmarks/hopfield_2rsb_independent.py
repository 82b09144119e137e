r"""Independent T = 0 RS / 1RSB / 2RSB storage capacity of the standard Hopfield model.

A self-contained computation (NumPy/SciPy only; nothing imported from the repository's
``theory``, ``assoc``, ``montecarlo`` or ``papers``) of the zero-temperature capacity
alpha_c of the Hopfield network -- Ising spins, unbiased +-1 patterns, Hebbian couplings
:math:`J_{ij} = N^{-1}\sum_\mu \xi^\mu_i\xi^\mu_j`, K = alpha N patterns, one condensed
pattern with overlap m -- at replica-symmetric (AGS 1987), one-step (Crisanti, Amit &
Gutfreund 1986 ansatz) and two-step RSB level. It prints a table and writes it to
``benchmarks/results/hopfield_2rsb_independent.txt``::

    python benchmarks/hopfield_2rsb_independent.py           # full run, ~4 min on 2 cores
    python benchmarks/hopfield_2rsb_independent.py --quick   # ~2 min: no doubled-node refolds,
                                                             # no nested scipy-quad check

Derivation
----------
1. *Replicas* (AGS). Gauge the condensed pattern to +1; the other patterns are integrated
   out with one Gaussian field per pattern and replica, giving
   :math:`\tfrac{\alpha}{2}\mathrm{Tr}\ln(1-\beta Q)` with :math:`Q_{ab} = N^{-1}\sum_i
   s^a_is^b_i` (:math:`Q_{aa} = 1`); the overlaps are fixed by conjugates
   :math:`\tfrac{\alpha\beta^2}{2}p_{ab}`, so that

   .. math:: f = \frac{\alpha}{2} + \frac{m^2}{2} + \frac{\alpha}{2\beta n}\mathrm{Tr}
             \ln(1-\beta Q) + \frac{\alpha\beta}{2n}\sum_{a\ne b}p_{ab}q_{ab}
             - \frac{1}{\beta n}\ln\mathrm{Tr}_s\exp\Big[\beta m\sum_a s_a
             + \frac{\alpha\beta^2}{2}\sum_{a\ne b}p_{ab}s_as_b\Big]

   (alpha/2: the diagonal J_ii; it shifts f only). The noise field on a spin has variance
   alpha p (AGS normalisation: RS p = r).

2. *k-step Parisi ansatz.* Block sizes :math:`n = \theta_0, \theta_1, \dots, \theta_k,
   \theta_{k+1} = 1` (as n -> 0: :math:`0 \le \theta_1 \le\dots\le\theta_k\le 1`);
   :math:`q_j, p_j` between replicas in the same level-j block but not the same level-(j+1)
   block, :math:`q_0\le\dots\le q_k`. The eigenvalues of Q are :math:`\Lambda_k = 1-q_k`,
   :math:`\Lambda_{j-1} = \Lambda_j + \theta_j(q_j-q_{j-1})` with multiplicity
   :math:`n(1/\theta_{j+1}-1/\theta_j)`, and :math:`\Lambda_0 + nq_0` once, so as n -> 0

   .. math:: \frac1n\mathrm{Tr}\ln(1-\beta Q) = \sum_{j=1}^{k}\Big(\frac{1}{\theta_{j+1}}
             - \frac{1}{\theta_j}\Big)\ln(1-\beta\Lambda_j) + \frac{1}{\theta_1}
             \ln(1-\beta\Lambda_0) - \frac{\beta q_0}{1-\beta\Lambda_0};

   a replica has :math:`\theta_j - \theta_{j+1}` partners at level j, so
   :math:`\frac1n\sum_{a\ne b}p_{ab}q_{ab} = \sum_{j=0}^k(\theta_j-\theta_{j+1})p_jq_j`.
   In the spin term :math:`\sum_{a\ne b}p_{ab}s_as_b = p_0(\sum_a s_a)^2 +
   \sum_{j\ge1}(p_j-p_{j-1})\sum_{\text{level-}j\ B}(\sum_{a\in B}s_a)^2 - np_k`; one
   Hubbard-Stratonovich field per level, traced from the inside out, gives
   :math:`-\frac{\alpha\beta^2}{2}p_k + \frac{1}{\theta_1}\mathbb{E}_{z_0}\ln
   \mathbb{E}_{z_1}\big[\cdots\mathbb{E}_{z_k}(2\cosh\beta h)^{\theta_k}\cdots
   \big]^{\theta_1/\theta_2}`, :math:`h = m + \sum_{j=0}^k\sqrt{\alpha(p_j-p_{j-1})}\,z_j`,
   :math:`p_{-1} = 0`. (All three finite-n statements are checked against explicit
   matrices and brute-force spin sums, check (a).)

3. *T = 0.* Put :math:`q_k = 1 - C/\beta`, :math:`\theta_j = \mu_j/\beta` (C, mu_j, the
   other q's and the p's finite). Then :math:`\beta\Lambda_j \to D_j = C +
   \sum_{l>j}\mu_l(q_l-q_{l-1})` (:math:`q_k \to 1`), :math:`\beta p_k(1-q_k) \to Cp_k`,
   :math:`\beta\theta_j \to \mu_j`, :math:`(2\cosh\beta h)^{\theta_k} \to e^{\mu_k|h|}`, and

   .. math:: f_k = \frac{\alpha}{2} + \frac{m^2}{2} + \frac{\alpha}{2}T + \frac{\alpha}{2}
             \Big[Cp_k + \sum_{j=1}^k\mu_j(p_jq_j - p_{j-1}q_{j-1})\Big]
             - \mathbb{E}_{z_0}\frac{1}{\mu_1}\ln\mathbb{E}_{z_1}\Big[\cdots
             \mathbb{E}_{z_k}e^{\mu_k|h|}\cdots\Big]^{\mu_1/\mu_2},

   .. math:: T = \sum_{i=0}^{k}\Big(\frac{1}{\mu_{i+1}} - \frac{1}{\mu_i}\Big)\ln(1-D_i)
             - \frac{q_0}{1-D_0}, \qquad \frac{1}{\mu_0} = \frac{1}{\mu_{k+1}} = 0.

   The finite-beta f at these scaled parameters approaches it (check (d): ~1/beta^2 at the
   2RSB fold). Reductions (check (c)): 2RSB -> 1RSB(mu2) as q1 -> q0, -> 1RSB(mu1) as
   q1 -> 1, = 1RSB(mu) when mu1 = mu2; 1RSB -> RS as q0 -> 1 or mu -> 0. RS (k = 0):
   :math:`f = \alpha/2 + m^2/2 - \alpha/2(1-C) + \alpha Cp/2 - \mathbb{E}|m+\sqrt{\alpha p}z|`,
   whose stationarity is AGS: :math:`p = r = (1-C)^{-2}`,
   :math:`C = \sqrt{2/\pi\alpha r}\,e^{-m^2/2\alpha r}`,
   :math:`m = \mathrm{erf}(m/\sqrt{2\alpha r})`,
   i.e. :math:`\alpha(m) = (m^2/2y^2)(1-C)^2`, y = erfinv m, in closed form.
   Innermost level in closed form: :math:`Z = \mathbb{E}_ze^{\mu|x+sz|} = \sum_{\sigma=\pm1}
   e^{\mu\sigma x+\mu^2s^2/2}\Phi((\sigma x+\mu s^2)/s)`, :math:`g = \mu^{-1}\ln Z`.

4. *Stationarity, p's eliminated.* :math:`\partial f/\partial q_j = \tfrac{\alpha}{2}
   [T_{q_j} - (\mu_{j+1}-\mu_j)p_j]` and :math:`\partial f/\partial C = \tfrac{\alpha}{2}
   [T_C + p_k]` are closed forms: :math:`p_j = T_{q_j}/(\mu_{j+1}-\mu_j)`, :math:`p_k = -T_C`
   (1RSB: :math:`p_0 = q_0/(1-D_0)^2`, :math:`p_1 = p_0 + [(1-D_0)^{-1}-(1-C)^{-1}]/\mu`).
   With the p's substituted, :math:`dF/dx = \partial_x f + \partial_p f\cdot\partial_x p`, so
   stationarity of the reduced F in (q, C, mu) is stationarity of f in
   :math:`\partial_p f` and :math:`\partial_\mu f`. With :math:`\langle\cdot\rangle_1` the z1
   average weighted by :math:`e^{\mu_1g}`, :math:`M = \mu_1^{-1}\ln\mathbb{E}_{z_1}
   e^{\mu_1g}`, :math:`g' = \langle\mathrm{sgn}\,h\rangle_2`, :math:`u = \langle|h|\rangle_2 - g`,
   :math:`\rho = 2\varphi(x/s_2)/(s_2Z)` (:math:`g'' = \mu_2(1-g'^2)+\rho`) and the heat
   equation :math:`\partial_{s^2}\mathbb{E}F(a+sz) = \tfrac12\mathbb{E}F''`, the 2RSB
   equations are

   .. math:: m = \mathbb{E}\langle g'\rangle_1,\ q_0 = \mathbb{E}\langle g'\rangle_1^2,\
             q_1 = \mathbb{E}\langle g'^2\rangle_1,\ C = \mathbb{E}\langle\rho\rangle_1,

   .. math:: \tfrac{\alpha}{2}[T_{\mu_1} + p_1q_1 - p_0q_0] = \mathbb{E}[\langle g\rangle_1
             - M]/\mu_1,\qquad \tfrac{\alpha}{2}[T_{\mu_2} + p_2 - p_1q_1] =
             \mathbb{E}\langle u\rangle_1/\mu_2

   (the closed-form gradient in all nine variables is checked against finite differences,
   check (b)). The Parisi prescription maximises f over the RSB parameters: checked as
   f_2RSB > f_1RSB at fixed alpha. alpha_c is the fold of the retrieval branch: alpha(m)
   from the equations at fixed m (unknowns ln alpha and the packed q's, C, mu's; MINPACK
   hybrd), maximised over m by bounded Brent (xatol 1e-7 in m).

Numerics: the z0 average is a composite 16-point Gauss-Legendre rule on [-12, 12] with an
edge at the kink z0 = -m/s0, panels <= PANEL (in units of the standard deviation) and
<= PANEL x (smallest local length: s1, 1/2mu1, ...)/s0 where the integrand is not yet
linear in |B|; the z1 average uses, for each outer node, its own equal-panel rule aligned
to its kink z1 = -B/s1, in log space; the innermost average is the closed form.
PANEL = 2 is already at machine precision (check (e): nested adaptive scipy quadrature);
the error of alpha_c is measured by relocating the folds with PANEL = 1 and 14-sigma cuts.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import time
from math import erf, exp, log, pi, sqrt

import numpy as np
import scipy
from scipy.integrate import quad
from scipy.optimize import fsolve, minimize_scalar
from scipy.special import erfinv, expit, log_ndtr

OUT = pathlib.Path(__file__).resolve().parent / "results" / "hopfield_2rsb_independent.txt"
NGL = 16
GLX, GLW = np.polynomial.legendre.leggauss(NGL)
PANEL = 2.0        # panel width in units of the smallest local length scale
ZCUT = 12.0        # Gaussian cut-off (standard deviations)
LOG_S2PI = 0.5 * log(2 * pi)


def set_numerics(panel: float, zcut: float):
    global PANEL, ZCUT
    PANEL, ZCUT = panel, zcut


# ============================================================================ quadrature
def panels(edges):
    """Gauss-Legendre nodes/weights on consecutive panels [edges[i], edges[i+1]]."""
    e = np.asarray(edges, dtype=float)
    h, c = 0.5 * np.diff(e), 0.5 * (e[1:] + e[:-1])
    return (c[:, None] + h[:, None] * GLX).ravel(), (h[:, None] * GLW).ravel()


def gauss_rule(zk, half, w_fine):
    """Rule for E_z F(z), z ~ N(0,1), on [-ZCUT, ZCUT]: panels of width <= PANEL outside,
    <= w_fine on [zk - half, zk + half] (the region where F is not yet linear in |.|),
    with a panel edge at the kink zk. Returns nodes z and weights (density included)."""
    lo, hi = -ZCUT, ZCUT
    brk = sorted({lo, hi} | {min(max(v, lo), hi) for v in (zk - half, zk, zk + half)})
    edges = [lo]
    for a, b in zip(brk[:-1], brk[1:], strict=True):
        if b <= a:
            continue
        mid = 0.5 * (a + b)
        w = min(w_fine, PANEL) if abs(mid - zk) < half else PANEL
        n = max(int(np.ceil((b - a) / w)), 1)
        edges.extend(np.linspace(a, b, n + 1)[1:])
    z, w = panels(edges)
    return z, w * np.exp(-0.5 * z * z - LOG_S2PI)


def loc_len(s, mu):
    """|x| beyond which g(x) = (1/mu) ln E e^{mu|x+sz|} equals |x| + mu s^2/2 to < 1e-26."""
    return min(mu * s * s + ZCUT * s, 30.0 / mu)


# ============================================================================ innermost level
def inner(x, s, mu):
    """Closed forms of the innermost (z_k) average at field x: Z = E_z exp(mu|x + s z|).

    g = ln Z / mu; gm = 1 - <sgn h>, gp = 1 + <sgn h> (accurate near +-1);
    om = 1 - <sgn h>^2; u = <|h|> - g (= mu dg/dmu); rho = 2 phi(x/s) / (s Z)
    (the weighted density of h at 0; g'' = mu (1 - g'^2) + rho)."""
    x = np.asarray(x, dtype=float)
    a = np.abs(x)
    pos = x >= 0
    out = dict(g=a + 0.5 * mu * s * s, gm=np.where(pos, 0.0, 2.0), gp=np.where(pos, 2.0, 0.0),
               om=np.zeros_like(a), u=np.full_like(a, 0.5 * mu * s * s), rho=np.zeros_like(a))
    near = a < loc_len(s, mu)                 # elsewhere the values above hold to < 1e-26
    a, pos = a[near], pos[near]
    L1 = log_ndtr((a + mu * s * s) / s)                   # h with the sign of x
    L2 = -2 * mu * a + log_ndtr((mu * s * s - a) / s)     # h against the sign of x
    lse = np.logaddexp(L1, L2)
    wa = expit(L2 - L1)                                   # weight of the wrong sign
    wr = expit(L1 - L2)                                   # = 1 - wa
    phiZ = np.exp(-0.5 * (a / s) ** 2 - LOG_S2PI - mu * a - 0.5 * (mu * s) ** 2 - lse)
    out["g"][near] = a + 0.5 * mu * s * s + lse / mu
    out["gm"][near] = 2 * np.where(pos, wa, wr)
    out["gp"][near] = 2 * np.where(pos, wr, wa)
    out["om"][near] = 4 * wa * wr
    out["u"][near] = 0.5 * mu * s * s - 2 * a * wa + 2 * s * phiZ - lse / mu
    out["rho"][near] = 2 * phiZ / s
    return out


# ============================================================================ trace-log term
def tracelog(qs, C, mus):
    r"""T = lim (2/alpha) x [(alpha/2 beta n) Tr ln(1 - beta Q)] at T = 0, and its derivatives.

    qs = (q_0..q_{k-1}), q_k = 1 - C/beta, mus = (mu_1..mu_k).
    T = sum_{i=0}^k (1/mu_{i+1} - 1/mu_i) ln(1 - D_i) - q_0/(1 - D_0)  (1/mu_0 = 1/mu_{k+1} = 0),
    D_i = C + sum_{l=i+1}^k mu_l (q_l - q_{l-1}).  Returns T, dT/dq_j, dT/dC, dT/dmu_j, D."""
    k = len(mus)
    q = np.array(list(qs) + [1.0], dtype=float)           # q_0 .. q_k (q_k -> 1)
    M = np.r_[0.0, np.asarray(mus, dtype=float)]          # mu_0 = 0, mu_1 .. mu_k
    D = np.array([C + sum(M[l] * (q[l] - q[l - 1]) for l in range(i + 1, k + 1))
                  for i in range(k + 1)])
    if np.any(D >= 1):
        raise ValueError("1 - D_i <= 0")
    inv = np.r_[0.0, 1.0 / M[1:], 0.0]                    # 1/mu_0 .. 1/mu_{k+1}
    a = inv[1:] - inv[:-1]                                # a_i, i = 0..k
    lg = np.log1p(-D)
    T = a @ lg - q[0] / (1 - D[0])
    dq = np.zeros(k)
    for j in range(k):                                    # dD_i/dq_j, i <= j
        dD = np.array([M[j] - M[j + 1] if i < j else -M[j + 1] for i in range(j + 1)])
        dq[j] = -(a[:j + 1] * dD / (1 - D[:j + 1])).sum() - q[0] * dD[0] / (1 - D[0]) ** 2
    if k:
        dq[0] -= 1 / (1 - D[0])
    dC = -(a / (1 - D)).sum() - q[0] / (1 - D[0]) ** 2
    dmu = np.zeros(k)
    for j in range(1, k + 1):                             # dD_i/dmu_j = q_j - q_{j-1}, i < j
        dl = q[j] - q[j - 1]
        dmu[j - 1] = (-(lg[j - 1] - lg[j]) / M[j] ** 2 - dl * (a[:j] / (1 - D[:j])).sum()
                      - q[0] * dl / (1 - D[0]) ** 2)
    return T, dq, dC, dmu, D


def pvals(qs, C, mus):
    """p_j solving df/dq_j = 0 (j < k) and df/dC = 0: p_j = T_{q_j}/(mu_{j+1}-mu_j), p_k = -T_C."""
    _, dq, dC, _, _ = tracelog(qs, C, mus)
    mu = np.r_[0.0, np.asarray(mus, dtype=float)]
    return np.r_[dq / (mu[1:] - mu[:-1]), -dC]


def conj(qs, C, ps, mus):
    """C p_k + sum_{j=1}^k mu_j (p_j q_j - p_{j-1} q_{j-1}), q_k = 1."""
    q = list(qs) + [1.0]
    return C * ps[-1] + sum(mus[j - 1] * (ps[j] * q[j] - ps[j - 1] * q[j - 1])
                            for j in range(1, len(mus) + 1))


# ============================================================================ single-site averages
def avg0(alpha, m, p0):
    """RS: E|h|, E sgn h, E 2 delta(h) for h = m + sqrt(alpha p0) z."""
    sg = sqrt(alpha * p0)
    return dict(M=m * erf(m / (sqrt(2) * sg)) + sg * sqrt(2 / pi) * exp(-m * m / (2 * sg * sg)),
                gp=erf(m / (sqrt(2) * sg)),
                rho=2 * exp(-m * m / (2 * sg * sg)) / (sg * sqrt(2 * pi)))


def avg1(alpha, m, p0, p1, mu):
    """1RSB: E_z0 of g, g' (as E g' ), 1-g'^2, rho, u at A = m + s0 z0; s0^2 = alpha p0,
    innermost width s^2 = alpha (p1 - p0)."""
    s0, s = sqrt(alpha * p0), sqrt(alpha * (p1 - p0))
    z, w = gauss_rule(-m / s0, loc_len(s, mu) / s0, PANEL * min(s, 0.5 / mu) / s0)
    v = inner(m + s0 * z, s, mu)
    return dict(M=w @ v["g"], gp=w @ (0.5 * (v["gp"] - v["gm"])), om=w @ v["om"],
                rho=w @ v["rho"], u=w @ v["u"], nodes=len(z))


def avg2(alpha, m, p0, p1, p2, mu1, mu2, inner_fn=inner):
    """2RSB: E_z0 of M = (1/mu1) ln E_z1 e^{mu1 g}, and of the z1 averages <.>_1 (weight
    e^{mu1 g}) of g, g', 1-g'^2, rho, u, and of 1 - <g'>_1^2, at B = m + s0 z0, x = B + s1 z1,
    s0^2 = alpha p0, s1^2 = alpha (p1 - p0), innermost s2^2 = alpha (p2 - p1).

    z1 rule: per outer node its own composite Gauss-Legendre rule in z1 on
    [-ZCUT - mu1 s1, ZCUT + mu1 s1] (the tilt e^{mu1 g} shifts the Gaussian by <= mu1 s1),
    equal panels of width PANEL min(s2, 1/2mu2)/s1 (<= PANEL, >= PANEL/10), one edge at the
    kink z1 = -B/s1; all rows have the same number of nodes (vectorised). z0 rule: panels
    <= PANEL, and <= PANEL min(sqrt(s1^2+s2^2), 1/2mu1, max(s1, 1/2mu2))/s0 where
    |B| < loc_len(s2, mu2) + loc_len(s1, mu1), edge at B = 0."""
    s0, s1, s2 = sqrt(alpha * p0), sqrt(alpha * (p1 - p0)), sqrt(alpha * (p2 - p1))
    LB = loc_len(s2, mu2) + loc_len(s1, mu1)
    z0, w0 = gauss_rule(-m / s0, LB / s0,
                        PANEL * min(np.hypot(s1, s2), 0.5 / mu1, max(s1, 0.5 / mu2)) / s0)
    B = m + s0 * z0
    zl = ZCUT + mu1 * s1
    w1 = min(PANEL, PANEL * max(min(s2, 0.5 / mu2), s1 / 10) / s1)
    K = int(np.ceil(2 * zl / w1)) + 1
    if K * NGL * len(B) > 4e6:
        raise ValueError("z1 rule too large")
    zk = -B / s1
    start = zk + w1 * np.floor((-zl - zk) / w1)
    e = start[:, None] + w1 * np.arange(K + 1)[None, :]          # panel edges per row
    c, h = 0.5 * (e[:, 1:] + e[:, :-1]), 0.5 * w1
    Z1 = (c[:, :, None] + h * GLX[None, None, :]).reshape(len(B), -1)
    lw1 = np.log(np.tile(h * GLW, K))
    v = inner_fn(B[:, None] + s1 * Z1, s2, mu2)
    E = -0.5 * Z1 * Z1 - LOG_S2PI + lw1[None, :] + mu1 * v["g"]
    Emax = E.max(axis=1, keepdims=True)
    P = np.exp(E - Emax)
    W = P.sum(axis=1)
    P /= W[:, None]
    Mrow = (Emax[:, 0] + np.log(W)) / mu1
    av = {key: (P * v[key]).sum(axis=1) for key in ("g", "gm", "gp", "om", "rho", "u")}
    return dict(M=w0 @ Mrow, g=w0 @ av["g"], gp=w0 @ (0.5 * (av["gp"] - av["gm"])),
                om0=w0 @ (av["gm"] * av["gp"]), om=w0 @ av["om"], rho=w0 @ av["rho"],
                u=w0 @ av["u"], nodes=(len(B), Z1.shape[1]))


# ============================================================================ free energies
def f_full(alpha, m, qs, C, ps, mus, av=None):
    """T = 0 k-step RSB f (k = len(mus)) with all order parameters explicit."""
    k = len(mus)
    if av is None:
        av = (avg0(alpha, m, ps[0]) if k == 0 else avg1(alpha, m, *ps, *mus) if k == 1
              else avg2(alpha, m, *ps, *mus))
    T = tracelog(qs, C, mus)[0]
    return alpha / 2 + m * m / 2 + alpha / 2 * T + alpha / 2 * conj(qs, C, ps, mus) - av["M"]


def grad_full(alpha, m, qs, C, ps, mus):
    """All partial derivatives of f_full, in the order (m, q_0..q_{k-1}, C, p_0..p_k, mu_1..mu_k),
    from the closed forms (heat equation for the p's):
      df/dm = m - E<g'>,  df/dq_j = (alpha/2)[T_{q_j} - (mu_{j+1} - mu_j) p_j],
      df/dC = (alpha/2)[T_C + p_k],  df/dp_0 = (alpha/2) mu_1 (E<g'>_1^2 - q_0),
      df/dp_1 = (alpha/2)(mu_1 - mu_2)(q_1 - E<g'^2>_1)  (k = 2),  df/dp_k = (alpha/2)(C - E<rho>),
      df/dmu_j = (alpha/2)[T_{mu_j} + p_j q_j - p_{j-1} q_{j-1}] - dE.../dmu_j.
    Returns (f, gradient)."""
    k = len(mus)
    T, dq, dC, dmu, _ = tracelog(qs, C, mus)
    q = list(qs) + [1.0]
    Mu = np.r_[0.0, mus]
    a2 = alpha / 2
    if k == 0:
        av = avg0(alpha, m, ps[0])
        gp_ = [a2 * (C - av["rho"])]
    elif k == 1:
        av = avg1(alpha, m, *ps, *mus)
        gp_ = [a2 * mus[0] * ((1 - qs[0]) - av["om"]), a2 * (C - av["rho"])]
    else:
        av = avg2(alpha, m, *ps, *mus)
        gp_ = [a2 * mus[0] * ((1 - qs[0]) - av["om0"]),
               a2 * (mus[1] - mus[0]) * ((1 - qs[1]) - av["om"]), a2 * (C - av["rho"])]
    f = f_full(alpha, m, qs, C, ps, mus, av)
    g_m = [m - av["gp"]]
    g_q = [a2 * (dq[j] - (Mu[j + 1] - Mu[j]) * ps[j]) for j in range(k)]
    g_C = [a2 * (dC + ps[k])]
    g_mu = []
    for j in range(1, k + 1):
        dPhi = ((av["g"] - av["M"]) / mus[0] if (j == 1 and k == 2) else av["u"] / mus[j - 1])
        g_mu.append(a2 * (dmu[j - 1] + ps[j] * q[j] - ps[j - 1] * q[j - 1]) - dPhi)
    return f, np.array(g_m + g_q + g_C + gp_ + g_mu)


# ============================================================================ reduced equations
def unpack(k, y):
    """y (without ln alpha) -> (qs, C, mus); k = 1: (ln(1-q0), ln C, ln mu);
    k = 2: (ln(1-q0), logit((q1-q0)/(1-q0)), ln C, logit(mu1/mu2), ln mu2); k = 0: (ln C,)."""
    if k == 0:
        return (), exp(y[0]), ()
    if k == 1:
        return (1 - exp(y[0]),), exp(y[1]), (exp(y[2]),)
    q0 = 1 - exp(y[0])
    q1 = q0 + exp(y[0]) * expit(y[1])
    mu2 = exp(y[4])
    return (q0, q1), exp(y[2]), (mu2 * expit(y[3]), mu2)


def pack(qs, C, mus):
    k = len(mus)
    if k == 0:
        return np.array([log(C)])
    if k == 1:
        return np.array([log(1 - qs[0]), log(C), log(mus[0])])
    d = 1 - qs[0]
    r = (qs[1] - qs[0]) / d
    return np.array([log(d), log(r / (1 - r)), log(C), log(mus[0] / (mus[1] - mus[0])),
                     log(mus[1])])


def reduced_eqs(k, alpha, m, qs, C, mus):
    """The stationarity equations left after eliminating the p's (df/dq = df/dC = 0):
    df/dm, df/dp_j, df/dmu_j, each scaled to a relative residual."""
    ps = pvals(qs, C, mus)
    f, G = grad_full(alpha, m, qs, C, ps, mus)
    a2 = alpha / 2
    n = 1 + k + 1                                   # skip m, q's, C
    r = [G[0]]
    if k >= 1:
        r.append(G[n] / (a2 * mus[0] * (1 - qs[0])))
    if k == 2:
        r.append(G[n + 1] / (a2 * (mus[1] - mus[0]) * (1 - qs[1])))
    r.append(G[n + k] / (a2 * C))
    r.extend(G[n + k + 1 + j] * mus[j] / alpha for j in range(k))
    return np.array(r), f, ps, G


def curve(k, m, w0):
    """Retrieval solution at overlap m: w = (ln alpha, *y) solves the 2k+2 reduced equations."""
    def F(w):
        try:
            return reduced_eqs(k, exp(w[0]), m, *unpack(k, w[1:]))[0]
        except (ValueError, FloatingPointError):
            return np.full(len(w), 1e3)
    w, _, ier, _ = fsolve(F, w0, full_output=True, xtol=1e-13)
    res = np.max(np.abs(F(w)))
    return w, res < 1e-10, res


def at_alpha(k, alpha, v0):
    """Retrieval solution at fixed alpha, m free: v = (m, *y)."""
    def F(v):
        try:
            return reduced_eqs(k, alpha, v[0], *unpack(k, v[1:]))[0]
        except (ValueError, FloatingPointError):
            return np.full(len(v), 1e3)
    v, _, ier, _ = fsolve(F, v0, full_output=True, xtol=1e-13)
    return v, np.max(np.abs(F(v)))


# ============================================================================ fold
def fold(k, m0, w0, dm=0.002, xatol=1e-7):
    """alpha_c = max_m alpha(m) on the retrieval branch: walk uphill from m0 in steps dm,
    then bounded Brent on the bracketing interval (warm-started solves).
    Returns (alpha_c, m_c, w_c, residual)."""
    w0, ok, _ = curve(k, m0, w0)
    assert ok, f"k={k}: no solution at m={m0}"
    wp, okp, _ = curve(k, m0 + dm, w0)
    step = dm if okp and wp[0] > w0[0] else -dm
    m, w = m0, w0
    while True:
        wn, ok, _ = curve(k, m + step, w)
        if not ok or wn[0] < w[0]:
            break
        m, w = m + step, wn
    state = {"w": w}

    def neg(mm):
        y, ok, _ = curve(k, mm, state["w"])
        if not ok:
            return 0.0
        state["w"] = y
        return -y[0]
    lo, hi = sorted((m - abs(step), m + abs(step)))
    r = minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": xatol})
    y, ok, res = curve(k, r.x, state["w"])
    assert ok
    return exp(y[0]), r.x, y, res


def branch_to_alpha(k, alpha, m_c, w_c, dm=0.002):
    """The retrieval solution at load alpha < alpha_c on the large-m side of the fold:
    march along m from the fold until alpha(m) < alpha, then solve at fixed alpha from the
    linear interpolation. Returns (m, y, residual)."""
    m, w = m_c, w_c
    while True:
        wn, ok, _ = curve(k, m + dm, w)
        assert ok, "branch lost"
        if exp(wn[0]) < alpha:
            t = (log(alpha) - w[0]) / (wn[0] - w[0])
            v0 = np.r_[m + t * dm, (1 - t) * w[1:] + t * wn[1:]]
            v, res = at_alpha(k, alpha, v0)
            return v[0], v[1:], res
        m, w = m + dm, wn


# ============================================================================ RS closed form
def alpha_rs(m):
    """RS T = 0 retrieval branch: y = erfinv(m), alpha r = m^2/2y^2, C = sqrt(2/(pi alpha r))
    e^{-y^2}, r = 1/(1-C)^2 => alpha(m) = (m^2/2y^2)(1-C)^2. Returns (alpha, C)."""
    y = erfinv(m)
    ar = m * m / (2 * y * y)
    C = sqrt(2 / (pi * ar)) * exp(-y * y)
    return ar * (1 - C) ** 2, C


# ============================================================================ checks
def trace_conj_finite(beta, q, theta, p, n):
    """(1/n) Tr ln(1 - beta Q) and (1/n) sum_{a!=b} p_ab q_ab for the k-step Parisi matrix
    (q = q_0..q_k, theta = theta_1..theta_k, p = p_0..p_k) at replica number n (n = 0: the
    n -> 0 limit)."""
    k = len(theta)
    th = np.r_[n, theta, 1.0]                             # theta_0 = n .. theta_{k+1} = 1
    Lam = np.array([1 - q[k] + sum(th[i] * (q[i] - q[i - 1]) for i in range(j + 1, k + 1))
                    for j in range(k + 1)])
    tl = sum((1 / th[j + 1] - (1 / th[j] if j else 0.0)) * log(1 - beta * Lam[j])
             for j in range(k + 1))
    if n == 0:
        tl += -beta * q[0] / (1 - beta * Lam[0])
    else:
        tl += -log(1 - beta * Lam[0]) / n + log(1 - beta * Lam[0] - beta * n * q[0]) / n
    pairs = sum((th[j] - th[j + 1]) * p[j] * q[j] for j in range(k + 1))
    return tl, pairs


def parisi_matrix(n, theta, vals):
    """Explicit n x n k-step Parisi matrix: vals[j] between replicas in the same level-j block
    but different level-(j+1) blocks (block sizes theta), diagonal vals[k+1]."""
    a = np.arange(n)
    Q = np.full((n, n), vals[0], dtype=float)
    for j, t in enumerate(theta, start=1):
        Q[(a[:, None] // t) == (a[None, :] // t)] = vals[j]
    np.fill_diagonal(Q, vals[-1])
    return Q


def check_replica_algebra():
    """Finite n: eigenvalue formula of Tr ln, pair count, and the nested Hubbard-Stratonovich
    single-site formula against explicit matrices / brute-force spin sums."""
    out = []
    n, theta, q = 12, (6, 3), (0.2, 0.5, 0.8)
    p = (0.7, 1.1, 1.6)
    beta = 0.05
    Q = parisi_matrix(n, theta, list(q) + [1.0])
    P = parisi_matrix(n, theta, list(p) + [0.0])
    tl, pairs = trace_conj_finite(beta, q, theta, p, n)
    out.append(abs(tl - np.linalg.slogdet(np.eye(n) - beta * Q)[1] / n))
    out.append(abs(pairs - (P * Q).sum() / n))
    # single site: n = 8, theta = (4, 2)
    n, theta = 8, (4, 2)
    alpha, m, beta = 0.14, 0.6, 1.3
    P = parisi_matrix(n, theta, list(p) + [0.0])
    S = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
    E = beta * m * S.sum(1) + 0.5 * alpha * beta**2 * np.einsum("ia,ab,ib->i", S, P, S)
    brute = (np.log(np.exp(E - E.max()).sum()) + E.max()) / n
    zg, wg = np.polynomial.hermite_e.hermegauss(60)
    wg = wg / wg.sum()
    s = [sqrt(alpha * p[0]), sqrt(alpha * (p[1] - p[0])), sqrt(alpha * (p[2] - p[1]))]
    h = m + s[0] * zg[:, None, None] + s[1] * zg[None, :, None] + s[2] * zg[None, None, :]
    L2 = (2 * np.cosh(beta * h)) ** theta[1] @ wg
    L1 = L2 ** (theta[0] / theta[1]) @ wg
    hs = log(L1 ** (n / theta[0]) @ wg) / n - 0.5 * alpha * beta**2 * p[2]
    out.append(abs(brute - hs))
    return out


def inner_finite_beta(beta):
    """Innermost level at inverse temperature beta: g_beta = (1/mu) ln E_z (2 cosh beta h)^{mu/beta}
    = (1/mu) ln[Z + K], K = E_z e^{mu|h|}((1 + e^{-2 beta |h|})^{mu/beta} - 1) (|h| < 30/beta)."""
    H = 30.0 / beta
    hh, wh = panels(np.linspace(-H, H, 31))

    def fn(x, s, mu):
        v = inner(x, s, mu)
        ah = np.abs(hh)
        c = wh * np.exp(mu * ah) * np.expm1(mu / beta * np.log1p(np.exp(-2 * beta * ah)))
        xf = x.ravel()
        near = np.nonzero(np.abs(xf) < H + ZCUT * s)[0]
        K = np.zeros_like(xf)
        for i in range(0, len(near), 20000):
            idx = near[i:i + 20000]
            K[idx] = np.exp(-0.5 * ((hh[None, :] - xf[idx, None]) / s) ** 2 - LOG_S2PI) / s @ c
        g = v["g"] + np.log1p(K.reshape(x.shape) * np.exp(-mu * v["g"])) / mu
        return dict(v, g=g)
    return fn


def f2_finite_beta(alpha, m, qs, C, ps, mus, beta):
    """Finite-beta 2RSB f (n -> 0) at theta_j = mu_j/beta, q_2 = 1 - C/beta, same p's."""
    q = (qs[0], qs[1], 1 - C / beta)
    th = (mus[0] / beta, mus[1] / beta)
    tl, pairs = trace_conj_finite(beta, q, th, ps, 0)
    v = avg2(alpha, m, *ps, *mus, inner_fn=inner_finite_beta(beta))
    return (alpha / 2 + m * m / 2 + alpha / (2 * beta) * tl
            + alpha * beta / 2 * (ps[2] + pairs) - v["M"])


def inner_quad_check():
    """Closed forms g, <sgn h>, u, rho against scipy quad (split at the kink)."""
    worst = 0.0
    for x, s, mu in ((0.0, 0.02, 80.0), (0.01, 0.0116, 86.0), (-0.05, 0.03, 26.0), (0.3, 0.2, 5.0)):
        kw = dict(epsabs=0, epsrel=1e-13, limit=200)
        zk, sh = -x / s, mu * (abs(x) + 6 * s)

        def integ(fn, x=x, s=s, mu=mu, sh=sh, zk=zk, kw=kw):
            return sum(quad(lambda z: fn(z) * exp(mu * abs(x + s * z) - sh - 0.5 * z * z
                                                  - LOG_S2PI), lo, hi, **kw)[0]
                       for lo, hi in ((-40, zk), (zk, 40)))
        Z = integ(lambda z: 1.0)
        ref = np.array([(log(Z) + sh) / mu, integ(lambda z, x=x, s=s: np.sign(x + s * z)) / Z,
                        integ(lambda z, x=x, s=s: abs(x + s * z)) / Z - (log(Z) + sh) / mu,
                        2 * exp(-0.5 * (x / s) ** 2 - LOG_S2PI) / (s * Z * exp(sh))])
        v = inner(np.array([x]), s, mu)
        got = np.array([v["g"][0], 0.5 * (v["gp"][0] - v["gm"][0]), v["u"][0], v["rho"][0]])
        worst = max(worst, np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-3)))
    return worst


def nested_quad_check(alpha, m, ps, mus):
    """avg2 against nested adaptive scipy quadrature (quad_vec) in z0 and z1."""
    from scipy.integrate import quad_vec
    p0, p1, p2 = ps
    mu1, mu2 = mus
    s0, s1, s2 = sqrt(alpha * p0), sqrt(alpha * (p1 - p0)), sqrt(alpha * (p2 - p1))

    def at_B(B):
        c = mu1 * (abs(B) + 0.5 * mu2 * s2 * s2) + 0.5 * (mu1 * s1) ** 2

        def f(z):
            v = inner(np.array([B + s1 * z]), s2, mu2)
            w = exp(-0.5 * z * z + mu1 * v["g"][0] - c - LOG_S2PI)
            return w * np.array([1.0, v["g"][0], 0.5 * (v["gp"][0] - v["gm"][0]), v["gm"][0],
                                 v["gp"][0], v["om"][0], v["rho"][0], v["u"][0]])
        t = mu1 * s1
        pts = sorted({-t - 14, t + 14, *[z for z in (-B / s1,) if abs(z) < t + 14]})
        tot = sum(quad_vec(f, lo, hi, epsabs=0, epsrel=1e-12)[0]
                  for lo, hi in zip(pts[:-1], pts[1:], strict=True))
        W = tot[0]
        a = tot[1:] / W
        return np.array([(log(W) + c) / mu1, a[0], a[1], a[2] * a[3], a[4], a[5], a[6]])

    def F(z):
        return at_B(m + s0 * z) * exp(-0.5 * z * z - LOG_S2PI)
    zk = -m / s0
    brk = [-13, zk - 2 * (s1 + s2) / s0, zk, zk + 2 * (s1 + s2) / s0, 13]
    got = sum(quad_vec(F, lo, hi, epsabs=0, epsrel=1e-11)[0]
              for lo, hi in zip(brk[:-1], brk[1:], strict=True))
    v = avg2(alpha, m, *ps, *mus)
    ref = np.array([v[key] for key in ("M", "g", "gp", "om0", "om", "rho", "u")])
    return np.max(np.abs(got - ref))


def F_red(k, alpha, m, qs, C, mus):
    """f with the p's eliminated (p = p(q, C, mu))."""
    return f_full(alpha, m, qs, C, pvals(qs, C, mus), mus)


def fd_gradient_check():
    """grad_full (closed forms) against central differences of f_full, k = 0, 1, 2, at
    arbitrary non-stationary points (steps 1e-4 (1-q), 1e-4 C, 1e-6 otherwise).
    Returns the worst max|diff| / max|grad| over the three points."""
    pts = [(0.138, 0.95, (), 0.02, [1.05], ()),
           (0.138, 0.95, (0.99,), 0.02, [1.4, 1.45], (30.0,)),
           (0.1382, 0.9667, (0.996, 0.9991), 0.0256, [1.489, 1.4934, 1.4944], (26.0, 86.0))]
    worst = 0.0
    for alpha, m, qs, C, ps, mus in pts:
        diffs = []
        k = len(mus)
        x = np.r_[m, qs, C, ps, mus]
        G = grad_full(alpha, m, qs, C, ps, mus)[1]

        def F(x, k=k, alpha=alpha):
            return f_full(alpha, x[0], tuple(x[1:1 + k]), x[1 + k], x[2 + k:3 + 2 * k],
                          tuple(x[3 + 2 * k:]))
        for i in range(len(x)):
            e = np.zeros(len(x))
            e[i] = 1e-4 * ((1 - x[i]) if 1 <= i <= k else x[i] if i == k + 1 else 1e-2)
            diffs.append((F(x + e) - F(x - e)) / (2 * e[i]) - G[i])
        worst = max(worst, np.max(np.abs(diffs)) / np.max(np.abs(G)))
    return worst


# ============================================================================ main
HEADER = """\
H = -(1/2) sum_ij J_ij s_i s_j, J_ij = (1/N) sum_mu xi_i^mu xi_j^mu, K = alpha N, T = 0
k-step RSB (T=0 scaling q_k = 1 - C/beta, theta_j = mu_j/beta), q_k -> 1, mu_0 = 0:
  f = alpha/2 + m^2/2 + (alpha/2) T(q,C,mu)
      + (alpha/2)[C p_k + sum_j mu_j (p_j q_j - p_{j-1} q_{j-1})]
      - E_z0 (1/mu_1) ln E_z1 [ ... E_zk exp(mu_k |h|) ... ]^(mu_1/mu_2),
  h = m + sum_j sqrt(alpha (p_j - p_{j-1})) z_j,
  T = sum_{i=0..k} (1/mu_{i+1} - 1/mu_i) ln(1 - D_i) - q_0/(1 - D_0), 1/mu_0 = 1/mu_{k+1} = 0,
  D_i = C + sum_{l>i} mu_l (q_l - q_{l-1});  RS (k=0): T = -1/(1-C), f = alpha/2 + m^2/2
      - alpha/2(1-C) + alpha C p/2 - E|m + sqrt(alpha p) z|
p's eliminated in closed form (df/dq_j = df/dC = 0); equations: df/dm = df/dp_j = df/dmu_j = 0
alpha_c = max_m alpha(m) on the retrieval branch (fold)"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="skip the doubled-node refolds and the nested scipy-quad check")
    args = ap.parse_args()
    np.seterr(all="ignore")
    t0 = time.perf_counter()
    L = []

    def p(s=""):
        L.append(s)
        print(s, flush=True)

    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    p("Hopfield model, T = 0: independent RS / 1RSB / 2RSB storage capacity (NumPy/SciPy only)")
    p(f"(benchmarks/hopfield_2rsb_independent.py{' --quick' if args.quick else ''}; "
      f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}, "
      f"NumPy {np.__version__}, SciPy {scipy.__version__})")
    p(HEADER)
    p("")

    # ---------------------------------------------------------------- RS
    r = minimize_scalar(lambda mm: -alpha_rs(mm)[0], bounds=(0.5, 0.9999), method="bounded",
                        options={"xatol": 1e-13})
    m_rs = r.x
    a_rs, C_rs = alpha_rs(m_rs)
    a_rs0, m_rs0, w_rs0, res_rs0 = fold(0, m_rs - 0.003, np.array([log(a_rs), log(C_rs)]))
    p(f"RS   : closed form alpha(m) = (m^2/2y^2)(1-C)^2, y = erfinv m:  alpha_c = {a_rs:.13f} "
      f"(m = {m_rs:.10f}, C = {C_rs:.10f})")
    p(f"       same from the general k = 0 equations + fold search: {a_rs0:.13f} "
      f"(m = {m_rs0:.8f}, C = {exp(w_rs0[1]):.8f}, residual {res_rs0:.0e})")

    # ---------------------------------------------------------------- 1RSB
    seeds = []
    for d in (1e-2, 3e-3, 1e-3):
        for mu in (10.0, 30.0, 60.0):
            w, ok, res = curve(1, m_rs, np.array([log(a_rs), log(d), log(C_rs), log(mu)]))
            if ok and exp(w[3]) > 1.0 and w[1] > log(1e-8):
                seeds.append((w[0], tuple(np.round(w, 8)), w))
    n_ok = len(seeds)
    distinct = sorted({s[1] for s in seeds})
    w1s = max(seeds, key=lambda s: s[0])[2]
    p(f"1RSB : 9 seeds (1-q0 in {{1e-2,3e-3,1e-3}} x mu in {{10,30,60}}, C = C_RS) at m = m_RS: "
      f"{n_ok} converged to a non-trivial solution, {len(distinct)} distinct")
    a1, m1, w1, res1 = fold(1, m_rs, w1s)
    (q01,), C1, (mu1_,) = unpack(1, w1[1:])
    ps1 = pvals((q01,), C1, (mu1_,))
    p(f"       fold: alpha_c = {a1:.13f}  m = {m1:.8f} q0 = {q01:.8f} C = {C1:.8f} "
      f"mu = {mu1_:.6f} p0 = {ps1[0]:.8f} p1 = {ps1[1]:.8f} (residual {res1:.0e})")
    p("       (library 0.1381865 at m = 0.9668, mu = 36.8; Steffan & Kuhn 1994: 0.138186)")

    # ---------------------------------------------------------------- 2RSB
    d = 1 - q01
    shapes = [(1.15, 0.25, 0.5, 0.75, 2.3), (1.3, 0.1, 0.3, 0.6, 3.0), (1.05, 0.5, 0.8, 0.9, 1.5),
              (3.0, 1.0, 1.0, 0.3, 1.0), (1.02, 0.05, 0.2, 0.98, 4.0), (2.0, 0.8, 0.9, 0.5, 1.2)]
    p("2RSB : solutions at m = m_c^1RSB from 6 seeds "
      "(q0 = 1 - a(1-q0*), q1 = 1 - b(1-q0*), C = c C*, mu1 = r1 mu*, mu2 = r2 mu*)")
    sols = []
    for a, b, c, rr1, rr2 in shapes:
        w, ok, res = curve(2, m1, np.r_[w1[0], pack((1 - a * d, 1 - b * d), c * C1,
                                                     (rr1 * mu1_, rr2 * mu1_))])
        qs, C, mus = unpack(2, w[1:])
        nontriv = ok and mus[0] > 1e-2 * mus[1] and mus[1] - mus[0] > 1e-4 * mus[1] \
            and qs[1] - qs[0] > 1e-7
        tag = "2RSB" if nontriv else ("collapsed to 1RSB" if ok else "not converged")
        p(f"    seed a={a} b={b} c={c} r1={rr1} r2={rr2} -> alpha={exp(w[0]):.12f} q0={qs[0]:.7f} "
          f"q1={qs[1]:.7f} C={C:.6f} mu1={mus[0]:.4f} mu2={mus[1]:.4f} res={res:.0e} [{tag}]")
        if nontriv:
            sols.append((w[0], w))
    w2s = max(sols, key=lambda s: s[0])[1]
    a2, m2, w2, res2 = fold(2, m1, w2s, dm=0.0005)
    qs2, C2, mus2 = unpack(2, w2[1:])
    ps2 = pvals(qs2, C2, mus2)
    fg = grad_full(a2, m2, qs2, C2, ps2, mus2)
    p(f"       fold: alpha_c = {a2:.13f}  m = {m2:.8f} q0 = {qs2[0]:.8f} q1 = {qs2[1]:.8f} "
      f"C = {C2:.8f}")
    p(f"             p0 = {ps2[0]:.8f} p1 = {ps2[1]:.8f} p2 = {ps2[2]:.8f} mu1 = {mus2[0]:.6f} "
      f"mu2 = {mus2[1]:.6f} (residual {res2:.0e})")
    p(f"             all 9 partial derivatives of f (m,q0,q1,C,p0,p1,p2,mu1,mu2) at the fold: "
      f"max |df| = {np.max(np.abs(fg[1])):.1e}")
    p("")

    # ---------------------------------------------------------------- f_2RSB - f_1RSB
    p("Free energies at fixed alpha, m free (retrieval state, large-m side of the fold)")
    gaps = {}
    for A in (0.137, 0.138):
        ma, ya, ra = branch_to_alpha(1, A, m1, w1)
        mb, yb, rb = branch_to_alpha(2, A, m2, w2)
        fa = F_red(1, A, ma, *unpack(1, ya))
        fb = F_red(2, A, mb, *unpack(2, yb))
        qa, Ca, ua = unpack(1, ya)
        qb, Cb, ub = unpack(2, yb)
        gaps[A] = fb - fa
        p(f"  alpha={A}: 1RSB m={ma:.8f} q0={qa[0]:.7f} C={Ca:.6f} mu={ua[0]:.4f} f={fa:.13f} "
          f"(res {ra:.0e})")
        p(f"             2RSB m={mb:.8f} q0={qb[0]:.7f} q1={qb[1]:.7f} C={Cb:.6f} mu1={ub[0]:.4f} "
          f"mu2={ub[1]:.4f} f={fb:.13f} (res {rb:.0e})")
        p(f"             f_2RSB - f_1RSB = {fb - fa:.4e}"
          + ("  (library: 1.421e-07)" if A == 0.137 else ""))
    p("")

    # ---------------------------------------------------------------- convergence
    conv = {}
    if not args.quick:
        p("Numerical error: both folds relocated with PANEL = 1 (doubled nodes in z0 and z1) "
          "and 14-sigma cut-offs, Brent on m_c +- 2e-3")
        set_numerics(1.0, 14.0)
        for k, (a_, m_, w_) in ((1, (a1, m1, w1)), (2, (a2, m2, w2))):
            state = {"w": w_}

            def neg(mm, k=k, state=state):
                y, ok, _ = curve(k, mm, state["w"])
                state["w"] = y
                return -y[0] if ok else 0.0
            r = minimize_scalar(neg, bounds=(m_ - 2e-3, m_ + 2e-3), method="bounded",
                                options={"xatol": 1e-7})
            ab = exp(-r.fun)
            conv[k] = ab - a_
            p(f"  {k}RSB: alpha_c {a_:.13f} -> {ab:.13f} (change {ab - a_:+.1e}; "
              f"m_c change {r.x - m_:+.0e})")
        set_numerics(2.0, 12.0)
        p("")

    # ---------------------------------------------------------------- checks
    p("Checks")
    ra = check_replica_algebra()
    p(f"(a) replica algebra at finite n (explicit matrices, brute-force spin sums): "
      f"Tr ln eigenvalue formula {ra[0]:.0e}, pair count {ra[1]:.0e}, "
      f"nested Hubbard-Stratonovich single site (n=8, blocks 4,2) {ra[2]:.0e}")
    p(f"(b) closed-form gradient (m, q's, C, p's, mu's) vs central differences, k = 0,1,2: "
      f"worst max|diff|/max|grad| {fd_gradient_check():.1e}")
    A, m = 0.138, 0.96
    qb, Cb, mu_a, mu_b = 0.995, 0.03, 30.0, 80.0
    F1 = F_red(1, A, m, (qb,), Cb, (mu_b,))
    p(f"(c) reductions at alpha={A}, m={m}, C={Cb} (p's eliminated, arbitrary point):")
    p("    2RSB(q0, q1 = q0 + d, mu1=30, mu2=80), d = 1e-4, 1e-5, 1e-6: "
      + " ".join(f"{F_red(2, A, m, (qb, qb + dd), Cb, (mu_a, mu_b)):.12f}"
                 for dd in (1e-4, 1e-5, 1e-6))
      + f"  -> 1RSB(q0, mu=mu2) = {F1:.12f}")
    F1a = F_red(1, A, m, (qb,), Cb, (mu_a,))
    p("    2RSB(q0, q1 = 1 - d, mu1=30, mu2=80), d = 1e-5, 1e-7, 1e-9: "
      + " ".join(f"{F_red(2, A, m, (qb, 1 - dd), Cb, (mu_a, mu_b)):.12f}"
                 for dd in (1e-5, 1e-7, 1e-9))
      + f"  -> 1RSB(q0, mu=mu1) = {F1a:.12f}")
    p("    2RSB(mu1 = mu2 = 80), q1 = 0.997/0.999: "
      + " ".join(f"{F_red(2, A, m, (qb, q1), Cb, (mu_b, mu_b * (1 + 1e-12))):.12f}"
                 for q1 in (0.997, 0.999)) + f"  = 1RSB(q0, mu=80) = {F1:.12f}")
    Frs = F_red(0, A, m, (), Cb, ())
    p("    1RSB(q0 = 1 - d, mu = 30), d = 1e-6, 1e-8, 1e-10: "
      + " ".join(f"{F_red(1, A, m, (1 - dd,), Cb, (mu_a,)):.12f}" for dd in (1e-6, 1e-8, 1e-10))
      + f"  -> RS(C) = {Frs:.12f}")
    p("    1RSB(q0 = 0.995, mu = 1e-3, 1e-4, 1e-5): "
      + " ".join(f"{F_red(1, A, m, (qb,), Cb, (uu,)):.12f}" for uu in (1e-3, 1e-4, 1e-5))
      + f"  -> RS(C) = {Frs:.12f}")
    ys = erfinv(m_rs)
    p(f"    RS fold vs AGS equations: m - erf(m/sqrt(2 alpha r)) = "
      f"{m_rs - erf(m_rs / sqrt(2 * a_rs / (1 - C_rs) ** 2)):.1e}, C - sqrt(2/(pi alpha r)) "
      f"exp(-m^2/2 alpha r) = "
      f"{C_rs - sqrt(2 * (1 - C_rs) ** 2 / (pi * a_rs)) * exp(-ys * ys):.1e}")
    f0 = f_full(a2, m2, qs2, C2, ps2, mus2)
    row = []
    for beta in (1e2, 1e3, 1e4):
        fb = f2_finite_beta(a2, m2, qs2, C2, ps2, mus2, beta)
        row.append(f"beta={beta:.0e}: {fb - f0:+.2e}")
    p(f"(d) finite-beta 2RSB f (n -> 0, theta_j = mu_j/beta, q2 = 1 - C/beta, same p's) minus "
      f"the T=0 f at the 2RSB fold ({f0:.12f}): " + ", ".join(row))
    p(f"(e) innermost closed forms (g, <sgn h>, <|h|> - g, rho) vs scipy quad: worst rel. diff "
      f"{inner_quad_check():.1e}")
    if not args.quick:
        p(f"    the seven z0 averages of avg2 at the 2RSB fold vs nested adaptive scipy quad_vec: "
          f"max |diff| = {nested_quad_check(a2, m2, ps2, mus2):.1e}")
    p(f"    nodes at the 2RSB fold (z0 x z1 per row): {avg2(a2, m2, *ps2, *mus2)['nodes']}")
    dmf = 2e-4
    al = [exp(curve(2, m2 + s * dmf, w2)[0][0]) for s in (-1, 1)]
    curv = (al[0] + al[1] - 2 * a2) / dmf**2
    p(f"(f) alpha_2RSB(m) at m_c -/+ {dmf:.0e}: {al[0]:.13f} {al[1]:.13f} < alpha_c "
      f"(curvature {curv:.4f}; Brent xatol 1e-7 in m => fold-location error "
      f"<= {0.5 * abs(curv) * 1e-14:.0e} in alpha)")
    p(f"    f_2RSB > f_1RSB at fixed alpha (Parisi: f maximised over the RSB parameters): "
      f"{'yes' if all(g > 0 for g in gaps.values()) else 'NO'}")

    # library point
    lib = dict(alpha=0.138196342, m=0.966753, q0=0.995958, q1=0.999145, C=0.025595,
               p0=1.48908, p1=1.49341, p2=1.49438, mu1=25.9608, mu2=86.3819)
    names = ("m", "q0", "q1", "C", "p0", "p1", "p2", "mu1", "mu2")
    Gl = grad_full(lib["alpha"], lib["m"], (lib["q0"], lib["q1"]), lib["C"],
                   [lib["p0"], lib["p1"], lib["p2"]], (lib["mu1"], lib["mu2"]))[1]
    mine = dict(alpha=a2, m=m2, q0=qs2[0], q1=qs2[1], C=C2, p0=ps2[0], p1=ps2[1], p2=ps2[2],
                mu1=mus2[0], mu2=mus2[1])
    rnd = {k_: float(f"{v:.6g}") if k_ != "alpha" else float(f"{v:.9g}") for k_, v in mine.items()}
    Gr = grad_full(rnd["alpha"], rnd["m"], (rnd["q0"], rnd["q1"]), rnd["C"],
                   [rnd["p0"], rnd["p1"], rnd["p2"]], (rnd["mu1"], rnd["mu2"]))[1]
    p("(g) the library's 2RSB fold point (alpha = 0.138196342, 6 significant digits) in this f:")
    p("    " + " ".join(f"{n_}:{lib[n_]:.6g}/{mine[n_]:.8g}" for n_ in names)
      + "  (library / this script)")
    p("    gradient at the library point: "
      + " ".join(f"{n_} {g:+.1e}" for n_, g in zip(names, Gl, strict=True)))
    p("    gradient at this script's fold rounded to 6 digits: "
      + " ".join(f"{n_} {g:+.1e}" for n_, g in zip(names, Gr, strict=True)))
    same = all(float(f"{mine[n_]:.6g}") == lib[n_] for n_ in names)
    p(f"    the library point {'IS' if same else 'is NOT'} this script's fold rounded to the "
      f"printed 6 digits; at the unrounded fold max |grad| = {np.max(np.abs(fg[1])):.1e}, so the "
      f"gradient above is the rounding")
    p("    p(q,C,mu) closed form at the library's rounded q, C, mu: "
      + " ".join(f"{v:.6f}" for v in pvals((lib["q0"], lib["q1"]), lib["C"],
                                             (lib["mu1"], lib["mu2"])))
      + " (library p's 1.48908 1.49341 1.49438; the difference is rounding of q, C, mu)")
    wl, okl, resl = curve(2, lib["m"], np.r_[log(lib["alpha"]),
                                             pack((lib["q0"], lib["q1"]), lib["C"],
                                                  (lib["mu1"], lib["mu2"]))])
    ql, Cl, ul = unpack(2, wl[1:])
    p(f"    Newton from the library point at its m = {lib['m']}: alpha = {exp(wl[0]):.13f} "
      f"q0 = {ql[0]:.8f} q1 = {ql[1]:.8f} C = {Cl:.8f} mu1 = {ul[0]:.6f} mu2 = {ul[1]:.6f} "
      f"(residual {resl:.0e})")
    p("")

    # ---------------------------------------------------------------- table
    e1 = f"{abs(conv[1]):.0e}" if conv else "n/a"
    e2 = f"{abs(conv[2]):.0e}" if conv else "n/a"
    p("Zero-temperature storage capacity of the Hopfield model (fold of the retrieval branch)")
    p(f"{'level':>5} {'alpha_c':>16} {'num. error':>10} {'reference':>30} {'m_c':>10} {'q0':>10} "
      f"{'q1':>10} {'C':>9} {'mu1':>9} {'mu2':>9}")
    p(f"{'RS':>5} {a_rs:16.13f} {'<1e-15':>10} {'0.1379055665 lib, 0.138 AGS':>30} {m_rs:10.7f} "
      f"{'1':>10} {'-':>10} {C_rs:9.6f} {'-':>9} {'-':>9}")
    p(f"{'1RSB':>5} {a1:16.13f} {e1:>10} {'0.1381865 lib, 0.138186 S&K':>30} {m1:10.7f} "
      f"{q01:10.7f} {'-':>10} {C1:9.6f} {mu1_:9.4f} {'-':>9}")
    p(f"{'2RSB':>5} {a2:16.13f} {e2:>10} {'0.138196342 lib, 0.138187 S&K':>30} {m2:10.7f} "
      f"{qs2[0]:10.7f} {qs2[1]:10.7f} {C2:9.6f} {mus2[0]:9.4f} {mus2[1]:9.4f}")
    err2 = max(abs(conv.get(2, 0.0)), 0.5 * abs(curv) * 1e-14, 1e-13)
    refs = {"library 0.138196342": 0.138196342, "Steffan & Kuhn 0.138187": 0.138187}
    best = min(refs, key=lambda r_: abs(a2 - refs[r_]))
    p("verdict: alpha_c^2RSB = " + f"{a2:.12f}" + f" (+- {err2:.0e}: quadrature doubling, fold "
      f"location, solver tolerance) agrees with the {best} (difference "
      f"{a2 - refs[best]:+.1e}); it differs from the other by "
      + ", ".join(f"{a2 - v:+.2e}" for k_, v in refs.items() if k_ != best))
    p(f"alpha_c^2RSB - alpha_c^1RSB = {a2 - a1:.4e}; alpha_c^1RSB - alpha_c^RS = {a1 - a_rs:.4e}; "
      f"f_2RSB - f_1RSB at alpha = 0.137: {gaps[0.137]:.4e}")
    p(f"machine: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
      f"NumPy {np.__version__}; SciPy {scipy.__version__}")
    p(f"run time {time.perf_counter() - t0:.1f} s")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
