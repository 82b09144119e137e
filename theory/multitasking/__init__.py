r"""Multitasking Hebbian networks with diluted patterns, and parallel learning from examples.

Low-storage theory (K finite as N -> infinity) of the multitasking associative network
of Agliari et al., PRL 109, 268101 (2012) [Agliari2012]_ and of its learning version,
arXiv:2308.04106 [Agliari2023]_. Everything here is derived in this module's Notes and
in its private helpers; the configuration averages are exact finite sums (3^K terms
for archetype couplings), never sampled.

Model and normalisations
------------------------
Spins ``sigma_i = +-1``, ``i = 1..N``. Diluted archetypes ``xi^mu_i in {-1, 0, +1}``,
``mu = 1..K``, i.i.d. with ``P(0) = d`` and ``P(+1) = P(-1) = (1 - d)/2``
(:func:`assoc.patterns.diluted`).

* Archetype couplings: ``J_ij = (1/N) sum_mu xi^mu_i xi^mu_j`` (i != j),
  ``H = -(1/2N) sum_mu (M_mu^2 - sum_i (xi^mu_i)^2)`` with ``M_mu = sum_i xi^mu_i sigma_i``
  and Mattis overlaps ``m_mu = M_mu / N``. The paramagnet is unstable below
  ``T_c = 1 - d`` (no ``1/(1-d)`` in J).
* Examples (arXiv:2308.04106; :func:`assoc.patterns.noisy_examples`):
  ``eta^(mu,a)_i = xi^mu_i chi^(mu,a)_i``, ``a = 1..M``, ``chi = +-1`` with
  ``P(chi = +1) = (1 + r)/2``; dataset entropy ``rho = (1 - r^2)/(M r^2)``
  (:func:`assoc.patterns.dataset_entropy`) and ``R = r^2 (1 + rho) = r^2 + (1 - r^2)/M``,
  the mean square of the example mean ``chibar = (1/M) sum_a chi^a``.

  - supervised: ``J_ij = (1/(N R)) sum_mu etabar^mu_i etabar^mu_j``, with the per-archetype
    example means ``etabar^mu = (1/M) sum_a eta^(mu,a)``;
  - unsupervised: ``J_ij = (1/(N R M)) sum_mu sum_a eta^(mu,a)_i eta^(mu,a)_j``.

  Dividing by R makes the mean square of the coupling vectors equal to that of the
  archetypes (``E[etabar^2]/R = 1 - d``), so T_c = 1 - d for every (r, M), and the
  archetype signal in the field is ``O(1)`` for every dataset: ``E[J_ij] =
  xi_i xi_j / (N (1 + rho))`` in both protocols.

Order parameters: ``m_mu`` (overlap with archetype mu) and, with examples,
``n_mu = (1/N) sum_i etabar^mu_i sigma_i`` (overlap with the example mean, equal to the
overlap with any single example in an example-symmetric state).

Verbs
-----
:func:`solve` (every branch, with ``phase``, so there is no ``phase_diagram``),
:func:`regime_boundaries` (the boundaries of the regimes in d, which take the place of
``transition_lines``), :func:`zero_temperature_states`, :func:`signal_to_noise`; the learning side
:func:`learning_threshold` and :func:`sum_squared_error`. There is no ``ansatz``,
``critical_capacity`` or ``critical_point``: at low storage (K finite) the theory is exact
without replicas, and there is no load to be critical in. Inside: :mod:`.tables` (the
exact configuration averages), :mod:`.zero` (T = 0 fixed points), :mod:`.branches`,
:mod:`.learning`, :mod:`.check` (a second, slow method for the tests).

Notes
-----
**Low-storage free energy.** With K (and M) finite the Hamiltonian is a function of
finitely many overlaps, and a saddle point over them is exact as N -> infinity. For
archetype couplings

    f(m) = sum_mu m_mu^2 / 2 - T E_xi ln 2cosh(beta xi.m),                   (1)

with ``E_xi`` over the 3^K configurations of one site (weights ``d`` for 0 and
``(1-d)/2`` for each sign) [Agliari2012]_. Stationarity: ``m = E[xi tanh(beta xi.m)]``
(2); Hessian ``d^2 f/dm_mu dm_nu = delta_mu_nu - beta E[xi_mu xi_nu sech^2(beta xi.m)]``
(3); energy per spin ``-|m|^2/2`` at a stationary point. At T = 0 (exact, never a
large beta): ``m = E[xi sign(xi.m)]`` with ``sign(0) = 0``, ``f_0 = |m|^2/2 - E|xi.m|``.
Since ``-|x|`` has a concave kink at 0, a stationary point at which a configuration of
positive weight has ``xi.m = 0`` (a *tie*) is a saddle; a tie-free stationary point has
Hessian 1 and is a local minimum. So at T = 0 the stable states are exactly the
tie-free fixed points.

With examples the site sees ``a^mu = xi^mu chibar^mu / sqrt(R)`` and (1)-(3) hold with
``xi -> a`` and ``m -> p = n / sqrt(R)``; the archetype overlap is ``m_mu = E[xi^mu
tanh(beta a.p)]``. The average over ``chibar`` is the exact binomial law (M + 1 values),
not a Gaussian. Supervised: (1) is the exact low-storage free energy. Unsupervised: the
K M overlaps ``n_(mu,a)`` enter; on the example-symmetric subspace ``n_(mu,a) = n_mu``
the free energy, the stationary equations and the symmetric block of the Hessian are
those of the supervised network (the difference of the two couplings is a term
diagonal in the examples whose energy is ``-(N/2R) sum_mu Var_a(n_(mu,a)) = O(1)``
in total, O(1/N) per spin); the subspace is invariant by exchangeability of examples.
The remaining Hessian block (directions ``sum_a v_(mu,a) = 0``) is diagonal in mu,
``(1/RM) [1 - beta E[u^mu sech^2(beta a.p)]]`` with
``u^mu = (xi^mu)^2 (1 - (chibar^mu)^2) / (R (M - 1))``, using
``E[chi^a chi^b | chibar] = (M chibar^2 - 1)/(M - 1)`` (a != b). So the unsupervised
network has the supervised solutions and free energies, and is stable where the
supervised one is and, in addition, ``beta E[u^mu sech^2] < 1`` (variable
``lambda_perp``). At T = 0 with M even a tied vote ``chibar = 0`` makes this block
unstable: this is where the two protocols differ in low storage.

**States** (``branch``; up to permutations and sign flips of the patterns):

* ``paramagnet``: ``m = 0``; stable iff ``T > 1 - d``.
* ``pure``: ``m = (m, 0, .., 0)``, ``m = (1 - d) tanh(beta m)``.
* ``mixture<n>`` (2 <= n < K) and ``parallel`` (n = K): symmetric states with n equal
  nonzero overlaps, ``m = E[xi_1 tanh(beta m (xi_1 + .. + xi_n))]``; a positive root
  exists iff ``beta (1 - d) > 1`` and is unique (the right side is concave in m). The
  *parallel* state is the symmetric K-mixture: every pattern is raised with the same
  strength. At T = 0 every symmetric state with 0 < d < 1 has ties (e.g. ``xi = (1, -1,
  0, ..)``) and is unstable; at T > 0 the parallel state is stable at strong dilution
  down to a temperature that vanishes as d -> 1 (:func:`regime_boundaries`).
* ``hierarchical``: at T = 0, ``m_k = (1 - d) d^(k-1)``: the spin follows the first
  pattern that is nonzero at its site, and pattern k fills the sites left blank by
  patterns 1..k-1. It is a tie-free fixed point iff ``m_k > sum_(l>k) m_l`` for all k
  (otherwise the configuration ``(0, .., 0, +1, -1, .., -1)`` led by pattern k flips
  sign), tightest at k = 1: ``sum_(j=1)^(K-1) d^j < 1``, i.e. ``d < d_H(K)``, the root in
  (0, 1) of ``d^K - 2 d + 1 = 0`` (:func:`hierarchical_threshold`; ``d_H(2) = 1``,
  ``d_H(3) = (sqrt 5 - 1)/2``, ``d_H -> 1/2`` as K -> infinity). At T > 0 the branch is the
  continuation in T of the T = 0 state at the same d; it is stable wherever it exists,
  and overlaps that vanish (patterns leaving the hierarchy) are reported as 0; the branch
  exists while it keeps the hierarchical structure: at least two patterns retrieved
  (``n_retrieved``), no two equal, and ``m_k > sum_(l>k) m_l`` (at T > 0 the continued
  state can keep existing as a local minimum of another structure, ``other``, which is
  then not reported under this branch; e.g. K = 3, T = 0.05 from d ~ 0.556). Where the
  continuation gives no hierarchical state (archetype couplings, T > 0), the branch is the
  local minimum reached by descent at T from the profile ``(1 - d) d^(k-1)``, if it is
  hierarchical: at higher T such minima exist beyond ``d_H`` (e.g. K = 4, T = 0.2). With
  examples its
  T = 0 start is the fixed point of the T = 0 map reached from ``(1 - d) d^(k-1)``.
* ``equilibrium``: the lowest local minimum of f found by the search described in
  :func:`solve`; the variable ``phase`` classifies it.

The hierarchical state stops being the T = 0 ground state at ``d_G(K) < d_H(K)``, where
its energy crosses that of the *overturned* state: the hierarchical sign rule reversed on
the configurations whose leading pattern k <= K - 2 is opposed by every later pattern,
with overlaps ``m_j = (1-d) d^(j-1) - 2 w_j [j <= K-2] + 2 sum_(k < min(j, K-1)) w_k``,
``w_k = d^(k-1) (1-d) ((1-d)/2)^(K-k)`` (:func:`ground_state_threshold`; for K = 3
``d_G = (1 + 2 sqrt 2)/7``). This competitor was identified by enumerating the T = 0
fixed points (exhaustively for K <= 5) and is confirmed by the enumeration in
:func:`regime_boundaries` and in the tests.

**Sum-squared error.** ``L_mu = ||xi^mu - sigma||^2/(2N) = 1 - d/2 - m_mu`` at large N,
so the energy per spin is ``-(1/2) sum_mu (1 - d/2 - L_mu)^2``: lowering the
Hamiltonian lowers the sum-squared errors of all retrieved patterns together
(:func:`sum_squared_error`; arXiv:2308.04106).

References
----------
.. [Agliari2012] E. Agliari, A. Barra, A. Galluzzi, F. Guerra, F. Moauro, PRL 109, 268101
   (2012), doi:10.1103/PhysRevLett.109.268101.
.. [Agliari2023] E. Agliari, A. Alessandrelli, A. Barra, F. Ricci-Tersenghi, Parallel
   learning by multitasking neural networks, arXiv:2308.04106.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr
from scipy.special import ndtr

from assoc.dataset import finalize
from assoc.validation import check_choice, check_grid, check_int, check_real, check_scalar

from .._numerics.solver import CONVERGED, MAXITER, WRONG_ROOT, flag_status
from .branches import (
    STAB_EPS,
    classify,
    equilibrium,
    hierarchical_branch,
    relax,
    symmetric_branch,
)
from .learning import class_snr, loss_from_overlaps, threshold_rho
from .tables import (
    SiteTable,
    archetype_law,
    averages,
    example_law,
    site_table,
    zero_temperature_map,
)
from .zero import (
    canonical,
    chamber_signs,
    ground_state_threshold,
    hierarchical_overlaps,
    hierarchical_threshold,
    iterate_zero_map,
    overlaps_of_signs,
    overturned_overlaps,
    search_fixed_points,
)

__all__ = [
    "solve",
    "regime_boundaries",
    "branches",
    "hierarchical_overlaps",
    "hierarchical_threshold",
    "ground_state_threshold",
    "overturned_overlaps",
    "zero_temperature_states",
    "signal_to_noise",
    "learning_threshold",
    "sum_squared_error",
    "STATES",
    "PROTOCOLS",
]

STATES = ("all", "paramagnet", "pure", "mixture", "parallel", "hierarchical", "equilibrium")
PROTOCOLS = ("supervised", "unsupervised")
MAX_CONFIGS = 200_000
MODEL = "multitasking_hebbian"
REFS = ("Agliari2012", "Agliari2023")
NORM_ARCH = ("J_ij = (1/N) sum_mu xi_i^mu xi_j^mu (i != j); H = -(1/2N) sum_mu (M_mu^2 - "
             "sum_i (xi_i^mu)^2); xi in {-1,0,1}, P(0) = d; K finite (low storage)")
NORM_EX = ("examples eta = xi chi, P(chi=+1) = (1+r)/2, rho = (1-r^2)/(M r^2), R = r^2 (1+rho); "
           "supervised J = (1/(N R)) sum_mu etabar_i etabar_j, unsupervised J = (1/(N R M)) "
           "sum_(mu,a) eta_i eta_j (i != j); K, M finite (low storage)")


# ----------------------------------------------------------------------------- validation
def _check_d(d: Any) -> np.ndarray:
    return check_grid("d", d, low=0.0, high=1.0, high_open=True)


def _check_T(T: Any) -> np.ndarray:
    return check_grid("T", T, low=0.0)


def _check_r(r: Any) -> np.ndarray:
    return check_grid("r", r, low=0.0, high=1.0, low_open=True)


def _check_M(M: Any) -> list[int]:
    vals = np.atleast_1d(np.asarray(M, dtype=object))
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError(f"M must be an integer >= 1 or a 1-D sequence of them (got {M!r})")
    return [check_int("M", v if not isinstance(v, np.integer) else int(v), low=1)
            for v in vals.tolist()]


def _check_examples(r: Any, M: Any, protocol: str | None
                    ) -> tuple[np.ndarray | None, list[int] | None, str | None]:
    if r is None and M is None:
        if protocol is not None:
            raise ValueError("protocol needs examples: give r (in (0, 1]) and M (>= 1)")
        return None, None, None
    if r is None or M is None:
        raise ValueError("learning from examples needs both r (in (0, 1]) and M (>= 1)")
    protocol = check_choice("protocol", "supervised" if protocol is None else protocol, PROTOCOLS)
    return _check_r(r), _check_M(M), protocol


def _law(d: np.ndarray, r: float | None, M: int | None):
    return archetype_law(d) if r is None else example_law(d, float(r), int(M))


def _table(K: int, d: np.ndarray, r: float | None = None, M: int | None = None) -> SiteTable:
    law = _law(d, r, M)
    n = (law.a.size ** K) // 2 + 1
    if n > MAX_CONFIGS:
        what = f"K = {K}" + ("" if M is None else f" and M = {M}")
        raise ValueError(f"{what} need {n} site configurations (more than {MAX_CONFIGS}); "
                         "lower K or M")
    return site_table(law, K)


def branches(K: int, state: str | Sequence[str] = "all") -> list[str]:
    """Branch names computed by :func:`solve` for ``K`` patterns and ``state``.

    ``'mixture'`` expands to ``mixture2`` .. ``mixture<K-1>``; ``'all'`` is every state.
    """
    K = check_int("K", K, low=1)
    req = [state] if isinstance(state, str) else list(state)
    for s in req:
        check_choice("state", s, STATES)
    if "all" in req:
        req = list(STATES[1:])
    out: list[str] = []
    for s in STATES[1:]:
        if s not in req:
            continue
        if s == "mixture":
            out += [f"mixture{n}" for n in range(2, K)]
        else:
            out.append(s)
    return out


# ----------------------------------------------------------------------------- T = 0 library
@lru_cache(maxsize=16)
def _library(K: int, refs: tuple[float, ...]) -> np.ndarray:
    """Sign vectors of stable T = 0 states: every chamber (K <= 4), else found by search.

    For K >= 5 the searches of :func:`~theory.multitasking.zero.search_fixed_points`
    at the reference dilutions ``refs`` are pooled, keeping the 64 lowest-energy
    states of each.
    """
    if K <= 4:
        return chamber_signs(K)[0]
    found = [search_fixed_points(K, dr, n_random=100 * K)["signs"][:64] for dr in refs]
    return np.unique(np.concatenate(found), axis=0)


def _refs(K: int, d: np.ndarray) -> tuple[float, ...]:
    """Reference dilutions of the K >= 5 library: a uniform grid, points accumulating at
    d = 1/2 (the K -> infinity limit of d_H), and the requested d when there are few."""
    base = set(np.round(np.linspace(0.1, 0.9, 9), 6).tolist())
    base |= {round(0.5 + 2.0 ** -j, 8) for j in range(4, 11)}
    if d.size <= 4:
        base |= set(np.round(d[(d > 0) & (d < 1)], 10).tolist())
    return tuple(sorted(base))


def _library_states(K: int, d: np.ndarray, library: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overlaps of the library states at each d (G, S, K) and whether each is a stable state."""
    table = site_table(archetype_law(d), K)
    v = overlaps_of_signs(table, library)
    H = np.einsum("gsk,ck->gsc", v, table.A)
    scale = np.einsum("gsk,ck->gsc", np.abs(v), np.abs(table.A))
    live = (table.W > 0)[:, None, :] & (np.abs(table.A).sum(1) > 0)[None, None, :]
    ok = np.where(live, library[None] * H > 1e-12 * scale, True).all(-1)
    return v, ok


