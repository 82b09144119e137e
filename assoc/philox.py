"""Counter-based random numbers: Philox4x64-10, vectorised in NumPy.

Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
SC'11, doi:10.1145/2063384.2063405.

The Monte Carlo thermal noise of a chain comes from the word stream of
Philox4x64-10 keyed by that chain's 128-bit key: word ``k`` of the stream is
word ``k % 4`` of the block with counter ``k // 4 + 1``, exactly the raw output
of ``numpy.random.Philox(key=key, counter=0)`` (whose first block uses counter
1). Each word gives two 32-bit uniforms, low half first: uniform number ``w``
of the chain (``w = sweep * N + step`` for a sweep of ``N`` steps) is
``(h + 1/2) * 2**-32`` with ``h`` the 32-bit half ``w % 2`` of word ``w // 2``,
so uniforms lie strictly inside (0, 1). Any uniform can be regenerated
anywhere: with NumPy's C generator (:class:`PhiloxStream`), with
:func:`philox_uniforms` here, or in a GPU kernel that implements the same
rounds.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["philox4x64", "philox_words", "philox_uniforms", "words_to_uniform", "PhiloxStream"]

_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)
_MASK32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


def _mulhilo(a: np.ndarray, b: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """High and low 64-bit words of the 128-bit product ``a * b`` (uint64)."""
    a_lo, a_hi = a & _MASK32, a >> _S32
    b_lo, b_hi = b & _MASK32, b >> _S32
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = (ll >> _S32) + (lh & _MASK32) + (hl & _MASK32)
    hi = hh + (lh >> _S32) + (hl >> _S32) + (mid >> _S32)
    lo = a * b  # wraps modulo 2**64
    return hi, lo


def philox4x64(counter: np.ndarray, key: np.ndarray, rounds: int = 10) -> np.ndarray:
    """Philox4x64-``rounds`` bijection, vectorised over leading axes.

    Parameters
    ----------
    counter : ndarray of uint64, shape (..., 4)
    key : ndarray of uint64, shape (..., 2), broadcastable against ``counter``

    Returns
    -------
    ndarray of uint64, shape (..., 4)
    """
    counter = np.asarray(counter, dtype=np.uint64)
    key = np.asarray(key, dtype=np.uint64)
    if counter.shape[-1:] != (4,) or key.shape[-1:] != (2,):
        raise ValueError("counter must have last axis 4 and key last axis 2")
    c0, c1, c2, c3 = (counter[..., i] for i in range(4))
    k0, k1 = key[..., 0], key[..., 1]
    with np.errstate(over="ignore"):
        for r in range(rounds):
            if r:
                k0 = k0 + _W0
                k1 = k1 + _W1
            hi0, lo0 = _mulhilo(c0, _M0)
            hi1, lo1 = _mulhilo(c2, _M1)
            c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return np.stack(np.broadcast_arrays(c0, c1, c2, c3), axis=-1)


def philox_words(key: np.ndarray, start: int | np.ndarray, n: int) -> np.ndarray:
    """Words ``start .. start + n - 1`` of the streams keyed by ``key``.

    Parameters
    ----------
    key : uint64 array, shape (..., 2)
    start : int or integer array broadcastable to ``key.shape[:-1]``
    n : int

    Returns
    -------
    uint64 array, shape (..., n); equal to
    ``numpy.random.Philox(key=k, counter=0)`` advanced ``start`` words, then
    ``random_raw(n)``.
    """
    key = np.asarray(key, dtype=np.uint64)
    start = np.broadcast_to(np.asarray(start, dtype=np.uint64), key.shape[:-1])
    w = start[..., None] + np.arange(n, dtype=np.uint64)  # (..., n)
    block = w // np.uint64(4) + np.uint64(1)
    lane = (w % np.uint64(4)).astype(np.intp)
    b0 = block[..., 0]
    nblk = int((block[..., -1] - b0).max()) + 1 if n else 0
    ctr = np.zeros((*b0.shape, nblk, 4), dtype=np.uint64)
    ctr[..., 0] = b0[..., None] + np.arange(nblk, dtype=np.uint64)
    out = philox4x64(ctr, key[..., None, :])  # (..., nblk, 4)
    flat = out.reshape(*out.shape[:-2], nblk * 4)
    idx = (block - b0[..., None]).astype(np.intp) * 4 + lane
    return np.take_along_axis(flat, idx, axis=-1)


def philox_uniforms(key: np.ndarray, start: int | np.ndarray, n: int) -> np.ndarray:
    """Uniforms ``start .. start + n - 1`` of the chains keyed by ``key`` (the specification).

    Returns float64 of shape (..., n): ``(h + 1/2) * 2**-32`` with ``h`` the 32-bit half
    ``w % 2`` (low half first) of word ``w // 2``.
    """
    key = np.asarray(key, dtype=np.uint64)
    start = np.broadcast_to(np.asarray(start, dtype=np.int64), key.shape[:-1])
    w0 = start // 2
    nwords = int(((start + n - 1) // 2 - w0).max()) + 1
    words = philox_words(key, w0, nwords)  # (..., nwords)
    halves = np.stack([words & _MASK32, words >> _S32], axis=-1).reshape(*words.shape[:-1], -1)
    idx = (start % 2)[..., None] + np.arange(n)
    h = np.take_along_axis(halves, idx, axis=-1)
    return (h.astype(np.float64) + 0.5) * 2.0**-32


def words_to_uniform(words: np.ndarray) -> np.ndarray:
    """Map uint64 words to doubles in [0, 1) as NumPy's ``Generator.random`` does."""
    return (np.asarray(words, dtype=np.uint64) >> np.uint64(11)).astype(np.float64) * (2.0**-53)


