"""Monte Carlo throughput: the compiled engine against a hand-written numba loop, in one run.

For every cell of the grid -- K in {10, 100, 1000} patterns, N = 1000; 64, 256 and 1024
chains either as replicas of one sample ("replicas") or as 2 replicas of C/2 samples
("samples"); T = 0 and 0.3; Hopfield, multitasking (diluted patterns, d = 0.5) and dense
P = 3, 4 -- it times Glauber sequential sweeps of

* the compiled engine (:mod:`montecarlo.engine_compiled`, all cores), steady state: the
  best of 3 calls, each sized to about 0.3 s, after a warm-up sweep;
* the baseline (``benchmarks/_numba_baseline.py``): one chain per thread, overlaps tracked,
  the faster of its float64 and int32 variants, timed the same way, call by call in
  rounds with the engine (this machine's speed drifts by 2x over seconds);

and prints attempted flips per second side by side with their ratio, the dense engine's
rate as a fraction of the Hopfield engine's at the same K and layout, and the fraction of
the machine's roofline (``2K`` operations per attempt against the nominal peak of fused
multiply-adds on all cores; acceptance updates are not counted, so it is a lower bound).
The engine's setup time (patterns laid out, overlaps initialised) is printed beside, and
the fraction of attempts that flipped (one sequential sweep after the timing: each site is
attempted once, so the spins that changed are the flips).

A flip costs more than a rejected attempt (its update of the overlaps, and a branch the
core cannot predict), and at T = 0.3 the dense chains flip far more often than the
Hopfield ones (P = 3 about 25% of attempts, P = 4 a paramagnet at 50%, Hopfield retrieving
at 0.4 to 4%). A third part therefore also sets each dense cell of 256 replicas beside the
Hopfield engine at the lowest temperature of ``T_MATCH`` where its chains flip at least as
often as the dense ones (95% of their fraction, or the last of ``T_MATCH``): dense against
pairwise at equal acceptance.

A second part measures the memory of ``simulate`` at N = 1e4, K = 1e3, 128 samples x 2
replicas (peak resident set of a fresh process) against the 4 GiB target.

    python benchmarks/mc_throughput.py [--quick] [--no-memory | --memory-only]

Writes benchmarks/results/mc_throughput.{txt,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import _numba_baseline as baseline
import numba
import numpy as np
from _common import write

from assoc.models import DenseHebbian, Hopfield
from montecarlo import engine_compiled as engine
from montecarlo.dynamics import Glauber

N = 1000
TARGET_S = 0.3  # seconds per timed call
T_MATCH = (0.3, 0.5, 1.0, 2.0, 5.0, 20.0, 1000.0)  # Hopfield temperatures of the third part


def peak_ops() -> float:
    """Nominal single-precision peak of all cores: 2 FMA units x 8 lanes x 2 operations x
    clock (AVX2, the vectors numba emits), the issue's roofline convention."""
    mhz = 0.0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                mhz = max(mhz, float(line.split(":")[1]))
    return (os.cpu_count() or 1) * mhz * 1e6 * 32


def patterns(rng: np.random.Generator, S: int, K: int, diluted: bool) -> np.ndarray:
    xi = (2 * rng.integers(0, 2, (S, K, N), dtype=np.int8) - 1).astype(np.int8)
    if diluted:  # multitasking: half the entries blank (d = 0.5)
        xi *= rng.integers(0, 2, (S, K, N), dtype=np.int8)
    return xi


def timed(*fns) -> list[tuple[float, int]]:
    """(best seconds per sweep of 3 calls, sweeps per call) of each of ``fns``: calls sized
    to TARGET_S from a 1-sweep call made after the warm-up (which pays the one-time
    costs), and taken in rounds, one call of each function a round, so that all of them
    see the same spells of this shared machine."""
    sizes = []
    for fn in fns:
        fn(1)
        t = time.perf_counter()
        fn(1)
        per_sweep = time.perf_counter() - t
        sizes.append(int(max(1, min(10_000, TARGET_S / max(per_sweep, 1e-9)))))
    best = [np.inf] * len(fns)
    for _ in range(3):
        for k, (fn, n) in enumerate(zip(fns, sizes, strict=True)):
            t = time.perf_counter()
            fn(n)
            best[k] = min(best[k], (time.perf_counter() - t) / n)
    return list(zip(best, sizes, strict=True))


