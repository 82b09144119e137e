"""The Hopfield model on the symbolic engine: replica symmetric and one-step RSB.

Conventions are those of :mod:`theory.hopfield` (:class:`assoc.models.Hopfield`,
``K = alpha N``).  The free energies are written once, as sympy expressions, and the
symbolic engine (:mod:`theory.symbolic`) derives everything else.

Replica symmetric (AGS 1987, Ann. Phys. 173, 30, doi:10.1016/0003-4916(87)90092-3)::

    f_RS = alpha/2 + m^2/2 + alpha/(2 beta) [ln(1 - beta(1-q)) - beta q/(1 - beta(1-q))]
           + alpha beta p (1-q)/2 - (1/beta) E_z ln 2cosh(beta(m + sqrt(alpha p) z))

It reproduces the foundation's hand-written solver (:func:`theory.hopfield.solve`) to 1e-10
(a test).

One-step RSB (Crisanti, Amit & Gutfreund, Europhys. Lett. 2, 337 (1986); rederived here):
the replica matrix has ``q1`` inside blocks of size ``theta`` and ``q0`` between them.  The
eigenvalues of ``1 - beta Q`` are ``l1 = 1 - beta(1-q1)`` and
``l2 = 1 - beta(1-q1) - beta theta (q1-q0)`` (and ``l2 - n beta q0``), which gives, with
``h = m + sqrt(alpha p0) z0 + sqrt(alpha (p1 - p0)) z1``::

    f_1RSB = alpha/2 + m^2/2
             + alpha/(2 beta) [(1 - 1/theta) ln l1 + (1/theta) ln l2 - beta q0 / l2]
             + (alpha beta/2) [p1 - (1 - theta) p1 q1 - theta p0 q0]
             - 1/(beta theta) E_z0 ln E_z1 (2cosh(beta h))^theta.

It equals f_RS at ``q0 = q1, p0 = p1`` (any theta) and at ``theta = 1`` (tests).  It is the
k = 1 case of :func:`krsb_free_energy`, the k-step form built from
:mod:`theory.symbolic.parisi`: ``(alpha/2 beta) (1/n) Tr ln(1 - beta Q)`` over a k-step Parisi
matrix, ``(alpha beta/2) (p_k - sum_j (theta_(j+1) - theta_j) p_j q_j)`` and the nested spin
term with ``h = m + sum_j sqrt(alpha (p_j - p_(j-1))) z_j``; its T = 0 limit
(``q_k = 1 - C/beta``, ``theta_j = mu_j/beta``) is taken by the engine.  The T = 0 2RSB
capacity is :func:`critical_point` with ``ansatz='2RSB'`` (``solve`` has RS and 1RSB).  The
Parisi parameter theta is optimised (``df/dtheta = 0``, the extremum of f in theta, found by
:func:`theory.symbolic.optimize_parameter`).  At T = 0 the engine takes the limit with
``q1 = 1 - C/beta`` and ``theta = mu/beta`` (C, mu finite); the inner average then has the
closed form :class:`theory.symbolic.ExpAbsMoment`, so T = 0 costs one numerical average.

Results (computed here; ``tests/theory/test_hopfield_rsb.py``, the last two in slow tests):

* T = 0, alpha = 0.13: ``mu = theta/T = 99.93`` (``1/T_AT = 105``, with ``T_AT = 0.0095``
  from :func:`theory.hopfield.transition_lines`), ``f_1RSB - f_RS = 8.4e-7``;
  alpha = 0.137: ``mu = 51.9``, gain ``4.7e-6``; alpha = 0.1: ``mu = 664``, gain ``4.9e-9``.
  Below alpha ~ 0.05 the gain is under ``RSB_RESOLUTION = 1e-12`` and RS is reported
  (``rsb = False``).
* T = 0.005, alpha = 0.13 (below the AT line): ``theta = 0.32``, gain ``7.7e-8``.
* ``alpha_c^1RSB(T = 0) = 0.1381865`` (``m = 0.9668``, ``mu = 36.8`` at the fold), above
  the RS ``0.1379056``.  Steffan & Kuhn (Z. Phys. B 95, 249 (1994)) report the same small
  increase; the quoted digits are those of this computation, whose flat direction in ``mu``
  limits ``mu`` (not ``alpha_c``) to a few digits.
* ``alpha_c^2RSB(T = 0) = 0.1381963418`` (``m = 0.96675``, ``q0 = 0.99596``,
  ``q1 = 0.99915``, ``mu1 = 25.96``, ``mu2 = 86.38`` at the fold), equal to 10 digits to the
  engine-free derivation ``benchmarks/hopfield_2rsb_independent.py``
  (0.1381963418222 +- 1e-13).  Steffan & Kuhn quote 0.138187; both computations here
  disagree with that by 9.3e-6.  The 2RSB gain over 1RSB, 9.9e-6, is 3.5 % of the 1RSB gain
  over RS (2.8e-4), as for the dense networks (3.0 % at P = 3), whereas 0.138187 would make
  it 0.2 to 0.4 %.  At alpha = 0.137, ``f_2RSB - f_1RSB = 1.42e-7`` (both computations).

Every 1RSB number is a stationary point with the Parisi parameter at the first sign change of
``df/dtheta`` on the scan; the gain ``f_1RSB - f_RS > 0`` is the Parisi prescription (f is
maximised over theta in the n -> 0 limit).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import sympy as sp
import xarray as xr

from assoc.dataset import finalize
from assoc.models import Hopfield
from assoc.progress import progress
from assoc.validation import check_choice, check_grid, check_scalar

from .._numerics.solver import CONVERGED, NO_SOLUTION, annotate
from ..symbolic import GaussianAverage as E
from ..symbolic import ReplicaFreeEnergy, closed_forms, rabs
from ..symbolic.model import CompiledFreeEnergy
from ..symbolic.parisi import field, nested_average, pair_sum, parameter_names, symbol, trace_log
from ..symbolic.solve import (
    continuation,
    fold,
    newton_parameter,
    optimize_parameter,
    reach_points,
    solve_points,
)
from . import rs

__all__ = [
    "ANSATZE",
    "CAPACITY_ANSATZE",
    "SYMBOLS",
    "rs_free_energy",
    "rsb_free_energy",
    "solve",
    "critical_point",
    "critical_capacity",
]

ANSATZE = ("RS", "1RSB")
#: Ansatze of :func:`critical_point` and :func:`critical_capacity` (2RSB at T = 0 only).
CAPACITY_ANSATZE = ("RS", "1RSB", "2RSB")
_REFS = ["AGS1987", "CAG1986", "SteffanKuhn1994"]

_r = dict(real=True)
_nn = dict(nonnegative=True)
_pos = dict(positive=True)
#: The sympy symbols of the Hopfield free energies.
SYMBOLS: dict[str, sp.Symbol] = {
    "m": sp.Symbol("m", **_r),
    "q": sp.Symbol("q", **_nn),
    "p": sp.Symbol("p", **_nn),
    "q0": sp.Symbol("q0", **_nn),
    "q1": sp.Symbol("q1", **_nn),
    "p0": sp.Symbol("p0", **_nn),
    "p1": sp.Symbol("p1", **_nn),
    "theta": sp.Symbol("theta", **_pos),
    "C": sp.Symbol("C", **_pos),
    "mu": sp.Symbol("mu", **_pos),
    "alpha": sp.Symbol("alpha", **_pos),
    "beta": sp.Symbol("beta", **_pos),
    "z": sp.Symbol("z", **_r),
    "z0": sp.Symbol("z0", **_r),
    "z1": sp.Symbol("z1", **_r),
}

_EXTRA = {
    "q0": ("1RSB overlap between states", "1"),
    "q1": ("1RSB overlap within a state", "1"),
    "p0": ("1RSB noise conjugate to q0", "1"),
    "p1": ("1RSB noise conjugate to q1", "1"),
    "theta": ("Parisi parameter (block size)", "1"),
    "mu": ("theta/T, finite at T = 0", "1"),
    "p2": ("2RSB noise conjugate to q2 (q2 = 1 - C T at T = 0)", "1"),
    "mu1": ("2RSB outer Parisi parameter theta1/T, finite at T = 0", "1"),
    "mu2": ("2RSB inner Parisi parameter theta2/T, finite at T = 0", "1"),
    "f_rs": ("RS free energy per spin at the same point", "1"),
    "delta_f": ("free-energy gain of 1RSB over RS, f_1RSB - f_RS", "1"),
    "rsb": ("replica symmetry is broken (q1 > q0) at this point", "1"),
    "unresolved": ("below the AT line, but the 1RSB gain is not resolved: the RS solution is "
                   "reported, with the gain bounded by delta_f_bound", "1"),
    "delta_f_bound": ("upper bound of the unresolved 1RSB gain f_1RSB - f_RS", "1"),
    "curvature": ("d2 f_eff / dm2 with the other order parameters at their saddle", "1"),
    "replicon": ("RS replicon eigenvalue (AT stability, > 0 above the AT line)", "1"),
    "alpha_c": ("critical load of the retrieval branch (saddle-node)", "1"),
    "alpha_c_error": ("error estimate of alpha_c", "1"),
}


# ----------------------------------------------------------------------------------------
# the free energies
# ----------------------------------------------------------------------------------------
@cache
def rs_free_energy() -> ReplicaFreeEnergy:
    """RS AGS free energy in (m, q, p), controls (alpha, beta); T = 0: ``q = 1 - C/beta``."""
    s = SYMBOLS
    m, q, p, a, b, z = s["m"], s["q"], s["p"], s["alpha"], s["beta"], s["z"]
    h = m + sp.sqrt(a * p) * z
    lam = 1 - b * (1 - q)
    f = (a / 2 + m**2 / 2 + a / (2 * b) * (sp.log(lam) - b * q / lam)   # AGS 1987, RS f
         + a * b * p * (1 - q) / 2 - E(sp.log(2 * sp.cosh(b * h)), z) / b)
    return ReplicaFreeEnergy(
        f, (m, q, p), (a, b), beta=b,
        bounds={q: (0.0, 1.0), p: (0.0, None)}, constraints=(lam,),
        zero_temperature_scaling={q: 1 - s["C"] / b},
        zero_temperature_bounds={s["C"]: (0.0, 1.0)},
        minimize=(m,), name="hopfield RS",
    )


@cache
def krsb_free_energy(k: int) -> ReplicaFreeEnergy:
    """k-step RSB free energy in (m, q0..qk, p0..pk, theta_1..theta_k), controls (alpha, beta).

    Built from :mod:`theory.symbolic.parisi` (``f_kRSB`` of the module notes: the trace-log of
    ``1 - beta Q``, the pair sum of the conjugates p and the nested spin term, with
    ``h = m + sum_j sqrt(alpha (p_j - p_(j-1))) z_j``). k = 1 is :func:`rsb_free_energy`.
    T = 0: ``q_k = 1 - C/beta``, ``theta_j = mu_j/beta``.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1 (got {k})")
    nm = parameter_names(k, ("q", "p", "theta", "mu"))
    m, a, b, C = SYMBOLS["m"], SYMBOLS["alpha"], SYMBOLS["beta"], SYMBOLS["C"]
    q, p, th, mu = ([symbol(SYMBOLS, v) for v in nm[key]] for key in ("q", "p", "theta", "mu"))
    zs = [symbol(SYMBOLS, f"z{j}") for j in range(k + 1)]
    h = field(m, [a * p[0], *(a * (p[j] - p[j - 1]) for j in range(1, k + 1))], zs)
    tl, L = trace_log(b, q, th)
    f = (a / 2 + m**2 / 2 + a / (2 * b) * tl                 # CAG 1986 (k = 1), derived here
         + a * b / 2 * (p[k] + pair_sum(p, q, th)) + nested_average(h, b, th, zs))
    bounds = {v: (0.0, 1.0) for v in q} | {v: (0.0, None) for v in p} | {v: (0.0, 1.0) for v in th}
    steps = range(k, 0, -1)
    cons = (*L[::-1], *(p[j] - p[j - 1] for j in steps), *(q[j] - q[j - 1] for j in steps),
            *(b * (th[j] - th[j - 1]) for j in range(k - 1, 0, -1)))
    return ReplicaFreeEnergy(
        f, (m, *q, *p, *th), (a, b), beta=b, bounds=bounds, constraints=cons,
        zero_temperature_scaling={q[k]: 1 - C / b}
        | {t: u / b for t, u in zip(th, mu, strict=True)},
        zero_temperature_bounds={C: (0.0, 1.0)} | {u: (0.0, None) for u in mu},
        minimize=(m,), name="hopfield 1RSB" if k == 1 else f"hopfield {k}RSB",
    )


