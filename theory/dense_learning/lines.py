"""Low-load transition temperatures of dense networks trained on examples (see
:mod:`theory.dense_learning`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from ..symbolic.solve import fold, solve_points
from . import laws
from .common import _check_common, _finalize
from .phases import _law_grid

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
    if P < 3:
        raise ValueError(f"P must be >= 3 for the replica theory (got {P})")
    axes, law = _law_grid(r, M, rho, "supervised")
    gaussian = "rho" in axes
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
