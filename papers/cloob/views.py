"""CLIP vs CLOOB on two corrupted views of sklearn digits: retrieval and zero-shot accuracy.

Cross-view retrieval and zero-shot classification, mean and spread over seeds.

A small stand-in for the image-text pre-training of Fuerst et al. (2022), which runs on
two CPU cores. The "modalities" are two corruptions of scikit-learn's 8 x 8 digits (grey
levels scaled to [0, 1]): view A keeps each pixel with probability 1 - ``MASK`` and adds
Gaussian noise of standard deviation ``NOISE_A``; view B shifts the image by up to one
pixel in each direction (cyclically) and adds noise ``NOISE_B``. Two encoders (MLPs 64 -
128 - 32, ReLU, outputs normalised to unit length), one per view, are trained from the
same initialisation, data order and views (fresh corruptions every epoch) for every
method, with Adam and the same budget:

* ``clip``: InfoNCE (Eq. (1), symmetric; CLIP's objective) on the embeddings;
* ``cloob``: InfoLOOB on Hopfield retrievals from the batch (Eqs. (3)-(5));
* ablations ``infoloob`` (InfoLOOB without retrieval) and ``hopfield_infonce`` (retrieval
  with InfoNCE), the paper's ablation pair.

The temperature is fixed and the same for all methods, at each of ``TAUS`` (CLOOB's
``tau^-1 = 30``, and 0.1); the retrieval's ``beta = BETA`` (CLOOB: 8 for Conceptual
Captions). No labels are used in
training. Evaluation on a held-out split (views drawn once, seeded):

* ``top1``: cross-view retrieval: the nearest view-B embedding of a test view-A embedding
  (cosine) is its own partner, and vice versa (mean of the two directions; chance is
  1 / number of test images);
* ``class_match``: the retrieved partner has the right digit class;
* ``zeroshot``: zero-shot-style classification: the class "prompts" are the mean clean
  training image of each class encoded by the view-B encoder; a test view-A embedding gets
  the class of the most similar prompt.

    python -m papers cloob-views [--quick] [--out DIR] [--seed S]

Needs PyTorch (optional: ``pip install torch``) and scikit-learn. Writes
``cloob_views.nc``, ``cloob_views.txt`` (the table) and ``cloob_views.png``. The full-mode
table is committed as ``benchmarks/results/cloob_views.txt``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import xarray as xr

from assoc.dataset import finalize
from assoc.seeding import control_key, normalize_seed, seed_entropy, stream_rng

from .._cli import OutputSet, figure_parser

METHODS = ("clip", "cloob", "infoloob", "hopfield_infonce")
MASK, NOISE_A, NOISE_B = 0.5, 0.1, 0.3
BETA = 8.0
SIZES = (64, 128, 32)
BATCH, LR = 128, 1e-3
SETTINGS = {
    True: dict(methods=("clip", "cloob"), taus=(1 / 30,), seeds=2, epochs=5, test=300),
    False: dict(methods=METHODS, taus=(1 / 30, 0.1), seeds=5, epochs=60, test=597),
}


def view_a(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random pixel masking plus noise (view A) of images ``x`` (n, 64)."""
    return x * (rng.random(x.shape) >= MASK) + NOISE_A * rng.standard_normal(x.shape)


