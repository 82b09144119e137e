"""Zero-temperature states of the low-storage multitasking network (private).

At T = 0 the free energy per spin of a stationary point is ``f = -|m|^2/2`` and
the stationary map ``F_0(m) = E[xi sign(xi.m)]`` is constant on each chamber of
the hyperplane arrangement ``{m : x.m = 0}``, ``x in {-1, 0, 1}^K``. The stable
states (local minima of ``f_0(m) = |m|^2/2 - E|xi.m|``) are exactly the tie-free
fixed points: an ``m`` with ``F_0(m) = m`` and no configuration of positive
weight with ``xi.m = 0`` (module :mod:`theory.multitasking.tables`).

Closed forms derived here (numpydoc Notes of :mod:`theory.multitasking` repeat them):

* hierarchical state ``m_k = (1-d) d^(k-1)``: the spin follows the first pattern
  that is nonzero at its site; it is a tie-free fixed point iff every overlap beats
  the sum of the later ones, ``m_k > sum_(l>k) m_l``, which is tightest at k = 1:
  ``sum_(j=1)^(K-1) d^j < 1``, i.e. ``d < d_H(K)``, the root in (0, 1) of
  ``d^K - 2d + 1 = 0`` (K >= 3; ``d_H(2) = 1``);
* the "overturned" state: the hierarchical sign rule reversed on the configurations
  where the leading pattern k <= K-2 is opposed by every later pattern; the
  hierarchical state stops being the ground state where the two energies cross
  (``d_G(K)``; ``d_G(3) = (1 + 2 sqrt 2)/7``), a claim checked by enumeration.

Second methods: the zero-temperature map iterated from many starts (each
iteration lowers ``f_0``, a majorisation-minimisation step, so it stops at a
fixed point), and, for K <= 5, exhaustive enumeration of the chambers inside the
ordered cone ``m_1 > ... > m_K > 0`` by linear programming.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, linprog

from assoc.validation import check_grid, check_int

from .tables import SiteTable, archetype_law, site_table, zero_temperature_map

__all__ = ["hierarchical_overlaps", "hierarchical_threshold", "overturned_overlaps",
           "ground_state_threshold", "iterate_zero_map", "search_fixed_points",
           "chamber_signs", "chamber_fixed_points", "sign_vector", "overlaps_of_signs",
           "canonical"]


def hierarchical_overlaps(K: int, d: np.ndarray) -> np.ndarray:
    """``m_k = (1-d) d^(k-1)``, k = 1..K (an int >= 1), d in [0, 1]; shape (len(d), K)."""
    K = check_int("K", K, low=1)
    d = check_grid("d", d, low=0.0, high=1.0)
    # correctly rounded powers (math.pow): NumPy's vectorised float power may be 1 ulp off
    # (NumPy 2.4 gives 0.1**2 = 0.01), and the closed form is compared exactly
    powers = np.array([[math.pow(x, k) for k in range(K)] for x in d.tolist()]).reshape(-1, K)
    return (1 - d)[:, None] * powers


def hierarchical_threshold(K: int) -> float:
    """``d_H(K)``: root in (1/2, 1) of ``sum_(j=1)^(K-1) d^j = 1``; 1 for K <= 2 (K an
    int >= 1)."""
    K = check_int("K", K, low=1)
    if K <= 2:
        return 1.0
    return float(brentq(lambda d: np.polyval(np.r_[np.ones(K - 1), -1.0], d), 0.5, 1.0,
                        xtol=1e-15, rtol=1e-15))


def overturned_overlaps(K: int, d: np.ndarray) -> np.ndarray:
    """Overlaps of the overturned state (module docstring), shape (len(d), K).

    With ``e = 1 - d`` the overturned configurations led by pattern k have weight
    ``w_k = d^(k-1) e (e/2)^(K-k)`` (both signs); reversing the spin there moves
    ``2 w_k`` of overlap from pattern k to each later pattern:
    ``m_j = e d^(j-1) - 2 w_j [j <= K-2] + 2 sum_(k < min(j, K-1)) w_k``.
    """
    K = check_int("K", K, low=1)
    d = check_grid("d", d, low=0.0, high=1.0)
    e = 1 - d
    m = hierarchical_overlaps(K, d)
    for k in range(1, K - 1):
        w = d ** (k - 1) * e * (e / 2) ** (K - k)
        m[:, k - 1] -= 2 * w
        m[:, k:] += 2 * w[:, None]
    return m


def ground_state_threshold(K: int) -> float:
    """``d_G(K)``: where ``|m_overturned|^2 = |m_hierarchical|^2``; 1 for K <= 2."""
    K = check_int("K", K, low=1)
    if K <= 2:
        return 1.0

    def gap(d: float) -> float:
        a, b = overturned_overlaps(K, d)[0], hierarchical_overlaps(K, d)[0]
        return float(a @ a - b @ b) / (1 - d) ** 2

    return float(brentq(gap, 0.4, hierarchical_threshold(K), xtol=1e-15, rtol=1e-15))


def canonical(p: np.ndarray) -> np.ndarray:
    """Representative under pattern permutations and sign flips: ``|p|`` sorted descending."""
    return -np.sort(-np.abs(p), axis=-1)


def iterate_zero_map(table: SiteTable, p0: np.ndarray, rows: np.ndarray | None = None,
                     max_iter: int = 500) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterate ``p <- F_0(p)`` to a fixed point for every row of ``p0``.

    Each step lowers ``f_0`` (majorisation-minimisation: ``-E|a.p| <= -p'.F_0(p)``
    with equality at ``p' = p``), and ``F_0`` takes finitely many values, so the
    iteration stops. Returns ``p`` (G, K), ``converged`` and ``tie`` (G,).
    """
    p = np.array(p0, dtype=np.float64)
    done = np.zeros(p.shape[0], dtype=bool)
    tie = np.zeros(p.shape[0], dtype=bool)
    rows = np.arange(p.shape[0]) if rows is None and table.W.shape[0] > 1 else rows
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        r = None if rows is None else np.asarray(rows)[act]
        new, t = zero_temperature_map(table, p[act], rows=r)
        same = np.all(np.abs(new - p[act]) <= 1e-14 * (1 + np.abs(new)), axis=1)
        p[act] = new
        tie[act] = t
        done[act[same]] = True
    return p, done, tie


