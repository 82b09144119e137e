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
#: T = 0 (mu = theta/T; the energies scale like ``1/(P-1)!``, see
#: :func:`theory.dense.models.rsb_zero`).
THETA_GRID = np.concatenate([np.linspace(1.0, 0.5, 11), np.linspace(0.45, 0.05, 9)])
NU_GRID = np.geomspace(0.05, 1e4, 60)
#: At low T > 0 the root of the Parisi parameter, ``theta ~ mu(T = 0) T``, lies below
#: ``THETA_GRID``, and from theta = 1 down the scan runs into q1 = 1. Where a root with
#: ``nu = mu/(P-1)! > NU_SEED`` could lie below the grid and none was found on it, the
#: low-temperature model (:func:`theory.dense.models.rsb_low_temperature`, exact to O(T^2))
#: predicts the root theta_p; Newton starts there (where it fails, a scan on
#: ``theta_p SEED_BRACKET``). The retrieval's nu is above 4 at T = 0 for every P = 3..6
#: tested, and grows as the load falls.
NU_SEED = 1.0
SEED_BRACKET = np.array([2.0, 1.4, 1.0, 0.7, 0.5])
#: Starts of q0 for the broken T = 0 solution at the first ``NU_GRID`` value (tried in turn).
PRE_Q0 = (1 - 1e-2, 1 - 1e-3)
#: q1 - q0 (or 1 - q0 at T = 0) below which a 1RSB solution has collapsed onto RS.
COLLAPSE = 1e-8
#: 1 - q1 below which a 1RSB solution at T >= T_LOW sits on the bound q1 = 1.
Q1_BOUND = 1e-12
#: Smallest overlap accepted on the retrieval branch (the m = 0 root is always a solution).
M_MIN = 1e-3

_KINDS = {"rs": dm.rs, "rslow": dm.rs_low_temperature, "rsb": dm.rsb,
          "rsblow": dm.rsb_low_temperature, "rs0": dm.rs_zero, "rsb0": dm.rsb_zero,
          "cw": dm.curie_weiss, "cw0": dm.curie_weiss_zero,
          "2rsb0": lambda P: dm.krsb_zero(P, 2)}


@cache
def compiled(P: int, kind: str) -> CompiledFreeEnergy:
    """Compiled free energy ``kind`` in {rs, rslow, rsb, rsblow, rs0, rsb0, 2rsb0, cw, cw0}
    (cached per process; rslow and rsblow: RS and 1RSB at low T, with ``q(1) = 1 - C T``;
    2rsb0: 2RSB at T = 0)."""
    return _KINDS[kind](P).compile()


def beta_of(T: np.ndarray) -> np.ndarray:
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)


#: Below this temperature the RS retrieval and spin glass are solved in (m, C = beta (1-q))
#: by :func:`theory.dense.models.rs_low_temperature` (1RSB: ``rsb_low_temperature``),
#: exact to O(T^2) (3e-11 in f at
#: T = 1e-5, P = 3; ``tests/theory/test_dense.py``), so that T down to 1e-300 joins T = 0.
T_LOW = 1e-6
RS_KIND = {"zero": "rs0", "low": "rslow", "hot": "rs"}
#: The compiled 1RSB model per regime: at T = 0 (m, q0, nu), at 0 < T < T_LOW
#: (m, q0, C, nu) with q1 = 1 - C T and theta = (P-1)! nu T, else (m, q0, q1, theta).
RSB_KIND = {"zero": "rsb0", "low": "rsblow", "hot": "rsb"}
RSB_NAMES = {"zero": ("m", "q0", "nu"), "low": ("m", "q0", "C", "nu"),
              "hot": ("m", "q0", "q1", "theta")}


def regime_of(T: np.ndarray) -> np.ndarray:
    """'zero', 'low' (0 < T < T_LOW) or 'hot' per temperature."""
    T = np.asarray(T, dtype=float)
    return np.where(T == 0, "zero", np.where(T < T_LOW, "low", "hot"))


