"""One vectorised solver for compiled replica free energies.

* :func:`solve_points` -- damped Newton (:func:`theory._numerics.solver.newton`, Jacobian = the
  derived Hessian) at every point at once; points where it fails get the damped fixed-point
  iteration of the derived maps (:func:`theory._numerics.solver.fixed_point`) and a Newton polish.
  Some order parameters can be held fixed (``fixed``), e.g. ``m = 0`` on a spin-glass branch.
* :func:`continuation` -- natural-parameter continuation along one control for many lines at
  once, with a secant predictor, step halving on failure and branch tracking (an ``accept``
  predicate and a jump test); a line that cannot be continued gets ``NO_SOLUTION`` from
  there on.
* :func:`fold` -- the saddle-node (spinodal) of a branch in a control ``c``: one order
  parameter ``v`` is fixed and ``c`` becomes an unknown, so the branch is the smooth curve
  ``c(v)`` through the fold; its extremum ``dc/dv = 0`` (implicit function theorem) is
  located by the safeguarded bracketing solver of :mod:`theory._numerics.solver`.

Status codes are those of :mod:`theory._numerics.solver` (0 converged, 1 iteration limit,
2 non-finite or singular, 3 no solution, 4 wrong root, 5 continuation ended).  A point's
result does not depend on the other points solved with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from assoc.validation import check_bool, check_int, check_real, check_scalar

from .._numerics.solver import (
    CONVERGED,
    MAXITER,
    NO_SOLUTION,
    NONFINITE,
    WRONG_ROOT,
    SolveResult,
    bracket_root,
    fixed_point,
    newton,
)
from .checks import (
    check_callable,
    check_controls,
    check_fixed,
    check_name,
    check_per_point,
    check_points,
)
from .model import CompiledFreeEnergy, check_compiled

__all__ = ["solve_points", "continuation", "reach_points", "fold", "FoldResult",
           "newton_parameter",
           "optimize_parameter"]

Accept = Callable[[np.ndarray, Mapping[str, np.ndarray]], np.ndarray]


#: Safety factor of the round-off floor of a Newton step, ``ROUNDOFF_FACTOR eps cond(J)``.
ROUNDOFF_FACTOR = 64.0
#: Largest relative step accepted as round-off (a nearly singular Jacobian is not excused).
ROUNDOFF_CAP = 1e-8
#: Residual (max norm) at the round-off noise of a stationarity condition with O(1) terms:
#: where a point's residual is below it, a step up to ``ROUNDOFF_CAP`` is round-off.
RESIDUAL_NOISE = 64 * np.finfo(float).eps
#: Newton budget of one continuation step (iterations, line-search halvings per iteration).
STEP_MAXITER = 12
STEP_HALVINGS = 4
#: Step halvings of :func:`fold`'s march between scan points when Newton fails.
MAX_HALVINGS_FOLD = 4


def _floor(cond: np.ndarray) -> np.ndarray:
    """The relative round-off floor of a Newton step from the condition numbers of its
    Jacobians, ``min(ROUNDOFF_FACTOR eps cond, ROUNDOFF_CAP)`` (non-finite ones give the
    cap)."""
    cond = np.where(np.isfinite(cond), cond, np.inf)
    return np.minimum(ROUNDOFF_FACTOR * np.finfo(float).eps * cond, ROUNDOFF_CAP)


def _roundoff(J: np.ndarray) -> np.ndarray:
    """:func:`_floor` of the Jacobians ``J`` (the ``floor`` of Newton)."""
    with np.errstate(all="ignore"):
        return _floor(np.linalg.cond(J))


#: Step lengths a Newton line search tries per call of a model without nested averages
#: (:func:`theory._numerics.solver.newton`'s ``speculate``).
SPECULATE = 4


def _newton(fun, x0: np.ndarray, *, feasible=None, xtol: float = 1e-13,
            maxiter: int = 60, max_halvings: int = 30, speculate: int = 1) -> SolveResult:
    """:func:`theory._numerics.solver.newton`, with convergence also accepted at the round-off
    floor.

    A Newton step cannot be computed more accurately than about ``eps cond(J) |x|``; when the
    Jacobian is ill-conditioned (the 1RSB q0 direction scales like the Parisi parameter) the
    fixed step tolerance ``xtol`` can lie below that floor, and a line search would only
    stall on round-off.  A step below ``max(xtol, min(ROUNDOFF_FACTOR eps cond(J),
    ROUNDOFF_CAP))`` times ``1 + |x|`` (max norms; :func:`_roundoff`) is therefore taken and
    the point converged (the error left is of the order of the step squared).  A point that
    stopped otherwise (a line search that failed on noise) is re-examined at its final
    iterate by the same test, or, where its residual is at the noise of its terms
    (``RESIDUAL_NOISE``; e.g. the q1 equation of the theta -> 1 spin glass, whose dependence
    on alpha is 1e-8), by a step below ``ROUNDOFF_CAP``; otherwise its status is kept.
    """
    res = newton(fun, x0, feasible=feasible, xtol=xtol, maxiter=maxiter,
                 max_halvings=max_halvings, floor=_roundoff, speculate=speculate)
    bad = np.flatnonzero((res.status != CONVERGED) & np.isfinite(res.x).all(axis=1))
    if bad.size:
        F, J = fun(res.x[bad], bad)
        fin = np.isfinite(F).all(axis=1) & np.isfinite(J).reshape(bad.size, -1).all(axis=1)
        with np.errstate(all="ignore"):
            Jf = np.where(fin[:, None, None], J, np.eye(J.shape[-1]))
            cond = np.linalg.cond(Jf)
            # an SVD condition number can be finite where LU meets an exact zero pivot
            ok = fin & np.isfinite(cond) & (np.abs(np.linalg.det(Jf)) > 0)
            dx = np.full(F.shape, np.inf)
            if ok.any():
                dx[ok] = -np.linalg.solve(Jf[ok], F[ok][..., None])[..., 0]
        tol = np.maximum(xtol, _floor(cond))
        # a residual at the noise of its O(1) terms: the step is round-off, however well
        # conditioned J (a 1 x 1 J of 1e-8 has cond 1, and its step is the noise / 1e-8)
        noise = np.max(np.abs(np.where(fin[:, None], F, np.inf)), axis=1) <= RESIDUAL_NOISE
        tol = np.where(noise, np.maximum(tol, ROUNDOFF_CAP), tol)
        scale = 1.0 + np.max(np.abs(res.x[bad]), axis=1)
        good = ok & (np.max(np.abs(dx), axis=1) <= tol * scale)
        res.status[bad[good]] = CONVERGED
        res.converged[bad[good]] = True
    return res


def _take(controls: Mapping[str, Any], idx: np.ndarray, n: int) -> dict[str, np.ndarray]:
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n,))[idx] for k, v in
            controls.items()}


def _free_index(cf: CompiledFreeEnergy, fixed: Mapping[str, Any] | None, n: int = 1):
    """Free indices, fixed indices and fixed values (arrays of shape (n,))."""
    d = cf.model.dim
    fixed = dict(fixed or {})
    fix_idx = [cf.model.index(k) for k in fixed]  # raises for unknown names
    free = np.array([k for k in range(d) if k not in fix_idx], dtype=int)
    vals = [np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in fixed.values()]
    return free, fix_idx, vals


def solve_points(
    cf: CompiledFreeEnergy,
    x0: np.ndarray,
    controls: Mapping[str, Any],
    *,
    fixed: Mapping[str, float] | None = None,
    accept: Accept | None = None,
    xtol: float = 1e-13,
    maxiter: int = 60,
    max_halvings: int = 30,
    fallback: bool = True,
    fp_omega: float = 0.5,
    fp_maxiter: int = 3000,
) -> SolveResult:
    """Solve the stationarity conditions at n independent points.

    Parameters
    ----------
    cf : CompiledFreeEnergy
    x0 : array (n, d)
        Starting points (all order parameters, fixed ones included).
    controls : mapping name -> array broadcastable to (n,)
    fixed : mapping name -> value or array (n,), optional
        Order parameters held at a value; their equations are dropped.
    accept : callable, optional
        ``accept(x, controls) -> bool (n,)``: the solution belongs to the wanted branch;
        converged points that fail it get status WRONG_ROOT.
    maxiter, max_halvings : int
        Newton iterations and line-search halvings per iteration (see
        :func:`theory._numerics.solver.newton`).
    fallback : bool
        Use the fixed-point iteration where Newton fails.
    """
    cf = check_compiled("cf", cf)
    x0 = check_points("x0", x0, cf.model.dim)
    n, d = x0.shape
    controls = check_controls("controls", controls, cf, n)
    fixed = check_fixed("fixed", fixed, cf, n)
    check_callable("accept", accept)
    xtol = check_scalar("xtol", xtol, low=0.0, low_open=True)
    maxiter = check_int("maxiter", maxiter, low=0)
    max_halvings = check_int("max_halvings", max_halvings, low=0)
    fallback = check_bool("fallback", fallback)
    fp_omega = check_scalar("fp_omega", fp_omega, low=0.0, high=1.0, low_open=True)
    fp_maxiter = check_int("fp_maxiter", fp_maxiter, low=0)
    free, fix_idx, fix_val = _free_index(cf, fixed, n)
    for k, v in zip(fix_idx, fix_val, strict=True):
        x0[:, k] = v

    def full(xf, idx):
        x = np.empty((xf.shape[0], d))
        x[:, free] = xf
        for k, v in zip(fix_idx, fix_val, strict=True):
            x[:, k] = v[idx]
        return x

    def fun(xf, idx):
        g, H = cf.grad_hess(full(xf, idx), _take(controls, idx, n))
        return g[:, free], H[:, free][:, :, free]

    def feasible(xf, idx):
        return cf.constraints_ok(full(xf, idx), _take(controls, idx, n))

    # a call of a model without nested averages costs far more than a row: line searches
    # try SPECULATE step lengths per call (the same result, fewer calls)
    spec = SPECULATE if cf.depth <= 1 else 1
    res = _newton(fun, x0[:, free], feasible=feasible, xtol=xtol, maxiter=maxiter,
                  max_halvings=max_halvings, speculate=spec)
    x = full(res.x, np.arange(n))
    # the last (accepted, below-tolerance) Newton step is not feasibility-checked: project a
    # converged point back onto the bounds it overshot by at most the tolerance
    x[res.converged] = np.clip(x[res.converged], cf.lower, cf.upper)
    status, n_iter = res.status.copy(), res.n_iter.copy()
    bad = np.flatnonzero(status != CONVERGED)
    if fallback and bad.size:
        xb = x0[bad][:, free]

        def fp_fun(xf, j):
            xx = full(xf, bad[j])
            G = cf.fixed_point_map(xx, _take(controls, bad[j], n))
            return (xx - G)[:, free]

        def fp_feasible(xf, j):
            return cf.constraints_ok(full(xf, bad[j]), _take(controls, bad[j], n))

        fp = fixed_point(fp_fun, xb, omega=fp_omega, xtol=1e-10, maxiter=fp_maxiter,
                         feasible=fp_feasible)
        ok = np.flatnonzero(np.isfinite(fp.x).all(axis=1) & (fp.status != NONFINITE))
        if ok.size:
            sub = bad[ok]
            xs = fp.x[ok]

            def fun2(xf, j):
                g, H = cf.grad_hess(full(xf, sub[j]), _take(controls, sub[j], n))
                return g[:, free], H[:, free][:, :, free]

            def feas2(xf, j):
                return cf.constraints_ok(full(xf, sub[j]), _take(controls, sub[j], n))

            pol = _newton(fun2, xs, feasible=feas2, xtol=xtol, maxiter=maxiter, speculate=spec)
            good = pol.converged
            x[sub[good]] = full(pol.x[good], sub[good])
            status[sub[good]] = CONVERGED
            n_iter[sub] += fp.n_iter[ok] + pol.n_iter
    conv = status == CONVERGED
    if accept is not None and conv.any():
        idx = np.flatnonzero(conv)
        okb = np.asarray(accept(x[idx], _take(controls, idx, n)), dtype=bool)
        status[idx[~okb]] = WRONG_ROOT
    conv = status == CONVERGED
    return SolveResult(x, conv, status, n_iter)


def continuation(
    cf: CompiledFreeEnergy,
    x_start: np.ndarray,
    path: np.ndarray,
    control: str,
    other: Mapping[str, Any],
    *,
    fixed: Mapping[str, float] | None = None,
    accept: Accept | None = None,
    max_jump: float = 0.25,
    min_step: float = 1e-6,
    max_substeps: int = 200,
    maxiter: int = STEP_MAXITER,
    max_halvings: int = STEP_HALVINGS,
) -> SolveResult:
    """Follow a branch along ``control`` for L independent lines.

    Parameters
    ----------
    x_start : array (L, d)
        A converged solution at ``path[:, 0]`` for each line.
    path : array (L, K)
        Monotone control values per line; the solution is reported at each.
    control : str
        The control varied along the path.
    other : mapping name -> array broadcastable to (L,)
        The remaining controls, fixed along a line.
    accept : callable, optional
        Branch predicate (see :func:`solve_points`); failing it ends the line.
    max_jump : float
        A step whose solution moves by more than ``max_jump`` (max norm) from the predictor is
        rejected and halved (branch tracking: no jumping to another branch); a step accepted
        short of its target grows by 1.5 (capped by the target).
    min_step : float
        Smallest control step relative to the path's extent before a line is given up.
    maxiter, max_halvings : int
        Newton budget per step. From the secant predictor Newton converges in a few
        iterations; a step that needs more (or a heavily damped line search) is halved
        instead, which is far cheaper than a long damped Newton near the end of a branch.

    Returns
    -------
    SolveResult with ``x`` of shape (L, K, d) and status/converged/n_iter of shape (L, K);
    the first column is ``x_start``.
    """
    cf = check_compiled("cf", cf)
    path = check_real("path", path)
    if path.ndim != 2:
        raise ValueError(f"path must have shape (L, K), K control values per line (got shape "
                         f"{path.shape})")
    L, K = path.shape
    d = cf.model.dim
    x_start = check_points("x_start", x_start, d, L)
    control = check_name("control", control, cf.control_names, "controls")
    other = check_controls("other", other, cf, L, exclude=(control,))
    fixed = check_fixed("fixed", fixed, cf, L)
    check_callable("accept", accept)
    max_jump = check_scalar("max_jump", max_jump, low=0.0, low_open=True)
    min_step = check_scalar("min_step", min_step, low=0.0, high=1.0, low_open=True)
    max_substeps = check_int("max_substeps", max_substeps, low=1)
    maxiter = check_int("maxiter", maxiter, low=1)
    max_halvings = check_int("max_halvings", max_halvings, low=0)
    X = np.full((L, K, d), np.nan)
    status = np.full((L, K), NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros((L, K), dtype=np.int32)
    X[:, 0] = x_start
    status[:, 0] = CONVERGED
    other = {k: np.broadcast_to(np.asarray(v, dtype=float), (L,)) for k, v in other.items()}
    # per line: current control and solution, previous ones (secant), step, target column
    c_cur = path[:, 0].copy()
    x_cur = np.array(x_start, dtype=float)
    c_prev = np.full(L, np.nan)
    x_prev = np.full((L, d), np.nan)
    extent = np.abs(path[:, -1] - path[:, 0]) + 1e-300
    h = np.where(K > 1, (path[:, 1] - path[:, 0]) if K > 1 else 0.0, 0.0)
    target = np.ones(L, dtype=int)
    active = np.flatnonzero(target < K)
    for _ in range(max_substeps * K):
        if active.size == 0:
            break
        tgt = path[active, target[active]]
        dirn = np.sign(tgt - c_cur[active])
        step = np.where(np.abs(h[active]) > np.abs(tgt - c_cur[active]),
                        tgt - c_cur[active], dirn * np.abs(h[active]))
        c_new = c_cur[active] + step
        with np.errstate(all="ignore"):
            slope = (x_cur[active] - x_prev[active]) / (c_cur[active] - c_prev[active])[:, None]
        slope = np.where(np.isfinite(slope), slope, 0.0)
        x_pred = x_cur[active] + slope * step[:, None]
        ctrl = {control: c_new, **{k: v[active] for k, v in other.items()}}
        res = solve_points(cf, x_pred, ctrl, fixed=fixed, accept=accept, fallback=False,
                           maxiter=maxiter, max_halvings=max_halvings)
        jump = np.max(np.abs(res.x - x_pred), axis=1) > max_jump
        ok = res.converged & ~jump
        acc = active[ok]
        x_prev[acc], c_prev[acc] = x_cur[acc], c_cur[acc]
        x_cur[acc], c_cur[acc] = res.x[ok], c_new[ok]
        reached = ok & (c_new == tgt)
        r = active[reached]
        X[r, target[r]] = x_cur[r]
        status[r, target[r]] = CONVERGED
        n_iter[r, target[r]] += res.n_iter[reached]
        target[r] += 1
        nxt = np.flatnonzero(target[r] < K)
        h[r[nxt]] = np.sign(path[r[nxt], target[r[nxt]]] - c_cur[r[nxt]]) * np.maximum(
            np.abs(h[r[nxt]]) * 1.5, np.abs(path[r[nxt], target[r[nxt]]] - c_cur[r[nxt]]))
        # a step accepted short of the target regrows (after a failure it was halved; without
        # this a line could creep on at its smallest step until max_substeps)
        grow = active[ok & ~reached]
        h[grow] *= 1.5
        fail = active[~ok]
        h[fail] *= 0.5
        dead = fail[np.abs(h[fail]) < min_step * extent[fail]]
        for j in dead:
            status[j, target[j]:] = NO_SOLUTION
            k = np.flatnonzero(~ok)[np.searchsorted(fail, j)]
            if res.status[k] == WRONG_ROOT or jump[k]:
                status[j, target[j]] = WRONG_ROOT
        target[dead] = K
        active = np.flatnonzero(target < K)
    if active.size:
        for j in active:
            status[j, target[j]:] = MAXITER
    conv = status == CONVERGED
    X[~conv] = np.nan
    return SolveResult(X, conv, status, n_iter)


#: Reference continuations kept by :func:`_reference` (most recent last).
_REFERENCE: dict = {}
#: How many reference continuations are kept.
REFERENCE_KEEP = 32


def _reference(cf, x_start, path, control, other, accept, max_jump) -> SolveResult:
    """The continuation of ``x_start`` along the reference ``path`` (one row per line),
    remembered: a later call with the same lines and a path that is a prefix of a
    remembered one (the paths of :func:`reach_points` are a fixed list cut at the largest
    point) reuses it.  Step k of a continuation depends only on the steps before it, so
    the reused values are the ones a new continuation would give."""
    L, K = x_start.shape[0], path.size
    key = (cf, x_start.shape, x_start.tobytes(), control, float(path[0]), accept, max_jump,
           tuple((k, v.tobytes()) for k, v in sorted(other.items())))
    try:
        hit = _REFERENCE.get(key)
    except TypeError:  # an unhashable accept: no memory
        key, hit = None, None
    if hit is not None and hit[0].size >= K and np.array_equal(hit[0][:K], path):
        r = hit[1]
        return SolveResult(r.x[:, :K].copy(), r.converged[:, :K].copy(),
                           r.status[:, :K].copy(), r.n_iter[:, :K].copy())
    ref = continuation(cf, x_start, np.broadcast_to(path, (L, K)), control, other,
                       accept=accept, max_jump=max_jump)
    if key is not None:
        _REFERENCE.pop(key, None)
        _REFERENCE[key] = (path.copy(), ref)
        while len(_REFERENCE) > REFERENCE_KEEP:
            _REFERENCE.pop(next(iter(_REFERENCE)))
    return ref


def reach_points(
    cf: CompiledFreeEnergy,
    x_start: np.ndarray,
    path: np.ndarray,
    points: np.ndarray,
    control: str,
    other: Mapping[str, Any],
    *,
    accept: Accept | None = None,
    max_jump: float = 0.25,
    refine: int = 0,
) -> tuple[SolveResult, np.ndarray, np.ndarray]:
    """Solutions at ``points`` of L branches, each point reached from a fixed ``path``.

    Every line is continued along ``path`` (K increasing control values, the first the
    start of ``x_start``); a point ``a`` is then reached by one continuation from the
    largest path value below it, provided the line was continuous up to there. So a point's
    result depends on the path and on the point only, never on the other points of a call.

    With ``refine > 0`` a line that ends before the path does is continued from its last
    path value towards the next one in ``refine`` equal steps (a fixed finer path, so still
    independent of the points); its end is then located to that resolution, and points
    beyond its last coarse value are reached from the finer path.

    Returns ``(result, end, end_x)``: the SolveResult at the points (x (L, P, d), status
    and n_iter (L, P)), the last path value each line reached continuously (L,; NaN: none)
    and the solution there (L, d).
    """
    path = np.asarray(path, dtype=float)
    points = np.asarray(points, dtype=float)
    L, P, d = x_start.shape[0], points.size, cf.model.dim
    K = path.size
    other = {k: np.broadcast_to(np.asarray(v, dtype=float), (L,)) for k, v in other.items()}
    ref = _reference(cf, x_start, path, control, other, accept, max_jump)
    last = np.cumprod(ref.status == CONVERGED, axis=1).sum(axis=1) - 1  # continuous so far
    # per line: its path (refined after the last value reached) and how much of it it reached
    full = [path] * L
    xs = [ref.x[li, :last[li] + 1] for li in range(L)]
    dying = np.flatnonzero((last >= 0) & (last < K - 1))
    if refine > 0 and dying.size:
        fine_path = np.linspace(path[last[dying]], path[last[dying] + 1], refine + 1, axis=1)
        fine = continuation(cf, ref.x[dying, last[dying]], fine_path, control,
                            {k: v[dying] for k, v in other.items()}, accept=accept,
                            max_jump=max_jump)
        n_on = np.cumprod(fine.status == CONVERGED, axis=1).sum(axis=1)
        for i, li in enumerate(dying):
            k = last[li]
            full[li] = np.concatenate([path[:k + 1], fine_path[i, 1:], path[k + 2:]])
            xs[li] = np.concatenate([xs[li], fine.x[i, 1:n_on[i]]])
    end = np.array([full[li][x.shape[0] - 1] if x.shape[0] else np.nan
                    for li, x in enumerate(xs)])
    end_x = np.stack([x[-1] if x.shape[0] else np.full(d, np.nan) for x in xs])
    X = np.full((L, P, d), np.nan)
    status = np.full((L, P), NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros((L, P), dtype=np.int32)
    # a point is reached from the largest path value below it, if the line reached that
    pairs = [(li, pi, j) for li in range(L)
             for pi, j in enumerate(np.searchsorted(full[li], points, side="left") - 1)
             if 0 <= j < xs[li].shape[0]]
    if pairs:
        li, pi, j = (np.array(v, dtype=int) for v in zip(*pairs, strict=True))
        c0 = np.array([full[a][b] for a, b in zip(li, j, strict=True)])
        x0 = np.stack([xs[a][b] for a, b in zip(li, j, strict=True)])
        hop = continuation(cf, x0, np.stack([c0, points[pi]], axis=1), control,
                           {k: v[li] for k, v in other.items()}, accept=accept,
                           max_jump=max_jump)
        X[li, pi], status[li, pi], n_iter[li, pi] = hop.x[:, 1], hop.status[:, 1], hop.n_iter[:, 1]
    return SolveResult(X, status == CONVERGED, status, n_iter), end, end_x


@dataclass
class FoldResult:
    """Saddle-node of a branch in a control (see :func:`fold`).

    Attributes
    ----------
    value : ndarray
        The control at the fold (e.g. alpha_c), per line.
    x : ndarray (n, d)
        Order parameters at the fold.
    error : ndarray
        Estimate of the error of ``value`` from the bracket on ``v`` and the Newton tolerance.
    converged : ndarray of bool
    status : ndarray of int8
    """

    value: np.ndarray
    x: np.ndarray
    error: np.ndarray
    converged: np.ndarray
    status: np.ndarray


def _augmented(cf, control, along, other, fixed):
    """Residual/Jacobian of grad = 0 in (x without ``along``, control) at fixed ``along``."""
    d = cf.model.dim
    n = len(next(iter(other.values()))) if other else 1
    _, fix_idx, fix_val = _free_index(cf, fixed, n)
    ia = cf.model.index(along)
    free = np.array([k for k in range(d) if k != ia and k not in fix_idx], dtype=int)
    eqs = np.array([k for k in range(d) if k not in fix_idx], dtype=int)

    def unpack(y, v, idx=None):
        x = np.empty((y.shape[0], d))
        x[:, free] = y[:, :-1]
        x[:, ia] = v
        for k, val in zip(fix_idx, fix_val, strict=True):
            x[:, k] = val if idx is None else val[idx]
        return x, y[:, -1]

    def fun(y, v, idx):
        x, c = unpack(y, v, idx)
        ctrl = {control: c, **{k: np.asarray(val)[idx] for k, val in other.items()}}
        g, H, gc = cf.grad_hess_control(x, ctrl, control)
        J = np.concatenate([H[:, eqs][:, :, free], gc[:, eqs, None]], axis=2)
        return g[:, eqs], J, H[:, eqs, ia]

    def feasible(y, v, idx):
        x, c = unpack(y, v, idx)
        ctrl = {control: c, **{k: np.asarray(val)[idx] for k, val in other.items()}}
        return cf.constraints_ok(x, ctrl) & (c > 0)

    return fun, feasible, unpack, free


def _bracket(bracket: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The (low, high) pair of :func:`fold`, each broadcast to (n,), low < high."""
    if isinstance(bracket, (str, bytes)) or not hasattr(bracket, "__len__") \
            or len(bracket) != 2:
        raise ValueError(f"bracket must be a pair (low, high) of numbers or arrays of shape "
                         f"({n},) (got {bracket!r})")
    lo, hi = (check_per_point("bracket", b, n) for b in bracket)
    if np.any(lo >= hi):
        raise ValueError(f"bracket must have low < high at every point (got {bracket!r})")
    return lo, hi


