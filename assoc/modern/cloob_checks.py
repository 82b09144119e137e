"""Numerical checks of the analytic claims of CLOOB (Fuerst et al. 2022), as Datasets.

- :func:`gaussian_mi_bounds`: InfoNCE and InfoLOOB estimates of the mutual information of
  correlated Gaussian pairs with the optimal critic (the true log density ratio), against
  the exact value ``I = -d/2 log(1 - rho^2)``: InfoNCE is a lower bound capped at
  ``log N``; InfoLOOB is an upper bound in expectation, not capped (Eqs. (1)-(2)).
- :func:`infonce_saturation`: the gradient of the losses w.r.t. the similarity of the
  positive pairs as that similarity grows: InfoNCE's vanishes with the factor ``1 - p``
  (``p`` the softmax probability of the positive), InfoLOOB's is constant.
- :func:`covariance_enrichment`: the eigenvalue spectrum of the covariance of
  Hopfield-retrieved embeddings (Eqs. (4)-(5)) against that of the stored embeddings, for
  embeddings with a planted low-dimensional structure; and the softmax probability of the
  positive pair before and after retrieval (retrieval makes pairs more similar, which is
  what makes InfoNCE saturate in CLOOB's argument).

Derivations used by the checks
------------------------------
Gaussian pairs: ``x ~ N(0, I_d)``, ``y = rho x + sqrt(1 - rho^2) eps``. The optimal critic
is ``log f(x, y) = log p(y | x) / p(y) = -d/2 log(1 - rho^2)
- |y - rho x|^2 / (2 (1 - rho^2)) + |y|^2 / 2``, and ``E[log f(x_i, y_i)] = I(X; Y)``.
With it, ``I_LOOB = mean_i log f_ii + mean_i [-log mean_{j != i} f_ji]``; the second term is
``>= 0`` in expectation by Jensen (``E f(x_j, y_i) = 1`` for ``j != i``): the upper bound.

Saturation: for the similarity matrix ``S`` (``S_ij = x_i . y_j``) with every positive
``S_ii = a``, ``dL/da = -1/(N tau) sum_i [(1 - P_ii) + (1 - Q_ii)]`` for the symmetric
InfoNCE loss (``P``, ``Q`` the row and column softmax of ``S / tau``) and ``-2 / tau`` for
InfoLOOB. The check realises a given ``S`` with embeddings: ``Y`` orthogonal (N x N) and
``X = S Y``, so ``X Y^T = S``, and differentiates the public losses.

Covariance enrichment: the Jacobian of the retrieval ``xi -> X^T softmax(beta X xi)``
(rows of ``X`` stored) is ``beta X^T (diag(p) - p p^T) X``: ``beta`` times the covariance
of the stored patterns under the retrieval weights ``p``. For small ``beta`` the retrieval
is ``mean + beta C xi`` to first order (``C`` the covariance of the stored patterns), so
the retrieved embeddings have covariance ``beta^2 C^3``: the eigenvalues are cubed, the
dominant directions amplified; as ``beta -> inf`` a stored pattern retrieves itself and
the spectrum returns to that of ``C``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..dataset import finalize
from ..seeding import SeedLike, control_key, normalize_seed, seed_entropy, stream_rng
from ..validation import check_bool, check_grid, check_int, check_scalar
from ._checks import check_int_grid
from .contrastive import info_loob, info_nce, infoloob_bound, infonce_bound, nce_terms
from .network import cloob_retrieval

__all__ = ["gaussian_mi_bounds", "infonce_saturation", "covariance_enrichment"]

_NORMALISATION = (
    "similarities S_ij = x_i.y_j / tau; InfoNCE/InfoLOOB as in Fuerst et al. 2022 Eqs. (1)-(3)"
    "; retrieval U_x = normalise(U softmax(beta U^T x)), Eqs. (4)-(5)"
)
#: Largest number of elements of one chunk of (batches x N x N) critic values.
_CHUNK = 1 << 22


def _var(ds: xr.Dataset, name: str, long_name: str, units: str = "1") -> None:
    ds[name].attrs.update(long_name=long_name, units=units)


def gaussian_critic(x: np.ndarray, y: np.ndarray, rho: float) -> np.ndarray:
    """Optimal critic ``log p(y_j | x_i) / p(y_j)`` of correlated Gaussian pairs (module
    notes) for batches ``x``, ``y`` of shape (..., N, d): shape (..., N, N)."""
    d = x.shape[-1]
    x2 = (x * x).sum(-1)[..., :, None]
    y2 = (y * y).sum(-1)[..., None, :]
    xy = x @ np.swapaxes(y, -1, -2)
    v = 1.0 - rho * rho
    return -0.5 * d * math.log(v) - (y2 - 2 * rho * xy + rho * rho * x2) / (2 * v) + y2 / 2


def gaussian_mi_bounds(
    mi: Sequence[float],
    N: Sequence[int],
    *,
    d: int = 20,
    batches: int = 200,
    seed: SeedLike = None,
) -> xr.Dataset:
    """InfoNCE and InfoLOOB estimates of a known mutual information (Gaussian pairs).

    For each true mutual information ``mi`` (nats) and batch size ``N``: ``batches``
    batches of N independent pairs ``x ~ N(0, I_d)``, ``y = rho x + sqrt(1 - rho^2) eps``
    with ``rho = sqrt(1 - exp(-2 mi / d))`` (so ``I(X; Y) = -d/2 log(1 - rho^2) = mi``),
    scored by the optimal critic (:func:`gaussian_critic`), and the estimates
    :func:`~assoc.modern.contrastive.infonce_bound` (Eq. (1)) and
    :func:`~assoc.modern.contrastive.infoloob_bound` (Eq. (2)) of each batch.

    Parameters
    ----------
    mi : sequence of float
        True mutual informations, > 0 (nats).
    N : sequence of int
        Batch sizes, >= 2.
    d : int
        Dimension of x and y, >= 1.
    batches : int
        Batches per point, >= 2.
    seed : keyword-only seed

    Returns
    -------
    xarray.Dataset
        Dims (N, mi): ``infonce``, ``infoloob`` (means over batches) with standard errors
        ``*_se`` and standard deviations ``*_sd`` over batches, ``critic_mean`` (mean of the
        positive critic values, an unbiased estimate of ``mi``) and ``log_N``.
    """
    mis = check_grid("mi", mi, low=0.0, low_open=True).tolist()
    Ns = check_int_grid("N", N, low=2)
    d = check_int("d", d, low=1)
    batches = check_int("batches", batches, low=2)
    root = normalize_seed(seed)
    shape = (len(Ns), len(mis))
    out = {k: np.zeros(shape) for k in ("infonce", "infonce_se", "infonce_sd", "infoloob",
                                        "infoloob_se", "infoloob_sd", "critic_mean")}
    for a, n in enumerate(Ns):
        chunk = max(1, _CHUNK // (n * n))
        for b, m in enumerate(mis):
            rho = math.sqrt(-math.expm1(-2.0 * m / d))
            rng = stream_rng(root, "disorder", control_key(N=n, mi=m, d=d))
            nce, loob, pos = [], [], []
            for start in range(0, batches, chunk):
                B = min(chunk, batches - start)
                x = rng.standard_normal((B, n, d))
                y = rho * x + math.sqrt(1.0 - rho * rho) * rng.standard_normal((B, n, d))
                s = gaussian_critic(x, y, rho)
                nce.append(infonce_bound(s))
                loob.append(infoloob_bound(s))
                pos.append(np.diagonal(s, axis1=-2, axis2=-1).mean(-1))
            for key, vals in (("infonce", nce), ("infoloob", loob)):
                v = np.concatenate(vals)
                out[key][a, b] = v.mean()
                out[f"{key}_sd"][a, b] = v.std(ddof=1)
                out[f"{key}_se"][a, b] = v.std(ddof=1) / math.sqrt(v.size)
            out["critic_mean"][a, b] = np.concatenate(pos).mean()
    dims = ("N", "mi")
    ds = xr.Dataset({k: (dims, v) for k, v in out.items()},
                    coords={"N": Ns, "mi": mis})
    ds["log_N"] = ("N", np.log(np.asarray(Ns, dtype=float)))
    for k, what in (("infonce", "InfoNCE estimate of I(X;Y), Eq. (1)"),
                    ("infoloob", "InfoLOOB estimate of I(X;Y), Eq. (2)")):
        _var(ds, k, f"{what}, mean over batches", "nat")
        _var(ds, f"{k}_se", f"standard error of the mean {k}", "nat")
        _var(ds, f"{k}_sd", f"standard deviation of {k} over batches", "nat")
    _var(ds, "critic_mean", "mean optimal critic value of the positive pairs", "nat")
    _var(ds, "log_N", "log of the batch size (the cap of InfoNCE)", "nat")
    _var(ds, "N", "batch size (pairs)")
    _var(ds, "mi", "true mutual information -d/2 log(1 - rho^2)", "nat")
    return finalize(
        ds, kind="experiment", model="contrastive_bounds", normalisation=_NORMALISATION,
        references=["Fuerst2022"], critic="optimal: log p(y|x)/p(y)", d=d, batches=batches,
        seeds=seed_entropy(root), equations="Eqs. (1), (2)",
    )


def _similarities(N: int, rng: np.random.Generator, k: int = 16) -> np.ndarray:
    """Cosine similarities of N x N pairs of random unit vectors in ``R^k`` (off-diagonal
    negatives of :func:`infonce_saturation`)."""
    u = rng.standard_normal((2, N, k))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    return u[0] @ u[1].T


def infonce_saturation(
    similarity: Sequence[float],
    tau: Sequence[float],
    *,
    N: int = 64,
    step: float = 1e-5,
    autograd: bool = False,
    seed: SeedLike = None,
) -> xr.Dataset:
    """Gradient of InfoNCE and InfoLOOB w.r.t. the similarity of the positive pairs.

    A batch of N pairs whose similarity matrix ``S`` has every positive ``S_ii = a``
    (``similarity``) and negatives ``S_ij`` the cosine similarities of random unit vectors
    in ``R^16`` (the same for every ``a`` and ``tau``) is realised by embeddings
    (module notes); ``dL/da`` of the symmetric losses (:func:`~.contrastive.info_nce`,
    :func:`~.contrastive.info_loob`, ``anchor='both'``) is computed in closed form and by
    central differences of the public functions.

    Parameters
    ----------
    similarity : sequence of float
        Positive similarities ``a`` (cosines: in [-1, 1]).
    tau : sequence of float
        Temperatures, > 0.
    N : int
        Batch size, >= 2.
    step : float
        Step of the central differences, > 0.
    autograd : bool
        Also differentiate the torch losses (:mod:`assoc.modern.contrastive_torch`) with
        autograd (needs PyTorch).
    seed : keyword-only seed

    Returns
    -------
    xarray.Dataset
        Dims (tau, similarity): ``p_pos`` (mean softmax probability of the positive over
        anchors and sides), ``grad_infonce`` and ``grad_infoloob`` (closed form),
        ``grad_infonce_fd``, ``grad_infoloob_fd`` (central differences), with ``autograd``
        ``grad_infonce_autograd`` and ``grad_infoloob_autograd``, and ``grad_ratio``
        (InfoNCE over InfoLOOB: the mean ``1 - p`` of the positives).
    """
    a_grid = check_grid("similarity", similarity, low=-1.0, high=1.0).tolist()
    taus = check_grid("tau", tau, low=0.0, low_open=True).tolist()
    N = check_int("N", N, low=2)
    step = check_scalar("step", step, low=0.0, low_open=True)
    autograd = check_bool("autograd", autograd)
    root = normalize_seed(seed)
    C = _similarities(N, stream_rng(root, "disorder", control_key(N=N)))
    off = ~np.eye(N, dtype=bool)
    Y = np.linalg.qr(stream_rng(root, "model", control_key(N=N)).standard_normal((N, N)))[0]

    def embed(a: float) -> np.ndarray:
        return np.where(off, C, a) @ Y  # X with X Y^T = S

    shape = (len(taus), len(a_grid))
    names = ["p_pos", "grad_infonce", "grad_infoloob", "grad_infonce_fd", "grad_infoloob_fd"]
    if autograd:
        names += ["grad_infonce_autograd", "grad_infoloob_autograd"]
        import torch

        from . import contrastive_torch as ct
    out = {k: np.zeros(shape) for k in names}
    for i, t in enumerate(taus):
        for j, a in enumerate(a_grid):
            S = np.where(off, C, a) / t
            P = np.exp(-nce_terms(S, np))  # softmax probability of the positive, per row
            Q = np.exp(-nce_terms(S.T, np))  # per column
            out["p_pos"][i, j] = 0.5 * (P.mean() + Q.mean())
            out["grad_infonce"][i, j] = -((1 - P).sum() + (1 - Q).sum()) / (N * t)
            out["grad_infoloob"][i, j] = -2.0 / t
            for name, loss in (("infonce", info_nce), ("infoloob", info_loob)):
                hi, lo = loss(embed(a + step), Y, t), loss(embed(a - step), Y, t)
                out[f"grad_{name}_fd"][i, j] = (hi - lo) / (2 * step)
            if autograd:
                Yt, Ct = torch.tensor(Y), torch.tensor(np.where(off, C, 0.0))
                for name, loss in (("infonce", ct.info_nce), ("infoloob", ct.info_loob)):
                    at = torch.tensor(a, dtype=torch.float64, requires_grad=True)
                    X = (Ct + at * torch.eye(N, dtype=torch.float64)) @ Yt
                    (g,) = torch.autograd.grad(loss(X, Yt, t), at)
                    out[f"grad_{name}_autograd"][i, j] = float(g)
    dims = ("tau", "similarity")
    ds = xr.Dataset({k: (dims, v) for k, v in out.items()},
                    coords={"tau": taus, "similarity": a_grid})
    ds["grad_ratio"] = ds.grad_infonce / ds.grad_infoloob
    _var(ds, "p_pos", "softmax probability of the positive pair, mean over anchors and sides")
    for name in ("infonce", "infoloob"):
        _var(ds, f"grad_{name}", f"dL/da of the symmetric {name} loss (closed form)")
        _var(ds, f"grad_{name}_fd", f"dL/da of the symmetric {name} loss (central differences)")
        if autograd:
            _var(ds, f"grad_{name}_autograd", f"dL/da of the symmetric {name} loss (torch "
                                              "autograd)")
    _var(ds, "grad_ratio", "InfoNCE gradient over InfoLOOB gradient (mean 1 - p_pos)")
    _var(ds, "tau", "temperature of the objective")
    _var(ds, "similarity", "similarity a = x_i.y_i of every positive pair")
    return finalize(
        ds, kind="experiment", model="contrastive_saturation", normalisation=_NORMALISATION,
        references=["Fuerst2022"], N=N, step=step, negatives="cosines of random unit vectors "
        "in R^16", seeds=seed_entropy(root), equations="Eqs. (1)-(3)",
    )


def _spectrum(E: np.ndarray) -> np.ndarray:
    """Eigenvalues of the covariance of the rows of ``E``, descending, normalised to sum 1."""
    lam = np.linalg.eigvalsh(np.cov(E, rowvar=False))[::-1].clip(min=0.0)
    return lam / lam.sum()


def _effective_rank(lam: np.ndarray) -> float:
    """``exp`` of the entropy of the normalised eigenvalues (Roy & Vetterli 2007)."""
    p = lam[lam > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def covariance_enrichment(
    beta: Sequence[float],
    *,
    N: int = 256,
    d: int = 32,
    k: int = 4,
    noise: float = 0.5,
    tau: float = 1 / 30,
    samples: int = 8,
    seed: SeedLike = None,
) -> xr.Dataset:
    """Covariance spectrum of Hopfield-retrieved embeddings against the stored ones.

    Each sample: N pairs sharing a latent ``z_i ~ N(0, I_k)``, ``x_i = normalise(W z_i +
    noise eps_i)`` and ``y_i = normalise(W z_i + noise eps'_i)`` (``W`` a random d x k
    matrix with orthonormal columns: the planted structure; ``eps`` standard normal in
    ``R^d``). The x-embeddings are stored (``U = x``) and retrieved,
    ``U_x = normalise(U softmax(beta U^T x))`` (Eq. (4)), and the covariance spectra of
    ``x`` and ``U_x`` are compared, and that of the retrievals ``U_y = normalise(U
    softmax(beta U^T y))`` of the y-embeddings, which are not in the memory (for ``U_x``
    the query is a stored pattern, which dominates its own retrieval once
    ``beta (1 - cos)`` is large for its neighbours).

    Parameters
    ----------
    beta : sequence of float
        Inverse temperatures of the retrieval, > 0.
    N, d, k : int
        Pairs per sample (>= 2), embedding dimension (>= 2) and planted dimension
        (1 <= k < d).
    noise : float
        Standard deviation of the noise per component, >= 0.
    tau : float
        Temperature of the InfoNCE softmax probability ``p_pos``, > 0.
    samples : int
        Independent samples, >= 1.
    seed : keyword-only seed

    Returns
    -------
    xarray.Dataset
        Dims (beta, sample) for the retrievals ``U_x`` (no suffix) and ``U_y`` (suffix
        ``_cross``: the y-embeddings, which are not stored, retrieved from the x-memory, as
        in CLOOB's ``U_y``), and (sample) for the stored embeddings (``_stored``):
        ``effective_rank`` (``exp`` of the entropy of the normalised eigenvalues),
        ``top_fraction`` (fraction of the variance in the k largest eigenvalues),
        ``signal_fraction`` (fraction of the variance in the planted subspace); ``p_pos``
        (mean softmax probability of the positive pair, rows of ``S / tau``: ``(U_x, U_y)``
        after retrieval, ``(x, y)`` stored) and ``spectrum`` (normalised eigenvalues of
        ``U_x`` and ``x``, dim ``rank``).
    """
    betas = check_grid("beta", beta, low=0.0, low_open=True).tolist()
    N = check_int("N", N, low=2)
    d = check_int("d", d, low=2)
    k = check_int("k", k, low=1, high=d - 1)
    noise = check_scalar("noise", noise, low=0.0)
    tau = check_scalar("tau", tau, low=0.0, low_open=True)
    samples = check_int("samples", samples, low=1)
    root = normalize_seed(seed)
    nb = len(betas)
    keys = ("effective_rank", "top_fraction", "signal_fraction")
    groups = {"": (nb, samples), "_cross": (nb, samples), "_stored": (samples,)}
    res = {f"{key}{g}": np.zeros(shape) for g, shape in groups.items() for key in keys}
    res |= {"p_pos": np.zeros((nb, samples)), "p_pos_stored": np.zeros(samples)}
    spec, spec_sto = np.zeros((nb, samples, d)), np.zeros((samples, d))

    def measure(E: np.ndarray, W: np.ndarray) -> tuple:
        lam = _spectrum(E)
        Ec = E - E.mean(0)
        sig = float(((Ec @ W) ** 2).sum() / (Ec**2).sum())
        return lam, (_effective_rank(lam), float(lam[:k].sum()), sig)

    def p_pos(E: np.ndarray, F: np.ndarray) -> float:
        return float(np.exp(-nce_terms(E @ F.T / tau, np)).mean())

    for s in range(samples):
        rng = stream_rng(root, "disorder", control_key(N=N, d=d, k=k, noise=noise), s)
        W = np.linalg.qr(rng.standard_normal((d, k)))[0]
        z = rng.standard_normal((N, k)) @ W.T
        x = _unit(z + noise * rng.standard_normal((N, d)))
        y = _unit(z + noise * rng.standard_normal((N, d)))
        spec_sto[s], vals = measure(x, W)
        for key, v in zip(keys, vals, strict=True):
            res[f"{key}_stored"][s] = v
        res["p_pos_stored"][s] = p_pos(x, y)
        for b, bt in enumerate(betas):
            Ux, Uy = cloob_retrieval(x, x, bt), cloob_retrieval(y, x, bt)  # Eq. (4)
            spec[b, s], vals = measure(Ux, W)
            _, cross = measure(Uy, W)
            for key, v, c in zip(keys, vals, cross, strict=True):
                res[key][b, s], res[f"{key}_cross"][b, s] = v, c
            res["p_pos"][b, s] = p_pos(Ux, Uy)
    data = {key: (("beta", "sample") if v.ndim == 2 else ("sample",), v)
            for key, v in res.items()}
    data["spectrum"] = (("beta", "sample", "rank"), spec)
    data["spectrum_stored"] = (("sample", "rank"), spec_sto)
    ds = xr.Dataset(data, coords={"beta": betas, "sample": np.arange(samples),
                                  "rank": np.arange(1, d + 1)})
    for suffix, what in (("", "retrievals U_x of the stored x"),
                         ("_cross", "retrievals U_y of the y from the x-memory"),
                         ("_stored", "stored embeddings x")):
        _var(ds, f"effective_rank{suffix}", f"effective rank of the covariance of the {what}")
        _var(ds, f"top_fraction{suffix}", f"fraction of the variance of the {what} in the k "
                                          "largest eigenvalues")
        _var(ds, f"signal_fraction{suffix}", f"fraction of the variance of the {what} in the "
                                             "planted subspace")
    _var(ds, "p_pos", "softmax probability of the positive pair (U_x, U_y)")
    _var(ds, "p_pos_stored", "softmax probability of the positive pair (x, y)")
    _var(ds, "spectrum", "normalised covariance eigenvalues of the retrievals U_x")
    _var(ds, "spectrum_stored", "normalised covariance eigenvalues of the stored x")
    _var(ds, "beta", "inverse temperature of the Hopfield retrieval")
    _var(ds, "sample", "independent sample index")
    _var(ds, "rank", "eigenvalue rank (1 = largest)")
    return finalize(
        ds, kind="experiment", model="hopfield_retrieval", normalisation=_NORMALISATION,
        references=["Fuerst2022"], N=N, d=d, k=k, noise=noise, tau=tau, samples=samples,
        seeds=seed_entropy(root), equations="Eqs. (4)-(5)",
    )
