"""One-step signal-to-noise analysis of dense Hebbian networks trained on examples
(see :mod:`theory.dense_learning`).

Derivation (T = 0, the archetype ``s = xi^1`` tested, N -> infinity; checked by direct
sampling of the local fields in ``tests/theory/test_dense_learning_snr.py``).  With
``c_i = (1/(rM)) sum_a chi^(1,a)_i`` (mean 1, variance ``rho``) the aligned field of
site i is::

    xi^1_i h_i = c_i (1 + O(N^-1/2))  +  cross-talk of the K - 1 other archetypes.

Over distinct index tuples the cross-talk terms of different (P-1)-subsets are orthogonal
(the other archetypes enter with random signs), so it is Gaussian with zero mean and
variance ``gamma = (K/N^(P-1)) (P-1)! v``, where

* supervised: ``v = (1 + rho)^P`` (each of the P factors ``xi_hat`` has second moment
  ``1 + rho``);
* unsupervised: ``v = 1 + rho_P``, ``rho_P = (1 - r^(2P))/(M r^(2P))``: the examples of
  one archetype are correlated (``E[eta^a eta^b] = r^2``), so a pattern's M terms add
  ``M + M (M - 1) r^(2P)`` instead of ``M^2 r^(2P) (1 + rho)^P``.  By Jensen's inequality
  ``(1 + rho)^P <= 1 + rho_P``: the unsupervised cross-talk is never the smaller, equal at
  M = 1 or r = 1.

Hence ``P(xi^1_i h_i > 0) = E_c Phi(c / sqrt(gamma))``, exact in M (c is a rescaled
binomial, ``c_k = (2k - M)/(rM)``, ``k ~ Bin(M, (1 + r)/2)``), and in the Gaussian
approximation of c ``Phi(1/sqrt(rho + gamma))``.  Ultra-storage (``K = alpha N^(P-1)``):
``gamma = alpha (P-1)! v``, so supervised ``Phi(1/sqrt(rho + alpha (P-1)! (1 + rho)^P))``;
ultra-detection (``K = alpha N``, P > 2): ``gamma = alpha (P-1)! v N^(2-P) -> 0``.  At low
load both protocols give ``Phi(1/sqrt(rho))``, the majority vote of the examples: the
threshold of learning does not depend on the teacher (as in the multitasking case,
arXiv:2308.04106).  With the coinciding indices kept the results change: the self-coupling
of site i biases the field by ``O(N^(P/2 - 1))`` (every configuration is one-step stable
for P >= 4), and coinciding indices among the others turn ``(P-1)!`` into ``(2P-3)!!``.

Not included: the ``O(1/N)`` corrections (the signal factor ``(N-1)...(N-P+1)/N^(P-1)``,
the fluctuation ``(P-1)^2 rho/N`` of the signal and, unsupervised, ``(P-1)^2 rho/(r^2 N)``
from each example's interaction with itself).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from scipy.special import ndtr
from scipy.stats import binom

from assoc.validation import check_grid, check_int, check_real, check_scalar

from .._numerics.solver import bracket_root
from .common import _check_common, _finalize, variance_factor

__all__ = ["dataset_entropy", "signal_to_noise", "learning_threshold"]


def dataset_entropy(r: Any, M: Any) -> np.ndarray:
    """``rho = (1 - r^2)/(M r^2)``, the variance of the example average ``c`` (the inverse
    signal-to-noise ratio of the archetype at low load)."""
    r = np.asarray(check_real("r", r, low=0.0, high=1.0, low_open=True), dtype=float)
    M = np.asarray(M)
    if not np.issubdtype(M.dtype, np.integer) or (M < 1).any():
        raise ValueError(f"M must be an integer >= 1 (got {M.tolist()!r})")
    return (1.0 - r * r) / (M * r * r)


def _cross_talk(P: int, alpha: np.ndarray, v: np.ndarray, load: str, N: int | None) -> np.ndarray:
    """``gamma = (K/N^(P-1)) (P-1)! v`` at the load convention ``load``."""
    gamma = alpha * math.factorial(P - 1) * v
    if load == "detection":
        gamma = gamma * 0.0 if N is None else gamma * float(N) ** (2 - P)
    return gamma


def _p_exact_M(r: np.ndarray, M: np.ndarray, gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``E_c Phi(c/sqrt(gamma))`` and ``E_c Phi(-c/sqrt(gamma))`` (each summed directly, so
    that a small error probability keeps its digits) over the binomial
    ``c_k = (2k - M)/(rM)``, elementwise over broadcast arrays; ``gamma = 0``:
    ``P(c > 0) + P(c = 0)/2`` and ``P(c < 0) + P(c = 0)/2``."""
    r, M, gamma = np.broadcast_arrays(r, M, gamma)
    up, down = np.empty(r.shape), np.empty(r.shape)
    for idx in np.ndindex(r.shape):
        m, rr, g = int(M[idx]), float(r[idx]), float(gamma[idx])
        k = np.arange(m + 1)
        w = binom.pmf(k, m, 0.5 * (1.0 + rr))
        c = (2 * k - m) / (rr * m)
        if g > 0:
            up[idx] = float(np.sum(w * ndtr(c / math.sqrt(g))))
            down[idx] = float(np.sum(w * ndtr(-c / math.sqrt(g))))
        else:
            half = 0.5 * float(np.sum(w[c == 0]))
            up[idx] = float(np.sum(w[c > 0])) + half
            down[idx] = float(np.sum(w[c < 0])) + half
    return up, down


