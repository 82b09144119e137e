"""Dense associative memories of binary patterns (Krotov-Hopfield 2016; Demircigil et al. 2017).

Spins ``sigma_i = +-1`` (i = 1..N), K patterns ``xi^mu_i = +-1`` stored as the rows of
an array of shape (K, N), overlaps ``S_mu = xi^mu . sigma = sum_i xi^mu_i sigma_i``
(integers). Energy with interaction function F::

    E(sigma) = - sum_mu F(xi^mu . sigma)

- Krotov & Hopfield (2016, Eq. (2)): polynomial ``F(x) = x^n`` (and the rectified
  ``F(x) = x^n`` for x > 0, 0 otherwise, of their experiments), capacity ~ N^(n-1).
- Demircigil et al. (2017): exponential ``F(x) = exp(x)``, capacity exponential in N.

Update of site j (Krotov & Hopfield 2016, Eq. (3); Demircigil et al. 2017, the map T_j)::

    T_j(sigma) = sign( sum_mu [ F(xi^mu_j + S_mu^(j)) - F(-xi^mu_j + S_mu^(j)) ] ),
    S_mu^(j) = sum_{i != j} xi^mu_i sigma_i,

i.e. the spin takes the sign that gives the lower energy with all other spins fixed
(zero-temperature single-site dynamics, so the energy never increases under T_j). A
field exactly 0 keeps the spin (ties are broken by not flipping).

For ``x = +-1`` patterns the fields of all sites at once reduce to one matrix product:
with ``a_mu = (F(S_mu + 2) - F(S_mu - 2)) / 2`` and
``b_mu = (2 F(S_mu) - F(S_mu - 2) - F(S_mu + 2)) / 2``,
``h_j = sum_mu xi^mu_j a_mu + sigma_j sum_mu b_mu`` (derived in this module: the term of
pattern mu at site j depends on ``xi^mu_j sigma_j = +-1`` only). :func:`sync_update`
applies every T_j to the same state (one parallel step, the object of the one-step
retrieval theorems); :func:`async_update` applies them one site after another (the
asynchronous dynamics), tracking the overlaps so that a site costs O(K) per state.
For the exponential F the fields are computed relative to ``exp(max_mu S_mu)`` of each
state (a positive factor, so the signs are exact and nothing overflows).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend import get_namespace
from ..errors import InputTypeError
from ..seeding import SeedLike, normalize_seed, stream_rng
from ..validation import check_bool, check_choice, check_int
from ._checks import as_real_array, check_seed

__all__ = [
    "Polynomial",
    "Exponential",
    "dense_energy",
    "dense_fields",
    "sync_update",
    "async_update",
    "DenseRetrieval",
    "dense_retrieve",
]

#: Largest number of elements of one (states x patterns) block.
_BLOCK = 1 << 22


@dataclass(frozen=True)
class Polynomial:
    """``F(x) = x^n`` (Krotov & Hopfield 2016, Eq. (2)); ``rectified``: ``x^n`` for x > 0 else 0.

    Attributes
    ----------
    n : int
        Interaction order, >= 2 (n = 2 is the classic Hopfield network).
    rectified : bool
    """

    n: int = 3
    rectified: bool = False

    def __post_init__(self) -> None:
        check_int("n", self.n, low=2)
        check_bool("rectified", self.rectified)

    @property
    def name(self) -> str:
        return f"{'rectified ' if self.rectified else ''}polynomial F(x) = x^{self.n}"

    def __call__(self, x: Any) -> Any:
        xp = get_namespace(x)
        y = x**self.n
        return xp.where(x > 0, y, 0.0) if self.rectified else y


@dataclass(frozen=True)
class Exponential:
    """``F(x) = exp(x)`` (Demircigil et al. 2017)."""

    @property
    def name(self) -> str:
        return "exponential F(x) = exp(x)"

    def __call__(self, x: Any) -> Any:
        return get_namespace(x).exp(x)


FLike = Polynomial | Exponential | Callable[[Any], Any]


def _check_F(F: Any) -> Any:
    if isinstance(F, type):  # the class itself, e.g. F=Polynomial instead of Polynomial(3)
        raise InputTypeError(
            f"F must be an interaction function such as Polynomial(3) or Exponential(), or a "
            f"callable of the overlaps; got the class {F.__name__} itself (call it first)"
        )
    if isinstance(F, (Polynomial, Exponential)) or callable(F):
        return F
    raise InputTypeError(f"F must be Polynomial(n), Exponential() or a callable (got {F!r})")


def _check_pm1(name: str, a: Any, xp: Any) -> None:
    bad = ~((a == 1) | (a == -1))
    if bool(bad.any()):
        raise ValueError(f"{name} must hold only +1 and -1 (binary patterns and spins; got "
                         f"{float(a[bad].reshape(-1)[0])})")


def _prepare(sigma: Any, xi: Any) -> tuple[Any, Any, Any]:
    xp = get_namespace(sigma, xi)
    xi = as_real_array("xi", xi, xp, "an integer or real array of +1 and -1 with shape (K, N)")
    sigma = as_real_array("sigma", sigma, xp,
                          "an integer or real array of +1 and -1 with shape (..., N)")
    if xi.ndim != 2 or xi.shape[0] == 0 or xi.shape[1] == 0:
        raise ValueError(
            f"xi must have shape (K, N) with K >= 1 patterns of N >= 1 spins "
            f"(got {tuple(xi.shape)})"
        )
    if sigma.ndim == 0 or sigma.shape[-1] != xi.shape[1]:
        raise ValueError(
            f"sigma must have shape (..., N) with N = {xi.shape[1]} as the patterns xi "
            f"(got {tuple(sigma.shape)})"
        )
    _check_pm1("xi", xi, xp)
    _check_pm1("sigma", sigma, xp)
    return xp, sigma, xi


def dense_energy(sigma: Any, xi: Any, F: FLike) -> Any:
    """``E(sigma) = -sum_mu F(xi^mu . sigma)`` for states of shape (..., N).

    For the exponential F the energy overflows to ``-inf`` once ``N >~ 709``; compare
    energies there through ``log(-E)`` = ``lse`` of the overlaps instead.
    """
    F = _check_F(F)
    xp, sigma, xi = _prepare(sigma, xi)
    S = xp.matmul(sigma.astype(xp.float64), xi.astype(xp.float64).T)
    with np.errstate(over="ignore"):
        return -F(S).sum(axis=-1)


def _ab(S: Any, F: Any, xp: Any) -> tuple[Any, Any]:
    """``a_mu``, ``b_mu`` of the module notes (exp: scaled by exp(-max S) per state)."""
    if isinstance(F, Exponential):
        w = xp.exp(S - S.max(axis=-1, keepdims=True))
        return math.sinh(2.0) * w, (1.0 - math.cosh(2.0)) * w
    Fp, F0, Fm = F(S + 2.0), F(S), F(S - 2.0)
    return 0.5 * (Fp - Fm), 0.5 * (2.0 * F0 - Fm - Fp)


def dense_fields(sigma: Any, xi: Any, F: FLike) -> Any:
    """Fields ``h_j`` whose signs are ``T_j(sigma)`` for every site j (module notes).

    ``h_j = sum_mu [F(xi^mu_j + S_mu^(j)) - F(-xi^mu_j + S_mu^(j))]``; for the
    exponential F divided by ``exp(max_mu S_mu)`` of each state.

    Parameters
    ----------
    sigma : array of +-1, shape (..., N)
    xi : array of +-1, shape (K, N)
    F : Polynomial, Exponential or callable

    Returns
    -------
    array of float64, shape (..., N)
    """
    F = _check_F(F)
    xp, sigma, xi = _prepare(sigma, xi)
    lead, N = sigma.shape[:-1], sigma.shape[-1]
    s = sigma.reshape(-1, N).astype(xp.float64)
    xf = xi.astype(xp.float64)
    out = xp.empty_like(s)
    step = max(1, _BLOCK // xi.shape[0])
    for a0 in range(0, s.shape[0], step):
        sb = s[a0 : a0 + step]
        a, b = _ab(xp.matmul(sb, xf.T), F, xp)
        o = xp.matmul(a, xf)
        o += sb * b.sum(axis=-1, keepdims=True)
        out[a0 : a0 + step] = o
    return out.reshape(*lead, N)


def sync_update(sigma: Any, xi: Any, F: FLike) -> Any:
    """One parallel step: every ``T_j`` applied to the same state (ties keep the spin).

    Returns
    -------
    array of int8, shape (..., N)
    """
    h = dense_fields(sigma, xi, F)
    xp = get_namespace(h)
    sigma = xp.asarray(sigma)
    return xp.where(h > 0, 1, xp.where(h < 0, -1, sigma)).astype(xp.int8)


def async_update(
    sigma: Any,
    xi: Any,
    F: FLike,
    *,
    sweeps: int = 1,
    order: str = "sequential",
    seed: SeedLike = None,
    return_flips: bool = False,
) -> Any:
    """Asynchronous dynamics: ``T_j`` applied site after site, ``sweeps`` times.

    Parameters
    ----------
    sigma : array of +-1, shape (..., N)
        Initial states; all are updated in parallel (each with its own site sequence).
    xi : array of +-1, shape (K, N)
    F : Polynomial, Exponential or callable
    sweeps : int
        Number of passes over the N sites, >= 1.
    order : {'sequential', 'random'}
        Site order of each sweep: 0..N-1, or a random permutation per sweep drawn from
        the ``'sites'`` stream of ``seed`` (the same permutation for every state).
    seed : int, SeedSequence, Generator or None
        Keyword-only; only used with ``order='random'``.
    return_flips : bool
        Also return the number of flips per state.

    Returns
    -------
    array of int8, shape (..., N)
        (and int64 flips of shape (...) with ``return_flips``).

    Notes
    -----
    The overlaps ``S_mu`` are tracked: site j costs O(K) per state (DESIGN "flip cost
    O(K)"). Each T_j lowers or keeps the energy, so the dynamics stops at a fixed point
    (Krotov & Hopfield 2016, Eq. (3); Demircigil et al. 2017, T_j).
    """
    F = _check_F(F)
    sweeps = check_int("sweeps", sweeps, low=1)
    order = check_choice("order", order, ("sequential", "random"))
    check_seed(seed)
    return_flips = check_bool("return_flips", return_flips)
    xp, sigma, xi = _prepare(sigma, xi)
    lead, N = sigma.shape[:-1], sigma.shape[-1]
    s = sigma.reshape(-1, N).astype(xp.float64)
    xT = xp.ascontiguousarray(xi.astype(xp.float64).T)  # (N, K): row j = xi^mu_j
    S = xp.matmul(s, xT)
    flips = xp.zeros(s.shape[0], dtype=xp.int64)
    rng = stream_rng(normalize_seed(seed), "sites", 0) if order == "random" else None
    expo = isinstance(F, Exponential)
    two_sinh1 = 2.0 * math.sinh(1.0)
    for _ in range(sweeps):
        sites = rng.permutation(N) if rng is not None else range(N)
        for j in sites:
            j = int(j)
            col = xT[j]
            old = s[:, j]
            Sj = S - old[:, None] * col  # S_mu^(j)
            if expo:
                D = two_sinh1 * xp.exp(Sj - Sj.max(axis=1, keepdims=True))
            else:
                D = F(Sj + 1.0) - F(Sj - 1.0)
            h = xp.matmul(D, col)  # sum_mu xi^mu_j [F(S+1) - F(S-1)]
            new = xp.where(h > 0, 1.0, xp.where(h < 0, -1.0, old))
            changed = new != old
            if bool(changed.any()):
                S += (new - old)[:, None] * col
                flips += changed
                s[:, j] = new
    out = s.astype(xp.int8).reshape(*lead, N)
    return (out, flips.reshape(lead)) if return_flips else out


@dataclass(frozen=True)
class DenseRetrieval:
    """Result of :func:`dense_retrieve`.

    Attributes
    ----------
    sigma : array of int8, shape (..., N)
        Final states.
    n_sweeps : array of int, shape (...)
        Sweeps done (the last one without flips included).
    converged : array of bool, shape (...)
        True when a full sweep made no flip (a fixed point of every T_j).
    """

    sigma: Any
    n_sweeps: Any
    converged: Any


def dense_retrieve(
    sigma: Any, xi: Any, F: FLike, *, max_sweeps: int = 100, order: str = "sequential",
    seed: SeedLike = None,
) -> DenseRetrieval:
    """Run the asynchronous dynamics until no spin flips in a sweep (or ``max_sweeps``).

    ``F``, ``order`` and ``seed`` as in :func:`async_update`; ``max_sweeps`` >= 1.
    """
    F = _check_F(F)
    max_sweeps = check_int("max_sweeps", max_sweeps, low=1)
    order = check_choice("order", order, ("sequential", "random"))
    xp, sigma, xi = _prepare(sigma, xi)
    lead, N = sigma.shape[:-1], sigma.shape[-1]
    cur = sigma.reshape(-1, N).astype(xp.int8)
    n = xp.zeros(cur.shape[0], dtype=xp.int64)
    conv = xp.zeros(cur.shape[0], dtype=bool)
    root = normalize_seed(seed)
    active = xp.arange(cur.shape[0])
    for t in range(max_sweeps):
        if active.shape[0] == 0:
            break
        new, fl = async_update(
            cur[active], xi, F, sweeps=1, order=order, seed=stream_rng(root, "sites", t),
            return_flips=True,
        )
        cur[active] = new
        n[active] += 1
        done = fl == 0
        conv[active[done]] = True
        active = active[~done]
    return DenseRetrieval(sigma=cur.reshape(*lead, N), n_sweeps=n.reshape(lead),
                          converged=conv.reshape(lead))
