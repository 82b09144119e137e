"""assoc.structured: the IDX reader on files the test writes, the digits, binarisation."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from assoc.structured import binarize, load_digits, load_idx_dataset, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 5).reshape(2, 3, 5) - 7).astype(dtype)
    if dtype == np.uint8:
        a = np.abs(a).astype(dtype)
    path = write_idx(tmp_path / f"a.idx{suffix}", a)
    b = read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_idx_reader_reads_the_mnist_layout_written_by_hand(tmp_path):
    """Bytes as in the MNIST files (big-endian header, uint8 data), written without
    :func:`write_idx`."""
    imgs = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.array([5, 0, 4, 1], dtype=np.uint8)
    head = bytes([0, 0, 0x08, 3]) + (4).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    with gzip.open(tmp_path / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(head + imgs.tobytes())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        bytes([0, 0, 0x08, 1]) + (4).to_bytes(4, "big") + labels.tobytes())
    x, y = load_idx_dataset(tmp_path, "train")
    np.testing.assert_array_equal(x, imgs)
    np.testing.assert_array_equal(y, labels)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_idx_dataset(tmp_path, "test")
    with pytest.raises(ValueError, match="split must be one of"):
        load_idx_dataset(tmp_path, "validation")


def test_bad_idx_files_are_refused_by_name(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "code").write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="unknown IDX type code 0x07"):
        read_idx(tmp_path / "code")
    (tmp_path / "short").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x03\x00")
    with pytest.raises(ValueError, match="needs 3"):
        read_idx(tmp_path / "short")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_idx(tmp_path / "missing")


def test_digits_and_binarisation():
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn (extra 'data')")
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.max() == 16
    assert sorted(set(labels.tolist())) == list(range(10))
    s = binarize(images)
    assert s.shape == (1797, 64) and set(np.unique(s).tolist()) == {-1, 1}
    np.testing.assert_array_equal(s, np.where(images.reshape(1797, -1) > 8, 1, -1))
