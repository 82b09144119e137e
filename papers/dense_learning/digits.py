"""Dense networks trained on handwritten digits: retrieval and classification from corrupted
inputs, against P, M and the protocol, with the baselines a user would try.

The papers test on MNIST and Fashion-MNIST; here the structured data are scikit-learn's
handwritten digits (8 x 8 pixels, binarised at half the grey range: N = 64 spins, 10
classes), which ship with that package (:func:`assoc.structured.load_digits`; MNIST-format
folders are read by :func:`assoc.structured.load_idx_dataset`). For each class, M training
images are the examples. The couplings are :class:`assoc.models.DenseExampleHebbian`'s:
supervised from the per-class sums ``X^mu = sum_a eta^(mu,a)``, unsupervised from every
example. A test image of each class has a fraction ``noise`` of its pixels flipped and is
relaxed by zero-temperature dynamics (the exact engine, :mod:`montecarlo.engine_numpy`, 10
sequential sweeps). Measured:

* ``accuracy``: the class whose archetype estimate ``sign(X^mu)`` has the largest overlap
  with the final state is the true one;
* ``overlap``: the final state's overlap with the archetype estimate of its true class;
* baselines: the nearest class mean of the corrupted input (``accuracy_ncm``; no dynamics)
  and the pairwise Hopfield network (P = 2, the same couplings).

The digit classes are strongly correlated (the archetype estimates overlap by 0.3 to 0.8):
the pairwise network and small P fall into one mixture state for every input, and the
interaction order separates them (P = 10 unsupervised approaches the nearest class mean at
M = 20). Supervised couplings at large P and M are left out (NaN) where the summed examples'
power sums leave float64's exact integers.

    python -m papers dense-learning-digits [--quick] [--out DIR] [--seed S]

Writes ``dense_learning_digits.nc``, ``dense_learning_digits.txt`` (the table) and
``dense_learning_digits.png``. The full-mode table is committed as
``benchmarks/results/dense_learning_digits.txt``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.dataset import finalize
from assoc.models import DenseExampleHebbian
from assoc.structured import binarize, load_digits
from montecarlo.dynamics import Glauber
from montecarlo.engine_numpy import init_state, run_sweeps

from .._cli import OutputSet, figure_parser

SWEEPS = 10
SETTINGS = {
    True: dict(P=[2, 4, 8], M=[5, 20], noise=[0.1, 0.25], tests=30),
    False: dict(P=[2, 4, 6, 8, 10], M=[5, 10, 20, 40], noise=[0.1, 0.2, 0.3], tests=60),
}
PROTOCOLS = ("supervised", "unsupervised")


def _split(labels: np.ndarray, M: int, tests: int, rng: np.random.Generator):
    """Per class: M training indices and ``tests`` test indices (disjoint, random)."""
    train, test = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.append(idx[:M])
        test.append(idx[M:M + tests])
    return np.stack(train), np.concatenate(test)


def recall(P: int, protocol: str, examples: np.ndarray, inputs: np.ndarray,
           seed: int) -> np.ndarray:
    """Zero-temperature relaxation of ``inputs`` (R, N) in the network built from
    ``examples`` (K classes, M, N) (:class:`assoc.models.DenseExampleHebbian`); final spins
    (R, N)."""
    model = DenseExampleHebbian(P, protocol=protocol)
    K, M, N = examples.shape
    X, _ = model.coupling_patterns(examples, 1.0)
    X = model.stacked_powers(X, M)
    R = inputs.shape[0]
    state = init_state(X[None], inputs[None].astype(np.int8))
    keys = np.random.default_rng(seed).integers(0, 2**63, (1, R, 2)).astype(np.uint64)
    run_sweeps(model, Glauber(), X[None], state, np.zeros((1, R)), keys, SWEEPS,
               odd_powers=model.odd_powers(M))
    return state.spins[:, 0, :].T.astype(np.int8)


def compute(quick: bool, seed: int) -> xr.Dataset:
    cfg = SETTINGS[quick]
    images, labels = load_digits()
    spins = binarize(images)
    N = spins.shape[1]
    rng = np.random.default_rng(seed)
    shape = (len(cfg["P"]), len(PROTOCOLS), len(cfg["M"]), len(cfg["noise"]))
    acc, ov = np.full(shape, np.nan), np.full(shape, np.nan)
    ncm = np.full(shape[2:], np.nan)
    for j, M in enumerate(cfg["M"]):
        train, test = _split(labels, M, cfg["tests"], rng)
        examples = spins[train]  # (10, M, N)
        est = np.where(examples.astype(np.int64).sum(1) >= 0, 1, -1)  # archetype estimates
        means = examples.astype(np.float64).mean(1)
        truth = labels[test]
        for k, noise in enumerate(cfg["noise"]):
            flip = rng.random((test.size, N)) < noise
            x = np.where(flip, -spins[test], spins[test]).astype(np.int8)
            ncm[j, k] = np.mean(np.argmax(x @ means.T, axis=1) == truth)
            for i, P in enumerate(cfg["P"]):
                for p, protocol in enumerate(PROTOCOLS):
                    try:
                        s = recall(P, protocol, examples, x,
                                   seed + 1000 * i + 100 * p + 10 * j + k)
                    except ValueError:  # summed examples beyond exact float64 arithmetic
                        continue
                    o = s.astype(np.int64) @ est.T / N  # (R, classes)
                    acc[i, p, j, k] = np.mean(np.argmax(o, axis=1) == truth)
                    ov[i, p, j, k] = np.mean(o[np.arange(truth.size), truth])
    dims = ("P", "protocol", "M", "noise")
    ds = xr.Dataset(
        {"accuracy": (dims, acc, {"long_name": "classification accuracy after relaxation",
                                  "units": "1"}),
         "overlap": (dims, ov, {"long_name": "overlap of the final state with the archetype "
                                             "estimate sign(X) of its class", "units": "1"}),
         "accuracy_ncm": (("M", "noise"), ncm, {
             "long_name": "accuracy of the nearest class mean of the corrupted input",
             "units": "1"})},
        coords={"P": cfg["P"], "protocol": list(PROTOCOLS), "M": cfg["M"],
                "noise": cfg["noise"]})
    for k, ln in (("P", "interaction order"), ("protocol", "coupling protocol"),
                  ("M", "training examples per class"),
                  ("noise", "fraction of flipped pixels of the test input")):
        ds[k].attrs.update(long_name=ln, units="1")
    return finalize(ds, kind="experiment", model="dense_examples",
                    normalisation=DenseExampleHebbian(3).normalisation,
                    references=["Agliari2023Supervised", "Agliari2023Unsupervised"],
                    data="sklearn.datasets.load_digits, binarised at half the grey range",
                    N=N, sweeps=SWEEPS, tests_per_class=cfg["tests"], seed=seed)


def table(ds: xr.Dataset) -> str:
    """The accuracies as text: one row per (M, noise), columns NCM and P x protocol."""
    cols = [f"P{P}{p[0]}" for P in ds.P.values for p in ds.protocol.values]
    lines = ["# dense networks trained on sklearn digits (N = 64, 10 classes): classification "
             "accuracy", "# from corrupted test inputs after T = 0 relaxation; s = supervised, "
             "u = unsupervised;", "# NCM = nearest class mean of the input (no dynamics); "
             "P2 = the pairwise Hopfield network",
             f"{'M':>4} {'noise':>6} {'NCM':>6} " + " ".join(f"{c:>6}" for c in cols)]
    for M in ds.M.values:
        for noise in ds.noise.values:
            row = ds.sel(M=M, noise=noise)
            vals = [float(row.accuracy.sel(P=P, protocol=p)) for P in ds.P.values
                    for p in ds.protocol.values]
            lines.append(f"{int(M):>4} {noise:>6.2f} {float(row.accuracy_ncm):>6.3f} "
                         + " ".join(f"{v:>6.3f}" if np.isfinite(v) else f"{'n/a':>6}"
                                    for v in vals))
    return "\n".join(lines) + "\n"


def plot(ds: xr.Dataset, path) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    noise = ds.noise.values[len(ds.noise) // 2]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, proto in zip(axes, ds.protocol.values, strict=True):
        for P in ds.P.values:
            ax.plot(ds.M, ds.accuracy.sel(P=P, protocol=proto, noise=noise), "o-",
                    label=f"P = {P}" + (" (Hopfield)" if P == 2 else ""))
        ax.plot(ds.M, ds.accuracy_ncm.sel(noise=noise), "k--", label="nearest class mean")
        ax.set(xscale="log", xlabel="training examples per class M", ylabel="accuracy",
               title=f"{proto}, {noise:.0%} of the pixels flipped", ylim=(0, 1))
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-learning-digits", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ds = compute(args.quick, args.seed)
    with OutputSet(args) as out:
        out.netcdf(ds, "dense_learning_digits.nc")
        out.text(table(ds), "dense_learning_digits.txt")
        out.figure(lambda p: plot(ds, p), "dense_learning_digits.png")
    print(table(ds), end="")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
