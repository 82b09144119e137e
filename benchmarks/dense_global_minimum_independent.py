r"""Independent T = 0 check: up to which load is retrieval the global minimum?

A self-contained calculation (NumPy/SciPy only, nothing imported from the
repository) for the dense P-spin Hebbian network

.. math::

    H(s) = -\frac{1}{N^{P-1}} \sum_{\mu=1}^{K} \sum_{i_1<\dots<i_P}
           \prod_{k=1}^{P} \xi^\mu_{i_k} s_{i_k},  \qquad K = \alpha N^{P-1},

with Ising spins, unbiased +-1 patterns and P = 3, 4, 5, at replica-symmetric
(RS) and one-step replica-symmetry-breaking (1RSB) level. It compares the
ground-state energy per spin of the retrieval branch, E_ret(alpha) (m > 0,
exists up to the fold alpha_c), with that of the spin-glass branch,
E_sg(alpha) (m = 0), and locates alpha_gm, where E_ret = E_sg. It prints a
table and writes it, with a JSON twin, to
``benchmarks/results/dense_global_minimum_independent.{txt,json}``::

    python benchmarks/dense_global_minimum_independent.py

Derivation
----------
1. *Signal and cross-talk* (as in ``dense_1rsb_independent.py``). Gauge
   :math:`s_i \to \xi^1_i s_i`; the condensed pattern gives
   :math:`-N m^P/P! + O(1)`. The other patterns give a centred field whose
   covariance over the patterns is :math:`N\xi(q) + O(1)`,
   :math:`\xi(q) = \alpha q^P/P!`, and whose higher cumulants are o(N) for
   P >= 3: the cross-talk is a pure Gaussian P-spin glass.

2. *Replica free energies* (:math:`h_m = m^{P-1}/(P-1)!`; the signal and its
   Legendre partner combine into :math:`(P-1)m^P/P!`). 1RSB with blocks of
   size :math:`\theta`, overlaps q1 inside and q0 between blocks:

   .. math:: f_1 = \frac{(P-1)m^P}{P!} - \frac{\beta}{2}\big[\xi(1)-\xi'(q_1)
             -(1-\theta)(\xi(q_1)-q_1\xi'(q_1))-\theta(\xi(q_0)-q_0\xi'(q_0))\big]
             - \frac{1}{\beta\theta}\mathbb{E}_z\ln\mathbb{E}_y
             \big[2\cosh\beta h\big]^\theta,

   :math:`h = h_m + \sqrt{\xi'(q_0)}z + \sqrt{\xi'(q_1)-\xi'(q_0)}\,y`; RS is
   q1 = q0 = q. Parisi prescription: f is maximised over the RSB parameters
   (q0, q1, theta) (Guerra's bound makes every such f a lower bound of the
   true free energy) and stationary in m; the retrieval state is the local
   minimum of f along m.

3. *T = 0, RS*, q -> 1 with :math:`\beta(1-q)` finite:

   .. math:: E^{RS}(m) = \frac{(P-1)m^P}{P!} - \mathbb{E}_z|h_m + \sigma z|,
             \quad \sigma^2 = \xi'(1) = \frac{\alpha}{(P-1)!},
             \quad \mathbb{E}_z|h+\sigma z| = h\,\mathrm{erf}\frac{h}{\sqrt2\sigma}
             + \sigma\sqrt{\tfrac{2}{\pi}}e^{-h^2/2\sigma^2},

   stationary at :math:`m = \mathrm{erf}(h_m/\sqrt2\sigma)`; E_ret^RS uses the
   largest root, which exists up to
   :math:`\alpha_c^{RS} = \max_m m^{2(P-1)}/(2(P-1)!\,\mathrm{erfinv}(m)^2)`.

4. *T = 0, 1RSB*, q1 -> 1, theta -> 0 with :math:`\mu = \beta\theta` fixed
   (the q1-part of the bracket is :math:`O(\beta(1-q_1)^2)` and
   :math:`\xi(1)-\xi'(1)-\xi(q_0)+q_0\xi'(q_0) = -(P-1)\alpha(1-q_0^P)/P!`):

   .. math:: E^{1}(m,q_0,\mu) = \frac{(P-1)m^P}{P!}
             + \frac{\mu(P-1)\alpha}{2\,P!}(1-q_0^P)
             - \frac{1}{\mu}\mathbb{E}_z\ln\mathbb{E}_y e^{\mu|h_m+s_0z+s_1y|},

   :math:`s_0^2 = \alpha q_0^{P-1}/(P-1)!`,
   :math:`s_1^2 = \alpha(1-q_0^{P-1})/(P-1)!`. The inner average is closed:
   :math:`\mu^{-1}\ln\mathbb{E}_y e^{\mu|A+s_1y|} = |A| + \mu s_1^2/2 + r(A)`,
   :math:`r(A) = \mu^{-1}\ln[\Phi(\frac{|A|+\mu s_1^2}{s_1})
   + e^{-2\mu|A|}\Phi(\frac{\mu s_1^2-|A|}{s_1})]`, even and localised near
   A = 0, so that
   :math:`\mathbb{E}_z(\dots) = \mathbb{E}_z|A| + \mu s_1^2/2
   + \int_0^\infty r(a)[\rho(a)+\rho(-a)]\,da`, :math:`\rho` the
   N(h_m, s0^2) density of :math:`A = h_m + s_0z`. E_ret^1RSB is the saddle
   point (max over q0 and mu, min along m) on the retrieval branch.

5. *Spin-glass branch*, m = 0: h_m = 0 and the z -> -z symmetry make q0 = 0
   a solution (checked to be the maximum over q0). Scaling: multiplying the
   covariance by :math:`\lambda^2` multiplies H by :math:`\lambda`, so
   :math:`E_{sg}(\alpha) = \sqrt\alpha\,e_0(P)` with e0 the ground-state
   energy for :math:`\xi(q) = q^P/P!`:

   .. math:: e_0^{RS} = -\sqrt{2\xi'(1)/\pi} = -\sqrt{\frac{2}{\pi(P-1)!}},
             \qquad e_0^{1RSB} = \max_\mu\Big[-\frac{\mu}{2P!}
             - \frac{\ln 2 + \ln\Phi(\mu/\sqrt{(P-1)!})}{\mu}\Big],

   using :math:`\mathbb{E}_y e^{\mu\sigma|y|} = 2e^{\mu^2\sigma^2/2}
   \Phi(\mu\sigma)` and :math:`(P-1)/P! - \sigma^2 = -1/P!`
   (:math:`\sigma^2 = 1/(P-1)!`). The standard normalisation
   :math:`\xi_{std}(q) = q^P/2` (Gardner) has energies larger by
   :math:`\sqrt{P!/2}`: :math:`e_{std} = \sqrt{P!/2}\,e_0`
   (:math:`\sqrt3` for P = 3).

6. *Global minimum*: alpha_gm solves :math:`E_{ret}(\alpha) = \sqrt\alpha\,
   e_0` below alpha_c; the sign of E_ret - E_sg is checked on a grid.

7. *Paramagnet at T > 0* (annealed, m = 0): :math:`\mathbb{E}Z =
   2^N e^{N\beta^2\xi(1)/2}`, so

   .. math:: f_{para} = -T\ln2 - \frac{\xi(1)}{2T}
             = -T\ln 2 - \frac{\alpha}{2\,P!\,T}, \qquad
             s_{para} = \ln2 - \frac{\alpha}{2\,P!\,T^2}, \qquad
             u_{para} = -\frac{\alpha}{P!\,T},

   the q = 0 RS (and q1 = 0 1RSB) solution. By Jensen
   :math:`f_{true} \ge f_{para}`; its entropy is negative below
   :math:`T_0 = \sqrt{\xi(1)/(2\ln2)}`, where it is unphysical.

Numerics
--------
No saddle-point equations are used: stationary points are found by Newton
iterations on 4th-order central-difference gradients (step 1e-4) and
Hessians of the free energy itself, in (m, ln(1-q0), ln mu); the signature is
checked (Hessian in (q0, mu) negative definite, reduced curvature
:math:`g''(m) > 0` along m). The 1RSB retrieval branch is traced at fixed m,
solving for (ln alpha, ln(1-q0), ln mu); alpha_c is the maximum of alpha(m)
and alpha_gm a brentq root in m. The remainder integral uses composite
16-point Gauss-Legendre panels of width min(s1, 1/mu, s0) on [0, b] (the kink
of |A| is at the edge a = 0); it is checked by doubling the panel density and
against brute-force probabilists' Gauss-Hermite quadrature (1000, 2000 and
4000 nodes) of the whole :math:`\mathbb{E}_z\mu^{-1}\ln\mathbb{E}_y e^{\mu|h|}`.
The T -> 0 scaling of 1RSB is checked against the finite-T 1RSB free energy
of the pure 3-spin glass, the spin-glass routine against P = 2 (SK, where the
1RSB maximum has q0 > 0 and gives the known ~ -0.765) and the REM limit, and a
q0 scan confirms q0 = 0 for P >= 3.
"""

