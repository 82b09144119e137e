"""The CUDA engine: one kernel per model family, flip for flip the NumPy engine.

The kernels (``montecarlo/kernels/mc.cu``) run every chain through many sweeps per launch,
one thread per chain, with the state on the device between launches: the same sites, the
same Philox uniform ``sweep * N + step`` of each chain (regenerated in the kernel), the
same integer energy changes and the same threshold tables (:mod:`montecarlo.thresholds`)
as :mod:`montecarlo.engine_numpy`, the specification, so the same flips, spins, overlaps
and energies.

Two builds of one source:

* ``device="cuda"``: CuPy's ``RawModule`` (NVRTC, ``--fmad=false`` so that the portable
  logarithm of :mod:`montecarlo.variates` rounds as in NumPy);
* ``device="host"``: the system C compiler (``cc -ffp-contract=off``), loaded with
  ``ctypes``; the chains are a loop. The default test suite checks this build against the
  NumPy engine wherever a C compiler exists, so the kernels' logic is tested without a GPU.

Layout (see the source): chain ``c = s R + r``; overlaps ``(K, C)`` and spins ``(N, C)``
chain-minor, so that the threads of a warp read consecutive words, and the patterns once
per sample, site-major int8 ``(S, N, Kp)``, so that the chains of one sample read one row
(a broadcast). Blocks hold 128 consecutive chains. Pairwise chains keep their overlaps in
shared memory when ``128 K`` int32 fit in :data:`SHARED_BUDGET` (K <= 192), in global
memory (L1-cached, coalesced) otherwise; dense chains keep theirs in global memory.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assoc.backend import has_cupy
from assoc.errors import InsufficientMemoryError
from assoc.models import Model

from .dynamics import Metropolis, UpdateRule
from .engine_compiled import chain_tables, dense_polynomials
from .engine_numpy import sweeps_sites
from .state import ChainState

__all__ = ["CudaState", "init_state", "run_sweeps", "source", "host_library", "cuda_module",
           "device_bytes", "DEVICES", "NVRTC_OPTIONS", "HOST_FLAGS", "BLOCK", "SHARED_BUDGET"]

SOURCE = Path(__file__).with_name("kernels") / "mc.cu"
DEVICES = ("cuda", "host")
#: NVRTC options: no contracted multiply-adds (the portable logarithm's rounding).
NVRTC_OPTIONS = ("--fmad=false", "-std=c++11")
#: Host compiler flags: the same arithmetic, no contraction, position-independent.
HOST_FLAGS = ("-O2", "-std=c99", "-ffp-contract=off", "-fPIC", "-shared", "-x", "c")
BLOCK = 128  # chains per block
SHARED_BUDGET = 96 * 1024  # bytes of shared memory per block for overlaps
PAD = 16  # patterns per row padded to a multiple (aligned rows)
_CHUNK = 32  # sweeps per launch between measurements: bounds the site-order array


def source() -> str:
    """The kernels' CUDA/C source."""
    return SOURCE.read_text()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "assoc-memory" / "kernels"


def _host_compiler() -> str:
    for cand in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"):
        exe = shutil.which(cand.split()[0]) if cand else None
        if exe:
            return exe
    raise RuntimeError("device='host' needs a C compiler (cc, gcc or clang on PATH, or $CC)")


_I8P = _I32P = _I64P = _U64P = _U32P = _F64P = ctypes.c_void_p
_INT, _I64, _F64 = ctypes.c_int, ctypes.c_longlong, ctypes.c_double
_PAIRWISE_ARGS = (_I8P, _I64P, _INT, _INT, _INT, _INT, _INT, _I32P, _I8P, _U64P, _I64P, _I64P,
                  _I64P, _I64P, _U32P, _F64P, _INT, _I64, _I64P, _INT, _INT, _INT)
_DENSE_ARGS = (_I8P, _INT, _INT, _INT, _INT, _INT, _I32P, _I64P, _I64P, _I64P, _F64P, _INT,
               _F64P, _INT, _F64, _I8P, _U64P, _I64P, _I64P, _I64P, _I64P, _U32P, _F64P, _INT,
               _I64, _I64P, _INT)


@lru_cache(maxsize=1)
def host_library() -> ctypes.CDLL:
    """The host build of the kernels, compiled once per source into the user cache.

    Written to a temporary file and renamed into place, so that concurrent processes never
    load a half-written library.
    """
    src = source()
    cc = _host_compiler()
    tag = hashlib.sha256((src + " ".join(HOST_FLAGS) + cc).encode()).hexdigest()[:16]
    out = _cache_dir() / f"mc-{tag}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=out.parent)
        os.close(fd)
        try:
            res = subprocess.run([cc, *HOST_FLAGS, str(SOURCE), "-o", tmp], capture_output=True,
                                 text=True)
            if res.returncode:
                raise RuntimeError(f"the host build of {SOURCE.name} failed:\n{res.stderr}")
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    lib = ctypes.CDLL(str(out))
    lib.mc_pairwise.argtypes, lib.mc_pairwise.restype = _PAIRWISE_ARGS, None
    lib.mc_dense.argtypes, lib.mc_dense.restype = _DENSE_ARGS, None
    return lib


