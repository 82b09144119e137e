"""Dense networks trained on examples: the archetype overlap against the number of examples.

Agliari et al., arXiv:2212.00606 (supervised) and arXiv:2211.14067 (unsupervised), in the
library's normalisation (:mod:`theory.dense_learning`). P = 3, example quality r, temperature
T, low load (one archetype in the simulations). The replica theory, exact in M, gives the
overlap of the dominant state: the archetype for every M supervised; unsupervised, a single
example below a number of examples and the archetype above it. Monte Carlo (from the
archetype) is shown for both protocols. The one-step signal-to-noise probability
``2 p_aligned - 1`` is the T = 0 majority vote.

    python -m papers dense-learning-overlaps [--quick] [--out DIR] [--seed S]

Writes ``dense_learning_overlaps_theory.nc``, ``dense_learning_overlaps_mc.nc`` and
``dense_learning_overlaps.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.models import DenseExampleHebbian
from theory import dense_learning as dl

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

P, R_QUALITY, T_LEARN = 3, 0.6, 0.15
SETTINGS = {
    True: dict(M_th=np.arange(1, 21), M_mc=[1, 2, 3, 5, 9], N=400, samples=6, sweeps=60),
    False: dict(M_th=np.arange(1, 41), M_mc=[1, 2, 3, 4, 5, 7, 9, 15, 25], N=1600, samples=16,
                sweeps=200),
}


def compute(quick: bool, seed: int, stores=None) -> tuple[xr.Dataset, xr.Dataset]:  # noqa: ANN001
    cfg = SETTINGS[quick]
    theory = xr.concat([dl.solve(P, 0.0, T_LEARN, r=R_QUALITY, M=cfg["M_th"].tolist(),
                                 protocol=p).squeeze(("alpha", "r", "T"))
                        for p in dl.PROTOCOLS], dim="protocol", combine_attrs="override",
                       data_vars="all")
    theory = theory.assign_coords(protocol=list(dl.PROTOCOLS))
    N = cfg["N"]
    runs = [monte_carlo(DenseExampleHebbian(P, protocol=p), stores and stores / f"{p}.zarr",
                        alpha=1.0 / N ** (P - 1), r=R_QUALITY, M=cfg["M_mc"], T=T_LEARN, N=N,
                        samples=cfg["samples"], sweeps=cfg["sweeps"], seed=seed)
            for p in dl.PROTOCOLS]
    mc = xr.concat(runs, dim="protocol", combine_attrs="override")
    mc = mc.assign_coords(protocol=list(dl.PROTOCOLS))
    for ds in (theory, mc):
        ds["protocol"].attrs.update(long_name="coupling protocol", units="1")
    return theory, mc


def dominant_overlap(theory: xr.Dataset) -> xr.DataArray:
    """The archetype overlap of the dominant phase (NaN where no state is stable)."""
    ok = theory.branch == theory.phase
    return theory.m.where(ok).max("branch")


def plot(theory: xr.Dataset, mc: xr.Dataset, path) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.3))
    for p, color, mk in zip(dl.PROTOCOLS, ("C0", "C3"), ("o", "s"), strict=True):
        th = theory.sel(protocol=p)
        ax.plot(th.M, dominant_overlap(th), "-", color=color, drawstyle="steps-mid",
                label=f"theory, {p}")
        if p == "unsupervised":
            meta = th.stable.sel(branch="retrieval") & (th.phase != "retrieval")
            ax.plot(th.M, th.m.sel(branch="retrieval").where(meta), "x", color=color, ms=6,
                    label="unsupervised archetype state where metastable")
        x = mc.sel(protocol=p).m
        mean = x.mean("sample").squeeze()
        sem = (x.std("sample", ddof=1) / np.sqrt(x.sizes["sample"])).squeeze()
        ax.errorbar(x.M, mean, yerr=sem, fmt=mk, color=color, ms=5, capsize=2,
                    mfc="none" if p == "unsupervised" else color, label=f"MC {p}")
    snr = dl.signal_to_noise(P, 0.0, R_QUALITY, theory.M.values.tolist()).isel(alpha=0, r=0)
    ax.plot(snr.M, 2 * snr.p_aligned - 1, "--", color="gray", lw=1,
            label="majority vote (T = 0 signal/noise)")
    ax.set(xlabel="examples per archetype M", ylabel="overlap with the archetype m",
           title=f"P = {P}, r = {R_QUALITY}, T = {T_LEARN}, low load", ylim=(0.4, 1.02))
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-learning-overlaps", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    theory, mc = compute(args.quick, args.seed, mc_stores(args))
    with OutputSet(args) as out:
        out.netcdf(theory, "dense_learning_overlaps_theory.nc")
        out.netcdf(mc, "dense_learning_overlaps_mc.nc")
        out.figure(lambda p: plot(theory, mc, p), "dense_learning_overlaps.png")
    uns = theory.sel(protocol="unsupervised")
    ex = uns.M.values[(uns.phase == "example").values]
    print(f"unsupervised: a single example is the dominant state at M = {ex.tolist()}, the "
          "archetype elsewhere; supervised: the archetype for every M")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
