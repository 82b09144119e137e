"""(alpha, T) phase diagram of the dense Hebbian network at P = 4, RS and 1RSB, with Monte Carlo.

Albanese et al., arXiv:2111.12997 (dense networks; RSB stabilises the spin glass).  Lines
from :func:`theory.dense.transition_lines` (library convention, K = alpha N^3): retrieval
spinodal T_M, retrieval transition T_c, spin-glass transition T_g (RS crossing and 1RSB
static transition) and the spin-glass spinodal (1RSB: dynamical T_d).  Monte Carlo retrieval
overlaps (started at a pattern, small N) are overlaid as points coloured by m.

    python -m papers dense-phase-diagram [--quick] [--out DIR] [--seed S]

Writes ``dense_phase_diagram_rs.nc``, ``dense_phase_diagram_1rsb.nc`` (lines),
``dense_phase_diagram_mc.nc`` and ``dense_phase_diagram.png``.  ``--quick``: RS lines on a
coarse grid and a few Monte Carlo points (under a minute).
"""

from __future__ import annotations

import time

import numpy as np

from assoc.models import DenseHebbian
from theory import dense

from .._cli import figure_parser, mc_stores, monte_carlo, write_netcdf

P = 4
SETTINGS = {
    True: dict(alphas=np.array([0.0, 0.01, 0.02, 0.03, 0.04]), n_T=15, rsb=False, n_spinodal=9,
               mc_alpha=[0.005, 0.02], mc_T=[0.02, 0.05, 0.08], N=[20], samples=2, sweeps=30),
    False: dict(alphas=np.concatenate([[0.0], np.linspace(0.002, 0.04, 20)]), n_T=41, rsb=True,
                n_spinodal=25,
                mc_alpha=[0.005, 0.01, 0.02, 0.03], mc_T=[0.02, 0.04, 0.06, 0.08, 0.1],
                N=[40], samples=6, sweeps=200),
}


def compute(quick: bool, seed: int, stores=None):
    cfg = SETTINGS[quick]
    rs, rsb = theory_lines(quick)
    mc = monte_carlo(DenseHebbian(P), stores and stores / "mc.zarr", N=cfg["N"],
                     alpha=cfg["mc_alpha"], T=cfg["mc_T"], samples=cfg["samples"],
                     sweeps=cfg["sweeps"], seed=seed)
    return rs, rsb, mc


def theory_lines(quick: bool):
    """RS (and, in full mode, 1RSB) lines of :func:`theory.dense.transition_lines`, with
    the RS T_M and T_c also traced as curves over T (see :func:`line_points`)."""
    cfg = SETTINGS[quick]
    rs = dense.transition_lines(P, cfg["alphas"], "RS", n_T=cfg["n_T"])
    rs.attrs["alpha_c_T0"] = dense.critical_capacity(P, 0.0, "RS")
    # the RS retrieval spinodal as alpha_c(T), from T = 0 to T_M(alpha = 0): single valued
    # in T, while alpha_c(T) is reentrant (it rises from 0.033 at T = 0 to 0.038 at 0.04)
    T_M0 = dense.low_load_lines(P)["T_M"]
    T_sp = np.linspace(0.0, T_M0, cfg["n_spinodal"])
    a_sp = [dense.critical_capacity(P, float(t), "RS") for t in T_sp[:-1]] + [0.0]
    rs["T_M_curve_alpha"] = ("T_spinodal", np.array(a_sp),
                             {"long_name": "load on the RS retrieval spinodal", "units": "1"})
    rs.coords["T_spinodal"] = ("T_spinodal", T_sp,
                               {"long_name": "temperature along the spinodal", "units": "1"})
    # T_c through its nose (reentrance) down to the T = 0 global-minimum load
    curve = dense.first_order_line(P, "RS", n_T=cfg["n_spinodal"])
    rs["T_c_curve_alpha"] = ("T_curve", curve.alpha.values,
                             {"long_name": "load on the closed RS T_c line", "units": "1"})
    rs.coords["T_curve"] = ("T_curve", curve["T"].values,
                            {"long_name": "temperature along the T_c line", "units": "1"})
    rsb = None
    if cfg["rsb"]:
        rsb = dense.transition_lines(P, cfg["alphas"], "1RSB", n_T=cfg["n_T"])
        rsb.attrs["alpha_c_T0"] = dense.critical_capacity(P, 0.0, "1RSB")
    return rs, rsb


