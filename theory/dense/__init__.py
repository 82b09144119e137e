"""Dense (P-spin) Hebbian networks: replica-symmetric and one-step RSB theory.

Model and load (:class:`assoc.models.DenseHebbian`, the library convention)::

    H = -(1/(P! N^(P-1))) sum_mu sum_(distinct i1..iP) prod_k xi^mu_ik s_ik
      = -(1/N^(P-1)) sum_mu e_P(xi^mu s),          K = round(alpha N^(P-1)),

so ``H = -N m^P / P!`` for a condensed pattern.  For ``P > 2`` the cross-talk of the other
patterns is a Gaussian P-spin glass with covariance ``N xi(q)``, ``xi(q) = (alpha/P!) q^P``
(derived in :mod:`theory.dense.models`; Gardner 1987, Albanese et al. 2021).  The free
energies (per spin, ``s(m) = m^(P-1)/(P-1)!``, ``xi'(q) = alpha q^(P-1)/(P-1)!``)::

    RS:   f = (P-1) m^P/P! - (beta/2)[xi(1) - xi(q) - (1-q) xi'(q)]
              - (1/beta) E_z ln 2cosh(beta (s(m) + sqrt(xi'(q)) z))
    1RSB: f = (P-1) m^P/P! - (beta/2)[xi(1) - xi(q1) - (1-q1) xi'(q1)]
              + (beta theta/2)[q1 xi'(q1) - q0 xi'(q0) - xi(q1) + xi(q0)]
              - 1/(beta theta) E_z0 ln E_z1 (2cosh(beta h))^theta,
          h = s(m) + sqrt(xi'(q0)) z0 + sqrt(xi'(q1) - xi'(q0)) z1,

are written once as sympy expressions and everything else (stationarity conditions,
Hessians, the exact T = 0 limits with ``q1 = 1 - C/beta``, ``theta = mu/beta``) is derived by
the symbolic engine (:mod:`theory.symbolic`).  The RS equations are
``m = E tanh(beta(s(m) + sqrt(xi'(q)) z))``, ``q = E tanh^2(...)``; at T = 0
``m = erf(m^(P-1) / sqrt(2 alpha (P-1)!))``.

Branches: ``retrieval`` (m > 0), ``spin_glass`` (m = 0, q > 0; 1RSB: q0 = 0 < q1) and
``paramagnet`` (m = q = 0, ``f = -beta alpha/(2 P!) - T ln 2``; it does not exist at T = 0,
where its entropy is negative and f diverges).  The spin-glass branches depend on alpha and T
only through ``g = alpha/T^2``, so their transition lines are ``T = sqrt(alpha/g_*)``.
Low load (K finite or ``o(N^(P-1))``) is ``alpha = 0``: the P-spin Curie-Weiss model with a
first-order retrieval transition ``T_c`` and spinodal ``T_M``.

Conventions (:data:`CONVENTIONS`, :func:`convert`):

* ``'library'``: as above.
* ``'mattis'``: ``H = -(N/P!) sum_mu m_mu^P = -(1/(P! N^(P-1))) sum_mu sum_(all tuples)``,
  ``K = alpha N^(P-1)``.  Signal and pure P-spin cross-talk are the same, so alpha and T map
  identically *at the level of the replica theory of the papers, which keeps only the
  P-spin part of the noise*.  Literally, the coinciding-index terms of the all-tuples sum add
  lower-order p-spin noise of the same order at high load: the covariance becomes
  ``(alpha N/P!^2) sum_(k = P, P-2, ... >= 1) C(P,k)^2 k! ((P-k-1)!!)^2 q^k`` (Wick pairings;
  P = 3: ``alpha N (q^3/6 + q/4)``, i.e. an extra random field), which
  :func:`all_tuples_covariance` returns; the library model has none of it.
* ``'albanese'``: the normalisation of Albanese et al. (arXiv:2111.12997) as described in
  ``THEORY.md``: ``H = -(1/N^(P-1)) sum_mu sum_(all tuples) = -N sum_mu m_mu^P`` with
  ``K = alpha N^(P-1)``: ``H_A = P! H`` at leading order, hence ``T_A = P! T`` and the
  same alpha (same caveat about coinciding indices).  (The paper body was not available
  offline; the map follows the stated normalisation.)

The family's verbs, as in :mod:`theory.hopfield`: :func:`solve` (``ansatz='RS'`` or
``'1RSB'``; its Dataset carries ``phase``, so there is no separate ``phase_diagram``),
:func:`critical_point`, :func:`critical_capacity`, :func:`transition_lines`,
:func:`signal_to_noise`; also :func:`low_load_lines`, :func:`spin_glass_constants` and
:func:`convert`. Inside: :mod:`.models` (the free energies), :mod:`.branches` (their
solution branches).

References: Gardner, J. Phys. A 20, 3453 (1987); Baldi & Venkatesh, PRL 58, 913 (1987);
Albanese, Alemanno, Alessandrelli & Barra, arXiv:2111.12997; Gross & Mezard, Nucl. Phys. B
240, 431 (1984) (1RSB of p-spin glasses); de Almeida & Thouless 1978 (replicon).
"""

