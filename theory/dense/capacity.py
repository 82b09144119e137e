"""Critical capacity of the dense network and the T = 0 load where retrieval stops being
the global minimum (see :mod:`theory.dense`)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from assoc.errors import NotConvergedError
from assoc.validation import check_choice, check_scalar

from .._numerics.solver import NO_SOLUTION
from ..symbolic.solve import fold, solve_points
from . import branches as br
from .common import ANSATZE, CAPACITY_ANSATZE, _check_P, _finalize
from .phases import solve


def _sn_scale(P: int) -> float:
    """Signal-to-noise load scale ``1/(P-1)!`` (alpha_c is a fraction of it)."""
    return 1.0 / math.factorial(P - 1)


#: Loads, in units of the RS critical load, at which the 1RSB retrieval is solved to seed
#: its fold (the last one with a solution; the 1RSB capacity is 1.09 to 1.22 times the RS
#: one at T = 0, P = 3..10).
RSB_SCAN = np.linspace(1.0, 1.6, 13)[1:]


def critical_point(P: int, T: float = 0.0, ansatz: str = "RS") -> xr.Dataset:
    """Saddle-node ``alpha_c(T)`` of the retrieval branch and the order parameters there.

    Located by :func:`theory.symbolic.fold`: with ``m`` fixed the stationarity conditions
    are solved for the other order parameters (the Parisi parameter included at 1RSB) and
    alpha, and ``alpha(m)`` is maximised (``d alpha/dm = 0`` to 1e-11 in m).  The seed is
    the last converged point of a scan over ``alpha = geomspace(1e-3, 1, 80) / (P-1)!``.

    ``ansatz='2RSB'`` (T = 0 only): the fold of :func:`theory.dense.models.krsb_zero` at
    k = 2, in (m, q0, q1, nu1, nu2), seeded at the 1RSB fold load by ``SEED_2RSB``.

    Returns a Dataset with ``alpha_c``, ``alpha_c_error``, ``converged`` and the order
    parameters at the fold (the fold model's variables, e.g. ``m``, ``q0``, ``nu``).

    Raises
    ------
    ValueError
        For an unknown ansatz, or T > 0 with ``ansatz='2RSB'``.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, CAPACITY_ANSATZE)
    Tv = check_scalar("T", T, low=0.0)
    # the fold is a pure function of (P, T, ansatz): computed once per process (the
    # capacity table and global_minimum_load ask for it again)
    return _critical_point(P, Tv, ansatz).copy(deep=True)


@lru_cache(maxsize=64)
def _critical_point(P: int, Tv: float, ansatz: str) -> xr.Dataset:
    if ansatz == "2RSB":
        if Tv != 0.0:
            raise ValueError(f"T must be 0 for ansatz='2RSB' (got {Tv}): the 2RSB capacity is "
                             "computed at T = 0 only")
        return _critical_point_2rsb(P)
    scan = _sn_scale(P) * np.geomspace(1e-3, 1.0, 80)
    rg = str(br.regime_of(Tv))
    rs = br.retrieval_rs(P, scan, np.array([Tv]))
    rs_names = {"zero": ("m",), "low": ("m", "C"), "hot": ("m", "q")}[rg]
    if ansatz == "RS":
        okc = np.flatnonzero(np.isfinite(rs["m"][:, 0]))
        names, vals = rs_names, {k: rs[k][:, 0] for k in rs_names}
        cf = br.compiled(P, br.RS_KIND[rg])
    else:
        # 1RSB only near the end of the RS branch (and continued past it)
        last = np.flatnonzero(np.isfinite(rs["m"][:, 0]))
        i0 = max(int(last[-1]) - 1, 0) if last.size else 0
        a_rs = scan[last[-1]] if last.size else scan[0]
        scan = np.concatenate([scan[i0:last[-1] + 1] if last.size else scan[:1],
                               a_rs * RSB_SCAN])
        rs = br.retrieval_rs(P, scan, np.array([Tv]))
        out, _, rsb = br.retrieval_rsb(P, scan, np.array([Tv]), rs)
        okc = np.flatnonzero(np.isfinite(out["m"][:, 0]) & np.isfinite(out["f"][:, 0]))
        names = br.RSB_NAMES[rg]
        vals = {k: out[k][:, 0] for k in names if k != "nu"}
        vals["nu"] = out["mu"][:, 0] / math.factorial(P - 1)
        cf = br.compiled(P, br.RSB_KIND[rg])
        if okc.size and not rsb[okc[-1], 0]:
            # above the AT line the 1RSB branch is the RS one; fold on RS there
            names, vals = rs_names, {k: rs[k][:, 0] for k in rs_names}
            okc = np.flatnonzero(np.isfinite(rs["m"][:, 0]))
            cf = br.compiled(P, br.RS_KIND[rg])
    if okc.size == 0:
        raise NotConvergedError(f"no retrieval solution at T = {Tv} for P = {P}",
                                status=NO_SOLUTION)
    i = okc[-1]
    x0 = np.array([[vals[k][i] for k in names]])
    other = {} if rg == "zero" else {"beta": np.array([1.0 / Tv])}
    m_s = x0[0, 0]
    res = fold(cf, x0, "alpha", "m", (np.array([max(m_s - 0.3, 0.05)]), np.array([m_s])),
               other, c_guess=np.array([scan[i]]), n_scan=16)
    return _fold_dataset(res, cf, P, Tv, ansatz)


