"""Seeds: one root, streams keyed by (stream, grid point, sample) (STYLE 3).

Every random function in the library takes a keyword-only ``seed`` (int,
:class:`numpy.random.SeedSequence`, :class:`numpy.random.Generator` or None)
and calls :func:`normalize_seed` once. Streams are then derived, never drawn
in sequence, so that a value depends only on its key and not on the order or
the partition of the work:

``stream_seed(root, "disorder", grid_point, sample)`` is the seed of the
patterns of one disorder sample at one grid point, on any worker.

Stream names are mapped to integers by a fixed table (:data:`STREAMS`), so keys
are stable across Python processes and versions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["STREAMS", "SeedLike", "normalize_seed", "stream_seed", "stream_rng", "seed_entropy"]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

#: Stable integer codes of the named streams.
STREAMS: dict[str, int] = {
    "disorder": 0,  # patterns, examples
    "thermal": 1,  # Monte Carlo acceptance uniforms (Philox keys)
    "init": 2,  # initial spin configurations
    "sites": 3,  # random-site update order
    "queries": 4,  # noisy queries, modern networks
    "model": 5,  # learned parameters of layers
}


def normalize_seed(seed: SeedLike) -> np.random.SeedSequence:
    """Turn any accepted seed into the root :class:`~numpy.random.SeedSequence`.

    A Generator contributes entropy drawn from it once (so passing the same
    Generator twice gives different roots, as users of Generators expect).
    ``None`` draws fresh OS entropy; the result's ``entropy`` is recorded in
    Dataset attrs so that the run can be repeated.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4, dtype=np.uint64))
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            f"seed must be an int >= 0, a SeedSequence, a Generator or None (got {seed!r})"
        )
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0 (got {seed})")
    return np.random.SeedSequence(int(seed))


def seed_entropy(root: np.random.SeedSequence) -> str:
    """A string that recreates ``root`` (for Dataset attrs)."""
    ent = root.entropy
    key = ",".join(str(int(k)) for k in root.spawn_key)
    return f"{ent}" + (f"/spawn_key={key}" if key else "")


def stream_seed(root: np.random.SeedSequence, stream: str, *key: int) -> np.random.SeedSequence:
    """Seed of ``stream`` at integer ``key`` (e.g. grid point, sample, chain)."""
    if stream not in STREAMS:
        raise ValueError(f"stream must be one of {sorted(STREAMS)} (got {stream!r})")
    if any(int(k) < 0 for k in key):
        raise ValueError(f"stream keys must be >= 0 (got {key})")
    return np.random.SeedSequence(
        root.entropy,
        spawn_key=(*root.spawn_key, STREAMS[stream], *(int(k) for k in key)),
    )


def stream_rng(root: np.random.SeedSequence, stream: str, *key: int) -> np.random.Generator:
    """A PCG64 :class:`~numpy.random.Generator` for ``stream`` at ``key``."""
    return np.random.default_rng(stream_seed(root, stream, *key))


def control_key(**controls: Any) -> int:
    """Stable 31-bit integer key of a grid point from its control values.

    ``control_key(alpha=0.05, N=1000)`` is the same in every process, so seeds
    keyed by it do not depend on where the point falls in a grid or a task
    split. Floats are written with 17 significant digits.
    """
    import zlib

    parts = []
    for name in sorted(controls):
        v = controls[name]
        if isinstance(v, (float, np.floating)):
            v = format(float(v), ".17g")
        parts.append(f"{name}={v}")
    return zlib.crc32("|".join(parts).encode()) & 0x7FFFFFFF


def philox_key(root: np.random.SeedSequence, stream: str, *key: Any) -> np.ndarray:
    """The 128-bit Philox key (two uint64 words) of ``stream`` at ``key``."""
    return stream_seed(root, stream, *key).generate_state(2, dtype=np.uint64)


__all__ += ["philox_key", "control_key"]
