"""Monte Carlo against the dense RS retrieval overlap at P = 3 and 4, extrapolated in N.

The retrieval state of small dense networks is metastable and its finite-size corrections
are large (the signal of a stored pattern is ``C(N, P)/N^(P-1)``, a fraction
``1 - P(P-1)/(2N)`` of its limit), so, as for the Hopfield check (:mod:`papers.ags.crosscheck`),
samples are conditioned on staying in the retrieval basin (``m_min > M_BASIN``), their means
are extrapolated to N -> infinity in 1/N (:func:`assoc.compare.extrapolate_in_N`) and
compared with :func:`theory.dense.solve` by z-scores.  At the points used the RS replicon
of the retrieval branch is positive (checked, ``replicon`` in the output), so RS is exact
there and 1RSB coincides with it.

    python -m papers dense-mc-crosscheck [--quick] [--out DIR] [--seed S]
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from assoc.compare import compare, extrapolate_in_N
from assoc.models import DenseHebbian
from theory import dense

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

M_BASIN = 0.5
#: P -> (alpha, temperatures, sizes) of the full and quick runs; (samples, sweeps).
POINTS = {
    False: {3: (0.05, (0.1, 0.15), (45, 60, 80)), 4: (0.005, (0.03, 0.04), (30, 40, 50))},
    True: {3: (0.05, (0.1,), (30, 45, 60)), 4: (0.005, (0.03,), (20, 30, 40))},
}
RUNS = {False: (16, 200), True: (8, 120)}


def crosscheck(P: int, quick: bool, seed: int, store=None) -> tuple[xr.Dataset, xr.Dataset]:
    """Comparison Dataset (z_m, m_mc, m_sem, m_theory, replicon, n_kept) and the raw MC (a
    campaign in ``store``, or in memory)."""
    alpha, Ts, Ns = POINTS[quick][P]
    samples, sweeps = RUNS[quick]
    mc = monte_carlo(DenseHebbian(P), store, N=list(Ns), alpha=alpha, T=list(Ts),
                     samples=samples, sweeps=sweeps, burn_in=sweeps // 3, seed=seed)
    kept = mc.where(mc.m_min > M_BASIN)
    ex = extrapolate_in_N(kept)
    th = dense.solve(P, alpha, list(Ts))
    out = compare(th, ex)
    out["replicon"] = th.replicon.sel(branch="retrieval").drop_vars("beta")
    out["n_kept"] = kept.m.count("sample").astype(np.int64)
    out["n_kept"].attrs.update(long_name="samples that stayed in the retrieval basin", units="1")
    out["m_chi2"] = ex.m_chi2
    out.attrs.update(P=P, selection=f"samples with m_min > {M_BASIN}",
                     extrapolation=ex.attrs.get("extrapolation", "linear in 1/N"))
    return out, mc


def report(out: xr.Dataset) -> str:
    P = int(out.attrs["P"])
    rows = [f"P = {P}, alpha = {float(out.alpha[0])}, N = {[int(n) for n in out.N.values]}"]
    rows.append(f"{'T':>6} {'m_RS':>10} {'m_MC(N->inf)':>13} {'sem':>9} {'z':>7} "
                f"{'replicon':>9} {'kept per N':>14} {'chi2/dof':>9}")
    for i, T in enumerate(out["T"].values):
        r = out.isel(alpha=0, T=i)
        rows.append(f"{T:>6.3f} {float(r.m_theory):>10.6f} {float(r.m_mc):>13.6f} "
                    f"{float(r.m_sem):>9.6f} {float(r.z_m):>7.2f} {float(r.replicon):>9.4f} "
                    f"{str([int(k) for k in r.n_kept.values]):>14} {float(r.m_chi2):>9.3f}")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-mc-crosscheck", __doc__.splitlines()[0], monte_carlo=True)
    ap.add_argument("--P", type=int, nargs="+", default=[3, 4], choices=[3, 4],
                    help="interaction orders to check (default 3 4)")
    args = ap.parse_args(argv)
    samples, sweeps = RUNS[args.quick]
    print(f"samples = {samples}, sweeps = {sweeps} (burn-in {sweeps // 3}), seed = {args.seed}, "
          f"selection m_min > {M_BASIN}")
    with OutputSet(args) as files:
        for P in args.P:
            out, mc = crosscheck(P, args.quick, args.seed, mc_stores(args) / f"p{P}.zarr")
            files.netcdf(out, f"dense_mc_crosscheck_p{P}.nc")
            files.netcdf(mc, f"dense_mc_crosscheck_p{P}_mc.nc")
            print(report(out))
    return 0