def rsb_free_energy() -> ReplicaFreeEnergy:
    """1RSB free energy in (m, q0, q1, p0, p1, theta), controls (alpha, beta)
    (:func:`krsb_free_energy` at k = 1).

    T = 0: ``q1 = 1 - C/beta``, ``theta = mu/beta``; order parameters (m, q0, C, p0, p1, mu).
    """
    return krsb_free_energy(1)


@cache
def rs_low_temperature() -> ReplicaFreeEnergy:
    """RS free energy at low T in the T = 0 variables (m, C = beta (1 - q), p), controls
    (alpha, beta), exact to ``O(T^2)``.

    ``1 - beta(1 - q) = 1 - C`` and ``alpha beta p (1 - q)/2 = alpha p C/2`` are exact; the
    noise amplitude ``sqrt(alpha p)`` does not involve beta, and
    ``(1/beta) E ln 2cosh(beta h) = E|h| + O(1/beta^2)`` (a boundary layer at h = 0), so
    ``f = alpha/2 + m^2/2 + alpha/(2 beta) ln(1-C) - alpha (1 - C/beta)/(2(1-C))
    + alpha p C/2 - E|m + sqrt(alpha p) z|``: the T = 0 free energy plus its explicit O(T)
    terms. It makes every T > 0 down to 1e-300 representable.
    """
    s = SYMBOLS
    m, C, p, a, b, z = s["m"], s["C"], s["p"], s["alpha"], s["beta"], s["z"]
    h = m + sp.sqrt(a * p) * z
    f = (a / 2 + m**2 / 2 + a / (2 * b) * sp.log(1 - C) - a * (1 - C / b) / (2 * (1 - C))
         + a * p * C / 2 - closed_forms(E(rabs(h), z)))
    return ReplicaFreeEnergy(f, (m, C, p), (a, b), beta=b,
                             bounds={C: (0.0, 1.0), p: (0.0, None)}, constraints=(1 - C,),
                             minimize=(m,), name="hopfield RS (low T)")


@cache
def rsb_low_temperature() -> ReplicaFreeEnergy:
    """1RSB free energy at low T in the T = 0 variables (m, q0, C, p0, p1, mu) with
    ``q1 = 1 - C/beta``, ``theta = mu/beta``, controls (alpha, beta), exact to ``O(T^2)``.

    Every term of :func:`rsb_free_energy` is rewritten exactly (``l1 = 1 - C``,
    ``l2 = 1 - C - mu (q1 - q0)``, ``(alpha beta/2)(p1 (1 - q1) + theta (p1 q1 - p0 q0))``)
    except the inner average: ``(2cosh(beta h))^theta = exp(mu |h|) (1 + e^(-2 beta |h|))^theta``
    whose last factor differs from 1 only in a boundary layer of width 1/beta, an
    ``O(mu T^2)`` change of f; without it the average is closed
    (:class:`theory.symbolic.ExpAbsMoment`), as at T = 0.
    """
    s = SYMBOLS
    m, q0, C, p0, p1, mu = (s[k] for k in ("m", "q0", "C", "p0", "p1", "mu"))
    a, b, z0, z1 = s["alpha"], s["beta"], s["z0"], s["z1"]
    q1 = 1 - C / b
    h = m + sp.sqrt(a * p0) * z0 + sp.sqrt(a * (p1 - p0)) * z1
    l1 = 1 - C
    l2 = 1 - C - mu * (q1 - q0)
    inner = closed_forms(E(sp.exp(mu * rabs(h)), z1))
    f = (a / 2 + m**2 / 2
         + a / (2 * b) * sp.log(l1) + a / (2 * mu) * (sp.log(l2) - sp.log(l1)) - a * q0 / (2 * l2)
         + a * p1 * C / 2 + a * mu / 2 * (p1 * q1 - p0 * q0)
         - E(sp.log(inner), z0) / mu)
    return ReplicaFreeEnergy(
        f, (m, q0, C, p0, p1, mu), (a, b), beta=b,
        bounds={q0: (0.0, 1.0), C: (0.0, 1.0), p0: (0.0, None), p1: (0.0, None),
                mu: (0.0, None)},
        constraints=(l1, l2, p1 - p0, q1 - q0), minimize=(m,), name="hopfield 1RSB (low T)")


#: Below this temperature the engine's models are solved in the T = 0 variables
#: ((m, C, p); 1RSB (m, q0, C, p0, p1, mu)) by :func:`rs_low_temperature` and
#: :func:`rsb_low_temperature`, exact to O(T^2), so that T down to 1e-300 joins T = 0.
T_LOW = 1e-6


