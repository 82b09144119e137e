"""The campaign spec: validated in full, canonical, expanded into tasks.

A spec is a mapping (a Python dict, or a TOML file) whose keys follow
:func:`montecarlo.simulate`::

    model = {name = "dense", P = 3}      # hopfield | dense (P) | multitasking (K)
                                         # | examples (K, protocol)
    N = [45, 60, 80]
    T = [0.1, 0.2]
    alpha = [0.05]                       # the model's controls: alpha; d; d, r, M
    samples = 16
    samples_per_task = 4                 # optional, default samples (one task per point)
    sweeps = 200
    burn_in = 50                         # optional, default sweeps // 2
    seed = 1                             # required: a campaign must be repeatable
    backend = "numpy"                    # optional
    dynamics = {name = "glauber", order = "sequential"}   # optional; or "metropolis"
    replicas = 2                         # optional, default the model's
    start = "pattern"                    # optional, default the model's

Grid values are scalars or lists. The spec expands into tasks, one per (grid point, block
of ``samples_per_task`` samples); a grid point is a value of the controls and a size N, with
all its temperatures. A task's result depends only on the spec and the task (the seeds are
keyed by the point and the sample index, :mod:`montecarlo.point`), never on scheduling,
worker or order.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assoc.models import model_from_spec
from assoc.validation import check_choice, check_int

from ..dynamics import ORDERS, Glauber, Metropolis, UpdateRule
from ..grid import Grid, Point

__all__ = ["CampaignSpec", "Task", "SpecError", "FIELDS"]

#: Fields of a spec besides the model's controls.
FIELDS = ("model", "N", "T", "samples", "samples_per_task", "sweeps", "burn_in", "seed",
          "backend", "dynamics", "replicas", "start")
_REQUIRED = ("model", "N", "T", "samples", "sweeps", "seed")
_RULES: dict[str, type[UpdateRule]] = {"glauber": Glauber, "metropolis": Metropolis}


class SpecError(ValueError):
    """An invalid campaign spec; the message names the field and its valid range."""


@dataclass(frozen=True)
class Task:
    """One unit of work: a grid point and a block of consecutive samples."""

    index: int
    point: Point
    samples: range

    @property
    def key(self) -> str:
        """``'alpha=0.05 N=1000 samples=0-3'``: the task in words (stable, unique)."""
        c = " ".join(f"{k}={v}" for k, v in self.point.controls.items())
        return f"{c} N={self.point.N} samples={self.samples.start}-{self.samples.stop - 1}"

    def region(self, controls: tuple[str, ...]) -> dict[str, int | slice]:
        """The task's positional region of the grid's Dataset (all of T and pattern)."""
        return {**dict(zip(controls, self.point.index[:-1], strict=True)),
                "N": self.point.index[-1], "sample": slice(self.samples.start,
                                                           self.samples.stop)}


def _dynamics(value: Any) -> UpdateRule:
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, Mapping) or "name" not in value:
        raise SpecError(f"dynamics must be 'glauber', 'metropolis' or a table {{name = ..., "
                        f"order = ...}} (got {value!r})")
    unknown = sorted(set(value) - {"name", "order"})
    if unknown:
        raise SpecError(f"dynamics.{unknown[0]} is not a field of dynamics (name, order)")
    try:
        name = check_choice("dynamics.name", value["name"], tuple(_RULES))
        order = check_choice("dynamics.order", value.get("order", "sequential"), ORDERS)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    return _RULES[name](order)


class CampaignSpec:
    """A validated campaign spec (see the module docstring) and its tasks.

    Parameters
    ----------
    spec : mapping
        The spec; validated in full here, before any task can run.

    Raises
    ------
    SpecError
        Naming the field and its valid range: an unknown or missing field, or an invalid
        value (the checks of :func:`montecarlo.simulate`). Whether a task fits in memory
        depends on the machine that runs it: :meth:`check_memory`.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        if not isinstance(spec, Mapping):
            raise SpecError(f"a campaign spec must be a mapping (got {type(spec).__name__})")
        spec = dict(spec)
        try:
            model = model_from_spec(spec.get("model"))  # type: ignore[arg-type]
        except ValueError as exc:
            raise SpecError(str(exc)) from None
        allowed = FIELDS + model.controls
        unknown = sorted(set(spec) - set(allowed))
        if unknown:
            raise SpecError(f"unknown field {unknown[0]!r}: a spec for model "
                            f"{model.spec_name!r} takes {', '.join(allowed)}")
        missing = [k for k in _REQUIRED + model.controls if k not in spec]
        if missing:
            extra = (" (a campaign needs a fixed seed to be resumed and repeated)"
                     if "seed" in missing else "")
            raise SpecError(f"missing field {', '.join(map(repr, missing))}{extra}")
        seed = spec["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SpecError(f"seed must be an integer >= 0 (got {seed!r})")
        try:
            rule = _dynamics(spec.get("dynamics", "glauber"))
            grid = Grid.build(model, N=spec["N"], T=spec["T"], samples=spec["samples"],
                              sweeps=spec["sweeps"], burn_in=spec.get("burn_in"),
                              dynamics=rule, replicas=spec.get("replicas"),
                              start=spec.get("start"), backend=spec.get("backend", "numpy"),
                              controls={c: spec[c] for c in model.controls},
                              require_device=False)
            per_task = spec.get("samples_per_task", grid.samples)
            per_task = check_int("samples_per_task", per_task, low=1, high=grid.samples)
        except SpecError:
            raise
        except ValueError as exc:
            raise SpecError(str(exc)) from None
        self.grid = grid
        self.samples_per_task = per_task
        self.seed = seed
        s = grid.sampler
        self.spec: dict[str, Any] = {
            "model": model.spec(), "N": list(grid.N), "T": list(s.T),
            **{c: list(v) for c, v in grid.controls.items()},
            "samples": grid.samples, "samples_per_task": per_task, "sweeps": s.sweeps,
            "burn_in": s.burn_in, "seed": seed, "backend": spec.get("backend", "numpy"),
            "dynamics": {"name": s.rule.name, "order": s.rule.order},
            "replicas": s.replicas, "start": s.start,
        }

    @classmethod
    def from_toml(cls, path: str | pathlib.Path):
        """Read and validate a TOML spec."""
        path = pathlib.Path(path)
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise SpecError(f"spec file {str(path)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"spec file {str(path)!r} is not valid TOML: {exc}") from None
        return cls(data)

    @classmethod
    def from_json(cls, text: str):
        """The spec of :attr:`spec_json`."""
        return cls(json.loads(text))

    @property
    def model(self):
        return self.grid.model

    def check_memory(self) -> None:
        """Refuse, naming ``N`` or ``samples_per_task``, when a task cannot fit in this
        machine's memory (:class:`assoc.errors.InsufficientMemoryError`)."""
        self.grid.check_memory(self.samples_per_task, "samples_per_task")

    @cached_property
    def spec_json(self) -> str:
        """The canonical spec as JSON (sorted keys): what a store records and compares."""
        return json.dumps(self.spec, sort_keys=True)

    @cached_property
    def spec_hash(self) -> str:
        """SHA-256 of :attr:`spec_json`."""
        return hashlib.sha256(self.spec_json.encode()).hexdigest()

    @cached_property
    def tasks(self) -> tuple[Task, ...]:
        """Every task, in grid order (points in C order, then sample blocks)."""
        out: list[Task] = []
        n, b = self.grid.samples, self.samples_per_task
        for p in self.grid.points():
            for a in range(0, n, b):
                out.append(Task(len(out), p, range(a, min(a + b, n))))
        return tuple(out)

    def differences(self, other: Mapping[str, Any]) -> list[str]:
        """Fields whose canonical values differ from ``other`` (a canonical spec)."""
        keys = sorted(set(self.spec) | set(other))
        return [f"{k}: {other.get(k)!r} in the store, {self.spec.get(k)!r} here"
                for k in keys if self.spec.get(k) != other.get(k)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"
