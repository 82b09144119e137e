r"""Independent T = 0 two-step RSB (2RSB) capacity of the dense P-spin Hebbian network.

A self-contained computation (NumPy/SciPy only, nothing imported from the
repository) of the ground-state retrieval capacity of the dense network

.. math::

    H(s) = -\frac{1}{N^{P-1}} \sum_{\mu=1}^{K} \sum_{i_1<\dots<i_P}
           \prod_{k=1}^{P} \xi^\mu_{i_k} s_{i_k},  \qquad K = \alpha N^{P-1},

with Ising spins, unbiased +-1 patterns and P = 3, 4, 5, at replica-symmetric
(RS), one-step (1RSB, recomputed here with different numerics) and two-step
(2RSB) replica-symmetry-breaking level. It is the 2RSB companion of
``dense_1rsb_independent.py`` (same model, same conventions, same capacity
definition) and prints a table and writes it to
``benchmarks/results/dense_2rsb_independent.txt``::

    python benchmarks/dense_2rsb_independent.py            # full run, ~7 min on 2 cores
    python benchmarks/dense_2rsb_independent.py --quick    # ~2 min: no doubled-node reruns,
                                                           # no nested-quad check

Derivation
----------
1. *Signal and cross-talk* (as in ``dense_1rsb_independent.py``). Gauge
   :math:`s_i \to \xi^1_i s_i`; the condensed pattern gives
   :math:`-N m^P/P! + O(1)`; the other patterns give a centred field with
   covariance :math:`N\xi(q) + O(1)` over the patterns,
   :math:`\xi(q) = \alpha q^P/P!`, and o(N) higher cumulants for P >= 3: the
   cross-talk is a pure Gaussian P-spin glass. Replicating,
   :math:`\mathbb{E}Z^n = \sum_{\{s^a\}}\exp N\{\beta\sum_a m_a^P/P! +
   \tfrac{\beta^2}{2}\sum_{a,b}\xi(q_{ab})\}`, with :math:`q_{aa} = 1`.

2. *Saddle point.* The magnetisation conjugate is :math:`\beta h_m`,
   :math:`h_m = m^{P-1}/(P-1)!`, and the signal with its Legendre partner
   gives :math:`\beta(m^P/P! - m h_m) = -\beta(P-1)m^P/P!` in
   :math:`-\beta f`. For :math:`a \ne b` the conjugate of :math:`q_{ab}` is
   :math:`\beta^2\xi'(q_{ab})`, which leaves
   :math:`\tfrac{\beta^2}{2}[\xi(1) + \sum_{a\ne b}(\xi(q_{ab}) -
   q_{ab}\xi'(q_{ab}))]` and the single-site term
   :math:`\ln\sum_{\{s_a\}}\exp[\beta h_m\sum_a s_a +
   \tfrac{\beta^2}{2}\sum_{a\ne b}\xi'(q_{ab})s_a s_b]`.

3. *k-step Parisi ansatz.* Nested blocks of sizes
   :math:`n \le \theta_1 \le \dots \le \theta_k \le 1` (n -> 0 order), overlap
   :math:`q_j` between replicas that share a level-j block but not a level
   j+1 one (:math:`q_0` between level-1 blocks, :math:`q_k` inside the
   innermost ones). Per replica, as n -> 0, the pairs at overlap
   :math:`q_k, q_j (0<j<k), q_0` number :math:`\theta_k - 1,
   \theta_j - \theta_{j+1}, n - \theta_1 \to -\theta_1`. With
   :math:`th(q) = q\xi'(q) - \xi(q)` the energy term becomes (summation by
   parts) :math:`\tfrac{\beta^2}{2}\{\xi(1) - \xi(q_k) - (1-q_k)\xi'(q_k) -
   \sum_{j=1}^k\theta_j[th(q_j) - th(q_{j-1})]\}`. In the spin term,
   :math:`\sum_{a\ne b}\xi'(q_{ab})s_as_b = \xi'(q_0)(\sum_a s_a)^2 +
   \sum_{j=1}^k[\xi'(q_j)-\xi'(q_{j-1})]\sum_{\text{level-}j\ B}
   (\sum_{a\in B}s_a)^2 - n\xi'(q_k)`; one Hubbard-Stratonovich field per
   level and the traces from the inside out give, for k = 2,

   .. math:: f_2 = \frac{(P-1)m^P}{P!} - \frac{\beta}{2}\big[\xi(1) - \xi(q_2)
             - (1-q_2)\xi'(q_2)\big] + \frac{\beta}{2}\sum_{j=1}^{2}\theta_j
             \big[th(q_j) - th(q_{j-1})\big] - \frac{1}{\beta\theta_1}
             \mathbb{E}_{z_0}\ln\mathbb{E}_{z_1}\Big[\big(\mathbb{E}_{z_2}
             (2\cosh\beta h)^{\theta_2}\big)^{\theta_1/\theta_2}\Big],

   :math:`h = h_m + \sqrt{\xi'(q_0)}z_0 + \sqrt{\xi'(q_1)-\xi'(q_0)}z_1 +
   \sqrt{\xi'(q_2)-\xi'(q_1)}z_2`. Reductions: :math:`\theta_1 = \theta_2`
   merges :math:`z_1, z_2` into one Gaussian of variance
   :math:`\xi'(q_2)-\xi'(q_0)` and the two energy steps into
   :math:`\theta[th(q_2)-th(q_0)]`; :math:`q_1 = q_0` kills :math:`z_1`
   (the outer power and log cancel, leaving
   :math:`(1/\beta\theta_2)\mathbb{E}\ln\mathbb{E}_{z_2}(\dots)^{\theta_2}`
   and :math:`\theta_2[th(q_2)-th(q_0)]`); :math:`q_1 = q_2` kills
   :math:`z_2`. Each gives the 1RSB f of ``dense_1rsb_independent.py``
   (whose bracket equals this one after
   :math:`\xi - q\xi' = -th`), and k = 0 gives f_RS.

4. *T = 0.* :math:`q_2 = 1 - C/\beta`, :math:`\theta_j = \mu_j/\beta`,
   :math:`\mu_1 \le \mu_2` finite. The first bracket is
   :math:`\xi''(1)C^2/2\beta^2 + O(\beta^{-3})`, i.e. O(1/beta) in f;
   :math:`(2\cosh\beta h)^{\theta_2} = e^{\mu_2|h|}(1 + e^{-2\beta|h|})^{\mu_2/\beta}
   \to e^{\mu_2|h|}`; :math:`\xi'(q_2) \to \xi'(1)`, :math:`th(q_2) \to
   th(1) = (P-1)\alpha/P!`. So C drops out and

   .. math:: f^0_2(m,q_0,q_1,\mu_1,\mu_2) = \frac{(P-1)m^P}{P!}
             + \frac{\mu_1}{2}[th(q_1)-th(q_0)] + \frac{\mu_2}{2}[th(1)-th(q_1)]
             - \mathbb{E}_{z_0}M(h_m + s_0z_0),

   :math:`M(B) = \mu_1^{-1}\ln\mathbb{E}_{z_1}e^{\mu_1 g(B+s_1z_1)}`,
   :math:`g(x) = \mu_2^{-1}\ln\mathbb{E}_{z_2}e^{\mu_2|x+s_2z_2|}`,
   :math:`s_0^2 = \xi'(q_0)`, :math:`s_1^2 = \xi'(q_1)-\xi'(q_0)`,
   :math:`s_2^2 = \xi'(1)-\xi'(q_1)`, and in closed form
   :math:`\mathbb{E}_{z}e^{\mu|x+sz|} = \sum_{\sigma=\pm1}e^{\mu\sigma x +
   \mu^2s^2/2}\Phi((\sigma x+\mu s^2)/s)`. At :math:`\mu_1 = \mu_2` it is the
   1RSB T = 0 f of ``dense_1rsb_independent.py`` exactly; as
   :math:`q_1 \to q_0` (or :math:`q_1 \to 1`) it tends to the 1RSB f with
   :math:`\mu = \mu_2` (or :math:`\mu_1`). This is the T = 0 Parisi
   (Auffinger-Chen) functional for the two-step
   :math:`\gamma(q) = \mu_1 1_{[q_0,q_1)} + \mu_2 1_{[q_1,1)}`.

5. *Stationarity.* With :math:`\langle F\rangle_1 = \mathbb{E}_{z_1}
   [F e^{\mu_1 g}]/\mathbb{E}_{z_1}e^{\mu_1 g}`, :math:`g' = \langle\mathrm{sgn}\,h
   \rangle_2` (z2 average weighted by :math:`e^{\mu_2|h|}`) and
   :math:`u = \langle|h|\rangle_2 - g = \mu_2\,\partial g/\partial\mu_2`, the heat
   equation :math:`\partial_{s^2}\mathbb{E}F(a+sz) = \tfrac12\mathbb{E}F''` and
   :math:`\partial_{s_2^2}g = \tfrac12(g''+\mu_2g'^2)` give

   .. math:: m = \mathbb{E}_{z_0}\langle g'\rangle_1,\quad
             q_0 = \mathbb{E}_{z_0}\langle g'\rangle_1^2,\quad
             q_1 = \mathbb{E}_{z_0}\langle g'^2\rangle_1,

   .. math:: \tfrac12[th(q_1)-th(q_0)] = \mu_1^{-1}\mathbb{E}_{z_0}[\langle g
             \rangle_1 - M], \qquad \tfrac12[th(1)-th(q_1)] =
             \mu_2^{-1}\mathbb{E}_{z_0}\langle u\rangle_1

   (:math:`\partial f/\partial q_0 = \tfrac{\mu_1}{2}\xi''(q_0)
   [\mathbb{E}\langle g'\rangle_1^2 - q_0]`, :math:`\partial f/\partial q_1 =
   \tfrac{\mu_1-\mu_2}{2}\xi''(q_1)[q_1 - \mathbb{E}\langle g'^2\rangle_1]`;
   checked against finite differences of f). Parisi prescription: f is
   maximised over (q0, q1, mu1, mu2) (Guerra's bound; checked: Hessian
   negative definite, and f_2RSB > f_1RSB); m is the stationary point on the
   retrieval branch. alpha_c is the fold of the retrieval branch: alpha(m)
   from the five equations at fixed m, maximised over m.

Numerics: g, g' = <sgn h>_2 and u are closed forms (log_ndtr, log-sum-exp).
The z1 average is done on one composite 16-point Gauss-Legendre rule in
:math:`x = B + s_1z_1` shared by all outer nodes B, in log space (row-wise
log-sum-exp of :math:`-(x-B)^2/2s_1^2 + \mu_1 g(x)`, so the exponential tilt
never overflows), with panel width <= PANEL * s1, <= PANEL * min(s1, s2,
1/2mu2) where g departs from |x| + const, and a panel edge at x = 0; the z0
average likewise in B with a panel edge at B = 0 and width <= PANEL *
min(s0, s1, 1/2mu1) near it, Gaussians cut at 12 sigma. PANEL = 2 (16 nodes per
two smallest length scales: machine precision for these analytic integrands);
the convergence check reruns every fold with PANEL = 1 and 14-sigma cuts
(doubled nodes). The quadrature is checked against nested adaptive
scipy.integrate quadrature (quad_vec) and the closed forms against
scipy.integrate.quad.
"""

