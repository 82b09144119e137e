r"""Independent T = 0 RS and 1RSB theory of the dense P-spin Hebbian network.

A self-contained re-derivation (NumPy/SciPy only, nothing imported from the
repository) of the ground-state retrieval capacity of the dense network

.. math::

    H(s) = -\frac{1}{N^{P-1}} \sum_{\mu=1}^{K} \sum_{i_1<\dots<i_P}
           \prod_{k=1}^{P} \xi^\mu_{i_k} s_{i_k},  \qquad K = \alpha N^{P-1},

with Ising spins, unbiased +-1 patterns and P >= 3, at replica-symmetric (RS)
and one-step replica-symmetry-breaking (1RSB) level. Prints a table and writes
it to ``benchmarks/results/dense_1rsb_independent.txt``::

    python benchmarks/dense_1rsb_independent.py

Derivation
----------
1. *Signal.* Gauge :math:`s_i \to \xi^1_i s_i`. With
   :math:`e_P(x) = \sum_{i_1<\dots<i_P} x_{i_1}\cdots x_{i_P}` one has
   :math:`e_P(s) = (Nm)^P/P! + O(N^{P-1})`, so the condensed pattern gives
   :math:`-N m^P/P! + O(1)`, :math:`m = N^{-1}\sum_i s_i`.

2. *Cross-talk as a Gaussian process.* The other patterns give
   :math:`X(s) = -N^{1-P}\sum_{\mu\ge2} e_P(\xi^\mu\circ s)`. Over the
   patterns :math:`\mathbb{E}X = 0` and, because
   :math:`\mathbb{E}[e_P(\xi\circ s)e_P(\xi\circ s')] = e_P(s\circ s')
   = (Nq)^P/P! + O(N^{P-1})` with :math:`q = s\cdot s'/N`,

   .. math::  \mathbb{E}\,X(s)X(s') = K N^{2-2P} e_P(s\circ s')
              = N\,\xi(q) + O(1), \qquad \xi(q) = \frac{\alpha}{P!}\,q^P .

   The k-th cumulant summed over the K patterns is at most
   :math:`O(N^{P-1+k(1-P/2)})`, i.e. o(N) for k >= 3 and P >= 3, so in the
   replicated average only the covariance survives:
   :math:`\mathbb{E}_\xi e^{-\beta\sum_a X(s^a)} =
   \exp[\tfrac{N\beta^2}{2}\sum_{a,b}\xi(q_{ab}) + o(N)]`. The cross-talk is
   thus a pure P-spin glass with covariance :math:`N\alpha q^P/P!` (the
   standard Ising 3-spin glass is :math:`\xi(q) = q^3/2`).

3. *Replicas.* :math:`\mathbb{E}Z^n = \sum_{\{s^a\}}\exp\{N\beta\sum_a
   m_a^P/P! + \tfrac{N\beta^2}{2}\sum_{a,b}\xi(q_{ab})\}`. Conjugate fields
   give, at the saddle, :math:`\hat m = \beta h_m`,
   :math:`h_m = m^{P-1}/(P-1)!`, and :math:`\hat q_{ab} = \beta^2\xi'(q_{ab})`,
   :math:`\xi'(q) = \alpha q^{P-1}/(P-1)!`. The energy term and its Legendre
   partner combine into :math:`m h_m - m^P/P! = (P-1)m^P/P!`.

4. *RS, finite T:*

   .. math:: f_{RS} = \frac{(P-1)m^P}{P!} - \frac{\beta}{2}\big[\xi(1)-\xi(q)
             -(1-q)\xi'(q)\big] - T\,\mathbb{E}_z\ln 2\cosh\beta\big(h_m +
             \sqrt{\xi'(q)}\,z\big),

   with :math:`m = \mathbb{E}\tanh`, :math:`q = \mathbb{E}\tanh^2`.

5. *1RSB, finite T* (blocks of size :math:`\theta`, overlaps q1 inside,
   q0 between blocks):

   .. math:: f_{1} = \frac{(P-1)m^P}{P!} - \frac{\beta}{2}\big[\xi(1)-\xi'(q_1)
             -(1-\theta)(\xi(q_1)-q_1\xi'(q_1)) - \theta(\xi(q_0)-q_0\xi'(q_0))
             \big] - \frac{1}{\beta\theta}\mathbb{E}_z\ln\mathbb{E}_y
             \big[2\cosh\beta h\big]^\theta,

   :math:`h = h_m + \sqrt{\xi'(q_0)}z + \sqrt{\xi'(q_1)-\xi'(q_0)}\,y`.
   q1 = q0 gives back f_RS.

6. *T = 0, RS:* q -> 1 with :math:`C = \beta(1-q) = \sqrt{2/\pi}\,
   e^{-h_m^2/2\sigma^2}/\sigma` finite; the bracket is
   :math:`O((1-q)^2)`, i.e. O(T C^2) in f, and :math:`T\ln2\cosh\beta h\to|h|`:

   .. math:: f^0_{RS} = \frac{(P-1)m^P}{P!} - h_m\,\mathrm{erf}
             \Big(\frac{h_m}{\sqrt2\sigma}\Big) - \sigma\sqrt{\tfrac{2}{\pi}}
             e^{-h_m^2/2\sigma^2}, \qquad \sigma^2 = \xi'(1) =
             \frac{\alpha}{(P-1)!},

   :math:`m = \mathrm{erf}(h_m/\sqrt2\sigma)`. With :math:`x = h_m/\sqrt2\sigma`
   this is :math:`\alpha(x) = \mathrm{erf}(x)^{2(P-1)}/(2(P-1)!\,x^2)` and
   :math:`\alpha_c^{RS} = \max_x \alpha(x)`.

7. *T = 0, 1RSB:* q1 -> 1, theta -> 0 with :math:`\mu = \beta\theta` fixed;
   :math:`(2\cosh\beta h)^\theta \to e^{\mu|h|}`, the q1 part of the bracket
   vanishes as :math:`\beta(1-q_1)^2`, and
   :math:`\xi(1)-\xi'(1)-\xi(q_0)+q_0\xi'(q_0) = -(P-1)\tfrac{\alpha}{P!}(1-q_0^P)`:

   .. math:: f^0_{1} = \frac{(P-1)m^P}{P!} + \frac{\mu(P-1)\alpha}{2\,P!}
             (1-q_0^P) - \frac{1}{\mu}\mathbb{E}_z\ln\mathbb{E}_y
             e^{\mu|h_m+\sigma_0 z+\sigma_1 y|},

   :math:`\sigma_0^2 = \xi'(q_0) = \alpha q_0^{P-1}/(P-1)!`,
   :math:`\sigma_1^2 = \xi'(1)-\xi'(q_0) = \alpha(1-q_0^{P-1})/(P-1)!`, and in
   closed form :math:`\mathbb{E}_y e^{\mu|A+\sigma_1 y|} = e^{\mu^2\sigma_1^2/2}
   [e^{\mu A}\Phi(\frac{A+\mu\sigma_1^2}{\sigma_1}) + e^{-\mu A}
   \Phi(\frac{\mu\sigma_1^2-A}{\sigma_1})]` (evaluated with log_ndtr and
   log-sum-exp). Stationarity, with :math:`\langle\cdot\rangle =
   \mathbb{E}_y[\cdot\,e^{\mu|h|}]/\mathbb{E}_y e^{\mu|h|}`:
   :math:`m = \mathbb{E}_z\langle\mathrm{sgn}\,h\rangle`,
   :math:`q_0 = \mathbb{E}_z\langle\mathrm{sgn}\,h\rangle^2` and
   :math:`\tfrac12[\xi(1)-\xi'(1)-\xi(q_0)+q_0\xi'(q_0)] =
   \mu^{-2}\mathbb{E}_z\ln\mathbb{E}_y e^{\mu|h|} - \mu^{-1}\mathbb{E}_z
   \langle|h|\rangle`. Parisi prescription: f is *maximised* over (q0, mu)
   (checked: Hessian negative definite; mu -> 0 or q0 -> 1 give f_RS, and for
   the spin glass the maximum over mu gives the known 1RSB energy); m is the
   stationary point on the retrieval branch (a local minimum of f along m).
   alpha_c is the fold of the retrieval branch: alpha(m) from the three
   equations at fixed m, maximised over m.

Numerics: :math:`\mu^{-1}\ln\mathbb{E}_y e^{\mu|A+\sigma_1y|} = |A| +
\mu\sigma_1^2/2 + r(A)`, r even and localised in
:math:`|A| \lesssim \min(\mu\sigma_1^2+12\sigma_1, 30/\mu)`;
:math:`\mathbb{E}_z|A|` and :math:`\mathbb{E}_z\mathrm{sgn}A` are closed forms
and r (and the analogous remainders of the other averages) is integrated
against the Gaussian density of :math:`A = h_m+\sigma_0 z` with composite
16-point Gauss-Legendre panels, one edge at the kink A = 0. This is checked
against nested scipy.integrate.quad.
"""

