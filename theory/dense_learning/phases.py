"""Dense networks trained on examples on a grid of loads, datasets and temperatures: every
RS branch and the phase (see :mod:`theory.dense_learning`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from assoc.validation import check_grid, check_int

from .._numerics.solver import CONVERGED, NO_SOLUTION
from ..dense import branches as dbr
from ..dense.glass import _m0_sector
from ..symbolic.solve import reach_points, solve_points
from . import laws
from . import models as lm
from .common import BRANCHES, _check_common, _finalize

#: Smallest overlap n accepted on the retrieval branch (n = 0 is always a solution).
N_MIN = 1e-3


def _accept(x: np.ndarray, c: Any) -> np.ndarray:
    return x[:, 0] > N_MIN


def _law_grid(r: Any, M: Any, rho: Any, protocol: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The dataset axes and their flat product: ``{'r': .., 'M': ..}`` (exact law) or
    ``{'rho': ..}`` (``M -> infinity`` at fixed rho, supervised)."""
    if rho is not None:
        if r is not None or M is not None:
            raise ValueError("give either rho (the supervised limit M -> infinity at fixed rho) "
                             "or r and M (the exact example average), not both")
        if protocol != "supervised":
            raise ValueError("rho without M (M -> infinity at fixed rho) exists only for "
                             "protocol='supervised': unsupervised, the cross-talk diverges in "
                             "that limit; give r and M")
        rh = check_grid("rho", rho, low=0.0, low_open=True)
        return {"rho": rh}, {"rho": rh}
    if r is None or M is None:
        raise ValueError("give r and M (or rho, for the supervised limit M -> infinity)")
    rr = check_grid("r", r, low=0.0, high=1.0, low_open=True)
    Ms = np.atleast_1d(np.asarray(M))
    if Ms.ndim != 1:
        raise ValueError(f"M must be a scalar or a 1-D array (got shape {Ms.shape})")
    Ms = np.array([check_int("M", m, low=1) for m in Ms.tolist()], dtype=int)
    R, MM = np.meshgrid(rr, Ms, indexing="ij")
    return {"r": rr, "M": Ms}, {"r": R.ravel(), "M": MM.ravel().astype(float)}


def _low_load(P: int, protocol: str, gaussian: bool, law: dict[str, np.ndarray],
              T: np.ndarray) -> dict[str, np.ndarray]:
    """Retrieval at alpha = 0 on the flat lines (law point, T): n, m, q, f, curvature."""
    L = T.size
    out = {k: np.full(L, np.nan) for k in ("n", "m", "q", "f", "curvature")}
    status = np.full(L, NO_SOLUTION, dtype=np.int8)
    c, w = (None, None) if gaussian else laws.atoms(law["r"], law["M"])
    for zero in (True, False):
        idx = np.flatnonzero((T == 0) == zero)
        if idx.size == 0:
            continue
        cf = laws.compiled(P, protocol, gaussian, "low0" if zero else "low")
        ctrl = {k: v[idx] for k, v in law.items()}
        if not zero:
            ctrl["beta"] = 1.0 / T[idx]
        # the T = 0 root n = E|c| (T > 0: the retrieval lies below it)
        if gaussian:
            rh = law["rho"][idx]
            x0 = (_erf_over_gauss(1.0, rh) + np.sqrt(2 * rh / np.pi) * np.exp(-0.5 / rh))
        else:
            x0 = (w[idx] * np.abs(c[idx])).sum(1)
        x0 = x0[:, None]
        res = solve_points(cf, x0, ctrl, accept=_accept)
        ok = res.converged
        status[idx] = res.status
        if not ok.any():
            continue
        x, sub, rows = res.x[ok], {k: v[ok] for k, v in ctrl.items()}, idx[ok]
        out["n"][rows] = x[:, 0]
        out["f"][rows] = cf.f(x, sub)
        out["curvature"][rows] = cf.stability(x, sub)["curvature"]
        s = laws.signal(P, x[:, 0])
        if gaussian:
            rho = sub["rho"]
            if zero:
                out["m"][rows], out["q"][rows] = _erf_over_gauss(1.0, rho), 1.0
            else:
                out["m"][rows], out["q"][rows] = (
                    cf.observe(f"m{k}", lm.low_load_moment(P, k), x, sub) for k in (1, 2))
        else:
            cc, ww = c[rows], w[rows]
            t = np.sign(cc) if zero else np.tanh(sub["beta"][:, None] * cc * s[:, None])
            out["m"][rows], out["q"][rows] = (ww * t).sum(1), (ww * t * t).sum(1)
    out["status"] = status
    return out