@lru_cache(maxsize=1)
def cuda_module() -> Any:
    """The kernels compiled for the current device by NVRTC (``cupy.RawModule``)."""
    if not has_cupy():
        raise ValueError("the CUDA engine needs CuPy and a CUDA device "
                         "(pip install 'assoc-memory[gpu]')")
    import cupy as cp

    return cp.RawModule(code=source(), options=NVRTC_OPTIONS)


def _xp(device: str) -> Any:
    if device == "host":
        return np
    if device != "cuda":
        raise ValueError(f"device must be one of {DEVICES} (got {device!r})")
    cuda_module()  # the clear error without CuPy or a device
    import cupy as cp

    return cp


@dataclass
class CudaState:
    """Chains of the CUDA engine; :attr:`M` and :attr:`spins` as in the specification.

    Arrays live on ``device`` (CuPy arrays for 'cuda', NumPy for 'host'); ``M`` (S, K, R)
    and ``spins`` (N, S, R) are NumPy copies in the NumPy engine's axis order
    (:class:`~montecarlo.state.ChainState`).
    """

    XS: Any  # patterns (S, N, Kp), int8
    cS: Any  # P = 2: self-couplings (S, N), int64; dense: unused
    Mk: Any  # overlaps (K, S R), int32
    sk: Any  # spins (N, S R), int8
    shape: tuple[int, int, int, int]  # S, R, K, N
    device: str
    wide: bool = False  # pairwise fields summed in int64
    dense: dict[str, Any] = field(default_factory=dict)  # A, B (K, S R), SB (S R,), polynomials
    sweep: int = 0

    @property
    def N(self) -> int:
        return self.shape[3]

    def _host(self, a: Any) -> np.ndarray:
        return a if self.device == "host" else a.get()

    @property
    def M(self) -> np.ndarray:
        S, R, K, _ = self.shape
        return self._host(self.Mk).reshape(K, S, R).transpose(1, 0, 2)

    @property
    def spins(self) -> np.ndarray:
        S, R, _, N = self.shape
        return self._host(self.sk).reshape(N, S, R)

    recomputed_overlaps = ChainState.recomputed_overlaps  # from the spec-layout views


