"""``montecarlo.Campaign``: a validated spec that runs into a zarr store and reports on it."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any

import xarray as xr

from .execute import run_campaign
from .spec import CampaignSpec
from .store import CampaignStore

__all__ = ["Campaign", "open_campaign", "campaign_status", "CampaignStatus"]


class Campaign(CampaignSpec):
    """A Monte Carlo campaign: a grid over the model's controls, N and T times samples.

    Build it from a dict (``Campaign(spec)``) or a TOML file (``Campaign.from_toml(path)``);
    the spec is validated in full before anything runs (:mod:`montecarlo.campaign.spec`).

    Examples
    --------
    >>> spec = {"model": {"name": "hopfield"}, "alpha": [0.05], "N": [50, 100],
    ...         "T": [0.2], "samples": 4, "samples_per_task": 2, "sweeps": 10, "seed": 1}
    >>> c = Campaign(spec)
    >>> len(c.tasks), c.tasks[0].key
    (4, 'alpha=0.05 N=50 samples=0-1')
    """

    def run(self, store: str | os.PathLike, **kwargs: Any) -> xr.Dataset:
        """Run the unfinished tasks into ``store``; see :func:`~.execute.run_campaign`."""
        return run_campaign(self, store, **kwargs)


def open_campaign(store: str | os.PathLike) -> xr.Dataset:
    """The Dataset of a campaign store, finished or not (missing points NaN, ``done`` mask).

    Dimensions are those of :func:`montecarlo.simulate` for the same grid, with the same
    values for every finished task; :func:`assoc.compare.extrapolate_in_N` and
    :func:`assoc.compare.compare` take it directly.
    """
    return CampaignStore.open(store).dataset()


@dataclass(frozen=True)
class CampaignStatus:
    """Where a campaign stands: task counts, failures, and an ETA while it runs."""

    store: str
    total: int
    done: int
    failed: dict[int, dict[str, Any]]
    running: bool
    eta_seconds: float | None

    @property
    def pending(self) -> int:
        return self.total - self.done - len(self.failed)

    def report(self, tracebacks: bool = False) -> str:
        """The status in words (what ``assoc campaign status`` prints)."""
        lines = [f"{self.store}: {self.done} done, {len(self.failed)} failed, "
                 f"{self.pending} pending of {self.total} tasks"]
        if self.running:
            eta = ("unknown (no task finished in this run yet)" if self.eta_seconds is None
                   else str(_dt.timedelta(seconds=round(self.eta_seconds))))
            lines.append(f"running now; ETA {eta}")
        else:
            lines.append("complete" if self.done == self.total else "not running")
        for t, e in sorted(self.failed.items()):
            lines.append(f"failed task {t} ({e['key']}) after {e['attempts']} attempt(s) on "
                         f"{e['host']}: {e['error']}")
            if tracebacks:
                lines.extend("    " + ln for ln in e["traceback"].rstrip().splitlines())
        return "\n".join(lines)


def campaign_status(store: str | os.PathLike) -> CampaignStatus:
    """Task counts and failures of ``store``; the ETA is the current run's rate so far."""
    st = CampaignStore.open(store)
    rec = st.records()
    running = st.running()
    eta = None
    starts = [r for r in rec.runs if r["event"] == "start"]
    failed = rec.pending_failed
    left = len(st.spec.tasks) - len(rec.done) - len(failed)
    if running and starts:
        t0 = _dt.datetime.fromisoformat(starts[-1]["time"])
        n = sum(1 for e in rec.done.values() if _dt.datetime.fromisoformat(e["finished"]) >= t0)
        elapsed = (_dt.datetime.now(_dt.UTC) - t0).total_seconds()
        if n:
            eta = left * elapsed / n
    return CampaignStatus(os.fspath(store), len(st.spec.tasks), len(rec.done), failed,
                          running, eta)
