"""Transition lines of the dense network: T_M, T_c (and its reentrant lower edge) and the
glass lines, per load and as one curve (see :mod:`theory.dense`)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from assoc.validation import check_choice, check_grid, check_int

from ..symbolic.solve import fold, solve_points
from . import branches as br
from .capacity import critical_capacity, global_minimum_load
from .common import ANSATZE, _check_P, _finalize
from .glass import _competitor_f, _sg_constants


def _retrieval_along_T(P: int, a: float, T: np.ndarray):
    r = br.retrieval_rs(P, np.array([a]), T)
    return {k: v[0] for k, v in r.items()}


@cache
def _curie_weiss_spinodal(P: int) -> tuple[float, bool]:
    """Low-load retrieval spinodal: the fold in beta of the alpha = 0 branch."""
    cw = br.compiled(P, "cw")
    r0 = solve_points(cw, np.ones((1, 1)), {"beta": 20.0 * math.factorial(P - 1) / 2})
    fr = fold(cw, r0.x, "beta", "m", (np.array([0.05]), np.array([0.999])), {},
              c_guess=np.array([20.0]), n_scan=20)
    return 1.0 / float(fr.value[0]), bool(fr.converged[0])


def low_load_lines(P: int) -> dict[str, float]:
    """Low-load (alpha = 0, P-spin Curie-Weiss) retrieval spinodal ``T_M`` and first-order
    transition ``T_c`` (retrieval f = paramagnet f = -T ln 2), library convention."""
    P = _check_P(P)
    ds = transition_lines(P, 0.0)
    return {"T_M": float(ds.T_M[0]), "T_c": float(ds.T_c[0])}


def first_order_line(P: int, ansatz: str = "RS", n_T: int = 9, n_alpha: int = 400) -> xr.Dataset:
    """The T_c line as one curve ``alpha(T)``: where RS retrieval and the m = 0 state
    (:func:`_m0_sector`) have equal f, from ``T_c(alpha = 0)`` down to T = 0.

    As a function of alpha the line is reentrant (``T_c`` and ``T_c_low`` of
    :func:`transition_lines` meet at a nose); as a function of T it is single valued, and
    it ends on the axis at :func:`global_minimum_load` (computed exactly there). At T > 0
    the sign change of ``f_R - f_0`` is located on a grid of ``n_alpha`` loads up to
    alpha_c(T) and interpolated linearly (error ~ (grid step)^2, about 1e-8 in alpha at the
    defaults). Returns a Dataset over ``T`` (decreasing) with ``alpha`` and ``converged``.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    n_T = check_int("n_T", n_T, low=2)
    n_alpha = check_int("n_alpha", n_alpha, low=10)
    T_c0 = low_load_lines(P)["T_c"]
    T = np.linspace(T_c0, 0.0, n_T)[1:-1]
    a_top = max(critical_capacity(P, 0.0, "RS"), *(critical_capacity(P, float(t), "RS")
                                                    for t in T[T < 0.5 * T_c0]))
    scan = np.linspace(a_top / n_alpha, a_top, n_alpha)
    d = br.retrieval_rs(P, scan, T)["f"] - _competitor_f(P, scan[:, None], ansatz, T[None, :])
    alpha = np.full(T.size, np.nan)
    for j in range(T.size):
        up = np.flatnonzero((d[:-1, j] < 0) & (d[1:, j] >= 0))
        if up.size:
            k = up[0]
            alpha[j] = scan[k] + (scan[k + 1] - scan[k]) * d[k, j] / (d[k, j] - d[k + 1, j])
    a_gm = global_minimum_load(P, ansatz)
    ds = xr.Dataset({"alpha": ("T", np.concatenate([[0.0], alpha, [a_gm]])),
                     "converged": ("T", np.concatenate([[True], np.isfinite(alpha), [True]]))},
                    coords={"T": np.concatenate([[T_c0], T, [0.0]])})
    ds["alpha"].attrs.update(long_name="load on the T_c line", units="1")
    ds["converged"].attrs.update(long_name="the line was located at this T", units="1")
    return _finalize(ds, P, ansatz)