def device_bytes(S: int, R: int, K: int, N: int, P: int = 2) -> int:
    """Device memory of a state: patterns, chain state, and the largest launch's inputs."""
    Kp = -(-K // PAD) * PAD
    C = S * R
    chains = C * (N + 4 * K + 8 * 8)  # spins, int32 overlaps, keys and tables' per-chain words
    if P > 2:
        chains += C * (16 * K + 8)  # A, B (int64), SB
    return S * N * (Kp + 8) + chains + _CHUNK * N * 8 + 4 * 2**16 * 8  # + sites, tables


def init_state(xi: np.ndarray, spins: np.ndarray, P: int = 2, *,
               device: str = "cuda") -> CudaState:
    """State on ``device`` from integer patterns ``xi`` (S, K, N) and spins (S, R, N).

    Raises
    ------
    ValueError
        ``device`` unknown, or 'cuda' without CuPy and a device; patterns whose fields
        leave the kernels' exact integer types.
    InsufficientMemoryError
        When the state would not fit in the device's free memory (checked before
        allocating on it).
    """
    xp = _xp(device)
    S, K, N = xi.shape
    R = spins.shape[1]
    if device == "cuda":
        need = device_bytes(S, R, K, N, P)
        free = xp.cuda.runtime.memGetInfo()[0]
        if need > free:
            raise InsufficientMemoryError(
                f"the CUDA engine's state needs about {need / 2**30:.2f} GiB of device memory "
                f"(S = {S} samples x {R} chains, K = {K}, N = {N}); {free / 2**30:.2f} GiB are "
                f"free: lower samples or N")
    max_abs = max(int(xi.max(initial=1)), -int(xi.min(initial=-1)))
    if max_abs > 127 or N * max_abs >= 2**31:
        raise ValueError(f"the CUDA engine holds int8 patterns and int32 overlaps: |xi| <= 127 "
                         f"and N |xi| < 2^31 (got max |xi| = {max_abs}, N = {N})")
    Kp = -(-K // PAD) * PAD
    XS = np.zeros((S, N, Kp), dtype=np.int8)
    XS[:, :, :K] = xi.transpose(0, 2, 1)
    C = S * R
    Mk = np.empty((K, C), dtype=np.int32)
    ftype = np.float32 if N * max_abs < 2**24 else np.float64  # sums exact in it
    for s in range(S):  # one sample's float copy at a time
        Mk[:, s * R:(s + 1) * R] = np.matmul(xi[s].astype(ftype), spins[s].T.astype(ftype))
    sk = np.ascontiguousarray(np.asarray(spins, dtype=np.int8).transpose(2, 0, 1).reshape(N, C))
    wide = K * N * max_abs * max_abs + K * max_abs**2 >= 2**31
    dense: dict[str, Any] = {}
    if P == 2:
        cS = np.stack([np.square(xi[s], dtype=np.int32).sum(axis=0, dtype=np.int64)
                       for s in range(S)])
    else:
        cA, cB, D, amax, bmax, _ = dense_polynomials(P, N)
        if K * (amax + bmax) >= 2**52:
            raise ValueError(f"dense P = {P} energy changes at N = {N}, K = {K} exceed 2^52: "
                             f"not exact in float64")
        Mf = Mk.astype(np.float64)
        A = (np.polyval(cA, Mf) / D).astype(np.int64)
        B = (np.polyval(cB, Mf) / D).astype(np.int64)
        dense = {"A": A, "B": B, "SB": B.sum(axis=0), "cA": cA, "cB": cB, "D": float(D)}
        cS = np.zeros((0, 0), dtype=np.int64)
    put = (lambda a: a) if device == "host" else xp.asarray
    dense = {k: put(v) if isinstance(v, np.ndarray) else v for k, v in dense.items()}
    return CudaState(put(XS), put(cS), put(Mk), put(sk), (S, R, K, N), device, wide, dense)


def _ptr(a: np.ndarray) -> int:
    return a.ctypes.data


def run_sweeps(
    model: Model,
    rule: UpdateRule,
    xi: np.ndarray,
    state: CudaState,
    T: np.ndarray,
    keys: np.ndarray,
    n_sweeps: int,
    *,
    sites_rng: Callable[[int], np.random.Generator] | None = None,
    measure: Callable[[CudaState], None] | None = None,
    scale: float = 1.0,
) -> CudaState:
    """Advance ``state`` by ``n_sweeps`` sweeps: :func:`montecarlo.engine_numpy.run_sweeps`.

    Parameters as there (``xi`` is not read again: the state holds its patterns).
    """
    S, R, K, N = state.shape
    if not float(scale) > 0:
        raise ValueError(f"scale must be > 0 (got {scale!r})")
    P = model.P
    C = S * R
    unit = 2.0 * float(scale) / float(N) ** (P - 1)
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (S, R))
    lo, hi, shift, off, H, Cf, _ = chain_tables(rule, T, unit)
    ks = np.ascontiguousarray(np.asarray(keys, dtype=np.uint64).reshape(C, 2))
    metropolis = int(isinstance(rule, Metropolis))
    host = state.device == "host"
    xp = np if host else _xp("cuda")
    on = [np.ascontiguousarray(a) if host else xp.asarray(a)
          for a in (ks, lo, hi, shift, off, H, Cf)]
    Kp = state.XS.shape[2]
    dn = state.dense
    use_shared = int(P == 2 and BLOCK * K * 4 <= SHARED_BUDGET)

    def launch(sites: np.ndarray) -> None:
        n = sites.shape[0]
        if host:
            lib = host_library()
            if P == 2:
                lib.mc_pairwise(_ptr(state.XS), _ptr(state.cS), S, R, N, K, Kp, _ptr(state.Mk),
                                _ptr(state.sk), *map(_ptr, on), metropolis, state.sweep,
                                _ptr(sites), n, int(state.wide), 0)
            else:
                lib.mc_dense(_ptr(state.XS), S, R, N, K, Kp, _ptr(state.Mk), _ptr(dn["A"]),
                             _ptr(dn["B"]), _ptr(dn["SB"]), _ptr(dn["cA"]), dn["cA"].size,
                             _ptr(dn["cB"]), dn["cB"].size, dn["D"], _ptr(state.sk),
                             *map(_ptr, on), metropolis, state.sweep, _ptr(sites), n)
            return
        mod = cuda_module()
        grid, i32, i64 = (-(-C // BLOCK),), np.int32, np.int64
        d_sites = xp.asarray(sites)
        if P == 2:
            kern = mod.get_function("mc_pairwise")
            shared = BLOCK * K * 4 * use_shared
            if shared > 48 * 1024:
                kern.max_dynamic_shared_size_bytes = shared
            kern(grid, (BLOCK,), (state.XS, state.cS, i32(S), i32(R), i32(N), i32(K), i32(Kp),
                                   state.Mk, state.sk, *on, i32(metropolis), i64(state.sweep),
                                   d_sites, i32(n), i32(state.wide), i32(use_shared)),
                 shared_mem=shared)
        else:
            kern = mod.get_function("mc_dense")
            kern(grid, (BLOCK,), (state.XS, i32(S), i32(R), i32(N), i32(K), i32(Kp), state.Mk,
                                   dn["A"], dn["B"], dn["SB"], dn["cA"], i32(dn["cA"].size),
                                   dn["cB"], i32(dn["cB"].size), np.float64(dn["D"]), state.sk,
                                   *on, i32(metropolis), i64(state.sweep), d_sites, i32(n)))

    done = 0
    while done < n_sweeps:
        n = 1 if measure is not None else min(_CHUNK, n_sweeps - done)
        sites = sweeps_sites(rule.order, N, sites_rng, state.sweep, n)
        launch(sites)
        state.sweep += n
        done += n
        if measure is not None:
            measure(state)
    return state
