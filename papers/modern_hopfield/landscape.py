"""Energy landscape and fixed-point types of the modern Hopfield network for growing beta.

Ramsauer et al. (2020), Sec. 2: for small beta the only fixed point is near the global
average of the patterns; as beta grows, metastable states appear that average over
subsets of similar patterns, and finally every well-separated pattern has its own fixed
point. Top row: the energy ``E(xi)`` (Eq. (2)) of five 2-d patterns (a cluster of three
and two isolated ones) with the fixed points reached from a grid of starting states,
coloured by type. Bottom: for random clustered patterns in d = 32, the fractions of
single / metastable / global fixed points reached from the patterns, and the mean
90%-mass subset size k, against beta.

    python -m papers modern-hopfield-landscape [--quick] [--out DIR] [--seed S]

Writes ``modern_landscape_energy.nc`` (energy on the grid, fixed points),
``modern_landscape_types.nc`` (type fractions vs beta) and ``modern_landscape.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

import assoc.modern as am
from assoc.dataset import finalize
from assoc.seeding import normalize_seed, seed_entropy, stream_rng

from .._cli import OutputSet, figure_parser

PATTERNS_2D = np.array([[1.0, 0.1], [0.9, 0.35], [0.75, 0.0], [-1.0, 0.4], [0.0, -1.1]])
BETAS_2D = [0.3, 2.0, 6.0, 40.0]
SETTINGS = {True: dict(grid=61, starts=9, betas=13, clusters=6, per=4, samples=3),
            False: dict(grid=161, starts=21, betas=41, clusters=8, per=6, samples=20)}
NORMALISATION = ("E(xi) = -lse(beta, X^T xi) + xi^T xi/2 + log(N)/beta + M^2/2 "
                 "(Ramsauer et al. Eq. (2)); N patterns of dimension d")


def landscape(cfg: dict) -> xr.Dataset:
    """Energy on a 2-d grid and the fixed points reached from a grid of starts."""
    X = PATTERNS_2D
    g = np.linspace(-1.6, 1.6, cfg["grid"])
    P = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1)
    s = np.linspace(-1.5, 1.5, cfg["starts"])
    S = np.stack(np.meshgrid(s, s, indexing="ij"), axis=-1).reshape(-1, 2)
    E = np.stack([am.energy(P, X, b) for b in BETAS_2D])
    fps, codes, ks = [], [], []
    for b in BETAS_2D:
        c = am.classify_fixed_point(S, X, b)
        fps.append(c.fixed_point)
        codes.append(c.code)
        ks.append(c.k)
    ds = xr.Dataset(
        {
            "energy": (("beta", "x", "y"), E),
            "fixed_point": (("beta", "start", "component"), np.stack(fps)),
            "kind_code": (("beta", "start"), np.stack(codes)),
            "k": (("beta", "start"), np.stack(ks)),
            "patterns": (("pattern", "component"), X),
        },
        coords={"beta": BETAS_2D, "x": g, "y": g},
    )
    for name, ln in (("energy", "energy E(xi) of Ramsauer et al. Eq. (2)"),
                     ("fixed_point", "fixed point reached from the start"),
                     ("kind_code", "fixed-point type: 0 single, 1 metastable, 2 global"),
                     ("k", "patterns holding 90% of the softmax mass"),
                     ("patterns", "stored patterns"), ("x", "first state component"),
                     ("y", "second state component")):
        ds[name].attrs.update(long_name=ln, units="1")
    return finalize(ds, kind="experiment", model="modern_hopfield", normalisation=NORMALISATION,
                    references=["Ramsauer2020"], equations="Eqs. (2), (3)")


def types_vs_beta(cfg: dict, seed: int) -> xr.Dataset:
    """Fixed-point type fractions from each pattern, for clustered random patterns, vs beta."""
    root = normalize_seed(seed)
    betas = np.geomspace(0.01, 100.0, cfg["betas"])
    d = 32
    frac = np.zeros((len(betas), 3, cfg["samples"]))
    kmean = np.zeros((len(betas), cfg["samples"]))
    for s in range(cfg["samples"]):
        rng = stream_rng(root, "disorder", s)
        centres = rng.standard_normal((cfg["clusters"], d))
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        X = np.repeat(centres, cfg["per"], axis=0) + 0.15 * rng.standard_normal(
            (cfg["clusters"] * cfg["per"], d)) / np.sqrt(d)
        for i, b in enumerate(betas):
            c = am.classify_fixed_point(X, X, b)
            frac[i, :, s] = np.bincount(c.code, minlength=3) / len(X)
            kmean[i, s] = c.k.mean()
    ds = xr.Dataset(
        {"fraction": (("beta", "kind", "sample"), frac), "k_mean": (("beta", "sample"), kmean)},
        coords={"beta": betas, "kind": ["single", "metastable", "global"],
                "sample": np.arange(cfg["samples"])},
    )
    ds["fraction"].attrs.update(long_name="fraction of fixed points of each type", units="1")
    ds["k_mean"].attrs.update(long_name="mean 90%-mass subset size k", units="1")
    ds["kind"].attrs.update(long_name="fixed-point type", units="1")
    return finalize(ds, kind="experiment", model="modern_hopfield", normalisation=NORMALISATION,
                    references=["Ramsauer2020"], seeds=seed_entropy(root), d=d,
                    clusters=cfg["clusters"], per_cluster=cfg["per"], cluster_noise=0.15)


def plot(land: xr.Dataset, types: xr.Dataset, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = land.sizes["beta"]
    fig = plt.figure(figsize=(3.2 * nb, 7.2))
    colours = np.array(["tab:red", "tab:orange", "tab:blue"])
    X = land["patterns"].values
    for j in range(nb):
        a = fig.add_subplot(2, nb, j + 1)
        e = land["energy"].isel(beta=j)
        a.contourf(land.x, land.y, e.T, levels=30, cmap="viridis")
        fp = land["fixed_point"].isel(beta=j).values
        code = land["kind_code"].isel(beta=j).values
        a.scatter(fp[:, 0], fp[:, 1], c=colours[code], s=40, edgecolors="w", zorder=3)
        a.plot(X[:, 0], X[:, 1], "k+", ms=9, mew=2)
        a.set(title=f"beta = {float(land.beta[j]):g}", aspect="equal", xticks=[], yticks=[])
    a = fig.add_subplot(2, 2, 3)
    f = types["fraction"].mean("sample")
    for kind, c in zip(types.kind.values, colours, strict=True):
        a.semilogx(types.beta, f.sel(kind=kind), "-o", color=c, ms=3, label=str(kind))
    a.set(xlabel="beta", ylabel="fraction of fixed points",
          title="fixed points reached from the patterns (red single, orange metastable, "
                "blue global)")
    a.title.set_fontsize(8)
    a.legend(fontsize=8)
    a = fig.add_subplot(2, 2, 4)
    a.loglog(types.beta, types["k_mean"].mean("sample"), "k-o", ms=3)
    a.set(xlabel="beta", ylabel="mean k (90% softmax mass)", title="subset size k")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("modern-hopfield-landscape", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    cfg = SETTINGS[args.quick]
    land = landscape(cfg)
    types = types_vs_beta(cfg, args.seed)
    with OutputSet(args) as out:
        out.netcdf(land, "modern_landscape_energy.nc")
        out.netcdf(types, "modern_landscape_types.nc")
        out.figure(lambda p: plot(land, types, p), "modern_landscape.png")
    f = types["fraction"].mean("sample")
    for b in (0, types.sizes["beta"] // 2, -1):
        print(f"beta = {float(types.beta[b]):8.3g}: " + ", ".join(
            f"{str(k)} {float(f.isel(beta=b).sel(kind=k)):.2f}" for k in types.kind.values))
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