# ----------------------------------------------------------------------------- solve
def _lowest(f: np.ndarray, rtol: float = 1e-12) -> np.ndarray:
    """Index (over axis 0) of the lowest free energy; among states within ``rtol`` of it
    (degenerate to rounding, e.g. hierarchies differing only in overlaps ~ d^K) the first
    in branch order, so a catalogued branch is preferred to the search result."""
    fmin = f.min(axis=0)
    near = f <= fmin + rtol * (1.0 + np.abs(np.where(np.isfinite(fmin), fmin, 0.0)))
    return np.argmax(near, axis=0)


def _hier_start(table: SiteTable, K: int, d: np.ndarray, examples: bool) -> np.ndarray:
    """T = 0 hierarchical state per d (NaN where it is not a tie-free fixed point)."""
    mh = hierarchical_overlaps(K, d)
    rows = np.arange(d.size)
    if examples:
        p, ok, tie = iterate_zero_map(table, mh, rows=rows)
        q = canonical(p)
        ordered = (np.diff(p, axis=1) < 0).all(1) & (p[:, -1] > 0) if K > 1 else p[:, 0] > 0
        good = ok & ~tie & ordered & np.all(q == p, axis=1)
        return np.where(good[:, None], p, np.nan)
    F, tie = zero_temperature_map(table, mh, rows=rows)  # exact map at the closed form
    good = ~tie & np.all(np.abs(F - mh) <= 1e-13, axis=1)
    return np.where(good[:, None], mh, np.nan)


