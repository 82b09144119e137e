"""The AGS (alpha, T) phase diagram of the Hopfield model, with Monte Carlo overlaid.

Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987), Fig. 1 (RS lines):
T_g (spin glass), T_M (retrieval states appear), T_c (retrieval states become
global minima) and T_AT (replica symmetry of the retrieval states breaks).
Monte Carlo retrieval overlaps (started at a pattern) are overlaid as points
coloured by m, and a second panel compares m(T) at one load with the RS theory.

    python -m papers ags-phase-diagram [--quick] [--out DIR] [--seed S]

Writes ``ags_phase_diagram_lines.nc`` (theory lines), ``ags_phase_diagram_mc.nc``
(Monte Carlo, per sample), ``ags_phase_diagram_m.nc`` (theory m(T) at the
comparison load) and ``ags_phase_diagram.png``.
"""

from __future__ import annotations

import time

import numpy as np

from assoc.compare import compare
from assoc.models import Hopfield
from theory import hopfield

from .._cli import OutputSet, figure_parser, mc_stores, monte_carlo

#: Monte Carlo settings: (sizes, samples, sweeps) in quick and full modes.
SETTINGS = {
    True: dict(alphas=np.linspace(0.004, 0.14, 18), mc_alpha=[0.02, 0.05, 0.1],
               mc_T=[0.1, 0.3, 0.5, 0.7], N=[400], samples=3, sweeps=60),
    False: dict(alphas=np.linspace(0.002, 0.14, 70), mc_alpha=[0.01, 0.03, 0.05, 0.08, 0.1, 0.12],
                mc_T=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], N=[2000], samples=8,
                sweeps=400),
}
M_ALPHA = 0.05  # load of the m(T) panel


def compute(quick: bool, seed: int, stores=None):
    """Theory lines, m(T) at ``M_ALPHA`` and the Monte Carlo Dataset (a campaign in
    ``stores``, or in memory)."""
    cfg = SETTINGS[quick]
    lines = theory_lines(quick)
    T_curve = np.linspace(0.0, 1.0, 41 if quick else 201)
    m_theory = hopfield.solve(M_ALPHA, T_curve)
    mc = monte_carlo(Hopfield(), stores and stores / "mc.zarr", N=cfg["N"],
                     alpha=sorted(set(cfg["mc_alpha"]) | {M_ALPHA}), T=cfg["mc_T"],
                     samples=cfg["samples"], sweeps=cfg["sweeps"], seed=seed)
    return lines, m_theory, mc


def theory_lines(quick: bool):
    """The lines of the figure: :func:`theory.hopfield.transition_lines` on the alpha grid,
    plus T_M and T_c traced as curves over T (see :func:`line_points`)."""
    cfg = SETTINGS[quick]
    lines = hopfield.transition_lines(cfg["alphas"])
    lines.attrs["alpha_c_T0"] = hopfield.critical_capacity(0.0)
    # T_c through its nose to the axis, as one curve alpha(T) (stored beside the lines)
    curve = hopfield.first_order_line(41 if quick else 161)
    lines["T_c_curve_alpha"] = ("T_curve", curve.alpha.values,
                                {"long_name": "load on the closed T_c line", "units": "1"})
    lines.coords["T_curve"] = ("T_curve", curve["T"].values,
                               {"long_name": "temperature along the T_c line", "units": "1"})
    # the retrieval spinodal as alpha_c(T) (single valued in T; reentrant in alpha near T = 0)
    T_sp = np.linspace(0.0, 1.0, 41 if quick else 161)
    a_sp = [hopfield.critical_capacity(float(t)) for t in T_sp[:-1]] + [0.0]  # T_M(0) = 1
    lines["T_M_curve_alpha"] = ("T_spinodal", np.array(a_sp),
                                {"long_name": "load on the retrieval spinodal", "units": "1"})
    lines.coords["T_spinodal"] = ("T_spinodal", T_sp,
                                  {"long_name": "temperature along the spinodal", "units": "1"})
    return lines


def line_points(lines, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The (alpha, T) points the figure draws for line ``name``: T_M from (alpha_c, 0) to
    (0, 1) and T_c from (0, 1) through its nose to the load where the T = 0 energies cross,
    both traced as curves over T."""
    if name == "T_M":
        return lines["T_M_curve_alpha"].values, lines["T_spinodal"].values
    if name == "T_c":
        a = lines["T_c_curve_alpha"].values
        ok = np.isfinite(a)
        return a[ok], lines["T_curve"].values[ok]
    y = lines[name].values
    return lines.alpha.values, y


def plot(lines, m_theory, mc, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    styles = {"T_g": ("k-", "$T_g$ (spin glass)"), "T_M": ("b-", "$T_M$ (retrieval appears)"),
              "T_c": ("r-", "$T_c$ (retrieval global)"), "T_AT": ("g--", "$T_{AT}$ (RS breaks)")}
    for v, (st, lab) in styles.items():  # T_M and T_c are closed on the T = 0 axis
        ax.plot(*line_points(lines, v), st,
                label=lab + (", with its RS reentrance" if v == "T_c" else ""))
    mm = mc.m.mean("sample").isel(N=-1)
    A, T = np.meshgrid(mc.alpha.values, mc.T.values, indexing="ij")
    sc = ax.scatter(A.ravel(), T.ravel(), c=mm.values.ravel(), cmap="viridis", vmin=0, vmax=1,
                    edgecolors="k", zorder=3, label=f"MC m (N={int(mc.N[-1])})")
    fig.colorbar(sc, ax=ax, label="Monte Carlo retrieval overlap m")
    ax.set(xlabel=r"$\alpha = K/N$", ylabel="T", xlim=(0, 0.15), ylim=(0, 1.25),
           title="Hopfield model (AGS 1987), replica symmetric")
    ax.legend(loc="upper right", fontsize=8)
    ret = m_theory.sel(branch="retrieval").isel(alpha=0)
    ok = ret.converged.values
    ax2.plot(ret.T.values[ok], ret.m.values[ok], "b-", label="RS theory (retrieval)")
    mc_a = mc.sel(alpha=[M_ALPHA]).isel(N=-1)
    cmp = compare(hopfield.solve(M_ALPHA, mc_a["T"].values), mc_a)
    ax2.errorbar(cmp["T"].values, cmp.m_mc.values.ravel(), yerr=cmp.m_sem.values.ravel(),
                 fmt="ko", ms=4, label=f"Monte Carlo, N={int(mc.N[-1])}")
    ax2.set(xlabel="T", ylabel="m", title=rf"retrieval overlap at $\alpha$ = {M_ALPHA}",
            ylim=(0, 1.05))
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("ags-phase-diagram", __doc__.splitlines()[0], monte_carlo=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    lines, m_theory, mc = compute(args.quick, args.seed, mc_stores(args))
    with OutputSet(args) as out:
        out.netcdf(lines, "ags_phase_diagram_lines.nc")
        out.netcdf(m_theory, "ags_phase_diagram_m.nc")
        out.netcdf(mc, "ags_phase_diagram_mc.nc")
        out.figure(lambda p: plot(lines, m_theory, mc, p), "ags_phase_diagram.png")
    print(f"alpha_c(T=0) = {lines.attrs['alpha_c_T0']:.10f} (RS)")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
