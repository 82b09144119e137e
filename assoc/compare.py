"""Theory versus simulation: aligned Datasets with residual z-scores."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xarray as xr

from .dataset import finalize

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
    """
    th = theory.sel(branch=branch) if branch is not None and "branch" in theory.dims else theory
    out = xr.Dataset()
    controls = [d for d in mc.dims if d in th.dims]
    sel = {d: mc[d].values for d in controls}
    th_al = th.sel(sel, method=method, tolerance=tolerance) if sel else th
    for v in variables:
        if "sample" in mc[v].dims:  # NaN marks samples left out (e.g. by conditioning)
            mean = mc[v].mean("sample")
            sem = mc[v].std("sample", ddof=1) / np.sqrt(mc[v].count("sample"))
        else:
            mean, sem = mc[v], mc[f"{v}_sem"]
        tv = th_al[v].drop_vars([c for c in th_al[v].coords if c not in th_al[v].dims])
        tv = tv.assign_coords({d: mean[d] for d in tv.dims if d in mean.dims})
        out[f"{v}_theory"] = tv
        out[f"{v}_mc"] = mean
        out[f"{v}_sem"] = sem
        out[f"z_{v}"] = (mean - tv) / sem
        for name, ln in (
            (f"{v}_theory", f"theory {v}"),
            (f"{v}_mc", f"Monte Carlo {v}"),
            (f"{v}_sem", f"standard error of Monte Carlo {v}"),
            (f"z_{v}", f"z-score of Monte Carlo minus theory {v}"),
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


def bonferroni_threshold(n_comparisons: int, familywise: float = 1e-3) -> float:
    """Two-sided |z| threshold with family-wise error ``familywise`` over n comparisons."""
    from scipy.special import ndtri

    return float(-ndtri(familywise / (2 * max(int(n_comparisons), 1))))


def extrapolate_in_N(
    mc: xr.Dataset, variables: Iterable[str] = ("m",), *, exponent: float = 1.0
) -> xr.Dataset:
    """Extrapolate sample means to N -> infinity by weighted least squares in ``N**-exponent``.

    At every other control point, fits ``v(N) = v_inf + a N**-exponent`` to the
    sample means with weights ``1/sem**2`` (sem over ``sample``). Returns ``v``
    (the intercept), ``v_sem`` (its standard error from the fit covariance,
    scaled up by ``sqrt(chi2/dof)`` when the fit is worse than its errors) and
    ``v_chi2`` (chi-square per degree of freedom; NaN for two sizes).
    """
    if mc.sizes.get("N", 0) < 2:
        raise ValueError("extrapolation needs at least two sizes N")
    x = np.asarray(mc["N"].values, dtype=np.float64) ** -exponent
    out = xr.Dataset()
    for v in variables:
        mean = mc[v].mean("sample").transpose(..., "N")  # NaN samples are left out
        sem = (mc[v].std("sample", ddof=1) / np.sqrt(mc[v].count("sample"))).transpose(..., "N")
        y, e = mean.values, sem.values
        w = 1.0 / np.maximum(e, 1e-300) ** 2
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
        out[f"{v}_sem"] = xr.DataArray(np.sqrt(var0 * scale), dims=dims, coords=coords,
                                       attrs={"long_name": f"standard error of extrapolated {v}",
                                              "units": "1"})
        out[f"{v}_chi2"] = xr.DataArray(red, dims=dims, coords=coords,
                                        attrs={"long_name": f"chi-square per dof of the {v} fit",
                                               "units": "1"})
    out.attrs.update(mc.attrs)
    out.attrs["extrapolation"] = (
        f"weighted least squares in N^-{exponent:g}, N = {mc.N.values.tolist()}"
    )
    return out
