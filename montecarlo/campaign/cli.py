"""The ``assoc`` command line: ``assoc campaign run | status | export``.

::

    assoc campaign run spec.toml [--store STORE] [--resume] [--scheduler ADDRESS | --workers N]
    assoc campaign status STORE [--tracebacks]
    assoc campaign export STORE out.nc

``run`` lays out ``STORE`` (default: the spec's path with ``.zarr``) and runs every task;
an existing store is continued only with ``--resume`` (finished tasks are skipped). Ctrl-C
stops it; every finished task is kept. Exit codes: 0 done, 1 some tasks failed (the others
are stored), 2 a bad spec, store or argument, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

from .campaign import Campaign, campaign_status, open_campaign
from .execute import CampaignFailed
from .spec import SpecError
from .store import StoreError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="assoc", description="assoc-memory command line")
    top = ap.add_subparsers(dest="group", required=True)
    camp = top.add_parser("campaign", help="Monte Carlo campaigns persisted in zarr")
    sub = camp.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run (or resume) a campaign from a TOML spec")
    run.add_argument("spec", type=pathlib.Path, help="the campaign spec (TOML)")
    run.add_argument("--store", type=pathlib.Path,
                     help="zarr store (default: the spec's path with .zarr)")
    run.add_argument("--resume", action="store_true",
                     help="continue an existing store made by the same spec")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler to run on")
    where.add_argument("--workers", type=int, metavar="N",
                       help="run on a local dask cluster of N worker processes")
    run.add_argument("--retries", type=int, default=2, help="retries of a failing task (2)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    status = sub.add_parser("status", help="done / failed / pending tasks, errors and ETA")
    status.add_argument("store", type=pathlib.Path)
    status.add_argument("--tracebacks", action="store_true", help="print failed tasks' "
                                                                  "tracebacks")
    export = sub.add_parser("export", help="write the campaign's Dataset to netCDF")
    export.add_argument("store", type=pathlib.Path)
    export.add_argument("out", type=pathlib.Path, help="netCDF file to write")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``assoc`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "status":
            print(campaign_status(args.store).report(tracebacks=args.tracebacks))
            return 0
        return _export(args)
    except (SpecError, StoreError, ValueError, ImportError) as exc:
        print(f"assoc campaign {args.command}: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    campaign = Campaign.from_toml(args.spec)
    store = args.store or args.spec.with_suffix(".zarr")
    try:
        campaign.run(store, resume=args.resume, scheduler=args.scheduler, workers=args.workers,
                     retries=args.retries, progress=not args.no_progress)
    except CampaignFailed as exc:
        print(f"assoc campaign run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        st = campaign_status(store)
        print(f"\ninterrupted: {st.done} of {st.total} tasks are stored in {store}; resume "
              f"with: assoc campaign run {args.spec} --resume", file=sys.stderr)
        return 130
    print(campaign_status(store).report())
    return 0


def _export(args: argparse.Namespace) -> int:
    ds = open_campaign(args.store)
    out: pathlib.Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        ds.to_netcdf(tmp)
        tmp.replace(out)  # atomic: no half-written file is ever left at ``out``
    finally:
        tmp.unlink(missing_ok=True)
    print(f"wrote {out} ({ds.attrs['tasks_done']} of {ds.attrs['tasks_total']} tasks done)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