from __future__ import annotations

import pathlib
import platform
import time
from math import factorial, pi, sqrt

import numpy as np
import scipy
from scipy.integrate import quad
from scipy.optimize import fsolve, minimize_scalar
from scipy.special import erf, erfinv, expit, log_ndtr

OUT = pathlib.Path(__file__).resolve().parent / "results" / "dense_1rsb_independent.txt"
GLX, GLW = np.polynomial.legendre.leggauss(16)
PANEL = 0.5          # panel width as a fraction of the smallest length scale


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

    def hm(self, m):
        return m ** (self.P - 1) / factorial(self.P - 1)


def e_abs(hm, s0):
    """E_z |hm + s0 z|."""
    return hm * erf(hm / (s0 * sqrt(2))) + s0 * sqrt(2 / pi) * np.exp(-hm * hm / (2 * s0 * s0))


# ----------------------------------------------------------------------------- RS, T = 0
def f_rs(M: Model, m: float) -> float:
    return (M.P - 1) * m**M.P / factorial(M.P) - e_abs(M.hm(m), sqrt(M.xp(1.0)))


def alpha_rs(P: int, m: float) -> float:
    """alpha on the RS retrieval branch at overlap m (from m = erf(h_m / sqrt(2) sigma))."""
    return m ** (2 * (P - 1)) / (factorial(P - 1) * 2 * erfinv(m) ** 2)