def _regime(T: Any) -> np.ndarray:
    """'zero', 'low' (0 < T < T_LOW: the T = 0 variables) or 'hot' per temperature."""
    T = np.asarray(T, dtype=float)
    return np.where(T == 0, "zero", np.where(T < T_LOW, "low", "hot"))


def _ctrl(regime: str, alpha: Any, T: Any) -> dict[str, Any]:
    return {"alpha": alpha} if regime == "zero" else {"alpha": alpha, "beta": 1.0 / T}


@cache
def _compiled(ansatz: str, regime: str) -> CompiledFreeEnergy:
    """The compiled model of ``ansatz`` in ``regime`` ('zero', 'low' or 'hot')."""
    if regime == "low":
        return (rs_low_temperature() if ansatz == "RS" else rsb_low_temperature()).compile()
    model = rs_free_energy() if ansatz == "RS" else rsb_free_energy()
    if regime == "zero":
        model = model.zero_temperature()
    return model.compile()


# ----------------------------------------------------------------------------------------
# RS retrieval through the engine
# ----------------------------------------------------------------------------------------
#: Load at which every continuation in alpha starts (Curie-Weiss end of the branch).
ALPHA_START = 1e-6


def _curie_weiss_m(T: np.ndarray) -> np.ndarray:
    """Positive root of ``m = tanh(m/T)`` (1 at T = 0, 0 for T >= 1)."""
    T = np.asarray(T, dtype=float)
    m = np.ones_like(T)
    hot = T >= 1.0
    for _ in range(200):
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)
            t = np.tanh(b * m)
            step = (m - t) / (1.0 - b * (1.0 - t * t))
        m = np.where((T > 0) & np.isfinite(step), np.clip(m - step, 1e-3, 1.0), m)
    return np.where(hot, 0.0, m)


#: Loads every RS line is continued along, whatever the grid: a point is reached from the
#: largest of them below it, so its result does not depend on the other points of a call.
REF_ALPHA = np.linspace(0.005, 0.2, 40)
#: Steps between two reference loads in which the end of an RS line is located
#: (``EXTEND_STEP``; the 1RSB continuation past the RS branch starts there).
END_REFINE = 20


def _rs_lines(alpha: np.ndarray, T: np.ndarray):
    """RS retrieval on the grid alpha x T, point by point from a fixed reference path.

    For each T the branch is continued from the Curie-Weiss end along ``REF_ALPHA``; a load
    ``a`` is then reached by one continuation from the largest reference load below it
    where the branch has been continuous so far. Returns x (nA, nT, 3) in the model's
    variables ((m, q, p), or (m, C, p) below T_LOW), the status, n_iter and, per T, the last
    reference load on the branch with its solution (``ends``: alpha, x; NaN where the line
    does not end inside the path).
    """
    nA, nT = alpha.size, T.size
    X = np.full((nA, nT, 3), np.nan)
    status = np.full((nA, nT), NO_SOLUTION, dtype=np.int8)
    n_iter = np.zeros((nA, nT), dtype=np.int32)
    start_a = min(ALPHA_START, 0.5 * float(alpha.min()))
    # up to the first reference load at or above the grid plus the back-off of the 1RSB
    # line (:func:`_extend_beyond_rs`): a line that ends where it matters for a point ends
    # inside the path, where its end is located (``ends``; NaN for lines that do not end)
    top = alpha.max() + EXTEND_BACK * EXTEND_STEP
    path = np.concatenate([[start_a], REF_ALPHA[:np.searchsorted(REF_ALPHA, top) + 1]])
    ends_a, ends_x = np.full(nT, np.nan), np.full((nT, 3), np.nan)
    accept = lambda x, c: x[:, 0] > 1e-6  # noqa: E731
    reg = _regime(T)
    # below RS_SEED_T the exact model's lines start on the bound q = 1 (1 - q is below
    # round-off at small loads) and die there below T ~ 1e-4: they are traced in the low-T
    # model and each point is Newton-polished in the exact one (an O(T^2) step)
    seeded = (reg == "hot") & (T < RS_SEED_T)
    for rg, sel in (("zero", reg == "zero"), ("low", (reg == "low") | seeded),
                    ("hot", (reg == "hot") & ~seeded)):
        cols = np.flatnonzero(sel & (T < 1))
        if cols.size == 0:
            continue
        cf = _compiled("RS", rg)
        t = T[cols]
        other = {k: v for k, v in _ctrl(rg, None, t).items() if k != "alpha"}
        if rg != "hot":  # (m, C, p)
            x0 = np.stack([np.ones(cols.size), np.full(cols.size, 1e-12), np.ones(cols.size)], 1)
        else:
            m0 = _curie_weiss_m(t)
            x0 = np.stack([m0, m0**2, m0**2 / (1.0 - (1.0 - m0**2) / t) ** 2], axis=1)
        start = solve_points(cf, x0, {"alpha": start_a, **other}, accept=accept)
        lines = np.flatnonzero(start.converged)
        if lines.size == 0:
            continue
        other = {k: v[lines] for k, v in other.items()}
        res, end, end_x = reach_points(cf, start.x[lines], path, alpha, "alpha", other,
                                       accept=accept, refine=END_REFINE)
        x, st = np.swapaxes(res.x, 0, 1), res.status.T
        died = end < path[-1]
        if rg == "low":
            pol = seeded[cols[lines]]
            x[:, pol], st[:, pol] = _polish_rs(x[:, pol], st[:, pol], alpha, t[lines[pol]])
            end_x = end_x.copy()
            for k in np.flatnonzero(pol & died):
                xe, se = _polish_rs(end_x[k][None, None], np.zeros((1, 1), np.int8),
                                    end[k:k + 1], t[lines[k]:lines[k] + 1])
                end_x[k] = xe[0, 0] if se[0, 0] == CONVERGED else np.nan
        X[:, cols[lines]] = x
        status[:, cols[lines]] = st
        n_iter[:, cols[lines]] = res.n_iter.T
        ends_a[cols[lines[died]]] = end[died]
        ends_x[cols[lines[died]]] = end_x[died]
    return X, status, n_iter, (ends_a, ends_x)


#: Below this T the exact RS lines are traced in the low-T model and polished
#: (:func:`_rs_lines`).
RS_SEED_T = 1e-3


def _polish_rs(x: np.ndarray, st: np.ndarray, alpha: np.ndarray, T: np.ndarray):
    """Newton in the exact RS model from low-T solutions ``x`` (nA, nT, 3) in (m, C, p);
    returns them in (m, q, p) with the status (NO_SOLUTION where none was given)."""
    out = np.full(x.shape, np.nan)
    status = st.copy()
    i, j = np.nonzero(st == CONVERGED)
    if i.size:
        y = x[i, j].copy()
        y[:, 1] = 1.0 - x[i, j, 1] * T[j]
        r = solve_points(_compiled("RS", "hot"), y, {"alpha": alpha[i], "beta": 1.0 / T[j]},
                         accept=lambda x, c: x[:, 0] > 1e-6)
        out[i, j] = np.where(r.converged[:, None], r.x, np.nan)
        status[i, j] = r.status
    return out, status


