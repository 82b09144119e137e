"""The dense-learning figures (papers/dense_learning) in quick mode."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from papers.__main__ import commands


def _run(name, tmp_path, timeout=600):
    proc = subprocess.run([sys.executable, "-m", "papers", name, "--quick", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_commands_are_listed():
    assert {"dense-learning-overlaps", "dense-learning-phase"} <= set(commands())


def test_overlaps_quick(tmp_path):
    out = _run("dense-learning-overlaps", tmp_path)
    assert "M = [2, 3, 4]" in out  # unsupervised: an example wins at M = 2..4 (r = 0.6)
    assert (tmp_path / "dense_learning_overlaps.png").stat().st_size > 10_000
    with xr.open_dataset(tmp_path / "dense_learning_overlaps_theory.nc") as th, \
            xr.open_dataset(tmp_path / "dense_learning_overlaps_mc.nc") as mc:
        th, mc = th.load(), mc.load()
    assert_valid_result(mc)
    # supervised: the simulation from the archetype agrees with the retrieval state
    sup = mc.sel(protocol="supervised").m.squeeze()
    ref = th.sel(protocol="supervised", branch="retrieval").m.sel(M=sup.M)
    z = (sup.mean("sample") - ref) / (sup.std("sample", ddof=1) / np.sqrt(sup.sizes["sample"]))
    assert (abs(z) < 3).all(), z.values


@pytest.mark.slow
def test_phase_quick(tmp_path):
    out = _run("dense-learning-phase", tmp_path, timeout=900)
    assert "alpha_c" in out
    assert (tmp_path / "dense_learning_phase.png").stat().st_size > 10_000
    for k in ("rho", "rho_line", "T", "T_line", "M", "mc"):
        with xr.open_dataset(tmp_path / f"dense_learning_phase_{k}.nc") as ds:
            assert_valid_result(ds.load())