def _rsb_controls(regime: str, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    return {"alpha": alpha} if regime == "zero" else {"alpha": alpha, "beta": 1.0 / T}


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
    keys = ("m", "q", "f", "curvature", "replicon", "C")
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
        cols = np.flatnonzero(regime_of(T) == regime)
        cols = cols[cw["status"][cols] == CONVERGED]
        if cols.size == 0:
            continue
        cf = compiled(P, RS_KIND[regime])
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
            if regime == "low":
                out["C"][rows, col] = x[:, -1]
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
        # at large P the root at g0 lies below THETA_GRID (0.03 at P = 6): scan on down
        grid = np.concatenate([THETA_GRID[1:], np.geomspace(THETA_GRID[-1], 1e-4, 17)[1:]])
        r = optimize_parameter(cf, r1.x, ctrl, "theta", grid[None, :], fixed=fix,
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
    low = np.flatnonzero((regime_of(T) == "low") & (alpha > 0))
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
    hot = np.flatnonzero((regime_of(T) == "hot") & (alpha > 0))
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
    out = {k: np.full(n, np.nan) for k in ("m", "q0", "q1", "theta", "mu", "f", "C")}
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    fix = {"m": 0.0, "q0": 0.0}
    rg_of = regime_of(T)
    for rg in ("zero", "low"):
        z = np.flatnonzero((rg_of == rg) & (alpha > 0))
        if z.size == 0:
            continue
        cf = compiled(P, RSB_KIND[rg])
        ctrl = _rsb_controls(rg, alpha[z], T[z])
        r = _sg_expansion(P, rg, ctrl)
        ok = r.converged
        _store_rsb(P, out, z[ok], r.x[ok], rg, T[z[ok]])
        out["f"][z[ok]] = cf.f(r.x[ok], {k: v[ok] for k, v in ctrl.items()})
        status[z] = r.status
    hot = np.flatnonzero((rg_of == "hot") & (alpha > 0))
    if hot.size:
        cf = compiled(P, "rsb")
        ctrl = _rsb_controls("hot", alpha[hot], T[hot])
        g = ctrl["alpha"] * ctrl["beta"] ** 2
        curve = spin_glass_curve(P, "1RSB")
        x0 = np.full((hot.size, 4), np.nan)
        if curve["g"].size:
            # the traced curve stops at the last grid point below the static transition;
            # points between it and the transition start from its end (accept: theta < 1)
            x0 = _sg_start(P, "1RSB", g)
            x0[g < 0.8 * curve["g"].min()] = np.nan
        # beyond the traced curve (low T) the start is the low-temperature expansion
        far = np.flatnonzero(g > curve["g"].max()) if curve["g"].size else np.arange(hot.size)
        if far.size:
            r = _sg_expansion(P, "low", {k: v[far] for k, v in ctrl.items()})
            v = dict(zip(RSB_NAMES["low"], r.x.T, strict=True))
            mu = v["nu"] * math.factorial(P - 1)
            x0[far] = np.stack([v["m"], v["q0"], 1.0 - v["C"] * T[hot[far]],
                                mu * T[hot[far]]], axis=1)
        inside = np.flatnonzero(np.isfinite(x0).all(axis=1))
        if inside.size:
            sub = {k: v[inside] for k, v in ctrl.items()}
            r = solve_points(cf, x0[inside], sub, fixed=fix,
                             accept=lambda x, c: _accept_sg_rsb(x, c) & (x[:, 3] < 1.0)
                             & (1.0 - x[:, 2] > Q1_BOUND))
            ok = r.converged
            _store_rsb(P, out, hot[inside[ok]], r.x[ok], "hot", T[hot[inside[ok]]])
            out["f"][hot[inside[ok]]] = cf.f(r.x[ok], {k: v[ok] for k, v in sub.items()})
            status[hot[inside]] = r.status
    out["status"] = status
    return out


def _sg_expansion(P: int, regime: str, ctrl: dict[str, np.ndarray]):
    """The 1RSB spin glass of the T = 0 or low-T model (m = q0 = 0): from
    ``nu = 2/sqrt(alpha (P-1)!)`` and, at low T, the RS value ``C = 2 phi(0)/sqrt(xi'(1))``
    (the noise amplitude is ``sqrt(alpha/(P-1)!)``)."""
    a = ctrl["alpha"]
    cols = [np.zeros(a.size), np.zeros(a.size), 2.0 / np.sqrt(a * math.factorial(P - 1))]
    if regime == "low":
        cols.insert(2, math.sqrt(2.0 / math.pi) / np.sqrt(a / math.factorial(P - 1)))
    return solve_points(compiled(P, RSB_KIND[regime]), np.stack(cols, axis=1), ctrl,
                        fixed={"m": 0.0, "q0": 0.0},
                        accept=lambda x, c: (x[:, 2:] > 0).all(axis=1))


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
    """T = 0, (m, q0, nu): m > 0, q0 below q1 = 1, nu > 0."""
    return (x[:, 0] > M_MIN) & (1.0 - x[:, 1] > COLLAPSE) & (x[:, 2] > 0)


def _accept_rsb_low(x: np.ndarray, c: Any) -> np.ndarray:
    """Low T, (m, q0, C, nu): m > 0, q0 below q1 = 1 - C T, C and nu > 0."""
    return ((x[:, 0] > M_MIN) & (1.0 - x[:, 2] / c["beta"] - x[:, 1] > COLLAPSE)
            & (x[:, 2:] > 0).all(axis=1))


def _accept_rsb(x: np.ndarray, c: Any) -> np.ndarray:
    """T >= T_LOW: m > 0 and q0 < q1 < 1. A q1 within ``Q1_BOUND`` of 1 is its bound, not
    a stationary point (Newton reports such points where the Jacobian is singular there);
    at T >= T_LOW a stationary q1 has ``1 - q1 = C T >= 1e-6 C``."""
    return (x[:, 0] > M_MIN) & (x[:, 2] - x[:, 1] > COLLAPSE) & (1.0 - x[:, 2] > Q1_BOUND)


_RSB_ACCEPT = {"zero": _accept_rsb_t0, "low": _accept_rsb_low, "hot": _accept_rsb}
RSB_KEYS = ("m", "q0", "q1", "theta", "mu", "f", "curvature", "C")


def _x_rsb(P: int, out: dict[str, np.ndarray], sel, regime: str) -> np.ndarray:
    """Order parameters of the compiled 1RSB model of ``regime`` (:data:`RSB_NAMES`)."""
    v = {k: out[k][sel] for k in ("m", "q0", "q1", "theta", "C")}
    v["nu"] = out["mu"][sel] / math.factorial(P - 1)
    return np.stack([v[k] for k in RSB_NAMES[regime]], axis=1)


def _store_rsb(P: int, out: dict[str, np.ndarray], idx, x: np.ndarray, regime: str,
               T: np.ndarray) -> None:
    """Write the solutions ``x`` of the ``regime`` model at ``idx`` (temperatures ``T``)."""
    v = dict(zip(RSB_NAMES[regime], x.T, strict=True))
    out["m"][idx], out["q0"][idx] = v["m"], v["q0"]
    if regime == "hot":
        out["q1"][idx], out["theta"][idx], out["mu"][idx] = v["q1"], v["theta"], v["theta"] / T
        return
    out["mu"][idx] = v["nu"] * math.factorial(P - 1)
    out["theta"][idx] = out["mu"][idx] * T
    out["C"][idx] = v.get("C", np.nan)
    out["q1"][idx] = 1.0 - v["C"] * T if regime == "low" else 1.0


def _nu_scan(P: int, regime: str, m: np.ndarray, ctrl: dict[str, np.ndarray]):
    """The 1RSB retrieval of the T = 0 or low-T model from the RS overlaps ``m``: a scan of
    ``nu`` over ``NU_GRID`` with the other order parameters solved. Returns the
    :class:`SolveResult` and the starting points."""
    n = m.size
    x0 = np.stack([m, np.full(n, 1 - 1e-3), np.full(n, NU_GRID[0])], axis=1)
    # the broken solution at the first nu, at T = 0 (where the RS one, q0 = 1, lies on the
    # bound); at low T the RS solution q0 = q1 = 1 - C T is a stationary point too, and the
    # T = 0 one is the start that avoids it. Newton from each of PRE_Q0 in turn: from
    # q0 = 1 - 1e-3 it can run into the RS root (P = 3, alpha = 0.12, m = 0.9075, where the
    # broken q0 is 0.914)
    todo = np.arange(n)
    for q0 in PRE_Q0:
        xs = x0[todo].copy()
        xs[:, 1] = q0
        pre = solve_points(compiled(P, "rsb0"), xs, {"alpha": ctrl["alpha"][todo]},
                           fixed={"nu": NU_GRID[0]}, accept=_accept_rsb_t0)
        x0[todo[pre.converged]] = pre.x[pre.converged]
        todo = todo[~pre.converged]
        if todo.size == 0:
            break
    cf = compiled(P, RSB_KIND[regime])
    accept = _RSB_ACCEPT[regime]
    if regime == "low":
        x0 = np.insert(x0, 2, 1.0, axis=1)  # C
        pre = solve_points(cf, x0, ctrl, fixed={"nu": NU_GRID[0]}, accept=accept)
        x0 = np.where(pre.converged[:, None], pre.x, x0)
    res = optimize_parameter(cf, x0, ctrl, "nu", np.broadcast_to(NU_GRID, (n, NU_GRID.size)),
                             accept=accept)
    return res, x0


def _scan_nu(P: int, out, status, rsb, rs, A, TT, z, regime: str) -> None:
    """1RSB retrieval at the flat points ``z`` at T = 0 or low T (:func:`_nu_scan`); where
    the broken solution has collapsed (``1 - q0`` below round-off at every nu: the RSB gain
    is exponentially small at low load) the 1RSB solution is the RS one."""
    cf = compiled(P, RSB_KIND[regime])
    T = TT.ravel()[z]
    ctrl = _rsb_controls(regime, A.ravel()[z], T)
    res, x0 = _nu_scan(P, regime, rs["m"].ravel()[z], ctrl)
    ok = res.converged
    idx = np.unravel_index(z[ok], A.shape)
    _store_rsb(P, out, idx, res.x[ok], regime, T[ok])
    if ok.any():
        out["f"][idx] = cf.f(res.x[ok], {k: v[ok] for k, v in ctrl.items()})
    status[np.unravel_index(z, A.shape)] = res.status
    rsb[idx] = True
    bad = np.flatnonzero(~ok)
    if bad.size:
        chk = solve_points(cf, res.x[bad] if np.isfinite(res.x[bad]).all() else x0[bad],
                           {k: v[bad] for k, v in ctrl.items()}, fixed={"nu": NU_GRID[-1]})
        col = bad[chk.converged & (1.0 - chk.x[:, 1] < 1e-6)]
        fidx = np.unravel_index(z[col], A.shape)
        for k, src in (("m", "m"), ("f", "f"), ("q0", "q"), ("q1", "q")):
            out[k][fidx] = rs[src][fidx]
        # RS: theta = 1 at T > 0 (mu = 1/T); at T = 0 theta = 0 and mu is undefined
        out["theta"][fidx] = 0.0 if regime == "zero" else 1.0
        out["mu"][fidx] = np.nan if regime == "zero" else 1.0 / T[col]
        status[fidx] = CONVERGED


def _seeded_theta(P: int, cf, m: np.ndarray, ctrl: dict[str, np.ndarray], T: np.ndarray):
    """The 1RSB root below ``THETA_GRID`` at low T: predicted by the low-T model
    (``NU_SEED``), then bracketed and solved in the exact model. Returns (x, found)."""
    seed, _ = _nu_scan(P, "low", m, ctrl)
    x = np.full((m.size, 4), np.nan)
    found = np.zeros(m.size, dtype=bool)
    v = dict(zip(RSB_NAMES["low"], seed.x.T, strict=True))
    theta_p = v["nu"] * math.factorial(P - 1) * T
    use = np.flatnonzero(seed.converged & (theta_p < THETA_GRID[-1]))
    if use.size == 0:
        return x, found
    x0 = np.stack([v["m"], v["q0"], 1.0 - v["C"] * T, theta_p], axis=1)[use]
    sub = {k: val[use] for k, val in ctrl.items()}
    # Newton from the prediction (an O(T^2) error), else the bracket scan
    res = solve_points(cf, x0, sub, accept=_accept_rsb)
    ok = res.converged & (res.x[:, 3] < 1.0)
    x[use[ok]] = res.x[ok]
    found[use[ok]] = True
    rest = np.flatnonzero(~ok)
    if rest.size:
        grid = np.minimum(theta_p[use[rest], None] * SEED_BRACKET[None, :], 1.0 - 1e-9)
        res = optimize_parameter(cf, x0[rest], {k: val[rest] for k, val in sub.items()},
                                 "theta", grid, accept=_accept_rsb)
        ok = res.converged & (res.x[:, 3] < 1.0)
        x[use[rest[ok]]] = res.x[ok]
        found[use[rest[ok]]] = True
    return x, found


def _scan_theta(P: int, out, status, rsb, rs, A, TT, w) -> None:
    """1RSB retrieval at the flat points ``w`` with T >= T_LOW: the Parisi parameter scanned
    on ``THETA_GRID`` from 1 down, and below it from the low-T prediction
    (:func:`_seeded_theta`); no root: the 1RSB solution is the RS one (``theta = 1``,
    ``q0 = q1 = q``, ``rsb = False``)."""
    cf = compiled(P, "rsb")
    T = TT.ravel()[w]
    m, q = rs["m"].ravel()[w], rs["q"].ravel()[w]
    ctrl = _rsb_controls("hot", A.ravel()[w], T)
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
    low = np.flatnonzero(~broken & (NU_SEED * math.factorial(P - 1) * T < THETA_GRID[-1]))
    if low.size:
        x, found = _seeded_theta(P, cf, m[low], {k: v[low] for k, v in ctrl.items()}, T[low])
        broken[low[found]] = True
        xs[low[found]] = x[found]
    idx = np.unravel_index(w[broken], A.shape)
    _store_rsb(P, out, idx, xs[broken], "hot", T[broken])
    if broken.any():
        out["f"][idx] = cf.f(xs[broken], {k: v[broken] for k, v in ctrl.items()})
    flat = np.unravel_index(w[~broken], A.shape)
    for k, src in (("m", "m"), ("q0", "q"), ("q1", "q"), ("f", "f")):
        out[k][flat] = rs[src][flat]
    out["theta"][flat] = 1.0
    out["mu"][flat] = 1.0 / T[~broken]
    rsb[idx] = True
    status[np.unravel_index(w, A.shape)] = CONVERGED


def retrieval_rsb(P: int, alpha: np.ndarray, T: np.ndarray, rs: dict[str, np.ndarray],
                  extend: bool = True):
    """1RSB retrieval on the grid alpha x T, seeded by the RS retrieval ``rs``.

    At every point with an RS solution the Parisi parameter is scanned (from theta = 1 down
    at T >= T_LOW, :func:`_scan_theta`; ``NU_GRID`` at T = 0 and low T, :func:`_scan_nu`)
    with the other order parameters solved, and the root of its equation refined.  No root
    at T > 0 (above the AT line): the 1RSB solution is the RS one (``theta = 1``,
    ``q0 = q1 = q``, ``rsb = False``).  Past the last RS load the 1RSB solution is continued
    in alpha.  Returns a dict of (nA, nT) arrays, status and rsb.
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
    regime = np.broadcast_to(regime_of(T)[None, :], A.shape)
    for rg in ("zero", "low"):
        z = np.flatnonzero((have & (regime == rg)).ravel())
        if z.size:
            _scan_nu(P, out, status, rsb, rs, A, TT, z, rg)
    w = np.flatnonzero((have & (regime == "hot")).ravel())
    if w.size:
        _scan_theta(P, out, status, rsb, rs, A, TT, w)
    if extend:
        _extend_beyond_rs(P, out, status, rsb, alpha, T, rs["ends_alpha"])
    _curvature(P, out, rs, A, TT, rsb)
    return out, status, rsb


#: Below this T the 1RSB curvature is that of the low-T model at the exact solution: the
#: exact model's Hessian loses digits as 1 - q1 -> 0 (relative error 7e-5 at T = 1e-5 and
#: 10 % at 1e-6, P = 3), the low-T model's is O(T^2) (1e-7 at T = 1e-4).
CURVATURE_LOW = 1e-4


def _curvature(P, out, rs, A, TT, rsb) -> None:
    regime = regime_of(TT)
    low = (regime == "hot") & (TT < CURVATURE_LOW)
    with np.errstate(divide="ignore", invalid="ignore"):
        C = np.where(low, (1.0 - out["q1"]) / TT, out["C"])
    view = {**out, "C": C}
    for rg, kind in RSB_KIND.items():
        sel = rsb & np.isfinite(out["m"]) & ((regime == rg) & ~low if rg != "low"
                                             else (regime == "low") | low)
        if sel.any():
            cf = compiled(P, kind)
            ctrl = _rsb_controls(rg, A[sel], TT[sel])
            out["curvature"][sel] = cf.stability(_x_rsb(P, view, sel, rg), ctrl)["curvature"]
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
        rg = str(regime_of(t[j]))
        ea, et = ends_a[j:j + 1], t[j:j + 1]
        e_out, _, e_rsb = retrieval_rsb(P, ea, et, retrieval_rs(P, ea, et), extend=False)
        if not e_rsb[0, 0]:
            continue
        cf = compiled(P, RSB_KIND[rg])
        pts = np.flatnonzero(need[:, j])
        path = ea[0] * (1.0 + EXTEND_PATH)
        path = np.concatenate([ea, path[path < a[pts].max()]])
        other = {k: v for k, v in _rsb_controls(rg, ea, et).items() if k != "alpha"}
        res, _, _ = reach_points(cf, _x_rsb(P, e_out, np.ones((1, 1), dtype=bool), rg), path,
                                 a[pts], "alpha", other,
                                 accept=_RSB_ACCEPT[rg], max_jump=0.05)
        status[pts, j] = res.status[0]
        ok = res.converged[0]
        rows = pts[ok]
        if rows.size == 0:
            continue
        tt = np.full(rows.size, t[j])
        _store_rsb(P, out, (rows, j), res.x[0, ok], rg, tt)
        out["f"][rows, j] = cf.f(res.x[0, ok], _rsb_controls(rg, a[rows], tt))
        rsb[rows, j] = True
