"""The xarray Dataset conventions (DESIGN.md "Data conventions"; STYLE 7).

Every public theory or simulation result is an :class:`xarray.Dataset` built
by :func:`finalize`, which attaches CF ``long_name``/``units`` to the known
variables and coordinates and the common attrs, and checks the result with
:func:`assert_valid_result`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from .citations import cite

__all__ = ["VARIABLES", "finalize", "assert_valid_result", "mean_sem", "KINDS"]

#: CF metadata of variables and coordinates: name -> (long_name, units).
VARIABLES: dict[str, tuple[str, str]] = {
    # controls
    "alpha": ("load (number of patterns per normalising power of N)", "1"),
    "T": ("temperature", "1"),
    "beta": ("inverse temperature 1/T", "1"),
    "N": ("number of spins", "1"),
    "P": ("interaction order", "1"),
    "d": ("pattern dilution P(xi = 0)", "1"),
    "r": ("example quality", "1"),
    "M": ("examples per archetype", "1"),
    "K": ("number of patterns", "1"),
    "sample": ("disorder realisation index", "1"),
    "branch": ("solution family", "1"),
    "n": ("number of patterns in the mixture", "1"),
    # order parameters and results
    "m": ("Mattis overlap with the condensed pattern", "1"),
    "q": ("Edwards-Anderson overlap", "1"),
    "p": ("noise of the non-condensed patterns (AGS r)", "1"),
    "C": ("susceptibility beta (1 - q)", "1"),
    "f": ("free energy per spin", "1"),
    "energy": ("energy per spin", "1"),
    "converged": ("solver reached its tolerance", "1"),
    "stable": ("locally stable (all Hessian and replicon conditions hold)", "1"),
    "status": ("solver status code", "1"),
    "n_iter": ("solver iterations", "1"),
    "replicon": ("replicon (AT) eigenvalue sign function, > 0 when stable", "1"),
    "phase": ("thermodynamically dominant stable branch", "1"),
    "T_g": ("spin-glass transition temperature", "1"),
    "T_M": ("retrieval spinodal temperature", "1"),
    "T_c": ("retrieval / spin-glass first-order transition temperature", "1"),
    "T_AT": ("de Almeida-Thouless line of the retrieval branch", "1"),
    "z": ("residual z-score (mc - theory) / standard error", "1"),
    "tau_int": ("integrated autocorrelation time", "sweeps"),
}

#: Values of the ``kind`` attr.
KINDS = ("theory", "montecarlo", "comparison", "experiment")

_REQUIRED_ATTRS = ("kind", "model", "normalisation", "package_version", "reference")


def _version() -> str:
    from . import __version__

    return __version__


def finalize(
    ds: xr.Dataset,
    *,
    kind: str,
    model: str,
    normalisation: str,
    references: Iterable[str],
    **attrs: Any,
) -> xr.Dataset:
    """Attach the conventions to ``ds`` and validate it.

    Parameters
    ----------
    kind : {'theory', 'montecarlo', 'comparison', 'experiment'}
    model : str
        Model name (e.g. ``'hopfield'``).
    normalisation : str
        The Hamiltonian and load conventions, stated in words.
    references : iterable of str
        Keys of :data:`assoc.citations.REFERENCES`.
    **attrs
        Further attrs (ansatz, sampler, seeds, sweeps, backend, equations, ...).
        Values must be netCDF-serialisable (str, numbers); None is dropped.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds must be an xarray.Dataset (got {type(ds).__name__})")
    ds = ds.copy()
    for name in list(ds.variables):
        if name in VARIABLES:
            ln, units = VARIABLES[name]
            ds[name].attrs.setdefault("long_name", ln)
            ds[name].attrs.setdefault("units", units)
    ds.attrs.update(
        kind=kind,
        model=model,
        normalisation=normalisation,
        package_version=_version(),
        reference=cite(*references),
        Conventions="CF-1.10",
        history=f"{_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')} created by assoc "
        f"{_version()}",
    )
    for k, v in attrs.items():
        if v is None:
            continue
        ds.attrs[k] = str(v) if not isinstance(v, (int, float, str, np.number)) else v
    assert_valid_result(ds)
    return ds


def assert_valid_result(ds: xr.Dataset) -> None:
    """Check a result Dataset against the conventions; raise AssertionError if not (and
    TypeError if ``ds`` is not a Dataset at all).

    Checks: the required attrs; ``long_name`` and ``units`` on every data
    variable and dimension coordinate; boolean ``converged``/``stable``;
    theory results have a ``branch`` dimension and no NaN-free number that is
    unconverged without ``converged`` beside it; Monte Carlo results have
    ``N`` and ``sample`` dimensions.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds must be an xarray.Dataset (got {type(ds).__name__})")
    for a in _REQUIRED_ATTRS:
        assert a in ds.attrs, f"missing attr {a!r}"
    assert ds.attrs["kind"] in KINDS, f"attr kind must be one of {KINDS}"
    for name, var in ds.variables.items():
        if name in ds.data_vars or name in ds.dims:
            assert "long_name" in var.attrs, f"variable {name!r} has no long_name"
            assert "units" in var.attrs, f"variable {name!r} has no units"
    for flag in ("converged", "stable"):
        if flag in ds:
            assert ds[flag].dtype == bool, f"{flag!r} must be boolean"
    if ds.attrs["kind"] == "theory":
        has_orders = any(v in ds for v in ("m", "q", "f"))
        if has_orders and "branch" in ds.dims:
            assert "converged" in ds, "theory results with branches must carry 'converged'"
    if ds.attrs["kind"] == "montecarlo":
        for dim in ("N", "sample"):
            assert dim in ds.dims, f"Monte Carlo results need a {dim!r} dimension"


def mean_sem(da: xr.DataArray, dim: str = "sample") -> tuple[xr.DataArray, xr.DataArray]:
    """Mean over ``dim`` and its standard error ``std(ddof=1)/sqrt(n)``."""
    n = da.sizes[dim]
    mean = da.mean(dim)
    sem = da.std(dim, ddof=1) / np.sqrt(n) if n > 1 else xr.full_like(mean, np.nan)
    return mean, sem
