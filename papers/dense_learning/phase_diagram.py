"""Phase diagrams of dense networks trained on examples, RS theory with Monte Carlo points.

P = 3, library normalisation (:mod:`theory.dense_learning`). Three panels:

* (alpha, rho) at T = 0, supervised, in the limit M -> infinity at fixed rho (the papers'
  large-M theory), with the retrieval line ``alpha_c(rho)``;
* (alpha, T) at fixed rho, supervised, exact in M (r from rho and M), with
  ``alpha_c(T)``, the lines ``T_M``, ``T_c``, ``T_g`` of
  :func:`theory.dense_learning.transition_lines` and Monte Carlo points (filled: the
  simulation stayed in retrieval, ``m > 1/2``; open: it left);
* (alpha, M) at fixed r and T = 0, unsupervised: retrieval of the archetype, of a single
  example, or neither.

    python -m papers dense-learning-phase [--quick] [--out DIR] [--seed S]

Writes ``dense_learning_phase_<panel>.nc``, ``dense_learning_phase_mc.nc`` and
``dense_learning_phase.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.models import DenseExampleHebbian
from theory import dense_learning as dl

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

P, RHO, M_FIX, R_UNS = 3, 0.2, 10, 0.6
R_FIX = 1.0 / np.sqrt(1.0 + M_FIX * RHO)  # rho = (1 - r^2)/(M r^2) = RHO
SETTINGS = {
    True: dict(alpha=np.linspace(0.0, 0.16, 17), rho=np.geomspace(0.02, 2.0, 9),
               T=np.linspace(0.0, 0.3, 7), M=np.arange(1, 13), lines=np.linspace(0.0, 0.12, 4),
               mc_alpha=[0.02, 0.08], mc_T=[0.05, 0.2], N=100, samples=4, sweeps=40),
    False: dict(alpha=np.linspace(0.0, 0.16, 65), rho=np.geomspace(0.01, 4.0, 41),
                T=np.linspace(0.0, 0.4, 41), M=np.arange(1, 41), lines=np.linspace(0.0, 0.14, 15),
                mc_alpha=[0.01, 0.04, 0.07, 0.1], mc_T=[0.05, 0.15, 0.25], N=200, samples=12,
                sweeps=200),
}
PHASES = ("retrieval", "example", "spin_glass", "paramagnet", "none")


def compute(quick: bool, seed: int, stores=None) -> dict[str, xr.Dataset]:  # noqa: ANN001
    cfg = SETTINGS[quick]
    a = cfg["alpha"]
    out = {
        "rho": dl.solve(P, a, 0.0, rho=cfg["rho"]).squeeze("T"),
        "rho_line": dl.critical_capacity(P, 0.0, rho=cfg["rho"]).squeeze("T"),
        "T": dl.solve(P, a, cfg["T"], r=R_FIX, M=M_FIX).squeeze(("r", "M")),
        "T_line": dl.critical_capacity(P, cfg["T"], r=R_FIX, M=M_FIX).squeeze(("r", "M")),
        "T_lines": dl.transition_lines(P, cfg["lines"], r=R_FIX, M=M_FIX).squeeze(("r", "M")),
        "M": dl.solve(P, a, 0.0, r=R_UNS, M=cfg["M"].tolist(),
                      protocol="unsupervised").squeeze(("r", "T")),
    }
    out["mc"] = monte_carlo(DenseExampleHebbian(P, protocol="supervised"),
                            stores and stores / "supervised.zarr", alpha=cfg["mc_alpha"],
                            r=float(R_FIX), M=M_FIX, T=cfg["mc_T"], N=cfg["N"],
                            samples=cfg["samples"], sweeps=cfg["sweeps"], seed=seed)
    return out


def _phase_image(ax, ds: xr.Dataset, x: str, y: str, cmap) -> None:  # noqa: ANN001
    code = np.vectorize(PHASES.index)(ds.phase.transpose(y, x).values)
    ax.pcolormesh(ds[x].values, ds[y].values, code, cmap=cmap, vmin=-0.5,
                  vmax=len(PHASES) - 0.5, shading="nearest")


def plot(res: dict[str, xr.Dataset], path) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    colors = ["#9ecae1", "#fdae6b", "#bcbddc", "#f0f0f0", "#ffffff"]
    cmap = ListedColormap(colors)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    _phase_image(ax, res["rho"], "alpha", "rho", cmap)
    line = res["rho_line"]
    ax.plot(line.alpha_c, line.rho, "k-", lw=1.2, label=r"$\alpha_c(\rho)$")
    ax.set(yscale="log", xlabel=r"load $\alpha$", ylabel=r"dataset entropy $\rho$",
           title=r"supervised, $M\to\infty$ at fixed $\rho$, T = 0")
    ax = axes[1]
    _phase_image(ax, res["T"], "alpha", "T", cmap)
    line = res["T_line"]
    ax.plot(line.alpha_c, line["T"], "k-", lw=1.2, label=r"$\alpha_c(T)$")
    tl = res["T_lines"]
    for k, style, lab in (("T_M", "--", "$T_M$"), ("T_c", "-.", "$T_c$"), ("T_g", ":", "$T_g$")):
        ax.plot(tl.alpha, tl[k].where(tl[f"converged_{k}"] if k != "T_g" else True), style,
                color="k", lw=1, label=lab)
    mc = res["mc"]
    m = mc.m.mean("sample").squeeze(("r", "M", "N"))
    for ai, av in enumerate(mc.alpha.values):
        for ti, tv in enumerate(mc["T"].values):
            kept = float(m.isel(alpha=ai, T=ti)) > 0.5
            ax.plot(av, tv, "o", color="k", mfc="k" if kept else "none", ms=6)
    ax.set(xlabel=r"load $\alpha$", ylabel="T",
           title=rf"supervised, M = {M_FIX}, $\rho$ = {RHO} (r = {float(R_FIX):.3f}); "
                 f"MC N = {int(mc.N.values[0])}")
    ax = axes[2]
    _phase_image(ax, res["M"], "alpha", "M", cmap)
    ax.set(xlabel=r"load $\alpha$", ylabel="examples per archetype M",
           title=f"unsupervised, r = {R_UNS}, T = 0")
    handles = [Patch(color=c, label=p) for c, p in zip(colors[:4], PHASES[:4], strict=True)]
    axes[2].legend(handles=handles, fontsize=7, loc="upper right")
    for a in axes[:2]:
        a.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-learning-phase", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = compute(args.quick, args.seed, mc_stores(args))
    with OutputSet(args) as out:
        for k, ds in res.items():
            out.netcdf(ds, f"dense_learning_phase_{k}.nc")
        out.figure(lambda p: plot(res, p), "dense_learning_phase.png")
    line = res["rho_line"]
    k = int(np.argmin(np.abs(line.rho.values - 0.1)))
    print(f"supervised T = 0, rho = {float(line.rho[k]):.3f}: alpha_c = "
          f"{float(line.alpha_c[k]):.4f} (r = 1: 0.1261)")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
