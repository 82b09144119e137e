"""Dense networks trained on examples on a grid of loads, datasets and temperatures: every
RS branch and the phase (see :mod:`theory.dense_learning`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr
from scipy.special import erf

from assoc.validation import check_grid, check_int

from .._numerics.solver import CONVERGED, NO_SOLUTION
from ..dense import branches as dbr
from ..dense.glass import _m0_sector
from ..symbolic.solve import reach_points, solve_points
from . import laws
from . import models as lm
from . import pairwise as pw
from .common import BRANCHES, _check_common, _finalize, channels, law_parameters

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
    with np.errstate(divide="ignore"):
        return erf(a / np.sqrt(2.0 * rho))


def _sigma2(P: int, alpha: np.ndarray, v: Any, x: np.ndarray) -> np.ndarray:
    """Variance of the cross-talk field at T = 0 at the solutions ``x`` of the T = 0 model:
    ``xi'(1) = alpha v/(P-1)!`` (P >= 3), ``sigma^2`` (P = 2, sigma the last column)."""
    if P == 2:
        return x[:, -1] ** 2
    return alpha * v / math.factorial(P - 1)


def _pair_seed(protocol: str, n_overlaps: int,
               signal_of: Callable[[np.ndarray, dict], tuple[np.ndarray, ...]]) -> Callable:
    """The ``seed`` of :func:`_continue` at P = 2: the low-load overlaps (the first
    ``n_overlaps`` columns) with the susceptibility C of their signal at the first load and
    the field's standard deviation ``sigma = sqrt(alpha p)``
    (:func:`theory.dense_learning.pairwise.susceptibility`).  ``signal_of(x_low, other)``
    gives the site signals, their weights (lines, atoms) and the extra field variance
    (lines,) of the Gaussian law."""
    def seed(xl: np.ndarray, other: dict, a0: float, zero: bool) -> np.ndarray:
        signal, w, extra = signal_of(xl, other)
        rho, _ = law_parameters(2, protocol, other)
        ch = channels(protocol, rho, other.get("M"))
        T = np.zeros(len(xl)) if zero else 1.0 / other["beta"]
        C = pw.susceptibility(signal, w, extra, np.full(len(xl), a0), T, *ch)
        return np.column_stack([xl[:, :n_overlaps], C, np.sqrt(a0 * pw.conjugate(C, T, *ch))])

    return seed


def _overlap_t0(P: int, gaussian: bool, law: dict[str, np.ndarray], sig2: np.ndarray,
                n: np.ndarray) -> np.ndarray:
    """``m = E_c erf(c s(n)/sqrt(2 (rho s^2 + sig2)))`` at T = 0, alpha > 0, with the
    cross-talk variance ``sig2`` (:func:`_sigma2`)."""
    s = laws.signal(P, n)
    if gaussian:
        return erf(s / np.sqrt(2.0 * (law["rho"] * s * s + sig2)))
    c, w = laws.atoms(law["r"], law["M"])
    return (w * erf(c * s[:, None] / np.sqrt(2.0 * sig2)[:, None])).sum(1)


