"""The campaign store: a zarr group laid out once for the whole grid, and a completion log.

Layout of ``STORE/``:

* the zarr (format 3) group of the grid's Dataset (:meth:`montecarlo.grid.Grid.template`),
  written once with chunks aligned to tasks: one control value, all T, one N,
  ``samples_per_task`` samples (and all patterns), so tasks never share a chunk; every
  value starts as NaN (the fill value: no chunk is written until a task writes it);
* ``STORE/.campaign/spec.json``: the format, the canonical spec and its hash;
* ``STORE/.campaign/log.jsonl``: the completion record, one JSON line per event (a run's
  start and end; a task done, with its host, device, worker and times; a task failed,
  with its traceback), appended and flushed after the task's chunks are written;
* ``STORE/.campaign/lock``: held (``flock``) by the process running the campaign.

Why it survives a crash: the store is laid out in a temporary folder and renamed into
place (it exists whole or not at all); zarr writes each chunk to a temporary file and
renames it; a task counts as finished only once its log line is written, after its chunks,
so a task killed half-way is simply run again (its result is the same, bit for bit); a
torn last log line (a kill mid-append) is ignored. A store is never overwritten: one made
by another spec, or one that cannot be read, is refused with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import functools
import json
import os
import pathlib
import platform
import shutil
import socket
import uuid
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from .chunks import ENCODING, ArrayLayout, layouts
from .spec import CampaignSpec, Task

__all__ = ["CampaignStore", "StoreError", "Records", "provenance", "now"]

FORMAT = "assoc-campaign/1"
_META = ".campaign"


class StoreError(ValueError):
    """A store that cannot be used: not a campaign store, corrupt, another spec, or busy.

    The store is left untouched.
    """


def now() -> str:
    """UTC time, ISO 8601 with milliseconds."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


def _device() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    return f"cpu: {cpu} ({os.cpu_count()} cores)"


