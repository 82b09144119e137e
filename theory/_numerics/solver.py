"""Vectorised root finders for theory grids (STYLE 6).

All solvers work on many independent problems at once ("points"): the
callback receives the current iterates of the *active* points and their
indices, and returns residuals (and derivatives) for those points only.
Converged points leave the active set, so the cost follows the hard points.
Each point gets a ``converged`` flag, a ``status`` code and an ``n_iter``
count; the result for a point does not depend on which other points were
solved with it (a test checks that the vectorised call equals a loop of
scalar calls).

Status codes (shared by every theory module)
--------------------------------------------
0 ``CONVERGED``
    the tolerance was reached (closed-form results also carry 0).
1 ``MAXITER``
    the iteration limit was reached first.
2 ``NONFINITE``
    a residual or Jacobian was not finite, or the Jacobian was singular,
    and no fallback recovered.
3 ``NO_SOLUTION``
    the solution does not exist at this point (the branch is absent; certified
    by the caller, e.g. a load above the spinodal or a bracket without a sign change).
4 ``WRONG_ROOT``
    an iteration converged, but to a solution of another branch (for example
    the retrieval iteration collapsed onto m = 0) and no fallback recovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "annotate",
    "CONVERGED",
    "MAXITER",
    "NONFINITE",
    "NO_SOLUTION",
    "WRONG_ROOT",
    "CONTINUATION_ENDED",
    "STATUS_MEANINGS",
    "flag_status",
    "SolveResult",
    "newton",
    "fixed_point",
    "bracket_root",
]

CONVERGED, MAXITER, NONFINITE, NO_SOLUTION, WRONG_ROOT, CONTINUATION_ENDED = 0, 1, 2, 3, 4, 5

#: The one status vocabulary of every theory family (written into each Dataset's
#: ``status`` attrs as CF ``flag_values`` / ``flag_meanings`` by :func:`flag_status`).
STATUS_MEANINGS = {
    CONVERGED: "converged",
    MAXITER: "iteration limit reached",
    NONFINITE: "non-finite residual or singular Jacobian",
    NO_SOLUTION: "branch does not exist here",
    WRONG_ROOT: "iteration reached another branch",
    CONTINUATION_ENDED: "continuation ended before the target",
}


def annotate(ds: Any, extra: dict[str, tuple[str, str]]) -> Any:
    """Set CF ``long_name``/``units`` of the variables in ``extra`` (name -> (long_name,
    units)) that ``ds`` has, and the CF ``flag_values``/``flag_meanings`` of its
    ``status`` (:data:`STATUS_MEANINGS`). Returns ``ds``, modified in place."""
    for name, (ln, units) in extra.items():
        if name in ds.variables:
            ds[name].attrs.setdefault("long_name", ln)
            ds[name].attrs.setdefault("units", units)
    return flag_status(ds)


def flag_status(ds: Any) -> Any:
    """Write the CF ``flag_values``/``flag_meanings`` of :data:`STATUS_MEANINGS` into
    ``ds['status']`` (where there is one). Returns ``ds``, modified in place."""
    if "status" in ds:
        ds["status"].attrs["flag_values"] = np.array(sorted(STATUS_MEANINGS), dtype=np.int8)
        ds["status"].attrs["flag_meanings"] = " ".join(
            STATUS_MEANINGS[k].replace(" ", "_").replace("-", "_") for k in sorted(STATUS_MEANINGS))
    return ds


@dataclass
class SolveResult:
    """Per-point outcome of a vectorised solve.

    Attributes
    ----------
    x : ndarray
        Solutions, shape ``(n,)`` or ``(n, d)``; last iterate where not converged.
    converged : ndarray of bool
    status : ndarray of int8
        Codes listed in the module docstring.
    n_iter : ndarray of int32
        Iterations (callback evaluations that moved the point).
    """

    x: np.ndarray
    converged: np.ndarray
    status: np.ndarray
    n_iter: np.ndarray


# Callback types: (x_active, idx) -> (F, J) with F (k, d), J (k, d, d)
NewtonFun = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def newton(
    fun: NewtonFun,
    x0: np.ndarray,
    *,
    feasible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    xtol: float = 1e-13,
    maxiter: int = 60,
    max_halvings: int = 30,
    floor: Callable[[np.ndarray], np.ndarray] | None = None,
    speculate: int = 1,
) -> SolveResult:
    """Damped Newton iteration for many independent d-dimensional systems.

    Each step solves ``J dx = -F`` and backtracks (halving the step) until the
    trial point is feasible and the merit ``|F|^2`` decreases (Armijo with
    constant 1e-4).  A point converges when its full Newton step is below
    ``xtol * (1 + |x|)`` in the max norm (the error is then of order
    ``|dx|^2``), or when its residual is exactly zero.

    Parameters
    ----------
    fun : callable
        ``fun(x, idx) -> (F, J)`` for the active points ``idx`` (``x`` of shape
        ``(k, d)``); ``F`` has shape ``(k, d)`` and ``J`` ``(k, d, d)``.
    x0 : ndarray, shape (n, d)
        Starting points.
    feasible : callable, optional
        ``feasible(x, idx) -> bool array``; infeasible trials are halved.
    xtol : float
        Step tolerance.
    maxiter : int
        Newton iterations per point.
    max_halvings : int
        Backtracking halvings before the point is declared NONFINITE.
    floor : callable, optional
        ``floor(J) -> (k,)``: a relative step size per point below which the step is
        round-off (e.g. ``eps cond(J)``); a step below ``max(xtol, floor)`` is taken and the
        point converged, instead of a line search that can only stall on noise.
    speculate : int
        Step lengths tried in one call of ``fun`` once the full step has failed: ``lam``,
        ``lam/2``, ... ``lam/2^(speculate-1)``, the longest acceptable one taken.  The
        result is that of one halving a call (each row is evaluated on its own); where a
        call costs far more than a row (closed forms, single averages), fewer calls are
        faster.
    """
    x = np.array(x0, dtype=float, copy=True)
    n, d = x.shape
    status = np.full(n, MAXITER, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    active = np.arange(n)
    F, J = fun(x[active], active)
    for _ in range(maxiter):
        if active.size == 0:
            break
        bad = ~(np.isfinite(F).all(axis=1) & np.isfinite(J).reshape(len(active), -1).all(axis=1))
        with np.errstate(all="ignore"):
            det_ok = np.abs(np.linalg.det(np.where(bad[:, None, None], np.eye(d), J))) > 0
        bad |= ~det_ok
        status[active[bad]] = NONFINITE
        keep = ~bad
        active, F, J = active[keep], F[keep], J[keep]
        if active.size == 0:
            break
        dx = -np.linalg.solve(J, F[..., None])[..., 0]
        xa = x[active]
        merit = np.sum(F * F, axis=1)
        zero = merit == 0.0
        tol = xtol if floor is None else np.maximum(xtol, floor(J))
        small = np.max(np.abs(dx), axis=1) <= tol * (1.0 + np.max(np.abs(xa), axis=1))
        done = zero | small
        x[active[small & ~zero]] += dx[small & ~zero]
        n_iter[active] += 1
        status[active[done]] = CONVERGED
        go = ~done
        active, xa, dx, merit, F = active[go], xa[go], dx[go], merit[go], F[go]
        if active.size == 0:
            break
        # backtracking line search on the rows still moving
        lam = np.ones(active.size)
        newF = np.empty_like(F)
        newJ = np.empty((active.size, d, d))
        pending = np.arange(active.size)
        h = 0
        while h <= max_halvings:
            # the full step alone; after it, up to `speculate` halvings per call
            nb = 1 if h == 0 else min(speculate, max_halvings + 1 - h)
            p = pending.size
            lam_t = lam[pending, None] * 0.5 ** np.arange(nb)[None, :]
            xt = (xa[pending, None, :] + lam_t[..., None] * dx[pending, None, :]).reshape(-1, d)
            rows = np.repeat(active[pending], nb)
            ok = np.ones(p * nb, dtype=bool)
            if feasible is not None:
                ok &= feasible(xt, rows)
            Ft = np.full((p * nb, d), np.nan)
            Jt = np.full((p * nb, d, d), np.nan)
            if ok.any():
                Ft[ok], Jt[ok] = fun(xt[ok], rows[ok])
            mt = np.sum(Ft * Ft, axis=1)
            with np.errstate(invalid="ignore"):
                ok &= np.isfinite(mt) & (mt <= np.repeat(merit[pending], nb)
                                         * (1.0 - 1e-4 * lam_t.ravel()))
            ok = ok.reshape(p, nb)
            hit = ok.any(axis=1)
            pick = np.flatnonzero(hit) * nb + np.argmax(ok[hit], axis=1)
            acc = pending[hit]
            x[active[acc]] = xt[pick]
            newF[acc], newJ[acc] = Ft[pick], Jt[pick]
            pending = pending[~hit]
            h += nb
            if pending.size == 0:
                break
            lam[pending] *= 0.5**nb
        if pending.size:
            status[active[pending]] = NONFINITE
            keep = np.ones(active.size, dtype=bool)
            keep[pending] = False
            active, newF, newJ = active[keep], newF[keep], newJ[keep]
        F, J = newF, newJ
    converged = status == CONVERGED
    return SolveResult(x, converged, status, n_iter)


def fixed_point(
    fun: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x0: np.ndarray,
    *,
    omega: float = 0.5,
    xtol: float = 1e-12,
    maxiter: int = 2000,
    feasible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> SolveResult:
    """Damped fixed-point iteration ``x <- x - omega F(x)`` for ``F = x - G(x)``.

    The fallback for points where Newton's Jacobian is singular or not finite.
    It converges only to attracting fixed points of ``G`` (linear rate) and is
    used as a starting point for a final Newton polish by the callers.
    ``fun(x, idx) -> F`` with ``x`` of shape ``(k, d)``.  Infeasible updates are
    shortened by halving.
    """
    x = np.array(x0, dtype=float, copy=True)
    n = x.shape[0]
    status = np.full(n, MAXITER, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    active = np.arange(n)
    for _ in range(maxiter):
        if active.size == 0:
            break
        F = fun(x[active], active)
        bad = ~np.isfinite(F).all(axis=1)
        status[active[bad]] = NONFINITE
        active, F = active[~bad], F[~bad]
        step = -omega * F
        if feasible is not None:
            for _h in range(40):
                ok = feasible(x[active] + step, active)
                if ok.all():
                    break
                step[~ok] *= 0.5
        x[active] += step
        n_iter[active] += 1
        done = np.max(np.abs(step), axis=1) <= xtol * omega
        status[active[done]] = CONVERGED
        active = active[~done]
    return SolveResult(x, status == CONVERGED, status, n_iter)


def bracket_root(
    fun: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray | None]],
    a: np.ndarray,
    b: np.ndarray,
    sa: np.ndarray,
    *,
    fa: np.ndarray | None = None,
    fb: np.ndarray | None = None,
    xtol: float = 1e-14,
    rtol: float = 4e-16,
    maxiter: int = 200,
) -> SolveResult:
    """Safeguarded scalar root finding in brackets ``[a, b]``, vectorised.

    The bracket keeps a sign change: ``sign g(a) = sa`` and ``sign g(b) = -sa``
    (the sign at an end may be known without evaluating there, e.g. next to a
    trivial root).  Each step tries Newton from the last point when the
    callback returns a derivative, else Illinois regula falsi from the end
    values when both are known, and falls back to bisection whenever the
    trial leaves the bracket or the bracket did not at least halve in two
    steps.  Converged when the bracket is shorter than ``xtol + rtol |x|`` or
    ``g = 0`` exactly.

    Parameters
    ----------
    fun : callable
        ``fun(x, idx) -> (g, dg)`` with ``dg`` None for derivative-free use.
    a, b : ndarray
        Bracket ends (``a < b``).
    sa : ndarray
        Sign (+1/-1) of ``g`` at ``a``.
    fa, fb : ndarray, optional
        Values at the ends where known (NaN where unknown).
    """
    a = np.array(a, dtype=float, copy=True)
    b = np.array(b, dtype=float, copy=True)
    n = a.size
    sa = np.sign(np.asarray(sa, dtype=float)).copy()
    fa = np.full(n, np.nan) if fa is None else np.array(fa, dtype=float, copy=True)
    fb = np.full(n, np.nan) if fb is None else np.array(fb, dtype=float, copy=True)
    side = np.zeros(n, dtype=np.int8)  # Illinois: which end was kept twice
    x = 0.5 * (a + b)
    gx = np.full(n, np.nan)
    dgx = np.full(n, np.nan)
    status = np.full(n, MAXITER, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    width0 = b - a
    active = np.arange(n)
    first = True
    for it in range(maxiter):
        if active.size == 0:
            break
        ia = active
        A, B = a[ia], b[ia]
        if first:
            xn = 0.5 * (A + B)
            first = False
        else:
            xn = 0.5 * (A + B)
            # Newton from the last point
            with np.errstate(all="ignore"):
                xnew = x[ia] - gx[ia] / dgx[ia]
            okn = np.isfinite(xnew) & (xnew > A) & (xnew < B)
            # Illinois regula falsi where both end values are known
            FA, FB = fa[ia], fb[ia]
            with np.errstate(all="ignore"):
                xrf = (A * FB - B * FA) / (FB - FA)
            okr = np.isfinite(xrf) & (xrf > A) & (xrf < B)
            cand = np.where(okn, xnew, np.where(okr, xrf, xn))
            # safeguard: bisect every third step if the bracket shrinks slowly
            slow = (B - A) > 0.5 * width0[ia]
            width0[ia] = np.where(it % 3 == 0, B - A, width0[ia])
            xn = np.where(slow & (it % 3 == 0), xn, cand)
        g, dg = fun(xn, ia)
        g = np.asarray(g, dtype=float)
        n_iter[ia] += 1
        bad = ~np.isfinite(g)
        status[ia[bad]] = NONFINITE
        x[ia], gx[ia] = xn, g
        dgx[ia] = np.nan if dg is None else dg
        exact = g == 0.0
        same_as_a = np.sign(g) == sa[ia]
        # update the bracket
        upd_a = ~bad & ~exact & same_as_a
        upd_b = ~bad & ~exact & ~same_as_a
        ja, jb = ia[upd_a], ia[upd_b]
        a[ja], fa[ja] = xn[upd_a], g[upd_a]
        b[jb], fb[jb] = xn[upd_b], g[upd_b]
        # Illinois: halve the retained end value when one end is kept twice
        fb[ja] = np.where(side[ja] == 1, 0.5 * fb[ja], fb[ja])
        fa[jb] = np.where(side[jb] == -1, 0.5 * fa[jb], fa[jb])
        side[ja], side[jb] = 1, -1
        tol = xtol + rtol * np.abs(xn)
        tiny = (b[ia] - a[ia]) <= tol
        with np.errstate(all="ignore"):
            nstep = np.abs(g / dgx[ia])
        newton_done = ~tiny & (nstep <= tol)
        done = ~bad & (exact | tiny | newton_done)
        jt = ia[tiny & ~exact]
        x[jt] = 0.5 * (a[jt] + b[jt])
        jn = ia[newton_done & ~exact]
        x[jn] = xn[newton_done & ~exact] - g[newton_done & ~exact] / dgx[jn]
        status[ia[done]] = CONVERGED
        active = ia[~done & ~bad]
    return SolveResult(x, status == CONVERGED, status, n_iter)