def _continue(cf_of: Callable[[bool], Any], x_low: np.ndarray, ok_low: np.ndarray,
              law: dict[str, np.ndarray], alpha: np.ndarray, T: np.ndarray,
              accept: Callable, seed: Callable | None = None) -> dict[str, Any]:
    """A branch on (alpha > 0, line), continued in alpha from its low-load solution
    ``x_low`` (L, d) (T = 0 lines use the columns of their T = 0 model, all but q, the last)
    along the fixed reference loads of :mod:`theory.dense.branches`.  ``seed(x_low, other,
    alpha, zero)``, if given, turns the low-load rows into the model's starting point at the
    first load (P = 2: adds the AGS susceptibility C and the noise sigma).

    Returns ``x`` (nA, L, d) (NaN where not converged), ``status`` (nA, L), ``ends_alpha``
    and ``ends_x`` (L, d): the last reference load each line reached and its solution.
    """
    nA, L = alpha.size, T.size
    d = max(x_low.shape[1], *(cf_of(z).model.dim for z in (True, False)))
    X = np.full((nA, L, d), np.nan)
    status = np.full((nA, L), NO_SOLUTION, dtype=np.int8)
    ends, ends_x = np.full(L, np.nan), np.full((L, d), np.nan)
    pos = np.flatnonzero(alpha > 0)
    if pos.size == 0:
        return {"x": X, "status": status, "ends_alpha": ends, "ends_x": ends_x}
    a_start = min(dbr.ALPHA_START, 0.5 * float(alpha[pos].min()))
    ref = dbr.REF_ALPHA[:np.searchsorted(dbr.REF_ALPHA, alpha.max()) + 1]
    path = np.concatenate([[a_start], ref[ref > a_start]])
    for zero in (True, False):
        lines = np.flatnonzero(((T == 0) == zero) & ok_low)
        if lines.size == 0:
            continue
        cf = cf_of(zero)
        other = {k: val[lines] for k, val in law.items()}
        if not zero:
            other["beta"] = 1.0 / T[lines]
        x0 = (x_low[lines][:, :cf.model.dim] if seed is None
              else seed(x_low[lines], other, a_start, zero))
        start = solve_points(cf, x0, {"alpha": a_start, **other}, accept=accept)
        ok_l = np.flatnonzero(start.converged)
        if ok_l.size == 0:
            continue
        lines, other = lines[ok_l], {k: val[ok_l] for k, val in other.items()}
        res, end, end_x = reach_points(cf, start.x[ok_l], path, alpha[pos], "alpha", other,
                                       accept=accept, max_jump=0.15, refine=dbr.END_REFINE)
        ends[lines] = end
        ends_x[lines, :end_x.shape[1]] = end_x
        for li, line in enumerate(lines):
            status[pos, line] = res.status[li]
            ok = res.converged[li]
            X[pos[ok], line, :cf.model.dim] = res.x[li][ok]
    return {"x": X, "status": status, "ends_alpha": ends, "ends_x": ends_x}


def _measure(cf_of: Callable[[bool], Any], X: np.ndarray, law: dict[str, np.ndarray],
             alpha: np.ndarray, T: np.ndarray, m_t0: Callable, m_expr: Any,
             out: dict[str, np.ndarray]) -> None:
    """f, curvature, replicon, q and the archetype overlap m at the converged points of a
    branch (alpha > 0), written into ``out`` ((nA, L) arrays)."""
    for line in range(T.size):
        rows = np.flatnonzero(np.isfinite(X[:, line, 0]) & (alpha > 0))
        if rows.size == 0:
            continue
        zero = T[line] == 0
        cf = cf_of(zero)
        x = X[rows, line, :cf.model.dim]
        ctrl = {"alpha": alpha[rows], **{k: np.full(rows.size, val[line])
                                         for k, val in law.items()}}
        if not zero:
            ctrl["beta"] = np.full(rows.size, 1.0 / T[line])
        out["f"][rows, line] = cf.f(x, ctrl)
        st = cf.stability(x, ctrl)
        out["curvature"][rows, line] = st["curvature"]
        if zero:
            out["q"][rows, line] = 1.0
            out["replicon"][rows, line] = -np.inf  # beta^2 E sech^4 ~ beta
            out["m"][rows, line] = m_t0(x, ctrl, line)
        else:
            out["q"][rows, line] = (x[:, cf.names.index("q")] if "q" in cf.names
                                    else 1.0 - x[:, cf.names.index("C")] * T[line])
            out["replicon"][rows, line] = st["replicon"]
            out["m"][rows, line] = cf.observe("m", m_expr, x, ctrl)


