"""Running a campaign: in-process by default, or on a dask.distributed cluster.

Workers only compute (:func:`compute_task`: the spec and a task index in, arrays out); the
process that runs the campaign writes every result into the store as soon as it arrives and
logs the task done (:class:`~montecarlo.campaign.store.TaskWriter`). So a worker killed
mid-campaign loses nothing (dask runs its task again elsewhere), a store needs no file
system shared with the workers, and one writer never races another.

A task that raises is retried (``retries`` times), then recorded as failed with its
traceback; the others go on. :class:`CampaignFailed` is raised at the end when any failed.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr

from assoc.backend import resolve_backend
from assoc.seeding import normalize_seed
from assoc.validation import check_int

from .spec import CampaignSpec, Task
from .store import CampaignStore, StoreError, now, provenance

__all__ = ["run_campaign", "compute_task", "CampaignFailed", "TaskResult"]


class CampaignFailed(RuntimeError):
    """Some tasks failed after their retries; every other task's result is in the store.

    Attributes
    ----------
    failures : dict
        Task index -> its log record (key, error, traceback).
    """

    def __init__(self, message: str, failures: Mapping[int, Mapping[str, Any]]) -> None:
        super().__init__(message)
        self.failures = dict(failures)


@dataclass
class TaskResult:
    """What a worker sends back: the arrays and where and when they were computed."""

    index: int
    arrays: dict[str, np.ndarray]
    record: dict[str, Any]


@lru_cache(maxsize=8)
def _spec(spec_json: str) -> CampaignSpec:
    return CampaignSpec.from_json(spec_json)


@lru_cache(maxsize=1)
def _where() -> dict[str, str]:
    p = provenance()
    return {"host": p["host"], "device": p["device"]}


def compute_task(spec_json: str, index: int, attempt: int | None = None) -> TaskResult:
    """Run task ``index`` of the spec ``spec_json`` (what a worker executes).

    The task's memory is checked on the machine that runs it, before anything is allocated.
    ``attempt`` is recorded (in-process runs count them; dask retries them itself).
    """
    spec = _spec(spec_json)
    task = spec.tasks[index]
    spec.grid.check_memory(len(task.samples), "samples_per_task", [task.point])
    worker = ""
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        pass
    started, t0 = now(), time.perf_counter()
    # a dask worker is one of one per core: its engine runs on one thread; in-process, all
    arrays = spec.grid.run(normalize_seed(spec.seed), task.point, task.samples,
                           threads=1 if worker else None)
    seconds = time.perf_counter() - t0
    return TaskResult(index, arrays, {
        **_where(), "worker": worker, "pid": os.getpid(), "started": started,
        "finished": now(), "seconds": round(seconds, 6), "attempts": attempt})


def _failure(task: Task, exc: BaseException, tb: str, attempts: int) -> dict[str, Any]:
    return {"event": "failed", "task": task.index, "key": task.key,
            "error": f"{type(exc).__name__}: {exc}", "traceback": tb, "attempts": attempts,
            "time": now(), **_where()}


def run_campaign(spec: CampaignSpec, store: str | os.PathLike, *, client: Any = None,
                 scheduler: str | None = None, workers: int | None = None,
                 resume: bool = True, retries: int = 2, progress: bool = True,
                 resources: Mapping[str, float] | None = None) -> xr.Dataset:
    """Run every unfinished task of ``spec`` into ``store``; the Dataset when all are done.

    Parameters
    ----------
    spec : the validated campaign.
    store : path of the zarr store (laid out on the first run).
    client : a ``distributed.Client`` to run on (not closed here).
    scheduler : address of a dask scheduler (``'tcp://host:8786'``) to connect to.
    workers : start a ``LocalCluster`` of this many single-threaded workers.
    resume : continue a store made by the same spec (default); ``False`` refuses an
        existing store.
    retries : attempts after the first for a task that raises.
    progress : show a tqdm bar with an ETA (and the dashboard link on dask).
    resources : dask worker resources each task needs; default ``{'GPU': 1}`` for
        ``backend = 'cupy'`` (tasks then land only on workers that declare ``GPU=1``).

    Raises
    ------
    StoreError
        When the store is not a campaign store, is corrupt, was made by another spec, is
        being run by another process, or exists while ``resume`` is False.
    InsufficientMemoryError
        In-process, before anything is written, when a task cannot fit in memory (on a
        cluster each worker checks its own tasks, which then fail like any other error).
    CampaignFailed
        After every other task has finished, when some tasks failed.
    """
    local = client is None and scheduler is None and workers is None
    if sum(x is not None for x in (client, scheduler, workers)) > 1:
        raise ValueError("give at most one of client, scheduler and workers")
    if workers is not None:
        check_int("workers", workers, low=1)
    check_int("retries", retries, low=0)
    if local:  # in-process: this machine runs every task
        if spec.spec["backend"] == "cupy":
            resolve_backend("cupy")  # the clear error without CuPy or a device
        spec.check_memory()
    path = os.fspath(store)
    if os.path.exists(path):
        st = CampaignStore.open(path, spec)
        if not resume:
            rec = st.records()
            raise StoreError(f"{path!r} exists ({len(rec.done)} of {len(spec.tasks)} tasks "
                             f"done); resume it (resume=True, or --resume), or choose "
                             f"another store")
    else:
        st = CampaignStore.create(path, spec, {
            "campaign_created": now(),
            **{f"created_{k}": v for k, v in provenance().items() if k != "pid"}})
    if resources is None and spec.spec["backend"] == "cupy":
        resources = {"GPU": 1}
    with st.lock():
        rec = st.records()
        pending = [t for t in spec.tasks if t.index not in rec.done]
        mode = "in-process" if local else "dask"
        st.log({"event": "start", "time": now(), "mode": mode, "pending": len(pending),
                **provenance()})
        bar = _bar(len(spec.tasks), len(rec.done), progress)
        outcome = "interrupted"
        try:
            if mode == "in-process":
                _run_local(spec, st, pending, retries, bar)
            else:
                _run_dask(spec, st, pending, retries, bar, client, scheduler, workers,
                          resources, progress)
            outcome = "finished"
        finally:
            bar.close()
            st.log({"event": "end", "time": now(), "outcome": outcome})
    failed = st.records().pending_failed
    if failed:
        lines = "\n".join(f"  task {t} ({e['key']}): {e['error']}" for t, e in failed.items())
        raise CampaignFailed(f"{len(failed)} of {len(spec.tasks)} tasks failed (the others are "
                             f"in {path!r}; `assoc campaign status {path}` shows the "
                             f"tracebacks):\n{lines}", failed)
    return st.dataset()


def _bar(total: int, initial: int, enabled: bool) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        enabled = False
    if not enabled:
        return _NoBar()
    return tqdm(total=total, initial=initial, unit="task", desc="campaign", smoothing=0.05,
                file=sys.stderr)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


#: Environment variable: seconds an in-process run waits after each task (0 by default), so
#: that an interruption can be demonstrated, or tested, at a known moment whatever the load.
PAUSE_ENV = "ASSOC_CAMPAIGN_PAUSE"


def _pause() -> float:
    try:
        return max(float(os.environ.get(PAUSE_ENV, "0")), 0.0)
    except ValueError:
        raise ValueError(f"{PAUSE_ENV} must be a number of seconds (got "
                         f"{os.environ[PAUSE_ENV]!r})") from None


def _run_local(spec: CampaignSpec, st: CampaignStore, pending: Iterable[Task], retries: int,
               bar: Any) -> None:
    writer = st.writer()
    pause = _pause()
    for task in pending:
        for attempt in range(1, retries + 2):
            try:
                res = compute_task(spec.spec_json, task.index, attempt)
            except Exception as exc:  # a task's failure is recorded; the others go on
                if attempt <= retries:
                    continue
                writer.log(_failure(task, exc, traceback.format_exc(), attempt))
            else:
                writer.write(task, res.arrays, res.record)
            break
        bar.update(1)
        if pause:
            time.sleep(pause)


def _run_dask(spec: CampaignSpec, st: CampaignStore, pending: list[Task], retries: int,
              bar: Any, client: Any, scheduler: str | None, workers: int | None,
              resources: Mapping[str, float] | None, progress: bool) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError("running on a cluster needs dask.distributed "
                         "(pip install 'assoc-memory[distributed]')") from None
    owned: list[Any] = []
    if client is None:
        if scheduler is not None:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            owned.append(cluster)
            client = Client(cluster)
        owned.insert(0, client)
    try:
        if progress:
            print(f"dask dashboard: {client.dashboard_link}", file=sys.stderr)
        tag = f"assoc-{spec.spec_hash[:12]}-{uuid.uuid4().hex[:8]}"  # this run's task keys
        futures = {client.submit(compute_task, spec.spec_json, t.index, key=f"{tag}-{t.index}",
                                 retries=retries, pure=False,
                                 resources=dict(resources) if resources else None): t
                   for t in pending}
        writer = st.writer()
        try:
            for fut in as_completed(futures):  # each result is written as it arrives
                task = futures[fut]
                if fut.status == "error":
                    exc = fut.exception()
                    tb = "".join(traceback.format_tb(fut.traceback())) + f"{exc!r}\n"
                    writer.log(_failure(task, exc, tb, retries + 1))
                else:
                    try:
                        res = fut.result()
                    except Exception as exc:  # e.g. the task was lost with all its workers
                        writer.log(_failure(task, exc, traceback.format_exc(), retries + 1))
                    else:
                        writer.write(task, res.arrays, res.record)
                fut.release()
                bar.update(1)
        finally:
            client.cancel(list(futures))
    finally:
        for obj in owned:
            try:
                obj.close()
            except Exception:  # closing a cluster that lost its workers is best effort
                pass
