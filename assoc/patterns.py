"""Pattern and example generators (THEORY.md sections 1, 3, 4).

All generators return ``int8`` arrays with the pattern index first and the
site index last, take a keyword-only ``seed`` and a ``backend``; the draws are
made with NumPy from the given seed (so NumPy and CuPy results are identical)
and moved to the device at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import get_namespace
from .seeding import SeedLike, normalize_seed
from .validation import check_int, check_real

__all__ = ["unbiased", "diluted", "noisy_examples", "dataset_entropy"]


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(normalize_seed(seed))


def unbiased(K: int, N: int, *, seed: SeedLike = None, backend: str = "numpy") -> Any:
    """K unbiased binary patterns, ``xi[mu, i] = +-1`` with probability 1/2.

    Returns
    -------
    int8 array, shape (K, N)
    """
    K = check_int("K", K, low=0)
    N = check_int("N", N, low=1)
    xi = (2 * _rng(seed).integers(0, 2, size=(K, N), dtype=np.int8) - 1).astype(np.int8)
    return get_namespace(backend=backend).asarray(xi)


def diluted(K: int, N: int, d: float, *, seed: SeedLike = None, backend: str = "numpy") -> Any:
    """Diluted patterns ``xi in {-1, 0, +1}``: P(0) = d, P(+1) = P(-1) = (1 - d)/2.

    Agliari et al., PRL 109, 268101 (2012), doi:10.1103/PhysRevLett.109.268101.
    """
    K = check_int("K", K, low=0)
    N = check_int("N", N, low=1)
    d = float(check_real("d", d, low=0.0, high=1.0, high_open=True))
    rng = _rng(seed)
    sign = 2 * rng.integers(0, 2, size=(K, N), dtype=np.int8) - 1
    keep = rng.random((K, N)) >= d
    return get_namespace(backend=backend).asarray((sign * keep).astype(np.int8))


def noisy_examples(
    xi: Any, r: float, M: int, *, seed: SeedLike = None, backend: str | None = None
) -> Any:
    """Noisy examples ``eta[mu, a, i] = xi[mu, i] * chi[mu, a, i]`` of archetypes ``xi``.

    ``chi = +-1`` with ``P(chi = +1) = (1 + r)/2``, so ``E[eta xi] = r`` (quality r);
    Agliari et al., arXiv:2211.14067, arXiv:2212.00606.

    Returns
    -------
    int8 array, shape (K, M, N)
    """
    r = float(check_real("r", r, low=0.0, high=1.0, low_open=True))
    M = check_int("M", M, low=1)
    xp = get_namespace(xi, backend=backend)
    xi_h = np.asarray(xi.get() if hasattr(xi, "get") else xi, dtype=np.int8)
    if xi_h.ndim != 2:
        raise ValueError(f"xi must have shape (K, N) (got {xi_h.shape})")
    K, N = xi_h.shape
    flip = _rng(seed).random((K, M, N)) >= (1.0 + r) / 2.0
    chi = np.where(flip, -1, 1).astype(np.int8)
    return xp.asarray(xi_h[:, None, :] * chi)


def dataset_entropy(r: float, M: int) -> float:
    """``rho = (1 - r**2) / (M r**2)``, the inverse signal-to-noise of the example mean."""
    r = float(check_real("r", r, low=0.0, high=1.0, low_open=True))
    M = check_int("M", M, low=1)
    return (1.0 - r * r) / (M * r * r)