def setup(model_name: str, K: int, C: int, layout: str) -> tuple:
    """(model, P, xi, start spins, keys) of a cell: chains at pattern 0."""
    S, R = (1, C) if layout == "replicas" else (C // 2, 2)
    rng = np.random.default_rng(K * 7919 + C)
    xi = patterns(rng, S, K, model_name == "multitasking")
    start = np.where(xi[:, :1, :] != 0, xi[:, :1, :], 1).astype(np.int8)
    spins = np.repeat(start, R, axis=1)
    keys = rng.integers(0, 2**63, (S, R, 2)).astype(np.uint64)
    P = int(model_name[-1]) if model_name.startswith("dense") else 2
    return (DenseHebbian(P=P) if P > 2 else Hopfield()), P, xi, spins, keys


def flip_fraction(model, xi: np.ndarray, st, T: float, keys: np.ndarray) -> float:  # noqa: ANN001
    """Fraction of the attempts of one sequential sweep that flipped."""
    before = st.sc.copy()
    engine.run_sweeps(model, Glauber(), xi, st, T, keys, 1)
    return float(np.mean(st.sc != before))


def cell(model_name: str, K: int, C: int, layout: str, T: float, baseline_too: bool = True) -> dict:
    model, P, xi, spins, keys = setup(model_name, K, C, layout)
    S, R = spins.shape[:2]
    rule = Glauber()
    t0 = time.perf_counter()
    st = engine.init_state(xi, spins, P)
    setup_s = time.perf_counter() - t0
    beta = np.full(S * R, np.inf if T == 0 else 1.0 / T)
    fns = [lambda n: engine.run_sweeps(model, rule, xi, st, T, keys, n)]
    for overlaps in (np.float64, np.int32) if baseline_too else ():
        args = baseline.setup(xi, spins, overlaps)
        fns.append(lambda n, a=args: baseline.sweeps(*a, beta, n, P))
    (eng, n_eng), *bases = timed(*fns)
    base = min((b for b, _ in bases), default=np.inf)
    flips = flip_fraction(model, xi, st, T, keys)
    attempts = N * S * R
    return {"model": model_name, "K": K, "chains": C, "layout": layout, "T": T,
            "engine": attempts / eng, "baseline": attempts / base, "ratio": base / eng,
            "engine_setup_s": setup_s, "sweeps_per_call": n_eng, "flips": flips}


def matched(rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Dense cells of 256 replicas at T = 0.3 against the Hopfield engine at the lowest
    ``T_MATCH`` whose chains flip at least 95% as often (same K and layout)."""
    lines = ["dense at T = 0.3 against the Hopfield engine at equal acceptance (256 replicas): "
             "the lowest T of " + ", ".join(map(str, T_MATCH)) + " where Hopfield chains flip "
             "at least 95% as often",
             f"{'model':>8} {'K':>5} {'flips':>6} {'dense':>10} {'Hopf T':>6} {'flips':>6} "
             f"{'Hopfield':>10} {'ratio':>6}"]
    print("\n".join(lines), flush=True)
    out = []
    for r in rows:
        if not (r["model"].startswith("dense") and r["T"] == 0.3 and r["chains"] == 256
                and r["layout"] == "replicas"):
            continue
        for Th in T_MATCH:
            model, P, xi, spins, keys = setup("hopfield", r["K"], 256, "replicas")
            st = engine.init_state(xi, spins, P)
            engine.run_sweeps(model, Glauber(), xi, st, Th, keys, 3)
            f = flip_fraction(model, xi, st, Th, keys)
            if f >= 0.95 * r["flips"]:
                break
        h = cell("hopfield", r["K"], 256, "replicas", Th, baseline_too=False)
        m = {"model": r["model"], "K": r["K"], "flips": r["flips"], "dense": r["engine"],
             "hopfield_T": Th, "hopfield_flips": h["flips"], "hopfield": h["engine"],
             "ratio": r["engine"] / h["engine"]}
        out.append(m)
        lines.append(f"{m['model']:>8} {m['K']:>5} {m['flips']:>6.3f} {m['dense']:>10.3e} "
                     f"{Th:>6g} {m['hopfield_flips']:>6.3f} {m['hopfield']:>10.3e} "
                     f"{m['ratio']:>6.2f}")
        print(lines[-1], flush=True)
    return lines, out


def memory_probe() -> dict:
    """Peak RSS (VmHWM) of simulate at N = 1e4, K = 1e3, 128 samples x 2 replicas, in a
    fresh process."""
    code = """
import time, json
from assoc.models import Hopfield
from montecarlo import simulate
t = time.perf_counter()
ds = simulate(Hopfield(), N=10000, alpha=0.1, T=0.3, samples=128, replicas=2, sweeps=2,
              burn_in=0, seed=1)
# VmHWM: this process's own high-water mark (ru_maxrss would carry over the parent's at fork)
hwm = [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM")]
print(json.dumps({"seconds": time.perf_counter() - t, "peak_rss": hwm[0],
                  "m": float(ds.m.mean())}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="K = 100, 256 chains only")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the memory probe (writes mc_memory.{txt,json})")
    args = ap.parse_args()
    if args.memory_only:
        mem = memory_probe()
        line = (f"memory: simulate N = 1e4, K = 1e3, 128 samples x 2 replicas, 2 sweeps: "
                f"peak RSS {mem['peak_rss'] / 2**30:.2f} GiB (target 4 GiB), "
                f"{mem['seconds']:.1f} s")
        print(line)
        write("mc_memory", [line], {"memory": mem})
        return
    peak = peak_ops()
    Ks = (100,) if args.quick else (10, 100, 1000)
    Cs = (256,) if args.quick else (64, 256, 1024)
    lines = [f"N = {N}, Glauber sequential, attempted flips per second (steady state, best of "
             f"3); {numba.get_num_threads()} threads; nominal peak {peak:.3e} ops/s",
             f"{'model':>12} {'K':>5} {'chains':>6} {'layout':>8} {'T':>4} {'engine':>10} "
             f"{'baseline':>10} {'ratio':>6} {'vs Hopf':>7} {'roofline':>8} {'setup s':>7} "
             f"{'flips':>6}"]
    print("\n".join(lines), flush=True)
    rows = []
    hopfield: dict[tuple, float] = {}
    for K in Ks:
        for C in Cs:
            for layout in ("replicas", "samples"):
                for T in (0.0, 0.3):
                    for name in ("hopfield", "multitasking", "dense3", "dense4"):
                        r = cell(name, K, C, layout, T)
                        key = (K, C, layout, T)
                        if name == "hopfield":
                            hopfield[key] = r["engine"]
                        r["fraction_of_hopfield"] = r["engine"] / hopfield[key]
                        r["roofline_fraction"] = r["engine"] * 2 * K / peak
                        rows.append(r)
                        lines.append(
                            f"{name:>12} {K:>5} {C:>6} {layout:>8} {T:>4} {r['engine']:>10.3e} "
                            f"{r['baseline']:>10.3e} {r['ratio']:>6.2f} "
                            f"{r['fraction_of_hopfield']:>7.2f} {r['roofline_fraction']:>8.3f} "
                            f"{r['engine_setup_s']:>7.3f} {r['flips']:>6.3f}")
                        print(lines[-1], flush=True)
    pair = [r for r in rows if r["model"] in ("hopfield", "multitasking")]
    dense = [r for r in rows if r["model"].startswith("dense")]
    lines.append(f"Hopfield and multitasking: ratio to the baseline min "
                 f"{min(r['ratio'] for r in pair):.2f}, "
                 f"median {np.median([r['ratio'] for r in pair]):.2f}; cells below 1.5: "
                 f"{sum(r['ratio'] < 1.5 for r in pair)} of {len(pair)}")
    lines.append(f"dense P = 3, 4: fraction of the Hopfield engine's rate min "
                 f"{min(r['fraction_of_hopfield'] for r in dense):.2f}, median "
                 f"{np.median([r['fraction_of_hopfield'] for r in dense]):.2f}; ratio to their "
                 f"baseline min {min(r['ratio'] for r in dense):.2f}")
    k100 = [r for r in rows
            if r["K"] == 100 and r["chains"] == max(Cs) and r["model"] == "hopfield"]
    lines.append("K = 100, most chains, Hopfield: roofline fraction " + ", ".join(
        f"{r['layout']} T={r['T']}: {r['roofline_fraction']:.3f}" for r in k100))
    summary = lines[-3:]
    match_lines, match_rows = matched(rows)
    lines += match_lines
    if match_rows:
        summary.append(f"dense P = 3, 4 at equal acceptance: fraction of the Hopfield engine's "
                       f"rate min {min(m['ratio'] for m in match_rows):.2f}, median "
                       f"{np.median([m['ratio'] for m in match_rows]):.2f}")
        lines.append(summary[-1])
    data = {"N": N, "peak_ops_per_s": peak, "threads": numba.get_num_threads(), "rows": rows,
            "matched": match_rows}
    if not args.no_memory:
        mem = memory_probe()
        data["memory"] = mem
        lines.append(f"memory: simulate N = 1e4, K = 1e3, 128 samples x 2 replicas, 2 sweeps: "
                     f"peak RSS {mem['peak_rss'] / 2**30:.2f} GiB (target 4 GiB), "
                     f"{mem['seconds']:.1f} s")
        summary.append(lines[-1])
    print("\n".join(summary))
    write("mc_throughput" + ("_quick" if args.quick else ""), lines, data)


if __name__ == "__main__":
    main()
