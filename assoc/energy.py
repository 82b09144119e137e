"""Energies and local fields from the integer overlaps ``M_mu = sum_i xi^mu_i s_i``.

For the distinct-index dense Hebbian Hamiltonian (:class:`assoc.models.DenseHebbian`)

``H = -(1/N^(P-1)) sum_mu e_P(x^mu)``,  ``x^mu_i = xi^mu_i s_i``,

and for ``x_i = +-1`` the elementary symmetric polynomial ``e_P`` depends only
on ``M = sum_i x_i`` and ``N`` through Newton's identities with power sums
``p_k = M`` (k odd) and ``p_k = N`` (k even). A flip of spin ``i`` changes
``e_P(x)`` by ``-2 x_i e_(P-1)(x without i)`` and
``e_(P-1)(x without i) = sum_k (-x_i)^k e_(P-1-k)(x)``, so energy differences
are polynomials in integers: exact in float64 while ``|values| < 2**53``.
For P = 2 these reduce to ``H = -(1/2N) sum_mu M_mu^2 + K/2`` and
``dE_i = (2/N) (s_i sum_mu xi^mu_i M_mu - K)`` (AGS 1987, Eq. (2.1)).
"""

from __future__ import annotations

from typing import Any

from .backend import get_namespace
from .models import Model

__all__ = [
    "overlaps",
    "elementary_symmetric",
    "elementary_from_power_sums",
    "energy_from_overlaps",
    "energy",
    "local_fields",
    "delta_energy",
]


def overlaps(xi: Any, s: Any) -> Any:
    """Integer overlaps ``M[..., mu] = sum_i xi[..., mu, i] s[..., i]`` (int64)."""
    xp = get_namespace(xi, s)
    return xp.einsum("...ki,...i->...k", xi.astype(xp.int64), s.astype(xp.int64))


def elementary_symmetric(M: Any, N: int, P: int) -> list[Any]:
    """``[e_0, ..., e_P]`` of N values ``+-1`` summing to ``M`` (Newton's identities).

    Float64 and exact for integer results below 2**53 (``N^P / P! < 9e15``).
    """
    xp = get_namespace(M)
    M = xp.asarray(M, dtype=xp.float64)
    return elementary_from_power_sums(
        [M if k % 2 else xp.full_like(M, float(N)) for k in range(1, P + 1)])


def elementary_from_power_sums(p: list[Any]) -> list[Any]:
    """``[e_0, ..., e_P]`` from the power sums ``p = [p_1, ..., p_P]`` (float64 arrays of one
    shape) by Newton's identities ``k e_k = sum_(j=1..k) (-1)^(j-1) e_(k-j) p_j``; exact for
    integer results below 2**53.  Integer patterns X enter with ``p_k = sum_i (X_i s_i)^k``:
    an overlap with ``X^k`` for odd k, the constant ``sum_i X_i^k`` for even k."""
    xp = get_namespace(p[0])
    P = len(p)
    p = [None, *p]
    e = [xp.ones_like(p[1])]
    for k in range(1, P + 1):
        acc = xp.zeros_like(p[1])
        for j in range(1, k + 1):
            term = e[k - j] * p[j]
            acc = acc + term if j % 2 else acc - term
        e.append(acc / k)
    return e


def energy_from_overlaps(model: Model, M: Any, N: int) -> Any:
    """Total energy ``H`` from overlaps ``M`` (last axis = patterns)."""
    xp = get_namespace(M)
    if model.P == 2:
        M = xp.asarray(M, dtype=xp.float64)
        return -(M * M).sum(axis=-1) / (2.0 * N) + M.shape[-1] / 2.0
    eP = elementary_symmetric(M, N, model.P)[model.P]
    return -eP.sum(axis=-1) / float(N) ** (model.P - 1)


def energy(model: Model, xi: Any, s: Any) -> Any:
    """Total energy of spins ``s`` (..., N) with patterns ``xi`` (..., K, N)."""
    return energy_from_overlaps(model, overlaps(xi, s), s.shape[-1])


def _field_numerator(model: Model, M: Any, xi_i: Any, s_i: Any, N: int) -> Any:
    """``N^(P-1) h_i`` summed over patterns: ``sum_mu xi_i e_(P-1)(x^mu without i)``."""
    xp = get_namespace(M)
    M = xp.asarray(M, dtype=xp.float64)
    x = xp.asarray(xi_i, dtype=xp.float64) * xp.asarray(s_i, dtype=xp.float64)[..., None]
    if model.P == 2:
        return (xp.asarray(xi_i, dtype=xp.float64) * (M - x)).sum(axis=-1)
    e = elementary_symmetric(M, N, model.P - 1)
    rest = xp.zeros_like(M)
    for k in range(model.P):
        rest = rest + (-x) ** k * e[model.P - 1 - k]
    return (xp.asarray(xi_i, dtype=xp.float64) * rest).sum(axis=-1)


def local_fields(model: Model, xi: Any, s: Any) -> Any:
    """Local fields ``h_i`` with ``dE_i = 2 s_i h_i`` (self-interaction excluded).

    For P = 2, ``h_i = sum_mu xi^mu_i m_mu - alpha s_i`` (THEORY.md section 1).
    Returns shape (..., N).
    """
    xp = get_namespace(xi, s)
    N = s.shape[-1]
    M = overlaps(xi, s)[..., None, :]  # (..., 1, K)
    xiT = xp.moveaxis(xi, -1, -2)  # (..., N, K)
    num = _field_numerator(model, M, xiT, s, N)
    return num / float(N) ** (model.P - 1)


def delta_energy(model: Model, M: Any, xi_i: Any, s_i: Any, N: int) -> Any:
    """Energy change of flipping spin ``i``, from the overlaps before the flip.

    Parameters
    ----------
    M : (..., K) overlaps; xi_i : (..., K) patterns at site i; s_i : (...) spin.
    """
    return 2.0 * s_i * _field_numerator(model, M, xi_i, s_i, N) / float(N) ** (model.P - 1)