def provenance() -> dict[str, str]:
    """Host, device and package versions of this process."""
    from importlib import metadata

    versions = {}
    for pkg in ("assoc-memory", "numpy", "scipy", "xarray", "zarr", "dask", "distributed"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[pkg] = metadata.version(pkg)
    return {"host": socket.gethostname(), "device": _device(), "pid": str(os.getpid()),
            "python": platform.python_version(), "versions": json.dumps(versions)}


@dataclass
class Records:
    """What the completion log says: finished and failed tasks, and the runs."""

    done: dict[int, dict[str, Any]] = field(default_factory=dict)
    failed: dict[int, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pending_failed(self) -> dict[int, dict[str, Any]]:
        """Failed tasks that no later attempt finished."""
        return {k: v for k, v in self.failed.items() if k not in self.done}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence zarr's note that ``.campaign`` is no zarr node (it is ours, on purpose)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Object at \S+ is not recognized as a "
                                                  r"component of a Zarr hierarchy")
        yield


def _require_zarr() -> None:
    try:
        import zarr  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError("campaign stores need zarr >= 3.1: pip install "
                                  "'assoc-memory[campaign]'") from None


class CampaignStore:
    """A campaign store on a local (or shared) file system; see the module docstring."""

    def __init__(self, path: str | os.PathLike, spec: CampaignSpec) -> None:
        self.path = pathlib.Path(path)
        self.spec = spec

    @property
    def meta(self) -> pathlib.Path:
        return self.path / _META

    # -- creating and opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, spec: CampaignSpec,
               attrs: Mapping[str, Any]) -> CampaignStore:
        """Lay out a new store atomically; if one appears meanwhile, open it instead."""
        _require_zarr()
        path = pathlib.Path(path)
        tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
        try:
            ds = spec.grid.template()
            ds = spec.grid.finalize(ds, _root(spec), **attrs)
            chunks = _chunks(spec, ds)
            encoding = {v: {"chunks": chunks[v], **ENCODING} for v in ds.data_vars}
            # zarr format 3 without consolidated metadata (not part of its spec): each
            # array's own metadata is read, so a damaged one is noticed
            _lay_out(ds, tmp, encoding)
            layouts(tmp, list(ds.data_vars))  # the chunk files are what chunks.py writes
            (tmp / _META).mkdir()
            _write_atomic(tmp / _META / "spec.json", json.dumps(
                {"format": FORMAT, "spec": spec.spec, "spec_hash": spec.spec_hash},
                indent=1, sort_keys=True))
            (tmp / _META / "log.jsonl").touch()
            try:
                tmp.rename(path)
            except OSError:
                if not path.exists():
                    raise
                # another process laid it out first: use theirs (checked like any other)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return cls.open(path, spec)

    @classmethod
    def open(cls, path: str | os.PathLike, spec: CampaignSpec | None = None) -> CampaignStore:
        """Open and check a store; with ``spec``, refuse a store made by another spec.

        Raises
        ------
        StoreError
            When ``path`` is not a campaign store, cannot be read, or holds another spec.
        """
        _require_zarr()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"store must be a path (str or os.PathLike) (got {path!r})")
        path = pathlib.Path(path)
        if not path.exists():
            raise StoreError(f"store {str(path)!r} does not exist")
        meta = path / _META / "spec.json"
        if not path.is_dir() or not meta.exists():
            raise StoreError(f"store {str(path)!r} is not a campaign store (no {_META}/spec.json); "
                             f"it was left untouched")
        try:
            info = json.loads(meta.read_text())
            assert info["format"] == FORMAT, f"format {info.get('format')!r} != {FORMAT!r}"
            stored = CampaignSpec(info["spec"])
            assert stored.spec_hash == info["spec_hash"], "the spec does not match its hash"
        except Exception as exc:
            raise _corrupt(path, exc) from None
        if spec is not None and spec.spec_hash != stored.spec_hash:
            diff = "; ".join(spec.differences(stored.spec))
            raise StoreError(f"{str(path)!r} was made by another spec ({diff}); it was left "
                             f"untouched: use another store, or the spec it was made with")
        store = cls(path, stored)
        store._check(store.records())  # a log, an array or a chunk that is off: corrupt
        return store

    @functools.cached_property
    def _layouts(self) -> dict[str, ArrayLayout]:
        """The result arrays' chunk layouts, checked against the spec's grid (once)."""
        template = self.spec.grid.template()
        expect = _chunks(self.spec, template)
        try:
            out = layouts(self.path, list(template.data_vars))
            for v, lay in out.items():
                assert lay.dims == template[v].dims, f"variable {v!r} has dims {lay.dims}"
                assert lay.shape == template[v].shape, f"variable {v!r} has shape {lay.shape}"
                assert lay.chunks == expect[v], f"variable {v!r} has chunks {lay.chunks}"
        except Exception as exc:
            raise _corrupt(self.path, exc) from None
        return out

    def _check(self, rec: Records) -> None:
        """Every array's layout, and a chunk file of the right size for each done task."""
        controls = self.spec.grid.model.controls
        regions = {t: self.spec.tasks[t].region(controls) for t in rec.done}
        try:
            for lay in self._layouts.values():
                for t, region in regions.items():
                    path, _ = lay.locate(region)
                    try:
                        size = os.stat(path).st_size
                    except FileNotFoundError:
                        size = -1
                    if size != lay.nbytes:
                        name = os.path.relpath(path, self.path)
                        raise ValueError(
                            f"chunk {name} of finished task {t} has {size} bytes, not "
                            f"{lay.nbytes}" if size >= 0 else
                            f"chunk {name} of finished task {t} is missing")
        except StoreError:
            raise
        except Exception as exc:
            raise _corrupt(self.path, exc) from None

    # -- the completion log ---------------------------------------------------------------
    def records(self) -> Records:
        """Parse the log; a torn last line (a kill mid-append) is ignored."""
        rec = Records()
        path = self.meta / "log.jsonl"
        try:
            text = path.read_text()
        except OSError as exc:
            raise StoreError(f"{str(self.path)!r} is a corrupt campaign store (its log cannot "
                             f"be read: {exc}); it was left untouched") from None
        lines = text.split("\n")
        complete = lines[:-1]  # everything before the last newline
        n_tasks = len(self.spec.tasks)
        for i, line in enumerate(complete):
            if not line:
                continue
            try:
                e = json.loads(line)
                kind = e["event"]
                if kind in ("done", "failed"):
                    t = int(e["task"])
                    assert 0 <= t < n_tasks, f"task {t} is not a task of this spec"
                    (rec.done if kind == "done" else rec.failed)[t] = e
                elif kind in ("start", "end"):
                    rec.runs.append(e)
                else:
                    raise ValueError(f"unknown event {kind!r}")
            except Exception as exc:
                raise StoreError(f"{str(self.path)!r} is a corrupt campaign store (log line "
                                 f"{i + 1}: {_reason(exc)}); it was left untouched") from None
        return rec

    def log(self, event: dict[str, Any]) -> None:
        """Append one event to the log (one write of one line, flushed)."""
        line = json.dumps(event, sort_keys=True) + "\n"
        with open(self.meta / "log.jsonl", "a") as f:
            f.write(line)

    def _drop_torn_tail(self) -> None:
        """Cut a torn last log line (never a record: see :meth:`records`) before appending."""
        path = self.meta / "log.jsonl"
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's lock for a run; another process running it is an error.

        A torn last log line left by a kill is cut once the lock is held.
        """
        fd = os.open(self.meta / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{str(self.path)!r} is being run by another process (its "
                                 f"lock is held); wait for it, or stop it first") from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{socket.gethostname()} {os.getpid()}\n".encode())
            self._drop_torn_tail()
            yield
        finally:
            os.close(fd)

    def running(self) -> bool:
        """Whether a process holds the store's lock now."""
        try:
            fd = os.open(self.meta / "lock", os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    # -- writing and reading results ------------------------------------------------------
    def writer(self) -> TaskWriter:
        return TaskWriter(self)

    def dataset(self) -> xr.Dataset:
        """The campaign's Dataset now: unfinished tasks' values NaN, ``done`` beside them.

        Attrs carry the provenance: the spec, the package versions at layout, the backend,
        the hosts and devices that ran tasks, the first start and the last end time, and the
        task counts.
        """
        rec = self.records()
        grid = self.spec.grid
        controls = grid.model.controls
        lays = self._layouts
        try:
            with _quiet(), xr.open_zarr(self.path, chunks=None, consolidated=False,
                                        zarr_format=3) as lazy:
                coords = lazy.coords.to_dataset().load()
                attrs = {v: dict(lazy[v].attrs) for v in lays}
                ds_attrs = dict(lazy.attrs)
            arrays = {v: np.full(lay.shape, np.nan) for v, lay in lays.items()}
            regions = [self.spec.tasks[t].region(controls) for t in rec.done]
            for v, lay in lays.items():  # only finished tasks: a killed one may have
                for r in regions:          # left chunks behind
                    lay.read_into(arrays[v], r)
            data = {v: xr.Variable(lay.dims, arrays[v], attrs[v]) for v, lay in lays.items()}
        except Exception as exc:
            raise _corrupt(self.path, exc) from None
        ds = xr.Dataset(data, coords=coords.coords, attrs=ds_attrs)
        done = np.zeros(tuple(ds.sizes[d] for d in (*controls, "N", "sample")), dtype=bool)
        for t in rec.done:
            region = self.spec.tasks[t].region(controls)
            done[tuple(region[d] for d in (*controls, "N", "sample"))] = True
        ds["done"] = xr.Variable((*controls, "N", "sample"), done, {
            "long_name": "sample finished (its task is recorded done)", "units": "1"})
        tasks = [rec.done[t] for t in sorted(rec.done)]
        starts = [r["time"] for r in rec.runs if r["event"] == "start"]
        ds.attrs.update(
            campaign_spec=self.spec.spec_json,
            campaign_spec_hash=self.spec.spec_hash,
            tasks_total=len(self.spec.tasks), tasks_done=len(rec.done),
            tasks_failed=len(rec.pending_failed),
            hosts=", ".join(sorted({e["host"] for e in tasks})),
            devices="; ".join(sorted({e["device"] for e in tasks})),
            started=min(starts) if starts else "",
            finished=max(e["finished"] for e in tasks) if len(rec.done) == len(
                self.spec.tasks) else "",
        )
        return ds


class TaskWriter:
    """Writes each task's results into its chunks (:mod:`.chunks`), then logs it done.

    Writes are made in the calling thread, as each result arrives: a background writer
    thread was measured to slow the engine's own threads more than it hid the file
    system's latency (``benchmarks/campaign_overhead.py``). A task is logged done only
    after its chunks, so a kill loses at most the task being written, which a resume runs
    again.
    """

    def __init__(self, store: CampaignStore) -> None:
        self.store = store
        self._controls = store.spec.grid.model.controls
        self._layouts = store._layouts

    def write(self, task: Task, results: Mapping[str, np.ndarray],
              record: Mapping[str, Any]) -> None:
        """Write ``results`` (arrays (T, sample[, pattern])), then log ``record`` as done."""
        missing = set(self._layouts) - set(results)
        if missing:
            raise ValueError(f"task {task.index} returned no {sorted(missing)}")
        region = task.region(self._controls)
        for name, lay in self._layouts.items():
            lay.write(region, results[name])
        self.store.log({"event": "done", "task": task.index, "key": task.key, **record})

    def log(self, event: Mapping[str, Any]) -> None:
        """Log an event (a failure)."""
        self.store.log(dict(event))


def _lay_out(ds: xr.Dataset, path: pathlib.Path, encoding: dict[str, Any]) -> None:
    """Write the store's metadata and coordinates; the result chunks stay unwritten (NaN).

    With dask, the data variables are lazy and nothing of them is written; without it,
    xarray writes NumPy arrays of NaN, which zarr skips chunk by chunk (slower for large
    grids, same store).
    """
    try:
        import dask.array  # noqa: F401
    except ImportError:
        ds.to_zarr(path, mode="w-", encoding=encoding, consolidated=False, zarr_format=3)
        return
    # one dask chunk per variable (a multiple of its zarr chunks): the graph stays tiny
    lazy = ds.copy()
    for v in ds.data_vars:
        lazy[v] = ds[v].chunk(-1)
    lazy.to_zarr(path, mode="w-", encoding=encoding, consolidated=False, zarr_format=3,
                 compute=False)


def _chunks(spec: CampaignSpec, ds: xr.Dataset) -> dict[str, tuple[int, ...]]:
    """Chunks aligned to tasks: 1 along controls and N, samples_per_task along sample."""
    one = {**{c: 1 for c in spec.grid.model.controls}, "N": 1,
           "sample": spec.samples_per_task}
    return {v: tuple(one.get(d, ds.sizes[d]) for d in ds[v].dims) for v in ds.data_vars}


def _root(spec: CampaignSpec) -> np.random.SeedSequence:
    from assoc.seeding import normalize_seed

    return normalize_seed(spec.seed)


def _write_atomic(path: pathlib.Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def _corrupt(path: pathlib.Path, exc: BaseException) -> StoreError:
    return StoreError(f"{str(path)!r} is a corrupt campaign store ({_reason(exc)}); it was "
                      f"left untouched")


def _reason(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