def sign_vector(table: SiteTable, p: np.ndarray) -> np.ndarray:
    """``sign(x.p)`` over the configurations of ``table`` (0 for ties), int8 (G, C)."""
    H = np.atleast_2d(p) @ table.A.T
    scale = np.abs(np.atleast_2d(p)) @ np.abs(table.A).T
    s = np.sign(H)
    s[np.abs(H) <= 1e-12 * np.maximum(scale, 1e-300)] = 0
    return s.astype(np.int8)


def overlaps_of_signs(table: SiteTable, signs: np.ndarray, rows: np.ndarray | None = None
                      ) -> np.ndarray:
    """``v_s = E[x s(x)]`` for sign vectors ``signs`` (S, C), at every weight row -> (G, S, K)."""
    W = table.W if rows is None else table.W[rows]
    return np.einsum("gc,sc,ck->gsk", W, signs.astype(np.float64), table.A, optimize=True)


def search_fixed_points(K: int, d: float, *, n_random: int = 2000, seed: int = 0,
                        extra: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Stable T = 0 fixed points (up to symmetry) reached from many starts, at one ``d``.

    Starts: ``n_random`` points drawn uniformly on the positive ordered part of the
    sphere, geometric profiles ``q^(k-1)`` for 64 ratios q in (0, 1], the
    hierarchical and overturned states, the hierarchical state with the spin
    reversed on one configuration class at a time (one start per class), and
    ``extra``. Returns ``p`` (S, K) canonical and unique, sorted by decreasing
    ``|p|^2``; their sign vectors ``signs`` (S, C); and the table used.
    """
    table = site_table(archetype_law([d]), K)
    rng = np.random.default_rng(seed)
    U = np.abs(rng.normal(size=(n_random, K)))
    q = np.linspace(1.0 / 64, 1.0, 64)[:, None] ** np.arange(K)[None, :]
    mh = hierarchical_overlaps(K, d)
    sh = sign_vector(table, mh)[0].astype(np.float64)
    nz = np.flatnonzero(np.abs(table.A).sum(1) > 0)
    flips = np.repeat(sh[None, :], nz.size, axis=0)
    flips[np.arange(nz.size), nz] *= -1
    vflip = overlaps_of_signs(table, flips)[0]
    starts = [U, q, mh, overturned_overlaps(K, d), vflip]
    if extra is not None:
        starts.append(np.atleast_2d(extra))
    P = np.vstack(starts)
    p, ok, tie = iterate_zero_map(table, P)
    keep = ok & ~tie
    p = canonical(p[keep])
    _, idx = np.unique(np.round(p, 11), axis=0, return_index=True)
    p = p[idx]
    p = p[np.argsort(-(p * p).sum(1), kind="stable")]
    return {"p": p, "signs": sign_vector(table, p), "table": table}


@lru_cache(maxsize=8)
def chamber_signs(K: int) -> tuple[np.ndarray, np.ndarray]:
    """Every chamber of the arrangement ``{x.m = 0}`` inside ``m_1 > ... > m_K > 0``.

    Exhaustive incremental enumeration: each hyperplane splits the current cells it
    crosses, decided by a linear programme (maximise the margin ``t`` of all cell
    inequalities together with ``x.m <= -t`` or ``>= t``, on ``sum m = 1``).
    Hyperplanes of fixed sign on the cone (decided at the cone's vertices
    ``(1, .., 1, 0, .., 0)/j``) are skipped. Returns the sign vectors (S, C) over
    the configurations of :func:`site_table` and interior points (S, K).
    Cost grows quickly: a second for K = 4, minutes for K = 5.
    """
    if K > 5:
        raise ValueError(f"K must be <= 5 for exhaustive chamber enumeration (got {K})")
    table = site_table(archetype_law([0.5]), K)
    X = table.A
    V = np.tril(np.ones((K, K))) / np.arange(1, K + 1)[:, None]  # cone vertices (rows)
    cone_rows = [np.eye(K)[k] - np.eye(K)[k + 1] for k in range(K - 1)] + [np.eye(K)[K - 1]]

    def margin(rows: list[np.ndarray]) -> tuple[float, np.ndarray]:
        Aub = np.array([np.r_[-r, 1.0] for r in rows])  # r.m >= t  <=>  -r.m + t <= 0
        res = linprog(np.r_[np.zeros(K), -1.0], A_ub=Aub, b_ub=np.zeros(len(rows)),
                      A_eq=np.r_[np.ones(K), 0.0][None], b_eq=[1.0],
                      bounds=[(0, 1)] * K + [(None, 1.0)], method="highs")
        if res.status != 0:
            return -1.0, np.zeros(K)
        return float(-res.fun), res.x[:K]

    t0, p0 = margin(cone_rows)
    cells: list[tuple[list[np.ndarray], np.ndarray]] = [(list(cone_rows), p0)]
    for x in X:
        vx = V @ x
        if (vx >= -1e-15).all() or (vx <= 1e-15).all():
            continue
        new_cells = []
        for rows, p in cells:
            s = 1.0 if x @ p > 0 else -1.0
            t, q = margin(rows + [-s * x])
            if t > 1e-10:
                new_cells.append((rows + [s * x], p))
                new_cells.append((rows + [-s * x], q))
            else:
                new_cells.append((rows + [s * x], p))
        cells = new_cells
    # re-centre interior points (largest margin) for a robust sign vector
    pts = np.array([margin(rows)[1] for rows, _ in cells])
    return sign_vector(table, pts), pts


def chamber_fixed_points(K: int, d: np.ndarray) -> dict[str, np.ndarray]:
    """Exhaustive stable T = 0 fixed points for ``0 < d < 1`` and K <= 5.

    For each chamber with sign vector s the T = 0 map takes the value
    ``v_s = E[x s(x)]``; ``v_s`` is a stable fixed point iff it lies strictly inside
    its own chamber (``s(x) x.v_s > 0`` on every configuration of positive weight).
    Returns ``v`` (G, S, K), ``fixed`` (G, S) booleans and the chamber signs (S, C).
    """
    signs, _ = chamber_signs(K)
    d = np.atleast_1d(np.asarray(d, dtype=np.float64))
    table = site_table(archetype_law(d), K)
    v = overlaps_of_signs(table, signs)  # (G, S, K)
    H = np.einsum("gsk,ck->gsc", v, table.A)
    scale = np.einsum("gsk,ck->gsc", np.abs(v), np.abs(table.A))
    ok = (signs[None] * H > 1e-12 * scale) | (table.W[:, None, :] == 0) \
        | (np.abs(table.A).sum(1) == 0)[None, None, :]
    return {"v": v, "fixed": ok.all(-1), "signs": signs}
