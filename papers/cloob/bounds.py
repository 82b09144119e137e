"""CLOOB's claims checked numerically: MI bounds, InfoNCE saturation, covariance enrichment.

Fuerst et al. (2022): InfoNCE vs InfoLOOB as bounds on the mutual information, the
saturation of InfoNCE's gradient, and the covariance enrichment of Hopfield retrieval.

Panels: (a) InfoNCE and InfoLOOB estimates (Eqs. (1)-(2)) with the optimal critic on
correlated Gaussian pairs against the true mutual information, for several batch sizes N:
InfoNCE stays below ``log N``, InfoLOOB above the true value
(:func:`assoc.modern.cloob_checks.gaussian_mi_bounds`); (b) ``|dL/da|`` of both losses
against the similarity ``a`` of the positive pairs, closed form and central differences
(and autograd when PyTorch is installed; :func:`~assoc.modern.cloob_checks.infonce_saturation`);
(c) covariance spectra of stored and Hopfield-retrieved embeddings (Eq. (4)) and (d) their
effective rank and planted-subspace fraction against ``beta``
(:func:`~assoc.modern.cloob_checks.covariance_enrichment`).

    python -m papers cloob-bounds [--quick] [--out DIR] [--seed S]

Writes ``cloob_bounds_mi.nc``, ``cloob_bounds_saturation.nc``,
``cloob_bounds_enrichment.nc``, ``cloob_bounds.txt`` (the tables) and ``cloob_bounds.png``.
The full-mode tables are committed as ``benchmarks/results/cloob_bounds.txt``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.modern import cloob_checks as cc

from .._cli import OutputSet, figure_parser

SETTINGS = {
    True: dict(mi=dict(mi=[1.0, 4.0, 8.0], N=[16, 64], d=20, batches=50),
               sat=dict(similarity=np.linspace(-1, 1, 9), tau=[1 / 30, 0.1], N=32),
               cov=dict(beta=[1.0, 4.0, 14.3], N=128, samples=2)),
    False: dict(mi=dict(mi=[0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0], N=[16, 64, 256], d=20,
                        batches=500),
                sat=dict(similarity=np.linspace(-1, 1, 41), tau=[1 / 30, 0.07, 0.5], N=64),
                cov=dict(beta=[0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 14.3, 30.0, 100.0], N=256,
                         samples=16)),
}


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def compute(quick: bool, seed: int) -> dict[str, xr.Dataset]:
    """The three check Datasets; the full mode also differentiates with torch's autograd
    when PyTorch is installed (the quick one skips importing it)."""
    cfg = SETTINGS[quick]
    autograd = not quick and _has_torch()
    return {"mi": cc.gaussian_mi_bounds(**cfg["mi"], seed=seed),
            "saturation": cc.infonce_saturation(**cfg["sat"], autograd=autograd, seed=seed),
            "enrichment": cc.covariance_enrichment(**cfg["cov"], seed=seed)}


def table(res: dict[str, xr.Dataset]) -> str:
    mi, sat, cov = res["mi"], res["saturation"], res["enrichment"]
    lines = [f"# (a) MI estimates with the optimal critic, Gaussian pairs (d = {mi.attrs['d']}"
             f", {mi.attrs['batches']} batches per point): mean +- standard error; sd = spread "
             "over batches",
             f"{'N':>4} {'log N':>6} {'MI':>5} {'InfoNCE':>15} {'InfoLOOB':>15} "
             f"{'sd NCE':>7} {'sd LOOB':>7}"]
    for n in mi.N.values:
        for m in mi.mi.values:
            r = mi.sel(N=n, mi=m)
            lines.append(f"{int(n):>4} {float(r.log_N):>6.3f} {m:>5.1f} "
                         f"{float(r.infonce):>7.3f} +- {float(r.infonce_se):.3f} "
                         f"{float(r.infoloob):>7.3f} +- {float(r.infoloob_se):.3f} "
                         f"{float(r.infonce_sd):>7.3f} {float(r.infoloob_sd):>7.3f}")
    have_ag = "grad_infonce_autograd" in sat
    lines += ["", f"# (b) dL/da of the symmetric losses (N = {sat.attrs['N']}): positive "
                  "similarity a; p = softmax probability of the positive; ratio = "
                  "InfoNCE / InfoLOOB = mean (1 - p)",
              f"# max |closed form - central differences| = "
              f"{float(abs(sat.grad_infonce - sat.grad_infonce_fd).max()):.2e} (InfoNCE), "
              f"{float(abs(sat.grad_infoloob - sat.grad_infoloob_fd).max()):.2e} (InfoLOOB)"
              + (f"; - autograd = "
                 f"{float(abs(sat.grad_infonce - sat.grad_infonce_autograd).max()):.2e}, "
                 f"{float(abs(sat.grad_infoloob - sat.grad_infoloob_autograd).max()):.2e}"
                 if have_ag else "; autograd not run (no PyTorch)"),
              f"{'tau':>7} {'a':>5} {'p':>7} {'dNCE/da':>10} {'dLOOB/da':>10} {'ratio':>8}"]
    for t in sat.tau.values:
        for a in sat.similarity.values[::max(1, sat.sizes["similarity"] // 10)]:
            r = sat.sel(tau=t, similarity=a)
            lines.append(f"{t:>7.4f} {a:>5.2f} {float(r.p_pos):>7.4f} "
                         f"{float(r.grad_infonce):>10.4f} {float(r.grad_infoloob):>10.4f} "
                         f"{float(r.grad_ratio):>8.2e}")
    lines += ["", f"# (c) covariance of Hopfield retrievals U_x (Eq. (4)) vs stored x (N = "
                  f"{cov.attrs['N']}, d = {cov.attrs['d']}, planted k = {cov.attrs['k']}, "
                  f"noise {cov.attrs['noise']}); mean over {cov.sizes['sample']} samples",
              f"# eff. rank = exp(entropy of normalised eigenvalues); top-k = variance in the k "
              f"largest; signal = variance in the planted subspace; p = softmax prob. of the "
              f"positive pair at tau = {cov.attrs['tau']:.4g}",
              "# U_x: the stored x retrieved (the query is in the memory); U_y: the y "
              "retrieved from the x-memory (CLOOB's U_y)",
              f"{'':>7} {'U_x':>25} {'U_y':>25}",
              f"{'beta':>7} {'eff.rank':>9} {'top-k':>7} {'signal':>7} {'eff.rank':>9} "
              f"{'top-k':>7} {'signal':>7} {'p':>7}"]
    m = cov.mean("sample")
    lines.append(f"{'stored':>7} {float(m.effective_rank_stored):>9.2f} "
                 f"{float(m.top_fraction_stored):>7.3f} {float(m.signal_fraction_stored):>7.3f}"
                 f" {'':>25} {float(m.p_pos_stored):>7.4f}")
    for b in cov.beta.values:
        r = m.sel(beta=b)
        lines.append(f"{b:>7.2f} {float(r.effective_rank):>9.2f} {float(r.top_fraction):>7.3f}"
                     f" {float(r.signal_fraction):>7.3f} {float(r.effective_rank_cross):>9.2f}"
                     f" {float(r.top_fraction_cross):>7.3f} {float(r.signal_fraction_cross):>7.3f}"
                     f" {float(r.p_pos):>7.4f}")
    return "\n".join(lines) + "\n"


def plot(res: dict[str, xr.Dataset], path) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mi, sat, cov = res["mi"], res["saturation"], res["enrichment"]
    fig, ax = plt.subplots(2, 2, figsize=(11, 8.5))
    a = ax[0, 0]
    for k, n in enumerate(mi.N.values):
        r = mi.sel(N=n)
        c = f"C{k}"
        a.errorbar(mi.mi, r.infonce, yerr=r.infonce_sd, fmt="o-", color=c, ms=3,
                   label=f"InfoNCE, N = {int(n)}")
        a.errorbar(mi.mi, r.infoloob, yerr=r.infoloob_sd, fmt="s--", color=c, ms=3,
                   label=f"InfoLOOB, N = {int(n)}")
        a.axhline(float(r.log_N), color=c, lw=0.6, ls=":")
    a.plot(mi.mi, mi.mi, "k-", lw=0.8, label="true MI")
    a.set(xlabel="true mutual information (nats)", ylabel="estimate (nats), bars: sd")
    a.set_title("(a) optimal critic: InfoNCE <= log N (dotted), InfoLOOB >= MI", fontsize=10)
    a.legend(fontsize=7)
    a = ax[0, 1]
    for k, t in enumerate(sat.tau.values):
        r = sat.sel(tau=t)
        a.semilogy(sat.similarity, -r.grad_infonce, "-", color=f"C{k}",
                   label=f"InfoNCE, tau = {t:.3g}")
        a.semilogy(sat.similarity, -r.grad_infonce_fd, ".", color=f"C{k}", ms=3)
        a.semilogy(sat.similarity, -r.grad_infoloob, "--", color=f"C{k}",
                   label=f"InfoLOOB, tau = {t:.3g}")
    a.set(xlabel="similarity a of the positive pairs", ylabel="|dL/da|")
    a.set_title("(b) InfoNCE's gradient saturates (dots: finite differences)", fontsize=10)
    a.legend(fontsize=7)
    a = ax[1, 0]
    m = cov.mean("sample")
    a.semilogy(cov["rank"], m.spectrum_stored, "k-", lw=2, label="stored x")
    for k, b in enumerate(cov.beta.values):
        a.semilogy(cov["rank"], m.spectrum.sel(beta=b), "-", color=f"C{k}", lw=0.8,
                   label=f"retrieved, beta = {b:g}")
    a.set(xlabel="rank", ylabel="normalised eigenvalue")
    a.set_title(f"(c) covariance spectra of U_x (planted k = {cov.attrs['k']})", fontsize=10)
    a.legend(fontsize=7)
    a = ax[1, 1]
    a.semilogx(cov.beta, m.effective_rank, "o-", label="effective rank, U_x")
    a.semilogx(cov.beta, m.effective_rank_cross, "o--", color="C0", label="effective rank, U_y")
    a.axhline(float(m.effective_rank_stored), color="C0", ls=":", label="stored")
    b = a.twinx()
    b.semilogx(cov.beta, m.signal_fraction, "s-", color="C1", label="signal fraction, U_x")
    b.semilogx(cov.beta, m.signal_fraction_cross, "s--", color="C1",
               label="signal fraction, U_y")
    b.axhline(float(m.signal_fraction_stored), color="C1", ls=":")
    a.set(xlabel="beta", ylabel="effective rank")
    a.set_title("(d) retrieval concentrates the variance", fontsize=10)
    b.set_ylabel("variance fraction in the planted subspace")
    a.legend(fontsize=7, loc="center left")
    b.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("cloob-bounds", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = compute(args.quick, args.seed)
    with OutputSet(args) as out:
        for k, ds in res.items():
            out.netcdf(ds, f"cloob_bounds_{k}.nc")
        out.text(table(res), "cloob_bounds.txt")
        out.figure(lambda p: plot(res, p), "cloob_bounds.png")
    print(table(res), end="")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
