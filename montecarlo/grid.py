"""A validated Monte Carlo grid: model x controls x T x N x samples, and its Dataset layout.

:class:`Grid` is what :func:`montecarlo.simulate` and :class:`montecarlo.Campaign` share:
every argument checked once (each error names its parameter and range), the points of the
grid, the memory check, the empty Dataset the results fill (dimensions: the model's
controls, then ``T``, ``N``, ``sample`` and, for multitasking networks, ``pattern``) and
the attrs that :func:`assoc.dataset.finalize` attaches.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from assoc.backend import BACKENDS, has_cupy, resolve_backend
from assoc.dataset import finalize
from assoc.models import DenseExampleHebbian, Model, MultitaskingHebbian, grid_values
from assoc.seeding import seed_entropy
from assoc.validation import check_choice, check_int, check_real

from .dynamics import Glauber, UpdateRule
from .memory import check_memory
from .point import ENGINES, Sampler, family, observables, point_memory, run_point

__all__ = ["Grid", "Point", "select_engine"]

_NOTICED: list[bool] = []  # the backend='auto' notice, once per process


def select_engine(backend: str, engine: str, *, require_device: bool = True) -> tuple[str, str]:
    """``(engine, backend)`` that run a call asking for ``backend`` and ``engine``.

    ``backend='cupy'`` or ``engine='cuda'``: the CUDA engine (with ``require_device``, an
    error names what is missing without CuPy or a device; a campaign client leaves that
    check to the workers that run its tasks). ``backend='auto'``: the CUDA engine where a device
    is present, otherwise the CPU engine with a one-line notice on stderr (once per
    process). Otherwise ``engine`` ('auto': the compiled engine) on host arrays.
    """
    if backend == "cupy" or engine == "cuda":
        if engine not in ("auto", "cuda"):
            raise ValueError(f"engine must be 'auto' or 'cuda' with backend='cupy' (got "
                             f"{engine!r})")
        if require_device:
            resolve_backend("cupy")
        return "cuda", "cupy"
    if backend == "auto" and engine == "auto":
        if has_cupy():
            return "cuda", "cupy"
        if not _NOTICED:
            _NOTICED.append(True)
            print("montecarlo: backend='auto' found no CUDA device with CuPy; running the "
                  "compiled CPU engine", file=sys.stderr)
    return ("compiled" if engine == "auto" else engine), "numpy"


@dataclass(frozen=True)
class Point:
    """One grid point: indices into the grid, control values and size."""

    index: tuple[int, ...]  # (control indices..., N index)
    controls: dict[str, Any]
    N: int


@dataclass(frozen=True)
class Grid:
    """A validated grid; build it with :meth:`Grid.build`."""

    model: Model
    controls: dict[str, list[Any]]
    N: tuple[int, ...]
    sampler: Sampler
    samples: int
    backend: str

    @classmethod
    def build(cls, model: Model, *, N: Any, T: Any, samples: Any, sweeps: Any,
              burn_in: Any = None, dynamics: UpdateRule | None = None, replicas: Any = None,
              start: str | None = None, backend: str = "numpy", engine: str = "auto",
              controls: Mapping[str, Any], require_device: bool = True) -> Grid:
        """Check every argument (as :func:`montecarlo.simulate` documents them).

        ``require_device=False`` accepts ``backend='cupy'`` on a machine without a device
        (a campaign's client: its workers check when they run a task).
        """
        if not isinstance(model, Model) or not model.controls:
            raise ValueError(f"model must be one of assoc.models Hopfield, DenseHebbian, "
                             f"MultitaskingHebbian, ExampleHebbian, DenseExampleHebbian "
                             f"(got {model!r})")
        dynamics = Glauber() if dynamics is None else dynamics
        if not isinstance(dynamics, UpdateRule):
            raise ValueError(f"dynamics must be a Glauber or Metropolis rule (got {dynamics!r})")
        ctrl = model.check_controls(controls)
        Ns = tuple(model.check_size(n) for n in grid_values("N", N))
        Ts = tuple(check_real("T", grid_values("T", T), low=0.0).tolist())
        samples = check_int("samples", samples, low=1)
        sweeps = check_int("sweeps", sweeps, low=1)
        burn_in = sweeps // 2 if burn_in is None else check_int("burn_in", burn_in, low=0)
        replicas = (model.default_replicas if replicas is None
                    else check_int("replicas", replicas, low=1))
        start = model.check_start(start)
        check_choice("backend", backend, BACKENDS)
        check_choice("engine", engine, ("auto", *ENGINES))
        if isinstance(model, DenseExampleHebbian) and any(model.odd_powers(M) > 1
                                                          for M in ctrl["M"]):
            # summed examples are not +-1 patterns: only the NumPy engine sums their powers
            if engine not in ("auto", "numpy") or backend == "cupy":
                raise ValueError(f"engine must be 'numpy' (or 'auto') for {model!r} with M > 1"
                                 f" (got engine={engine!r}, backend={backend!r}): its summed "
                                 "examples are not +-1 patterns")
            engine, backend = "numpy", "numpy"
        engine, backend = select_engine(backend, engine, require_device=require_device)
        grid = cls(model, ctrl, Ns, Sampler(dynamics, Ts, sweeps, burn_in, replicas, start,
                                                  engine),
                   samples, backend)
        for p in grid.points():
            K = grid.n_patterns(p)
            if K < 1:
                c = ", ".join(f"{k}={v}" for k, v in p.controls.items())
                raise ValueError(f"alpha must give at least one pattern: K = {K} at {c}, "
                                 f"N={p.N}")
        return grid

    # -- points -------------------------------------------------------------------------
    @property
    def dims(self) -> tuple[str, ...]:
        """Dimensions of the per-sample results (without ``pattern``)."""
        return (*self.model.controls, "T", "N", "sample")

    @property
    def shape(self) -> tuple[int, ...]:
        return (*(len(v) for v in self.controls.values()), len(self.sampler.T), len(self.N),
                self.samples)

    def points(self) -> Iterator[Point]:
        """Every (controls, N) point, in C order of the grid (the last control fastest)."""
        names = list(self.controls)
        for idx in itertools.product(*(range(len(v)) for v in self.controls.values()),
                                     range(len(self.N))):
            c = {k: self.controls[k][i] for k, i in zip(names, idx[:-1], strict=True)}
            yield Point(idx, c, self.N[idx[-1]])

    def n_patterns(self, p: Point) -> int:
        """Patterns K at point ``p``."""
        return family(self.model).n_patterns(self.model, p.controls, p.N)

    def describe(self, p: Point) -> str:
        """``'N = 1000 (alpha = 0.05, K = 50)'``."""
        c = ", ".join(f"{k} = {v}" for k, v in p.controls.items())
        return f"N = {p.N} ({c}, K = {self.n_patterns(p)})"

    def check_memory(self, n_samples: int, samples_name: str = "samples",
                     points: Iterable[Point] | None = None) -> None:
        """Refuse when a point (of ``points``, default all) of ``n_samples`` samples cannot
        fit in this machine's memory (:mod:`montecarlo.memory`)."""
        for p in self.points() if points is None else points:
            check_memory(point_memory(self.model, self.sampler, p.controls, p.N, n_samples),
                         point_memory(self.model, self.sampler, p.controls, p.N, 1),
                         what=self.describe(p), samples=n_samples, samples_name=samples_name)

    def run(self, root: np.random.SeedSequence, p: Point, samples: Sequence[int],
            threads: int | None = None) -> dict[str, np.ndarray]:
        """Results of ``samples`` at point ``p``: arrays (T, sample[, pattern]).

        ``threads`` caps the compiled engine's threads (default all cores)."""
        return run_point(self.model, self.sampler, root, p.controls, p.N, samples, threads)

    # -- Dataset ------------------------------------------------------------------------
    def template(self) -> xr.Dataset:
        """The result Dataset of the whole grid, every value NaN, with coordinates and attrs."""
        model, dims = self.model, self.dims
        multitask = isinstance(model, MultitaskingHebbian)
        K = model.n_patterns() if multitask else None
        data: dict[str, Any] = {}
        for o in observables(model, self.sampler.replicas):
            vdims = dims + (("pattern",) if o.per_pattern else ())
            shape = self.shape + ((K,) if o.per_pattern else ())
            for name, ln, units in (
                    (o.name, f"time-averaged {o.label}", "1"),
                    (f"{o.name}_err", f"standard error of the time average of {o.label}", "1"),
                    (f"tau_int_{o.name}", f"integrated autocorrelation time of {o.label}",
                     "sweeps")):
                data[name] = xr.Variable(vdims, np.full(shape, np.nan),
                                         {"long_name": ln, "units": units})
            if o.name == "m" and not multitask:
                data["m_min"] = xr.Variable(dims, np.full(self.shape, np.nan), {
                    "long_name": "smallest overlap with pattern 0 over measurement sweeps and "
                                 "replicas", "units": "1",
                    "comment": "select samples that stayed in the retrieval basin with m_min "
                               "> threshold"})
        Ts = np.asarray(self.sampler.T, dtype=np.float64)
        with np.errstate(divide="ignore"):
            beta = np.where(Ts > 0, 1.0 / np.maximum(Ts, 1e-300), np.inf)
        coords: dict[str, Any] = {
            k: np.asarray(v, dtype=np.int64 if k == "M" else np.float64)
            for k, v in self.controls.items()}
        coords.update(T=Ts, N=np.asarray(self.N, dtype=np.int64),
                      sample=np.arange(self.samples), beta=("T", beta))
        if multitask:
            coords.update(pattern=np.arange(1, K + 1), K=K)
        else:
            Ks = np.zeros((len(self.controls["alpha"]), len(self.N)), dtype=np.int64)
            for p in self.points():
                Ks[p.index[0], p.index[-1]] = self.n_patterns(p)  # K: alpha and N only
            coords["K"] = (("alpha", "N"), Ks)
        ds = xr.Dataset(data, coords=coords)
        if multitask:
            ds["pattern"].attrs.update(long_name="archetype index mu", units="1")
        return ds

    def finalize(self, ds: xr.Dataset, root: np.random.SeedSequence, **attrs: Any) -> xr.Dataset:
        """Attach the conventions and the run's attrs (:func:`assoc.dataset.finalize`)."""
        model, rule, s = self.model, self.sampler.rule, self.sampler
        multitask = isinstance(model, MultitaskingHebbian)
        refs = ["Agliari2012", "Agliari2023"] if multitask else []
        refs += ["Glauber1963" if rule.name == "glauber" else "Metropolis1953", "Salmon2011",
                 "Sokal1997"]
        if s.engine == "compiled":
            engine = ("compiled (numba kernels: integer fields, threshold tables, Philox "
                      "regenerated; flip for flip the NumPy engine)")
        elif s.engine in ("cuda", "cuda-host"):
            where = "on the GPU" if s.engine == "cuda" else "built for the CPU"
            engine = (f"{s.engine} (CUDA kernels {where}: one thread per chain, integer "
                      f"fields, threshold tables, Philox regenerated; flip for flip the NumPy "
                      f"engine)")
        elif model.P == 2:
            engine = "numpy (blocked delayed updates, exact integer overlaps)"
        else:
            engine = "numpy (direct, exact integer energy differences)"
        return finalize(
            ds, kind="montecarlo", model=model.name, normalisation=model.normalisation,
            references=refs,
            sampler=f"{type(rule).__name__}(order={rule.order!r}) single-spin flips",
            engine=engine, P=None if multitask else model.P,
            protocol=getattr(model, "protocol", None),
            model_spec=json.dumps(model.spec()), seed=seed_entropy(root), sweeps=s.sweeps,
            burn_in=s.burn_in, replicas=s.replicas, start=s.start, backend=self.backend,
            **attrs)
