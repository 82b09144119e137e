"""Low-load transition temperatures of dense networks trained on examples (see
:mod:`theory.dense_learning`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from assoc.validation import check_grid

from ..dense.glass import _competitor_f, spin_glass_constants
from ..symbolic.solve import fold, solve_points
from . import laws
from . import pairwise as pw
from .common import _check_common, _finalize, channels, law_parameters
from .phases import _law_grid, solve

#: Temperatures, in units of T_M, on which the sign change of ``f_retrieval + T ln 2`` is
#: bracketed before ``brentq`` refines T_c.
TC_SCAN = np.linspace(0.02, 1.0, 50)[:-1]


def low_load_lines(P: int, *, r: Any = None, M: Any = None, rho: Any = None) -> xr.Dataset:
    """Retrieval spinodal ``T_M`` and first-order transition ``T_c`` at low load (alpha = 0,
    the same for both protocols) on the law axes ``r x M`` (or rho).

    Returns
    -------
    xarray.Dataset
        ``T_M`` (the fold in beta of the retrieval branch, :func:`theory.symbolic.fold`),
        ``T_c`` (retrieval f equals the paramagnet's ``-T ln 2``, by ``brentq`` to 1e-12),
        ``converged_T_M``, ``converged_T_c``.  At r = 1 these are the P-spin Curie-Weiss
        values of :func:`theory.dense.low_load_lines`.
    """
    P, _, _, _ = _check_common(P, "supervised", "storage", None)
    axes, law = _law_grid(r, M, rho, "supervised")
    gaussian = "rho" in axes
    if P == 2:
        return _pairwise_low_load_lines(axes, law)
    cf = laws.compiled(P, "supervised", gaussian, "low")
    n_pts = next(iter(law.values())).size
    T_M, T_c = np.full(n_pts, np.nan), np.full(n_pts, np.nan)
    okM, okC = np.zeros(n_pts, bool), np.zeros(n_pts, bool)
    b0 = 10.0 * math.factorial(P - 1)  # deep in the ordered phase
    for k in range(n_pts):
        lw = {key: val[[k]] for key, val in law.items()}
        start = solve_points(cf, np.full((1, 1), 2.0), {**lw, "beta": np.array([b0])},
                             accept=lambda x, c: x[:, 0] > 1e-3)
        if not start.converged[0]:
            continue
        n0 = float(start.x[0, 0])
        fr = fold(cf, start.x, "beta", "n", (np.array([0.02 * n0]), np.array([0.999 * n0])), lw,
                  c_guess=np.array([b0]), n_scan=24)
        if not fr.converged[0]:
            continue
        T_M[k], okM[k] = 1.0 / float(fr.value[0]), True
        x_last = {"x": fr.x[:, :1].copy()}

        def d(Tv: float, lw=lw, x_last=x_last) -> float:  # noqa: ANN001
            ctrl = {**lw, "beta": np.array([1.0 / Tv])}
            res = solve_points(cf, x_last["x"], ctrl, accept=lambda x, c: x[:, 0] > 1e-3)
            if not res.converged[0]:
                return math.nan
            x_last["x"] = res.x
            return float(cf.f(res.x, ctrl)[0]) + Tv * math.log(2.0)

        grid = T_M[k] * TC_SCAN
        vals = []
        for Tv in grid[::-1]:  # from the spinodal down, each solve seeded by the last
            vals.append(d(Tv))
        vals = np.array(vals[::-1])
        up = np.flatnonzero((vals[:-1] < 0) & (vals[1:] >= 0))
        if up.size:
            j = up[-1]
            x_last["x"] = fr.x[:, :1].copy()
            d(grid[j + 1])  # seed at the bracket's upper end
            T_c[k] = brentq(d, grid[j], grid[j + 1], xtol=1e-13, rtol=1e-13)
            okC[k] = True
    shape = tuple(x.size for x in axes.values())
    dims = tuple(axes)
    ds = xr.Dataset({"T_M": (dims, T_M.reshape(shape)), "T_c": (dims, T_c.reshape(shape)),
                     "converged_T_M": (dims, okM.reshape(shape)),
                     "converged_T_c": (dims, okC.reshape(shape))}, coords=axes)
    return _finalize(ds, P, "supervised", "storage", method="low-load lines",
                     law="gaussian" if gaussian else "binomial",
                     comment="alpha = 0: the same for both protocols")


def _pairwise_low_load_lines(axes: dict, law: dict[str, np.ndarray]) -> xr.Dataset:
    """P = 2: ``n = E c tanh(beta c n)`` has a positive root iff ``beta E c^2 > 1`` (its right
    side is concave in n > 0), so the transition is continuous, at ``T_M = T_c = E c^2 =
    1 + rho`` for either law (the Curie-Weiss ``T = 1`` at r = 1)."""
    rho, _ = law_parameters(2, "supervised", law)
    shape, dims = tuple(x.size for x in axes.values()), tuple(axes)
    T = (1.0 + rho).reshape(shape)
    ok = np.ones(shape, dtype=bool)
    ds = xr.Dataset({"T_M": (dims, T), "T_c": (dims, T.copy()), "converged_T_M": (dims, ok),
                     "converged_T_c": (dims, ok.copy())}, coords=axes)
    return _finalize(ds, 2, "supervised", "storage", method="low-load lines",
                     law="gaussian" if "rho" in axes else "binomial",
                     comment="alpha = 0: the same for both protocols; P = 2: continuous, "
                             "T_M = T_c = 1 + rho")


#: Temperatures, in units of the low-load T_M, on which each load's retrieval is solved to
#: seed the fold of T_M and to bracket T_c.
T_SCAN = np.linspace(0.01, 1.2, 60)
#: Brackets ``(low * n0, n0)`` of the overlap and scan sizes tried in turn for the fold of T_M
#: from the hottest retrieval point n0 of the scan (the fold lies a scan step away).
FOLD_SCANS = ((0.6, 8), (0.02, 24))


def transition_lines(P: int, alpha: Any, *, r: Any = None, M: Any = None, rho: Any = None,
                     protocol: str = "supervised") -> xr.Dataset:
    """RS transition temperatures per load on ``alpha x (r x M, or rho)`` (storage load).

    Returns
    -------
    xarray.Dataset
        ``T_M`` (retrieval spinodal: the fold in beta of the retrieval branch), ``T_c``
        (above it the retrieval is not the global state: its f crosses the m = 0 state's,
        the paramagnet above the glass transition and the spin glass below it), ``T_g``
        and ``T_sg_spinodal`` (the dense model's glass lines at load ``alpha v``:
        ``T = sqrt(alpha v/g)``, :func:`theory.dense.spin_glass_constants`), with
        ``converged_T_M`` and ``converged_T_c``.  alpha = 0 is :func:`low_load_lines`.

    Notes
    -----
    Retrieval is solved (:func:`theory.dense_learning.solve`) on ``T_SCAN`` times the
    low-load T_M; the hottest converged point seeds the fold, and the last sign change of
    ``f_retrieval - f_competitor`` below it is refined by ``brentq`` (each evaluation a
    Newton solve warm-started from the scan).  The unsupervised example state is not a
    competitor here (its lines are not computed).
    """
    P, protocol, _, _ = _check_common(P, protocol, "storage", None)
    a = check_grid("alpha", alpha, low=0.0)
    axes, law = _law_grid(r, M, rho, protocol)
    gaussian = "rho" in axes
    nL = next(iter(law.values())).size
    rho_l, v = law_parameters(P, protocol, law)
    ch = channels(protocol, rho_l, law.get("M"))
    low = low_load_lines(P, **{k: (np.unique(val) if k != "M" else
                                   np.unique(val).astype(int)) for k, val in law.items()})
    out = {k: np.full((a.size, nL), np.nan) for k in ("T_M", "T_c", "T_g", "T_sg_spinodal")}
    okM, okC = np.zeros((a.size, nL), bool), np.zeros((a.size, nL), bool)
    g = spin_glass_constants(P, "RS") if P > 2 else None
    cf = laws.compiled(P, protocol, gaussian, "rs")
    for k in range(nL):
        lw = {key: val[k] for key, val in law.items()}
        sel = {key: (int(val) if key == "M" else val) for key, val in lw.items()}
        lowk = low.sel(sel)
        chk = tuple(float(arr[k]) for arr in ch)

        def competitor(av: float, T: Any, chk=chk, k=k) -> np.ndarray:  # noqa: ANN001
            if P == 2:
                return pw.m0_free_energy(av, T, *chk)
            return _competitor_f(P, av * v[k], "RS", T).ravel()

        def x_of(ds: xr.Dataset, j: int, T: np.ndarray, av: float, chk=chk) -> np.ndarray:  # noqa: ANN001
            n, q = float(ds.n[j]), float(ds.q[j])
            if P > 2:
                return np.array([[n, q]])
            C = (1.0 - q) / T[j]  # P = 2: (n, C, sigma), sigma^2 = alpha p at the saddle
            return np.array([[n, C, math.sqrt(av * float(pw.conjugate(C, T[j], *chk)))]])

        if P == 2:  # continuous: the spin glass appears at T_g (lam at alpha = 0)
            out["T_g"][:, k] = out["T_sg_spinodal"][:, k] = pw.glass_temperature(a, *chk)
        else:
            out["T_g"][:, k] = np.sqrt(a * v[k] / g["g_g"])
            out["T_sg_spinodal"][:, k] = np.sqrt(a * v[k] / g["g_spinodal"])
        for i, av in enumerate(a):
            if av == 0:
                out["T_M"][i, k], out["T_c"][i, k] = float(lowk.T_M), float(lowk.T_c)
                okM[i, k], okC[i, k] = bool(lowk.converged_T_M), bool(lowk.converged_T_c)
                continue
            if not bool(lowk.converged_T_M):
                continue
            T = float(lowk.T_M) * T_SCAN
            kw = {key: (int(val) if key == "M" else val) for key, val in lw.items()}
            ds = solve(P, av, T, protocol=protocol, **kw).sel(branch="retrieval").squeeze()
            ok = ds.converged.values & np.isfinite(ds.n.values)
            if not ok.any():
                continue
            j = int(np.flatnonzero(ok)[-1])
            ctrl1 = {"alpha": np.array([av]), **{key: np.array([val]) for key, val in lw.items()}}
            x0 = x_of(ds, j, T, av)
            for low_n, n_scan in FOLD_SCANS:  # a narrow bracket first: cheaper
                fr = fold(cf, x0, "beta", "n", (np.array([low_n * x0[0, 0]]),
                                                np.array([x0[0, 0]])),
                          ctrl1, c_guess=np.array([1.0 / T[j]]), n_scan=n_scan)
                if fr.converged[0]:
                    break
            if fr.converged[0]:
                out["T_M"][i, k], okM[i, k] = 1.0 / float(fr.value[0]), True
            comp = competitor(av, T)
            d = ds.f.values - comp
            up = np.flatnonzero(ok[:-1] & ok[1:] & (d[:-1] < 0) & (d[1:] >= 0))
            if not up.size:
                continue
            jj = int(up[-1])
            warm = {"x": x_of(ds, jj, T, av)}

            def h(Tv: float, ctrl1=ctrl1, warm=warm, av=av, competitor=competitor) -> float:  # noqa: ANN001
                c = {**ctrl1, "beta": np.array([1.0 / Tv])}
                res = solve_points(cf, warm["x"], c, accept=lambda x, cc: x[:, 0] > 1e-3)
                if not res.converged[0]:
                    return math.nan
                warm["x"] = res.x
                return float(cf.f(res.x, c)[0] - competitor(av, Tv)[0])

            try:
                out["T_c"][i, k] = brentq(h, T[jj], T[jj + 1], xtol=1e-12, rtol=1e-12)
                okC[i, k] = True
            except ValueError:  # a NaN inside the bracket
                pass
    shape = (a.size, *(x.size for x in axes.values()))
    dims = ("alpha", *axes)
    ds = xr.Dataset({**{k: (dims, val.reshape(shape)) for k, val in out.items()},
                     "converged_T_M": (dims, okM.reshape(shape)),
                     "converged_T_c": (dims, okC.reshape(shape))},
                    coords={"alpha": a, **axes})
    return _finalize(ds, P, protocol, "storage", method="RS transition lines", ansatz="RS",
                     law="gaussian" if gaussian else "binomial")
