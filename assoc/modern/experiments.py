"""Retrieval and capacity experiments of the modern Hopfield network, as Datasets.

Dataset names follow the library (DESIGN "Names and units"): ``K`` is the number of
stored patterns (the paper's N) and ``N`` the pattern dimension, i.e. the number of
neurons (the paper's d). Function arguments keep the paper's letters where stated.

- :func:`modern_retrieval`: one-update (or ``steps``) retrieval error against the number
  of patterns, the dimension, ``beta`` and the query noise.
- :func:`modern_bound_check`: measured one-update errors against the bound of Theorem 5
  (and the fixed-point sphere), on random instances where its hypothesis holds.
- :func:`modern_separation_capacity`: the largest number of random patterns on the
  sphere of radius ``K sqrt(d-1)`` that are all well separated with probability >= 1-p,
  against the guaranteed number of Theorem 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..backend import resolve_backend, to_numpy
from ..dataset import finalize
from ..seeding import SeedLike, control_key, normalize_seed, seed_entropy, stream_rng
from ..validation import check_choice, check_grid, check_int, check_scalar
from ._checks import check_int_grid
from .capacity import _var, corrupt, random_signs
from .network import iterate, update
from .theorems import (
    capacity_bound,
    min_separated_beta,
    retrieval_error_bound,
    separation,
    separation_threshold,
)

__all__ = ["sphere_patterns", "modern_retrieval", "modern_bound_check",
           "modern_separation_capacity"]

_NORMALISATION = (
    "E(xi) = -lse(beta, X^T xi) + xi^T xi/2 + log(K)/beta + M^2/2 (Ramsauer et al. Eq. (2)); "
    "K = number of stored patterns (paper: N), N = pattern dimension (paper: d)"
)


def sphere_patterns(rng: np.random.Generator, K: int, d: int, radius: float) -> np.ndarray:
    """K patterns drawn uniformly on the sphere of ``radius`` in ``R^d`` (float64)."""
    x = rng.standard_normal((K, d))
    x *= radius / np.linalg.norm(x, axis=1, keepdims=True)
    return x


def modern_retrieval(
    K: Sequence[int],
    N: Sequence[int],
    beta: Sequence[float],
    noise: Sequence[float],
    *,
    patterns: str = "binary",
    steps: int = 1,
    samples: int = 8,
    queries: int = 32,
    seed: SeedLike = None,
    backend: str = "numpy",
) -> xr.Dataset:
    """Retrieval error of the modern Hopfield network on a (K, N, beta, noise) grid.

    Parameters
    ----------
    K : sequence of int
        Numbers of stored patterns (the paper's N).
    N : sequence of int
        Pattern dimensions (the paper's d).
    beta : sequence of float
        Inverse temperatures, > 0.
    noise : sequence of float
        Query noise: for ``'binary'`` patterns the fraction of flipped components
        (exactly ``round(noise N)``); for ``'sphere'`` patterns the relative norm of a
        random perturbation (``||xi - x_i|| = noise ||x_i||``).
    patterns : {'binary', 'sphere'}
        ``+-1`` components, or uniform on the sphere of radius ``sqrt(N)``.
    steps : int
        Updates applied (Eq. (3)).
    samples, queries : int
        Pattern sets per (K, N), and queries per set (the first ``min(queries, K)``
        patterns, each corrupted independently).
    seed : keyword-only seed
    backend : {'numpy', 'cupy', 'auto'}

    Returns
    -------
    xarray.Dataset
        Dims (K, N, beta, noise, sample): ``error`` (mean ``||xi_new - x_i|| / ||x_i||``),
        ``success`` (fraction whose nearest stored pattern after the update is x_i),
        ``bit_error`` (mean fraction of components whose sign differs from x_i; binary
        patterns only, NaN otherwise).
    """
    patterns = check_choice("patterns", patterns, ("binary", "sphere"))
    steps = check_int("steps", steps, low=1)
    samples = check_int("samples", samples, low=1)
    queries = check_int("queries", queries, low=1)
    Ks = check_int_grid("K", K, low=1)
    Ns = check_int_grid("N", N, low=1)
    betas = check_grid("beta", beta, low=0.0, low_open=True).tolist()
    noises = check_grid("noise", noise, low=0.0).tolist()
    if patterns == "binary" and any(r >= 0.5 for r in noises):
        raise ValueError(f"noise must be in [0, 0.5) for binary patterns (a flip fraction; "
                         f"got {max(noises)})")
    root = normalize_seed(seed)
    xp = resolve_backend(backend)
    shape = (len(Ks), len(Ns), len(betas), len(noises), samples)
    err, succ, berr = np.zeros(shape), np.zeros(shape), np.full(shape, np.nan)
    for a, k in enumerate(Ks):
        for b, n in enumerate(Ns):
            for s in range(samples):
                rng = stream_rng(root, "disorder", control_key(K=k, N=n), s)
                if patterns == "binary":
                    X = random_signs(rng, (k, n)).astype(np.float64)
                else:
                    X = sphere_patterns(rng, k, n, math.sqrt(n))
                B = min(queries, k)
                tgt = X[:B]
                Xd = xp.asarray(X)
                sq = xp.asarray((X * X).sum(axis=1))
                for c, r in enumerate(noises):
                    qrng = stream_rng(root, "queries", control_key(K=k, N=n, noise=r), s)
                    if patterns == "binary":
                        q = corrupt(tgt.astype(np.int8), int(round(r * n)), qrng).astype(float)
                    else:
                        u = qrng.standard_normal((B, n))
                        u *= (r * np.linalg.norm(tgt, axis=1) / np.linalg.norm(u, axis=1))[:, None]
                        q = tgt + u
                    qd = xp.asarray(q)
                    for e, bt in enumerate(betas):
                        out = update(qd, Xd, bt, steps=steps)
                        dist = to_numpy(xp.sqrt(((out - xp.asarray(tgt)) ** 2).sum(axis=1)))
                        err[a, b, e, c, s] = (dist / np.linalg.norm(tgt, axis=1)).mean()
                        near = to_numpy(xp.argmax(2.0 * xp.matmul(out, Xd.T) - sq, axis=1))
                        succ[a, b, e, c, s] = (near == np.arange(B)).mean()
                        if patterns == "binary":
                            berr[a, b, e, c, s] = (np.sign(to_numpy(out)) != tgt).mean()
    dims = ("K", "N", "beta", "noise", "sample")
    ds = xr.Dataset(
        {"error": (dims, err), "success": (dims, succ), "bit_error": (dims, berr)},
        coords={"K": Ks, "N": Ns, "beta": betas, "noise": noises, "sample": np.arange(samples)},
    )
    _var(ds, "error", "mean relative retrieval error ||xi_new - x_i|| / ||x_i||")
    _var(ds, "success", "fraction of queries whose nearest stored pattern is the target")
    _var(ds, "bit_error", "mean fraction of components with the wrong sign")
    _var(ds, "K", "number of stored patterns (Ramsauer et al. N)")
    _var(ds, "N", "pattern dimension (Ramsauer et al. d)")
    _var(ds, "noise", "query noise (flip fraction, or relative perturbation norm)")
    return finalize(
        ds, kind="experiment", model="modern_hopfield", normalisation=_NORMALISATION,
        references=["Ramsauer2020"], patterns=patterns, steps=steps, queries=queries,
        seeds=seed_entropy(root), backend=xp.__name__, equations="Eqs. (2), (3)",
    )


def modern_bound_check(
    K: Sequence[int],
    N: Sequence[int],
    beta_factor: Sequence[float],
    *,
    samples: int = 20,
    queries: int = 16,
    radius: float = 1.0,
    seed: SeedLike = None,
) -> xr.Dataset:
    """One-update errors against the retrieval bound of Theorem 5, with its hypothesis.

    For each instance: K patterns uniform on the sphere of radius ``radius sqrt(N)`` in
    ``R^N``; the target is the best-separated pattern ``x_i``; ``beta`` is
    ``beta_factor`` times the smallest ``beta`` that makes it well separated
    (:func:`~assoc.modern.theorems.min_separated_beta`), so the hypothesis holds for
    ``beta_factor >= 1``; queries are uniform in the sphere ``S_i`` of radius
    ``1/(beta K M)``; the fixed point ``x_i*`` is iterated from ``x_i``.

    Returns
    -------
    xarray.Dataset
        Dims (K, N, beta_factor, sample): ``beta``, ``hypothesis`` (bool, all queries),
        ``error_max`` (largest ``||f(xi) - x_i||`` over queries), ``bound_min``
        (smallest bound ``2 eps M`` over queries, Theorem 5 with the fixed point),
        ``ratio_max`` (largest error / bound), ``fixed_point_ratio``
        (``||x_i* - x_i|| / (1/(beta K M))``, <= 1 by the fixed-point theorem) and
        ``fixed_point_bound_ratio_max`` (``||f(xi) - x_i*||`` over Theorem 4's bound).
    """
    samples = check_int("samples", samples, low=1)
    queries = check_int("queries", queries, low=1)
    radius = check_scalar("radius", radius, low=0.0, low_open=True)
    Ks = check_int_grid("K", K, low=2)
    Ns = check_int_grid("N", N, low=2)
    facs = check_grid("beta_factor", beta_factor, low=0.0, low_open=True).tolist()
    root = normalize_seed(seed)
    shape = (len(Ks), len(Ns), len(facs), samples)
    out = {k: np.full(shape, np.nan) for k in
           ("beta", "error_max", "bound_min", "ratio_max", "fixed_point_ratio",
            "fixed_point_bound_ratio_max")}
    hyp = np.zeros(shape, dtype=bool)
    for a, k in enumerate(Ks):
        for b, n in enumerate(Ns):
            for s in range(samples):
                X = sphere_patterns(stream_rng(root, "disorder", control_key(K=k, N=n), s),
                                    k, n, radius * math.sqrt(n))
                M = radius * math.sqrt(n)
                D = to_numpy(separation(X))
                i = int(np.argmax(D))
                b0 = float(min_separated_beta(D[i], k, M))
                if not math.isfinite(b0):
                    continue  # Delta_i <= 0: no beta satisfies the hypothesis
                if b0 == 0.0:
                    b0 = 1.0 / D[i]  # hypothesis holds for every beta: start at the minimum
                    # of beta Delta - ln(beta)
                for c, f in enumerate(facs):
                    beta = b0 * f
                    r = 1.0 / (beta * k * M)
                    qrng = stream_rng(root, "queries", control_key(K=k, N=n, f=f), s)
                    u = qrng.standard_normal((queries, n))
                    u /= np.linalg.norm(u, axis=1, keepdims=True)
                    u *= (r * qrng.random(queries) ** (1.0 / n))[:, None]
                    xi = X[i] + u
                    fpx = iterate(X[i], X, beta).xi  # x_i*, iterated from x_i
                    fpi = np.broadcast_to(fpx, xi.shape)
                    rb = retrieval_error_bound(xi, X, beta, i, fixed_point=fpi)
                    new = update(xi, X, beta)
                    e = np.linalg.norm(new - X[i], axis=1)
                    efp = np.linalg.norm(new - fpx, axis=1)
                    out["beta"][a, b, c, s] = beta
                    hyp[a, b, c, s] = bool(np.all(rb.hypothesis))
                    out["error_max"][a, b, c, s] = e.max()
                    out["bound_min"][a, b, c, s] = rb.bound.min()
                    out["ratio_max"][a, b, c, s] = (e / rb.bound).max()
                    out["fixed_point_ratio"][a, b, c, s] = np.linalg.norm(fpx - X[i]) / r
                    with np.errstate(divide="ignore", invalid="ignore"):
                        out["fixed_point_bound_ratio_max"][a, b, c, s] = np.nanmax(
                            np.where(rb.fixed_point_bound > 0, efp / rb.fixed_point_bound, 0.0))
    dims = ("K", "N", "beta_factor", "sample")
    ds = xr.Dataset({k: (dims, v) for k, v in out.items()} | {"hypothesis": (dims, hyp)},
                    coords={"K": Ks, "N": Ns, "beta_factor": facs,
                            "sample": np.arange(samples)})
    _var(ds, "beta", "inverse temperature of the instance")
    _var(ds, "hypothesis", "Theorem 5 hypothesis holds (separation, queries and x_i* in S_i)")
    _var(ds, "error_max", "largest one-update error ||f(xi) - x_i|| over queries")
    _var(ds, "bound_min", "smallest Theorem 5 bound 2 eps M over queries")
    _var(ds, "ratio_max", "largest ratio of error to bound over queries")
    _var(ds, "fixed_point_ratio", "||x_i* - x_i|| in units of the sphere radius 1/(beta K M)")
    _var(ds, "fixed_point_bound_ratio_max",
         "largest ||f(xi) - x_i*|| over Theorem 4's bound")
    _var(ds, "K", "number of stored patterns (Ramsauer et al. N)")
    _var(ds, "N", "pattern dimension (Ramsauer et al. d)")
    _var(ds, "beta_factor", "beta over the smallest beta with the hypothesis")
    return finalize(
        ds, kind="experiment", model="modern_hopfield", normalisation=_NORMALISATION,
        references=["Ramsauer2020"], seeds=seed_entropy(root), backend="numpy",
        equations="Theorems 4 and 5 (one-update retrieval); fixed point in S_i",
        queries=queries, radius=radius,
    )


def _all_separated(X: np.ndarray, beta: float, M: float) -> bool:
    K = X.shape[0]
    thr = float(separation_threshold(K, M, beta))
    return bool((to_numpy(separation(X)) >= thr).all())


def modern_separation_capacity(
    d: Sequence[int],
    *,
    beta: float = 1.0,
    K: float = 3.0,
    p: float = 0.1,
    n_sets: int = 40,
    seed: SeedLike = None,
) -> xr.Dataset:
    """Measured storage capacity in the sense of Theorem 3, against its guarantee.

    For each dimension d, patterns are drawn uniformly on the sphere of radius
    ``M = K sqrt(d - 1)`` (Theorem 3's setting); a set of n patterns is *stored* when
    every pattern is well separated (Theorem 5 hypothesis, so each has a fixed point in
    its sphere S_i). ``n_max`` is the largest n (doubling, then bisection) for which at
    least a fraction ``1 - p`` of ``n_sets`` random sets are stored; Theorem 3 guarantees
    ``n_max >= sqrt(p) c^((d-1)/4)`` where its condition ``c >= c_min`` holds.

    Returns
    -------
    xarray.Dataset
        Dim d: ``n_max`` (measured), ``n_theorem``, ``c``, ``c_min``, ``valid``.
    """
    beta = check_scalar("beta", beta, low=0.0, low_open=True)
    K = check_scalar("K", K, low=0.0, low_open=True)
    p = check_scalar("p", p, low=0.0, high=1.0, low_open=True, high_open=True)
    n_sets = check_int("n_sets", n_sets, low=1)
    ds_ = check_int_grid("d", d, low=2)
    root = normalize_seed(seed)
    n_max = np.zeros(len(ds_), dtype=np.int64)

    def stored_fraction(dd: int, n: int) -> float:
        M = K * math.sqrt(dd - 1)
        ok = 0
        for s in range(n_sets):
            X = sphere_patterns(stream_rng(root, "disorder", control_key(d=dd, n=n), s), n, dd, M)
            ok += _all_separated(X, beta, M)
        return ok / n_sets

    for a, dd in enumerate(ds_):
        lo, hi = 1, 2
        while stored_fraction(dd, hi) >= 1.0 - p:
            lo, hi = hi, hi * 2
            if hi > 1 << 15:
                break
        while hi - lo > max(1, lo // 50):
            mid = (lo + hi) // 2
            if stored_fraction(dd, mid) >= 1.0 - p:
                lo = mid
            else:
                hi = mid
        n_max[a] = lo
    cb = capacity_bound(beta, K, np.asarray(ds_, dtype=float), p)
    ds = xr.Dataset(
        {
            "n_max": (("d",), n_max),
            "n_theorem": (("d",), np.atleast_1d(cb.n_patterns)),
            "c": (("d",), np.atleast_1d(cb.c)),
            "c_min": (("d",), np.atleast_1d(cb.c_min)),
            "valid": (("d",), np.atleast_1d(cb.valid)),
        },
        coords={"d": ds_},
    )
    _var(ds, "d", "pattern dimension (Ramsauer et al. d)")
    _var(ds, "n_max", "largest number of patterns all well separated with probability >= 1-p")
    _var(ds, "n_theorem", "Theorem 3 guaranteed number sqrt(p) c^((d-1)/4)")
    _var(ds, "c", "Theorem 3 constant c")
    _var(ds, "c_min", "Theorem 3 condition: c must be >= c_min")
    _var(ds, "valid", "Theorem 3 condition holds")
    return finalize(
        ds, kind="experiment", model="modern_hopfield", normalisation=_NORMALISATION,
        references=["Ramsauer2020"], seeds=seed_entropy(root), backend="numpy",
        equations="Theorem 3 (storage capacity)", beta=beta, K_radius=K, p=p, n_sets=n_sets,
    )