def _rs_observables(X: np.ndarray, alpha: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """m, q, p, C, f and the m-curvature from the line solutions."""
    nA, nT, _ = X.shape
    out = {k: np.full((nA, nT), np.nan)
           for k in ("m", "q", "p", "C", "f", "curvature", "replicon")}
    A, TT = np.meshgrid(alpha, T, indexing="ij")
    for rg in ("zero", "low", "hot"):
        sel = (_regime(TT) == rg) & np.isfinite(X[..., 0])
        if not sel.any():
            continue
        cf = _compiled("RS", rg)
        x = X[sel]
        ctrl = _ctrl(rg, A[sel], TT[sel])
        out["m"][sel] = x[:, 0]
        out["p"][sel] = x[:, 2]
        if rg != "hot":
            out["C"][sel], out["q"][sel] = x[:, 1], 1.0 - x[:, 1] * TT[sel]
        else:
            out["q"][sel] = x[:, 1]
            out["C"][sel] = (1.0 - x[:, 1]) / TT[sel]
        out["f"][sel] = cf.f(x, ctrl)
        out["curvature"][sel] = cf.stability(x, ctrl)["curvature"]
        # the AT replicon (AGS 1987): RSB is continuous at its zero, so where it is positive
        # the 1RSB retrieval is the RS one
        out["replicon"][sel] = rs.evaluate(out["m"][sel], out["C"][sel], A[sel], TT[sel])[
            "replicon"]
    return out


# ----------------------------------------------------------------------------------------
# 1RSB retrieval
# ----------------------------------------------------------------------------------------
#: Scan of the Parisi parameter: mu = theta/T at T = 0, theta at T > 0.
MU_GRID = np.geomspace(0.05, 1e6, 22)
#: Scan of theta at T > 0: ``THETA_SCAN`` values from 0.98 geometrically down to
#: ``min(0.02, THETA_LOW_T * T)`` (the root is near ``mu(T = 0) T`` at low T, with
#: mu(0) > 30 on the retrieval branch).
THETA_SCAN, THETA_LOW_T = 16, 5.0


def _theta_grid(T: np.ndarray) -> np.ndarray:
    """The theta scan per temperature (rows), from 0.98 down."""
    lo = np.minimum(0.02, THETA_LOW_T * T)
    return np.geomspace(np.full(T.size, 0.98), lo, THETA_SCAN, axis=1)


#: Factor around the previous Parisi parameter within which a continued 1RSB solution is
#: accepted (:func:`_rsb_newton`), and over which the fallback scan looks
#: (:func:`_rsb_scan_step`).
EXTEND_SPAN = 3.0
#: q1 - q0 below which a 1RSB solution has collapsed onto RS.
COLLAPSE = 1e-9
#: 1 - q1 below which a 1RSB solution at T >= T_LOW sits on the bound q1 = 1.
Q1_BOUND = 1e-12
#: Free-energy gain f_1RSB - f_RS below which 1RSB is not resolved from RS in double
#: precision (the quadrature and solver tolerances are ~1e-13); such points report the RS
#: solution with ``rsb = False``.
RSB_RESOLUTION = 1e-12


def _accept_rsb_t0(x: np.ndarray, c: Any) -> np.ndarray:
    """Retrieval (m > 0) with broken symmetry at T = 0: ``1 - q0 > COLLAPSE``, ``p1 > p0``."""
    return (x[:, 0] > 1e-6) & (1.0 - x[:, 1] > COLLAPSE) & (x[:, 4] > x[:, 3])


def _accept_rsb(x: np.ndarray, c: Any) -> np.ndarray:
    """Retrieval (m > 0) with broken symmetry at T >= T_LOW: ``q1 - q0 > COLLAPSE``,
    ``p1 > p0``, and q1 not on its bound 1 (``1 - q1 > Q1_BOUND``: Newton can report such
    points where the Jacobian is singular; a stationary q1 has ``1 - q1 = C T``)."""
    return ((x[:, 0] > 1e-6) & (x[:, 2] - x[:, 1] > COLLAPSE) & (x[:, 4] > x[:, 3])
            & (1.0 - x[:, 2] > Q1_BOUND))


def _cold_rsb(regime, rs, alpha, T, z, out, status, rsb) -> None:
    """1RSB at the points ``z`` at T = 0 or low T, in (m, q0, C, p0, p1, mu): the mu scan
    from the RS solution (m, C, p)."""
    cf0 = _compiled("1RSB", regime)
    m, C, p = rs["m"][z], rs["C"][z], rs["p"][z]
    x0 = np.stack([m, np.full(z.size, 1 - 1e-3), C, p * (1 - 1e-3), p,
                   np.full(z.size, MU_GRID[0])], 1)
    ctrl = _ctrl(regime, alpha[z], T[z])
    res = optimize_parameter(cf0, x0, ctrl, "mu",
                             np.broadcast_to(MU_GRID, (z.size, MU_GRID.size)),
                             accept=_accept_rsb_t0)
    x = res.x
    ok = res.converged
    f = np.full(z.size, np.nan)
    if ok.any():
        f[ok] = cf0.f(x[ok], {k: v[ok] for k, v in ctrl.items()})
        # a gain below the resolution of double precision: report RS (rsb False)
        unresolved = np.zeros(z.size, dtype=bool)
        unresolved[ok] = f[ok] - rs["f"][z[ok]] < RSB_RESOLUTION
        ok &= ~unresolved
        if unresolved.any():
            u = z[unresolved]
            out["unresolved"][u], out["delta_f_bound"][u] = True, RSB_RESOLUTION
            out["m"][u], out["q0"][u], out["q1"][u] = rs["m"][u], rs["q"][u], rs["q"][u]
            out["p0"][u], out["p1"][u], out["C"][u] = rs["p"][u], rs["p"][u], rs["C"][u]
            out["f"][u] = rs["f"][u]
            if regime == "low":  # RS at T > 0: theta = 1
                out["theta"][u], out["mu"][u] = 1.0, 1.0 / T[u]
            status[u] = CONVERGED
    for k, v in (("m", x[:, 0]), ("q0", x[:, 1]), ("C", x[:, 2]), ("p0", x[:, 3]),
                 ("p1", x[:, 4]), ("mu", x[:, 5])):
        out[k][z[ok]] = v[ok]
    out["q1"][z[ok]] = 1.0 - x[ok, 2] * T[z[ok]]
    out["theta"][z[ok]] = x[ok, 5] * T[z[ok]]
    out["f"][z[ok]] = f[ok]
    status[z[ok]] = CONVERGED
    miss = ~ok & ~np.isfinite(out["m"][z])
    status[z[miss]] = res.status[miss]
    rsb[z[ok]] = True


def _rsb_out(n: int) -> dict[str, np.ndarray]:
    """The flat 1RSB result arrays over n points (NaN; ``unresolved`` False)."""
    out = {k: np.full(n, np.nan) for k in ("m", "q0", "q1", "p0", "p1", "theta", "mu", "C",
                                            "f", "delta_f_bound")}
    out["unresolved"] = np.zeros(n, dtype=bool)
    return out


def _rsb_from_rs(rs: dict[str, np.ndarray], alpha: np.ndarray, T: np.ndarray):
    """Optimise the Parisi parameter at the points where RS retrieval exists.

    Returns a dict of flat arrays over the points (alpha, T) with the 1RSB order parameters
    in the finite-T variables (q1, theta) plus C and mu.
    """
    n = alpha.size
    out = _rsb_out(n)
    status = np.full(n, NO_SOLUTION, dtype=np.int8)
    rsb = np.zeros(n, dtype=bool)
    have = np.isfinite(rs["m"])
    # T = 0 and low T: (m, q0, C, p0, p1, mu)
    for rg in ("zero", "low"):
        z = np.flatnonzero(have & (_regime(T) == rg))
        if z.size:
            _cold_rsb(rg, rs, alpha, T, z, out, status, rsb)
    # T >= T_LOW: (m, q0, q1, p0, p1, theta)
    w = np.flatnonzero(have & (_regime(T) == "hot"))
    if w.size:
        cf = _compiled("1RSB", "hot")
        b = 1.0 / T[w]
        m, q, p = rs["m"][w], rs["q"][w], rs["p"][w]
        d = 1e-3 * (1.0 - q)
        x0 = np.stack([m, q - d, q + d, p * (1 - 1e-3), p, np.full(w.size, 0.98)], 1)
        # above the AT line (replicon > 0) there is no RSB solution: no scan
        scan = ~(rs["replicon"][w] > 0)
        x = np.full(x0.shape, np.nan)
        f_rsb = np.full(w.size, np.nan)
        broken = np.zeros(w.size, dtype=bool)
        tiny = np.zeros(w.size, dtype=bool)

        def gain_ok(i, xi):
            """RSB (q1 > q0) with a gain resolved in double precision; flags ``tiny``."""
            ok = xi[:, 2] - xi[:, 1] > COLLAPSE
            if ok.any():
                f_i = cf.f(xi[ok], {"alpha": alpha[w[i[ok]]], "beta": b[i[ok]]})
                f_rsb[i[ok]] = f_i
                small = f_i - rs["f"][w[i[ok]]] < RSB_RESOLUTION
                tiny[i[np.flatnonzero(ok)[small]]] = True
                ok[np.flatnonzero(ok)[small]] = False
            x[i[ok]] = xi[ok]
            broken[i[ok]] = True

        # at low T from the low-T model's solution (the scan from 0.98 down runs into
        # q1 = 1 there), elsewhere and where that fails by the scan
        low = np.flatnonzero(scan & (T[w] < SEED_LOW_T))
        if low.size:
            xs, ok = _low_t_seed(rs, alpha, T, w[low])
            if ok.any():
                # Newton on theta's reduced equation from the seed, and the theta scan
                # around it where that fails (:func:`_rsb_step`)
                i = low[ok]
                new, okn, _ = _rsb_step(cf, xs[ok], alpha[w[i]], b[i], "hot")
                gain_ok(i[okn], new[okn])
        rest = np.flatnonzero(scan & ~broken & ~tiny)
        if rest.size:
            ws = w[rest]
            res = optimize_parameter(cf, x0[rest], {"alpha": alpha[ws], "beta": b[rest]},
                                     "theta", _theta_grid(T[ws]), accept=_accept_rsb)
            gain_ok(rest[res.converged], res.x[res.converged])
        # below the AT line RSB exists: a gain under the resolution, or no root found
        out["unresolved"][w[scan & ~broken]] = True
        out["delta_f_bound"][w[tiny]] = RSB_RESOLUTION
        lost = np.flatnonzero(scan & ~broken & ~tiny)
        if lost.size:
            out["delta_f_bound"][w[lost]] = _t0_gain(alpha[w[lost]])
        for k, j in (("m", 0), ("q0", 1), ("q1", 2), ("p0", 3), ("p1", 4), ("theta", 5)):
            out[k][w[broken]] = x[broken, j]
        out["mu"][w[broken]] = x[broken, 5] * b[broken]
        out["C"][w[broken]] = b[broken] * (1.0 - x[broken, 2])
        out["f"][w[broken]] = f_rsb[broken]
        # no RSB solution (above the AT line): 1RSB is RS (q0 = q1, theta = 1)
        flat = ~broken
        for k, src in (("m", "m"), ("q0", "q"), ("q1", "q"), ("p0", "p"), ("p1", "p"),
                       ("f", "f")):
            out[k][w[flat]] = rs[src][w[flat]]
        out["theta"][w[flat]] = 1.0
        out["mu"][w[flat]] = b[flat]
        out["C"][w[flat]] = rs["C"][w[flat]]
        rsb[w[broken]] = True
        status[w] = CONVERGED
    return out, status, rsb


#: Below this T the 1RSB root is first sought from the low-T model's solution
#: (:func:`_low_t_seed`), then by the theta scan where that fails.
SEED_LOW_T = 3e-3


def _low_t_seed(rs, alpha, T, z):
    """1RSB seeds in the finite-T variables (m, q0, q1, p0, p1, theta) at the points ``z``
    from the low-T model (:func:`rsb_low_temperature`, exact to O(T^2)) solved at the same
    (alpha, T); returns them with a mask of the points where it has an RSB solution."""
    n = alpha.size
    tmp = _rsb_out(n)
    st = np.full(n, NO_SOLUTION, dtype=np.int8)
    got = np.zeros(n, dtype=bool)
    _cold_rsb("low", rs, alpha, T, z, tmp, st, got)
    xs = np.stack([tmp[k][z] for k in ("m", "q0", "q1", "p0", "p1", "theta")], axis=1)
    return xs, got[z] & (xs[:, 5] < 1.0)


def _t0_gain(alpha: np.ndarray) -> np.ndarray:
    """The T = 0 1RSB gain ``f_1RSB - f_RS`` at the loads ``alpha`` (NaN where the T = 0
    retrieval does not exist): the bound reported where a T > 0 gain below the AT line is
    not resolved. The gain falls with T from its T = 0 value to 0 at the AT line
    (``tests/theory/test_hopfield_rsb.py`` checks it at alpha = 0.13)."""
    a_u, inv = np.unique(alpha, return_inverse=True)
    t0 = np.zeros(1)
    X, _, _, _ = _rs_lines(a_u, t0)
    rs0 = {k: v[:, 0] for k, v in _rs_observables(X, a_u, t0).items()}
    out0, _, _ = _rsb_from_rs(rs0, a_u, np.zeros(a_u.size))
    gain = np.maximum(out0["f"] - rs0["f"], 0.0)
    gain = np.where(out0["unresolved"], RSB_RESOLUTION, gain)
    return gain[inv]


def _controls(alpha: Any, T: Any) -> tuple[np.ndarray, np.ndarray]:
    return check_grid("alpha", alpha, low=0.0, low_open=True), check_grid("T", T, low=0.0)


def _beta(T: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)


def _finalize(ds: xr.Dataset, ansatz: str, **attrs: Any) -> xr.Dataset:
    annotate(ds, _EXTRA)
    return finalize(ds, kind="theory", model="hopfield", normalisation=Hopfield().normalisation,
                    references=_REFS, ansatz=ansatz, engine="theory.symbolic", **attrs)


def solve(alpha: float | np.ndarray, T: float | np.ndarray, ansatz: str = "1RSB") -> xr.Dataset:
    """Retrieval branch of the Hopfield model through the symbolic engine.

    Parameters
    ----------
    alpha : float or 1-D array
        Load ``K/N > 0``.
    T : float or 1-D array
        Temperature ``>= 0``; T = 0 uses the engine's zero-temperature model.
    ansatz : {'RS', '1RSB'}

    Returns
    -------
    xarray.Dataset
        Dimensions ``(alpha, T, branch)`` with ``branch = ['retrieval']``.  RS: ``m``, ``q``,
        ``p``, ``C``, ``f``.  1RSB: ``m``, ``q0``, ``q1``, ``p0``, ``p1``, ``theta``, ``mu``
        (``theta/T``, finite at T = 0), ``C`` (``beta (1 - q1)``), ``f``, ``f_rs``,
        ``delta_f`` (``f_1RSB - f_RS >= 0``), ``rsb``, ``unresolved`` and ``delta_f_bound``
        (see the notes) and the RS ``replicon``.  RS: also ``replicon``.  Both: ``curvature``
        (d2 f_eff/dm2), ``converged``, ``stable`` (curvature > 0), ``status``.

    Notes
    -----
    RS: continuation in alpha from ``ALPHA_START`` (the Curie-Weiss end) for each T, with
    branch tracking; the branch ends at the saddle-node ``alpha_c(T)``.  1RSB: where RS
    retrieval exists and its replicon (AGS 1987) is positive, i.e. above the AT line, the
    1RSB solution is the RS one (``theta = 1``, ``rsb = False``): for the Hopfield retrieval
    state RSB sets in continuously at the AT line.  Below it the Parisi parameter is scanned
    (``MU_GRID`` at T = 0, :func:`_theta_grid` at T > 0) with the other order parameters
    solved, and the root of ``df/dtheta`` is refined by Newton on its total derivative.
    Between the RS and 1RSB critical loads (where only 1RSB retrieval exists) the 1RSB
    solution is continued in alpha.  Below ``T_LOW = 1e-6`` the low-T models (exact to
    O(T^2)) are solved in the T = 0 variables, so T down to 1e-300 joins T = 0.

    Below the AT line a point whose 1RSB gain is not resolved is never reported silently as
    RS: it has ``unresolved = True`` and ``delta_f_bound``, an upper bound of the gain:
    ``RSB_RESOLUTION`` where the gain found is below the resolution of double precision,
    and the T = 0 gain at the same load where the scan found no root (the gain falls with
    T to 0 at the AT line).  At low T (below ``SEED_LOW_T = 3e-3``), where the scan from
    theta = 0.98 down runs into q1 = 1, the root is first sought from the low-T model's
    solution at the same point (alpha = 0.13: T = 1e-4, 3e-4, 1e-3 are resolved, with mu
    98.9, 97.0, 90.6 joining the T = 0 value 99.93); at T = 0 and small loads (alpha = 0.05)
    the gain is below ``RSB_RESOLUTION`` and the bound is that resolution.
    """
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    a, t = _controls(alpha, T)
    X, st, it, ends = _rs_lines(a, t)
    rs = _rs_observables(X, a, t)
    A, TT = np.meshgrid(a, t, indexing="ij")
    dims = ("alpha", "T", "branch")
    coords = {"alpha": a, "T": t, "branch": ["retrieval"], "beta": ("T", _beta(t))}
    if ansatz == "RS":
        conv = st == CONVERGED
        data = {k: (dims, v[..., None]) for k, v in rs.items()}
        data["converged"] = (dims, conv[..., None])
        data["stable"] = (dims, (conv & (rs["curvature"] > 0))[..., None])
        data["status"] = (dims, st[..., None])
        data["n_iter"] = (dims, it[..., None])
        return _finalize(xr.Dataset(data, coords=coords), "RS")
    flat = {k: v.ravel() for k, v in rs.items()}
    out, status, rsb = _rsb_from_rs(flat, A.ravel(), TT.ravel())
    out = {k: v.reshape(A.shape) for k, v in out.items()}
    status = status.reshape(A.shape)
    rsb = rsb.reshape(A.shape)
    _extend_beyond_rs(out, status, rsb, a, t, ends)
    out["unresolved"] &= ~rsb
    out["delta_f_bound"][rsb] = np.nan
    conv = status == CONVERGED
    curv = _rsb_curvature(out, A, TT)
    data = {k: (dims, v[..., None]) for k, v in out.items()}
    data["f_rs"] = (dims, rs["f"][..., None])
    data["replicon"] = (dims, rs["replicon"][..., None])
    data["delta_f"] = (dims, (out["f"] - rs["f"])[..., None])
    data["rsb"] = (dims, rsb[..., None])
    data["curvature"] = (dims, curv[..., None])
    data["converged"] = (dims, conv[..., None])
    data["stable"] = (dims, (conv & (curv > 0))[..., None])
    data["status"] = (dims, status[..., None])
    return _finalize(xr.Dataset(data, coords=coords), "1RSB")


def _x_rsb(out: dict[str, np.ndarray], sel: np.ndarray, regime: str) -> np.ndarray:
    if regime != "hot":
        cols = ("m", "q0", "C", "p0", "p1", "mu")
    else:
        cols = ("m", "q0", "q1", "p0", "p1", "theta")
    return np.stack([out[k][sel] for k in cols], axis=1)


def _rsb_curvature(out, A, TT) -> np.ndarray:
    curv = np.full(A.shape, np.nan)
    regime = _regime(TT)
    for rg in ("zero", "low", "hot"):
        sel = (regime == rg) & np.isfinite(out["m"])
        sel &= np.isfinite(out["mu"]) if rg == "zero" else out["theta"] < 1.0
        if not sel.any():
            continue
        cf = _compiled("1RSB", rg)
        curv[sel] = cf.stability(_x_rsb(out, sel, rg), _ctrl(rg, A[sel], TT[sel]))["curvature"]
    # where 1RSB is RS (theta = 1), the RS curvature applies: recompute with the RS model
    for rg in ("low", "hot"):
        sel = (regime == rg) & (out["theta"] == 1.0) & np.isfinite(out["m"])
        if sel.any():
            x = np.stack([out["m"][sel], out["C" if rg == "low" else "q0"][sel],
                          out["p0"][sel]], axis=1)
            curv[sel] = _compiled("RS", rg).stability(x, _ctrl(rg, A[sel], TT[sel]))[
                "curvature"]
    return curv


#: Largest step in alpha of the 1RSB continuation past the end of the RS branch.
EXTEND_STEP = 2.5e-4
#: The 1RSB continuation past the RS branch starts this many ``EXTEND_STEP`` below the end
#: of the RS line: close to the RS fold the Parisi-parameter scan seeded by the RS solution
#: can land on the unstable 1RSB branch (at T = 0 from alpha = 0.1376 up).
EXTEND_BACK = 8


def _extend_beyond_rs(out, status, rsb, a, t, ends) -> None:
    """Follow the 1RSB retrieval in alpha past the end of the RS branch (T = 0, and T > 0
    with RSB), filling the points where only 1RSB retrieval exists.

    Per T the continuation starts from the 1RSB solution ``EXTEND_BACK`` steps below the
    end of the RS line (``ends`` of :func:`_rs_lines`: the last load of the fixed reference
    path, refined to ``EXTEND_STEP`` near the end, with an RS solution; the same for every
    grid), follows the fixed loads ``start + k EXTEND_STEP`` until the branch ends, and
    reaches each point from the largest of them below it: a point's result depends on the
    point only. Each step is solved by Newton on the Parisi parameter's reduced equation
    from the previous solution (:func:`_rsb_newton`; at fixed Parisi parameter the
    equations are well conditioned, whereas Newton with it free meets the very flat
    direction of f in it, see the module notes), accepted within a factor ``EXTEND_SPAN``
    of the previous parameter, and halved up to ``EXTEND_HALVINGS`` times where it fails
    (:func:`_rsb_advance`); a line whose finest sub-step fails has passed its fold. A point
    whose path meets a load without a solution keeps status NO_SOLUTION.
    """
    ends_a, ends_x = ends
    with np.errstate(invalid="ignore"):
        back_a = np.maximum(ends_a - EXTEND_BACK * EXTEND_STEP, 0.5 * ends_a)
        # past the RS end, and (where RS exists) close to it, where the scan from the RS
        # solution can land on the unstable 1RSB branch
        need = (((status == NO_SOLUTION) & (a[:, None] > ends_a[None, :]))
                | (a[:, None] > back_a[None, :]))
    cols = np.flatnonzero(need.any(axis=0))
    if cols.size == 0:
        return
    # the RS solution EXTEND_BACK steps below the end (one RS continuation back)
    start_a = back_a[cols]
    start_x = np.full((cols.size, 3), np.nan)
    for rg in ("zero", "low", "hot"):
        sel = np.flatnonzero(_regime(t[cols]) == rg)
        if sel.size == 0:
            continue
        other = {k: v for k, v in _ctrl(rg, None, t[cols[sel]]).items() if k != "alpha"}
        back = continuation(_compiled("RS", rg), ends_x[cols[sel]],
                            np.stack([ends_a[cols[sel]], start_a[sel]], axis=1), "alpha",
                            other, accept=lambda x, c: x[:, 0] > 1e-6)
        start_x[sel] = back.x[:, 1]
    Xe = np.full((cols.size, cols.size, 3), np.nan)  # each start at its own T: the diagonal
    Xe[np.arange(cols.size), np.arange(cols.size)] = start_x
    rs_start = _rs_observables(Xe, start_a, t[cols])
    diag = {k: np.diagonal(v).copy() for k, v in rs_start.items()}
    e_out, _, e_rsb = _rsb_from_rs(diag, start_a, t[cols])
    for rg in ("zero", "low", "hot"):
        keep = np.flatnonzero(e_rsb & (_regime(t[cols]) == rg))
        if keep.size == 0:
            continue
        x_start = _x_rsb(e_out, np.ones(cols.size, dtype=bool), rg)[keep]
        _follow_rsb(out, status, rsb, a, t, need, cols[keep], x_start, start_a[keep], rg)


def _rsb_newton(cf, x, alpha, beta, regime, slope=None, a_from=None):  # noqa: ANN001, ANN202
    """Newton on the Parisi parameter's reduced equation
    (:func:`theory.symbolic.solve.newton_parameter`) from ``x`` at the loads ``alpha``,
    accepted where it converges within a factor ``EXTEND_SPAN`` of the previous Parisi
    parameter (Newton with the parameter free stalls in its flat direction). With ``slope``
    (``dx/d alpha``, per line) and ``a_from`` (the loads of ``x``) Newton starts from the
    linear prediction ``x + slope (alpha - a_from)`` where that is feasible. Returns the new
    solutions and which lines converged."""
    par, accept = ("theta", _accept_rsb) if regime == "hot" else ("mu", _accept_rsb_t0)
    c1 = {"alpha": alpha} if regime == "zero" else {"alpha": alpha, "beta": beta}
    x0 = x
    if slope is not None:
        pred = x + slope * (alpha - a_from)[:, None]
        with np.errstate(invalid="ignore"):  # NaN rows fail the bounds
            good = (pred[:, 5] > 0) & cf.constraints_ok(pred, c1)
        x0 = np.where(good[:, None], pred, x)
    nt = newton_parameter(cf, x0, c1, par, accept=accept)
    with np.errstate(divide="ignore", invalid="ignore"):
        near = nt.converged & (np.abs(np.log(nt.x[:, 5] / x[:, 5])) < np.log(EXTEND_SPAN))
    return np.where(near[:, None], nt.x, np.nan), near


def _rsb_step(cf, x, alpha, beta, regime):  # noqa: ANN001, ANN202
    """One 1RSB step from a good start (:func:`_rsb_newton`); where Newton fails, the
    parameter is scanned up and down from its previous value (:func:`_rsb_scan_step`), so
    that the branch followed is the one started from. Returns the new solutions, which lines
    converged, and their status."""
    new, near = _rsb_newton(cf, x, alpha, beta, regime)
    failed = np.full(x.shape[0], NO_SOLUTION, dtype=np.int8)
    rest = np.flatnonzero(~near)
    if rest.size:
        sub, ok_r, fail_r = _rsb_scan_step(cf, x[rest], alpha[rest],
                                           None if beta is None else beta[rest], regime)
        new[rest[ok_r]] = sub[ok_r]
        failed[rest] = fail_r
        near[rest[ok_r]] = True
    return new, near, failed


#: Halvings of a step of the 1RSB continuation past the RS end where Newton from the
#: previous solution fails (:func:`_rsb_advance`): the last sub-step is
#: ``EXTEND_STEP / 2**EXTEND_HALVINGS``; a line whose finest sub-step fails has ended.
EXTEND_HALVINGS = 3


def _rsb_advance(cf, x, a_from, a_to, beta, regime, halvings=EXTEND_HALVINGS, slope=None):  # noqa: ANN001, ANN202
    """Continue 1RSB solutions ``x`` at loads ``a_from`` to ``a_to`` by :func:`_rsb_newton`
    (from the linear prediction along ``slope``, ``dx/d alpha`` per line, where given),
    halving the step where it fails (at most ``halvings`` times). Each line's sub-steps
    depend on that line only. Returns the solutions at ``a_to`` and which lines arrived
    (a line that did not has passed its fold: no solution)."""
    new, ok = _rsb_newton(cf, x, a_to, beta, regime, slope, a_from)
    bad = np.flatnonzero(~ok)
    if halvings == 0 or bad.size == 0:
        return new, ok
    b = None if beta is None else beta[bad]
    s_bad = None if slope is None else slope[bad]
    mid = 0.5 * (a_from[bad] + a_to[bad])
    xm, okm = _rsb_advance(cf, x[bad], a_from[bad], mid, b, regime, halvings - 1, s_bad)
    half = np.flatnonzero(okm)
    if half.size:
        # the second half predicts along the secant of the first
        s_half = (xm[half] - x[bad[half]]) / (mid[half] - a_from[bad[half]])[:, None]
        x2, ok2 = _rsb_advance(cf, xm[half], mid[half], a_to[bad[half]],
                               None if b is None else b[half], regime, halvings - 1, s_half)
        got = bad[half[ok2]]
        new[got], ok[got] = x2[ok2], True
    return new, ok


def _rsb_scan_step(cf, x, alpha, beta, regime):  # noqa: ANN001, ANN202
    """:func:`_rsb_step` by the two-sided scan of the Parisi parameter."""
    hot = regime == "hot"
    par, accept = ("theta", _accept_rsb) if hot else ("mu", _accept_rsb_t0)
    span = np.stack([np.geomspace(1.0, EXTEND_SPAN, 9), np.geomspace(1.0, 1 / EXTEND_SPAN, 9)])
    n = x.shape[0]
    ctrl = {"alpha": np.repeat(alpha, 2)}
    if regime != "zero":
        ctrl["beta"] = np.repeat(beta, 2)
    grid = (x[:, 5][:, None, None] * span[None]).reshape(2 * n, -1)
    if hot:
        grid = np.minimum(grid, 1.0 - 1e-9)
    res = optimize_parameter(cf, np.repeat(x, 2, axis=0), ctrl, par, grid, accept=accept)
    conv = res.converged.reshape(n, 2)
    two = res.x.reshape(n, 2, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.where(conv, np.abs(np.log(two[:, :, 5] / x[:, 5][:, None])), np.inf)
    ok = conv.any(axis=1)
    new = np.full(x.shape, np.nan)
    new[ok] = two[ok, np.argmin(dist[ok], axis=1)]
    st = res.status.reshape(n, 2)
    failed = np.where((st == NO_SOLUTION).all(axis=1), NO_SOLUTION, st[:, 0])
    return new, ok, failed


def _secant(ref: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """``dx/d alpha`` per line at reference step ``k`` of :func:`_follow_rsb`: the secant
    ``(ref[k] - ref[k - 1]) / EXTEND_STEP``, and 0 (no prediction) at k = 0."""
    k = np.broadcast_to(np.asarray(k), (ref.shape[0],))
    rows = np.arange(ref.shape[0])
    prev = np.where((k > 0)[:, None], ref[rows, np.maximum(k - 1, 0)], ref[rows, k])
    return (ref[rows, k] - prev) / EXTEND_STEP


def _follow_rsb(out, status, rsb, a, t, need, cols, x_end, a_end, regime) -> None:
    """The 1RSB lines of :func:`_extend_beyond_rs`: per column, from its end ``a_end``
    along the fixed loads ``a_end + k EXTEND_STEP`` until the branch ends, then each point
    from the largest of those loads below it (one step, halved where needed)."""
    cf = _compiled("1RSB", regime)
    hot = regime == "hot"
    names = ("m", "q0", "q1", "p0", "p1", "theta") if hot else ("m", "q0", "C", "p0", "p1", "mu")
    beta = None if regime == "zero" else 1.0 / t[cols]
    top = np.array([a[need[:, c]].max() for c in cols])
    K = int(np.ceil(((top - a_end) / EXTEND_STEP).max()))
    ref = np.full((cols.size, K + 1, x_end.shape[1]), np.nan)
    ref[:, 0] = x_end
    last = np.zeros(cols.size, dtype=int)  # the last reference step reached
    alive = np.ones(cols.size, dtype=bool)
    for k in progress(range(1, K + 1), desc="1RSB past the RS end", unit="step"):
        act = np.flatnonzero(alive & (a_end + k * EXTEND_STEP <= top))
        if act.size == 0:
            break
        new, ok = _rsb_advance(cf, ref[act, k - 1], a_end[act] + (k - 1) * EXTEND_STEP,
                               a_end[act] + k * EXTEND_STEP, None if beta is None else beta[act],
                               regime, slope=_secant(ref[act], k - 1))
        ref[act[ok], k] = new[ok]
        last[act[ok]] = k
        alive[act[~ok]] = False
    pi, li = np.nonzero(need[:, cols])  # (point, line) pairs
    k0 = np.floor((a[pi] - a_end[li]) / EXTEND_STEP).astype(int)
    reach = k0 <= last[li]
    # a point with a solution already (RS exists there) keeps it where the line fails
    for i, line in zip(pi[~reach], li[~reach], strict=True):
        if status[i, cols[line]] != CONVERGED:
            status[i, cols[line]] = NO_SOLUTION
    pi, li, k0 = pi[reach], li[reach], k0[reach]
    if pi.size == 0:
        return
    x, ok = _rsb_advance(cf, ref[li, k0], a_end[li] + k0 * EXTEND_STEP, a[pi],
                         None if beta is None else beta[li], regime,
                         slope=_secant(ref[li], k0))
    lost = (~ok) & (status[pi, cols[li]] != CONVERGED)
    status[pi[lost], cols[li[lost]]] = NO_SOLUTION
    i, j, x = pi[ok], cols[li[ok]], x[ok]
    for nm, v in zip(names, x.T, strict=True):
        out[nm][i, j] = v
    if hot:
        out["mu"][i, j] = x[:, 5] / t[j]
        out["C"][i, j] = (1.0 - x[:, 2]) / t[j]
    else:
        out["q1"][i, j], out["theta"][i, j] = 1.0 - x[:, 2] * t[j], x[:, 5] * t[j]
    out["f"][i, j] = cf.f(x, _ctrl(regime, a[i], t[j]))
    status[i, j] = CONVERGED
    rsb[i, j] = True


# ----------------------------------------------------------------------------------------
# critical capacity
# ----------------------------------------------------------------------------------------
#: Seeds of the fold below the RS capacity, as fractions ``1 - back`` of it, tried in turn
#: until the 1RSB seed has broken symmetry: close to T*, where the AT line meets the RS
#: spinodal, the AT line passes between 0.995 alpha_c^RS and the fold (T = 0.0201:
#: replicon +0.031 at 0.995, -0.11 at 0.999).
FOLD_SEED_BACK = (5e-3, 1e-3, 2e-4)
#: Brackets in m of the fold below the seed's m, tried in turn until it converges: at
#: T = 0.0201 the scan over 0.08 runs down the unstable side into a point where the 1RSB
#: equations fail (status NONFINITE), and 0.02 and 0.005 both give alpha_c = 0.13819401.
FOLD_WIDTHS = (0.08, 0.02, 0.005)


def critical_point(T: float = 0.0, ansatz: str = "1RSB") -> xr.Dataset:
    """Saddle-node ``alpha_c(T)`` of the retrieval branch, with the order parameters there.

    The fold is located by :func:`theory.symbolic.fold`: with ``m`` fixed the stationarity
    conditions are solved for the other order parameters (the Parisi parameter included at
    1RSB, so it stays optimal along the curve) and alpha; ``alpha(m)`` is maximised with
    ``d alpha/dm = 0`` to ``|dm| < 1e-11``.  ``alpha_c_error`` adds the change of alpha over
    that bracket and the solver tolerance.  The seed is the RS or 1RSB solution at
    ``0.995 alpha_c^RS`` (hand-written RS capacity, :func:`theory.hopfield.critical_capacity`),
    at 1RSB moved closer to it (``FOLD_SEED_BACK``) until it has broken symmetry; where none
    has (above T* = 0.0251, where the AT line meets the RS spinodal) the 1RSB fold is the RS
    one, returned in the RS variables.

    ``ansatz='2RSB'`` (T = 0 only): the fold of :func:`krsb_free_energy` at k = 2 in its
    T = 0 variables ``(m, q0, q1, C, p0, p1, p2, mu1, mu2)``, seeded from the 1RSB solution
    at ``ALPHA_2RSB`` (:func:`_critical_point_2rsb`).

    Returns a Dataset with ``alpha_c``, ``alpha_c_error``, the order parameters at the fold
    (model variables), ``converged``.
    """
    ansatz = check_choice("ansatz", ansatz, CAPACITY_ANSATZE)
    Tv = check_scalar("T", T, low=0.0)
    if Tv >= 1.0:
        raise ValueError(f"T must be in [0, 1) for a retrieval branch (got {Tv})")
    if ansatz == "2RSB":
        if Tv != 0.0:
            raise ValueError(f"T must be 0 for ansatz='2RSB' (got {Tv}): the 2RSB capacity "
                             "is computed at T = 0 only")
        return _critical_point_2rsb().copy(deep=True)
    a_rs = float(rs.capacity(np.array([Tv]))["alpha_c"][0])
    kind = ansatz  # the model folded
    for back in FOLD_SEED_BACK:
        a_s = (1.0 - back) * a_rs
        ds = solve(a_s, Tv, ansatz=ansatz).isel(alpha=0, T=0, branch=0)
        if ansatz == "RS" or bool(ds["rsb"]):
            break
    else:  # no RSB next to the RS fold (its replicon is positive): the fold is the RS one
        kind = "RS"
        ds = solve(a_s, Tv, ansatz="RS").isel(alpha=0, T=0, branch=0)
    rg = str(_regime(Tv))
    cold = rg != "hot"  # the T = 0 variables
    cf = _compiled(kind, rg)
    if kind == "RS":
        names = ("m", "C", "p") if cold else ("m", "q", "p")
    else:
        names = ("m", "q0", "C", "p0", "p1", "mu") if cold else (
            "m", "q0", "q1", "p0", "p1", "theta")
    x0 = np.array([[float(ds[k]) for k in names]])
    other = {k: np.array([v]) for k, v in _ctrl(rg, 0.0, Tv).items() if k != "alpha"}
    m_s = x0[0, 0]
    # the fold lies at smaller m than the stable solution below alpha_c; where the scan
    # down the unstable side fails, a narrower bracket (FOLD_WIDTHS)
    for width in FOLD_WIDTHS:
        res = fold(cf, x0, "alpha", "m", (np.array([m_s - width]), np.array([m_s])), other,
                   c_guess=np.array([a_s]), n_scan=14)
        if res.converged[0]:
            break
    return _fold_dataset(res, names, Tv, ansatz, fold_model=cf.model.name)


def _fold_dataset(res, names, T: float, ansatz: str, **attrs: Any) -> xr.Dataset:  # noqa: ANN001
    """The Dataset of a fold :func:`critical_point` located: ``alpha_c``, its error, the
    convergence, the status and the order parameters ``names`` there, at temperature T."""
    data = {
        "alpha_c": ((), float(res.value[0])),
        "alpha_c_error": ((), float(res.error[0])),
        "converged": ((), bool(res.converged[0])),
        "status": ((), np.int8(res.status[0])),
    }
    for k, nm in enumerate(names):
        data[nm] = ((), float(res.x[0, k]))
    out = xr.Dataset(data, coords={"T": T})
    out["T"].attrs.update(long_name="temperature", units="1")
    return _finalize(out, ansatz, **attrs)


#: Load at which the 2RSB retrieval is first solved, from the 1RSB solution there: far
#: enough below the 1RSB fold (0.1381865) for Newton to converge from the seed.
ALPHA_2RSB = 0.137
#: The 2RSB seed from the 1RSB solution (m, q0, C, p0, p1, mu) at ALPHA_2RSB: the second
#: step opens near q = 1 (``q0' = q0 - dq0 (1 - q0)``, ``1 - q1 = gap1 (1 - q0)``,
#: ``p1' = p0 + dp (p1 - p0)``), the Parisi parameters split as ``mu1 = 0.85 mu``,
#: ``mu2 = 2.1 mu``, as for the dense network (:data:`theory.dense.capacity.SEED_2RSB`).
SEED_2RSB = {"dq0": 0.08, "gap1": 0.16, "dp": 0.84, "mu1": 0.85, "mu2": 2.1}
#: Bracket of the 2RSB fold below the seed's m, and the fold's tolerance in m.
FOLD_WIDTH_2RSB, VTOL_2RSB = 0.03, 1e-8
#: Largest residual of the 2RSB seed accepted where Newton ends on a singular step.
GTOL_2RSB = 1e-12


def _retrieval_2rsb(alpha: float) -> tuple[CompiledFreeEnergy, np.ndarray]:
    """The T = 0 2RSB retrieval at the load ``alpha`` (below the 2RSB fold and near enough
    to the 1RSB one for the seed, e.g. ``ALPHA_2RSB``): the compiled model and its solution
    (1, 9) in ``(m, q0, q1, C, p0, p1, p2, mu1, mu2)``, by Newton from ``SEED_2RSB``."""
    from assoc.errors import NotConvergedError

    cf = krsb_free_energy(2).zero_temperature().compile()
    one = solve(alpha, 0.0, "1RSB").isel(alpha=0, T=0, branch=0)
    if not bool(one["rsb"]):
        raise NotConvergedError(f"no 1RSB retrieval to seed 2RSB at alpha = {alpha}",
                                status=int(one["status"]))
    m, q0, C, p0, p1, mu = (float(one[k]) for k in ("m", "q0", "C", "p0", "p1", "mu"))
    s = SEED_2RSB
    x0 = np.array([[m, q0 - s["dq0"] * (1 - q0), 1 - s["gap1"] * (1 - q0), C, p0,
                    p0 + s["dp"] * (p1 - p0), p1, s["mu1"] * mu, s["mu2"] * mu]])
    c = {"alpha": np.array([alpha])}
    seed = solve_points(cf, x0, c, fallback=False, maxiter=150)
    # the Hessian's condition number is ~1e14 there (the flat Parisi directions): Newton
    # can end on a singular step at a point whose residual is already at round-off
    at_floor = np.abs(cf.grad(seed.x, c)).max() < GTOL_2RSB
    x = seed.x
    broken = ((x[:, 0] > 0.5 * m) & (x[:, 2] - x[:, 1] > COLLAPSE) & (1 - x[:, 2] > COLLAPSE)
              & (x[:, 5] > x[:, 4]) & (x[:, 6] > x[:, 5]) & (x[:, 8] > x[:, 7] * (1 + 1e-6)))
    if not ((seed.converged[0] or at_floor) and broken[0]):
        raise NotConvergedError(f"no 2RSB retrieval found at alpha = {alpha}",
                                status=int(seed.status[0]))
    return cf, x


@cache
def _critical_point_2rsb() -> xr.Dataset:
    """The T = 0 2RSB fold of the retrieval branch (:func:`critical_point`), from the 2RSB
    retrieval at ``ALPHA_2RSB`` along m."""
    cf, seed = _retrieval_2rsb(ALPHA_2RSB)
    m_s = seed[0, 0]
    res = fold(cf, seed, "alpha", "m", (np.array([m_s - FOLD_WIDTH_2RSB]), np.array([m_s])),
               {}, c_guess=np.array([ALPHA_2RSB]), n_scan=8, vtol=VTOL_2RSB)
    return _fold_dataset(res, cf.names, 0.0, "2RSB")


def critical_capacity(T: float = 0.0, ansatz: str = "1RSB") -> float:
    """Critical load ``alpha_c(T)`` of the retrieval branch at the given ansatz.

    See :func:`critical_point` for the method and the error estimate.  At T = 0 the RS value
    is 0.1379055665 (AGS 1987; equal to :func:`theory.hopfield.critical_capacity`) and the
    1RSB value computed here is 0.1381865 (Steffan & Kuhn 1994 report the same small
    increase).  The 1RSB fold takes about 40 s.  ``ansatz='2RSB'`` (T = 0 only):
    0.1381963418, as an engine-free derivation finds (Steffan & Kuhn 1994 quote 0.138187;
    module notes); about 10 minutes on 2 cores.

    Raises
    ------
    ValueError
        For T outside [0, 1), an unknown ansatz, or T > 0 with ``ansatz='2RSB'``.
    assoc.errors.NotConvergedError
        If the saddle-node does not converge (``.status`` carries the solver status).
    """
    ds = critical_point(T, ansatz)
    if not bool(ds["converged"]):
        from assoc.errors import NotConvergedError

        raise NotConvergedError(f"the {ansatz} fold at T = {T} did not converge",
                                status=int(ds["status"]))
    return float(ds["alpha_c"])
