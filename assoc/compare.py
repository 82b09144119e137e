"""Theory versus simulation: aligned Datasets with residual z-scores."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from .dataset import finalize
from .validation import check_choice, check_int, check_real

__all__ = ["compare", "extrapolate_in_N", "bonferroni_threshold"]


def compare(
    theory: xr.Dataset,
    mc: xr.Dataset,
    *,
    variables: Iterable[str] = ("m",),
    branch: str | None = "retrieval",
    method: str = "nearest",
    tolerance: float = 1e-9,
) -> xr.Dataset:
    """Align a theory result with a Monte Carlo result and compute z-scores.

    For each variable ``v`` the output holds ``v_theory``, ``v_mc`` (the Monte
    Carlo estimate at each control point: a sample mean, or an extrapolation
    to N -> infinity if the MC Dataset has no ``N`` dimension), ``v_sem`` and
    ``z_v = (v_mc - v_theory) / v_sem``.

    Parameters
    ----------
    theory : Dataset with the controls as coordinates (and ``branch``).
    mc : Dataset with per-sample values ``v`` (dimension ``sample``) or with
        ``v`` and ``v_sem`` already reduced.
    branch : the theory branch to compare with; None if there is no branch dim.
    method, tolerance : passed to :meth:`xarray.Dataset.sel` to align controls.

    Where the standard error is zero or undefined (every sample equal, e.g. all at m = 1 at
    low T, or a single sample) the z-score is undefined: ``z_v`` is NaN there and the flag
    ``z_defined_v`` False, never an infinity.  Misuse (an unknown variable or branch, a
    theory that does not cover the simulated controls) raises ValueError naming the
    parameter, before any work.
    """
    variables, th = _check_compare(theory, mc, variables, branch, method, tolerance)
    out = xr.Dataset()
    controls = [d for d in mc.dims if d in th.dims]
    sel = {d: mc[d].values for d in controls}
    try:
        th_al = th.sel(sel, method=method, tolerance=tolerance) if sel else th
    except KeyError as e:
        raise ValueError(f"theory must cover the Monte Carlo controls {controls} within "
                         f"tolerance={tolerance:g} (method={method!r}): {e}") from None
    for v in variables:
        if "sample" in mc[v].dims:  # NaN marks samples left out (e.g. by conditioning)
            mean = mc[v].mean("sample")
            sem = mc[v].std("sample", ddof=1) / np.sqrt(mc[v].count("sample"))
        else:
            mean, sem = mc[v], mc[f"{v}_sem"]
        tv = th_al[v].drop_vars([c for c in th_al[v].coords if c not in th_al[v].dims])
        tv = tv.assign_coords({d: mean[d] for d in tv.dims if d in mean.dims})
        defined = np.isfinite(sem) & (sem > 0)
        out[f"{v}_theory"] = tv
        out[f"{v}_mc"] = mean
        out[f"{v}_sem"] = sem
        out[f"z_{v}"] = ((mean - tv) / sem.where(defined)).where(defined)
        out[f"z_defined_{v}"] = defined
        for name, ln in (
            (f"{v}_theory", f"theory {v}"),
            (f"{v}_mc", f"Monte Carlo {v}"),
            (f"{v}_sem", f"standard error of Monte Carlo {v}"),
            (f"z_{v}", f"z-score of Monte Carlo minus theory {v} (NaN where undefined)"),
            (f"z_defined_{v}", f"the standard error of {v} is positive, so z_{v} is defined"),
        ):
            out[name].attrs.update(long_name=ln, units="1")
    for c in out.coords:
        if c in mc.coords:
            out[c].attrs.update(mc[c].attrs)
    return finalize(
        out,
        kind="comparison",
        model=theory.attrs.get("model", "unknown"),
        normalisation=theory.attrs.get("normalisation", ""),
        references=[],
        theory_attrs=str({k: theory.attrs.get(k) for k in ("ansatz", "equations")}),
        mc_attrs=str({k: mc.attrs.get(k) for k in ("sampler", "seed", "sweeps")}),
    )


def _check_compare(theory: Any, mc: Any, variables: Any, branch: Any, method: Any,
                   tolerance: Any) -> tuple[list[str], xr.Dataset]:
    """The checks of :func:`compare`: returns the variables and the theory's branch."""
    for name, ds in (("theory", theory), ("mc", mc)):
        if not isinstance(ds, xr.Dataset):
            raise TypeError(f"{name} must be an xarray.Dataset (got {type(ds).__name__})")
    if isinstance(variables, str):
        variables = [variables]
    variables = list(variables)
    if not variables:
        raise ValueError("variables must name at least one variable")
    for name, ds in (("theory", theory), ("mc", mc)):
        missing = [v for v in variables if v not in ds]
        if missing:
            raise ValueError(f"variables {missing} are not in {name} (it has "
                             f"{sorted(map(str, ds.data_vars))})")
    if theory.attrs.get("kind") == "montecarlo" or mc.attrs.get("kind") == "theory":
        raise ValueError("theory and mc look swapped (theory has kind="
                         f"{theory.attrs.get('kind')!r}, mc kind={mc.attrs.get('kind')!r}): "
                         "call compare(theory, mc)")
    for v in variables:
        if "sample" not in mc[v].dims and f"{v}_sem" not in mc:
            raise ValueError(f"mc[{v!r}] has no dimension 'sample' and mc has no {v}_sem")
    check_choice("method", method, ("nearest", "pad", "backfill", "ffill", "bfill"))
    check_real("tolerance", tolerance, low=0.0)
    if branch is not None and "branch" in theory.dims:
        names = [str(b) for b in theory.branch.values]
        if branch not in names:
            raise ValueError(f"branch must be one of {names} or None (got {branch!r})")
        theory = theory.sel(branch=branch)
    return variables, theory