from __future__ import annotations

import json
import pathlib
import platform
import time
from math import factorial, log, pi, sqrt

import numpy as np
import scipy
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf, erfinv, log_ndtr, logsumexp, roots_hermitenorm

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
NAME = "dense_global_minimum_independent"
GLX, GLW = np.polynomial.legendre.leggauss(16)
REFINE = 1.0          # panels per smallest length scale (2.0 in the doubling check)
FD_STEP = 1e-4

# values quoted for comparison only (never used in the calculation)
EXISTING = dict(alpha_c_rs={3: 0.12609522, 4: 0.03297669, 5: 0.00719886},
                alpha_c_1rsb={3: 0.15373726, 4: 0.03819529, 5: 0.00814326},
                f1rsb_p3={0.10: -0.16907401, 0.12: -0.17174700})
EXPECTED = dict(alpha_gm_rs=0.0888, alpha_gm_1rsb=0.1408, e_ret_rs_0p1=-0.16911,
                e_sg_rs_0p1=-0.17841, e_std_1rsb=-0.8132, e_std_rs=-0.8186, s_para_0p05=-2.64)


# ----------------------------------------------------------------------------- RS, T = 0
def e_abs(h, s):
    """E_z |h + s z|."""
    return h * erf(h / (s * sqrt(2))) + s * sqrt(2 / pi) * np.exp(-h * h / (2 * s * s))


def rs_retrieval(P: int, alpha: float):
    """Largest-m RS solution at T = 0: (m, E_ret), or None above alpha_c^RS."""
    g = factorial(P - 1)
    s = sqrt(alpha / g)

    def F(m):
        return erf(m ** (P - 1) / (g * sqrt(2) * s)) - m

    mg = np.linspace(1e-3, 1.0, 401)
    k = int(np.argmax(F(mg)))
    r = minimize_scalar(lambda m: -F(m), bounds=(mg[max(k - 1, 0)], mg[min(k + 1, 400)]),
                        method="bounded", options={"xatol": 1e-12})
    if F(r.x) <= 0:
        return None
    m = brentq(F, r.x, 1.0, xtol=1e-15, rtol=1e-15) if F(1.0) < 0 else 1.0
    return m, (P - 1) * m**P / factorial(P) - e_abs(m ** (P - 1) / g, s)


