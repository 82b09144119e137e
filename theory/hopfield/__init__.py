"""Replica-symmetric theory of the classic Hopfield model (Amit, Gutfreund & Sompolinsky).

Conventions (:class:`assoc.models.Hopfield`): spins ``s_i = +-1``, unbiased
patterns ``xi^mu_i = +-1``, ``H = -(1/2N) sum_{i != j} sum_mu xi^mu_i xi^mu_j s_i s_j``
and ``K = alpha N`` patterns; ``beta = 1/T``.

Replica-symmetric (RS) retrieval of one pattern (AGS 1987, Ann. Phys. 173, 30,
doi:10.1016/0003-4916(87)90092-3), with ``z ~ N(0, 1)`` and ``h = m + sqrt(alpha p) z``::

    m = E_z tanh(beta h)                     # AGS 1987, RS saddle point for m
    q = E_z tanh^2(beta h)                   # AGS 1987, RS saddle point for q
    p = q / (1 - beta (1 - q))^2             # AGS 1987, RS saddle point for r (= p here)
    f = alpha/2 + m^2/2 + alpha/(2 beta) [ln(1 - beta(1-q)) - beta q / (1 - beta(1-q))]
        + alpha beta p (1 - q)/2 - (1/beta) E_z ln 2cosh(beta h)     # AGS 1987, RS free energy

``f`` is stationary in (m, q, p) exactly at these equations (``df/dq = 0`` gives the p
equation, ``df/dp = 0`` the q equation after Gaussian integration by parts), at
``alpha -> 0`` it is the Curie-Weiss ``m^2/2 - T ln 2cosh(m/T)``, and on the paramagnet
``m = q = p = 0`` it is ``alpha/2 + (alpha T/2) ln(1 - 1/T) - T ln 2`` (the annealed
Gaussian integral over the K non-condensed overlaps).

T = 0 is solved with its own exact equations, never with a large beta: with
``C = beta (1 - q)`` finite and ``q = 1``::

    m = erf(m / sqrt(2 alpha p)),   C = sqrt(2/(pi alpha p)) exp(-m^2 / (2 alpha p)),
    p = 1/(1 - C)^2,
    E_0 = alpha/2 + m^2/2 + alpha (2C - 1) / (2 (1 - C)^2) - E_z |m + sqrt(alpha p) z|,

where every term of f was taken to the limit: ``alpha/(2 beta) ln(1 - C) -> 0``,
``-alpha q / (2 (1 - C)) -> -alpha / (2 (1 - C))``, ``alpha beta p (1 - q)/2 = alpha p C/2
-> alpha C / (2 (1 - C)^2)`` and ``(1/beta) ln 2cosh(beta h) -> |h|``.  Internally all
branches are solved in the unknowns (m, C) (see :mod:`theory.hopfield.rs`), which covers
T = 0 and T > 0 alike; order parameters are accurate to about 1e-12 (tested to 1e-8).

Stability of an RS solution (reported by :func:`solve`):

* ``replicon`` -- the de Almeida-Thouless (AT 1978) eigenvalue of the RS saddle in the
  replicon sector, ``1 - alpha beta^2 E sech^4(beta h) / (1 - beta (1 - q))^2``
  (AGS 1987 AT condition of the retrieval states).  It is ``-inf`` at T = 0 for every
  branch with q = 1 (the RS retrieval states are weakly RSB-unstable below T_AT).
* ``lambda_q`` -- longitudinal eigenvalue of the q sector at fixed m,
  ``1 - dQ/dq`` with ``Q(q) = E tanh^2`` the RS map (the n -> 0 longitudinal/anomalous
  eigenvalue, ``1 - beta^2 (1 - 4q + 3 E tanh^4)`` in the Sherrington-Kirkpatrick
  case); computed as ``1 - dChat/dC`` in the (m, C) variables, where it is finite at T = 0.
* ``lambda_m`` -- ``d^2 f_eff / dm^2`` of the constrained free energy
  ``f_eff(m) = f(m, q*(m), p*(m))`` (q, p at their saddle for given m):
  ``df_eff/dm = m - E tanh(beta h)``, so ``lambda_m = det(I - DG) / lambda_q`` for the
  RS map ``G``.  It vanishes at the retrieval spinodal and is negative on the
  unstable partner of the retrieval solution.

``stable`` is True where all three are positive.  At q = 0 (paramagnet) all reduce to
``1 - beta`` and ``1 - alpha beta^2 / (1 - beta)^2``, whose zero is T_g = 1 + sqrt(alpha).

The family's verbs, as in :mod:`theory.dense`: :func:`solve` and :func:`critical_point`
(``ansatz='RS'`` or ``'1RSB'``), :func:`critical_capacity`, :func:`transition_lines`,
:func:`phase_diagram` (RS; the 1RSB lines are not traced yet), :func:`signal_to_noise`,
and the alpha = 0 mixtures (:func:`mixture`). Inside: :mod:`.rs` (the RS equations in
(m, C)), :mod:`.rsb` (RS and 1RSB on the symbolic engine), :mod:`.lines` (T_M, T_c, T_g,
AT), :mod:`.mixtures`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from scipy.special import ndtr

from assoc.dataset import finalize
from assoc.errors import InputTypeError
from assoc.models import Hopfield
from assoc.validation import (
    check_bool,
    check_choice,
    check_grid,
    check_int,
    check_real,
    check_scalar,
)

from .._numerics.solver import annotate
from . import rs, rsb
from .lines import first_order_curve as _first_order_curve
from .lines import lines as _lines
from .mixtures import MODES, mixture_eigenvalues, mixture_solve, stability_temperature

__all__ = [
    "BRANCHES",
    "solve",
    "critical_capacity",
    "critical_point",
    "transition_lines",
    "first_order_line",
    "phase_diagram",
    "mixture",
    "mixture_stability_temperature",
    "signal_to_noise",
]

BRANCHES = rs.BRANCHES
_REFS = ["AGS1987", "AGS1985", "AT1978"]
_EQUATIONS = (
    "AGS 1987 RS equations m = E tanh(beta h), q = E tanh^2(beta h), "
    "p = q/(1 - beta(1-q))^2, h = m + sqrt(alpha p) z, solved in (m, C = beta(1-q)); "
    "T = 0 by its exact limit equations"
)
_EXTRA_ATTRS = {
    "lambda_q": ("longitudinal eigenvalue of the q sector at fixed m", "1"),
    "lambda_m": ("curvature d2 f_eff / dm2 of the constrained free energy", "1"),
    "stable_rs": ("longitudinally stable within RS (lambda_q > 0 and lambda_m > 0)", "1"),
    "alpha_c": ("critical load of the retrieval branch (saddle-node)", "1"),
    "T_c_low": ("lower (reentrant) edge of the retrieval-global region", "1"),
    "line": ("transition line", "1"),
    "mode": ("Hessian eigenmode of the mixture state", "1"),
    "eigenvalue": ("Hessian eigenvalue of the alpha = 0 free energy", "1"),
}


def _controls(alpha: Any, T: Any) -> tuple[np.ndarray, np.ndarray]:
    return check_grid("alpha", alpha, low=0.0, low_open=True), check_grid("T", T, low=0.0)


def _attach(ds: xr.Dataset) -> xr.Dataset:
    return annotate(ds, _EXTRA_ATTRS)


def _finalize(ds: xr.Dataset, **attrs: Any) -> xr.Dataset:
    return finalize(
        _attach(ds),
        kind="theory",
        model="hopfield",
        normalisation=Hopfield().normalisation,
        references=_REFS,
        ansatz="RS",
        equations=_EQUATIONS,
        **attrs,
    )


def _solve_points(alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """All branches at flat point arrays; values of shape (n, 3) in BRANCHES order."""
    n = alpha.size
    out: dict[str, np.ndarray] = {}
    res = [
        rs.solve_retrieval(alpha, T)[0],
        rs.solve_spin_glass(alpha, T),
        rs.solve_paramagnet(alpha, T),
    ]
    names = ("m", "q", "p", "C", "f", "replicon", "lambda_q", "lambda_m")
    for k in names:
        out[k] = np.full((n, 3), np.nan)
    for b, r in enumerate(res):
        c = r.converged
        if c.any():
            ev = rs.evaluate(r.x[c, 0], r.x[c, 1], alpha[c], T[c], paramagnet=(b == 2))
            for k in names:
                out[k][c, b] = ev[k]
    out["converged"] = np.stack([r.converged for r in res], axis=1)
    out["status"] = np.stack([r.status for r in res], axis=1).astype(np.int8)
    out["n_iter"] = np.stack([r.n_iter for r in res], axis=1).astype(np.int32)
    with np.errstate(invalid="ignore"):
        rs_ok = (out["lambda_q"] > 0) & (out["lambda_m"] > 0) & out["converged"]
    out["stable_rs"] = rs_ok
    with np.errstate(invalid="ignore"):
        out["stable"] = rs_ok & (out["replicon"] > 0)
    return out


def solve(alpha: float | np.ndarray, T: float | np.ndarray, ansatz: str = "RS") -> xr.Dataset:
    """Solve the RS AGS equations on the grid ``alpha x T`` for all three branches.

    Parameters
    ----------
    alpha : float or 1-D array
        Load ``K / N``, ``alpha > 0``.
    T : float or 1-D array
        Temperature, ``T >= 0``; T = 0 uses the exact zero-temperature equations.
    ansatz : {'RS', '1RSB'}
        'RS' (default): the AGS equations below. '1RSB': the retrieval branch at one-step
        RSB on the symbolic engine, :func:`theory.hopfield.rsb.solve` (its own Dataset).

    Returns
    -------
    xarray.Dataset
        Dimensions ``(alpha, T, branch)`` with ``branch`` in
        ``['retrieval', 'spin_glass', 'paramagnet']`` and coordinate ``beta``
        (``inf`` at T = 0) along T.  Variables: ``m``, ``q``, ``p`` (AGS r), ``C``
        (``beta (1 - q)``), ``f`` (free energy per spin; the ground-state energy at T = 0),
        ``converged``, ``stable`` (replicon, lambda_q and lambda_m all > 0), ``stable_rs``
        (lambda_q, lambda_m > 0), ``status``, ``n_iter``, ``replicon``, ``lambda_q``,
        ``lambda_m`` (see the module docstring).  Where a branch does not exist the
        numbers are NaN with ``converged = False``.

    Notes
    -----
    Which branch exists where:

    * retrieval (m > 0): ``alpha <= alpha_c(T)``, the saddle-node of the parametric
      retrieval curve (exact, see :func:`critical_point`); none for T >= 1.
    * spin glass (m = 0, q > 0): ``T < T_g = 1 + sqrt(alpha)``.
    * paramagnet (m = q = p = 0): ``T > 1``; its Gaussian integral needs
      ``1 - beta > 0``.  It is locally unstable for ``T < T_g``.

    ``status`` codes: 0 converged (closed forms included), 1 iteration limit,
    2 non-finite residual or singular Jacobian, 3 branch does not exist here,
    4 the iteration reached another branch (theory._numerics.solver).  The solver is
    vectorised over all grid points (damped Newton in (m, C) for retrieval,
    safeguarded bracketed Newton for the spin glass); a point's result does
    not depend on the rest of the grid.

    Examples
    --------
    >>> ds = solve(0.05, 0.0)
    >>> round(float(ds.m.sel(branch="retrieval")[0, 0]), 5)
    0.99999
    """
    if check_choice("ansatz", ansatz, ("RS", "1RSB")) == "1RSB":
        return rsb.solve(alpha, T, ansatz="1RSB")
    a, t = _controls(alpha, T)
    A, TT = np.meshgrid(a, t, indexing="ij")
    out = _solve_points(A.ravel(), TT.ravel())
    shape = (a.size, t.size, 3)
    dims = ("alpha", "T", "branch")
    data = {k: (dims, v.reshape(shape)) for k, v in out.items()}
    ds = xr.Dataset(
        data,
        coords={"alpha": a, "T": t, "branch": list(BRANCHES), "beta": ("T", rs.beta_of(t))},
    )
    return _finalize(ds)


def critical_point(T: float | np.ndarray = 0.0, ansatz: str = "RS") -> xr.Dataset:
    """Retrieval spinodal at fixed T: ``alpha_c(T)`` and the order parameters there.

    ``alpha_c(T)`` is the maximum of the parametric retrieval curve
    ``sigma -> alpha(sigma)`` (theory.hopfield.rs), i.e. the saddle-node where the
    retrieval solution and its unstable partner merge.  The maximum is located by
    Illinois iteration on ``d ln alpha / d sigma = 0`` to ``|d sigma| ~ 1e-13``, so
    ``alpha_c`` is exact to about 1e-14 (quadratic maximum) and m, q, p at it to
    about 1e-10; we claim 12 digits of alpha_c and 9 of m_c.  At T = 0:
    ``alpha_c = 0.1379055665``, ``m_c = 0.9674171``.  RS is reentrant: alpha_c(T)
    rises slightly above its T = 0 value for small T > 0.

    Returns a Dataset over T with ``alpha_c``, ``m``, ``q``, ``p``, ``C`` and
    ``converged`` (``alpha_c = 0`` and NaN order parameters for T >= 1).

    ``ansatz='1RSB'``: the fold of the one-step RSB retrieval branch at one scalar T,
    :func:`theory.hopfield.rsb.critical_point` (its own Dataset); ``ansatz='2RSB'`` the
    two-step one, at T = 0 only.
    """
    ansatz = check_choice("ansatz", ansatz, rsb.CAPACITY_ANSATZE)
    if ansatz != "RS":
        return rsb.critical_point(float(check_real("T", T, low=0.0)), ansatz=ansatz)
    t = check_grid("T", T, low=0.0)
    cap = rs.capacity(t)
    mc, Cc = cap["m_c"], cap["C_c"]
    q = 1.0 - Cc * t
    with np.errstate(invalid="ignore"):
        p = q / (1.0 - Cc) ** 2
    conv = np.isfinite(cap["m_c"]) | (t >= 1.0)
    ds = xr.Dataset(
        {
            "alpha_c": ("T", cap["alpha_c"]),
            "m": ("T", mc),
            "q": ("T", q),
            "p": ("T", p),
            "C": ("T", Cc),
            "converged": ("T", conv),
        },
        coords={"T": t, "beta": ("T", rs.beta_of(t))},
    )
    return _finalize(ds)


def critical_capacity(T: float = 0.0, ansatz: str = "RS") -> float:
    """Largest load ``alpha_c(T)`` with a retrieval solution at temperature T.

    Parameters
    ----------
    T : float
        Temperature ``>= 0`` (``< 1`` for ``ansatz='1RSB'``); T = 0 uses the exact
        zero-temperature equations.
    ansatz : {'RS', '1RSB', '2RSB'}
        ``'RS'`` (default): the hand-written AGS solver; see :func:`critical_point` (which
        also returns m at alpha_c) for the method and the claimed digits,
        ``critical_capacity(0.0) = 0.137905566...`` (AGS 1985/1987: alpha_c ~ 0.138).
        ``'1RSB'``: the one-step RSB retrieval branch with the Parisi parameter optimised,
        computed on the symbolic engine by :func:`theory.hopfield.rsb.critical_capacity`
        (0.13818649 at T = 0, as Steffan & Kuhn 1994 find; the ansatz is Crisanti, Amit &
        Gutfreund's 1986, whose own published 1RSB estimate is about 0.144).
        ``'2RSB'`` (T = 0 only): the two-step RSB retrieval branch, likewise
        (:func:`theory.hopfield.rsb.critical_point`).

    Raises
    ------
    ValueError
        For T < 0 or an unknown ansatz.
    assoc.errors.NotConvergedError
        If the 1RSB saddle-node does not converge.

    Examples
    --------
    >>> round(critical_capacity(0.0), 6)
    0.137906
    """
    ansatz = check_choice("ansatz", ansatz, rsb.CAPACITY_ANSATZE)
    t = check_scalar("T", T, low=0.0)
    if ansatz != "RS":
        return rsb.critical_capacity(t, ansatz=ansatz)
    return float(rs.capacity(np.array([t]))["alpha_c"][0])


def transition_lines(alpha: float | np.ndarray) -> xr.Dataset:
    """Transition lines of the RS phase diagram over alpha.

    Variables (NaN where the line does not exist at that alpha; ``converged`` per line):

    * ``T_g`` -- spin-glass transition, where the q > 0 solution bifurcates from
      q = 0: located numerically as the root in T of ``Q(q0)/q0 = 1`` at
      ``q0 = 1e-12`` with ``Q`` the RS q-map evaluated by quadrature (the analytic
      value is ``1 + sqrt(alpha)``, which the tests compare against).
    * ``T_M`` -- retrieval spinodal, the largest T with a retrieval solution
      (``alpha_c(T) = alpha``); NaN above the maximum of ``alpha_c(T)``.
    * ``T_c`` -- the highest T below T_M where the retrieval and spin-glass free
      energies are equal (retrieval is the global minimum below it); NaN when
      retrieval is never the lower one (alpha above ~0.0532).
    * ``T_c_low`` -- RS reentrance of that line: for ``0.05185 < alpha < ~0.0532``
      retrieval is global only for ``T_c_low < T < T_c``; ``T_c_low -> 0`` at
      ``alpha = 0.05185``, where the T = 0 energies cross (AGS: ~0.05).  The reentrance
      comes from the negative zero-temperature entropy of the RS spin glass.
    * ``T_AT`` -- AT line of the retrieval branch (replicon = 0), found in log T;
      below about 1e-280 it is the exact small-T asymptote
      ``(4/3) alpha pdf_h(0) / (1 - C)^2`` at the T = 0 solution (0.0 once that
      underflows, alpha < ~7e-4); NaN in the reentrant window alpha_c(0) < alpha, where
      there is no T = 0 retrieval solution to start from.
    """
    a, _ = _controls(alpha, 0.0)
    vals, conv = _lines(a)
    names = ("T_g", "T_M", "T_c", "T_c_low", "T_AT")
    ds = xr.Dataset(
        {k: ("alpha", vals[k]) for k in names}
        | {"converged": (("alpha", "line"), np.stack([conv[k] for k in names], axis=1))},
        coords={"alpha": a, "line": list(names)},
    )
    return _finalize(ds)


def first_order_line(n_T: int = 41) -> xr.Dataset:
    """The T_c line (retrieval becomes the global minimum) as one curve through its nose.

    :func:`transition_lines` gives ``T_c`` and its reentrant lower edge ``T_c_low`` as
    functions of alpha; they meet at a nose near ``alpha = 0.0532`` and are lost on a fixed
    alpha grid before it. Read as a function of T the line is single valued: this returns
    the load ``alpha(T)`` where the RS retrieval and spin-glass free energies are equal, for
    ``n_T`` temperatures from 1 (``alpha = 0``) to 0 (``alpha = 0.05185``, where the T = 0
    energies cross), so that the figure can draw it closed, as AGS do.

    Returns a Dataset over ``T`` (decreasing) with ``alpha`` and ``converged``.
    """
    n = check_int("n_T", n_T, low=3)
    T, a, conv = _first_order_curve(n)
    ds = xr.Dataset({"alpha": ("T", a), "converged": ("T", conv)}, coords={"T": T})
    ds["alpha"].attrs.update(long_name="load on the T_c line", units="1")
    ds["converged"].attrs.update(long_name="the line was located at this T", units="1")
    return _finalize(ds)


def phase_diagram(
    alpha: float | np.ndarray, T: float | np.ndarray, *, replicon: bool = False
) -> xr.Dataset:
    """:func:`solve` plus ``phase``: the dominant stable branch at each (alpha, T).

    ``phase`` is the branch of lowest free energy among the converged branches that
    are locally stable: within RS (``stable_rs``: lambda_q > 0 and lambda_m > 0) by
    default, which gives the AGS regions (paramagnet above T_g, spin glass below it,
    retrieval metastable between T_c and T_M and global below T_c, with the AT line
    drawn separately); with ``replicon=True`` the replicon must be positive too
    (``stable``), and regions where RS is AT-unstable become ``'none'``.  Exact ties
    go to the first branch in ``BRANCHES`` order; ``'none'`` marks points without a
    stable converged branch.  dtype ``<U10`` (round-trips through netCDF).
    """
    replicon = check_bool("replicon", replicon)
    ds = solve(alpha, T)
    ok = (ds["stable"] if replicon else ds["stable_rs"]).values
    f = np.where(ok, ds["f"].values, np.inf)
    k = np.argmin(f, axis=-1)
    names = np.array(list(BRANCHES) + ["none"], dtype="<U10")
    k = np.where(np.isfinite(np.min(f, axis=-1)), k, len(BRANCHES))
    ds["phase"] = (("alpha", "T"), names[k])
    ds.attrs["phase_stability"] = "stable (with replicon)" if replicon else "stable_rs"
    return _finalize(ds)


def mixture(n: int | list[int] | np.ndarray, T: float | np.ndarray) -> xr.Dataset:
    """Symmetric n-mixture states at alpha = 0 (AGS 1985a, Phys. Rev. A 32, 1007).

    ``m_mu = m`` for ``mu <= n`` with ``m = E_xi[xi_1 tanh(beta m sum_{nu<=n} xi_nu)]``,
    averaged exactly over the 2^n sign configurations; ``f = n m^2/2 - T E ln 2cosh(beta m S)``
    (``-n m^2 / 2`` at T = 0, where ``m = E|S|/n`` exactly, e.g. 1/2 for n = 3).
    ``eigenvalue`` holds the Hessian eigenvalues of the alpha = 0 free energy in the
    full K > n pattern space (modes transverse, relative, symmetric; see
    :mod:`theory.hopfield.mixtures`); ``stable`` where all are positive.  n = 1 is the
    alpha -> 0 retrieval state ``m = tanh(beta m)``.
    """
    ns = np.atleast_1d(np.asarray(n))
    if ns.ndim != 1:
        raise ValueError("n must be an integer or a 1-D sequence of integers")
    if ns.dtype.kind not in "iu":  # 3.0 and True are not integers
        raise InputTypeError(f"n must be an integer >= 1 or a 1-D sequence of them (got {n!r})")
    ns = np.array([check_int("n", int(v), low=1) for v in ns])
    _, t = _controls(1.0, T)
    shape = (ns.size, t.size)
    m = np.full(shape, np.nan)
    f = np.full(shape, np.nan)
    conv = np.zeros(shape, dtype=bool)
    status = np.zeros(shape, dtype=np.int8)
    n_iter = np.zeros(shape, dtype=np.int32)
    ev = np.full(shape + (3,), np.nan)
    for i, nn in enumerate(ns):
        sol = mixture_solve(int(nn), t)
        m[i], f[i], conv[i], status[i], n_iter[i] = (
            sol["m"],
            sol["f"],
            sol["converged"],
            sol["status"],
            sol["n_iter"],
        )
        ev[i] = mixture_eigenvalues(int(nn), sol["m"], t)
    with np.errstate(invalid="ignore"):
        stable = conv & np.all(np.where(np.isnan(ev), np.inf, ev) > 0, axis=-1)
    ds = xr.Dataset(
        {
            "m": (("n", "T"), m),
            "f": (("n", "T"), f),
            "converged": (("n", "T"), conv),
            "stable": (("n", "T"), stable),
            "status": (("n", "T"), status),
            "n_iter": (("n", "T"), n_iter),
            "eigenvalue": (("n", "T", "mode"), ev),
        },
        coords={"n": ns, "T": t, "mode": list(MODES), "beta": ("T", rs.beta_of(t))},
    )
    return finalize(
        _attach(ds),
        kind="theory",
        model="hopfield",
        normalisation=Hopfield().normalisation,
        references=["AGS1985a"],
        ansatz="alpha = 0 mean field",
        equations="m = E_xi[xi_1 tanh(beta m S)], S = sum_(nu<=n) xi_nu, exact 2^n average",
    )


def mixture_stability_temperature(n: int) -> float:
    """Temperature below which the symmetric n-mixture (alpha = 0) is locally stable.

    1 for n = 1; about 0.460 for n = 3 (AGS 1985a: 0.46); NaN for even n,
    which are unstable at every T (the S = 0 configurations).  Accurate to ~1e-12.
    """
    nn = check_int("n", n, low=1)
    val, _ = stability_temperature(nn)
    return val


def signal_to_noise(alpha: float | np.ndarray) -> float | np.ndarray:
    """One-step probability that a bit of a stored pattern is unstable.

    With the network in pattern 1 (``s = xi^1``), the aligned local field is
    ``h_i xi^1_i = 1 + (1/N) sum_{mu > 1} sum_{j != i} xi^1_i xi^mu_i xi^mu_j xi^1_j``:
    signal 1 plus crosstalk that is Gaussian at large N with variance
    ``(K - 1)(N - 1)/N^2 -> alpha``.  The bit flips when the field is negative:
    ``P_error = Phi(-1 / sqrt(alpha))`` with Phi the standard normal CDF
    (Hopfield 1982, PNAS 79, 2554, doi:10.1073/pnas.79.8.2554; AGS 1987).

    Examples
    --------
    >>> round(float(signal_to_noise(0.138)), 4)
    0.0036
    """
    a = check_real("alpha", alpha, low=0.0, low_open=True)
    out = ndtr(-1.0 / np.sqrt(a))
    return float(out) if out.ndim == 0 else out
