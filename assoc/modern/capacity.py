"""Capacity experiments of the dense associative memories, and their fits to theory.

:func:`dense_retrieval` measures retrieval (success fraction and bit errors) on a grid of
(K, N, rho); :func:`dense_capacity` locates, for each N, the number of patterns
``K_c(N)`` at which retrieval succeeds with probability 1/2 (a logistic fit of the
success counts on a scan of K in log scale); :func:`fit_krotov_hopfield` and
:func:`fit_demircigil` fit the measured ``K_c(N)`` and compare the exponents and constants
with :mod:`assoc.modern.dense_theory`.

Retrieval protocol (both families): K random patterns ``xi^mu = +-1``; queries are the
first B patterns with exactly ``round(rho N)`` bits flipped at random sites; a query is
retrieved when one step of the dynamics (``dynamics='sync'``: every T_j applied to the
query, the object of the one-step theorems; ``'async'``: one sequential sweep) returns
the pattern exactly. Criterion 'pattern': the success fraction over queries (one
typical pattern); 'all': per sample, whether all K patterns are retrieved (B = K).

Seeds: patterns come from the ``'disorder'`` stream keyed by (N, K) and sample, queries
from the ``'queries'`` stream keyed by (N, K, rho) and sample, so a grid point does not
depend on the rest of the grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from scipy.stats import norm

from ..backend import resolve_backend, to_numpy
from ..dataset import finalize
from ..errors import InputTypeError
from ..seeding import SeedLike, control_key, normalize_seed, seed_entropy, stream_rng
from ..validation import check_choice, check_grid, check_int, check_scalar
from ._checks import check_int_grid
from .dense import Exponential, Polynomial, async_update, sync_update
from .dense_theory import (
    demircigil_alpha,
    demircigil_capacity,
    double_factorial,
    krotov_hopfield_capacity_finite,
    krotov_hopfield_constant,
)

__all__ = [
    "random_signs",
    "corrupt",
    "dense_retrieval",
    "dense_capacity",
    "logistic_threshold",
    "fit_krotov_hopfield",
    "fit_demircigil",
]


def random_signs(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Independent unbiased ``+-1`` (int8), from packed random bytes (8 signs per draw)."""
    rows, cols = shape
    raw = rng.integers(0, 256, size=(rows, (cols + 7) // 8), dtype=np.uint8)
    bits = np.unpackbits(raw, axis=1, count=cols)
    return (2 * bits.astype(np.int8) - 1).astype(np.int8)


def corrupt(x: np.ndarray, n_flip: int, rng: np.random.Generator) -> np.ndarray:
    """Copies of the rows of ``x`` with exactly ``n_flip`` distinct sites flipped in each."""
    B, N = x.shape
    n_flip = check_int("n_flip", n_flip, low=0, high=N)
    out = x.copy()
    if n_flip:
        idx = np.argsort(rng.random((B, N)), axis=1)[:, :n_flip]
        rows = np.arange(B)[:, None]
        out[rows, idx] = -out[rows, idx]
    return out


_DYNAMICS = ("sync", "async")


def _attrs_F(F: Any) -> tuple[str, str]:
    if isinstance(F, Polynomial):
        return "krotov_hopfield", F.name
    if isinstance(F, Exponential):
        return "demircigil", F.name
    raise ValueError(f"F must be Polynomial(n) or Exponential() (got {F!r})")


def _check_capacity_result(ds: Any, model: str, caller: str) -> None:
    """``ds`` must be a :func:`dense_capacity` result of ``model`` with >= 2 values of N."""
    if not isinstance(ds, xr.Dataset):
        raise InputTypeError(
            f"ds must be an xarray.Dataset returned by dense_capacity (got "
            f"{type(ds).__name__})"
        )
    got = ds.attrs.get("model")
    if got != model:
        F = "Polynomial(n)" if model == "krotov_hopfield" else "Exponential()"
        raise ValueError(
            f"ds must be a dense_capacity result with F = {F} for {caller} (its model attr "
            f"is {got!r}, expected {model!r})"
        )
    missing = [v for v in ("K_c", "K_c_se", "K_theory") if v not in ds]
    attrs = ["criterion"] + (["n"] if model == "krotov_hopfield" else ["rho"])
    missing += [f"attr {a}" for a in attrs if a not in ds.attrs]
    if missing or "N" not in ds.coords:
        raise ValueError(f"ds must be a dense_capacity result; it lacks "
                         f"{', '.join(missing) or 'the coordinate N'}")
    if ds.sizes["N"] < 2:
        raise ValueError(f"ds must hold K_c at two or more values of N for the fit (got "
                         f"{ds.sizes['N']})")


def _var(ds: xr.Dataset, name: str, long_name: str, units: str = "1") -> None:
    ds[name].attrs.update(long_name=long_name, units=units)


_DENSE_NORMALISATION = (
    "E(sigma) = -sum_mu F(xi^mu . sigma), unnormalised integer overlaps; N spins, K "
    "patterns +-1; query = pattern with round(rho N) flipped bits"
)


def _trial(
    N: int, K: int, rho: float, F: Any, s: int, root: np.random.SeedSequence, B: int,
    dynamics: str, xp: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """One sample: per-query success (bool) and bit-error fraction."""
    pat = random_signs(stream_rng(root, "disorder", control_key(N=N, K=K), s), (K, N))
    targets = pat[:B]
    q = corrupt(targets, int(round(rho * N)), stream_rng(
        root, "queries", control_key(N=N, K=K, rho=rho), s))
    pat_x, q_x = xp.asarray(pat), xp.asarray(q)
    if dynamics == "sync":
        out = sync_update(q_x, pat_x, F)
    else:
        out = async_update(q_x, pat_x, F, sweeps=1)
    wrong = to_numpy(out) != targets
    return ~wrong.any(axis=1), wrong.mean(axis=1)


def dense_retrieval(
    K: Sequence[int],
    N: Sequence[int],
    rho: Sequence[float],
    F: Polynomial | Exponential,
    *,
    samples: int = 10,
    queries: int = 32,
    dynamics: str = "sync",
    seed: SeedLike = None,
    backend: str = "numpy",
) -> xr.Dataset:
    """Retrieval of corrupted patterns on a (K, N, rho) grid.

    Parameters
    ----------
    K, N : sequences of int
        Numbers of stored patterns and network sizes (every combination).
    rho : sequence of float
        Fractions of flipped query bits, in [0, 1/2).
    F : Polynomial or Exponential
    samples : int
        Pattern sets per grid point.
    queries : int
        Queries per sample (the first ``min(queries, K)`` patterns).
    dynamics : {'sync', 'async'}
    seed : keyword-only seed
    backend : {'numpy', 'cupy', 'auto'}

    Returns
    -------
    xarray.Dataset
        Dims (K, N, rho, sample); ``success`` (fraction of queries retrieved exactly),
        ``bit_error`` (mean fraction of wrong bits after the step).
    """
    model, fname = _attrs_F(F)
    samples = check_int("samples", samples, low=1)
    queries = check_int("queries", queries, low=1)
    dynamics = check_choice("dynamics", dynamics, _DYNAMICS)
    Ns = check_int_grid("N", N, low=1)
    Ks = check_int_grid("K", K, low=1)
    rhos = check_grid("rho", rho, low=0.0, high=0.5, high_open=True).tolist()
    root = normalize_seed(seed)
    xp = resolve_backend(backend)
    succ = np.zeros((len(Ks), len(Ns), len(rhos), samples))
    berr = np.zeros_like(succ)
    for a, k in enumerate(Ks):
        for b, n in enumerate(Ns):
            for c, r in enumerate(rhos):
                for s in range(samples):
                    ok, be = _trial(n, k, r, F, s, root, min(queries, k), dynamics, xp)
                    succ[a, b, c, s] = ok.mean()
                    berr[a, b, c, s] = be.mean()
    dims = ("K", "N", "rho", "sample")
    ds = xr.Dataset(
        {"success": (dims, succ), "bit_error": (dims, berr)},
        coords={"K": Ks, "N": Ns, "rho": rhos, "sample": np.arange(samples)},
    )
    _var(ds, "success", "fraction of queries retrieved exactly in one step")
    _var(ds, "bit_error", "mean fraction of wrong bits after one step")
    _var(ds, "rho", "fraction of flipped query bits")
    _var(ds, "N", "number of spins (pattern length)")
    return finalize(
        ds, kind="experiment", model=model, normalisation=_DENSE_NORMALISATION,
        references=["Krotov2016" if model == "krotov_hopfield" else "Demircigil2017"],
        interaction=fname, dynamics=dynamics, queries=queries, seeds=seed_entropy(root),
        backend=xp.__name__,
    )


def logistic_threshold(
    x: np.ndarray, successes: np.ndarray, trials: np.ndarray, level: float = 0.5
) -> tuple[float, float]:
    """Where a logistic fit of success probability vs ``x`` crosses ``level``.

    Fits ``logit p = c0 + c1 x`` by maximum likelihood (binomial counts, Newton-IRLS with
    a tiny ridge against separable data) and returns ``x*`` with ``p(x*) = level`` and
    its standard error (delta method on the inverse Fisher information).
    """
    x = np.asarray(x, dtype=float)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    xc = x.mean()
    A = np.stack([np.ones_like(x), x - xc], axis=1)
    c = np.zeros(2)
    ridge = 1e-6
    for _ in range(100):
        eta = A @ c
        p = 1.0 / (1.0 + np.exp(-eta))
        W = n * p * (1 - p)
        H = A.T @ (W[:, None] * A) + ridge * np.eye(2)
        g = A.T @ (k - n * p) - ridge * c
        dc = np.linalg.solve(H, g)
        c += dc
        if np.abs(dc).max() < 1e-10:
            break
    cov = np.linalg.inv(H)
    L = math.log(level / (1.0 - level))
    xs = (L - c[0]) / c[1]
    grad = np.array([-1.0 / c[1], -(L - c[0]) / c[1] ** 2])
    return float(xs + xc), float(math.sqrt(max(grad @ cov @ grad, 0.0)))


def _theory_guess(F: Any, N: int, rho: float, criterion: str) -> float:
    if isinstance(F, Polynomial):
        return krotov_hopfield_capacity_finite(N, F.n, criterion=criterion)
    return demircigil_capacity(N, rho, criterion=criterion)


def dense_capacity(
    N: Sequence[int],
    F: Polynomial | Exponential,
    *,
    rho: float = 0.0,
    criterion: str = "pattern",
    samples: int = 16,
    queries: int = 32,
    scan: int = 7,
    spread: float = 3.0,
    dynamics: str = "sync",
    seed: SeedLike = None,
    backend: str = "numpy",
) -> xr.Dataset:
    """Measured capacity ``K_c(N)``: the K at which retrieval succeeds with probability 1/2.

    For each N, K is scanned on ``scan`` log-spaced integers from ``K0 / spread`` to
    ``K0 spread`` around the finite-N theory value ``K0``
    (:func:`~assoc.modern.dense_theory.krotov_hopfield_capacity_finite` or
    :func:`~assoc.modern.dense_theory.demircigil_capacity`; the window is shifted, up to
    three times, until it brackets the crossing), and :func:`logistic_threshold` of the
    success counts in ``ln K`` gives ``ln K_c`` and its standard error.

    Parameters
    ----------
    N : sequence of int
    F : Polynomial or Exponential
    rho : float
        Fraction of flipped query bits.
    criterion : {'pattern', 'all'}
        Success of one query (one typical pattern; ``queries`` per sample), or of all K
        patterns of a sample at once (one trial per sample).
    samples, queries, scan, spread, dynamics, seed, backend
        See :func:`dense_retrieval`.

    Returns
    -------
    xarray.Dataset
        Dims (N, point): ``K_scan``, ``n_success``, ``n_trials``; dims (N): ``K_c``,
        ``K_c_se`` (standard error of K_c), ``K_theory`` (finite-N theory).
    """
    model, fname = _attrs_F(F)
    criterion = check_choice("criterion", criterion, ("pattern", "all"))
    rho = check_scalar("rho", rho, low=0.0, high=0.5, high_open=True)
    samples = check_int("samples", samples, low=1)
    queries = check_int("queries", queries, low=1)
    scan = check_int("scan", scan, low=3)
    spread = check_scalar("spread", spread, low=1.0, low_open=True)
    dynamics = check_choice("dynamics", dynamics, _DYNAMICS)
    Ns = check_int_grid("N", N, low=2)
    root = normalize_seed(seed)
    xp = resolve_backend(backend)
    Kscan = np.zeros((len(Ns), scan), dtype=np.int64)
    nsucc = np.zeros((len(Ns), scan))
    ntri = np.zeros((len(Ns), scan))
    Kc = np.zeros(len(Ns))
    Kse = np.zeros(len(Ns))
    Kth = np.zeros(len(Ns))
    for a, n in enumerate(Ns):
        Kth[a] = _theory_guess(F, n, rho, criterion)
        centre = Kth[a]
        for _shift in range(4):
            Ks = np.unique(np.maximum(2, np.round(
                centre * spread ** np.linspace(-1.0, 1.0, scan)).astype(np.int64)))
            Ks = np.pad(Ks, (0, scan - Ks.size), mode="edge") if Ks.size < scan else Ks
            ks, ts = np.zeros(scan), np.zeros(scan)
            for j, k in enumerate(Ks):
                B = int(k) if criterion == "all" else min(queries, int(k))
                for s in range(samples):
                    ok, _ = _trial(n, int(k), rho, F, s, root, B, dynamics, xp)
                    if criterion == "all":
                        ks[j] += float(ok.all())
                        ts[j] += 1.0
                    else:
                        ks[j] += ok.sum()
                        ts[j] += ok.size
            frac = ks / ts
            if frac[0] < 0.5:
                centre /= spread**1.5
            elif frac[-1] > 0.5:
                centre *= spread**1.5
            else:
                break
        Kscan[a], nsucc[a], ntri[a] = Ks, ks, ts
        lk, se = logistic_threshold(np.log(Ks), ks, ts)
        Kc[a], Kse[a] = math.exp(lk), math.exp(lk) * se
    ds = xr.Dataset(
        {
            "K_scan": (("N", "point"), Kscan),
            "n_success": (("N", "point"), nsucc),
            "n_trials": (("N", "point"), ntri),
            "K_c": (("N",), Kc),
            "K_c_se": (("N",), Kse),
            "K_theory": (("N",), Kth),
        },
        coords={"N": Ns, "point": np.arange(scan)},
    )
    _var(ds, "K_scan", "numbers of stored patterns scanned")
    _var(ds, "n_success", "successful retrievals")
    _var(ds, "n_trials", "retrieval trials")
    _var(ds, "K_c", "measured capacity: K with retrieval probability 1/2")
    _var(ds, "K_c_se", "standard error of K_c (logistic fit)")
    _var(ds, "K_theory", "finite-N theory of K_c")
    _var(ds, "N", "number of spins (pattern length)")
    _var(ds, "point", "index of the K scan")
    return finalize(
        ds, kind="experiment", model=model, normalisation=_DENSE_NORMALISATION,
        references=(["Krotov2016", "McEliece1987"] if model == "krotov_hopfield"
                    else ["Demircigil2017"]),
        interaction=fname, n=getattr(F, "n", None), rho=rho, criterion=criterion,
        dynamics=dynamics, samples=samples, queries=queries, seeds=seed_entropy(root),
        backend=xp.__name__,
    )


def _wls(x: np.ndarray, y: np.ndarray, sy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares ``y = c0 + c1 x``: coefficients and standard errors
    (scaled by the reduced chi-square when it exceeds 1)."""
    w = 1.0 / np.maximum(sy, 1e-12) ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    H = A.T @ (w[:, None] * A)
    c = np.linalg.solve(H, A.T @ (w * y))
    cov = np.linalg.inv(H)
    dof = max(len(x) - 2, 1)
    chi2 = float((w * (y - A @ c) ** 2).sum()) / dof
    return c, np.sqrt(np.diag(cov) * max(chi2, 1.0))


def fit_krotov_hopfield(ds: xr.Dataset) -> dict[str, float]:
    """Fit ``K_c(N)`` of a polynomial-F :func:`dense_capacity` result to the theory.

    The theory (module notes of :mod:`assoc.modern.dense_theory`) is
    ``K_c = N^(n-1) / (C z_N^2)`` with ``C = (2n-3)!!`` and ``z_N = Phi^-1(2^(-1/N))``
    ('pattern' criterion), asymptotically ``N^(n-1) / (c_n ln N)``. Fitted:

    - ``exponent``: slope of ``ln(K_c z_N^2)`` against ``ln N`` (theory n - 1);
    - ``C``: ``N^(n-1) / (K_c z_N^2)`` averaged (weighted, exponent fixed to n - 1);
      theory ``(2n-3)!!``;
    - ``c_asymptotic``: ``N^(n-1) / (K_c ln N)`` at the largest N, against
      ``c_n = 2 (2n-3)!!`` (reported only: it approaches c_n logarithmically slowly);
    - ``ratio_finite``: the weighted mean of ``K_c / K_theory`` (finite-N theory).

    Returns
    -------
    dict of float
    """
    _check_capacity_result(ds, "krotov_hopfield", "fit_krotov_hopfield")
    n = int(ds.attrs["n"])
    if ds.attrs.get("criterion") != "pattern":
        raise ValueError("ds must be a result with criterion='pattern' for fit_krotov_hopfield")
    N = ds["N"].values.astype(float)
    Kc = ds["K_c"].values
    sy = ds["K_c_se"].values / Kc
    z2 = norm.ppf(2.0 ** (-1.0 / N)) ** 2
    c, se = _wls(np.log(N), np.log(Kc * z2), sy)
    w = 1.0 / sy**2
    lnC = np.log(N ** (n - 1) / (Kc * z2))
    C = float(math.exp((w * lnC).sum() / w.sum()))
    C_se = C * float(math.sqrt(1.0 / w.sum()))
    ratio = Kc / ds["K_theory"].values
    return {
        "n": n,
        "exponent": float(c[1]),
        "exponent_se": float(se[1]),
        "exponent_theory": float(n - 1),
        "C": C,
        "C_se": C_se,
        "C_theory": float(double_factorial(2 * n - 3)),
        "c_asymptotic": float(N[-1] ** (n - 1) / (Kc[-1] * math.log(N[-1]))),
        "c_n_theory": krotov_hopfield_constant(n),
        "ratio_finite": float((w * ratio).sum() / w.sum()),
    }


def fit_demircigil(ds: xr.Dataset) -> dict[str, float]:
    """Fit ``ln K_c = alpha N + gamma ln N + c`` of an exponential-F :func:`dense_capacity`.

    ``gamma`` is fixed by the binomial-tail prefactor ``N^(-1/2)``: 1/2 for 'pattern'
    (``K_c ~ 1/q``) and 1/4 for 'all' (``K_c ~ q^(-1/2)``). The fitted ``alpha`` is
    compared with ``I(1 - 2 rho)`` ('pattern') or with Demircigil et al.'s
    ``I(1 - 2 rho) / 2`` ('all').

    Returns
    -------
    dict of float
        ``alpha``, ``alpha_se``, ``alpha_theory``, ``ratio_finite`` (weighted mean of
        ``K_c / K_theory``).
    """
    _check_capacity_result(ds, "demircigil", "fit_demircigil")
    rho = float(ds.attrs["rho"])
    crit = str(ds.attrs["criterion"])
    gamma = 0.5 if crit == "pattern" else 0.25
    N = ds["N"].values.astype(float)
    Kc = ds["K_c"].values
    sy = ds["K_c_se"].values / Kc
    c, se = _wls(N, np.log(Kc) - gamma * np.log(N), sy)
    w = 1.0 / sy**2
    ratio = Kc / ds["K_theory"].values
    return {
        "rho": rho,
        "criterion": crit,
        "alpha": float(c[1]),
        "alpha_se": float(se[1]),
        "alpha_theory": float(demircigil_alpha(rho, crit)),
        "ratio_finite": float((w * ratio).sum() / w.sum()),
    }

