"""Shared argument parsing and output helpers of the figure scripts."""

from __future__ import annotations

import argparse
import pathlib

import xarray as xr

__all__ = ["figure_parser", "write_netcdf"]


def figure_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """Parser with the common ``--quick`` and ``--out`` options."""
    ap = argparse.ArgumentParser(prog=f"python -m papers {prog}", description=description)
    ap.add_argument("--quick", action="store_true", help="small grids and short runs (< 1 min)")
    ap.add_argument("--out", default="out", type=pathlib.Path, help="output folder (default out/)")
    ap.add_argument("--seed", default=2024, type=int, help="root seed of all random streams")
    return ap


def write_netcdf(ds: xr.Dataset, path: pathlib.Path) -> pathlib.Path:
    """Write ``ds`` atomically (temporary file, then rename): no partial files are left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    ds.to_netcdf(tmp)
    tmp.replace(path)
    return path
