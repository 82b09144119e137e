"""Dense P-spin Monte Carlo: the compiled engine against the JAX scheme of arXiv 2401.04191.

The peer (Thériault and Tantari, "Dense Hopfield networks in the teacher-student setting",
code at github.com/RobinTher/Dense_Associative_Network) advances L chains of one pattern
set by *batch* steps: every step recomputes all overlaps by a matrix product
``xi (K x N) @ s (N x L)``, proposes flips of ``b = round(sqrt(N))`` distinct random sites
at once, takes their energy changes from the overlaps and accepts each with Glauber's
rule. This script implements that scheme afresh in JAX (float32, jit-compiled, the
overlap product at HIGH precision as there), so that both run on this machine, and times
it against the compiled engine at equal N, K, chains and T. Figures: attempted flips per
second (the peer's ``b L`` per step; the engine's ``N`` per chain and sweep).

Without jax installed the script says so, times the engine alone and sets it against the
peer's committed figures (``benchmarks/results/dense_jax_peer.json``, with the machine and
date they were measured on), writing nothing: a ratio across two runs, on a machine that
may differ, is a hint, not a measurement.

    python benchmarks/dense_jax_peer.py

Writes benchmarks/results/dense_jax_peer.{txt,json}.
"""

from __future__ import annotations

import json
import time

import numpy as np
from _common import RESULTS, write

from assoc.models import DenseHebbian
from montecarlo import engine_compiled as engine
from montecarlo.dynamics import Glauber

TARGET_S = 0.5


def peer_runner(P: int, xi: np.ndarray, spins: np.ndarray, T: float, seed: int):  # noqa: ANN201
    """A jit-compiled ``run(steps)`` of the batch scheme; spins kept on the JAX side."""
    import jax
    import jax.numpy as jnp

    K, N = xi.shape
    b = int(round(np.sqrt(N)))
    X = jnp.asarray(xi, dtype=jnp.float32)
    beta = jnp.float32(np.inf if T == 0 else 1.0 / T)

    def step(_, carry):
        s, key = carry
        key, k_sites, k_acc = jax.random.split(key, 3)
        m = jax.lax.dot(X, s, precision=jax.lax.Precision.HIGH) / N  # (K, L) overlaps
        i = jax.random.choice(k_sites, N, (b,), replace=False)
        Xi = X[:, i]  # (K, b)
        if P == 3:
            g = m * m - 1.0 / N
        else:
            g = (m * m - 3.0 / N) * m
        h = P * jax.lax.dot(Xi.T, g, precision=jax.lax.Precision.HIGH)  # (b, L) fields
        dE = 2.0 * h * s[i]  # energy change of flipping each proposed spin
        accept = jax.random.uniform(k_acc, dE.shape) < jax.nn.sigmoid(-beta * dE)
        return s.at[i].multiply(1.0 - 2.0 * accept), key

    @jax.jit
    def run(s, key, steps):
        return jax.lax.fori_loop(0, steps, step, (s, key))

    state = [jnp.asarray(spins.T, dtype=jnp.float32), jax.random.PRNGKey(seed)]

    def go(steps: int) -> None:
        s, key = run(state[0], state[1], steps)
        s.block_until_ready()
        state[0], state[1] = s, key

    return go, b


def best_rate(fn, per_call_units: float, first_units: int = 1) -> float:
    """Best attempts/s of 3 calls sized to TARGET_S (after a warm-up)."""
    fn(first_units)
    t = time.perf_counter()
    fn(first_units)
    dt = time.perf_counter() - t
    n = int(max(1, min(10**6, TARGET_S / max(dt / first_units, 1e-9))))
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - t)
    return n * per_call_units / best


CELLS = [(P, N, K, C, T) for P, N, K in ((3, 80, 320), (4, 80, 320), (3, 1000, 100),
                                          (4, 1000, 100))
         for C in (64, 1024) for T in (0.1, 0.3)]


def engine_rate(P: int, N: int, K: int, C: int, T: float) -> tuple[float, np.ndarray]:
    """The engine's attempted flips per second in a cell, and the cell's patterns and start."""
    rng = np.random.default_rng(P * N + C)
    xi = (2 * rng.integers(0, 2, (K, N), dtype=np.int8) - 1).astype(np.int8)
    spins = np.repeat(xi[None, :1, :], C, axis=1)  # start at pattern 0
    keys = rng.integers(0, 2**63, (1, C, 2)).astype(np.uint64)
    st = engine.init_state(xi[None], spins, P)
    model = DenseHebbian(P=P)
    rate = best_rate(lambda n: engine.run_sweeps(model, Glauber(), xi[None], st, T, keys, n),
                     N * C)
    return rate, (xi, spins[0])


def main() -> None:
    try:
        import jax
    except ImportError:
        committed()
        return
    lines = [f"dense Glauber, one pattern set, L chains; attempted flips per second (best of 3); "
             f"jax {jax.__version__} on {jax.devices()[0].platform}",
             f"{'P':>2} {'N':>5} {'K':>5} {'chains':>6} {'T':>4} {'engine':>10} {'peer':>10} "
             f"{'ratio':>6}"]
    print("\n".join(lines), flush=True)
    rows = []
    for P, N, K, C, T in CELLS:
        eng, (xi, start) = engine_rate(P, N, K, C, T)
        go, b = peer_runner(P, xi, start, T, seed=C)
        peer = best_rate(go, b * C, first_units=10)
        rows.append({"P": P, "N": N, "K": K, "chains": C, "T": T, "engine": eng,
                     "peer": peer, "ratio": eng / peer, "batch": b})
        lines.append(f"{P:>2} {N:>5} {K:>5} {C:>6} {T:>4} {eng:>10.3e} {peer:>10.3e} "
                     f"{eng / peer:>6.2f}")
        print(lines[-1], flush=True)
    lines.append(f"ratio min {min(r['ratio'] for r in rows):.2f}, "
                 f"median {np.median([r['ratio'] for r in rows]):.2f}")
    print(lines[-1])
    write("dense_jax_peer", lines, {"rows": rows})


def committed() -> None:
    """The engine now against the peer's committed figures (no jax here); writes nothing."""
    path = RESULTS / "dense_jax_peer.json"
    data = json.loads(path.read_text())
    stamp = path.with_suffix(".txt").read_text().splitlines()[0].lstrip("# ")
    print(f"jax is not installed (pip install jax): the peer's figures are the committed ones "
          f"of {path.name} ({stamp}); the engine is timed now, here. Nothing is written.")
    print(f"{'P':>2} {'N':>5} {'K':>5} {'chains':>6} {'T':>4} {'engine':>10} {'peer*':>10} "
          f"{'ratio':>6}")
    peer = {(r["P"], r["N"], r["K"], r["chains"], r["T"]): r["peer"] for r in data["rows"]}
    ratios = []
    for cell in CELLS:
        if cell not in peer:
            continue
        eng, _ = engine_rate(*cell)
        ratios.append(eng / peer[cell])
        print(f"{cell[0]:>2} {cell[1]:>5} {cell[2]:>5} {cell[3]:>6} {cell[4]:>4} {eng:>10.3e} "
              f"{peer[cell]:>10.3e} {ratios[-1]:>6.2f}", flush=True)
    print(f"ratio to the committed peer figures min {min(ratios):.2f}, median "
          f"{np.median(ratios):.2f} (* committed)")


if __name__ == "__main__":
    main()