def _seeds(K: int, d: np.ndarray, rows: np.ndarray, sym: list[np.ndarray], hier: np.ndarray,
           rng: np.random.Generator, n_lib: int, lib: np.ndarray) -> list[np.ndarray]:
    """Starting points (G, S, K) of the equilibrium search."""
    v, ok = _library_states(K, d, lib)
    e = np.where(ok, (v * v).sum(-1), -np.inf)
    order = np.argsort(-e, axis=1)[:, :n_lib]
    top = np.take_along_axis(v, order[..., None], axis=1)
    top = np.where(np.take_along_axis(ok, order, axis=1)[..., None], top, np.nan)[rows]
    out = [top, hier[:, None, :]]
    for p in sym:  # symmetric states nudged off their symmetry plane
        for _ in range(2):
            out.append((p * (1 + 0.05 * rng.normal(size=p.shape)))[:, None, :])
    return out


def _solve_table(table: SiteTable, K: int, d: np.ndarray, Ts: np.ndarray, names: list[str],
                 examples: bool, unsup: bool, rng: np.random.Generator, n_random: int,
                 n_lib: int, refs: tuple[float, ...]) -> dict[str, np.ndarray]:
    nd, nT = d.size, Ts.size
    rows = np.repeat(np.arange(nd), nT)
    TT = np.tile(Ts, nd)
    G = rows.size
    P = {}
    status = {}
    sym_for_seeds = []
    for name in names:
        if name == "paramagnet":
            P[name], status[name] = np.zeros((G, K)), np.full(G, CONVERGED, dtype=np.int64)
        elif name in ("pure", "parallel") or name.startswith("mixture"):
            n = 1 if name == "pure" else K if name == "parallel" else int(name[7:])
            res = symmetric_branch(table, n, TT, rows)
            P[name], status[name] = res["p"], res["status"]
            sym_for_seeds.append(np.nan_to_num(res["p"]))
    hier = None
    if "hierarchical" in names or "equilibrium" in names:
        p0 = _hier_start(table, K, d, examples)[rows]
        res = hierarchical_branch(table, p0, TT, rows)
        hier = res["p"]
        if "hierarchical" in names:
            # WRONG_ROOT: at T > 0 the continued state is no longer hierarchical: it merged
            # into a more symmetric state (fewer than two patterns left, or two equal
            # nonzero overlaps) or, with archetype couplings, lost the hierarchical
            # structure m_k > sum_(l>k) m_l (classify(m) != 'hierarchical'); at T = 0 the
            # exact state is kept (at d = 0 it is the pure state)
            q = canonical(np.nan_to_num(hier))
            nret = (q > 0).sum(1)
            nret0 = (np.abs(np.nan_to_num(p0)) > 0).sum(1)
            equal = ((q[:, :-1] - q[:, 1:] <= 1e-7 * q[:, :-1]) & (q[:, 1:] > 0)).any(1)
            merged = (nret < 2) | equal
            if not examples:
                merged |= classify(q) != "hierarchical"
            merged &= TT > 0
            st = np.where((res["status"] == CONVERGED) & merged & (nret0 >= 2), WRONG_ROOT,
                          res["status"])
            if not examples:
                # where the continuation in T gives no hierarchical state (no T = 0 state
                # at this d, or the continued state changed structure), relax at T from
                # the T = 0 profile (1-d) d^(k-1): at higher T a hierarchical minimum can
                # exist beyond d_H (e.g. K = 4, T = 0.2)
                miss = np.flatnonzero((st != CONVERGED) & (TT > 0))
                if miss.size:
                    prof = hierarchical_overlaps(K, d)[rows[miss]]
                    q2, ok2 = relax(table, prof, TT[miss], rows[miss], n_mm=1000)
                    q2 = canonical(q2)
                    good = ok2 & (classify(q2) == "hierarchical")
                    hier[miss[good]] = q2[good]
                    st[miss[good]] = CONVERGED
            P["hierarchical"] = np.where((st == CONVERGED)[:, None], hier, np.nan)
            status["hierarchical"] = st
    if "equilibrium" in names:
        # archetype T = 0 states also seed the example-coupled search (as profiles)
        seeds = _seeds(K, d, rows, sym_for_seeds, np.nan_to_num(hier), rng, n_lib,
                       _library(K, refs))
        eq = equilibrium(table, TT, rows, seeds, n_random, rng)
        P["equilibrium"] = eq["p"]
        status["equilibrium"] = np.where(eq["found"], CONVERGED, MAXITER)
    # evaluate every branch at its solution
    out: dict[str, list[np.ndarray]] = {k: [] for k in
                                        ("p", "m", "f", "lam", "perp", "res", "status")}
    for name in names:
        p = P[name]
        fin = np.isfinite(p).all(1)
        pz = np.where(fin[:, None], p, 0.0)
        av = averages(table, pz, TT, hessian=True, perp=unsup, rows=rows)
        lam = np.where(av.tie, -np.inf, np.linalg.eigvalsh(av.hess)[:, 0])
        res = np.abs(av.F - pz).max(1)
        nan = np.where(fin, 1.0, np.nan)
        out["p"].append(p)
        # archetype couplings: m is the solution itself (exact closed forms at T = 0)
        out["m"].append((av.m if examples else pz) * nan[:, None])
        out["f"].append(av.f * nan)
        out["lam"].append(lam * nan)
        out["perp"].append(av.perp.max(1) * nan if unsup else np.full(G, np.nan))
        out["res"].append(np.where(fin, res, np.nan))
        out["status"].append(status[name])
    arr = {k: np.stack(v) for k, v in out.items()}  # (B, G, ...)
    return arr


