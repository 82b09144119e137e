"""Energy and update rule of the modern continuous Hopfield network (Ramsauer et al. 2020).

Conventions
-----------
The paper writes the N stored patterns as the columns of ``X = (x_1, ..., x_N)`` in
``R^(d x N)``. This module stores them as the **rows** of an array ``X`` of shape (N, d),
so that the paper's ``X^T xi`` is ``xi @ X.T`` here, and states ``xi`` have shape
``(..., d)``: every leading axis is a batch axis and all states are updated at once.
``M = max_i ||x_i||`` is the largest pattern norm.

Energy (Ramsauer et al. 2020, Eq. (2) of arXiv:2008.02217 v3; THEORY.md section 5)::

    E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + log(N) / beta + M^2 / 2,
    lse(beta, v) = beta^-1 log sum_i exp(beta v_i).

Update (Eq. (3))::

    xi_new = X softmax(beta X^T xi).

The update is the concave-convex procedure (CCCP) for E = (convex xi^T xi / 2) +
(concave -lse), so E never increases under it (Theorem 1) and the iterates converge to
stationary points of E (Theorem 2). ``E >= (||xi|| - M)^2 / 2 >= 0`` everywhere and
``E <= 2 M^2`` for ``||xi|| <= M``, in particular after any update (the paper's energy
bounds; from ``max v <= lse(beta, v) <= max v + log(N)/beta`` and Jensen's
``lse(beta, v) >= mean(v) + log(N)/beta``).

Backends: the functions follow the namespace of their arguments (NumPy or CuPy, through
:func:`assoc.backend.get_namespace`); the hot path computes the softmax in place and uses
two matrix products per update, no einsum and no intermediate copies beyond the (states x
patterns) score buffer, processed in chunks of states so that the buffer stays bounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..backend import get_namespace
from ..errors import NotConvergedError
from ..validation import check_bool, check_int
from ._checks import check_axis, check_beta, check_optional_tol, check_scores, prepare

__all__ = [
    "lse",
    "softmax",
    "energy",
    "update",
    "iterate",
    "IterationResult",
    "cloob_retrieval",
    "STATUS",
]

#: Largest number of elements of the (states x patterns) score buffer of one chunk.
_CHUNK_ELEMENTS = 1 << 21

#: Status codes of :func:`iterate`.
STATUS: dict[int, str] = {0: "converged", 1: "max_steps reached"}


def lse(v: Any, beta: float = 1.0, axis: int | None = -1) -> Any:
    """Log-sum-exp ``lse(beta, v) = beta^-1 log sum_i exp(beta v_i)`` along ``axis``.

    Numerically stable: the maximum is subtracted before exponentiating, so large
    ``beta v`` neither overflows nor loses the result (Ramsauer et al. 2020, Eq. (1)).

    Parameters
    ----------
    v : array_like
        Real, non-empty, at least one axis; no NaN or +inf (``-inf`` is a removed entry).
    beta : float
        Inverse temperature, > 0.
    axis : int or None
        An axis of ``v`` (None: all axes).

    Returns
    -------
    array
        ``v`` reduced along ``axis``.
    """
    beta = check_beta(beta)
    xp, v = check_scores("v", v)
    axis = check_axis(axis, v.ndim)
    m = v.max(axis=axis, keepdims=True)
    s = xp.exp(beta * (v - m)).sum(axis=axis, keepdims=True)
    return xp.squeeze(m + xp.log(s) / beta, axis=axis)


def softmax(v: Any, beta: float = 1.0, axis: int | None = -1) -> Any:
    """``softmax(beta v)_i = exp(beta v_i) / sum_j exp(beta v_j)`` along ``axis``, stably.

    ``v``, ``beta`` and ``axis`` as in :func:`lse`.
    """
    beta = check_beta(beta)
    xp, v = check_scores("v", v)
    axis = check_axis(axis, v.ndim)
    a = beta * (v - v.max(axis=axis, keepdims=True))
    xp.exp(a, out=a)
    a /= a.sum(axis=axis, keepdims=True)
    return a


def _chunk(n_states: int, N: int) -> int:
    return max(1, min(n_states, _CHUNK_ELEMENTS // max(N, 1)))


def energy(xi: Any, X: Any, beta: float) -> Any:
    """Energy ``E(xi)`` of states ``xi`` (Ramsauer et al. 2020, Eq. (2)).

    Parameters
    ----------
    xi : array, shape (..., d)
        States (state patterns); leading axes are batch axes.
    X : array, shape (N, d)
        Stored patterns, one per row.
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    array, shape (...)
        ``-lse(beta, X^T xi) + xi^T xi / 2 + log(N) / beta + M^2 / 2``.

    Raises
    ------
    ValueError
        For mismatched dimensions, ``beta <= 0``, an empty pattern set or non-finite
        patterns or states.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(3)
    >>> float(energy(X[0], X, beta=50.0)) < float(energy(X.mean(0), X, beta=50.0))
    True
    """
    xp, xi, X, beta = prepare(xi, X, beta)
    N, d = X.shape
    lead = xi.shape[:-1]
    flat = xi.reshape(-1, d)
    M2 = float((X * X).sum(axis=1).max())
    out = xp.empty(flat.shape[0], dtype=X.dtype)
    step = _chunk(flat.shape[0], N)
    for s in range(0, flat.shape[0], step):
        q = flat[s : s + step]
        a = xp.matmul(q, X.T)  # X^T xi, (b, N)
        m = a.max(axis=1, keepdims=True)
        a -= m
        a *= beta
        xp.exp(a, out=a)
        lse_ = m[:, 0] + xp.log(a.sum(axis=1)) / beta  # Eq. (1), stable
        out[s : s + step] = -lse_ + 0.5 * (q * q).sum(axis=1)
    out += math.log(N) / beta + 0.5 * M2  # Eq. (2)
    return out.reshape(lead)


def _update_rows(q: Any, X: Any, beta: float, xp: ModuleType, out: Any) -> Any:
    """``out = softmax(beta q X^T) X`` for a 2-d block of states, softmax in place."""
    N = X.shape[0]
    step = _chunk(q.shape[0], N)
    for s in range(0, q.shape[0], step):
        a = xp.matmul(q[s : s + step] * beta, X.T)  # beta X^T xi, Eq. (3)
        a -= a.max(axis=1, keepdims=True)
        xp.exp(a, out=a)
        z = a.sum(axis=1, keepdims=True)
        o = out[s : s + step]
        xp.matmul(a, X, out=o)  # unnormalised X exp(.), then one division of (b, d)
        o /= z
    return out


def update(xi: Any, X: Any, beta: float, steps: int = 1) -> Any:
    """Apply the update ``xi <- X softmax(beta X^T xi)`` ``steps`` times (Eq. (3)).

    Parameters
    ----------
    xi : array, shape (..., d)
        States; all are updated at once (batched).
    X : array, shape (N, d)
        Stored patterns, one per row.
    beta : float
        Inverse temperature, > 0.
    steps : int
        Number of synchronous updates, >= 0 (0 returns a copy of ``xi``).

    Returns
    -------
    array, shape (..., d)
        New states, in the common floating dtype of ``xi`` and ``X`` (float64 for
        integer inputs), on the backend of the inputs.

    Notes
    -----
    One update is the attention of the states (queries) to the patterns (keys = values)
    with scale ``beta``; it costs two matrix products. Ramsauer et al. 2020, Eq. (3);
    the energy :func:`energy` never increases under it (Theorem 1).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> np.round(update(np.array([0.9, 0.1]), X, beta=2.0), 4)
    array([0.832, 0.168])
    """
    steps = check_int("steps", steps, low=0)
    xp, xi, X, beta = prepare(xi, X, beta)
    d = X.shape[1]
    if steps == 0:
        return xi.copy()
    src = xi.reshape(-1, d)
    buf_a = xp.empty_like(src)
    buf_b = xp.empty_like(src) if steps > 1 else None
    dst = buf_a
    for t in range(steps):
        _update_rows(src, X, beta, xp, dst)
        if t == steps - 1:
            break
        src, dst = dst, (buf_b if dst is buf_a else buf_a)
    return dst.reshape(xi.shape)


@dataclass(frozen=True)
class IterationResult:
    """Outcome of :func:`iterate`.

    Attributes
    ----------
    xi : array, shape (..., d)
        Final states (fixed points where ``converged``).
    n_iter : array of int, shape (...)
        Updates applied to each state.
    converged : array of bool, shape (...)
        True where the stopping rule was met.
    status : array of int, shape (...)
        0 converged, 1 ``max_steps`` reached (:data:`STATUS`).
    tol : float
        The absolute step tolerance used (``tol * M``).
    """

    xi: Any
    n_iter: Any
    converged: Any
    status: Any
    tol: float


def iterate(
    xi: Any,
    X: Any,
    beta: float,
    *,
    max_steps: int = 1000,
    tol: float | None = None,
    raise_on_failure: bool = False,
) -> IterationResult:
    """Iterate the update (Eq. (3)) on a batch of states until each one converges.

    Stopping rule: state ``b`` stops after the first update ``t`` with
    ``||xi_b^(t) - xi_b^(t-1)||_2 <= tol * M`` (M the largest pattern norm, the scale
    of every state after one update since updates lie in the convex hull of the
    patterns); converged states leave the active set and are not updated again. States
    still moving after ``max_steps`` updates are reported with ``converged = False``
    (status 1), or raise :class:`assoc.errors.NotConvergedError` when
    ``raise_on_failure``. Theorem 2 of Ramsauer et al. (2020) guarantees
    ``||xi^(t+1) - xi^(t)|| -> 0``; the rate is linear near a fixed point with the
    Jacobian norm as factor, so convergence is slow only near bifurcations (metastable
    states about to merge).

    Parameters
    ----------
    xi : array, shape (..., d)
    X : array, shape (N, d)
    beta : float
        > 0.
    max_steps : int
        >= 1.
    tol : float, optional
        Relative step tolerance > 0; default 1e-10 for float64 and 1e-5 for float32.
    raise_on_failure : bool

    Returns
    -------
    IterationResult
    """
    max_steps = check_int("max_steps", max_steps, low=1)
    tol = check_optional_tol(tol)
    raise_on_failure = check_bool("raise_on_failure", raise_on_failure)
    xp, xi, X, beta = prepare(xi, X, beta)
    if tol is None:
        tol = 1e-10 if xi.dtype.itemsize >= 8 else 1e-5
    N, d = X.shape
    M = float(xp.sqrt((X * X).sum(axis=1).max()))
    atol = tol * max(M, 1e-300)
    cur = xi.reshape(-1, d).copy()
    B = cur.shape[0]
    n_iter = xp.zeros(B, dtype=xp.int64)
    converged = xp.zeros(B, dtype=bool)
    active = xp.arange(B)
    for _ in range(max_steps):
        if active.shape[0] == 0:
            break
        q = cur[active]
        new = _update_rows(q, X, beta, xp, xp.empty_like(q))
        q -= new
        step = xp.sqrt((q * q).sum(axis=1))
        cur[active] = new
        n_iter[active] += 1
        done = step <= atol
        converged[active[done]] = True
        active = active[~done]
    lead = xi.shape[:-1]
    status = xp.where(converged, 0, 1)
    res = IterationResult(
        xi=cur.reshape(xi.shape),
        n_iter=n_iter.reshape(lead),
        converged=converged.reshape(lead),
        status=status.reshape(lead),
        tol=atol,
    )
    if raise_on_failure and not bool(converged.all()):
        n_bad = int((~converged).sum())
        raise NotConvergedError(
            f"{n_bad} of {B} states did not converge within max_steps={max_steps} "
            f"(tol={tol} relative to M={M:.4g})",
            status=res.status,
            n_iter=res.n_iter,
        )
    return res


def cloob_retrieval(xi: Any, X: Any, beta: float) -> Any:
    """Hopfield retrieval of CLOOB: one update, then L2 normalisation of each retrieval.

    CLOOB (Fuerst et al. 2022, arXiv:2110.11316, Eq. (5)) retrieves each embedding
    ``xi`` from the stored embeddings ``X`` (a batch of normalised embeddings) by
    ``U_xi = X softmax(beta X^T xi)`` and re-normalises ``U_xi / ||U_xi||`` before the
    InfoLOOB objective. This function is that retrieval, with the same input rules as
    :func:`update`.

    Returns
    -------
    array, shape (..., d)
    """
    out = update(xi, X, beta, steps=1)
    xp = get_namespace(out)
    norm = xp.sqrt((out * out).sum(axis=-1, keepdims=True))
    return out / xp.maximum(norm, xp.finfo(out.dtype).tiny)
