"""Metastable-state statistics of attention-like configurations (Ramsauer et al. 2020, Sec. 3).

Ramsauer et al. classify transformer attention heads by the number k of keys that hold
90% of the softmax mass: heads averaging over (almost) all tokens (global fixed points),
over subsets (metastable states) or over few tokens (fixed points near single patterns).
Here the tokens are attention-like synthetic configurations: L keys of dimension d_k
from a few "topics" (clusters) with token noise, the queries are the keys themselves
(self-attention), and ``beta = scale / sqrt(d_k)`` as in attention, for growing
``scale``. For each configuration we record k after one update (what a transformer layer
computes) and at the fixed point reached by iterating the update, and the fixed-point
type.

    python -m papers modern-hopfield-metastable [--quick] [--out DIR] [--seed S]

Writes ``modern_metastable.nc`` (k per query, sample and scale; type counts) and
``modern_metastable.png``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

import assoc.modern as am
from assoc.dataset import finalize
from assoc.seeding import normalize_seed, seed_entropy, stream_rng

from .._cli import OutputSet, figure_parser

SETTINGS = {True: dict(L=64, d_k=32, topics=4, samples=3,
                       scales=[0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8]),
            False: dict(L=128, d_k=64, topics=8, samples=20,
                        scales=list(np.geomspace(0.125, 16, 15)))}
TOKEN_NOISE = 0.6


def compute(cfg: dict, seed: int) -> xr.Dataset:
    root = normalize_seed(seed)
    L, dk = cfg["L"], cfg["d_k"]
    scales = np.asarray(cfg["scales"], dtype=float)
    k1 = np.zeros((len(scales), cfg["samples"], L), dtype=np.int64)
    kf = np.zeros_like(k1)
    code = np.zeros_like(k1)
    for s in range(cfg["samples"]):
        rng = stream_rng(root, "disorder", s)
        topics = rng.standard_normal((cfg["topics"], dk))
        which = rng.integers(0, cfg["topics"], size=L)
        keys = topics[which] + TOKEN_NOISE * rng.standard_normal((L, dk))
        for i, sc in enumerate(scales):
            beta = sc / np.sqrt(dk)
            one = am.classify_fixed_point(keys, keys, beta, iterate_first=False)
            k1[i, s] = one.k
            fp = am.classify_fixed_point(keys, keys, beta, max_steps=2000)
            kf[i, s] = fp.k
            code[i, s] = fp.code
    ds = xr.Dataset(
        {"k_one_update": (("scale", "sample", "query"), k1),
         "k_fixed_point": (("scale", "sample", "query"), kf),
         "kind_code": (("scale", "sample", "query"), code)},
        coords={"scale": scales, "sample": np.arange(cfg["samples"]), "query": np.arange(L)},
    )
    for name, ln in (("k_one_update", "keys holding 90% of the softmax mass after one update"),
                     ("k_fixed_point", "keys holding 90% of the softmax mass at the fixed point"),
                     ("kind_code", "fixed-point type: 0 single, 1 metastable, 2 global"),
                     ("scale", "beta sqrt(d_k)"), ("query", "query (token) index")):
        ds[name].attrs.update(long_name=ln, units="1")
    return finalize(
        ds, kind="experiment", model="modern_hopfield",
        normalisation="self-attention of L keys in d_k dims, beta = scale / sqrt(d_k)",
        references=["Ramsauer2020", "Vaswani2017"], seeds=seed_entropy(root), L=L, d_k=dk,
        topics=cfg["topics"], token_noise=TOKEN_NOISE,
    )


def plot(ds: xr.Dataset, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    L = ds.sizes["query"]
    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    for name, style in (("k_one_update", "o-"), ("k_fixed_point", "s--")):
        k = ds[name].values.reshape(ds.sizes["scale"], -1)
        q = np.percentile(k, [10, 50, 90], axis=1)
        ax[0].fill_between(ds.scale, q[0], q[2], alpha=0.2)
        ax[0].semilogx(ds.scale, q[1], style, label=name.replace("_", " "))
    ax[0].axhline(0.9 * L, color="k", lw=0.6, ls=":")
    ax[0].set(xlabel="scale = beta sqrt(d_k)", ylabel="k (median, 10-90%)",
              title=f"subset size, L = {L} keys")
    ax[0].legend(fontsize=8)
    bins = np.arange(1, L + 2) - 0.5
    for i in range(0, ds.sizes["scale"], max(1, ds.sizes["scale"] // 4)):
        ax[1].hist(ds["k_one_update"].isel(scale=i).values.ravel(), bins=bins, histtype="step",
                   label=f"scale {float(ds.scale[i]):g}")
    ax[1].set(xlabel="k after one update", ylabel="queries", yscale="log",
              title="distribution of k (one update)")
    ax[1].legend(fontsize=8)
    c = ds["kind_code"].values.reshape(ds.sizes["scale"], -1)
    for code, lab, col in ((0, "single", "tab:red"), (1, "metastable", "tab:orange"),
                           (2, "global", "tab:blue")):
        ax[2].semilogx(ds.scale, (c == code).mean(axis=1), "o-", color=col, label=lab)
    ax[2].set(xlabel="scale", ylabel="fraction of queries", title="fixed-point types")
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("modern-hopfield-metastable", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ds = compute(SETTINGS[args.quick], args.seed)
    with OutputSet(args) as out:
        out.netcdf(ds, "modern_metastable.nc")
        out.figure(lambda p: plot(ds, p), "modern_metastable.png")
    for i in range(ds.sizes["scale"]):
        c = ds["kind_code"].isel(scale=i).values
        print(f"scale {float(ds.scale[i]):6g}: median k one update "
              f"{np.median(ds['k_one_update'].isel(scale=i)):5.1f}, fixed point "
              f"{np.median(ds['k_fixed_point'].isel(scale=i)):5.1f}; single/metastable/global "
              f"{(c == 0).mean():.2f}/{(c == 1).mean():.2f}/{(c == 2).mean():.2f}")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