def _retrieval_lines(P: int, av: float, ansatz: str, T_M0: float, cw_ok: bool,
                     n_T: int) -> tuple[float, bool, float, bool, float]:
    """T_M, T_c and the reentrant T_c_low at one load (see :func:`transition_lines`)."""
    rsc = br.compiled(P, "rs")
    Tg = np.linspace(T_M0 / n_T, T_M0, n_T)
    r = _retrieval_along_T(P, av, Tg)
    okr = np.flatnonzero(np.isfinite(r["m"]))
    T_M, okM, T_c, okC, T_low = math.nan, False, math.nan, False, math.nan
    if okr.size == 0:
        return T_M, okM, T_c, okC, T_low
    j = okr[-1]
    if av == 0:
        T_M, okM = T_M0, cw_ok
    else:
        x0 = np.array([[r["m"][j], r["q"][j]]])
        res = fold(rsc, x0, "beta", "m", (np.array([max(x0[0, 0] - 0.4, 0.05)]),
                                          np.array([x0[0, 0]])),
                   {"alpha": np.array([av])}, c_guess=np.array([1.0 / Tg[j]]), n_scan=16)
        if res.converged[0]:
            T_M, okM = 1.0 / float(res.value[0]), True
    Tc_grid = Tg[okr]
    d = r["f"][okr] - _competitor_f(P, av, ansatz, Tc_grid)
    s = np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0))
    if s.size == 0:
        return T_M, okM, T_c, okC, T_low
    k = s[0]
    # alpha = 0: the Curie-Weiss model (the RS q equation is void there)
    model = br.compiled(P, "cw") if av == 0 else rsc
    x_k = [r["m"][okr[k]]] if av == 0 else [r["m"][okr[k]], r["q"][okr[k]]]
    T_c, okC, x_c = _crossing(P, av, ansatz, model, x_k, Tc_grid[k], Tc_grid[k + 1])
    if okC and av > 0:
        # 1RSB retrieval equals RS where the RS replicon is positive; T_c of the 1RSB
        # ansatz uses RS retrieval, so it is only reported where that holds
        rep = float(rsc.stability(x_c, {"alpha": av, "beta": 1.0 / T_c})["replicon"][0])
        if ansatz == "1RSB" and not rep > 0:
            T_c, okC = math.nan, False
    if okC and av > 0:
        T_low = _reentrant_T(P, av, ansatz, Tc_grid[:k + 1], d[:k + 1], x_k)
    return T_M, okM, T_c, okC, T_low


def _reentrant_T(P: int, av: float, ansatz: str, Tg: np.ndarray, d: np.ndarray,
                 x_k: list[float]) -> float:
    """Lower end of the retrieval region at load av (NaN: retrieval wins down to T = 0).

    Above :func:`global_minimum_load` the T = 0 spin glass lies below retrieval; from the
    temperature where their free energies cross, retrieval (the larger entropy) wins. ``Tg``
    and ``d = f_retrieval - f_competitor`` are the grid up to the first point below T_c
    (``d[-1] < 0``).
    """
    rsc = br.compiled(P, "rs")
    neg = np.flatnonzero(d < 0)
    if neg[0] > 0:
        lo, hi = Tg[neg[0] - 1], Tg[neg[0]]
    else:
        # the grid starts inside the region: is the T = 0 ground state the spin glass?
        e_ret = br.retrieval_rs(P, np.array([av]), np.zeros(1))["f"][0, 0]
        if not e_ret - _competitor_f(P, av, ansatz, 0.0)[0] > 0:
            return math.nan
        lo, hi = 1e-4 * Tg[0], Tg[0]
    T_low, ok, _ = _crossing(P, av, ansatz, rsc, x_k, lo, hi)
    return T_low if ok else math.nan


