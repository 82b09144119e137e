"""(alpha, T) phase diagrams of the dense Hebbian network at P = 3 and 4, RS and 1RSB, with
Monte Carlo.

Albanese et al., arXiv:2111.12997 (dense networks; RSB stabilises the spin glass and raises
the capacity).  Lines from :func:`theory.dense.transition_lines` (library convention,
K = alpha N^(P-1)): retrieval spinodal T_M, retrieval transition T_c, spin-glass transition
T_g (RS crossing and 1RSB static transition) and the spin-glass spinodal (1RSB: dynamical
T_d); and the 1RSB retrieval spinodal ``alpha_c^1RSB(T)`` from
:func:`theory.dense.critical_point`, traced from T = 0 up to where it joins the RS one (the
RS retrieval fold turns replica symmetric: above that T the 1RSB fold is the RS fold).
Monte Carlo retrieval overlaps (started at a pattern, small N) are overlaid as points
coloured by m.

    python -m papers dense-phase-diagram [--P {3,4}] [--quick] [--out DIR] [--seed S]

Writes ``dense_phase_diagram_P{P}_rs.nc``, ``..._1rsb.nc`` (lines, with the 1RSB retrieval
spinodal), ``..._mc.nc`` and ``dense_phase_diagram_P{P}.png``.  ``--quick``: coarse
grids, the 1RSB retrieval spinodal at T = 0 and the join only, and a few Monte Carlo
points.
"""

from __future__ import annotations

import time

import numpy as np

from assoc.models import DenseHebbian
from assoc.progress import progress
from theory import dense

from .._cli import OutputSet, figure_parser, first_rise, mc_stores, monte_carlo

#: Settings per mode (``quick``): alpha grid of the lines (in units of the T = 0 RS
#: capacity), temperatures per line, points of the RS spinodal and T_c curves, temperatures
#: of the 1RSB retrieval spinodal below the join (in units of the join temperature,
#: :func:`rsb_join_temperature`), Monte Carlo loads (in units of the RS capacity) and
#: temperatures (in units of the Curie-Weiss spinodal T_M(0)), samples and sweeps.
SETTINGS = {
    True: dict(alphas=np.array([0.0, 0.3, 0.6, 0.9, 1.2]), n_T=15, n_spinodal=9,
               rsb_T=np.array([0.0]), mc_alpha=[0.15, 0.6], mc_T=[0.2, 0.5, 0.8],
               samples=2, sweeps=30),
    False: dict(alphas=np.concatenate([[0.0], np.linspace(0.06, 1.25, 20)]), n_T=41,
                n_spinodal=25, rsb_T=np.linspace(0.0, 0.8, 5),
                mc_alpha=[0.15, 0.3, 0.6, 0.9], mc_T=[0.2, 0.35, 0.5, 0.65, 0.8],
                samples=6, sweeps=200),
}
#: Monte Carlo sizes per P (K = alpha N^(P-1) patterns).
MC_N = {3: {True: [30], False: [60]}, 4: {True: [20], False: [40]}}
#: Temperatures (in units of T_M(0)) at which the RS replicon at the RS retrieval fold is
#: evaluated to locate where the 1RSB retrieval spinodal joins the RS one.
JOIN_GRID = np.linspace(0.0, 1.0, 13)[1:-1]


def rsb_join_temperature(P: int) -> float:
    """The temperature above which the RS retrieval fold is replica symmetric (its RS
    replicon, from :func:`theory.dense.solve` just below the fold, is positive): there the
    1RSB retrieval spinodal is the RS one.  The replicon's first sign change on
    ``JOIN_GRID`` is interpolated linearly (NaN if it has none)."""
    T_M0 = dense.low_load_lines(P)["T_M"]
    T = T_M0 * JOIN_GRID
    rep = np.full(T.size, np.nan)
    for i, t in enumerate(T):
        a_c = dense.critical_capacity(P, float(t), "RS")
        ds = dense.solve(P, [a_c * (1 - 1e-4)], [float(t)], "RS").sel(branch="retrieval")
        rep[i] = float(ds.replicon[0, 0])
    return first_rise(T, rep)


def compute(P: int, quick: bool, seed: int, stores=None):
    cfg = SETTINGS[quick]
    rs, rsb = theory_lines(P, quick)
    a0, T_M0 = rs.attrs["alpha_c_T0"], dense.low_load_lines(P)["T_M"]
    mc = monte_carlo(DenseHebbian(P), stores and stores / "mc.zarr", N=MC_N[P][quick],
                     alpha=[round(a0 * f, 6) for f in cfg["mc_alpha"]],
                     T=[round(T_M0 * f, 6) for f in cfg["mc_T"]], samples=cfg["samples"],
                     sweeps=cfg["sweeps"], seed=seed)
    return rs, rsb, mc


def theory_lines(P: int, quick: bool):
    """The RS (:func:`rs_lines`) and 1RSB (:func:`rsb_lines`) Datasets of the figure."""
    return rs_lines(P, quick), rsb_lines(P, quick)


