"""Branch solvers of the dense P-spin Hebbian network (private; see :mod:`theory.dense`).

Each function returns flat or (alpha, T) arrays in the model variables of
:mod:`theory.dense.models`; :mod:`theory.dense` assembles the Datasets.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from .._numerics.solver import CONVERGED, NO_SOLUTION
from ..symbolic.model import CompiledFreeEnergy
from ..symbolic.solve import continuation, optimize_parameter, reach_points, solve_points
from . import models as dm

#: Load at which every continuation in alpha starts (the Curie-Weiss end of the branch).
ALPHA_START = 1e-6
#: Loads every RS line is continued along, whatever the grid: a point is reached from the
#: largest of them below it, so its result does not depend on the other points of a call.
REF_ALPHA = np.geomspace(1e-5, 2.0, 80)
#: Steps between two reference loads in which the end of an RS line is located (0.24 %).
END_REFINE = 64
#: Relative loads past the end of the RS branch along which the 1RSB retrieval is continued.
EXTEND_PATH = np.linspace(0.0, 1.5, 61)[1:]
#: Scan of the Parisi parameter at T > 0 (from theta = 1 down) and of ``nu = mu/(P-1)!`` at
#: T = 0 (mu = theta/T; the energies scale like ``1/(P-1)!``, see ``_dense_models.rsb_zero``).
THETA_GRID = np.concatenate([np.linspace(1.0, 0.5, 11), np.linspace(0.45, 0.05, 9)])
NU_GRID = np.geomspace(0.05, 1e4, 60)
#: q1 - q0 (or 1 - q0 at T = 0) below which a 1RSB solution has collapsed onto RS.
COLLAPSE = 1e-8
#: Smallest overlap accepted on the retrieval branch (the m = 0 root is always a solution).
M_MIN = 1e-3

_KINDS = {"rs": dm.rs, "rslow": dm.rs_low_temperature, "rsb": dm.rsb, "rs0": dm.rs_zero,
          "rsb0": dm.rsb_zero, "cw": dm.curie_weiss, "cw0": dm.curie_weiss_zero}


@cache
def compiled(P: int, kind: str) -> CompiledFreeEnergy:
    """Compiled free energy ``kind`` in {rs, rslow, rsb, rs0, rsb0, cw, cw0} (cached per
    process; rslow: RS at low T in (m, C))."""
    return _KINDS[kind](P).compile()


def beta_of(T: np.ndarray) -> np.ndarray:
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)


#: Below this temperature the RS retrieval and spin glass are solved in (m, C = beta (1-q))
#: by :func:`theory.dense.models.rs_low_temperature`, exact to O(T^2) (3e-11 in f at
#: T = 1e-5, P = 3; ``tests/theory/test_dense.py``), so that T down to 1e-300 joins T = 0.
T_LOW = 1e-6
_RS_KIND = {"zero": "rs0", "low": "rslow", "hot": "rs"}


def _regime(T: np.ndarray) -> np.ndarray:
    """'zero', 'low' (0 < T < T_LOW) or 'hot' per temperature."""
    T = np.asarray(T, dtype=float)
    return np.where(T == 0, "zero", np.where(T < T_LOW, "low", "hot"))


def _accept_m(x: np.ndarray, c: Any) -> np.ndarray:
    return x[:, 0] > M_MIN


# ----------------------------------------------------------------------------------------
# low load (alpha = 0): the P-spin Curie-Weiss model
# ----------------------------------------------------------------------------------------
def curie_weiss(P: int, T: np.ndarray) -> dict[str, np.ndarray]:
    """Retrieval at alpha = 0 for each T: m, q = tanh^2(beta s(m)), f, curvature, status."""
    T = np.asarray(T, dtype=float)
    n = T.size
    out = {k: np.full(n, np.nan) for k in ("m", "q", "f", "curvature")}
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    zero = T == 0
    if zero.any():
        cf = compiled(P, "cw0")
        r = solve_points(cf, np.ones((int(zero.sum()), 1)), {}, accept=_accept_m)
        idx = np.flatnonzero(zero)
        ok = r.converged
        out["m"][idx[ok]] = r.x[ok, 0]
        out["q"][idx[ok]] = 1.0
        out["f"][idx[ok]] = cf.f(r.x[ok], {})
        out["curvature"][idx[ok]] = cf.stability(r.x[ok], {})["curvature"]
        status[idx] = r.status
    hot = np.flatnonzero(~zero)
    if hot.size:
        cf = compiled(P, "cw")
        b = beta_of(T[hot])
        r = solve_points(cf, np.ones((hot.size, 1)), {"beta": b}, accept=_accept_m)
        ok = r.converged
        m = r.x[:, 0]
        out["m"][hot[ok]] = m[ok]
        s = m ** (P - 1) / np.prod(np.arange(1, P))
        out["q"][hot[ok]] = np.tanh(b * s)[ok] ** 2
        out["f"][hot[ok]] = cf.f(r.x[ok], {"beta": b[ok]})
        out["curvature"][hot[ok]] = cf.stability(r.x[ok], {"beta": b[ok]})["curvature"]
        status[hot] = r.status
    out["status"] = status
    return out


# ----------------------------------------------------------------------------------------
# retrieval, RS
# ----------------------------------------------------------------------------------------
def retrieval_rs(P: int, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """RS retrieval on the grid alpha x T by continuation in alpha from the Curie-Weiss end.

    Returns (nA, nT) arrays m, q, f, curvature (d2 f_eff/dm2), replicon, status.
    """
    nA, nT = alpha.size, T.size
    keys = ("m", "q", "f", "curvature", "replicon")
    out = {k: np.full((nA, nT), np.nan) for k in keys}
    status = np.full((nA, nT), NO_SOLUTION, dtype=np.int8)
    cw = curie_weiss(P, T)
    a0 = np.flatnonzero(alpha == 0)
    for k in ("m", "q", "f", "curvature"):
        out[k][a0] = cw[k][None, :]
    out["replicon"][a0] = np.where(np.isfinite(cw["m"]), 1.0, np.nan)[None, :]
    status[a0] = cw["status"][None, :]
    pos = np.flatnonzero(alpha > 0)
    if pos.size == 0:
        return {**out, "status": status, "ends_alpha": np.full(nT, np.nan)}
    a_start = min(ALPHA_START, 0.5 * float(alpha[pos].min()))  # the path must be monotone
    # up to the first reference load at or above the grid (a line that ends inside the grid
    # ends inside the path, where its end is located: ``ends_alpha``)
    ref = REF_ALPHA[:np.searchsorted(REF_ALPHA, alpha.max()) + 1]
    path = np.concatenate([[a_start], ref[ref > a_start]])
    ends_a = np.full(nT, np.nan)
    for regime in ("zero", "low", "hot"):
        cols = np.flatnonzero(_regime(T) == regime)
        cols = cols[cw["status"][cols] == CONVERGED]
        if cols.size == 0:
            continue
        cf = compiled(P, _RS_KIND[regime])
        if regime == "zero":
            x0 = np.ones((cols.size, 1))
            other: dict[str, Any] = {}
        else:
            b = beta_of(T[cols])
            # (m, q) or, at low T, (m, C = beta (1 - q)) with C = 0 at the Curie-Weiss end
            x0 = np.stack([cw["m"][cols], cw["q"][cols] if regime == "hot"
                           else np.zeros(cols.size)], axis=1)
            other = {"beta": b}
        start = solve_points(cf, x0, {"alpha": a_start, **other}, accept=_accept_m)
        lines = np.flatnonzero(start.converged)
        if lines.size == 0:
            continue
        res, end, _ = reach_points(cf, start.x[lines], path, alpha[pos], "alpha",
                                   {k: v[lines] for k, v in other.items()},
                                   accept=_accept_m, max_jump=0.15, refine=END_REFINE)
        ends_a[cols[lines]] = end
        for li, col in enumerate(cols[lines]):
            status[pos, col] = res.status[li]
            ok = res.converged[li]
            rows = pos[ok]
            x = res.x[li][ok]
            if rows.size == 0:
                continue
            ctrl = {"alpha": alpha[rows]}
            if regime != "zero":
                ctrl["beta"] = np.full(rows.size, 1.0 / T[col])
            out["m"][rows, col] = x[:, 0]
            out["q"][rows, col] = {"zero": 1.0, "hot": x[:, -1],
                                   "low": 1.0 - x[:, -1] * T[col]}[regime]
            out["f"][rows, col] = cf.f(x, ctrl)
            st = cf.stability(x, ctrl)
            out["curvature"][rows, col] = st["curvature"]
            # T = 0: beta^2 xi''(1) E sech^4(beta h) ~ beta -> the replicon is -infinity
            out["replicon"][rows, col] = -np.inf if regime == "zero" else st["replicon"]
    return {**out, "status": status, "ends_alpha": ends_a}


# ----------------------------------------------------------------------------------------
# spin glass and paramagnet
# ----------------------------------------------------------------------------------------
def _fp_slope(cf: CompiledFreeEnergy, x: np.ndarray, ctrl: dict, k: int, eps: float = 1e-6):
    """d G_k / d x_k of the fixed-point map (< 1: the root attracts the iteration)."""
    xp, xm = x.copy(), x.copy()
    xp[:, k] += eps
    xm[:, k] -= eps
    return (cf.fixed_point_map(xp, ctrl)[:, k] - cf.fixed_point_map(xm, ctrl)[:, k]) / (2 * eps)


#: Grid of g = beta^2 alpha on which the spin-glass curves are traced (the m = 0 branches
#: depend on alpha and T only through g; ``f(alpha, T) = T f(g, T = 1)``).
G_GRID = np.geomspace(1e4, 1e-1, 161)


def g_scale(P: int) -> float:
    """Scale of g = alpha/T^2 at order P relative to P = 3, ``(P!/6)^1.5`` (the glass
    transition g_g grows about so: 13.7 at P = 3, 96 at P = 4); the traced curve starts at
    ``300 g_scale`` on ``G_GRID g_scale``, where the spin glass exists for every P."""
    return (math.factorial(P) / 6.0) ** 1.5


def g_grid(P: int) -> np.ndarray:
    """``G_GRID`` scaled to order P (:func:`g_scale`)."""
    return G_GRID * g_scale(P)


@cache
def spin_glass_curve(P: int, ansatz: str) -> dict[str, np.ndarray]:
    """The spin-glass branch traced along g = beta^2 alpha (controls alpha = g, beta = 1).

    RS: order parameters (m = 0, q); 1RSB: (m = 0, q0 = 0, q1, theta).  Traced from the
    largest g downwards by continuation (all free parameters solved, the Parisi parameter
    included) until it ends: at the RS spinodal, or for 1RSB where theta reaches 1 (the
    static transition; beyond it the Parisi extremum lies above 1).  Returns ``g`` and ``x``
    (rows where converged).
    """
    g0 = 300.0 * g_scale(P)
    if ansatz == "RS":
        cf = compiled(P, "rs")
        fix = {"m": 0.0}
        x0 = np.array([[0.0, 1.0 - 1e-6]])
        r = solve_points(cf, x0, {"alpha": g0, "beta": 1.0}, fixed=fix,
                         accept=lambda x, c: x[:, 1] > M_MIN)
        accept = lambda x, c: x[:, 1] > M_MIN  # noqa: E731
    else:
        cf = compiled(P, "rsb")
        fix = {"m": 0.0, "q0": 0.0}
        x0 = np.array([[0.0, 0.0, 1.0 - 1e-6, 1.0]])
        ctrl = {"alpha": g0, "beta": 1.0}
        r1 = solve_points(cf, x0, ctrl, fixed={**fix, "theta": THETA_GRID[1]},
                          accept=_accept_sg_rsb)
        r = optimize_parameter(cf, r1.x, ctrl, "theta", THETA_GRID[None, 1:], fixed=fix,
                               accept=_accept_sg_rsb)
        accept = lambda x, c: _accept_sg_rsb(x, c) & (x[:, 3] < 1.0)  # noqa: E731
    if not r.converged[0]:
        return {"g": np.empty(0), "x": np.empty((0, cf.model.dim))}  # pragma: no cover
    gs, xs = [], []
    grid = g_grid(P)
    for path in (grid[grid >= g0][::-1], grid[grid < g0]):
        path = np.concatenate([[g0], path])
        res = continuation(cf, r.x, path[None, :], "alpha", {"beta": np.ones(1)}, fixed=fix,
                           accept=accept, max_jump=0.1)
        ok = res.converged[0, 1:]
        gs.append(path[1:][ok])
        xs.append(res.x[0, 1:][ok])
    order = np.argsort(np.concatenate(gs))[::-1]
    return {"g": np.concatenate(gs)[order], "x": np.concatenate(xs)[order]}


def _sg_start(P: int, ansatz: str, g: np.ndarray) -> np.ndarray | None:
    c = spin_glass_curve(P, ansatz)
    if c["g"].size == 0:
        return None  # pragma: no cover
    lg = np.log(c["g"][::-1])
    X = c["x"][::-1]
    gl = np.clip(np.log(g), lg[0], lg[-1])
    return np.stack([np.interp(gl, lg, X[:, k]) for k in range(X.shape[1])], axis=1)


def spin_glass_rs(P: int, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """RS spin glass (m = 0, q > 0) at flat points (alpha, T): the upper root of
    ``q = E tanh^2(beta sqrt(xi'(q)) z)`` (Newton from the traced curve, or the monotone
    fixed-point iteration from q = 1).  At T = 0, q = 1."""
    n = alpha.size
    out = {k: np.full(n, np.nan) for k in ("q", "f", "replicon", "slope")}
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    zero = np.flatnonzero((T == 0) & (alpha > 0))
    if zero.size:
        cf = compiled(P, "rs0")
        x = np.zeros((zero.size, 1))
        out["q"][zero] = 1.0
        out["f"][zero] = cf.f(x, {"alpha": alpha[zero]})
        out["replicon"][zero] = -np.inf
        out["slope"][zero] = 0.0
        status[zero] = CONVERGED
    low = np.flatnonzero((_regime(T) == "low") & (alpha > 0))
    if low.size:
        # (m, C): C = 2 phi(0)/sigma at m = 0, the unique root (q = 1 - C T)
        cf = compiled(P, "rslow")
        ctrl = {"alpha": alpha[low], "beta": beta_of(T[low])}
        r = solve_points(cf, np.tile([0.0, 1.0], (low.size, 1)), ctrl, fixed={"m": 0.0})
        ok = r.converged
        sub = {k: v[ok] for k, v in ctrl.items()}
        out["q"][low[ok]] = 1.0 - r.x[ok, 1] * T[low[ok]]
        out["f"][low[ok]] = cf.f(r.x[ok], sub)
        out["replicon"][low[ok]] = cf.stability(r.x[ok], sub)["replicon"]
        out["slope"][low[ok]] = 0.0  # as at T = 0: the q = 1 - O(T) root attracts
        status[low] = r.status
    hot = np.flatnonzero((_regime(T) == "hot") & (alpha > 0))
    if hot.size:
        cf = compiled(P, "rs")
        ctrl = {"alpha": alpha[hot], "beta": beta_of(T[hot])}
        x0 = np.tile([0.0, 1.0 - 1e-6], (hot.size, 1))
        start = _sg_start(P, "RS", ctrl["alpha"] * ctrl["beta"] ** 2)
        if start is not None:
            x0[:, 1] = start[:, 1]
        r = solve_points(cf, x0, ctrl, fixed={"m": 0.0}, accept=lambda x, c: x[:, 1] > M_MIN)
        ok = r.converged
        if ok.any():
            sub = {k: v[ok] for k, v in ctrl.items()}
            x = r.x[ok]
            slope = _fp_slope(cf, x, sub, 1)
            out["q"][hot[ok]] = x[:, 1]
            out["f"][hot[ok]] = cf.f(x, sub)
            out["replicon"][hot[ok]] = cf.stability(x, sub)["replicon"]
            out["slope"][hot[ok]] = slope
        status[hot] = r.status
    out["status"] = status
    return out


def _accept_sg_rsb(x: np.ndarray, c: Any) -> np.ndarray:
    return x[:, 2] > M_MIN


def spin_glass_rsb(P: int, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """1RSB spin glass (m = q0 = 0, q1 > 0, theta in (0, 1)) at flat points.

    The Parisi parameter is the root of ``df/dtheta`` in (0, 1); where it would lie above 1
    (T above the static transition) the spin glass is not a thermodynamic state and the
    status is NO_SOLUTION.  At T = 0: q1 = 1 and ``mu = theta/T`` solves ``df/dmu = 0``.
    """
    n = alpha.size
    out = {k: np.full(n, np.nan) for k in ("q1", "theta", "mu", "f")}
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    zero = np.flatnonzero((T == 0) & (alpha > 0))
    if zero.size:
        cf = compiled(P, "rsb0")
        # nu = mu/(P-1)! ~ 2/(noise amplitude in units of 1/(P-1)!)
        sig = np.sqrt(alpha[zero] * math.factorial(P - 1))
        x0 = np.stack([np.zeros(zero.size), np.zeros(zero.size), 2.0 / sig], axis=1)
        r = solve_points(cf, x0, {"alpha": alpha[zero]}, fixed={"m": 0.0, "q0": 0.0},
                         accept=lambda x, c: x[:, 2] > 0)
        ok = r.converged
        out["q1"][zero[ok]] = 1.0
        out["theta"][zero[ok]] = 0.0
        out["mu"][zero[ok]] = r.x[ok, 2] * math.factorial(P - 1)
        out["f"][zero[ok]] = cf.f(r.x[ok], {"alpha": alpha[zero[ok]]})
        status[zero] = r.status
    hot = np.flatnonzero((T > 0) & (alpha > 0))
    if hot.size:
        cf = compiled(P, "rsb")
        b = beta_of(T[hot])
        ctrl = {"alpha": alpha[hot], "beta": b}
        g = ctrl["alpha"] * b**2
        curve = spin_glass_curve(P, "1RSB")
        fix = {"m": 0.0, "q0": 0.0}
        status[hot] = NO_SOLUTION
        if curve["g"].size:
            # the traced curve stops at the last grid point below the static transition;
            # points between it and the transition start from its end (accept: theta < 1)
            inside = np.flatnonzero(g >= 0.8 * curve["g"].min())
            if inside.size:
                sub = {k: v[inside] for k, v in ctrl.items()}
                r = solve_points(cf, _sg_start(P, "1RSB", g[inside]), sub, fixed=fix,
                                 accept=lambda x, c: _accept_sg_rsb(x, c) & (x[:, 3] < 1.0))
                ok = r.converged
                j = hot[inside[ok]]
                out["q1"][j] = r.x[ok, 2]
                out["theta"][j] = r.x[ok, 3]
                out["mu"][j] = r.x[ok, 3] * b[inside[ok]]
                out["f"][j] = cf.f(r.x[ok], {k: v[ok] for k, v in sub.items()})
                status[hot[inside]] = r.status
    out["status"] = status
    return out


def paramagnet(P: int, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """m = q = 0: ``f = -beta xi(1)/2 - T ln 2`` (the engine's RS f at m = q = 0).

    At T = 0 the paramagnet does not exist for alpha > 0 (its entropy
    ``ln 2 - beta^2 xi(1)/2`` is negative and f diverges): NO_SOLUTION there.
    """
    n = alpha.size
    f = np.full(n, np.nan)
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    hot = np.flatnonzero(T > 0)
    if hot.size:
        cf = compiled(P, "rs")
        f[hot] = cf.f(np.zeros((hot.size, 2)), {"alpha": alpha[hot], "beta": beta_of(T[hot])})
        status[hot] = CONVERGED
    cold = np.flatnonzero((T == 0) & (alpha == 0))
    if cold.size:
        f[cold] = 0.0  # alpha = 0, T = 0: the energy of m = 0 is exactly 0
        status[cold] = CONVERGED
    return {"f": f, "status": status}


# ----------------------------------------------------------------------------------------
# retrieval, 1RSB
# ----------------------------------------------------------------------------------------
def _accept_rsb_t0(x: np.ndarray, c: Any) -> np.ndarray:
    return (x[:, 0] > M_MIN) & (1.0 - x[:, 1] > COLLAPSE) & (x[:, 2] > 0)


def _accept_rsb(x: np.ndarray, c: Any) -> np.ndarray:
    return (x[:, 0] > M_MIN) & (x[:, 2] - x[:, 1] > COLLAPSE)


RSB_KEYS = ("m", "q0", "q1", "theta", "mu", "f", "curvature")


def _x_rsb(P: int, out: dict[str, np.ndarray], sel, zero: bool) -> np.ndarray:
    """Order parameters of the compiled 1RSB model (T = 0: nu = mu/(P-1)!)."""
    if zero:
        return np.stack([out["m"][sel], out["q0"][sel],
                         out["mu"][sel] / math.factorial(P - 1)], axis=1)
    return np.stack([out[k][sel] for k in ("m", "q0", "q1", "theta")], axis=1)


def retrieval_rsb(P: int, alpha: np.ndarray, T: np.ndarray, rs: dict[str, np.ndarray],
                  extend: bool = True):
    """1RSB retrieval on the grid alpha x T, seeded by the RS retrieval ``rs``.

    At every point with an RS solution the Parisi parameter is scanned (``THETA_GRID`` from
    1 down at T > 0, ``NU_GRID`` at T = 0) with the other order parameters solved, and the
    root of ``df/dtheta`` refined.  No root at T > 0 (above the AT line): the 1RSB solution is
    the RS one (``theta = 1``, ``q0 = q1 = q``, ``rsb = False``).  Past the last RS load the
    1RSB solution is continued in alpha.  Returns a dict of (nA, nT) arrays, status and rsb.
    """
    nA, nT = alpha.size, T.size
    out = {k: np.full((nA, nT), np.nan) for k in RSB_KEYS}
    status = np.full((nA, nT), NO_SOLUTION, dtype=np.int8)
    rsb = np.zeros((nA, nT), dtype=bool)
    A, TT = np.meshgrid(alpha, T, indexing="ij")
    have = np.isfinite(rs["m"]) & (A > 0)
    # alpha = 0: no cross-talk, 1RSB = RS
    a0 = np.isfinite(rs["m"]) & (A == 0)
    for k, src in (("m", "m"), ("q0", "q"), ("q1", "q"), ("f", "f"), ("curvature", "curvature")):
        out[k][a0] = rs[src][a0]
    out["theta"][a0] = 1.0
    status[a0] = CONVERGED
    z = np.flatnonzero((have & (TT == 0)).ravel())
    if z.size:
        cf0 = compiled(P, "rsb0")
        m = rs["m"].ravel()[z]
        x0 = np.stack([m, np.full(z.size, 1 - 1e-3), np.full(z.size, NU_GRID[0])], axis=1)
        ctrl = {"alpha": A.ravel()[z]}
        pre = solve_points(cf0, x0, ctrl, fixed={"nu": NU_GRID[0]})
        x0 = np.where(pre.converged[:, None], pre.x, x0)
        res = optimize_parameter(cf0, x0, ctrl, "nu",
                                 np.broadcast_to(NU_GRID, (z.size, NU_GRID.size)),
                                 accept=_accept_rsb_t0)
        ok = res.converged
        idx = np.unravel_index(z[ok], A.shape)
        out["m"][idx], out["q0"][idx] = res.x[ok, 0], res.x[ok, 1]
        out["mu"][idx] = res.x[ok, 2] * math.factorial(P - 1)
        out["q1"][idx], out["theta"][idx] = 1.0, 0.0
        if ok.any():
            out["f"][idx] = cf0.f(res.x[ok], {"alpha": ctrl["alpha"][ok]})
        status[np.unravel_index(z, A.shape)] = res.status
        rsb[idx] = True
        # no root because the broken solution has collapsed (1 - q0 below round-off at
        # every mu: the RSB gain is exponentially small at low load): 1RSB = RS
        bad = np.flatnonzero(~ok)
        if bad.size:
            chk = solve_points(cf0, res.x[bad] if np.isfinite(res.x[bad]).all() else x0[bad],
                               {"alpha": ctrl["alpha"][bad]}, fixed={"nu": NU_GRID[-1]})
            col = bad[chk.converged & (1.0 - chk.x[:, 1] < 1e-6)]
            fidx = np.unravel_index(z[col], A.shape)
            for k, src in (("m", "m"), ("f", "f")):
                out[k][fidx] = rs[src][fidx]
            out["q0"][fidx], out["q1"][fidx], out["theta"][fidx] = 1.0, 1.0, 0.0
            status[fidx] = CONVERGED
    w = np.flatnonzero((have & (TT > 0)).ravel())
    if w.size:
        cf = compiled(P, "rsb")
        b = 1.0 / TT.ravel()[w]
        m, q = rs["m"].ravel()[w], rs["q"].ravel()[w]
        ctrl = {"alpha": A.ravel()[w], "beta": b}
        x0 = np.stack([m, q, 1.0 - 0.1 * (1.0 - q), np.ones(w.size)], axis=1)
        r1 = solve_points(cf, x0, ctrl, fixed={"theta": 1.0}, accept=_accept_rsb)
        broken = np.zeros(w.size, dtype=bool)
        xs = np.full((w.size, 4), np.nan)
        hv = np.flatnonzero(r1.converged)
        if hv.size:
            sub = {k: v[hv] for k, v in ctrl.items()}
            res = optimize_parameter(cf, r1.x[hv], sub, "theta",
                                     np.broadcast_to(THETA_GRID, (hv.size, THETA_GRID.size)),
                                     accept=_accept_rsb)
            okr = res.converged & (res.x[:, 3] < 1.0)
            broken[hv[okr]] = True
            xs[hv[okr]] = res.x[okr]
        idx = np.unravel_index(w[broken], A.shape)
        for k, j in (("m", 0), ("q0", 1), ("q1", 2), ("theta", 3)):
            out[k][idx] = xs[broken, j]
        out["mu"][idx] = xs[broken, 3] * b[broken]
        if broken.any():
            out["f"][idx] = cf.f(xs[broken], {k: v[broken] for k, v in ctrl.items()})
        flat = np.unravel_index(w[~broken], A.shape)
        for k, src in (("m", "m"), ("q0", "q"), ("q1", "q"), ("f", "f")):
            out[k][flat] = rs[src][flat]
        out["theta"][flat] = 1.0
        out["mu"][flat] = b[~broken]
        rsb[idx] = True
        status[np.unravel_index(w, A.shape)] = CONVERGED
    if extend:
        _extend_beyond_rs(P, out, status, rsb, alpha, T, rs["ends_alpha"])
    _curvature(P, out, rs, A, TT, rsb)
    return out, status, rsb


def _curvature(P, out, rs, A, TT, rsb) -> None:
    for zero in (True, False):
        sel = rsb & ((TT == 0) if zero else (TT > 0)) & np.isfinite(out["m"])
        if not sel.any():
            continue
        cf = compiled(P, "rsb0" if zero else "rsb")
        ctrl = {"alpha": A[sel]} if zero else {"alpha": A[sel], "beta": 1.0 / TT[sel]}
        out["curvature"][sel] = cf.stability(_x_rsb(P, out, sel, zero), ctrl)["curvature"]
    flat = ~rsb & np.isfinite(out["m"])
    out["curvature"][flat] = rs["curvature"][flat]


def _extend_beyond_rs(P, out, status, rsb, a, t, ends_a) -> None:
    """Continue the 1RSB retrieval in alpha past the end of the RS branch.

    Per T the 1RSB solution at the end of the RS line (``ends_a`` of :func:`retrieval_rs`:
    the last load of the fixed reference path, refined by ``END_REFINE`` near the end, with
    an RS solution; the same for every grid) is continued along the fixed loads
    ``end (1 + EXTEND_PATH)`` (:func:`theory.symbolic.solve.reach_points`), and each point
    is reached from the largest of them below it: a point's result depends on the point only.
    """
    with np.errstate(invalid="ignore"):
        need = (status == NO_SOLUTION) & (a[:, None] > ends_a[None, :])
    for j in np.flatnonzero(need.any(axis=0)):
        Tv = float(t[j])
        zero = Tv == 0
        ea, et = ends_a[j:j + 1], t[j:j + 1]
        e_out, _, e_rsb = retrieval_rsb(P, ea, et, retrieval_rs(P, ea, et), extend=False)
        if not e_rsb[0, 0]:
            continue
        cf = compiled(P, "rsb0" if zero else "rsb")
        pts = np.flatnonzero(need[:, j])
        path = ea[0] * (1.0 + EXTEND_PATH)
        path = np.concatenate([ea, path[path < a[pts].max()]])
        other = {} if zero else {"beta": np.array([1.0 / Tv])}
        res, _, _ = reach_points(cf, _x_rsb(P, e_out, np.ones((1, 1), dtype=bool), zero), path,
                                 a[pts], "alpha", other,
                                 accept=_accept_rsb_t0 if zero else _accept_rsb, max_jump=0.05)
        names = ("m", "q0") if zero else ("m", "q0", "q1", "theta")
        for k, i in enumerate(pts):
            status[i, j] = res.status[0, k]
            if not res.converged[0, k]:
                continue
            x = res.x[0, k]
            for nm, v in zip(names, x[:len(names)], strict=True):
                out[nm][i, j] = v
            ctrl = {"alpha": a[i]} if zero else {"alpha": a[i], "beta": 1.0 / Tv}
            if zero:
                out["q1"][i, j], out["theta"][i, j] = 1.0, 0.0
                out["mu"][i, j] = x[2] * math.factorial(P - 1)
            else:
                out["mu"][i, j] = x[3] / Tv
            out["f"][i, j] = cf.f(x[None], ctrl)[0]
            rsb[i, j] = True