from __future__ import annotations

import argparse
import pathlib
import platform
import time
from math import factorial, log, pi, sqrt

import numpy as np
import scipy
from scipy.integrate import quad, quad_vec
from scipy.optimize import fsolve, minimize, minimize_scalar
from scipy.special import erfinv, expit, log_ndtr

OUT = pathlib.Path(__file__).resolve().parent / "results" / "dense_2rsb_independent.txt"
GLX, GLW = np.polynomial.legendre.leggauss(16)
PANEL = 2.0          # panel width in units of the smallest local length scale
ZCUT = 12.0          # Gaussian cut-off (standard deviations)
LOG_S2PI = 0.5 * log(2 * pi)
MAXNODES = 12000


# ----------------------------------------------------------------------------- model
class Model:
    """Covariance xi(q) = c q^P of the cross-talk (c = alpha/P! by default)."""

    def __init__(self, P: int, alpha: float, c: float | None = None):
        self.P, self.alpha = P, alpha
        self.c = alpha / factorial(P) if c is None else c

    def xi(self, q):
        return self.c * q**self.P

    def xp(self, q):
        return self.c * self.P * q ** (self.P - 1)

    def xpp(self, q):
        return self.c * self.P * (self.P - 1) * q ** (self.P - 2)

    def th(self, q):
        """th(q) = q xi'(q) - xi(q)."""
        return self.c * (self.P - 1) * q**self.P

    def hm(self, m):
        return m ** (self.P - 1) / factorial(self.P - 1)

    def signal(self, m):
        return (self.P - 1) * m**self.P / factorial(self.P)


def set_numerics(panel: float, zcut: float):
    global PANEL, ZCUT
    PANEL, ZCUT = panel, zcut


