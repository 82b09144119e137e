"""Shared argument parsing, output and Monte Carlo helpers of the figure scripts.

Outputs.  A figure run writes its files through an :class:`OutputSet`: every file is written
to a temporary name and renamed into place (never half-written), the previous run's manifest
``<figure>.manifest.json`` is removed before the first file is replaced, and a new one, with
the size and SHA-256 of every file, is written last.  So whenever the run stops (an error,
Ctrl-C), the folder holds either the previous complete set, or files without a manifest:
visibly incomplete (:func:`complete`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import pathlib
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import xarray as xr

from assoc import __version__
from assoc.models import Model
from assoc.seeding import normalize_seed
from montecarlo import Campaign, simulate

__all__ = ["figure_parser", "write_netcdf", "mc_stores", "monte_carlo", "first_rise",
           "OutputSet", "complete"]


class FigureParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` that checks ``--seed``, ``--out`` and ``--store``
    when it parses, before any work: a bad value is a usage error (exit status 2) naming the
    option."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self._output_files: list[str] = []

    def add_output_file(self, flag: str, **kw: Any) -> None:
        """An option naming an output file (default None); its folder is checked too."""
        action = self.add_argument(flag, type=pathlib.Path, default=None, **kw)
        self._output_files.append(action.dest)

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        ns = super().parse_args(args, namespace)
        try:
            normalize_seed(ns.seed)
        except ValueError as e:
            self.error(f"--seed: {e}")
        folders = [(opt, getattr(ns, opt, None)) for opt in ("out", "store")]
        folders += [(d, None if getattr(ns, d) is None else getattr(ns, d).parent)
                    for d in self._output_files]
        for opt, folder in folders:
            if folder is not None:
                problem = _unwritable(folder)
                if problem:
                    self.error(f"--{opt} {folder}: {problem}")
        for d in self._output_files:
            f = getattr(ns, d)
            if f is not None and f.is_dir():
                self.error(f"--{d} {f}: is a folder, not a file")
        return ns


def _unwritable(folder: pathlib.Path) -> str | None:
    """Why files cannot be written in ``folder`` (created if missing), or None."""
    if folder.exists() and not folder.is_dir():
        return "exists and is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return f"cannot write there ({e.strerror or e})"
    return None


def figure_parser(prog: str, description: str, *,
                  monte_carlo: bool = False) -> argparse.ArgumentParser:
    """Parser with the common ``--quick``, ``--out`` and ``--seed`` options, checked when
    parsed (:class:`FigureParser`).

    With ``monte_carlo``, also ``--store``: the folder of the figure's Monte Carlo campaign
    stores (:func:`mc_stores`).
    """
    ap = FigureParser(prog=f"python -m papers {prog}", description=description)
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


@contextlib.contextmanager
def _atomic(path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A temporary name beside ``path`` (same suffix) to write; renamed over ``path`` when the
    block ends normally, removed otherwise: ``path`` is the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_netcdf(ds: xr.Dataset, path: pathlib.Path) -> pathlib.Path:
    """Write ``ds`` atomically (temporary file, then rename): no partial files are left."""
    with _atomic(path) as tmp:
        ds.to_netcdf(tmp)
    return path


def _sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest_path(folder: pathlib.Path, figure: str) -> pathlib.Path:
    return folder / f"{figure}.manifest.json"


def complete(folder: pathlib.Path, figure: str) -> bool:
    """True where ``folder`` holds a complete output set of ``figure``: its manifest exists and
    every file it lists has the recorded size and SHA-256."""
    try:
        man = json.loads(manifest_path(folder, figure).read_text())
        return all((folder / f["name"]).stat().st_size == f["bytes"]
                   and _sha256(folder / f["name"]) == f["sha256"] for f in man["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


class OutputSet:
    """The files of one figure run (module notes): ``with OutputSet(args) as out:`` then
    :meth:`netcdf`, :meth:`figure` and :meth:`text`, each atomic; the manifest is written
    when the block ends normally.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed figure arguments (``out``, ``figure``, and the rest, recorded).
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.folder: pathlib.Path = args.out
        self.name: str = args.figure
        self.args = {k: (str(v) if isinstance(v, pathlib.Path) else v)
                     for k, v in vars(args).items()}
        self.files: list[pathlib.Path] = []

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:  # noqa: ANN001
        if exc_type is None:
            man = {"figure": self.name, "complete": True, "args": self.args,
                   "package_version": __version__,
                   "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                   "files": [{"name": os.path.relpath(p, self.folder), "bytes": p.stat().st_size,
                              "sha256": _sha256(p)} for p in self.files]}
            with _atomic(manifest_path(self.folder, self.name)) as tmp:
                tmp.write_text(json.dumps(man, indent=1) + "\n")
        return False

    def _claim(self, name: str | pathlib.Path) -> pathlib.Path:
        """The path of ``name`` (relative to the folder, or absolute); the first claim
        withdraws the previous run's manifest."""
        if not self.files:
            manifest_path(self.folder, self.name).unlink(missing_ok=True)
        path = self.folder / name
        self.files.append(path)
        return path

    def netcdf(self, ds: xr.Dataset, name: str) -> pathlib.Path:
        return write_netcdf(ds, self._claim(name))

    def figure(self, draw: Callable[[pathlib.Path], Any], name: str) -> pathlib.Path:
        """``draw(path)`` saves the figure to the path it is given (a temporary name)."""
        path = self._claim(name)
        with _atomic(path) as tmp:
            draw(tmp)
        return path

    def text(self, text: str, name: str | pathlib.Path) -> pathlib.Path:
        path = self._claim(name)
        with _atomic(path) as tmp:
            tmp.write_text(text)
        return path

    def summary(self) -> str:
        return ", ".join(str(p) for p in self.files)