def rs_lines(P: int, quick: bool):
    """RS lines of :func:`theory.dense.transition_lines`, with T_M and T_c also traced as
    curves over T (see :func:`line_points`)."""
    cfg = SETTINGS[quick]
    a0 = dense.critical_capacity(P, 0.0, "RS")
    rs = dense.transition_lines(P, a0 * cfg["alphas"], "RS", n_T=cfg["n_T"])
    rs.attrs["alpha_c_T0"] = a0
    # the RS retrieval spinodal as alpha_c(T), from T = 0 to T_M(alpha = 0): single valued
    # in T, while alpha_c(T) is reentrant (P = 4: it rises from 0.033 at T = 0 to 0.038)
    T_M0 = dense.low_load_lines(P)["T_M"]
    T_sp = np.linspace(0.0, T_M0, cfg["n_spinodal"])
    a_sp = [dense.critical_capacity(P, float(t), "RS")
            for t in progress(T_sp[:-1], desc=f"P = {P} RS spinodal", unit="T")] + [0.0]
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
    return rs


def rsb_lines(P: int, quick: bool):
    """1RSB lines of :func:`theory.dense.transition_lines` on the same alpha grid, with the
    1RSB retrieval spinodal (:func:`rsb_spinodal`) up to and including its join with RS
    (:func:`rsb_join_temperature`)."""
    cfg = SETTINGS[quick]
    a0 = dense.critical_capacity(P, 0.0, "RS")
    rsb = dense.transition_lines(P, a0 * cfg["alphas"], "1RSB", n_T=cfg["n_T"])
    rsb.attrs["alpha_c_T0"] = dense.critical_capacity(P, 0.0, "1RSB")
    T_j = rsb_join_temperature(P)
    # the 1RSB spinodal below the join, and the join itself (the RS fold)
    T_r = np.append(T_j * cfg["rsb_T"], T_j)
    a_r = np.append(rsb_spinodal(P, T_r[:-1]), dense.critical_capacity(P, T_j, "RS"))
    rsb["rsb_spinodal_alpha"] = ("T_rsb", a_r, {
        "long_name": "load on the 1RSB retrieval spinodal alpha_c^1RSB(T)", "units": "1"})
    rsb.coords["T_rsb"] = ("T_rsb", T_r, {"long_name": "temperature along the 1RSB "
                                                       "retrieval spinodal", "units": "1"})
    rsb.attrs["rsb_join_T"] = T_j
    return rsb


def rsb_spinodal(P: int, T: np.ndarray) -> np.ndarray:
    """``alpha_c^1RSB(T)`` at the temperatures ``T`` (:func:`theory.dense.critical_point`,
    one fold each; NaN where it did not converge)."""
    out = []
    for t in progress(T, desc=f"P = {P} 1RSB spinodal", unit="T"):
        ds = dense.critical_point(P, float(t), "1RSB")
        out.append(float(ds.alpha_c) if bool(ds.converged) else np.nan)
    return np.array(out)


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


def plot(P: int, rs, rsb, mc, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5.6))
    for ds, ls, tag in ((rs, "-", "RS"), (rsb, "--", "1RSB")):
        a = ds.alpha.values
        if tag == "RS":
            ax.plot(*line_points(ds, "T_M"), "b-", label="$T_M$ retrieval spinodal (RS)")
        else:
            ok = np.isfinite(ds["rsb_spinodal_alpha"].values)
            ax.plot(ds["rsb_spinodal_alpha"].values[ok], ds["T_rsb"].values[ok], "bs--",
                    ms=4, label="retrieval spinodal (1RSB)")
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
    T_top = 1.15 * float(np.nanmax(rs["T_spinodal"].values))
    ax.set(xlabel=rf"$\alpha = K/N^{{{P - 1}}}$", ylabel="T (library convention)",
           title=f"dense Hebbian network, P = {P}", ylim=(0, T_top))
    fig.legend(*ax.get_legend_handles_labels(), fontsize=7, loc="lower center", ncol=3)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-phase-diagram", __doc__.splitlines()[0], monte_carlo=True)
    ap.add_argument("--P", type=int, choices=(3, 4), default=4,
                    help="interaction order (default 4)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    P = args.P
    stores = mc_stores(args)
    rs, rsb, mc = compute(P, args.quick, args.seed, stores and stores / f"P{P}")
    stem = f"dense_phase_diagram_P{P}"
    with OutputSet(args) as out:
        out.netcdf(rs, stem + "_rs.nc")
        out.netcdf(rsb, stem + "_1rsb.nc")
        out.netcdf(mc, stem + "_mc.nc")
        out.figure(lambda p: plot(P, rs, rsb, mc, p), stem + ".png")
    a_r = rsb["rsb_spinodal_alpha"].values
    print(f"P = {P}: alpha_c(T=0) RS = {rs.attrs['alpha_c_T0']:.8f}, "
          f"1RSB = {rsb.attrs['alpha_c_T0']:.8f}; the 1RSB retrieval spinodal joins RS at "
          f"T = {rsb.attrs['rsb_join_T']:.4f}; alpha_c^1RSB(T) = "
          + ", ".join(f"{a:.6f} (T = {t:.4f})" for a, t in zip(a_r, rsb["T_rsb"].values,
                                                               strict=True)))
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
