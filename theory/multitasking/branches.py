"""Solution branches of the low-storage multitasking equations (private).

Every function works on a :class:`~theory.multitasking.tables.SiteTable` whose
weight rows are the grid points, and is vectorised over them. Status codes are the
theory's one vocabulary (:data:`theory._numerics.solver.STATUS_MEANINGS`):

* ``CONVERGED`` (0);
* ``MAXITER`` (1), iteration limit reached;
* ``NO_SOLUTION`` (3), the branch does not exist here (no nontrivial symmetric root,
  ``beta (1-d) <= 1``; or no hierarchical state at T = 0 to continue from);
* ``CONTINUATION_ENDED`` (5), continuation in T ended before the target temperature (the
  branch folds or loses stability there).
"""

from __future__ import annotations

import numpy as np

from .._numerics.solver import CONTINUATION_ENDED, CONVERGED, MAXITER, NO_SOLUTION
from .tables import SiteTable, averages
from .zero import canonical, iterate_zero_map

__all__ = ["symmetric_branch", "hierarchical_branch", "relax", "equilibrium", "classify",
           "min_eigenvalue"]

STAB_EPS = 1e-9  # Hessian eigenvalues above this count as positive


def min_eigenvalue(table: SiteTable, p: np.ndarray, T: np.ndarray, rows: np.ndarray
                   ) -> np.ndarray:
    """Smallest Hessian eigenvalue of ``f`` at ``p``; ``-inf`` at T = 0 with a tie."""
    av = averages(table, p, T, hessian=True, rows=rows)
    lam = np.linalg.eigvalsh(av.hess)[:, 0]
    return np.where(av.tie, -np.inf, lam)


def symmetric_branch(table: SiteTable, n: int, T: np.ndarray, rows: np.ndarray,
                     tol: float = 1e-14, max_iter: int = 100) -> dict[str, np.ndarray]:
    """Symmetric n-pattern state ``p = x (1, .., 1, 0, .., 0)`` (n ones), x > 0.

    ``x = g(x) = E[a_1 tanh(beta x S_n)]``, ``S_n = a_1 + .. + a_n``; by
    exchangeability ``g(x) = E[S_n tanh(beta x S_n)]/n`` is concave in x with
    ``g'(0) = beta E[a_1^2] = beta (1 - d)``, so a positive root exists iff
    ``beta (1-d) > 1`` and is unique. Newton from ``x0 = E|a_1| >= g(x)`` (where
    ``x - g(x) >= 0``) converges monotonically to it (convex residual). Near the
    critical temperature the slope ``1 - g'`` at the root is tiny and a rounding-size
    residual could throw a step out of the bracket, so the iteration is safeguarded:
    it keeps ``(lo, hi)`` with ``x - g(x) < 0`` at lo (``lo = 0`` at the start) and
    ``>= 0`` at hi, and bisects whenever a Newton step leaves it. At T = 0 the root is
    ``x = E[a_1 sign(S_n)]`` in one evaluation.
    """
    G = rows.size
    K = table.K
    v = np.zeros(K)
    v[:n] = 1.0
    T = np.asarray(T, dtype=np.float64)
    x = (table.W[rows] @ np.abs(table.A[:, 0])).copy()  # E|a_1|
    ea2 = table.W[rows] @ table.A[:, 0] ** 2  # 1 - d
    exists = (T == 0) | (ea2 > T)
    status = np.where(exists, MAXITER, NO_SOLUTION)
    n_iter = np.zeros(G, dtype=np.int64)
    cold = T == 0
    if cold.any():
        av = averages(table, x[cold, None] * v, T[cold], rows=rows[cold])
        x[cold] = av.F[:, 0]
        status[cold] = CONVERGED
    act = np.flatnonzero(exists & ~cold)
    lo, hi = np.zeros(G), x.copy()
    for it in range(max_iter):
        if act.size == 0:
            break
        av = averages(table, x[act, None] * v, T[act], hessian=True, rows=rows[act])
        g = av.F[:, 0]
        dg = (np.eye(K)[None, 0, :] - av.hess[:, 0, :]) @ v  # g'(x)
        res = x[act] - g
        xa = x[act]
        pos = res >= 0
        hi[act] = np.where(pos, xa, hi[act])
        lo[act] = np.where(pos, lo[act], xa)
        slope = 1.0 - dg
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(slope > 0, xa - res / np.where(slope > 0, slope, 1.0), np.nan)
        out = ~((new > lo[act]) & (new < hi[act]))  # outside the bracket (or NaN): bisect
        new = np.where(out, 0.5 * (lo[act] + hi[act]), new)
        step = new - xa
        x[act] = new
        n_iter[act] = it + 1
        done = (np.abs(step) <= tol * (1.0 + np.abs(new))) | (hi[act] - lo[act] <= tol * hi[act])
        status[act[done]] = CONVERGED
        act = act[~done]
    x = np.where(exists, x, np.nan)
    return {"p": x[:, None] * v[None, :], "status": status, "n_iter": n_iter}