def solve(
    K: int,
    d: float | Sequence[float],
    T: float | Sequence[float],
    *,
    state: str | Sequence[str] = "all",
    r: float | Sequence[float] | None = None,
    M: int | Sequence[int] | None = None,
    protocol: str | None = None,
    n_random: int = 32,
    seed: int = 0,
) -> xr.Dataset:
    """Low-storage solutions of the multitasking network over a (d, T) grid.

    Parameters
    ----------
    K : int >= 1
        Number of archetypes.
    d : float or 1-D sequence in [0, 1)
        Dilution ``P(xi = 0)``.
    T : float or 1-D sequence >= 0
        Temperature; T = 0 uses the exact zero-temperature equations.
    state : {'all', 'paramagnet', 'pure', 'mixture', 'parallel', 'hierarchical', \
'equilibrium'} or a sequence of them
        Branches to compute (module Notes; ``'mixture'`` = ``mixture2..mixture<K-1>``).
    r : float or 1-D sequence in (0, 1], optional
        Example quality; with ``M`` switches to example couplings.
    M : int or 1-D sequence >= 1, optional
        Examples per archetype.
    protocol : {'supervised', 'unsupervised'}, optional
        Coupling built from example means or from all examples (default supervised).
    n_random, seed
        Random starts of the equilibrium search and the seed of their generator.

    Returns
    -------
    xarray.Dataset
        Dimensions ``branch, d, T`` (then ``r, M`` with examples) and ``pattern`` for
        ``m`` (archetype overlaps) and ``n`` (example-mean overlaps). Variables ``f``
        (free energy per spin), ``energy`` (``-|p|^2/2``), ``converged``, ``stable``,
        ``status`` (the theory's codes, :data:`theory._numerics.solver.STATUS_MEANINGS`:
        0 converged; 1 iteration limit; 3 no such solution here; 4 reached another
        branch: at T > 0 the continued state is no longer hierarchical, with fewer than two
        patterns, two equal overlaps, or ``m_k <= sum_(l>k) m_l``; 5 continuation ended),
        ``lambda_min`` (smallest Hessian eigenvalue, ``-inf`` at a T = 0 tie),
        ``lambda_perp`` (unsupervised: ``beta E[u sech^2]``, stable below 1),
        ``n_retrieved`` and ``phase`` (regime of the lowest stable state computed:
        ``paramagnet``, ``pure``, ``hierarchical``, ``parallel``, ``mixture<n>`` or
        ``other``; see :func:`theory.multitasking.branches.classify`).

    Notes
    -----
    Equations (1)-(3) of the module Notes. The equilibrium search relaxes
    (fixed-point descent, then Newton; a minimum needs a positive definite Hessian)
    from: the stable T = 0 states at the same d (every chamber of the T = 0 map for
    K <= 4, else those found by :func:`zero_temperature_states` at reference
    dilutions; the 64 lowest), the hierarchical branch, the symmetric branches nudged
    off their symmetry plane, and ``n_random`` random points; the paramagnet is a
    candidate where it is stable. It is a search, not a proof of global optimality.

    Examples
    --------
    >>> from theory import multitasking as mt
    >>> ds = mt.solve(3, 0.5, 0.0, state="hierarchical")
    >>> [round(float(x), 6) for x in ds.m.sel(branch="hierarchical").squeeze()]
    [0.5, 0.25, 0.125]
    """
    K = check_int("K", K, low=1)
    d = _check_d(d)
    Ts = _check_T(T)
    rs, Ms, protocol = _check_examples(r, M, protocol)
    names = branches(K, state)
    n_random = check_int("n_random", n_random, low=0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    examples = rs is not None
    combos = [(None, None)] if not examples else [(float(a), int(b)) for a in rs for b in Ms]
    unsup = protocol == "unsupervised"
    refs = _refs(K, d)
    res = [_solve_table(_table(K, d, a, b), K, d, Ts, names, examples, unsup, rng, n_random, 64,
                        refs) for a, b in combos]
    B, nd, nT = len(names), d.size, Ts.size

    def put(key: str, tail: tuple[int, ...] = ()) -> np.ndarray:
        x = np.stack([r_[key] for r_ in res], axis=2)  # (B, G, combos, ...)
        x = x.reshape((B, nd, nT) + ((len(rs), len(Ms)) if examples else ()) + tail)
        return x

    p = put("p", (K,))
    m = put("m", (K,))
    f, lam, perp, resid, status = put("f"), put("lam"), put("perp"), put("res"), put("status")
    fin = np.isfinite(f)
    converged = fin & (status == CONVERGED) & (resid <= 1e-9)
    stable = converged & (lam > STAB_EPS)
    if unsup:
        stable &= perp < 1.0
    nret = np.where(fin, (np.abs(np.nan_to_num(p)) > 1e-10 *
                          np.abs(np.nan_to_num(p)).max(-1, keepdims=True)).sum(-1), 0)
    fmin = np.where(stable, f, np.inf)
    best = _lowest(fmin)
    pbest = np.take_along_axis(p, best[None, ..., None], axis=0)[0]
    phase = classify(pbest.reshape(-1, K)).reshape(best.shape)
    phase = np.where(np.isfinite(fmin.min(0)), phase, "")
    ctrl = ("d", "T") + (("r", "M") if examples else ())
    dims = ("branch",) + ctrl
    coords: dict[str, Any] = {"branch": names, "d": d, "T": Ts, "pattern": np.arange(1, K + 1),
                              "K": K}
    with np.errstate(divide="ignore"):
        coords["beta"] = ("T", np.where(Ts > 0, 1.0 / np.where(Ts > 0, Ts, 1.0), np.inf))
    data: dict[str, Any] = {
        "m": (dims + ("pattern",), m),
        "f": (dims, f),
        "energy": (dims, -0.5 * (np.nan_to_num(p) ** 2).sum(-1) * np.where(fin, 1.0, np.nan)),
        "converged": (dims, converged),
        "stable": (dims, stable),
        "status": (dims, status.astype(np.int64)),
        "lambda_min": (dims, lam),
        "n_retrieved": (dims, nret.astype(np.int64)),
        "phase": (ctrl, phase.astype(str)),
    }
    if examples:
        coords.update(r=rs, M=np.asarray(Ms, dtype=np.int64))
        R = rs[:, None] ** 2 + (1 - rs[:, None] ** 2) / np.asarray(Ms)[None, :]
        coords["rho"] = (("r", "M"), (1 - rs[:, None] ** 2) / (np.asarray(Ms)[None, :]
                                                               * rs[:, None] ** 2))
        data["n"] = (dims + ("pattern",), p * np.sqrt(R)[..., None])
        if unsup:
            data["lambda_perp"] = (dims, perp)
    ds = xr.Dataset(data, coords=coords)
    _attrs(ds, examples)
    return finalize(
        ds, kind="theory", model=MODEL + ("_examples" if examples else ""),
        normalisation=NORM_EX if examples else NORM_ARCH, references=REFS,
        ansatz="low-storage mean field (exact for N -> infinity at finite K, M)",
        equations="f = |p|^2/2 - T E ln 2cosh(beta a.p), exact 3^K (or (M+3)^K) average; "
                  "theory.multitasking module Notes (1)-(3)",
        protocol=protocol, branches=", ".join(names),
    )


def _attrs(ds: xr.Dataset, examples: bool) -> None:
    meta = {
        "m": ("Mattis overlap with archetype mu", "1"),
        "n": ("overlap with the example mean of archetype mu", "1"),
        "energy": ("energy per spin -|p|^2/2 of the stationary point", "1"),
        "lambda_min": ("smallest eigenvalue of the Hessian of f (-inf: T = 0 tie)", "1"),
        "lambda_perp": ("beta E[u sech^2(beta h)]: unsupervised example-antisymmetric "
                        "stability, stable below 1", "1"),
        "n_retrieved": ("number of nonzero archetype overlaps", "1"),
        "phase": ("regime of the lowest stable state computed", "1"),
        "pattern": ("archetype index mu", "1"),
        "rho": ("dataset entropy (1 - r^2)/(M r^2)", "1"),
    }
    for k, (ln, u) in meta.items():
        if k in ds.variables:
            ds[k].attrs.update(long_name=ln, units=u)
    flag_status(ds)


# ----------------------------------------------------------------------------- boundaries
CRITERIA = ("exists", "stable", "global")


def _flags(K: int, d: np.ndarray, T: float, names: list[str], rng: np.random.Generator,
           n_random: int, refs: tuple[float, ...]) -> np.ndarray:
    """Booleans (B, 3, G): exists / stable / global minimum of each branch at each d."""
    table = _table(K, d)
    comp = [n for n in names if n != "other"] + ["equilibrium"]
    res = _solve_table(table, K, d, np.array([T]), comp, False, False, rng, n_random, 64, refs)
    f, lam, st, resid = res["f"], res["lam"], res["status"], res["res"]
    exists = np.isfinite(f) & (st == CONVERGED) & (resid <= 1e-9)
    stable = exists & (lam > STAB_EPS)
    fmin = np.where(stable, f, np.inf)
    best = _lowest(fmin)
    pbest = res["p"][best, np.arange(d.size)]
    phase = np.where(np.isfinite(fmin.min(0)), classify(pbest), "")
    out = np.zeros((len(names), 3, d.size), dtype=bool)
    for b, name in enumerate(names):
        if name == "other":
            out[b, :, :] = phase == "other"
            continue
        j = comp.index(name)
        out[b, 0], out[b, 1] = exists[j], stable[j]
        out[b, 2] = (phase == name) & stable[j]
    return out


def regime_boundaries(
    K: int,
    T: float | Sequence[float],
    *,
    d: Sequence[float] | None = None,
    d_tol: float = 1e-9,
    n_random: int = 32,
    seed: int = 0,
) -> xr.Dataset:
    """Dilutions where each regime exists, is stable, and is the global minimum.

    Parameters
    ----------
    K : int >= 1
    T : float or 1-D sequence >= 0
    d : 1-D sequence in [0, 1), optional
        Scan grid (default 200 points ``0, 0.005, .., 0.995``). Every change of a
        flag between neighbouring grid points is refined by bisection to ``d_tol``.
    n_random, seed
        Random starts of the equilibrium search (:func:`solve`).

    Returns
    -------
    xarray.Dataset
        ``d_lo``, ``d_hi`` over ``(T, branch, criterion, interval)``: the intervals
        ``[d_lo, d_hi)`` of d where the criterion holds (NaN padding; ``d_hi = 1`` when
        it holds up to the end of the grid); ``holds`` over ``(T, branch, criterion,
        d)`` on the scan grid; and the closed forms ``d_H`` and ``d_G`` (T = 0).
        Branches: those of :func:`solve` except ``equilibrium``, plus ``other`` (the
        global minimum is none of them). Criteria: ``exists`` (a converged solution;
        for ``hierarchical``, at least two patterns retrieved), ``stable`` (positive
        definite Hessian; never at a T = 0 tie) and ``global`` (lowest free energy
        among the stable states found, see the search in :func:`solve`).

    Notes
    -----
    At T = 0 the hierarchical flags use the exact zero-temperature map evaluated at
    ``(1-d) d^(k-1)``, so the bisection locates ``d_H`` independently of its closed
    form; the global flag compares the hierarchical energy with every stable T = 0
    state of the library (all chambers of the T = 0 map for K <= 4; for K >= 5 the
    lowest states found from many starts at reference dilutions that do not use the
    closed form), so its edge is an independent location of ``d_G``.

    Examples
    --------
    >>> from theory import multitasking as mt
    >>> b = mt.regime_boundaries(3, 0.0, d_tol=1e-10)
    >>> round(float(b.d_hi.sel(T=0.0, branch="hierarchical", criterion="exists",
    ...                        interval=0)), 8)
    0.61803399
    """
    K = check_int("K", K, low=1)
    Ts = _check_T(T)
    grid = np.arange(200) * 0.005 if d is None else np.sort(_check_d(d))
    d_tol = check_scalar("d_tol", d_tol, low=0.0, low_open=True)
    n_random = check_int("n_random", n_random, low=0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    names = [b for b in branches(K, "all") if b != "equilibrium"] + ["other"]
    B, C = len(names), len(CRITERIA)
    refs = _refs(K, np.array([]))
    holds = np.zeros((Ts.size, B, C, grid.size), dtype=bool)
    edges: list[list[list[list[tuple[float, float]]]]] = []
    for t, Tv in enumerate(Ts):
        F = _flags(K, grid, float(Tv), names, rng, n_random, refs)
        holds[t] = F
        br = [(b, c, grid[j], grid[j + 1], bool(F[b, c, j]))
              for b in range(B) for c in range(C)
              for j in np.flatnonzero(F[b, c, 1:] != F[b, c, :-1])]
        lo = np.array([x[2] for x in br])
        hi = np.array([x[3] for x in br])
        while br and (hi - lo).max() > d_tol:
            mid = (lo + hi) / 2
            umid, inv = np.unique(mid, return_inverse=True)
            Fm = _flags(K, umid, float(Tv), names, rng, n_random, refs)
            for i, (b, c, _, _, v0) in enumerate(br):
                if Fm[b, c, inv[i]] == v0:
                    lo[i] = mid[i]
                else:
                    hi[i] = mid[i]
        trans = {}
        for i, (b, c, _, _, _) in enumerate(br):
            trans.setdefault((b, c), []).append((lo[i] + hi[i]) / 2)
        per_t = []
        for b in range(B):
            per_b = []
            for c in range(C):
                f = F[b, c]
                pts = iter(trans.get((b, c), []))
                ivs, start = [], 0.0 if f[0] else None
                for j in range(grid.size - 1):
                    if f[j] != f[j + 1]:
                        x = next(pts)
                        if f[j]:
                            ivs.append((start, x))
                        else:
                            start = x
                if f[-1]:
                    ivs.append((start, 1.0))
                per_b.append(ivs)
            per_t.append(per_b)
        edges.append(per_t)
    n_int = max([1] + [len(iv) for pt in edges for pb in pt for iv in pb])
    lo_a = np.full((Ts.size, B, C, n_int), np.nan)
    hi_a = np.full_like(lo_a, np.nan)
    for t, pt in enumerate(edges):
        for b, pb in enumerate(pt):
            for c, ivs in enumerate(pb):
                for i, (a0, a1) in enumerate(ivs):
                    lo_a[t, b, c, i], hi_a[t, b, c, i] = a0, a1
    dims = ("T", "branch", "criterion", "interval")
    ds = xr.Dataset(
        {
            "d_lo": (dims, lo_a, {"long_name": "lower end of an interval of d where the criterion "
                                               "holds", "units": "1"}),
            "d_hi": (dims, hi_a, {"long_name": "upper end (excluded) of an interval of d where "
                                               "the criterion holds", "units": "1"}),
            "holds": (("T", "branch", "criterion", "d"), holds,
                      {"long_name": "criterion holds at this d of the scan grid", "units": "1"}),
            "d_H": ((), hierarchical_threshold(K),
                    {"long_name": "closed form: hierarchical T = 0 state exists for d < d_H",
                     "units": "1"}),
            "d_G": ((), ground_state_threshold(K),
                    {"long_name": "closed form: hierarchical state is the T = 0 ground state "
                                  "for d < d_G", "units": "1"}),
        },
        coords={"T": Ts, "branch": names, "criterion": list(CRITERIA), "interval": np.arange(n_int),
                "d": grid, "K": K},
    )
    ds["criterion"].attrs.update(long_name="exists, stable or global minimum", units="1")
    ds["interval"].attrs.update(long_name="index of the interval of d", units="1")
    return finalize(ds, kind="theory", model=MODEL, normalisation=NORM_ARCH, references=REFS,
                    ansatz="low-storage mean field", d_tol=d_tol,
                    method="grid scan + bisection of every flag change; equilibrium search of "
                           "theory.multitasking.solve")


# ----------------------------------------------------------------------------- T = 0 states
def zero_temperature_states(K: int, d: float, *, method: str = "search", n_random: int = 2000,
                            seed: int = 0) -> xr.Dataset:
    """Stable T = 0 states (tie-free fixed points) at one dilution, up to symmetry.

    Parameters
    ----------
    K : int >= 1
    d : float in (0, 1)
    method : {'search', 'exhaustive'}
        ``search``: the zero-temperature map iterated from ``n_random`` random starts,
        geometric profiles, the hierarchical and overturned states and the hierarchical
        state reversed on each configuration class (each step lowers ``f_0``, so every
        start ends at a fixed point). ``exhaustive`` (K <= 5): every chamber of the
        arrangement ``{x.m = 0}`` in the ordered cone, enumerated by linear programming;
        each chamber contributes its map value if that lies inside it.

    Returns
    -------
    xarray.Dataset
        Dimension ``state`` (sorted by increasing energy) and ``pattern``: ``m``
        (canonical: ``m_1 >= .. >= m_K >= 0``), ``energy`` (``-|m|^2/2``) and
        ``regime`` (structure label, as ``phase`` in :func:`solve`).
    """
    K = check_int("K", K, low=1)
    dv = check_scalar("d", d, low=0.0, high=1.0, low_open=True, high_open=True)
    check_choice("method", method, ("search", "exhaustive"))
    if method == "exhaustive":
        if K > 5:
            raise ValueError(f"K must be <= 5 for method='exhaustive' (got {K})")
        from .zero import chamber_fixed_points

        cf = chamber_fixed_points(K, [dv])
        m = canonical(cf["v"][0][cf["fixed"][0]])
        m = np.unique(np.round(m, 12), axis=0)
    else:
        m = search_fixed_points(K, dv, n_random=check_int("n_random", n_random, low=0),
                                seed=check_int("seed", seed, low=0))["p"]
    e = -0.5 * (m * m).sum(1)
    order = np.argsort(e, kind="stable")
    m, e = m[order], e[order]
    ds = xr.Dataset(
        {"m": (("state", "pattern"), m), "energy": (("state",), e),
         "regime": (("state",), classify(m).astype(str),
                    {"long_name": "structure of the state", "units": "1"})},
        coords={"state": np.arange(m.shape[0]), "pattern": np.arange(1, K + 1), "d": dv, "K": K},
    )
    ds["state"].attrs.update(long_name="index of the stable T = 0 state", units="1")
    ds["pattern"].attrs.update(long_name="archetype index mu", units="1")
    return finalize(ds, kind="theory", model=MODEL, normalisation=NORM_ARCH, references=REFS,
                    ansatz="low-storage mean field, T = 0", method=method)


# ----------------------------------------------------------------------------- learning
def signal_to_noise(K: int, d: float | Sequence[float], r: float | Sequence[float],
                    M: int | Sequence[int], *, state: str = "hierarchical",
                    protocol: str = "supervised", N: float | None = None) -> xr.Dataset:
    """One-step signal-to-noise of a regime's archetype configuration under example couplings.

    Parameters
    ----------
    K : int >= 1
    d : float or 1-D sequence in [0, 1)
    r : float or 1-D sequence in (0, 1]
    M : int or 1-D sequence >= 1
    state : {'hierarchical', 'pure', 'parallel'}
        The configuration whose stability is tested: spins following the first nonzero
        archetype, archetype 1, or the majority of the archetypes.
    protocol : {'supervised', 'unsupervised'}
    N : float, optional
        Network size for the O(1/N) terms; None for N -> infinity (low storage).

    Returns
    -------
    xarray.Dataset
        Over ``(d, r, M, pattern)``: ``margin`` (the smallest aligned archetype field
        ``sigma* x.m*`` on the sites led by the pattern; closed form for the
        hierarchical state ``(1-d)(d^(k-1) - sum_(l>k) d^(l-1))``), ``snr`` (its
        smallest signal-to-noise ratio) and ``error_rate`` (fraction of those sites
        whose field points the wrong way, Gaussian estimate ``sum_x w_x Phi(-SNR_x)``).

    Notes
    -----
    Derivation in :mod:`theory.multitasking.learning`: at a site of class ``x`` the
    aligned field has mean ``(r^2/R) sigma*(x.m*)`` and variance ``(r^2/R)^2 rho
    (sum_mu (x_mu m*_mu)^2 + s c)`` with ``s`` the number of nonzero ``x_mu`` and
    ``c = 0`` (N -> infinity), ``(1-d)(1+rho)/N`` (supervised) or ``(1-d)/(r^2 N)``
    (unsupervised). Pure state: ``SNR = 1/sqrt(rho)``.
    """
    K = check_int("K", K, low=1)
    dd, rr, MM = _check_d(d), _check_r(r), _check_M(M)
    check_choice("state", state, ("hierarchical", "pure", "parallel"))
    check_choice("protocol", protocol, PROTOCOLS)
    Nv = None if N is None else float(check_real("N", N, low=1.0))
    shape = (dd.size, rr.size, len(MM), K)
    margin, snr, err = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for i, dv in enumerate(dd):
        for j, rv in enumerate(rr):
            for k, Mv in enumerate(MM):
                rho = (1 - rv * rv) / (Mv * rv * rv)
                c = 0.0 if Nv is None else ((1 - dv) * (1 + rho) / Nv if protocol == "supervised"
                                            else (1 - dv) / (rv * rv * Nv))
                cls = class_snr(K, float(dv), state, rho, noise_N=c)
                for mu in range(K):
                    sel = cls["lead"] == mu
                    if not sel.any():
                        continue
                    margin[i, j, k, mu] = cls["margin"][sel].min()
                    snr[i, j, k, mu] = cls["snr"][sel].min()
                    w = cls["weight"][sel]
                    err[i, j, k, mu] = (w * ndtr(-cls["snr"][sel])).sum() / w.sum()
    dims = ("d", "r", "M", "pattern")
    ds = xr.Dataset(
        {"margin": (dims, margin, {"long_name": "smallest aligned archetype field on the "
                                                "pattern's sites", "units": "1"}),
         "snr": (dims, snr, {"long_name": "smallest signal-to-noise ratio on the pattern's "
                                          "sites", "units": "1"}),
         "error_rate": (dims, err, {"long_name": "fraction of the pattern's sites with a "
                                                 "misaligned field (Gaussian estimate)",
                                    "units": "1"})},
        coords={"d": dd, "r": rr, "M": np.asarray(MM, dtype=np.int64),
                "pattern": np.arange(1, K + 1), "K": K},
    )
    ds["pattern"].attrs.update(long_name="archetype index mu", units="1")
    return finalize(ds, kind="theory", model=MODEL + "_examples", normalisation=NORM_EX,
                    references=REFS, ansatz="signal-to-noise, T = 0, one step",
                    state=state, protocol=protocol, N="infinity" if Nv is None else Nv)


def learning_threshold(K: int, d: float | Sequence[float], r: float | Sequence[float], *,
                       theta: float = 1.0, state: str = "hierarchical",
                       protocol: str = "supervised", N: float | None = None) -> xr.Dataset:
    """Smallest number of examples for which every archetype is learned (signal >= theta noise).

    Parameters
    ----------
    K : int >= 1
    d : float or 1-D sequence in [0, 1)
    r : float or 1-D sequence in (0, 1]
    theta : float > 0
        Tolerance: a pattern is learned when every class of sites it leads has
        ``SNR >= theta`` (Gaussian error rate at most ``Phi(-theta)`` per class).
    state, protocol, N
        As in :func:`signal_to_noise`.

    Returns
    -------
    xarray.Dataset
        Over ``(d, r, pattern)``: ``rho_threshold`` (largest dataset entropy for which
        the pattern is learned) and ``M_threshold = (1 - r^2)/(r^2 rho_threshold)``
        (real-valued; ``inf`` where the configuration is not a T = 0 fixed point even
        without noise, e.g. hierarchical beyond ``d_H``; 0 for r = 1); over ``(d, r)``:
        ``M_min``, the smallest integer M that learns all patterns.

    Notes
    -----
    With ``A`` the aligned margin and ``B = sum_mu (x_mu m*_mu)^2`` of the worst class:
    ``rho_threshold = A^2/(theta^2 B)`` at N = infinity, identical for both protocols.
    Closed forms: pure state ``rho = 1/theta^2``, so ``M = theta^2 (1 - r^2)/r^2``;
    hierarchical state, pattern k:
    ``rho_k = (1 - sum_(j=1)^(K-k) d^j)^2 / (theta^2 sum_(j=0)^(K-k) d^(2j))``.
    At finite N the supervised and unsupervised thresholds differ by the O(1/N) noise
    terms of :func:`signal_to_noise` (relative difference ``O(K/N)``).

    Examples
    --------
    >>> from theory import multitasking as mt
    >>> float(mt.learning_threshold(1, 0.2, 0.5, theta=2.0).M_threshold.squeeze())
    12.0
    """
    K = check_int("K", K, low=1)
    dd, rr = _check_d(d), _check_r(r)
    theta = check_scalar("theta", theta, low=0.0, low_open=True)
    check_choice("state", state, ("hierarchical", "pure", "parallel"))
    check_choice("protocol", protocol, PROTOCOLS)
    Nv = None if N is None else float(check_real("N", N, low=1.0))
    rho = np.full((dd.size, rr.size, K), np.nan)
    for i, dv in enumerate(dd):
        for j, rv in enumerate(rr):
            rho[i, j] = threshold_rho(K, float(dv), state, theta, protocol=protocol,
                                      r=float(rv), N=Nv)
    with np.errstate(divide="ignore", invalid="ignore"):
        Mth = np.where(rho > 0, (1 - rr[None, :, None] ** 2) / (rr[None, :, None] ** 2 * rho),
                       np.where(np.isnan(rho), np.nan, np.inf))
    Mth = np.where(rr[None, :, None] == 1.0, np.where(np.isnan(rho), np.nan, 0.0), Mth)
    Mall = np.nanmax(np.where(np.isnan(Mth), -np.inf, Mth), axis=-1)
    Mmin = np.where(np.isfinite(Mall), np.maximum(np.ceil(Mall - 1e-9), 1.0), np.inf)
    dims = ("d", "r", "pattern")
    ds = xr.Dataset(
        {"rho_threshold": (dims, rho, {"long_name": "largest dataset entropy for which the "
                                                    "pattern is learned", "units": "1"}),
         "M_threshold": (dims, Mth, {"long_name": "examples per archetype needed to learn the "
                                                  "pattern", "units": "1"}),
         "M_min": (("d", "r"), Mmin, {"long_name": "smallest M learning every pattern",
                                      "units": "1"})},
        coords={"d": dd, "r": rr, "pattern": np.arange(1, K + 1), "K": K},
    )
    ds["pattern"].attrs.update(long_name="archetype index mu", units="1")
    return finalize(ds, kind="theory", model=MODEL + "_examples", normalisation=NORM_EX,
                    references=REFS, ansatz="signal-to-noise, T = 0, one step", theta=theta,
                    state=state, protocol=protocol, N="infinity" if Nv is None else Nv)


def sum_squared_error(m: Any, d: Any) -> np.ndarray:
    """Per-pattern sum-squared error ``L_mu = ||xi^mu - sigma||^2/(2N) = 1 - d/2 - m_mu``.

    Parameters
    ----------
    m : array (..., K) of archetype overlaps.
    d : dilution, broadcasting against ``m[..., 0]``.

    Notes
    -----
    ``||xi - sigma||^2 = sum_i xi_i^2 - 2 N m + N`` and ``sum_i xi_i^2 = N (1 - d)`` at
    large N. The energy per spin of a stationary point, ``-(1/2) sum_mu m_mu^2``, is
    ``-(1/2) sum_mu (1 - d/2 - L_mu)^2``: a decreasing function of every ``m_mu`` and an
    increasing function of every ``L_mu`` on the physical range ``L_mu <= 1 - d/2``, so
    the states that minimise the Hamiltonian in parallel on several patterns minimise
    their sum-squared errors together (arXiv:2308.04106).
    """
    return loss_from_overlaps(check_real("m", m, low=-1.0, high=1.0),
                              check_real("d", d, low=0.0, high=1.0))