def fold(
    cf: CompiledFreeEnergy,
    x_guess: np.ndarray,
    control: str,
    along: str,
    bracket: tuple[np.ndarray, np.ndarray],
    other: Mapping[str, Any],
    *,
    fixed: Mapping[str, float] | None = None,
    c_guess: np.ndarray | None = None,
    n_scan: int = 12,
    vtol: float = 1e-11,
) -> FoldResult:
    """Saddle-node of a branch: the extremum of ``control`` along the branch parametrised by
    the order parameter ``along``.

    Parameters
    ----------
    x_guess : array (n, d)
        A solution on the branch for each of n independent problems (at any control value);
        it seeds the parametrised solve.
    control : str
        The control whose extremum is sought (e.g. ``'alpha'``).
    along : str
        The order parameter that parametrises the branch (e.g. ``'m'``); it must be monotone
        through the fold.
    bracket : (low, high) arrays (n,)
        Range of ``along`` that contains the fold.
    other : mapping name -> array (n,)
        The remaining controls.
    fixed : mapping, optional
        Order parameters held fixed throughout.
    c_guess : array (n,), optional
        Control value belonging to ``x_guess``.
    n_scan : int
        Scan points of ``along`` used to bracket ``dc/dv = 0``.

    Notes
    -----
    With ``v`` fixed, the stationarity conditions are solved for the other order parameters
    and ``c`` by Newton's method (Jacobian: the Hessian columns and ``d grad/dc``).  Along the
    curve, ``dc/dv`` is the last component of ``-J^{-1} dgrad/dv``; its root is bracketed on
    the scan (marched from the guess, the step halved up to ``MAX_HALVINGS_FOLD`` times where
    Newton fails) and refined by :func:`theory._numerics.solver.bracket_root` to ``vtol``.
    Because ``c(v)`` is quadratic at the fold, the error of ``c`` is of order ``c'' vtol^2``
    plus the Newton tolerance; ``error`` reports ``|c(v_a) - c(v_b)|`` over the final bracket
    plus 1e-12 |c|.
    """
    cf = check_compiled("cf", cf)
    x_guess = check_points("x_guess", x_guess, cf.model.dim)
    n, d = x_guess.shape
    control = check_name("control", control, cf.control_names, "controls")
    along = check_name("along", along, cf.names, "order parameters")
    lo, hi = _bracket(bracket, n)
    other = check_controls("other", other, cf, n, exclude=(control,))
    fixed = check_fixed("fixed", fixed, cf, n)
    if along in fixed:
        raise ValueError(f"along ({along!r}) must not be one of the fixed order parameters")
    c0 = np.full(n, np.nan) if c_guess is None else check_per_point("c_guess", c_guess, n).copy()
    n_scan = check_int("n_scan", n_scan, low=2)
    vtol = check_scalar("vtol", vtol, low=0.0, low_open=True)
    fun, feasible, unpack, free = _augmented(cf, control, along, other, fixed)
    ia = cf.model.index(along)

    def solve_at(v, y0, idx):
        def f_(y, j):
            F, J, _ = fun(y, v[j], idx[j])
            return F, J

        def feas(y, j):
            return feasible(y, v[j], idx[j])

        return _newton(f_, y0, feasible=feas, xtol=1e-14, maxiter=80)

    def slope(y, v, idx):
        F, J, Hv = fun(y, v, idx)
        with np.errstate(all="ignore"):
            try:
                dy = -np.linalg.solve(J, Hv[..., None])[..., 0]
            except np.linalg.LinAlgError:
                return np.full(y.shape[0], np.nan)
        return dy[:, -1]

    def march(v, y0, v0, idx, depth=MAX_HALVINGS_FOLD):
        """Solve at ``v`` from the solution ``y0`` at ``v0``; where Newton fails, halve the
        step (up to ``depth`` times) and go through the midpoint."""
        r = solve_at(v, y0, idx)
        x, ok = r.x.copy(), r.converged.copy()
        bad = np.flatnonzero(~ok)
        if bad.size and depth > 0:
            mid = 0.5 * (v0[bad] + v[bad])
            xm, okm = march(mid, y0[bad], v0[bad], idx[bad], depth - 1)
            g = bad[okm]
            if g.size:
                x2, ok2 = march(v[g], xm[okm], mid[okm], idx[g], depth - 1)
                x[g[ok2]], ok[g[ok2]] = x2[ok2], True
        return x, ok

    # continuation in v from the guess towards each scan point
    y_start = np.concatenate([x_guess[:, free], c0[:, None]], axis=1)
    v_start = x_guess[:, ia]
    idx_all = np.arange(n)
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n_scan)[None, :]
    Y = np.full((n, n_scan, y_start.shape[1]), np.nan)
    S = np.full((n, n_scan), np.nan)
    # order scan points by distance from the starting v and march outwards
    y_cur = y_start.copy()
    v_cur = v_start.copy()
    res0 = solve_at(v_cur, y_cur, idx_all)
    y_cur = np.where(res0.converged[:, None], res0.x, y_cur)
    for direction in (1, -1):
        yc, vc = y_cur.copy(), v_cur.copy()
        for k in (range(n_scan) if direction > 0 else range(n_scan - 1, -1, -1)):
            tv = grid[:, k]
            go = (tv - v_start) * direction >= 0
            if not go.any():
                continue
            j = np.flatnonzero(go)
            xr, okr = march(tv[j], yc[j], vc[j], j)
            Y[j[okr], k] = xr[okr]
            S[j[okr], k] = slope(xr[okr], tv[j[okr]], j[okr])
            yc[j[okr]], vc[j[okr]] = xr[okr], tv[j[okr]]
    value = np.full(n, np.nan)
    xout = np.full((n, d), np.nan)
    err = np.full(n, np.nan)
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    # bracket dc/dv = 0 on the scan: adjacent points with opposite slope signs
    a = np.full(n, np.nan)
    b = np.full(n, np.nan)
    ya = np.full((n, y_start.shape[1]), np.nan)
    sa = np.zeros(n)
    for i in range(n):
        s = S[i]
        for k in range(n_scan - 1):
            if np.isfinite(s[k]) and np.isfinite(s[k + 1]) and s[k] * s[k + 1] < 0:
                a[i], b[i], ya[i], sa[i] = grid[i, k], grid[i, k + 1], Y[i, k], np.sign(s[k])
                break
    have = np.flatnonzero(np.isfinite(a))
    if have.size:
        y_last = ya[have].copy()

        def g(v, j):
            r = solve_at(v, y_last[j], have[j])
            out = np.full(v.shape, np.nan)
            okk = r.converged
            y_last[j[okk]] = r.x[okk]
            out[okk] = slope(r.x[okk], v[okk], have[j[okk]])
            return out, None

        br = bracket_root(g, a[have], b[have], sa[have], xtol=vtol, rtol=vtol)
        vf = br.x
        r = solve_at(vf, y_last, have)
        xf, cf_ = unpack(r.x, vf, have)
        okf = br.converged & r.converged
        value[have] = np.where(okf, cf_, np.nan)
        xout[have] = np.where(okf[:, None], xf, np.nan)
        # error: control change over a bracket of width vtol around the fold, plus Newton tol
        dv = vtol * (1.0 + np.abs(vf))
        r2 = solve_at(vf + dv, r.x, have)
        _, c2 = unpack(r2.x, vf + dv, have)
        err[have] = np.where(okf, np.abs(c2 - cf_) + 1e-12 * np.abs(cf_), np.nan)
        status[have] = np.where(okf, CONVERGED, np.where(br.converged, r.status, br.status))
    return FoldResult(value, xout, err, status == CONVERGED, status)