def _erf_over_gauss(a: Any, rho: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    with np.errstate(divide="ignore"):
        return erf(a / np.sqrt(2.0 * rho))


def _overlap_t0(P: int, gaussian: bool, law: dict[str, np.ndarray], alpha: np.ndarray,
                v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``m = E_c erf(c s(n)/sqrt(2 (rho s^2 + xi'(1))))`` at T = 0, alpha > 0."""
    from scipy.special import erf, factorial

    s = laws.signal(P, n)
    sig2 = alpha * v / factorial(P - 1)
    if gaussian:
        return erf(s / np.sqrt(2.0 * (law["rho"] * s * s + sig2)))
    c, w = laws.atoms(law["r"], law["M"])
    return (w * erf(c * s[:, None] / np.sqrt(2.0 * sig2)[:, None])).sum(1)


def _retrieval(P: int, protocol: str, gaussian: bool, law: dict[str, np.ndarray],
               v: np.ndarray, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """RS retrieval on (alpha, line), continued in alpha from the low-load end of each line
    (the lines are the flat (law point, T) pairs).  Also ``ends_alpha``, the last reference
    load a line reached, and ``ends_x`` (L, 2), its solution there (T = 0: n, NaN)."""
    nA, L = alpha.size, T.size
    keys = ("n", "m", "q", "f", "curvature", "replicon")
    out = {k: np.full((nA, L), np.nan) for k in keys}
    status = np.full((nA, L), NO_SOLUTION, dtype=np.int8)
    low = _low_load(P, protocol, gaussian, law, T)
    a0 = np.flatnonzero(alpha == 0)
    for k in ("n", "m", "q", "f", "curvature"):
        out[k][a0] = low[k][None, :]
    out["replicon"][a0] = np.where(np.isfinite(low["n"]), 1.0, np.nan)[None, :]
    status[a0] = low["status"][None, :]
    ends, ends_x = np.full(L, np.nan), np.full((L, 2), np.nan)
    pos = np.flatnonzero(alpha > 0)
    if pos.size == 0:
        return {**out, "status": status, "ends_alpha": ends, "ends_x": ends_x}
    a_start = min(dbr.ALPHA_START, 0.5 * float(alpha[pos].min()))
    ref = dbr.REF_ALPHA[:np.searchsorted(dbr.REF_ALPHA, alpha.max()) + 1]
    path = np.concatenate([[a_start], ref[ref > a_start]])
    for zero in (True, False):
        lines = np.flatnonzero(((T == 0) == zero) & (low["status"] == CONVERGED))
        if lines.size == 0:
            continue
        cf = laws.compiled(P, protocol, gaussian, "rs0" if zero else "rs")
        other = {k: val[lines] for k, val in law.items()}
        if zero:
            x0 = low["n"][lines][:, None]
        else:
            other["beta"] = 1.0 / T[lines]
            x0 = np.stack([low["n"][lines], low["q"][lines]], axis=1)
        start = solve_points(cf, x0, {"alpha": a_start, **other}, accept=_accept)
        ok_l = np.flatnonzero(start.converged)
        if ok_l.size == 0:
            continue
        lines, other = lines[ok_l], {k: val[ok_l] for k, val in other.items()}
        res, end, end_x = reach_points(cf, start.x[ok_l], path, alpha[pos], "alpha", other,
                                       accept=_accept, max_jump=0.15, refine=dbr.END_REFINE)
        ends[lines] = end
        ends_x[lines, :end_x.shape[1]] = end_x
        for li, line in enumerate(lines):
            status[pos, line] = res.status[li]
            ok = res.converged[li]
            rows = pos[ok]
            if rows.size == 0:
                continue
            x = res.x[li][ok]
            ctrl = {"alpha": alpha[rows], **{k: np.full(rows.size, val[li])
                                             for k, val in other.items()}}
            out["n"][rows, line] = x[:, 0]
            out["f"][rows, line] = cf.f(x, ctrl)
            st = cf.stability(x, ctrl)
            out["curvature"][rows, line] = st["curvature"]
            if zero:
                out["q"][rows, line] = 1.0
                out["replicon"][rows, line] = -np.inf  # beta^2 E sech^4 ~ beta
                lw = {k: np.full(rows.size, val[line]) for k, val in law.items()}
                out["m"][rows, line] = _overlap_t0(P, gaussian, lw, alpha[rows],
                                                   np.full(rows.size, v[line]), x[:, 0])
            else:
                out["q"][rows, line] = x[:, 1]
                out["replicon"][rows, line] = st["replicon"]
                out["m"][rows, line] = cf.observe("m", lm.archetype_overlap(P), x, ctrl)
    return {**out, "status": status, "ends_alpha": ends, "ends_x": ends_x}


def solve(P: int, alpha: Any, T: Any, *, r: Any = None, M: Any = None, rho: Any = None,
          protocol: str = "supervised", load: str = "storage",
          N: int | None = None) -> xr.Dataset:
    """RS retrieval, spin-glass and paramagnetic branches of a dense network trained on
    examples, on the grid ``alpha x (r x M, or rho) x T``.

    Parameters
    ----------
    P : int >= 3
        Interaction order.
    alpha : float or 1-D array, >= 0
        Load: ``K = alpha N^(P-1)`` (``load='storage'``) or ``K = alpha N``
        (``load='detection'``); 0 is the low-load limit.
    T : float or 1-D array, >= 0
        Temperature; T = 0 uses the exact zero-temperature free energy.
    r : float or 1-D array in (0, 1], and M : int or 1-D array >= 1
        Example quality and examples per archetype: the example average is exact in M.
    rho : float or 1-D array > 0, optional
        Instead of r and M: the supervised limit ``M -> infinity`` at fixed dataset entropy
        rho (Gaussian example average; the papers' large-M theory).
    protocol : {'supervised', 'unsupervised'}
    load : {'storage', 'detection'}
    N : int, optional
        Network size at ``load='detection'``: the cross-talk is that of the storage load
        ``alpha N^(2-P)``; None: its limit, the low-load theory at every alpha.

    Returns
    -------
    xarray.Dataset
        Dimensions ``(alpha, r, M, T, branch)`` (or ``(alpha, rho, T, branch)``), branch
        ``['retrieval', 'spin_glass', 'paramagnet']``: ``n`` (overlap with the coupling
        vector ``xihat = (1/(rM)) sum_a eta^a``; the example overlaps are ``r n``), ``m``
        (archetype overlap), ``m_example`` (``r n``, exact law only), ``q``, ``f``,
        ``replicon``, ``curvature`` (``d2 f/dn2`` with q at its saddle), ``converged``,
        ``status``, ``stable_rs`` (curvature > 0), ``stable`` (also replicon > 0), and over the
        controls ``phase`` (the stable branch of lowest f, the m = 0 state being the
        paramagnet above the static glass transition and the spin glass below it), ``rho``
        and ``variance_factor`` (v of the cross-talk ``xi(q) = alpha v q^P/P!``).

    Notes
    -----
    Free energy and derivation: :mod:`theory.dense_learning.models`.  Retrieval is continued
    in alpha from the low-load solution along the fixed loads of
    :data:`theory.dense.branches.REF_ALPHA` (a point's result does not depend on the other
    points).  The n = 0 branches see the examples only through ``alpha v``: they are the
    dense storage model's at load ``alpha v`` (:mod:`theory.dense.branches`).
    """
    P, protocol, load, N = _check_common(P, protocol, load, N)
    if P < 3:
        raise ValueError(f"P must be >= 3 for the replica theory (got {P}): at P = 2 the "
                         "cross-talk is not a P-spin glass")
    a = check_grid("alpha", alpha, low=0.0)
    t = check_grid("T", T, low=0.0)
    axes, law = _law_grid(r, M, rho, protocol)
    gaussian = "rho" in axes
    if gaussian:
        rho_l = law["rho"]
        v = laws.variance_factor(P, protocol, None, None, rho_l)
    else:
        rho_l = (1.0 - law["r"] ** 2) / (law["M"] * law["r"] ** 2)
        v = laws.variance_factor(P, protocol, law["r"], law["M"], rho_l)
    a_eff = a if load == "storage" else (a * float(N) ** (2 - P) if N is not None
                                         else np.zeros_like(a))
    nL, nT, nA, nb = rho_l.size, t.size, a.size, len(BRANCHES)
    # lines: (law point, T) flattened, law point major
    lawL = {k: np.repeat(val, nT) for k, val in law.items()}
    TL, vL = np.tile(t, nL), np.repeat(v, nT)
    ret = _retrieval(P, protocol, gaussian, lawL, vL, a_eff, TL)
    shape = (nA, nL * nT, nb)
    f, n, m, q = (np.full(shape, np.nan) for _ in range(4))
    repl, curv = np.full(shape, np.nan), np.full(shape, np.nan)
    status = np.full(shape, NO_SOLUTION, dtype=np.int8)
    stable_rs = np.zeros(shape, dtype=bool)
    for k, arr in (("n", n), ("m", m), ("q", q), ("f", f), ("replicon", repl),
                   ("curvature", curv)):
        arr[..., 0] = ret[k]
    status[..., 0] = ret["status"]
    stable_rs[..., 0] = (ret["status"] == CONVERGED) & (ret["curvature"] > 0)
    AV = a_eff[:, None] * vL[None, :]
    TT = np.broadcast_to(TL[None, :], AV.shape)
    sg = dbr.spin_glass_rs(P, AV.ravel(), TT.ravel())
    okg = (sg["status"] == CONVERGED).reshape(AV.shape)
    n[..., 1] = m[..., 1] = np.where(okg, 0.0, np.nan)
    q[..., 1], f[..., 1] = sg["q"].reshape(AV.shape), sg["f"].reshape(AV.shape)
    repl[..., 1], status[..., 1] = sg["replicon"].reshape(AV.shape), sg["status"].reshape(AV.shape)
    stable_rs[..., 1] = okg & (sg["slope"].reshape(AV.shape) < 1.0)
    pm = dbr.paramagnet(P, AV.ravel(), TT.ravel())
    okp = (pm["status"] == CONVERGED).reshape(AV.shape)
    f[..., 2] = pm["f"].reshape(AV.shape)
    n[..., 2] = m[..., 2] = q[..., 2] = np.where(okp, 0.0, np.nan)
    status[..., 2] = pm["status"].reshape(AV.shape)
    stable_rs[..., 2] = okp
    converged = status == CONVERGED
    stable = stable_rs & (np.nan_to_num(repl, nan=-1.0) > 0)
    fs = np.where(stable_rs & converged, f, np.inf)
    para, glass = _m0_sector(P, "RS", AV, TT)
    fs[..., 2] = np.where(para, fs[..., 2], np.inf)
    fs[..., 1] = np.where(glass, fs[..., 1], np.inf)
    kmin = np.argmin(fs, axis=-1)
    names = np.array(list(BRANCHES) + ["none"], dtype="<U10")
    phase = names[np.where(np.isfinite(np.min(fs, axis=-1)), kmin, nb)]

    ctrl_dims = ("alpha", *axes, "T")
    ctrl_shape = (nA, *(x.size for x in axes.values()), nT)

    def grid(x: np.ndarray, branch: bool = True) -> tuple[tuple[str, ...], np.ndarray]:
        if branch:
            return (*ctrl_dims, "branch"), x.reshape(*ctrl_shape, nb)
        return ctrl_dims, x.reshape(ctrl_shape)

    data = {"n": grid(n), "m": grid(m), "q": grid(q), "f": grid(f), "replicon": grid(repl),
            "curvature": grid(curv), "converged": grid(converged), "status": grid(status),
            "stable_rs": grid(stable_rs), "stable": grid(stable), "phase": grid(phase, False)}
    if not gaussian:
        data["m_example"] = grid(n * np.asarray(lawL["r"])[None, :, None])
    law_shape = tuple(x.size for x in axes.values())
    ds = xr.Dataset(data, coords={"alpha": a, **axes, "T": t, "branch": list(BRANCHES),
                                  "beta": ("T", dbr.beta_of(t))})
    ds["rho"] = (tuple(axes), rho_l.reshape(law_shape))
    ds["variance_factor"] = (tuple(axes), v.reshape(law_shape))
    ds["phase"].attrs.update(long_name="thermodynamically dominant stable branch", units="1")
    return _finalize(ds, P, protocol, load, method="replica symmetric", ansatz="RS",
                     law="gaussian" if gaussian else "binomial", N=-1 if N is None else N,
                     phase_stability="stable_rs", engine="theory.symbolic")
