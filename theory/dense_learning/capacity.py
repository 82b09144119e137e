"""The critical load of retrieval for dense networks trained on examples (see
:mod:`theory.dense_learning`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from assoc.validation import check_grid

from ..dense import branches as dbr
from ..symbolic.solve import fold
from . import laws
from .common import _check_common, _finalize
from .phases import _law_grid, _retrieval


def critical_capacity(P: int, T: Any = 0.0, *, r: Any = None, M: Any = None, rho: Any = None,
                      protocol: str = "supervised", load: str = "storage",
                      N: int | None = None) -> xr.Dataset:
    """Saddle-node load ``alpha_c`` of the RS retrieval branch on ``(r x M, or rho) x T``.

    Parameters
    ----------
    P, r, M, rho, protocol, load, N
        As in :func:`theory.dense_learning.solve`.
    T : float or 1-D array, >= 0

    Returns
    -------
    xarray.Dataset
        ``alpha_c``, ``alpha_c_error``, ``converged`` and ``n`` at the fold, over the law axes
        and T.  At ``load='detection'``: ``alpha_c N^(P-2)`` (K = alpha N), infinite at
        ``N = None`` (the cross-talk vanishes).  NaN with ``converged = False`` where there
        is no retrieval even at low load (T above its spinodal, or the examples too poor).

    Notes
    -----
    The retrieval line of each (law point, T) is continued along
    :data:`theory.dense.branches.REF_ALPHA` until it ends; from its last solution
    :func:`theory.symbolic.fold` maximises alpha along the branch parametrised by n (as
    :func:`theory.dense.critical_point`).  At r = 1 this is the dense storage model's
    ``alpha_c(T)`` (tests).
    """
    P, protocol, load, N = _check_common(P, protocol, load, N)
    t = check_grid("T", T, low=0.0)
    axes, law = _law_grid(r, M, rho, protocol)
    gaussian = "rho" in axes
    nL, nT = next(iter(law.values())).size, t.size
    lawL = {k: np.repeat(val, nT) for k, val in law.items()}
    TL = np.tile(t, nL)
    L = TL.size
    ret = _retrieval(P, protocol, gaussian, lawL, np.ones(L), np.array([dbr.REF_ALPHA[-1]]), TL)
    a_c, err = np.full(L, np.nan), np.full(L, np.nan)
    n_c = np.full(L, np.nan)
    conv = np.zeros(L, dtype=bool)
    for zero in (True, False):
        lines = np.flatnonzero(((TL == 0) == zero) & np.isfinite(ret["ends_alpha"])
                               & (ret["ends_alpha"] < dbr.REF_ALPHA[-1]))
        if lines.size == 0:
            continue
        cf = laws.compiled(P, protocol, gaussian, "rs0" if zero else "rs")
        x0 = ret["ends_x"][lines][:, :cf.model.dim]
        other = {k: val[lines] for k, val in lawL.items()}
        if not zero:
            other["beta"] = 1.0 / TL[lines]
        n_s = x0[:, 0]
        res = fold(cf, x0, "alpha", "n", (np.maximum(n_s - 0.3, 0.05), n_s), other,
                   c_guess=ret["ends_alpha"][lines], n_scan=16)
        ok = res.converged
        a_c[lines[ok]], err[lines[ok]] = res.value[ok], res.error[ok]
        n_c[lines[ok]] = res.x[ok, 0]
        conv[lines] = ok
    if load == "detection":
        a_c = a_c * float(N) ** (P - 2) if N is not None else np.where(conv, np.inf, np.nan)
        err = err * float(N) ** (P - 2) if N is not None else np.where(conv, 0.0, np.nan)
    dims = (*axes, "T")
    shape = (*(x.size for x in axes.values()), nT)
    ds = xr.Dataset({"alpha_c": (dims, a_c.reshape(shape)),
                     "alpha_c_error": (dims, err.reshape(shape)),
                     "converged": (dims, conv.reshape(shape)), "n": (dims, n_c.reshape(shape))},
                    coords={**axes, "T": t})
    return _finalize(ds, P, protocol, load, method="replica symmetric fold", ansatz="RS",
                     law="gaussian" if gaussian else "binomial", N=-1 if N is None else N)
