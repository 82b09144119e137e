"""Time the vectorised RS Hopfield grid solver against a per-point scipy loop.

Run: ``python benchmarks/theory_grid.py``.  Prints the figures and writes them to
``benchmarks/results/theory_grid.txt``.

* Vectorised: ``theory.hopfield.solve`` on a 200 x 200 grid, alpha in [0.001, 0.2],
  T in [0, 2], all three branches (retrieval, spin glass, paramagnet) including the
  free energy and stability of every converged solution.
* Reference loop: one ``scipy.optimize.root`` call per point and branch (retrieval:
  2-D (m, C) system from m = 1, C = 0; spin glass: 1-D C equation from C = 0.5 min(1, beta);
  the paramagnet is closed form in both) on a 20 x 20 subset, using the same residuals and
  quadrature, extrapolated to 200 x 200.  The loop does no existence test and no
  stability analysis, so the ratio understates the vectorised solver's advantage.
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import root

from theory import hopfield
from theory._numerics.quadrature import gauss_moments
from theory.hopfield import rs


def _loop(alphas: np.ndarray, Ts: np.ndarray) -> float:
    t0 = time.perf_counter()
    for a in alphas:
        for T in Ts:
            beta = rs.beta_of(np.array([T]))

            def fr(x, a=a, T=T, beta=beta):
                F, J = rs.retrieval_residual(np.array([x[0]]), np.array([x[1]]), a, T, beta)
                return F[0], J[0]

            def fs(x, a=a, T=T, beta=beta):
                s, ds = rs.sigma_of_C(a, T, x[0])
                M = gauss_moments(0.0, s, beta[0])
                return np.array([x[0] - float(M.Chat)]), np.array([[1.0 - float(M.Chat_s * ds)]])

            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                root(fr, [1.0, 0.0], jac=True, method="hybr")
                root(fs, [0.5 * min(1.0, float(beta[0]))], jac=True, method="hybr")
    return time.perf_counter() - t0


def main() -> str:
    alphas = np.linspace(0.001, 0.2, 200)
    Ts = np.linspace(0.0, 2.0, 200)
    hopfield.solve(alphas[:5], Ts[:5])  # warm-up (imports, caches)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        ds = hopfield.solve(alphas, Ts)
        times.append(time.perf_counter() - t0)
    t_vec = min(times)
    conv = ds.converged.sum(("alpha", "T")).values
    sub_a, sub_T = alphas[::10], Ts[::10]
    t_loop = _loop(sub_a, sub_T)
    t_loop_full = t_loop * (alphas.size * Ts.size) / (sub_a.size * sub_T.size)
    lines = [
        "RS Hopfield grid benchmark (theory.hopfield.solve)",
        f"machine: {platform.machine()} {platform.processor() or ''}".rstrip()
        + f", {os.cpu_count()} logical CPUs, numpy {np.__version__}",
        "grid: 200 x 200, alpha in [0.001, 0.2], T in [0, 2]; branches: retrieval, spin_glass, "
        "paramagnet (with f and stability)",
        f"vectorised solve: {t_vec:.2f} s (best of 2; {t_vec / 4e4 * 1e6:.1f} us per grid point)",
        "converged points per branch (retrieval, spin_glass, paramagnet): "
        + ", ".join(str(int(c)) for c in conv),
        f"scipy.optimize.root loop, 20 x 20 subset (retrieval + spin glass): {t_loop:.2f} s",
        f"extrapolated loop for 200 x 200: {t_loop_full:.1f} s",
        f"ratio loop / vectorised: {t_loop_full / t_vec:.1f}x",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).parent / "results" / "theory_grid.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    return text


if __name__ == "__main__":
    main()
