"""Monte Carlo against the AGS RS retrieval overlap at alpha = 0.05, extrapolated in N.

At alpha = 0.05 the retrieval state is metastable above T_c, so finite chains
can leave its basin, most often close to the spinodal T_M(0.05) = 0.542.
Samples are conditioned on staying in the retrieval basin during the
measurement (``m_min > M_BASIN``, far below the retrieval overlap and far above
spin-glass overlaps), the sample means are extrapolated to N -> infinity in
1/N (:func:`assoc.compare.extrapolate_in_N`) and compared with
:func:`theory.hopfield.solve` by z-scores (:func:`assoc.compare.compare`).

    python -m papers ags-mc-crosscheck [--quick] [--out DIR] [--seed S] [--store DIR]
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from assoc.compare import compare, extrapolate_in_N
from assoc.models import Hopfield
from theory import hopfield

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

ALPHA = 0.05
TS = (0.1, 0.3, 0.5)
M_BASIN = 0.6
#: (sizes, samples, sweeps) of the full and quick runs.
RUNS = {False: ([1000, 2000, 4000], 24, 300), True: ([400, 800, 1600], 12, 120)}


def crosscheck(Ns, samples: int, sweeps: int, seed: int, Ts=TS,
               store=None) -> tuple[xr.Dataset, xr.Dataset]:
    """Comparison Dataset (z_m, m_mc, m_sem, m_theory over alpha, T) and the raw Monte Carlo
    (run as a campaign in ``store``, or in memory)."""
    mc = monte_carlo(Hopfield(), store, N=list(Ns), alpha=ALPHA, T=list(Ts), samples=samples,
                     sweeps=sweeps, burn_in=sweeps // 3, seed=seed)
    kept = mc.where(mc.m_min > M_BASIN)
    ex = extrapolate_in_N(kept)
    out = compare(hopfield.solve(ALPHA, list(Ts)), ex)
    out["n_kept"] = kept.m.count("sample").astype(np.int64)
    out["n_kept"].attrs.update(long_name="samples that stayed in the retrieval basin", units="1")
    out["m_chi2"] = ex.m_chi2
    out.attrs["selection"] = f"samples with m_min > {M_BASIN}"
    out.attrs["extrapolation"] = ex.attrs["extrapolation"]
    return out, mc


def main(argv: list[str]) -> int:
    ap = figure_parser("ags-mc-crosscheck", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    Ns, samples, sweeps = RUNS[args.quick]
    Ts = TS[:2] if args.quick else TS  # T = 0.5 needs N >= 1000 to stay retrieved
    out, mc = crosscheck(Ns, samples, sweeps, args.seed, Ts, mc_stores(args) / "mc.zarr")
    with OutputSet(args) as files:
        files.netcdf(out, "ags_mc_crosscheck.nc")
        files.netcdf(mc, "ags_mc_crosscheck_mc.nc")
    print(f"alpha = {ALPHA}, N = {Ns}, samples = {samples}, sweeps = {sweeps}, seed = {args.seed}")
    print(f"{'T':>5} {'m_RS':>12} {'m_MC(N->inf)':>14} {'sem':>10} {'z':>7} {'kept':>12} "
          f"{'chi2/dof':>9}")
    for i, T in enumerate(out["T"].values):
        row = out.isel(alpha=0, T=i)
        print(f"{T:5.2f} {float(row.m_theory):12.8f} {float(row.m_mc):14.8f} "
              f"{float(row.m_sem):10.2e} {float(row.z_m):7.2f} {str(row.n_kept.values):>12} "
              f"{float(row.m_chi2):9.2f}")
    return 0