def _crossing(P: int, av: float, ansatz: str, model, x_k: list[float], lo: float,
              hi: float) -> tuple[float, bool, np.ndarray]:
    """The T in (lo, hi) where retrieval (``model``, warm-started at ``x_k``) and the m = 0
    state have equal f, by Brent's method; returns ``(T, located, x there)``."""
    xw = {"x": np.array([x_k])}

    def h(Tv: float) -> float:
        ctrl = {"beta": 1.0 / Tv} if av == 0 else {"alpha": av, "beta": 1.0 / Tv}
        rr = solve_points(model, xw["x"], ctrl, accept=br._accept_m)
        if not rr.converged[0]:
            return math.nan
        xw["x"] = rr.x
        return float(model.f(rr.x, ctrl)[0] - _competitor_f(P, av, ansatz, np.array([Tv]))[0])

    try:
        T = brentq(h, lo, hi, xtol=1e-12, rtol=1e-12)
    except ValueError:  # a non-finite evaluation inside the bracket, or no sign change
        return math.nan, False, xw["x"]
    return float(T), True, xw["x"]


def transition_lines(P: int, alpha: float | np.ndarray, ansatz: str = "RS",
                     n_T: int = 41) -> xr.Dataset:
    """Transition lines of the (alpha, T) phase diagram at each alpha.

    Returns
    -------
    xarray.Dataset over ``alpha`` with
        ``T_M`` -- retrieval spinodal (highest T of the retrieval solution; fold in beta);
        ``T_c`` -- retrieval is the global minimum below it, down to ``T_c_low`` (its f
        crosses that of the m = 0 state: the paramagnet above the static glass transition,
        the spin glass below it, :func:`_m0_sector`; at alpha = 0 the Curie-Weiss
        first-order transition);
        ``T_c_low`` -- the reentrant lower boundary: above :func:`global_minimum_load` the
        T = 0 ground state is the spin glass, and retrieval wins only above ``T_c_low``
        (NaN: down to T = 0);
        ``T_g`` -- spin glass / paramagnet (``sqrt(alpha/g_g)``, :func:`spin_glass_constants`);
        ``T_sg_spinodal`` -- highest T of a spin-glass solution (``sqrt(alpha/g_spinodal)``);
        ``converged_T_M``, ``converged_T_c``.

    Notes
    -----
    On ``T_M`` and ``T_c`` the retrieval branch is taken at RS; for the 1RSB ansatz ``T_c``
    is reported only where the RS replicon is positive there (1RSB retrieval = RS), else
    ``converged_T_c = False``.  The 1RSB lines differ through the spin glass, which 1RSB
    stabilises (static transition ``T_g`` above the RS one).  ``T_c`` is found on a grid of ``n_T``
    temperatures in ``(0, T_M]`` and refined by Brent's method with Newton solves.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    a = check_grid("alpha", alpha, low=0.0)
    n_T = check_int("n_T", n_T, low=2)
    consts = dict(_sg_constants(P, ansatz)) if (a > 0).any() else {
        "g_g": math.nan, "g_spinodal": math.nan}
    n = a.size
    T_M, T_c, T_low = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    okM, okC = np.zeros(n, bool), np.zeros(n, bool)
    T_M0, ok0 = _curie_weiss_spinodal(P)
    for i, av in enumerate(a):
        T_M[i], okM[i], T_c[i], okC[i], T_low[i] = _retrieval_lines(P, float(av), ansatz,
                                                                    T_M0, ok0, n_T)
    with np.errstate(divide="ignore", invalid="ignore"):
        T_g = np.sqrt(a / consts["g_g"])
        T_sp = np.sqrt(a / consts["g_spinodal"])
    ds = xr.Dataset(
        {"T_M": ("alpha", T_M), "T_c": ("alpha", T_c), "T_c_low": ("alpha", T_low),
         "T_g": ("alpha", T_g),
         "T_sg_spinodal": ("alpha", T_sp), "converged_T_M": ("alpha", okM),
         "converged_T_c": ("alpha", okC)},
        coords={"alpha": a})
    return _finalize(ds, P, ansatz, g_g=consts["g_g"], g_spinodal=consts["g_spinodal"])
