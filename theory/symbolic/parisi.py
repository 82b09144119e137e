"""The k-step Parisi ansatz as sympy building blocks.

A replica matrix with k steps of replica-symmetry breaking has overlaps
``q_0 <= q_1 <= ... <= q_k`` and block sizes (Parisi parameters)
``0 <= theta_1 <= ... <= theta_k <= 1`` in the ``n -> 0`` continuation: ``q_ab = q_j`` when
a and b lie in the same block of size ``theta_j`` but in different blocks of size
``theta_(j+1)`` (``theta_0 = n -> 0``, ``theta_(k+1) = 1``).  The three functions here are
the pieces every k-RSB free energy of an Ising system is made of (Parisi 1980; Mezard,
Parisi & Virasoro, *Spin Glass Theory and Beyond*, 1987, ch. III; rederived here):

* :func:`nested_average`, the spin term: with a field
  ``h = c + sum_j sqrt(v_j) z_j`` (independent standard normals ``z_0..z_k``, ``v_j`` the
  variance increments),

  ``-(1/(beta theta_1)) E_z0 ln Y_1``, ``Y_j = E_zj Y_(j+1)^(theta_j/theta_(j+1))``,
  ``Y_k = E_zk (2 cosh(beta h))^theta_k``;

* :func:`trace_log`, ``lim (1/n) Tr ln(1 - beta Q)`` for a Parisi matrix with unit
  diagonal (the Gaussian integral over the condensed-pattern noise of the Hopfield model):
  with ``L_k = 1 - beta (1 - q_k)`` and ``L_(j-1) = L_j - beta theta_j (q_j - q_(j-1))``
  (the eigenvalues, of multiplicities ``n (1/theta_(j+1) - 1/theta_j)``),

  ``(1 - 1/theta_k) ln L_k + sum_(j=1)^(k-1) (1/theta_(j+1) - 1/theta_j) ln L_j
  + (1/theta_1) ln L_0 - beta q_0 / L_0``;

* :func:`pair_sum`, ``lim (1/n) sum_(a != b) p_ab q_ab = - sum_(j=0)^k
  (theta_(j+1) - theta_j) p_j q_j`` with ``theta_0 = 0``, ``theta_(k+1) = 1`` (the sign
  follows from ``n - theta_1 -> -theta_1``).

Each reduces to the (k-1)-step form when two neighbouring q's coincide (with their fields)
or two neighbouring thetas do, and to replica symmetry at k = 0
(``tests/theory/test_parisi.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .averages import GaussianAverage

__all__ = ["nested_average", "trace_log", "pair_sum", "field", "parameter_names", "symbol"]


#: Parisi-parameter kinds: the block sizes theta and their T = 0 scalings mu = theta/T and
#: nu = mu/(P-1)! (dense).
_SCALED = ("theta", "mu", "nu")


def parameter_names(k: int, kinds: Sequence[str] = ("q", "theta", "mu")) -> dict:
    """Names of the k-step order parameters: ``q0..qk`` (and any other overlap-like kind,
    e.g. ``p``) and, for the Parisi kinds ``theta``, ``mu``, ``nu``, ``theta`` at k = 1 and
    ``theta1..thetak`` above (the 1RSB names stay those of the library's datasets)."""
    out = {}
    for kind in kinds:
        if kind in _SCALED:
            out[kind] = (kind,) if k == 1 else tuple(f"{kind}{j}" for j in range(1, k + 1))
        else:
            out[kind] = tuple(f"{kind}{j}" for j in range(k + 1))
    return out


def symbol(table: dict, name: str) -> sp.Symbol:
    """``table[name]``, created on first use: Gaussian variables ``z*`` real, Parisi
    parameters positive, overlaps and fields non-negative."""
    if name not in table:
        if name.startswith("z"):
            table[name] = sp.Symbol(name, real=True)
        elif name.rstrip("0123456789") in _SCALED:
            table[name] = sp.Symbol(name, positive=True)
        else:
            table[name] = sp.Symbol(name, nonnegative=True)
    return table[name]


def field(c: sp.Expr, increments: Sequence[sp.Expr], zs: Sequence[sp.Symbol]) -> sp.Expr:
    """``c + sum_j sqrt(v_j) z_j``: the local field of a k-step ansatz from its variance
    increments ``v_0 = var(q_0)``, ``v_j = var(q_j) - var(q_(j-1))``."""
    if len(increments) != len(zs):
        raise ValueError("field: one Gaussian variable per variance increment")
    return c + sum((sp.sqrt(v) * z for v, z in zip(increments, zs, strict=True)), sp.S.Zero)


def nested_average(h: sp.Expr, beta: sp.Expr, thetas: Sequence[sp.Expr],
                   zs: Sequence[sp.Symbol]) -> sp.Expr:
    """The k-step spin term ``-(1/(beta theta_1)) E_z0 ln Y_1`` (module docstring).

    Parameters
    ----------
    h : sympy expression
        The local field, linear in ``zs``.
    beta : sympy expression
        Inverse temperature.
    thetas : sequence of k sympy expressions
        Parisi parameters ``theta_1 <= ... <= theta_k`` (k >= 1).
    zs : sequence of k + 1 symbols
        ``z_0`` (outermost) to ``z_k`` (innermost).
    """
    k = len(thetas)
    if k < 1 or len(zs) != k + 1:
        raise ValueError("nested_average: k >= 1 Parisi parameters and k + 1 variables")
    Y = GaussianAverage((2 * sp.cosh(beta * h)) ** thetas[-1], zs[-1])
    for j in range(k - 1, 0, -1):
        Y = GaussianAverage(Y ** (thetas[j - 1] / thetas[j]), zs[j])
    return -GaussianAverage(sp.log(Y), zs[0]) / (beta * thetas[0])


def _eigenvalues(beta, q, thetas):
    k = len(thetas)
    L = [sp.S.Zero] * (k + 1)
    L[k] = 1 - beta * (1 - q[k])
    for j in range(k, 0, -1):
        L[j - 1] = L[j] - beta * thetas[j - 1] * (q[j] - q[j - 1])
    return L


def trace_log(beta: sp.Expr, q: Sequence[sp.Expr],
              thetas: Sequence[sp.Expr]) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """``lim_(n -> 0) (1/n) Tr ln(1 - beta Q)`` of a k-step Parisi matrix (module docstring).

    Returns the expression and the eigenvalues ``L_0..L_k`` (which must stay positive: the
    model's constraints).
    """
    k = len(thetas)
    if len(q) != k + 1:
        raise ValueError("trace_log: k + 1 overlaps for k Parisi parameters")
    L = _eigenvalues(beta, q, thetas)
    out = (1 - 1 / thetas[-1]) * sp.log(L[k])
    for j in range(k - 1, 0, -1):
        out += (1 / thetas[j] - 1 / thetas[j - 1]) * sp.log(L[j])
    return out + sp.log(L[0]) / thetas[0] - beta * q[0] / L[0], tuple(L)


def pair_sum(p: Sequence[sp.Expr], q: Sequence[sp.Expr], thetas: Sequence[sp.Expr]) -> sp.Expr:
    """``lim_(n -> 0) (1/n) sum_(a != b) p_ab q_ab`` of two k-step Parisi matrices."""
    k = len(thetas)
    if len(p) != k + 1 or len(q) != k + 1:
        raise ValueError("pair_sum: k + 1 entries of p and q for k Parisi parameters")
    th = [sp.S.Zero, *thetas, sp.S.One]
    return -sum(((th[j + 1] - th[j]) * p[j] * q[j] for j in range(k + 1)), sp.S.Zero)
