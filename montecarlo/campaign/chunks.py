"""Task chunks of a campaign store, written and read directly as zarr format 3 files.

A store's result arrays are laid out by xarray/zarr (:meth:`.store.CampaignStore.create`)
as uncompressed float64 arrays whose chunks are the tasks' regions. In the zarr format 3
specification such a chunk is the C-order little-endian bytes of the full chunk (edge
chunks padded with the fill value), stored at ``ARRAY/c/i/j/...``. Writing and reading those
files directly costs a few system calls per chunk instead of zarr's per-call machinery
(about 1 ms per variable), which is what keeps per-task persistence small next to even a
tiny task (``benchmarks/campaign_overhead.py``). The layout is checked against the arrays'
metadata when the store is made and opened (:func:`layouts`), and every write is atomic
(a temporary file renamed into place). Any zarr reader opens the store as usual.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["ArrayLayout", "layouts", "ENCODING"]

#: The encoding of every result array (uncompressed: a chunk is a few hundred bytes).
ENCODING = {"compressors": None, "filters": None}
_CODECS = [{"name": "bytes", "configuration": {"endian": "little"}}]


@dataclass(frozen=True)
class ArrayLayout:
    """Where and how one result array keeps its chunks."""

    path: pathlib.Path
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    chunks: tuple[int, ...]

    def locate(self, region: Mapping[str, int | slice]) -> tuple[str, tuple]:
        """The chunk file of ``region`` and the region's slices inside the full array."""
        coords, where = [], []
        for d, n, c in zip(self.dims, self.shape, self.chunks, strict=True):
            r = region.get(d, slice(0, n))
            start = r.start if isinstance(r, slice) else int(r)
            if start % c:
                raise ValueError(f"region of {d} does not start a chunk ({start} % {c})")
            coords.append(start // c)
            where.append(slice(start, min(start + c, n)))
        return os.path.join(self.path, "c", *map(str, coords)), tuple(where)

    def _name(self, path: str) -> str:
        return os.path.relpath(path, self.path.parent)

    @property
    def nbytes(self) -> int:
        """Bytes of one chunk file."""
        return int(np.prod(self.chunks)) * 8

    def write(self, region: Mapping[str, int | slice], values: np.ndarray) -> None:
        """Write the chunk of ``region`` (values shaped like the region, integer-indexed
        dimensions dropped), padded with NaN, atomically."""
        path, where = self.locate(region)
        shape = tuple(s.stop - s.start for s in where)
        full = np.asarray(values, dtype="<f8").reshape(shape)
        if shape != self.chunks:  # an edge chunk: padded with the fill value
            padded = np.full(self.chunks, np.nan, dtype="<f8")
            padded[tuple(slice(0, n) for n in shape)] = full
            full = padded
        folder, name = os.path.split(path)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.partial")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the first chunk of its folder
            os.makedirs(folder, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            os.write(fd, full.tobytes())  # C order
        finally:
            os.close(fd)
        os.replace(tmp, path)  # atomic: a reader sees the old chunk or the new one

    def read_into(self, out: np.ndarray, region: Mapping[str, int | slice]) -> None:
        """Copy the chunk of ``region`` into ``out`` (the full array); ValueError if the
        chunk file is missing or has the wrong size."""
        path, where = self.locate(region)
        try:
            with open(path, "rb", buffering=0) as f:
                raw = f.read()
        except FileNotFoundError:
            raise ValueError(f"chunk {self._name(path)} is missing") from None
        if len(raw) != self.nbytes:
            raise ValueError(f"chunk {self._name(path)} has {len(raw)} bytes, not "
                             f"{self.nbytes}")
        data = np.frombuffer(raw, dtype="<f8")
        inner = tuple(slice(0, s.stop - s.start) for s in where)
        out[where] = data.reshape(self.chunks)[inner]


def layouts(root: pathlib.Path, names: list[str]) -> dict[str, ArrayLayout]:
    """The layouts of arrays ``names`` under ``root``, checked against their metadata.

    Raises
    ------
    ValueError
        When an array is missing or is not an uncompressed little-endian float64 array
        with a regular chunk grid and the default ``/`` chunk keys.
    """
    out = {}
    for name in names:
        path = root / name
        try:
            meta = json.loads((path / "zarr.json").read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"the metadata of array {name!r} cannot be read ({exc})") from None
        enc = meta.get("chunk_key_encoding", {})
        grid = meta.get("chunk_grid", {})
        ok = (meta.get("zarr_format") == 3 and meta.get("node_type") == "array"
              and meta.get("data_type") == "float64" and meta.get("codecs") == _CODECS
              and enc.get("name") == "default"
              and enc.get("configuration", {}).get("separator", "/") == "/"
              and grid.get("name") == "regular")
        if not ok:
            raise ValueError(f"array {name!r} is not laid out as a campaign result array "
                             f"(uncompressed float64, regular chunks, '/' keys)")
        out[name] = ArrayLayout(path, tuple(meta["dimension_names"]), tuple(meta["shape"]),
                                tuple(grid["configuration"]["chunk_shape"]))
    return out