#: Line-search halvings of the final free polish of :func:`optimize_parameter` (where it
#: stalls, in the flat direction of the parameter, the bracketed solution is kept).
POLISH_HALVINGS = 3


def _total(cf, x, c, k_par, others):  # noqa: ANN001, ANN202
    """The residual of parameter ``k_par``, its total derivative along the solution curve
    (the Schur complement of the Hessian: the equations of ``others`` held), and that
    curve's tangent ``d x_others / d x_par``."""
    g, H = cf.grad_hess(x, c)
    Hks = H[:, k_par, others]
    with np.errstate(all="ignore"):
        try:
            v = np.linalg.solve(H[:, others][:, :, others], H[:, others, k_par][..., None])
            dg = H[:, k_par, k_par] - np.einsum("ij,ij->i", Hks, v[..., 0])
        except np.linalg.LinAlgError:
            v = np.full((x.shape[0], len(others), 1), np.nan)
            dg = np.full(x.shape[0], np.nan)
    return g[:, k_par], dg, -v[..., 0]


#: Line-search halvings of :func:`newton_parameter`'s inner solves: near round-off the
#: Armijo test fails on noise, and :func:`_newton` accepts the point at the round-off floor.
INNER_HALVINGS = 4


def newton_parameter(
    cf: CompiledFreeEnergy,
    x_start: np.ndarray,
    controls: Mapping[str, Any],
    name: str,
    *,
    fixed: Mapping[str, Any] | None = None,
    accept: Accept | None = None,
    tol: float = 1e-10,
    gtol: float = 1e-14,
    maxiter: int = 8,
    max_factor: float = 1.5,
) -> SolveResult:
    """Stationary point in one positive order parameter by Newton on its reduced equation.

    The companion of :func:`optimize_parameter` for a good start (a continuation step, a
    low-temperature prediction).  With ``name`` held at its current value the other order
    parameters are solved (well conditioned, where Newton with ``name`` free meets the flat
    direction of f in a Parisi parameter); the residual ``g`` of ``name``'s equation and its
    total derivative ``dg`` (:func:`_total`) then give the step ``-g/dg``, limited to a
    factor ``max_factor`` up or down.  Converged when the step is below
    ``tol (1 + |value|)`` or ``|g| <= gtol`` (round-off).

    Returns
    -------
    SolveResult
        ``x`` (n, d); status MAXITER where the steps did not settle, the inner solver's
        status where the other parameters were not solved.
    """
    x = np.array(x_start, dtype=float, copy=True)
    n = x.shape[0]
    k_par = cf.model.index(name)
    ctrl = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in controls.items()}
    fix = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in (fixed or {}).items()}
    others = np.array([i for i in _free_index(cf, fix)[0] if i != k_par], dtype=int)
    if others.size == 0:
        raise ValueError(f"name ({name!r}) must leave another free order parameter to solve "
                         f"along the scan; {cf.model.name} has none (use solve_points)")
    status = np.full(n, MAXITER, dtype=np.int8)
    n_iter = np.zeros(n, dtype=np.int32)
    active = np.arange(n)
    for _ in range(maxiter):
        if active.size == 0:
            break
        sub = {c: v[active] for c, v in ctrl.items()}
        v = x[active, k_par].copy()
        r = solve_points(cf, x[active], sub,
                         fixed={**{c: a[active] for c, a in fix.items()}, name: v},
                         accept=accept, fallback=False, max_halvings=INNER_HALVINGS)
        n_iter[active] += 1
        bad = ~r.converged
        status[active[bad]] = r.status[bad]
        x[active[~bad]] = r.x[~bad]
        active, v, sub = active[~bad], v[~bad], {c: a[~bad] for c, a in sub.items()}
        if active.size == 0:
            break
        g, dg, tangent = _total(cf, x[active], sub, k_par, others)
        with np.errstate(all="ignore"):
            step = -g / dg
            v_new = np.clip(v + step, v / max_factor, v * max_factor)
        fin = np.isfinite(v_new)
        status[active[~fin]] = NONFINITE
        done = fin & ((np.abs(g) <= gtol) | (np.abs(v_new - v) <= tol * (1.0 + np.abs(v))))
        status[active[done]] = CONVERGED
        go = fin & ~done
        # the next inner solve starts on the tangent of the solution curve (the full Newton
        # step in all order parameters), where the feasible bounds allow it
        a_go = active[go]
        pred = x[a_go].copy()
        pred[:, k_par] = v_new[go]
        pred[:, others] += tangent[go] * (v_new[go] - v[go])[:, None]
        inside = cf.constraints_ok(pred, {c: a[go] for c, a in sub.items()})  # NaN: outside
        x[a_go[inside]] = pred[inside]
        x[a_go[~inside], k_par] = v_new[go][~inside]
        active = a_go
    return SolveResult(x, status == CONVERGED, status, n_iter)


