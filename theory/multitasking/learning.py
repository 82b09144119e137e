"""Learning from examples: signal-to-noise, thresholds, loss (private).

Notation as in :mod:`theory.multitasking`: archetypes ``xi^mu``, examples
``eta^(mu,a) = xi^mu chi^(mu,a)``, example mean ``chibar = (1/M) sum_a chi``,
``rho = (1 - r^2)/(M r^2)``, ``R = r^2 (1 + rho) = E[chibar^2]``.

One-step (T = 0) stability of an archetype configuration ``sigma*`` (the spins a
regime would have with perfect archetypes) under example couplings. At a site of
archetype class ``x = (xi^1..xi^K)`` the aligned field is, for N -> infinity,

``sigma* h = (r/R) sum_mu sigma* xi^mu chibar^mu m*_mu``,

with ``m*`` the overlaps of the configuration. Over the example noise of that site
its mean is ``(r^2/R) sigma* (x.m*)`` and its variance ``(r^2/R)^2 rho sum_mu
(xi^mu m*_mu)^2`` (``Var chibar = r^2 rho``). At finite N the overlaps with the
coupling vectors fluctuate by O(N^-1/2) and add, per nonzero ``xi^mu``,

* supervised (``J = (1/NR) sum_mu etabar etabar``): ``rho (1-d)(1+rho)/N``,
* unsupervised (``J = (1/NRM) sum_(mu,a) eta eta``): ``rho (1-d)/(r^2 N)``,

to the bracket ``rho [sum_mu (xi^mu m*_mu)^2 + ...]`` (both in units of
``(r^2/R)^2``). The two differ by ``rho (1-d)(M-1)(1-r^2)/(M r^2 N)`` per pattern:
they coincide as N -> infinity at fixed K and M (low storage).
"""

from __future__ import annotations

import itertools

import numpy as np

from .tables import SiteTable, archetype_law, site_table
from .zero import hierarchical_overlaps

__all__ = ["configuration_overlaps", "class_snr", "threshold_rho", "unsupervised_full_table",
           "loss_from_overlaps"]


def configuration_overlaps(K: int, d: float, state: str) -> tuple[np.ndarray, SiteTable]:
    """Overlaps ``m*`` of a regime's archetype configuration, and the class table.

    ``hierarchical``: the spin follows the first nonzero archetype,
    ``m*_k = (1-d) d^(k-1)``; ``pure``: the spin follows archetype 1 (classes with
    ``xi^1 = 0`` are unconstrained), ``m* = (1-d, 0, ..)``; ``parallel``: the spin
    follows the majority ``sign(sum_mu xi^mu)``, ``m*`` from the exact average.
    """
    table = site_table(archetype_law([d]), K)
    if state == "hierarchical":
        m = hierarchical_overlaps(K, d)[0]
    elif state == "pure":
        m = np.zeros(K)
        m[0] = 1 - d
    else:  # parallel
        s = np.sign(table.A.sum(1))
        m = (table.W[0] * s) @ table.A
    return m, table


def class_snr(K: int, d: float, state: str, rho: float, *, noise_N: float = 0.0
              ) -> dict[str, np.ndarray]:
    """Per-class margin and SNR of the configuration of ``state`` (module docstring).

    ``noise_N`` is the finite-N extra variance per nonzero pattern in units of
    ``rho`` (``(1-d)(1+rho)/N`` supervised, ``(1-d)/(r^2 N)`` unsupervised; 0 at
    N = infinity). Returns, over the classes (C,), the leading pattern, the weight,
    the aligned margin ``sigma* x.m*``, ``||x m*||^2``, the support size and the SNR.
    """
    m, table = configuration_overlaps(K, d, state)
    A = table.A
    nz = np.abs(A) > 0
    if state == "pure":
        sig = A[:, 0]
        lead = np.where(nz[:, 0], 0, -1)
    elif state == "hierarchical":
        lead = np.where(nz.any(1), nz.argmax(1), -1)
        sig = np.where(lead >= 0, A[np.arange(len(A)), np.maximum(lead, 0)], 0.0)
    else:
        sig = np.sign(A.sum(1))
        lead = np.where(nz.any(1), nz.argmax(1), -1)
    margin = sig * (A @ m)
    q2 = ((A * m) ** 2).sum(1)
    supp = nz.sum(1)
    live = (lead >= 0) & (table.W[0] > 0)
    var = rho * (q2 + noise_N * supp)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = np.where(var > 0, margin / np.sqrt(var), np.where(margin > 0, np.inf, -np.inf))
    return {"lead": lead[live], "weight": table.W[0][live], "margin": margin[live],
            "q2": q2[live], "support": supp[live], "snr": snr[live], "m": m}


