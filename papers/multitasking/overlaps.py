"""Multitasking overlaps versus dilution: the hierarchical-to-parallel crossover.

Agliari et al., PRL 109, 268101 (2012); arXiv:2308.04106 (overlaps against d at low T).
For several K, at temperature ``T`` the low-storage theory gives the equilibrium
overlaps ``m_k(d)`` (solid), the hierarchical branch (dashed) and the parallel branch
(dotted, where stable); Monte Carlo points started from the hierarchical (circles) and
the parallel (squares) configurations, their overlaps ranked per sample (largest first),
are extrapolated to N -> infinity (the largest N in quick mode).

    python -m papers multitasking-overlaps [--quick] [--out DIR] [--seed S]

Writes ``multitasking_overlaps_theory_K<K>.nc``, ``multitasking_overlaps_mc_K<K>.nc`` (per
sample, both starts along the dimension ``start``) and ``multitasking_overlaps.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.compare import extrapolate_in_N
from assoc.models import MultitaskingHebbian
from theory import multitasking as mt

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

T_PLOT = 0.05
SETTINGS = {
    True: dict(Ks=[2, 3], d=np.linspace(0.0, 0.94, 48), mc_d=[0.2, 0.5, 0.7, 0.9], N=[300, 600],
               samples=4, sweeps=40),
    False: dict(Ks=[2, 3, 4], d=np.linspace(0.0, 0.945, 190),
                mc_d=[0.1, 0.3, 0.45, 0.6, 0.7, 0.8, 0.85, 0.9], N=[500, 1000, 2000],
                samples=12, sweeps=200),
}


def compute(quick: bool, seed: int,
            stores=None) -> tuple[list[xr.Dataset], list[xr.Dataset]]:
    """Theory and Monte Carlo Datasets, one per K."""
    cfg = SETTINGS[quick]
    theory, mc = [], []
    for K in cfg["Ks"]:
        theory.append(mt.solve(K, cfg["d"], T_PLOT, state=["hierarchical", "parallel",
                                                            "equilibrium"]))
        runs = [monte_carlo(MultitaskingHebbian(K=K), stores and stores / f"K{K}-{s}.zarr",
                            d=cfg["mc_d"], T=T_PLOT, N=cfg["N"], samples=cfg["samples"],
                            sweeps=cfg["sweeps"], seed=seed, start=s)
                for s in ("hierarchical", "parallel")]
        both = xr.concat(runs, dim="start", combine_attrs="override")
        both = both.assign_coords(start=["hierarchical", "parallel"])
        both["start"].attrs.update(long_name="initial configuration", units="1")
        mc.append(both)
    return theory, mc


def ranked_estimate(mc: xr.Dataset) -> xr.Dataset:
    """Overlaps ranked per sample (largest first: pattern labels are interchangeable), then
    extrapolated to N -> infinity (three or more sizes) or taken at the largest N."""
    ranked = mc.copy()
    ranked["m"] = (mc.m.dims, -np.sort(-mc.m.values, axis=-1))
    if mc.sizes["N"] >= 3:
        return extrapolate_in_N(ranked, ["m"])
    last = ranked.isel(N=-1)
    n = last.sizes["sample"]
    return xr.Dataset({"m": last.m.mean("sample"), "m_sem": last.m.std("sample") / np.sqrt(n)})


def plot(theory: list[xr.Dataset], mc: list[xr.Dataset], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(theory), figsize=(4.6 * len(theory), 4.2), squeeze=False)
    for ax, th, sim in zip(axes[0], theory, mc, strict=True):
        K = th.sizes["pattern"]
        d = th.d.values
        colors = plt.cm.viridis(np.linspace(0, 0.85, K))
        t = th.sel(T=T_PLOT)
        for k in range(K):
            eq = t.m.sel(branch="equilibrium").isel(pattern=k)
            ax.plot(d, eq, "-", color=colors[k], label=f"$m_{k + 1}$ equilibrium")
            h = t.m.sel(branch="hierarchical").isel(pattern=k).where(
                t.stable.sel(branch="hierarchical"))
            ax.plot(d, h, "--", color=colors[k], lw=1)
            p = t.m.sel(branch="parallel").isel(pattern=k).where(t.stable.sel(branch="parallel"))
            ax.plot(d, p, ":", color="k", lw=1)
        for s, mk in (("hierarchical", "o"), ("parallel", "s")):
            ex = ranked_estimate(sim.sel(start=s))
            for k in range(K):
                ax.errorbar(ex.d.values, ex.m.isel(T=0, pattern=k), yerr=ex.m_sem.isel(T=0,
                            pattern=k), fmt=mk, color=colors[k], ms=4, mfc="none" if
                            s == "parallel" else colors[k], capsize=2)
        for x, ls in ((mt.hierarchical_threshold(K), "-"), (mt.ground_state_threshold(K), "--")):
            if x < 1:
                ax.axvline(x, color="gray", ls=ls, lw=0.7)
        ax.set(xlabel="dilution d", ylabel="Mattis overlaps $m_k$", title=f"K = {K}, T = {T_PLOT}",
               xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle("Multitasking network: theory (lines: equilibrium, -- hierarchical, : parallel) "
                 "and MC (o hierarchical start, s parallel start; ranked overlaps)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("multitasking-overlaps", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    theory, mc = compute(args.quick, args.seed, mc_stores(args))
    with OutputSet(args) as out:
        for th, sim in zip(theory, mc, strict=True):
            K = int(th.K)
            out.netcdf(th, f"multitasking_overlaps_theory_K{K}.nc")
            out.netcdf(sim, f"multitasking_overlaps_mc_K{K}.nc")
        out.figure(lambda path: plot(theory, mc, path), "multitasking_overlaps.png")
    for t in theory:
        K = t.sizes["pattern"]
        ph = t.phase.sel(T=T_PLOT).values
        par = t.d.values[ph == "parallel"]
        print(f"K = {K}: parallel equilibrium from d = {par.min():.3f}" if par.size else
              f"K = {K}: no parallel equilibrium on the grid")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