def optimize_parameter(
    cf: CompiledFreeEnergy,
    x_start: np.ndarray,
    controls: Mapping[str, Any],
    name: str,
    grid: np.ndarray,
    *,
    fixed: Mapping[str, Any] | None = None,
    accept: Accept | None = None,
    tol: float = 1e-12,
    scan_maxiter: int = 30,
    polish_maxiter: int = 10,
) -> SolveResult:
    """Stationary point in one order parameter (e.g. the Parisi parameter) by a scan.

    For each of n points, the other order parameters are solved with ``name`` held at the
    values ``grid[i, :]`` in turn (each solve warm-started from the previous one), the
    residual of ``name``'s own equation is recorded, its first sign change brackets the
    stationary value, which :func:`theory._numerics.solver.bracket_root` refines by Newton
    steps on the total derivative of the residual along the solution curve (the Schur
    complement of the Hessian, from the same evaluation), safeguarded by the bracket; a final Newton
    solve with ``name`` free polishes the whole solution.  This is how the one-step RSB
    Parisi parameter is optimised: the residual ``df/dtheta`` along the scan is the total
    derivative of f (the other equations hold), so its root is the extremum of f in theta.

    Parameters
    ----------
    x_start : array (n, d)
        Starting point for the first grid value.
    grid : array (n, K)
        Monotone scan values of ``name`` per point; a point's scan stops at its first sign
        change.
    fixed : mapping, optional
        Other order parameters held fixed.
    accept : callable, optional
        Branch predicate (see :func:`solve_points`); a scan value whose solution fails it
        is skipped, so that e.g. a one-step RSB scan ignores the replica-symmetric solution
        (on which the Parisi parameter's residual vanishes identically).
    tol : float
        Tolerance of the root in ``name``.
    scan_maxiter : int
        Newton iterations per scan value.
    polish_maxiter : int
        Newton iterations of the final solve with ``name`` free; where it does not converge
        (f is often very flat in a Parisi parameter) the bracketed solution is kept, which
        solves the other equations to Newton accuracy and ``name``'s to ``tol``.

    Returns
    -------
    SolveResult
        ``x`` (n, d) with ``name`` at the stationary value; status NO_SOLUTION where the
        scan found no sign change.
    """
    cf = check_compiled("cf", cf)
    grid = check_real("grid", grid)
    if grid.ndim != 2:
        raise ValueError(f"grid must have shape (n, K), scan values per point (got shape "
                         f"{grid.shape})")
    n, K = grid.shape
    d = cf.model.dim
    x_start = check_points("x_start", x_start, d, n)
    name = check_name("name", name, cf.names, "order parameters")
    k_par = cf.model.index(name)
    ctrl = check_controls("controls", controls, cf, n)
    fix = check_fixed("fixed", fixed, cf, n)
    if name in fix:
        raise ValueError(f"name ({name!r}) must not be one of the fixed order parameters")
    check_callable("accept", accept)
    tol = check_scalar("tol", tol, low=0.0, low_open=True)
    scan_maxiter = check_int("scan_maxiter", scan_maxiter, low=1)
    polish_maxiter = check_int("polish_maxiter", polish_maxiter, low=0)
    X = np.full((n, K, d), np.nan)
    G = np.full((n, K), np.nan)
    x_cur = x_start.copy()
    others = np.array([i for i in _free_index(cf, fix)[0] if i != k_par], dtype=int)
    if others.size == 0:
        raise ValueError(f"name ({name!r}) must leave another free order parameter to solve "
                         f"along the scan; {cf.model.name} has none (use solve_points)")

    def total(x, c):
        return _total(cf, x, c, k_par, others)[:2]
    scanning = np.ones(n, dtype=bool)
    x_back = np.full((n, d), np.nan)  # the solution before x_cur, for the secant prediction
    for k in range(K):
        idx = np.flatnonzero(scanning)
        if idx.size == 0:
            break
        x_try = x_cur[idx].copy()
        x_try[:, k_par] = grid[idx, k]
        sub = {c: v[idx] for c, v in ctrl.items()}
        if k > 1:
            # start from the secant through the last two solutions, where it is feasible
            with np.errstate(all="ignore"):
                xc, xb = x_cur[idx], x_back[idx]
                pred = xc + (xc - xb) * ((grid[idx, k] - xc[:, k_par])
                                         / (xc[:, k_par] - xb[:, k_par]))[:, None]
                pred[:, k_par] = grid[idx, k]
            good = cf.constraints_ok(pred, sub)  # NaN rows (no secant yet) fail the bounds
            x_try[good] = pred[good]
        r = solve_points(cf, x_try, sub, fixed={**{c: v[idx] for c, v in fix.items()},
                                                 name: grid[idx, k]},
                         accept=accept, fallback=False, maxiter=scan_maxiter)
        ok = r.converged
        j = idx[ok]
        X[j, k] = r.x[ok]
        if ok.any():
            G[j, k] = cf.grad(r.x[ok], {c: v[ok] for c, v in sub.items()})[:, k_par]
        x_back[idx] = np.nan
        x_back[j] = x_cur[j]
        x_cur[j] = r.x[ok]
        if k > 0:
            # the first sign change is found: the rest of this point's scan is not needed
            with np.errstate(invalid="ignore"):
                scanning[idx[G[idx, k - 1] * G[idx, k] < 0]] = False
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    out = np.full((n, d), np.nan)
    n_iter = np.zeros(n, dtype=np.int32)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    s_lo = np.zeros(n)
    g_lo = np.full(n, np.nan)
    g_hi = np.full(n, np.nan)
    x_lo = np.full((n, d), np.nan)
    for i in range(n):
        for k in range(K - 1):
            if np.isfinite(G[i, k]) and np.isfinite(G[i, k + 1]) and G[i, k] * G[i, k + 1] < 0:
                lo[i], hi[i], s_lo[i], x_lo[i] = grid[i, k], grid[i, k + 1], np.sign(G[i, k]), \
                    X[i, k]
                g_lo[i], g_hi[i] = G[i, k], G[i, k + 1]
                break
    have = np.flatnonzero(np.isfinite(lo))
    if have.size == 0:
        return SolveResult(out, status == CONVERGED, status, n_iter)
    warm = x_lo[have].copy()
    sub_ctrl = {c: v[have] for c, v in ctrl.items()}
    sub_fix = {c: v[have] for c, v in fix.items()}

    def g(v, j):
        xt = warm[j].copy()
        xt[:, k_par] = v
        r = solve_points(cf, xt, {c: a[j] for c, a in sub_ctrl.items()},
                         fixed={**{c: a[j] for c, a in sub_fix.items()}, name: v},
                         accept=accept, fallback=False)
        res = np.full(v.shape, np.nan)
        dres = np.full(v.shape, np.nan)
        ok = r.converged
        warm[j[ok]] = r.x[ok]
        if ok.any():
            res[ok], dres[ok] = total(r.x[ok], {c: a[j[ok]] for c, a in sub_ctrl.items()})
        return res, dres

    # the scan may run down (grid decreasing): bracket_root wants lo < hi
    lo_h, hi_h, gl, gh, sl = lo[have], hi[have], g_lo[have], g_hi[have], s_lo[have]
    down = lo_h > hi_h
    lo_h, hi_h = np.where(down, hi_h, lo_h), np.where(down, lo_h, hi_h)
    gl, gh = np.where(down, gh, gl), np.where(down, gl, gh)
    sl = np.where(down, -sl, sl)
    br = bracket_root(g, lo_h, hi_h, sl, fa=gl, fb=gh, xtol=tol, rtol=tol)
    xs = warm.copy()
    xs[:, k_par] = br.x
    pol = solve_points(cf, xs, sub_ctrl, fixed=sub_fix or None, accept=accept, fallback=False,
                       maxiter=polish_maxiter, max_halvings=POLISH_HALVINGS)
    good = pol.converged & br.converged
    # keep the bracketed solution where the free polish does not converge
    keep = br.converged & ~pol.converged
    out[have[good]] = pol.x[good]
    out[have[keep]] = xs[keep]
    status[have] = np.where(good | keep, CONVERGED, br.status)
    n_iter[have] = br.n_iter + pol.n_iter
    return SolveResult(out, status == CONVERGED, status, n_iter)
