"""Thread scaling of the compiled engine and of the numba baseline, in one run.

For one sample x 256 replicas at N = 1000 (Glauber sequential), K in {10, 100} and T in
{0, 0.3}: nanoseconds per attempted flip of the compiled engine (:mod:`montecarlo.engine_compiled`)
and of the hand-written baseline (``benchmarks/_numba_baseline.py``, int32 overlaps) with 1
and 2 threads, interleaved, best of 5 calls of 5 sweeps each, and the speed-up of each from
1 to 2 threads. It separates a per-thread advantage from a scaling difference.

    python benchmarks/mc_scaling.py

Writes benchmarks/results/mc_scaling.{txt,json}.
"""

from __future__ import annotations

import time

import _numba_baseline as baseline
import numba
import numpy as np
from _common import write

from assoc.models import Hopfield
from montecarlo import engine_compiled as engine
from montecarlo.dynamics import Glauber

N, C, SWEEPS, REPEATS = 1000, 256, 5, 5


def cell(K: int, T: float) -> dict:
    rng = np.random.default_rng(K * 7919 + C)
    xi = (2 * rng.integers(0, 2, (1, K, N), dtype=np.int8) - 1).astype(np.int8)
    spins = np.repeat(xi[:, :1, :], C, axis=1)
    keys = rng.integers(0, 2**63, (1, C, 2)).astype(np.uint64)
    st = engine.init_state(xi, spins, 2)
    beta = np.full(C, np.inf if T == 0 else 1.0 / T)
    args = baseline.setup(xi, spins, np.int32)

    def eng(th: int):
        return lambda: engine.run_sweeps(Hopfield(), Glauber(), xi, st, T, keys, SWEEPS,
                                         threads=th)

    def base(th: int):
        def f() -> None:
            before = numba.get_num_threads()
            numba.set_num_threads(th)
            try:
                baseline.sweeps(*args, beta, SWEEPS, 2)
            finally:
                numba.set_num_threads(before)
        return f

    fs = {"engine_1": eng(1), "engine_2": eng(2), "baseline_1": base(1), "baseline_2": base(2)}
    for f in fs.values():
        f()
    best = {k: np.inf for k in fs}
    for _ in range(REPEATS):
        for k, f in fs.items():
            t = time.perf_counter()
            f()
            best[k] = min(best[k], (time.perf_counter() - t) / (SWEEPS * N * C) * 1e9)
    return {"K": K, "T": T, **{f"ns_{k}": v for k, v in best.items()},
            "engine_scaling": best["engine_1"] / best["engine_2"],
            "baseline_scaling": best["baseline_1"] / best["baseline_2"],
            "ratio_1_thread": best["baseline_1"] / best["engine_1"],
            "ratio_2_threads": best["baseline_2"] / best["engine_2"]}


def main() -> None:
    lines = [f"N = {N}, 1 sample x {C} replicas, Glauber sequential; ns per attempted flip "
             f"(best of {REPEATS}); speed-up 1 -> 2 threads; ratio = baseline / engine",
             f"{'K':>4} {'T':>4} {'eng 1':>7} {'eng 2':>7} {'base 1':>7} {'base 2':>7} "
             f"{'eng x':>6} {'base x':>6} {'ratio 1':>7} {'ratio 2':>7}"]
    print("\n".join(lines), flush=True)
    rows = []
    for K in (10, 100):
        for T in (0.0, 0.3):
            r = cell(K, T)
            rows.append(r)
            lines.append(f"{K:>4} {T:>4} {r['ns_engine_1']:>7.1f} {r['ns_engine_2']:>7.1f} "
                         f"{r['ns_baseline_1']:>7.1f} {r['ns_baseline_2']:>7.1f} "
                         f"{r['engine_scaling']:>6.2f} {r['baseline_scaling']:>6.2f} "
                         f"{r['ratio_1_thread']:>7.2f} {r['ratio_2_threads']:>7.2f}")
            print(lines[-1], flush=True)
    write("mc_scaling", lines, {"N": N, "chains": C, "rows": rows})


if __name__ == "__main__":
    main()