# ----------------------------------------------------------------------------- quadrature
def gl_rule(a, b, width, fine=None):
    """Composite Gauss-Legendre rule on [a, b], panel width <= width, <= fine[2] on
    [fine[0], fine[1]], and a panel edge at 0 and at the ends of the fine region."""
    brk = {a, b}
    if fine is not None:
        brk |= {min(max(v, a), b) for v in (fine[0], 0.0, fine[1])}
    brk = sorted(brk)
    xs, ws = [], []
    for lo, hi in zip(brk[:-1], brk[1:], strict=True):
        if hi <= lo:
            continue
        mid = 0.5 * (lo + hi)
        w = width
        if fine is not None and fine[0] <= mid <= fine[1]:
            w = min(w, fine[2])
        n = max(int(np.ceil((hi - lo) / w)), 1)
        e = np.linspace(lo, hi, n + 1)
        h, c = 0.5 * np.diff(e), 0.5 * (e[1:] + e[:-1])
        xs.append((c[:, None] + h[:, None] * GLX).ravel())
        ws.append((h[:, None] * GLW).ravel())
    return np.concatenate(xs), np.concatenate(ws)


def loc_len(s, mu):
    """|x| beyond which (1/mu) ln E e^{mu|x+sz|} - |x| - mu s^2/2 is below ~1e-26."""
    return min(mu * s * s + ZCUT * s, 30.0 / mu)


def gauss_nodes(hm, s0, fine_width, L):
    """Nodes/weights of E_z0 F(hm + s0 z0) (fine panels on |B| < L, edge at B = 0)."""
    if s0 == 0.0:
        return np.array([hm]), np.array([1.0])
    a, b = hm - ZCUT * s0, hm + ZCUT * s0
    B, w = gl_rule(a, b, PANEL * s0, (-L, L, PANEL * fine_width))
    return B, w * np.exp(-0.5 * ((B - hm) / s0) ** 2) / (s0 * sqrt(2 * pi))


def inner(x, s, mu):
    """Innermost z average in closed form at field x (width s, Parisi mu).

    g = (1/mu) ln E_z e^{mu|x+sz|}, gp = <sgn h> = g', u = <|h|> - g = mu dg/dmu.
    """
    a = np.abs(x)
    L1 = log_ndtr((a + mu * s * s) / s)                       # aligned branch
    L2 = -2 * mu * a + log_ndtr((mu * s * s - a) / s)         # anti-aligned branch
    lse = np.logaddexp(L1, L2)
    wm = expit(L2 - L1)
    g = a + 0.5 * mu * s * s + lse / mu
    gp = np.sign(x) * (1 - 2 * wm)
    phiZ = np.exp(-a * a / (2 * s * s) - LOG_S2PI - mu * a - 0.5 * mu * mu * s * s - lse)
    u = 0.5 * mu * s * s - 2 * a * wm + 2 * s * phiZ - lse / mu
    return g, gp, u


# ----------------------------------------------------------------------------- RS, T = 0
def alpha_rs(P: int, m: float) -> float:
    """alpha on the RS retrieval branch at overlap m (m = erf(h_m / sqrt(2 alpha/(P-1)!)))."""
    return m ** (2 * (P - 1)) / (factorial(P - 1) * 2 * erfinv(m) ** 2)