def view_b(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cyclic shift by -1, 0 or +1 pixel along each axis plus noise (view B)."""
    im = x.reshape(-1, 8, 8)
    s = rng.integers(-1, 2, size=(im.shape[0], 2))
    rows = (np.arange(8)[None, :] - s[:, :1]) % 8  # out[r] = im[r - s]
    cols = (np.arange(8)[None, :] - s[:, 1:]) % 8
    out = im[np.arange(im.shape[0])[:, None, None], rows[:, :, None], cols[:, None, :]]
    return out.reshape(x.shape) + NOISE_B * rng.standard_normal(x.shape)


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[Any]:
    """torch, with its intra-op threads set to ``n`` inside the block (small MLPs gain
    nothing from more and suffer on shared cores)."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield torch
    finally:
        torch.set_num_threads(old)


def encoder(torch: Any, rng: np.random.Generator) -> Any:
    """An MLP of :data:`SIZES` initialised from ``rng`` (PyTorch's default uniform
    ``+-1/sqrt(fan_in)`` scheme, without torch's global generator)."""
    layers: list = []
    for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
        lin = torch.nn.Linear(a, b)
        bound = 1.0 / np.sqrt(a)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(rng.uniform(-bound, bound, (b, a))))
            lin.bias.copy_(torch.as_tensor(rng.uniform(-bound, bound, b)))
        layers += [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1, with bias correction), written out: the first
    construction of a ``torch.optim`` optimizer imports torch's compiler stack (seconds,
    more than the quick mode's training)."""

    def __init__(self, torch: Any, params: list, lr: float, b1: float = 0.9,
                 b2: float = 0.999, eps: float = 1e-8) -> None:
        self.torch, self.params, self.lr, self.b1, self.b2, self.eps = (torch, params, lr, b1,
                                                                        b2, eps)
        self.m = [torch.zeros_like(q) for q in params]
        self.v = [torch.zeros_like(q) for q in params]
        self.t = 0

    def step(self) -> None:
        """One update from the gradients in ``.grad``, which are then cleared."""
        self.t += 1
        c1, c2 = 1.0 - self.b1**self.t, 1.0 - self.b2**self.t
        with self.torch.no_grad():
            for q, m, v in zip(self.params, self.m, self.v, strict=True):
                g = q.grad
                m.mul_(self.b1).add_(g, alpha=1.0 - self.b1)
                v.mul_(self.b2).addcmul_(g, g, value=1.0 - self.b2)
                q.sub_(self.lr * (m / c1) / ((v / c2).sqrt() + self.eps))
                q.grad = None


def _embed(torch: Any, f: Any, x: np.ndarray) -> Any:
    return torch.nn.functional.normalize(f(torch.as_tensor(x, dtype=torch.float32)), dim=1)


def loss_fn(method: str, a: Any, b: Any, tau: float) -> Any:
    """The training objective of ``method`` on a batch of embeddings ``a``, ``b``."""
    from assoc.modern import contrastive_torch as ct

    if method == "clip":
        return ct.info_nce(a, b, tau)
    if method == "infoloob":
        return ct.info_loob(a, b, tau)
    objective = "infoloob" if method == "cloob" else "infonce"
    return ct.cloob_loss(a, b, tau, BETA, objective=objective)


def train_and_evaluate(method: str, tau: float, images: np.ndarray, labels: np.ndarray,
                       train: np.ndarray, test: np.ndarray, epochs: int,
                       root: np.random.SeedSequence, sample: int) -> dict[str, Any]:
    """Train the two encoders with ``method`` at temperature ``tau``; the test metrics and
    the loss per epoch.

    The initialisation, data order and training views depend on ``(root, sample)`` only,
    not on ``method`` or ``tau``; the test views on ``root`` only."""
    with _torch_threads(1) as torch:
        rng = stream_rng(root, "model", sample)
        fa, fb = encoder(torch, rng), encoder(torch, rng)
        opt = Adam(torch, [*fa.parameters(), *fb.parameters()], LR)
        drng = stream_rng(root, "disorder", sample)
        curve = np.zeros(epochs)
        for e in range(epochs):
            order = drng.permutation(train)
            losses = []
            for s in range(0, order.size - BATCH + 1, BATCH):
                x = images[order[s:s + BATCH]]
                a, b = _embed(torch, fa, view_a(x, drng)), _embed(torch, fb, view_b(x, drng))
                loss = loss_fn(method, a, b, tau)
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
            curve[e] = np.mean(losses)
        trng = stream_rng(root, "queries", control_key(test=test.size))
        x = images[test]
        with torch.no_grad():
            A, B = _embed(torch, fa, view_a(x, trng)), _embed(torch, fb, view_b(x, trng))
            S = (A @ B.T).numpy()
            prompts = np.stack([images[train][labels[train] == c].mean(0) for c in range(10)])
            P = _embed(torch, fb, prompts)
            zs = (A @ P.T).numpy().argmax(1)
    n, y = test.size, labels[test]
    ab, ba = S.argmax(1), S.argmax(0)
    return dict(top1=0.5 * (np.mean(ab == np.arange(n)) + np.mean(ba == np.arange(n))),
                class_match=0.5 * (np.mean(y[ab] == y) + np.mean(y[ba] == y)),
                zeroshot=np.mean(zs == y), loss=curve)


