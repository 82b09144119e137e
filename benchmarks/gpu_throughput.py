"""GPU Monte Carlo throughput: the CUDA engine's attempted flips per ns and its roofline share.

For K in {10, 100, 1000} patterns at N = 1000, chain counts from 1,024 to 262,144 laid out
as replicas of a few samples, T = 0 and 0.3, Glauber sequential sweeps of the CUDA engine
(:mod:`montecarlo.engine_cuda`) on the current device, steady state: the best of 3 launches
of enough sweeps to take about 0.3 s, after a warm-up launch (NVRTC compilation, caches).
Also dense P = 3 at K = 100.

Roofline: overlap tracking costs one integer multiply-add per pattern per attempt (the
field), so a device of ``SMs`` streaming multiprocessors with 64 int32 lanes each at clock
``f`` caps it at ``64 SMs f / K`` attempted flips per second (the RNG and the acceptance
updates are not counted: a lower bound of the work, so an upper bound of the rate).

    python benchmarks/gpu_throughput.py [--quick]

Writes benchmarks/results/gpu_throughput_<device>.{txt,json}; without CuPy and a device it
says so and writes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import numpy as np
from _common import write

from assoc.backend import has_cupy
from assoc.models import DenseHebbian, Hopfield
from montecarlo import engine_cuda
from montecarlo.dynamics import Glauber

N = 1000
TARGET_S = 0.3


def cell(cp, K: int, C: int, T: float, P: int = 2) -> dict:  # noqa: ANN001 (cupy module)
    S = max(1, C // 1024)  # replicas of a few samples
    R = C // S
    rng = np.random.default_rng(K * 31 + C)
    xi = (2 * rng.integers(0, 2, (S, K, N), dtype=np.int8) - 1).astype(np.int8)
    spins = np.repeat(xi[:, :1, :], R, axis=1)
    keys = rng.integers(0, 2**63, (S, R, 2)).astype(np.uint64)
    model = Hopfield() if P == 2 else DenseHebbian(P=P)
    st = engine_cuda.init_state(xi, spins, P, device="cuda")

    def run(n: int) -> float:
        cp.cuda.Device().synchronize()
        t = time.perf_counter()
        engine_cuda.run_sweeps(model, Glauber(), xi, st, T, keys, n)
        cp.cuda.Device().synchronize()
        return time.perf_counter() - t

    run(1)
    per = run(1)
    n = int(max(1, min(2000, TARGET_S / max(per, 1e-9))))
    best = min(run(n) for _ in range(3)) / n
    return {"K": K, "chains": C, "samples": S, "T": T, "P": P, "flips_per_ns": N * C / best / 1e9,
            "sweeps_per_call": n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="K = 100, two chain counts only")
    args = ap.parse_args()
    if not has_cupy():
        print("gpu_throughput: no CuPy with a CUDA device here; nothing measured, nothing "
              "written (run it on a GPU machine: benchmarks/gpu_check.sh)")
        return
    import cupy as cp

    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    clock_khz = props.get("clockRate") or cp.cuda.Device().attributes.get("ClockRate", 0)
    sms, clock_ghz = props["multiProcessorCount"], clock_khz / 1e6
    lanes = 64 * sms * clock_ghz  # int32 multiply-adds per ns
    Ks = (100,) if args.quick else (10, 100, 1000)
    Cs = (16384, 131072) if args.quick else (1024, 8192, 32768, 131072, 262144)
    lines = [f"device {name}: {sms} SMs at {clock_ghz:.2f} GHz; roofline 64 SMs f / K "
             f"attempted flips per ns; N = {N}, Glauber sequential, best of 3",
             f"{'P':>2} {'K':>5} {'chains':>7} {'T':>4} {'flips/ns':>9} {'roofline':>9} {'%':>6}"]
    print("\n".join(lines), flush=True)
    rows = []
    todo = [(2, K, C, T) for K in Ks for C in Cs for T in (0.0, 0.3)]
    todo += [(3, 100, C, T) for C in Cs[-2:] for T in (0.0, 0.3)]
    for P, K, C, T in todo:
        r = cell(cp, K, C, T, P)
        r["roofline_flips_per_ns"] = lanes / K
        r["roofline_fraction"] = r["flips_per_ns"] / r["roofline_flips_per_ns"]
        rows.append(r)
        lines.append(f"{P:>2} {K:>5} {C:>7} {T:>4} {r['flips_per_ns']:>9.2f} "
                     f"{r['roofline_flips_per_ns']:>9.1f} {100 * r['roofline_fraction']:>6.1f}")
        print(lines[-1], flush=True)
    k100 = [r for r in rows if r["K"] == 100 and r["P"] == 2]
    best = max(k100, key=lambda r: r["flips_per_ns"])
    lines.append(f"K = 100: best {best['flips_per_ns']:.1f} attempted flips per ns "
                 f"({best['chains']} chains, T = {best['T']}; target 100)")
    print(lines[-1])
    tag = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    write(f"gpu_throughput_{tag}", lines, {"device": name, "sms": sms, "clock_ghz": clock_ghz,
                                           "N": N, "rows": rows})


if __name__ == "__main__":
    sys.exit(main())