def rs_capacity(P: int):
    r = minimize_scalar(lambda m: -alpha_rs(P, m), bounds=(0.05, 0.99999), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, r.x


# ----------------------------------------------------------------------------- 1RSB, T = 0
def avg1(M: Model, m, q0, mu):
    """E_z0 of g, g', g'^2, u at A = h_m + s0 z0 (1RSB: s^2 = xi'(1) - xi'(q0))."""
    s0, s = sqrt(M.xp(q0)), sqrt(M.xp(1.0) - M.xp(q0))
    A, wz = gauss_nodes(M.hm(m), s0, min(s0, s, 0.5 / mu) if s0 else 1.0, loc_len(s, mu))
    g, gp, u = inner(A, s, mu)
    return dict(g=wz @ g, gp=wz @ gp, gp2=wz @ gp**2, u=wz @ u)


def f1(M: Model, m, q0, mu):
    v = avg1(M, m, q0, mu)
    return M.signal(m) + 0.5 * mu * (M.th(1.0) - M.th(q0)) - v["g"]


def eqs1(M: Model, m, q0, mu):
    """m-, q0- and mu-equations (the last divided by th(1))."""
    v = avg1(M, m, q0, mu)
    return np.array([v["gp"] - m, v["gp2"] - q0,
                     (0.5 * (M.th(1.0) - M.th(q0)) - v["u"] / mu) / M.th(1.0)])


def _lg(p):
    return np.log(p) - np.log1p(-p)


def curve1(P, m, w0):
    """(ln alpha, logit q0, ln mu) on the 1RSB retrieval branch at overlap m."""
    def F(w):
        return eqs1(Model(P, np.exp(w[0])), m, expit(w[1]), np.exp(w[2]))
    w, _, ier, _ = fsolve(F, w0, full_output=True, xtol=1e-14)
    res = np.max(np.abs(F(w)))
    return w, res < 1e-11


def start1(M: Model, m):
    """Coarse maximum of f1 over (q0, mu) at fixed (alpha, m): (logit q0, ln mu)."""
    best = (-np.inf, None)
    for ld in np.linspace(-10, -0.3, 30):
        q0 = 1 - np.exp(ld)
        s = sqrt(M.xp(1.0) - M.xp(q0))
        for u in np.exp(np.linspace(np.log(0.05), np.log(20), 30)):
            v = f1(M, m, q0, u / s)
            if v > best[0]:
                best = (v, np.array([_lg(q0), np.log(u / s)]))
    return best[1]


# ----------------------------------------------------------------------------- 2RSB, T = 0
def avg2(M: Model, m, q0, q1, mu1, mu2, q2=1.0, inner_fn=inner):
    """E_z0 of M, <g>_1, <g'>_1, <g'>_1^2, <g'^2>_1, <u>_1 (2RSB, T = 0)."""
    s0 = sqrt(M.xp(q0))
    s1 = sqrt(M.xp(q1) - M.xp(q0))
    s2 = sqrt(M.xp(q2) - M.xp(q1))
    L2 = loc_len(s2, mu2)
    B, wz = gauss_nodes(M.hm(m), s0, min(s0, s1, 0.5 / mu1) if s0 else 1.0,
                        L2 + loc_len(s1, mu1))
    xa, xb = B[0] - mu1 * s1 * s1 - ZCUT * s1, B[-1] + mu1 * s1 * s1 + ZCUT * s1
    x, wx = gl_rule(xa, xb, PANEL * s1, (-L2, L2, PANEL * min(s1, s2, 0.5 / mu2)))
    if len(x) > MAXNODES or len(B) > MAXNODES:
        raise ValueError(f"quadrature too large ({len(B)} x {len(x)} nodes)")
    g, gp, u = inner_fn(x, s2, mu2)
    E = np.subtract.outer(B / s1, x / s1)        # log weights -(x-B)^2/2s1^2 + mu1 g(x) + ln wx
    E *= E
    E *= -0.5
    E += mu1 * g + np.log(wx)
    Lmax = E.max(axis=1)
    E -= Lmax[:, None]
    np.exp(E, out=E)
    S = E @ np.stack([np.ones_like(g), g, gp, gp * gp, u], axis=1)
    W = S[:, 0]
    logW = Lmax + np.log(W) - LOG_S2PI - np.log(s1)
    G, GP, GP2, U = (S[:, k] / W for k in range(1, 5))
    return dict(M=wz @ logW / mu1, g=wz @ G, gp=wz @ GP, gpsq=wz @ GP**2, gp2=wz @ GP2,
                u=wz @ U, nodes=(len(B), len(x)))


def f2(M: Model, m, q0, q1, mu1, mu2):
    v = avg2(M, m, q0, q1, mu1, mu2)
    return (M.signal(m) + 0.5 * mu1 * (M.th(q1) - M.th(q0))
            + 0.5 * mu2 * (M.th(1.0) - M.th(q1)) - v["M"])


def eqs2(M: Model, m, q0, q1, mu1, mu2):
    """m-, q0-, q1-, mu1-, mu2-equations (the last two divided by th(1))."""
    v = avg2(M, m, q0, q1, mu1, mu2)
    t1 = M.th(1.0)
    return np.array([v["gp"] - m, v["gpsq"] - q0, v["gp2"] - q1,
                     (0.5 * (M.th(q1) - M.th(q0)) - (v["g"] - v["M"]) / mu1) / t1,
                     (0.5 * (t1 - M.th(q1)) - v["u"] / mu2) / t1])


def grad2(M: Model, m, q0, q1, mu1, mu2):
    """f and its gradient in (q0, q1, mu1, mu2) at fixed (alpha, m)."""
    v = avg2(M, m, q0, q1, mu1, mu2)
    f = (M.signal(m) + 0.5 * mu1 * (M.th(q1) - M.th(q0))
         + 0.5 * mu2 * (M.th(1.0) - M.th(q1)) - v["M"])
    return f, np.array([0.5 * mu1 * M.xpp(q0) * (v["gpsq"] - q0),
                        0.5 * (mu1 - mu2) * M.xpp(q1) * (q1 - v["gp2"]),
                        0.5 * (M.th(q1) - M.th(q0)) - (v["g"] - v["M"]) / mu1,
                        0.5 * (M.th(1.0) - M.th(q1)) - v["u"] / mu2])


def unpack(a, q0=None):
    """Unconstrained a -> (q0, q1, mu1, mu2), 0 < q0 < q1 < 1, 0 < mu1 < mu2 (q0 fixed if given)."""
    if q0 is None:
        q0, a = expit(a[0]), a[1:]
    q1 = q0 + (1 - q0) * expit(a[0])
    mu2 = np.exp(a[2])
    return q0, q1, mu2 * expit(a[1]), mu2


def pack(q0, q1, mu1, mu2, fix_q0=False):
    b = [_lg((q1 - q0) / (1 - q0)), _lg(mu1 / mu2), np.log(mu2)]
    return np.array(b if fix_q0 else [_lg(q0), *b])


def dunpack(a, q0=None):
    """Jacobian d(q0, q1, mu1, mu2)/da (columns for the free variables)."""
    fixed = q0 is not None
    b = a if fixed else a[1:]
    Q0, q1, mu1, mu2 = unpack(a, q0)
    J = np.zeros((4, 4))
    e0 = expit(a[0]) if not fixed else 0.0
    J[0, 0] = e0 * (1 - e0)
    e1, e2 = expit(b[0]), expit(b[1])
    J[1, 0] = J[0, 0] * (1 - e1)
    J[1, 1] = (1 - Q0) * e1 * (1 - e1)
    J[2, 2] = mu2 * e2 * (1 - e2)
    J[2, 3] = mu1
    J[3, 3] = mu2
    return J[:, 1:] if fixed else J


def maximise2(M: Model, m, a0, q0=None):
    """max of f2 over (q0,) q1, mu1, mu2 at fixed (alpha, m): BFGS on -f with the analytic
    gradient, then Newton (fsolve) on the stationarity equations. Returns (a, f, residual)."""
    def obj(a):
        f, G = grad2(M, m, *unpack(a, q0))
        return -f, -(dunpack(a, q0).T @ G)

    r = minimize(obj, a0, jac=True, method="BFGS", options=dict(gtol=1e-11, maxiter=400))
    k = 1 if q0 is None else 2

    def F(a):
        return eqs2(M, m, *unpack(a, q0))[k:]

    a, _, ier, _ = fsolve(F, r.x, full_output=True, xtol=1e-14)
    return a, f2(M, m, *unpack(a, q0)), np.max(np.abs(F(a)))


def search2(M: Model, m, q0s, mus, log=None):
    """Grid of f2 around a 1RSB solution (q0*, mu*), then maximise2 from the best starts.

    The grid covers a new step inside (q0*, 1) (q0 = q0*) and below q0* (q1 = q0*...)."""
    d = 1 - q0s
    grid = []
    for q0 in (1 - 2.0 * d, 1 - 1.3 * d, q0s):
        for q1 in 1 - d * np.array([0.9, 0.5, 0.25, 0.1, 0.04, 0.015]):
            if q1 <= q0:
                continue
            for r1 in (0.5, 0.75, 1.0):
                for r2 in (1.2, 1.8, 2.7, 4.0, 6.0, 9.0):
                    try:
                        grid.append((f2(M, m, q0, q1, r1 * mus, r2 * mus), q0, q1, r1 * mus,
                                     r2 * mus))
                    except ValueError:
                        pass
    grid.sort(key=lambda t: -t[0])
    # the four best grid points, plus one forced start of each topology: a new step below q0*
    # (q1 = q0*, small mu1) and a new step close to q = 1 (q0 = q0*, large mu2)
    forced = [(None, 1 - 2.0 * d, q0s, 0.5 * mus, mus), (None, q0s, 1 - 0.1 * d, mus, 3.0 * mus)]
    sols = []
    for t in grid[:4] + forced:
        a, f, res = maximise2(M, m, pack(*t[1:]))
        sols.append((f, unpack(a), res, t))
    sols.sort(key=lambda t: -t[0])
    if log is not None:
        log(f"    grid: {len(grid)} points q0 in 1-(1-q0*)*{{2,1.3,1}}, "
            f"q1 in 1-(1-q0*)*{{0.9..0.015}}, mu1/mu* in {{0.5,0.75,1}}, "
            f"mu2/mu* in {{1.2..9}}; best grid f - f_1RSB = {grid[0][0] - f1(M, m, q0s, mus):.3e}")
        for f, p, res, t in sols:
            kind = "grid" if t[0] is not None else "forced"
            log(f"    {kind} start q0={t[1]:.4f} q1={t[2]:.4f} mu1={t[3]:.3f} mu2={t[4]:.3f} -> "
                f"q0={p[0]:.6f} q1={p[1]:.6f} mu1={p[2]:.4f} mu2={p[3]:.4f} f={f:.12f} "
                f"res={res:.1e}")
    return sols


def curve2(P, m, w0):
    """(ln alpha, packed q0, q1, mu1, mu2) on the 2RSB retrieval branch at overlap m."""
    def F(w):
        return eqs2(Model(P, np.exp(w[0])), m, *unpack(w[1:]))
    try:
        w, _, ier, _ = fsolve(F, w0, full_output=True, xtol=1e-14)
        res = np.max(np.abs(F(w)))
    except ValueError:
        return w0, False
    return w, res < 1e-11


# ----------------------------------------------------------------------------- fold
def fold(curve, m0, w0, dm=0.01, xatol=1e-7):
    """Maximum over m of alpha(m) = exp(w[0]) along a branch: step from m0 uphill, bracket,
    then bounded Brent. Returns (alpha_c, m_c, w_c, traced list of (m, w))."""
    w0, ok = curve(m0, w0)
    assert ok, "no solution at the start of the branch"
    pts = {m0: w0}
    wp, okp = curve(m0 + dm, w0)
    wm, okm = curve(m0 - dm, w0)
    step = dm if okp and (not okm or wp[0] > wm[0]) else -dm
    m, w = m0, w0
    while True:
        w_new, ok = curve(m + step, w)
        if not ok or w_new[0] < w[0]:
            break
        m, w = m + step, w_new
        pts[m] = w
    a_c, m_c, y = refine_fold(curve, m, w, step, xatol)
    return a_c, m_c, y, sorted(pts.items())


def refine_fold(curve, m_c, w_c, half, xatol=1e-7):
    """The maximum of alpha(m) by bounded Brent on [m_c - half, m_c + half] (half may be
    negative); returns (alpha_c, m_c, w_c)."""
    state = {"w": w_c}

    def neg_alpha(mm):
        y, ok = curve(mm, state["w"])
        if not ok:
            return 0.0
        state["w"] = y
        return -np.exp(y[0])

    lo, hi = sorted((m_c - half, m_c + half))
    r = minimize_scalar(neg_alpha, bounds=(lo, hi), method="bounded", options={"xatol": xatol})
    y, ok = curve(r.x, state["w"])
    assert ok
    return np.exp(y[0]), r.x, y


def rsb1_capacity(P):
    a_rs, m_rs = rs_capacity(P)
    M = Model(P, a_rs)
    w0 = np.array([np.log(a_rs), *start1(M, m_rs)])
    a, m, w, _ = fold(lambda mm, ww: curve1(P, mm, ww), m_rs, w0)
    return a, m, expit(w[1]), np.exp(w[2])


def rsb2_capacity(P, m0, w0):
    a, m, w, pts = fold(lambda mm, ww: curve2(P, mm, ww), m0, w0)
    return a, m, unpack(w[1:]), w, pts


# ----------------------------------------------------------------------------- checks
def hessian2(M: Model, m, p, rel=1e-4):
    """Eigenvalues of the Hessian of f in (q0, q1, ln mu1, ln mu2) at a stationary point
    (central differences of the analytic gradient, symmetrised; at a stationary point it is
    congruent to the Hessian in (q0, q1, mu1, mu2), so the signs are the same)."""
    x = np.array([p[0], p[1], np.log(p[2]), np.log(p[3])], dtype=float)

    def grad(y):
        mu = np.exp(y[2:])
        G = grad2(M, m, y[0], y[1], mu[0], mu[1])[1]
        return G * np.array([1.0, 1.0, mu[0], mu[1]])
    H = np.zeros((4, 4))
    for j in range(4):
        h = rel * (1.0 if j >= 2 else min(x[0], 1 - x[1], x[1] - x[0]))
        e = np.zeros(4)
        e[j] = h
        H[:, j] = (grad(x + e) - grad(x - e)) / (2 * h)
    return np.linalg.eigvalsh(0.5 * (H + H.T)), np.max(np.abs(H - H.T))


def branch_table(P, m_c, w2, w1, ms, dm=0.01):
    """Continue the 2RSB and 1RSB retrieval branches from the folds to the overlaps ms."""
    out = {}
    for direction in (1, -1):
        targets = sorted([mm for mm in ms if (mm - m_c) * direction > 0],
                         key=lambda t: abs(t - m_c))
        m, a, b, alive2 = m_c, w2, w1, True
        for tgt in targets:
            while abs(tgt - m) > 1e-12:
                m_new = m + direction * min(dm, abs(tgt - m))
                if alive2:
                    a_new, ok = curve2(P, m_new, a)
                    q0, q1, u1, u2 = unpack(a_new[1:])
                    alive2 = ok and q1 - q0 > 1e-5 and u2 / u1 - 1 > 1e-5 and 1 - q1 > 1e-9
                    a = a_new
                b, ok1 = curve1(P, m_new, b)
                m = m_new
            out[tgt] = (a if alive2 else None, b if ok1 else None)
    return out


def solve_fixed_alpha(P, alpha, y0):
    """2RSB retrieval solution at fixed alpha: unknowns (m, packed q0, q1, mu1, mu2)."""
    M = Model(P, alpha)

    def F(y):
        return eqs2(M, y[0], *unpack(y[1:]))
    try:
        y, _, ier, _ = fsolve(F, y0, full_output=True, xtol=1e-14)
    except ValueError:
        return y0, np.inf
    return y, np.max(np.abs(F(y)))


def inner_finite_T(beta, C):
    """Innermost average at finite beta: (1/mu2) ln E_z2 (2 cosh beta h)^{mu2/beta}.

    = ln[E e^{mu2|h|} + E e^{mu2|h|}((1+e^{-2 beta|h|})^{mu2/beta} - 1)] / mu2; the second
    term lives on |h| < 40/beta and is integrated on a Gauss-Legendre rule there."""
    H = 40.0 / beta
    hh, wh = gl_rule(-H, H, 1.0 / beta, (-H, H, 1.0 / beta))

    def fn(x, s, mu):
        g, gp, u = inner(x, s, mu)
        ah = np.abs(hh)
        corr_h = wh * np.exp(mu * ah) * np.expm1(mu / beta * np.log1p(np.exp(-2 * beta * ah)))
        K = np.exp(-0.5 * ((hh[None, :] - x[:, None]) / s) ** 2) / (s * sqrt(2 * pi)) @ corr_h
        return g + np.log1p(K / np.exp(mu * g)) / mu, gp, u
    return fn


def f2_finite_T(M: Model, m, q0, q1, mu1, mu2, beta, C):
    """Finite-T 2RSB f with theta_j = mu_j/beta and q2 = 1 - C/beta (formula of item 3)."""
    q2 = 1 - C / beta
    v = avg2(M, m, q0, q1, mu1, mu2, q2=q2, inner_fn=inner_finite_T(beta, C))
    br = M.xi(1.0) - M.xi(q2) - (1 - q2) * M.xp(q2)
    return (M.signal(m) - 0.5 * beta * br + 0.5 * mu1 * (M.th(q1) - M.th(q0))
            + 0.5 * mu2 * (M.th(q2) - M.th(q1)) - v["M"])


def inner_quad_check(x, s, mu):
    """Closed forms g, g', u at one x against scipy quad of E e^{mu|x+sz|} (split at the kink)."""
    sh = mu * (abs(x) + 4 * s)
    kw = dict(epsabs=0, epsrel=1e-13, limit=200)
    zk = -x / s

    def integral(fn):
        return sum(quad(lambda z: fn(z) * np.exp(mu * abs(x + s * z) - sh - 0.5 * z * z)
                        / sqrt(2 * pi), lo, hi, **kw)[0]
                   for lo, hi in [(-np.inf, zk), (zk, np.inf)])
    Z0 = integral(lambda z: 1.0)
    g = (np.log(Z0) + sh) / mu
    gp = integral(lambda z: np.sign(x + s * z)) / Z0
    ah = integral(lambda z: abs(x + s * z)) / Z0
    G = inner(np.array([x]), s, mu)
    return np.array([g, gp, ah - g]), np.array([G[0][0], G[1][0], G[2][0]])


def nested_quad_check(M: Model, m, q0, q1, mu1, mu2):
    """The six z0 averages of avg2 by nested adaptive scipy quadrature (quad_vec)."""
    hm = M.hm(m)
    s0, s1, s2 = sqrt(M.xp(q0)), sqrt(M.xp(q1) - M.xp(q0)), sqrt(M.xp(1.0) - M.xp(q1))

    def at_B(B):
        c = mu1 * (abs(B) + 0.5 * mu2 * s2 * s2) + 0.5 * mu1 * mu1 * s1 * s1

        def f(z):
            g, gp, u = (t[0] for t in inner(np.array([B + s1 * z]), s2, mu2))
            w = np.exp(-0.5 * z * z + mu1 * g - c) / sqrt(2 * pi)
            return np.array([w, w * g, w * gp, w * gp * gp, w * u])
        t = mu1 * s1
        pts = sorted({-t - 14, t + 14, *[p for p in (-B / s1, -t, t) if abs(p) < t + 14]})
        tot = sum(quad_vec(f, lo, hi, epsabs=0, epsrel=1e-12)[0]
                  for lo, hi in zip(pts[:-1], pts[1:], strict=True))
        W = tot[0]
        return np.array([(np.log(W) + c) / mu1, tot[1] / W, tot[2] / W, (tot[2] / W) ** 2,
                         tot[3] / W, tot[4] / W])

    def F(z):
        return at_B(hm + s0 * z) * np.exp(-0.5 * z * z) / sqrt(2 * pi)
    zk = -hm / s0
    got = sum(quad_vec(F, lo, hi, epsabs=0, epsrel=1e-11)[0] for lo, hi in [(-13, zk), (zk, 13)])
    v = avg2(M, m, q0, q1, mu1, mu2)
    return got, np.array([v[k] for k in ("M", "g", "gp", "gpsq", "gp2", "u")])


def sg_1rsb(M: Model):
    """Spin glass (m = 0) at 1RSB, q0 = 0: max over mu."""
    r = minimize_scalar(lambda lm: -f1(M, 0.0, 0.0, np.exp(lm)), bounds=(-5, 4), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, np.exp(r.x)


def sg_2rsb(M: Model, q0, mu_1rsb):
    """Spin glass at 2RSB with q0 fixed: grid, then maximise2 over (q1, mu1, mu2)."""
    grid = [(f2(M, 0.0, q0, q1, r1 * mu_1rsb, r2 * mu_1rsb), q1, r1, r2)
            for q1 in (0.3, 0.5, 0.7, 0.85, 0.95) for r1 in (0.5, 0.75, 1.0)
            for r2 in (1.2, 1.8, 2.7, 4.0, 6.0) if q1 > q0]
    _, q1, r1, r2 = max(grid)
    a, f, res = maximise2(M, 0.0, pack(q0, q1, r1 * mu_1rsb, r2 * mu_1rsb, True), q0=q0)
    return f, unpack(a, q0), res


# ----------------------------------------------------------------------------- main
HEADER = """\
H = -N^(1-P) sum_mu sum_{i1<..<iP} prod xi s, K = alpha N^(P-1)
cross-talk: Gaussian process, covariance N xi(q), xi(q) = alpha q^P / P!, th(q) = q xi' - xi
RS  : f = (P-1)m^P/P! - E|h_m + sigma z|, sigma^2 = alpha/(P-1)!, h_m = m^(P-1)/(P-1)!
1RSB: f = (P-1)m^P/P! + (mu/2)[th(1)-th(q0)] - E_z0 (1/mu) ln E_z1 exp(mu|h|)
2RSB: f = (P-1)m^P/P! + (mu1/2)[th(q1)-th(q0)] + (mu2/2)[th(1)-th(q1)]
          - E_z0 (1/mu1) ln E_z1 [E_z2 exp(mu2|h|)]^(mu1/mu2)
      h = h_m + s0 z0 + s1 z1 + s2 z2, s0^2 = xi'(q0), s1^2 = xi'(q1)-xi'(q0), s2^2 = xi'(1)-xi'(q1)
      (T = 0 limit of the finite-T 2RSB f: q2 = 1 - C/beta, theta_j = mu_j/beta; C drops out)
      maximised over (q0, q1, mu1, mu2), stationary in m; alpha_c = max_m alpha(m) (fold)"""

REF_1RSB = {3: 0.15373726, 4: 0.03819529, 5: 0.00814326}   # dense_1rsb_independent.txt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="skip the doubled-node reruns of the folds and the nested-quad check")
    args = ap.parse_args()
    t0 = time.perf_counter()
    L = []

    def p(s=""):
        L.append(s)
        print(s, flush=True)

    p("Dense P-spin Hebbian network, T = 0: independent RS / 1RSB / 2RSB capacity")
    p(f"(benchmarks/dense_2rsb_independent.py{' --quick' if args.quick else ''}; "
      f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__})")
    p(HEADER)
    p("")
    res = {}
    p("2RSB search at the 1RSB fold (alpha_c^1RSB, m_c^1RSB): f2 on a grid, then BFGS + Newton")
    for P in (3, 4, 5):
        a_rs, m_rs = rs_capacity(P)
        a1, m1, q01, mu1 = rsb1_capacity(P)
        M1 = Model(P, a1)
        f_1 = f1(M1, m1, q01, mu1)
        p(f"  P={P}: 1RSB fold alpha={a1:.10f} m={m1:.7f} q0={q01:.6f} mu={mu1:.4f} "
          f"f_1RSB={f_1:.12f}")
        sols = search2(M1, m1, q01, mu1, log=p)
        fbest, pb, resb, _ = sols[0]
        p(f"    -> best: f_2RSB - f_1RSB = {fbest - f_1:.4e} at the 1RSB fold")
        w0 = np.array([np.log(a1), *pack(*pb)])
        a2, m2, p2, w2, pts = rsb2_capacity(P, m1, w0)
        res[P] = dict(rs=(a_rs, m_rs), r1=(a1, m1, q01, mu1), r2=(a2, m2, *p2), w2=w2, pts=pts,
                      sols=sols, f1gap=fbest - f_1)
        p(f"    2RSB fold: alpha={a2:.10f} m={m2:.7f}  ({time.perf_counter() - t0:.0f} s)")
    p("")

    if not args.quick:
        p("Convergence: every fold relocated (Brent on m_c +- 0.01(1-m_c)) with PANEL = 1 "
          "(doubled nodes in z0 and z1) and 14-sigma cuts")
        set_numerics(1.0, 14.0)
        for P in (3, 4, 5):
            r = res[P]
            a1b, m1b, _ = refine_fold(lambda mm, ww, P=P: curve1(P, mm, ww), r["r1"][1],
                                   np.array([np.log(r["r1"][0]), _lg(r["r1"][2]),
                                             np.log(r["r1"][3])]), 0.01 * (1 - r["r1"][1]))
            a2b, m2b, _ = refine_fold(lambda mm, ww, P=P: curve2(P, mm, ww), r["r2"][1], r["w2"],
                                   0.01 * (1 - r["r2"][1]))
            r["conv"] = (a1b, a2b)
            p(f"  P={P}: 1RSB {r['r1'][0]:.12f} -> {a1b:.12f} (rel {a1b / r['r1'][0] - 1:+.1e}, "
              f"m_c {m1b - r['r1'][1]:+.0e});  2RSB {r['r2'][0]:.12f} -> {a2b:.12f} "
              f"(rel {a2b / r['r2'][0] - 1:+.1e}, m_c {m2b - r['r2'][1]:+.0e})")
        set_numerics(2.0, 12.0)
        p("")

    p("Ground-state capacity (fold of the retrieval branch)")
    p(f"{'P':>2} {'alpha_c RS':>12} {'alpha_c 1RSB':>13} {'(ref 1RSB)':>10} {'alpha_c 2RSB':>13} "
      f"{'2RSB/1RSB-1':>11} {'m_c':>9} {'q0':>9} {'q1':>9} {'mu1':>9} {'mu2':>9}")
    for P in (3, 4, 5):
        r = res[P]
        a2, m2, q0, q1, u1, u2 = r["r2"]
        p(f"{P:>2} {r['rs'][0]:12.8f} {r['r1'][0]:13.10f} {REF_1RSB[P]:10.8f} {a2:13.10f} "
          f"{a2 / r['r1'][0] - 1:11.4e} {m2:9.6f} {q0:9.6f} {q1:9.6f} {u1:9.4f} {u2:9.4f}")
    p("   (1RSB fold: m_c, q0, mu = " + "; ".join(
        f"P={P}: {res[P]['r1'][1]:.6f}, {res[P]['r1'][2]:.6f}, {res[P]['r1'][3]:.4f}"
        for P in (3, 4, 5)) + ")")
    p("")

    p("Checks")
    # (a) reductions 2RSB -> 1RSB
    M = Model(3, 0.10)
    m, q0, mu_a, mu_b = 0.95, 0.5, 3.0, 5.0
    p("(a) P=3 alpha=0.1 m=0.95 q0=0.5 (arbitrary, non-stationary point)")
    p("    mu1 = mu2 = 5, q1 = 0.6/0.8/0.95: "
      + " ".join(f"{f2(M, m, q0, q1, mu_b, mu_b):.14f}" for q1 in (0.6, 0.8, 0.95))
      + f"  vs f_1RSB(q0, mu=5) = {f1(M, m, q0, mu_b):.14f}")
    p("    q1 = q0 + d, mu1=3, mu2=5, d = 1e-2/1e-3/1e-4: "
      + " ".join(f"{f2(M, m, q0, q0 + d, mu_a, mu_b):.12f}" for d in (1e-2, 1e-3, 1e-4))
      + f"  -> f_1RSB(q0, mu=mu2) = {f1(M, m, q0, mu_b):.12f} (difference O(d))")
    p("    q1 = 1 - d, mu1=3, mu2=5, d = 1e-4/1e-6/1e-8: "
      + " ".join(f"{f2(M, m, q0, 1 - d, mu_a, mu_b):.12f}" for d in (1e-4, 1e-6, 1e-8))
      + f"  -> f_1RSB(q0, mu=mu1) = {f1(M, m, q0, mu_a):.12f}")
    G = grad2(M, m, 0.5, 0.8, mu_a, mu_b)[1]
    fd = []
    for j, h in enumerate((1e-5, 1e-5, 1e-5, 1e-5)):
        e = np.zeros(4)
        e[j] = h
        x = np.array([0.5, 0.8, mu_a, mu_b])
        fd.append((f2(M, m, *(x + e)) - f2(M, m, *(x - e))) / (2 * h))
    p(f"    gradient (q0=0.5, q1=0.8, mu1=3, mu2=5): analytic {np.array2string(G, precision=9)}"
      f" vs finite differences: max |diff| = {np.max(np.abs(G - np.array(fd))):.1e}")
    p(f"    m-equation check: df/dm by differences vs h_m'(m)(m - E<g'>_1): "
      f"{(f2(M, m + 1e-5, 0.5, 0.8, 3, 5) - f2(M, m - 1e-5, 0.5, 0.8, 3, 5)) / 2e-5:.10f} vs "
      f"{m ** (M.P - 2) / factorial(M.P - 2) * (m - avg2(M, m, 0.5, 0.8, 3, 5)['gp']):.10f}")
    # (a') T -> 0 limit of the finite-T formula
    a2, m2, q0, q1, u1, u2 = res[3]["r2"]
    Mc = Model(3, a2)
    f0 = f2(Mc, m2, q0, q1, u1, u2)
    p(f"(a') finite-T 2RSB f (theta_j = mu_j/beta, q2 = 1 - C/beta) at the P=3 2RSB fold point; "
      f"T=0 f = {f0:.12f}")
    for C in (0.5, 2.0):
        row = []
        for beta in (1e2, 1e3, 1e4):
            ft = f2_finite_T(Mc, m2, q0, q1, u1, u2, beta, C)
            row.append(f"beta={beta:.0e}: {ft:.12f} (beta*diff={beta * (ft - f0):+.4f})")
        p(f"    C={C}: " + "  ".join(row))
    # (b) spin glasses
    Msg = Model(3, 0.0, c=0.5)
    e1, mu_sg = sg_1rsb(Msg)
    e2, psg, rsg = sg_2rsb(Msg, 0.0, mu_sg)
    p(f"(b) Ising 3-spin glass, xi(q) = q^3/2, T=0: E_1RSB = {e1:.6f} (mu = {mu_sg:.4f}, q0 = 0; "
      f"dense_1rsb_independent: -0.813535)")
    p(f"    E_2RSB = {e2:.8f}  (q0 = 0, q1 = {psg[1]:.6f}, mu1 = {psg[2]:.5f}, mu2 = {psg[3]:.5f}; "
      f"res {rsg:.0e}); E_2RSB - E_1RSB = {e2 - e1:.3e}")
    fq = [sg_2rsb(Msg, q, mu_sg)[0] for q in (0.02, 0.1)]
    p(f"    2RSB maximised at fixed q0 = 0.02 / 0.1: {fq[0]:.8f} / {fq[1]:.8f} (q0 = 0 is the max)")
    Msk = Model(2, 0.0, c=0.5)
    w = fsolve(lambda v: eqs1(Msk, 0.0, expit(v[0]), np.exp(v[1]))[1:], [0.0, 0.3], xtol=1e-14)
    esk1 = f1(Msk, 0.0, expit(w[0]), np.exp(w[1]))
    a, esk2, rsk = maximise2(Msk, 0.0, pack(0.4, 0.9, 1.0, 4.0))
    psk = unpack(a)
    p(f"    SK (P=2, xi = q^2/2), T=0: E_1RSB = {esk1:.6f} (q0 = {expit(w[0]):.4f}, "
      f"mu = {np.exp(w[1]):.4f}; literature 1RSB -0.7652)")
    p(f"    E_2RSB = {esk2:.6f} (q0 = {psk[0]:.4f}, q1 = {psk[1]:.4f}, mu1 = {psk[2]:.4f}, "
      f"mu2 = {psk[3]:.4f}); E_1RSB < E_2RSB < E_FRSB ~ -0.7632: "
      f"{'yes' if esk1 < esk2 < -0.7632 else 'NO'}")
    # (c) quadrature
    diffs = []
    for x, s, mu in ((0.0, 0.2, 5.0), (0.3, 0.2, 5.0), (-1.0, 0.05, 30.0), (0.02, 0.3, 0.5)):
        got, ref = inner_quad_check(x, s, mu)
        diffs.append(np.max(np.abs(got - ref)))
    p(f"(c) closed forms g, <sgn h>, <|h|>-g vs scipy quad at 4 points: "
      f"max |diff| = {max(diffs):.1e}")
    if not args.quick:
        got, ref = nested_quad_check(Mc, m2, q0, q1, u1, u2)
        p(f"    six z0-averages at the P=3 2RSB fold vs nested adaptive scipy quad_vec: "
          f"max |diff| = {np.max(np.abs(got - ref)):.1e}")
    p("    nodes (z0 x x) at the 2RSB folds, PANEL=2: "
      + ", ".join(f"P={P}: {avg2(Model(P, res[P]['r2'][0]), *res[P]['r2'][1:])['nodes']}"
                  for P in (3, 4, 5)))
    # (d) the fold
    for P in (3, 4, 5):
        a2, m2, q0, q1, u1, u2 = res[P]["r2"]
        Mc = Model(P, a2)
        ev, asym = hessian2(Mc, m2, (q0, q1, u1, u2))
        a1, m1, q01, mu1 = res[P]["r1"]
        p(f"(d) P={P} 2RSB fold: Hessian of f in (q0,q1,ln mu1,ln mu2) eigenvalues "
          + " ".join(f"{e:.3e}" for e in ev) + f" (all < 0: maximum; asym {asym:.0e})")
        p(f"    q1-q0 = {q1 - q0:.5f}, mu2-mu1 = {u2 - u1:.4f} (no collapse to 1RSB); "
          f"at the 1RSB fold f_2RSB - f_1RSB = {res[P]['f1gap']:.3e} (> 0)")
        dmf = 2e-3 * (1 - m2)
        al = [np.exp(curve2(P, m2 + k * dmf, res[P]["w2"])[0][0]) for k in (-1, 1)]
        p(f"    alpha(m) at m_c -/+ {dmf:.1e}: {al[0]:.12f} {al[1]:.12f}  (alpha_c {a2:.12f}: "
          f"max; curvature {(al[0] + al[1] - 2 * a2) / dmf**2:.4f})")
        y0 = np.array([m2, *res[P]["w2"][1:]])
        roots = []
        for sgn in (-1, 1):
            y0s = y0.copy()
            y0s[0] += sgn * 0.01 * (1 - m2)
            y, r_ = solve_fixed_alpha(P, a2 * (1 - 1e-4), y0s)
            roots.append((y[0], r_))
        over = [solve_fixed_alpha(P, a2 * (1 + 1e-5),
                                  y0 + np.r_[sgn * 0.003 * (1 - m2), 0, 0, 0, 0])[1]
                for sgn in (-1, 1)]
        p(f"    fixed alpha = alpha_c(1-1e-4): retrieval roots m = {roots[0][0]:.6f}, "
          f"{roots[1][0]:.6f} (res {max(roots[0][1], roots[1][1]):.0e}); "
          f"alpha_c(1+1e-5): no root (best res {min(over):.1e})")
    p("")
    p("Retrieval branches alpha(m), P = 3 (continued from the folds in steps of 0.01)")
    p(f"{'m':>6} {'alpha_RS':>11} {'alpha_1RSB':>11} {'alpha_2RSB':>11} {'q0':>9} {'q1':>9} "
      f"{'mu1':>8} {'mu2':>8}")
    r = res[3]
    w1 = np.array([np.log(r["r1"][0]), _lg(r["r1"][2]), np.log(r["r1"][3])])
    ms = [0.55, 0.60, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
    tab = branch_table(3, r["r2"][1], r["w2"], curve1(3, r["r2"][1], w1)[0], ms)
    tab[r["r2"][1]] = (r["w2"], curve1(3, r["r2"][1], w1)[0])
    for mm in sorted(tab):
        a, b = tab[mm]
        s1 = f"{np.exp(b[0]):11.8f}" if b is not None else f"{'-':>11}"
        if a is None:
            s2 = f"{'collapsed to 1RSB / lost':>50}"
        else:
            q0, q1, u1, u2 = unpack(a[1:])
            s2 = f"{np.exp(a[0]):11.8f} {q0:9.6f} {q1:9.6f} {u1:8.3f} {u2:8.3f}"
        p(f"{mm:6.4f} {alpha_rs(3, mm):11.8f} {s1} {s2}")
    p("")
    p(f"run time {time.perf_counter() - t0:.1f} s")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
