"""Campaign overhead: in-process scheduling plus persistence for 10,000 tiny tasks.

A campaign of ``--tasks`` tiny Hopfield tasks (one sample each: N = 40..76, K = 2..5,
two replicas at T = 0.3, ``--sweeps`` sweeps) runs in-process into a fresh zarr store. Its
wall time, from ``Campaign(spec).run(store)`` to the returned Dataset (layout, every task,
every chunk and log line, the final read), is compared in the same run with a plain loop
that computes the same tasks and keeps their arrays in memory (the baseline; it runs
before and after the campaign and their mean is used, as the machine is shared).

Reported:
* overhead = 1 - (baseline loop time) / (campaign time): the share of the campaign's
  time spent on scheduling and persistence (the target is under 20%);
* the same share measured inside the campaign, 1 - (sum of the tasks' compute seconds
  recorded in the log) / (campaign time);
* per-task milliseconds of each.

The results are checked equal to the baseline's arrays, bit for bit. Prints the figures
and writes benchmarks/results/campaign_overhead.*.

    python benchmarks/campaign_overhead.py [--tasks 10000] [--sweeps 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time

import numpy as np
from _common import write

from assoc.seeding import normalize_seed
from montecarlo import Campaign


def spec(n_tasks: int, sweeps: int) -> dict:
    n_alpha, n_N = 10, 10  # 100 grid points x samples = tasks
    if n_tasks % (n_alpha * n_N):
        raise SystemExit("--tasks must be a multiple of 100")
    return {"model": {"name": "hopfield"}, "alpha": [0.05 + 0.005 * i for i in range(n_alpha)],
            "N": [40 + 4 * i for i in range(n_N)], "T": [0.3],
            "samples": n_tasks // (n_alpha * n_N), "samples_per_task": 1, "sweeps": sweeps,
            "burn_in": sweeps // 2, "seed": 2026}


def baseline(c: Campaign) -> tuple[float, list[dict]]:
    """The same tasks in a plain loop, results kept in memory; (seconds, results)."""
    root = normalize_seed(c.seed)
    t = time.perf_counter()
    out = [c.grid.run(root, task.point, task.samples) for task in c.tasks]
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--sweeps", type=int, default=10)
    args = ap.parse_args()
    c = Campaign(spec(args.tasks, args.sweeps))
    n = len(c.tasks)
    c.grid.run(normalize_seed(0), c.tasks[0].point, [0])  # warm the imports and caches
    import dask.array  # noqa: F401  (the store's imports too: a one-off cost, not per task)
    import zarr  # noqa: F401
    base1, ref = baseline(c)
    folder = tempfile.mkdtemp(prefix="campaign-overhead-")
    try:
        store = f"{folder}/bench.zarr"
        t = time.perf_counter()
        ds = c.run(store, progress=False)
        total = time.perf_counter() - t
        with open(f"{store}/.campaign/log.jsonl") as f:
            compute = sum(e["seconds"] for e in map(json.loads, f) if e["event"] == "done")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base2, _ = baseline(c)
    for task, r in zip(c.tasks, ref, strict=True):  # the stored results are the loop's
        region = task.region(c.model.controls)
        for k, v in r.items():
            np.testing.assert_array_equal(ds[k][region].values, v, err_msg=k)
    base = (base1 + base2) / 2
    over = 1 - base / total
    inner = 1 - compute / total
    lines = [
        f"{n} tasks (Hopfield, one sample each, N = 40..76, T = 0.3, 2 replicas, "
        f"{args.sweeps} sweeps + {args.sweeps // 2} burn-in), in-process, fresh zarr store",
        f"baseline loop (same tasks, results in memory): {base:8.2f} s "
        f"({base1:.2f} s before, {base2:.2f} s after); {base / n * 1e3:6.2f} ms per task",
        f"campaign run (layout, tasks, chunks, log, final read): {total:8.2f} s; "
        f"{total / n * 1e3:6.2f} ms per task",
        f"overhead vs the baseline loop: {over:6.1%} ({(total - base) / n * 1e3:.2f} ms per "
        f"task; target < 20%)",
        f"overhead vs the tasks' own compute seconds: {inner:6.1%} "
        f"({(total - compute) / n * 1e3:.2f} ms per task)",
        "stored results equal the loop's, bit for bit",
    ]
    print("\n".join(lines))
    write("campaign_overhead", lines, {
        "tasks": n, "sweeps": args.sweeps, "baseline_s": [base1, base2], "campaign_s": total,
        "compute_s": compute, "overhead_vs_baseline": over, "overhead_vs_compute": inner})


if __name__ == "__main__":
    main()