def _fold_dataset(res, cf, P: int, T: float, ansatz: str) -> xr.Dataset:  # noqa: ANN001
    data = {"alpha_c": ((), float(res.value[0])), "alpha_c_error": ((), float(res.error[0])),
            "converged": ((), bool(res.converged[0]))}
    for k, v in enumerate(cf.model.order_parameters):
        data[v.name] = ((), float(res.x[0, k]))
    ds = xr.Dataset(data, coords={"T": T})
    ds["T"].attrs.update(long_name="temperature", units="1")
    return _finalize(ds, P, ansatz, fold_model=cf.model.name)


#: Seeds of the 2RSB retrieval from the 1RSB fold (m, q0, nu) at its load: the second step
#: opens near q = 1 and the first moves q0 down (``benchmarks/dense_2rsb_independent.py``
#: at P = 3..5: ``q0' = q0 - 0.08 (1 - q0)``, ``1 - q1 = 0.16 (1 - q0)``, ``nu1 = 0.85 nu``,
#: ``nu2 = 2.1 nu``), with m at the 1RSB fold value plus each of ``dm``; Newton from them
#: lands on either branch, and the stable one (the largest m) is kept.
SEED_2RSB = {"dq0": 0.08, "gap1": 0.16, "nu1": 0.85, "nu2": 2.1, "dm": (0.0, 0.015, 0.03)}
#: Brackets of the 2RSB fold below the seed's m, in units of ``1 - m`` (tried in turn; at
#: P = 5 a bracket of 0.15 in m met a load where the 2RSB equations have no solution).
FOLD_WIDTH_2RSB = (0.5, 0.25)
#: Tolerance in m of the 2RSB fold (alpha is quadratic in m there: its error is ~1e-15).
VTOL_2RSB = 1e-8


def _critical_point_2rsb(P: int) -> xr.Dataset:
    """The T = 0 2RSB fold (:func:`critical_point`), seeded from the 1RSB one."""
    one = critical_point(P, 0.0, "1RSB")
    if not bool(one["converged"]):
        raise NotConvergedError(f"the 1RSB fold that seeds 2RSB did not converge at P = {P}",
                                status=None)
    a1, m1, q0, nu = (float(one[k]) for k in ("alpha_c", "m", "q0", "nu"))
    s = SEED_2RSB
    cf = br.compiled(P, "2rsb0")
    x0 = np.array([[min(m1 + dm, 1.0), q0 - s["dq0"] * (1 - q0), 1 - s["gap1"] * (1 - q0),
                    s["nu1"] * nu, s["nu2"] * nu] for dm in s["dm"]])

    def broken(x, c):  # noqa: ANN001, ANN202 - a genuine 2RSB retrieval
        return ((x[:, 0] > 0.5 * m1) & (x[:, 2] - x[:, 1] > br.COLLAPSE)
                & (1 - x[:, 2] > br.COLLAPSE) & (x[:, 4] > x[:, 3] * (1 + 1e-6)))

    seeds = solve_points(cf, x0, {"alpha": np.full(len(x0), a1)}, accept=broken,
                         fallback=False)
    if not seeds.converged.any():
        raise NotConvergedError(f"no 2RSB retrieval found at the 1RSB fold, P = {P}",
                                status=int(seeds.status[0]))
    best = np.flatnonzero(seeds.converged)[np.argmax(seeds.x[seeds.converged, 0])]
    seed = seeds.x[best:best + 1]
    m_s = seed[0, 0]
    for width in FOLD_WIDTH_2RSB:  # far down the unstable branch Newton can fail: narrow
        res = fold(cf, seed, "alpha", "m", (np.array([m_s - width * (1 - m_s)]),
                                            np.array([m_s])),
                   {}, c_guess=np.array([a1]), n_scan=8, vtol=VTOL_2RSB)
        if res.converged[0]:
            break
    return _fold_dataset(res, cf, P, 0.0, "2RSB")


