"""Throughput of batched modern-Hopfield retrieval against a bare matmul + softmax.

Prints, for a few shapes (B states, N patterns, d dimensions), the throughput of one
``assoc.modern.update`` (``xi <- X softmax(beta X^T xi)`` for all B states) in
states x patterns x dimension per second, and the ratio of its time to

- ``matmul+softmax``: one ``(B, d) @ (d, N)`` product followed by a plain NumPy/CuPy
  softmax over N (the acceptance reference: the update must stay within 2x of it; the
  update does a second product of the same size, so 2x is its FLOP ratio);
- ``naive attention``: ``softmax(beta Q X^T) X`` written plainly (both products, softmax
  with temporaries), for context.

Usage::

    python benchmarks/modern_retrieval.py [--backend numpy|cupy] [--repeat 5] [--write]

``--write`` stores the printed table in benchmarks/results/modern_retrieval.txt.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import assoc
import assoc.modern as am
from assoc.backend import resolve_backend

SHAPES = [(256, 4096, 64), (1024, 1024, 128), (64, 16384, 32), (2048, 512, 256)]


def _time(f: Callable[[], Any], repeat: int, sync: Callable[[], None]) -> float:
    f()
    sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    xp = resolve_backend(args.backend)

    def sync() -> None:
        if args.backend == "cupy":
            xp.cuda.Stream.null.synchronize()

    beta = 0.125
    lines = [
        f"assoc {assoc.__version__}  backend={args.backend}  numpy {np.__version__}  "
        f"python {platform.python_version()}  cpus={os.cpu_count()}  float64",
        f"{'B':>6} {'N':>6} {'d':>4} | {'update s':>9} {'G sNd/s':>8} | "
        f"{'mm+sm s':>9} {'ratio':>6} | {'naive s':>9} {'ratio':>6}",
    ]
    worst = 0.0
    for B, N, d in SHAPES:
        rng = np.random.default_rng(0)
        X = xp.asarray(rng.standard_normal((N, d)))
        Q = xp.asarray(rng.standard_normal((B, d)))

        def ours(Q: Any = Q, X: Any = X) -> Any:
            return am.update(Q, X, beta)

        def mm_softmax(Q: Any = Q, X: Any = X) -> Any:
            s = (beta * Q) @ X.T
            e = xp.exp(s - s.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

        def naive(Q: Any = Q, X: Any = X) -> Any:
            return mm_softmax(Q, X) @ X

        t_u = _time(ours, args.repeat, sync)
        t_b = _time(mm_softmax, args.repeat, sync)
        t_n = _time(naive, args.repeat, sync)
        worst = max(worst, t_u / t_b)
        lines.append(
            f"{B:>6} {N:>6} {d:>4} | {t_u:9.4f} {B * N * d / t_u / 1e9:8.3f} | "
            f"{t_b:9.4f} {t_u / t_b:6.2f} | {t_n:9.4f} {t_u / t_n:6.2f}"
        )
    lines.append(f"worst update / (matmul+softmax) time ratio: {worst:.2f} (target <= 2)")
    text = "\n".join(lines)
    print(text)
    if args.write:
        out = pathlib.Path(__file__).parent / "results" / "modern_retrieval.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