def _retrieval(P: int, protocol: str, gaussian: bool, law: dict[str, np.ndarray],
               v: np.ndarray, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """RS retrieval (the example-symmetric state) on (alpha, line), continued in alpha from
    the low-load end of each line (the lines are the flat (law point, T) pairs).  Also
    ``ends_alpha`` and ``ends_x`` of :func:`_continue` (T = 0: n, NaN)."""
    nA, L = alpha.size, T.size
    out = {k: np.full((nA, L), np.nan) for k in ("n", "m", "q", "f", "curvature", "replicon")}
    low = _low_load(P, protocol, gaussian, law, T)
    a0 = np.flatnonzero(alpha == 0)
    for k in ("n", "m", "q", "f", "curvature"):
        out[k][a0] = low[k][None, :]
    out["replicon"][a0] = np.where(np.isfinite(low["n"]), 1.0, np.nan)[None, :]

    def cf_of(zero: bool) -> Any:
        return laws.compiled(P, protocol, gaussian, "rs0" if zero else "rs")

    def m_t0(x: np.ndarray, ctrl: dict, line: int) -> np.ndarray:
        lw = {k: ctrl[k] for k in law}
        return _overlap_t0(P, gaussian, lw, _sigma2(P, ctrl["alpha"], v[line], x), x[:, 0])

    def signal_of(xl: np.ndarray, other: dict) -> tuple[np.ndarray, ...]:
        n = xl[:, 0]
        if gaussian:
            return n[:, None], np.ones((n.size, 1)), other["rho"] * n * n
        c, w = laws.atoms(other["r"], other["M"])
        return c * n[:, None], w, np.zeros(n.size)

    br = _continue(cf_of, np.stack([low["n"], low["q"]], axis=1),
                   low["status"] == CONVERGED, law, alpha, T, _accept,
                   _pair_seed(protocol, 1, signal_of) if P == 2 else None)
    _measure(cf_of, br["x"], law, alpha, T, m_t0, lm.archetype_overlap(P), out)
    out["n"] = np.where(alpha[:, None] > 0, br["x"][..., 0], out["n"])
    status = np.where(alpha[:, None] > 0, br["status"], low["status"][None, :])
    return {**out, "status": status, "x": br["x"], "ends_alpha": br["ends_alpha"],
            "ends_x": br["ends_x"]}


#: Smallest m1 - m2 of an example state (below it, it has merged with the symmetric one).
SPLIT_MIN = 1e-3
#: Fixed-point iterations of the low-load example state.
EXAMPLE_ITERATIONS = 20000


def _accept_example(x: np.ndarray, c: Any) -> np.ndarray:
    return (x[:, 0] > N_MIN) & (x[:, 0] - x[:, 1] > SPLIT_MIN)


def _example_low_load(P: int, law: dict[str, np.ndarray], T: np.ndarray) -> dict[str, np.ndarray]:
    """The example state at alpha = 0 on the lines: the fixed point of
    ``m1 = E[a1 t]``, ``m2 = E[a2 t]/(M - 1)``, ``t = tanh(beta h)`` (T = 0: sign h), from
    (1, r^2); its f, q, archetype overlap and the curvature (smallest eigenvalue of the
    Hessian of f in (m1, m2), by central differences)."""
    L = T.size
    out = {k: np.full(L, np.nan) for k in ("m1", "m2", "m", "q", "f", "curvature")}
    status = np.full(L, NO_SOLUTION, dtype=np.int8)
    r, M = law["r"], law["M"]
    a1, a2, w = laws.example_atoms(r, M)
    kap, Lm = 1.0 / (M * r**P), M - 1.0
    fac = math.factorial(P - 1)

    def h_of(m1, m2, k):  # noqa: ANN001, ANN202
        return kap[k] * (a1[k] * m1 ** (P - 1) + a2[k] * m2 ** (P - 1)) / fac

    def f_of(m1, m2, k):  # noqa: ANN001, ANN202
        h = h_of(m1, m2, k)
        spin = (np.abs(h) if T[k] == 0 else
                T[k] * (np.abs(h) / T[k] + np.log1p(np.exp(-2 * np.abs(h) / T[k]))))
        return ((P - 1) * kap[k] * (m1**P + Lm[k] * m2**P) / math.factorial(P)
                - (w[k] * spin).sum())

    for k in np.flatnonzero(M >= 2):
        m1, m2 = 1.0, r[k] ** 2
        t = None
        for _ in range(EXAMPLE_ITERATIONS):
            h = h_of(m1, m2, k)
            t = np.sign(h) if T[k] == 0 else np.tanh(h / T[k])
            n1, n2 = (w[k] * a1[k] * t).sum(), (w[k] * a2[k] * t).sum() / Lm[k]
            done = abs(n1 - m1) + abs(n2 - m2) < 1e-15
            m1, m2 = n1, n2
            if done:
                break
        else:
            status[k] = 1  # the iteration limit
            continue
        if not (m1 > N_MIN and m1 - m2 > SPLIT_MIN):
            continue
        e = 1e-4
        H = np.empty((2, 2))
        for i in range(2):
            for j in range(2):
                d = np.zeros((4, 2))
                d[:, i] += e * np.array([1, 1, -1, -1])
                d[:, j] += e * np.array([1, -1, 1, -1])
                vals = [f_of(m1 + u, m2 + v, k) for u, v in d]
                H[i, j] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * e * e)
        out["m1"][k], out["m2"][k] = m1, m2
        out["m"][k], out["q"][k] = (w[k] * t).sum(), (w[k] * t * t).sum()
        out["f"][k] = f_of(m1, m2, k)
        out["curvature"][k] = np.linalg.eigvalsh(0.5 * (H + H.T))[0]
        status[k] = CONVERGED
    out["status"] = status
    return out