from __future__ import annotations

import math
import numbers
from functools import cache
from typing import Any

import numpy as np
import xarray as xr
from scipy.optimize import brentq
from scipy.special import erfc

from assoc.dataset import finalize
from assoc.errors import NotConvergedError
from assoc.models import DenseHebbian
from assoc.validation import check_choice, check_int, check_real

from .._numerics.solver import CONVERGED, NO_SOLUTION, annotate
from ..symbolic.solve import fold, solve_points
from . import branches as br

__all__ = [
    "ANSATZE",
    "BRANCHES",
    "CONVENTIONS",
    "solve",
    "critical_point",
    "critical_capacity",
    "global_minimum_load",
    "first_order_line",
    "transition_lines",
    "low_load_lines",
    "spin_glass_constants",
    "convert",
    "all_tuples_covariance",
    "signal_to_noise",
]

ANSATZE = ("RS", "1RSB")
BRANCHES = ("retrieval", "spin_glass", "paramagnet")
CONVENTIONS = ("library", "mattis", "albanese")
_REFS = ["Gardner1987", "BaldiVenkatesh1987", "Albanese2021", "Gross1984", "AT1978"]

#: Parisi parameter standing for theta -> 1 (at theta = 1 the spin-glass f is flat in q1).
THETA_ONE = 1.0 - 1e-7

_EXTRA = {
    "q0": ("1RSB overlap between states", "1"),
    "q1": ("1RSB overlap within a state", "1"),
    "theta": ("Parisi parameter (block size)", "1"),
    "mu": ("theta/T, finite at T = 0", "1"),
    "rsb": ("replica symmetry is broken (q1 > q0) at this point", "1"),
    "curvature": ("d2 f_eff / dm2 with the other order parameters at their saddle", "1"),
    "stable_rs": ("locally stable within RS (longitudinal conditions)", "1"),
    "alpha_c": ("critical load of the retrieval branch (saddle-node)", "1"),
    "alpha_c_error": ("error estimate of alpha_c", "1"),
    "T_g": ("spin-glass / paramagnet transition (RS crossing; 1RSB static theta = 1)", "1"),
    "T_sg_spinodal": ("highest T of the spin-glass solution (1RSB: dynamical T_d)", "1"),
    "T_M": ("retrieval spinodal temperature", "1"),
    "T_c": ("retrieval is the global minimum below T_c (down to T_c_low)", "1"),
    "T_c_low": ("reentrant lower boundary of the retrieval region (NaN: T = 0)", "1"),
    "converged_T_M": ("T_M was located", "1"),
    "converged_T_c": ("T_c was located", "1"),
    "p_error": ("one-step error probability of a stored pattern", "1"),
    "snr": ("signal-to-noise ratio of the aligned local field", "1"),
}


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------
def _check_P(P: Any) -> int:
    if isinstance(P, bool) or not isinstance(P, numbers.Integral):
        raise ValueError(f"P must be an integer >= 3 (got {P!r}); P = 2 is the Hopfield "
                         "model (theory.hopfield)")
    if P < 3:
        raise ValueError(f"P must be an integer >= 3 (got {P}); P = 2 is the Hopfield "
                         "model (theory.hopfield)")
    return int(P)


def _grid(name: str, v: Any, **kw: Any) -> np.ndarray:
    a = np.atleast_1d(check_real(name, v, **kw))
    if a.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array (got shape {a.shape})")
    return a


def _finalize(ds: xr.Dataset, P: int, ansatz: str | None, **attrs: Any) -> xr.Dataset:
    annotate(ds, _EXTRA)
    return finalize(ds, kind="theory", model="dense_hebbian",
                    normalisation=DenseHebbian(P).normalisation, references=_REFS,
                    ansatz=ansatz, P=P, engine="theory.symbolic", **attrs)


