"""Transition lines of the RS Hopfield phase diagram (private engine of theory.hopfield).

All lines are roots in T found by the vectorised bracketed solver of
theory._numerics.solver (Illinois iteration from brackets with known end values),
for all requested alphas at once.
"""

from __future__ import annotations

import numpy as np

from .._numerics.quadrature import gauss_moments
from .._numerics.solver import bracket_root
from . import rs

__all__ = [
    "lines",
    "spin_glass_temperature",
    "spinodal_temperature",
    "first_order_temperature",
    "first_order_curve",
    "at_temperature",
]

#: q at which the RS q-map is linearised to locate T_g.
Q0 = 1e-14
#: T table on which alpha_c(T) is tabulated before refining T_M (dense near T = 0,
#: where RS alpha_c(T) is reentrant).
_T_TABLE = np.concatenate([np.linspace(0.0, 0.1, 21), np.linspace(0.1, 1.0, 46)[1:]])


def spin_glass_temperature(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """T_g: root in T of ``Q(q0)/q0 - 1`` at m = 0 (bifurcation of q > 0 from q = 0).

    ``Q(q) = E tanh^2(beta sigma(q) z)`` with ``sigma(q)^2 = alpha q / (1 - beta (1-q))^2``
    is the RS q-map, computed by quadrature; at ``q0 = 1e-14`` the ratio equals its
    q -> 0 slope to ~1e-14.  Bracket ``1 + 1e-3 sqrt(alpha) < T < 1 + 10 sqrt(alpha)``.
    """
    alpha = np.asarray(alpha, dtype=float)
    z = np.zeros(alpha.size)

    def phi(T, j):
        beta = 1.0 / T
        s = np.sqrt(alpha[j] * Q0) / (1.0 - beta * (1.0 - Q0))
        return gauss_moments(z[j], s, beta).Q / Q0 - 1.0

    lo = 1.0 + 1e-3 * np.sqrt(alpha)
    hi = 1.0 + 10.0 * np.sqrt(alpha)
    idx = np.arange(alpha.size)
    res = bracket_root(
        lambda T, j: (phi(T, j), None),
        lo,
        hi,
        np.ones(alpha.size),
        fa=phi(lo, idx),
        fb=phi(hi, idx),
        xtol=1e-15,
        rtol=1e-15,
    )
    return res.x, res.converged


def spinodal_temperature(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """T_M: the largest T with ``alpha_c(T) >= alpha`` (retrieval spinodal)."""
    alpha = np.asarray(alpha, dtype=float)
    Tt = _T_TABLE
    act = rs.capacity(Tt, n_scan=16)["alpha_c"]
    above = act[None, :] >= alpha[:, None]
    has = above.any(axis=1)
    TM = np.full(alpha.size, np.nan)
    conv = np.zeros(alpha.size, dtype=bool)
    idx = np.flatnonzero(has)
    if idx.size == 0:
        return TM, conv
    j = Tt.size - 1 - np.argmax(above[idx, ::-1], axis=1)  # last table T with a solution
    j = np.minimum(j, Tt.size - 2)
    a = alpha[idx]

    def g(T, k):
        return rs.capacity(T, n_scan=16)["alpha_c"] - a[k], None

    res = bracket_root(
        g,
        Tt[j],
        Tt[j + 1],
        np.ones(idx.size),
        fa=act[j] - a,
        fb=act[j + 1] - a,
        xtol=1e-13,
        rtol=1e-13,
    )
    # the bracket's lower end keeps alpha_c >= alpha; report it (within 1e-13 of the root)
    TM[idx] = res.x
    conv[idx] = res.converged
    return TM, conv


def _branch(alpha, T):
    """f and replicon of the retrieval and spin-glass branches at points."""
    r, _ = rs.solve_retrieval(alpha, T)
    s = rs.solve_spin_glass(alpha, T)
    er = rs.evaluate(r.x[:, 0], r.x[:, 1], alpha, T)
    es = rs.evaluate(s.x[:, 0], s.x[:, 1], alpha, T)
    return er, es


def first_order_temperature(
    alpha: np.ndarray, TM: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """T_c (and its reentrant lower edge) from ``f_retrieval = f_spin_glass`` on ``[0, T_M)``.

    The RS difference ``f_R - f_SG`` is scanned on ``T = 0, 0.025, ...`` below T_M and
    each change of sign is refined by Illinois iteration.  ``T_c`` is the highest
    crossing (retrieval global below it).  Because the RS spin glass has a negative
    entropy at T = 0, ``f_SG`` rises with T and the crossing is reentrant: for
    ``0.05185 < alpha < ~0.0532`` retrieval is global only for ``T_c_low < T < T_c``;
    ``T_c_low`` (NaN elsewhere) goes to 0 at alpha = 0.05185, where the T = 0 energies
    cross.  Crossings closer together than the scan step (0.025) are not resolved.
    """
    alpha = np.asarray(alpha, dtype=float)
    n = alpha.size
    Tc = np.full(n, np.nan)
    Tlow = np.full(n, np.nan)
    conv = np.zeros(n, dtype=bool)
    conv_low = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(np.isfinite(TM))
    if cand.size == 0:
        return Tc, conv, Tlow, conv_low
    grid = np.linspace(0.0, 1.0, 41)[:-1]
    a = alpha[cand]
    hi = TM[cand] * (1.0 - 1e-9)
    Tmat = np.concatenate([np.broadcast_to(grid, (cand.size, grid.size)), hi[:, None]], axis=1)
    valid = Tmat <= hi[:, None]
    Tmat = np.where(valid, Tmat, hi[:, None])  # pad with the end point (repeats are harmless)
    er, es = _branch(np.repeat(a, Tmat.shape[1]), Tmat.ravel())
    d = (er["f"] - es["f"]).reshape(Tmat.shape)
    rows, los, his, flo, fhi, kind = [], [], [], [], [], []
    for i in range(cand.size):
        di, Ti = d[i], Tmat[i]
        up = np.flatnonzero((di[:-1] < 0) & (di[1:] > 0))
        if up.size:
            k = up[-1]
            rows.append(i), los.append(Ti[k]), his.append(Ti[k + 1])
            flo.append(di[k]), fhi.append(di[k + 1]), kind.append(0)
        down = np.flatnonzero((di[:-1] > 0) & (di[1:] < 0))
        if di[0] > 0 and down.size:
            k = down[0]
            rows.append(i), los.append(Ti[k]), his.append(Ti[k + 1])
            flo.append(di[k]), fhi.append(di[k + 1]), kind.append(1)
    if not rows:
        return Tc, conv, Tlow, conv_low
    rows, kind = np.array(rows), np.array(kind)
    aa = a[rows]

    def g(T, k):
        r, s = _branch(aa[k], T)
        return r["f"] - s["f"], None

    flo, fhi = np.array(flo), np.array(fhi)
    res = bracket_root(
        g, np.array(los), np.array(his), np.sign(flo), fa=flo, fb=fhi, xtol=1e-13, rtol=1e-12
    )
    for target, flag, kk in ((Tc, conv, 0), (Tlow, conv_low, 1)):
        sel = kind == kk
        target[cand[rows[sel]]] = res.x[sel]
        flag[cand[rows[sel]]] = res.converged[sel]
    return Tc, conv, Tlow, conv_low


def at_temperature(alpha: np.ndarray, TM: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """T_AT: zero of the retrieval replicon, in log T on ``(0, T_M)``.

    Small-T asymptote (used to bracket, and as the value below 1e-280):
    ``beta^2 E sech^4(beta h) ~ (4/3) beta pdf_h(0)``, so
    ``T_AT ~ (4/3) alpha pdf_h(0) / (1 - C)^2`` at the T = 0 solution.
    """
    alpha = np.asarray(alpha, dtype=float)
    out = np.full(alpha.size, np.nan)
    conv = np.zeros(alpha.size, dtype=bool)
    r0, _ = rs.solve_retrieval(alpha, np.zeros(alpha.size))
    ok0 = r0.converged & np.isfinite(TM)
    idx = np.flatnonzero(ok0)
    if idx.size == 0:
        return out, conv
    m0, C0 = r0.x[idx, 0], r0.x[idx, 1]
    a = alpha[idx]
    s0 = np.sqrt(a) / (1.0 - C0)
    pdf0 = np.exp(-0.5 * (m0 / s0) ** 2) / (s0 * np.sqrt(2.0 * np.pi))
    T_est = (4.0 / 3.0) * a * pdf0 / (1.0 - C0) ** 2
    tiny = T_est < 1e-280
    out[idx[tiny]] = T_est[tiny]
    conv[idx[tiny]] = True
    work = np.flatnonzero(~tiny)
    if work.size == 0:
        return out, conv
    aw = a[work]
    Thi = TM[idx[work]] * (1.0 - 1e-9)

    def lam(T, k):
        er, _ = _branch(aw[k], T)
        return er["replicon"]

    lo = np.log(np.minimum(T_est[work] / 8.0, Thi / 2.0))
    hi = np.log(Thi)
    k_all = np.arange(work.size)
    flo = lam(np.exp(lo), k_all)
    fhi = lam(np.exp(hi), k_all)
    for _ in range(20):  # widen the lower end until the replicon is negative there
        bad = ~(flo < 0)
        if not bad.any():
            break
        lo[bad] -= np.log(16.0)
        flo[bad] = lam(np.exp(lo[bad]), np.flatnonzero(bad))
    good = (flo < 0) & (fhi > 0)
    gi = np.flatnonzero(good)
    if gi.size:
        res = bracket_root(
            lambda x, k: (lam(np.exp(x), gi[k]), None),
            lo[gi],
            hi[gi],
            -np.ones(gi.size),
            fa=flo[gi],
            fb=fhi[gi],
            xtol=1e-13,
            rtol=1e-13,
        )
        out[idx[work[gi]]] = np.exp(res.x)
        conv[idx[work[gi]]] = res.converged
    return out, conv


def lines(alpha: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """All lines; (values, converged) dicts keyed T_g, T_M, T_c, T_c_low, T_AT."""
    Tg, cg = spin_glass_temperature(alpha)
    TM, cm = spinodal_temperature(alpha)
    Tc, cc, Tl, cl = first_order_temperature(alpha, TM)
    Tat, ca = at_temperature(alpha, TM)
    vals = {"T_g": Tg, "T_M": TM, "T_c": Tc, "T_c_low": Tl, "T_AT": Tat}
    conv = {"T_g": cg, "T_M": cm, "T_c": cc, "T_c_low": cl, "T_AT": ca}
    for k in vals:
        vals[k] = np.where(conv[k], vals[k], np.nan)
    return vals, conv


def first_order_curve(n_T: int = 41) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The T_c line as one curve ``alpha*(T)``: the load where retrieval and spin glass have
    equal f, for T from 1 (alpha = 0) down to 0.

    Read as a function of T the line is single valued, so it runs through the nose (near
    alpha = 0.0532, where ``T_c`` and its reentrant lower edge ``T_c_low`` of
    :func:`first_order_temperature` meet) without a fold, and ends on the axis at the load
    where the T = 0 energies cross (0.05185). At each T, ``f_R - f_SG`` is scanned over
    ``alpha`` (NaN where retrieval does not exist) and its change of sign refined by
    Illinois iteration. Returns ``(T, alpha, converged)`` with ``T`` decreasing from 1; the
    first point is ``(1, 0)`` (``T_c(alpha = 0) = 1``, the Curie-Weiss transition).
    """
    T = np.linspace(1.0, 0.0, n_T)[1:]
    scan = np.concatenate([np.geomspace(1e-7, 1e-3, 25)[:-1], np.linspace(1e-3, 0.14, 138)])
    A, TT = np.meshgrid(scan, T, indexing="ij")
    er, es = _branch(A.ravel(), TT.ravel())
    d = (er["f"] - es["f"]).reshape(A.shape)
    lo, hi, flo, fhi, rows = [], [], [], [], []
    for j in range(T.size):
        up = np.flatnonzero((d[:-1, j] < 0) & (d[1:, j] > 0))
        if up.size:
            k = up[0]
            rows.append(j), lo.append(scan[k]), hi.append(scan[k + 1])
            flo.append(d[k, j]), fhi.append(d[k + 1, j])
    alpha = np.full(T.size, np.nan)
    conv = np.zeros(T.size, dtype=bool)
    if rows:
        rows_a = np.array(rows)

        def g(a, k):
            r, s = _branch(a, T[rows_a[k]])
            return r["f"] - s["f"], None

        flo_a = np.array(flo)
        res = bracket_root(g, np.array(lo), np.array(hi), np.sign(flo_a), fa=flo_a,
                           fb=np.array(fhi), xtol=1e-13, rtol=1e-12)
        alpha[rows_a], conv[rows_a] = res.x, res.converged
    return (np.concatenate([[1.0], T]), np.concatenate([[0.0], alpha]),
            np.concatenate([[True], conv]))