def rs_capacity(P: int):
    def alpha_of_m(m):
        return m ** (2 * (P - 1)) / (2 * factorial(P - 1) * erfinv(m) ** 2)

    r = minimize_scalar(lambda m: -alpha_of_m(m), bounds=(0.05, 0.99999), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, r.x


def e0_rs(P: int) -> float:
    return -sqrt(2 / (pi * factorial(P - 1)))


# ----------------------------------------------------------------------------- 1RSB, T = 0
def remainder(h, s0, s1, mu):
    """int_0^inf r(a) [rho(a) + rho(-a)] da, rho the N(h, s0^2) density."""
    L = max(10 * s1, min(25 / mu, mu * s1 * s1 + 10 * s1))   # r < 1e-20 beyond
    b = min(L, h + 12 * s0)
    if b <= 0:
        return 0.0
    n = int(min(max(np.ceil(REFINE * b / min(s1, 1 / mu, s0)), 2), 20000))
    hw = 0.5 * b / n
    a = ((np.arange(n) * 2 * hw + hw)[:, None] + hw * GLX).ravel()
    w = np.tile(hw * GLW, n)
    r = np.logaddexp(log_ndtr((a + mu * s1 * s1) / s1),
                     -2 * mu * a + log_ndtr((mu * s1 * s1 - a) / s1)) / mu
    rho = (np.exp(-0.5 * ((a - h) / s0) ** 2) + np.exp(-0.5 * ((a + h) / s0) ** 2))
    return w @ (r * rho) / (s0 * sqrt(2 * pi))


def widths(P, alpha, u):
    """(s0, s1, 1 - q0^P) at q0 = 1 - e^u, accurate for q0 -> 1."""
    lq = np.log1p(-np.exp(u))
    g = factorial(P - 1)
    return (sqrt(alpha * np.exp((P - 1) * lq) / g), sqrt(-alpha * np.expm1((P - 1) * lq) / g),
            -np.expm1(P * lq))


def f1(P, la, m, u, w):
    """T = 0 1RSB energy at alpha = e^la, overlap m, q0 = 1 - e^u, mu = e^w."""
    alpha, mu = np.exp(la), np.exp(w)
    s0, s1, omq = widths(P, alpha, u)
    hm = m ** (P - 1) / factorial(P - 1)
    return ((P - 1) * m**P / factorial(P) + 0.5 * mu * (P - 1) * alpha / factorial(P) * omq
            - e_abs(hm, s0) - 0.5 * mu * s1 * s1 - remainder(hm, s0, s1, mu))


def grad_hess(fun, x, h=FD_STEP):
    """4th-order central gradient and Hessian diagonal, 2nd-order mixed terms."""
    n = len(x)
    E = np.eye(n) * h
    f0 = fun(x)
    fp, fm = [np.array([fun(x + k * E[i]) for i in range(n)]) for k in (1, -1)]
    fp2, fm2 = [np.array([fun(x + k * E[i]) for i in range(n)]) for k in (2, -2)]
    g = (8 * (fp - fm) - (fp2 - fm2)) / (12 * h)
    H = np.diag((-fp2 + 16 * fp - 30 * f0 + 16 * fm - fm2) / (12 * h * h))
    for i in range(n):
        for j in range(i + 1, n):
            H[i, j] = H[j, i] = (fun(x + E[i] + E[j]) - fun(x + E[i] - E[j])
                                 - fun(x - E[i] + E[j]) + fun(x - E[i] - E[j])) / (4 * h * h)
    return f0, g, H


def newton(G, x0, tol=1e-12, maxit=40, clip=0.3):
    """Newton on G(x) -> (value, residual, Jacobian); returns (x, value, residual, extra)."""
    x = np.array(x0, float)
    for _ in range(maxit):
        val, res, J, extra = G(x)
        if not np.max(np.abs(res)) >= tol:       # converged (or nan: reported by the caller)
            return x, val, res, extra
        dx = -np.linalg.solve(J, res)
        s = np.max(np.abs(dx))
        x = x + (dx * clip / s if s > clip else dx)
    val, res, _, extra = G(x)
    return x, val, res, extra


def signature(H):
    """(eigenvalues of the (q0, mu) block, reduced curvature g''(m)) from H in (m, u, w)."""
    Hx = H[1:, 1:]
    return np.linalg.eigvalsh(Hx), H[0, 0] - H[0, 1:] @ np.linalg.solve(Hx, H[1:, 0])


def saddle_alpha(P, alpha, x0):
    """1RSB stationary point at fixed alpha in (m, u, w)."""
    la = log(alpha)

    def G(x):
        f0, g, H = grad_hess(lambda v: f1(P, la, *v), x)
        return f0, g, H, H

    x, f, res, H = newton(G, x0)
    ev, gmm = signature(H)
    return dict(x=x, f=f, res=np.max(np.abs(res)), ev=ev, gmm=gmm)


def solve_at_m(P, m, y0):
    """1RSB retrieval branch at fixed m: (ln alpha, u, w) with grad_(m,u,w) f = 0."""
    def G(y):
        f0, g, H = grad_hess(lambda v: f1(P, v[0], v[1], v[2], v[3]),
                             np.array([y[0], m, y[1], y[2]]))
        return f0, g[1:], H[1:][:, [0, 2, 3]], H

    y, f, res, H = newton(G, y0)
    ev, gmm = signature(H[1:, 1:])
    ok = np.max(np.abs(res)) < 1e-10 and ev[1] < 0 and np.all(np.isfinite(y))
    return dict(y=y, f=f, res=np.max(np.abs(res)), ev=ev, ok=bool(ok), alpha=float(np.exp(y[0])))


def grid_init(P, alpha, m):
    """Coarse maximum of f over (u, w) at fixed (alpha, m)."""
    best = (-np.inf, 0.0, 0.0)
    for u in np.linspace(-12, -0.5, 30):
        s1 = widths(P, alpha, u)[1]
        for t in np.linspace(np.log(0.05), np.log(10), 30):
            v = f1(P, log(alpha), m, u, t - np.log(s1))
            if v > best[0]:
                best = (v, u, t - np.log(s1))
    return best[1], best[2]


def trace_branch(P, dm=0.01):
    """1RSB retrieval branch alpha(m) from a seed down past the fold and up to m -> 1."""
    a_rs, _ = rs_capacity(P)
    m0, _ = rs_retrieval(P, 0.8 * a_rs)
    m0 = round(m0, 2)
    a0 = m0 ** (2 * (P - 1)) / (2 * factorial(P - 1) * erfinv(m0) ** 2)
    pts = {m0: solve_at_m(P, m0, [log(a0), *grid_init(P, a0, m0)])}
    assert pts[m0]["ok"], "no 1RSB solution at the seed"
    down = np.round(m0 - dm * np.arange(1, int(m0 / dm)), 10)
    up = np.round(np.concatenate([np.arange(m0 + dm, 0.99 + dm / 2, dm),
                                  1 - np.array([7e-3, 5e-3, 3e-3, 2e-3, 1e-3, 5e-4, 2e-4, 1e-4])]),
                  10)
    for ladder in (down, up):
        y = pts[m0]["y"]
        for m in ladder[ladder > 0.05]:
            p = solve_at_m(P, m, y)
            if not p["ok"]:
                break
            pts[m], y = p, p["y"]
            if m < m0 and int(np.argmax([pts[k]["alpha"] for k in sorted(pts)])) >= 3:
                break                             # three points beyond the fold
    ms = np.array(sorted(pts))
    return ms, [pts[k] for k in ms]


def fold(P, ms, pts):
    k = int(np.argmax([p["alpha"] for p in pts]))
    state = {"y": pts[k]["y"]}

    def neg_alpha(m):
        p = solve_at_m(P, m, state["y"])
        state["y"] = p["y"]
        return -p["alpha"]

    r = minimize_scalar(neg_alpha, bounds=(ms[k - 1], ms[k + 1]), method="bounded",
                        options={"xatol": 1e-8})
    p = solve_at_m(P, r.x, state["y"])
    return p["alpha"], r.x, p


def e0_1rsb(P: int, c: float | None = None):
    """m = 0, q0 = 0 1RSB ground-state energy for xi(q) = c q^P (c = 1/P! default), and mu."""
    c = 1 / factorial(P) if c is None else c
    s = sqrt(c * P)

    def f(mu):
        return -0.5 * mu * c - (log(2) + log_ndtr(mu * s)) / mu

    r = minimize_scalar(lambda mu: -f(mu), bounds=(1e-3, 200 / s), method="bounded",
                        options={"xatol": 1e-12})
    return -r.fun, r.x, f


Q0_SCAN = (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)


def best_mu(P, q0):
    """max over mu of the general m = 0 1RSB energy at q0 (alpha = 1: xi = q^P/P!)."""
    r = minimize_scalar(lambda w: -f1(P, 0.0, 0.0, log(1 - q0), w), bounds=(-3, 9),
                        method="bounded", options={"xatol": 1e-10})
    return -r.fun, float(np.exp(r.x))


def sk_check():
    """P = 2 (SK, xi = q^2/2): 1RSB ground state maximised over (q0, mu); here q0 > 0."""
    r = minimize_scalar(lambda q0: -best_mu(2, q0)[0], bounds=(0.2, 0.8), method="bounded",
                        options={"xatol": 1e-9})
    return -r.fun, r.x, best_mu(2, r.x)[1], e0_1rsb(2)[0]


# ----------------------------------------------------------------------------- finite T
def f1_glass_T(T, P, c, q1, th):
    """Finite-T 1RSB free energy of the pure glass xi(q) = c q^P at q0 = 0."""
    beta = 1 / T
    s = sqrt(c * P * q1 ** (P - 1))
    k = beta * s
    br = c - c * P * q1 ** (P - 1) + (1 - th) * c * (P - 1) * q1**P
    Y = th * k + 12
    yb = min(40 / k, Y)
    e1 = np.linspace(0, yb, int(np.ceil(40 * REFINE)) + 1)
    e2 = np.linspace(yb, Y, int(np.ceil(REFINE * max(Y - yb, 0) / 0.5)) + 2)
    e = np.concatenate([e1, e2[1:]])
    hw = 0.5 * np.diff(e)
    y = ((e[:-1] + hw)[:, None] + hw[:, None] * GLX).ravel()
    lw = np.log((hw[:, None] * GLW).ravel())
    ln_int = (lw + np.log(2 / sqrt(2 * pi)) - 0.5 * y * y
              + th * (k * y + np.log1p(np.exp(-2 * k * y))))     # ln 2cosh x = x + ln(1+e^-2x)
    return -0.5 * beta * br - logsumexp(ln_int) / (beta * th)


def glass_T(T, P, c):
    """max over (q1, theta) of f1_glass_T; returns (f, q1, theta)."""
    mu0 = e0_1rsb(P, c)[1]

    def best_q1(lth):
        th = np.exp(lth)
        r = minimize_scalar(lambda lq: -f1_glass_T(T, P, c, -np.expm1(lq), th),
                            bounds=(np.log(1e-12), np.log(0.9)), method="bounded",
                            options={"xatol": 1e-9})
        return -r.fun, r.x

    r = minimize_scalar(lambda lth: -best_q1(lth)[0],
                        bounds=(np.log(0.2 * mu0 * T), np.log(min(1.0, 5 * mu0 * T))),
                        method="bounded", options={"xatol": 1e-9})
    f, lq = best_q1(r.x)
    return f, -np.expm1(lq), float(np.exp(r.x))


def paramagnet(P, alpha, T):
    x1 = alpha / factorial(P)
    return -T * log(2) - x1 / (2 * T), log(2) - x1 / (2 * T * T), -x1 / T


# ----------------------------------------------------------------------------- checks
def gh_check(P, alpha, m, q0, mu, n):
    """Brute force E_z (1/mu) ln E_y e^{mu|h|} with n-node probabilists' Gauss-Hermite in z."""
    z, wz = roots_hermitenorm(n)
    wz = wz / sqrt(2 * pi)
    s0, s1, _ = widths(P, alpha, log(1 - q0))
    A = m ** (P - 1) / factorial(P - 1) + s0 * z
    a = np.abs(A)
    g = a + 0.5 * mu * s1 * s1 + np.logaddexp(
        log_ndtr((a + mu * s1 * s1) / s1), -2 * mu * a + log_ndtr((mu * s1 * s1 - a) / s1)) / mu
    return wz @ g


def split_value(P, alpha, m, q0, mu):
    s0, s1, _ = widths(P, alpha, log(1 - q0))
    hm = m ** (P - 1) / factorial(P - 1)
    return e_abs(hm, s0) + 0.5 * mu * s1 * s1 + remainder(hm, s0, s1, mu)


# ----------------------------------------------------------------------------- main
def analyse(P):
    """Everything for one P: capacities, e0, branch, alpha_gm, sign checks."""
    out = {}
    a_rs, m_rs = rs_capacity(P)
    out["alpha_c_rs"], out["m_c_rs"] = a_rs, m_rs
    e_rs = e0_rs(P)
    e1, mu1, _ = e0_1rsb(P)
    out["e0_rs"], out["e0_1rsb"], out["mu_sg"] = e_rs, e1, mu1

    # RS: alpha_gm from E_ret^RS(alpha) = sqrt(alpha) e0^RS
    def d_rs(alpha):
        return rs_retrieval(P, alpha)[1] - sqrt(alpha) * e_rs

    a_gm = brentq(d_rs, 1e-3 * a_rs, a_rs * (1 - 1e-9), xtol=1e-13, rtol=1e-13)
    m_gm, E_gm = rs_retrieval(P, a_gm)
    out.update(alpha_gm_rs=a_gm, m_gm_rs=m_gm, E_gm_rs=E_gm)
    grid = a_rs * np.concatenate([np.linspace(0.01, 0.99, 50), [0.999, 0.99999]])
    sgn = np.sign([d_rs(a) for a in grid])
    out["rs_grid"] = dict(n=len(grid), alpha_lo=grid[0], alpha_hi=grid[-1],
                          neg_below=bool(np.all(sgn[grid < a_gm] < 0)),
                          pos_above=bool(np.all(sgn[grid > a_gm] > 0)))

    # 1RSB: branch, fold, alpha_gm
    ms, pts = trace_branch(P)
    a_c, m_c, pc = fold(P, ms, pts)
    out.update(alpha_c_1rsb=a_c, m_c_1rsb=m_c, q0_c=1 - np.exp(pc["y"][1]),
               mu_c=float(np.exp(pc["y"][2])), ev_c=pc["ev"].tolist())
    up = [(m, p) for m, p in zip(ms, pts, strict=True) if m > m_c]
    D = np.array([p["f"] - sqrt(p["alpha"]) * e1 for _, p in up])
    i = int(np.nonzero(np.diff(np.sign(D)))[0][0])
    state = {"y": up[i][1]["y"]}

    def d_1(m):
        p = solve_at_m(P, m, state["y"])
        state["y"] = p["y"]
        return p["f"] - sqrt(p["alpha"]) * e1

    m_star = brentq(d_1, up[i][0], up[i + 1][0], xtol=1e-13, rtol=1e-13)
    p = solve_at_m(P, m_star, state["y"])
    a_gm1 = p["alpha"]
    sa = saddle_alpha(P, a_gm1, [m_star, p["y"][1], p["y"][2]])
    out.update(alpha_gm_1rsb=a_gm1, m_gm_1rsb=m_star, E_gm_1rsb=p["f"],
               q0_gm=1 - np.exp(p["y"][1]), mu_gm=float(np.exp(p["y"][2])),
               gm_check=dict(f_fixed_alpha=sa["f"], E_sg=sqrt(a_gm1) * e1, ev=sa["ev"].tolist(),
                             gmm=sa["gmm"], res=sa["res"]))
    alphas = np.array([q["alpha"] for _, q in up])
    out["branch"] = dict(m=[float(m) for m, _ in up], alpha=alphas.tolist(),
                         E_ret=[q["f"] for _, q in up], E_sg=(np.sqrt(alphas) * e1).tolist(),
                         q0=[float(1 - np.exp(q["y"][1])) for _, q in up],
                         mu=[float(np.exp(q["y"][2])) for _, q in up])
    out["rsb_grid"] = dict(n=len(up), alpha_lo=float(alphas.min()), alpha_hi=float(alphas.max()),
                           neg_below=bool(np.all(D[alphas < a_gm1] < 0)),
                           pos_above=bool(np.all(D[alphas > a_gm1] > 0)))
    # below the traced branch 1RSB -> RS (q0 -> 1); compare RS retrieval with 1RSB glass there
    lo = a_rs * np.linspace(0.01, 1, 50)
    lo = lo[lo <= alphas.min()]
    edge = float(up[-1][1]["f"] - rs_retrieval(P, alphas.min())[1])
    out["rsb_low"] = dict(alpha_hi=float(alphas.min()), rs_vs_1rsb_at_edge=edge,
                          min_gap=float(min(sqrt(a) * e1 - rs_retrieval(P, a)[1] for a in lo)))
    return out, (ms, pts)


def main():
    global REFINE
    t0 = time.perf_counter()
    L = []
    p = L.append
    p("Dense P-spin Hebbian network, T = 0: retrieval versus spin-glass ground state")
    p(f"(benchmarks/{NAME}.py; Python {platform.python_version()}, NumPy {np.__version__}, "
      f"SciPy {scipy.__version__})")
    p("H = -N^(1-P) sum_mu sum_{i1<..<iP} prod xi s, K = alpha N^(P-1); cross-talk covariance "
      "N xi(q), xi(q) = alpha q^P/P!")
    p("E_ret : RS  (P-1)m^P/P! - E|h_m + sigma z|, sigma^2 = alpha/(P-1)!, "
      "m = erf(h_m/sqrt2 sigma)")
    p("        1RSB (P-1)m^P/P! + mu(P-1)alpha(1-q0^P)/(2P!) - (1/mu) E_z ln E_y e^{mu|h|}, "
      "max over (q0, mu), min along m")
    p("E_sg  = sqrt(alpha) e0(P), e0 = ground state of xi(q) = q^P/P!:")
    p("        RS  e0 = -sqrt(2/(pi (P-1)!));  "
      "1RSB e0 = max_mu [-mu/(2P!) - (ln2 + ln Phi(mu/sqrt((P-1)!)))/mu]")
    p("        standard normalisation xi = q^P/2: e_std = sqrt(P!/2) e0")
    p("")
    res, traced = {}, {}
    for P in (3, 4, 5):
        res[P], traced[P] = analyse(P)

    p("Spin-glass ground-state energy e0(P) (xi = q^P/P!) and in the standard normalisation")
    p(f"{'P':>2} {'e0 RS':>11} {'e0 1RSB':>11} {'mu* 1RSB':>10} {'e_std RS':>11} {'e_std 1RSB':>11}"
      f" {'RS/1RSB':>8}")
    for P in (3, 4, 5):
        r = res[P]
        k = sqrt(factorial(P) / 2)
        p(f"{P:>2} {r['e0_rs']:11.8f} {r['e0_1rsb']:11.8f} {r['mu_sg']:10.6f} "
          f"{k * r['e0_rs']:11.8f} {k * r['e0_1rsb']:11.8f} {r['e0_rs'] / r['e0_1rsb']:8.5f}")
    p("")
    p("Global minimum: alpha_gm where E_ret(alpha) = E_sg(alpha) = sqrt(alpha) e0")
    p(f"{'P':>2} {'level':>5} {'alpha_c':>12} {'alpha_gm':>12} {'gm/c':>7} {'m_gm':>10} "
      f"{'E at gm':>12} {'q0_gm':>9} {'mu_gm':>9}")
    for P in (3, 4, 5):
        r = res[P]
        p(f"{P:>2} {'RS':>5} {r['alpha_c_rs']:12.8f} {r['alpha_gm_rs']:12.8f} "
          f"{r['alpha_gm_rs'] / r['alpha_c_rs']:7.4f} {r['m_gm_rs']:10.7f} {r['E_gm_rs']:12.9f}")
        p(f"{'':>2} {'1RSB':>5} {r['alpha_c_1rsb']:12.8f} {r['alpha_gm_1rsb']:12.8f} "
          f"{r['alpha_gm_1rsb'] / r['alpha_c_1rsb']:7.4f} {r['m_gm_1rsb']:10.7f} "
          f"{r['E_gm_1rsb']:12.9f} {r['q0_gm']:9.6f} {r['mu_gm']:9.4f}")
    p("")
    p("Sign of E_ret - E_sg on grids (negative = retrieval is the global minimum)")
    for P in (3, 4, 5):
        r = res[P]
        g, h = r["rs_grid"], r["rsb_grid"]
        p(f"P={P} RS  : {g['n']} alphas in [{g['alpha_lo']:.3e}, {g['alpha_hi']:.6f}]: "
          f"< 0 for all alpha < alpha_gm: {g['neg_below']}; > 0 for alpha_gm < alpha < alpha_c: "
          f"{g['pos_above']}")
        p(f"    1RSB: {h['n']} branch points, alpha in [{h['alpha_lo']:.6f}, {h['alpha_hi']:.6f}]: "
          f"< 0 below alpha_gm: {h['neg_below']}; > 0 above: {h['pos_above']}")
        lo = r["rsb_low"]
        p(f"          below alpha = {lo['alpha_hi']:.6f} (1RSB -> RS, E_1RSB - E_RS there "
          f"{lo['rs_vs_1rsb_at_edge']:.1e}): min over grid of E_sg^1RSB - E_ret^RS = "
          f"{lo['min_gap']:.4f} > 0")
    p("")

    # P = 3, alpha = 0.1 (and 0.12) comparison
    ms, pts = traced[3]
    p("P = 3 retrieval and spin-glass energies at fixed alpha")
    p(f"{'alpha':>6} | {'E_ret RS':>12} {'E_sg RS':>12} | {'E_ret 1RSB':>12} {'E_sg 1RSB':>12} "
      f"{'m 1RSB':>10} {'q0':>9} {'mu':>9} {'g_mm':>7}")
    e_rs3, e_13 = res[3]["e0_rs"], res[3]["e0_1rsb"]
    fixed = {}
    for alpha in (0.08, 0.10, 0.12, 0.14):
        k = int(np.argmin([abs(q["alpha"] - alpha) + 10 * (m < res[3]["m_c_1rsb"])
                           for m, q in zip(ms, pts, strict=True)]))
        sa = saddle_alpha(3, alpha, [ms[k], pts[k]["y"][1], pts[k]["y"][2]])
        rs = rs_retrieval(3, alpha)
        E_r = rs[1] if rs is not None else float("nan")      # nan: above alpha_c^RS
        fixed[alpha] = dict(E_ret_rs=E_r, E_sg_rs=sqrt(alpha) * e_rs3, E_ret_1rsb=sa["f"],
                            E_sg_1rsb=sqrt(alpha) * e_13, m=sa["x"][0],
                            q0=1 - np.exp(sa["x"][1]), mu=float(np.exp(sa["x"][2])),
                            gmm=sa["gmm"], ev=sa["ev"].tolist())
        v = fixed[alpha]
        e_r = f"{E_r:12.8f}" if rs is not None else f"{'(> a_c)':>12}"
        p(f"{alpha:6.2f} | {e_r} {v['E_sg_rs']:12.8f} | {v['E_ret_1rsb']:12.8f} "
          f"{v['E_sg_1rsb']:12.8f} {v['m']:10.7f} {v['q0']:9.6f} {v['mu']:9.4f} {v['gmm']:7.4f}")
    p("")

    # finite temperature: paramagnet and 1RSB glass, P = 3, alpha = 0.1
    p("P = 3, alpha = 0.1, T > 0: annealed paramagnet f = -T ln2 - alpha/(2 P! T), "
      "s = ln2 - alpha/(2 P! T^2), u = -alpha/(P! T)")
    x1 = 0.1 / 6
    p("  entropy crisis of the paramagnet T0 = sqrt(xi(1)/(2 ln2)) = "
      f"{sqrt(x1 / (2 * log(2))):.6f}")
    p(f"{'T':>6} {'f_para':>12} {'s_para':>12} {'u_para':>12} {'f_1RSB glass':>13} {'q1':>9} "
      f"{'theta':>8}")
    para = {}
    for T in (0.05, 0.01):
        fp, sp, up_ = paramagnet(3, 0.1, T)
        fg, q1, th = glass_T(T, 3, x1)
        para[T] = dict(f_para=fp, s_para=sp, u_para=up_, f_glass_1rsb=fg, q1=q1, theta=th)
        p(f"{T:6.2f} {fp:12.6f} {sp:12.6f} {up_:12.6f} {fg:13.8f} {q1:9.6f} {th:8.5f}")
    p("  (f_para < f_glass: allowed, the annealed f is a lower bound of the quenched one; "
      "s_para < 0 makes it unphysical)")
    p("")

    # checks
    p("Checks")
    e_std = e0_1rsb(3, 0.5)
    p(f"(a) standard Ising 3-spin glass xi = q^3/2, T = 0: E_1RSB = {e_std[0]:.6f} "
      f"(mu = {e_std[1]:.4f}), E_RS = {-sqrt(3 / pi):.6f}")
    f_mu = e_std[2]
    p(f"    f(mu) at mu*(1 -/+ 0.05): {f_mu(0.95 * e_std[1]):.6f} {f_mu(1.05 * e_std[1]):.6f} "
      f"(max over mu); mu -> 0: {f_mu(1e-6):.6f} (= RS)")
    p("    m = 0, xi = q^P/P!: [max over mu at q0] - e0(q0 = 0) for q0 = "
      + "/".join(f"{q}" for q in Q0_SCAN))
    for P in (3, 4, 5):
        diffs = [best_mu(P, q)[0] - res[P]["e0_1rsb"] for q in Q0_SCAN]
        p(f"      P={P}: " + " ".join(f"{d:.2e}" for d in diffs)
          + "  (all < 0: q0 = 0 is the maximum)")
    sk = sk_check()
    p(f"    P=2 (SK, xi = q^2/2) through the same routine: max over (q0, mu) = {sk[0]:.6f} at "
      f"q0 = {sk[1]:.4f}, mu = {sk[2]:.4f} (q0 = 0 would give {sk[3]:.6f}); 1RSB SK literature "
      "~ -0.765")
    ft = []
    for T in (0.2, 0.1, 0.05, 0.02, 0.01):
        ft.append((T, *glass_T(T, 3, 0.5)))
    p("    finite-T 1RSB, xi = q^3/2: " +
      ", ".join(f"T={T}: {f:.6f}" for T, f, _, _ in ft) + f"  -> T = 0: {e_std[0]:.6f}")
    p("    theta/T -> mu*: " + ", ".join(f"{th / T:.4f}" for T, _, _, th in ft)
      + f"; (f(T) - E_1RSB)/T at T = 0.01, 0.02: {(ft[-1][1] - e_std[0]) / 0.01:.5f}, "
      f"{(ft[-2][1] - e_std[0]) / 0.02:.5f} (= -s(0): the 1RSB entropy is slightly negative "
      "at low T)")
    e20 = e0_1rsb(20, 0.5)[0]
    p(f"    P = 20, xi = q^20/2: E_1RSB = {e20:.6f}, REM limit -sqrt(ln 2) = {-sqrt(log(2)):.6f}")
    v = fixed[0.10]
    args = (3, 0.10, v["m"], v["q0"], v["mu"])
    split = split_value(*args)
    gh = [gh_check(*args, n) for n in (1000, 2000, 4000)]
    p(f"(b) E_z (1/mu) ln E_y e^(mu|h|) at P=3, alpha=0.1 (1RSB point): split GL {split:.13f}; "
      f"brute-force GH n=1000/2000/4000 {gh[0]:.13f} {gh[1]:.13f} {gh[2]:.13f}")
    s0, s1, _ = widths(3, 0.10, log(1 - v["q0"]))
    R1 = remainder(v["m"] ** 2 / 2, s0, s1, v["mu"])
    REFINE = 0.25
    R4 = remainder(v["m"] ** 2 / 2, s0, s1, v["mu"])
    REFINE = 2.0
    R2 = remainder(v["m"] ** 2 / 2, s0, s1, v["mu"])
    f_ref = f1(3, log(0.1), v["m"], log(1 - v["q0"]), log(v["mu"]))
    r = res[3]
    p_gm = solve_at_m(3, r["m_gm_1rsb"], [log(r["alpha_gm_1rsb"]), log(1 - r["q0_gm"]),
                                         log(r["mu_gm"])])
    ft2 = glass_T(0.01, 3, 0.5)[0]
    REFINE = 1.0
    f_now = f1(3, log(0.1), v["m"], log(1 - v["q0"]), log(v["mu"]))
    p(f"    remainder integral {R1:.10e}, relative change with panels x2 {R2 / R1 - 1:.1e} "
      f"(x1/4: {R4 / R1 - 1:.1e}); with panels x2: "
      f"E_1RSB(alpha=0.1) changes by {f_ref - f_now:.1e}, alpha_gm(P=3) by "
      f"{p_gm['alpha'] - r['alpha_gm_1rsb']:.1e}, E_gm by {p_gm['f'] - r['E_gm_1rsb']:.1e}, "
      f"finite-T f(T=0.01) by {ft2 - ft[-1][1]:.1e}")
    for P in (3, 4, 5):
        g = res[P]["gm_check"]
        p(f"(c) P={P} at alpha_gm^1RSB (fixed-alpha saddle): E_ret - E_sg = "
          f"{g['f_fixed_alpha'] - g['E_sg']:.1e}, grad {g['res']:.0e}, Hessian (q0,mu) "
          f"{g['ev'][0]:.2e} {g['ev'][1]:.2e} (< 0: max), g''(m) = {g['gmm']:.4f} (> 0: min)")
    p("(d) versus benchmarks/results/dense_1rsb_independent.txt (8 decimals): alpha_c RS "
      + ", ".join(f"P={P} {res[P]['alpha_c_rs'] - EXISTING['alpha_c_rs'][P]:+.1e}"
                  for P in (3, 4, 5))
      + "; alpha_c 1RSB "
      + ", ".join(f"P={P} {res[P]['alpha_c_1rsb'] - EXISTING['alpha_c_1rsb'][P]:+.1e}"
                  for P in (3, 4, 5)))
    p("    E_1RSB(P=3): " + ", ".join(
        f"alpha={a}: {fixed[a]['E_ret_1rsb'] - EXISTING['f1rsb_p3'][a]:+.1e}"
        for a in (0.10, 0.12)))
    p("")
    p("Comparison with the values quoted by an independent calculation")
    cmp_rows = [
        ("alpha_gm RS, P=3", EXPECTED["alpha_gm_rs"], res[3]["alpha_gm_rs"]),
        ("alpha_gm 1RSB, P=3", EXPECTED["alpha_gm_1rsb"], res[3]["alpha_gm_1rsb"]),
        ("E_ret RS, P=3, alpha=0.1", EXPECTED["e_ret_rs_0p1"], fixed[0.10]["E_ret_rs"]),
        ("E_sg RS, P=3, alpha=0.1", EXPECTED["e_sg_rs_0p1"], fixed[0.10]["E_sg_rs"]),
        ("3-spin glass xi=q^3/2, 1RSB", EXPECTED["e_std_1rsb"], e_std[0]),
        ("3-spin glass xi=q^3/2, RS", EXPECTED["e_std_rs"], -sqrt(3 / pi)),
        ("s_para, P=3, alpha=0.1, T=0.05", EXPECTED["s_para_0p05"], para[0.05]["s_para"]),
    ]
    for name, quoted, got in cmp_rows:
        p(f"  {name:<32} quoted {quoted:>9} this script {got:12.8f}")
    p("")
    p("P = 3 1RSB retrieval branch (E_ret - E_sg changes sign once, at alpha_gm)")
    b = res[3]["branch"]
    for k in range(0, len(b["m"]), 2):
        p(f"  m={b['m'][k]:.3f} alpha={b['alpha'][k]:.6f} E_ret={b['E_ret'][k]:.8f} "
          f"E_sg={b['E_sg'][k]:.8f} diff={b['E_ret'][k] - b['E_sg'][k]:+.2e} q0={b['q0'][k]:.6f} "
          f"mu={b['mu'][k]:.3f}")
    p("")
    p(f"run time {time.perf_counter() - t0:.1f} s")
    text = "\n".join(L) + "\n"
    print(text, end="")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{NAME}.txt").write_text(text)
    data = dict(per_P={str(P): res[P] for P in res},
                p3_fixed_alpha={str(a): fixed[a] for a in fixed},
                paramagnet_p3_alpha0p1={str(T): para[T] for T in para},
                glass_std_p3=dict(e_1rsb=e_std[0], mu=e_std[1], e_rs=-sqrt(3 / pi),
                                  finite_T=[dict(T=T, f=f, q1=q1, theta=th)
                                            for T, f, q1, th in ft]),
                expected_quoted=EXPECTED, existing_script=EXISTING)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(data, indent=2, default=float))


if __name__ == "__main__":
    main()