def line_points(ds, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The (alpha, T) points the figure draws for line ``name``; the RS retrieval spinodal
    T_M is the curve alpha_c(T) from (alpha_c(0), 0) to (0, T_M(alpha = 0)), and T_c the
    curve from (0, T_c(alpha = 0)) through its nose to (alpha_gm, 0) (the 1RSB Dataset's
    lines are drawn on its alpha grid, with T_c_low beside T_c)."""
    if name == "T_M" and "T_M_curve_alpha" in ds:
        return ds["T_M_curve_alpha"].values, ds["T_spinodal"].values
    if name == "T_c" and "T_c_curve_alpha" in ds:
        ok = np.isfinite(ds["T_c_curve_alpha"].values)
        return ds["T_c_curve_alpha"].values[ok], ds["T_curve"].values[ok]
    return ds.alpha.values, ds[name].values


def plot(rs, rsb, mc, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.8))
    for ds, ls, tag in ((rs, "-", "RS"), (rsb, "--", "1RSB")):
        if ds is None:
            continue
        a = ds.alpha.values
        ax.plot(*line_points(ds, "T_M"), "b" + ls, label=f"$T_M$ retrieval spinodal ({tag})")
        ax.plot(*line_points(ds, "T_c"), "r" + ls, label=f"$T_c$ retrieval global ({tag})")
        if "T_c_curve_alpha" not in ds:
            ax.plot(a, ds.T_c_low, "r:", label=f"$T_c$ reentrant lower edge ({tag})")
        ax.plot(a, ds.T_g, "k" + ls, label=f"$T_g$ spin glass ({tag})")
        ax.plot(a, ds.T_sg_spinodal, "0.6", ls=ls,
                label=f"spin-glass spinodal ({'$T_d$' if tag == '1RSB' else 'RS'})")
        ax.plot([ds.attrs["alpha_c_T0"]], [0.0], "b" + ("o" if tag == "RS" else "s"),
                label=rf"$\alpha_c(T=0)$ {tag}")
    mm = mc.m.mean("sample").isel(N=-1)
    A, T = np.meshgrid(mc.alpha.values, mc.T.values, indexing="ij")
    sc = ax.scatter(A.ravel(), T.ravel(), c=mm.values.ravel(), cmap="viridis", vmin=0, vmax=1,
                    edgecolors="k", zorder=3)
    fig.colorbar(sc, ax=ax, label=f"Monte Carlo m (N = {int(mc.N[-1])})")
    ax.set(xlabel=r"$\alpha = K/N^{3}$", ylabel="T (library convention)",
           title="dense Hebbian network, P = 4", ylim=(0, 0.12))
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-phase-diagram", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rs, rsb, mc = compute(args.quick, args.seed, mc_stores(args))
    files = [write_netcdf(rs, args.out / "dense_phase_diagram_rs.nc"),
             write_netcdf(mc, args.out / "dense_phase_diagram_mc.nc")]
    if rsb is not None:
        files.append(write_netcdf(rsb, args.out / "dense_phase_diagram_1rsb.nc"))
    png = args.out / "dense_phase_diagram.png"
    plot(rs, rsb, mc, png)
    files.append(png)
    print(f"P = {P}: alpha_c(T=0) RS = {rs.attrs['alpha_c_T0']:.8f}"
          + (f", 1RSB = {rsb.attrs['alpha_c_T0']:.8f}" if rsb is not None else ""))
    print("wrote " + ", ".join(str(f) for f in files)
          + f" in {time.perf_counter() - t0:.1f} s")
    return 0
