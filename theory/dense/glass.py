"""The m = 0 sector of the dense network: the spin-glass transition constants and which
m = 0 state (paramagnet or spin glass) competes with retrieval (see :mod:`theory.dense`)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
from scipy.optimize import brentq

from assoc.errors import NotConvergedError
from assoc.validation import check_choice

from .._numerics.solver import CONVERGED, NO_SOLUTION
from ..symbolic.solve import fold, solve_points
from . import branches as br
from .common import ANSATZE, _check_P

#: Parisi parameter standing for theta -> 1 (at theta = 1 the spin-glass f is flat in q1).
THETA_ONE = 1.0 - 1e-7


def spin_glass_constants(P: int, ansatz: str = "RS") -> dict[str, float]:
    """The constants ``g = alpha/T^2`` of the spin-glass lines (``T = sqrt(alpha/g)``).

    ``g_g``: spin glass / paramagnet transition (RS: where the RS spin-glass and paramagnetic
    free energies cross; 1RSB: the static transition, where the Parisi parameter reaches 1).
    ``g_spinodal``: the smallest g with a spin-glass solution (RS: the fold of the RS branch;
    1RSB: the dynamical transition, the fold of the ``theta = 1`` branch).
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    return dict(_sg_constants(P, ansatz))


@cache
def _sg_constants(P: int, ansatz: str) -> tuple[tuple[str, float], ...]:
    curve = br.spin_glass_curve(P, ansatz)
    g, X = curve["g"], curve["x"]
    lf = math.factorial(P)
    if ansatz == "RS":
        cf = br.compiled(P, "rs")
        fsg = cf.f(X, {"alpha": g, "beta": 1.0})
        dfp = fsg - (-g / (2 * lf) - math.log(2.0))
        k = np.flatnonzero(np.sign(dfp[:-1]) != np.sign(dfp[1:]))[0]

        def h(gv: float) -> float:
            x0 = X[[k]] if gv > g[k + 1] else X[[k + 1]]
            r = solve_points(cf, x0, {"alpha": gv, "beta": 1.0}, fixed={"m": 0.0})
            return float(cf.f(r.x, {"alpha": gv, "beta": 1.0})[0]
                         - (-gv / (2 * lf) - math.log(2.0)))

        g_g = brentq(h, g[k + 1], g[k], xtol=1e-13, rtol=1e-13)
        res = fold(cf, X[[-1]], "alpha", "q", (np.array([0.05]), np.array([X[-1, 1] + 0.2])),
                   {"beta": np.ones(1)}, fixed={"m": 0.0}, c_guess=g[[-1]], n_scan=16)
        g_sp = float(res.value[0])
    else:
        cf = br.compiled(P, "rsb")
        fix = {"m": 0.0, "q0": 0.0}

        # at theta = 1 exactly f does not depend on q1 (it is the paramagnet's); the
        # static and dynamical transitions are the limits theta -> 1, taken at THETA_ONE
        th1 = THETA_ONE

        def dth(gv: float, x0: np.ndarray) -> tuple[float, np.ndarray]:
            x = x0.copy()
            x[:, 3] = th1
            r = solve_points(cf, x, {"alpha": gv, "beta": 1.0}, fixed={**fix, "theta": th1},
                             accept=lambda x, c: x[:, 2] > 0.05)
            if not r.converged[0]:
                return math.nan, x0
            return float(cf.grad(r.x, {"alpha": gv, "beta": 1.0})[0, 3]), r.x

        lo = g[-1]
        d_lo, x_lo = dth(lo, X[[-1]])
        g_hi, x_hi = math.nan, x_lo
        grid = br.g_grid(P)
        for gv in grid[grid < lo]:
            d, x_try = dth(gv, x_hi)
            if not np.isfinite(d):
                break
            if np.sign(d) != np.sign(d_lo):
                g_hi = gv
                break
            x_hi = x_try
        warm = {"x": x_lo}

        def hh(gv: float) -> float:
            d, x = dth(gv, warm["x"])
            if np.isfinite(d):
                warm["x"] = x
            return d

        g_g = brentq(hh, g_hi, lo, xtol=1e-12, rtol=1e-12) if np.isfinite(g_hi) else math.nan
        x1 = warm["x"].copy()
        res = fold(cf, x1, "alpha", "q1", (np.array([0.05]), np.array([x1[0, 2]])),
                   {"beta": np.ones(1)}, fixed={**fix, "theta": th1},
                   c_guess=np.array([g_g]), n_scan=16)
        g_sp = float(res.value[0])
    return (("g_g", float(g_g)), ("g_spinodal", g_sp))


def _m0_sector(P: int, ansatz: str, A: np.ndarray, T: np.ndarray):
    """Where the m = 0 state is the paramagnet and where it is the spin glass.

    Below the static glass transition ``g = alpha/T^2 > g_g`` (:func:`spin_glass_constants`)
    the paramagnet is not a thermodynamic state: its f is below the spin glass's (f is
    maximised over the Parisi parameter, and the paramagnet is its ``theta = 1`` end) and,
    further down, its entropy ``ln 2 - alpha/(2 P! T^2)`` turns negative, with f -> -infinity
    as T -> 0. Retrieval then competes with the spin glass. Returns boolean arrays
    ``(paramagnet, spin_glass)`` of the shape of ``A``.
    """
    A, T = np.broadcast_arrays(np.asarray(A, dtype=float), np.asarray(T, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(T > 0, A / np.where(T > 0, T, 1.0) ** 2, np.where(A > 0, np.inf, 0.0))
    if not ((A > 0) & (T > 0)).any():  # alpha = 0: paramagnet; T = 0: spin glass
        return g == 0, g > 0
    try:
        g_g = dict(_sg_constants(P, ansatz))["g_g"]
    except (IndexError, ValueError) as e:  # the traced spin-glass curve is empty
        raise NotConvergedError(f"the {ansatz} glass transition at P = {P} was not located, "
                                "so the phase at T > 0 is unknown", status=NO_SOLUTION) from e
    return g <= g_g, g > g_g


def _competitor_f(P: int, alpha: Any, ansatz: str, T: Any) -> np.ndarray:
    """Free energy of the m = 0 state at (alpha, T) (broadcast together): the paramagnet's
    above the static glass transition, the spin glass's below it (:func:`_m0_sector`)."""
    A, TT = np.broadcast_arrays(np.atleast_1d(np.asarray(alpha, dtype=float)),
                                np.atleast_1d(np.asarray(T, dtype=float)))
    aa, tt = A.ravel(), TT.ravel()
    pm = br.paramagnet(P, aa, tt)["f"]
    sg = (br.spin_glass_rs if ansatz == "RS" else br.spin_glass_rsb)(P, aa, tt)
    para, glass = _m0_sector(P, ansatz, aa, tt)
    fsg = np.where(sg["status"] == CONVERGED, sg["f"], np.nan)
    return np.where(para, pm, np.where(glass, fsg, np.nan)).reshape(A.shape)
