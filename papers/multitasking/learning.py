"""Parallel learning from examples: learning curves versus M, supervised vs unsupervised.

Agliari, Alessandrelli, Barra, Ricci-Tersenghi, arXiv:2308.04106. K diluted archetypes
are shown only through M noisy examples of quality r each. Left: the archetype overlaps
of the equilibrium state, largest first, against M from the low-storage theory (the same
for both protocols; crosses mark M where the unsupervised state is unstable to
example-specific fluctuations) and Monte Carlo for both protocols (per-sample overlaps
ranked the same way, N -> infinity extrapolation; largest N in quick mode). Right:
the one-step signal-to-noise learning thresholds ``M_threshold(r)`` of every archetype in
the hierarchical regime, identical for both protocols at N -> infinity, and their O(1/N)
difference at N = 10^3.

    python -m papers multitasking-learning [--quick] [--out DIR] [--seed S]

Writes ``multitasking_learning_theory_<protocol>.nc``, ``multitasking_learning_mc.nc``,
``multitasking_learning_thresholds.nc`` and ``multitasking_learning.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.models import ExampleHebbian
from theory import multitasking as mt

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo
from .overlaps import ranked_estimate

K, D, R_QUALITY, T_LEARN, THETA = 2, 0.3, 0.4, 0.05, 1.0
SETTINGS = {
    True: dict(M_th=np.arange(1, 31), M_mc=[1, 3, 7, 15], N=[300, 600], samples=4, sweeps=40,
               r=np.linspace(0.1, 1.0, 19)),
    False: dict(M_th=np.arange(1, 61), M_mc=[1, 2, 3, 5, 9, 15, 25, 41], N=[500, 1000, 2000],
                samples=12, sweeps=150, r=np.linspace(0.05, 1.0, 96)),
}


def compute(quick: bool, seed: int, stores=None):
    cfg = SETTINGS[quick]
    theory = {p: mt.solve(K, D, T_LEARN, r=R_QUALITY, M=cfg["M_th"].tolist(), protocol=p,
                          state="equilibrium") for p in mt.PROTOCOLS}
    runs = [monte_carlo(ExampleHebbian(K=K, protocol=p), stores and stores / f"{p}.zarr", d=D,
                        T=T_LEARN, N=cfg["N"], r=R_QUALITY, M=cfg["M_mc"],
                        samples=cfg["samples"], sweeps=cfg["sweeps"], seed=seed)
            for p in mt.PROTOCOLS]
    mc = xr.concat(runs, dim="protocol", combine_attrs="override")
    mc = mc.assign_coords(protocol=list(mt.PROTOCOLS))
    mc["protocol"].attrs.update(long_name="coupling protocol", units="1")
    thr = xr.combine_by_coords([mt.learning_threshold(K, D, cfg["r"], theta=THETA, protocol=p,
                                                      N=N).expand_dims(protocol=[p], N=[n])
                                for p in mt.PROTOCOLS for N, n in ((None, np.inf), (1e3, 1e3))],
                               combine_attrs="override")
    thr["protocol"].attrs.update(long_name="coupling protocol", units="1")
    thr["N"].attrs.update(long_name="number of spins (inf: low storage)", units="1")
    return theory, mc, thr


def plot(theory, mc, thr, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
    colors = ["C0", "C3"]
    sup = theory["supervised"].sel(branch="equilibrium").isel(d=0, T=0, r=0)
    uns = theory["unsupervised"].sel(branch="equilibrium").isel(d=0, T=0, r=0)
    M = sup.M.values
    m_sup = -np.sort(-sup.m.values, axis=-1)  # largest overlap first: labels are interchangeable
    bad = ~uns.stable.values
    for k in range(K):
        ax.plot(M, m_sup[:, k], "-", color=colors[k], label=f"theory, overlap {k + 1}")
        ax.plot(M[bad], m_sup[bad, k], "x", color=colors[k], ms=5)
    for p, mk in zip(mt.PROTOCOLS, ("o", "s"), strict=True):
        ex = ranked_estimate(mc.sel(protocol=p))
        x = ex.isel(d=0, T=0, r=0)
        for k in range(K):
            ax.errorbar(x.M.values, x.m.isel(pattern=k), yerr=x.m_sem.isel(pattern=k), fmt=mk,
                        color=colors[k], mfc="none" if p == "unsupervised" else colors[k],
                        ms=5, capsize=2, label=f"MC {p}" if k == 0 else None)
    ax.axhline(1 - D, color="gray", lw=0.6)
    ax.set(xscale="log", xlabel="examples per archetype M",
           ylabel="archetype overlaps (largest first)",
           title=f"K = {K}, d = {D}, r = {R_QUALITY}, T = {T_LEARN}", ylim=(0, 0.75))
    ax.legend(fontsize=7)
    r = thr.r.values
    for k in range(K):
        for p, ls in zip(mt.PROTOCOLS, ("-", "--"), strict=True):
            y = thr.M_threshold.sel(protocol=p, N=np.inf, pattern=k + 1).isel(d=0)
            ax2.plot(r, y, ls, color=colors[k], label=f"pattern {k + 1}, {p}")
        y = thr.M_threshold.sel(protocol="unsupervised", N=1e3, pattern=k + 1).isel(d=0)
        ax2.plot(r, y, ":", color=colors[k], label=f"pattern {k + 1}, unsupervised N = 1000")
    ax2.set(xscale="linear", yscale="log", xlabel="example quality r",
            ylabel=r"$M_\otimes$ (signal/noise $\geq$ " + f"{THETA:g})",
            title="learning thresholds (hierarchical regime)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("multitasking-learning", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    theory, mc, thr = compute(args.quick, args.seed, mc_stores(args))
    with OutputSet(args) as out:
        for p, ds in theory.items():
            out.netcdf(ds, f"multitasking_learning_theory_{p}.nc")
        out.netcdf(mc, "multitasking_learning_mc.nc")
        out.netcdf(thr, "multitasking_learning_thresholds.nc")
        out.figure(lambda path: plot(theory, mc, thr, path), "multitasking_learning.png")
    s = thr.M_threshold.sel(protocol="supervised", N=np.inf).isel(d=0)
    u = thr.M_threshold.sel(protocol="unsupervised", N=np.inf).isel(d=0)
    print(f"N = inf: supervised and unsupervised thresholds equal: {bool((s == u).all())}")
    print(f"r = {float(thr.r[len(thr.r) // 2]):.3f}: M_threshold per pattern = "
          f"{s.isel(r=len(thr.r) // 2).values.round(2).tolist()}")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
