"""Helpers of the benchmark scripts: machine description and result files."""

from __future__ import annotations

import json
import os
import pathlib
import platform
import time

import numpy as np

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"NumPy {np.__version__}")


def best_of(fn, repeats: int = 3) -> float:
    """Smallest wall time of ``repeats`` calls of ``fn`` (seconds)."""
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def write(name: str, lines: list[str], data: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header = [f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  {machine()}; load average {load}"]
    (RESULTS / f"{name}.txt").write_text("\n".join(header + lines) + "\n")
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": machine(), **data}, indent=2))
