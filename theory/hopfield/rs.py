"""Replica-symmetric AGS branches of the Hopfield model (private engine of theory.hopfield).

Parametrisation.  Every RS branch is written in the unknowns ``(m, C)`` with
``C = beta (1 - q)`` the susceptibility, finite at T = 0 where ``q = 1``:

    q = 1 - C T,   p = q / (1 - C)^2,   sigma = sqrt(alpha p) = sqrt(alpha (1 - C T)) / (1 - C),
    m = A(m, sigma)    = E_z tanh(beta (m + sigma z)),               # AGS 1987, RS m equation
    C = Chat(m, sigma) = beta E_z sech^2(beta (m + sigma z)),        # AGS 1987, RS q equation
                                                                     #   as beta (1 - q)

the p equation ``p = q / (1 - C)^2`` being used to eliminate p.  At T = 0 the
averages are the exact limits ``A = erf(m / (sqrt(2) sigma))`` and
``Chat = sqrt(2/pi) / sigma exp(-m^2 / (2 sigma^2))`` (theory._numerics.quadrature), so
T = 0 is solved by the same code with no large beta.  ``0 <= C < 1`` is needed
for the Gaussian integral over the non-condensed overlaps (``1 - beta (1 - q) > 0``).

Retrieval.  At fixed T the retrieval branch is the curve ``sigma -> alpha(sigma)``:
for ``sigma`` below ``sigma_max(T)`` (``Chat(0, sigma_max) = 1``) the m equation has
one positive root ``m*(sigma)`` (the map ``m -> A(m, sigma)`` is concave for m > 0),
then ``C = Chat(m*, sigma)`` and ``alpha = sigma^2 (1 - C)^2 / (1 - C T)``.  This curve
is unimodal; its maximum is the saddle-node (spinodal) ``alpha_c(T)`` and its rising
part (larger m) is the locally stable retrieval branch.  So existence is exact:
retrieval exists at (alpha, T) iff ``alpha <= alpha_c(T)``.  The solution itself
comes from a damped Newton iteration in (m, C) started from the interpolated
curve; where Newton fails numerically a damped fixed-point iteration of the RS map
(polished by Newton) is tried, and where it lands elsewhere (the unstable partner
or m = 0) a bracketed solve along the curve, which cannot fail, takes over.

Spin glass (m = 0).  One scalar equation ``g(C) = C - Chat(0, sigma(C)) = 0``
bracketed in ``0 < C < min(1, beta)`` (``g(0) < 0``; ``g > 0`` just below the
upper end for ``T < T_g = 1 + sqrt(alpha)``), solved by safeguarded Newton.
At ``C = beta`` (T > 1) sits the trivial paramagnetic root, which the bracket
excludes, so critical slowing down near T_g does not matter.

Paramagnet.  ``m = q = p = 0``, ``C = beta``; exists for T > 1 only (``1 - beta > 0``).
"""

from __future__ import annotations

import numpy as np

from .._numerics.quadrature import gauss_moments
from .._numerics.solver import (
    CONVERGED,
    NO_SOLUTION,
    WRONG_ROOT,
    SolveResult,
    bracket_root,
    fixed_point,
    newton,
)

__all__ = [
    "BRANCHES",
    "beta_of",
    "sigma_of_C",
    "capacity",
    "solve_retrieval",
    "solve_spin_glass",
    "solve_paramagnet",
    "evaluate",
    "retrieval_residual",
]

BRANCHES = ("retrieval", "spin_glass", "paramagnet")

#: Scan points of the parametric retrieval curve per temperature.
N_SCAN = 24
_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)


def beta_of(T: np.ndarray) -> np.ndarray:
    """``1/T`` with ``inf`` at T = 0."""
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        # a subnormal T overflows to beta = inf and is then treated by the T = 0 equations
        return np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)


def sigma_of_C(alpha, T, C):
    """``sigma = sqrt(alpha (1 - C T)) / (1 - C)`` and ``d sigma / d C``."""
    q = 1.0 - C * T
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(alpha * q) / (1.0 - C)
        ds = s * (1.0 / (1.0 - C) - 0.5 * T / q)
    return s, ds


