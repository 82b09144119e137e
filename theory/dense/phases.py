"""The dense network on a grid of loads and temperatures: every branch and the phase
(see :mod:`theory.dense`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from assoc.validation import check_choice, check_grid

from .._numerics.solver import CONVERGED, NO_SOLUTION
from . import branches as br
from .common import ANSATZE, BRANCHES, _check_P, _finalize
from .glass import _m0_sector


def solve(P: int, alpha: float | np.ndarray, T: float | np.ndarray,
          ansatz: str = "RS") -> xr.Dataset:
    """Retrieval, spin-glass and paramagnetic branches on the grid ``alpha x T``.

    Parameters
    ----------
    P : int >= 3
        Interaction order.
    alpha : float or 1-D array, >= 0
        Load ``K / N^(P-1)`` (library convention); 0 is the low-load (Curie-Weiss) limit.
    T : float or 1-D array, >= 0
        Temperature; T = 0 uses the exact zero-temperature free energies.
    ansatz : {'RS', '1RSB'}

    Returns
    -------
    xarray.Dataset
        Dimensions ``(alpha, T, branch)``, ``branch = ['retrieval', 'spin_glass',
        'paramagnet']``.  RS: ``m``, ``q``, ``f``, ``replicon``, ``curvature``.  1RSB: ``m``,
        ``q0``, ``q1``, ``theta``, ``mu`` (``theta/T``), ``f``, ``rsb``, ``curvature`` (``q``
        is ``q1``).  Both: ``converged``, ``status`` (codes of :mod:`theory._numerics.solver`),
        ``stable_rs`` (longitudinal), ``stable`` (RS: also replicon > 0; 1RSB: as stable_rs,
        the 1RSB replicon is not computed) and ``phase`` over (alpha, T): the stable branch of
        lowest f ('none' if none) among retrieval and the m = 0 state, which is the
        paramagnet above the static glass transition and the spin glass below it
        (:func:`_m0_sector`).  NaN with ``converged = False`` where a branch does not
        exist.

    Notes
    -----
    Retrieval: continuation in alpha from the Curie-Weiss solution at ``alpha = 1e-6`` for
    each T, ending at the saddle-node ``alpha_c(T)``.  1RSB retrieval: at each RS point the
    Parisi parameter is scanned and the root of ``df/dtheta`` refined
    (:func:`theory.symbolic.optimize_parameter`); no root (above the AT line) means 1RSB = RS
    (``theta = 1``, ``q0 = q1``, ``rsb = False``); past the RS critical load the 1RSB
    solution is continued.  Spin glass: traced once along ``g = alpha/T^2`` and polished by
    Newton at each point (RS: the upper, fixed-point-stable root; 1RSB: ``theta`` in (0, 1),
    i.e. below the static transition).  Paramagnet: closed form, only at T > 0.  Below
    ``T_LOW = 1e-6`` the RS branches use the low-temperature model in (m, C)
    (:func:`theory.dense.models.rs_low_temperature`), so that every T > 0 joins T = 0.
    """
    P = _check_P(P)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    a = check_grid("alpha", alpha, low=0.0)
    t = check_grid("T", T, low=0.0)
    A, TT = np.meshgrid(a, t, indexing="ij")
    shape = A.shape
    rs = br.retrieval_rs(P, a, t)
    nb = len(BRANCHES)

    def arr(fill=np.nan, dtype=float):
        return np.full(shape + (nb,), fill, dtype=dtype)

    status = arr(NO_SOLUTION, np.int8)
    f, m = arr(), arr()
    stable_rs = arr(False, bool)
    data: dict[str, Any] = {}
    sgA, sgT = A.ravel(), TT.ravel()
    if ansatz == "RS":
        q, repl, curv = arr(), arr(), arr()
        ok = rs["status"] == CONVERGED
        m[..., 0], q[..., 0], f[..., 0] = rs["m"], rs["q"], rs["f"]
        repl[..., 0], curv[..., 0] = rs["replicon"], rs["curvature"]
        status[..., 0] = rs["status"]
        stable_rs[..., 0] = ok & (rs["curvature"] > 0)
        sg = br.spin_glass_rs(P, sgA, sgT)
        okg = (sg["status"] == CONVERGED).reshape(shape)
        m[..., 1] = np.where(okg, 0.0, np.nan)
        q[..., 1] = sg["q"].reshape(shape)
        f[..., 1] = sg["f"].reshape(shape)
        repl[..., 1] = sg["replicon"].reshape(shape)
        status[..., 1] = sg["status"].reshape(shape)
        # the upper root attracts the fixed-point iteration (slope < 1): locally stable
        stable_rs[..., 1] = okg & (sg["slope"].reshape(shape) < 1.0)
        data.update(q=q, replicon=repl, curvature=curv)
    else:
        out, st, rsb = br.retrieval_rsb(P, a, t, rs)
        q0, q1, th, mu, curv = arr(), arr(), arr(), arr(), arr()
        rsbv = arr(False, bool)
        ok = st == CONVERGED
        m[..., 0], q0[..., 0], q1[..., 0], th[..., 0] = out["m"], out["q0"], out["q1"], \
            out["theta"]
        mu[..., 0], f[..., 0], curv[..., 0] = out["mu"], out["f"], out["curvature"]
        rsbv[..., 0] = rsb
        status[..., 0] = st
        stable_rs[..., 0] = ok & (out["curvature"] > 0)
        sg = br.spin_glass_rsb(P, sgA, sgT)
        okg = (sg["status"] == CONVERGED).reshape(shape)
        m[..., 1] = np.where(okg, 0.0, np.nan)
        q0[..., 1] = np.where(okg, 0.0, np.nan)
        q1[..., 1] = sg["q1"].reshape(shape)
        th[..., 1] = sg["theta"].reshape(shape)
        mu[..., 1] = sg["mu"].reshape(shape)
        f[..., 1] = sg["f"].reshape(shape)
        rsbv[..., 1] = okg
        status[..., 1] = sg["status"].reshape(shape)
        stable_rs[..., 1] = okg
        data.update(q0=q0, q1=q1, q=q1.copy(), theta=th, mu=mu, rsb=rsbv, curvature=curv)
    pm = br.paramagnet(P, sgA, sgT)
    okp = (pm["status"] == CONVERGED).reshape(shape)
    f[..., 2] = pm["f"].reshape(shape)
    m[..., 2] = np.where(okp, 0.0, np.nan)
    for k in ("q", "q0", "q1"):
        if k in data:
            data[k][..., 2] = np.where(okp, 0.0, np.nan)
    if ansatz == "1RSB":
        data["theta"][..., 2] = np.where(okp, 1.0, np.nan)
    status[..., 2] = pm["status"].reshape(shape)
    stable_rs[..., 2] = okp
    converged = status == CONVERGED
    stable = stable_rs.copy()
    if ansatz == "RS":
        stable &= np.nan_to_num(data["replicon"], nan=-1.0) > 0
    dims = ("alpha", "T", "branch")
    ds = xr.Dataset(
        {"m": (dims, m), "f": (dims, f), "converged": (dims, converged),
         "stable_rs": (dims, stable_rs), "stable": (dims, stable), "status": (dims, status),
         **{k: (dims, v) for k, v in data.items()}},
        coords={"alpha": a, "T": t, "branch": list(BRANCHES), "beta": ("T", br.beta_of(t))},
    )
    fs = np.where(stable_rs & converged, f, np.inf)
    # the m = 0 sector: paramagnet up to the static glass transition, spin glass beyond it
    para, glass = _m0_sector(P, ansatz, A, TT)
    fs[..., 2] = np.where(para, fs[..., 2], np.inf)
    fs[..., 1] = np.where(glass, fs[..., 1], np.inf)
    k = np.argmin(fs, axis=-1)
    names = np.array(list(BRANCHES) + ["none"], dtype="<U10")
    k = np.where(np.isfinite(np.min(fs, axis=-1)), k, nb)
    ds["phase"] = (("alpha", "T"), names[k])
    ds["phase"].attrs.update(long_name="thermodynamically dominant stable branch", units="1")
    return _finalize(ds, P, ansatz, phase_stability="stable_rs")