def _example(P: int, law: dict[str, np.ndarray], v: np.ndarray, alpha: np.ndarray,
             T: np.ndarray) -> dict[str, np.ndarray]:
    """The unsupervised example state (one example condensed, m1 > m2) on (alpha, line)."""
    nA, L = alpha.size, T.size
    keys = ("m1", "m2", "m", "q", "f", "curvature", "replicon")
    out = {k: np.full((nA, L), np.nan) for k in keys}
    low = _example_low_load(P, law, T)
    a0 = np.flatnonzero(alpha == 0)
    for k in ("m1", "m2", "m", "q", "f", "curvature"):
        out[k][a0] = low[k][None, :]
    out["replicon"][a0] = np.where(np.isfinite(low["m1"]), 1.0, np.nan)[None, :]

    def cf_of(zero: bool) -> Any:
        return laws.compiled_example(P, zero)

    def signal_of(xl: np.ndarray, other: dict) -> tuple[np.ndarray, ...]:
        a1, a2, w = laws.example_atoms(other["r"], other["M"])
        kap = 1.0 / (other["M"] * other["r"] ** P)
        s = kap[:, None] * (a1 * xl[:, :1] ** (P - 1) + a2 * xl[:, 1:2] ** (P - 1))
        return s / math.factorial(P - 1), w, np.zeros(len(xl))

    def m_t0(x: np.ndarray, ctrl: dict, line: int) -> np.ndarray:
        s, w, _ = signal_of(x, ctrl)
        sig = np.sqrt(_sigma2(P, ctrl["alpha"], v[line], x))[:, None]
        return (w * erf(s / (np.sqrt(2.0) * sig))).sum(1)

    br = _continue(cf_of, np.stack([low["m1"], low["m2"], low["q"]], axis=1),
                   low["status"] == CONVERGED, law, alpha, T, _accept_example,
                   _pair_seed("unsupervised", 2, signal_of) if P == 2 else None)
    _measure(cf_of, br["x"], law, alpha, T, m_t0, lm.example_overlap(P), out)
    for k, col in (("m1", 0), ("m2", 1)):
        out[k] = np.where(alpha[:, None] > 0, br["x"][..., col], out[k])
    status = np.where(alpha[:, None] > 0, br["status"], low["status"][None, :])
    return {**out, "status": status}