# ----------------------------------------------------------------------------------------
# solve
# ----------------------------------------------------------------------------------------
def solve(P: int, alpha: float | np.ndarray, T: float | np.ndarray,
          ansatz: str = "RS") -> xr.Dataset:
    """Retrieval, spin-glass and paramagnetic branches on the grid ``alpha x T``.

    Parameters
    ----------
    P : int >= 3
        Interaction order.
    alpha : float or 1-D array, >= 0
        Load ``K / N^(P-1)`` (library convention); 0 is the low-load (Curie-Weiss) limit.
    T : float or 1-D array, >= 0
        Temperature; T = 0 uses the exact zero-temperature free energies.
    ansatz : {'RS', '1RSB'}

    Returns
    -------
    xarray.Dataset
        Dimensions ``(alpha, T, branch)``, ``branch = ['retrieval', 'spin_glass',
        'paramagnet']``.  RS: ``m``, ``q``, ``f``, ``replicon``, ``curvature``.  1RSB: ``m``,
        ``q0``, ``q1``, ``theta``, ``mu`` (``theta/T``), ``f``, ``rsb``, ``curvature`` (``q``
        is ``q1``).  Both: ``converged``, ``status`` (codes of :mod:`theory._numerics.solver`),
        ``stable_rs`` (longitudinal), ``stable`` (RS: also replicon > 0; 1RSB: as stable_rs,
        the 1RSB replicon is not computed) and ``phase`` over (alpha, T): the stable branch of
        lowest f ('none' if none) among retrieval and the m = 0 state, which is the
        paramagnet above the static glass transition and the spin glass below it
        (:func:`_m0_sector`).  NaN with ``converged = False`` where a branch does not
        exist.

    Notes
    -----
    Retrieval: continuation in alpha from the Curie-Weiss solution at ``alpha = 1e-6`` for
    each T, ending at the saddle-node ``alpha_c(T)``.  1RSB retrieval: at each RS point the
    Parisi parameter is scanned and the root of ``df/dtheta`` refined
    (:func:`theory.symbolic.optimize_parameter`); no root (above the AT line) means 1RSB = RS
    (``theta = 1``, ``q0 = q1``, ``rsb = False``); past the RS critical load the 1RSB
    solution is continued.  Spin glass: traced once along ``g = alpha/T^2`` and polished by
    Newton at each point (RS: the upper, fixed-point-stable root; 1RSB: ``theta`` in (0, 1),
    i.e. below the static transition).  Paramagnet: closed form, only at T > 0.  Below
    ``T_LOW = 1e-6`` the RS branches use the low-temperature model in (m, C)
    (:func:`theory.dense.models.rs_low_temperature`), so that every T > 0 joins T = 0.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    a = _grid("alpha", alpha, low=0.0)
    t = _grid("T", T, low=0.0)
    A, TT = np.meshgrid(a, t, indexing="ij")
    shape = A.shape
    rs = br.retrieval_rs(P, a, t)
    nb = len(BRANCHES)

    def arr(fill=np.nan, dtype=float):
        return np.full(shape + (nb,), fill, dtype=dtype)

    status = arr(NO_SOLUTION, np.int8)
    f, m = arr(), arr()
    stable_rs = arr(False, bool)
    data: dict[str, Any] = {}
    sgA, sgT = A.ravel(), TT.ravel()
    if ansatz == "RS":
        q, repl, curv = arr(), arr(), arr()
        ok = rs["status"] == CONVERGED
        m[..., 0], q[..., 0], f[..., 0] = rs["m"], rs["q"], rs["f"]
        repl[..., 0], curv[..., 0] = rs["replicon"], rs["curvature"]
        status[..., 0] = rs["status"]
        stable_rs[..., 0] = ok & (rs["curvature"] > 0)
        sg = br.spin_glass_rs(P, sgA, sgT)
        okg = (sg["status"] == CONVERGED).reshape(shape)
        m[..., 1] = np.where(okg, 0.0, np.nan)
        q[..., 1] = sg["q"].reshape(shape)
        f[..., 1] = sg["f"].reshape(shape)
        repl[..., 1] = sg["replicon"].reshape(shape)
        status[..., 1] = sg["status"].reshape(shape)
        # the upper root attracts the fixed-point iteration (slope < 1): locally stable
        stable_rs[..., 1] = okg & (sg["slope"].reshape(shape) < 1.0)
        data.update(q=q, replicon=repl, curvature=curv)
    else:
        out, st, rsb = br.retrieval_rsb(P, a, t, rs)
        q0, q1, th, mu, curv = arr(), arr(), arr(), arr(), arr()
        rsbv = arr(False, bool)
        ok = st == CONVERGED
        m[..., 0], q0[..., 0], q1[..., 0], th[..., 0] = out["m"], out["q0"], out["q1"], \
            out["theta"]
        mu[..., 0], f[..., 0], curv[..., 0] = out["mu"], out["f"], out["curvature"]
        rsbv[..., 0] = rsb
        status[..., 0] = st
        stable_rs[..., 0] = ok & (out["curvature"] > 0)
        sg = br.spin_glass_rsb(P, sgA, sgT)
        okg = (sg["status"] == CONVERGED).reshape(shape)
        m[..., 1] = np.where(okg, 0.0, np.nan)
        q0[..., 1] = np.where(okg, 0.0, np.nan)
        q1[..., 1] = sg["q1"].reshape(shape)
        th[..., 1] = sg["theta"].reshape(shape)
        mu[..., 1] = sg["mu"].reshape(shape)
        f[..., 1] = sg["f"].reshape(shape)
        rsbv[..., 1] = okg
        status[..., 1] = sg["status"].reshape(shape)
        stable_rs[..., 1] = okg
        data.update(q0=q0, q1=q1, q=q1.copy(), theta=th, mu=mu, rsb=rsbv, curvature=curv)
    pm = br.paramagnet(P, sgA, sgT)
    okp = (pm["status"] == CONVERGED).reshape(shape)
    f[..., 2] = pm["f"].reshape(shape)
    m[..., 2] = np.where(okp, 0.0, np.nan)
    for k in ("q", "q0", "q1"):
        if k in data:
            data[k][..., 2] = np.where(okp, 0.0, np.nan)
    if ansatz == "1RSB":
        data["theta"][..., 2] = np.where(okp, 1.0, np.nan)
    status[..., 2] = pm["status"].reshape(shape)
    stable_rs[..., 2] = okp
    converged = status == CONVERGED
    stable = stable_rs.copy()
    if ansatz == "RS":
        stable &= np.nan_to_num(data["replicon"], nan=-1.0) > 0
    dims = ("alpha", "T", "branch")
    ds = xr.Dataset(
        {"m": (dims, m), "f": (dims, f), "converged": (dims, converged),
         "stable_rs": (dims, stable_rs), "stable": (dims, stable), "status": (dims, status),
         **{k: (dims, v) for k, v in data.items()}},
        coords={"alpha": a, "T": t, "branch": list(BRANCHES), "beta": ("T", br.beta_of(t))},
    )
    fs = np.where(stable_rs & converged, f, np.inf)
    # the m = 0 sector: paramagnet up to the static glass transition, spin glass beyond it
    para, glass = _m0_sector(P, ansatz, A, TT)
    fs[..., 2] = np.where(para, fs[..., 2], np.inf)
    fs[..., 1] = np.where(glass, fs[..., 1], np.inf)
    k = np.argmin(fs, axis=-1)
    names = np.array(list(BRANCHES) + ["none"], dtype="<U10")
    k = np.where(np.isfinite(np.min(fs, axis=-1)), k, nb)
    ds["phase"] = (("alpha", "T"), names[k])
    ds["phase"].attrs.update(long_name="thermodynamically dominant stable branch", units="1")
    return _finalize(ds, P, ansatz, phase_stability="stable_rs")


# ----------------------------------------------------------------------------------------
# critical capacity
# ----------------------------------------------------------------------------------------
def _sn_scale(P: int) -> float:
    """Signal-to-noise load scale ``1/(P-1)!`` (alpha_c is a fraction of it)."""
    return 1.0 / math.factorial(P - 1)


def critical_point(P: int, T: float = 0.0, ansatz: str = "RS") -> xr.Dataset:
    """Saddle-node ``alpha_c(T)`` of the retrieval branch and the order parameters there.

    Located by :func:`theory.symbolic.fold`: with ``m`` fixed the stationarity conditions
    are solved for the other order parameters (the Parisi parameter included at 1RSB) and
    alpha, and ``alpha(m)`` is maximised (``d alpha/dm = 0`` to 1e-11 in m).  The seed is
    the last converged point of a scan over ``alpha = geomspace(1e-3, 1, 80) / (P-1)!``.

    Returns a Dataset with ``alpha_c``, ``alpha_c_error``, ``m`` and ``converged``.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    Tv = float(check_real("T", T, low=0.0))
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
                               a_rs * np.linspace(1.0, 2.0, 41)[1:]])
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
    data = {"alpha_c": ((), float(res.value[0])), "alpha_c_error": ((), float(res.error[0])),
            "converged": ((), bool(res.converged[0])), "m": ((), float(res.x[0, 0]))}
    ds = xr.Dataset(data, coords={"T": Tv})
    ds["T"].attrs.update(long_name="temperature", units="1")
    return _finalize(ds, P, ansatz, fold_model=cf.model.name)


