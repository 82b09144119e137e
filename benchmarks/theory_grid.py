"""Time the vectorised RS Hopfield grid solver against a per-point scipy loop.

Run: ``python benchmarks/theory_grid.py``.  Prints the figures and writes them to
``benchmarks/results/theory_grid.txt``.

``python benchmarks/theory_grid.py --rsb [--n-hopfield 40] [--n-dense 20] [--no-table]``
times the replica-symmetry-breaking targets of the theory instead, each in a fresh process
(so the first call, with its code loaded from the disk cache, is included) and writes
``benchmarks/results/theory_grid_rsb.txt`` and ``.json``:

* the Hopfield 1RSB grid across the AT region, alpha in [0.05, 0.14] x T in [0, 0.03];
* the dense P = 3 1RSB grid, alpha in [0, 0.16] x T in [0, 0.3];
* the full dense capacity table, RS and 1RSB (``python -m papers dense-capacity``).

Each is also run once beforehand, untimed, to fill the disk cache (``--no-warm``: not).  The
target is 60 s each on 2 cores.

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

import argparse
import os
import platform
import subprocess
import sys
import tempfile
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


_HOPFIELD = """
import numpy as np
from theory.hopfield import rsb
n = {n}
ds = rsb.solve(np.linspace(0.05, 0.14, n), np.linspace(0.0, 0.03, n), "1RSB")
print(int(ds.converged.sum()), int(ds.rsb.sum()), int(ds.unresolved.sum()), n * n)
"""
_DENSE = """
import numpy as np
from theory import dense
n = {n}
ds = dense.solve(3, np.linspace(0.0, 0.16, n), np.linspace(0.0, 0.3, n), "1RSB")
r = ds.sel(branch="retrieval")
print(int(r.converged.sum()), int(r.rsb.sum()), 0, n * n)
"""


def _fresh(args: list[str]) -> tuple[float, str]:
    """Wall time and stdout of ``python args`` in a fresh process."""
    t = time.perf_counter()
    run = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - t, run.stdout.strip()


def rsb_targets(n_hopfield: int = 40, n_dense: int = 20, table: bool = True,
                warm: bool = True) -> None:
    from _common import write

    jobs = {f"hopfield_1rsb_{n_hopfield}x{n_hopfield}":
            lambda: ["-c", _HOPFIELD.format(n=n_hopfield)],
            f"dense3_1rsb_{n_dense}x{n_dense}": lambda: ["-c", _DENSE.format(n=n_dense)]}
    if table:
        jobs["dense_capacity_table"] = lambda: ["-m", "papers", "dense-capacity", "--out",
                                                tempfile.mkdtemp()]
    lines = ["RSB theory targets (fresh process each, disk cache "
             + ("filled by an untimed run" if warm else "as found") + "; target 60 s each)"]
    data = {}
    for name, args in jobs.items():
        if warm:
            _fresh(args())  # fill the disk cache
        wall, stdout = _fresh(args())
        row = f"{name}: {wall:.1f} s"
        if not name.startswith("dense_capacity"):
            conv, rsb_n, unres, total = (int(v) for v in stdout.split()[-4:])
            row += (f" ({conv}/{total} converged, {rsb_n} with RSB, {unres} unresolved; "
                    f"{wall / total * 1e3:.0f} ms per point)")
            data[name] = {"seconds": wall, "converged": conv, "rsb": rsb_n,
                          "unresolved": unres, "points": total}
        else:
            data[name] = {"seconds": wall}
        print(row, flush=True)
        lines.append(row)
    write("theory_grid_rsb", lines, data)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rsb", action="store_true", help="time the RSB targets instead")
    ap.add_argument("--n-hopfield", type=int, default=40)
    ap.add_argument("--n-dense", type=int, default=20)
    ap.add_argument("--no-table", action="store_true")
    ap.add_argument("--no-warm", action="store_true",
                    help="skip the untimed run that fills the disk cache")
    a = ap.parse_args()
    if a.rsb:
        rsb_targets(a.n_hopfield, a.n_dense, not a.no_table, not a.no_warm)
    else:
        main()