def _example_symmetry(P: int, law: dict[str, np.ndarray], v: np.ndarray, alpha: np.ndarray,
                      T: np.ndarray, n: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The unsupervised retrieval's eigenvalue across the examples (module
    :mod:`theory.dense_learning.models`, "Example symmetry") on (alpha, line), with the
    retrieval's overlap n and its solutions X (alpha > 0) of :func:`_retrieval`; +inf at
    M = 1 (no such mode), NaN where n is."""
    out = np.full(n.shape, np.nan)
    for line in range(T.size):
        rows = np.flatnonzero(np.isfinite(n[:, line]))
        if rows.size == 0:
            continue
        k = rows.size
        lw = {key: np.full(k, val[line]) for key, val in law.items()}
        r, M, a, nn = lw["r"], lw["M"], alpha[rows], n[rows, line]
        if M[0] == 1:
            out[rows, line] = np.inf
            continue
        c, w = laws.atoms(r, M)
        S = r[:, None] * M[:, None] * c
        wS = w * (M[:, None] ** 2 - S**2) / (M[:, None] * (M[:, None] - 1))
        s = laws.signal(P, nn)[:, None]
        x_all = X[rows, line]  # all columns: only P = 2 reads them, where both models have 3
        with np.errstate(invalid="ignore"):
            sig = np.sqrt(np.where(a > 0, _sigma2(P, a, v[line], x_all), 0.0))[:, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if T[line] == 0:  # beta sech^2 -> 2 delta(h): 2 phi(c s/sigma)/sigma
                resp = np.where(sig > 0, 2 * np.exp(-0.5 * (c * s / sig) ** 2)
                                / (math.sqrt(2 * math.pi) * sig), np.where(c == 0, np.inf, 0.0))
            else:
                b = 1.0 / T[line]
                resp = b / np.cosh(b * c * s) ** 2  # alpha = 0
                hot = np.flatnonzero(a > 0)
                if hot.size:
                    cf = laws.compiled(P, "unsupervised", False, "rs")
                    x = x_all[hot]
                    ctrl = {"alpha": a[hot], "r": r[hot], "M": M[hot], "beta": np.full(hot.size, b)}
                    resp[hot], _ = cf.observe_atoms("beta_sech2", lm.beta_sech2(P), x, ctrl)
            resp_mean = np.where(wS > 0, wS * resp, 0.0).sum(axis=1)
            g1 = nn ** (P - 2) / (M * r * r * math.factorial(P - 2))
            out[rows, line] = 1.0 - g1 * resp_mean
    return out


def solve(P: int, alpha: Any, T: Any, *, r: Any = None, M: Any = None, rho: Any = None,
          protocol: str = "supervised", load: str = "storage",
          N: int | None = None) -> xr.Dataset:
    """RS retrieval, spin-glass and paramagnetic branches of a dense network trained on
    examples, on the grid ``alpha x (r x M, or rho) x T``.

    Parameters
    ----------
    P : int >= 2
        Interaction order (P = 2: the pairwise network, :mod:`theory.dense_learning.models`,
        "P = 2").
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
        ``['retrieval', 'example', 'spin_glass', 'paramagnet']``: ``n`` (overlap with the
        coupling vector ``xihat = (1/(rM)) sum_a eta^a``), ``m`` (archetype overlap),
        ``m_example`` and ``m_other`` (exact law only: the overlaps with example 1 and with
        each other example; ``r n`` both on retrieval), ``q``, ``f``, ``replicon``,
        ``curvature`` (the smallest eigenvalue of the Hessian of f in the overlaps, q at its
        saddle), ``converged``, ``status``, ``stable_rs`` (curvature > 0; unsupervised
        retrieval: also ``example_symmetry`` > 0), ``stable`` (also replicon > 0), and over
        the controls ``phase`` (the stable branch of lowest f, the m = 0 state being the
        paramagnet above the static glass transition and the spin glass below it), ``rho``,
        ``variance_factor`` (v of the cross-talk ``xi(q) = alpha v q^P/P!``; at P = 2 the
        one-step factor ``sum_k L_k lam_k^2``, the q -> 1, C -> 0 limit) and,
        unsupervised, ``example_symmetry``.  The ``example`` branch (one example condensed)
        exists for the unsupervised protocol with M >= 2 only.

    Notes
    -----
    Free energy and derivation: :mod:`theory.dense_learning.models`.  Retrieval is continued
    in alpha from the low-load solution along the fixed loads of
    :data:`theory.dense.branches.REF_ALPHA` (a point's result does not depend on the other
    points).  The n = 0 branches see the examples only through ``alpha v``: they are the
    dense storage model's at load ``alpha v`` (:mod:`theory.dense.branches`); at P = 2 they
    are AGS's with the examples' channels (:mod:`theory.dense_learning.pairwise`), the spin
    glass below ``T_g`` and the paramagnet above.
    """
    P, protocol, load, N = _check_common(P, protocol, load, N)
    a = check_grid("alpha", alpha, low=0.0)
    t = check_grid("T", T, low=0.0)
    axes, law = _law_grid(r, M, rho, protocol)
    gaussian = "rho" in axes
    rho_l, v = law_parameters(P, protocol, law)
    a_eff = a if load == "storage" else (a * float(N) ** (2 - P) if N is not None
                                         else np.zeros_like(a))
    nL, nT, nA, nb = rho_l.size, t.size, a.size, len(BRANCHES)
    # lines: (law point, T) flattened, law point major
    lawL = {k: np.repeat(val, nT) for k, val in law.items()}
    TL, vL = np.tile(t, nL), np.repeat(v, nT)
    ret = _retrieval(P, protocol, gaussian, lawL, vL, a_eff, TL)
    shape = (nA, nL * nT, nb)
    f, n, m, q = (np.full(shape, np.nan) for _ in range(4))
    m_ex, m_oth = np.full(shape, np.nan), np.full(shape, np.nan)
    repl, curv = np.full(shape, np.nan), np.full(shape, np.nan)
    status = np.full(shape, NO_SOLUTION, dtype=np.int8)
    stable_rs = np.zeros(shape, dtype=bool)
    for k, arr in (("n", n), ("m", m), ("q", q), ("f", f), ("replicon", repl),
                   ("curvature", curv)):
        arr[..., 0] = ret[k]
    status[..., 0] = ret["status"]
    stable_rs[..., 0] = (ret["status"] == CONVERGED) & (ret["curvature"] > 0)
    if not gaussian:
        m_ex[..., 0] = m_oth[..., 0] = ret["n"] * lawL["r"][None, :]
    if protocol == "unsupervised":
        es = _example_symmetry(P, lawL, vL, a_eff, TL, ret["n"], ret["x"])
        stable_rs[..., 0] &= es > 0
        ex = _example(P, lawL, vL, a_eff, TL)
        for k, arr in (("m", m), ("q", q), ("f", f), ("replicon", repl),
                       ("curvature", curv), ("m1", m_ex), ("m2", m_oth)):
            arr[..., 1] = ex[k]
        Mx = lawL["M"][None, :]
        n[..., 1] = (ex["m1"] + (Mx - 1) * ex["m2"]) / (Mx * lawL["r"][None, :])
        status[..., 1] = ex["status"]
        stable_rs[..., 1] = (ex["status"] == CONVERGED) & (ex["curvature"] > 0)
    AV = a_eff[:, None] * vL[None, :]
    TT = np.broadcast_to(TL[None, :], AV.shape)
    if P == 2:
        # the AGS channels (pairwise.py): the glass transition is continuous, at T_g
        AA = np.broadcast_to(a_eff[:, None], AV.shape)
        ch = [np.broadcast_to(x[None, :], AV.shape)
              for x in channels(protocol, np.repeat(rho_l, nT), lawL.get("M"))]
        sg, pm = pw.spin_glass(AA, TT, *ch), pw.paramagnet(AA, TT, *ch)
        slope_ok = np.ones(AV.size, dtype=bool)
        glass = TT < sg["T_g"].reshape(AV.shape)
        para = ~glass
    else:
        sg = dbr.spin_glass_rs(P, AV.ravel(), TT.ravel())
        slope_ok = sg["slope"] < 1.0
        pm = dbr.paramagnet(P, AV.ravel(), TT.ravel())
        para, glass = _m0_sector(P, "RS", AV, TT)
    okg = (sg["status"] == CONVERGED).reshape(AV.shape)
    n[..., 2] = m[..., 2] = np.where(okg, 0.0, np.nan)
    q[..., 2], f[..., 2] = sg["q"].reshape(AV.shape), sg["f"].reshape(AV.shape)
    repl[..., 2], status[..., 2] = sg["replicon"].reshape(AV.shape), sg["status"].reshape(AV.shape)
    stable_rs[..., 2] = okg & slope_ok.reshape(AV.shape)
    okp = (pm["status"] == CONVERGED).reshape(AV.shape)
    f[..., 3] = pm["f"].reshape(AV.shape)
    n[..., 3] = m[..., 3] = q[..., 3] = np.where(okp, 0.0, np.nan)
    status[..., 3] = pm["status"].reshape(AV.shape)
    stable_rs[..., 3] = okp
    if not gaussian:
        for arr in (m_ex, m_oth):
            arr[..., 2:] = np.where(np.isfinite(n[..., 2:]), 0.0, np.nan)
    converged = status == CONVERGED
    stable = stable_rs & (np.nan_to_num(repl, nan=-1.0) > 0)
    fs = np.where(stable_rs & converged, f, np.inf)
    fs[..., 3] = np.where(para, fs[..., 3], np.inf)
    fs[..., 2] = np.where(glass, fs[..., 2], np.inf)
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
        data["m_example"], data["m_other"] = grid(m_ex), grid(m_oth)
    if protocol == "unsupervised":
        data["example_symmetry"] = grid(es, False)
    law_shape = tuple(x.size for x in axes.values())
    ds = xr.Dataset(data, coords={"alpha": a, **axes, "T": t, "branch": list(BRANCHES),
                                  "beta": ("T", dbr.beta_of(t))})
    ds["rho"] = (tuple(axes), rho_l.reshape(law_shape))
    ds["variance_factor"] = (tuple(axes), v.reshape(law_shape))
    ds["phase"].attrs.update(long_name="thermodynamically dominant stable branch", units="1")
    return _finalize(ds, P, protocol, load, method="replica symmetric", ansatz="RS",
                     law="gaussian" if gaussian else "binomial", N=-1 if N is None else N,
                     phase_stability="stable_rs", engine="theory.symbolic")
