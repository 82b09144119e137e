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


@pytest.mark.slow
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
    for k in ("rho", "rho_line", "T", "T_line", "T_lines", "M", "mc"):
        with xr.open_dataset(tmp_path / f"dense_learning_phase_{k}.nc") as ds:
            assert_valid_result(ds.load())


def test_digits_quick(tmp_path):
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn (extra 'data')")
    out = _run("dense-learning-digits", tmp_path)
    assert "NCM" in out
    with xr.open_dataset(tmp_path / "dense_learning_digits.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    acc = ds.accuracy.sel(protocol="unsupervised", noise=0.1)
    # correlated classes: the pairwise network is at chance, P = 8 well above it
    assert float(acc.sel(P=2).max()) < 0.15
    assert float(acc.sel(P=8, M=5)) > 0.3
    assert (ds.accuracy_ncm > 0.4).all()


def test_committed_digits_table_is_the_full_mode():
    from pathlib import Path

    from papers.dense_learning.digits import SETTINGS
    text = (Path(__file__).resolve().parents[2] / "benchmarks" / "results"
            / "dense_learning_digits.txt").read_text()
    rows = [r.split() for r in text.splitlines() if not r.startswith("#")]
    cfg = SETTINGS[False]
    assert rows[0][:3] == ["M", "noise", "NCM"]
    assert len(rows) - 1 == len(cfg["M"]) * len(cfg["noise"])
    assert len(rows[0]) == 3 + 2 * len(cfg["P"])