def signal_to_noise(P: int, alpha: Any, r: Any, M: Any, *, protocol: str = "supervised",
                    load: str = "storage", N: int | None = None) -> xr.Dataset:
    """One-step stability of an archetype under couplings built from its noisy examples.

    Parameters
    ----------
    P : int >= 2
        Interaction order.
    alpha : float or 1-D array, >= 0
        Load: ``K = alpha N^(P-1)`` (``load='storage'``, ultra-storage) or ``K = alpha N``
        (``load='detection'``, ultra-detection, P > 2).
    r : float or 1-D array in (0, 1]
        Example quality, ``P(chi = +1) = (1 + r)/2``.
    M : int or 1-D array >= 1
        Examples per archetype.
    protocol : {'supervised', 'unsupervised'}
    load : {'storage', 'detection'}
    N : int >= P, optional
        Network size for the ultra-detection cross-talk ``alpha (P-1)! v N^(2-P)``; None:
        its limit 0 (ignored at ``load='storage'``, whose cross-talk does not depend on N).

    Returns
    -------
    xarray.Dataset
        Over ``(alpha, r, M)``: ``rho``; ``cross_talk`` (the variance ``gamma``); ``snr``
        ``= 1/sqrt(rho + gamma)``; ``p_aligned_gauss = Phi(snr)``; ``p_aligned``, the
        probability that a site's field is aligned with the archetype, exact in M (the
        binomial example average) with a Gaussian cross-talk; ``p_error = 1 - p_aligned``
        (summed on its own, accurate where it is small).

    Notes
    -----
    Derivation and normalisation in :mod:`theory.dense_learning.snr`.  At ``r = 1`` (or
    ``M -> infinity``) both protocols give the dense storage result
    ``Phi(1/sqrt(alpha (P-1)!))`` (:func:`theory.dense.signal_to_noise`); the supervised
    storage result is ``Phi(1/sqrt(rho + alpha (P-1)! (1 + rho)^P))``.
    """
    P, protocol, load, N = _check_common(P, protocol, load, N)
    a = check_grid("alpha", alpha, low=0.0)
    rr = check_grid("r", r, low=0.0, high=1.0, low_open=True)
    Ms = np.atleast_1d(np.asarray(M))
    if Ms.ndim != 1:
        raise ValueError(f"M must be a scalar or a 1-D array (got shape {Ms.shape})")
    Ms = np.array([check_int("M", m, low=1) for m in Ms.tolist()], dtype=int)
    A, R, MM = np.meshgrid(a, rr, Ms, indexing="ij")
    rho = dataset_entropy(R, MM)
    gamma = _cross_talk(P, A, variance_factor(P, protocol, R, MM, rho), load, N)
    with np.errstate(divide="ignore"):
        snr = 1.0 / np.sqrt(rho + gamma)  # inf without noise (r = 1, alpha = 0)
    p, p_err = _p_exact_M(R, MM, gamma)
    dims = ("alpha", "r", "M")
    ds = xr.Dataset({"rho": (dims, rho), "cross_talk": (dims, gamma), "snr": (dims, snr),
                     "p_aligned_gauss": (dims, ndtr(snr)), "p_aligned": (dims, p),
                     "p_error": (dims, p_err)},
                    coords={"alpha": a, "r": rr, "M": Ms})
    return _finalize(ds, P, protocol, load, method="signal-to-noise",
                     N=-1 if N is None else N)