def rs_capacity(P: int):
    r = minimize_scalar(lambda m: -alpha_rs(P, m), bounds=(0.05, 0.99999), method="bounded",
                        options={"xatol": 1e-13})
    return -r.fun, r.x


def rs_solve(P: int, alpha: float):
    """Retrieval (largest-m) RS solution at T = 0: m, C = beta(1-q), f."""
    M = Model(P, alpha)
    s = sqrt(M.xp(1.0))
    m = 1.0
    for _ in range(2000):
        m_new = erf(M.hm(m) / (sqrt(2) * s))
        if abs(m_new - m) < 1e-15:
            break
        m = m_new
    C = sqrt(2 / pi) / s * np.exp(-M.hm(m) ** 2 / (2 * s * s))
    return m, C, f_rs(M, m)


# ----------------------------------------------------------------------------- 1RSB, T = 0
def local_terms(A, s, mu):
    """Localised remainders at field A, inner width s = sigma_1, Parisi mu.

    Returns r = (1/mu) ln E_y e^{mu|A+sy|} - |A| - mu s^2/2, <sgn> - sgn A,
    <sgn>^2 - 1 and <|h|> - |A| - mu s^2.
    """
    a = np.abs(A)
    # aligned / anti-aligned branch, both relative to e^{mu a + mu^2 s^2 / 2}
    L1 = log_ndtr((a + mu * s * s) / s)
    L2 = -2 * mu * a + log_ndtr((mu * s * s - a) / s)
    lse = np.logaddexp(L1, L2)
    wm, wp = expit(L2 - L1), expit(L1 - L2)
    phiZ = np.exp(-a * a / (2 * s * s) - 0.5 * np.log(2 * pi) - mu * a - 0.5 * mu * mu * s * s
                  - lse)
    return lse / mu, -2 * wm * np.sign(A), -4 * wp * wm, -2 * a * wm + 2 * s * phiZ


def local_integrals(hm, s0, s, mu):
    """E_z of the four local_terms at A = hm + s0 z (composite Gauss-Legendre)."""
    Lr = min(mu * s * s + 12 * s, 30 / mu)
    a, b = max(-Lr, hm - 12 * s0), min(Lr, hm + 12 * s0)
    if b <= a:
        return np.zeros(4)
    scale = min(s, 1 / mu, s0)
    n = int(min(max(np.ceil((b - a) / (PANEL * scale)), 4), 4000))
    if a < 0 < b:   # kink of |A| / jump of sgn A: make A = 0 a panel edge
        na = max(int(np.ceil(n * (-a) / (b - a))), 2)
        edges = np.concatenate([np.linspace(a, 0, na + 1),
                                np.linspace(0, b, max(n - na, 2) + 1)[1:]])
    else:
        edges = np.linspace(a, b, n + 1)
    h = 0.5 * np.diff(edges)
    c = 0.5 * (edges[1:] + edges[:-1])
    A = (c[:, None] + h[:, None] * GLX).ravel()
    W = (h[:, None] * GLW).ravel() * np.exp(-0.5 * ((A - hm) / s0) ** 2) / (s0 * sqrt(2 * pi))
    return np.array([W @ t for t in local_terms(A, s, mu)])


