"""Exploratory: the T = 0 2RSB fold of the Hopfield retrieval branch, from the engine.

Run: ``python benchmarks/hopfield_2rsb_fold.py`` (about 20 minutes on 2 cores); prints the
result and writes ``benchmarks/results/hopfield_2rsb_fold.txt``.

The model is :func:`theory.hopfield.rsb.krsb_free_energy` at k = 2, T = 0 variables
``(m, q0, q1, C, p0, p1, p2, mu1, mu2)``.  The 2RSB retrieval at ``alpha = 0.137`` is found by
Newton from the 1RSB solution there (the second step opened near q = 1, the Parisi
parameters split as ``0.85 mu`` and ``2.1 mu``, as for the dense network), then the fold is
located by :func:`theory.symbolic.fold` along m.  This is not yet part of the public API: the
Parisi directions are very flat (Hessian eigenvalues ~1e-11), Newton needs ~100 iterations
from the seed, and the value has not been checked by a second derivation (Steffan & Kuhn
1994 quote 0.138187).
"""

from __future__ import annotations

import time

import numpy as np
from _common import machine, write

from theory.hopfield import rsb as H
from theory.symbolic.solve import fold, solve_points

ALPHA = 0.137


def main() -> None:
    t0 = time.perf_counter()
    cf = H.krsb_free_energy(2).zero_temperature().compile()
    one = H.solve(ALPHA, 0.0, "1RSB").isel(alpha=0, T=0, branch=0)
    m, q0, C, p0, p1, mu = (float(one[k]) for k in ("m", "q0", "C", "p0", "p1", "mu"))
    c = {"alpha": np.array([ALPHA])}
    x0 = np.array([[m, q0 - 0.08 * (1 - q0), 1 - 0.16 * (1 - q0), C, p0, p0 + 0.84 * (p1 - p0),
                    p1, 0.85 * mu, 2.1 * mu]])
    seed = solve_points(cf, x0, c, fallback=False, maxiter=150)
    gain = float(cf.f(seed.x, c)[0] - float(one.f))
    res = fold(cf, seed.x, "alpha", "m", (np.array([seed.x[0, 0] - 0.03]),
                                          np.array([seed.x[0, 0]])),
               {}, c_guess=np.array([ALPHA]), n_scan=8, vtol=1e-8)
    names = [v.name for v in cf.model.order_parameters]
    lines = [
        "Hopfield T = 0 2RSB fold (exploratory; benchmarks/hopfield_2rsb_fold.py)",
        f"machine: {machine()}",
        f"seed at alpha = {ALPHA}: Newton status {int(seed.status[0])} after "
        f"{int(seed.n_iter[0])} iterations, max |grad| = "
        f"{np.abs(cf.grad(seed.x, c)).max():.1e}, f_2RSB - f_1RSB = {gain:.3e}",
        f"alpha_c 2RSB = {float(res.value[0]):.9f} +- {float(res.error[0]):.1e} "
        f"(converged {bool(res.converged[0])}); 1RSB: "
        f"{H.critical_capacity(0.0, '1RSB'):.9f}; Steffan & Kuhn 1994 (2RSB): 0.138187",
        "at the fold: " + ", ".join(f"{k} = {v:.6g}" for k, v in zip(names, res.x[0],
                                                                      strict=True)),
        f"run time {time.perf_counter() - t0:.0f} s",
    ]
    print("\n".join(lines))
    write("hopfield_2rsb_fold", lines, {"alpha_c": float(res.value[0]),
                                        "x": dict(zip(names, map(float, res.x[0]),
                                                      strict=True))})


if __name__ == "__main__":
    main()