def critical_capacity(P: int, T: float = 0.0, ansatz: str = "RS") -> float:
    """Critical load ``alpha_c(T)`` (library convention) of the retrieval branch.

    See :func:`critical_point`.  At T = 0 the RS value solves
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


# ----------------------------------------------------------------------------------------
# transition lines
# ----------------------------------------------------------------------------------------
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
    a = _grid("alpha", alpha, low=0.0)
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


# ----------------------------------------------------------------------------------------
# conventions
# ----------------------------------------------------------------------------------------
def convert(P: int, alpha: Any, T: Any, source: str = "library",
            target: str = "library") -> tuple[np.ndarray, np.ndarray]:
    """Map ``(alpha, T)`` between the conventions of :data:`CONVENTIONS`.

    ``'library'`` and ``'mattis'`` share alpha and T; ``'albanese'`` has the same alpha and
    ``T_A = P! T`` (see the module docstring for the exact Hamiltonians and the caveat about
    coinciding indices).  Returns float arrays ``(alpha, T)`` in ``target``.
    """
    P = _check_P(P)
    source = check_choice("source", source, CONVENTIONS)
    target = check_choice("target", target, CONVENTIONS)
    a = np.asarray(check_real("alpha", alpha, low=0.0), dtype=float)
    t = np.asarray(check_real("T", T, low=0.0), dtype=float)
    scale = {"library": 1.0, "mattis": 1.0, "albanese": float(math.factorial(P))}
    return a * 1.0, t * scale[target] / scale[source]


def all_tuples_covariance(P: int, q: Any) -> np.ndarray:
    """Cross-talk covariance per ``alpha N`` of the literal all-tuples Hamiltonian
    ``-(N/P!) sum_mu m_mu^P`` at ``K = alpha N^(P-1)``:
    ``sum_(k = P, P-2, ..., >= 1) C(P,k)^2 k! ((P-k-1)!!)^2 q^k / P!^2``.

    The ``k = P`` term ``q^P/P!`` is the library model's ``xi(q)/alpha``; the others come from
    coinciding indices (Wick pairings of the Gaussian overlaps).
    """
    P = _check_P(P)
    q = np.asarray(check_real("q", q, low=-1.0, high=1.0), dtype=float)
    out = np.zeros_like(q)
    for k in range(P, 0, -2):
        dfact = math.prod(range(P - k - 1, 0, -2)) if P - k - 1 > 0 else 1
        out = out + math.comb(P, k) ** 2 * math.factorial(k) * dfact**2 * q**k
    return out / math.factorial(P) ** 2


# ----------------------------------------------------------------------------------------
# signal to noise
# ----------------------------------------------------------------------------------------
def signal_to_noise(P: int, alpha: float | np.ndarray, N: int | None = None) -> xr.Dataset:
    """One-step stability of a stored pattern (signal-to-noise, closed form).

    With ``s = xi^1`` the aligned field ``h_i xi^1_i = sum_(distinct tuples containing i)``
    is a signal ``S = C(N-1, P-1)/N^(P-1)`` plus the cross-talk of ``K - 1`` patterns, a sum
    of independent zero-mean terms of total variance ``(K-1) C(N-1, P-1)/N^(2P-2)``.  In the
    Gaussian approximation a spin is unstable with probability
    ``p_error = Phi(-snr)``, ``snr = sqrt(C(N-1, P-1)/(K-1))``; for ``N -> inf``
    ``snr = 1/sqrt(alpha (P-1)!)`` (Baldi & Venkatesh 1987; P = 2 gives the AGS
    ``Phi(-1/sqrt(alpha))``).

    Parameters
    ----------
    P : int >= 3
    alpha : float or 1-D array, > 0
    N : int >= P, optional
        Finite network size (``K = round(alpha N^(P-1))``); None for the limit.
    """
    P = _check_P(P)
    a = _grid("alpha", alpha, low=0.0, low_open=True)
    if N is None:
        snr = 1.0 / np.sqrt(a * math.factorial(P - 1))
    else:
        if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N < P:
            raise ValueError(f"N must be an integer >= P = {P} (got {N!r})")
        K = np.rint(a * float(N) ** (P - 1))
        with np.errstate(divide="ignore"):
            snr = np.sqrt(math.comb(N - 1, P - 1) / np.maximum(K - 1.0, 0.0))
    p_err = 0.5 * erfc(snr / np.sqrt(2.0))
    ds = xr.Dataset({"snr": ("alpha", snr), "p_error": ("alpha", p_err)},
                    coords={"alpha": a})
    return _finalize(ds, P, None, method="signal-to-noise", N=-1 if N is None else int(N))
