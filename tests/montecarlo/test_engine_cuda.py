"""The CUDA engine against the NumPy engine, its specification (STYLE 5).

The kernels' source compiles for the host too (``device='host'``), so their logic is
checked flip for flip on every run with a C compiler: every model family, both rules,
both orders, T = 0 and T > 0, both layouts, and the exact path between the grid points of
coarse threshold tables. With nvcc, the kernels compile for sm_90 without spills and
within the shared-memory budget. Tests marked ``gpu`` repeat the checks on a device.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from assoc.errors import InsufficientMemoryError
from assoc.models import DenseHebbian, Hopfield
from montecarlo import Glauber, engine_cuda
from montecarlo.grid import select_engine

from .test_engine_compiled import (
    CASES,
    DENSE,
    PAIRWISE,
    RULES,
    _both,
    _marked,
    _patterns,
    coarse_tables_case,
    dense_case,
    pairwise_case,
    specs_dataset,
)


def _host_or_skip() -> None:
    try:
        engine_cuda.host_library()
    except RuntimeError as e:  # no C compiler on this machine
        pytest.skip(str(e))


@_marked(PAIRWISE)
def test_host_build_pairwise_chains_are_the_specs_flip_for_flip(rule, S, R, kind):
    _host_or_skip()
    pairwise_case(rule, S, R, kind, engine="host")


@_marked(DENSE)
def test_host_build_dense_chains_are_the_specs_flip_for_flip(rule, P, N, K, S, R):
    _host_or_skip()
    dense_case(rule, P, N, K, S, R, engine="host")


def test_host_build_wide_fields_and_many_patterns():
    """Fields summed in int64 (K N max|xi|^2 >= 2^31) and K beyond the shared budget."""
    _host_or_skip()
    rng = np.random.default_rng(11)
    xi = rng.integers(-100, 101, (1, 600, 400)).astype(np.int8)  # K N 100^2 > 2^31
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (1, 3, 400))
    st = engine_cuda.init_state(xi, spins, device="host")
    assert st.wide
    _both(Hopfield(), Glauber(), xi, spins, np.array([[0.0, 0.5, 3.0]]), 3, seed=2,
          scale=1e-4, engine="host")


def test_host_build_decides_inside_coarse_table_brackets_exactly(monkeypatch):
    """Uniforms inside a bracket of a coarse table: the portable logarithm in C."""
    _host_or_skip()
    coarse_tables_case(monkeypatch, engine="host")


@pytest.mark.parametrize(("model", "kw"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_simulate_on_the_host_build_gives_the_specs_dataset(model, kw):
    _host_or_skip()
    b = specs_dataset(model, kw, engine="cuda-host")
    assert b.attrs["engine"].startswith("cuda-host")


def test_engine_and_backend_selection_say_what_is_missing(capsys, monkeypatch):
    monkeypatch.setattr("montecarlo.grid.has_cupy", lambda: False)
    monkeypatch.setattr("montecarlo.grid._NOTICED", [])
    assert select_engine("numpy", "auto") == ("compiled", "numpy")
    assert select_engine("numpy", "cuda-host") == ("cuda-host", "numpy")
    assert select_engine("auto", "auto") == ("compiled", "numpy")
    assert "no CUDA device" in capsys.readouterr().err
    select_engine("auto", "auto")
    assert capsys.readouterr().err == ""  # once per process
    with pytest.raises(ValueError, match="engine must be 'auto' or 'cuda' with backend='cupy'"):
        select_engine("cupy", "numpy")
    monkeypatch.setattr("assoc.backend.has_cupy", lambda: False)
    for backend, engine in (("cupy", "auto"), ("numpy", "cuda")):
        with pytest.raises(ValueError, match=r"CuPy and a CUDA device.*assoc-memory\[gpu\]"):
            select_engine(backend, engine)
    with pytest.raises(ValueError, match="device must be one of"):
        engine_cuda.init_state(np.ones((1, 1, 4), np.int8), np.ones((1, 1, 4), np.int8),
                               device="tpu")


def test_the_kernels_refuse_patterns_beyond_int8():
    xi = np.full((1, 2, 10), 200, dtype=np.int16)
    with pytest.raises(ValueError, match=r"\|xi\| <= 127"):
        engine_cuda.init_state(xi, np.ones((1, 1, 10), np.int8), device="host")


def test_device_memory_estimate_grows_with_every_size():
    base = engine_cuda.device_bytes(4, 2, 100, 1000)
    for args in ((8, 2, 100, 1000), (4, 4, 100, 1000), (4, 2, 200, 1000), (4, 2, 100, 2000)):
        assert engine_cuda.device_bytes(*args) > base
    assert engine_cuda.device_bytes(4, 2, 100, 1000, P=3) > base


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_kernels_compile_for_sm90_without_spills_within_the_shared_budget(tmp_path):
    out = subprocess.run(
        ["nvcc", "-cubin", "-arch=sm_90", "--fmad=false", "--ptxas-options=-v",
         "-o", str(tmp_path / "mc.cubin"), str(engine_cuda.SOURCE)],
        capture_output=True, text=True, check=True)
    log = out.stdout + out.stderr
    kernels = re.findall(r"Function properties for (\w+)\n\s+(\d+) bytes stack frame, "
                         r"(\d+) bytes spill stores, (\d+) bytes spill loads", log)
    assert {k[0] for k in kernels} == {"mc_pairwise", "mc_dense"}, log
    assert all(k[2] == "0" and k[3] == "0" for k in kernels), log
    regs = [int(r) for r in re.findall(r"Used (\d+) registers", log)]
    assert regs and max(regs) * engine_cuda.BLOCK <= 65536, log  # a block fits an SM's file
    smem = [int(b) for b in re.findall(r"(\d+) bytes smem", log)] or [0]
    assert max(smem) + engine_cuda.SHARED_BUDGET <= 227 * 1024, log  # sm_90's opt-in limit


# -- on a device ------------------------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.name}-{r.order}")
@pytest.mark.parametrize(("P", "S", "R", "K"), [(2, 1, 300, 9), (2, 40, 2, 150), (2, 3, 5, 400),
                                                (3, 2, 5, 40)])
def test_gpu_chains_are_the_specs_flip_for_flip(rule, P, S, R, K):
    rng = np.random.default_rng(P * 1000 + K)
    N = 90 if P == 2 else 36
    xi = _patterns(rng, S, K, N, "pm1")
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (S, R, N))
    T = np.tile(np.array([0.0, 0.25, 1.0])[np.arange(R) % 3], (S, 1))
    model = Hopfield() if P == 2 else DenseHebbian(P=P)
    _both(model, rule, xi, spins, T, 4, seed=K, engine="cuda")


@pytest.mark.gpu
@pytest.mark.parametrize(("model", "kw"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_gpu_simulate_gives_the_specs_dataset(model, kw):
    b = specs_dataset(model, kw, backend="cupy")
    assert b.attrs["engine"].startswith("cuda") and b.attrs["backend"] == "cupy"


@pytest.mark.gpu
def test_gpu_overlaps_stay_exact_after_a_billion_attempted_flips():
    rng = np.random.default_rng(3)
    S, R, K, N = 1, 1024, 100, 1000
    xi = _patterns(rng, S, K, N, "pm1")
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (S, R, N))
    st = engine_cuda.init_state(xi, spins, device="cuda")
    keys = rng.integers(0, 2**63, (S, R, 2)).astype(np.uint64)
    T = np.tile(np.linspace(0.05, 1.5, R), (S, 1))
    engine_cuda.run_sweeps(Hopfield(), Glauber(), xi, st, T, keys, 1000)  # 1.02e9 attempts
    assert st.sweep * N * S * R >= 10**9
    np.testing.assert_array_equal(st.recomputed_overlaps(xi), st.M.astype(np.int64))


@pytest.mark.gpu
def test_gpu_refuses_a_state_beyond_device_memory(monkeypatch):
    monkeypatch.setattr(engine_cuda, "device_bytes", lambda *a, **k: 2**60)
    with pytest.raises(InsufficientMemoryError, match="device memory"):
        engine_cuda.init_state(np.ones((1, 1, 8), np.int8), np.ones((1, 1, 8), np.int8))