# ----------------------------------------------------------------------------------------
# retrieval: residual in (m, C)
# ----------------------------------------------------------------------------------------
def retrieval_residual(m, C, alpha, T, beta):
    """Residual ``F = (m - A, C - Chat)`` and its Jacobian in ``(m, C)``.

    Uses ``dA/dm = Chat`` and ``dA/dsigma = sigma dChat/dm`` (Gaussian
    integration by parts), so the Jacobian is analytic.
    """
    s, ds = sigma_of_C(alpha, T, C)
    M = gauss_moments(m, s, beta)
    F = np.stack([m - M.A, C - M.Chat], axis=-1)
    J = np.empty(m.shape + (2, 2))
    J[..., 0, 0] = 1.0 - M.Chat
    J[..., 0, 1] = -s * M.Chat_m * ds
    J[..., 1, 0] = -M.Chat_m
    J[..., 1, 1] = 1.0 - M.Chat_s * ds
    return F, J


def _m_star(sigma, beta, m0=None, *, maxiter=400):
    """Positive root of ``m = A(m, sigma)`` by Newton from the right (monotone).

    ``g(m) = m - A(m, sigma)`` is convex and increasing at its positive root
    (``A`` is concave in m > 0), so Newton started at ``m0 >= root`` decreases
    monotonically to it.  Returns 0 where ``Chat(0, sigma) <= 1`` (no positive root).
    """
    sigma = np.asarray(sigma, dtype=float)
    beta = np.broadcast_to(np.asarray(beta, dtype=float), sigma.shape)
    m = np.ones(sigma.shape) if m0 is None else np.array(m0, dtype=float, copy=True)
    active = np.flatnonzero(m > 0)
    for _ in range(maxiter):
        if active.size == 0:
            break
        M = gauss_moments(m[active], sigma[active], beta[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = (m[active] - M.A) / (1.0 - M.Chat)
        # a non-positive slope means m is left of the root region: none to the right
        bad = ~np.isfinite(step) | (1.0 - M.Chat <= 0)
        new = m[active] - np.where(bad, 0.5 * m[active], step)
        new = np.maximum(new, 0.0)
        m[active] = new
        done = (np.abs(np.where(bad, 1.0, step)) <= 1e-15 * (1.0 + new)) | (new <= 1e-300)
        active = active[~done]
    return m


def _curve(sigma, T, beta, m0=None):
    """Point of the parametric retrieval curve at ``sigma`` (see module docstring).

    Returns ``m, C, alpha, D`` with ``D = d ln(alpha) / d sigma`` along the curve.
    """
    m = _m_star(sigma, beta, m0)
    M = gauss_moments(m, sigma, beta)
    C = M.Chat
    q = 1.0 - C * T
    with np.errstate(divide="ignore", invalid="ignore"):  # q = 0 only where T >= 1 (no branch)
        alpha = sigma**2 * (1.0 - C) ** 2 / q
        dm = sigma * M.Chat_m / (1.0 - M.Chat)  # from m = A(m, sigma)
        dC = M.Chat_m * dm + M.Chat_s
        D = 2.0 / sigma - 2.0 * dC / (1.0 - C) + T * dC / q
    return m, C, alpha, D


def capacity(T: np.ndarray, n_scan: int = N_SCAN) -> dict[str, np.ndarray]:
    """Saddle-node of the retrieval branch at each temperature, plus the scan table.

    ``alpha_c(T) = max_sigma alpha(sigma)`` along the parametric curve; the
    maximum is located by Illinois iteration on ``d ln(alpha)/d sigma = 0`` in the
    bracket around the largest scan point, to ``|d sigma| ~ 1e-13``, so that
    ``alpha_c`` is exact to round-off (quadratic maximum) and ``m_c`` to ~1e-11.
    For ``T >= 1`` there is no retrieval: ``alpha_c = 0``, others NaN.
    """
    T = np.atleast_1d(np.asarray(T, dtype=float))
    nT = T.size
    beta = beta_of(T)
    cold = T < 1.0
    out = {
        k: np.full(nT, np.nan)
        for k in ("alpha_c", "sigma_c", "m_c", "C_c", "sigma_max", "m_cw", "C_cw")
    }
    out["alpha_c"][~cold] = 0.0
    K = n_scan
    tab = {k: np.full((nT, K + 1), np.nan) for k in ("sigma", "alpha", "m", "C")}
    out["table"] = tab
    idx = np.flatnonzero(cold)
    if idx.size == 0:
        return out
    b = beta[idx]
    Tc = T[idx]
    # sigma_max: Chat(0, sigma) = 1 (Chat(0, .) decreases; Chat(0, sqrt(2/pi)) <= 1)
    zeros = np.zeros(idx.size)

    def gmax(s, j):
        M = gauss_moments(zeros[j], s, b[j])
        return M.Chat - 1.0, M.Chat_s

    smax = bracket_root(gmax, zeros, np.full(idx.size, _SQRT_2_OVER_PI), np.ones(idx.size)).x
    # Curie-Weiss end (sigma = 0): m = tanh(beta m); at T = 0, m = 1
    m_cw = _m_star(zeros, b)
    C_cw = gauss_moments(m_cw, zeros, b).Chat
    # scan sigma_k = smax k / K, k = 1..K-1 (k = 0: Curie-Weiss end, alpha = 0)
    frac = np.arange(1, K) / K
    S = smax[:, None] * frac[None, :]
    bb = np.broadcast_to(b[:, None], S.shape)
    TT = np.broadcast_to(Tc[:, None], S.shape)
    m, C, a, _ = _curve(S.ravel(), TT.ravel(), bb.ravel())
    m, C, a = m.reshape(S.shape), C.reshape(S.shape), a.reshape(S.shape)
    k = np.argmax(a, axis=1)
    rows = np.arange(idx.size)
    lo = np.where(k > 0, S[rows, np.maximum(k - 1, 0)], 1e-3 * S[rows, 0])
    hi = np.where(k < K - 2, S[rows, np.minimum(k + 1, K - 2)], 0.5 * (S[rows, -1] + smax))
    m_lo = np.where(k > 0, m[rows, np.maximum(k - 1, 0)], 1.0)

    def dlog(s, j):
        return _curve(s, Tc[j], b[j], m_lo[j])[3], None

    res = bracket_root(dlog, lo, hi, np.ones(idx.size), xtol=1e-13, rtol=1e-13)
    sc = res.x
    mc, Cc, ac, _ = _curve(sc, Tc, b, m_lo)
    for key, val in (
        ("alpha_c", ac),
        ("sigma_c", sc),
        ("m_c", mc),
        ("C_c", Cc),
        ("sigma_max", smax),
        ("m_cw", m_cw),
        ("C_cw", C_cw),
    ):
        out[key][idx] = val
    # table of the rising (stable) part: Curie-Weiss end, scan points below sigma_c, saddle-node
    rising = S < sc[:, None]
    tab_s = np.concatenate([zeros[:, None], np.where(rising, S, np.inf), sc[:, None]], axis=1)
    tab_a = np.concatenate([zeros[:, None], np.where(rising, a, np.inf), ac[:, None]], axis=1)
    tab_m = np.concatenate([m_cw[:, None], np.where(rising, m, np.nan), mc[:, None]], axis=1)
    tab_C = np.concatenate([C_cw[:, None], np.where(rising, C, np.nan), Cc[:, None]], axis=1)
    order = np.argsort(tab_s, axis=1, kind="stable")
    for key, arr in (("sigma", tab_s), ("alpha", tab_a), ("m", tab_m), ("C", tab_C)):
        tab[key][idx] = np.take_along_axis(arr, order, axis=1)
    return out


def _interp_rows(x, xp, *fps):
    """Row-wise linear interpolation; ``xp`` increasing per row, padded with inf."""
    j = np.sum(xp < x[:, None], axis=1)
    j = np.clip(j, 1, xp.shape[1] - 1)
    r = np.arange(x.size)
    x0, x1 = xp[r, j - 1], xp[r, j]
    finite = np.isfinite(x1) & (x1 > x0)
    w = np.where(finite, (x - x0) / np.where(finite, x1 - x0, 1.0), 0.0)
    w = np.clip(w, 0.0, 1.0)
    return [
        np.where(finite, fp[r, j - 1] + w * (fp[r, j] - fp[r, j - 1]), fp[r, j - 1]) for fp in fps
    ]


def solve_retrieval(alpha: np.ndarray, T: np.ndarray) -> tuple[SolveResult, dict]:
    """Retrieval branch at points ``(alpha, T)`` (1-D arrays of equal length).

    Returns the SolveResult with ``x[:, 0] = m``, ``x[:, 1] = C`` and the
    capacity data of each point's temperature.
    """
    alpha = np.asarray(alpha, dtype=float)
    T = np.asarray(T, dtype=float)
    n = alpha.size
    beta = beta_of(T)
    Tu, inv = np.unique(T, return_inverse=True)
    cap = capacity(Tu)
    ac = cap["alpha_c"][inv]
    exists = (T < 1.0) & (alpha <= ac)
    x = np.full((n, 2), np.nan)
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    pts = np.flatnonzero(exists)
    if pts.size:
        tab = cap["table"]
        rows = inv[pts]
        m0, C0 = _interp_rows(alpha[pts], tab["alpha"][rows], tab["m"][rows], tab["C"][rows])
        a_, T_, b_ = alpha[pts], T[pts], beta[pts]

        def fun(xx, j):
            return retrieval_residual(xx[:, 0], xx[:, 1], a_[j], T_[j], b_[j])

        def feasible(xx, j):
            return (xx[:, 1] >= 0.0) & (xx[:, 1] < 1.0) & (xx[:, 1] * T_[j] < 1.0) & (xx[:, 0] > 0)

        x0 = np.stack([m0, C0], axis=1)
        res = newton(fun, x0, feasible=feasible)
        sc = cap["sigma_c"][rows]

        def valid(xx, j):
            s, _ = sigma_of_C(a_[j], T_[j], xx[:, 1])
            return (s <= sc[j] * (1.0 + 1e-7)) & (xx[:, 0] > 0)

        ok = res.converged & valid(res.x, np.arange(pts.size))
        st = np.where(ok, CONVERGED, np.where(res.converged, WRONG_ROOT, res.status))
        it = res.n_iter.copy()
        xs = res.x.copy()
        # fallback 1: damped fixed-point iteration of the RS map from the same start, where
        # Newton failed numerically (singular or non-finite Jacobian, iteration limit), then
        # a Newton polish; it converges to the attracting retrieval fixed point
        fp = np.flatnonzero(~res.converged)
        if fp.size:

            def Ffp(xx, j):
                return retrieval_residual(xx[:, 0], xx[:, 1], a_[fp[j]], T_[fp[j]], b_[fp[j]])[0]

            r1 = fixed_point(
                Ffp,
                x0[fp],
                omega=0.5,
                xtol=1e-9,
                maxiter=500,
                feasible=lambda xx, j: feasible(xx, fp[j]),
            )
            r2 = newton(
                lambda xx, j: fun(xx, fp[j]), r1.x, feasible=lambda xx, j: feasible(xx, fp[j])
            )
            good = r2.converged & valid(r2.x, fp)
            xs[fp[good]] = r2.x[good]
            st[fp[good]] = CONVERGED
            it[fp] += r1.n_iter + r2.n_iter
            ok[fp[good]] = True
        # fallback: bracketed solve along the parametric curve, sigma in [sigma_lo, sigma_c]
        fb = np.flatnonzero(~ok)
        if fb.size:
            r = rows[fb]
            s_lo, m_lo = _interp_lower(a_[fb], tab["alpha"][r], tab["sigma"][r], tab["m"][r])
            Tf, bf, af = T_[fb], b_[fb], a_[fb]

            def g(sig, j):
                m, C, aa, D = _curve(sig, Tf[j], bf[j], m_lo[j])
                return aa - af[j], aa * D

            rr = bracket_root(g, s_lo, sc[fb], -np.ones(fb.size), maxiter=200)
            mf, Cf, _, _ = _curve(rr.x, Tf, bf, m_lo)
            xs[fb, 0], xs[fb, 1] = mf, Cf
            st[fb] = np.where(rr.converged, CONVERGED, rr.status)
            it[fb] += rr.n_iter
        x[pts] = xs
        status[pts] = st
        n_iter[pts] = it
    conv = status == CONVERGED
    x[~conv] = np.nan
    return SolveResult(x, conv, status, n_iter), {k: v[inv] for k, v in cap.items() if k != "table"}


def _interp_lower(a, tab_alpha, tab_sigma, tab_m):
    """Largest table sigma with alpha_k <= a (the lower end of the fallback bracket)."""
    j = np.sum(tab_alpha <= a[:, None], axis=1) - 1
    j = np.clip(j, 0, tab_alpha.shape[1] - 1)
    r = np.arange(a.size)
    return tab_sigma[r, j], tab_m[r, j]


# ----------------------------------------------------------------------------------------
# spin glass and paramagnet
# ----------------------------------------------------------------------------------------
def spin_glass_exists(alpha, T):
    """T < T_g = 1 + sqrt(alpha): sign of g just below the upper bracket end."""
    return T < 1.0 + np.sqrt(alpha)


def solve_spin_glass(alpha: np.ndarray, T: np.ndarray) -> SolveResult:
    """Spin-glass branch (m = 0, q > 0): bracketed safeguarded Newton in C."""
    alpha = np.asarray(alpha, dtype=float)
    T = np.asarray(T, dtype=float)
    n = alpha.size
    beta = beta_of(T)
    x = np.full((n, 2), np.nan)
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    pts = np.flatnonzero(spin_glass_exists(alpha, T))
    if pts.size:
        a_, T_, b_ = alpha[pts], T[pts], beta[pts]
        z = np.zeros(pts.size)

        def g(C, j):
            s, ds = sigma_of_C(a_[j], T_[j], C)
            M = gauss_moments(z[j], s, b_[j])
            return C - M.Chat, 1.0 - M.Chat_s * ds

        hi = np.minimum(b_, 1.0)
        res = bracket_root(g, z, hi, -np.ones(pts.size))
        x[pts, 0] = 0.0
        x[pts, 1] = res.x
        status[pts] = res.status
        n_iter[pts] = res.n_iter
    conv = status == CONVERGED
    x[~conv] = np.nan
    return SolveResult(x, conv, status, n_iter)


def solve_paramagnet(alpha: np.ndarray, T: np.ndarray) -> SolveResult:
    """Paramagnet ``m = q = 0``, ``C = beta``: closed form, exists for T > 1."""
    alpha = np.asarray(alpha, dtype=float)
    T = np.asarray(T, dtype=float)
    ex = T > 1.0
    x = np.full((alpha.size, 2), np.nan)
    x[ex, 0] = 0.0
    x[ex, 1] = beta_of(T[ex])
    status = np.where(ex, CONVERGED, NO_SOLUTION).astype(np.int8)
    return SolveResult(x, ex.copy(), status, np.zeros(alpha.size, dtype=np.int32))


# ----------------------------------------------------------------------------------------
# observables and stability at a solution
# ----------------------------------------------------------------------------------------
def evaluate(m, C, alpha, T, *, paramagnet: bool = False) -> dict[str, np.ndarray]:
    """Order parameters, free energy and stability eigenvalues at solutions.

    Free energy (AGS 1987, RS free energy per spin), with ``q = 1 - C T``,
    ``p = q / (1 - C)^2`` and ``L = (1/beta) E ln 2cosh(beta(m + sigma z))``:

        f = alpha/2 + m^2/2 + (alpha T / 2) ln(1 - C) - alpha q / (2 (1 - C))
            + alpha p C / 2 - L,

    which is ``alpha/(2 beta) [ln(1 - beta(1-q)) - beta q/(1 - beta(1-q))]
    + alpha beta p (1-q)/2`` rewritten with ``C = beta(1-q)``; at T = 0 the
    ``ln`` term vanishes, ``q = 1`` and ``L = E|m + sigma z|`` (ground-state energy).

    Stability (documented in theory.hopfield.solve): replicon
    ``1 - alpha beta^2 E sech^4 / (1 - C)^2``; longitudinal
    ``lambda_q = 1 - dChat/dC`` at fixed m and
    ``lambda_m = d^2 f_eff / dm^2 = det(J) / lambda_q``.
    """
    m, C, alpha, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (m, C, alpha, T)))
    beta = beta_of(T)
    q = 1.0 - C * T
    with np.errstate(divide="ignore", invalid="ignore"):
        p = q / (1.0 - C) ** 2
        s, ds = sigma_of_C(alpha, T, C)
    s = np.where(q > 0, s, 0.0)
    M = gauss_moments(m, s, beta, with_L=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        logterm = np.where(T > 0, 0.5 * alpha * T * np.log1p(-C), 0.0)
        f = (
            0.5 * alpha
            + 0.5 * m * m
            + logterm
            - 0.5 * alpha * q / (1.0 - C)
            + 0.5 * alpha * p * C
            - M.L
        )
        replicon = 1.0 - alpha * M.S4 / (1.0 - C) ** 2
        if paramagnet:
            lam_q = 1.0 - alpha * beta**2 / (1.0 - beta) ** 2
            lam_m = 1.0 - beta
        else:
            J11 = 1.0 - M.Chat
            J12 = -s * M.Chat_m * ds
            J21 = -M.Chat_m
            J22 = 1.0 - M.Chat_s * ds
            lam_q = J22
            lam_m = (J11 * J22 - J12 * J21) / J22
    return {
        "m": m,
        "q": q,
        "p": p,
        "C": C,
        "f": f,
        "replicon": replicon,
        "lambda_q": np.broadcast_to(lam_q, m.shape).astype(float),
        "lambda_m": np.broadcast_to(lam_m, m.shape).astype(float),
    }