def newton(table: SiteTable, p: np.ndarray, T: np.ndarray, rows: np.ndarray,
           tol: float = 1e-13, max_iter: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton iterations on ``p = F(p)`` (T > 0); returns ``p``, converged, n_iter."""
    p = np.array(p, dtype=np.float64)
    G = p.shape[0]
    ok = np.zeros(G, dtype=bool)
    n_iter = np.zeros(G, dtype=np.int64)
    act = np.arange(G)
    for it in range(max_iter):
        if act.size == 0:
            break
        av = averages(table, p[act], T[act], hessian=True, rows=rows[act])
        res = p[act] - av.F
        try:
            step = np.linalg.solve(av.hess, res[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(h, g, rcond=None)[0]
                             for h, g in zip(av.hess, res, strict=True)])
        bad = ~np.isfinite(step).all(1)
        step[bad] = res[bad]
        p[act] -= step
        n_iter[act] = it + 1
        # converged: a negligible step, or a residual at rounding level (next to a
        # pitchfork the Hessian is nearly singular and rounding keeps the step above tol)
        done = (np.abs(step).max(1) <= tol * (1.0 + np.abs(p[act]).max(1))) \
            | (np.abs(res).max(1) <= 1e-15 * (1.0 + np.abs(p[act]).max(1)))
        ok[act[done]] = True
        act = act[~done & np.isfinite(p[act]).all(1) & (np.abs(p[act]).max(1) < 1e3)]
    return p, ok, n_iter


def _zero_small(p: np.ndarray, rel: float = 1e-10, abs_: float = 1e-10) -> np.ndarray:
    """Set to zero the overlaps below ``rel`` times the largest one or below ``abs_``."""
    q = np.abs(p)
    return np.where(q <= np.maximum(rel * q.max(-1, keepdims=True), abs_), 0.0, p)


def hierarchical_branch(table: SiteTable, p0: np.ndarray, T: np.ndarray, rows: np.ndarray,
                        max_steps: int = 2000) -> dict[str, np.ndarray]:
    """Continue the T = 0 state ``p0`` (NaN rows: none) in temperature up to ``T``.

    The T = 0 state is exact below ``T_s = margin/40`` (``margin`` the smallest
    nonzero ``|a.p0|``: corrections are ``O(exp(-80))``); from there the temperature
    grows geometrically, each step solved by Newton from the previous solution and
    accepted only if the Hessian stays positive definite; a failed step is retried
    with the ratio square-rooted, and the continuation ends (``CONTINUATION_ENDED``) when the
    ratio falls below ``1 + 1e-7``. Overlaps that reach zero (a supercritical
    pitchfork where a pattern leaves the hierarchy) are set to zero exactly; the
    zero subspace is invariant. Because the state starts stable (Hessian = 1 at
    T = 0) and the Hessian is continuous along the branch, the continued branch is
    stable wherever it exists.
    """
    G, K = p0.shape
    T = np.asarray(T, dtype=np.float64)
    p = np.array(p0, dtype=np.float64)
    exists = np.isfinite(p).all(1)
    status = np.where(exists, CONVERGED, NO_SOLUTION)
    n_iter = np.zeros(G, dtype=np.int64)
    H = np.where(exists[:, None], p, 0.0) @ table.A.T
    Wr = table.W[rows]
    big = np.where((Wr > 0) & (np.abs(table.A).sum(1) > 0)[None] & (np.abs(H) > 1e-12), np.abs(H),
                   np.inf)
    margin = big.min(1)
    Tcur = np.minimum(T, margin / 40.0)
    ratio = np.full(G, 1.3)
    act = np.flatnonzero(exists & (T > 0))
    steps = 0
    while act.size and steps < max_steps:  # noqa: B007 (steps bounds the loop)
        steps += 1
        Tn = np.minimum(Tcur[act] * ratio[act], T[act])
        q, ok, it = newton(table, p[act], Tn, rows[act])
        q = _zero_small(q)
        n_iter[act] += it
        # continuity: a step may not jump to another branch (at most 10% of the state)
        jump = np.abs(q - p[act]).max(1) > 0.1 * np.abs(p[act]).max(1)
        good = ok & ~jump
        if good.any():
            lam = min_eigenvalue(table, q[good], Tn[good], rows[act][good])
            good[np.flatnonzero(good)] = lam > STAB_EPS
        acc = act[good]
        p[acc] = q[good]
        Tcur[acc] = Tn[good]
        ratio[acc] = np.minimum(ratio[acc] ** 1.5, 2.0)
        rej = act[~good]
        ratio[rej] = np.sqrt(ratio[rej])
        ended = rej[ratio[rej] < 1.0 + 1e-7]
        status[ended] = CONTINUATION_ENDED
        act = act[(Tcur[act] < T[act]) & (status[act] == CONVERGED)]
    status[act] = MAXITER
    p[status != CONVERGED] = np.nan
    return {"p": p, "status": status, "n_iter": n_iter, "T_reached": Tcur}


def relax(table: SiteTable, p: np.ndarray, T: np.ndarray, rows: np.ndarray, n_mm: int = 60
          ) -> tuple[np.ndarray, np.ndarray]:
    """Descend from ``p`` to a local minimum of f: fixed-point (majorisation) steps, then Newton.

    ``p <- F(p)`` never raises ``f`` (``T E ln 2cosh(beta a.p)`` is convex, so
    ``f(p') <= |p'|^2/2 - phi(p) - F(p).(p' - p)``, minimised at ``p' = F(p)``).
    A Newton run that ends on a saddle is restarted a step ``1e-3 max|p|`` along the
    unstable eigenvector (up to three times). Returns the points and whether each is a
    converged local minimum.
    """
    p = np.array(p, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    cold = T == 0
    if cold.any():
        q, ok0, tie = iterate_zero_map(table, p[cold], rows=rows[cold])
        p[cold] = q
    hot = np.flatnonzero(~cold)
    for _ in range(n_mm):
        if hot.size == 0:
            break
        p[hot] = averages(table, p[hot], T[hot], rows=rows[hot]).F
    ok = np.zeros(p.shape[0], dtype=bool)
    todo = hot
    for attempt in range(4):
        if todo.size == 0:
            break
        q, conv, _ = newton(table, p[todo], T[todo], rows[todo])
        q = _zero_small(q)
        p[todo] = q
        lam = np.full(todo.size, -np.inf)
        vec = np.zeros((todo.size, p.shape[1]))
        if conv.any():
            av = averages(table, q[conv], T[todo][conv], hessian=True, rows=rows[todo][conv])
            w, v = np.linalg.eigh(av.hess)
            lam[conv], vec[conv] = w[:, 0], v[:, :, 0]
        ok[todo] = conv & (lam > STAB_EPS)
        # Newton converged to a saddle (e.g. the pure state next to the pitchfork where
        # a pattern enters the hierarchy, where fixed-point steps are too slow): restart
        # a finite step along the unstable direction, from where Newton reaches the minimum
        saddle = conv & np.isfinite(lam) & (lam < -STAB_EPS)
        todo = todo[saddle]
        if attempt < 3 and todo.size:
            amp = 1e-3 * np.maximum(np.abs(p[todo]).max(1), 1e-3)
            p[todo] = p[todo] + amp[:, None] * vec[saddle]
    if cold.any():
        ok[cold] = ok0 & ~tie
    return p, ok


def equilibrium(table: SiteTable, T: np.ndarray, rows: np.ndarray, seeds: list[np.ndarray],
                n_random: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Lowest local minimum of f found from ``seeds`` and random starts, per grid point.

    ``seeds``: arrays (G, S_i, K) of starting points (NaN rows ignored). Random
    starts are uniform on the positive ordered part of the sphere of radius
    ``E|a_1|``. Returns ``p``, ``f`` and the number of distinct minima found.
    """
    G, K = rows.size, table.K
    scale = table.W[rows] @ np.abs(table.A[:, 0])
    R = np.abs(rng.normal(size=(G, n_random, K)))
    R *= (scale[:, None] / np.linalg.norm(R, axis=-1))[..., None]
    starts = np.concatenate([s for s in seeds] + [R], axis=1)  # (G, S, K)
    S = starts.shape[1]
    flat = starts.reshape(G * S, K)
    rr = np.repeat(rows, S)
    TT = np.repeat(np.asarray(T, dtype=np.float64), S)
    good = np.isfinite(flat).all(1)
    p = np.full_like(flat, np.nan)
    ok = np.zeros(G * S, dtype=bool)
    if good.any():
        p[good], ok[good] = relax(table, flat[good], TT[good], rr[good])
    f = np.full(G * S, np.inf)
    if ok.any():
        f[ok] = averages(table, p[ok], TT[ok], rows=rr[ok]).f
    f = f.reshape(G, S)
    p = p.reshape(G, S, K)
    # the paramagnet p = 0 is a stationary point; a candidate when (marginally) stable
    T = np.asarray(T, dtype=np.float64)
    para = (T > 0) & (table.W[rows] @ table.A[:, 0] ** 2 <= T * (1 + 1e-12))
    f = np.concatenate([f, np.where(para, -T * np.log(2.0), np.inf)[:, None]], axis=1)
    p = np.concatenate([p, np.zeros((G, 1, K))], axis=1)
    best = np.argmin(f, axis=1)
    pb = canonical(p[np.arange(G), best])
    fb = f[np.arange(G), best]
    n_min = np.array([np.unique(np.round(canonical(p[g][np.isfinite(f[g])]), 8), axis=0).shape[0]
                      for g in range(G)])
    found = np.isfinite(fb)
    return {"p": np.where(found[:, None], pb, np.nan), "f": np.where(found, fb, np.nan),
            "n_minima": n_min, "found": found}


def classify(p: np.ndarray, zero: float = 1e-9, rtol: float = 1e-6) -> np.ndarray:
    """Regime label of each state ``p`` (G, K) by its structure (:func:`theory.multitasking.solve`).

    With ``q`` the sorted absolute overlaps and ``n`` the number of nonzero ones
    (``q_k > zero q_1``): ``paramagnet`` (n = 0), ``pure`` (n = 1), ``parallel``
    (n = K, all equal to ``rtol``), ``mixture<n>`` (n < K equal nonzero ones),
    ``hierarchical`` (``q_k > sum_(l>k) q_l`` for every k < n), otherwise ``other``;
    ``''`` for NaN.
    """
    p = np.atleast_2d(p)
    K = p.shape[1]
    out = np.empty(p.shape[0], dtype=object)
    for g, row in enumerate(p):
        if not np.isfinite(row).all():
            out[g] = ""
            continue
        q = canonical(row)
        top = q[0]
        n = int((q > zero * max(top, 1e-300)).sum()) if top > 1e-12 else 0
        q = q[:n]
        if n == 0:
            out[g] = "paramagnet"
        elif n == 1:
            out[g] = "pure"
        elif q[0] - q[-1] <= rtol * top:
            out[g] = "parallel" if n == K else f"mixture{n}"
        elif all(q[k] > q[k + 1:].sum() * (1 + rtol) for k in range(n - 1)):
            out[g] = "hierarchical"
        else:
            out[g] = "other"
    return out.astype(str)
