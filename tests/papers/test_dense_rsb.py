"""CLI of papers/dense_rsb (quick modes) and the committed capacity table."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from papers.__main__ import commands

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_dense_commands_are_listed():
    for name in ("dense-capacity", "dense-phase-diagram", "dense-mc-crosscheck"):
        assert name in commands()


def _run(cmd, tmp_path, timeout=600):
    proc = subprocess.run([sys.executable, "-m", "papers", cmd, "--quick", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
def test_dense_capacity_quick(tmp_path):
    out = _run("dense-capacity", tmp_path)
    assert "alpha_c RS" in out
    assert (tmp_path / "dense_capacity.png").stat().st_size > 10_000
    with xr.open_dataset(tmp_path / "dense_capacity.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    assert ds.converged_rs.all()
    # the capacity in units of the signal-to-noise scale 1/(P-1)! decreases with P
    scaled = ds.alpha_c_rs / ds.alpha_sn
    assert (np.diff(scaled.values) < 0).all()


@pytest.mark.slow
def test_dense_phase_diagram_quick(tmp_path):
    _run("dense-phase-diagram", tmp_path)
    assert (tmp_path / "dense_phase_diagram.png").stat().st_size > 10_000
    for name in ("rs", "mc"):
        with xr.open_dataset(tmp_path / f"dense_phase_diagram_{name}.nc") as ds:
            assert_valid_result(ds.load())
    with xr.open_dataset(tmp_path / "dense_phase_diagram_rs.nc") as lines:
        ok = lines.converged_T_c.values
        assert ok.sum() >= 2
        assert (lines.T_c.values[ok] < lines.T_M.values[ok]).all()


def test_committed_capacity_table_has_rs_for_every_P_and_rsb_above_rs():
    text = (ROOT / "benchmarks" / "results" / "dense_capacity_table.txt").read_text()
    rows = [ln.split() for ln in text.splitlines() if ln[:2].strip().isdigit()]
    assert [int(r[0]) for r in rows] == list(range(3, 11))
    have = 0
    for r in rows:
        a_rs, a_rsb = float(r[1]), float(r[2])
        assert np.isfinite(a_rs) and a_rs > 0
        if np.isfinite(a_rsb):  # 1RSB where it was computed (at least P = 3, 4)
            assert a_rsb >= a_rs  # 1RSB capacity >= RS
            have += 1
    assert have >= 2


def test_committed_capacity_table_global_minimum_loads_match_independent_values():
    text = (ROOT / "benchmarks" / "results" / "dense_capacity_table.txt").read_text()
    rows = {int(r[0]): r for r in (ln.split() for ln in text.splitlines())
            if r and r[0].isdigit()}
    ref = json.loads((ROOT / "benchmarks" / "results"
                      / "dense_global_minimum_independent.json").read_text())["per_P"]
    for P in (3, 4, 5):
        a_rs, a_rsb = float(rows[P][12]), float(rows[P][13])
        assert a_rs == pytest.approx(ref[str(P)]["alpha_gm_rs"], rel=2e-6)
        assert a_rsb == pytest.approx(ref[str(P)]["alpha_gm_1rsb"], rel=2e-6)
        assert a_rs < float(rows[P][1]) and a_rsb < float(rows[P][2])  # below alpha_c