def bonferroni_threshold(n_comparisons: int, familywise: float = 1e-3) -> float:
    """Two-sided |z| threshold with family-wise error ``familywise`` over n comparisons
    (``n_comparisons >= 1``, ``0 < familywise < 1``)."""
    from scipy.special import ndtri

    n = check_int("n_comparisons", n_comparisons, low=1)
    fw = float(check_real("familywise", familywise, low=0.0, high=1.0, low_open=True,
                          high_open=True))
    return float(-ndtri(fw / (2 * n)))


def extrapolate_in_N(
    mc: xr.Dataset, variables: Iterable[str] = ("m",), *, exponent: float = 1.0
) -> xr.Dataset:
    """Extrapolate sample means to N -> infinity by weighted least squares in ``N**-exponent``.

    At every other control point, fits ``v(N) = v_inf + a N**-exponent`` to the
    sample means with weights ``1/sem**2`` (sem over ``sample``). Returns ``v``
    (the intercept), ``v_sem`` (its standard error from the fit covariance,
    scaled up by ``sqrt(chi2/dof)`` when the fit is worse than its errors) and
    ``v_chi2`` (chi-square per degree of freedom; NaN for two sizes).

    Where a size's standard error is zero or undefined (every sample equal, or one sample)
    the weights are undefined: the fit there is unweighted, ``v_sem`` is NaN and the flag
    ``v_sem_defined`` False (so a z-score against it is undefined, not infinite).
    """
    if not isinstance(mc, xr.Dataset):
        raise TypeError(f"mc must be an xarray.Dataset (got {type(mc).__name__})")
    if mc.sizes.get("N", 0) < 2:
        raise ValueError("mc must have a dimension N with at least two sizes to extrapolate "
                         f"(got N sizes {mc.sizes.get('N', 0)})")
    variables = [variables] if isinstance(variables, str) else list(variables)
    missing = [v for v in variables if v not in mc or "sample" not in mc[v].dims]
    if missing:
        raise ValueError(f"variables {missing} are not per-sample variables of mc")
    exponent = float(check_real("exponent", exponent, low=0.0, low_open=True))
    x = np.asarray(mc["N"].values, dtype=np.float64) ** -exponent
    out = xr.Dataset()
    for v in variables:
        mean = mc[v].mean("sample").transpose(..., "N")  # NaN samples are left out
        sem = (mc[v].std("sample", ddof=1) / np.sqrt(mc[v].count("sample"))).transpose(..., "N")
        y, e = mean.values, sem.values
        good = (np.isfinite(e) & (e > 0)).all(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(good[..., None], 1.0 / np.where(e > 0, e, 1.0) ** 2, 1.0)
        S, Sx, Sxx = w.sum(-1), (w * x).sum(-1), (w * x * x).sum(-1)
        Sy, Sxy = (w * y).sum(-1), (w * x * y).sum(-1)
        det = S * Sxx - Sx**2
        b0 = (Sxx * Sy - Sx * Sxy) / det
        b1 = (S * Sxy - Sx * Sy) / det
        var0 = Sxx / det
        dof = x.size - 2
        chi2 = ((y - b0[..., None] - b1[..., None] * x) ** 2 * w).sum(-1)
        red = chi2 / dof if dof > 0 else np.full_like(chi2, np.nan)
        scale = np.where(np.isfinite(red) & (red > 1), red, 1.0)
        dims = mean.dims[:-1]
        coords = {d: mean[d] for d in dims}
        out[v] = xr.DataArray(b0, dims=dims, coords=coords,
                              attrs={"long_name": f"{v} extrapolated to N -> infinity",
                                     "units": "1"})
        out[f"{v}_sem"] = xr.DataArray(np.where(good, np.sqrt(var0 * scale), np.nan), dims=dims,
                                       coords=coords,
                                       attrs={"long_name": f"standard error of extrapolated {v}",
                                              "units": "1"})
        out[f"{v}_sem_defined"] = xr.DataArray(
            good, dims=dims, coords=coords,
            attrs={"long_name": f"every size of {v} has a positive standard error", "units": "1"})
        out[f"{v}_chi2"] = xr.DataArray(red, dims=dims, coords=coords,
                                        attrs={"long_name": f"chi-square per dof of the {v} fit",
                                               "units": "1"})
    out.attrs.update(mc.attrs)
    out.attrs["extrapolation"] = (
        f"weighted least squares in N^-{exponent:g}, N = {mc.N.values.tolist()}"
    )
    return out