def learning_threshold(P: int, alpha: Any, r: Any, *, protocol: str = "supervised",
                       load: str = "storage", snr: float = 1.0,
                       N: int | None = None) -> xr.Dataset:
    """The number of examples from which the archetype's signal-to-noise ratio reaches
    ``snr`` (Gaussian criterion ``1/sqrt(rho + gamma) >= snr``).

    Parameters
    ----------
    P, alpha, r, protocol, load, N
        As in :func:`signal_to_noise`.
    snr : float > 0
        The required ratio (1: 84 % of the sites aligned in the Gaussian approximation).

    Returns
    -------
    xarray.Dataset
        Over ``(alpha, r)``: ``M_threshold`` (real; the smallest integer M that learns is its
        ceiling) and ``rho_threshold``; ``inf`` where no M suffices (the cross-talk alone,
        ``alpha (P-1)!`` at M -> infinity, exceeds ``snr^-2``).

    Notes
    -----
    ``rho + gamma(M)`` falls with M for both protocols.  Unsupervised it is linear in
    ``1/M``: ``M_c = [(1 - r^2)/r^2 + a (1 - r^(2P))/r^(2P)] / (snr^-2 - a)`` with
    ``a = gamma(M -> infinity)``; supervised ``rho_c`` solves
    ``rho + a (1 + rho)^P = snr^-2`` (monotone, bisection to 1e-14) and
    ``M_c = (1 - r^2)/(r^2 rho_c)``.  At low load both give ``M_c = (1 - r^2)/(r^2 snr^-2)``.
    """
    P, protocol, load, N = _check_common(P, protocol, load, N)
    ell = check_scalar("snr", snr, low=0.0, low_open=True)
    a = check_grid("alpha", alpha, low=0.0)
    rr = check_grid("r", r, low=0.0, high=1.0, low_open=True)
    A, R = np.meshgrid(a, rr, indexing="ij")
    target = ell ** -2.0
    big = _cross_talk(P, A, np.ones_like(A), load, N)  # gamma at M -> infinity
    s2 = (1.0 - R * R) / (R * R)  # rho M
    M_c = np.full(A.shape, np.inf)
    rho_c = np.zeros(A.shape)
    ok = big < target
    if protocol == "unsupervised":
        r2P = R ** (2 * P)
        num = s2 + big * (1.0 - r2P) / r2P
        with np.errstate(divide="ignore", invalid="ignore"):
            M_c = np.where(ok, num / (target - big), np.inf)
            rho_c = np.where(ok, s2 / M_c, 0.0)
    else:
        # rho + g (1 + rho)^P - target: < 0 at rho = 0, >= 0 at rho = target; g = 0 has the
        # root target itself
        rho_c = np.where(ok, target, 0.0)
        idx = np.flatnonzero((ok & (big > 0)).ravel())
        if idx.size:
            g = big.ravel()[idx]

            def h(x, j):  # noqa: ANN001, ANN202
                return (x + g[j] * (1.0 + x) ** P - target,
                        1.0 + P * g[j] * (1.0 + x) ** (P - 1))

            br = bracket_root(h, np.zeros(idx.size), np.full(idx.size, target),
                              -np.ones(idx.size), xtol=0.0, rtol=1e-14)
            rho_c.flat[idx] = br.x
        with np.errstate(divide="ignore"):
            M_c = np.where(ok & (rho_c > 0), s2 / np.where(rho_c > 0, rho_c, 1.0), np.inf)
    M_c = np.where(R == 1.0, np.where(ok, 1.0, np.inf), M_c)  # r = 1: one example suffices
    dims = ("alpha", "r")
    ds = xr.Dataset({"M_threshold": (dims, M_c), "rho_threshold": (dims, rho_c)},
                    coords={"alpha": a, "r": rr})
    return _finalize(ds, P, protocol, load, method="signal-to-noise threshold", snr=ell,
                     N=-1 if N is None else N)