def averages(M: Model, m, q0, mu):
    hm = M.hm(m)
    s0, s = sqrt(M.xp(q0)), sqrt(M.xp(1.0) - M.xp(q0))
    I = local_integrals(hm, s0, s, mu)
    EA = e_abs(hm, s0)
    return dict(lnZ_mu=EA + mu * s * s / 2 + I[0],            # (1/mu) E_z ln E_y e^{mu|h|}
                sgn=erf(hm / (s0 * sqrt(2))) + I[1],           # E_z <sgn h>
                sgn2=1.0 + I[2],                              # E_z <sgn h>^2
                absh=EA + mu * s * s + I[3],                  # E_z <|h|>
                br=M.xi(1.0) - M.xp(1.0) - M.xi(q0) + q0 * M.xp(q0))


def f_1rsb(M: Model, m, q0, mu) -> float:
    v = averages(M, m, q0, mu)
    return (M.P - 1) * m**M.P / factorial(M.P) - 0.5 * mu * v["br"] - v["lnZ_mu"]


def eqs_1rsb(M: Model, m, q0, mu):
    v = averages(M, m, q0, mu)
    return np.array([v["sgn"] - m, v["sgn2"] - q0,
                     -0.5 * v["br"] + v["lnZ_mu"] / mu - v["absh"] / mu])


def grid_init(M: Model, m):
    """Coarse maximum of f over (q0, mu) at fixed m: (ln(1-q0), ln mu)."""
    best = (-np.inf, 0.0, 0.0)
    for ld in np.linspace(-12, -0.3, 40):
        q0 = 1 - np.exp(ld)
        s = sqrt(M.xp(1.0) - M.xp(q0))
        for u in np.exp(np.linspace(np.log(0.02), np.log(20), 40)):
            v = f_1rsb(M, m, q0, u / s)
            if v > best[0]:
                best = (v, ld, np.log(u / s))
    return best[1], best[2]


def _curve_eqs(v, P, m):
    la, ld, lmu = v
    return eqs_1rsb(Model(P, np.exp(la)), m, 1 - np.exp(ld), np.exp(lmu))


def curve_point(P, m, x0):
    """(ln alpha, ln(1-q0), ln mu) on the 1RSB retrieval branch at overlap m."""
    x, _, ier, _ = fsolve(_curve_eqs, x0, args=(P, m), full_output=True, xtol=1e-14)
    res = np.max(np.abs(_curve_eqs(x, P, m)))
    return x, (ier == 1 or res < 1e-12) and res < 1e-10


def hessian(fun, x, h):
    n = len(x)
    H = np.zeros((n, n))
    E = np.eye(n) * np.asarray(h)
    for i in range(n):
        for j in range(n):
            H[i, j] = (fun(x + E[i] + E[j]) - fun(x + E[i] - E[j]) - fun(x - E[i] + E[j])
                       + fun(x - E[i] - E[j])) / (4 * h[i] * h[j])
    return H


def reduced_f(M: Model, m, x0):
    """g(m) = f at the (q0, mu) stationary point (a maximum) for fixed alpha and m."""
    def F(v):
        return eqs_1rsb(M, m, 1 - np.exp(v[0]), np.exp(v[1]))[1:]

    v = fsolve(F, x0, xtol=1e-14)
    return f_1rsb(M, m, 1 - np.exp(v[0]), np.exp(v[1])), v


def reduced_curvature(M: Model, m, q0, mu, h=2e-3):
    """d^2 g / dm^2 by central differences; g'' = 0 marks the fold of the retrieval branch."""
    x0 = [np.log(1 - q0), np.log(mu)]
    g = [reduced_f(M, m + k * h, x0)[0] for k in (-1, 0, 1)]
    return (g[0] - 2 * g[1] + g[2]) / h**2


