"""Chain state, kept apart from the (frozen) model and update-rule specifications."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ChainState"]


@dataclass
class ChainState:
    """State of a batch of Markov chains that share a size N and a pattern count K.

    Chains are laid out as (sample S, chain-in-sample R): chains of one sample
    share its patterns (they are its temperatures x replicas).

    Attributes
    ----------
    spins : ndarray, shape (N, S, R)
        Spins +-1 (float32 or float64: exact small integers), site-major so that
        the chains' spins at one site are contiguous.
    M : ndarray, shape (S, K, R)
        Integer overlaps ``M[s, mu, r] = sum_i xi[s, mu, i] spins[i, s, r]``,
        stored in a float dtype whose integers are exact for the sizes used.
    sweep : int
        Completed sweeps; the thermal-noise counter of the next step is
        ``sweep * N + step`` (see :mod:`assoc.philox`).
    """

    spins: np.ndarray
    M: np.ndarray
    sweep: int = 0

    @property
    def N(self) -> int:
        return self.spins.shape[0]

    def recomputed_overlaps(self, xi: np.ndarray) -> np.ndarray:
        """Overlaps recomputed from scratch (int64), for checks."""
        s = self.spins.astype(np.int64)
        return np.einsum("ski,isr->skr", xi.astype(np.int64), s)
