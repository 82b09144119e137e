"""Structured data for associative memories: an IDX (MNIST, Fashion-MNIST) reader, the
scikit-learn handwritten digits, and binarisation to spins.

MNIST and Fashion-MNIST come as IDX files (LeCun et al.): a 4-byte magic number
``0x00 0x00 <type> <ndim>``, ``ndim`` big-endian uint32 sizes, then the data, big-endian, in C
order. The type codes are 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32 and
0x0E float64. They cannot be downloaded here: :func:`load_idx_dataset` reads them from a
folder the user gives (plain or gzipped). The handwritten digits of scikit-learn (8 x 8 pixels,
16 grey levels, 1797 images; ``pip install assoc-memory[data]``) are shipped with that
package and serve as the structured data of the tests and figures.
"""

from __future__ import annotations

import gzip
import pathlib
from typing import Any

import numpy as np

from .validation import check_choice, check_real

__all__ = ["read_idx", "write_idx", "load_idx_dataset", "load_digits", "binarize"]

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _open(path: pathlib.Path):  # noqa: ANN202
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115


def read_idx(path: str | pathlib.Path) -> np.ndarray:
    """The array stored in the IDX file ``path`` (``.gz`` is decompressed).

    Raises
    ------
    FileNotFoundError
        Naming the path.
    ValueError
        For a bad magic number, an unknown type code, or a file shorter or longer than its
        header says.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {str(path)!r} does not exist")
    with _open(path) as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{str(path)!r} is not an IDX file (magic {raw[:4].hex()!r})")
    code, ndim = raw[2], raw[3]
    if code not in _TYPES:
        raise ValueError(f"{str(path)!r}: unknown IDX type code 0x{code:02X} (known: "
                         f"{', '.join(f'0x{c:02X}' for c in _TYPES)})")
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise ValueError(f"{str(path)!r}: truncated header ({len(raw)} bytes)")
    shape = tuple(int(x) for x in np.frombuffer(raw, ">u4", ndim, 4))
    dtype = np.dtype(_TYPES[code])
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - head != size:
        raise ValueError(f"{str(path)!r}: {len(raw) - head} data bytes, but the header "
                         f"{shape} of {dtype} needs {size}")
    return np.frombuffer(raw, dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | pathlib.Path, array: Any) -> pathlib.Path:
    """Write ``array`` (a dtype of :func:`read_idx`) as an IDX file (gzipped for ``.gz``)."""
    path = pathlib.Path(path)
    a = np.asarray(array)
    code = next((c for c, t in _TYPES.items() if np.dtype(t).newbyteorder("=") == a.dtype),
                None)
    if code is None:
        raise ValueError(f"array dtype {a.dtype} has no IDX type code")
    data = (bytes([0, 0, code, a.ndim]) + np.asarray(a.shape, ">u4").tobytes()
            + a.astype(_TYPES[code]).tobytes())
    with (gzip.open(path, "wb") if path.suffix == ".gz" else open(path, "wb")) as fh:  # noqa: SIM115
        fh.write(data)
    return path


def load_idx_dataset(folder: str | pathlib.Path, split: str = "train"
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, rows, cols) and labels (n,) of an MNIST-format folder.

    ``split='train'`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``
    (each optionally ``.gz``), ``'test'`` the ``t10k-`` files: the names of MNIST and
    Fashion-MNIST.
    """
    split = check_choice("split", split, ("train", "test"))
    folder = pathlib.Path(folder)
    stem = "train" if split == "train" else "t10k"
    out = []
    for what in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        cands = [folder / f"{stem}-{what}", folder / f"{stem}-{what}.gz"]
        path = next((c for c in cands if c.is_file()), None)
        if path is None:
            raise FileNotFoundError(f"no {stem}-{what}[.gz] in {str(folder)!r}")
        out.append(read_idx(path))
    images, labels = out
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{str(folder)!r}: images {images.shape} and labels {labels.shape} "
                         "do not match (want (n, rows, cols) and (n,))")
    return images, labels


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The handwritten digits of scikit-learn: images (1797, 8, 8), grey levels 0..16, and
    labels 0..9.  Needs scikit-learn (``pip install assoc-memory[data]``)."""
    try:
        from sklearn.datasets import load_digits as _load
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise ImportError("load_digits needs scikit-learn: pip install assoc-memory[data]") \
            from exc
    d = _load()
    return d.images.astype(np.uint8), d.target.astype(np.int64)


def binarize(images: Any, threshold: float | None = None) -> np.ndarray:
    """Spins ``+1`` where a pixel exceeds ``threshold`` (default: half the largest grey level),
    else ``-1``; int8 of shape (n, pixels)."""
    x = np.asarray(images)
    if threshold is None:
        threshold = 0.5 * float(x.max(initial=0))
    t = float(check_real("threshold", threshold))
    return np.where(x.reshape(x.shape[0], -1) > t, 1, -1).astype(np.int8)
