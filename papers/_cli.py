"""Shared argument parsing, output and Monte Carlo helpers of the figure scripts."""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

import numpy as np
import xarray as xr

from assoc.models import Model
from montecarlo import Campaign, simulate

__all__ = ["figure_parser", "write_netcdf", "mc_stores", "monte_carlo", "first_rise"]


def figure_parser(prog: str, description: str, *,
                  monte_carlo: bool = False) -> argparse.ArgumentParser:
    """Parser with the common ``--quick``, ``--out`` and ``--seed`` options.

    With ``monte_carlo``, also ``--store``: the folder of the figure's Monte Carlo campaign
    stores (:func:`mc_stores`).
    """
    ap = argparse.ArgumentParser(prog=f"python -m papers {prog}", description=description)
    ap.add_argument("--quick", action="store_true", help="small grids and short runs (< 1 min)")
    ap.add_argument("--out", default="out", type=pathlib.Path, help="output folder (default out/)")
    ap.add_argument("--seed", default=2024, type=int, help="root seed of all random streams")
    if monte_carlo:
        ap.add_argument("--store", type=pathlib.Path, default=None,
                        help="folder of the figure's Monte Carlo campaign stores (default "
                             "OUT/<figure>-mc-<quick|full>-seed<SEED>); a re-run reuses "
                             "their finished points, an interrupted one resumes")
    ap.set_defaults(figure=prog)
    return ap


def mc_stores(args: argparse.Namespace) -> pathlib.Path:
    """The folder of the campaign stores of a figure run (``--store`` or its default)."""
    if args.store is not None:
        return args.store
    mode = "quick" if args.quick else "full"
    return args.out / f"{args.figure}-mc-{mode}-seed{args.seed}"


def monte_carlo(model: Model, store: pathlib.Path | None, **kwargs: Any) -> xr.Dataset:
    """:func:`montecarlo.simulate` with these arguments, run as a campaign in ``store``.

    The campaign's Dataset is the one ``simulate`` returns (the same seeds, bit for bit):
    its finished points are reused when the figure is run again, and an interrupted run
    resumes. ``store=None`` runs in memory (as the tests do).
    """
    if store is None:
        return simulate(model, **kwargs)
    rule = kwargs.pop("dynamics", None)
    spec = {"model": model.spec(), **kwargs}
    if rule is not None:
        spec["dynamics"] = {"name": rule.name, "order": rule.order}
    ds = Campaign(spec).run(store, progress=sys.stderr.isatty())
    return ds.drop_vars("done")


def first_rise(x: np.ndarray, y: np.ndarray) -> float:
    """The first ``x`` at which ``y`` turns from negative to non-negative along the grid,
    interpolated linearly between the two grid points (NaN where it never does)."""
    k = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    if k.size == 0:
        return float("nan")
    k = k[0]
    return float(x[k] + (x[k + 1] - x[k]) * y[k] / (y[k] - y[k + 1]))


def write_netcdf(ds: xr.Dataset, path: pathlib.Path) -> pathlib.Path:
    """Write ``ds`` atomically (temporary file, then rename): no partial files are left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    ds.to_netcdf(tmp)
    tmp.replace(path)
    return path