def critical_capacity(P: int, T: float = 0.0, ansatz: str = "RS") -> float:
    """Critical load ``alpha_c(T)`` (library convention) of the retrieval branch.

    See :func:`critical_point`; ``ansatz='2RSB'`` is available at T = 0 (seeded by the 1RSB
    fold; P = 3: 0.1547319512, equal to ``benchmarks/dense_2rsb_independent.py`` to 10
    digits; about 3 minutes per P on 2 cores).  At T = 0 the RS value solves
    ``max_y erf(y)^(2P-2) / (2 (P-1)! y^2)`` (tests); the 1RSB value is larger by 22 % at
    P = 3, falling to 9 % at P = 10 (``python -m papers dense-capacity``; checked against an
    independent derivation, ``benchmarks/dense_1rsb_independent.py``; docs/dense.md).

    Raises
    ------
    NotConvergedError
        If the fold was not located.
    """
    ds = critical_point(P, T, ansatz)
    if not bool(ds["converged"]):
        raise NotConvergedError(f"the {ansatz} fold at P = {P}, T = {T} did not converge",
                                status=None)
    return float(ds["alpha_c"])


def _ground_state_gap(P: int, a: float, ansatz: str) -> float:
    """``E_retrieval - E_spin_glass`` at T = 0 and load a (NaN where either is missing)."""
    ds = solve(P, [a], [0.0], ansatz=ansatz)
    f = ds["f"].values[0, 0]
    return float(f[0] - f[1])


def global_minimum_load(P: int, ansatz: str = "RS") -> float:
    """T = 0 load above which retrieval is no longer the global minimum.

    The root of ``E_retrieval(alpha) - E_spin_glass(alpha)`` (both at T = 0, from
    :func:`solve`) below the fold :func:`critical_capacity`: from there up to alpha_c the
    retrieval state is only metastable, and the phase diagram's retrieval region is
    reentrant (at T > 0 retrieval wins again, its entropy being the larger). Located on a
    scan of ``alpha_c (0.05 .. 0.999)`` and refined by Brent's method to 1e-10.

    P = 3: RS 0.088789, 1RSB 0.140807 (``tests/theory/test_dense_low_temperature.py``, as
    computed independently by ``benchmarks/dense_global_minimum_independent.py``).

    Raises
    ------
    NotConvergedError
        If no sign change of the gap is found below alpha_c.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    a_c = critical_capacity(P, 0.0, ansatz)
    scan = a_c * np.array([0.05, 0.3, 0.5, 0.65, 0.8, 0.9, 0.97, 0.999])
    prev = _ground_state_gap(P, float(scan[0]), ansatz)
    for lo, hi in zip(scan[:-1], scan[1:], strict=True):
        gap = _ground_state_gap(P, float(hi), ansatz)
        if prev < 0 <= gap:
            return float(brentq(lambda x: _ground_state_gap(P, x, ansatz), lo, hi,
                                xtol=1e-10, rtol=1e-12))
        prev = gap
    raise NotConvergedError(f"retrieval is the T = 0 global minimum up to alpha_c at P = {P} "
                            f"({ansatz}), or a ground state was not found", status=NO_SOLUTION)