def threshold_rho(K: int, d: float, state: str, theta: float, *, protocol: str,
                  r: float | None = None, N: float | None = None) -> np.ndarray:
    """Largest ``rho`` with SNR >= theta on every class led by pattern k, per k (K,).

    With margin ``A``, ``B = ||x m*||^2`` and support ``s`` of a class:
    ``theta^2 rho (B + s c(rho)) = A^2`` with ``c = 0`` (N = infinity),
    ``c = (1-d)(1+rho)/N`` (supervised: a quadratic in rho) or ``(1-d)/(r^2 N)``
    (unsupervised). A class with ``A <= 0`` gives ``rho = 0`` (never learned); a
    pattern leading no class (``pure`` state, k > 1) gives NaN.
    """
    cls = class_snr(K, d, state, 1.0)
    A, B, s, lead = cls["margin"], cls["q2"], cls["support"], cls["lead"]
    t2 = theta * theta
    if N is None or not np.isfinite(N):
        rho = np.where(A > 0, A * A / (t2 * B), 0.0)
    elif protocol == "supervised":
        c = (1 - d) / N
        a2, b1 = t2 * s * c, t2 * (B + s * c)  # a2 rho^2 + b1 rho - A^2 = 0
        rho = np.where(A > 0, 2 * A * A / (b1 + np.sqrt(b1 * b1 + 4 * a2 * A * A)), 0.0)
    else:
        c = (1 - d) / (r * r * N)
        rho = np.where(A > 0, A * A / (t2 * (B + s * c)), 0.0)
    out = np.full(K, np.nan)
    for k in range(K):
        sel = lead == k
        if sel.any():
            out[k] = rho[sel].min()
    return out


def unsupervised_full_table(K: int, d: float, r: float, M: int) -> tuple[np.ndarray, np.ndarray,
                                                                          np.ndarray]:
    """Exact table of the unsupervised network with one order parameter per example.

    Coordinates ``a_(mu,a) = xi^mu chi^(mu,a) / sqrt(R M)`` (K M columns) with
    weights over ``xi in {0, +-1}`` and ``chi in {+-1}^M``; readout ``xi^mu``.
    Returns ``A`` (C, K M), ``B`` (C, K) and ``w`` (C,). Size ``(1 + 2^(M+1))^K``.
    """
    R = r * r + (1 - r * r) / M
    chis = np.array(list(itertools.product([1.0, -1.0], repeat=M)))
    pch = np.prod(np.where(chis > 0, (1 + r) / 2, (1 - r) / 2), axis=1)
    st_a = [np.zeros(M)] + [s * c for s in (1.0, -1.0) for c in chis]
    st_b = [0.0] + [s for s in (1.0, -1.0) for _ in chis]
    st_w = [d] + [(1 - d) / 2 * pc for _ in (1, -1) for pc in pch]
    st_a, st_b, st_w = np.array(st_a) / np.sqrt(R * M), np.array(st_b), np.array(st_w)
    idx = np.array(list(itertools.product(range(len(st_w)), repeat=K)))
    A = np.concatenate([st_a[idx[:, k]] for k in range(K)], axis=1)
    B = st_b[idx]
    w = np.prod(st_w[idx], axis=1)
    return A, B, w


def loss_from_overlaps(m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per-pattern sum-squared error ``L_mu = ||xi^mu - sigma||^2/(2N) = 1 - d/2 - m_mu``."""
    return 1.0 - np.asarray(d)[..., None] / 2.0 - np.asarray(m)
