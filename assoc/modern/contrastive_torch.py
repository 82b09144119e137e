"""Differentiable PyTorch versions of :mod:`assoc.modern.contrastive` (same names).

PyTorch is optional: this module imports it when it is imported (``import
assoc.modern`` never does) and raises an ImportError that says how to install it
otherwise. Each function takes the arguments of its NumPy namesake, as torch tensors (NumPy
arrays and nested sequences are converted; integer input becomes float64), computes the same
value with torch operations, and so lets gradients flow to the embeddings and to a ``tau``
or ``beta`` given as a tensor (a learned temperature, as in CLIP). The NumPy module is the
executable specification: the tests compare the two in float64 to 1e-12.

The conventions, equations (Fuerst et al. 2022, arXiv:2110.11316, Eqs. (1)-(5)) and
return values are documented in :mod:`assoc.modern.contrastive`.

Examples
--------
>>> import torch                                          # doctest: +SKIP
>>> from assoc.modern import contrastive_torch as ct      # doctest: +SKIP
>>> x = torch.randn(8, 4, dtype=torch.float64, requires_grad=True)  # doctest: +SKIP
>>> ct.cloob_loss(x, x.detach(), 1 / 30, 8.0).backward()  # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InputTypeError
from ..validation import brief, check_choice
from ._checks import as_real_array, check_beta
from .contrastive import ANCHORS, OBJECTIVES

try:
    import torch
except ImportError as exc:  # pragma: no cover - exercised without torch
    raise ImportError(
        "assoc.modern.contrastive_torch needs PyTorch, which is optional: pip install torch "
        "(CPU-only wheels: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
    ) from exc

__all__ = ["info_nce", "info_loob", "cloob_loss", "cloob_retrieval", "infonce_bound",
           "infoloob_bound"]


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------
def _tensor(name: str, a: Any, what: str) -> torch.Tensor:
    """``a`` as a real floating tensor (integers become float64; bools, complex refused)."""
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(as_real_array(name, a, np, what))
    if a.dtype == torch.bool or a.is_complex():
        raise InputTypeError(f"{name} must be {what} (got dtype {a.dtype}: {brief(a)})")
    return a if a.is_floating_point() else a.to(torch.float64)


def _check_finite(name: str, a: torch.Tensor) -> None:
    bad = ~torch.isfinite(a.detach())
    if bool(bad.any()):
        idx = tuple(int(k) for k in np.unravel_index(int(bad.reshape(-1).int().argmax()),
                                                     tuple(a.shape)))
        raise ValueError(f"{name} must be finite (it holds NaN or inf: {name}"
                         f"[{', '.join(map(str, idx))}] = {float(a.detach()[idx])})")


def _embeddings(name: str, a: Any, min_rows: int) -> torch.Tensor:
    a = _tensor(name, a, "a 2-d array of real embeddings with shape (N, d)")
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array of embeddings with shape (N, d), one "
                         f"per row (got shape {tuple(a.shape)})")
    if a.shape[0] < min_rows:
        raise ValueError(f"{name} must hold at least {min_rows} embeddings (rows): N >= "
                         f"{min_rows} (got shape {tuple(a.shape)})")
    if a.shape[1] == 0:
        raise ValueError(f"{name} must have dimension d >= 1 (got shape {tuple(a.shape)})")
    _check_finite(name, a)
    return a


def _pairs(x: Any, y: Any, min_rows: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = _embeddings("x", x, min_rows), _embeddings("y", y, min_rows)
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x, one y_i per x_i (got x {tuple(x.shape)}"
                         f", y {tuple(y.shape)})")
    dt = torch.promote_types(x.dtype, y.dtype)
    return x.to(dt), y.to(dt)


def _positive(name: str, v: Any) -> Any:
    """A temperature or inverse temperature: a float > 0, or a one-element floating tensor
    with a value > 0 (kept as a 0-d tensor, so that gradients reach it)."""
    if isinstance(v, torch.Tensor):
        if v.numel() != 1 or not v.is_floating_point():
            raise ValueError(f"{name} must be a scalar > 0: a float or a one-element floating "
                             f"tensor (got a {v.dtype} tensor of shape {tuple(v.shape)})")
        check_beta(float(v.detach()), name)
        return v.reshape(())
    return check_beta(v, name)


# --------------------------------------------------------------------------------------
# terms (private)
# --------------------------------------------------------------------------------------
def _nce_terms(S: torch.Tensor) -> torch.Tensor:
    return -torch.diagonal(S, dim1=-2, dim2=-1) + torch.logsumexp(S, dim=-1)  # Eq. (1)


def _loob_terms(S: torch.Tensor) -> torch.Tensor:
    eye = torch.eye(S.shape[-1], dtype=torch.bool, device=S.device)
    return (-torch.diagonal(S, dim1=-2, dim2=-1)
            + torch.logsumexp(S.masked_fill(eye, -math.inf), dim=-1))  # Eq. (2)


def _sided(S: torch.Tensor, terms: Any, anchor: str) -> torch.Tensor:
    if anchor == "x":
        return terms(S).mean(dim=-1)
    if anchor == "y":
        return terms(S.transpose(-1, -2)).mean(dim=-1)
    return terms(S).mean(dim=-1) + terms(S.transpose(-1, -2)).mean(dim=-1)


def _retrieve(xi: torch.Tensor, X: torch.Tensor, beta: Any) -> torch.Tensor:
    out = torch.softmax(beta * (xi @ X.T), dim=-1) @ X  # Eqs. (4)-(5)
    norm = torch.linalg.vector_norm(out, dim=-1, keepdim=True)
    return out / norm.clamp_min(torch.finfo(out.dtype).tiny)


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def info_nce(x: Any, y: Any, tau: Any, *, anchor: str = "both") -> torch.Tensor:
    """InfoNCE loss (CLIP; Eq. (1)); see :func:`assoc.modern.contrastive.info_nce`."""
    anchor = check_choice("anchor", anchor, ANCHORS)
    tau = _positive("tau", tau)
    x, y = _pairs(x, y, 1)
    return _sided((x @ y.T) / tau, _nce_terms, anchor)


def info_loob(x: Any, y: Any, tau: Any, *, anchor: str = "both") -> torch.Tensor:
    """InfoLOOB loss (Eq. (2)); see :func:`assoc.modern.contrastive.info_loob`."""
    anchor = check_choice("anchor", anchor, ANCHORS)
    tau = _positive("tau", tau)
    x, y = _pairs(x, y, 2)
    return _sided((x @ y.T) / tau, _loob_terms, anchor)


def cloob_retrieval(xi: Any, X: Any, beta: Any) -> torch.Tensor:
    """CLOOB's Hopfield retrieval ``normalise(X softmax(beta X^T xi))`` of states ``xi``
    (..., d) from stored patterns ``X`` (N, d); see :func:`assoc.modern.cloob_retrieval`."""
    beta = _positive("beta", beta)
    X = _embeddings("X", X, 1)
    xi = _tensor("xi", xi, "an array of real states with shape (..., d)")
    if xi.ndim == 0 or xi.shape[-1] != X.shape[1]:
        raise ValueError(f"xi must have shape (..., d) with d = {X.shape[1]} of the stored "
                         f"patterns X (got shape {tuple(xi.shape)})")
    _check_finite("xi", xi)
    dt = torch.promote_types(xi.dtype, X.dtype)
    return _retrieve(xi.to(dt), X.to(dt), beta)


def cloob_loss(x: Any, y: Any, tau: Any, beta: Any, *, U: Any = None, V: Any = None,
               objective: str = "infoloob") -> torch.Tensor:
    """CLOOB's loss (Eqs. (3)-(5)); see :func:`assoc.modern.contrastive.cloob_loss`.

    The stored embeddings default to the batch (``U = x``, ``V = y``), through which the
    gradients flow as well, as in CLOOB's training.
    """
    objective = check_choice("objective", objective, OBJECTIVES)
    tau = _positive("tau", tau)
    beta = _positive("beta", beta)
    x, y = _pairs(x, y, 2)
    stores = []
    for name, mem, default in (("U", U, x), ("V", V, y)):
        if mem is None:
            stores.append(default)
            continue
        mem = _embeddings(name, mem, 1)
        if mem.shape[1] != x.shape[1]:
            raise ValueError(f"{name} must have the embedding dimension d = {x.shape[1]} of x "
                             f"and y (got shape {tuple(mem.shape)})")
        stores.append(mem)
    dt = torch.promote_types(x.dtype, torch.promote_types(stores[0].dtype, stores[1].dtype))
    x, y, U, V = x.to(dt), y.to(dt), stores[0].to(dt), stores[1].to(dt)
    Ux, Uy = _retrieve(x, U, beta), _retrieve(y, U, beta)  # Eq. (4)
    Vx, Vy = _retrieve(x, V, beta), _retrieve(y, V, beta)  # Eq. (5)
    terms = _loob_terms if objective == "infoloob" else _nce_terms
    return _sided((Ux @ Uy.T) / tau, terms, "x") + _sided((Vx @ Vy.T) / tau, terms, "y")


def _scores(scores: Any, min_n: int) -> torch.Tensor:
    s = _tensor("scores", scores, "an array of critic values with shape (..., N, N)")
    if s.ndim < 2 or s.shape[-1] != s.shape[-2]:
        raise ValueError(f"scores must have shape (..., N, N), scores[..., i, j] = log f(x_i, "
                         f"y_j) (got shape {tuple(s.shape)})")
    if s.shape[-1] < min_n:
        raise ValueError(f"scores must be at least {min_n} x {min_n}: N >= {min_n} pairs (got "
                         f"shape {tuple(s.shape)})")
    if s.numel() == 0:
        raise ValueError(f"scores must not be empty (got shape {tuple(s.shape)})")
    _check_finite("scores", s)
    return s


def infonce_bound(scores: Any) -> torch.Tensor:
    """InfoNCE estimate of I(X; Y) (Eq. (1)); see
    :func:`assoc.modern.contrastive.infonce_bound`."""
    s = _scores(scores, 1)
    return math.log(s.shape[-1]) - _nce_terms(s.transpose(-1, -2)).mean(dim=-1)


def infoloob_bound(scores: Any) -> torch.Tensor:
    """InfoLOOB estimate of I(X; Y) (Eq. (2)); see
    :func:`assoc.modern.contrastive.infoloob_bound`."""
    s = _scores(scores, 2)
    return math.log(s.shape[-1] - 1) - _loob_terms(s.transpose(-1, -2)).mean(dim=-1)
