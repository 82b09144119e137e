"""Contrastive objectives of CLIP and CLOOB: InfoNCE, InfoLOOB and the CLOOB loss.

Fuerst et al. 2022, "CLOOB: modern Hopfield networks with InfoLOOB outperform CLIP"
(arXiv:2110.11316, NeurIPS 35). Equation numbers are those of the authors' summary of
the paper (ml-jku.github.io/cloob), whose Eqs. (1)-(5) are the paper's definitions:
(1) InfoNCE, (2) InfoLOOB, (3) the CLOOB objective, (4)-(5) the Hopfield retrievals.

Conventions
-----------
A batch holds N pairs ``(x_i, y_i)`` of embeddings, stored as the rows of ``x`` and ``y``
(shape (N, d) each; the paper's two modalities, e.g. image and text). ``S = x y^T / tau``
are the scaled similarities: ``S_ij = tau^-1 x_i . y_j``, with ``tau > 0`` the temperature
(the paper's ``tau``; ``tau^-1`` is its inverse temperature, 30 in CLOOB, learned from
1/0.07 in CLIP). An *anchor* ``x_i`` contrasts its positive ``y_i`` with the negatives
``y_j`` (``j != i``): row ``i`` of ``S``; an anchor ``y_i`` uses column ``i``.

Per anchor ``x_i`` (and alike for ``y_i`` with the columns)::

    InfoNCE  (Eq. (1)):  l_i = -S_ii + log sum_j        exp S_ij
    InfoLOOB (Eq. (2)):  l_i = -S_ii + log sum_{j != i} exp S_ij

(InfoLOOB leaves the positive out of the denominator.) The loss of one anchor side is
``mean_i l_i``; ``anchor='both'`` is the *sum* of the two sides, as in Eq. (3) (CLIP's code
halves that sum; CLOOB's code multiplies each InfoLOOB side by ``tau``, which only rescales
the gradients at fixed ``tau``). The constants ``log N`` and ``log(N - 1)`` of Eqs. (1)-(2)
(their ``1/N`` and ``1/(N-1)`` in the denominators) are left out of the losses, as in
Eq. (3) and in both papers' code; the mutual-information estimates :func:`infonce_bound` and
:func:`infoloob_bound` keep them.

Saturation (the paper's argument for InfoLOOB): with ``p_i = softmax_j(S_ij)`` at
``j = i``, ``d l_i / d S_ii = -(1 - p_i)`` for InfoNCE but ``-1`` for InfoLOOB, and the
whole gradient of the InfoNCE term of anchor ``i`` is ``(1 - p_i)`` times that of its
InfoLOOB term: it vanishes as the anchor and its positive become similar.

CLOOB (Eq. (3)) replaces the embeddings by their retrievals from two modern Hopfield
networks, one storing ``U`` (the x-embeddings of the batch by default), one storing ``V``
(the y-embeddings), each retrieval re-normalised (Eqs. (4)-(5),
:func:`assoc.modern.cloob_retrieval`)::

    U_x = U softmax(beta U^T x),  U_y = U softmax(beta U^T y),
    V_x = V softmax(beta V^T x),  V_y = V softmax(beta V^T y),
    L_CLOOB = InfoLOOB(anchors U_x, positives U_y) + InfoLOOB(anchors V_y, positives V_x).

Backends: the functions follow the namespace of their arguments (NumPy or CuPy,
:func:`assoc.backend.get_namespace`) and are the executable specification of the
differentiable torch versions in :mod:`assoc.modern.contrastive_torch` (same names).

References: InfoNCE: van den Oord, Li, Vinyals 2018 (arXiv:1807.03748); CLIP: Radford et
al. 2021 (arXiv:2103.00020); the leave-one-out upper bound: Poole et al. 2019
(arXiv:1905.06922), "L1Out" in Cheng et al. 2020 (arXiv:2006.12013).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ..backend import get_namespace
from ..validation import check_choice
from ._checks import as_real_array, check_beta, check_finite
from .network import cloob_retrieval

__all__ = ["info_nce", "info_loob", "cloob_loss", "infonce_bound", "infoloob_bound",
           "ANCHORS", "OBJECTIVES"]

#: Values of ``anchor``: both sides (the sum, Eq. (3)), or anchors x_i only, or y_i only.
ANCHORS = ("both", "x", "y")
#: Values of ``objective`` of :func:`cloob_loss` (``'infonce'`` is the paper's ablation).
OBJECTIVES = ("infoloob", "infonce")


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------
def _float_dtype(xp: ModuleType, *arrays: Any) -> Any:
    dt = xp.result_type(*arrays)
    return dt if xp.issubdtype(dt, xp.floating) else xp.float64


def check_embeddings(name: str, a: Any, xp: ModuleType, *, min_rows: int = 1) -> Any:
    """``a`` as a real array of shape (n, d), n >= ``min_rows``, d >= 1 (dtype unchanged)."""
    a = as_real_array(name, a, xp, "a 2-d array of real embeddings with shape (N, d)")
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array of embeddings with shape (N, d), one "
                         f"per row (got shape {tuple(a.shape)})")
    if a.shape[0] < min_rows:
        raise ValueError(f"{name} must hold at least {min_rows} embeddings (rows): N >= "
                         f"{min_rows} (got shape {tuple(a.shape)})")
    if a.shape[1] == 0:
        raise ValueError(f"{name} must have dimension d >= 1 (got shape {tuple(a.shape)})")
    return a


def prepare_pairs(x: Any, y: Any, min_rows: int) -> tuple[ModuleType, Any, Any]:
    """Validate a batch of pairs: ``(xp, x, y)`` with a common floating dtype, finite."""
    xp = get_namespace(x, y)
    x = check_embeddings("x", x, xp, min_rows=min_rows)
    y = check_embeddings("y", y, xp, min_rows=min_rows)
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x, one y_i per x_i (got x {tuple(x.shape)}"
                         f", y {tuple(y.shape)})")
    dt = _float_dtype(xp, x, y)
    x, y = x.astype(dt, copy=False), y.astype(dt, copy=False)
    check_finite("x", x, xp)
    check_finite("y", y, xp)
    return xp, x, y


def _check_scores(scores: Any, min_n: int) -> tuple[ModuleType, Any]:
    xp = get_namespace(scores)
    s = as_real_array("scores", scores, xp, "an array of critic values with shape (..., N, N)")
    if s.ndim < 2 or s.shape[-1] != s.shape[-2]:
        raise ValueError(f"scores must have shape (..., N, N), scores[..., i, j] = log f(x_i, "
                         f"y_j) (got shape {tuple(s.shape)})")
    if s.shape[-1] < min_n:
        raise ValueError(f"scores must be at least {min_n} x {min_n}: N >= {min_n} pairs (got "
                         f"shape {tuple(s.shape)})")
    if s.size == 0:
        raise ValueError(f"scores must not be empty (got shape {tuple(s.shape)})")
    s = s.astype(_float_dtype(xp, s), copy=False)
    check_finite("scores", s, xp)
    return xp, s


# --------------------------------------------------------------------------------------
# per-anchor terms on a score matrix (private: callers validate)
# --------------------------------------------------------------------------------------
def _lse(v: Any, xp: ModuleType) -> Any:
    """log sum exp over the last axis, stably (``-inf`` entries are removed ones)."""
    m = v.max(axis=-1, keepdims=True)
    return xp.squeeze(m, axis=-1) + xp.log(xp.exp(v - m).sum(axis=-1))


def _leave_out(S: Any, xp: ModuleType) -> Any:
    """``S`` with its diagonal set to ``-inf`` (the positive pairs removed)."""
    n = S.shape[-1]
    return xp.where(xp.eye(n, dtype=bool), -xp.inf, S)


def nce_terms(S: Any, xp: ModuleType) -> Any:
    """InfoNCE loss of each anchor (row) of ``S``: ``-S_ii + lse_j S_ij`` (Eq. (1))."""
    return -xp.diagonal(S, axis1=-2, axis2=-1) + _lse(S, xp)  # Eq. (1)


def loob_terms(S: Any, xp: ModuleType) -> Any:
    """InfoLOOB loss of each anchor (row): ``-S_ii + lse_{j != i} S_ij`` (Eq. (2))."""
    return -xp.diagonal(S, axis1=-2, axis2=-1) + _lse(_leave_out(S, xp), xp)  # Eq. (2)


def _sided(S: Any, terms: Any, anchor: str, xp: ModuleType) -> Any:
    """Mean over anchors of ``terms`` on the rows (anchor x), columns (y), or their sum."""
    if anchor == "x":
        return terms(S, xp).mean(axis=-1)
    if anchor == "y":
        return terms(xp.swapaxes(S, -1, -2), xp).mean(axis=-1)
    return terms(S, xp).mean(axis=-1) + terms(xp.swapaxes(S, -1, -2), xp).mean(axis=-1)


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def info_nce(x: Any, y: Any, tau: float, *, anchor: str = "both") -> Any:
    """InfoNCE loss of a batch of paired embeddings: CLIP's objective (Eq. (1)).

    Parameters
    ----------
    x, y : array, shape (N, d)
        Paired embeddings, ``(x_i, y_i)`` in row ``i``; real, finite, N >= 1. They are used
        as given (CLIP and CLOOB normalise them to unit length first).
    tau : float
        Temperature, > 0: similarities are ``x_i . y_j / tau``.
    anchor : {'both', 'x', 'y'}
        ``'x'``: anchors ``x_i`` contrast ``y_i`` with all ``y_j`` (cross-entropy of the rows
        of ``S``); ``'y'``: anchors ``y_i`` (the columns); ``'both'``: the sum (CLIP's
        symmetric loss is half of it).

    Returns
    -------
    array, shape ()
        ``mean_i [-S_ii + log sum_j exp S_ij]`` (per side), ``>= 0``; ``log N`` at ``S = 0``.

    Notes
    -----
    Eq. (1) of Fuerst et al. (2022) writes the anchor-y side with ``1/N`` in the
    denominator: the loss here is that value plus ``log N``, so that
    ``log N - info_nce(x, y, tau, anchor='y') == infonce_bound(x @ y.T / tau)``.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(info_nce(np.eye(2), np.eye(2), 1.0, anchor="x")), 12)  # log(1 + 1/e)
    0.313261687518
    """
    anchor = check_choice("anchor", anchor, ANCHORS)
    tau = check_beta(tau, "tau")
    xp, x, y = prepare_pairs(x, y, 1)
    return _sided((x @ y.T) / tau, nce_terms, anchor, xp)


def info_loob(x: Any, y: Any, tau: float, *, anchor: str = "both") -> Any:
    """InfoLOOB loss (leave one out: the positive is not in the denominator; Eq. (2)).

    Parameters
    ----------
    x, y : array, shape (N, d)
        Paired embeddings; real, finite, N >= 2 (an anchor needs a negative).
    tau : float
        Temperature, > 0.
    anchor : {'both', 'x', 'y'}
        As in :func:`info_nce`; ``'both'`` is the symmetrised loss (the form of Eq. (3)).

    Returns
    -------
    array, shape ()
        ``mean_i [-S_ii + log sum_{j != i} exp S_ij]`` (per side). Unlike InfoNCE it is not
        bounded below by 0: it falls without bound as ``S_ii`` grows past the negatives, and
        its gradient w.r.t. ``S_ii`` is ``-1/N`` (per side) whatever ``S``: no saturation.

    Notes
    -----
    Eq. (2) of Fuerst et al. (2022) has ``1/(N - 1)`` in the denominator: the loss here is
    that value plus ``log(N - 1)``: ``log(N-1) - info_loob(x, y, tau, anchor='y') ==
    infoloob_bound(x @ y.T / tau)``.

    Examples
    --------
    >>> import numpy as np
    >>> float(info_loob(np.eye(2), np.eye(2), 1.0, anchor="x"))  # -1 + 0
    -1.0
    """
    anchor = check_choice("anchor", anchor, ANCHORS)
    tau = check_beta(tau, "tau")
    xp, x, y = prepare_pairs(x, y, 2)
    return _sided((x @ y.T) / tau, loob_terms, anchor, xp)


def cloob_loss(x: Any, y: Any, tau: float, beta: float, *, U: Any = None, V: Any = None,
               objective: str = "infoloob") -> Any:
    """CLOOB's loss: InfoLOOB on embeddings retrieved from two modern Hopfield networks.

    Eq. (3) of Fuerst et al. (2022) with the retrievals of Eqs. (4)-(5)::

        L = -1/N sum_i log exp(U_xi . U_yi / tau) / sum_{j != i} exp(U_xi . U_yj / tau)
            -1/N sum_i log exp(V_xi . V_yi / tau) / sum_{j != i} exp(V_xj . V_yi / tau)

    with ``U_x = normalise(U softmax(beta U^T x))`` etc. (:func:`assoc.modern.cloob_retrieval`).

    Parameters
    ----------
    x, y : array, shape (N, d)
        Paired embeddings (in CLOOB normalised to unit length); real, finite, N >= 2.
    tau : float
        Temperature of the objective, > 0 (CLOOB: ``tau^-1 = 30``).
    beta : float
        Inverse temperature of the Hopfield retrievals, > 0 (CLOOB: 8 to 14.3).
    U, V : array, shape (M, d), optional
        Stored embeddings of the two Hopfield networks (M >= 1); by default the batch itself,
        ``U = x`` and ``V = y``, as in CLOOB's training.
    objective : {'infoloob', 'infonce'}
        ``'infonce'`` replaces InfoLOOB by InfoNCE in Eq. (3) (the paper's ablation
        "Hopfield with InfoNCE").

    Returns
    -------
    array, shape ()

    Examples
    --------
    >>> import numpy as np
    >>> x = np.eye(3)
    >>> bool(cloob_loss(x, x, 0.1, 8.0) < cloob_loss(x, x[::-1], 0.1, 8.0))
    True
    """
    objective = check_choice("objective", objective, OBJECTIVES)
    tau = check_beta(tau, "tau")
    beta = check_beta(beta, "beta")
    xp, x, y = prepare_pairs(x, y, 2)
    stores = []
    for name, mem, default in (("U", U, x), ("V", V, y)):
        if mem is None:
            stores.append(default)
            continue
        try:
            get_namespace(mem, x)
        except ValueError:
            raise ValueError(f"{name} must be an array of the backend of x and y (NumPy or "
                             "CuPy, not mixed)") from None
        mem = check_embeddings(name, mem, xp)
        if mem.shape[1] != x.shape[1]:
            raise ValueError(f"{name} must have the embedding dimension d = {x.shape[1]} of x "
                             f"and y (got shape {tuple(mem.shape)})")
        mem = mem.astype(_float_dtype(xp, mem, x), copy=False)
        check_finite(name, mem, xp)
        stores.append(mem)
    U, V = stores
    Ux, Uy = cloob_retrieval(x, U, beta), cloob_retrieval(y, U, beta)  # Eq. (4)
    Vx, Vy = cloob_retrieval(x, V, beta), cloob_retrieval(y, V, beta)  # Eq. (5)
    terms = loob_terms if objective == "infoloob" else nce_terms
    # Eq. (3): anchors U_x (positives U_y), then anchors V_y (positives V_x)
    return (_sided((Ux @ Uy.T) / tau, terms, "x", xp)
            + _sided((Vx @ Vy.T) / tau, terms, "y", xp))


def infonce_bound(scores: Any) -> Any:
    """The InfoNCE estimate of the mutual information I(X; Y) from critic values (Eq. (1)).

    ``I_NCE = 1/N sum_i log [ f(x_i, y_i) / (1/N sum_j f(x_j, y_i)) ]`` with anchors
    ``y_i``, ``scores[..., i, j] = log f(x_i, y_j)``. In expectation over batches of N
    independent pairs it is a lower bound of I(X; Y) for any critic ``f`` (van den Oord et
    al. 2018; Poole et al. 2019), and never exceeds ``log N``: it saturates at ``log N``.

    Parameters
    ----------
    scores : array, shape (..., N, N)
        Finite critic values; leading axes are independent batches.

    Returns
    -------
    array, shape (...)
    """
    xp, s = _check_scores(scores, 1)
    n = s.shape[-1]
    return math.log(n) - nce_terms(xp.swapaxes(s, -1, -2), xp).mean(axis=-1)


def infoloob_bound(scores: Any) -> Any:
    """The InfoLOOB estimate of I(X; Y) (leave-one-out bound; Eq. (2)).

    ``I_LOOB = 1/N sum_i log [ f(x_i, y_i) / (1/(N-1) sum_{j != i} f(x_j, y_i)) ]``, anchors
    ``y_i``. With the optimal critic, ``f = p(y | x) / p(y)`` (or ``p(y | x)``), its
    expectation is an *upper* bound of I(X; Y) (Poole et al. 2019, "leave one out"; Cheng et
    al. 2020, "L1Out"), not capped by ``log N``; with a learned critic it is no bound.

    Parameters
    ----------
    scores : array, shape (..., N, N), N >= 2
        Finite critic values ``log f(x_i, y_j)``.

    Returns
    -------
    array, shape (...)
    """
    xp, s = _check_scores(scores, 2)
    n = s.shape[-1]
    return math.log(n - 1) - loob_terms(xp.swapaxes(s, -1, -2), xp).mean(axis=-1)
