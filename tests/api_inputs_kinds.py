"""Parameter kinds of the generated bad-input test (``tests/test_public_api_inputs.py``).

A kind describes the valid values of one parameter of a public callable and draws invalid
ones with hypothesis (``outside()``): out of range, NaN, infinities, wrong types, empty and
wrongly shaped grids, unknown choices.  An :class:`Entry` is one callable's row of the table:
a cheap valid call and the kind of each parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

NOT_A_NUMBER = ["x", b"1", object(), {"a": 1}]


@dataclass(frozen=True)
class Real:
    """Reals in ``[low, high]`` (open ends where said), a scalar or an array of any shape
    (elementwise functions); an empty array is refused."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    allow_inf: bool = False

    def outside(self) -> st.SearchStrategy:
        parts = [st.just(math.nan), st.sampled_from(NOT_A_NUMBER), st.just(None), st.just([])]
        if not self.allow_inf:
            parts.append(st.sampled_from([math.inf, -math.inf]))
        if self.low is not None:
            parts.append(st.floats(max_value=self.low, exclude_max=not self.low_open,
                                   allow_nan=False, allow_infinity=False))
        if self.high is not None:
            parts.append(st.floats(min_value=self.high, exclude_min=not self.high_open,
                                   allow_nan=False, allow_infinity=False))
        return st.one_of(parts)

    def _inside(self) -> float:
        lo = 0.0 if self.low is None else self.low
        hi = lo + 1.0 if self.high is None else self.high
        return 0.5 * (lo + hi)


@dataclass(frozen=True)
class Scalar(Real):
    """A single real; arrays are refused too."""

    def outside(self) -> st.SearchStrategy:
        return st.one_of(super().outside(), st.just([self._inside(), self._inside()]))


@dataclass(frozen=True)
class Grid(Real):
    """A scalar or 1-D grid of reals in range: also empty and 2-D grids, and a NaN inside."""

    def outside(self) -> st.SearchStrategy:
        v = self._inside()
        return st.one_of(super().outside(), st.just([[v, v]]),
                         super().outside().filter(lambda x: isinstance(x, float))
                         .map(lambda x: [v, x]))


@dataclass(frozen=True)
class Int:
    """An integer in ``[low, high]``; bools and non-integral reals are refused."""

    low: int | None = None
    high: int | None = None
    optional: bool = False

    def outside(self) -> st.SearchStrategy:
        parts = [st.sampled_from([2.5, math.nan, math.inf, True, "3", b"3"] + NOT_A_NUMBER)]
        if not self.optional:
            parts.append(st.just(None))
        if self.low is not None:
            parts.append(st.integers(max_value=self.low - 1, min_value=self.low - 10**6))
        if self.high is not None:
            parts.append(st.integers(min_value=self.high + 1, max_value=self.high + 10**6))
        return st.one_of(parts)


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]
    optional: bool = False

    def outside(self) -> st.SearchStrategy:
        others = [3, 1.5, True] + ([] if self.optional else [None])
        return st.one_of(st.text(max_size=8).filter(lambda s: s not in self.values),
                         st.sampled_from(others))


@dataclass(frozen=True)
class Bool:
    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(["no", "yes", 0, 1, None, 2.0])


@dataclass(frozen=True)
class Dataset:
    """An xarray Dataset."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([None, 3, "ds.nc", {"m": [1.0]}, [1.0, 2.0]])


@dataclass(frozen=True)
class Store:
    """The path of an existing campaign store."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([None, 3, "/no/such/store.zarr", "/", __file__])



# -- the symbolic engine's arguments (theory.symbolic) --------------------------------------


@dataclass(frozen=True)
class OneOf:
    """Invalid values listed by hand."""

    values: tuple

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(list(self.values))


@dataclass(frozen=True)
class Func:
    """A callable or None."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([3, "f", [1], 2.5])


@dataclass(frozen=True)
class Entry:
    base: dict[str, Any]
    params: dict[str, Any]