def compute(quick: bool, seed: int) -> xr.Dataset:
    from assoc.structured import load_digits

    cfg = SETTINGS[quick]
    images, labels = load_digits()
    images = images.reshape(len(images), -1).astype(np.float64) / 16.0
    root = normalize_seed(seed)
    perm = stream_rng(root, "disorder", control_key(split="digits")).permutation(len(images))
    train, test = perm[:1200], perm[1200:1200 + cfg["test"]]
    methods, taus, seeds, epochs = cfg["methods"], cfg["taus"], cfg["seeds"], cfg["epochs"]
    shape = (len(taus), len(methods), seeds)
    out = {k: np.zeros(shape) for k in ("top1", "class_match", "zeroshot")}
    curves = np.zeros((*shape, epochs))
    for t, tau in enumerate(taus):
        for i, m in enumerate(methods):
            for s in range(seeds):
                r = train_and_evaluate(m, tau, images, labels, train, test, epochs, root, s)
                for k in out:
                    out[k][t, i, s] = r[k]
                curves[t, i, s] = r["loss"]
    dims = ("tau", "objective", "sample")
    ds = xr.Dataset({k: (dims, v) for k, v in out.items()},
                    coords={"tau": list(taus), "objective": list(methods),
                            "sample": np.arange(seeds), "epoch": np.arange(1, epochs + 1)})
    ds["loss"] = ((*dims, "epoch"), curves)
    for k, ln in (("top1", "top-1 cross-view retrieval accuracy (own partner), mean of both "
                           "directions"),
                  ("class_match", "fraction of cross-view retrievals of the right class"),
                  ("zeroshot", "zero-shot accuracy with class-mean prompts (view-B encoder)"),
                  ("loss", "training loss, mean over the batches of the epoch"),
                  ("objective", "training objective (method)"),
                  ("tau", "temperature of the objective (the same for all methods)"),
                  ("sample", "seed index (initialisation, data order, views)"),
                  ("epoch", "training epoch")):
        ds[k].attrs.update(long_name=ln, units="1")
    return finalize(
        ds, kind="experiment", model="contrastive_views",
        normalisation=f"unit-norm embeddings; similarities / tau; Hopfield retrieval "
                      f"beta = {BETA}",
        references=["Fuerst2022"], data="sklearn.datasets.load_digits, grey levels / 16",
        views=f"A: mask {MASK} + noise {NOISE_A}; B: shift <= 1 px + noise {NOISE_B}",
        encoders="MLP " + "-".join(map(str, SIZES)), batch=BATCH, lr=LR, epochs=epochs,
        optimizer="Adam", train=int(train.size), test=int(test.size), beta=BETA,
        seeds=seed_entropy(root), equations="Eqs. (1)-(5)",
    )


def _cell(v: xr.DataArray, signed: bool = False) -> str:
    """``mean +- std`` over the seeds (``std`` with ddof = 1)."""
    mean = f"{float(v.mean()):+.3f}" if signed else f"{float(v.mean()):.3f}"
    if v.sizes["sample"] < 2:
        return mean
    return f"{mean} +- {float(v.std(ddof=1)):.3f}"