def rsb_capacity(P: int, m_start=0.98, dm=0.01):
    """Trace alpha(m) on the 1RSB branch from m_start downwards, then refine its maximum."""
    M = Model(P, alpha_rs(P, m_start))
    x = np.array([np.log(M.alpha), *grid_init(M, m_start)])
    x, ok = curve_point(P, m_start, x)
    assert ok, "no 1RSB solution at start"
    ms, xs = [m_start], [x]
    m = m_start
    while m - dm > 0.05:
        m -= dm
        x, ok = curve_point(P, m, xs[-1])
        if not ok:
            break
        ms.append(m)
        xs.append(x)
        la = [y[0] for y in xs]
        k = int(np.argmax(la))
        if len(la) - 1 - k >= 3:
            break
    k = int(np.argmax([y[0] for y in xs]))
    k = min(max(k, 1), len(ms) - 2)
    state = {"x": xs[k]}

    def neg_alpha(mm):
        y, ok = curve_point(P, mm, state["x"])
        if not ok:
            return 0.0
        state["x"] = y
        return -np.exp(y[0])

    r = minimize_scalar(neg_alpha, bounds=(ms[k + 1], ms[k - 1]), method="bounded",
                        options={"xatol": 1e-9})
    y, ok = curve_point(P, r.x, state["x"])
    branch = dict(m=np.array(ms), alpha=np.exp([v[0] for v in xs]),
                  q0=1 - np.exp([v[1] for v in xs]), mu=np.exp([v[2] for v in xs]))
    return np.exp(y[0]), r.x, 1 - np.exp(y[1]), np.exp(y[2]), branch


def rsb_solve(P, alpha, branch):
    """1RSB retrieval solution at fixed alpha, started from the upper branch of the traced curve."""
    up = branch["m"] >= branch["m"][np.argmax(branch["alpha"])]
    i = np.argmin(np.abs(branch["alpha"][up] - alpha))
    x0 = [branch["m"][up][i], np.log(1 - branch["q0"][up][i]), np.log(branch["mu"][up][i])]
    M = Model(P, alpha)

    def F(v):
        return eqs_1rsb(M, v[0], 1 - np.exp(v[1]), np.exp(v[2]))

    v = fsolve(F, x0, xtol=1e-14)
    m, q0, mu = v[0], 1 - np.exp(v[1]), np.exp(v[2])
    return m, q0, mu, f_1rsb(M, m, q0, mu), np.max(np.abs(F(v)))