class PhiloxStream:
    """Sequential reader of the thermal uniforms of many chains.

    Uses NumPy's C implementation of Philox4x64-10 (one bit generator per
    chain) and equals :func:`philox_uniforms` number for number. Raw words are
    drawn ahead in chunks of ``chunk_words`` per chain (by default about 2^20
    words over all chains, 8 MiB), so the per-chain Python calls, and the GIL
    hand-overs they cost when the stream is read on a second thread, come once
    per chunk rather than once per read.

    Parameters
    ----------
    keys : uint64 array, shape (n_chains, 2)
    start : int
        Uniform index to start at (e.g. ``sweep * N`` when resuming).
    chunk_words : int, optional
        Words drawn per chain at each refill (at least what a read needs).
    """

    def __init__(self, keys: np.ndarray, start: int = 0, chunk_words: int | None = None) -> None:
        keys = np.asarray(keys, dtype=np.uint64).reshape(-1, 2)
        self._gens = []
        w = int(start) // 2  # words consumed before the first uniform's word
        for k in keys:
            bg = np.random.Philox(key=k, counter=np.zeros(4, dtype=np.uint64))
            if w:
                bg.advance(w // 4)
                bg.random_raw(w % 4)
            self._gens.append(bg)
        self._chunk = int(chunk_words or max(64, 2**20 // max(len(self._gens), 1)))
        self._halves = np.empty((len(self._gens), 0), dtype=np.uint32)  # drawn halves
        self._next = 0  # first unread column of _halves
        self.position = int(start)
        if start % 2:  # the high half of word w is the first uniform
            self._refill(1)
            self._next = 1

    def _refill(self, need: int) -> None:
        """Keep the unread halves and append at least ``need`` more."""
        nwords = max((need + 1) // 2, self._chunk)
        words = np.empty((len(self._gens), nwords), dtype=np.uint64)
        for c, bg in enumerate(self._gens):
            words[c] = bg.random_raw(nwords)
        if sys.byteorder == "little":  # low half first, without copies
            halves = words.view(np.uint32)
        else:
            halves = np.empty((len(self._gens), 2 * nwords), dtype=np.uint32)
            halves[:, 0::2] = words & _MASK32
            halves[:, 1::2] = words >> _S32
        self._halves = np.concatenate([self._halves[:, self._next :], halves], axis=1)
        self._next = 0

    def uniforms(self, n: int) -> np.ndarray:
        """Next ``n`` uniforms of every chain, float64 of shape (n_chains, n)."""
        have = self._halves.shape[1] - self._next
        if have < n:
            self._refill(n - have)
        h = np.add(self._halves[:, self._next : self._next + n], 0.5, dtype=np.float64)
        self._next += n
        self.position += n
        h *= 2.0**-32
        return h