def table(ds: xr.Dataset) -> str:
    n_test = int(ds.attrs["test"])
    lines = [
        "# CLIP vs CLOOB on two corrupted views of sklearn digits (2 MLP encoders 64-128-32, "
        f"{ds.attrs['epochs']} epochs, batch {ds.attrs['batch']}, Adam lr {ds.attrs['lr']})",
        f"# same tau for all methods; beta = {ds.attrs['beta']}; train {ds.attrs['train']}, "
        f"test {n_test} images; mean +- std over {ds.sizes['sample']} seeds (same seeds for "
        "every method)",
        f"# top1: own partner retrieved across views (chance {1 / n_test:.4f}); class: "
        "retrieved partner of the right class; zeroshot: class-mean prompts (chance 0.1)",
        f"{'tau':>7} {'method':>17} {'top1':>15} {'class':>15} {'zeroshot':>15} "
        f"{'final loss':>11}",
    ]
    for tau in ds.tau.values:
        for m in ds.objective.values:
            row = ds.sel(tau=tau, objective=m)
            cells = [_cell(row[k]) for k in ("top1", "class_match", "zeroshot")]
            lines.append(f"{tau:>7.4f} {m:>17} " + " ".join(f"{c:>15}" for c in cells)
                         + f" {float(row.loss.isel(epoch=-1).mean()):>11.3f}")
    if "clip" in ds.objective.values and ds.sizes["objective"] > 1:
        lines += ["# paired differences to clip (the same seeds): mean +- std over seeds",
                  f"{'tau':>7} {'method':>17} {'d top1':>15} {'d class':>15} "
                  f"{'d zeroshot':>15}"]
        for tau in ds.tau.values:
            ref = ds.sel(tau=tau, objective="clip")
            for m in ds.objective.values:
                if m == "clip":
                    continue
                row = ds.sel(tau=tau, objective=m)
                cells = [_cell(row[k] - ref[k], signed=True)
                         for k in ("top1", "class_match", "zeroshot")]
                lines.append(f"{tau:>7.4f} {m:>17} " + " ".join(f"{c:>15}" for c in cells))
    return "\n".join(lines) + "\n"


def plot(ds: xr.Dataset, path) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nt = ds.sizes["tau"]
    fig, ax = plt.subplots(nt, 2, figsize=(11, 4 * nt), squeeze=False)
    keys = ("top1", "class_match", "zeroshot")
    w = 0.8 / ds.sizes["objective"]
    for row, tau in zip(ax, ds.tau.values, strict=True):
        for i, m in enumerate(ds.objective.values):
            r = ds.sel(tau=tau, objective=m)
            err = [float(r[k].std(ddof=1)) if r.sizes["sample"] > 1 else 0.0 for k in keys]
            row[0].bar(np.arange(3) + i * w, [float(r[k].mean()) for k in keys], w, yerr=err,
                       label=m)
            row[1].plot(ds.epoch, r.loss.mean("sample"), label=m)
        row[0].set(xticks=np.arange(3) + 0.4 - w / 2, xticklabels=keys, ylabel="accuracy",
                   title=f"held-out views, tau = {tau:.3g}: mean +- std over seeds")
        row[0].legend(fontsize=8)
        row[1].set(xlabel="epoch", ylabel="training loss",
                   title=f"training loss, tau = {tau:.3g} (the objectives differ)")
        row[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("cloob-views", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        ap.exit(2, "cloob-views needs PyTorch, which is optional: pip install torch\n")
    t0 = time.perf_counter()
    ds = compute(args.quick, args.seed)
    with OutputSet(args) as out:
        out.netcdf(ds, "cloob_views.nc")
        out.text(table(ds), "cloob_views.txt")
        out.figure(lambda p: plot(ds, p), "cloob_views.png")
    print(table(ds), end="")
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