# ----------------------------------------------------------------------------- checks
def sg_energy_1rsb(P: int, c: float):
    """m = 0, q0 = 0 spin glass at T = 0, 1RSB.

    max over mu of -(mu/2)[xi(1) - xi'(1)] - ln(2 e^{mu^2 s^2/2} Phi(mu s)) / mu, s^2 = xi'(1).
    """
    s2 = c * P
    def f(mu):
        return (-0.5 * mu * (c - c * P)
                - (np.log(2) + 0.5 * mu * mu * s2 + log_ndtr(mu * sqrt(s2))) / mu)
    r = minimize_scalar(lambda mu: -f(mu), bounds=(1e-3, 50), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, r.x


def quad_check(M: Model, m, q0, mu):
    """Nested scipy quad for (1/mu) E ln Z, E <sgn>, E <sgn>^2 at one point."""
    hm, s0, s = M.hm(m), sqrt(M.xp(q0)), sqrt(M.xp(1.0) - M.xp(q0))

    def inner(A):
        yk, sh = -A / s, mu * (abs(A) + 4 * s)

        def g(y):
            return np.exp(mu * abs(A + s * y) - sh - 0.5 * y * y) / sqrt(2 * pi)

        kw = dict(epsabs=0, epsrel=1e-13, limit=200)
        lo, hi = quad(g, -np.inf, yk, **kw)[0], quad(g, yk, np.inf, **kw)[0]
        return (np.log(lo + hi) + sh) / mu, (hi - lo) / (lo + hi)

    zk = -hm / s0

    def phi(z):
        return np.exp(-z * z / 2) / sqrt(2 * pi)

    out = []
    for k in range(3):
        g = (lambda z: phi(z) * inner(hm + s0 * z)[0]) if k == 0 else \
            (lambda z, k=k: phi(z) * inner(hm + s0 * z)[1] ** k)
        out.append(sum(quad(g, lo, hi, epsrel=1e-12, epsabs=1e-14, limit=200)[0]
                       for lo, hi in [(-12, zk), (zk, 12)]))
    v = averages(M, m, q0, mu)
    return np.array(out), np.array([v["lnZ_mu"], v["sgn"], v["sgn2"]])


def exact_covariance(N, P, q):
    """Exact e_P(s o s') / N^P for overlap q (Krawtchouk polynomial), versus q^P / P!."""
    k = int(round(N * (1 - q) / 2))
    from math import comb
    eP = sum((-1) ** j * comb(k, j) * comb(N - k, P - j) for j in range(0, min(k, P) + 1))
    return eP / N**P, (1 - 2 * k / N) ** P / factorial(P)


# ----------------------------------------------------------------------------- main
def hessian_q0_mu(M: Model, m, q0, mu):
    """Eigenvalues of the Hessian of f in (q0, mu) at fixed m."""
    def fun(v):
        return f_1rsb(M, m, v[0], v[1])
    return np.linalg.eigvalsh(hessian(fun, np.array([q0, mu]), [1e-4, 1e-3 * mu]))


HEADER = """\
H = -N^(1-P) sum_mu sum_{i1<..<iP} prod xi s, K = alpha N^(P-1)
cross-talk: Gaussian process, covariance N xi(q), xi(q) = alpha q^P / P!
RS  : f = (P-1)m^P/P! - E|h_m + sigma z|, sigma^2 = alpha/(P-1)!, h_m = m^(P-1)/(P-1)!
      m = erf(h_m / (sqrt2 sigma))
1RSB: f = (P-1)m^P/P! + mu (P-1) alpha (1-q0^P) / (2 P!)
          - (1/mu) E_z ln E_y exp(mu |h_m + s0 z + s1 y|)
      s0^2 = alpha q0^(P-1)/(P-1)!, s1^2 = alpha (1-q0^(P-1))/(P-1)!
      maximised over (q0, mu), stationary in m"""


def main():
    global PANEL
    t0 = time.perf_counter()
    L = []
    p = L.append
    p("Dense P-spin Hebbian network, T = 0: independent RS / 1RSB re-derivation")
    p(f"(benchmarks/dense_1rsb_independent.py; Python {platform.python_version()}, "
      f"NumPy {np.__version__}, SciPy {scipy.__version__})")
    p(HEADER)
    p("")
    p("Ground-state capacity (fold of the retrieval branch)")
    p(f"{'P':>2} {'alpha_c RS':>13} {'m_c RS':>10} {'alpha_c 1RSB':>13} {'m_c 1RSB':>10} "
      f"{'q0_c':>9} {'mu_c':>9} {'ratio':>9}")
    branches = {}
    crit = {}
    for P in (3, 4, 5):
        a_rs, m_rs = rs_capacity(P)
        a1, m1, q01, mu1, br = rsb_capacity(P)
        branches[P], crit[P] = br, (a1, m1, q01, mu1)
        p(f"{P:>2} {a_rs:13.8f} {m_rs:10.7f} {a1:13.8f} {m1:10.7f} {q01:9.6f} {mu1:9.4f} "
          f"{a1 / a_rs:9.6f}")
    p("")

    p("P = 3, T = 0, retrieval branch (RS: q = 1, C = beta(1-q); 1RSB: q1 = 1)")
    p(f"{'alpha':>6} | {'m RS':>10} {'C RS':>9} {'f RS':>11} | {'m 1RSB':>10} {'q0':>9} "
      f"{'mu':>9} {'f 1RSB':>11} {'resid':>8}")
    for alpha in (0.08, 0.10, 0.12):
        m_r, C_r, f_r = rs_solve(3, alpha)
        m1, q0, mu, f1, res = rsb_solve(3, alpha, branches[3])
        p(f"{alpha:6.2f} | {m_r:10.7f} {C_r:9.5f} {f_r:11.8f} | {m1:10.7f} {q0:9.6f} {mu:9.4f} "
          f"{f1:11.8f} {res:8.1e}")
    p("")

    p("Checks")
    M = Model(3, 0.10)
    m = 0.95
    p(f"(a) P=3 alpha=0.1 m=0.95: f_RS = {f_rs(M, m):.12f}")
    p(f"    1RSB q0=1-1e-12, mu=5  : {f_1rsb(M, m, 1 - 1e-12, 5.0):.12f}")
    p(f"    1RSB q0=0.5,  mu=1e-4 / 1e-7 : {f_1rsb(M, m, 0.5, 1e-4):.12f} / "
      f"{f_1rsb(M, m, 0.5, 1e-7):.12f}")
    p(f"    1RSB m-equation at q0=1-1e-12: E<sgn> = "
      f"{averages(M, m, 1 - 1e-12, 5.0)['sgn']:.12f}"
      f"  vs RS erf(h_m/sqrt2 sigma) = {erf(M.hm(m) / sqrt(2 * M.xp(1.0))):.12f}")
    e1, mu_sg = sg_energy_1rsb(3, 0.5)
    p(f"(b) Ising 3-spin glass, xi(q) = q^3/2, T=0: E_1RSB = {e1:.6f} "
      f"(mu = {mu_sg:.4f}; q0 = 0); literature (Gardner 1985) ~ -0.813")
    p(f"    RS for comparison: E_RS = {-sqrt(1.5) * sqrt(2 / pi):.6f}")
    M_sg = Model(3, 0.0, c=0.5)
    fq = [f_1rsb(M_sg, 0.0, q0, mu_sg) for q0 in (0.05, 0.2, 0.5)]
    p(f"    same mu, q0 = 0.05/0.2/0.5 via general routine: {fq[0]:.6f} {fq[1]:.6f} "
      f"{fq[2]:.6f} (q0 = 0 is the max)")
    e20, _ = sg_energy_1rsb(20, 0.5)
    p(f"    P=20: E_1RSB = {e20:.6f}  (REM limit -sqrt(ln 2) = {-sqrt(np.log(2)):.6f})")
    a1, m1, q01, mu1 = crit[3]
    got, ref = quad_check(Model(3, a1), m1, q01, mu1)
    p(f"(c) quadrature vs nested scipy quad at the P=3 1RSB fold: "
      f"max |diff| = {np.max(np.abs(got - ref)):.1e}")
    PANEL = 0.25
    y, ok = curve_point(3, m1, [np.log(a1), np.log(1 - q01), np.log(mu1)])
    PANEL = 0.5
    p(f"    alpha(m_c) with panels halved: {np.exp(y[0]):.10f} (vs {a1:.10f})")
    for P in (3, 4, 5):
        a1, m1, q01, mu1 = crit[P]
        Mc = Model(P, a1)
        ev = hessian_q0_mu(Mc, m1, q01, mu1)
        gmm = reduced_curvature(Mc, m1, q01, mu1)
        df = f_1rsb(Mc, m1, q01, mu1) - f_rs(Mc, m1)
        p(f"(d) P={P} fold: Hessian of f in (q0, mu) eigenvalues {ev[0]:.3e} {ev[1]:.3e} (max); "
          f"g''(m) = {gmm:.1e} (0 at fold); f_1RSB - f_RS at same m = {df:.3e}")
    m10, q010, mu10, _, _ = rsb_solve(3, 0.10, branches[3])
    M10 = Model(3, 0.10)
    ev = hessian_q0_mu(M10, m10, q010, mu10)
    p(f"    P=3 alpha=0.10: Hessian in (q0, mu) {ev[0]:.3e} {ev[1]:.3e}; "
      f"g''(m) = {reduced_curvature(M10, m10, q010, mu10):.4f} "
      f"(> 0: retrieval is a minimum along m)")
    for N in (100, 1000, 10000):
        ex, lim = exact_covariance(N, 3, 0.5)
        p(f"(e) exact cross-talk covariance e_3/N^3 at q=0.5, N={N:>5}: {ex:.8f} "
          f"vs q^3/3! = {lim:.8f}")
    p("")
    p("1RSB retrieval branch alpha(m), P = 3 (traced from m = 0.98 down past the fold)")
    br = branches[3]
    for i in range(0, len(br["m"]), 3):
        mi = br["m"][i]
        p(f"  m={mi:.3f} alpha_1RSB={br['alpha'][i]:.6f} alpha_RS={alpha_rs(3, mi):.6f} "
          f"q0={br['q0'][i]:.5f} mu={br['mu'][i]:.4f}")
    p("")
    p(f"run time {time.perf_counter() - t0:.1f} s")
    text = "\n".join(L) + "\n"
    print(text, end="")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
