"""Monte Carlo throughput: attempted flips per second of the NumPy engine.

N = 1000, K = 100, T = 0.3, Glauber sequential sweeps, 64 / 256 / 1024 chains
(replicas of one pattern set), against a naive NumPy implementation that keeps
the full coupling matrix and computes h_i = J_i . s for all chains at once
(O(N) per flip). The naive baseline is timed with the BLAS pool as it is and with one
thread, and its faster figure is used. As a correctness check the retrieval overlap of both
after the same number of sweeps from the pattern is printed. Prints the figures and writes
benchmarks/results/mc_throughput.*.

    python benchmarks/mc_throughput.py [--sweeps 10]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import best_of, write

from assoc.backend import blas_threads
from assoc.models import Hopfield
from assoc.patterns import unbiased
from montecarlo.dynamics import Glauber
from montecarlo.engine_numpy import init_state, run_sweeps

N, K, T = 1000, 100, 0.3


def naive_sweeps(J: np.ndarray, S: np.ndarray, beta: float, rng: np.random.Generator,
                 n: int) -> None:
    """Heat-bath sweeps with the full coupling matrix: h = J_i . s (float64), spins (N, C)."""
    for _ in range(n):
        u = rng.random(S.shape)
        for i in range(S.shape[0]):
            h = J[i] @ S
            dE = 2.0 * S[i] * h
            flip = u[i] < 1.0 / (1.0 + np.exp(beta * dE))
            S[i] = np.where(flip, -S[i], S[i])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sweeps", type=int, default=40)  # per timed call: steady state
    ap.add_argument("--naive-sweeps", type=int, default=3)
    args = ap.parse_args()
    xi = unbiased(K, N, seed=1)
    J = (xi.T.astype(np.float64) @ xi.astype(np.float64)) / N
    np.fill_diagonal(J, 0.0)
    lines = [f"N={N} K={K} T={T} Glauber sequential; attempted flips per second (best of 3)",
             f"{'chains':>7} {'engine':>12} {'naive J.s':>12} {'ratio':>7}"]
    rows = []
    for C in (64, 256, 1024):
        spins = np.repeat(xi[None, None, 0, :], C, axis=1)  # (1, C, N), start at pattern 0
        keys = np.random.default_rng(C).integers(0, 2**63, (1, C, 2)).astype(np.uint64)
        state = init_state(xi[None], spins)
        Tc = np.full((1, C), T)
        run_sweeps(Hopfield(), Glauber(), xi[None], state, Tc, keys, 1)  # warm-up
        t_eng = best_of(lambda st=state, Tc=Tc, keys=keys: run_sweeps(
            Hopfield(), Glauber(), xi[None], st, Tc, keys, args.sweeps))
        eng = args.sweeps * N * C / t_eng
        nv = 0.0
        for threads in (None, 1):
            S = np.repeat(xi[0].astype(np.float64)[:, None], C, axis=1)
            rng = np.random.default_rng(0)
            with blas_threads(threads):
                t_nv = best_of(lambda S=S, rng=rng: naive_sweeps(J, S, 1.0 / T, rng,
                                                                 args.naive_sweeps))
            nv = max(nv, args.naive_sweeps * N * C / t_nv)
        n_check = 3 * args.naive_sweeps  # the naive chains have run this many sweeps
        fresh = init_state(xi[None], spins)
        run_sweeps(Hopfield(), Glauber(), xi[None], fresh, Tc, keys, n_check)
        m_eng = float((fresh.M[0, 0] / N).mean())
        m_nv = float((xi[0] @ S / N).mean())
        lines.append(f"{C:>7} {eng:>12.3e} {nv:>12.3e} {eng / nv:>7.1f}"
                     f"   (m after {n_check} sweeps: engine {m_eng:.3f}, naive {m_nv:.3f})")
        rows.append({"chains": C, "engine_flips_per_s": eng, "naive_flips_per_s": nv,
                     "ratio": eng / nv})
        print(lines[-1], flush=True)
    write("mc_throughput", lines, {"N": N, "K": K, "T": T, "rows": rows})
    print("\n".join(lines[:2]))


if __name__ == "__main__":
    main()
