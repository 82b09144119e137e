"""Measured capacity of dense associative memories and modern Hopfield networks vs theory.

Panels: (a) Krotov-Hopfield ``K_c(N)`` for ``F(x) = x^n`` against the signal-to-noise
law ``N^(n-1) / ((2n-3)!! z_N^2)`` (Krotov & Hopfield 2016); (b) Demircigil ``F = exp``
capacities against ``exp(alpha N)`` with ``alpha = I(1-2 rho)`` (one pattern) and the
bound ``I(1-2 rho)/2`` (all patterns; Demircigil et al. 2017); (c) one-update errors of
the modern network against the Theorem 5 bound (Ramsauer et al. 2020); (d) measured
number of well-separated random patterns against Theorem 3's guarantee.

    python -m papers modern-hopfield-capacity [--quick] [--out DIR] [--seed S]

Writes ``modern_capacity_kh_n{n}.nc``, ``modern_capacity_exp_{criterion}.nc``,
``modern_capacity_bound.nc``, ``modern_capacity_theorem3.nc`` and
``modern_capacity.png``; prints the fitted exponents and constants.
"""

from __future__ import annotations

import time

import numpy as np

import assoc.modern as am

from .._cli import OutputSet, figure_parser

SETTINGS = {
    True: dict(kh=[(2, [100, 200, 400]), (3, [40, 80, 160])], samples=6,
               exp=[(0.3, "pattern", [40, 60, 80], 6), (0.2, "all", [30, 40, 50], 10)],
               bound=dict(K=[4, 32], N=[8, 32], beta_factor=[1.0, 2.0], samples=4),
               theorem3=dict(d=[12, 14, 16], n_sets=10)),
    False: dict(kh=[(2, [100, 200, 400, 800, 1600]), (3, [50, 100, 200, 400]),
                    (4, [30, 50, 80, 120])], samples=12,
                exp=[(0.3, "pattern", [40, 60, 80, 100, 120], 12),
                     (0.2, "all", [30, 40, 50, 60, 70], 24)],
                bound=dict(K=[4, 16, 64, 256], N=[8, 32, 128], beta_factor=[1.0, 1.5, 3.0],
                           samples=20),
                theorem3=dict(d=[12, 14, 16, 18, 20], n_sets=40)),
}


def compute(quick: bool, seed: int) -> dict:
    cfg = SETTINGS[quick]
    res: dict = {"kh": {}, "exp": {}}
    for n, Ns in cfg["kh"]:
        res["kh"][n] = am.dense_capacity(Ns, am.Polynomial(n), samples=cfg["samples"], seed=seed)
    for rho, crit, Ns, samples in cfg["exp"]:
        res["exp"][crit] = am.dense_capacity(Ns, am.Exponential(), rho=rho, criterion=crit,
                                             samples=samples, seed=seed)
    res["bound"] = am.modern_bound_check(**cfg["bound"], seed=seed)
    res["theorem3"] = am.modern_separation_capacity(**cfg["theorem3"], seed=seed)
    return res


def plot(res: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 2, figsize=(11, 8.5))
    a = ax[0, 0]
    for n, ds in res["kh"].items():
        N = ds["N"].values
        a.errorbar(N, ds["K_c"], yerr=ds["K_c_se"], fmt="o", label=f"measured, n = {n}")
        Nf = np.geomspace(N[0], N[-1], 50)
        a.plot(Nf, [am.krotov_hopfield_capacity_finite(int(x), n) for x in Nf], "k-", lw=0.8)
        a.plot(Nf, am.krotov_hopfield_capacity(Nf, n), "k:", lw=0.8)
    a.set(xscale="log", yscale="log", xlabel="N", ylabel="$K_c$ (error-free, P = 1/2)",
          title="Krotov-Hopfield $F(x)=x^n$: — SNR theory, ··· $N^{n-1}/(c_n \\ln N)$")
    a.legend(fontsize=8)
    a = ax[0, 1]
    for crit, ds in res["exp"].items():
        N = ds["N"].values
        fit = am.fit_demircigil(ds)
        a.errorbar(N, ds["K_c"], yerr=ds["K_c_se"], fmt="o",
                   label=f"{crit}, rho={fit['rho']}: alpha = {fit['alpha']:.4f} "
                         f"(theory {fit['alpha_theory']:.4f})")
        a.plot(N, ds["K_theory"], "k-", lw=0.8)
    a.set(yscale="log", xlabel="N", ylabel="$K_c$",
          title="Demircigil $F=\\exp$: $K_c \\sim e^{\\alpha N}$")
    a.legend(fontsize=8)
    a = ax[1, 0]
    b = res["bound"]
    err, bnd = b["error_max"].values.ravel(), b["bound_min"].values.ravel()
    ok = np.isfinite(err) & np.isfinite(bnd) & (err > 0)
    a.loglog(bnd[ok], err[ok], ".", ms=3)
    lim = [bnd[ok].min(), bnd[ok].max()]
    a.loglog(lim, lim, "k-", lw=0.8, label="bound")
    a.set(xlabel="Theorem 5 bound $2\\epsilon M$",
          ylabel="$\\|f(\\xi) - x_i\\|$ (max over queries)",
          title="modern network: one-update error vs bound")
    a.legend(fontsize=8)
    a = ax[1, 1]
    t = res["theorem3"]
    a.semilogy(t["d"], t["n_max"], "o-", label="measured (all well separated, P >= 1-p)")
    a.semilogy(t["d"], t["n_theorem"], "s--", label="Theorem 3: $\\sqrt{p}\\,c^{(d-1)/4}$")
    a.set(xlabel="d", ylabel="number of patterns", title="storage capacity (beta=1, K=3, p=0.1)")
    a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("modern-hopfield-capacity", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = compute(args.quick, args.seed)
    for n, ds in res["kh"].items():
        f = am.fit_krotov_hopfield(ds)
        print(f"Krotov-Hopfield n={n}: exponent {f['exponent']:.3f} (theory {n - 1}), "
              f"C {f['C']:.3f} (theory {f['C_theory']:.0f})")
    for crit, ds in res["exp"].items():
        f = am.fit_demircigil(ds)
        print(f"Demircigil {crit}: alpha {f['alpha']:.4f} (theory {f['alpha_theory']:.4f})")
    print(f"Theorem 5: max error/bound = {float(res['bound']['ratio_max'].max()):.3f}")
    with OutputSet(args) as out:
        for n, ds in res["kh"].items():
            out.netcdf(ds, f"modern_capacity_kh_n{n}.nc")
        for c, ds in res["exp"].items():
            out.netcdf(ds, f"modern_capacity_exp_{c}.nc")
        out.netcdf(res["bound"], "modern_capacity_bound.nc")
        out.netcdf(res["theorem3"], "modern_capacity_theorem3.nc")
        out.figure(lambda p: plot(res, p), "modern_capacity.png")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
