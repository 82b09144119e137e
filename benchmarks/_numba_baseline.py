"""The baseline of the throughput benchmark: the overlap-tracking loop a practitioner writes.

One chain per thread (``prange`` over all chains), patterns stored site-major per sample
(``xiT[s, i, :]``, int8), integer overlaps tracked per chain and updated on each flip,
Glauber heat-bath acceptance from numba's per-thread Mersenne twister (the legacy
``np.random`` API is what numba compiles per thread) and ``exp``; at
T = 0 the zero-temperature rule (flip if dE < 0, and with probability 1/2 if dE = 0).
Pairwise networks use the self-coupling ``c_i = sum_mu (xi^mu_i)^2``; dense ones the
closed forms of ``e_(P-1)`` of the other N - 1 spins (P = 3, 4). Two variants differ only in
how the overlaps are held, float64 or int32; the benchmark uses the faster in each cell.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


def _sweeps(xiT, c_self, M, spins, chain_sample, beta, n_sweeps, P):  # noqa: ANN001, ANN202
    C = M.shape[0]
    N, K = xiT.shape[1], xiT.shape[2]
    scale = 2.0 / N ** (P - 1)
    for c in prange(C):
        s = chain_sample[c]
        m = M[c]
        sp = spins[c]
        b = beta[c]
        for _ in range(n_sweeps):
            for i in range(N):
                row = xiT[s, i]
                si = sp[i]
                if P == 2:
                    h = 0
                    for k in range(K):
                        h += row[k] * m[k]
                    x = si * h - c_self[s, i]
                else:  # sum_mu xi e_(P-1)(x^mu of the other N - 1 spins), M' = M - xi s
                    h = 0.0
                    n1 = N - 1.0
                    for k in range(K):
                        mp = m[k] - row[k] * si
                        if P == 3:
                            e = (mp * mp - n1) / 2.0
                        else:
                            e = (mp * mp * mp - 3.0 * mp * n1 + 2.0 * mp) / 6.0
                        h += row[k] * e
                    x = si * h
                dE = scale * x
                if b == math.inf:
                    flip = dE < 0 or (dE == 0 and np.random.random() < 0.5)  # noqa: NPY002
                else:
                    flip = np.random.random() < 1.0 / (1.0 + math.exp(b * dE))  # noqa: NPY002
                if flip:
                    sp[i] = -si
                    for k in range(K):
                        m[k] -= 2 * si * row[k]


sweeps = njit(parallel=True, cache=True)(_sweeps)


def setup(xi: np.ndarray, spins: np.ndarray, overlaps: type) -> tuple:
    """Baseline state from patterns (S, K, N) and spins (S, R, N): everything but beta."""
    S, K, N = xi.shape
    R = spins.shape[1]
    xiT = np.ascontiguousarray(np.transpose(xi, (0, 2, 1)))
    c_self = (xi.astype(np.int64) ** 2).sum(axis=1)
    sp = spins.reshape(S * R, N).astype(np.int8).copy()
    M = np.stack([spins[s].astype(np.float64) @ xi[s].T.astype(np.float64) for s in range(S)])
    return xiT, c_self, M.reshape(S * R, K).astype(overlaps), sp, np.repeat(np.arange(S), R)
